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

/* Permissions, with the values of VFIO_DMA_MAP_FLAG_READ and _WRITE */
#define PAMU_PERM_R         1
#define PAMU_PERM_W         2
#define PAMU_PERM_RW        (PAMU_PERM_R | PAMU_PERM_W)

/*
 * What a window of the aperture maps, and which sections use it.  One
 * VFIO_IOMMU_MAP_DMA may map several windows (a "mapping"), and the uAPI
 * only unmaps a mapping whole.
 */
typedef struct PamuWindow {
    uint64_t hva;               /* host address of the window start */
    uint64_t size;              /* bytes mapped from its start; 0: none */
    uint32_t map_first;         /* the mapping holding it: first window */
    uint32_t map_count;         /* and number of windows */
    uint8_t perm;               /* PAMU_PERM_* it is mapped with */
    uint32_t users[PAMU_PERM_RW + 1];   /* sections using it, by perm */
} PamuWindow;

/* A RAM section: what pamu_plan_fit() said it needs, and its permissions */
typedef struct PamuSectionMap {
    uint64_t iova;              /* the section is [iova, last] */
    uint64_t last;
    PamuMapOp ops[2];
    unsigned nr_ops;
    uint8_t perm;
} PamuSectionMap;

/* One VFIO_IOMMU_MAP_DMA (@map) or VFIO_IOMMU_UNMAP_DMA of windows */
typedef struct PamuCall {
    bool map;
    uint32_t window;            /* first window */
    uint32_t nr_windows;
    uint64_t iova;
    uint64_t size;
    uint64_t hva;               /* map only */
    uint8_t perm;               /* map only */
} PamuCall;

/*
 * pamu_windows_add: the calls (appended to @calls, a GArray of PamuCall)
 * that make the windows of @sec usable by it, given what @win (the plan's
 * windows) maps: the windows nothing maps yet, one call per run, but each
 * window the section shares with a neighbour (its first window if it
 * starts inside one, its last if it ends inside one) in a mapping of its
 * own; then every shared window whose permissions must shrink to what all
 * its users have, unmapped and mapped again.  So no mapping ever holds a
 * window only another section needed, and no window is mapped with more
 * permissions than any of its users has.  Returns false, with the window
 * in *@conflict, if a window maps other memory or cannot take the
 * permissions its users have in common.
 */
bool pamu_windows_add(const PamuPlan *plan, const PamuWindow *win,
                      const PamuSectionMap *sec, GArray *calls,
                      uint32_t *conflict);

/*
 * pamu_windows_remove: once @sec's use is dropped (pamu_windows_use()
 * with -1), the calls that unmap every mapping of its windows none of
 * whose windows is used any more, and map again the shared windows whose
 * remaining users have more permissions in common.
 */
void pamu_windows_remove(const PamuPlan *plan, const PamuWindow *win,
                         const PamuSectionMap *sec, GArray *calls);

/* Counts @sec as a user (@delta 1) or not (-1) of each of its windows */
void pamu_windows_use(PamuWindow *win, const PamuSectionMap *sec, int delta);

/* The call that undoes @c, as @win stands before @c is made */
PamuCall pamu_call_undo(const PamuPlan *plan, const PamuWindow *win,
                        const PamuCall *c);

/* Records in @win that @c succeeded */
void pamu_call_apply(const PamuPlan *plan, PamuWindow *win,
                     const PamuCall *c);

/*
 * pamu_plan_page_range: the whole host pages of @page_size bytes inside
 * [@start, @start + @size), as vfio_listener_region_add() maps a section:
 * [*@first, *@last], or false if there is none.  @size may be 2^64, the
 * size of a section that covers a whole address space.
 */
bool pamu_plan_page_range(uint64_t start, Int128 size, uint64_t page_size,
                          uint64_t *first, uint64_t *last);

#endif /* HW_VFIO_FSL_PAMU_PLAN_H */
