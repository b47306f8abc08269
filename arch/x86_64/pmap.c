/* arch/x86_64/pmap.c — mm/pmap.h for x86-64: the user half of a 4-level
 * page table (PML4, PDPT, PD, PT) with 4 KiB leaves, its TLB maintenance,
 * and the only code in mm/ or arch/ that knows the x86-64 entry format. */
#include <mm/errno.h>
#include <mm/platform.h>
#include <mm/frame.h>
#include <mm/pmap.h>

/*
 * x86-64 4-level paging with 4 KiB pages. A user virtual address below
 * 2^47 picks one entry in each of four tables, each table one 4 KiB page of
 * 512 eight-byte entries:
 *
 *    47       39 38       30 29       21 20       12 11          0
 *   +-----------+-----------+-----------+-----------+-------------+
 *   | PML4 (L4) | PDPT (L3) |  PD (L2)  |  PT (L1)  | byte offset |
 *   +-----------+-----------+-----------+-----------+-------------+
 *
 * All four levels share one entry layout:
 *
 *    63 62      52 51        12 11   9  8   7   6   5   4   3   2   1   0
 *   +--+----------+------------+------+---+---+---+---+---+---+---+---+---+
 *   |XD| ignored  | phys frame | AVL  | G |PS | D | A |PCD|PWT|US |RW | P |
 *   +--+----------+------------+------+---+---+---+---+---+---+---+---+---+
 *
 *   P    present. When clear the processor ignores all other bits, so
 *        software may keep what it likes in them.
 *   RW   writable; US user-accessible; XD no instruction fetch (EFER.NXE).
 *        An access is allowed only if RW / US are set at all four levels
 *        and XD is clear at all four, so intermediate entries here are
 *        permissive (P|RW|US, XD clear) and the leaf alone decides.
 *   A, D set by the processor on the first access / first write through
 *        the entry (D in leaves only). D is the dirty state pmap_is_dirty
 *        reports; pmap_protect keeps it.
 *   PS   in a PDPT or PD entry maps a 1 GiB / 2 MiB page. Never set here.
 *   G, PCD, PWT: global, cache control. Always clear (user pages are
 *        per-address-space and write-back).
 *   bits 51:12 the frame (or next table) address; bits above the CPU's
 *        physical address width are reserved and must be zero.
 *   AVL  bits 9-11, ignored by the processor: software bits.
 *
 * Leaves this file writes (level 1 only):
 *   accessible      P US [RW] [XD]                      frame
 *   PROT_NONE       P clear, SW_PROTNONE (bit 9), A/D kept, frame kept
 *   being removed   the old entry with P clear and SW_GONE (bit 10); exists
 *                   only inside pmap_remove (see there)
 * x86 has no execute-only or write-only page: any present user page is
 * readable, so PROT_EXEC alone reads back as READ|EXEC.
 *
 * Only the user half of the root, entries 0-255 (below 2^47), is ever
 * read or written; a kernel may keep its own mappings in entries 256-511.
 */

typedef uint64_t pte_t;

#define PTE_P ((pte_t)1 << 0)
#define PTE_RW ((pte_t)1 << 1)
#define PTE_US ((pte_t)1 << 2)
#define PTE_A ((pte_t)1 << 5)
#define PTE_D ((pte_t)1 << 6)
#define PTE_PS ((pte_t)1 << 7)
#define PTE_SW_PROTNONE ((pte_t)1 << 9)
#define PTE_SW_GONE ((pte_t)1 << 10)
#define PTE_XD ((pte_t)1 << 63)
#define PTE_ADDR ((pte_t)0x000ffffffffff000)

#define PT_ROOT_LEVEL 4
#define PT_ENTRIES 512
#define PT_USER_ROOT_ENTRIES 256
#define X86_USER_TOP ((uaddr_t)0x7ffffffff000)
#define PMAP_PROT_ALL (PMAP_READ | PMAP_WRITE | PMAP_EXEC)

/* Above this many pages, one call flushes the whole address space instead
 * of page by page (on SMP every flush is a shootdown). */
#define PMAP_FLUSH_CEILING 32

/* ---- entries ---- */

static inline pte_t pte_load(const pte_t *slot) { return __atomic_load_n(slot, __ATOMIC_RELAXED); }
static inline void pte_store(pte_t *slot, pte_t e) { __atomic_store_n(slot, e, __ATOMIC_RELAXED); }

/* Replace *slot by e if it still holds *old; otherwise *old is reloaded.
 * The processor may set A or D in a present entry at any time. */
static inline bool pte_replace(pte_t *slot, pte_t *old, pte_t e)
{
    return __atomic_compare_exchange_n(slot, old, e, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

static inline bool pte_present(pte_t e) { return (e & PTE_P) != 0; }
static inline bool pte_protnone(pte_t e) { return !pte_present(e) && (e & PTE_SW_PROTNONE); }
static inline bool pte_gone(pte_t e) { return !pte_present(e) && (e & PTE_SW_GONE); }
static inline paddr_t pte_addr(pte_t e) { return e & PTE_ADDR; }
static inline bool pte_dirty(pte_t e) { return (e & PTE_D) != 0; }

/* A level-1 entry holds a leaf when it is non-zero. */
static inline bool pte_is_leaf(pte_t e) { return pte_present(e) || pte_protnone(e) || pte_gone(e); }

/* An entry at levels 2-4 pointing to a next-level table. */
static inline bool pte_is_table(pte_t e) { return pte_present(e) && !(e & PTE_PS); }

static inline pte_t pte_make_table(paddr_t table) { return table | PTE_P | PTE_RW | PTE_US; }

/* The leaf for frame pa with prot; keep carries A/D over from an old leaf
 * of the same frame. */
static inline pte_t pte_make_leaf(paddr_t pa, unsigned prot, pte_t keep)
{
    pte_t e = pa | (keep & (PTE_A | PTE_D));
    if (prot == 0)
        return e | PTE_SW_PROTNONE;
    e |= PTE_P | PTE_US;
    if (prot & PMAP_WRITE)
        e |= PTE_RW;
    if (!(prot & PMAP_EXEC))
        e |= PTE_XD;
    return e;
}

/* prot of a leaf (accessible, PROT_NONE, or being removed). */
static inline unsigned pte_prot(pte_t e)
{
    if (pte_protnone(e))
        return 0;
    return PMAP_READ | ((e & PTE_RW) ? PMAP_WRITE : 0) | ((e & PTE_XD) ? 0 : PMAP_EXEC);
}

/* The same leaf, no longer translatable, marked as owed its callback. */
static inline pte_t pte_make_gone(pte_t e) { return (e & ~PTE_P) | PTE_SW_GONE; }

/* ---- tables ---- */

static inline unsigned pt_shift(unsigned level) { return PAGE_SHIFT + 9 * (level - 1); }
static inline unsigned pt_index(uaddr_t va, unsigned level) { return (unsigned)(va >> pt_shift(level)) & (PT_ENTRIES - 1); }
static inline pte_t *pt_entries(paddr_t table) { return platform_phys_to_virt(table); }

static _Noreturn void pt_corrupt(void)
{
    platform_panic("x86_64 pmap: intermediate entry is neither empty nor a table");
}

static bool pt_table_empty(paddr_t table)
{
    const pte_t *t = pt_entries(table);
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        if (pte_load(&t[i]) != 0)
            return false;
    return true;
}

/* The level-1 slot for va, or NULL when a table on the way is missing. */
static pte_t *pt_leaf_slot(const struct pmap *pm, uaddr_t va)
{
    paddr_t table = pm->root;
    for (unsigned level = PT_ROOT_LEVEL; level > 1; level--) {
        pte_t e = pte_load(&pt_entries(table)[pt_index(va, level)]);
        if (e == 0)
            return NULL;
        if (!pte_is_table(e))
            pt_corrupt();
        table = pte_addr(e);
    }
    return &pt_entries(table)[pt_index(va, 1)];
}

/* One pass over the leaves of a range, with what its visitor needs. */
struct pt_op {
    const struct pmap *pm;
    void (*leaf)(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va);
    bool reap;            /* unlink tables left empty onto dead */
    bool flush_each;      /* remove: flush leaf by leaf */
    unsigned prot;        /* protect: the new prot */
    uint64_t count;       /* leaves the pass changed that were present */
    bool publish;         /* protect: a leaf became present */
    pmap_leaf_fn fn;
    void *arg;
    paddr_t dead;         /* unlinked tables, chained through their first word */
    uint64_t ndead;
};

/* Visit every leaf of [start, end) below table, a level-level table whose
 * first entry maps base. Skips absent subtrees, so the cost follows what is
 * populated. With op->reap, a table found empty after its subtree was
 * visited is unlinked and chained onto op->dead (its va in its second
 * word) to be freed once no TLB can walk through it. */
static void pt_range(struct pt_op *op, paddr_t table, unsigned level, uaddr_t base,
                     uaddr_t start, uaddr_t end)
{
    pte_t *t = pt_entries(table);
    unsigned shift = pt_shift(level);
    unsigned last = pt_index(end - 1, level);

    for (unsigned i = pt_index(start, level); i <= last; i++) {
        uaddr_t lo = base + ((uaddr_t)i << shift);
        pte_t e = pte_load(&t[i]);
        if (e == 0)
            continue;
        if (level == 1) {
            op->leaf(op, &t[i], e, lo);
            continue;
        }
        if (!pte_is_table(e))
            pt_corrupt();
        uaddr_t hi = lo + ((uaddr_t)1 << shift);
        pt_range(op, pte_addr(e), level - 1, lo, MM_MAX(start, lo), MM_MIN(end, hi));
        if (op->reap && pt_table_empty(pte_addr(e))) {
            pte_t *dead = pt_entries(pte_addr(e));
            pte_store(&t[i], 0);
            dead[0] = op->dead;
            dead[1] = lo;
            op->dead = pte_addr(e);
            op->ndead++;
        }
    }
}

/* Free the tables pt_range unlinked, after flushing every translation
 * (paging-structure caches included) that could still lead through them.
 * INVLPG, the usual flush_page, drops the paging-structure caches too. */
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
    if (!page_aligned(start) || !page_aligned(*end) || start >= X86_USER_TOP) {
        platform_log(who);
        return false;
    }
    *end = MM_MIN(*end, X86_USER_TOP);
    return true;
}

/* ---- the contract ---- */

/* Contract: see pmap.h. The root is a zeroed table page; asid is set to 0
 * for the host to assign. */
int pmap_create(struct pmap *pm)
{
    paddr_t root;
    if (frame_alloc_zeroed(&root, MM_ALLOC_TABLE) != 0)
        return -ENOMEM;
    pm->root = root;
    pm->asid = 0;
    pm->table_pages = 1;
    return 0;
}

/* Free the tables below table (a level-level table); panics on a leaf.
 * Returns the number of table pages freed. */
static uint32_t pt_destroy(paddr_t table, unsigned level, unsigned nentries)
{
    pte_t *t = pt_entries(table);
    uint32_t freed = 0;
    for (unsigned i = 0; i < nentries; i++) {
        pte_t e = pte_load(&t[i]);
        if (e == 0)
            continue;
        if (level == 1)
            platform_panic("pmap_destroy: a leaf remains in the page table");
        if (!pte_is_table(e))
            pt_corrupt();
        freed += pt_destroy(pte_addr(e), level - 1, PT_ENTRIES);
        pte_store(&t[i], 0);
        frame_unref(pte_addr(e));
        freed++;
    }
    return freed;
}

/* Contract: see pmap.h. Flushes the address space's translations first,
 * so the root may be reused for another address space at once. */
void pmap_destroy(struct pmap *pm)
{
    if (pm->root == 0)
        return;
    platform_tlb_flush_all(pm);
    uint32_t freed = pt_destroy(pm->root, PT_ROOT_LEVEL, PT_USER_ROOT_ENTRIES);
    if (freed + 1 != pm->table_pages)
        platform_panic("pmap_destroy: table_pages does not match the tables found");
    frame_unref(pm->root);
    pm->root = 0;
    pm->table_pages = 0;
}

/* Contract: see pmap.h. Every missing table is allocated before anything
 * is written, so -ENOMEM leaves the table as it was. Re-entering the frame
 * a leaf already maps keeps its accessed/dirty state (the write already
 * happened); a different frame starts clean. Returns -EINVAL (and logs) for
 * an unaligned or out-of-range va or pa or unknown prot bits: a caller bug. */
int pmap_enter(struct pmap *pm, uaddr_t va, paddr_t pa, unsigned prot)
{
    paddr_t fresh[PT_ROOT_LEVEL - 1];
    paddr_t table = pm->root;
    unsigned level, need;

    if (!page_aligned(va) || va >= X86_USER_TOP || (pa & ~PTE_ADDR) != 0 || (prot & ~PMAP_PROT_ALL)) {
        platform_log("pmap_enter: bad argument");
        return -EINVAL;
    }

    for (level = PT_ROOT_LEVEL; level > 1; level--) {
        pte_t e = pte_load(&pt_entries(table)[pt_index(va, level)]);
        if (e == 0)
            break;
        if (!pte_is_table(e))
            pt_corrupt();
        table = pte_addr(e);
    }
    need = level - 1;
    for (unsigned i = 0; i < need; i++) {
        if (frame_alloc_zeroed(&fresh[i], MM_ALLOC_TABLE) != 0) {
            while (i-- > 0)
                frame_unref(fresh[i]);
            return -ENOMEM;
        }
    }
    for (unsigned i = 0; i < need; i++, level--) {
        pte_store(&pt_entries(table)[pt_index(va, level)], pte_make_table(fresh[i]));
        table = fresh[i];
    }
    pm->table_pages += need;

    pte_t *slot = &pt_entries(table)[pt_index(va, 1)];
    pte_t old = pte_load(slot), e;
    do {
        pte_t keep = (pte_is_leaf(old) && pte_addr(old) == pa) ? old : 0;
        e = pte_make_leaf(pa, prot, keep);
    } while (!pte_replace(slot, &old, e));
    if (pte_present(old))
        platform_tlb_flush_page(pm, va);
    if (pte_present(e))
        platform_pte_publish(pm);
    return 0;
}

/* pmap_remove, first pass: make each present leaf not present, keeping it
 * (marked gone) so the second pass can still name its frame. */
static void remove_mark(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va)
{
    (void)va;
    if (!pte_present(e))
        return;
    while (!pte_replace(slot, &e, pte_make_gone(e)))
        ;
    op->count++;
}

/* pmap_remove, second pass: clear the leaf, make sure no TLB holds it, then
 * hand the frame to the caller. */
static void remove_reap(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va)
{
    pte_store(slot, 0);
    if (pte_gone(e) && op->flush_each)
        platform_tlb_flush_page(op->pm, va);
    if (op->fn)
        op->fn(op->arg, va, pte_addr(e), pte_prot(e));
}

/* Contract: see pmap.h. Two passes over the populated part of the range:
 * the first makes every leaf untranslatable, then one flush covers them all
 * when there are many (otherwise the second pass flushes page by page), and
 * the second pass clears the leaves, calls fn and unlinks empty tables,
 * which are freed after a last flush. fn must not touch the pmap. An
 * unaligned or out-of-range start is a caller bug and ignored (logged); end
 * is clamped to the user top. */
void pmap_remove(struct pmap *pm, uaddr_t start, uaddr_t end, pmap_leaf_fn fn, void *arg)
{
    if (!pt_range_ok("pmap_remove: bad range", start, &end))
        return;
    struct pt_op op = {.pm = pm, .leaf = remove_mark};
    pt_range(&op, pm->root, PT_ROOT_LEVEL, 0, start, end);

    bool flush_each = op.count <= PMAP_FLUSH_CEILING;
    if (!flush_each)
        platform_tlb_flush_all(pm);
    op = (struct pt_op){.pm = pm, .leaf = remove_reap, .reap = true, .flush_each = flush_each,
                        .fn = fn, .arg = arg};
    pt_range(&op, pm->root, PT_ROOT_LEVEL, 0, start, end);
    pm->table_pages -= (uint32_t)op.ndead;
    pt_free_dead(&op);
}

static void protect_leaf(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va)
{
    pte_t n;
    do {
        n = pte_make_leaf(pte_addr(e), op->prot, e);
    } while (n != e && !pte_replace(slot, &e, n));
    if (n == e)
        return;
    op->publish = op->publish || pte_present(n);
    if (!pte_present(e))
        return;
    if (++op->count <= PMAP_FLUSH_CEILING)
        platform_tlb_flush_page(op->pm, va);
}

/* Contract: see pmap.h. Keeps each leaf's frame and accessed/dirty state.
 * Flushes changed pages one by one, or the whole address space once when
 * more than PMAP_FLUSH_CEILING changed. Bad arguments are ignored (logged). */
void pmap_protect(struct pmap *pm, uaddr_t start, uaddr_t end, unsigned prot)
{
    if (prot & ~PMAP_PROT_ALL) {
        platform_log("pmap_protect: bad prot");
        return;
    }
    if (!pt_range_ok("pmap_protect: bad range", start, &end))
        return;
    struct pt_op op = {.pm = pm, .leaf = protect_leaf, .prot = prot};
    pt_range(&op, pm->root, PT_ROOT_LEVEL, 0, start, end);
    if (op.count > PMAP_FLUSH_CEILING)
        platform_tlb_flush_all(pm);
    if (op.publish)
        platform_pte_publish(pm);
}

/* Contract: see pmap.h. */
bool pmap_extract(const struct pmap *pm, uaddr_t va, paddr_t *pa, unsigned *prot)
{
    if (va >= X86_USER_TOP)
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

static void walk_leaf(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va)
{
    (void)slot;
    op->fn(op->arg, va, pte_addr(e), pte_prot(e));
}

/* Contract: see pmap.h. */
void pmap_walk(const struct pmap *pm, uaddr_t start, uaddr_t end, pmap_leaf_fn fn, void *arg)
{
    if (!fn || !pt_range_ok("pmap_walk: bad range", start, &end))
        return;
    struct pt_op op = {.pm = pm, .leaf = walk_leaf, .fn = fn, .arg = arg};
    pt_range(&op, pm->root, PT_ROOT_LEVEL, 0, start, end);
}

/* Contract: see pmap.h. The D bit, which the processor sets on the first
 * write and pmap_protect keeps (also through PROT_NONE). */
bool pmap_is_dirty(const struct pmap *pm, uaddr_t va)
{
    if (va >= X86_USER_TOP)
        return false;
    pte_t *slot = pt_leaf_slot(pm, va);
    return slot && pte_is_leaf(pte_load(slot)) && pte_dirty(pte_load(slot));
}

/* Contract: see pmap.h. */
uaddr_t pmap_user_top(void) { return X86_USER_TOP; }

/* Contract: see pmap.h. */
const char *pmap_arch_name(void) { return "x86_64"; }
