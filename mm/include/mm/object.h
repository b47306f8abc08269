/* mm/object.h — backing objects: what lies under a VMA.
 *
 * A VMA with obj == NULL is private anonymous memory that has not been
 * written yet. Otherwise obj says where pages come from:
 *  - an anonymous identity (private anonymous memory once written; Linux's
 *    anon_vma: VMAs split from one mapping share it, and it decides merges);
 *  - shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS, /dev/zero shared);
 *  - a file's page cache (provided by the host's file system through ops).
 * Objects are reference counted: one reference per VMA that points at them,
 * plus whatever the host holds (an open file). */
#ifndef MM_OBJECT_H
#define MM_OBJECT_H

#include <mm/types.h>

struct vm_object;

enum vm_object_kind {
    VM_OBJECT_ANON_IDENTITY, /* private anonymous: pages live only in the page table */
    VM_OBJECT_SHARED_ANON,   /* shared anonymous memory: pages in the object */
    VM_OBJECT_FILE,          /* a file: pages from ops->get_page */
};

struct vm_object_ops {
    /* Return in *pa a referenced frame holding page pgoff of the object,
     * creating it if needed. Returns 0, -ENOMEM, or -EFAULT when pgoff lies
     * wholly beyond the end of the object (the fault becomes SIGBUS). */
    int (*get_page)(struct vm_object *obj, uint64_t pgoff, paddr_t *pa);
    /* Called when the last reference goes. */
    void (*release)(struct vm_object *obj);
    /* Optional: the name /proc/PID/maps shows, device and inode numbers. */
    const char *(*name)(struct vm_object *obj, uint64_t *dev, uint64_t *ino);
};

struct vm_object {
    const struct vm_object_ops *ops;
    uint32_t refs;
    uint32_t kind;           /* enum vm_object_kind */
    uint32_t check_mark;     /* used by the invariant checker only */
    void *priv;              /* the owner's (file system, shared-anon page index) */
};

/* Take / drop a reference; the last drop calls ops->release. */
void vm_object_ref(struct vm_object *obj);
void vm_object_unref(struct vm_object *obj);

/* A new anonymous identity with one reference, or NULL (-ENOMEM). */
struct vm_object *vm_object_anon_create(void);

/* A new shared anonymous object of npages pages (all zero) with one
 * reference, or NULL. */
struct vm_object *vm_object_shared_anon_create(uint64_t npages);

#endif
