/* mm/object.c — backing objects: reference counting, anonymous identities
 * (of private anonymous memory, and of written private file mappings) and
 * shared anonymous memory. File objects: mm/object_file.c.
 *
 * Shared anonymous memory keeps its pages in a page index (mm/page_index.c)
 * keyed by page offset; a page is created zero-filled at its first fault and
 * lives until the object dies. */
#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/object.h>
#include <mm/platform.h>
#include <mm/slab.h>

#include "page_index.h"

void vm_object_ref(struct vm_object *obj)
{
    if (obj->refs == 0 || obj->refs == UINT32_MAX)
        platform_panic("vm_object_ref: dead or saturated object");
    obj->refs++;
}

void vm_object_unref(struct vm_object *obj)
{
    if (obj->refs == 0)
        platform_panic("vm_object_unref: object already dead");
    if (--obj->refs == 0)
        obj->ops->release(obj);
}

static void anon_release(struct vm_object *obj)
{
    struct vm_object *file = obj->priv;
    slab_free(&object_cache, obj);
    if (file)
        vm_object_unref(file);
}

static int anon_get_page(struct vm_object *obj, uint64_t pgoff, paddr_t *pa)
{
    /* Private anonymous pages live only in page tables; a fault never asks
     * the identity for one. */
    (void)obj, (void)pgoff, (void)pa;
    return -EFAULT;
}

static const struct vm_object_ops anon_identity_ops = {
    .get_page = anon_get_page,
    .release = anon_release,
};

struct vm_object *vm_object_anon_create(void)
{
    struct vm_object *obj = slab_alloc(&object_cache);
    if (!obj)
        return 0;
    obj->ops = &anon_identity_ops;
    obj->refs = 1;
    obj->kind = VM_OBJECT_ANON_IDENTITY;
    return obj;
}

struct vm_object *vm_object_anon_create_over(struct vm_object *file)
{
    struct vm_object *obj = vm_object_anon_create();
    if (!obj)
        return 0;
    vm_object_ref(file);
    obj->priv = file;
    return obj;
}

/* Shared anonymous memory: priv is the page index; the object's size in
 * pages is kept in the index. */
static int shared_anon_get_page(struct vm_object *obj, uint64_t pgoff, paddr_t *pa)
{
    struct page_index *idx = obj->priv;
    int err;

    if (pgoff >= idx->npages)
        return -EFAULT;
    if (page_index_lookup(idx, pgoff, pa)) {
        frame_ref(*pa);
        return 0;
    }
    err = frame_alloc_zeroed(pa, MM_ALLOC_FRAME);
    if (err)
        return err;
    err = page_index_insert(idx, pgoff, *pa);
    if (err) {
        frame_unref(*pa);
        return err;
    }
    frame_ref(*pa); /* one for the index, one for the caller */
    return 0;
}

static void shared_anon_release(struct vm_object *obj)
{
    struct page_index *idx = obj->priv;
    page_index_destroy(idx, frame_unref);
    slab_free(&object_cache, idx);
    slab_free(&object_cache, obj);
}

static const struct vm_object_ops shared_anon_ops = {
    .get_page = shared_anon_get_page,
    .release = shared_anon_release,
};

struct vm_object *vm_object_shared_anon_create(uint64_t npages)
{
    struct vm_object *obj = slab_alloc(&object_cache);
    struct page_index *idx = slab_alloc(&object_cache);
    if (!obj || !idx) {
        if (obj)
            slab_free(&object_cache, obj);
        if (idx)
            slab_free(&object_cache, idx);
        return 0;
    }
    page_index_init(idx, npages);
    obj->ops = &shared_anon_ops;
    obj->refs = 1;
    obj->kind = VM_OBJECT_SHARED_ANON;
    obj->priv = idx;
    return obj;
}
