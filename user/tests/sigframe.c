/* user/tests/sigframe.c — signal handlers for faults and the frame they
 * run on: the rt_sigframe layout and registers at handler entry, every
 * register and the SSE state coming back after sigreturn, SIGSEGV's
 * SEGV_MAPERR and SEGV_ACCERR with si_addr (handlers that map or mprotect
 * the page and return, so that the instruction is retried, the way
 * garbage collectors and JITs work), SIGBUS BUS_ADRERR, SIGILL, SIGFPE,
 * SIGTRAP, sigaltstack (SS_ONSTACK, SS_AUTODISARM, EPERM) and a guard
 * page below a stack. Then, in children, what must end a process with
 * SIGSEGV: no handler, a blocked or ignored SIGSEGV, a fault inside the
 * handler, a frame that cannot be written, and a handler that tries to
 * return with IOPL, kernel selectors or a non-canonical address through
 * the frame. Passes on Linux too. ("sigframe compat", for mmcore only:
 * the syscall instruction from 32-bit code answers -ENOSYS.) */
#include <usignal.h>
#include <utest.h>

/* ---- assembly helpers: exact instruction addresses and all registers ---- */

unsigned long probe_rsp, probe_rdi, probe_rsi, probe_rdx, probe_rax;
unsigned probe_mxcsr;
unsigned long probe_regs[16];
unsigned char probe_xmm[48];
const unsigned char xmm_pattern[48] = {
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
    0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
};
unsigned long saved_rsp;

void entry_probe(void);
void probe_handler(int sig, siginfo_t *si, void *ucv);
void regs_probe(char *page);
extern char regs_probe_fault[];
void do_ud2(void);
extern char do_ud2_at[];
int do_div(int a, int b);
extern char do_div_at[];
void do_int3(void);
extern char do_int3_after[];
void do_hlt(void);
extern char do_hlt_at[];
long run_on_stack(void (*fn)(void), void *top);
extern char run_on_stack_escape[];
void kill_on_bad_stack(long pid, long sig);
void sigreturn_garbage(void *zeros);
long compat_syscall(void);
unsigned long compat_saved[8];
struct {
    unsigned off;
    unsigned short sel;
} __attribute__((packed)) compat_to32, compat_to64;
int compat_result;

__asm__(".text\n"
        /* A handler's first instruction: record what the kernel handed over. */
        ".globl entry_probe\n"
        "entry_probe:\n"
        "    movq %rsp, probe_rsp(%rip)\n"
        "    movq %rdi, probe_rdi(%rip)\n"
        "    movq %rsi, probe_rsi(%rip)\n"
        "    movq %rdx, probe_rdx(%rip)\n"
        "    movq %rax, probe_rax(%rip)\n"
        "    stmxcsr probe_mxcsr(%rip)\n"
        "    jmp probe_handler\n"
        /* Fill every register with a pattern, fault on a write to rdi, then
         * store every register. */
        ".globl regs_probe, regs_probe_fault\n"
        "regs_probe:\n"
        "    pushq %rbx\n pushq %rbp\n pushq %r12\n pushq %r13\n pushq %r14\n pushq %r15\n"
        "    movdqu xmm_pattern(%rip), %xmm0\n"
        "    movdqu xmm_pattern+16(%rip), %xmm8\n"
        "    movdqu xmm_pattern+32(%rip), %xmm15\n"
        "    movabs $0x1111111111111101, %rax\n"
        "    movabs $0x2222222222222202, %rbx\n"
        "    movabs $0x3333333333333303, %rcx\n"
        "    movabs $0x4444444444444404, %rdx\n"
        "    movabs $0x5555555555555505, %rsi\n"
        "    movabs $0x6666666666666606, %rbp\n"
        "    movabs $0x7777777777777707, %r8\n"
        "    movabs $0x8888888888888808, %r9\n"
        "    movabs $0x9999999999999909, %r10\n"
        "    movabs $0xaaaaaaaaaaaaaa0a, %r11\n"
        "    movabs $0xbbbbbbbbbbbbbb0b, %r12\n"
        "    movabs $0xcccccccccccccc0c, %r13\n"
        "    movabs $0xdddddddddddddd0d, %r14\n"
        "    movabs $0xeeeeeeeeeeeeee0e, %r15\n"
        "regs_probe_fault:\n"
        "    movb $0x5a, (%rdi)\n"
        "    movq %rax, probe_regs+0(%rip)\n"
        "    movq %rbx, probe_regs+8(%rip)\n"
        "    movq %rcx, probe_regs+16(%rip)\n"
        "    movq %rdx, probe_regs+24(%rip)\n"
        "    movq %rsi, probe_regs+32(%rip)\n"
        "    movq %rbp, probe_regs+40(%rip)\n"
        "    movq %r8, probe_regs+48(%rip)\n"
        "    movq %r9, probe_regs+56(%rip)\n"
        "    movq %r10, probe_regs+64(%rip)\n"
        "    movq %r11, probe_regs+72(%rip)\n"
        "    movq %r12, probe_regs+80(%rip)\n"
        "    movq %r13, probe_regs+88(%rip)\n"
        "    movq %r14, probe_regs+96(%rip)\n"
        "    movq %r15, probe_regs+104(%rip)\n"
        "    movq %rdi, probe_regs+112(%rip)\n"
        "    movdqu %xmm0, probe_xmm(%rip)\n"
        "    movdqu %xmm8, probe_xmm+16(%rip)\n"
        "    movdqu %xmm15, probe_xmm+32(%rip)\n"
        "    popq %r15\n popq %r14\n popq %r13\n popq %r12\n popq %rbp\n popq %rbx\n"
        "    ret\n"
        ".globl do_ud2, do_ud2_at\n"
        "do_ud2:\n"
        "do_ud2_at:\n"
        "    ud2\n"
        "    ret\n"
        ".globl do_div, do_div_at\n"
        "do_div:\n"
        "    movl %edi, %eax\n"
        "    cltd\n"
        "do_div_at:\n"
        "    idivl %esi\n" /* 2 bytes */
        "    ret\n"
        ".globl do_int3, do_int3_after\n"
        "do_int3:\n"
        "    int3\n"
        "do_int3_after:\n"
        "    ret\n"
        ".globl do_hlt, do_hlt_at\n"
        "do_hlt:\n"
        "do_hlt_at:\n"
        "    hlt\n" /* 1 byte; privileged: #GP in user mode */
        "    ret\n"
        /* long run_on_stack(fn, top): call fn on another stack; 0 when it
         * returns, 1 when a handler sent us to run_on_stack_escape. */
        ".globl run_on_stack, run_on_stack_escape\n"
        "run_on_stack:\n"
        "    pushq %rbx\n pushq %rbp\n pushq %r12\n pushq %r13\n pushq %r14\n pushq %r15\n"
        "    movq %rsp, saved_rsp(%rip)\n"
        "    movq %rsi, %rsp\n"
        "    call *%rdi\n"
        "    movq saved_rsp(%rip), %rsp\n"
        "    xorl %eax, %eax\n"
        "    jmp 1f\n"
        "run_on_stack_escape:\n"
        "    movl $1, %eax\n"
        "1:  popq %r15\n popq %r14\n popq %r13\n popq %r12\n popq %rbp\n popq %rbx\n"
        "    ret\n"
        /* kill(pid, sig) with RSP pointing at nothing. */
        ".globl kill_on_bad_stack\n"
        "kill_on_bad_stack:\n"
        "    movq %rsp, %r12\n"
        "    movq $0x1000, %rsp\n"
        "    movl $62, %eax\n"
        "    syscall\n"
        "    movq %r12, %rsp\n"
        "    ret\n"
        /* long compat_syscall(void): the syscall instruction in 32-bit
         * code (eax = 20, i386 getpid); returns what came back in eax. The
         * 32-bit user code selector is the 64-bit one minus 16 (0x23
         * and 0x33 on Linux and mmcore). Nothing touches the stack in 32-bit
         * mode; every register that matters is kept in memory. DS gets the
         * user data selector (SS's) for the 32-bit store: a program's DS is
         * null, and 32-bit code cannot address memory through a null DS
         * (QEMU's TCG lets it; the processor raises #GP). */
        ".globl compat_syscall\n"
        "compat_syscall:\n"
        "    movq %rsp, compat_saved(%rip)\n"
        "    movq %rbx, compat_saved+8(%rip)\n"
        "    movq %rbp, compat_saved+16(%rip)\n"
        "    movq %r12, compat_saved+24(%rip)\n"
        "    movq %r13, compat_saved+32(%rip)\n"
        "    movq %r14, compat_saved+40(%rip)\n"
        "    movq %r15, compat_saved+48(%rip)\n"
        "    movw %ds, compat_saved+56(%rip)\n"
        "    movw %ss, %ax\n"
        "    movw %ax, %ds\n"
        "    movw %cs, %ax\n"
        "    movw %ax, compat_to64+4(%rip)\n"
        "    subw $16, %ax\n"
        "    movw %ax, compat_to32+4(%rip)\n"
        "    leaq 2f(%rip), %rax\n"
        "    movl %eax, compat_to64(%rip)\n"
        "    leaq 1f(%rip), %rax\n"
        "    movl %eax, compat_to32(%rip)\n"
        "    ljmpl *compat_to32(%rip)\n"
        "    .code32\n"
        "1:  movl $20, %eax\n"
        "    syscall\n"
        "    movl %eax, compat_result\n"
        "    ljmpl *compat_to64\n"
        "    .code64\n"
        "2:  movw compat_saved+56(%rip), %ds\n"
        "    movq compat_saved(%rip), %rsp\n"
        "    movq compat_saved+8(%rip), %rbx\n"
        "    movq compat_saved+16(%rip), %rbp\n"
        "    movq compat_saved+24(%rip), %r12\n"
        "    movq compat_saved+32(%rip), %r13\n"
        "    movq compat_saved+40(%rip), %r14\n"
        "    movq compat_saved+48(%rip), %r15\n"
        "    movslq compat_result(%rip), %rax\n"
        "    ret\n"
        /* rt_sigreturn on a frame of zeros. */
        ".globl sigreturn_garbage\n"
        "sigreturn_garbage:\n"
        "    leaq 8(%rdi), %rsp\n"
        "    movl $15, %eax\n"
        "    syscall\n"
        "    ret\n");

static unsigned read_mxcsr(void)
{
    unsigned v;
    __asm__ volatile("stmxcsr %0" : "=m"(v));
    return v;
}
static void write_mxcsr(unsigned v) { __asm__ volatile("ldmxcsr %0" : : "m"(v)); }
static unsigned short read_cs(void)
{
    unsigned short v;
    __asm__ volatile("mov %%cs, %0" : "=r"(v));
    return v;
}
static unsigned short read_ss(void)
{
    unsigned short v;
    __asm__ volatile("mov %%ss, %0" : "=r"(v));
    return v;
}

static char *map(size_t len, int prot)
{
    long r = sys_mmap(0, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sys_failed(r)) {
        printf("mmap failed: %s\n", strerror_name(r));
        exit(2);
    }
    return (char *)r;
}

static void *page_of(void *a) { return (void *)((unsigned long)a & ~(PAGE_SIZE - 1)); }

/* What the last handler saw. */
static volatile int hits, got_sig, got_code;
static void *volatile got_addr;
static ucontext_t got_uc;
static volatile long skip_bytes;

/* ---- 1. the frame at handler entry ---- */

static unsigned long probe_fp_mxcsr, probe_mask_in_handler;
static ucontext_t probe_uc;
static siginfo_t probe_si;

void probe_handler(int sig, siginfo_t *si, void *ucv)
{
    hits++;
    probe_uc = *(ucontext_t *)ucv;
    probe_si = *si;
    unsigned v;
    memcpy(&v, probe_uc.uc_mcontext.fpstate + 24, 4);
    probe_fp_mxcsr = v;
    probe_mask_in_handler = sig_blocked();
    (void)sig;
}

static void test_frame(void)
{
    hits = 0;
    CHECK_EQ(sig_handle(SIGUSR1, (unsigned long)entry_probe, SA_SIGINFO, sig_mask(SIGUSR2)), 0,
             "install a SIGUSR1 handler that records its entry state");
    unsigned long mask_before = sig_blocked();
    write_mxcsr(0x7f80); /* round toward zero */
    long r = sys_kill((int)sys_getpid(), SIGUSR1);
    unsigned mxcsr_after = read_mxcsr();
    write_mxcsr(0x1f80);
    CHECK_EQ(r, 0, "kill(getpid(), SIGUSR1)");
    CHECK_EQ(hits, 1, "the handler ran before kill returned");
    CHECK(((probe_rsp + 8) & 15) == 0, "RSP + 8 is 16-byte aligned at handler entry (rsp %lx)", probe_rsp);
    CHECK_EQ(*(unsigned long *)probe_rsp, (unsigned long)__restore_rt, "the return address is sa_restorer");
    CHECK_EQ(probe_rdi, SIGUSR1, "RDI holds the signal number");
    CHECK_EQ(probe_rdx, probe_rsp + 8, "RDX points at the ucontext right above the return address");
    CHECK_EQ(probe_rsi, probe_rsp + 312, "RSI points at the siginfo after the 304-byte ucontext");
    CHECK_EQ(probe_rax, 0, "RAX is 0");
    CHECK_EQ(probe_si.si_signo, SIGUSR1, "si_signo");
    CHECK_EQ(probe_si.si_code, SI_USER, "si_code SI_USER for kill");
    CHECK_EQ(probe_si.si_pid, sys_getpid(), "si_pid is the sender");
    CHECK_EQ(probe_si.si_uid, sys_getuid(), "si_uid is the sender's uid");
    CHECK((probe_uc.uc_flags & 6) == 6, "uc_flags has UC_SIGCONTEXT_SS and UC_STRICT_RESTORE_SS (%lx)",
          probe_uc.uc_flags);
    CHECK_EQ(probe_uc.uc_link, 0, "uc_link is NULL");
    CHECK_EQ(probe_uc.uc_sigmask, mask_before, "uc_sigmask is the mask before the signal");
    CHECK_EQ(probe_uc.uc_mcontext.oldmask, mask_before, "sigcontext.oldmask too");
    CHECK_EQ(probe_uc.uc_mcontext.cs, read_cs(), "sigcontext.cs is the user code selector");
    CHECK_EQ(probe_uc.uc_mcontext.ss, read_ss(), "sigcontext.ss is the user stack selector");
    CHECK(probe_uc.uc_mcontext.rsp > probe_rsp + 312 + 128, "the interrupted RSP is above the frame");
    CHECK(probe_uc.uc_mcontext.fpstate && ((unsigned long)probe_uc.uc_mcontext.fpstate & 63) == 0 &&
              (unsigned long)probe_uc.uc_mcontext.fpstate > probe_rsp + 312 + 128 - 1 &&
              (unsigned long)probe_uc.uc_mcontext.fpstate < probe_uc.uc_mcontext.rsp,
          "fpstate is 64-byte aligned between the siginfo and the interrupted stack");
    CHECK_EQ(probe_fp_mxcsr, 0x7f80, "the saved FPU state has the interrupted MXCSR");
    CHECK_EQ(probe_mxcsr, 0x1f80, "the handler starts with the default MXCSR");
    CHECK_EQ(mxcsr_after, 0x7f80, "sigreturn brings the interrupted MXCSR back");
    CHECK_EQ(probe_mask_in_handler, mask_before | sig_mask(SIGUSR1) | sig_mask(SIGUSR2),
             "in the handler the signal and sa_mask are blocked");
    CHECK_EQ(sig_blocked(), mask_before, "after the handler the mask is restored");

    hits = 0;
    CHECK_EQ(sys_tgkill((int)sys_getpid(), (int)sys_gettid(), SIGUSR1), 0, "tgkill myself");
    CHECK(hits == 1 && probe_si.si_code == SI_TKILL && probe_si.si_pid == sys_getpid(),
          "the handler ran with si_code SI_TKILL (%d)", probe_si.si_code);
    sig_handle(SIGUSR1, SIG_DFL, 0, 0);
}

/* ---- 2. a fault fixed by the handler: registers and SSE come back ---- */

static void fix_handler(int sig, siginfo_t *si, void *ucv)
{
    hits++;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = si->si_addr;
    got_uc = *(ucontext_t *)ucv;
    sys_mprotect(page_of(si->si_addr), PAGE_SIZE, PROT_READ | PROT_WRITE);
    /* Scribble over SSE registers the interrupted code is using. */
    __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpcmpeqd %%xmm8, %%xmm8\n\tpxor %%xmm15, %%xmm15"
                     :
                     :
                     : "xmm0", "xmm8", "xmm15");
}

static void test_registers(void)
{
    char *page = map(PAGE_SIZE, PROT_READ);
    CHECK_EQ(sig_install(SIGSEGV, fix_handler, 0, 0), 0, "install a SIGSEGV handler that unprotects the page");
    hits = 0;
    regs_probe(page);
    CHECK_EQ(hits, 1, "one fault, one handler call");
    CHECK_EQ(got_code, SEGV_ACCERR, "writing a read-only page is SEGV_ACCERR");
    CHECK_EQ((unsigned long)got_addr, (unsigned long)page, "si_addr is the address written");
    CHECK_EQ(page[0], 0x5a, "the write was retried after the handler and took effect");
    CHECK_EQ(got_uc.uc_mcontext.rip, (unsigned long)regs_probe_fault, "sigcontext.rip is the faulting instruction");
    CHECK_EQ(got_uc.uc_mcontext.cr2, (unsigned long)page, "sigcontext.cr2 is the address");
    CHECK_EQ(got_uc.uc_mcontext.trapno, 14, "sigcontext.trapno is 14 (page fault)");
    CHECK_EQ(got_uc.uc_mcontext.err & 6, 6, "sigcontext.err says write, user");
    CHECK_EQ(got_uc.uc_mcontext.rax, 0x1111111111111101UL, "sigcontext.rax holds the interrupted RAX");
    CHECK_EQ(got_uc.uc_mcontext.r15, 0xeeeeeeeeeeeeee0eUL, "sigcontext.r15 holds the interrupted R15");
    static const unsigned long want[15] = {
        0x1111111111111101UL, 0x2222222222222202UL, 0x3333333333333303UL, 0x4444444444444404UL,
        0x5555555555555505UL, 0x6666666666666606UL, 0x7777777777777707UL, 0x8888888888888808UL,
        0x9999999999999909UL, 0xaaaaaaaaaaaaaa0aUL, 0xbbbbbbbbbbbbbb0bUL, 0xcccccccccccccc0cUL,
        0xdddddddddddddd0dUL, 0xeeeeeeeeeeeeee0eUL, 0,
    };
    static const char *const names[15] = {"rax", "rbx", "rcx", "rdx", "rsi", "rbp", "r8", "r9",
                                          "r10", "r11", "r12", "r13", "r14", "r15", "rdi"};
    int bad = -1;
    for (int i = 0; i < 14; i++)
        if (probe_regs[i] != want[i] && bad < 0)
            bad = i;
    CHECK(bad < 0, "every general register survives the handler (first bad: %s = %lx)", bad < 0 ? "-" : names[bad],
          bad < 0 ? 0 : probe_regs[bad]);
    CHECK_EQ(probe_regs[14], (unsigned long)page, "rdi too");
    CHECK(!memcmp(probe_xmm, xmm_pattern, sizeof probe_xmm), "xmm0, xmm8 and xmm15 survive the handler");
    sys_munmap(page, PAGE_SIZE);
}

/* ---- 3. SEGV_MAPERR and SEGV_ACCERR, fixed by mapping or mprotect ---- */

static void map_handler(int sig, siginfo_t *si, void *ucv)
{
    hits++;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = si->si_addr;
    got_uc = *(ucontext_t *)ucv;
    sys_mmap(page_of(si->si_addr), PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

static void test_fault_codes(void)
{
    char *hole = map(PAGE_SIZE, PROT_READ | PROT_WRITE);
    sys_munmap(hole, PAGE_SIZE);
    sig_install(SIGSEGV, map_handler, 0, 0);
    hits = 0;
    int v = *(volatile int *)(hole + 100);
    CHECK(hits == 1 && got_sig == SIGSEGV, "reading an unmapped page raises SIGSEGV once");
    CHECK_EQ(got_code, SEGV_MAPERR, "si_code SEGV_MAPERR");
    CHECK_EQ((unsigned long)got_addr, (unsigned long)(hole + 100), "si_addr is the exact address");
    CHECK_EQ(got_uc.uc_mcontext.err & 5, 4, "sigcontext.err: user, not present");
    CHECK_EQ(v, 0, "the handler mapped a page and the read was retried");
    sys_munmap(hole, PAGE_SIZE);

    char *none = map(PAGE_SIZE, PROT_READ | PROT_WRITE);
    none[7] = 0x77;
    sys_mprotect(none, PAGE_SIZE, PROT_NONE);
    sig_install(SIGSEGV, fix_handler, 0, 0);
    hits = 0;
    v = *(volatile char *)(none + 7);
    CHECK(hits == 1 && got_code == SEGV_ACCERR, "reading PROT_NONE memory is SEGV_ACCERR (%d)", got_code);
    CHECK_EQ((unsigned long)got_addr, (unsigned long)(none + 7), "si_addr is the exact address");
    CHECK_EQ(v, 0x77, "after mprotect in the handler the retried read sees the data");
    sys_munmap(none, PAGE_SIZE);

    /* The pattern of a garbage collector's write barrier. */
    enum { N = 64 };
    char *heap = map(N * PAGE_SIZE, PROT_READ | PROT_WRITE);
    for (int i = 0; i < N; i++)
        heap[i * PAGE_SIZE] = (char)i;
    sys_mprotect(heap, N * PAGE_SIZE, PROT_READ);
    hits = 0;
    for (int i = 0; i < N; i++)
        heap[i * PAGE_SIZE + 1] = (char)(i + 1);
    int ok = 1;
    for (int i = 0; i < N; i++)
        ok &= heap[i * PAGE_SIZE] == (char)i && heap[i * PAGE_SIZE + 1] == (char)(i + 1);
    CHECK(hits == N && ok, "%d write faults on read-only pages, each fixed by its handler (%d calls)", N, hits);
    sys_munmap(heap, N * PAGE_SIZE);
}

/* ---- 4. SIGILL, SIGFPE, SIGTRAP, #GP ---- */

static void skip_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    hits++;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = si->si_addr;
    got_uc = *uc;
    uc->uc_mcontext.rip += (unsigned long)skip_bytes;
}

static void test_exceptions(void)
{
    sig_install(SIGILL, skip_handler, 0, 0);
    sig_install(SIGFPE, skip_handler, 0, 0);
    sig_install(SIGTRAP, skip_handler, 0, 0);
    sig_install(SIGSEGV, skip_handler, 0, 0);

    hits = 0, skip_bytes = 2;
    do_ud2();
    CHECK(hits == 1 && got_sig == SIGILL, "ud2 raises SIGILL");
    CHECK_EQ(got_code, ILL_ILLOPN, "si_code ILL_ILLOPN");
    CHECK_EQ((unsigned long)got_addr, (unsigned long)do_ud2_at, "si_addr is the instruction");
    CHECK_EQ(got_uc.uc_mcontext.rip, (unsigned long)do_ud2_at, "and so is sigcontext.rip");

    hits = 0, skip_bytes = 2;
    int q = do_div(7, 0);
    CHECK(hits == 1 && got_sig == SIGFPE, "dividing by zero raises SIGFPE");
    CHECK_EQ(got_code, FPE_INTDIV, "si_code FPE_INTDIV");
    CHECK_EQ((unsigned long)got_addr, (unsigned long)do_div_at, "si_addr is the idiv");
    CHECK_EQ(q, 7, "the handler skipped the idiv by moving sigcontext.rip");

    hits = 0, skip_bytes = 0;
    do_int3();
    CHECK(hits == 1 && got_sig == SIGTRAP, "int3 raises SIGTRAP");
    CHECK_EQ(got_code, SI_KERNEL, "si_code SI_KERNEL");
    CHECK_EQ(got_uc.uc_mcontext.rip, (unsigned long)do_int3_after, "sigcontext.rip is after the int3");
    CHECK_EQ(got_uc.uc_mcontext.trapno, 3, "sigcontext.trapno 3");

    hits = 0, skip_bytes = 1;
    do_hlt();
    CHECK(hits == 1 && got_sig == SIGSEGV, "hlt in user mode raises SIGSEGV");
    CHECK(got_code == SI_KERNEL && got_addr == 0, "si_code SI_KERNEL, no address (%d)", got_code);
    CHECK_EQ(got_uc.uc_mcontext.trapno, 13, "sigcontext.trapno 13 (general protection)");
    CHECK_EQ(got_uc.uc_mcontext.rip, (unsigned long)do_hlt_at, "sigcontext.rip is the hlt");

    sig_handle(SIGILL, SIG_DFL, 0, 0);
    sig_handle(SIGFPE, SIG_DFL, 0, 0);
    sig_handle(SIGTRAP, SIG_DFL, 0, 0);
}

/* ---- 5. SIGBUS: a file mapping beyond the end of the file ---- */

static void test_sigbus(void)
{
    long fd = sys_open("/tmp/sigframe-bus", O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0, "create a 100-byte file (%ld)", fd);
    char data[100];
    memset(data, '.', sizeof data);
    memcpy(data, "0123456789", 10);
    data[99] = '!';
    sys_write((int)fd, data, sizeof data);
    long r = sys_mmap(0, 2 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, (int)fd, 0);
    sys_close((int)fd);
    sys_unlink("/tmp/sigframe-bus");
    if (r == -ENODEV) {
        printf("# SIGBUS: skipped, file mappings are not supported (ENODEV)\n");
        return;
    }
    CHECK(!sys_failed(r), "map two pages of it (%s)", sys_failed(r) ? strerror_name(r) : "ok");
    if (sys_failed(r))
        return;
    char *p = (char *)r;
    CHECK(p[5] == '5' && p[99] == '!' && p[100] == 0 && p[4095] == 0, "the first page holds the file, then zeros");
    sig_install(SIGBUS, map_handler, 0, 0);
    hits = 0;
    int v = *(volatile char *)(p + PAGE_SIZE + 8);
    CHECK(hits == 1 && got_sig == SIGBUS, "reading the page wholly beyond the end raises SIGBUS");
    CHECK_EQ(got_code, BUS_ADRERR, "si_code BUS_ADRERR");
    CHECK_EQ((unsigned long)got_addr, (unsigned long)(p + PAGE_SIZE + 8), "si_addr is the exact address");
    CHECK_EQ(v, 0, "the handler mapped memory there and the read was retried");
    sig_handle(SIGBUS, SIG_DFL, 0, 0);
    sys_munmap(p, 2 * PAGE_SIZE);
}

/* ---- 6. sigaltstack ---- */

static char *alt;
static const size_t alt_size = 16 * PAGE_SIZE;
static volatile int on_alt, alt_query_flags, alt_install;
static volatile long alt_set_err;
static stack_t alt_uc_stack;

static void alt_handler(int sig, siginfo_t *si, void *ucv)
{
    char here;
    hits++;
    on_alt = &here >= alt && &here < alt + alt_size;
    stack_t q;
    sys_sigaltstack(0, &q);
    alt_query_flags = q.ss_flags;
    stack_t other = {alt, 0, alt_size};
    alt_set_err = alt_install ? sys_sigaltstack(&other, 0) : 1;
    alt_uc_stack = ((ucontext_t *)ucv)->uc_stack;
    (void)sig, (void)si;
}

static void test_altstack(void)
{
    stack_t old, ss;
    CHECK_EQ(sys_sigaltstack(0, &old), 0, "sigaltstack reads the alternate stack");
    CHECK(old.ss_flags == SS_DISABLE && old.ss_sp == 0 && old.ss_size == 0, "none at first (flags %d)",
          old.ss_flags);
    alt = map(alt_size, PROT_READ | PROT_WRITE);
    ss = (stack_t){alt, 5, alt_size};
    CHECK_EQ(sys_sigaltstack(&ss, 0), -EINVAL, "unknown flags are EINVAL");
    ss = (stack_t){alt, 0, MINSIGSTKSZ - 1};
    CHECK_EQ(sys_sigaltstack(&ss, 0), -ENOMEM, "a stack below MINSIGSTKSZ is ENOMEM");
    ss = (stack_t){alt, 0, alt_size};
    CHECK_EQ(sys_sigaltstack(&ss, 0), 0, "set a 64 KiB alternate stack");
    sys_sigaltstack(0, &old);
    CHECK(old.ss_sp == alt && old.ss_size == alt_size && old.ss_flags == 0, "read back: not on it (flags %d)",
          old.ss_flags);

    sig_install(SIGUSR1, alt_handler, SA_ONSTACK, 0);
    hits = 0;
    alt_install = 1;
    sys_kill((int)sys_getpid(), SIGUSR1);
    CHECK(hits == 1 && on_alt, "an SA_ONSTACK handler runs on the alternate stack");
    CHECK_EQ(alt_query_flags, SS_ONSTACK, "sigaltstack in the handler says SS_ONSTACK");
    CHECK_EQ(alt_set_err, -EPERM, "changing the stack while on it is EPERM");
    CHECK(alt_uc_stack.ss_sp == alt && alt_uc_stack.ss_size == alt_size && alt_uc_stack.ss_flags == 0,
          "uc_stack describes the alternate stack (flags %d)", alt_uc_stack.ss_flags);
    sys_sigaltstack(0, &old);
    CHECK_EQ(old.ss_flags, 0, "after the handler: not on it");

    sig_install(SIGUSR1, alt_handler, 0, 0);
    hits = 0;
    sys_kill((int)sys_getpid(), SIGUSR1);
    CHECK(hits == 1 && !on_alt && alt_query_flags == 0, "without SA_ONSTACK it runs on the normal stack");

    ss = (stack_t){alt, (int)SS_AUTODISARM, alt_size};
    CHECK_EQ(sys_sigaltstack(&ss, 0), 0, "set it again with SS_AUTODISARM");
    sig_install(SIGUSR1, alt_handler, SA_ONSTACK, 0);
    hits = 0;
    alt_install = 0;
    sys_kill((int)sys_getpid(), SIGUSR1);
    CHECK(hits == 1 && on_alt, "the handler runs on it");
    CHECK_EQ(alt_query_flags, SS_DISABLE, "SS_AUTODISARM: it is disarmed while the handler runs");
    CHECK_EQ((unsigned)alt_uc_stack.ss_flags, SS_AUTODISARM, "uc_stack keeps SS_AUTODISARM");
    sys_sigaltstack(0, &old);
    CHECK(old.ss_sp == alt && old.ss_size == alt_size && (unsigned)old.ss_flags == SS_AUTODISARM,
          "sigreturn puts it back (flags %x)", old.ss_flags);
    alt_install = 1;
    sys_kill((int)sys_getpid(), SIGUSR1);
    CHECK(hits == 2 && on_alt && alt_set_err == 0, "a disarmed stack may be replaced inside the handler");
    sys_sigaltstack(0, &old);
    CHECK(old.ss_sp == alt && old.ss_flags == 0,
          "then sigreturn, running on the new one, leaves it in place (flags %x)", old.ss_flags);

    ss = (stack_t){alt, SS_ONSTACK, alt_size};
    CHECK_EQ(sys_sigaltstack(&ss, 0), 0, "the old SS_ONSTACK mode is accepted");
    sys_sigaltstack(0, &old);
    CHECK_EQ(old.ss_flags, 0, "and reads back as 0");
    ss = (stack_t){0, SS_DISABLE, 0};
    CHECK_EQ(sys_sigaltstack(&ss, 0), 0, "SS_DISABLE");
    sys_sigaltstack(0, &old);
    CHECK(old.ss_flags == SS_DISABLE && old.ss_size == 0, "disabled again");
    sig_handle(SIGUSR1, SIG_DFL, 0, 0);
}

/* ---- 7. a guard page below a stack ---- */

static int depth_limit = 1 << 30;
static int recurse(int n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    if (n > depth_limit)
        return 0;
    return recurse(n + 1) + pad[0];
}
static void deep(void) { recurse(0); }

static char *guarded;
static void guard_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    char here;
    hits++;
    got_code = si->si_code;
    got_addr = si->si_addr;
    on_alt = &here >= alt && &here < alt + alt_size;
    /* Leave the overflowed stack: resume in run_on_stack on the old one. */
    uc->uc_mcontext.rsp = saved_rsp;
    uc->uc_mcontext.rip = (unsigned long)run_on_stack_escape;
    (void)sig;
}

static void test_guard_page(void)
{
    guarded = map(17 * PAGE_SIZE, PROT_READ | PROT_WRITE);
    sys_mprotect(guarded, PAGE_SIZE, PROT_NONE);
    stack_t ss = {alt, 0, alt_size};
    sys_sigaltstack(&ss, 0);
    sig_install(SIGSEGV, guard_handler, SA_ONSTACK, 0);
    hits = 0;
    long r = run_on_stack(deep, guarded + 17 * PAGE_SIZE);
    CHECK_EQ(r, 1, "recursion on a 64 KiB stack ran into its guard page; the handler sent it back");
    CHECK(hits == 1 && on_alt, "the SIGSEGV handler ran once, on the alternate stack");
    CHECK_EQ(got_code, SEGV_ACCERR, "the guard page (PROT_NONE) is SEGV_ACCERR");
    CHECK((char *)got_addr >= guarded && (char *)got_addr < guarded + PAGE_SIZE, "si_addr %p is in the guard page",
          got_addr);
    ss = (stack_t){0, SS_DISABLE, 0};
    sys_sigaltstack(&ss, 0);
    sig_handle(SIGSEGV, SIG_DFL, 0, 0);
}

/* ---- 8. what ends a process with SIGSEGV (children) ---- */

static volatile int *shared_hits;
static char *ro_page;

static void count_handler(int sig, siginfo_t *si, void *ucv)
{
    (*shared_hits)++;
    (void)sig, (void)si, (void)ucv;
}
static void faulting_handler(int sig, siginfo_t *si, void *ucv)
{
    (*shared_hits)++;
    ro_page[1] = 1; /* SIGSEGV while SIGSEGV is blocked */
    (void)sig, (void)si, (void)ucv;
}
static void iopl_handler(int sig, siginfo_t *si, void *ucv)
{
    (*shared_hits)++;
    ((ucontext_t *)ucv)->uc_mcontext.eflags |= 0x3000; /* IOPL 3 */
    (void)sig, (void)si;
}
static void selector_handler(int sig, siginfo_t *si, void *ucv)
{
    (*shared_hits)++;
    ((ucontext_t *)ucv)->uc_mcontext.cs = 0x08; /* a kernel code selector */
    ((ucontext_t *)ucv)->uc_mcontext.ss = 0x10;
    (void)sig, (void)si;
}
static void noncanonical_handler(int sig, siginfo_t *si, void *ucv)
{
    (*shared_hits)++;
    ((ucontext_t *)ucv)->uc_mcontext.rip = 0x0000800000000000UL;
    (void)sig, (void)si;
}

static void child_guard_no_altstack(void)
{
    sig_install(SIGSEGV, count_handler, 0, 0);
    run_on_stack(deep, guarded + 17 * PAGE_SIZE);
}
static void child_fault_in_handler(void)
{
    sig_install(SIGSEGV, faulting_handler, 0, 0);
    ro_page[0] = 1;
}
static void child_blocked(void)
{
    sig_install(SIGSEGV, count_handler, 0, 0);
    unsigned long set = sig_mask(SIGSEGV);
    sys_rt_sigprocmask(SIG_BLOCK, &set, 0);
    ro_page[0] = 1;
}
static void child_ignored(void)
{
    sig_handle(SIGSEGV, SIG_IGN, 0, 0);
    ro_page[0] = 1;
}
static void child_no_handler(void) { ro_page[0] = 1; }
static void child_bad_stack(void)
{
    sig_install(SIGUSR1, count_handler, 0, 0);
    kill_on_bad_stack(sys_getpid(), SIGUSR1);
}
static void child_iopl(void)
{
    sig_install(SIGUSR1, iopl_handler, 0, 0);
    sys_kill((int)sys_getpid(), SIGUSR1);
    __asm__ volatile("cli");
}
static void child_selectors(void)
{
    sig_install(SIGUSR1, selector_handler, 0, 0);
    sys_kill((int)sys_getpid(), SIGUSR1);
}
static void child_noncanonical(void)
{
    sig_install(SIGUSR1, noncanonical_handler, 0, 0);
    sys_kill((int)sys_getpid(), SIGUSR1);
}
static void child_garbage_sigreturn(void)
{
    static unsigned long zeros[128];
    sigreturn_garbage(zeros);
}

/* Run fn in a child; its wait status, and how often handlers ran. */
static int in_child(void (*fn)(void), int *handler_runs)
{
    *shared_hits = 0;
    long pid = sys_fork();
    if (pid == 0) {
        fn();
        sys_exit_group(0);
    }
    int status = -1;
    sys_wait4((int)pid, &status, 0, 0);
    *handler_runs = *shared_hits;
    return status;
}

static void test_fatal(void)
{
    shared_hits = (volatile int *)sys_mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ro_page = map(PAGE_SIZE, PROT_READ);
    int runs, st;

    st = in_child(child_no_handler, &runs);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a fault without a handler kills with SIGSEGV (%x)", st);
    st = in_child(child_guard_no_altstack, &runs);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && runs == 0,
          "overflow into the guard page with no alternate stack: no room for the frame, SIGSEGV (%x, %d runs)", st,
          runs);
    st = in_child(child_fault_in_handler, &runs);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && runs == 1,
          "a fault inside the SIGSEGV handler (SIGSEGV blocked) kills with SIGSEGV (%x, %d runs)", st, runs);
    st = in_child(child_blocked, &runs);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && runs == 0,
          "a fault with SIGSEGV blocked kills, handler or not (%x, %d runs)", st, runs);
    st = in_child(child_ignored, &runs);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a fault with SIGSEGV ignored kills (%x)", st);
    st = in_child(child_bad_stack, &runs);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && runs == 0,
          "a signal with the stack pointer at nothing: SIGSEGV (%x, %d runs)", st, runs);
    st = in_child(child_iopl, &runs);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && runs == 1,
          "IOPL 3 through the frame is ignored: cli still faults (%x, %d runs)", st, runs);
    st = in_child(child_noncanonical, &runs);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && runs == 1,
          "returning to a non-canonical address: SIGSEGV (%x, %d runs)", st, runs);
    st = in_child(child_garbage_sigreturn, &runs);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "rt_sigreturn on a frame of zeros: SIGSEGV (%x)", st);
    st = in_child(child_selectors, &runs);
    CHECK(runs == 1 && ((WIFEXITED(st) && WEXITSTATUS(st) == 0) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV)),
          "kernel selectors through the frame never reach ring 0 (%x, %d runs)", st, runs);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "compat")) {
        /* mmcore only: it has no 32-bit system calls (Linux runs them, or
         * raises SIGILL on Intel CPUs). */
        printf("compat syscall: %ld\n", compat_syscall());
        return 0;
    }
    test_frame();
    test_registers();
    test_fault_codes();
    test_exceptions();
    test_sigbus();
    test_altstack();
    test_guard_page();
    test_fatal();
    utest_done();
}
