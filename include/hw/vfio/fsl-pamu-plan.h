/*
 * Geometry planning for vfio containers on aperture/window IOMMUs (PAMU)
 *
 * Pure functions, free of QOM and of the memory API, so that the rules of
 * docs/devel/vfio-pamu.rst can be unit-tested on their own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_VFIO_FSL_PAMU_PLAN_H
#define HW_VFIO_FSL_PAMU_PLAN_H

#include "qemu/int128.h"

/* Smallest window (and mapping) the PAMU supports */
#define PAMU_PLAN_MIN_WINDOW    4096ULL
/* Windows per aperture: one PAACE plus up to 256 SPAACEs */
#define PAMU_PLAN_MAX_WINDOWS   256

/* One block of guest RAM as the device sees it */
typedef struct PamuRamRange {
    uint64_t iova;          /* device (guest-physical) address */
    uint64_t size;
    uint64_t hva;           /* host virtual address of @iova */
    uint64_t page_size;     /* host pages backing it: one window must fit */
} PamuRamRange;

/* IOVAs [start, last] that the host's PCIe controller reaches */
typedef struct PamuIovaRange {
    uint64_t start;
    uint64_t last;
} PamuIovaRange;

/* Reachable ranges the planner takes; the host controller has fewer */
#define PAMU_PLAN_MAX_REACH     16

/* What the host container reports */
typedef struct PamuPlanLimits {
    uint32_t max_windows;   /* WINDOWS.max_count, capped at 256 */
    uint32_t msi_banks;     /* windows to keep for MSI banks */
    uint32_t addr_bits;     /* the aperture must end at or below 2^addr_bits */
    /* sorted, disjoint; 0 ranges: every IOVA is reachable */
    unsigned nr_reach;      /* at most PAMU_PLAN_MAX_REACH */
    PamuIovaRange reach[PAMU_PLAN_MAX_REACH];
} PamuPlanLimits;

typedef enum PamuWindowUse {
    PAMU_WINDOW_FREE,
    PAMU_WINDOW_RAM,        /* holds guest RAM in the plan */
    PAMU_WINDOW_MSI,        /* reserved for one MSI bank */
} PamuWindowUse;

typedef struct PamuPlan {
    uint64_t aperture_start;
    uint64_t aperture_size;
    uint64_t window_size;
    uint32_t nr_windows;
    uint32_t nr_ram_windows;
    uint32_t nr_msi_windows;
    uint8_t use[PAMU_PLAN_MAX_WINDOWS];     /* PamuWindowUse */
    /* the reachable ranges it was planned for, as in PamuPlanLimits */
    unsigned nr_reach;
    PamuIovaRange reach[PAMU_PLAN_MAX_REACH];
} PamuPlan;

typedef enum PamuPlanStatus {
    PAMU_PLAN_OK,
    PAMU_PLAN_NO_RAM,           /* nothing to plan for */
    PAMU_PLAN_BAD_RANGE,        /* empty, wrapping, overlapping or unaligned */
    PAMU_PLAN_TOO_MANY_WINDOWS, /* RAM alone needs more windows than exist */
    PAMU_PLAN_NO_MSI_WINDOWS,   /* RAM fits, but not with the MSI windows */
    PAMU_PLAN_ADDRESS_WIDTH,    /* the aperture would end beyond the PAMU */
    PAMU_PLAN_RAM_UNREACHABLE,  /* a range lies outside the reachable IOVAs */
    PAMU_PLAN_MSI_UNREACHABLE,  /* too few free windows are reachable */
} PamuPlanStatus;

typedef struct PamuPlanResult {
    PamuPlanStatus status;
    /* The fields below describe a failure. */
    uint32_t range;             /* BAD_RANGE, RAM_UNREACHABLE: the range */
    uint64_t window_size;       /* window size the rule starts from */
    uint64_t ram_windows;       /* windows RAM takes at that size */
    uint64_t windows_needed;    /* windows of the smallest aperture for it */
    uint64_t aperture_end;      /* ADDRESS_WIDTH: where it would end */
    uint64_t min_page_size;     /* smallest pages that would work, were */
                                /* RAM on them (and aligned); 0: none */
} PamuPlanResult;

/*
 * pamu_plan: plan the geometry for @nr RAM ranges (docs/devel/vfio-pamu.rst,
 * "Planning").  The window size is the largest power of two that divides
 * every range's start, end and host/device address offset and is no larger
 * than any backing page; it only grows (using a partial last window) when
 * the aperture would otherwise need more than max_windows windows.  The
 * aperture is the smallest naturally aligned power of two that holds the
 * RAM windows plus one free reachable window per MSI bank; the MSI windows
 * are the highest free reachable ones.  All RAM must be reachable.
 *
 * Returns true and fills @plan, or returns false and explains in @res.
 */
bool pamu_plan(const PamuRamRange *ranges, unsigned nr,
               const PamuPlanLimits *lim, PamuPlan *plan,
               PamuPlanResult *res);

/* One VFIO_IOMMU_MAP_DMA: whole windows, or one partial window */
typedef struct PamuMapOp {
    uint64_t iova;
    uint64_t size;
    uint64_t hva;
    uint32_t window;            /* first window index */
    uint32_t nr_windows;
} PamuMapOp;

typedef enum PamuFitStatus {
    PAMU_FIT_OK,
    PAMU_FIT_OUTSIDE_APERTURE,
    PAMU_FIT_NO_WINDOW_START,       /* memory starts inside a window */
    PAMU_FIT_BAD_TAIL,              /* partial window not a power of two */
    PAMU_FIT_MSI_WINDOW,            /* touches a window kept for MSI */
    PAMU_FIT_HVA_MISALIGNED,        /* host memory not aligned to a window */
    PAMU_FIT_PAGE_TOO_SMALL,        /* backing pages smaller than a window */
    PAMU_FIT_UNREACHABLE,           /* a window the host cannot reach */
} PamuFitStatus;

/*
 * pamu_plan_fit: how to map, under @plan, every window that the RAM section
 * @r touches.  A window maps whole, or where the host memory holding @r,
 * [@mem_start, @mem_end), ends inside it, from its start to that end.  So
 * a section that covers only part of a window maps the whole window when
 * the memory around it allows.  At most two MAP_DMA calls: a run of whole
 * windows, then a partial window.  On failure, *@window is the offending
 * window where there is one.
 */
PamuFitStatus pamu_plan_fit(const PamuPlan *plan, const PamuRamRange *r,
                            uint64_t mem_start, uint64_t mem_end,
                            PamuMapOp ops[2], unsigned *nr_ops,
                            uint32_t *window);

/*
 * pamu_plan_page_range: the whole host pages of @page_size bytes inside
 * [@start, @start + @size), as vfio_listener_region_add() maps a section:
 * [*@first, *@last], or false if there is none.  @size may be 2^64, the
 * size of a section that covers a whole address space.
 */
bool pamu_plan_page_range(uint64_t start, Int128 size, uint64_t page_size,
                          uint64_t *first, uint64_t *last);

#endif /* HW_VFIO_FSL_PAMU_PLAN_H */
