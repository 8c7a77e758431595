/*
 * QorIQ host simulation: the kernel's file interface, by LD_PRELOAD
 *
 * Wraps the C library calls QEMU's vfio code makes (open64, openat64,
 * ioctl, pread64, pwrite64, read, write, mmap64, close, stat64, lstat64,
 * readlink, realpath) and answers those aimed at /dev/vfio/vfio,
 * /dev/vfio/<group>, the device's sysfs directory and the file descriptors
 * handed out for them.  Everything else goes to the C library untouched.
 * Each simulated fd is backed by a real memfd, so its number is unique.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

/* Define open/open64, stat/stat64... as the distinct symbols they are */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "hw/vfio/fsl-pamu-uapi.h"
#include "sim-internal.h"
#include "vfio-pamu-sim.h"

#define SIM_MAX_FD          65536

typedef enum SimFileKind {
    SIM_CONTAINER,
    SIM_GROUP,
    SIM_DEVICE,
} SimFileKind;

typedef struct SimFile {
    SimFileKind kind;
} SimFile;

/* The host: one container object, one group, one device */
static struct {
    pthread_mutex_t lock;
    bool container_open;        /* /dev/vfio/vfio fd open */
    bool group_open;
    bool group_attached;        /* VFIO_GROUP_SET_CONTAINER done */
    bool device_open;
    SimPamu pamu;
    SimDevice *device;
    int log_fd;
} sim = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .log_fd = -1,
};

SimConfig sim_config;
static SimFile *sim_files[SIM_MAX_FD];
static pthread_once_t sim_once = PTHREAD_ONCE_INIT;

static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real_ioctl)(int, unsigned long, ...);
static int (*real_close)(int);
static ssize_t (*real_read)(int, void *, size_t);
ssize_t (*sim_real_write)(int, const void *, size_t);
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static ssize_t (*real_pread64)(int, void *, size_t, off64_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off64_t);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static void *(*real_mmap64)(void *, size_t, int, int, int, off64_t);
static int (*real_stat)(const char *, struct stat *);
static int (*real_stat64)(const char *, struct stat64 *);
static int (*real_lstat)(const char *, struct stat *);
static int (*real_lstat64)(const char *, struct stat64 *);
static ssize_t (*real_readlink)(const char *, char *, size_t);
static char *(*real_realpath)(const char *, char *);

/* --- configuration and log ------------------------------------------------ */

/* inbound=START+SIZE: one more inbound window of the host controller */
static void parse_inbound(const char *val)
{
    unsigned long long start, size;
    char plus;

    if (sim_config.nr_inbound < SIM_MAX_INBOUND &&
        sscanf(val, "%lli%c%lli", &start, &plus, &size) == 3 &&
        plus == '+' && size && start + (size - 1) >= start) {
        sim_config.inbound[sim_config.nr_inbound++] = (SimRange) {
            .start = start, .last = start + (size - 1),
        };
    }
}

static void parse_key(const char *key, const char *val)
{
    long long v;
    int used = -1;

    if (!strcmp(key, "bdf")) {
        snprintf(sim_config.bdf, sizeof(sim_config.bdf), "%s", val);
        return;
    }
    if (!strcmp(key, "inbound")) {
        parse_inbound(val);
        return;
    }
    /* this library has no QEMU utilities: no qemu_strtoull() */
    if (sscanf(val, "%lli%n", &v, &used) != 1 || val[used] || v < 0) {
        return;
    }
    if (!strcmp(key, "group")) {
        sim_config.group = v;
    } else if (!strcmp(key, "banks") && v <= SIM_MAX_BANKS) {
        sim_config.banks = v;
    } else if (!strcmp(key, "max_windows") && v >= 1 &&
               v <= SIM_MAX_WINDOWS) {
        sim_config.max_windows = v;
    } else if (!strcmp(key, "addr_bits") && v >= 12 && v <= 64) {
        sim_config.addr_bits = v;
    } else if (!strcmp(key, "cpus")) {
        sim_config.cpus = v;
    } else if (!strcmp(key, "stash_levels") && v <= VFIO_PAMU_STASH_L3) {
        sim_config.stash_levels = v;
    } else if (!strcmp(key, "memlock")) {
        sim_config.memlock = v;
    } else if (!strcmp(key, "cap_ipc_lock") && v <= 1) {
        sim_config.cap_ipc_lock = v;
    } else if (!strcmp(key, "shared_banks")) {
        sim_config.shared_banks = v;
    } else if (!strcmp(key, "allow_unsafe_interrupts") && v <= 1) {
        sim_config.allow_unsafe_interrupts = v;
    } else if (!strcmp(key, "fail_map")) {
        sim_config.fail_map = v;
    } else if (!strcmp(key, "fail_iova")) {
        sim_config.fail_iova = v;
    } else if (!strcmp(key, "fail_errno") && v > 0 && v < 4096) {
        sim_config.fail_errno = v;
    } else if (!strcmp(key, "type1") && v <= 1) {
        sim_config.type1 = v;
    }
}

static void parse_config(void)
{
    const char *env = getenv(VFIO_PAMU_SIM_ENV);
    char *copy, *tok, *save = NULL;

    sim_config = (SimConfig) {
        .bdf = VFIO_PAMU_SIM_DEFAULT_BDF,
        .group = VFIO_PAMU_SIM_DEFAULT_GROUP,
        .banks = 3, .max_windows = 256, .addr_bits = 36, .cpus = 4,
        .stash_levels = VFIO_PAMU_STASH_L1,
        .memlock = -1, .cap_ipc_lock = -1,
        .fail_iova = UINT64_MAX, .fail_errno = EIO,
    };
    if (!env) {
        return;
    }
    copy = strdup(env);
    for (tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');

        if (eq) {
            *eq = 0;
            parse_key(tok, eq + 1);
        }
    }
    free(copy);
}

#define REAL(name) (real_##name = dlsym(RTLD_NEXT, #name))

static void sim_init(void)
{
    REAL(open); REAL(open64); REAL(openat); REAL(openat64); REAL(ioctl);
    REAL(close); REAL(read); REAL(pread); REAL(pread64); REAL(pwrite);
    REAL(pwrite64); REAL(mmap); REAL(mmap64); REAL(stat); REAL(stat64);
    REAL(lstat); REAL(lstat64); REAL(readlink); REAL(realpath);
    sim_real_write = dlsym(RTLD_NEXT, "write");
    parse_config();
    sim_pamu_reset(&sim.pamu);
}

static void __attribute__((constructor)) sim_constructor(void)
{
    pthread_once(&sim_once, sim_init);
}

static void ensure_init(void)
{
    pthread_once(&sim_once, sim_init);
}

void sim_log(const char *fmt, ...)
{
    const char *path = getenv(VFIO_PAMU_SIM_LOG_ENV);
    char line[512];
    va_list ap;
    int n;

    if (!path) {
        return;
    }
    if (sim.log_fd < 0) {
        sim.log_fd = real_open(path, O_WRONLY | O_APPEND | O_CREAT |
                               O_CLOEXEC, 0644);
        if (sim.log_fd < 0) {
            return;
        }
    }
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    n = n < (int)sizeof(line) - 1 ? n : (int)sizeof(line) - 2;
    line[n++] = '\n';
    if (sim_real_write(sim.log_fd, line, n) != n) {
        return;
    }
}

/* --- process memory ------------------------------------------------------ */

static char *read_file(const char *path, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int fd = real_open(path, O_RDONLY | O_CLOEXEC);
    ssize_t r;

    if (fd < 0) {
        free(buf);
        return NULL;
    }
    while ((r = real_read(fd, buf + n, cap - n - 1)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    real_close(fd);
    buf[n] = 0;
    *len = n;
    return buf;
}

SimVma *sim_vmas_read(size_t *nr)
{
    size_t len, n = 0, cap = 256;
    char *text = read_file("/proc/self/smaps", &len), *line, *save = NULL;
    SimVma *v = malloc(cap * sizeof(*v));
    unsigned long long start, end, kb;

    if (!text) {
        free(v);
        return NULL;
    }
    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (sscanf(line, "%llx-%llx ", &start, &end) == 2 &&
            strchr(line, '-') < strchr(line, ' ')) {
            if (n == cap) {
                cap *= 2;
                v = realloc(v, cap * sizeof(*v));
            }
            v[n++] = (SimVma) { .start = start, .end = end, .page_size = 0 };
        } else if (n && sscanf(line, "KernelPageSize: %llu kB", &kb) == 1) {
            v[n - 1].page_size = kb * 1024;
        }
    }
    free(text);
    *nr = n;
    return v;
}

const SimVma *sim_vmas_find(const SimVma *v, size_t nr, uint64_t addr)
{
    size_t i;

    for (i = 0; i < nr; i++) {
        if (addr >= v[i].start && addr < v[i].end) {
            return &v[i];
        }
    }
    return NULL;
}

/* --- file descriptors ---------------------------------------------------- */

static SimFile *lookup(int fd)
{
    if (fd < 0 || fd >= SIM_MAX_FD) {
        return NULL;
    }
    return __atomic_load_n(&sim_files[fd], __ATOMIC_ACQUIRE);
}

static int new_fd(SimFileKind kind, const char *name)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    SimFile *f;

    if (fd < 0) {
        return -errno;
    }
    if (fd >= SIM_MAX_FD) {
        real_close(fd);
        return -EMFILE;
    }
    f = calloc(1, sizeof(*f));
    f->kind = kind;
    __atomic_store_n(&sim_files[fd], f, __ATOMIC_RELEASE);
    sim_log("open %s fd=%d", name, fd);
    return fd;
}

static void mappings_report(const char *why)
{
    uint32_t i, n = 0;

    for (i = 0; i < SIM_MAX_WINDOWS; i++) {
        n += sim.pamu.win[i].size != 0;
    }
    sim_log("%s mappings=%u", why, n);
}

/*
 * The group leaves the container, explicitly or by closing its fd.  It is
 * the only group, so the container loses its IOMMU driver and the kernel
 * frees the PAMU domain with whatever is still mapped.
 */
static void group_detach(void)
{
    sim.group_attached = false;
    mappings_report("group-detach");
    sim_pamu_reset(&sim.pamu);
    sim.pamu.iommu_set = false;
}

static int sim_close_file(int fd, SimFile *f)
{
    __atomic_store_n(&sim_files[fd], NULL, __ATOMIC_RELEASE);
    switch (f->kind) {
    case SIM_CONTAINER:
        sim.container_open = false;
        mappings_report("container-close");
        break;
    case SIM_GROUP:
        sim.group_open = false;
        if (sim.group_attached) {
            group_detach();
        }
        break;
    case SIM_DEVICE:
        sim.device_open = false;
        sim_device_free(sim.device);
        sim.device = NULL;
        break;
    }
    sim_log("close fd=%d", fd);
    free(f);
    return real_close(fd);
}

/* --- paths --------------------------------------------------------------- */

static bool is_dev_path(const char *path)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "/dev/vfio/%u", sim_config.group);
    return !strcmp(path, "/dev/vfio/vfio") || !strcmp(path, buf);
}

/* The device's sysfs directory, or one of the entries under it */
static bool is_sysfs_path(const char *path, const char *entry)
{
    char buf[PATH_MAX];

    if (!path) {
        return false;
    }
    snprintf(buf, sizeof(buf), "/sys/bus/pci/devices/%s%s%s",
             sim_config.bdf, entry ? "/" : "", entry ? entry : "");
    return !strcmp(path, buf);
}

static bool is_sysfs_any(const char *path)
{
    char buf[PATH_MAX];
    size_t n = snprintf(buf, sizeof(buf), "/sys/bus/pci/devices/%s",
                        sim_config.bdf);

    return path && !strncmp(path, buf, n) && (path[n] == 0 || path[n] == '/');
}

static int sim_open_path(const char *path)
{
    int fd;

    if (!strcmp(path, "/dev/vfio/vfio")) {
        pthread_mutex_lock(&sim.lock);
        if (!sim.container_open && !sim.group_open && !sim.device_open) {
            /* a fresh host for each user: tests change the configuration */
            parse_config();
        }
        if (sim.container_open) {
            fd = -EBUSY;        /* one container is all this host has */
        } else {
            fd = new_fd(SIM_CONTAINER, "vfio-pamu-sim-container");
            sim.container_open = fd >= 0;
        }
        pthread_mutex_unlock(&sim.lock);
        return fd;
    }
    pthread_mutex_lock(&sim.lock);
    if (sim.group_open) {
        fd = -EBUSY;
    } else {
        fd = new_fd(SIM_GROUP, "vfio-pamu-sim-group");
        sim.group_open = fd >= 0;
    }
    pthread_mutex_unlock(&sim.lock);
    return fd;
}

/* Returns true if @path is the simulation's; *@ret is then the result. */
static bool sim_open(const char *path, int *ret)
{
    ensure_init();
    if (!path || (!is_dev_path(path) && !is_sysfs_any(path))) {
        return false;
    }
    if (is_sysfs_any(path)) {
        errno = ENOENT;     /* QEMU only stats and reads links there */
        *ret = -1;
        return true;
    }
    *ret = sim_open_path(path);
    if (*ret < 0) {
        errno = -*ret;
        *ret = -1;
    }
    return true;
}

/* --- ioctls -------------------------------------------------------------- */

static int group_ioctl(unsigned long req, void *arg)
{
    struct vfio_group_status *st = arg;
    int fd;

    switch (req) {
    case VFIO_GROUP_GET_STATUS:
        if (st->argsz < sizeof(*st)) {
            return -EINVAL;
        }
        st->flags = VFIO_GROUP_FLAGS_VIABLE |
                    (sim.group_attached ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
        return 0;
    case VFIO_GROUP_SET_CONTAINER:
        memcpy(&fd, arg, sizeof(fd));
        if (sim.group_attached) {
            return -EINVAL;
        }
        if (!lookup(fd)) {
            return fcntl(fd, F_GETFD) < 0 ? -EBADF : -EINVAL;
        }
        if (lookup(fd)->kind != SIM_CONTAINER) {
            return -EINVAL;
        }
        sim.group_attached = true;
        return 0;
    case VFIO_GROUP_UNSET_CONTAINER:
        if (!sim.group_attached) {
            return -EINVAL;
        }
        if (sim.device_open) {
            return -EBUSY;
        }
        group_detach();
        return 0;
    case VFIO_GROUP_GET_DEVICE_FD:
        if (!sim.group_attached || !sim.pamu.iommu_set) {
            return -EINVAL;
        }
        if (strcmp(arg, sim_config.bdf)) {
            return -ENODEV;
        }
        if (sim.device_open) {
            return -EBUSY;
        }
        fd = new_fd(SIM_DEVICE, "vfio-pamu-sim-device");
        if (fd >= 0) {
            sim.device_open = true;
            sim.device = sim_device_new(&sim.pamu);
        }
        return fd;
    }
    return -ENOTTY;
}

static void log_attr(const char *op, struct vfio_iommu_pamu_attr *a, int ret)
{
    switch (a->attribute) {
    case VFIO_PAMU_ATTR_GEOMETRY:
        sim_log("ioctl %s GEOMETRY start=0x%llx size=0x%llx ret=%d", op,
                (unsigned long long)a->geometry.aperture_start,
                (unsigned long long)a->geometry.aperture_size, ret);
        break;
    case VFIO_PAMU_ATTR_WINDOWS:
        sim_log("ioctl %s WINDOWS count=%u max_count=%u ret=%d", op,
                a->windows.count, a->windows.max_count, ret);
        break;
    case VFIO_PAMU_ATTR_STASH:
        sim_log("ioctl %s STASH cpu=%u cache=%u ret=%d", op, a->stash.cpu,
                a->stash.cache, ret);
        break;
    case VFIO_PAMU_ATTR_MSI_BANKS:
        sim_log("ioctl %s MSI_BANKS count=%u mapped=0x%llx ret=%d", op,
                a->msi_banks.count,
                (unsigned long long)a->msi_banks.mapped_mask, ret);
        break;
    case VFIO_PAMU_ATTR_FAULT:
        sim_log("ioctl %s FAULT count=%u disabled=%u last_iova=0x%llx ret=%d",
                op, a->fault.count, a->fault.disabled,
                (unsigned long long)a->fault.last_iova, ret);
        break;
    default:
        sim_log("ioctl %s attribute=%u ret=%d", op, a->attribute, ret);
    }
}

static void log_container_ioctl(unsigned long req, void *arg, int ret)
{
    struct vfio_iommu_type1_dma_map *map = arg;
    struct vfio_iommu_type1_dma_unmap *unmap = arg;
    struct vfio_iommu_pamu_attr *a = arg;

    switch (req) {
    case VFIO_IOMMU_MAP_DMA:
        sim_log("ioctl MAP_DMA flags=0x%x iova=0x%llx size=0x%llx "
                "vaddr=0x%llx ret=%d", map->flags,
                (unsigned long long)map->iova, (unsigned long long)map->size,
                (unsigned long long)map->vaddr, ret);
        break;
    case VFIO_IOMMU_UNMAP_DMA:
        sim_log("ioctl UNMAP_DMA flags=0x%x iova=0x%llx size=0x%llx ret=%d",
                unmap->flags, (unsigned long long)unmap->iova,
                (unsigned long long)unmap->size, ret);
        break;
    case VFIO_IOMMU_SET_ATTR:
    case VFIO_IOMMU_GET_ATTR:
        log_attr(req == VFIO_IOMMU_SET_ATTR ? "SET_ATTR" : "GET_ATTR", a,
                 ret);
        break;
    case VFIO_GET_API_VERSION:
        sim_log("ioctl GET_API_VERSION ret=%d", ret);
        break;
    case VFIO_CHECK_EXTENSION:
    case VFIO_SET_IOMMU:
        sim_log("ioctl %s type=%u ret=%d", req == VFIO_SET_IOMMU ?
                "SET_IOMMU" : "CHECK_EXTENSION", (uint32_t)(uintptr_t)arg,
                ret);
        break;
    case VFIO_IOMMU_GET_INFO:
        sim_log("ioctl GET_INFO argsz=%u ret=%d",
                ((struct vfio_iommu_type1_info *)arg)->argsz, ret);
        break;
    default:
        sim_log("ioctl container req=0x%lx ret=%d", req, ret);
    }
}

static int sim_ioctl(int fd, SimFile *f, unsigned long req, void *arg)
{
    int ret;

    pthread_mutex_lock(&sim.lock);
    switch (f->kind) {
    case SIM_CONTAINER:
        ret = sim_pamu_ioctl(&sim.pamu, sim.group_attached, req, arg);
        log_container_ioctl(req, arg, ret);
        break;
    case SIM_GROUP:
        ret = group_ioctl(req, arg);
        sim_log("ioctl group req=0x%lx ret=%d", req, ret);
        break;
    default:
        ret = sim_device_ioctl(sim.device, req, arg);
        break;
    }
    pthread_mutex_unlock(&sim.lock);
    return ret;
}

static ssize_t sim_rw(SimFile *f, void *buf, size_t len, uint64_t off,
                      bool write)
{
    ssize_t ret = -EINVAL;

    pthread_mutex_lock(&sim.lock);
    if (f->kind == SIM_DEVICE) {
        ret = sim_device_rw(sim.device, buf, len, off, write);
    }
    pthread_mutex_unlock(&sim.lock);
    if (ret < 0) {
        errno = -ret;
        return -1;
    }
    return ret;
}

/* --- the C library entry points ------------------------------------------ */

static mode_t open_mode(int flags, va_list ap)
{
    return flags & (O_CREAT | __O_TMPFILE) ? va_arg(ap, mode_t) : 0;
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;
    int fd;

    if (sim_open(path, &fd)) {
        return fd;
    }
    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;
    int fd;

    if (sim_open(path, &fd)) {
        return fd;
    }
    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return real_open64(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;
    int fd;

    if (sim_open(path, &fd)) {
        return fd;
    }
    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;
    int fd;

    if (sim_open(path, &fd)) {
        return fd;
    }
    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return real_openat64(dirfd, path, flags, mode);
}

/* _FORTIFY_SOURCE variants, which QEMU calls as often as the plain ones */
int __open_2(const char *path, int flags)
{
    return open(path, flags);
}

int __open64_2(const char *path, int flags)
{
    return open64(path, flags);
}

int __openat_2(int dirfd, const char *path, int flags)
{
    return openat(dirfd, path, flags);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
    return openat64(dirfd, path, flags);
}

ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
    if (len > buflen) {
        abort();
    }
    return read(fd, buf, len);
}

ssize_t __pread_chk(int fd, void *buf, size_t len, off_t off, size_t buflen)
{
    if (len > buflen) {
        abort();
    }
    return pread(fd, buf, len, off);
}

ssize_t __pread64_chk(int fd, void *buf, size_t len, off64_t off,
                      size_t buflen)
{
    if (len > buflen) {
        abort();
    }
    return pread64(fd, buf, len, off);
}

ssize_t __readlink_chk(const char *path, char *buf, size_t len,
                       size_t buflen)
{
    if (len > buflen) {
        abort();
    }
    return readlink(path, buf, len);
}

char *__realpath_chk(const char *path, char *resolved, size_t reslen)
{
    if (resolved && reslen < PATH_MAX) {
        abort();
    }
    return realpath(path, resolved);
}

int ioctl(int fd, unsigned long req, ...)
{
    SimFile *f = lookup(fd);
    va_list ap;
    void *arg;
    int ret;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (!f) {
        ensure_init();
        return real_ioctl(fd, req, arg);
    }
    ret = sim_ioctl(fd, f, req, arg);
    if (ret < 0) {
        errno = -ret;
        return -1;
    }
    return ret;
}

int close(int fd)
{
    SimFile *f = lookup(fd);
    int ret;

    if (!f) {
        ensure_init();
        return real_close(fd);
    }
    pthread_mutex_lock(&sim.lock);
    ret = sim_close_file(fd, f);
    pthread_mutex_unlock(&sim.lock);
    return ret;
}

ssize_t read(int fd, void *buf, size_t len)
{
    SimFile *f = lookup(fd);

    ensure_init();
    if (f) {
        errno = EINVAL;         /* vfio fds are only read at an offset */
        return -1;
    }
    return real_read(fd, buf, len);
}

ssize_t write(int fd, const void *buf, size_t len)
{
    SimFile *f = lookup(fd);

    ensure_init();
    if (f) {
        errno = EINVAL;
        return -1;
    }
    return sim_real_write(fd, buf, len);
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
    SimFile *f = lookup(fd);

    ensure_init();
    return f ? sim_rw(f, buf, len, off, false)
             : real_pread(fd, buf, len, off);
}

ssize_t pread64(int fd, void *buf, size_t len, off64_t off)
{
    SimFile *f = lookup(fd);

    ensure_init();
    return f ? sim_rw(f, buf, len, off, false)
             : real_pread64(fd, buf, len, off);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
    SimFile *f = lookup(fd);

    ensure_init();
    return f ? sim_rw(f, (void *)buf, len, off, true)
             : real_pwrite(fd, buf, len, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
    SimFile *f = lookup(fd);

    ensure_init();
    return f ? sim_rw(f, (void *)buf, len, off, true)
             : real_pwrite64(fd, buf, len, off);
}

/* No region of the simulated device offers VFIO_REGION_INFO_FLAG_MMAP. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    ensure_init();
    if (lookup(fd)) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    return real_mmap(addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
             off64_t off)
{
    ensure_init();
    if (lookup(fd)) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    return real_mmap64(addr, len, prot, flags, fd, off);
}

static void fake_dir_stat(struct stat64 *st)
{
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFDIR | 0755;
    st->st_nlink = 2;
}

int stat(const char *path, struct stat *st)
{
    ensure_init();
    if (is_sysfs_path(path, NULL)) {
        fake_dir_stat((struct stat64 *)st);
        return 0;
    }
    return real_stat(path, st);
}

int stat64(const char *path, struct stat64 *st)
{
    ensure_init();
    if (is_sysfs_path(path, NULL)) {
        fake_dir_stat(st);
        return 0;
    }
    return real_stat64(path, st);
}

int lstat(const char *path, struct stat *st)
{
    ensure_init();
    if (is_sysfs_path(path, NULL)) {
        fake_dir_stat((struct stat64 *)st);
        return 0;
    }
    return real_lstat(path, st);
}

int lstat64(const char *path, struct stat64 *st)
{
    ensure_init();
    if (is_sysfs_path(path, NULL)) {
        fake_dir_stat(st);
        return 0;
    }
    return real_lstat64(path, st);
}

ssize_t readlink(const char *path, char *buf, size_t len)
{
    char target[64];
    size_t n;

    ensure_init();
    if (!is_sysfs_any(path)) {
        return real_readlink(path, buf, len);
    }
    if (!is_sysfs_path(path, "iommu_group")) {
        errno = is_sysfs_path(path, NULL) ? EINVAL : ENOENT;
        return -1;
    }
    n = snprintf(target, sizeof(target),
                 "../../../../kernel/iommu_groups/%u", sim_config.group);
    n = n < len ? n : len;
    memcpy(buf, target, n);
    return n;
}

char *realpath(const char *path, char *resolved)
{
    const char *res;

    ensure_init();
    if (!is_sysfs_any(path)) {
        return real_realpath(path, resolved);
    }
    if (is_sysfs_path(path, "subsystem")) {
        res = "/sys/bus/pci";
    } else if (is_sysfs_path(path, NULL)) {
        res = path;
    } else {
        errno = ENOENT;
        return NULL;
    }
    if (!resolved) {
        return strdup(res);
    }
    snprintf(resolved, PATH_MAX, "%s", res);
    return resolved;
}
