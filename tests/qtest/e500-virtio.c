/*
 * qtest helpers for a modern virtio-pci device on the e500 machines
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/pci/pci_regs.h"
#include "standard-headers/linux/virtio_config.h"
#include "standard-headers/linux/virtio_pci.h"
#include "e500-virtio.h"

static uint8_t cfg_readb(E500Virtio *v, uint32_t offset)
{
    uint32_t dword = e500_pci_cfg_readl(v->qts, v->b, v->b->first_devfn,
                                        offset & ~3u);

    return dword >> ((offset & 3) * 8);
}

static uint32_t cfg_readl(E500Virtio *v, uint32_t offset)
{
    return e500_pci_cfg_readl(v->qts, v->b, v->b->first_devfn, offset);
}

void e500_virtio_map(E500Virtio *v, QTestState *qts, const E500Board *b,
                     uint16_t device_id)
{
    uint64_t bar;
    uint8_t pos;

    *v = (E500Virtio) { .qts = qts, .b = b };
    g_assert_cmphex(cfg_readl(v, PCI_VENDOR_ID), ==,
                    0x1af4 | ((uint32_t)device_id << 16));
    e500_pci_cfg_writel(qts, b, b->first_devfn, PCI_BASE_ADDRESS_4,
                        b->mmio_bus);
    e500_pci_cfg_writel(qts, b, b->first_devfn, PCI_BASE_ADDRESS_5, 0);
    /* opens the outbound window, enables decoding and bus mastering */
    bar = e500_pci_map_bar0(qts, b, b->first_devfn);
    for (pos = cfg_readb(v, PCI_CAPABILITY_LIST); pos;
         pos = cfg_readb(v, pos + PCI_CAP_LIST_NEXT)) {
        uint8_t type = cfg_readb(v, pos + offsetof(struct virtio_pci_cap,
                                                   cfg_type));
        uint64_t where = bar + cfg_readl(v, pos +
                                         offsetof(struct virtio_pci_cap,
                                                  offset));

        if (cfg_readb(v, pos + PCI_CAP_LIST_ID) != PCI_CAP_ID_VNDR ||
            (type != VIRTIO_PCI_CAP_COMMON_CFG &&
             type != VIRTIO_PCI_CAP_NOTIFY_CFG)) {
            continue;
        }
        g_assert_cmpuint(cfg_readb(v, pos + offsetof(struct virtio_pci_cap,
                                                     bar)), ==, 4);
        if (type == VIRTIO_PCI_CAP_COMMON_CFG) {
            v->common = where;
        } else {
            v->notify = where;
            v->notify_multiplier =
                cfg_readl(v, pos + offsetof(struct virtio_pci_notify_cap,
                                            notify_off_multiplier));
        }
    }
    g_assert_cmphex(v->common, !=, 0);
    g_assert_cmphex(v->notify, !=, 0);
}

/* qtest accesses are big-endian here, like the target */
uint8_t e500_virtio_readb(E500Virtio *v, uint32_t offset)
{
    return qtest_readb(v->qts, v->common + offset);
}

uint32_t e500_virtio_readl(E500Virtio *v, uint32_t offset)
{
    return bswap32(qtest_readl(v->qts, v->common + offset));
}

void e500_virtio_writew(E500Virtio *v, uint32_t offset, uint16_t val)
{
    qtest_writew(v->qts, v->common + offset, bswap16(val));
}

void e500_virtio_writel(E500Virtio *v, uint32_t offset, uint32_t val)
{
    qtest_writel(v->qts, v->common + offset, bswap32(val));
}

static void write_addr(E500Virtio *v, uint32_t offset_lo, uint64_t val)
{
    e500_virtio_writel(v, offset_lo, val);
    e500_virtio_writel(v, offset_lo + 4, val >> 32);
}

void e500_virtio_set_status(E500Virtio *v, uint8_t status)
{
    qtest_writeb(v->qts, v->common + VIRTIO_PCI_COMMON_STATUS, status);
    g_assert_cmphex(e500_virtio_readb(v, VIRTIO_PCI_COMMON_STATUS), ==,
                    status);
}

void e500_virtio_negotiate(E500Virtio *v, uint64_t features)
{
    uint8_t status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
    uint32_t half;

    e500_virtio_set_status(v, 0);
    e500_virtio_set_status(v, status);
    for (half = 0; half < 2; half++) {
        uint32_t want = features >> (half * 32);

        e500_virtio_writel(v, VIRTIO_PCI_COMMON_DFSELECT, half);
        g_assert_cmphex(e500_virtio_readl(v, VIRTIO_PCI_COMMON_DF) & want,
                        ==, want);
        e500_virtio_writel(v, VIRTIO_PCI_COMMON_GFSELECT, half);
        e500_virtio_writel(v, VIRTIO_PCI_COMMON_GF, want);
    }
    e500_virtio_set_status(v, status | VIRTIO_CONFIG_S_FEATURES_OK);
}

void e500_virtio_setup_queue(E500Virtio *v, uint16_t q, uint16_t size,
                             uint64_t desc, uint64_t avail, uint64_t used)
{
    e500_virtio_writew(v, VIRTIO_PCI_COMMON_Q_SELECT, q);
    e500_virtio_writew(v, VIRTIO_PCI_COMMON_Q_SIZE, size);
    write_addr(v, VIRTIO_PCI_COMMON_Q_DESCLO, desc);
    write_addr(v, VIRTIO_PCI_COMMON_Q_AVAILLO, avail);
    write_addr(v, VIRTIO_PCI_COMMON_Q_USEDLO, used);
    e500_virtio_writew(v, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
}

void e500_virtio_kick(E500Virtio *v, uint16_t q)
{
    uint16_t off;

    e500_virtio_writew(v, VIRTIO_PCI_COMMON_Q_SELECT, q);
    off = bswap16(qtest_readw(v->qts, v->common + VIRTIO_PCI_COMMON_Q_NOFF));
    qtest_writew(v->qts, v->notify + off * v->notify_multiplier,
                 bswap16(q));
}
