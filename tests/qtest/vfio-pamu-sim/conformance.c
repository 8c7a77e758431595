/*
 * Conformance suite of the PAMU vfio container: the rules of
 * docs/devel/vfio-pamu.rst ("The interface") and of §2.1 of the contract,
 * each with the error code it gives
 *
 * Addresses are relative to apertures the rules pick inside the host's
 * reachable IOVAs, and the bank count, window limit and address width are
 * the host's, so that the simulation and a real kernel run the same
 * checks.  A rule that needs something the host lacks (a shared MSI bank,
 * an unreachable IOVA, hugepages, CAP_IPC_LOCK) says so as a TAP skip.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "conformance-int.h"

/* 16 windows of 4 KiB: the aperture most rules use */
#define AP_SMALL        (64 * KiB)
#define W4K             (4 * KiB)
#define PATTERN_LEN     64

static bool need_windows(Conf *c, uint32_t n)
{
    if (c->max_windows < n) {
        conf_skip(c, "the rule needs %u windows, the host allows %u", n,
                  c->max_windows);
        return false;
    }
    return true;
}

static bool aperture(Conf *c, uint64_t size, uint64_t *start)
{
    if (!conf_pick_aperture(c, size, 0, start)) {
        conf_skip(c, "no reachable naturally aligned %" PRIu64 " KiB",
                  size / KiB);
        return false;
    }
    return true;
}

/* A typed container with 16 windows of 4 KiB at *@ap */
static bool small_geometry(Conf *c, uint64_t *ap)
{
    return need_windows(c, 16) && aperture(c, AP_SMALL, ap) &&
           CHECK_INT(c, conf_open(c), 0) &&
           conf_geometry(c, *ap, AP_SMALL, 16);
}

static uint64_t banks_mask(Conf *c)
{
    struct vfio_iommu_pamu_attr a;

    CHECK_INT(c, conf_get_banks(c, &a), 0);
    return a.msi_banks.mapped_mask;
}

static uint32_t banks_isolated(Conf *c)
{
    struct vfio_iommu_pamu_attr a;

    CHECK_INT(c, conf_get_banks(c, &a), 0);
    return a.msi_banks.isolated;
}

static int map_raw(Conf *c, uint32_t flags, uint64_t iova, uint64_t size,
                   uint64_t vaddr)
{
    struct vfio_iommu_type1_dma_map m = {
        .argsz = sizeof(m), .flags = flags, .iova = iova, .size = size,
        .vaddr = vaddr,
    };

    return conf_ioctl(c->container, VFIO_IOMMU_MAP_DMA, &m);
}

static uint64_t lowbit(uint64_t v)
{
    return v & -v;
}

/* --- container ------------------------------------------------------------ */

static void rule_extensions(Conf *c)
{
    REQUIRE_INT(c, conf_open_untyped(c), 0);
    CHECK_INT(c, conf_ioctl(c->container, VFIO_CHECK_EXTENSION,
                            (void *)(uintptr_t)VFIO_FSL_PAMU_IOMMU), 1);
    CHECK_INT(c, conf_ioctl(c->container, VFIO_CHECK_EXTENSION,
                            (void *)(uintptr_t)VFIO_UNMAP_ALL), 1);
    CHECK_INT(c, conf_ioctl(c->container, VFIO_CHECK_EXTENSION,
                            (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU), 0);
    CHECK_INT(c, conf_ioctl(c->container, VFIO_CHECK_EXTENSION,
                            (void *)(uintptr_t)VFIO_SPAPR_TCE_v2_IOMMU), 0);
    CHECK_INT(c, conf_ioctl(c->container, VFIO_CHECK_EXTENSION,
                            (void *)(uintptr_t)VFIO_DMA_CC_IOMMU), 0);
}

static void rule_set_iommu(Conf *c)
{
    struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
    struct vfio_iommu_pamu_attr a = { 0 };
    int fd = open("/dev/vfio/vfio", O_RDWR);

    /* no group in the container */
    REQUIRE(c, fd >= 0);
    CHECK_INT(c, conf_ioctl(fd, VFIO_SET_IOMMU,
                            (void *)(uintptr_t)VFIO_FSL_PAMU_IOMMU), -EINVAL);
    close(fd);

    REQUIRE_INT(c, conf_open_untyped(c), 0);
    /* no type yet: every VFIO_IOMMU_* ioctl fails */
    CHECK_INT(c, conf_attr(c, false, VFIO_PAMU_ATTR_GEOMETRY, &a), -EINVAL);
    CHECK_INT(c, conf_ioctl(c->container, VFIO_IOMMU_GET_INFO, &info),
              -EINVAL);
    CHECK_INT(c, conf_map(c, RW, 0, W4K, &a), -EINVAL);
    CHECK_INT(c, conf_unmap(c, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, NULL),
              -EINVAL);
    CHECK_INT(c, conf_ioctl(c->container, VFIO_SET_IOMMU,
                            (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU), -ENODEV);
    CHECK_INT(c, conf_ioctl(c->container, VFIO_SET_IOMMU,
                            (void *)(uintptr_t)VFIO_FSL_PAMU_IOMMU), 0);
    CHECK_INT(c, conf_ioctl(c->container, VFIO_SET_IOMMU,
                            (void *)(uintptr_t)VFIO_FSL_PAMU_IOMMU), -EINVAL);
}

static void rule_fresh_state(Conf *c)
{
    struct vfio_iommu_pamu_attr a = { 0 };

    REQUIRE_INT(c, conf_open(c), 0);
    CHECK_INT(c, conf_attr(c, false, VFIO_PAMU_ATTR_GEOMETRY, &a), 0);
    CHECK_HEX(c, a.geometry.aperture_size, 0);
    memset(&a, 0, sizeof(a));
    CHECK_INT(c, conf_attr(c, false, VFIO_PAMU_ATTR_WINDOWS, &a), 0);
    CHECK_INT(c, a.windows.count, 0);
    CHECK(c, a.windows.max_count >= 1 && a.windows.max_count <= 256);
    memset(&a, 0, sizeof(a));
    CHECK_INT(c, conf_attr(c, false, VFIO_PAMU_ATTR_STASH, &a), 0);
    CHECK_INT(c, a.stash.cache, VFIO_PAMU_STASH_OFF);
    CHECK_HEX(c, banks_mask(c), 0);
    CHECK_INT(c, conf_get_fault(c, &a), 0);
    CHECK_INT(c, a.fault.count, 0);
    CHECK_INT(c, a.fault.disabled, 0);
    CHECK_HEX(c, a.fault.last_iova, 0);
}

/* The last group leaves: the domain goes with its mappings, type unset */
static void rule_last_group_leaves(Conf *c)
{
    struct vfio_iommu_pamu_attr a = { 0 };
    uint64_t ap;
    void *mem;

    if (!small_geometry(c, &ap)) {
        return;
    }
    mem = conf_small_pages(c, W4K);
    REQUIRE(c, mem);
    REQUIRE_INT(c, conf_map(c, RW, ap, W4K, mem), 0);
    REQUIRE_INT(c, conf_ioctl(c->group, VFIO_GROUP_UNSET_CONTAINER, NULL),
                0);
    CHECK_INT(c, conf_attr(c, false, VFIO_PAMU_ATTR_GEOMETRY, &a), -EINVAL);
    REQUIRE_INT(c, conf_ioctl(c->group, VFIO_GROUP_SET_CONTAINER,
                              &c->container), 0);
    REQUIRE_INT(c, conf_ioctl(c->container, VFIO_SET_IOMMU,
                              (void *)(uintptr_t)VFIO_FSL_PAMU_IOMMU), 0);
    CHECK_INT(c, conf_attr(c, false, VFIO_PAMU_ATTR_GEOMETRY, &a), 0);
    CHECK_HEX(c, a.geometry.aperture_size, 0);
    /* nothing of the old domain is left: the window maps again */
    REQUIRE(c, conf_geometry(c, ap, AP_SMALL, 16));
    CHECK_INT(c, conf_map(c, RW, ap, W4K, mem), 0);
}

/* Closing the container frees the domain and uncharges what it mapped */
static void rule_close_uncharges(Conf *c)
{
    uint8_t *mem = conf_small_pages(c, 16 * KiB);
    uint64_t ap, base = conf_vmlck();

    if (!mem || !need_windows(c, 16) || !aperture(c, AP_SMALL, &ap)) {
        return;
    }
    if (!conf_cap_ipc_lock(c, false) ||
        !conf_set_memlock(c, base + 8 * KiB)) {
        conf_skip(c, "CAP_IPC_LOCK or RLIMIT_MEMLOCK cannot be changed");
        return;
    }
    REQUIRE_INT(c, conf_open(c), 0);
    REQUIRE(c, conf_geometry(c, ap, AP_SMALL, 16));
    REQUIRE_INT(c, conf_map(c, RW, ap, 8 * KiB, mem), 0);
    CHECK_INT(c, conf_map(c, RW, ap + 8 * KiB, W4K, mem), -ENOMEM);
    conf_close(c);
    REQUIRE_INT(c, conf_open(c), 0);
    REQUIRE(c, conf_geometry(c, ap, AP_SMALL, 16));
    CHECK_INT(c, conf_map(c, RW, ap, 8 * KiB, mem), 0);
}

/* --- attributes ---------------------------------------------------------- */

static void rule_attr_args(Conf *c)
{
    struct vfio_iommu_pamu_attr a = { 0 };
    unsigned long req[] = { VFIO_IOMMU_GET_ATTR, VFIO_IOMMU_SET_ATTR };
    unsigned i;

    REQUIRE_INT(c, conf_open(c), 0);
    for (i = 0; i < 2; i++) {
        a = (struct vfio_iommu_pamu_attr) {
            .argsz = VFIO_PAMU_ATTR_ARGSZ_MIN - 1,
            .attribute = VFIO_PAMU_ATTR_STASH,
        };
        CHECK_INT(c, conf_ioctl(c->container, req[i], &a), -EINVAL);
        a = (struct vfio_iommu_pamu_attr) {
            .argsz = sizeof(a), .flags = 1, .attribute = VFIO_PAMU_ATTR_STASH,
        };
        CHECK_INT(c, conf_ioctl(c->container, req[i], &a), -EINVAL);
        a = (struct vfio_iommu_pamu_attr) {
            .argsz = sizeof(a), .pad = 1, .attribute = VFIO_PAMU_ATTR_STASH,
        };
        CHECK_INT(c, conf_ioctl(c->container, req[i], &a), -EINVAL);
        a = (struct vfio_iommu_pamu_attr) { .argsz = sizeof(a),
                                            .attribute = 5 };
        CHECK_INT(c, conf_ioctl(c->container, req[i], &a), -EINVAL);
    }
    /* the first version of the struct had 32 bytes */
    a = (struct vfio_iommu_pamu_attr) {
        .argsz = VFIO_PAMU_ATTR_ARGSZ_MIN, .attribute = VFIO_PAMU_ATTR_WINDOWS,
    };
    CHECK_INT(c, conf_ioctl(c->container, VFIO_IOMMU_GET_ATTR, &a), 0);
    CHECK(c, a.windows.max_count >= 1);
}

/* A caller of the 32-byte struct is not told @isolated, nor written to */
static void rule_attr_argsz_versions(Conf *c)
{
    struct vfio_iommu_pamu_attr a = {
        .argsz = VFIO_PAMU_ATTR_ARGSZ_MIN,
        .attribute = VFIO_PAMU_ATTR_MSI_BANKS,
        .msi_banks.isolated = 7, .msi_banks.reserved = 9,
    };

    REQUIRE_INT(c, conf_open(c), 0);
    CHECK_INT(c, conf_ioctl(c->container, VFIO_IOMMU_GET_ATTR, &a), 0);
    CHECK_INT(c, a.msi_banks.count, c->banks);
    CHECK_INT(c, a.msi_banks.isolated, 7);
    CHECK_INT(c, a.msi_banks.reserved, 9);
    a.argsz = 36;
    CHECK_INT(c, conf_ioctl(c->container, VFIO_IOMMU_GET_ATTR, &a), 0);
    CHECK_INT(c, a.msi_banks.isolated, 1);
    CHECK_INT(c, a.msi_banks.reserved, 9);
    a = (struct vfio_iommu_pamu_attr) {
        .argsz = sizeof(a), .attribute = VFIO_PAMU_ATTR_MSI_BANKS,
        .msi_banks.reserved = 9,
    };
    CHECK_INT(c, conf_ioctl(c->container, VFIO_IOMMU_GET_ATTR, &a), 0);
    CHECK_INT(c, a.msi_banks.reserved, 0);
}

static void rule_geometry(Conf *c)
{
    struct vfio_iommu_pamu_attr a = { 0 };
    uint64_t ap, end = c->addr_bits == 64 ? 0 : 1ULL << c->addr_bits;
    void *mem = conf_small_pages(c, W4K);

    if (!mem || !aperture(c, 2 * MiB, &ap)) {
        return;
    }
    REQUIRE_INT(c, conf_open(c), 0);
    CHECK_INT(c, conf_set_geometry(c, ap, 3 * MiB), -EINVAL);
    CHECK_INT(c, conf_set_geometry(c, ap, 2 * KiB), -EINVAL);
    CHECK_INT(c, conf_set_geometry(c, ap, 0), -EINVAL);
    CHECK_INT(c, conf_set_geometry(c, ap + 1 * MiB, 2 * MiB), -EINVAL);
    if (end) {
        /* ends beyond the PAMU, or starts there */
        CHECK_INT(c, conf_set_geometry(c, 0, end << 1), -EINVAL);
        CHECK_INT(c, conf_set_geometry(c, end, 4 * KiB), -EINVAL);
    }
    CHECK_INT(c, conf_set_geometry(c, ap, 2 * MiB), 0);
    CHECK_INT(c, conf_set_geometry(c, ap + 1 * MiB, 1 * MiB), 0);
    CHECK_INT(c, conf_attr(c, false, VFIO_PAMU_ATTR_GEOMETRY, &a), 0);
    CHECK_HEX(c, a.geometry.aperture_start, ap + 1 * MiB);
    CHECK_HEX(c, a.geometry.aperture_size, 1 * MiB);

    /* a new geometry resets the window count to 1; EBUSY while mapped */
    REQUIRE_INT(c, conf_set_windows(c, 16), 0);
    REQUIRE_INT(c, conf_map(c, RW, ap + 1 * MiB, W4K, mem), 0);
    CHECK_INT(c, conf_set_geometry(c, ap, 1 * MiB), -EBUSY);
    CHECK_INT(c, conf_set_geometry(c, ap, 3 * MiB), -EINVAL);
    CHECK_INT(c, conf_unmap(c, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, NULL), 0);
    CHECK_INT(c, conf_set_geometry(c, ap, 1 * MiB), 0);
    memset(&a, 0, sizeof(a));
    CHECK_INT(c, conf_attr(c, false, VFIO_PAMU_ATTR_WINDOWS, &a), 0);
    CHECK_INT(c, a.windows.count, 1);
}

/* The first IOVA after a reachable range that is not reachable, or 0 */
static uint64_t unreachable_after(Conf *c)
{
    uint64_t b;
    unsigned i;

    for (i = 0; i < c->nr_reach; i++) {
        b = c->reach[i].last + 1;
        if (b && (c->addr_bits == 64 || b < 1ULL << c->addr_bits) &&
            !conf_reachable(c, b, b)) {
            return b;
        }
    }
    return 0;
}

static void rule_geometry_reachable(Conf *c)
{
    uint64_t b = unreachable_after(c), s = lowbit(b);

    if (!b) {
        conf_skip(c, "every IOVA of the PAMU is reachable on this host");
        return;
    }
    REQUIRE_INT(c, conf_open(c), 0);
    /* not one reachable IOVA in it */
    CHECK_INT(c, conf_set_geometry(c, b, 4 * KiB), -EINVAL);
    /* straddling the end of the reachable range is fine */
    CHECK_INT(c, conf_set_geometry(c, b - s, 2 * s), 0);
}

static void rule_windows(Conf *c)
{
    struct vfio_iommu_pamu_attr a = { 0 };
    uint32_t max = c->max_windows;
    uint64_t ap, size = max * 4 * KiB;
    void *mem = conf_small_pages(c, W4K);

    if (!mem || !aperture(c, size, &ap)) {
        return;
    }
    REQUIRE_INT(c, conf_open(c), 0);
    CHECK_INT(c, conf_attr(c, false, VFIO_PAMU_ATTR_WINDOWS, &a), 0);
    CHECK_INT(c, a.windows.count, 0);
    CHECK_INT(c, conf_set_windows(c, 2), -EINVAL);          /* no geometry */
    REQUIRE_INT(c, conf_set_geometry(c, ap, size), 0);
    CHECK_INT(c, conf_set_windows(c, 0), -EINVAL);
    if (max >= 4) {
        CHECK_INT(c, conf_set_windows(c, 3), -EINVAL);
    }
    CHECK_INT(c, conf_set_windows(c, max * 2), -EINVAL);
    /* max_count is ignored on SET */
    a = (struct vfio_iommu_pamu_attr) { .windows.count = max,
                                        .windows.max_count = 1 };
    CHECK_INT(c, conf_attr(c, true, VFIO_PAMU_ATTR_WINDOWS, &a), 0);
    if (max >= 2) {
        /* 2 KiB windows */
        REQUIRE_INT(c, conf_set_geometry(c, ap, size / 2), 0);
        CHECK_INT(c, conf_set_windows(c, max), -EINVAL);
        CHECK_INT(c, conf_set_windows(c, max / 2), 0);
    }
    memset(&a, 0, sizeof(a));
    CHECK_INT(c, conf_attr(c, false, VFIO_PAMU_ATTR_WINDOWS, &a), 0);
    CHECK_INT(c, a.windows.count, max >= 2 ? max / 2 : max);
    CHECK_INT(c, a.windows.max_count, max);
    REQUIRE_INT(c, conf_map(c, RW, ap, W4K, mem), 0);
    CHECK_INT(c, conf_set_windows(c, 1), -EBUSY);
    CHECK_INT(c, conf_set_windows(c, 3), -EINVAL);
}

static void rule_stash(Conf *c)
{
    struct vfio_iommu_pamu_attr a = { 0 };

    REQUIRE_INT(c, conf_open(c), 0);
    a.stash.cpu = 0;
    a.stash.cache = 4;
    CHECK_INT(c, conf_attr(c, true, VFIO_PAMU_ATTR_STASH, &a), -EINVAL);
    a.stash.cpu = 65535;
    a.stash.cache = VFIO_PAMU_STASH_L1;
    CHECK_INT(c, conf_attr(c, true, VFIO_PAMU_ATTR_STASH, &a), -EINVAL);
    /* off needs no CPU */
    a.stash.cache = VFIO_PAMU_STASH_OFF;
    CHECK_INT(c, conf_attr(c, true, VFIO_PAMU_ATTR_STASH, &a), 0);
    a.stash.cpu = 0;
    a.stash.cache = VFIO_PAMU_STASH_L1;
    CHECK_INT(c, conf_attr(c, true, VFIO_PAMU_ATTR_STASH, &a), 0);
    /*
     * No L3 stash id on either host (QEMU's e500 machines have no CPC, the
     * simulation models their device tree): refused, the L1 target kept.
     */
    a.stash.cache = VFIO_PAMU_STASH_L3;
    CHECK_INT(c, conf_attr(c, true, VFIO_PAMU_ATTR_STASH, &a), -ENODEV);
    memset(&a, 0, sizeof(a));
    CHECK_INT(c, conf_attr(c, false, VFIO_PAMU_ATTR_STASH, &a), 0);
    CHECK_INT(c, a.stash.cpu, 0);
    CHECK_INT(c, a.stash.cache, VFIO_PAMU_STASH_L1);
}

static void rule_msi_banks(Conf *c)
{
    struct vfio_iommu_pamu_attr a = { 0 };

    REQUIRE_INT(c, conf_open(c), 0);
    a.msi_banks.isolated = 7;
    CHECK_INT(c, conf_attr(c, false, VFIO_PAMU_ATTR_MSI_BANKS, &a), 0);
    CHECK(c, a.msi_banks.count <= 64);
    CHECK_INT(c, a.msi_banks.bank_size, 4096);
    CHECK_HEX(c, a.msi_banks.mapped_mask, 0);
    CHECK_INT(c, a.msi_banks.isolated, 1);         /* none mapped */
    CHECK_INT(c, conf_attr(c, true, VFIO_PAMU_ATTR_MSI_BANKS, &a), -EINVAL);
}

static void rule_fault_attr(Conf *c)
{
    struct vfio_iommu_pamu_attr a;

    REQUIRE_INT(c, conf_open(c), 0);
    CHECK_INT(c, conf_set_fault(c, 1), -EINVAL);
    CHECK_INT(c, conf_set_fault(c, 2), -EINVAL);
    CHECK_INT(c, conf_set_fault(c, 0), 0);          /* not disabled */
    CHECK_INT(c, conf_get_fault(c, &a), 0);
    CHECK_INT(c, a.fault.disabled, 0);
    CHECK_INT(c, a.fault.count, 0);
}

/* --- VFIO_IOMMU_GET_INFO ------------------------------------------------- */

static void rule_info_argsz(Conf *c)
{
    struct vfio_iommu_type1_info small = { .argsz = 8 };

    REQUIRE_INT(c, conf_open(c), 0);
    CHECK_INT(c, conf_ioctl(c->container, VFIO_IOMMU_GET_INFO, &small),
              -EINVAL);
    small.argsz = sizeof(small);
    CHECK_INT(c, conf_ioctl(c->container, VFIO_IOMMU_GET_INFO, &small), 0);
    CHECK(c, small.argsz > sizeof(small));
    CHECK_INT(c, small.cap_offset, 0);
    CHECK_HEX(c, small.flags, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
    /* as type1: nothing is written beyond argsz, which only grows */
    small.argsz = CONF_OFFSETOFEND(struct vfio_iommu_type1_info,
                                   iova_pgsizes);
    small.cap_offset = 0x5a5a5a5a;
    CHECK_INT(c, conf_ioctl(c->container, VFIO_IOMMU_GET_INFO, &small), 0);
    CHECK_HEX(c, small.cap_offset, 0x5a5a5a5a);
    CHECK(c, small.argsz > sizeof(small));
}

/* A caller's larger buffer keeps its argsz */
static void rule_info_big_buffer(Conf *c)
{
    union {
        struct vfio_iommu_type1_info info;
        uint8_t bytes[4096];
    } big = { .info.argsz = sizeof(big) };

    REQUIRE_INT(c, conf_open(c), 0);
    CHECK_INT(c, conf_ioctl(c->container, VFIO_IOMMU_GET_INFO, &big), 0);
    CHECK_INT(c, big.info.argsz, sizeof(big));
    CHECK_INT(c, big.info.cap_offset, sizeof(big.info));
}

static void rule_info_before_geometry(Conf *c)
{
    struct vfio_iommu_type1_info *info;
    struct vfio_iommu_type1_info_cap_iova_range *cap;
    unsigned top = c->addr_bits == 64 ? 63 : c->addr_bits, i;
    uint64_t want = (top == 63 ? ~0ULL : (2ULL << top) - 1) & ~0xfffULL;

    REQUIRE_INT(c, conf_open(c), 0);
    info = conf_info(c);
    REQUIRE(c, info);
    cap = conf_info_ranges(info);
    CHECK_HEX(c, info->flags, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
    /* bits 12 to address_bits, every size a window may take */
    CHECK_HEX(c, info->iova_pgsizes, want);
    if (CHECK(c, cap && cap->nr_iovas >= 1)) {
        for (i = 0; i < cap->nr_iovas; i++) {
            CHECK(c, cap->iova_ranges[i].start <= cap->iova_ranges[i].end);
            CHECK(c, c->addr_bits == 64 ||
                  cap->iova_ranges[i].end < 1ULL << c->addr_bits);
            /* sorted and merged */
            CHECK(c, i == 0 || cap->iova_ranges[i].start >
                               cap->iova_ranges[i - 1].end + 1);
        }
    }
    free(info);
}

/* Appends [s, e] minus the MSI windows to @out */
static unsigned cut_msi(uint64_t s, uint64_t e, uint64_t ap, uint64_t w,
                        uint64_t msi_windows, ConfRange *out, unsigned n)
{
    uint64_t ws, we;
    unsigned k;

    for (k = 0; k < 64 && s <= e; k++) {
        ws = ap + k * w;
        we = ws + w - 1;
        if (!(msi_windows >> k & 1) || we < s || ws > e) {
            continue;
        }
        if (ws > s && n < CONF_MAX_REACH) {
            out[n++] = (ConfRange) { s, ws - 1 };
        }
        if (we >= e) {
            return n;
        }
        s = we + 1;
    }
    if (s <= e && n < CONF_MAX_REACH) {
        out[n++] = (ConfRange) { s, e };
    }
    return n;
}

/* What GET_INFO must say: the reachable part of [ap, ap+size) minus MSI */
static unsigned expect_ranges(Conf *c, uint64_t ap, uint64_t size,
                              uint64_t w, uint64_t msi_windows,
                              ConfRange *out)
{
    uint64_t s, e, last = ap + size - 1;
    unsigned n = 0, i;

    for (i = 0; i < c->nr_reach; i++) {
        s = c->reach[i].start > ap ? c->reach[i].start : ap;
        e = c->reach[i].last < last ? c->reach[i].last : last;
        if (s <= e) {
            n = cut_msi(s, e, ap, w, msi_windows, out, n);
        }
    }
    return n;
}

static void check_ranges(Conf *c, uint64_t ap, uint64_t size, uint64_t w,
                         uint64_t msi_windows)
{
    ConfRange want[CONF_MAX_REACH];
    unsigned n = expect_ranges(c, ap, size, w, msi_windows, want), i;
    struct vfio_iommu_type1_info *info = conf_info(c);
    struct vfio_iommu_type1_info_cap_iova_range *cap;

    REQUIRE(c, info);
    cap = conf_info_ranges(info);
    CHECK_HEX(c, info->iova_pgsizes, w);
    if (CHECK(c, cap) && CHECK_INT(c, cap->nr_iovas, n)) {
        for (i = 0; i < n; i++) {
            CHECK_HEX(c, cap->iova_ranges[i].start, want[i].start);
            CHECK_HEX(c, cap->iova_ranges[i].end, want[i].last);
        }
    }
    free(info);
}

static void rule_info_after_geometry(Conf *c)
{
    uint64_t ap, w = 128 * KiB, msi = 1 << 2;

    if (!need_windows(c, 8) || !aperture(c, 8 * w, &ap)) {
        return;
    }
    REQUIRE_INT(c, conf_open(c), 0);
    REQUIRE(c, conf_geometry(c, ap, 8 * w, 8));
    check_ranges(c, ap, 8 * w, w, 0);
    if (c->banks < 1) {
        conf_skip(c, "the host has no MSI bank");
        return;
    }
    REQUIRE_INT(c, conf_map(c, MSI, ap + 2 * w, w, NULL), 0);
    if (c->banks >= 2) {
        REQUIRE_INT(c, conf_map(c, MSI, ap + 7 * w, w, NULL), 0);
        msi |= 1 << 7;
    }
    check_ranges(c, ap, 8 * w, w, msi);
}

/* --- VFIO_IOMMU_MAP_DMA -------------------------------------------------- */

static void rule_map_args(Conf *c)
{
    struct vfio_iommu_type1_dma_map m = { .argsz = 16, .flags = RW };
    uint8_t *mem = conf_small_pages(c, 64 * KiB);
    uint64_t ap;

    if (!mem || !need_windows(c, 16) || !aperture(c, AP_SMALL, &ap)) {
        return;
    }
    REQUIRE_INT(c, conf_open(c), 0);
    CHECK_INT(c, conf_map(c, RW, ap, W4K, mem), -EINVAL);  /* no geometry */
    REQUIRE(c, conf_geometry(c, ap, AP_SMALL, 16));
    m.iova = ap;
    m.size = W4K;
    m.vaddr = (uintptr_t)mem;
    CHECK_INT(c, conf_ioctl(c->container, VFIO_IOMMU_MAP_DMA, &m), -EINVAL);
    CHECK_INT(c, conf_map(c, RW | VFIO_DMA_MAP_FLAG_VADDR, ap, W4K, mem),
              -EINVAL);
    CHECK_INT(c, conf_map(c, RW | 1 << 7, ap, W4K, mem), -EINVAL);
    CHECK_INT(c, conf_map(c, 0, ap, W4K, mem), -EINVAL);
    CHECK_INT(c, conf_map(c, RW, ap, 0, mem), -EINVAL);
    CHECK_INT(c, conf_map(c, RW, ap + AP_SMALL, W4K, mem), -EINVAL);
    CHECK_INT(c, conf_map(c, RW, ap + AP_SMALL - W4K, 2 * W4K, mem),
              -EINVAL);
    CHECK_INT(c, conf_map(c, RW, ap + 2 * KiB, W4K, mem), -EINVAL);
    CHECK_INT(c, conf_map(c, RW, ap, 6 * KiB, mem), -EINVAL);
    CHECK_INT(c, map_raw(c, RW, ap, 2 * W4K, UINT64_MAX - W4K + 1),
              -EINVAL);
    /* host memory that is not mapped at all */
    CHECK_INT(c, map_raw(c, RW, ap, W4K, 4096), -EFAULT);
    CHECK_INT(c, conf_map(c, RW, ap, 2 * W4K, mem), 0);
    CHECK_INT(c, conf_map(c, VFIO_DMA_MAP_FLAG_WRITE, ap + 2 * W4K, W4K,
                          mem), 0);                         /* write-only */
    CHECK_INT(c, conf_map(c, VFIO_DMA_MAP_FLAG_READ, ap + W4K, 2 * W4K, mem),
              -EEXIST);
}

/* More than one small page in a window is not contiguous memory */
static void rule_map_small_pages(Conf *c)
{
    uint8_t *mem = conf_small_pages(c, 4 * MiB), *pair;
    uint64_t ap, w = 2 * MiB;

    if (!mem || !need_windows(c, 16) || !aperture(c, 16 * w, &ap)) {
        return;
    }
    pair = conf_discontig_pair(c);
    if (!pair) {
        return;
    }
    REQUIRE_INT(c, conf_open(c), 0);
    REQUIRE(c, conf_geometry(c, ap, 16 * w, 16));
    /* not contiguous, or if it is, not aligned to the window */
    CHECK_INT(c, conf_map(c, RW, ap, w, conf_unaligned_phys(mem, w)),
              -EINVAL);
    CHECK_INT(c, conf_map(c, RW, ap, W4K, mem), 0);         /* partial */
    CHECK_INT(c, conf_map(c, RW, ap + w, 8 * KiB, pair), -EINVAL);
    CHECK_INT(c, conf_map(c, RW, ap + w, 12 * KiB, mem), -EINVAL);
    CHECK_INT(c, conf_map(c, RW, ap + w + W4K, W4K, mem), -EINVAL);
    CHECK_INT(c, conf_map(c, RW, ap + 2 * w, W4K, mem + W4K), 0);
    CHECK_INT(c, conf_map(c, RW, ap + 3 * w, 2 * KiB, mem), -EINVAL);
    /* a hole inside a window's memory is EFAULT, before contiguity */
    munmap(mem + 3 * W4K, W4K);
    CHECK_INT(c, conf_map(c, RW, ap + 4 * w, 16 * KiB, mem + 2 * W4K),
              -EFAULT);
}

/* A hugepage is contiguous; a window maps it aligned, all or nothing */
static void rule_map_hugepages(Conf *c)
{
    uint64_t hp = 0, ap, n;
    uint8_t *huge = conf_hugepages(c, 2, &hp);

    if (!need_windows(c, 16) || !huge || !aperture(c, 16 * hp, &ap)) {
        return;
    }
    REQUIRE_INT(c, conf_open(c), 0);
    REQUIRE(c, conf_geometry(c, ap, 16 * hp, 16));
    /* two hugepages: two whole windows, one call */
    CHECK_INT(c, conf_map(c, RW, ap, 2 * hp, huge), 0);
    CHECK_INT(c, conf_unmap(c, 0, ap, 2 * hp, &n), 0);
    CHECK_HEX(c, n, 2 * hp);
    /* inside one hugepage, but not aligned to the window */
    CHECK_INT(c, conf_map(c, RW, ap, hp, huge + W4K), -EINVAL);
    CHECK_INT(c, conf_map(c, RW, ap, W4K, huge + W4K), 0);
    CHECK_INT(c, conf_unmap(c, 0, ap, W4K, NULL), 0);
    /* all or nothing: the second window's memory is gone */
    conf_unmap_mem(c, huge, 2 * hp);
    huge = conf_hugepages(c, 2, &hp);
    REQUIRE(c, huge);
    munmap(huge + hp, hp);
    CHECK_INT(c, conf_map(c, RW, ap, 2 * hp, huge), -EFAULT);
    CHECK_INT(c, conf_map(c, RW, ap, hp, huge), 0);
}

/* No window outside the reachable ranges maps, memory or MSI */
static void rule_map_reachable(Conf *c)
{
    uint64_t b = unreachable_after(c), s, ap, w;
    uint8_t *mem = conf_small_pages(c, 8 * KiB);

    if (!b) {
        conf_skip(c, "every IOVA of the PAMU is reachable on this host");
        return;
    }
    if (!mem || !need_windows(c, 16)) {
        return;
    }
    /* an aperture of 16 windows whose upper part is unreachable */
    s = lowbit(b) < 32 * KiB ? 64 * KiB : 2 * lowbit(b);
    ap = b & ~(s - 1);
    w = s / 16;
    REQUIRE(c, (b - ap) % w == 0 && b > ap);
    if (!conf_reachable(c, b - w, b - 1)) {
        conf_skip(c, "the reachable range that ends at 0x%" PRIx64
                  " is shorter than a window of %" PRIu64 " KiB", b, w / KiB);
        return;
    }
    REQUIRE_INT(c, conf_open(c), 0);
    REQUIRE(c, conf_geometry(c, ap, s, 16));
    CHECK_INT(c, conf_map(c, RW, b, W4K, mem), -EINVAL);
    CHECK_INT(c, conf_map(c, RW, b - w, 2 * w, mem), -EINVAL);
    CHECK_INT(c, conf_map(c, MSI, b, w, NULL), -EINVAL);
    if (c->banks >= 2) {
        CHECK_INT(c, conf_map(c, MSI, b - w, 2 * w, NULL), -EINVAL);
    }
    CHECK_INT(c, conf_map(c, RW, b - w, W4K, mem), 0);
    /* reachability is checked before EEXIST */
    CHECK_INT(c, conf_map(c, RW, b - w, 2 * w, mem), -EINVAL);
    CHECK_INT(c, conf_map(c, RW, b - w, W4K, mem), -EEXIST);
    if (c->banks >= 1 && b - ap >= 2 * w &&
        conf_reachable(c, b - 2 * w, b - w - 1)) {
        CHECK_INT(c, conf_map(c, MSI, b - 2 * w, w, NULL), 0);
        CHECK_INT(c, __builtin_popcountll(banks_mask(c)), 1);
        check_ranges(c, ap, s, w, 1ULL << ((b - ap) / w - 2));
    }
}

/*
 * Locked memory: every byte of every memory mapping is charged, beyond
 * RLIMIT_MEMLOCK ENOMEM and nothing mapped.  Without CAP_IPC_LOCK.
 */
static void rule_map_memlock(Conf *c)
{
    uint8_t *mem = conf_small_pages(c, 64 * KiB);
    uint64_t ap, n, base = conf_vmlck();

    if (!mem || !small_geometry(c, &ap)) {
        return;
    }
    if (!conf_cap_ipc_lock(c, false)) {
        conf_skip(c, "CAP_IPC_LOCK cannot be dropped");
        return;
    }
    if (!conf_set_memlock(c, base + 16 * KiB)) {
        conf_skip(c, "RLIMIT_MEMLOCK cannot be set to %" PRIu64 " bytes",
                  base + 16 * KiB);
        return;
    }
    CHECK_INT(c, conf_map(c, RW, ap, 8 * KiB, mem), 0);
    /* the same memory at another IOVA is charged again */
    CHECK_INT(c, conf_map(c, RW, ap + 8 * KiB, 8 * KiB, mem), 0);
    CHECK_INT(c, conf_map(c, RW, ap + 16 * KiB, W4K, mem), -ENOMEM);
    /* MSI windows map no process memory */
    if (c->banks >= 1) {
        CHECK_INT(c, conf_map(c, MSI, ap + 60 * KiB, W4K, NULL), 0);
    }
    /* ENOMEM comes after EEXIST, and is all or nothing */
    CHECK_INT(c, conf_map(c, RW, ap + 8 * KiB, 8 * KiB, mem), -EEXIST);
    CHECK_INT(c, conf_map(c, RW, ap + 16 * KiB, 8 * KiB, mem), -ENOMEM);
    CHECK_INT(c, conf_unmap(c, 0, ap + 16 * KiB, 8 * KiB, &n), 0);
    CHECK_HEX(c, n, 0);
    /* unmapping uncharges */
    CHECK_INT(c, conf_unmap(c, 0, ap, 8 * KiB, &n), 0);
    CHECK_HEX(c, n, 8 * KiB);
    CHECK_INT(c, conf_map(c, RW, ap + 16 * KiB, 8 * KiB, mem), 0);
}

/* CAP_IPC_LOCK lifts the limit */
static void rule_map_memlock_cap(Conf *c)
{
    uint8_t *mem = conf_small_pages(c, 64 * KiB);
    uint64_t ap;

    if (!mem || !small_geometry(c, &ap)) {
        return;
    }
    if (!conf_cap_ipc_lock(c, true)) {
        conf_skip(c, "CAP_IPC_LOCK is not in the permitted set%s",
                  geteuid() ? " (not root)" : "");
        return;
    }
    if (!conf_set_memlock(c, conf_vmlck() + 4 * KiB)) {
        conf_skip(c, "RLIMIT_MEMLOCK cannot be lowered");
        return;
    }
    CHECK_INT(c, conf_map(c, RW, ap, 16 * KiB, mem), 0);
}

static void rule_map_msi(Conf *c)
{
    uint8_t *mem = conf_small_pages(c, 64 * KiB);
    uint64_t ap, n, all;
    uint32_t b = c->banks, k;
    int ret = 0;

    if (!mem || !need_windows(c, 16) || !aperture(c, AP_SMALL, &ap)) {
        return;
    }
    if (b < 1 || b > 12) {
        conf_skip(c, "the rule needs 1 to 12 MSI banks, the host has %u", b);
        return;
    }
    all = b == 64 ? ~0ULL : (1ULL << b) - 1;
    REQUIRE_INT(c, conf_open(c), 0);
    CHECK_INT(c, conf_map(c, MSI, ap, W4K, NULL), -EINVAL);   /* geometry */
    REQUIRE(c, conf_geometry(c, ap, AP_SMALL, 16));
    CHECK_INT(c, conf_map(c, MSI, ap, W4K, mem), -EINVAL);    /* vaddr */
    CHECK_INT(c, conf_map(c, MSI | VFIO_DMA_MAP_FLAG_WRITE, ap, W4K, NULL),
              -EINVAL);
    CHECK_INT(c, conf_map(c, MSI, ap + 2 * KiB, W4K, NULL), -EINVAL);
    CHECK_INT(c, conf_map(c, MSI, ap, 0, NULL), -EINVAL);
    CHECK_INT(c, conf_map(c, MSI, ap, 6 * KiB, NULL), -EINVAL);
    CHECK_INT(c, conf_map(c, MSI, ap, (b + 1) * W4K, NULL), -EINVAL);
    CHECK_INT(c, conf_map(c, MSI, ap + AP_SMALL - W4K, 2 * W4K, NULL),
              -EINVAL);
    REQUIRE_INT(c, conf_map(c, RW, ap + 15 * W4K, W4K, mem), 0);
    CHECK_INT(c, conf_map(c, MSI, ap + 15 * W4K - b * W4K + W4K, b * W4K,
                          NULL), -EEXIST);
    /* one bank per window, until no bank the host gives is left */
    for (k = 0; k < b; k++) {
        ret = conf_map(c, MSI, ap + k * W4K, W4K, NULL);
        if (ret) {
            break;
        }
        CHECK_INT(c, __builtin_popcountll(banks_mask(c)), k + 1);
    }
    REQUIRE_INT(c, k ? 0 : ret, 0);
    if (k == b) {
        CHECK_HEX(c, banks_mask(c), all);
        ret = conf_map(c, MSI, ap + 14 * W4K, W4K, NULL);
        CHECK_INT(c, ret, -ENOSPC);
    } else {
        /* the rest is shared: see map/msi-isolation */
        CHECK_INT(c, ret, -EPERM);
    }
    CHECK_INT(c, conf_unmap(c, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, NULL), 0);
    CHECK_HEX(c, banks_mask(c), 0);
    /* several windows in one call, unmapped like any mapping */
    CHECK_INT(c, conf_map(c, MSI, ap, k * W4K, NULL), 0);
    CHECK_INT(c, __builtin_popcountll(banks_mask(c)), k);
    CHECK_INT(c, conf_unmap(c, 0, ap, k * W4K, &n), 0);
    CHECK_HEX(c, n, k * W4K);
    CHECK_HEX(c, banks_mask(c), 0);
}

/* The byte count of an unmapped MSI mapping is its size as mapped */
static void rule_unmap_msi_size(Conf *c)
{
    uint64_t ap, w = 64 * KiB, n;

    if (c->banks < 1) {
        conf_skip(c, "the host has no MSI bank");
        return;
    }
    if (!need_windows(c, 16) || !aperture(c, 16 * w, &ap)) {
        return;
    }
    REQUIRE_INT(c, conf_open(c), 0);
    REQUIRE(c, conf_geometry(c, ap, 16 * w, 16));
    REQUIRE_INT(c, conf_map(c, MSI, ap + 15 * w, w, NULL), 0);
    CHECK_INT(c, conf_unmap(c, 0, ap + 15 * w, w, &n), 0);
    CHECK_HEX(c, n, w);
}

/*
 * Isolation, learnt from the host: MSI windows go to exclusive banks
 * first, lowest first; a shared bank only with allow_unsafe_interrupts,
 * otherwise EPERM; ENOSPC is checked before EPERM.
 */
static void rule_map_msi_isolation(Conf *c)
{
    uint64_t ap, mask = 0, now, last_bit = 0;
    uint32_t b = c->banks, k, exclusive = 0;
    int ret = 0;
    bool shared_seen = false;

    if (b < 1 || b > 15 || c->max_windows < 16) {
        conf_skip(c, "the rule needs 1 to 15 MSI banks and 16 windows");
        return;
    }
    if (!small_geometry(c, &ap)) {
        return;
    }
    for (k = 0; k < b; k++) {
        ret = conf_map(c, MSI, ap + k * W4K, W4K, NULL);
        if (ret) {
            break;
        }
        now = banks_mask(c);
        CHECK_INT(c, __builtin_popcountll(now & ~mask), 1);
        if (!banks_isolated(c)) {
            shared_seen = true;
        } else {
            /* an exclusive bank never comes after a shared one */
            CHECK(c, !shared_seen);
            CHECK(c, (now & ~mask) > last_bit);
            last_bit = now & ~mask;
            exclusive++;
        }
        mask = now;
    }
    if (ret == -EPERM) {
        conf_diag("%u exclusive bank(s), the other %u shared, unsafe "
                  "interrupts not allowed", exclusive, b - exclusive);
        CHECK_HEX(c, banks_mask(c), mask);
        CHECK_INT(c, banks_isolated(c), 1);
        /* more windows than unmapped banks: ENOSPC before EPERM */
        CHECK_INT(c, conf_map(c, MSI, ap + 8 * W4K, (b - k + 1) * W4K, NULL),
                  b - k + 1 <= b ? -ENOSPC : -EINVAL);
        CHECK_INT(c, conf_unmap(c, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, NULL), 0);
        /* n windows need n exclusive banks */
        CHECK_INT(c, conf_map(c, MSI, ap, (exclusive + 1) * W4K, NULL),
                  -EPERM);
        CHECK_HEX(c, banks_mask(c), 0);
        return;
    }
    CHECK_INT(c, ret, 0);
    CHECK_INT(c, conf_map(c, MSI, ap + 15 * W4K, W4K, NULL), -ENOSPC);
    if (!shared_seen) {
        conf_skip(c, "all %u bank(s) are exclusive to the container", b);
        return;
    }
    conf_diag("%u exclusive bank(s), shared ones mapped: unsafe interrupts "
              "allowed", exclusive);
    /* unmapping the shared banks makes the container isolated again */
    CHECK_INT(c, conf_unmap(c, 0, ap + exclusive * W4K,
                            (b - exclusive) * W4K, &now), 0);
    CHECK_HEX(c, now, (b - exclusive) * W4K);
    CHECK_INT(c, banks_isolated(c), 1);
}

/* --- VFIO_IOMMU_UNMAP_DMA ------------------------------------------------ */

static void rule_unmap_args(Conf *c)
{
    struct vfio_iommu_type1_dma_unmap u = { .argsz = 16, .size = 4096 };
    uint64_t ap, n = 1;

    if (!need_windows(c, 16) || !aperture(c, AP_SMALL, &ap)) {
        return;
    }
    REQUIRE_INT(c, conf_open(c), 0);
    CHECK_INT(c, conf_unmap(c, 0, ap, W4K, &n), 0);       /* nothing */
    CHECK_HEX(c, n, 0);
    REQUIRE(c, conf_geometry(c, ap, AP_SMALL, 16));
    u.iova = ap;
    CHECK_INT(c, conf_ioctl(c->container, VFIO_IOMMU_UNMAP_DMA, &u),
              -EINVAL);
    CHECK_INT(c, conf_unmap(c, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, ap, W4K,
                            NULL), -EINVAL);
    CHECK_INT(c, conf_unmap(c, VFIO_DMA_UNMAP_FLAG_VADDR, ap, W4K, NULL),
              -EINVAL);
    CHECK_INT(c, conf_unmap(c, VFIO_DMA_UNMAP_FLAG_ALL, 0, W4K, NULL),
              -EINVAL);
    CHECK_INT(c, conf_unmap(c, VFIO_DMA_UNMAP_FLAG_ALL, ap ? ap : W4K, 0,
                            NULL), -EINVAL);
    CHECK_INT(c, conf_unmap(c, 0, ap, 0, NULL), -EINVAL);
    CHECK_INT(c, conf_unmap(c, 0, ap + 2 * KiB, W4K, NULL), -EINVAL);
    CHECK_INT(c, conf_unmap(c, 0, ap, 6 * KiB, NULL), -EINVAL);
    CHECK_INT(c, conf_unmap(c, 0, -W4K, 2 * W4K, NULL), -EINVAL);
}

static void rule_unmap_whole(Conf *c)
{
    uint8_t *mem = conf_small_pages(c, 64 * KiB);
    uint64_t ap, n, msi = 0;

    if (!mem || !small_geometry(c, &ap)) {
        return;
    }
    /* one mapping over two windows, one partial... */
    REQUIRE_INT(c, conf_map(c, RW, ap, 8 * KiB, mem), 0);
    REQUIRE_INT(c, conf_map(c, RW, ap + 16 * KiB, W4K, mem + 16 * KiB), 0);
    /* ...and MSI windows */
    if (c->banks >= 1) {
        msi = (c->banks >= 2 ? 2 : 1) * W4K;
        REQUIRE_INT(c, conf_map(c, MSI, ap + AP_SMALL - msi, msi, NULL), 0);
    }
    /* cutting a mapping in two is refused and unmaps nothing */
    CHECK_INT(c, conf_unmap(c, 0, ap, W4K, &n), -EINVAL);
    CHECK_INT(c, conf_unmap(c, 0, ap + W4K, 16 * KiB, &n), -EINVAL);
    if (msi > W4K) {
        CHECK_INT(c, conf_unmap(c, 0, ap + AP_SMALL - W4K, W4K, &n),
                  -EINVAL);
    }
    CHECK_INT(c, conf_map(c, RW, ap, W4K, mem), -EEXIST);
    CHECK_INT(c, conf_map(c, RW, ap + 16 * KiB, W4K, mem), -EEXIST);
    /* mappings wholly inside go, the byte count comes back */
    CHECK_INT(c, conf_unmap(c, 0, ap, 12 * KiB, &n), 0);
    CHECK_HEX(c, n, 8 * KiB);
    CHECK_INT(c, conf_unmap(c, 0, ap, 12 * KiB, &n), 0);
    CHECK_HEX(c, n, 0);
    CHECK_INT(c, conf_map(c, RW, ap, W4K, mem), 0);
    /* several at once */
    CHECK_INT(c, conf_unmap(c, 0, ap, 20 * KiB, &n), 0);
    CHECK_HEX(c, n, 8 * KiB);
    CHECK_INT(c, conf_map(c, RW, ap, W4K, mem), 0);
    /* everything, MSI included */
    CHECK_INT(c, conf_unmap(c, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &n), 0);
    CHECK_HEX(c, n, W4K + msi);
    CHECK_HEX(c, banks_mask(c), 0);
}

/* --- the device: DMA and MSI through the windows ------------------------- */

static void fill(uint8_t *p, unsigned len, uint8_t seed)
{
    unsigned i;

    for (i = 0; i < len; i++) {
        p[i] = seed + i * 7;
    }
}

static bool dma(Conf *c, uint64_t iova, uint32_t off, uint32_t len,
                bool to_ram)
{
    int ret = c->host->dev->dma(c->device, iova, off, len, to_ram);

    if (ret) {
        conf_diag("%s: DMA of %u bytes at IOVA 0x%" PRIx64 ": %s",
                  c->host->dev->name, len, iova, strerror(-ret));
        c->failed = true;
    }
    return !ret;
}

/* A device with 16 windows of 4 KiB: *@ap */
static bool device_geometry(Conf *c, uint64_t *ap)
{
    if (!small_geometry(c, ap)) {
        return false;
    }
    return CHECK_INT(c, conf_open_device(c), 0);
}

static void expect_faults(Conf *c, uint32_t count, uint32_t disabled,
                          uint64_t last_iova)
{
    struct vfio_iommu_pamu_attr a;

    conf_fault_wait(c, count, &a);
    /* a violation too many needs time to show too */
    conf_sleep_ms(c->host->settle_ms / 2);
    CHECK_INT(c, conf_get_fault(c, &a), 0);
    CHECK_INT(c, a.fault.count, count);
    CHECK_INT(c, a.fault.disabled, disabled);
    CHECK_HEX(c, a.fault.last_iova, last_iova);
}

/* While nothing is mapped the PAACE is invalid: DMA fails, uncounted */
static void rule_device_domain_disabled(Conf *c)
{
    uint8_t *mem = conf_small_pages(c, 64 * KiB);
    uint64_t ap;

    if (!mem || !device_geometry(c, &ap)) {
        return;
    }
    dma(c, ap + W4K, 0, 4, true);
    expect_faults(c, 0, 0, 0);
    REQUIRE_INT(c, conf_map(c, RW, ap, W4K, mem), 0);
    REQUIRE_INT(c, conf_unmap(c, 0, ap, W4K, NULL), 0);
    fill(mem, PATTERN_LEN, 0x11);
    dma(c, ap, 0, 4, false);
    dma(c, ap + W4K, 0, 4, true);
    expect_faults(c, 0, 0, 0);
}

/* Device reads across two windows, then writes across two others */
static void rule_device_dma(Conf *c)
{
    uint8_t *mem = conf_small_pages(c, 64 * KiB), pat[PATTERN_LEN];
    uint64_t ap;

    if (!mem || !device_geometry(c, &ap)) {
        return;
    }
    fill(pat, sizeof(pat), 0xa0);
    /* window 1 -> mem + 8 KiB, window 2 -> mem, window 3 -> mem + 16 KiB */
    REQUIRE_INT(c, conf_map(c, RW, ap + W4K, W4K, mem + 8 * KiB), 0);
    REQUIRE_INT(c, conf_map(c, RW, ap + 2 * W4K, W4K, mem), 0);
    REQUIRE_INT(c, conf_map(c, RW, ap + 3 * W4K, 2 * W4K, mem + 16 * KiB),
                0);
    memcpy(mem + 12 * KiB - 32, pat, 32);
    memcpy(mem, pat + 32, 32);
    REQUIRE(c, dma(c, ap + 2 * W4K - 32, 0, PATTERN_LEN, false));
    REQUIRE(c, dma(c, ap + 4 * W4K - 32, 0, PATTERN_LEN, true));
    CHECK(c, !memcmp(mem + 20 * KiB - 32, pat, 32));
    CHECK(c, !memcmp(mem + 20 * KiB, pat + 32, 32));
    expect_faults(c, 0, 0, 0);
}

/* Exactly the permissions asked for: read-only, then write-only */
static void rule_device_permissions(Conf *c)
{
    uint8_t *mem = conf_small_pages(c, 64 * KiB), pat[PATTERN_LEN];
    uint8_t *ro = mem + 16 * KiB, *wo = mem + 20 * KiB;
    uint64_t ap, w4, w5;

    if (!mem || !device_geometry(c, &ap)) {
        return;
    }
    w4 = ap + 4 * W4K;
    w5 = ap + 5 * W4K;
    REQUIRE_INT(c, conf_map(c, RW, ap, W4K, mem), 0);
    REQUIRE_INT(c, conf_map(c, VFIO_DMA_MAP_FLAG_READ, w4, W4K, ro), 0);
    REQUIRE_INT(c, conf_map(c, VFIO_DMA_MAP_FLAG_WRITE, w5, W4K, wo), 0);
    fill(ro, PATTERN_LEN, 0x40);
    fill(pat, PATTERN_LEN, 0x40);
    /* read-only: the device reads it, and the bytes arrive */
    REQUIRE(c, dma(c, w4, 0, PATTERN_LEN, false));
    REQUIRE(c, dma(c, ap, 0, PATTERN_LEN, true));
    CHECK(c, !memcmp(mem, pat, PATTERN_LEN));
    /* but cannot write it */
    fill(mem, PATTERN_LEN, 0x77);
    REQUIRE(c, dma(c, ap, 0, PATTERN_LEN, false));
    REQUIRE(c, dma(c, w4 + 256, 0, 4, true));
    expect_faults(c, 1, 1, w4 + 256);
    CHECK(c, ro[256] == 0);
    REQUIRE_INT(c, conf_set_fault(c, 0), 0);
    /* write-only: the device writes it */
    REQUIRE(c, dma(c, w5, 0, PATTERN_LEN, true));
    fill(pat, PATTERN_LEN, 0x77);
    CHECK(c, !memcmp(wo, pat, PATTERN_LEN));
    /* but cannot read it */
    REQUIRE(c, dma(c, w5 + 512, 0, 4, false));
    expect_faults(c, 2, 1, w5 + 512);
}

/*
 * A violation disables the LIODN as Linux's pamu_av_isr does: all DMA and
 * MSIs stop, uncounted, until FAULT is set to 0; mapping goes on.
 */
static void rule_device_violation(Conf *c)
{
    uint8_t *mem = conf_small_pages(c, 64 * KiB), pat[PATTERN_LEN];
    uint64_t ap, bad;
    bool msi = c->banks >= 1;

    if (!mem || !device_geometry(c, &ap)) {
        return;
    }
    bad = ap + 2 * W4K + 0x468;
    REQUIRE_INT(c, conf_map(c, RW, ap, W4K, mem), 0);
    if (msi) {
        REQUIRE_INT(c, conf_map(c, MSI, ap + 15 * W4K, W4K, NULL), 0);
        REQUIRE_INT(c, conf_msi_eventfd(c), 0);
        REQUIRE_INT(c, c->host->dev->msi_send(c->device), 0);
        CHECK_INT(c, conf_msi_wait(c, 1), 1);
    }
    fill(mem, PATTERN_LEN, 0x21);
    REQUIRE(c, dma(c, ap, 0, PATTERN_LEN, false));
    /* a DMA into a window that maps nothing */
    REQUIRE(c, dma(c, bad, 0, 4, true));
    expect_faults(c, 1, 1, bad);
    /* everything stops, and is not counted again */
    memset(mem + 2 * KiB, 0, PATTERN_LEN);
    REQUIRE(c, dma(c, ap + 2 * KiB, 0, PATTERN_LEN, true));
    if (msi) {
        REQUIRE_INT(c, c->host->dev->msi_send(c->device), 0);
        CHECK_INT(c, conf_msi_wait(c, 1), 0);
    }
    expect_faults(c, 1, 1, bad);
    fill(pat, PATTERN_LEN, 0x21);
    CHECK(c, memcmp(mem + 2 * KiB, pat, PATTERN_LEN));
    /* mapping goes on while the LIODN is off */
    CHECK_INT(c, conf_map(c, RW, ap + W4K, W4K, mem + W4K), 0);
    /* re-enabled: DMA and MSIs flow again */
    CHECK_INT(c, conf_set_fault(c, 0), 0);
    expect_faults(c, 1, 0, bad);
    REQUIRE(c, dma(c, ap + W4K, 0, PATTERN_LEN, true));
    CHECK(c, !memcmp(mem + W4K, pat, PATTERN_LEN));
    if (msi) {
        REQUIRE_INT(c, c->host->dev->msi_send(c->device), 0);
        CHECK_INT(c, conf_msi_wait(c, 1), 1);
    }
}

/* A DMA outside the aperture is a violation too */
static void rule_device_outside_aperture(Conf *c)
{
    uint8_t *mem = conf_small_pages(c, 64 * KiB);
    uint64_t ap, out;

    if (!mem || !device_geometry(c, &ap)) {
        return;
    }
    out = ap + AP_SMALL + 0x40;
    if (!conf_reachable(c, out, out + 3)) {
        conf_skip(c, "the IOVA after the aperture is not reachable");
        return;
    }
    REQUIRE_INT(c, conf_map(c, RW, ap, W4K, mem), 0);
    REQUIRE(c, dma(c, out, 0, 4, true));
    expect_faults(c, 1, 1, out);
}

/* MSIs reach the host only through a bank window mapped when enabled */
static void rule_device_msi(Conf *c)
{
    uint64_t ap;

    if (c->banks < 1) {
        conf_skip(c, "the host has no MSI bank");
        return;
    }
    if (!device_geometry(c, &ap)) {
        return;
    }
    /* enabled before any bank window: the device's MSIs are blocked */
    REQUIRE_INT(c, conf_msi_eventfd(c), 0);
    REQUIRE_INT(c, c->host->dev->msi_send(c->device), 0);
    CHECK_INT(c, conf_msi_wait(c, 1), 0);
    REQUIRE_INT(c, conf_msi_off(c), 0);
    /* bank window first, then enable: delivered through the window */
    REQUIRE_INT(c, conf_map(c, MSI, ap + 14 * W4K, W4K, NULL), 0);
    REQUIRE_INT(c, conf_msi_eventfd(c), 0);
    REQUIRE_INT(c, c->host->dev->msi_send(c->device), 0);
    REQUIRE_INT(c, c->host->dev->msi_send(c->device), 0);
    CHECK_INT(c, conf_msi_wait(c, 2), 2);
    /* the bank window goes: blocked again (and the PAACE invalid) */
    REQUIRE_INT(c, conf_unmap(c, 0, ap + 14 * W4K, W4K, NULL), 0);
    REQUIRE_INT(c, c->host->dev->msi_send(c->device), 0);
    CHECK_INT(c, conf_msi_wait(c, 1), 0);
    expect_faults(c, 0, 0, 0);
}

/* A window that maps a bank is write-only: a read is a violation */
static void rule_device_msi_write_only(Conf *c)
{
    uint8_t *mem = conf_small_pages(c, 64 * KiB);
    uint64_t ap;

    if (c->banks < 1) {
        conf_skip(c, "the host has no MSI bank");
        return;
    }
    if (!mem || !device_geometry(c, &ap)) {
        return;
    }
    REQUIRE_INT(c, conf_map(c, RW, ap, W4K, mem), 0);
    REQUIRE_INT(c, conf_map(c, MSI, ap + 15 * W4K, W4K, NULL), 0);
    REQUIRE(c, dma(c, ap + 15 * W4K, 0, 4, false));
    expect_faults(c, 1, 1, ap + 15 * W4K);
}

const ConfRule conf_rules[] = {
    { "container/extensions", rule_extensions },
    { "container/set-iommu", rule_set_iommu },
    { "container/fresh-state", rule_fresh_state },
    { "container/last-group-leaves", rule_last_group_leaves },
    { "container/close-uncharges", rule_close_uncharges },
    { "attr/args", rule_attr_args },
    { "attr/argsz-versions", rule_attr_argsz_versions },
    { "attr/geometry", rule_geometry },
    { "attr/geometry-reachable", rule_geometry_reachable },
    { "attr/windows", rule_windows },
    { "attr/stash", rule_stash },
    { "attr/msi-banks", rule_msi_banks },
    { "attr/fault", rule_fault_attr },
    { "info/argsz", rule_info_argsz },
    { "info/big-buffer", rule_info_big_buffer },
    { "info/before-geometry", rule_info_before_geometry },
    { "info/after-geometry", rule_info_after_geometry },
    { "map/args", rule_map_args },
    { "map/small-pages", rule_map_small_pages },
    { "map/hugepages", rule_map_hugepages },
    { "map/reachable", rule_map_reachable },
    { "map/memlock", rule_map_memlock },
    { "map/memlock-cap-ipc-lock", rule_map_memlock_cap },
    { "map/msi", rule_map_msi },
    { "map/msi-isolation", rule_map_msi_isolation },
    { "unmap/args", rule_unmap_args },
    { "unmap/whole-mappings", rule_unmap_whole },
    { "unmap/msi-size", rule_unmap_msi_size },
    { "device/domain-disabled", rule_device_domain_disabled },
    { "device/dma", rule_device_dma },
    { "device/permissions", rule_device_permissions },
    { "device/violation", rule_device_violation },
    { "device/outside-aperture", rule_device_outside_aperture },
    { "device/msi", rule_device_msi },
    { "device/msi-window-write-only", rule_device_msi_write_only },
    { NULL, NULL },
};
