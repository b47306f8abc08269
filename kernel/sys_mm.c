/* kernel/sys_mm.c — the memory system calls. mm/ implements each one with
 * Linux's checks and semantics; the kernel only resolves file descriptors
 * (mmap: what the open file allows, kernel/file.c) and passes the current
 * address space. */
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/vfs.h>
#include <mm/errno.h>
#include <mm/mman.h>

/* mmap. Linux's order: an unaligned offset (x86-64's own check), then the
 * descriptor (-EBADF; O_PATH descriptors do not count), MAP_HUGETLB on a
 * file that is not hugetlbfs (-EINVAL); everything else, the file's access
 * checks included, in do_mmap's order inside mm/ (space_map_file). */
int64_t sys_mmap(SYSCALL_ARGS)
{
    uaddr_t addr = a0;
    uint64_t len = a1, prot = a2, flags = a3, off = a5;
    int fd = (int)a4;

    if (off & (PAGE_SIZE - 1))
        return -EINVAL;
    if (!(flags & MAP_ANONYMOUS)) {
        struct file *f = fd_get(current->fds, fd);
        if (!f || (f->flags & O_PATH))
            return -EBADF;
        if (flags & MAP_HUGETLB)
            return -EINVAL;
        struct space_file sf;
        int err = file_mmap_rights(f, &sf);
        if (err)
            return err;
        return space_map_file(current->space, addr, len, prot, flags, &sf, off);
    }
    return space_map(current->space, addr, len, prot, flags, NULL, off, false);
}

int64_t sys_munmap(SYSCALL_ARGS)
{
    return space_unmap(current->space, a0, a1);
}

int64_t sys_mprotect(SYSCALL_ARGS)
{
    return space_protect(current->space, a0, a1, a2);
}

int64_t sys_brk(SYSCALL_ARGS)
{
    return (int64_t)space_brk(current->space, a0);
}

int64_t sys_mremap(SYSCALL_ARGS)
{
    return space_remap(current->space, a0, a1, a2, a3, a4);
}

int64_t sys_madvise(SYSCALL_ARGS)
{
    return space_advise(current->space, a0, a1, (int)a2);
}

int64_t sys_msync(SYSCALL_ARGS)
{
    return space_sync(current->space, a0, a1, (int)a2);
}

int64_t sys_mincore(SYSCALL_ARGS)
{
    return space_mincore(current->space, a0, a1, a2);
}
