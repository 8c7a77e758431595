/*
 * Host simulation, type1 mode: the container of an x86 host
 *
 * The common real case of a device assigned to a QorIQ guest is an x86
 * host: its IOMMU maps arbitrary page-aligned ranges (VFIO_TYPE1v2_IOMMU),
 * and MSIs go through interrupt remapping, not through a mapping.  With
 * "type1=1" in the simulation's configuration the container is that one,
 * so that QEMU can mirror the windows of an emulated PAMU into it.  Only
 * what QEMU's type1 code uses is modelled: MAP_DMA with READ/WRITE,
 * UNMAP_DMA of whole mappings (v2: a range that cuts a mapping is
 * refused), GET_INFO with the page sizes and the IOVA ranges (all but the
 * x86 interrupt range).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/vfio.h>

#include "sim-internal.h"

#define PAGE_SIZE_4K        0x1000ULL
#define X86_MSI_START       0xfee00000ULL
#define X86_MSI_LAST        0xfeefffffULL
#define IOVA_LAST           ((1ULL << 48) - 1)
#define offsetofend(t, f)   (offsetof(t, f) + sizeof(((t *)0)->f))

void sim_type1_reset(SimPamu *p)
{
    free(p->t1);
    p->t1 = NULL;
    p->nr_t1 = 0;
}

static int get_info(struct vfio_iommu_type1_info *info)
{
    const size_t minsz = offsetofend(struct vfio_iommu_type1_info,
                                     iova_pgsizes);
    /* everything but the x86 interrupt range */
    static const struct vfio_iova_range ranges[] = {
        { 0, X86_MSI_START - 1 },
        { X86_MSI_LAST + 1, IOVA_LAST },
    };

    if (info->argsz < minsz) {
        return -EINVAL;
    }
    info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
    info->iova_pgsizes = PAGE_SIZE_4K | (2ULL << 20) | (1ULL << 30);
    return sim_info_put_ranges(info, ranges,
                               sizeof(ranges) / sizeof(ranges[0]));
}

static bool overlaps(const SimT1Mapping *m, uint64_t iova, uint64_t size)
{
    return m->iova < iova + size && iova < m->iova + m->size;
}

static int map_dma(SimPamu *p, struct vfio_iommu_type1_dma_map *map)
{
    const uint32_t rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    SimT1Mapping *grown;
    size_t i;

    if (map->argsz < offsetofend(struct vfio_iommu_type1_dma_map, size) ||
        map->flags & ~rw || !(map->flags & rw) || !map->size ||
        (map->iova | map->size | map->vaddr) & (PAGE_SIZE_4K - 1) ||
        map->iova + map->size - 1 < map->iova ||
        map->iova + map->size - 1 > IOVA_LAST) {
        return -EINVAL;
    }
    if (map->iova <= X86_MSI_LAST &&
        map->iova + map->size - 1 >= X86_MSI_START) {
        return -EINVAL;
    }
    for (i = 0; i < p->nr_t1; i++) {
        if (overlaps(&p->t1[i], map->iova, map->size)) {
            return -EEXIST;
        }
    }
    grown = realloc(p->t1, (p->nr_t1 + 1) * sizeof(*p->t1));
    if (!grown) {
        return -ENOMEM;
    }
    p->t1 = grown;
    p->t1[p->nr_t1++] = (SimT1Mapping) {
        .iova = map->iova, .size = map->size, .vaddr = map->vaddr,
        .flags = map->flags & rw,
    };
    return 0;
}

static int unmap_dma(SimPamu *p, struct vfio_iommu_type1_dma_unmap *unmap)
{
    uint64_t done = 0;
    size_t i, kept = 0;

    if (unmap->argsz < offsetofend(struct vfio_iommu_type1_dma_unmap, size) ||
        unmap->flags & ~VFIO_DMA_UNMAP_FLAG_ALL) {
        return -EINVAL;
    }
    if (unmap->flags & VFIO_DMA_UNMAP_FLAG_ALL) {
        if (unmap->iova || unmap->size) {
            return -EINVAL;
        }
        for (i = 0; i < p->nr_t1; i++) {
            done += p->t1[i].size;
        }
        p->nr_t1 = 0;
        unmap->size = done;
        return 0;
    }
    if (!unmap->size || (unmap->iova | unmap->size) & (PAGE_SIZE_4K - 1)) {
        return -EINVAL;
    }
    /* v2: a range that cuts a mapping unmaps nothing */
    for (i = 0; i < p->nr_t1; i++) {
        const SimT1Mapping *m = &p->t1[i];

        if (overlaps(m, unmap->iova, unmap->size) &&
            (m->iova < unmap->iova ||
             m->iova + m->size > unmap->iova + unmap->size)) {
            return -EINVAL;
        }
    }
    for (i = 0; i < p->nr_t1; i++) {
        if (overlaps(&p->t1[i], unmap->iova, unmap->size)) {
            done += p->t1[i].size;
        } else {
            p->t1[kept++] = p->t1[i];
        }
    }
    p->nr_t1 = kept;
    unmap->size = done;
    return 0;
}

int sim_type1_ioctl(SimPamu *p, bool has_group, unsigned long req, void *arg)
{
    uint32_t type = (uint32_t)(uintptr_t)arg;

    switch (req) {
    case VFIO_GET_API_VERSION:
        return VFIO_API_VERSION;
    case VFIO_CHECK_EXTENSION:
        return type == VFIO_TYPE1v2_IOMMU || type == VFIO_TYPE1_IOMMU ||
               type == VFIO_UNMAP_ALL;
    case VFIO_SET_IOMMU:
        if (!has_group || p->iommu_set) {
            return -EINVAL;
        }
        if (type != VFIO_TYPE1v2_IOMMU && type != VFIO_TYPE1_IOMMU) {
            return -ENODEV;
        }
        sim_pamu_reset(p);
        p->iommu_set = true;
        return 0;
    }
    if (!p->iommu_set) {
        return -EINVAL;
    }
    switch (req) {
    case VFIO_IOMMU_GET_INFO:
        return get_info(arg);
    case VFIO_IOMMU_MAP_DMA:
        return map_dma(p, arg);
    case VFIO_IOMMU_UNMAP_DMA:
        return unmap_dma(p, arg);
    }
    return -ENOTTY;
}

/*
 * An x86 IOMMU fault blocks the access and is reported, but does not
 * stop the device: it is counted, nothing more.
 */
SimFault sim_type1_translate(SimPamu *p, uint64_t iova, bool write,
                             void **host, uint64_t *len)
{
    size_t i;

    for (i = 0; i < p->nr_t1; i++) {
        const SimT1Mapping *m = &p->t1[i];

        if (iova >= m->iova && iova - m->iova < m->size) {
            if (!(m->flags & (write ? VFIO_DMA_MAP_FLAG_WRITE :
                                       VFIO_DMA_MAP_FLAG_READ))) {
                break;
            }
            *host = (void *)(uintptr_t)(m->vaddr + (iova - m->iova));
            *len = m->size - (iova - m->iova);
            return SIM_OK;
        }
    }
    p->fault_count++;
    p->fault_iova = iova;
    sim_log("type1 fault iova=0x%llx write=%d count=%u",
            (unsigned long long)iova, write, p->fault_count);
    return SIM_FAULT_UNMAPPED;
}
