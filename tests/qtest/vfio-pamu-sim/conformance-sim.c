/*
 * Conformance suite of the PAMU vfio container, run against the QorIQ
 * host simulation (libvfio-pamu-sim.so preloaded): the simulated PCI
 * function as the suite's device
 *
 * The host it simulates comes from VFIO_PAMU_SIM in the environment (see
 * vfio-pamu-sim.h); meson runs the suite once per host profile.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "conformance.h"
#include "vfio-pamu-sim.h"

#define BAR0    ((uint64_t)VFIO_PCI_BAR0_REGION_INDEX << 40)
#define CONFIG  ((uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << 40)

static int bar_write(int dev, uint64_t reg, uint64_t val, size_t len)
{
    uint64_t le = htole64(val);

    return pwrite(dev, &le, len, BAR0 + reg) == (ssize_t)len ? 0 : -EIO;
}

static int bar_read(int dev, uint64_t reg, uint32_t *val)
{
    uint32_t le;

    if (pread(dev, &le, 4, BAR0 + reg) != 4) {
        return -EIO;
    }
    *val = le32toh(le);
    return 0;
}

static int sim_init(int dev)
{
    uint16_t cmd = htole16(PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY);
    uint32_t id;

    if (pwrite(dev, &cmd, 2, CONFIG + PCI_COMMAND) != 2 ||
        bar_read(dev, SIM_REG_ID, &id)) {
        return -EIO;
    }
    return id == SIM_ID_VALUE ? 0 : -ENODEV;
}

static int sim_dma(int dev, uint64_t iova, uint32_t off, uint32_t len,
                   bool to_ram)
{
    uint32_t status;

    if (bar_write(dev, SIM_REG_DMA_IOVA, iova, 8) ||
        bar_write(dev, SIM_REG_DMA_OFF, off, 4) ||
        bar_write(dev, SIM_REG_DMA_LEN, len, 4) ||
        bar_write(dev, SIM_REG_DMA_CMD, SIM_DMA_CMD_START |
                  (to_ram ? SIM_DMA_CMD_TO_RAM : 0), 4) ||
        bar_read(dev, SIM_REG_DMA_STATUS, &status)) {
        return -EIO;
    }
    /* blocked by the PAMU is an answer too; bad arguments are not */
    return status == SIM_DMA_STATUS_DONE ||
           status == SIM_DMA_STATUS_FAULT ? 0 : -EINVAL;
}

static int sim_msi_send(int dev)
{
    return bar_write(dev, SIM_REG_MSI_SEND, 0, 4);
}

static const ConfDevOps sim_dev = {
    .name = "simulated function 1234:fa11",
    .buf_size = SIM_BUF_SIZE,
    .init = sim_init,
    .dma = sim_dma,
    .msi_send = sim_msi_send,
};

int main(int argc, char **argv)
{
    char group[32];
    ConfHost host = {
        .group_path = group,
        .device = VFIO_PAMU_SIM_DEFAULT_BDF,
        .dev = &sim_dev,
        .settle_ms = 0,         /* DMA and MSIs complete synchronously */
    };
    char name[256];

    snprintf(group, sizeof(group), "/dev/vfio/%d",
             VFIO_PAMU_SIM_DEFAULT_GROUP);
    snprintf(name, sizeof(name), "the simulation (VFIO_PAMU_SIM=\"%s\")",
             getenv("VFIO_PAMU_SIM") ?: "");
    host.name = name;
    return conf_run(&host, argc > 1 ? argv[1] : NULL);
}
