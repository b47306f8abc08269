/* kernel/aarch64/paging.c — the kernel half of the address space (TTBR1):
 * the direct map of RAM, the image with per-section permissions, the
 * device window and the kernel-stack area. (The user half, TTBR0, belongs
 * to mm/ through arch/aarch64/pmap.c, one table per process.)
 *
 * Descriptors are the VMSAv8-64 format drawn in arch/aarch64/pmap.c. The
 * kernel's differ from user leaves in: AP[6] clear (EL0 has no access),
 * nG clear (global: one translation for every ASID, never flushed by a
 * context switch), UXN always set, PXN on everything but text, and two
 * block sizes: a level-1 descriptor with bits 1:0 = 0b01 maps 1 GiB, a
 * level-2 one 2 MiB.
 *
 *   L0[256]  direct map: physical RAM at DIRECT_MAP_BASE + pa, 2 MiB
 *            blocks, normal memory (MAIR attribute 0), RW, never executable
 *   L0[508]  device window: physical [0, 1 GiB) as one 1 GiB block of
 *            Device-nGnRE (attribute 1)
 *   L0[510]  kernel stacks, 4 KiB pages mapped on demand
 *   L0[511]  the image, 4 KiB pages: text RX, rodata R, data and bss RW
 *
 * Level-0 entries never change after boot; later changes (kernel stacks)
 * happen in the tables below them. */
#include <kern/lib.h>
#include <kern/panic.h>
#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/platform.h>

#include "boot_mem.h"
#include "sysreg.h"

typedef uint64_t pte_t;
#define D_VALID (1ull << 0)
#define D_TABLE (1ull << 1)      /* table (levels 0-2) or page (level 3) */
#define D_ATTR_NORMAL (0ull << 2)
#define D_ATTR_DEVICE (1ull << 2)
#define D_AP_RO (1ull << 7)
#define D_SH_INNER (3ull << 8)
#define D_AF (1ull << 10)
#define D_PXN (1ull << 53)
#define D_UXN (1ull << 54)
#define D_ADDR 0x0000fffffffff000ull

#define BLOCK_2M 0x200000ull

uint64_t kernel_phys_base;

static paddr_t kernel_root, empty_root;
static uint64_t direct_top;

void boot_ttbr1_switch(uint64_t ttbr1, uint64_t empty);

/* ---- boot-time page allocator: pages just above the reserved area ---- */

static struct boot_info *early_bi;
static const struct boot_range *early_avoid;
static unsigned early_navoid;

/* The boot tables' direct map covers the GiB holding the image. */
static bool early_reachable(paddr_t pa)
{
    return (pa >> 30) == (kernel_phys_base >> 30);
}

static paddr_t early_alloc(void)
{
    paddr_t pa = early_bi->reserved_end;
    for (bool moved = true; moved;) {
        moved = false;
        for (unsigned i = 0; i < early_navoid; i++) {
            const struct boot_range *r = &early_avoid[i];
            if (pa + PAGE_SIZE > r->base && pa < r->base + r->len) {
                pa = ALIGN_UP(r->base + r->len, PAGE_SIZE);
                moved = true;
            }
        }
    }
    bool in_ram = false;
    for (unsigned i = 0; i < early_bi->nram; i++)
        if (pa >= early_bi->ram[i].base && pa + PAGE_SIZE <= early_bi->ram[i].base + early_bi->ram[i].len)
            in_ram = true;
    if (!in_ram || !early_reachable(pa))
        panic("paging: no memory for the kernel page table at %#lx", pa);
    early_bi->reserved_end = pa + PAGE_SIZE;
    memset(platform_phys_to_virt(pa), 0, PAGE_SIZE);
    return pa;
}

static pte_t *table_va(paddr_t pa) { return platform_phys_to_virt(pa); }

/* The next-level table under slot, created if missing (boot time). */
static paddr_t early_next(pte_t *slot)
{
    if (!(*slot & D_VALID))
        *slot = early_alloc() | D_VALID | D_TABLE;
    return *slot & D_ADDR;
}

static void map_direct(const struct boot_info *bi)
{
    pte_t *l0 = table_va(kernel_root);
    paddr_t l1 = early_next(&l0[L0_DIRECT]);

    for (unsigned i = 0; i < bi->nram; i++) {
        uint64_t pa = ALIGN_UP(bi->ram[i].base, BLOCK_2M);
        uint64_t end = (bi->ram[i].base + bi->ram[i].len) & ~(BLOCK_2M - 1);
        end = MM_MIN(end, (uint64_t)DIRECT_MAP_SIZE);
        for (; pa < end; pa += BLOCK_2M) {
            pte_t *l2 = table_va(early_next(&table_va(l1)[(pa >> 30) & 511]));
            l2[(pa >> 21) & 511] = pa | D_VALID | D_ATTR_NORMAL | D_SH_INNER | D_AF | D_PXN | D_UXN;
        }
        direct_top = MM_MAX(direct_top, end);
    }
}

static void map_image(void)
{
    extern char _kernel_start[], _text_end[], _rodata_end[], _kernel_end[];
    uint64_t start = (uint64_t)(uintptr_t)_kernel_start, end = (uint64_t)(uintptr_t)_kernel_end;
    pte_t *l0 = table_va(kernel_root);
    pte_t *l1 = table_va(early_next(&l0[L0_IMAGE]));

    for (uint64_t va = start; va < end; va += PAGE_SIZE) {
        pte_t *l2 = table_va(early_next(&l1[(va >> 30) & 511]));
        pte_t *l3 = table_va(early_next(&l2[(va >> 21) & 511]));
        pte_t e = (va - KERNEL_VMA + kernel_phys_base) | D_VALID | D_TABLE | D_ATTR_NORMAL | D_SH_INNER |
                  D_AF | D_UXN;
        if (va >= (uint64_t)(uintptr_t)_text_end)
            e |= D_PXN;
        if (va < (uint64_t)(uintptr_t)_rodata_end)
            e |= D_AP_RO;
        l3[(va >> 12) & 511] = e;
    }
}

static void map_devices(void)
{
    pte_t *l0 = table_va(kernel_root);
    pte_t *l1 = table_va(early_next(&l0[L0_DEVICE]));
    l1[0] = 0 | D_VALID | D_ATTR_DEVICE | D_AF | D_PXN | D_UXN;
}

/* Contract: see boot_mem.h. */
void paging_init(struct boot_info *bi, const struct boot_range *avoid, unsigned navoid)
{
    early_bi = bi;
    early_avoid = avoid;
    early_navoid = navoid;

    kernel_root = early_alloc();
    empty_root = early_alloc();
    map_direct(bi);
    map_image();
    map_devices();
    early_next(&table_va(kernel_root)[L0_KSTACK]);

    /* The walker must see the new tables before TTBR1 points at them. */
    dsb_ishst();
    void (*sw)(uint64_t, uint64_t) = (void (*)(uint64_t, uint64_t))(uintptr_t)image_phys((void *)boot_ttbr1_switch);
    sw(kernel_root, empty_root);
    sysreg_write(ttbr0_el1, empty_root);
    isb();
    __asm__ volatile("tlbi vmalle1; dsb nsh; isb" : : : "memory");
}

uint64_t paging_direct_top(void) { return direct_top; }

paddr_t paging_empty_root(void) { return empty_root; }

/* ---- kernel pages mapped after boot (the kernel-stack area) ---- */

/* The level-3 slot for va, creating tables when create is set. */
static pte_t *kmap_slot(uint64_t va, bool create)
{
    pte_t *t = table_va(kernel_root);
    for (int shift = 39; shift > 12; shift -= 9) {
        pte_t *slot = &t[(va >> shift) & 511];
        if (!(*slot & D_VALID)) {
            paddr_t pa;
            if (!create || frame_alloc_zeroed(&pa, MM_ALLOC_TABLE))
                return NULL;
            dsb_ishst(); /* the zeroes before the link */
            *slot = pa | D_VALID | D_TABLE;
        }
        t = table_va(*slot & D_ADDR);
    }
    return &t[(va >> 12) & 511];
}

int paging_map_kernel_page(uint64_t va, paddr_t pa)
{
    if (((va >> 39) & 511) != L0_KSTACK)
        panic("paging_map_kernel_page: %#lx is outside the kernel-stack area", va);
    pte_t *slot = kmap_slot(va, true);
    if (!slot)
        return -ENOMEM;
    *slot = pa | D_VALID | D_TABLE | D_ATTR_NORMAL | D_SH_INNER | D_AF | D_PXN | D_UXN;
    dsb_ishst();
    isb();
    return 0;
}

void paging_unmap_kernel_page(uint64_t va)
{
    pte_t *slot = kmap_slot(va, false);
    if (!slot)
        return;
    *slot = 0;
    /* A global entry: invalidate it for every ASID. */
    dsb_ishst();
    tlbi_vaae1is((va >> 12) & ((1ull << 44) - 1));
    dsb_ish();
    isb();
}
