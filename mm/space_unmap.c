/* mm/space_unmap.c — munmap: remove any page-aligned range, across any
 * number of VMAs and holes, splitting the VMAs at both ends. */
#include "space_internal.h"

/* Contract: see space.h. */
int space_unmap(struct space *s, uaddr_t addr, uint64_t len)
{
    struct vma_spares sp;
    struct range_plan plan;
    uint64_t alen;

    if (!page_aligned(addr) || addr > s->top || len > s->top - addr)
        return -EINVAL;
    if (!page_up_checked(len, &alen) || alen == 0)
        return -EINVAL;
    space_range_plan(s, addr, addr + alen, &plan);
    /* Splitting one VMA in two would add a record: refuse at the limit.
     * Cutting the ends of two VMAs adds none, so it is always allowed. */
    if (plan.middle && s->vmas.count >= s->max_map_count)
        return -ENOMEM;
    if (vma_spares_get(&sp, plan.splits))
        return -ENOMEM;
    space_range_clear(s, addr, addr + alen, &plan, &sp);
    vma_spares_put(&sp);
    return 0;
}
