/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The part of QEMU's qemu/range.h that the planner uses */

#ifndef PAMU_GUEST_SHIM_RANGE_H
#define PAMU_GUEST_SHIM_RANGE_H

#include <stdbool.h>
#include <stdint.h>

/* Whether [first1, first1 + len1) and [first2, first2 + len2) overlap */
static inline bool ranges_overlap(uint64_t first1, uint64_t len1,
                                  uint64_t first2, uint64_t len2)
{
    uint64_t last1 = first1 + len1 - 1, last2 = first2 + len2 - 1;

    return !(last2 < first1 || last1 < first2);
}

#endif /* PAMU_GUEST_SHIM_RANGE_H */
