/*
 * Conformance suite of the PAMU vfio container: a small TAP harness and
 * the container, memory and process helpers the rules share
 *
 * Every rule gets a fresh container and gives back whatever it took
 * (container, memory, hugepages, RLIMIT_MEMLOCK, CAP_IPC_LOCK) when it
 * ends, even early: the simulation has one container at a time, and the
 * guest has little memory.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "conformance-int.h"

#define PAGE            4096
#define MEMINFO         "/proc/meminfo"
#define NR_HUGEPAGES    "/proc/sys/vm/nr_hugepages"
/* The lock tests/qtest/vfio-pamu-sim/sim-host.c takes for the same pool */
#define HUGEPAGES_LOCK  "/tmp/vfio-pamu-sim-hugepages.lock"

/* --- verdicts ------------------------------------------------------------ */

void conf_diag(const char *fmt, ...)
{
    va_list ap;

    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

bool conf_check(Conf *c, bool ok, int line, const char *what)
{
    c->checks++;
    if (!ok) {
        conf_diag("line %d: %s failed", line, what);
        c->failed = true;
    }
    return ok;
}

/* The errno values the interface gives, by name */
static const char *const errno_names[] = {
    [EPERM] = "EPERM", [ENOENT] = "ENOENT", [EIO] = "EIO",
    [EBADF] = "EBADF", [ENOMEM] = "ENOMEM", [EFAULT] = "EFAULT",
    [EBUSY] = "EBUSY", [EEXIST] = "EEXIST", [ENODEV] = "ENODEV",
    [EINVAL] = "EINVAL", [ENOSPC] = "ENOSPC", [ENOTTY] = "ENOTTY",
};

static const char *errname(int64_t v)
{
    static char buf[32];
    const char *name = NULL;

    if (v < 0 && -v < (int64_t)(sizeof(errno_names) / sizeof(errno_names[0]))) {
        name = errno_names[-v];
    }
    if (name) {
        snprintf(buf, sizeof(buf), "-%s", name);
    } else {
        snprintf(buf, sizeof(buf), "%" PRId64, v);
    }
    return buf;
}

bool conf_check_int(Conf *c, int64_t got, int64_t want, int line,
                    const char *what)
{
    c->checks++;
    if (got != want) {
        /* errname() has one buffer */
        char g[32];

        snprintf(g, sizeof(g), "%s", errname(got));
        conf_diag("line %d: %s is %s, want %s", line, what, g, errname(want));
        c->failed = true;
        return false;
    }
    return true;
}

bool conf_check_hex(Conf *c, uint64_t got, uint64_t want, int line,
                    const char *what)
{
    c->checks++;
    if (got != want) {
        conf_diag("line %d: %s is 0x%" PRIx64 ", want 0x%" PRIx64,
                  line, what, got, want);
        c->failed = true;
        return false;
    }
    return true;
}

void conf_skip(Conf *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->skip_reason, sizeof(c->skip_reason), fmt, ap);
    va_end(ap);
    c->skipped = true;
}

void conf_sleep_ms(unsigned ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) && errno == EINTR) {
        continue;
    }
}

/* --- the container ------------------------------------------------------- */

int conf_ioctl(int fd, unsigned long req, void *arg)
{
    int ret = ioctl(fd, req, arg);

    return ret < 0 ? -errno : ret;
}

int conf_open_untyped(Conf *c)
{
    int ret;

    c->container = open("/dev/vfio/vfio", O_RDWR);
    if (c->container < 0) {
        return -errno;
    }
    c->group = open(c->host->group_path, O_RDWR);
    if (c->group < 0) {
        return -errno;
    }
    ret = conf_ioctl(c->group, VFIO_GROUP_SET_CONTAINER, &c->container);
    return ret < 0 ? ret : 0;
}

int conf_open(Conf *c)
{
    int ret = conf_open_untyped(c);

    if (ret == 0) {
        ret = conf_ioctl(c->container, VFIO_SET_IOMMU,
                         (void *)(uintptr_t)VFIO_FSL_PAMU_IOMMU);
    }
    if (ret) {
        conf_diag("opening %s and %s: %s", "/dev/vfio/vfio",
                  c->host->group_path, strerror(-ret));
    }
    return ret < 0 ? ret : 0;
}

int conf_open_device(Conf *c)
{
    int ret;

    c->device = conf_ioctl(c->group, VFIO_GROUP_GET_DEVICE_FD,
                           (void *)c->host->device);
    if (c->device < 0) {
        ret = c->device;
        conf_diag("VFIO_GROUP_GET_DEVICE_FD(%s): %s", c->host->device,
                  strerror(-ret));
        return ret;
    }
    ret = c->host->dev->init(c->device);
    if (ret) {
        conf_diag("%s: %s", c->host->dev->name, strerror(-ret));
    }
    return ret;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
    }
    *fd = -1;
}

void conf_close(Conf *c)
{
    close_fd(&c->efd);
    close_fd(&c->device);
    close_fd(&c->group);
    close_fd(&c->container);
}

int conf_attr(Conf *c, bool set, uint32_t which,
              struct vfio_iommu_pamu_attr *a)
{
    a->argsz = sizeof(*a);
    a->attribute = which;
    return conf_ioctl(c->container, set ? VFIO_IOMMU_SET_ATTR :
                                          VFIO_IOMMU_GET_ATTR, a);
}

int conf_set_geometry(Conf *c, uint64_t start, uint64_t size)
{
    struct vfio_iommu_pamu_attr a = {
        .geometry.aperture_start = start, .geometry.aperture_size = size,
    };

    return conf_attr(c, true, VFIO_PAMU_ATTR_GEOMETRY, &a);
}

int conf_set_windows(Conf *c, uint32_t count)
{
    struct vfio_iommu_pamu_attr a = { .windows.count = count };

    return conf_attr(c, true, VFIO_PAMU_ATTR_WINDOWS, &a);
}

bool conf_geometry(Conf *c, uint64_t start, uint64_t size, uint32_t count)
{
    return CHECK_INT(c, conf_set_geometry(c, start, size), 0) &&
           CHECK_INT(c, conf_set_windows(c, count), 0);
}

int conf_map(Conf *c, uint32_t flags, uint64_t iova, uint64_t size,
             const void *vaddr)
{
    struct vfio_iommu_type1_dma_map m = {
        .argsz = sizeof(m), .flags = flags, .iova = iova, .size = size,
        .vaddr = (uintptr_t)vaddr,
    };

    return conf_ioctl(c->container, VFIO_IOMMU_MAP_DMA, &m);
}

int conf_unmap(Conf *c, uint32_t flags, uint64_t iova, uint64_t size,
               uint64_t *unmapped)
{
    struct vfio_iommu_type1_dma_unmap u = {
        .argsz = sizeof(u), .flags = flags, .iova = iova, .size = size,
    };
    int ret = conf_ioctl(c->container, VFIO_IOMMU_UNMAP_DMA, &u);

    if (unmapped) {
        *unmapped = u.size;
    }
    return ret;
}

int conf_get_fault(Conf *c, struct vfio_iommu_pamu_attr *a)
{
    memset(a, 0, sizeof(*a));
    return conf_attr(c, false, VFIO_PAMU_ATTR_FAULT, a);
}

int conf_set_fault(Conf *c, uint32_t disabled)
{
    struct vfio_iommu_pamu_attr a = { .fault.disabled = disabled };

    return conf_attr(c, true, VFIO_PAMU_ATTR_FAULT, &a);
}

int conf_get_banks(Conf *c, struct vfio_iommu_pamu_attr *a)
{
    memset(a, 0, sizeof(*a));
    return conf_attr(c, false, VFIO_PAMU_ATTR_MSI_BANKS, a);
}

struct vfio_iommu_type1_info *conf_info(Conf *c)
{
    struct vfio_iommu_type1_info *info = calloc(1, 4096);

    if (!info) {
        return NULL;
    }
    info->argsz = 4096;
    if (conf_ioctl(c->container, VFIO_IOMMU_GET_INFO, info)) {
        free(info);
        return NULL;
    }
    return info;
}

struct vfio_iommu_type1_info_cap_iova_range *
conf_info_ranges(struct vfio_iommu_type1_info *info)
{
    uint32_t off = info->cap_offset;
    struct vfio_info_cap_header *h;

    while (off && off + sizeof(*h) <= info->argsz && off < 4096) {
        h = (void *)((char *)info + off);
        if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
            return (void *)h;
        }
        off = h->next;
    }
    return NULL;
}

/* --- the host's facts ---------------------------------------------------- */

bool conf_learn_host(Conf *c)
{
    struct vfio_iommu_pamu_attr a;
    struct vfio_iommu_type1_info *info;
    struct vfio_iommu_type1_info_cap_iova_range *cap;
    unsigned i;

    if (conf_open(c)) {
        return false;
    }
    info = conf_info(c);
    cap = info ? conf_info_ranges(info) : NULL;
    if (!cap || !info->iova_pgsizes) {
        conf_diag("VFIO_IOMMU_GET_INFO gives no page sizes or IOVA ranges");
        free(info);
        return false;
    }
    c->addr_bits = 63 - __builtin_clzll(info->iova_pgsizes);
    c->addr_bits = c->addr_bits == 63 ? 64 : c->addr_bits;
    c->nr_reach = cap->nr_iovas < CONF_MAX_REACH ? cap->nr_iovas
                                                 : CONF_MAX_REACH;
    for (i = 0; i < c->nr_reach; i++) {
        c->reach[i].start = cap->iova_ranges[i].start;
        c->reach[i].last = cap->iova_ranges[i].end;
    }
    free(info);
    memset(&a, 0, sizeof(a));
    if (conf_attr(c, false, VFIO_PAMU_ATTR_WINDOWS, &a)) {
        return false;
    }
    c->max_windows = a.windows.max_count;
    if (conf_get_banks(c, &a)) {
        return false;
    }
    c->banks = a.msi_banks.count;
    conf_close(c);
    conf_diag("host: %u-bit PAMU, %u windows at most, %u MSI bank(s), "
              "%u reachable range(s):", c->addr_bits, c->max_windows,
              c->banks, c->nr_reach);
    for (i = 0; i < c->nr_reach; i++) {
        conf_diag("  [0x%" PRIx64 ", 0x%" PRIx64 "]", c->reach[i].start,
                  c->reach[i].last);
    }
    return true;
}

bool conf_reachable(Conf *c, uint64_t start, uint64_t last)
{
    unsigned i;

    for (i = 0; i < c->nr_reach; i++) {
        if (start >= c->reach[i].start && last <= c->reach[i].last) {
            return true;
        }
    }
    return false;
}

bool conf_pick_aperture(Conf *c, uint64_t size, uint64_t above,
                        uint64_t *start)
{
    uint64_t s;
    unsigned i;

    for (i = 0; i < c->nr_reach; i++) {
        s = c->reach[i].start > above ? c->reach[i].start : above;
        s = (s + size - 1) & ~(size - 1);
        if (s >= above && s + size - 1 >= s &&
            conf_reachable(c, s, s + size - 1) &&
            (c->addr_bits == 64 || s + size <= 1ULL << c->addr_bits)) {
            *start = s;
            return true;
        }
    }
    return false;
}

/* --- memory -------------------------------------------------------------- */

static void *keep(Conf *c, void *p, size_t len)
{
    if (p == MAP_FAILED) {
        conf_diag("mmap of %zu bytes: %s", len, strerror(errno));
        c->failed = true;
        return NULL;
    }
    if (c->nr_mem == CONF_MAX_MAPS) {
        conf_diag("the rule keeps too many memory mappings");
        munmap(p, len);
        c->failed = true;
        return NULL;
    }
    c->mem[c->nr_mem++] = (ConfMem) { p, len };
    return p;
}

void conf_unmap_mem(Conf *c, void *addr, size_t len)
{
    unsigned i;

    munmap(addr, len);
    /* what is left of a mapping the rule cut stays listed: munmap again */
    for (i = 0; i < c->nr_mem; i++) {
        if (c->mem[i].addr == addr && c->mem[i].len == len) {
            c->mem[i] = c->mem[--c->nr_mem];
            return;
        }
    }
}

void *conf_small_pages(Conf *c, size_t len)
{
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    size_t off;

    if (p != MAP_FAILED) {
        madvise(p, len, MADV_NOHUGEPAGE);
        for (off = 0; off < len; off += PAGE) {
            p[off] = 0;
        }
    }
    return keep(c, p, len);
}

/* The page frame of @p, or 0 where the process may not see it */
static uint64_t pfn_of(const void *p)
{
    uint64_t ent = 0;
    int fd = open("/proc/self/pagemap", O_RDONLY);

    if (fd < 0) {
        return 0;
    }
    if (pread(fd, &ent, 8, (uintptr_t)p / PAGE * 8) != 8) {
        ent = 0;
    }
    close(fd);
    return ent >> 63 ? ent & ((1ULL << 55) - 1) : 0;
}

/* One touched small page of its own mapping */
static char *single_page(Conf *c)
{
    return conf_small_pages(c, PAGE);
}

void *conf_discontig_pair(Conf *c)
{
    char *x = single_page(c), *y = single_page(c), *pair, *first, *second;
    uint64_t px, py;

    if (!x || !y) {
        return NULL;
    }
    /*
     * Anonymous pages touched in a row are often physically adjacent:
     * put two pages side by side in the order in which they are not.
     * Where the frames are hidden (not root), the simulation judges by
     * page size alone and either order will do.
     */
    px = pfn_of(x);
    py = pfn_of(y);
    first = py && py == px + 1 ? y : x;
    second = first == x ? y : x;
    pair = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                0);
    if (pair == MAP_FAILED ||
        mremap(first, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
               pair) == MAP_FAILED ||
        mremap(second, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
               pair + PAGE) == MAP_FAILED) {
        conf_diag("building a discontiguous pair of pages: %s",
                  strerror(errno));
        c->failed = true;
        return NULL;
    }
    /* x and y moved: their entries now name the pair */
    c->mem[c->nr_mem - 2] = (ConfMem) { pair, PAGE };
    c->mem[c->nr_mem - 1] = (ConfMem) { pair + PAGE, PAGE };
    return pair;
}

void *conf_unaligned_phys(void *mem, uint64_t align)
{
    uint64_t pfn = pfn_of(mem);

    return pfn && pfn * PAGE % align ? mem : (char *)mem + PAGE;
}

static long meminfo(const char *key)
{
    char line[128];
    long v = -1;
    FILE *f = fopen(MEMINFO, "r");
    size_t n = strlen(key);

    if (!f) {
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, key, n) && line[n] == ':') {
            if (sscanf(line + n + 1, "%ld", &v) != 1) {
                v = -1;
            }
            break;
        }
    }
    fclose(f);
    return v;
}

static bool write_long(const char *path, long v)
{
    char buf[32];
    int fd = open(path, O_WRONLY);
    int n = snprintf(buf, sizeof(buf), "%ld\n", v);
    bool ok;

    if (fd < 0) {
        return false;
    }
    ok = write(fd, buf, n) == n;
    close(fd);
    return ok;
}

/*
 * Other tests (meson runs them in parallel) change the pool too: every
 * read-modify-write of it holds this lock.  Where there is no /tmp (the
 * guest's initramfs) nothing runs beside us.
 */
static int hugepages_lock(void)
{
    int fd = open(HUGEPAGES_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    if (fd >= 0 && flock(fd, LOCK_EX)) {
        close(fd);
        return -1;
    }
    return fd;
}

static void hugepages_unlock(int fd)
{
    if (fd >= 0) {
        close(fd);
    }
}

/* Makes @n hugepages free, adding to the pool what is missing */
static bool hugepages_reserve_locked(Conf *c, unsigned n)
{
    long total = meminfo("HugePages_Total"), free = meminfo("HugePages_Free");
    long need = (long)n - free;

    if (total < 0 || free < 0) {
        conf_skip(c, "the kernel has no hugepages (%s)", MEMINFO);
        return false;
    }
    if (need <= 0) {
        return true;
    }
    if (!write_long(NR_HUGEPAGES, total + need) ||
        meminfo("HugePages_Free") < (long)n) {
        write_long(NR_HUGEPAGES, total);
        conf_skip(c, "%u free hugepages needed, %ld free, and %s cannot "
                  "provide more (%s)", n, free, NR_HUGEPAGES,
                  geteuid() ? "not root" : "memory");
        return false;
    }
    c->hugepages_added += need;
    return true;
}

static bool hugepages_reserve(Conf *c, unsigned n)
{
    int lock = hugepages_lock();
    bool ok = hugepages_reserve_locked(c, n);

    hugepages_unlock(lock);
    return ok;
}

static void hugepages_release(Conf *c)
{
    long total;
    int lock;

    if (c->hugepages_added) {
        lock = hugepages_lock();
        total = meminfo("HugePages_Total");
        write_long(NR_HUGEPAGES, total - c->hugepages_added);
        hugepages_unlock(lock);
        c->hugepages_added = 0;
    }
}

void *conf_hugepages(Conf *c, unsigned n, uint64_t *size)
{
    long kb = meminfo("Hugepagesize");
    char *p;
    size_t off;

    if (kb <= 0) {
        conf_skip(c, "the kernel has no hugepages (%s)", MEMINFO);
        return NULL;
    }
    *size = (uint64_t)kb * KiB;
    if (!hugepages_reserve(c, n)) {
        return NULL;
    }
    p = mmap(NULL, n * *size, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
    if (p == MAP_FAILED) {
        conf_skip(c, "mmap(MAP_HUGETLB) of %u pages of %" PRIu64 " KiB: %s",
                  n, *size / KiB, strerror(errno));
        return NULL;
    }
    for (off = 0; off < n * *size; off += *size) {
        p[off] = 0;
    }
    return keep(c, p, n * *size);
}

/* --- process limits ------------------------------------------------------- */

uint64_t conf_vmlck(void)
{
    char line[128];
    unsigned long long kb = 0;
    FILE *f = fopen("/proc/self/status", "r");

    if (!f) {
        return 0;
    }
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "VmLck: %llu kB", &kb) == 1) {
            break;
        }
    }
    fclose(f);
    return kb * KiB;
}

bool conf_set_memlock(Conf *c, uint64_t bytes)
{
    struct rlimit rl;

    if (!c->rlimit_saved) {
        if (getrlimit(RLIMIT_MEMLOCK, &c->memlock)) {
            return false;
        }
        c->rlimit_saved = true;
    }
    rl.rlim_cur = bytes;
    rl.rlim_max = c->memlock.rlim_max;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < bytes) {
        return false;
    }
    return setrlimit(RLIMIT_MEMLOCK, &rl) == 0;
}

bool conf_cap_ipc_lock(Conf *c, bool on)
{
    struct __user_cap_header_struct hdr = {
        .version = _LINUX_CAPABILITY_VERSION_3,
    };
    struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
    unsigned i = CAP_TO_INDEX(CAP_IPC_LOCK);
    uint32_t bit = CAP_TO_MASK(CAP_IPC_LOCK);
    bool was;

    if (syscall(SYS_capget, &hdr, d)) {
        return false;
    }
    was = d[i].effective & bit;
    if (on && !(d[i].permitted & bit)) {
        return false;
    }
    d[i].effective = on ? d[i].effective | bit : d[i].effective & ~bit;
    if (syscall(SYS_capset, &hdr, d)) {
        return false;
    }
    if (!on && was) {
        c->cap_dropped = true;
    } else if (on) {
        c->cap_dropped = false;
    }
    return true;
}

/* --- the device ---------------------------------------------------------- */

static int set_irqs(Conf *c, uint32_t flags, int *fd)
{
    char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
    struct vfio_irq_set *s = (void *)buf;

    memset(buf, 0, sizeof(buf));
    s->argsz = fd ? sizeof(buf) : sizeof(*s);
    s->flags = flags;
    s->index = VFIO_PCI_MSI_IRQ_INDEX;
    s->count = fd ? 1 : 0;
    if (fd) {
        memcpy(s->data, fd, sizeof(int));
    }
    return conf_ioctl(c->device, VFIO_DEVICE_SET_IRQS, s);
}

int conf_msi_eventfd(Conf *c)
{
    if (c->efd < 0) {
        c->efd = eventfd(0, EFD_NONBLOCK);
        if (c->efd < 0) {
            return -errno;
        }
    }
    return set_irqs(c, VFIO_IRQ_SET_DATA_EVENTFD |
                    VFIO_IRQ_SET_ACTION_TRIGGER, &c->efd);
}

int conf_msi_off(Conf *c)
{
    return set_irqs(c, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
                    NULL);
}

uint64_t conf_msi_wait(Conf *c, uint64_t want)
{
    struct pollfd p = { .fd = c->efd, .events = POLLIN };
    uint64_t total = 0, n;
    unsigned waited = 0;

    for (;;) {
        if (read(c->efd, &n, 8) == 8) {
            total += n;
        }
        if (total >= want || waited >= c->host->settle_ms) {
            /* anything more than wanted must show too */
            return total;
        }
        poll(&p, 1, 10);
        waited += 10;
    }
}

void conf_fault_wait(Conf *c, uint32_t want, struct vfio_iommu_pamu_attr *a)
{
    unsigned waited = 0;

    for (;;) {
        if (conf_get_fault(c, a) || a->fault.count >= want ||
            waited >= c->host->settle_ms) {
            return;
        }
        conf_sleep_ms(10);
        waited += 10;
    }
}

/* --- running the rules --------------------------------------------------- */

void conf_release(Conf *c)
{
    conf_close(c);
    while (c->nr_mem) {
        c->nr_mem--;
        munmap(c->mem[c->nr_mem].addr, c->mem[c->nr_mem].len);
    }
    hugepages_release(c);
    if (c->rlimit_saved) {
        setrlimit(RLIMIT_MEMLOCK, &c->memlock);
        c->rlimit_saved = false;
    }
    if (c->cap_dropped) {
        conf_cap_ipc_lock(c, true);
    }
}

void conf_init(Conf *c, const ConfHost *host)
{
    memset(c, 0, sizeof(*c));
    c->host = host;
    c->container = c->group = c->device = c->efd = -1;
}

static void run_rule(Conf *c, const ConfRule *r, unsigned n)
{
    c->failed = c->skipped = false;
    c->skip_reason[0] = 0;
    c->checks = 0;
    r->fn(c);
    conf_release(c);
    if (!c->failed && !c->skipped && !c->checks) {
        conf_diag("the rule checked nothing and gave no reason");
        c->failed = true;
    }
    if (c->failed) {
        printf("not ok %u - %s\n", n, r->name);
    } else if (c->skipped) {
        printf("ok %u - %s # SKIP %s\n", n, r->name, c->skip_reason);
    } else {
        printf("ok %u - %s\n", n, r->name);
    }
    fflush(stdout);
}

int conf_run(const ConfHost *host, const char *only)
{
    const ConfRule *r;
    unsigned n = 0, failed = 0;
    Conf c;

    conf_init(&c, host);
    printf("TAP version 13\n");
    conf_diag("PAMU vfio conformance (docs/devel/vfio-pamu.rst) on %s, "
              "device %s (%s)", host->name, host->device, host->dev->name);
    fflush(stdout);
    if (!conf_learn_host(&c)) {
        conf_release(&c);
        printf("Bail out! the host's container cannot be used\n");
        return 1;
    }
    for (r = conf_rules; r->name; r++) {
        if (only && strncmp(r->name, only, strlen(only))) {
            continue;
        }
        run_rule(&c, r, ++n);
        failed += c.failed;
    }
    printf("1..%u\n", n);
    return failed ? 1 : 0;
}
