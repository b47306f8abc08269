/* mm/pmap.h — the arch contract: one user page table per address space.
 *
 * Implemented once per architecture in arch/<arch>/pmap.c, the only code that
 * knows page-table entry formats. Ranges are half-open [start, end) and page
 * aligned. Leaves are 4 KiB pages. A leaf with prot 0 (PROT_NONE) keeps its
 * frame but grants no access, so data survives mprotect(PROT_NONE) and back.
 * Nothing here panics on a path a user can reach: allocation failure returns
 * -ENOMEM with the table unchanged. Callers serialise calls on one pmap. */
#ifndef MM_PMAP_H
#define MM_PMAP_H

#include <mm/types.h>

struct pmap {
    paddr_t root;          /* top-level table (x86-64 PML4, aarch64 level-0 table) */
    uint32_t asid;         /* address-space id, for hosts that use one */
    uint32_t table_pages;  /* page-table pages in use, root included */
    /* The arch's own: the leaf table last made or used to enter a leaf
     * (0: none), the 2 MiB block it translates, its entries and its count
     * of live entries, so that operations on nearby pages walk from the
     * root once. */
    paddr_t hint_table;
    uint64_t hint_block;
    void *hint_entries;
    uint16_t *hint_live;
};

/* Leaf permissions: the PROT_READ/WRITE/EXEC bits. A writable leaf is also
 * readable on both architectures; the arch may also make an executable leaf
 * readable (x86-64 has no execute-only). */
enum { PMAP_READ = 1, PMAP_WRITE = 2, PMAP_EXEC = 4 };

/* Allocate an empty root table. Returns 0 or -ENOMEM. */
int pmap_create(struct pmap *pm);

/* Free every table page, root included. All leaves must have been removed
 * (panics otherwise: that is an mm/ bug, not a user error). */
void pmap_destroy(struct pmap *pm);

/* Install the leaf va -> pa with prot, allocating intermediate tables as
 * needed. Replaces an existing leaf (the caller owns the old frame's
 * reference: look it up with pmap_extract first), invalidating the old
 * translation, with break-before-make where the architecture requires it.
 * Returns 0, or -ENOMEM with the table unchanged. */
int pmap_enter(struct pmap *pm, uaddr_t va, paddr_t pa, unsigned prot);

/* Visitor for leaves: va, the frame, and its current prot. */
typedef void (*pmap_leaf_fn)(void *arg, uaddr_t va, paddr_t pa, unsigned prot);

/* Remove every leaf in [start, end). For each removed leaf, after its
 * translation is invalidated, calls fn (if not NULL) so the caller can drop
 * the frame's reference. Frees table pages that become empty. Cost is
 * proportional to the populated part of the range, not its length. */
void pmap_remove(struct pmap *pm, uaddr_t start, uaddr_t end, pmap_leaf_fn fn, void *arg);

/* Remove every leaf of an address space that is being torn down, calling
 * fn (if not NULL) for each, and free every table but the root. The caller
 * guarantees that nothing accesses the space's user addresses any more (no
 * thread runs in it), so leaves are cleared and handed to fn in one pass,
 * and one flush of the whole address space at the end drops whatever
 * translations a processor still caches, before any table is freed. */
void pmap_clear(struct pmap *pm, pmap_leaf_fn fn, void *arg);

/* Set prot on every existing leaf in [start, end) (never creates one) and
 * invalidate the changed translations. */
void pmap_protect(struct pmap *pm, uaddr_t start, uaddr_t end, unsigned prot);

/* Copy every leaf of src in [start, end) to the same address in dst, which
 * must have no leaf in the range (panics otherwise: an mm/ bug), for fork.
 * The copy maps the same frame with the same prot, its accessed/dirty state
 * clean, and holds a reference to the frame of its own (taken here; the
 * shared zero page is pinned and takes none). With wrprotect, write
 * permission is first taken from each source leaf (and invalidated), and
 * the copy has none either. Sets *copied (if not NULL) to the number of
 * leaves copied. One walk of the source; the cost follows the populated
 * part of the range. Returns 0, or -ENOMEM when a table of dst could not be
 * made: the leaves copied so far (with their references) stay, the rest
 * are neither copied nor write-protected. */
int pmap_copy(struct pmap *dst, struct pmap *src, uaddr_t start, uaddr_t end, bool wrprotect,
              uint64_t *copied);

/* pmap_protect for a private mapping gaining write permission (Linux's
 * mprotect does the same for exclusively owned anonymous pages): a leaf
 * whose frame has no other reference (reference count 1; never the shared
 * zero page) gets prot, the others prot without PMAP_WRITE (they stay
 * copy-on-write: the first write faults and copies). */
void pmap_protect_private(struct pmap *pm, uaddr_t start, uaddr_t end, unsigned prot);

/* Look up the leaf for va. Returns true and fills *pa and *prot (either may
 * be NULL) when a leaf exists, accessible or PROT_NONE. */
bool pmap_extract(const struct pmap *pm, uaddr_t va, paddr_t *pa, unsigned *prot);

/* Call fn for every leaf in [start, end), in address order, without changing
 * anything. fn must not modify the pmap. */
void pmap_walk(const struct pmap *pm, uaddr_t start, uaddr_t end, pmap_leaf_fn fn, void *arg);

/* Whether the hardware has recorded an access / a write through the leaf at
 * va since it was entered (x86-64 A/D bits, aarch64 AF and DBM). */
bool pmap_is_dirty(const struct pmap *pm, uaddr_t va);

/* The user address range this architecture's tables translate:
 * [0, pmap_user_top()). x86-64: 2^47 - 4096 (Linux's TASK_SIZE: the last
 * page below the non-canonical hole is never mapped); aarch64: 2^48. */
uaddr_t pmap_user_top(void);

/* Placement rule of one architecture: when the mmap flags ask for a
 * restricted window (x86-64 MAP_32BIT: [1 GiB, 2 GiB)), return true and
 * the window; the mapping is then placed bottom-up inside it. */
bool arch_mmap_window(unsigned long flags, uaddr_t *low, uaddr_t *high);

/* A short name for the format ("x86_64" or "aarch64"). */
const char *pmap_arch_name(void);

#endif
