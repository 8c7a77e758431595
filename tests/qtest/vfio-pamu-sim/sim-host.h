/*
 * Test-side helpers for the QorIQ host simulation: hugepages to back
 * guest RAM, and reading the simulation's event log
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef VFIO_PAMU_SIM_HOST_H
#define VFIO_PAMU_SIM_HOST_H

/* 2 MiB hugepages this process reserved, and a hugetlbfs mount of them */
typedef struct SimHugepages {
    char *mount;            /* NULL if none */
    unsigned reserved;      /* pages added to nr_hugepages */
    char *skip_reason;      /* why there are none */
} SimHugepages;

#define SIM_HUGEPAGE_SIZE   (2 * 1024 * 1024)

/*
 * Reserves @pages more 2 MiB hugepages and mounts hugetlbfs for them.
 * Needs root; returns false with @h->skip_reason set otherwise.
 */
bool sim_hugepages_get(SimHugepages *h, unsigned pages);
/* Unmounts and gives back exactly what sim_hugepages_get() reserved. */
void sim_hugepages_put(SimHugepages *h);
/* The same for every SimHugepages not put yet (for abort handlers) */
void sim_hugepages_put_all(void);

/* The log, as lines; g_strfreev() them */
char **sim_log_lines(const char *path);
/* Index of the first line at or after @from that starts with @prefix */
int sim_log_find(char **lines, int from, const char *prefix);
/* Number of lines starting with @prefix */
int sim_log_count(char **lines, const char *prefix);
/* The value of " @key=" in @line; false if absent */
bool sim_log_value(const char *line, const char *key, uint64_t *val);

#endif
