/* kernel/aarch64/arch_abi.h — structure layouts of the aarch64 Linux
 * system-call ABI that differ between architectures. aarch64 uses the
 * generic layouts (include/uapi/asm-generic in Linux). */
#ifndef KERNEL_AARCH64_ARCH_ABI_H
#define KERNEL_AARCH64_ARCH_ABI_H

#include <stdint.h>

/* struct stat as aarch64 fstat/newfstatat fill it (128 bytes): the field
 * names of the x86-64 one, the generic order and widths. */
struct linux_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint32_t st_mode;
    uint32_t st_nlink;
    uint32_t st_uid;
    uint32_t st_gid;
    uint64_t st_rdev;
    uint64_t pad1;
    int64_t st_size;
    int32_t st_blksize;
    int32_t pad2;
    int64_t st_blocks;
    uint64_t st_atime, st_atime_nsec;
    uint64_t st_mtime, st_mtime_nsec;
    uint64_t st_ctime, st_ctime_nsec;
    uint32_t unused[2];
};
_Static_assert(sizeof(struct linux_stat) == 128, "aarch64 struct stat is 128 bytes");

#endif
