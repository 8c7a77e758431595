/*
 * Timing of the PAMU's part of a DMA access (hw/iommu/pamu-walk.c,
 * hw/iommu/pamu-tlb.c)
 *
 * Prints nanoseconds per 4 KiB DMA write: the copy alone (no IOMMU), the
 * copy after a table walk (what every access cost before the PAMU
 * remembered walks, and what a miss costs), and the copy after a lookup
 * of the remembered walk (a hit); for a plain window and for a subwindow,
 * whose walk reads two entries.  QEMU's memory core adds the same cost
 * to each variant with the PAMU (the IOMMU region's dispatch); it is not
 * part of these figures.
 *
 * The variants alternate within every round and the medians of the
 * rounds are printed, so that the machine's other load, which comes and
 * goes, hits all variants alike.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/timer.h"
#include "hw/iommu/pamu-regs.h"
#include "hw/iommu/pamu-walk.h"
#include "hw/iommu/pamu-tlb.h"
#include "../qtest/pamu-entry.h"

#define ROUNDS          31
#define OPS             100000
#define DMA_LEN         4096

#define PPAACT          0x10000ULL
#define PPAACT_ENTRIES  0x500
#define SPAACT          0x30000ULL
#define SPAACT_ENTRIES  0x100
#define LIODN           193
#define RAM_SIZE        (4 * 1024 * 1024)

static uint8_t *ram;
static uint8_t src[DMA_LEN];

/* Reads table words the way the model does from a mapped table. */
static bool fetch(void *opaque, uint64_t addr, uint32_t *words, unsigned n)
{
    unsigned i;

    if (addr > RAM_SIZE || RAM_SIZE - addr < n * 4) {
        return false;
    }
    memcpy(words, ram + addr, n * 4);
    for (i = 0; i < n; i++) {
        words[i] = be32_to_cpu(words[i]);
    }
    return true;
}

static void put_entry(uint64_t addr, const PAMUTestEntry *e)
{
    pamu_test_entry_bytes(e, ram + addr);
}

typedef enum Variant { NONE, WALK, HIT, NR_VARIANTS } Variant;

static const char *const variant_names[NR_VARIANTS] = {
    [NONE] = "no IOMMU (copy only)",
    [WALK] = "walk + copy (a miss)",
    [HIT] = "remembered + copy (a hit)",
};

typedef struct Case {
    const char *name;
    PAMUWalkRegs regs;
    uint64_t iova;          /* first DMA address; then 4 KiB steps */
    uint64_t span;          /* DMA addresses wrap within this */
} Case;

/* One DMA: where it lands, the way the variant finds it. */
static inline uint64_t dma(const Case *c, Variant v, PAMUTlb *tlb,
                           uint64_t iova)
{
    PAMUTlbEntry hit;
    PAMUWalkResult res;
    uint64_t pa = iova;

    /* as pamu_translate() does: a hit never builds a walk's result */
    if (v == HIT && pamu_tlb_find(tlb, 1, iova, PAMU_ACCESS_WRITE, &hit)) {
        pa = hit.xlat + (iova - hit.iova);
    } else if (v != NONE) {
        pamu_walk(&c->regs, fetch, NULL, LIODN, iova, PAMU_ACCESS_WRITE,
                  &res);
        if (res.status == PAMU_WALK_VIOLATION) {
            abort();
        }
        pamu_tlb_insert(tlb, 1, &res);
        pa = res.xlat + (iova - res.iova);
    }
    /* the upper half of the fake RAM takes the data, the tables stay */
    memcpy(ram + RAM_SIZE / 2 + pa % (RAM_SIZE / 2 - DMA_LEN), src,
           DMA_LEN);
    return pa;
}

static double one_round(const Case *c, Variant v)
{
    PAMUTlb tlb;
    uint64_t sum = 0;
    int64_t t0;
    unsigned i;

    pamu_tlb_init(&tlb);
    dma(c, v, &tlb, c->iova);           /* warm: a hit hits from here on */
    t0 = get_clock();
    for (i = 0; i < OPS; i++) {
        sum += dma(c, v, &tlb, c->iova + (i * (uint64_t)DMA_LEN) % c->span);
    }
    if (sum == 1) {                     /* keeps the loop */
        abort();
    }
    return (double)(get_clock() - t0) / OPS;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void run(const Case *c)
{
    static double ns[NR_VARIANTS][ROUNDS];
    double med[NR_VARIANTS];
    unsigned r, v;

    for (r = 0; r < ROUNDS; r++) {
        for (v = 0; v < NR_VARIANTS; v++) {
            /* start each round with another variant */
            unsigned k = (v + r) % NR_VARIANTS;

            ns[k][r] = one_round(c, k);
        }
    }
    printf("%s:\n", c->name);
    for (v = 0; v < NR_VARIANTS; v++) {
        qsort(ns[v], ROUNDS, sizeof(double), cmp_double);
        med[v] = ns[v][ROUNDS / 2];
        printf("  %-28s %7.1f ns per 4 KiB DMA  (rounds %.1f..%.1f)\n",
               variant_names[v], med[v], ns[v][0], ns[v][ROUNDS - 1]);
    }
    printf("  hit / no IOMMU: %.2f   walk / no IOMMU: %.2f   "
           "translation alone: walk %.1f ns, hit %.1f ns\n",
           med[HIT] / med[NONE], med[WALK] / med[NONE],
           med[WALK] - med[NONE], med[HIT] - med[NONE]);
}

int main(int argc, char **argv)
{
    PAMUWalkRegs regs = {
        .pc = R_PC_PE_MASK,
        .ppba = PPAACT,
        .ppla = PPAACT + PPAACT_ENTRIES * PAMU_PAACE_SIZE,
        .spba = SPAACT,
        .spla = SPAACT + SPAACT_ENTRIES * PAMU_PAACE_SIZE,
        .max_subwin_log2 = 8,
    };
    /* Linux's boot PAACE: one identity window over 64 GiB */
    PAMUTestEntry identity = pamu_test_identity_entry(PAMU_AP_RW);
    /* a vfio guest's layout: 16 subwindows of 1 MiB, subwindow 1 used */
    PAMUTestEntry p = { .v = true, .mw = true, .ap = PAMU_AP_RW, .wse = 23,
                        .wce = 3, .wba = 0x40000000, .fspi = 0,
                        .atm = PAMU_ATM_WINDOW, .swse = 19, .twba = 0 };
    PAMUTestEntry s = { .v = true, .pt = true, .liodn = LIODN,
                        .ap = PAMU_AP_RW, .atm = PAMU_ATM_WINDOW,
                        .swse = 19, .twba = 0x100000 };
    Case window = { "identity window (Linux's PAACE at boot)", regs,
                    0x100000, 1024 * 1024 };
    Case subwindow = { "subwindow 1 of 16 (two entries per walk)", regs,
                       0x40100000, 1024 * 1024 };

    ram = g_malloc0(RAM_SIZE);
    memset(src, 0x5a, sizeof(src));
    put_entry(PPAACT + LIODN * PAMU_PAACE_SIZE, &identity);
    printf("PAMU translation benchmark: %u rounds of %u DMA writes of "
           "%u bytes per variant; medians\n", ROUNDS, OPS, DMA_LEN);
    run(&window);
    put_entry(PPAACT + LIODN * PAMU_PAACE_SIZE, &p);
    put_entry(SPAACT, &s);
    run(&subwindow);
    g_free(ram);
    return 0;
}
