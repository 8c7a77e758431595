/*
 * Internals of the QorIQ host simulation (see vfio-pamu-sim.h)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef VFIO_PAMU_SIM_INTERNAL_H
#define VFIO_PAMU_SIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SIM_MAX_WINDOWS     256
#define SIM_MAX_BANKS       64
#define SIM_BANK_SIZE       4096
#define SIM_NR_VECTORS      1

typedef struct SimConfig {
    char bdf[32];
    unsigned group;
    unsigned banks;
    unsigned max_windows;
    unsigned addr_bits;
    unsigned cpus;
} SimConfig;

extern SimConfig sim_config;

/*
 * What one window maps; size 0 means nothing.  A mapping is what one
 * VFIO_IOMMU_MAP_DMA call created: it may span several windows, and
 * map_iova/map_size (the call's range) identify it.
 */
typedef struct SimMapping {
    uint64_t size;          /* bytes from the window start */
    uint64_t vaddr;         /* host address of the window start */
    uint32_t flags;         /* VFIO_DMA_MAP_FLAG_READ/WRITE/MSI */
    int bank;               /* MSI bank, or -1 */
    uint64_t map_iova;
    uint64_t map_size;
} SimMapping;

/* The container and the PAMU domain behind it */
typedef struct SimPamu {
    bool iommu_set;
    uint64_t ap_start;
    uint64_t ap_size;       /* 0: no geometry */
    uint32_t count;         /* windows; 0 without geometry */
    uint32_t stash_cpu;
    uint32_t stash_cache;
    uint64_t banks_mapped;
    bool enabled;           /* PAACE valid: some mapping exists */
    SimMapping win[SIM_MAX_WINDOWS];
} SimPamu;

typedef enum SimFault {
    SIM_OK,
    SIM_FAULT_DISABLED,     /* no mapping at all: PAACE invalid */
    SIM_FAULT_APERTURE,
    SIM_FAULT_UNMAPPED,
    SIM_FAULT_PERM,
    SIM_FAULT_MSI_WINDOW,   /* memory access to a bank window */
} SimFault;

const char *sim_fault_name(SimFault f);

/* Container ioctls (VFIO_GET_API_VERSION ... VFIO_IOMMU_*): 0 or -errno */
int sim_pamu_ioctl(SimPamu *p, bool has_group, unsigned long req,
                   void *arg);
/* Drops every mapping and the geometry (the last group left) */
void sim_pamu_reset(SimPamu *p);
/*
 * Device access to @iova: the host pointer and the bytes left in the
 * mapping (*@len), or a fault.  @write: the device writes memory.
 */
SimFault sim_pamu_translate(SimPamu *p, uint64_t iova, bool write,
                            void **host, uint64_t *len);
/* Which bank a device write to @iova reaches, or -1 */
int sim_pamu_translate_msi(SimPamu *p, uint64_t iova);
/* The IOVA of the lowest window mapping a bank, or UINT64_MAX */
uint64_t sim_pamu_bank_window(SimPamu *p, int *bank);

/* The PCI function */
typedef struct SimDevice SimDevice;
SimDevice *sim_device_new(SimPamu *pamu);
void sim_device_free(SimDevice *d);
int sim_device_ioctl(SimDevice *d, unsigned long req, void *arg);
ssize_t sim_device_rw(SimDevice *d, void *buf, size_t len, uint64_t off,
                      bool write);

/* Process memory, from /proc/self/smaps */
typedef struct SimVma {
    uint64_t start;
    uint64_t end;
    uint64_t page_size;     /* KernelPageSize */
} SimVma;

/* The mappings of the process (free() them), or NULL */
SimVma *sim_vmas_read(size_t *nr);
/* The VMA holding @addr, or NULL */
const SimVma *sim_vmas_find(const SimVma *v, size_t nr, uint64_t addr);

/* Appends one line to the log, if there is one */
void sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The C library's _FORTIFY_SOURCE entry points the simulation wraps too;
 * glibc declares them only to itself.
 */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t len, off_t off, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t len, off64_t off,
                      size_t buflen);
ssize_t __readlink_chk(const char *path, char *buf, size_t len,
                       size_t buflen);
char *__realpath_chk(const char *path, char *resolved, size_t reslen);

/* The C library's own functions, for the simulation's internal use */
extern ssize_t (*sim_real_write)(int fd, const void *buf, size_t n);

#endif
