/* mm/space_fork.c — fork: duplicate an address space with copy-on-write.
 *
 * The child gets a copy of every VMA (sharing its object) and of every
 * page-table leaf (sharing its frame, whose reference count goes up). In a
 * private mapping both sides lose write permission on their leaves first, so
 * the first write on either side faults and copies the page (or reuses it in
 * place once the other side has let go: see fault_break_cow). Shared
 * mappings keep writable leaves: both sides see each other's writes.
 * MADV_DONTFORK ranges are left out of the child, MADV_WIPEONFORK ones
 * arrive empty. */
#include "space_internal.h"

/* Contract: see space.h. */
int space_fork(struct space *parent, struct space **out)
{
    struct space_config cfg = {
        .min_addr = parent->min_addr,
        .mmap_base = parent->mmap_base,
        .max_map_count = parent->max_map_count,
        .policy = parent->policy,
        .no_thp_align = !parent->thp_align,
        .stack_limit = parent->stack_limit,
        .memlock_limit = parent->memlock_limit,
    };
    struct space *c;
    int err;

    err = space_create(&c, &cfg);
    if (err)
        return err;
    c->brk_start = parent->brk_start;
    c->brk = parent->brk;
    c->start_stack = parent->start_stack;

    for (struct vma *v = vma_tree_first(&parent->vmas); v; v = vma_tree_next(&parent->vmas, v)) {
        if (v->flags & VMA_DONTCOPY)
            continue; /* MADV_DONTFORK: the child has a hole here */
        struct vma *nv = vma_alloc();
        if (!nv) {
            err = -ENOMEM;
            goto out_destroy;
        }
        nv->start = v->start;
        nv->end = v->end;
        nv->flags = v->flags & ~VMA_LOCKED; /* memory locks are not inherited */
        nv->pgoff = v->pgoff;
        nv->obj = v->obj;
        if (v->flags & VMA_WIPEONFORK) {
            /* MADV_WIPEONFORK (private anonymous only): the child gets the
             * range empty, reading zeros, with no identity of its own yet. */
            nv->obj = 0;
            vma_tree_insert(&c->vmas, nv);
            continue;
        }
        if (nv->obj)
            vm_object_ref(nv->obj);
        vma_tree_insert(&c->vmas, nv);

        /* Private writable pages become copy-on-write on both sides: one
         * pass takes write permission from the parent's leaves and copies
         * them. (A private VMA's leaves carry its protection, or less write
         * permission, so taking the write bit is what mprotect to the
         * VMA's protection without write would do.) */
        bool cow = !(v->flags & VMA_SHARED) && (v->flags & VMA_WRITE);
        uint64_t copied = 0;
        err = pmap_copy(&c->pmap, &parent->pmap, v->start, v->end, cow, &copied);
        c->resident += copied;
        if (err)
            goto out_destroy;
    }
    *out = c;
    return 0;

out_destroy:
    space_destroy(c);
    return err;
}
