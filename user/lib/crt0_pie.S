/* user/lib/crt0_pie.S — entry of a static position-independent program:
 * apply its own relative relocations (reloc.c) before anything uses an
 * absolute pointer, then start as crt0.S does. */
    .text
    .globl _start
_start:
    xorl %ebp, %ebp
    movq %rsp, %rbx
    andq $-16, %rsp
    call __user_relocate
    movq %rbx, %rdi
    call __user_start
    hlt

    .section .note.GNU-stack, "", @progbits
