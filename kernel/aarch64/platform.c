/* kernel/aarch64/platform.c — mm/platform.h for the aarch64 kernel: the
 * direct map, TLB maintenance by ASID, the ordering of page-table writes
 * against the table walker, and the kernel's console and panic for mm/'s
 * messages. Also the ASID allocator behind it.
 *
 * ASIDs: every user leaf is not-global (nG), so the TLB tags it with the
 * ASID that was in TTBR0_EL1 when it was loaded; switching processes
 * changes TTBR0 (table and ASID) and flushes nothing. A pmap gets an ASID
 * when it is first activated, from a counter; when the counter runs out a
 * new generation starts: the whole TLB is flushed once and every pmap
 * takes a fresh ASID at its next activation. pm->asid holds the
 * generation in its upper 16 bits and the ASID in the lower 16 (0: none
 * yet). ASID 0 is never handed out: it goes with the empty table TTBR0
 * holds when no process runs. (A generation counter that wrapped all the
 * way round while one space slept could alias; 2^16 generations of 255
 * or 65535 ASIDs each make that a theoretical case.)
 *
 * TLB maintenance, as the architecture orders it: the descriptor store,
 * then DSB ISHST (the store is visible to every walker before the
 * invalidation), TLBI by VA and ASID, inner shareable (every CPU), then
 * DSB ISH (the invalidation has completed everywhere) and ISB (this CPU
 * refetches with the new translation). TLBI VAE1IS, not VALE1IS: mm/ also
 * frees page-table pages, whose entries the walk caches may hold.
 *
 * A pmap without a current ASID has nothing in any TLB (it never ran, or a
 * rollover flushed everything since), so its flushes are skipped.
 *
 * Instruction caches: the kernel writes program text through the direct
 * map (exec's loader, copy-on-write copies, file pages) and EL0 fetches it
 * through another address. Unless CTR_EL0 says the hardware keeps them
 * coherent (IDC, bit 28: no data-cache clean needed; DIC, bit 29: no
 * instruction-cache invalidation needed), the frame's lines are cleaned to
 * the point of unification (DC CVAU) and the instruction cache invalidated:
 * by address (IC IVAU) for a PIPT cache, entirely (IC IALLUIS) for a VIPT
 * one (CTR_EL0.L1Ip, bits 15:14 = 0b10), whose lines for the user's
 * address need not be those of the direct map's. */
#include <kern/lib.h>
#include <kern/panic.h>
#include <mm/platform.h>
#include <mm/pmap.h>

#include "boot_mem.h"
#include "cpu.h"
#include "layout.h"
#include "mmu.h"
#include "sysreg.h"

void *platform_phys_to_virt(paddr_t pa) { return (void *)(uintptr_t)(DIRECT_MAP_BASE + pa); }

paddr_t platform_virt_to_phys(const void *va) { return (paddr_t)((uintptr_t)va - DIRECT_MAP_BASE); }

void platform_panic(const char *msg) { panic("mm: %s", msg); }

void platform_log(const char *msg) { kprintf("mm: %s\n", msg); }

/* ---- ASIDs ---- */

static uint32_t asid_generation = 1; /* 16 bits, never 0 */
static uint32_t asid_next = 1;

static bool asid_current(const struct pmap *pm)
{
    return pm && (pm->asid & 0xffff) && (pm->asid >> 16) == asid_generation;
}

/* Contract: see mmu.h. */
uint64_t mmu_ttbr0_for(struct pmap *pm)
{
    if (!asid_current(pm)) {
        if (asid_next >> cpu_features.asid_bits) {
            /* Out of ASIDs: a new generation, with a clean TLB. The
             * table in TTBR0 goes first: the walker may refill the TLB
             * speculatively through it, with an ASID number the new
             * generation gives to another space. */
            asid_generation = (asid_generation + 1) & 0xffff;
            if (!asid_generation)
                asid_generation = 1;
            asid_next = 1;
            sysreg_write(ttbr0_el1, paging_empty_root());
            isb();
            dsb_ishst();
            tlbi_vmalle1is();
            dsb_ish();
            isb();
        }
        pm->asid = asid_generation << 16 | asid_next++;
    }
    return pm->root | (uint64_t)(pm->asid & 0xffff) << 48;
}

/* Contract: see mmu.h. */
void mmu_activate(struct pmap *pm)
{
    sysreg_write(ttbr0_el1, mmu_ttbr0_for(pm));
    isb();
}

/* ---- mm/platform.h ---- */

void platform_tlb_flush_page(const struct pmap *pm, uaddr_t va)
{
    if (!asid_current(pm))
        return;
    uint64_t asid = pm->asid & 0xffff;
    dsb_ishst();
    tlbi_vae1is(asid << 48 | ((va >> 12) & ((1ull << 44) - 1)));
    dsb_ish();
    isb();
}

void platform_tlb_flush_all(const struct pmap *pm)
{
    if (!asid_current(pm))
        return;
    uint64_t asid = pm->asid & 0xffff;
    dsb_ishst();
    tlbi_aside1is(asid << 48);
    dsb_ish();
    isb();
}

/* Contract: see mm/platform.h. */
void platform_icache_sync(paddr_t pa)
{
    uint64_t ctr = sysreg_read(ctr_el0);
    uintptr_t va = (uintptr_t)platform_phys_to_virt(pa), end = va + PAGE_SIZE;
    if (!(ctr & (1ul << 28))) {
        uintptr_t line = 4ul << ((ctr >> 16) & 0xf); /* DminLine: log2 of words */
        for (uintptr_t a = va & ~(line - 1); a < end; a += line)
            __asm__ volatile("dc cvau, %0" : : "r"(a) : "memory");
    }
    dsb_ish();
    if (!(ctr & (1ul << 29))) {
        if (((ctr >> 14) & 3) == 2) {
            __asm__ volatile("ic ialluis" : : : "memory");
        } else {
            uintptr_t line = 4ul << (ctr & 0xf); /* IminLine */
            for (uintptr_t a = va & ~(line - 1); a < end; a += line)
                __asm__ volatile("ic ivau, %0" : : "r"(a) : "memory");
        }
        dsb_ish();
    }
    isb();
}

/* A new valid entry: visible to the walker before anything may use it. */
void platform_pte_publish(const struct pmap *pm)
{
    (void)pm;
    dsb_ishst();
    isb();
}

/* One CPU, and the kernel runs with interrupts masked: nothing to exclude. */
void platform_frame_lock(void) {}
void platform_frame_unlock(void) {}

bool platform_alloc_should_fail(enum mm_alloc_site site)
{
    (void)site;
    return false;
}
