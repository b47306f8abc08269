/* kernel/x86_64/cpu.c — CPU feature detection and the control-register
 * settings that depend on it.
 *
 * CR4.SMEP stops ring 0 from executing user pages and CR4.SMAP from reading
 * or writing them (both raise a page fault). This kernel never touches user
 * memory through user addresses (mm/uaccess copies through the direct map),
 * so it never needs to lift SMAP with stac/clac. CR4.UMIP makes sgdt/sidt
 * and friends fault in ring 3. CR4.OSFXSR and OSXMMEXCPT let user programs
 * use SSE (every x86-64 program does); the kernel itself is built without
 * SSE. XSAVE (and so AVX) is left off: CPUID then reports OSXSAVE clear and
 * programs fall back to SSE. */
#include <kern/lib.h>

#include "cpu.h"

struct cpu_features cpu_features;

void cpu_init(void)
{
    uint32_t r[4];

    cpuid(0, 0, r);
    uint32_t max_leaf = r[0];
    memcpy(cpu_features.vendor + 0, &r[1], 4);
    memcpy(cpu_features.vendor + 4, &r[3], 4);
    memcpy(cpu_features.vendor + 8, &r[2], 4);
    cpu_features.vendor[12] = 0;

    cpuid(1, 0, r);
    cpu_features.hwcap = r[3];
    cpu_features.pge = (r[3] >> 13) & 1;
    cpu_features.fxsr = (r[3] >> 24) & 1;
    cpu_features.rdrand = (r[2] >> 30) & 1;
    cpu_features.xsave = (r[2] >> 26) & 1;
    if (max_leaf >= 7) {
        cpuid(7, 0, r);
        cpu_features.smep = (r[1] >> 7) & 1;
        cpu_features.smap = (r[1] >> 20) & 1;
        cpu_features.umip = (r[2] >> 2) & 1;
    }

    uint64_t cr4 = read_cr4();
    if (cpu_features.pge)
        cr4 |= CR4_PGE;
    if (cpu_features.smep)
        cr4 |= CR4_SMEP;
    if (cpu_features.smap)
        cr4 |= CR4_SMAP;
    if (cpu_features.umip)
        cr4 |= CR4_UMIP;
    if (cpu_features.fxsr)
        cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    write_cr4(cr4);

    /* CR0: MP (bit 1) set, EM (bit 2) and TS (bit 3) clear: the FPU and SSE
     * run without traps. WP was set by boot.S. */
    write_cr0((read_cr0() | (1ul << 1) | CR0_WP) & ~((1ul << 2) | (1ul << 3)));
    __asm__ volatile("fninit");
}
