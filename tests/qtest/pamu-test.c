/*
 * qtest for the Freescale/NXP PAMU on the e500 machines
 *
 * Every case drives real DMA from an edu PCI device through the PCI host's
 * inbound window into the PAMU, and checks guest memory at the translated
 * and the untranslated address, the PAMU registers and its interrupt.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <libfdt.h>
#include "libqtest.h"
#include "qemu/units.h"
#include "qemu/bswap.h"
#include "qemu/timer.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "hw/pci/pci_regs.h"
#include "hw/iommu/pamu-regs.h"
#include "e500-pci-edu.h"
#include "pamu-entry.h"

#define PAMU_CCSR_OFFSET    0x20000
#define GUTS_CCSR_OFFSET    0xe0000
#define MSI_CCSR_OFFSET     0x41600     /* MPIC MSI block: MSIR0 at +0 */
#define MPIC_SRC_CCSR_OFFSET 0x50000    /* MPIC source registers */
#define MPIC_SRC_STRIDE     0x20
#define MPIC_IVPR_ACTIVITY  0x40000000
#define MPIC_IVPR_PRIORITY  0x00050000
#define PAMU_MPIC_SOURCE    24
#define PCI_BRR1_OFFSET     0x8bf8      /* PCI controller's IP block rev. */
#define MSIIR_OFFSET        0x140
#define PCI_LIODN           193         /* the PCI host's default LIODN */

/* Tables in guest RAM, laid out as Linux does */
#define PPAACT              0x1000000ULL
#define PPAACT_ENTRIES      0x500
#define SPAACT              0x1100000ULL
#define SPAACT_ENTRIES      0x800
#define OMT                 0x1200000ULL

#define LEN                 256
#define PATTERN_PA          0x100000ULL /* where the test pattern lives */

typedef struct PamuTest {
    QTestState *qts;
    const E500Board *b;
    E500Edu edu;
    char *bios;
    const char *extra;          /* more QEMU arguments, or NULL */
    uint8_t pattern[LEN];
} PamuTest;

static uint64_t pamu_reg_addr(PamuTest *t, unsigned unit, uint32_t offset)
{
    return t->b->ccsr + PAMU_CCSR_OFFSET + unit * PAMU_UNIT_SIZE + offset;
}

static uint32_t pamu_read(PamuTest *t, unsigned unit, uint32_t offset)
{
    return qtest_readl(t->qts, pamu_reg_addr(t, unit, offset));
}

static void pamu_write(PamuTest *t, unsigned unit, uint32_t offset,
                       uint32_t val)
{
    qtest_writel(t->qts, pamu_reg_addr(t, unit, offset), val);
}

static uint64_t bypass_addr(PamuTest *t)
{
    return t->b->ccsr + GUTS_CCSR_OFFSET + PAMU_GUTS_PAMUBYPENR;
}

static void fill(uint8_t *buf, size_t len, uint8_t seed)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = seed ^ (i * 13);
    }
}

static void assert_mem(PamuTest *t, uint64_t pa, const uint8_t *want,
                       size_t len)
{
    g_autofree uint8_t *got = g_malloc(len);

    qtest_memread(t->qts, pa, got, len);
    g_assert_cmpmem(got, len, want, len);
}

static void assert_zero(PamuTest *t, uint64_t pa, size_t len)
{
    g_autofree uint8_t *zero = g_malloc0(len);

    assert_mem(t, pa, zero, len);
}

/*
 * Runs QEMU with a PAMU and an edu on @t's board; a migration destination
 * (@incoming) gets the very command line of its source.
 */
static void launch(PamuTest *t, const char *pamu_opts, bool intercept_irq,
                   const char *incoming)
{
    t->qts = qtest_initf("-M %s -nodefaults -bios %s "
                         "-device pamu,id=pamu,x-check-cache=on%s%s "
                         "-device edu,dma_mask=0xffffffffffffffff %s%s%s",
                         t->b->machine, t->bios, pamu_opts ? "," : "",
                         pamu_opts ? pamu_opts : "", t->extra ?: "",
                         incoming ? " -incoming " : "",
                         incoming ? incoming : "");
    if (intercept_irq) {
        qtest_irq_intercept_out_named(t->qts, "/machine/peripheral/pamu",
                                      "sysbus-irq");
    }
}

/*
 * Starts a machine with a PAMU and an edu, maps the edu and an identity
 * inbound window (PCI [0, 2 GiB) -> local [0, 2 GiB)), and loads the
 * pattern into the edu buffer while the PAMU is still bypassed.
 */
static void start_machine_with(PamuTest *t, const E500Board *b,
                               const char *pamu_opts, bool intercept_irq,
                               const char *extra)
{
    t->b = b;
    t->extra = extra;
    t->bios = e500_make_dummy_bios();
    launch(t, pamu_opts, intercept_irq, NULL);
    e500_edu_init(&t->edu, t->qts, b, b->first_devfn);
    e500_set_inbound_window(t->qts, b, 0, 0, 0, 31);
    fill(t->pattern, LEN, 0xa5);
    qtest_memwrite(t->qts, PATTERN_PA, t->pattern, LEN);
    e500_edu_dma(&t->edu, PATTERN_PA, 0, LEN, false);
}

static void start_machine(PamuTest *t, const E500Board *b,
                          const char *pamu_opts, bool intercept_irq)
{
    start_machine_with(t, b, pamu_opts, intercept_irq, NULL);
}

static void start(PamuTest *t, const E500Board *b, const char *pamu_opts)
{
    start_machine(t, b, pamu_opts, true);
}

static void finish(PamuTest *t)
{
    qtest_quit(t->qts);
    unlink(t->bios);
    g_free(t->bios);
}

static void dma_to_ram(PamuTest *t, uint64_t iova, size_t len)
{
    e500_edu_dma(&t->edu, iova, 0, len, true);
}

static void dma_from_ram(PamuTest *t, uint64_t iova, size_t len)
{
    e500_edu_dma(&t->edu, iova, 0, len, false);
}

static void put_entry(PamuTest *t, uint64_t addr, const PAMUTestEntry *e)
{
    uint8_t bytes[PAMU_PAACE_WORDS * 4];

    pamu_test_entry_bytes(e, bytes);
    qtest_memwrite(t->qts, addr, bytes, sizeof(bytes));
}

static uint64_t paace(uint32_t liodn)
{
    return PPAACT + (uint64_t)liodn * PAMU_PAACE_SIZE;
}

static uint64_t spaace(uint32_t index)
{
    return SPAACT + (uint64_t)index * PAMU_PAACE_SIZE;
}

static void put_paace(PamuTest *t, const PAMUTestEntry *e)
{
    put_entry(t, paace(PCI_LIODN), e);
}

/* Points unit @unit at the tables and enables it, as Linux's probe does. */
static void program_unit(PamuTest *t, unsigned unit, uint32_t pics)
{
    pamu_write(t, unit, A_PPBAH, PPAACT >> 32);
    pamu_write(t, unit, A_PPBAL, PPAACT);
    pamu_write(t, unit, A_PPLAH, 0);
    pamu_write(t, unit, A_PPLAL, PPAACT + PPAACT_ENTRIES * PAMU_PAACE_SIZE);
    pamu_write(t, unit, A_SPBAH, 0);
    pamu_write(t, unit, A_SPBAL, SPAACT);
    pamu_write(t, unit, A_SPLAH, 0);
    pamu_write(t, unit, A_SPLAL, SPAACT + SPAACT_ENTRIES * PAMU_PAACE_SIZE);
    pamu_write(t, unit, A_OBAH, 0);
    pamu_write(t, unit, A_OBAL, OMT);
    pamu_write(t, unit, A_OLAH, 0);
    pamu_write(t, unit, A_OLAL, OMT + 0x800);
    pamu_write(t, unit, A_PICS, pics);
    pamu_write(t, unit, A_PC, R_PC_PE_MASK | R_PC_OCE_MASK |
               R_PC_SPCC_MASK | R_PC_PPCC_MASK);
}

static void set_bypass(PamuTest *t, uint32_t val)
{
    qtest_writel(t->qts, bypass_addr(t), val);
}

/* Enables unit 0 with the access-violation interrupt on. */
static void enable_pamu(PamuTest *t)
{
    program_unit(t, 0, R_PICS_AVIE_MASK);
    set_bypass(t, 0);
}

/* Starts a machine whose unit 0 translates the PCI LIODN through @e. */
static void start_mapped(PamuTest *t, const E500Board *b,
                         const PAMUTestEntry *e)
{
    start(t, b, NULL);
    put_paace(t, e);
    enable_pamu(t);
}

/* The violation registers of @unit hold exactly this record. */
static void assert_record(PamuTest *t, unsigned unit, uint32_t avs1_bits,
                          uint64_t addr)
{
    uint32_t avs1 = FIELD_DP32(avs1_bits | R_AVS1_AV_MASK, AVS1, LIODN,
                               PCI_LIODN);

    g_assert_cmphex(pamu_read(t, unit, A_AVS1), ==, avs1);
    g_assert_cmphex(pamu_read(t, unit, A_AVS2), ==, 0);
    g_assert_cmphex(pamu_read(t, unit, A_AVAH), ==, addr >> 32);
    g_assert_cmphex(pamu_read(t, unit, A_AVAL), ==, (uint32_t)addr);
    g_assert_true(pamu_read(t, unit, A_PICS) & R_PICS_AVICS_MASK);
}

/* No record pending (the read-only LIODN field keeps the last one's). */
static void assert_no_record(PamuTest *t, unsigned unit)
{
    g_assert_cmphex(pamu_read(t, unit, A_AVS1) & PAMU_AVS1_W1C, ==, 0);
    g_assert_false(pamu_read(t, unit, A_PICS) & R_PICS_AVICS_MASK);
}

/* A DMA write of the pattern to @iova lands, all of it, at @pa. */
static void write_lands(PamuTest *t, uint64_t iova, uint64_t pa)
{
    dma_to_ram(t, iova, LEN);
    assert_mem(t, pa, t->pattern, LEN);
}

/*
 * A DMA write of the pattern to @iova is stopped: nothing reaches @pa,
 * where it would land if allowed, and @unit records it at @iova.
 */
static void write_blocked(PamuTest *t, unsigned unit, uint64_t iova,
                          uint64_t pa, uint32_t avs1_bits)
{
    dma_to_ram(t, iova, LEN);
    assert_zero(t, pa, LEN);
    assert_record(t, unit, avs1_bits, iova);
}

/* Clears the record the way Linux's pamu_av_isr does. */
static void clear_record(PamuTest *t, unsigned unit)
{
    pamu_write(t, unit, A_AVS1, pamu_read(t, unit, A_AVS1) & PAMU_AVS1_W1C);
    pamu_write(t, unit, A_PICS, pamu_read(t, unit, A_PICS));
}

/*
 * Reads the edu buffer back into RAM at @pa with the unit bypassed, to see
 * what a device read under the PAMU fetched.
 */
static void readback_edu(PamuTest *t, uint64_t pa, size_t len)
{
    uint32_t old = qtest_readl(t->qts, bypass_addr(t));

    set_bypass(t, PAMU_BYPASS_BIT(0) | PAMU_BYPASS_BIT(1));
    dma_to_ram(t, pa, len);
    set_bypass(t, old);
}

static char *run_qemu_expect_failure(const char *args);

/* --- the cases ---------------------------------------------------------- */

static void test_reset_values(const void *data)
{
    PamuTest t;
    unsigned unit;
    static const uint32_t zero_regs[] = {
        A_PPBAH, A_PPBAL, A_PPLAH, A_PPLAL, A_SPBAH, A_SPBAL, A_SPLAH,
        A_SPLAL, A_OBAH, A_OBAL, A_OLAH, A_OLAL, A_POES1, A_POES2, A_POEAH,
        A_POEAL, A_AVS1, A_AVS2, A_AVAH, A_AVAL, A_EECTL, A_EEDIS, A_EEINTEN,
        A_EEDET, A_EEATTR, A_EEAHI, A_EEALO, A_EEDHI, A_EEDLO, A_EECC,
        A_UDAD, A_PR2, A_PC1, A_PC4, A_PC, A_PFA1, A_PFA2, A_PICS,
    };
    size_t i;

    start(&t, data, "num-units=2");
    for (unit = 0; unit < 2; unit++) {
        for (i = 0; i < ARRAY_SIZE(zero_regs); i++) {
            g_assert_cmphex(pamu_read(&t, unit, zero_regs[i]), ==, 0);
        }
        g_assert_cmphex(pamu_read(&t, unit, A_PR1), ==, 1);
        g_assert_cmphex(pamu_read(&t, unit, A_PC2), ==, 0x4ff << 16);
        g_assert_cmphex(pamu_read(&t, unit, A_PC3), ==, 7 << 21);
    }
    g_assert_cmphex(qtest_readl(t.qts, bypass_addr(&t)), ==, 0xc0000000);
    g_assert_false(qtest_get_irq(t.qts, 0));
    finish(&t);

    /* the capability registers follow the properties */
    start(&t, data, "max-subwindows=16,max-liodn=0x7ff");
    g_assert_cmphex(pamu_read(&t, 0, A_PC3), ==, 3 << 21);
    g_assert_cmphex(pamu_read(&t, 0, A_PC2), ==, 0x7ff << 16);
    g_assert_cmphex(qtest_readl(t.qts, bypass_addr(&t)), ==, 0x80000000);
    finish(&t);
}

static void test_register_access(const void *data)
{
    PamuTest t;

    start(&t, data, NULL);
    /* read/write storage */
    pamu_write(&t, 0, A_PPBAL, 0x12345000);
    g_assert_cmphex(pamu_read(&t, 0, A_PPBAL), ==, 0x12345000);
    pamu_write(&t, 0, A_PFA1, 0xdeadbeef);
    g_assert_cmphex(pamu_read(&t, 0, A_PFA1), ==, 0xdeadbeef);
    /* PC keeps only its defined bits */
    pamu_write(&t, 0, A_PC, 0xffffffff);
    g_assert_cmphex(pamu_read(&t, 0, A_PC), ==, 0xc0001011);
    pamu_write(&t, 0, A_PC, 0);
    /* identification registers ignore writes */
    pamu_write(&t, 0, A_PC3, 0);
    g_assert_cmphex(pamu_read(&t, 0, A_PC3), ==, 7 << 21);
    /* PICS: enables are read/write, status write-1-to-clear */
    pamu_write(&t, 0, A_PICS, 0xf);
    g_assert_cmphex(pamu_read(&t, 0, A_PICS), ==, 0x5);
    /* EEDET is write-1-to-clear, EECTL storage */
    pamu_write(&t, 0, A_EEDET, 0xc);
    g_assert_cmphex(pamu_read(&t, 0, A_EEDET), ==, 0);
    pamu_write(&t, 0, A_EECTL, 0x00100000);
    g_assert_cmphex(pamu_read(&t, 0, A_EECTL), ==, 0x00100000);
    /* PAMUBYPENR has bits for existing units only */
    set_bypass(&t, 0xffffffff);
    g_assert_cmphex(qtest_readl(t.qts, bypass_addr(&t)), ==, 0x80000000);
    /* the PCI controller reports an IP block version below 2.4 */
    g_assert_cmphex(qtest_readl(t.qts, t.b->ccsr + PCI_BRR1_OFFSET), ==,
                    0x00000200);
    finish(&t);
}

/* Whether the PCI LIODN's IOMMU region is in any flat view right now. */
static bool iommu_in_path(PamuTest *t)
{
    g_autofree char *mtree = qtest_hmp(t->qts, "info mtree -f");
    g_autofree char *name = g_strdup_printf("pamu-liodn-%u-iommu",
                                            PCI_LIODN);

    return strstr(mtree, name) != NULL;
}

static void test_bypass(const void *data)
{
    PamuTest t;

    start(&t, data, NULL);
    /* out of reset: bypassed, PE = 0, no tables: the DMA passes */
    g_assert_false(iommu_in_path(&t));  /* and costs no translation */
    write_lands(&t, 0x200000, 0x200000);
    assert_no_record(&t, 0);

    /* an enabled unit with an invalid PAACE still passes while bypassed */
    program_unit(&t, 0, R_PICS_AVIE_MASK);
    write_lands(&t, 0x210000, 0x210000);
    assert_no_record(&t, 0);

    /* clearing the bypass bit puts the PAMU in the path */
    set_bypass(&t, 0);
    g_assert_true(iommu_in_path(&t));
    write_blocked(&t, 0, 0x220000, 0x220000, LAV(PAMU_LAV_INVALID));
    finish(&t);
}

static void test_disabled(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);

    start(&t, data, NULL);
    put_paace(&t, &e);
    program_unit(&t, 0, R_PICS_AVIE_MASK);
    pamu_write(&t, 0, A_PC, 0);         /* PE = 0 */
    set_bypass(&t, 0);
    write_blocked(&t, 0, 0x200000, 0x200000, R_AVS1_PDV_MASK);
    g_assert_true(qtest_get_irq(t.qts, 0));
    finish(&t);
}

static void test_gate_closed(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);

    start_mapped(&t, data, &e);
    pamu_write(&t, 0, A_PC, R_PC_PGC_MASK | R_PC_PE_MASK);
    write_blocked(&t, 0, 0x200000, 0x200000, R_AVS1_GCV_MASK);

    /* opening the gate lets the same DMA through */
    clear_record(&t, 0);
    pamu_write(&t, 0, A_PC, R_PC_PE_MASK);
    write_lands(&t, 0x200000, 0x200000);
    assert_no_record(&t, 0);
    finish(&t);
}

/* The boot-time entry of Linux: a 64 GiB identity window, read/write. */
static void test_identity_window(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    uint8_t other[LEN];

    start_mapped(&t, data, &e);
    write_lands(&t, 0x300000, 0x300000);

    /* a device read through the window fetches what RAM holds */
    fill(other, LEN, 0x3c);
    qtest_memwrite(t.qts, 0x310000, other, LEN);
    dma_from_ram(&t, 0x310000, LEN);
    dma_to_ram(&t, 0x320000, LEN);
    assert_mem(&t, 0x320000, other, LEN);
    assert_no_record(&t, 0);
    g_assert_false(qtest_get_irq(t.qts, 0));

    /*
     * The window ends at 64 GiB: PIW2 sends PCI 2 GiB to local 64 GiB,
     * where the PAMU must stop the access.
     */
    e500_set_inbound_window(t.qts, t.b, 1, 0x80000000ULL, 64ULL << 30, 20);
    dma_to_ram(&t, 0x80000000ULL, LEN);
    assert_record(&t, 0, WAV(PAMU_WAV_OUTSIDE), 64ULL << 30);
    g_assert_true(qtest_get_irq(t.qts, 0));
    finish(&t);
}

/* ATM = 1: IOVA 1 GiB + x lands at 6 MiB + x; nothing at the IOVA itself */
static void test_translated_window(const void *data)
{
    const E500Board *b = data;
    PamuTest t;
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW, .wse = 20,
                        .wba = 0x40000000, .atm = PAMU_ATM_WINDOW,
                        .twba = 0x600000 };     /* 2 MiB window */
    uint8_t other[LEN];

    start_mapped(&t, b, &e);
    write_lands(&t, 0x40012300, 0x612300);
    assert_zero(&t, 0x12300, LEN);      /* the IOVA's low bits as a PA */

    fill(other, LEN, 0x77);
    qtest_memwrite(t.qts, 0x7ff000, other, LEN);
    dma_from_ram(&t, 0x401ff000, LEN);  /* reads PA 0x7ff000 */
    readback_edu(&t, 0x500000, LEN);
    assert_mem(&t, 0x500000, other, LEN);
    assert_no_record(&t, 0);
    finish(&t);
}

static void test_outside_window(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW, .wse = 20,
                        .wba = 0x400000 };      /* [4 MiB, 6 MiB) */

    start_mapped(&t, data, &e);
    write_blocked(&t, 0, 0x600000, 0x600000, WAV(PAMU_WAV_OUTSIDE));
    g_assert_true(qtest_get_irq(t.qts, 0));

    clear_record(&t, 0);
    g_assert_false(qtest_get_irq(t.qts, 0));
    write_lands(&t, 0x5fff00, 0x5fff00);
    assert_no_record(&t, 0);
    finish(&t);
}

static void test_read_only_window(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_READ);
    uint8_t other[LEN];

    start_mapped(&t, data, &e);
    /* the device may read ... */
    fill(other, LEN, 0x42);
    qtest_memwrite(t.qts, 0x300000, other, LEN);
    dma_from_ram(&t, 0x300000, LEN);
    assert_no_record(&t, 0);
    /* ... but not write */
    write_blocked(&t, 0, 0x310000, 0x310000, APV(PAMU_APV_WRITE));
    /* what it read is what RAM held */
    readback_edu(&t, 0x320000, LEN);
    assert_mem(&t, 0x320000, other, LEN);
    finish(&t);
}

static void test_write_only_window(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_WRITE);
    uint8_t other[LEN];

    start_mapped(&t, data, &e);
    write_lands(&t, 0x300000, 0x300000);
    assert_no_record(&t, 0);

    /*
     * A blocked read fetches nothing from memory: the device gets a bus
     * error, and QEMU hands it zeros instead of the data.
     */
    fill(other, LEN, 0x99);
    qtest_memwrite(t.qts, 0x310000, other, LEN);
    dma_from_ram(&t, 0x310000, LEN);
    assert_record(&t, 0, APV(PAMU_APV_READ), 0x310000);
    readback_edu(&t, 0x320000, LEN);
    assert_zero(&t, 0x320000, LEN);
    finish(&t);
}

/*
 * A 16 MiB window at IOVA 1 GiB, 16 subwindows of 1 MiB, SPAACT entries
 * from FSPI for subwindows 1-3, and an SPAACT limit that ends there:
 *   0: primary entry, RW, ATM 1 -> 2 MiB, all 1 MiB mapped
 *   1: SPAACE with V = 0 (would map to 5 MiB if it counted)
 *   2: SPAACE, RW, ATM 1 -> 4 MiB, only 64 KiB mapped (partial)
 *   3: SPAACE, read-only, ATM 1 -> 6 MiB
 *   4-15: SPAACE index beyond the SPAACT limit
 */
#define SW_BASE     0x40000000ULL
#define SW_SIZE     0x100000ULL
#define SW_FSPI     0x10

static void put_subwindows(PamuTest *t)
{
    PAMUTestEntry p = { .v = true, .mw = true, .ap = PAMU_AP_RW, .wse = 23,
                        .wce = 3, .wba = SW_BASE, .fspi = SW_FSPI,
                        .atm = PAMU_ATM_WINDOW, .swse = 19, .twba = 0x200000 };
    PAMUTestEntry s1 = { .v = false, .pt = true, .liodn = PCI_LIODN,
                         .ap = PAMU_AP_RW, .atm = PAMU_ATM_WINDOW, .swse = 19,
                         .twba = 0x500000 };
    PAMUTestEntry s2 = { .v = true, .pt = true, .liodn = PCI_LIODN,
                         .ap = PAMU_AP_RW, .atm = PAMU_ATM_WINDOW, .swse = 15,
                         .twba = 0x400000 };
    PAMUTestEntry s3 = { .v = true, .pt = true, .liodn = PCI_LIODN,
                         .ap = PAMU_AP_READ, .atm = PAMU_ATM_WINDOW, .swse = 19,
                         .twba = 0x600000 };

    put_paace(t, &p);
    put_entry(t, spaace(SW_FSPI), &s1);
    put_entry(t, spaace(SW_FSPI + 1), &s2);
    put_entry(t, spaace(SW_FSPI + 2), &s3);
    enable_pamu(t);
    pamu_write(t, 0, A_SPLAL, spaace(SW_FSPI + 3));
}

static void test_subwindows(const void *data)
{
    PamuTest t;

    start(&t, data, NULL);
    put_subwindows(&t);

    /* subwindow 0 through the primary entry */
    write_lands(&t, SW_BASE + 0x80000, 0x280000);
    assert_zero(&t, 0x80000, LEN);
    /* subwindow 2 through SPAACT[FSPI + 1] */
    write_lands(&t, SW_BASE + 2 * SW_SIZE + 0x100, 0x400100);
    /* subwindow 3 is read-only */
    dma_from_ram(&t, SW_BASE + 3 * SW_SIZE + 0x1000, LEN);
    assert_no_record(&t, 0);
    write_blocked(&t, 0, SW_BASE + 3 * SW_SIZE + 0x2000, 0x602000,
                  APV(PAMU_APV_WRITE));
    finish(&t);
}

static void test_partial_subwindow(const void *data)
{
    PamuTest t;
    const uint64_t end = SW_BASE + 2 * SW_SIZE + 0x10000;

    start(&t, data, NULL);
    put_subwindows(&t);
    write_lands(&t, end - LEN, 0x410000 - LEN);
    write_blocked(&t, 0, end, 0x410000, WAV(PAMU_WAV_UNMAPPED));
    finish(&t);
}

static void test_invalid_spaace(const void *data)
{
    PamuTest t;

    start(&t, data, NULL);
    put_subwindows(&t);
    write_blocked(&t, 0, SW_BASE + SW_SIZE, 0x500000, WAV(PAMU_WAV_SUBWINDOW));
    finish(&t);
}

static void test_spaace_beyond_limit(const void *data)
{
    PamuTest t;
    PAMUTestEntry s4 = { .v = true, .pt = true, .liodn = PCI_LIODN,
                         .ap = PAMU_AP_RW, .atm = PAMU_ATM_WINDOW, .swse = 19,
                         .twba = 0x700000 };

    start(&t, data, NULL);
    put_subwindows(&t);
    /* a valid entry that lies beyond the SPAACT limit does not count */
    put_entry(&t, spaace(SW_FSPI + 3), &s4);
    write_blocked(&t, 0, SW_BASE + 4 * SW_SIZE, 0x700000,
                  WAV(PAMU_WAV_SUBWINDOW));

    /* raising the limit takes it into use */
    clear_record(&t, 0);
    pamu_write(&t, 0, A_SPLAL, spaace(SW_FSPI + 4));
    write_lands(&t, SW_BASE + 4 * SW_SIZE, 0x700000);
    assert_no_record(&t, 0);
    finish(&t);
}

/* A DMA that starts in subwindow 0 and runs into the invalid subwindow 1 */
static void test_crossing_subwindows(const void *data)
{
    PamuTest t;
    const uint64_t start_iova = SW_BASE + SW_SIZE - LEN / 2;

    start(&t, data, NULL);
    put_subwindows(&t);
    dma_to_ram(&t, start_iova, LEN);
    /* the first half landed at the end of subwindow 0's target ... */
    assert_mem(&t, 0x300000 - LEN / 2, t.pattern, LEN / 2);
    /* ... the second half nowhere */
    assert_zero(&t, 0x300000, LEN / 2);
    assert_zero(&t, 0x500000, LEN / 2);
    assert_record(&t, 0, WAV(PAMU_WAV_SUBWINDOW), SW_BASE + SW_SIZE);
    finish(&t);
}

static void test_liodn_beyond_limit(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);

    start_mapped(&t, data, &e);
    /* a PPAACT of 193 entries ends just below LIODN 193 */
    pamu_write(&t, 0, A_PPLAL, paace(PCI_LIODN));
    write_blocked(&t, 0, 0x200000, 0x200000, LAV(PAMU_LAV_NOT_IN_PPAACT));

    clear_record(&t, 0);
    pamu_write(&t, 0, A_PPLAL, paace(PCI_LIODN + 1));
    write_lands(&t, 0x200000, 0x200000);
    finish(&t);
}

static void test_invalid_entry(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);

    start(&t, data, NULL);
    e.v = false;
    put_paace(&t, &e);
    enable_pamu(&t);
    write_blocked(&t, 0, 0x200000, 0x200000, LAV(PAMU_LAV_INVALID));
    finish(&t);
}

/* Linux rewrites PAACEs in memory and never tells the PAMU. */
static void test_table_rewrite(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);

    start_mapped(&t, data, &e);
    write_lands(&t, 0x200000, 0x200000);

    e.v = false;                        /* "Disabling liodn" */
    put_paace(&t, &e);
    write_blocked(&t, 0, 0x210000, 0x210000, LAV(PAMU_LAV_INVALID));

    /* moved: now a translating window */
    clear_record(&t, 0);
    e = (PAMUTestEntry) { .v = true, .ap = PAMU_AP_RW, .wse = 20,
                          .wba = 0x40000000,
                          .atm = PAMU_ATM_WINDOW, .twba = 0x600000 };
    put_paace(&t, &e);
    write_lands(&t, 0x40000000, 0x600000);
    assert_no_record(&t, 0);
    finish(&t);
}

static void test_violation_record(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW, .wse = 20,
                        .wba = 0x400000 };

    start_mapped(&t, data, &e);
    g_assert_false(qtest_get_irq(t.qts, 0));
    dma_to_ram(&t, 0x700000, LEN);
    assert_record(&t, 0, WAV(PAMU_WAV_OUTSIDE), 0x700000);
    g_assert_true(qtest_get_irq(t.qts, 0));

    /* the first record wins */
    e.v = false;
    put_paace(&t, &e);
    dma_to_ram(&t, 0x800000, LEN);
    assert_zero(&t, 0x800000, LEN);
    assert_record(&t, 0, WAV(PAMU_WAV_OUTSIDE), 0x700000);

    /* the LIODN field is read-only; the violation bits clear with 1s */
    pamu_write(&t, 0, A_AVS1, 0xffffffff);
    g_assert_cmphex(pamu_read(&t, 0, A_AVS1), ==, PCI_LIODN << 16);
    /* AVICS is still set: the interrupt stays up until PICS is cleared */
    g_assert_true(qtest_get_irq(t.qts, 0));
    pamu_write(&t, 0, A_PICS, R_PICS_AVIE_MASK);    /* writing 0 keeps it */
    g_assert_true(qtest_get_irq(t.qts, 0));
    pamu_write(&t, 0, A_PICS, R_PICS_AVICS_MASK | R_PICS_AVIE_MASK);
    g_assert_false(qtest_get_irq(t.qts, 0));
    g_assert_cmphex(pamu_read(&t, 0, A_PICS), ==, R_PICS_AVIE_MASK);

    /* with the record cleared the next violation is latched */
    dma_to_ram(&t, 0x800000, LEN);
    assert_record(&t, 0, LAV(PAMU_LAV_INVALID), 0x800000);
    g_assert_true(qtest_get_irq(t.qts, 0));

    /* masking AVIE drops the line but keeps the status */
    pamu_write(&t, 0, A_PICS, 0);
    g_assert_false(qtest_get_irq(t.qts, 0));
    g_assert_true(pamu_read(&t, 0, A_PICS) & R_PICS_AVICS_MASK);
    pamu_write(&t, 0, A_PICS, R_PICS_AVIE_MASK);
    g_assert_true(qtest_get_irq(t.qts, 0));
    finish(&t);
}

/* The interrupt reaches MPIC source 24, as on QorIQ. */
static void test_mpic_source(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_READ);
    uint64_t src;

    start_machine(&t, data, NULL, false);
    src = t.b->ccsr + MPIC_SRC_CCSR_OFFSET +
          PAMU_MPIC_SOURCE * MPIC_SRC_STRIDE;
    qtest_writel(t.qts, src + 0x10, 1);                 /* IDR: CPU 0 */
    qtest_writel(t.qts, src, MPIC_IVPR_PRIORITY);       /* unmasked */
    put_paace(&t, &e);
    enable_pamu(&t);
    g_assert_false(qtest_readl(t.qts, src) & MPIC_IVPR_ACTIVITY);
    dma_to_ram(&t, 0x200000, LEN);
    assert_record(&t, 0, APV(PAMU_APV_WRITE), 0x200000);
    g_assert_true(qtest_readl(t.qts, src) & MPIC_IVPR_ACTIVITY);
    clear_record(&t, 0);
    g_assert_false(qtest_readl(t.qts, src) & MPIC_IVPR_ACTIVITY);
    finish(&t);
}

/* With AVIE = 0 violations are recorded but raise no interrupt. */
static void test_no_interrupt(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_READ);

    start(&t, data, NULL);
    put_paace(&t, &e);
    program_unit(&t, 0, 0);
    set_bypass(&t, 0);
    write_blocked(&t, 0, 0x200000, 0x200000, APV(PAMU_APV_WRITE));
    g_assert_false(qtest_get_irq(t.qts, 0));
    finish(&t);
}

/* Two units: the PCI controller is served by unit 1 (pci-unit=1). */
static void test_two_units(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_READ);

    start(&t, data, "num-units=2,pci-unit=1");
    put_paace(&t, &e);
    /* unit 0 stays bypassed and disabled; unit 1 serves PCI */
    program_unit(&t, 1, R_PICS_AVIE_MASK);
    set_bypass(&t, PAMU_BYPASS_BIT(0));
    write_blocked(&t, 1, 0x200000, 0x200000, APV(PAMU_APV_WRITE));
    assert_no_record(&t, 0);
    g_assert_true(qtest_get_irq(t.qts, 0));

    /* unit 1's bypass bit is what lets the DMA through untranslated */
    clear_record(&t, 1);
    set_bypass(&t, PAMU_BYPASS_BIT(1));
    write_lands(&t, 0x210000, 0x210000);
    assert_no_record(&t, 1);
    finish(&t);
}

static void test_system_reset(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_READ);

    start_mapped(&t, data, &e);
    dma_to_ram(&t, 0x200000, LEN);
    assert_record(&t, 0, APV(PAMU_APV_WRITE), 0x200000);
    g_assert_true(qtest_get_irq(t.qts, 0));

    qtest_system_reset(t.qts);
    assert_no_record(&t, 0);
    g_assert_cmphex(pamu_read(&t, 0, A_PC), ==, 0);
    g_assert_cmphex(pamu_read(&t, 0, A_PPBAL), ==, 0);
    g_assert_cmphex(pamu_read(&t, 0, A_PICS), ==, 0);
    g_assert_cmphex(pamu_read(&t, 0, A_AVAL), ==, 0);
    g_assert_cmphex(qtest_readl(t.qts, bypass_addr(&t)), ==, 0x80000000);
    g_assert_false(qtest_get_irq(t.qts, 0));
    finish(&t);
}

static void wait_migration(QTestState *qts)
{
    int i;

    for (i = 0; i < 1000; i++) {
        QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-migrate' }");
        QDict *ret = qdict_get_qdict(rsp, "return");
        const char *status = qdict_get_try_str(ret, "status");
        bool done = status && !strcmp(status, "completed");

        g_assert(!status || strcmp(status, "failed"));
        qobject_unref(rsp);
        if (done) {
            return;
        }
        g_usleep(10 * 1000);
    }
    g_assert_not_reached();
}

/*
 * Migrates a machine with programmed registers and a latched violation
 * through a file; the destination keeps all of it and still translates.
 */
static void test_migration(const void *data)
{
    const E500Board *b = data;
    PamuTest t;
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW, .wse = 20,
                        .wba = 0x40000000,
                        .atm = PAMU_ATM_WINDOW, .twba = 0x600000 };
    g_autofree char *file = NULL, *uri = NULL;
    QTestState *dst;
    int fd;

    fd = g_file_open_tmp("pamu-migration-XXXXXX", &file, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);

    start_mapped(&t, b, &e);
    dma_to_ram(&t, 0x40000000, LEN);            /* translated: lands */
    dma_to_ram(&t, 0x300000, LEN);              /* outside: latched */
    assert_record(&t, 0, WAV(PAMU_WAV_OUTSIDE), 0x300000);
    uri = g_strdup_printf("file:%s", file);
    qtest_qmp_assert_success(t.qts, "{ 'execute': 'migrate', 'arguments': "
                             "{ 'uri': %s } }", uri);
    wait_migration(t.qts);
    qtest_quit(t.qts);

    launch(&t, NULL, true, uri);
    dst = t.qts;
    wait_migration(dst);
    qtest_qmp_assert_success(dst, "{ 'execute': 'cont' }");

    assert_record(&t, 0, WAV(PAMU_WAV_OUTSIDE), 0x300000);
    g_assert_cmphex(pamu_read(&t, 0, A_PC), ==, 0x40001011);
    g_assert_cmphex(pamu_read(&t, 0, A_PPBAL), ==, PPAACT);
    g_assert_cmphex(qtest_readl(dst, bypass_addr(&t)), ==, 0);
    assert_mem(&t, 0x600000, t.pattern, LEN);   /* RAM came along */

    /* edu keeps no migration state: map it again, reload the buffer */
    e500_edu_init(&t.edu, dst, b, b->first_devfn);
    dma_from_ram(&t, 0x40000000, LEN);
    write_lands(&t, 0x40001000, 0x601000);
    assert_zero(&t, 0x1000, LEN);

    /* the destination snoops the tables too: a rewrite takes effect */
    e.twba = 0x700000;
    put_paace(&t, &e);
    write_lands(&t, 0x40002000, 0x702000);
    unlink(file);
    finish(&t);
}

/* PCI MSIs reach the MPIC through PEXCSRBAR, and so through the PAMU. */
#define CSRBAR_BUS  0x80000000ULL

static void setup_msi(PamuTest *t, uint32_t csrbar)
{
    const E500Board *b = t->b;
    uint32_t cap, devfn = t->edu.devfn;

    /* PEXCSRBAR: BAR 0 of the host bridge function */
    e500_pci_cfg_writel(t->qts, b, 0, PCI_BASE_ADDRESS_0, csrbar);
    e500_pci_cfg_writel(t->qts, b, 0, PCI_COMMAND, PCI_COMMAND_MEMORY);

    cap = e500_pci_cfg_readl(t->qts, b, devfn, PCI_CAPABILITY_LIST) & 0xff;
    while (cap && (e500_pci_cfg_readl(t->qts, b, devfn, cap) & 0xff) !=
           PCI_CAP_ID_MSI) {
        cap = (e500_pci_cfg_readl(t->qts, b, devfn, cap) >> 8) & 0xff;
    }
    g_assert_cmpuint(cap, !=, 0);
    e500_pci_cfg_writel(t->qts, b, devfn, cap + PCI_MSI_ADDRESS_LO,
                        csrbar + MSI_CCSR_OFFSET + MSIIR_OFFSET);
    e500_pci_cfg_writel(t->qts, b, devfn, cap + PCI_MSI_ADDRESS_HI, 0);
    e500_pci_cfg_writel(t->qts, b, devfn, cap + PCI_MSI_DATA_64, 0);
    e500_pci_cfg_writel(t->qts, b, devfn, cap,
                        (e500_pci_cfg_readl(t->qts, b, devfn, cap) &
                         0xffff) | (PCI_MSI_FLAGS_ENABLE << 16));
}

static uint32_t edu_send_msi(PamuTest *t)
{
    /* edu raises its interrupt (an MSI) on a write to 0x60 */
    qtest_writel(t->qts, t->edu.bar + 0x60, 1);
    /* MSIR0: reading returns and clears the pending bits of bank 0 */
    return qtest_readl(t->qts, t->b->ccsr + MSI_CCSR_OFFSET);
}

static void test_msi(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    const uint64_t msiir = ((const E500Board *)data)->ccsr +
                           MSI_CCSR_OFFSET + MSIIR_OFFSET;

    start(&t, data, NULL);
    setup_msi(&t, CSRBAR_BUS);
    put_paace(&t, &e);
    enable_pamu(&t);
    g_assert_cmphex(edu_send_msi(&t), ==, 1);
    assert_no_record(&t, 0);

    /* a 2 GiB window does not cover CCSR: the MSI write is blocked */
    e.wse = 30;
    put_paace(&t, &e);
    g_assert_cmphex(edu_send_msi(&t), ==, 0);
    assert_record(&t, 0, WAV(PAMU_WAV_OUTSIDE), msiir);
    finish(&t);
}

/*
 * Only the controller's inbound traffic to PEXCSRBAR crosses the PAMU; the
 * CPU, through an outbound window, reaches CCSR directly.  BAR 0 is moved
 * into the outbound window here, and the inbound path must follow it.
 */
static void test_csrbar_views(const void *data)
{
    const E500Board *b = data;
    const uint32_t csrbar = b->mmio_bus + 0x1000000;
    const uint64_t cpu_view = b->mmio_cpu + 0x1000000;
    const uint64_t msiir = b->ccsr + MSI_CCSR_OFFSET + MSIIR_OFFSET;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    PamuTest t;
    uint32_t pr1;

    e.wse = 30;                 /* 2 GiB: CCSR is outside the window */
    start(&t, b, NULL);
    setup_msi(&t, CSRBAR_BUS);
    setup_msi(&t, csrbar);      /* moved after it was first mapped */
    put_paace(&t, &e);
    enable_pamu(&t);

    pr1 = pamu_read(&t, 0, A_PR1);
    g_assert_cmphex(pr1, !=, 0);
    g_assert_cmphex(qtest_readl(t.qts, cpu_view + PAMU_CCSR_OFFSET + A_PR1),
                    ==, pr1);
    assert_no_record(&t, 0);

    g_assert_cmphex(edu_send_msi(&t), ==, 0);
    assert_record(&t, 0, WAV(PAMU_WAV_OUTSIDE), msiir);
    clear_record(&t, 0);

    e = pamu_test_identity_entry(PAMU_AP_RW);
    put_paace(&t, &e);
    g_assert_cmphex(edu_send_msi(&t), ==, 1);
    assert_no_record(&t, 0);
    finish(&t);
}

/* --- tables, addresses and registers at the edges ---------------------- */

/*
 * TWBA 64 KiB below 2^64: the first 64 KiB of the window translate there,
 * the rest would wrap around to low memory and is blocked.
 */
static void test_translation_wrap(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW, .wse = 17,
                        .wba = 0x400000, .atm = PAMU_ATM_WINDOW,
                        .twba = 0xffffffffffff0000ULL };

    start_mapped(&t, data, &e);
    dma_to_ram(&t, 0x400000, LEN);      /* allowed: to unassigned space */
    assert_no_record(&t, 0);
    /* 2^64 - 64 KiB + 128 KiB would be physical 64 KiB */
    write_blocked(&t, 0, 0x420000, 0x10000, WAV(PAMU_WAV_WRAP));
    finish(&t);
}

#define PPAACT2             0x1400000ULL
#define SPAACT2             0x1500000ULL

/* New table bases take effect at once, even after the old ones were used. */
static void test_table_move(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    PAMUTestEntry p = { .v = true, .mw = true, .ap = PAMU_AP_RW, .wse = 21,
                        .wce = 0, .wba = 0x40000000, .fspi = 2,
                        .swse = 19 };
    PAMUTestEntry s = { .v = true, .pt = true, .liodn = PCI_LIODN,
                        .ap = PAMU_AP_RW, .atm = PAMU_ATM_WINDOW,
                        .swse = 19, .twba = 0x600000 };

    start_mapped(&t, data, &e);
    write_lands(&t, 0x200000, 0x200000);

    /* a second PPAACT: subwindow 1 of a 4 MiB window -> 6 MiB */
    put_entry(&t, PPAACT2 + PCI_LIODN * PAMU_PAACE_SIZE, &p);
    put_entry(&t, spaace(2), &s);
    pamu_write(&t, 0, A_PPBAL, PPAACT2);
    pamu_write(&t, 0, A_PPLAL, PPAACT2 + PPAACT_ENTRIES * PAMU_PAACE_SIZE);
    write_lands(&t, 0x40200000, 0x600000);
    assert_no_record(&t, 0);

    /* a second SPAACT whose entry 2 sends subwindow 1 to 7 MiB */
    s.twba = 0x700000;
    put_entry(&t, SPAACT2 + 2 * PAMU_PAACE_SIZE, &s);
    pamu_write(&t, 0, A_SPBAL, SPAACT2);
    pamu_write(&t, 0, A_SPLAL, SPAACT2 + SPAACT_ENTRIES * PAMU_PAACE_SIZE);
    write_lands(&t, 0x40210000, 0x710000);
    assert_zero(&t, 0x610000, LEN);

    /* and back: the first PPAACT's identity window again */
    pamu_write(&t, 0, A_PPBAL, PPAACT);
    pamu_write(&t, 0, A_PPLAL, PPAACT + PPAACT_ENTRIES * PAMU_PAACE_SIZE);
    write_lands(&t, 0x220000, 0x220000);
    assert_no_record(&t, 0);
    finish(&t);
}

/* Tables too big to be mapped directly are read entry by entry. */
static void test_big_tables(const void *data)
{
    PamuTest t;
    const uint64_t big = 80 * 0x100000ULL;
    const uint32_t fspi = big / PAMU_PAACE_SIZE - 1;    /* the last entry */
    PAMUTestEntry p = { .v = true, .mw = true, .ap = PAMU_AP_RW, .wse = 21,
                        .wce = 0, .wba = 0x40000000, .fspi = fspi,
                        .swse = 19, .atm = PAMU_ATM_WINDOW,
                        .twba = 0x500000 };
    PAMUTestEntry s = { .v = true, .pt = true, .liodn = PCI_LIODN,
                        .ap = PAMU_AP_RW, .atm = PAMU_ATM_WINDOW,
                        .swse = 19, .twba = 0x600000 };

    start(&t, data, NULL);
    put_paace(&t, &p);
    put_entry(&t, spaace(fspi), &s);
    enable_pamu(&t);
    pamu_write(&t, 0, A_PPLAL, PPAACT + big);
    pamu_write(&t, 0, A_SPLAL, SPAACT + big);
    write_lands(&t, 0x40000000, 0x500000);
    write_lands(&t, 0x40200100, 0x600100);
    assert_no_record(&t, 0);
    finish(&t);
}

#define MSIR0               0x0         /* in the MSI block, read-to-clear */

/* Sets MSIR0 bit 0 of MSI bank 0 from the CPU. */
static void set_msir0(PamuTest *t)
{
    qtest_writel(t->qts, t->b->ccsr + MSI_CCSR_OFFSET + MSIIR_OFFSET, 0);
}

/* Points the PPAACT so that the PCI LIODN's entry lies at @entry. */
static void place_ppaact(PamuTest *t, uint64_t entry)
{
    uint64_t base = entry - PCI_LIODN * PAMU_PAACE_SIZE;

    pamu_write(t, 0, A_PPBAH, base >> 32);
    pamu_write(t, 0, A_PPBAL, base);
    pamu_write(t, 0, A_PPLAH, (base + PPAACT_ENTRIES * PAMU_PAACE_SIZE) >> 32);
    pamu_write(t, 0, A_PPLAL, base + PPAACT_ENTRIES * PAMU_PAACE_SIZE);
}

/*
 * Tables are read from RAM only: an entry across the end of RAM, in MMIO
 * or in unassigned space is unreadable, and no device register is read.
 */
static void test_tables_off_ram(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    const uint64_t ram_end = 128 * 0x100000ULL;

    start_mapped(&t, data, &e);
    /* the first half of the entry in RAM, the second beyond it */
    put_entry(&t, ram_end - PAMU_PAACE_SIZE, &e);
    place_ppaact(&t, ram_end - PAMU_PAACE_SIZE / 2);
    write_blocked(&t, 0, 0x200000, 0x200000, LAV(PAMU_LAV_INVALID));
    clear_record(&t, 0);

    /* the entry on the MPIC's read-to-clear MSIR0: it is left alone */
    set_msir0(&t);
    place_ppaact(&t, t.b->ccsr + MSI_CCSR_OFFSET + MSIR0);
    write_blocked(&t, 0, 0x210000, 0x210000, LAV(PAMU_LAV_INVALID));
    g_assert_cmphex(qtest_readl(t.qts, t.b->ccsr + MSI_CCSR_OFFSET + MSIR0),
                    ==, 1);
    clear_record(&t, 0);

    /* nothing there at all */
    place_ppaact(&t, 0x20000000);
    write_blocked(&t, 0, 0x220000, 0x220000, LAV(PAMU_LAV_INVALID));
    clear_record(&t, 0);

    /* back in RAM, it works */
    place_ppaact(&t, paace(PCI_LIODN));
    write_lands(&t, 0x230000, 0x230000);
    finish(&t);
}

/*
 * A table that starts on an MMIO register is not mapped for table reads
 * either: with LIODN 0 the entry is the first thing at PPBA.
 */
static void test_table_on_mmio(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    const uint64_t msir0 = ((const E500Board *)data)->ccsr +
                           MSI_CCSR_OFFSET + MSIR0;

    start_machine_with(&t, data, NULL, true,
                       "-global e500-pcihost.liodn=0");
    put_entry(&t, PPAACT, &e);
    enable_pamu(&t);
    write_lands(&t, 0x200000, 0x200000);

    set_msir0(&t);
    pamu_write(&t, 0, A_PPBAH, msir0 >> 32);
    pamu_write(&t, 0, A_PPBAL, msir0);
    pamu_write(&t, 0, A_PPLAH, (msir0 + 0x1000) >> 32);
    pamu_write(&t, 0, A_PPLAL, msir0 + 0x1000);
    dma_to_ram(&t, 0x210000, LEN);
    assert_zero(&t, 0x210000, LEN);
    g_assert_cmphex(pamu_read(&t, 0, A_AVS1), ==,
                    LAV(PAMU_LAV_INVALID) | R_AVS1_AV_MASK);
    g_assert_cmphex(qtest_readl(t.qts, msir0), ==, 1);
    finish(&t);
}

/*
 * 64-bit addresses end to end, on ppce500 with 4 GiB + 64 MiB of RAM:
 * tables above 4 GiB, a window above 4 GiB (WBAH) through an inbound
 * window there, translated to RAM above 4 GiB (TWBAH).
 */
#define HIGH_TABLES         0x100000000ULL
#define HIGH_WINDOW         0x200000000ULL
#define HIGH_RAM            0x100200000ULL

static void test_high_addresses(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW, .wse = 19,
                        .wba = HIGH_WINDOW + 0x100000,
                        .atm = PAMU_ATM_WINDOW, .twba = HIGH_RAM };

    start_machine_with(&t, data, NULL, true, "-m 4160M");
    put_entry(&t, HIGH_TABLES + PCI_LIODN * PAMU_PAACE_SIZE, &e);
    enable_pamu(&t);
    place_ppaact(&t, HIGH_TABLES + PCI_LIODN * PAMU_PAACE_SIZE);
    e500_set_inbound_window(t.qts, t.b, 1, HIGH_WINDOW, HIGH_WINDOW, 30);

    write_lands(&t, HIGH_WINDOW + 0x100000, HIGH_RAM);
    write_lands(&t, HIGH_WINDOW + 0x17ff00, HIGH_RAM + 0x7ff00);
    assert_no_record(&t, 0);
    /* just below the window: blocked, recorded with the full address */
    write_blocked(&t, 0, HIGH_WINDOW + 0xfff00, HIGH_RAM - 0x100,
                  WAV(PAMU_WAV_OUTSIDE));
    finish(&t);
}

/*
 * PEXCSRBAR lets devices reach CCSR, the PAMU's own registers and
 * PAMUBYPENR included: a window that covers CCSR (Linux's 64 GiB one
 * does) lets a device write them, as on silicon; a window that does not
 * stops the device.
 */
static void test_dma_to_pamu(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    const uint64_t pfa1 = CSRBAR_BUS + PAMU_CCSR_OFFSET + A_PFA1;
    const uint64_t bypenr = CSRBAR_BUS + GUTS_CCSR_OFFSET +
                            PAMU_GUTS_PAMUBYPENR;
    const uint32_t values[] = { cpu_to_be32(0x12345678),
                                cpu_to_be32(PAMU_BYPASS_BIT(0)),
                                cpu_to_be32(0x9abcdef0) };

    start(&t, data, NULL);
    e500_pci_cfg_writel(t.qts, t.b, 0, PCI_BASE_ADDRESS_0, CSRBAR_BUS);
    e500_pci_cfg_writel(t.qts, t.b, 0, PCI_COMMAND, PCI_COMMAND_MEMORY);
    qtest_memwrite(t.qts, 0x300000, values, sizeof(values));
    dma_from_ram(&t, 0x300000, sizeof(values));
    put_paace(&t, &e);
    enable_pamu(&t);

    e500_edu_dma(&t.edu, pfa1, 0, 4, true);
    g_assert_cmphex(pamu_read(&t, 0, A_PFA1), ==, 0x12345678);
    e500_edu_dma(&t.edu, bypenr, 4, 4, true);
    g_assert_cmphex(qtest_readl(t.qts, bypass_addr(&t)), ==,
                    PAMU_BYPASS_BIT(0));
    assert_no_record(&t, 0);

    /* a 2 GiB window leaves CCSR out */
    e.wse = 30;
    put_paace(&t, &e);
    set_bypass(&t, 0);
    e500_edu_dma(&t.edu, pfa1, 8, 4, true);
    g_assert_cmphex(pamu_read(&t, 0, A_PFA1), ==, 0x12345678);
    assert_record(&t, 0, WAV(PAMU_WAV_OUTSIDE),
                  t.b->ccsr + PAMU_CCSR_OFFSET + A_PFA1);
    e500_edu_dma(&t.edu, bypenr, 4, 4, true);
    g_assert_cmphex(qtest_readl(t.qts, bypass_addr(&t)), ==, 0);
    finish(&t);
}

/*
 * The line is the OR over the units of (AVICS and AVIE): each unit's
 * status counts only with its own enable.
 */
static void test_irq_units(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_READ);

    start(&t, data, "num-units=2");
    put_paace(&t, &e);
    program_unit(&t, 0, 0);
    program_unit(&t, 1, R_PICS_AVIE_MASK);
    set_bypass(&t, 0);
    write_blocked(&t, 0, 0x200000, 0x200000, APV(PAMU_APV_WRITE));
    g_assert_false(qtest_get_irq(t.qts, 0));    /* unit 1's AVIE: no */
    pamu_write(&t, 0, A_PICS, R_PICS_AVIE_MASK);
    g_assert_true(qtest_get_irq(t.qts, 0));
    pamu_write(&t, 1, A_PICS, 0);               /* the other unit's */
    g_assert_true(qtest_get_irq(t.qts, 0));
    clear_record(&t, 0);
    g_assert_false(qtest_get_irq(t.qts, 0));
    finish(&t);

    /* served by unit 1, with unit 0 idle but enabled */
    start(&t, data, "num-units=2,pci-unit=1");
    put_paace(&t, &e);
    program_unit(&t, 0, R_PICS_AVIE_MASK);
    program_unit(&t, 1, R_PICS_AVIE_MASK);
    set_bypass(&t, 0);
    write_blocked(&t, 1, 0x200000, 0x200000, APV(PAMU_APV_WRITE));
    assert_no_record(&t, 0);
    g_assert_true(qtest_get_irq(t.qts, 0));
    pamu_write(&t, 0, A_PICS, R_PICS_AVICS_MASK);   /* clears unit 0 only */
    g_assert_true(qtest_get_irq(t.qts, 0));
    clear_record(&t, 1);
    g_assert_false(qtest_get_irq(t.qts, 0));
    finish(&t);
}

/* Write-1-to-clear bits and read-only registers ignore other writes. */
static void test_register_writes(const void *data)
{
    PamuTest t;
    static const uint32_t ro_regs[] = {
        A_AVS2, A_AVAH, A_AVAL, A_UDAD, A_PR1, A_PR2, A_PC1, A_PC2, A_PC3,
        A_PC4,
    };
    uint32_t before[ARRAY_SIZE(ro_regs)];
    size_t i;

    start(&t, data, NULL);
    /* POES1: POED is write-1-to-clear, software cannot set it */
    pamu_write(&t, 0, A_POES1, 0xffffffff);
    g_assert_cmphex(pamu_read(&t, 0, A_POES1), ==,
                    0xffffffff & ~R_POES1_POED_MASK);
    pamu_write(&t, 0, A_POES1, 0x12345679);
    g_assert_cmphex(pamu_read(&t, 0, A_POES1), ==, 0x12345678);

    for (i = 0; i < ARRAY_SIZE(ro_regs); i++) {
        before[i] = pamu_read(&t, 0, ro_regs[i]);
        pamu_write(&t, 0, ro_regs[i], ~before[i]);
    }
    for (i = 0; i < ARRAY_SIZE(ro_regs); i++) {
        g_assert_cmphex(pamu_read(&t, 0, ro_regs[i]), ==, before[i]);
    }
    /* a latched record survives writes of 0, and of 1 to the LIODN */
    put_paace(&t, &(PAMUTestEntry) { .v = false });
    enable_pamu(&t);
    write_blocked(&t, 0, 0x200000, 0x200000, LAV(PAMU_LAV_INVALID));
    pamu_write(&t, 0, A_AVS1, 0);
    pamu_write(&t, 0, A_AVAL, 0);
    pamu_write(&t, 0, A_AVS1, 0xffff0000);
    assert_record(&t, 0, LAV(PAMU_LAV_INVALID), 0x200000);
    finish(&t);
}

/* Counts the lines of @file that contain @what. */
static unsigned count_lines(const char *file, const char *what)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    unsigned n = 0;
    size_t i;

    g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        n += strstr(lines[i], what) != NULL;
    }
    return n;
}

/* Questionable entries are logged once per entry change, not per DMA. */
static void test_log_once(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW, .wse = 20,
                        .wba = 0x480000, .dd = true };
    g_autofree char *log = NULL, *args = NULL;
    int fd, i;

    fd = g_file_open_tmp("pamu-log-XXXXXX", &log, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    args = g_strdup_printf("-d guest_errors,unimp -D %s", log);
    start_machine_with(&t, data, NULL, true, args);
    put_paace(&t, &e);              /* base not aligned, DD = 1 */
    enable_pamu(&t);
    for (i = 0; i < 3; i++) {
        write_lands(&t, 0x400000 + i * 0x1000, 0x400000 + i * 0x1000);
    }
    e.ap = PAMU_AP_WRITE;           /* a change of the entry */
    put_paace(&t, &e);
    for (i = 3; i < 6; i++) {
        write_lands(&t, 0x400000 + i * 0x1000, 0x400000 + i * 0x1000);
    }
    qtest_quit(t.qts);
    g_assert_cmpuint(count_lines(log, "window base is not aligned"), ==, 2);
    g_assert_cmpuint(count_lines(log, "I/O destination (DD = 1)"), ==, 2);
    unlink(log);
    unlink(t.bios);
    g_free(t.bios);
}

/* The PAMU adds no address space of its own per initiator. */
static void test_address_spaces(const void *data)
{
    PamuTest t;
    g_autofree char *mtree = NULL;

    start(&t, data, NULL);
    mtree = qtest_hmp(t.qts, "info mtree");
    g_assert_nonnull(strstr(mtree, "address-space: pamu-downstream"));
    g_assert_null(strstr(mtree, "address-space: pamu-liodn"));
    finish(&t);
}

/* The unit array's length is num-units on both sides: it must match. */
static void test_migration_num_units(const void *data)
{
    PamuTest t;
    g_autofree char *file = NULL, *uri = NULL, *args = NULL, *err = NULL;
    int fd;

    fd = g_file_open_tmp("pamu-migration-XXXXXX", &file, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    uri = g_strdup_printf("file:%s", file);
    start(&t, data, "num-units=1");
    qtest_qmp_assert_success(t.qts, "{ 'execute': 'migrate', 'arguments': "
                             "{ 'uri': %s } }", uri);
    wait_migration(t.qts);
    args = g_strdup_printf("-M %s -bios %s -device pamu,num-units=2 "
                           "-device edu -incoming %s", t.b->machine,
                           t.bios, uri);
    err = run_qemu_expect_failure(args);
    g_assert_nonnull(strstr(err, "num-units must be the same on the "
                            "destination"));
    unlink(file);
    finish(&t);
}

/*
 * Migrates @t's machine through a file to a new QEMU with the same command
 * line (@pamu_opts), which takes its place in @t.  The destination loads
 * only once its interrupt is intercepted, so that the test sees the level
 * the PAMU sets on load.  The edu keeps no migration state: it is mapped
 * again, with an empty buffer.
 */
static void migrate(PamuTest *t, const char *pamu_opts)
{
    g_autofree char *file = NULL, *uri = NULL;
    int fd = g_file_open_tmp("pamu-migration-XXXXXX", &file, NULL);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    uri = g_strdup_printf("file:%s", file);
    qtest_qmp_assert_success(t->qts, "{ 'execute': 'migrate', 'arguments': "
                             "{ 'uri': %s } }", uri);
    wait_migration(t->qts);
    qtest_quit(t->qts);

    launch(t, pamu_opts, true, "defer");
    qtest_qmp_assert_success(t->qts, "{ 'execute': 'migrate-incoming', "
                             "'arguments': { 'uri': %s } }", uri);
    wait_migration(t->qts);
    qtest_qmp_assert_success(t->qts, "{ 'execute': 'cont' }");
    unlink(file);
    e500_edu_init(&t->edu, t->qts, t->b, t->b->first_devfn);
}

/* Points the edu's MSI at @addr, PEXCSRBAR being programmed already. */
static void enable_edu_msi(PamuTest *t, uint32_t addr)
{
    const E500Board *b = t->b;
    uint32_t cap, devfn = t->edu.devfn;

    cap = e500_pci_cfg_readl(t->qts, b, devfn, PCI_CAPABILITY_LIST) & 0xff;
    while (cap && (e500_pci_cfg_readl(t->qts, b, devfn, cap) & 0xff) !=
           PCI_CAP_ID_MSI) {
        cap = (e500_pci_cfg_readl(t->qts, b, devfn, cap) >> 8) & 0xff;
    }
    g_assert_cmpuint(cap, !=, 0);
    e500_pci_cfg_writel(t->qts, b, devfn, cap + PCI_MSI_ADDRESS_LO, addr);
    e500_pci_cfg_writel(t->qts, b, devfn, cap + PCI_MSI_ADDRESS_HI, 0);
    e500_pci_cfg_writel(t->qts, b, devfn, cap + PCI_MSI_DATA_64, 0);
    e500_pci_cfg_writel(t->qts, b, devfn, cap,
                        (e500_pci_cfg_readl(t->qts, b, devfn, cap) &
                         0xffff) | (PCI_MSI_FLAGS_ENABLE << 16));
}

/*
 * PEXCSRBAR, the host bridge function's BAR 0, survives migration, and
 * MSIs through it still reach the MPIC, through the PAMU.
 */
static void test_migration_msi(const void *data)
{
    const E500Board *b = data;
    const uint64_t msiir = b->ccsr + MSI_CCSR_OFFSET + MSIIR_OFFSET;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    PamuTest t;

    start(&t, b, NULL);
    setup_msi(&t, CSRBAR_BUS);
    put_paace(&t, &e);
    enable_pamu(&t);
    g_assert_cmphex(edu_send_msi(&t), ==, 1);
    migrate(&t, NULL);

    g_assert_cmphex(e500_pci_cfg_readl(t.qts, b, 0, PCI_BASE_ADDRESS_0), ==,
                    CSRBAR_BUS);
    g_assert_cmphex(e500_pci_cfg_readl(t.qts, b, 0, PCI_COMMAND) &
                    PCI_COMMAND_MEMORY, ==, PCI_COMMAND_MEMORY);
    enable_edu_msi(&t, CSRBAR_BUS + MSI_CCSR_OFFSET + MSIIR_OFFSET);
    g_assert_cmphex(edu_send_msi(&t), ==, 1);
    assert_no_record(&t, 0);

    /* a 2 GiB window does not cover CCSR: the PAMU still checks MSIs */
    e.wse = 30;
    put_paace(&t, &e);
    g_assert_cmphex(edu_send_msi(&t), ==, 0);
    assert_record(&t, 0, WAV(PAMU_WAV_OUTSIDE), msiir);
    finish(&t);
}

/* The flat view of the PCI host's DMA address space ("info mtree -f"). */
static char *pci_dma_view(PamuTest *t)
{
    g_autofree char *mtree = qtest_hmp(t->qts, "info mtree -f");
    const char *start = strstr(mtree, "AS \"pci-bm\"");
    const char *end;

    g_assert_nonnull(start);
    end = strstr(start, "\n\n");
    return g_strndup(start, end ? end - start : strlen(start));
}

/*
 * Unit 0, which serves PCI, is still bypassed while unit 1 is in use: on
 * the destination PCI DMA still passes untranslated, off the IOMMU path.
 */
static void test_migration_bypassed(const void *data)
{
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_READ);
    g_autofree char *view = NULL;
    PamuTest t;

    start(&t, data, "num-units=2");
    put_paace(&t, &e);                  /* would stop device writes */
    program_unit(&t, 0, R_PICS_AVIE_MASK);
    program_unit(&t, 1, R_PICS_AVIE_MASK);
    set_bypass(&t, PAMU_BYPASS_BIT(0));
    migrate(&t, "num-units=2");

    g_assert_cmphex(qtest_readl(t.qts, bypass_addr(&t)), ==,
                    PAMU_BYPASS_BIT(0));
    /*
     * The inbound window shows RAM itself, the bypass alias, up to the
     * tables, whose bytes a snoop window covers.
     */
    view = pci_dma_view(&t);
    g_assert_nonnull(strstr(view, "0000000000000000-0000000000ffffff "
                            "(prio 0, ram): "));
    g_assert_nonnull(strstr(view, "0000000001000000-0000000001013fff "
                            "(prio 1, i/o): pamu-table-snoop"));
    g_assert_false(iommu_in_path(&t));
    dma_from_ram(&t, PATTERN_PA, LEN);
    write_lands(&t, 0x200000, 0x200000);
    assert_no_record(&t, 0);

    /* the unit's registers came along: clearing its bit enforces the PAACE */
    set_bypass(&t, 0);
    g_assert_true(iommu_in_path(&t));
    write_blocked(&t, 0, 0x210000, 0x210000, APV(PAMU_APV_WRITE));
    finish(&t);
}

#define UNIT0_PPAACT    0x1300000ULL    /* unit 0's own, empty, table */

/* Both units keep their own registers, and unit 1 its violation record. */
static void test_migration_two_units(const void *data)
{
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_READ);
    const char *opts = "num-units=2,pci-unit=1";
    PamuTest t;

    start(&t, data, opts);
    put_paace(&t, &e);
    program_unit(&t, 0, 0);
    pamu_write(&t, 0, A_PPBAL, UNIT0_PPAACT);
    pamu_write(&t, 0, A_PC, R_PC_PE_MASK);
    program_unit(&t, 1, R_PICS_AVIE_MASK);
    set_bypass(&t, 0);
    dma_to_ram(&t, 0x200000, LEN);
    assert_record(&t, 1, APV(PAMU_APV_WRITE), 0x200000);
    migrate(&t, opts);

    g_assert_cmphex(pamu_read(&t, 0, A_PPBAL), ==, UNIT0_PPAACT);
    g_assert_cmphex(pamu_read(&t, 0, A_PC), ==, R_PC_PE_MASK);
    g_assert_cmphex(pamu_read(&t, 0, A_PICS), ==, 0);
    assert_no_record(&t, 0);
    g_assert_cmphex(pamu_read(&t, 1, A_PPBAL), ==, PPAACT);
    g_assert_cmphex(pamu_read(&t, 1, A_PC), ==, 0x40001011);
    assert_record(&t, 1, APV(PAMU_APV_WRITE), 0x200000);
    g_assert_true(qtest_get_irq(t.qts, 0));

    /* unit 1 still serves PCI through the table in RAM */
    clear_record(&t, 1);
    g_assert_false(qtest_get_irq(t.qts, 0));
    write_blocked(&t, 1, 0x210000, 0x210000, APV(PAMU_APV_WRITE));
    assert_no_record(&t, 0);
    finish(&t);
}

/* A record latched with AVIE off raises nothing until AVIE is set. */
static void test_migration_avie_off(const void *data)
{
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_READ);
    PamuTest t;

    start(&t, data, NULL);
    put_paace(&t, &e);
    program_unit(&t, 0, 0);
    set_bypass(&t, 0);
    write_blocked(&t, 0, 0x200000, 0x200000, APV(PAMU_APV_WRITE));
    g_assert_false(qtest_get_irq(t.qts, 0));
    migrate(&t, NULL);

    assert_record(&t, 0, APV(PAMU_APV_WRITE), 0x200000);
    g_assert_false(qtest_get_irq(t.qts, 0));
    pamu_write(&t, 0, A_PICS, R_PICS_AVIE_MASK);
    g_assert_true(qtest_get_irq(t.qts, 0));
    finish(&t);
}

/* --- the machine side --------------------------------------------------- */

/* Dumps the device tree the machine gives its guest. */
static void *dump_dtb(QTestState *qts)
{
    g_autofree char *file = NULL;
    GError *err = NULL;
    gchar *dtb;
    gsize len;
    int fd;

    fd = g_file_open_tmp("pamu-dtb-XXXXXX", &file, &err);
    g_assert_no_error(err);
    close(fd);
    qtest_qmp_assert_success(qts, "{ 'execute': 'dumpdtb', 'arguments': "
                             "{ 'filename': %s } }", file);
    g_assert_true(g_file_get_contents(file, &dtb, &len, &err));
    unlink(file);
    g_assert_cmpint(fdt_check_header(dtb), ==, 0);
    return dtb;
}

static void assert_prop(const void *fdt, int node, const char *name,
                        const void *want, int len)
{
    int got_len;
    const void *got = fdt_getprop(fdt, node, name, &got_len);

    g_assert_nonnull(got);
    g_assert_cmpmem(got, got_len, want, len);
}

static void test_device_tree(const void *data)
{
    const E500Board *b = data;
    static const char pamu_compat[] = "fsl,pamu-v1.0\0fsl,pamu";
    static const char guts_compat[] =
        "fsl,mpc8544-guts\0fsl,qoriq-device-config-1.0";
    const uint32_t reg[] = { cpu_to_be32(0x20000), cpu_to_be32(0x2000) };
    const uint32_t irq[] = { cpu_to_be32(24), cpu_to_be32(2) };
    const uint32_t liodn = cpu_to_be32(200);
    const uint32_t stash_id = cpu_to_be32(32);  /* U-Boot's: 32 + 2 * core */
    g_autofree char *bios = e500_make_dummy_bios();
    g_autofree char *path = g_strdup_printf("/soc@%" PRIx64 "/iommu@20000",
                                            b->ccsr);
    g_autofree void *fdt = NULL;
    QTestState *qts;
    int node;

    qts = qtest_initf("-M %s -nodefaults -bios %s -device pamu,num-units=2 "
                      "-global e500-pcihost.liodn=200", b->machine, bios);
    fdt = dump_dtb(qts);
    qtest_quit(qts);
    node = fdt_path_offset(fdt, path);
    g_assert_cmpint(node, >=, 0);
    assert_prop(fdt, node, "compatible", pamu_compat, sizeof(pamu_compat));
    assert_prop(fdt, node, "reg", reg, sizeof(reg));
    assert_prop(fdt, node, "interrupts", irq, sizeof(irq));
    g_assert_nonnull(fdt_getprop(fdt, node, "interrupt-parent", NULL));
    node = fdt_node_offset_by_compatible(fdt, -1, "fsl,mpc8540-pci");
    g_assert_cmpint(node, >=, 0);
    assert_prop(fdt, node, "fsl,liodn", &liodn, sizeof(liodn));
    node = fdt_node_offset_by_compatible(fdt, -1, "fsl,mpc8544-guts");
    g_assert_cmpint(node, >=, 0);
    assert_prop(fdt, node, "compatible", guts_compat, sizeof(guts_compat));
    node = fdt_path_offset(fdt, "/cpus/PowerPC,8544@0");
    g_assert_cmpint(node, >=, 0);
    assert_prop(fdt, node, "cache-stash-id", &stash_id, sizeof(stash_id));
    g_free(fdt);

    /* without a PAMU, none of it */
    qts = qtest_initf("-M %s -nodefaults -bios %s", b->machine, bios);
    fdt = dump_dtb(qts);
    qtest_quit(qts);
    g_assert_cmpint(fdt_node_offset_by_compatible(fdt, -1, "fsl,pamu"), <, 0);
    node = fdt_node_offset_by_compatible(fdt, -1, "fsl,mpc8540-pci");
    g_assert_null(fdt_getprop(fdt, node, "fsl,liodn", NULL));
    node = fdt_path_offset(fdt, "/cpus/PowerPC,8544@0");
    g_assert_null(fdt_getprop(fdt, node, "cache-stash-id", NULL));
    node = fdt_node_offset_by_compatible(fdt, -1, "fsl,mpc8544-guts");
    assert_prop(fdt, node, "compatible", "fsl,mpc8544-guts",
                sizeof("fsl,mpc8544-guts"));
    unlink(bios);
}

static char *run_qemu_expect_failure(const char *args)
{
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *cmd = g_strdup_printf("%s -display none -nodefaults %s",
                                           qemu, args);
    g_auto(GStrv) argv = NULL;
    char *err = NULL;
    int status;

    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, NULL));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    return err;
}

static void test_user_errors(const void *data)
{
    const E500Board *b = data;
    g_autofree char *bios = e500_make_dummy_bios();
    static const struct {
        const char *opts;
        const char *error;
    } cases[] = {
        { "-device pamu -device pamu", "only one pamu device" },
        { "-device pamu,num-units=17", "num-units=17 is out of range" },
        { "-device pamu,pci-unit=1", "the PCI controller (pci-unit=1, LIODN "
          "193): pamu: unit 1 does not exist (num-units=1)" },
        { "-device pamu,max-subwindows=24", "max-subwindows=24 is not a "
          "power of two" },
        { "-global e500-pcihost.liodn=2000 -device pamu",
          "the PCI controller (pci-unit=0, LIODN 2000): pamu: LIODN 2000 is "
          "above max-liodn=1279" },
        /* the machine's checks come before the device's own */
        { "-global e500-pcihost.liodn=2000 -device pamu,max-subwindows=24",
          "LIODN 2000 is above max-liodn=1279" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autofree char *args = g_strdup_printf("-M %s -bios %s %s",
                                                b->machine, bios,
                                                cases[i].opts);
        g_autofree char *err = run_qemu_expect_failure(args);

        if (!strstr(err, cases[i].error)) {
            g_error("'%s': expected '%s' in: %s", args, cases[i].error, err);
        }
    }
    unlink(bios);
}

/* The eSDHC's LIODN: its own, or a clear error where it cannot be. */
static void test_esdhc_liodn_errors(const void *data)
{
    const E500Board *b = data;
    g_autofree char *bios = e500_make_dummy_bios();
    static const struct {
        const char *opts;
        const char *error;
    } cases[] = {
        { ",esdhc-liodn=193 -device pamu", "the PCI controller and the eSDHC "
          "both have LIODN 193" },
        { " -global e500-pcihost.liodn=156 -device pamu", "the PCI "
          "controller and the eSDHC both have LIODN 156" },
        { ",esdhc-liodn=1280 -device pamu", "the eSDHC (unit 0, LIODN 1280): "
          "pamu: LIODN 1280 is above max-liodn=1279" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autofree char *args = g_strdup_printf("-M %s%s -bios %s",
                                                b->machine, cases[i].opts,
                                                bios);
        g_autofree char *err = run_qemu_expect_failure(args);

        if (!strstr(err, cases[i].error)) {
            g_error("'%s': expected '%s' in: %s", args, cases[i].error, err);
        }
    }
    unlink(bios);
}

/*
 * The eSDHC of ppce500 at CCSR + 0x2e000 leaves room for 14 units; the
 * machine refuses more before the device is realized.  mpc8544ds has room
 * for all 16.
 */
static void test_ccsr_room(const void *data)
{
    const E500Board *b = data;
    g_autofree char *bios = e500_make_dummy_bios();
    g_autofree char *args = g_strdup_printf("-M %s -bios %s -device pamu,"
                                            "num-units=15,max-subwindows=24",
                                            b->machine, bios);
    g_autofree char *err = NULL;
    QTestState *qts;

    if (!strcmp(b->machine, "ppce500")) {
        err = run_qemu_expect_failure(args);
        g_assert_nonnull(strstr(err, "pamu: num-units=15 does not fit in "
                                "CCSR on this machine"));
        g_assert_nonnull(strstr(err, "At most 14 units fit below the eSDHC "
                                "at CCSR + 0x2e000"));
    } else {
        qts = qtest_initf("-M %s -nodefaults -bios %s -device pamu,"
                          "num-units=16", b->machine, bios);
        g_assert_cmphex(qtest_readl(qts, b->ccsr + PAMU_CCSR_OFFSET +
                                    15 * PAMU_UNIT_SIZE + A_PR1), ==, 1);
        qtest_quit(qts);
    }
    unlink(bios);
}

/* --- the monitor: query-pamu, x-pamu-translate, events, info pamu ------ */

/* x-pamu-translate of one access by the PCI LIODN; the caller unrefs. */
static QDict *translate(PamuTest *t, uint64_t iova, const char *access)
{
    QDict *resp = qtest_qmp(t->qts, "{'execute': 'x-pamu-translate', "
                            "'arguments': {'liodn': %u, 'address': %" PRIu64
                            ", 'access': %s}}", PCI_LIODN, iova, access);
    QDict *ret;

    g_assert_false(qdict_haskey(resp, "error"));
    ret = qdict_get_qdict(resp, "return");
    qobject_ref(ret);
    qobject_unref(resp);
    return ret;
}

/*
 * One step of the translation order: what x-pamu-translate predicts for
 * a DMA of the pattern at @iova is what the DMA then does.  @violation is
 * NULL if the access must pass, to land at @pa.
 */
typedef struct TranslateStep {
    const char *what;
    uint64_t iova;
    bool write;
    const char *violation;
    uint32_t avs1;
    uint64_t pa;
} TranslateStep;

static void check_step(PamuTest *t, const TranslateStep *st)
{
    g_autoptr(QDict) ret = translate(t, st->iova, st->write ? "write" :
                                     "read");

    g_test_message("step: %s", st->what);
    /* asking latched nothing */
    assert_no_record(t, 0);
    g_assert_false(qtest_get_irq(t->qts, 0));

    if (!st->violation) {
        g_assert_true(qdict_get_bool(ret, "allowed"));
        g_assert_cmphex(qdict_get_int(ret, "translated-address"), ==,
                        st->pa);
        g_assert_false(qdict_haskey(ret, "violation"));
        if (st->write) {
            write_lands(t, st->iova, st->pa);
        } else {
            /* the edu buffer must still hold the pattern afterwards */
            qtest_memwrite(t->qts, st->pa, t->pattern, LEN);
            dma_from_ram(t, st->iova, LEN);
        }
        assert_no_record(t, 0);
        return;
    }
    g_assert_false(qdict_get_bool(ret, "allowed"));
    g_assert_cmpstr(qdict_get_str(ret, "violation"), ==, st->violation);
    g_assert_cmphex(qdict_get_int(ret, "avs1"), ==, st->avs1);
    g_assert_false(qdict_haskey(ret, "translated-address"));
    if (st->write) {
        dma_to_ram(t, st->iova, LEN);
    } else {
        dma_from_ram(t, st->iova, LEN);
    }
    assert_record(t, 0, st->avs1, st->iova);
    clear_record(t, 0);
}

/* Every check of the translation order, asked first and then done. */
static void test_monitor_translate(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW, .wse = 20,
                        .wba = 0x400000 };      /* [4 MiB, 6 MiB) */
    g_autoptr(QDict) ret = NULL;

    start(&t, data, NULL);
    put_paace(&t, &e);
    program_unit(&t, 0, R_PICS_AVIE_MASK);

    /* bypassed: anything goes, untranslated */
    ret = translate(&t, 0x123456, "write");
    g_assert_true(qdict_get_bool(ret, "allowed"));
    g_assert_true(qdict_get_bool(ret, "bypassed"));
    g_assert_cmphex(qdict_get_int(ret, "translated-address"), ==, 0x123456);
    set_bypass(&t, 0);

    pamu_write(&t, 0, A_PC, R_PC_PGC_MASK | R_PC_PE_MASK);
    check_step(&t, &(TranslateStep) { "gate closed", 0x400000, true,
                                      "gate-closed", R_AVS1_GCV_MASK });
    pamu_write(&t, 0, A_PC, 0);
    check_step(&t, &(TranslateStep) { "PE = 0", 0x400000, true, "disabled",
                                      R_AVS1_PDV_MASK });
    pamu_write(&t, 0, A_PC, R_PC_PE_MASK);

    pamu_write(&t, 0, A_PPLAL, paace(PCI_LIODN));
    check_step(&t, &(TranslateStep) { "LIODN beyond the PPAACT", 0x400000,
                                      true, "liodn",
                                      LAV(PAMU_LAV_NOT_IN_PPAACT) });
    pamu_write(&t, 0, A_PPLAL, PPAACT + PPAACT_ENTRIES * PAMU_PAACE_SIZE);
    e.v = false;
    put_paace(&t, &e);
    check_step(&t, &(TranslateStep) { "invalid PAACE", 0x400000, false,
                                      "liodn", LAV(PAMU_LAV_INVALID) });
    e.v = true;
    e.wse = 10;
    put_paace(&t, &e);
    check_step(&t, &(TranslateStep) { "window below 4 KiB", 0x400000, true,
                                      "liodn", LAV(PAMU_LAV_BAD_SIZE) });
    e.wse = 20;
    put_paace(&t, &e);
    check_step(&t, &(TranslateStep) { "outside the window", 0x600000, true,
                                      "window", WAV(PAMU_WAV_OUTSIDE) });
    e.atm = PAMU_ATM_PAGE;
    put_paace(&t, &e);
    check_step(&t, &(TranslateStep) { "page translation", 0x400000, true,
                                      "window",
                                      WAV(PAMU_WAV_UNIMPLEMENTED) });
    e = (PAMUTestEntry) { .v = true, .ap = PAMU_AP_RW, .wse = 17,
                          .wba = 0x400000, .atm = PAMU_ATM_WINDOW,
                          .twba = 0xffffffffffff0000ULL };
    put_paace(&t, &e);
    check_step(&t, &(TranslateStep) { "past 2^64", 0x420000, true, "window",
                                      WAV(PAMU_WAV_WRAP) });

    e = pamu_test_identity_entry(PAMU_AP_WRITE);
    put_paace(&t, &e);
    check_step(&t, &(TranslateStep) { "read not permitted", 0x310000, false,
                                      "permission", APV(PAMU_APV_READ) });
    e.ap = PAMU_AP_READ;
    put_paace(&t, &e);
    check_step(&t, &(TranslateStep) { "write not permitted", 0x310000, true,
                                      "permission", APV(PAMU_APV_WRITE) });
    check_step(&t, &(TranslateStep) { "read permitted", 0x310000, false,
                                      NULL, 0, 0x310000 });

    /* subwindows: SPAACE missing, invalid, partly mapped, translating */
    put_subwindows(&t);
    check_step(&t, &(TranslateStep) { "invalid SPAACE", SW_BASE + SW_SIZE,
                                      true, "window",
                                      WAV(PAMU_WAV_SUBWINDOW) });
    check_step(&t, &(TranslateStep) { "SPAACE beyond the SPAACT",
                                      SW_BASE + 4 * SW_SIZE, true, "window",
                                      WAV(PAMU_WAV_SUBWINDOW) });
    check_step(&t, &(TranslateStep) { "beyond the mapped part",
                                      SW_BASE + 2 * SW_SIZE + 0x10000, true,
                                      "window", WAV(PAMU_WAV_UNMAPPED) });
    check_step(&t, &(TranslateStep) { "read-only subwindow",
                                      SW_BASE + 3 * SW_SIZE, true,
                                      "permission", APV(PAMU_APV_WRITE) });
    check_step(&t, &(TranslateStep) { "subwindow 2", SW_BASE + 2 * SW_SIZE +
                                      0x100, true, NULL, 0, 0x400100 });

    /* what the block around an address and the permissions are */
    qobject_unref(ret);
    ret = translate(&t, SW_BASE + 2 * SW_SIZE + 0x100, "none");
    g_assert_true(qdict_get_bool(ret, "allowed"));
    g_assert_false(qdict_get_bool(ret, "bypassed"));
    g_assert_cmphex(qdict_get_int(ret, "size"), ==, 0x10000);
    g_assert_cmpint(qdict_get_int(ret, "subwindow"), ==, 2);
    g_assert_true(qdict_get_bool(ret, "read"));
    g_assert_true(qdict_get_bool(ret, "write"));
    qobject_unref(ret);
    ret = translate(&t, SW_BASE + 3 * SW_SIZE + 0x10, "none");
    g_assert_true(qdict_get_bool(ret, "allowed"));
    g_assert_true(qdict_get_bool(ret, "read"));
    g_assert_false(qdict_get_bool(ret, "write"));
    g_assert_cmphex(qdict_get_int(ret, "translated-address"), ==, 0x600010);
    finish(&t);
}

static QDict *wait_violation_event(PamuTest *t)
{
    QDict *ev = qtest_qmp_eventwait_ref(t->qts, "PAMU_ACCESS_VIOLATION");
    QDict *data = qdict_get_qdict(ev, "data");

    qobject_ref(data);
    qobject_unref(ev);
    return data;
}

static void assert_event(QDict *data, uint64_t addr, const char *access,
                         const char *violation, uint32_t avs1_bits)
{
    g_assert_cmpint(qdict_get_int(data, "unit"), ==, 0);
    g_assert_cmpint(qdict_get_int(data, "liodn"), ==, PCI_LIODN);
    g_assert_cmphex(qdict_get_int(data, "address"), ==, addr);
    g_assert_cmpstr(qdict_get_str(data, "access"), ==, access);
    g_assert_cmpstr(qdict_get_str(data, "violation"), ==, violation);
    g_assert_cmphex(qdict_get_int(data, "avs1"), ==,
                    FIELD_DP32(avs1_bits | R_AVS1_AV_MASK, AVS1, LIODN,
                               PCI_LIODN));
}

/* Nothing but the events already seen: a QMP round trip flushes them. */
static void assert_no_event(PamuTest *t)
{
    qobject_unref(qtest_qmp(t->qts, "{'execute': 'query-status'}"));
    g_assert_null(qtest_qmp_event_ref(t->qts, "PAMU_ACCESS_VIOLATION"));
}

/* Every latched record is an event; a lost one is not; a burst is merged. */
static void test_monitor_event(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_READ);
    QDict *ev;

    start_mapped(&t, data, &e);
    dma_to_ram(&t, 0x310000, LEN);
    ev = wait_violation_event(&t);
    assert_event(ev, 0x310000, "write", "permission", APV(PAMU_APV_WRITE));
    qobject_unref(ev);

    /* blocked while a record is pending: counted, no event */
    dma_to_ram(&t, 0x320000, LEN);
    assert_no_event(&t);

    /*
     * The guest clears the record and faults again at once: latched, but
     * the event waits for the end of the rate limit's second, and the
     * last record of the burst is the one reported.
     */
    clear_record(&t, 0);
    e.v = false;
    put_paace(&t, &e);
    dma_from_ram(&t, 0x330000, LEN);
    assert_record(&t, 0, LAV(PAMU_LAV_INVALID), 0x330000);
    clear_record(&t, 0);
    dma_to_ram(&t, 0x340000, LEN);
    assert_no_event(&t);
    qtest_clock_step(t.qts, NANOSECONDS_PER_SECOND);
    ev = wait_violation_event(&t);
    assert_event(ev, 0x340000, "write", "liodn", LAV(PAMU_LAV_INVALID));
    qobject_unref(ev);
    assert_no_event(&t);
    finish(&t);
}

static QDict *query_pamu(PamuTest *t)
{
    QDict *resp = qtest_qmp(t->qts, "{'execute': 'query-pamu'}");
    QDict *ret = qdict_get_qdict(resp, "return");

    g_assert_nonnull(ret);
    qobject_ref(ret);
    qobject_unref(resp);
    return ret;
}

static QDict *list_item(QDict *d, const char *key, unsigned n)
{
    const QListEntry *entry = qlist_first(qdict_get_qlist(d, key));

    while (n--) {
        entry = qlist_next(entry);
    }
    g_assert_nonnull(entry);
    return qobject_to(QDict, qlist_entry_obj(entry));
}

/* The entry of LIODN @liodn in query-pamu's "liodns". */
static QDict *liodn_item(QDict *info, uint32_t liodn)
{
    const QListEntry *entry;

    QLIST_FOREACH_ENTRY(qdict_get_qlist(info, "liodns"), entry) {
        QDict *l = qobject_to(QDict, qlist_entry_obj(entry));

        if (qdict_get_int(l, "liodn") == liodn) {
            return l;
        }
    }
    g_test_message("no LIODN %u in query-pamu", liodn);
    g_assert_not_reached();
}

/* @line, with its newline, is in @text, HMP output with "\r\n" endings. */
static void assert_has_line(const char *text, const char *line)
{
    g_auto(GStrv) lines = g_strsplit(text, "\r\n", -1);
    g_autofree char *plain = g_strjoinv("\n", lines);

    if (!strstr(plain, line)) {
        g_test_message("info pamu:");
        g_test_message("%s", plain);
        g_test_message("missing: %s", line);
        g_assert_not_reached();
    }
}

/* query-pamu and info pamu show the registers and the decoded tables. */
static void test_monitor_query(const void *data)
{
    PamuTest t;
    g_autoptr(QDict) info = NULL;
    g_autofree char *hmp = NULL, *line = NULL;
    QDict *unit, *liodn, *pe, *sw;
    uint32_t avs1;
    int64_t lost;

    start(&t, data, NULL);
    put_subwindows(&t);
    write_blocked(&t, 0, SW_BASE + SW_SIZE, 0x500000,
                  WAV(PAMU_WAV_SUBWINDOW));
    info = query_pamu(&t);
    lost = qdict_get_int(list_item(info, "units", 0), "lost-violations");
    qobject_unref(info);
    dma_to_ram(&t, SW_BASE + 4 * SW_SIZE, LEN);    /* lost */

    info = query_pamu(&t);
    g_assert_cmpstr(qdict_get_str(info, "qom-path"), ==,
                    "/machine/peripheral/pamu");
    unit = list_item(info, "units", 0);
    g_assert_false(qdict_get_bool(unit, "bypassed"));
    g_assert_true(qdict_get_bool(unit, "enabled"));
    g_assert_false(qdict_get_bool(unit, "gate-closed"));
    g_assert_cmphex(qdict_get_int(unit, "ppaact-base"), ==, PPAACT);
    g_assert_cmphex(qdict_get_int(unit, "spaact-limit"), ==,
                    spaace(SW_FSPI + 3));
    g_assert_cmpint(qdict_get_int(unit, "max-liodn"), ==, 0x4ff);
    g_assert_cmpint(qdict_get_int(unit, "max-subwindows"), ==, 256);
    g_assert_true(qdict_get_bool(unit, "violation-interrupt"));
    /* counted per piece of a blocked transfer: the second one counts */
    g_assert_cmpint(qdict_get_int(unit, "lost-violations"), >, lost);
    lost = qdict_get_int(unit, "lost-violations");
    sw = qdict_get_qdict(unit, "violation");
    g_assert_cmpint(qdict_get_int(sw, "liodn"), ==, PCI_LIODN);
    g_assert_cmphex(qdict_get_int(sw, "address"), ==, SW_BASE + SW_SIZE);
    g_assert_cmpstr(qdict_get_str(sw, "violation"), ==, "window");
    g_assert_cmpint(qdict_get_int(sw, "sub-code"), ==, PAMU_WAV_SUBWINDOW);
    g_assert_cmpstr(qdict_get_str(sw, "reason"), ==,
                    "no usable entry for the subwindow");

    liodn = liodn_item(info, PCI_LIODN);
    g_assert_nonnull(strstr(qdict_get_str(liodn, "initiator"), "pci"));
    pe = qdict_get_qdict(liodn, "paace");
    g_assert_cmphex(qdict_get_int(pe, "address"), ==, paace(PCI_LIODN));
    g_assert_true(qdict_get_bool(pe, "valid"));
    g_assert_cmphex(qdict_get_int(pe, "window-base"), ==, SW_BASE);
    g_assert_cmphex(qdict_get_int(pe, "window-size"), ==, 16 * MiB);
    g_assert_cmpstr(qdict_get_str(pe, "atm"), ==, "window");
    g_assert_cmphex(qdict_get_int(pe, "translated-base"), ==, 0x200000);
    g_assert_cmphex(qdict_get_int(pe, "mapped-size"), ==, SW_SIZE);
    g_assert_cmpint(qdict_get_int(pe, "subwindows"), ==, 16);
    g_assert_cmphex(qdict_get_int(pe, "fspi"), ==, SW_FSPI);
    g_assert_cmpint(qlist_size(qdict_get_qlist(pe, "spaaces")), ==, 15);
    sw = list_item(pe, "spaaces", 0);
    g_assert_false(qdict_get_bool(qdict_get_qdict(sw, "entry"), "valid"));
    sw = list_item(pe, "spaaces", 1);
    g_assert_cmpint(qdict_get_int(sw, "subwindow"), ==, 2);
    g_assert_cmphex(qdict_get_int(sw, "index"), ==, SW_FSPI + 1);
    sw = qdict_get_qdict(sw, "entry");
    g_assert_true(qdict_get_bool(sw, "valid"));
    g_assert_cmphex(qdict_get_int(sw, "mapped-size"), ==, 0x10000);
    g_assert_cmphex(qdict_get_int(sw, "translated-base"), ==, 0x400000);
    sw = list_item(pe, "spaaces", 2);
    g_assert_true(qdict_get_bool(qdict_get_qdict(sw, "entry"), "read"));
    g_assert_false(qdict_get_bool(qdict_get_qdict(sw, "entry"), "write"));
    sw = list_item(pe, "spaaces", 3);
    g_assert_false(qdict_haskey(sw, "entry"));
    g_assert_cmpstr(qdict_get_str(sw, "error"), ==,
                    "beyond the SPAACT limit");

    hmp = qtest_hmp(t.qts, "info pamu");
    assert_has_line(hmp, "unit 0: not bypassed, enabled, gate open\n");
    line = g_strdup_printf("  PPAACT 0x%016llx..0x%016llx (%u entries)\n",
                           PPAACT, PPAACT + PPAACT_ENTRIES * PAMU_PAACE_SIZE,
                           PPAACT_ENTRIES);
    assert_has_line(hmp, line);
    g_free(line);
    avs1 = WAV(PAMU_WAV_SUBWINDOW) | R_AVS1_AV_MASK;
    avs1 = FIELD_DP32(avs1, AVS1, LIODN, PCI_LIODN);
    line = g_strdup_printf("  violation: LIODN 0x%x, address 0x%016llx: "
                           "window 2 (no usable entry for the subwindow), "
                           "AVS1 0x%08x, AVS2 0x00000000\n", PCI_LIODN,
                           SW_BASE + SW_SIZE, avs1);
    assert_has_line(hmp, line);
    g_free(line);
    line = g_strdup_printf("  lost violations: %" PRId64 "\n", lost);
    assert_has_line(hmp, line);
    g_free(line);
    line = g_strdup_printf("LIODN 0x%x (unit 0, %s): PAACE at 0x%016llx: "
                           "valid, window 0x%016llx (16 MiB), rw, ATM window "
                           "-> 0x0000000000200000, 1 MiB mapped, "
                           "16 subwindows, FSPI 0x%x\n", PCI_LIODN,
                           qdict_get_str(liodn, "initiator"),
                           PPAACT + PCI_LIODN * PAMU_PAACE_SIZE, SW_BASE,
                           SW_FSPI);
    assert_has_line(hmp, line);
    g_free(line);
    line = g_strdup_printf("  subwindow 2: SPAACE 0x%x at 0x%016llx: valid, "
                           "rw, ATM window -> 0x0000000000400000, "
                           "64 KiB mapped\n", SW_FSPI + 1,
                           SPAACT + (SW_FSPI + 1) * PAMU_PAACE_SIZE);
    assert_has_line(hmp, line);
    g_free(line);
    line = g_strdup_printf("  subwindow 4: SPAACE 0x%x: beyond the SPAACT "
                           "limit\n", SW_FSPI + 3);
    assert_has_line(hmp, line);
    finish(&t);
}

/* Mistakes in the arguments are errors that say what is wrong. */
static void test_monitor_errors(const void *data)
{
    PamuTest t;
    QDict *resp;
    QTestState *qts;
    g_autofree char *hmp = NULL, *bios = e500_make_dummy_bios();

    start(&t, data, NULL);
    resp = qtest_qmp(t.qts, "{'execute': 'x-pamu-translate', 'arguments': "
                     "{'liodn': 1, 'address': 0, 'access': 'read', "
                     "'unit': 1}}");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(resp, "error"), "desc"),
                    ==, "PAMU unit 1 does not exist (num-units=1)");
    qobject_unref(resp);
    resp = qtest_qmp(t.qts, "{'execute': 'x-pamu-translate', 'arguments': "
                     "{'liodn': 1280, 'address': 0, 'access': 'read'}}");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(resp, "error"), "desc"),
                    ==, "LIODN 1280 is above max-liodn=1279");
    qobject_unref(resp);
    finish(&t);

    qts = qtest_initf("-M %s -nodefaults -bios %s",
                      ((const E500Board *)data)->machine, bios);
    resp = qtest_qmp(qts, "{'execute': 'query-pamu'}");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(resp, "error"), "desc"),
                    ==, "the machine has no PAMU");
    qobject_unref(resp);
    hmp = qtest_hmp(qts, "info pamu");
    g_assert_nonnull(strstr(hmp, "the machine has no PAMU"));
    qtest_quit(qts);
    unlink(bios);
}

/* The PCI LIODN's counts of walks and of remembered ones used. */
static void liodn_counts(PamuTest *t, int64_t *walks, int64_t *hits)
{
    g_autoptr(QDict) info = query_pamu(t);
    QDict *liodn = liodn_item(info, PCI_LIODN);

    *walks = qdict_get_int(liodn, "walks");
    *hits = qdict_get_int(liodn, "cache-hits");
}

/*
 * DMA through a window it used before needs no walk; x-check-cache, on in
 * every test, walks anyway and compares.
 */
static void test_cache_hits(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    int64_t walks, hits, walks2, hits2;
    unsigned i;

    start_mapped(&t, data, &e);
    write_lands(&t, 0x200000, 0x200000);
    liodn_counts(&t, &walks, &hits);
    g_assert_cmpint(walks, >, 0);
    for (i = 1; i <= 8; i++) {
        write_lands(&t, 0x200000 + i * 0x1000, 0x200000 + i * 0x1000);
    }
    liodn_counts(&t, &walks2, &hits2);
    g_assert_cmpint(walks2, ==, walks);
    g_assert_cmpint(hits2, >=, hits + 8);
    finish(&t);
}

/* x-cache=off walks every time and still follows every rewrite. */
static void test_cache_off(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    int64_t walks, hits, walks2, hits2;

    start(&t, data, "x-cache=off");
    put_paace(&t, &e);
    enable_pamu(&t);
    write_lands(&t, 0x200000, 0x200000);
    liodn_counts(&t, &walks, &hits);
    write_lands(&t, 0x201000, 0x201000);
    liodn_counts(&t, &walks2, &hits2);
    g_assert_cmpint(walks2, >, walks);
    g_assert_cmpint(hits2, ==, 0);
    e.ap = PAMU_AP_READ;
    put_paace(&t, &e);
    write_blocked(&t, 0, 0x210000, 0x210000, APV(PAMU_APV_WRITE));
    finish(&t);
}

/* The device's own DMA rewrites its PAACE: the next DMA obeys it. */
static void test_cache_dma_rewrite(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    uint8_t w[PAMU_PAACE_WORDS * 4], got[PAMU_PAACE_WORDS * 4];

    start_mapped(&t, data, &e);
    write_lands(&t, 0x200000, 0x200000);

    e.ap = PAMU_AP_READ;
    pamu_test_entry_bytes(&e, w);
    qtest_memwrite(t.qts, 0x300000, w, sizeof(w));
    e500_edu_dma(&t.edu, 0x300000, 0, sizeof(w), false);
    /*
     * Only the word with AP: a longer transfer reaches memory in pieces,
     * each checked against the entry as it is by then, so the pieces
     * after the one that takes write permission away would be blocked.
     */
    e500_edu_dma(&t.edu, paace(PCI_LIODN) + R_PAACE_ADDR * 4,
                 R_PAACE_ADDR * 4, 4, true);
    qtest_memread(t.qts, paace(PCI_LIODN), got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), w, sizeof(w));
    write_blocked(&t, 0, 0x210000, 0x210000, APV(PAMU_APV_WRITE));
    finish(&t);
}

/* Byte and doubleword stores by the CPU are seen alike. */
static void test_cache_cpu_stores(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    uint8_t bytes[PAMU_PAACE_WORDS * 4];
    unsigned i;

    start_mapped(&t, data, &e);
    write_lands(&t, 0x200000, 0x200000);

    e.ap = PAMU_AP_READ;
    pamu_test_entry_bytes(&e, bytes);
    for (i = 0; i < sizeof(bytes); i++) {
        qtest_writeb(t.qts, paace(PCI_LIODN) + i, bytes[i]);
    }
    write_blocked(&t, 0, 0x210000, 0x210000, APV(PAMU_APV_WRITE));
    clear_record(&t, 0);

    e.ap = PAMU_AP_RW;
    pamu_test_entry_bytes(&e, bytes);
    for (i = 0; i < sizeof(bytes); i += 8) {
        qtest_writeq(t.qts, paace(PCI_LIODN) + i, ldq_be_p(bytes + i));
    }
    write_lands(&t, 0x220000, 0x220000);
    finish(&t);
}

/* SPAACE and primary-entry rewrites of a window with subwindows. */
static void test_cache_spaace_rewrite(const void *data)
{
    PamuTest t;
    PAMUTestEntry p = { .v = true, .mw = true, .ap = PAMU_AP_RW, .wse = 23,
                        .wce = 3, .wba = SW_BASE, .fspi = SW_FSPI,
                        .atm = PAMU_ATM_WINDOW, .swse = 19,
                        .twba = 0x300000 };
    PAMUTestEntry s2 = { .v = true, .pt = true, .liodn = PCI_LIODN,
                         .ap = PAMU_AP_RW, .atm = PAMU_ATM_WINDOW,
                         .swse = 15, .twba = 0x480000 };

    start(&t, data, NULL);
    put_subwindows(&t);
    write_lands(&t, SW_BASE + 2 * SW_SIZE + 0x100, 0x400100);
    write_lands(&t, SW_BASE + 0x80000, 0x280000);

    put_entry(&t, spaace(SW_FSPI + 1), &s2);
    write_lands(&t, SW_BASE + 2 * SW_SIZE + 0x200, 0x480200);
    put_paace(&t, &p);
    write_lands(&t, SW_BASE + 0x81000, 0x381000);
    assert_zero(&t, 0x281000, LEN);
    finish(&t);
}

/* An SPAACT on top of the PPAACT: a write there is seen by both. */
static void test_cache_overlapping_tables(const void *data)
{
    PamuTest t;
    PAMUTestEntry p = { .v = true, .mw = true, .ap = PAMU_AP_RW, .wse = 23,
                        .wce = 3, .wba = SW_BASE, .fspi = 0x20,
                        .atm = PAMU_ATM_WINDOW, .swse = 19,
                        .twba = 0x200000 };
    PAMUTestEntry s1 = { .v = true, .pt = true, .liodn = PCI_LIODN,
                         .ap = PAMU_AP_RW, .atm = PAMU_ATM_WINDOW,
                         .swse = 19, .twba = 0x500000 };

    start(&t, data, NULL);
    put_paace(&t, &p);
    enable_pamu(&t);
    pamu_write(&t, 0, A_SPBAL, PPAACT);
    pamu_write(&t, 0, A_SPLAL, PPAACT + PPAACT_ENTRIES * PAMU_PAACE_SIZE);
    /* subwindow 1's SPAACE is the PPAACT slot of LIODN 0x20 */
    put_entry(&t, paace(0x20), &s1);
    write_lands(&t, SW_BASE + SW_SIZE + 0x100, 0x500100);
    s1.twba = 0x600000;
    put_entry(&t, paace(0x20), &s1);
    write_lands(&t, SW_BASE + SW_SIZE + 0x200, 0x600200);
    p.twba = 0x700000;
    put_paace(&t, &p);
    write_lands(&t, SW_BASE + 0x300, 0x700300);
    finish(&t);
}

/* A PPAACT that runs off the end of RAM: its part in RAM is snooped. */
static void test_cache_table_straddles_ram(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    const uint64_t entry = 128 * 0x100000ULL - 0x1000;

    start_mapped(&t, data, &e);
    put_entry(&t, entry, &e);
    place_ppaact(&t, entry);
    write_lands(&t, 0x200000, 0x200000);
    write_lands(&t, 0x201000, 0x201000);
    e.ap = PAMU_AP_READ;
    put_entry(&t, entry, &e);
    write_blocked(&t, 0, 0x210000, 0x210000, APV(PAMU_APV_WRITE));
    finish(&t);
}

/* Register writes that change the walk drop what was remembered. */
static void test_cache_registers(const void *data)
{
    PamuTest t;
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    const uint32_t pc = R_PC_PE_MASK | R_PC_OCE_MASK | R_PC_SPCC_MASK |
                        R_PC_PPCC_MASK;

    start_mapped(&t, data, &e);
    write_lands(&t, 0x200000, 0x200000);
    pamu_write(&t, 0, A_PC, pc | R_PC_PGC_MASK);
    write_blocked(&t, 0, 0x210000, 0x210000, R_AVS1_GCV_MASK);
    clear_record(&t, 0);
    pamu_write(&t, 0, A_PC, pc);
    write_lands(&t, 0x220000, 0x220000);

    pamu_write(&t, 0, A_PPLAL, paace(PCI_LIODN));
    write_blocked(&t, 0, 0x230000, 0x230000, LAV(PAMU_LAV_NOT_IN_PPAACT));
    clear_record(&t, 0);
    pamu_write(&t, 0, A_PPLAL, PPAACT + PPAACT_ENTRIES * PAMU_PAACE_SIZE);
    write_lands(&t, 0x240000, 0x240000);
    finish(&t);
}

/* --- the eSDHC (ppce500) ------------------------------------------------- */

#define ESDHC_CCSR_OFFSET   0x2e000
#define ESDHC_LIODN         156         /* P4080's, as U-Boot sets it */
#define SD_BLOCK            512
#define SDHC_SDMASYSAD      0x00
#define SDHC_BLKATTR        0x04        /* BLKSIZE | BLKCNT << 16 */
#define SDHC_ARGUMENT       0x08
#define SDHC_XFERTYP        0x0c        /* TRNMOD | CMDREG << 16 */
#define SDHC_RSPREG0        0x10
#define SDHC_SYSCTL         0x2c        /* CLKCON | TOUT << 16 | SWRST << 24 */
#define SDHC_TRNS_DMA       0x0001
#define SDHC_TRNS_READ      0x0010
#define SDHC_CMD_RESP_48    0x0002
#define SDHC_CMD_DATA       0x0020

static void esdhc_writel(PamuTest *t, uint32_t reg, uint32_t val)
{
    qtest_writel(t->qts, t->b->ccsr + ESDHC_CCSR_OFFSET + reg, val);
}

static uint32_t esdhc_readl(PamuTest *t, uint32_t reg)
{
    return qtest_readl(t->qts, t->b->ccsr + ESDHC_CCSR_OFFSET + reg);
}

/* The eSDHC's registers are 32 bits wide: TRNMOD and CMDREG go together. */
static void esdhc_cmd(PamuTest *t, unsigned index, uint32_t arg,
                      uint16_t trnmod, uint16_t flags)
{
    esdhc_writel(t, SDHC_ARGUMENT, arg);
    esdhc_writel(t, SDHC_XFERTYP, (uint32_t)(index << 8 | flags) << 16 |
                 trnmod);
}

/* Resets the controller and brings the card to the transfer state. */
static void esdhc_init_card(PamuTest *t)
{
    uint32_t rca;

    esdhc_writel(t, SDHC_SYSCTL, 0x01000000);   /* SWRST: reset all */
    esdhc_writel(t, SDHC_SYSCTL, 0x0007);       /* clocks on and stable */
    esdhc_cmd(t, 55, 0, 0, 0);                  /* APP_CMD */
    esdhc_cmd(t, 41, 0x41200000, 0, 0);         /* SD_SEND_OP_COND */
    esdhc_cmd(t, 2, 0, 0, 0);                   /* ALL_SEND_CID */
    esdhc_cmd(t, 3, 0, 0, SDHC_CMD_RESP_48);    /* SEND_RELATIVE_ADDR */
    rca = esdhc_readl(t, SDHC_RSPREG0) >> 16;
    esdhc_cmd(t, 7, rca << 16, 0, SDHC_CMD_RESP_48);    /* SELECT_CARD */
}

/* The card reads block @blk into guest memory at @pa (SDMA). */
static void esdhc_read_block(PamuTest *t, unsigned blk, uint64_t pa)
{
    esdhc_writel(t, SDHC_SDMASYSAD, pa);
    esdhc_writel(t, SDHC_BLKATTR, 1 << 16 | SD_BLOCK);
    esdhc_cmd(t, 17, blk * SD_BLOCK, SDHC_TRNS_DMA | SDHC_TRNS_READ,
              SDHC_CMD_RESP_48 | SDHC_CMD_DATA);
}

/*
 * The eSDHC's DMA goes through the PAMU with its own LIODN: a PAACE of
 * that LIODN lets it write a block to memory, a read-only one blocks it
 * and the violation record names the LIODN.
 */
static void test_esdhc_dma(const void *data)
{
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    uint8_t image[4 * SD_BLOCK], got[SD_BLOCK], zero[SD_BLOCK] = { 0 };
    g_autofree char *img = NULL, *extra = NULL;
    g_autoptr(QDict) info = NULL;
    QDict *liodn;
    uint32_t avs1;
    PamuTest t;
    int fd;

    fd = g_file_open_tmp("pamu-sd-XXXXXX", &img, NULL);
    g_assert_cmpint(fd, >=, 0);
    fill(image, sizeof(image), 0x3c);
    g_assert_cmpint(write(fd, image, sizeof(image)), ==, sizeof(image));
    g_assert_cmpint(ftruncate(fd, 64 * KiB), ==, 0);
    close(fd);
    extra = g_strdup_printf("-drive if=none,id=sd0,format=raw,file=%s "
                            "-device sd-card,drive=sd0", img);
    start_machine_with(&t, data, NULL, true, extra);

    /* the eSDHC is an initiator of its own */
    info = query_pamu(&t);
    liodn = liodn_item(info, ESDHC_LIODN);
    g_assert_cmpstr(qdict_get_str(liodn, "initiator"), ==, "/machine/esdhc");

    e.v = false;
    put_entry(&t, paace(ESDHC_LIODN), &e);
    enable_pamu(&t);
    esdhc_init_card(&t);

    /* an invalid PAACE: the block reaches no memory */
    qtest_memset(t.qts, 0x300000, 0, SD_BLOCK);
    esdhc_read_block(&t, 0, 0x300000);
    qtest_memread(t.qts, 0x300000, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), zero, sizeof(zero));
    avs1 = LAV(PAMU_LAV_INVALID) | R_AVS1_AV_MASK;
    avs1 = FIELD_DP32(avs1, AVS1, LIODN, ESDHC_LIODN);
    g_assert_cmphex(pamu_read(&t, 0, A_AVS1), ==, avs1);
    g_assert_cmphex(pamu_read(&t, 0, A_AVAL), ==, 0x300000);
    clear_record(&t, 0);

    /* valid: block 1 lands, through the PAMU */
    e.v = true;
    put_entry(&t, paace(ESDHC_LIODN), &e);
    esdhc_read_block(&t, 1, 0x310000);
    qtest_memread(t.qts, 0x310000, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), image + SD_BLOCK, SD_BLOCK);
    assert_no_record(&t, 0);

    /* read-only: the card's write to memory is blocked, LIODN 156 named */
    e.ap = PAMU_AP_READ;
    put_entry(&t, paace(ESDHC_LIODN), &e);
    qtest_memset(t.qts, 0x320000, 0, SD_BLOCK);
    esdhc_read_block(&t, 2, 0x320000);
    qtest_memread(t.qts, 0x320000, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), zero, sizeof(zero));
    avs1 = APV(PAMU_APV_WRITE) | R_AVS1_AV_MASK;
    avs1 = FIELD_DP32(avs1, AVS1, LIODN, ESDHC_LIODN);
    g_assert_cmphex(pamu_read(&t, 0, A_AVS1), ==, avs1);
    finish(&t);
    unlink(img);
}

/* --- the eTSEC (-device eTSEC on ppce500's platform bus) ------------------ */

#define ETSEC_BASE          0xf00000000ULL  /* the first platform device */
#define ETSEC_LIODN         200
#define ETSEC_DMACTRL       0x02c
#define ETSEC_TSTAT         0x104
#define ETSEC_TBASE0        0x204
#define ETSEC_MACCFG1       0x500
#define ETSEC_TX_EN         0x1
#define ETSEC_THLT0         0x80000000u
#define TXBD_READY          0x8000
#define TXBD_WRAP           0x2000
#define TXBD_LAST           0x0800
#define ETSEC_WINDOW        0x40000000ULL   /* IOVA [1 GiB, +1 MiB) */
#define ETSEC_WINDOW_PA     0x500000ULL     /* -> RAM at 5 MiB */

/* A one-entry TxBD ring at IOVA ETSEC_WINDOW, a frame right after it. */
static void etsec_put_txbd(PamuTest *t)
{
    uint8_t bd[8], frame[64];

    stw_be_p(bd, TXBD_READY | TXBD_WRAP | TXBD_LAST);
    stw_be_p(bd + 2, sizeof(frame));
    stl_be_p(bd + 4, ETSEC_WINDOW + 0x100);
    fill(frame, sizeof(frame), 0x5e);
    qtest_memwrite(t->qts, ETSEC_WINDOW_PA, bd, sizeof(bd));
    qtest_memwrite(t->qts, ETSEC_WINDOW_PA + 0x100, frame, sizeof(frame));
}

/* Has the eTSEC walk its ring 0: it reads the TxBD, then writes it back. */
static void etsec_transmit(PamuTest *t)
{
    qtest_writel(t->qts, ETSEC_BASE + ETSEC_DMACTRL, 0);
    qtest_writel(t->qts, ETSEC_BASE + ETSEC_MACCFG1, ETSEC_TX_EN);
    qtest_writel(t->qts, ETSEC_BASE + ETSEC_TBASE0, ETSEC_WINDOW);
    qtest_writel(t->qts, ETSEC_BASE + ETSEC_TSTAT, ETSEC_THLT0);
}

/*
 * The eTSEC's descriptor and buffer accesses go through the PAMU with its
 * own LIODN: through a translating PAACE the TxBD it finds and closes is
 * the one at the translated address; an invalid PAACE stops it at the
 * first descriptor read, and the record names the LIODN.
 */
static void test_etsec_dma(const void *data)
{
    PAMUTestEntry e = { .v = false, .ap = PAMU_AP_RW, .wse = 19,
                        .wba = ETSEC_WINDOW, .atm = PAMU_ATM_WINDOW,
                        .twba = ETSEC_WINDOW_PA };
    g_autoptr(QDict) info = NULL;
    QDict *liodn;
    uint32_t avs1;
    PamuTest t;

    start_machine_with(&t, data, NULL, true,
                       "-netdev user,id=n0 -device eTSEC,netdev=n0");
    info = query_pamu(&t);
    liodn = liodn_item(info, ETSEC_LIODN);
    g_assert_nonnull(strstr(qdict_get_str(liodn, "initiator"),
                            "/machine/peripheral-anon/"));
    put_entry(&t, paace(ETSEC_LIODN), &e);
    enable_pamu(&t);
    etsec_put_txbd(&t);

    /* invalid: the TxBD is never read, the frame stays READY */
    etsec_transmit(&t);
    g_assert_cmphex(qtest_readw(t.qts, ETSEC_WINDOW_PA), ==,
                    TXBD_READY | TXBD_WRAP | TXBD_LAST);
    avs1 = LAV(PAMU_LAV_INVALID) | R_AVS1_AV_MASK;
    avs1 = FIELD_DP32(avs1, AVS1, LIODN, ETSEC_LIODN);
    g_assert_cmphex(pamu_read(&t, 0, A_AVS1), ==, avs1);
    g_assert_cmphex(pamu_read(&t, 0, A_AVAL), ==, ETSEC_WINDOW);
    clear_record(&t, 0);

    /* valid: sent and closed, in RAM where the PAACE translates to */
    e.v = true;
    put_entry(&t, paace(ETSEC_LIODN), &e);
    etsec_transmit(&t);
    g_assert_cmphex(qtest_readw(t.qts, ETSEC_WINDOW_PA), ==,
                    TXBD_WRAP | TXBD_LAST);
    assert_no_record(&t, 0);
    finish(&t);
}

/* --- the GUTS LIODN registers ------------------------------------------- */

#define GUTS_PEX1LIODNR     0x500
#define GUTS_SDMMC1LIODNR   0x530

static uint64_t liodnr_addr(PamuTest *t, uint32_t reg)
{
    return t->b->ccsr + GUTS_CCSR_OFFSET + reg;
}

/*
 * Firmware (or the guest) moves the PCI controller to another LIODN
 * through PEX1LIODNR: its DMA then uses that LIODN's PAACE and violation
 * records name it.  A LIODN another initiator has, or one above
 * max-liodn, is refused; a reset and a migration keep what they should.
 */
static void test_liodn_registers(const void *data)
{
    const E500Board *b = data;
    bool esdhc = !strcmp(b->machine, "ppce500");
    PAMUTestEntry e = pamu_test_identity_entry(PAMU_AP_RW);
    g_autoptr(QDict) info = NULL;
    uint32_t avs1;
    PamuTest t;

    start(&t, b, NULL);
    g_assert_cmpuint(qtest_readl(t.qts, liodnr_addr(&t, GUTS_PEX1LIODNR)),
                     ==, PCI_LIODN);
    g_assert_cmpuint(qtest_readl(t.qts, liodnr_addr(&t, GUTS_SDMMC1LIODNR)),
                     ==, esdhc ? ESDHC_LIODN : 0);
    put_entry(&t, paace(300), &e);
    e.v = false;
    put_paace(&t, &e);                  /* LIODN 193: invalid */
    enable_pamu(&t);

    qtest_writel(t.qts, liodnr_addr(&t, GUTS_PEX1LIODNR), 300);
    g_assert_cmpuint(qtest_readl(t.qts, liodnr_addr(&t, GUTS_PEX1LIODNR)),
                     ==, 300);
    write_lands(&t, 0x200000, 0x200000);
    info = query_pamu(&t);
    g_assert_nonnull(strstr(qdict_get_str(liodn_item(info, 300),
                                          "initiator"), "pci"));

    /* refused: max-liodn, and the eSDHC's LIODN */
    qtest_writel(t.qts, liodnr_addr(&t, GUTS_PEX1LIODNR), 0x500);
    if (esdhc) {
        qtest_writel(t.qts, liodnr_addr(&t, GUTS_SDMMC1LIODNR), 300);
        g_assert_cmpuint(qtest_readl(t.qts,
                                     liodnr_addr(&t, GUTS_SDMMC1LIODNR)),
                         ==, ESDHC_LIODN);
    }
    g_assert_cmpuint(qtest_readl(t.qts, liodnr_addr(&t, GUTS_PEX1LIODNR)),
                     ==, 300);

    /* LIODN 300 made invalid: the record names it */
    put_entry(&t, paace(300), &e);
    dma_to_ram(&t, 0x210000, LEN);
    avs1 = LAV(PAMU_LAV_INVALID) | R_AVS1_AV_MASK;
    avs1 = FIELD_DP32(avs1, AVS1, LIODN, 300);
    g_assert_cmphex(pamu_read(&t, 0, A_AVS1), ==, avs1);
    clear_record(&t, 0);

    /* a migration keeps LIODN 300 */
    e.v = true;
    put_entry(&t, paace(300), &e);
    migrate(&t, NULL);
    g_assert_cmpuint(qtest_readl(t.qts, liodnr_addr(&t, GUTS_PEX1LIODNR)),
                     ==, 300);
    dma_from_ram(&t, PATTERN_PA, LEN);
    write_lands(&t, 0x220000, 0x220000);

    /* a reset brings back the machine's LIODN */
    qtest_system_reset(t.qts);
    g_assert_cmpuint(qtest_readl(t.qts, liodnr_addr(&t, GUTS_PEX1LIODNR)),
                     ==, PCI_LIODN);
    finish(&t);
}

static void test_other_machine(void)
{
    g_autofree char *err = run_qemu_expect_failure("-M none -device pamu");

    g_assert_nonnull(strstr(err, "a dynamic sysbus device type for the "
                            "machine"));
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        GTestDataFunc fn;
    } cases[] = {
        { "reset-values", test_reset_values },
        { "register-access", test_register_access },
        { "bypass", test_bypass },
        { "pe-0", test_disabled },
        { "gate-closed", test_gate_closed },
        { "identity-window", test_identity_window },
        { "translated-window", test_translated_window },
        { "outside-window", test_outside_window },
        { "read-only-window", test_read_only_window },
        { "write-only-window", test_write_only_window },
        { "subwindows", test_subwindows },
        { "partial-subwindow", test_partial_subwindow },
        { "invalid-spaace", test_invalid_spaace },
        { "spaace-beyond-limit", test_spaace_beyond_limit },
        { "crossing-subwindows", test_crossing_subwindows },
        { "liodn-beyond-limit", test_liodn_beyond_limit },
        { "invalid-entry", test_invalid_entry },
        { "table-rewrite", test_table_rewrite },
        { "violation-record", test_violation_record },
        { "no-interrupt", test_no_interrupt },
        { "mpic-source-24", test_mpic_source },
        { "two-units", test_two_units },
        { "system-reset", test_system_reset },
        { "migration", test_migration },
        { "msi", test_msi },
        { "csrbar-views", test_csrbar_views },
        { "migration-msi", test_migration_msi },
        { "migration-bypassed", test_migration_bypassed },
        { "migration-two-units", test_migration_two_units },
        { "migration-avie-off", test_migration_avie_off },
        { "user-errors", test_user_errors },
        { "ccsr-room", test_ccsr_room },
        { "device-tree", test_device_tree },
        { "translation-wrap", test_translation_wrap },
        { "table-move", test_table_move },
        { "big-tables", test_big_tables },
        { "tables-off-ram", test_tables_off_ram },
        { "table-on-mmio", test_table_on_mmio },
        { "dma-to-pamu", test_dma_to_pamu },
        { "irq-units", test_irq_units },
        { "register-writes", test_register_writes },
        { "log-once", test_log_once },
        { "address-spaces", test_address_spaces },
        { "migration-num-units", test_migration_num_units },
        { "monitor-translate", test_monitor_translate },
        { "monitor-event", test_monitor_event },
        { "monitor-query", test_monitor_query },
        { "monitor-errors", test_monitor_errors },
        { "cache-hits", test_cache_hits },
        { "cache-off", test_cache_off },
        { "cache-dma-rewrite", test_cache_dma_rewrite },
        { "cache-cpu-stores", test_cache_cpu_stores },
        { "cache-spaace-rewrite", test_cache_spaace_rewrite },
        { "cache-overlapping-tables", test_cache_overlapping_tables },
        { "cache-table-straddles-ram", test_cache_table_straddles_ram },
        { "cache-registers", test_cache_registers },
        { "liodn-registers", test_liodn_registers },
    };
    size_t i, j;

    g_test_init(&argc, &argv, NULL);
    if (!qtest_has_device("pamu") || !qtest_has_device("edu")) {
        g_test_skip("pamu or edu not built");
        return g_test_run();
    }
    for (i = 0; i < e500_nr_boards; i++) {
        const E500Board *b = &e500_boards[i];

        if (!qtest_has_machine(b->machine)) {
            continue;
        }
        for (j = 0; j < ARRAY_SIZE(cases); j++) {
            g_autofree char *path = g_strdup_printf("pamu/%s/%s", b->machine,
                                                    cases[j].name);

            qtest_add_data_func(path, b, cases[j].fn);
        }
    }
    /* RAM above 4 GiB: mpc8544ds has CCSR at 3.5 GiB */
    if (qtest_has_machine("ppce500")) {
        qtest_add_data_func("pamu/ppce500/high-addresses", &e500_boards[0],
                            test_high_addresses);
    }
    if (qtest_has_machine("ppce500") && qtest_has_device("sd-card")) {
        qtest_add_data_func("pamu/ppce500/esdhc-dma", &e500_boards[0],
                            test_esdhc_dma);
        qtest_add_data_func("pamu/ppce500/esdhc-liodn-errors",
                            &e500_boards[0], test_esdhc_liodn_errors);
    }
    if (qtest_has_machine("ppce500") && qtest_has_device("eTSEC")) {
        qtest_add_data_func("pamu/ppce500/etsec-dma", &e500_boards[0],
                            test_etsec_dma);
    }
    qtest_add_func("pamu/other-machine", test_other_machine);
    return g_test_run();
}
