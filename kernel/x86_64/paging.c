/* kernel/x86_64/paging.c — the kernel half of the address space: the
 * direct map of physical memory, the kernel image with per-section
 * permissions, and the kernel-stack area. (The user half of each process's
 * table belongs to mm/ through arch/x86_64/pmap.c.)
 *
 * Entries are the x86-64 format drawn in arch/x86_64/pmap.c; the kernel
 * half adds PS (bit 7: a 2 MiB page in a page directory) and G (bit 8:
 * global, kept across CR3 loads when CR4.PGE is on), and never sets US, so
 * ring 3 cannot touch any of it.
 *
 *   PML4[256]  direct map: physical [0, top of RAM) at DIRECT_MAP_BASE,
 *              2 MiB pages, read/write, no-execute
 *   PML4[510]  kernel stacks (KSTACK_AREA), 4 KiB pages mapped on demand
 *   PML4[511]  the image at KERNEL_VMA + physical, 4 KiB pages: text
 *              read/execute, rodata read-only, data and bss read/write
 *
 * These PML4 entries never change after boot: every process root copies
 * them (paging_share_kernel), and later changes happen in the tables below,
 * which all roots share. */
#include <kern/lib.h>
#include <kern/panic.h>
#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/platform.h>

#include "boot_mem.h"
#include "cpu.h"
#include "kstack.h"

typedef uint64_t pte_t;
#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define L4_DIRECT 256
#define L4_KSTACK 510
#define L4_IMAGE 511

static paddr_t kernel_root;
static pte_t global_bit;

/* ---- boot-time page allocator: pages just above the reserved area ---- */

static struct boot_info *early_bi;

static paddr_t early_alloc(void)
{
    paddr_t pa = early_bi->reserved_end;
    bool ok = false;
    for (unsigned i = 0; i < early_bi->nram; i++)
        if (pa >= early_bi->ram[i].base && pa + PAGE_SIZE <= early_bi->ram[i].base + early_bi->ram[i].len)
            ok = true;
    if (!ok || pa + PAGE_SIZE > BOOT_MAPPED_LIMIT)
        panic("paging: no memory for the kernel page table above %#lx", pa);
    early_bi->reserved_end = pa + PAGE_SIZE;
    memset(boot_phys(pa), 0, PAGE_SIZE);
    return pa;
}

static pte_t *early_table(paddr_t pa) { return boot_phys(pa); }

/* The next-level table under slot, created if missing (boot time). */
static paddr_t early_next(pte_t *slot)
{
    if (!(*slot & PTE_P))
        *slot = early_alloc() | PTE_P | PTE_RW;
    return *slot & PTE_ADDR;
}

static void map_image(void)
{
    extern char _kernel_start[], _text_end[], _rodata_end[], _kernel_end[];
    uint64_t start = (uint64_t)(uintptr_t)_kernel_start, end = (uint64_t)(uintptr_t)_kernel_end;
    pte_t *l4 = early_table(kernel_root);
    pte_t *l3 = early_table(early_next(&l4[L4_IMAGE]));

    for (uint64_t va = start; va < end; va += PAGE_SIZE) {
        pte_t *l2 = early_table(early_next(&l3[(va >> 30) & 511]));
        pte_t *l1 = early_table(early_next(&l2[(va >> 21) & 511]));
        pte_t e = (va - KERNEL_VMA) | PTE_P | global_bit;
        if (va >= (uint64_t)(uintptr_t)_text_end)
            e |= PTE_NX;
        if (va >= (uint64_t)(uintptr_t)_rodata_end)
            e |= PTE_RW;
        l1[(va >> 12) & 511] = e;
    }
}

static void map_direct(uint64_t top)
{
    pte_t *l4 = early_table(kernel_root);
    pte_t *l3 = early_table(early_next(&l4[L4_DIRECT]));

    for (uint64_t pa = 0; pa < top; pa += 0x200000) {
        pte_t *l2 = early_table(early_next(&l3[(pa >> 30) & 511]));
        l2[(pa >> 21) & 511] = pa | PTE_P | PTE_RW | PTE_PS | PTE_NX | global_bit;
    }
}

/* Contract: see boot_mem.h. */
void paging_init(struct boot_info *bi)
{
    uint64_t top = 0;

    early_bi = bi;
    global_bit = cpu_features.pge ? PTE_G : 0;
    for (unsigned i = 0; i < bi->nram; i++)
        top = MM_MAX(top, bi->ram[i].base + bi->ram[i].len);
    top = MM_MAX(top, bi->reserved_end);
    top = ALIGN_UP(top, 0x200000);
    if (top > DIRECT_MAP_SIZE)
        top = DIRECT_MAP_SIZE;

    kernel_root = early_alloc();
    map_direct(top);
    map_image();
    early_next(&early_table(kernel_root)[L4_KSTACK]);
    write_cr3(kernel_root);
}

paddr_t paging_kernel_root(void) { return kernel_root; }

void paging_share_kernel(paddr_t root)
{
    pte_t *dst = platform_phys_to_virt(root);
    const pte_t *src = platform_phys_to_virt(kernel_root);
    for (int i = 256; i < 512; i++)
        dst[i] = src[i];
}

/* ---- kernel pages mapped after boot (the kernel-stack area) ---- */

static pte_t *kmap_table(paddr_t pa) { return platform_phys_to_virt(pa); }

/* The level-1 slot for va, creating tables when create is set. */
static pte_t *kmap_slot(uint64_t va, bool create)
{
    pte_t *t = kmap_table(kernel_root);
    for (int shift = 39; shift > 12; shift -= 9) {
        pte_t *slot = &t[(va >> shift) & 511];
        if (!(*slot & PTE_P)) {
            paddr_t pa;
            if (!create || frame_alloc_zeroed(&pa, MM_ALLOC_TABLE))
                return NULL;
            *slot = pa | PTE_P | PTE_RW;
        }
        t = kmap_table(*slot & PTE_ADDR);
    }
    return &t[(va >> 12) & 511];
}

int paging_map_kernel_page(uint64_t va, paddr_t pa)
{
    if ((va >> 39 & 511) != L4_KSTACK)
        panic("paging_map_kernel_page: %#lx is outside the kernel-stack area", va);
    pte_t *slot = kmap_slot(va, true);
    if (!slot)
        return -ENOMEM;
    *slot = pa | PTE_P | PTE_RW | PTE_NX | global_bit;
    return 0;
}

void paging_unmap_kernel_page(uint64_t va)
{
    pte_t *slot = kmap_slot(va, false);
    if (slot) {
        *slot = 0;
        invlpg(va);
    }
}
