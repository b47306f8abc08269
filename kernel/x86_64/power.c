/* kernel/x86_64/power.c — stopping the machine: ACPI power-off, reset, and
 * the isa-debug-exit device that lets a kernel bug end QEMU with a status
 * of its own.
 *
 * QEMU's PC machine puts the ACPI PM1a control register at I/O port 0x604;
 * writing SLP_EN (bit 13) with sleep type 0 (S5, soft-off) powers off, and
 * QEMU exits with status 0. The reset goes through the keyboard controller
 * (command 0xfe), then a triple fault as a last resort. The debug-exit
 * device (-device isa-debug-exit,iobase=0xf4,iosize=0x04) turns a value v
 * written to port 0xf4 into QEMU exit status 2v + 1. */
#include <kern/machine.h>

#include "cpu.h"

#define ACPI_PM1A_CNT 0x604
#define ACPI_SLP_EN (1 << 13)
#define DEBUG_EXIT_PORT 0xf4

static _Noreturn void machine_halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

void machine_poweroff(void)
{
    outw(ACPI_PM1A_CNT, ACPI_SLP_EN);
    /* QEMU acts on the request asynchronously: give it time. Without
     * ACPI, fall back to the debug-exit device (status 1), then halt. */
    for (volatile uint32_t i = 0; i < 20000000; i++)
        cpu_relax();
    outl(DEBUG_EXIT_PORT, 0);
    machine_halt_forever();
}

void machine_reset(void)
{
    for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
        cpu_relax();
    outb(0x64, 0xfe);
    /* Triple fault: an empty IDT and an exception. */
    static const struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } none = {0, 0};
    __asm__ volatile("lidt %0; int3" : : "m"(none));
    machine_halt_forever();
}

void machine_stop(enum machine_stop why)
{
    outl(DEBUG_EXIT_PORT, (uint32_t)why);
    machine_halt_forever();
}
