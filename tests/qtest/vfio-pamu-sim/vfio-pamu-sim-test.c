/*
 * Tests of the QorIQ host simulation itself, beyond the rules of the
 * proposed PAMU vfio uAPI (docs/devel/vfio-pamu.rst), which the
 * conformance suite (conformance.c, run by meson as vfio-pamu-conformance-*)
 * checks here and on the real kernel driver alike: the group and sysfs
 * entries, the simulated device's registers as it does DMA and sends MSIs
 * through the windows, what the event log shows and the fault injection
 *
 * Runs with libvfio-pamu-sim.so preloaded (see meson.build), so the
 * open()/ioctl() calls below reach the simulation exactly as QEMU's do.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/units.h"
#include "hw/pci/pci_regs.h"
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/vfio.h>
#include "hw/vfio/fsl-pamu-uapi.h"
#include "vfio-pamu-sim.h"
#include "sim-host.h"

#define GROUP_PATH      "/dev/vfio/42"
#define BDF             VFIO_PAMU_SIM_DEFAULT_BDF
#define SYSFS_DEV       "/sys/bus/pci/devices/" BDF
#define BAR0            ((uint64_t)VFIO_PCI_BAR0_REGION_INDEX << 40)
#define CONFIG          ((uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << 40)

typedef struct Host {
    int container;
    int group;
    int device;
} Host;

static char *log_path;

/* ioctl() as 0 or -errno */
static int xioctl(int fd, unsigned long req, void *arg)
{
    return ioctl(fd, req, arg) ? -errno : 0;
}

static int set_container(int group, int fd)
{
    return xioctl(group, VFIO_GROUP_SET_CONTAINER, &fd);
}

/* A fresh simulated host with configuration @cfg, container type set */
static void host_open(Host *h, const char *cfg)
{
    g_setenv(VFIO_PAMU_SIM_ENV, cfg, true);
    h->container = open("/dev/vfio/vfio", O_RDWR);
    g_assert_cmpint(h->container, >=, 0);
    h->group = open(GROUP_PATH, O_RDWR);
    g_assert_cmpint(h->group, >=, 0);
    g_assert_cmpint(set_container(h->group, h->container), ==, 0);
    g_assert_cmpint(ioctl(h->container, VFIO_SET_IOMMU, VFIO_FSL_PAMU_IOMMU),
                    ==, 0);
    h->device = -1;
}

static void host_open_device(Host *h)
{
    h->device = ioctl(h->group, VFIO_GROUP_GET_DEVICE_FD, BDF);
    g_assert_cmpint(h->device, >=, 0);
}

static void host_close(Host *h)
{
    if (h->device >= 0) {
        close(h->device);
    }
    close(h->group);
    close(h->container);
}

static int attr(Host *h, bool set, uint32_t which,
                struct vfio_iommu_pamu_attr *a)
{
    a->argsz = sizeof(*a);
    a->attribute = which;
    return xioctl(h->container, set ? VFIO_IOMMU_SET_ATTR :
                                      VFIO_IOMMU_GET_ATTR, a);
}

static int set_geometry(Host *h, uint64_t start, uint64_t size)
{
    struct vfio_iommu_pamu_attr a = {
        .geometry.aperture_start = start, .geometry.aperture_size = size,
    };

    return attr(h, true, VFIO_PAMU_ATTR_GEOMETRY, &a);
}

static int set_windows(Host *h, uint32_t count)
{
    struct vfio_iommu_pamu_attr a = { .windows.count = count };

    return attr(h, true, VFIO_PAMU_ATTR_WINDOWS, &a);
}

static void geometry(Host *h, uint64_t start, uint64_t size, uint32_t count)
{
    g_assert_cmpint(set_geometry(h, start, size), ==, 0);
    g_assert_cmpint(set_windows(h, count), ==, 0);
}

static int map(Host *h, uint32_t flags, uint64_t iova, uint64_t size,
               void *vaddr)
{
    struct vfio_iommu_type1_dma_map m = {
        .argsz = sizeof(m), .flags = flags, .iova = iova, .size = size,
        .vaddr = (uintptr_t)vaddr,
    };

    return xioctl(h->container, VFIO_IOMMU_MAP_DMA, &m);
}

static int unmap(Host *h, uint32_t flags, uint64_t iova, uint64_t size,
                 uint64_t *unmapped)
{
    struct vfio_iommu_type1_dma_unmap u = {
        .argsz = sizeof(u), .flags = flags, .iova = iova, .size = size,
    };
    int ret = xioctl(h->container, VFIO_IOMMU_UNMAP_DMA, &u);

    if (unmapped) {
        *unmapped = u.size;
    }
    return ret;
}

static uint64_t banks_mapped(Host *h)
{
    struct vfio_iommu_pamu_attr a = { 0 };

    g_assert_cmpint(attr(h, false, VFIO_PAMU_ATTR_MSI_BANKS, &a), ==, 0);
    return a.msi_banks.mapped_mask;
}

/* Page-aligned anonymous memory of 4 KiB pages */
static void *small_pages(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    g_assert(p != MAP_FAILED);
    madvise(p, size, MADV_NOHUGEPAGE);
    return p;
}

#define RW (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* --- container, group, sysfs -------------------------------------------- */

static void test_container(void)
{
    int c = open("/dev/vfio/vfio", O_RDWR), g, dev;
    struct vfio_group_status st = { .argsz = sizeof(st) };

    g_assert_cmpint(c, >=, 0);
    g_assert_cmpint(ioctl(c, VFIO_GET_API_VERSION), ==, VFIO_API_VERSION);
    g_assert_cmpint(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_FSL_PAMU_IOMMU), ==, 1);
    g_assert_cmpint(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU), ==, 0);
    g_assert_cmpint(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_v2_IOMMU),
                    ==, 0);
    /* no group yet */
    g_assert_cmpint(ioctl(c, VFIO_SET_IOMMU, VFIO_FSL_PAMU_IOMMU), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);

    g = open(GROUP_PATH, O_RDWR);
    g_assert_cmpint(g, >=, 0);
    g_assert_cmpint(open(GROUP_PATH, O_RDWR), ==, -1);
    g_assert_cmpint(errno, ==, EBUSY);
    g_assert_cmpint(xioctl(g, VFIO_GROUP_GET_STATUS, &st), ==, 0);
    g_assert_cmphex(st.flags, ==, VFIO_GROUP_FLAGS_VIABLE);
    g_assert_cmpint(ioctl(g, VFIO_GROUP_GET_DEVICE_FD, BDF), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    g_assert_cmpint(xioctl(g, VFIO_GROUP_UNSET_CONTAINER, NULL), ==, -EINVAL);
    g_assert_cmpint(set_container(g, 1000), ==, -EBADF);
    g_assert_cmpint(set_container(g, g), ==, -EINVAL);
    g_assert_cmpint(set_container(g, c), ==, 0);
    g_assert_cmpint(set_container(g, c), ==, -EINVAL);
    g_assert_cmpint(xioctl(g, VFIO_GROUP_GET_STATUS, &st), ==, 0);
    g_assert_cmphex(st.flags, ==, VFIO_GROUP_FLAGS_VIABLE |
                                  VFIO_GROUP_FLAGS_CONTAINER_SET);

    /* IOMMU ioctls need a type; only ours exists */
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_GET_INFO, &st), ==, -EINVAL);
    g_assert_cmpint(ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), ==, -1);
    g_assert_cmpint(errno, ==, ENODEV);
    g_assert_cmpint(ioctl(c, VFIO_SET_IOMMU, VFIO_FSL_PAMU_IOMMU), ==, 0);
    g_assert_cmpint(ioctl(c, VFIO_SET_IOMMU, VFIO_FSL_PAMU_IOMMU), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);

    g_assert_cmpint(ioctl(g, VFIO_GROUP_GET_DEVICE_FD, "0000:02:00.0"), ==,
                    -1);
    g_assert_cmpint(errno, ==, ENODEV);
    dev = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, BDF);
    g_assert_cmpint(dev, >=, 0);
    g_assert_cmpint(ioctl(g, VFIO_GROUP_GET_DEVICE_FD, BDF), ==, -1);
    g_assert_cmpint(errno, ==, EBUSY);
    g_assert_cmpint(xioctl(g, VFIO_GROUP_UNSET_CONTAINER, NULL), ==, -EBUSY);
    close(dev);
    g_assert_cmpint(xioctl(g, VFIO_GROUP_UNSET_CONTAINER, NULL), ==, 0);
    close(g);
    close(c);
}

static void test_sysfs(void)
{
    char buf[PATH_MAX];
    struct stat st;
    ssize_t n;
    char *rp;

    g_assert_cmpint(stat(SYSFS_DEV, &st), ==, 0);
    g_assert_true(S_ISDIR(st.st_mode));
    n = readlink(SYSFS_DEV "/iommu_group", buf, sizeof(buf));
    g_assert_cmpint(n, >, 0);
    buf[n] = 0;
    g_assert_cmpstr(buf, ==, "../../../../kernel/iommu_groups/42");
    rp = realpath(SYSFS_DEV "/subsystem", NULL);
    g_assert_cmpstr(rp, ==, "/sys/bus/pci");
    free(rp);
    g_assert_cmpint(stat(SYSFS_DEV "/vfio-dev", &st), ==, -1);
    g_assert_cmpint(open(SYSFS_DEV "/config", O_RDONLY), ==, -1);
    g_assert_cmpint(errno, ==, ENOENT);
}

static int get_fault(Host *h, struct vfio_iommu_pamu_attr *a)
{
    memset(a, 0, sizeof(*a));
    return attr(h, false, VFIO_PAMU_ATTR_FAULT, a);
}

static int set_fault(Host *h, uint32_t disabled)
{
    struct vfio_iommu_pamu_attr a = { .fault.disabled = disabled };

    return attr(h, true, VFIO_PAMU_ATTR_FAULT, &a);
}

/* The PAACE is valid from the first mapping to the last unmapping. */
static void test_domain_enable(void)
{
    uint8_t *mem = small_pages(64 * KiB);
    g_auto(GStrv) lines = NULL;
    int i;
    Host h;

    if (truncate(log_path, 0)) {
        g_assert_not_reached();
    }
    host_open(&h, "banks=1");
    geometry(&h, 0, 64 * KiB, 16);
    g_assert_cmpint(map(&h, RW, 0, 4 * KiB, mem), ==, 0);
    g_assert_cmpint(map(&h, RW, 4 * KiB, 4 * KiB, mem), ==, 0);
    g_assert_cmpint(unmap(&h, 0, 0, 4 * KiB, NULL), ==, 0);
    g_assert_cmpint(unmap(&h, 0, 4 * KiB, 4 * KiB, NULL), ==, 0);
    g_assert_cmpint(map(&h, VFIO_DMA_MAP_FLAG_MSI, 0, 4 * KiB, NULL), ==, 0);
    host_close(&h);

    lines = sim_log_lines(log_path);
    g_assert_cmpint(sim_log_count(lines, "domain enabled"), ==, 2);
    g_assert_cmpint(sim_log_count(lines, "domain disabled"), ==, 1);
    i = sim_log_find(lines, 0, "domain enabled");
    i = sim_log_find(lines, i, "ioctl MAP_DMA");
    g_assert_cmpint(i, >, 0);
    i = sim_log_find(lines, i + 1, "domain disabled");
    g_assert_cmpint(i, >, 0);
    /* closing the group frees the domain with what is still mapped */
    i = sim_log_find(lines, i, "group-detach");
    g_assert_cmpint(i, >, 0);
    g_assert_nonnull(strstr(lines[i], "mappings=1"));
    munmap(mem, 64 * KiB);
}

/* --- the device: DMA and MSI through the windows ----------------------- */

static void dev_write(Host *h, uint64_t reg, uint64_t val, size_t len)
{
    uint64_t le = cpu_to_le64(val);

    g_assert_cmpint(pwrite(h->device, &le, len, BAR0 + reg), ==, len);
}

static uint64_t dev_read(Host *h, uint64_t reg, size_t len)
{
    uint64_t le = 0;

    g_assert_cmpint(pread(h->device, &le, len, BAR0 + reg), ==, len);
    return le64_to_cpu(le);
}

static void dev_master(Host *h, bool on)
{
    uint16_t cmd = cpu_to_le16(on ? PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY
                                  : 0);

    g_assert_cmpint(pwrite(h->device, &cmd, 2, CONFIG + PCI_COMMAND), ==, 2);
}

static uint32_t dev_dma(Host *h, uint64_t iova, uint32_t off, uint32_t len,
                        bool to_ram)
{
    dev_write(h, SIM_REG_DMA_IOVA, iova, 8);
    dev_write(h, SIM_REG_DMA_OFF, off, 4);
    dev_write(h, SIM_REG_DMA_LEN, len, 4);
    dev_write(h, SIM_REG_DMA_CMD, SIM_DMA_CMD_START |
              (to_ram ? SIM_DMA_CMD_TO_RAM : 0), 4);
    return dev_read(h, SIM_REG_DMA_STATUS, 4);
}

static void test_device_regions(void)
{
    struct vfio_device_info info = { .argsz = sizeof(info) };
    struct vfio_region_info reg = { .argsz = sizeof(reg) };
    struct vfio_irq_info irq = { .argsz = sizeof(irq) };
    uint32_t id;
    Host h;

    host_open(&h, "banks=1");
    host_open_device(&h);
    g_assert_cmpint(xioctl(h.device, VFIO_DEVICE_GET_INFO, &info), ==, 0);
    g_assert_true(info.flags & VFIO_DEVICE_FLAGS_PCI);
    g_assert_cmpuint(info.num_regions, ==, VFIO_PCI_NUM_REGIONS);
    reg.index = VFIO_PCI_BAR0_REGION_INDEX;
    g_assert_cmpint(xioctl(h.device, VFIO_DEVICE_GET_REGION_INFO, &reg), ==, 0);
    g_assert_cmphex(reg.size, ==, SIM_BAR0_SIZE);
    g_assert_false(reg.flags & VFIO_REGION_INFO_FLAG_MMAP);
    reg.index = VFIO_PCI_NUM_REGIONS;
    g_assert_cmpint(xioctl(h.device, VFIO_DEVICE_GET_REGION_INFO, &reg), ==,
                    -EINVAL);
    irq.index = VFIO_PCI_MSI_IRQ_INDEX;
    g_assert_cmpint(xioctl(h.device, VFIO_DEVICE_GET_IRQ_INFO, &irq), ==, 0);
    g_assert_cmpuint(irq.count, ==, 1);
    g_assert_cmpint(pread(h.device, &id, 4, CONFIG), ==, 4);
    g_assert_cmphex(le32_to_cpu(id), ==,
                    SIM_PCI_VENDOR_ID | (uint32_t)SIM_PCI_DEVICE_ID << 16);
    g_assert_cmphex(dev_read(&h, SIM_REG_ID, 4), ==, SIM_ID_VALUE);
    g_assert_cmpint(pread(h.device, &id, 4, BAR0 + SIM_BAR0_SIZE), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    g_assert_null(mmap(NULL, 4096, PROT_READ, MAP_SHARED, h.device, BAR0) ==
                  MAP_FAILED ? NULL : "mapped");
    host_close(&h);
}

static void test_device_dma(void)
{
    uint8_t *mem = small_pages(64 * KiB), pattern[64], got[64];
    unsigned i;
    Host h;

    for (i = 0; i < sizeof(pattern); i++) {
        pattern[i] = 0xa0 + i;
    }
    host_open(&h, "banks=1");
    host_open_device(&h);
    geometry(&h, 0x100000, 64 * KiB, 16);                   /* 4 KiB windows */
    dev_master(&h, true);
    g_assert_cmpint(pwrite(h.device, pattern, sizeof(pattern),
                           BAR0 + SIM_BUF), ==, sizeof(pattern));

    /* nothing mapped: the domain is disabled */
    g_assert_cmpuint(dev_dma(&h, 0x100000, 0, 64, true), ==,
                     SIM_DMA_STATUS_FAULT);
    /* window 1 -> mem + 8 KiB, window 2 -> mem: across two windows */
    g_assert_cmpint(map(&h, RW, 0x101000, 4 * KiB, mem + 8 * KiB), ==, 0);
    g_assert_cmpint(map(&h, RW, 0x102000, 4 * KiB, mem), ==, 0);
    g_assert_cmpuint(dev_dma(&h, 0x102000 - 32, 0, 64, true), ==,
                     SIM_DMA_STATUS_DONE);
    g_assert_cmpmem(mem + 12 * KiB - 32, 32, pattern, 32);
    g_assert_cmpmem(mem, 32, pattern + 32, 32);
    /* and back into the buffer */
    g_assert_cmpuint(dev_dma(&h, 0x102000 - 32, 64, 64, false), ==,
                     SIM_DMA_STATUS_DONE);
    g_assert_cmpint(pread(h.device, got, 64, BAR0 + SIM_BUF + 64), ==, 64);
    g_assert_cmpmem(got, 64, pattern, 64);

    /*
     * Unmapped window, outside the aperture, read-only: each a violation,
     * after which the device's DMA stays blocked until FAULT re-enables it.
     */
    g_assert_cmpuint(dev_dma(&h, 0x103000, 0, 4, true), ==,
                     SIM_DMA_STATUS_FAULT);
    g_assert_cmphex(dev_read(&h, SIM_REG_FAULT_IOVA, 8), ==, 0x103000);
    g_assert_cmpint(set_fault(&h, 0), ==, 0);
    g_assert_cmpuint(dev_dma(&h, 0x200000, 0, 4, true), ==,
                     SIM_DMA_STATUS_FAULT);
    g_assert_cmpint(set_fault(&h, 0), ==, 0);
    g_assert_cmpint(map(&h, VFIO_DMA_MAP_FLAG_READ, 0x104000, 4 * KiB,
                        mem + 16 * KiB), ==, 0);
    g_assert_cmpuint(dev_dma(&h, 0x104000, 0, 4, false), ==,
                     SIM_DMA_STATUS_DONE);
    g_assert_cmpuint(dev_dma(&h, 0x104000, 0, 4, true), ==,
                     SIM_DMA_STATUS_FAULT);
    g_assert_cmpint(set_fault(&h, 0), ==, 0);
    /* write-only: no reads */
    g_assert_cmpint(map(&h, VFIO_DMA_MAP_FLAG_WRITE, 0x105000, 4 * KiB,
                        mem + 20 * KiB), ==, 0);
    g_assert_cmpuint(dev_dma(&h, 0x105000, 0, 4, true), ==,
                     SIM_DMA_STATUS_DONE);
    g_assert_cmpuint(dev_dma(&h, 0x105000, 0, 4, false), ==,
                     SIM_DMA_STATUS_FAULT);
    g_assert_cmpint(set_fault(&h, 0), ==, 0);
    g_assert_cmpuint(dev_read(&h, SIM_REG_FAULT_COUNT, 4), ==, 5);
    g_assert_cmpuint(dev_dma(&h, 0x101000, 0, SIM_BUF_SIZE + 1, true), ==,
                     SIM_DMA_STATUS_BAD_ARGS);
    dev_master(&h, false);
    g_assert_cmpuint(dev_dma(&h, 0x101000, 0, 4, true), ==,
                     SIM_DMA_STATUS_NO_MASTER);
    host_close(&h);
    munmap(mem, 64 * KiB);
}

static int set_msi_eventfd(Host *h, int fd)
{
    g_autofree struct vfio_irq_set *s = g_malloc0(sizeof(*s) + 4);

    s->argsz = sizeof(*s) + 4;
    s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
    s->index = VFIO_PCI_MSI_IRQ_INDEX;
    s->count = 1;
    memcpy(s->data, &fd, 4);
    return xioctl(h->device, VFIO_DEVICE_SET_IRQS, s);
}

static int msi_off(Host *h)
{
    struct vfio_irq_set s = {
        .argsz = sizeof(s), .index = VFIO_PCI_MSI_IRQ_INDEX,
        .flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
    };

    return xioctl(h->device, VFIO_DEVICE_SET_IRQS, &s);
}

static uint32_t msi_send(Host *h)
{
    dev_write(h, SIM_REG_MSI_SEND, 0, 4);
    return dev_read(h, SIM_REG_MSI_STATUS, 4);
}

static void test_device_msi(void)
{
    struct vfio_irq_set bad = {
        .argsz = sizeof(bad), .index = VFIO_PCI_MSI_IRQ_INDEX, .count = 1,
        .flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
    };
    int efd = eventfd(0, EFD_NONBLOCK);
    uint64_t count;
    Host h;

    host_open(&h, "banks=2");
    host_open_device(&h);
    geometry(&h, 0, 64 * KiB, 16);
    g_assert_cmpuint(msi_send(&h), ==, SIM_MSI_STATUS_DISABLED);
    g_assert_cmpint(xioctl(h.device, VFIO_DEVICE_SET_IRQS, &bad), ==, -ENOTTY);
    bad.index = VFIO_PCI_INTX_IRQ_INDEX;
    bad.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
    g_assert_cmpint(xioctl(h.device, VFIO_DEVICE_SET_IRQS, &bad), ==, -EINVAL);

    /* enabled before any bank window: the device's MSIs are blocked */
    g_assert_cmpint(set_msi_eventfd(&h, efd), ==, 0);
    g_assert_cmpuint(msi_send(&h), ==, SIM_MSI_STATUS_BLOCKED);
    g_assert_cmpint(read(efd, &count, 8), ==, -1);
    g_assert_cmpint(msi_off(&h), ==, 0);

    /* bank windows first, then enable: delivered through the window */
    g_assert_cmpint(map(&h, VFIO_DMA_MAP_FLAG_MSI, 56 * KiB, 8 * KiB, NULL),
                    ==, 0);
    g_assert_cmpint(set_msi_eventfd(&h, efd), ==, 0);
    g_assert_cmpuint(msi_send(&h), ==, SIM_MSI_STATUS_DELIVERED);
    g_assert_cmpuint(msi_send(&h), ==, SIM_MSI_STATUS_DELIVERED);
    g_assert_cmpint(read(efd, &count, 8), ==, 8);
    g_assert_cmpuint(count, ==, 2);
    g_assert_cmpuint(dev_read(&h, SIM_REG_MSI_SENT, 4), ==, 2);

    /* the bank window goes away: blocked again */
    g_assert_cmpint(unmap(&h, 0, 56 * KiB, 4 * KiB, NULL), ==, -EINVAL);
    g_assert_cmpint(unmap(&h, 0, 56 * KiB, 8 * KiB, NULL), ==, 0);
    g_assert_cmpuint(msi_send(&h), ==, SIM_MSI_STATUS_BLOCKED);
    g_assert_cmpuint(dev_read(&h, SIM_REG_MSI_BLOCKED, 4), ==, 2);
    g_assert_cmpint(read(efd, &count, 8), ==, -1);
    host_close(&h);
    close(efd);
}

/*
 * A violation disables the LIODN as Linux's pamu_av_isr does: all DMA
 * and MSIs of the device stop, uncounted, until FAULT is set to 0.
 */
static void test_device_fault(void)
{
    uint8_t *mem = small_pages(64 * KiB);
    struct vfio_iommu_pamu_attr a;
    int efd = eventfd(0, EFD_NONBLOCK);
    uint64_t count;
    Host h;

    host_open(&h, "banks=1");
    host_open_device(&h);
    geometry(&h, 0, 64 * KiB, 16);                          /* 4 KiB windows */
    dev_master(&h, true);
    /* nothing mapped: the PAACE is invalid, which is no violation */
    g_assert_cmpuint(dev_dma(&h, 0x1000, 0, 4, true), ==,
                     SIM_DMA_STATUS_FAULT);
    g_assert_cmpint(get_fault(&h, &a), ==, 0);
    g_assert_cmpuint(a.fault.count, ==, 0);
    g_assert_cmpuint(a.fault.disabled, ==, 0);

    g_assert_cmpint(map(&h, RW, 0, 4 * KiB, mem), ==, 0);
    g_assert_cmpint(map(&h, VFIO_DMA_MAP_FLAG_MSI, 60 * KiB, 4 * KiB, NULL),
                    ==, 0);
    g_assert_cmpint(set_msi_eventfd(&h, efd), ==, 0);
    g_assert_cmpuint(msi_send(&h), ==, SIM_MSI_STATUS_DELIVERED);
    g_assert_cmpuint(dev_dma(&h, 0x10, 0, 4, true), ==, SIM_DMA_STATUS_DONE);

    /* a DMA into a window that maps nothing */
    g_assert_cmpuint(dev_dma(&h, 0x2468, 0, 4, true), ==,
                     SIM_DMA_STATUS_FAULT);
    g_assert_cmpint(get_fault(&h, &a), ==, 0);
    g_assert_cmpuint(a.fault.count, ==, 1);
    g_assert_cmpuint(a.fault.disabled, ==, 1);
    g_assert_cmphex(a.fault.last_iova, ==, 0x2468);
    /* everything stops, and is not counted again */
    g_assert_cmpuint(dev_dma(&h, 0x10, 0, 4, true), ==, SIM_DMA_STATUS_FAULT);
    g_assert_cmpuint(dev_dma(&h, 0x3000, 0, 4, false), ==,
                     SIM_DMA_STATUS_FAULT);
    g_assert_cmpuint(msi_send(&h), ==, SIM_MSI_STATUS_BLOCKED);
    g_assert_cmpint(get_fault(&h, &a), ==, 0);
    g_assert_cmpuint(a.fault.count, ==, 1);
    g_assert_cmphex(a.fault.last_iova, ==, 0x2468);
    /* mapping goes on while the LIODN is off */
    g_assert_cmpint(map(&h, RW, 4 * KiB, 4 * KiB, mem + 4 * KiB), ==, 0);

    g_assert_cmpint(set_fault(&h, 0), ==, 0);
    g_assert_cmpint(get_fault(&h, &a), ==, 0);
    g_assert_cmpuint(a.fault.disabled, ==, 0);
    g_assert_cmpuint(a.fault.count, ==, 1);
    g_assert_cmpuint(dev_dma(&h, 0x1010, 0, 4, true), ==,
                     SIM_DMA_STATUS_DONE);
    g_assert_cmpuint(msi_send(&h), ==, SIM_MSI_STATUS_DELIVERED);
    g_assert_cmpint(read(efd, &count, 8), ==, 8);
    g_assert_cmpuint(count, ==, 2);

    /* a read of a (write-only) bank window is a violation too */
    g_assert_cmpuint(dev_dma(&h, 60 * KiB, 0, 4, false), ==,
                     SIM_DMA_STATUS_FAULT);
    g_assert_cmpint(get_fault(&h, &a), ==, 0);
    g_assert_cmpuint(a.fault.count, ==, 2);
    g_assert_cmpuint(a.fault.disabled, ==, 1);
    g_assert_cmphex(a.fault.last_iova, ==, 60 * KiB);
    host_close(&h);

    /* a new container starts with nothing counted */
    host_open(&h, "banks=1");
    g_assert_cmpint(get_fault(&h, &a), ==, 0);
    g_assert_cmpuint(a.fault.count, ==, 0);
    g_assert_cmpuint(a.fault.disabled, ==, 0);
    host_close(&h);
    close(efd);
    munmap(mem, 64 * KiB);
}

/*
 * Not a rule of the interface: the simulation's fault injection, which the
 * backend tests use.  An injected failure changes nothing.
 */
static void test_fault_injection(void)
{
    uint8_t *mem = small_pages(64 * KiB);
    g_auto(GStrv) lines = NULL;
    uint64_t n;
    Host h;

    if (truncate(log_path, 0)) {
        g_assert_not_reached();
    }
    host_open(&h, "banks=1,fail_map=2");
    geometry(&h, 0, 64 * KiB, 16);                          /* 4 KiB windows */
    g_assert_cmpint(map(&h, RW, 0, 4 * KiB, mem), ==, 0);
    g_assert_cmpint(map(&h, RW, 0, 4 * KiB, mem), ==, -EEXIST);
    g_assert_cmpint(map(&h, RW, 4 * KiB, 8 * KiB, mem), ==, -EIO);
    g_assert_cmpint(unmap(&h, 0, 4 * KiB, 8 * KiB, &n), ==, 0);
    g_assert_cmphex(n, ==, 0);
    g_assert_cmpint(map(&h, RW, 4 * KiB, 8 * KiB, mem), ==, 0);
    host_close(&h);

    host_open(&h, "banks=1,fail_iova=0x3000,fail_errno=12");
    geometry(&h, 0, 64 * KiB, 16);
    g_assert_cmpint(map(&h, RW, 0, 16 * KiB, mem), ==, -ENOMEM);
    g_assert_cmpint(map(&h, VFIO_DMA_MAP_FLAG_MSI, 12 * KiB, 4 * KiB, NULL),
                    ==, -ENOMEM);
    g_assert_cmpint(map(&h, RW, 0, 12 * KiB, mem), ==, 0);
    g_assert_cmpint(map(&h, RW, 0, 16 * KiB, mem), ==, -EEXIST);
    g_assert_cmphex(banks_mapped(&h), ==, 0);
    host_close(&h);

    lines = sim_log_lines(log_path);
    g_assert_cmpint(sim_log_count(lines, "map injected-failure"), ==, 3);
    g_assert_cmpint(sim_log_find(lines, 0, "map injected-failure iova=0x1000 "
                                 "size=0x2000 errno=5"), >=, 0);
    munmap(mem, 64 * KiB);
}

/* A failed assertion must not keep the hugepages this test reserved. */
static void release_on_abort(int sig)
{
    sim_hugepages_put_all();
    sigaction(sig, &(struct sigaction) { .sa_handler = SIG_DFL }, NULL);
    raise(sig);
}

int main(int argc, char **argv)
{
    int ret, fd;

    g_test_init(&argc, &argv, NULL);
    sigaction(SIGABRT, &(struct sigaction) { .sa_handler = release_on_abort },
              NULL);
    fd = g_file_open_tmp("vfio-pamu-sim-log-XXXXXX", &log_path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_setenv(VFIO_PAMU_SIM_LOG_ENV, log_path, true);

    g_test_add_func("/vfio-pamu-sim/container-and-group", test_container);
    g_test_add_func("/vfio-pamu-sim/sysfs", test_sysfs);
    g_test_add_func("/vfio-pamu-sim/domain-enable", test_domain_enable);
    g_test_add_func("/vfio-pamu-sim/device/regions", test_device_regions);
    g_test_add_func("/vfio-pamu-sim/device/dma", test_device_dma);
    g_test_add_func("/vfio-pamu-sim/device/msi", test_device_msi);
    g_test_add_func("/vfio-pamu-sim/device/fault", test_device_fault);
    g_test_add_func("/vfio-pamu-sim/harness/fault-injection",
                    test_fault_injection);
    ret = g_test_run();
    unlink(log_path);
    g_free(log_path);
    return ret;
}
