/* kernel/sys_signal.c — the signal system calls, enough for C libraries
 * and language runtimes that set dispositions and masks at start-up and
 * for kill/raise/abort: dispositions, the blocked mask and the alternate
 * stack are kept and reported as Linux does; a signal sent to a process
 * that does not ignore it ends that process with 128 + signal when it is
 * not blocked. Handlers are not run yet. */
#include <kern/lib.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <mm/errno.h>
#include <mm/uaccess.h>

#define SIGSTOP 19
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ 2048
#define UNBLOCKABLE ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

int64_t sys_rt_sigaction(SYSCALL_ARGS)
{
    int sig = (int)a0;
    uaddr_t uact = a1, uold = a2;
    struct ksigaction act;
    if (a3 != 8) /* sizeof(sigset_t) */
        return -EINVAL;
    if (uact && copy_from_user(current->space, &act, uact, sizeof act))
        return -EFAULT;
    if (sig < 1 || sig > NSIG || (uact && (sig == SIGKILL || sig == SIGSTOP)))
        return -EINVAL;
    struct ksigaction old = current->sigactions[sig - 1];
    if (uact) {
        act.mask &= ~UNBLOCKABLE;
        current->sigactions[sig - 1] = act;
        if (act.handler == 1) /* SIG_IGN discards what is pending */
            current->sig_pending &= ~(1ull << (sig - 1));
    }
    if (uold && copy_to_user(current->space, uold, &old, sizeof old))
        return -EFAULT;
    return 0;
}

int64_t sys_rt_sigprocmask(SYSCALL_ARGS)
{
    int how = (int)a0;
    uaddr_t uset = a1, uold = a2;
    uint64_t old = current->sig_blocked, set;
    if (a3 != 8)
        return -EINVAL;
    if (uset) {
        if (copy_from_user(current->space, &set, uset, sizeof set))
            return -EFAULT;
        set &= ~UNBLOCKABLE;
        switch (how) {
        case SIG_BLOCK:
            current->sig_blocked |= set;
            break;
        case SIG_UNBLOCK:
            current->sig_blocked &= ~set;
            break;
        case SIG_SETMASK:
            current->sig_blocked = set;
            break;
        default:
            return -EINVAL;
        }
    }
    if (uold && copy_to_user(current->space, uold, &old, sizeof old))
        return -EFAULT;
    return 0;
}

int64_t sys_sigaltstack(SYSCALL_ARGS)
{
    uaddr_t uss = a0, uold = a1;
    struct {
        uint64_t sp;
        int32_t flags, pad;
        uint64_t size;
    } ss, old = {current->altstack.sp, current->altstack.flags, 0, current->altstack.size};
    if (!old.sp && !old.size)
        old.flags = SS_DISABLE;
    if (uss) {
        if (copy_from_user(current->space, &ss, uss, sizeof ss))
            return -EFAULT;
        unsigned mode = (unsigned)ss.flags & ~SS_AUTODISARM;
        if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
            return -EINVAL;
        if (mode == SS_DISABLE) {
            ss.sp = ss.size = 0;
        } else if (ss.size < MINSIGSTKSZ) {
            return -ENOMEM;
        }
        current->altstack.sp = ss.sp;
        current->altstack.size = ss.size;
        current->altstack.flags = ss.flags & (int32_t)SS_AUTODISARM;
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

int64_t sys_tgkill(SYSCALL_ARGS)
{
    int tgid = (int)a0, tid = (int)a1, sig = (int)a2;
    if (tgid <= 0 || tid <= 0 || sig < 0 || sig > NSIG)
        return -EINVAL;
    struct proc *p = proc_find(tid);
    if (!p || p->pid != tgid)
        return -ESRCH;
    if (sig)
        proc_signal(p, sig);
    return 0;
}

int64_t sys_tkill(SYSCALL_ARGS)
{
    int tid = (int)a0, sig = (int)a1;
    if (tid <= 0 || sig < 0 || sig > NSIG)
        return -EINVAL;
    struct proc *p = proc_find(tid);
    if (!p)
        return -ESRCH;
    if (sig)
        proc_signal(p, sig);
    return 0;
}
