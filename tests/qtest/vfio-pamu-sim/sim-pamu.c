/*
 * QorIQ host simulation: the vfio container and the PAMU domain
 *
 * Implements the proposed VFIO_FSL_PAMU_IOMMU container exactly as
 * docs/devel/vfio-pamu.rst specifies it, check by check and in the
 * documented order, so that a refusal here is the refusal a kernel
 * implementing the spec would give.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/vfio.h>

#include "hw/vfio/fsl-pamu-uapi.h"
#include "sim-internal.h"
#include "vfio-pamu-sim.h"

#define MIN_WINDOW          VFIO_PAMU_MIN_WINDOW_SIZE
#define offsetofend(t, f)   (offsetof(t, f) + sizeof(((t *)0)->f))

static bool is_pow2(uint64_t x)
{
    return x && !(x & (x - 1));
}

static uint64_t window_size(const SimPamu *p)
{
    return p->ap_size / p->count;
}

static uint64_t window_iova(const SimPamu *p, uint32_t i)
{
    return p->ap_start + i * window_size(p);
}

/* End of the address space the PAMU reaches; 0 stands for 2^64 */
static uint64_t addr_limit(void)
{
    return sim_config.addr_bits < 64 ? 1ULL << sim_config.addr_bits : 0;
}

/*
 * The reachable ranges: the host controller's inbound windows within the
 * address width, sorted and merged.  Returns how many.
 */
static unsigned reach_ranges(SimRange *r)
{
    uint64_t last = addr_limit() - 1;
    unsigned i, j, n = 0;

    if (!sim_config.nr_inbound) {
        r[0] = (SimRange) { 0, last };
        return 1;
    }
    for (i = 0; i < sim_config.nr_inbound; i++) {
        SimRange in = sim_config.inbound[i];

        if (addr_limit() && in.start > last) {
            continue;
        }
        if (addr_limit() && in.last > last) {
            in.last = last;
        }
        for (j = n; j > 0 && r[j - 1].start > in.start; j--) {
            r[j] = r[j - 1];
        }
        r[j] = in;
        n++;
    }
    /* merge overlapping and adjacent ones */
    for (i = 0, j = 0; i < n; i++) {
        if (j && r[j - 1].last != UINT64_MAX &&
            r[i].start <= r[j - 1].last + 1) {
            if (r[i].last > r[j - 1].last) {
                r[j - 1].last = r[i].last;
            }
        } else {
            r[j++] = r[i];
        }
    }
    return j;
}

/* Does one reachable range hold [iova, iova + size)? */
static bool reachable(uint64_t iova, uint64_t size)
{
    SimRange r[SIM_MAX_INBOUND];
    unsigned i, n = reach_ranges(r);

    for (i = 0; i < n; i++) {
        if (iova >= r[i].start && iova <= r[i].last &&
            size - 1 <= r[i].last - iova) {
            return true;
        }
    }
    return false;
}

static bool any_mapping(const SimPamu *p)
{
    uint32_t i;

    for (i = 0; i < p->count; i++) {
        if (p->win[i].size) {
            return true;
        }
    }
    return false;
}

/* The PAACE is valid while something is mapped, as in the SDK driver. */
static void update_enabled(SimPamu *p)
{
    bool on = any_mapping(p);

    if (on != p->enabled) {
        p->enabled = on;
        sim_log("domain %s", on ? "enabled" : "disabled");
    }
}

const char *sim_fault_name(SimFault f)
{
    static const char *const names[] = {
        [SIM_OK] = "ok",
        [SIM_BANK] = "msi-bank",
        [SIM_FAULT_DISABLED] = "domain-disabled",
        [SIM_FAULT_LIODN_OFF] = "liodn-disabled",
        [SIM_FAULT_APERTURE] = "outside-aperture",
        [SIM_FAULT_UNMAPPED] = "unmapped",
        [SIM_FAULT_PERM] = "permission",
    };
    return names[f];
}

void sim_pamu_reset(SimPamu *p)
{
    bool iommu_set = p->iommu_set;
    uint32_t i;

    sim_type1_reset(p);
    memset(p, 0, sizeof(*p));
    p->iommu_set = iommu_set;
    for (i = 0; i < SIM_MAX_WINDOWS; i++) {
        p->win[i].bank = -1;
    }
}

/* --- attributes ---------------------------------------------------------- */

/* Does the aperture [start, start + size) overlap a reachable range? */
static bool aperture_reachable(uint64_t start, uint64_t size)
{
    SimRange r[SIM_MAX_INBOUND];
    unsigned i, n = reach_ranges(r);

    for (i = 0; i < n; i++) {
        if (r[i].start <= start + (size - 1) && start <= r[i].last) {
            return true;
        }
    }
    return false;
}

static int set_geometry(SimPamu *p, struct vfio_iommu_pamu_attr *a)
{
    uint64_t start = a->geometry.aperture_start;
    uint64_t size = a->geometry.aperture_size;
    uint64_t limit = addr_limit();

    if (!is_pow2(size) || size < MIN_WINDOW || start & (size - 1)) {
        return -EINVAL;
    }
    if (limit && (size > limit || start > limit - size)) {
        return -EINVAL;
    }
    if (!aperture_reachable(start, size)) {
        return -EINVAL;
    }
    if (any_mapping(p)) {
        return -EBUSY;
    }
    p->ap_start = start;
    p->ap_size = size;
    p->count = 1;
    return 0;
}

static int set_windows(SimPamu *p, struct vfio_iommu_pamu_attr *a)
{
    uint32_t n = a->windows.count;

    if (!p->ap_size) {
        return -EINVAL;
    }
    if (!is_pow2(n) || n > sim_config.max_windows ||
        p->ap_size / n < MIN_WINDOW) {
        return -EINVAL;
    }
    if (any_mapping(p)) {
        return -EBUSY;
    }
    p->count = n;
    return 0;
}

static int set_stash(SimPamu *p, struct vfio_iommu_pamu_attr *a)
{
    if (a->stash.cache > VFIO_PAMU_STASH_L3 ||
        (a->stash.cache != VFIO_PAMU_STASH_OFF &&
         a->stash.cpu >= sim_config.cpus)) {
        return -EINVAL;
    }
    if (a->stash.cache > sim_config.stash_levels) {
        return -ENODEV;
    }
    p->stash_cpu = a->stash.cpu;
    p->stash_cache = a->stash.cache;
    return 0;
}

static int set_fault(SimPamu *p, struct vfio_iommu_pamu_attr *a)
{
    if (a->fault.disabled) {
        return -EINVAL;
    }
    if (p->liodn_off) {
        p->liodn_off = false;
        sim_log("liodn enabled");
    }
    return 0;
}

/* MSI_BANKS.isolated: no mapped bank is shared */
static uint32_t banks_isolated(const SimPamu *p)
{
    return !(p->banks_mapped & sim_config.shared_banks);
}

static int pamu_attr(SimPamu *p, bool set, struct vfio_iommu_pamu_attr *a)
{
    if (a->argsz < VFIO_PAMU_ATTR_ARGSZ_MIN || a->flags || a->pad) {
        return -EINVAL;
    }
    switch (a->attribute) {
    case VFIO_PAMU_ATTR_GEOMETRY:
        if (set) {
            return set_geometry(p, a);
        }
        a->geometry.aperture_start = p->ap_start;
        a->geometry.aperture_size = p->ap_size;
        return 0;
    case VFIO_PAMU_ATTR_WINDOWS:
        if (set) {
            return set_windows(p, a);
        }
        a->windows.count = p->count;
        a->windows.max_count = sim_config.max_windows;
        return 0;
    case VFIO_PAMU_ATTR_STASH:
        if (set) {
            return set_stash(p, a);
        }
        a->stash.cpu = p->stash_cpu;
        a->stash.cache = p->stash_cache;
        return 0;
    case VFIO_PAMU_ATTR_MSI_BANKS:
        if (set) {
            return -EINVAL;
        }
        a->msi_banks.count = sim_config.banks;
        a->msi_banks.bank_size = SIM_BANK_SIZE;
        a->msi_banks.mapped_mask = p->banks_mapped;
        /* fields beyond argsz belong to the caller */
        if (a->argsz >= offsetofend(struct vfio_iommu_pamu_attr,
                                    msi_banks.isolated)) {
            a->msi_banks.isolated = banks_isolated(p);
        }
        if (a->argsz >= offsetofend(struct vfio_iommu_pamu_attr,
                                    msi_banks.reserved)) {
            a->msi_banks.reserved = 0;
        }
        return 0;
    case VFIO_PAMU_ATTR_FAULT:
        if (set) {
            return set_fault(p, a);
        }
        a->fault.count = p->fault_count;
        a->fault.disabled = p->liodn_off;
        a->fault.last_iova = p->fault_iova;
        return 0;
    }
    return -EINVAL;
}

/* --- VFIO_IOMMU_GET_INFO ------------------------------------------------- */

/* Appends [s, e] to the sorted ranges @r, merging it with the last one */
static uint32_t add_range(struct vfio_iova_range *r, uint32_t n, uint64_t s,
                          uint64_t e)
{
    if (n && r[n - 1].end + 1 == s) {
        r[n - 1].end = e;
        return n;
    }
    r[n].start = s;
    r[n].end = e;
    return n + 1;
}

/*
 * The IOVA ranges: the reachable ones before a geometry is set, then the
 * reachable part of the aperture minus the MSI windows.
 */
static uint32_t iova_ranges(const SimPamu *p, struct vfio_iova_range *r)
{
    SimRange reach[SIM_MAX_INBOUND];
    uint32_t i, k, n = 0, nr = reach_ranges(reach);

    if (!p->ap_size) {
        for (k = 0; k < nr; k++) {
            n = add_range(r, n, reach[k].start, reach[k].last);
        }
        return n;
    }
    for (i = 0; i < p->count; i++) {
        uint64_t s = window_iova(p, i), e = s + window_size(p) - 1;

        if (p->win[i].bank >= 0 && p->win[i].size) {
            continue;
        }
        for (k = 0; k < nr; k++) {
            if (reach[k].start <= e && s <= reach[k].last) {
                n = add_range(r, n, s > reach[k].start ? s : reach[k].start,
                              e < reach[k].last ? e : reach[k].last);
            }
        }
    }
    return n;
}

int sim_info_put_ranges(struct vfio_iommu_type1_info *info,
                        const struct vfio_iova_range *ranges, uint32_t n)
{
    struct vfio_iommu_type1_info_cap_iova_range *cap;
    size_t capsz = sizeof(*cap) + n * sizeof(ranges[0]);

    /* as type1: argsz only grows, nothing is written beyond it */
    if (info->argsz < sizeof(*info) + capsz) {
        if (info->argsz >= offsetofend(struct vfio_iommu_type1_info,
                                       cap_offset)) {
            info->cap_offset = 0;
        }
        info->argsz = sizeof(*info) + capsz;
        return 0;
    }
    cap = (void *)((char *)info + sizeof(*info));
    memset(cap, 0, capsz);
    cap->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
    cap->header.version = 1;
    cap->header.next = 0;
    cap->nr_iovas = n;
    memcpy(cap->iova_ranges, ranges, n * sizeof(ranges[0]));
    info->cap_offset = sizeof(*info);
    return 0;
}

static int get_info(SimPamu *p, struct vfio_iommu_type1_info *info)
{
    const size_t minsz = offsetofend(struct vfio_iommu_type1_info,
                                     iova_pgsizes);
    struct vfio_iova_range ranges[SIM_MAX_WINDOWS * SIM_MAX_INBOUND];

    if (info->argsz < minsz) {
        return -EINVAL;
    }
    info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
    if (p->ap_size) {
        info->iova_pgsizes = window_size(p);
    } else {
        /* every window size from 4 KiB up to the whole address space */
        info->iova_pgsizes = ~(MIN_WINDOW - 1) &
                             (addr_limit() ? (addr_limit() << 1) - 1 : ~0ULL);
    }
    return sim_info_put_ranges(info, ranges, iova_ranges(p, ranges));
}

/* --- VFIO_IOMMU_MAP_DMA --------------------------------------------------- */

static void log_windows(const char *what, uint32_t first, uint32_t n,
                        uint64_t size, uint32_t flags)
{
    sim_log("%s windows=%u-%u size=0x%llx flags=0x%x", what, first,
            first + n - 1, (unsigned long long)size, flags);
}

/* Is [iova, iova + size) inside the aperture and on a window boundary? */
static bool window_range(const SimPamu *p, uint64_t iova, uint64_t size,
                         uint32_t *first)
{
    uint64_t off = iova - p->ap_start;

    if (iova < p->ap_start || off >= p->ap_size || !size ||
        size > p->ap_size - off || off & (window_size(p) - 1)) {
        return false;
    }
    *first = off / window_size(p);
    return true;
}

static bool windows_free(const SimPamu *p, uint32_t first, uint32_t n)
{
    uint32_t i;

    for (i = first; i < first + n; i++) {
        if (p->win[i].size) {
            return false;
        }
    }
    return true;
}

/* The lowest @n banks of @avail, lowest first */
static uint64_t lowest_banks(uint64_t avail, uint32_t n)
{
    uint64_t pick = 0;

    while (n-- && avail) {
        pick |= avail & -avail;
        avail &= avail - 1;
    }
    return pick;
}

/*
 * Fault injection (VFIO_PAMU_SIM fail_map, fail_iova): a call that passed
 * every check fails as if the host had failed to program the PAMU.
 */
static int injected_failure(SimPamu *p, struct vfio_iommu_type1_dma_map *map)
{
    bool nth = ++p->map_calls == sim_config.fail_map;
    bool covers = sim_config.fail_iova != UINT64_MAX &&
                  map->iova <= sim_config.fail_iova &&
                  sim_config.fail_iova - map->iova < map->size;

    if (!nth && !covers) {
        return 0;
    }
    sim_log("map injected-failure iova=0x%llx size=0x%llx errno=%d",
            (unsigned long long)map->iova, (unsigned long long)map->size,
            sim_config.fail_errno);
    return -sim_config.fail_errno;
}

static int map_msi(SimPamu *p, struct vfio_iommu_type1_dma_map *map)
{
    uint64_t w = window_size(p), all, avail, exclusive, pick;
    uint32_t first, n, i;
    int ret;

    if (map->flags != VFIO_DMA_MAP_FLAG_MSI || map->vaddr) {
        return -EINVAL;
    }
    if (!window_range(p, map->iova, map->size, &first) || map->size % w ||
        map->size / w > sim_config.banks) {
        return -EINVAL;
    }
    if (!reachable(map->iova, map->size)) {
        return -EINVAL;
    }
    n = map->size / w;
    if (!windows_free(p, first, n)) {
        return -EEXIST;
    }
    all = sim_config.banks >= 64 ? ~0ULL : (1ULL << sim_config.banks) - 1;
    avail = ~p->banks_mapped & all;
    exclusive = avail & ~sim_config.shared_banks;
    if ((uint32_t)__builtin_popcountll(avail) < n) {
        return -ENOSPC;
    }
    if ((uint32_t)__builtin_popcountll(exclusive) < n &&
        !sim_config.allow_unsafe_interrupts) {
        return -EPERM;
    }
    ret = injected_failure(p, map);
    if (ret) {
        return ret;
    }
    /* exclusive banks first, then shared ones */
    pick = lowest_banks(exclusive, n);
    pick |= lowest_banks(avail & ~pick, n - __builtin_popcountll(pick));
    for (i = first; i < first + n; i++) {
        int bank = __builtin_ctzll(pick);

        pick &= pick - 1;
        p->banks_mapped |= 1ULL << bank;
        p->win[i] = (SimMapping) {
            .size = SIM_BANK_SIZE,
            .flags = VFIO_DMA_MAP_FLAG_MSI | VFIO_DMA_MAP_FLAG_WRITE,
            .bank = bank, .map_iova = map->iova, .map_size = map->size,
        };
    }
    sim_log("map-msi windows=%u-%u banks=0x%llx isolated=%u", first,
            first + n - 1, (unsigned long long)p->banks_mapped,
            banks_isolated(p));
    update_enabled(p);
    return 0;
}

/* The process's locked memory, VmLck in /proc/self/status, in bytes */
static uint64_t vm_locked(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    unsigned long long kb = 0;
    char line[256];

    if (!f) {
        return 0;
    }
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "VmLck: %llu kB", &kb) == 1) {
            break;
        }
    }
    fclose(f);
    return kb * 1024;
}

static bool has_cap_ipc_lock(void)
{
    struct __user_cap_header_struct hdr = {
        .version = _LINUX_CAPABILITY_VERSION_3,
    };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

    if (sim_config.cap_ipc_lock >= 0) {
        return sim_config.cap_ipc_lock;
    }
    if (syscall(SYS_capget, &hdr, data)) {
        return false;
    }
    return data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &
           CAP_TO_MASK(CAP_IPC_LOCK);
}

/* Can the process have @size more bytes charged to its locked memory? */
static bool memlock_allows(SimPamu *p, uint64_t size)
{
    struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
    uint64_t limit, locked;

    if (sim_config.memlock >= 0) {
        rl.rlim_cur = sim_config.memlock;
    } else {
        getrlimit(RLIMIT_MEMLOCK, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY || has_cap_ipc_lock()) {
        return true;
    }
    limit = rl.rlim_cur;
    locked = vm_locked() + p->pinned;
    if (locked > limit || size > limit - locked) {
        sim_log("map refused: locked memory 0x%llx + 0x%llx exceeds "
                "RLIMIT_MEMLOCK 0x%llx", (unsigned long long)locked,
                (unsigned long long)size, (unsigned long long)limit);
        return false;
    }
    return true;
}

/* Whether every byte of [va, va + len) is in some mapping of the process */
static bool range_mapped(const SimVma *vmas, size_t nr, uint64_t va,
                         uint64_t len)
{
    uint64_t end = va + len;

    while (va < end) {
        const SimVma *v = sim_vmas_find(vmas, nr, va);

        if (!v) {
            return false;
        }
        va = v->end;
    }
    return true;
}

/*
 * Every window's host memory must be mapped (EFAULT otherwise: checked for
 * all windows first, as the kernel pins them all before it looks at the
 * pages), aligned to what the window maps and inside one backing page,
 * which is what makes it physically contiguous (EINVAL otherwise).
 */
static int check_memory(uint64_t vaddr, uint64_t size, uint64_t piece)
{
    size_t nr;
    SimVma *vmas = sim_vmas_read(&nr);
    uint64_t off;
    int ret = 0;

    if (!vmas) {
        return -EFAULT;
    }
    for (off = 0; off < size && !ret; off += piece) {
        if (!range_mapped(vmas, nr, vaddr + off, piece)) {
            ret = -EFAULT;
        }
    }
    for (off = 0; off < size && !ret; off += piece) {
        uint64_t va = vaddr + off;
        const SimVma *v = sim_vmas_find(vmas, nr, va);

        if (va & (piece - 1) || v->page_size < piece) {
            sim_log("map refused: window memory at 0x%llx is not "
                    "contiguous (pages of 0x%llx)",
                    (unsigned long long)va,
                    (unsigned long long)v->page_size);
            ret = -EINVAL;
        }
    }
    free(vmas);
    return ret;
}

static int map_ram(SimPamu *p, struct vfio_iommu_type1_dma_map *map)
{
    const uint32_t rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    uint64_t w = window_size(p), piece;
    uint32_t first, n, i;
    int ret;

    if (!(map->flags & rw) || map->vaddr + map->size < map->vaddr ||
        !window_range(p, map->iova, map->size, &first)) {
        return -EINVAL;
    }
    if (map->size % w && !(is_pow2(map->size) && map->size < w &&
                           map->size >= MIN_WINDOW)) {
        return -EINVAL;
    }
    if (!reachable(map->iova, map->size)) {
        return -EINVAL;
    }
    piece = map->size < w ? map->size : w;
    n = map->size < w ? 1 : map->size / w;
    if (!windows_free(p, first, n)) {
        return -EEXIST;
    }
    if (!memlock_allows(p, map->size)) {
        return -ENOMEM;
    }
    ret = check_memory(map->vaddr, map->size, piece);
    if (!ret) {
        ret = injected_failure(p, map);
    }
    if (ret) {
        return ret;
    }
    for (i = 0; i < n; i++) {
        p->win[first + i] = (SimMapping) {
            .size = piece, .vaddr = map->vaddr + i * w,
            .flags = map->flags & rw, .bank = -1,
            .map_iova = map->iova, .map_size = map->size,
        };
    }
    p->pinned += map->size;
    log_windows("map", first, n, piece, map->flags & rw);
    update_enabled(p);
    return 0;
}

static int map_dma(SimPamu *p, struct vfio_iommu_type1_dma_map *map)
{
    const uint32_t known = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE |
                           VFIO_DMA_MAP_FLAG_MSI;

    if (map->argsz < offsetofend(struct vfio_iommu_type1_dma_map, size) ||
        map->flags & ~known || !p->ap_size) {
        return -EINVAL;
    }
    if (map->flags & VFIO_DMA_MAP_FLAG_MSI) {
        return map_msi(p, map);
    }
    return map_ram(p, map);
}

/* --- VFIO_IOMMU_UNMAP_DMA ------------------------------------------------- */

/* Removes window @i; returns the size of its mapping if it was the first */
static uint64_t unmap_window(SimPamu *p, uint32_t i)
{
    SimMapping *m = &p->win[i];
    uint64_t bytes = m->map_iova == window_iova(p, i) ? m->map_size : 0;

    if (!m->size) {
        return 0;
    }
    if (m->bank >= 0) {
        p->banks_mapped &= ~(1ULL << m->bank);
    } else {
        p->pinned -= m->size;
    }
    *m = (SimMapping) { .bank = -1 };
    return bytes;
}

static int unmap_dma(SimPamu *p, struct vfio_iommu_type1_dma_unmap *unmap)
{
    uint64_t end = unmap->iova + unmap->size, done = 0;
    uint32_t i;

    if (unmap->argsz < offsetofend(struct vfio_iommu_type1_dma_unmap, size) ||
        unmap->flags & ~VFIO_DMA_UNMAP_FLAG_ALL) {
        return -EINVAL;
    }
    if (unmap->flags & VFIO_DMA_UNMAP_FLAG_ALL) {
        if (unmap->iova || unmap->size) {
            return -EINVAL;
        }
        for (i = 0; i < p->count; i++) {
            done += unmap_window(p, i);
        }
        goto out;
    }
    if (!unmap->size || (unmap->iova | unmap->size) & (MIN_WINDOW - 1) ||
        end < unmap->iova) {
        return -EINVAL;
    }
    /* all or nothing: first look for a mapping the range would cut */
    for (i = 0; i < p->count; i++) {
        const SimMapping *m = &p->win[i];
        uint64_t s = m->map_iova, e = m->map_iova + m->map_size;

        if (m->size && s < end && unmap->iova < e &&
            (s < unmap->iova || e > end)) {
            return -EINVAL;
        }
    }
    for (i = 0; i < p->count; i++) {
        const SimMapping *m = &p->win[i];

        if (m->size && m->map_iova >= unmap->iova &&
            m->map_iova + m->map_size <= end) {
            done += unmap_window(p, i);
        }
    }
out:
    unmap->size = done;
    update_enabled(p);
    return 0;
}

/* --- device side --------------------------------------------------------- */

/* What the PAMU does with an access while the domain and LIODN are on */
static SimFault pamu_check(SimPamu *p, uint64_t iova, bool write,
                           const SimMapping **mapping, uint64_t *off)
{
    const SimMapping *m;
    uint32_t i;

    if (iova < p->ap_start || iova - p->ap_start >= p->ap_size) {
        return SIM_FAULT_APERTURE;
    }
    i = (iova - p->ap_start) / window_size(p);
    m = &p->win[i];
    *off = iova - window_iova(p, i);
    if (!m->size || *off >= m->size) {
        return SIM_FAULT_UNMAPPED;
    }
    if (!(m->flags & (write ? VFIO_DMA_MAP_FLAG_WRITE :
                               VFIO_DMA_MAP_FLAG_READ))) {
        return SIM_FAULT_PERM;
    }
    *mapping = m;
    return m->bank >= 0 ? SIM_BANK : SIM_OK;
}

/*
 * The host's access violation handler: count the violation and disable
 * the LIODN, which stops every later DMA and MSI of the device.
 */
static void violation(SimPamu *p, uint64_t iova, SimFault f)
{
    p->fault_count++;
    p->fault_iova = iova;
    p->liodn_off = true;
    sim_log("violation iova=0x%llx reason=%s count=%u liodn=disabled",
            (unsigned long long)iova, sim_fault_name(f), p->fault_count);
}

SimFault sim_pamu_translate(SimPamu *p, uint64_t iova, bool write,
                            void **host, uint64_t *len)
{
    const SimMapping *m = NULL;
    uint64_t off = 0;
    SimFault f;

    if (sim_config.type1) {
        return sim_type1_translate(p, iova, write, host, len);
    }
    if (!p->enabled) {
        return SIM_FAULT_DISABLED;
    }
    if (p->liodn_off) {
        return SIM_FAULT_LIODN_OFF;
    }
    f = pamu_check(p, iova, write, &m, &off);
    switch (f) {
    case SIM_OK:
        *host = (void *)(uintptr_t)(m->vaddr + off);
        /* fall through */
    case SIM_BANK:
        *len = m->size - off;
        return f;
    default:
        violation(p, iova, f);
        return f;
    }
}

int sim_pamu_translate_msi(SimPamu *p, uint64_t iova)
{
    void *host;
    uint64_t len;
    uint32_t i;

    if (sim_config.type1) {
        return 0;           /* interrupt remapping: no mapping needed */
    }
    if (sim_pamu_translate(p, iova, true, &host, &len) != SIM_BANK) {
        return -1;
    }
    i = (iova - p->ap_start) / window_size(p);
    return iova - window_iova(p, i) == SIM_MSIIR_OFFSET ? p->win[i].bank
                                                        : -1;
}

uint64_t sim_pamu_bank_window(SimPamu *p, int *bank)
{
    uint32_t i;

    for (i = 0; i < p->count; i++) {
        if (p->win[i].size && p->win[i].bank >= 0) {
            *bank = p->win[i].bank;
            return window_iova(p, i);
        }
    }
    return UINT64_MAX;
}

/* --- the container fd ---------------------------------------------------- */

int sim_pamu_ioctl(SimPamu *p, bool has_group, unsigned long req, void *arg)
{
    uint32_t type = (uint32_t)(uintptr_t)arg;

    if (sim_config.type1) {
        return sim_type1_ioctl(p, has_group, req, arg);
    }

    switch (req) {
    case VFIO_GET_API_VERSION:
        return VFIO_API_VERSION;
    case VFIO_CHECK_EXTENSION:
        return type == VFIO_FSL_PAMU_IOMMU || type == VFIO_UNMAP_ALL;
    case VFIO_SET_IOMMU:
        if (!has_group || p->iommu_set) {
            return -EINVAL;
        }
        if (type != VFIO_FSL_PAMU_IOMMU) {
            return -ENODEV;
        }
        sim_pamu_reset(p);
        p->iommu_set = true;
        return 0;
    }
    if (!p->iommu_set) {
        return -EINVAL;
    }
    switch (req) {
    case VFIO_IOMMU_GET_INFO:
        return get_info(p, arg);
    case VFIO_IOMMU_GET_ATTR:
        return pamu_attr(p, false, arg);
    case VFIO_IOMMU_SET_ATTR:
        return pamu_attr(p, true, arg);
    case VFIO_IOMMU_MAP_DMA:
        return map_dma(p, arg);
    case VFIO_IOMMU_UNMAP_DMA:
        return unmap_dma(p, arg);
    }
    return -ENOTTY;
}
