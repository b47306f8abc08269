/* user/tests/init_guard.c — process 1 survives signals other processes
 * aim at it, as on Linux, where init drops every signal it has no handler
 * for (SIGKILL and SIGSTOP included, when another process sends them),
 * while those it handles still reach it; and an orphan's exit signal
 * becomes SIGCHLD when the orphan is handed to init (Linux's
 * reparent_leader: "We don't want people slaying init").
 * usage: init_guard CASE   (run as process 1)
 *   orphan-exit-signal  init handles signal 40; a child clones a
 *                       grandchild whose exit signal is 40 and exits; the
 *                       orphan ends under init, which must reap both and
 *                       never see signal 40
 *   kill-init           a child sends SIGTERM, SIGKILL, SIGUSR1 (which init
 *                       blocks until the child is gone) and SIGUSR2 (which
 *                       init handles) to process 1: every kill returns 0,
 *                       the handler runs once, init lives on
 *   kill-everyone       a child calls kill(0, SIGTERM): the child dies of
 *                       it, init does not
 * Prints "init survived CASE" and exits 0 when all of that held; otherwise
 * says what did not and exits 1. */
#include <ulib.h>
#include <usignal.h>

#if defined(__x86_64__)
#define NR_CLONE 56
#else
#define NR_CLONE 220
#endif
#define SIG_EXIT 40

static volatile int got_exit_signal, got_usr2;

static void on_exit_signal(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    got_exit_signal++;
}

static void on_usr2(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    got_usr2++;
}

static void pause_ms(long ms)
{
    long ts[2] = {0, ms * 1000000};
    syscall2(SYS_nanosleep, (long)ts, 0);
}

static int failed;

static void expect(int ok, const char *what)
{
    if (!ok) {
        printf("init_guard: %s\n", what);
        failed = 1;
    }
}

/* What the child does; its exit status says which kill calls failed. */
static _Noreturn void child(const char *what)
{
    int bad = 0;
    if (!strcmp(what, "orphan-exit-signal")) {
        long g = syscall2(NR_CLONE, SIG_EXIT, 0);
        if (g == 0) {
            pause_ms(100); /* outlive the parent */
            sys_exit_group(0);
        }
        bad = g < 0;
    } else if (!strcmp(what, "kill-init")) {
        bad |= sys_kill(1, SIGTERM) != 0;
        bad |= (sys_kill(1, SIGKILL) != 0) << 1;
        bad |= (sys_kill(1, SIGUSR1) != 0) << 2;
        bad |= (sys_kill(1, SIGUSR2) != 0) << 3;
    } else if (!strcmp(what, "kill-everyone")) {
        bad = sys_kill(0, SIGTERM) != 0;
        bad |= 0x40; /* not reached: SIGTERM ended the child */
    }
    sys_exit_group(bad);
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    unsigned long usr1 = 1UL << (SIGUSR1 - 1);
    expect(sys_getpid() == 1, "not process 1");
    expect(sig_install(SIG_EXIT, on_exit_signal, SA_RESTART, 0) == 0, "cannot handle signal 40");
    expect(sig_install(SIGUSR2, on_usr2, SA_RESTART, 0) == 0, "cannot handle SIGUSR2");
    sys_rt_sigprocmask(SIG_BLOCK, &usr1, 0);

    long pid = sys_fork();
    if (pid == 0)
        child(what);
    int status = 0, reaped = 0, child_status = -1;
    long w;
    while ((w = sys_wait4(-1, &status, 0, 0)) > 0 || w == -EINTR) {
        if (w == pid)
            child_status = status;
        reaped += w > 0;
    }
    pause_ms(300); /* an orphan has ended by now */
    while (sys_wait4(-1, &status, WNOHANG, 0) > 0)
        reaped++;
    sys_rt_sigprocmask(SIG_UNBLOCK, &usr1, 0); /* a pending SIGUSR1 is dropped now */

    if (!strcmp(what, "orphan-exit-signal")) {
        expect(child_status == 0, "the child could not clone");
        expect(reaped == 2, "init did not reap the child and the orphan");
        expect(got_exit_signal == 0, "the orphan's exit signal 40 reached init");
    } else if (!strcmp(what, "kill-init")) {
        expect(child_status == 0, "a kill of process 1 did not return 0");
        expect(got_usr2 == 1, "SIGUSR2's handler did not run exactly once");
    } else if (!strcmp(what, "kill-everyone")) {
        expect(WIFSIGNALED(child_status) && WTERMSIG(child_status) == SIGTERM, "kill(0) did not end the child");
    } else {
        expect(0, "unknown case");
    }
    if (failed)
        return 1;
    printf("init survived %s\n", what);
    return 0;
}
