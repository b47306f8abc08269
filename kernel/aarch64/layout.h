/* kernel/aarch64/layout.h — where things live in the aarch64 kernel's
 * virtual address space. Included from C and from assembly.
 *
 * TCR_EL1.T0SZ = T1SZ = 16: TTBR0_EL1 translates [0, 2^48) (the current
 * process, one mm/ pmap each, ASID-tagged) and TTBR1_EL1 translates
 * [2^64 - 2^48, 2^64) (the kernel, global entries, shared by everyone).
 *
 *   0x0000000000000000 .. 0x0000ffffffffffff   user space (TTBR0), level-0
 *                                              entries 0..511 of the pmap
 *   0xffff800000000000 + physical              direct map of RAM, 2 MiB
 *                                              blocks, RW, never executable
 *                                              (TTBR1 level-0 entry 256)
 *   0xfffffe0000000000 + physical              device window: physical
 *                                              [0, 1 GiB) as Device-nGnRE,
 *                                              where -M virt has its UART,
 *                                              GIC and RTC (entry 508)
 *   0xffffff0000000000                         kernel stacks, 4 KiB pages
 *                                              with unmapped guards (510)
 *   0xffffffff80000000                         the kernel image, 4 KiB
 *                                              pages, per-section
 *                                              permissions (511)
 *
 * The image runs at KERNEL_VMA whatever physical address the loader chose
 * (2 MiB aligned, as the arm64 Image header asks): kernel_phys_base holds
 * it. */
#ifndef KERNEL_AARCH64_LAYOUT_H
#define KERNEL_AARCH64_LAYOUT_H

#define KERNEL_VMA 0xffffffff80000000
#define DIRECT_MAP_BASE 0xffff800000000000
#define DIRECT_MAP_SIZE 0x8000000000 /* 512 GiB: one level-0 entry */
#define DEVICE_BASE 0xfffffe0000000000
#define DEVICE_WINDOW 0x40000000     /* 1 GiB: one level-1 block */

/* Level-0 indexes of the kernel regions in the TTBR1 table. */
#define L0_DIRECT 256
#define L0_DEVICE 508
#define L0_KSTACK 510
#define L0_IMAGE 511
#define L1_IMAGE 510 /* KERNEL_VMA's level-1 index */

#define BOOT_STACK_SIZE 16384
#define EMERGENCY_STACK_SIZE 8192

/* The frame the exception entry (vectors.S) saves; see trap.h. */
#define TF_SIZE 304
#define TF_SP 248
#define TF_PC 256
#define TF_PSTATE 264
#define TF_ESR 272
#define TF_FAR 280
#define TF_KIND 288

#endif
