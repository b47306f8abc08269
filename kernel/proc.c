/* kernel/proc.c — the process table, the scheduler loop (round robin, with
 * timed sleeps), process exit and what the parent learns of it (wait4,
 * waitid, SIGCHLD), fork, and the policy for user page faults (mm/
 * decides; we turn its verdict into a signal, and when memory has run out
 * choose the process that pays, as Linux's out-of-memory killer does). */
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/panic.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <mm/errno.h>
#include <mm/frame.h>
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
    p->sig_info = kzalloc(NSIG * sizeof *p->sig_info);
    if (!p->sig_info)
        goto out_free;
    p->fds = fdtable_create();
    if (!p->fds)
        goto out_info;
    if (arch_proc_init(p))
        goto out_fds;
    p->pid = next_pid++;
    p->parent = parent;
    p->cwd = parent ? parent->cwd : ramfs_root();
    memcpy(p->rlim, parent ? parent->rlim : rlimit_defaults, sizeof p->rlim);
    p->start_ns = machine_time_ns();
    p->exit_signal = SIGCHLD;
    p->unkillable = p->pid == 1;
    p->state = PROC_FREE;
    procs[slot] = p;
    *out = p;
    return 0;

out_fds:
    fdtable_destroy(p->fds);
out_info:
    kfree(p->sig_info, NSIG * sizeof *p->sig_info);
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

int proc_next_pid(int pid)
{
    int best = 0;
    for (int i = 0; i < PROC_MAX; i++)
        if (procs[i] && procs[i]->state != PROC_ZOMBIE && procs[i]->pid >= pid &&
            (!best || procs[i]->pid < best))
            best = procs[i]->pid;
    return best;
}

unsigned proc_count(void)
{
    unsigned n = 0;
    for (int i = 0; i < PROC_MAX; i++)
        n += procs[i] != NULL;
    return n;
}

void proc_sleep(const void *chan) { proc_sleep_until(chan, 0); }

void proc_sleep_until(const void *chan, uint64_t wake_ns)
{
    current->wait_chan = chan;
    current->wake_ns = wake_ns;
    current->state = PROC_SLEEPING;
    arch_switch_to_scheduler(current);
    current->wake_ns = 0;
}

/* Wake the timed sleepers whose time has come. */
static void sched_wake_expired(void)
{
    uint64_t now = 0;
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *p = procs[i];
        if (!p || p->state != PROC_SLEEPING || !p->wake_ns)
            continue;
        if (!now)
            now = machine_time_ns();
        if (p->wake_ns <= now) {
            p->wait_chan = NULL;
            p->state = PROC_RUNNABLE;
        }
    }
}

void proc_yield(void)
{
    current->state = PROC_RUNNABLE;
    arch_switch_to_scheduler(current);
}

bool proc_others_runnable(void)
{
    sched_wake_expired();
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
    kfree(p->sig_info, NSIG * sizeof *p->sig_info);
    kpage_free(p);
}

/* Tell p's parent that p has ended: its exit signal (SIGCHLD unless clone
 * chose another) with CLD_EXITED or CLD_KILLED, and a wake-up for wait4.
 * Returns true when nobody will wait for p: the parent ignores SIGCHLD or
 * set SA_NOCLDWAIT, so p is released at once, as on Linux. */
static bool proc_notify_parent(struct proc *p)
{
    struct proc *parent = p->parent;
    const struct ksigaction *a = &parent->sigactions[SIGCHLD - 1];
    bool autoreap = p->exit_signal == SIGCHLD && (a->handler == SIG_IGN || (a->flags & SA_NOCLDWAIT));
    if (p->exit_signal > 0 && p->exit_signal <= NSIG) {
        int st = p->exit_status;
        struct sigpend info = {
            .code = (st & 0x7f) ? CLD_KILLED : CLD_EXITED,
            .pid = p->pid,
            .word = (st & 0x7f) ? (uint64_t)(st & 0x7f) : (uint64_t)((st >> 8) & 0xff),
        };
        signal_send(parent, p->exit_signal, &info);
    }
    proc_wakeup(parent);
    return autoreap;
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
    /* Orphans, living or dead, now belong to process 1, and tell it with
     * SIGCHLD whatever exit signal they chose (as on Linux, so that no
     * process can aim another signal at init). One already dead tells
     * it now, and is released at once if init does not wait. */
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *orphan = procs[i];
        if (!orphan || orphan->parent != p)
            continue;
        orphan->parent = init;
        orphan->exit_signal = SIGCHLD;
        if (orphan->state == PROC_ZOMBIE && init && proc_notify_parent(orphan))
            proc_release(orphan);
    }
    if (!p->parent || proc_notify_parent(p))
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

/* Nothing can run: wait for the first timed sleeper's time. With none,
 * every process waits for something only another process could do (a
 * pause() with nobody to signal it): the machine hangs, as Linux would. */
static void sched_idle(void)
{
    static bool told;
    uint64_t first = UINT64_MAX;
    for (int i = 0; i < PROC_MAX; i++)
        if (procs[i] && procs[i]->state == PROC_SLEEPING && procs[i]->wake_ns)
            first = MM_MIN(first, procs[i]->wake_ns);
    if (first == UINT64_MAX && !told) {
        kprintf("mmcore: every process is asleep and none can be woken\n");
        told = true;
    }
    machine_wait_until(first);
}

void sched_run(void)
{
    for (;;) {
        sched_wake_expired();
        struct proc *p = sched_pick();
        if (!p) {
            sched_idle();
            continue;
        }
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

/* A user fault of the current process found no free frame: choose the
 * process with the most resident pages (the current one on a tie), never
 * process 1, and kill it. Returns true when another process was chosen,
 * or already has SIGKILL pending: the current one lets it run (and die,
 * freeing its memory) and retries its fault. Returns false when the
 * current process is the one to go. */
static bool proc_oom_kill_other(void)
{
    struct proc *victim = current->pid != 1 && current->space ? current : NULL;
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *p = procs[i];
        if (!p || p->pid == 1 || !p->space || (p->state != PROC_RUNNABLE && p->state != PROC_SLEEPING))
            continue;
        if (!victim || p->space->resident > victim->space->resident)
            victim = p;
    }
    if (!victim || victim == current)
        return false;
    if (!(victim->sig_pending & sig_bit(SIGKILL))) {
        kprintf("mmcore: out of memory: killing process %d (%s, %lu resident pages) for process %d (%s)\n",
                victim->pid, victim->name, (unsigned long)victim->space->resident, current->pid, current->name);
        signal_send(victim, SIGKILL, NULL);
    }
    proc_yield();
    return true;
}

int proc_page_fault(uaddr_t va, unsigned access)
{
    enum fault_result r = space_fault(current->space, va, access, true);
    const char *why;
    int sig, code;

    switch (r) {
    case FAULT_OK:
        return 0;
    case FAULT_SEGV_MAPERR:
        why = "nothing mapped there", sig = SIGSEGV, code = SEGV_MAPERR;
        break;
    case FAULT_SEGV_ACCERR:
        why = "access not permitted", sig = SIGSEGV, code = SEGV_ACCERR;
        break;
    case FAULT_BUS:
        why = "beyond the end of the object", sig = SIGBUS, code = BUS_ADRERR;
        break;
    default:
        /* Out of memory (a new page, a copy-on-write copy, a page table):
         * the biggest process goes; if that is another, retry. */
        if (proc_oom_kill_other())
            return 0;
        why = "out of memory", sig = SIGKILL, code = SI_KERNEL;
        break;
    }
    /* Handlers may resolve faults by the thousand (garbage collectors):
     * only the fatal ones are worth a line. */
    if (signal_force_is_fatal(sig))
        kprintf("mmcore: process %d (%s): %s fault at %#lx: %s\n", current->pid, current->name,
                access == ACCESS_WRITE ? "write" : access == ACCESS_EXEC ? "exec" : "read", va, why);
    signal_force(sig, code, sig == SIGKILL ? 0 : va);
    return sig;
}

/* ---- fork and wait ---- */

/* Contract: see proc.h. */
int64_t proc_fork(void) { return proc_clone(SIGCHLD, 0, 0); }

/* Contract: see proc.h. */
int64_t proc_clone(uint64_t flags, uaddr_t ptid, uaddr_t ctid)
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
    /* Handlers, the mask and the alternate stack are inherited; pending
     * signals are not. */
    memcpy(child->sigactions, current->sigactions, sizeof child->sigactions);
    child->sig_blocked = current->sig_blocked;
    child->altstack = current->altstack;
    child->exit_signal = (int)(flags & CLONE_EXIT_SIGNAL);
    child->cwd = current->cwd;
    uint32_t tid = (uint32_t)child->pid;
    if (flags & CLONE_CHILD_SETTID)
        copy_to_user(child->space, ctid, &tid, sizeof tid); /* failure ignored, as on Linux */
    if (flags & CLONE_CHILD_CLEARTID)
        child->clear_child_tid = ctid;
    if (flags & CLONE_PARENT_SETTID)
        copy_to_user(current->space, ptid, &tid, sizeof tid);
    arch_proc_fork(child);
    proc_make_runnable(child);
    return child->pid;
}

#define WNOHANG 1
#define WUNTRACED 2
#define WSTOPPED 2
#define WEXITED 4
#define WCONTINUED 8
#define WNOWAIT 0x01000000
#define WNOTHREAD 0x20000000
#define WALL 0x40000000
#define WCLONE 0x80000000u

/* Look for an ended child of the current process matching pid (> 0: that
 * one, otherwise any). Returns the zombie in *zombie, or NULL with 0 when
 * matching children live on, or -ECHILD when there are none. */
static int proc_find_zombie(int pid, struct proc **zombie)
{
    bool any = false;
    *zombie = NULL;
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *c = procs[i];
        if (!c || c->parent != current || (pid > 0 && c->pid != pid))
            continue;
        any = true;
        if (c->state == PROC_ZOMBIE) {
            *zombie = c;
            return 0;
        }
    }
    return any ? 0 : -ECHILD;
}

/* Wait for a matching child to end (see proc_find_zombie). Returns 0 and
 * *zombie, 0 and NULL with WNOHANG when none has ended, -ECHILD, or
 * -ERESTARTSYS when a signal interrupts the wait (restarted after a
 * SA_RESTART handler, -EINTR otherwise, as on Linux). */
static int proc_wait_zombie(int pid, int options, struct proc **zombie)
{
    for (;;) {
        int err = proc_find_zombie(pid, zombie);
        if (err || *zombie)
            return err;
        if (options & WNOHANG) {
            /* A parent polling in a loop lets its children run first. */
            proc_yield();
            return 0;
        }
        if (proc_signal_pending())
            return -ERESTARTSYS;
        proc_sleep(current);
    }
}

/* Contract: wait4(2). pid > 0 waits for that child, any other value for
 * any child (there are no process groups). Returns the pid reaped, 0 with
 * WNOHANG when no child has ended, -ECHILD without a matching child,
 * -EINVAL for unknown options, -EFAULT for a bad status or rusage
 * pointer (the child is then not reaped), -ERESTARTSYS when interrupted. */
int64_t proc_wait(int pid, uaddr_t ustatus, int options, uaddr_t urusage)
{
    if ((unsigned)options & ~(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
        return -EINVAL;
    if (pid == INT32_MIN)
        return -ESRCH;
    struct proc *c;
    int err = proc_wait_zombie(pid, options, &c);
    if (err || !c)
        return err;
    int status = c->exit_status;
    if (ustatus && copy_to_user(current->space, ustatus, &status, sizeof status))
        return -EFAULT;
    if (urusage && clear_user(current->space, urusage, 144)) /* struct rusage */
        return -EFAULT;
    int cpid = c->pid;
    proc_release(c);
    return cpid;
}

#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define P_PIDFD 3

/* waitid's search: 0 and *found (NULL: nothing with WNOHANG) or -errno. */
static int proc_waitid_find(int idtype, int id, int options, struct proc **found)
{
    *found = NULL;
    if ((unsigned)options & ~(WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT | WNOTHREAD | WALL | WCLONE))
        return -EINVAL;
    if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
        return -EINVAL;
    int pid = -1;
    switch (idtype) {
    case P_ALL:
        break;
    case P_PID:
        if (id <= 0)
            return -EINVAL;
        pid = id;
        break;
    case P_PGID:
        if (id < 0)
            return -EINVAL;
        break; /* one process group: any child */
    case P_PIDFD:
        return -EBADF; /* there are no pidfds */
    default:
        return -EINVAL;
    }
    if (options & WEXITED)
        return proc_wait_zombie(pid, options, found);
    /* Only stops and continues asked for: they never happen here. */
    struct proc *z;
    int err = proc_find_zombie(pid, &z);
    while (!err && !(options & WNOHANG)) {
        if (proc_signal_pending())
            return -ERESTARTSYS;
        proc_sleep(current);
        err = proc_find_zombie(pid, &z);
    }
    return err;
}

/* Contract: waitid(2) with idtype P_ALL, P_PID or P_PGID (one process
 * group: any child). Only WEXITED finds anything (no child ever stops
 * here); WNOWAIT leaves the child to be waited for again. As on Linux,
 * infop (when not NULL) gets si_signo, si_errno, si_code, si_pid, si_uid
 * and si_status whatever happened: SIGCHLD, CLD_EXITED or CLD_KILLED and
 * the child's details, or zeros. Returns 0, or -EINVAL (bad idtype,
 * options or id), -EBADF (P_PIDFD), -ECHILD, -EFAULT (infop or rusage),
 * -ERESTARTSYS when a signal interrupts the wait. */
int64_t proc_waitid(int idtype, int id, uaddr_t infop, int options, uaddr_t urusage)
{
    struct proc *c;
    int err = proc_waitid_find(idtype, id, options, &c);
    struct linux_siginfo si;
    memset(&si, 0, sizeof si);
    if (c) {
        int st = c->exit_status;
        si.signo = SIGCHLD;
        si.code = (st & 0x7f) ? CLD_KILLED : CLD_EXITED;
        si.u.child.pid = c->pid;
        si.u.child.status = (st & 0x7f) ? (st & 0x7f) : ((st >> 8) & 0xff);
        if (!(options & WNOWAIT))
            proc_release(c);
        if (urusage && clear_user(current->space, urusage, 144)) /* struct rusage */
            return -EFAULT;
    }
    if (infop && (!access_ok(current->space, infop, sizeof si) ||
                  copy_to_user(current->space, infop, &si, __builtin_offsetof(struct linux_siginfo, u.child.pad))))
        return -EFAULT;
    return err;
}

/* ---- signals between processes (delivery: signal.c) ---- */

void proc_signal(struct proc *p, int sig)
{
    struct sigpend info = {.code = SI_USER, .pid = current ? current->pid : 0};
    signal_send(p, sig, &info);
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

/* Contract: see proc.h. */
void proc_for_each_space(void (*fn)(struct space *s, void *arg), void *arg)
{
    for (int i = 0; i < PROC_MAX; i++)
        if (procs[i] && procs[i]->space)
            fn(procs[i]->space, arg);
}
