/* kernel/file.c — open files and descriptor tables: the read/write
 * behaviour of each kind of inode (regular file, directory, character
 * device, pipe), what each lets mmap do, and the per-process table of
 * descriptors. */
#include <kern/console.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/panic.h>
#include <kern/proc.h>
#include <kern/signal.h>
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

static const struct file_ops reg_ops = {reg_read, reg_write, NULL, NULL};

static int64_t dir_read(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos) { return -EISDIR; }
static int64_t dir_write(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos) { return -EISDIR; }

static const struct file_ops dir_ops = {dir_read, dir_write, NULL, NULL};

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
        uint64_t got = copy_to_user_partial(s, buf + done, chunk, n);
        done += got;
        if (got < n)
            return done ? (int64_t)done : -EFAULT; /* the prefix counts, as on Linux */
    }
    return (int64_t)done;
}

static int64_t console_channel_write(enum console_channel ch, struct space *s, uaddr_t buf, uint64_t len)
{
    char chunk[256];
    uint64_t done = 0;
    while (done < len) {
        uint64_t n = MM_MIN(len - done, sizeof chunk);
        /* A terminal takes its input in whole chunks: a chunk that faults
         * is not written at all (Linux's tty write does the same). */
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
            machine_relax();
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

static const struct file_ops chr_ops = {chr_read, chr_write, NULL, NULL};

/* The first process's standard output and error: their own channels. */
static int64_t stdout_write(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos)
{
    return console_channel_write(CONSOLE_STDOUT, s, buf, len);
}

static int64_t stderr_write(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos)
{
    return console_channel_write(CONSOLE_STDERR, s, buf, len);
}

const struct file_ops console_stdout_ops = {chr_read, stdout_write, NULL, NULL};
const struct file_ops console_stderr_ops = {chr_read, stderr_write, NULL, NULL};

/* ---- pipes ----
 *
 * A pipe is a ring of PIPE_PAGES pages (64 KiB, Linux's default capacity)
 * that both ends' inode shares. A reader waits while the ring is empty and
 * a writer exists; a writer waits while it is full and a reader exists.
 * Writing with no reader left is -EPIPE and SIGPIPE. Writes of at most
 * PIPE_BUF bytes are never split (Linux's atomicity). */

#define PIPE_PAGES 16
#define PIPE_SIZE (PIPE_PAGES * PAGE_SIZE)
#define PIPE_BUF 4096

struct pipe {
    char *page[PIPE_PAGES];
    uint64_t head, tail;   /* bytes written and read so far */
    uint32_t readers, writers;
};

static uint64_t pipe_used(const struct pipe *p) { return p->head - p->tail; }

/* Wait for the pipe to change. Returns -ERESTARTSYS when a signal is
 * pending (the return path restarts the call or fails it with -EINTR). */
static int pipe_wait(struct pipe *p)
{
    if (proc_signal_pending())
        return -ERESTARTSYS;
    proc_sleep(p);
    return proc_signal_pending() ? -ERESTARTSYS : 0;
}

static int64_t pipe_read(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos)
{
    struct pipe *p = f->inode->pipe;
    uint64_t done = 0;

    while (pipe_used(p) == 0) {
        if (p->writers == 0)
            return 0;
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        int err = pipe_wait(p);
        if (err)
            return err;
    }
    while (done < len && pipe_used(p)) {
        uint64_t at = p->tail % PIPE_SIZE, in = at % PAGE_SIZE;
        uint64_t n = MM_MIN(MM_MIN(len - done, pipe_used(p)), PAGE_SIZE - in);
        if (copy_to_user(s, buf + done, p->page[at / PAGE_SIZE] + in, n)) {
            if (!done)
                return -EFAULT;
            break;
        }
        p->tail += n;
        done += n;
    }
    proc_wakeup(p);
    return (int64_t)done;
}

static int64_t pipe_write(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos)
{
    struct pipe *p = f->inode->pipe;
    uint64_t done = 0;

    while (done < len) {
        if (p->readers == 0) {
            proc_signal(current, SIGPIPE);
            return done ? (int64_t)done : -EPIPE;
        }
        uint64_t room = PIPE_SIZE - pipe_used(p);
        /* A small write goes in whole or waits for room. */
        uint64_t need = len - done <= PIPE_BUF ? len - done : 1;
        if (room < need) {
            if (f->flags & O_NONBLOCK)
                return done ? (int64_t)done : -EAGAIN;
            int err = pipe_wait(p);
            if (err)
                return done ? (int64_t)done : err;
            continue;
        }
        while (done < len && pipe_used(p) < PIPE_SIZE) {
            uint64_t at = p->head % PIPE_SIZE, in = at % PAGE_SIZE;
            uint64_t n = MM_MIN(MM_MIN(len - done, PIPE_SIZE - pipe_used(p)), PAGE_SIZE - in);
            char **pg = &p->page[at / PAGE_SIZE];
            if (!*pg && !(*pg = kpage_alloc()))
                return done ? (int64_t)done : -ENOMEM;
            if (copy_from_user(s, *pg + in, buf + done, n)) {
                proc_wakeup(p);
                return done ? (int64_t)done : -EFAULT;
            }
            p->head += n;
            done += n;
        }
        proc_wakeup(p);
    }
    return (int64_t)done;
}

#define POLLIN 0x001
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100

static unsigned pipe_poll(struct file *f)
{
    struct pipe *p = f->inode->pipe;
    unsigned r = 0;
    if (file_readable(f)) {
        if (pipe_used(p))
            r |= POLLIN | POLLRDNORM;
        if (p->writers == 0)
            r |= POLLHUP;
    }
    if (file_writable(f)) {
        if (PIPE_SIZE - pipe_used(p) >= PIPE_BUF)
            r |= POLLOUT | POLLWRNORM;
        if (p->readers == 0)
            r |= POLLERR;
    }
    return r;
}

static void pipe_release(struct file *f)
{
    struct pipe *p = f->inode->pipe;
    if (file_readable(f))
        p->readers--;
    if (file_writable(f))
        p->writers--;
    proc_wakeup(p);
    if (p->readers || p->writers)
        return;
    for (int i = 0; i < PIPE_PAGES; i++)
        if (p->page[i])
            kpage_free(p->page[i]);
    kfree(p, sizeof *p);
    f->inode->pipe = NULL;
}

static const struct file_ops pipe_ops = {pipe_read, pipe_write, pipe_poll, pipe_release};

/* Contract: see vfs.h. */
int pipe_create(uint32_t flags, struct file **rd, struct file **wr)
{
    struct inode *ino = vfs_inode_new(S_IFIFO | 0600);
    struct pipe *p = kzalloc(sizeof *p);
    struct file *r = kzalloc(sizeof *r), *w = kzalloc(sizeof *w);
    if (!ino || !p || !r || !w) {
        kfree(w, sizeof *w);
        kfree(r, sizeof *r);
        kfree(p, sizeof *p);
        if (ino) {
            ino->refs = 1;
            inode_unref(ino);
        }
        return -ENOMEM;
    }
    ino->pipe = p;
    p->readers = p->writers = 1;
    *r = (struct file){.ops = &pipe_ops, .inode = ino, .refs = 1, .flags = O_RDONLY | (flags & O_NONBLOCK)};
    *w = (struct file){.ops = &pipe_ops, .inode = ino, .refs = 1, .flags = O_WRONLY | (flags & O_NONBLOCK)};
    ino->refs = 2;
    *rd = r;
    *wr = w;
    return 0;
}

/* ---- files ---- */

/* The open flags F_GETFL reports (Linux keeps all but the ones that only
 * matter while opening; 64-bit opens are always O_LARGEFILE). */
#define OPEN_KEPT_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_DIRECT | O_LARGEFILE | \
                         O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_SYNC | O_PATH)

int file_open_inode(struct inode *ino, uint32_t flags, struct file **out)
{
    struct file *f = kzalloc(sizeof *f);
    if (!f)
        return -ENOMEM;
    if (ino->special == INODE_PROC_MAPS)
        f->ops = &procfs_maps_ops;
    else
        f->ops = S_ISDIR(ino->mode) ? &dir_ops : S_ISCHR(ino->mode) ? &chr_ops : &reg_ops;
    f->inode = ino;
    f->refs = 1;
    if (flags & O_PATH)
        f->flags = flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW);
    else
        f->flags = (flags | O_LARGEFILE) & OPEN_KEPT_FLAGS;
    inode_ref(ino);
    *out = f;
    return 0;
}

/* Contract: see vfs.h. */
int file_mmap_rights(struct file *f, struct space_file *out)
{
    struct inode *ino = f->inode;
    *out = (struct space_file){
        .readable = file_readable(f),
        .writable = file_writable(f),
        .max_bytes = S_ISREG(ino->mode) ? INT64_MAX : UINT64_MAX,
    };
    if (f->ops == &reg_ops && ino->obj) {
        if (!f->view && !(f->view = vm_object_file_view_create(ino->obj)))
            return -ENOMEM;
        out->obj = f->view;
    } else if (f->ops == &chr_ops && ino->rdev == CHARDEV_ZERO) {
        out->zero = true;
    }
    /* Directories, other devices, pipes and /proc files: -ENODEV. */
    return 0;
}

void file_ref(struct file *f) { f->refs++; }

void file_unref(struct file *f)
{
    KASSERT(f->refs > 0);
    if (--f->refs)
        return;
    if (f->ops->release)
        f->ops->release(f);
    if (f->view)
        vm_object_unref(f->view);
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
