/* mm/space_brk.c — brk: the byte-granular program break over a page-granular
 * heap VMA, with Linux's rules for growing, shrinking and failing. */
#include "space_internal.h"

#define BRK_VMA_FLAGS (VMA_READ | VMA_WRITE | VMA_MAYWRITE | VMA_ACCOUNT)

void space_brk_init(struct space *s, uaddr_t start)
{
    s->brk_start = s->brk = page_down(start + PAGE_SIZE - 1);
}

/* Grow the heap from oldp to newp (page aligned): extend the VMA ending at
 * oldp when it is a heap VMA that can merge, else add one. */
static int space_brk_grow(struct space *s, uaddr_t oldp, uaddr_t newp)
{
    struct vma *prev = vma_tree_find_before(&s->vmas, oldp);
    struct vma probe = {.start = oldp, .end = newp, .flags = BRK_VMA_FLAGS, .pgoff = oldp >> PAGE_SHIFT};

    if (s->vmas.count > s->max_map_count)
        return -ENOMEM;
    if (prev && prev->start >= s->brk_start && vma_can_merge(prev, &probe)) {
        vma_tree_adjust(&s->vmas, prev, prev->start, newp);
        return 0;
    }
    struct vma *v = vma_alloc();
    if (!v)
        return -ENOMEM;
    *v = probe;
    vma_tree_insert(&s->vmas, v);
    return 0;
}

/* Contract: see space.h. */
uaddr_t space_brk(struct space *s, uaddr_t newbrk)
{
    uaddr_t newp, oldp;

    if (!s->brk_start || newbrk < s->brk_start || !page_up_checked(newbrk, &newp))
        return s->brk; /* no heap set up, below its start, or wrapping */
    oldp = page_down(s->brk + PAGE_SIZE - 1);
    if (newp == oldp) {
        s->brk = newbrk;
        return newbrk;
    }
    if (newbrk <= s->brk) {
        /* Shrinking is always allowed, if the heap is still there. */
        struct vma *v = vma_tree_find_after(&s->vmas, newp);
        if (!v || v->start >= oldp)
            return s->brk;
        if (space_unmap(s, newp, oldp - newp))
            return s->brk;
        s->brk = newbrk;
        return newbrk;
    }
    /* Growing: stay inside user space and one page clear of the next
     * mapping. */
    if (newp > s->top)
        return s->brk;
    struct vma *next = vma_tree_find_after(&s->vmas, oldp);
    if (next && newp + PAGE_SIZE > vma_start_gap(next))
        return s->brk;
    if (!space_may_commit((newp - oldp) >> PAGE_SHIFT) || space_brk_grow(s, oldp, newp))
        return s->brk;
    if (s->policy == SPACE_EAGER)
        (void)space_populate(s, oldp, newp); /* best effort, as for mmap */
    s->brk = newbrk;
    return newbrk;
}
