/* kernel/sys_fs.c — the file system calls: opening and closing, reading
 * and writing (plain, vectored, positioned), seeking, status, descriptors,
 * pipes, poll, and the name operations (mkdir, unlink, rename, truncate).
 * Linux's argument checks and errors, in Linux's order where a program
 * can tell. */
#include <arch_abi.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/vfs.h>
#include <mm/errno.h>
#include <mm/uaccess.h>

#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_EACCESS 0x200
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1

#define FIONCLEX 0x5450
#define FIOCLEX 0x5451

#define MAX_RW_COUNT 0x7ffff000ull  /* Linux's cap on one transfer */
#define UIO_MAXIOV 1024
#define UMASK 022

/* ---- helpers ---- */

/* Copy a user path into buf (PATH_MAX bytes, on the caller's stack: name
 * operations must work even when memory is exhausted, so that unlink can
 * free some). */
static int path_get(uaddr_t upath, char *buf)
{
    int64_t n = strncpy_from_user(current->space, buf, upath, PATH_MAX);
    return n < 0 ? (int)n : 0;
}

/* The directory a relative path starts from. */
static int dir_of(int dirfd, const char *path, struct inode **dir)
{
    if (path[0] == '/' || dirfd == AT_FDCWD) {
        *dir = current->cwd;
        return 0;
    }
    struct file *f = fd_get(current->fds, dirfd);
    if (!f)
        return -EBADF;
    if (!S_ISDIR(f->inode->mode))
        return -ENOTDIR;
    *dir = f->inode;
    return 0;
}

static bool file_seekable(const struct file *f)
{
    return !(S_ISCHR(f->inode->mode) && f->inode->rdev == CHARDEV_CONSOLE) && !S_ISFIFO(f->inode->mode);
}

static bool fd_cloexec(struct fdtable *t, int fd) { return t->cloexec[fd / 8] & (1u << (fd % 8)); }

static void fd_set_cloexec(struct fdtable *t, int fd, bool on)
{
    if (on)
        t->cloexec[fd / 8] |= (uint8_t)(1u << (fd % 8));
    else
        t->cloexec[fd / 8] &= (uint8_t)~(1u << (fd % 8));
}

/* ---- open / close ---- */

static int64_t do_openat(int dirfd, uaddr_t upath, int flags, unsigned mode)
{
    char path[PATH_MAX];
    struct inode *dir, *ino;
    struct file *f;
    int err = path_get(upath, path);
    if (err)
        return err;
    err = dir_of(dirfd, path, &dir);
    if (err)
        goto out;

    if (flags & O_CREAT) {
        const char *last;
        size_t len;
        bool trailing;
        struct inode *parent;
        err = vfs_lookup_parent(dir, path, &parent, &last, &len, &trailing);
        if (err)
            goto out;
        ino = len ? vfs_dir_find(parent, last, len) : parent;
        if (trailing && ino != parent) {
            err = -EISDIR; /* O_CREAT never makes a directory */
            goto out;
        }
        if (ino) {
            if (flags & O_EXCL) {
                err = -EEXIST;
                goto out;
            }
            if (S_ISDIR(ino->mode)) {
                err = -EISDIR;
                goto out;
            }
        } else {
            err = vfs_create(parent, last, len, S_IFREG | (mode & 07777 & ~UMASK), &ino);
            if (err)
                goto out;
        }
    } else {
        err = vfs_lookup(dir, path, &ino);
        if (err)
            goto out;
    }
    if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode)) {
        err = -ENOTDIR;
        goto out;
    }
    if (S_ISDIR(ino->mode) && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))) {
        err = -EISDIR;
        goto out;
    }
    if (S_ISREG(ino->mode) && (flags & O_TRUNC) && !(flags & O_PATH)) {
        err = ramfs_truncate(ino, 0);
        if (err)
            goto out;
    }
    err = file_open_inode(ino, (uint32_t)flags, &f);
    if (err)
        goto out;
    err = fd_install(current->fds, f, 0, flags & O_CLOEXEC);
    if (err < 0)
        file_unref(f);
out:
    return err;
}

int64_t sys_open(SYSCALL_ARGS) { return do_openat(AT_FDCWD, a0, (int)a1, (unsigned)a2); }
int64_t sys_openat(SYSCALL_ARGS) { return do_openat((int)a0, a1, (int)a2, (unsigned)a3); }
int64_t sys_creat(SYSCALL_ARGS) { return do_openat(AT_FDCWD, a0, O_CREAT | O_WRONLY | O_TRUNC, (unsigned)a1); }

int64_t sys_close(SYSCALL_ARGS) { return fd_close(current->fds, (int)a0); }

/* ---- read / write ---- */

static int64_t do_rw(int fd, uaddr_t buf, uint64_t count, bool write, int64_t at)
{
    struct file *f = fd_get(current->fds, fd);
    if (!f)
        return -EBADF;
    if (at >= 0 && !file_seekable(f))
        return -ESPIPE;
    if (write ? !file_writable(f) : !file_readable(f))
        return -EBADF;
    if ((int64_t)count < 0)
        return -EINVAL;
    if (!access_ok(current->space, buf, count))
        return -EFAULT;
    count = MM_MIN(count, MAX_RW_COUNT);
    if (count == 0 && !S_ISDIR(f->inode->mode))
        return 0;
    uint64_t pos = at >= 0 ? (uint64_t)at : f->pos;
    int64_t n = write ? f->ops->write(f, current->space, buf, count, &pos)
                      : f->ops->read(f, current->space, buf, count, &pos);
    if (at < 0)
        f->pos = pos;
    return n;
}

int64_t sys_read(SYSCALL_ARGS) { return do_rw((int)a0, a1, a2, false, -1); }
int64_t sys_write(SYSCALL_ARGS) { return do_rw((int)a0, a1, a2, true, -1); }

int64_t sys_pread64(SYSCALL_ARGS)
{
    if ((int64_t)a3 < 0)
        return -EINVAL;
    return do_rw((int)a0, a1, a2, false, (int64_t)a3);
}

int64_t sys_pwrite64(SYSCALL_ARGS)
{
    if ((int64_t)a3 < 0)
        return -EINVAL;
    return do_rw((int)a0, a1, a2, true, (int64_t)a3);
}

struct iovec_user {
    uint64_t base, len;
};

/* Vectored I/O. The vector is read in chunks, twice: first to check every
 * entry as Linux does before any transfer (negative length -EINVAL, bad
 * buffer -EFAULT, total trimmed to MAX_RW_COUNT), then to transfer. */
#define IOV_CHUNK 64

static int64_t do_rwv(int fd, uaddr_t uiov, int iovcnt, bool write)
{
    struct file *f = fd_get(current->fds, fd);
    if (!f)
        return -EBADF;
    if (write ? !file_writable(f) : !file_readable(f))
        return -EBADF;
    if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
        return -EINVAL;
    struct iovec_user iov[IOV_CHUNK];
    for (int base = 0; base < iovcnt; base += IOV_CHUNK) {
        int n = MM_MIN(iovcnt - base, IOV_CHUNK);
        if (copy_from_user(current->space, iov, uiov + (uint64_t)base * sizeof iov[0], n * sizeof iov[0]))
            return -EFAULT;
        for (int i = 0; i < n; i++) {
            if ((int64_t)iov[i].len < 0)
                return -EINVAL;
            if (!access_ok(current->space, iov[i].base, iov[i].len))
                return -EFAULT;
        }
    }
    int64_t total = 0;
    uint64_t budget = MAX_RW_COUNT;
    for (int base = 0; base < iovcnt && budget; base += IOV_CHUNK) {
        int n = MM_MIN(iovcnt - base, IOV_CHUNK);
        if (copy_from_user(current->space, iov, uiov + (uint64_t)base * sizeof iov[0], n * sizeof iov[0]))
            return total ? total : -EFAULT;
        for (int i = 0; i < n && budget; i++) {
            uint64_t len = MM_MIN(iov[i].len, budget);
            if (len == 0)
                continue;
            int64_t r = write ? f->ops->write(f, current->space, iov[i].base, len, &f->pos)
                              : f->ops->read(f, current->space, iov[i].base, len, &f->pos);
            if (r < 0)
                return total ? total : r;
            total += r;
            budget -= (uint64_t)r;
            if ((uint64_t)r < len)
                return total;
        }
    }
    return total;
}

int64_t sys_readv(SYSCALL_ARGS) { return do_rwv((int)a0, a1, (int)a2, false); }
int64_t sys_writev(SYSCALL_ARGS) { return do_rwv((int)a0, a1, (int)a2, true); }

int64_t sys_lseek(SYSCALL_ARGS)
{
    int fd = (int)a0, whence = (int)a2;
    int64_t off = (int64_t)a1;
    struct file *f = fd_get(current->fds, fd);
    if (!f)
        return -EBADF;
    if (!file_seekable(f))
        return -ESPIPE;
    if (whence < SEEK_SET || whence > SEEK_HOLE)
        return -EINVAL;
    if (S_ISCHR(f->inode->mode))
        return 0; /* /dev/null and friends: every position is 0 */
    int64_t size = (int64_t)f->inode->size, base;
    switch (whence) {
    case SEEK_SET:
        base = 0;
        break;
    case SEEK_CUR:
        base = (int64_t)f->pos;
        break;
    case SEEK_END:
        base = size;
        break;
    default: /* SEEK_DATA, SEEK_HOLE: the whole file is data */
        if (off < 0 || off >= size)
            return -ENXIO;
        f->pos = (uint64_t)(whence == SEEK_DATA ? off : size);
        return (int64_t)f->pos;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -EINVAL;
    f->pos = (uint64_t)(base + off);
    return (int64_t)f->pos;
}

/* ---- status ---- */

static int stat_to_user(struct inode *ino, uaddr_t ust)
{
    struct linux_stat st = {0};
    st.st_dev = RAMFS_DEV;
    st.st_ino = ino->ino;
    st.st_nlink = ino->special != INODE_PLAIN || S_ISFIFO(ino->mode) ? 1 : ino->nlink;
    st.st_mode = ino->mode;
    st.st_rdev = ino->rdev;
    st.st_size = S_ISREG(ino->mode) ? (int64_t)ino->size : S_ISDIR(ino->mode) ? 4096 : 0;
    st.st_blksize = 4096;
    st.st_blocks = ino->obj ? (int64_t)(vm_object_file_pages(ino->obj) * 8) : 0;
    st.st_atime = ino->atime / 1000000000ull, st.st_atime_nsec = ino->atime % 1000000000ull;
    st.st_mtime = ino->mtime / 1000000000ull, st.st_mtime_nsec = ino->mtime % 1000000000ull;
    st.st_ctime = ino->ctime / 1000000000ull, st.st_ctime_nsec = ino->ctime % 1000000000ull;
    return copy_to_user(current->space, ust, &st, sizeof st) ? -EFAULT : 0;
}

int64_t sys_fstat(SYSCALL_ARGS)
{
    struct file *f = fd_get(current->fds, (int)a0);
    if (!f)
        return -EBADF;
    return stat_to_user(f->inode, a1);
}

static int64_t do_fstatat(int dirfd, uaddr_t upath, uaddr_t ust, int flags)
{
    char path[PATH_MAX];
    struct inode *dir, *ino;
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
        return -EINVAL;
    int err = path_get(upath, path);
    if (err)
        return err;
    if (!path[0] && (flags & AT_EMPTY_PATH)) {
        if (dirfd == AT_FDCWD)
            return stat_to_user(current->cwd, ust);
        struct file *f = fd_get(current->fds, dirfd);
        return f ? stat_to_user(f->inode, ust) : -EBADF;
    }
    err = dir_of(dirfd, path, &dir);
    if (!err)
        err = vfs_lookup(dir, path, &ino);
    return err ? err : stat_to_user(ino, ust);
}

int64_t sys_stat(SYSCALL_ARGS) { return do_fstatat(AT_FDCWD, a0, a1, 0); }
int64_t sys_lstat(SYSCALL_ARGS) { return do_fstatat(AT_FDCWD, a0, a1, AT_SYMLINK_NOFOLLOW); }
int64_t sys_newfstatat(SYSCALL_ARGS) { return do_fstatat((int)a0, a1, a2, (int)a3); }

static int64_t do_faccessat(int dirfd, uaddr_t upath, int mode, int flags)
{
    char path[PATH_MAX];
    struct inode *dir, *ino;
    if (mode & ~7)
        return -EINVAL;
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    int err = path_get(upath, path);
    if (err)
        return err;
    err = dir_of(dirfd, path, &dir);
    if (!err)
        err = vfs_lookup(dir, path, &ino);
    return err;
}

int64_t sys_access(SYSCALL_ARGS) { return do_faccessat(AT_FDCWD, a0, (int)a1, 0); }
int64_t sys_faccessat(SYSCALL_ARGS) { return do_faccessat((int)a0, a1, (int)a2, (int)a3); }

/* ioctl: no terminals here, so every request a terminal would answer is
 * -ENOTTY (as for a program whose output goes to a file or pipe). */
int64_t sys_ioctl(SYSCALL_ARGS)
{
    int fd = (int)a0;
    unsigned cmd = (unsigned)a1;
    struct file *f = fd_get(current->fds, fd);
    if (!f)
        return -EBADF;
    if (cmd == FIOCLEX || cmd == FIONCLEX) {
        fd_set_cloexec(current->fds, fd, cmd == FIOCLEX);
        return 0;
    }
    return -ENOTTY;
}

/* ---- descriptors ---- */

static int64_t dup_to(int oldfd, int newfd, bool cloexec)
{
    struct fdtable *t = current->fds;
    struct file *f = fd_get(t, oldfd);
    if (!f)
        return -EBADF;
    if (newfd < 0 || newfd >= FD_MAX)
        return -EBADF;
    file_ref(f);
    if (t->files[newfd])
        fd_close(t, newfd);
    t->files[newfd] = f;
    fd_set_cloexec(t, newfd, cloexec);
    return newfd;
}

int64_t sys_dup(SYSCALL_ARGS)
{
    struct file *f = fd_get(current->fds, (int)a0);
    if (!f)
        return -EBADF;
    file_ref(f);
    int fd = fd_install(current->fds, f, 0, false);
    if (fd < 0)
        file_unref(f);
    return fd;
}

int64_t sys_dup2(SYSCALL_ARGS)
{
    int oldfd = (int)a0, newfd = (int)a1;
    if (oldfd == newfd)
        return fd_get(current->fds, oldfd) ? newfd : -EBADF;
    return dup_to(oldfd, newfd, false);
}

int64_t sys_dup3(SYSCALL_ARGS)
{
    int oldfd = (int)a0, newfd = (int)a1, flags = (int)a2;
    if (flags & ~O_CLOEXEC)
        return -EINVAL;
    if (oldfd == newfd)
        return -EINVAL;
    return dup_to(oldfd, newfd, flags & O_CLOEXEC);
}

int64_t sys_fcntl(SYSCALL_ARGS)
{
    int fd = (int)a0, cmd = (int)a1;
    struct fdtable *t = current->fds;
    struct file *f = fd_get(t, fd);
    if (!f)
        return -EBADF;
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
        int min = (int)a2;
        if (min < 0 || min >= FD_MAX)
            return -EINVAL;
        file_ref(f);
        int nfd = fd_install(t, f, min, cmd == F_DUPFD_CLOEXEC);
        if (nfd < 0)
            file_unref(f);
        return nfd;
    }
    case F_GETFD:
        return fd_cloexec(t, fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
        fd_set_cloexec(t, fd, a2 & FD_CLOEXEC);
        return 0;
    case F_GETFL:
        return f->flags;
    case F_SETFL:
        f->flags = (f->flags & ~(uint32_t)(O_APPEND | O_NONBLOCK)) | ((uint32_t)a2 & (O_APPEND | O_NONBLOCK));
        return 0;
    default:
        return -EINVAL;
    }
}

/* ---- names ---- */

static int64_t do_unlinkat(int dirfd, uaddr_t upath, int flags)
{
    char path[PATH_MAX];
    struct inode *dir, *parent;
    const char *last;
    size_t len;
    bool trailing, rmdir = flags & AT_REMOVEDIR;
    if (flags & ~AT_REMOVEDIR)
        return -EINVAL;
    int err = path_get(upath, path);
    if (err)
        return err;
    err = dir_of(dirfd, path, &dir);
    if (!err)
        err = vfs_lookup_parent(dir, path, &parent, &last, &len, &trailing);
    if (err)
        goto out;
    if (len == 0) {
        err = rmdir ? -EBUSY : -EISDIR;
    } else if (len == 1 && last[0] == '.') {
        err = rmdir ? -EINVAL : -EISDIR;
    } else if (len == 2 && last[0] == '.' && last[1] == '.') {
        err = rmdir ? -ENOTEMPTY : -EISDIR;
    } else {
        struct inode *ino = vfs_dir_find(parent, last, len);
        if (!ino)
            err = -ENOENT;
        else if (trailing && !S_ISDIR(ino->mode))
            err = -ENOTDIR;
        else
            err = vfs_remove(parent, last, len, rmdir);
    }
out:
    return err;
}

int64_t sys_unlink(SYSCALL_ARGS) { return do_unlinkat(AT_FDCWD, a0, 0); }
int64_t sys_unlinkat(SYSCALL_ARGS) { return do_unlinkat((int)a0, a1, (int)a2); }
int64_t sys_rmdir(SYSCALL_ARGS) { return do_unlinkat(AT_FDCWD, a0, AT_REMOVEDIR); }

static int64_t do_mkdirat(int dirfd, uaddr_t upath, unsigned mode)
{
    char path[PATH_MAX];
    struct inode *dir, *parent, *ino;
    const char *last;
    size_t len;
    bool trailing;
    int err = path_get(upath, path);
    if (err)
        return err;
    err = dir_of(dirfd, path, &dir);
    if (!err)
        err = vfs_lookup_parent(dir, path, &parent, &last, &len, &trailing);
    if (!err) {
        if (len == 0 || vfs_dir_find(parent, last, len))
            err = -EEXIST;
        else
            err = vfs_create(parent, last, len, S_IFDIR | (mode & 07777 & ~UMASK), &ino);
    }
    return err;
}

int64_t sys_mkdir(SYSCALL_ARGS) { return do_mkdirat(AT_FDCWD, a0, (unsigned)a1); }
int64_t sys_mkdirat(SYSCALL_ARGS) { return do_mkdirat((int)a0, a1, (unsigned)a2); }

int64_t sys_ftruncate(SYSCALL_ARGS)
{
    int64_t len = (int64_t)a1;
    if (len < 0)
        return -EINVAL;
    struct file *f = fd_get(current->fds, (int)a0);
    if (!f || (f->flags & O_PATH))
        return -EBADF;
    if (!S_ISREG(f->inode->mode) || !file_writable(f) || f->inode->special != INODE_PLAIN)
        return -EINVAL;
    return ramfs_truncate(f->inode, (uint64_t)len);
}

int64_t sys_truncate(SYSCALL_ARGS)
{
    char path[PATH_MAX];
    struct inode *ino;
    int64_t len = (int64_t)a1;
    int err = path_get(a0, path);
    if (!err)
        err = vfs_lookup(current->cwd, path, &ino);
    if (err)
        return err;
    if (S_ISDIR(ino->mode))
        return -EISDIR;
    if (!S_ISREG(ino->mode) || ino->special != INODE_PLAIN)
        return -EINVAL;
    if (len < 0)
        return -EINVAL;
    return ramfs_truncate(ino, (uint64_t)len);
}

/* ---- rename ---- */

#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4

/* Look up the parent of path for rename: the last component must be a
 * real name (not "/", "." or ".."). */
static int rename_parent(int dirfd, const char *path, struct inode **parent, const char **last,
                         size_t *len, bool *trailing)
{
    struct inode *dir;
    int err = dir_of(dirfd, path, &dir);
    if (!err)
        err = vfs_lookup_parent(dir, path, parent, last, len, trailing);
    if (err)
        return err;
    if (*len == 0 || (*len == 1 && (*last)[0] == '.') || (*len == 2 && (*last)[0] == '.' && (*last)[1] == '.'))
        return -EBUSY;
    return 0;
}

static int64_t do_renameat2(int olddirfd, uaddr_t uold, int newdirfd, uaddr_t unew, unsigned flags)
{
    char *oldp = kpage_alloc(), *newp = kpage_alloc();
    struct inode *op, *np;
    const char *ol, *nl;
    size_t olen, nlen;
    bool otrail, ntrail;
    int err;

    if (!oldp || !newp) {
        err = -ENOMEM;
        goto out;
    }
    if ((flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) ||
        ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))) {
        err = -EINVAL;
        goto out;
    }
    if (flags & (RENAME_EXCHANGE | RENAME_WHITEOUT)) {
        err = -EINVAL; /* not offered by this file system */
        goto out;
    }
    err = path_get(uold, oldp);
    if (!err)
        err = path_get(unew, newp);
    if (!err)
        err = rename_parent(olddirfd, oldp, &op, &ol, &olen, &otrail);
    if (!err)
        err = rename_parent(newdirfd, newp, &np, &nl, &nlen, &ntrail);
    if (err)
        goto out;
    struct inode *src = vfs_dir_find(op, ol, olen);
    if (!src) {
        err = -ENOENT;
        goto out;
    }
    if ((otrail || ntrail) && !S_ISDIR(src->mode)) {
        err = -ENOTDIR;
        goto out;
    }
    if ((flags & RENAME_NOREPLACE) && vfs_dir_find(np, nl, nlen)) {
        err = -EEXIST;
        goto out;
    }
    err = vfs_rename(op, ol, olen, np, nl, nlen);
out:
    if (oldp)
        kpage_free(oldp);
    if (newp)
        kpage_free(newp);
    return err;
}

int64_t sys_rename(SYSCALL_ARGS) { return do_renameat2(AT_FDCWD, a0, AT_FDCWD, a1, 0); }
int64_t sys_renameat(SYSCALL_ARGS) { return do_renameat2((int)a0, a1, (int)a2, a3, 0); }
int64_t sys_renameat2(SYSCALL_ARGS) { return do_renameat2((int)a0, a1, (int)a2, a3, (unsigned)a4); }

/* ---- pipes ---- */

#define O_NOTIFICATION_PIPE O_EXCL

static int64_t do_pipe2(uaddr_t ufds, int flags)
{
    struct file *r, *w;
    if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE))
        return -EINVAL;
    int err = pipe_create((uint32_t)flags, &r, &w);
    if (err)
        return err;
    int fds[2];
    fds[0] = fd_install(current->fds, r, 0, flags & O_CLOEXEC);
    if (fds[0] < 0) {
        file_unref(r);
        file_unref(w);
        return fds[0];
    }
    fds[1] = fd_install(current->fds, w, 0, flags & O_CLOEXEC);
    if (fds[1] < 0) {
        fd_close(current->fds, fds[0]);
        file_unref(w);
        return fds[1];
    }
    if (copy_to_user(current->space, ufds, fds, sizeof fds)) {
        fd_close(current->fds, fds[0]);
        fd_close(current->fds, fds[1]);
        return -EFAULT;
    }
    return 0;
}

int64_t sys_pipe(SYSCALL_ARGS) { return do_pipe2(a0, 0); }
int64_t sys_pipe2(SYSCALL_ARGS) { return do_pipe2(a0, (int)a1); }

/* The name of dir inside its parent. */
static const struct dentry *dir_entry(struct inode *dir)
{
    for (const struct dentry *d = dir->parent->children; d; d = d->next)
        if (d->inode == dir)
            return d;
    return NULL;
}

int64_t sys_getcwd(SYSCALL_ARGS)
{
    uaddr_t ubuf = a0;
    uint64_t size = a1;
    char *buf = kpage_alloc();
    if (!buf)
        return -ENOMEM;
    /* Build the path backwards from the end of the page. */
    uint64_t pos = PAGE_SIZE - 1;
    buf[pos] = 0;
    for (struct inode *d = current->cwd; d != ramfs_root(); d = d->parent) {
        const struct dentry *e = dir_entry(d);
        if (!e || pos < e->len + 1u)
            break;
        pos -= e->len;
        memcpy(buf + pos, e->name, e->len);
        buf[--pos] = '/';
    }
    if (pos == PAGE_SIZE - 1)
        buf[--pos] = '/';
    uint64_t len = PAGE_SIZE - pos;
    int64_t r = (int64_t)len;
    if (size < len)
        r = -ERANGE;
    else if (copy_to_user(current->space, ubuf, buf + pos, len))
        r = -EFAULT;
    kpage_free(buf);
    return r;
}

/* The entry of dir at the first position >= *pos: 0 ".", 1 "..", then the
 * directory's list in order (for a /proc directory, procfs's positions).
 * Sets *pos to its position; false at the end. */
static bool dir_entry_at(struct inode *dir, uint64_t *pos, const char **name, size_t *len,
                         struct inode **ino, char pbuf[16], const struct dentry **cur, uint64_t *cur_pos)
{
    if (*pos == 0) {
        *name = ".", *len = 1, *ino = dir;
        return true;
    }
    if (*pos == 1) {
        *name = "..", *len = 2, *ino = dir->parent ? dir->parent : dir;
        return true;
    }
    if (dir->special == INODE_PROC_ROOT || dir->special == INODE_PROC_PID) {
        if (!procfs_dir_entry(dir, pos, pbuf, ino))
            return false;
        *name = pbuf, *len = strlen(pbuf);
        return true;
    }
    /* The previous entry (*cur at *cur_pos) saves the walk from the start. */
    const struct dentry *d = dir->children;
    uint64_t i = 2;
    if (*cur && *cur_pos < *pos)
        d = *cur, i = *cur_pos;
    for (; d && i < *pos; i++)
        d = d->next;
    if (!d)
        return false;
    *cur = d, *cur_pos = *pos;
    *name = d->name, *len = d->len, *ino = d->inode;
    return true;
}

/* getdents64: the position is dir_entry_at's; each record's d_off is the
 * position after it. */
int64_t sys_getdents64(SYSCALL_ARGS)
{
    uaddr_t ubuf = a1;
    uint64_t size = a2;
    struct file *f = fd_get(current->fds, (int)a0);
    if (!f)
        return -EBADF;
    if (!S_ISDIR(f->inode->mode))
        return -ENOTDIR;
    if (!access_ok(current->space, ubuf, size))
        return -EFAULT;
    struct inode *dir = f->inode;
    uint64_t done = 0, pos = f->pos;
    char rec[8 + 8 + 2 + 1 + NAME_MAX + 1 + 8], pbuf[16];
    const char *name;
    size_t len;
    struct inode *ino;
    const struct dentry *cur = NULL;
    uint64_t cur_pos = 0;
    for (; dir_entry_at(dir, &pos, &name, &len, &ino, pbuf, &cur, &cur_pos); pos++) {
        uint16_t reclen = (uint16_t)ALIGN_UP(19 + len + 1, 8);
        if (done + reclen > size) {
            if (done == 0)
                return -EINVAL;
            break;
        }
        memset(rec, 0, reclen);
        uint64_t off = pos + 1;
        uint8_t type = S_ISDIR(ino->mode) ? 4 : S_ISCHR(ino->mode) ? 2 : 8;
        memcpy(rec, &ino->ino, 8);
        memcpy(rec + 8, &off, 8);
        memcpy(rec + 16, &reclen, 2);
        rec[18] = (char)type;
        memcpy(rec + 19, name, len);
        if (copy_to_user(current->space, ubuf + done, rec, reclen))
            return done ? (int64_t)done : -EFAULT;
        done += reclen;
        f->pos = pos + 1;
    }
    return (int64_t)done;
}

/* ---- poll ---- */

#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100

struct pollfd_user {
    int32_t fd;
    int16_t events, revents;
};

/* One pass over the descriptors: each one's revents, written back; the
 * number that have any. A file without a poll operation is always ready
 * as opened (regular files, devices); pipes say. */
static int64_t poll_scan(uaddr_t ufds, uint64_t nfds)
{
    struct pollfd_user chunk[64];
    int64_t ready = 0;
    for (uint64_t done = 0; done < nfds;) {
        uint64_t n = MM_MIN(nfds - done, ARRAY_SIZE(chunk));
        if (copy_from_user(current->space, chunk, ufds + done * sizeof chunk[0], n * sizeof chunk[0]))
            return -EFAULT;
        for (uint64_t i = 0; i < n; i++) {
            struct pollfd_user *p = &chunk[i];
            p->revents = 0;
            if (p->fd < 0)
                continue;
            struct file *f = fd_get(current->fds, p->fd);
            unsigned have;
            if (!f)
                have = POLLNVAL;
            else if (f->ops->poll)
                have = f->ops->poll(f);
            else
                have = (file_readable(f) ? POLLIN | POLLRDNORM | POLLPRI : 0) |
                       (file_writable(f) ? POLLOUT | POLLWRNORM : 0);
            /* POLLHUP, POLLERR and POLLNVAL are reported unasked. */
            p->revents = (int16_t)(have & ((unsigned)(uint16_t)p->events | POLLHUP | POLLERR | POLLNVAL));
            ready += p->revents != 0;
        }
        if (copy_to_user(current->space, ufds + done * sizeof chunk[0], chunk, n * sizeof chunk[0]))
            return -EFAULT;
        done += n;
    }
    return ready;
}

/* Scan until a descriptor is ready, the timeout passes (0) or a signal
 * comes (-EINTR); meanwhile the other processes run. */
static int64_t do_poll(uaddr_t ufds, uint64_t nfds, int64_t timeout_ns)
{
    if (nfds > current->rlim[7].cur)
        return -EINVAL;
    uint64_t until = timeout_ns < 0 ? UINT64_MAX : machine_time_ns() + (uint64_t)timeout_ns;
    for (;;) {
        int64_t ready = poll_scan(ufds, nfds);
        if (ready || timeout_ns == 0)
            return ready;
        if (machine_time_ns() >= until)
            return 0;
        if (proc_signal_pending())
            return -EINTR;
        if (proc_others_runnable())
            proc_yield();
        else
            machine_relax();
    }
}

int64_t sys_poll(SYSCALL_ARGS)
{
    int timeout_ms = (int)a2;
    return do_poll(a0, (uint32_t)a1, timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000);
}

int64_t sys_ppoll(SYSCALL_ARGS)
{
    uaddr_t uts = a2;
    int64_t timeout_ns = -1;
    if (uts) {
        struct {
            int64_t sec, nsec;
        } ts;
        if (copy_from_user(current->space, &ts, uts, sizeof ts))
            return -EFAULT;
        if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
            return -EINVAL;
        timeout_ns = ts.sec > INT64_MAX / 1000000000 - 1 ? INT64_MAX : ts.sec * 1000000000 + ts.nsec;
    }
    if (a3 && a4 != 8)
        return -EINVAL;
    return do_poll(a0, (uint32_t)a1, timeout_ns);
}
