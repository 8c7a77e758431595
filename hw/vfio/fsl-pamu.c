/*
 * vfio container backend for Freescale/NXP PAMU aperture/window IOMMUs
 *
 * A PAMU has no page tables: a domain is one power-of-two aperture split
 * into at most 256 equal windows, each mapping one physically contiguous,
 * naturally aligned block of host memory, and device MSIs reach the MPIC
 * only through windows mapped onto its MSI banks.  So the geometry is fixed
 * once, at setup, from the machine's RAM (the e500 PCI host only shows RAM
 * to devices later, through inbound windows the guest programs), the MSI
 * bank windows are mapped before any MSI can be enabled, and RAM sections
 * are then mapped whole windows at a time.
 *
 * The host interface is the proposed uAPI in hw/vfio/fsl-pamu-uapi.h,
 * specified in docs/devel/vfio-pamu.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/vfio.h>

#include "hw/vfio/vfio-common.h"
#include "hw/vfio/fsl-pamu-uapi.h"
#include "hw/vfio/fsl-pamu-plan.h"
#include "hw/qdev-core.h"
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "exec/cpu-common.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/range.h"
#include "qemu/timer.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "trace.h"

/*
 * How often QEMU asks the host whether the PAMU saw a violation: the uAPI
 * has no way to signal one.
 */
#define VFIO_PAMU_FAULT_POLL_MS     250

/*
 * A RAM section add_window saw, and the windows that hold it (none: it
 * was refused and stays unmapped).  [map.iova, map.last] is inclusive: a
 * section may end at 2^64.
 */
typedef struct VFIOPamuSection {
    PamuSectionMap map;
    bool mapped;                    /* dma_map counted it as a user */
    QLIST_ENTRY(VFIOPamuSection) next;
} VFIOPamuSection;

typedef struct VFIOPamuContainer {
    VFIOContainer container;
    /* What the host reports before GEOMETRY: what a plan may use */
    PamuPlanLimits limits;
    PamuPlan plan;
    uint64_t ram_bytes;             /* guest RAM the plan maps */
    /* The guest RAM regions the plan was made for */
    GPtrArray *ram_mrs;
    QLIST_HEAD(, VFIOPamuSection) sections;
    /*
     * What each window maps and which sections use it.  Sections that
     * share a window (RAM split by a PCI BAR) share its mapping.
     */
    PamuWindow win[PAMU_PLAN_MAX_WINDOWS];
    bool map_failure_reported;      /* at run time: once, then traced */
    /* FAULT as last read, the violations reported, the poll timer */
    uint32_t fault_count;
    uint32_t fault_disabled;
    uint64_t fault_iova;
    uint32_t fault_reported;
    QEMUTimer *fault_timer;
} VFIOPamuContainer;

OBJECT_DECLARE_SIMPLE_TYPE(VFIOPamuContainer, VFIO_IOMMU_FSL_PAMU);

/* An ioctl on the container: 0, or -errno */
static int vfio_pamu_ioctl(VFIOPamuContainer *pc, unsigned long request,
                           void *arg)
{
    return ioctl(pc->container.fd, request, arg) ? -errno : 0;
}

static const char *vfio_pamu_attr_name(uint32_t attr)
{
    static const char *const names[] = {
        [VFIO_PAMU_ATTR_GEOMETRY] = "GEOMETRY",
        [VFIO_PAMU_ATTR_WINDOWS] = "WINDOWS",
        [VFIO_PAMU_ATTR_STASH] = "STASH",
        [VFIO_PAMU_ATTR_MSI_BANKS] = "MSI_BANKS",
        [VFIO_PAMU_ATTR_FAULT] = "FAULT",
    };

    return attr < ARRAY_SIZE(names) ? names[attr] : "?";
}

static bool vfio_pamu_get_attr(VFIOPamuContainer *pc, uint32_t attr,
                               struct vfio_iommu_pamu_attr *a, Error **errp)
{
    int ret;

    *a = (struct vfio_iommu_pamu_attr) {
        .argsz = sizeof(*a),
        .attribute = attr,
    };
    ret = vfio_pamu_ioctl(pc, VFIO_IOMMU_GET_ATTR, a);
    trace_vfio_pamu_get_attr(vfio_pamu_attr_name(attr), ret);
    if (ret) {
        error_setg_errno(errp, -ret, "VFIO_IOMMU_GET_ATTR %s failed",
                         vfio_pamu_attr_name(attr));
        return false;
    }
    return true;
}

/* Sets GEOMETRY to (start @v0, size @v1) or WINDOWS to (count @v0) */
static bool vfio_pamu_set_attr(VFIOPamuContainer *pc, uint32_t attr,
                               uint64_t v0, uint64_t v1, Error **errp)
{
    struct vfio_iommu_pamu_attr a = {
        .argsz = sizeof(a),
        .attribute = attr,
    };
    int ret;

    switch (attr) {
    case VFIO_PAMU_ATTR_GEOMETRY:
        a.geometry.aperture_start = v0;
        a.geometry.aperture_size = v1;
        break;
    case VFIO_PAMU_ATTR_WINDOWS:
        a.windows.count = v0;
        break;
    default:
        g_assert_not_reached();
    }
    ret = vfio_pamu_ioctl(pc, VFIO_IOMMU_SET_ATTR, &a);
    trace_vfio_pamu_set_attr(vfio_pamu_attr_name(attr), v0, v1, ret);
    if (ret) {
        error_setg_errno(errp, -ret,
                         "VFIO_IOMMU_SET_ATTR %s (0x%" PRIx64 ", 0x%" PRIx64
                         ") failed", vfio_pamu_attr_name(attr), v0, v1);
        return false;
    }
    return true;
}

/* VFIO_IOMMU_GET_INFO with its capability chain; g_free() the result. */
static struct vfio_iommu_type1_info *vfio_pamu_get_info(VFIOPamuContainer *pc,
                                                        Error **errp)
{
    struct vfio_iommu_type1_info *info;
    int ret = vfio_get_iommu_info(&pc->container, &info);

    trace_vfio_pamu_get_info(info ? info->argsz : 0,
                             info ? info->iova_pgsizes : 0, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "VFIO_IOMMU_GET_INFO failed");
        return NULL;
    }
    return info;
}

/*
 * Before GEOMETRY is set, the window sizes go up to 2^address_bits (bit 63
 * for 64 bits) and the IOVA ranges are those the host controller reaches.
 */
static bool vfio_pamu_get_reach(VFIOPamuContainer *pc,
                                struct vfio_iommu_type1_info *info,
                                Error **errp)
{
    PamuPlanLimits *lim = &pc->limits;
    struct vfio_iommu_type1_info_cap_iova_range *cap;
    uint32_t i;

    if (!(info->flags & VFIO_IOMMU_INFO_PGSIZES) || !info->iova_pgsizes) {
        error_setg(errp, "the host PAMU reports no window sizes");
        return false;
    }
    lim->addr_bits = 63 - clz64(info->iova_pgsizes);
    lim->addr_bits += lim->addr_bits == 63;
    cap = (void *)vfio_get_iommu_type1_info_cap(info,
                                        VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
    if (!cap || !cap->nr_iovas || cap->nr_iovas > PAMU_PLAN_MAX_REACH) {
        error_setg(errp, "the host PAMU reports %u reachable IOVA ranges, "
                   "not 1 to %u", cap ? cap->nr_iovas : 0,
                   PAMU_PLAN_MAX_REACH);
        return false;
    }
    for (i = 0; i < cap->nr_iovas; i++) {
        const struct vfio_iova_range *r = &cap->iova_ranges[i];

        if (r->start > r->end ||
            (i && r->start <= cap->iova_ranges[i - 1].end)) {
            error_setg(errp, "the host PAMU reports unsorted or "
                       "overlapping IOVA ranges");
            return false;
        }
        lim->reach[i] = (PamuIovaRange) { .start = r->start,
                                          .last = r->end };
        trace_vfio_pamu_reachable(r->start, r->end);
    }
    lim->nr_reach = cap->nr_iovas;
    return true;
}

/* What the host PAMU can do: windows, MSI banks, reachable IOVAs. */
static bool vfio_pamu_get_limits(VFIOPamuContainer *pc, Error **errp)
{
    g_autofree struct vfio_iommu_type1_info *info = NULL;
    PamuPlanLimits *lim = &pc->limits;
    struct vfio_iommu_pamu_attr a;

    info = vfio_pamu_get_info(pc, errp);
    if (!info || !vfio_pamu_get_reach(pc, info, errp)) {
        return false;
    }
    if (!vfio_pamu_get_attr(pc, VFIO_PAMU_ATTR_WINDOWS, &a, errp)) {
        return false;
    }
    lim->max_windows = a.windows.max_count;
    if (!vfio_pamu_get_attr(pc, VFIO_PAMU_ATTR_MSI_BANKS, &a, errp)) {
        return false;
    }
    lim->msi_banks = a.msi_banks.count;
    if (a.msi_banks.mapped_mask) {
        error_setg(errp, "the PAMU container already maps MSI banks 0x%"
                   PRIx64, (uint64_t)a.msi_banks.mapped_mask);
        return false;
    }
    trace_vfio_pamu_limits(lim->max_windows, lim->msi_banks,
                           a.msi_banks.bank_size, lim->addr_bits);
    return true;
}

/* "0x0-0xbffffff, 0x40000000-0x5fffffff": what the host reaches */
static char *vfio_pamu_reach_str(const PamuPlanLimits *lim)
{
    GString *str = g_string_new(NULL);
    unsigned i;

    for (i = 0; i < lim->nr_reach; i++) {
        g_string_append_printf(str, "%s0x%" PRIx64 "-0x%" PRIx64,
                               i ? ", " : "", lim->reach[i].start,
                               lim->reach[i].last);
    }
    return g_string_free(str, false);
}

typedef struct VFIOPamuRamList {
    GArray *ranges;                 /* PamuRamRange */
    GPtrArray *mrs;                 /* their MemoryRegions */
    uint64_t total;
} VFIOPamuRamList;

static bool vfio_pamu_collect_ram(Int128 start, Int128 len,
                                  const MemoryRegion *cmr,
                                  hwaddr offset_in_region, void *opaque)
{
    MemoryRegion *mr = (MemoryRegion *)cmr;
    VFIOPamuRamList *list = opaque;
    PamuRamRange r;

    /*
     * Guest RAM comes from memory backends or the machine; RAM that a
     * device owns (a BAR, video memory, a ROM) is a peer-to-peer target.
     */
    if (!memory_region_is_ram(mr) || memory_region_is_ram_device(mr) ||
        object_dynamic_cast(memory_region_owner(mr), TYPE_DEVICE)) {
        return false;
    }
    r = (PamuRamRange) {
        .iova = int128_get64(start),
        .size = int128_get64(len),
        .hva = (uintptr_t)memory_region_get_ram_ptr(mr) + offset_in_region,
        .page_size = qemu_ram_pagesize(mr->ram_block),
    };
    g_array_append_val(list->ranges, r);
    list->total += r.size;
    if (!g_ptr_array_find(list->mrs, mr, NULL)) {
        g_ptr_array_add(list->mrs, mr);
    }
    return false;
}

static void vfio_pamu_hint_hugepages(const PamuPlanResult *res,
                                     uint64_t total, Error **errp)
{
    g_autofree char *page = NULL;

    if (!res->min_page_size) {
        error_append_hint(errp, "Give the guest less RAM (-m).\n");
        return;
    }
    page = size_to_str(res->min_page_size);
    error_append_hint(errp, "Back guest RAM with hugepages of at least %s: "
                      "-object memory-backend-file,id=ram,size=%" PRIu64
                      "M,mem-path=/dev/hugepages -machine memory-backend=ram "
                      "(on a hugetlbfs mount with pages of %s or more).\n",
                      page, DIV_ROUND_UP(total, MiB), page);
}

static void vfio_pamu_plan_error(VFIOPamuContainer *pc, const GArray *ranges,
                                 uint64_t total, const PamuPlanResult *res,
                                 Error **errp)
{
    ERRP_GUARD();
    g_autofree char *ram = size_to_str(total);
    g_autofree char *win = size_to_str(res->window_size);
    g_autofree char *reach = vfio_pamu_reach_str(&pc->limits);
    const PamuRamRange *r;
    uint64_t min_page = UINT64_MAX;
    guint i;

    for (i = 0; i < ranges->len; i++) {
        min_page = MIN(min_page, g_array_index(ranges, PamuRamRange, i)
                                 .page_size);
    }

    switch (res->status) {
    case PAMU_PLAN_NO_RAM:
        error_setg(errp, "the machine has no RAM for the PAMU to map");
        return;
    case PAMU_PLAN_BAD_RANGE:
        r = &g_array_index(ranges, PamuRamRange, res->range);
        error_setg(errp, "guest RAM at 0x%" PRIx64 "-0x%" PRIx64 " cannot "
                   "be mapped by a PAMU: it is not 4 KiB aligned or "
                   "overlaps other RAM", r->iova, r->iova + r->size - 1);
        return;
    case PAMU_PLAN_TOO_MANY_WINDOWS:
        if (min_page <= qemu_real_host_page_size()) {
            error_setg(errp, "guest RAM is not backed by hugepages: %s of "
                       "RAM in windows of %s needs %" PRIu64 " PAMU windows, "
                       "the host PAMU has %u", ram, win, res->ram_windows,
                       pc->limits.max_windows);
        } else {
            error_setg(errp, "guest RAM is too large for %u PAMU windows: "
                       "%s of RAM in windows of %s needs %" PRIu64,
                       pc->limits.max_windows, ram, win, res->ram_windows);
        }
        vfio_pamu_hint_hugepages(res, total, errp);
        return;
    case PAMU_PLAN_NO_MSI_WINDOWS:
        error_setg(errp, "too few free PAMU windows for the %u MSI banks of "
                   "the host: %s of RAM takes %" PRIu64 " windows of %s, and "
                   "an aperture with a free window per bank would need %"
                   PRIu64 " windows%s (the host PAMU has %u and addresses %u "
                   "bits)", pc->limits.msi_banks, ram, res->ram_windows, win,
                   res->windows_needed,
                   res->windows_needed <= pc->limits.max_windows ?
                   " and end beyond the PAMU's address space" : "",
                   pc->limits.max_windows, pc->limits.addr_bits);
        vfio_pamu_hint_hugepages(res, total, errp);
        return;
    case PAMU_PLAN_ADDRESS_WIDTH:
        error_setg(errp, "guest RAM needs a PAMU aperture ending at 0x%"
                   PRIx64 ", beyond the %u-bit address space of the host "
                   "PAMU", res->aperture_end, pc->limits.addr_bits);
        error_append_hint(errp, "Give the guest less RAM (-m).\n");
        return;
    case PAMU_PLAN_RAM_UNREACHABLE:
        r = &g_array_index(ranges, PamuRamRange, res->range);
        error_setg(errp, "guest RAM at 0x%" PRIx64 "-0x%" PRIx64 " is "
                   "outside the IOVAs the host's PCIe controller reaches "
                   "(%s)", r->iova, r->iova + r->size - 1, reach);
        error_append_hint(errp, "Give the guest less RAM (-m), or have the "
                          "host's inbound windows cover it.\n");
        return;
    case PAMU_PLAN_MSI_UNREACHABLE:
        error_setg(errp, "no PAMU aperture of at most %u windows of %s has "
                   "%u free windows for the MSI banks that the host's PCIe "
                   "controller reaches (%s)", pc->limits.max_windows, win,
                   pc->limits.msi_banks, reach);
        error_append_hint(errp, "Give the guest less RAM (-m), or have the "
                          "host's inbound windows reach beyond it.\n");
        return;
    case PAMU_PLAN_OK:
        break;
    }
    g_assert_not_reached();
}

/* Plans the geometry from every RAM block of the machine. */
static bool vfio_pamu_plan_ram(VFIOPamuContainer *pc, Error **errp)
{
    g_autoptr(GArray) ranges = g_array_new(false, false,
                                           sizeof(PamuRamRange));
    VFIOPamuRamList list = { .ranges = ranges, .mrs = pc->ram_mrs };
    PamuPlanResult res;

    WITH_RCU_READ_LOCK_GUARD() {
        FlatView *fv = address_space_to_flatview(&address_space_memory);

        flatview_for_each_range(fv, vfio_pamu_collect_ram, &list);
    }
    if (!pamu_plan((PamuRamRange *)ranges->data, ranges->len, &pc->limits,
                   &pc->plan, &res)) {
        vfio_pamu_plan_error(pc, ranges, list.total, &res, errp);
        return false;
    }
    pc->ram_bytes = list.total;
    trace_vfio_pamu_plan(pc->plan.aperture_start, pc->plan.aperture_size,
                         pc->plan.window_size, pc->plan.nr_windows,
                         pc->plan.nr_ram_windows, pc->plan.nr_msi_windows);
    return true;
}

/* The locked memory of this process, VmLck, in bytes */
static uint64_t vfio_pamu_vm_locked(void)
{
    g_autofree char *status = NULL;
    const char *p, *end;
    uint64_t kib;

    if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL)) {
        return 0;
    }
    p = strstr(status, "\nVmLck:");
    if (!p || qemu_strtou64(p + strlen("\nVmLck:"), &end, 10, &kib)) {
        return 0;
    }
    return kib * KiB;
}

static bool vfio_pamu_has_cap_ipc_lock(void)
{
    struct __user_cap_header_struct hdr = {
        .version = _LINUX_CAPABILITY_VERSION_3,
    };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { };

    if (syscall(SYS_capget, &hdr, data)) {
        return false;
    }
    return data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &
           CAP_TO_MASK(CAP_IPC_LOCK);
}

/*
 * Every byte the plan maps is charged to QEMU's locked memory, unless it
 * has CAP_IPC_LOCK.  Find out now whether guest RAM fits under
 * RLIMIT_MEMLOCK: the first map happens when the guest opens an inbound
 * window, too late to tell the user.  (RAM shown to the device at a
 * second IOVA is charged again; that can still fail at run time.)
 */
static bool vfio_pamu_check_memlock(VFIOPamuContainer *pc, Error **errp)
{
    ERRP_GUARD();
    g_autofree char *ram = size_to_str(pc->ram_bytes);
    g_autofree char *limit = NULL;
    g_autofree char *locked = NULL;
    struct rlimit rl;
    uint64_t vmlck;

    if (getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_cur == RLIM_INFINITY ||
        vfio_pamu_has_cap_ipc_lock()) {
        return true;
    }
    vmlck = vfio_pamu_vm_locked();
    if (vmlck <= rl.rlim_cur && pc->ram_bytes <= rl.rlim_cur - vmlck) {
        return true;
    }
    limit = size_to_str(rl.rlim_cur);
    locked = size_to_str(vmlck);
    error_setg(errp, "the PAMU container locks all %s of guest RAM in host "
               "memory, but QEMU may lock only %s (RLIMIT_MEMLOCK), %s of "
               "which is locked already", ram, limit, locked);
    error_append_hint(errp, "Raise QEMU's locked memory limit to at least "
                      "%" PRIu64 " KiB (ulimit -l, or <memtune><hard_limit> "
                      "in libvirt), or give it CAP_IPC_LOCK.\n",
                      DIV_ROUND_UP(vmlck + pc->ram_bytes, KiB));
    return false;
}

static bool vfio_pamu_set_geometry(VFIOPamuContainer *pc, Error **errp)
{
    return vfio_pamu_set_attr(pc, VFIO_PAMU_ATTR_GEOMETRY,
                              pc->plan.aperture_start,
                              pc->plan.aperture_size, errp) &&
           vfio_pamu_set_attr(pc, VFIO_PAMU_ATTR_WINDOWS,
                              pc->plan.nr_windows, 0, errp);
}

static uint64_t vfio_pamu_window_iova(VFIOPamuContainer *pc, uint32_t i)
{
    return pc->plan.aperture_start + i * pc->plan.window_size;
}

/* The MSI map failed: say why, and how to get past EPERM */
static void vfio_pamu_msi_error(int ret, uint32_t first, uint32_t last,
                                Error **errp)
{
    ERRP_GUARD();

    if (ret != -EPERM) {
        error_setg_errno(errp, -ret, "mapping MSI banks into PAMU windows "
                         "%u-%u failed", first, last);
        return;
    }
    error_setg(errp, "the host has no MSI bank of its own for this device: "
               "the banks left are shared with other containers or host "
               "devices, whose interrupts the device could raise");
    error_append_hint(errp, "If that is acceptable, allow unsafe interrupts "
                      "on the host: vfio_iommu_fsl_pamu."
                      "allow_unsafe_interrupts=1.\n");
}

/* Maps every MSI window of the plan, one call per run of them. */
static bool vfio_pamu_map_msi(VFIOPamuContainer *pc, Error **errp)
{
    struct vfio_iommu_pamu_attr a;
    uint32_t i, first;

    for (i = 0; i < pc->plan.nr_windows; i++) {
        struct vfio_iommu_type1_dma_map map = {
            .argsz = sizeof(map),
            .flags = VFIO_DMA_MAP_FLAG_MSI,
        };
        int ret;

        if (pc->plan.use[i] != PAMU_WINDOW_MSI) {
            continue;
        }
        first = i;
        while (i + 1 < pc->plan.nr_windows &&
               pc->plan.use[i + 1] == PAMU_WINDOW_MSI) {
            i++;
        }
        map.iova = vfio_pamu_window_iova(pc, first);
        map.size = (uint64_t)(i - first + 1) * pc->plan.window_size;
        ret = vfio_pamu_ioctl(pc, VFIO_IOMMU_MAP_DMA, &map);
        trace_vfio_pamu_map_msi(map.iova, map.size, ret);
        if (ret) {
            vfio_pamu_msi_error(ret, first, i, errp);
            return false;
        }
    }

    if (!vfio_pamu_get_attr(pc, VFIO_PAMU_ATTR_MSI_BANKS, &a, errp)) {
        return false;
    }
    trace_vfio_pamu_msi_banks(a.msi_banks.mapped_mask, a.msi_banks.isolated);
    if (ctpop64(a.msi_banks.mapped_mask) != pc->plan.nr_msi_windows) {
        error_setg(errp, "the host mapped MSI banks 0x%" PRIx64 " into %u "
                   "windows", (uint64_t)a.msi_banks.mapped_mask,
                   pc->plan.nr_msi_windows);
        return false;
    }
    if (!a.msi_banks.isolated) {
        warn_report("vfio: the host allows unsafe interrupts and gave the "
                    "PAMU container MSI banks (0x%" PRIx64 ") shared with "
                    "other containers or host devices: the assigned device "
                    "can raise their interrupts",
                    (uint64_t)a.msi_banks.mapped_mask);
    }
    return true;
}

static int vfio_pamu_unmap_range(VFIOPamuContainer *pc, uint64_t iova,
                                 uint64_t size, uint32_t flags)
{
    struct vfio_iommu_type1_dma_unmap unmap = {
        .argsz = sizeof(unmap),
        .flags = flags,
        .iova = iova,
        .size = size,
    };
    int ret;

    ret = vfio_pamu_ioctl(pc, VFIO_IOMMU_UNMAP_DMA, &unmap);
    trace_vfio_pamu_unmap(iova, size, flags, ret ? 0 : unmap.size, ret);
    return ret;
}

static void vfio_pamu_unmap_all(VFIOPamuContainer *pc)
{
    int ret = vfio_pamu_unmap_range(pc, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL);

    if (ret) {
        error_report("vfio: unmapping all PAMU windows failed: %s",
                     strerror(-ret));
    }
    memset(pc->win, 0, sizeof(pc->win));
}

/* Reports the IOVA ranges (aperture minus MSI windows) and window size. */
static bool vfio_pamu_report_ranges(VFIOPamuContainer *pc, Error **errp)
{
    VFIOContainerBase *bcontainer = &pc->container.bcontainer;
    g_autofree struct vfio_iommu_type1_info *info = NULL;
    GList *l;

    info = vfio_pamu_get_info(pc, errp);
    if (!info) {
        return false;
    }
    if (!(info->flags & VFIO_IOMMU_INFO_PGSIZES) ||
        info->iova_pgsizes != pc->plan.window_size) {
        error_setg(errp, "the host PAMU reports windows of 0x%" PRIx64
                   " bytes, not the 0x%" PRIx64 " that were set",
                   (uint64_t)info->iova_pgsizes, pc->plan.window_size);
        return false;
    }
    bcontainer->pgsizes = info->iova_pgsizes;
    bcontainer->dma_max_mappings = pc->plan.nr_windows;

    vfio_get_info_iova_range(info, bcontainer);
    /* what vfio's generic code and vIOMMUs will go by */
    trace_vfio_pamu_stored_info(bcontainer->pgsizes,
                                g_list_length(bcontainer->iova_ranges));
    for (l = bcontainer->iova_ranges; l; l = l->next) {
        trace_vfio_pamu_stored_range(range_lob(l->data), range_upb(l->data));
    }
    return true;
}

/* The names of the container's devices, for messages */
static char *vfio_pamu_device_names(VFIOPamuContainer *pc)
{
    GString *str = g_string_new(NULL);
    VFIODevice *vbasedev;

    QLIST_FOREACH(vbasedev, &pc->container.bcontainer.device_list,
                  container_next) {
        g_string_append_printf(str, "%s%s", str->len ? ", " : "",
                               vbasedev->name);
    }
    return g_string_free(str, false);
}

/*
 * Reads FAULT and reports a violation not reported yet.  The host then
 * disabled the LIODN of the container's devices, as Linux's pamu_av_isr
 * does: all their DMA and MSIs stop until vfio_pamu_device_reset().
 */
static void vfio_pamu_fault_poll(VFIOPamuContainer *pc)
{
    g_autofree char *names = NULL;
    struct vfio_iommu_pamu_attr a;
    Error *err = NULL;

    if (!vfio_pamu_get_attr(pc, VFIO_PAMU_ATTR_FAULT, &a, &err)) {
        warn_report_err_once(err);
        return;
    }
    pc->fault_count = a.fault.count;
    pc->fault_disabled = a.fault.disabled;
    pc->fault_iova = a.fault.last_iova;
    trace_vfio_pamu_fault(pc->fault_count, pc->fault_disabled,
                          pc->fault_iova);
    if (a.fault.count == pc->fault_reported) {
        return;
    }
    pc->fault_reported = a.fault.count;
    names = vfio_pamu_device_names(pc);
    error_report("vfio-pamu: %s: the host PAMU blocked a DMA access at IOVA "
                 "0x%" PRIx64 " (violation %u)%s", names, pc->fault_iova,
                 a.fault.count, a.fault.disabled ?
                 " and stopped all DMA and MSIs of the device until it is "
                 "reset" : "");
    error_printf("The guest let the device use memory it did not show it; "
                 "a reset of the device (by the guest, or system_reset) "
                 "lets it work again.\n");
}

static void vfio_pamu_fault_tick(void *opaque)
{
    VFIOPamuContainer *pc = opaque;

    vfio_pamu_fault_poll(pc);
    timer_mod(pc->fault_timer, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                               VFIO_PAMU_FAULT_POLL_MS);
}

/* The PAMU container of @vbasedev, if that is what it is in */
static VFIOPamuContainer *vfio_pamu_of(VFIODevice *vbasedev)
{
    Object *obj = vbasedev->bcontainer ? OBJECT(vbasedev->bcontainer) : NULL;

    return (VFIOPamuContainer *)object_dynamic_cast(obj,
                                                    TYPE_VFIO_IOMMU_FSL_PAMU);
}

/* x-pamu-fault: { "disabled": bool, "count": int, "last-iova": int } */
static void vfio_pamu_get_fault(Object *obj, Visitor *v, const char *name,
                                void *opaque, Error **errp)
{
    VFIOPamuContainer *pc = vfio_pamu_of(opaque);
    bool disabled = false;
    uint32_t count = 0;
    uint64_t iova = 0;

    if (pc) {
        vfio_pamu_fault_poll(pc);
        disabled = pc->fault_disabled;
        count = pc->fault_count;
        iova = pc->fault_iova;
    }
    if (!visit_start_struct(v, name, NULL, 0, errp)) {
        return;
    }
    if (visit_type_bool(v, "disabled", &disabled, errp) &&
        visit_type_uint32(v, "count", &count, errp) &&
        visit_type_uint64(v, "last-iova", &iova, errp)) {
        visit_check_struct(v, errp);
    }
    visit_end_struct(v, NULL);
}

/* The device gets x-pamu-fault, for management layers to read */
static void vfio_pamu_device_attached(VFIODevice *vbasedev)
{
    Object *obj = OBJECT(vbasedev->dev);

    if (object_property_find(obj, "x-pamu-fault")) {
        return;
    }
    object_property_add(obj, "x-pamu-fault", "PamuFault",
                        vfio_pamu_get_fault, NULL, NULL, vbasedev);
    object_property_set_description(obj, "x-pamu-fault",
                                    "DMA violations of the host PAMU for "
                                    "the device's container");
}

/*
 * A reset stops what the device was doing, so its DMA may go through the
 * PAMU again: enable the LIODN (of all the container's devices, which
 * share it) if a violation disabled it.
 */
static void vfio_pamu_device_reset(VFIODevice *vbasedev)
{
    VFIOPamuContainer *pc = vfio_pamu_of(vbasedev);
    struct vfio_iommu_pamu_attr a = {
        .argsz = sizeof(a),
        .attribute = VFIO_PAMU_ATTR_FAULT,
    };
    int ret;

    vfio_pamu_fault_poll(pc);
    if (!pc->fault_disabled) {
        return;
    }
    ret = vfio_pamu_ioctl(pc, VFIO_IOMMU_SET_ATTR, &a);
    trace_vfio_pamu_fault_enable(ret);
    if (ret) {
        error_report("vfio-pamu: %s: enabling DMA of the device again after "
                     "its reset failed: %s", vbasedev->name, strerror(-ret));
        return;
    }
    info_report("vfio-pamu: %s was reset: the host PAMU lets DMA and MSIs "
                "of the device through again", vbasedev->name);
    vfio_pamu_fault_poll(pc);
}

static bool vfio_pamu_setup(VFIOContainerBase *bcontainer, Error **errp)
{
    VFIOPamuContainer *pc = VFIO_IOMMU_FSL_PAMU(bcontainer);

    QLIST_INIT(&pc->sections);
    pc->ram_mrs = g_ptr_array_new();

    if (!vfio_pamu_get_limits(pc, errp) || !vfio_pamu_plan_ram(pc, errp) ||
        !vfio_pamu_check_memlock(pc, errp) ||
        !vfio_pamu_set_geometry(pc, errp)) {
        goto free_mrs;
    }
    /* Before any VFIO_DEVICE_SET_IRQS can enable MSI or MSI-X */
    if (!vfio_pamu_map_msi(pc, errp) ||
        !vfio_pamu_report_ranges(pc, errp)) {
        vfio_pamu_unmap_all(pc);
        goto free_mrs;
    }
    pc->fault_timer = timer_new_ms(QEMU_CLOCK_REALTIME, vfio_pamu_fault_tick,
                                   pc);
    vfio_pamu_fault_tick(pc);
    return true;

free_mrs:
    g_ptr_array_free(pc->ram_mrs, true);
    pc->ram_mrs = NULL;
    return false;
}

/* The section record overlapping [iova, last], if any */
static VFIOPamuSection *vfio_pamu_find(VFIOPamuContainer *pc, hwaddr iova,
                                       hwaddr last)
{
    VFIOPamuSection *s;

    QLIST_FOREACH(s, &pc->sections, next) {
        if (s->map.iova <= last && iova <= s->map.last) {
            return s;
        }
    }
    return NULL;
}

/* Records a section, refused until its windows are filled in */
static VFIOPamuSection *vfio_pamu_add_section(VFIOPamuContainer *pc,
                                              hwaddr iova, hwaddr last)
{
    VFIOPamuSection *s = g_new0(VFIOPamuSection, 1);

    s->map.iova = iova;
    s->map.last = last;
    QLIST_INSERT_HEAD(&pc->sections, s, next);
    return s;
}

/*
 * During realize a refusal fails the device cleanly.  Later only the guest
 * can make sections appear (by programming the PCI host's inbound windows),
 * and failing then would abort QEMU: leave the range unmapped, so device
 * DMA there faults on the host PAMU as it would on bare metal.
 */
static bool vfio_pamu_refuse(VFIOPamuContainer *pc, hwaddr iova,
                             hwaddr last, Error *err, Error **errp)
{
    if (!pc->container.bcontainer.initialized) {
        error_propagate(errp, err);
        return false;
    }
    warn_report_once("vfio-pamu: not mapping 0x%" PRIx64 "-0x%" PRIx64
                     " for the assigned device, whose DMA there will fault: "
                     "%s (more with -d guest_errors)", iova, last,
                     error_get_pretty(err));
    qemu_log_mask(LOG_GUEST_ERROR, "vfio-pamu: not mapping 0x%" PRIx64
                  "-0x%" PRIx64 " for device DMA: %s\n", iova, last,
                  error_get_pretty(err));
    trace_vfio_pamu_refuse(iova, last, error_get_pretty(err));
    error_free(err);
    vfio_pamu_add_section(pc, iova, last);
    return true;
}

static void vfio_pamu_fit_error(VFIOPamuContainer *pc, PamuFitStatus st,
                                const PamuRamRange *r, uint32_t win,
                                Error **errp)
{
    g_autofree char *w = size_to_str(pc->plan.window_size);
    g_autofree char *page = size_to_str(r->page_size);
    uint64_t end = r->iova + r->size - 1;

    switch (st) {
    case PAMU_FIT_OUTSIDE_APERTURE:
        error_setg(errp, "RAM at 0x%" PRIx64 "-0x%" PRIx64 " is outside the "
                   "PAMU aperture 0x%" PRIx64 "-0x%" PRIx64, r->iova, end,
                   pc->plan.aperture_start,
                   pc->plan.aperture_start + pc->plan.aperture_size - 1);
        break;
    case PAMU_FIT_NO_WINDOW_START:
        error_setg(errp, "RAM at 0x%" PRIx64 "-0x%" PRIx64 " starts inside "
                   "PAMU window %u (windows are %s) and its memory does not "
                   "cover the window's start", r->iova, end, win, w);
        break;
    case PAMU_FIT_BAD_TAIL:
        error_setg(errp, "RAM at 0x%" PRIx64 "-0x%" PRIx64 " ends in a part "
                   "of PAMU window %u that is not a power of two", r->iova,
                   end, win);
        break;
    case PAMU_FIT_MSI_WINDOW:
        error_setg(errp, "RAM at 0x%" PRIx64 "-0x%" PRIx64 " overlaps PAMU "
                   "window %u, which maps an MSI bank", r->iova, end, win);
        break;
    case PAMU_FIT_HVA_MISALIGNED:
        error_setg(errp, "RAM at 0x%" PRIx64 "-0x%" PRIx64 " is not aligned "
                   "to PAMU windows of %s in host memory", r->iova, end, w);
        break;
    case PAMU_FIT_PAGE_TOO_SMALL:
        error_setg(errp, "RAM at 0x%" PRIx64 "-0x%" PRIx64 " is backed by "
                   "%s pages, smaller than PAMU windows of %s", r->iova, end,
                   page, w);
        error_append_hint(errp, "Back all guest RAM with hugepages of at "
                          "least %s.\n", w);
        break;
    case PAMU_FIT_UNREACHABLE:
        error_setg(errp, "RAM at 0x%" PRIx64 "-0x%" PRIx64 " needs PAMU "
                   "window %u, which the host's PCIe controller does not "
                   "reach", r->iova, end, win);
        break;
    case PAMU_FIT_OK:
        g_assert_not_reached();
    }
}

/*
 * The page-aligned range [*iova, *last] vfio_listener_region_add() maps;
 * false if the section holds no whole page.
 */
static bool vfio_pamu_section_range(const MemoryRegionSection *section,
                                    hwaddr *iova, hwaddr *last)
{
    return pamu_plan_page_range(section->offset_within_address_space,
                                section->size, qemu_real_host_page_size(),
                                iova, last);
}

static bool vfio_pamu_add_window(VFIOContainerBase *bcontainer,
                                 MemoryRegionSection *section, Error **errp)
{
    VFIOPamuContainer *pc = VFIO_IOMMU_FSL_PAMU(bcontainer);
    MemoryRegion *mr = section->mr;
    uint64_t base;
    hwaddr iova, last;
    Error *err = NULL;
    g_autoptr(GArray) calls = g_array_new(false, false, sizeof(PamuCall));
    PamuSectionMap map;
    VFIOPamuSection *s;
    PamuRamRange r;
    PamuFitStatus st;
    uint32_t win;

    if (!vfio_pamu_section_range(section, &iova, &last)) {
        return true;            /* vfio_listener_region_add() skips it */
    }
    /* An IOMMU region has no RAM of its own to look at */
    if (memory_region_is_iommu(mr)) {
        error_setg(&err, "a guest IOMMU in front of a device assigned "
                   "through a PAMU is not supported");
        return vfio_pamu_refuse(pc, iova, last, err, errp);
    }
    if (memory_region_is_ram_device(mr) ||
        !g_ptr_array_find(pc->ram_mrs, mr, NULL)) {
        /* a RAM BAR of another device, in the PCI host's DMA space */
        warn_report_once("vfio-pamu: PAMU windows map only guest RAM: no "
                         "PCI peer-to-peer DMA to %s at 0x%" PRIx64,
                         memory_region_name(mr), iova);
        trace_vfio_pamu_refuse(iova, last, "not guest RAM");
        vfio_pamu_add_section(pc, iova, last);
        return true;
    }

    base = (uintptr_t)memory_region_get_ram_ptr(mr);
    r = (PamuRamRange) {
        .iova = iova,
        .size = last - iova + 1,
        .hva = base + section->offset_within_region +
               (iova - section->offset_within_address_space),
        .page_size = qemu_ram_pagesize(mr->ram_block),
    };
    map = (PamuSectionMap) {
        .iova = iova, .last = last,
        .perm = section->readonly ? PAMU_PERM_R : PAMU_PERM_RW,
    };
    st = pamu_plan_fit(&pc->plan, &r, base, base + memory_region_size(mr),
                       map.ops, &map.nr_ops, &win);
    if (st != PAMU_FIT_OK) {
        vfio_pamu_fit_error(pc, st, &r, win, &err);
        return vfio_pamu_refuse(pc, iova, last, err, errp);
    }
    /* dma_map comes next, with the windows as they are now */
    if (!pamu_windows_add(&pc->plan, pc->win, &map, calls, &win)) {
        error_setg(&err, "RAM at 0x%" PRIx64 " needs PAMU window %u, "
                   "which already maps other memory, or with permissions "
                   "it cannot have", r.iova, win);
        return vfio_pamu_refuse(pc, iova, last, err, errp);
    }
    s = vfio_pamu_add_section(pc, iova, last);
    s->map = map;
    return true;
}

static void vfio_pamu_del_window(VFIOContainerBase *bcontainer,
                                 MemoryRegionSection *section)
{
    VFIOPamuContainer *pc = VFIO_IOMMU_FSL_PAMU(bcontainer);
    VFIOPamuSection *s;
    hwaddr iova, last;

    if (!vfio_pamu_section_range(section, &iova, &last)) {
        return;
    }
    s = vfio_pamu_find(pc, iova, last);
    if (s) {
        QLIST_REMOVE(s, next);
        g_free(s);
    }
}

/* One MAP_DMA or UNMAP_DMA of windows: 0 or -errno */
static int vfio_pamu_call(VFIOPamuContainer *pc, const PamuCall *c)
{
    struct vfio_iommu_type1_dma_map map = {
        .argsz = sizeof(map),
        .flags = (c->perm & PAMU_PERM_R ? VFIO_DMA_MAP_FLAG_READ : 0) |
                 (c->perm & PAMU_PERM_W ? VFIO_DMA_MAP_FLAG_WRITE : 0),
        .vaddr = c->hva,
        .iova = c->iova,
        .size = c->size,
    };
    int ret;

    if (!c->map) {
        return vfio_pamu_unmap_range(pc, c->iova, c->size, 0);
    }
    ret = vfio_pamu_ioctl(pc, VFIO_IOMMU_MAP_DMA, &map);
    trace_vfio_pamu_map(map.iova, map.size, map.vaddr, map.flags, c->window,
                        c->nr_windows, ret);
    return ret;
}

/* Makes the calls @undo holds, last first, after a failed one */
static void vfio_pamu_undo(VFIOPamuContainer *pc, GArray *undo)
{
    int i, ret;

    for (i = undo->len - 1; i >= 0; i--) {
        const PamuCall *c = &g_array_index(undo, PamuCall, i);

        ret = vfio_pamu_call(pc, c);
        if (ret) {
            error_report("vfio-pamu: undoing a PAMU mapping of 0x%" PRIx64
                         "-0x%" PRIx64 " failed: %s", c->iova,
                         c->iova + c->size - 1, strerror(-ret));
            continue;
        }
        pamu_call_apply(&pc->plan, pc->win, c);
    }
}

/*
 * Makes @calls in order; if one fails and @all_or_nothing, undoes those
 * made before it.  Returns 0 or the -errno of the failed call.
 */
static int vfio_pamu_run(VFIOPamuContainer *pc, GArray *calls,
                         bool all_or_nothing)
{
    g_autoptr(GArray) undo = g_array_new(false, false, sizeof(PamuCall));
    guint i;
    int ret;

    for (i = 0; i < calls->len; i++) {
        const PamuCall *c = &g_array_index(calls, PamuCall, i);
        PamuCall u = pamu_call_undo(&pc->plan, pc->win, c);

        ret = vfio_pamu_call(pc, c);
        if (ret) {
            if (all_or_nothing) {
                vfio_pamu_undo(pc, undo);
            }
            return ret;
        }
        pamu_call_apply(&pc->plan, pc->win, c);
        g_array_append_val(undo, u);
    }
    return 0;
}

/*
 * During realize a failure fails the device.  Later only the guest makes
 * sections appear, and failing then would abort QEMU (hw_error() in
 * vfio_listener_region_add()): report it and leave the range unmapped,
 * so that the device's DMA there faults.
 */
static int vfio_pamu_map_failed(VFIOPamuContainer *pc,
                                const VFIOPamuSection *s, int ret)
{
    if (!pc->container.bcontainer.initialized) {
        return ret;
    }
    trace_vfio_pamu_map_failed(s->map.iova, s->map.last, ret);
    if (pc->map_failure_reported) {
        return 0;
    }
    pc->map_failure_reported = true;
    error_report("vfio-pamu: the host refused to map guest RAM at 0x%"
                 PRIx64 "-0x%" PRIx64 " for the assigned device, whose DMA "
                 "there will fault: %s (later failures are only traced: "
                 "vfio_pamu_map_failed)", s->map.iova, s->map.last,
                 strerror(-ret));
    if (ret == -ENOMEM) {
        error_printf("RAM the guest shows the device at two addresses is "
                     "locked twice: raise QEMU's locked memory limit "
                     "(ulimit -l) or give it CAP_IPC_LOCK.\n");
    }
    return 0;
}

/*
 * Maps the windows of a section that add_window accepted: those nothing
 * maps yet, one call per run, all or nothing (pamu_windows_add()).
 */
static int vfio_pamu_dma_map(const VFIOContainerBase *bcontainer,
                             hwaddr iova, ram_addr_t size, void *vaddr,
                             bool readonly)
{
    VFIOPamuContainer *pc = VFIO_IOMMU_FSL_PAMU(bcontainer);
    VFIOPamuSection *s = vfio_pamu_find(pc, iova, iova + size - 1);
    g_autoptr(GArray) calls = g_array_new(false, false, sizeof(PamuCall));
    uint32_t conflict;
    int ret;

    if (!s) {
        return bcontainer->initialized ? 0 : -EINVAL;   /* not seen: odd */
    }
    if (!s->map.nr_ops || s->mapped) {
        return 0;               /* refused, or mapped already */
    }
    if (!pamu_windows_add(&pc->plan, pc->win, &s->map, calls, &conflict)) {
        return vfio_pamu_map_failed(pc, s, -EEXIST);
    }
    ret = vfio_pamu_run(pc, calls, true);
    if (ret) {
        return vfio_pamu_map_failed(pc, s, ret);
    }
    pamu_windows_use(pc->win, &s->map, 1);
    s->mapped = true;
    return 0;
}

/*
 * Drops a section's use of its windows and unmaps every mapping none of
 * whose windows is used any more; the MSI windows are never touched.
 */
static int vfio_pamu_dma_unmap(const VFIOContainerBase *bcontainer,
                               hwaddr iova, ram_addr_t size,
                               IOMMUTLBEntry *iotlb)
{
    VFIOPamuContainer *pc = VFIO_IOMMU_FSL_PAMU(bcontainer);
    VFIOPamuSection *s = vfio_pamu_find(pc, iova, iova + size - 1);
    g_autoptr(GArray) calls = g_array_new(false, false, sizeof(PamuCall));

    if (!s || !s->mapped) {
        return 0;
    }
    pamu_windows_use(pc->win, &s->map, -1);
    s->mapped = false;
    pamu_windows_remove(&pc->plan, pc->win, &s->map, calls);
    return vfio_pamu_run(pc, calls, false);
}

static void vfio_pamu_release(VFIOContainerBase *bcontainer)
{
    VFIOPamuContainer *pc = VFIO_IOMMU_FSL_PAMU(bcontainer);
    VFIOPamuSection *s, *snext;

    timer_free(pc->fault_timer);
    pc->fault_timer = NULL;
    vfio_pamu_unmap_all(pc);
    QLIST_FOREACH_SAFE(s, &pc->sections, next, snext) {
        QLIST_REMOVE(s, next);
        g_free(s);
    }
    g_ptr_array_free(pc->ram_mrs, true);
    pc->ram_mrs = NULL;
}

static void vfio_iommu_fsl_pamu_class_init(ObjectClass *klass, void *data)
{
    VFIOIOMMUClass *vioc = VFIO_IOMMU_CLASS(klass);

    vioc->setup = vfio_pamu_setup;
    vioc->dma_map = vfio_pamu_dma_map;
    vioc->dma_unmap = vfio_pamu_dma_unmap;
    vioc->add_window = vfio_pamu_add_window;
    vioc->del_window = vfio_pamu_del_window;
    vioc->release = vfio_pamu_release;
    vioc->device_attached = vfio_pamu_device_attached;
    vioc->device_reset = vfio_pamu_device_reset;
    /* No dirty tracking: windows have no dirty bits. */
    vioc->set_dirty_page_tracking = NULL;
    vioc->query_dirty_bitmap = NULL;
}

static const TypeInfo types[] = {
    {
        .name = TYPE_VFIO_IOMMU_FSL_PAMU,
        .parent = TYPE_VFIO_IOMMU_LEGACY,
        .instance_size = sizeof(VFIOPamuContainer),
        .class_init = vfio_iommu_fsl_pamu_class_init,
    },
};

DEFINE_TYPES(types)
