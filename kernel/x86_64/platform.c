/* kernel/x86_64/platform.c — mm/platform.h for the x86-64 kernel: the
 * direct map, TLB maintenance on one CPU, and the kernel's console and
 * panic for mm/'s messages.
 *
 * TLB: mm/ only changes a page table that is either the one in CR3 (the
 * current process) or not loaded anywhere (a space being built or torn
 * down). Only the loaded one can have cached translations (user entries are
 * never global), so the hooks act only when pm is the active table: invlpg
 * for one page, a CR3 reload for all. */
#include <kern/lib.h>
#include <kern/panic.h>
#include <mm/platform.h>
#include <mm/pmap.h>

#include "cpu.h"
#include "layout.h"

void *platform_phys_to_virt(paddr_t pa) { return (void *)(uintptr_t)(DIRECT_MAP_BASE + pa); }

paddr_t platform_virt_to_phys(const void *va) { return (paddr_t)((uintptr_t)va - DIRECT_MAP_BASE); }

void platform_panic(const char *msg) { panic("mm: %s", msg); }

void platform_log(const char *msg) { kprintf("mm: %s\n", msg); }

static bool pmap_active(const struct pmap *pm) { return pm && pm->root && (read_cr3() & 0x000ffffffffff000ull) == pm->root; }

void platform_tlb_flush_page(const struct pmap *pm, uaddr_t va)
{
    if (pmap_active(pm))
        invlpg(va);
}

void platform_tlb_flush_all(const struct pmap *pm)
{
    if (pmap_active(pm))
        write_cr3(read_cr3());
}

/* x86 stores are seen in order by the page walker: only the compiler must
 * not move them. */
void platform_pte_publish(const struct pmap *pm) { __asm__ volatile("" : : : "memory"); }

/* x86 instruction fetch snoops the data caches: nothing to do. */
void platform_icache_sync(paddr_t pa) {}

/* One CPU, and the kernel runs with interrupts off: nothing to exclude. */
void platform_frame_lock(void) {}
void platform_frame_unlock(void) {}

bool platform_alloc_should_fail(enum mm_alloc_site site) { return false; }
