/* kernel/x86_64/layout.h — where things live in the x86-64 kernel's virtual
 * and physical address spaces. Included from C and from assembly.
 *
 *   0x0000000000000000 .. 0x00007fffffffefff   user half (PML4 0..255), one
 *                                              mm/ pmap per process
 *   0xffff800000000000 .. +512 GiB             direct map of physical memory
 *                                              (PML4 256), 2 MiB pages, NX
 *   0xffffffff80000000 .. +1 GiB               the kernel image (PML4 511),
 *                                              linked at KERNEL_VMA + its
 *                                              physical load address
 */
#ifndef KERNEL_X86_64_LAYOUT_H
#define KERNEL_X86_64_LAYOUT_H

#define KERNEL_VMA 0xffffffff80000000
#define KERNEL_PHYS 0x100000
#define DIRECT_MAP_BASE 0xffff800000000000
#define DIRECT_MAP_SIZE 0x8000000000 /* 512 GiB: one PML4 entry */

/* GDT selectors (see gdt.c for the table and why it is in this order). */
#define SEL_KERNEL_CODE 0x10
#define SEL_KERNEL_DATA 0x18
#define SEL_USER_CODE32 0x20
#define SEL_USER_DATA 0x28
#define SEL_USER_CODE 0x30
#define SEL_TSS 0x40

#define BOOT_STACK_SIZE 16384

#endif
