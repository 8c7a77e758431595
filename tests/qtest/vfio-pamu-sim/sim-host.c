/*
 * Test-side helpers for the QorIQ host simulation
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include <sys/file.h>
#include <sys/mount.h>
#include "sim-host.h"

#define NR_HUGEPAGES \
    "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
/* Serializes read-modify-write of nr_hugepages between test processes */
#define LOCK_FILE           "/tmp/vfio-pamu-sim-hugepages.lock"

/* Reservations not given back yet */
static GSList *outstanding;

static bool read_count(unsigned *n)
{
    g_autofree char *text = NULL;

    if (!g_file_get_contents(NR_HUGEPAGES, &text, NULL, NULL)) {
        return false;
    }
    g_strstrip(text);
    return !qemu_strtoui(text, NULL, 10, n);
}

static bool write_count(unsigned n)
{
    g_autofree char *text = g_strdup_printf("%u\n", n);
    int fd = open(NR_HUGEPAGES, O_WRONLY | O_CLOEXEC);
    bool ok;

    if (fd < 0) {
        return false;
    }
    ok = write(fd, text, strlen(text)) == strlen(text);
    close(fd);
    return ok;
}

/* Adds @delta pages (may be negative); returns how many were added. */
static int adjust_pages(int delta)
{
    int lock = open(LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    unsigned before = 0, after = 0;

    if (lock < 0 || flock(lock, LOCK_EX)) {
        if (lock >= 0) {
            close(lock);
        }
        return 0;
    }
    if (read_count(&before) &&
        (delta >= 0 || before >= (unsigned)-delta) &&
        write_count(before + delta)) {
        read_count(&after);
    } else {
        after = before;
    }
    close(lock);
    return (int)after - (int)before;
}

bool sim_hugepages_get(SimHugepages *h, unsigned pages)
{
    g_autofree char *dir = NULL;
    int got;

    memset(h, 0, sizeof(*h));
    if (geteuid() != 0) {
        h->skip_reason = g_strdup("reserving and mounting hugepages needs "
                                  "root");
        return false;
    }
    if (access(NR_HUGEPAGES, W_OK)) {
        h->skip_reason = g_strdup("the kernel has no 2 MiB hugepages");
        return false;
    }
    got = adjust_pages(pages);
    if (got < (int)pages) {
        adjust_pages(-got);
        h->skip_reason = g_strdup_printf("could reserve only %d of %u 2 MiB "
                                         "hugepages", got, pages);
        return false;
    }
    h->reserved = got;
    dir = g_dir_make_tmp("vfio-pamu-hugetlbfs-XXXXXX", NULL);
    if (!dir || mount("none", dir, "hugetlbfs", 0, "pagesize=2M")) {
        h->skip_reason = g_strdup_printf("cannot mount hugetlbfs: %s",
                                         g_strerror(errno));
        if (dir) {
            rmdir(dir);
        }
        sim_hugepages_put(h);
        return false;
    }
    h->mount = g_steal_pointer(&dir);
    outstanding = g_slist_prepend(outstanding, h);
    return true;
}

void sim_hugepages_put(SimHugepages *h)
{
    outstanding = g_slist_remove(outstanding, h);
    if (h->mount) {
        umount2(h->mount, MNT_DETACH);
        rmdir(h->mount);
        g_free(h->mount);
        h->mount = NULL;
    }
    if (h->reserved) {
        adjust_pages(-(int)h->reserved);
        h->reserved = 0;
    }
}

char **sim_log_lines(const char *path)
{
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return g_new0(char *, 1);
    }
    return g_strsplit(text, "\n", -1);
}

int sim_log_find(char **lines, int from, const char *prefix)
{
    int i;

    for (i = MAX(from, 0); lines[i]; i++) {
        if (g_str_has_prefix(lines[i], prefix)) {
            return i;
        }
    }
    return -1;
}

int sim_log_count(char **lines, const char *prefix)
{
    int i, n = 0;

    for (i = 0; lines[i]; i++) {
        n += g_str_has_prefix(lines[i], prefix);
    }
    return n;
}

bool sim_log_value(const char *line, const char *key, uint64_t *val)
{
    g_autofree char *pat = g_strdup_printf(" %s=", key);
    const char *p = strstr(line, pat);

    if (!p) {
        return false;
    }
    *val = g_ascii_strtoll(p + strlen(pat), NULL, 0);
    return true;
}

void sim_hugepages_put_all(void)
{
    while (outstanding) {
        sim_hugepages_put(outstanding->data);
    }
}
