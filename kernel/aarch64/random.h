/* kernel/aarch64/random.h — seeding the random generator (random.c). */
#ifndef KERNEL_AARCH64_RANDOM_H
#define KERNEL_AARCH64_RANDOM_H

#include <stdint.h>

/* Mix len bytes from the loader (the device tree's rng-seed) in. */
void random_seed(const uint8_t *seed, unsigned len);

#endif
