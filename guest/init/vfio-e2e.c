/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfio-e2e: the PAMU vfio container end to end in the test guest, as QEMU
 * would use it on a QorIQ host, with QEMU's edu device bound to vfio-pci.
 *
 * Guest RAM stands in for a VM's: 4 MiB hugepages (the e500 kernel's
 * default size, allocated at run time through nr_hugepages).  The
 * geometry comes from the project's own planner, hw/vfio/fsl-pamu-plan.c,
 * compiled into this program; RAM and the MSI banks are mapped as the plan
 * says; edu copies data in both directions through every RAM window, the
 * bytes checked, with an MSI per transfer delivered through the FLAG_MSI
 * window to an eventfd.  Then a DMA outside the mapped windows must
 * disable the LIODN (FAULT reports it, everything stops) until FAULT is
 * set to 0, and a map beyond RLIMIT_MEMLOCK must fail with ENOMEM leaving
 * nothing mapped.
 *
 * Each finding is a line "PAMU-RESULT vfio-<what> ok=0|1 key=value ..."
 * on stdout, which /init passes to the host harness (guest/pamu_guest.py).
 */

#define _GNU_SOURCE

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qemu/osdep.h"
#include "hw/vfio/fsl-pamu-plan.h"
#include "conformance-int.h"
#include "vfio-edu.h"

#define NR_HUGEPAGES    4
#define XFER            1024
/* see vfio-conformance.c */
#define SETTLE_MS       500

static int failures;

static void result(const char *what, bool ok, const char *fmt, ...)
{
    char detail[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    failures += !ok;
    printf("PAMU-RESULT vfio-%s ok=%d %s\n", what, ok, detail);
    fflush(stdout);
}

static void pattern(uint8_t *p, size_t len, uint32_t seed)
{
    size_t i;

    for (i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = seed >> 16;
    }
}

/* --- the plan ------------------------------------------------------------ */

static void plan_limits(Conf *c, PamuPlanLimits *lim)
{
    unsigned i;

    memset(lim, 0, sizeof(*lim));
    lim->max_windows = MIN(c->max_windows, PAMU_PLAN_MAX_WINDOWS);
    lim->msi_banks = c->banks;
    lim->addr_bits = c->addr_bits;
    lim->nr_reach = MIN(c->nr_reach, PAMU_PLAN_MAX_REACH);
    for (i = 0; i < lim->nr_reach; i++) {
        lim->reach[i] = (PamuIovaRange) { c->reach[i].start,
                                          c->reach[i].last };
    }
}

static bool make_plan(Conf *c, PamuRamRange *ram, PamuPlan *plan)
{
    PamuPlanLimits lim;
    PamuPlanResult res;
    unsigned k, msi = 0;

    plan_limits(c, &lim);
    if (!pamu_plan(ram, 1, &lim, plan, &res)) {
        result("plan", false, "status=%d window=0x%" PRIx64 " min-page=0x%"
               PRIx64, res.status, res.window_size, res.min_page_size);
        return false;
    }
    for (k = 0; k < plan->nr_windows; k++) {
        msi += plan->use[k] == PAMU_WINDOW_MSI;
    }
    result("plan", plan->nr_ram_windows == NR_HUGEPAGES &&
           plan->window_size == ram->page_size && msi == c->banks,
           "aperture=0x%" PRIx64 "+0x%" PRIx64 " window=0x%" PRIx64
           " windows=%u ram-windows=%u msi-windows=%u banks=%u",
           plan->aperture_start, plan->aperture_size, plan->window_size,
           plan->nr_windows, plan->nr_ram_windows, msi, c->banks);
    return true;
}

/* RAM as pamu_plan_fit() says, then every MSI window: 0 or -errno */
static int map_plan(Conf *c, const PamuPlan *plan, const PamuRamRange *ram)
{
    PamuMapOp ops[2];
    unsigned nr, i, k;
    uint32_t bad;
    int ret;

    if (pamu_plan_fit(plan, ram, ram->hva, ram->hva + ram->size, ops, &nr,
                      &bad) != PAMU_FIT_OK) {
        return -EINVAL;
    }
    for (i = 0; i < nr; i++) {
        ret = conf_map(c, RW, ops[i].iova, ops[i].size,
                       (void *)(uintptr_t)ops[i].hva);
        if (ret) {
            return ret;
        }
    }
    for (k = 0; k < plan->nr_windows; k++) {
        if (plan->use[k] == PAMU_WINDOW_MSI) {
            ret = conf_map(c, MSI, plan->aperture_start +
                           k * plan->window_size, plan->window_size, NULL);
            if (ret) {
                return ret;
            }
        }
    }
    return 0;
}

/* --- DMA and MSIs -------------------------------------------------------- */

/*
 * RAM window k -> edu -> RAM window k + 1, at offsets that differ per
 * window, each transfer raising an MSI: how many arrived intact.
 */
static unsigned dma_round(Conf *c, uint8_t *buf, uint64_t iova, uint64_t w,
                          unsigned *msis)
{
    uint8_t want[XFER];
    unsigned k, good = 0, n;
    uint64_t src, dst;

    for (k = 0; k < NR_HUGEPAGES; k++) {
        n = (k + 1) % NR_HUGEPAGES;
        src = k * w + k * 0x11000 + 0x40;
        dst = n * w + k * 0x23000 + 0x80;
        pattern(want, XFER, 0x5eed + k);
        memcpy(buf + src, want, XFER);
        memset(buf + dst, 0, XFER);
        if (edu_dev_ops.dma(c->device, iova + src, 0, XFER, false) ||
            edu_dma_irq(c->device, iova + dst, 0, XFER, true)) {
            continue;
        }
        *msis += conf_msi_wait(c, 1);
        edu_irq_ack(c->device);
        good += !memcmp(buf + dst, want, XFER);
    }
    return good;
}

static void check_dma(Conf *c, uint8_t *buf, const PamuRamRange *ram,
                      uint64_t w)
{
    unsigned msis = 0, good = dma_round(c, buf, ram->iova, w, &msis);
    struct vfio_iommu_pamu_attr a;

    conf_get_fault(c, &a);
    result("dma", good == NR_HUGEPAGES && a.fault.count == 0,
           "windows=%u intact=%u bytes=%u violations=%u", NR_HUGEPAGES,
           good, good * XFER * 2, a.fault.count);
    result("msi", msis == NR_HUGEPAGES, "delivered=%u of %u", msis,
           NR_HUGEPAGES);
}

static uint64_t free_window(const PamuPlan *plan)
{
    unsigned k;

    for (k = 0; k < plan->nr_windows; k++) {
        if (plan->use[k] == PAMU_WINDOW_FREE) {
            return plan->aperture_start + k * plan->window_size;
        }
    }
    return plan->aperture_start + plan->aperture_size;
}

/* A DMA where nothing is mapped: the LIODN goes off, and all with it */
static void check_fault(Conf *c, uint8_t *buf, const PamuPlan *plan,
                        const PamuRamRange *ram)
{
    uint64_t bad = free_window(plan) + 0x1230;
    struct vfio_iommu_pamu_attr a;
    uint64_t msis;
    bool blocked;

    memset(buf, 0, XFER);
    edu_dev_ops.dma(c->device, bad, 0, 64, true);
    conf_fault_wait(c, 1, &a);
    result("fault", a.fault.count == 1 && a.fault.disabled == 1 &&
           a.fault.last_iova == bad, "iova=0x%" PRIx64 " count=%u "
           "disabled=%u last-iova=0x%" PRIx64, bad, a.fault.count,
           a.fault.disabled, a.fault.last_iova);
    edu_dev_ops.dma(c->device, ram->iova, 0, XFER, true);
    edu_dev_ops.msi_send(c->device);
    msis = conf_msi_wait(c, 1);
    conf_get_fault(c, &a);
    blocked = buf[0] == 0 && !memcmp(buf, buf + 1, XFER - 1);
    result("fault-stops-all", blocked && msis == 0 && a.fault.count == 1,
           "dma-blocked=%d msis=%" PRIu64 " count=%u", blocked, msis,
           a.fault.count);
}

static void check_reenable(Conf *c, uint8_t *buf, const PamuRamRange *ram,
                           uint64_t w)
{
    struct vfio_iommu_pamu_attr a;
    unsigned msis = 0, good;
    int ret = conf_set_fault(c, 0);

    conf_get_fault(c, &a);
    good = dma_round(c, buf, ram->iova, w, &msis);
    result("reenable", !ret && a.fault.disabled == 0 &&
           good == NR_HUGEPAGES && msis == NR_HUGEPAGES,
           "set=%d disabled=%u intact=%u msis=%u", ret, a.fault.disabled,
           good, msis);
}

/* Beyond RLIMIT_MEMLOCK: ENOMEM, and not one window left mapped */
static void check_memlock(Conf *c, const PamuPlan *plan,
                          const PamuRamRange *ram)
{
    uint64_t before, n = 1;
    int ret, un;

    conf_unmap(c, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, NULL);
    before = conf_vmlck();
    if (!conf_cap_ipc_lock(c, false) ||
        !conf_set_memlock(c, before + plan->window_size)) {
        result("memlock", false, "cannot drop CAP_IPC_LOCK or set "
               "RLIMIT_MEMLOCK");
        return;
    }
    ret = conf_map(c, RW, ram->iova, ram->size, (void *)(uintptr_t)ram->hva);
    un = conf_unmap(c, 0, ram->iova, ram->size, &n);
    result("memlock", ret == -ENOMEM && un == 0 && n == 0 &&
           conf_vmlck() == before, "map=%d limit=0x%" PRIx64 " unmapped=0x%"
           PRIx64 " vmlck-before=0x%" PRIx64 " after=0x%" PRIx64, ret,
           before + plan->window_size, n, before, conf_vmlck());
}

/* --- main ---------------------------------------------------------------- */

static bool open_all(Conf *c, EduFunc *e, ConfHost *host)
{
    char why[256];

    if (edu_setup(e, why, sizeof(why))) {
        result("setup", false, "%s", why);
        return false;
    }
    host->name = "guest";
    host->group_path = e->group_path;
    host->device = e->bdf;
    host->dev = &edu_dev_ops;
    host->settle_ms = SETTLE_MS;
    if (!conf_learn_host(c) || conf_open(c)) {
        result("setup", false, "dev=%s group=%d: the container cannot be "
               "used", e->bdf, e->group);
        return false;
    }
    result("setup", true, "dev=%s group=%d banks=%u max-windows=%u "
           "addr-bits=%u", e->bdf, e->group, c->banks, c->max_windows,
           c->addr_bits);
    return true;
}

static void run(Conf *c)
{
    PamuRamRange ram = { 0 };
    struct vfio_iommu_pamu_attr a;
    uint64_t hp;
    PamuPlan plan;
    uint8_t *buf = conf_hugepages(c, NR_HUGEPAGES, &hp);
    int ret;

    if (!buf || !conf_pick_aperture(c, 8 * NR_HUGEPAGES * hp, 0, &ram.iova)) {
        result("hugepages", false, "%s", buf ? "no reachable IOVA range" :
               c->skip_reason);
        return;
    }
    result("hugepages", true, "pages=%u size=0x%" PRIx64, NR_HUGEPAGES, hp);
    ram.size = NR_HUGEPAGES * hp;
    ram.hva = (uintptr_t)buf;
    ram.page_size = hp;
    if (!make_plan(c, &ram, &plan) ||
        !conf_geometry(c, plan.aperture_start, plan.aperture_size,
                       plan.nr_windows)) {
        return;
    }
    ret = map_plan(c, &plan, &ram);
    conf_get_banks(c, &a);
    result("map", ret == 0 && __builtin_popcountll(a.msi_banks.mapped_mask) ==
           (int)c->banks, "ret=%d mapped-mask=0x%" PRIx64, ret,
           (uint64_t)a.msi_banks.mapped_mask);
    if (ret || conf_open_device(c) || conf_msi_eventfd(c)) {
        result("device", false, "open or MSI enable failed");
        return;
    }
    check_dma(c, buf, &ram, plan.window_size);
    check_fault(c, buf, &plan, &ram);
    check_reenable(c, buf, &ram, plan.window_size);
    check_memlock(c, &plan, &ram);
}

int main(void)
{
    ConfHost host = { 0 };
    EduFunc e;
    Conf c;

    conf_init(&c, &host);
    if (open_all(&c, &e, &host)) {
        run(&c);
    }
    conf_release(&c);
    printf("PAMU-RESULT vfio-done failures=%d\n", failures);
    return failures ? 1 : 0;
}
