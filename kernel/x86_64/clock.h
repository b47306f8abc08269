/* kernel/x86_64/clock.h — time sources at boot (clock.c). */
#ifndef KERNEL_X86_64_CLOCK_H
#define KERNEL_X86_64_CLOCK_H

#include <stdint.h>

/* Calibrate the TSC against the PIT and read the RTC. */
void clock_init(void);

/* Start the scheduler tick (PIT channel 0, IRQ 0). */
void clock_tick_start(void);

/* The TSC frequency found by clock_init. */
uint64_t clock_tsc_hz(void);

#endif
