/* kernel/cpio.c — unpacking the initramfs (a cpio archive in the "newc"
 * format) into the ramfs.
 *
 * Each member is a 110-byte ASCII header: the magic "070701" (or "070702",
 * the same with checksums) and thirteen 8-digit hex fields: ino, mode, uid,
 * gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
 * namesize (with the NUL), check. The name follows, padded so that the data
 * starts at a multiple of 4; the data is padded the same way. The member
 * named "TRAILER!!!" ends the archive. */
#include <kern/cpio.h>
#include <kern/lib.h>
#include <kern/vfs.h>
#include <mm/errno.h>

#define CPIO_HEADER 110

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJ, F_DEVMIN,
       F_RDEVMAJ, F_RDEVMIN, F_NAMESIZE, F_CHECK, F_COUNT };

static bool hex_field(const char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        char c = p[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        v = v << 4 | d;
    }
    *out = v;
    return true;
}

/* Make every directory on the way to the last component of path (like
 * mkdir -p), and return the parent and the last name. */
static int make_parents(const char *path, struct inode **parent, const char **last, size_t *last_len)
{
    struct inode *dir = ramfs_root();
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
        if (!*rest) {
            *parent = dir;
            *last = name;
            *last_len = len;
            return len ? 0 : -ENOENT;
        }
        struct inode *next = vfs_dir_find(dir, name, len);
        if (!next) {
            int err = vfs_create(dir, name, len, S_IFDIR | 0755, &next);
            if (err)
                return err;
        }
        if (!S_ISDIR(next->mode))
            return -ENOTDIR;
        dir = next;
    }
}

static int unpack_member(const char *name, uint32_t mode, const char *data, uint32_t size, uint32_t mtime)
{
    struct inode *dir, *ino;
    const char *last;
    size_t len;

    while (name[0] == '.' && name[1] == '/')
        name += 2;
    if (!strcmp(name, ".") || !*name)
        return 0;
    int err = make_parents(name, &dir, &last, &len);
    if (err)
        return err;
    ino = vfs_dir_find(dir, last, len);
    if (S_ISDIR(mode)) {
        if (!ino)
            err = vfs_create(dir, last, len, S_IFDIR | (mode & 07777), &ino);
        else if (!S_ISDIR(ino->mode))
            err = -EEXIST;
    } else if (S_ISREG(mode)) {
        if (ino && !S_ISREG(ino->mode))
            return -EEXIST;
        if (!ino)
            err = vfs_create(dir, last, len, S_IFREG | (mode & 07777), &ino);
        if (!err)
            err = ramfs_truncate(ino, 0);
        if (!err && size) {
            int64_t n = ramfs_write_kernel(ino, 0, data, size);
            err = n < 0 ? (int)n : 0;
        }
    } else {
        kprintf("mmcore: initramfs: skipping %s (mode %o: not a file or directory)\n", name, mode);
        return 0;
    }
    if (!err)
        ino->mtime = ino->ctime = (uint64_t)mtime * 1000000000ull;
    return err;
}

/* Contract: see cpio.h. */
int cpio_unpack(const void *archive, uint64_t len)
{
    const char *base = archive;
    uint64_t off = 0;
    unsigned files = 0;

    while (off + CPIO_HEADER <= len) {
        const char *h = base + off;
        uint32_t f[F_COUNT];
        if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
            return -EINVAL;
        for (int i = 0; i < F_COUNT; i++)
            if (!hex_field(h + 6 + 8 * i, &f[i]))
                return -EINVAL;
        uint64_t name_off = off + CPIO_HEADER;
        uint64_t data_off = ALIGN_UP(name_off + f[F_NAMESIZE], 4);
        uint64_t next = ALIGN_UP(data_off + f[F_FILESIZE], 4);
        if (f[F_NAMESIZE] == 0 || data_off + f[F_FILESIZE] > len || base[name_off + f[F_NAMESIZE] - 1] != 0)
            return -EINVAL;
        const char *name = base + name_off;
        if (!strcmp(name, "TRAILER!!!"))
            break;
        int err = unpack_member(name, f[F_MODE], base + data_off, f[F_FILESIZE], f[F_MTIME]);
        if (err) {
            kprintf("mmcore: initramfs: %s: error %d\n", name, err);
            return err;
        }
        files++;
        off = next;
    }
    return (int)files;
}
