/* kernel/x86_64/boot_mem.h — memory before and while the kernel page
 * tables are built: the boot mapping, and the interfaces of multiboot.c and
 * paging.c used by start.c. */
#ifndef KERNEL_X86_64_BOOT_MEM_H
#define KERNEL_X86_64_BOOT_MEM_H

#include <kern/boot.h>
#include <mm/types.h>

#include "layout.h"

/* The boot page table maps physical [0, 1 GiB) at KERNEL_VMA. */
#define BOOT_MAPPED_LIMIT 0x40000000ull
static inline void *boot_phys(uint64_t pa) { return (void *)(uintptr_t)(KERNEL_VMA + pa); }

/* Fill bi from the multiboot information. Returns 0, or -1 when the loader
 * was not multiboot or gave no memory map. */
int multiboot_parse(uint32_t magic, uint32_t info_pa, struct boot_info *bi);

/* Build the kernel page table (direct map of all RAM in bi, the kernel
 * image with per-section permissions) and switch to it. Page-table pages
 * are taken from RAM above bi->reserved_end, which is raised past them.
 * Panics when memory is too short to boot. */
void paging_init(struct boot_info *bi);

/* The kernel's own root table (physical). */
paddr_t paging_kernel_root(void);

/* Make the kernel half (PML4 entries 256-511) of a new user root the
 * kernel's. */
void paging_share_kernel(paddr_t root);

/* Map / unmap one 4 KiB kernel page at va (in the kernel-stack area),
 * writable and non-executable. Map returns 0 or -ENOMEM. */
int paging_map_kernel_page(uint64_t va, paddr_t pa);
void paging_unmap_kernel_page(uint64_t va);

#endif
