/*
 * PROPOSED, OUT-OF-TREE vfio uAPI for aperture/window IOMMUs such as the
 * Freescale/NXP QorIQ PAMU ("vfio type 2").
 *
 * No Linux kernel implements this interface.  It is kept here, outside
 * QEMU's generated linux-headers/, until a kernel driver exists; the
 * numbers below are chosen not to collide with upstream's or with those
 * of Freescale's SDK kernels.  docs/devel/vfio-pamu.rst is the
 * specification: it defines every field, rule and error code.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_VFIO_FSL_PAMU_UAPI_H
#define HW_VFIO_FSL_PAMU_UAPI_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/vfio.h>

/*
 * Container type for VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU.  Clear of
 * upstream's types (1..10) and of the SDK's (2, 7 and 1000).
 */
#define VFIO_FSL_PAMU_IOMMU             4096

/*
 * VFIO_IOMMU_GET_ATTR / VFIO_IOMMU_SET_ATTR - on the container fd,
 * argument struct vfio_iommu_pamu_attr.
 */
#define VFIO_IOMMU_GET_ATTR             _IO(VFIO_TYPE, VFIO_BASE + 22)
#define VFIO_IOMMU_SET_ATTR             _IO(VFIO_TYPE, VFIO_BASE + 23)

/* Values of vfio_iommu_pamu_attr.attribute */
#define VFIO_PAMU_ATTR_GEOMETRY         0   /* get, set */
#define VFIO_PAMU_ATTR_WINDOWS          1   /* get, set */
#define VFIO_PAMU_ATTR_STASH            2   /* get, set */
#define VFIO_PAMU_ATTR_MSI_BANKS        3   /* get only */
#define VFIO_PAMU_ATTR_FAULT            4   /* get, set */

/* Values of vfio_iommu_pamu_attr.stash.cache */
#define VFIO_PAMU_STASH_OFF             0
#define VFIO_PAMU_STASH_L1              1
#define VFIO_PAMU_STASH_L2              2
#define VFIO_PAMU_STASH_L3              3

/* Smallest window and smallest aperture, in bytes */
#define VFIO_PAMU_MIN_WINDOW_SIZE       4096

/*
 * The smallest argsz the kernel accepts: the size of the first version of
 * the struct, before MSI_BANKS gained @isolated.  The kernel reads and
 * writes only the fields that lie wholly within argsz, so callers built
 * against either version keep working.
 */
#define VFIO_PAMU_ATTR_ARGSZ_MIN        32

struct vfio_iommu_pamu_attr {
    __u32 argsz;            /* at least VFIO_PAMU_ATTR_ARGSZ_MIN */
    __u32 flags;            /* must be 0 */
    __u32 attribute;        /* VFIO_PAMU_ATTR_* */
    __u32 pad;              /* must be 0 */
    union {
        struct {
            __u64 aperture_start;
            __u64 aperture_size;    /* 0 on GET: no geometry set */
        } geometry;
        struct {
            __u32 count;
            __u32 max_count;        /* read-only, ignored on SET */
        } windows;
        struct {
            __u32 cpu;
            __u32 cache;            /* VFIO_PAMU_STASH_* */
        } stash;
        struct {
            __u32 count;            /* MSI banks of the host */
            __u32 bank_size;        /* bytes mapped per bank window */
            __u64 mapped_mask;      /* bit n: bank n is mapped */
            __u32 isolated;         /* 1: no mapped bank is shared */
            __u32 reserved;         /* 0 */
        } msi_banks;
        struct {
            __u32 count;            /* violations since VFIO_SET_IOMMU */
            __u32 disabled;         /* 1: the LIODN is off; SET 0: on */
            __u64 last_iova;        /* IOVA of the last violation */
        } fault;
    };
};

/*
 * VFIO_IOMMU_MAP_DMA flag: map MSI banks instead of memory.  vaddr must
 * be 0 and size a whole number of windows; the kernel picks the banks.
 */
#define VFIO_DMA_MAP_FLAG_MSI           (1 << 3)

#endif /* HW_VFIO_FSL_PAMU_UAPI_H */
