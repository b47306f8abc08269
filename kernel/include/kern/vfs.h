/* kern/vfs.h — files: the in-memory file system (ramfs) that holds the
 * initramfs and /tmp, the open-file records system calls use, and the
 * per-process descriptor table.
 *
 * A regular file's data lives in frames from mm/'s allocator, found through
 * a two-level page index (so a later file mapping can hand the same frames
 * to mm/ as a page cache). Directories are lists of named entries. There are
 * no symbolic links and no permission checks (everyone is root). */
#ifndef KERN_VFS_H
#define KERN_VFS_H

#include <mm/space.h>
#include <mm/types.h>

/* File types and permission bits, Linux values. */
#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFREG 0100000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)

/* open(2) flags, Linux x86-64 values. */
#define O_ACCMODE 03
#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#define O_CLOEXEC 02000000
#define O_PATH 010000000

#define NAME_MAX 255
#define PATH_MAX 4096
#define FILE_MAX_BYTES (512ull * 512 * PAGE_SIZE) /* two-level index: 1 GiB */

/* Character devices (inode.rdev), with Linux's device numbers. */
enum chardev {
    CHARDEV_NULL = (1 << 8) | 3,
    CHARDEV_ZERO = (1 << 8) | 5,
    CHARDEV_FULL = (1 << 8) | 7,
    CHARDEV_URANDOM = (1 << 8) | 9,
    CHARDEV_CONSOLE = (5 << 8) | 1,
};

struct dentry;

struct inode {
    uint64_t ino;
    uint32_t mode;          /* S_IF* | permission bits */
    uint32_t nlink;         /* names pointing here (directories: 2 + subdirectories) */
    uint32_t refs;          /* open files holding it */
    uint32_t rdev;          /* character devices */
    uint64_t size;          /* bytes (regular files) */
    uint64_t pages;         /* data frames held */
    uint64_t atime, mtime, ctime; /* nanoseconds since the epoch */
    struct inode *parent;   /* directories */
    struct dentry *children;
    paddr_t index;          /* regular files: page holding 512 leaf-index frames, or 0 */
};

struct dentry {
    struct dentry *next;
    struct inode *inode;
    uint16_t len;
    char name[NAME_MAX + 1];
};

/* Create the root directory and the standard tree (/dev with null, zero,
 * full, urandom and console; /tmp, /bin, /etc). */
void ramfs_init(void);
struct inode *ramfs_root(void);

/* Walk path from dir (absolute paths start at the root). Returns 0 and
 * sets *out; or -ENOENT, -ENOTDIR, -ENAMETOOLONG. A trailing slash
 * requires a directory. */
int vfs_lookup(struct inode *dir, const char *path, struct inode **out);

/* Split path into its parent directory (looked up) and last component.
 * Returns 0, or an errno as vfs_lookup; -ENOENT for an empty path. *last
 * points into path; *trailing_slash tells whether path ended in '/'. */
int vfs_lookup_parent(struct inode *dir, const char *path, struct inode **parent,
                      const char **last, size_t *last_len, bool *trailing_slash);

/* Find name in directory dir, or NULL. */
struct inode *vfs_dir_find(struct inode *dir, const char *name, size_t len);

/* Make a new node named name in dir (a regular file, directory or device).
 * Returns 0 and the new inode; -EEXIST, -ENOMEM, -ENAMETOOLONG. */
int vfs_create(struct inode *dir, const char *name, size_t len, uint32_t mode, struct inode **out);

/* Remove name from dir. -ENOENT, -EISDIR (unlink of a directory without
 * want_dir), -ENOTDIR (rmdir of a non-directory), -ENOTEMPTY. The inode is
 * freed once no name and no open file refers to it. */
int vfs_remove(struct inode *dir, const char *name, size_t len, bool want_dir);

/* Open-file references on an inode (the last one frees an unlinked inode). */
void inode_ref(struct inode *ino);
void inode_unref(struct inode *ino);

/* The frame holding page pgoff of a regular file; with create, a missing
 * page is allocated zero-filled. Returns 0 and *pa (0 for a hole without
 * create), or -ENOMEM / -EFBIG. */
int ramfs_page(struct inode *ino, uint64_t pgoff, bool create, paddr_t *pa);

/* Copy file bytes [off, off + len) to or from user memory in s. Reads stop
 * at the end of the file; writes extend it. Return bytes copied, or a
 * negative errno (-EFAULT when nothing could be copied). */
int64_t ramfs_read_user(struct inode *ino, uint64_t off, struct space *s, uaddr_t buf, uint64_t len);
int64_t ramfs_write_user(struct inode *ino, uint64_t off, struct space *s, uaddr_t buf, uint64_t len);

/* The same with a kernel buffer. */
int64_t ramfs_read_kernel(struct inode *ino, uint64_t off, void *buf, uint64_t len);
int64_t ramfs_write_kernel(struct inode *ino, uint64_t off, const void *buf, uint64_t len);

/* Set the size; pages beyond it are freed, a partial last page is zeroed
 * past the end. 0, -EFBIG or -ENOMEM. */
int ramfs_truncate(struct inode *ino, uint64_t size);

/* Wall-clock time in nanoseconds since the epoch, for timestamps. */
uint64_t vfs_now(void);

/* ---- open files ---- */

struct file;

struct file_ops {
    /* Read / write at *pos (the ops update it). Return bytes or -errno. */
    int64_t (*read)(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos);
    int64_t (*write)(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos);
};

struct file {
    const struct file_ops *ops;
    struct inode *inode;
    uint32_t refs;
    uint32_t flags;         /* O_ACCMODE | O_APPEND | O_NONBLOCK as opened */
    uint64_t pos;
};

/* Write operations for process 1's standard output and error: their own
 * console channels (reads behave as the console's). */
extern const struct file_ops console_stdout_ops, console_stderr_ops;

/* Open an inode with open(2) flags: a new file with one reference.
 * Returns 0, -ENOMEM. (Access checks are the caller's.) */
int file_open_inode(struct inode *ino, uint32_t flags, struct file **out);

void file_ref(struct file *f);
void file_unref(struct file *f);

static inline bool file_readable(const struct file *f) { return (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_PATH); }
static inline bool file_writable(const struct file *f) { return (f->flags & O_ACCMODE) != O_RDONLY && !(f->flags & O_PATH); }

/* ---- descriptor tables ---- */

#define FD_MAX 256

struct fdtable {
    struct file *files[FD_MAX];
    uint8_t cloexec[FD_MAX / 8];
};

/* A new empty table, or NULL. */
struct fdtable *fdtable_create(void);

/* Close every descriptor and free the table. */
void fdtable_destroy(struct fdtable *t);

/* Install f (taking over the caller's reference) at the lowest free
 * descriptor >= min. Returns the descriptor or -EMFILE. */
int fd_install(struct fdtable *t, struct file *f, int min, bool cloexec);

/* The file at fd (no new reference), or NULL. */
struct file *fd_get(struct fdtable *t, int fd);

/* Close fd: 0 or -EBADF. */
int fd_close(struct fdtable *t, int fd);

#endif
