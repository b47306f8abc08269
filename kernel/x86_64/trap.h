/* kernel/x86_64/trap.h — the trap frame: what the CPU and our entry code
 * (trap_entry.S) save when an exception, interrupt or system call enters
 * the kernel, and what trap_return restores. Lowest address first. */
#ifndef KERNEL_X86_64_TRAP_H
#define KERNEL_X86_64_TRAP_H

#include <stdint.h>

struct trap_frame {
    /* Saved by trap_entry.S / syscall_entry.S. */
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;   /* exception number, or TRAP_SYSCALL */
    uint64_t error;    /* the CPU's error code, or 0; for a system call its
                        * number (all ones once it must not restart) */
    /* Pushed by the CPU (built by hand for a system call). */
    uint64_t rip, cs, rflags, rsp, ss;
};

#define TRAP_SYSCALL 0x100

/* Exceptions we name. */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6,
    EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13,
    EXC_PF = 14, EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19, EXC_VE = 20,
    EXC_CP = 21,
};

/* Page-fault error code bits. */
#define PF_PRESENT (1u << 0)  /* 0: no translation; 1: a protection violation */
#define PF_WRITE (1u << 1)
#define PF_USER (1u << 2)
#define PF_RSVD (1u << 3)     /* a reserved bit set in a page-table entry */
#define PF_INSTR (1u << 4)    /* an instruction fetch */

static inline int trap_from_user(const struct trap_frame *tf) { return (tf->cs & 3) == 3; }

/* Set up the GDT, TSS and IDT and the system-call MSRs on this CPU. */
void gdt_init(void);
void idt_init(void);
void syscall_msr_init(void);

/* Kernel stack used when the CPU enters ring 0 from ring 3 (TSS.RSP0 and
 * the system-call entry). */
void cpu_set_kernel_stack(uint64_t top);

/* Called by trap_entry.S for every exception and interrupt, and for the
 * syscall instruction (syscall.c). */
void trap_dispatch(struct trap_frame *tf);
void syscall_dispatch(struct trap_frame *tf);

/* Print tf in full on the kernel console. */
void trap_dump(const struct trap_frame *tf, const char *why);

/* Return to the context in tf (which lies on the current kernel stack) as
 * if leaving a trap. */
_Noreturn void trap_return_to(struct trap_frame *tf);

#endif
