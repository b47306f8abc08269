/* kernel/x86_64/gdt.c — the global descriptor table and the task-state
 * segment.
 *
 * In long mode segments are nearly gone, but the CPU still needs: a 64-bit
 * code segment and a data segment per privilege level (ring 0 kernel, ring
 * 3 user), and a TSS, whose only remaining jobs are RSP0 (the stack loaded
 * when an interrupt arrives from ring 3) and the interrupt stack table (IST,
 * known-good stacks for the double fault, NMI and machine check).
 *
 * The order of the descriptors is fixed by the syscall/sysret instructions:
 * STAR names a kernel base K (code K, data K+8) and a user base U (sysret
 * to 64-bit loads code U+16 and stack U+8). The selectors themselves are
 * Linux's, K = 0x10 and U = 0x20:
 *   0x00 null, 0x08 unused, 0x10 kernel code, 0x18 kernel data, 0x20 user
 *   code (32-bit), 0x28 user data, 0x30 user code (64-bit), 0x38 unused,
 *   0x40 TSS (16 bytes).
 * User programs see them (mov %cs, sigcontext, far jumps to 32-bit code),
 * and a hypervisor that runs guest user mode directly on its host's GDT
 * (kvm-pvm; docs/kernel.md) gives ring 3 the host's selectors whatever
 * this table says: 0x33 and 0x2b with a Linux host. With the same values
 * here what the kernel saves and restores is what the program sees.
 *
 * Descriptor bits used: P (present, 47), DPL (45-46), S (code/data, 44),
 * type (40-43: 0xA code read/exec, 0x2 data read/write), L (long, 53),
 * D/B and G (54, 55) for the 32-bit segment. */
#include <kern/lib.h>

#include "layout.h"
#include "trap.h"

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

#define IST_STACK_SIZE 8192
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

static struct tss tss;
static uint64_t gdt[10] __attribute__((aligned(16)));

void gdt_init(void)
{
    gdt[0] = 0;
    gdt[1] = 0;                  /* (Linux: 32-bit kernel code) */
    gdt[2] = 0x00209a0000000000; /* kernel code, 64-bit */
    gdt[3] = 0x0000920000000000; /* kernel data */
    gdt[4] = 0x00cffa000000ffff; /* user code, 32-bit */
    gdt[5] = 0x0000f20000000000; /* user data */
    gdt[6] = 0x0020fa0000000000; /* user code, 64-bit */
    gdt[7] = 0;                  /* (Linux: unused too) */

    /* IST1: double fault, IST2: NMI, IST3: machine check (see idt.c). */
    for (int i = 0; i < 3; i++)
        tss.ist[i] = (uint64_t)(uintptr_t)(ist_stacks[i] + IST_STACK_SIZE);
    tss.iomap_base = sizeof tss; /* no I/O permission bitmap: ring 3 has no ports */

    /* A 64-bit TSS descriptor takes two slots: base split over both. */
    uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof tss - 1;
    gdt[8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[9] = base >> 32;

    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } gdtr = {sizeof gdt - 1, (uint64_t)(uintptr_t)gdt};

    __asm__ volatile(
        "lgdt %0\n\t"
        "pushq %1\n\t"           /* reload CS with a far return */
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw %w2, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        "xorl %%eax, %%eax\n\t"
        "movw %%ax, %%fs\n\t"
        "movw %%ax, %%gs\n\t"
        "movw %w3, %%ax\n\t"
        "ltr %%ax"
        :
        : "m"(gdtr), "i"(SEL_KERNEL_CODE), "i"(SEL_KERNEL_DATA), "i"(SEL_TSS)
        : "rax", "memory");
}

void cpu_set_kernel_stack(uint64_t top)
{
    extern uint64_t cpu_kernel_rsp;
    tss.rsp[0] = top;
    cpu_kernel_rsp = top;
}
