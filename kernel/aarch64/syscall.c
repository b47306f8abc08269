/* kernel/aarch64/syscall.c — the aarch64 system-call table (Linux's
 * generic numbers, include/uapi/asm-generic/unistd.h), the dispatcher
 * trap_dispatch calls for an SVC, and the translations between the
 * generic ABI and the kernel's x86-64-shaped handlers.
 *
 * Convention: SVC #0 with the number in x8 and arguments in x0-x5; the
 * result (or -errno) comes back in x0, every other register is kept. Like
 * Linux, only the low 32 bits of x8 select the call.
 *
 * aarch64 has no open, stat, unlink, fork and the other calls that the
 * *at and clone calls replaced; C libraries use those. What differs in
 * the calls both have:
 *   - open flags: O_DIRECTORY, O_NOFOLLOW, O_DIRECT and O_LARGEFILE have
 *     other values (040000, 0100000, 0200000, 0400000 here; 0200000,
 *     0400000, 040000, 0100000 on x86-64): translated on the way in
 *     (openat) and out (fcntl F_GETFL);
 *   - clone's last two arguments are (tls, child_tid), not (child_tid,
 *     tls);
 *   - struct stat has the generic layout (arch_abi.h);
 *   - the address of munmap, mprotect, mremap (the old one), madvise,
 *     mincore and msync may carry a tag in its top byte (TBI): Linux
 *     untags it first, extending bit 55 over bits 63-56, so a tagged user
 *     address means the untagged one (mmap, brk and user buffers are not
 *     untagged). */
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <mm/errno.h>

#include "trap.h"

/* Open flags whose values differ, generic (aarch64) and x86-64. */
#define A64_O_DIRECTORY 040000u
#define A64_O_NOFOLLOW 0100000u
#define A64_O_DIRECT 0200000u
#define A64_O_LARGEFILE 0400000u
#define X86_O_DIRECT 040000u
#define X86_O_LARGEFILE 0100000u
#define X86_O_DIRECTORY 0200000u
#define X86_O_NOFOLLOW 0400000u
#define OPEN_SWAPPED (A64_O_DIRECTORY | A64_O_NOFOLLOW | A64_O_DIRECT | A64_O_LARGEFILE)

static uint64_t open_flags_in(uint64_t f)
{
    uint64_t out = f & ~(uint64_t)OPEN_SWAPPED;
    out |= (f & A64_O_DIRECTORY) ? X86_O_DIRECTORY : 0;
    out |= (f & A64_O_NOFOLLOW) ? X86_O_NOFOLLOW : 0;
    out |= (f & A64_O_DIRECT) ? X86_O_DIRECT : 0;
    out |= (f & A64_O_LARGEFILE) ? X86_O_LARGEFILE : 0;
    return out;
}

static uint64_t open_flags_out(uint64_t f)
{
    uint64_t out = f & ~(uint64_t)OPEN_SWAPPED;
    out |= (f & X86_O_DIRECTORY) ? A64_O_DIRECTORY : 0;
    out |= (f & X86_O_NOFOLLOW) ? A64_O_NOFOLLOW : 0;
    out |= (f & X86_O_DIRECT) ? A64_O_DIRECT : 0;
    out |= (f & X86_O_LARGEFILE) ? A64_O_LARGEFILE : 0;
    return out;
}

static int64_t a64_openat(SYSCALL_ARGS) { return sys_openat(a0, a1, open_flags_in(a2), a3, a4, a5); }

#define F_GETFL 3
#define F_SETFL 4

static int64_t a64_fcntl(SYSCALL_ARGS)
{
    unsigned cmd = (unsigned)a1;
    if (cmd == F_SETFL)
        a2 = open_flags_in(a2);
    int64_t r = sys_fcntl(a0, a1, a2, a3, a4, a5);
    if (cmd == F_GETFL && r >= 0)
        r = (int64_t)open_flags_out((uint64_t)r);
    return r;
}

/* Linux's untagged_addr(): bit 55 copied into the top byte. */
static uint64_t untag(uint64_t a) { return (uint64_t)((int64_t)(a << 8) >> 8); }

static int64_t a64_munmap(SYSCALL_ARGS) { return sys_munmap(untag(a0), a1, a2, a3, a4, a5); }
static int64_t a64_mprotect(SYSCALL_ARGS) { return sys_mprotect(untag(a0), a1, a2, a3, a4, a5); }
static int64_t a64_mremap(SYSCALL_ARGS) { return sys_mremap(untag(a0), a1, a2, a3, a4, a5); }
static int64_t a64_madvise(SYSCALL_ARGS) { return sys_madvise(untag(a0), a1, a2, a3, a4, a5); }
static int64_t a64_mincore(SYSCALL_ARGS) { return sys_mincore(untag(a0), a1, a2, a3, a4, a5); }
static int64_t a64_msync(SYSCALL_ARGS) { return sys_msync(untag(a0), a1, a2, a3, a4, a5); }

/* clone(flags, stack, parent_tid, tls, child_tid) */
static int64_t a64_clone(SYSCALL_ARGS) { return sys_clone(a0, a1, a2, a4, a3, a5); }

static const syscall_fn syscall_table[] = {
    [17] = sys_getcwd,
    [23] = sys_dup,
    [24] = sys_dup3,
    [25] = a64_fcntl,
    [29] = sys_ioctl,
    [34] = sys_mkdirat,
    [35] = sys_unlinkat,
    [38] = sys_renameat,
    [45] = sys_truncate,
    [46] = sys_ftruncate,
    [48] = sys_faccessat,
    [56] = a64_openat,
    [57] = sys_close,
    [59] = sys_pipe2,
    [61] = sys_getdents64,
    [62] = sys_lseek,
    [63] = sys_read,
    [64] = sys_write,
    [65] = sys_readv,
    [66] = sys_writev,
    [67] = sys_pread64,
    [68] = sys_pwrite64,
    [73] = sys_ppoll,
    [79] = sys_newfstatat,
    [80] = sys_fstat,
    [93] = sys_exit,
    [94] = sys_exit_group,
    [95] = sys_waitid,
    [96] = sys_set_tid_address,
    [99] = sys_set_robust_list,
    [101] = sys_nanosleep,
    [113] = sys_clock_gettime,
    [114] = sys_clock_getres,
    [115] = sys_clock_nanosleep,
    [123] = sys_sched_getaffinity,
    [124] = sys_sched_yield,
    [129] = sys_kill,
    [130] = sys_tkill,
    [131] = sys_tgkill,
    [132] = sys_sigaltstack,
    [133] = sys_rt_sigsuspend,
    [134] = sys_rt_sigaction,
    [135] = sys_rt_sigprocmask,
    [136] = sys_rt_sigpending,
    [139] = sys_rt_sigreturn,
    [142] = sys_reboot,
    [160] = sys_uname,
    [163] = sys_getrlimit,
    [164] = sys_setrlimit,
    [169] = sys_gettimeofday,
    [172] = sys_getpid,
    [173] = sys_getppid,
    [174] = sys_getuid,
    [175] = sys_getuid, /* geteuid */
    [176] = sys_getuid, /* getgid */
    [177] = sys_getuid, /* getegid */
    [178] = sys_gettid,
    [179] = sys_sysinfo,
    [214] = sys_brk,
    [215] = a64_munmap,
    [216] = a64_mremap,
    [220] = a64_clone,
    [221] = sys_execve,
    [222] = sys_mmap,
    [226] = a64_mprotect,
    [227] = a64_msync,
    [232] = a64_mincore,
    [233] = a64_madvise,
    [260] = sys_wait4,
    [261] = sys_prlimit64,
    [276] = sys_renameat2,
    [278] = sys_getrandom,
    [439] = sys_faccessat, /* faccessat2: the same flags */
    [MMCORE_SYS_VMINFO] = sys_mmcore_vminfo,
};

/* Each unknown number is logged the first time it is seen. */
static uint8_t unknown_logged[4096 / 8];

int64_t syscall_unknown(uint64_t nr)
{
    bool first = true;
    if (nr < sizeof unknown_logged * 8) {
        first = !(unknown_logged[nr / 8] & (1u << (nr % 8)));
        unknown_logged[nr / 8] |= (uint8_t)(1u << (nr % 8));
    }
    if (first)
        kprintf("mmcore: process %d (%s): system call %lu is not implemented (-ENOSYS)\n",
                current->pid, current->name, nr);
    return -ENOSYS;
}

void syscall_dispatch(struct trap_frame *tf)
{
    uint32_t nr = (uint32_t)tf->x[8];
    syscall_fn fn = nr < ARRAY_SIZE(syscall_table) ? syscall_table[nr] : NULL;
    current->arch.tf = tf;
    current->arch.syscall_x0 = tf->x[0];
    current->arch.in_syscall = true;
    if (!fn)
        tf->x[0] = (uint64_t)syscall_unknown(nr);
    else
        tf->x[0] = (uint64_t)fn(tf->x[0], tf->x[1], tf->x[2], tf->x[3], tf->x[4], tf->x[5]);
    proc_check_signals(tf);
    current->arch.in_syscall = false;
}
