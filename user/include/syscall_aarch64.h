/* user/include/syscall_aarch64.h — the aarch64 parts of libsyscall
 * (syscall.h includes this instead of its x86-64 parts): Linux's generic
 * system-call numbers, the SVC instruction, struct stat's generic layout
 * and the open flag whose value differs.
 *
 * aarch64 has no open, stat, unlink, fork or arch_prctl: there are no
 * numbers for them here, and syscall.c builds those wrappers from openat,
 * newfstatat, unlinkat and clone (arch_prctl returns -ENOSYS). */
#ifndef USER_SYSCALL_AARCH64_H
#define USER_SYSCALL_AARCH64_H

/* ---- numbers (include/uapi/asm-generic/unistd.h) ---- */
#define SYS_read 63
#define SYS_write 64
#define SYS_close 57
#define SYS_fstat 80
#define SYS_lseek 62
#define SYS_mmap 222
#define SYS_mprotect 226
#define SYS_munmap 215
#define SYS_brk 214
#define SYS_rt_sigaction 134
#define SYS_rt_sigprocmask 135
#define SYS_ioctl 29
#define SYS_pread64 67
#define SYS_pwrite64 68
#define SYS_readv 65
#define SYS_writev 66
#define SYS_mremap 216
#define SYS_msync 227
#define SYS_mincore 232
#define SYS_madvise 233
#define SYS_nanosleep 101
#define SYS_getpid 172
#define SYS_execve 221
#define SYS_exit 93
#define SYS_wait4 260
#define SYS_kill 129
#define SYS_uname 160
#define SYS_reboot 142
#define SYS_gettid 178
#define SYS_set_tid_address 96
#define SYS_clock_gettime 113
#define SYS_exit_group 94
#define SYS_openat 56
#define SYS_newfstatat 79
#define SYS_set_robust_list 99
#define SYS_prlimit64 261
#define SYS_getrandom 278
#define SYS_sysinfo 179
#define SYS_sched_yield 124
#define SYS_fcntl 25
#define SYS_clone 220
#define SYS_unlinkat 35
#define SYS_capget 90
#define SYS_capset 91
#define SYS_mkdirat 34
#define SYS_dup 23
#define SYS_dup3 24
#define SYS_getcwd 17
#define SYS_ftruncate 46
#define SYS_faccessat 48
#define SYS_getdents64 61
#define SYS_ppoll 73
#define SYS_rt_sigreturn 139
#define SYS_rt_sigpending 136
#define SYS_rt_sigsuspend 133
#define SYS_sigaltstack 132
#define SYS_tkill 130
#define SYS_tgkill 131
#define SYS_waitid 95
#define SYS_getuid 174
#define SYS_mmcore_vminfo 1000 /* mmcore only (-ENOSYS on Linux) */
#define SYS_getppid 173
#define SYS_getrlimit 163
#define SYS_setrlimit 164
#define SYS_clock_getres 114
#define SYS_clock_nanosleep 115
#define SYS_gettimeofday 169
#define SYS_sched_getaffinity 123
#define USER_STACK_TOP 0x1000000000000UL /* the end of user space for programs */
#define USER_ARCH_NAME "aarch64"

#define O_DIRECTORY 040000

/* ---- the raw instruction: SVC #0, number in x8, arguments in x0-x5 ---- */
static inline long syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d, x4 __asm__("x4") = e, x5 __asm__("x5") = f;
    __asm__ volatile("svc #0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
    return x0;
}

/* struct stat as aarch64 fstat/newfstatat fill it (the generic layout). */
struct stat {
    unsigned long st_dev, st_ino;
    unsigned st_mode, st_nlink, st_uid, st_gid;
    unsigned long st_rdev, pad1;
    long st_size;
    int st_blksize, pad2;
    long st_blocks;
    unsigned long st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
    unsigned unused[2];
};

#endif
