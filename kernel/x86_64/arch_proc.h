/* kernel/x86_64/arch_proc.h — the x86-64 part of a process: its kernel
 * stack, saved kernel context, user FS/GS bases and FPU/SSE state. Included
 * by kern/proc.h. */
#ifndef KERNEL_X86_64_ARCH_PROC_H
#define KERNEL_X86_64_ARCH_PROC_H

#include <stdint.h>

struct trap_frame;

struct arch_proc {
    uint64_t kstack_top;     /* from kstack_alloc */
    uint64_t ksp;            /* saved kernel stack pointer while switched out */
    uint64_t fs_base, gs_base;
    struct trap_frame *tf;   /* the user frame at the top of the kernel stack */
    uint64_t trap_nr, trap_error, trap_cr2; /* the last user exception, for
                                             * the signal frame (signal.c) */
    uint8_t fpu[512] __attribute__((aligned(16))); /* fxsave image */
};

/* The machine word size and the ELF machine this kernel runs. */
#define ARCH_ELF_MACHINE 62  /* EM_X86_64 */
#define ARCH_PLATFORM "x86_64"

#endif
