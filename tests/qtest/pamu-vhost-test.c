/*
 * qtest for a vhost-user device behind the Freescale/NXP PAMU
 *
 * vhost keeps a device's DMA translations in its backend's IOTLB and
 * relies on the IOMMU to say when one goes away.  The PAMU snoops its
 * tables, so it can: a small vhost-user backend in this process watches
 * the IOTLB messages QEMU sends it for a virtio-net device with
 * iommu_platform=on that the test drives to DRIVER_OK by hand, as a guest
 * driver would:
 *
 *  - vhost starts behind a PAMU in use and translates through its PAACE,
 *    also above the PAMU's tables, which cut RAM into pieces; a rewrite
 *    of the PAACE takes back what the backend holds, and the next miss
 *    gets the new translation;
 *  - a restarted vhost starts with an empty IOTLB: what the guest changed
 *    while it was stopped reached no notifier;
 *  - when the guest takes the PAMU into use, or bypasses it again, while
 *    vhost runs, the backend loses what it holds and translates the new
 *    way from then on.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "libqtest.h"
#include "hw/pci/pci.h"
#include "hw/iommu/pamu-regs.h"
#include "standard-headers/linux/vhost_types.h"
#include "standard-headers/linux/virtio_config.h"
#include "e500-virtio.h"
#include "pamu-entry.h"

#define PAMU_CCSR_OFFSET    0x20000
#define GUTS_CCSR_OFFSET    0xe0000
#define PCI_LIODN           193         /* the PCI host's default LIODN */
#define PPAACT              0x1000000ULL
#define PPAACT_ENTRIES      0x500
#define RAM_MB              128

/* The virtio rings: queue q at RINGS + q * RING_STRIDE, one page each part */
#define RINGS               0x200000ULL
#define RING_STRIDE         0x10000ULL
#define RING_AVAIL          0x1000
#define RING_USED           0x2000
#define QUEUE_SIZE          64
#define NR_QUEUES           2           /* receive and transmit */
#define PAGE_MASK_4K        (~0xfffULL)

/* The modern virtio-pci device ID of virtio-net */
#define VIRTIO_ID_NET_MODERN 0x1041

/* The device features the test acks: VERSION_1 and ACCESS_PLATFORM */
#define FEATURES            ((1ull << VIRTIO_F_VERSION_1) | \
                             (1ull << VIRTIO_F_ACCESS_PLATFORM))

/* --- a vhost-user backend (docs/interop/vhost-user.rst) ---------------- */

enum {
    VU_GET_FEATURES = 1,
    VU_SET_MEM_TABLE = 5,
    VU_GET_VRING_BASE = 11,
    VU_GET_PROTOCOL_FEATURES = 15,
    VU_SET_BACKEND_REQ_FD = 21,
    VU_IOTLB_MSG = 22,
};
#define VU_BACKEND_IOTLB_MSG        1

#define VU_VERSION                  0x1
#define VU_FLAG_REPLY               (1u << 2)
#define VU_FLAG_NEED_REPLY          (1u << 3)
#define VU_F_PROTOCOL_FEATURES      30
#define VU_PROTOCOL_F_REPLY_ACK     3
#define VU_PROTOCOL_F_BACKEND_REQ   5
#define VU_MAX_REGIONS              8
#define VU_MAX_FDS                  16
#define VU_TIMEOUT_MS               30000

/* What the backend offers: the least QEMU accepts for an IOMMU device */
#define VU_FEATURES         ((1ULL << VIRTIO_F_VERSION_1) | \
                             (1ULL << VIRTIO_F_ACCESS_PLATFORM) | \
                             (1ULL << VU_F_PROTOCOL_FEATURES))
#define VU_PROTOCOL_FEATURES ((1ULL << VU_PROTOCOL_F_REPLY_ACK) | \
                              (1ULL << VU_PROTOCOL_F_BACKEND_REQ))

typedef struct VuHeader {
    uint32_t request;
    uint32_t flags;
    uint32_t size;
} VuHeader;

typedef struct VuRegion {
    uint64_t gpa;
    uint64_t size;
    uint64_t uaddr;
    uint64_t mmap_offset;
} VuRegion;

typedef struct VuMemory {
    uint32_t nregions;
    uint32_t padding;
    VuRegion regions[VU_MAX_REGIONS];
} VuMemory;

typedef union VuPayload {
    uint64_t u64;
    struct vhost_vring_state state;
    VuMemory mem;
    struct vhost_iotlb_msg iotlb;
    uint8_t raw[512];
} VuPayload;

typedef struct VuBackend {
    char *dir;
    char *path;
    int listen_fd;
    int fd;                     /* the front-end channel, served by @thread */
    GThread *thread;
    GMutex lock;
    /* what QEMU told the backend, under @lock */
    int req_fd;                 /* the back-end channel, or -1 */
    unsigned mem_tables;        /* SET_MEM_TABLE messages */
    VuMemory mem;               /* the last one */
    GArray *iotlb;              /* every struct vhost_iotlb_msg, in order */
} VuBackend;

static void wait_readable(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    g_assert_cmpint(poll(&pfd, 1, VU_TIMEOUT_MS), ==, 1);
}

static void read_all(int fd, void *buf, size_t len)
{
    size_t done = 0;
    ssize_t n;

    while (done < len) {
        n = read(fd, (char *)buf + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        g_assert_cmpint(n, >, 0);
        done += n;
    }
}

static void vu_send(int fd, uint32_t request, uint32_t flags,
                    const void *payload, uint32_t size)
{
    VuHeader hdr = { .request = request, .flags = flags, .size = size };
    struct iovec iov[2] = {
        { .iov_base = &hdr, .iov_len = sizeof(hdr) },
        { .iov_base = (void *)payload, .iov_len = size },
    };
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };

    g_assert_cmpint(sendmsg(fd, &msg, MSG_NOSIGNAL), ==, sizeof(hdr) + size);
}

static void vu_reply(VuBackend *be, const VuHeader *hdr, const void *payload,
                     uint32_t size)
{
    vu_send(be->fd, hdr->request, VU_VERSION | VU_FLAG_REPLY, payload, size);
}

/* Reads one message and the descriptors sent with it; false at EOF. */
static bool vu_recv(VuBackend *be, VuHeader *hdr, VuPayload *p, int *fds,
                    size_t *nfds)
{
    char control[CMSG_SPACE(VU_MAX_FDS * sizeof(int))];
    struct iovec iov = { .iov_base = hdr, .iov_len = sizeof(*hdr) };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control, .msg_controllen = sizeof(control),
    };
    struct cmsghdr *cmsg;
    ssize_t n;

    do {
        n = recvmsg(be->fd, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        return false;           /* QEMU went away */
    }
    *nfds = 0;
    for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
            *nfds = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            memcpy(fds, CMSG_DATA(cmsg), *nfds * sizeof(int));
        }
    }
    read_all(be->fd, (char *)hdr + n, sizeof(*hdr) - n);
    g_assert_cmpuint(hdr->size, <=, sizeof(*p));
    read_all(be->fd, p, hdr->size);
    return true;
}

/*
 * Answers one front-end message.  Returns true if it was answered already;
 * others get the REPLY_ACK success reply if QEMU asked for one.
 */
static bool vu_handle(VuBackend *be, const VuHeader *hdr, VuPayload *p,
                      int *fds, size_t *nfds)
{
    uint64_t u64;

    switch (hdr->request) {
    case VU_GET_FEATURES:
        u64 = VU_FEATURES;
        vu_reply(be, hdr, &u64, sizeof(u64));
        return true;
    case VU_GET_PROTOCOL_FEATURES:
        u64 = VU_PROTOCOL_FEATURES;
        vu_reply(be, hdr, &u64, sizeof(u64));
        return true;
    case VU_GET_VRING_BASE:
        p->state.num = 0;       /* the rings were never used */
        vu_reply(be, hdr, &p->state, sizeof(p->state));
        return true;
    case VU_SET_MEM_TABLE:
        g_assert_cmpuint(p->mem.nregions, <=, VU_MAX_REGIONS);
        be->mem = p->mem;
        be->mem_tables++;
        return false;
    case VU_SET_BACKEND_REQ_FD:
        g_assert_cmpuint(*nfds, ==, 1);
        be->req_fd = fds[0];
        *nfds = 0;
        return false;
    case VU_IOTLB_MSG:
        g_array_append_val(be->iotlb, p->iotlb);
        return false;
    default:
        return false;
    }
}

static gpointer vu_serve(gpointer opaque)
{
    VuBackend *be = opaque;
    VuHeader hdr;
    VuPayload p;
    int fds[VU_MAX_FDS];
    size_t nfds, i;
    bool answered;
    uint64_t ok = 0;

    be->fd = accept(be->listen_fd, NULL, NULL);
    g_assert_cmpint(be->fd, >=, 0);
    while (vu_recv(be, &hdr, &p, fds, &nfds)) {
        g_mutex_lock(&be->lock);
        answered = vu_handle(be, &hdr, &p, fds, &nfds);
        g_mutex_unlock(&be->lock);
        for (i = 0; i < nfds; i++) {
            close(fds[i]);
        }
        if (!answered && (hdr.flags & VU_FLAG_NEED_REPLY)) {
            vu_reply(be, &hdr, &ok, sizeof(ok));
        }
    }
    return NULL;
}

static void vu_start(VuBackend *be)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    memset(be, 0, sizeof(*be));
    be->dir = g_dir_make_tmp("pamu-vhost-XXXXXX", NULL);
    g_assert_nonnull(be->dir);
    be->path = g_build_filename(be->dir, "vhost-user.sock", NULL);
    g_assert_cmpuint(strlen(be->path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, be->path);
    be->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(be->listen_fd, >=, 0);
    g_assert_cmpint(bind(be->listen_fd, (struct sockaddr *)&addr,
                         sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(be->listen_fd, 1), ==, 0);
    be->fd = -1;
    be->req_fd = -1;
    be->iotlb = g_array_new(false, true, sizeof(struct vhost_iotlb_msg));
    g_mutex_init(&be->lock);
    be->thread = g_thread_new("vhost-user-backend", vu_serve, be);
}

/* After QEMU quit: the serving thread has seen the end of the channel. */
static void vu_stop(VuBackend *be)
{
    g_thread_join(be->thread);
    close(be->fd);
    close(be->listen_fd);
    if (be->req_fd >= 0) {
        close(be->req_fd);
    }
    g_array_free(be->iotlb, true);
    g_mutex_clear(&be->lock);
    unlink(be->path);
    rmdir(be->dir);
    g_free(be->path);
    g_free(be->dir);
}

static unsigned vu_nr_iotlb(VuBackend *be)
{
    unsigned n;

    g_mutex_lock(&be->lock);
    n = be->iotlb->len;
    g_mutex_unlock(&be->lock);
    return n;
}

static struct vhost_iotlb_msg vu_iotlb(VuBackend *be, unsigned i)
{
    struct vhost_iotlb_msg m;

    g_mutex_lock(&be->lock);
    g_assert_cmpuint(i, <, be->iotlb->len);
    m = g_array_index(be->iotlb, struct vhost_iotlb_msg, i);
    g_mutex_unlock(&be->lock);
    return m;
}

static unsigned vu_mem_tables(VuBackend *be)
{
    unsigned n;

    g_mutex_lock(&be->lock);
    n = be->mem_tables;
    g_mutex_unlock(&be->lock);
    return n;
}

/* Where QEMU's last memory table puts guest physical address @gpa. */
static uint64_t vu_uaddr(VuBackend *be, uint64_t gpa)
{
    uint64_t uaddr = 0;
    uint32_t i;

    g_mutex_lock(&be->lock);
    for (i = 0; i < be->mem.nregions; i++) {
        VuRegion *r = &be->mem.regions[i];

        if (gpa >= r->gpa && gpa - r->gpa < r->size) {
            uaddr = r->uaddr + (gpa - r->gpa);
        }
    }
    g_mutex_unlock(&be->lock);
    g_assert_cmphex(uaddr, !=, 0);
    return uaddr;
}

/*
 * Asks QEMU for the translation of @iova, as the backend does on a miss in
 * its IOTLB.  Returns QEMU's reply: 0 if it sent the translation.
 */
static uint64_t vu_iotlb_miss(VuBackend *be, uint64_t iova)
{
    struct vhost_iotlb_msg miss = {
        .iova = iova, .perm = VHOST_ACCESS_RO, .type = VHOST_IOTLB_MISS,
    };
    VuHeader hdr;
    uint64_t ret;
    int fd;

    g_mutex_lock(&be->lock);
    fd = be->req_fd;
    g_mutex_unlock(&be->lock);
    g_assert_cmpint(fd, >=, 0);
    vu_send(fd, VU_BACKEND_IOTLB_MSG, VU_VERSION | VU_FLAG_NEED_REPLY, &miss,
            sizeof(miss));
    wait_readable(fd);
    read_all(fd, &hdr, sizeof(hdr));
    g_assert_cmpuint(hdr.request, ==, VU_BACKEND_IOTLB_MSG);
    g_assert_cmphex(hdr.flags, ==, VU_VERSION | VU_FLAG_REPLY);
    g_assert_cmpuint(hdr.size, ==, sizeof(ret));
    read_all(fd, &ret, sizeof(ret));
    return ret;
}

/* --- the machine and the virtio device ---------------------------------- */

typedef struct VhostTest {
    QTestState *qts;
    const E500Board *b;
    VuBackend be;
    char *bios;
    char *log;                  /* QEMU's stderr */
    E500Virtio dev;
} VhostTest;

static uint64_t desc_ring(int q)
{
    return RINGS + q * RING_STRIDE;
}

static uint64_t used_ring(int q)
{
    return desc_ring(q) + RING_USED;
}

/* What a guest driver does up to DRIVER_OK, which starts vhost. */
static void driver_ok(VhostTest *t)
{
    int q;

    e500_virtio_negotiate(&t->dev, FEATURES);
    for (q = 0; q < NR_QUEUES; q++) {
        e500_virtio_setup_queue(&t->dev, q, QUEUE_SIZE, desc_ring(q),
                                desc_ring(q) + RING_AVAIL, used_ring(q));
    }
    e500_virtio_set_status(&t->dev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                           VIRTIO_CONFIG_S_DRIVER |
                           VIRTIO_CONFIG_S_FEATURES_OK |
                           VIRTIO_CONFIG_S_DRIVER_OK);
}

static uint64_t pamu_reg(VhostTest *t, uint32_t offset)
{
    return t->b->ccsr + PAMU_CCSR_OFFSET + offset;
}

static uint64_t bypass_reg(VhostTest *t)
{
    return t->b->ccsr + GUTS_CCSR_OFFSET + PAMU_GUTS_PAMUBYPENR;
}

/* Writes the PCI LIODN's PAACE, as the CPU does: the PAMU snoops it. */
static void put_paace(VhostTest *t, const PAMUTestEntry *e)
{
    uint8_t bytes[PAMU_PAACE_WORDS * 4];

    pamu_test_entry_bytes(e, bytes);
    qtest_memwrite(t->qts, PPAACT + PCI_LIODN * PAMU_PAACE_SIZE, bytes,
                   sizeof(bytes));
}

/*
 * Programs the PAMU as Linux's fsl_pamu does at boot: a 64 GiB identity
 * window for the PCI LIODN, the unit enabled.  It stays bypassed.
 */
static void program_pamu(VhostTest *t)
{
    PAMUTestEntry e = pamu_test_identity_entry(3);

    put_paace(t, &e);
    qtest_writel(t->qts, pamu_reg(t, A_PPBAH), 0);
    qtest_writel(t->qts, pamu_reg(t, A_PPBAL), PPAACT);
    qtest_writel(t->qts, pamu_reg(t, A_PPLAH), 0);
    qtest_writel(t->qts, pamu_reg(t, A_PPLAL),
                 PPAACT + PPAACT_ENTRIES * PAMU_PAACE_SIZE);
    qtest_writel(t->qts, pamu_reg(t, A_PC), R_PC_PE_MASK);
}

static void set_bypass(VhostTest *t, bool on)
{
    qtest_writel(t->qts, bypass_reg(t), on ? PAMU_BYPASS_BIT(0) : 0);
    g_assert_cmphex(qtest_readl(t->qts, bypass_reg(t)), ==,
                    on ? PAMU_BYPASS_BIT(0) : 0);
}

/*
 * Starts QEMU with a PAMU and a vhost-user virtio-net on @b, with the
 * PCI memory window, an identity inbound window (PCI [0, 2 GiB) to local
 * [0, 2 GiB)) into the PAMU, and the PAMU programmed but bypassed.
 */
static void start(VhostTest *t, const E500Board *b)
{
    int fd;

    t->b = b;
    t->bios = e500_make_dummy_bios();
    fd = g_file_open_tmp("pamu-vhost-stderr-XXXXXX", &t->log, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    vu_start(&t->be);
    t->qts = qtest_initf("-M %s,memory-backend=ram -m %dM -nodefaults "
                         "-bios %s -device pamu "
                         "-object memory-backend-memfd,id=ram,size=%dM,"
                         "share=on "
                         "-chardev socket,id=vu,path=%s "
                         "-netdev vhost-user,id=net0,chardev=vu "
                         "-device virtio-net-pci,netdev=net0,addr=0x%x,"
                         "disable-legacy=on,iommu_platform=on,romfile= "
                         "2>%s",
                         b->machine, RAM_MB, t->bios, RAM_MB, t->be.path,
                         PCI_SLOT(b->first_devfn), t->log);
    e500_virtio_map(&t->dev, t->qts, b, VIRTIO_ID_NET_MODERN);
    e500_set_inbound_window(t->qts, b, 0, 0, 0, 31);
    program_pamu(t);
}

static void finish(VhostTest *t)
{
    qtest_quit(t->qts);
    vu_stop(&t->be);
    unlink(t->log);
    unlink(t->bios);
    g_free(t->log);
    g_free(t->bios);
}

/* QEMU's stderr so far */
static char *qemu_stderr(VhostTest *t)
{
    char *text = NULL;

    g_assert_true(g_file_get_contents(t->log, &text, NULL, NULL));
    return text;
}

/*
 * IOTLB message @i is a read/write translation of @size bytes at @iova to
 * guest physical @gpa.
 */
static void assert_update_to(VhostTest *t, unsigned i, uint64_t iova,
                             uint64_t size, uint64_t gpa)
{
    struct vhost_iotlb_msg m = vu_iotlb(&t->be, i);

    g_assert_cmpuint(m.type, ==, VHOST_IOTLB_UPDATE);
    g_assert_cmphex(m.iova, ==, iova);
    g_assert_cmphex(m.size, ==, size);
    g_assert_cmphex(m.uaddr, ==, vu_uaddr(&t->be, gpa));
    g_assert_cmpuint(m.perm, ==, VHOST_ACCESS_RW);
}

/* IOTLB message @i is a 4 KiB read/write translation of @iova, identity. */
static void assert_update(VhostTest *t, unsigned i, uint64_t iova)
{
    assert_update_to(t, i, iova & PAGE_MASK_4K, 0x1000, iova & PAGE_MASK_4K);
}

/* IOTLB message @i takes back the translations of [@iova, @iova + @size) */
static void assert_invalidate(VhostTest *t, unsigned i, uint64_t iova,
                              uint64_t size)
{
    struct vhost_iotlb_msg m = vu_iotlb(&t->be, i);

    g_assert_cmpuint(m.type, ==, VHOST_IOTLB_INVALIDATE);
    g_assert_cmphex(m.iova, ==, iova);
    g_assert_cmphex(m.size, ==, size);
}

/* IOTLB message @i takes back every translation: vhost (re)started */
static void assert_flushed(VhostTest *t, unsigned i)
{
    assert_invalidate(t, i, 0, UINT64_MAX);
}

/*
 * vhost started with an empty IOTLB and translated the used rings for the
 * backend, with the PAMU bypassed.
 */
static void assert_started(VhostTest *t, unsigned mem_tables, unsigned first)
{
    int q;

    g_assert_cmpuint(vu_mem_tables(&t->be), ==, mem_tables);
    g_assert_cmpuint(vu_nr_iotlb(&t->be), ==, first + 1 + NR_QUEUES);
    assert_flushed(t, first);
    for (q = 0; q < NR_QUEUES; q++) {
        assert_update(t, first + 1 + q, used_ring(q));
    }
}

/* A miss is answered with a translation through the inbound window. */
static void assert_miss_translated(VhostTest *t, uint64_t iova)
{
    unsigned n = vu_nr_iotlb(&t->be);

    g_assert_cmpuint(vu_iotlb_miss(&t->be, iova), ==, 0);
    g_assert_cmpuint(vu_nr_iotlb(&t->be), ==, n + 1);
    assert_update(t, n, iova);
}

/*
 * Through the PAMU the backend gets what the PAACE maps: the block around
 * the address, cut at the end of the piece of RAM it lands in (the PPAACT
 * at 16 MiB is not RAM to vhost: the PAMU snoops it).
 */
static void assert_miss_through_pamu(VhostTest *t, uint64_t iova,
                                     uint64_t block, uint64_t size,
                                     uint64_t gpa)
{
    unsigned n = vu_nr_iotlb(&t->be);

    g_assert_cmpuint(vu_iotlb_miss(&t->be, iova), ==, 0);
    g_assert_cmpuint(vu_nr_iotlb(&t->be), ==, n + 1);
    assert_update_to(t, n, block, size, gpa);
}

/* Whether message @from or a later one takes back [@iova, @iova + @size) */
static bool invalidated_since(VhostTest *t, unsigned from, uint64_t iova,
                              uint64_t size)
{
    unsigned i;

    for (i = from; i < vu_nr_iotlb(&t->be); i++) {
        struct vhost_iotlb_msg m = vu_iotlb(&t->be, i);

        if (m.type == VHOST_IOTLB_INVALIDATE && m.iova <= iova &&
            m.iova + m.size >= iova + size) {
            return true;
        }
    }
    return false;
}

/* --- the cases ---------------------------------------------------------- */

#define MIB                 0x100000ULL
#define INBOUND_SIZE        0x80000000ULL   /* the inbound window: 2 GiB */

/*
 * vhost started behind the PAMU in use, which translates with the
 * PAACE's 64 GiB identity window: the backend starts empty (the PAMU and
 * vhost flush it), then gets the used rings, in the piece of RAM below
 * the PPAACT.
 */
static void assert_started_through_pamu(VhostTest *t, unsigned first)
{
    int q;

    g_assert_cmpuint(vu_nr_iotlb(&t->be), ==, first + 2 + NR_QUEUES);
    assert_invalidate(t, first, 0, INBOUND_SIZE);
    assert_flushed(t, first + 1);
    for (q = 0; q < NR_QUEUES; q++) {
        assert_update_to(t, first + 2 + q, 0, 16 * MIB, 0);
    }
}

/*
 * The guest took the PAMU into use before the device's driver started it,
 * as Linux does: vhost starts and translates through the PAACE, below and
 * above the PPAACT.  When the guest rewrites the PAACE, the backend loses
 * what it holds and its next miss gets the new translation.
 */
static void test_translates(const void *data)
{
    /* IOVA [0, 64 MiB) to RAM [64 MiB, 128 MiB) */
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW, .wse = 25,
                        .atm = PAMU_ATM_WINDOW, .twba = 64 * MIB };
    g_autofree char *said = NULL;
    unsigned n;
    VhostTest t;

    start(&t, data);
    set_bypass(&t, false);
    driver_ok(&t);
    said = qemu_stderr(&t);
    g_assert_null(strstr(said, "vhost"));
    g_assert_cmpuint(vu_mem_tables(&t.be), ==, 1);
    assert_started_through_pamu(&t, 0);
    assert_miss_through_pamu(&t, desc_ring(1), 0, 16 * MIB, 0);
    /*
     * Above the PPAACT: the largest block of the window around the address
     * that lies in that piece of RAM, not the piece below the PPAACT, where
     * the window starts.
     */
    assert_miss_through_pamu(&t, 40 * MIB, 32 * MIB, 32 * MIB, 32 * MIB);
    assert_miss_through_pamu(&t, 16 * MIB + 0x20000, 16 * MIB + 0x20000,
                             0x20000, 16 * MIB + 0x20000);

    n = vu_nr_iotlb(&t.be);
    put_paace(&t, &e);
    g_assert_true(invalidated_since(&t, n, 0, 16 * MIB));
    g_assert_true(invalidated_since(&t, n, 32 * MIB, 32 * MIB));
    assert_miss_through_pamu(&t, desc_ring(0), 0, 64 * MIB, 64 * MIB);
    finish(&t);
}

/*
 * The driver stops the device, the guest rewrites the PAACE meanwhile, and
 * the driver starts the device again: nothing told the stopped vhost of
 * the rewrite, so the backend starts empty again and translates the new
 * way.
 */
static void test_restart(const void *data)
{
    /* IOVA [0, 64 MiB) to RAM [64 MiB, 128 MiB) */
    PAMUTestEntry e = { .v = true, .ap = PAMU_AP_RW, .wse = 25,
                        .atm = PAMU_ATM_WINDOW, .twba = 64 * MIB };
    unsigned n;
    VhostTest t;

    start(&t, data);
    set_bypass(&t, false);
    driver_ok(&t);
    assert_started_through_pamu(&t, 0);
    assert_miss_through_pamu(&t, desc_ring(0), 0, 16 * MIB, 0);

    e500_virtio_set_status(&t.dev, 0);
    n = vu_nr_iotlb(&t.be);
    put_paace(&t, &e);
    g_assert_cmpuint(vu_nr_iotlb(&t.be), ==, n);
    driver_ok(&t);
    g_assert_cmpuint(vu_nr_iotlb(&t.be), >, n + 1);
    assert_flushed(&t, n + 1);
    assert_miss_through_pamu(&t, desc_ring(0), 0, 64 * MIB, 64 * MIB);
    finish(&t);
}

/*
 * vhost was started while the PAMU was bypassed; then the guest takes the
 * PAMU into use, and later bypasses it again.  Each time the backend loses
 * what it holds, and translates the new way from then on.
 */
static void test_pamu_comes_and_goes(const void *data)
{
    unsigned n;
    VhostTest t;

    start(&t, data);
    driver_ok(&t);
    assert_started(&t, 1, 0);
    assert_miss_translated(&t, desc_ring(0));

    n = vu_nr_iotlb(&t.be);
    set_bypass(&t, false);
    g_assert_cmpuint(vu_nr_iotlb(&t.be), ==, n + 1);
    assert_invalidate(&t, n, 0, INBOUND_SIZE);
    assert_miss_through_pamu(&t, desc_ring(0), 0, 16 * MIB, 0);

    n = vu_nr_iotlb(&t.be);
    set_bypass(&t, true);
    g_assert_true(invalidated_since(&t, n, 0, INBOUND_SIZE));
    assert_miss_translated(&t, desc_ring(1));
    finish(&t);
}

int main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    if (!qtest_has_device("pamu") || !qtest_has_device("virtio-net-pci")) {
        g_test_skip("needs the pamu and virtio-net-pci devices");
        return g_test_run();
    }
    for (i = 0; i < e500_nr_boards; i++) {
        const E500Board *b = &e500_boards[i];
        g_autofree char *path = NULL;

        if (!qtest_has_machine(b->machine)) {
            continue;
        }
        path = g_strdup_printf("pamu-vhost/translates/%s", b->machine);
        qtest_add_data_func(path, b, test_translates);
        g_free(path);
        path = g_strdup_printf("pamu-vhost/pamu-comes-and-goes/%s",
                               b->machine);
        qtest_add_data_func(path, b, test_pamu_comes_and_goes);
        g_free(path);
        path = g_strdup_printf("pamu-vhost/restart/%s", b->machine);
        qtest_add_data_func(path, b, test_restart);
    }
    return g_test_run();
}
