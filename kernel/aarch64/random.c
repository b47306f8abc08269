/* kernel/aarch64/random.c — random bytes for AT_RANDOM and getrandom: the
 * CPU's RNDR when it has one (FEAT_RNG), mixed into a SplitMix64
 * generator seeded from the loader's /chosen/rng-seed, the counter and the
 * wall clock. Not a cryptographic generator; good enough for stack
 * canaries and hash seeds in test programs. */
#include <kern/lib.h>
#include <kern/machine.h>

#include "cpu.h"
#include "random.h"
#include "sysreg.h"

static uint64_t rng_state;

static uint64_t splitmix_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* RNDR (S3_3_C2_C4_0) sets NZCV to 0b0100 when it could not deliver. */
static bool rndr64(uint64_t *v)
{
    for (int i = 0; i < 10; i++) {
        uint64_t ok;
        __asm__ volatile("mrs %0, s3_3_c2_c4_0; cset %1, ne" : "=r"(*v), "=r"(ok) : : "cc");
        if (ok)
            return true;
    }
    return false;
}

void random_seed(const uint8_t *seed, unsigned len)
{
    for (unsigned i = 0; i < len; i++) {
        rng_state ^= (uint64_t)seed[i] << (8 * (i % 8));
        if (i % 8 == 7)
            splitmix_next();
    }
}

void machine_random(void *buf, uint64_t len)
{
    unsigned char *p = buf;
    static bool mixed;
    if (!mixed) {
        rng_state ^= sysreg_read(cntvct_el0) ^ (machine_boot_epoch() << 32) ^ 0x6d6d636f7265ull;
        mixed = true;
    }
    while (len) {
        uint64_t v = splitmix_next(), hw;
        if (cpu_features.rndr && rndr64(&hw))
            v ^= hw;
        uint64_t n = len < 8 ? len : 8;
        memcpy(p, &v, n);
        p += n;
        len -= n;
    }
}
