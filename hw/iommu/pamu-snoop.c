/*
 * Freescale/NXP PAMU: snooping writes to the tables
 *
 * Linux rewrites PAACEs and SPAACEs in memory and never tells the PAMU;
 * silicon keeps its entry caches coherent by snooping those writes.  The
 * model does the same: a window of MMIO over each part of a table that
 * lies in guest RAM sees every write there, by a CPU or by any device's
 * DMA, passes it on to RAM and starts a new generation of the unit's
 * tables before the write completes.  Remembered walks (pamu-tlb.h) of an
 * older generation are never used again.
 *
 * The price is paid by accesses to the table bytes themselves: they go
 * through a callback instead of straight to RAM.  Software touches its
 * tables when it sets up or tears down a device's DMA, not per transfer.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/iommu/pamu.h"
#include "trace.h"

/* A byte range [base, end) of guest physical memory. */
typedef struct PAMURange {
    uint64_t base, end;
} PAMURange;

/*
 * Called before and after a write of @len bytes at @addr: a generation
 * before and after (see pamu_check_hit()), and the notifications once the
 * write is done.
 */
static void pamu_tables_written(PAMUState *s, uint64_t addr, unsigned len,
                                bool done)
{
    PAMUWalkRegs r;
    unsigned unit;

    for (unit = 0; unit < s->num_units; unit++) {
        pamu_unit_walk_regs(s, unit, &r);
        if ((addr < r.ppla && addr + len > r.ppba) ||
            (addr < r.spla && addr + len > r.spba)) {
            if (done) {
                trace_pamu_table_write(unit, addr, len);
            }
            pamu_new_generation(s, unit);
            if (done) {
                pamu_notify_unit(s, unit);
            }
        }
    }
}

static uint64_t pamu_snoop_addr(PAMUSnoop *p, hwaddr offset)
{
    return p->mr.addr + offset;
}

static MemTxResult pamu_snoop_read(void *opaque, hwaddr offset,
                                   uint64_t *data, unsigned size,
                                   MemTxAttrs attrs)
{
    PAMUSnoop *p = opaque;
    uint8_t buf[8];
    MemTxResult r;

    r = address_space_read(&p->s->table_as, pamu_snoop_addr(p, offset),
                           attrs, buf, size);
    *data = ldn_be_p(buf, size);
    return r;
}

static MemTxResult pamu_snoop_write(void *opaque, hwaddr offset,
                                    uint64_t data, unsigned size,
                                    MemTxAttrs attrs)
{
    PAMUSnoop *p = opaque;
    uint64_t addr = pamu_snoop_addr(p, offset);
    uint8_t buf[8];
    MemTxResult r;

    stn_be_p(buf, size, data);
    pamu_tables_written(p->s, addr, size, false);
    r = address_space_write(&p->s->table_as, addr, attrs, buf, size);
    pamu_tables_written(p->s, addr, size, true);
    return r;
}

/* Big-endian in and out: the bytes reach RAM in the order they came. */
static const MemoryRegionOps pamu_snoop_ops = {
    .read_with_attrs = pamu_snoop_read,
    .write_with_attrs = pamu_snoop_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

/* Appends [@base, @end) clipped to @ram to @r, if anything is left. */
static void pamu_add_range(PAMURange *r, unsigned *n, uint64_t base,
                           uint64_t end, const PAMURange *ram)
{
    base = MAX(base, ram->base);
    end = MIN(end, ram->end);
    if (base < end) {
        r[(*n)++] = (PAMURange) { base, end };
    }
}

static int pamu_range_cmp(const void *a, const void *b)
{
    const PAMURange *x = a, *y = b;

    return x->base < y->base ? -1 : x->base > y->base;
}

/*
 * The table bytes in RAM that a walk of any unit may read, as few sorted,
 * disjoint ranges.  A PPAACT longer than max-liodn entries is only read
 * up to that many.
 */
static unsigned pamu_snoop_ranges(PAMUState *s, PAMURange *r)
{
    PAMURange ram = {
        .base = s->ram->addr,
        .end = s->ram->addr + memory_region_size(s->ram),
    };
    uint64_t ppaact_max = ((uint64_t)s->max_liodn + 1) * PAMU_PAACE_SIZE;
    PAMUWalkRegs regs;
    unsigned unit, n = 0, i, merged = 0;

    for (unit = 0; unit < s->num_units; unit++) {
        pamu_unit_walk_regs(s, unit, &regs);
        if (regs.ppla > regs.ppba && regs.ppla - regs.ppba > ppaact_max) {
            regs.ppla = regs.ppba + ppaact_max;
        }
        pamu_add_range(r, &n, regs.ppba, regs.ppla, &ram);
        pamu_add_range(r, &n, regs.spba, regs.spla, &ram);
    }
    qsort(r, n, sizeof(*r), pamu_range_cmp);
    for (i = 0; i < n; i++) {
        if (merged && r[i].base <= r[merged - 1].end) {
            r[merged - 1].end = MAX(r[merged - 1].end, r[i].end);
        } else {
            r[merged++] = r[i];
        }
    }
    return merged;
}

/* Whether window @mr is enabled and covers exactly @r. */
static bool pamu_snoop_covers(MemoryRegion *mr, const PAMURange *r)
{
    return mr->enabled && mr->addr == r->base &&
           memory_region_size(mr) == r->end - r->base;
}

/*
 * Moves the windows onto the table bytes.  Windows already in place are
 * left alone: every change costs a rebuild of every address space's
 * memory map, and a guest (or a fuzzer) writes the table registers far
 * more often than it moves a table.  Returns whether a window changed.
 */
bool pamu_snoop_update(PAMUState *s)
{
    PAMURange r[PAMU_MAX_SNOOPS];
    unsigned n, i;
    bool changed = false;

    if (!s->ram) {
        return false;
    }
    n = pamu_snoop_ranges(s, r);
    memory_region_transaction_begin();
    for (i = 0; i < PAMU_MAX_SNOOPS; i++) {
        MemoryRegion *mr = &s->snoops[i].mr;

        if (i < n && pamu_snoop_covers(mr, &r[i])) {
            continue;
        }
        changed |= mr->enabled || i < n;
        if (i < n) {
            trace_pamu_snoop(i, r[i].base, r[i].end);
            memory_region_set_enabled(mr, false);
            memory_region_set_size(mr, r[i].end - r[i].base);
            memory_region_set_address(mr, r[i].base);
        }
        memory_region_set_enabled(mr, i < n);
    }
    s->nr_snoops = n;
    memory_region_transaction_commit();
    return changed;
}

/*
 * The windows exist from realize on, disabled, and only move, so that no
 * memory region is ever freed under a running access.
 */
void pamu_snoop_realize(PAMUState *s)
{
    unsigned i;

    if (!s->ram) {
        return;
    }
    for (i = 0; i < PAMU_MAX_SNOOPS; i++) {
        PAMUSnoop *p = &s->snoops[i];

        p->s = s;
        memory_region_init_io(&p->mr, OBJECT(s), &pamu_snoop_ops, p,
                              "pamu-table-snoop", 1);
        memory_region_set_enabled(&p->mr, false);
        /* above the RAM, below nothing else that could sit there */
        memory_region_add_subregion_overlap(s->memory, 0, &p->mr, 1);
    }
}

void pamu_snoop_unrealize(PAMUState *s)
{
    unsigned i;

    if (!s->ram) {
        return;
    }
    for (i = 0; i < PAMU_MAX_SNOOPS; i++) {
        memory_region_del_subregion(s->memory, &s->snoops[i].mr);
        object_unparent(OBJECT(&s->snoops[i].mr));
    }
}
