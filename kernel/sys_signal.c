/* kernel/sys_signal.c — the signal system calls: dispositions
 * (rt_sigaction), the blocked set (rt_sigprocmask, rt_sigpending), the
 * alternate stack (sigaltstack), waiting for a signal (pause,
 * rt_sigsuspend) and sending one (kill, tkill, tgkill). Delivery itself is
 * kernel/signal.c; rt_sigreturn belongs to the architecture's frame
 * (kernel/x86_64/signal.c). */
#include <kern/lib.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <mm/errno.h>
#include <mm/uaccess.h>

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SIGSET_SIZE 8 /* the kernel's sigset_t: 64 signals */

/* rt_sigaction(sig, act, oldact, sigsetsize). Flags Linux does not know
 * are dropped (so programs can probe for support, as on Linux 5.11+);
 * SIGKILL and SIGSTOP cannot be in the mask; a handler set to ignore (or
 * to a default that ignores) discards the signal if pending. */
int64_t sys_rt_sigaction(SYSCALL_ARGS)
{
    int sig = (int)a0;
    uaddr_t uact = a1, uold = a2;
    struct ksigaction act;
    if (a3 != SIGSET_SIZE)
        return -EINVAL;
    if (uact && copy_from_user(current->space, &act, uact, sizeof act))
        return -EFAULT;
    if (sig < 1 || sig > NSIG || (uact && (sig == SIGKILL || sig == SIGSTOP)))
        return -EINVAL;
    struct ksigaction old = current->sigactions[sig - 1];
    if (uact) {
        act.mask &= ~SIG_UNBLOCKABLE;
        act.flags &= SA_KNOWN_FLAGS;
        current->sigactions[sig - 1] = act;
        signal_discard_ignored(current, sig);
    }
    old.flags &= SA_KNOWN_FLAGS;
    if (uold && copy_to_user(current->space, uold, &old, sizeof old))
        return -EFAULT;
    return 0;
}

int64_t sys_rt_sigprocmask(SYSCALL_ARGS)
{
    int how = (int)a0;
    uaddr_t uset = a1, uold = a2;
    uint64_t old = current->sig_blocked, set;
    if (a3 != SIGSET_SIZE)
        return -EINVAL;
    if (uset) {
        if (copy_from_user(current->space, &set, uset, sizeof set))
            return -EFAULT;
        switch (how) {
        case SIG_BLOCK:
            signal_set_blocked(current->sig_blocked | set);
            break;
        case SIG_UNBLOCK:
            signal_set_blocked(current->sig_blocked & ~set);
            break;
        case SIG_SETMASK:
            signal_set_blocked(set);
            break;
        default:
            return -EINVAL;
        }
    }
    if (uold && copy_to_user(current->space, uold, &old, sizeof old))
        return -EFAULT;
    return 0;
}

/* rt_sigpending(set, sigsetsize): the signals pending while blocked. A
 * size up to the kernel's set is accepted, as on Linux. */
int64_t sys_rt_sigpending(SYSCALL_ARGS)
{
    uint64_t size = a1;
    if (size > SIGSET_SIZE)
        return -EINVAL;
    uint64_t set = current->sig_pending & current->sig_blocked;
    return copy_to_user(current->space, a0, &set, size) ? -EFAULT : 0;
}

/* pause: sleep until a signal is delivered; -EINTR after its handler. */
int64_t sys_pause(SYSCALL_ARGS)
{
    while (!proc_signal_pending())
        proc_sleep(&current->sig_pending);
    return -ERESTARTNOHAND;
}

/* rt_sigsuspend(mask, sigsetsize): wait for a signal with mask in place;
 * the old mask comes back after the handler (the frame saves it). */
int64_t sys_rt_sigsuspend(SYSCALL_ARGS)
{
    uint64_t mask;
    if (a1 != SIGSET_SIZE)
        return -EINVAL;
    if (copy_from_user(current->space, &mask, a0, sizeof mask))
        return -EFAULT;
    current->sig_saved_mask = current->sig_blocked;
    current->sig_restore_mask = true;
    signal_set_blocked(mask);
    while (!proc_signal_pending())
        proc_sleep(&current->sig_pending);
    return -ERESTARTNOHAND;
}

/* Linux's stack_t. */
struct user_stack {
    uint64_t sp;
    int32_t flags, pad;
    uint64_t size;
};

int64_t sys_sigaltstack(SYSCALL_ARGS)
{
    uaddr_t uss = a0, uold = a1;
    uaddr_t sp = arch_signal_user_sp();
    struct user_stack ss, old = {
        .sp = current->altstack.sp,
        .flags = signal_altstack_flags(current, sp),
        .size = current->altstack.size,
    };
    if (uss) {
        if (copy_from_user(current->space, &ss, uss, sizeof ss))
            return -EFAULT;
        int err = signal_altstack_set(ss.sp, ss.flags, ss.size, sp);
        if (err)
            return err;
    }
    if (uold && copy_to_user(current->space, uold, &old, sizeof old))
        return -EFAULT;
    return 0;
}

/* kill: pid > 0 one process; 0 and -1 every process (one process group,
 * everyone may signal everyone), -1 without the caller and process 1. */
int64_t sys_kill(SYSCALL_ARGS)
{
    int pid = (int)a0, sig = (int)a1;
    if (sig < 0 || sig > NSIG)
        return -EINVAL;
    if (pid == INT32_MIN)
        return -ESRCH;
    if (pid > 0 || pid < -1) {
        struct proc *p = proc_find(pid > 0 ? pid : -pid);
        if (!p)
            return -ESRCH;
        if (sig)
            proc_signal(p, sig);
        return 0;
    }
    if (sig)
        proc_signal_all(sig, pid == -1);
    return 0;
}

/* tkill and tgkill: si_code SI_TKILL. */
static int64_t signal_thread(struct proc *p, int sig)
{
    if (sig) {
        struct sigpend info = {.code = SI_TKILL, .pid = current->pid};
        signal_send(p, sig, &info);
    }
    return 0;
}

int64_t sys_tgkill(SYSCALL_ARGS)
{
    int tgid = (int)a0, tid = (int)a1, sig = (int)a2;
    if (tgid <= 0 || tid <= 0 || sig < 0 || sig > NSIG)
        return -EINVAL;
    struct proc *p = proc_find(tid);
    if (!p || p->pid != tgid)
        return -ESRCH;
    return signal_thread(p, sig);
}

int64_t sys_tkill(SYSCALL_ARGS)
{
    int tid = (int)a0, sig = (int)a1;
    if (tid <= 0 || sig < 0 || sig > NSIG)
        return -EINVAL;
    struct proc *p = proc_find(tid);
    if (!p)
        return -ESRCH;
    return signal_thread(p, sig);
}
