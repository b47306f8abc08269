/* mm/uaccess.c — kernel access to user memory.
 *
 * The kernel never dereferences a user address. For each page it looks up
 * the VMA and the leaf, populates the page the way a fault would (breaking
 * copy-on-write for a write), and copies through the frame's kernel address.
 * Any failure is -EFAULT, so a bad pointer cannot crash the kernel, and no
 * exception-table recovery is needed. */
#include <mm/uaccess.h>

#include "space_internal.h"

bool access_ok(const struct space *s, uaddr_t addr, uint64_t len)
{
    return len == 0 || (addr < s->top && len <= s->top - addr);
}

/* Resolve the page containing addr for access: the frame address, with
 * the page populated and permission checked. No extra reference. */
static int uaccess_page(struct space *s, uaddr_t addr, unsigned access, paddr_t *pa)
{
    unsigned prot;
    struct vma *v = space_vma_find(s, addr);

    if (!v || !vma_allows(v, access))
        return -EFAULT;
    for (int tries = 0; tries < 2; tries++) {
        if (pmap_extract(&s->pmap, page_down(addr), pa, &prot)) {
            bool ok = (access & ACCESS_WRITE) ? (prot & PMAP_WRITE) != 0 : prot != 0;
            if (ok)
                return 0;
        }
        if (space_fault_vma(s, v, addr, access) != FAULT_OK)
            return -EFAULT;
    }
    return -EFAULT;
}

/* Walk [addr, addr + len) page by page, calling fn on each piece; *done
 * counts the bytes handed to fn before a failure. */
static int uaccess_walk(struct space *s, uaddr_t addr, uint64_t len, unsigned access,
                        void (*fn)(void *kva, uint64_t n, void *arg), void *arg, uint64_t *done)
{
    *done = 0;
    if (!access_ok(s, addr, len))
        return -EFAULT;
    while (len) {
        paddr_t pa;
        uint64_t in_page = PAGE_SIZE - (addr & (PAGE_SIZE - 1));
        uint64_t n = MM_MIN(in_page, len);
        if (uaccess_page(s, addr, access, &pa))
            return -EFAULT;
        fn((char *)platform_phys_to_virt(pa) + (addr & (PAGE_SIZE - 1)), n, arg);
        addr += n;
        len -= n;
        *done += n;
    }
    return 0;
}

static void piece_from_user(void *kva, uint64_t n, void *arg)
{
    char **dst = arg;
    __builtin_memcpy(*dst, kva, n);
    *dst += n;
}

static void piece_to_user(void *kva, uint64_t n, void *arg)
{
    const char **src = arg;
    __builtin_memcpy(kva, *src, n);
    *src += n;
}

static void piece_clear(void *kva, uint64_t n, void *arg)
{
    (void)arg;
    __builtin_memset(kva, 0, n);
}

uint64_t copy_from_user_partial(struct space *s, void *dst, uaddr_t src, uint64_t len)
{
    char *d = dst;
    uint64_t done;
    (void)uaccess_walk(s, src, len, ACCESS_READ, piece_from_user, &d, &done);
    return done;
}

uint64_t copy_to_user_partial(struct space *s, uaddr_t dst, const void *src, uint64_t len)
{
    const char *p = src;
    uint64_t done;
    (void)uaccess_walk(s, dst, len, ACCESS_WRITE, piece_to_user, &p, &done);
    return done;
}

int copy_from_user(struct space *s, void *dst, uaddr_t src, uint64_t len)
{
    return copy_from_user_partial(s, dst, src, len) == len ? 0 : -EFAULT;
}

int copy_to_user(struct space *s, uaddr_t dst, const void *src, uint64_t len)
{
    return copy_to_user_partial(s, dst, src, len) == len ? 0 : -EFAULT;
}

int clear_user(struct space *s, uaddr_t dst, uint64_t len)
{
    uint64_t done;
    return uaccess_walk(s, dst, len, ACCESS_WRITE, piece_clear, 0, &done);
}

int64_t strncpy_from_user(struct space *s, char *dst, uaddr_t src, uint64_t max)
{
    uint64_t done = 0;

    while (done < max) {
        paddr_t pa;
        uaddr_t addr = src + done;
        if (addr < src || !access_ok(s, addr, 1) || uaccess_page(s, addr, ACCESS_READ, &pa))
            return -EFAULT;
        const char *kva = (const char *)platform_phys_to_virt(pa) + (addr & (PAGE_SIZE - 1));
        uint64_t n = MM_MIN(PAGE_SIZE - (addr & (PAGE_SIZE - 1)), max - done);
        for (uint64_t i = 0; i < n; i++) {
            dst[done + i] = kva[i];
            if (!kva[i])
                return (int64_t)(done + i);
        }
        done += n;
    }
    return -ENAMETOOLONG;
}

int get_user_page(struct space *s, uaddr_t addr, unsigned access, paddr_t *pa)
{
    if (!access_ok(s, addr, 1) || uaccess_page(s, addr, access, pa))
        return -EFAULT;
    frame_ref(*pa); /* harmless on the pinned zero page */
    return 0;
}
