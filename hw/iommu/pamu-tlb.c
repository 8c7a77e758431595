/*
 * Freescale/NXP PAMU: the translations of one LIODN, remembered
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/iommu/pamu-tlb.h"

void pamu_tlb_init(PAMUTlb *tlb)
{
    memset(tlb, 0, sizeof(*tlb));
    seqlock_init(&tlb->seq);
    qemu_spin_init(&tlb->lock);
}

void pamu_tlb_entry_result(const PAMUTlbEntry *e, PAMUWalkResult *res)
{
    *res = (PAMUWalkResult) {
        .status = e->bypass ? PAMU_WALK_BYPASS : PAMU_WALK_OK,
        .subwindow = e->subwindow,
        .iova = e->iova,
        .xlat = e->xlat,
        .size_log2 = e->size_log2,
        .perm = e->perm,
    };
}

bool pamu_tlb_lookup(PAMUTlb *tlb, uint64_t gen, uint64_t addr,
                     PAMUAccess access, PAMUWalkResult *res)
{
    PAMUTlbEntry hit;

    if (!pamu_tlb_find(tlb, gen, addr, access, &hit)) {
        return false;
    }
    pamu_tlb_entry_result(&hit, res);
    return true;
}

void pamu_tlb_insert(PAMUTlb *tlb, uint64_t gen, const PAMUWalkResult *res)
{
    PAMUTlbEntry e = {
        .gen = gen,
        .iova = res->iova,
        .xlat = res->xlat,
        .size_log2 = res->size_log2,
        .perm = res->perm,
        .bypass = res->status == PAMU_WALK_BYPASS,
        .subwindow = res->subwindow,
    };
    unsigned i, victim;

    if (res->status == PAMU_WALK_VIOLATION || !gen) {
        return;
    }
    qemu_spin_lock(&tlb->lock);
    /* an entry of an older generation is as good as empty */
    victim = tlb->next;
    for (i = 0; i < PAMU_TLB_ENTRIES; i++) {
        if (tlb->e[i].gen != gen) {
            victim = i;
            break;
        }
    }
    if (i == PAMU_TLB_ENTRIES) {
        tlb->next = (tlb->next + 1) % PAMU_TLB_ENTRIES;
    }
    seqlock_write_begin(&tlb->seq);
    tlb->e[victim] = e;
    seqlock_write_end(&tlb->seq);
    qemu_spin_unlock(&tlb->lock);
}

void pamu_tlb_flush(PAMUTlb *tlb)
{
    qemu_spin_lock(&tlb->lock);
    seqlock_write_begin(&tlb->seq);
    memset(tlb->e, 0, sizeof(tlb->e));
    seqlock_write_end(&tlb->seq);
    qemu_spin_unlock(&tlb->lock);
}
