/* mm/space_mincore.c — mincore: report which pages of a range are in
 * memory, one byte per page, written to a user buffer.
 *
 * As on Linux (mm/mincore.c): an unaligned start is -EINVAL; a range
 * outside user space is -ENOMEM; a vector that cannot hold one byte per
 * page is -EFAULT; then the range is answered VMA by VMA in chunks, each
 * copied out before the next is looked at, so a hole (-ENOMEM) or a bad
 * vector page (-EFAULT) leaves the bytes before it written. A page counts
 * as in memory when a leaf maps it (even a PROT_NONE one), or, without a
 * leaf, when the object the VMA's pages come from holds it: a file's page
 * cache (behind a shared or a private mapping: Linux asks the page cache
 * of the VMA's file either way) or shared anonymous memory. Linux answers
 * "all in memory" for a file the caller could not write; the caller's
 * rights are not known here, so every file is answered. */
#include <mm/uaccess.h>

#include "page_index.h"
#include "space_internal.h"

/* Bytes answered per chunk: bounded stack use whatever the length. */
#define MINCORE_CHUNK 256

struct mincore_chunk {
    uaddr_t start;
    uint8_t *vec;
};

static void mincore_mark(void *arg, uaddr_t va, paddr_t pa, unsigned prot)
{
    struct mincore_chunk *c = arg;
    (void)pa, (void)prot;
    c->vec[(va - c->start) >> PAGE_SHIFT] = 1;
}

/* Whether the object src that v's pages come from holds the page mapped
 * at va. Private anonymous pages exist only as leaves. */
static uint8_t mincore_object_page(struct vm_object *src, const struct vma *v, uaddr_t va)
{
    uint64_t pgoff = v->pgoff + ((va - v->start) >> PAGE_SHIFT);
    paddr_t pa;

    if (src->kind == VM_OBJECT_SHARED_ANON)
        return page_index_lookup(src->priv, pgoff, &pa);
    const struct page_index *idx = vm_object_file_index(src);
    return idx && page_index_lookup(idx, pgoff, &pa);
}

/* Contract: see space.h. */
int space_mincore(struct space *s, uaddr_t addr, uint64_t len, uaddr_t vec)
{
    uint8_t buf[MINCORE_CHUNK];
    struct mincore_chunk c = {.vec = buf};
    uint64_t pages;

    if (!page_aligned(addr))
        return -EINVAL;
    if (!access_ok(s, addr, len))
        return -ENOMEM;
    pages = (len >> PAGE_SHIFT) + !page_aligned(len); /* no overflow, unlike rounding len */
    if (!access_ok(s, vec, pages))
        return -EFAULT;

    while (pages) {
        struct vma *v = space_vma_find(s, addr);
        if (!v)
            return -ENOMEM;
        uint64_t n = MM_MIN(MM_MIN(pages, (uint64_t)MINCORE_CHUNK), (v->end - addr) >> PAGE_SHIFT);
        __builtin_memset(buf, 0, n);
        c.start = addr;
        pmap_walk(&s->pmap, addr, addr + (n << PAGE_SHIFT), mincore_mark, &c);
        struct vm_object *src = vm_object_source(v->obj);
        if (src) {
            for (uint64_t i = 0; i < n; i++)
                if (!buf[i])
                    buf[i] = mincore_object_page(src, v, addr + (i << PAGE_SHIFT));
        }
        if (copy_to_user(s, vec, buf, n))
            return -EFAULT;
        pages -= n;
        vec += n;
        addr += n << PAGE_SHIFT;
    }
    return 0;
}
