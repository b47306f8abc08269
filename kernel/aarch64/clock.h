/* kernel/aarch64/clock.h — time sources at boot (clock.c). */
#ifndef KERNEL_AARCH64_CLOCK_H
#define KERNEL_AARCH64_CLOCK_H

#include <stdint.h>

/* Read the counter frequency and the real-time clock (PL031 at rtc_pa, 0:
 * none). */
void clock_init(uint64_t rtc_pa);

/* Start the scheduler tick: the EL1 virtual timer, every 10 ms. */
void clock_tick_start(void);

/* The timer interrupt arrived: arm the next tick. */
void clock_tick_rearm(void);

uint64_t clock_counter_hz(void);

#endif
