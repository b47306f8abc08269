/* kernel/aarch64/thread.c — the aarch64 side of processes: kernel stacks,
 * the first entry to EL0, switching (TTBR0 with the process's ASID,
 * TPIDR_EL0, FP/SIMD state) and fork's copy of the user context.
 *
 * A process enters EL0 through trap_return with the frame at the top of
 * its kernel stack: ELR_EL1 = the entry point, SPSR_EL1 = EL0t with
 * interrupts unmasked, SP_EL0 = the user stack. */
#include <kern/lib.h>
#include <kern/proc.h>
#include <mm/errno.h>

#include "boot_mem.h"
#include "kstack.h"
#include "mmu.h"
#include "sysreg.h"
#include "trap.h"

void context_switch(uint64_t *save, uint64_t load);
void fpsimd_save(struct fpsimd_state *s);
void fpsimd_load(const struct fpsimd_state *s);
extern char context_first_entry[];

static uint64_t scheduler_ksp;

int arch_proc_init(struct proc *p)
{
    p->arch.kstack_top = kstack_alloc();
    if (!p->arch.kstack_top)
        return -ENOMEM;
    memset(&p->arch.fp, 0, sizeof p->arch.fp);
    return 0;
}

void arch_proc_fini(struct proc *p)
{
    kstack_free(p->arch.kstack_top);
    p->arch.kstack_top = 0;
}

/* The kernel stack of a process that has not run yet, or is about to run
 * from a copied frame: what context_switch pops (x19-x28, x29, x30), with
 * x30 = context_first_entry, which leaves through the frame. */
static void prepare_first_switch(struct proc *p, struct trap_frame *tf)
{
    uint64_t *sp = (uint64_t *)tf - 12;
    memset(sp, 0, 12 * sizeof *sp);
    sp[11] = (uint64_t)(uintptr_t)context_first_entry;
    p->arch.ksp = (uint64_t)(uintptr_t)sp;
}

static struct trap_frame *user_frame(struct proc *p)
{
    return (struct trap_frame *)(p->arch.kstack_top - sizeof(struct trap_frame));
}

void arch_proc_set_user_entry(struct proc *p, uaddr_t entry, uaddr_t sp)
{
    /* For the current process this is the frame of the system call in
     * progress (execve), which then returns into the new program. */
    struct trap_frame *tf = user_frame(p);
    memset(tf, 0, sizeof *tf);
    tf->pc = entry;
    tf->pstate = PSR_MODE_EL0T;
    tf->sp = sp;
    p->arch.tf = tf;
    p->arch.tpidr = 0;
    p->arch.sigtramp = 0;
    p->arch.in_syscall = false;
    memset(&p->arch.fp, 0, sizeof p->arch.fp);
    if (p != current) {
        prepare_first_switch(p, tf);
        return;
    }
    mmu_activate(&p->space->pmap);
    sysreg_write(tpidr_el0, 0);
    fpsimd_load(&p->arch.fp);
}

void arch_proc_fork(struct proc *child)
{
    struct trap_frame *tf = user_frame(child);
    *tf = *current->arch.tf;
    tf->x[0] = 0;
    child->arch.tf = tf;
    child->arch.tpidr = sysreg_read(tpidr_el0);
    child->arch.sigtramp = current->arch.sigtramp;
    fpsimd_save(&child->arch.fp);
    prepare_first_switch(child, tf);
}

/* The kernel lives in TTBR1: a new user table needs nothing of it. */
void arch_space_init(struct space *s) { (void)s; }

void arch_space_deactivate(void)
{
    sysreg_write(ttbr0_el1, paging_empty_root());
    isb();
}

void arch_switch_to(struct proc *p)
{
    if (p->space)
        mmu_activate(&p->space->pmap);
    sysreg_write(tpidr_el0, p->arch.tpidr);
    fpsimd_load(&p->arch.fp);
    context_switch(&scheduler_ksp, p->arch.ksp);
}

void arch_switch_to_scheduler(struct proc *p)
{
    p->arch.tpidr = sysreg_read(tpidr_el0);
    fpsimd_save(&p->arch.fp);
    context_switch(&p->arch.ksp, scheduler_ksp);
}
