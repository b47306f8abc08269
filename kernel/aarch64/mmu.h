/* kernel/aarch64/mmu.h — loading a user address space into TTBR0_EL1 with
 * its ASID (platform.c). */
#ifndef KERNEL_AARCH64_MMU_H
#define KERNEL_AARCH64_MMU_H

#include <mm/pmap.h>

/* The TTBR0_EL1 value for pm: its root and its ASID, assigning one (and
 * possibly starting a new ASID generation) when it has none current. */
uint64_t mmu_ttbr0_for(struct pmap *pm);

/* Load pm into TTBR0_EL1 (no TLB flush: its entries are ASID-tagged). */
void mmu_activate(struct pmap *pm);

#endif
