/* kernel/x86_64/start.c — the x86-64 kernel's C entry: brings the machine
 * up in order (console, CPU features, descriptor tables, page tables, the
 * frame allocator, clocks) and then hands over to the portable kernel. */
#include <kern/boot.h>
#include <kern/console.h>
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/panic.h>
#include <mm/frame.h>

#include "boot_mem.h"
#include "clock.h"
#include "cpu.h"
#include "trap.h"

void kmain_x86_64(uint32_t magic, uint32_t info);

static struct boot_info boot_info;

/* Give every usable page above the reserved area to mm/'s allocator. */
static void frames_register(const struct boot_info *bi)
{
    for (unsigned i = 0; i < bi->nram; i++) {
        uint64_t base = MM_MAX(bi->ram[i].base, bi->reserved_end);
        uint64_t end = page_down(bi->ram[i].base + bi->ram[i].len);
        base = ALIGN_UP(MM_MAX(base, 0x100000ull), PAGE_SIZE);
        if (end <= base || end - base < 16 * PAGE_SIZE)
            continue;
        int err = frame_add_region(base, (end - base) / PAGE_SIZE);
        if (err)
            kprintf("mmcore: memory [%#lx, %#lx) not usable (error %d)\n", base, end, err);
    }
}

void kmain_x86_64(uint32_t magic, uint32_t info)
{
    console_init();
    cpu_init();
    gdt_init();
    idt_init();
    syscall_msr_init();
    if (multiboot_parse(magic, info, &boot_info))
        panic("not started by a multiboot loader with a memory map (magic %#x)", magic);
    paging_init(&boot_info);
    frames_register(&boot_info);
    clock_init();
    clock_tick_start();
    kprintf("mmcore: x86-64, %s, %lu MiB free, TSC %lu MHz, SMEP %s, SMAP %s, NX on\n", cpu_features.vendor,
            frame_free_count() * PAGE_SIZE >> 20, clock_tsc_hz() / 1000000, cpu_features.smep ? "on" : "off",
            cpu_features.smap ? "on" : "off");
    kernel_main(&boot_info);
}
