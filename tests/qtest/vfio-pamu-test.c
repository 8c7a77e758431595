/*
 * End-to-end test of the PAMU vfio container backend on ppce500
 *
 * QEMU runs unmodified with "-device vfio-pci,host=..." against
 * libvfio-pamu-sim.so, a SIMULATED QorIQ host preloaded into it (see
 * tests/qtest/vfio-pamu-sim/), with guest RAM on 2 MiB hugepages that the
 * test reserves and mounts itself.  It checks what the backend set up in
 * the host PAMU, that MSI bank windows exist before MSI is enabled, that
 * device DMA lands in the right guest RAM bytes through the windows, that
 * hot-unplug leaves nothing mapped, and the errors users get.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/units.h"
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include "hw/pci/pci.h"
#include "hw/pci/pci_regs.h"
#include "hw/iommu/pamu-regs.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "e500-pci-edu.h"
#include "pamu-entry.h"
#include "vfio-pamu-sim/vfio-pamu-sim.h"
#include "vfio-pamu-sim/sim-host.h"

#define HOST_BDF        VFIO_PAMU_SIM_DEFAULT_BDF
/* SHPC registers (hw/pci/shpc.c) */
#define SHPC_CMD_CODE   0x14
#define SHPC_CMD_TRGT   0x15
#define SHPC_SLOT_OFF   0x0f    /* state disabled, power indicator off */
#define RAM_MB          128
#define GUTS_CCSR_OFFSET 0xe0000
#define SIM_CONFIG      "banks=3,max_windows=256,addr_bits=36"

static const E500Board *board;      /* ppce500 */
static char *bios;

typedef struct Env {
    SimHugepages hp;
    char *log;
    char *err;              /* QEMU's stderr */
    QTestState *qts;
    uint64_t bar;
} Env;

static void abort_on_term(int sig)
{
    abort();
}

/* If an assertion fails, give back the hugepages before dying. */
static void abort_cleanup(void *data)
{
    sim_hugepages_put_all();
}

static bool env_get(Env *e, unsigned ram_mb)
{
    int fd;

    memset(e, 0, sizeof(*e));
    if (!sim_hugepages_get(&e->hp, ram_mb / 2 + 2)) {
        g_test_skip(e->hp.skip_reason);
        g_free(e->hp.skip_reason);
        return false;
    }
    fd = g_file_open_tmp("vfio-pamu-sim-log-XXXXXX", &e->log, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    fd = g_file_open_tmp("vfio-pamu-stderr-XXXXXX", &e->err, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    return true;
}

/* What QEMU has written to stderr so far */
static char *env_stderr(Env *e)
{
    char *text = NULL;

    g_assert_true(g_file_get_contents(e->err, &text, NULL, NULL));
    return text;
}

static void env_put(Env *e)
{
    g_autofree char *err = NULL;

    if (e->qts) {
        qtest_quit(e->qts);
    }
    sim_hugepages_put(&e->hp);
    if (e->log) {
        unlink(e->log);
        g_free(e->log);
    }
    if (e->err) {
        err = env_stderr(e);
        g_test_message("QEMU said: %s", err);
        unlink(e->err);
        g_free(e->err);
    }
}

/* Waits up to ten seconds for QEMU to write @text to stderr */
static void wait_stderr(Env *e, const char *text)
{
    char *err = NULL;
    int i;

    for (i = 0; i < 200; i++) {
        g_free(err);
        err = env_stderr(e);
        if (strstr(err, text)) {
            break;
        }
        g_usleep(50 * 1000);
    }
    if (!strstr(err, text)) {
        g_test_message("QEMU said: %s", err);
        g_assert_not_reached();
    }
    g_free(err);
}

static char *memory_args(Env *e, unsigned ram_mb)
{
    if (!e || !e->hp.mount) {
        return g_strdup_printf("-m %u", ram_mb);
    }
    return g_strdup_printf("-m %u -object memory-backend-file,id=ram,"
                           "size=%uM,mem-path=%s,share=on "
                           "-machine memory-backend=ram",
                           ram_mb, ram_mb, e->hp.mount);
}

static void sim_env_set(const char *log, const char *config)
{
    g_setenv("LD_PRELOAD", CONFIG_VFIO_PAMU_SIM, true);
    g_setenv(VFIO_PAMU_SIM_ENV, config, true);
    g_setenv(VFIO_PAMU_SIM_LOG_ENV, log, true);
}

static void sim_env_unset(void)
{
    g_unsetenv("LD_PRELOAD");
    g_unsetenv(VFIO_PAMU_SIM_ENV);
    g_unsetenv(VFIO_PAMU_SIM_LOG_ENV);
}

/*
 * QEMU with the libraries in @preload (LD_PRELOAD), against a host
 * configured by @config (VFIO_PAMU_SIM)
 */
static void start_preloaded(Env *e, const char *preload, const char *config,
                            const char *devices)
{
    g_autofree char *mem = memory_args(e, RAM_MB);

    sim_env_set(e->log, config);
    g_setenv("LD_PRELOAD", preload, true);
    /* libqtest runs QEMU through the shell: keep its stderr in a file */
    e->qts = qtest_initf("-M %s -nodefaults -bios %s %s %s 2>%s",
                         board->machine, bios, mem, devices, e->err);
    sim_env_unset();
}

static void start_host(Env *e, const char *config, const char *devices)
{
    start_preloaded(e, CONFIG_VFIO_PAMU_SIM, config, devices);
}

static void start(Env *e, const char *devices)
{
    start_host(e, SIM_CONFIG, devices);
}

/* The simulated function's registers are little-endian, the CPU is not. */
static void bar_writel(Env *e, unsigned reg, uint32_t v)
{
    qtest_writel(e->qts, e->bar + reg, bswap32(v));
}

static uint32_t bar_readl(Env *e, unsigned reg)
{
    return bswap32(qtest_readl(e->qts, e->bar + reg));
}

static uint32_t device_dma(Env *e, uint64_t iova, uint32_t off, uint32_t len,
                           bool to_ram)
{
    bar_writel(e, SIM_REG_DMA_IOVA, iova);
    bar_writel(e, SIM_REG_DMA_IOVA + 4, iova >> 32);
    bar_writel(e, SIM_REG_DMA_OFF, off);
    bar_writel(e, SIM_REG_DMA_LEN, len);
    bar_writel(e, SIM_REG_DMA_CMD, SIM_DMA_CMD_START |
               (to_ram ? SIM_DMA_CMD_TO_RAM : 0));
    return bar_readl(e, SIM_REG_DMA_STATUS);
}

static void fill(uint8_t *buf, size_t len, uint8_t seed)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = seed ^ (i * 13);
    }
}

/* The log line of the first successful MAP_DMA at @iova, or -1 */
static int find_map(char **lines, uint64_t iova)
{
    int i;

    for (i = 0; lines[i]; i++) {
        uint64_t v, ret;

        if (g_str_has_prefix(lines[i], "ioctl MAP_DMA") &&
            sim_log_value(lines[i], "iova", &v) && v == iova &&
            sim_log_value(lines[i], "ret", &ret) && ret == 0) {
            return i;
        }
    }
    return -1;
}

static void check_setup(Env *e)
{
    g_auto(GStrv) lines = sim_log_lines(e->log);
    uint64_t v;
    int i;

    /* 128 MiB in 2 MiB windows, 3 MSI banks: 256 MiB in 128 windows */
    i = sim_log_find(lines, 0, "ioctl SET_ATTR GEOMETRY");
    g_assert_cmpint(i, >=, 0);
    g_assert_true(sim_log_value(lines[i], "start", &v) && v == 0);
    g_assert_true(sim_log_value(lines[i], "size", &v) && v == 256 * MiB);
    g_assert_true(sim_log_value(lines[i], "ret", &v) && v == 0);
    i = sim_log_find(lines, i, "ioctl SET_ATTR WINDOWS");
    g_assert_cmpint(i, >=, 0);
    g_assert_true(sim_log_value(lines[i], "count", &v) && v == 128);
    g_assert_true(sim_log_value(lines[i], "ret", &v) && v == 0);
    /* the three highest windows map the banks, in one call */
    g_assert_cmpint(sim_log_count(lines, "map-msi"), ==, 1);
    i = sim_log_find(lines, i, "map-msi windows=125-127 banks=0x7");
    g_assert_cmpint(i, >=, 0);
    /* no RAM reaches the device before the guest opens an inbound window */
    g_assert_cmpint(sim_log_count(lines, "map windows"), ==, 0);
}

static void check_msi_order(Env *e)
{
    g_auto(GStrv) lines = sim_log_lines(e->log);
    int msi_map = sim_log_find(lines, 0, "map-msi");
    int enable = -1, i;
    uint64_t v;

    for (i = 0; lines[i] && enable < 0; i++) {
        if (g_str_has_prefix(lines[i], "set-irqs index=1 ") &&
            strstr(lines[i], " msi=on ")) {
            enable = i;
        }
    }
    g_assert_cmpint(msi_map, >=, 0);
    g_assert_cmpint(enable, >, msi_map);
    g_assert_true(sim_log_value(lines[enable], "bank-windows", &v));
    g_assert_cmphex(v, ==, 0x7);
    g_assert_true(sim_log_value(lines[enable], "msi-iova", &v));
    g_assert_cmphex(v, ==, 250 * MiB + SIM_MSIIR_OFFSET);
}

static void enable_msi(Env *e, uint32_t devfn, uint64_t addr, uint16_t data)
{
    uint32_t cap = e500_pci_cfg_readl(e->qts, board, devfn, SIM_MSI_CAP);

    g_assert_cmphex(cap & 0xff, ==, PCI_CAP_ID_MSI);
    g_assert_true(cap >> 16 & PCI_MSI_FLAGS_64BIT);
    e500_pci_cfg_writel(e->qts, board, devfn, SIM_MSI_CAP + PCI_MSI_ADDRESS_LO,
                        addr);
    e500_pci_cfg_writel(e->qts, board, devfn, SIM_MSI_CAP + PCI_MSI_ADDRESS_HI,
                        addr >> 32);
    e500_pci_cfg_writel(e->qts, board, devfn, SIM_MSI_CAP + PCI_MSI_DATA_64,
                        data);
    e500_pci_cfg_writel(e->qts, board, devfn, SIM_MSI_CAP,
                        (cap & 0xffff) |
                        (uint32_t)(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_64BIT)
                        << 16);
}

/* MSI: device -> bank window -> eventfd -> QEMU -> guest RAM at @addr */
static void check_msi(Env *e, uint32_t devfn)
{
    const uint64_t addr = 0x3000000;
    uint32_t got = 0;
    int i;

    enable_msi(e, devfn, addr, 0x4321);
    check_msi_order(e);
    bar_writel(e, SIM_REG_MSI_SEND, 0);
    g_assert_cmpuint(bar_readl(e, SIM_REG_MSI_STATUS), ==,
                     SIM_MSI_STATUS_DELIVERED);
    /* QEMU handles the eventfd in its main loop: give it a few rounds */
    for (i = 0; i < 1000 && le32_to_cpu(got) != 0x4321; i++) {
        g_usleep(5000);
        qtest_memread(e->qts, addr, &got, sizeof(got));
    }
    g_assert_cmphex(le32_to_cpu(got), ==, 0x4321);
    g_assert_cmpuint(bar_readl(e, SIM_REG_MSI_BLOCKED), ==, 0);
}

/* Device DMA through the windows, identity and translated */
static void check_dma(Env *e)
{
    uint8_t pattern[256], got[256];
    g_auto(GStrv) lines = NULL;
    int i;

    /* PIW1: PCI [0, 128 MiB) -> RAM at 0: the backend maps all of RAM */
    e500_set_inbound_window(e->qts, board, 0, 0, 0, 27);
    lines = sim_log_lines(e->log);
    i = find_map(lines, 0);
    g_assert_cmpint(i, >=, 1);
    g_assert_nonnull(strstr(lines[i], "flags=0x3 iova=0x0 size=0x8000000"));
    g_assert_cmpstr(lines[i - 1], ==,
                    "map windows=0-63 size=0x200000 flags=0x3");

    fill(pattern, sizeof(pattern), 0x5a);
    qtest_memwrite(e->qts, 0x100000, pattern, sizeof(pattern));
    g_assert_cmpuint(device_dma(e, 0x100000, 0, 256, false), ==,
                     SIM_DMA_STATUS_DONE);
    g_assert_cmpuint(device_dma(e, 0x5ff000, 0, 256, true), ==,
                     SIM_DMA_STATUS_DONE);
    qtest_memread(e->qts, 0x5ff000, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), pattern, sizeof(pattern));
    /* across a window boundary, and at the very end of RAM */
    g_assert_cmpuint(device_dma(e, 4 * MiB - 64, 0, 128, true), ==,
                     SIM_DMA_STATUS_DONE);
    qtest_memread(e->qts, 4 * MiB - 64, got, 128);
    g_assert_cmpmem(got, 128, pattern, 128);
    g_assert_cmpuint(device_dma(e, RAM_MB * MiB - 128, 0, 128, true), ==,
                     SIM_DMA_STATUS_DONE);
    qtest_memread(e->qts, RAM_MB * MiB - 128, got, 128);
    g_assert_cmpmem(got, 128, pattern, 128);

    /* PIW2: PCI [128, 192) MiB -> RAM [0, 64) MiB, mapped a second time */
    e500_set_inbound_window(e->qts, board, 1, 128 * MiB, 0, 26);
    g_strfreev(lines);
    lines = sim_log_lines(e->log);
    i = find_map(lines, 128 * MiB);
    g_assert_cmpint(i, >=, 0);
    g_assert_nonnull(strstr(lines[i], "size=0x4000000"));
    fill(pattern, sizeof(pattern), 0xc3);
    qtest_memwrite(e->qts, 0x100000, pattern, sizeof(pattern));
    g_assert_cmpuint(device_dma(e, 128 * MiB + 0x100000, 0, 256, false), ==,
                     SIM_DMA_STATUS_DONE);
    g_assert_cmpuint(device_dma(e, 128 * MiB + 0x2345000, 0, 256, true), ==,
                     SIM_DMA_STATUS_DONE);
    qtest_memread(e->qts, 0x2345000, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), pattern, sizeof(pattern));

    /*
     * PIW2 closes: its windows, and only those, are unmapped.  DMA there
     * is a violation, after which the host stops all DMA of the device.
     */
    e500_clear_inbound_window(e->qts, board, 1);
    g_strfreev(lines);
    lines = sim_log_lines(e->log);
    i = sim_log_find(lines, 0, "ioctl UNMAP_DMA flags=0x0 iova=0x8000000 "
                               "size=0x4000000 ret=0");
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpint(sim_log_count(lines, "ioctl UNMAP_DMA"), ==, 1);
    g_assert_cmpuint(device_dma(e, 0x2345000, 0, 256, true), ==,
                     SIM_DMA_STATUS_DONE);
}

/*
 * What the guest no longer or never showed the device: DMA there is a
 * violation, after which the host stops all DMA and MSIs of the device.
 */
static void check_violations(Env *e)
{
    g_auto(GStrv) lines = NULL;

    g_assert_cmpuint(device_dma(e, 128 * MiB + 0x2345000, 0, 256, true), ==,
                     SIM_DMA_STATUS_FAULT);
    /*
     * PIW3: PCI [512, 576) MiB is outside the aperture.  The backend leaves
     * it unmapped (QEMU keeps running) and the device's DMA there faults.
     */
    e500_set_inbound_window(e->qts, board, 2, 512 * MiB, 0, 26);
    wait_stderr(e, "vfio-pamu: not mapping 0x20000000-0x23ffffff for the "
                "assigned device, whose DMA there will fault: RAM at "
                "0x20000000-0x23ffffff is outside the PAMU aperture "
                "0x0-0xfffffff (more with -d guest_errors)");
    lines = sim_log_lines(e->log);
    g_assert_cmpint(find_map(lines, 512 * MiB), ==, -1);
    g_assert_cmpuint(device_dma(e, 512 * MiB, 0, 16, true), ==,
                     SIM_DMA_STATUS_FAULT);
    g_assert_cmphex(bar_readl(e, SIM_REG_FAULT_IOVA), ==, 512 * MiB);
}

/* The figures of the issue: MAP_DMA calls for guest RAM */
static void report_map_calls(Env *e)
{
    g_auto(GStrv) lines = sim_log_lines(e->log);
    int calls = 0, windows = 0, i;

    for (i = 0; lines[i]; i++) {
        uint64_t first, last, flags;

        if (g_str_has_prefix(lines[i], "ioctl MAP_DMA") &&
            sim_log_value(lines[i], "flags", &flags) && flags == 3) {
            calls++;
        }
        if (sscanf(lines[i], "map windows=%" SCNu64 "-%" SCNu64, &first,
                   &last) == 2) {
            windows += last - first + 1;
        }
    }
    g_test_message("figure: %d MAP_DMA calls mapped %d RAM windows "
                   "(%u MiB on 2 MiB pages, seen at 0 and 128 MiB), "
                   "1 MAP_DMA call mapped the 3 MSI windows", calls, windows,
                   RAM_MB);
    g_assert_cmpint(calls, ==, 2);
    g_assert_cmpint(windows, ==, 96);
    g_assert_cmpint(calls, <=, windows);
}

static void test_e2e(void)
{
    Env e;
    uint32_t devfn = board->first_devfn;

    if (!env_get(&e, RAM_MB)) {
        return;
    }
    start(&e, "-device vfio-pci,host=" HOST_BDF ",id=hostdev0 "
              "-trace vfio_pamu_stored_*");
    check_setup(&e);
    /* what the container keeps from GET_INFO: window size, aperture - MSI */
    wait_stderr(&e, "vfio_pamu_stored_info pgsizes=0x200000 iova_ranges=1");
    wait_stderr(&e, "vfio_pamu_stored_range iova_range 0x0-0xf9fffff");
    g_assert_cmphex(e500_pci_cfg_readl(e.qts, board, devfn, PCI_VENDOR_ID),
                    ==, SIM_PCI_VENDOR_ID | (uint32_t)SIM_PCI_DEVICE_ID << 16);
    e.bar = e500_pci_map_bar0(e.qts, board, devfn);
    g_assert_cmphex(bar_readl(&e, SIM_REG_ID), ==, SIM_ID_VALUE);
    check_dma(&e);
    check_msi(&e, devfn);
    check_violations(&e);
    report_map_calls(&e);
    env_put(&e);
}

/*
 * Hot-unplug through a pci-bridge's SHPC: device_del asks, the guest
 * (here the test) powers the slot off, and the backend must leave nothing
 * mapped in the host PAMU.
 */
static void test_unplug(void)
{
    const uint32_t bridge = board->first_devfn + PCI_DEVFN(1, 0);
    g_auto(GStrv) lines = NULL;
    uint64_t shpc;
    int i;
    Env e;

    if (!env_get(&e, RAM_MB)) {
        return;
    }
    start(&e, "-device pci-bridge,id=br0,chassis_nr=1,shpc=on,addr=0x2 "
              "-device vfio-pci,host=" HOST_BDF ",id=hostdev0,bus=br0,"
              "addr=0x1");
    e500_set_inbound_window(e.qts, board, 0, 0, 0, 27);
    lines = sim_log_lines(e.log);
    g_assert_cmpint(find_map(lines, 0), >=, 0);

    qtest_qmp_assert_success(e.qts, "{'execute': 'device_del', 'arguments':"
                             " {'id': 'hostdev0'}}");
    /*
     * The guest's part, through the SHPC registers in the bridge's BAR:
     * slot 1 disabled with its power indicator off.  (The bytes are the
     * command target, then the command code, which runs the command.)
     */
    shpc = e500_pci_map_bar0(e.qts, board, bridge);
    qtest_writeb(e.qts, shpc + SHPC_CMD_TRGT, 1);
    qtest_writeb(e.qts, shpc + SHPC_CMD_CODE, SHPC_SLOT_OFF);
    qtest_qmp_eventwait(e.qts, "DEVICE_DELETED");

    g_strfreev(lines);
    lines = sim_log_lines(e.log);
    i = sim_log_find(lines, 0, "ioctl UNMAP_DMA flags=0x0 iova=0x0 "
                               "size=0x8000000 ret=0");
    g_assert_cmpint(i, >=, 0);
    /* release: everything else, i.e. the MSI windows */
    i = sim_log_find(lines, i, "ioctl UNMAP_DMA flags=0x2");
    g_assert_cmpint(i, >=, 1);
    g_assert_cmpstr(lines[i - 1], ==, "domain disabled");
    i = sim_log_find(lines, i, "group-detach mappings=0");
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpint(sim_log_find(lines, i, "container-close mappings=0"), >,
                    i);
    env_put(&e);
}

/*
 * The guest takes the emulated PAMU into use (an inbound window, then
 * PAMUBYPENR cleared): the PCI host's DMA space now holds a guest IOMMU,
 * not RAM, and a vfio-pci device hot-plugged then must be refused by
 * realize, with QEMU running on, however often it is tried (each refusal
 * must leave the IOMMU region's references as they were).
 */
static void test_guest_iommu(void)
{
    const char *desc;
    QDict *rsp;
    int i;
    Env e;

    if (!env_get(&e, RAM_MB)) {
        return;
    }
    start(&e, "-device pamu "
              "-device pci-bridge,id=br0,chassis_nr=1,shpc=on,addr=0x2");
    e500_set_inbound_window(e.qts, board, 0, 0, 0, 27);
    qtest_writel(e.qts, board->ccsr + GUTS_CCSR_OFFSET + PAMU_GUTS_PAMUBYPENR,
                 0);
    for (i = 0; i < 32; i++) {
        rsp = qtest_qmp(e.qts, "{'execute': 'device_add', 'arguments':"
                        " {'driver': 'vfio-pci', 'host': '" HOST_BDF "',"
                        " 'bus': 'br0', 'addr': '0x1', 'id': 'hostdev0'}}");
        g_assert_true(qdict_haskey(rsp, "error"));
        desc = qdict_get_str(qdict_get_qdict(rsp, "error"), "desc");
        if (!i) {
            g_test_message("device_add: %s", desc);
        }
        g_assert_nonnull(strstr(desc, "a guest IOMMU in front of a device "
                                "assigned through a PAMU is not supported"));
        qobject_unref(rsp);
    }
    /* the PAMU and its regions are alive: the guest can reprogram them */
    e500_clear_inbound_window(e.qts, board, 0);
    e500_set_inbound_window(e.qts, board, 0, 0, 0, 27);
    qtest_qmp_assert_success(e.qts, "{'execute': 'query-status'}");
    env_put(&e);
}

/*
 * A host whose PCIe controller reaches only [0, 192 MiB): the plan keeps
 * the aperture of the e500 guest, but its MSI windows move into the
 * reachable part, and RAM the guest shows the device beyond it stays
 * unmapped.
 */
static void test_reachable(void)
{
    const uint32_t devfn = board->first_devfn;
    g_auto(GStrv) lines = NULL;
    uint8_t pattern[64], got[64];
    uint64_t v;
    int i;
    Env e;

    if (!env_get(&e, RAM_MB)) {
        return;
    }
    start_host(&e, SIM_CONFIG ",inbound=0+0xc000000",
               "-device vfio-pci,host=" HOST_BDF ",id=hostdev0 "
               "-trace vfio_pamu_stored_*");
    /* the IOVAs the container keeps: reachable, below the MSI windows */
    wait_stderr(&e, "vfio_pamu_stored_info pgsizes=0x200000 iova_ranges=1");
    wait_stderr(&e, "vfio_pamu_stored_range iova_range 0x0-0xb9fffff");
    lines = sim_log_lines(e.log);
    i = sim_log_find(lines, 0, "ioctl SET_ATTR GEOMETRY start=0x0 "
                               "size=0x10000000 ret=0");
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpint(sim_log_find(lines, i, "ioctl SET_ATTR WINDOWS "
                                           "count=128"), >, i);
    g_assert_cmpint(sim_log_find(lines, i, "map-msi windows=93-95 "), >, i);

    e.bar = e500_pci_map_bar0(e.qts, board, devfn);
    e500_set_inbound_window(e.qts, board, 0, 0, 0, 27);
    /* RAM [0, 32 MiB) again at PCI 128 MiB: reachable windows 64-79 */
    e500_set_inbound_window(e.qts, board, 1, 128 * MiB, 0, 25);
    /* and [0, 64 MiB) at 192 MiB, which the host does not reach */
    e500_set_inbound_window(e.qts, board, 2, 192 * MiB, 0, 26);
    g_strfreev(lines);
    lines = sim_log_lines(e.log);
    g_assert_cmpint(find_map(lines, 0), >=, 0);
    i = find_map(lines, 128 * MiB);
    g_assert_cmpint(i, >=, 0);
    g_assert_true(sim_log_value(lines[i], "size", &v) && v == 32 * MiB);
    g_assert_cmpint(find_map(lines, 192 * MiB), ==, -1);
    g_assert_cmpint(sim_log_count(lines, "ioctl MAP_DMA flags=0x3 "
                                         "iova=0xc000000"), ==, 0);

    fill(pattern, sizeof(pattern), 0x3c);
    qtest_memwrite(e.qts, 0x1000, pattern, sizeof(pattern));
    g_assert_cmpuint(device_dma(&e, 128 * MiB + 0x1000, 0, 64, false), ==,
                     SIM_DMA_STATUS_DONE);
    g_assert_cmpuint(device_dma(&e, 0x2000, 0, 64, true), ==,
                     SIM_DMA_STATUS_DONE);
    qtest_memread(e.qts, 0x2000, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), pattern, sizeof(pattern));
    /* MSI through the bank window in the reachable part */
    enable_msi(&e, devfn, 0x3000000, 0x1234);
    g_strfreev(lines);
    lines = sim_log_lines(e.log);
    i = sim_log_find(lines, 0, "set-irqs index=1 ");
    g_assert_cmpint(i, >=, 0);
    g_assert_true(sim_log_value(lines[i], "msi-iova", &v));
    g_assert_cmphex(v, ==, 186 * MiB + SIM_MSIIR_OFFSET);
    bar_writel(&e, SIM_REG_MSI_SEND, 0);
    g_assert_cmpuint(bar_readl(&e, SIM_REG_MSI_STATUS), ==,
                     SIM_MSI_STATUS_DELIVERED);
    env_put(&e);
}

/*
 * Maps the host refuses while the guest runs.  A VGA's legacy range splits
 * the RAM the guest shows the device: [4 KiB, 640 KiB) needs PAMU window
 * 0, and [768 KiB, 128 MiB) shares window 0 and needs windows 1-63.  The
 * first is refused (the second MAP_DMA that passes every check fails);
 * so the second maps window 0 itself, but the host refuses windows 1-63
 * (every map holding 32 MiB fails).  QEMU reports it and runs on, the
 * second section's window 0 is unmapped again, and later maps work.
 */
static void test_map_failure(void)
{
    g_auto(GStrv) lines = NULL;
    int i;
    Env e;

    if (!env_get(&e, RAM_MB)) {
        return;
    }
    start_host(&e, SIM_CONFIG ",fail_map=2,fail_iova=0x2000000",
               "-device VGA,romfile=,addr=0x3 "
               "-device vfio-pci,host=" HOST_BDF ",id=hostdev0");
    e.bar = e500_pci_map_bar0(e.qts, board, board->first_devfn);
    e500_set_inbound_window(e.qts, board, 0, 0, 0, 27);

    lines = sim_log_lines(e.log);
    i = sim_log_find(lines, 0, "map injected-failure iova=0x0 "
                               "size=0x200000 errno=5");
    g_assert_cmpint(i, >=, 0);
    /* the call's own log line, then the second section's */
    g_assert_true(g_str_has_suffix(lines[i + 1], " ret=-5"));
    i = sim_log_find(lines, i + 2, "ioctl MAP_DMA flags=0x3 iova=0x0 "
                                   "size=0x200000 ");
    g_assert_cmpint(i, >=, 0);
    g_assert_true(g_str_has_suffix(lines[i], " ret=0"));
    i = sim_log_find(lines, i, "map injected-failure iova=0x200000 "
                               "size=0x7e00000 errno=5");
    g_assert_cmpint(i, >=, 0);
    /* all or nothing: window 0 goes again */
    g_assert_cmpint(sim_log_find(lines, i, "ioctl UNMAP_DMA flags=0x0 "
                                           "iova=0x0 size=0x200000 ret=0"),
                    >, i);
    g_assert_cmpint(sim_log_count(lines, "map windows"), ==, 1);
    g_assert_cmpint(sim_log_count(lines, "ioctl UNMAP_DMA"), ==, 1);
    wait_stderr(&e, "vfio-pamu: the host refused to map guest "
                "RAM at 0x1000-0x9ffff for the assigned device, "
                "whose DMA there will fault: Input/output "
                "error");

    /* later maps work: RAM [0, 16 MiB) again at PCI 128 MiB */
    e500_set_inbound_window(e.qts, board, 1, 128 * MiB, 0, 24);
    g_strfreev(lines);
    lines = sim_log_lines(e.log);
    g_assert_cmpint(find_map(lines, 128 * MiB), >=, 0);
    g_assert_cmpuint(device_dma(&e, 128 * MiB + 0x1000, 0, 64, true), ==,
                     SIM_DMA_STATUS_DONE);
    /* what was refused or undone stays unmapped: a violation */
    g_assert_cmpuint(device_dma(&e, 0x1000, 0, 64, true), ==,
                     SIM_DMA_STATUS_FAULT);
    qtest_qmp_assert_success(e.qts, "{'execute': 'query-status'}");
    env_put(&e);
}

/*
 * RAM shown to the device a second time is locked a second time: beyond
 * the host's RLIMIT_MEMLOCK (160 MiB here, for a QEMU without
 * CAP_IPC_LOCK), the second view stays unmapped and QEMU says why.
 */
static void test_memlock_alias(void)
{
    g_auto(GStrv) lines = NULL;
    Env e;

    if (!env_get(&e, RAM_MB)) {
        return;
    }
    start_host(&e, SIM_CONFIG ",memlock=0xa000000,cap_ipc_lock=0",
               "-device vfio-pci,host=" HOST_BDF ",id=hostdev0");
    e.bar = e500_pci_map_bar0(e.qts, board, board->first_devfn);
    e500_set_inbound_window(e.qts, board, 0, 0, 0, 27);
    e500_set_inbound_window(e.qts, board, 1, 128 * MiB, 0, 26);
    lines = sim_log_lines(e.log);
    g_assert_cmpint(find_map(lines, 0), >=, 0);
    g_assert_cmpint(find_map(lines, 128 * MiB), ==, -1);
    g_assert_cmpint(sim_log_find(lines, 0, "ioctl MAP_DMA flags=0x3 "
                                 "iova=0x8000000 size=0x4000000 "), >=, 0);
    wait_stderr(&e, "vfio-pamu: the host refused to map guest "
                "RAM at 0x8000000-0xbffffff for the assigned "
                "device, whose DMA there will fault: Cannot "
                "allocate memory");
    wait_stderr(&e, "RAM the guest shows the device at two "
                "addresses is locked twice: raise QEMU's locked "
                "memory limit (ulimit -l) or give it "
                "CAP_IPC_LOCK.");
    g_assert_cmpuint(device_dma(&e, 0x1000, 0, 64, true), ==,
                     SIM_DMA_STATUS_DONE);
    env_put(&e);
}

/* qom-get hostdev0 x-pamu-fault */
static void get_fault(Env *e, bool *disabled, int64_t *count, int64_t *iova)
{
    QDict *rsp = qtest_qmp(e->qts, "{'execute': 'qom-get', 'arguments':"
                           " {'path': '/machine/peripheral/hostdev0',"
                           " 'property': 'x-pamu-fault'}}");
    QDict *ret = qdict_get_qdict(rsp, "return");

    g_assert_nonnull(ret);
    *disabled = qdict_get_bool(ret, "disabled");
    *count = qdict_get_int(ret, "count");
    *iova = qdict_get_int(ret, "last-iova");
    qobject_unref(rsp);
}

/*
 * A pci-bridge as bus 1, its memory window over the outbound window, and
 * the BAR of the device at @devfn on bus 1 in it.  Returns the BAR's CPU
 * address.
 */
static uint64_t map_bar0_behind(Env *e, uint32_t bridge, uint32_t devfn)
{
    uint32_t win = board->mmio_bus >> 16 & 0xfff0;

    e500_pci_cfg_writel(e->qts, board, bridge, PCI_PRIMARY_BUS,
                        0 | 1 << 8 | 1 << 16);
    e500_pci_cfg_writel(e->qts, board, bridge, PCI_MEMORY_BASE,
                        win | win << 16);
    e500_pci_cfg_writel(e->qts, board, bridge, PCI_COMMAND,
                        PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    return e500_pci_map_bar0(e->qts, board, 1 << 8 | devfn);
}

/*
 * The device reaches for memory the guest did not show it.  The host PAMU
 * disables its LIODN; QEMU notices without being asked, reports it, and
 * shows it in x-pamu-fault; the device's DMA stays blocked until the
 * guest resets it (a secondary bus reset of the bridge above it), after
 * which it works again.
 */
static void test_fault(void)
{
    const uint32_t bridge = board->first_devfn + PCI_DEVFN(1, 0);
    const uint32_t devfn = PCI_DEVFN(1, 0);
    int64_t count, iova;
    bool disabled;
    uint32_t ctl;
    Env e;

    if (!env_get(&e, RAM_MB)) {
        return;
    }
    start(&e, "-device pci-bridge,id=br0,chassis_nr=1,shpc=off,addr=0x2 "
              "-device vfio-pci,host=" HOST_BDF ",id=hostdev0,bus=br0,"
              "addr=0x1");
    e.bar = map_bar0_behind(&e, bridge, devfn);
    e500_set_inbound_window(e.qts, board, 0, 0, 0, 27);
    g_assert_cmpuint(device_dma(&e, 0x1000, 0, 64, true), ==,
                     SIM_DMA_STATUS_DONE);
    get_fault(&e, &disabled, &count, &iova);
    g_assert_false(disabled);
    g_assert_cmpint(count, ==, 0);

    g_assert_cmpuint(device_dma(&e, 200 * MiB, 0, 64, true), ==,
                     SIM_DMA_STATUS_FAULT);
    wait_stderr(&e, "vfio-pamu: " HOST_BDF ": the host PAMU blocked a DMA "
                "access at IOVA 0xc800000 (violation 1) and stopped all DMA "
                "and MSIs of the device until it is reset");
    wait_stderr(&e, "a reset of the device (by the guest, or system_reset) "
                "lets it work again.");
    get_fault(&e, &disabled, &count, &iova);
    g_assert_true(disabled);
    g_assert_cmpint(count, ==, 1);
    g_assert_cmphex(iova, ==, 200 * MiB);
    /* RAM the guest did show is blocked too, and that is no violation */
    g_assert_cmpuint(device_dma(&e, 0x1000, 0, 64, true), ==,
                     SIM_DMA_STATUS_FAULT);
    get_fault(&e, &disabled, &count, &iova);
    g_assert_true(disabled);
    g_assert_cmpint(count, ==, 1);

    /* the guest resets the device: secondary bus reset, then its BAR */
    ctl = e500_pci_cfg_readl(e.qts, board, bridge, PCI_INTERRUPT_LINE);
    e500_pci_cfg_writel(e.qts, board, bridge, PCI_INTERRUPT_LINE,
                        ctl | PCI_BRIDGE_CTL_BUS_RESET << 16);
    e500_pci_cfg_writel(e.qts, board, bridge, PCI_INTERRUPT_LINE, ctl);
    wait_stderr(&e, "vfio-pamu: " HOST_BDF " was reset: the host PAMU lets "
                "DMA and MSIs of the device through again");
    get_fault(&e, &disabled, &count, &iova);
    g_assert_false(disabled);
    g_assert_cmpint(count, ==, 1);
    e.bar = map_bar0_behind(&e, bridge, devfn);
    g_assert_cmpuint(device_dma(&e, 0x1000, 0, 64, true), ==,
                     SIM_DMA_STATUS_DONE);
    env_put(&e);
}

/* If the test dies, QEMU's stderr may say why: show it. */
static void show_stderr_on_abort(void *data)
{
    g_autofree char *text = NULL;

    if (g_file_get_contents(data, &text, NULL, NULL)) {
        fprintf(stderr, "QEMU said: %s\n", text);
    }
}

/*
 * The device copies 64 bytes of guest RAM from @from to @to, through its
 * buffer, and they must arrive.
 */
static void check_copy(Env *e, uint64_t from, uint64_t to, uint8_t seed)
{
    uint8_t pattern[64], got[64];

    fill(pattern, sizeof(pattern), seed);
    qtest_memwrite(e->qts, from, pattern, sizeof(pattern));
    qtest_memset(e->qts, to, 0, sizeof(got));
    g_assert_cmpuint(device_dma(e, from, 0, sizeof(pattern), false), ==,
                     SIM_DMA_STATUS_DONE);
    g_assert_cmpuint(device_dma(e, to, 0, sizeof(pattern), true), ==,
                     SIM_DMA_STATUS_DONE);
    qtest_memread(e->qts, to, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), pattern, sizeof(pattern));
}

/* The successful MAP_DMA calls at @iova so far */
static int count_maps(Env *e, uint64_t iova)
{
    g_auto(GStrv) lines = sim_log_lines(e->log);
    int n = 0, i;

    for (i = 0; lines[i]; i++) {
        uint64_t v, ret;

        if (g_str_has_prefix(lines[i], "ioctl MAP_DMA") &&
            sim_log_value(lines[i], "iova", &v) && v == iova &&
            sim_log_value(lines[i], "ret", &ret) && ret == 0) {
            n++;
        }
    }
    return n;
}

/*
 * A mediated device (the simulated function, made to look like one by
 * libvfio-pamu-mdev.so) is not presented to the PAMU when it is realized,
 * so QEMU starts with it behind -device pamu.  When the guest then puts
 * the PAMU into its path, the host PAMU container cannot mirror the guest
 * PAMU's windows: QEMU must report that and run on, with the device's
 * DMA unmapped, so that it faults in the host PAMU and reaches no guest
 * RAM.  Once the guest bypasses the PAMU again and resets the device, its
 * DMA works again.
 */
static void test_mdev_behind_pamu(void)
{
    const uint32_t bridge = board->first_devfn + PCI_DEVFN(1, 0);
    const uint32_t devfn = PCI_DEVFN(1, 0);
    const uint64_t bypenr = board->ccsr + GUTS_CCSR_OFFSET +
                            PAMU_GUTS_PAMUBYPENR;
    static const uint8_t zero[64];
    g_auto(GStrv) lines = NULL;
    uint8_t got[64];
    int64_t count, iova;
    uint32_t bypass, ctl;
    bool disabled;
    Env e;

    if (!env_get(&e, RAM_MB)) {
        return;
    }
    qtest_add_abrt_handler(show_stderr_on_abort, e.err);
    start_preloaded(&e, CONFIG_VFIO_PAMU_MDEV " " CONFIG_VFIO_PAMU_SIM,
                    SIM_CONFIG, "-device pamu "
                    "-device pci-bridge,id=br0,chassis_nr=1,shpc=off,addr=0x2 "
                    "-device vfio-pci,sysfsdev=/sys/bus/pci/devices/" HOST_BDF
                    ",id=hostdev0,bus=br0,addr=0x1 -trace vfio_mdev");
    wait_stderr(&e, "vfio_mdev  (" HOST_BDF ") is_mdev 1");
    e.bar = map_bar0_behind(&e, bridge, devfn);
    e500_set_inbound_window(e.qts, board, 0, 0, 0, 27);
    g_assert_cmpint(count_maps(&e, 0), ==, 1);
    check_copy(&e, 0x1000, 0x2000, 0x6d);

    /* the PAMU comes into the device's path */
    bypass = qtest_readl(e.qts, bypenr);
    g_assert_cmphex(bypass & PAMU_BYPASS_BIT(0), !=, 0);
    qtest_writel(e.qts, bypenr, 0);
    wait_stderr(&e, "vfio-pamu: not mapping 0x0-0x7ffffff for the assigned "
                "device, whose DMA there will fault: a guest IOMMU in front "
                "of a device assigned through a PAMU is not supported");
    qtest_qmp_assert_success(e.qts, "{'execute': 'query-status'}");
    lines = sim_log_lines(e.log);
    g_assert_cmpint(sim_log_count(lines, "ioctl UNMAP_DMA flags=0x0 iova=0x0 "
                                         "size=0x8000000 ret=0"), ==, 1);
    /* the device's write reaches no RAM: a violation stops the device */
    qtest_memset(e.qts, 0x3000, 0, sizeof(got));
    g_assert_cmpuint(device_dma(&e, 0x3000, 0, sizeof(got), true), ==,
                     SIM_DMA_STATUS_FAULT);
    qtest_memread(e.qts, 0x3000, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), zero, sizeof(zero));
    get_fault(&e, &disabled, &count, &iova);
    g_assert_true(disabled);
    g_assert_cmpint(count, ==, 1);
    g_assert_cmphex(iova, ==, 0x3000);
    wait_stderr(&e, "vfio-pamu: " HOST_BDF ": the host PAMU blocked a DMA "
                "access at IOVA 0x3000 (violation 1) and stopped all DMA "
                "and MSIs of the device until it is reset");

    /* bypassed again: RAM is mapped again, but the device stays stopped */
    qtest_writel(e.qts, bypenr, bypass);
    g_assert_cmpint(count_maps(&e, 0), ==, 2);
    g_assert_cmpuint(device_dma(&e, 0x3000, 0, sizeof(got), true), ==,
                     SIM_DMA_STATUS_FAULT);

    /* until the guest resets it: secondary bus reset, then its BAR */
    ctl = e500_pci_cfg_readl(e.qts, board, bridge, PCI_INTERRUPT_LINE);
    e500_pci_cfg_writel(e.qts, board, bridge, PCI_INTERRUPT_LINE,
                        ctl | PCI_BRIDGE_CTL_BUS_RESET << 16);
    e500_pci_cfg_writel(e.qts, board, bridge, PCI_INTERRUPT_LINE, ctl);
    wait_stderr(&e, "vfio-pamu: " HOST_BDF " was reset: the host PAMU lets "
                "DMA and MSIs of the device through again");
    get_fault(&e, &disabled, &count, &iova);
    g_assert_false(disabled);
    g_assert_cmpint(count, ==, 1);
    e.bar = map_bar0_behind(&e, bridge, devfn);
    check_copy(&e, 0x4000, 0x3000, 0x92);
    qtest_remove_abrt_handler(e.err);
    env_put(&e);
}

/* --- an x86 host: a type1 container behind the guest's PAMU -------------- */

#define T1_PAMU_REGS    0x20000         /* the PAMU's registers in CCSR */
#define T1_PCI_LIODN    193
#define T1_PPAACT       0x6000000ULL    /* guest tables at 96 MiB */
#define T1_WINDOW       0x40000000ULL   /* the device's DMA window, 64 MiB */

static void t1_pamu_write(Env *e, uint32_t reg, uint32_t val)
{
    qtest_writel(e->qts, board->ccsr + T1_PAMU_REGS + reg, val);
}

/* The guest's PAACE for the function's LIODN: @ap, to RAM at @to. */
static void t1_put_paace(Env *e, unsigned ap, uint64_t to, bool valid)
{
    PAMUTestEntry p = { .v = valid, .ap = ap, .wse = 25, .wba = T1_WINDOW,
                        .atm = PAMU_ATM_WINDOW, .twba = to };
    uint8_t bytes[PAMU_PAACE_WORDS * 4];

    pamu_test_entry_bytes(&p, bytes);
    qtest_memwrite(e->qts, T1_PPAACT + T1_PCI_LIODN * PAMU_PAACE_SIZE, bytes,
                   sizeof(bytes));
}

/*
 * The device reads 64 bytes at IOVA @iova + 0x1000 and writes them to
 * @iova + 0x3000; they come from and go to RAM at @pa + the same offsets.
 */
static void t1_check_copy(Env *e, uint64_t iova, uint64_t pa, uint8_t seed)
{
    uint8_t pattern[64], got[64];

    fill(pattern, sizeof(pattern), seed);
    qtest_memwrite(e->qts, pa + 0x1000, pattern, sizeof(pattern));
    qtest_memset(e->qts, pa + 0x3000, 0, sizeof(got));
    g_assert_cmpuint(device_dma(e, iova + 0x1000, 0, sizeof(pattern), false),
                     ==, SIM_DMA_STATUS_DONE);
    g_assert_cmpuint(device_dma(e, iova + 0x3000, 0, sizeof(pattern), true),
                     ==, SIM_DMA_STATUS_DONE);
    qtest_memread(e->qts, pa + 0x3000, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), pattern, sizeof(pattern));
}

/* The successful UNMAP_DMA calls at @iova so far */
static int count_unmaps(Env *e, uint64_t iova)
{
    g_auto(GStrv) lines = sim_log_lines(e->log);
    int n = 0, i;

    for (i = 0; lines[i]; i++) {
        uint64_t v, ret;

        if (g_str_has_prefix(lines[i], "ioctl UNMAP_DMA") &&
            sim_log_value(lines[i], "iova", &v) && v == iova &&
            sim_log_value(lines[i], "ret", &ret) && ret == 0) {
            n++;
        }
    }
    return n;
}

/*
 * The common real case: an x86 host (the simulation's type1 mode) assigns
 * the function to a ppce500 guest that has -device pamu.  QEMU mirrors the
 * guest's PAACE into the host IOMMU through the PAMU's notifications: the
 * device reaches what the PAACE maps, where it maps it, the guest's
 * rewrites take effect before the device's next DMA, and what the PAACE
 * denies the device cannot do.
 */
static void test_type1_behind_pamu(void)
{
    const uint64_t bypenr = board->ccsr + GUTS_CCSR_OFFSET +
                            PAMU_GUTS_PAMUBYPENR;
    static const uint8_t zero[64];
    uint8_t got[64];
    Env e;

    if (!env_get(&e, RAM_MB)) {
        return;
    }
    qtest_add_abrt_handler(show_stderr_on_abort, e.err);
    start_host(&e, "type1=1", "-device pamu "
               "-device vfio-pci,host=" HOST_BDF ",id=hostdev0");
    e.bar = e500_pci_map_bar0(e.qts, board, board->first_devfn);
    e500_set_inbound_window(e.qts, board, 0, 0, 0, 31);

    /* bypassed: guest RAM as it is */
    g_assert_cmpint(count_maps(&e, 0), >=, 1);
    check_copy(&e, 0x1000, 0x2000, 0x11);

    /* the guest maps IOVA [1 GiB, +64 MiB) to RAM [32 MiB, 96 MiB) */
    t1_put_paace(&e, PAMU_AP_RW, 0x2000000, true);
    t1_pamu_write(&e, A_PPBAL, T1_PPAACT);
    t1_pamu_write(&e, A_PPLAL, T1_PPAACT + 0x500 * PAMU_PAACE_SIZE);
    t1_pamu_write(&e, A_PC, R_PC_PE_MASK);
    qtest_writel(e.qts, bypenr, 0);
    g_assert_cmpint(count_maps(&e, T1_WINDOW), ==, 1);
    g_assert_cmpint(count_maps(&e, T1_WINDOW + 0x2000000), ==, 1);
    t1_check_copy(&e, T1_WINDOW, 0x2000000, 0x22);
    /* RAM at the old 1:1 addresses is out of reach */
    g_assert_cmpuint(device_dma(&e, 0x1000, 0, 64, false), ==,
                     SIM_DMA_STATUS_FAULT);

    /* moved to RAM [16 MiB, 80 MiB): mirrored before the next DMA */
    t1_put_paace(&e, PAMU_AP_RW, 0x1000000, true);
    g_assert_cmpint(count_unmaps(&e, T1_WINDOW), >=, 1);
    t1_check_copy(&e, T1_WINDOW + 0x10000, 0x1010000, 0x33);

    /* read-only: the device still reads, its writes are blocked */
    t1_put_paace(&e, PAMU_AP_READ, 0x1000000, true);
    qtest_memset(e.qts, 0x1005000, 0, sizeof(got));
    g_assert_cmpuint(device_dma(&e, T1_WINDOW + 0x4000, 0, 64, false), ==,
                     SIM_DMA_STATUS_DONE);
    g_assert_cmpuint(device_dma(&e, T1_WINDOW + 0x5000, 0, 64, true), ==,
                     SIM_DMA_STATUS_FAULT);
    qtest_memread(e.qts, 0x1005000, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), zero, sizeof(zero));

    /* invalid, as Linux's violation handler leaves it: nothing at all */
    t1_put_paace(&e, PAMU_AP_RW, 0x1000000, false);
    g_assert_cmpuint(device_dma(&e, T1_WINDOW + 0x4000, 0, 64, false), ==,
                     SIM_DMA_STATUS_FAULT);

    /* bypassed again: RAM as it is */
    qtest_writel(e.qts, bypenr, PAMU_BYPASS_BIT(0));
    check_copy(&e, 0x4000, 0x6000, 0x44);
    qtest_remove_abrt_handler(e.err);
    env_put(&e);
}

/* Waits a while for @pid to exit; false if it is still running */
static bool wait_exit(GPid pid, int *status)
{
    int i;

    for (i = 0; i < 3000; i++) {
        if (waitpid(pid, status, WNOHANG) == pid) {
            return true;
        }
        g_usleep(10000);
    }
    return false;
}

/*
 * Hot-plug after the guest opened an inbound window and placed a VGA in
 * PCI space: realize maps guest RAM at once, window by window around the
 * VGA's legacy ranges, and leaves its RAM BAR (peer-to-peer) unmapped
 * instead of failing.
 */
static void test_hotplug(void)
{
    const uint32_t vga = board->first_devfn + PCI_DEVFN(2, 0);
    g_auto(GStrv) lines = NULL;
    uint64_t v;
    int i;
    Env e;

    if (!env_get(&e, RAM_MB)) {
        return;
    }
    start(&e, "-device pci-bridge,id=br0,chassis_nr=1,shpc=on,addr=0x2 "
              "-device VGA,romfile=,addr=0x3");
    e500_set_inbound_window(e.qts, board, 0, 0, 0, 27);
    e500_pci_map_bar0(e.qts, board, vga);
    lines = sim_log_lines(e.log);
    g_assert_cmpint(sim_log_count(lines, "open"), ==, 0);

    qtest_qmp_assert_success(e.qts, "{'execute': 'device_add', 'arguments':"
                             " {'driver': 'vfio-pci', 'host': '" HOST_BDF "',"
                             " 'bus': 'br0', 'addr': '0x1',"
                             " 'id': 'hostdev0'}}");
    g_strfreev(lines);
    lines = sim_log_lines(e.log);
    i = sim_log_find(lines, 0, "map-msi windows=125-127");
    g_assert_cmpint(i, >=, 0);
    /*
     * VGA's legacy ranges split RAM in the PCI host's DMA space: the RAM
     * below 640 KiB maps window 0, the RAM above 768 KiB shares it and
     * maps windows 1 to 63.
     */
    i = find_map(lines, 0);
    g_assert_cmpint(i, >, 0);
    g_assert_true(sim_log_value(lines[i], "size", &v) && v == 2 * MiB);
    g_assert_cmpstr(lines[i - 1], ==, "map windows=0-0 size=0x200000 "
                    "flags=0x3");
    i = find_map(lines, 2 * MiB);
    g_assert_cmpint(i, >, 0);
    g_assert_true(sim_log_value(lines[i], "size", &v) &&
                  v == RAM_MB * MiB - 2 * MiB);
    g_assert_cmpint(sim_log_count(lines, "ioctl MAP_DMA"), ==, 3);
    /* and not the VGA memory: no peer-to-peer */
    g_assert_cmpint(find_map(lines, board->mmio_bus), ==, -1);
    env_put(&e);
}

/*
 * Runs QEMU with @devices, against the simulation configured with @config
 * and logging to @log, to a failure: it must exit(1) on its own.
 * @child_setup, if any, runs in the QEMU process before it starts.
 * Returns what it wrote to stderr.
 */
static char *run_refused(Env *e, unsigned ram_mb, const char *config,
                         const char *devices,
                         GSpawnChildSetupFunc child_setup, const char *log)
{
    g_autofree char *mem = memory_args(e, ram_mb);
    g_autofree char *cmd = g_strdup_printf(
        "%s -M %s -nodefaults -bios %s -display none %s %s",
        g_getenv("QTEST_QEMU_BINARY"), board->machine, bios, mem, devices);
    g_auto(GStrv) argv = g_strsplit(cmd, " ", -1);
    char *err = NULL;
    int status, fd;
    GPid pid;

    sim_env_set(log, config);
    g_assert_true(g_spawn_async_with_pipes(NULL, argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD,
                                           child_setup, NULL, &pid, NULL,
                                           NULL, &fd, NULL));
    sim_env_unset();
    {
        GString *s = g_string_new(NULL);
        struct pollfd p = { .fd = fd, .events = POLLIN };
        char buf[4096];
        ssize_t n;

        /* a realize that wrongly succeeds would run forever */
        while (poll(&p, 1, 60000) == 1 &&
               (n = read(fd, buf, sizeof(buf))) > 0) {
            g_string_append_len(s, buf, n);
        }
        close(fd);
        err = g_string_free(s, false);
    }
    if (!wait_exit(pid, &status)) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        g_test_message("QEMU did not exit; stderr: %s", err);
        g_assert_not_reached();
    }
    g_spawn_close_pid(pid);
    g_test_message("QEMU said: %s", err);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    return err;
}

static void assert_all_in(const char *text, const char *const *expect)
{
    for (; *expect; expect++) {
        if (!strstr(text, *expect)) {
            g_error("expected '%s' in: %s", *expect, text);
        }
    }
}

/*
 * Runs QEMU to a failed realize of vfio-pci: it must exit(1) on its own,
 * with the messages in @expect on stderr, and must not have mapped any
 * RAM.  @child_setup, if any, runs in the QEMU process before it starts.
 */
static void expect_refusal_in(Env *e, unsigned ram_mb, const char *config,
                              GSpawnChildSetupFunc child_setup,
                              const char *const *expect)
{
    g_autofree char *log = NULL;
    g_autofree char *err = NULL;
    g_auto(GStrv) lines = NULL;
    int fd;

    fd = g_file_open_tmp("vfio-pamu-sim-log-XXXXXX", &log, NULL);
    close(fd);
    err = run_refused(e, ram_mb, config, "-device vfio-pci,host=" HOST_BDF,
                      child_setup, log);
    assert_all_in(err, expect);
    lines = sim_log_lines(log);
    g_assert_cmpint(sim_log_count(lines, "map windows"), ==, 0);
    g_assert_cmpint(sim_log_count(lines, "group-detach mappings=0"), ==, 1);
    unlink(log);
}

static void expect_refusal(Env *e, unsigned ram_mb, const char *config,
                           const char *const *expect)
{
    expect_refusal_in(e, ram_mb, config, NULL, expect);
}

static void test_no_hugepages(void)
{
    static const char *const expect[] = {
        "vfio " HOST_BDF ": failed to setup container for group 42: "
        "guest RAM is not backed by hugepages: 128 MiB of RAM in windows of "
        "4 KiB needs 32768 PAMU windows, the host PAMU has 256",
        "Back guest RAM with hugepages of at least 1 MiB: -object "
        "memory-backend-file,id=ram,size=128M,mem-path=/dev/hugepages",
        NULL
    };

    expect_refusal(NULL, RAM_MB, SIM_CONFIG, expect);
}

static void test_too_much_ram(void)
{
    static const char *const expect[] = {
        "guest RAM is too large for 256 PAMU windows: 576 MiB of RAM in "
        "windows of 2 MiB needs 288",
        "Back guest RAM with hugepages of at least 4 MiB",
        NULL
    };
    Env e;

    if (env_get(&e, 576)) {
        expect_refusal(&e, 576, SIM_CONFIG, expect);
        env_put(&e);
    }
}

static void test_no_msi_windows(void)
{
    static const char *const expect[] = {
        "too few free PAMU windows for the 3 MSI banks of the host: 512 MiB "
        "of RAM takes 256 windows of 2 MiB, and an aperture with a free "
        "window per bank would need 512 windows",
        "Back guest RAM with hugepages of at least 4 MiB",
        NULL
    };
    Env e;

    if (env_get(&e, 512)) {
        expect_refusal(&e, 512, SIM_CONFIG, expect);
        env_put(&e);
    }
}

/*
 * A guest PAMU in front of an assigned device is refused: the PAMU cannot
 * send the IOMMU notifications vfio would need to follow its mappings.
 */
#define PAMU_REFUSAL "the PCI controller's inbound windows lead into an " \
    "emulated IOMMU (pamu) that a device assigned through a host PAMU " \
    "cannot follow"
#define PAMU_REFUSAL_HINT "Drop -device pamu, or assign the device from a " \
    "host whose IOMMU maps arbitrary ranges (type1 or iommufd)."

/* -device pamu, then vfio-pci: vfio-pci's realize fails. */
static void test_pamu_then_vfio(void)
{
    static const char *const expect[] = {
        "vfio " HOST_BDF ": Failed to set vIOMMU: " PAMU_REFUSAL,
        PAMU_REFUSAL_HINT,
        NULL
    };
    g_autofree char *log = NULL;
    g_autofree char *err = NULL;
    g_auto(GStrv) lines = NULL;
    int fd;
    Env e;

    if (!env_get(&e, RAM_MB)) {
        return;
    }
    fd = g_file_open_tmp("vfio-pamu-sim-log-XXXXXX", &log, NULL);
    close(fd);
    err = run_refused(&e, RAM_MB, SIM_CONFIG, "-device pamu "
                      "-device vfio-pci,host=" HOST_BDF, NULL, log);
    assert_all_in(err, expect);
    /* refused once its container was set up, before any RAM was mapped */
    lines = sim_log_lines(log);
    g_assert_cmpint(sim_log_count(lines, "map-msi"), ==, 1);
    g_assert_cmpint(sim_log_count(lines, "map windows"), ==, 0);
    unlink(log);
    env_put(&e);
}

/* vfio-pci, then -device pamu: the PAMU is refused, naming the device. */
static void test_vfio_then_pamu(void)
{
    static const char *const expect[] = {
        "-device pamu: pamu: vfio-pci 'hostdev0' is assigned through a host "
        "PAMU behind the PCI controller, which cannot follow the emulated "
        "PAMU's mappings",
        "Drop -device pamu, or assign the device from a host whose IOMMU "
        "maps arbitrary ranges (type1 or iommufd).",
        NULL
    };
    g_autofree char *log = NULL;
    g_autofree char *err = NULL;
    int fd;
    Env e;

    if (!env_get(&e, RAM_MB)) {
        return;
    }
    fd = g_file_open_tmp("vfio-pamu-sim-log-XXXXXX", &log, NULL);
    close(fd);
    err = run_refused(&e, RAM_MB, SIM_CONFIG, "-device vfio-pci,host="
                      HOST_BDF ",id=hostdev0 -device pamu", NULL, log);
    assert_all_in(err, expect);
    unlink(log);
    env_put(&e);
}

/* device_add vfio-pci behind a pci-bridge of a machine with a PAMU */
static void test_hotplug_behind_pamu(void)
{
    g_auto(GStrv) lines = NULL;
    QDict *rsp;
    const char *desc;
    Env e;

    if (!env_get(&e, RAM_MB)) {
        return;
    }
    start(&e, "-device pamu "
              "-device pci-bridge,id=br0,chassis_nr=1,shpc=on,addr=0x2");
    rsp = qtest_qmp(e.qts, "{'execute': 'device_add', 'arguments':"
                    " {'driver': 'vfio-pci', 'host': '" HOST_BDF "',"
                    " 'bus': 'br0', 'addr': '0x1', 'id': 'hostdev0'}}");
    g_assert_true(qdict_haskey(rsp, "error"));
    desc = qdict_get_str(qdict_get_qdict(rsp, "error"), "desc");
    if (!strstr(desc, "Failed to set vIOMMU: " PAMU_REFUSAL)) {
        g_error("unexpected error: %s", desc);
    }
    qobject_unref(rsp);
    /* no device is left behind, and the container let go of everything */
    rsp = qtest_qmp(e.qts, "{'execute': 'qom-list', 'arguments':"
                    " {'path': '/machine/peripheral/hostdev0'}}");
    g_assert_true(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    lines = sim_log_lines(e.log);
    g_assert_cmpint(sim_log_count(lines, "group-detach mappings=0"), ==, 1);
    env_put(&e);
}

/*
 * In the QEMU about to run: a 4 MiB locked memory limit, and no
 * CAP_IPC_LOCK (root keeps only the capabilities of the bounding set).
 */
static void memlock_4m(gpointer data)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_max < 4 * MiB) {
        _exit(98);
    }
    rl.rlim_cur = 4 * MiB;
    if (setrlimit(RLIMIT_MEMLOCK, &rl) ||
        prctl(PR_CAPBSET_DROP, CAP_IPC_LOCK, 0, 0, 0)) {
        _exit(99);
    }
}

/* The plan locks more guest RAM than RLIMIT_MEMLOCK allows */
static void test_memlock(void)
{
    static const char *const expect[] = {
        "the PAMU container locks all 128 MiB of guest RAM in host memory, "
        "but QEMU may lock only 4 MiB (RLIMIT_MEMLOCK), 0 B of which is "
        "locked already",
        "Raise QEMU's locked memory limit to at least 131072 KiB (ulimit -l, "
        "or <memtune><hard_limit> in libvirt), or give it CAP_IPC_LOCK.",
        NULL
    };
    Env e;

    if (env_get(&e, RAM_MB)) {
        expect_refusal_in(&e, RAM_MB, SIM_CONFIG, memlock_4m, expect);
        env_put(&e);
    }
}

/* Only shared MSI banks are left: EPERM, unless the host allows it */
static void test_msi_shared(void)
{
    static const char *const expect[] = {
        "the host has no MSI bank of its own for this device: the banks "
        "left are shared with other containers or host devices, whose "
        "interrupts the device could raise",
        "If that is acceptable, allow unsafe interrupts on the host: "
        "vfio_iommu_fsl_pamu.allow_unsafe_interrupts=1.",
        NULL
    };
    g_auto(GStrv) lines = NULL;
    Env e;

    if (!env_get(&e, RAM_MB)) {
        return;
    }
    expect_refusal(&e, RAM_MB, SIM_CONFIG ",shared_banks=0x6", expect);

    start_host(&e, SIM_CONFIG ",shared_banks=0x6,allow_unsafe_interrupts=1",
               "-device vfio-pci,host=" HOST_BDF ",id=hostdev0");
    lines = sim_log_lines(e.log);
    g_assert_cmpint(sim_log_find(lines, 0, "map-msi windows=125-127 "
                                           "banks=0x7 isolated=0"), >=, 0);
    wait_stderr(&e, "warning: vfio: the host allows unsafe "
                "interrupts and gave the PAMU container MSI "
                "banks (0x7) shared with other containers or "
                "host devices: the assigned device can raise "
                "their interrupts");
    env_put(&e);
}

/* Guest RAM the host's PCIe controller does not reach */
static void test_ram_unreachable(void)
{
    static const char *const expect[] = {
        "guest RAM at 0x0-0x7ffffff is outside the IOVAs the host's PCIe "
        "controller reaches (0x0-0x3ffffff)",
        "Give the guest less RAM (-m), or have the host's inbound windows "
        "cover it.",
        NULL
    };
    Env e;

    if (env_get(&e, RAM_MB)) {
        expect_refusal(&e, RAM_MB, SIM_CONFIG ",inbound=0+0x4000000", expect);
        env_put(&e);
    }
}

int main(int argc, char **argv)
{
    size_t i;
    int ret;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < e500_nr_boards; i++) {
        if (!strcmp(e500_boards[i].machine, "ppce500")) {
            board = &e500_boards[i];
        }
    }
    if (!board || !qtest_has_machine(board->machine) ||
        !qtest_has_device("vfio-pci")) {
        g_test_skip("needs the ppce500 machine and vfio-pci");
        return g_test_run();
    }
    g_assert_true(g_file_test(CONFIG_VFIO_PAMU_SIM, G_FILE_TEST_EXISTS));
    bios = e500_make_dummy_bios();
    qtest_add_abrt_handler(abort_cleanup, NULL);
    /* a meson timeout sends SIGTERM: clean up as for a failed assertion */
    sigaction(SIGTERM, &(struct sigaction) { .sa_handler = abort_on_term },
              NULL);

    qtest_add_func("vfio-pamu/e2e/dma-msi", test_e2e);
    qtest_add_func("vfio-pamu/e2e/hot-unplug", test_unplug);
    qtest_add_func("vfio-pamu/e2e/hot-plug", test_hotplug);
    qtest_add_func("vfio-pamu/refused/guest-iommu", test_guest_iommu);
    qtest_add_func("vfio-pamu/e2e/reachable", test_reachable);
    qtest_add_func("vfio-pamu/e2e/map-failure", test_map_failure);
    qtest_add_func("vfio-pamu/e2e/memlock-alias", test_memlock_alias);
    qtest_add_func("vfio-pamu/e2e/fault", test_fault);
    qtest_add_func("vfio-pamu/mdev/guest-takes-pamu", test_mdev_behind_pamu);
    qtest_add_func("vfio-pamu/type1/behind-guest-pamu",
                   test_type1_behind_pamu);
    qtest_add_func("vfio-pamu/refused/ram-unreachable", test_ram_unreachable);
    qtest_add_func("vfio-pamu/refused/memlock", test_memlock);
    qtest_add_func("vfio-pamu/refused/msi-shared", test_msi_shared);
    qtest_add_func("vfio-pamu/refused/no-hugepages", test_no_hugepages);
    qtest_add_func("vfio-pamu/refused/too-much-ram", test_too_much_ram);
    qtest_add_func("vfio-pamu/refused/no-msi-windows", test_no_msi_windows);
    qtest_add_func("vfio-pamu/refused/pamu-then-vfio", test_pamu_then_vfio);
    qtest_add_func("vfio-pamu/refused/vfio-then-pamu", test_vfio_then_pamu);
    qtest_add_func("vfio-pamu/refused/hot-plug-behind-pamu",
                   test_hotplug_behind_pamu);
    ret = g_test_run();
    unlink(bios);
    g_free(bios);
    return ret;
}
