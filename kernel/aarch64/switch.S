/* kernel/aarch64/switch.S — switching kernel stacks between the scheduler
 * and a process, and saving/loading the FP/SIMD registers.
 *
 * context_switch(save, load) saves the callee-saved registers x19-x30 (the
 * compiler keeps everything else live across a call itself) on the
 * current stack, stores SP in *save, loads SP = load, restores the other
 * side's registers and returns into it. A new process's stack is prepared
 * (thread.c) with zero registers and x30 = context_first_entry, which
 * leaves to EL0 through the trap frame lying just above.
 *
 * The kernel is built without FP/SIMD (-mgeneral-regs-only), so the user's
 * q0-q31, FPSR and FPCR survive every trap untouched; they change hands
 * only when processes do (thread.c). */
    .text
    .globl context_switch
context_switch:
    sub sp, sp, #96
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    mov x9, sp
    str x9, [x0]
    mov sp, x1
    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    add sp, sp, #96
    ret

    .globl context_first_entry
context_first_entry:
    b trap_return

/* void fpsimd_save(struct fpsimd_state *s) */
    .globl fpsimd_save
fpsimd_save:
    stp q0, q1, [x0, #0]
    stp q2, q3, [x0, #32]
    stp q4, q5, [x0, #64]
    stp q6, q7, [x0, #96]
    stp q8, q9, [x0, #128]
    stp q10, q11, [x0, #160]
    stp q12, q13, [x0, #192]
    stp q14, q15, [x0, #224]
    stp q16, q17, [x0, #256]
    stp q18, q19, [x0, #288]
    stp q20, q21, [x0, #320]
    stp q22, q23, [x0, #352]
    stp q24, q25, [x0, #384]
    stp q26, q27, [x0, #416]
    stp q28, q29, [x0, #448]
    stp q30, q31, [x0, #480]
    mrs x1, fpsr
    mrs x2, fpcr
    str w1, [x0, #512]
    str w2, [x0, #516]
    ret

/* void fpsimd_load(const struct fpsimd_state *s) */
    .globl fpsimd_load
fpsimd_load:
    ldp q0, q1, [x0, #0]
    ldp q2, q3, [x0, #32]
    ldp q4, q5, [x0, #64]
    ldp q6, q7, [x0, #96]
    ldp q8, q9, [x0, #128]
    ldp q10, q11, [x0, #160]
    ldp q12, q13, [x0, #192]
    ldp q14, q15, [x0, #224]
    ldp q16, q17, [x0, #256]
    ldp q18, q19, [x0, #288]
    ldp q20, q21, [x0, #320]
    ldp q22, q23, [x0, #352]
    ldp q24, q25, [x0, #384]
    ldp q26, q27, [x0, #416]
    ldp q28, q29, [x0, #448]
    ldp q30, q31, [x0, #480]
    ldr w1, [x0, #512]
    ldr w2, [x0, #516]
    msr fpsr, x1
    msr fpcr, x2
    ret

    .section .note.GNU-stack, "", @progbits
