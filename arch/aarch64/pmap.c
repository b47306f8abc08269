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

#define PT_ROOT_ENTRIES 512
#define PT_USER_TOP ((uaddr_t)1 << 48)
#define PT_NAME "aarch64"

/* ---- descriptors ---- */

static inline pte_t pte_load(const pte_t *slot) { return __atomic_load_n(slot, __ATOMIC_RELAXED); }
static inline void pte_store(pte_t *slot, pte_t e) { __atomic_store_n(slot, e, __ATOMIC_RELAXED); }

static inline bool pte_valid(pte_t e) { return (e & PTE_VALID) != 0; }
/* The shared walker's name for a translatable descriptor. */
static inline bool pte_present(pte_t e) { return pte_valid(e); }
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


/* The walker must see a fresh table's zeroes before it can reach the table
 * through a table descriptor. */
static inline void pt_tables_linking(struct pmap *pm) { platform_pte_publish(pm); }

#include "../pt_walk.h"

/* ---- the format-dependent part of the contract ---- */

/* Contract: see pmap.h. Every missing table is allocated (and its zeroes
 * published) before anything is linked, so -ENOMEM leaves the table as it
 * was. A valid leaf replaced by one with another output address goes
 * through break-before-make. Re-entering the frame a leaf already maps
 * keeps its dirty state. Returns -EINVAL (and logs) for an unaligned or
 * out-of-range va or pa or unknown prot bits: a caller bug. */
int pmap_enter(struct pmap *pm, uaddr_t va, paddr_t pa, unsigned prot)
{
    if (!page_aligned(va) || va >= PT_USER_TOP || (pa & ~PTE_ADDR) != 0 || (prot & ~PMAP_PROT_ALL)) {
        platform_log("pmap_enter: bad argument");
        return -EINVAL;
    }
    pte_t *slot = pt_leaf_slot_make(pm, va);
    if (!slot)
        return -ENOMEM;
    pte_t old = pte_load(slot);
    bool same_frame = pte_is_leaf(old) && pte_addr(old) == pa;
    pte_t e = pte_make_leaf(pa, prot, same_frame && pte_dirty(old));
    if (pte_user_exec(e) && !(same_frame && pte_user_exec(old)))
        platform_icache_sync(pa);

    if (old == 0)
        (*pm->hint_live)++;
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

/* See pt_walk.h. */
static bool pt_leaf_mark_gone(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va)
{
    remove_note(op, va);
    if (!pte_valid(e))
        return false;
    pte_store(slot, pte_make_gone(e));
    op->count++;
    return false;
}

/* See pt_walk.h. Only permissions and validity change here (never the
 * output address), so no break-before-make is needed. */
static bool pt_leaf_protect(struct pt_op *op, pte_t *slot, pte_t e, uaddr_t va)
{
    pte_t n = pte_make_leaf(pte_addr(e), pt_protect_prot(op, e), pte_dirty(e));
    if (n == e)
        return false;
    if (pte_user_exec(n) && !pte_user_exec(e))
        platform_icache_sync(pte_addr(n));
    pte_store(slot, n);
    op->publish = op->publish || pte_valid(n);
    if (pte_valid(e) && ++op->count <= PMAP_FLUSH_CEILING)
        platform_tlb_flush_page(op->pm, va);
    return false;
}

/* See pt_walk.h. Taking write permission is a permission change (no
 * break-before-make); the source keeps its dirty state, the copy starts
 * clean (a writable copy counts as dirty, as pmap_enter makes it). */
static bool pt_leaf_copy(pte_t *slot, pte_t e, bool wrprotect, pte_t *child)
{
    bool changed = false;
    if (wrprotect && pte_writable(e)) {
        e = pte_make_leaf(pte_addr(e), pte_prot(e) & ~(unsigned)PMAP_WRITE, true);
        pte_store(slot, e);
        changed = true;
    }
    *child = pte_make_leaf(pte_addr(e), pte_prot(e), false);
    if (pte_user_exec(*child))
        platform_icache_sync(pte_addr(e));
    return changed;
}

/* Contract: see pmap.h. */
const char *pmap_arch_name(void) { return "aarch64"; }
