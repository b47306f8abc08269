/* mm/space_protect.c — mprotect: change the protection of a range VMA by
 * VMA, splitting at the ends and merging afterwards, stopping with -ENOMEM
 * at the first hole (the VMAs before it stay changed, as on Linux). */
#include "space_internal.h"

/* Linux's rule for charging private writable memory: it becomes accounted
 * when PROT_WRITE is first added, and stays accounted afterwards. */
static unsigned vma_protect_flags(unsigned old, unsigned long prot)
{
    unsigned nf = (old & ~(unsigned)VMA_PROT_MASK) | (unsigned)(prot & VMA_PROT_MASK);
    if ((prot & PROT_WRITE) && !(old & (VMA_ACCOUNT | VMA_WRITE | VMA_SHARED | VMA_NORESERVE)))
        nf |= VMA_ACCOUNT;
    return nf;
}

/* Apply new flags to [start, end) inside v. Returns the VMA now covering
 * the range's end, or NULL with *err set. */
static struct vma *space_protect_vma(struct space *s, struct vma *v, uaddr_t start, uaddr_t end,
                                     unsigned nf, int *err)
{
    struct vma_spares sp;
    unsigned need = (v->start < start) + (v->end > end);

    if (nf == v->flags)
        return v;
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
    v->flags = nf & 0xffff;
    /* Leaves are rewritten to the new protection, except that a private
     * mapping never gains a writable leaf here: the first write faults and
     * decides (the frame may be shared, or the zero page). */
    bool shared = nf & VMA_SHARED;
    unsigned leaf = vma_leaf_prot(v, shared);
    if ((old & VMA_PROT_MASK) != (nf & VMA_PROT_MASK))
        pmap_protect(&s->pmap, v->start, v->end, leaf);
    return space_vma_merge(s, v);
}

/* Contract: see space.h. */
int space_protect(struct space *s, uaddr_t addr, uint64_t len, unsigned long prot)
{
    unsigned long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
    uaddr_t start = addr, end, pos;
    struct vma *v;
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

    v = vma_tree_find_after(&s->vmas, start);
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
        v = vma_tree_find_after(&s->vmas, pos);
        if (!v || v->start > pos) {
            err = -ENOMEM; /* a hole: what came before it stays changed */
            break;
        }
        if ((prot & PROT_WRITE) && !(v->flags & VMA_MAYWRITE)) {
            err = -EACCES;
            break;
        }
        uaddr_t piece_start = pos, piece_end = MM_MIN(v->end, end);
        if (!space_protect_vma(s, v, piece_start, piece_end, vma_protect_flags(v->flags, prot), &err))
            break;
        if (s->policy == SPACE_EAGER && (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
            (void)space_populate(s, piece_start, piece_end);
        pos = piece_end;
    }
    return err;
}
