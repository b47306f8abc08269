/* mm/check.c — the O(n) invariant checker used by tests and debug builds:
 * VMA tree shape, page-table leaves against VMAs, and frame accounting
 * across every address space. */
#include <mm/check.h>
#include <mm/slab.h>

#include "frame_table.h"
#include "page_index.h"
#include "space_internal.h"

/* A tiny formatter: enough for "text 0x1234" messages without libc. */
struct check_buf {
    char *p;
    size_t left;
};

static void cb_str(struct check_buf *b, const char *s)
{
    while (*s && b->left > 1) {
        *b->p++ = *s++;
        b->left--;
    }
    *b->p = 0;
}

static void cb_hex(struct check_buf *b, uint64_t x)
{
    char tmp[19];
    int i = 18;
    tmp[i] = 0;
    do {
        tmp[--i] = "0123456789abcdef"[x & 15];
        x >>= 4;
    } while (x);
    tmp[--i] = 'x';
    tmp[--i] = '0';
    cb_str(b, &tmp[i]);
}

static int check_fail(char *buf, size_t sz, const char *what, uint64_t a, uint64_t b)
{
    struct check_buf cb = {buf, sz};
    if (!sz)
        return -1;
    cb_str(&cb, what);
    cb_str(&cb, " ");
    cb_hex(&cb, a);
    cb_str(&cb, " ");
    cb_hex(&cb, b);
    return -1;
}

struct leaf_check {
    struct space *s;
    uint64_t leaves;
    int bad;
    const char *what;
    uaddr_t va;
    uint64_t detail;
};

static void check_leaf(void *arg, uaddr_t va, paddr_t pa, unsigned prot)
{
    struct leaf_check *c = arg;
    struct vma *v;

    c->leaves++;
    if (c->bad)
        return;
    v = vma_tree_find(&c->s->vmas, va);
    const char *what = 0;
    if (!v)
        what = "leaf outside every VMA at";
    else if (!frame_valid(pa))
        what = "leaf maps a non-frame at";
    else if ((prot & PMAP_WRITE) && !(v->flags & VMA_WRITE))
        what = "writable leaf in a read-only VMA at";
    else if ((prot & PMAP_EXEC) && !(v->flags & VMA_EXEC))
        what = "executable leaf in a non-exec VMA at";
    else if (prot && !(v->flags & VMA_PROT_MASK))
        what = "accessible leaf in a PROT_NONE VMA at";
    else if ((prot & PMAP_WRITE) && !(v->flags & VMA_SHARED) &&
             (frame_is_zero_page(pa) || frame_refcount(pa) != 1))
        what = "writable private leaf on a shared frame at";
    else if ((prot & PMAP_WRITE) && frame_is_zero_page(pa))
        what = "writable leaf on the zero page at";
    if (what) {
        c->bad = 1;
        c->what = what;
        c->va = va;
        c->detail = pa;
    }
}

/* Contract: see check.h. */
int space_check(struct space *s, char *buf, size_t bufsz)
{
    struct leaf_check c = {.s = s};
    bool cache_in_tree = false;

    if (vma_tree_check(&s->vmas, buf, bufsz))
        return -1;
    for (struct vma *v = vma_tree_first(&s->vmas); v; v = vma_tree_next(&s->vmas, v)) {
        cache_in_tree |= v == s->vma_cache;
        if (!page_aligned(v->start) || !page_aligned(v->end) || v->start >= v->end ||
            v->end > s->top)
            return check_fail(buf, bufsz, "bad VMA bounds", v->start, v->end);
        if ((v->flags & VMA_SHARED) && !v->obj)
            return check_fail(buf, bufsz, "shared VMA without an object", v->start, v->end);
        if (v->obj && v->obj->refs == 0)
            return check_fail(buf, bufsz, "VMA points at a dead object", v->start, v->end);
    }
    /* The lookup cache answers for its VMA and the gap below it: it must
     * never outlive the VMA's place in the tree. */
    if (s->vma_cache && !cache_in_tree)
        return check_fail(buf, bufsz, "lookup cache names a VMA not in the tree", 0, 0);
    if (s->vmas.count > s->max_map_count + 1)
        return check_fail(buf, bufsz, "VMA count above the limit", s->vmas.count, s->max_map_count);
    pmap_walk(&s->pmap, 0, s->top, check_leaf, &c);
    if (c.bad)
        return check_fail(buf, bufsz, c.what, c.va, c.detail);
    if (c.leaves != s->resident)
        return check_fail(buf, bufsz, "resident count differs from leaves", s->resident, c.leaves);
    return 0;
}

uint64_t frames_check_scratch_entries(void) { return frame_number_limit(); }

struct frame_tally {
    uint32_t *counts;  /* expected references per frame number */
    uint64_t distinct; /* data frames seen */
};

static void tally_frame(struct frame_tally *t, paddr_t pa)
{
    if (frame_is_zero_page(pa))
        return;
    uint32_t fn = frame_number(pa);
    if (fn == FRAME_NONE)
        return; /* reported by space_check */
    if (t->counts[fn]++ == 0)
        t->distinct++;
}

static void tally_leaf(void *arg, uaddr_t va, paddr_t pa, unsigned prot)
{
    (void)va, (void)prot;
    tally_frame(arg, pa);
}

static void tally_index_page(void *arg, uint64_t pgoff, paddr_t pa)
{
    (void)pgoff;
    tally_frame(arg, pa);
}

/* Count an object's own pages and index nodes once per check: shared
 * anonymous memory and files hold pages; an identity over a file, and a
 * view of one, hold the file. */
static uint64_t tally_object(struct frame_tally *t, struct vm_object *obj, uint32_t mark)
{
    if (!obj || obj->check_mark == mark)
        return 0;
    obj->check_mark = mark;
    if (obj->kind == VM_OBJECT_ANON_IDENTITY)
        return tally_object(t, obj->priv, mark);
    if (vm_object_file_view_target(obj))
        return tally_object(t, vm_object_file_view_target(obj), mark);
    const struct page_index *idx = obj->kind == VM_OBJECT_SHARED_ANON ? obj->priv : vm_object_file_index(obj);
    if (!idx)
        return 0; /* a host's own object: its pages are the host's business */
    page_index_walk(idx, tally_index_page, t);
    return idx->nodes;
}

/* Contract: see check.h. */
int frames_check(struct space **spaces, unsigned n, struct vm_object **objs, unsigned nobjs,
                 uint32_t *scratch, char *buf, size_t bufsz)
{
    static uint32_t mark;
    struct frame_tally t = {.counts = scratch};
    uint64_t limit = frame_number_limit(), other = 0;
    paddr_t zero;

    mark++;
    __builtin_memset(scratch, 0, limit * sizeof(*scratch));
    for (unsigned i = 0; i < n; i++) {
        struct space *s = spaces[i];
        pmap_walk(&s->pmap, 0, s->top, tally_leaf, &t);
        other += s->pmap.table_pages;
        for (struct vma *v = vma_tree_first(&s->vmas); v; v = vma_tree_next(&s->vmas, v))
            other += tally_object(&t, v->obj, mark);
    }
    for (unsigned i = 0; i < nobjs; i++)
        other += tally_object(&t, objs[i], mark);
    for (uint32_t fn = 0; fn < limit; fn++) {
        if (!t.counts[fn])
            continue;
        uint32_t refs = frame_refcount(frame_address(fn));
        if (refs != t.counts[fn])
            return check_fail(buf, bufsz, "frame refcount differs from its holders (frame, refs)",
                              frame_address(fn), refs);
    }
    other += vma_cache.frames + object_cache.frames + space_cache.frames + file_cache.frames;
    if (frame_zero_page_ready(&zero))
        other++;
    uint64_t used = frame_total_count() - frame_free_count();
    if (used != t.distinct + other)
        return check_fail(buf, bufsz, "frames in use differ from frames accounted for", used,
                          t.distinct + other);
    return 0;
}
