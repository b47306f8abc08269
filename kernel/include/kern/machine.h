/* kern/machine.h — what the portable kernel asks of the machine it runs
 * on: stopping it, time, entropy. Implemented per architecture (x86-64:
 * kernel/x86_64/). */
#ifndef KERN_MACHINE_H
#define KERN_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

/* How the machine stops when something inside the kernel is wrong. Under
 * QEMU these become QEMU's exit status (x86-64: the isa-debug-exit device
 * turns value v into status 2v + 1), so tools can tell them apart from a
 * clean power-off (status 0). */
enum machine_stop {
    MACHINE_STOP_PANIC = 0x31,  /* an invariant broke: QEMU status 99 */
    MACHINE_STOP_FAULT = 0x32,  /* an unexpected CPU exception in the kernel: 101 */
};

/* Power off (QEMU exits with status 0). */
_Noreturn void machine_poweroff(void);

/* Reset the machine (QEMU with -no-reboot exits with status 0). */
_Noreturn void machine_reset(void);

/* Stop after a kernel bug; see enum machine_stop. */
_Noreturn void machine_stop(enum machine_stop why);

/* Nanoseconds since boot, from a monotonic clock. */
uint64_t machine_time_ns(void);

/* Seconds since 1970-01-01 UTC at boot, from the real-time clock. */
uint64_t machine_boot_epoch(void);

/* Wait (without sleeping the machine) until machine_time_ns() >= ns. */
void machine_wait_until(uint64_t ns);

/* A hint inside a spin-wait loop (x86-64 pause, aarch64 yield). */
void machine_relax(void);

/* The CPU feature word user programs get as AT_HWCAP. */
uint32_t machine_hwcap(void);

/* Fill buf with len random bytes (hardware random numbers when the CPU has
 * them, otherwise a generator seeded from timing). */
void machine_random(void *buf, uint64_t len);

#endif
