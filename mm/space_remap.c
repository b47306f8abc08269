/* mm/space_remap.c — mremap: shrink a mapping in place, grow it into the
 * free space above it, or move it elsewhere. A move carries the page-table
 * leaves (the frames change address, not owner, so nothing is copied and
 * no reference count changes), the backing object and the page offset.
 *
 * The steps and their checks follow Linux (mm/mremap.c, 6.17 and later):
 *  1. argument checks, all -EINVAL: unknown flags; unaligned old address;
 *     new length 0 after rounding up to pages (lengths round with wrap, as
 *     PAGE_ALIGN does); new length above the end of user space; and when
 *     a destination is implied (FIXED or DONTUNMAP): destination range past
 *     the end of user space, unaligned destination, no MAYMOVE, DONTUNMAP
 *     with different lengths, destination overlapping the old range;
 *  2. -ENOMEM when the VMA count leaves no room for the worst case (two
 *     splits by unmapping, two by the move);
 *  3. FIXED with equal lengths is a pure move, which may span several
 *     VMAs and the holes between them (holes are kept in the destination);
 *     the range must start inside a VMA (-EFAULT);
 *  4. otherwise the VMA holding the old address is checked (-EFAULT when
 *     none). Shrinking or keeping the size in place needs nothing more: the
 *     tail is unmapped whatever lies there. Growing or moving needs the
 *     range (after any shrink) inside that one VMA (-EFAULT); a zero old
 *     length duplicates a shared mapping (-EINVAL when private); the page
 *     offset must not wrap (-EINVAL);
 *  5. in place: grow when the range ends at the VMA's end and the space
 *     above is free and inside user space, merging with the VMA above when
 *     compatible; else move when MAYMOVE allows (-ENOMEM otherwise);
 *  6. FIXED first unmaps the destination, then a shrinking request unmaps
 *     its tail, then the move; a destination below min_addr is -EPERM at
 *     that point, as get_unmapped_area refuses it after the unmapping;
 *  7. the move refuses (-ENOMEM) when fewer than two VMAs of headroom
 *     remain. A never-written private anonymous VMA takes its new address
 *     as page offset (so it can merge at the destination); any other keeps
 *     its old one, so a moved written VMA only merges with neighbours
 *     whose offsets line up. DONTUNMAP leaves the old range mapped but
 *     empty, clears its MAP_LOCKED, and a wholly moved private anonymous
 *     VMA loses its identity (Linux unlinks its anon_vma);
 *  8. a locked VMA that grew has its new part populated; so does one in an
 *     eager space. */
#include "space_internal.h"

/* One request as it goes through the steps. As on Linux the fields
 * change on the way: a shrink before a move sets old_len to new_len, and
 * a move over several VMAs runs one VMA at a time. */
struct remap_req {
    uaddr_t addr;         /* start of the old range */
    uint64_t old_len;     /* page aligned */
    uint64_t new_len;     /* page aligned, nonzero */
    uaddr_t new_addr;     /* the destination: fixed, hinted, or chosen */
    unsigned long flags;  /* MREMAP_* */
    struct vma *v;        /* the VMA holding addr */
    bool populate;        /* a locked VMA grows: fill the new part */
};

/* Round up to pages as Linux's PAGE_ALIGN does: wrapping past 2^64 gives
 * a small value (usually 0), which the callers' checks then see. */
static uint64_t remap_len_align(uint64_t len) { return (len + PAGE_SIZE - 1) & PAGE_MASK; }

static bool remap_has_dest(const struct remap_req *r)
{
    return r->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
}

/* Step 1: the checks that need no VMA. */
static int remap_check_args(const struct space *s, const struct remap_req *r)
{
    if (r->flags & ~(unsigned long)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
        return -EINVAL;
    if (!page_aligned(r->addr))
        return -EINVAL;
    if (r->new_len == 0 || r->new_len > s->top)
        return -EINVAL;
    if (!remap_has_dest(r))
        return 0;
    if (r->new_addr > s->top - r->new_len)
        return -EINVAL;
    if (!page_aligned(r->new_addr))
        return -EINVAL;
    if (!(r->flags & MREMAP_MAYMOVE))
        return -EINVAL;
    if ((r->flags & MREMAP_DONTUNMAP) && r->old_len != r->new_len)
        return -EINVAL;
    /* Overlap, computed with Linux's wrapping arithmetic. */
    if (r->addr + r->old_len > r->new_addr && r->new_addr + r->new_len > r->addr)
        return -EINVAL;
    return 0;
}

/* Step 4: what the VMA holding the old address must allow. Sets
 * new_addr to addr when no destination was given. */
static int remap_check_vma(struct remap_req *r)
{
    struct vma *v = r->v;
    uint64_t keep = MM_MIN(r->old_len, r->new_len), pgoff;

    if (!v)
        return -EFAULT;
    if (!remap_has_dest(r))
        r->new_addr = r->addr;
    if (!remap_has_dest(r) && r->new_len <= r->old_len)
        return 0; /* shrinking or no change, in place */
    if (r->old_len == 0 && !(v->flags & VMA_SHARED))
        return -EINVAL;
    if (keep > v->end - r->addr)
        return -EFAULT;
    if (r->new_len == keep)
        return 0;
    if (v->flags & VMA_LOCKED)
        r->populate = true;
    pgoff = v->pgoff + ((r->addr - v->start) >> PAGE_SHIFT);
    if (pgoff + (r->new_len >> PAGE_SHIFT) < pgoff)
        return -EINVAL;
    return 0;
}

/* ---- moving page-table leaves ---- */

#define REMAP_BATCH 64

/* Leaves gathered from one window of the old range. */
struct remap_batch {
    uaddr_t va[REMAP_BATCH];
    paddr_t pa[REMAP_BATCH];
    uint8_t prot[REMAP_BATCH];
    unsigned n;
    bool full; /* a leaf did not fit: the window continues after va[n - 1] */
};

static void remap_batch_add(void *arg, uaddr_t va, paddr_t pa, unsigned prot)
{
    struct remap_batch *b = arg;
    if (b->n == REMAP_BATCH) {
        b->full = true;
        return;
    }
    b->va[b->n] = va;
    b->pa[b->n] = pa;
    b->prot[b->n] = (uint8_t)prot;
    b->n++;
}

/* Move every leaf of [from, from + len) to the same offset from to, where
 * nothing is mapped. Each leaf keeps its frame and protection, and the
 * frame's reference passes from the old leaf to the new one, so counts
 * stay exact. All new leaves go in first (table pages may be needed);
 * only then are the old ones removed, which cannot fail. Returns 0, or
 * -ENOMEM with the page table as it was. */
static int remap_leaves_move(struct space *s, uaddr_t from, uaddr_t to, uint64_t len)
{
    struct remap_batch b;
    uaddr_t pos = from, end = from + len;
    uint64_t window = REMAP_BATCH * PAGE_SIZE;

    /* The window doubles over empty stretches, so a large sparse range
     * costs little, and halves when leaves overflow the batch. */
    while (pos < end) {
        uaddr_t stop = end - pos > window ? pos + window : end;
        b.n = 0;
        b.full = false;
        pmap_walk(&s->pmap, pos, stop, remap_batch_add, &b);
        for (unsigned i = 0; i < b.n; i++) {
            if (pmap_enter(&s->pmap, to + (b.va[i] - from), b.pa[i], b.prot[i])) {
                /* Only the copies live in the destination: drop them. */
                pmap_remove(&s->pmap, to, to + len, 0, 0);
                return -ENOMEM;
            }
        }
        if (b.full) {
            pos = b.va[b.n - 1] + PAGE_SIZE;
            window = MM_MAX(window / 2, REMAP_BATCH * PAGE_SIZE);
        } else {
            pos = stop;
            if (b.n == 0 && window < ((uint64_t)1 << 46))
                window *= 2;
        }
    }
    pmap_remove(&s->pmap, from, end, 0, 0);
    return 0;
}

/* ---- the move itself (Linux's move_vma) ---- */

/* What stays behind after MREMAP_DONTUNMAP: the old range keeps its VMA
 * (old, which may have merged with the new one, nv) but no pages. It loses
 * MAP_LOCKED, and when the whole VMA moved, a private anonymous one gives
 * up its identity (the new VMA keeps it). */
static void remap_dontunmap_finish(struct vma *old, const struct vma *nv, const struct remap_req *r)
{
    old->flags = old->flags & ~(unsigned)VMA_LOCKED;
    if (old != nv && r->addr == old->start && r->addr + r->old_len == old->end && vma_identity(old)) {
        /* Back to the file under it, or to none. */
        struct vm_object *id = old->obj, *src = vm_object_source(id);
        if (src)
            vm_object_ref(src);
        old->obj = src;
        vm_object_unref(id); /* nv holds it too: never the last reference */
    }
}

/* Move [addr, addr + old_len) of r->v to new_addr as a VMA of new_len
 * bytes, where nothing is mapped. Returns new_addr, or -ENOMEM with
 * nothing changed. */
static int64_t remap_vma_move(struct space *s, struct remap_req *r)
{
    struct vma *v = r->v, *nv;
    struct range_plan plan = {0};
    struct vma_spares sp;
    bool keep_old = r->flags & MREMAP_DONTUNMAP;
    int err;

    /* Linux's move_vma stays four VMAs below the limit. */
    if (s->vmas.count + 3 >= s->max_map_count)
        return -ENOMEM;
    if (!keep_old && r->old_len)
        space_range_plan(s, r->addr, r->addr + r->old_len, &plan);
    if (vma_spares_get(&sp, plan.splits + 1))
        return -ENOMEM;
    err = remap_leaves_move(s, r->addr, r->new_addr, r->old_len);
    if (err)
        goto out;

    nv = vma_spares_take(&sp);
    nv->start = r->new_addr;
    nv->end = r->new_addr + r->new_len;
    nv->flags = v->flags;
    nv->obj = v->obj;
    if (nv->obj)
        vm_object_ref(nv->obj);
    /* Never-written private anonymous memory has no identity yet: it
     * takes the new address as offset, as a fresh mapping would. */
    nv->pgoff = v->obj ? v->pgoff + ((r->addr - v->start) >> PAGE_SHIFT) : r->new_addr >> PAGE_SHIFT;
    vma_tree_insert(&s->vmas, nv);

    if (!keep_old)
        space_range_clear(s, r->addr, r->addr + r->old_len, &plan, &sp);
    /* As Linux's copy_vma, the new VMA merges with its neighbours; with
     * DONTUNMAP that may be the old VMA itself (never written, adjacent). */
    nv = space_vma_merge(s, nv);
    if (keep_old)
        remap_dontunmap_finish(space_vma_find(s, r->addr), nv, r);
out:
    vma_spares_put(&sp);
    return err ? err : (int64_t)r->new_addr;
}

/* Step 6: to a fixed destination, or one near a hint (DONTUNMAP). */
static int64_t remap_to(struct space *s, struct remap_req *r)
{
    int err;

    /* Before unmapping anything, Linux makes sure the move that follows
     * cannot then fail for the limit, even if both ends split. Resizing in
     * place has no such check. */
    if (s->vmas.count + 5 >= s->max_map_count)
        return -ENOMEM;
    if (r->flags & MREMAP_FIXED) {
        err = space_unmap(s, r->new_addr, r->new_len);
        if (err)
            return err;
        r->v = space_vma_find(s, r->addr);
        if (!r->v)
            return -EFAULT;
    }
    if (r->old_len > r->new_len) {
        err = space_unmap(s, r->addr + r->new_len, r->old_len - r->new_len);
        if (err)
            return err;
        r->v = space_vma_find(s, r->addr);
        if (!r->v)
            return -EFAULT;
        r->old_len = r->new_len;
    }
    if (r->flags & MREMAP_FIXED) {
        if (r->new_addr < s->min_addr)
            return -EPERM;
    } else {
        int64_t where = space_gap_find(s, r->new_addr, r->new_len);
        if (where < 0)
            return where;
        r->new_addr = (uaddr_t)where;
    }
    return remap_vma_move(s, r);
}

/* Absorb the VMA directly above v into v (its object passes to v when v
 * has none yet). */
static void remap_absorb_next(struct space *s, struct vma *v, struct vma *next)
{
    uaddr_t end = next->end;

    if (!vma_identity(v) && vma_identity(next)) {
        struct vm_object *old = v->obj;
        v->obj = next->obj;
        next->obj = old;
    }
    space_vma_remove(s, next);
    vma_tree_adjust(&s->vmas, v, v->start, end);
}

/* Whether v can grow by delta bytes where it is: no wrap, nothing mapped
 * in the way, still inside user space and not below min_addr (the checks
 * a fixed placement of the grown VMA would make). */
static bool remap_expandable(struct space *s, struct vma *v, uint64_t delta)
{
    uaddr_t end = v->end + delta;
    struct vma *next;

    if (end < v->end || end > s->top || v->start < s->min_addr)
        return false;
    next = vma_tree_next(&s->vmas, v);
    return !next || next->start >= end;
}

/* Step 5, growing. */
static int64_t remap_expand(struct space *s, struct remap_req *r)
{
    /* Growing charged memory charges the difference. */
    if ((r->v->flags & VMA_ACCOUNT) && !space_may_commit((r->new_len - r->old_len) >> PAGE_SHIFT))
        return -ENOMEM;
    struct vma *v = r->v, *next;
    int64_t where;

    if (v->end - r->addr == r->old_len && remap_expandable(s, v, r->new_len - r->old_len)) {
        vma_tree_adjust(&s->vmas, v, v->start, v->end + (r->new_len - r->old_len));
        /* Linux extends the VMA and merges it with the one above only. */
        next = vma_tree_next(&s->vmas, v);
        if (next && vma_can_merge(v, next))
            remap_absorb_next(s, v, next);
        return (int64_t)r->addr;
    }
    if (!(r->flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    where = space_gap_find(s, 0, r->new_len);
    if (where < 0)
        return where;
    r->new_addr = (uaddr_t)where;
    return remap_vma_move(s, r);
}

/* Step 5: no destination given. */
static int64_t remap_at(struct space *s, struct remap_req *r)
{
    int err;

    if (r->new_len == r->old_len)
        return (int64_t)r->addr;
    if (r->new_len < r->old_len) {
        err = space_unmap(s, r->addr + r->new_len, r->old_len - r->new_len);
        return err ? err : (int64_t)r->addr;
    }
    return remap_expand(s, r);
}

/* Step 3: MREMAP_FIXED with equal lengths moves every VMA piece in the
 * old range, keeping the holes between them. Stops at the first error;
 * pieces moved before it stay moved, as on Linux. */
static int64_t remap_move_range(struct space *s, const struct remap_req *req)
{
    uaddr_t start = req->addr, end = req->addr + req->old_len;
    uaddr_t pos = start, target = req->new_addr, last_end = 0;
    int64_t res = -EFAULT;
    bool seen = false;

    while (pos < end) {
        struct vma *v = vma_tree_find_after(&s->vmas, pos);
        if (!v || v->start >= end)
            break;
        if (!seen && start < v->start)
            return -EFAULT; /* the range must begin inside a VMA */
        uaddr_t piece = MM_MAX(v->start, start);
        uint64_t len = MM_MIN(end, v->end) - piece;
        uint64_t gap = seen ? v->start - last_end : 0;
        struct remap_req r = {
            .addr = piece,
            .old_len = len,
            .new_len = len,
            .new_addr = target + gap,
            .flags = req->flags,
            .v = v,
        };
        last_end = v->end;
        int err = remap_check_vma(&r);
        if (err)
            return err;
        int64_t moved = remap_to(s, &r);
        if (moved < 0)
            return moved;
        if (!seen)
            res = moved;
        seen = true;
        target = (uaddr_t)moved + len;
        pos = piece + len;
    }
    return res;
}

/* Contract: see space.h. */
int64_t space_remap(struct space *s, uaddr_t old, uint64_t old_len, uint64_t new_len,
                    unsigned long flags, uaddr_t new_addr)
{
    struct remap_req r = {
        .addr = old,
        .old_len = remap_len_align(old_len),
        .new_len = remap_len_align(new_len),
        .new_addr = new_addr,
        .flags = flags,
    };
    int64_t res;
    int err;

    err = remap_check_args(s, &r);
    if (err)
        return err;
    if ((flags & MREMAP_FIXED) && r.old_len == r.new_len)
        return remap_move_range(s, &r);

    r.v = space_vma_find(s, old);
    err = remap_check_vma(&r);
    if (err)
        return err;
    res = remap_has_dest(&r) ? remap_to(s, &r) : remap_at(s, &r);
    /* Step 8; failures to populate are ignored, as mm_populate's are. */
    if (res >= 0 && r.new_len > r.old_len && (r.populate || s->policy == SPACE_EAGER))
        (void)space_populate(s, r.new_addr + r.old_len, r.new_addr + r.new_len);
    return res;
}
