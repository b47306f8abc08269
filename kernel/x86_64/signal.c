/* kernel/x86_64/signal.c — the x86-64 signal frame: what a handler finds
 * on its stack, building it when a signal is delivered, rt_sigreturn,
 * which takes it apart again with every user-controlled value checked, and
 * rewinding a system call that is to be restarted.
 *
 * The frame has Linux's rt_sigframe layout, so that handlers written for
 * Linux (C libraries', language runtimes') work unmodified. Lowest address
 * first; RSP points at it when the handler starts:
 *
 *   +0     pretcode    sa_restorer: the handler's ret lands there, and the
 *                      restorer calls rt_sigreturn with RSP = frame + 8
 *   +8     ucontext    uc_flags, uc_link, uc_stack (sp, flags, size),
 *                      uc_mcontext: struct sigcontext (256 bytes: r8-r15,
 *                      rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags,
 *                      cs/gs/fs/ss, err, trapno, oldmask, cr2, fpstate
 *                      pointer, 8 reserved words), uc_sigmask
 *   +312   siginfo     128 bytes
 *          (padding)
 *   fpstate            the 512-byte fxsave image, 64-byte aligned
 *          128 bytes   the interrupted code's red zone, left alone
 *
 * RSP + 8 is a multiple of 16, as at the entry of any function. The
 * handler gets the signal number in RDI, &siginfo in RSI, &ucontext in RDX
 * and 0 in RAX.
 *
 * FPU and SSE: the kernel runs user programs with SSE through fxsave and
 * fxrstor (no XSAVE, so no AVX state: CPUID tells programs OSXSAVE is off).
 * The frame therefore carries a plain fxsave image: uc_flags has no
 * UC_FP_XSTATE and the image's software-reserved bytes (464-511) are zero,
 * which is how Linux marks a frame without extended state. The handler
 * starts with a freshly initialised FPU; rt_sigreturn loads the image back
 * (MXCSR masked to the bits the CPU supports, since fxrstor faults on
 * others), or resets the FPU when the fpstate pointer is NULL. */
#include <kern/lib.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <mm/errno.h>
#include <mm/uaccess.h>

#include "layout.h"
#include "trap.h"

struct x86_sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;
    uint64_t reserved[8];
};

struct x86_stack {
    uint64_t sp;
    int32_t flags, pad;
    uint64_t size;
};

struct x86_ucontext {
    uint64_t flags;
    uint64_t link;
    struct x86_stack stack;
    struct x86_sigcontext mcontext;
    uint64_t sigmask;
};

struct x86_rt_sigframe {
    uint64_t pretcode;
    struct x86_ucontext uc;
    struct linux_siginfo info;
};

_Static_assert(sizeof(struct x86_sigcontext) == 256, "struct sigcontext is 256 bytes");
_Static_assert(sizeof(struct x86_ucontext) == 304, "the kernel's struct ucontext is 304 bytes");
_Static_assert(__builtin_offsetof(struct x86_ucontext, mcontext) == 40, "uc_mcontext at 40");
_Static_assert(__builtin_offsetof(struct x86_rt_sigframe, info) == 312, "siginfo at 312");

#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
#define RED_ZONE 128
#define FXSAVE_SIZE 512
#define FXSAVE_SW_RESERVED 464

/* RFLAGS bits a handler may change through the frame: the arithmetic
 * flags, TF, DF, AC and RF. Never IF, IOPL, NT or VM. */
#define RFLAGS_CF (1ul << 0)
#define RFLAGS_PF (1ul << 2)
#define RFLAGS_AF (1ul << 4)
#define RFLAGS_ZF (1ul << 6)
#define RFLAGS_SF (1ul << 7)
#define RFLAGS_TF (1ul << 8)
#define RFLAGS_DF (1ul << 10)
#define RFLAGS_OF (1ul << 11)
#define RFLAGS_RF (1ul << 16)
#define RFLAGS_AC (1ul << 18)
#define RFLAGS_USER_CHANGEABLE (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_TF | \
                                RFLAGS_DF | RFLAGS_OF | RFLAGS_RF | RFLAGS_AC)

/* The FPU state a handler starts with: x87 control word 0x37f, MXCSR
 * 0x1f80, everything else zero (as after FNINIT). */
static uint8_t fpu_initial[FXSAVE_SIZE] __attribute__((aligned(16)));
static uint32_t mxcsr_mask;

static void fpu_setup_once(void)
{
    if (mxcsr_mask)
        return;
    static uint8_t probe[FXSAVE_SIZE] __attribute__((aligned(16)));
    __asm__ volatile("fxsave %0" : "=m"(probe));
    memcpy(&mxcsr_mask, probe + 28, 4);
    if (!mxcsr_mask)
        mxcsr_mask = 0xffbf; /* what CPUs that report 0 support */
    fpu_initial[0] = 0x7f;
    fpu_initial[1] = 0x03;
    uint32_t mxcsr = 0x1f80;
    memcpy(fpu_initial + 24, &mxcsr, 4);
}

static void fpu_load(const uint8_t *image)
{
    __asm__ volatile("fxrstor %0" : : "m"(*(const uint8_t(*)[FXSAVE_SIZE])image));
}

/* Bits 63..47 all equal: an address the CPU accepts in RIP. */
static bool canonical(uint64_t a) { return (uint64_t)((int64_t)(a << 16) >> 16) == a; }

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

/* Contract: see kern/signal.h. */
int arch_signal_frame_push(struct trap_frame *tf, int sig, const struct linux_siginfo *info,
                           const struct ksigaction *act, uint64_t mask)
{
    struct proc *p = current;
    fpu_setup_once();

    bool nested = signal_on_altstack(p, tf->rsp);
    uaddr_t sp = tf->rsp - RED_ZONE;
    bool entering = false;
    if ((act->flags & SA_ONSTACK) && p->altstack.size && !signal_on_altstack(p, sp)) {
        sp = p->altstack.sp + p->altstack.size;
        entering = true;
    }
    uaddr_t fpstate = (sp - FXSAVE_SIZE) & ~63ull;
    uaddr_t frame = ((fpstate - sizeof(struct x86_rt_sigframe)) & ~15ull) - 8;
    /* Ran off the alternate stack: that is a stack overflow. */
    if ((nested || entering) && !within_altstack(p, frame))
        return -EFAULT;
    /* x86-64 handlers must come with a restorer (C libraries always pass
     * one); Linux refuses to run them otherwise. */
    if (!(act->flags & SA_RESTORER))
        return -EFAULT;
    if (frame >= fpstate || !access_ok(p->space, frame, fpstate + FXSAVE_SIZE - frame))
        return -EFAULT;

    struct x86_rt_sigframe f;
    memset(&f, 0, sizeof f);
    f.pretcode = act->restorer;
    f.uc.flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
    f.uc.stack.sp = p->altstack.sp;
    f.uc.stack.size = p->altstack.size;
    f.uc.stack.flags = p->altstack.size ? p->altstack.flags : SS_DISABLE;
    struct x86_sigcontext *sc = &f.uc.mcontext;
    sc->r8 = tf->r8, sc->r9 = tf->r9, sc->r10 = tf->r10, sc->r11 = tf->r11;
    sc->r12 = tf->r12, sc->r13 = tf->r13, sc->r14 = tf->r14, sc->r15 = tf->r15;
    sc->rdi = tf->rdi, sc->rsi = tf->rsi, sc->rbp = tf->rbp, sc->rbx = tf->rbx;
    sc->rdx = tf->rdx, sc->rax = tf->rax, sc->rcx = tf->rcx, sc->rsp = tf->rsp;
    sc->rip = tf->rip, sc->eflags = tf->rflags;
    sc->cs = (uint16_t)tf->cs, sc->ss = (uint16_t)tf->ss;
    sc->err = p->arch.trap_error, sc->trapno = p->arch.trap_nr, sc->cr2 = p->arch.trap_cr2;
    sc->oldmask = mask;
    sc->fpstate = fpstate;
    f.uc.sigmask = mask;
    f.info = *info;

    /* The FPU registers still hold the program's state: save them into
     * the process's image (the scheduler saves there anyway) and copy. */
    __asm__ volatile("fxsave %0" : "=m"(p->arch.fpu));
    memset(p->arch.fpu + FXSAVE_SW_RESERVED, 0, FXSAVE_SIZE - FXSAVE_SW_RESERVED);
    frame_grow_stack(p->space, frame, fpstate + FXSAVE_SIZE);
    if (copy_to_user(p->space, fpstate, p->arch.fpu, FXSAVE_SIZE) ||
        copy_to_user(p->space, frame, &f, sizeof f))
        return -EFAULT;

    tf->rdi = (uint64_t)sig;
    tf->rsi = frame + __builtin_offsetof(struct x86_rt_sigframe, info);
    tf->rdx = frame + __builtin_offsetof(struct x86_rt_sigframe, uc);
    tf->rax = 0;
    tf->rsp = frame;
    tf->rip = act->handler;
    tf->rflags &= ~(RFLAGS_TF | RFLAGS_DF | RFLAGS_RF);
    tf->cs = SEL_USER_CODE | 3;
    tf->ss = SEL_USER_DATA | 3;
    fpu_load(fpu_initial);
    return 0;
}

/* rt_sigreturn: RSP is just above pretcode (the handler returned into the
 * restorer). A frame that cannot be read is SIGSEGV, as on Linux. The
 * registers come back as saved except where that would give user space
 * more than it may have: CS and SS are always the user selectors, RFLAGS
 * takes only the bits in RFLAGS_USER_CHANGEABLE, and a non-canonical RIP
 * (which iretq would refuse in kernel mode) is a SIGSEGV. */
int64_t sys_rt_sigreturn(SYSCALL_ARGS)
{
    struct proc *p = current;
    struct trap_frame *tf = p->arch.tf;
    uaddr_t frame = tf->rsp - 8;
    struct x86_ucontext uc;
    fpu_setup_once();

    tf->error = UINT64_MAX; /* not a system call to restart */
    if (copy_from_user(p->space, &uc, frame + __builtin_offsetof(struct x86_rt_sigframe, uc), sizeof uc))
        goto bad;
    const struct x86_sigcontext *sc = &uc.mcontext;
    if (sc->fpstate) {
        if (copy_from_user(p->space, p->arch.fpu, sc->fpstate, FXSAVE_SIZE))
            goto bad;
        uint32_t mxcsr;
        memcpy(&mxcsr, p->arch.fpu + 24, 4);
        mxcsr &= mxcsr_mask;
        memcpy(p->arch.fpu + 24, &mxcsr, 4);
        fpu_load(p->arch.fpu);
    } else {
        fpu_load(fpu_initial);
    }
    signal_set_blocked(uc.sigmask);
    /* The alternate stack as it was before the handler (SS_AUTODISARM
     * turned it off meanwhile). Judged from where the handler's frame is,
     * as Linux does: a handler that installed a new stack while running
     * on it keeps that one. Refusals are not errors here. */
    signal_altstack_set(uc.stack.sp, uc.stack.flags, uc.stack.size, tf->rsp);
    tf->r8 = sc->r8, tf->r9 = sc->r9, tf->r10 = sc->r10, tf->r11 = sc->r11;
    tf->r12 = sc->r12, tf->r13 = sc->r13, tf->r14 = sc->r14, tf->r15 = sc->r15;
    tf->rdi = sc->rdi, tf->rsi = sc->rsi, tf->rbp = sc->rbp, tf->rbx = sc->rbx;
    tf->rdx = sc->rdx, tf->rax = sc->rax, tf->rcx = sc->rcx, tf->rsp = sc->rsp;
    tf->rip = sc->rip;
    tf->rflags = (tf->rflags & ~RFLAGS_USER_CHANGEABLE) | (sc->eflags & RFLAGS_USER_CHANGEABLE);
    tf->cs = SEL_USER_CODE | 3;
    tf->ss = SEL_USER_DATA | 3;
    if (!canonical(tf->rip)) {
        kprintf("mmcore: process %d (%s): rt_sigreturn to non-canonical ip %#lx\n", p->pid, p->name,
                tf->rip);
        signal_force(SIGSEGV, SI_KERNEL, 0);
    }
    return (int64_t)tf->rax;

bad:
    kprintf("mmcore: process %d (%s): rt_sigreturn with a bad frame at %#lx\n", p->pid, p->name, frame);
    signal_force(SIGSEGV, SI_KERNEL, 0);
    return 0;
}

/* Contract: see kern/signal.h. tf->error holds the system-call number
 * (trap_entry.S pushes it where an exception's error code goes, as Linux
 * keeps orig_rax); all ones once it must not be restarted. */
void arch_signal_syscall_fixup(struct trap_frame *tf, bool handler, bool restart_sys)
{
    if (tf->vector != TRAP_SYSCALL || tf->error == UINT64_MAX)
        return;
    bool restart;
    switch ((int64_t)tf->rax) {
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
        tf->rax = tf->error; /* the number again */
        tf->rip -= 2;        /* back onto the 2-byte syscall instruction */
    } else {
        tf->rax = (uint64_t)-EINTR;
    }
    tf->error = UINT64_MAX;
}

uaddr_t arch_signal_user_sp(void) { return current->arch.tf ? current->arch.tf->rsp : 0; }
