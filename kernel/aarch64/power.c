/* kernel/aarch64/power.c — stopping the machine: PSCI power-off and
 * reset, and an exit with a status of our own (semihosting) so that tools
 * can tell a kernel bug from a clean power-off.
 *
 * PSCI (the Arm Power State Coordination Interface) is a firmware call: a
 * function number in w0, then SMC #0 or HVC #0, whichever conduit the
 * device tree's /psci node names. QEMU's -M virt implements it itself and
 * ends QEMU on SYSTEM_OFF (status 0) and on SYSTEM_RESET under -no-reboot.
 *
 * Semihosting: "HLT #0xf000" with w0 = SYS_EXIT (0x18) and x1 pointing at
 * {ADP_Stopped_ApplicationExit, status} makes QEMU exit with that status,
 * when QEMU runs with -semihosting (tools/run-elf passes it). Without it
 * HLT is an undefined instruction: the exception handler sees that we are
 * already stopping and falls back to PSCI. Statuses as on x86-64: a panic
 * ends QEMU with 99, a kernel fault with 101. */
#include <kern/machine.h>

#include "power.h"
#include "sysreg.h"

#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define SEMI_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static bool psci_present, psci_smc;
volatile int machine_stopping;

void power_init(bool has_psci, bool use_smc)
{
    psci_present = has_psci;
    psci_smc = use_smc;
}

static void psci_call(uint32_t fn)
{
    register uint64_t x0 __asm__("x0") = fn;
    if (!psci_present)
        return;
    if (psci_smc)
        __asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
    else
        __asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
}

static _Noreturn void machine_halt_forever(void)
{
    for (;;)
        __asm__ volatile("msr daifset, #0xf; wfi");
}

void machine_poweroff(void)
{
    psci_call(PSCI_SYSTEM_OFF);
    machine_halt_forever();
}

void machine_reset(void)
{
    psci_call(PSCI_SYSTEM_RESET);
    machine_halt_forever();
}

/* Called by the exception handler when the semihosting call itself
 * trapped: semihosting is off, so power off instead. */
_Noreturn void machine_stop_fallback(void);
_Noreturn void machine_stop_fallback(void)
{
    psci_call(PSCI_SYSTEM_OFF);
    machine_halt_forever();
}

void machine_stop(enum machine_stop why)
{
    static uint64_t block[2];
    block[0] = ADP_STOPPED_APPLICATION_EXIT;
    block[1] = (uint64_t)why * 2 + 1; /* the statuses x86-64's debug-exit device gives */
    machine_stopping = 1;
    register uint64_t x0 __asm__("x0") = SEMI_SYS_EXIT;
    register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    machine_stop_fallback();
}
