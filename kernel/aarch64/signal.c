/* kernel/aarch64/signal.c — the aarch64 signal frame: what a handler
 * finds on its stack, building it when a signal is delivered,
 * rt_sigreturn, which takes it apart again with every user-controlled
 * value checked, and rewinding a system call that is to be restarted.
 *
 * The frame has Linux's arm64 layout, so that handlers written for Linux
 * work unmodified. Lowest address first; SP points at it when the handler
 * starts:
 *
 *   +0      siginfo        128 bytes
 *   +128    ucontext       uc_flags, uc_link, uc_stack (sp, flags, size),
 *                          uc_sigmask (8 bytes, then 120 unused: C
 *                          libraries' 1024-bit sigset_t), and at +176
 *                          uc_mcontext, struct sigcontext:
 *                            fault_address, x0-x30, sp, pc, pstate,
 *                            __reserved[4096] (16-aligned, at +288):
 *                            a list of records, each {magic, size}:
 *                              FPSIMD (0x46508001, 528 bytes): fpsr,
 *                                fpcr, v0-v31
 *                              ESR (0x45535201, 16 bytes): the fault's
 *                                syndrome, for faults only
 *                              a zero record ends the list
 *   +4688   frame record   {x29, x30} of the interrupted code; x29
 *                          points here, so backtraces cross the handler
 *
 * The handler runs with x0 = the signal, x1 = &siginfo and x2 =
 * &ucontext (with SA_SIGINFO), SP = the frame, x29 = the frame record and
 * x30 = the return trampoline: sa_restorer with SA_RESTORER (musl passes
 * one), otherwise a page of our own holding "mov x8, #139; svc #0" (Linux
 * uses its vDSO's, which glibc relies on), mapped read+exec into the
 * process the first time it is needed. The FP/SIMD registers are left as
 * they are for the handler; rt_sigreturn loads the saved ones back. */
#include <kern/lib.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <mm/errno.h>
#include <mm/mman.h>
#include <mm/uaccess.h>

#include "sysreg.h"
#include "trap.h"

void fpsimd_save(struct fpsimd_state *s);
void fpsimd_load(const struct fpsimd_state *s);

#define FPSIMD_MAGIC 0x46508001u
#define ESR_MAGIC 0x45535201u

struct a64_ctx_head {
    uint32_t magic, size;
};

struct a64_fpsimd_ctx {
    struct a64_ctx_head head;
    uint32_t fpsr, fpcr;
    __uint128_t vregs[32];
};

struct a64_esr_ctx {
    struct a64_ctx_head head;
    uint64_t esr;
};

struct a64_sigcontext {
    uint64_t fault_address;
    uint64_t regs[31];
    uint64_t sp, pc, pstate;
    uint8_t reserved[4096] __attribute__((aligned(16)));
};

struct a64_stack {
    uint64_t sp;
    int32_t flags, pad;
    uint64_t size;
};

struct a64_ucontext {
    uint64_t flags;
    uint64_t link;
    struct a64_stack stack;
    uint64_t sigmask;
    uint8_t unused[120];
    struct a64_sigcontext mcontext;
};

struct a64_rt_sigframe {
    struct linux_siginfo info;
    struct a64_ucontext uc;
};

_Static_assert(sizeof(struct a64_fpsimd_ctx) == 528, "fpsimd_context is 528 bytes");
_Static_assert(__builtin_offsetof(struct a64_ucontext, mcontext) == 176, "uc_mcontext at 176");
_Static_assert(__builtin_offsetof(struct a64_sigcontext, reserved) == 288, "__reserved at 288");
_Static_assert(sizeof(struct a64_rt_sigframe) == 4688, "struct rt_sigframe is 4688 bytes");

/* PSTATE bits a handler may change through the frame: NZCV, DIT, SSBS
 * and BTYPE. Never the mode, the interrupt masks or IL. */
#define PSTATE_USER_CHANGEABLE (0xf0000000ul | (1ul << 24) | (1ul << 12) | (3ul << 10))

/* The return trampoline: mov x8, #139 (rt_sigreturn); svc #0. */
static const uint32_t sigtramp_code[] = {0xd2801168u, 0xd4000001u};

/* sigaltstack's range test without the SS_AUTODISARM exception. */
static bool within_altstack(const struct proc *p, uaddr_t sp)
{
    return sp > p->altstack.sp && sp - p->altstack.sp <= p->altstack.size;
}

/* Make sure [start, end) can be written if it lies in or just below a
 * stack that grows down, as a user access there would have grown it. */
static void frame_grow_stack(struct space *s, uaddr_t start, uaddr_t end)
{
    for (uaddr_t va = page_down(start); va < end; va += PAGE_SIZE)
        if (!space_vma_find(s, va))
            space_fault(s, va, ACCESS_WRITE, false);
}

/* The process's trampoline page, mapped on first use. 0 when it cannot
 * be mapped. */
static uaddr_t sigtramp_get(struct proc *p)
{
    if (p->arch.sigtramp)
        return p->arch.sigtramp;
    int64_t va = space_map(p->space, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL,
                           0, false);
    if (va < 0)
        return 0;
    if (copy_to_user(p->space, (uaddr_t)va, sigtramp_code, sizeof sigtramp_code) ||
        space_protect(p->space, (uaddr_t)va, PAGE_SIZE, PROT_READ | PROT_EXEC)) {
        space_unmap(p->space, (uaddr_t)va, PAGE_SIZE);
        return 0;
    }
    p->arch.sigtramp = (uaddr_t)va;
    return p->arch.sigtramp;
}

/* Contract: see kern/signal.h. */
int arch_signal_frame_push(struct trap_frame *tf, int sig, const struct linux_siginfo *info,
                           const struct ksigaction *act, uint64_t mask)
{
    struct proc *p = current;
    bool nested = signal_on_altstack(p, tf->sp);
    uaddr_t top = tf->sp;
    bool entering = false;
    if ((act->flags & SA_ONSTACK) && p->altstack.size && !signal_on_altstack(p, top)) {
        top = p->altstack.sp + p->altstack.size;
        entering = true;
    }
    uaddr_t record = (top - 16) & ~15ull;
    uaddr_t frame = record - sizeof(struct a64_rt_sigframe);
    if ((nested || entering) && !within_altstack(p, frame))
        return -EFAULT;
    if (frame >= top || !access_ok(p->space, frame, top - frame))
        return -EFAULT;
    uaddr_t tramp = (act->flags & SA_RESTORER) ? act->restorer : sigtramp_get(p);
    if (!tramp)
        return -EFAULT;

    static struct a64_rt_sigframe frame_buf; /* one CPU; nothing here sleeps */
    struct a64_rt_sigframe *f = &frame_buf;
    memset(f, 0, sizeof *f);
    f->info = *info;
    f->uc.stack.sp = p->altstack.sp;
    f->uc.stack.size = p->altstack.size;
    f->uc.stack.flags = p->altstack.size ? p->altstack.flags : SS_DISABLE;
    f->uc.sigmask = mask;
    struct a64_sigcontext *sc = &f->uc.mcontext;
    memcpy(sc->regs, tf->x, sizeof sc->regs);
    sc->sp = tf->sp, sc->pc = tf->pc, sc->pstate = tf->pstate;
    bool fault = info->signo == SIGSEGV || info->signo == SIGBUS || info->signo == SIGILL ||
                 info->signo == SIGFPE || info->signo == SIGTRAP;
    sc->fault_address = fault ? info->u.fault.addr : 0;

    /* The registers still hold the program's FP/SIMD state. */
    fpsimd_save(&p->arch.fp);
    struct a64_fpsimd_ctx *fp = (struct a64_fpsimd_ctx *)sc->reserved;
    fp->head = (struct a64_ctx_head){FPSIMD_MAGIC, sizeof *fp};
    fp->fpsr = p->arch.fp.fpsr;
    fp->fpcr = p->arch.fp.fpcr;
    memcpy(fp->vregs, p->arch.fp.q, sizeof fp->vregs);
    size_t used = sizeof *fp;
    if (fault && p->arch.fault_esr) {
        struct a64_esr_ctx *e = (struct a64_esr_ctx *)(sc->reserved + used);
        e->head = (struct a64_ctx_head){ESR_MAGIC, sizeof *e};
        e->esr = p->arch.fault_esr;
        used += sizeof *e;
    }
    /* The zero terminator is already there. */

    uint64_t rec[2] = {tf->x[29], tf->x[30]};
    frame_grow_stack(p->space, frame, top);
    if (copy_to_user(p->space, frame, f, sizeof *f) || copy_to_user(p->space, record, rec, sizeof rec))
        return -EFAULT;

    tf->x[0] = (uint64_t)sig;
    if (act->flags & SA_SIGINFO) {
        tf->x[1] = frame + __builtin_offsetof(struct a64_rt_sigframe, info);
        tf->x[2] = frame + __builtin_offsetof(struct a64_rt_sigframe, uc);
    }
    tf->x[29] = record;
    tf->x[30] = tramp;
    tf->sp = frame;
    tf->pc = act->handler;
    tf->pstate &= ~(3ul << 10); /* BTYPE */
    return 0;
}

/* rt_sigreturn: SP is the frame the handler got. A frame that cannot be
 * read, a misaligned SP, a PSTATE that is not EL0 with interrupts
 * unmasked, or a missing or malformed FP/SIMD record is SIGSEGV, as on
 * Linux. */
int64_t sys_rt_sigreturn(SYSCALL_ARGS)
{
    struct proc *p = current;
    struct trap_frame *tf = p->arch.tf;
    uaddr_t frame = tf->sp;
    p->arch.in_syscall = false; /* not a system call to restart */

    static struct a64_rt_sigframe frame_buf; /* one CPU; nothing here sleeps */
    struct a64_rt_sigframe *f = &frame_buf;
    if ((frame & 15) || copy_from_user(p->space, f, frame, sizeof *f))
        goto bad;
    const struct a64_sigcontext *sc = &f->uc.mcontext;
    if ((sc->pstate & PSR_MODE_MASK) != PSR_MODE_EL0T || (sc->pstate & (0xful << 6)) || (sc->pstate & (1ul << 4)))
        goto bad;
    const struct a64_fpsimd_ctx *fp = (const struct a64_fpsimd_ctx *)sc->reserved;
    if (fp->head.magic != FPSIMD_MAGIC || fp->head.size != sizeof *fp)
        goto bad;

    signal_set_blocked(f->uc.sigmask);
    memcpy(tf->x, sc->regs, sizeof tf->x);
    tf->sp = sc->sp;
    tf->pc = sc->pc;
    tf->pstate = (tf->pstate & ~PSTATE_USER_CHANGEABLE) | (sc->pstate & PSTATE_USER_CHANGEABLE);
    p->arch.fp.fpsr = fp->fpsr;
    p->arch.fp.fpcr = fp->fpcr;
    memcpy(p->arch.fp.q, fp->vregs, sizeof p->arch.fp.q);
    fpsimd_load(&p->arch.fp);
    /* The alternate stack as it was before the handler (SS_AUTODISARM
     * turned it off meanwhile); refusals are not errors here. */
    signal_altstack_set(f->uc.stack.sp, f->uc.stack.flags, f->uc.stack.size, tf->sp);
    return (int64_t)tf->x[0];

bad:
    kprintf("mmcore: process %d (%s): rt_sigreturn with a bad frame at %#lx\n", p->pid, p->name, frame);
    signal_force(SIGSEGV, SI_KERNEL, 0);
    return (int64_t)tf->x[0];
}

/* Contract: see kern/signal.h. syscall.c keeps x0 as it was at the entry
 * of the call (the result overwrote it) and whether tf is a system call's
 * that may still be restarted. */
void arch_signal_syscall_fixup(struct trap_frame *tf, bool handler, bool restart_sys)
{
    struct proc *p = current;
    if (!p->arch.in_syscall || tf != p->arch.tf)
        return;
    bool restart;
    switch ((int64_t)tf->x[0]) {
    case -ERESTARTNOINTR:
        restart = true;
        break;
    case -ERESTARTSYS:
        restart = !handler || restart_sys;
        break;
    case -ERESTARTNOHAND:
        restart = !handler;
        break;
    default:
        return;
    }
    if (restart) {
        tf->x[0] = p->arch.syscall_x0; /* x8 still holds the number */
        tf->pc -= 4;                   /* back onto the SVC */
    } else {
        tf->x[0] = (uint64_t)-EINTR;
    }
    p->arch.in_syscall = false;
}

uaddr_t arch_signal_user_sp(void) { return current->arch.tf ? current->arch.tf->sp : 0; }
