/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The allocation of canary.c's "leak" that stands for project code: the
 * test compiles this file as hw/iommu/pamu-canary.c, a path the leak judge
 * counts as this project's.
 */

#include <stdlib.h>

void *canary_project_alloc(size_t size);

void *__attribute__((noinline)) canary_project_alloc(size_t size)
{
    return malloc(size);
}
