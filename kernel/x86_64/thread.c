/* kernel/x86_64/thread.c — the x86-64 side of processes: kernel stacks,
 * the first entry to user mode, switching (CR3, the kernel stack in the TSS,
 * FS/GS bases, FPU/SSE state) and the kernel half of each page table. */
#include <kern/lib.h>
#include <kern/proc.h>
#include <mm/errno.h>

#include "boot_mem.h"
#include "cpu.h"
#include "kstack.h"
#include "layout.h"
#include "trap.h"

void context_switch(uint64_t *save, uint64_t load);
extern char context_first_entry[];

static uint64_t scheduler_ksp;

/* FPU/SSE state as after FNINIT with the default MXCSR: x87 control word
 * 0x37f (all exceptions masked), MXCSR 0x1f80, in fxsave layout. */
static void fpu_reset(struct arch_proc *a)
{
    memset(a->fpu, 0, sizeof a->fpu);
    a->fpu[0] = 0x7f;
    a->fpu[1] = 0x03;
    uint32_t mxcsr = 0x1f80;
    memcpy(a->fpu + 24, &mxcsr, 4);
}

int arch_proc_init(struct proc *p)
{
    p->arch.kstack_top = kstack_alloc();
    if (!p->arch.kstack_top)
        return -ENOMEM;
    fpu_reset(&p->arch);
    return 0;
}

void arch_proc_fini(struct proc *p)
{
    kstack_free(p->arch.kstack_top);
    p->arch.kstack_top = 0;
}

/* The kernel stack of a process that has not run yet, or is about to run
 * from a copied frame: what context_switch pops (r15, r14, r13, r12, rbx,
 * rbp), then context_first_entry, which leaves through the frame. */
static void prepare_first_switch(struct proc *p, struct trap_frame *tf)
{
    uint64_t *sp = (uint64_t *)tf;
    *--sp = (uint64_t)(uintptr_t)context_first_entry;
    for (int i = 0; i < 6; i++)
        *--sp = 0;
    p->arch.ksp = (uint64_t)(uintptr_t)sp;
}

void arch_proc_set_user_entry(struct proc *p, uaddr_t entry, uaddr_t sp)
{
    /* For the current process this is the frame of the system call in
     * progress (execve), which then returns into the new program. */
    struct trap_frame *tf = (struct trap_frame *)(p->arch.kstack_top - sizeof *tf);
    memset(tf, 0, sizeof *tf);
    tf->rip = entry;
    tf->cs = SEL_USER_CODE | 3;
    tf->rflags = RFLAGS_IF | 0x2; /* bit 1 always reads as one */
    tf->rsp = sp;
    tf->ss = SEL_USER_DATA | 3;
    p->arch.tf = tf;
    p->arch.fs_base = p->arch.gs_base = 0;
    fpu_reset(&p->arch);
    if (p != current) {
        prepare_first_switch(p, tf);
        return;
    }
    write_cr3(p->space->pmap.root);
    wrmsr(MSR_FS_BASE, 0);
    wrmsr(MSR_GS_BASE, 0);
    __asm__ volatile("fxrstor %0" : : "m"(p->arch.fpu));
}

void arch_proc_fork(struct proc *child)
{
    struct trap_frame *tf = (struct trap_frame *)(child->arch.kstack_top - sizeof *tf);
    *tf = *current->arch.tf;
    tf->rax = 0;
    child->arch.tf = tf;
    child->arch.fs_base = current->arch.fs_base;
    child->arch.gs_base = current->arch.gs_base;
    __asm__ volatile("fxsave %0" : "=m"(child->arch.fpu));
    prepare_first_switch(child, tf);
}

void arch_space_init(struct space *s) { paging_share_kernel(s->pmap.root); }

void arch_space_deactivate(void) { write_cr3(paging_kernel_root()); }

void arch_switch_to(struct proc *p)
{
    cpu_set_kernel_stack(p->arch.kstack_top);
    if (p->space)
        write_cr3(p->space->pmap.root);
    wrmsr(MSR_FS_BASE, p->arch.fs_base);
    wrmsr(MSR_GS_BASE, p->arch.gs_base);
    __asm__ volatile("fxrstor %0" : : "m"(p->arch.fpu));
    context_switch(&scheduler_ksp, p->arch.ksp);
}

void arch_switch_to_scheduler(struct proc *p)
{
    __asm__ volatile("fxsave %0" : "=m"(p->arch.fpu));
    context_switch(&p->arch.ksp, scheduler_ksp);
}
