/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The few parts of QEMU's qemu/osdep.h (and of GLib) that
 * hw/vfio/fsl-pamu-plan.c uses, so that the guest's static test program
 * can compile the project's planner unchanged.  Not QEMU's code.
 */

#ifndef PAMU_GUEST_SHIM_OSDEP_H
#define PAMU_GUEST_SHIM_OSDEP_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef MIN
#define MIN(a, b)   ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b)   ((a) > (b) ? (a) : (b))
#endif

#define g_assert(expr)  assert(expr)

/* A growable array of fixed-size elements, as far as the planner needs */
typedef struct GArray {
    char *data;
    unsigned len;
    size_t elt_size;
    unsigned cap;
} GArray;

static inline GArray *g_array_new_sized(size_t elt_size)
{
    GArray *a = calloc(1, sizeof(*a));

    if (a) {
        a->elt_size = elt_size;
    }
    return a;
}

static inline void g_array_push(GArray *a, const void *elt)
{
    if (a->len == a->cap) {
        unsigned cap = a->cap ? a->cap * 2 : 8;
        char *d = realloc(a->data, cap * a->elt_size);

        if (!d) {
            abort();
        }
        a->data = d;
        a->cap = cap;
    }
    memcpy(a->data + a->len++ * a->elt_size, elt, a->elt_size);
}

static inline void g_array_free_all(GArray *a)
{
    free(a->data);
    free(a);
}

#define g_array_append_val(a, v)    g_array_push((a), &(v))
#define g_array_index(a, t, i)      (((t *)(void *)(a)->data)[i])

#endif /* PAMU_GUEST_SHIM_OSDEP_H */
