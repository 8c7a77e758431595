/*
 * A SIMULATION of a QorIQ host for testing QEMU's PAMU vfio backend
 *
 * libvfio-pamu-sim.so is loaded into QEMU with LD_PRELOAD.  It stands in
 * for the host kernel: /dev/vfio/vfio (a container of the proposed
 * VFIO_FSL_PAMU_IOMMU type, include/hw/vfio/fsl-pamu-uapi.h), one IOMMU
 * group, the sysfs entries QEMU reads for it, and one PCI function behind
 * a simulated PAMU.  No hardware and no kernel driver is involved.  See
 * docs/devel/vfio-pamu.rst, "Host simulation", for what it models and
 * what it does not.
 *
 * This header is what tests need: configuration, log format and the
 * register layout of the simulated PCI function.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef VFIO_PAMU_SIM_H
#define VFIO_PAMU_SIM_H

/*
 * Configuration, from the environment of the process:
 *
 * VFIO_PAMU_SIM="key=value,..."  with keys (defaults in brackets)
 *   bdf          PCI address of the function            [0000:01:00.0]
 *   group        IOMMU group number                     [42]
 *   banks        MSI banks of the host, 0..64            [3]
 *   max_windows  WINDOWS.max_count, 1..256               [256]
 *   addr_bits    PAMU address width, 12..64              [36]
 *   cpus         valid STASH cpu numbers are 0..cpus-1  [4]
 *   stash_levels deepest STASH cache with a stash id, 0..3 [1]
 *   inbound      START+SIZE, an inbound window of the host PCIe controller;
 *                repeat for more, at most 8       [none: all IOVAs reachable]
 *   memlock      RLIMIT_MEMLOCK in bytes      [the process's own limit]
 *   cap_ipc_lock 0 or 1                       [whether the process has it]
 *   shared_banks mask of banks other containers or host devices use  [0]
 *   allow_unsafe_interrupts  0 or 1, the host module parameter       [0]
 *   fail_map     N: the Nth VFIO_IOMMU_MAP_DMA that passes every check
 *                fails with fail_errno, changing nothing  [0: none]
 *   fail_iova    ADDR: every VFIO_IOMMU_MAP_DMA whose range holds ADDR and
 *                that passes every check fails with fail_errno    [none]
 *   fail_errno   errno of injected failures                       [EIO]
 *   type1        1: an x86 host's type1 container instead of the PAMU
 *                (sim-type1.c; the PAMU keys then do not apply)    [0]
 * VFIO_PAMU_SIM_LOG=PATH  appends one line per event (see below)
 */
#define VFIO_PAMU_SIM_ENV           "VFIO_PAMU_SIM"
#define VFIO_PAMU_SIM_LOG_ENV       "VFIO_PAMU_SIM_LOG"
#define VFIO_PAMU_SIM_DEFAULT_BDF   "0000:01:00.0"
#define VFIO_PAMU_SIM_DEFAULT_GROUP 42

/*
 * Log lines are "EVENT key=value ...", e.g.
 *   ioctl MAP_DMA flags=0x3 iova=0x0 size=0x8000000 vaddr=0x7f.. ret=0
 *   map windows=0-63 size=0x200000 flags=0x3
 *   map-msi windows=125-127 banks=0x7
 *   set-irqs index=1 start=0 count=1 ret=0 msi=on bank-windows=0x7
 *   dma dir=to-ram iova=0x100000 len=256 status=1
 *   violation iova=0x8000000 reason=unmapped count=1 liodn=disabled
 *   map injected-failure iova=0x8000000 size=0x4000000 errno=5
 *   msi vector=0 iova=0xfa00140 bank=0 status=1
 * "ret" is 0 or minus the errno.
 */

/* The simulated PCI function: no INTx, one MSI vector */
#define SIM_PCI_VENDOR_ID           0x1234  /* QEMU's test vendor ID */
#define SIM_PCI_DEVICE_ID           0xfa11
#define SIM_MSI_CAP                 0x40

/* BAR0: 4 KiB of little-endian registers, then the DMA buffer */
#define SIM_BAR0_SIZE               0x1000
#define SIM_REG_ID                  0x00    /* RO: SIM_ID_VALUE */
#define SIM_REG_DMA_IOVA            0x08    /* 64-bit device address */
#define SIM_REG_DMA_LEN             0x10
#define SIM_REG_DMA_OFF             0x14    /* offset in the buffer */
#define SIM_REG_DMA_CMD             0x18    /* write: starts the DMA */
#define SIM_REG_DMA_STATUS          0x1c    /* RO */
#define SIM_REG_FAULT_IOVA          0x20    /* RO, 64-bit: last fault */
#define SIM_REG_FAULT_COUNT         0x28    /* RO */
#define SIM_REG_MSI_SEND            0x2c    /* write a vector: sends MSI */
#define SIM_REG_MSI_STATUS          0x30    /* RO */
#define SIM_REG_MSI_SENT            0x34    /* RO: MSIs delivered */
#define SIM_REG_MSI_BLOCKED         0x38    /* RO: MSIs the PAMU blocked */
#define SIM_BUF                     0x800
#define SIM_BUF_SIZE                0x800

#define SIM_ID_VALUE                0x50414d55  /* "PAMU" */

#define SIM_DMA_CMD_START           0x1
#define SIM_DMA_CMD_TO_RAM          0x2     /* device writes memory */

#define SIM_DMA_STATUS_IDLE         0
#define SIM_DMA_STATUS_DONE         1
#define SIM_DMA_STATUS_FAULT        2       /* the PAMU blocked it */
#define SIM_DMA_STATUS_BAD_ARGS     3
#define SIM_DMA_STATUS_NO_MASTER    4       /* COMMAND.MASTER clear */

#define SIM_MSI_STATUS_NONE         0
#define SIM_MSI_STATUS_DELIVERED    1
#define SIM_MSI_STATUS_BLOCKED      2       /* no window maps a bank */
#define SIM_MSI_STATUS_DISABLED     3       /* no eventfd for the vector */

/* Where a bank's MSIIR sits in its 4 KiB page (MPIC MSI block) */
#define SIM_MSIIR_OFFSET            0x140

#endif /* VFIO_PAMU_SIM_H */
