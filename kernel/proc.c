/* kernel/proc.c — the process table, the scheduler loop, process exit,
 * and the policy for user page faults (mm/ decides; we turn its verdict
 * into a signal). */
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/panic.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <mm/errno.h>
#include <mm/uaccess.h>

#define PROC_MAX 64

struct proc *current;
static struct proc *procs[PROC_MAX];
static int next_pid = 1;
static unsigned sched_cursor;

static const struct rlimit64 rlimit_defaults[RLIMIT_COUNT] = {
    [0] = {RLIM_INFINITY, RLIM_INFINITY},           /* CPU */
    [1] = {RLIM_INFINITY, RLIM_INFINITY},           /* FSIZE */
    [2] = {RLIM_INFINITY, RLIM_INFINITY},           /* DATA */
    [3] = {8ull << 20, RLIM_INFINITY},              /* STACK */
    [4] = {0, RLIM_INFINITY},                       /* CORE */
    [5] = {RLIM_INFINITY, RLIM_INFINITY},           /* RSS */
    [6] = {PROC_MAX, PROC_MAX},                     /* NPROC */
    [7] = {FD_MAX, FD_MAX},                         /* NOFILE */
    [8] = {8ull << 20, 8ull << 20},                 /* MEMLOCK */
    [9] = {RLIM_INFINITY, RLIM_INFINITY},           /* AS */
    [10] = {RLIM_INFINITY, RLIM_INFINITY},          /* LOCKS */
    [11] = {1024, 1024},                            /* SIGPENDING */
    [12] = {819200, 819200},                        /* MSGQUEUE */
    [13] = {0, 0},                                  /* NICE */
    [14] = {0, 0},                                  /* RTPRIO */
    [15] = {RLIM_INFINITY, RLIM_INFINITY},          /* RTTIME */
};

const char *signal_name(int sig)
{
    static const char *const names[] = {
        [SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
        [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
        [SIGKILL] = "SIGKILL", [SIGSEGV] = "SIGSEGV", [SIGPIPE] = "SIGPIPE", [SIGTERM] = "SIGTERM",
    };
    if (sig > 0 && sig < (int)ARRAY_SIZE(names) && names[sig])
        return names[sig];
    return "signal";
}

/* Contract: see proc.h. */
int proc_create(struct proc **out, struct proc *parent)
{
    int slot = -1;
    for (int i = 0; i < PROC_MAX; i++)
        if (!procs[i]) {
            slot = i;
            break;
        }
    if (slot < 0)
        return -EAGAIN;
    struct proc *p = kpage_alloc();
    _Static_assert(sizeof(struct proc) <= 4096, "a process record fits in a page");
    if (!p)
        return -ENOMEM;
    p->fds = fdtable_create();
    if (!p->fds)
        goto out_free;
    if (arch_proc_init(p))
        goto out_fds;
    p->pid = next_pid++;
    p->parent = parent;
    p->cwd = parent ? parent->cwd : ramfs_root();
    memcpy(p->rlim, parent ? parent->rlim : rlimit_defaults, sizeof p->rlim);
    p->start_ns = machine_time_ns();
    p->state = PROC_FREE;
    procs[slot] = p;
    *out = p;
    return 0;

out_fds:
    fdtable_destroy(p->fds);
out_free:
    kpage_free(p);
    return -ENOMEM;
}

void proc_make_runnable(struct proc *p) { p->state = PROC_RUNNABLE; }

struct proc *proc_find(int pid)
{
    for (int i = 0; i < PROC_MAX; i++)
        if (procs[i] && procs[i]->pid == pid && procs[i]->state != PROC_ZOMBIE)
            return procs[i];
    return NULL;
}

unsigned proc_count(void)
{
    unsigned n = 0;
    for (int i = 0; i < PROC_MAX; i++)
        n += procs[i] != NULL;
    return n;
}

void proc_sleep(const void *chan)
{
    current->wait_chan = chan;
    current->state = PROC_SLEEPING;
    arch_switch_to_scheduler(current);
}

void proc_yield(void)
{
    current->state = PROC_RUNNABLE;
    arch_switch_to_scheduler(current);
}

bool proc_others_runnable(void)
{
    for (int i = 0; i < PROC_MAX; i++)
        if (procs[i] && procs[i] != current && procs[i]->state == PROC_RUNNABLE)
            return true;
    return false;
}

void proc_wakeup(const void *chan)
{
    for (int i = 0; i < PROC_MAX; i++)
        if (procs[i] && procs[i]->state == PROC_SLEEPING && procs[i]->wait_chan == chan) {
            procs[i]->wait_chan = NULL;
            procs[i]->state = PROC_RUNNABLE;
        }
}

static struct proc *sched_pick(void)
{
    for (unsigned k = 0; k < PROC_MAX; k++) {
        unsigned i = (sched_cursor + k) % PROC_MAX;
        if (procs[i] && procs[i]->state == PROC_RUNNABLE) {
            sched_cursor = i + 1;
            return procs[i];
        }
    }
    return NULL;
}

static _Noreturn void sched_init_ended(struct proc *p);

/* Forget a reaped zombie (its kernel stack is already gone). */
static void proc_release(struct proc *p)
{
    for (int i = 0; i < PROC_MAX; i++)
        if (procs[i] == p)
            procs[i] = NULL;
    kpage_free(p);
}

/* What the scheduler does once a process has died on its own stack. */
static void proc_bury(struct proc *p)
{
    arch_proc_fini(p);
    if (p->pid == 1)
        sched_init_ended(p);
    struct proc *init = NULL;
    for (int i = 0; i < PROC_MAX; i++)
        if (procs[i] && procs[i]->pid == 1)
            init = procs[i];
    /* Orphans, living or dead, now belong to process 1. */
    for (int i = 0; i < PROC_MAX; i++)
        if (procs[i] && procs[i]->parent == p) {
            procs[i]->parent = init;
            if (procs[i]->state == PROC_ZOMBIE && init)
                proc_wakeup(init);
        }
    if (p->parent)
        proc_wakeup(p->parent);
    else
        proc_release(p);
}

/* Print how process 1 ended (tools/run-elf reads this line) and stop. */
static _Noreturn void sched_init_ended(struct proc *p)
{
    int st = p->exit_status;
    int code = (st & 0x7f) ? 128 + (st & 0x7f) : (st >> 8) & 0xff;
    kprintf("mmcore: process 1 (%s) exited with status %d\n", p->name, code);
    machine_poweroff();
}

void sched_run(void)
{
    for (;;) {
        struct proc *p = sched_pick();
        /* Cannot happen: a process sleeps only in wait4 for a living child,
         * so some process at the bottom of the tree is runnable. */
        if (!p)
            panic("scheduler: nothing to run and process 1 has not ended");
        p->state = PROC_RUNNING;
        current = p;
        arch_switch_to(p);
        current = NULL;
        if (p->state == PROC_ZOMBIE)
            proc_bury(p);
    }
}

/* Release what a dead process holds, then leave its stack for good. */
static _Noreturn void proc_die(int wait_status)
{
    struct proc *p = current;
    p->exit_status = wait_status;
    if (p->clear_child_tid) {
        uint32_t zero = 0;
        copy_to_user(p->space, p->clear_child_tid, &zero, sizeof zero);
    }
    fdtable_destroy(p->fds);
    p->fds = NULL;
    if (p->space) {
        arch_space_deactivate();
        space_destroy(p->space);
        p->space = NULL;
    }
    p->state = PROC_ZOMBIE;
    arch_switch_to_scheduler(p);
    panic("a dead process was scheduled");
}

void proc_exit(int code) { proc_die((code & 0xff) << 8); }

void proc_exit_signal(int sig, struct trap_frame *tf)
{
    kprintf("mmcore: process %d (%s) killed by %s\n", current->pid, current->name, signal_name(sig));
    proc_die(sig & 0x7f);
}

int proc_page_fault(uaddr_t va, unsigned access)
{
    enum fault_result r = space_fault(current->space, va, access, true);
    const char *why;
    int sig;

    switch (r) {
    case FAULT_OK:
        return 0;
    case FAULT_SEGV_MAPERR:
        why = "nothing mapped there", sig = SIGSEGV;
        break;
    case FAULT_SEGV_ACCERR:
        why = "access not permitted", sig = SIGSEGV;
        break;
    case FAULT_BUS:
        why = "beyond the end of the object", sig = SIGBUS;
        break;
    default:
        why = "out of memory", sig = SIGKILL;
        break;
    }
    kprintf("mmcore: process %d (%s): %s fault at %#lx: %s\n", current->pid, current->name,
            access == ACCESS_WRITE ? "write" : access == ACCESS_EXEC ? "exec" : "read", va, why);
    return sig;
}

/* ---- fork and wait ---- */

/* Contract: see proc.h. */
int64_t proc_fork(void)
{
    struct proc *child;
    int err = proc_create(&child, current);
    if (err)
        return err;
    err = space_fork(current->space, &child->space);
    if (err) {
        fdtable_destroy(child->fds);
        arch_proc_fini(child);
        proc_release(child);
        return err;
    }
    arch_space_init(child->space);
    for (int fd = 0; fd < FD_MAX; fd++) {
        struct file *f = current->fds->files[fd];
        if (f) {
            file_ref(f);
            child->fds->files[fd] = f;
        }
    }
    memcpy(child->fds->cloexec, current->fds->cloexec, sizeof child->fds->cloexec);
    memcpy(child->rlim, current->rlim, sizeof child->rlim);
    memcpy(child->name, current->name, sizeof child->name);
    memcpy(child->sigactions, current->sigactions, sizeof child->sigactions);
    child->sig_blocked = current->sig_blocked;
    child->altstack = current->altstack;
    child->cwd = current->cwd;
    arch_proc_fork(child);
    proc_make_runnable(child);
    return child->pid;
}

#define WNOHANG 1
#define WUNTRACED 2
#define WCONTINUED 8
#define WNOTHREAD 0x20000000
#define WALL 0x40000000
#define WCLONE 0x80000000u

/* Contract: wait4(2). pid > 0 waits for that child, any other value for
 * any child (there are no process groups). Returns the pid reaped, 0 with
 * WNOHANG when no child has ended, -ECHILD without a matching child,
 * -EINVAL for unknown options, -EFAULT for a bad status or rusage
 * pointer (the child is then not reaped). */
int64_t proc_wait(int pid, uaddr_t ustatus, int options, uaddr_t urusage)
{
    if ((unsigned)options & ~(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
        return -EINVAL;
    if (pid == INT32_MIN)
        return -ESRCH;
    for (;;) {
        bool any = false;
        for (int i = 0; i < PROC_MAX; i++) {
            struct proc *c = procs[i];
            if (!c || c->parent != current || (pid > 0 && c->pid != pid))
                continue;
            any = true;
            if (c->state != PROC_ZOMBIE)
                continue;
            int status = c->exit_status;
            if (ustatus && copy_to_user(current->space, ustatus, &status, sizeof status))
                return -EFAULT;
            if (urusage && clear_user(current->space, urusage, 144)) /* struct rusage */
                return -EFAULT;
            int cpid = c->pid;
            proc_release(c);
            return cpid;
        }
        if (!any)
            return -ECHILD;
        if (proc_signal_pending())
            return -EINTR;
        if (options & WNOHANG) {
            /* No preemption: a parent polling in a loop lets the others run. */
            proc_yield();
            return 0;
        }
        proc_sleep(current);
    }
}

/* ---- signals (no handlers yet: a delivered signal is fatal) ---- */

#define SIG_IGN 1
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGWINCH 28

static uint64_t sig_bit(int sig) { return 1ull << (sig - 1); }

/* Signals whose default action is to do nothing here (the stop signals
 * too: there is no job control). */
static bool sig_default_ignored(int sig)
{
    return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH ||
           (sig >= SIGSTOP && sig <= SIGTTOU);
}

void proc_signal(struct proc *p, int sig)
{
    const struct ksigaction *a = &p->sigactions[sig - 1];
    if (sig != SIGKILL && sig != SIGSTOP &&
        (a->handler == SIG_IGN || (a->handler == 0 && sig_default_ignored(sig))))
        return;
    if (sig == SIGSTOP)
        return;
    p->sig_pending |= sig_bit(sig);
    if (p->state == PROC_SLEEPING && (p->sig_pending & ~p->sig_blocked)) {
        p->wait_chan = NULL;
        p->state = PROC_RUNNABLE;
    }
}

void proc_signal_all(int sig, bool spare_self_and_init)
{
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *p = procs[i];
        if (!p || p->state == PROC_ZOMBIE || (spare_self_and_init && (p == current || p->pid == 1)))
            continue;
        proc_signal(p, sig);
    }
}

bool proc_signal_pending(void) { return (current->sig_pending & ~current->sig_blocked) != 0; }

void proc_check_signals(struct trap_frame *tf)
{
    uint64_t live = current->sig_pending & ~current->sig_blocked;
    if (!live)
        return;
    int sig = __builtin_ctzll(live) + 1;
    if (current->sigactions[sig - 1].handler > SIG_IGN)
        kprintf("mmcore: process %d (%s): handlers are not supported yet; %s is fatal\n", current->pid,
                current->name, signal_name(sig));
    proc_exit_signal(sig, tf);
}
