/*
 * Freescale/NXP PAMU (Peripheral Access Management Unit)
 *
 * Models the register file of 1 to 16 PAMU units, GUTS PAMUBYPENR, and
 * the check and translation of each DMA access against the PAACT tables
 * in guest memory (hw/iommu/pamu-walk.c).  Choices where the hardware
 * sources are silent are listed in docs/system/ppc/pamu.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/bswap.h"
#include "qemu/units.h"
#include "exec/address-spaces.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "hw/iommu/pamu.h"
#include "hw/iommu/pamu-walk.h"
#include "migration/vmstate.h"
#include "trace.h"

/* The model's identification: any constant non-zero version will do. */
#define PAMU_VERSION            0x0001

/* How software may change each stored register. */
typedef struct PAMURegInfo {
    const char *name;
    uint32_t wmask;             /* bits written as given */
    uint32_t w1c;               /* bits cleared by writing 1 */
} PAMURegInfo;

#define RW(reg)             [PAMU_SLOT(A_##reg)] = { #reg, UINT32_MAX, 0 }
#define RO(reg)             [PAMU_SLOT(A_##reg)] = { #reg, 0, 0 }
#define REG(reg, wm, w1)    [PAMU_SLOT(A_##reg)] = { #reg, wm, w1 }

static const PAMURegInfo pamu_regs[PAMU_NR_SLOTS] = {
    RW(PPBAH), RW(PPBAL), RW(PPLAH), RW(PPLAL),
    RW(SPBAH), RW(SPBAL), RW(SPLAH), RW(SPLAL),
    RW(OBAH), RW(OBAL), RW(OLAH), RW(OLAL),
    REG(POES1, UINT32_MAX & ~R_POES1_POED_MASK, R_POES1_POED_MASK),
    RW(POES2), RW(POEAH), RW(POEAL),
    /* the violation record is latched by the hardware */
    REG(AVS1, 0, PAMU_AVS1_W1C),
    RO(AVS2), RO(AVAH), RO(AVAL),
    RW(EECTL), RW(EEDIS), RW(EEINTEN), REG(EEDET, 0, UINT32_MAX),
    RW(EEATTR), RW(EEAHI), RW(EEALO), RW(EEDHI), RW(EEDLO), RW(EECC),
    RO(UDAD),
    REG(PC, R_PC_PGC_MASK | R_PC_PE_MASK | R_PC_OCE_MASK | R_PC_SPCC_MASK |
            R_PC_PPCC_MASK, 0),
    RW(PFA1), RW(PFA2),
    REG(PICS, R_PICS_AVIE_MASK | R_PICS_POEIE_MASK,
              R_PICS_AVICS_MASK | R_PICS_POEICS_MASK),
};

/* Called with s->lock held. */
static bool pamu_irq_level(PAMUState *s)
{
    unsigned i;

    for (i = 0; i < s->num_units; i++) {
        uint32_t pics = PAMU_UREG(&s->units[i], PICS);

        if ((FIELD_EX32(pics, PICS, AVICS) && FIELD_EX32(pics, PICS, AVIE)) ||
            (FIELD_EX32(pics, PICS, POEICS) &&
             FIELD_EX32(pics, PICS, POEIE))) {
            return true;
        }
    }
    return false;
}

/* The interrupt is level triggered; the caller holds the BQL. */
static void pamu_update_irq(PAMUState *s)
{
    bool level;

    qemu_mutex_lock(&s->lock);
    level = pamu_irq_level(s);
    qemu_mutex_unlock(&s->lock);
    trace_pamu_irq(level);
    qemu_set_irq(s->irq, level);
}

static unsigned pamu_mwce(PAMUState *s)
{
    return ctz32(s->max_subwindows) - 1;
}

/* Called with s->lock held. */
static void pamu_walk_regs(PAMUState *s, unsigned unit, PAMUWalkRegs *r)
{
    PAMUUnit *u = &s->units[unit];

    r->bypass = s->bypass & PAMU_BYPASS_BIT(unit);
    r->pc = PAMU_UREG(u, PC);
    r->ppba = PAMU_UREG64(u, PPBA);
    r->ppla = PAMU_UREG64(u, PPLA);
    r->spba = PAMU_UREG64(u, SPBA);
    r->spla = PAMU_UREG64(u, SPLA);
    r->max_subwin_log2 = pamu_mwce(s) + 1;
}

void pamu_unit_walk_regs(PAMUState *s, unsigned unit, PAMUWalkRegs *r)
{
    qemu_mutex_lock(&s->lock);
    pamu_walk_regs(s, unit, r);
    qemu_mutex_unlock(&s->lock);
}

/*
 * Called with the BQL held, after the change is visible: a walk that
 * reads the new generation also reads the changed memory or registers.
 */
void pamu_new_generation(PAMUState *s, unsigned unit)
{
    int64_t gen = qatomic_read_i64(&s->table_gen[unit]);

    /* the change before the new generation; pairs with pamu_generation() */
    smp_mb();
    qatomic_set_i64(&s->table_gen[unit], gen + 1);
}

/* The current generation of @unit's tables; 0 if walks are not cached. */
static uint64_t pamu_generation(PAMUState *s, unsigned unit)
{
    uint64_t gen;

    if (!s->cache) {
        return 0;
    }
    gen = qatomic_read_i64(&s->table_gen[unit]);
    /* the tables and registers as of @gen or later; see above */
    smp_mb_acquire();
    return gen;
}

/* Largest table the model maps directly; bigger ones are still read. */
#define PAMU_MAX_MAPPED_TABLE   (64 * MiB)

/*
 * Maps the RAM at the start of [@base, @limit) of the downstream memory;
 * returns the bytes mapped.
 */
static hwaddr pamu_map_table(PAMUState *s, MemoryRegionCache *cache,
                             uint64_t base, uint64_t limit)
{
    int64_t len;

    if (limit <= base || limit - base > PAMU_MAX_MAPPED_TABLE) {
        return 0;
    }
    len = address_space_cache_init(cache, &s->table_as, base, limit - base,
                                   false);
    if (len > 0 && !cache->ptr) {
        /* MMIO: pamu_read_ram() refuses it entry by entry */
        address_space_cache_destroy(cache);
        return 0;
    }
    return len > 0 ? len : 0;
}

static void pamu_free_view(PAMUUnitView *v)
{
    address_space_cache_destroy(&v->ppaact);
    address_space_cache_destroy(&v->spaact);
    g_free(v);
}

/* Called with the BQL held. */
static void pamu_update_view(PAMUState *s, unsigned unit)
{
    PAMUUnitView *v = g_new0(PAMUUnitView, 1);
    PAMUUnitView *old = s->views[unit];

    address_space_cache_init_empty(&v->ppaact);
    address_space_cache_init_empty(&v->spaact);
    qemu_mutex_lock(&s->lock);
    pamu_walk_regs(s, unit, &v->regs);
    qemu_mutex_unlock(&s->lock);
    v->ppaact_len = pamu_map_table(s, &v->ppaact, v->regs.ppba, v->regs.ppla);
    v->spaact_len = pamu_map_table(s, &v->spaact, v->regs.spba, v->regs.spla);
    /* before and after: see pamu_check_hit() */
    pamu_new_generation(s, unit);
    qatomic_rcu_set(&s->views[unit], v);
    if (old) {
        call_rcu(old, pamu_free_view, rcu);
    }
    pamu_new_generation(s, unit);
}

static void pamu_notify_units(PAMUState *s)
{
    unsigned i;

    for (i = 0; i < s->num_units; i++) {
        pamu_notify_unit(s, i);
    }
}

static void pamu_update_views(PAMUState *s)
{
    unsigned i;

    for (i = 0; i < s->num_units; i++) {
        pamu_update_view(s, i);
    }
}

/* Table mappings follow the memory map. */
static void pamu_memory_commit(MemoryListener *listener)
{
    pamu_update_views(container_of(listener, PAMUState, memory_listener));
}

/*
 * Shows each LIODN the downstream memory or the IOMMU region, after its
 * unit's PAMUBYPENR bit.  Called with the BQL held, never from the memory
 * listener: this changes the memory map itself.
 */
static void pamu_switch_spaces(PAMUState *s)
{
    GHashTableIter iter;
    PAMULiodnSpace *sp;
    uint32_t bypass;

    qemu_mutex_lock(&s->lock);
    bypass = s->bypass;
    qemu_mutex_unlock(&s->lock);

    memory_region_transaction_begin();
    g_hash_table_iter_init(&iter, s->spaces);
    while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&sp)) {
        bool on = bypass & PAMU_BYPASS_BIT(sp->unit);

        memory_region_set_enabled(&sp->bypass, on);
        memory_region_set_enabled(MEMORY_REGION(&sp->iommu), !on);
    }
    memory_region_transaction_commit();
}

/* The read-only identification and capability registers. */
static bool pamu_read_id(PAMUState *s, hwaddr offset, uint32_t *value)
{
    switch (offset) {
    case A_PR1:
        *value = FIELD_DP32(0, PR1, VERSION, PAMU_VERSION);
        return true;
    case A_PC2:
        *value = FIELD_DP32(0, PC2, MLIODN, s->max_liodn);
        return true;
    case A_PC3:
        *value = FIELD_DP32(0, PC3, MWCE, pamu_mwce(s));
        return true;
    case A_PR2:
    case A_PC1:
    case A_PC4:
        *value = 0;
        return true;
    }
    return false;
}

/* The stored register at @offset, or NULL if there is none. */
static const PAMURegInfo *pamu_reg_info(hwaddr offset)
{
    bool stored = offset < A_PC ? offset <= A_UDAD : offset <= A_PICS;

    if ((offset & 3) || !stored || !pamu_regs[PAMU_SLOT(offset)].name) {
        return NULL;
    }
    return &pamu_regs[PAMU_SLOT(offset)];
}

static uint64_t pamu_regs_read(void *opaque, hwaddr addr, unsigned size)
{
    PAMUState *s = opaque;
    unsigned unit = addr / PAMU_UNIT_SIZE;
    hwaddr offset = addr % PAMU_UNIT_SIZE;
    const PAMURegInfo *info = pamu_reg_info(offset);
    uint32_t value = 0;

    if (info) {
        qemu_mutex_lock(&s->lock);
        value = s->units[unit].regs[PAMU_SLOT(offset)];
        qemu_mutex_unlock(&s->lock);
        trace_pamu_reg_read(unit, info->name, offset, value);
    } else if (pamu_read_id(s, offset, &value)) {
        trace_pamu_reg_read(unit, "ID", offset, value);
    } else if (offset >= A_PD1 && offset <= A_PD4) {
        qemu_log_mask(LOG_UNIMP, "pamu: unit %u: debug register 0x%03"
                      HWADDR_PRIx " is not modelled\n", unit, offset);
    } else {
        qemu_log_mask(LOG_GUEST_ERROR, "pamu: unit %u: read of unknown "
                      "register 0x%03" HWADDR_PRIx "\n", unit, offset);
    }
    return value;
}

static void pamu_regs_write(void *opaque, hwaddr addr, uint64_t data,
                            unsigned size)
{
    PAMUState *s = opaque;
    unsigned unit = addr / PAMU_UNIT_SIZE;
    hwaddr offset = addr % PAMU_UNIT_SIZE;
    const PAMURegInfo *info = pamu_reg_info(offset);
    uint32_t *reg, value = data;

    if (!info) {
        uint32_t dummy;

        if (offset >= A_PD1 && offset <= A_PD4) {
            qemu_log_mask(LOG_UNIMP, "pamu: unit %u: debug register 0x%03"
                          HWADDR_PRIx " is not modelled\n", unit, offset);
        } else {
            qemu_log_mask(LOG_GUEST_ERROR, "pamu: unit %u: write 0x%08x to "
                          "%s register 0x%03" HWADDR_PRIx "\n", unit, value,
                          pamu_read_id(s, offset, &dummy) ? "read-only" :
                          "unknown", offset);
        }
        return;
    }
    trace_pamu_reg_write(unit, info->name, offset, value);
    if (value & ~(info->wmask | info->w1c)) {
        qemu_log_mask(LOG_GUEST_ERROR, "pamu: unit %u: %s: write 0x%08x sets "
                      "read-only bits\n", unit, info->name, value);
    }

    qemu_mutex_lock(&s->lock);
    reg = &s->units[unit].regs[PAMU_SLOT(offset)];
    *reg = (*reg & ~info->wmask) | (value & info->wmask);
    *reg &= ~(value & info->w1c);
    qemu_mutex_unlock(&s->lock);

    switch (offset) {
    case A_PPBAH ... A_SPLAL:
        pamu_update_view(s, unit);
        if (pamu_snoop_update(s)) {
            /* the snoop windows cut every unit's RAM for notifiers */
            pamu_notify_units(s);
        } else {
            pamu_notify_unit(s, unit);
        }
        break;
    case A_PC:
        pamu_update_view(s, unit);
        pamu_notify_unit(s, unit);
        break;
    case A_PICS:
        pamu_update_irq(s);
        break;
    case A_EEINTEN:
    case A_EECC:
        if (value) {
            qemu_log_mask(LOG_UNIMP, "pamu: unit %u: %s: ECC errors and "
                          "their injection are not modelled; none will be "
                          "reported\n", unit, info->name);
        }
        break;
    }
}

static const MemoryRegionOps pamu_regs_ops = {
    .read = pamu_regs_read,
    .write = pamu_regs_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

/* PAMUBYPENR: one bit per existing unit, the others read as zero. */
static uint32_t pamu_bypass_mask(PAMUState *s)
{
    return ~0u << (32 - s->num_units);
}

static uint64_t pamu_bypass_read(void *opaque, hwaddr addr, unsigned size)
{
    PAMUState *s = opaque;
    uint32_t value;

    qemu_mutex_lock(&s->lock);
    value = s->bypass;
    qemu_mutex_unlock(&s->lock);
    return value;
}

static void pamu_bypass_write(void *opaque, hwaddr addr, uint64_t data,
                              unsigned size)
{
    PAMUState *s = opaque;
    uint32_t newly;
    unsigned unit;

    trace_pamu_bypass_write(data);
    qemu_mutex_lock(&s->lock);
    newly = data & pamu_bypass_mask(s) & ~s->bypass;
    s->bypass = data & pamu_bypass_mask(s);
    qemu_mutex_unlock(&s->lock);
    for (unit = 0; unit < s->num_units; unit++) {
        if (newly & PAMU_BYPASS_BIT(unit)) {
            pamu_notify_bypass(s, unit);
        }
    }
    pamu_update_views(s);
    pamu_switch_spaces(s);
}

static const MemoryRegionOps pamu_bypass_ops = {
    .read = pamu_bypass_read,
    .write = pamu_bypass_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

typedef struct PAMUFetchCtx {
    PAMUState *s;
    PAMUUnitView *v;
} PAMUFetchCtx;

/* Whether [@addr, @addr + @len) lies in the mapped part of a table. */
static bool in_table(uint64_t addr, unsigned len, uint64_t base,
                     hwaddr mapped)
{
    return addr >= base && addr - base < mapped &&
           mapped - (addr - base) >= len;
}

/*
 * Reads table words from RAM only.  Silicon reads its tables from memory;
 * a table the guest points at MMIO or at nothing counts as unreadable,
 * which also keeps device callbacks, and the BQL they take, off the
 * translation path.
 */
static MemTxResult pamu_read_ram(AddressSpace *as, uint64_t addr, void *buf,
                                 unsigned len)
{
    hwaddr xlat, l = len;
    MemoryRegion *mr;

    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(as, addr, &xlat, &l, false,
                                 MEMTXATTRS_UNSPECIFIED);
    if (l < len || !memory_access_is_direct(mr, false,
                                            MEMTXATTRS_UNSPECIFIED)) {
        return MEMTX_DECODE_ERROR;
    }
    memcpy(buf, (uint8_t *)memory_region_get_ram_ptr(mr) + xlat, len);
    return MEMTX_OK;
}

static bool pamu_fetch(void *opaque, uint64_t addr, uint32_t *words,
                       unsigned n)
{
    PAMUFetchCtx *ctx = opaque;
    PAMUUnitView *v = ctx->v;
    MemTxResult r;
    unsigned i;

    if (in_table(addr, n * 4, v->regs.ppba, v->ppaact_len)) {
        r = address_space_read_cached(&v->ppaact, addr - v->regs.ppba,
                                      words, n * 4);
    } else if (in_table(addr, n * 4, v->regs.spba, v->spaact_len)) {
        r = address_space_read_cached(&v->spaact, addr - v->regs.spba,
                                      words, n * 4);
    } else {
        r = pamu_read_ram(&ctx->s->table_as, addr, words, n * 4);
    }
    if (r != MEMTX_OK) {
        return false;
    }
    for (i = 0; i < n; i++) {
        words[i] = be32_to_cpu(words[i]);
    }
    return true;
}

/*
 * Whether the entry behind @res shows a problem not logged yet for @sp:
 * a guest that leaves such an entry in place must not flood the log with
 * one message per DMA access.
 */
static bool pamu_entry_news(PAMUFetchCtx *ctx, PAMULiodnSpace *sp,
                            const PAMUWalkResult *res)
{
    PAMULoggedEntry e = { .addr = res->entry_addr, .flags = res->flags };
    PAMUState *s = ctx->s;
    bool news = true;
    unsigned i;

    /* an unreadable entry is known by its address and flags alone */
    if (!(res->flags & PAMU_WARN_FETCH) &&
        !pamu_fetch(ctx, e.addr, e.words, PAMU_PAACE_WORDS)) {
        memset(e.words, 0, sizeof(e.words));
    }
    qemu_mutex_lock(&s->lock);
    for (i = 0; i < PAMU_LOGGED_ENTRIES && news; i++) {
        news = memcmp(&sp->logged[i], &e, sizeof(e)) != 0;
    }
    if (news) {
        sp->logged[sp->next_logged] = e;
        sp->next_logged = (sp->next_logged + 1) % PAMU_LOGGED_ENTRIES;
    }
    qemu_mutex_unlock(&s->lock);
    return news;
}

static void pamu_log_walk(uint32_t liodn, uint64_t addr,
                          const PAMUWalkResult *res)
{
    static const struct {
        uint32_t flag;
        int mask;
        const char *what;
    } msgs[] = {
        { PAMU_WARN_FETCH, LOG_GUEST_ERROR,
          "table entry is not in RAM: unreadable" },
        { PAMU_WARN_WBA_ALIGN, LOG_GUEST_ERROR,
          "window base is not aligned to the window size" },
        { PAMU_WARN_SUBWIN_COUNT, LOG_GUEST_ERROR,
          "more subwindows than PC3 allows" },
        { PAMU_WARN_SUBWIN_SIZE, LOG_GUEST_ERROR,
          "subwindows are smaller than 4 KiB" },
        { PAMU_WARN_SWSE, LOG_GUEST_ERROR,
          "subwindow maps less than 4 KiB" },
        { PAMU_WARN_SPAACE, LOG_GUEST_ERROR,
          "SPAACE index is beyond the SPAACT limit" },
        { PAMU_UNIMP_ATM, LOG_UNIMP,
          "page translation (ATM 2/3) is not modelled: access blocked" },
        { PAMU_UNIMP_DD, LOG_UNIMP,
          "I/O destination (DD = 1) is not modelled: treated as DD = 0" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(msgs); i++) {
        if (res->flags & msgs[i].flag) {
            qemu_log_mask(msgs[i].mask, "pamu: LIODN %u, address 0x%" PRIx64
                          ", entry at 0x%" PRIx64 ": %s\n", liodn, addr,
                          res->entry_addr, msgs[i].what);
        }
    }
}

static const char *pamu_access_name(PAMUAccess access)
{
    return access == PAMU_ACCESS_WRITE ? "write" :
           access == PAMU_ACCESS_READ ? "read" : "query";
}

/*
 * Latches the first violation into the unit's AVS1/AVS2/AVA registers;
 * later ones are blocked too but only counted until software clears AV.
 */
static void pamu_record_violation(PAMUState *s, unsigned unit,
                                  uint32_t liodn, uint64_t addr,
                                  uint32_t avs1, PAMUAccess access)
{
    PAMUUnit *u = &s->units[unit];
    const char *what = pamu_access_name(access);
    uint32_t record = 0;
    uint64_t lost = 0;

    qemu_mutex_lock(&s->lock);
    if (!FIELD_EX32(PAMU_UREG(u, AVS1), AVS1, AV)) {
        record = FIELD_DP32(avs1, AVS1, AV, 1);
        record = FIELD_DP32(record, AVS1, LIODN, liodn);
        PAMU_UREG(u, AVS1) = record;
        PAMU_UREG(u, AVS2) = 0;
        PAMU_UREG(u, AVAH) = addr >> 32;
        PAMU_UREG(u, AVAL) = addr;
        PAMU_UREG(u, PICS) = FIELD_DP32(PAMU_UREG(u, PICS), PICS, AVICS, 1);
    } else {
        s->lost_violations++;
        lost = ++s->unit_lost[unit];
    }
    qemu_mutex_unlock(&s->lock);

    if (lost) {
        trace_pamu_violation_lost(unit, liodn, addr, what, avs1, lost);
        return;
    }
    trace_pamu_violation(unit, liodn, addr, what, avs1);
    pamu_send_violation_event(unit, liodn, addr, access, record);
    /*
     * DMA may come from a thread without the BQL, such as an iothread,
     * which must not wait for the BQL here: the BQL holder may be waiting
     * for that very thread to finish its request (a drain).  The bottom
     * half raises the interrupt from the main loop instead.
     */
    if (bql_locked()) {
        pamu_update_irq(s);
    } else {
        trace_pamu_irq_deferred(unit);
        qemu_bh_schedule(s->irq_bh);
    }
}

static void pamu_irq_bh(void *opaque)
{
    pamu_update_irq(opaque);
}

static bool pamu_same_result(const PAMUWalkResult *a,
                             const PAMUWalkResult *b)
{
    return a->status == b->status && a->iova == b->iova &&
           a->xlat == b->xlat && a->size_log2 == b->size_log2 &&
           a->perm == b->perm && a->subwindow == b->subwindow;
}

/*
 * x-check-cache: walks again for a remembered translation and stops QEMU
 * if they differ, unless the tables changed meanwhile.  Every change
 * starts a generation both before and after it becomes visible, so a walk
 * that saw any part of a change also sees a newer generation.
 */
static void pamu_check_hit(PAMULiodnSpace *sp, uint64_t gen, uint64_t addr,
                           PAMUAccess access, const PAMUTlbEntry *entry)
{
    PAMUFetchCtx ctx = { .s = sp->pamu };
    PAMUWalkResult ref, hit;

    /* the view is alive as in pamu_access() */
    ctx.v = qatomic_rcu_read(&sp->pamu->views[sp->unit]);
    pamu_tlb_entry_result(entry, &hit);
    pamu_walk(&ctx.v->regs, pamu_fetch, &ctx, qatomic_read(&sp->liodn), addr,
              access, &ref);
    /* what the walk read before the generation it is compared at */
    smp_rmb();
    if (pamu_generation(sp->pamu, sp->unit) != gen ||
        pamu_same_result(&ref, &hit)) {
        return;
    }
    error_report("pamu: LIODN %u 0x%" PRIx64 ": remembered translation "
                 "(status %d, 0x%" PRIx64 "/2^%u -> 0x%" PRIx64 ", perm %u, "
                 "subwindow %d) differs from the walk (status %d, 0x%"
                 PRIx64 "/2^%u -> 0x%" PRIx64 ", perm %u, subwindow %d)",
                 sp->liodn, addr, hit.status, hit.iova, hit.size_log2,
                 hit.xlat, hit.perm, hit.subwindow, ref.status, ref.iova,
                 ref.size_log2, ref.xlat, ref.perm, ref.subwindow);
    abort();
}

/*
 * What the unit does with one access of @sp that no remembered walk
 * serves: a walk, remembered if it passed.  False for a violation, which
 * is recorded.
 */
static bool pamu_access(PAMULiodnSpace *sp, uint64_t addr,
                        PAMUAccess access, PAMUWalkResult *res)
{
    PAMUState *s = sp->pamu;
    uint64_t gen = pamu_generation(s, sp->unit);
    PAMUFetchCtx ctx = { .s = s };
    uint32_t liodn;

    /*
     * Callers hold the BQL or are in an RCU critical section (see
     * IOMMUMemoryRegionClass::translate); either keeps the view alive, as
     * RCU callbacks run under the BQL.
     */
    ctx.v = qatomic_rcu_read(&s->views[sp->unit]);
    qatomic_set(&sp->walks, qatomic_read(&sp->walks) + 1);
    /* the LIODN registers may change it meanwhile (under the BQL) */
    liodn = qatomic_read(&sp->liodn);
    pamu_walk(&ctx.v->regs, pamu_fetch, &ctx, liodn, addr, access, res);
    if (res->flags && pamu_entry_news(&ctx, sp, res)) {
        pamu_log_walk(liodn, addr, res);
    }
    if (res->status == PAMU_WALK_VIOLATION) {
        if (access != PAMU_ACCESS_QUERY) {
            pamu_record_violation(s, sp->unit, liodn, addr, res->avs1,
                                  access);
        }
        return false;
    }
    pamu_tlb_insert(&sp->tlb, gen, res);
    return true;
}

static uint64_t pamu_block_mask(unsigned size_log2)
{
    return size_log2 >= 64 ? UINT64_MAX : (1ULL << size_log2) - 1;
}

/* The IOMMUTLBEntry of a block that [iova, iova + 2^size_log2) maps. */
static IOMMUTLBEntry pamu_iotlb_entry(PAMULiodnSpace *sp, uint64_t iova,
                                      uint64_t xlat, unsigned size_log2,
                                      unsigned perm)
{
    return (IOMMUTLBEntry) {
        .target_as = sp->pamu->dma_as,
        .iova = iova,
        .translated_addr = xlat,
        .addr_mask = pamu_block_mask(size_log2),
        .perm = IOMMU_ACCESS_FLAG(perm & PAMU_ACCESS_READ,
                                  perm & PAMU_ACCESS_WRITE),
    };
}

static IOMMUTLBEntry pamu_translate_walk(PAMULiodnSpace *sp, hwaddr addr,
                                         PAMUAccess access)
{
    PAMUWalkResult res;

    if (!pamu_access(sp, addr, access, &res)) {
        /* a violation: the PAMU grants nothing in this 4 KiB page */
        return pamu_iotlb_entry(sp, addr & ~(uint64_t)(PAMU_UNIT_SIZE - 1),
                                addr & ~(uint64_t)(PAMU_UNIT_SIZE - 1),
                                ctz32(PAMU_UNIT_SIZE), 0);
    }
    trace_pamu_translate(sp->liodn, addr, pamu_access_name(access),
                         res.status == PAMU_WALK_BYPASS,
                         res.xlat + (addr - res.iova),
                         pamu_block_mask(res.size_log2), res.subwindow);
    return pamu_iotlb_entry(sp, res.iova, res.xlat, res.size_log2, res.perm);
}

static IOMMUTLBEntry pamu_translate(IOMMUMemoryRegion *iommu, hwaddr addr,
                                    IOMMUAccessFlags flag, int iommu_idx)
{
    PAMULiodnSpace *sp = container_of(iommu, PAMULiodnSpace, iommu);
    PAMUState *s = sp->pamu;
    PAMUAccess access = flag == IOMMU_WO ? PAMU_ACCESS_WRITE :
                        flag == IOMMU_RO ? PAMU_ACCESS_READ :
                        PAMU_ACCESS_QUERY;
    uint64_t gen = pamu_generation(s, sp->unit);
    PAMUTlbEntry hit;

    /* a hit is kept apart from the walk so that it stays in registers */
    if (!gen || !pamu_tlb_find(&sp->tlb, gen, addr, access, &hit)) {
        return pamu_translate_walk(sp, addr, access);
    }
    qatomic_set(&sp->cache_hits, qatomic_read(&sp->cache_hits) + 1);
    if (unlikely(s->check_cache)) {
        pamu_check_hit(sp, gen, addr, access, &hit);
    }
    trace_pamu_translate(sp->liodn, addr, pamu_access_name(access),
                         hit.bypass, hit.xlat + (addr - hit.iova),
                         pamu_block_mask(hit.size_log2), hit.subwindow);
    return pamu_iotlb_entry(sp, hit.iova, hit.xlat, hit.size_log2, hit.perm);
}

void pamu_regions(PAMUState *s, unsigned unit, uint32_t liodn,
                  PAMURegionFn *fn, void *opaque)
{
    PAMUFetchCtx ctx = { .s = s };

    RCU_READ_LOCK_GUARD();
    ctx.v = qatomic_rcu_read(&s->views[unit]);
    pamu_walk_regions(&ctx.v->regs, pamu_fetch, &ctx, liodn, fn, opaque);
}

bool pamu_check_initiator(PAMUState *s, unsigned unit, uint32_t liodn,
                          Error **errp)
{
    ERRP_GUARD();
    PAMULiodnSpace *sp;

    if (unit >= s->num_units) {
        error_setg(errp, "pamu: unit %u does not exist (num-units=%u)", unit,
                   s->num_units);
        return false;
    }
    if (liodn > s->max_liodn) {
        error_setg(errp, "pamu: LIODN %u is above max-liodn=%u", liodn,
                   s->max_liodn);
        error_append_hint(errp, "Raise the pamu's max-liodn property or "
                          "give the initiator a smaller LIODN.\n");
        return false;
    }
    sp = g_hash_table_lookup(s->spaces, GUINT_TO_POINTER(liodn));
    if (sp && sp->unit != unit) {
        error_setg(errp, "pamu: LIODN %u is already served by unit %u",
                   liodn, sp->unit);
        return false;
    }
    return true;
}

MemoryRegion *pamu_liodn_region(PAMUState *s, unsigned unit, uint32_t liodn,
                                Object *initiator, Error **errp)
{
    PAMULiodnSpace *sp;
    g_autofree char *name = NULL, *iommu_name = NULL, *bypass_name = NULL;

    if (!pamu_check_initiator(s, unit, liodn, errp)) {
        return NULL;
    }
    sp = g_hash_table_lookup(s->spaces, GUINT_TO_POINTER(liodn));
    if (sp) {
        return &sp->root;
    }

    sp = g_new0(PAMULiodnSpace, 1);
    sp->pamu = s;
    sp->liodn = liodn;
    sp->reset_liodn = liodn;
    sp->unit = unit;
    sp->initiator = object_get_canonical_path(initiator);
    pamu_tlb_init(&sp->tlb);
    name = g_strdup_printf("pamu-liodn-%u", liodn);
    iommu_name = g_strdup_printf("%s-iommu", name);
    bypass_name = g_strdup_printf("%s-bypass", name);
    memory_region_init(&sp->root, OBJECT(s), name, UINT64_MAX);
    memory_region_init_iommu(&sp->iommu, sizeof(sp->iommu),
                             TYPE_PAMU_IOMMU_MEMORY_REGION, OBJECT(s),
                             iommu_name, UINT64_MAX);
    memory_region_init_alias(&sp->bypass, OBJECT(s), bypass_name,
                             s->memory, 0, memory_region_size(s->memory));
    memory_region_add_subregion(&sp->root, 0, MEMORY_REGION(&sp->iommu));
    memory_region_add_subregion(&sp->root, 0, &sp->bypass);
    g_hash_table_insert(s->spaces, GUINT_TO_POINTER(liodn), sp);
    trace_pamu_liodn_space(liodn, unit);
    pamu_switch_spaces(s);
    return &sp->root;
}

uint32_t pamu_region_liodn(MemoryRegion *region)
{
    PAMULiodnSpace *sp = container_of(region, PAMULiodnSpace, root);

    return sp->liodn;
}

/* Moves @sp to LIODN @to, which no other space has. */
static void pamu_move_space(PAMUState *s, PAMULiodnSpace *sp, uint32_t to)
{
    uint32_t from = sp->liodn;

    /* before and after: see pamu_check_hit() */
    pamu_new_generation(s, sp->unit);
    g_hash_table_steal(s->spaces, GUINT_TO_POINTER(from));
    qatomic_set(&sp->liodn, to);
    g_hash_table_insert(s->spaces, GUINT_TO_POINTER(to), sp);
    qemu_mutex_lock(&s->lock);
    memset(sp->logged, 0, sizeof(sp->logged));
    qemu_mutex_unlock(&s->lock);
    pamu_tlb_flush(&sp->tlb);
    pamu_new_generation(s, sp->unit);
    trace_pamu_liodn_move(from, to);
    pamu_notify_unit(s, sp->unit);
}

bool pamu_set_region_liodn(PAMUState *s, MemoryRegion *region, uint32_t to,
                           Error **errp)
{
    PAMULiodnSpace *sp = container_of(region, PAMULiodnSpace, root);
    PAMULiodnSpace *other;

    if (to == sp->liodn) {
        return true;
    }
    if (to > s->max_liodn) {
        error_setg(errp, "pamu: LIODN %u is above max-liodn=%u", to,
                   s->max_liodn);
        return false;
    }
    other = g_hash_table_lookup(s->spaces, GUINT_TO_POINTER(to));
    if (other) {
        error_setg(errp, "pamu: LIODN %u is already the LIODN of %s", to,
                   other->initiator);
        return false;
    }
    pamu_move_space(s, sp, to);
    return true;
}

/* A reset gives every initiator back the LIODN the machine gave it. */
static void pamu_reset_liodns(PAMUState *s)
{
    g_autoptr(GPtrArray) moved = g_ptr_array_new();
    GHashTableIter iter;
    PAMULiodnSpace *sp;
    guint i;

    g_hash_table_iter_init(&iter, s->spaces);
    while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&sp)) {
        if (sp->liodn != sp->reset_liodn) {
            g_ptr_array_add(moved, sp);
            g_hash_table_iter_steal(&iter);
        }
    }
    /* all out first: two initiators may have swapped their LIODNs */
    for (i = 0; i < moved->len; i++) {
        sp = g_ptr_array_index(moved, i);
        qatomic_set(&sp->liodn, sp->reset_liodn);
        pamu_tlb_flush(&sp->tlb);
        g_hash_table_insert(s->spaces, GUINT_TO_POINTER(sp->liodn), sp);
    }
}

void pamu_unit_snapshot(PAMUState *s, unsigned unit, PAMUUnit *regs,
                        bool *bypassed, uint64_t *lost)
{
    qemu_mutex_lock(&s->lock);
    *regs = s->units[unit];
    *bypassed = s->bypass & PAMU_BYPASS_BIT(unit);
    *lost = s->unit_lost[unit];
    qemu_mutex_unlock(&s->lock);
}

bool pamu_read_entry(PAMUState *s, unsigned unit, uint64_t addr,
                     uint32_t words[PAMU_PAACE_WORDS])
{
    PAMUFetchCtx ctx = { .s = s };

    RCU_READ_LOCK_GUARD();
    ctx.v = qatomic_rcu_read(&s->views[unit]);
    return pamu_fetch(&ctx, addr, words, PAMU_PAACE_WORDS);
}

void pamu_probe(PAMUState *s, unsigned unit, uint32_t liodn, uint64_t addr,
                PAMUAccess access, PAMUWalkResult *res)
{
    PAMUFetchCtx ctx = { .s = s };

    RCU_READ_LOCK_GUARD();
    ctx.v = qatomic_rcu_read(&s->views[unit]);
    pamu_walk(&ctx.v->regs, pamu_fetch, &ctx, liodn, addr, access, res);
}

static void pamu_reset_exit(Object *obj, ResetType type)
{
    PAMUState *s = PAMU(obj);

    qemu_mutex_lock(&s->lock);
    memset(s->units, 0, sizeof(s->units));
    s->bypass = pamu_bypass_mask(s);
    s->lost_violations = 0;
    memset(s->unit_lost, 0, sizeof(s->unit_lost));
    qemu_mutex_unlock(&s->lock);
    pamu_reset_liodns(s);
    pamu_update_views(s);
    pamu_snoop_update(s);
    pamu_switch_spaces(s);
    pamu_notify_units(s);
    pamu_update_irq(s);
}

/*
 * The tables are read from the downstream memory, but from @ram directly
 * where it is mapped, past the snoop windows over it.
 */
static void pamu_init_table_as(PAMUState *s)
{
    memory_region_init(&s->table_root, OBJECT(s), "pamu-tables", UINT64_MAX);
    memory_region_init_alias(&s->table_memory, OBJECT(s),
                             "pamu-tables-memory", s->memory, 0,
                             memory_region_size(s->memory));
    memory_region_add_subregion(&s->table_root, 0, &s->table_memory);
    if (s->ram) {
        memory_region_init_alias(&s->table_ram, OBJECT(s), "pamu-tables-ram",
                                 s->ram, 0, memory_region_size(s->ram));
        memory_region_add_subregion_overlap(&s->table_root, s->ram->addr,
                                            &s->table_ram, 1);
    }
    address_space_init(&s->table_as, &s->table_root, "pamu-tables");
}

static void pamu_realize(DeviceState *dev, Error **errp)
{
    ERRP_GUARD();
    PAMUState *s = PAMU(dev);
    SysBusDevice *sbd = SYS_BUS_DEVICE(dev);

    if (!s->memory) {
        error_setg(errp, "pamu: no 'memory' link: the machine did not wire "
                   "up the PAMU");
        error_append_hint(errp, "-device pamu works on the ppce500 and "
                          "mpc8544ds machines.\n");
        return;
    }
    if (s->num_units < 1 || s->num_units > PAMU_MAX_UNITS) {
        error_setg(errp, "pamu: num-units=%u is out of range",
                   s->num_units);
        error_append_hint(errp, "A PAMU has 1 to %d units.\n",
                          PAMU_MAX_UNITS);
        return;
    }
    if (s->pci_unit >= s->num_units) {
        error_setg(errp, "pamu: pci-unit=%u, but there are only %u units",
                   s->pci_unit, s->num_units);
        return;
    }
    if (!is_power_of_2(s->max_subwindows) || s->max_subwindows < 2 ||
        s->max_subwindows > 65536) {
        error_setg(errp, "pamu: max-subwindows=%u is not a power of two "
                   "from 2 to 65536", s->max_subwindows);
        return;
    }
    if (s->max_liodn > R_PC2_MLIODN_MASK >> R_PC2_MLIODN_SHIFT) {
        error_setg(errp, "pamu: max-liodn=%u does not fit in 16 bits",
                   s->max_liodn);
        return;
    }

    if (s->ram && s->ram->container != s->memory) {
        error_setg(errp, "pamu: the 'ram' link is not mapped in the 'memory' "
                   "link");
        return;
    }
    if (!s->ram) {
        /* nothing to snoop with: walk every time */
        s->cache = false;
    }

    s->irq_bh = qemu_bh_new(pamu_irq_bh, s);
    address_space_init(&s->memory_as, s->memory, "pamu-downstream");
    s->dma_as = s->memory == get_system_memory() ? &address_space_memory :
                &s->memory_as;
    pamu_init_table_as(s);
    s->memory_listener = (MemoryListener) {
        .name = "pamu",
        .commit = pamu_memory_commit,
    };
    memory_listener_register(&s->memory_listener, &s->table_as);
    pamu_snoop_realize(s);
    memory_region_init_io(&s->regs_mr, OBJECT(s), &pamu_regs_ops, s,
                          "pamu", (uint64_t)s->num_units * PAMU_UNIT_SIZE);
    memory_region_init_io(&s->bypass_mr, OBJECT(s), &pamu_bypass_ops, s,
                          "pamu-pamubypenr", 4);
    sysbus_init_mmio(sbd, &s->regs_mr);
    sysbus_init_mmio(sbd, &s->bypass_mr);
    sysbus_init_irq(sbd, &s->irq);
}

/*
 * Undoes realize, for a machine whose plug handler fails after it; the
 * initiators' spaces, created at plug time, go with the object.
 */
static void pamu_unrealize(DeviceState *dev)
{
    PAMUState *s = PAMU(dev);
    unsigned i;

    memory_listener_unregister(&s->memory_listener);
    pamu_snoop_unrealize(s);
    for (i = 0; i < PAMU_MAX_UNITS; i++) {
        if (s->views[i]) {
            call_rcu(s->views[i], pamu_free_view, rcu);
            s->views[i] = NULL;
        }
    }
    address_space_destroy(&s->memory_as);
    address_space_destroy(&s->table_as);
    qemu_bh_delete(s->irq_bh);
    s->irq_bh = NULL;
}

static void pamu_free_space(gpointer data)
{
    PAMULiodnSpace *sp = data;

    g_free(sp->initiator);
    if (sp->mapped) {
        g_array_unref(sp->mapped);
    }
    g_free(sp);
}

static void pamu_init(Object *obj)
{
    PAMUState *s = PAMU(obj);

    qemu_mutex_init(&s->lock);
    /* A machine checks its initiators against it before realize */
    s->spaces = g_hash_table_new_full(NULL, NULL, NULL, pamu_free_space);
}

/* The spaces' memory regions, children of @obj, are gone by now. */
static void pamu_finalize(Object *obj)
{
    PAMUState *s = PAMU(obj);

    g_hash_table_destroy(s->spaces);
    qemu_mutex_destroy(&s->lock);
}

static int pamu_post_load(void *opaque, int version_id)
{
    PAMUState *s = opaque;

    s->bypass &= pamu_bypass_mask(s);
    pamu_update_views(s);
    pamu_snoop_update(s);
    pamu_switch_spaces(s);
    pamu_notify_units(s);
    pamu_update_irq(s);
    return 0;
}

static const VMStateDescription vmstate_pamu_unit = {
    .name = "pamu-unit",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32_ARRAY(regs, PAMUUnit, PAMU_NR_SLOTS),
        VMSTATE_END_OF_LIST()
    },
};

static bool pamu_unit_lost_needed(void *opaque)
{
    PAMUState *s = opaque;

    return s->lost_violations != 0;
}

/* Added after the first version: sources without it counted only a total. */
static const VMStateDescription vmstate_pamu_unit_lost = {
    .name = "pamu/unit-lost",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = pamu_unit_lost_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64_ARRAY(unit_lost, PAMUState, PAMU_MAX_UNITS),
        VMSTATE_END_OF_LIST()
    },
};

/* Initiators whose LIODN the guest changed: their first and current one */
static bool pamu_liodns_needed(void *opaque)
{
    PAMUState *s = opaque;
    GHashTableIter iter;
    PAMULiodnSpace *sp;

    g_hash_table_iter_init(&iter, s->spaces);
    while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&sp)) {
        if (sp->liodn != sp->reset_liodn) {
            return true;
        }
    }
    return false;
}

static int pamu_liodns_pre_save(void *opaque)
{
    PAMUState *s = opaque;
    GHashTableIter iter;
    PAMULiodnSpace *sp;

    s->nr_moved = 0;
    g_hash_table_iter_init(&iter, s->spaces);
    while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&sp)) {
        if (sp->liodn != sp->reset_liodn &&
            s->nr_moved < PAMU_MAX_MOVED_LIODNS) {
            s->moved[s->nr_moved][0] = sp->reset_liodn;
            s->moved[s->nr_moved][1] = sp->liodn;
            s->nr_moved++;
        }
    }
    return 0;
}

static int pamu_liodns_post_load(void *opaque, int version_id)
{
    PAMUState *s = opaque;
    g_autoptr(GPtrArray) moved = g_ptr_array_new();
    PAMULiodnSpace *sp;
    uint32_t i;

    if (s->nr_moved > PAMU_MAX_MOVED_LIODNS) {
        return -EINVAL;
    }
    /* out first, then in: two initiators may have swapped their LIODNs */
    for (i = 0; i < s->nr_moved; i++) {
        sp = g_hash_table_lookup(s->spaces, GUINT_TO_POINTER(s->moved[i][0]));
        if (!sp || s->moved[i][1] > s->max_liodn) {
            error_report("pamu: the migration stream moves LIODN %u, which "
                         "no initiator has here", s->moved[i][0]);
            return -EINVAL;
        }
        g_hash_table_steal(s->spaces, GUINT_TO_POINTER(sp->liodn));
        g_ptr_array_add(moved, sp);
    }
    for (i = 0; i < moved->len; i++) {
        sp = g_ptr_array_index(moved, i);
        if (g_hash_table_lookup(s->spaces,
                                GUINT_TO_POINTER(s->moved[i][1]))) {
            error_report("pamu: the migration stream gives two initiators "
                         "LIODN %u", s->moved[i][1]);
            return -EINVAL;
        }
        qatomic_set(&sp->liodn, s->moved[i][1]);
        g_hash_table_insert(s->spaces, GUINT_TO_POINTER(sp->liodn), sp);
    }
    return 0;
}

/* Added after the first version, for the SoC's LIODN registers. */
static const VMStateDescription vmstate_pamu_liodns = {
    .name = "pamu/liodns",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = pamu_liodns_needed,
    .pre_save = pamu_liodns_pre_save,
    .post_load = pamu_liodns_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(nr_moved, PAMUState),
        VMSTATE_UINT32_2DARRAY(moved, PAMUState, PAMU_MAX_MOVED_LIODNS, 2),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_pamu = {
    .name = "pamu",
    .version_id = 1,
    .minimum_version_id = 1,
    .priority = MIG_PRI_IOMMU,
    .post_load = pamu_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(bypass, PAMUState),
        VMSTATE_UINT64(lost_violations, PAMUState),
        VMSTATE_UINT32_EQUAL(num_units, PAMUState,
                             "The pamu's num-units must be the same on the "
                             "destination as on the source."),
        VMSTATE_STRUCT_VARRAY_UINT32(units, PAMUState, num_units, 1,
                                     vmstate_pamu_unit, PAMUUnit),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_pamu_unit_lost,
        &vmstate_pamu_liodns,
        NULL
    },
};

static const Property pamu_properties[] = {
    DEFINE_PROP_UINT32("num-units", PAMUState, num_units, 1),
    DEFINE_PROP_UINT32("max-liodn", PAMUState, max_liodn, 0x4ff),
    DEFINE_PROP_UINT32("max-subwindows", PAMUState, max_subwindows, 256),
    DEFINE_PROP_UINT32("pci-unit", PAMUState, pci_unit, 0),
    DEFINE_PROP_LINK("memory", PAMUState, memory, TYPE_MEMORY_REGION,
                     MemoryRegion *),
    DEFINE_PROP_LINK("ram", PAMUState, ram, TYPE_MEMORY_REGION,
                     MemoryRegion *),
    DEFINE_PROP_BOOL("x-cache", PAMUState, cache, true),
    DEFINE_PROP_BOOL("x-check-cache", PAMUState, check_cache, false),
};

static void pamu_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    dc->realize = pamu_realize;
    dc->unrealize = pamu_unrealize;
    dc->vmsd = &vmstate_pamu;
    dc->desc = "Freescale/NXP PAMU (QorIQ IOMMU)";
    rc->phases.exit = pamu_reset_exit;
    device_class_set_props(dc, pamu_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static void pamu_iommu_memory_region_class_init(ObjectClass *klass,
                                                void *data)
{
    IOMMUMemoryRegionClass *imrc = IOMMU_MEMORY_REGION_CLASS(klass);

    imrc->translate = pamu_translate;
    imrc->notify_flag_changed = pamu_notify_flag_changed;
    imrc->replay = pamu_replay;
}

static const TypeInfo pamu_types[] = {
    {
        .name = TYPE_PAMU,
        .parent = TYPE_DYNAMIC_SYS_BUS_DEVICE,
        .instance_size = sizeof(PAMUState),
        .instance_init = pamu_init,
        .instance_finalize = pamu_finalize,
        .class_init = pamu_class_init,
    },
    {
        .name = TYPE_PAMU_IOMMU_MEMORY_REGION,
        .parent = TYPE_IOMMU_MEMORY_REGION,
        .class_init = pamu_iommu_memory_region_class_init,
    },
};

DEFINE_TYPES(pamu_types)
