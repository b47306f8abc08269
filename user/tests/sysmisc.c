/* user/tests/sysmisc.c — identity, clocks, sleeping, uname, getrandom,
 * resource limits, arch_prctl, and the thread-start calls musl and glibc
 * make. Passes on Linux too. */
#include <utest.h>

#if defined(__aarch64__)
/* aarch64's thread pointer is TPIDR_EL0, which programs set themselves:
 * the kernel keeps it per process. */
static long read_tp0(void)
{
    long *tp;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp));
    return *tp;
}
#else
static long read_fs0(void)
{
    long v;
    __asm__ volatile("movq %%fs:0, %0" : "=r"(v));
    return v;
}
#endif

int main(void)
{
    long pid = sys_getpid();
    CHECK(pid > 0, "getpid -> %ld", pid);
    CHECK_EQ(sys_gettid(), pid, "gettid equals getpid in a single-threaded process");
    int tid_slot = 7;
    CHECK_EQ(sys_set_tid_address(&tid_slot), pid, "set_tid_address returns the thread id");
    char robust[24];
    CHECK_EQ(sys_set_robust_list(robust, 24), 0, "set_robust_list");
    CHECK_EQ(sys_set_robust_list(robust, 23), -EINVAL, "set_robust_list with a bad length");

    struct utsname u;
    CHECK_EQ(sys_uname(&u), 0, "uname");
    CHECK(!strcmp(u.sysname, "Linux"), "uname sysname is Linux (%s)", u.sysname);
    CHECK(!strcmp(u.machine, USER_ARCH_NAME), "uname machine is " USER_ARCH_NAME " (%s)", u.machine);

    struct timespec a, b, req = {0, 20 * 1000 * 1000};
    CHECK_EQ(sys_clock_gettime(CLOCK_MONOTONIC, &a), 0, "clock_gettime MONOTONIC");
    CHECK_EQ(sys_nanosleep(&req, 0), 0, "nanosleep 20 ms");
    CHECK_EQ(sys_clock_gettime(CLOCK_MONOTONIC, &b), 0, "clock_gettime again");
    long ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
    CHECK(ns >= 20 * 1000 * 1000, "at least 20 ms passed (%ld ns)", ns);
    CHECK(ns < 5L * 1000 * 1000 * 1000, "and less than 5 s");
    CHECK_EQ(sys_clock_gettime(CLOCK_REALTIME, &a), 0, "clock_gettime REALTIME");
    CHECK(a.tv_sec > 1600000000L, "the wall clock is after 2020 (%ld)", a.tv_sec);
    CHECK_EQ(sys_clock_gettime(99, &a), -EINVAL, "clock_gettime of clock 99");
    struct timespec badreq = {0, 1000000000L};
    CHECK_EQ(sys_nanosleep(&badreq, 0), -EINVAL, "nanosleep with 10^9 ns");
    badreq.tv_sec = -1, badreq.tv_nsec = 0;
    CHECK_EQ(sys_nanosleep(&badreq, 0), -EINVAL, "nanosleep with negative seconds");

    unsigned char r1[16] = {0}, r2[16] = {0};
    CHECK_EQ(sys_getrandom(r1, 16, 0), 16, "getrandom 16 bytes");
    CHECK_EQ(sys_getrandom(r2, 16, GRND_NONBLOCK), 16, "getrandom 16 more");
    CHECK(memcmp(r1, r2, 16) != 0, "two random draws differ");
    CHECK_EQ(sys_getrandom(r1, 16, 0x100), -EINVAL, "getrandom with a bad flag");

    struct rlimit rl, nrl;
    CHECK_EQ(sys_prlimit64(0, RLIMIT_STACK, 0, &rl), 0, "prlimit64 get RLIMIT_STACK");
    CHECK(rl.rlim_cur == 8UL << 20, "the stack limit is 8 MiB (%lu)", rl.rlim_cur);
    CHECK_EQ(sys_prlimit64(0, 99, 0, &rl), -EINVAL, "prlimit64 of resource 99");
    nrl.rlim_cur = 10, nrl.rlim_max = 5;
    CHECK_EQ(sys_prlimit64(0, RLIMIT_NOFILE, &nrl, 0), -EINVAL, "prlimit64 soft above hard");
    CHECK_EQ(sys_prlimit64(0, RLIMIT_NOFILE, 0, &rl), 0, "prlimit64 get RLIMIT_NOFILE");
    nrl.rlim_cur = 64, nrl.rlim_max = rl.rlim_max;
    CHECK_EQ(sys_prlimit64(0, RLIMIT_NOFILE, &nrl, &rl), 0, "prlimit64 set RLIMIT_NOFILE to 64");
    CHECK_EQ(sys_prlimit64(0, RLIMIT_NOFILE, 0, &nrl), 0, "prlimit64 read it back");
    CHECK_EQ(nrl.rlim_cur, 64, "the new soft limit is 64");
    CHECK_EQ(sys_prlimit64(999999, RLIMIT_NOFILE, 0, &nrl), -ESRCH, "prlimit64 of a process that does not exist");

    static long tls_block[4] = {0x1234567, 0, 0, 0};
#if defined(__aarch64__)
    __asm__ volatile("msr tpidr_el0, %0" : : "r"(tls_block));
    syscall0(SYS_sched_yield);
    CHECK_EQ(read_tp0(), 0x1234567, "TPIDR_EL0 survives a system call");
    CHECK_EQ(sys_arch_prctl(ARCH_GET_FS, 0), -ENOSYS, "no arch_prctl on aarch64");
#else
    unsigned long old = 0;
    CHECK_EQ(sys_arch_prctl(ARCH_GET_FS, (unsigned long)&old), 0, "arch_prctl GET_FS");
    CHECK_EQ(sys_arch_prctl(ARCH_SET_FS, (unsigned long)tls_block), 0, "arch_prctl SET_FS");
    CHECK_EQ(read_fs0(), 0x1234567, "%fs:0 reads the new block");
    unsigned long now = 0;
    sys_arch_prctl(ARCH_GET_FS, (unsigned long)&now);
    CHECK_EQ(now, (long)tls_block, "GET_FS returns it");
    CHECK_EQ(sys_arch_prctl(ARCH_SET_FS, 0xffff800000000000UL), -EPERM, "SET_FS to a kernel address");
    CHECK_EQ(sys_arch_prctl(0x9999, 0), -EINVAL, "arch_prctl with an unknown code");
    sys_arch_prctl(ARCH_SET_FS, old);
#endif
    utest_done();
}
