/*
 * In-guest smoke test of the vfio PAMU container driver
 * (drivers/vfio/vfio_iommu_fsl_pamu.c of guest/linux-patches/).
 *
 * Runs as /init of a guest on "-M ppce500 -device pamu -device edu": binds
 * edu to vfio-pci, maps hugepage windows and an MSI bank window, moves
 * bytes both ways with edu's DMA engine, takes an MSI on an eventfd,
 * provokes a violation and re-enables the device, checks ENOMEM under a
 * low RLIMIT_MEMLOCK, and powers off.  Each check prints one line
 * "SMOKE ok|FAIL name: detail"; the last line is "SMOKE DONE n failed".
 *
 * The full rule suite is the conformance suite; this only shows that the
 * driver and the fsl_pamu/fsl_msi patches work together on the emulated
 * hardware.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/vfio.h>

#include "hw/vfio/fsl-pamu-uapi.h"

#define MIB             (1024ULL * 1024)
#define HUGE            (4 * MIB)
#define APERTURE        (256 * MIB)
#define WINDOWS         64
#define MSI_WINDOW      (WINDOWS - 1)
#define EDU_BUF         0x40000
#define LEN             4096

static int failed;
static int container, device;
static uint64_t bar0;

static void check(int ok, const char *name, const char *fmt, ...)
{
    va_list ap;

    printf("SMOKE %s %s: ", ok ? "ok" : "FAIL", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    failed += !ok;
}

static void write_file(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY);

    if (fd < 0 || write(fd, s, strlen(s)) < 0) {
        printf("# %s <- %s: %s\n", path, s, strerror(errno));
    }
    if (fd >= 0) {
        close(fd);
    }
}

/* The BDF of the first edu (1234:11e8) */
static int find_edu(char *bdf, size_t len)
{
    DIR *d = opendir("/sys/bus/pci/devices");
    struct dirent *e;
    char path[300], id[32];
    int found = 0;

    while (d && (e = readdir(d)) && !found) {
        FILE *f;

        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
                 e->d_name);
        f = fopen(path, "r");
        if (f && fgets(id, sizeof(id), f) && !strncmp(id, "0x11e8", 6)) {
            snprintf(bdf, len, "%s", e->d_name);
            found = 1;
        }
        if (f) {
            fclose(f);
        }
    }
    if (d) {
        closedir(d);
    }
    return found;
}

static int pamu_attr(unsigned long req, struct vfio_iommu_pamu_attr *a,
                     uint32_t attribute)
{
    a->argsz = sizeof(*a);
    a->flags = 0;
    a->pad = 0;
    a->attribute = attribute;
    return ioctl(container, req, a) ? -errno : 0;
}

static int map(uint64_t iova, uint64_t size, void *va, uint32_t flags)
{
    struct vfio_iommu_type1_dma_map m = {
        .argsz = sizeof(m), .flags = flags,
        .vaddr = (uintptr_t)va, .iova = iova, .size = size,
    };

    return ioctl(container, VFIO_IOMMU_MAP_DMA, &m) ? -errno : 0;
}

static int unmap(uint64_t iova, uint64_t size, uint32_t flags,
                 uint64_t *done)
{
    struct vfio_iommu_type1_dma_unmap u = {
        .argsz = sizeof(u), .flags = flags, .iova = iova, .size = size,
    };
    int ret = ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u) ? -errno : 0;

    *done = u.size;
    return ret;
}

static uint32_t edu_rd(uint32_t reg)
{
    uint32_t v = 0;

    if (pread(device, &v, 4, bar0 + reg) != 4) {
        printf("# edu read 0x%x: %s\n", reg, strerror(errno));
    }
    return v;
}

static void edu_wr(uint32_t reg, uint32_t v)
{
    if (pwrite(device, &v, 4, bar0 + reg) != 4) {
        printf("# edu write 0x%x: %s\n", reg, strerror(errno));
    }
}

/* One edu DMA; to_ram: from its buffer to @iova */
static void edu_dma(uint32_t iova, int to_ram, int irq)
{
    int i;

    edu_wr(0x80, to_ram ? EDU_BUF : iova);
    edu_wr(0x88, to_ram ? iova : EDU_BUF);
    edu_wr(0x90, LEN);
    edu_wr(0x98, 1 | (to_ram ? 2 : 0) | (irq ? 4 : 0));
    for (i = 0; i < 200 && (edu_rd(0x98) & 1); i++) {
        usleep(10000);
    }
    if (i == 200) {
        printf("# edu DMA did not complete\n");
    }
}

static void fault_state(struct vfio_iommu_pamu_attr *a)
{
    memset(a, 0, sizeof(*a));
    pamu_attr(VFIO_IOMMU_GET_ATTR, a, VFIO_PAMU_ATTR_FAULT);
}

static int drop_cap_ipc_lock(void)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];

    if (syscall(SYS_capget, &h, d)) {
        return -1;
    }
    d[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
    return syscall(SYS_capset, &h, d);
}

static int open_group(const char *bdf)
{
    char path[300], link[300], *name;
    struct vfio_group_status st = { .argsz = sizeof(st) };
    ssize_t n;
    int group;

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
             bdf);
    write_file(path, "vfio-pci");
    write_file("/sys/bus/pci/drivers_probe", bdf);
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
    n = readlink(path, link, sizeof(link) - 1);
    if (n < 0) {
        check(0, "group", "%s has no iommu_group", bdf);
        return -1;
    }
    link[n] = 0;
    name = strrchr(link, '/') + 1;
    snprintf(path, sizeof(path), "/dev/vfio/%s", name);
    group = open(path, O_RDWR);
    if (group < 0 || ioctl(group, VFIO_GROUP_GET_STATUS, &st) ||
        !(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
        check(0, "group", "%s: open/viable: %s flags 0x%x", path,
              strerror(errno), st.flags);
        return -1;
    }
    check(1, "group", "%s viable", path);
    return group;
}

/* vfio-pci leaves that to its user; config space is little-endian */
static int bus_master(void)
{
    struct vfio_region_info reg = { .argsz = sizeof(reg) };
    uint8_t cmd[2];

    reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
    if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &reg) ||
        pread(device, cmd, 2, reg.offset + 4) != 2) {
        check(0, "bus-master", "%s", strerror(errno));
        return -1;
    }
    cmd[0] |= 0x06;     /* memory space, bus master */
    if (pwrite(device, cmd, 2, reg.offset + 4) != 2 ||
        pread(device, cmd, 2, reg.offset + 4) != 2) {
        check(0, "bus-master", "%s", strerror(errno));
        return -1;
    }
    printf("# command 0x%02x%02x\n", cmd[1], cmd[0]);
    return 0;
}

static int setup(const char *bdf)
{
    struct vfio_region_info reg = { .argsz = sizeof(reg) };
    int group = open_group(bdf), ret;

    if (group < 0) {
        return -1;
    }
    container = open("/dev/vfio/vfio", O_RDWR);
    ret = ioctl(container, VFIO_CHECK_EXTENSION, VFIO_FSL_PAMU_IOMMU);
    check(ret == 1, "extension", "CHECK_EXTENSION(4096) = %d", ret);
    if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
        ioctl(container, VFIO_SET_IOMMU, VFIO_FSL_PAMU_IOMMU)) {
        check(0, "set-iommu", "%s", strerror(errno));
        return -1;
    }
    check(1, "set-iommu", "type %d", VFIO_FSL_PAMU_IOMMU);
    device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
    reg.index = VFIO_PCI_BAR0_REGION_INDEX;
    if (device < 0 || ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &reg)) {
        check(0, "device", "%s", strerror(errno));
        return -1;
    }
    bar0 = reg.offset;
    check(edu_rd(0) == 0x010000ed, "device", "edu id 0x%08x", edu_rd(0));
    return bus_master();
}

static void show_info(void)
{
    char buf[4096];
    struct vfio_iommu_type1_info *info = (void *)buf;
    struct vfio_iommu_type1_info_cap_iova_range *cap;
    uint32_t i;

    memset(buf, 0, sizeof(buf));
    info->argsz = sizeof(buf);
    if (ioctl(container, VFIO_IOMMU_GET_INFO, info) || !info->cap_offset) {
        check(0, "info", "%s", strerror(errno));
        return;
    }
    cap = (void *)(buf + info->cap_offset);
    for (i = 0; i < cap->nr_iovas; i++) {
        printf("# reachable [0x%llx, 0x%llx]\n",
               (unsigned long long)cap->iova_ranges[i].start,
               (unsigned long long)cap->iova_ranges[i].end);
    }
    check(cap->header.id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE &&
          cap->nr_iovas >= 1 && info->iova_pgsizes & (1ULL << 12),
          "info", "pgsizes 0x%llx, %u ranges",
          (unsigned long long)info->iova_pgsizes, cap->nr_iovas);
}

static void geometry(void)
{
    struct vfio_iommu_pamu_attr a = { 0 };
    int ret;

    a.geometry.aperture_start = 0;
    a.geometry.aperture_size = APERTURE;
    ret = pamu_attr(VFIO_IOMMU_SET_ATTR, &a, VFIO_PAMU_ATTR_GEOMETRY);
    a.windows.count = WINDOWS;
    ret = ret ? ret : pamu_attr(VFIO_IOMMU_SET_ATTR, &a,
                                VFIO_PAMU_ATTR_WINDOWS);
    check(!ret, "geometry", "256 MiB at 0 in %d windows: %s", WINDOWS,
          strerror(-ret));
}

/*
 * Stashing needs a cache-stash-id in the device tree, which QEMU's e500
 * machines do not provide: only report what the host says.
 */
static void stash(void)
{
    struct vfio_iommu_pamu_attr a = { 0 };
    int ret;

    a.stash.cpu = 0;
    a.stash.cache = VFIO_PAMU_STASH_L1;
    ret = pamu_attr(VFIO_IOMMU_SET_ATTR, &a, VFIO_PAMU_ATTR_STASH);
    printf("# SET_ATTR STASH L1 of CPU 0: %s\n", strerror(-ret));
    a.stash.cache = VFIO_PAMU_STASH_OFF;
    ret = pamu_attr(VFIO_IOMMU_SET_ATTR, &a, VFIO_PAMU_ATTR_STASH);
    check(!ret, "stash-off", "%s", strerror(-ret));
}

static void msi_window(void)
{
    struct vfio_iommu_pamu_attr a = { 0 };
    int ret = map(MSI_WINDOW * HUGE, HUGE, NULL, VFIO_DMA_MAP_FLAG_MSI);

    pamu_attr(VFIO_IOMMU_GET_ATTR, &a, VFIO_PAMU_ATTR_MSI_BANKS);
    check(!ret && a.msi_banks.mapped_mask == 1 && a.msi_banks.isolated,
          "map-msi", "%s, %u banks, mask 0x%llx, isolated %u",
          strerror(-ret), a.msi_banks.count,
          (unsigned long long)a.msi_banks.mapped_mask, a.msi_banks.isolated);
}

static void dma_both_ways(uint8_t *a, uint8_t *b)
{
    int i;

    for (i = 0; i < LEN; i++) {
        a[i] = i * 7 + 3;
    }
    memset(b, 0, 2 * LEN);
    edu_dma(1 * HUGE, 0, 0);
    edu_dma(2 * HUGE + LEN, 1, 0);
    check(!memcmp(a, b + LEN, LEN) && !b[0], "dma",
          "window 1 -> edu -> window 2 (+4 KiB): %s",
          memcmp(a, b + LEN, LEN) ? "bytes differ" : "bytes match");
}

static void msi(void)
{
    struct vfio_irq_set *set;
    char buf[sizeof(*set) + sizeof(int)];
    struct pollfd p;
    uint64_t n = 0;
    int efd = eventfd(0, EFD_NONBLOCK), ret;

    set = (void *)buf;
    set->argsz = sizeof(buf);
    set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
    set->index = VFIO_PCI_MSI_IRQ_INDEX;
    set->start = 0;
    set->count = 1;
    memcpy(set->data, &efd, sizeof(int));
    if (ioctl(device, VFIO_DEVICE_SET_IRQS, set)) {
        check(0, "msi", "SET_IRQS: %s", strerror(errno));
        return;
    }
    edu_dma(1 * HUGE, 0, 1);
    p.fd = efd;
    p.events = POLLIN;
    ret = poll(&p, 1, 2000);
    if (ret == 1 && read(efd, &n, sizeof(n)) != sizeof(n)) {
        n = 0;
    }
    check(ret == 1 && n >= 1, "msi", "eventfd count %llu",
          (unsigned long long)n);
    edu_wr(0x64, 0x100);
}

/*
 * The blocked read leaves edu's buffer undefined, so the checks fill the
 * destination with a marker and refresh the buffer from window 1 (@a).
 */
static void violation(const uint8_t *a, uint8_t *b)
{
    struct vfio_iommu_pamu_attr f;

    edu_dma(100 * MIB, 0, 0);
    fault_state(&f);
    check(f.fault.count == 1 && f.fault.disabled &&
          f.fault.last_iova == 100 * MIB, "fault",
          "count %u disabled %u last 0x%llx", f.fault.count,
          f.fault.disabled, (unsigned long long)f.fault.last_iova);
    memset(b, 0xaa, LEN);
    edu_dma(2 * HUGE, 1, 0);
    check(b[0] == 0xaa && b[LEN - 1] == 0xaa, "fault-blocks",
          "a DMA after the fault %s",
          b[0] == 0xaa ? "is blocked" : "went through");
    memset(&f, 0, sizeof(f));
    check(!pamu_attr(VFIO_IOMMU_SET_ATTR, &f, VFIO_PAMU_ATTR_FAULT),
          "fault-clear", "SET_ATTR FAULT disabled=0");
    edu_dma(1 * HUGE, 0, 0);
    edu_dma(2 * HUGE, 1, 0);
    fault_state(&f);
    check(!memcmp(a, b, LEN) && !f.fault.disabled && f.fault.count == 1,
          "fault-reenabled", "DMA %s, count %u disabled %u",
          !memcmp(a, b, LEN) ? "works" : "still blocked", f.fault.count,
          f.fault.disabled);
}

static void memlock(uint8_t *c)
{
    struct rlimit rl = { HUGE, HUGE };
    uint64_t done = 0;
    int ret;

    if (drop_cap_ipc_lock() || setrlimit(RLIMIT_MEMLOCK, &rl)) {
        check(0, "memlock", "cannot drop CAP_IPC_LOCK: %s", strerror(errno));
        return;
    }
    ret = map(3 * HUGE, HUGE, c, VFIO_DMA_MAP_FLAG_READ);
    unmap(3 * HUGE, HUGE, 0, &done);
    check(ret == -ENOMEM && !done, "memlock",
          "map beyond RLIMIT_MEMLOCK: %s, then %llu bytes to unmap",
          strerror(-ret), (unsigned long long)done);
}

static void rules(uint8_t *a, uint8_t *c)
{
    uint64_t done = 0;
    int ret;

    ret = map(1 * HUGE, HUGE, c, VFIO_DMA_MAP_FLAG_READ);
    check(ret == -EEXIST, "eexist", "%s", strerror(-ret));
    ret = map(3 * HUGE, MIB, a + LEN, VFIO_DMA_MAP_FLAG_READ);
    check(ret == -EINVAL, "alignment", "1 MiB not aligned to 1 MiB: %s",
          strerror(-ret));
    ret = map(4 * HUGE, 2 * HUGE, c, VFIO_DMA_MAP_FLAG_READ);
    check(ret == -EFAULT, "all-or-nothing", "second window unbacked: %s",
          strerror(-ret));
    ret = unmap(4 * HUGE, HUGE, 0, &done);
    check(!ret && !done, "all-or-nothing", "nothing left: %llu bytes",
          (unsigned long long)done);
    ret = map(62 * HUGE, HUGE, NULL, VFIO_DMA_MAP_FLAG_MSI);
    check(ret == -ENOSPC, "msi-enospc", "no bank left: %s", strerror(-ret));
}

/* One mapping of two windows cannot be cut in two */
static void no_split(void)
{
    uint8_t *d = mmap(NULL, 2 * HUGE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
    uint64_t done = 0;
    int ret;

    if (d == MAP_FAILED) {
        check(0, "no-split", "8 MiB of hugepages: %s", strerror(errno));
        return;
    }
    ret = map(4 * HUGE, 2 * HUGE, d, VFIO_DMA_MAP_FLAG_READ |
              VFIO_DMA_MAP_FLAG_WRITE);
    check(!ret, "map-2-windows", "%s", strerror(-ret));
    ret = unmap(4 * HUGE, HUGE, 0, &done);
    check(ret == -EINVAL, "no-split", "unmap of half of it: %s",
          strerror(-ret));
    ret = unmap(4 * HUGE, 2 * HUGE, 0, &done);
    check(!ret && done == 2 * HUGE, "unmap", "%llu bytes",
          (unsigned long long)done);
    munmap(d, 2 * HUGE);
}

/* A hugepage with a hole of its size after it */
static void *hugepage(void)
{
    uint8_t *p = mmap(NULL, 2 * HUGE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

    if (p == MAP_FAILED) {
        return NULL;
    }
    munmap(p + HUGE, HUGE);
    memset(p, 0, HUGE);
    return p;
}

int main(void)
{
    char bdf[64];
    uint8_t *a, *b, *c;
    uint64_t done = 0;
    int ret;

    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    write_file("/proc/sys/vm/nr_hugepages", "8");
    a = hugepage();
    b = hugepage();
    c = hugepage();
    if (!a || !b || !c) {
        check(0, "hugepages", "%s", strerror(errno));
    } else if (!find_edu(bdf, sizeof(bdf))) {
        check(0, "edu", "no edu device");
    } else if (!setup(bdf)) {
        show_info();
        geometry();
        stash();
        msi_window();
        ret = map(1 * HUGE, HUGE, a, VFIO_DMA_MAP_FLAG_READ);
        ret = ret ? ret : map(2 * HUGE, HUGE, b, VFIO_DMA_MAP_FLAG_WRITE);
        check(!ret, "map", "window 1 read-only, window 2 write-only: %s",
              strerror(-ret));
        rules(a, c);
        no_split();
        dma_both_ways(a, b);
        msi();
        violation(a, b);
        memlock(c);
        ret = unmap(0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &done);
        check(!ret && done == 3 * HUGE, "unmap-all", "%llu bytes",
              (unsigned long long)done);
        close(device);
        close(container);
    }
    printf("SMOKE DONE %d failed\n", failed);
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    return 0;
}
