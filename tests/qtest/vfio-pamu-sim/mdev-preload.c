/*
 * QorIQ host simulation: the simulated PCI function as a mediated device
 *
 * Preloaded in front of libvfio-pamu-sim.so, this makes the "subsystem"
 * link of a PCI function resolve to /sys/bus/mdev instead of
 * /sys/bus/pci.  That is how vfio-pci tells a mediated device
 * (vfio-pci,sysfsdev=...) from a physical one, and QEMU does not present
 * mediated devices to a guest IOMMU when they are realized: the PAMU
 * cannot refuse them then, so vfio meets the PAMU only when the guest
 * puts it into the device's path.  Everything else goes on to the
 * simulation, which still answers for the function.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

/* A plain realpath(), not the fortified inline wrapper */
#undef _FORTIFY_SOURCE
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCI_DEVICES     "/sys/bus/pci/devices/"
#define SUBSYSTEM       "/subsystem"

static char *(*next_realpath)(const char *, char *);

static void __attribute__((constructor)) mdev_preload_init(void)
{
    next_realpath = dlsym(RTLD_NEXT, "realpath");
}

/* PCI_DEVICES<function>SUBSYSTEM */
static int is_pci_subsystem(const char *path)
{
    size_t n = strlen(path);

    return n > strlen(PCI_DEVICES) + strlen(SUBSYSTEM) &&
           !strncmp(path, PCI_DEVICES, strlen(PCI_DEVICES)) &&
           !strcmp(path + n - strlen(SUBSYSTEM), SUBSYSTEM);
}

char *realpath(const char *path, char *resolved)
{
    char *res;

    if (!next_realpath) {
        mdev_preload_init();
    }
    res = next_realpath(path, resolved);
    /* only a function the layers below know as PCI becomes an mdev */
    if (!res || !path || !is_pci_subsystem(path) ||
        strcmp(res, "/sys/bus/pci")) {
        return res;
    }
    if (!resolved) {
        free(res);
        return strdup("/sys/bus/mdev");
    }
    snprintf(resolved, PATH_MAX, "%s", "/sys/bus/mdev");
    return resolved;
}
