/*
 * qtest helpers for DMA from an "edu" PCI device on the e500 machines
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_regs.h"
#include "e500-pci-edu.h"

const E500Board e500_boards[] = {
    {
        .machine = "ppce500",
        .ccsr = 0xfe0000000ULL,
        .first_devfn = PCI_DEVFN(1, 0),
        .mmio_cpu = 0xc00000000ULL,
        .mmio_bus = 0xe0000000ULL,
        .mpic_path = "/machine/pic",
    },
    {
        .machine = "mpc8544ds",
        .ccsr = 0xe0000000ULL,
        .first_devfn = PCI_DEVFN(0x11, 0),
        .mmio_cpu = 0xc0000000ULL,
        .mmio_bus = 0xc0000000ULL,
        .mpic_path = "/machine/pic",
    },
};
const size_t e500_nr_boards = ARRAY_SIZE(e500_boards);

/* PCI controller registers, offsets from CCSR (hw/pci-host/ppce500.c) */
#define E500_PCI_REGS       0x8000
#define E500_PCI_CFG_ADDR   (E500_PCI_REGS + 0x0)
#define E500_PCI_CFG_DATA   (E500_PCI_REGS + 0x4)
#define E500_PCI_OW1        (E500_PCI_REGS + 0xc20)
#define E500_PCI_IW1        (E500_PCI_REGS + 0xde0)
#define E500_PCI_WIN_STRIDE 0x20     /* IW1, IW2, IW3 go down in address */
#define ATMU_TAR            0x0
#define ATMU_WBAR           0x8
#define ATMU_WAR            0x10
#define ATMU_WAR_EN         0x80000000u

/* edu BAR0 registers (hw/misc/edu.c) */
#define EDU_ID              0x00
#define EDU_ID_VALUE        0x010000edu
#define EDU_DMA_SRC         0x80
#define EDU_DMA_DST         0x88
#define EDU_DMA_CNT         0x90
#define EDU_DMA_CMD         0x98
#define EDU_DMA_RUN         0x1
#define EDU_DMA_TO_RAM      0x2
#define EDU_DMA_DELAY_NS    (100 * 1000 * 1000)   /* its timer: 100 ms */

#define OUTBOUND_SIZE_LOG2  29

char *e500_make_dummy_bios(void)
{
    /* A big-endian 32-bit PowerPC ELF with one PT_LOAD: "b ." at 0 */
    static const uint8_t elf[] = {
        /* e_ident: ELFCLASS32, ELFDATA2MSB, EV_CURRENT */
        0x7f, 'E', 'L', 'F', 1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x00, 0x02,             /* e_type ET_EXEC */
        0x00, 0x14,             /* e_machine EM_PPC */
        0x00, 0x00, 0x00, 0x01, /* e_version */
        0x00, 0x00, 0x00, 0x00, /* e_entry */
        0x00, 0x00, 0x00, 0x34, /* e_phoff */
        0x00, 0x00, 0x00, 0x00, /* e_shoff */
        0x00, 0x00, 0x00, 0x00, /* e_flags */
        0x00, 0x34,             /* e_ehsize */
        0x00, 0x20,             /* e_phentsize */
        0x00, 0x01,             /* e_phnum */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* no section headers */
        /* program header: PT_LOAD, offset 0x54, vaddr = paddr = 0 */
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x54,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04,
        0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x04,
        0x48, 0x00, 0x00, 0x00, /* b . */
    };
    GError *err = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("e500-bios-XXXXXX.elf", &path, &err);

    g_assert_no_error(err);
    g_assert_cmpint(write(fd, elf, sizeof(elf)), ==, sizeof(elf));
    close(fd);
    return path;
}

static uint32_t cfg_address(uint32_t devfn, uint32_t offset)
{
    return 0x80000000u | (devfn << 8) | (offset & 0xfc);
}

/* CFG_ADDR is a big-endian register, CFG_DATA a little-endian one. */
uint32_t e500_pci_cfg_readl(QTestState *qts, const E500Board *b,
                            uint32_t devfn, uint32_t offset)
{
    qtest_writel(qts, b->ccsr + E500_PCI_CFG_ADDR, cfg_address(devfn, offset));
    return bswap32(qtest_readl(qts, b->ccsr + E500_PCI_CFG_DATA));
}

void e500_pci_cfg_writel(QTestState *qts, const E500Board *b,
                         uint32_t devfn, uint32_t offset, uint32_t val)
{
    qtest_writel(qts, b->ccsr + E500_PCI_CFG_ADDR, cfg_address(devfn, offset));
    qtest_writel(qts, b->ccsr + E500_PCI_CFG_DATA, bswap32(val));
}

static void set_atmu_window(QTestState *qts, uint64_t regs, uint64_t tar,
                            uint64_t wbar, int size_log2)
{
    qtest_writel(qts, regs + ATMU_TAR, tar >> 12);
    qtest_writel(qts, regs + ATMU_WBAR, wbar >> 12);
    qtest_writel(qts, regs + ATMU_WAR, ATMU_WAR_EN | (size_log2 - 1));
}

void e500_set_inbound_window(QTestState *qts, const E500Board *b, int idx,
                             uint64_t pci_addr, uint64_t local_addr,
                             int size_log2)
{
    g_assert(idx >= 0 && idx < 3);
    set_atmu_window(qts, b->ccsr + E500_PCI_IW1 - idx * E500_PCI_WIN_STRIDE,
                    local_addr, pci_addr, size_log2);
}

void e500_clear_inbound_window(QTestState *qts, const E500Board *b, int idx)
{
    g_assert(idx >= 0 && idx < 3);
    qtest_writel(qts, b->ccsr + E500_PCI_IW1 - idx * E500_PCI_WIN_STRIDE +
                 ATMU_WAR, 0);
}

uint64_t e500_pci_map_bar0(QTestState *qts, const E500Board *b,
                           uint32_t devfn)
{
    set_atmu_window(qts, b->ccsr + E500_PCI_OW1, b->mmio_bus, b->mmio_cpu,
                    OUTBOUND_SIZE_LOG2);
    e500_pci_cfg_writel(qts, b, devfn, PCI_BASE_ADDRESS_0, b->mmio_bus);
    e500_pci_cfg_writel(qts, b, devfn, PCI_COMMAND,
                        PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    return b->mmio_cpu;
}

void e500_edu_init(E500Edu *edu, QTestState *qts, const E500Board *b,
                   uint32_t devfn)
{
    edu->qts = qts;
    edu->board = b;
    edu->devfn = devfn;

    g_assert_cmphex(e500_pci_cfg_readl(qts, b, devfn, PCI_VENDOR_ID), ==,
                    PCI_VENDOR_ID_QEMU | (0x11e8 << 16));
    edu->bar = e500_pci_map_bar0(qts, b, devfn);
    g_assert_cmphex(qtest_readl(qts, edu->bar + EDU_ID), ==, EDU_ID_VALUE);
}

void e500_edu_dma(E500Edu *edu, uint64_t bus_addr, uint64_t buf_off,
                  uint64_t len, bool to_ram)
{
    QTestState *qts = edu->qts;
    int i;

    g_assert(buf_off + len <= EDU_BUF_SIZE);
    qtest_writeq(qts, edu->bar + EDU_DMA_SRC,
                 to_ram ? EDU_BUF_ADDR + buf_off : bus_addr);
    qtest_writeq(qts, edu->bar + EDU_DMA_DST,
                 to_ram ? bus_addr : EDU_BUF_ADDR + buf_off);
    qtest_writeq(qts, edu->bar + EDU_DMA_CNT, len);
    qtest_writeq(qts, edu->bar + EDU_DMA_CMD,
                 EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0));
    for (i = 0; i < 3; i++) {
        qtest_clock_step(qts, EDU_DMA_DELAY_NS);
        if (!(qtest_readq(qts, edu->bar + EDU_DMA_CMD) & EDU_DMA_RUN)) {
            return;
        }
    }
    g_assert_not_reached();
}
