/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Known sanitizer findings for project/test --sanitize, which builds this
 * with the sanitizer build's flags and checks that each one reaches the
 * logs and gets the verdict it should from project/sanitizer-reports.py:
 * a judge that never fails would otherwise look exactly like clean code.
 *
 *   canary heap-overflow | shift | leak
 *
 * "leak" loses one allocation made by canary_project_alloc(), which the
 * test compiles from a path under hw/iommu/ (project code), and one made
 * here (QEMU's own code, as far as the judge is concerned).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *canary_project_alloc(size_t size);

/* volatile: the compiler must not drop the stores that lose the blocks */
static void * volatile sink;

static void *__attribute__((noinline)) canary_other_alloc(size_t size)
{
    return malloc(size);
}

static int heap_overflow(void)
{
    char *p = malloc(16);
    /* volatile: an index the compiler cannot see is out of bounds */
    volatile int i = 16;

    p[i] = 1;
    free(p);
    return 0;
}

static int shift(int amount)
{
    /* volatile: keeps the shift from being folded at compile time */
    volatile int one = 1;

    return one << amount;
}

static int leak(void)
{
    sink = canary_project_alloc(24);
    sink = canary_other_alloc(40);
    sink = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "heap-overflow")) {
        return heap_overflow();
    }
    if (argc == 2 && !strcmp(argv[1], "shift")) {
        return shift(argc + 38);
    }
    if (argc == 2 && !strcmp(argv[1], "leak")) {
        return leak();
    }
    fprintf(stderr, "usage: canary heap-overflow|shift|leak\n");
    return 2;
}
