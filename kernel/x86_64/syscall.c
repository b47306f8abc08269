/* kernel/x86_64/syscall.c — the x86-64 system-call table (Linux's
 * numbers), the dispatcher syscall_entry (trap_entry.S) calls, and the
 * calls only x86-64 has (arch_prctl).
 *
 * Convention: number in RAX; arguments in RDI, RSI, RDX, R10, R8, R9; the
 * result (or -errno) back in RAX. Like Linux, only the low 32 bits of RAX
 * select the call. */
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <mm/errno.h>
#include <mm/uaccess.h>

#include "cpu.h"
#include "trap.h"

static int64_t sys_arch_prctl(SYSCALL_ARGS);

static const syscall_fn syscall_table[] = {
    [0] = sys_read,
    [1] = sys_write,
    [2] = sys_open,
    [3] = sys_close,
    [4] = sys_stat,
    [5] = sys_fstat,
    [6] = sys_lstat,
    [7] = sys_poll,
    [8] = sys_lseek,
    [9] = sys_mmap,
    [10] = sys_mprotect,
    [11] = sys_munmap,
    [12] = sys_brk,
    [13] = sys_rt_sigaction,
    [14] = sys_rt_sigprocmask,
    [15] = sys_rt_sigreturn,
    [16] = sys_ioctl,
    [17] = sys_pread64,
    [18] = sys_pwrite64,
    [19] = sys_readv,
    [20] = sys_writev,
    [21] = sys_access,
    [22] = sys_pipe,
    [24] = sys_sched_yield,
    [25] = sys_mremap,
    [26] = sys_msync,
    [27] = sys_mincore,
    [28] = sys_madvise,
    [32] = sys_dup,
    [33] = sys_dup2,
    [34] = sys_pause,
    [35] = sys_nanosleep,
    [39] = sys_getpid,
    [56] = sys_clone,
    [57] = sys_fork,
    [58] = sys_fork, /* vfork */
    [59] = sys_execve,
    [60] = sys_exit,
    [61] = sys_wait4,
    [62] = sys_kill,
    [63] = sys_uname,
    [72] = sys_fcntl,
    [76] = sys_truncate,
    [77] = sys_ftruncate,
    [79] = sys_getcwd,
    [82] = sys_rename,
    [83] = sys_mkdir,
    [84] = sys_rmdir,
    [85] = sys_creat,
    [87] = sys_unlink,
    [96] = sys_gettimeofday,
    [97] = sys_getrlimit,
    [99] = sys_sysinfo,
    [102] = sys_getuid,
    [104] = sys_getuid, /* getgid */
    [107] = sys_getuid, /* geteuid */
    [108] = sys_getuid, /* getegid */
    [110] = sys_getppid,
    [127] = sys_rt_sigpending,
    [130] = sys_rt_sigsuspend,
    [131] = sys_sigaltstack,
    [158] = sys_arch_prctl,
    [160] = sys_setrlimit,
    [169] = sys_reboot,
    [186] = sys_gettid,
    [200] = sys_tkill,
    [201] = sys_time,
    [204] = sys_sched_getaffinity,
    [217] = sys_getdents64,
    [218] = sys_set_tid_address,
    [228] = sys_clock_gettime,
    [229] = sys_clock_getres,
    [230] = sys_clock_nanosleep,
    [231] = sys_exit_group,
    [234] = sys_tgkill,
    [247] = sys_waitid,
    [257] = sys_openat,
    [258] = sys_mkdirat,
    [262] = sys_newfstatat,
    [263] = sys_unlinkat,
    [264] = sys_renameat,
    [269] = sys_faccessat,
    [271] = sys_ppoll,
    [273] = sys_set_robust_list,
    [292] = sys_dup3,
    [293] = sys_pipe2,
    [302] = sys_prlimit64,
    [316] = sys_renameat2,
    [318] = sys_getrandom,
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
    uint32_t nr = (uint32_t)tf->rax;
    syscall_fn fn = nr < ARRAY_SIZE(syscall_table) ? syscall_table[nr] : NULL;
    current->arch.tf = tf;
    if (!fn) {
        tf->rax = (uint64_t)syscall_unknown(nr);
        proc_check_signals(tf);
        return;
    }
    tf->rax = (uint64_t)fn(tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9);
    proc_check_signals(tf);
}

/* ---- x86-64 only ---- */

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

#define USER_TOP 0x7ffffffff000ull

static int64_t sys_arch_prctl(SYSCALL_ARGS)
{
    int code = (int)a0;
    uint64_t addr = a1;
    switch (code) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
        if (addr >= USER_TOP)
            return -EPERM;
        if (code == ARCH_SET_FS) {
            current->arch.fs_base = addr;
            wrmsr(MSR_FS_BASE, addr);
        } else {
            current->arch.gs_base = addr;
            wrmsr(MSR_GS_BASE, addr);
        }
        return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS: {
        uint64_t v = code == ARCH_GET_FS ? current->arch.fs_base : current->arch.gs_base;
        return copy_to_user(current->space, addr, &v, sizeof v) ? -EFAULT : 0;
    }
    }
    return -EINVAL;
}

uint32_t machine_hwcap(void) { return cpu_features.hwcap; }
