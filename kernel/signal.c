/* kernel/signal.c — signal delivery, the portable part: sending and
 * forcing signals, what each signal does by default, choosing the next
 * signal to deliver on the way back to user mode, the bookkeeping around a
 * handler (blocked set, SA_NODEFER, SA_RESETHAND, sigsuspend's saved
 * mask), the alternate-stack rules, and deciding whether an interrupted
 * system call restarts. The architecture builds and unwinds the frames
 * (kernel/<arch>/signal.c); the system calls are in sys_signal.c. */
#include <kern/lib.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <mm/errno.h>

const char *signal_name(int sig)
{
    static const char *const names[] = {
        [SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
        [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",     [SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",
        [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1",     [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
        [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
        [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",     [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
        [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",     [SIGURG] = "SIGURG",   [SIGXCPU] = "SIGXCPU",
        [SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
        [SIGIO] = "SIGIO",     [SIGPWR] = "SIGPWR",       [SIGSYS] = "SIGSYS",
    };
    if (sig > 0 && sig < (int)ARRAY_SIZE(names) && names[sig])
        return names[sig];
    return "signal";
}

bool signal_default_ignored(int sig)
{
    return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH ||
           (sig >= SIGSTOP && sig <= SIGTTOU);
}

/* Whether p's action for sig is to throw it away. */
static bool signal_action_ignores(const struct proc *p, int sig)
{
    if (sig == SIGKILL)
        return false;
    if (sig == SIGSTOP)
        return true; /* no job control: stopping is not supported */
    uint64_t h = p->sigactions[sig - 1].handler;
    return h == SIG_IGN || (h == SIG_DFL && signal_default_ignored(sig));
}

/* Whether p throws sig away on arrival: a blocked signal is kept, since
 * the action may change before it is unblocked (Linux's rule). Process 1
 * (p->unkillable) throws away SIGKILL and SIGSTOP from another process,
 * and every signal from another process it has no handler for (Linux's
 * SIGNAL_UNKILLABLE). What it sends itself acts as for any process: it is
 * the program under test, and raise() or abort() must end it as they
 * would elsewhere. */
static bool signal_ignored_by(const struct proc *p, int sig, bool from_other)
{
    bool guarded = p->unkillable && from_other;
    if (guarded && (sig == SIGKILL || sig == SIGSTOP))
        return true;
    if (sig != SIGSTOP && (p->sig_blocked & sig_bit(sig)))
        return false;
    if (guarded && p->sigactions[sig - 1].handler == SIG_DFL)
        return true;
    return signal_action_ignores(p, sig);
}

/* Wake p from a sleep if it now has something to deliver. */
static void signal_wake(struct proc *p)
{
    if (p->state == PROC_SLEEPING && (p->sig_pending & ~p->sig_blocked)) {
        p->wait_chan = NULL;
        p->state = PROC_RUNNABLE;
    }
}

/* Contract: see signal.h. */
void signal_send(struct proc *p, int sig, const struct sigpend *info)
{
    bool from_other = p != current;
    if (p->state == PROC_ZOMBIE || p->state == PROC_FREE || signal_ignored_by(p, sig, from_other))
        return;
    /* A standard signal already pending keeps the details it came with,
     * and whether process 1 may drop it (blocked now, no handler later). */
    if (!(p->sig_pending & sig_bit(sig))) {
        p->sig_info[sig - 1] = info ? *info : (struct sigpend){.code = SI_KERNEL};
        if (p->unkillable && from_other)
            p->sig_guarded |= sig_bit(sig);
        else
            p->sig_guarded &= ~sig_bit(sig);
    }
    p->sig_pending |= sig_bit(sig);
    signal_wake(p);
}

/* Contract: see signal.h. */
void signal_force(int sig, int code, uaddr_t addr)
{
    struct proc *p = current;
    struct ksigaction *a = &p->sigactions[sig - 1];
    if ((p->sig_blocked & sig_bit(sig)) || a->handler == SIG_IGN) {
        a->handler = SIG_DFL;
        p->sig_blocked &= ~sig_bit(sig);
    }
    p->sig_info[sig - 1] = (struct sigpend){.code = code, .word = addr};
    p->sig_pending |= sig_bit(sig);
    p->sig_guarded &= ~sig_bit(sig); /* ends even process 1 */
}

bool signal_force_is_fatal(int sig)
{
    const struct proc *p = current;
    return sig == SIGKILL || (p->sig_blocked & sig_bit(sig)) || p->sigactions[sig - 1].handler <= SIG_IGN;
}

void signal_discard_ignored(struct proc *p, int sig)
{
    if (signal_action_ignores(p, sig))
        p->sig_pending &= ~sig_bit(sig);
}

void signal_set_blocked(uint64_t set) { current->sig_blocked = set & ~SIG_UNBLOCKABLE; }

/* The signals a fault raises go first, then the lowest number (Linux's
 * order). */
static int signal_next(uint64_t live)
{
    const uint64_t sync = sig_bit(SIGSEGV) | sig_bit(SIGBUS) | sig_bit(SIGILL) | sig_bit(SIGTRAP) |
                          sig_bit(SIGFPE) | sig_bit(SIGSYS);
    uint64_t pick = (live & sync) ? (live & sync) : live;
    return __builtin_ctzll(pick) + 1;
}

static bool signal_is_fault(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP;
}

static void signal_info_fill(struct linux_siginfo *si, int sig, const struct sigpend *pd)
{
    memset(si, 0, sizeof *si);
    si->signo = sig;
    si->code = pd->code;
    if (signal_is_fault(sig) && pd->code > 0 && pd->code != SI_KERNEL) {
        si->u.fault.addr = pd->word;
    } else if (sig == SIGCHLD && pd->code > 0 && pd->code != SI_KERNEL) {
        si->u.child.pid = pd->pid;
        si->u.child.status = (int32_t)pd->word;
    } else {
        si->u.kill.pid = pd->pid; /* uid: everyone is root */
    }
}

/* Contract: see signal.h. */
void signal_deliver(struct trap_frame *tf)
{
    struct proc *p = current;
    for (;;) {
        uint64_t live = p->sig_pending & ~p->sig_blocked;
        if (!live) {
            /* Nothing (more) to run: an interrupted call restarts, and
             * sigsuspend's mask goes back, which may unblock more. */
            arch_signal_syscall_fixup(tf, false, true);
            if (!p->sig_restore_mask)
                return;
            p->sig_restore_mask = false;
            signal_set_blocked(p->sig_saved_mask);
            continue;
        }
        int sig = signal_next(live);
        struct sigpend pd = p->sig_info[sig - 1];
        p->sig_pending &= ~sig_bit(sig);
        bool guarded = p->unkillable && (p->sig_guarded & sig_bit(sig));
        p->sig_guarded &= ~sig_bit(sig);
        struct ksigaction *a = &p->sigactions[sig - 1];
        if (sig == SIGKILL || a->handler == SIG_DFL) {
            /* Process 1 drops what another process sent while it was
             * blocked, now that it has no handler. */
            if ((sig != SIGKILL && signal_default_ignored(sig)) || guarded)
                continue;
            proc_exit_signal(sig, tf);
        }
        if (a->handler == SIG_IGN)
            continue;

        struct ksigaction act = *a;
        struct linux_siginfo si;
        signal_info_fill(&si, sig, &pd);
        arch_signal_syscall_fixup(tf, true, (act.flags & SA_RESTART) != 0);
        uint64_t saved = p->sig_restore_mask ? p->sig_saved_mask : p->sig_blocked;
        if (arch_signal_frame_push(tf, sig, &si, &act, saved)) {
            /* No room for the frame (bad or full stack): SIGSEGV, and if
             * that was SIGSEGV's own handler failing, the default. */
            kprintf("mmcore: process %d (%s): cannot write the frame for %s\n", p->pid, p->name,
                    signal_name(sig));
            if (sig == SIGSEGV)
                a->handler = SIG_DFL;
            signal_force(SIGSEGV, SI_KERNEL, 0);
            continue;
        }
        p->sig_restore_mask = false;
        uint64_t blocked = p->sig_blocked | act.mask;
        if (!(act.flags & SA_NODEFER))
            blocked |= sig_bit(sig);
        signal_set_blocked(blocked);
        if (act.flags & SA_RESETHAND)
            a->handler = SIG_DFL;
        /* SS_AUTODISARM: the alternate stack is off until sigreturn puts
         * back what the frame saved. */
        if ((uint32_t)p->altstack.flags & SS_AUTODISARM) {
            p->altstack.sp = p->altstack.size = 0;
            p->altstack.flags = SS_DISABLE;
        }
    }
}

void proc_check_signals(struct trap_frame *tf) { signal_deliver(tf); }

/* ---- the alternate stack ---- */

bool signal_on_altstack(const struct proc *p, uaddr_t sp)
{
    /* With SS_AUTODISARM a handler never runs "on" it as far as these
     * rules go (the stack is disarmed while it does). */
    if ((uint32_t)p->altstack.flags & SS_AUTODISARM)
        return false;
    return sp > p->altstack.sp && sp - p->altstack.sp <= p->altstack.size;
}

int32_t signal_altstack_flags(const struct proc *p, uaddr_t sp)
{
    int32_t f = !p->altstack.size ? SS_DISABLE : signal_on_altstack(p, sp) ? SS_ONSTACK : 0;
    return f | (int32_t)((uint32_t)p->altstack.flags & SS_AUTODISARM);
}

/* Contract: see signal.h. */
int signal_altstack_set(uaddr_t ss_sp, int32_t ss_flags, uint64_t ss_size, uaddr_t sp)
{
    struct proc *p = current;
    if (signal_on_altstack(p, sp))
        return -EPERM;
    uint32_t mode = (uint32_t)ss_flags & ~SS_AUTODISARM;
    if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
        return -EINVAL;
    if (mode == SS_DISABLE) {
        ss_sp = 0;
        ss_size = 0;
    } else if (ss_size < MINSIGSTKSZ) {
        return -ENOMEM;
    }
    p->altstack.sp = ss_sp;
    p->altstack.size = ss_size;
    p->altstack.flags = ss_flags;
    return 0;
}
