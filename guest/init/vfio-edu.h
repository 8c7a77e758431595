/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's edu device (hw/misc/edu.c) as the device of the PAMU vfio tests
 * in the guest: found in sysfs, bound to vfio-pci, driven through its
 * vfio device fd.  Shared by vfio-conformance.c and vfio-e2e.c.
 */

#ifndef PAMU_GUEST_VFIO_EDU_H
#define PAMU_GUEST_VFIO_EDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conformance.h"

#define EDU_VENDOR          0x1234
#define EDU_DEVICE          0x11e8
/* the DMA engine's buffer, as the engine addresses it (not in the BAR) */
#define EDU_BUF_SIZE        4096

/* The edu function, bound to vfio-pci */
typedef struct EduFunc {
    char bdf[32];
    int group;              /* IOMMU group number */
    char group_path[32];    /* /dev/vfio/N */
} EduFunc;

/*
 * Finds the edu function and binds it to vfio-pci unless it is already:
 * 0, or -errno with @why saying what failed.
 */
int edu_setup(EduFunc *e, char *why, size_t len);

/* The suite's device: DMA without interrupts, an MSI on demand */
extern const ConfDevOps edu_dev_ops;

/* A DMA as edu_dev_ops.dma that also raises edu's DMA interrupt */
int edu_dma_irq(int dev, uint64_t iova, uint32_t off, uint32_t len,
                bool to_ram);
/* Lowers every interrupt edu raised */
int edu_irq_ack(int dev);

#endif /* PAMU_GUEST_VFIO_EDU_H */
