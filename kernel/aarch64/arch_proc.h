/* kernel/aarch64/arch_proc.h — the aarch64 part of a process: its kernel
 * stack, saved kernel context, the user thread pointer (TPIDR_EL0) and the
 * FP/SIMD registers. Included by kern/proc.h. */
#ifndef KERNEL_AARCH64_ARCH_PROC_H
#define KERNEL_AARCH64_ARCH_PROC_H

#include <stdbool.h>
#include <stdint.h>

struct trap_frame;

/* q0..q31, then FPSR and FPCR. */
struct fpsimd_state {
    __uint128_t q[32];
    uint32_t fpsr, fpcr;
    uint64_t pad;
} __attribute__((aligned(16)));

struct arch_proc {
    uint64_t kstack_top;     /* from kstack_alloc */
    uint64_t ksp;            /* saved kernel stack pointer while switched out */
    uint64_t tpidr;          /* TPIDR_EL0, the C library's thread pointer */
    struct trap_frame *tf;   /* the user frame at the top of the kernel stack */
    uint64_t syscall_x0;     /* x0 at the system call's entry, for a restart */
    bool in_syscall;         /* tf is a system call's (a restart is possible) */
    uint64_t fault_esr;      /* the last user exception's ESR, for the signal frame */
    uint64_t sigtramp;       /* the signal return trampoline page (signal.c), 0: none yet */
    struct fpsimd_state fp;
};

#define ARCH_ELF_MACHINE 183  /* EM_AARCH64 */
#define ARCH_PLATFORM "aarch64"

/* Where the program loader puts things: Linux arm64 with 48-bit virtual
 * addresses and no randomisation (exec.h). */
#define EXEC_STACK_TOP 0x1000000000000ull  /* TASK_SIZE: 2^48 */
#define EXEC_PIE_BASE 0xaaaaaaaaa000ull    /* 2/3 of TASK_SIZE, page aligned */

#endif
