/*
 * Unit tests for the PAMU vfio geometry planner (hw/vfio/fsl-pamu-plan.c)
 *
 * The examples of docs/devel/vfio-pamu.rst, the failure cases, and a
 * randomized test that checks every plan against the uAPI rules and
 * against a brute-force search for the fewest windows.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/host-utils.h"
#include "qemu/units.h"
#include "hw/vfio/fsl-pamu-plan.h"

#define HVA_BASE    0x7f0000000000ULL     /* 1 TiB aligned */

static PamuPlanLimits limits(uint32_t banks, uint32_t max, uint32_t bits)
{
    return (PamuPlanLimits) {
        .max_windows = max, .msi_banks = banks, .addr_bits = bits,
    };
}

static PamuRamRange ram(uint64_t iova, uint64_t size, uint64_t page)
{
    return (PamuRamRange) {
        .iova = iova, .size = size, .hva = HVA_BASE + iova, .page_size = page,
    };
}

/* A section that is all of its host memory */
static PamuFitStatus fit(const PamuPlan *p, const PamuRamRange *r,
                         PamuMapOp ops[2], unsigned *nr_ops, uint32_t *win)
{
    return pamu_plan_fit(p, r, r->hva, r->hva + r->size, ops, nr_ops, win);
}

static void assert_windows(const PamuPlan *p, uint32_t first, uint32_t n,
                           PamuWindowUse use)
{
    uint32_t i;

    for (i = first; i < first + n; i++) {
        g_assert_cmpint(p->use[i], ==, use);
    }
}

/* Example 1: 2 GiB RAM, 1 GiB pages, 3 banks */
static void test_example_2g(void)
{
    PamuRamRange r = ram(0, 2 * GiB, 1 * GiB);
    PamuPlanLimits lim = limits(3, 256, 36);
    PamuPlanResult res;
    PamuPlan p;

    g_assert_true(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_OK);
    g_assert_cmphex(p.window_size, ==, 1 * GiB);
    g_assert_cmphex(p.aperture_start, ==, 0);
    g_assert_cmphex(p.aperture_size, ==, 8 * GiB);
    g_assert_cmpuint(p.nr_windows, ==, 8);
    g_assert_cmpuint(p.nr_ram_windows, ==, 2);
    g_assert_cmpuint(p.nr_msi_windows, ==, 3);
    assert_windows(&p, 0, 2, PAMU_WINDOW_RAM);
    assert_windows(&p, 2, 3, PAMU_WINDOW_FREE);
    assert_windows(&p, 5, 3, PAMU_WINDOW_MSI);
}

/* Example 2: 3 GiB RAM, 256 MiB pages, 1 bank */
static void test_example_3g(void)
{
    PamuRamRange r = ram(0, 3 * GiB, 256 * MiB);
    PamuPlanLimits lim = limits(1, 256, 36);
    PamuPlanResult res;
    PamuPlan p;

    g_assert_true(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmphex(p.window_size, ==, 256 * MiB);
    g_assert_cmphex(p.aperture_size, ==, 4 * GiB);
    g_assert_cmpuint(p.nr_windows, ==, 16);
    assert_windows(&p, 0, 12, PAMU_WINDOW_RAM);
    assert_windows(&p, 12, 3, PAMU_WINDOW_FREE);
    assert_windows(&p, 15, 1, PAMU_WINDOW_MSI);
}

/*
 * Example 3: 1 GiB on 4 KiB pages is refused.  Without MSI banks 4 MiB
 * pages suffice (256 windows); each bank needs a window of its own, so
 * with banks the aperture doubles and 8 MiB pages are the minimum.
 */
static void test_example_small_pages(void)
{
    PamuRamRange r = ram(0, 1 * GiB, 4 * KiB);
    PamuPlanLimits lim0 = limits(0, 256, 36), lim3 = limits(3, 256, 36);
    PamuPlanResult res;
    PamuPlan p;

    g_assert_false(pamu_plan(&r, 1, &lim0, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_TOO_MANY_WINDOWS);
    g_assert_cmphex(res.window_size, ==, 4 * KiB);
    g_assert_cmpuint(res.windows_needed, ==, 262144);
    g_assert_cmphex(res.min_page_size, ==, 4 * MiB);

    g_assert_false(pamu_plan(&r, 1, &lim3, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_TOO_MANY_WINDOWS);
    g_assert_cmphex(res.min_page_size, ==, 8 * MiB);

    r.page_size = 8 * MiB;
    g_assert_true(pamu_plan(&r, 1, &lim3, &p, &res));
    g_assert_cmphex(p.window_size, ==, 8 * MiB);
    g_assert_cmpuint(p.nr_windows, ==, 256);
    assert_windows(&p, 253, 3, PAMU_WINDOW_MSI);
}

/* The e500 cases of the end-to-end test: 2 MiB pages, 3 banks */
static void test_e500_2m(void)
{
    PamuRamRange r = ram(0, 128 * MiB, 2 * MiB);
    PamuPlanLimits lim = limits(3, 256, 36);
    PamuPlanResult res;
    PamuPlan p;

    g_assert_true(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmphex(p.window_size, ==, 2 * MiB);
    g_assert_cmphex(p.aperture_size, ==, 256 * MiB);
    g_assert_cmpuint(p.nr_windows, ==, 128);
    assert_windows(&p, 125, 3, PAMU_WINDOW_MSI);

    /* 512 MiB fills all 256 windows: no room for the banks */
    r.size = 512 * MiB;
    g_assert_false(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_NO_MSI_WINDOWS);
    g_assert_cmpuint(res.windows_needed, ==, 512);
    g_assert_cmphex(res.min_page_size, ==, 4 * MiB);

    /* 576 MiB needs 288 windows for RAM alone */
    r.size = 576 * MiB;
    g_assert_false(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_TOO_MANY_WINDOWS);
    g_assert_cmphex(res.min_page_size, ==, 4 * MiB);
}

/*
 * A RAM end that is not a multiple of a large window: the rule's window
 * (2 MiB) needs 514 windows, so it grows to 8 MiB with a partial window.
 */
static void test_grow_window(void)
{
    PamuRamRange r = ram(0, 1 * GiB + 2 * MiB, 1 * GiB);
    PamuPlanLimits lim = limits(1, 256, 36);
    PamuPlanResult res;
    PamuMapOp ops[2];
    unsigned nr_ops;
    uint32_t win;
    PamuPlan p;

    g_assert_true(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmphex(p.window_size, ==, 8 * MiB);
    g_assert_cmphex(p.aperture_size, ==, 2 * GiB);
    g_assert_cmpuint(p.nr_ram_windows, ==, 129);
    assert_windows(&p, 255, 1, PAMU_WINDOW_MSI);

    g_assert_cmpint(fit(&p, &r, ops, &nr_ops, &win), ==, PAMU_FIT_OK);
    g_assert_cmpuint(nr_ops, ==, 2);
    g_assert_cmphex(ops[0].iova, ==, 0);
    g_assert_cmphex(ops[0].size, ==, 1 * GiB);
    g_assert_cmpuint(ops[0].nr_windows, ==, 128);
    g_assert_cmphex(ops[1].iova, ==, 1 * GiB);
    g_assert_cmphex(ops[1].size, ==, 2 * MiB);
    g_assert_cmphex(ops[1].hva, ==, HVA_BASE + 1 * GiB);
    g_assert_cmpuint(ops[1].window, ==, 128);
}

static void test_bad_ranges(void)
{
    PamuPlanLimits lim = limits(1, 256, 36);
    PamuRamRange r[2] = {};
    PamuPlanResult res;
    PamuPlan p;

    g_assert_false(pamu_plan(r, 0, &lim, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_NO_RAM);

    r[0] = ram(0, 64 * MiB, 2 * MiB);
    r[1] = ram(32 * MiB, 64 * MiB, 2 * MiB);            /* overlaps */
    g_assert_false(pamu_plan(r, 2, &lim, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_BAD_RANGE);
    g_assert_cmpuint(res.range, ==, 1);

    r[1] = ram(64 * MiB, 0x800, 2 * MiB);               /* below 4 KiB */
    g_assert_false(pamu_plan(r, 2, &lim, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_BAD_RANGE);

    r[1] = ram(64 * MiB, 0, 2 * MiB);                   /* empty */
    g_assert_false(pamu_plan(r, 2, &lim, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_BAD_RANGE);

    r[1] = ram(-4 * KiB, 8 * KiB, 4 * KiB);             /* wraps */
    g_assert_false(pamu_plan(r, 2, &lim, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_BAD_RANGE);

    r[1] = ram(64 * MiB, 64 * MiB, 3 * MiB);            /* odd page */
    g_assert_false(pamu_plan(r, 2, &lim, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_BAD_RANGE);
}

/* RAM beyond what the host PAMU addresses: no page size helps */
static void test_address_width(void)
{
    PamuRamRange r = ram(4 * GiB, 2 * GiB, 1 * GiB);
    PamuPlanLimits lim = limits(1, 256, 32);
    PamuPlanResult res;
    PamuPlan p;

    g_assert_false(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_ADDRESS_WIDTH);
    g_assert_cmphex(res.aperture_end, ==, 8 * GiB);
    g_assert_cmphex(res.min_page_size, ==, 0);

    /* RAM fits below 4 GiB, its MSI windows do not */
    r = ram(0, 4 * GiB, 1 * GiB);
    g_assert_false(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_NO_MSI_WINDOWS);
    g_assert_cmphex(res.min_page_size, ==, 0);
}

/*
 * Host memory aligned to its 2 MiB pages but not to 4 MiB: the window
 * cannot grow past 2 MiB.  Larger pages would be aligned to their size.
 */
static void test_hva_offset(void)
{
    PamuRamRange r = ram(0, 128 * MiB, 2 * MiB);
    PamuPlanLimits lim = limits(1, 256, 36);
    PamuPlanResult res;
    PamuPlan p;

    r.hva += 2 * MiB;
    g_assert_true(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmphex(p.window_size, ==, 2 * MiB);

    r.size = 512 * MiB;
    r.page_size = 1 * GiB;
    g_assert_false(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_NO_MSI_WINDOWS);
    g_assert_cmphex(res.window_size, ==, 2 * MiB);
    g_assert_cmphex(res.min_page_size, ==, 0);

    r.page_size = 2 * MiB;
    g_assert_false(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmphex(res.min_page_size, ==, 4 * MiB);
}

/* The run-time check of a RAM section against a plan */
static void test_fit(void)
{
    PamuRamRange r = ram(0, 128 * MiB, 2 * MiB), s;
    PamuPlanLimits lim = limits(3, 256, 36);
    PamuPlanResult res;
    PamuMapOp ops[2];
    unsigned nr_ops;
    uint32_t win;
    PamuPlan p;

    g_assert_true(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmpint(fit(&p, &r, ops, &nr_ops, &win), ==, PAMU_FIT_OK);
    g_assert_cmpuint(nr_ops, ==, 1);
    g_assert_cmpuint(ops[0].nr_windows, ==, 64);

    /* A partial window: a power of two at a window's start */
    s = ram(0, 1 * MiB, 2 * MiB);
    g_assert_cmpint(fit(&p, &s, ops, &nr_ops, &win), ==, PAMU_FIT_OK);
    g_assert_cmpuint(nr_ops, ==, 1);
    g_assert_cmphex(ops[0].size, ==, 1 * MiB);

    /* Part of a window, inside RAM: the whole window */
    s = ram(1 * MiB + 4 * KiB, 3 * MiB, 2 * MiB);
    g_assert_cmpint(pamu_plan_fit(&p, &s, r.hva, r.hva + r.size, ops,
                                  &nr_ops, &win), ==, PAMU_FIT_OK);
    g_assert_cmpuint(nr_ops, ==, 1);
    g_assert_cmphex(ops[0].iova, ==, 0);
    g_assert_cmphex(ops[0].size, ==, 6 * MiB);
    g_assert_cmphex(ops[0].hva, ==, HVA_BASE);
    g_assert_cmpint(fit(&p, &s, ops, &nr_ops, &win), ==,
                    PAMU_FIT_NO_WINDOW_START);
    g_assert_cmpuint(win, ==, 0);

    /* The same host memory seen at another device address */
    s = ram(128 * MiB, 64 * MiB, 2 * MiB);
    s.hva = HVA_BASE;
    g_assert_cmpint(fit(&p, &s, ops, &nr_ops, &win), ==, PAMU_FIT_OK);
    g_assert_cmpuint(ops[0].window, ==, 64);

    s = ram(256 * MiB, 2 * MiB, 2 * MiB);
    g_assert_cmpint(fit(&p, &s, ops, &nr_ops, &win), ==,
                    PAMU_FIT_OUTSIDE_APERTURE);
    s = ram(254 * MiB, 4 * MiB, 2 * MiB);
    g_assert_cmpint(fit(&p, &s, ops, &nr_ops, &win), ==,
                    PAMU_FIT_OUTSIDE_APERTURE);
    s = ram(0, 3 * MiB, 2 * MiB);
    g_assert_cmpint(fit(&p, &s, ops, &nr_ops, &win), ==, PAMU_FIT_OK);
    g_assert_cmpuint(nr_ops, ==, 2);
    s = ram(0, 2 * MiB + 12 * KiB, 2 * MiB);
    g_assert_cmpint(fit(&p, &s, ops, &nr_ops, &win), ==, PAMU_FIT_BAD_TAIL);
    g_assert_cmpuint(win, ==, 1);
    s = ram(248 * MiB, 4 * MiB, 2 * MiB);
    g_assert_cmpint(fit(&p, &s, ops, &nr_ops, &win), ==,
                    PAMU_FIT_MSI_WINDOW);
    g_assert_cmpuint(win, ==, 125);
    s = ram(0, 4 * MiB, 2 * MiB);
    s.hva += 1 * MiB;
    g_assert_cmpint(fit(&p, &s, ops, &nr_ops, &win), ==,
                    PAMU_FIT_HVA_MISALIGNED);
    s = ram(0, 4 * MiB, 4 * KiB);
    g_assert_cmpint(fit(&p, &s, ops, &nr_ops, &win), ==,
                    PAMU_FIT_PAGE_TOO_SMALL);
    s = ram(0, 0, 2 * MiB);
    g_assert_cmpint(fit(&p, &s, ops, &nr_ops, &win), ==,
                    PAMU_FIT_OUTSIDE_APERTURE);
}

/* --- randomized property test --------------------------------------------- */

/*
 * Brute force, written independently of the planner: can @r be cut, window
 * by window, into mappings the uAPI accepts?  Records the absolute windows
 * used in @used.
 */
static bool oracle_range_ok(const PamuRamRange *r, uint64_t w,
                            GHashTable *used, unsigned cap)
{
    uint64_t off;

    for (off = 0; off < r->size; off += w) {
        uint64_t piece = MIN(w, r->size - off);
        uint64_t iova = r->iova + off, hva = r->hva + off;
        uint64_t idx = iova / w;

        if (iova % w || (piece != w && (!is_power_of_2(piece) ||
                                        piece < 4 * KiB)) ||
            hva % piece || piece > r->page_size) {
            return false;
        }
        /* more windows than the PAMU has: no plan with this size */
        if (g_hash_table_contains(used, GSIZE_TO_POINTER(idx)) ||
            g_hash_table_size(used) >= cap) {
            return false;
        }
        g_hash_table_add(used, GSIZE_TO_POINTER(idx));
    }
    return true;
}

/* Fewest windows of @w bytes an aperture may have, or 0 */
static uint64_t oracle_min_count(const PamuRamRange *rs, unsigned n,
                                 const PamuPlanLimits *lim, uint64_t w,
                                 uint64_t *start_out)
{
    g_autoptr(GHashTable) used = g_hash_table_new(NULL, NULL);
    uint64_t best = 0, a;
    unsigned i;
    int k;

    for (i = 0; i < n; i++) {
        if (!oracle_range_ok(&rs[i], w, used,
                             MIN(lim->max_windows, 256))) {
            return 0;
        }
    }
    for (k = ctz64(w); k < 64; k++) {
        uint64_t start, count = 0;
        GHashTableIter it;
        gpointer key;
        bool inside = true;

        a = 1ULL << k;
        start = rs[0].iova & ~(a - 1);
        g_hash_table_iter_init(&it, used);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            uint64_t iova = GPOINTER_TO_SIZE(key) * w;

            inside &= iova >= start && iova - start < a;
            count++;
        }
        if (!inside || a / w < count + lim->msi_banks) {
            continue;
        }
        if (a / w > MIN(lim->max_windows, 256) ||
            (lim->addr_bits < 64 &&
             start + a > (1ULL << lim->addr_bits))) {
            break;
        }
        best = a / w;
        *start_out = start;
        break;
    }
    return best;
}

/* The rule's window size, by search from the top */
static uint64_t oracle_first_window(const PamuRamRange *rs, unsigned n,
                                    const PamuPlanLimits *lim)
{
    int k;
    unsigned i;

    for (k = 63; k >= 12; k--) {
        uint64_t w = 1ULL << k;
        bool ok = lim->addr_bits >= 64 || k <= lim->addr_bits;

        for (i = 0; i < n && ok; i++) {
            ok = !(rs[i].iova % w) && !((rs[i].iova + rs[i].size) % w) &&
                 !((rs[i].hva - rs[i].iova) % w) && w <= rs[i].page_size;
        }
        if (ok) {
            return w;
        }
    }
    return 0;
}

/* What the rule must produce: window size and count, or 0 for none */
static uint64_t oracle_plan(const PamuRamRange *rs, unsigned n,
                            const PamuPlanLimits *lim, uint64_t *count,
                            uint64_t *start)
{
    uint64_t w0 = oracle_first_window(rs, n, lim), w;

    for (w = w0; w; w <<= 1) {
        if (lim->addr_bits < 64 && w > (1ULL << lim->addr_bits)) {
            break;
        }
        *count = oracle_min_count(rs, n, lim, w, start);
        if (*count) {
            return w;
        }
    }
    return 0;
}

/* Checks a successful plan against every rule of the uAPI. */
static void check_plan(const PamuRamRange *rs, unsigned n,
                       const PamuPlanLimits *lim, const PamuPlan *p)
{
    uint64_t w = p->window_size;
    uint8_t mapped[PAMU_PLAN_MAX_WINDOWS] = { 0 };
    uint32_t i, nr_ram = 0, nr_msi = 0, lowest_msi = UINT32_MAX;
    unsigned j, k;

    /* GEOMETRY and WINDOWS */
    g_assert_true(is_power_of_2(p->aperture_size));
    g_assert_cmphex(p->aperture_size, >=, 4 * KiB);
    g_assert_cmphex(p->aperture_start % p->aperture_size, ==, 0);
    if (lim->addr_bits < 64) {
        g_assert_cmphex(p->aperture_start + p->aperture_size, <=,
                        1ULL << lim->addr_bits);
    }
    g_assert_true(is_power_of_2(p->nr_windows));
    g_assert_cmpuint(p->nr_windows, <=, MIN(lim->max_windows, 256));
    g_assert_cmphex(w * p->nr_windows, ==, p->aperture_size);
    g_assert_cmphex(w, >=, 4 * KiB);

    /* MAP_DMA: every byte of RAM, each window at most once */
    for (j = 0; j < n; j++) {
        PamuMapOp ops[2];
        unsigned nr_ops;
        uint32_t win;
        uint64_t next = rs[j].iova;

        g_assert_cmpint(fit(p, &rs[j], ops, &nr_ops, &win), ==, PAMU_FIT_OK);
        g_assert_cmpuint(nr_ops, >=, 1);
        for (k = 0; k < nr_ops; k++) {
            uint64_t piece = MIN(ops[k].size, w);

            g_assert_cmphex(ops[k].iova, ==, next);
            g_assert_cmphex(ops[k].hva, ==, rs[j].hva + (next - rs[j].iova));
            g_assert_cmphex((ops[k].iova - p->aperture_start) % w, ==, 0);
            g_assert_cmpuint(ops[k].window, ==,
                             (ops[k].iova - p->aperture_start) / w);
            if (ops[k].size >= w) {
                g_assert_cmphex(ops[k].size % w, ==, 0);
                g_assert_cmpuint(ops[k].nr_windows, ==, ops[k].size / w);
            } else {
                g_assert_true(is_power_of_2(ops[k].size));
                g_assert_cmphex(ops[k].size, >=, 4 * KiB);
                g_assert_cmpuint(ops[k].nr_windows, ==, 1);
            }
            g_assert_cmphex(ops[k].hva % piece, ==, 0);
            g_assert_cmphex(piece, <=, rs[j].page_size);
            for (i = ops[k].window; i < ops[k].window + ops[k].nr_windows;
                 i++) {
                g_assert_cmpuint(i, <, p->nr_windows);
                g_assert_cmpuint(mapped[i], ==, 0);
                g_assert_cmpint(p->use[i], ==, PAMU_WINDOW_RAM);
                mapped[i] = 1;
            }
            next += ops[k].size;
        }
        g_assert_cmphex(next, ==, rs[j].iova + rs[j].size);
    }

    /* MSI windows: one per bank, disjoint from RAM, highest free first */
    for (i = 0; i < p->nr_windows; i++) {
        nr_ram += mapped[i];
        if (p->use[i] == PAMU_WINDOW_MSI) {
            g_assert_cmpuint(mapped[i], ==, 0);
            nr_msi++;
            lowest_msi = MIN(lowest_msi, i);
        } else if (p->use[i] == PAMU_WINDOW_RAM) {
            g_assert_cmpuint(mapped[i], ==, 1);
        }
    }
    g_assert_cmpuint(nr_ram, ==, p->nr_ram_windows);
    g_assert_cmpuint(nr_msi, ==, lim->msi_banks);
    g_assert_cmpuint(p->nr_msi_windows, ==, lim->msi_banks);
    for (i = lowest_msi; i < p->nr_windows; i++) {
        g_assert_cmpint(p->use[i], !=, PAMU_WINDOW_FREE);
    }
}

static uint64_t rand_pow2(int lo, int hi)
{
    return 1ULL << g_test_rand_int_range(lo, hi + 1);
}

/* A random RAM layout: mostly plannable, often not. */
static unsigned random_layout(PamuRamRange *rs, unsigned max)
{
    static const uint64_t pages[] = {
        4 * KiB, 64 * KiB, 2 * MiB, 4 * MiB, 16 * MiB, 256 * MiB, 1 * GiB,
    };
    unsigned n = g_test_rand_int_range(1, max + 1), i;
    uint64_t gran = rand_pow2(12, 30);
    uint64_t iova = g_test_rand_bit() ? 0 : gran * g_test_rand_int_range(0, 64);
    uint64_t hva = HVA_BASE;

    for (i = 0; i < n; i++) {
        uint64_t size = gran * g_test_rand_int_range(1, 40);

        if (g_test_rand_int_range(0, 8) == 0) {
            /* a power-of-two tail, for partial windows */
            size += rand_pow2(12, ctz64(gran));
        }
        rs[i].iova = iova;
        rs[i].size = size;
        rs[i].hva = hva + (g_test_rand_int_range(0, 16) == 0 ? gran / 2 : 0);
        rs[i].hva &= ~(4 * KiB - 1);
        rs[i].page_size = pages[g_test_rand_int_range(0, ARRAY_SIZE(pages))];
        if (g_test_rand_bit()) {
            rs[i].page_size = MAX(rs[i].page_size, gran);
        }
        iova += ROUND_UP(size, gran) + gran * g_test_rand_int_range(0, 4);
        hva += 64 * GiB;
    }
    return n;
}

static void test_random(void)
{
    static const uint32_t max_windows[] = { 1, 8, 64, 256, 1024 };
    static const uint32_t bits[] = { 32, 36, 40, 64 };
    unsigned iter, planned = 0, refused = 0;

    for (iter = 0; iter < 10000; iter++) {
        PamuRamRange rs[6];
        unsigned n = random_layout(rs, ARRAY_SIZE(rs));
        PamuPlanLimits lim = limits(
            g_test_rand_int_range(0, 5),
            max_windows[g_test_rand_int_range(0, ARRAY_SIZE(max_windows))],
            bits[g_test_rand_int_range(0, ARRAY_SIZE(bits))]);
        uint64_t w, count = 0, start = 0;
        PamuPlanResult res;
        PamuPlan p;
        bool ok = pamu_plan(rs, n, &lim, &p, &res);

        w = oracle_plan(rs, n, &lim, &count, &start);
        if (!ok) {
            refused++;
            g_assert_cmpuint(w, ==, 0);
            g_assert_cmpint(res.status, !=, PAMU_PLAN_OK);
            if (res.min_page_size) {
                /* memory on the pages it suggests (aligned) makes a plan */
                for (unsigned i = 0; i < n; i++) {
                    uint64_t page = res.min_page_size;

                    if (rs[i].page_size < page) {
                        rs[i].page_size = page;
                        rs[i].hva = rs[i].iova +
                                    ((rs[i].hva - rs[i].iova) & ~(page - 1));
                    }
                }
                g_assert_true(pamu_plan(rs, n, &lim, &p, &res));
                check_plan(rs, n, &lim, &p);
            }
            continue;
        }
        planned++;
        g_assert_cmpint(res.status, ==, PAMU_PLAN_OK);
        check_plan(rs, n, &lim, &p);
        /* the rule's window size and the fewest windows it allows */
        g_assert_cmphex(p.window_size, ==, w);
        g_assert_cmpuint(p.nr_windows, ==, count);
        g_assert_cmphex(p.aperture_start, ==, start);
    }
    g_test_message("%u layouts planned, %u refused", planned, refused);
    /* the generator must exercise both outcomes */
    g_assert_cmpuint(planned, >, 1000);
    g_assert_cmpuint(refused, >, 1000);
}

/* Limits of a host whose PCIe controller reaches only [start, last] */
static PamuPlanLimits limits_reach(uint32_t banks, uint64_t start,
                                   uint64_t last)
{
    PamuPlanLimits lim = limits(banks, 256, 36);

    lim.nr_reach = 1;
    lim.reach[0] = (PamuIovaRange) { .start = start, .last = last };
    return lim;
}

/*
 * The e500 guest on a host that reaches [0, 192 MiB): the same aperture,
 * but the MSI windows are the highest free windows it reaches, and no
 * section may use the windows above.
 */
static void test_reach_msi(void)
{
    PamuRamRange r = ram(0, 128 * MiB, 2 * MiB), s;
    PamuPlanLimits lim = limits_reach(3, 0, 192 * MiB - 1);
    PamuPlanResult res;
    PamuMapOp ops[2];
    unsigned nr_ops;
    uint32_t win;
    PamuPlan p;

    g_assert_true(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmphex(p.window_size, ==, 2 * MiB);
    g_assert_cmphex(p.aperture_size, ==, 256 * MiB);
    g_assert_cmpuint(p.nr_msi_windows, ==, 3);
    assert_windows(&p, 0, 64, PAMU_WINDOW_RAM);
    assert_windows(&p, 64, 29, PAMU_WINDOW_FREE);
    assert_windows(&p, 93, 3, PAMU_WINDOW_MSI);
    assert_windows(&p, 96, 32, PAMU_WINDOW_FREE);

    /* RAM seen a second time below the MSI windows, then above */
    s = ram(128 * MiB, 32 * MiB, 2 * MiB);
    s.hva = HVA_BASE;
    g_assert_cmpint(fit(&p, &s, ops, &nr_ops, &win), ==, PAMU_FIT_OK);
    s = ram(192 * MiB, 32 * MiB, 2 * MiB);
    s.hva = HVA_BASE;
    g_assert_cmpint(fit(&p, &s, ops, &nr_ops, &win), ==,
                    PAMU_FIT_UNREACHABLE);
    g_assert_cmpuint(win, ==, 96);

    /* two reachable ranges: the top of the aperture is reachable again */
    lim.nr_reach = 2;
    lim.reach[0].last = 128 * MiB - 1;
    lim.reach[1] = (PamuIovaRange) { 250 * MiB, 256 * MiB - 1 };
    g_assert_true(pamu_plan(&r, 1, &lim, &p, &res));
    assert_windows(&p, 125, 3, PAMU_WINDOW_MSI);
}

/* What a host that reaches too little refuses */
static void test_reach_refused(void)
{
    PamuRamRange r = ram(0, 128 * MiB, 2 * MiB);
    PamuPlanLimits lim = limits_reach(3, 0, 64 * MiB - 1);
    PamuPlanResult res;
    PamuPlan p;

    /* RAM itself */
    g_assert_false(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_RAM_UNREACHABLE);
    g_assert_cmpuint(res.range, ==, 0);

    /* only RAM: no reachable window left for MSI, whatever the size */
    lim = limits_reach(3, 0, 128 * MiB - 1);
    g_assert_false(pamu_plan(&r, 1, &lim, &p, &res));
    g_assert_cmpint(res.status, ==, PAMU_PLAN_MSI_UNREACHABLE);
    g_assert_cmphex(res.min_page_size, ==, 0);
    lim.msi_banks = 0;
    g_assert_true(pamu_plan(&r, 1, &lim, &p, &res));
}

/* --- the window table: which MAP_DMA/UNMAP_DMA calls a section needs --- */

/* A section [iova, iova + size) of the RAM @mem, as add_window fits it */
static PamuSectionMap section(const PamuPlan *p, const PamuRamRange *mem,
                              uint64_t iova, uint64_t size, uint8_t perm)
{
    PamuSectionMap m = { .iova = iova, .last = iova + size - 1,
                         .perm = perm };
    PamuRamRange r = {
        .iova = iova, .size = size, .hva = mem->hva + (iova - mem->iova),
        .page_size = mem->page_size,
    };
    uint32_t win;

    g_assert_cmpint(pamu_plan_fit(p, &r, mem->hva, mem->hva + mem->size,
                                  m.ops, &m.nr_ops, &win), ==, PAMU_FIT_OK);
    return m;
}

/* Call @i is a map (or unmap) of windows [window, window + n) with @perm */
static void assert_call(GArray *calls, unsigned i, bool map, uint32_t window,
                        uint32_t n, uint8_t perm)
{
    const PamuCall *c;

    g_assert_cmpuint(i, <, calls->len);
    c = &g_array_index(calls, PamuCall, i);
    g_assert_cmpint(c->map, ==, map);
    g_assert_cmpuint(c->window, ==, window);
    g_assert_cmpuint(c->nr_windows, ==, n);
    if (map) {
        g_assert_cmpuint(c->perm, ==, perm);
    }
}

/* Makes the calls as a host would, then counts @sec in or out */
static void run_calls(const PamuPlan *p, PamuWindow *win, GArray *calls,
                      const PamuSectionMap *sec, int delta)
{
    guint i;

    for (i = 0; i < calls->len; i++) {
        pamu_call_apply(p, win, &g_array_index(calls, PamuCall, i));
    }
    g_array_set_size(calls, 0);
    if (delta > 0) {
        pamu_windows_use(win, sec, delta);
    }
}

static void add(const PamuPlan *p, PamuWindow *win, const PamuSectionMap *sec,
                GArray *calls)
{
    uint32_t conflict;

    g_assert_true(pamu_windows_add(p, win, sec, calls, &conflict));
}

static void del(const PamuPlan *p, PamuWindow *win, const PamuSectionMap *sec,
                GArray *calls)
{
    pamu_windows_use(win, sec, -1);
    pamu_windows_remove(p, win, sec, calls);
}

/* Every mapped window is used by some section, with no more permissions */
static void assert_exact(const PamuPlan *p, const PamuWindow *win)
{
    uint32_t i;
    unsigned k;

    for (i = 0; i < p->nr_windows; i++) {
        uint8_t common = PAMU_PERM_RW;
        bool used = false;

        for (k = 1; k <= PAMU_PERM_RW; k++) {
            if (win[i].users[k]) {
                common &= k;
                used = true;
            }
        }
        g_assert_true(!win[i].size == !used);
        if (used) {
            g_assert_cmpuint(win[i].perm, ==, common);
        }
    }
}

/*
 * RAM split at 3 MiB into two sections sharing 2 MiB window 1: each maps
 * window 1 on its own, so when one goes, nothing stays mapped that only it
 * needed.
 */
static void test_windows_shared(void)
{
    PamuRamRange r = ram(0, 128 * MiB, 2 * MiB);
    PamuPlanLimits lim = limits(3, 256, 36);
    g_autoptr(GArray) calls = g_array_new(false, false, sizeof(PamuCall));
    g_autofree PamuWindow *win = g_new0(PamuWindow, PAMU_PLAN_MAX_WINDOWS);
    PamuSectionMap lo, hi;
    PamuPlanResult res;
    PamuPlan p;

    g_assert_true(pamu_plan(&r, 1, &lim, &p, &res));
    lo = section(&p, &r, 0, 3 * MiB, PAMU_PERM_RW);
    hi = section(&p, &r, 3 * MiB, 125 * MiB, PAMU_PERM_RW);

    add(&p, win, &lo, calls);
    g_assert_cmpuint(calls->len, ==, 2);
    assert_call(calls, 0, true, 0, 1, PAMU_PERM_RW);
    assert_call(calls, 1, true, 1, 1, PAMU_PERM_RW);
    run_calls(&p, win, calls, &lo, 1);
    add(&p, win, &hi, calls);
    g_assert_cmpuint(calls->len, ==, 1);
    assert_call(calls, 0, true, 2, 62, PAMU_PERM_RW);
    g_assert_cmphex(g_array_index(calls, PamuCall, 0).size, ==, 124 * MiB);
    run_calls(&p, win, calls, &hi, 1);
    assert_exact(&p, win);

    del(&p, win, &lo, calls);
    g_assert_cmpuint(calls->len, ==, 1);
    assert_call(calls, 0, false, 0, 1, 0);
    g_assert_cmphex(g_array_index(calls, PamuCall, 0).size, ==, 2 * MiB);
    run_calls(&p, win, calls, &lo, -1);
    assert_exact(&p, win);
    del(&p, win, &hi, calls);
    g_assert_cmpuint(calls->len, ==, 2);
    assert_call(calls, 0, false, 1, 1, 0);
    assert_call(calls, 1, false, 2, 62, 0);
    run_calls(&p, win, calls, &hi, -1);
    assert_exact(&p, win);
}

/*
 * A read-only section sharing window 1 with a read-write one makes it
 * read-only, whichever comes first, and read-write again when it goes.
 */
static void test_windows_perm(void)
{
    PamuRamRange r = ram(0, 128 * MiB, 2 * MiB);
    PamuPlanLimits lim = limits(3, 256, 36);
    g_autoptr(GArray) calls = g_array_new(false, false, sizeof(PamuCall));
    g_autofree PamuWindow *win = g_new0(PamuWindow, PAMU_PLAN_MAX_WINDOWS);
    PamuSectionMap rw, ro;
    PamuPlanResult res;
    PamuPlan p;

    g_assert_true(pamu_plan(&r, 1, &lim, &p, &res));
    rw = section(&p, &r, 0, 3 * MiB, PAMU_PERM_RW);
    ro = section(&p, &r, 3 * MiB, 5 * MiB, PAMU_PERM_R);

    add(&p, win, &rw, calls);
    run_calls(&p, win, calls, &rw, 1);
    add(&p, win, &ro, calls);
    g_assert_cmpuint(calls->len, ==, 3);
    assert_call(calls, 0, true, 2, 2, PAMU_PERM_R);
    assert_call(calls, 1, false, 1, 1, 0);
    assert_call(calls, 2, true, 1, 1, PAMU_PERM_R);
    run_calls(&p, win, calls, &ro, 1);
    assert_exact(&p, win);
    g_assert_cmpuint(win[0].perm, ==, PAMU_PERM_RW);
    g_assert_cmpuint(win[1].perm, ==, PAMU_PERM_R);

    del(&p, win, &ro, calls);
    g_assert_cmpuint(calls->len, ==, 3);
    assert_call(calls, 0, false, 1, 1, 0);
    assert_call(calls, 1, true, 1, 1, PAMU_PERM_RW);
    assert_call(calls, 2, false, 2, 2, 0);
    run_calls(&p, win, calls, &ro, -1);
    assert_exact(&p, win);
    del(&p, win, &rw, calls);
    run_calls(&p, win, calls, &rw, -1);
    assert_exact(&p, win);

    /* read-only first: the read-write section leaves window 1 alone */
    add(&p, win, &ro, calls);
    assert_call(calls, 0, true, 1, 1, PAMU_PERM_R);
    run_calls(&p, win, calls, &ro, 1);
    add(&p, win, &rw, calls);
    g_assert_cmpuint(calls->len, ==, 1);
    assert_call(calls, 0, true, 0, 1, PAMU_PERM_RW);
    run_calls(&p, win, calls, &rw, 1);
    assert_exact(&p, win);
}

/* What cannot be shared, and undoing calls */
static void test_windows_conflict(void)
{
    PamuRamRange r = ram(0, 128 * MiB, 2 * MiB), other = r;
    PamuPlanLimits lim = limits(3, 256, 36);
    g_autoptr(GArray) calls = g_array_new(false, false, sizeof(PamuCall));
    g_autofree PamuWindow *win = g_new0(PamuWindow, PAMU_PLAN_MAX_WINDOWS);
    PamuSectionMap all, ro, moved;
    PamuPlanResult res;
    PamuCall undo;
    uint32_t conflict;
    PamuPlan p;

    g_assert_true(pamu_plan(&r, 1, &lim, &p, &res));
    all = section(&p, &r, 0, 8 * MiB, PAMU_PERM_RW);
    add(&p, win, &all, calls);
    g_assert_cmpuint(calls->len, ==, 1);
    assert_call(calls, 0, true, 0, 4, PAMU_PERM_RW);

    /* undoing a map is unmapping it; undoing an unmap maps it as it was */
    undo = pamu_call_undo(&p, win, &g_array_index(calls, PamuCall, 0));
    g_assert_false(undo.map);
    g_assert_cmphex(undo.size, ==, 8 * MiB);
    run_calls(&p, win, calls, &all, 1);
    undo = pamu_call_undo(&p, win, &(PamuCall) { .map = false, .window = 0,
                                                 .nr_windows = 4,
                                                 .size = 8 * MiB });
    g_assert_true(undo.map);
    g_assert_cmphex(undo.hva, ==, HVA_BASE);
    g_assert_cmphex(undo.size, ==, 8 * MiB);
    g_assert_cmpuint(undo.perm, ==, PAMU_PERM_RW);

    /* other memory in window 1 */
    other.hva += 64 * MiB;
    moved = section(&p, &other, 3 * MiB, 2 * MiB, PAMU_PERM_RW);
    g_assert_false(pamu_windows_add(&p, win, &moved, calls, &conflict));
    g_assert_cmpuint(conflict, ==, 1);
    /* fewer permissions inside a mapping of four windows */
    ro = section(&p, &r, 3 * MiB, 2 * MiB, PAMU_PERM_R);
    g_assert_false(pamu_windows_add(&p, win, &ro, calls, &conflict));
    g_assert_cmpuint(conflict, ==, 1);
    g_assert_cmpuint(calls->len, ==, 0);
}

/* The pages vfio maps of a section, which may cover all 2^64 bytes */
static void test_page_range(void)
{
    uint64_t first = 1, last = 1;

    g_assert_true(pamu_plan_page_range(0, int128_2_64(), 4 * KiB, &first,
                                       &last));
    g_assert_cmphex(first, ==, 0);
    g_assert_cmphex(last, ==, UINT64_MAX);
    g_assert_true(pamu_plan_page_range(1ULL << 63, int128_make64(1ULL << 63),
                                       64 * KiB, &first, &last));
    g_assert_cmphex(first, ==, 1ULL << 63);
    g_assert_cmphex(last, ==, UINT64_MAX);
    /* the last page of the address space, from an unaligned start */
    g_assert_true(pamu_plan_page_range(-(uint64_t)(6 * KiB),
                                       int128_make64(6 * KiB), 4 * KiB,
                                       &first, &last));
    g_assert_cmphex(first, ==, -(uint64_t)(4 * KiB));
    g_assert_cmphex(last, ==, UINT64_MAX);
    /* unaligned ends are trimmed to whole pages */
    g_assert_true(pamu_plan_page_range(0x1234, int128_make64(0x3000),
                                       4 * KiB, &first, &last));
    g_assert_cmphex(first, ==, 0x2000);
    g_assert_cmphex(last, ==, 0x3fff);
    /* no whole page */
    g_assert_false(pamu_plan_page_range(0x1001, int128_make64(0x1000),
                                        4 * KiB, &first, &last));
    g_assert_false(pamu_plan_page_range(-(uint64_t)(2 * KiB),
                                        int128_make64(2 * KiB), 4 * KiB,
                                        &first, &last));
    g_assert_false(pamu_plan_page_range(0, int128_zero(), 4 * KiB, &first,
                                        &last));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-pamu-plan/example/2g-1g-pages", test_example_2g);
    g_test_add_func("/vfio-pamu-plan/example/3g-256m-pages", test_example_3g);
    g_test_add_func("/vfio-pamu-plan/example/4k-pages-refused",
                    test_example_small_pages);
    g_test_add_func("/vfio-pamu-plan/e500-2m-pages", test_e500_2m);
    g_test_add_func("/vfio-pamu-plan/grow-window", test_grow_window);
    g_test_add_func("/vfio-pamu-plan/bad-ranges", test_bad_ranges);
    g_test_add_func("/vfio-pamu-plan/address-width", test_address_width);
    g_test_add_func("/vfio-pamu-plan/hva-offset", test_hva_offset);
    g_test_add_func("/vfio-pamu-plan/fit", test_fit);
    g_test_add_func("/vfio-pamu-plan/random", test_random);
    g_test_add_func("/vfio-pamu-plan/page-range", test_page_range);
    g_test_add_func("/vfio-pamu-plan/reach/msi", test_reach_msi);
    g_test_add_func("/vfio-pamu-plan/reach/refused", test_reach_refused);
    g_test_add_func("/vfio-pamu-plan/windows/shared", test_windows_shared);
    g_test_add_func("/vfio-pamu-plan/windows/permissions", test_windows_perm);
    g_test_add_func("/vfio-pamu-plan/windows/conflict",
                    test_windows_conflict);
    return g_test_run();
}
