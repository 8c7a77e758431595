/*
 * QorIQ host simulation: one PCI function behind the PAMU
 *
 * What vfio-pci in the host kernel would expose of a small DMA-capable
 * device: config space with an MSI capability, BAR0 with a DMA engine and
 * an MSI doorbell, and VFIO_DEVICE_SET_IRQS.  Every DMA goes through the
 * simulated PAMU windows into the memory the windows map (QEMU's guest
 * RAM); every MSI is a write to the address the host kernel programmed at
 * enable time, and is delivered only if a window maps an MSI bank there.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "sim-internal.h"
#include "vfio-pamu-sim.h"

#define REGION_SHIFT        40
#define CONFIG_SIZE         256
/* Where the MSIIR of bank 0 is on the host bus, untranslated */
#define BANK0_MSIIR_PHYS    (0xffe041600ULL + SIM_MSIIR_OFFSET)

struct SimDevice {
    SimPamu *pamu;
    uint8_t config[CONFIG_SIZE];
    uint8_t bar[SIM_BAR0_SIZE];
    int msi_fd[SIM_NR_VECTORS];
    bool msi_on;
    uint64_t msi_iova;      /* where the device writes its MSIs */
};

static uint64_t ld_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    while (n--) {
        v = (v << 8) | p[n];
    }
    return v;
}

static void st_le(uint8_t *p, unsigned n, uint64_t v)
{
    unsigned i;

    for (i = 0; i < n; i++, v >>= 8) {
        p[i] = v;
    }
}

static uint32_t reg32(SimDevice *d, unsigned off)
{
    return ld_le(d->bar + off, 4);
}

static void set_reg32(SimDevice *d, unsigned off, uint32_t v)
{
    st_le(d->bar + off, 4, v);
}

static void config_init(SimDevice *d)
{
    uint8_t *c = d->config;

    memset(c, 0, CONFIG_SIZE);
    st_le(c + PCI_VENDOR_ID, 2, SIM_PCI_VENDOR_ID);
    st_le(c + PCI_DEVICE_ID, 2, SIM_PCI_DEVICE_ID);
    st_le(c + PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
    c[PCI_REVISION_ID] = 1;
    c[PCI_CLASS_DEVICE + 1] = 0xff;             /* unassigned class */
    st_le(c + PCI_SUBSYSTEM_VENDOR_ID, 2, SIM_PCI_VENDOR_ID);
    c[PCI_CAPABILITY_LIST] = SIM_MSI_CAP;
    c[PCI_INTERRUPT_LINE] = 0xff;
    c[PCI_INTERRUPT_PIN] = 0;                   /* MSI only */
    c[SIM_MSI_CAP + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSI;
    st_le(c + SIM_MSI_CAP + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_64BIT);
}

static void device_reset(SimDevice *d)
{
    memset(d->bar, 0, sizeof(d->bar));
    set_reg32(d, SIM_REG_ID, SIM_ID_VALUE);
    st_le(d->config + PCI_COMMAND, 2, 0);
}

SimDevice *sim_device_new(SimPamu *pamu)
{
    SimDevice *d = calloc(1, sizeof(*d));
    unsigned i;

    d->pamu = pamu;
    config_init(d);
    device_reset(d);
    for (i = 0; i < SIM_NR_VECTORS; i++) {
        d->msi_fd[i] = -1;
    }
    return d;
}

void sim_device_free(SimDevice *d)
{
    free(d);
}

/* --- BAR0: DMA engine and MSI doorbell ----------------------------------- */

static void dma_fault(SimDevice *d, uint64_t iova, SimFault f)
{
    st_le(d->bar + SIM_REG_FAULT_IOVA, 8, iova);
    set_reg32(d, SIM_REG_FAULT_COUNT, reg32(d, SIM_REG_FAULT_COUNT) + 1);
    sim_log("pamu-fault iova=0x%llx reason=%s", (unsigned long long)iova,
            sim_fault_name(f));
}

/* Copies, window by window, until done or the PAMU blocks an access. */
static uint32_t dma_copy(SimDevice *d, uint64_t iova, uint8_t *buf,
                         uint32_t len, bool to_ram)
{
    uint64_t done = 0;

    while (done < len) {
        void *host;
        uint64_t avail, n;
        SimFault f = sim_pamu_translate(d->pamu, iova + done, to_ram, &host,
                                        &avail);

        if (f != SIM_OK && f != SIM_BANK) {
            dma_fault(d, iova + done, f);
            return SIM_DMA_STATUS_FAULT;
        }
        n = avail < len - done ? avail : len - done;
        if (f == SIM_BANK) {
            /* the MPIC's MSI page: no memory behind it to model */
            sim_log("dma wrote 0x%llx bytes into an MSI bank at 0x%llx",
                    (unsigned long long)n,
                    (unsigned long long)(iova + done));
        } else if (to_ram) {
            memcpy(host, buf + done, n);
        } else {
            memcpy(buf + done, host, n);
        }
        done += n;
    }
    return SIM_DMA_STATUS_DONE;
}

static void dma_run(SimDevice *d)
{
    uint64_t iova = ld_le(d->bar + SIM_REG_DMA_IOVA, 8);
    uint32_t len = reg32(d, SIM_REG_DMA_LEN);
    uint32_t off = reg32(d, SIM_REG_DMA_OFF);
    uint32_t cmd = reg32(d, SIM_REG_DMA_CMD);
    bool to_ram = cmd & SIM_DMA_CMD_TO_RAM;
    uint32_t status;

    if (!(ld_le(d->config + PCI_COMMAND, 2) & PCI_COMMAND_MASTER)) {
        status = SIM_DMA_STATUS_NO_MASTER;
    } else if (!len || off > SIM_BUF_SIZE || len > SIM_BUF_SIZE - off) {
        status = SIM_DMA_STATUS_BAD_ARGS;
    } else {
        status = dma_copy(d, iova, d->bar + SIM_BUF + off, len, to_ram);
    }
    set_reg32(d, SIM_REG_DMA_CMD, cmd & ~SIM_DMA_CMD_START);
    set_reg32(d, SIM_REG_DMA_STATUS, status);
    sim_log("dma dir=%s iova=0x%llx len=%u status=%u",
            to_ram ? "to-ram" : "from-ram", (unsigned long long)iova, len,
            status);
}

static void msi_send(SimDevice *d, uint32_t vector)
{
    uint64_t one = 1;
    uint32_t status;
    int bank = sim_pamu_translate_msi(d->pamu, d->msi_iova);

    if (vector >= SIM_NR_VECTORS || !d->msi_on || d->msi_fd[vector] < 0) {
        status = SIM_MSI_STATUS_DISABLED;
    } else if (bank < 0) {
        status = SIM_MSI_STATUS_BLOCKED;
        set_reg32(d, SIM_REG_MSI_BLOCKED,
                  reg32(d, SIM_REG_MSI_BLOCKED) + 1);
    } else {
        status = SIM_MSI_STATUS_DELIVERED;
        set_reg32(d, SIM_REG_MSI_SENT, reg32(d, SIM_REG_MSI_SENT) + 1);
        /* the bank's MSIIR raises a host interrupt; vfio signals it */
        if (sim_real_write(d->msi_fd[vector], &one, sizeof(one)) !=
            sizeof(one)) {
            status = SIM_MSI_STATUS_DISABLED;
        }
    }
    set_reg32(d, SIM_REG_MSI_STATUS, status);
    sim_log("msi vector=%u iova=0x%llx bank=%d status=%u", vector,
            (unsigned long long)d->msi_iova, bank, status);
}

/* Bytes of the register block software may write */
static bool bar_writable(unsigned off)
{
    return (off >= SIM_REG_DMA_IOVA && off < SIM_REG_DMA_STATUS) ||
           (off >= SIM_REG_MSI_SEND && off < SIM_REG_MSI_SEND + 4) ||
           off >= SIM_BUF;
}

static void bar_write(SimDevice *d, const uint8_t *buf, size_t len,
                      unsigned off)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (bar_writable(off + i)) {
            d->bar[off + i] = buf[i];
        }
    }
    if (off <= SIM_REG_DMA_CMD && off + len > SIM_REG_DMA_CMD &&
        reg32(d, SIM_REG_DMA_CMD) & SIM_DMA_CMD_START) {
        dma_run(d);
    }
    if (off <= SIM_REG_MSI_SEND && off + len > SIM_REG_MSI_SEND) {
        msi_send(d, reg32(d, SIM_REG_MSI_SEND));
    }
}

/* --- config space -------------------------------------------------------- */

static void config_write(SimDevice *d, const uint8_t *buf, size_t len,
                         unsigned off)
{
    static const struct {
        unsigned off, size;
        uint32_t mask;
    } writable[] = {
        { PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                          PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE },
        { PCI_BASE_ADDRESS_0, 4, ~(SIM_BAR0_SIZE - 1) },
        { PCI_INTERRUPT_LINE, 1, 0xff },
    };
    size_t i, k;

    /* the MSI capability belongs to the host kernel: writes are dropped */
    for (i = 0; i < len; i++) {
        for (k = 0; k < sizeof(writable) / sizeof(writable[0]); k++) {
            unsigned b = off + i - writable[k].off;

            if (off + i >= writable[k].off && b < writable[k].size) {
                uint8_t m = writable[k].mask >> (8 * b);

                d->config[off + i] = (d->config[off + i] & ~m) | (buf[i] & m);
            }
        }
    }
}

/* --- file operations ----------------------------------------------------- */

static uint64_t region_size(unsigned index)
{
    switch (index) {
    case VFIO_PCI_BAR0_REGION_INDEX:
        return SIM_BAR0_SIZE;
    case VFIO_PCI_CONFIG_REGION_INDEX:
        return CONFIG_SIZE;
    }
    return 0;
}

ssize_t sim_device_rw(SimDevice *d, void *buf, size_t len, uint64_t off,
                      bool write)
{
    unsigned index = off >> REGION_SHIFT;
    uint64_t pos = off & ((1ULL << REGION_SHIFT) - 1);
    uint64_t size = region_size(index);

    if (pos >= size || len > size - pos) {
        return -EINVAL;
    }
    if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
        if (write) {
            config_write(d, buf, len, pos);
        } else {
            memcpy(buf, d->config + pos, len);
        }
    } else if (write) {
        bar_write(d, buf, len, pos);
    } else {
        memcpy(buf, d->bar + pos, len);
    }
    return len;
}

static int get_region_info(struct vfio_region_info *info)
{
    if (info->argsz < offsetof(struct vfio_region_info, offset) +
                      sizeof(info->offset) ||
        info->index >= VFIO_PCI_NUM_REGIONS) {
        return -EINVAL;
    }
    info->size = region_size(info->index);
    info->offset = (uint64_t)info->index << REGION_SHIFT;
    info->flags = info->size ? VFIO_REGION_INFO_FLAG_READ |
                               VFIO_REGION_INFO_FLAG_WRITE : 0;
    info->cap_offset = 0;
    return 0;
}

static int get_irq_info(struct vfio_irq_info *info)
{
    if (info->argsz < sizeof(*info) || info->index >= VFIO_PCI_NUM_IRQS) {
        return -EINVAL;
    }
    info->flags = 0;
    info->count = 0;
    if (info->index == VFIO_PCI_MSI_IRQ_INDEX) {
        info->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
        info->count = SIM_NR_VECTORS;
    }
    return 0;
}

/*
 * The host kernel composes the MSI message when MSI is enabled: the
 * address is the IOVA of a window that maps a bank, if there is one.
 */
static void msi_enable(SimDevice *d)
{
    int bank = 0;
    uint64_t win = sim_pamu_bank_window(d->pamu, &bank);

    d->msi_on = true;
    d->msi_iova = win == UINT64_MAX ? BANK0_MSIIR_PHYS
                                    : win + SIM_MSIIR_OFFSET;
}

static int set_msi(SimDevice *d, struct vfio_irq_set *s)
{
    uint32_t type = s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK, i;
    unsigned have = 0;

    if (type == VFIO_IRQ_SET_DATA_NONE && !s->count) {
        d->msi_on = false;
        for (i = 0; i < SIM_NR_VECTORS; i++) {
            d->msi_fd[i] = -1;
        }
        return 0;
    }
    for (i = 0; i < s->count; i++) {
        if (type == VFIO_IRQ_SET_DATA_EVENTFD) {
            int32_t fd;

            memcpy(&fd, s->data + 4 * i, 4);
            d->msi_fd[s->start + i] = fd < 0 ? -1 : fd;
        } else if (type == VFIO_IRQ_SET_DATA_NONE ||
                   (type == VFIO_IRQ_SET_DATA_BOOL && s->data[i])) {
            msi_send(d, s->start + i);      /* loopback trigger */
        }
    }
    for (i = 0; i < SIM_NR_VECTORS; i++) {
        have += d->msi_fd[i] >= 0;
    }
    if (have && !d->msi_on) {
        msi_enable(d);
    }
    d->msi_on = have;
    return 0;
}

static int set_irqs(SimDevice *d, struct vfio_irq_set *s)
{
    uint32_t type = s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
    uint32_t action = s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
    uint32_t max = s->index == VFIO_PCI_MSI_IRQ_INDEX ? SIM_NR_VECTORS : 0;
    size_t each = type == VFIO_IRQ_SET_DATA_EVENTFD ? 4 :
                  type == VFIO_IRQ_SET_DATA_BOOL ? 1 : 0;

    if (s->argsz < sizeof(*s) || s->index >= VFIO_PCI_NUM_IRQS ||
        s->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
                     VFIO_IRQ_SET_ACTION_TYPE_MASK) ||
        __builtin_popcount(type) != 1 || __builtin_popcount(action) != 1 ||
        (s->count == 0 && type != VFIO_IRQ_SET_DATA_NONE) ||
        s->start >= max || s->count > max - s->start ||
        s->argsz - sizeof(*s) < each * s->count) {
        return -EINVAL;
    }
    if (action != VFIO_IRQ_SET_ACTION_TRIGGER) {
        return -ENOTTY;         /* MSI cannot be masked through vfio */
    }
    return set_msi(d, s);
}

int sim_device_ioctl(SimDevice *d, unsigned long req, void *arg)
{
    struct vfio_device_info *info = arg;
    struct vfio_irq_set *s = arg;
    int ret;

    switch (req) {
    case VFIO_DEVICE_GET_INFO:
        if (info->argsz < offsetof(struct vfio_device_info, num_irqs) +
                          sizeof(info->num_irqs)) {
            return -EINVAL;
        }
        info->flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
        info->num_regions = VFIO_PCI_NUM_REGIONS;
        info->num_irqs = VFIO_PCI_NUM_IRQS;
        return 0;
    case VFIO_DEVICE_GET_REGION_INFO:
        return get_region_info(arg);
    case VFIO_DEVICE_GET_IRQ_INFO:
        return get_irq_info(arg);
    case VFIO_DEVICE_SET_IRQS:
        ret = set_irqs(d, s);
        sim_log("set-irqs index=%u flags=0x%x start=%u count=%u ret=%d "
                "msi=%s bank-windows=0x%llx msi-iova=0x%llx", s->index,
                s->flags, s->start, s->count, ret, d->msi_on ? "on" : "off",
                (unsigned long long)d->pamu->banks_mapped,
                (unsigned long long)d->msi_iova);
        return ret;
    case VFIO_DEVICE_RESET:
        device_reset(d);
        sim_log("device-reset");
        return 0;
    }
    return -ENOTTY;
}
