/* user/include/syscall.h — libsyscall: Linux x86-64 system calls for
 * programs built without a C library (and aarch64's: syscall_aarch64.h
 * replaces the parts marked x86-64 when __aarch64__ is defined).
 *
 * Each wrapper has the C types of the call and returns what the kernel
 * returned: a result >= 0, or a negative errno (-EINVAL, ...) in [-4095,
 * -1]; sys_failed() tells which. Nothing sets a global errno. mmap returns
 * the address as a long for the same reason. */
#ifndef USER_SYSCALL_H
#define USER_SYSCALL_H

#include <stddef.h>
#include <stdint.h>

#if defined(__aarch64__)
#include <syscall_aarch64.h>
#else
/* ---- numbers (x86-64) ---- */
#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_stat 4
#define SYS_fstat 5
#define SYS_lseek 8
#define SYS_mmap 9
#define SYS_mprotect 10
#define SYS_munmap 11
#define SYS_brk 12
#define SYS_rt_sigaction 13
#define SYS_rt_sigprocmask 14
#define SYS_ioctl 16
#define SYS_pread64 17
#define SYS_pwrite64 18
#define SYS_readv 19
#define SYS_writev 20
#define SYS_mremap 25
#define SYS_msync 26
#define SYS_mincore 27
#define SYS_madvise 28
#define SYS_nanosleep 35
#define SYS_getpid 39
#define SYS_fork 57
#define SYS_execve 59
#define SYS_exit 60
#define SYS_wait4 61
#define SYS_kill 62
#define SYS_uname 63
#define SYS_unlink 87
#define SYS_arch_prctl 158
#define SYS_reboot 169
#define SYS_gettid 186
#define SYS_set_tid_address 218
#define SYS_clock_gettime 228
#define SYS_exit_group 231
#define SYS_openat 257
#define SYS_newfstatat 262
#define SYS_set_robust_list 273
#define SYS_prlimit64 302
#define SYS_getrandom 318
#define SYS_sched_yield 24
#define SYS_fcntl 72
#define SYS_sysinfo 99
#define USER_STACK_TOP 0x7ffffffff000UL /* the end of user space for programs */
#define USER_ARCH_NAME "x86_64"
#endif

/* ---- constants ---- */
#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP 0x02000000

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x0100
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_STACK 0x20000
#define MAP_FIXED_NOREPLACE 0x100000

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4

#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define MADV_FREE 8

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_APPEND 02000
#ifndef O_DIRECTORY
#define O_DIRECTORY 0200000 /* (x86-64; aarch64: 040000) */
#endif
#define O_CLOEXEC 02000000
#define AT_FDCWD (-100)

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

#define TIOCGWINSZ 0x5413

#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7

#define GRND_NONBLOCK 1
#define GRND_RANDOM 2

#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc

#define SIGKILL 9
#define SIGSEGV 11
#define SIGTERM 15
#define SIGCHLD 17
#define SIG_DFL 0UL
#define SIG_IGN 1UL
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

struct k_sigaction {
    unsigned long handler, flags, restorer, mask;
};

#define WNOHANG 1
/* wait status decoding */
#define WIFEXITED(s) (((s) & 0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WIFSIGNALED(s) (((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define WTERMSIG(s) ((s) & 0x7f)

#define PAGE_SIZE 4096UL

/* errno values */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EEXIST 17
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define EMFILE 24
#define ENOTTY 25
#define ESPIPE 29
#define ERANGE 34
#define ENAMETOOLONG 36
#define ENOSYS 38
#define EOVERFLOW 75

/* ---- types ---- */
struct timespec {
    long tv_sec, tv_nsec;
};

struct iovec {
    void *iov_base;
    size_t iov_len;
};

#if !defined(__aarch64__)
struct stat {
    unsigned long st_dev, st_ino, st_nlink;
    unsigned st_mode, st_uid, st_gid, pad0;
    unsigned long st_rdev;
    long st_size, st_blksize, st_blocks;
    unsigned long st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
    long reserved[3];
};
#endif

struct utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

struct rlimit {
    unsigned long rlim_cur, rlim_max;
};

struct winsize {
    unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel;
};

#if !defined(__aarch64__)
/* ---- the raw instruction ---- */
static inline long syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#endif
#define syscall0(n) syscall6(n, 0, 0, 0, 0, 0, 0)
#define syscall1(n, a) syscall6(n, (long)(a), 0, 0, 0, 0, 0)
#define syscall2(n, a, b) syscall6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define syscall3(n, a, b, c) syscall6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define syscall4(n, a, b, c, d) syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define syscall5(n, a, b, c, d, e) syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

static inline int sys_failed(long r) { return (unsigned long)r > -4096UL; }

/* ---- memory ---- */
long sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long off);
long sys_munmap(void *addr, size_t len);
long sys_mprotect(void *addr, size_t len, int prot);
long sys_brk(void *addr);
long sys_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr);
long sys_madvise(void *addr, size_t len, int advice);
long sys_msync(void *addr, size_t len, int flags);
long sys_mincore(void *addr, size_t len, unsigned char *vec);

/* ---- files ---- */
long sys_read(int fd, void *buf, size_t n);
long sys_write(int fd, const void *buf, size_t n);
long sys_readv(int fd, const struct iovec *iov, int cnt);
long sys_writev(int fd, const struct iovec *iov, int cnt);
long sys_pread64(int fd, void *buf, size_t n, long off);
long sys_pwrite64(int fd, const void *buf, size_t n, long off);
long sys_open(const char *path, int flags, int mode);
long sys_openat(int dirfd, const char *path, int flags, int mode);
long sys_close(int fd);
long sys_lseek(int fd, long off, int whence);
long sys_fstat(int fd, struct stat *st);
long sys_newfstatat(int dirfd, const char *path, struct stat *st, int flags);
long sys_ioctl(int fd, unsigned long cmd, void *arg);
long sys_unlink(const char *path);

/* ---- processes, time, machine ---- */
long sys_getpid(void);
long sys_fork(void);
long sys_execve(const char *path, char *const argv[], char *const envp[]);
long sys_wait4(int pid, int *status, int options, void *rusage);
long sys_kill(int pid, int sig);
long sys_rt_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old);
long sys_rt_sigprocmask(int how, const unsigned long *set, unsigned long *old);
long sys_gettid(void);
__attribute__((noreturn)) void sys_exit(int code);
__attribute__((noreturn)) void sys_exit_group(int code);
long sys_arch_prctl(int code, unsigned long addr);
long sys_set_tid_address(int *tidptr);
long sys_set_robust_list(void *head, size_t len);
long sys_clock_gettime(int clock, struct timespec *ts);
long sys_nanosleep(const struct timespec *req, struct timespec *rem);
long sys_uname(struct utsname *u);
long sys_getrandom(void *buf, size_t len, unsigned flags);
long sys_prlimit64(int pid, int resource, const struct rlimit *new_limit, struct rlimit *old_limit);
long sys_reboot(unsigned magic1, unsigned magic2, unsigned cmd, void *arg);

#endif
