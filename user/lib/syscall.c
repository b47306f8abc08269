/* user/lib/syscall.c — libsyscall's typed wrappers (see syscall.h). */
#include <syscall.h>

long sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
    return syscall6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, off);
}
long sys_munmap(void *addr, size_t len) { return syscall2(SYS_munmap, addr, len); }
long sys_mprotect(void *addr, size_t len, int prot) { return syscall3(SYS_mprotect, addr, len, prot); }
long sys_brk(void *addr) { return syscall1(SYS_brk, addr); }
long sys_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr)
{
    return syscall5(SYS_mremap, old, old_len, new_len, flags, new_addr);
}
long sys_madvise(void *addr, size_t len, int advice) { return syscall3(SYS_madvise, addr, len, advice); }
long sys_msync(void *addr, size_t len, int flags) { return syscall3(SYS_msync, addr, len, flags); }
long sys_mincore(void *addr, size_t len, unsigned char *vec) { return syscall3(SYS_mincore, addr, len, vec); }

long sys_read(int fd, void *buf, size_t n) { return syscall3(SYS_read, fd, buf, n); }
long sys_write(int fd, const void *buf, size_t n) { return syscall3(SYS_write, fd, buf, n); }
long sys_readv(int fd, const struct iovec *iov, int cnt) { return syscall3(SYS_readv, fd, iov, cnt); }
long sys_writev(int fd, const struct iovec *iov, int cnt) { return syscall3(SYS_writev, fd, iov, cnt); }
long sys_pread64(int fd, void *buf, size_t n, long off) { return syscall4(SYS_pread64, fd, buf, n, off); }
long sys_pwrite64(int fd, const void *buf, size_t n, long off) { return syscall4(SYS_pwrite64, fd, buf, n, off); }
/* open, unlink, fork and arch_prctl exist on x86-64 only; elsewhere the
 * calls that replaced them do the same. */
long sys_open(const char *path, int flags, int mode)
{
#ifdef SYS_open
    return syscall3(SYS_open, path, flags, mode);
#else
    return syscall4(SYS_openat, AT_FDCWD, path, flags, mode);
#endif
}
long sys_openat(int dirfd, const char *path, int flags, int mode) { return syscall4(SYS_openat, dirfd, path, flags, mode); }
long sys_close(int fd) { return syscall1(SYS_close, fd); }
long sys_lseek(int fd, long off, int whence) { return syscall3(SYS_lseek, fd, off, whence); }
long sys_fstat(int fd, struct stat *st) { return syscall2(SYS_fstat, fd, st); }
long sys_newfstatat(int dirfd, const char *path, struct stat *st, int flags)
{
    return syscall4(SYS_newfstatat, dirfd, path, st, flags);
}
long sys_ioctl(int fd, unsigned long cmd, void *arg) { return syscall3(SYS_ioctl, fd, cmd, arg); }
long sys_unlink(const char *path)
{
#ifdef SYS_unlink
    return syscall1(SYS_unlink, path);
#else
    return syscall3(SYS_unlinkat, AT_FDCWD, path, 0);
#endif
}

long sys_getpid(void) { return syscall0(SYS_getpid); }
long sys_fork(void)
{
#ifdef SYS_fork
    return syscall0(SYS_fork);
#else
    return syscall5(SYS_clone, SIGCHLD, 0, 0, 0, 0);
#endif
}
long sys_execve(const char *path, char *const argv[], char *const envp[])
{
    return syscall3(SYS_execve, path, argv, envp);
}
long sys_kill(int pid, int sig) { return syscall2(SYS_kill, pid, sig); }
long sys_rt_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old)
{
    return syscall4(SYS_rt_sigaction, sig, act, old, 8);
}
long sys_rt_sigprocmask(int how, const unsigned long *set, unsigned long *old)
{
    return syscall4(SYS_rt_sigprocmask, how, set, old, 8);
}
long sys_wait4(int pid, int *status, int options, void *rusage) { return syscall4(SYS_wait4, pid, status, options, rusage); }
long sys_gettid(void) { return syscall0(SYS_gettid); }
void sys_exit(int code)
{
    syscall1(SYS_exit, code);
    __builtin_unreachable();
}
void sys_exit_group(int code)
{
    syscall1(SYS_exit_group, code);
    __builtin_unreachable();
}
long sys_arch_prctl(int code, unsigned long addr)
{
#ifdef SYS_arch_prctl
    return syscall2(SYS_arch_prctl, code, addr);
#else
    return -ENOSYS;
#endif
}
long sys_set_tid_address(int *tidptr) { return syscall1(SYS_set_tid_address, tidptr); }
long sys_set_robust_list(void *head, size_t len) { return syscall2(SYS_set_robust_list, head, len); }
long sys_clock_gettime(int clock, struct timespec *ts) { return syscall2(SYS_clock_gettime, clock, ts); }
long sys_nanosleep(const struct timespec *req, struct timespec *rem) { return syscall2(SYS_nanosleep, req, rem); }
long sys_uname(struct utsname *u) { return syscall1(SYS_uname, u); }
long sys_getrandom(void *buf, size_t len, unsigned flags) { return syscall3(SYS_getrandom, buf, len, flags); }
long sys_prlimit64(int pid, int resource, const struct rlimit *new_limit, struct rlimit *old_limit)
{
    return syscall4(SYS_prlimit64, pid, resource, new_limit, old_limit);
}
long sys_reboot(unsigned magic1, unsigned magic2, unsigned cmd, void *arg)
{
    return syscall4(SYS_reboot, magic1, magic2, cmd, arg);
}

/* The signal restorer (see usignal.h): a handler returns here, with RSP
 * just above the frame's return address; rt_sigreturn takes the frame
 * apart and never returns. */
#if defined(__x86_64__)
__asm__(".text\n"
        ".globl __restore_rt\n"
        ".type __restore_rt, @function\n"
        "__restore_rt:\n"
        "    movq $15, %rax\n"
        "    syscall\n"
        "    hlt\n"
        ".size __restore_rt, . - __restore_rt\n");
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl __restore_rt\n"
        ".type __restore_rt, %function\n"
        "__restore_rt:\n"
        "    mov x8, #139\n"
        "    svc #0\n"
        "    brk #0\n"
        ".size __restore_rt, . - __restore_rt\n");
#endif
