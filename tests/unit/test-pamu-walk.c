/*
 * Unit tests for the PAMU table walk (hw/iommu/pamu-walk.c)
 *
 * The tables live in a small fake memory; every test builds the entries it
 * needs with the same field definitions the model uses.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/iommu/pamu-regs.h"
#include "hw/iommu/pamu-walk.h"
#include "hw/iommu/pamu-tlb.h"
#include "../qtest/pamu-entry.h"

#define MEM_SIZE        0x100000
#define PPAACT          0x10000ULL
#define PPAACT_ENTRIES  0x500
#define SPAACT          0x40000ULL
#define SPAACT_ENTRIES  0x800
#define LIODN           193

#define KiB_(n)         ((uint64_t)(n) << 10)
#define MiB_(n)         ((uint64_t)(n) << 20)
#define GiB_(n)         ((uint64_t)(n) << 30)

static uint8_t mem[MEM_SIZE];
static unsigned fetches;

static bool fake_fetch(void *opaque, uint64_t addr, uint32_t *words,
                       unsigned n)
{
    unsigned i;

    fetches++;
    if (addr > MEM_SIZE || MEM_SIZE - addr < n * 4) {
        return false;
    }
    for (i = 0; i < n; i++) {
        words[i] = ldl_be_p(mem + addr + i * 4);
    }
    return true;
}

/* Registers of an enabled unit with the tables above and 256 subwindows */
static PAMUWalkRegs enabled_regs(void)
{
    PAMUWalkRegs r = {
        .pc = R_PC_PE_MASK | R_PC_OCE_MASK | R_PC_SPCC_MASK | R_PC_PPCC_MASK,
        .ppba = PPAACT,
        .ppla = PPAACT + PPAACT_ENTRIES * PAMU_PAACE_SIZE,
        .spba = SPAACT,
        .spla = SPAACT + SPAACT_ENTRIES * PAMU_PAACE_SIZE,
        .max_subwin_log2 = 8,
    };
    return r;
}

static uint64_t paace_addr(uint32_t liodn)
{
    return PPAACT + (uint64_t)liodn * PAMU_PAACE_SIZE;
}

static uint64_t spaace_addr(uint32_t index)
{
    return SPAACT + (uint64_t)index * PAMU_PAACE_SIZE;
}

static void put_entry(uint64_t addr, const PAMUTestEntry *e)
{
    pamu_test_entry_bytes(e, mem + addr);
}

/* The PAACE Linux writes at boot */
static PAMUTestEntry linux_paace(void)
{
    return pamu_test_identity_entry(PAMU_AP_RW);
}

static PAMUWalkResult walk(const PAMUWalkRegs *r, uint32_t liodn,
                           uint64_t addr, PAMUAccess access)
{
    PAMUWalkResult res;

    pamu_walk(r, fake_fetch, NULL, liodn, addr, access, &res);
    return res;
}

static void assert_violation(const PAMUWalkResult *res, uint32_t avs1)
{
    g_assert_cmpint(res->status, ==, PAMU_WALK_VIOLATION);
    g_assert_cmphex(res->avs1, ==, avs1);
}

static void assert_ok(const PAMUWalkResult *res, uint64_t iova,
                      uint64_t xlat, unsigned size_log2)
{
    g_assert_cmpint(res->status, ==, PAMU_WALK_OK);
    g_assert_cmphex(res->iova, ==, iova);
    g_assert_cmphex(res->xlat, ==, xlat);
    g_assert_cmpuint(res->size_log2, ==, size_log2);
}

static void setup(void)
{
    memset(mem, 0, sizeof(mem));
    fetches = 0;
}

static void test_bypass(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUWalkResult res;

    setup();
    r.bypass = true;
    r.pc = R_PC_PGC_MASK;       /* bypass beats everything else */
    res = walk(&r, LIODN, 0x123456789ULL, PAMU_ACCESS_WRITE);
    g_assert_cmpint(res.status, ==, PAMU_WALK_BYPASS);
    g_assert_cmphex(res.xlat + (0x123456789ULL - res.iova), ==,
                    0x123456789ULL);
    g_assert_cmpuint(res.perm, ==, PAMU_ACCESS_READ | PAMU_ACCESS_WRITE);
    g_assert_cmpuint(fetches, ==, 0);
}

static void test_gate_and_enable(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry e = linux_paace();
    PAMUWalkResult res;

    setup();
    put_entry(paace_addr(LIODN), &e);
    r.pc |= R_PC_PGC_MASK;
    res = walk(&r, LIODN, 0x1000, PAMU_ACCESS_READ);
    assert_violation(&res, R_AVS1_GCV_MASK);

    r.pc &= ~R_PC_PE_MASK;      /* gate closed wins over disabled */
    res = walk(&r, LIODN, 0x1000, PAMU_ACCESS_READ);
    assert_violation(&res, R_AVS1_GCV_MASK);

    r.pc = 0;
    res = walk(&r, LIODN, 0x1000, PAMU_ACCESS_READ);
    assert_violation(&res, R_AVS1_PDV_MASK);
    g_assert_cmpuint(fetches, ==, 0);
}

static void test_liodn_limit(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry e = linux_paace();
    PAMUWalkResult res;

    setup();
    put_entry(paace_addr(PPAACT_ENTRIES - 1), &e);
    res = walk(&r, PPAACT_ENTRIES - 1, 0x1000, PAMU_ACCESS_READ);
    g_assert_cmpint(res.status, ==, PAMU_WALK_OK);

    res = walk(&r, PPAACT_ENTRIES, 0x1000, PAMU_ACCESS_READ);
    assert_violation(&res, LAV(PAMU_LAV_NOT_IN_PPAACT));

    /* a limit below the base leaves no LIODN at all */
    r.ppla = r.ppba - PAMU_PAACE_SIZE;
    res = walk(&r, 0, 0x1000, PAMU_ACCESS_READ);
    assert_violation(&res, LAV(PAMU_LAV_NOT_IN_PPAACT));
}

static void test_invalid_paace(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry e = linux_paace();
    PAMUWalkResult res;

    setup();
    e.v = false;
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, 0x1000, PAMU_ACCESS_READ);
    assert_violation(&res, LAV(PAMU_LAV_INVALID));
    g_assert_cmphex(res.entry_addr, ==, paace_addr(LIODN));

    e = linux_paace();
    e.wse = PAMU_MIN_SIZE_ENC - 1;      /* 2 KiB: below the minimum */
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, 0x100, PAMU_ACCESS_READ);
    assert_violation(&res, LAV(PAMU_LAV_BAD_SIZE));

    e.wse = 0;                          /* Linux: "not configured" */
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, 0, PAMU_ACCESS_READ);
    assert_violation(&res, LAV(PAMU_LAV_BAD_SIZE));

    /* a table outside memory reads as an invalid entry */
    r.ppba = 0x7ff00000ULL;
    r.ppla = r.ppba + PPAACT_ENTRIES * PAMU_PAACE_SIZE;
    res = walk(&r, LIODN, 0x1000, PAMU_ACCESS_READ);
    assert_violation(&res, LAV(PAMU_LAV_INVALID));
    g_assert_true(res.flags & PAMU_WARN_FETCH);
}

static void test_identity_window(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry e = linux_paace();
    PAMUWalkResult res;

    setup();
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, 0xfe0041740ULL, PAMU_ACCESS_WRITE);
    assert_ok(&res, 0, 0, 36);
    g_assert_cmpuint(res.perm, ==, PAMU_AP_RW);
    g_assert_cmpint(res.subwindow, ==, -1);
    g_assert_cmpuint(res.flags, ==, 0);

    res = walk(&r, LIODN, GiB_(64), PAMU_ACCESS_READ);
    assert_violation(&res, WAV(PAMU_WAV_OUTSIDE));
}

static void test_window_bounds(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW, .wse = 23,
                        .wba = MiB_(32) };
    PAMUWalkResult res;

    setup();
    put_entry(paace_addr(LIODN), &e);               /* [32 MiB, 48 MiB) */
    res = walk(&r, LIODN, MiB_(32) - 1, PAMU_ACCESS_READ);
    assert_violation(&res, WAV(PAMU_WAV_OUTSIDE));
    res = walk(&r, LIODN, MiB_(32), PAMU_ACCESS_READ);
    assert_ok(&res, MiB_(32), MiB_(32), 24);
    res = walk(&r, LIODN, MiB_(48) - 1, PAMU_ACCESS_READ);
    assert_ok(&res, MiB_(32), MiB_(32), 24);
    res = walk(&r, LIODN, MiB_(48), PAMU_ACCESS_READ);
    assert_violation(&res, WAV(PAMU_WAV_OUTSIDE));

    /* an unaligned base is reported and its low bits ignored */
    e.wba = MiB_(36);
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, MiB_(33), PAMU_ACCESS_READ);
    assert_ok(&res, MiB_(32), MiB_(32), 24);
    g_assert_true(res.flags & PAMU_WARN_WBA_ALIGN);

    /* WSE = 63 covers the whole 64-bit space */
    e.wba = 0;
    e.wse = 63;
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, ~0ULL, PAMU_ACCESS_READ);
    g_assert_cmpint(res.status, ==, PAMU_WALK_OK);
    g_assert_cmpuint(res.size_log2, ==, 63);
    g_assert_cmphex(res.xlat + (~0ULL - res.iova), ==, ~0ULL);
}

static void test_translated_window(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW, .wse = 19, .wba = GiB_(1),
                        .atm = PAMU_ATM_WINDOW, .twba = MiB_(3) };
    PAMUWalkResult res;

    setup();
    put_entry(paace_addr(LIODN), &e);               /* 1 MiB window */
    res = walk(&r, LIODN, GiB_(1) + 0x12345, PAMU_ACCESS_WRITE);
    /* TWBA is only 1 MiB aligned: the block still spans the window */
    assert_ok(&res, GiB_(1), MiB_(3), 20);

    /* a translated base aligned below the window size shrinks the block */
    e.twba = MiB_(3) + KiB_(8);
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, GiB_(1) + 0x12345, PAMU_ACCESS_WRITE);
    assert_ok(&res, GiB_(1) + 0x12000, MiB_(3) + KiB_(8) + 0x12000, 13);

    /* TWBAH carries bits 63:32 */
    e.twba = 0x340000000ULL;
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, GiB_(1) + 0xff000, PAMU_ACCESS_READ);
    assert_ok(&res, GiB_(1), 0x340000000ULL, 20);
}

/* A translation never wraps past 2^64 into low memory. */
static void test_translation_wrap(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW, .wse = 12, .wba = 0,
                        .atm = PAMU_ATM_WINDOW,
                        .twba = 0xfffffffffffff000ULL };
    PAMUWalkResult res;

    setup();
    put_entry(paace_addr(LIODN), &e);               /* 8 KiB window at 0 */
    res = walk(&r, LIODN, 0x123, PAMU_ACCESS_READ);
    assert_ok(&res, 0, 0xfffffffffffff000ULL, 12);
    res = walk(&r, LIODN, 0x1000, PAMU_ACCESS_WRITE);
    assert_violation(&res, WAV(PAMU_WAV_WRAP));
    res = walk(&r, LIODN, 0x1fff, PAMU_ACCESS_QUERY);
    assert_violation(&res, WAV(PAMU_WAV_WRAP));

    /* the same in a subwindow governed by an SPAACE */
    e = (PAMUTestEntry) { .v = true, .ap = PAMU_AP_RW, .wse = 13, .wba = 0,
                          .mw = true, .wce = 0, .swse = 12, .fspi = 4 };
    put_entry(paace_addr(LIODN), &e);               /* 2 x 8 KiB */
    e = (PAMUTestEntry) { .v = true, .pt = true, .ap = PAMU_AP_RW,
                          .swse = 12, .atm = PAMU_ATM_WINDOW,
                          .twba = 0xffffffffffffe000ULL };
    put_entry(spaace_addr(4), &e);
    res = walk(&r, LIODN, 0x3000, PAMU_ACCESS_READ);
    assert_ok(&res, 0x2000, 0xffffffffffffe000ULL, 13);
    e.twba = 0xfffffffffffff000ULL;
    put_entry(spaace_addr(4), &e);
    res = walk(&r, LIODN, 0x3000, PAMU_ACCESS_READ);
    assert_violation(&res, WAV(PAMU_WAV_WRAP));
}

static void test_permissions(void)
{
    static const struct {
        unsigned ap;
        PAMUAccess access;
        unsigned apv;           /* expected APV code, 0: allowed */
    } cases[] = {
        { PAMU_AP_RW, PAMU_ACCESS_READ, 0 },
        { PAMU_AP_RW, PAMU_ACCESS_WRITE, 0 },
        { PAMU_AP_READ, PAMU_ACCESS_READ, 0 },
        { PAMU_AP_READ, PAMU_ACCESS_WRITE, PAMU_APV_WRITE },
        { PAMU_AP_WRITE, PAMU_ACCESS_READ, PAMU_APV_READ },
        { PAMU_AP_WRITE, PAMU_ACCESS_WRITE, 0 },
        { PAMU_AP_DENIED, PAMU_ACCESS_READ, PAMU_APV_READ },
        { PAMU_AP_DENIED, PAMU_ACCESS_WRITE, PAMU_APV_WRITE },
        { PAMU_AP_DENIED, PAMU_ACCESS_QUERY, 0 },
    };
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry e = linux_paace();
    PAMUWalkResult res;
    size_t i;

    setup();
    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        e.ap = cases[i].ap;
        put_entry(paace_addr(LIODN), &e);
        res = walk(&r, LIODN, MiB_(1), cases[i].access);
        if (cases[i].apv) {
            assert_violation(&res, APV(cases[i].apv));
        } else {
            assert_ok(&res, 0, 0, 36);
            g_assert_cmpuint(res.perm, ==, cases[i].ap);
        }
    }

    /* the window check comes before the permission check */
    e.ap = PAMU_AP_DENIED;
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, GiB_(64), PAMU_ACCESS_READ);
    assert_violation(&res, WAV(PAMU_WAV_OUTSIDE));
}

/*
 * A 16 MiB window at 256 MiB in 16 subwindows of 1 MiB: subwindow 0 maps
 * 1 MiB at 8 MiB through the primary entry, subwindow 1 maps 64 KiB at
 * 4 MiB through SPAACT[FSPI], subwindow 2 (SPAACT[FSPI + 1]) is read-only
 * and untranslated.
 */
#define SUB_WBA     MiB_(256)
#define SUB_FSPI    0x20

static void put_subwindows(void)
{
    PAMUTestEntry p = { .v = true, .mw = true, .ap = PAMU_AP_RW, .wse = 23,
                        .wce = 3, .wba = SUB_WBA, .fspi = SUB_FSPI,
                        .atm = PAMU_ATM_WINDOW, .swse = 19, .twba = MiB_(8) };
    PAMUTestEntry s1 = { .v = true, .pt = true, .liodn = LIODN,
                         .ap = PAMU_AP_RW,
                         .atm = PAMU_ATM_WINDOW, .swse = 15, .twba = MiB_(4) };
    PAMUTestEntry s2 = { .v = true, .pt = true, .liodn = LIODN,
                         .ap = PAMU_AP_READ,
                         .atm = PAMU_ATM_NONE, .swse = 19 };

    put_entry(paace_addr(LIODN), &p);
    put_entry(spaace_addr(SUB_FSPI), &s1);
    put_entry(spaace_addr(SUB_FSPI + 1), &s2);
}

static void test_subwindows(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUWalkResult res;

    setup();
    put_subwindows();

    res = walk(&r, LIODN, SUB_WBA + 0x5000, PAMU_ACCESS_WRITE);
    assert_ok(&res, SUB_WBA, MiB_(8), 20);
    g_assert_cmpint(res.subwindow, ==, 0);
    g_assert_cmphex(res.entry_addr, ==, paace_addr(LIODN));

    res = walk(&r, LIODN, SUB_WBA + MiB_(1) + 0x5000, PAMU_ACCESS_WRITE);
    assert_ok(&res, SUB_WBA + MiB_(1), MiB_(4), 16);
    g_assert_cmpint(res.subwindow, ==, 1);
    g_assert_cmphex(res.entry_addr, ==, spaace_addr(SUB_FSPI));

    res = walk(&r, LIODN, SUB_WBA + MiB_(2) + 0x5000, PAMU_ACCESS_READ);
    assert_ok(&res, SUB_WBA + MiB_(2), SUB_WBA + MiB_(2), 20);
    g_assert_cmpint(res.subwindow, ==, 2);
    res = walk(&r, LIODN, SUB_WBA + MiB_(2) + 0x5000, PAMU_ACCESS_WRITE);
    assert_violation(&res, APV(PAMU_APV_WRITE));

    /* subwindow 3's SPAACE was never written: V = 0 */
    res = walk(&r, LIODN, SUB_WBA + MiB_(3), PAMU_ACCESS_READ);
    assert_violation(&res, WAV(PAMU_WAV_SUBWINDOW));
    g_assert_cmphex(res.entry_addr, ==, spaace_addr(SUB_FSPI + 2));
}

static void test_partial_subwindow(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUWalkResult res;

    setup();
    put_subwindows();
    /* subwindow 1 maps only its first 64 KiB */
    res = walk(&r, LIODN, SUB_WBA + MiB_(1) + KiB_(64) - 1,
               PAMU_ACCESS_READ);
    assert_ok(&res, SUB_WBA + MiB_(1), MiB_(4), 16);
    res = walk(&r, LIODN, SUB_WBA + MiB_(1) + KiB_(64), PAMU_ACCESS_READ);
    assert_violation(&res, WAV(PAMU_WAV_UNMAPPED));
    /* the unmapped part is checked before permissions */
    res = walk(&r, LIODN, SUB_WBA + MiB_(2) - 1, PAMU_ACCESS_QUERY);
    assert_violation(&res, WAV(PAMU_WAV_UNMAPPED));
}

static void test_bad_spaace(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry s = { .v = true, .pt = false, .ap = PAMU_AP_RW, .swse = 19 };
    PAMUWalkResult res;

    setup();
    put_subwindows();
    /* PT = 0: a primary-format entry where a secondary one belongs */
    put_entry(spaace_addr(SUB_FSPI), &s);
    res = walk(&r, LIODN, SUB_WBA + MiB_(1), PAMU_ACCESS_READ);
    assert_violation(&res, WAV(PAMU_WAV_SUBWINDOW));

    /* SPAACT shorter than FSPI + k - 1 */
    put_subwindows();
    r.spla = spaace_addr(SUB_FSPI + 1);
    res = walk(&r, LIODN, SUB_WBA + MiB_(1), PAMU_ACCESS_READ);
    g_assert_cmpint(res.status, ==, PAMU_WALK_OK);
    res = walk(&r, LIODN, SUB_WBA + MiB_(2), PAMU_ACCESS_READ);
    assert_violation(&res, WAV(PAMU_WAV_SUBWINDOW));
    g_assert_true(res.flags & PAMU_WARN_SPAACE);
    /* subwindow 0 does not need the SPAACT at all */
    r.spla = 0;
    res = walk(&r, LIODN, SUB_WBA, PAMU_ACCESS_READ);
    g_assert_cmpint(res.status, ==, PAMU_WALK_OK);
}

static void test_subwindow_encodings(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry p = { .v = true, .mw = true, .ap = PAMU_AP_RW, .wse = 23,
                        .wce = 3, .wba = SUB_WBA, .fspi = SUB_FSPI,
                        .swse = 19 };
    PAMUWalkResult res;

    setup();
    /* 16 subwindows while PC3 allows 8 */
    put_entry(paace_addr(LIODN), &p);
    r.max_subwin_log2 = 3;
    res = walk(&r, LIODN, SUB_WBA, PAMU_ACCESS_READ);
    assert_violation(&res, WAV(PAMU_WAV_SUBWINDOW));
    g_assert_true(res.flags & PAMU_WARN_SUBWIN_COUNT);
    r.max_subwin_log2 = 8;

    /* 8192 subwindows of a 16 MiB window are smaller than 4 KiB */
    p.wce = 12;
    r.max_subwin_log2 = 16;
    put_entry(paace_addr(LIODN), &p);
    res = walk(&r, LIODN, SUB_WBA, PAMU_ACCESS_READ);
    assert_violation(&res, WAV(PAMU_WAV_SUBWINDOW));
    g_assert_true(res.flags & PAMU_WARN_SUBWIN_SIZE);

    /* 256 subwindows of 64 KiB: the largest count PC3 allows by default */
    p.wce = 7;
    p.swse = 15;
    r.max_subwin_log2 = 8;
    put_entry(paace_addr(LIODN), &p);
    res = walk(&r, LIODN, SUB_WBA + 0x100, PAMU_ACCESS_READ);
    assert_ok(&res, SUB_WBA, SUB_WBA, 16);

    /* a mapped size below 4 KiB */
    p.swse = 10;
    put_entry(paace_addr(LIODN), &p);
    res = walk(&r, LIODN, SUB_WBA, PAMU_ACCESS_READ);
    assert_violation(&res, WAV(PAMU_WAV_SUBWINDOW));
    g_assert_true(res.flags & PAMU_WARN_SWSE);

    /* a mapped size above the subwindow size is capped to it */
    p.swse = 30;
    put_entry(paace_addr(LIODN), &p);
    res = walk(&r, LIODN, SUB_WBA + KiB_(63), PAMU_ACCESS_READ);
    assert_ok(&res, SUB_WBA, SUB_WBA, 16);
    g_assert_cmpint(res.subwindow, ==, 0);
}

static void test_unimplemented(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry e = linux_paace();
    PAMUWalkResult res;

    setup();
    e.atm = PAMU_ATM_PAGE;
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, MiB_(1), PAMU_ACCESS_READ);
    assert_violation(&res, WAV(PAMU_WAV_UNIMPLEMENTED));
    g_assert_true(res.flags & PAMU_UNIMP_ATM);

    e.atm = PAMU_ATM_WINDOW_PAGE;
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, MiB_(1), PAMU_ACCESS_READ);
    assert_violation(&res, WAV(PAMU_WAV_UNIMPLEMENTED));

    /* DD = 1 behaves as DD = 0, flagged as unimplemented */
    e.atm = PAMU_ATM_NONE;
    e.dd = true;
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, MiB_(1), PAMU_ACCESS_READ);
    assert_ok(&res, 0, 0, 36);
    g_assert_true(res.flags & PAMU_UNIMP_DD);
}

/* Linux rewrites entries without telling the PAMU: no stale copies. */
static void test_table_rewrite(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry e = linux_paace();
    PAMUWalkResult res;

    setup();
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, MiB_(1), PAMU_ACCESS_READ);
    g_assert_cmpint(res.status, ==, PAMU_WALK_OK);
    e.v = false;                /* what pamu_av_isr does */
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, MiB_(1), PAMU_ACCESS_READ);
    assert_violation(&res, LAV(PAMU_LAV_INVALID));

    /* the SPAACT base register is honoured on every walk too */
    setup();
    put_subwindows();
    res = walk(&r, LIODN, SUB_WBA + MiB_(1), PAMU_ACCESS_READ);
    assert_ok(&res, SUB_WBA + MiB_(1), MiB_(4), 16);
    r.spba += PAMU_PAACE_SIZE;
    res = walk(&r, LIODN, SUB_WBA + MiB_(1), PAMU_ACCESS_READ);
    assert_ok(&res, SUB_WBA + MiB_(1), SUB_WBA + MiB_(1), 20);
}

/* The monitor names a record's class and sub-code after these. */
static void test_avs1_decode(void)
{
    const struct {
        uint32_t avs1;
        PAMUAvs1Class cls;
        unsigned code;
        const char *reason;
    } cases[] = {
        { 0, PAMU_CLASS_NONE, 0, "no violation" },
        { R_AVS1_GCV_MASK, PAMU_CLASS_GATE_CLOSED, 1,
          "the unit's gate is closed (PC[PGC])" },
        { R_AVS1_PDV_MASK, PAMU_CLASS_DISABLED, 1,
          "the unit is not enabled (PC[PE] clear)" },
        { LAV(PAMU_LAV_NOT_IN_PPAACT), PAMU_CLASS_LIODN, 1,
          "LIODN beyond the PPAACT limit" },
        { LAV(PAMU_LAV_BAD_SIZE), PAMU_CLASS_LIODN, 3,
          "window size below 4 KiB" },
        { WAV(PAMU_WAV_WRAP), PAMU_CLASS_WINDOW, 5,
          "translation would pass 2^64" },
        { WAV(7), PAMU_CLASS_WINDOW, 7, "unknown sub-code" },
        { APV(PAMU_APV_WRITE), PAMU_CLASS_PERMISSION, 2,
          "write not permitted" },
        { FIELD_DP32(0, AVS1, OTV, 1), PAMU_CLASS_OPERATION, 1,
          "operation translation violation" },
        /* AV and the LIODN field are not the class */
        { R_AVS1_AV_MASK | (5u << R_AVS1_LIODN_SHIFT) |
          (PAMU_APV_READ << R_AVS1_APV_SHIFT),
          PAMU_CLASS_PERMISSION, 1, "read not permitted" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        unsigned code = 99;

        g_assert_cmpint(pamu_avs1_class(cases[i].avs1, &code), ==,
                        cases[i].cls);
        g_assert_cmpuint(code, ==, cases[i].code);
        g_assert_cmpstr(pamu_avs1_reason(cases[i].avs1), ==,
                        cases[i].reason);
    }
}

/* --- the remembered walks (hw/iommu/pamu-tlb.c) --------------------- */

static void assert_same(const PAMUWalkResult *a, const PAMUWalkResult *b)
{
    g_assert_cmpint(a->status, ==, b->status);
    g_assert_cmphex(a->iova, ==, b->iova);
    g_assert_cmphex(a->xlat, ==, b->xlat);
    g_assert_cmpuint(a->size_log2, ==, b->size_log2);
    g_assert_cmpuint(a->perm, ==, b->perm);
    g_assert_cmpint(a->subwindow, ==, b->subwindow);
}

/* A hit gives exactly what the walk gave, for any address in the block. */
static void test_tlb_hit(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW, .wse = 20,
                        .wba = 0x400000, .atm = PAMU_ATM_WINDOW,
                        .twba = 0xa00000 };
    PAMUWalkResult res, hit;
    PAMUTlb tlb;

    setup();
    pamu_tlb_init(&tlb);
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, 0x412345, PAMU_ACCESS_WRITE);
    g_assert_false(pamu_tlb_lookup(&tlb, 1, 0x412345, PAMU_ACCESS_WRITE,
                                   &hit));
    pamu_tlb_insert(&tlb, 1, &res);
    g_assert_true(pamu_tlb_lookup(&tlb, 1, 0x5fffff, PAMU_ACCESS_READ,
                                  &hit));
    res = walk(&r, LIODN, 0x5fffff, PAMU_ACCESS_READ);
    assert_same(&hit, &res);
    g_assert_true(pamu_tlb_lookup(&tlb, 1, 0x400000, PAMU_ACCESS_QUERY,
                                  &hit));
    /* just outside the block, or another generation: a miss */
    g_assert_false(pamu_tlb_lookup(&tlb, 1, 0x600000, PAMU_ACCESS_READ,
                                   &hit));
    g_assert_false(pamu_tlb_lookup(&tlb, 1, 0x3fffff, PAMU_ACCESS_READ,
                                   &hit));
    g_assert_false(pamu_tlb_lookup(&tlb, 2, 0x412345, PAMU_ACCESS_READ,
                                   &hit));
    pamu_tlb_flush(&tlb);
    g_assert_false(pamu_tlb_lookup(&tlb, 1, 0x412345, PAMU_ACCESS_READ,
                                   &hit));
}

/*
 * What the entry does not permit misses, so that the walk latches the
 * violation; violations and generation 0 (no cache) are never kept.
 */
static void test_tlb_refusals(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_READ);
    PAMUWalkResult res, hit;
    PAMUTlb tlb;

    setup();
    pamu_tlb_init(&tlb);
    put_entry(paace_addr(LIODN), &e);
    res = walk(&r, LIODN, 0x1000, PAMU_ACCESS_READ);
    pamu_tlb_insert(&tlb, 5, &res);
    g_assert_true(pamu_tlb_lookup(&tlb, 5, 0x2000, PAMU_ACCESS_READ, &hit));
    g_assert_false(pamu_tlb_lookup(&tlb, 5, 0x2000, PAMU_ACCESS_WRITE,
                                   &hit));

    pamu_tlb_flush(&tlb);
    res = walk(&r, LIODN, 0x1000, PAMU_ACCESS_WRITE);
    g_assert_cmpint(res.status, ==, PAMU_WALK_VIOLATION);
    pamu_tlb_insert(&tlb, 5, &res);
    g_assert_false(pamu_tlb_lookup(&tlb, 5, 0x1000, PAMU_ACCESS_QUERY,
                                   &hit));
    res = walk(&r, LIODN, 0x1000, PAMU_ACCESS_READ);
    pamu_tlb_insert(&tlb, 0, &res);
    g_assert_false(pamu_tlb_lookup(&tlb, 0, 0x1000, PAMU_ACCESS_READ, &hit));
}

/*
 * Subwindows are remembered one by one; a bypassed unit's result too.
 * More blocks than slots: the oldest of the generation goes, and slots of
 * older generations are taken first.
 */
static void test_tlb_slots(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry p = { .v = true, .mw = true, .ap = PAMU_AP_RW, .wse = 27,
                        .wce = 3, .wba = 0, .atm = PAMU_ATM_WINDOW,
                        .swse = 22, .twba = 0x10000000, .fspi = 0 };
    PAMUTestEntry sw = { .v = true, .pt = true, .liodn = LIODN,
                         .ap = PAMU_AP_RW, .atm = PAMU_ATM_WINDOW,
                         .swse = 22 };
    PAMUWalkResult res, hit;
    PAMUTlb tlb;
    unsigned k;

    setup();
    pamu_tlb_init(&tlb);
    put_entry(paace_addr(LIODN), &p);
    for (k = 1; k < 16; k++) {
        sw.twba = 0x10000000 + k * 0x1000000;
        put_entry(spaace_addr(k - 1), &sw);
    }
    /* 16 subwindows of 16 MiB, 8 MiB of each mapped: twice the slots */
    for (k = 0; k < 16; k++) {
        res = walk(&r, LIODN, k * 0x1000000ULL + 0x100, PAMU_ACCESS_READ);
        g_assert_cmpint(res.status, ==, PAMU_WALK_OK);
        g_assert_cmpint(res.subwindow, ==, k);
        pamu_tlb_insert(&tlb, 7, &res);
    }
    for (k = 0; k < 16; k++) {
        bool want = k >= 16 - PAMU_TLB_ENTRIES;

        g_assert_cmpint(pamu_tlb_lookup(&tlb, 7, k * 0x1000000ULL,
                                        PAMU_ACCESS_READ, &hit), ==, want);
        if (want) {
            res = walk(&r, LIODN, k * 0x1000000ULL, PAMU_ACCESS_READ);
            assert_same(&hit, &res);
        }
    }

    /* a new generation: its first entry takes an old slot, all others miss */
    res = walk(&r, LIODN, 0x100, PAMU_ACCESS_READ);
    pamu_tlb_insert(&tlb, 8, &res);
    g_assert_true(pamu_tlb_lookup(&tlb, 8, 0x200, PAMU_ACCESS_READ, &hit));
    g_assert_false(pamu_tlb_lookup(&tlb, 8, 15 * 0x1000000ULL,
                                   PAMU_ACCESS_READ, &hit));

    /* a bypassed unit: one block covers the whole half (2^63) */
    r.bypass = true;
    res = walk(&r, LIODN, 0x123456789ULL, PAMU_ACCESS_WRITE);
    pamu_tlb_insert(&tlb, 9, &res);
    g_assert_true(pamu_tlb_lookup(&tlb, 9, 0x7edcba9876543210ULL,
                                  PAMU_ACCESS_WRITE, &hit));
    g_assert_cmpint(hit.status, ==, PAMU_WALK_BYPASS);
    g_assert_cmphex(hit.xlat + (0x7edcba9876543210ULL - hit.iova), ==,
                    0x7edcba9876543210ULL);
}

/* --- the regions IOMMU notifications mirror ------------------------------ */

static void collect_region(void *opaque, const PAMURegion *r)
{
    g_array_append_val((GArray *)opaque, *r);
}

static GArray *regions(const PAMUWalkRegs *r, uint32_t liodn)
{
    GArray *a = g_array_new(false, false, sizeof(PAMURegion));

    pamu_walk_regions(r, fake_fetch, NULL, liodn, collect_region, a);
    return a;
}

static void assert_region(GArray *a, unsigned i, uint64_t iova,
                          uint64_t xlat, unsigned log2, unsigned perm,
                          int subwindow)
{
    PAMURegion *r;

    g_assert_cmpuint(i, <, a->len);
    r = &g_array_index(a, PAMURegion, i);
    g_assert_cmphex(r->iova, ==, iova);
    g_assert_cmphex(r->xlat, ==, xlat);
    g_assert_cmpuint(r->size_log2, ==, log2);
    g_assert_cmpuint(r->perm, ==, perm);
    g_assert_cmpint(r->subwindow, ==, subwindow);
}

/* A window without subwindows is one region, whatever it permits. */
static void test_regions_window(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_READ, .wse = 20,
                        .wba = 0x400000, .atm = PAMU_ATM_WINDOW,
                        .twba = 0xa00000 };
    g_autoptr(GArray) a = NULL, b = NULL, c = NULL, d = NULL;

    setup();
    put_entry(paace_addr(LIODN), &e);
    a = regions(&r, LIODN);
    g_assert_cmpuint(a->len, ==, 1);
    assert_region(a, 0, 0x400000, 0xa00000, 21, PAMU_ACCESS_READ, -1);

    /* nothing for an invalid entry, a closed gate, page translation */
    e.v = false;
    put_entry(paace_addr(LIODN), &e);
    b = regions(&r, LIODN);
    g_assert_cmpuint(b->len, ==, 0);
    e.v = true;
    e.atm = PAMU_ATM_PAGE;
    put_entry(paace_addr(LIODN), &e);
    c = regions(&r, LIODN);
    g_assert_cmpuint(c->len, ==, 0);

    /* a bypassed unit passes everything */
    r.bypass = true;
    d = regions(&r, LIODN);
    g_assert_cmpuint(d->len, ==, 1);
    assert_region(d, 0, 0, 0, 64, PAMU_ACCESS_READ | PAMU_ACCESS_WRITE, -1);
}

/* Subwindows: one region each where an entry maps, only its mapped part. */
static void test_regions_subwindows(void)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUTestEntry p = { .v = true, .mw = true, .ap = PAMU_AP_RW, .wse = 23,
                        .wce = 1, .wba = 0x1000000, .fspi = 4,
                        .atm = PAMU_ATM_WINDOW, .swse = 20,
                        .twba = 0x200000 };
    PAMUTestEntry sw = { .v = true, .pt = true, .liodn = LIODN,
                         .ap = PAMU_AP_WRITE, .atm = PAMU_ATM_NONE,
                         .swse = 12 };
    g_autoptr(GArray) a = NULL;

    setup();
    put_entry(paace_addr(LIODN), &p);
    /* subwindow 1 invalid, 2 passes 8 KiB untranslated, 3 beyond SPAACT */
    put_entry(spaace_addr(5), &sw);
    r.spla = spaace_addr(6);
    a = regions(&r, LIODN);
    g_assert_cmpuint(a->len, ==, 2);
    /* 4 subwindows of 4 MiB; subwindow 0 maps 2 MiB to 2 MiB */
    assert_region(a, 0, 0x1000000, 0x200000, 21, PAMU_ACCESS_READ |
                  PAMU_ACCESS_WRITE, 0);
    assert_region(a, 1, 0x1800000, 0x1800000, 13, PAMU_ACCESS_WRITE, 2);
}

/* --- malformed tables --------------------------------------------------- */

static void regs_limit_below_base(PAMUWalkRegs *r)
{
    r->ppla = r->ppba - PAMU_PAACE_SIZE;
}

static void regs_empty_ppaact(PAMUWalkRegs *r)
{
    r->ppla = r->ppba;
}

/* a PPAACT whose base is near 2^64: 63 entries, LIODN 193 is beyond */
static void regs_ppaact_at_top(PAMUWalkRegs *r)
{
    r->ppba = -(uint64_t)KiB_(4);
    r->ppla = UINT64_MAX;
}

/* room for LIODN 193 at the top of the address space: nothing to read */
static void regs_ppaact_unreadable(PAMUWalkRegs *r)
{
    r->ppba = -(uint64_t)KiB_(64);
    r->ppla = UINT64_MAX;
}

/* a limit that wrapped past 2^64 is below the base: no entries */
static void regs_ppaact_wrapping(PAMUWalkRegs *r)
{
    r->ppba = -(uint64_t)KiB_(4);
    r->ppla = KiB_(64);
}

static void regs_spaact_limit_below_base(PAMUWalkRegs *r)
{
    r->spla = r->spba - 1;
}

static void regs_spaact_at_top(PAMUWalkRegs *r)
{
    r->spba = UINT64_MAX - MiB_(1) + 1;
    r->spla = UINT64_MAX;
}

static void regs_one_subwindow_allowed(PAMUWalkRegs *r)
{
    r->max_subwin_log2 = 1;
}

static void regs_many_subwindows_allowed(PAMUWalkRegs *r)
{
    r->max_subwin_log2 = 16;
}

/*
 * One class of bad entry or bad table register: the PAACE of LIODN (raw
 * words, or built from @paace), the SPAACE at FSPI if @spaace.v or .pt,
 * a change to the registers, the access, and the outcome
 * docs/system/ppc/pamu.rst gives.  avs1 0 means the access translates to
 * @xlat.
 */
typedef struct MalformedCase {
    const char *what;
    PAMUTestEntry paace;
    const uint32_t *raw;
    PAMUTestEntry spaace;
    void (*regs)(PAMUWalkRegs *r);
    uint64_t addr;
    PAMUAccess access;
    uint32_t avs1;
    uint64_t xlat;
    uint32_t flags;             /* PAMU_WARN_/PAMU_UNIMP_ bits expected */
} MalformedCase;

static const uint32_t words_zero[PAMU_PAACE_WORDS];
static const uint32_t words_ones[PAMU_PAACE_WORDS] = {
    [0 ... PAMU_PAACE_WORDS - 1] = UINT32_MAX,
};
/* all ones but MW: a 2^64 window at 0, ATM 3 */
static const uint32_t words_ones_no_mw[PAMU_PAACE_WORDS] = {
    [0 ... PAMU_PAACE_WORDS - 1] = UINT32_MAX,
    [R_PAACE_ADDR] = UINT32_MAX & ~R_PAACE_ADDR_MW_MASK,
};

#define W(...)  ((PAMUTestEntry) { .v = true, __VA_ARGS__ })


static void run_malformed_case(const MalformedCase *c)
{
    PAMUWalkRegs r = enabled_regs();
    PAMUWalkResult res;
    uint32_t fspi = c->raw ? 0 : c->paace.fspi;
    unsigned i;

    setup();
    if (c->raw) {
        for (i = 0; i < PAMU_PAACE_WORDS; i++) {
            stl_be_p(mem + paace_addr(LIODN) + i * 4, c->raw[i]);
        }
    } else {
        put_entry(paace_addr(LIODN), &c->paace);
    }
    if ((c->spaace.v || c->spaace.pt) && fspi < SPAACT_ENTRIES) {
        put_entry(spaace_addr(fspi), &c->spaace);
    }
    if (c->regs) {
        c->regs(&r);
    }
    res = walk(&r, LIODN, c->addr, c->access);
    if (g_test_verbose()) {
        g_test_message("%s: status %d avs1 0x%x flags 0x%x xlat 0x%" PRIx64,
                       c->what, res.status, res.avs1, res.flags, res.xlat);
    }
    if (c->avs1) {
        assert_violation(&res, c->avs1);
    } else {
        g_assert_cmpint(res.status, ==, PAMU_WALK_OK);
        g_assert_cmphex(res.xlat + (c->addr - res.iova), ==, c->xlat);
    }
    g_assert_cmphex(res.flags & c->flags, ==, c->flags);
}

static void test_malformed_tables(void)
{
    /* automatic: the AVS1 field macros are statement expressions */
    const MalformedCase cases[] = {
        { "all words 0", .raw = words_zero, .addr = 0x1000,
          .avs1 = LAV(PAMU_LAV_INVALID) },
        /* 65536 subwindows while PC3 allows 256 */
        { "all words 1", .raw = words_ones, .addr = 0x1000,
          .avs1 = WAV(PAMU_WAV_SUBWINDOW), .flags = PAMU_WARN_SUBWIN_COUNT },
        { "all words 1, MW 0", .raw = words_ones_no_mw, .addr = 0x1000,
          .avs1 = WAV(PAMU_WAV_UNIMPLEMENTED),
          .flags = PAMU_UNIMP_ATM | PAMU_UNIMP_DD },
        { "PPAACT limit below base", W(.ap = PAMU_AP_RW, .wse = 35),
          .regs = regs_limit_below_base, .avs1 = LAV(PAMU_LAV_NOT_IN_PPAACT) },
        { "empty PPAACT", W(.ap = PAMU_AP_RW, .wse = 35),
          .regs = regs_empty_ppaact, .avs1 = LAV(PAMU_LAV_NOT_IN_PPAACT) },
        { "PPAACT at the top of the address space", W(.wse = 35),
          .regs = regs_ppaact_at_top, .avs1 = LAV(PAMU_LAV_NOT_IN_PPAACT) },
        { "PPAACT entry not in memory", W(.wse = 35),
          .regs = regs_ppaact_unreadable, .avs1 = LAV(PAMU_LAV_INVALID),
          .flags = PAMU_WARN_FETCH },
        { "PPAACT wrapping past 2^64", W(.wse = 35),
          .regs = regs_ppaact_wrapping, .avs1 = LAV(PAMU_LAV_NOT_IN_PPAACT) },
        { "WSE 0", W(.ap = PAMU_AP_RW, .wse = 0),
          .avs1 = LAV(PAMU_LAV_BAD_SIZE) },
        { "WSE 10: 2 KiB", W(.ap = PAMU_AP_RW, .wse = 10),
          .avs1 = LAV(PAMU_LAV_BAD_SIZE) },
        /* 2^64: every address is in the window */
        { "WSE 63", W(.ap = PAMU_AP_RW, .wse = 63), .addr = UINT64_MAX,
          .access = PAMU_ACCESS_READ, .xlat = UINT64_MAX },
        { "WSE 63, translated to 1 MiB", W(.ap = PAMU_AP_RW, .wse = 63,
          .atm = PAMU_ATM_WINDOW, .twba = MiB_(1)), .addr = MiB_(2),
          .access = PAMU_ACCESS_READ, .xlat = MiB_(3) },
        { "WSE 63, past 2^64", W(.ap = PAMU_AP_RW, .wse = 63,
          .atm = PAMU_ATM_WINDOW, .twba = MiB_(1)), .addr = UINT64_MAX,
          .access = PAMU_ACCESS_READ, .avs1 = WAV(PAMU_WAV_WRAP) },
        /* the low bits of an unaligned base are ignored, and reported */
        { "unaligned window base", W(.ap = PAMU_AP_RW, .wse = 20,
          .wba = MiB_(2) + KiB_(4)), .addr = MiB_(2),
          .access = PAMU_ACCESS_READ,
          .xlat = MiB_(2), .flags = PAMU_WARN_WBA_ALIGN },
        { "window base at the top", W(.ap = PAMU_AP_RW, .wse = 11,
          .wba = UINT64_MAX & ~0xfffULL), .addr = UINT64_MAX,
          .access = PAMU_ACCESS_WRITE, .xlat = UINT64_MAX },
        { "translated base at the top", W(.ap = PAMU_AP_RW, .wse = 20,
          .atm = PAMU_ATM_WINDOW, .twba = UINT64_MAX & ~0xfffULL),
          .addr = KiB_(4), .access = PAMU_ACCESS_READ,
          .avs1 = WAV(PAMU_WAV_WRAP) },
        { "AP 0", W(.ap = PAMU_AP_DENIED, .wse = 35),
          .access = PAMU_ACCESS_READ,
          .avs1 = APV(PAMU_APV_READ) },
        { "WCE 15", W(.ap = PAMU_AP_RW, .mw = true, .wse = 35, .wce = 15,
          .swse = 63), .access = PAMU_ACCESS_READ,
          .avs1 = WAV(PAMU_WAV_SUBWINDOW), .flags = PAMU_WARN_SUBWIN_COUNT },
        /* 65536 subwindows of 1 MiB where PC3 allows them */
        { "WCE 15 allowed", W(.ap = PAMU_AP_RW, .mw = true, .wse = 35,
          .wce = 15,
          .swse = 63), .regs = regs_many_subwindows_allowed, .addr = 5,
          .access = PAMU_ACCESS_READ, .xlat = 5 },
        { "WCE above PC3", W(.ap = PAMU_AP_RW, .mw = true, .wse = 35, .wce = 1,
          .swse = 63), .regs = regs_one_subwindow_allowed,
          .access = PAMU_ACCESS_READ, .avs1 = WAV(PAMU_WAV_SUBWINDOW),
          .flags = PAMU_WARN_SUBWIN_COUNT },
        { "subwindows below 4 KiB", W(.ap = PAMU_AP_RW, .mw = true, .wse = 12,
          .wce = 1, .swse = 11), .access = PAMU_ACCESS_READ,
          .avs1 = WAV(PAMU_WAV_SUBWINDOW), .flags = PAMU_WARN_SUBWIN_SIZE },
        /* a mapped size above the subwindow is capped to the subwindow */
        { "SWSE 63", W(.ap = PAMU_AP_RW, .mw = true, .wse = 35, .wce = 1,
          .swse = 63), .addr = GiB_(16) - 1, .access = PAMU_ACCESS_READ,
          .xlat = GiB_(16) - 1 },
        { "SWSE 0", W(.ap = PAMU_AP_RW, .mw = true, .wse = 35, .wce = 1,
          .swse = 0), .access = PAMU_ACCESS_READ,
          .avs1 = WAV(PAMU_WAV_SUBWINDOW), .flags = PAMU_WARN_SWSE },
        { "FSPI past the SPAACT", W(.ap = PAMU_AP_RW, .mw = true, .wse = 35,
          .wce = 1, .swse = 33, .fspi = SPAACT_ENTRIES), .addr = GiB_(16),
          .access = PAMU_ACCESS_READ, .avs1 = WAV(PAMU_WAV_SUBWINDOW),
          .flags = PAMU_WARN_SPAACE },
        { "FSPI 0xffffffff", W(.ap = PAMU_AP_RW, .mw = true, .wse = 35,
          .wce = 1, .swse = 33, .fspi = UINT32_MAX), .addr = GiB_(48),
          .access = PAMU_ACCESS_READ, .avs1 = WAV(PAMU_WAV_SUBWINDOW),
          .flags = PAMU_WARN_SPAACE },
        { "SPAACT limit below base", W(.ap = PAMU_AP_RW, .mw = true, .wse = 35,
          .wce = 1, .swse = 33), .regs = regs_spaact_limit_below_base,
          .addr = GiB_(16), .access = PAMU_ACCESS_READ,
          .avs1 = WAV(PAMU_WAV_SUBWINDOW), .flags = PAMU_WARN_SPAACE },
        { "SPAACE not in memory", W(.ap = PAMU_AP_RW, .mw = true, .wse = 35,
          .wce = 1, .swse = 33), .regs = regs_spaact_at_top, .addr = GiB_(16),
          .access = PAMU_ACCESS_READ, .avs1 = WAV(PAMU_WAV_SUBWINDOW),
          .flags = PAMU_WARN_FETCH },
        { "SPAACE with PT 0", W(.ap = PAMU_AP_RW, .mw = true, .wse = 35,
          .wce = 1, .swse = 33), .spaace = W(.ap = PAMU_AP_RW, .swse = 33),
          .addr = GiB_(16), .access = PAMU_ACCESS_READ,
          .avs1 = WAV(PAMU_WAV_SUBWINDOW) },
        { "SPAACE all fields at their top", W(.ap = PAMU_AP_RW, .mw = true,
          .wse = 35, .wce = 1, .swse = 33),
          .spaace = W(.pt = true, .dd = true, .ap = PAMU_AP_RW, .swse = 63,
                      .atm = PAMU_ATM_WINDOW, .liodn = 0xffff,
                      .twba = UINT64_MAX & ~0xfffULL),
          .addr = GiB_(16) + KiB_(4), .access = PAMU_ACCESS_READ,
          .avs1 = WAV(PAMU_WAV_WRAP), .flags = PAMU_UNIMP_DD },
    };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        run_malformed_case(&cases[i]);
    }
}

/* xorshift64*: the same entries on every run */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    rnd_state ^= rnd_state >> 12;
    rnd_state ^= rnd_state << 25;
    rnd_state ^= rnd_state >> 27;
    return rnd_state * 0x2545f4914f6cdd1dULL;
}

/* Random words, V set mostly and fields kept near the edges sometimes. */
static void random_entry(uint64_t addr, bool secondary)
{
    uint32_t w[PAMU_PAACE_WORDS];
    unsigned i;

    for (i = 0; i < PAMU_PAACE_WORDS; i++) {
        w[i] = rnd();
    }
    if (rnd() % 4) {
        w[R_PAACE_ADDR] |= R_PAACE_ADDR_V_MASK;
    }
    w[R_PAACE_ADDR] = FIELD_DP32(w[R_PAACE_ADDR], PAACE_ADDR, PT, secondary);
    if (rnd() % 2) {
        w[R_PAACE_WBAH] = rnd() % 2 ? 0 : UINT32_MAX;
        w[R_PAACE_TWBAH] = rnd() % 2 ? 0 : UINT32_MAX;
        w[R_PAACE_FSPI] %= SPAACT_ENTRIES + 4;
    }
    for (i = 0; i < PAMU_PAACE_WORDS; i++) {
        stl_be_p(mem + addr + i * 4, w[i]);
    }
}

/* An address in the PAACE's window half of the time */
static uint64_t random_addr(void)
{
    uint32_t a = ldl_be_p(mem + paace_addr(LIODN) + 4 * R_PAACE_ADDR);
    uint64_t wba = ((uint64_t)ldl_be_p(mem + paace_addr(LIODN)) << 32) |
                   (FIELD_EX32(a, PAACE_ADDR, WBAL) << 12);
    unsigned log2 = FIELD_EX32(a, PAACE_ADDR, WSE) + 1;

    if (rnd() % 2) {
        return rnd();
    }
    return wba + (log2 >= 64 ? rnd() : rnd() & ((1ULL << log2) - 1));
}

/* What every walk result must satisfy, whatever the tables hold. */
static void check_walk_invariants(uint64_t addr, PAMUAccess access,
                                  const PAMUWalkResult *res)
{
    unsigned sub;

    switch (res->status) {
    case PAMU_WALK_OK:
        g_assert_cmpuint(res->size_log2, >=, 12);
        g_assert_cmpuint(res->size_log2, <=, 63);
        g_assert_cmphex(res->iova & ((1ULL << res->size_log2) - 1), ==, 0);
        g_assert_cmphex(res->xlat & ((1ULL << res->size_log2) - 1), ==, 0);
        g_assert_cmphex(addr - res->iova, <, 1ULL << res->size_log2);
        /* the block does not wrap past 2^64 */
        g_assert_cmphex(res->xlat + ((1ULL << res->size_log2) - 1), >,
                        res->xlat);
        g_assert_true(access == PAMU_ACCESS_QUERY || (res->perm & access));
        break;
    case PAMU_WALK_VIOLATION:
        g_assert_cmpint(pamu_avs1_class(res->avs1, &sub), !=,
                        PAMU_CLASS_NONE);
        g_assert_cmpuint(sub, !=, 0);
        break;
    default:
        g_assert_not_reached();
    }
}

/* Every region the notifiers would map is one a walk translates. */
static void check_regions_invariants(const PAMUWalkRegs *r)
{
    g_autoptr(GArray) a = regions(r, LIODN);
    uint64_t next = 0;
    PAMUWalkResult res;
    unsigned i;

    for (i = 0; i < a->len; i++) {
        const PAMURegion *g = &g_array_index(a, PAMURegion, i);

        g_assert_cmpuint(g->size_log2, >=, 12);
        g_assert_cmphex(g->iova, >=, next);
        next = g->size_log2 >= 64 ? UINT64_MAX
                                  : g->iova + (1ULL << g->size_log2);
        res = walk(r, LIODN, g->iova, PAMU_ACCESS_QUERY);
        g_assert_cmpint(res.status, ==, PAMU_WALK_OK);
        g_assert_cmphex(res.xlat + (g->iova - res.iova), ==, g->xlat);
        g_assert_cmpuint(res.perm, ==, g->perm);
    }
}

/*
 * Random entries and table registers, many times over: no crash, and no
 * result that breaks the walk's promises (docs/system/ppc/pamu.rst).
 */
static void test_random_entries(void)
{
    static const PAMUAccess acc[] = {
        PAMU_ACCESS_QUERY, PAMU_ACCESS_READ, PAMU_ACCESS_WRITE,
    };
    unsigned i, j, ok = 0, violations = 0;

    setup();
    for (i = 0; i < 20000; i++) {
        PAMUWalkRegs r = enabled_regs();

        random_entry(paace_addr(LIODN), false);
        for (j = 0; j < 4; j++) {
            random_entry(spaace_addr(rnd() % SPAACT_ENTRIES), true);
        }
        if (rnd() % 8 == 0) {
            r.spla = rnd() % 2 ? rnd() : SPAACT + rnd() % KiB_(8);
        }
        r.max_subwin_log2 = 1 + rnd() % 16;
        for (j = 0; j < 8; j++) {
            uint64_t addr = random_addr();
            PAMUAccess access = acc[rnd() % ARRAY_SIZE(acc)];
            PAMUWalkResult res = walk(&r, LIODN, addr, access);

            check_walk_invariants(addr, access, &res);
            ok += res.status == PAMU_WALK_OK;
            violations += res.status == PAMU_WALK_VIOLATION;
        }
        check_regions_invariants(&r);
    }
    /* the entries reached both outcomes often */
    g_assert_cmpuint(ok, >, 2000);
    g_assert_cmpuint(violations, >, 10000);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pamu-walk/bypass", test_bypass);
    g_test_add_func("/pamu-walk/gate-and-enable", test_gate_and_enable);
    g_test_add_func("/pamu-walk/liodn-limit", test_liodn_limit);
    g_test_add_func("/pamu-walk/invalid-paace", test_invalid_paace);
    g_test_add_func("/pamu-walk/identity-window", test_identity_window);
    g_test_add_func("/pamu-walk/window-bounds", test_window_bounds);
    g_test_add_func("/pamu-walk/translated-window", test_translated_window);
    g_test_add_func("/pamu-walk/translation-wrap", test_translation_wrap);
    g_test_add_func("/pamu-walk/permissions", test_permissions);
    g_test_add_func("/pamu-walk/subwindows", test_subwindows);
    g_test_add_func("/pamu-walk/partial-subwindow", test_partial_subwindow);
    g_test_add_func("/pamu-walk/bad-spaace", test_bad_spaace);
    g_test_add_func("/pamu-walk/subwindow-encodings",
                    test_subwindow_encodings);
    g_test_add_func("/pamu-walk/unimplemented", test_unimplemented);
    g_test_add_func("/pamu-walk/table-rewrite", test_table_rewrite);
    g_test_add_func("/pamu-walk/avs1-decode", test_avs1_decode);
    g_test_add_func("/pamu-tlb/hit", test_tlb_hit);
    g_test_add_func("/pamu-tlb/refusals", test_tlb_refusals);
    g_test_add_func("/pamu-tlb/slots", test_tlb_slots);
    g_test_add_func("/pamu-walk/regions-window", test_regions_window);
    g_test_add_func("/pamu-walk/regions-subwindows", test_regions_subwindows);
    g_test_add_func("/pamu-walk/malformed-tables", test_malformed_tables);
    g_test_add_func("/pamu-walk/random-entries", test_random_entries);
    return g_test_run();
}
