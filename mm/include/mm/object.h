/* mm/object.h — backing objects: what lies under a VMA.
 *
 * A VMA with obj == NULL is private anonymous memory that has not been
 * written yet. Otherwise obj says where pages come from:
 *  - an anonymous identity (private anonymous memory once written; Linux's
 *    anon_vma: VMAs split from one mapping share it, and it decides merges);
 *  - shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS, /dev/zero shared);
 *  - a file's page cache (mm/object_file.c keeps one for the host's file
 *    system; a host may also bring its own object with its own ops).
 * Objects are reference counted: one reference per VMA that points at them,
 * plus whatever the host holds (an open file).
 *
 * A private file mapping that has been written gets an anonymous identity
 * too (Linux gives such a VMA an anon_vma): the identity then stands in for
 * the file under that VMA and keeps a reference to it in priv, so the VMA
 * still reads unwritten pages from the file (vm_object_source). */
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
    /* Optional: write pages [first, last) back to whatever lies behind the
     * object, and wait (msync MS_SYNC on a shared mapping). 0 or -errno. */
    int (*sync)(struct vm_object *obj, uint64_t first, uint64_t last);
};

struct vm_object {
    const struct vm_object_ops *ops;
    uint32_t refs;
    uint32_t kind;           /* enum vm_object_kind */
    uint32_t check_mark;     /* used by the invariant checker only */
    void *priv;              /* the owner's (file system, shared-anon page index;
                              * for an identity: the file under it, or NULL) */
};

/* Take / drop a reference; the last drop calls ops->release. */
void vm_object_ref(struct vm_object *obj);
void vm_object_unref(struct vm_object *obj);

/* A new anonymous identity with one reference, or NULL (-ENOMEM). */
struct vm_object *vm_object_anon_create(void);

/* A new shared anonymous object of npages pages (all zero) with one
 * reference, or NULL. */
struct vm_object *vm_object_shared_anon_create(uint64_t npages);

/* A new anonymous identity over file (a VMA that maps file privately has
 * been written), with one reference; it takes a reference to file. NULL
 * when out of memory. */
struct vm_object *vm_object_anon_create_over(struct vm_object *file);

/* Where the pages of a VMA with object obj come from: the object itself
 * (shared anonymous memory, a file), the file under an identity, or NULL
 * (private anonymous memory, obj NULL or a plain identity). */
static inline struct vm_object *vm_object_source(struct vm_object *obj)
{
    if (!obj || obj->kind != VM_OBJECT_ANON_IDENTITY)
        return obj;
    return (struct vm_object *)obj->priv;
}

/* ---- a file's page cache (mm/object_file.c) ----
 *
 * The file system keeps a regular file's data in a VM_OBJECT_FILE object
 * and reads and writes it through these calls, so that read(), write() and
 * every mapping of the file share the same frames. The object holds its
 * pages in a page index; a missing page inside the file is a hole that
 * reads as zeros (a fault fills it with a zeroed page). Bytes past the size
 * in the last page are always zero, except where a shared mapping wrote
 * them: they never become file data (growing the file zeroes them). A
 * fault on a page wholly beyond the size is -EFAULT: SIGBUS. */

/* Hooks of the file system that owns a file object. */
struct vm_file_hooks {
    /* Called when the last reference goes, after the pages are freed and
     * before the object is (the owner frees what priv points to). */
    void (*release)(struct vm_object *obj);
    /* Optional: msync MS_SYNC of pages [first, last); 0 or -errno. */
    int (*sync)(struct vm_object *obj, uint64_t first, uint64_t last);
    /* Optional: punch a hole of pages [first, last) (MADV_REMOVE): the
     * owner takes the pages out of every space that maps the file
     * (space_object_punch), then frees them (vm_object_file_drop). 0 or
     * -errno; without it a hole is -EOPNOTSUPP. */
    int (*punch)(struct vm_object *obj, uint64_t first, uint64_t last);
};

/* A new file object of size bytes with no pages, one reference (the file
 * system's), owner in priv. NULL when out of memory. hooks may be NULL. */
struct vm_object *vm_object_file_create(uint64_t size, void *owner, const struct vm_file_hooks *hooks);

/* A view of file (a page cache made here): what one open of the file
 * maps, Linux's vm_file. A VMA holds the view, and the view a reference
 * to file; every page request passes through to file, so mappings made
 * through different views share the pages but never merge (merging and
 * identity sharing compare objects). The vm_object_file_* calls accept a
 * view wherever they take a file. One reference; NULL when out of memory. */
struct vm_object *vm_object_file_view_create(struct vm_object *file);

/* The page cache under view obj, or NULL when obj is not a view. */
struct vm_object *vm_object_file_view_target(struct vm_object *obj);

/* The owner (priv of vm_object_file_create) of a page cache or of the
 * cache under a view; NULL for any other object. */
void *vm_object_file_owner(const struct vm_object *obj);

/* MADV_REMOVE: punch a hole of pages [first, last) through the owner's
 * punch hook. Returns its result, or -EOPNOTSUPP without one. */
int vm_object_file_punch(struct vm_object *obj, uint64_t first, uint64_t last);

/* Free the pages of [first, last) the file holds: they read back as zeros
 * (a hole); the size stays. Leaves that map them must be gone first
 * (space_object_punch in every space). */
void vm_object_file_drop(struct vm_object *obj, uint64_t first, uint64_t last);

/* The file size in bytes. */
uint64_t vm_object_file_size(const struct vm_object *obj);

/* The frame that holds page pgoff (no new reference: valid while the
 * object holds it). A missing page is created zero-filled with create,
 * else *pa is 0. Returns 0, -ENOMEM, or -EFBIG past the largest file
 * (vm_object_file_max_bytes). Does not change the size. */
int vm_object_file_page(struct vm_object *obj, uint64_t pgoff, bool create, paddr_t *pa);

/* Set the size. Shrinking frees the pages wholly beyond the new size and
 * zeroes the rest of a partial last page; growing zeroes what lay past
 * the old size in its last page. Page-table leaves are not touched: when
 * shrinking, the caller first removes them from every space that maps the
 * object (space_object_unmap). Returns 0 or -EFBIG. */
int vm_object_file_resize(struct vm_object *obj, uint64_t size);

/* Pages the object holds; and all file objects together. */
uint64_t vm_object_file_pages(const struct vm_object *obj);
uint64_t vm_object_file_pages_total(void);

/* The largest file size: the page index addresses 2^40 pages here. */
#define VM_FILE_MAX_BYTES (1ull << 52)

#endif
