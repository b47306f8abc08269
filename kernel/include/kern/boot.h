/* kern/boot.h — what the boot loader told us, in a form the portable
 * kernel understands: usable RAM, the initramfs, the command line. */
#ifndef KERN_BOOT_H
#define KERN_BOOT_H

#include <stdint.h>

#define BOOT_MAX_RAM 32
#define BOOT_CMDLINE_MAX 1024

struct boot_range {
    uint64_t base, len;
};

struct boot_info {
    struct boot_range ram[BOOT_MAX_RAM]; /* usable RAM, as the firmware reports it */
    unsigned nram;
    uint64_t initrd_base, initrd_len;    /* physical; len 0: none */
    uint64_t reserved_end;               /* physical end of kernel image and modules */
    char cmdline[BOOT_CMDLINE_MAX];
};

/* The portable kernel's entry, once memory is up (frames registered,
 * direct map usable). Never returns. */
_Noreturn void kernel_main(struct boot_info *bi);

/* The value of "key=value" on the command line (copied into buf, at most
 * size bytes with the NUL), or NULL when the key is absent. */
const char *boot_cmdline_get(const struct boot_info *bi, const char *key, char *buf, unsigned size);

#endif
