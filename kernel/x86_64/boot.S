/* kernel/x86_64/boot.S — the first instructions: from the multiboot loader's
 * 32-bit protected mode to 64-bit long mode in the higher half.
 *
 * A multiboot (version 1) loader, such as QEMU's -kernel, finds the header
 * below in the first 8 KiB of the image. With flag 16 set the header itself
 * says where to load the file (the "a.out kludge"), so the loader never needs
 * to understand our ELF64 file: the build turns kernel.elf into a flat image
 * whose byte 0 is loaded at KERNEL_PHYS.
 *
 * The loader enters boot_entry with paging off, EAX = 0x2BADB002 and EBX =
 * the physical address of the multiboot information. Everything before the
 * jump to the higher half runs at physical addresses, so symbols are used as
 * (symbol - KERNEL_VMA).
 *
 * Long mode needs: CR4.PAE, a 4-level page table in CR3, EFER.LME, then
 * CR0.PG; the CPU is then in compatibility mode until a far jump loads a code
 * segment with the L bit. We also turn on EFER.NXE (so page tables may carry
 * the no-execute bit), EFER.SCE (the syscall instruction) and CR0.WP (ring 0
 * obeys read-only pages too).
 *
 * The boot page table maps the first 1 GiB of physical memory twice with
 * 2 MiB pages: at 0 (identity, only to survive turning paging on) and at
 * KERNEL_VMA. paging.c replaces it with the real kernel table. */
#include "layout.h"

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS ((1 << 0) | (1 << 1) | (1 << 16)) /* align modules, memory map, addresses */

#define PHYS(x) ((x) - KERNEL_VMA)

    .section .multiboot, "a"
    .balign 4
multiboot_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long PHYS(multiboot_header)  /* header_addr */
    .long PHYS(_kernel_start)     /* load_addr */
    .long PHYS(_load_end)         /* load_end_addr */
    .long PHYS(_kernel_end)       /* bss_end_addr */
    .long PHYS(boot_entry)        /* entry_addr */

    .section .boot.text, "ax"
    .code32
    .globl boot_entry
boot_entry:
    cli
    cld
    movl %eax, PHYS(boot_magic)
    movl %ebx, PHYS(boot_info)
    movl $PHYS(boot_stack_top), %esp

    /* Zero .bss: the loader is not required to. */
    movl $PHYS(_bss_start), %edi
    movl $PHYS(_kernel_end), %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb

    /* Long mode and NX are required: CPUID 0x80000001, EDX bits 29 and 20. */
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb no_long_mode
    movl $0x80000001, %eax
    cpuid
    testl $(1 << 29), %edx
    jz no_long_mode
    testl $(1 << 20), %edx
    jz no_long_mode

    /* Boot page table: one page directory of 512 2 MiB pages (1 GiB),
     * reached from PML4[0]->PDPT_lo[0] and PML4[511]->PDPT_hi[510]. */
    movl $PHYS(boot_pd), %edi
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax               /* present, writable, 2 MiB page */
    movl %eax, (%edi, %ecx, 8)
    movl $0, 4(%edi, %ecx, 8)
    incl %ecx
    cmpl $512, %ecx
    jne 1b
    movl $(PHYS(boot_pd) + 3), PHYS(boot_pdpt_lo)
    movl $(PHYS(boot_pd) + 3), PHYS(boot_pdpt_hi) + 510 * 8
    movl $(PHYS(boot_pdpt_lo) + 3), PHYS(boot_pml4)
    movl $(PHYS(boot_pdpt_hi) + 3), PHYS(boot_pml4) + 511 * 8

    movl %cr4, %eax
    orl $(1 << 5), %eax           /* PAE */
    movl %eax, %cr4
    movl $PHYS(boot_pml4), %eax
    movl %eax, %cr3
    movl $0xC0000080, %ecx        /* EFER */
    rdmsr
    orl $((1 << 0) | (1 << 8) | (1 << 11)), %eax /* SCE, LME, NXE */
    wrmsr
    movl %cr0, %eax
    orl $((1 << 31) | (1 << 16) | (1 << 0)), %eax /* PG, WP, PE */
    movl %eax, %cr0

    lgdt PHYS(boot_gdtr)
    ljmp $SEL_KERNEL_CODE, $PHYS(boot_long)

/* Say why we stop on the first serial port, then halt. */
no_long_mode:
    movl $PHYS(no_long_mode_msg), %esi
2:  lodsb
    testb %al, %al
    jz 4f
    movb %al, %bl
    movw $0x3fd, %dx
3:  inb %dx, %al
    testb $0x20, %al
    jz 3b
    movb %bl, %al
    movw $0x3f8, %dx
    outb %al, %dx
    jmp 2b
4:  hlt
    jmp 4b

    .code64
boot_long:
    movabs $boot_high, %rax
    jmp *%rax

    .text
boot_high:
    movw $SEL_KERNEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movabs $boot_stack_top, %rsp
    xorl %ebp, %ebp
    movl boot_magic(%rip), %edi
    movl boot_info(%rip), %esi
    call kmain_x86_64
5:  cli
    hlt
    jmp 5b

    .section .rodata
no_long_mode_msg:
    .asciz "mmcore: this CPU has no long mode or no NX; stopping\r\n"

    .balign 8
boot_gdt:
    .quad 0
    .quad 0
    .quad 0x00209a0000000000      /* 0x10: 64-bit ring 0 code */
    .quad 0x0000920000000000      /* 0x18: ring 0 data */
boot_gdt_end:
boot_gdtr:
    .word boot_gdt_end - boot_gdt - 1
    .long PHYS(boot_gdt)

    .data
    .balign 4
boot_magic:
    .long 0
boot_info:
    .long 0

    .bss
    .balign 4096
    .globl boot_pml4
boot_pml4:
    .skip 4096
boot_pdpt_lo:
    .skip 4096
boot_pdpt_hi:
    .skip 4096
boot_pd:
    .skip 4096
    .globl boot_stack_top
boot_stack:
    .skip BOOT_STACK_SIZE
boot_stack_top:
    .section .note.GNU-stack, "", @progbits
