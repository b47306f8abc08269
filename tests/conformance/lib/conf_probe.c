/* tests/conformance/lib/conf_probe.c — accesses that may fault, tried in a
 * child process: the child installs SIGSEGV and SIGBUS handlers (Linux's
 * rt_sigaction with SA_SIGINFO), makes the access, and its exit status
 * tells the parent what happened. A kernel that cannot deliver signals
 * kills the child instead, which the parent reports as such. */
#include "conf.h"

#define SA_SIGINFO 0x4
#define SA_RESTORER 0x04000000
#define SA_NODEFER 0x40000000

#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define SEGV_BNDERR 3
#define SEGV_PKUERR 4
#define BUS_ADRALN 1
#define BUS_ADRERR 2
#define BUS_OBJERR 3
#define SI_KERNEL 0x80

/* The kernel's struct sigaction on x86-64. */
struct conf_sigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
};

/* The start of Linux's siginfo_t: for SIGSEGV and SIGBUS the union begins
 * with the faulting address. */
struct conf_siginfo {
    int signo, err, code, pad;
    uintptr_t addr;
};

/* x86-64 Linux requires a restorer for handlers (SA_RESTORER): the code
 * the handler returns to, which calls rt_sigreturn. The handlers here end
 * the process instead, but a kernel is entitled to refuse the delivery
 * without one. */
void conf_sigreturn(void);
#if defined(__aarch64__)
__asm__(".text\n"
        ".globl conf_sigreturn\n"
        "conf_sigreturn:\n"
        "\tmov x8, #139\n"
        "\tsvc #0\n"
        "\tbrk #0\n");
#else
__asm__(".text\n"
        ".globl conf_sigreturn\n"
        "conf_sigreturn:\n"
        "\tmovl $15, %eax\n"
        "\tsyscall\n"
        "\thlt\n");
#endif

/* What a child's exit status means: 0 no fault; 1 + the index of the
 * signal and code below; 64 more when si_addr was not the address
 * accessed. */
static const struct {
    int sig, code;
    const char *text;
} outcomes[] = {
    {SIGSEGV, SEGV_MAPERR, "SIGSEGV/SEGV_MAPERR"}, {SIGSEGV, SEGV_ACCERR, "SIGSEGV/SEGV_ACCERR"},
    {SIGSEGV, SEGV_BNDERR, "SIGSEGV/SEGV_BNDERR"}, {SIGSEGV, SEGV_PKUERR, "SIGSEGV/SEGV_PKUERR"},
    {SIGSEGV, SI_KERNEL, "SIGSEGV/SI_KERNEL"},     {SIGBUS, BUS_ADRALN, "SIGBUS/BUS_ADRALN"},
    {SIGBUS, BUS_ADRERR, "SIGBUS/BUS_ADRERR"},     {SIGBUS, BUS_OBJERR, "SIGBUS/BUS_OBJERR"},
    {SIGSEGV, -1, "SIGSEGV/other code"},           {SIGBUS, -1, "SIGBUS/other code"},
    {0, -1, "another signal"},
};
#define OUTCOMES (int)(sizeof outcomes / sizeof outcomes[0])
#define ADDR_DIFFERS 64

static volatile uintptr_t probe_expected;

static void probe_handler(int sig, struct conf_siginfo *si, void *uc)
{
    int i;
    (void)uc;
    for (i = 0; i < OUTCOMES - 1; i++)
        if (outcomes[i].sig == sig && (outcomes[i].code == si->code || outcomes[i].code == -1))
            break;
    sys_exit_group(1 + i + (si->addr != probe_expected ? ADDR_DIFFERS : 0));
}

static void probe_install(int sig)
{
    struct conf_sigaction sa = {
        .handler = (void *)probe_handler,
        .flags = SA_SIGINFO | SA_RESTORER | SA_NODEFER,
        .restorer = (void *)conf_sigreturn,
        .mask = 0,
    };
    (void)syscall4(SYS_rt_sigaction, sig, &sa, 0, 8);
}

static void probe_access(uintptr_t addr, enum conf_access how)
{
    switch (how) {
    case CONF_READ:
        (void)*(volatile unsigned char *)addr;
        break;
    case CONF_WRITE:
#if defined(__aarch64__)
        /* A write that leaves the byte as it was: an exclusive pair. */
        __asm__ volatile("1: ldxrb w9, [%0]\n\tstxrb w10, w9, [%0]\n\tcbnz w10, 1b"
                         : : "r"(addr) : "w9", "w10", "memory");
#else
        __asm__ volatile("lock addb $0, (%0)" : : "r"(addr) : "memory");
#endif
        break;
    case CONF_EXEC:
        ((void (*)(void))addr)();
        break;
    }
}

/* Wait for child pid and describe its end. */
static const char *child_outcome(long pid, int decode_probe)
{
    static char text[64];
    int status = 0;
    long r;

    if (sys_failed(pid)) {
        snprintf(text, sizeof text, "fork %s", conf_ret(pid));
        return text;
    }
    r = sys_wait4((int)pid, &status, 0, 0);
    if (sys_failed(r)) {
        snprintf(text, sizeof text, "wait4 %s", conf_ret(r));
        return text;
    }
    if (WIFSIGNALED(status)) {
        snprintf(text, sizeof text, "killed by %s", conf_signal_name(WTERMSIG(status)));
        return text;
    }
    int code = WEXITSTATUS(status);
    if (!decode_probe) {
        snprintf(text, sizeof text, "exit %d", code);
        return text;
    }
    if (code == 0)
        return "ok";
    int i = (code - 1) % ADDR_DIFFERS;
    if (i >= OUTCOMES || code > 2 * ADDR_DIFFERS) {
        snprintf(text, sizeof text, "exit %d", code);
        return text;
    }
    snprintf(text, sizeof text, "%s%s", outcomes[i].text, code > ADDR_DIFFERS ? " si_addr=other" : "");
    return text;
}

static const char *probe_run(uintptr_t addr, enum conf_access how, int handlers)
{
    long pid = sys_fork();
    if (pid == 0) {
        if (handlers) {
            probe_install(SIGSEGV);
            probe_install(SIGBUS);
        }
        probe_expected = addr;
        probe_access(addr, how);
        sys_exit_group(0);
    }
    return child_outcome(pid, 1);
}

const char *conf_probe(uintptr_t addr, enum conf_access how) { return probe_run(addr, how, 1); }

const char *conf_probe_plain(uintptr_t addr, enum conf_access how) { return probe_run(addr, how, 0); }

const char *conf_touch(uintptr_t addr, enum conf_access how)
{
    const char *r = conf_probe(addr, how);
    if (strcmp(r, "ok") == 0)
        probe_access(addr, how);
    return r;
}

const char *conf_in_child(int (*fn)(void *), void *arg)
{
    long pid = sys_fork();
    if (pid == 0)
        sys_exit_group(fn(arg));
    return child_outcome(pid, 0);
}
