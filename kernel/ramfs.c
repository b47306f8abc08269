/* kernel/ramfs.c — the in-memory file system: inodes, directories, path
 * walking, renaming, and file data kept in each regular file's page cache
 * (an mm/ file object), which read(), write() and mappings share.
 *
 * A regular file's inode holds one reference to its object; mappings hold
 * the others. When the inode goes (no name, no open file) it drops its
 * reference, and the inode record lives on until the object's last
 * reference goes (the mappings need its name for /proc/PID/maps): the
 * object's release hook frees it. */
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/panic.h>
#include <kern/proc.h>
#include <kern/vfs.h>
#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/platform.h>
#include <mm/uaccess.h>

static struct inode *root_inode;
static uint64_t next_ino = 1;

/* Like Linux's tmpfs, files written by programs may use at most half of
 * memory (-ENOSPC beyond): the rest stays for the processes and the
 * kernel, so filling /tmp cannot starve the machine. */
static bool ramfs_full(void) { return vm_object_file_pages_total() >= frame_total_count() / 2; }

uint64_t ramfs_data_pages(void) { return vm_object_file_pages_total(); }

uint64_t vfs_now(void) { return machine_boot_epoch() * 1000000000ull + machine_time_ns(); }

static void inode_keep_path(struct inode *ino);

/* A path string kept after its file lost its name. */
static void gone_path_free(struct inode *ino)
{
    if (!ino->gone_path)
        return;
    size_t n = strlen(ino->gone_path) + 1;
    if (n <= KMEM_MAX)
        kfree(ino->gone_path, n);
    else
        kpage_free(ino->gone_path);
    ino->gone_path = NULL;
}

/* The page cache's last reference went: the inode record goes with it. */
static void ramfs_object_release(struct vm_object *obj)
{
    struct inode *ino = obj->priv;
    gone_path_free(ino);
    kfree(ino, sizeof *ino);
}

struct punch_walk {
    struct vm_object *obj;
    uint64_t first, last;
};

static void punch_unmap(struct space *s, void *arg)
{
    struct punch_walk *w = arg;
    space_object_punch(s, w->obj, w->first, w->last);
}

/* MADV_REMOVE on a shared mapping: a hole, as fallocate(PUNCH_HOLE |
 * KEEP_SIZE) makes one on tmpfs. The pages leave every mapping (mm/ keeps
 * no reverse map), then the page cache. */
static int ramfs_object_punch(struct vm_object *obj, uint64_t first, uint64_t last)
{
    struct inode *ino = obj->priv;
    struct punch_walk w = {obj, first, last};
    proc_for_each_space(punch_unmap, &w);
    vm_object_file_drop(obj, first, last);
    ino->mtime = ino->ctime = vfs_now();
    return 0;
}

static const struct vm_file_hooks ramfs_file_hooks = {.release = ramfs_object_release,
                                                      .punch = ramfs_object_punch};

/* A new inode; a regular file gets its page cache when cached. */
static struct inode *inode_alloc(uint32_t mode, bool cached)
{
    struct inode *ino = kzalloc(sizeof *ino);
    if (!ino)
        return NULL;
    if (S_ISREG(mode) && cached) {
        ino->obj = vm_object_file_create(0, ino, &ramfs_file_hooks);
        if (!ino->obj) {
            kfree(ino, sizeof *ino);
            return NULL;
        }
    }
    ino->ino = next_ino++;
    ino->mode = mode;
    ino->atime = ino->mtime = ino->ctime = vfs_now();
    return ino;
}

static struct inode *inode_new(uint32_t mode) { return inode_alloc(mode, true); }

struct inode *vfs_inode_new(uint32_t mode) { return inode_alloc(mode, false); }

static void inode_free(struct inode *ino)
{
    if (ino->obj) {
        /* The record lives as long as the pages (ramfs_object_release). */
        vm_object_unref(ino->obj);
        return;
    }
    gone_path_free(ino);
    kfree(ino, sizeof *ino);
}

void inode_ref(struct inode *ino) { ino->refs++; }

void inode_unref(struct inode *ino)
{
    KASSERT(ino->refs > 0);
    if (--ino->refs == 0 && ino->nlink == 0)
        inode_free(ino);
}

struct inode *ramfs_root(void) { return root_inode; }

struct inode *vfs_dir_find(struct inode *dir, const char *name, size_t len)
{
    if (len == 1 && name[0] == '.')
        return dir;
    if (len == 2 && name[0] == '.' && name[1] == '.')
        return dir->parent;
    if (dir->special != INODE_PLAIN)
        return procfs_lookup(dir, name, len);
    for (struct dentry *d = dir->children; d; d = d->next)
        if (d->len == len && memcmp(d->name, name, len) == 0)
            return d->inode;
    return NULL;
}

/* Contract: see vfs.h. */
int vfs_create(struct inode *dir, const char *name, size_t len, uint32_t mode, struct inode **out)
{
    if (len > NAME_MAX)
        return -ENAMETOOLONG;
    if (vfs_dir_find(dir, name, len))
        return -EEXIST;
    if (dir->nlink == 0) /* a removed directory, still open somewhere */
        return -ENOENT;
    if (dir->special != INODE_PLAIN)
        return -EACCES; /* /proc holds no files of its own */
    struct dentry *d = kzalloc(sizeof *d);
    struct inode *ino = d ? inode_new(mode) : NULL;
    if (!ino) {
        kfree(d, sizeof *d);
        return -ENOMEM;
    }
    memcpy(d->name, name, len);
    d->len = (uint16_t)len;
    d->inode = ino;
    d->next = dir->children;
    dir->children = d;
    ino->nlink = 1;
    ino->parent = dir;
    if (S_ISDIR(mode)) {
        ino->nlink = 2;
        dir->nlink++;
    }
    dir->mtime = dir->ctime = vfs_now();
    *out = ino;
    return 0;
}

/* Contract: see vfs.h. */
int vfs_remove(struct inode *dir, const char *name, size_t len, bool want_dir)
{
    struct dentry **pp = &dir->children;
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->len == len && memcmp((*pp)->name, name, len) == 0)
            break;
    struct dentry *d = *pp;
    if (!d)
        return -ENOENT;
    struct inode *ino = d->inode;
    if (S_ISDIR(ino->mode) && !want_dir)
        return -EISDIR;
    if (!S_ISDIR(ino->mode) && want_dir)
        return -ENOTDIR;
    if (S_ISDIR(ino->mode)) {
        if (ino->children)
            return -ENOTEMPTY;
        if (ino->special != INODE_PLAIN)
            return -EBUSY;
        dir->nlink--;
        ino->nlink = 0;
    } else {
        /* Still open or mapped: remember the path for /proc/PID/maps. */
        if (ino->nlink == 1 && (ino->refs || (ino->obj && ino->obj->refs > 1)))
            inode_keep_path(ino);
        ino->nlink--;
    }
    *pp = d->next;
    kfree(d, sizeof *d);
    dir->mtime = dir->ctime = vfs_now();
    if (ino->nlink == 0 && ino->refs == 0)
        inode_free(ino);
    return 0;
}

/* The name of ino in its parent directory, or NULL. */
static const struct dentry *inode_dentry(const struct inode *ino)
{
    if (!ino->parent)
        return NULL;
    for (const struct dentry *d = ino->parent->children; d; d = d->next)
        if (d->inode == ino)
            return d;
    return NULL;
}

/* The path of a named inode, built backwards from the end of buf. Returns
 * its length (moved to the start of buf), or -ENAMETOOLONG. */
static int inode_path_named(const struct inode *ino, char *buf, size_t size)
{
    size_t pos = size - 1;
    buf[pos] = 0;
    for (const struct inode *n = ino; n != root_inode;) {
        const struct dentry *d = inode_dentry(n);
        if (!d)
            break;
        if (pos < d->len + 1u)
            return -ENAMETOOLONG;
        pos -= d->len;
        memcpy(buf + pos, d->name, d->len);
        buf[--pos] = '/';
        n = n->parent;
    }
    if (pos == size - 1) {
        if (pos < 1)
            return -ENAMETOOLONG;
        buf[--pos] = '/';
    }
    size_t len = size - 1 - pos;
    memmove(buf, buf + pos, len + 1);
    return (int)len;
}

/* Keep ino's current path (it is losing its last name). Best effort: with
 * no memory the listing shows no path. */
static void inode_keep_path(struct inode *ino)
{
    char *page = kpage_alloc();
    if (!page)
        return;
    int len = inode_path_named(ino, page, PAGE_SIZE);
    if (len > 0) {
        gone_path_free(ino);
        if ((size_t)len + 1 <= KMEM_MAX && (ino->gone_path = kzalloc((size_t)len + 1)))
            memcpy(ino->gone_path, page, (size_t)len + 1);
        else if ((size_t)len + 1 > KMEM_MAX) {
            ino->gone_path = page;
            return;
        }
    }
    kpage_free(page);
}

/* Contract: see vfs.h. */
int vfs_path(const struct inode *ino, char *buf, size_t size)
{
    static const char deleted[] = " (deleted)";
    if (size < 2)
        return -ENAMETOOLONG;
    if (ino->nlink || S_ISDIR(ino->mode))
        return inode_path_named(ino, buf, size);
    const char *p = ino->gone_path ? ino->gone_path : "";
    size_t n = strlen(p);
    if (n + sizeof deleted > size)
        return -ENAMETOOLONG;
    memcpy(buf, p, n);
    memcpy(buf + n, deleted, sizeof deleted);
    return (int)(n + sizeof deleted - 1);
}

/* Whether dir is d or lies below it. */
static bool dir_within(const struct inode *dir, const struct inode *d)
{
    for (;;) {
        if (dir == d)
            return true;
        if (dir == root_inode || !dir->parent)
            return false;
        dir = dir->parent;
    }
}

/* Contract: see vfs.h. */
int vfs_rename(struct inode *old_dir, const char *old_name, size_t old_len, struct inode *new_dir,
               const char *new_name, size_t new_len)
{
    struct dentry **pp = &old_dir->children;
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->len == old_len && memcmp((*pp)->name, old_name, old_len) == 0)
            break;
    struct dentry *d = *pp;
    if (!d)
        return -ENOENT;
    if (new_len > NAME_MAX)
        return -ENAMETOOLONG;
    struct inode *ino = d->inode;
    bool is_dir = S_ISDIR(ino->mode);
    if (is_dir && dir_within(new_dir, ino))
        return -EINVAL; /* a directory cannot move below itself */
    if (new_dir->special != INODE_PLAIN || ino->special != INODE_PLAIN)
        return -EXDEV;
    if (new_dir->nlink == 0)
        return -ENOENT;
    struct inode *target = vfs_dir_find(new_dir, new_name, new_len);
    if (target == ino)
        return 0; /* the same file: nothing to do */
    if (target) {
        if (is_dir && !S_ISDIR(target->mode))
            return -ENOTDIR;
        if (!is_dir && S_ISDIR(target->mode))
            return -EISDIR;
        if (is_dir && target->children)
            return -ENOTEMPTY;
        if (target == root_inode || dir_within(old_dir, target))
            return -EBUSY;
        int err = vfs_remove(new_dir, new_name, new_len, is_dir);
        if (err)
            return err;
    }
    /* Unhook the entry (removing the target may have moved its link) and
     * hook it into the new directory under its new name. */
    for (pp = &old_dir->children; *pp != d; pp = &(*pp)->next)
        ;
    *pp = d->next;
    memcpy(d->name, new_name, new_len);
    d->len = (uint16_t)new_len;
    d->next = new_dir->children;
    new_dir->children = d;
    if (is_dir && old_dir != new_dir) {
        old_dir->nlink--;
        new_dir->nlink++;
    }
    ino->parent = new_dir;
    uint64_t now = vfs_now();
    old_dir->mtime = old_dir->ctime = new_dir->mtime = new_dir->ctime = ino->ctime = now;
    return 0;
}

/* Walk path from dir, all components (stopping before the last one when
 * stop_last): shared by vfs_lookup and vfs_lookup_parent. */
static int walk(struct inode *dir, const char *path, bool stop_last, struct inode **out,
                const char **last, size_t *last_len, bool *trailing)
{
    if (!*path)
        return -ENOENT;
    if (strnlen(path, PATH_MAX) >= PATH_MAX)
        return -ENAMETOOLONG;
    struct inode *cur = *path == '/' ? root_inode : dir;
    const char *p = path;

    for (;;) {
        while (*p == '/')
            p++;
        const char *name = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - name);
        const char *rest = p;
        while (*rest == '/')
            rest++;
        bool is_last = *rest == 0;

        if (len > NAME_MAX)
            return -ENAMETOOLONG;
        if (len == 0) {
            /* The path was "/" (or only slashes): the root itself. */
            if (stop_last) {
                *last = name;
                *last_len = 0;
                *trailing = true;
            }
            *out = cur;
            return 0;
        }
        if (!S_ISDIR(cur->mode))
            return -ENOTDIR;
        if (is_last && stop_last) {
            *out = cur;
            *last = name;
            *last_len = len;
            *trailing = *p == '/';
            return 0;
        }
        struct inode *next = vfs_dir_find(cur, name, len);
        if (!next)
            return -ENOENT;
        cur = next;
        if (is_last) {
            if (*p == '/' && !S_ISDIR(cur->mode))
                return -ENOTDIR;
            *out = cur;
            return 0;
        }
    }
}

int vfs_lookup(struct inode *dir, const char *path, struct inode **out)
{
    return walk(dir, path, false, out, NULL, NULL, NULL);
}

int vfs_lookup_parent(struct inode *dir, const char *path, struct inode **parent,
                      const char **last, size_t *last_len, bool *trailing_slash)
{
    return walk(dir, path, true, parent, last, last_len, trailing_slash);
}

/* ---- file data: the page cache ---- */

int ramfs_page(struct inode *ino, uint64_t pgoff, bool create, paddr_t *pa)
{
    *pa = 0;
    if (!ino->obj)
        return 0;
    return vm_object_file_page(ino->obj, pgoff, create, pa);
}

struct truncate_walk {
    struct vm_object *obj;
    uint64_t first;
};

static void truncate_unmap(struct space *s, void *arg)
{
    struct truncate_walk *w = arg;
    space_object_unmap(s, w->obj, w->first);
}

/* Contract: see vfs.h. */
int ramfs_truncate(struct inode *ino, uint64_t size)
{
    if (size > FILE_MAX_BYTES)
        return -EFBIG;
    if (ino->obj) {
        if (size < ino->size) {
            /* The cut pages leave every mapping first (mm/ keeps no
             * reverse map: the processes are few, their VMAs indexed). */
            struct truncate_walk w = {ino->obj, (size + PAGE_SIZE - 1) / PAGE_SIZE};
            if (ino->obj->refs > 1)
                proc_for_each_space(truncate_unmap, &w);
        }
        int err = vm_object_file_resize(ino->obj, size);
        if (err)
            return err;
    }
    ino->size = size;
    ino->mtime = ino->ctime = vfs_now();
    return 0;
}

/* One copy step between file page bytes and a buffer (user or kernel). */
struct copier {
    struct space *s;   /* NULL: kernel buffer */
    uaddr_t ubuf;
    char *kbuf;
};

/* Copy n bytes out (src NULL: a hole, zeros); returns how many were copied,
 * fewer than n only when the user buffer faults part way. */
static uint64_t copier_out(struct copier *c, uint64_t done, const void *src, uint64_t n)
{
    static const char zeros[PAGE_SIZE];
    if (!src)
        src = zeros;
    if (!c->s) {
        memcpy(c->kbuf + done, src, n);
        return n;
    }
    return copy_to_user_partial(c->s, c->ubuf + done, src, n);
}

/* Copy n bytes in; as copier_out. */
static uint64_t copier_in(struct copier *c, uint64_t done, void *dst, uint64_t n)
{
    if (!c->s) {
        memcpy(dst, c->kbuf + done, n);
        return n;
    }
    return copy_from_user_partial(c->s, dst, c->ubuf + done, n);
}

static int64_t ramfs_read(struct inode *ino, uint64_t off, struct copier *c, uint64_t len)
{
    if (off >= ino->size)
        return 0;
    len = MM_MIN(len, ino->size - off);
    uint64_t done = 0;
    while (done < len) {
        uint64_t pos = off + done, in_page = pos % PAGE_SIZE;
        uint64_t n = MM_MIN(len - done, PAGE_SIZE - in_page);
        paddr_t pa;
        ramfs_page(ino, pos / PAGE_SIZE, false, &pa);
        const char *src = pa ? (const char *)platform_phys_to_virt(pa) + in_page : NULL;
        /* The copy may fault on a mapping of this very file, whose page it
         * then creates: only the frame found here is used. */
        /* A buffer that runs into unmapped memory gets what fitted before
         * it, as on Linux. */
        uint64_t got = copier_out(c, done, src, n);
        done += got;
        if (got < n)
            return done ? (int64_t)done : -EFAULT;
    }
    ino->atime = vfs_now();
    return (int64_t)done;
}

/* The file grows to size (bytes past the old end that this write does not
 * cover read as zeros). */
static void ramfs_grow(struct inode *ino, uint64_t size)
{
    if (size > ino->size && vm_object_file_resize(ino->obj, size) == 0)
        ino->size = size;
}

static int64_t ramfs_write(struct inode *ino, uint64_t off, struct copier *c, uint64_t len)
{
    if (off >= FILE_MAX_BYTES)
        return len ? -EFBIG : 0;
    len = MM_MIN(len, FILE_MAX_BYTES - off);
    uint64_t done = 0;
    int err = 0;
    /* A write past the end leaves a hole: zero what a shared mapping may
     * have left past the old end in its last page. */
    if (len && off > ino->size)
        ramfs_grow(ino, off);
    while (done < len) {
        uint64_t pos = off + done, in_page = pos % PAGE_SIZE;
        uint64_t n = MM_MIN(len - done, PAGE_SIZE - in_page);
        paddr_t pa;
        if (c->s && ramfs_full() && (ramfs_page(ino, pos / PAGE_SIZE, false, &pa) || !pa)) {
            err = -ENOSPC;
            break;
        }
        err = ramfs_page(ino, pos / PAGE_SIZE, true, &pa);
        if (err)
            break;
        /* Grow first (what a shared mapping left past the old end goes),
         * then copy; a failed copy shrinks back (past the end stays zero). */
        uint64_t old_size = ino->size;
        ramfs_grow(ino, pos + n);
        uint64_t got = copier_in(c, done, (char *)platform_phys_to_virt(pa) + in_page, n);
        if (got < n) {
            /* The bytes before the fault count, as on Linux. */
            if (ino->size > MM_MAX(old_size, pos + got))
                ramfs_truncate(ino, MM_MAX(old_size, pos + got));
            done += got;
            err = -EFAULT;
            break;
        }
        done += n;
    }
    if (done) {
        ino->mtime = ino->ctime = vfs_now();
        return (int64_t)done;
    }
    return err;
}

int64_t ramfs_read_user(struct inode *ino, uint64_t off, struct space *s, uaddr_t buf, uint64_t len)
{
    struct copier c = {.s = s, .ubuf = buf};
    return ramfs_read(ino, off, &c, len);
}

int64_t ramfs_write_user(struct inode *ino, uint64_t off, struct space *s, uaddr_t buf, uint64_t len)
{
    struct copier c = {.s = s, .ubuf = buf};
    return ramfs_write(ino, off, &c, len);
}

int64_t ramfs_read_kernel(struct inode *ino, uint64_t off, void *buf, uint64_t len)
{
    struct copier c = {.kbuf = buf};
    return ramfs_read(ino, off, &c, len);
}

int64_t ramfs_write_kernel(struct inode *ino, uint64_t off, const void *buf, uint64_t len)
{
    struct copier c = {.kbuf = (char *)buf};
    return ramfs_write(ino, off, &c, len);
}

/* ---- the initial tree ---- */

static struct inode *mkdir_or_panic(struct inode *dir, const char *name, uint32_t perm)
{
    struct inode *ino;
    if (vfs_create(dir, name, strlen(name), S_IFDIR | perm, &ino))
        panic("ramfs: cannot create /%s", name);
    return ino;
}

void ramfs_init(void)
{
    root_inode = inode_new(S_IFDIR | 0755);
    if (!root_inode)
        panic("ramfs: no memory for the root");
    root_inode->parent = root_inode;
    root_inode->nlink = 2;
    root_inode->refs = 1; /* the root is never freed */

    struct inode *dev = mkdir_or_panic(root_inode, "dev", 0755);
    mkdir_or_panic(root_inode, "tmp", 01777);
    mkdir_or_panic(root_inode, "bin", 0755);
    mkdir_or_panic(root_inode, "etc", 0755);
    procfs_init(root_inode);
    static const struct {
        const char *name;
        uint32_t rdev;
    } devs[] = {
        {"null", CHARDEV_NULL}, {"zero", CHARDEV_ZERO}, {"full", CHARDEV_FULL},
        {"urandom", CHARDEV_URANDOM}, {"random", CHARDEV_URANDOM}, {"console", CHARDEV_CONSOLE},
    };
    for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
        struct inode *ino;
        if (vfs_create(dev, devs[i].name, strlen(devs[i].name), S_IFCHR | 0666, &ino))
            panic("ramfs: cannot create /dev/%s", devs[i].name);
        ino->rdev = devs[i].rdev;
    }
}
