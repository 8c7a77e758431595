/*
 * Conformance suite of the PAMU vfio container (docs/devel/vfio-pamu.rst)
 *
 * One set of rule tests, plain C without GLib, built twice: on the build
 * host against the simulation (libvfio-pamu-sim.so preloaded) and
 * statically into the Linux test guest, against the real kernel driver.
 * The rules learn the host's facts (address width, reachable IOVAs, MSI
 * banks, window limit) through the uAPI itself, so the same binary judges
 * any host; only the device that does DMA and sends MSIs differs, and sits
 * behind ConfDevOps.
 *
 * Output is TAP: one "ok N - name" per rule, "# ..." diagnostics, the plan
 * at the end.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef VFIO_PAMU_CONFORMANCE_H
#define VFIO_PAMU_CONFORMANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The function assigned to the container: a DMA engine and one MSI */
typedef struct ConfDevOps {
    const char *name;
    /* bytes the DMA engine holds; transfers stay within them */
    uint32_t buf_size;
    /* bus mastering on, the device identified: 0 or -errno */
    int (*init)(int dev);
    /*
     * Moves @len bytes between the device's buffer at @off and the IOVA
     * @iova (@to_ram: the device writes memory) and waits until the
     * engine is done.  0 once it is, -errno if the device could not be
     * driven.  Whether the PAMU let it through is for the caller to see.
     */
    int (*dma)(int dev, uint64_t iova, uint32_t off, uint32_t len,
               bool to_ram);
    /* Sends one MSI (vector 0): 0 or -errno */
    int (*msi_send)(int dev);
} ConfDevOps;

typedef struct ConfHost {
    const char *name;           /* shown in the TAP header */
    const char *group_path;     /* /dev/vfio/N */
    const char *device;         /* for VFIO_GROUP_GET_DEVICE_FD */
    const ConfDevOps *dev;
    /* how long a violation or an MSI may take to show up */
    unsigned settle_ms;
} ConfHost;

/* Runs every rule, prints TAP; returns the exit status (0: all passed). */
int conf_run(const ConfHost *host, const char *only);

#endif /* VFIO_PAMU_CONFORMANCE_H */
