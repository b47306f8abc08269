/* arch/aarch64/pmap.c — mm/pmap.h for aarch64: a VMSAv8-64 stage 1 user
 * translation table (TTBR0_EL1, 4 KiB granule, 48-bit VA, levels 0-3) with
 * 4 KiB pages, its TLB maintenance and break-before-make, and the only code
 * in mm/ or arch/ that knows the aarch64 descriptor format. */
#include <mm/errno.h>
#include <mm/platform.h>
#include <mm/frame.h>
#include <mm/pmap.h>

/*
 * With a 4 KiB granule and TCR_EL1.T0SZ = 16 a user address below 2^48 is
 * translated by four tables of 512 eight-byte descriptors, one page each:
 *
 *    47       39 38       30 29       21 20       12 11          0
 *   +-----------+-----------+-----------+-----------+-------------+
 *   |  level 0  |  level 1  |  level 2  |  level 3  | byte offset |
 *   +-----------+-----------+-----------+-----------+-------------+
 *
 * Table descriptor (levels 0-2, bits 1:0 = 0b11):
 *
 *    63  62 61  60   59   58   51 50  48 47               12 11    2 1 0
 *   +---+-----+----+----+--------+------+-------------------+-------+---+
 *   |NS |APTbl|UXN |PXN | ignored| RES0 | next-level table  |ignored|1 1|
 *   |Tbl|     |Tbl |Tbl |        |      |                   |       |   |
 *   +---+-----+----+----+--------+------+-------------------+-------+---+
 *   APTable, UXNTable, PXNTable restrict everything below them. They are
 *   zero here (no restriction) so the page descriptors alone decide.
 *
 * Page descriptor (level 3, bits 1:0 = 0b11):
 *
 *    63 59 58 55 54  53  52   51  50 49 48 47          12 11 10 9  8 7  6 5  4    2 1 0
 *   +-----+-----+---+---+----+---+---+-----+-------------+--+--+----+----+--+-------+---+
 *   | ign | SW  |UXN|PXN|Cont|DBM|GP |RES0 | output addr |nG|AF| SH | AP |NS|AttrIdx|1 1|
 *   +-----+-----+---+---+----+---+---+-----+-------------+--+--+----+----+--+-------+---+
 *
 *   AttrIndx  index into MAIR_EL1. Always 0: the host must program
 *             MAIR_EL1.Attr0 as normal memory, inner and outer write-back
 *             (0xff).
 *   SH        0b11, inner shareable.
 *   AP[7:6]   bit 6: EL0 may access; bit 7: read-only at every EL.
 *             0b01 = EL0 read-write, 0b11 = EL0 read-only.
 *   AF        access flag: set when the descriptor is written, so no
 *             access-flag fault ever happens (hardware AF management not
 *             needed).
 *   nG        not global: user pages belong to one ASID.
 *   DBM       not used. A writable page is entered writable and counts as
 *             dirty from then on (SW_DIRTY): pmap_is_dirty answers
 *             conservatively and the host needs no FEAT_HAFDBS.
 *   PXN       always set: the kernel never executes user memory.
 *   UXN       set unless the page is executable. Before a leaf lets EL0
 *             execute a frame it did not execute before, the host makes
 *             the instruction cache coherent with the frame's data
 *             (platform_icache_sync).
 *   bits 58:55 ignored by the hardware, used here:
 *             55 SW_PROTNONE, 56 SW_DIRTY, 57 SW_GONE.
 *   Bit 0 clear makes a descriptor invalid at any level; the hardware then
 *   ignores the other bits, which software may use.
 *
 * Leaves this file writes (level 3 only):
 *   accessible     page descriptor as above
 *   PROT_NONE      invalid, SW_PROTNONE, output address and SW_DIRTY kept
 *   being removed  the old descriptor with bit 0 clear and SW_GONE; exists
 *                  only inside pmap_remove (see there)
 * EL0 execute-only memory exists, but a PROT_EXEC page is made readable as
 * well (as on x86-64), so every accessible leaf has AP[6] set.
 *
 * Break-before-make: the architecture forbids replacing a valid descriptor
 * by another valid one with a different output address (or memory type,
 * shareability, nG) without first writing an invalid descriptor and
 * invalidating the TLB. Permission changes (AP, UXN, PXN) and a valid <->
 * invalid change need no break.
 */

typedef uint64_t pte_t;

#define PTE_VALID ((pte_t)1 << 0)
#define PTE_TYPE_TABLE_PAGE ((pte_t)1 << 1)
#define PTE_ATTR_NORMAL ((pte_t)0 << 2)
#define PTE_SH_INNER ((pte_t)3 << 8)
#define PTE_AP_EL0 ((pte_t)1 << 6)
#define PTE_AP_RO ((pte_t)1 << 7)
#define PTE_AF ((pte_t)1 << 10)
#define PTE_NG ((pte_t)1 << 11)
#define PTE_DBM ((pte_t)1 << 51)
#define PTE_PXN ((pte_t)1 << 53)
#define PTE_UXN ((pte_t)1 << 54)
#define PTE_SW_PROTNONE ((pte_t)1 << 55)
#define PTE_SW_DIRTY ((pte_t)1 << 56)
#define PTE_SW_GONE ((pte_t)1 << 57)
#define PTE_ADDR ((pte_t)0x0000fffffffff000)

#define PT_ROOT_LEVEL 0
#define PT_LEAF_LEVEL 3
#define PT_ENTRIES 512
#define A64_USER_TOP ((uaddr_t)1 << 48)
#define PMAP_PROT_ALL (PMAP_READ | PMAP_WRITE | PMAP_EXEC)

/* Above this many pages, one call flushes the whole address space instead
 * of page by page (every flush is a broadcast TLBI). */
#define PMAP_FLUSH_CEILING 32

/* ---- descriptors ---- */

static inline pte_t pte_load(const pte_t *slot) { return __atomic_load_n(slot, __ATOMIC_RELAXED); }
static inline void pte_store(pte_t *slot, pte_t e) { __atomic_store_n(slot, e, __ATOMIC_RELAXED); }

static inline bool pte_valid(pte_t e) { return (e & PTE_VALID) != 0; }
static inline bool pte_protnone(pte_t e) { return !pte_valid(e) && (e & PTE_SW_PROTNONE); }
static inline bool pte_gone(pte_t e) { return !pte_valid(e) && (e & PTE_SW_GONE); }
static inline paddr_t pte_addr(pte_t e) { return e & PTE_ADDR; }
static inline bool pte_writable(pte_t e) { return pte_valid(e) && !(e & PTE_AP_RO); }
static inline bool pte_dirty(pte_t e)
{
    return (e & PTE_SW_DIRTY) || (pte_writable(e) && (e & PTE_DBM));
}

/* A level-3 descriptor holds a leaf when it is non-zero. */
static inline bool pte_is_leaf(pte_t e) { return pte_valid(e) || pte_protnone(e) || pte_gone(e); }

/* A level 0-2 descriptor pointing to a next-level table (0b11). */
static inline bool pte_is_table(pte_t e) { return (e & (PTE_VALID | PTE_TYPE_TABLE_PAGE)) == (PTE_VALID | PTE_TYPE_TABLE_PAGE); }

static inline pte_t pte_make_table(paddr_t table) { return table | PTE_VALID | PTE_TYPE_TABLE_PAGE; }

/* The leaf for frame pa with prot; dirty carries the dirty state of an old
 * leaf of the same frame. */
static inline pte_t pte_make_leaf(paddr_t pa, unsigned prot, bool dirty)
{
    if (prot & PMAP_WRITE)
        dirty = true;
    pte_t e = pa | (dirty ? PTE_SW_DIRTY : 0);
    if (prot == 0)
        return e | PTE_SW_PROTNONE;
    e |= PTE_VALID | PTE_TYPE_TABLE_PAGE | PTE_ATTR_NORMAL | PTE_SH_INNER | PTE_AF | PTE_NG |
         PTE_AP_EL0 | PTE_PXN;
    if (!(prot & PMAP_WRITE))
        e |= PTE_AP_RO;
    if (!(prot & PMAP_EXEC))
        e |= PTE_UXN;
    return e;
}

/* Whether EL0 may execute through this descriptor. */
static inline bool pte_user_exec(pte_t e) { return pte_valid(e) && !(e & PTE_UXN); }

/* prot of a leaf (accessible, PROT_NONE, or being removed). */
static inline unsigned pte_prot(pte_t e)
{
    if (pte_protnone(e))
        return 0;
    return PMAP_READ | ((e & PTE_AP_RO) ? 0 : PMAP_WRITE) | ((e & PTE_UXN) ? 0 : PMAP_EXEC);
}

/* The same leaf, invalid, marked as owed its callback. */
static inline pte_t pte_make_gone(pte_t e) { return (e & ~PTE_VALID) | PTE_SW_GONE; }

/* ---- tables ---- */

static inline unsigned pt_shift(unsigned level) { return 39 - 9 * level; }
static inline unsigned pt_index(uaddr_t va, unsigned level) { return (unsigned)(va >> pt_shift(level)) & (PT_ENTRIES - 1); }
static inline pte_t *pt_entries(paddr_t table) { return platform_phys_to_virt(table); }

static _Noreturn void pt_corrupt(void)
{
    platform_panic("aarch64 pmap: table descriptor is neither invalid-zero nor a table");
}

static bool pt_table_empty(paddr_t table)
{
    const pte_t *t = pt_entries(table);
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        if (pte_load(&t[i]) != 0)
            return false;
    return true;
}

/* The level-3 slot for va, or NULL when a table on the way is missing. */
static pte_t *pt_leaf_slot(const struct pmap *pm, uaddr_t va)
{
    paddr_t table = pm->root;
    for (unsigned level = PT_ROOT_LEVEL; level < PT_LEAF_LEVEL; level++) {
        pte_t e = pte_load(&pt_entries(table)[pt_index(va, level)]);
        if (e == 0)
            return NULL;
        if (!pte_is_table(e))
            pt_corrupt();
        table = pte_addr(e);
    }
    return &pt_entries(table)[pt_index(va, PT_LEAF_LEVEL)];
}

/* One pass over the leaves of a range, with what its visitor needs. */
struct pt_op {
    const struct pmap *pm;
    void (*leaf)(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va);
    bool reap;            /* unlink tables left empty onto dead */
    bool flush_each;      /* remove: flush leaf by leaf */
    bool publish;         /* protect: a leaf became valid */
    unsigned prot;        /* protect: the new prot */
    uint64_t count;       /* leaves the pass changed that were valid */
    pmap_leaf_fn fn;
    void *arg;
    paddr_t dead;         /* unlinked tables, chained through their first word */
    uint64_t ndead;
};

/* Visit every leaf of [start, end) below table, a table at level whose
 * first entry maps base. Skips absent subtrees, so the cost follows what is
 * populated. With op->reap, a table found empty after its subtree was
 * visited is unlinked and chained onto op->dead (its va in its second
 * word) to be freed once no TLB or walk cache can reach it. */
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
        if (level == PT_LEAF_LEVEL) {
            op->leaf(op, &t[i], e, lo);
            continue;
        }
        if (!pte_is_table(e))
            pt_corrupt();
        uaddr_t hi = lo + ((uaddr_t)1 << shift);
        pt_range(op, pte_addr(e), level + 1, lo, MM_MAX(start, lo), MM_MIN(end, hi));
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

/* Free the tables pt_range unlinked, after invalidating every cached walk
 * that could still lead through them. This relies on the host's flush_page
 * dropping walk-cache entries for the address as well as the leaf (TLBI
 * VAE1IS does; the last-level-only VALE1IS does not). */
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
    if (!page_aligned(start) || !page_aligned(*end) || start >= A64_USER_TOP) {
        platform_log(who);
        return false;
    }
    *end = MM_MIN(*end, A64_USER_TOP);
    return true;
}

/* ---- the contract ---- */

/* Contract: see pmap.h. The root is a zeroed level-0 table; asid is set to
 * 0 for the host to assign. */
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

/* Free the tables below table (at level); panics on a leaf. Returns the
 * number of table pages freed. */
static uint32_t pt_destroy(paddr_t table, unsigned level)
{
    pte_t *t = pt_entries(table);
    uint32_t freed = 0;
    for (unsigned i = 0; i < PT_ENTRIES; i++) {
        pte_t e = pte_load(&t[i]);
        if (e == 0)
            continue;
        if (level == PT_LEAF_LEVEL)
            platform_panic("pmap_destroy: a leaf remains in the page table");
        if (!pte_is_table(e))
            pt_corrupt();
        freed += pt_destroy(pte_addr(e), level + 1);
        pte_store(&t[i], 0);
        frame_unref(pte_addr(e));
        freed++;
    }
    return freed;
}

/* Contract: see pmap.h. Invalidates the address space's translations
 * first, so the root (and ASID) may be reused at once. */
void pmap_destroy(struct pmap *pm)
{
    if (pm->root == 0)
        return;
    platform_tlb_flush_all(pm);
    uint32_t freed = pt_destroy(pm->root, PT_ROOT_LEVEL);
    if (freed + 1 != pm->table_pages)
        platform_panic("pmap_destroy: table_pages does not match the tables found");
    frame_unref(pm->root);
    pm->root = 0;
    pm->table_pages = 0;
}

/* Contract: see pmap.h. Every missing table is allocated (and its zeroes
 * published) before anything is linked, so -ENOMEM leaves the table as it
 * was. A valid leaf replaced by one with another output address goes
 * through break-before-make. Re-entering the frame a leaf already maps
 * keeps its dirty state. Returns -EINVAL (and logs) for an unaligned or
 * out-of-range va or pa or unknown prot bits: a caller bug. */
int pmap_enter(struct pmap *pm, uaddr_t va, paddr_t pa, unsigned prot)
{
    paddr_t fresh[PT_LEAF_LEVEL];
    paddr_t table = pm->root;
    unsigned level, need;

    if (!page_aligned(va) || va >= A64_USER_TOP || (pa & ~PTE_ADDR) != 0 || (prot & ~PMAP_PROT_ALL)) {
        platform_log("pmap_enter: bad argument");
        return -EINVAL;
    }

    for (level = PT_ROOT_LEVEL; level < PT_LEAF_LEVEL; level++) {
        pte_t e = pte_load(&pt_entries(table)[pt_index(va, level)]);
        if (e == 0)
            break;
        if (!pte_is_table(e))
            pt_corrupt();
        table = pte_addr(e);
    }
    need = PT_LEAF_LEVEL - level;
    for (unsigned i = 0; i < need; i++) {
        if (frame_alloc_zeroed(&fresh[i], MM_ALLOC_TABLE) != 0) {
            while (i-- > 0)
                frame_unref(fresh[i]);
            return -ENOMEM;
        }
    }
    if (need) {
        /* The walker must see the new tables' zeroes before it can reach
         * them through a table descriptor. */
        platform_pte_publish(pm);
        for (unsigned i = 0; i < need; i++, level++) {
            pte_store(&pt_entries(table)[pt_index(va, level)], pte_make_table(fresh[i]));
            table = fresh[i];
        }
        pm->table_pages += need;
    }

    pte_t *slot = &pt_entries(table)[pt_index(va, PT_LEAF_LEVEL)];
    pte_t old = pte_load(slot);
    bool same_frame = pte_is_leaf(old) && pte_addr(old) == pa;
    pte_t e = pte_make_leaf(pa, prot, same_frame && pte_dirty(old));
    if (pte_user_exec(e) && !(same_frame && pte_user_exec(old)))
        platform_icache_sync(pa);

    if (pte_valid(old) && pte_valid(e) && !same_frame) {
        pte_store(slot, 0);
        platform_tlb_flush_page(pm, va);
        pte_store(slot, e);
    } else {
        pte_store(slot, e);
        if (pte_valid(old))
            platform_tlb_flush_page(pm, va);
    }
    if (pte_valid(e))
        platform_pte_publish(pm);
    return 0;
}

/* pmap_remove, first pass: make each valid leaf invalid, keeping it (marked
 * gone) so the second pass can still name its frame. */
static void remove_mark(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va)
{
    (void)va;
    if (!pte_valid(e))
        return;
    pte_store(slot, pte_make_gone(e));
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
 * the first makes every leaf invalid, then one flush covers them all when
 * there are many (otherwise the second pass flushes page by page), and the
 * second pass clears the leaves, calls fn and unlinks empty tables, which
 * are freed after a last flush. fn must not touch the pmap. An unaligned or
 * out-of-range start is a caller bug and ignored (logged); end is clamped
 * to the user top. */
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

/* Only permissions and validity change here (never the output address),
 * so no break-before-make is needed. */
static void protect_leaf(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va)
{
    pte_t n = pte_make_leaf(pte_addr(e), op->prot, pte_dirty(e));
    if (n == e)
        return;
    if (pte_user_exec(n) && !pte_user_exec(e))
        platform_icache_sync(pte_addr(n));
    pte_store(slot, n);
    op->publish = op->publish || pte_valid(n);
    if (!pte_valid(e))
        return;
    if (++op->count <= PMAP_FLUSH_CEILING)
        platform_tlb_flush_page(op->pm, va);
}

/* Contract: see pmap.h. Keeps each leaf's frame and dirty state. Flushes
 * changed pages one by one, or the whole address space once when more than
 * PMAP_FLUSH_CEILING changed. Bad arguments are ignored (logged). */
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
    if (va >= A64_USER_TOP)
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

/* Contract: see pmap.h. Without DBM this is conservative: a leaf that has
 * been writable since it was entered counts as dirty (also after
 * pmap_protect takes the write permission away). */
bool pmap_is_dirty(const struct pmap *pm, uaddr_t va)
{
    if (va >= A64_USER_TOP)
        return false;
    pte_t *slot = pt_leaf_slot(pm, va);
    return slot && pte_is_leaf(pte_load(slot)) && pte_dirty(pte_load(slot));
}

/* Contract: see pmap.h. */
uaddr_t pmap_user_top(void) { return A64_USER_TOP; }

/* Contract: see pmap.h. */
const char *pmap_arch_name(void) { return "aarch64"; }
