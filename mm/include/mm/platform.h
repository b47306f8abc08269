/* mm/platform.h — the one seam between mm/ and whoever hosts it.
 *
 * mm/ and arch/ call only these functions to reach the outside world. The
 * reference kernel implements them in kernel/, the hosted build (tests,
 * fuzzers, benchmarks) in hosted/platform.c. docs/porting.md explains each
 * one to someone embedding mm/ in another kernel. */
#ifndef MM_PLATFORM_H
#define MM_PLATFORM_H

#include <mm/types.h>

struct pmap;

/* Kernel-visible address of physical address pa. Every frame handed to
 * frame_add_region() must be reachable this way (a direct map). */
void *platform_phys_to_virt(paddr_t pa);

/* The inverse, for kernel addresses obtained from platform_phys_to_virt. */
paddr_t platform_virt_to_phys(const void *va);

/* Stop the machine: an mm/ invariant is broken. Never called on a path a
 * user can reach with bad arguments; those return an errno. */
_Noreturn void platform_panic(const char *msg);

/* A line of diagnostic output (no trailing newline needed). */
void platform_log(const char *msg);

/* TLB maintenance for the user address space pm. flush_page drops every
 * cached translation of the page containing va; flush_all drops all of pm's.
 * Both complete before returning (on SMP: a shootdown). */
void platform_tlb_flush_page(const struct pmap *pm, uaddr_t va);
void platform_tlb_flush_all(const struct pmap *pm);

/* Called by arch code after it makes a new entry valid, before anyone may
 * use it (aarch64: dsb ishst; isb). May do nothing. */
void platform_pte_publish(const struct pmap *pm);

/* Called by arch code before a leaf for frame pa becomes executable in
 * user mode (a new leaf, another frame, or exec added): instruction fetch
 * must see what was written to the frame through the direct map
 * (aarch64: clean the data cache to the point of unification and
 * invalidate the instruction cache, as CTR_EL0 requires). x86-64 keeps
 * them coherent by itself: nothing to do. */
void platform_icache_sync(paddr_t pa);

/* The lock that serialises the frame allocator. One address space is
 * serialised by its caller (see space.h). */
void platform_frame_lock(void);
void platform_frame_unlock(void);

/* Allocation-failure injection: return true to make the allocation at this
 * site fail. Sites are named by enum mm_alloc_site. A host without
 * injection returns false. */
enum mm_alloc_site {
    MM_ALLOC_FRAME,      /* a data frame (anonymous, copy, object page) */
    MM_ALLOC_TABLE,      /* a page-table page */
    MM_ALLOC_SLAB,       /* a VMA or object record */
    MM_ALLOC_SITES
};
bool platform_alloc_should_fail(enum mm_alloc_site site);

#endif
