/* kern/vfs.h — files: the in-memory file system (ramfs) that holds the
 * initramfs and /tmp, /proc (kernel/procfs.c), pipes, the open-file
 * records system calls use, and the per-process descriptor table.
 *
 * A regular file's data lives in its page cache: an mm/ file object
 * (VM_OBJECT_FILE, mm/object.h) that read(), write() and every mapping of
 * the file share. The object outlives the inode's names and open files
 * while a mapping holds it. Directories are lists of named entries. There
 * are no symbolic links and no permission checks (everyone is root). */
#ifndef KERN_VFS_H
#define KERN_VFS_H

#include <mm/object.h>
#include <mm/space.h>
#include <mm/types.h>

/* File types and permission bits, Linux values. */
#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFREG 0100000
#define S_IFIFO 0010000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)

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
#define O_DSYNC 010000
#define O_DIRECT 040000
#define O_LARGEFILE 0100000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#define O_NOATIME 01000000
#define O_CLOEXEC 02000000
#define O_SYNC 04010000
#define O_PATH 010000000
#define O_TMPFILE 020200000

#define NAME_MAX 255
#define PATH_MAX 4096
/* The largest file: Linux's tmpfs limit (MAX_LFS_FILESIZE) is larger, but
 * memory runs out long before either. */
#define FILE_MAX_BYTES VM_FILE_MAX_BYTES

/* The file system's device number (st_dev, and the device in
 * /proc/PID/maps): major 0, minor 1, as an in-memory file system. */
#define RAMFS_DEV 1

/* Character devices (inode.rdev), with Linux's device numbers. */
enum chardev {
    CHARDEV_NULL = (1 << 8) | 3,
    CHARDEV_ZERO = (1 << 8) | 5,
    CHARDEV_FULL = (1 << 8) | 7,
    CHARDEV_URANDOM = (1 << 8) | 9,
    CHARDEV_CONSOLE = (5 << 8) | 1,
};

struct dentry;
struct pipe;

/* Nodes the kernel makes up rather than stores (inode.special). */
enum inode_special {
    INODE_PLAIN,            /* a ramfs node */
    INODE_PROC_ROOT,        /* /proc */
    INODE_PROC_PID,         /* /proc/PID */
    INODE_PROC_MAPS,        /* /proc/PID/maps */
};

struct inode {
    uint64_t ino;
    uint32_t mode;          /* S_IF* | permission bits */
    uint32_t nlink;         /* names pointing here (directories: 2 + subdirectories) */
    uint32_t refs;          /* open files holding it (and exec) */
    uint32_t rdev;          /* character devices */
    uint64_t size;          /* bytes (regular files; the page cache's size) */
    uint64_t atime, mtime, ctime; /* nanoseconds since the epoch */
    struct inode *parent;   /* the directory holding its name (the root: itself) */
    struct dentry *children;
    struct vm_object *obj;  /* regular files: the page cache (one reference) */
    char *gone_path;        /* unlinked while still in use: the path it had */
    struct pipe *pipe;      /* pipes: the buffer both ends share */
    uint8_t special;        /* enum inode_special */
    int32_t pid;            /* /proc/PID nodes: the process */
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

/* Rename: move the name old_name in old_dir to new_name in new_dir,
 * replacing what new_name named (Linux's rename(2) rules: a directory only
 * replaces an empty directory, a non-directory only a non-directory; a
 * directory cannot move below itself). 0 or -errno. */
int vfs_rename(struct inode *old_dir, const char *old_name, size_t old_len, struct inode *new_dir,
               const char *new_name, size_t new_len);

/* The absolute path of ino into buf (size bytes, NUL-terminated), as
 * /proc/PID/maps shows it: " (deleted)" appended once it has no name.
 * Returns the length, or -ENAMETOOLONG. */
int vfs_path(const struct inode *ino, char *buf, size_t size);

/* A new inode not in any directory (pipes, /proc nodes), with no names,
 * no references and no page cache, or NULL. The last inode_unref frees
 * it (while nlink is 0). */
struct inode *vfs_inode_new(uint32_t mode);

/* Open-file references on an inode (the last one frees an unlinked inode). */
void inode_ref(struct inode *ino);
void inode_unref(struct inode *ino);

/* The frame holding page pgoff of a regular file (no new reference: valid
 * while the file holds it); with create, a missing page is allocated
 * zero-filled. Returns 0 and *pa (0 for a hole without create), or -ENOMEM
 * / -EFBIG. */
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
 * past the end, and every mapping of the cut pages (in every process)
 * loses them, so that touching them raises SIGBUS. 0 or -EFBIG. */
int ramfs_truncate(struct inode *ino, uint64_t size);

/* Pages of file data held by all files (statistics, /tmp's limit). */
uint64_t ramfs_data_pages(void);

/* Wall-clock time in nanoseconds since the epoch, for timestamps. */
uint64_t vfs_now(void);

/* ---- open files ---- */

struct file;

struct file_ops {
    /* Read / write at *pos (the ops update it). Return bytes or -errno. */
    int64_t (*read)(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos);
    int64_t (*write)(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos);
    /* Optional: poll readiness (POLLIN/POLLOUT/POLLHUP bits); absent:
     * readable and writable as opened, at once. */
    unsigned (*poll)(struct file *f);
    /* Optional: the last reference to the open file is going. */
    void (*release)(struct file *f);
};

struct file {
    const struct file_ops *ops;
    struct inode *inode;
    uint32_t refs;
    uint32_t flags;         /* O_ACCMODE | O_APPEND | O_NONBLOCK as opened */
    uint64_t pos;
    struct vm_object *view; /* what mappings of a regular file made through
                             * this open hold (a view of the page cache, made
                             * at the first mmap): Linux's vm_file, so they
                             * merge only with each other */
};

/* Write operations for process 1's standard output and error: their own
 * console channels (reads behave as the console's). */
extern const struct file_ops console_stdout_ops, console_stderr_ops;

/* Open an inode with open(2) flags: a new file with one reference.
 * Returns 0, -ENOMEM. (Access checks are the caller's.) */
int file_open_inode(struct inode *ino, uint32_t flags, struct file **out);

/* mmap: what the open file f lets a mapping do, for space_map_file (the
 * object is f's view of a regular file's page cache, made on first use).
 * Returns 0 or -ENOMEM. */
int file_mmap_rights(struct file *f, struct space_file *out);

/* pipe2: a new pipe's read and write ends (each with one reference),
 * flags O_NONBLOCK (O_CLOEXEC is the caller's). 0 or -ENOMEM. */
int pipe_create(uint32_t flags, struct file **rd, struct file **wr);

/* /proc (kernel/procfs.c): make /proc under root; look a name up in a
 * /proc directory (NULL when there is none); and the operations of its
 * files. */
void procfs_init(struct inode *root);
struct inode *procfs_lookup(struct inode *dir, const char *name, size_t len);

/* getdents64 in a /proc directory: the first entry at a position >= *pos
 * (positions 0 and 1, "." and "..", are the caller's): its position in
 * *pos, name (NUL-terminated, at most 15 bytes) and inode. /proc lists
 * "self" (position 2) and a directory per living process (3 + pid, in pid
 * order, so a listing read in pieces while processes come and go skips
 * none that stayed); /proc/PID lists "maps". False at the end. */
bool procfs_dir_entry(struct inode *dir, uint64_t *pos, char name[16], struct inode **ino);
extern const struct file_ops procfs_maps_ops;

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
