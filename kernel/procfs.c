/* kernel/procfs.c — /proc: the directories /proc/self and /proc/PID, each
 * with a maps file that lists the process's mappings in Linux's format,
 * and their listings (getdents64): /proc holds self and the pid of every
 * living process, /proc/PID holds maps.
 *
 * The nodes are made up on lookup and kept in a small table, one pair
 * (directory, maps file) per process looked at; a pair whose process is
 * gone and that nobody holds open is reused. The maps text is produced
 * afresh by every read, line by line, and the part at the file position
 * copied out, so it shows the mappings as they are when read.
 *
 * A line, as Linux's show_map_vma prints it:
 *   start-end perms offset major:minor inode [padding to column 73 and name]
 * with addresses in at least 8 hex digits, perms rwx and p (private) or s
 * (shared), the offset into the file in 8 hex digits, and, for a line
 * without a name, one space after the inode. Names: a file's path (with
 * " (deleted)" once unlinked), "/dev/zero (deleted)" for shared anonymous
 * memory (Linux backs it with an unlinked shmem file of that name),
 * [heap] and [stack]. */
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/panic.h>
#include <kern/proc.h>
#include <kern/vfs.h>
#include <mm/errno.h>
#include <mm/platform.h>
#include <mm/uaccess.h>

#define PROCFS_SLOTS 128
#define MAPS_NAME_COLUMN 72 /* Linux pads the fields to this width, then one space */

struct proc_nodes {
    int pid;
    struct inode *dir, *maps;
};

static struct proc_nodes slots[PROCFS_SLOTS];
static struct inode *proc_root;

void procfs_init(struct inode *root)
{
    if (vfs_create(root, "proc", 4, S_IFDIR | 0555, &proc_root))
        panic("procfs: cannot create /proc");
    proc_root->special = INODE_PROC_ROOT;
}

/* A made-up node, kept alive by the table (nlink 1) until reused. */
static struct inode *node_new(uint32_t mode, int special, int pid, struct inode *parent)
{
    struct inode *ino = vfs_inode_new(mode);
    if (!ino)
        return NULL;
    ino->special = (uint8_t)special;
    ino->pid = pid;
    ino->parent = parent;
    ino->nlink = 1;
    return ino;
}

static void node_drop(struct inode *ino)
{
    if (!ino)
        return;
    ino->nlink = 0;
    ino->refs++;
    inode_unref(ino); /* frees it */
}

static bool slot_free(const struct proc_nodes *n)
{
    return !n->dir || (n->dir->refs == 0 && n->maps->refs == 0 && !proc_find(n->pid));
}

/* The nodes of process pid, made when needed. NULL when the table is full
 * or memory ran out. */
static struct proc_nodes *nodes_of(int pid)
{
    struct proc_nodes *spare = NULL;
    for (int i = 0; i < PROCFS_SLOTS; i++) {
        if (slots[i].dir && slots[i].pid == pid)
            return &slots[i];
        if (!spare && slot_free(&slots[i]))
            spare = &slots[i];
    }
    if (!spare)
        return NULL;
    struct inode *dir = node_new(S_IFDIR | 0555, INODE_PROC_PID, pid, proc_root);
    struct inode *maps = dir ? node_new(S_IFREG | 0444, INODE_PROC_MAPS, pid, dir) : NULL;
    if (!maps) {
        node_drop(dir);
        return NULL;
    }
    node_drop(spare->dir);
    node_drop(spare->maps);
    *spare = (struct proc_nodes){pid, dir, maps};
    return spare;
}

/* Contract: see vfs.h. */
struct inode *procfs_lookup(struct inode *dir, const char *name, size_t len)
{
    if (dir->special == INODE_PROC_ROOT) {
        int pid = 0;
        if (len == 4 && !memcmp(name, "self", 4)) {
            pid = current->pid;
        } else {
            for (size_t i = 0; i < len; i++) {
                if (name[i] < '0' || name[i] > '9' || pid > 100000000)
                    return NULL;
                pid = pid * 10 + (name[i] - '0');
            }
            if (name[0] == '0' || !proc_find(pid))
                return NULL;
        }
        struct proc_nodes *n = nodes_of(pid);
        return n ? n->dir : NULL;
    }
    if (dir->special == INODE_PROC_PID && len == 4 && !memcmp(name, "maps", 4)) {
        struct proc_nodes *n = nodes_of(dir->pid);
        return n ? n->maps : NULL;
    }
    return NULL;
}

/* Contract: see vfs.h. */
bool procfs_dir_entry(struct inode *dir, uint64_t *pos, char name[16], struct inode **ino)
{
    struct proc_nodes *n;

    if (dir->special == INODE_PROC_PID) {
        if (*pos > 2 || !(n = nodes_of(dir->pid)))
            return false;
        *pos = 2;
        strlcpy(name, "maps", 16);
        *ino = n->maps;
        return true;
    }
    if (dir->special != INODE_PROC_ROOT)
        return false;
    if (*pos <= 2 && (n = nodes_of(current->pid))) {
        *pos = 2;
        strlcpy(name, "self", 16);
        *ino = n->dir;
        return true;
    }
    for (uint64_t from = MM_MAX(*pos, 3) - 3; from <= 0x7fffffff;) {
        int pid = proc_next_pid((int)from);
        if (!pid)
            return false;
        if ((n = nodes_of(pid))) {
            *pos = 3 + (uint64_t)pid;
            ksnprintf(name, 16, "%d", pid);
            *ino = n->dir;
            return true;
        }
        from = (uint64_t)pid + 1; /* no room for its nodes: left out */
    }
    return false;
}

/* ---- maps ---- */

/* A number for the unlinked file Linux would show for shared anonymous
 * memory: distinct for every live object. */
static uint64_t shared_anon_ino(const struct vm_object *obj) { return platform_virt_to_phys(obj) >> 5; }

/* Format v's line into buf (size bytes, at least 128; a long name is cut
 * short), using path (PATH_MAX bytes) for a file's path. Returns its
 * length. */
static size_t maps_line(struct space *s, struct vma *v, char *buf, size_t size, char *path)
{
    struct vm_object *src = vm_object_source(v->obj);
    uint64_t dev = 0, ino = 0, off = 0;
    const char *name = NULL;

    const struct inode *file = src && src->kind == VM_OBJECT_FILE ? vm_object_file_owner(src) : NULL;
    if (file) {
        dev = RAMFS_DEV, ino = file->ino, off = v->pgoff << PAGE_SHIFT;
        if (vfs_path(file, path, PATH_MAX) >= 0)
            name = path;
    } else if (src && src->kind == VM_OBJECT_SHARED_ANON) {
        dev = RAMFS_DEV, ino = shared_anon_ino(src), off = v->pgoff << PAGE_SHIFT;
        name = "/dev/zero (deleted)";
    } else if (space_vma_is_heap(s, v)) {
        name = "[heap]";
    } else if (space_vma_is_stack(s, v)) {
        name = "[stack]";
    }
    int n = ksnprintf(buf, size, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", v->start, v->end,
                      (v->flags & VMA_READ) ? 'r' : '-', (v->flags & VMA_WRITE) ? 'w' : '-',
                      (v->flags & VMA_EXEC) ? 'x' : '-', (v->flags & VMA_SHARED) ? 's' : 'p', off,
                      (unsigned)(dev >> 8), (unsigned)(dev & 0xff), ino);
    size_t len = (size_t)n;
    if (name) {
        /* Linux's seq_pad: spaces up to the column, then one more. */
        while (len < MAPS_NAME_COLUMN)
            buf[len++] = ' ';
        buf[len++] = ' ';
        len += strlcpy(buf + len, name, size - len - 1);
        if (len > size - 2)
            len = size - 2;
    }
    buf[len++] = '\n';
    buf[len] = 0;
    return len;
}

static int64_t maps_read(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos)
{
    struct proc *p = proc_find(f->inode->pid);
    uint64_t at = 0, done = 0;
    int64_t err = 0;

    if (!p || !p->space)
        return 0;
    char *line = kpage_alloc(), *path = kpage_alloc();
    if (!line || !path) {
        err = -ENOMEM;
        goto out;
    }
    for (struct vma *v = vma_tree_first(&p->space->vmas); v && done < len;
         v = vma_tree_next(&p->space->vmas, v)) {
        uint64_t n = maps_line(p->space, v, line, PAGE_SIZE, path);
        if (at + n > *pos + done) {
            uint64_t from = *pos + done - at, k = MM_MIN(n - from, len - done);
            if (copy_to_user(s, buf + done, line + from, k)) {
                err = -EFAULT;
                break;
            }
            done += k;
        }
        at += n;
    }
    *pos += done;
out:
    if (line)
        kpage_free(line);
    if (path)
        kpage_free(path);
    return done ? (int64_t)done : err;
}

static int64_t maps_write(struct file *f, struct space *s, uaddr_t buf, uint64_t len, uint64_t *pos)
{
    return -EINVAL;
}

const struct file_ops procfs_maps_ops = {maps_read, maps_write, NULL, NULL};
