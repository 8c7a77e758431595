/*
 * qtest for QEMU's own virtio-blk behind the Freescale/NXP PAMU
 *
 * With VIRTIO_F_ACCESS_PLATFORM every address in a virtqueue is an I/O
 * virtual address that the PAMU translates, also the one of an indirect
 * descriptor table.  QEMU reads such a table with one IOMMU translation
 * per request (address_space_cache_init_snapshot()), so these cases check
 * what that must keep: the table is read where the PAACE's window puts
 * it, not at its untranslated address, and a table outside the window is
 * a PAMU violation that the device does not get past.  A decoy table at
 * the untranslated address would send the data elsewhere.
 *
 * QEMU also maps a request's buffers keeping the IOMMU's translation for
 * the next buffer (address_space_map_snapshot()); the subwindow cases
 * check that a kept translation serves no buffer outside it, none of the
 * other direction, and no later request after the guest changed it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qemu/bswap.h"
#include "hw/pci/pci.h"
#include "hw/iommu/pamu-regs.h"
#include "standard-headers/linux/virtio_blk.h"
#include "standard-headers/linux/virtio_config.h"
#include "standard-headers/linux/virtio_pci.h"
#include "standard-headers/linux/virtio_ring.h"
#include "e500-virtio.h"
#include "pamu-entry.h"

#define MIB                 0x100000ULL
#define PAMU_CCSR_OFFSET    0x20000
#define GUTS_CCSR_OFFSET    0xe0000
#define PCI_LIODN           193         /* the PCI host's default LIODN */
#define PPAACT              (16 * MIB)
#define PPAACT_ENTRIES      0x500
#define SPAACT              (17 * MIB)
#define SPAACT_ENTRIES      16
#define RAM_MB              128

/* The PAACE's window: IOVA [0, 32 MiB) to RAM [32 MiB, 64 MiB) */
#define WINDOW_SIZE         (32 * MIB)
#define WINDOW_TARGET       (32 * MIB)

/*
 * Or, in the subwindow cases, two subwindows: the PAACE's maps IOVA
 * [0, 16 MiB) as above, the SPAACE's IOVA [16 MiB, 32 MiB) to RAM at
 * SW1_TARGET (or SW1_MOVED).
 */
#define SW_SIZE             (16 * MIB)
#define SW1_FSPI            3           /* the SPAACE's index in the SPAACT */
#define SW1_TARGET          (80 * MIB)
#define SW1_MOVED           (96 * MIB)

/* I/O virtual addresses of the request's parts */
#define RING_DESC           0x200000ULL
#define RING_AVAIL          (RING_DESC + 0x1000)
#define RING_USED           (RING_DESC + 0x2000)
#define TABLE               0x300000ULL     /* the indirect table */
#define HEADER              0x380000ULL
#define STATUS              0x390000ULL
#define DATA                0x400000ULL
#define DECOY_DATA          0x500000ULL     /* where the decoy table reads */
#define OUTSIDE             (48 * MIB)      /* beyond the window */
#define SW1_HEADER          (SW_SIZE + HEADER)      /* in subwindow 1 */
#define SW1_DATA            (SW_SIZE + DATA)

#define QUEUE_SIZE          16
#define SECTOR              512
#define VIRTIO_ID_BLK_MODERN 0x1042
#define FEATURES            ((1ull << VIRTIO_RING_F_INDIRECT_DESC) | \
                             (1ull << VIRTIO_F_VERSION_1) | \
                             (1ull << VIRTIO_F_ACCESS_PLATFORM))

typedef struct BlkTest {
    QTestState *qts;
    const E500Board *b;
    char *bios;
    char *disk;
    char *log;                  /* QEMU's stderr */
    E500Virtio dev;
    uint64_t sw1_target;        /* subwindow 1's RAM; 0: no subwindows */
    uint16_t submitted;         /* requests made so far */
} BlkTest;

/* A read of the disk's first sectors, each into its own buffer. */
typedef struct BlkRead {
    uint64_t header, status;    /* I/O virtual addresses */
    uint64_t data[2];
    unsigned sectors;
} BlkRead;

/* Where the PAMU's entries put @iova in RAM. */
static uint64_t ram(BlkTest *t, uint64_t iova)
{
    g_assert_cmphex(iova, <, WINDOW_SIZE);
    if (t->sw1_target && iova >= SW_SIZE) {
        return t->sw1_target + iova - SW_SIZE;
    }
    return WINDOW_TARGET + iova;
}

static uint8_t status(BlkTest *t)
{
    return e500_virtio_readb(&t->dev, VIRTIO_PCI_COMMON_STATUS);
}

/* What a guest driver does up to DRIVER_OK, with one queue. */
static void driver_ok(BlkTest *t)
{
    e500_virtio_negotiate(&t->dev, FEATURES);
    e500_virtio_setup_queue(&t->dev, 0, QUEUE_SIZE, RING_DESC, RING_AVAIL,
                            RING_USED);
    e500_virtio_set_status(&t->dev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                           VIRTIO_CONFIG_S_DRIVER |
                           VIRTIO_CONFIG_S_FEATURES_OK |
                           VIRTIO_CONFIG_S_DRIVER_OK);
}

static uint64_t pamu_reg(BlkTest *t, uint32_t offset)
{
    return t->b->ccsr + PAMU_CCSR_OFFSET + offset;
}

static void put_entry(BlkTest *t, uint64_t pa, const PAMUTestEntry *e)
{
    uint8_t bytes[PAMU_PAACE_WORDS * 4];

    pamu_test_entry_bytes(e, bytes);
    qtest_memwrite(t->qts, pa, bytes, sizeof(bytes));
}

/* The SPAACE of subwindow 1: access @ap, RAM at @twba */
static PAMUTestEntry sw1_entry(unsigned ap, uint64_t twba)
{
    PAMUTestEntry e = { .v = true, .pt = true, .liodn = PCI_LIODN, .ap = ap,
                        .atm = PAMU_ATM_WINDOW, .swse = ctz64(SW_SIZE) - 1,
                        .twba = twba };
    return e;
}

/* Makes @sw1 subwindow 1's SPAACE. */
static void put_sw1(BlkTest *t, const PAMUTestEntry *sw1)
{
    put_entry(t, SPAACT + SW1_FSPI * PAMU_PAACE_SIZE, sw1);
    t->sw1_target = sw1->twba;
}

/*
 * The PCI LIODN's PAACE maps the window, or with @sw1 (subwindow 1's
 * SPAACE) two subwindows; the PAMU is enabled, in use.
 */
static void program_pamu(BlkTest *t, const PAMUTestEntry *sw1)
{
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW,
                        .wse = ctz64(WINDOW_SIZE) - 1,
                        .atm = PAMU_ATM_WINDOW, .twba = WINDOW_TARGET };

    if (sw1) {
        e.mw = true;
        e.wce = 0;                      /* two subwindows */
        e.swse = ctz64(SW_SIZE) - 1;
        e.fspi = SW1_FSPI;
        put_sw1(t, sw1);
    }
    put_entry(t, PPAACT + PCI_LIODN * PAMU_PAACE_SIZE, &e);
    qtest_writel(t->qts, pamu_reg(t, A_PPBAH), 0);
    qtest_writel(t->qts, pamu_reg(t, A_PPBAL), PPAACT);
    qtest_writel(t->qts, pamu_reg(t, A_PPLAH), 0);
    qtest_writel(t->qts, pamu_reg(t, A_PPLAL),
                 PPAACT + PPAACT_ENTRIES * PAMU_PAACE_SIZE);
    qtest_writel(t->qts, pamu_reg(t, A_SPBAH), 0);
    qtest_writel(t->qts, pamu_reg(t, A_SPBAL), SPAACT);
    qtest_writel(t->qts, pamu_reg(t, A_SPLAH), 0);
    qtest_writel(t->qts, pamu_reg(t, A_SPLAL),
                 SPAACT + SPAACT_ENTRIES * PAMU_PAACE_SIZE);
    qtest_writel(t->qts, pamu_reg(t, A_PC), R_PC_PE_MASK);
    qtest_writel(t->qts, t->b->ccsr + GUTS_CCSR_OFFSET + PAMU_GUTS_PAMUBYPENR,
                 0);
}

/* Byte @i of the disk's sector @sector */
static uint8_t pattern(unsigned sector, unsigned i)
{
    return 0xa5 ^ i ^ (sector * 0x3c);
}

/* A disk whose first two sectors are a known pattern. */
static char *make_disk(void)
{
    uint8_t sectors[2 * SECTOR];
    char *path;
    int fd, i;

    for (i = 0; i < sizeof(sectors); i++) {
        sectors[i] = pattern(i / SECTOR, i % SECTOR);
    }
    fd = g_file_open_tmp("pamu-virtio-blk-XXXXXX", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, sectors, sizeof(sectors)), ==, sizeof(sectors));
    g_assert_cmpint(ftruncate(fd, 64 * 1024), ==, 0);
    close(fd);
    return path;
}

static void start(BlkTest *t, const E500Board *b, const PAMUTestEntry *sw1)
{
    int fd;

    memset(t, 0, sizeof(*t));
    t->b = b;
    t->bios = e500_make_dummy_bios();
    t->disk = make_disk();
    fd = g_file_open_tmp("pamu-virtio-blk-stderr-XXXXXX", &t->log, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    t->qts = qtest_initf("-M %s -m %dM -nodefaults -bios %s -device pamu "
                         "-drive if=none,id=d0,format=raw,file=%s "
                         "-device virtio-blk-pci,drive=d0,addr=0x%x,"
                         "num-queues=1,disable-legacy=on,iommu_platform=on,"
                         "romfile= 2>%s",
                         b->machine, RAM_MB, t->bios, t->disk,
                         PCI_SLOT(b->first_devfn), t->log);
    e500_virtio_map(&t->dev, t->qts, b, VIRTIO_ID_BLK_MODERN);
    e500_set_inbound_window(t->qts, b, 0, 0, 0, 31);
    program_pamu(t, sw1);
    driver_ok(t);
}

static void finish(BlkTest *t)
{
    qtest_quit(t->qts);
    unlink(t->disk);
    unlink(t->bios);
    unlink(t->log);
    g_free(t->disk);
    g_free(t->bios);
    g_free(t->log);
}

/* QEMU's stderr so far */
static char *qemu_stderr(BlkTest *t)
{
    char *text = NULL;

    g_assert_true(g_file_get_contents(t->log, &text, NULL, NULL));
    return text;
}

/* Stores a little-endian descriptor at RAM address @pa. */
static void put_desc(BlkTest *t, uint64_t pa, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
    struct vring_desc d = {
        .addr = cpu_to_le64(addr), .len = cpu_to_le32(len),
        .flags = cpu_to_le16(flags), .next = cpu_to_le16(next),
    };

    qtest_memwrite(t->qts, pa, &d, sizeof(d));
}

/* Stores at RAM address @pa the indirect table of @r. */
static void put_read(BlkTest *t, uint64_t pa, const BlkRead *r)
{
    unsigned i;

    put_desc(t, pa, r->header, sizeof(struct virtio_blk_outhdr),
             VRING_DESC_F_NEXT, 1);
    for (i = 0; i < r->sectors; i++) {
        put_desc(t, pa + (i + 1) * sizeof(struct vring_desc), r->data[i],
                 SECTOR, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, i + 2);
    }
    put_desc(t, pa + (i + 1) * sizeof(struct vring_desc), r->status, 1,
             VRING_DESC_F_WRITE, 0);
}

/* The read of sector 0 into @data; header and status at HEADER, STATUS */
static BlkRead read_one(uint64_t data)
{
    BlkRead r = { .header = HEADER, .status = STATUS, .data = { data },
                  .sectors = 1 };
    return r;
}

/*
 * Makes @r, whose indirect table is at IOVA @table, the queue's next
 * request.
 */
static void submit(BlkTest *t, uint64_t table, const BlkRead *r)
{
    struct virtio_blk_outhdr hdr = { .type = cpu_to_le32(VIRTIO_BLK_T_IN) };
    uint16_t n = t->submitted;
    uint16_t head = cpu_to_le16(n), idx = cpu_to_le16(n + 1);
    uint8_t unset = 0xff;

    qtest_memwrite(t->qts, ram(t, r->header), &hdr, sizeof(hdr));
    qtest_memwrite(t->qts, ram(t, r->status), &unset, 1);
    put_desc(t, ram(t, RING_DESC) + n * sizeof(struct vring_desc), table,
             (r->sectors + 2) * sizeof(struct vring_desc),
             VRING_DESC_F_INDIRECT, 0);
    /* avail: flags, idx, ring[] */
    qtest_memwrite(t->qts, ram(t, RING_AVAIL) + 4 + 2 * n, &head, 2);
    qtest_memwrite(t->qts, ram(t, RING_AVAIL) + 2, &idx, 2);
    t->submitted++;
    e500_virtio_kick(&t->dev, 0);
}

/* Waits until the device used all requests, or gave up on the queue. */
static uint16_t wait_used(BlkTest *t)
{
    uint16_t idx = 0;
    int i;

    for (i = 0; i < 5000; i++) {
        /* little-endian in RAM, read big-endian by qtest */
        idx = bswap16(qtest_readw(t->qts, ram(t, RING_USED) + 2));
        if (idx == t->submitted ||
            (status(t) & VIRTIO_CONFIG_S_NEEDS_RESET)) {
            break;
        }
        g_usleep(1000);
    }
    return idx;
}

/* Request @n, @r, was used whole and its status says done. */
static void assert_done(BlkTest *t, uint16_t n, const BlkRead *r)
{
    struct vring_used_elem used;
    uint8_t st = 0xff;

    qtest_memread(t->qts, ram(t, RING_USED) + 4 + n * sizeof(used), &used,
                  sizeof(used));
    g_assert_cmpuint(le32_to_cpu(used.id), ==, n);
    g_assert_cmpuint(le32_to_cpu(used.len), ==, r->sectors * SECTOR + 1);
    qtest_memread(t->qts, ram(t, r->status), &st, 1);
    g_assert_cmpuint(st, ==, VIRTIO_BLK_S_OK);
}

/* RAM at @pa holds the disk's sector @sector. */
static void assert_sector(BlkTest *t, uint64_t pa, unsigned sector)
{
    uint8_t buf[SECTOR];
    int i;

    qtest_memread(t->qts, pa, buf, sizeof(buf));
    for (i = 0; i < SECTOR; i++) {
        g_assert_cmphex(buf[i], ==, pattern(sector, i));
    }
}

/*
 * Puts @r's indirect table at IOVA @table, submits it and checks that the
 * device used it whole, with status OK.
 */
static void read_through(BlkTest *t, uint64_t table, const BlkRead *r)
{
    uint16_t n = t->submitted;

    put_read(t, ram(t, table), r);
    submit(t, table, r);
    g_assert_cmpuint(wait_used(t), ==, n + 1);
    assert_done(t, n, r);
}

/* No violation latched and nothing said on QEMU's stderr */
static void assert_quiet(BlkTest *t)
{
    g_autofree char *said = NULL;

    g_assert_cmphex(qtest_readl(t->qts, pamu_reg(t, A_AVS1)), ==, 0);
    said = qemu_stderr(t);
    g_assert_cmpstr(said, ==, "");
}

static bool all_zero(BlkTest *t, uint64_t pa, size_t len)
{
    g_autofree uint8_t *buf = g_malloc(len);
    size_t i;

    qtest_memread(t->qts, pa, buf, len);
    for (i = 0; i < len; i++) {
        if (buf[i]) {
            return false;
        }
    }
    return true;
}

/*
 * The table at TABLE is read through the window: the sector lands in DATA
 * (in RAM where the window puts it), and the decoy table at TABLE's
 * untranslated address is not used.
 */
static void test_indirect_translated(const void *data)
{
    BlkRead r = read_one(DATA), decoy = read_one(DECOY_DATA);
    BlkTest t;

    start(&t, data, NULL);
    put_read(&t, TABLE, &decoy);
    read_through(&t, TABLE, &r);
    assert_sector(&t, ram(&t, DATA), 0);
    g_assert_true(all_zero(&t, ram(&t, DECOY_DATA), SECTOR));
    assert_quiet(&t);
    finish(&t);
}

/*
 * The table lies outside the window: the PAMU latches a window violation
 * at the table's address and the device finds no usable descriptor, so it
 * needs a reset; the decoy table at that address (RAM the window does not
 * reach) is not used.
 */
static void test_indirect_outside_window(const void *data)
{
    uint32_t wav = WAV(PAMU_WAV_OUTSIDE) | R_AVS1_AV_MASK;
    uint32_t avs1 = FIELD_DP32(wav, AVS1, LIODN, PCI_LIODN);
    BlkRead decoy = read_one(DECOY_DATA);
    g_autofree char *said = NULL;
    BlkTest t;

    start(&t, data, NULL);
    put_read(&t, OUTSIDE, &decoy);
    submit(&t, OUTSIDE, &decoy);
    g_assert_cmpuint(wait_used(&t), ==, 0);
    g_assert_cmphex(status(&t) & VIRTIO_CONFIG_S_NEEDS_RESET, ==,
                    VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmphex(qtest_readl(t.qts, pamu_reg(&t, A_AVS1)), ==, avs1);
    g_assert_cmphex(qtest_readl(t.qts, pamu_reg(&t, A_AVAH)), ==, 0);
    g_assert_cmphex(qtest_readl(t.qts, pamu_reg(&t, A_AVAL)), ==, OUTSIDE);
    g_assert_true(all_zero(&t, ram(&t, DECOY_DATA), SECTOR));
    g_assert_true(all_zero(&t, DECOY_DATA, SECTOR));
    /* what the device made of the unreadable table: a zeroed descriptor */
    said = qemu_stderr(&t);
    g_assert_nonnull(strstr(said, "virtio: zero sized buffers are not "
                            "allowed"));
    finish(&t);
}

/*
 * One request reads sector 0 into subwindow 0 and sector 1 into subwindow
 * 1: the translation kept from the first buffer does not serve the second,
 * which lands where subwindow 1's SPAACE puts it.
 */
static void test_buffers_across_subwindows(const void *data)
{
    PAMUTestEntry sw1 = sw1_entry(PAMU_AP_RW, SW1_TARGET);
    BlkRead r = { .header = HEADER, .status = STATUS,
                  .data = { DATA, SW1_DATA }, .sectors = 2 };
    BlkTest t;

    start(&t, data, &sw1);
    read_through(&t, TABLE, &r);
    assert_sector(&t, ram(&t, DATA), 0);
    assert_sector(&t, SW1_TARGET + DATA, 1);
    /* where subwindow 0's translation would have put sector 1 */
    g_assert_true(all_zero(&t, WINDOW_TARGET + SW1_DATA, SECTOR));
    assert_quiet(&t);
    finish(&t);
}

/*
 * Subwindow 1 is read-only.  The request's header is read from it, its
 * data buffer lies in it too: the device may not write that buffer,
 * although the translation kept from reading the header covers it.  The
 * PAMU latches a write permission violation at the buffer; its RAM stays
 * untouched.
 */
static void test_read_only_subwindow(const void *data)
{
    uint32_t apv = APV(PAMU_APV_WRITE) | R_AVS1_AV_MASK;
    uint32_t avs1 = FIELD_DP32(apv, AVS1, LIODN, PCI_LIODN);
    PAMUTestEntry sw1 = sw1_entry(PAMU_AP_READ, SW1_TARGET);
    BlkRead r = { .header = SW1_HEADER, .status = STATUS,
                  .data = { SW1_DATA }, .sectors = 1 };
    BlkTest t;

    start(&t, data, &sw1);
    /* the device cannot tell that its writes were blocked */
    read_through(&t, TABLE, &r);

    g_assert_cmphex(qtest_readl(t.qts, pamu_reg(&t, A_AVS1)), ==, avs1);
    g_assert_cmphex(qtest_readl(t.qts, pamu_reg(&t, A_AVAH)), ==, 0);
    g_assert_cmphex(qtest_readl(t.qts, pamu_reg(&t, A_AVAL)), ==, SW1_DATA);
    g_assert_true(all_zero(&t, ram(&t, SW1_DATA), SECTOR));
    finish(&t);
}

/*
 * After a request, the guest moves subwindow 1 by rewriting its SPAACE:
 * the next request's buffer in subwindow 1 lands at the new place, and
 * the old place keeps what the first request put there.
 */
static void test_subwindow_moved(const void *data)
{
    PAMUTestEntry sw1 = sw1_entry(PAMU_AP_RW, SW1_TARGET);
    BlkRead r = read_one(SW1_DATA);
    BlkTest t;

    /* the request's last write, too, goes to subwindow 1 */
    r.status = SW_SIZE + STATUS;
    start(&t, data, &sw1);
    read_through(&t, TABLE, &r);
    assert_sector(&t, SW1_TARGET + DATA, 0);

    sw1.twba = SW1_MOVED;
    put_sw1(&t, &sw1);
    r.data[0] = SW1_DATA + SECTOR;      /* sector 0 again, elsewhere */
    read_through(&t, TABLE + 0x1000, &r);
    assert_sector(&t, SW1_MOVED + DATA + SECTOR, 0);
    g_assert_true(all_zero(&t, SW1_TARGET + DATA + SECTOR, SECTOR));
    assert_quiet(&t);
    finish(&t);
}

static const struct {
    const char *name;
    void (*fn)(const void *data);
} cases[] = {
    { "indirect-translated", test_indirect_translated },
    { "indirect-outside-window", test_indirect_outside_window },
    { "buffers-across-subwindows", test_buffers_across_subwindows },
    { "read-only-subwindow", test_read_only_subwindow },
    { "subwindow-moved", test_subwindow_moved },
};

int main(int argc, char **argv)
{
    size_t i, c;

    g_test_init(&argc, &argv, NULL);
    if (!qtest_has_device("pamu") || !qtest_has_device("virtio-blk-pci")) {
        g_test_skip("needs the pamu and virtio-blk-pci devices");
        return g_test_run();
    }
    for (i = 0; i < e500_nr_boards; i++) {
        const E500Board *b = &e500_boards[i];

        if (!qtest_has_machine(b->machine)) {
            continue;
        }
        for (c = 0; c < ARRAY_SIZE(cases); c++) {
            g_autofree char *path = g_strdup_printf("pamu-virtio-blk/%s/%s",
                                                    cases[c].name, b->machine);

            qtest_add_data_func(path, b, cases[c].fn);
        }
    }
    return g_test_run();
}
