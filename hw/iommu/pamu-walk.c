/*
 * Freescale/NXP PAMU: the access check and translation of one DMA access
 *
 * The hardware sources only show how software programs the tables; the
 * order of the checks and the AVS1 sub-codes are this model's decisions,
 * written down in docs/system/ppc/pamu.rst.  The walk keeps no copy of
 * any table entry: Linux rewrites entries in memory and never tells the
 * PAMU, so every walk reads them afresh.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/host-utils.h"
#include "hw/iommu/pamu-regs.h"
#include "hw/iommu/pamu-walk.h"

/* The eight defined words of a PAACE or SPAACE, in host order. */
typedef struct PAMUEntry {
    uint32_t w[PAMU_PAACE_WORDS];
} PAMUEntry;

#define ENTRY_EX(e, word, field) \
    FIELD_EX32((e)->w[R_PAACE_##word], PAACE_##word, field)

#define PAMU_MIN_LOG2           (PAMU_MIN_SIZE_ENC + 1)     /* 4 KiB */

/* True if @a and @b fall in the same naturally aligned 2^@log2 block. */
static bool same_block(uint64_t a, uint64_t b, unsigned log2)
{
    return log2 >= 64 || ((a ^ b) >> log2) == 0;
}

static uint64_t align_down(uint64_t a, unsigned log2)
{
    return log2 >= 64 ? 0 : a & ~((1ULL << log2) - 1);
}

static void violate(PAMUWalkResult *res, uint32_t avs1)
{
    res->status = PAMU_WALK_VIOLATION;
    res->avs1 = avs1;
}

/* Steps 4 and 5: the LIODN's primary entry must exist and be valid. */
static bool fetch_paace(const PAMUWalkRegs *regs, PAMUFetchFn *fetch,
                        void *opaque, uint32_t liodn, PAMUEntry *e,
                        PAMUWalkResult *res)
{
    uint64_t entries = regs->ppla > regs->ppba ?
                       (regs->ppla - regs->ppba) / PAMU_PAACE_SIZE : 0;

    if (liodn >= entries) {
        violate(res, FIELD_DP32(0, AVS1, LAV, PAMU_LAV_NOT_IN_PPAACT));
        return false;
    }
    res->entry_addr = regs->ppba + (uint64_t)liodn * PAMU_PAACE_SIZE;
    if (!fetch(opaque, res->entry_addr, e->w, PAMU_PAACE_WORDS)) {
        res->flags |= PAMU_WARN_FETCH;
        violate(res, FIELD_DP32(0, AVS1, LAV, PAMU_LAV_INVALID));
        return false;
    }
    if (!ENTRY_EX(e, ADDR, V)) {
        violate(res, FIELD_DP32(0, AVS1, LAV, PAMU_LAV_INVALID));
        return false;
    }
    if (ENTRY_EX(e, ADDR, WSE) < PAMU_MIN_SIZE_ENC) {
        violate(res, FIELD_DP32(0, AVS1, LAV, PAMU_LAV_BAD_SIZE));
        return false;
    }
    return true;
}

/*
 * Step 6: the address must lie in the window.  A base that is not aligned
 * to the window size is reported and its low bits ignored, as comparing
 * the upper address bits (which is what a window decoder does) would.
 */
static bool check_window(const PAMUEntry *p, uint64_t addr, uint64_t *wbase,
                         unsigned *wlog2, PAMUWalkResult *res)
{
    uint64_t wba = ((uint64_t)p->w[R_PAACE_WBAH] << 32) |
                   (ENTRY_EX(p, ADDR, WBAL) << R_PAACE_ADDR_WBAL_SHIFT);

    *wlog2 = ENTRY_EX(p, ADDR, WSE) + 1;
    *wbase = align_down(wba, *wlog2);
    if (*wbase != wba) {
        res->flags |= PAMU_WARN_WBA_ALIGN;
    }
    if (!same_block(addr, *wbase, *wlog2)) {
        violate(res, FIELD_DP32(0, AVS1, WAV, PAMU_WAV_OUTSIDE));
        return false;
    }
    return true;
}

/*
 * Step 7 for k >= 1: subwindow k is described by SPAACT[FSPI + k - 1],
 * which must lie inside the SPAACT and be a valid secondary entry.
 */
static bool fetch_spaace(const PAMUWalkRegs *regs, PAMUFetchFn *fetch,
                         void *opaque, const PAMUEntry *p, uint64_t k,
                         PAMUEntry *s, PAMUWalkResult *res)
{
    uint64_t entries = regs->spla > regs->spba ?
                       (regs->spla - regs->spba) / PAMU_PAACE_SIZE : 0;
    uint64_t index = (uint64_t)p->w[R_PAACE_FSPI] + k - 1;

    if (index >= entries) {
        res->flags |= PAMU_WARN_SPAACE;
        violate(res, FIELD_DP32(0, AVS1, WAV, PAMU_WAV_SUBWINDOW));
        return false;
    }
    res->entry_addr = regs->spba + index * PAMU_PAACE_SIZE;
    if (!fetch(opaque, res->entry_addr, s->w, PAMU_PAACE_WORDS)) {
        res->flags |= PAMU_WARN_FETCH;
        violate(res, FIELD_DP32(0, AVS1, WAV, PAMU_WAV_SUBWINDOW));
        return false;
    }
    if (!ENTRY_EX(s, ADDR, V) || !ENTRY_EX(s, ADDR, PT)) {
        violate(res, FIELD_DP32(0, AVS1, WAV, PAMU_WAV_SUBWINDOW));
        return false;
    }
    return true;
}

/*
 * Step 7: with MW = 1 the window is split into 2^(WCE + 1) subwindows.
 * Subwindow 0 is governed by the primary entry itself, the others by
 * their SPAACE.  Only the first 2^(SWSE + 1) bytes of a subwindow are
 * mapped.  On success *@gov is the governing entry and [*@rbase,
 * *@rbase + 2^*@rlog2) the mapped part that contains @addr.
 */
static bool select_subwindow(const PAMUWalkRegs *regs, PAMUFetchFn *fetch,
                             void *opaque, const PAMUEntry *p, uint64_t addr,
                             uint64_t wbase, unsigned wlog2, PAMUEntry *s,
                             const PAMUEntry **gov, uint64_t *rbase,
                             unsigned *rlog2, PAMUWalkResult *res)
{
    unsigned count_log2 = ENTRY_EX(p, IMPL, WCE) + 1;
    unsigned slog2, mlog2;
    uint64_t k;

    if (count_log2 > regs->max_subwin_log2) {
        res->flags |= PAMU_WARN_SUBWIN_COUNT;
        violate(res, FIELD_DP32(0, AVS1, WAV, PAMU_WAV_SUBWINDOW));
        return false;
    }
    if (wlog2 < PAMU_MIN_LOG2 + count_log2) {
        res->flags |= PAMU_WARN_SUBWIN_SIZE;
        violate(res, FIELD_DP32(0, AVS1, WAV, PAMU_WAV_SUBWINDOW));
        return false;
    }
    slog2 = wlog2 - count_log2;
    k = (addr - wbase) >> slog2;
    res->subwindow = k;

    *gov = p;
    if (k > 0) {
        if (!fetch_spaace(regs, fetch, opaque, p, k, s, res)) {
            return false;
        }
        *gov = s;
    }

    mlog2 = ENTRY_EX(*gov, WIN, SWSE) + 1;
    if (mlog2 < PAMU_MIN_LOG2) {
        res->flags |= PAMU_WARN_SWSE;
        violate(res, FIELD_DP32(0, AVS1, WAV, PAMU_WAV_SUBWINDOW));
        return false;
    }
    *rlog2 = MIN(mlog2, slog2);
    *rbase = wbase + (k << slog2);
    if (!same_block(addr, *rbase, *rlog2)) {
        violate(res, FIELD_DP32(0, AVS1, WAV, PAMU_WAV_UNMAPPED));
        return false;
    }
    return true;
}

/* Step 8: AP bit 0 allows reads, bit 1 writes. */
static bool check_permission(const PAMUEntry *gov, PAMUAccess access,
                             PAMUWalkResult *res)
{
    res->perm = ENTRY_EX(gov, ADDR, AP);
    if (access == PAMU_ACCESS_READ && !(res->perm & PAMU_ACCESS_READ)) {
        violate(res, FIELD_DP32(0, AVS1, APV, PAMU_APV_READ));
        return false;
    }
    if (access == PAMU_ACCESS_WRITE && !(res->perm & PAMU_ACCESS_WRITE)) {
        violate(res, FIELD_DP32(0, AVS1, APV, PAMU_APV_WRITE));
        return false;
    }
    return true;
}

/*
 * Step 9: ATM 0 passes the address, ATM 1 moves the mapped part to the
 * translated base.  The block handed back is the largest aligned block
 * around @addr that stays inside the mapped part and keeps its alignment
 * after translation, so that a caller may map it linearly.
 */
static bool translate(const PAMUEntry *gov, uint64_t addr, uint64_t rbase,
                      unsigned rlog2, PAMUWalkResult *res)
{
    uint64_t target, offset;
    unsigned log2;

    if (ENTRY_EX(gov, ADDR, DD)) {
        res->flags |= PAMU_UNIMP_DD;
    }
    switch (ENTRY_EX(gov, IMPL, ATM)) {
    case PAMU_ATM_NONE:
        target = rbase;
        break;
    case PAMU_ATM_WINDOW:
        target = ((uint64_t)gov->w[R_PAACE_TWBAH] << 32) |
                 (ENTRY_EX(gov, WIN, TWBAL) << R_PAACE_WIN_TWBAL_SHIFT);
        break;
    default:
        res->flags |= PAMU_UNIMP_ATM;
        violate(res, FIELD_DP32(0, AVS1, WAV, PAMU_WAV_UNIMPLEMENTED));
        return false;
    }

    /* 63 at most, so that the block's size fits in 64 bits */
    log2 = MIN(rlog2, 63);
    if (target) {
        log2 = MIN(log2, ctz64(target));
    }
    offset = align_down(addr, log2) - rbase;
    /*
     * A translated base near the top of the address space would carry the
     * rest of the (sub)window past 2^64, to low memory: block that part.
     * The block is aligned to its size after translation, so if its start
     * does not wrap, neither does its end.
     */
    if (offset > UINT64_MAX - target) {
        violate(res, FIELD_DP32(0, AVS1, WAV, PAMU_WAV_WRAP));
        return false;
    }
    res->status = PAMU_WALK_OK;
    res->size_log2 = log2;
    res->iova = align_down(addr, log2);
    res->xlat = target + offset;
    return true;
}

void pamu_walk(const PAMUWalkRegs *regs, PAMUFetchFn *fetch, void *opaque,
               uint32_t liodn, uint64_t addr, PAMUAccess access,
               PAMUWalkResult *res)
{
    PAMUEntry primary, secondary;
    const PAMUEntry *gov = &primary;
    uint64_t wbase, rbase;
    unsigned wlog2, rlog2;

    memset(res, 0, sizeof(*res));
    res->subwindow = -1;

    if (regs->bypass) {
        res->status = PAMU_WALK_BYPASS;
        res->size_log2 = 63;
        res->iova = align_down(addr, res->size_log2);
        res->xlat = res->iova;
        res->perm = PAMU_ACCESS_READ | PAMU_ACCESS_WRITE;
        return;
    }
    if (FIELD_EX32(regs->pc, PC, PGC)) {
        violate(res, R_AVS1_GCV_MASK);
        return;
    }
    if (!FIELD_EX32(regs->pc, PC, PE)) {
        violate(res, R_AVS1_PDV_MASK);
        return;
    }
    if (!fetch_paace(regs, fetch, opaque, liodn, &primary, res) ||
        !check_window(&primary, addr, &wbase, &wlog2, res)) {
        return;
    }
    if (ENTRY_EX(&primary, ADDR, MW)) {
        if (!select_subwindow(regs, fetch, opaque, &primary, addr, wbase,
                              wlog2, &secondary, &gov, &rbase, &rlog2, res)) {
            return;
        }
    } else {
        rbase = wbase;
        rlog2 = wlog2;
    }
    if (!check_permission(gov, access, res)) {
        return;
    }
    translate(gov, addr, rbase, rlog2, res);
}

/* Hands the mapped part governed by @gov to @fn, translated. */
static void emit_region(const PAMUEntry *gov, uint64_t rbase,
                        unsigned rlog2, int subwindow, PAMURegionFn *fn,
                        void *fn_opaque)
{
    PAMURegion r = {
        .iova = rbase, .size_log2 = rlog2, .subwindow = subwindow,
        .perm = ENTRY_EX(gov, ADDR, AP),
    };

    switch (ENTRY_EX(gov, IMPL, ATM)) {
    case PAMU_ATM_NONE:
        r.xlat = rbase;
        break;
    case PAMU_ATM_WINDOW:
        r.xlat = ((uint64_t)gov->w[R_PAACE_TWBAH] << 32) |
                 (ENTRY_EX(gov, WIN, TWBAL) << R_PAACE_WIN_TWBAL_SHIFT);
        break;
    default:
        return;
    }
    if (rlog2 < 64 && r.xlat > UINT64_MAX - ((1ULL << rlog2) - 1)) {
        return;
    }
    if (rlog2 >= 64 && r.xlat) {
        return;
    }
    fn(fn_opaque, &r);
}

void pamu_walk_regions(const PAMUWalkRegs *regs, PAMUFetchFn *fetch,
                       void *opaque, uint32_t liodn, PAMURegionFn *fn,
                       void *fn_opaque)
{
    PAMUWalkResult res = { .subwindow = -1 };
    PAMUEntry primary, secondary;
    const PAMUEntry *gov;
    uint64_t wbase, rbase, k;
    unsigned wlog2, rlog2, count_log2;

    if (regs->bypass) {
        PAMURegion all = {
            .size_log2 = 64, .subwindow = -1,
            .perm = PAMU_ACCESS_READ | PAMU_ACCESS_WRITE,
        };

        fn(fn_opaque, &all);
        return;
    }
    if (FIELD_EX32(regs->pc, PC, PGC) || !FIELD_EX32(regs->pc, PC, PE) ||
        !fetch_paace(regs, fetch, opaque, liodn, &primary, &res)) {
        return;
    }
    /* any address of the window gives its base and size */
    check_window(&primary, 0, &wbase, &wlog2, &res);
    if (!ENTRY_EX(&primary, ADDR, MW)) {
        emit_region(&primary, wbase, wlog2, -1, fn, fn_opaque);
        return;
    }
    count_log2 = ENTRY_EX(&primary, IMPL, WCE) + 1;
    if (count_log2 > regs->max_subwin_log2 ||
        wlog2 < PAMU_MIN_LOG2 + count_log2) {
        return;                 /* no subwindow is usable */
    }
    for (k = 0; k < 1ULL << count_log2; k++) {
        uint64_t addr = wbase + (k << (wlog2 - count_log2));

        memset(&res, 0, sizeof(res));
        if (select_subwindow(regs, fetch, opaque, &primary, addr, wbase,
                             wlog2, &secondary, &gov, &rbase, &rlog2, &res)) {
            emit_region(gov, rbase, rlog2, k, fn, fn_opaque);
        }
    }
}

PAMUAvs1Class pamu_avs1_class(uint32_t avs1, unsigned *sub_code)
{
    static const struct {
        PAMUAvs1Class cls;
        unsigned shift, length;
    } fields[] = {
        { PAMU_CLASS_GATE_CLOSED, R_AVS1_GCV_SHIFT, R_AVS1_GCV_LENGTH },
        { PAMU_CLASS_DISABLED, R_AVS1_PDV_SHIFT, R_AVS1_PDV_LENGTH },
        { PAMU_CLASS_LIODN, R_AVS1_LAV_SHIFT, R_AVS1_LAV_LENGTH },
        { PAMU_CLASS_WINDOW, R_AVS1_WAV_SHIFT, R_AVS1_WAV_LENGTH },
        { PAMU_CLASS_PERMISSION, R_AVS1_APV_SHIFT, R_AVS1_APV_LENGTH },
        { PAMU_CLASS_OPERATION, R_AVS1_OTV_SHIFT, R_AVS1_OTV_LENGTH },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(fields); i++) {
        unsigned v = extract32(avs1, fields[i].shift, fields[i].length);

        if (v) {
            *sub_code = v;
            return fields[i].cls;
        }
    }
    *sub_code = 0;
    return PAMU_CLASS_NONE;
}

const char *pamu_avs1_reason(uint32_t avs1)
{
    static const char *const lav[] = {
        [PAMU_LAV_NOT_IN_PPAACT] = "LIODN beyond the PPAACT limit",
        [PAMU_LAV_INVALID] = "PAACE invalid or unreadable",
        [PAMU_LAV_BAD_SIZE] = "window size below 4 KiB",
    };
    static const char *const wav[] = {
        [PAMU_WAV_OUTSIDE] = "address outside the window",
        [PAMU_WAV_SUBWINDOW] = "no usable entry for the subwindow",
        [PAMU_WAV_UNMAPPED] = "address beyond the mapped part of the "
                              "subwindow",
        [PAMU_WAV_UNIMPLEMENTED] = "page translation (ATM 2/3) is not "
                                   "modelled",
        [PAMU_WAV_WRAP] = "translation would pass 2^64",
    };
    static const char *const apv[] = {
        [PAMU_APV_READ] = "read not permitted",
        [PAMU_APV_WRITE] = "write not permitted",
    };
    const char *reason = NULL;
    unsigned code;

    switch (pamu_avs1_class(avs1, &code)) {
    case PAMU_CLASS_NONE:
        return "no violation";
    case PAMU_CLASS_GATE_CLOSED:
        return "the unit's gate is closed (PC[PGC])";
    case PAMU_CLASS_DISABLED:
        return "the unit is not enabled (PC[PE] clear)";
    case PAMU_CLASS_LIODN:
        reason = code < ARRAY_SIZE(lav) ? lav[code] : NULL;
        break;
    case PAMU_CLASS_WINDOW:
        reason = code < ARRAY_SIZE(wav) ? wav[code] : NULL;
        break;
    case PAMU_CLASS_PERMISSION:
        reason = code < ARRAY_SIZE(apv) ? apv[code] : NULL;
        break;
    case PAMU_CLASS_OPERATION:
        return "operation translation violation";
    }
    return reason ? reason : "unknown sub-code";
}
