/* kernel/aarch64/trap.c — what happens after vectors.S saved a frame:
 * decoding the exception syndrome, turning user aborts into mm/ faults
 * and other user exceptions into signals, the timer interrupt, and
 * stopping the machine with a register dump when the kernel itself takes
 * an exception (always a bug: the kernel reaches user memory only through
 * mm/uaccess, which never faults, and runs with interrupts masked). */
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <mm/types.h>

#include "clock.h"
#include "gic.h"
#include "sysreg.h"
#include "trap.h"

/*
 * ESR_EL1, the exception syndrome register:
 *
 *    63      37 36    32 31      26 25 24                            0
 *   +----------+--------+----------+--+-------------------------------+
 *   |   RES0   |  ISS2  |    EC    |IL|              ISS              |
 *   +----------+--------+----------+--+-------------------------------+
 *   EC   exception class: what happened (the ESR_EC_* values below)
 *   IL   the trapped instruction was 32 bits (always, for A64)
 *   ISS  class-specific; for instruction and data aborts:
 *
 *     24  23..14  13  12  11 10  9   8   7    6    5          0
 *    +---+------+---+---+---+---+---+---+---+-----+------------+
 *    |ISV| ...  |VNCR|SET..|FnV|EA |CM |S1PTW|WnR|  DFSC/IFSC |
 *    +---+------+---+---+---+---+---+---+---+-----+------------+
 *     WnR   the access was a write (data aborts)
 *     CM    a cache maintenance instruction faulted (counts as a read)
 *     FnV   FAR_EL1 is not valid
 *     xFSC  the status code: 0b0001LL translation fault at level LL,
 *           0b0010LL access flag fault, 0b0011LL permission fault,
 *           0b0000LL address size fault, 0b010000 synchronous external
 *           abort, 0b100001 alignment fault, 0b110000 TLB conflict
 *
 * FAR_EL1 holds the faulting virtual address (for instruction aborts, the
 * fetched one). With TCR_EL1.TBI0 the top byte of a user address is a tag
 * the MMU ignores; we clear it before asking mm/.
 */
#define ESR_EC(esr) ((unsigned)((esr) >> 26) & 0x3f)
#define ESR_ISS(esr) ((uint32_t)(esr) & 0x1ffffff)
#define ESR_WNR (1u << 6)
#define ESR_CM (1u << 8)
#define ESR_FNV (1u << 10)
#define ESR_FSC(esr) ((unsigned)(esr) & 0x3f)

enum {
    ESR_EC_UNKNOWN = 0x00,
    ESR_EC_WFX = 0x01,
    ESR_EC_FP_ACCESS = 0x07,
    ESR_EC_BTI = 0x0d,
    ESR_EC_ILLEGAL = 0x0e,
    ESR_EC_SVC32 = 0x11,
    ESR_EC_SVC64 = 0x15,
    ESR_EC_SYSREG = 0x18,
    ESR_EC_SVE = 0x19,
    ESR_EC_FPAC = 0x1c,
    ESR_EC_IABT_LOW = 0x20,
    ESR_EC_IABT_CUR = 0x21,
    ESR_EC_PC_ALIGN = 0x22,
    ESR_EC_DABT_LOW = 0x24,
    ESR_EC_DABT_CUR = 0x25,
    ESR_EC_SP_ALIGN = 0x26,
    ESR_EC_FP_EXC64 = 0x2c,
    ESR_EC_SERROR = 0x2f,
    ESR_EC_BREAKPT_LOW = 0x30,
    ESR_EC_SOFTSTP_LOW = 0x32,
    ESR_EC_WATCHPT_LOW = 0x34,
    ESR_EC_BRK64 = 0x3c,
};

static unsigned timer_irq = 27;

void trap_set_timer_irq(unsigned intid) { timer_irq = intid; }

static const char *ec_name(unsigned ec)
{
    switch (ec) {
    case ESR_EC_UNKNOWN: return "undefined instruction";
    case ESR_EC_WFX: return "trapped WFI/WFE";
    case ESR_EC_FP_ACCESS: return "FP/SIMD access trap";
    case ESR_EC_BTI: return "branch target exception";
    case ESR_EC_ILLEGAL: return "illegal execution state";
    case ESR_EC_SVC32: return "AArch32 system call";
    case ESR_EC_SVC64: return "system call";
    case ESR_EC_SYSREG: return "trapped system register access";
    case ESR_EC_SVE: return "SVE access trap";
    case ESR_EC_FPAC: return "pointer authentication failure";
    case ESR_EC_IABT_LOW: case ESR_EC_IABT_CUR: return "instruction abort";
    case ESR_EC_PC_ALIGN: return "PC alignment fault";
    case ESR_EC_DABT_LOW: case ESR_EC_DABT_CUR: return "data abort";
    case ESR_EC_SP_ALIGN: return "SP alignment fault";
    case ESR_EC_FP_EXC64: return "floating-point exception";
    case ESR_EC_SERROR: return "SError";
    case ESR_EC_BREAKPT_LOW: return "breakpoint";
    case ESR_EC_SOFTSTP_LOW: return "software step";
    case ESR_EC_WATCHPT_LOW: return "watchpoint";
    case ESR_EC_BRK64: return "BRK instruction";
    }
    return "unexpected exception";
}

static const char *fsc_name(unsigned fsc)
{
    switch (fsc >> 2) {
    case 0: return "address size fault";
    case 1: return "translation fault";
    case 2: return "access flag fault";
    case 3: return "permission fault";
    }
    if (fsc == 0x10)
        return "synchronous external abort";
    if (fsc == 0x21)
        return "alignment fault";
    if (fsc == 0x30)
        return "TLB conflict abort";
    return "other fault";
}

static const char *const kind_names[16] = {
    "EL1t sync", "EL1t IRQ", "EL1t FIQ", "EL1t SError", "EL1h sync", "EL1h IRQ", "EL1h FIQ", "EL1h SError",
    "EL0 sync", "EL0 IRQ", "EL0 FIQ", "EL0 SError", "AArch32 EL0 sync", "AArch32 EL0 IRQ",
    "AArch32 EL0 FIQ", "AArch32 EL0 SError",
};

void trap_dump(const struct trap_frame *tf, const char *why)
{
    unsigned ec = ESR_EC(tf->esr);
    bool sync = (tf->kind & 3) == 0;
    kprintf("mmcore: %s: %s (%s, ESR %#lx, EC %#x) in %s mode\n", why,
            sync ? ec_name(ec) : kind_names[tf->kind & 15], kind_names[tf->kind & 15], tf->esr, ec,
            trap_from_user(tf) ? "user" : "kernel");
    if (sync && (ec == ESR_EC_DABT_CUR || ec == ESR_EC_DABT_LOW || ec == ESR_EC_IABT_CUR ||
                 ec == ESR_EC_IABT_LOW))
        kprintf("  %s, %s\n", fsc_name(ESR_FSC(tf->esr)), (tf->esr & ESR_WNR) ? "write" : "read");
    kprintf("  pc  %016lx  sp  %016lx  pstate %08lx\n", tf->pc, tf->sp, tf->pstate);
    kprintf("  far %016lx  ttbr0 %016lx  ttbr1 %016lx\n", tf->far, sysreg_read(ttbr0_el1),
            sysreg_read(ttbr1_el1));
    for (int i = 0; i < 30; i += 4) {
        kprintf(" ");
        for (int j = i; j < i + 4 && j < 31; j++)
            kprintf(" x%-2d %016lx", j, tf->x[j]);
        kprintf("\n");
    }
    if (!trap_from_user(tf)) {
        /* Walk the frame records (x29 -> {previous x29, return address})
         * while they stay in the kernel half. */
        uint64_t *fp = (uint64_t *)tf->x[29];
        kprintf("  backtrace: %016lx %016lx", tf->pc, tf->x[30]);
        for (int i = 0; i < 16 && (uint64_t)fp >= 0xffff000000000000ull && ((uint64_t)fp & 7) == 0; i++) {
            kprintf(" %016lx", fp[1]);
            fp = (uint64_t *)fp[0];
        }
        kprintf("\n");
    }
}

extern volatile int machine_stopping;
_Noreturn void machine_stop_fallback(void);

static _Noreturn void kernel_fault(struct trap_frame *tf)
{
    if (machine_stopping)
        machine_stop_fallback(); /* the semihosting exit trapped: it is off */
    trap_dump(tf, "kernel fault");
    machine_stop(MACHINE_STOP_FAULT);
}

/* A data or instruction abort from EL0. Translation, access-flag and
 * permission faults go to mm/ (which decides between a new page, SIGSEGV
 * and SIGBUS); alignment faults and external aborts are SIGBUS, the rest
 * SIGSEGV, as on Linux. */
static void user_abort(struct trap_frame *tf, unsigned ec)
{
    uint32_t esr = (uint32_t)tf->esr;
    unsigned fsc = ESR_FSC(esr);
    uaddr_t va = tf->far;
    if (!(va >> 55 & 1))
        va &= (1ull << 56) - 1; /* drop the tag byte */
    unsigned access = ec == ESR_EC_IABT_LOW ? ACCESS_EXEC
                      : ((esr & ESR_WNR) && !(esr & ESR_CM)) ? ACCESS_WRITE
                                                              : ACCESS_READ;
    int sig;

    current->arch.fault_esr = tf->esr;
    if ((fsc >> 2) >= 1 && (fsc >> 2) <= 3 && !(esr & ESR_FNV)) {
        sig = proc_page_fault(va, access);
    } else {
        sig = fsc == 0x21 || fsc == 0x10 ? SIGBUS : SIGSEGV;
        int code = fsc == 0x21 ? BUS_ADRALN : sig == SIGBUS ? BUS_ADRERR : SEGV_MAPERR;
        if (signal_force_is_fatal(sig))
            kprintf("mmcore: process %d (%s): %s at %#lx\n", current->pid, current->name, fsc_name(fsc), va);
        signal_force(sig, code, va);
    }
    if (sig && signal_force_is_fatal(sig))
        kprintf("mmcore:   at pc %#lx, sp %#lx, ESR %#lx\n", tf->pc, tf->sp, tf->esr);
}

/* The signal, si_code and si_addr Linux gives a program for a synchronous
 * exception other than an abort or a system call. Returns false to resume
 * without one. */
static bool exception_signal(struct trap_frame *tf, unsigned ec, int *sig, int *code, uaddr_t *addr)
{
    *addr = tf->pc;
    *code = SI_KERNEL;
    switch (ec) {
    case ESR_EC_WFX:
        tf->pc += 4; /* WFI at EL0 does nothing, as on Linux */
        return false;
    case ESR_EC_PC_ALIGN:
        *sig = SIGBUS, *code = BUS_ADRALN;
        return true;
    case ESR_EC_SP_ALIGN:
        *sig = SIGBUS, *code = BUS_ADRALN, *addr = tf->sp;
        return true;
    case ESR_EC_BREAKPT_LOW:
    case ESR_EC_WATCHPT_LOW:
    case ESR_EC_BRK64:
        *sig = SIGTRAP, *code = TRAP_BRKPT;
        return true;
    case ESR_EC_SOFTSTP_LOW:
        *sig = SIGTRAP, *code = TRAP_TRACE;
        return true;
    case ESR_EC_FP_EXC64:
        *sig = SIGFPE, *code = FPE_FLTINV;
        return true;
    default:
        *sig = SIGILL, *code = ILL_ILLOPN;
        return true;
    }
}

static void irq(struct trap_frame *tf)
{
    unsigned intid = gic_ack();
    if (intid >= 1020)
        return;
    if (intid == timer_irq)
        clock_tick_rearm();
    gic_eoi(intid);
    /* The kernel runs with interrupts masked, so a tick always lands in
     * user mode: a chance to let another process run. */
    if (intid == timer_irq && proc_others_runnable())
        proc_yield();
    proc_check_signals(tf);
}

void trap_dispatch(struct trap_frame *tf)
{
    if (!trap_from_user(tf) || tf->kind >= TRAP_EL0_32_SYNC || tf->kind == TRAP_EL0_SERROR)
        kernel_fault(tf);
    if (tf->kind == TRAP_EL0_IRQ) {
        irq(tf);
        return;
    }
    if (tf->kind == TRAP_EL0_FIQ)
        return;

    unsigned ec = ESR_EC(tf->esr);
    if (ec == ESR_EC_SVC64) {
        syscall_dispatch(tf);
        return;
    }
    if (ec == ESR_EC_DABT_LOW || ec == ESR_EC_IABT_LOW) {
        user_abort(tf, ec);
        proc_check_signals(tf);
        return;
    }
    int sig, code;
    uaddr_t addr;
    current->arch.fault_esr = tf->esr;
    if (exception_signal(tf, ec, &sig, &code, &addr)) {
        if (signal_force_is_fatal(sig))
            kprintf("mmcore: process %d (%s): %s at pc %#lx, sp %#lx (ESR %#lx)\n", current->pid,
                    current->name, ec_name(ec), tf->pc, tf->sp, tf->esr);
        signal_force(sig, code, addr);
    }
    proc_check_signals(tf);
}
