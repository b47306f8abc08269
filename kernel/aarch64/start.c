/* kernel/aarch64/start.c — the aarch64 kernel's C entry: brings the
 * machine up in order (console, device tree, CPU features, translation
 * tables, the frame allocator, power, clocks, the interrupt controller and
 * the tick) and then hands over to the portable kernel. */
#include <kern/boot.h>
#include <kern/console.h>
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/panic.h>
#include <mm/frame.h>
#include <mm/platform.h>

#include "boot_mem.h"
#include "clock.h"
#include "cpu.h"
#include "fdt.h"
#include "gic.h"
#include "power.h"
#include "random.h"
#include "trap.h"
#include "uart.h"

void kmain_aarch64(uint64_t dtb_pa, uint64_t phys_base);

static struct boot_info boot_info;
static struct machine_desc machine;

#define MAX_AVOID (FDT_MAX_RESERVED + 2)

/* Give every page of RAM that nothing else holds to mm/'s allocator: RAM
 * minus [its start, the end of the image and the boot tables), the
 * initramfs (kernel_main frees it once unpacked) and the device tree.
 * Only whole 2 MiB blocks are in the direct map. */
static void frames_register(const struct boot_info *bi, const struct boot_range *avoid, unsigned navoid)
{
    for (unsigned i = 0; i < bi->nram; i++) {
        uint64_t lo = ALIGN_UP(bi->ram[i].base, 0x200000);
        uint64_t hi = (bi->ram[i].base + bi->ram[i].len) & ~0x1fffffull;
        hi = MM_MIN(hi, paging_direct_top());
        if (lo <= kernel_phys_base && kernel_phys_base < hi)
            lo = MM_MAX(lo, bi->reserved_end);
        while (lo < hi) {
            /* The lowest reserved range that overlaps [lo, hi). */
            const struct boot_range *first = NULL;
            for (unsigned k = 0; k < navoid; k++) {
                const struct boot_range *r = &avoid[k];
                if (r->len && r->base < hi && r->base + r->len > lo && (!first || r->base < first->base))
                    first = r;
            }
            uint64_t end = first ? MM_MAX(first->base, lo) : hi;
            uint64_t base = ALIGN_UP(lo, PAGE_SIZE);
            end = page_down(end);
            if (end > base && end - base >= 16 * PAGE_SIZE) {
                int err = frame_add_region(base, (end - base) / PAGE_SIZE);
                if (err)
                    kprintf("mmcore: memory [%#lx, %#lx) not usable (error %d)\n", base, end, err);
            }
            if (!first)
                break;
            lo = MM_MAX(lo, first->base + first->len);
        }
    }
}

void kmain_aarch64(uint64_t dtb_pa, uint64_t phys_base)
{
    extern char _kernel_end[];
    kernel_phys_base = phys_base;
    console_init();
    if ((dtb_pa >> 30) != (phys_base >> 30))
        panic("the device tree at %#lx is not in the first GiB of RAM", dtb_pa);
    if (fdt_parse(platform_phys_to_virt(dtb_pa), dtb_pa, &boot_info, &machine))
        panic("no device tree at %#lx", dtb_pa);
    if (machine.uart)
        uart_init(machine.uart);
    if (!boot_info.nram)
        panic("the device tree names no memory");
    cpu_init();
    /* mmcore.asid_bits=N (1-16) uses only 2^N ASIDs, so that tests can
     * make the allocator roll over to a new generation often. */
    char word[8];
    if (boot_cmdline_get(&boot_info, "mmcore.asid_bits", word, sizeof word)) {
        unsigned n = 0;
        for (const char *c = word; *c >= '0' && *c <= '9'; c++)
            n = n * 10 + (unsigned)(*c - '0');
        if (n >= 1 && n < cpu_features.asid_bits)
            cpu_features.asid_bits = n;
    }

    struct boot_range avoid[MAX_AVOID];
    unsigned navoid = 0;
    for (unsigned i = 0; i < machine.nreserved; i++)
        avoid[navoid++] = machine.reserved[i];
    if (boot_info.initrd_len)
        avoid[navoid++] = (struct boot_range){boot_info.initrd_base, boot_info.initrd_len};
    boot_info.reserved_end = ALIGN_UP(image_phys(_kernel_end), PAGE_SIZE);
    paging_init(&boot_info, avoid, navoid);
    frames_register(&boot_info, avoid, navoid);

    power_init(machine.has_psci, machine.psci_smc);
    clock_init(machine.rtc);
    random_seed(machine.rng_seed, machine.rng_seed_len);
    if (gic_init(machine.gic_version, machine.gicd, machine.gicc_or_gicr))
        panic("no GICv2 or GICv3 in the device tree");
    trap_set_timer_irq(machine.timer_irq);
    gic_enable_ppi(machine.timer_irq);
    clock_tick_start();

    kprintf("mmcore: aarch64, %s, %lu MiB free, counter %lu MHz, GICv%u, ASID %u bits, PAN %s, "
            "hardware AF %s\n",
            cpu_features.name, frame_free_count() * PAGE_SIZE >> 20, clock_counter_hz() / 1000000,
            machine.gic_version, cpu_features.asid_bits, cpu_features.pan ? "on" : "off",
            cpu_features.hw_af ? "on" : "off");
    kernel_main(&boot_info);
}
