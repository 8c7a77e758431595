/*
 * qtest helpers for a modern virtio-pci device on the e500 machines
 *
 * No driver runs under qtest, so these do by hand what a guest's virtio
 * driver does: find the device's configuration structures, negotiate
 * features, set up and kick queues.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QTEST_E500_VIRTIO_H
#define QTEST_E500_VIRTIO_H

#include "e500-pci-edu.h"

typedef struct E500Virtio {
    QTestState *qts;
    const E500Board *b;
    uint64_t common;            /* CPU address of the common configuration */
    uint64_t notify;            /* CPU address of the notification area */
    uint32_t notify_multiplier;
} E500Virtio;

/*
 * Checks that the first user device on @b is virtio @device_id, maps its
 * modern BAR through the outbound window (bus mastering on) and finds its
 * common configuration and notification area.
 */
void e500_virtio_map(E500Virtio *v, QTestState *qts, const E500Board *b,
                     uint16_t device_id);

/* The common configuration's registers (little-endian on the device) */
uint8_t e500_virtio_readb(E500Virtio *v, uint32_t offset);
uint32_t e500_virtio_readl(E500Virtio *v, uint32_t offset);
void e500_virtio_writew(E500Virtio *v, uint32_t offset, uint16_t val);
void e500_virtio_writel(E500Virtio *v, uint32_t offset, uint32_t val);

/* Writes the device status and checks that it reads back. */
void e500_virtio_set_status(E500Virtio *v, uint8_t status);

/*
 * Resets the device, acknowledges it and negotiates exactly @features
 * (which it must offer), up to FEATURES_OK.
 */
void e500_virtio_negotiate(E500Virtio *v, uint64_t features);

/* Sets up queue @q with @size entries and its rings at these addresses. */
void e500_virtio_setup_queue(E500Virtio *v, uint16_t q, uint16_t size,
                             uint64_t desc, uint64_t avail, uint64_t used);

/* Tells the device that queue @q has new buffers. */
void e500_virtio_kick(E500Virtio *v, uint16_t q);

#endif
