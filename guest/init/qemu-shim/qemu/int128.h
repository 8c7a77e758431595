/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 128-bit arithmetic as far as the planner's page-range helper needs it,
 * written for targets without __int128 (32-bit powerpc).
 */

#ifndef PAMU_GUEST_SHIM_INT128_H
#define PAMU_GUEST_SHIM_INT128_H

#include <stdbool.h>
#include <stdint.h>

typedef struct Int128 {
    uint64_t lo;
    int64_t hi;
} Int128;

static inline Int128 int128_make64(uint64_t v)
{
    return (Int128) { v, 0 };
}

static inline Int128 int128_exts64(int64_t v)
{
    return (Int128) { (uint64_t)v, v < 0 ? -1 : 0 };
}

static inline Int128 int128_one(void)
{
    return int128_make64(1);
}

static inline Int128 int128_add(Int128 a, Int128 b)
{
    uint64_t lo = a.lo + b.lo;

    return (Int128) { lo, a.hi + b.hi + (lo < a.lo) };
}

static inline Int128 int128_sub(Int128 a, Int128 b)
{
    return (Int128) { a.lo - b.lo, a.hi - b.hi - (a.lo < b.lo) };
}

static inline Int128 int128_and(Int128 a, Int128 b)
{
    return (Int128) { a.lo & b.lo, a.hi & b.hi };
}

static inline bool int128_ge(Int128 a, Int128 b)
{
    return a.hi > b.hi || (a.hi == b.hi && a.lo >= b.lo);
}

static inline uint64_t int128_get64(Int128 a)
{
    return a.lo;
}

#endif /* PAMU_GUEST_SHIM_INT128_H */
