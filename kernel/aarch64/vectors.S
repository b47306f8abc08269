/* kernel/aarch64/vectors.S — the exception vector table (VBAR_EL1), the
 * code that saves a struct trap_frame (trap.h) and calls trap_dispatch,
 * and the return path, shared by everything that leaves to EL0.
 *
 * The table has 16 entries of 0x80 bytes, 2 KiB aligned: for exceptions
 * from the current EL while using SP_EL0, from the current EL using
 * SP_ELx, from a lower EL in AArch64 and from a lower EL in AArch32, one
 * entry each for synchronous exceptions, IRQ, FIQ and SError.
 *
 * The kernel runs on SP_EL1 with interrupts masked (PSTATE.I), so IRQs
 * arrive only from EL0. An exception from EL0 finds SP_EL1 at the top of
 * the current process's kernel stack (it was left there by the eret that
 * entered EL0), so the frame always lands at kstack_top - TF_SIZE.
 *
 * Any exception taken in EL1 is a kernel bug. It runs on a stack of its
 * own (the kernel stack may be what overflowed), so that the report can
 * still be printed; SP_EL0 and TPIDR_EL1 serve as scratch to get there. */
#include "layout.h"

    .macro save_gprs
    stp x0, x1, [sp, #0]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x19, [sp, #144]
    stp x20, x21, [sp, #160]
    stp x22, x23, [sp, #176]
    stp x24, x25, [sp, #192]
    stp x26, x27, [sp, #208]
    stp x28, x29, [sp, #224]
    .endm

    /* Entry from EL0: the frame goes on the process's kernel stack. */
    .macro el0_entry kind
    sub sp, sp, #TF_SIZE
    save_gprs
    mrs x21, sp_el0
    stp x30, x21, [sp, #240]
    mrs x22, elr_el1
    mrs x23, spsr_el1
    stp x22, x23, [sp, #TF_PC]
    mrs x24, esr_el1
    mrs x25, far_el1
    stp x24, x25, [sp, #TF_ESR]
    mov x0, #\kind
    str x0, [sp, #TF_KIND]
    mov x29, xzr                    /* backtraces end here */
    mov x0, sp
    bl trap_dispatch
    b trap_return
    .endm

    /* Entry from EL1: always fatal; move to the emergency stack first. */
    .macro el1_entry kind
    msr tpidr_el1, x0
    mov x0, sp
    msr sp_el0, x0                  /* the interrupted SP */
    ldr x0, =emergency_stack_top
    mov sp, x0
    mrs x0, tpidr_el1
    sub sp, sp, #TF_SIZE
    save_gprs
    mrs x21, sp_el0
    stp x30, x21, [sp, #240]
    mrs x22, elr_el1
    mrs x23, spsr_el1
    stp x22, x23, [sp, #TF_PC]
    mrs x24, esr_el1
    mrs x25, far_el1
    stp x24, x25, [sp, #TF_ESR]
    mov x0, #\kind
    str x0, [sp, #TF_KIND]
    mov x0, sp
    bl trap_dispatch
1:  wfe                             /* trap_dispatch does not return here */
    b 1b
    .endm

    .macro ventry label
    .balign 0x80
    b \label
    .endm

    .text
    .balign 2048
    .globl vectors
vectors:
    ventry el1t_sync
    ventry el1t_irq
    ventry el1t_fiq
    ventry el1t_serror
    ventry el1h_sync
    ventry el1h_irq
    ventry el1h_fiq
    ventry el1h_serror
    ventry el0_sync
    ventry el0_irq
    ventry el0_fiq
    ventry el0_serror
    ventry el0_32_sync
    ventry el0_32_irq
    ventry el0_32_fiq
    ventry el0_32_serror

el1t_sync:      el1_entry 0
el1t_irq:       el1_entry 1
el1t_fiq:       el1_entry 2
el1t_serror:    el1_entry 3
el1h_sync:      el1_entry 4
el1h_irq:       el1_entry 5
el1h_fiq:       el1_entry 6
el1h_serror:    el1_entry 7
el0_sync:       el0_entry 8
el0_irq:        el0_entry 9
el0_fiq:        el0_entry 10
el0_serror:     el0_entry 11
el0_32_sync:    el0_entry 12
el0_32_irq:     el0_entry 13
el0_32_fiq:     el0_entry 14
el0_32_serror:  el0_entry 15

/* Leave through the frame at SP: restore everything and eret. SP_EL0 is
 * only restored when returning to EL0. */
    .globl trap_return
trap_return:
    ldp x22, x23, [sp, #TF_PC]
    msr elr_el1, x22
    msr spsr_el1, x23
    tst x23, #0xf
    b.ne 2f
    ldr x21, [sp, #TF_SP]
    msr sp_el0, x21
2:  ldp x0, x1, [sp, #0]
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    ldp x8, x9, [sp, #64]
    ldp x10, x11, [sp, #80]
    ldp x12, x13, [sp, #96]
    ldp x14, x15, [sp, #112]
    ldp x16, x17, [sp, #128]
    ldp x18, x19, [sp, #144]
    ldp x20, x21, [sp, #160]
    ldp x22, x23, [sp, #176]
    ldp x24, x25, [sp, #192]
    ldp x26, x27, [sp, #208]
    ldp x28, x29, [sp, #224]
    ldr x30, [sp, #240]
    add sp, sp, #TF_SIZE
    eret
    dsb nsh                         /* no speculation past eret */
    isb

    .bss
    .balign 16
emergency_stack:
    .skip EMERGENCY_STACK_SIZE
emergency_stack_top:

    .section .note.GNU-stack, "", @progbits
