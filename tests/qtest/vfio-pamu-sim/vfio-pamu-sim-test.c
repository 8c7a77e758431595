/*
 * Tests of the QorIQ host simulation itself: every rule of the proposed
 * PAMU vfio uAPI (docs/devel/vfio-pamu.rst), with the error code it gives,
 * plus the simulated device's DMA and MSI through the windows
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

/* --- attributes -------------------------------------------------------- */

static void test_attr_args(void)
{
    struct vfio_iommu_pamu_attr a = { 0 };
    Host h;

    host_open(&h, "addr_bits=36");
    /* the first version of the struct had 32 bytes: still accepted */
    a.argsz = VFIO_PAMU_ATTR_ARGSZ_MIN - 1;
    a.attribute = VFIO_PAMU_ATTR_WINDOWS;
    g_assert_cmpint(xioctl(h.container, VFIO_IOMMU_GET_ATTR, &a), ==, -EINVAL);
    a.argsz = VFIO_PAMU_ATTR_ARGSZ_MIN;
    g_assert_cmpint(xioctl(h.container, VFIO_IOMMU_GET_ATTR, &a), ==, 0);
    a = (struct vfio_iommu_pamu_attr) { .flags = 1 };
    g_assert_cmpint(attr(&h, false, VFIO_PAMU_ATTR_WINDOWS, &a), ==, -EINVAL);
    a = (struct vfio_iommu_pamu_attr) { .pad = 1 };
    g_assert_cmpint(attr(&h, false, VFIO_PAMU_ATTR_WINDOWS, &a), ==, -EINVAL);
    a = (struct vfio_iommu_pamu_attr) { 0 };
    g_assert_cmpint(attr(&h, false, 5, &a), ==, -EINVAL);
    g_assert_cmpint(attr(&h, true, 5, &a), ==, -EINVAL);
    host_close(&h);
}

static void test_attr_geometry(void)
{
    struct vfio_iommu_pamu_attr a = { 0 };
    void *mem = small_pages(64 * KiB);
    Host h;

    host_open(&h, "addr_bits=36,max_windows=256");
    g_assert_cmpint(attr(&h, false, VFIO_PAMU_ATTR_GEOMETRY, &a), ==, 0);
    g_assert_cmphex(a.geometry.aperture_size, ==, 0);
    g_assert_cmpint(set_geometry(&h, 0, 3 * MiB), ==, -EINVAL);
    g_assert_cmpint(set_geometry(&h, 0, 2 * KiB), ==, -EINVAL);
    g_assert_cmpint(set_geometry(&h, 0, 0), ==, -EINVAL);
    g_assert_cmpint(set_geometry(&h, 1 * MiB, 2 * MiB), ==, -EINVAL);
    g_assert_cmpint(set_geometry(&h, 0, 128 * GiB), ==, -EINVAL);
    g_assert_cmpint(set_geometry(&h, 64 * GiB, 4 * KiB), ==, -EINVAL);
    g_assert_cmpint(set_geometry(&h, 64 * GiB - 4 * KiB, 4 * KiB), ==, 0);
    g_assert_cmpint(set_geometry(&h, 0, 64 * GiB), ==, 0);
    g_assert_cmpint(set_geometry(&h, 16 * MiB, 16 * MiB), ==, 0);
    g_assert_cmpint(attr(&h, false, VFIO_PAMU_ATTR_GEOMETRY, &a), ==, 0);
    g_assert_cmphex(a.geometry.aperture_start, ==, 16 * MiB);
    g_assert_cmphex(a.geometry.aperture_size, ==, 16 * MiB);

    /* a new geometry resets the window count to 1; EBUSY while mapped */
    g_assert_cmpint(set_windows(&h, 16), ==, 0);
    g_assert_cmpint(map(&h, RW, 16 * MiB, 4 * KiB, mem), ==, 0);
    g_assert_cmpint(set_geometry(&h, 0, 1 * MiB), ==, -EBUSY);
    g_assert_cmpint(set_geometry(&h, 0, 3 * MiB), ==, -EINVAL);
    g_assert_cmpint(unmap(&h, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, NULL), ==, 0);
    g_assert_cmpint(set_geometry(&h, 0, 1 * MiB), ==, 0);
    memset(&a, 0, sizeof(a));
    g_assert_cmpint(attr(&h, false, VFIO_PAMU_ATTR_WINDOWS, &a), ==, 0);
    g_assert_cmpuint(a.windows.count, ==, 1);
    host_close(&h);
    munmap(mem, 64 * KiB);
}

static void test_attr_windows(void)
{
    struct vfio_iommu_pamu_attr a = { 0 };
    void *mem = small_pages(64 * KiB);
    Host h;

    host_open(&h, "max_windows=16");
    g_assert_cmpint(attr(&h, false, VFIO_PAMU_ATTR_WINDOWS, &a), ==, 0);
    g_assert_cmpuint(a.windows.count, ==, 0);
    g_assert_cmpuint(a.windows.max_count, ==, 16);
    g_assert_cmpint(set_windows(&h, 2), ==, -EINVAL);      /* no geometry */
    g_assert_cmpint(set_geometry(&h, 0, 64 * KiB), ==, 0);
    g_assert_cmpint(set_windows(&h, 0), ==, -EINVAL);
    g_assert_cmpint(set_windows(&h, 3), ==, -EINVAL);
    g_assert_cmpint(set_windows(&h, 32), ==, -EINVAL);     /* > max_count */
    g_assert_cmpint(set_windows(&h, 16), ==, 0);
    g_assert_cmpint(set_geometry(&h, 0, 32 * KiB), ==, 0);
    g_assert_cmpint(set_windows(&h, 16), ==, -EINVAL);     /* 2 KiB windows */
    g_assert_cmpint(set_windows(&h, 8), ==, 0);
    g_assert_cmpint(attr(&h, false, VFIO_PAMU_ATTR_WINDOWS, &a), ==, 0);
    g_assert_cmpuint(a.windows.count, ==, 8);
    g_assert_cmpint(map(&h, RW, 0, 4 * KiB, mem), ==, 0);
    g_assert_cmpint(set_windows(&h, 4), ==, -EBUSY);
    host_close(&h);
    munmap(mem, 64 * KiB);
}

static void test_attr_stash(void)
{
    struct vfio_iommu_pamu_attr a = { 0 };
    Host h;

    host_open(&h, "cpus=4");
    g_assert_cmpint(attr(&h, false, VFIO_PAMU_ATTR_STASH, &a), ==, 0);
    g_assert_cmpuint(a.stash.cache, ==, VFIO_PAMU_STASH_OFF);
    a.stash.cpu = 1;
    a.stash.cache = 4;
    g_assert_cmpint(attr(&h, true, VFIO_PAMU_ATTR_STASH, &a), ==, -EINVAL);
    a.stash.cpu = 4;
    a.stash.cache = VFIO_PAMU_STASH_L1;
    g_assert_cmpint(attr(&h, true, VFIO_PAMU_ATTR_STASH, &a), ==, -EINVAL);
    a.stash.cache = VFIO_PAMU_STASH_OFF;
    g_assert_cmpint(attr(&h, true, VFIO_PAMU_ATTR_STASH, &a), ==, 0);
    a.stash.cpu = 3;
    a.stash.cache = VFIO_PAMU_STASH_L3;
    g_assert_cmpint(attr(&h, true, VFIO_PAMU_ATTR_STASH, &a), ==, 0);
    memset(&a, 0, sizeof(a));
    g_assert_cmpint(attr(&h, false, VFIO_PAMU_ATTR_STASH, &a), ==, 0);
    g_assert_cmpuint(a.stash.cpu, ==, 3);
    g_assert_cmpuint(a.stash.cache, ==, VFIO_PAMU_STASH_L3);
    host_close(&h);
}

static void test_attr_msi_banks(void)
{
    struct vfio_iommu_pamu_attr a = { 0 };
    Host h;

    host_open(&h, "banks=5");
    a.msi_banks.isolated = 7;
    g_assert_cmpint(attr(&h, false, VFIO_PAMU_ATTR_MSI_BANKS, &a), ==, 0);
    g_assert_cmpuint(a.msi_banks.count, ==, 5);
    g_assert_cmpuint(a.msi_banks.bank_size, ==, 4096);
    g_assert_cmphex(a.msi_banks.mapped_mask, ==, 0);
    g_assert_cmpuint(a.msi_banks.isolated, ==, 1);       /* none mapped */
    g_assert_cmpint(attr(&h, true, VFIO_PAMU_ATTR_MSI_BANKS, &a), ==, -EINVAL);

    /* a caller of the 32-byte version is not told, nor written beyond */
    a = (struct vfio_iommu_pamu_attr) {
        .argsz = VFIO_PAMU_ATTR_ARGSZ_MIN,
        .attribute = VFIO_PAMU_ATTR_MSI_BANKS,
        .msi_banks.isolated = 7, .msi_banks.reserved = 9,
    };
    g_assert_cmpint(xioctl(h.container, VFIO_IOMMU_GET_ATTR, &a), ==, 0);
    g_assert_cmpuint(a.msi_banks.count, ==, 5);
    g_assert_cmpuint(a.msi_banks.isolated, ==, 7);
    g_assert_cmpuint(a.msi_banks.reserved, ==, 9);
    host_close(&h);
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

/* FAULT: nothing counted on a fresh container; SET only re-enables */
static void test_attr_fault(void)
{
    struct vfio_iommu_pamu_attr a;
    Host h;

    host_open(&h, "banks=1");
    a.fault.count = 5;
    a.fault.last_iova = 5;
    a.fault.disabled = 5;
    g_assert_cmpint(get_fault(&h, &a), ==, 0);
    g_assert_cmpuint(a.fault.count, ==, 0);
    g_assert_cmpuint(a.fault.disabled, ==, 0);
    g_assert_cmphex(a.fault.last_iova, ==, 0);
    g_assert_cmpint(set_fault(&h, 1), ==, -EINVAL);
    g_assert_cmpint(set_fault(&h, 2), ==, -EINVAL);
    g_assert_cmpint(set_fault(&h, 0), ==, 0);          /* not disabled */
    g_assert_cmpint(get_fault(&h, &a), ==, 0);
    g_assert_cmpuint(a.fault.disabled, ==, 0);
    host_close(&h);
}

/* --- VFIO_IOMMU_GET_INFO ----------------------------------------------- */

static struct vfio_iommu_type1_info_cap_iova_range *
info_ranges(Host *h, struct vfio_iommu_type1_info **out)
{
    struct vfio_iommu_type1_info *info = g_malloc0(4096);

    info->argsz = 4096;
    g_assert_cmpint(xioctl(h->container, VFIO_IOMMU_GET_INFO, info), ==, 0);
    g_assert_true(info->flags & VFIO_IOMMU_INFO_CAPS);
    g_assert_true(info->flags & VFIO_IOMMU_INFO_PGSIZES);
    g_assert_cmpuint(info->cap_offset, ==, sizeof(*info));
    *out = info;
    return (void *)((char *)info + info->cap_offset);
}

static void test_info(void)
{
    struct vfio_iommu_type1_info small = { .argsz = sizeof(small) }, *info;
    struct vfio_iommu_type1_info_cap_iova_range *cap;
    Host h;

    host_open(&h, "addr_bits=36,banks=3");
    small.argsz = 8;
    g_assert_cmpint(xioctl(h.container, VFIO_IOMMU_GET_INFO, &small), ==,
                    -EINVAL);
    small.argsz = sizeof(small);
    g_assert_cmpint(xioctl(h.container, VFIO_IOMMU_GET_INFO, &small), ==, 0);
    g_assert_cmpuint(small.argsz, >, sizeof(small));
    g_assert_cmpuint(small.cap_offset, ==, 0);

    /* before GEOMETRY: what an aperture may cover, and any window size */
    cap = info_ranges(&h, &info);
    g_assert_cmphex(info->iova_pgsizes, ==, 0x1ffffff000ULL);
    g_assert_cmpuint(cap->header.id, ==, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
    g_assert_cmpuint(cap->nr_iovas, ==, 1);
    g_assert_cmphex(cap->iova_ranges[0].start, ==, 0);
    g_assert_cmphex(cap->iova_ranges[0].end, ==, 64 * GiB - 1);
    g_free(info);

    /* after: the aperture minus the MSI windows */
    geometry(&h, 1 * GiB, 1 * GiB, 8);
    g_assert_cmpint(map(&h, VFIO_DMA_MAP_FLAG_MSI, 1 * GiB + 256 * MiB,
                        256 * MiB, NULL), ==, 0);
    g_assert_cmpint(map(&h, VFIO_DMA_MAP_FLAG_MSI, 2 * GiB - 128 * MiB,
                        128 * MiB, NULL), ==, 0);
    cap = info_ranges(&h, &info);
    g_assert_cmphex(info->iova_pgsizes, ==, 128 * MiB);
    g_assert_cmpuint(cap->nr_iovas, ==, 2);
    g_assert_cmphex(cap->iova_ranges[0].start, ==, 1 * GiB);
    g_assert_cmphex(cap->iova_ranges[0].end, ==, 1 * GiB + 256 * MiB - 1);
    g_assert_cmphex(cap->iova_ranges[1].start, ==, 1 * GiB + 512 * MiB);
    g_assert_cmphex(cap->iova_ranges[1].end, ==, 2 * GiB - 128 * MiB - 1);
    g_free(info);
    host_close(&h);
}

/*
 * A host whose PCIe controller has inbound windows [0, 192 MiB) and
 * [1 GiB, 1.5 GiB), and one beyond the 36-bit PAMU: GET_INFO reports only
 * what is reachable, before and after GEOMETRY.
 */
static void test_info_reachable(void)
{
    struct vfio_iommu_type1_info *info;
    struct vfio_iommu_type1_info_cap_iova_range *cap;
    Host h;

    host_open(&h, "addr_bits=36,banks=2,inbound=0x8000000+0x4000000,"
                  "inbound=0x40000000+0x20000000,inbound=0+0x8000000,"
                  "inbound=0xf00000000+0x200000000");
    cap = info_ranges(&h, &info);
    g_assert_cmphex(info->iova_pgsizes, ==, 0x1ffffff000ULL);
    g_assert_cmpuint(cap->nr_iovas, ==, 3);
    g_assert_cmphex(cap->iova_ranges[0].start, ==, 0);
    g_assert_cmphex(cap->iova_ranges[0].end, ==, 192 * MiB - 1);
    g_assert_cmphex(cap->iova_ranges[1].start, ==, 1 * GiB);
    g_assert_cmphex(cap->iova_ranges[1].end, ==, 1536 * MiB - 1);
    g_assert_cmphex(cap->iova_ranges[2].start, ==, 60 * GiB);
    g_assert_cmphex(cap->iova_ranges[2].end, ==, 64 * GiB - 1);
    g_free(info);

    /* no reachable IOVA in the aperture; then one partly reachable */
    g_assert_cmpint(set_geometry(&h, 256 * MiB, 256 * MiB), ==, -EINVAL);
    geometry(&h, 0, 256 * MiB, 128);                        /* 2 MiB windows */
    g_assert_cmpint(map(&h, VFIO_DMA_MAP_FLAG_MSI, 190 * MiB, 2 * MiB, NULL),
                    ==, 0);
    cap = info_ranges(&h, &info);
    g_assert_cmphex(info->iova_pgsizes, ==, 2 * MiB);
    g_assert_cmpuint(cap->nr_iovas, ==, 1);
    g_assert_cmphex(cap->iova_ranges[0].start, ==, 0);
    g_assert_cmphex(cap->iova_ranges[0].end, ==, 190 * MiB - 1);
    g_free(info);
    host_close(&h);
}

/* --- VFIO_IOMMU_MAP_DMA ------------------------------------------------ */

static void test_map_args(void)
{
    struct vfio_iommu_type1_dma_map m = { .argsz = 16, .flags = RW };
    uint8_t *mem = small_pages(1 * MiB);
    Host h;

    host_open(&h, "addr_bits=36");
    g_assert_cmpint(map(&h, RW, 0, 4 * KiB, mem), ==, -EINVAL);  /* no geom */
    geometry(&h, 0, 1 * MiB, 256);                          /* 4 KiB windows */
    g_assert_cmpint(xioctl(h.container, VFIO_IOMMU_MAP_DMA, &m), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW | VFIO_DMA_MAP_FLAG_VADDR, 0, 4 * KiB, mem),
                    ==, -EINVAL);
    g_assert_cmpint(map(&h, 1 << 7, 0, 4 * KiB, mem), ==, -EINVAL);
    g_assert_cmpint(map(&h, 0, 0, 4 * KiB, mem), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW, 0, 0, mem), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW, 1 * MiB, 4 * KiB, mem), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW, 1 * MiB - 4 * KiB, 8 * KiB, mem), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW, 2 * KiB, 4 * KiB, mem), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW, 0, 6 * KiB, mem), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW, 0, 4 * KiB, (void *)(uintptr_t)-4096), ==,
                    -EINVAL);
    /* host memory that is not mapped at all */
    g_assert_cmpint(map(&h, RW, 0, 4 * KiB, (void *)(uintptr_t)4096), ==,
                    -EFAULT);
    g_assert_cmpint(map(&h, RW, 0, 8 * KiB, mem), ==, 0);
    g_assert_cmpint(map(&h, VFIO_DMA_MAP_FLAG_WRITE, 8 * KiB, 4 * KiB, mem),
                    ==, 0);                                 /* write-only */
    g_assert_cmpint(map(&h, VFIO_DMA_MAP_FLAG_READ, 4 * KiB, 8 * KiB, mem),
                    ==, -EEXIST);
    host_close(&h);
    munmap(mem, 1 * MiB);
}

/*
 * A window maps physically contiguous memory: more than one 4 KiB page is
 * refused, one hugepage is fine; a partial window is a power of two at
 * the window's start.
 */
static void test_map_contiguous(void)
{
    uint8_t *mem = small_pages(4 * MiB);
    uint64_t unmapped;
    SimHugepages hp;
    Host h;

    host_open(&h, "addr_bits=36");
    geometry(&h, 0, 64 * MiB, 32);                          /* 2 MiB windows */
    g_assert_cmpint(map(&h, RW, 0, 2 * MiB, mem), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW, 0, 4 * KiB, mem), ==, 0);   /* partial */
    g_assert_cmpint(map(&h, RW, 2 * MiB, 8 * KiB, mem), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW, 2 * MiB, 12 * KiB, mem), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW, 2 * MiB + 4 * KiB, 4 * KiB, mem), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW, 4 * MiB, 4 * KiB, mem + 4 * KiB), ==, 0);
    g_assert_cmpint(map(&h, RW, 6 * MiB, 2 * KiB, mem), ==, -EINVAL);

    if (sim_hugepages_get(&hp, 2)) {
        g_autofree char *file = g_build_filename(hp.mount, "mem", NULL);
        int fd = open(file, O_RDWR | O_CREAT, 0600);
        uint8_t *huge;

        g_assert_cmpint(fd, >=, 0);
        unlink(file);
        g_assert_cmpint(ftruncate(fd, 4 * MiB), ==, 0);
        huge = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        g_assert(huge != MAP_FAILED);
        close(fd);
        /* two hugepages: two whole windows, one call */
        g_assert_cmpint(map(&h, RW, 8 * MiB, 4 * MiB, huge), ==, 0);
        g_assert_cmpint(unmap(&h, 0, 8 * MiB, 4 * MiB, &unmapped), ==, 0);
        g_assert_cmphex(unmapped, ==, 4 * MiB);
        /* inside one hugepage, but not aligned to the window */
        g_assert_cmpint(map(&h, RW, 8 * MiB, 2 * MiB, huge + 4 * KiB), ==,
                        -EINVAL);
        g_assert_cmpint(map(&h, RW, 8 * MiB, 4 * KiB, huge + 4 * KiB), ==, 0);
        g_assert_cmpint(unmap(&h, 0, 8 * MiB, 4 * KiB, NULL), ==, 0);
        /* all or nothing: the second window's memory is gone */
        munmap(huge + 2 * MiB, 2 * MiB);
        g_assert_cmpint(map(&h, RW, 8 * MiB, 4 * MiB, huge), ==, -EFAULT);
        g_assert_cmpint(map(&h, RW, 8 * MiB, 2 * MiB, huge), ==, 0);
        munmap(huge, 2 * MiB);
        sim_hugepages_put(&hp);
    } else {
        g_test_message("hugepage cases skipped: %s", hp.skip_reason);
        g_free(hp.skip_reason);
    }
    host_close(&h);
    munmap(mem, 4 * MiB);
}

static void test_map_msi(void)
{
    const uint32_t msi = VFIO_DMA_MAP_FLAG_MSI;
    uint8_t *mem = small_pages(64 * KiB);
    uint64_t unmapped;
    Host h;

    host_open(&h, "banks=3");
    g_assert_cmpint(map(&h, msi, 0, 4 * KiB, NULL), ==, -EINVAL);  /* geom */
    geometry(&h, 0, 64 * KiB, 16);
    g_assert_cmpint(map(&h, msi, 0, 4 * KiB, mem), ==, -EINVAL);   /* vaddr */
    g_assert_cmpint(map(&h, msi | VFIO_DMA_MAP_FLAG_WRITE, 0, 4 * KiB, NULL),
                    ==, -EINVAL);
    g_assert_cmpint(map(&h, msi, 2 * KiB, 4 * KiB, NULL), ==, -EINVAL);
    g_assert_cmpint(map(&h, msi, 0, 0, NULL), ==, -EINVAL);
    g_assert_cmpint(map(&h, msi, 0, 16 * KiB, NULL), ==, -EINVAL); /* 4 > 3 */
    g_assert_cmpint(map(&h, msi, 60 * KiB, 8 * KiB, NULL), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW, 48 * KiB, 4 * KiB, mem), ==, 0);
    g_assert_cmpint(map(&h, msi, 44 * KiB, 8 * KiB, NULL), ==, -EEXIST);
    g_assert_cmpint(map(&h, msi, 52 * KiB, 8 * KiB, NULL), ==, 0);
    g_assert_cmphex(banks_mapped(&h), ==, 0x3);
    g_assert_cmpint(map(&h, msi, 0, 8 * KiB, NULL), ==, -ENOSPC);
    g_assert_cmphex(banks_mapped(&h), ==, 0x3);
    g_assert_cmpint(map(&h, msi, 0, 4 * KiB, NULL), ==, 0);
    g_assert_cmphex(banks_mapped(&h), ==, 0x7);
    /* MSI windows are unmapped like any mapping, each bank_size long */
    g_assert_cmpint(unmap(&h, 0, 52 * KiB, 8 * KiB, &unmapped), ==, 0);
    g_assert_cmphex(unmapped, ==, 8 * KiB);
    g_assert_cmphex(banks_mapped(&h), ==, 0x4);
    host_close(&h);
    munmap(mem, 64 * KiB);
}

/* No window outside the reachable ranges can be mapped, memory or MSI. */
static void test_map_reachable(void)
{
    const uint32_t msi = VFIO_DMA_MAP_FLAG_MSI;
    uint8_t *mem = small_pages(64 * KiB);
    Host h;

    host_open(&h, "banks=2,inbound=0+0x6000,inbound=0xc000+0x1000");
    geometry(&h, 0, 64 * KiB, 16);                          /* 4 KiB windows */
    g_assert_cmpint(map(&h, RW, 0x6000, 4 * KiB, mem), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW, 0x5000, 8 * KiB, mem), ==, -EINVAL);
    g_assert_cmpint(map(&h, msi, 0xf000, 4 * KiB, NULL), ==, -EINVAL);
    g_assert_cmpint(map(&h, msi, 0xc000, 8 * KiB, NULL), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW, 0x4000, 8 * KiB, mem), ==, 0);
    /* reachability is checked before EEXIST */
    g_assert_cmpint(map(&h, RW, 0x5000, 8 * KiB, mem), ==, -EINVAL);
    g_assert_cmpint(map(&h, RW, 0x5000, 4 * KiB, mem), ==, -EEXIST);
    g_assert_cmpint(map(&h, msi, 0xc000, 4 * KiB, NULL), ==, 0);
    g_assert_cmphex(banks_mapped(&h), ==, 0x1);
    host_close(&h);
    munmap(mem, 64 * KiB);
}

/* The process's CAP_IPC_LOCK, in its effective set only */
static void cap_ipc_lock(bool on)
{
    struct __user_cap_header_struct hdr = {
        .version = _LINUX_CAPABILITY_VERSION_3,
    };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

    g_assert_cmpint(syscall(SYS_capget, &hdr, data), ==, 0);
    if (on) {
        data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective |=
            CAP_TO_MASK(CAP_IPC_LOCK);
    } else {
        data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &=
            ~CAP_TO_MASK(CAP_IPC_LOCK);
    }
    g_assert_cmpint(syscall(SYS_capset, &hdr, data), ==, 0);
}

/*
 * Mapped memory is charged to the process's locked memory: beyond
 * RLIMIT_MEMLOCK without CAP_IPC_LOCK, ENOMEM and nothing mapped.
 */
static void test_map_memlock(void)
{
    uint8_t *mem = small_pages(64 * KiB);
    struct rlimit old, rl;
    uint64_t n;
    Host h;

    if (geteuid()) {
        g_test_skip("dropping and raising CAP_IPC_LOCK needs root");
        munmap(mem, 64 * KiB);
        return;
    }
    g_assert_cmpint(getrlimit(RLIMIT_MEMLOCK, &old), ==, 0);
    rl = (struct rlimit) { 16 * KiB, old.rlim_max };
    g_assert_cmpint(setrlimit(RLIMIT_MEMLOCK, &rl), ==, 0);
    cap_ipc_lock(false);

    host_open(&h, "banks=1");
    geometry(&h, 0, 64 * KiB, 16);                          /* 4 KiB windows */
    g_assert_cmpint(map(&h, RW, 0, 8 * KiB, mem), ==, 0);
    /* the same memory at another IOVA is charged again */
    g_assert_cmpint(map(&h, RW, 8 * KiB, 8 * KiB, mem), ==, 0);
    g_assert_cmpint(map(&h, RW, 16 * KiB, 4 * KiB, mem), ==, -ENOMEM);
    /* MSI windows map no process memory */
    g_assert_cmpint(map(&h, VFIO_DMA_MAP_FLAG_MSI, 60 * KiB, 4 * KiB, NULL),
                    ==, 0);
    /* ENOMEM comes after EEXIST, and all or nothing */
    g_assert_cmpint(map(&h, RW, 8 * KiB, 8 * KiB, mem), ==, -EEXIST);
    g_assert_cmpint(map(&h, RW, 16 * KiB, 8 * KiB, mem), ==, -ENOMEM);
    g_assert_cmpint(unmap(&h, 0, 16 * KiB, 8 * KiB, &n), ==, 0);
    g_assert_cmphex(n, ==, 0);
    /* unmapping uncharges */
    g_assert_cmpint(unmap(&h, 0, 0, 8 * KiB, &n), ==, 0);
    g_assert_cmphex(n, ==, 8 * KiB);
    g_assert_cmpint(map(&h, RW, 16 * KiB, 8 * KiB, mem), ==, 0);
    /* CAP_IPC_LOCK lifts the limit */
    cap_ipc_lock(true);
    g_assert_cmpint(map(&h, RW, 24 * KiB, 16 * KiB, mem), ==, 0);
    host_close(&h);

    g_assert_cmpint(setrlimit(RLIMIT_MEMLOCK, &old), ==, 0);
    munmap(mem, 64 * KiB);
}

static uint32_t banks_isolated(Host *h)
{
    struct vfio_iommu_pamu_attr a = { 0 };

    g_assert_cmpint(attr(h, false, VFIO_PAMU_ATTR_MSI_BANKS, &a), ==, 0);
    return a.msi_banks.isolated;
}

/*
 * Banks 0 and 2 of 4 are used by another container or a host device:
 * exclusive banks first; a shared one only with allow_unsafe_interrupts.
 */
static void test_map_msi_isolation(void)
{
    const uint32_t msi = VFIO_DMA_MAP_FLAG_MSI;
    Host h;

    host_open(&h, "banks=4,shared_banks=0x5");
    geometry(&h, 0, 64 * KiB, 16);
    g_assert_cmpint(map(&h, msi, 0, 12 * KiB, NULL), ==, -EPERM);
    g_assert_cmpint(map(&h, msi, 0, 20 * KiB, NULL), ==, -EINVAL); /* > 4 */
    g_assert_cmpint(map(&h, msi, 0, 8 * KiB, NULL), ==, 0);
    g_assert_cmphex(banks_mapped(&h), ==, 0xa);
    g_assert_cmpuint(banks_isolated(&h), ==, 1);
    g_assert_cmpint(map(&h, msi, 8 * KiB, 4 * KiB, NULL), ==, -EPERM);
    host_close(&h);

    host_open(&h, "banks=4,shared_banks=0x5,allow_unsafe_interrupts=1");
    geometry(&h, 0, 64 * KiB, 16);
    g_assert_cmpint(map(&h, msi, 0, 12 * KiB, NULL), ==, 0);
    g_assert_cmphex(banks_mapped(&h), ==, 0xb);
    g_assert_cmpuint(banks_isolated(&h), ==, 0);
    /* ENOSPC comes before EPERM */
    g_assert_cmpint(map(&h, msi, 16 * KiB, 8 * KiB, NULL), ==, -ENOSPC);
    g_assert_cmpint(unmap(&h, 0, 0, 12 * KiB, NULL), ==, 0);
    g_assert_cmpuint(banks_isolated(&h), ==, 1);
    host_close(&h);
}

/* --- VFIO_IOMMU_UNMAP_DMA ---------------------------------------------- */

static void test_unmap(void)
{
    struct vfio_iommu_type1_dma_unmap u = { .argsz = 16, .size = 4096 };
    uint8_t *mem = small_pages(64 * KiB);
    uint64_t n;
    Host h;

    host_open(&h, "banks=2");
    g_assert_cmpint(unmap(&h, 0, 0, 4 * KiB, &n), ==, 0);   /* nothing */
    g_assert_cmphex(n, ==, 0);
    geometry(&h, 0, 1 * MiB, 256);                          /* 4 KiB windows */
    g_assert_cmpint(xioctl(h.container, VFIO_IOMMU_UNMAP_DMA, &u), ==,
                    -EINVAL);
    g_assert_cmpint(unmap(&h, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, 0,
                          4 * KiB, NULL), ==, -EINVAL);
    g_assert_cmpint(unmap(&h, VFIO_DMA_UNMAP_FLAG_VADDR, 0, 4 * KiB, NULL),
                    ==, -EINVAL);
    g_assert_cmpint(unmap(&h, VFIO_DMA_UNMAP_FLAG_ALL, 0, 4 * KiB, NULL), ==,
                    -EINVAL);
    g_assert_cmpint(unmap(&h, 0, 0, 0, NULL), ==, -EINVAL);
    g_assert_cmpint(unmap(&h, 0, 2 * KiB, 4 * KiB, NULL), ==, -EINVAL);
    g_assert_cmpint(unmap(&h, 0, -4 * KiB, 8 * KiB, NULL), ==, -EINVAL);

    /* one mapping over two windows, one partial, two MSI windows */
    g_assert_cmpint(map(&h, RW, 0, 8 * KiB, mem), ==, 0);
    g_assert_cmpint(map(&h, RW, 16 * KiB, 4 * KiB, mem + 16 * KiB), ==, 0);
    g_assert_cmpint(map(&h, VFIO_DMA_MAP_FLAG_MSI, 1 * MiB - 8 * KiB,
                        8 * KiB, NULL), ==, 0);
    /* cutting a mapping in two is refused and unmaps nothing */
    g_assert_cmpint(unmap(&h, 0, 0, 4 * KiB, &n), ==, -EINVAL);
    g_assert_cmpint(unmap(&h, 0, 4 * KiB, 16 * KiB, &n), ==, -EINVAL);
    g_assert_cmpint(unmap(&h, 0, 1 * MiB - 4 * KiB, 4 * KiB, &n), ==,
                    -EINVAL);
    g_assert_cmpint(map(&h, RW, 0, 4 * KiB, mem), ==, -EEXIST);
    g_assert_cmpint(map(&h, RW, 16 * KiB, 4 * KiB, mem), ==, -EEXIST);
    /* mappings wholly inside go, the byte count comes back */
    g_assert_cmpint(unmap(&h, 0, 0, 12 * KiB, &n), ==, 0);
    g_assert_cmphex(n, ==, 8 * KiB);
    g_assert_cmpint(unmap(&h, 0, 0, 12 * KiB, &n), ==, 0);
    g_assert_cmphex(n, ==, 0);
    g_assert_cmpint(map(&h, RW, 0, 4 * KiB, mem), ==, 0);
    /* everything, MSI included */
    g_assert_cmpint(unmap(&h, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &n), ==, 0);
    g_assert_cmphex(n, ==, 16 * KiB);
    g_assert_cmphex(banks_mapped(&h), ==, 0);
    host_close(&h);
    munmap(mem, 64 * KiB);
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
    g_test_add_func("/vfio-pamu-sim/attr/args", test_attr_args);
    g_test_add_func("/vfio-pamu-sim/attr/geometry", test_attr_geometry);
    g_test_add_func("/vfio-pamu-sim/attr/windows", test_attr_windows);
    g_test_add_func("/vfio-pamu-sim/attr/stash", test_attr_stash);
    g_test_add_func("/vfio-pamu-sim/attr/msi-banks", test_attr_msi_banks);
    g_test_add_func("/vfio-pamu-sim/attr/fault", test_attr_fault);
    g_test_add_func("/vfio-pamu-sim/get-info", test_info);
    g_test_add_func("/vfio-pamu-sim/get-info/reachable", test_info_reachable);
    g_test_add_func("/vfio-pamu-sim/map/args", test_map_args);
    g_test_add_func("/vfio-pamu-sim/map/contiguous", test_map_contiguous);
    g_test_add_func("/vfio-pamu-sim/map/msi", test_map_msi);
    g_test_add_func("/vfio-pamu-sim/map/reachable", test_map_reachable);
    g_test_add_func("/vfio-pamu-sim/map/memlock", test_map_memlock);
    g_test_add_func("/vfio-pamu-sim/map/msi-isolation",
                    test_map_msi_isolation);
    g_test_add_func("/vfio-pamu-sim/unmap", test_unmap);
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
