/* mm/space_internal.h — what the address-space files share inside mm/:
 * VMA records, splitting and merging, and tearing down a range. */
#ifndef MM_SPACE_INTERNAL_H
#define MM_SPACE_INTERNAL_H

#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/mman.h>
#include <mm/object.h>
#include <mm/platform.h>
#include <mm/space.h>

static inline uint64_t vma_pages(const struct vma *v) { return (v->end - v->start) >> PAGE_SHIFT; }

/* Linux keeps this many bytes free below a stack that grows down
 * (stack_guard_gap: 256 pages). */
#define STACK_GUARD_GAP (256 * PAGE_SIZE)

/* The lowest address a mapping below v may end at: v's start, less the
 * guard gap when v grows down. */
static inline uaddr_t vma_start_gap(const struct vma *v)
{
    if (!(v->flags & VMA_GROWSDOWN))
        return v->start;
    return v->start > STACK_GUARD_GAP ? v->start - STACK_GUARD_GAP : 0;
}

/* v's anonymous identity (Linux's anon_vma): its object when that is one
 * (over a file or not), else NULL. */
static inline struct vm_object *vma_identity(const struct vma *v)
{
    return v->obj && v->obj->kind == VM_OBJECT_ANON_IDENTITY ? v->obj : 0;
}

/* Give v (which has no identity) the object of u (which has one) and drop
 * v's previous object, whose reference the identity's source covers. */
static inline void vma_identity_take(struct vma *v, const struct vma *u)
{
    struct vm_object *old = v->obj;
    vm_object_ref(u->obj);
    v->obj = u->obj;
    if (old)
        vm_object_unref(old);
}

/* Linux's default overcommit check (vm.overcommit_memory = 0): may a
 * request charge this many pages of private writable or shared memory? */
bool space_may_commit(uint64_t pages);

/* RLIMIT_MEMLOCK: may len more bytes be locked in s? */
bool space_may_lock(struct space *s, uint64_t len);

/* A zeroed VMA record, or NULL (-ENOMEM). */
struct vma *vma_alloc(void);
/* Free a record that is not in any tree, dropping its object reference. */
void vma_free(struct vma *v);
/* Take v out of s's tree (and the lookup cache) and free it. */
void space_vma_remove(struct space *s, struct vma *v);

/* Records allocated ahead of a tree mutation, so that the mutation itself
 * cannot fail (Linux preallocates before splitting, for the same reason). */
struct vma_spares {
    struct vma *v[3];
    unsigned n;
};
int vma_spares_get(struct vma_spares *sp, unsigned n);
struct vma *vma_spares_take(struct vma_spares *sp);
void vma_spares_put(struct vma_spares *sp);

/* Split v at addr (strictly inside it) using a spare record for the upper
 * part, which is returned. Both parts keep v's flags and object. */
struct vma *space_vma_split(struct space *s, struct vma *v, uaddr_t addr, struct vma *spare);

/* Whether a (below) and b (directly above) may become one VMA: same flags,
 * compatible objects, contiguous page offsets. */
bool vma_can_merge(const struct vma *a, const struct vma *b);

/* Merge v with its neighbours where vma_can_merge allows; returns the VMA
 * that now covers v's range. */
struct vma *space_vma_merge(struct space *s, struct vma *v);

/* The same, with v's neighbours already known (from vma_tree_insert_near):
 * prev may be NULL when v has a gap below it, as no merge crosses one. */
struct vma *space_vma_merge_near(struct space *s, struct vma *v, struct vma *prev, struct vma *next);

/* The first VMA with end > addr, or NULL (vma_tree_find_after), answered
 * from the lookup cache when addr lies in the cached VMA or the gap below
 * it; a VMA found in the tree becomes the cached one. */
struct vma *space_vma_find_after(struct space *s, uaddr_t addr);

/* What removing [start, end) involves: the first VMA it touches (NULL when
 * none), how many splits (0, 1 or 2), and whether it splits one VMA in the
 * middle (a net gain of one VMA). */
struct range_plan {
    struct vma *first;
    unsigned splits;
    bool middle;
};
void space_range_plan(struct space *s, uaddr_t start, uaddr_t end, struct range_plan *plan);

/* Remove everything in [start, end) as planned: split the VMAs at the ends
 * with plan->splits spares, drop page-table leaves and their frame
 * references, free the records. Cannot fail. */
void space_range_clear(struct space *s, uaddr_t start, uaddr_t end, const struct range_plan *plan,
                       struct vma_spares *sp);

/* Leaf permissions for a page of v: the VMA's protection, without WRITE
 * when the page is shared (copy-on-write, the zero page) or for a private
 * mapping that has not been written yet. */
static inline unsigned vma_leaf_prot(const struct vma *v, bool writable_ok)
{
    unsigned prot = v->flags & VMA_PROT_MASK;
    if (!writable_ok && (prot & PMAP_WRITE))
        prot = (prot & ~(unsigned)PMAP_WRITE) | PMAP_READ; /* write implies read */
    return prot;
}

/* Whether v's protection allows access (Linux: a read needs any of
 * READ/WRITE/EXEC, a write WRITE, a fetch EXEC). */
static inline bool vma_allows(const struct vma *v, unsigned access)
{
    unsigned prot = v->flags & VMA_PROT_MASK;
    if (access & ACCESS_WRITE)
        return prot & VMA_WRITE;
    if (access & ACCESS_EXEC)
        return prot & VMA_EXEC;
    return prot != 0;
}

/* Page-table callback that drops a removed leaf's frame reference. */
void space_leaf_put(void *arg, uaddr_t va, paddr_t pa, unsigned prot);

/* Where a mapping of len bytes (page aligned, nonzero) would go without
 * MAP_FIXED: hint when that range is free, else a free gap found as mmap
 * finds one. Returns the address or -ENOMEM. Changes nothing. */
int64_t space_gap_find(struct space *s, uaddr_t hint, uint64_t len);

/* Populate one page of v at va for access; as space_fault, v is known. */
enum fault_result space_fault_vma(struct space *s, struct vma *v, uaddr_t va, unsigned access);

#endif
