/*
 * Freescale/NXP PAMU (Peripheral Access Management Unit)
 *
 * The IOMMU of the QorIQ SoCs: every DMA access carries the LIODN (logical
 * I/O device number) of its initiator, which selects a PAACE (PAMU access
 * control entry) in a table in memory; the PAACE describes one window,
 * optionally split into subwindows, with permissions and a translation.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_IOMMU_PAMU_H
#define HW_IOMMU_PAMU_H

#include "exec/memory.h"
#include "hw/sysbus.h"
#include "qemu/rcu.h"
#include "qemu/thread.h"
#include "qom/object.h"
#include "hw/iommu/pamu-regs.h"
#include "hw/iommu/pamu-walk.h"
#include "hw/iommu/pamu-tlb.h"

#define TYPE_PAMU "pamu"
OBJECT_DECLARE_SIMPLE_TYPE(PAMUState, PAMU)

#define TYPE_PAMU_IOMMU_MEMORY_REGION "pamu-iommu-memory-region"

/*
 * Storage for the read/write registers of a unit: the block at
 * 0x000-0x093 (tables, errors, ECC) and the control block PC..PICS.
 */
#define PAMU_LOW_SLOTS          (A_UDAD / 4 + 1)
#define PAMU_NR_SLOTS           (PAMU_LOW_SLOTS + (A_PICS - A_PC) / 4 + 1)
#define PAMU_SLOT(offset)       ((uint32_t)(offset) < (uint32_t)A_PC ? \
                                 (uint32_t)(offset) / 4 : PAMU_LOW_SLOTS + \
                                 ((uint32_t)(offset) - (uint32_t)A_PC) / 4)

typedef struct PAMUUnit {
    uint32_t regs[PAMU_NR_SLOTS];
} PAMUUnit;

/* Register @reg (an A_ offset name of pamu-regs.h) of unit registers @u */
#define PAMU_UREG(u, reg)   ((u)->regs[PAMU_SLOT(A_##reg)])

/* A 64-bit address held in a high and a low register */
static inline uint64_t pamu_reg_pair(uint32_t hi, uint32_t lo)
{
    return ((uint64_t)hi << 32) | lo;
}

/* The 64-bit value of the register pair @reg##H, @reg##L of @u */
#define PAMU_UREG64(u, reg) \
    pamu_reg_pair(PAMU_UREG(u, reg##H), PAMU_UREG(u, reg##L))

/*
 * What translation needs of a unit: its registers and direct mappings of
 * the PPAACT and SPAACT.  Rebuilt (under the BQL) whenever a register it
 * depends on or the memory map changes, and read under RCU, so that the
 * translation path takes no lock.  The mappings point at guest memory:
 * entries are still read afresh on every access.
 */
typedef struct PAMUUnitView {
    struct rcu_head rcu;
    PAMUWalkRegs regs;
    MemoryRegionCache ppaact, spaact;
    hwaddr ppaact_len, spaact_len;  /* bytes mapped from PPBA, SPBA */
} PAMUUnitView;

/*
 * A table entry whose programming the walk reported (PAMU_WARN_ and
 * PAMU_UNIMP_ flags), remembered so that it is logged once per change of
 * the entry rather than on every DMA access through it.
 */
typedef struct PAMULoggedEntry {
    uint64_t addr;
    uint32_t flags;
    uint32_t words[PAMU_PAACE_WORDS];
} PAMULoggedEntry;

#define PAMU_LOGGED_ENTRIES     4

/*
 * What the DMA of one LIODN sees.  While the unit is bypassed @root shows
 * @bypass instead of @iommu, so that DMA then costs no translation call.
 */
typedef struct PAMULiodnSpace {
    MemoryRegion root;
    IOMMUMemoryRegion iommu;
    MemoryRegion bypass;        /* alias of the downstream memory */
    PAMUState *pamu;
    uint32_t liodn;             /* now; changed under the BQL */
    uint32_t reset_liodn;       /* the machine's, which a reset restores */
    unsigned unit;              /* the unit that serves this initiator */
    char *initiator;            /* QOM path of the initiator, for people */
    PAMUTlb tlb;                /* walks remembered, see pamu-tlb.h */
    /* for people: approximate when several threads translate at once */
    unsigned long cache_hits, walks;
    /* notifiers (pamu-notify.c), under the BQL */
    IOMMUNotifierFlag notifier_flags;
    GArray *mapped;             /* PAMUChunk: what MAP notifiers were told */
    /* guarded by PAMUState.lock */
    PAMULoggedEntry logged[PAMU_LOGGED_ENTRIES];
    unsigned next_logged;
} PAMULiodnSpace;

/*
 * A window onto guest RAM that holds part of a table: CPU and DMA writes
 * there reach the PAMU (pamu-snoop.c), as silicon snoops its tables.
 */
typedef struct PAMUSnoop {
    MemoryRegion mr;
    PAMUState *s;
} PAMUSnoop;

/* Initiators whose LIODN migration can carry changed (the SoC has few) */
#define PAMU_MAX_MOVED_LIODNS   16

/* Each unit's PPAACT and SPAACT, merged where they meet or overlap. */
#define PAMU_MAX_SNOOPS         (2 * PAMU_MAX_UNITS)

struct PAMUState {
    SysBusDevice parent_obj;

    MemoryRegion regs_mr;       /* the units' registers, 4 KiB each */
    MemoryRegion bypass_mr;     /* PAMUBYPENR, placed in GUTS */
    qemu_irq irq;
    QEMUBH *irq_bh;             /* raises the interrupt for other threads */
    AddressSpace memory_as;     /* the downstream memory */
    /*
     * Where translated DMA goes: @memory_as, or the system memory's own
     * address space when that is the downstream memory, since vfio
     * accepts no other target in IOMMU notifications.
     */
    AddressSpace *dma_as;
    /*
     * Tables are read here: the downstream memory with @ram on top, so
     * that reads of the tables bypass the snoop windows.
     */
    MemoryRegion table_root, table_memory, table_ram;
    AddressSpace table_as;
    MemoryListener memory_listener;
    PAMUSnoop snoops[PAMU_MAX_SNOOPS];
    unsigned nr_snoops;         /* the enabled ones come first */
    /*
     * A new generation of a unit's tables starts whenever a walk could
     * give another result; written under the BQL, read in any thread.
     */
    int64_t table_gen[PAMU_MAX_UNITS];
    GHashTable *spaces;         /* LIODN -> PAMULiodnSpace */
    PAMUUnitView *views[PAMU_MAX_UNITS];

    /*
     * @lock guards @units and @bypass: MMIO runs under the BQL but
     * translation may run in any thread.  Never held while table entries
     * are fetched, since a guest may point a table at MMIO.
     */
    QemuMutex lock;
    PAMUUnit units[PAMU_MAX_UNITS];
    uint32_t bypass;            /* PAMUBYPENR */
    uint64_t lost_violations;   /* not recorded: a record was pending */
    uint64_t unit_lost[PAMU_MAX_UNITS];     /* the same, per unit */
    /* migration only: initiators' first and current LIODNs, if moved */
    uint32_t nr_moved;
    uint32_t moved[PAMU_MAX_MOVED_LIODNS][2];

    /* properties */
    uint32_t num_units;
    uint32_t max_liodn;
    uint32_t max_subwindows;
    uint32_t pci_unit;
    MemoryRegion *memory;
    MemoryRegion *ram;          /* guest RAM, where tables can be snooped */
    bool cache;                 /* remember walks (needs @ram) */
    bool check_cache;           /* for tests: walk on every hit and compare */
};

/*
 * Checks, creating nothing, that unit @unit exists and can serve initiator
 * @liodn: the LIODN is within max-liodn and no other unit serves it.  For
 * a machine's pre_plug handler, before the PAMU is realized.
 */
bool pamu_check_initiator(PAMUState *s, unsigned unit, uint32_t liodn,
                          Error **errp);

/*
 * Returns the memory region through which the DMA of @initiator, whose
 * LIODN is @liodn, reaches memory, checked and translated by unit @unit;
 * creates it on first use.  A machine maps it where the initiator's
 * traffic leaves the interconnect, e.g. as the target of a PCI host's
 * inbound windows.
 */
MemoryRegion *pamu_liodn_region(PAMUState *s, unsigned unit, uint32_t liodn,
                                Object *initiator, Error **errp);

/* The LIODN the initiator of @region, from pamu_liodn_region(), has now. */
uint32_t pamu_region_liodn(MemoryRegion *region);

/*
 * Gives the initiator of @region LIODN @to, as firmware or the guest does
 * through the SoC's LIODN registers; refused (an error) if another
 * initiator has it or it is above max-liodn.  A reset gives the initiator
 * its first LIODN back.  Called with the BQL held.
 */
bool pamu_set_region_liodn(PAMUState *s, MemoryRegion *region, uint32_t to,
                           Error **errp);

/* The registers of unit @unit that steer its walks. */
void pamu_unit_walk_regs(PAMUState *s, unsigned unit, PAMUWalkRegs *r);

/* Starts a new generation of @unit's tables: remembered walks are stale. */
void pamu_new_generation(PAMUState *s, unsigned unit);

/* Calls @fn for each region of @liodn's window, under @unit's tables. */
void pamu_regions(PAMUState *s, unsigned unit, uint32_t liodn,
                  PAMURegionFn *fn, void *opaque);

/*
 * IOMMU notifications (pamu-notify.c), under the BQL: after a change of
 * unit @unit's tables or registers, tell each of its LIODNs' notifiers
 * what the change unmapped and mapped.
 */
void pamu_notify_unit(PAMUState *s, unsigned unit);
/* Before unit @unit is bypassed: its LIODNs' notifiers drop everything. */
void pamu_notify_bypass(PAMUState *s, unsigned unit);
int pamu_notify_flag_changed(IOMMUMemoryRegion *iommu, IOMMUNotifierFlag old,
                             IOMMUNotifierFlag new, Error **errp);
void pamu_replay(IOMMUMemoryRegion *iommu, IOMMUNotifier *n);

/*
 * The snoop windows (pamu-snoop.c).  All are called with the BQL held.
 * pamu_snoop_update() follows the table registers and says whether a window
 * moved; the windows only cover table bytes in @ram.
 */
void pamu_snoop_realize(PAMUState *s);
bool pamu_snoop_update(PAMUState *s);
void pamu_snoop_unrealize(PAMUState *s);

/*
 * For the monitor (pamu-monitor.c).  All are called with the BQL held and
 * none has a side effect on the PAMU or the guest.
 */

/* Copies the registers of unit @unit and its count of lost violations. */
void pamu_unit_snapshot(PAMUState *s, unsigned unit, PAMUUnit *regs,
                        bool *bypassed, uint64_t *lost);

/* Reads a table entry as unit @unit's walk would; false if unreadable. */
bool pamu_read_entry(PAMUState *s, unsigned unit, uint64_t addr,
                     uint32_t words[PAMU_PAACE_WORDS]);

/* Emits PAMU_ACCESS_VIOLATION for the AVS1 value @record just latched. */
void pamu_send_violation_event(unsigned unit, uint32_t liodn, uint64_t addr,
                               PAMUAccess access, uint32_t record);

/* Walks the tables of unit @unit for an access, latching nothing. */
void pamu_probe(PAMUState *s, unsigned unit, uint32_t liodn, uint64_t addr,
                PAMUAccess access, PAMUWalkResult *res);

#endif
