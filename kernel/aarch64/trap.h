/* kernel/aarch64/trap.h — the trap frame: what the exception entry
 * (vectors.S) saves when an exception or interrupt enters EL1, and what
 * trap_return restores. Offsets are mirrored in layout.h for assembly. */
#ifndef KERNEL_AARCH64_TRAP_H
#define KERNEL_AARCH64_TRAP_H

#include <stdint.h>

#include "layout.h"

struct trap_frame {
    uint64_t x[31];      /* x0..x30 (x30 is the link register) */
    uint64_t sp;         /* SP_EL0 from EL0; the interrupted SP from EL1 */
    uint64_t pc;         /* ELR_EL1: where to return */
    uint64_t pstate;     /* SPSR_EL1 */
    uint64_t esr;        /* ESR_EL1: why (synchronous exceptions) */
    uint64_t far;        /* FAR_EL1: the faulting address (aborts) */
    uint64_t kind;       /* which vector (enum trap_kind) */
    uint64_t pad;
};
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "layout.h's TF_SIZE");
_Static_assert(__builtin_offsetof(struct trap_frame, sp) == TF_SP, "layout.h's TF_SP");
_Static_assert(__builtin_offsetof(struct trap_frame, kind) == TF_KIND, "layout.h's TF_KIND");

/* The vector an exception came through (the table's order: current EL
 * with SP0 / with SPx, lower EL AArch64 / AArch32; each sync, IRQ, FIQ,
 * SError). */
enum trap_kind {
    TRAP_EL1T_SYNC = 0, TRAP_EL1T_IRQ, TRAP_EL1T_FIQ, TRAP_EL1T_SERROR,
    TRAP_EL1H_SYNC, TRAP_EL1H_IRQ, TRAP_EL1H_FIQ, TRAP_EL1H_SERROR,
    TRAP_EL0_SYNC, TRAP_EL0_IRQ, TRAP_EL0_FIQ, TRAP_EL0_SERROR,
    TRAP_EL0_32_SYNC, TRAP_EL0_32_IRQ, TRAP_EL0_32_FIQ, TRAP_EL0_32_SERROR,
};

static inline int trap_from_user(const struct trap_frame *tf) { return (tf->pstate & 0xf) == 0; }

/* Called by vectors.S for every exception and interrupt. */
void trap_dispatch(struct trap_frame *tf);
void syscall_dispatch(struct trap_frame *tf);

/* Print tf in full on the kernel console. */
void trap_dump(const struct trap_frame *tf, const char *why);

/* The timer's INTID (from the device tree). */
void trap_set_timer_irq(unsigned intid);

#endif
