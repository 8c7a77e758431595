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
#define SIM_MAX_INBOUND     8

/* [start, last]: IOVAs one inbound window of the host controller reaches */
typedef struct SimRange {
    uint64_t start;
    uint64_t last;
} SimRange;

typedef struct SimConfig {
    char bdf[32];
    unsigned group;
    unsigned banks;
    unsigned max_windows;
    unsigned addr_bits;
    unsigned cpus;
    /* deepest cache with a stash id, as a host's device tree gives them */
    unsigned stash_levels;
    /* the host controller's inbound windows; none: it reaches everything */
    SimRange inbound[SIM_MAX_INBOUND];
    unsigned nr_inbound;
    int64_t memlock;            /* RLIMIT_MEMLOCK to apply; -1: the real one */
    int cap_ipc_lock;           /* 0 or 1; -1: whether the process has it */
    uint64_t shared_banks;      /* banks other containers or the host use */
    bool allow_unsafe_interrupts;
    /* fault injection: MAP_DMA number fail_map, or covering fail_iova */
    unsigned fail_map;          /* 1-based; 0: none */
    uint64_t fail_iova;         /* UINT64_MAX: none */
    int fail_errno;
    /* an x86 host's type1 container instead of a PAMU (sim-type1.c) */
    bool type1;
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

/* One VFIO_IOMMU_MAP_DMA of a type1 container */
typedef struct SimT1Mapping {
    uint64_t iova;
    uint64_t size;
    uint64_t vaddr;
    uint32_t flags;
} SimT1Mapping;

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
    uint64_t pinned;        /* bytes charged to locked memory */
    unsigned map_calls;     /* VFIO_IOMMU_MAP_DMA calls, for fail_map */
    /* violations, and the LIODN disabled by the last one */
    uint32_t fault_count;
    uint64_t fault_iova;
    bool liodn_off;
    SimMapping win[SIM_MAX_WINDOWS];
    /* type1 mode: the mappings, in no order */
    SimT1Mapping *t1;
    size_t nr_t1;
} SimPamu;

typedef enum SimFault {
    SIM_OK,
    SIM_BANK,               /* a write that reached an MSI bank page */
    SIM_FAULT_DISABLED,     /* no mapping at all: PAACE invalid */
    SIM_FAULT_LIODN_OFF,    /* disabled by an earlier violation */
    SIM_FAULT_APERTURE,
    SIM_FAULT_UNMAPPED,
    SIM_FAULT_PERM,
} SimFault;

const char *sim_fault_name(SimFault f);

/* Container ioctls (VFIO_GET_API_VERSION ... VFIO_IOMMU_*): 0 or -errno */
int sim_pamu_ioctl(SimPamu *p, bool has_group, unsigned long req,
                   void *arg);
/* Drops every mapping and the geometry (the last group left) */
void sim_pamu_reset(SimPamu *p);
/*
 * Device access to @iova: the host pointer and the bytes left in the
 * mapping (*@len), SIM_BANK and the bytes left in the bank page, or a
 * fault.  @write: the device writes memory.  A fault while the domain and
 * the LIODN are enabled is a violation: it is counted and disables the
 * LIODN, as the host's access violation handler does.
 */
SimFault sim_pamu_translate(SimPamu *p, uint64_t iova, bool write,
                            void **host, uint64_t *len);
/*
 * Writes the IOVA_RANGE capability of VFIO_IOMMU_GET_INFO, or only the
 * argsz it needs if @info is too small (as type1 does); returns 0.
 */
struct vfio_iommu_type1_info;
struct vfio_iova_range;
int sim_info_put_ranges(struct vfio_iommu_type1_info *info,
                        const struct vfio_iova_range *ranges, uint32_t n);

/* The same for type1 mode (sim-type1.c) */
int sim_type1_ioctl(SimPamu *p, bool has_group, unsigned long req,
                    void *arg);
void sim_type1_reset(SimPamu *p);
SimFault sim_type1_translate(SimPamu *p, uint64_t iova, bool write,
                             void **host, uint64_t *len);
/* Which bank an MSI write to @iova raises an interrupt in, or -1 */
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
