/* arch/pt_walk.h — the table walker both page-table formats share: four
 * levels of 4 KiB table pages of 512 eight-byte entries over 4 KiB leaves,
 * a count of live entries per table page, range walks that skip absent
 * subtrees and unlink the tables they leave empty, and the parts of the
 * mm/pmap.h contract that do not depend on the entry format.
 *
 * Included exactly once, by arch/<arch>/pmap.c, after that file has defined
 * its entry format:
 *   pte_t, pte_load, pte_store, pte_addr, pte_is_leaf, pte_prot, pte_dirty,
 *   pte_present (translatable), pte_gone (marked by pt_leaf_mark_gone),
 *   pte_is_table (an entry above the leaves that points to a table),
 *   pte_make_table, PT_ROOT_ENTRIES (root entries that translate user
 *   addresses), PT_USER_TOP, PT_NAME (for panics and logs), and
 *   pt_tables_linking(pm) (called before fresh zeroed tables are linked).
 * and before it defines the leaf operations that need the format (see
 * "provided by the format" at the end).
 *
 * Levels here are depths: 0 is the root (x86-64 PML4, aarch64 level 0) and
 * PT_LEAF_DEPTH (3) the table of leaves (x86-64 PT, aarch64 level 3); depth
 * d translates address bits [39 - 9d + 8, 39 - 9d].
 *
 * Live counts: every table page, root included, has in the frame table the
 * number of its non-zero entries (frame_table_live_add). A table whose
 * count drops to 0 during pmap_remove is unlinked and freed, so an empty
 * table is never left linked, and asking whether one is empty reads one
 * counter instead of 512 entries. */
#ifndef ARCH_PT_WALK_H
#define ARCH_PT_WALK_H

#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/platform.h>
#include <mm/pmap.h>

#define PT_ENTRIES 512
#define PT_LEAF_DEPTH 3
#define PMAP_PROT_ALL (PMAP_READ | PMAP_WRITE | PMAP_EXEC)

/* Above this many pages, one call flushes the whole address space instead
 * of page by page (on SMP every flush is a shootdown or broadcast). */
#define PMAP_FLUSH_CEILING 32

static inline unsigned pt_shift(unsigned depth) { return 39 - 9 * depth; }
static inline unsigned pt_index(uaddr_t va, unsigned depth) { return (unsigned)(va >> pt_shift(depth)) & (PT_ENTRIES - 1); }
static inline pte_t *pt_entries(paddr_t table) { return platform_phys_to_virt(table); }

static _Noreturn void pt_corrupt(void)
{
    platform_panic(PT_NAME " pmap: an entry above the leaves is neither zero nor a table");
}

/* The next table below entry e at a depth above the leaves, or 0 when e is
 * empty. */
static inline paddr_t pt_next(pte_t e)
{
    if (e == 0)
        return 0;
    if (!pte_is_table(e))
        pt_corrupt();
    return pte_addr(e);
}

/* The hint: the pmap remembers the leaf table it last made or used to
 * enter a leaf (its address, entries and live count), so that faults and
 * fork's copy on nearby pages walk from the root once per 2 MiB. The hint
 * is dropped whenever that table is unlinked. */
static inline uaddr_t pt_block(uaddr_t va) { return va >> pt_shift(PT_LEAF_DEPTH - 1); }

static inline bool pt_hint_hit(const struct pmap *pm, uaddr_t va)
{
    return pm->hint_table && pm->hint_block == pt_block(va);
}

static void pt_hint_set(struct pmap *pm, uaddr_t va, paddr_t table)
{
    pm->hint_block = pt_block(va);
    pm->hint_table = table;
    pm->hint_entries = pt_entries(table);
    pm->hint_live = frame_table_live_slot(table);
}

/* The leaf table that translates va, walked from the root; 0 when a table
 * on the way is missing. */
static paddr_t pt_leaf_table_walk(const struct pmap *pm, uaddr_t va)
{
    paddr_t table = pm->root;
    for (unsigned depth = 0; depth < PT_LEAF_DEPTH && table; depth++)
        table = pt_next(pte_load(&pt_entries(table)[pt_index(va, depth)]));
    return table;
}

/* The leaf slot for va, or NULL when a table on the way is missing. */
static inline pte_t *pt_leaf_slot(const struct pmap *pm, uaddr_t va)
{
    if (pt_hint_hit(pm, va))
        return (pte_t *)pm->hint_entries + pt_index(va, PT_LEAF_DEPTH);
    paddr_t table = pt_leaf_table_walk(pm, va);
    return table ? &pt_entries(table)[pt_index(va, PT_LEAF_DEPTH)] : 0;
}

/* Make the leaf table for va the hint, making it (with the tables above
 * it) when missing. Every missing table is allocated before any is
 * linked, so -ENOMEM leaves the tables as they were. Returns 0 or
 * -ENOMEM. */
static int pt_leaf_table_make_walk(struct pmap *pm, uaddr_t va)
{
    paddr_t fresh[PT_LEAF_DEPTH];
    paddr_t table = pm->root;
    unsigned depth = 0, need;

    for (; depth < PT_LEAF_DEPTH; depth++) {
        paddr_t next = pt_next(pte_load(&pt_entries(table)[pt_index(va, depth)]));
        if (!next)
            break;
        table = next;
    }
    need = PT_LEAF_DEPTH - depth;
    for (unsigned i = 0; i < need; i++) {
        if (frame_alloc_zeroed(&fresh[i], MM_ALLOC_TABLE) != 0) {
            while (i-- > 0)
                frame_unref(fresh[i]);
            return -ENOMEM;
        }
    }
    if (need)
        pt_tables_linking(pm);
    for (unsigned i = 0; i < need; i++, depth++) {
        pte_store(&pt_entries(table)[pt_index(va, depth)], pte_make_table(fresh[i]));
        frame_table_live_add(table, 1);
        table = fresh[i];
    }
    pm->table_pages += need;
    pt_hint_set(pm, va, table);
    return 0;
}

/* The leaf slot for va, its table made when missing and made the hint (so
 * *pm->hint_live counts that table's entries), or NULL for -ENOMEM. */
static inline pte_t *pt_leaf_slot_make(struct pmap *pm, uaddr_t va)
{
    if (!pt_hint_hit(pm, va) && pt_leaf_table_make_walk(pm, va))
        return 0;
    return (pte_t *)pm->hint_entries + pt_index(va, PT_LEAF_DEPTH);
}

/* One pass over the leaves of a range, with what its visitor needs. */
struct pt_op {
    struct pmap *pm;
    /* Visits the leaves of entries [first, last] of a leaf table t whose
     * first entry maps base, of which left are non-zero; returns how many it
     * made zero. Each operation's is pt_leaves_each over its leaf visitor. */
    int (*leaves)(struct pt_op *op, pte_t *t, unsigned first, unsigned last, uaddr_t base,
                  uint32_t left);
    bool reap;            /* unlink tables left empty onto dead */
    bool flush_each;      /* remove: flush leaf by leaf */
    bool wrprotect;       /* copy: take write permission from the source */
    bool publish;         /* protect: a leaf became present */
    bool write_exclusive; /* protect: PMAP_WRITE only where the frame is the leaf's alone */
    unsigned prot;        /* protect: the new prot */
    int err;              /* copy: -ENOMEM once a table could not be made */
    uint64_t count;       /* leaves the pass changed that were present */
    uint64_t seen;        /* remove: leaves seen by the first pass, */
    uaddr_t first, last;  /* the first and the last of them */
    pmap_leaf_fn fn;
    void *arg;
    struct pmap *dst;     /* copy: the destination */
    paddr_t dst_table;    /* copy: its leaf table for dst_block */
    pte_t *dst_entries;   /* copy: that table's entries */
    uint32_t dst_added;   /* copy: leaves added there, not yet counted */
    uaddr_t dst_block;
    uint64_t leaves_copied;
    paddr_t dead;         /* unlinked tables, chained through their first word */
    uint64_t ndead;
};

/* The body of every op->leaves: the leaf visitor leaf (true when it made
 * the slot zero) on each non-zero entry of t[first..last], stopping once
 * left of them were seen. Inlined into each operation's op->leaves, so the
 * visitor is a direct call the compiler inlines too. */
static inline __attribute__((always_inline)) int
pt_leaves_each(struct pt_op *op, pte_t *t, unsigned first, unsigned last, uaddr_t base, uint32_t left,
               bool (*leaf)(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va))
{
    int cleared = 0;
    for (unsigned i = first; i <= last; i++) {
        pte_t e = pte_load(&t[i]);
        if (e == 0)
            continue;
        if (leaf(op, &t[i], e, base + ((uaddr_t)i << PAGE_SHIFT)))
            cleared++;
        if (--left == 0)
            break;
    }
    return cleared;
}

/* One op->leaves per leaf visitor. */
#define PT_LEAVES(name, leaf)                                                                   \
    static int name(struct pt_op *op, pte_t *t, unsigned first, unsigned last, uaddr_t base,  \
                    uint32_t left)                                                             \
    {                                                                                          \
        return pt_leaves_each(op, t, first, last, base, left, leaf);                           \
    }

/* Visit every leaf of [start, end) below table, a table at depth whose
 * first entry maps base. Skips absent subtrees, so the cost follows what is
 * populated. Leaves a visitor clears come off the table's live count. With
 * op->reap, a table whose count reaches 0 after its subtree was visited is
 * unlinked and chained onto op->dead (its va in its second word) to be
 * freed once no TLB or walk cache can reach it. */
static void pt_range(struct pt_op *op, paddr_t table, unsigned depth, uaddr_t base,
                     uaddr_t start, uaddr_t end)
{
    pte_t *t = pt_entries(table);
    unsigned shift = pt_shift(depth);
    unsigned last = pt_index(end - 1, depth);
    unsigned first = pt_index(start, depth);
    /* Visitors clear only the entry they are given and never fill one of
     * this table, so once as many non-zero entries as the table had have
     * been seen, the rest of the range is empty. (For a short range the
     * count is not worth its look-up.) */
    uint32_t left = last - first >= 32 ? frame_table_live(table) : PT_ENTRIES;
    int cleared = 0;

    if (left == 0)
        return;
    if (depth == PT_LEAF_DEPTH) {
        cleared = op->leaves(op, t, first, last, base, left);
    } else {
        for (unsigned i = first; i <= last; i++) {
            paddr_t next = pt_next(pte_load(&t[i]));
            if (!next)
                continue;
            left--;
            uaddr_t lo = base + ((uaddr_t)i << shift), hi = lo + ((uaddr_t)1 << shift);
            pt_range(op, next, depth + 1, lo, MM_MAX(start, lo), MM_MIN(end, hi));
            if (op->reap && frame_table_live(next) == 0) {
                pte_t *dead = pt_entries(next);
                pte_store(&t[i], 0);
                cleared++;
                dead[0] = op->dead;
                dead[1] = lo;
                op->dead = next;
                op->ndead++;
                if (next == op->pm->hint_table)
                    op->pm->hint_table = 0;
            }
            if (left == 0)
                break;
        }
    }
    if (cleared)
        frame_table_live_add(table, -cleared);
}

/* Free the tables pt_range unlinked, after invalidating every translation
 * and cached walk that could still lead through them. This relies on the
 * host's flush_page dropping the paging-structure (walk) caches for the
 * address as well as the leaf (x86-64 INVLPG and aarch64 TLBI VAE1IS do). */
static void pt_free_dead(struct pt_op *op)
{
    paddr_t t;
    if (op->ndead == 0)
        return;
    if (op->ndead > PMAP_FLUSH_CEILING)
        platform_tlb_flush_all(op->pm);
    else
        for (t = op->dead; t; t = pt_entries(t)[0])
            platform_tlb_flush_page(op->pm, pt_entries(t)[1]);
    for (t = op->dead; t;) {
        paddr_t next = pt_entries(t)[0];
        frame_unref(t);
        t = next;
    }
}

/* Check a range argument: false (after logging a caller bug) when it is
 * unaligned or starts outside user space; clamps end to the user top. */
static bool pt_range_ok(const char *who, uaddr_t start, uaddr_t *end)
{
    if (start >= *end)
        return false;
    if (!page_aligned(start) || !page_aligned(*end) || start >= PT_USER_TOP) {
        platform_log(who);
        return false;
    }
    *end = MM_MIN(*end, PT_USER_TOP);
    return true;
}

/* Free the tables below table (at depth, its first nentries entries);
 * panics on a leaf or on a live count that disagrees with the entries.
 * Returns the number of table pages freed. */
static uint32_t pt_destroy(paddr_t table, unsigned depth, unsigned nentries)
{
    pte_t *t = pt_entries(table);
    uint32_t freed = 0, live = 0;
    for (unsigned i = 0; i < nentries; i++) {
        pte_t e = pte_load(&t[i]);
        if (e == 0)
            continue;
        live++;
        if (depth == PT_LEAF_DEPTH)
            platform_panic("pmap_destroy: a leaf remains in the page table");
        paddr_t next = pt_next(e);
        freed += pt_destroy(next, depth + 1, PT_ENTRIES);
        pte_store(&t[i], 0);
        frame_unref(next);
        freed++;
    }
    if (live != frame_table_live(table))
        platform_panic("pmap_destroy: a table's live count does not match its entries");
    return freed;
}

/* ---- the format-independent part of the contract ---- */

/* Contract: see pmap.h. The root is a zeroed table page; asid is set to 0
 * for the host to assign. */
int pmap_create(struct pmap *pm)
{
    paddr_t root;
    if (frame_alloc_zeroed(&root, MM_ALLOC_TABLE) != 0)
        return -ENOMEM;
    *pm = (struct pmap){.root = root, .table_pages = 1};
    return 0;
}

/* Contract: see pmap.h. Invalidates the address space's translations
 * first, so the root (and ASID) may be reused for another address space at
 * once. Panics when a table's live count is wrong. */
void pmap_destroy(struct pmap *pm)
{
    if (pm->root == 0)
        return;
    platform_tlb_flush_all(pm);
    uint32_t freed = pt_destroy(pm->root, 0, PT_ROOT_ENTRIES);
    if (freed + 1 != pm->table_pages)
        platform_panic("pmap_destroy: table_pages does not match the tables found");
    frame_unref(pm->root);
    pm->root = 0;
    pm->table_pages = 0;
    pm->hint_table = 0;
}

/* Contract: see pmap.h. */
bool pmap_extract(const struct pmap *pm, uaddr_t va, paddr_t *pa, unsigned *prot)
{
    if (va >= PT_USER_TOP)
        return false;
    pte_t *slot = pt_leaf_slot(pm, va);
    if (!slot)
        return false;
    pte_t e = pte_load(slot);
    if (!pte_is_leaf(e))
        return false;
    if (pa)
        *pa = pte_addr(e);
    if (prot)
        *prot = pte_prot(e);
    return true;
}

static bool walk_leaf(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va)
{
    (void)slot;
    op->fn(op->arg, va, pte_addr(e), pte_prot(e));
    return false;
}
PT_LEAVES(walk_leaves, walk_leaf)

/* Contract: see pmap.h. */
void pmap_walk(const struct pmap *pm, uaddr_t start, uaddr_t end, pmap_leaf_fn fn, void *arg)
{
    if (!fn || !pt_range_ok("pmap_walk: bad range", start, &end))
        return;
    /* The walk changes nothing, so the op's pmap may drop const. */
    struct pt_op op = {.pm = (struct pmap *)pm, .leaves = walk_leaves, .fn = fn, .arg = arg};
    pt_range(&op, pm->root, 0, 0, start, end);
}

/* Contract: see pmap.h. What counts as dirty is the format's pte_dirty
 * (x86-64: the D bit, kept through pmap_protect; aarch64 without DBM: a
 * leaf that has been writable since it was entered). */
bool pmap_is_dirty(const struct pmap *pm, uaddr_t va)
{
    if (va >= PT_USER_TOP)
        return false;
    pte_t *slot = pt_leaf_slot(pm, va);
    return slot && pte_is_leaf(pte_load(slot)) && pte_dirty(pte_load(slot));
}

/* Contract: see pmap.h. */
uaddr_t pmap_user_top(void) { return PT_USER_TOP; }

/* ---- provided by the format, after this file ---- */

/* pmap_remove, first pass: make a present leaf untranslatable, keeping it
 * (marked gone) so the second pass can still name its frame. */
static bool pt_leaf_mark_gone(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va);
/* Both call this for every leaf they are given (marked or not). */
static inline void remove_note(struct pt_op *op, uaddr_t va)
{
    if (!op->seen++)
        op->first = va;
    op->last = va;
}
/* pmap_protect's visitor (the prot comes from pt_protect_prot). */
static bool pt_leaf_protect(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va);

/* The prot pmap_protect gives leaf e: op->prot, without PMAP_WRITE under
 * write_exclusive unless e's frame has no other reference. */
static inline unsigned pt_protect_prot(const struct pt_op *op, pte_t e)
{
    if (!op->write_exclusive || !(op->prot & PMAP_WRITE))
        return op->prot;
    paddr_t pa = pte_addr(e);
    if (!frame_is_zero_page(pa) && frame_refcount(pa) == 1)
        return op->prot;
    return (op->prot & ~(unsigned)PMAP_WRITE) | PMAP_READ;
}
/* pmap_copy: with wrprotect, take write permission from the source leaf
 * (returning whether it was present and writable); returns the leaf the
 * destination gets in *child. */
static bool pt_leaf_copy(pte_t *slot, pte_t e, bool wrprotect, pte_t *child);

/* pmap_remove, second pass: clear the leaf, make sure no TLB holds it, then
 * hand the frame to the caller. */
static bool remove_reap(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va)
{
    pte_store(slot, 0);
    if (pte_gone(e) && op->flush_each)
        platform_tlb_flush_page(op->pm, va);
    if (op->fn)
        op->fn(op->arg, va, pte_addr(e), pte_prot(e));
    return true;
}
PT_LEAVES(remove_reap_leaves, remove_reap)
PT_LEAVES(mark_gone_leaves, pt_leaf_mark_gone)
PT_LEAVES(protect_leaves, pt_leaf_protect)

/* Contract: see pmap.h. Two passes over the populated part of the range:
 * the first makes every leaf untranslatable, then one flush covers them all
 * when there are many (otherwise the second pass flushes page by page), and
 * the second pass clears the leaves, calls fn and unlinks tables left
 * empty, which are freed after a last flush. fn must not touch the pmap.
 * The second pass covers only the span from the first leaf to the last.
 * An unaligned or out-of-range start is a caller bug and ignored (logged);
 * end is clamped to the user top. */
void pmap_remove(struct pmap *pm, uaddr_t start, uaddr_t end, pmap_leaf_fn fn, void *arg)
{
    if (!pt_range_ok("pmap_remove: bad range", start, &end))
        return;
    struct pt_op op = {.pm = pm, .leaves = mark_gone_leaves};
    pt_range(&op, pm->root, 0, 0, start, end);
    if (op.seen == 0)
        return; /* no leaf, so no table either: tables are never left empty */

    bool flush_each = op.count <= PMAP_FLUSH_CEILING;
    if (!flush_each)
        platform_tlb_flush_all(pm);
    /* Only tables holding a removed leaf can become empty. */
    start = op.first;
    end = op.last + PAGE_SIZE;
    op = (struct pt_op){.pm = pm, .leaves = remove_reap_leaves, .reap = true, .flush_each = flush_each,
                        .fn = fn, .arg = arg};
    pt_range(&op, pm->root, 0, 0, start, end);
    pm->table_pages -= (uint32_t)op.ndead;
    pt_free_dead(&op);
}

/* pmap_clear's visitor: nothing translates through the pmap any more, so
 * the leaf goes at once. */
static bool clear_leaf(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va)
{
    pte_store(slot, 0);
    if (op->fn)
        op->fn(op->arg, va, pte_addr(e), pte_prot(e));
    return true;
}
PT_LEAVES(clear_leaves, clear_leaf)

/* Contract: see pmap.h. One pass that clears the leaves and unlinks the
 * tables, then one flush of the whole address space before the tables
 * are freed. */
void pmap_clear(struct pmap *pm, pmap_leaf_fn fn, void *arg)
{
    struct pt_op op = {.pm = pm, .leaves = clear_leaves, .reap = true, .fn = fn, .arg = arg};
    pt_range(&op, pm->root, 0, 0, 0, PT_USER_TOP);
    platform_tlb_flush_all(pm);
    pm->table_pages -= (uint32_t)op.ndead;
    for (paddr_t t = op.dead; t;) {
        paddr_t next = pt_entries(t)[0];
        frame_unref(t);
        t = next;
    }
}

/* pmap_protect and pmap_protect_private. Contract: see pmap.h. Keeps each
 * leaf's frame and dirty state. Flushes changed pages one by one, or the
 * whole address space once when more than PMAP_FLUSH_CEILING changed. Bad
 * arguments are ignored (logged). */
static void pt_protect(struct pmap *pm, uaddr_t start, uaddr_t end, unsigned prot, bool write_exclusive)
{
    if (prot & ~PMAP_PROT_ALL) {
        platform_log("pmap_protect: bad prot");
        return;
    }
    if (!pt_range_ok("pmap_protect: bad range", start, &end))
        return;
    struct pt_op op = {.pm = pm, .leaves = protect_leaves, .prot = prot, .write_exclusive = write_exclusive};
    pt_range(&op, pm->root, 0, 0, start, end);
    if (op.count > PMAP_FLUSH_CEILING)
        platform_tlb_flush_all(pm);
    if (op.publish)
        platform_pte_publish(pm);
}

void pmap_protect(struct pmap *pm, uaddr_t start, uaddr_t end, unsigned prot)
{
    pt_protect(pm, start, end, prot, false);
}

/* Contract: see pmap.h. As pmap_protect; the reference count is read per
 * leaf only when prot has PMAP_WRITE. */
void pmap_protect_private(struct pmap *pm, uaddr_t start, uaddr_t end, unsigned prot)
{
    pt_protect(pm, start, end, prot, true);
}

/* Add the leaves copied into the current destination table to its count. */
static void copy_flush_live(struct pt_op *op)
{
    if (op->dst_added)
        frame_table_live_add(op->dst_table, (int)op->dst_added);
    op->leaves_copied += op->dst_added;
    op->dst_added = 0;
}

static bool copy_leaf(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va)
{
    pte_t child;
    if (op->err)
        return false;
    uaddr_t block = pt_block(va);
    if (!op->dst_table || op->dst_block != block) {
        copy_flush_live(op);
        if (!pt_leaf_slot_make(op->dst, va)) {
            op->dst_table = 0;
            op->err = -ENOMEM;
            return false;
        }
        op->dst_table = op->dst->hint_table;
        op->dst_block = block;
        op->dst_entries = op->dst->hint_entries;
    }
    if (pt_leaf_copy(slot, e, op->wrprotect, &child) && ++op->count <= PMAP_FLUSH_CEILING)
        platform_tlb_flush_page(op->pm, va);
    pte_t *dslot = &op->dst_entries[pt_index(va, PT_LEAF_DEPTH)];
    if (pte_load(dslot) != 0)
        platform_panic("pmap_copy: the destination already has a leaf there");
    op->dst_added++;
    pte_store(dslot, child);
    op->publish = op->publish || pte_present(child);
    paddr_t pa = pte_addr(child);
    if (!frame_is_zero_page(pa))
        frame_ref(pa);
    return false;
}
PT_LEAVES(copy_leaves, copy_leaf)

/* Contract: see pmap.h. One walk over the source's populated tables; the
 * destination's leaf table is made once per 512 leaves. Source leaves that
 * lose write permission are flushed one by one, or the whole source at
 * once when more than PMAP_FLUSH_CEILING did. */
int pmap_copy(struct pmap *dst, struct pmap *src, uaddr_t start, uaddr_t end, bool wrprotect,
              uint64_t *copied)
{
    struct pt_op op = {.pm = src, .leaves = copy_leaves, .wrprotect = wrprotect, .dst = dst};
    if (pt_range_ok("pmap_copy: bad range", start, &end))
        pt_range(&op, src->root, 0, 0, start, end);
    copy_flush_live(&op);
    if (op.count > PMAP_FLUSH_CEILING)
        platform_tlb_flush_all(src);
    if (op.publish)
        platform_pte_publish(dst);
    if (copied)
        *copied = op.leaves_copied;
    return op.err;
}

#endif
