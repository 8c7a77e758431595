/*
 * Conformance suite of the PAMU vfio container: what the harness gives
 * the rules (conformance-harness.c) and the rules (conformance.c)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef VFIO_PAMU_CONFORMANCE_INT_H
#define VFIO_PAMU_CONFORMANCE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <linux/vfio.h>

#include "hw/vfio/fsl-pamu-uapi.h"
#include "conformance.h"

#define KiB             ((uint64_t)1024)
#define MiB             (1024 * KiB)
#define GiB             (1024 * MiB)
#define RW              (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)
#define MSI             VFIO_DMA_MAP_FLAG_MSI
#define CONF_MAX_REACH  16
#define CONF_MAX_MAPS   16
#define CONF_OFFSETOFEND(t, f)  (offsetof(t, f) + sizeof(((t *)0)->f))

typedef struct ConfRange {
    uint64_t start;
    uint64_t last;
} ConfRange;

typedef struct ConfMem {
    void *addr;
    size_t len;
} ConfMem;

typedef struct Conf {
    const ConfHost *host;
    int container;
    int group;
    int device;
    /* verdict of the current rule */
    bool failed;
    bool skipped;
    char skip_reason[200];
    unsigned checks;        /* made by the current rule */
    /* what the current rule holds and the harness gives back */
    ConfMem mem[CONF_MAX_MAPS];
    unsigned nr_mem;
    int efd;
    bool rlimit_saved;
    struct rlimit memlock;
    bool cap_dropped;
    long hugepages_added;
    /* the host, as the uAPI reports it */
    unsigned addr_bits;
    uint32_t max_windows;
    uint32_t banks;
    unsigned nr_reach;
    ConfRange reach[CONF_MAX_REACH];
} Conf;

/* --- verdicts ------------------------------------------------------------ */

bool conf_check(Conf *c, bool ok, int line, const char *what);
bool conf_check_int(Conf *c, int64_t got, int64_t want, int line,
                    const char *what);
bool conf_check_hex(Conf *c, uint64_t got, uint64_t want, int line,
                    const char *what);
void conf_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The rule cannot run on this host: a TAP skip with @fmt as the reason */
void conf_skip(Conf *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define CHECK(c, cond)          conf_check(c, (cond), __LINE__, #cond)
#define CHECK_INT(c, a, b)      conf_check_int(c, (a), (b), __LINE__, #a)
#define CHECK_HEX(c, a, b)      conf_check_hex(c, (a), (b), __LINE__, #a)
/* The rest of the rule makes no sense if these fail */
#define REQUIRE(c, cond)        do { if (!CHECK(c, cond)) return; } while (0)
#define REQUIRE_INT(c, a, b) \
    do { if (!CHECK_INT(c, a, b)) return; } while (0)

/* A Conf for @host holding nothing */
void conf_init(Conf *c, const ConfHost *host);
/* Gives back everything the current rule took */
void conf_release(Conf *c);

/* --- the container ------------------------------------------------------- */

/* ioctl() as 0 (or its non-negative result) or -errno */
int conf_ioctl(int fd, unsigned long req, void *arg);
/* Container and group, the group attached, the type set: 0 or -errno */
int conf_open(Conf *c);
/* The same without VFIO_SET_IOMMU */
int conf_open_untyped(Conf *c);
int conf_open_device(Conf *c);
void conf_close(Conf *c);

int conf_attr(Conf *c, bool set, uint32_t which,
              struct vfio_iommu_pamu_attr *a);
int conf_set_geometry(Conf *c, uint64_t start, uint64_t size);
int conf_set_windows(Conf *c, uint32_t count);
/* Both, and fails the rule unless both succeed */
bool conf_geometry(Conf *c, uint64_t start, uint64_t size, uint32_t count);
int conf_map(Conf *c, uint32_t flags, uint64_t iova, uint64_t size,
             const void *vaddr);
int conf_unmap(Conf *c, uint32_t flags, uint64_t iova, uint64_t size,
               uint64_t *unmapped);
int conf_get_fault(Conf *c, struct vfio_iommu_pamu_attr *a);
int conf_set_fault(Conf *c, uint32_t disabled);
int conf_get_banks(Conf *c, struct vfio_iommu_pamu_attr *a);
/* GET_INFO into a buffer the caller frees; NULL if it failed */
struct vfio_iommu_type1_info *conf_info(Conf *c);
/* Its IOVA_RANGE capability, or NULL */
struct vfio_iommu_type1_info_cap_iova_range *
conf_info_ranges(struct vfio_iommu_type1_info *info);

/* --- the host's facts ---------------------------------------------------- */

/*
 * A naturally aligned aperture of @size bytes that lies wholly in one
 * reachable range and at or above @above, or false.
 */
bool conf_pick_aperture(Conf *c, uint64_t size, uint64_t above,
                        uint64_t *start);
/* Whether every IOVA in [start, last] is reachable */
bool conf_reachable(Conf *c, uint64_t start, uint64_t last);

/* --- memory -------------------------------------------------------------- */

/* Anonymous memory of small pages, every page touched */
void *conf_small_pages(Conf *c, size_t len);
/*
 * Two small pages, virtually adjacent and physically not (where the
 * process can read page frame numbers; the simulation needs no more)
 */
void *conf_discontig_pair(Conf *c);
/*
 * @mem or the page after it, whichever is not physically aligned to
 * @align: @mem must reach a page further than the caller uses
 */
void *conf_unaligned_phys(void *mem, uint64_t align);
/* @n hugepages of the host's default size (*@size), or NULL (skipped) */
void *conf_hugepages(Conf *c, unsigned n, uint64_t *size);
void conf_unmap_mem(Conf *c, void *addr, size_t len);

/* --- process limits ------------------------------------------------------- */

/* VmLck of the process in bytes */
uint64_t conf_vmlck(void);
/* RLIMIT_MEMLOCK's soft limit, restored after the rule */
bool conf_set_memlock(Conf *c, uint64_t bytes);
/* CAP_IPC_LOCK in the effective set; false if it cannot be changed */
bool conf_cap_ipc_lock(Conf *c, bool on);

/* --- the device ---------------------------------------------------------- */

int conf_msi_eventfd(Conf *c);
int conf_msi_off(Conf *c);
/* MSIs counted by the eventfd within settle_ms */
uint64_t conf_msi_wait(Conf *c, uint64_t want);
/* FAULT once its count reaches @want or settle_ms passed */
void conf_fault_wait(Conf *c, uint32_t want, struct vfio_iommu_pamu_attr *a);
void conf_sleep_ms(unsigned ms);

/* --- the rules ---------------------------------------------------------- */

typedef struct ConfRule {
    const char *name;
    void (*fn)(Conf *c);
} ConfRule;

extern const ConfRule conf_rules[];
/* Fills in the facts; false if the host cannot be used at all */
bool conf_learn_host(Conf *c);

#endif /* VFIO_PAMU_CONFORMANCE_INT_H */
