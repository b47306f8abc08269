/* mm/space_unmap.c — munmap: remove any page-aligned range, across any
 * number of VMAs and holes, splitting the VMAs at both ends. */
#include "space_internal.h"

/* Contract: see space.h. */
int space_unmap(struct space *s, uaddr_t addr, uint64_t len)
{
    struct vma_spares sp;
    uint64_t alen;
    bool middle;

    if (!page_aligned(addr) || addr > s->top || len > s->top - addr)
        return -EINVAL;
    if (!page_up_checked(len, &alen) || alen == 0)
        return -EINVAL;
    unsigned splits = space_range_splits(s, addr, addr + alen, &middle);
    /* Splitting one VMA in two would add a record: refuse at the limit.
     * Cutting the ends of two VMAs adds none, so it is always allowed. */
    if (middle && s->vmas.count >= s->max_map_count)
        return -ENOMEM;
    if (vma_spares_get(&sp, splits))
        return -ENOMEM;
    space_range_clear(s, addr, addr + alen, &sp);
    vma_spares_put(&sp);
    return 0;
}
