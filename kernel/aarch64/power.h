/* kernel/aarch64/power.h — how the machine is stopped (power.c). */
#ifndef KERNEL_AARCH64_POWER_H
#define KERNEL_AARCH64_POWER_H

#include <stdbool.h>

/* The PSCI conduit the device tree named (smc or hvc), if any. */
void power_init(bool has_psci, bool use_smc);

#endif
