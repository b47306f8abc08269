/* mm/space_sync.c — msync: check a range and write back what a shared file
 * mapping has changed.
 *
 * As on Linux (mm/msync.c): unknown flags, an unaligned start, or both
 * MS_ASYNC and MS_SYNC are -EINVAL; the length rounds up to pages, wrapping
 * as Linux's does (a length that wraps to 0 succeeds), and a range that
 * then wraps is -ENOMEM; length 0 succeeds. The VMAs are visited in
 * order: a hole makes the result -ENOMEM (at once for plain MS_ASYNC, else
 * after the rest is done); MS_INVALIDATE on a locked VMA is -EBUSY and
 * stops. MS_SYNC writes back each shared file mapping's part of the range.
 * Anonymous memory and shared anonymous objects have no backing store, so
 * they have nothing to write. */
#include "space_internal.h"

/* Write back the pages of [start, end) of v, a shared file mapping, and
 * wait for it (MS_SYNC): the object's sync operation, given the page
 * range, when it has one (a file system with a backing store); a file kept
 * only in memory has nothing behind its pages. Returns 0 or a negative
 * errno, which msync returns. */
static int sync_file_pages(struct vma *v, uaddr_t start, uaddr_t end)
{
    uint64_t first = v->pgoff + ((start - v->start) >> PAGE_SHIFT);
    uint64_t last = first + ((end - start) >> PAGE_SHIFT);

    if (!v->obj->ops->sync)
        return 0;
    return v->obj->ops->sync(v->obj, first, last);
}

/* Contract: see space.h. */
int space_sync(struct space *s, uaddr_t addr, uint64_t len, int flags)
{
    uint64_t alen = (len + PAGE_SIZE - 1) & PAGE_MASK; /* wraps as Linux's does */
    uaddr_t end = addr + alen;
    int unmapped = 0, err;
    struct vma *v;

    if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
        return -EINVAL;
    if (!page_aligned(addr))
        return -EINVAL;
    if ((flags & MS_ASYNC) && (flags & MS_SYNC))
        return -EINVAL;
    if (end < addr)
        return -ENOMEM;
    if (end == addr)
        return 0;

    for (v = vma_tree_find_after(&s->vmas, addr);; v = vma_tree_find_after(&s->vmas, addr)) {
        if (!v)
            return -ENOMEM;
        if (addr < v->start) {
            if (flags == MS_ASYNC)
                return -ENOMEM; /* nothing left that this could change */
            addr = v->start;
            if (addr >= end)
                return -ENOMEM;
            unmapped = -ENOMEM;
        }
        if ((flags & MS_INVALIDATE) && (v->flags & VMA_LOCKED))
            return -EBUSY;
        uaddr_t stop = MM_MIN(end, v->end);
        if ((flags & MS_SYNC) && (v->flags & VMA_SHARED) && v->obj && v->obj->kind == VM_OBJECT_FILE) {
            err = sync_file_pages(v, addr, stop);
            if (err)
                return err;
        }
        addr = v->end;
        if (addr >= end)
            return unmapped;
    }
}
