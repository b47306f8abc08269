/* kernel/ramfs.c — the in-memory file system: inodes, directories, path
 * walking, and file data kept in frames under a two-level page index.
 *
 * Page index of a regular file: inode.index is a page of 512 physical
 * addresses of leaf pages; each leaf page holds 512 physical addresses of
 * data frames. Page n of the file is leaf[n / 512][n % 512]; 0 is a hole
 * (reads as zeros). */
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/panic.h>
#include <kern/vfs.h>
#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/platform.h>
#include <mm/uaccess.h>

#define INDEX_FANOUT 512

static struct inode *root_inode;
static uint64_t next_ino = 1;
static uint64_t data_pages; /* file data frames held by all files */

/* Like Linux's tmpfs, files written by programs may use at most half of
 * memory (-ENOSPC beyond): the rest stays for the processes and the
 * kernel, so filling /tmp cannot starve the machine. */
static bool ramfs_full(void) { return data_pages >= frame_total_count() / 2; }

uint64_t vfs_now(void) { return machine_boot_epoch() * 1000000000ull + machine_time_ns(); }

static struct inode *inode_new(uint32_t mode)
{
    struct inode *ino = kzalloc(sizeof *ino);
    if (!ino)
        return NULL;
    ino->ino = next_ino++;
    ino->mode = mode;
    ino->atime = ino->mtime = ino->ctime = vfs_now();
    return ino;
}

static void inode_free(struct inode *ino)
{
    if (S_ISREG(ino->mode))
        ramfs_truncate(ino, 0);
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
    if (S_ISDIR(mode)) {
        ino->parent = dir;
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
        dir->nlink--;
        ino->nlink = 0;
    } else {
        ino->nlink--;
    }
    *pp = d->next;
    kfree(d, sizeof *d);
    dir->mtime = dir->ctime = vfs_now();
    if (ino->nlink == 0 && ino->refs == 0)
        inode_free(ino);
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

/* ---- the page index ---- */

static paddr_t *index_slots(paddr_t table) { return platform_phys_to_virt(table); }

int ramfs_page(struct inode *ino, uint64_t pgoff, bool create, paddr_t *pa)
{
    if (pgoff >= (uint64_t)INDEX_FANOUT * INDEX_FANOUT)
        return -EFBIG;
    *pa = 0;
    if (!ino->index) {
        if (!create)
            return 0;
        if (frame_alloc_zeroed(&ino->index, MM_ALLOC_TABLE))
            return -ENOMEM;
    }
    paddr_t *top = index_slots(ino->index);
    paddr_t *leafp = &top[pgoff / INDEX_FANOUT];
    if (!*leafp) {
        if (!create)
            return 0;
        if (frame_alloc_zeroed(leafp, MM_ALLOC_TABLE))
            return -ENOMEM;
    }
    paddr_t *slot = &index_slots(*leafp)[pgoff % INDEX_FANOUT];
    if (!*slot && create) {
        if (frame_alloc_zeroed(slot, MM_ALLOC_FRAME))
            return -ENOMEM;
        ino->pages++;
        data_pages++;
    }
    *pa = *slot;
    return 0;
}

/* Contract: see vfs.h. */
int ramfs_truncate(struct inode *ino, uint64_t size)
{
    if (size > FILE_MAX_BYTES)
        return -EFBIG;
    uint64_t keep = (size + PAGE_SIZE - 1) / PAGE_SIZE; /* pages that survive */
    if (size < ino->size && ino->index) {
        paddr_t *top = index_slots(ino->index);
        for (uint64_t l = keep / INDEX_FANOUT; l < INDEX_FANOUT; l++) {
            if (!top[l])
                continue;
            paddr_t *leaf = index_slots(top[l]);
            uint64_t first = l == keep / INDEX_FANOUT ? keep % INDEX_FANOUT : 0;
            for (uint64_t i = first; i < INDEX_FANOUT; i++) {
                if (leaf[i]) {
                    frame_unref(leaf[i]);
                    leaf[i] = 0;
                    ino->pages--;
                    data_pages--;
                }
            }
            if (first == 0) {
                frame_unref(top[l]);
                top[l] = 0;
            }
        }
        if (size % PAGE_SIZE) {
            paddr_t pa;
            if (ramfs_page(ino, size / PAGE_SIZE, false, &pa) == 0 && pa)
                memset((char *)platform_phys_to_virt(pa) + size % PAGE_SIZE, 0, PAGE_SIZE - size % PAGE_SIZE);
        }
        if (size == 0) {
            frame_unref(ino->index);
            ino->index = 0;
        }
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

static int copier_out(struct copier *c, uint64_t done, const void *src, uint64_t n)
{
    if (!c->s) {
        if (src)
            memcpy(c->kbuf + done, src, n);
        else
            memset(c->kbuf + done, 0, n);
        return 0;
    }
    return src ? copy_to_user(c->s, c->ubuf + done, src, n) : clear_user(c->s, c->ubuf + done, n);
}

static int copier_in(struct copier *c, uint64_t done, void *dst, uint64_t n)
{
    if (!c->s) {
        memcpy(dst, c->kbuf + done, n);
        return 0;
    }
    return copy_from_user(c->s, dst, c->ubuf + done, n);
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
        if (copier_out(c, done, src, n))
            return done ? (int64_t)done : -EFAULT;
        done += n;
    }
    ino->atime = vfs_now();
    return (int64_t)done;
}

static int64_t ramfs_write(struct inode *ino, uint64_t off, struct copier *c, uint64_t len)
{
    if (off >= FILE_MAX_BYTES)
        return len ? -EFBIG : 0;
    len = MM_MIN(len, FILE_MAX_BYTES - off);
    uint64_t done = 0;
    int err = 0;
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
        if (copier_in(c, done, (char *)platform_phys_to_virt(pa) + in_page, n)) {
            err = -EFAULT;
            break;
        }
        done += n;
        if (pos + n > ino->size)
            ino->size = pos + n;
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
