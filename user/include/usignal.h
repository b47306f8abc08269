/* user/include/usignal.h — signals for test programs: Linux's x86-64
 * numbers, flags and codes, siginfo_t and the ucontext a handler gets
 * (the kernel's layout, which is what the frame holds), and wrappers that
 * install handlers with this library's restorer (x86-64 requires
 * SA_RESTORER). Nothing here is specific to mmcore, except
 * mmcore_vminfo. */
#ifndef USER_USIGNAL_H
#define USER_USIGNAL_H

#include <syscall.h>

#if !defined(__aarch64__) /* (aarch64's are in syscall_aarch64.h) */
#define SYS_rt_sigreturn 15
#define SYS_pause 34
#define SYS_clone 56
#define SYS_getuid 102
#define SYS_getppid 110
#define SYS_rt_sigpending 127
#define SYS_rt_sigsuspend 130
#define SYS_sigaltstack 131
#define SYS_tkill 200
#define SYS_tgkill 234
#define SYS_waitid 247
#define SYS_mmcore_vminfo 1000 /* mmcore only (-ENOSYS on Linux) */
#endif

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGUSR1 10
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGCONT 18
#define SIGSTOP 19
#define SIGWINCH 28
#define SIGSYS 31
#define SIGRTMIN 34

#define SA_NOCLDSTOP 0x00000001UL
#define SA_NOCLDWAIT 0x00000002UL
#define SA_SIGINFO 0x00000004UL
#define SA_UNSUPPORTED 0x00000400UL
#define SA_RESTORER 0x04000000UL
#define SA_ONSTACK 0x08000000UL
#define SA_RESTART 0x10000000UL
#define SA_NODEFER 0x40000000UL
#define SA_RESETHAND 0x80000000UL

#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)
#define MINSIGSTKSZ 2048

#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TKILL (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRERR 2
#define ILL_ILLOPN 2
#define FPE_INTDIV 1
#define CLD_EXITED 1
#define CLD_KILLED 2

#define P_ALL 0
#define P_PID 1
#define WEXITED 4
#define WNOWAIT 0x01000000

#define sig_mask(s) (1UL << ((s) - 1))

typedef struct {
    int si_signo, si_errno, si_code, si_pad0;
    union {
        struct {
            int si_pid;
            unsigned si_uid;
            int si_status;
        };
        void *si_addr;
        char si_bytes[112];
    };
} siginfo_t;

typedef struct {
    void *ss_sp;
    int ss_flags;
    size_t ss_size;
} stack_t;

#if defined(__aarch64__)
/* aarch64: the registers, then records ({magic, size}) for the FP/SIMD
 * state and the fault's ESR, ending with a zero record. */
struct sigcontext {
    unsigned long fault_address;
    unsigned long regs[31];
    unsigned long sp, pc, pstate;
    unsigned char reserved[4096] __attribute__((aligned(16)));
};

typedef struct ucontext {
    unsigned long uc_flags;
    struct ucontext *uc_link;
    stack_t uc_stack;
    unsigned long uc_sigmask;
    unsigned char uc_unused[120];
    struct sigcontext uc_mcontext;
} ucontext_t;
#else
struct sigcontext {
    unsigned long r8, r9, r10, r11, r12, r13, r14, r15;
    unsigned long rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    unsigned short cs, gs, fs, ss;
    unsigned long err, trapno, oldmask, cr2;
    unsigned char *fpstate; /* fxsave image (512 bytes), or more with XSAVE */
    unsigned long reserved[8];
};

typedef struct ucontext {
    unsigned long uc_flags;
    struct ucontext *uc_link;
    stack_t uc_stack;
    struct sigcontext uc_mcontext;
    unsigned long uc_sigmask;
} ucontext_t;
#endif

typedef void (*sa_handler_t)(int sig, siginfo_t *si, void *uc);

void __restore_rt(void);

/* Install handler for sig with flags (SA_RESTORER is added) and mask.
 * handler may also be SIG_DFL or SIG_IGN. Returns 0 or -errno. */
static inline long sig_handle(int sig, unsigned long handler, unsigned long flags, unsigned long mask)
{
    struct k_sigaction act = {handler, flags | SA_RESTORER, (unsigned long)__restore_rt, mask};
    return sys_rt_sigaction(sig, &act, 0);
}
static inline long sig_install(int sig, sa_handler_t h, unsigned long flags, unsigned long mask)
{
    return sig_handle(sig, (unsigned long)h, flags | SA_SIGINFO, mask);
}
static inline unsigned long sig_blocked(void)
{
    unsigned long old = 0;
    sys_rt_sigprocmask(SIG_BLOCK, 0, &old);
    return old;
}
static inline long sys_sigaltstack(const stack_t *ss, stack_t *old) { return syscall2(SYS_sigaltstack, ss, old); }
static inline long sys_tgkill(int tgid, int tid, int sig) { return syscall3(SYS_tgkill, tgid, tid, sig); }
static inline long sys_getppid(void) { return syscall0(SYS_getppid); }
static inline long sys_getuid(void) { return syscall0(SYS_getuid); }
static inline long sys_pause(void)
{
#ifdef SYS_pause
    return syscall0(SYS_pause);
#else
    return syscall4(SYS_ppoll, 0, 0, 0, 0); /* what C libraries do without pause */
#endif
}
static inline long sys_rt_sigsuspend(unsigned long mask) { return syscall2(SYS_rt_sigsuspend, &mask, 8); }
static inline long sys_rt_sigpending(unsigned long *set) { return syscall2(SYS_rt_sigpending, set, 8); }
static inline long sys_waitid(int idtype, int id, siginfo_t *si, int options)
{
    return syscall5(SYS_waitid, idtype, id, si, options, 0);
}
static inline long sys_sched_yield(void) { return syscall0(SYS_sched_yield); }
static inline long sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    return sys_nanosleep(&ts, 0);
}

/* mmcore only: the frame behind a user page (see docs/kernel.md). */
struct mmcore_page_info {
    unsigned long frame;      /* physical address; 0: no frame yet */
    unsigned refcount, prot;  /* the frame's reference count; PROT_* of the leaf */
};
#ifndef ENODEV
#define ENODEV 19
#endif
#ifndef EINTR
#define EINTR 4
#endif

#define MMCORE_VMINFO_FREE 0
#define MMCORE_VMINFO_TOTAL 1
#define MMCORE_VMINFO_PAGE 2
static inline long mmcore_vminfo(int op, const void *addr, struct mmcore_page_info *out)
{
    return syscall3(SYS_mmcore_vminfo, op, addr, out);
}

/* Whether this runs on mmcore (uname's release says so). */
static inline int on_mmcore(void)
{
    static struct utsname u;
    if (sys_uname(&u))
        return 0;
    for (const char *p = u.release; *p; p++)
        if (p[0] == 'm' && p[1] == 'm' && p[2] == 'c')
            return 1;
    return 0;
}

#endif
