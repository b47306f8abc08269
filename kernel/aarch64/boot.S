/* kernel/aarch64/boot.S — the first instructions: from the loader's state
 * (MMU off, at EL2 or EL1, x0 = the device tree) to EL1 with the MMU on,
 * running at KERNEL_VMA.
 *
 * The file starts with the arm64 Linux "Image" header, so QEMU's -kernel
 * (and any loader that boots Linux) treats us as a Linux kernel: it loads
 * the flat image at a 2 MiB aligned address plus text_offset (0 here),
 * writes the initrd location and the command line into the device tree,
 * and enters at byte 0 with
 *   x0 = physical address of the device tree, x1-x3 = 0,
 *   MMU and data cache off, interrupts masked, at EL2 or EL1.
 *
 * Until the MMU is on this code runs at its physical address: it reaches
 * its own symbols only PC-relatively (adr, adrp), never through absolute
 * addresses, and its stores go to memory uncached.
 *
 * EL2: we do not use it. HCR_EL2.RW makes EL1 AArch64, the timer and the
 * GICv3 CPU interface are handed to EL1, FP/SIMD is not trapped, and an
 * exception return drops to EL1h with everything masked.
 *
 * Boot translation tables (all in .bss, replaced by paging.c):
 *   TTBR0: the 1 GiB around the image, identity mapped (so that the
 *          instructions after "MMU on" still fetch), normal memory.
 *   TTBR1: level 0 entry 511 -> 2 MiB blocks: KERNEL_VMA -> the image;
 *          entry 256 -> a 1 GiB block: the direct map of the same GiB
 *          (early C code reaches the device tree and its first page-table
 *          pages there); entry 508 -> 1 GiB of device memory: physical
 *          [0, 1 GiB), where -M virt has its UART.
 */
#include "layout.h"

/* Descriptor bits (see arch/aarch64/pmap.c for the format). */
#define DESC_TABLE 0x3
#define DESC_BLOCK 0x1
#define DESC_AF (1 << 10)
#define DESC_SH_INNER (3 << 8)
#define DESC_ATTR_DEVICE (1 << 2)          /* MAIR attribute 1 */
#define DESC_UXN (1 << 54)
#define DESC_PXN (1 << 53)
#define BLOCK_NORMAL (DESC_BLOCK | DESC_AF | DESC_SH_INNER)
#define BLOCK_DEVICE (DESC_BLOCK | DESC_AF | DESC_ATTR_DEVICE)

/* MAIR_EL1: attribute 0 normal write-back (what user leaves use), 1
 * Device-nGnRE, 2 normal non-cacheable. */
#define MAIR_VALUE 0x4404ff

/* TCR_EL1 without IPS, AS and HA, which depend on the CPU: T0SZ = T1SZ =
 * 16 (48-bit halves), walks inner/outer write-back write-allocate inner
 * shareable, TG0 = 4 KiB, TG1 = 4 KiB (0b10), TBI0 (the top byte of user
 * addresses is ignored, as Linux arranges). */
#define TCR_BASE ((16 << 0) | (1 << 8) | (1 << 10) | (3 << 12) | (0 << 14) | \
                  (16 << 16) | (1 << 24) | (1 << 26) | (3 << 28) | (2 << 30) | (1 << 37))
#define TCR_AS (1 << 36)
#define TCR_HA (1 << 39)

#define SCTLR_RES1 0x30d00800
#define SCTLR_MMU_ON (SCTLR_RES1 | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 8) | \
                      (1 << 12) | (1 << 14) | (1 << 15) | (1 << 18) | (1 << 26))

    .section .head.text, "ax"
    .globl _head
_head:
    b primary_entry                 /* code0 */
    .long 0                         /* code1 */
    .quad 0                         /* text_offset */
    .quad _image_size               /* image_size, .bss included (kernel.ld) */
    .quad 0xa                       /* flags: little endian, 4 KiB pages, anywhere */
    .quad 0, 0, 0                   /* reserved */
    .ascii "ARM\x64"                /* magic */
    .long 0                         /* no PE/COFF header */

primary_entry:
    mov x21, x0                     /* the device tree, physical */
    adr x22, _head                  /* where we were loaded */
    mrs x0, CurrentEL
    lsr x0, x0, #2
    cmp x0, #2
    b.eq el2_entry
    cmp x0, #1
    b.eq el1_entry
1:  wfe                             /* EL3: not supported */
    b 1b

el2_entry:
    mov x0, #(1 << 31)              /* HCR_EL2.RW: EL1 runs AArch64; nothing trapped */
    msr hcr_el2, x0
    mrs x0, cnthctl_el2
    orr x0, x0, #3                  /* EL1PCTEN, EL1PCEN: EL1 owns the counter and timer */
    msr cnthctl_el2, x0
    msr cntvoff_el2, xzr
    mrs x0, midr_el1                /* what EL1 reads as MIDR/MPIDR */
    msr vpidr_el2, x0
    mrs x0, mpidr_el1
    msr vmpidr_el2, x0
    mrs x0, id_aa64pfr0_el1         /* GIC system registers implemented? */
    ubfx x0, x0, #24, #4
    cbz x0, 2f
    mrs x0, s3_4_c12_c9_5           /* ICC_SRE_EL2: SRE and Enable (EL1 may use them) */
    mov x1, #0x9
    orr x0, x0, x1
    msr s3_4_c12_c9_5, x0
    isb
2:  mov x0, #0x33ff                 /* CPTR_EL2: no FP/SIMD traps */
    msr cptr_el2, x0
    msr hstr_el2, xzr
    msr vttbr_el2, xzr
    ldr x0, =SCTLR_RES1             /* EL1 with the MMU off */
    msr sctlr_el1, x0
    mov x0, #0x3c5                  /* EL1h, D, A, I, F masked */
    msr spsr_el2, x0
    adr x0, el1_entry
    msr elr_el2, x0
    eret

el1_entry:
    msr daifset, #0xf
    msr spsel, #1
    ldr x0, =SCTLR_RES1
    msr sctlr_el1, x0
    isb
    mov x0, #(3 << 20)              /* CPACR_EL1.FPEN: FP/SIMD for EL0 and EL1 */
    msr cpacr_el1, x0

    /* Zero .bss (the boot tables live there). */
    adrp x0, _bss_start
    add x0, x0, :lo12:_bss_start
    adrp x1, _kernel_end
    add x1, x1, :lo12:_kernel_end
3:  stp xzr, xzr, [x0], #16
    cmp x0, x1
    b.lo 3b

    /* TTBR0: identity map of the GiB holding the image. */
    adrp x0, boot_l0_id
    adrp x1, boot_l1_id
    lsr x2, x22, #39
    orr x3, x1, #DESC_TABLE
    str x3, [x0, x2, lsl #3]
    lsr x2, x22, #30
    and x2, x2, #511
    and x3, x22, #~0x3fffffff
    ldr x4, =BLOCK_NORMAL
    orr x3, x3, x4
    str x3, [x1, x2, lsl #3]

    /* TTBR1, the image: L0[511] -> L1[510] -> 2 MiB blocks. */
    adrp x0, boot_l0_hi
    adrp x1, boot_l1_img
    adrp x2, boot_l2_img
    orr x3, x1, #DESC_TABLE
    str x3, [x0, #(L0_IMAGE * 8)]
    orr x3, x2, #DESC_TABLE
    str x3, [x1, #(L1_IMAGE * 8)]
    ldr x5, =_image_size
    add x5, x5, x22                 /* physical end of the image */
    mov x3, x22
    ldr x4, =BLOCK_NORMAL
4:  orr x6, x3, x4
    str x6, [x2], #8
    add x3, x3, #0x200000
    cmp x3, x5
    b.lo 4b

    /* TTBR1, the direct map of the same GiB: L0[256] -> 1 GiB block. */
    adrp x1, boot_l1_direct
    orr x3, x1, #DESC_TABLE
    str x3, [x0, #(L0_DIRECT * 8)]
    lsr x2, x22, #30
    and x2, x2, #511
    and x3, x22, #~0x3fffffff
    ldr x4, =(BLOCK_NORMAL | DESC_UXN | DESC_PXN)
    orr x3, x3, x4
    str x3, [x1, x2, lsl #3]

    /* TTBR1, devices: L0[508] -> physical [0, 1 GiB). */
    adrp x1, boot_l1_dev
    orr x3, x1, #DESC_TABLE
    str x3, [x0, #(L0_DEVICE * 8)]
    ldr x3, =(BLOCK_DEVICE | DESC_UXN | DESC_PXN)
    str x3, [x1]

    /* The tables were written with the caches off: drop any stale lines
     * for them before the walker and the caches come on. */
    adrp x0, _bss_start
    add x0, x0, :lo12:_bss_start
    adrp x1, _kernel_end
    add x1, x1, :lo12:_kernel_end
    mrs x2, ctr_el0
    ubfx x2, x2, #16, #4            /* DminLine: log2(words) */
    mov x3, #4
    lsl x3, x3, x2                  /* line size in bytes */
5:  dc ivac, x0
    add x0, x0, x3
    cmp x0, x1
    b.lo 5b
    dsb sy

    /* MAIR, TCR (IPS from the physical address size, 16-bit ASIDs and
     * hardware access flags when the CPU has them), the tables. */
    ldr x0, =MAIR_VALUE
    msr mair_el1, x0
    ldr x0, =TCR_BASE
    mrs x1, id_aa64mmfr0_el1
    ubfx x2, x1, #0, #4             /* PARange */
    cmp x2, #5                      /* at most 48 bits: 52-bit needs other formats */
    mov x3, #5
    csel x2, x2, x3, ls
    bfi x0, x2, #32, #3
    ubfx x2, x1, #4, #4             /* ASIDBits: 2 = 16 bits */
    cmp x2, #2
    b.ne 6f
    orr x0, x0, #TCR_AS
6:  mrs x1, id_aa64mmfr1_el1
    ubfx x2, x1, #0, #4             /* HAFDBS: 1 = access flag in hardware */
    cbz x2, 7f
    orr x0, x0, #TCR_HA
7:  msr tcr_el1, x0
    adrp x0, boot_l0_id
    msr ttbr0_el1, x0
    adrp x0, boot_l0_hi
    msr ttbr1_el1, x0
    isb
    tlbi vmalle1
    dsb nsh
    isb
    ldr x0, =SCTLR_MMU_ON
    msr sctlr_el1, x0
    isb
    ic iallu
    dsb nsh
    isb
    ldr x0, =boot_high              /* an absolute address: KERNEL_VMA + ... */
    br x0

    .text
boot_high:
    ldr x0, =boot_stack_top
    mov sp, x0
    mov x29, xzr
    mov x30, xzr
    ldr x0, =vectors
    msr vbar_el1, x0
    isb
    mov x0, x21
    mov x1, x22
    bl kmain_aarch64
8:  wfe
    b 8b

/* void boot_ttbr1_switch(uint64_t ttbr1, uint64_t empty_root)
 * Called at its physical address (through the identity map in TTBR0):
 * replaces the kernel's translation tables. The upper half is first made
 * empty and every TLB entry dropped, so no two tables' entries for one
 * address can ever meet in the TLB (break-before-make for the whole
 * half). Touches no memory. */
    .section .idmap.text, "ax"
    .globl boot_ttbr1_switch
boot_ttbr1_switch:
    msr ttbr1_el1, x1
    isb
    tlbi vmalle1
    dsb nsh
    isb
    msr ttbr1_el1, x0
    isb
    tlbi vmalle1
    dsb nsh
    isb
    ret

    .bss
    .balign 4096
boot_l0_id:     .skip 4096
boot_l1_id:     .skip 4096
    .globl boot_l0_hi
boot_l0_hi:     .skip 4096
boot_l1_img:    .skip 4096
boot_l2_img:    .skip 4096
boot_l1_direct: .skip 4096
boot_l1_dev:    .skip 4096
    .balign 16
boot_stack:     .skip BOOT_STACK_SIZE
    .globl boot_stack_top
boot_stack_top:
    .section .note.GNU-stack, "", @progbits
