/* kernel/aarch64/boot_mem.h — memory while the kernel's own translation
 * tables are built: the boot mapping, and the interfaces of paging.c and
 * kstack.c used by start.c and thread.c. */
#ifndef KERNEL_AARCH64_BOOT_MEM_H
#define KERNEL_AARCH64_BOOT_MEM_H

#include <kern/boot.h>
#include <mm/types.h>

#include "layout.h"

/* Physical address of the image's first byte (boot.S's x22). */
extern uint64_t kernel_phys_base;

/* A kernel-image address as a physical address. */
static inline uint64_t image_phys(const void *va) { return (uint64_t)(uintptr_t)va - KERNEL_VMA + kernel_phys_base; }

/* Device registers at physical pa, through the device window. */
static inline uintptr_t device_va(uint64_t pa) { return (uintptr_t)(DEVICE_BASE + pa); }

/* Build the kernel's TTBR1 table (direct map of the RAM in bi, the image
 * with per-section permissions, the device window, the kernel-stack area)
 * and switch to it; TTBR0 gets an empty table. Page-table pages come from
 * RAM right above bi->reserved_end, which is raised past them; avoid lists
 * ranges they must not overlap. Panics when memory is too short to boot. */
void paging_init(struct boot_info *bi, const struct boot_range *avoid, unsigned navoid);

/* The highest physical address the direct map covers (exclusive). */
uint64_t paging_direct_top(void);

/* Physical address of the empty user table (TTBR0 when no process runs). */
paddr_t paging_empty_root(void);

/* Map / unmap one 4 KiB kernel page at va (in the kernel-stack area),
 * writable and never executable. Map returns 0 or -ENOMEM. */
int paging_map_kernel_page(uint64_t va, paddr_t pa);
void paging_unmap_kernel_page(uint64_t va);

#endif
