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
 * The shared walker (arch/pt_walk.h) numbers the levels by depth: PML4 is
 * depth 0, PT depth 3.
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

#define PT_ROOT_ENTRIES 256
#define PT_USER_TOP ((uaddr_t)0x7ffffffff000)
#define PT_NAME "x86_64"

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


/* Fresh tables need no ordering before they are linked: the processor
 * walks coherently with ordinary stores. */
static inline void pt_tables_linking(struct pmap *pm) { (void)pm; }

#include "../pt_walk.h"

/* ---- the format-dependent part of the contract ---- */

/* Contract: see pmap.h. Every missing table is allocated before anything
 * is written, so -ENOMEM leaves the table as it was. Re-entering the frame
 * a leaf already maps keeps its accessed/dirty state (the write already
 * happened); a different frame starts clean. Returns -EINVAL (and logs) for
 * an unaligned or out-of-range va or pa or unknown prot bits: a caller bug. */
int pmap_enter(struct pmap *pm, uaddr_t va, paddr_t pa, unsigned prot)
{
    if (!page_aligned(va) || va >= PT_USER_TOP || (pa & ~PTE_ADDR) != 0 || (prot & ~PMAP_PROT_ALL)) {
        platform_log("pmap_enter: bad argument");
        return -EINVAL;
    }
    pte_t *slot = pt_leaf_slot_make(pm, va);
    if (!slot)
        return -ENOMEM;
    pte_t old = pte_load(slot), e;
    if (old == 0) {
        /* Nothing the processor could update concurrently. */
        e = pte_make_leaf(pa, prot, 0);
        pte_store(slot, e);
        (*pm->hint_live)++;
    } else {
        do {
            pte_t keep = (pte_is_leaf(old) && pte_addr(old) == pa) ? old : 0;
            e = pte_make_leaf(pa, prot, keep);
        } while (!pte_replace(slot, &old, e));
    }
    if (pte_present(old))
        platform_tlb_flush_page(pm, va);
    if (pte_present(e))
        platform_pte_publish(pm);
    return 0;
}

/* See pt_walk.h. The processor may set A or D meanwhile: compare and swap. */
static bool pt_leaf_mark_gone(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va)
{
    remove_note(op, va);
    if (!pte_present(e))
        return false;
    while (!pte_replace(slot, &e, pte_make_gone(e)))
        ;
    op->count++;
    return false;
}

/* See pt_walk.h. */
static bool pt_leaf_protect(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va)
{
    pte_t n;
    do {
        n = pte_make_leaf(pte_addr(e), pt_protect_prot(op, e), e);
    } while (n != e && !pte_replace(slot, &e, n));
    if (n == e)
        return false;
    op->publish = op->publish || pte_present(n);
    if (pte_present(e) && ++op->count <= PMAP_FLUSH_CEILING)
        platform_tlb_flush_page(op->pm, va);
    return false;
}

/* See pt_walk.h. The copy starts without A and D. */
static bool pt_leaf_copy(pte_t *slot, pte_t e, bool wrprotect, pte_t *child)
{
    bool changed = false;
    if (wrprotect && pte_present(e) && (e & PTE_RW)) {
        while (!pte_replace(slot, &e, e & ~PTE_RW))
            ;
        e &= ~PTE_RW;
        changed = true;
    }
    *child = pte_make_leaf(pte_addr(e), pte_prot(e), 0);
    return changed;
}

/* Contract: see pmap.h. */
const char *pmap_arch_name(void) { return "x86_64"; }
