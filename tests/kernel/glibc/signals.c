/* tests/kernel/glibc/signals.c — signals the way a C library uses them,
 * for the aarch64 kernel: glibc installs handlers without a restorer of
 * its own (it expects the kernel to provide the return trampoline), a
 * SIGSEGV handler repairs the page and the access is retried, a handler
 * leaves by siglongjmp, and the FP/SIMD registers survive a handler. Built
 * static with the cross compiler; its output must equal what Debian's
 * arm64 Linux prints (tools/run-linux-aarch64). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static char *volatile page;
static volatile int hits;
static sigjmp_buf jump;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    hits++;
    int r = mprotect(page, 4096, PROT_READ | PROT_WRITE);
    printf("SIGSEGV: signal %d, code %d, offset %ld, pc saved %d, mprotect %d\n", sig, si->si_code,
           (long)((char *)si->si_addr - page), uc->uc_mcontext.pc != 0, r);
}

static void on_usr1(int sig) { hits += 10 * (sig == SIGUSR1); }

static void on_alrm(int sig)
{
    (void)sig;
    volatile double x = 1.0;
    for (int i = 0; i < 10; i++)
        x *= 3.0; /* the handler's own FP use */
    siglongjmp(jump, 1);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);

    page = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    volatile double d = 1.5;
    page[10] = 5;
    d *= 3;
    printf("after the fault: page[10] = %d, %d handler run(s), d = %g\n", page[10], hits, d);

    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    printf("after raise: hits = %d\n", hits);

    signal(SIGALRM, on_alrm);
    volatile double keep = 0.25;
    if (!sigsetjmp(jump, 1)) {
        raise(SIGALRM);
        printf("not reached\n");
    } else {
        printf("left a handler by siglongjmp, keep = %g\n", keep);
    }
    sigset_t set;
    sigprocmask(0, 0, &set);
    printf("SIGALRM blocked afterwards: %d\n", sigismember(&set, SIGALRM));

    pid_t pid = fork();
    if (pid == 0) {
        raise(SIGUSR1);
        _exit(hits == 21 ? 7 : 8);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("the child's handler ran: exit %d\n", WEXITSTATUS(status));

    struct timespec ts = {0, 1000000};
    printf("nanosleep: %d\n", nanosleep(&ts, 0));
    char *heap = malloc(1 << 20);
    memset(heap, 1, 1 << 20);
    printf("malloc: %d\n", heap[12345]);
    fprintf(stderr, "done\n");
    return 3;
}
