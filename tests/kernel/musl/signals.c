/* tests/kernel/musl/signals.c — signals through an ordinary C library
 * (built static with musl and with glibc): sigaction with SA_SIGINFO, a
 * write barrier (SIGSEGV handler that mprotects and returns), siglongjmp
 * out of a handler, sa_mask ordering, sigprocmask and sigpending, a child
 * waiting in sigsuspend, SIGCHLD, abort(), and a stack overflow caught on
 * the alternate stack. It prints what happened, without addresses or pids:
 * the kernel tests compare the output with Linux's. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t hits;
static volatile int order[4], norder;
static siginfo_t last;
static sigjmp_buf escape;
static long page;

static void on_info(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    last = *si;
    hits++;
}

static void on_order(int sig)
{
    order[norder++] = sig;
    if (sig == SIGUSR1)
        raise(SIGUSR2); /* blocked by sa_mask: runs after this handler */
}

static void on_barrier(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    hits++;
    mprotect((void *)((unsigned long)si->si_addr & ~(page - 1)), page, PROT_READ | PROT_WRITE);
}

static void on_escape(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    last = *si;
    siglongjmp(escape, sig);
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, 0))
        perror("sigaction");
}

static int depth_limit = 1 << 30;
static int recurse(int n)
{
    volatile char pad[1024];
    pad[0] = (char)n;
    if (n > depth_limit)
        return 0;
    return recurse(n + 1) + pad[0];
}

int main(void)
{
    page = sysconf(_SC_PAGESIZE);
    setvbuf(stdout, 0, _IONBF, 0);

    install(SIGUSR1, on_info, 0);
    raise(SIGUSR1);
    printf("raise: handler ran %d time(s), si_signo %d, si_code %s\n", (int)hits, last.si_signo,
           last.si_code == SI_TKILL ? "SI_TKILL" : last.si_code == SI_USER ? "SI_USER" : "other");
    hits = 0;
    kill(getpid(), SIGUSR1);
    printf("kill: handler ran %d time(s), si_code %s, si_pid is mine: %d\n", (int)hits,
           last.si_code == SI_USER ? "SI_USER" : "other", last.si_pid == getpid());

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_order;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, 0);
    sa.sa_flags = 0;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR2, &sa, 0);
    raise(SIGUSR1);
    printf("sa_mask: handlers ran in the order %d %d\n", order[0], order[1]);

    /* A write barrier over 16 pages. */
    char *heap = mmap(0, 16 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    install(SIGSEGV, on_barrier, 0);
    hits = 0;
    for (int i = 0; i < 16; i++)
        heap[i * page] = (char)i;
    int ok = 1;
    for (int i = 0; i < 16; i++)
        ok &= heap[i * page] == (char)i;
    printf("write barrier: %d faults, all writes landed: %d\n", (int)hits, ok);

    /* siglongjmp out of SIGSEGV and SIGFPE handlers. */
    install(SIGSEGV, on_escape, SA_NODEFER);
    int sig = sigsetjmp(escape, 1);
    if (sig == 0) {
        int *volatile bad = (int *)16;
        *bad = 1;
        printf("no fault?\n");
    } else {
        printf("escaped from signal %d: si_code %s, si_addr 16: %d\n", sig,
               last.si_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other", last.si_addr == (void *)16);
    }
    char *ro = mmap(0, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sig = sigsetjmp(escape, 1);
    if (sig == 0)
        ro[3] = 1;
    else
        printf("escaped from signal %d: si_code %s, si_addr right: %d\n", sig,
               last.si_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other", last.si_addr == ro + 3);
    sigset_t cur;
    sigprocmask(SIG_BLOCK, 0, &cur);
    printf("after siglongjmp SIGSEGV is blocked: %d\n", sigismember(&cur, SIGSEGV));

    /* sigprocmask and sigpending */
    install(SIGUSR2, on_info, 0);
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, 0);
    hits = 0;
    raise(SIGUSR2);
    sigpending(&pend);
    printf("blocked: pending %d, handled %d\n", sigismember(&pend, SIGUSR2), (int)hits);
    sigprocmask(SIG_UNBLOCK, &set, 0);
    printf("unblocked: handled %d\n", (int)hits);

    /* A child waits in sigsuspend; SIGCHLD tells the parent it ended. */
    install(SIGCHLD, on_info, SA_NOCLDSTOP);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, 0);
    install(SIGUSR1, on_info, 0);
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        hits = 0;
        sigsuspend(&none);
        _exit(hits == 1 && last.si_code == SI_USER ? 3 : 4);
    }
    kill(pid, SIGUSR1);
    sigset_t none;
    sigemptyset(&none);
    hits = 0;
    while (!hits)
        sigsuspend(&none);
    int st;
    waitpid(pid, &st, 0);
    printf("child: exited %d with status %d; SIGCHLD said %s, status %d, pid right: %d\n", WIFEXITED(st),
           WEXITSTATUS(st), last.si_code == CLD_EXITED ? "CLD_EXITED" : "other", last.si_status, last.si_pid == pid);
    sigprocmask(SIG_UNBLOCK, &set, 0);
    signal(SIGCHLD, SIG_DFL);

    pid = fork();
    if (pid == 0)
        abort();
    waitpid(pid, &st, 0);
    printf("abort: killed by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : -1);

    /* A stack overflow, caught on the alternate stack. */
    struct rlimit rl = {1 << 20, 1 << 20};
    setrlimit(RLIMIT_STACK, &rl);
    stack_t ss = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16, .ss_flags = 0};
    sigaltstack(&ss, 0);
    install(SIGSEGV, on_escape, SA_ONSTACK | SA_NODEFER);
    sig = sigsetjmp(escape, 1);
    if (sig == 0)
        printf("recursion returned %d?\n", recurse(0));
    else
        printf("stack overflow: signal %d on the alternate stack, si_code %s\n", sig,
               last.si_code == SEGV_MAPERR ? "SEGV_MAPERR" : last.si_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other");
    return 0;
}
