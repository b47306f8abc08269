/* kernel/x86_64/arch_abi.h — structure layouts of the x86-64 Linux system
 * call ABI that differ between architectures. */
#ifndef KERNEL_X86_64_ARCH_ABI_H
#define KERNEL_X86_64_ARCH_ABI_H

#include <stdint.h>

/* struct stat as x86-64 fstat/newfstatat fill it (144 bytes). */
struct linux_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    uint32_t pad0;
    uint64_t st_rdev;
    int64_t st_size;
    int64_t st_blksize;
    int64_t st_blocks;
    uint64_t st_atime, st_atime_nsec;
    uint64_t st_mtime, st_mtime_nsec;
    uint64_t st_ctime, st_ctime_nsec;
    int64_t reserved[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "x86-64 struct stat is 144 bytes");

#endif
