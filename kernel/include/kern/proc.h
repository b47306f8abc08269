/* kern/proc.h — processes and the scheduler.
 *
 * A process owns an address space (mm/ struct space), a descriptor table, a
 * kernel stack and its architecture state. The scheduler runs on the boot
 * stack and switches to runnable processes in turn; a process gives the
 * CPU back when it exits or sleeps (wait4, nanosleep, pause), and the
 * timer tick takes it from a process running in user mode when another one
 * can run. A dead process stays a zombie until its parent collects its
 * status (or is released at once when the parent ignores SIGCHLD); orphans
 * go to process 1. When process 1 ends, the machine powers off after
 * reporting its exit status on the kernel console. */
#ifndef KERN_PROC_H
#define KERN_PROC_H

#include <arch_proc.h>
#include <kern/vfs.h>
#include <mm/space.h>

struct trap_frame;
struct sigpend;

enum proc_state { PROC_FREE, PROC_RUNNABLE, PROC_RUNNING, PROC_SLEEPING, PROC_ZOMBIE };

#define RLIMIT_COUNT 16
#define NSIG 64

/* A signal's disposition, as rt_sigaction exchanges it (x86-64 layout). */
struct ksigaction {
    uint64_t handler;            /* SIG_DFL 0, SIG_IGN 1, or a function */
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};
#define RLIM_INFINITY (~0ull)

struct rlimit64 {
    uint64_t cur, max;
};

struct proc {
    int pid;
    enum proc_state state;
    struct proc *parent;
    struct space *space;
    struct fdtable *fds;
    struct inode *cwd;
    uaddr_t clear_child_tid;     /* set_tid_address */
    uaddr_t robust_list;         /* set_robust_list */
    uint64_t robust_len;
    int exit_status;             /* wait(2) status: code << 8, or the signal */
    const void *wait_chan;       /* what a sleeping process waits for */
    struct rlimit64 rlim[RLIMIT_COUNT];
    uint64_t start_ns;
    char name[32];
    /* Signals (kernel/signal.c): dispositions, the blocked and pending
     * sets, the details of each pending signal, the alternate stack. */
    struct ksigaction sigactions[NSIG];
    uint64_t sig_blocked, sig_pending;
    struct {
        uint64_t sp;
        int32_t flags;
        uint64_t size;
    } altstack;
    struct sigpend *sig_info;    /* NSIG entries (kern/signal.h) */
    uint64_t sig_saved_mask;     /* the mask to restore after sigsuspend */
    bool sig_restore_mask;
    int exit_signal;             /* sent to the parent at exit (SIGCHLD) */
    bool unkillable;             /* process 1: drops the signals of other
                                  * processes it has no handler for */
    uint64_t sig_guarded;        /* pending signals process 1 may drop
                                  * (sent by another process; signal.c) */
    uint64_t wake_ns;            /* a timed sleep ends then (0: untimed) */
    struct arch_proc arch;
};

/* The process running on this CPU (NULL in the scheduler). */
extern struct proc *current;

/* A new process with an empty descriptor table, a kernel stack and no
 * address space. Returns 0 and *out, or -ENOMEM / -EAGAIN. */
int proc_create(struct proc **out, struct proc *parent);

/* Make p runnable. */
void proc_make_runnable(struct proc *p);

/* Processes in the table (zombies included). */
unsigned proc_count(void);

/* The smallest pid >= pid of a process that is not a zombie (what
 * proc_find finds), or 0 when there is none (listing /proc). */
int proc_next_pid(int pid);

/* Sleep until proc_wakeup(chan); returns after being woken (or when a
 * signal can be delivered: callers check proc_signal_pending). */
void proc_sleep(const void *chan);
void proc_wakeup(const void *chan);

/* Sleep until machine_time_ns() >= wake_ns, proc_wakeup(chan) or a
 * deliverable signal, whichever comes first. Other processes run
 * meanwhile; with none, the CPU idles. */
void proc_sleep_until(const void *chan, uint64_t wake_ns);

/* Let the other runnable processes run first; and whether there are
 * any. */
void proc_yield(void);
bool proc_others_runnable(void);

/* fork: a copy of the current process (copy-on-write memory, shared open
 * files) that returns 0 in the child. Returns the child's pid or -errno. */
int64_t proc_fork(void);

/* clone's flags that a fork may carry. */
#define CLONE_EXIT_SIGNAL 0xffull       /* CSIGNAL: sent to the parent at exit */
#define CLONE_VFORK 0x00004000ull
#define CLONE_PARENT_SETTID 0x00100000ull
#define CLONE_CHILD_CLEARTID 0x00200000ull
#define CLONE_CHILD_SETTID 0x01000000ull

/* fork with clone's fork-like flags: the exit signal in the low byte (0:
 * none), the child's pid stored at ptid in the parent
 * (CLONE_PARENT_SETTID) and at ctid in the child (CLONE_CHILD_SETTID),
 * ctid cleared when the child exits (CLONE_CHILD_CLEARTID). */
int64_t proc_clone(uint64_t flags, uaddr_t ptid, uaddr_t ctid);

/* wait4 and waitid for the current process: see proc.c. */
int64_t proc_wait(int pid, uaddr_t ustatus, int options, uaddr_t urusage);
int64_t proc_waitid(int idtype, int id, uaddr_t infop, int options, uaddr_t urusage);

/* Run processes until process 1 has ended; then report and power off. */
_Noreturn void sched_run(void);

/* End the current process with exit code code (0-255): normal exit. */
_Noreturn void proc_exit(int code);

/* End the current process because of signal sig (exit status 128 + sig).
 * tf (may be NULL) is the user context, for the kernel log. */
_Noreturn void proc_exit_signal(int sig, struct trap_frame *tf);

/* Send sig (1..NSIG) to p from the current process (si_code SI_USER):
 * dropped when p ignores it, otherwise pending until unblocked, then
 * delivered (signal_send in kern/signal.h). */
void proc_signal(struct proc *p, int sig);

/* proc_signal to every living process, or all but the caller and
 * process 1. */
void proc_signal_all(int sig, bool spare_self_and_init);

/* Called on every return to user mode: deliver what is pending and
 * unblocked (run a handler, or end the process); see signal_deliver. */
void proc_check_signals(struct trap_frame *tf);

/* Whether the current process has an unblocked signal pending (sleeps
 * return -EINTR then). */
bool proc_signal_pending(void);

/* The process with this pid (not a zombie), or NULL. */
struct proc *proc_find(int pid);

/* Call fn for the address space of every process that has one (a file
 * that shrinks must leave every mapping of its cut pages). */
void proc_for_each_space(void (*fn)(struct space *s, void *arg), void *arg);

/* A user-mode page fault at va for access (ACCESS_*). Returns 0 when mm/
 * resolved it (retry the instruction), or the signal it raised (SIGSEGV
 * with SEGV_MAPERR or SEGV_ACCERR, SIGBUS with BUS_ADRERR, SIGKILL for out
 * of memory), already forced on the process (signal_force): the caller
 * lets proc_check_signals deliver it. Out of memory, the process with the
 * most resident pages (never process 1) is the one killed: when that is
 * another, this returns 0 after letting it run, and the fault is retried. */
int proc_page_fault(uaddr_t va, unsigned access);

/* ---- provided by the architecture ---- */

/* Allocate / free the architecture state (kernel stack, FPU image). */
int arch_proc_init(struct proc *p);
void arch_proc_fini(struct proc *p);

/* Prepare p to enter user mode at entry with stack pointer sp, all other
 * registers zero and a fresh FPU state, when it next leaves the kernel.
 * For the current process (execve) the new context also takes effect on
 * the CPU (page table, FS/GS bases, FPU). */
void arch_proc_set_user_entry(struct proc *p, uaddr_t entry, uaddr_t sp);

/* Make child resume in user mode where the current process entered the
 * kernel, with return value 0 and the same registers, FS/GS and FPU. */
void arch_proc_fork(struct proc *child);

/* Give a new address space the kernel's half of the page table. */
void arch_space_init(struct space *s);

/* Switch from the scheduler to p (returns when p gives the CPU back), and
 * from the current process back to the scheduler. */
void arch_switch_to(struct proc *p);
void arch_switch_to_scheduler(struct proc *p);

/* Load the kernel's own page table (no user half). */
void arch_space_deactivate(void);

#endif
