/* user/lib/aarch64/crt0_pie.S — entry of a static position-independent
 * program on aarch64: apply its own relative relocations (reloc.c) before
 * anything uses an absolute pointer, then start as crt0.S does. */
    .text
    .globl _start
_start:
    mov x29, xzr
    mov x30, xzr
    mov x19, sp
    and sp, x19, #~15
    bl __user_relocate
    mov x0, x19
    bl __user_start
    brk #0

    .section .note.GNU-stack, "", @progbits
