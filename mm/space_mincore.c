/* mm/space_mincore.c — mincore: report which pages of a range are in
 * memory, one byte per page, written to a user buffer.
 *
 * As on Linux (mm/mincore.c): an unaligned start is -EINVAL; a range
 * outside user space is -ENOMEM; a vector that cannot hold one byte per
 * page is -EFAULT; then the range is answered VMA by VMA in chunks, each
 * copied out before the next is looked at, so a hole (-ENOMEM) or a bad
 * vector page (-EFAULT) leaves the bytes before it written. A page counts
 * as in memory when a leaf maps it (even a PROT_NONE one), or, without a
 * leaf, when the object behind a shared mapping holds it (Linux asks the
 * page cache of the VMA's file, shared anonymous memory included).
 * Linux answers "all in memory" for a file the caller could not write;
 * the caller's rights are not known here, so every file is answered. */
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

/* Whether the object behind v holds the page mapped at va. Private
 * anonymous pages exist only as leaves. A file's pages live in its file
 * system's page cache, which vm_object_ops cannot query yet: until it can,
 * only mapped file pages count (the place to ask is here). */
static uint8_t mincore_object_page(const struct vma *v, uaddr_t va)
{
    uint64_t pgoff = v->pgoff + ((va - v->start) >> PAGE_SHIFT);
    paddr_t pa;

    if (v->obj->kind == VM_OBJECT_SHARED_ANON)
        return page_index_lookup(v->obj->priv, pgoff, &pa);
    return 0;
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
        if (v->obj && v->obj->kind != VM_OBJECT_ANON_IDENTITY) {
            for (uint64_t i = 0; i < n; i++)
                if (!buf[i])
                    buf[i] = mincore_object_page(v, addr + (i << PAGE_SHIFT));
        }
        if (copy_to_user(s, vec, buf, n))
            return -EFAULT;
        pages -= n;
        vec += n;
        addr += n << PAGE_SHIFT;
    }
    return 0;
}
