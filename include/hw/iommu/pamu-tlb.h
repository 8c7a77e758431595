/*
 * Freescale/NXP PAMU: the translations of one LIODN, remembered
 *
 * Silicon caches PAACEs and SPAACEs and keeps the copies coherent by
 * snooping writes to the tables.  The model remembers the result of a
 * walk instead, tagged with the generation of its unit's tables: every
 * write that can change a walk (a snooped table write, a register write)
 * starts a new generation, and entries of an older one never hit.
 *
 * Free of QOM so that it can be unit tested and benchmarked alone.
 * Lookups take no lock and may run in any thread; inserts may too.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_IOMMU_PAMU_TLB_H
#define HW_IOMMU_PAMU_TLB_H

#include "qemu/seqlock.h"
#include "qemu/thread.h"
#include "hw/iommu/pamu-walk.h"

/* One walk that passed: BYPASS or OK, with the block it covers. */
typedef struct PAMUTlbEntry {
    uint64_t gen;               /* table generation; 0: the slot is empty */
    uint64_t iova;              /* start of the naturally aligned block */
    uint64_t xlat;              /* where the block lands */
    uint8_t size_log2;          /* the block is 2^size_log2 bytes */
    uint8_t perm;               /* PAMU_ACCESS_ bits allowed */
    bool bypass;                /* the unit was bypassed */
    int32_t subwindow;          /* as PAMUWalkResult.subwindow */
} PAMUTlbEntry;

/* Linux maps one window per LIODN; vfio maps a few subwindows. */
#define PAMU_TLB_ENTRIES        8

typedef struct PAMUTlb {
    QemuSeqLock seq;            /* lookups retry while an insert runs */
    QemuSpin lock;              /* serialises inserts */
    unsigned next;              /* round-robin victim */
    PAMUTlbEntry e[PAMU_TLB_ENTRIES];
} PAMUTlb;

void pamu_tlb_init(PAMUTlb *tlb);

static inline bool pamu_tlb_covers(const PAMUTlbEntry *e, uint64_t gen,
                                   uint64_t addr, PAMUAccess access)
{
    uint64_t offset = addr - e->iova;

    return e->gen == gen &&
           (e->size_log2 >= 64 || offset >> e->size_log2 == 0) &&
           (access & ~e->perm) == 0;
}

/*
 * Copies to @hit the translation of generation @gen that covers @addr and
 * allows @access, if there is one.  Inline because on most DMA pages this
 * is all the PAMU costs: out of line, @hit went through memory and its
 * caller stalled on reading it back.
 */
static inline bool pamu_tlb_find(PAMUTlb *tlb, uint64_t gen, uint64_t addr,
                                 PAMUAccess access, PAMUTlbEntry *hit)
{
    unsigned start, i;
    bool found;

    do {
        start = seqlock_read_begin(&tlb->seq);
        found = false;
        for (i = 0; i < PAMU_TLB_ENTRIES && !found; i++) {
            found = pamu_tlb_covers(&tlb->e[i], gen, addr, access);
            if (found) {
                *hit = tlb->e[i];
            }
        }
    } while (seqlock_read_retry(&tlb->seq, start));
    return found;
}

/* What pamu_walk() answered when it gave the remembered @e */
void pamu_tlb_entry_result(const PAMUTlbEntry *e, PAMUWalkResult *res);

/* pamu_tlb_find(), answered as pamu_walk() would have */
bool pamu_tlb_lookup(PAMUTlb *tlb, uint64_t gen, uint64_t addr,
                     PAMUAccess access, PAMUWalkResult *res);

/*
 * Remembers @res, a walk that started at generation @gen; violations are
 * not remembered, since each one must be checked and latched.
 */
void pamu_tlb_insert(PAMUTlb *tlb, uint64_t gen, const PAMUWalkResult *res);

/* Forgets everything (the next generation does too, but at once). */
void pamu_tlb_flush(PAMUTlb *tlb);

#endif
