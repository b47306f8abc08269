/* kernel/x86_64/trap.c — what happens after trap_entry.S saved a frame:
 * decoding exceptions, turning user page faults into mm/ faults, turning
 * other user exceptions into signals, and stopping the machine with a
 * register dump when the kernel itself faults (always a bug: the kernel
 * reaches user memory only through mm/uaccess, which never faults). */
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <mm/types.h>

#include "cpu.h"
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

/* The signal Linux sends a user program for an exception. */
static int exception_signal(uint64_t vec)
{
    switch (vec) {
    case EXC_DE:
    case EXC_MF:
    case EXC_XM:
        return SIGFPE;
    case EXC_DB:
    case EXC_BP:
        return SIGTRAP;
    case EXC_UD:
        return SIGILL;
    case EXC_AC:
        return SIGBUS;
    default:
        return SIGSEGV;
    }
}

static void page_fault(struct trap_frame *tf)
{
    uaddr_t va = read_cr2();
    unsigned access = (tf->error & PF_INSTR) ? ACCESS_EXEC : (tf->error & PF_WRITE) ? ACCESS_WRITE : ACCESS_READ;

    if (!trap_from_user(tf) || (tf->error & PF_RSVD))
        kernel_fault(tf);
    int sig = proc_page_fault(va, access);
    if (sig) {
        kprintf("mmcore:   at ip %#lx, sp %#lx, error code %#lx\n", tf->rip, tf->rsp, tf->error);
        proc_exit_signal(sig, tf);
    }
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
    if (vec == EXC_NMI || vec == EXC_DF || vec == EXC_MC || vec >= 32 || !trap_from_user(tf))
        kernel_fault(tf);
    kprintf("mmcore: process %d (%s): %s at ip %#lx, sp %#lx\n", current->pid, current->name,
            trap_name(vec), tf->rip, tf->rsp);
    proc_exit_signal(exception_signal(vec), tf);
}
