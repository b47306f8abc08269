/* kern/signal.h — signals: Linux's numbers, sigaction flags, siginfo
 * codes and layout, the restart codes system calls return when a signal
 * interrupts them, the portable delivery code (kernel/signal.c) and what
 * each architecture provides for it (kernel/<arch>/signal.c). */
#ifndef KERN_SIGNAL_H
#define KERN_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <mm/types.h>

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31

#define SIG_DFL 0
#define SIG_IGN 1

/* sigaction flags (the ones Linux reports back; others are dropped). */
#define SA_NOCLDSTOP 0x00000001u
#define SA_NOCLDWAIT 0x00000002u
#define SA_SIGINFO 0x00000004u
#define SA_EXPOSE_TAGBITS 0x00000800u
#define SA_RESTORER 0x04000000u
#define SA_ONSTACK 0x08000000u
#define SA_RESTART 0x10000000u
#define SA_NODEFER 0x40000000u
#define SA_RESETHAND 0x80000000u
#define SA_KNOWN_FLAGS (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_EXPOSE_TAGBITS | SA_RESTORER | \
                        SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND)

/* sigaltstack */
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1u << 31)
/* The smallest alternate stack sigaltstack accepts: x86-64's 2048 unless
 * the architecture's arch_proc.h says otherwise (aarch64 Linux: 5120). */
#ifdef ARCH_MINSIGSTKSZ
#define MINSIGSTKSZ ARCH_MINSIGSTKSZ
#else
#define MINSIGSTKSZ 2048
#endif

/* si_code values. */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TKILL (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN 1
#define BUS_ADRERR 2
#define ILL_ILLOPN 2
#define FPE_INTDIV 1
#define FPE_FLTDIV 3
#define FPE_FLTOVF 4
#define FPE_FLTUND 5
#define FPE_FLTRES 6
#define FPE_FLTINV 7
#define TRAP_BRKPT 1
#define TRAP_TRACE 2
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3

/* What a system call interrupted by a signal returns, as on Linux; never
 * seen by user space: the return path restarts the call or turns them into
 * -EINTR (kernel/signal.c decides, the architecture rewinds).
 *   ERESTARTSYS     restart if the handler has SA_RESTART (wait4, read)
 *   ERESTARTNOINTR  always restart
 *   ERESTARTNOHAND  restart only if no handler ran (pause, sigsuspend, poll) */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514

/* A pending signal's details: what its siginfo will say. */
struct sigpend {
    int32_t code;      /* si_code */
    int32_t pid;       /* si_pid (SI_USER, SI_TKILL, SIGCHLD) */
    uint64_t word;     /* si_addr for faults, si_status for SIGCHLD */
};

/* Linux's siginfo_t for 64-bit processes (the same on x86-64 and arm64):
 * 128 bytes, the union at offset 16. */
struct linux_siginfo {
    int32_t signo, err, code, pad0;
    union {
        struct { int32_t pid; uint32_t uid; int32_t status; int32_t pad; int64_t utime, stime; } child;
        struct { int32_t pid; uint32_t uid; uint64_t value; } kill;
        struct { uint64_t addr; } fault;
        uint8_t bytes[112];
    } u;
};
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo is 128 bytes");

struct proc;
struct trap_frame;
struct ksigaction;

/* A short name ("SIGSEGV"), or "signal" for one without a name here. */
const char *signal_name(int sig);

/* ---- kernel/signal.c ---- */

/* The bit of sig in a 64-bit signal set. */
static inline uint64_t sig_bit(int sig) { return 1ull << (sig - 1); }

/* Signals that can be neither caught, blocked nor ignored. */
#define SIG_UNBLOCKABLE (sig_bit(SIGKILL) | sig_bit(SIGSTOP))

/* Whether sig's default action here is to do nothing (SIGCHLD, SIGCONT,
 * SIGURG, SIGWINCH; the stop signals too: there is no job control). */
bool signal_default_ignored(int sig);

/* Send sig (1..NSIG) to p with the details in info (NULL: SI_KERNEL).
 * Dropped when p ignores it (process 1 ignores SIGKILL, SIGSTOP and every
 * signal it has no handler for when another process, or the kernel from
 * the scheduler, sends them); otherwise pending until p unblocks it; wakes
 * p from a sleep when it can be delivered. One instance of each signal is
 * pending at a time, as for Linux's standard signals. */
void signal_send(struct proc *p, int sig, const struct sigpend *info);

/* A synchronous signal for the current process caused by what it just
 * did (a fault, an exception, a frame that cannot be written): delivered
 * on the way back to user mode. If sig is blocked or ignored there, its
 * action becomes the default and it is unblocked, so it ends the process,
 * process 1 included, as Linux's force_sig does. addr is si_addr. */
void signal_force(int sig, int code, uaddr_t addr);

/* Whether signal_force(sig) would end the current process (no handler,
 * blocked or ignored) rather than run a handler. */
bool signal_force_is_fatal(int sig);

/* Forget pending signals that p now ignores (after rt_sigaction). */
void signal_discard_ignored(struct proc *p, int sig);

/* Deliver what is pending and unblocked to the current process, on its
 * way back to user mode through tf: run handlers (the architecture builds
 * their frames on the user stack), end the process for a fatal signal,
 * and restart or fail (-EINTR) an interrupted system call. Called as
 * proc_check_signals. */
void signal_deliver(struct trap_frame *tf);

/* sigaltstack's notion of "on the alternate stack" at user sp. */
bool signal_on_altstack(const struct proc *p, uaddr_t sp);

/* The sigaltstack flags user space sees at user sp: SS_DISABLE, or
 * SS_ONSTACK / 0, with SS_AUTODISARM if set. */
int32_t signal_altstack_flags(const struct proc *p, uaddr_t sp);

/* Install a new alternate stack (sigaltstack's rules: flags 0, SS_ONSTACK
 * or SS_DISABLE, optionally with SS_AUTODISARM; size at least
 * MINSIGSTKSZ) for the current process, whose user stack pointer is sp.
 * Returns 0, -EPERM while running on the current alternate stack, -EINVAL
 * for bad flags, -ENOMEM for a stack that is too small. */
int signal_altstack_set(uaddr_t ss_sp, int32_t ss_flags, uint64_t ss_size, uaddr_t sp);

/* Block set after a handler or sigreturn: SIGKILL and SIGSTOP never are. */
void signal_set_blocked(uint64_t set);

/* ---- provided by the architecture (kernel/<arch>/signal.c) ---- */

/* Build the signal frame for sig on the current process's user stack
 * (its alternate stack with SA_ONSTACK) and make tf enter act's handler
 * with the architecture's calling convention; mask is the blocked set the
 * frame saves for sigreturn. Returns 0, or -EFAULT when the frame cannot
 * be written (the caller then forces SIGSEGV). Saves and resets the FPU
 * state. */
int arch_signal_frame_push(struct trap_frame *tf, int sig, const struct linux_siginfo *info,
                           const struct ksigaction *act, uint64_t mask);

/* If tf returns from a system call that failed with an -ERESTART* code,
 * make it restart (handler false: no handler runs, or a handler with
 * SA_RESTART for ERESTARTSYS) or fail with -EINTR. restart_sys says
 * whether ERESTARTSYS restarts. Does nothing for other returns, and acts
 * once per system call. */
void arch_signal_syscall_fixup(struct trap_frame *tf, bool handler, bool restart_sys);

/* The user stack pointer the current process will return with. */
uaddr_t arch_signal_user_sp(void);

#endif
