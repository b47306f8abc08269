/* mm/space_advise.c — madvise: advice on a range, applied VMA by VMA as
 * Linux does (mm/madvise.c): dropping pages (MADV_DONTNEED, MADV_FREE),
 * punching holes in shared memory (MADV_REMOVE), populating
 * (MADV_POPULATE_READ/WRITE), and the advice that becomes a VMA flag
 * (MADV_DONTFORK, MADV_WIPEONFORK, MADV_DONTDUMP, MADV_HUGEPAGE,
 * MADV_NOHUGEPAGE, MADV_RANDOM, MADV_SEQUENTIAL and their opposites), which
 * splits and merges VMAs like mprotect.
 *
 * MADV_REMOVE punches the hole in shared anonymous memory here, and in a
 * file through its owner (vm_object_file_punch).
 *
 * Checks, in Linux's order: unknown advice -EINVAL; unaligned start
 * -EINVAL; a nonzero length that rounds up to 0, or a range that wraps,
 * -EINVAL; length 0 succeeds. Then, except for populating, each VMA piece
 * of the range is advised in address order; a hole is skipped and reported
 * as -ENOMEM at the end, unless nothing is mapped at or above the current
 * position, which stops the walk with -ENOMEM at once; the first error a
 * VMA reports stops the walk. Populating stops at the first hole
 * (-ENOMEM).
 *
 * The read-ahead and huge-page hints are only recorded (nothing here reads
 * ahead or has huge pages), but recorded they are, because Linux's VMAs
 * split on them. Accepted without effect: MADV_WILLNEED, MADV_MERGEABLE,
 * MADV_UNMERGEABLE (page merging; Linux records these only with KSM), MADV_COLD,
 * MADV_PAGEOUT (reclaim; refused on locked VMAs as on Linux). Refused
 * as unknown
 * (-EINVAL): MADV_COLLAPSE (no huge pages to collapse into), the guard
 * region advice (no guard markers in page tables) and the memory-failure
 * injections (as on a kernel built without them). */
#include "page_index.h"
#include "space_internal.h"

static bool advise_known(int advice)
{
    switch (advice) {
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
    case MADV_DONTNEED:
    case MADV_FREE:
    case MADV_REMOVE:
    case MADV_DONTFORK:
    case MADV_DOFORK:
    case MADV_MERGEABLE:
    case MADV_UNMERGEABLE:
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
    case MADV_DONTDUMP:
    case MADV_DODUMP:
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK:
    case MADV_COLD:
    case MADV_PAGEOUT:
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
    case MADV_DONTNEED_LOCKED:
        return true;
    default:
        return false;
    }
}

/* Linux's "anonymous VMA": private, and not backed by a file. */
static bool vma_is_private_anon(const struct vma *v)
{
    return !(v->flags & VMA_SHARED) && !vm_object_source(v->obj);
}

/* Set flags nf on [start, end) inside v, splitting v at the ends and
 * merging the result with its neighbours. As on Linux, a piece that can
 * merge into the neighbour at a VMA boundary needs no split there, and
 * each real split is refused at the VMA limit (the first may then stay).
 * Returns 0 or -EAGAIN (limit, or no memory for a record). */
static int advise_set_flags(struct space *s, struct vma *v, uaddr_t start, uaddr_t end, unsigned nf)
{
    struct vma_spares sp;
    struct vma piece;
    struct vma *prev, *next;
    bool into_prev, into_next;
    int err = 0;

    if (nf == v->flags)
        return 0;
    piece = *v;
    piece.start = start;
    piece.end = end;
    piece.pgoff = v->pgoff + ((start - v->start) >> PAGE_SHIFT);
    piece.flags = nf & VMA_FLAGS_MASK;
    prev = start == v->start ? vma_tree_prev(&s->vmas, v) : 0;
    next = end == v->end ? vma_tree_next(&s->vmas, v) : 0;
    into_prev = prev && vma_can_merge(prev, &piece);
    into_next = next && vma_can_merge(&piece, next);

    if (vma_spares_get(&sp, (start > v->start) + (end < v->end)))
        return -EAGAIN;
    if (start > v->start) {
        if (!into_next && s->vmas.count >= s->max_map_count) {
            err = -EAGAIN;
            goto out;
        }
        v = space_vma_split(s, v, start, vma_spares_take(&sp));
    }
    if (end < v->end) {
        if (!into_prev && s->vmas.count >= s->max_map_count) {
            err = -EAGAIN;
            goto out;
        }
        space_vma_split(s, v, end, vma_spares_take(&sp));
    }
    v->flags = nf & VMA_FLAGS_MASK;
    space_vma_merge(s, v);
out:
    vma_spares_put(&sp);
    return err;
}

struct zero_range {
    uint64_t first, last;
};

static void zero_in_range(void *arg, uint64_t pgoff, paddr_t pa)
{
    const struct zero_range *z = arg;
    if (pgoff >= z->first && pgoff < z->last)
        __builtin_memset(platform_phys_to_virt(pa), 0, PAGE_SIZE);
}

/* MADV_REMOVE on shared anonymous memory: a hole in the object behind
 * [start, end) of v, so every mapping sees zeros there. Every leaf that
 * maps one of its pages must go before the page is freed; without a
 * reverse map only this space's leaves can be found. So when every
 * reference to the object comes from this space's VMAs the pages are
 * freed (Linux's shmem hole); otherwise (the object is shared across
 * fork) they are zeroed in place and stay, which every mapping sees the
 * same way: zeros, and one page for later writes. Returns 0. */
static int advise_punch_shared_anon(struct space *s, struct vma *v, uaddr_t start, uaddr_t end)
{
    struct vm_object *obj = v->obj;
    struct page_index *idx = obj->priv;
    uint64_t first = v->pgoff + ((start - v->start) >> PAGE_SHIFT);
    uint64_t last = MM_MIN(first + ((end - start) >> PAGE_SHIFT), idx->npages);
    uint64_t holders = 0;
    struct vma *u;

    for (u = vma_tree_first(&s->vmas); u; u = vma_tree_next(&s->vmas, u))
        holders += u->obj == obj;
    if (holders != obj->refs) {
        struct zero_range z = {first, last};
        page_index_walk(idx, zero_in_range, &z);
        return 0;
    }
    for (u = vma_tree_first(&s->vmas); u; u = vma_tree_next(&s->vmas, u)) {
        if (u->obj != obj)
            continue;
        uint64_t lo = MM_MAX(first, u->pgoff), hi = MM_MIN(last, u->pgoff + vma_pages(u));
        if (lo < hi)
            pmap_remove(&s->pmap, u->start + ((lo - u->pgoff) << PAGE_SHIFT),
                        u->start + ((hi - u->pgoff) << PAGE_SHIFT), space_leaf_put, s);
    }
    if (first < last)
        page_index_remove_range(idx, first, last, frame_unref);
    return 0;
}

/* MADV_REMOVE on one VMA piece (Linux: punch a hole in the file behind a
 * shared writable mapping; the file reads back zeros there, its size
 * stays, every mapping sees the zeros and private copies stay). Errors as
 * Linux's: -EINVAL locked or not a file, -EACCES not a shared mapping that
 * may write, -EOPNOTSUPP a file that cannot punch holes. */
static int advise_remove(struct space *s, struct vma *v, uaddr_t start, uaddr_t end)
{
    if (v->flags & VMA_LOCKED)
        return -EINVAL;
    if (!vm_object_source(v->obj))
        return -EINVAL; /* no file behind it */
    if ((v->flags & (VMA_SHARED | VMA_MAYWRITE)) != (VMA_SHARED | VMA_MAYWRITE))
        return -EACCES;
    if (v->obj->kind == VM_OBJECT_SHARED_ANON)
        return advise_punch_shared_anon(s, v, start, end);
    /* A file: its owner punches the hole in every mapping of it; without a
     * punch hook (or a host's own object) it answers as a Linux file
     * system without fallocate. */
    if (!vm_object_file_index(v->obj))
        return -EOPNOTSUPP;
    uint64_t first = v->pgoff + ((start - v->start) >> PAGE_SHIFT);
    return vm_object_file_punch(v->obj, first, first + ((end - start) >> PAGE_SHIFT));
}

/* Apply advice to [start, end), which lies inside v. */
static int advise_vma(struct space *s, struct vma *v, uaddr_t start, uaddr_t end, int advice)
{
    unsigned f = v->flags;

    switch (advice) {
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
    case MADV_FREE:
        if ((f & VMA_LOCKED) && advice != MADV_DONTNEED_LOCKED)
            return -EINVAL;
        if (advice == MADV_FREE && !vma_is_private_anon(v))
            return -EINVAL;
        /* Drop the leaves. Private anonymous data goes with them (a later
         * access sees zeros; MADV_FREE may discard at once); an object's
         * pages stay in the object and come back on the next fault. */
        pmap_remove(&s->pmap, start, end, space_leaf_put, s);
        return 0;
    case MADV_REMOVE:
        return advise_remove(s, v, start, end);
    case MADV_COLD:
    case MADV_PAGEOUT:
        return (f & VMA_LOCKED) ? -EINVAL : 0;
    case MADV_DONTFORK:
        return advise_set_flags(s, v, start, end, f | VMA_DONTCOPY);
    case MADV_DOFORK:
        return advise_set_flags(s, v, start, end, f & ~(unsigned)VMA_DONTCOPY);
    case MADV_WIPEONFORK:
        if (!vma_is_private_anon(v))
            return -EINVAL;
        return advise_set_flags(s, v, start, end, f | VMA_WIPEONFORK);
    case MADV_KEEPONFORK:
        return advise_set_flags(s, v, start, end, f & ~(unsigned)VMA_WIPEONFORK);
    case MADV_DONTDUMP:
        return advise_set_flags(s, v, start, end, f | VMA_DONTDUMP);
    case MADV_DODUMP:
        return advise_set_flags(s, v, start, end, f & ~(unsigned)VMA_DONTDUMP);
    case MADV_NOHUGEPAGE:
        return advise_set_flags(s, v, start, end, (f & ~(unsigned)VMA_HUGEPAGE) | VMA_NOHUGEPAGE);
    case MADV_HUGEPAGE:
        return advise_set_flags(s, v, start, end, (f & ~(unsigned)VMA_NOHUGEPAGE) | VMA_HUGEPAGE);
    case MADV_NORMAL:
        return advise_set_flags(s, v, start, end, f & ~(unsigned)(VMA_RANDOM | VMA_SEQUENTIAL));
    case MADV_RANDOM:
        return advise_set_flags(s, v, start, end, (f & ~(unsigned)VMA_SEQUENTIAL) | VMA_RANDOM);
    case MADV_SEQUENTIAL:
        return advise_set_flags(s, v, start, end, (f & ~(unsigned)VMA_RANDOM) | VMA_SEQUENTIAL);
    default:
        return 0; /* hints: see the file comment */
    }
}

/* MADV_POPULATE_READ / _WRITE: fault every page in as a read or a write
 * would (a write breaks copy-on-write sharing). Stops at the first hole
 * (-ENOMEM), at a VMA that does not allow the access (-EINVAL), at a page
 * beyond the end of its object (-EFAULT) or when memory runs out
 * (-ENOMEM). Pages before the stop stay populated. */
static int advise_populate(struct space *s, uaddr_t start, uaddr_t end, bool write)
{
    unsigned access = write ? ACCESS_WRITE : ACCESS_READ;

    while (start < end) {
        struct vma *v = space_vma_find(s, start);
        if (!v)
            return -ENOMEM;
        if (!(v->flags & (write ? VMA_WRITE : VMA_READ)))
            return -EINVAL;
        uaddr_t stop = MM_MIN(end, v->end);
        for (; start < stop; start += PAGE_SIZE) {
            enum fault_result r = space_fault_vma(s, v, start, access);
            if (r == FAULT_OOM)
                return -ENOMEM;
            if (r != FAULT_OK)
                return -EFAULT;
        }
    }
    return 0;
}

/* Contract: see space.h. */
int space_advise(struct space *s, uaddr_t addr, uint64_t len, int advice)
{
    uint64_t alen = (len + PAGE_SIZE - 1) & PAGE_MASK; /* wraps as Linux's does */
    uaddr_t end = addr + alen, pos = addr;
    int unmapped = 0, err;

    if (!advise_known(advice))
        return -EINVAL;
    if (!page_aligned(addr))
        return -EINVAL;
    if (len && !alen)
        return -EINVAL;
    if (end < addr)
        return -EINVAL;
    if (end == addr)
        return 0;
    if (advice == MADV_POPULATE_READ || advice == MADV_POPULATE_WRITE)
        return advise_populate(s, addr, end, advice == MADV_POPULATE_WRITE);

    while (pos < end) {
        struct vma *v = vma_tree_find_after(&s->vmas, pos);
        if (!v)
            return -ENOMEM;
        if (pos < v->start) {
            unmapped = -ENOMEM;
            pos = v->start;
            if (pos >= end)
                break;
        }
        uaddr_t stop = MM_MIN(end, v->end);
        err = advise_vma(s, v, pos, stop, advice);
        if (err)
            return err;
        pos = stop;
    }
    return unmapped;
}
