/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pamu-check: /init of the PAMU test guest (see guest/README.md).
 *
 * Runs the in-guest half of the PAMU checks and powers the machine off.
 * The mode comes from the kernel command line:
 *
 *   pamu.test=io               driver probe, IOMMU groups at boot,
 *                              virtio-blk read/write, e1000 ping, then
 *                              vfio owns and releases the group (default)
 *   pamu.test=violation-read   take read permission away from the PCI
 *                              controller's PAACE, then write to the disk
 *   pamu.test=violation-write  take write permission away, then read from
 *                              the disk into a pre-filled buffer
 *   pamu.test=violation-net    take read permission away, then ping
 *   pamu.test=bench            O_DIRECT reads of the whole disk
 *   pamu.test=vfio             the PAMU vfio container with QEMU's edu on
 *                              vfio-pci: the conformance suite, the end to
 *                              end program, then virtio-blk on the same
 *                              controller again
 *   pamu.test=demo             io, then violation-read, with commentary
 *
 *   pamu.seed=N   seed of the pattern written to the disk (default 1)
 *   pamu.reps=N   benchmark repetitions (default 3)
 *   pamu.bs=N     benchmark request size in bytes, a power of two from
 *                 4 KiB to 16 MiB (default 1 MiB)
 *   pamu.rearm=N  violation modes: for 3 s after the report, clear the
 *                 PAMU's violation record every N ms, so that the faults
 *                 the device keeps making are latched too (default 0: no)
 *   pamu.disk=NAME   the disk the block checks use, e.g. mmcblk0 for the
 *                 SoC's eSDHC (default: the virtio disk with serial
 *                 pamu-disk)
 *   pamu.nic=DRV  the driver of the NIC the ping uses, e.g. fsl-gianfar
 *                 for the SoC's eTSEC (default e1000)
 *   pamu.initiator=pci|esdhc|etsec   whose PAACE the PAACE report and
 *                 the violation modes use (default pci)
 *   pamu.hold=N   before the violation and before power-off, report
 *                 "hold at=violation|poweroff" and wait up to N s for the
 *                 host's go-ahead, a line "go violation|poweroff" on the
 *                 console, so that the host can inspect the running machine
 *                 at those points (default 0: no wait)
 *
 * Every finding is one line "PAMU-RESULT <what> key=value ..." in the
 * kernel log (written through /dev/kmsg so it never interleaves with kernel
 * messages on the console).  The host harness (guest/pamu_guest.py) parses
 * and asserts them; this program judges only what it can see alone
 * (checksums, replies), everything else it reports.
 *
 * The disk layout is shared with the harness: the whole image is the
 * pattern of DISK_SEED; region A is read and checked, region B is written
 * with the pattern of pamu.seed.
 */

#define _GNU_SOURCE

#include <arpa/inet.h>
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <linux/vfio.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DISK_SERIAL     "pamu-disk"
#define DISK_SEED       0x50414d55u     /* "PAMU" */
#define REGION_A_OFF    0
#define REGION_B_OFF    (1u << 20)
#define REGION_LEN      (256u << 10)
#define FILL_SEED       0x46494c4cu     /* "FILL" */

/* PAMU unit registers (offsets from the unit's base) */
#define PAMU_PPBAH      0x000
#define PAMU_PPBAL      0x004
#define PAMU_PC         0xc10
#define PAMU_PICS       0xc1c
#define PAMU_AVS1       0x050
/* GUTS/DCFG register that holds one bypass bit per PAMU unit */
#define GUTS_PAMUBYPENR 0x604
#define PAACE_SIZE      64
/* PAACE word 1 (offset 0x04): AP is bits 4:3, bit 3 = read, bit 4 = write */
#define PAACE_AP_READ   0x08u
#define PAACE_AP_WRITE  0x10u
#define PAACE_V         0x01u

#define DT_ROOT         "/proc/device-tree"
#define VIOLATION_WAIT_MS 10000

static int kmsg_fd = -1;
static int failures;

/* ---- output ------------------------------------------------------------ */

static void say(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    int n;

    n = snprintf(line, sizeof(line), "<13>pamu-check: ");
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    /*
     * The newline ends the record: the kernel keeps a record without one
     * open for a continuation, and prints it only with the next message.
     */
    strcat(line, "\n");
    if (kmsg_fd < 0 || write(kmsg_fd, line, strlen(line)) < 0) {
        printf("%s", line + 4);
        fflush(stdout);
    }
}

/* A result line; @ok < 0 means "facts only, the host judges". */
static void result(const char *what, int ok, const char *fmt, ...)
{
    char detail[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    if (ok == 0) {
        failures++;
    }
    if (ok < 0) {
        say("PAMU-RESULT %s %s", what, detail);
    } else {
        say("PAMU-RESULT %s ok=%d %s", what, ok, detail);
    }
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* ---- files ------------------------------------------------------------- */

/* Reads a whole (small) file; returns its length or -1. */
static ssize_t read_file(const char *path, void *buf, size_t len)
{
    ssize_t n;
    int fd = open(path, O_RDONLY);

    if (fd < 0) {
        return -1;
    }
    n = read(fd, buf, len);
    close(fd);
    return n;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    ssize_t n;

    if (fd < 0) {
        return -1;
    }
    n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Reads a one-line sysfs attribute without its newline. */
static int read_attr(const char *path, char *buf, size_t len)
{
    ssize_t n = read_file(path, buf, len - 1);

    if (n < 0) {
        buf[0] = 0;
        return -1;
    }
    buf[n] = 0;
    buf[strcspn(buf, "\n")] = 0;
    return 0;
}

/* Basename of a symlink's target, or "none". */
static void link_name(const char *path, char *buf, size_t len)
{
    char target[PATH_MAX];
    ssize_t n = readlink(path, target, sizeof(target) - 1);

    if (n < 0) {
        snprintf(buf, len, "none");
        return;
    }
    target[n] = 0;
    snprintf(buf, len, "%s",
             strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
}

/* ---- kernel command line ----------------------------------------------- */

static char cmdline[4096];

/* Value of kernel parameter @name (a new string), or @def. */
static const char *param(const char *name, const char *def)
{
    size_t len = strlen(name);
    const char *p = cmdline;

    while ((p = strstr(p, name)) != NULL) {
        if ((p == cmdline || p[-1] == ' ') && p[len] == '=') {
            return strndup(p + len + 1, strcspn(p + len + 1, "\n "));
        }
        p += len;
    }
    return def;
}

/* ---- data patterns, shared with the host harness ----------------------- */

/* Word @idx of the pattern of @seed (a 32-bit integer hash). */
static uint32_t pattern_word(uint32_t seed, uint32_t idx)
{
    uint32_t x = seed + idx * 0x9e3779b1u;

    x ^= x >> 16;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    x *= 0xc2b2ae35u;
    x ^= x >> 16;
    return x;
}

/* Fills @buf with the pattern of @seed as it appears at disk offset @off. */
static void pattern_fill(void *buf, size_t len, uint32_t seed, uint64_t off)
{
    uint32_t *w = buf;
    size_t i;

    for (i = 0; i < len / 4; i++) {
        w[i] = htobe32(pattern_word(seed, (uint32_t)(off / 4 + i)));
    }
}

/* Number of 32-bit words of @buf that differ from the pattern. */
static size_t pattern_mismatches(const void *buf, size_t len, uint32_t seed,
                                 uint64_t off)
{
    const uint32_t *w = buf;
    size_t i, bad = 0;

    for (i = 0; i < len / 4; i++) {
        bad += be32toh(w[i]) != pattern_word(seed, (uint32_t)(off / 4 + i));
    }
    return bad;
}

/* CRC-32 as zlib computes it (reflected, polynomial 0xedb88320). */
static uint32_t crc32(const void *buf, size_t len)
{
    static uint32_t table[256];
    const uint8_t *p = buf;
    uint32_t crc = 0xffffffffu;
    size_t i;
    int k;

    if (!table[1]) {
        for (i = 0; i < 256; i++) {
            uint32_t c = i;

            for (k = 0; k < 8; k++) {
                c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            }
            table[i] = c;
        }
    }
    for (i = 0; i < len; i++) {
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    }
    return crc ^ 0xffffffffu;
}

/* Page-aligned anonymous memory, shared with forked children. */
static void *alloc_buffer(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED) {
        say("mmap of %zu bytes failed: %s", len, strerror(errno));
        return NULL;
    }
    return p;
}

/* Physical address of the page holding @addr (from /proc/self/pagemap). */
static uint64_t phys_of(const void *addr)
{
    long page = sysconf(_SC_PAGESIZE);
    uint64_t entry = 0;
    int fd = open("/proc/self/pagemap", O_RDONLY);

    if (fd < 0) {
        return 0;
    }
    if (pread(fd, &entry, 8, (uintptr_t)addr / page * 8) != 8 ||
        !(entry >> 63)) {
        entry = 0;
    }
    close(fd);
    return (entry & ((1ull << 55) - 1)) * page + (uintptr_t)addr % page;
}

/* ---- the kernel log ---------------------------------------------------- */

struct kmsg_summary {
    int pamu_problems;          /* PAMU/IOMMU messages at warning or worse */
    int splats;                 /* WARNING:/BUG:/Oops anywhere */
    int av_reports;             /* "access violation interrupt" */
    int disabled;               /* "Disabling liodn" */
    char first_problem[160];
};

static void kmsg_note(struct kmsg_summary *s, int level, const char *msg)
{
    if (strstr(msg, "access violation interrupt")) {
        s->av_reports++;
    } else if (strstr(msg, "Disabling liodn")) {
        s->disabled++;
    } else if (level <= 4 &&
               (strcasestr(msg, "pamu") || strcasestr(msg, "iommu"))) {
        if (!s->pamu_problems++) {
            snprintf(s->first_problem, sizeof(s->first_problem), "%s", msg);
        }
    }
    if (strstr(msg, "WARNING:") || strstr(msg, "BUG:") || strstr(msg, "Oops")) {
        s->splats++;
    }
}

/* Scans every kernel (facility 0) record in the log buffer. */
static void kmsg_scan(struct kmsg_summary *s)
{
    char rec[2048];
    int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

    memset(s, 0, sizeof(*s));
    if (fd < 0) {
        return;
    }
    for (;;) {
        ssize_t n = read(fd, rec, sizeof(rec) - 1);
        char *msg;
        long prio;

        if (n < 0 && errno == EPIPE) {
            continue;           /* overwritten while reading: next record */
        }
        if (n <= 0) {
            break;
        }
        rec[n] = 0;
        prio = strtol(rec, NULL, 10);
        msg = strchr(rec, ';');
        if (!msg || (prio >> 3) != 0) {
            continue;
        }
        msg[strcspn(msg, "\n")] = 0;
        kmsg_note(s, prio & 7, msg + 1);
    }
    close(fd);
}

static void report_kmsg(void)
{
    struct kmsg_summary s;
    char *p;

    kmsg_scan(&s);
    for (p = s.first_problem; *p; p++) {
        if (*p == ' ' || *p == '"') {
            *p = '_';
        }
    }
    result("kmsg", -1,
           "pamu-problems=%d splats=%d av-reports=%d disabled=%d "
           "first-problem=%s",
           s.pamu_problems, s.splats, s.av_reports, s.disabled,
           s.first_problem[0] ? s.first_problem : "none");
}

/* ---- device tree ------------------------------------------------------- */

static int dt_read(const char *node, const char *prop, void *buf, size_t len)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", node, prop);
    return read_file(path, buf, len);
}

static uint32_t dt_cells(const char *node, const char *prop, uint32_t def)
{
    uint32_t v;

    return dt_read(node, prop, &v, 4) == 4 ? be32toh(v) : def;
}

static uint64_t cells_value(const uint32_t *cells, unsigned n)
{
    uint64_t v = 0;

    while (n--) {
        v = v << 32 | be32toh(*cells++);
    }
    return v;
}

static bool dt_has_string(const char *node, const char *prop, const char *want)
{
    char buf[512];
    ssize_t n = dt_read(node, prop, buf, sizeof(buf) - 1), i;

    if (n <= 0) {
        return false;
    }
    buf[n] = 0;
    for (i = 0; i < n; i += strlen(buf + i) + 1) {
        if (!strcmp(buf + i, want)) {
            return true;
        }
    }
    return false;
}

/*
 * Depth-first search below @dir for the first node for which @match
 * returns true; its path goes to @found.
 */
static bool dt_find(const char *dir, bool (*match)(const char *),
                    char *found, size_t len)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    bool ok = false;

    if (!d) {
        return false;
    }
    while (!ok && (e = readdir(d)) != NULL) {
        char path[PATH_MAX];
        struct stat st;

        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
            continue;
        }
        if (match(path)) {
            snprintf(found, len, "%s", path);
            ok = true;
        } else {
            ok = dt_find(path, match, found, len);
        }
    }
    closedir(d);
    return ok;
}

static bool is_pamu(const char *node)
{
    return dt_has_string(node, "compatible", "fsl,pamu");
}

static bool is_guts(const char *node)
{
    return dt_has_string(node, "compatible", "fsl,qoriq-device-config-1.0") ||
           dt_has_string(node, "compatible", "fsl,qoriq-device-config-2.0");
}

static bool is_pci_with_liodn(const char *node)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/fsl,liodn", node);
    return access(path, R_OK) == 0 && dt_has_string(node, "device_type", "pci");
}

static bool is_etsec_with_liodn(const char *node)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/fsl,liodn", node);
    return access(path, R_OK) == 0 &&
           dt_has_string(node, "compatible", "fsl,etsec2");
}

static bool is_esdhc_with_liodn(const char *node)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/fsl,liodn", node);
    return access(path, R_OK) == 0 &&
           dt_has_string(node, "compatible", "fsl,esdhc");
}

/*
 * CPU physical address of offset 0 of @node's first "reg" entry, walking
 * the "ranges" of every parent up to the root.
 */
static bool dt_reg_phys(const char *node, uint64_t *phys)
{
    char child[PATH_MAX], parent[PATH_MAX];
    uint32_t cells[64];
    uint64_t addr;
    ssize_t n;

    snprintf(child, sizeof(child), "%s", node);
    snprintf(parent, sizeof(parent), "%.*s",
             (int)(strrchr(child, '/') - child), child);
    n = dt_read(child, "reg", cells, sizeof(cells));
    if (n < 4) {
        return false;
    }
    addr = cells_value(cells, dt_cells(parent, "#address-cells", 2));
    while (strcmp(parent, DT_ROOT)) {
        char grand[PATH_MAX];
        unsigned ca, pa, sc, i, entry;

        snprintf(grand, sizeof(grand), "%.*s",
                 (int)(strrchr(parent, '/') - parent), parent);
        ca = dt_cells(parent, "#address-cells", 2);
        sc = dt_cells(parent, "#size-cells", 1);
        pa = dt_cells(grand, "#address-cells", 2);
        n = dt_read(parent, "ranges", cells, sizeof(cells));
        entry = ca + pa + sc;
        for (i = 0; n > 0 && (i + entry) * 4 <= (size_t)n; i += entry) {
            uint64_t c = cells_value(cells + i, ca);
            uint64_t size = cells_value(cells + i + ca + pa, sc);

            if (addr >= c && addr - c < size) {
                addr = addr - c + cells_value(cells + i + ca, pa);
                break;
            }
        }
        if (n > 0 && (i + entry) * 4 > (size_t)n) {
            return false;       /* not covered by the parent's ranges */
        }
        snprintf(parent, sizeof(parent), "%s", grand);
    }
    *phys = addr;
    return true;
}

/* ---- /dev/mem ---------------------------------------------------------- */

/*
 * A /dev/mem mapping.  Accessed through a volatile pointer: the words are
 * device registers or a table the PAMU reads behind the compiler's back.
 */
struct phys_map {
    void *base;
    size_t len;
    volatile uint32_t *p;       /* the requested address */
};

static bool phys_map(struct phys_map *m, uint64_t phys, size_t len)
{
    long page = sysconf(_SC_PAGESIZE);
    uint64_t start = phys & ~(uint64_t)(page - 1);
    int fd = open("/dev/mem", O_RDWR | O_SYNC);

    if (fd < 0) {
        say("cannot open /dev/mem: %s", strerror(errno));
        return false;
    }
    m->len = (phys - start + len + page - 1) & ~(size_t)(page - 1);
    m->base = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                   (off_t)start);
    close(fd);
    if (m->base == MAP_FAILED) {
        say("cannot map physical 0x%llx: %s", (unsigned long long)phys,
            strerror(errno));
        return false;
    }
    /* volatile: see struct phys_map */
    m->p = (volatile uint32_t *)((char *)m->base + (phys - start));
    return true;
}

static void phys_unmap(struct phys_map *m)
{
    munmap(m->base, m->len);
}

static uint32_t rd32(struct phys_map *m, unsigned off)
{
    return be32toh(m->p[off / 4]);
}

/* What the device tree and the PAMU registers tell about the set-up. */
struct pamu_info {
    bool present;
    uint64_t pamu_phys;         /* unit 0 registers */
    uint64_t guts_phys;
    uint32_t liodn;
    uint64_t paace_phys;        /* PPAACT[liodn] */
};

static void report_dt(struct pamu_info *pi)
{
    char pamu[PATH_MAX] = "", pci[PATH_MAX] = "", guts[PATH_MAX] = "";
    char target[PATH_MAX] = "";
    const char *initiator;
    bool have_guts;

    memset(pi, 0, sizeof(*pi));
    pi->present = dt_find(DT_ROOT, is_pamu, pamu, sizeof(pamu)) &&
                  dt_reg_phys(pamu, &pi->pamu_phys);
    have_guts = dt_find(DT_ROOT, is_guts, guts, sizeof(guts)) &&
                dt_reg_phys(guts, &pi->guts_phys);
    if (dt_find(DT_ROOT, is_pci_with_liodn, pci, sizeof(pci))) {
        pi->liodn = dt_cells(pci, "fsl,liodn", ~0u);
    }
    initiator = param("pamu.initiator", "pci");
    if (!strcmp(initiator, "esdhc") &&
        dt_find(DT_ROOT, is_esdhc_with_liodn, target, sizeof(target))) {
        pi->liodn = dt_cells(target, "fsl,liodn", ~0u);
    } else if (!strcmp(initiator, "etsec") &&
               dt_find(DT_ROOT, is_etsec_with_liodn, target, sizeof(target))) {
        pi->liodn = dt_cells(target, "fsl,liodn", ~0u);
    } else if (pci[0]) {
        snprintf(target, sizeof(target), "%s", pci);
    }
    result("dt", -1,
           "pamu-node=%s pamu-phys=0x%llx guts-node=%s pci-node=%s "
           "initiator-node=%s liodn=%d",
           pi->present ? pamu + strlen(DT_ROOT) : "none",
           (unsigned long long)pi->pamu_phys,
           have_guts ? guts + strlen(DT_ROOT) : "none",
           pci[0] ? pci + strlen(DT_ROOT) : "none",
           target[0] ? target + strlen(DT_ROOT) : "none",
           target[0] ? (int)pi->liodn : -1);
    if (!have_guts || !target[0]) {
        pi->present = false;
    }
}

/* Reads the PAMU registers and the PCI controller's PAACE through /dev/mem. */
static void report_pamu_regs(struct pamu_info *pi)
{
    struct phys_map regs, guts, paace;
    uint64_t ppba;
    uint32_t w[8];
    int i;

    if (!pi->present || !phys_map(&regs, pi->pamu_phys, 0x1000)) {
        return;
    }
    if (!phys_map(&guts, pi->guts_phys + GUTS_PAMUBYPENR, 4)) {
        phys_unmap(&regs);
        return;
    }
    ppba = (uint64_t)rd32(&regs, PAMU_PPBAH) << 32 | rd32(&regs, PAMU_PPBAL);
    result("pamu-regs", -1,
           "ppba=0x%llx pc=0x%08x pics=0x%08x avs1=0x%08x pamubypenr=0x%08x",
           (unsigned long long)ppba, rd32(&regs, PAMU_PC),
           rd32(&regs, PAMU_PICS),
           rd32(&regs, PAMU_AVS1), rd32(&guts, 0));
    phys_unmap(&guts);
    phys_unmap(&regs);
    pi->paace_phys = ppba + (uint64_t)pi->liodn * PAACE_SIZE;
    if (!ppba || !phys_map(&paace, pi->paace_phys, PAACE_SIZE)) {
        pi->paace_phys = 0;
        return;
    }
    for (i = 0; i < 8; i++) {
        w[i] = rd32(&paace, i * 4);
    }
    phys_unmap(&paace);
    result("paace", -1,
           "liodn=%u phys=0x%llx words=%08x,%08x,%08x,%08x,%08x,%08x,%08x,%08x",
           pi->liodn, (unsigned long long)pi->paace_phys,
           w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
}

/* Whether the fsl_pamu driver bound to its platform device and registered. */
static void report_driver(void)
{
    DIR *d = opendir("/sys/bus/platform/drivers/fsl-of-pamu");
    struct dirent *e;
    int bound = 0, iommus = 0;

    while (d && (e = readdir(d)) != NULL) {
        bound += !strncmp(e->d_name, "fsl-of-pamu", 11);
    }
    if (d) {
        closedir(d);
    }
    d = opendir("/sys/class/iommu");
    while (d && (e = readdir(d)) != NULL) {
        iommus += e->d_name[0] != '.';
    }
    if (d) {
        closedir(d);
    }
    result("driver", -1, "bound=%d iommus=%d", bound, iommus);
}

/* ---- PCI --------------------------------------------------------------- */

#define PCI_DEVICES "/sys/bus/pci/devices"

/* One line per PCI function: ids, driver and IOMMU group. */
static void report_pci(const char *what)
{
    DIR *d = opendir(PCI_DEVICES);
    struct dirent *e;

    while (d && (e = readdir(d)) != NULL) {
        char path[PATH_MAX], vendor[16], device[16], driver[64], group[32];

        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), PCI_DEVICES "/%s/vendor", e->d_name);
        read_attr(path, vendor, sizeof(vendor));
        snprintf(path, sizeof(path), PCI_DEVICES "/%s/device", e->d_name);
        read_attr(path, device, sizeof(device));
        snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", e->d_name);
        link_name(path, driver, sizeof(driver));
        snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group", e->d_name);
        link_name(path, group, sizeof(group));
        result(what, -1, "dev=%s id=%s:%s driver=%s group=%s",
               e->d_name, vendor + 2, device + 2, driver, group);
    }
    if (d) {
        closedir(d);
    }
}

/* ---- virtio-blk -------------------------------------------------------- */

/* Opens pamu.disk, once it has appeared, with O_DIRECT. */
static int open_named_disk(const char *want, int flags, char *name,
                           size_t len)
{
    char path[PATH_MAX];
    int tries, fd = -1;

    snprintf(name, len, "%s", want);
    snprintf(path, sizeof(path), "/dev/%s", want);
    for (tries = 0; tries < 50 && fd < 0; tries++) {
        fd = open(path, flags | O_DIRECT);
        if (fd < 0) {
            sleep_ms(100);
        }
    }
    if (fd < 0) {
        say("cannot open %s: %s", path, strerror(errno));
    }
    return fd;
}

/* Opens the test disk (found by its serial) with O_DIRECT. */
static int open_disk(int flags, char *name, size_t len)
{
    const char *want = param("pamu.disk", NULL);
    int tries, fd;

    if (want) {
        return open_named_disk(want, flags, name, len);
    }
    for (tries = 0; tries < 50; tries++) {
        DIR *d = opendir("/sys/block");
        struct dirent *e;

        while (d && (e = readdir(d)) != NULL) {
            char path[PATH_MAX], serial[64];

            snprintf(path, sizeof(path), "/sys/block/%s/serial", e->d_name);
            if (read_attr(path, serial, sizeof(serial)) ||
                strcmp(serial, DISK_SERIAL)) {
                continue;
            }
            snprintf(name, len, "%s", e->d_name);
            closedir(d);
            snprintf(path, sizeof(path), "/dev/%s", name);
            fd = open(path, flags | O_DIRECT);
            if (fd < 0) {
                say("cannot open %s: %s", path, strerror(errno));
            }
            return fd;
        }
        if (d) {
            closedir(d);
        }
        sleep_ms(100);
    }
    say("no virtio disk with serial %s", DISK_SERIAL);
    snprintf(name, len, "none");
    return -1;
}

/* Reads region A and compares it with the disk pattern. */
static void blk_read_check(const char *what)
{
    char name[32];
    uint8_t *buf = alloc_buffer(REGION_LEN);
    int fd = open_disk(O_RDONLY, name, sizeof(name));
    ssize_t n = -1;
    size_t bad = REGION_LEN / 4;

    if (fd >= 0 && buf) {
        memset(buf, 0xee, REGION_LEN);
        n = pread(fd, buf, REGION_LEN, REGION_A_OFF);
        if (n == REGION_LEN) {
            bad = pattern_mismatches(buf, REGION_LEN, DISK_SEED, REGION_A_OFF);
        }
    }
    result(what, n == REGION_LEN && bad == 0,
           "dev=%s offset=%u len=%u crc32=0x%08x mismatched-words=%zu",
           name, REGION_A_OFF, REGION_LEN,
           buf ? crc32(buf, REGION_LEN) : 0, bad);
    if (fd >= 0) {
        close(fd);
    }
}

/* Writes region B with the pattern of @seed, flushes, reads it back. */
static void blk_write_check(uint32_t seed)
{
    char name[32];
    uint8_t *out = alloc_buffer(REGION_LEN), *in = alloc_buffer(REGION_LEN);
    int fd = open_disk(O_RDWR, name, sizeof(name));
    ssize_t w = -1, r = -1;
    size_t bad = REGION_LEN / 4;

    if (fd >= 0 && out && in) {
        pattern_fill(out, REGION_LEN, seed, REGION_B_OFF);
        memset(in, 0xee, REGION_LEN);
        w = pwrite(fd, out, REGION_LEN, REGION_B_OFF);
        if (w == REGION_LEN && fdatasync(fd) == 0) {
            r = pread(fd, in, REGION_LEN, REGION_B_OFF);
        }
        if (r == REGION_LEN) {
            bad = pattern_mismatches(in, REGION_LEN, seed, REGION_B_OFF);
        }
    }
    result("blk-write", r == REGION_LEN && bad == 0,
           "dev=%s offset=%u len=%u seed=%u crc32=0x%08x "
           "readback-mismatched-words=%zu",
           name, REGION_B_OFF, REGION_LEN, seed,
           out ? crc32(out, REGION_LEN) : 0, bad);
    if (fd >= 0) {
        close(fd);
    }
}

/* ---- network ----------------------------------------------------------- */

#define GUEST_IP    "10.0.2.15"
#define GATEWAY_IP  "10.0.2.2"      /* QEMU user networking's gateway */
#define PING_COUNT  4
#define PING_BYTES  1024
#define PING_ID     0x5041

/* Name of the first network interface bound to driver @driver. */
static bool find_netdev(const char *driver, char *name, size_t len)
{
    DIR *d = opendir("/sys/class/net");
    struct dirent *e;
    bool found = false;

    while (!found && d && (e = readdir(d)) != NULL) {
        char path[PATH_MAX], drv[64];

        snprintf(path, sizeof(path), "/sys/class/net/%s/device/driver",
                 e->d_name);
        link_name(path, drv, sizeof(drv));
        if (!strcmp(drv, driver)) {
            snprintf(name, len, "%s", e->d_name);
            found = true;
        }
    }
    if (d) {
        closedir(d);
    }
    return found;
}

static bool if_set_addr(int s, const char *ifname, unsigned long req,
                        const char *ip)
{
    struct ifreq ifr;
    struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
    sin->sin_family = AF_INET;
    inet_pton(AF_INET, ip, &sin->sin_addr);
    return ioctl(s, req, &ifr) == 0;
}

/* Gives @ifname 10.0.2.15/24, brings it up and waits for the carrier. */
static bool if_configure(const char *ifname)
{
    struct ifreq ifr;
    char path[PATH_MAX], carrier[8];
    int s = socket(AF_INET, SOCK_DGRAM, 0), i;
    bool ok;

    ok = s >= 0 && if_set_addr(s, ifname, SIOCSIFADDR, GUEST_IP) &&
         if_set_addr(s, ifname, SIOCSIFNETMASK, "255.255.255.0");
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
    ok = ok && ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    ok = ok && ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    if (s >= 0) {
        close(s);
    }
    snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", ifname);
    for (i = 0; ok && i < 50; i++) {
        if (!read_attr(path, carrier, sizeof(carrier)) &&
            !strcmp(carrier, "1")) {
            return true;
        }
        sleep_ms(100);
    }
    return false;
}

static uint16_t inet_csum(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t sum = 0;
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        sum += p[i] << 8 | p[i + 1];
    }
    if (len & 1) {
        sum += p[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return htons(~sum & 0xffff);
}

/*
 * Sends echo request @seq with a patterned payload and waits for the
 * matching reply; returns true if its payload came back unchanged.
 */
static bool ping_once(int s, const struct sockaddr_in *dst, uint16_t seq)
{
    uint8_t pkt[sizeof(struct icmphdr) + PING_BYTES], rx[2048];
    struct icmphdr *icmp = (struct icmphdr *)pkt;
    uint64_t deadline = now_ns() + 2000000000ull;

    memset(pkt, 0, sizeof(pkt));
    icmp->type = ICMP_ECHO;
    icmp->un.echo.id = htons(PING_ID);
    icmp->un.echo.sequence = htons(seq);
    pattern_fill(pkt + sizeof(*icmp), PING_BYTES, 0x49434d50u + seq, 0);
    icmp->checksum = inet_csum(pkt, sizeof(pkt));
    if (sendto(s, pkt, sizeof(pkt), 0, (const struct sockaddr *)dst,
               sizeof(*dst)) < 0) {
        return false;
    }
    while (now_ns() < deadline) {
        ssize_t n = recv(s, rx, sizeof(rx), 0);
        struct iphdr *ip = (struct iphdr *)rx;
        struct icmphdr *r;

        if (n < (ssize_t)sizeof(*ip)) {
            continue;
        }
        r = (struct icmphdr *)(rx + ip->ihl * 4);
        if (n != ip->ihl * 4 + (ssize_t)sizeof(pkt) ||
            r->type != ICMP_ECHOREPLY || r->un.echo.id != htons(PING_ID) ||
            r->un.echo.sequence != htons(seq)) {
            continue;
        }
        return !memcmp(r + 1, pkt + sizeof(*icmp), PING_BYTES);
    }
    return false;
}

/*
 * PING_COUNT ICMP echoes with the QEMU user-net gateway through the NIC of
 * driver pamu.nic (e1000 by default); the good replies.  *@up: the link
 * came up.
 */
static int net_ping(char *ifname, size_t len, bool *up)
{
    struct sockaddr_in dst = { .sin_family = AF_INET };
    struct timeval tv = { 1, 0 };
    int s = -1, good = 0, i;

    *up = false;
    if (find_netdev(param("pamu.nic", "e1000"), ifname, len)) {
        *up = if_configure(ifname);
    }
    if (*up) {
        s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
        inet_pton(AF_INET, GATEWAY_IP, &dst.sin_addr);
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    }
    for (i = 0; s >= 0 && i < PING_COUNT; i++) {
        good += ping_once(s, &dst, i + 1);
    }
    if (s >= 0) {
        close(s);
    }
    return good;
}

static void net_check(void)
{
    char ifname[IFNAMSIZ] = "none";
    bool up;
    int good = net_ping(ifname, sizeof(ifname), &up);

    result("net", good == PING_COUNT,
           "if=%s link=%d peer=%s sent=%d good-replies=%d bytes=%d",
           ifname, up, GATEWAY_IP, up ? PING_COUNT : 0, good, PING_BYTES);
}


/* ---- access violations ------------------------------------------------- */

/*
 * Clears @bits in word 1 of the PCI controller's PAACE, as a buggy or
 * hostile driver could: the PAMU reads the entry for every translation.
 */
static bool paace_clear(const struct pamu_info *pi, uint32_t bits)
{
    struct phys_map m;
    uint32_t before, after;

    if (!pi->paace_phys || !phys_map(&m, pi->paace_phys, PAACE_SIZE)) {
        result("paace-edit", 0, "no PAACE to edit");
        return false;
    }
    before = rd32(&m, 4);
    m.p[1] = htobe32(before & ~bits);
    __sync_synchronize();
    after = rd32(&m, 4);
    phys_unmap(&m);
    result("paace-edit", after == (before & ~bits),
           "liodn=%u cleared=0x%x word1-before=0x%08x word1-after=0x%08x",
           pi->liodn, bits, before, after);
    return true;
}

struct blocked_io {
    bool write;                 /* disk write (device reads memory) */
    uint32_t seed;
    uint8_t *buf;
    uint32_t read_off;          /* where a disk read reads */
};

static int blocked_io_child(const struct blocked_io *io)
{
    char name[32];
    int fd = open_disk(io->write ? O_RDWR : O_RDONLY, name, sizeof(name));
    ssize_t n;

    if (fd < 0) {
        return 2;
    }
    if (io->write) {
        n = pwrite(fd, io->buf, REGION_LEN, REGION_B_OFF);
        return n == REGION_LEN && fdatasync(fd) == 0 ? 0 : 1;
    }
    n = pread(fd, io->buf, REGION_LEN, io->read_off);
    return n == REGION_LEN ? 0 : 1;
}

/*
 * Clears unit 0's violation record as Linux's ISR does, so that the next
 * fault is latched (and interrupts, while AVIE is set) again.  Returns
 * whether a record was pending.
 */
static bool rearm_record(struct phys_map *regs)
{
    uint32_t avs1 = rd32(regs, PAMU_AVS1);

    if (!(avs1 & 1)) {
        return false;
    }
    regs->p[PAMU_AVS1 / 4] = htobe32(avs1 & 0x7fff);
    regs->p[PAMU_PICS / 4] = htobe32(rd32(regs, PAMU_PICS));
    return true;
}

/*
 * Runs the I/O in a child, which the blocked DMA may leave hanging for
 * ever, and waits until it finished or the kernel reported the violation.
 * With pamu.rearm, keeps re-arming the record for 3 s after the report;
 * *@rearmed counts the records cleared.  Returns "completed", "failed" or
 * "hung" for the child's I/O.
 */
static const char *run_blocked_io(const struct blocked_io *io,
                                  const struct pamu_info *pi,
                                  struct kmsg_summary *ks, unsigned *rearmed)
{
    uint64_t deadline = now_ns() + VIOLATION_WAIT_MS * 1000000ull, seen = 0;
    unsigned rearm = strtoul(param("pamu.rearm", "0"), NULL, 0);
    uint64_t linger = (rearm ? 3000 : 1000) * 1000000ull;
    struct phys_map regs = { 0 };
    pid_t pid = fork();
    int status;

    if (pid == 0) {
        _exit(blocked_io_child(io));
    }
    *rearmed = 0;
    if (rearm && !phys_map(&regs, pi->pamu_phys, 0x1000)) {
        rearm = 0;
    }
    while (pid > 0 && now_ns() < deadline) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            kmsg_scan(ks);
            pid = 0;
            break;
        }
        kmsg_scan(ks);
        if (ks->av_reports && ks->disabled && !seen) {
            seen = now_ns();
        }
        if (seen && now_ns() - seen > linger) {
            break;              /* reported a while ago and still blocked */
        }
        if (seen && rearm) {
            *rearmed += rearm_record(&regs);
        }
        sleep_ms(seen && rearm ? rearm : 100);
    }
    if (regs.base) {
        phys_unmap(&regs);
    }
    if (pid == 0) {
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ?
               "completed" : "failed";
    }
    return pid > 0 ? "hung" : "fork-failed";
}

/* Disk write with read permission removed: nothing may reach the disk. */
static void violation_read(struct pamu_info *pi, uint32_t seed)
{
    struct blocked_io io = { .write = true, .seed = seed };
    struct kmsg_summary ks;
    const char *how;
    unsigned rearmed;

    io.buf = alloc_buffer(REGION_LEN);
    if (!io.buf || !paace_clear(pi, PAACE_AP_READ)) {
        return;
    }
    pattern_fill(io.buf, REGION_LEN, seed, REGION_B_OFF);
    how = run_blocked_io(&io, pi, &ks, &rearmed);
    result("violation-read",
           ks.av_reports > 0 && ks.disabled > 0 && strcmp(how, "completed"),
           "io=disk-write offset=%u len=%u seed=%u io-result=%s "
           "av-reports=%d disabled=%d rearmed=%u",
           REGION_B_OFF, REGION_LEN, seed, how, ks.av_reports, ks.disabled,
           rearmed);
}

/*
 * Ping with read permission removed from the NIC's PAACE (pamu.initiator=
 * etsec): the NIC cannot read its frames, no echo comes back.
 */
static void violation_net(struct pamu_info *pi)
{
    uint64_t deadline = now_ns() + VIOLATION_WAIT_MS * 1000000ull;
    struct kmsg_summary ks = { 0 };
    char ifname[IFNAMSIZ] = "none";
    bool up;
    int good;

    if (!paace_clear(pi, PAACE_AP_READ)) {
        return;
    }
    good = net_ping(ifname, sizeof(ifname), &up);
    for (;;) {
        kmsg_scan(&ks);
        if ((ks.av_reports && ks.disabled) || now_ns() >= deadline) {
            break;
        }
        sleep_ms(100);
    }
    result("violation-net", up && good == 0 && ks.av_reports > 0 &&
           ks.disabled > 0,
           "if=%s link=%d sent=%d good-replies=%d av-reports=%d disabled=%d",
           ifname, up, PING_COUNT, good, ks.av_reports, ks.disabled);
}

/* Disk read with write permission removed: the buffer must stay as it was. */
static void violation_write(struct pamu_info *pi)
{
    struct blocked_io io = { .write = false, .read_off = REGION_A_OFF };
    struct kmsg_summary ks;
    const char *how;
    unsigned rearmed;
    size_t bad, disk;
    bool ok;

    /*
     * The eSDHC driver reads through a bounce buffer, which still holds
     * what the kernel read at boot (the partition table at offset 0): read
     * where the kernel has not.
     */
    if (param("pamu.disk", NULL)) {
        io.read_off = REGION_B_OFF;
    }
    io.buf = alloc_buffer(REGION_LEN);
    if (!io.buf) {
        return;
    }
    pattern_fill(io.buf, REGION_LEN, FILL_SEED, 0);
    if (!paace_clear(pi, PAACE_AP_WRITE)) {
        return;
    }
    how = run_blocked_io(&io, pi, &ks, &rearmed);
    bad = pattern_mismatches(io.buf, REGION_LEN, FILL_SEED, 0);
    disk = REGION_LEN / 4 - pattern_mismatches(io.buf, REGION_LEN, DISK_SEED,
                                               io.read_off);
    /*
     * A virtio disk's read fails or hangs and leaves the buffer alone.  The
     * eSDHC (pamu.disk) goes through a bounce buffer and QEMU's SDHCI does
     * not report DMA errors: its read completes and the buffer gets the
     * bounce buffer's stale bytes, but no word of the card's data.
     */
    if (param("pamu.disk", NULL)) {
        ok = ks.av_reports > 0 && ks.disabled > 0 && disk == 0;
    } else {
        ok = ks.av_reports > 0 && ks.disabled > 0 && bad == 0 &&
             strcmp(how, "completed");
    }
    result("violation-write", ok,
           "io=disk-read offset=%u len=%u io-result=%s "
           "av-reports=%d disabled=%d rearmed=%u "
           "buffer-phys=0x%llx buffer-changed-words=%zu disk-words=%zu "
           "fill-seed=%u",
           io.read_off, REGION_LEN, how, ks.av_reports, ks.disabled,
           rearmed, (unsigned long long)phys_of(io.buf), bad, disk,
           FILL_SEED);
}

/* ---- benchmark --------------------------------------------------------- */

#define BENCH_BS_DEFAULT    (1u << 20)
#define BENCH_BS_MIN        (4u << 10)
#define BENCH_BS_MAX        (16u << 20)

/* The request size pamu.bs=@text names, or 0 if it is not a valid one. */
static uint32_t bench_bs(const char *text)
{
    char *end;
    unsigned long long bs;

    errno = 0;
    bs = strtoull(text, &end, 0);
    if (errno || end == text || *end || bs < BENCH_BS_MIN ||
        bs > BENCH_BS_MAX || (bs & (bs - 1))) {
        return 0;
    }
    return bs;
}

/*
 * @reps sequential O_DIRECT reads of the whole disk, in requests of the
 * size @bs_text names (NULL: the default).
 */
static void bench(unsigned reps, const char *bs_text)
{
    char name[32];
    uint32_t bs = bs_text ? bench_bs(bs_text) : BENCH_BS_DEFAULT;
    int fd;
    uint8_t *buf;
    uint64_t size = 0, off, t;
    unsigned r;

    if (!bs) {
        result("bench", 0, "bs=%s invalid: pamu.bs must be a power of two "
               "from %u to %u bytes", bs_text, BENCH_BS_MIN, BENCH_BS_MAX);
        return;
    }
    fd = open_disk(O_RDONLY, name, sizeof(name));
    buf = alloc_buffer(bs);
    if (fd < 0 || !buf || ioctl(fd, BLKGETSIZE64, &size) || size < bs) {
        result("bench", 0, "dev=%s bs=%u size=%llu", name, bs,
               (unsigned long long)size);
        return;
    }
    for (r = 1; r <= reps; r++) {
        t = now_ns();
        for (off = 0; off + bs <= size; off += bs) {
            if (pread(fd, buf, bs, off) != (ssize_t)bs) {
                result("bench", 0, "dev=%s bs=%u read at %llu failed: %s",
                       name, bs, (unsigned long long)off, strerror(errno));
                close(fd);
                return;
            }
        }
        t = now_ns() - t;
        result("bench", -1, "rep=%u dev=%s bs=%u bytes=%llu ns=%llu mbps=%.1f",
               r, name, bs, (unsigned long long)off, (unsigned long long)t,
               off * 1000.0 / t);
    }
    close(fd);
}

/* ---- DMA ownership (vfio) --------------------------------------------- */

#define MAX_FNS 8

/* A PCI function and the driver it had before the ownership check. */
struct pci_fn {
    char name[32];
    char driver[64];
};

/* Word 1 (WBAL, WSE, AP, V) of the PCI controller's PAACE, 0 if unknown. */
static uint32_t paace_word1(const struct pamu_info *pi)
{
    struct phys_map m;
    uint32_t w;

    if (!pi->paace_phys || !phys_map(&m, pi->paace_phys, PAACE_SIZE)) {
        return 0;
    }
    w = rd32(&m, 4);
    phys_unmap(&m);
    return w;
}

/* Unbinds every PCI function that has a driver; returns how many. */
static int pci_unbind_all(struct pci_fn *fns)
{
    DIR *d = opendir(PCI_DEVICES);
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d)) != NULL && n < MAX_FNS) {
        char path[PATH_MAX];

        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", e->d_name);
        link_name(path, fns[n].driver, sizeof(fns[n].driver));
        if (!strcmp(fns[n].driver, "none")) {
            continue;
        }
        snprintf(fns[n].name, sizeof(fns[n].name), "%s", e->d_name);
        snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver/unbind",
                 e->d_name);
        if (write_file(path, fns[n].name) == 0) {
            n++;
        }
    }
    if (d) {
        closedir(d);
    }
    return n;
}

/* Probes @name again, with driver @driver ("" for its usual one). */
static bool pci_probe_with(const char *name, const char *driver)
{
    char path[PATH_MAX], got[64];

    snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver_override", name);
    if (write_file(path, driver[0] ? driver : "\n") != 0) {
        return false;
    }
    write_file("/sys/bus/pci/drivers_probe", name);
    snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", name);
    link_name(path, got, sizeof(got));
    return !driver[0] || !strcmp(got, driver);
}

static void pci_unbind(const char *name)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver/unbind", name);
    write_file(path, name);
}

/*
 * Takes the group through vfio, as a vfio user does before it sets up its
 * container, and lets it go again: while vfio owns the group the LIODN
 * must block all DMA, and afterwards it must be the boot-time entry.
 */
static void vfio_own_group(const struct pamu_info *pi, const char *name)
{
    struct vfio_group_status st = { .argsz = sizeof(st) };
    char path[PATH_MAX], group[32];
    int gfd, cfd, set = -1;
    uint32_t owned = 0;

    snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group", name);
    link_name(path, group, sizeof(group));
    snprintf(path, sizeof(path), "/dev/vfio/%s", group);
    gfd = open(path, O_RDWR);
    cfd = open("/dev/vfio/vfio", O_RDWR);
    if (gfd >= 0 && cfd >= 0 && ioctl(gfd, VFIO_GROUP_GET_STATUS, &st) == 0) {
        set = ioctl(gfd, VFIO_GROUP_SET_CONTAINER, &cfd);
        owned = paace_word1(pi);
        if (set == 0) {
            ioctl(gfd, VFIO_GROUP_UNSET_CONTAINER);
        }
    }
    result("vfio-owned", gfd >= 0 && cfd >= 0 && set == 0,
           "dev=%s group=%s viable=%d set-container=%s word1=0x%08x",
           name, group, !!(st.flags & VFIO_GROUP_FLAGS_VIABLE),
           set == 0 ? "ok" : strerror(errno), owned);
    if (cfd >= 0) {
        close(cfd);
    }
    if (gfd >= 0) {
        close(gfd);
    }
}

/*
 * The whole controller shares one LIODN: unbind every function, give one
 * to vfio-pci, own its group through vfio, then give every function its
 * driver back and check that the disk DMAs again.
 */
static void ownership_check(struct pamu_info *pi)
{
    struct pci_fn fns[MAX_FNS];
    int i, n = pci_unbind_all(fns);
    const char *victim = NULL;

    for (i = 0; i < n; i++) {
        if (!strcmp(fns[i].driver, "e1000")) {
            victim = fns[i].name;
        }
    }
    if (victim && pci_probe_with(victim, "vfio-pci")) {
        vfio_own_group(pi, victim);
        pci_unbind(victim);
    } else {
        result("vfio-owned", 0, "no e1000 function bound to vfio-pci "
               "(unbound %d functions)", n);
    }
    for (i = 0; i < n; i++) {
        pci_probe_with(fns[i].name, "");
    }
    result("vfio-released", -1, "word1=0x%08x", paace_word1(pi));
    report_pci("pci-after-vfio");
    blk_read_check("blk-read-after-vfio");
}

/* ---- vfio: the PAMU container with edu on vfio-pci --------------------- */

#define VFIO_CONFORMANCE    "/vfio-conformance"
#define VFIO_E2E            "/vfio-e2e"
#define EDU_ID              "1234:11e8"
#define MAX_UNBOUND         8

/* PCI functions /init took from their drivers for the vfio group */
struct unbound {
    char dev[32];
    char driver[64];
};

static struct unbound unbound[MAX_UNBOUND];
static int nr_unbound;

/* The edu function, "" if there is none */
static void find_edu(char *bdf, size_t len)
{
    DIR *d = opendir(PCI_DEVICES);
    struct dirent *e;
    char path[PATH_MAX], v[16], id[16];

    bdf[0] = 0;
    while (d && (e = readdir(d)) != NULL) {
        snprintf(path, sizeof(path), PCI_DEVICES "/%s/vendor", e->d_name);
        read_attr(path, v, sizeof(v));
        snprintf(path, sizeof(path), PCI_DEVICES "/%s/device", e->d_name);
        read_attr(path, id, sizeof(id));
        if (strlen(v) > 2 && strlen(id) > 2 &&
            !strcmp(EDU_ID, strcat(strcat(v + 2, ":"), id + 2))) {
            snprintf(bdf, len, "%s", e->d_name);
        }
    }
    if (d) {
        closedir(d);
    }
}

/*
 * One PAMU LIODN per PCI controller means one IOMMU group for all its
 * functions: every other PCI function of edu's group leaves its driver,
 * or vfio cannot take the group.  Non-PCI members are only reported.
 */
static void vfio_group_prepare(const char *edu)
{
    char path[PATH_MAX], drv[64], members[512] = "";
    DIR *d;
    struct dirent *e;

    snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group/devices", edu);
    d = opendir(path);
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group/devices/"
                 "%s/driver", edu, e->d_name);
        link_name(path, drv, sizeof(drv));
        snprintf(members + strlen(members), sizeof(members) - strlen(members),
                 "%s%s(%s)", members[0] ? "," : "", e->d_name, drv);
        if (strcmp(e->d_name, edu) && strcmp(drv, "none") &&
            nr_unbound < MAX_UNBOUND) {
            snprintf(path, sizeof(path), PCI_DEVICES "/%s", e->d_name);
            if (access(path, F_OK)) {
                continue;           /* not a PCI function */
            }
            snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind",
                     drv);
            if (!write_file(path, e->d_name)) {
                snprintf(unbound[nr_unbound].dev, sizeof(unbound->dev), "%s",
                         e->d_name);
                snprintf(unbound[nr_unbound].driver, sizeof(unbound->driver),
                         "%s", drv);
                nr_unbound++;
            }
        }
    }
    if (d) {
        closedir(d);
    }
    result("vfio-group", -1, "edu=%s members=%s unbound=%d", edu,
           members[0] ? members : "none", nr_unbound);
}

static void vfio_group_restore(void)
{
    char path[PATH_MAX];
    int i, ok = 1;

    for (i = 0; i < nr_unbound; i++) {
        snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind",
                 unbound[i].driver);
        ok &= write_file(path, unbound[i].dev) == 0;
    }
    result("vfio-rebind", ok, "functions=%d", nr_unbound);
}

/* Runs @prog, every line of its output a kernel log line after @prefix */
static void run_forwarding(const char *prog, const char *prefix)
{
    char line[1024];
    int fds[2], status = -1;
    pid_t pid;
    FILE *out;

    if (pipe(fds)) {
        result("vfio-run", 0, "prog=%s pipe: %s", prog, strerror(errno));
        return;
    }
    pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        execl(prog, prog, (char *)NULL);
        printf("exec %s: %s\n", prog, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    out = fdopen(fds[0], "r");
    while (out && fgets(line, sizeof(line), out)) {
        line[strcspn(line, "\n")] = 0;
        say("%s%s", prefix, line);
    }
    if (out) {
        fclose(out);
    }
    if (pid > 0) {
        waitpid(pid, &status, 0);
    }
    result("vfio-run", -1, "prog=%s exit=%d", prog,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void vfio_checks(uint32_t seed)
{
    char edu[32], path[PATH_MAX], group[32];

    report_pci("pci");
    find_edu(edu, sizeof(edu));
    if (!edu[0]) {
        result("vfio-group", 0, "no edu function (" EDU_ID ")");
        return;
    }
    /* the kernel of guest/linux-patches groups endpoints at boot */
    snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group", edu);
    link_name(path, group, sizeof(group));
    if (!strcmp(group, "none")) {
        result("vfio-group", 0, "edu=%s has no IOMMU group", edu);
        return;
    }
    vfio_group_prepare(edu);
    run_forwarding(VFIO_CONFORMANCE, "PAMU-TAP ");
    run_forwarding(VFIO_E2E, "");
    /* the controller's ordinary DMA, once the container is gone */
    vfio_group_restore();
    report_pci("pci-after");
    blk_read_check("blk-read");
    blk_write_check(seed);
}

/*
 * pamu.hold: reports the hold point and waits for the line "go @point" on
 * the console (fd 0, in canonical mode: one line per read) or for the
 * timeout.  Other lines, e.g. a stray empty one, are ignored.
 */
static void hold(const char *point)
{
    unsigned secs = strtoul(param("pamu.hold", "0"), NULL, 0);
    uint64_t start = now_ns(), deadline = start + secs * 1000000000ull;
    const char *how = "timeout";
    char want[32], line[128];

    if (!secs) {
        return;
    }
    snprintf(want, sizeof(want), "go %s", point);
    result("hold", -1, "at=%s seconds=%u", point, secs);
    for (;;) {
        struct pollfd pfd = { .fd = 0, .events = POLLIN };
        uint64_t now = now_ns();
        ssize_t n;

        if (now >= deadline) {
            break;
        }
        n = poll(&pfd, 1, (deadline - now) / 1000000 + 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        n = read(0, line, sizeof(line) - 1);
        if (n <= 0) {
            how = "no-console-input";
            break;
        }
        line[n] = 0;
        line[strcspn(line, "\r\n")] = 0;
        if (!strcmp(line, want)) {
            how = "go";
            break;
        }
    }
    result("resume", -1, "at=%s how=%s waited-ms=%u", point, how,
           (unsigned)((now_ns() - start) / 1000000));
}

/* ---- main -------------------------------------------------------------- */

static void io_checks(struct pamu_info *pi, uint32_t seed, bool demo)
{
    if (demo) {
        say("== PCI endpoints found at boot and their IOMMU group:");
    }
    report_pci("pci");
    report_pamu_regs(pi);
    if (demo) {
        say("== DMA through the PAMU: virtio-blk read, write and read-back, "
            "e1000 ping");
    }
    blk_read_check("blk-read");
    blk_write_check(seed);
    net_check();
    if (pi->present && !demo) {
        ownership_check(pi);
    }
}

static void setup(void)
{
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    kmsg_fd = open("/dev/kmsg", O_WRONLY);
    read_file("/proc/cmdline", cmdline, sizeof(cmdline) - 1);
}

int main(void)
{
    struct pamu_info pi;
    const char *mode;
    uint32_t seed;
    unsigned reps;

    setup();
    mode = param("pamu.test", "io");
    seed = strtoul(param("pamu.seed", "1"), NULL, 0);
    reps = strtoul(param("pamu.reps", "3"), NULL, 0);
    result("start", -1, "mode=%s seed=%u", mode, seed);
    if (!strcmp(mode, "demo")) {
        say("== PAMU demo: the device tree and the fsl_pamu driver");
    }
    report_dt(&pi);
    report_driver();
    if (!strcmp(mode, "io") || !strcmp(mode, "demo")) {
        io_checks(&pi, seed, !strcmp(mode, "demo"));
    } else if (!strncmp(mode, "violation-", 10)) {
        report_pamu_regs(&pi);
    }
    if (!strncmp(mode, "violation-", 10) ||
        (!strcmp(mode, "demo") && pi.present)) {
        hold("violation");
    }
    if (!strcmp(mode, "demo") && !pi.present) {
        say("== no PAMU in this machine: no access violation demo");
    } else if (!strcmp(mode, "demo")) {
        say("== access violation: take read permission from LIODN %u's "
            "PAACE,", pi.liodn);
        say("== then write to the disk; "
            "the PAMU must block the device's reads");
    }
    if (!strcmp(mode, "violation-read") ||
        (!strcmp(mode, "demo") && pi.present)) {
        violation_read(&pi, seed);
        report_pamu_regs(&pi);
    } else if (!strcmp(mode, "violation-write")) {
        violation_write(&pi);
        report_pamu_regs(&pi);
    } else if (!strcmp(mode, "violation-net")) {
        violation_net(&pi);
        report_pamu_regs(&pi);
    } else if (!strcmp(mode, "bench")) {
        bench(reps, param("pamu.bs", NULL));
    } else if (!strcmp(mode, "vfio")) {
        vfio_checks(seed);
    }
    report_kmsg();
    result("done", -1, "mode=%s failures=%d", mode, failures);
    if (!strcmp(mode, "demo")) {
        say("== demo finished, %d in-guest check(s) failed; powering off",
            failures);
    }
    hold("poweroff");
    /*
     * No sync(): the disk I/O used O_DIRECT and fdatasync, and after a
     * violation a flush could wait for ever on the blocked device.
     */
    reboot(RB_POWER_OFF);
    say("power-off failed: %s", strerror(errno));
    for (;;) {
        pause();
    }
}
