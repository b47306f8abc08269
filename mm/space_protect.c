/* mm/space_protect.c — mprotect: change the protection of a range VMA by
 * VMA, splitting at the ends and merging afterwards, stopping with -ENOMEM
 * at the first hole (the VMAs before it stay changed, as on Linux). */
#include "space_internal.h"

/* Linux's rule for charging private writable memory: it becomes accounted
 * when PROT_WRITE is first added. Since Linux 6.6, taking PROT_WRITE away
 * from private anonymous memory that was never written (no identity yet)
 * uncharges it again, so such a VMA can merge back with its neighbours. */
static unsigned vma_protect_flags(const struct vma *v, unsigned long prot)
{
    unsigned old = v->flags;
    unsigned nf = (old & ~(unsigned)VMA_PROT_MASK) | (unsigned)(prot & VMA_PROT_MASK);
    if ((prot & PROT_WRITE) && !(old & (VMA_ACCOUNT | VMA_WRITE | VMA_SHARED | VMA_NORESERVE)))
        nf |= VMA_ACCOUNT;
    else if (!(prot & PROT_WRITE) && (old & VMA_ACCOUNT) && !(old & VMA_SHARED) && !v->obj)
        nf &= ~(unsigned)VMA_ACCOUNT;
    return nf;
}

/* Rewrite the leaves of [start, end) for new protection. In a writable
 * private mapping, as on Linux, a leaf gets write permission back at once
 * when its frame is its own (a page only this leaf holds); a shared frame
 * or the zero page stays read-only and the first write copies it. */
static void space_protect_leaves(struct space *s, const struct vma *v, uaddr_t start, uaddr_t end,
                                 unsigned old)
{
    if ((old & VMA_PROT_MASK) == (v->flags & VMA_PROT_MASK))
        return;
    if (!(v->flags & VMA_SHARED) && (v->flags & VMA_WRITE))
        pmap_protect_private(&s->pmap, start, end, vma_leaf_prot(v, true));
    else
        pmap_protect(&s->pmap, start, end, vma_leaf_prot(v, v->flags & VMA_SHARED));
}

/* Linux first tries to give the range to a neighbour without splitting:
 * when [start, end) is the head of v and prev, with the new flags, could
 * merge with it, prev grows over it and v shrinks (and the mirror case at
 * v's tail). No record is added, so the VMA limit does not apply. Returns
 * the neighbour now covering the range, or NULL. */
static struct vma *space_protect_shift(struct space *s, struct vma *v, struct vma *prev, struct vma *next,
                                       uaddr_t start, uaddr_t end, unsigned nf)
{
    uint64_t pages = (end - start) >> PAGE_SHIFT;
    struct vma piece = *v;

    piece.start = start;
    piece.end = end;
    piece.flags = nf & VMA_FLAGS_MASK;
    piece.pgoff = v->pgoff + ((start - v->start) >> PAGE_SHIFT);
    if (start == v->start && end < v->end && !v->gap_pages) {
        if (!prev || !vma_can_merge(prev, &piece))
            return 0;
        vma_tree_adjust(&s->vmas, v, end, v->end);
        v->pgoff += pages;
        vma_tree_adjust(&s->vmas, prev, prev->start, end);
        if (!vma_identity(prev) && vma_identity(v))
            vma_identity_take(prev, v);
        space_protect_leaves(s, prev, start, end, v->flags);
        return prev;
    }
    if (end == v->end && start > v->start) {
        if (!next || !vma_can_merge(&piece, next))
            return 0;
        vma_tree_adjust(&s->vmas, v, v->start, start);
        vma_tree_adjust(&s->vmas, next, start, next->end);
        next->pgoff -= pages;
        if (!vma_identity(next) && vma_identity(v))
            vma_identity_take(next, v);
        space_protect_leaves(s, next, start, end, v->flags);
        return next;
    }
    return 0;
}

/* Apply new flags to [start, end) inside v, whose neighbours are prev and
 * next. Returns the VMA now covering the range's end, or NULL with *err
 * set. */
static struct vma *space_protect_vma(struct space *s, struct vma *v, struct vma *prev, struct vma *next,
                                     uaddr_t start, uaddr_t end, unsigned nf, int *err)
{
    struct vma_spares sp;
    unsigned need = (v->start < start) + (v->end > end);

    if (nf == v->flags)
        return v;
    struct vma *took = space_protect_shift(s, v, prev, next, start, end, nf);
    if (took)
        return took;
    if (vma_spares_get(&sp, need)) {
        *err = -ENOMEM;
        return 0;
    }
    /* Linux splits one end at a time, each split checked against the VMA
     * limit; a refused second split leaves the first in place. */
    for (int side = 0; side < 2; side++) {
        uaddr_t at = side == 0 ? start : end;
        if (at <= v->start || at >= v->end)
            continue;
        if (s->vmas.count >= s->max_map_count) {
            vma_spares_put(&sp);
            *err = -ENOMEM;
            return 0;
        }
        struct vma *hi = space_vma_split(s, v, at, vma_spares_take(&sp));
        if (side == 0)
            v = hi;
    }
    vma_spares_put(&sp);

    unsigned old = v->flags;
    v->flags = nf & VMA_FLAGS_MASK;
    space_protect_leaves(s, v, v->start, v->end, old);
    /* Without a split the tree is as it was found: the neighbours stand. */
    return need ? space_vma_merge(s, v) : space_vma_merge_near(s, v, prev, next);
}

/* Contract: see space.h. */
int space_protect(struct space *s, uaddr_t addr, uint64_t len, unsigned long prot)
{
    unsigned long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
    uaddr_t start = addr, end, pos;
    struct vma *v, *prev, *next;
    int err = 0;

    prot &= ~(unsigned long)(PROT_GROWSDOWN | PROT_GROWSUP);
    if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
        return -EINVAL;
    if (!page_aligned(start))
        return -EINVAL;
    if (len == 0)
        return 0;
    if (!page_up_checked(len, &len) || start + len <= start)
        return -ENOMEM;
    end = start + len;
    if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
        return -EINVAL;

    /* One descent finds the first VMA and its neighbours, for its merge. */
    v = vma_tree_find_after_near(&s->vmas, start, &prev, &next);
    if (!v)
        return -ENOMEM;
    if (grows & PROT_GROWSDOWN) {
        if (v->start >= end)
            return -ENOMEM;
        start = v->start;
        if (!(v->flags & VMA_GROWSDOWN))
            return -EINVAL;
    } else {
        if (v->start > start)
            return -ENOMEM;
        if (grows & PROT_GROWSUP)
            return -EINVAL; /* no VMA grows up on these architectures */
    }

    pos = start;
    while (pos < end) {
        /* The first piece starts in v (start is in it, or is its start). */
        if (pos != start)
            v = vma_tree_find_after_near(&s->vmas, pos, &prev, &next);
        if (!v || v->start > pos) {
            err = -ENOMEM; /* a hole: what came before it stays changed */
            break;
        }
        if ((prot & PROT_WRITE) && !(v->flags & VMA_MAYWRITE)) {
            err = -EACCES;
            break;
        }
        uaddr_t piece_start = pos, piece_end = MM_MIN(v->end, end);
        unsigned nf = vma_protect_flags(v, prot);
        /* Newly charged memory must pass the overcommit check. */
        if ((nf & ~v->flags & VMA_ACCOUNT) && !space_may_commit((piece_end - piece_start) >> PAGE_SHIFT)) {
            err = -ENOMEM;
            break;
        }
        if (!space_protect_vma(s, v, prev, next, piece_start, piece_end, nf, &err))
            break;
        if (s->policy == SPACE_EAGER && (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
            (void)space_populate(s, piece_start, piece_end);
        pos = piece_end;
    }
    return err;
}
