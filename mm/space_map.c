/* mm/space_map.c — mmap: argument checks in Linux's order, placement
 * (hint, fixed, top-down search with a bottom-up fallback), and creating
 * the VMA, merged with its neighbours where Linux would merge it. */
#include "space_internal.h"

/* Linux's placement for a mapping without MAP_FIXED: the hint when the
 * range is free and in bounds, else the highest gap below mmap_base, else
 * the lowest gap above a third of the address space. */
static int64_t space_place(struct space *s, uaddr_t hint, uint64_t len)
{
    uaddr_t low = MM_MAX(s->min_addr, PAGE_SIZE), addr;

    if (len > s->top - low)
        return -ENOMEM;
    if (hint) {
        uaddr_t h = arch_mmap_hint_align(hint);
        if (h && h >= low && h <= s->top - len) {
            struct vma *next = vma_tree_find_after(&s->vmas, h);
            if (!next || h + len <= next->start)
                return (int64_t)h;
        }
    }
    /* The gap above the last VMA is not in the tree's gap index. */
    struct vma *last = vma_tree_last(&s->vmas);
    uaddr_t high = s->mmap_base;
    uaddr_t top_gap_start = last ? last->end : low;
    if (high >= low + len && MM_MAX(top_gap_start, low) <= high - len)
        return (int64_t)(high - len);
    if (vma_tree_gap_topdown(&s->vmas, len, low, high, &addr))
        return (int64_t)addr;
    /* Bottom-up from a third of the address space, as Linux falls back. */
    low = MM_MAX(low, page_down(s->top / 3));
    if (vma_tree_gap_bottomup(&s->vmas, len, low, s->top, &addr))
        return (int64_t)addr;
    if (MM_MAX(top_gap_start, low) <= s->top - len)
        return (int64_t)MM_MAX(top_gap_start, low);
    return -ENOMEM;
}

static unsigned long space_map_vma_flags(unsigned long prot, unsigned long flags, bool shared,
                                         bool file, bool maywrite)
{
    unsigned long vf = prot & VMA_PROT_MASK;
    if (shared)
        vf |= VMA_SHARED;
    if (!shared || !file || maywrite)
        vf |= VMA_MAYWRITE;
    if (flags & MAP_NORESERVE)
        vf |= VMA_NORESERVE;
    else if (!shared && (prot & PROT_WRITE))
        vf |= VMA_ACCOUNT;
    if (flags & MAP_GROWSDOWN)
        vf |= VMA_GROWSDOWN;
    if (flags & MAP_LOCKED)
        vf |= VMA_LOCKED;
    return vf;
}

/* Contract: see space.h. */
int64_t space_map(struct space *s, uaddr_t addr, uint64_t len, unsigned long prot,
                  unsigned long flags, struct vm_object *obj, uint64_t off, bool maywrite)
{
    bool fixed, shared;
    struct range_plan plan = {0};
    uint64_t pgoff = off >> PAGE_SHIFT;
    unsigned long type = flags & MAP_TYPE;
    struct vma_spares sp;
    struct vm_object *newobj = 0;
    struct vma *v;
    int64_t where;

    if (!page_aligned(off))
        return -EINVAL;
    if (len == 0)
        return -EINVAL;
    if (flags & MAP_FIXED_NOREPLACE)
        flags |= MAP_FIXED;
    fixed = flags & MAP_FIXED;
    if (!fixed && addr && addr < s->min_addr)
        addr = s->min_addr;
    if (!page_up_checked(len, &len))
        return -ENOMEM;
    if (pgoff + (len >> PAGE_SHIFT) < pgoff)
        return -EOVERFLOW;
    if (s->vmas.count > s->max_map_count)
        return -ENOMEM;

    /* Placement (Linux's get_unmapped_area). */
    if (len > s->top)
        return -ENOMEM;
    if (fixed) {
        if (addr > s->top - len)
            return -ENOMEM;
        if (!page_aligned(addr))
            return -EINVAL;
        if (addr < s->min_addr)
            return -EPERM;
        where = (int64_t)addr;
    } else {
        where = space_place(s, addr, len);
        if (where < 0)
            return where;
    }
    addr = (uaddr_t)where;
    if (flags & MAP_FIXED_NOREPLACE) {
        struct vma *hit = vma_tree_find_after(&s->vmas, addr);
        if (hit && hit->start < addr + len)
            return -EEXIST;
    }

    /* The mapping type. */
    if (obj) {
        if (type != MAP_SHARED && type != MAP_SHARED_VALIDATE && type != MAP_PRIVATE)
            return -EINVAL;
        shared = type != MAP_PRIVATE;
    } else {
        if (type == MAP_SHARED) {
            if (flags & MAP_GROWSDOWN)
                return -EINVAL;
            pgoff = 0;
        } else if (type == MAP_PRIVATE) {
            pgoff = addr >> PAGE_SHIFT;
        } else {
            return -EINVAL;
        }
        shared = type == MAP_SHARED;
    }

    /* Allocate everything first: the new record, the records splitting
     * what MAP_FIXED replaces, a shared object. After this nothing fails. */
    if (fixed)
        space_range_plan(s, addr, addr + len, &plan);
    if (plan.middle && s->vmas.count >= s->max_map_count)
        return -ENOMEM;
    if (vma_spares_get(&sp, plan.splits + 1))
        return -ENOMEM;
    if (!obj && shared) {
        newobj = vm_object_shared_anon_create(len >> PAGE_SHIFT);
        if (!newobj) {
            vma_spares_put(&sp);
            return -ENOMEM;
        }
    } else if (obj) {
        vm_object_ref(obj);
        newobj = obj;
    }

    space_range_clear(s, addr, addr + len, &plan, &sp);
    v = vma_spares_take(&sp);
    v->start = addr;
    v->end = addr + len;
    v->obj = newobj;
    v->pgoff = pgoff;
    v->flags = space_map_vma_flags(prot, flags, shared, obj != 0, maywrite) & 0xffff;
    vma_tree_insert(&s->vmas, v);
    vma_spares_put(&sp);
    v = space_vma_merge(s, v);

    if (s->policy == SPACE_EAGER) {
        if (space_populate(s, addr, addr + len)) {
            /* The eager pager promises populated memory: undo. */
            space_unmap(s, addr, len);
            return -ENOMEM;
        }
    } else if ((flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE || (flags & MAP_LOCKED)) {
        (void)space_populate(s, addr, addr + len); /* errors ignored, as on Linux */
    }
    return (int64_t)addr;
}
