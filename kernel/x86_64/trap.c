/* kernel/x86_64/trap.c — what happens after trap_entry.S saved a frame:
 * decoding exceptions, turning user page faults into mm/ faults, turning
 * other user exceptions into signals (with Linux's si_code and si_addr;
 * signal.c delivers them), and stopping the machine with a
 * register dump when the kernel itself faults (always a bug: the kernel
 * reaches user memory only through mm/uaccess, which never faults). */
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <mm/errno.h>
#include <mm/types.h>

#include "cpu.h"
#include "layout.h"
#include "trap.h"

static const char *const exception_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection",
    "page fault", "reserved", "x87 floating point", "alignment check",
    "machine check", "SIMD floating point", "virtualization", "control protection",
};

static const char *trap_name(uint64_t vec)
{
    if (vec < 32 && exception_names[vec])
        return exception_names[vec];
    if (vec == TRAP_SYSCALL)
        return "system call";
    return vec >= 32 && vec < 48 ? "legacy PIC interrupt" : "unexpected vector";
}

void trap_dump(const struct trap_frame *tf, const char *why)
{
    kprintf("mmcore: %s: %s (vector %lu, error %#lx) in %s mode\n", why, trap_name(tf->vector),
            tf->vector, tf->error, trap_from_user(tf) ? "user" : "kernel");
    kprintf("  rip %016lx  cs %04lx  rflags %016lx\n", tf->rip, tf->cs, tf->rflags);
    kprintf("  rsp %016lx  ss %04lx  cr2 %016lx  cr3 %016lx\n", tf->rsp, tf->ss, read_cr2(), read_cr3());
    kprintf("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", tf->rax, tf->rbx, tf->rcx, tf->rdx);
    kprintf("  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n", tf->rsi, tf->rdi, tf->rbp, tf->r8);
    kprintf("  r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n", tf->r9, tf->r10, tf->r11, tf->r12);
    kprintf("  r13 %016lx  r14 %016lx  r15 %016lx\n", tf->r13, tf->r14, tf->r15);
    if (!trap_from_user(tf)) {
        /* Walk the frame-pointer chain while it stays in the kernel half. */
        uint64_t *fp = (uint64_t *)tf->rbp;
        kprintf("  backtrace: %016lx", tf->rip);
        for (int i = 0; i < 16 && (uint64_t)fp >= 0xffff800000000000ull && ((uint64_t)fp & 7) == 0; i++) {
            kprintf(" %016lx", fp[1]);
            fp = (uint64_t *)fp[0];
        }
        kprintf("\n");
    }
}

static _Noreturn void kernel_fault(struct trap_frame *tf)
{
    trap_dump(tf, "kernel fault");
    machine_stop(MACHINE_STOP_FAULT);
}

/* The si_code of a floating-point exception: the first of the raised,
 * unmasked exceptions in Linux's order (status and mask bits line up in
 * both the x87 status/control words and MXCSR); 0 when none is. */
static int fpu_exception_code(unsigned raised_unmasked)
{
    if (raised_unmasked & 0x01)
        return FPE_FLTINV;
    if (raised_unmasked & 0x04)
        return FPE_FLTDIV;
    if (raised_unmasked & 0x08)
        return FPE_FLTOVF;
    if (raised_unmasked & 0x12)
        return FPE_FLTUND;
    if (raised_unmasked & 0x20)
        return FPE_FLTRES;
    return 0;
}

/* The signal, si_code and si_addr Linux gives a user program for an
 * exception other than a page fault. Returns false for a spurious
 * floating-point trap (no signal). */
static bool exception_signal(const struct trap_frame *tf, int *sig, int *code, uaddr_t *addr)
{
    *addr = 0;
    *code = SI_KERNEL;
    switch (tf->vector) {
    case EXC_DE:
        *sig = SIGFPE, *code = FPE_INTDIV, *addr = tf->rip;
        return true;
    case EXC_MF: {
        uint16_t sw, cw;
        __asm__ volatile("fnstsw %0; fnstcw %1" : "=m"(sw), "=m"(cw));
        *sig = SIGFPE, *code = fpu_exception_code(sw & ~cw & 0x3fu), *addr = tf->rip;
        return *code != 0;
    }
    case EXC_XM: {
        uint32_t mxcsr;
        __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
        *sig = SIGFPE, *code = fpu_exception_code(~(mxcsr >> 7) & mxcsr & 0x3fu), *addr = tf->rip;
        return *code != 0;
    }
    case EXC_DB: {
        uint64_t dr6;
        __asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
        __asm__ volatile("mov %0, %%dr6" : : "r"(0xffff0ff0ull));
        *sig = SIGTRAP, *code = (dr6 & (1u << 14)) ? TRAP_TRACE : TRAP_BRKPT, *addr = tf->rip;
        return true;
    }
    case EXC_BP:
        *sig = SIGTRAP; /* SI_KERNEL, no address: int3 */
        return true;
    case EXC_UD:
        *sig = SIGILL, *code = ILL_ILLOPN, *addr = tf->rip;
        return true;
    case EXC_AC:
        *sig = SIGBUS, *code = BUS_ADRALN;
        return true;
    case EXC_NP:
    case EXC_SS:
        *sig = SIGBUS;
        return true;
    default:
        *sig = SIGSEGV; /* #GP and the rest: SI_KERNEL, no address */
        return true;
    }
}

/* Remember a user exception for the signal frame's err, trapno and cr2. */
static void trap_record(const struct trap_frame *tf, uint64_t error, uint64_t cr2)
{
    current->arch.trap_nr = tf->vector;
    current->arch.trap_error = error;
    current->arch.trap_cr2 = cr2;
}

/* What syscall_compat_entry answers: -ENOSYS, back to the 32-bit caller
 * as its sysret would (RIP = ECX, RFLAGS = R11). */
static void compat_syscall_answer(struct trap_frame *tf)
{
    tf->rip = (uint32_t)tf->rcx;
    tf->rflags = tf->r11;
    tf->cs = SEL_USER_CODE32 | 3;
    tf->ss = SEL_USER_DATA | 3;
    tf->rax = (uint32_t)-ENOSYS;
}

/* A system call that arrives as a page fault. The syscall instruction
 * enters ring 0 at LSTAR (CSTAR from 32-bit code) with CS and SS from STAR,
 * RCX = the next RIP, R11 = RFLAGS, and RFLAGS masked by SFMASK, which
 * clears IF. Some hypervisors get the first part wrong: the software one
 * behind /dev/kvm on nested cloud hosts (kvm-pvm in "native" mode, which
 * runs an unmodified guest's user mode directly and emulates its kernel)
 * does everything but the privilege change, so the guest fetches its entry
 * point in ring 3 and takes an instruction-fetch fault there, with a user CS
 * in the frame and every register as syscall left it. Ring 3 cannot make
 * that frame itself: a user jump to the entry point faults with IF set,
 * since user code cannot clear IF. So a user fetch fault exactly at an
 * entry point with IF clear is that system call, and is run as one. On
 * hardware and under QEMU's TCG the case never arises. */
static bool syscall_from_fault(struct trap_frame *tf, uaddr_t va)
{
    extern char syscall_entry[], syscall_compat_entry[];

    if (!trap_from_user(tf) || (tf->rflags & RFLAGS_IF) || !(tf->error & PF_INSTR) || va != tf->rip)
        return false;
    if (va == (uaddr_t)(uintptr_t)syscall_entry) {
        tf->rip = tf->rcx;
        tf->rflags = tf->r11;
        tf->cs = SEL_USER_CODE | 3;
        tf->ss = SEL_USER_DATA | 3;
        tf->vector = TRAP_SYSCALL;
        tf->error = tf->rax; /* the number, as syscall_entry stores it */
        syscall_dispatch(tf);
        return true;
    }
    if (va == (uaddr_t)(uintptr_t)syscall_compat_entry) {
        compat_syscall_answer(tf);
        return true;
    }
    return false;
}

/* The same hypervisor's syscall from 32-bit code goes wrong the other way:
 * it does change to ring 0, but leaves RIP = CSTAR cut to 32 bits and RSP
 * the user's, so the fetch there faults and that fault, pushed onto the
 * user stack (SMAP), becomes a double fault on its IST stack. Nothing of
 * the kernel ran. A double fault from kernel code at exactly the cut entry
 * point with a user RSP is that system call. */
static bool compat_syscall_from_double_fault(struct trap_frame *tf)
{
    extern char syscall_compat_entry[];

    if (tf->cs != SEL_KERNEL_CODE || tf->rip != (uint32_t)(uintptr_t)syscall_compat_entry ||
        tf->rsp >= 0x800000000000ull)
        return false;
    compat_syscall_answer(tf);
    return true;
}

static void page_fault(struct trap_frame *tf)
{
    uaddr_t va = read_cr2();
    unsigned access = (tf->error & PF_INSTR) ? ACCESS_EXEC : (tf->error & PF_WRITE) ? ACCESS_WRITE : ACCESS_READ;

    if (syscall_from_fault(tf, va))
        return;
    if (!trap_from_user(tf) || (tf->error & PF_RSVD))
        kernel_fault(tf);
    /* As on Linux, a user access to a kernel address reads as a
     * protection fault in the frame, whatever the page tables say. */
    trap_record(tf, va >= 0x800000000000ull ? tf->error | PF_PRESENT : tf->error, va);
    int sig = proc_page_fault(va, access);
    if (sig && signal_force_is_fatal(sig))
        kprintf("mmcore:   at ip %#lx, sp %#lx, error code %#lx\n", tf->rip, tf->rsp, tf->error);
    proc_check_signals(tf);
}

void trap_dispatch(struct trap_frame *tf)
{
    uint64_t vec = tf->vector;

    if (vec == EXC_PF) {
        page_fault(tf);
        return;
    }
    if (vec >= 32 && vec < 48) {
        /* The timer (IRQ 0), or a spurious IRQ 7 or 15 from the PIC. The
         * kernel runs with interrupts off, so a tick always lands in user
         * mode: a chance to let another process run. */
        if (vec >= 40)
            outb(0xa0, 0x20);
        outb(0x20, 0x20);
        if (vec == 32 && trap_from_user(tf)) {
            if (proc_others_runnable())
                proc_yield();
            proc_check_signals(tf);
        }
        return;
    }
    if (vec == EXC_DF && compat_syscall_from_double_fault(tf))
        return;
    if (vec == EXC_NMI || vec == EXC_DF || vec == EXC_MC || vec >= 32 || !trap_from_user(tf))
        kernel_fault(tf);
    int sig, code;
    uaddr_t addr;
    trap_record(tf, tf->error, current->arch.trap_cr2);
    if (exception_signal(tf, &sig, &code, &addr)) {
        if (signal_force_is_fatal(sig))
            kprintf("mmcore: process %d (%s): %s at ip %#lx, sp %#lx\n", current->pid, current->name,
                    trap_name(vec), tf->rip, tf->rsp);
        signal_force(sig, code, addr);
    }
    proc_check_signals(tf);
}
