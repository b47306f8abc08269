/* kernel/x86_64/multiboot.c — reading the multiboot (version 1)
 * information structure into a struct boot_info.
 *
 * The loader passes the structure's physical address in EBX. Fields used
 * (byte offsets): flags (0); cmdline (16, if flags bit 2); mods_count and
 * mods_addr (20, 24, bit 3), each module being {start, end, string,
 * reserved}; mmap_length and mmap_addr (44, 48, bit 6), a list of entries
 * {size, base (8 bytes), length (8 bytes), type} where size does not count
 * itself and type 1 is usable RAM. Everything is read through the boot
 * mapping of the first 1 GiB (boot_phys), before paging.c replaces it. */
#include <kern/boot.h>
#include <kern/lib.h>

#include "boot_mem.h"
#include "layout.h"

#define MULTIBOOT_MAGIC 0x2badb002

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_module {
    uint32_t start, end, string, reserved;
} __attribute__((packed));

struct mb_mmap {
    uint32_t size;
    uint64_t base, len;
    uint32_t type;
} __attribute__((packed));

int multiboot_parse(uint32_t magic, uint32_t info_pa, struct boot_info *bi)
{
    extern char _kernel_end[];

    memset(bi, 0, sizeof *bi);
    bi->reserved_end = (uint64_t)(uintptr_t)_kernel_end - KERNEL_VMA;
    if (magic != MULTIBOOT_MAGIC)
        return -1;
    const struct mb_info *mi = boot_phys(info_pa);

    if (mi->flags & (1u << 2))
        strlcpy(bi->cmdline, boot_phys(mi->cmdline), sizeof bi->cmdline);
    if ((mi->flags & (1u << 3)) && mi->mods_count > 0) {
        const struct mb_module *mod = boot_phys(mi->mods_addr);
        bi->initrd_base = mod[0].start;
        bi->initrd_len = mod[0].end - mod[0].start;
        for (uint32_t i = 0; i < mi->mods_count; i++)
            if (mod[i].end > bi->reserved_end)
                bi->reserved_end = mod[i].end;
    }
    bi->reserved_end = ALIGN_UP(bi->reserved_end, 4096);
    if (!(mi->flags & (1u << 6)))
        return -1;
    for (uint32_t off = 0; off + sizeof(struct mb_mmap) <= mi->mmap_length && bi->nram < BOOT_MAX_RAM;) {
        const struct mb_mmap *e = boot_phys(mi->mmap_addr + off);
        if (e->type == 1 && e->len > 0)
            bi->ram[bi->nram++] = (struct boot_range){e->base, e->len};
        off += e->size + 4;
    }
    return 0;
}
