/* mm/vma.h — the virtual memory area record and the tree that orders them.
 *
 * A VMA is one run of pages [start, end) with one protection, one backing
 * object and one set of flags. The VMAs of an address space sit in a
 * balanced (weak AVL) tree ordered by address (they never overlap),
 * augmented with a bound on the largest free gap in each subtree, so that
 * lookup, insertion, removal and gap search are all O(log n) (gap search
 * amortized). Nodes are intrusive and the tree never allocates: the caller
 * allocates a VMA first, then inserts it. A VMA is exactly 64 bytes, the
 * per-mapping memory cost. */
#ifndef MM_VMA_H
#define MM_VMA_H

#include <mm/types.h>

struct vm_object;

/* VMA flags (vma.flags): the protection bits are PROT_READ/WRITE/EXEC. */
enum {
    VMA_READ = 0x1,
    VMA_WRITE = 0x2,
    VMA_EXEC = 0x4,
    VMA_PROT_MASK = 0x7,
    VMA_SHARED = 0x8,     /* MAP_SHARED: writes reach the object */
    VMA_MAYWRITE = 0x10,  /* mprotect may add PROT_WRITE (a file opened writable) */
    VMA_ACCOUNT = 0x20,   /* private writable memory charged to commit (Linux VM_ACCOUNT) */
    VMA_NORESERVE = 0x40, /* MAP_NORESERVE */
    VMA_GROWSDOWN = 0x80, /* MAP_GROWSDOWN */
    VMA_LOCKED = 0x100,   /* MAP_LOCKED */
    VMA_DONTCOPY = 0x200, /* MADV_DONTFORK: fork leaves this VMA out of the child */
    VMA_WIPEONFORK = 0x400, /* MADV_WIPEONFORK: the child gets it empty (zero-filled) */
    VMA_DONTDUMP = 0x800, /* MADV_DONTDUMP: left out of core dumps */
    VMA_NOHUGEPAGE = 0x1000, /* MAP_STACK or MADV_NOHUGEPAGE (Linux VM_NOHUGEPAGE) */
    VMA_HUGEPAGE = 0x2000,   /* MADV_HUGEPAGE (Linux VM_HUGEPAGE) */
    VMA_RANDOM = 0x4000,     /* MADV_RANDOM (Linux VM_RAND_READ) */
    VMA_SEQUENTIAL = 0x8000, /* MADV_SEQUENTIAL (Linux VM_SEQ_READ) */
    VMA_DROPPABLE = 0x10000, /* MAP_DROPPABLE: pages may be dropped under pressure */
    VMA_FLAGS_MASK = 0x3ffff,
};
/* As on Linux, [heap] and [stack] are not flags: a listing names the VMAs
 * that overlap the brk area or contain the initial stack pointer
 * (space_vma_is_heap / space_vma_is_stack in space.h). */

struct vma {
    struct vma *left, *right;  /* tree links */
    uaddr_t start, end;        /* [start, end), page aligned */
    uint64_t max_gap;          /* >= every gap_pages * PAGE_SIZE in this subtree (mm/vma_tree.c) */
    struct vm_object *obj;     /* backing object; NULL: private anonymous, untouched */
    uint64_t pgoff;            /* page offset into obj of start */
    uint64_t gap_pages : 40;   /* free pages between the previous VMA (or the tree floor) and start */
    uint64_t rank : 6;         /* balance rank: 1 for a leaf (mm/vma_tree.c) */
    uint64_t flags : 18;       /* VMA_* */
};

/* The tree. floor is the lowest address a gap may start at (the previous
 * "VMA end" of the first VMA); gaps above the last VMA are not in the tree:
 * vma_tree_last() gives what a caller needs to consider them. first and
 * last are the lowest and highest VMAs (NULL when empty), kept by insertion
 * and removal so that both ends of the address space cost no descent. hint
 * is the VMA vma_tree_find_after_near() found last, hint_prev and hint_next
 * its neighbours then; insertion and removal forget it (bounds changes keep
 * the order, so they keep it). */
struct vma_tree {
    struct vma *root;
    uaddr_t floor;
    uint64_t count;
    struct vma *first, *last;
    struct vma *hint, *hint_prev, *hint_next;
    /* What the last top-down gap search learnt (fit NULL: nothing): no gap
     * above fit->start, clipped to [fit_low, fit_high], holds fit_len
     * bytes. Insertions below the last VMA keep it true (they only split
     * gaps); one above the last VMA (a new gap), a removal or a bounds
     * change at or above fit->start forgets it. */
    struct vma *fit;
    uint64_t fit_len;
    uaddr_t fit_low, fit_high;
};

/* Where the gap below v begins: the end of the previous VMA, or the tree's
 * floor for the first VMA. Every address in [vma_gap_start(v), v->end) has
 * v as its first VMA with end above it; only v's own range is mapped. */
static inline uaddr_t vma_gap_start(const struct vma *v)
{
    return v->start - ((uint64_t)v->gap_pages << PAGE_SHIFT);
}

/* Initialise an empty tree whose gaps are measured from floor. */
void vma_tree_init(struct vma_tree *t, uaddr_t floor);

/* Insert v, which must not overlap any VMA in t and must have start >= floor.
 * O(log n); never allocates. Updates the gap of v's successor. */
void vma_tree_insert(struct vma_tree *t, struct vma *v);

/* As vma_tree_insert, and set *prev and *next to v's neighbours in address
 * order (NULL at either end), found by the same descent. */
void vma_tree_insert_near(struct vma_tree *t, struct vma *v, struct vma **prev, struct vma **next);

/* Remove v, which must be in t. O(log n). Updates the gap of its successor. */
void vma_tree_remove(struct vma_tree *t, struct vma *v);

/* The VMA containing addr, or NULL. */
struct vma *vma_tree_find(const struct vma_tree *t, uaddr_t addr);

/* The first VMA with end > addr (the one containing addr, or the next one
 * above it), or NULL. Linux's find_vma. */
struct vma *vma_tree_find_after(const struct vma_tree *t, uaddr_t addr);

/* As vma_tree_find_after, and set *prev and *next to the neighbours of the
 * VMA found (NULL at the ends; both NULL when none is found), from the same
 * descent, or from none when addr lies in the hint or the gap below it.
 * Remembers the answer as the hint. */
struct vma *vma_tree_find_after_near(struct vma_tree *t, uaddr_t addr, struct vma **prev, struct vma **next);

/* The last VMA with start < addr, or NULL. */
struct vma *vma_tree_find_before(const struct vma_tree *t, uaddr_t addr);

/* First / last VMA in address order, or NULL when empty. O(1). */
struct vma *vma_tree_first(const struct vma_tree *t);
struct vma *vma_tree_last(const struct vma_tree *t);

/* In-order neighbours of v (which must be in t), or NULL. O(log n); O(1)
 * at either end of the tree. */
struct vma *vma_tree_next(const struct vma_tree *t, const struct vma *v);
struct vma *vma_tree_prev(const struct vma_tree *t, const struct vma *v);

/* Both neighbours of v at once (at most one descent). */
void vma_tree_neighbours(const struct vma_tree *t, const struct vma *v, struct vma **prev, struct vma **next);

/* Change v's bounds in place to [start, end) when this cannot reorder the
 * tree (the new range still lies between v's neighbours and does not
 * overlap them). Updates gaps. O(log n). */
void vma_tree_adjust(struct vma_tree *t, struct vma *v, uaddr_t start, uaddr_t end);

/* Gap search, in gaps that lie inside the tree (between floor and the last
 * VMA's start). Finds the highest address a such that [a, a + len) is free,
 * low <= a and a + len <= high, and a + len is either high or the start of
 * a VMA (the top of a gap clipped by high). Returns true and sets *addr, or
 * false. len is page aligned and nonzero. Used for top-down placement.
 * O(log n) amortized, O(1) when the answer is the gap the previous search
 * with the same window and no larger len found and nothing at or above it
 * has been removed since (mmap after munmap of the same size). It tightens
 * the max_gap bounds of subtrees in which it finds nothing and remembers
 * its answer, so the tree is not const. */
bool vma_tree_gap_topdown(struct vma_tree *t, uint64_t len, uaddr_t low, uaddr_t high, uaddr_t *addr);

/* As above, the lowest such a, at the bottom of its gap (bottom-up). */
bool vma_tree_gap_bottomup(struct vma_tree *t, uint64_t len, uaddr_t low, uaddr_t high, uaddr_t *addr);

/* Verify ordering, non-overlap, gap values, max_gap bounds, ranks, count,
 * the first and last VMAs, the hint and the placement cache. O(n). Returns 0, or -1 after
 * describing the first problem in buf (of size bufsz). */
int vma_tree_check(const struct vma_tree *t, char *buf, size_t bufsz);

#endif
