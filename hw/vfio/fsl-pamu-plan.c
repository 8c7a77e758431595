/*
 * Geometry planning for vfio containers on aperture/window IOMMUs (PAMU)
 *
 * A PAMU aperture is split into a power-of-two number of equal windows and
 * each window maps one physically contiguous, naturally aligned block, so
 * the plan is fixed by one window size and one aperture.  See
 * docs/devel/vfio-pamu.rst for the rules implemented here.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/host-utils.h"
#include "qemu/range.h"
#include "hw/vfio/fsl-pamu-plan.h"

/* Largest power of two the planner considers, for windows and apertures */
#define PAMU_PLAN_MAX_POW2      (1ULL << 63)

static uint64_t limit_end(const PamuPlanLimits *lim)
{
    /* 0 stands for 2^64 */
    return lim->addr_bits && lim->addr_bits < 64 ? 1ULL << lim->addr_bits : 0;
}

static uint32_t limit_windows(const PamuPlanLimits *lim)
{
    return MIN(lim->max_windows, PAMU_PLAN_MAX_WINDOWS);
}

/* Does one of the @nr reachable ranges @reach hold [start, start + size)? */
static bool reachable(const PamuIovaRange *reach, unsigned nr,
                      uint64_t start, uint64_t size)
{
    uint64_t last = start + size - 1;
    unsigned i;

    if (!nr) {
        return true;
    }
    for (i = 0; i < nr; i++) {
        if (reach[i].start <= start && last <= reach[i].last &&
            start <= last) {
            return true;
        }
    }
    return false;
}

/* The lowest set bit of @bits, or PAMU_PLAN_MAX_POW2 if none is set */
static uint64_t lowest_bit(uint64_t bits)
{
    return bits ? 1ULL << ctz64(bits) : PAMU_PLAN_MAX_POW2;
}

/*
 * @page_floor asks "what if RAM were on pages of at least this size": such
 * memory would be aligned to its pages, wherever it is now.
 */
static uint64_t range_page(const PamuRamRange *r, uint64_t page_floor)
{
    return MAX(r->page_size, page_floor);
}

static uint64_t range_offset(const PamuRamRange *r, uint64_t page_floor)
{
    uint64_t off = r->hva - r->iova;

    return page_floor > r->page_size ? off & ~(page_floor - 1) : off;
}

/*
 * Can @r be mapped with windows of @w bytes?  It must start on a window
 * boundary; its last window may be partial if what it maps there is a
 * power of two of at least 4 KiB; every mapping must be aligned in host
 * memory to its size and fit in one backing page (so it is physically
 * contiguous).
 */
static bool range_fits(const PamuRamRange *r, uint64_t w, uint64_t page_floor)
{
    uint64_t tail = r->size & (w - 1);
    uint64_t piece = r->size >= w ? w : tail;

    if (r->iova & (w - 1)) {
        return false;
    }
    if (tail && (!is_power_of_2(tail) || tail < PAMU_PLAN_MIN_WINDOW)) {
        return false;
    }
    if (range_offset(r, page_floor) & (piece - 1)) {
        return false;
    }
    return piece <= range_page(r, page_floor);
}

static uint64_t range_windows(const PamuRamRange *r, uint64_t w)
{
    return r->size / w + !!(r->size & (w - 1));
}

/*
 * Fills @plan->use and the counters for an aperture already chosen; it may
 * find fewer than @msi_banks MSI windows.
 */
static void plan_fill(const PamuRamRange *ranges, unsigned nr,
                      const PamuPlanLimits *lim, uint32_t msi_banks,
                      PamuPlan *plan)
{
    uint64_t w = plan->window_size;
    unsigned i;
    int64_t n;

    memset(plan->use, PAMU_WINDOW_FREE, sizeof(plan->use));
    plan->nr_ram_windows = 0;
    for (i = 0; i < nr; i++) {
        uint64_t first = (ranges[i].iova - plan->aperture_start) / w;
        uint64_t k, count = range_windows(&ranges[i], w);

        for (k = 0; k < count; k++) {
            plan->use[first + k] = PAMU_WINDOW_RAM;
        }
        plan->nr_ram_windows += count;
    }
    /*
     * The highest free windows the host reaches, so MSI stays clear of RAM
     * growing upward
     */
    plan->nr_msi_windows = 0;
    for (n = plan->nr_windows - 1;
         n >= 0 && plan->nr_msi_windows < msi_banks; n--) {
        if (plan->use[n] == PAMU_WINDOW_FREE &&
            reachable(lim->reach, lim->nr_reach,
                      plan->aperture_start + n * w, w)) {
            plan->use[n] = PAMU_WINDOW_MSI;
            plan->nr_msi_windows++;
        }
    }
}

/*
 * Plans with windows of exactly @w bytes.  Returns PAMU_PLAN_OK,
 * PAMU_PLAN_BAD_RANGE when some range cannot be cut into such windows,
 * or the reason the smallest aperture does not work (with
 * windows_needed/aperture_end set in @res).  An aperture with too few
 * free reachable windows for MSI gives way to the next larger one.
 */
static PamuPlanStatus plan_for_window(const PamuRamRange *ranges, unsigned nr,
                                      const PamuPlanLimits *lim,
                                      uint32_t msi_banks, uint64_t page_floor,
                                      uint64_t w, PamuPlan *plan,
                                      PamuPlanResult *res)
{
    uint64_t lo = UINT64_MAX, hi = 0, ram = 0, a, start, end;
    unsigned i;

    for (i = 0; i < nr; i++) {
        if (!range_fits(&ranges[i], w, page_floor)) {
            return PAMU_PLAN_BAD_RANGE;
        }
        ram += range_windows(&ranges[i], w);
        lo = MIN(lo, ranges[i].iova);
        hi = MAX(hi, ranges[i].iova + ranges[i].size);
    }

    res->ram_windows = ram;
    /* The smallest aligned power of two holding RAM and the MSI windows */
    for (a = w; ; a <<= 1) {
        start = lo & ~(a - 1);
        if (hi - start <= a && a / w >= ram + msi_banks) {
            end = start + a;            /* 0 when it ends at 2^64 */
            res->windows_needed = a / w;
            res->aperture_end = end;
            if (a / w > limit_windows(lim)) {
                return PAMU_PLAN_TOO_MANY_WINDOWS;
            }
            if (limit_end(lim) && (end == 0 || end > limit_end(lim))) {
                return PAMU_PLAN_ADDRESS_WIDTH;
            }
            plan->aperture_start = start;
            plan->aperture_size = a;
            plan->window_size = w;
            plan->nr_windows = a / w;
            plan_fill(ranges, nr, lim, msi_banks, plan);
            if (plan->nr_msi_windows == msi_banks) {
                plan->nr_reach = lim->nr_reach;
                memcpy(plan->reach, lim->reach, sizeof(plan->reach));
                return PAMU_PLAN_OK;
            }
        }
        if (a == PAMU_PLAN_MAX_POW2) {
            res->windows_needed = UINT64_MAX;
            res->aperture_end = 0;
            return PAMU_PLAN_ADDRESS_WIDTH;
        }
    }
}

/*
 * The window size the rule starts from: the largest power of two dividing
 * every start, end and host/device offset, and no larger than any page.
 */
static uint64_t first_window(const PamuRamRange *ranges, unsigned nr,
                             const PamuPlanLimits *lim, uint64_t page_floor)
{
    uint64_t bits = 0, page = PAMU_PLAN_MAX_POW2, w;
    unsigned i;

    for (i = 0; i < nr; i++) {
        bits |= ranges[i].iova | (ranges[i].iova + ranges[i].size) |
                range_offset(&ranges[i], page_floor);
        page = MIN(page, range_page(&ranges[i], page_floor));
    }
    w = MIN(lowest_bit(bits), pow2floor(page));
    if (limit_end(lim)) {
        w = MIN(w, limit_end(lim));
    }
    return w;
}

/*
 * Runs the rule: the first window size, growing only while the aperture
 * would have too many windows.  @res describes the first window size's
 * failure when no size works.
 */
static bool plan_rule(const PamuRamRange *ranges, unsigned nr,
                      const PamuPlanLimits *lim, uint32_t msi_banks,
                      uint64_t page_floor, PamuPlan *plan,
                      PamuPlanResult *res)
{
    uint64_t w0 = first_window(ranges, nr, lim, page_floor), w;
    PamuPlanStatus st;
    PamuPlanResult scratch;

    res->window_size = w0;
    st = plan_for_window(ranges, nr, lim, msi_banks, page_floor, w0, plan,
                         res);
    res->status = st;
    if (st != PAMU_PLAN_TOO_MANY_WINDOWS) {
        return st == PAMU_PLAN_OK;
    }
    for (w = w0 << 1; w && w <= PAMU_PLAN_MAX_POW2; w <<= 1) {
        if (limit_end(lim) && w > limit_end(lim)) {
            break;
        }
        st = plan_for_window(ranges, nr, lim, msi_banks, page_floor, w,
                             plan, &scratch);
        if (st == PAMU_PLAN_OK) {
            res->status = st;
            return true;
        }
        if (st == PAMU_PLAN_ADDRESS_WIDTH) {
            break;          /* larger windows only need larger apertures */
        }
    }
    return false;
}

static bool ranges_valid(const PamuRamRange *ranges, unsigned nr,
                         PamuPlanResult *res)
{
    const uint64_t mask = PAMU_PLAN_MIN_WINDOW - 1;
    unsigned i, j;

    for (i = 0; i < nr; i++) {
        const PamuRamRange *r = &ranges[i];

        res->range = i;
        if (!r->size || ((r->iova | r->size | r->hva) & mask) ||
            r->iova + r->size <= r->iova ||
            !is_power_of_2(r->page_size) ||
            r->page_size < PAMU_PLAN_MIN_WINDOW) {
            return false;
        }
        for (j = 0; j < i; j++) {
            if (ranges_overlap(r->iova, r->size,
                               ranges[j].iova, ranges[j].size)) {
                return false;
            }
        }
    }
    return true;
}

bool pamu_plan(const PamuRamRange *ranges, unsigned nr,
               const PamuPlanLimits *lim, PamuPlan *plan,
               PamuPlanResult *res)
{
    PamuPlanResult first, scratch;
    PamuPlanLimits wide = *lim, everywhere = *lim;
    uint64_t p, min_page = PAMU_PLAN_MAX_POW2, max_page = 0, bits = 0;
    unsigned i;

    g_assert(lim->nr_reach <= PAMU_PLAN_MAX_REACH);
    memset(res, 0, sizeof(*res));
    if (!nr) {
        res->status = PAMU_PLAN_NO_RAM;
        return false;
    }
    if (!ranges_valid(ranges, nr, res)) {
        res->status = PAMU_PLAN_BAD_RANGE;
        return false;
    }
    for (i = 0; i < nr; i++) {
        if (!reachable(lim->reach, lim->nr_reach, ranges[i].iova,
                       ranges[i].size)) {
            res->range = i;
            res->status = PAMU_PLAN_RAM_UNREACHABLE;
            return false;
        }
    }
    if (plan_rule(ranges, nr, lim, lim->msi_banks, 0, plan, res)) {
        return true;
    }
    first = *res;

    /* Say which constraint bites, and what backing pages would do. */
    wide.addr_bits = 64;
    everywhere.nr_reach = 0;
    if (lim->nr_reach &&
        plan_rule(ranges, nr, &everywhere, lim->msi_banks, 0, plan,
                  &scratch)) {
        first.status = PAMU_PLAN_MSI_UNREACHABLE;
    } else if (lim->msi_banks &&
               plan_rule(ranges, nr, lim, 0, 0, plan, &scratch)) {
        first.status = PAMU_PLAN_NO_MSI_WINDOWS;
    } else if (plan_rule(ranges, nr, &wide, lim->msi_banks, 0, plan,
                         &scratch)) {
        first.status = PAMU_PLAN_ADDRESS_WIDTH;
    }
    /*
     * Pages larger than every range and than the first window size the
     * guest addresses allow change nothing more: stop there.
     */
    for (i = 0; i < nr; i++) {
        min_page = MIN(min_page, ranges[i].page_size);
        max_page = MAX(max_page, pow2ceil(ranges[i].size));
        bits |= ranges[i].iova | (ranges[i].iova + ranges[i].size);
    }
    max_page = MAX(max_page, lowest_bit(bits));
    for (p = min_page << 1; p && p <= max_page; p <<= 1) {
        if (plan_rule(ranges, nr, lim, lim->msi_banks, p, plan, &scratch)) {
            first.min_page_size = p;
            break;
        }
    }
    *res = first;
    return false;
}

PamuFitStatus pamu_plan_fit(const PamuPlan *plan, const PamuRamRange *r,
                            uint64_t mem_start, uint64_t mem_end,
                            PamuMapOp ops[2], unsigned *nr_ops,
                            uint32_t *window)
{
    uint64_t w = plan->window_size, off, head, whva, last_hva, tail, piece;
    uint32_t first, last, whole, i;

    *nr_ops = 0;
    *window = UINT32_MAX;
    if (!r->size || r->iova < plan->aperture_start ||
        r->iova - plan->aperture_start >= plan->aperture_size ||
        r->size > plan->aperture_size - (r->iova - plan->aperture_start)) {
        return PAMU_FIT_OUTSIDE_APERTURE;
    }
    off = r->iova - plan->aperture_start;
    first = off / w;
    last = (off + r->size - 1) / w;
    /* the host memory must reach back to the first window's start */
    head = off - (uint64_t)first * w;
    if (r->hva - mem_start < head) {
        *window = first;
        return PAMU_FIT_NO_WINDOW_START;
    }
    whva = r->hva - head;
    last_hva = whva + (uint64_t)(last - first) * w;
    tail = MIN(w, mem_end - last_hva);
    if (tail != w && (!is_power_of_2(tail) || tail < PAMU_PLAN_MIN_WINDOW)) {
        *window = last;
        return PAMU_FIT_BAD_TAIL;
    }
    for (i = first; i <= last; i++) {
        if (plan->use[i] == PAMU_WINDOW_MSI) {
            *window = i;
            return PAMU_FIT_MSI_WINDOW;
        }
    }
    piece = first == last ? tail : w;
    if (whva & (piece - 1)) {
        *window = first;
        return PAMU_FIT_HVA_MISALIGNED;
    }
    if (piece > r->page_size) {
        *window = first;
        return PAMU_FIT_PAGE_TOO_SMALL;
    }
    for (i = first; i <= last; i++) {
        if (!reachable(plan->reach, plan->nr_reach,
                       plan->aperture_start + (uint64_t)i * w,
                       i == last ? tail : w)) {
            *window = i;
            return PAMU_FIT_UNREACHABLE;
        }
    }

    whole = last - first + (tail == w);
    if (whole) {
        ops[(*nr_ops)++] = (PamuMapOp) {
            .iova = plan->aperture_start + (uint64_t)first * w,
            .size = (uint64_t)whole * w, .hva = whva,
            .window = first, .nr_windows = whole,
        };
    }
    if (tail != w) {
        ops[(*nr_ops)++] = (PamuMapOp) {
            .iova = plan->aperture_start + (uint64_t)last * w,
            .size = tail, .hva = last_hva,
            .window = last, .nr_windows = 1,
        };
    }
    return PAMU_FIT_OK;
}

bool pamu_plan_page_range(uint64_t start, Int128 size, uint64_t page_size,
                          uint64_t *first, uint64_t *last)
{
    Int128 mask = int128_exts64(-(int64_t)page_size);
    Int128 lo = int128_and(int128_add(int128_make64(start),
                                      int128_make64(page_size - 1)), mask);
    Int128 hi = int128_and(int128_add(int128_make64(start), size), mask);

    if (int128_ge(lo, hi)) {
        return false;
    }
    *first = int128_get64(lo);
    *last = int128_get64(int128_sub(hi, int128_one()));
    return true;
}

static uint64_t window_iova(const PamuPlan *plan, uint32_t i)
{
    return plan->aperture_start + (uint64_t)i * plan->window_size;
}

/* The permissions every user of @w has; 0 if it has none */
static uint8_t common_perm(const PamuWindow *w, uint8_t extra)
{
    uint8_t perm = extra ? extra : PAMU_PERM_RW;
    bool any = extra;
    unsigned p;

    for (p = 1; p <= PAMU_PERM_RW; p++) {
        if (w->users[p]) {
            perm &= p;
            any = true;
        }
    }
    return any ? perm : 0;
}

/* Does @sec share window @i with a neighbour, i.e. cover only part of it? */
static bool window_shared(const PamuPlan *plan, const PamuSectionMap *sec,
                          uint32_t i)
{
    uint64_t start = window_iova(plan, i);

    return start < sec->iova || start + (plan->window_size - 1) > sec->last;
}

static void add_call(GArray *calls, bool map, const PamuPlan *plan,
                     uint32_t first, uint32_t n, uint64_t size, uint64_t hva,
                     uint8_t perm)
{
    PamuCall c = {
        .map = map, .window = first, .nr_windows = n,
        .iova = window_iova(plan, first), .size = size, .hva = hva,
        .perm = perm,
    };

    g_array_append_val(calls, c);
}

/* The bytes of the mapping that starts at window @first */
static uint64_t mapping_size(const PamuPlan *plan, const PamuWindow *win,
                             uint32_t first)
{
    uint32_t last = first + win[first].map_count - 1;

    return (uint64_t)(last - first) * plan->window_size + win[last].size;
}

/* Maps the windows of @op that nothing maps: shared ones on their own */
static void add_new_windows(const PamuPlan *plan, const PamuWindow *win,
                            const PamuSectionMap *sec, const PamuMapOp *op,
                            GArray *calls)
{
    uint64_t w = plan->window_size, piece = MIN(op->size, w);
    uint32_t end = op->window + op->nr_windows, i = op->window, first;

    while (i < end) {
        if (win[i].size) {
            i++;
            continue;
        }
        first = i++;
        while (i < end && !win[i].size && !window_shared(plan, sec, i) &&
               !window_shared(plan, sec, first)) {
            i++;
        }
        add_call(calls, true, plan, first, i - first,
                 i - first > 1 ? (uint64_t)(i - first) * w : piece,
                 op->hva + (uint64_t)(first - op->window) * w, sec->perm);
    }
}

bool pamu_windows_add(const PamuPlan *plan, const PamuWindow *win,
                      const PamuSectionMap *sec, GArray *calls,
                      uint32_t *conflict)
{
    uint64_t w = plan->window_size;
    unsigned k;
    uint32_t i;

    for (k = 0; k < sec->nr_ops; k++) {
        const PamuMapOp *op = &sec->ops[k];

        for (i = op->window; i < op->window + op->nr_windows; i++) {
            uint8_t perm = common_perm(&win[i], sec->perm);

            if (!win[i].size) {
                continue;
            }
            *conflict = i;
            if (win[i].hva != op->hva + (uint64_t)(i - op->window) * w ||
                win[i].size != MIN(op->size, w) || !perm ||
                (perm != win[i].perm && win[i].map_count != 1)) {
                return false;
            }
        }
    }
    for (k = 0; k < sec->nr_ops; k++) {
        add_new_windows(plan, win, sec, &sec->ops[k], calls);
    }
    /* last, so that a failure before needs no remapping undone */
    for (k = 0; k < sec->nr_ops; k++) {
        const PamuMapOp *op = &sec->ops[k];

        for (i = op->window; i < op->window + op->nr_windows; i++) {
            uint8_t perm = common_perm(&win[i], sec->perm);

            if (win[i].size && perm != win[i].perm) {
                add_call(calls, false, plan, i, 1, win[i].size, 0, 0);
                add_call(calls, true, plan, i, 1, win[i].size, win[i].hva,
                         perm);
            }
        }
    }
    return true;
}

void pamu_windows_remove(const PamuPlan *plan, const PamuWindow *win,
                         const PamuSectionMap *sec, GArray *calls)
{
    uint32_t i, j, first, seen = UINT32_MAX;
    unsigned k;

    for (k = 0; k < sec->nr_ops; k++) {
        const PamuMapOp *op = &sec->ops[k];

        for (i = op->window; i < op->window + op->nr_windows; i++) {
            uint8_t perm = 0;

            first = win[i].map_first;
            if (!win[i].size || first == seen) {
                continue;
            }
            seen = first;
            for (j = first; j < first + win[first].map_count; j++) {
                perm |= common_perm(&win[j], 0);
            }
            if (!perm) {
                add_call(calls, false, plan, first, win[first].map_count,
                         mapping_size(plan, win, first), 0, 0);
            } else if (win[first].map_count == 1 &&
                       perm != win[first].perm) {
                add_call(calls, false, plan, first, 1, win[first].size, 0, 0);
                add_call(calls, true, plan, first, 1, win[first].size,
                         win[first].hva, perm);
            }
        }
    }
}

void pamu_windows_use(PamuWindow *win, const PamuSectionMap *sec, int delta)
{
    unsigned k;
    uint32_t i;

    for (k = 0; k < sec->nr_ops; k++) {
        for (i = 0; i < sec->ops[k].nr_windows; i++) {
            win[sec->ops[k].window + i].users[sec->perm] += delta;
        }
    }
}

PamuCall pamu_call_undo(const PamuPlan *plan, const PamuWindow *win,
                        const PamuCall *c)
{
    const PamuWindow *first = &win[c->window];

    if (c->map) {
        return (PamuCall) {
            .map = false, .window = c->window, .nr_windows = c->nr_windows,
            .iova = c->iova, .size = c->size,
        };
    }
    /* a whole mapping is unmapped: its windows map consecutive memory */
    return (PamuCall) {
        .map = true, .window = c->window, .nr_windows = c->nr_windows,
        .iova = c->iova, .size = c->size, .hva = first->hva,
        .perm = first->perm,
    };
}

void pamu_call_apply(const PamuPlan *plan, PamuWindow *win,
                     const PamuCall *c)
{
    uint64_t w = plan->window_size;
    uint32_t i;

    for (i = c->window; i < c->window + c->nr_windows; i++) {
        if (!c->map) {
            win[i].hva = win[i].size = 0;
            win[i].map_first = win[i].map_count = 0;
            win[i].perm = 0;
            continue;
        }
        win[i].hva = c->hva + (uint64_t)(i - c->window) * w;
        win[i].size = MIN(c->size, w);
        win[i].map_first = c->window;
        win[i].map_count = c->nr_windows;
        win[i].perm = c->perm;
    }
}
