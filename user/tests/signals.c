/* user/tests/signals.c — signals without handlers: dispositions and masks
 * are kept and reported; ignored signals vanish; blocked ones wait; the
 * rest end the process with 128 + signal. Ends by unblocking a pending
 * SIGTERM: exit status 143. Passes on Linux too. (Handlers: sigframe.c
 * and sigproc.c.) */
#include <utest.h>

int main(void)
{
    struct k_sigaction act = {0}, old;
    CHECK_EQ(sys_rt_sigaction(SIGTERM, 0, &old), 0, "rt_sigaction reads SIGTERM's action");
    CHECK_EQ(old.handler, SIG_DFL, "it is SIG_DFL");
    act.handler = SIG_IGN;
    CHECK_EQ(sys_rt_sigaction(SIGTERM, &act, 0), 0, "ignore SIGTERM");
    CHECK_EQ(sys_rt_sigaction(SIGTERM, 0, &old), 0, "read it back");
    CHECK_EQ(old.handler, SIG_IGN, "it is SIG_IGN");
    CHECK_EQ(sys_rt_sigaction(SIGKILL, &act, 0), -EINVAL, "SIGKILL cannot be ignored");
    CHECK_EQ(sys_rt_sigaction(0, 0, &old), -EINVAL, "signal 0 has no action");
    CHECK_EQ(sys_rt_sigaction(65, 0, &old), -EINVAL, "signal 65 does not exist");
    CHECK_EQ(syscall4(SYS_rt_sigaction, SIGTERM, 0, &old, 4), -EINVAL, "a wrong sigset size");
    CHECK_EQ(sys_rt_sigaction(SIGTERM, (void *)8, 0), -EFAULT, "a bad action pointer");
    CHECK_EQ(sys_kill((int)sys_getpid(), SIGTERM), 0, "kill myself with an ignored SIGTERM");
    CHECK(1, "still alive after an ignored signal");
    CHECK_EQ(sys_kill((int)sys_getpid(), 0), 0, "signal 0 checks that I exist");
    CHECK_EQ(sys_kill(999999, 0), -ESRCH, "kill of a process that does not exist");
    CHECK_EQ(sys_kill((int)sys_getpid(), 99), -EINVAL, "kill with signal 99");

    long pid = sys_fork();
    if (pid == 0)
        for (;;)
            syscall0(SYS_sched_yield);
    CHECK_EQ(sys_kill((int)pid, SIGKILL), 0, "SIGKILL a spinning child");
    int status = 0;
    CHECK_EQ(sys_wait4((int)pid, &status, 0, 0), pid, "reap it");
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "it died of SIGKILL (status %x)", status);

    unsigned long set = 1UL << (SIGTERM - 1), oldset = 0;
    act.handler = SIG_DFL;
    sys_rt_sigaction(SIGTERM, &act, 0);
    CHECK_EQ(sys_rt_sigprocmask(SIG_BLOCK, &set, &oldset), 0, "block SIGTERM");
    CHECK_EQ(sys_rt_sigprocmask(7, &set, 0), -EINVAL, "sigprocmask with a bad how");
    CHECK_EQ(sys_kill((int)sys_getpid(), SIGTERM), 0, "send myself SIGTERM while it is blocked");
    CHECK(1, "still alive: the signal is pending");
    printf("unblocking SIGTERM\n");
    flush();
    sys_rt_sigprocmask(SIG_UNBLOCK, &set, 0);
    printf("still alive after unblocking: wrong\n");
    return 1;
}
