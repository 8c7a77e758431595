/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhost-user-blk: a small vhost-user block backend with a device IOTLB
 *
 * Serves one raw disk image over a vhost-user socket to QEMU's
 * vhost-user-blk-pci, and offers VIRTIO_F_ACCESS_PLATFORM: with it, every
 * address the device sees (the rings, the descriptors, the buffers) is an
 * IOVA that the front-end's IOMMU translates.  The backend keeps what it
 * was told in its IOTLB (VHOST_USER_IOTLB_MSG updates and invalidations),
 * and asks for what it lacks with VHOST_IOTLB_MISS on the back-end channel.
 * It exists so that the PAMU guest tests (guest/README.md, scenario
 * pamu-vhost-user) can run a Linux guest's disk through vhost behind the
 * emulated PAMU: no backend QEMU ships implements the device IOTLB.
 *
 *   vhost-user-blk [-v] [--serial ID] [--stats FILE] --socket PATH IMAGE
 *
 * It serves one connection, single-threaded, and exits when the front-end
 * closes it or on SIGTERM/SIGINT; then it prints its counters on stderr and
 * writes them to FILE (key=value lines).  The socket appears at PATH only
 * once it listens (it is bound under another name and renamed), so a
 * front-end started when PATH exists can connect at once.
 *
 * Protocol (docs/interop/vhost-user.rst of QEMU): features VERSION_1,
 * ACCESS_PLATFORM, INDIRECT_DESC, virtio-blk SEG_MAX, BLK_SIZE and FLUSH;
 * protocol features REPLY_ACK, BACKEND_REQ and CONFIG; one queue; split
 * rings; requests IN, OUT, FLUSH and GET_ID, served in order, each before
 * the next is taken.
 *
 * Translation: an IOTLB entry maps IOVAs to the front-end's addresses
 * (uaddr), which the memory table maps to guest physical addresses and to
 * this process's mmap of the front-end's memory file descriptors.  A buffer
 * may span several entries and regions; it becomes several iovecs.  A miss
 * waits for the front-end's answer while serving the front-end channel
 * (QEMU sends the update there and waits for its acknowledgement before it
 * answers the miss).  Since anything can change while a miss is served, a
 * request is mapped again from the start until one pass needed no message
 * from the front-end; only then is its I/O done.  A request that cannot be
 * translated (the front-end refused a miss: the IOMMU denies the access)
 * stops its queue until the front-end sets the queue up again.
 */

#define _GNU_SOURCE

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/vhost_types.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

/* --- vhost-user ---------------------------------------------------------- */

enum {
    VU_GET_FEATURES = 1,
    VU_SET_FEATURES = 2,
    VU_SET_OWNER = 3,
    VU_RESET_OWNER = 4,
    VU_SET_MEM_TABLE = 5,
    VU_SET_LOG_BASE = 6,
    VU_SET_LOG_FD = 7,
    VU_SET_VRING_NUM = 8,
    VU_SET_VRING_ADDR = 9,
    VU_SET_VRING_BASE = 10,
    VU_GET_VRING_BASE = 11,
    VU_SET_VRING_KICK = 12,
    VU_SET_VRING_CALL = 13,
    VU_SET_VRING_ERR = 14,
    VU_GET_PROTOCOL_FEATURES = 15,
    VU_SET_PROTOCOL_FEATURES = 16,
    VU_GET_QUEUE_NUM = 17,
    VU_SET_VRING_ENABLE = 18,
    VU_SET_BACKEND_REQ_FD = 21,
    VU_IOTLB_MSG = 22,
    VU_GET_CONFIG = 24,
    VU_SET_CONFIG = 25,
    VU_RESET_DEVICE = 34,
    VU_MAX_REQUEST = 44,
};

/* requests of the back-end channel */
#define VU_BACKEND_IOTLB_MSG        1

#define VU_VERSION                  0x1
#define VU_FLAG_REPLY               (1u << 2)
#define VU_FLAG_NEED_REPLY          (1u << 3)
#define VU_VRING_INDEX_MASK         0xffu
#define VU_VRING_NOFD               (1u << 8)

#define VU_F_PROTOCOL_FEATURES      30
#define VU_PROTOCOL_F_REPLY_ACK     3
#define VU_PROTOCOL_F_BACKEND_REQ   5
#define VU_PROTOCOL_F_CONFIG        9

#define VU_MAX_REGIONS              8
#define VU_MAX_FDS                  8
#define VU_CONFIG_SPACE             256
/* how long the front-end may take to answer a miss */
#define VU_MISS_TIMEOUT_MS          10000

#define OFFERED_FEATURES    ((1ULL << VIRTIO_F_VERSION_1) | \
                             (1ULL << VIRTIO_F_ACCESS_PLATFORM) | \
                             (1ULL << VU_F_PROTOCOL_FEATURES) | \
                             (1ULL << VIRTIO_RING_F_INDIRECT_DESC) | \
                             (1ULL << VIRTIO_BLK_F_SEG_MAX) | \
                             (1ULL << VIRTIO_BLK_F_BLK_SIZE) | \
                             (1ULL << VIRTIO_BLK_F_FLUSH))
#define OFFERED_PROTOCOL    ((1ULL << VU_PROTOCOL_F_REPLY_ACK) | \
                             (1ULL << VU_PROTOCOL_F_BACKEND_REQ) | \
                             (1ULL << VU_PROTOCOL_F_CONFIG))

typedef struct VuHeader {
    uint32_t request;
    uint32_t flags;
    uint32_t size;
} VuHeader;

typedef struct VuRegion {
    uint64_t gpa;
    uint64_t size;
    uint64_t uaddr;             /* where the front-end has it */
    uint64_t mmap_offset;       /* of the region in its file descriptor */
} VuRegion;

typedef struct VuMemory {
    uint32_t nregions;
    uint32_t padding;
    VuRegion regions[VU_MAX_REGIONS];
} VuMemory;

typedef struct VuConfig {
    uint32_t offset;
    uint32_t size;
    uint32_t flags;
    uint8_t region[VU_CONFIG_SPACE];
} VuConfig;

typedef union VuPayload {
    uint64_t u64;
    struct vhost_vring_state state;
    struct vhost_vring_addr addr;
    VuMemory mem;
    struct vhost_iotlb_msg iotlb;
    VuConfig config;
    uint8_t raw[4096];
} VuPayload;

/* --- the block device ---------------------------------------------------- */

#define MIN(a, b)           ((a) < (b) ? (a) : (b))
#define SECTOR_SIZE         512
/* segments per request the driver may use (the ring is 128 entries) */
#define SEG_MAX             126
/* iovecs of one request, for each direction, after IOTLB splits */
#define MAX_IOV             1024
#define NR_VRINGS           1
/* a request is mapped at most this often before its queue gives up */
#define MAX_MAP_PASSES      16
#define IOTLB_SIZE          1024

/* --- state --------------------------------------------------------------- */

typedef struct Region {
    uint64_t gpa, size, uaddr;
    uint8_t *host;              /* this process's address of gpa */
    void *map;                  /* the whole mmap, for munmap */
    size_t map_len;
} Region;

typedef struct IotlbEntry {
    uint64_t iova;
    uint64_t last;              /* the last IOVA, inclusive */
    uint64_t uaddr;
    uint8_t perm;               /* VHOST_ACCESS_ */
} IotlbEntry;

typedef struct Vring {
    unsigned num;
    uint64_t desc, avail, used; /* device addresses: IOVAs with an IOMMU */
    uint16_t next_avail;        /* = the used index: requests finish in order */
    int kick_fd, call_fd;
    bool started;               /* from SET_VRING_KICK to GET_VRING_BASE */
    bool enabled;
    bool broken;                /* stopped on a request it could not serve */
    bool pending;               /* look at the avail ring */
} Vring;

typedef struct Stats {
    uint64_t iotlb_updates;
    uint64_t iotlb_invalidations;
    uint64_t invalidations_running;   /* while a ring was running */
    uint64_t entries_dropped;
    uint64_t entries_dropped_running;
    uint64_t misses;
    uint64_t misses_served;
    uint64_t misses_refused;
    uint64_t misses_unanswered;       /* hang-up, signal or timeout */
    uint64_t split_buffers;           /* buffers that needed several pieces */
    uint64_t ring_starts;
    uint64_t entries_at_ring_start;   /* kept from before: maybe stale */
    uint64_t mem_tables;
    uint64_t requests_in, requests_out, requests_flush, requests_get_id;
    uint64_t requests_unsupported, requests_failed;
    uint64_t bytes_read, bytes_written;
    uint64_t stalls;                  /* rings stopped on a bad request */
} Stats;

static struct {
    bool verbose;
    const char *serial;
    const char *stats_path;
    const char *sock_path;
    int disk_fd;
    uint64_t disk_size;
    int listen_fd;
    int fd;                     /* the front-end channel */
    int req_fd;                 /* the back-end channel */
    uint64_t features;
    uint64_t protocol_features;
    Region regions[VU_MAX_REGIONS];
    unsigned nregions;
    IotlbEntry iotlb[IOTLB_SIZE];
    unsigned iotlb_len;
    Vring vrings[NR_VRINGS];
    /* counts the front-end's messages: a request mapped meanwhile is stale */
    uint64_t generation;
    bool hung_up;
    Stats st;
} be = {
    .disk_fd = -1, .listen_fd = -1, .fd = -1, .req_fd = -1,
};

static volatile sig_atomic_t terminating;

/* --- output -------------------------------------------------------------- */

static void say(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "vhost-user-blk: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

#define verbose(...) do { if (be.verbose) { say(__VA_ARGS__); } } while (0)

static const char *request_name(uint32_t req)
{
    static const char *const names[VU_MAX_REQUEST] = {
        [VU_GET_FEATURES] = "GET_FEATURES",
        [VU_SET_FEATURES] = "SET_FEATURES",
        [VU_SET_OWNER] = "SET_OWNER",
        [VU_RESET_OWNER] = "RESET_OWNER",
        [VU_SET_MEM_TABLE] = "SET_MEM_TABLE",
        [VU_SET_LOG_BASE] = "SET_LOG_BASE",
        [VU_SET_LOG_FD] = "SET_LOG_FD",
        [VU_SET_VRING_NUM] = "SET_VRING_NUM",
        [VU_SET_VRING_ADDR] = "SET_VRING_ADDR",
        [VU_SET_VRING_BASE] = "SET_VRING_BASE",
        [VU_GET_VRING_BASE] = "GET_VRING_BASE",
        [VU_SET_VRING_KICK] = "SET_VRING_KICK",
        [VU_SET_VRING_CALL] = "SET_VRING_CALL",
        [VU_SET_VRING_ERR] = "SET_VRING_ERR",
        [VU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
        [VU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
        [VU_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
        [VU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
        [VU_SET_BACKEND_REQ_FD] = "SET_BACKEND_REQ_FD",
        [VU_IOTLB_MSG] = "IOTLB_MSG",
        [VU_GET_CONFIG] = "GET_CONFIG",
        [VU_SET_CONFIG] = "SET_CONFIG",
        [VU_RESET_DEVICE] = "RESET_DEVICE",
    };

    return req < VU_MAX_REQUEST && names[req] ? names[req] : "unknown";
}

static void write_stats(FILE *f, const char *sep)
{
    const Stats *s = &be.st;

    fprintf(f, "features=0x%" PRIx64 "%s", be.features, sep);
    fprintf(f, "protocol-features=0x%" PRIx64 "%s", be.protocol_features,
            sep);
#define STAT(name, field) \
    fprintf(f, "%s=%" PRIu64 "%s", name, s->field, sep)
    STAT("iotlb-updates", iotlb_updates);
    STAT("iotlb-invalidations", iotlb_invalidations);
    STAT("iotlb-invalidations-running", invalidations_running);
    STAT("iotlb-entries-dropped", entries_dropped);
    STAT("iotlb-entries-dropped-running", entries_dropped_running);
    STAT("iotlb-misses", misses);
    STAT("iotlb-misses-served", misses_served);
    STAT("iotlb-misses-refused", misses_refused);
    STAT("iotlb-misses-unanswered", misses_unanswered);
    STAT("split-buffers", split_buffers);
    STAT("ring-starts", ring_starts);
    STAT("iotlb-entries-at-ring-start", entries_at_ring_start);
    STAT("mem-tables", mem_tables);
    STAT("requests-in", requests_in);
    STAT("requests-out", requests_out);
    STAT("requests-flush", requests_flush);
    STAT("requests-get-id", requests_get_id);
    STAT("requests-unsupported", requests_unsupported);
    STAT("requests-failed", requests_failed);
    STAT("bytes-read", bytes_read);
    STAT("bytes-written", bytes_written);
    STAT("stalls", stalls);
#undef STAT
}

/* The counters, on stderr and (atomically) in the stats file. */
static void report(void)
{
    char tmp[PATH_MAX];
    FILE *f;

    fprintf(stderr, "vhost-user-blk: ");
    write_stats(stderr, " ");
    fputc('\n', stderr);
    if (!be.stats_path) {
        return;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", be.stats_path);
    f = fopen(tmp, "w");
    if (!f) {
        say("cannot write %s: %s", tmp, strerror(errno));
        return;
    }
    write_stats(f, "\n");
    if (fclose(f) || rename(tmp, be.stats_path)) {
        say("cannot write %s: %s", be.stats_path, strerror(errno));
    }
}

/* --- the channels -------------------------------------------------------- */

static bool read_all(int fd, void *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(fd, (char *)buf + done, len - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        done += n;
    }
    return true;
}

static bool send_msg(int fd, uint32_t request, uint32_t flags,
                     const void *payload, uint32_t size)
{
    VuHeader hdr = { .request = request, .flags = flags, .size = size };
    struct iovec iov[2] = {
        { .iov_base = &hdr, .iov_len = sizeof(hdr) },
        { .iov_base = (void *)payload, .iov_len = size },
    };
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
    ssize_t n;

    do {
        n = sendmsg(fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n != (ssize_t)(sizeof(hdr) + size)) {
        say("sending %s: %s", request_name(request),
            n < 0 ? strerror(errno) : "short write");
        return false;
    }
    return true;
}

static void reply(const VuHeader *hdr, const void *payload, uint32_t size)
{
    send_msg(be.fd, hdr->request, VU_VERSION | VU_FLAG_REPLY, payload, size);
}

/*
 * Reads one front-end message and the file descriptors sent with it.
 * False when the front-end went away or broke the protocol.
 */
static bool recv_msg(VuHeader *hdr, VuPayload *p, int *fds, unsigned *nfds)
{
    char control[CMSG_SPACE(VU_MAX_FDS * sizeof(int))];
    struct iovec iov = { .iov_base = hdr, .iov_len = sizeof(*hdr) };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control, .msg_controllen = sizeof(control),
    };
    struct cmsghdr *cmsg;
    ssize_t n;

    *nfds = 0;
    do {
        n = recvmsg(be.fd, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        return false;
    }
    for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
            unsigned i, n_in = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);

            for (i = 0; i < n_in; i++) {
                memcpy(&fds[(*nfds)++], CMSG_DATA(cmsg) + i * sizeof(int),
                       sizeof(int));
            }
        }
    }
    if (msg.msg_flags & MSG_CTRUNC) {
        say("%s: too many file descriptors", request_name(hdr->request));
        return false;
    }
    if (!read_all(be.fd, (char *)hdr + n, sizeof(*hdr) - n)) {
        return false;
    }
    if (hdr->size > sizeof(*p)) {
        say("%s: payload of %u bytes is too large",
            request_name(hdr->request), hdr->size);
        return false;
    }
    memset(p, 0, sizeof(*p));
    return read_all(be.fd, p, hdr->size);
}

/* --- guest memory and the IOTLB ------------------------------------------ */

static bool has_iommu(void)
{
    return be.features & (1ULL << VIRTIO_F_ACCESS_PLATFORM);
}

static void unmap_regions(void)
{
    unsigned i;

    for (i = 0; i < be.nregions; i++) {
        munmap(be.regions[i].map, be.regions[i].map_len);
    }
    be.nregions = 0;
}

/*
 * This process's address of @addr, a front-end (user) address or, with
 * @gpa, a guest physical one (no IOMMU); *@left bytes follow it.
 */
static uint8_t *from_region(uint64_t addr, bool gpa, uint64_t *left)
{
    unsigned i;

    for (i = 0; i < be.nregions; i++) {
        Region *r = &be.regions[i];
        uint64_t start = gpa ? r->gpa : r->uaddr;

        if (addr >= start && addr - start < r->size) {
            *left = r->size - (addr - start);
            return r->host + (addr - start);
        }
    }
    return NULL;
}

static uint8_t *from_uaddr(uint64_t uaddr, uint64_t *left)
{
    return from_region(uaddr, false, left);
}

static uint8_t *from_gpa(uint64_t gpa, uint64_t *left)
{
    return from_region(gpa, true, left);
}

static bool ring_running(const Vring *vq)
{
    return vq->started && vq->enabled && !vq->broken && vq->num;
}

static bool any_ring_running(void)
{
    unsigned i;

    for (i = 0; i < NR_VRINGS; i++) {
        if (ring_running(&be.vrings[i])) {
            return true;
        }
    }
    return false;
}

static const IotlbEntry *iotlb_find(uint64_t iova, uint8_t perm)
{
    unsigned i;

    for (i = 0; i < be.iotlb_len; i++) {
        const IotlbEntry *e = &be.iotlb[i];

        if (iova >= e->iova && iova <= e->last && (e->perm & perm) == perm) {
            return e;
        }
    }
    return NULL;
}

/* The last byte of [@iova, @iova + @size), saturated at 2^64 - 1 */
static uint64_t range_last(uint64_t iova, uint64_t size)
{
    return size > UINT64_MAX - iova ? UINT64_MAX : iova + size - 1;
}

static bool iotlb_update(const struct vhost_iotlb_msg *m)
{
    IotlbEntry e = {
        .iova = m->iova, .last = range_last(m->iova, m->size),
        .uaddr = m->uaddr, .perm = m->perm,
    };
    unsigned i;

    if (!m->size || !(m->perm & VHOST_ACCESS_RW)) {
        say("IOTLB update of 0x%" PRIx64 " with size 0x%" PRIx64
            " and perm %u: ignored", m->iova, m->size, m->perm);
        return false;
    }
    be.st.iotlb_updates++;
    verbose("IOTLB update: IOVA 0x%" PRIx64 "-0x%" PRIx64 " -> uaddr 0x%"
            PRIx64 " perm %s", e.iova, e.last, e.uaddr,
            e.perm == VHOST_ACCESS_RW ? "rw" :
            e.perm == VHOST_ACCESS_RO ? "ro" : "wo");
    for (i = 0; i < be.iotlb_len; i++) {
        if (be.iotlb[i].iova == e.iova) {
            be.iotlb[i] = e;
            return true;
        }
    }
    if (be.iotlb_len == IOTLB_SIZE) {
        /* full: forget the oldest, a miss brings it back */
        memmove(&be.iotlb[0], &be.iotlb[1],
                (IOTLB_SIZE - 1) * sizeof(be.iotlb[0]));
        be.iotlb_len--;
    }
    be.iotlb[be.iotlb_len++] = e;
    return true;
}

/* Drops every entry that overlaps [@iova, @iova + @size). */
static void iotlb_invalidate(uint64_t iova, uint64_t size)
{
    uint64_t last = range_last(iova, size);
    bool running = any_ring_running();
    unsigned i, kept = 0, dropped;

    for (i = 0; i < be.iotlb_len; i++) {
        if (be.iotlb[i].last < iova || be.iotlb[i].iova > last) {
            be.iotlb[kept++] = be.iotlb[i];
        }
    }
    dropped = be.iotlb_len - kept;
    be.iotlb_len = kept;
    be.st.iotlb_invalidations++;
    be.st.entries_dropped += dropped;
    if (running) {
        be.st.invalidations_running++;
        be.st.entries_dropped_running += dropped;
    }
    verbose("IOTLB invalidate: IOVA 0x%" PRIx64 "-0x%" PRIx64 ", %u entries "
            "dropped%s", iova, last, dropped,
            running ? " while running" : "");
}

static void serve_one(void);

/*
 * Asks the front-end for the translation of @iova with @perm and serves
 * the front-end channel until it answers: it sends the update there, and
 * answers the miss only once the update is acknowledged.  True if it
 * answered with success.
 */
static bool iotlb_miss(uint64_t iova, uint8_t perm)
{
    struct vhost_iotlb_msg m = {
        .iova = iova, .perm = perm, .type = VHOST_IOTLB_MISS,
    };
    VuHeader hdr;
    uint64_t ret;
    bool answered = false;

    be.st.misses++;
    verbose("IOTLB miss: IOVA 0x%" PRIx64 " perm %u", iova, perm);
    if (be.req_fd < 0 ||
        !send_msg(be.req_fd, VU_BACKEND_IOTLB_MSG,
                  VU_VERSION | VU_FLAG_NEED_REPLY, &m, sizeof(m))) {
        say("IOTLB miss at 0x%" PRIx64 " but no back-end channel", iova);
        be.st.misses_unanswered++;
        return false;
    }
    while (!answered && !be.hung_up && !terminating) {
        struct pollfd pfd[2] = {
            { .fd = be.req_fd, .events = POLLIN },
            { .fd = be.fd, .events = POLLIN },
        };
        int n = poll(pfd, 2, VU_MISS_TIMEOUT_MS);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        if (pfd[0].revents) {
            if (!read_all(be.req_fd, &hdr, sizeof(hdr)) ||
                hdr.request != VU_BACKEND_IOTLB_MSG ||
                !(hdr.flags & VU_FLAG_REPLY) || hdr.size != sizeof(ret) ||
                !read_all(be.req_fd, &ret, sizeof(ret))) {
                say("IOTLB miss at 0x%" PRIx64 ": bad answer", iova);
                break;
            }
            answered = true;
        } else if (pfd[1].revents) {
            serve_one();
        }
    }
    if (!answered) {
        be.st.misses_unanswered++;
        say("IOTLB miss at 0x%" PRIx64 ": no answer", iova);
        return false;
    }
    if (ret) {
        be.st.misses_refused++;
        say("IOTLB miss at 0x%" PRIx64 " (perm %u) refused by the front-end",
            iova, perm);
        return false;
    }
    be.st.misses_served++;
    return true;
}

/*
 * This process's address of the bytes at device address @addr, for an
 * access with @perm (VHOST_ACCESS_RO to read, _WO to write), and in *@len
 * how many of the *@len asked for are contiguous there.  @ring: a ring
 * address, which without an IOMMU is a front-end address, not a guest
 * physical one.  NULL if the address cannot be translated.
 */
static uint8_t *translate(uint64_t addr, uint64_t *len, uint8_t perm,
                          bool ring)
{
    const IotlbEntry *e;
    uint64_t left, in_entry;
    uint8_t *host;
    int tries;

    if (!has_iommu()) {
        host = ring ? from_uaddr(addr, &left) : from_gpa(addr, &left);
    } else {
        for (tries = 0; !(e = iotlb_find(addr, perm)); tries++) {
            /* an answered miss that leaves nothing is a broken front-end */
            if (tries == 2 || !iotlb_miss(addr, perm)) {
                return NULL;
            }
        }
        in_entry = e->last - addr;
        in_entry += in_entry < UINT64_MAX;
        host = from_uaddr(e->uaddr + (addr - e->iova), &left);
        if (host) {
            left = MIN(left, in_entry);
        }
    }
    if (!host) {
        say("device address 0x%" PRIx64 " is not in guest memory", addr);
        return NULL;
    }
    *len = MIN(*len, left);
    return host;
}

/* Copies @len bytes at device address @addr to @buf. */
static bool dev_read(uint64_t addr, void *buf, uint64_t len, bool ring)
{
    while (len) {
        uint64_t n = len;
        uint8_t *p = translate(addr, &n, VHOST_ACCESS_RO, ring);

        if (!p) {
            return false;
        }
        memcpy(buf, p, n);
        buf = (uint8_t *)buf + n;
        addr += n;
        len -= n;
    }
    return true;
}

/* Copies @len bytes from @buf to device address @addr. */
static bool dev_write(uint64_t addr, const void *buf, uint64_t len, bool ring)
{
    while (len) {
        uint64_t n = len;
        uint8_t *p = translate(addr, &n, VHOST_ACCESS_WO, ring);

        if (!p) {
            return false;
        }
        memcpy(p, buf, n);
        buf = (const uint8_t *)buf + n;
        addr += n;
        len -= n;
    }
    return true;
}

/* --- requests ------------------------------------------------------------ */

typedef struct IoVec {
    struct iovec iov[MAX_IOV];
    int n;
    uint64_t len;
} IoVec;

typedef struct Request {
    uint16_t head;
    IoVec out;                  /* what the device reads */
    IoVec in;                   /* what the device writes */
} Request;

typedef enum MapResult {
    MAP_OK,
    MAP_BAD,                    /* the driver broke the ring */
    MAP_FAULT,                  /* the IOMMU refused an access */
} MapResult;

/* Appends buffer [@addr, @addr + @len) to @v, cut where translation cuts. */
static MapResult map_buffer(IoVec *v, uint64_t addr, uint32_t len,
                            uint8_t perm)
{
    int first = v->n;

    while (len) {
        uint64_t n = len;
        uint8_t *p;

        if (v->n == MAX_IOV) {
            say("a request of more than %d pieces", MAX_IOV);
            return MAP_BAD;
        }
        p = translate(addr, &n, perm, false);
        if (!p) {
            return MAP_FAULT;
        }
        v->iov[v->n++] = (struct iovec) { .iov_base = p, .iov_len = n };
        v->len += n;
        addr += n;
        len -= n;
    }
    if (v->n - first > 1) {
        be.st.split_buffers++;
    }
    return MAP_OK;
}

/* Maps the descriptor chain of @req->head, following an indirect table. */
static MapResult map_chain(Vring *vq, Request *req)
{
    uint64_t table = vq->desc;
    unsigned size = vq->num, i = req->head, count = 0;
    bool indirect = false;
    MapResult r;

    req->out.n = req->in.n = 0;
    req->out.len = req->in.len = 0;
    for (;;) {
        struct vring_desc d;
        uint16_t flags;
        uint32_t len;

        if (i >= size || ++count > size) {
            say("descriptor chain of head %u is broken", req->head);
            return MAP_BAD;
        }
        if (!dev_read(table + i * sizeof(d), &d, sizeof(d), !indirect)) {
            return MAP_FAULT;
        }
        flags = le16toh(d.flags);
        len = le32toh(d.len);
        if (flags & VRING_DESC_F_INDIRECT) {
            if (indirect || !len || len % sizeof(d) ||
                !(be.features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC))) {
                say("bad indirect descriptor in chain of head %u", req->head);
                return MAP_BAD;
            }
            table = le64toh(d.addr);
            size = len / sizeof(d);
            i = count = 0;
            indirect = true;
            continue;
        }
        if (flags & VRING_DESC_F_WRITE) {
            r = map_buffer(&req->in, le64toh(d.addr), len, VHOST_ACCESS_WO);
        } else if (req->in.n) {
            say("readable descriptor after a writable one, head %u",
                req->head);
            return MAP_BAD;
        } else {
            r = map_buffer(&req->out, le64toh(d.addr), len, VHOST_ACCESS_RO);
        }
        if (r != MAP_OK) {
            return r;
        }
        if (!(flags & VRING_DESC_F_NEXT)) {
            return MAP_OK;
        }
        i = le16toh(d.next);
    }
}

/* Copies @len bytes from offset @off of @v to @buf. */
static void iov_read(const IoVec *v, uint64_t off, void *buf, size_t len)
{
    int i;

    for (i = 0; i < v->n && len; i++) {
        size_t n = v->iov[i].iov_len;

        if (off >= n) {
            off -= n;
            continue;
        }
        n = MIN(n - off, len);
        memcpy(buf, (uint8_t *)v->iov[i].iov_base + off, n);
        buf = (uint8_t *)buf + n;
        len -= n;
        off = 0;
    }
}

/* Copies @len bytes from @buf to offset @off of @v. */
static void iov_write(const IoVec *v, uint64_t off, const void *buf,
                      size_t len)
{
    int i;

    for (i = 0; i < v->n && len; i++) {
        size_t n = v->iov[i].iov_len;

        if (off >= n) {
            off -= n;
            continue;
        }
        n = MIN(n - off, len);
        memcpy((uint8_t *)v->iov[i].iov_base + off, buf, n);
        buf = (const uint8_t *)buf + n;
        len -= n;
        off = 0;
    }
}

/* @to = @from without its first @head and last @tail bytes */
static void iov_trim(IoVec *to, const IoVec *from, uint64_t head,
                     uint64_t tail)
{
    uint64_t want = from->len - head - tail;
    int i;

    to->n = 0;
    to->len = 0;
    for (i = 0; i < from->n && to->len < want; i++) {
        uint64_t n = from->iov[i].iov_len;

        if (head >= n) {
            head -= n;
            continue;
        }
        n -= head;
        n = MIN(n, want - to->len);
        to->iov[to->n++] = (struct iovec) {
            .iov_base = (uint8_t *)from->iov[i].iov_base + head,
            .iov_len = n,
        };
        to->len += n;
        head = 0;
    }
}

/* preadv/pwritev of all of @v at @off; they may do less than asked */
static bool disk_io(IoVec *v, uint64_t off, bool write)
{
    struct iovec *iov = v->iov;
    int n = v->n;

    while (n) {
        ssize_t done = write ? pwritev(be.disk_fd, iov, n, off) :
                               preadv(be.disk_fd, iov, n, off);

        if (done < 0 && errno == EINTR) {
            continue;
        }
        if (done <= 0) {
            say("%s at %" PRIu64 ": %s", write ? "write" : "read", off,
                done < 0 ? strerror(errno) : "end of file");
            return false;
        }
        off += done;
        while (n && (size_t)done >= iov->iov_len) {
            done -= iov->iov_len;
            iov++;
            n--;
        }
        if (n) {
            iov->iov_base = (uint8_t *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    return true;
}

/* Reads the disk into @data or writes @data there; a request status */
static uint8_t disk_rw(IoVec *data, uint64_t sector, bool write)
{
    uint64_t off = sector * SECTOR_SIZE;

    if (sector > be.disk_size / SECTOR_SIZE ||
        data->len > be.disk_size - off) {
        say("request beyond the disk: sector %" PRIu64 " + %" PRIu64
            " bytes", sector, data->len);
        return VIRTIO_BLK_S_IOERR;
    }
    if (!disk_io(data, off, write)) {
        return VIRTIO_BLK_S_IOERR;
    }
    if (write) {
        be.st.bytes_written += data->len;
    } else {
        be.st.bytes_read += data->len;
    }
    return VIRTIO_BLK_S_OK;
}

/*
 * Does what @req asks and writes its status.  Returns how many bytes the
 * device wrote into the request's buffers, or -1 if the request is
 * malformed.
 */
static int64_t execute(Request *req)
{
    /* the serial: not NUL-terminated if it fills all 20 bytes */
    char id[VIRTIO_BLK_ID_BYTES] = { 0 };
    struct virtio_blk_outhdr hdr;
    IoVec data = { .n = 0 };
    uint8_t status = VIRTIO_BLK_S_OK;
    uint64_t written = 0;

    if (req->out.len < sizeof(hdr) || req->in.len < 1) {
        say("request of head %u without header or status", req->head);
        return -1;
    }
    iov_read(&req->out, 0, &hdr, sizeof(hdr));
    switch (le32toh(hdr.type)) {
    case VIRTIO_BLK_T_IN:
        be.st.requests_in++;
        iov_trim(&data, &req->in, 0, 1);
        status = disk_rw(&data, le64toh(hdr.sector), false);
        written = status == VIRTIO_BLK_S_OK ? data.len : 0;
        break;
    case VIRTIO_BLK_T_OUT:
        be.st.requests_out++;
        iov_trim(&data, &req->out, sizeof(hdr), 0);
        status = disk_rw(&data, le64toh(hdr.sector), true);
        break;
    case VIRTIO_BLK_T_FLUSH:
        be.st.requests_flush++;
        if (fdatasync(be.disk_fd)) {
            say("fdatasync: %s", strerror(errno));
            status = VIRTIO_BLK_S_IOERR;
        }
        break;
    case VIRTIO_BLK_T_GET_ID:
        be.st.requests_get_id++;
        memcpy(id, be.serial, MIN(strlen(be.serial), sizeof(id)));
        written = MIN(req->in.len - 1, sizeof(id));
        iov_write(&req->in, 0, id, written);
        break;
    default:
        be.st.requests_unsupported++;
        status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
    if (status == VIRTIO_BLK_S_IOERR) {
        be.st.requests_failed++;
    }
    verbose("request head %u type %u sector %" PRIu64 ", %" PRIu64
            " bytes in %d pieces: status %u", req->head, le32toh(hdr.type),
            le64toh(hdr.sector), data.len, data.n, status);
    iov_write(&req->in, req->in.len - 1, &status, 1);
    return written + 1;
}

/* Stops @vq on a request it cannot serve, until it is set up again. */
static void stall(Vring *vq, const char *why)
{
    say("queue %td stopped at avail index %u: %s", vq - be.vrings,
        vq->next_avail, why);
    vq->broken = true;
    be.st.stalls++;
}

/*
 * Takes the next request of @vq and maps it, again and again until a pass
 * needed no message from the front-end (every message may have changed the
 * IOTLB or the memory table).  False if there is none, or the ring stopped.
 */
static bool next_request(Vring *vq, Request *req)
{
    uint64_t slot;
    uint16_t idx, head;
    unsigned pass;
    MapResult r;

    for (pass = 0; ; pass++) {
        uint64_t gen = be.generation;

        if (pass == MAX_MAP_PASSES) {
            stall(vq, "the IOTLB keeps changing under a request");
            return false;
        }
        if (!dev_read(vq->avail + offsetof(struct vring_avail, idx), &idx,
                      sizeof(idx), true)) {
            if (ring_running(vq)) {
                stall(vq, "cannot read the avail index");
            }
            return false;
        }
        if (!ring_running(vq) || le16toh(idx) == vq->next_avail) {
            return false;
        }
        if ((uint16_t)(le16toh(idx) - vq->next_avail) > vq->num) {
            stall(vq, "the avail index ran ahead of the ring");
            return false;
        }
        /* the avail ring entry after the index that covers it */
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        slot = vq->avail + offsetof(struct vring_avail, ring) +
               (vq->next_avail % vq->num) * sizeof(head);
        if (!dev_read(slot, &head, sizeof(head), true)) {
            if (ring_running(vq)) {
                stall(vq, "cannot read the avail ring");
            }
            return false;
        }
        req->head = le16toh(head);
        r = map_chain(vq, req);
        if (!ring_running(vq)) {
            return false;
        }
        if (r == MAP_BAD) {
            stall(vq, "malformed request");
            return false;
        }
        if (r == MAP_FAULT) {
            stall(vq, "the IOMMU refused an access of the request");
            return false;
        }
        if (gen == be.generation) {
            return true;
        }
    }
}

/* Puts @head with @len into the used ring. */
static bool push_used(Vring *vq, uint16_t head, uint32_t len)
{
    struct vring_used_elem e = { .id = htole32(head), .len = htole32(len) };
    uint64_t slot = vq->used + offsetof(struct vring_used, ring) +
                    (vq->next_avail % vq->num) * sizeof(e);
    uint16_t idx = htole16(vq->next_avail + 1);

    if (!dev_write(slot, &e, sizeof(e), true)) {
        return false;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);
    if (!dev_write(vq->used + offsetof(struct vring_used, idx), &idx,
                   sizeof(idx), true)) {
        return false;
    }
    vq->next_avail++;
    return true;
}

static void notify(Vring *vq)
{
    uint64_t one = 1;
    uint16_t flags;

    /* the used index before the driver's flags (no EVENT_IDX) */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (vq->call_fd < 0 ||
        (dev_read(vq->avail + offsetof(struct vring_avail, flags), &flags,
                  sizeof(flags), true) &&
         (le16toh(flags) & VRING_AVAIL_F_NO_INTERRUPT))) {
        return;
    }
    if (write(vq->call_fd, &one, sizeof(one)) != sizeof(one)) {
        say("signalling the call eventfd: %s", strerror(errno));
    }
}

static void process(Vring *vq)
{
    static Request req;
    bool done = false;

    vq->pending = false;
    while (ring_running(vq) && next_request(vq, &req)) {
        int64_t len = execute(&req);

        if (len < 0) {
            stall(vq, "malformed request");
            break;
        }
        if (!push_used(vq, req.head, len)) {
            if (ring_running(vq)) {
                stall(vq, "cannot write the used ring");
            }
            break;
        }
        done = true;
    }
    if (done) {
        notify(vq);
    }
}

/* --- front-end messages -------------------------------------------------- */

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
    }
    *fd = -1;
}

static void stop_ring(Vring *vq)
{
    vq->started = false;
    vq->broken = false;
    close_fd(&vq->kick_fd);
}

static bool set_mem_table(const VuMemory *mem, int *fds, unsigned nfds)
{
    unsigned i;

    if (mem->nregions > VU_MAX_REGIONS || mem->nregions != nfds) {
        say("SET_MEM_TABLE: %u regions, %u file descriptors", mem->nregions,
            nfds);
        return false;
    }
    unmap_regions();
    be.st.mem_tables++;
    for (i = 0; i < mem->nregions; i++) {
        const VuRegion *m = &mem->regions[i];
        Region *r = &be.regions[i];

        r->map_len = m->size + m->mmap_offset;
        r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
                      fds[i], 0);
        if (r->map == MAP_FAILED) {
            say("SET_MEM_TABLE: mmap of region %u: %s", i, strerror(errno));
            unmap_regions();
            return false;
        }
        r->gpa = m->gpa;
        r->size = m->size;
        r->uaddr = m->uaddr;
        r->host = (uint8_t *)r->map + m->mmap_offset;
        be.nregions = i + 1;
        verbose("region %u: GPA 0x%" PRIx64 "-0x%" PRIx64 " at uaddr 0x%"
                PRIx64, i, m->gpa, m->gpa + m->size - 1, m->uaddr);
    }
    return true;
}

static void config_space(VuConfig *c)
{
    struct virtio_blk_config cfg = {
        .capacity = htole64(be.disk_size / SECTOR_SIZE),
        .seg_max = htole32(SEG_MAX),
        .blk_size = htole32(SECTOR_SIZE),
        .num_queues = htole16(NR_VRINGS),
    };
    uint32_t size = MIN(c->size, VU_CONFIG_SPACE);

    memset(c->region, 0, sizeof(c->region));
    if (c->offset < sizeof(cfg)) {
        uint32_t n = sizeof(cfg) - c->offset;

        memcpy(c->region, (uint8_t *)&cfg + c->offset, MIN(n, size));
    }
    c->size = size;
}

static Vring *vring_of(uint32_t index)
{
    if (index >= NR_VRINGS) {
        say("no queue %u", index);
        return NULL;
    }
    return &be.vrings[index];
}

/*
 * Handles one message.  Returns 0 or 1 for the REPLY_ACK status (0:
 * success), or -1 if the reply was sent already.
 */
static int handle(const VuHeader *hdr, VuPayload *p, int *fds, unsigned *nfds)
{
    Vring *vq;
    uint64_t u64;

    switch (hdr->request) {
    case VU_GET_FEATURES:
        u64 = OFFERED_FEATURES;
        reply(hdr, &u64, sizeof(u64));
        return -1;
    case VU_SET_FEATURES:
        be.features = p->u64;
        verbose("features 0x%" PRIx64 "%s", be.features,
                has_iommu() ? ": ACCESS_PLATFORM, ring addresses are IOVAs" :
                "");
        return 0;
    case VU_GET_PROTOCOL_FEATURES:
        u64 = OFFERED_PROTOCOL;
        reply(hdr, &u64, sizeof(u64));
        return -1;
    case VU_SET_PROTOCOL_FEATURES:
        be.protocol_features = p->u64;
        return 0;
    case VU_GET_QUEUE_NUM:
        u64 = NR_VRINGS;
        reply(hdr, &u64, sizeof(u64));
        return -1;
    case VU_SET_OWNER:
        return 0;
    case VU_RESET_OWNER:
    case VU_RESET_DEVICE:
        for (vq = be.vrings; vq < be.vrings + NR_VRINGS; vq++) {
            stop_ring(vq);
            vq->enabled = false;
        }
        return 0;
    case VU_SET_MEM_TABLE:
        return set_mem_table(&p->mem, fds, *nfds) ? 0 : 1;
    case VU_SET_BACKEND_REQ_FD:
        if (*nfds != 1) {
            return 1;
        }
        close_fd(&be.req_fd);
        be.req_fd = fds[0];
        *nfds = 0;
        return 0;
    case VU_SET_VRING_NUM:
        vq = vring_of(p->state.index);
        if (!vq || !p->state.num || p->state.num > 32768) {
            return 1;
        }
        vq->num = p->state.num;
        return 0;
    case VU_SET_VRING_ADDR:
        vq = vring_of(p->addr.index);
        if (!vq) {
            return 1;
        }
        vq->desc = p->addr.desc_user_addr;
        vq->avail = p->addr.avail_user_addr;
        vq->used = p->addr.used_user_addr;
        vq->broken = false;
        verbose("queue %u: desc 0x%" PRIx64 " avail 0x%" PRIx64 " used 0x%"
                PRIx64 " (%s)", p->addr.index, vq->desc, vq->avail, vq->used,
                has_iommu() ? "IOVAs" : "front-end addresses");
        return 0;
    case VU_SET_VRING_BASE:
        vq = vring_of(p->state.index);
        if (!vq) {
            return 1;
        }
        vq->next_avail = p->state.num;
        return 0;
    case VU_GET_VRING_BASE:
        vq = vring_of(p->state.index);
        if (vq) {
            stop_ring(vq);
            p->state.num = vq->next_avail;
        }
        reply(hdr, &p->state, sizeof(p->state));
        return -1;
    case VU_SET_VRING_KICK:
    case VU_SET_VRING_CALL:
    case VU_SET_VRING_ERR:
        vq = vring_of(p->u64 & VU_VRING_INDEX_MASK);
        if (!vq || (!(p->u64 & VU_VRING_NOFD) && *nfds != 1)) {
            return 1;
        }
        if (hdr->request == VU_SET_VRING_ERR) {
            return 0;           /* nothing to report there */
        }
        if (hdr->request == VU_SET_VRING_CALL) {
            close_fd(&vq->call_fd);
            if (*nfds) {
                vq->call_fd = fds[0];
                *nfds = 0;
            }
            return 0;
        }
        if (!*nfds) {
            say("queue %td: a kick without eventfd is not supported",
                vq - be.vrings);
            return 1;
        }
        close_fd(&vq->kick_fd);
        vq->kick_fd = fds[0];
        *nfds = 0;
        vq->started = true;
        vq->broken = false;
        vq->pending = true;
        if (!(be.features & (1ULL << VU_F_PROTOCOL_FEATURES))) {
            vq->enabled = true;
        }
        be.st.ring_starts++;
        be.st.entries_at_ring_start += be.iotlb_len;
        return 0;
    case VU_SET_VRING_ENABLE:
        vq = vring_of(p->state.index);
        if (!vq) {
            return 1;
        }
        vq->enabled = p->state.num;
        vq->pending = true;
        return 0;
    case VU_IOTLB_MSG:
        if (p->iotlb.type == VHOST_IOTLB_UPDATE) {
            return iotlb_update(&p->iotlb) ? 0 : 1;
        }
        if (p->iotlb.type == VHOST_IOTLB_INVALIDATE) {
            iotlb_invalidate(p->iotlb.iova, p->iotlb.size);
            return 0;
        }
        say("IOTLB message of type %u ignored", p->iotlb.type);
        return 1;
    case VU_GET_CONFIG:
        if (hdr->size < offsetof(VuConfig, region)) {
            return 1;
        }
        config_space(&p->config);
        reply(hdr, &p->config, offsetof(VuConfig, region) + p->config.size);
        return -1;
    case VU_SET_CONFIG:
        return 0;               /* the write cache cannot be switched off */
    default:
        say("%s (%u) is not supported", request_name(hdr->request),
            hdr->request);
        return 1;
    }
}

/* Reads and handles one front-end message; at EOF notes the hang-up. */
static void serve_one(void)
{
    VuHeader hdr;
    VuPayload p;
    int fds[VU_MAX_FDS];
    unsigned nfds = 0, i;
    int status;

    if (!recv_msg(&hdr, &p, fds, &nfds)) {
        for (i = 0; i < nfds; i++) {
            close(fds[i]);
        }
        be.hung_up = true;
        return;
    }
    be.generation++;
    if (hdr.request != VU_IOTLB_MSG) {
        verbose("%s", request_name(hdr.request));
    }
    status = handle(&hdr, &p, fds, &nfds);
    for (i = 0; i < nfds; i++) {
        close(fds[i]);
    }
    if (status >= 0 && (hdr.flags & VU_FLAG_NEED_REPLY)) {
        uint64_t u64 = status;

        reply(&hdr, &u64, sizeof(u64));
    }
}

/* --- set-up and the loop ------------------------------------------------- */

static void on_signal(int sig)
{
    (void)sig;
    terminating = 1;
}

/*
 * Listens on @path: bound under a temporary name and renamed, so that the
 * socket appears there only when a front-end can connect.
 */
static int listen_on(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (snprintf(addr.sun_path, sizeof(addr.sun_path), "%s.tmp", path) >=
        (int)sizeof(addr.sun_path)) {
        say("socket path %s is too long", path);
        return -1;
    }
    unlink(addr.sun_path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
        listen(fd, 1) || rename(addr.sun_path, path)) {
        say("listening on %s: %s", path, strerror(errno));
        return -1;
    }
    return fd;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: vhost-user-blk [-v] [--serial ID] [--stats FILE] "
            "--socket PATH IMAGE\n"
            "Serves the raw disk IMAGE to one vhost-user-blk front-end on "
            "PATH,\nwith a device IOTLB (VIRTIO_F_ACCESS_PLATFORM).\n"
            "  -v, --verbose    log every message and request on stderr\n"
            "  --serial ID      the disk's serial (GET_ID; default "
            "\"vhost-user-blk\")\n"
            "  --stats FILE     write the counters there on exit\n");
}

static int serve(void)
{
    sigset_t block, unblocked;
    struct sigaction sa = { .sa_handler = on_signal };
    unsigned i;

    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &unblocked);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    while (!terminating && !be.hung_up) {
        struct pollfd pfd[1 + NR_VRINGS];
        int n;

        pfd[0] = (struct pollfd) {
            .fd = be.fd >= 0 ? be.fd : be.listen_fd, .events = POLLIN,
        };
        for (i = 0; i < NR_VRINGS; i++) {
            pfd[1 + i] = (struct pollfd) {
                .fd = be.vrings[i].started ? be.vrings[i].kick_fd : -1,
                .events = POLLIN,
            };
        }
        n = ppoll(pfd, 1 + NR_VRINGS, NULL, &unblocked);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            say("poll: %s", strerror(errno));
            return 1;
        }
        if (pfd[0].revents && be.fd < 0) {
            be.fd = accept4(be.listen_fd, NULL, NULL, SOCK_CLOEXEC);
            if (be.fd < 0) {
                say("accept: %s", strerror(errno));
                return 1;
            }
            verbose("front-end connected");
            continue;
        }
        if (pfd[0].revents) {
            serve_one();
        }
        for (i = 0; i < NR_VRINGS; i++) {
            uint64_t kicks;

            if (pfd[1 + i].revents && be.vrings[i].kick_fd >= 0 &&
                read(be.vrings[i].kick_fd, &kicks, sizeof(kicks)) > 0) {
                be.vrings[i].pending = true;
            }
        }
        for (i = 0; i < NR_VRINGS && !be.hung_up; i++) {
            if (be.vrings[i].pending) {
                process(&be.vrings[i]);
            }
        }
    }
    verbose("%s", terminating ? "terminated" : "the front-end hung up");
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "verbose", no_argument, NULL, 'v' },
        { "serial", required_argument, NULL, 'i' },
        { "stats", required_argument, NULL, 's' },
        { "socket", required_argument, NULL, 'S' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct stat st;
    unsigned i;
    int c, ret;

    be.serial = "vhost-user-blk";
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case 'v':
            be.verbose = true;
            break;
        case 'i':
            be.serial = optarg;
            break;
        case 's':
            be.stats_path = optarg;
            break;
        case 'S':
            be.sock_path = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!be.sock_path || optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    be.disk_fd = open(argv[optind], O_RDWR | O_CLOEXEC);
    if (be.disk_fd < 0 || fstat(be.disk_fd, &st)) {
        say("%s: %s", argv[optind], strerror(errno));
        return 1;
    }
    be.disk_size = st.st_size;
    for (i = 0; i < NR_VRINGS; i++) {
        be.vrings[i].kick_fd = be.vrings[i].call_fd = -1;
    }
    be.listen_fd = listen_on(be.sock_path);
    if (be.listen_fd < 0) {
        return 1;
    }
    verbose("serving %s (%" PRIu64 " bytes) on %s", argv[optind],
            be.disk_size, be.sock_path);
    ret = serve();
    report();
    unlink(be.sock_path);
    unmap_regions();
    return ret;
}
