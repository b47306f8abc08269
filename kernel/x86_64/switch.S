/* kernel/x86_64/switch.S — switching kernel stacks between the scheduler
 * and a process.
 *
 * context_switch(save, load) pushes the callee-saved registers (the
 * compiler keeps everything else live across a call itself), stores RSP in
 * *save, loads RSP = load, pops the other side's registers and returns into
 * it. A new process's stack is prepared (thread.c) with six zero registers
 * and the address of context_first_entry, which leaves to user mode through
 * the trap frame lying just above. */
    .text
    .globl context_switch
context_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

    .globl context_first_entry
context_first_entry:
    jmp trap_return

    .section .note.GNU-stack, "", @progbits
