/* user/lib/aarch64/crt0.S — program entry on aarch64. The kernel starts
 * _start with SP at argc (argv, envp and auxv above it) and every other
 * register zero; the C side (start.c) finds the pieces and calls main. */
    .text
    .globl _start
_start:
    mov x29, xzr
    mov x30, xzr
    mov x0, sp
    and sp, x0, #~15
    bl __user_start
    brk #0

    .section .note.GNU-stack, "", @progbits
