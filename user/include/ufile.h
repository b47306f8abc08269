/* user/include/ufile.h — file calls for test programs beyond libsyscall's:
 * descriptors (dup, dup3, fcntl), pipes, names (renameat2, mkdirat,
 * unlinkat, getdents64), sizes (ftruncate, truncate), with Linux's numbers
 * for x86-64 and aarch64, and the constants they use. */
#ifndef USER_UFILE_H
#define USER_UFILE_H

#include <syscall.h>

#if defined(__aarch64__)
#define UFILE_NR(x86, arm) (arm)
#else
#define UFILE_NR(x86, arm) (x86)
#endif

#ifndef SYS_dup
#define SYS_dup UFILE_NR(32, 23)
#endif
#ifndef SYS_dup3
#define SYS_dup3 UFILE_NR(292, 24)
#endif
#ifndef SYS_fcntl
#define SYS_fcntl UFILE_NR(72, 25)
#endif
#ifndef SYS_ftruncate
#define SYS_ftruncate UFILE_NR(77, 46)
#endif
#ifndef SYS_truncate
#define SYS_truncate UFILE_NR(76, 45)
#endif
#ifndef SYS_pipe2
#define SYS_pipe2 UFILE_NR(293, 59)
#endif
#ifndef SYS_renameat2
#define SYS_renameat2 UFILE_NR(316, 276)
#endif
#ifndef SYS_mkdirat
#define SYS_mkdirat UFILE_NR(258, 34)
#endif
#ifndef SYS_unlinkat
#define SYS_unlinkat UFILE_NR(263, 35)
#endif
#ifndef SYS_getdents64
#define SYS_getdents64 UFILE_NR(217, 61)
#endif

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1

#define O_NONBLOCK 04000
#define O_LARGEFILE_X86 0100000 /* what 64-bit opens add on x86-64 */
#define O_PATH 010000000
#define AT_REMOVEDIR 0x200
#define RENAME_NOREPLACE 1

#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFIFO 0010000

#ifndef EXDEV
#define EXDEV 18
#endif
#ifndef ENODEV
#define ENODEV 19
#endif
#ifndef EFBIG
#define EFBIG 27
#endif
#ifndef EPIPE
#define EPIPE 32
#endif
#ifndef ENOTEMPTY
#define ENOTEMPTY 39
#endif
#ifndef EBUSY
#define EBUSY 16
#endif
#ifndef EOPNOTSUPP
#define EOPNOTSUPP 95
#endif

#define MAP_HUGETLB 0x40000
#define MAP_SYNC 0x80000
#define MAP_LOCKED 0x2000

static inline long sys_dup(int fd) { return syscall1(SYS_dup, fd); }
static inline long sys_dup3(int fd, int to, int flags) { return syscall3(SYS_dup3, fd, to, flags); }
static inline long sys_fcntl(int fd, int cmd, long arg) { return syscall3(SYS_fcntl, fd, cmd, arg); }
static inline long sys_ftruncate(int fd, long len) { return syscall2(SYS_ftruncate, fd, len); }
static inline long sys_truncate(const char *path, long len) { return syscall2(SYS_truncate, path, len); }
static inline long sys_pipe2(int fds[2], int flags) { return syscall2(SYS_pipe2, fds, flags); }
static inline long sys_rename(const char *from, const char *to)
{
    return syscall5(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 0);
}
static inline long sys_renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
    return syscall5(SYS_renameat2, fd1, from, fd2, to, flags);
}
static inline long sys_mkdir(const char *path, int mode) { return syscall3(SYS_mkdirat, AT_FDCWD, path, mode); }
static inline long sys_rmdir(const char *path) { return syscall3(SYS_unlinkat, AT_FDCWD, path, AT_REMOVEDIR); }
static inline long sys_getdents64(int fd, void *buf, size_t len) { return syscall3(SYS_getdents64, fd, buf, len); }

/* A linux_dirent64 record. */
struct dirent64 {
    unsigned long d_ino;
    long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

#endif
