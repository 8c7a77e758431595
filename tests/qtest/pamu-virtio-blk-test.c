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
#define RAM_MB              128

/* The PAACE's window: IOVA [0, 32 MiB) to RAM [32 MiB, 64 MiB) */
#define WINDOW_SIZE         (32 * MIB)
#define WINDOW_TARGET       (32 * MIB)

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
} BlkTest;

/* Where the PAACE puts @iova in RAM. */
static uint64_t ram(uint64_t iova)
{
    g_assert_cmphex(iova, <, WINDOW_SIZE);
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

/* The PCI LIODN's PAACE maps the window; the PAMU is enabled, in use. */
static void program_pamu(BlkTest *t)
{
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW,
                        .wse = ctz64(WINDOW_SIZE) - 1,
                        .atm = PAMU_ATM_WINDOW, .twba = WINDOW_TARGET };
    uint8_t bytes[PAMU_PAACE_WORDS * 4];

    pamu_test_entry_bytes(&e, bytes);
    qtest_memwrite(t->qts, PPAACT + PCI_LIODN * PAMU_PAACE_SIZE, bytes,
                   sizeof(bytes));
    qtest_writel(t->qts, pamu_reg(t, A_PPBAH), 0);
    qtest_writel(t->qts, pamu_reg(t, A_PPBAL), PPAACT);
    qtest_writel(t->qts, pamu_reg(t, A_PPLAH), 0);
    qtest_writel(t->qts, pamu_reg(t, A_PPLAL),
                 PPAACT + PPAACT_ENTRIES * PAMU_PAACE_SIZE);
    qtest_writel(t->qts, pamu_reg(t, A_PC), R_PC_PE_MASK);
    qtest_writel(t->qts, t->b->ccsr + GUTS_CCSR_OFFSET + PAMU_GUTS_PAMUBYPENR,
                 0);
}

/* A disk whose first sector is a known pattern. */
static char *make_disk(void)
{
    uint8_t sector[SECTOR];
    char *path;
    int fd, i;

    for (i = 0; i < SECTOR; i++) {
        sector[i] = 0xa5 ^ i;
    }
    fd = g_file_open_tmp("pamu-virtio-blk-XXXXXX", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, sector, sizeof(sector)), ==, sizeof(sector));
    g_assert_cmpint(ftruncate(fd, 64 * 1024), ==, 0);
    close(fd);
    return path;
}

static void start(BlkTest *t, const E500Board *b)
{
    int fd;

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
    program_pamu(t);
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

/*
 * Stores at RAM address @pa an indirect table for a read of sector 0 into
 * @data, with the request's header and status at HEADER and STATUS.
 */
static void put_table(BlkTest *t, uint64_t pa, uint64_t data)
{
    put_desc(t, pa, HEADER, sizeof(struct virtio_blk_outhdr),
             VRING_DESC_F_NEXT, 1);
    put_desc(t, pa + 16, data, SECTOR,
             VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
    put_desc(t, pa + 32, STATUS, 1, VRING_DESC_F_WRITE, 0);
}

/* Makes the indirect table at IOVA @table the queue's first request. */
static void submit(BlkTest *t, uint64_t table)
{
    struct virtio_blk_outhdr hdr = { .type = cpu_to_le32(VIRTIO_BLK_T_IN) };
    uint16_t avail[3] = { 0, cpu_to_le16(1), 0 };
    uint8_t unset = 0xff;

    qtest_memwrite(t->qts, ram(HEADER), &hdr, sizeof(hdr));
    qtest_memwrite(t->qts, ram(STATUS), &unset, 1);
    put_desc(t, ram(RING_DESC), table, 3 * sizeof(struct vring_desc),
             VRING_DESC_F_INDIRECT, 0);
    qtest_memwrite(t->qts, ram(RING_AVAIL), avail, sizeof(avail));
    e500_virtio_kick(&t->dev, 0);
}

/* Waits until the device used the request, or gave up on the queue. */
static uint16_t wait_used(BlkTest *t)
{
    uint16_t idx = 0;
    int i;

    for (i = 0; i < 5000; i++) {
        /* little-endian in RAM, read big-endian by qtest */
        idx = bswap16(qtest_readw(t->qts, ram(RING_USED) + 2));
        if (idx || (status(t) & VIRTIO_CONFIG_S_NEEDS_RESET)) {
            break;
        }
        g_usleep(1000);
    }
    return idx;
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
    uint8_t sector[SECTOR];
    uint8_t st = 0xff;
    struct vring_used_elem used;
    g_autofree char *said = NULL;
    BlkTest t;
    int i;

    start(&t, data);
    put_table(&t, ram(TABLE), DATA);
    put_table(&t, TABLE, DECOY_DATA);
    submit(&t, TABLE);
    g_assert_cmpuint(wait_used(&t), ==, 1);

    qtest_memread(t.qts, ram(RING_USED) + 4, &used, sizeof(used));
    g_assert_cmpuint(le32_to_cpu(used.id), ==, 0);
    g_assert_cmpuint(le32_to_cpu(used.len), ==, SECTOR + 1);
    qtest_memread(t.qts, ram(STATUS), &st, 1);
    g_assert_cmpuint(st, ==, VIRTIO_BLK_S_OK);
    qtest_memread(t.qts, ram(DATA), sector, sizeof(sector));
    for (i = 0; i < SECTOR; i++) {
        g_assert_cmphex(sector[i], ==, (uint8_t)(0xa5 ^ i));
    }
    g_assert_true(all_zero(&t, ram(DECOY_DATA), SECTOR));
    g_assert_cmphex(qtest_readl(t.qts, pamu_reg(&t, A_AVS1)), ==, 0);
    said = qemu_stderr(&t);
    g_assert_cmpstr(said, ==, "");
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
    g_autofree char *said = NULL;
    BlkTest t;

    start(&t, data);
    put_table(&t, OUTSIDE, DECOY_DATA);
    submit(&t, OUTSIDE);
    g_assert_cmpuint(wait_used(&t), ==, 0);
    g_assert_cmphex(status(&t) & VIRTIO_CONFIG_S_NEEDS_RESET, ==,
                    VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmphex(qtest_readl(t.qts, pamu_reg(&t, A_AVS1)), ==, avs1);
    g_assert_cmphex(qtest_readl(t.qts, pamu_reg(&t, A_AVAH)), ==, 0);
    g_assert_cmphex(qtest_readl(t.qts, pamu_reg(&t, A_AVAL)), ==, OUTSIDE);
    g_assert_true(all_zero(&t, ram(DECOY_DATA), SECTOR));
    g_assert_true(all_zero(&t, DECOY_DATA, SECTOR));
    /* what the device made of the unreadable table: a zeroed descriptor */
    said = qemu_stderr(&t);
    g_assert_nonnull(strstr(said, "virtio: zero sized buffers are not "
                            "allowed"));
    finish(&t);
}

int main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    if (!qtest_has_device("pamu") || !qtest_has_device("virtio-blk-pci")) {
        g_test_skip("needs the pamu and virtio-blk-pci devices");
        return g_test_run();
    }
    for (i = 0; i < e500_nr_boards; i++) {
        const E500Board *b = &e500_boards[i];
        g_autofree char *path = NULL;

        if (!qtest_has_machine(b->machine)) {
            continue;
        }
        path = g_strdup_printf("pamu-virtio-blk/indirect-translated/%s",
                               b->machine);
        qtest_add_data_func(path, b, test_indirect_translated);
        g_free(path);
        path = g_strdup_printf("pamu-virtio-blk/indirect-outside-window/%s",
                               b->machine);
        qtest_add_data_func(path, b, test_indirect_outside_window);
    }
    return g_test_run();
}
