/* kern/cpio.h — the initramfs format. */
#ifndef KERN_CPIO_H
#define KERN_CPIO_H

#include <stdint.h>

/* Unpack a cpio "newc" archive of len bytes into the ramfs. Returns the
 * number of members unpacked, or a negative errno (-EINVAL for a damaged
 * archive, -ENOMEM). */
int cpio_unpack(const void *archive, uint64_t len);

#endif
