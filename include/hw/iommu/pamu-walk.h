/*
 * Freescale/NXP PAMU: the access check and translation of one DMA access
 *
 * Free of QOM and MMIO glue so that it can be unit tested on its own: the
 * caller passes a snapshot of the unit's registers and a function that
 * fetches table words from memory, and gets back either a translation or
 * the AVS1 violation fields to latch.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_IOMMU_PAMU_WALK_H
#define HW_IOMMU_PAMU_WALK_H

/* The register state of one unit that steers a walk. */
typedef struct PAMUWalkRegs {
    bool bypass;                /* the unit's PAMUBYPENR bit is set */
    uint32_t pc;                /* PC: gate, enable */
    uint64_t ppba, ppla;        /* PPAACT base and exclusive end */
    uint64_t spba, spla;        /* SPAACT base and exclusive end */
    unsigned max_subwin_log2;   /* log2 of the subwindow limit (PC3) */
} PAMUWalkRegs;

/*
 * Reads @n big-endian 32-bit words at @addr into @words in host order.
 * Returns false if the memory could not be read.
 */
typedef bool PAMUFetchFn(void *opaque, uint64_t addr, uint32_t *words,
                         unsigned n);

/* What the access wants; the values match the PAACE AP bits. */
typedef enum PAMUAccess {
    PAMU_ACCESS_QUERY = 0,      /* no access: report what is allowed */
    PAMU_ACCESS_READ = 1,
    PAMU_ACCESS_WRITE = 2,
} PAMUAccess;

typedef enum PAMUWalkStatus {
    PAMU_WALK_BYPASS,           /* unit bypassed: the address passes as is */
    PAMU_WALK_OK,               /* checked and translated */
    PAMU_WALK_VIOLATION,        /* blocked: see PAMUWalkResult.avs1 */
} PAMUWalkStatus;

/* Guest programming the walk met, for the caller to log. */
#define PAMU_WARN_FETCH         (1u << 0)   /* table entry unreadable */
#define PAMU_WARN_WBA_ALIGN     (1u << 1)   /* window base not size aligned */
#define PAMU_WARN_SUBWIN_COUNT  (1u << 2)   /* WCE above the PC3 limit */
#define PAMU_WARN_SUBWIN_SIZE   (1u << 3)   /* subwindow below 4 KiB */
#define PAMU_WARN_SWSE          (1u << 4)   /* mapped size below 4 KiB */
#define PAMU_WARN_SPAACE        (1u << 5)   /* SPAACE index out of the SPAACT */
#define PAMU_UNIMP_ATM          (1u << 6)   /* ATM 2/3: page translation */
#define PAMU_UNIMP_DD           (1u << 7)   /* DD = 1: I/O destination */

typedef struct PAMUWalkResult {
    PAMUWalkStatus status;
    uint32_t avs1;              /* VIOLATION: the AVS1 violation fields */
    uint32_t flags;             /* PAMU_WARN_ and PAMU_UNIMP_ bits */
    int subwindow;              /* subwindow used, -1 without subwindows */
    uint64_t entry_addr;        /* address of the governing PAACE/SPAACE */
    /*
     * BYPASS and OK: [iova, iova + 2^size_log2) translates linearly to
     * xlat; the block is naturally aligned on both sides and never leaves
     * the (sub)window that was checked.
     */
    uint64_t iova;
    uint64_t xlat;
    unsigned size_log2;
    unsigned perm;              /* PAMU_ACCESS_ bits allowed in the block */
} PAMUWalkResult;

/*
 * Checks and translates an access by @liodn at @addr, in the order
 * docs/system/ppc/pamu.rst gives; the first failing check decides.
 */
void pamu_walk(const PAMUWalkRegs *regs, PAMUFetchFn *fetch, void *opaque,
               uint32_t liodn, uint64_t addr, PAMUAccess access,
               PAMUWalkResult *res);

/* The violation classes of AVS1, in the order the walk checks them. */
/*
 * A part of a LIODN's window that accesses can use: [iova, iova +
 * 2^size_log2) goes linearly to xlat, with the PAMU_ACCESS_ bits in perm.
 * size_log2 is 64 for the whole address space.
 */
typedef struct PAMURegion {
    uint64_t iova;
    uint64_t xlat;
    unsigned size_log2;
    unsigned perm;
    int subwindow;              /* -1 without subwindows */
} PAMURegion;

typedef void PAMURegionFn(void *opaque, const PAMURegion *r);

/*
 * Calls @fn, in ascending order of IOVA, for every region where a walk for
 * @liodn would translate rather than block, permissions aside: what IOMMU
 * notifications mirror.  Regions whose translation would pass 2^64, and
 * page translation (ATM 2/3), are left out, as the walk blocks them.
 */
void pamu_walk_regions(const PAMUWalkRegs *regs, PAMUFetchFn *fetch,
                       void *opaque, uint32_t liodn, PAMURegionFn *fn,
                       void *fn_opaque);

typedef enum PAMUAvs1Class {
    PAMU_CLASS_NONE,        /* no class bit set */
    PAMU_CLASS_GATE_CLOSED, /* GCV */
    PAMU_CLASS_DISABLED,    /* PDV */
    PAMU_CLASS_LIODN,       /* LAV */
    PAMU_CLASS_WINDOW,      /* WAV */
    PAMU_CLASS_PERMISSION,  /* APV */
    PAMU_CLASS_OPERATION,   /* OTV: operation translation, not modelled */
} PAMUAvs1Class;

/*
 * Decodes the violation fields of @avs1: returns the class and sets
 * *@sub_code to the value of its field (1 for the one-bit classes).
 */
PAMUAvs1Class pamu_avs1_class(uint32_t avs1, unsigned *sub_code);

/* What the sub-code of @avs1 means, in words (docs/system/ppc/pamu.rst). */
const char *pamu_avs1_reason(uint32_t avs1);

#endif
