/*
 * Timing of the PAMU vfio geometry planner (hw/vfio/fsl-pamu-plan.c)
 *
 * Prints the time of one pamu_plan() call (over 2000 runs) for the e500
 * layouts QEMU meets and for the slowest inputs the planner has: refusals
 * that search every window and page size, and many RAM blocks.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qemu/timer.h"
#include "hw/vfio/fsl-pamu-plan.h"

#define RUNS    2000

typedef struct Case {
    const char *name;
    PamuRamRange ranges[256];
    unsigned nr;
    PamuPlanLimits lim;
    bool expect_ok;
} Case;

static void one_range(Case *c, const char *name, uint64_t size,
                      uint64_t page, uint32_t banks, bool ok)
{
    c->name = name;
    c->nr = 1;
    c->ranges[0] = (PamuRamRange) {
        .iova = 0, .size = size, .hva = 0x7f0000000000ULL,
        .page_size = page,
    };
    c->lim = (PamuPlanLimits) {
        .max_windows = 256, .msi_banks = banks, .addr_bits = 36,
    };
    c->expect_ok = ok;
}

/* 256 blocks of 4 KiB pages spread to the top of a 64-bit space */
static void many_ranges(Case *c)
{
    unsigned i;

    c->name = "256 RAM blocks, 4 KiB pages, 64-bit PAMU (refused)";
    c->nr = 256;
    for (i = 0; i < 256; i++) {
        c->ranges[i] = (PamuRamRange) {
            .iova = (uint64_t)i << 54, .size = 4 * KiB + (i & 1) * 4 * KiB,
            .hva = 0x7f0000000000ULL + (uint64_t)i * MiB,
            .page_size = 4 * KiB,
        };
    }
    c->lim = (PamuPlanLimits) {
        .max_windows = 256, .msi_banks = 64, .addr_bits = 64,
    };
    c->expect_ok = false;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/*
 * Mean, median, 99th percentile and worst of RUNS calls.  The machine's
 * other load shows up in the worst case, not in the median.
 */
static void run(const Case *c)
{
    static double us[RUNS];
    double total = 0;
    PamuPlanResult res;
    PamuPlan plan;
    int i;

    for (i = 0; i < RUNS; i++) {
        int64_t t0 = get_clock();
        bool ok = pamu_plan(c->ranges, c->nr, &c->lim, &plan, &res);

        us[i] = (get_clock() - t0) / 1000.0;
        g_assert(ok == c->expect_ok);
        total += us[i];
    }
    qsort(us, RUNS, sizeof(us[0]), cmp_double);
    printf("planner: %-54s mean %7.2f, median %7.2f, p99 %7.2f, "
           "worst %8.2f us\n", c->name, total / RUNS, us[RUNS / 2],
           us[RUNS * 99 / 100], us[RUNS - 1]);
}

int main(int argc, char **argv)
{
    static Case cases[6];

    one_range(&cases[0], "e500 128 MiB on 2 MiB pages, 3 banks", 128 * MiB,
              2 * MiB, 3, true);
    one_range(&cases[1], "3 GiB on 256 MiB pages, 1 bank", 3 * GiB,
              256 * MiB, 1, true);
    one_range(&cases[2], "1 GiB + 2 MiB on 1 GiB pages (window grows)",
              1 * GiB + 2 * MiB, 1 * GiB, 1, true);
    one_range(&cases[3], "1 GiB on 4 KiB pages, 3 banks (refused)", 1 * GiB,
              4 * KiB, 3, false);
    one_range(&cases[4], "512 MiB on 2 MiB pages, 3 banks (refused)",
              512 * MiB, 2 * MiB, 3, false);
    many_ranges(&cases[5]);
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        run(&cases[i]);
    }
    return 0;
}
