/*
 * Freescale/NXP PAMU: IOMMU notifications
 *
 * vfio and vhost keep a device's translations outside QEMU and need to be
 * told when one appears or goes away.  The PAMU has no invalidation
 * command, but the model sees every change of its tables (pamu-snoop.c)
 * and registers, so after each one it works out what each LIODN with a
 * notifier maps in guest RAM and sends UNMAP for what went away and MAP
 * for what came.  What a LIODN maps is cut into naturally aligned,
 * power-of-two chunks, since that is the unit of a notification; what
 * MAP notifiers were told is remembered so that UNMAP undoes exactly it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/host-utils.h"
#include "qemu/log.h"
#include "qapi/error.h"
#include "hw/iommu/pamu.h"
#include "trace.h"

/* A naturally aligned block of RAM that a LIODN maps. */
typedef struct PAMUChunk {
    uint64_t iova;
    uint64_t xlat;
    uint8_t log2;               /* the chunk is 2^log2 bytes */
    uint8_t perm;               /* PAMU_ACCESS_ bits */
} PAMUChunk;

/*
 * A guest can only get more by translating to bases aligned to less than
 * their window; Linux aligns them.  Past this, the rest is not mirrored
 * (and so not reachable by the device).
 */
#define PAMU_MAX_CHUNKS         4096

/*
 * Guest RAM as the device sees it: RAM minus the snoop windows over the
 * tables, which are MMIO to vfio and vhost.  At most one piece more than
 * there are windows.
 */
typedef struct PAMURamPiece {
    uint64_t base, last;                /* the last byte inclusive */
} PAMURamPiece;

typedef struct PAMUChunker {
    GArray *chunks;
    PAMURamPiece ram[PAMU_MAX_SNOOPS + 1];
    unsigned nr_ram;
    bool full;
} PAMUChunker;

static void pamu_ram_pieces(PAMUState *s, PAMUChunker *c)
{
    uint64_t base = s->ram->addr;
    uint64_t last = s->ram->addr + memory_region_size(s->ram) - 1;
    unsigned i;

    /* the windows are sorted, disjoint and inside RAM */
    for (i = 0; i < s->nr_snoops; i++) {
        MemoryRegion *mr = &s->snoops[i].mr;

        if (mr->addr > base) {
            c->ram[c->nr_ram++] = (PAMURamPiece) { base, mr->addr - 1 };
        }
        base = mr->addr + memory_region_size(mr);
    }
    if (base <= last) {
        c->ram[c->nr_ram++] = (PAMURamPiece) { base, last };
    }
}

/* Cuts the part of @r that lands in the RAM piece @ram into chunks. */
static void pamu_chunk_piece(PAMUChunker *c, const PAMURegion *r,
                             const PAMURamPiece *ram)
{
    uint64_t last, lo, hi, iova, xlat, left;

    last = r->size_log2 >= 64 ? UINT64_MAX :
           r->xlat + ((1ULL << r->size_log2) - 1);
    lo = MAX(r->xlat, ram->base);
    hi = MIN(last, ram->last);
    if (lo > hi) {
        return;
    }
    iova = r->iova + (lo - r->xlat);
    xlat = lo;
    left = hi - lo + 1;         /* at most the size of RAM: no overflow */
    while (left) {
        unsigned log2 = MIN(ctz64(iova | xlat), 63 - clz64(left));
        PAMUChunk chunk = { iova, xlat, log2, r->perm };

        if (c->chunks->len == PAMU_MAX_CHUNKS) {
            c->full = true;
            return;
        }
        g_array_append_val(c->chunks, chunk);
        iova += 1ULL << log2;
        xlat += 1ULL << log2;
        left -= 1ULL << log2;
    }
}

static void pamu_chunk_region(void *opaque, const PAMURegion *r)
{
    PAMUChunker *c = opaque;
    unsigned i;

    for (i = 0; i < c->nr_ram && r->perm && !c->full; i++) {
        pamu_chunk_piece(c, r, &c->ram[i]);
    }
}

/* What @sp maps now, in ascending IOVA order. */
static GArray *pamu_space_chunks(PAMULiodnSpace *sp)
{
    PAMUState *s = sp->pamu;
    PAMUChunker c = {
        .chunks = g_array_new(false, false, sizeof(PAMUChunk)),
    };

    pamu_ram_pieces(s, &c);
    pamu_regions(s, sp->unit, sp->liodn, pamu_chunk_region, &c);
    if (c.full) {
        qemu_log_mask(LOG_GUEST_ERROR, "pamu: LIODN %u maps RAM in more than "
                      "%d aligned blocks (translated bases aligned to less "
                      "than their windows); IOMMU notifiers see only the "
                      "first ones\n", sp->liodn, PAMU_MAX_CHUNKS);
    }
    return c.chunks;
}

/*
 * Tells @n about @c, cut to the part of the IOMMU region @n watches (the
 * memory core insists that an event lies inside it): halves of a chunk
 * that straddles an end are sent on their own.
 */
static void pamu_notify_one(PAMULiodnSpace *sp, IOMMUNotifier *n,
                            const PAMUChunk *c, IOMMUNotifierFlag type)
{
    uint64_t last = c->iova + ((1ULL << c->log2) - 1);
    bool map = type == IOMMU_NOTIFIER_MAP;
    IOMMUTLBEvent ev;

    if (last < n->start || c->iova > n->end) {
        return;
    }
    if ((c->iova < n->start || last > n->end) && c->log2 > 0) {
        PAMUChunk half = { c->iova, c->xlat, c->log2 - 1, c->perm };

        pamu_notify_one(sp, n, &half, type);
        half.iova += 1ULL << half.log2;
        half.xlat += 1ULL << half.log2;
        pamu_notify_one(sp, n, &half, type);
        return;
    }
    ev = (IOMMUTLBEvent) {
        .type = type,
        .entry = {
            .target_as = sp->pamu->dma_as,
            .iova = c->iova,
            .translated_addr = c->xlat,
            .addr_mask = (1ULL << c->log2) - 1,
            .perm = map ? IOMMU_ACCESS_FLAG(c->perm & PAMU_ACCESS_READ,
                                            c->perm & PAMU_ACCESS_WRITE) :
                          IOMMU_NONE,
        },
    };
    memory_region_notify_iommu_one(n, &ev);
    if (type == IOMMU_NOTIFIER_UNMAP) {
        /* for device IOTLBs, as vhost keeps them with ATS */
        ev.type = IOMMU_NOTIFIER_DEVIOTLB_UNMAP;
        memory_region_notify_iommu_one(n, &ev);
    }
}

/* Tells the notifiers of @sp that want it (all, or UNMAP-only ones). */
static void pamu_send(PAMULiodnSpace *sp, const PAMUChunk *c,
                      IOMMUNotifierFlag type, bool unmap_only)
{
    IOMMUNotifier *n;

    trace_pamu_notify(sp->liodn, type == IOMMU_NOTIFIER_MAP ? "map" :
                      "unmap", c->iova, c->xlat, c->log2, c->perm);
    IOMMU_NOTIFIER_FOREACH(n, &sp->iommu) {
        if (n->iommu_idx == 0 &&
            (!unmap_only || !(n->notifier_flags & IOMMU_NOTIFIER_MAP))) {
            pamu_notify_one(sp, n, c, type);
        }
    }
}

/*
 * Drops every translation the notifiers kept, as when the PAMU comes
 * into or leaves the path of the LIODN's DMA (PAMUBYPENR): before, it did
 * not translate, after, it does not any more.
 */
static void pamu_flush(PAMULiodnSpace *sp, bool unmap_only)
{
    PAMUChunk half = { .log2 = 63 };

    pamu_send(sp, &half, IOMMU_NOTIFIER_UNMAP, unmap_only);
    half.iova = half.xlat = 1ULL << 63;
    pamu_send(sp, &half, IOMMU_NOTIFIER_UNMAP, unmap_only);
}

static bool pamu_same_chunk(const PAMUChunk *a, const PAMUChunk *b)
{
    return a->iova == b->iova && a->xlat == b->xlat && a->log2 == b->log2 &&
           a->perm == b->perm;
}

/* Sends @type for each chunk of @from that is not in @other. */
static void pamu_send_difference(PAMULiodnSpace *sp, GArray *from,
                                 GArray *other, IOMMUNotifierFlag type)
{
    guint i, j = 0;

    for (i = 0; i < from->len; i++) {
        const PAMUChunk *c = &g_array_index(from, PAMUChunk, i);

        /* both are sorted by IOVA and their chunks do not overlap */
        while (j < other->len &&
               g_array_index(other, PAMUChunk, j).iova < c->iova) {
            j++;
        }
        if (j == other->len ||
            !pamu_same_chunk(c, &g_array_index(other, PAMUChunk, j))) {
            pamu_send(sp, c, type, false);
        }
    }
}

static void pamu_notify_space(PAMULiodnSpace *sp)
{
    GArray *now = pamu_space_chunks(sp);

    /* what went away first, so that a range is free when it is mapped */
    pamu_send_difference(sp, sp->mapped, now, IOMMU_NOTIFIER_UNMAP);
    pamu_send_difference(sp, now, sp->mapped, IOMMU_NOTIFIER_MAP);
    g_array_unref(sp->mapped);
    sp->mapped = now;
}

void pamu_notify_unit(PAMUState *s, unsigned unit)
{
    GHashTableIter iter;
    PAMULiodnSpace *sp;

    g_hash_table_iter_init(&iter, s->spaces);
    while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&sp)) {
        if (sp->unit == unit && sp->notifier_flags != IOMMU_NOTIFIER_NONE) {
            pamu_notify_space(sp);
        }
    }
}

/*
 * A notifier user starts from what is mapped now: vfio asks for it with
 * replay(), vhost translates on its own misses.
 */
int pamu_notify_flag_changed(IOMMUMemoryRegion *iommu, IOMMUNotifierFlag old,
                             IOMMUNotifierFlag new, Error **errp)
{
    PAMULiodnSpace *sp = container_of(iommu, PAMULiodnSpace, iommu);

    if (new != IOMMU_NOTIFIER_NONE && !sp->pamu->ram) {
        error_setg(errp, "pamu: LIODN %u: this machine does not let the "
                   "PAMU snoop its tables in RAM, so it cannot notify "
                   "mapping changes", sp->liodn);
        return -EINVAL;
    }
    sp->notifier_flags = new;
    if (sp->mapped) {
        g_array_unref(sp->mapped);
        sp->mapped = NULL;
    }
    if (new == IOMMU_NOTIFIER_NONE) {
        return 0;
    }
    sp->mapped = pamu_space_chunks(sp);
    /*
     * A device IOTLB (vhost) may hold what it got while the PAMU was
     * bypassed; vfio starts empty and asks for a replay.
     */
    if (old == IOMMU_NOTIFIER_NONE) {
        pamu_flush(sp, true);
    }
    return 0;
}

void pamu_notify_bypass(PAMUState *s, unsigned unit)
{
    GHashTableIter iter;
    PAMULiodnSpace *sp;

    g_hash_table_iter_init(&iter, s->spaces);
    while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&sp)) {
        if (sp->unit == unit && sp->notifier_flags != IOMMU_NOTIFIER_NONE) {
            pamu_flush(sp, false);
            g_array_set_size(sp->mapped, 0);
        }
    }
}

void pamu_replay(IOMMUMemoryRegion *iommu, IOMMUNotifier *n)
{
    PAMULiodnSpace *sp = container_of(iommu, PAMULiodnSpace, iommu);
    g_autoptr(GArray) now = NULL;
    guint i;

    if (!(n->notifier_flags & IOMMU_NOTIFIER_MAP) || !sp->pamu->ram) {
        return;
    }
    now = pamu_space_chunks(sp);
    for (i = 0; i < now->len; i++) {
        pamu_notify_one(sp, n, &g_array_index(now, PAMUChunk, i),
                        IOMMU_NOTIFIER_MAP);
    }
}
