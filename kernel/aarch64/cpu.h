/* kernel/aarch64/cpu.h — CPU features the aarch64 kernel detects at boot
 * from the ID registers, and what it turns on because of them. */
#ifndef KERNEL_AARCH64_CPU_H
#define KERNEL_AARCH64_CPU_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_features {
    bool pan;             /* FEAT_PAN: privileged access never */
    bool hw_af;           /* FEAT_HAFDBS: hardware access flag (TCR_EL1.HA set) */
    bool rndr;            /* FEAT_RNG: RNDR random numbers */
    unsigned asid_bits;   /* 8 or 16 */
    uint32_t hwcap;       /* AT_HWCAP, Linux's bit numbers */
    uint64_t midr;
    char name[24];
};
extern struct cpu_features cpu_features;

/* Detect features; set PAN permanently (the kernel never touches user
 * memory through user addresses: mm/uaccess copies through the direct map). */
void cpu_init(void);

#endif
