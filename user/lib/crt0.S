/* user/lib/crt0.S — program entry. The kernel starts _start with RSP at
 * argc (argv, envp and auxv above it) and every other register zero; the
 * C side (start.c) finds the pieces and calls main. */
    .text
    .globl _start
_start:
    xorl %ebp, %ebp
    movq %rsp, %rdi
    andq $-16, %rsp
    call __user_start
    hlt

    .section .note.GNU-stack, "", @progbits
