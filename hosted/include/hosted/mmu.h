/* hosted/mmu.h — private interfaces of the simulated machine: the page-table
 * walker (one per format, hosted/mmu_<arch>.c), the software TLB
 * (hosted/tlb.c) and the counters they share with hosted/platform.c.
 * Tests may include it to look at the machine from the hardware's side. */
#ifndef HOSTED_MMU_H
#define HOSTED_MMU_H

#include <hosted/hosted.h>
#include <mm/pmap.h>

/* Permissions a completed walk grants, as PMAP_READ/WRITE/EXEC plus: */
enum {
    /* The leaf already records a write (x86-64 D set; aarch64 AP[2] clear),
     * so a cached translation may be written through without a new walk. */
    HOSTED_PERM_DIRTY = 8,
};

/* Walk the page table at root for an access (a mask of ACCESS_*) to va,
 * in user mode or, with user false, in kernel mode, applying the rules of
 * the format this build links. On success returns true, sets *pa to the
 * physical address of va (offset included) and updates the accessed and
 * dirty state in the entries as the hardware does. Returns false when the
 * hardware would fault. *perm (may be NULL) receives what the translation
 * allows in that mode (HOSTED_PERM_* / PMAP_*), or 0 when no leaf was
 * reached. Reads the entries from simulated memory only. */
bool hosted_mmu_walk(paddr_t root, uaddr_t va, unsigned access, bool user, paddr_t *pa,
                     unsigned *perm);

/* The format the linked walker understands ("x86_64" or "aarch64"). */
const char *hosted_mmu_arch(void);

/* The software TLB. Entries are tagged with the page-table root they were
 * walked from and are kept until a flush drops them or a newer entry
 * evicts them. */
bool hosted_tlb_lookup(paddr_t root, uaddr_t va, paddr_t *frame, unsigned *perm);
void hosted_tlb_fill(paddr_t root, uaddr_t va, paddr_t frame, unsigned perm);
/* Drop the entry for va: a fault does this, as an x86-64 page fault drops
 * the faulting address's translation. */
void hosted_tlb_drop(paddr_t root, uaddr_t va);
void hosted_tlb_reset(void);

/* Counters behind hosted_stats_get(), reset by hosted_machine_init(). */
extern struct hosted_stats hosted_stat;

/* For tests that check the order of page-table writes and invalidations
 * (break-before-make): called at the start of every platform_tlb_flush_page
 * (all false) and platform_tlb_flush_all (all true) while set. Cleared by
 * hosted_machine_init(). */
extern void (*hosted_tlb_flush_hook)(const struct pmap *pm, uaddr_t va, bool all);

/* Calls of platform_pte_publish() since hosted_machine_init(). */
extern uint64_t hosted_pte_publishes;

#endif
