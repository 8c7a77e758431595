/*
 * libqos PCI bindings for the Freescale e500 PCI host (ppce500, mpc8544ds)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "../libqtest.h"
#include "pci-e500.h"
#include "qemu/bswap.h"

/*
 * Controller registers, offsets from CFG_ADDR.  CFG_ADDR is big-endian,
 * CFG_DATA and everything behind the windows is PCI, i.e. little-endian,
 * while the e500 machines are big-endian: data accessors swap.
 */
#define E500_CFG_ADDR       0x0
#define E500_CFG_DATA       0x4
#define E500_CFG_ENABLE     0x80000000u
#define E500_OW(n)          (0xc00 + (n) * 0x20)   /* outbound window n */
#define E500_IW1            0xde0                  /* inbound window 1 */
#define E500_ATMU_TAR       0x0     /* translated address >> 12 */
#define E500_ATMU_WBAR      0x8     /* window base address >> 12 */
#define E500_ATMU_WAR       0x10    /* enable, attributes, size */
#define E500_WAR_EN         0x80000000u
#define E500_WAR_SIZE(l2)   ((l2) - 1)              /* 2^l2 bytes */
#define E500_PIWAR_LOCAL    0x00f55000u /* to local memory, snooped */
#define E500_IO_SIZE_LOG2   16

static QPCIBusE500 *to_e500(QPCIBus *bus)
{
    return container_of(bus, QPCIBusE500, bus);
}

static uint8_t e500_pio_readb(QPCIBus *bus, uint32_t addr)
{
    return qtest_readb(bus->qts, to_e500(bus)->layout.pio_cpu + addr);
}

static uint16_t e500_pio_readw(QPCIBus *bus, uint32_t addr)
{
    return bswap16(qtest_readw(bus->qts, to_e500(bus)->layout.pio_cpu + addr));
}

static uint32_t e500_pio_readl(QPCIBus *bus, uint32_t addr)
{
    return bswap32(qtest_readl(bus->qts, to_e500(bus)->layout.pio_cpu + addr));
}

static uint64_t e500_pio_readq(QPCIBus *bus, uint32_t addr)
{
    return bswap64(qtest_readq(bus->qts, to_e500(bus)->layout.pio_cpu + addr));
}

static void e500_pio_writeb(QPCIBus *bus, uint32_t addr, uint8_t val)
{
    qtest_writeb(bus->qts, to_e500(bus)->layout.pio_cpu + addr, val);
}

static void e500_pio_writew(QPCIBus *bus, uint32_t addr, uint16_t val)
{
    qtest_writew(bus->qts, to_e500(bus)->layout.pio_cpu + addr, bswap16(val));
}

static void e500_pio_writel(QPCIBus *bus, uint32_t addr, uint32_t val)
{
    qtest_writel(bus->qts, to_e500(bus)->layout.pio_cpu + addr, bswap32(val));
}

static void e500_pio_writeq(QPCIBus *bus, uint32_t addr, uint64_t val)
{
    qtest_writeq(bus->qts, to_e500(bus)->layout.pio_cpu + addr, bswap64(val));
}

/* @addr is a PCI address inside the memory window */
static uint64_t e500_mem_cpu(QPCIBus *bus, uint32_t addr)
{
    const QPCIE500Layout *l = &to_e500(bus)->layout;

    return l->mmio_cpu + (addr - l->mmio_bus);
}

static void e500_memread(QPCIBus *bus, uint32_t addr, void *buf, size_t len)
{
    qtest_memread(bus->qts, e500_mem_cpu(bus, addr), buf, len);
}

static void e500_memwrite(QPCIBus *bus, uint32_t addr, const void *buf,
                          size_t len)
{
    qtest_memwrite(bus->qts, e500_mem_cpu(bus, addr), buf, len);
}

/* Selects the register; returns the CPU address of its bytes in CFG_DATA */
static uint64_t e500_cfg_select(QPCIBus *bus, int devfn, uint8_t offset)
{
    uint64_t regs = to_e500(bus)->layout.regs;

    qtest_writel(bus->qts, regs + E500_CFG_ADDR,
                 E500_CFG_ENABLE | (devfn << 8) | (offset & 0xfc));
    return regs + E500_CFG_DATA + (offset & 3);
}

static uint8_t e500_config_readb(QPCIBus *bus, int devfn, uint8_t offset)
{
    return qtest_readb(bus->qts, e500_cfg_select(bus, devfn, offset));
}

static uint16_t e500_config_readw(QPCIBus *bus, int devfn, uint8_t offset)
{
    return bswap16(qtest_readw(bus->qts, e500_cfg_select(bus, devfn, offset)));
}

static uint32_t e500_config_readl(QPCIBus *bus, int devfn, uint8_t offset)
{
    return bswap32(qtest_readl(bus->qts, e500_cfg_select(bus, devfn, offset)));
}

static void e500_config_writeb(QPCIBus *bus, int devfn, uint8_t offset,
                               uint8_t value)
{
    qtest_writeb(bus->qts, e500_cfg_select(bus, devfn, offset), value);
}

static void e500_config_writew(QPCIBus *bus, int devfn, uint8_t offset,
                               uint16_t value)
{
    qtest_writew(bus->qts, e500_cfg_select(bus, devfn, offset),
                 bswap16(value));
}

static void e500_config_writel(QPCIBus *bus, int devfn, uint8_t offset,
                               uint32_t value)
{
    qtest_writel(bus->qts, e500_cfg_select(bus, devfn, offset),
                 bswap32(value));
}

static void e500_set_window(QPCIBus *bus, uint64_t win, uint64_t tar,
                            uint64_t wbar, uint32_t war)
{
    uint64_t regs = to_e500(bus)->layout.regs;

    qtest_writel(bus->qts, regs + win + E500_ATMU_TAR, tar >> 12);
    qtest_writel(bus->qts, regs + win + E500_ATMU_WBAR, wbar >> 12);
    qtest_writel(bus->qts, regs + win + E500_ATMU_WAR, E500_WAR_EN | war);
}

void qpci_init_e500(QPCIBusE500 *e500, QTestState *qts,
                    const QPCIE500Layout *layout)
{
    QPCIBus *bus = &e500->bus;

    *e500 = (QPCIBusE500) {
        .layout = *layout,
        .bus = {
            .pio_readb = e500_pio_readb,
            .pio_readw = e500_pio_readw,
            .pio_readl = e500_pio_readl,
            .pio_readq = e500_pio_readq,
            .pio_writeb = e500_pio_writeb,
            .pio_writew = e500_pio_writew,
            .pio_writel = e500_pio_writel,
            .pio_writeq = e500_pio_writeq,
            .memread = e500_memread,
            .memwrite = e500_memwrite,
            .config_readb = e500_config_readb,
            .config_readw = e500_config_readw,
            .config_readl = e500_config_readl,
            .config_writeb = e500_config_writeb,
            .config_writew = e500_config_writew,
            .config_writel = e500_config_writel,
            .qts = qts,
            /* the bottom of I/O space is the legacy ISA range */
            .pio_alloc_ptr = 0x1000,
            .pio_limit = 1ULL << E500_IO_SIZE_LOG2,
            .mmio_alloc_ptr = layout->mmio_bus,
            .mmio_limit = layout->mmio_bus + (1ULL << layout->mmio_size_log2),
        },
    };
    /* I/O space is the bottom of the controller's bus space in QEMU */
    e500_set_window(bus, E500_OW(1), layout->mmio_bus, layout->mmio_cpu,
                    E500_WAR_SIZE(layout->mmio_size_log2));
    e500_set_window(bus, E500_OW(2), 0, layout->pio_cpu,
                    E500_WAR_SIZE(E500_IO_SIZE_LOG2));
    e500_set_window(bus, E500_IW1, 0, 0,
                    E500_PIWAR_LOCAL | E500_WAR_SIZE(layout->ram_size_log2));
}

QPCIBus *qpci_new_e500(QTestState *qts, const QPCIE500Layout *layout)
{
    QPCIBusE500 *e500 = g_new(QPCIBusE500, 1);

    qpci_init_e500(e500, qts, layout);
    return &e500->bus;
}

void qpci_free_e500(QPCIBus *bus)
{
    if (bus) {
        g_free(to_e500(bus));
    }
}
