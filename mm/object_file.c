/* mm/object_file.c — a file's page cache as a backing object
 * (VM_OBJECT_FILE), the per-open views of it that mappings hold, and taking
 * a shrinking file's pages (or a punched hole's) out of the address spaces
 * that map it.
 *
 * The object keeps the file's pages in a page index (mm/page_index.c)
 * keyed by page offset, and the file's size in bytes. The file system reads
 * and writes through vm_object_file_page; faults come through get_page. So
 * read(), write() and every mapping, shared or private, in any process, use
 * the same frames, and a shared mapping is the file itself.
 *
 * mm/ keeps no reverse map from a page to the leaves that map it. When a
 * file shrinks, its owner walks every address space and calls
 * space_object_unmap, which visits the space's VMAs and removes the leaves
 * of those whose pages come from the object (copies a private mapping made
 * of them included, as Linux discards them too). The VMAs stay: a later
 * access beyond the new end faults and gets SIGBUS. A hole punched in the
 * file (MADV_REMOVE) leaves the mappings the same way, but private copies
 * stay: only leaves that map the cache's own frames go.
 *
 * A view (vm_object_file_view_create) is what one open of the file maps:
 * an object of kind VM_OBJECT_FILE that passes every page request to the
 * page cache under it (priv). VMAs point at views, so the object-equality
 * rules of merging (mm/space.c) and of sharing an identity (mm/fault.c)
 * tell mappings made through different opens apart, as Linux's do through
 * vm_file; the calls below accept a view wherever they take a file. */
#include <mm/slab.h>

#include "page_index.h"
#include "space_internal.h"

struct vm_file {
    struct vm_object obj; /* first: a vm_object pointer is a vm_file pointer */
    struct page_index pages;
    uint64_t size;
    const struct vm_file_hooks *hooks;
};

_Static_assert(sizeof(struct vm_file) == 80, "a file object fills its slab slot (mm/slab.c)");

static uint64_t file_pages_total;

static const struct vm_object_ops file_ops, view_ops;

/* The page cache a view stands for; any other object as it is. */
static const struct vm_object *view_target(const struct vm_object *obj)
{
    return obj->ops == &view_ops ? (const struct vm_object *)obj->priv : obj;
}

/* A host may also bring file objects of its own (kind VM_OBJECT_FILE with
 * its own ops); only those made here are page caches (or views of one). */
static bool vm_file_is_ours(const struct vm_object *obj) { return view_target(obj)->ops == &file_ops; }

static struct vm_file *vm_file_of(struct vm_object *obj)
{
    if (!vm_file_is_ours(obj))
        platform_panic("vm_file_of: not a page-cache object");
    return (struct vm_file *)view_target(obj);
}

static const struct vm_file *vm_file_of_const(const struct vm_object *obj)
{
    return vm_file_of((struct vm_object *)obj);
}

/* Pages a file of size bytes covers (the partial last page included). */
static uint64_t file_page_count(uint64_t size) { return (size >> PAGE_SHIFT) + !page_aligned(size); }

static void file_page_put(paddr_t pa)
{
    file_pages_total--;
    frame_unref(pa);
}

/* Look up page pgoff, creating it zero-filled when missing. */
static int file_page_get(struct vm_file *f, uint64_t pgoff, paddr_t *pa)
{
    int err;

    if (page_index_lookup(&f->pages, pgoff, pa))
        return 0;
    err = frame_alloc_zeroed(pa, MM_ALLOC_FRAME);
    if (err)
        return err;
    err = page_index_insert(&f->pages, pgoff, *pa);
    if (err) {
        frame_unref(*pa);
        return err;
    }
    file_pages_total++;
    return 0;
}

static int file_get_page(struct vm_object *obj, uint64_t pgoff, paddr_t *pa)
{
    struct vm_file *f = vm_file_of(obj);
    int err;

    if (pgoff >= file_page_count(f->size))
        return -EFAULT;
    err = file_page_get(f, pgoff, pa);
    if (err)
        return err;
    frame_ref(*pa); /* the caller's; the index keeps its own */
    return 0;
}

static void file_release(struct vm_object *obj)
{
    struct vm_file *f = vm_file_of(obj);

    page_index_destroy(&f->pages, file_page_put);
    if (f->hooks && f->hooks->release)
        f->hooks->release(obj);
    slab_free(&file_cache, f);
}

static int file_sync(struct vm_object *obj, uint64_t first, uint64_t last)
{
    struct vm_file *f = vm_file_of(obj);

    if (f->hooks && f->hooks->sync)
        return f->hooks->sync(obj, first, last);
    return 0; /* in memory only: nothing lies behind the pages */
}

static const struct vm_object_ops file_ops = {
    .get_page = file_get_page,
    .release = file_release,
    .sync = file_sync,
};

/* ---- views ---- */

static int view_get_page(struct vm_object *obj, uint64_t pgoff, paddr_t *pa)
{
    return file_get_page(&vm_file_of(obj)->obj, pgoff, pa);
}

static void view_release(struct vm_object *obj)
{
    struct vm_object *file = obj->priv;
    slab_free(&object_cache, obj);
    vm_object_unref(file);
}

static int view_sync(struct vm_object *obj, uint64_t first, uint64_t last)
{
    return file_sync(&vm_file_of(obj)->obj, first, last);
}

static const struct vm_object_ops view_ops = {
    .get_page = view_get_page,
    .release = view_release,
    .sync = view_sync,
};

/* Contract: see object.h. */
struct vm_object *vm_object_file_view_create(struct vm_object *file)
{
    struct vm_object *view;

    if (file->ops != &file_ops)
        platform_panic("vm_object_file_view_create: not a page cache");
    view = slab_alloc(&object_cache);
    if (!view)
        return 0;
    view->ops = &view_ops;
    view->refs = 1;
    view->kind = VM_OBJECT_FILE;
    view->priv = file;
    vm_object_ref(file);
    return view;
}

/* Contract: see object.h. */
struct vm_object *vm_object_file_view_target(struct vm_object *obj)
{
    return obj && obj->ops == &view_ops ? obj->priv : 0;
}

/* Contract: see object.h. */
void *vm_object_file_owner(const struct vm_object *obj)
{
    const struct vm_object *target = view_target(obj);
    return target->ops == &file_ops ? target->priv : 0;
}

/* Contract: see object.h. */
struct vm_object *vm_object_file_create(uint64_t size, void *owner, const struct vm_file_hooks *hooks)
{
    struct vm_file *f;

    if (size > VM_FILE_MAX_BYTES)
        return 0;
    f = slab_alloc(&file_cache);
    if (!f)
        return 0;
    f->obj.ops = &file_ops;
    f->obj.refs = 1;
    f->obj.kind = VM_OBJECT_FILE;
    f->obj.priv = owner;
    page_index_init(&f->pages, 0);
    f->size = size;
    f->hooks = hooks;
    return &f->obj;
}

uint64_t vm_object_file_size(const struct vm_object *obj) { return vm_file_of_const(obj)->size; }

uint64_t vm_object_file_pages(const struct vm_object *obj) { return vm_file_of_const(obj)->pages.count; }

uint64_t vm_object_file_pages_total(void) { return file_pages_total; }

const struct page_index *vm_object_file_index(const struct vm_object *obj)
{
    return vm_file_is_ours(obj) ? &vm_file_of_const(obj)->pages : 0;
}

/* Whether obj is the page cache file or a view of it. */
static bool file_is_under(const struct vm_object *obj, const struct vm_object *file)
{
    return obj && view_target(obj) == file;
}

/* Contract: see object.h. */
int vm_object_file_page(struct vm_object *obj, uint64_t pgoff, bool create, paddr_t *pa)
{
    struct vm_file *f = vm_file_of(obj);

    if (pgoff >= (VM_FILE_MAX_BYTES >> PAGE_SHIFT))
        return -EFBIG;
    if (!create) {
        if (!page_index_lookup(&f->pages, pgoff, pa))
            *pa = 0;
        return 0;
    }
    return file_page_get(f, pgoff, pa);
}

/* Zero [from, end of its page) in the page holding byte from, if present. */
static void file_zero_tail(struct vm_file *f, uint64_t from)
{
    paddr_t pa;
    uint64_t in = from & (PAGE_SIZE - 1);

    if (in && page_index_lookup(&f->pages, from >> PAGE_SHIFT, &pa))
        __builtin_memset((char *)platform_phys_to_virt(pa) + in, 0, PAGE_SIZE - in);
}

/* Contract: see object.h. */
int vm_object_file_resize(struct vm_object *obj, uint64_t size)
{
    struct vm_file *f = vm_file_of(obj);

    if (size > VM_FILE_MAX_BYTES)
        return -EFBIG;
    if (size < f->size) {
        page_index_truncate(&f->pages, file_page_count(size), file_page_put);
        file_zero_tail(f, size);
    } else if (size > f->size) {
        file_zero_tail(f, f->size);
    }
    f->size = size;
    return 0;
}

/* Contract: see space.h. */
void space_object_unmap(struct space *s, struct vm_object *obj, uint64_t first)
{
    for (struct vma *v = vma_tree_first(&s->vmas); v; v = vma_tree_next(&s->vmas, v)) {
        if (!file_is_under(vm_object_source(v->obj), view_target(obj)) || v->pgoff + vma_pages(v) <= first)
            continue;
        uaddr_t from = first <= v->pgoff ? v->start : v->start + ((first - v->pgoff) << PAGE_SHIFT);
        pmap_remove(&s->pmap, from, v->end, space_leaf_put, s);
    }
}

/* Contract: see object.h. */
int vm_object_file_punch(struct vm_object *obj, uint64_t first, uint64_t last)
{
    struct vm_file *f = vm_file_of(obj);

    if (!f->hooks || !f->hooks->punch)
        return -EOPNOTSUPP;
    if (first >= last)
        return 0;
    return f->hooks->punch(&f->obj, first, last);
}

/* Contract: see object.h. */
void vm_object_file_drop(struct vm_object *obj, uint64_t first, uint64_t last)
{
    page_index_remove_range(&vm_file_of(obj)->pages, first, last, file_page_put);
}

/* Leaves of a private mapping that map the cache's own frames: collected
 * by a walk (which must not change the page table), a batch at a time. */
enum { PUNCH_BATCH = 32 };

struct punch_batch {
    const struct vm_file *f;
    const struct vma *v;
    uaddr_t va[PUNCH_BATCH];
    unsigned n;
    uaddr_t resume;  /* where the next walk starts when the batch filled */
};

static void punch_collect(void *arg, uaddr_t va, paddr_t pa, unsigned prot)
{
    struct punch_batch *b = arg;
    paddr_t cached;

    (void)prot;
    if (b->resume)
        return;
    uint64_t pgoff = b->v->pgoff + ((va - b->v->start) >> PAGE_SHIFT);
    if (!page_index_lookup(&b->f->pages, pgoff, &cached) || cached != pa)
        return; /* a private copy: it stays */
    b->va[b->n++] = va;
    if (b->n == PUNCH_BATCH)
        b->resume = va + PAGE_SIZE;
}

/* Contract: see space.h. */
void space_object_punch(struct space *s, struct vm_object *obj, uint64_t first, uint64_t last)
{
    const struct vm_file *f = vm_file_of(obj);

    for (struct vma *v = vma_tree_first(&s->vmas); v; v = vma_tree_next(&s->vmas, v)) {
        if (!file_is_under(vm_object_source(v->obj), &f->obj))
            continue;
        uint64_t lo = MM_MAX(first, v->pgoff), hi = MM_MIN(last, v->pgoff + vma_pages(v));
        if (lo >= hi)
            continue;
        uaddr_t from = v->start + ((lo - v->pgoff) << PAGE_SHIFT);
        uaddr_t to = v->start + ((hi - v->pgoff) << PAGE_SHIFT);
        if (v->flags & VMA_SHARED) {
            pmap_remove(&s->pmap, from, to, space_leaf_put, s);
            continue;
        }
        /* A walk over a window that grows while it finds little, so a
         * dense range costs a window per batch and a sparse one a few
         * walks. */
        uint64_t window = (uint64_t)PUNCH_BATCH * PAGE_SIZE;
        while (from < to) {
            struct punch_batch b = {.f = f, .v = v};
            uaddr_t stop = to - from > window ? from + window : to;
            pmap_walk(&s->pmap, from, stop, punch_collect, &b);
            for (unsigned i = 0; i < b.n; i++)
                pmap_remove(&s->pmap, b.va[i], b.va[i] + PAGE_SIZE, space_leaf_put, s);
            if (b.resume) {
                from = b.resume;
                window = (uint64_t)PUNCH_BATCH * PAGE_SIZE;
            } else {
                from = stop;
                window = window < (1ull << 62) ? window * 2 : window;
            }
        }
    }
}
