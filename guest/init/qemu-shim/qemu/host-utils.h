/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bit helpers of QEMU's qemu/host-utils.h that the planner uses */

#ifndef PAMU_GUEST_SHIM_HOST_UTILS_H
#define PAMU_GUEST_SHIM_HOST_UTILS_H

#include <stdbool.h>
#include <stdint.h>

static inline int ctz64(uint64_t v)
{
    return v ? __builtin_ctzll(v) : 64;
}

static inline bool is_power_of_2(uint64_t v)
{
    return v && !(v & (v - 1));
}

/* The largest power of two not above @v (0 for 0) */
static inline uint64_t pow2floor(uint64_t v)
{
    return v ? 1ULL << (63 - __builtin_clzll(v)) : 0;
}

/* The smallest power of two not below @v (0 if there is none) */
static inline uint64_t pow2ceil(uint64_t v)
{
    uint64_t f = pow2floor(v);

    if (v <= 1) {
        return 1;
    }
    return f == v ? v : f << 1;
}

#endif /* PAMU_GUEST_SHIM_HOST_UTILS_H */
