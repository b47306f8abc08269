/* user/tests/sigproc.c — signals between processes and around system
 * calls: sigaction flags (SA_NODEFER, SA_RESETHAND, unknown flags
 * dropped), blocking and rt_sigpending, what fork and execve keep, default
 * actions as wait statuses, SIGCHLD with its siginfo, SIG_IGN'd SIGCHLD
 * reaping children, waitid, clone's fork forms, signals that interrupt
 * wait4 (restarted with SA_RESTART), nanosleep (-EINTR and the time left),
 * pause and rt_sigsuspend. Passes on Linux too. */
#include <usignal.h>
#include <utest.h>

static volatile int hits, depth, max_depth, reentered;
static volatile unsigned long mask_in_handler, uc_mask;
static siginfo_t last;

static void counter(int sig, siginfo_t *si, void *ucv)
{
    hits++;
    last = *si;
    mask_in_handler = sig_blocked();
    uc_mask = ((ucontext_t *)ucv)->uc_sigmask;
    (void)sig;
}

static void nesting(int sig, siginfo_t *si, void *ucv)
{
    hits++;
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    if (!reentered) {
        reentered = 1;
        sys_kill((int)sys_getpid(), sig);
    }
    depth--;
    (void)si, (void)ucv;
}

static unsigned long handler_of(int sig, unsigned long *flags)
{
    struct k_sigaction old;
    sys_rt_sigaction(sig, 0, &old);
    if (flags)
        *flags = old.flags;
    return old.handler;
}

static void block(unsigned long set) { sys_rt_sigprocmask(SIG_BLOCK, &set, 0); }
static void unblock(unsigned long set) { sys_rt_sigprocmask(SIG_UNBLOCK, &set, 0); }

static int wait_status(long pid)
{
    int st = -1;
    sys_wait4((int)pid, &st, 0x40000000 /* __WALL */, 0);
    return st;
}

/* A child that waits ms, sends sig to its parent and exits with code. */
static long signal_parent_later(long ms, int sig, int code)
{
    long pid = sys_fork();
    if (pid == 0) {
        sleep_ms(ms);
        sys_kill((int)sys_getppid(), sig);
        sleep_ms(50);
        sys_exit_group(code);
    }
    return pid;
}

static void test_actions(void)
{
    unsigned long flags;
    CHECK_EQ(sig_install(SIGUSR1, counter, SA_RESTART | SA_ONSTACK | SA_UNSUPPORTED, 0), 0, "install a handler");
    handler_of(SIGUSR1, &flags);
    CHECK_EQ(flags, SA_SIGINFO | SA_RESTORER | SA_RESTART | SA_ONSTACK,
             "flags read back without the unknown SA_UNSUPPORTED bit");

    hits = max_depth = reentered = 0;
    sig_install(SIGUSR2, nesting, SA_NODEFER, 0);
    sys_kill((int)sys_getpid(), SIGUSR2);
    CHECK(hits == 2 && max_depth == 2, "SA_NODEFER: raised inside its handler, it nests (%d calls, depth %d)", hits,
          max_depth);
    hits = max_depth = reentered = 0;
    sig_install(SIGUSR2, nesting, 0, 0);
    sys_kill((int)sys_getpid(), SIGUSR2);
    CHECK(hits == 2 && max_depth == 1, "without it, it waits for the handler to return (%d calls, depth %d)", hits,
          max_depth);

    hits = 0;
    sig_install(SIGUSR2, counter, SA_RESETHAND, 0);
    sys_kill((int)sys_getpid(), SIGUSR2);
    CHECK_EQ(hits, 1, "an SA_RESETHAND handler runs");
    CHECK(mask_in_handler & sig_mask(SIGUSR2), "blocking its signal meanwhile");
    CHECK_EQ(handler_of(SIGUSR2, 0), SIG_DFL, "then the action is SIG_DFL again");

    hits = 0;
    unsigned long before = sig_blocked();
    block(sig_mask(SIGUSR1));
    sys_kill((int)sys_getpid(), SIGUSR1);
    unsigned long pending = 0;
    CHECK_EQ(sys_rt_sigpending(&pending), 0, "rt_sigpending");
    CHECK(hits == 0 && pending == sig_mask(SIGUSR1), "a blocked signal waits (pending %lx)", pending);
    unblock(sig_mask(SIGUSR1));
    CHECK_EQ(hits, 1, "and is delivered as soon as it is unblocked");
    sys_rt_sigpending(&pending);
    CHECK_EQ(pending, 0, "nothing pending any more");

    block(sig_mask(SIGUSR1));
    sys_kill((int)sys_getpid(), SIGUSR1);
    sig_handle(SIGUSR1, SIG_IGN, 0, 0);
    sys_rt_sigpending(&pending);
    CHECK_EQ(pending, 0, "setting SIG_IGN discards a pending signal");
    sig_handle(SIGWINCH, SIG_DFL, 0, 0);
    block(sig_mask(SIGWINCH));
    sys_kill((int)sys_getpid(), SIGWINCH);
    sys_rt_sigpending(&pending);
    CHECK_EQ(pending, sig_mask(SIGWINCH), "a blocked signal is kept pending even if its default is to ignore it");
    sig_handle(SIGWINCH, SIG_IGN, 0, 0);
    sig_handle(SIGWINCH, SIG_DFL, 0, 0);
    unblock(sig_mask(SIGWINCH));
    block(sig_mask(SIGUSR1));
    sig_handle(SIGUSR1, SIG_IGN, 0, 0);
    sys_kill((int)sys_getpid(), SIGUSR1);
    sys_rt_sigpending(&pending);
    CHECK_EQ(pending, sig_mask(SIGUSR1), "even if it is ignored: the action may change before it is unblocked");
    sig_handle(SIGUSR1, SIG_DFL, 0, 0);
    sys_rt_sigpending(&pending);
    CHECK_EQ(pending, sig_mask(SIGUSR1), "SIG_DFL for a deadly signal keeps it pending");
    sig_handle(SIGUSR1, SIG_IGN, 0, 0);
    unblock(sig_mask(SIGUSR1));
    sys_kill((int)sys_getpid(), SIGUSR1);
    sys_rt_sigpending(&pending);
    CHECK_EQ(pending, 0, "an ignored signal that is not blocked vanishes");
    sys_rt_sigprocmask(SIG_SETMASK, &before, 0);
    CHECK_EQ(syscall2(SYS_rt_sigpending, &pending, 16), -EINVAL, "rt_sigpending with a set larger than 8 bytes");
    sig_handle(SIGUSR1, SIG_DFL, 0, 0);
}

static void raise_self(int sig)
{
    sys_kill((int)sys_getpid(), sig);
    sys_exit_group(0);
}

static void test_defaults(void)
{
    static const struct {
        int sig, killed;
    } cases[] = {{SIGUSR1, 1}, {SIGTERM, 1}, {SIGHUP, 1}, {SIGKILL, 1}, {SIGCHLD, 0}, {SIGWINCH, 0}, {SIGRTMIN, 1}};
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long pid = sys_fork();
        if (pid == 0)
            raise_self(cases[i].sig);
        int st = wait_status(pid);
        if (cases[i].killed)
            CHECK(WIFSIGNALED(st) && WTERMSIG(st) == cases[i].sig, "signal %d's default action ends the process (%x)",
                  cases[i].sig, st);
        else
            CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "signal %d's default action is to ignore it (%x)",
                  cases[i].sig, st);
    }
    long pid = sys_fork();
    if (pid == 0) {
        sys_pause();
        sys_exit_group(1);
    }
    sleep_ms(20);
    sys_kill((int)pid, SIGKILL);
    int st = wait_status(pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "SIGKILL ends a child sleeping in pause (%x)", st);
}

static void test_fork_exec(char *self)
{
    sig_install(SIGUSR1, counter, 0, 0);
    sig_handle(SIGUSR2, SIG_IGN, 0, 0);
    unsigned long before = sig_blocked();
    block(sig_mask(SIGHUP) | sig_mask(SIGWINCH) | sig_mask(SIGINT));
    sig_handle(SIGINT, (unsigned long)counter, 0, 0);
    sys_kill((int)sys_getpid(), SIGINT);
    long pid = sys_fork();
    if (pid == 0) {
        unsigned long pend = 1;
        sys_rt_sigpending(&pend);
        int ok = handler_of(SIGUSR1, 0) == (unsigned long)counter && handler_of(SIGUSR2, 0) == SIG_IGN &&
                 (sig_blocked() & sig_mask(SIGWINCH)) && pend == 0 && sys_getppid() > 0;
        sys_exit_group(ok ? 0 : 1);
    }
    int st = wait_status(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "a child inherits handlers, ignored signals and the mask, not pending signals (%x)", st);
    pid = sys_fork();
    if (pid == 0) {
        void *alt = (void *)sys_mmap(0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        stack_t ss = {alt, 0, 4 * PAGE_SIZE};
        sys_sigaltstack(&ss, 0);
        sys_kill((int)sys_getpid(), SIGHUP); /* pending across execve */
        char *args[] = {self, "after-exec", 0};
        sys_execve(self, args, 0);
        sys_exit_group(99);
    }
    st = wait_status(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "after execve: handlers reset, SIG_IGN kept, mask and pending kept, no alternate stack (status %x)", st);
    sig_handle(SIGINT, SIG_IGN, 0, 0); /* drop the pending SIGINT */
    sig_handle(SIGINT, SIG_DFL, 0, 0);
    sig_handle(SIGUSR1, SIG_DFL, 0, 0);
    sig_handle(SIGUSR2, SIG_DFL, 0, 0);
    sys_rt_sigprocmask(SIG_SETMASK, &before, 0);
}

/* The exec'd side of test_fork_exec. */
static int after_exec(void)
{
    unsigned long pend = 0;
    stack_t ss;
    sys_rt_sigpending(&pend);
    sys_sigaltstack(0, &ss);
    int bad = 0;
    bad |= (handler_of(SIGUSR1, 0) != SIG_DFL) << 0;
    bad |= (handler_of(SIGUSR2, 0) != SIG_IGN) << 1;
    bad |= (handler_of(SIGINT, 0) != SIG_DFL) << 2;
    bad |= !(sig_blocked() & sig_mask(SIGWINCH)) << 3;
    bad |= !(pend & sig_mask(SIGHUP)) << 4;
    bad |= (ss.ss_flags != SS_DISABLE) << 5;
    return bad;
}

static void test_sigchld(void)
{
    siginfo_t si;
    sig_install(SIGCHLD, counter, 0, 0);
    unsigned long before = sig_blocked();
    block(sig_mask(SIGCHLD));
    hits = 0;
    long pid = sys_fork();
    if (pid == 0)
        sys_exit_group(7);
    long r = sys_rt_sigsuspend(before & ~sig_mask(SIGCHLD));
    CHECK(r == -EINTR && hits == 1, "rt_sigsuspend returns -EINTR after the SIGCHLD handler (%ld, %d)", r, hits);
    CHECK(last.si_signo == SIGCHLD && last.si_code == CLD_EXITED && last.si_pid == pid && last.si_status == 7,
          "SIGCHLD's siginfo: CLD_EXITED, the pid, status 7 (code %d, pid %d, status %d)", last.si_code, last.si_pid,
          last.si_status);
    wait_status(pid);
    hits = 0;
    pid = sys_fork();
    if (pid == 0)
        raise_self(SIGTERM);
    sys_rt_sigsuspend(before & ~sig_mask(SIGCHLD));
    CHECK(hits == 1 && last.si_code == CLD_KILLED && last.si_pid == pid && last.si_status == SIGTERM,
          "a child killed by SIGTERM: CLD_KILLED, status 15 (code %d, status %d)", last.si_code, last.si_status);
    wait_status(pid);
    sys_rt_sigprocmask(SIG_SETMASK, &before, 0);

    /* waitid */
    pid = sys_fork();
    if (pid == 0)
        sys_exit_group(9);
    memset(&si, 0xff, sizeof si);
    CHECK_EQ(sys_waitid(P_PID, (int)pid, &si, WEXITED | WNOWAIT), 0, "waitid(P_PID, WEXITED | WNOWAIT)");
    CHECK(si.si_signo == SIGCHLD && si.si_code == CLD_EXITED && si.si_pid == pid && si.si_status == 9 &&
              si.si_errno == 0 && si.si_uid == sys_getuid(),
          "its siginfo: SIGCHLD, CLD_EXITED, pid, status 9");
    CHECK_EQ(sys_waitid(P_PID, (int)pid, &si, WEXITED), 0, "WNOWAIT left it to be waited for again");
    CHECK_EQ(sys_wait4((int)pid, 0, 0, 0), -ECHILD, "now it is gone");
    CHECK_EQ(sys_waitid(P_ALL, 0, &si, 0), -EINVAL, "waitid without WEXITED, WSTOPPED or WCONTINUED");
    CHECK_EQ(sys_waitid(7, 0, &si, WEXITED), -EINVAL, "waitid with an unknown idtype");
    pid = sys_fork();
    if (pid == 0) {
        sys_pause();
        sys_exit_group(1);
    }
    memset(&si, 0xff, sizeof si);
    CHECK_EQ(sys_waitid(P_ALL, 0, &si, WEXITED | WNOHANG), 0, "waitid WNOHANG with a living child");
    CHECK(si.si_pid == 0 && si.si_signo == 0, "reports nothing: si_pid 0");
    sys_kill((int)pid, SIGKILL);
    CHECK_EQ(sys_waitid(P_ALL, 0, &si, WEXITED), 0, "waitid(P_ALL) after SIGKILL");
    CHECK(si.si_code == CLD_KILLED && si.si_status == SIGKILL && si.si_pid == pid, "CLD_KILLED, status 9");
    CHECK_EQ(sys_waitid(P_ALL, 0, &si, WEXITED), -ECHILD, "waitid without children");

    /* A parent that ignores SIGCHLD leaves no zombies: wait4 finds none. */
    sig_handle(SIGCHLD, SIG_IGN, 0, 0);
    pid = sys_fork();
    if (pid == 0)
        sys_exit_group(0);
    int st;
    CHECK_EQ(sys_wait4(-1, &st, 0, 0), -ECHILD, "SIGCHLD ignored: the child is reaped by itself, wait4 ECHILD");
    sig_handle(SIGCHLD, SIG_DFL, 0, 0);
}

static void test_clone(void)
{
    static int ctid, ptid;
    /* musl's fork */
    long pid = syscall2(SYS_clone, SIGCHLD, 0);
    if (pid == 0)
        sys_exit_group(4);
    int st = wait_status(pid);
    CHECK(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 4, "clone(SIGCHLD) is fork (%x)", st);
    /* glibc's fork, and CLONE_PARENT_SETTID */
    ctid = ptid = 0;
    const long flags = 0x01000000 | 0x00200000 | 0x00100000 | SIGCHLD;
#if defined(__aarch64__)
    pid = syscall6(SYS_clone, flags, 0, (long)&ptid, 0, (long)&ctid, 0); /* tls before child_tid */
#else
    pid = syscall6(SYS_clone, flags, 0, (long)&ptid, (long)&ctid, 0, 0);
#endif
    if (pid == 0)
        sys_exit_group(ctid == sys_gettid() ? 5 : 6);
    st = wait_status(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "CLONE_CHILD_SETTID wrote the child's tid in the child (%x)", st);
    CHECK(ptid == pid && ctid == 0, "CLONE_PARENT_SETTID wrote it in the parent only (%d, %d)", ptid, ctid);
    /* another exit signal */
    sig_install(SIGUSR2, counter, 0, 0);
    hits = 0;
    pid = syscall2(SYS_clone, SIGUSR2, 0);
    if (pid == 0)
        sys_exit_group(0);
    st = wait_status(pid);
    CHECK(hits == 1 && last.si_signo == SIGUSR2 && last.si_pid == pid,
          "the exit signal chosen with clone reaches the parent (%d)", hits);
    pid = syscall2(SYS_clone, 65, 0);
    if (pid == 0)
        sys_exit_group(8);
    st = wait_status(pid);
    CHECK(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 8,
          "clone with exit signal 65 (no such signal) works; the parent gets no signal (%x)", st);
    sig_handle(SIGUSR2, SIG_DFL, 0, 0);
}

static void test_interruptions(void)
{
    /* wait4 interrupted: restarted under SA_RESTART, -EINTR without. */
    sig_install(SIGUSR1, counter, SA_RESTART, 0);
    hits = 0;
    long pid = signal_parent_later(100, SIGUSR1, 3);
    int st = -1;
    long r = sys_wait4((int)pid, &st, 0, 0);
    CHECK(r == pid && hits == 1 && WEXITSTATUS(st) == 3, "SA_RESTART: wait4 carries on after the handler (%ld, %d)",
          r, hits);
    sig_install(SIGUSR1, counter, 0, 0);
    hits = 0;
    pid = signal_parent_later(100, SIGUSR1, 3);
    r = sys_wait4((int)pid, &st, 0, 0);
    CHECK(r == -EINTR && hits == 1, "without SA_RESTART: wait4 fails with EINTR (%ld, %d)", r, hits);
    CHECK_EQ(sys_wait4((int)pid, &st, 0, 0), pid, "the child can still be waited for");

    /* nanosleep: -EINTR even with SA_RESTART, and what remained. */
    sig_install(SIGUSR1, counter, SA_RESTART, 0);
    hits = 0;
    pid = signal_parent_later(100, SIGUSR1, 0);
    struct timespec req = {5, 0}, rem = {-1, -1};
    r = sys_nanosleep(&req, &rem);
    CHECK(r == -EINTR && hits == 1, "nanosleep(5 s) ends early with EINTR (%ld)", r);
    CHECK(rem.tv_sec >= 3 && rem.tv_sec < 5 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000,
          "and leaves about 4.9 s in rem (%ld.%09ld)", rem.tv_sec, rem.tv_nsec);
    wait_status(pid);

    /* A sleep ends on time while a child spins (the tick takes the CPU
     * from the child once the sleeper's time is up). */
    pid = sys_fork();
    if (pid == 0)
        for (;;)
            __asm__ volatile("");
    struct timespec t0, t1;
    sys_clock_gettime(CLOCK_MONOTONIC, &t0);
    req = (struct timespec){0, 100000000};
    r = sys_nanosleep(&req, 0);
    sys_clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(r == 0 && ms >= 100 && ms < 1000, "nanosleep(100 ms) beside a spinning child took %ld ms", ms);
    sys_kill((int)pid, SIGKILL);
    wait_status(pid);

    /* pause */
    hits = 0;
    pid = signal_parent_later(50, SIGUSR1, 0);
    r = sys_pause();
    CHECK(r == -EINTR && hits == 1, "pause returns EINTR after a handler (%ld)", r);
    wait_status(pid);

    /* rt_sigsuspend: the mask during the wait, in the handler and after. */
    unsigned long before = sig_blocked();
    unsigned long m0 = before | sig_mask(SIGUSR1);
    sys_rt_sigprocmask(SIG_SETMASK, &m0, 0);
    hits = 0;
    pid = signal_parent_later(50, SIGUSR1, 0);
    r = sys_rt_sigsuspend((before | sig_mask(SIGUSR2)) & ~sig_mask(SIGUSR1));
    CHECK(r == -EINTR && hits == 1, "rt_sigsuspend returns EINTR after the handler (%ld)", r);
    CHECK_EQ(mask_in_handler, before | sig_mask(SIGUSR1) | sig_mask(SIGUSR2),
             "the handler runs with the suspend mask plus its signal");
    CHECK_EQ(uc_mask, m0, "its frame saved the mask from before rt_sigsuspend");
    CHECK_EQ(sig_blocked(), m0, "which is back afterwards");
    wait_status(pid);
    CHECK_EQ(syscall2(SYS_rt_sigsuspend, &m0, 4), -EINVAL, "rt_sigsuspend with a 4-byte set");
    sys_rt_sigprocmask(SIG_SETMASK, &before, 0);

    /* A child waiting in rt_sigsuspend for its parent's signal. */
    block(sig_mask(SIGUSR1));
    pid = sys_fork();
    if (pid == 0) {
        hits = 0;
        sys_rt_sigsuspend(before);
        sys_exit_group(hits == 1 ? 5 : 6);
    }
    sleep_ms(20);
    sys_kill((int)pid, SIGUSR1);
    st = wait_status(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "kill reaches a child's handler (%x)", st);
    sys_rt_sigprocmask(SIG_SETMASK, &before, 0);
    sig_handle(SIGUSR1, SIG_DFL, 0, 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "after-exec"))
        return after_exec();
    test_actions();
    test_defaults();
    test_fork_exec(argv[0]);
    test_sigchld();
    test_clone();
    test_interruptions();
    utest_done();
}
