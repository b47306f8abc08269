/* kernel/file.c — open files and descriptor tables: the read/write
 * behaviour of each kind of inode (regular file, directory, character
 * device) and the per-process table of descriptors. */
#include <kern/console.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/panic.h>
#include <kern/proc.h>
#include <kern/vfs.h>
#include <mm/errno.h>
#include <mm/uaccess.h>

/* ---- regular files and directories ---- */

static int64_t reg_read(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos)
{
    int64_t n = ramfs_read_user(f->inode, *pos, s, buf, len);
    if (n > 0)
        *pos += (uint64_t)n;
    return n;
}

static int64_t reg_write(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos)
{
    if (f->flags & O_APPEND)
        *pos = f->inode->size;
    int64_t n = ramfs_write_user(f->inode, *pos, s, buf, len);
    if (n > 0)
        *pos += (uint64_t)n;
    return n;
}

static const struct file_ops reg_ops = {reg_read, reg_write};

static int64_t dir_read(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos) { return -EISDIR; }
static int64_t dir_write(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos) { return -EISDIR; }

static const struct file_ops dir_ops = {dir_read, dir_write};

/* ---- character devices ---- */

/* Bytes from a kernel source, in chunks, to user memory. */
static int64_t fill_user(struct space *s, uaddr_t buf, uint64_t len, bool random)
{
    char chunk[256];
    uint64_t done = 0;
    if (!random)
        memset(chunk, 0, sizeof chunk);
    while (done < len) {
        uint64_t n = MM_MIN(len - done, sizeof chunk);
        if (random)
            machine_random(chunk, n);
        if (copy_to_user(s, buf + done, chunk, n))
            return done ? (int64_t)done : -EFAULT;
        done += n;
    }
    return (int64_t)done;
}

static int64_t console_channel_write(enum console_channel ch, struct space *s, uaddr_t buf, uint64_t len)
{
    char chunk[256];
    uint64_t done = 0;
    while (done < len) {
        uint64_t n = MM_MIN(len - done, sizeof chunk);
        if (copy_from_user(s, chunk, buf + done, n))
            return done ? (int64_t)done : -EFAULT;
        console_write(ch, chunk, n);
        done += n;
    }
    return (int64_t)done;
}

/* The console: reads wait for at least one byte from the terminal. */
static int64_t console_read(struct space *s, uaddr_t buf, uint64_t len)
{
    char chunk[256];
    uint64_t n = 0;
    int c;
    if (len == 0)
        return 0;
    while ((c = console_read_byte(CONSOLE_STDOUT)) < 0) {
        if (proc_others_runnable())
            proc_yield();
        else
            __asm__ volatile("pause");
    }
    do {
        if (c == '\r')
            c = '\n';
        chunk[n++] = (char)c;
        if (c == 4) /* ^D: end of input */
            return n == 1 ? 0 : (copy_to_user(s, buf, chunk, n - 1) ? -EFAULT : (int64_t)(n - 1));
    } while (n < MM_MIN(len, sizeof chunk) && c != '\n' && (c = console_read_byte(CONSOLE_STDOUT)) >= 0);
    return copy_to_user(s, buf, chunk, n) ? -EFAULT : (int64_t)n;
}

static int64_t chr_read(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos)
{
    switch (f->inode->rdev) {
    case CHARDEV_NULL:
        return 0;
    case CHARDEV_ZERO:
    case CHARDEV_FULL:
        return fill_user(s, buf, len, false);
    case CHARDEV_URANDOM:
        return fill_user(s, buf, len, true);
    case CHARDEV_CONSOLE:
        return console_read(s, buf, len);
    }
    return -ENXIO;
}

static int64_t chr_write(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos)
{
    switch (f->inode->rdev) {
    case CHARDEV_NULL:
    case CHARDEV_ZERO:
    case CHARDEV_URANDOM:
        return (int64_t)len;
    case CHARDEV_FULL:
        return -ENOSPC;
    case CHARDEV_CONSOLE:
        return console_channel_write(CONSOLE_STDOUT, s, buf, len);
    }
    return -ENXIO;
}

static const struct file_ops chr_ops = {chr_read, chr_write};

/* The first process's standard output and error: their own channels. */
static int64_t stdout_write(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos)
{
    return console_channel_write(CONSOLE_STDOUT, s, buf, len);
}

static int64_t stderr_write(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos)
{
    return console_channel_write(CONSOLE_STDERR, s, buf, len);
}

const struct file_ops console_stdout_ops = {chr_read, stdout_write};
const struct file_ops console_stderr_ops = {chr_read, stderr_write};

/* ---- files ---- */

int file_open_inode(struct inode *ino, uint32_t flags, struct file **out)
{
    struct file *f = kzalloc(sizeof *f);
    if (!f)
        return -ENOMEM;
    f->ops = S_ISDIR(ino->mode) ? &dir_ops : S_ISCHR(ino->mode) ? &chr_ops : &reg_ops;
    f->inode = ino;
    f->refs = 1;
    f->flags = flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_PATH | O_DIRECTORY);
    inode_ref(ino);
    *out = f;
    return 0;
}

void file_ref(struct file *f) { f->refs++; }

void file_unref(struct file *f)
{
    KASSERT(f->refs > 0);
    if (--f->refs)
        return;
    inode_unref(f->inode);
    kfree(f, sizeof *f);
}

/* ---- descriptor tables ---- */

_Static_assert(sizeof(struct fdtable) <= 4096, "a descriptor table fits in a page");

struct fdtable *fdtable_create(void) { return kpage_alloc(); }

void fdtable_destroy(struct fdtable *t)
{
    if (!t)
        return;
    for (int fd = 0; fd < FD_MAX; fd++)
        fd_close(t, fd);
    kpage_free(t);
}

int fd_install(struct fdtable *t, struct file *f, int min, bool cloexec)
{
    for (int fd = min < 0 ? 0 : min; fd < FD_MAX; fd++) {
        if (t->files[fd])
            continue;
        t->files[fd] = f;
        if (cloexec)
            t->cloexec[fd / 8] |= (uint8_t)(1u << (fd % 8));
        else
            t->cloexec[fd / 8] &= (uint8_t)~(1u << (fd % 8));
        return fd;
    }
    return -EMFILE;
}

struct file *fd_get(struct fdtable *t, int fd)
{
    if (fd < 0 || fd >= FD_MAX)
        return NULL;
    return t->files[fd];
}

int fd_close(struct fdtable *t, int fd)
{
    struct file *f = fd_get(t, fd);
    if (!f)
        return -EBADF;
    t->files[fd] = NULL;
    file_unref(f);
    return 0;
}
