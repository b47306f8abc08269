/* kern/syscall.h — the system calls, Linux semantics, in portable form.
 *
 * Each handler receives the six raw argument registers and names the ones
 * it uses on its first lines, converting them as Linux does (an int
 * argument uses the low 32 bits). It returns a value or a negative errno.
 * The architecture's table (x86_64/syscall.c) maps Linux's numbers for that
 * architecture to these handlers. docs/kernel.md explains how to add one. */
#ifndef KERN_SYSCALL_H
#define KERN_SYSCALL_H

#include <stdint.h>

#define SYSCALL_ARGS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5
typedef int64_t (*syscall_fn)(SYSCALL_ARGS);

/* memory (sys_mm.c) */
int64_t sys_mmap(SYSCALL_ARGS);
int64_t sys_munmap(SYSCALL_ARGS);
int64_t sys_mprotect(SYSCALL_ARGS);
int64_t sys_brk(SYSCALL_ARGS);
int64_t sys_mremap(SYSCALL_ARGS);
int64_t sys_madvise(SYSCALL_ARGS);
int64_t sys_msync(SYSCALL_ARGS);
int64_t sys_mincore(SYSCALL_ARGS);

/* files (sys_fs.c) */
int64_t sys_read(SYSCALL_ARGS);
int64_t sys_write(SYSCALL_ARGS);
int64_t sys_readv(SYSCALL_ARGS);
int64_t sys_writev(SYSCALL_ARGS);
int64_t sys_pread64(SYSCALL_ARGS);
int64_t sys_pwrite64(SYSCALL_ARGS);
int64_t sys_open(SYSCALL_ARGS);
int64_t sys_openat(SYSCALL_ARGS);
int64_t sys_creat(SYSCALL_ARGS);
int64_t sys_close(SYSCALL_ARGS);
int64_t sys_lseek(SYSCALL_ARGS);
int64_t sys_fstat(SYSCALL_ARGS);
int64_t sys_stat(SYSCALL_ARGS);
int64_t sys_lstat(SYSCALL_ARGS);
int64_t sys_newfstatat(SYSCALL_ARGS);
int64_t sys_ioctl(SYSCALL_ARGS);
int64_t sys_dup(SYSCALL_ARGS);
int64_t sys_dup2(SYSCALL_ARGS);
int64_t sys_dup3(SYSCALL_ARGS);
int64_t sys_fcntl(SYSCALL_ARGS);
int64_t sys_unlink(SYSCALL_ARGS);
int64_t sys_unlinkat(SYSCALL_ARGS);
int64_t sys_mkdir(SYSCALL_ARGS);
int64_t sys_mkdirat(SYSCALL_ARGS);
int64_t sys_rmdir(SYSCALL_ARGS);
int64_t sys_ftruncate(SYSCALL_ARGS);
int64_t sys_truncate(SYSCALL_ARGS);
int64_t sys_rename(SYSCALL_ARGS);
int64_t sys_renameat(SYSCALL_ARGS);
int64_t sys_renameat2(SYSCALL_ARGS);
int64_t sys_pipe(SYSCALL_ARGS);
int64_t sys_pipe2(SYSCALL_ARGS);
int64_t sys_getcwd(SYSCALL_ARGS);
int64_t sys_access(SYSCALL_ARGS);
int64_t sys_faccessat(SYSCALL_ARGS);
int64_t sys_getdents64(SYSCALL_ARGS);

/* processes, time, identity (sys_exec.c, sys_proc.c) */
int64_t sys_fork(SYSCALL_ARGS);
int64_t sys_clone(SYSCALL_ARGS);
int64_t sys_execve(SYSCALL_ARGS);
int64_t sys_wait4(SYSCALL_ARGS);
int64_t sys_getpid(SYSCALL_ARGS);
int64_t sys_gettid(SYSCALL_ARGS);
int64_t sys_getppid(SYSCALL_ARGS);
int64_t sys_getuid(SYSCALL_ARGS);
int64_t sys_exit(SYSCALL_ARGS);
int64_t sys_exit_group(SYSCALL_ARGS);
int64_t sys_set_tid_address(SYSCALL_ARGS);
int64_t sys_set_robust_list(SYSCALL_ARGS);
int64_t sys_prlimit64(SYSCALL_ARGS);
int64_t sys_getrlimit(SYSCALL_ARGS);
int64_t sys_setrlimit(SYSCALL_ARGS);
int64_t sys_sched_yield(SYSCALL_ARGS);
int64_t sys_clock_gettime(SYSCALL_ARGS);
int64_t sys_clock_getres(SYSCALL_ARGS);
int64_t sys_gettimeofday(SYSCALL_ARGS);
int64_t sys_time(SYSCALL_ARGS);
int64_t sys_nanosleep(SYSCALL_ARGS);
int64_t sys_clock_nanosleep(SYSCALL_ARGS);
int64_t sys_uname(SYSCALL_ARGS);
int64_t sys_sysinfo(SYSCALL_ARGS);
int64_t sys_getrandom(SYSCALL_ARGS);
int64_t sys_reboot(SYSCALL_ARGS);

/* signals (sys_signal.c) */
int64_t sys_rt_sigaction(SYSCALL_ARGS);
int64_t sys_rt_sigprocmask(SYSCALL_ARGS);
int64_t sys_sigaltstack(SYSCALL_ARGS);
int64_t sys_kill(SYSCALL_ARGS);
int64_t sys_tgkill(SYSCALL_ARGS);
int64_t sys_tkill(SYSCALL_ARGS);
int64_t sys_rt_sigpending(SYSCALL_ARGS);
int64_t sys_rt_sigsuspend(SYSCALL_ARGS);
int64_t sys_pause(SYSCALL_ARGS);
int64_t sys_waitid(SYSCALL_ARGS);
/* provided by the architecture: it unwinds its own signal frame */
int64_t sys_rt_sigreturn(SYSCALL_ARGS);

/* mmcore's own calls (not Linux's): see sys_proc.c */
#define MMCORE_SYS_VMINFO 1000
int64_t sys_mmcore_vminfo(SYSCALL_ARGS);

/* more files and scheduling */
int64_t sys_poll(SYSCALL_ARGS);
int64_t sys_ppoll(SYSCALL_ARGS);
int64_t sys_sched_getaffinity(SYSCALL_ARGS);

/* Called for a number without a handler: logs it (once) and returns
 * -ENOSYS. */
int64_t syscall_unknown(uint64_t nr);

#endif
