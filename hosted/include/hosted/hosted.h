/* hosted/hosted.h — a simulated machine for running mm/ inside a Linux
 * process: physical memory, a software MMU that walks the real page-table
 * format of the arch this build links (arch/<arch>/pmap.c), and a software
 * TLB that keeps stale translations until mm/ invalidates them, so that a
 * missing TLB flush shows up as a wrong read in a test.
 *
 * "User" accesses go through the MMU exactly as a CPU's would: a failed
 * translation calls space_fault() (the trap), and a resolved fault retries
 * the access. */
#ifndef HOSTED_HOSTED_H
#define HOSTED_HOSTED_H

#include <mm/platform.h>
#include <mm/space.h>
#include <mm/types.h>

/* Start a fresh machine with npages frames of physical memory (and a reset
 * frame allocator, TLB and failure injection). May be called again to start
 * over; the previous machine's memory is released. */
void hosted_machine_init(uint64_t npages);

/* Release the machine's memory. */
void hosted_machine_fini(void);

/* Base physical address of simulated memory (frames are base + i * 4096).
 * Non-zero, so that physical address 0 is never a valid frame. */
paddr_t hosted_phys_base(void);

/* The result of a user access: ok, or the signal the CPU + mm/ would raise
 * with its si_code and si_addr. */
struct hosted_fault {
    enum fault_result result;  /* FAULT_OK when the access completed */
    uaddr_t addr;              /* first address that could not be accessed */
};

/* Perform a user-mode access of len bytes at va in space s (which becomes
 * the active space). Reads copy into buf, writes copy from buf; exec fetches
 * (buf may be NULL) check instruction-fetch permission for each page. Each
 * page is translated through the TLB and the page table; a translation
 * failure calls space_fault(s, addr, access, true) and retries once it
 * returns FAULT_OK. Returns FAULT_OK, or the unresolved fault (bytes before
 * it were accessed). */
struct hosted_fault hosted_user_read(struct space *s, uaddr_t va, void *buf, uint64_t len);
struct hosted_fault hosted_user_write(struct space *s, uaddr_t va, const void *buf, uint64_t len);
struct hosted_fault hosted_user_exec(struct space *s, uaddr_t va, uint64_t len);

/* Translate one address through the TLB and MMU for a user access without
 * faulting anything in: returns true and the physical address, or false
 * when the hardware would fault. */
bool hosted_mmu_probe(struct space *s, uaddr_t va, unsigned access, paddr_t *pa);

/* Statistics of the software MMU and TLB since hosted_machine_init. */
struct hosted_stats {
    uint64_t tlb_hits, tlb_misses, walks, faults;
    uint64_t flush_page, flush_all;
};
void hosted_stats_get(struct hosted_stats *st);

/* Allocation-failure injection: the nth (1-based) allocation at site from
 * now on fails, and so does every later one if sticky; n == 0 disables
 * injection at site. hosted_alloc_count(site) counts the allocations
 * attempted at site since hosted_machine_init. */
void hosted_fail_nth(enum mm_alloc_site site, uint64_t n, bool sticky);
uint64_t hosted_alloc_count(enum mm_alloc_site site);

#endif
