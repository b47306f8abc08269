/* kernel/x86_64/random.c — random bytes for AT_RANDOM and getrandom: the
 * CPU's RDRAND when it has one, mixed into a SplitMix64 generator seeded
 * from the TSC and the wall clock. Not a cryptographic generator; good
 * enough for stack canaries and hash seeds in test programs. */
#include <kern/lib.h>
#include <kern/machine.h>

#include "cpu.h"

static uint64_t rng_state;

static bool rdrand64(uint64_t *v)
{
    for (int i = 0; i < 10; i++) {
        unsigned char ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (ok)
            return true;
    }
    return false;
}

static uint64_t splitmix_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void machine_random(void *buf, uint64_t len)
{
    unsigned char *p = buf;
    if (!rng_state)
        rng_state = rdtsc() ^ (machine_boot_epoch() << 32) ^ 0x6d6d636f7265ull;
    while (len) {
        uint64_t v = splitmix_next(), hw;
        if (cpu_features.rdrand && rdrand64(&hw))
            v ^= hw;
        uint64_t n = len < 8 ? len : 8;
        memcpy(p, &v, n);
        p += n;
        len -= n;
    }
}
