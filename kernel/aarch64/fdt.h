/* kernel/aarch64/fdt.h — what the device tree tells the aarch64 kernel:
 * RAM, the initramfs and the command line (into struct boot_info), and
 * where the devices it drives are. */
#ifndef KERNEL_AARCH64_FDT_H
#define KERNEL_AARCH64_FDT_H

#include <kern/boot.h>
#include <stdbool.h>
#include <stdint.h>

#define FDT_MAX_RESERVED 8

struct machine_desc {
    uint64_t uart;              /* PL011 registers (physical), 0: none */
    uint64_t rtc;               /* PL031 registers, 0: none */
    unsigned gic_version;       /* 2 or 3; 0: none found */
    uint64_t gicd, gicc_or_gicr; /* distributor; CPU interface (v2) or redistributors (v3) */
    unsigned timer_irq;         /* INTID of the EL1 virtual timer */
    bool psci_smc;              /* PSCI conduit: smc (true) or hvc */
    bool has_psci;
    uint8_t rng_seed[64];       /* /chosen/rng-seed, when the loader gave one */
    unsigned rng_seed_len;
    struct boot_range reserved[FDT_MAX_RESERVED]; /* the tree itself, /memreserve/ */
    unsigned nreserved;
};

/* Parse the flattened device tree at dtb (a kernel address; its physical
 * address is dtb_pa) into bi (ram, initrd, cmdline) and md. Returns 0, or
 * -1 when it is not a device tree. */
int fdt_parse(const void *dtb, uint64_t dtb_pa, struct boot_info *bi, struct machine_desc *md);

#endif
