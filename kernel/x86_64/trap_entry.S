/* kernel/x86_64/trap_entry.S — the assembly side of traps: one small stub
 * per vector that makes every frame look alike (an error code, real or 0,
 * and the vector number), the common path that saves the general registers
 * into a struct trap_frame (trap.h) and calls trap_dispatch, and the return
 * path shared with system calls.
 *
 * The CPU pushes SS, RSP, RFLAGS, CS, RIP and, for vectors 8, 10-14, 17, 21,
 * 29 and 30, an error code. Interrupt gates clear IF, so the kernel runs
 * with interrupts off. */
#include "layout.h"

    .macro stub vec, has_error
    .globl trap_stub_\vec
trap_stub_\vec:
    .if \has_error == 0
    pushq $0
    .endif
    pushq $\vec
    jmp trap_common
    .endm

    .text
    .irp v, 0, 1, 2, 3, 4, 5, 6, 7, 9, 15, 16, 18, 19, 20, 22, 23, 24, 25, 26, 27, 28, 31
    stub \v, 0
    .endr
    .irp v, 8, 10, 11, 12, 13, 14, 17, 21, 29, 30
    stub \v, 1
    .endr
    .irp v, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 255
    stub \v, 0
    .endr

    .macro save_regs
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    .endm

trap_common:
    cld
    save_regs
    movq %rsp, %rdi
    call trap_dispatch
    jmp trap_return

/* Leave through the frame at RSP: restore registers, drop vector and error
 * code, iretq. */
    .globl trap_return
trap_return:
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp
    iretq

/* void trap_return_to(struct trap_frame *tf) */
    .globl trap_return_to
trap_return_to:
    movq %rdi, %rsp
    jmp trap_return

/* The system-call instruction: RCX holds the user RIP, R11 the user RFLAGS,
 * RSP is still the user's, and SFMASK has cleared IF, DF, TF and AC. We
 * switch to the kernel stack and build the same frame an interrupt from
 * ring 3 would have, so the return path is shared (iretq restores RCX and
 * R11 as the syscall instruction left them). One CPU: the user RSP waits in
 * a global while we switch stacks. */
    .globl syscall_entry
syscall_entry:
    movq %rsp, cpu_user_rsp_scratch(%rip)
    movq cpu_kernel_rsp(%rip), %rsp
    pushq $(SEL_USER_DATA | 3)
    pushq cpu_user_rsp_scratch(%rip)
    pushq %r11
    pushq $(SEL_USER_CODE | 3)
    pushq %rcx
    pushq %rax          /* the number, in the error-code slot (signal.c) */
    pushq $0x100
    save_regs
    movq %rsp, %rdi
    call syscall_dispatch
    jmp trap_return

/* The syscall instruction from 32-bit compatibility mode (MSR_CSTAR): this
 * kernel has no 32-bit system calls, so it answers -ENOSYS at once, as
 * Linux without IA32 emulation does. A 32-bit sysret goes back to the
 * caller (CS and SS from STAR's user base: the 32-bit user selectors, RIP
 * from ECX, RFLAGS from R11); no stack is touched. */
    .globl syscall_compat_entry
syscall_compat_entry:
    movl $-38, %eax
    sysretl

    .bss
    .balign 8
    .globl cpu_kernel_rsp
cpu_kernel_rsp:
    .quad 0
cpu_user_rsp_scratch:
    .quad 0

    .section .note.GNU-stack, "", @progbits
