/* tests/fuzz/fuzz_wide.c — wide mode of the fuzzer: the whole mm/ API with
 * hostile arguments, on up to three address spaces (fork), one file (its
 * page cache written and resized by the "host" as read/write/truncate
 * would, holes punched through its hook), brk, and allocation failures
 * injected from the input.
 *
 * There is no model here; instead every operation is checked by what holds
 * whatever the history:
 *  - the result is a value the call documents (space.h, uaccess.h);
 *  - a failed call changed nothing, where the call promises that (mmap,
 *    munmap, mprotect's -EINVAL, brk, msync, a fault that is refused; the
 *    documented partial effects of mprotect, madvise, mremap and fork are
 *    allowed);
 *  - a successful one did what it says: mmap's range is mapped with that
 *    protection at an aligned address inside user space, munmap's range is
 *    empty, mprotect's range has the new protection, brk's heap moved,
 *    madvise DONTNEED left no page and POPULATE_* populated every page,
 *    msync changed nothing, a resolved fault left a leaf that allows the
 *    access, a refused one is explained by the VMAs, copy_to_user's bytes
 *    read back, clear_user's read back as zeros, mincore reports every
 *    page with a leaf;
 *  - after every operation: the invariant checkers over all spaces and the
 *    file, and every leaf of a shared file mapping is the page cache's
 *    frame;
 *  - at the end, with everything destroyed, every frame and record is
 *    free. */
#include "fuzz.h"
#include "fuzz_modes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FW_SPACES 3
#define FW_ARENA 0x10000000ull /* 256 MiB: where most operations collide */
#define FW_MAX_OPS 300
#define FW_ANCHORS 16
#define FW_BUF (3 * FZ_PAGE)
#define MAP_32BIT_X86 0x40
#define MAP_UNINITIALIZED_BIT 0x4000000ul

struct fw {
    struct fz_input *in;
    struct space *sp[FW_SPACES];
    struct vm_object *file; /* the host's reference */
    struct fz_inject inj;
    uaddr_t anchor[FW_ANCHORS];
    unsigned nanchor;
};

static uint8_t kbuf[FW_BUF], kbuf2[FW_BUF];

/* ---- arguments ---- */

static void fw_anchor(struct fw *f, uaddr_t a)
{
    f->anchor[f->nanchor % FW_ANCHORS] = a;
    f->nanchor++;
}

static unsigned fw_space_index(struct fw *f, uint8_t sel)
{
    for (unsigned k = 0; k < FW_SPACES; k++) {
        unsigned i = (sel + k) % FW_SPACES;
        if (f->sp[i])
            return i;
    }
    fz_fail("no space left");
}

/* An address: in or at the edge of an existing VMA, near a recent result,
 * in the arena, misaligned, or hostile. */
static uaddr_t fw_addr(struct fw *f, struct space *s)
{
    uint8_t b = fz_u8(f->in);
    uint64_t n = space_vma_count(s);
    if (b < 80 && n) {
        struct vma *v = vma_tree_first(&s->vmas);
        for (uint64_t k = fz_u8(f->in) % n; k && v; k--)
            v = vma_tree_next(&s->vmas, v);
        uint64_t pages = (v->end - v->start) / FZ_PAGE;
        uint8_t c = fz_u8(f->in);
        uint64_t k = (uint64_t)(c >> 2) % (pages + 1);
        uaddr_t a = (c & 1) ? v->start + k * FZ_PAGE : v->end - k * FZ_PAGE;
        if (c & 2)
            a -= FZ_PAGE;
        return a;
    }
    if (b < 128 && f->nanchor) {
        unsigned i = fz_u8(f->in) % (f->nanchor < FW_ANCHORS ? f->nanchor : FW_ANCHORS);
        return f->anchor[i] + (uaddr_t)((int64_t)(int8_t)fz_u8(f->in) * (int64_t)FZ_PAGE);
    }
    if (b < 176)
        return FW_ARENA + (fz_u16(f->in) % 1024) * FZ_PAGE;
    if (b < 192)
        return FW_ARENA + fz_u16(f->in) % (64 * FZ_PAGE);
    return fz_hostile(f->in, s->top);
}

static uint64_t fw_len(struct fw *f, struct space *s)
{
    uint8_t b = fz_u8(f->in);
    if (b < 128)
        return (1 + fz_u8(f->in) % 32) * FZ_PAGE;
    if (b < 160)
        return (1 + fz_u16(f->in) % 1024) * FZ_PAGE;
    if (b < 180)
        return 1 + fz_u16(f->in);
    if (b < 188)
        return 0;
    return fz_hostile(f->in, s->top);
}

/* Length of a kernel copy: it lands in a kernel buffer of FW_BUF bytes. */
static uint64_t fw_copy_len(struct fw *f)
{
    uint8_t b = fz_u8(f->in);
    if (b < 100)
        return b % 17;
    if (b < 200)
        return FZ_PAGE - 8 + b % 16;
    return fz_u16(f->in) % (FW_BUF + 1);
}

static unsigned long fw_flags(struct fw *f)
{
    uint8_t t = fz_u8(f->in), o = fz_u8(f->in);
    unsigned long flags = t < 110 ? MAP_PRIVATE : t < 180 ? MAP_SHARED : t < 200 ? MAP_SHARED_VALIDATE : (t & 0xfu);
    if (o & 0x01)
        flags |= MAP_FIXED;
    if (o & 0x02)
        flags |= MAP_FIXED_NOREPLACE;
    if (o & 0x04)
        flags |= MAP_POPULATE;
    if (o & 0x08)
        flags |= MAP_NORESERVE;
    if (o & 0x10)
        flags |= MAP_GROWSDOWN;
    if (o & 0x20)
        flags |= MAP_LOCKED;
    if (o & 0x40)
        flags |= MAP_STACK;
    if (o & 0x80) {
        uint8_t p = fz_u8(f->in);
        flags |= (p & 0x01 ? MAP_HUGETLB : 0) | (p & 0x02 ? MAP_SYNC : 0) | (p & 0x04 ? MAP_32BIT_X86 : 0) |
                 (p & 0x08 ? MAP_NONBLOCK : 0) | (p & 0x10 ? MAP_DENYWRITE | MAP_EXECUTABLE : 0) |
                 (p & 0x20 ? MAP_UNINITIALIZED_BIT : 0) | (p & 0x40 ? fz_any_bit(f->in) : 0);
    }
    return flags;
}

static uint64_t fw_offset(struct fw *f, struct space *s)
{
    uint8_t b = fz_u8(f->in);
    if (b < 160)
        return (uint64_t)(b % 40) * FZ_PAGE;
    if (b < 200)
        return 0;
    return fz_hostile(f->in, s->top);
}

/* ---- checks ---- */

static const char *fw_errname(int64_t e)
{
    static char buf[24];
    switch (-e) {
    case EPERM: return "-EPERM";
    case ENOMEM: return "-ENOMEM";
    case EACCES: return "-EACCES";
    case EFAULT: return "-EFAULT";
    case EBUSY: return "-EBUSY";
    case EEXIST: return "-EEXIST";
    case ENODEV: return "-ENODEV";
    case EINVAL: return "-EINVAL";
    case EAGAIN: return "-EAGAIN";
    case EOVERFLOW: return "-EOVERFLOW";
    case EOPNOTSUPP: return "-EOPNOTSUPP";
    case ENAMETOOLONG: return "-ENAMETOOLONG";
    case EFBIG: return "-EFBIG";
    }
    snprintf(buf, sizeof buf, "%" PRId64, e);
    return buf;
}

/* The error must be one of the list (0-terminated, positive values). */
static void fw_expect_errno(const char *call, int64_t err, const int *allowed)
{
    for (const int *a = allowed; *a; a++)
        if (err == -*a)
            return;
    fz_fail("%s returned %s, which it does not document", call, fw_errname(err));
}

static void fw_same(const char *call, const struct fz_digest *a, const struct fz_digest *b, bool leaves)
{
    if (a->vmas != b->vmas)
        fz_fail("%s failed but changed the VMAs", call);
    if (a->objs != b->objs)
        fz_fail("%s failed but changed the VMAs' objects", call);
    if (leaves && a->leaves != b->leaves)
        fz_fail("%s failed but changed the page table", call);
    if (a->brk != b->brk)
        fz_fail("%s failed but moved the break", call);
}

static uint64_t fw_round(uint64_t len)
{
    uint64_t r;
    return page_up_checked(len, &r) ? r : 0;
}

/* [a, a + len) is covered by VMAs, each with protection prot (when prot
 * is not -1). */
static void fw_expect_mapped(struct space *s, const char *call, uaddr_t a, uint64_t len, int prot)
{
    uaddr_t end = a + len;
    for (uaddr_t cur = a; cur < end;) {
        struct vma *v = vma_tree_find(&s->vmas, cur);
        if (!v)
            fz_fail("%s succeeded, but 0x%" PRIx64 " in its range is not mapped", call, cur);
        if (prot >= 0 && (int)(v->flags & VMA_PROT_MASK) != prot)
            fz_fail("%s succeeded, but the VMA at 0x%" PRIx64 " has protection %u, not %d", call, cur,
                    (unsigned)(v->flags & VMA_PROT_MASK), prot);
        cur = v->end;
    }
}

static void fw_expect_unmapped(struct space *s, const char *call, uaddr_t a, uint64_t len)
{
    if (!len)
        return;
    struct vma *v = vma_tree_find_after(&s->vmas, a);
    if (v && v->start < a + len)
        fz_fail("%s succeeded, but [0x%" PRIx64 ", 0x%" PRIx64 ") is still mapped inside its range", call, v->start,
                v->end);
}

struct fw_leaf_scan {
    uint64_t leaves, writable;
};

static void fw_count_leaf(void *arg, uaddr_t va, paddr_t pa, unsigned prot)
{
    struct fw_leaf_scan *c = arg;
    (void)va, (void)pa;
    c->leaves++;
    c->writable += (prot & PMAP_WRITE) != 0;
}

static bool fw_access_allowed(const struct vma *v, unsigned access)
{
    unsigned prot = v->flags & VMA_PROT_MASK;
    if (access == ACCESS_READ)
        return prot != 0;
    if (access == ACCESS_WRITE)
        return (prot & PROT_WRITE) != 0;
    return (prot & PROT_EXEC) != 0;
}

/* Every page of [a, a + len) lies in a VMA that allows access. */
static bool fw_range_allows(struct space *s, uaddr_t a, uint64_t len, unsigned access)
{
    if (!len)
        return true;
    if (a + len < a)
        return false;
    for (uaddr_t cur = page_down(a); cur < a + len;) {
        struct vma *v = vma_tree_find(&s->vmas, cur);
        if (!v || !fw_access_allowed(v, access))
            return false;
        cur = v->end;
    }
    return true;
}

/* Page offset in the file of the page at va of v. */
static uint64_t fw_pgoff(const struct vma *v, uaddr_t va) { return v->pgoff + ((va - v->start) >> PAGE_SHIFT); }

/* A refused access at va: the VMAs must explain it. */
static void fw_explain_fault(struct fw *f, struct space *s, const char *what, enum fault_result r, uaddr_t va,
                             unsigned access)
{
    struct vma *v = vma_tree_find(&s->vmas, va);
    switch (r) {
    case FAULT_OK:
        break;
    case FAULT_SEGV_MAPERR:
        if (v)
            fz_fail("%s: SEGV_MAPERR at 0x%" PRIx64 ", which is mapped", what, va);
        break;
    case FAULT_SEGV_ACCERR:
        if (!v)
            fz_fail("%s: SEGV_ACCERR at 0x%" PRIx64 ", which is not mapped", what, va);
        if (fw_access_allowed(v, access))
            fz_fail("%s: SEGV_ACCERR at 0x%" PRIx64 ", which allows the access", what, va);
        break;
    case FAULT_BUS: {
        /* Past the end of a file; or past the end of shared anonymous
         * memory, which has the size it was made with: /dev/zero mapped
         * at an offset, or a shared mapping grown by mremap (as on Linux,
         * whose shmem object has that size). */
        struct vm_object *src = v ? vm_object_source(v->obj) : NULL;
        if (src && src->kind == VM_OBJECT_SHARED_ANON)
            break;
        if (!src || src->kind != VM_OBJECT_FILE)
            fz_fail("%s: SIGBUS at 0x%" PRIx64 ", which is not a file mapping", what, va);
        uint64_t size = vm_object_file_size(src);
        if (fw_pgoff(v, va) < (size >> PAGE_SHIFT) + !page_aligned(size))
            fz_fail("%s: SIGBUS at 0x%" PRIx64 ", inside the file", what, va);
        break;
    }
    case FAULT_OOM:
        fz_stats.oom_seen++;
        break;
    default:
        fz_fail("%s: unknown fault result %d", what, (int)r);
    }
    (void)f;
}

struct fw_coherence {
    struct vma *v;
    const char *problem;
    uaddr_t va;
};

static void fw_coherent_leaf(void *arg, uaddr_t va, paddr_t pa, unsigned prot)
{
    struct fw_coherence *c = arg;
    paddr_t cache = 0;
    struct vm_object *src = vm_object_source(c->v->obj);
    (void)prot;
    if (c->problem)
        return;
    if (vm_object_file_page(src, fw_pgoff(c->v, va), false, &cache) || cache != pa) {
        c->problem = "a shared file mapping's leaf is not the page cache's frame";
        c->va = va;
    }
}

/* Every leaf of a shared file mapping is the page cache's own frame, and a
 * private file mapping never writes to the page cache. */
static void fw_check_file_leaves(struct fw *f)
{
    for (unsigned i = 0; i < FW_SPACES; i++) {
        struct space *s = f->sp[i];
        if (!s)
            continue;
        for (struct vma *v = vma_tree_first(&s->vmas); v; v = vma_tree_next(&s->vmas, v)) {
            struct vm_object *src = vm_object_source(v->obj);
            if (!src || src->kind != VM_OBJECT_FILE)
                continue;
            if (v->flags & VMA_SHARED) {
                struct fw_coherence c = {.v = v};
                pmap_walk(&s->pmap, v->start, v->end, fw_coherent_leaf, &c);
                if (c.problem)
                    fz_fail("space %u, 0x%" PRIx64 ": %s", i, c.va, c.problem);
            } else {
                for (uaddr_t va = v->start; va < v->end && va - v->start < 64 * FZ_PAGE; va += FZ_PAGE) {
                    paddr_t pa, cache = 0;
                    unsigned prot;
                    if (pmap_extract(&s->pmap, va, &pa, &prot) && (prot & PMAP_WRITE) &&
                        !vm_object_file_page(src, fw_pgoff(v, va), false, &cache) && cache == pa)
                        fz_fail("space %u, 0x%" PRIx64 ": a private file mapping can write the page cache", i, va);
                }
            }
        }
    }
}

static void fw_check(struct fw *f)
{
    fz_check_all(f->sp, FW_SPACES, &f->file, 1);
    fw_check_file_leaves(f);
}

/* ---- operations ---- */

static void fw_map(struct fw *f, struct space *s, bool with_file)
{
    /* -EAGAIN: MAP_LOCKED beyond the memlock limit, as on Linux. */
    static const int map_errors[] = {EINVAL, ENOMEM, EOVERFLOW, EEXIST, EPERM, EAGAIN, 0};
    static const int file_errors[] = {EINVAL, ENOMEM, EOVERFLOW, EEXIST, EPERM, EAGAIN, EACCES, ENODEV, EOPNOTSUPP, 0};
    uaddr_t addr = fw_addr(f, s);
    uint64_t len = fw_len(f, s);
    unsigned long prot = fz_prot(f->in), flags = fw_flags(f);
    uint64_t off = fw_offset(f, s);
    struct space_file sf = {0};
    struct fz_digest before, after;
    int64_t r;

    if (with_file) {
        uint8_t k = fz_u8(f->in);
        sf.readable = (k & 0x10) == 0;
        sf.writable = (k & 0x20) != 0;
        switch (k % 4) {
        case 0:
        case 1: sf.obj = f->file; sf.max_bytes = INT64_MAX; break;
        case 2: sf.zero = true; sf.max_bytes = UINT64_MAX; break;
        default: break; /* a file that cannot be mapped */
        }
        fz_op("mmap file(%s%s%s) 0x%" PRIx64 " len 0x%" PRIx64 " prot 0x%lx flags 0x%lx off 0x%" PRIx64,
              sf.obj ? "file" : sf.zero ? "zero" : "none", sf.readable ? " r" : "", sf.writable ? " w" : "", addr, len,
              prot, flags, off);
    } else {
        flags |= MAP_ANONYMOUS;
        fz_op("mmap anon 0x%" PRIx64 " len 0x%" PRIx64 " prot 0x%lx flags 0x%lx off 0x%" PRIx64, addr, len, prot,
              flags, off);
    }
    fz_digest(s, &before);
    fz_inject_begin(&f->inj);
    r = with_file ? space_map_file(s, addr, len, prot, flags, &sf, off) : space_map(s, addr, len, prot, flags, NULL, off, true);
    fz_inject_end(&f->inj);
    fz_result("0x%" PRIx64 " %s", (uint64_t)r, r < 0 ? fw_errname(r) : "");
    if (r < 0) {
        fw_expect_errno("mmap", r, with_file ? file_errors : map_errors);
        fz_digest(s, &after);
        fw_same("mmap", &before, &after, true);
        return;
    }
    uint64_t alen = fw_round(len);
    uaddr_t a = (uaddr_t)r;
    if (!page_aligned(a) || a < s->min_addr || !alen || a > s->top - alen)
        fz_fail("mmap returned 0x%" PRIx64 " for 0x%" PRIx64 " bytes: outside user space or unaligned", a, alen);
    if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && a != addr)
        fz_fail("a fixed mmap at 0x%" PRIx64 " returned 0x%" PRIx64, addr, a);
    fw_expect_mapped(s, "mmap", a, alen, (int)(prot & VMA_PROT_MASK));
    fw_anchor(f, a);
}

static void fw_unmap(struct fw *f, struct space *s)
{
    static const int errors[] = {EINVAL, ENOMEM, 0};
    uaddr_t addr = fw_addr(f, s);
    uint64_t len = fw_len(f, s);
    struct fz_digest before, after;

    fz_op("munmap 0x%" PRIx64 " len 0x%" PRIx64, addr, len);
    fz_digest(s, &before);
    fz_inject_begin(&f->inj);
    int r = space_unmap(s, addr, len);
    fz_inject_end(&f->inj);
    fz_result("%s", fw_errname(r));
    if (r) {
        fw_expect_errno("munmap", r, errors);
        fz_digest(s, &after);
        fw_same("munmap", &before, &after, true);
        return;
    }
    fw_expect_unmapped(s, "munmap", addr, fw_round(len));
}

static void fw_protect(struct fw *f, struct space *s)
{
    static const int errors[] = {EINVAL, ENOMEM, EACCES, 0};
    uaddr_t addr = fw_addr(f, s);
    uint64_t len = fw_len(f, s);
    unsigned long prot = fz_prot(f->in);
    struct fz_digest before, after;

    fz_op("mprotect 0x%" PRIx64 " len 0x%" PRIx64 " prot 0x%lx", addr, len, prot);
    fz_digest(s, &before);
    fz_inject_begin(&f->inj);
    int r = space_protect(s, addr, len, prot);
    fz_inject_end(&f->inj);
    fz_result("%s", fw_errname(r));
    if (r) {
        fw_expect_errno("mprotect", r, errors);
        if (r == -EINVAL) {
            fz_digest(s, &after);
            fw_same("mprotect", &before, &after, true);
        }
        return;
    }
    uint64_t alen = fw_round(len);
    if (alen && (prot & PROT_GROWSDOWN)) {
        /* Linux starts a PROT_GROWSDOWN change at the first VMA in the
         * range (its start moves down to that VMA's). */
        struct vma *v = vma_tree_find_after(&s->vmas, addr);
        if (!v || v->start >= addr + alen)
            fz_fail("mprotect with PROT_GROWSDOWN succeeded on a range with no VMA");
        if (v->start > addr) {
            alen -= v->start - addr;
            addr = v->start;
        }
    }
    if (alen)
        fw_expect_mapped(s, "mprotect", addr, alen, (int)(prot & VMA_PROT_MASK));
}

static void fw_remap(struct fw *f, struct space *s)
{
    static const int errors[] = {EINVAL, EFAULT, ENOMEM, EPERM, EAGAIN, 0};
    uaddr_t old = fw_addr(f, s);
    uint64_t old_len = fw_len(f, s), new_len = fw_len(f, s);
    uint8_t b = fz_u8(f->in);
    unsigned long flags = (b & 7) | ((b & 8) ? fz_any_bit(f->in) : 0);
    uaddr_t new_addr = (b & 0x10) ? fw_addr(f, s) : 0;
    struct fz_digest before, after;

    fz_op("mremap 0x%" PRIx64 " len 0x%" PRIx64 " -> len 0x%" PRIx64 " flags 0x%lx new 0x%" PRIx64, old, old_len,
          new_len, flags, new_addr);
    fz_digest(s, &before);
    fz_inject_begin(&f->inj);
    int64_t r = space_remap(s, old, old_len, new_len, flags, new_addr);
    fz_inject_end(&f->inj);
    fz_result("0x%" PRIx64 " %s", (uint64_t)r, r < 0 ? fw_errname(r) : "");
    if (r < 0) {
        fw_expect_errno("mremap", r, errors);
        /* With MREMAP_FIXED, Linux unmaps the destination (and a shrinking
         * request's tail) before the checks that may still fail, even
         * with -EINVAL (a tail that runs past the end of user space). */
        if (r == -EINVAL && !(flags & MREMAP_FIXED)) {
            fz_digest(s, &after);
            fw_same("mremap", &before, &after, true);
        }
        return;
    }
    uint64_t alen = fw_round(new_len), old_alen = fw_round(old_len);
    uaddr_t a = (uaddr_t)r;
    if (!(flags & MREMAP_MAYMOVE) && a != old)
        fz_fail("mremap without MREMAP_MAYMOVE moved 0x%" PRIx64 " to 0x%" PRIx64, old, a);
    if ((flags & MREMAP_FIXED) && a != new_addr)
        fz_fail("mremap with MREMAP_FIXED to 0x%" PRIx64 " returned 0x%" PRIx64, new_addr, a);
    if (a == old && !(flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) && alen <= old_alen) {
        /* Shrinking in place (or the same length): Linux unmaps the tail
         * and returns the address without looking at the rest. */
        fw_expect_unmapped(s, "mremap (shrink)", old + alen, old_alen - alen);
    } else {
        if (!page_aligned(a) || !alen || a > s->top - alen)
            fz_fail("mremap returned 0x%" PRIx64 " for 0x%" PRIx64 " bytes", a, alen);
        /* A fixed move of equal length may span several VMAs and keeps
         * the holes between them (Linux 6.17); anything else maps it all. */
        if (!((flags & MREMAP_FIXED) && alen == old_alen))
            fw_expect_mapped(s, "mremap", a, alen, -1);
    }
    fw_anchor(f, a);
}

static void fw_advise(struct fw *f, struct space *s)
{
    static const int advice[] = {
        MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE, MADV_REMOVE,
        MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
        MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT,
        MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_DONTNEED_LOCKED, MADV_COLLAPSE, MADV_HWPOISON,
        MADV_SOFT_OFFLINE, MADV_GUARD_INSTALL, MADV_GUARD_REMOVE, 5, 6, 7, 26, 99, -1,
    };
    /* -EOPNOTSUPP: MADV_REMOVE where mm/ cannot punch the hole (a file,
     * or shared memory another space maps too: there is no reverse map). */
    static const int errors[] = {EINVAL, ENOMEM, EAGAIN, EACCES, EFAULT, EPERM, EBUSY, EOPNOTSUPP, 0};
    uaddr_t addr = fw_addr(f, s);
    uint64_t len = fw_len(f, s);
    uint8_t b = fz_u8(f->in);
    int adv = b < 240 ? advice[b % (sizeof advice / sizeof advice[0])] : (int)fz_u64(f->in);

    fz_op("madvise 0x%" PRIx64 " len 0x%" PRIx64 " advice %d", addr, len, adv);
    fz_inject_begin(&f->inj);
    int r = space_advise(s, addr, len, adv);
    fz_inject_end(&f->inj);
    fz_result("%s", fw_errname(r));
    if (r) {
        fw_expect_errno("madvise", r, errors);
        return;
    }
    uint64_t alen = fw_round(len);
    if (!alen || addr + alen < addr)
        return;
    struct fw_leaf_scan c = {0};
    pmap_walk(&s->pmap, addr, addr + alen, fw_count_leaf, &c);
    if (adv == MADV_DONTNEED && c.leaves)
        fz_fail("MADV_DONTNEED succeeded but left %" PRIu64 " pages in its range", c.leaves);
    if (adv == MADV_POPULATE_READ || adv == MADV_POPULATE_WRITE) {
        fw_expect_mapped(s, "madvise(POPULATE)", addr, alen, -1);
        uint64_t want = alen / FZ_PAGE;
        if (c.leaves != want)
            fz_fail("MADV_POPULATE succeeded but %" PRIu64 " of %" PRIu64 " pages have leaves", c.leaves, want);
        if (adv == MADV_POPULATE_WRITE && c.writable != want)
            fz_fail("MADV_POPULATE_WRITE succeeded but only %" PRIu64 " of %" PRIu64 " leaves are writable",
                    c.writable, want);
    }
}

static void fw_mincore(struct fw *f, struct space *s)
{
    static const int errors[] = {EINVAL, ENOMEM, EFAULT, 0};
    uaddr_t addr = fw_addr(f, s);
    uint64_t len = fw_len(f, s);
    uaddr_t vec = fw_addr(f, s) + (fz_u8(f->in) & 0x7f);
    struct fz_digest before, after;

    fz_op("mincore 0x%" PRIx64 " len 0x%" PRIx64 " vec 0x%" PRIx64, addr, len, vec);
    fz_digest(s, &before);
    fz_inject_begin(&f->inj);
    int r = space_mincore(s, addr, len, vec);
    fz_inject_end(&f->inj);
    fz_result("%s", fw_errname(r));
    fz_digest(s, &after);
    if (before.vmas != after.vmas)
        fz_fail("mincore changed the VMAs");
    if (r) {
        fw_expect_errno("mincore", r, errors);
        return;
    }
    uint64_t pages = (len >> PAGE_SHIFT) + !page_aligned(len);
    /* Read the vector back when it is small and lies outside the range. */
    if (pages > FW_BUF || (vec < addr + pages * FZ_PAGE && addr < vec + pages))
        return;
    if (copy_from_user(s, kbuf, vec, pages))
        fz_fail("mincore wrote its vector, but it cannot be read back");
    for (uint64_t i = 0; i < pages; i++)
        if (pmap_extract(&s->pmap, addr + i * FZ_PAGE, NULL, NULL) && kbuf[i] != 1)
            fz_fail("mincore reports page %" PRIu64 " (0x%" PRIx64 ") as %u, yet it has a leaf", i,
                    addr + i * FZ_PAGE, kbuf[i]);
}

static void fw_sync(struct fw *f, struct space *s)
{
    static const int errors[] = {EINVAL, ENOMEM, EBUSY, EIO, 0};
    uaddr_t addr = fw_addr(f, s);
    uint64_t len = fw_len(f, s);
    uint8_t b = fz_u8(f->in);
    int flags = (b & 7) | ((b & 8) ? (int)fz_any_bit(f->in) : 0);
    struct fz_digest before, after;

    fz_op("msync 0x%" PRIx64 " len 0x%" PRIx64 " flags 0x%x", addr, len, flags);
    fz_digest(s, &before);
    int r = space_sync(s, addr, len, flags);
    fz_result("%s", fw_errname(r));
    if (r)
        fw_expect_errno("msync", r, errors);
    fz_digest(s, &after);
    fw_same("msync", &before, &after, true);
}

static void fw_brk(struct fw *f, struct space *s)
{
    uint8_t b = fz_u8(f->in);
    uaddr_t want;
    if (b < 100)
        want = s->brk + (uaddr_t)(fz_u16(f->in) % (64 * FZ_PAGE));
    else if (b < 160)
        want = s->brk - (uaddr_t)(fz_u16(f->in) % (64 * FZ_PAGE));
    else if (b < 180)
        want = s->brk_start + fz_u8(f->in);
    else
        want = fz_hostile(f->in, s->top);
    uaddr_t old = s->brk, oldp = fw_round(old);
    struct fz_digest before, after;

    fz_op("brk 0x%" PRIx64 " (break 0x%" PRIx64 ")", want, old);
    fz_digest(s, &before);
    fz_inject_begin(&f->inj);
    uaddr_t r = space_brk(s, want);
    fz_inject_end(&f->inj);
    fz_result("0x%" PRIx64, r);
    if (r != want) {
        if (r != old)
            fz_fail("brk(0x%" PRIx64 ") returned 0x%" PRIx64 ": neither the request nor the old break", want, r);
        fz_digest(s, &after);
        fw_same("brk", &before, &after, true);
        return;
    }
    if (s->brk != want)
        fz_fail("brk returned 0x%" PRIx64 " but the break is 0x%" PRIx64, r, s->brk);
    uaddr_t newp = fw_round(want);
    if (newp > oldp)
        fw_expect_mapped(s, "brk", oldp, newp - oldp, PROT_READ | PROT_WRITE);
    else if (newp < oldp)
        fw_expect_unmapped(s, "brk", newp, oldp - newp);
}

static void fw_fork(struct fw *f, unsigned parent)
{
    unsigned slot = FW_SPACES;
    for (unsigned i = 0; i < FW_SPACES; i++)
        if (!f->sp[i]) {
            slot = i;
            break;
        }
    fz_op("fork space %u", parent);
    if (slot == FW_SPACES) {
        fz_result("skipped (no free slot)");
        return;
    }
    struct space *p = f->sp[parent], *c = NULL;
    struct fz_digest before, after;
    fz_digest(p, &before);
    fz_inject_begin(&f->inj);
    int r = space_fork(p, &c);
    fz_inject_end(&f->inj);
    fz_result("%s -> space %u", fw_errname(r), slot);
    if (r) {
        static const int errors[] = {ENOMEM, 0};
        fw_expect_errno("fork", r, errors);
        fz_digest(p, &after);
        fw_same("fork", &before, &after, false);
        if (before.frames != after.frames)
            fz_fail("fork failed but changed the parent's pages");
        return;
    }
    f->sp[slot] = c;
    fz_report_spaces(f->sp, FW_SPACES);
    /* The child has the parent's VMAs, less those marked MADV_DONTFORK. */
    struct vma *cv = vma_tree_first(&c->vmas);
    for (struct vma *pv = vma_tree_first(&p->vmas); pv; pv = vma_tree_next(&p->vmas, pv)) {
        if (pv->flags & VMA_DONTCOPY)
            continue;
        if (!cv || cv->start != pv->start || cv->end != pv->end || (cv->flags & VMA_PROT_MASK) != (pv->flags & VMA_PROT_MASK))
            fz_fail("the child's VMAs differ from the parent's at 0x%" PRIx64, pv->start);
        cv = vma_tree_next(&c->vmas, cv);
    }
    if (cv)
        fz_fail("the child has a VMA the parent lacks at 0x%" PRIx64, cv->start);
    if (c->brk != p->brk || c->brk_start != p->brk_start)
        fz_fail("the child's break differs from the parent's");
}

static void fw_destroy(struct fw *f, unsigned i)
{
    unsigned live = 0;
    for (unsigned k = 0; k < FW_SPACES; k++)
        live += f->sp[k] != NULL;
    fz_op("destroy space %u", i);
    if (live < 2) {
        fz_result("skipped (the last space)");
        return;
    }
    space_destroy(f->sp[i]);
    f->sp[i] = NULL;
    fz_report_spaces(f->sp, FW_SPACES);
    fz_result("ok");
}

static unsigned fw_access_kind(uint8_t b) { return b % 3 == 0 ? ACCESS_READ : b % 3 == 1 ? ACCESS_WRITE : ACCESS_EXEC; }

static void fw_fault(struct fw *f, struct space *s)
{
    uaddr_t va = fw_addr(f, s);
    uint8_t b = fz_u8(f->in);
    unsigned access = fw_access_kind(b);
    bool from_user = (b & 0x80) == 0;
    struct fz_digest before, after;

    fz_op("fault 0x%" PRIx64 " access %u %s", va, access, from_user ? "user" : "kernel");
    fz_digest(s, &before);
    fz_inject_begin(&f->inj);
    enum fault_result r = space_fault(s, va, access, from_user);
    fz_inject_end(&f->inj);
    fz_result("%d", (int)r);
    fw_explain_fault(f, s, "space_fault", r, va, access);
    if (r == FAULT_OK) {
        paddr_t pa;
        unsigned prot;
        if (!pmap_extract(&s->pmap, page_down(va), &pa, &prot))
            fz_fail("the fault was resolved but 0x%" PRIx64 " has no leaf", va);
        unsigned need = access == ACCESS_READ ? 0 : access == ACCESS_WRITE ? PMAP_WRITE : PMAP_EXEC;
        if (access == ACCESS_READ ? !prot : (prot & need) != need)
            fz_fail("the fault was resolved but the leaf at 0x%" PRIx64 " has permission %u for access %u", va, prot,
                    access);
    } else if (r != FAULT_OOM) {
        /* As on Linux, a stack grows down to va before the access is
         * checked, so a refused access may leave it grown. */
        struct vma *v = vma_tree_find(&s->vmas, va);
        bool grown = r == FAULT_SEGV_ACCERR && v && (v->flags & VMA_GROWSDOWN);
        fz_digest(s, &after);
        if ((before.vmas != after.vmas && !grown) || before.leaves != after.leaves)
            fz_fail("a refused fault changed the space");
    }
}

static void fw_user_access(struct fw *f, struct space *s)
{
    uaddr_t va = fw_addr(f, s) + (fz_u8(f->in) % 16);
    uint8_t b = fz_u8(f->in);
    unsigned access = fw_access_kind(b);
    uint64_t len = fw_copy_len(f);
    struct hosted_fault hf;

    fz_op("user access %u at 0x%" PRIx64 " len %" PRIu64, access, va, len);
    memset(kbuf, b, len);
    fz_inject_begin(&f->inj);
    if (access == ACCESS_READ)
        hf = hosted_user_read(s, va, kbuf, len);
    else if (access == ACCESS_WRITE)
        hf = hosted_user_write(s, va, kbuf, len);
    else
        hf = hosted_user_exec(s, va, len);
    fz_inject_end(&f->inj);
    fz_result("%d at 0x%" PRIx64, (int)hf.result, hf.addr);
    fw_explain_fault(f, s, "user access", hf.result, hf.addr, access);
    if (hf.result == FAULT_OK && access == ACCESS_WRITE && len) {
        /* What was written reads back. */
        if (hosted_user_read(s, va, kbuf2, len).result != FAULT_OK || memcmp(kbuf, kbuf2, len))
            fz_fail("bytes written at 0x%" PRIx64 " do not read back", va);
    }
}

static void fw_copy(struct fw *f, struct space *s)
{
    uaddr_t va = fw_addr(f, s) + fz_u8(f->in) % 32;
    uint8_t b = fz_u8(f->in);
    uint64_t len = fw_copy_len(f);
    bool to_user = b & 1;
    int r;

    fz_op("%s 0x%" PRIx64 " len %" PRIu64, to_user ? "copy_to_user" : "copy_from_user", va, len);
    memset(kbuf, b | 1, len);
    fz_inject_begin(&f->inj);
    r = to_user ? copy_to_user(s, va, kbuf, len) : copy_from_user(s, kbuf, va, len);
    bool injected = fz_inject_end(&f->inj);
    fz_result("%s", fw_errname(r));
    if (r && r != -EFAULT)
        fz_fail("a user copy returned %d", r);
    bool allowed = access_ok(s, va, len) && fw_range_allows(s, va, len, to_user ? ACCESS_WRITE : ACCESS_READ);
    if (!r && !allowed)
        fz_fail("a user copy succeeded on memory that does not allow it");
    if (r && allowed && !injected && len) {
        /* Refused although every page allows it: only the end of an
         * object (a file, shared memory) or memory running out may
         * explain that. */
        bool file = false;
        for (uaddr_t cur = page_down(va); cur < va + len; cur += FZ_PAGE) {
            struct vma *v = vma_tree_find(&s->vmas, cur);
            if (v && vm_object_source(v->obj) && vm_object_source(v->obj)->kind != VM_OBJECT_ANON_IDENTITY)
                file = true;
        }
        if (!file && frame_free_count() > 64)
            fz_fail("a user copy was refused on memory that allows it, with memory to spare");
    }
    if (!r && to_user && len) {
        if (copy_from_user(s, kbuf2, va, len) || memcmp(kbuf, kbuf2, len))
            fz_fail("bytes copied to 0x%" PRIx64 " do not read back", va);
    }
}

static void fw_clear(struct fw *f, struct space *s)
{
    uaddr_t va = fw_addr(f, s) + fz_u8(f->in) % 32;
    uint64_t len = fw_len(f, s);
    fz_op("clear_user 0x%" PRIx64 " len 0x%" PRIx64, va, len);
    fz_inject_begin(&f->inj);
    int r = clear_user(s, va, len);
    fz_inject_end(&f->inj);
    fz_result("%s", fw_errname(r));
    if (r && r != -EFAULT)
        fz_fail("clear_user returned %d", r);
    if (!r && !(access_ok(s, va, len) && fw_range_allows(s, va, len, ACCESS_WRITE)))
        fz_fail("clear_user succeeded on memory that does not allow writing");
    if (!r && len && len <= FW_BUF) {
        if (copy_from_user(s, kbuf, va, len))
            fz_fail("cleared memory cannot be read back");
        for (uint64_t i = 0; i < len; i++)
            if (kbuf[i])
                fz_fail("byte %" PRIu64 " of cleared memory is 0x%02x", i, kbuf[i]);
    }
}

static void fw_strncpy(struct fw *f, struct space *s)
{
    uaddr_t va = fw_addr(f, s) + fz_u16(f->in) % FZ_PAGE;
    uint64_t max = fw_copy_len(f);
    fz_op("strncpy_from_user 0x%" PRIx64 " max %" PRIu64, va, max);
    memset(kbuf, 0xa5, FW_BUF);
    fz_inject_begin(&f->inj);
    int64_t r = strncpy_from_user(s, (char *)kbuf, va, max);
    fz_inject_end(&f->inj);
    fz_result("%" PRId64, r);
    if (r < 0) {
        if (r != -EFAULT && r != -ENAMETOOLONG)
            fz_fail("strncpy_from_user returned %" PRId64, r);
        if (r == -ENAMETOOLONG && memchr(kbuf, 0, max))
            fz_fail("strncpy_from_user said the string is too long, yet copied a NUL");
        return;
    }
    if ((uint64_t)r >= max || kbuf[r] != 0 || memchr(kbuf, 0, (size_t)r))
        fz_fail("strncpy_from_user returned %" PRId64 " but the copy is not a string of that length", r);
    if (copy_from_user(s, kbuf2, va, (uint64_t)r + 1) || memcmp(kbuf, kbuf2, (size_t)r + 1))
        fz_fail("the string copied does not match the memory it came from");
}

static void fw_get_user_page(struct fw *f, struct space *s)
{
    uaddr_t va = fw_addr(f, s) + fz_u8(f->in);
    unsigned access = fz_u8(f->in) & 1 ? ACCESS_WRITE : ACCESS_READ;
    paddr_t pa;
    fz_op("get_user_page 0x%" PRIx64 " access %u", va, access);
    fz_inject_begin(&f->inj);
    int r = get_user_page(s, va, access, &pa);
    fz_inject_end(&f->inj);
    fz_result("%s", fw_errname(r));
    if (r) {
        if (r != -EFAULT)
            fz_fail("get_user_page returned %d", r);
        return;
    }
    if (!frame_valid(pa) || (!frame_is_zero_page(pa) && frame_refcount(pa) < 2))
        fz_fail("get_user_page gave frame 0x%" PRIx64 " with %u references", pa, frame_refcount(pa));
    paddr_t leaf;
    unsigned prot;
    if (!pmap_extract(&s->pmap, page_down(va), &leaf, &prot) || leaf != pa)
        fz_fail("get_user_page gave a frame that is not the page's leaf");
    if (access == ACCESS_WRITE && !(prot & PMAP_WRITE))
        fz_fail("get_user_page for writing left the leaf read-only");
    frame_unref(pa);
}

/* The host writes one byte of the file through its page cache, as
 * write() does, inside the file. */
static void fw_file_write(struct fw *f)
{
    uint64_t size = vm_object_file_size(f->file);
    uint64_t pos = size ? fz_u16(f->in) * 7ull % size : 0;
    uint8_t val = fz_u8(f->in);
    paddr_t pa = 0;
    fz_op("file write 0x%02x at %" PRIu64 " (size %" PRIu64 ")", val, pos, size);
    if (!size) {
        fz_result("skipped (empty file)");
        return;
    }
    fz_inject_begin(&f->inj);
    int r = vm_object_file_page(f->file, pos >> PAGE_SHIFT, true, &pa);
    fz_inject_end(&f->inj);
    fz_result("%s", fw_errname(r));
    if (r) {
        if (r != -ENOMEM)
            fz_fail("vm_object_file_page inside the file returned %d", r);
        return;
    }
    ((uint8_t *)platform_phys_to_virt(pa))[pos & (FZ_PAGE - 1)] = val;
}

/* The host's punch hook (MADV_REMOVE on a shared mapping of the file):
 * the hole's pages out of every space first, then out of the file. */
static int fw_file_punch(struct vm_object *obj, uint64_t first, uint64_t last)
{
    struct fw *f = obj->priv;
    for (unsigned i = 0; i < FW_SPACES; i++)
        if (f->sp[i])
            space_object_punch(f->sp[i], obj, first, last);
    vm_object_file_drop(obj, first, last);
    return 0;
}

static const struct vm_file_hooks fw_file_hooks = {.punch = fw_file_punch};

/* The host truncates or extends the file, taking the pages beyond the new
 * end out of every space first, as its owner must. */
static void fw_file_resize(struct fw *f)
{
    uint8_t b = fz_u8(f->in);
    uint64_t size = b < 200 ? (uint64_t)(b % 48) * FZ_PAGE + (b & 1 ? fz_u16(f->in) % FZ_PAGE : 0)
                            : fz_hostile(f->in, 1ull << 47);
    fz_op("file resize %" PRIu64 " -> %" PRIu64, vm_object_file_size(f->file), size);
    uint64_t first = (size >> PAGE_SHIFT) + !page_aligned(size);
    if (size < vm_object_file_size(f->file))
        for (unsigned i = 0; i < FW_SPACES; i++)
            if (f->sp[i])
                space_object_unmap(f->sp[i], f->file, first);
    int r = vm_object_file_resize(f->file, size);
    fz_result("%s", fw_errname(r));
    if (r && r != -EFBIG)
        fz_fail("vm_object_file_resize returned %d", r);
    if (r && size <= VM_FILE_MAX_BYTES)
        fz_fail("vm_object_file_resize refused %" PRIu64 " bytes", size);
}

/* Many writes through the MMU: memory pressure. */
static void fw_touch(struct fw *f, struct space *s)
{
    uaddr_t va = fw_addr(f, s);
    unsigned n = 1 + fz_u8(f->in) % 128;
    uint8_t val = fz_u8(f->in);
    fz_op("touch %u pages from 0x%" PRIx64, n, va);
    for (unsigned i = 0; i < n; i++) {
        struct hosted_fault hf = hosted_user_write(s, page_down(va) + i * FZ_PAGE, &val, 1);
        if (hf.result != FAULT_OK) {
            fz_result("stopped at page %u: %d", i, (int)hf.result);
            fw_explain_fault(f, s, "touch", hf.result, hf.addr, ACCESS_WRITE);
            return;
        }
    }
    fz_result("ok");
}

static void fw_step(struct fw *f)
{
    uint8_t op = fz_u8(f->in);
    unsigned si = fw_space_index(f, (uint8_t)(op >> 5));
    struct space *s = f->sp[si];

    switch (op & 31) {
    case 0: case 1: case 2: case 28: case 29: fw_map(f, s, false); break;
    case 3: case 30: fw_map(f, s, true); break;
    case 4: case 5: fw_unmap(f, s); break;
    case 6: case 7: fw_protect(f, s); break;
    case 8: case 31: fw_remap(f, s); break;
    case 9: fw_advise(f, s); break;
    case 10: fw_mincore(f, s); break;
    case 11: fw_sync(f, s); break;
    case 12: fw_brk(f, s); break;
    case 13: fw_fork(f, si); break;
    case 14: fw_destroy(f, si); break;
    case 15: case 16: fw_fault(f, s); break;
    case 17: case 18: fw_user_access(f, s); break;
    case 19: fw_copy(f, s); break;
    case 20: fw_clear(f, s); break;
    case 21: fw_strncpy(f, s); break;
    case 22: fw_get_user_page(f, s); break;
    case 23: fz_inject_read(f->in, &f->inj); return;
    case 24: fw_file_write(f); break;
    case 25: fw_file_resize(f); break;
    case 26: {
        uint64_t n = fz_u8(f->in) % 64;
        fz_op("frame reserve %" PRIu64, n);
        frame_set_reserve(n);
        fz_result("ok");
        break;
    }
    default: fw_touch(f, s); break;
    }
    f->inj.armed = false;
    fw_check(f);
}

void fuzz_wide_run(struct fz_input *in, uint8_t header)
{
    static const uint64_t machine_pages[] = {384, 768, 1536, 4096};
    static const uint64_t map_counts[] = {0, 8, 24, 96};
    struct fw f = {.in = in};
    uint8_t conf = fz_u8(in);
    struct space_config cfg = {
        .policy = (header >> 1) & 1 ? SPACE_EAGER : SPACE_LAZY,
        .max_map_count = map_counts[(header >> 4) & 3],
        .no_thp_align = (header >> 6) & 1,
        .min_addr = (header >> 7) ? FZ_PAGE : 0,
        .stack_limit = (conf & 1) ? 64 * FZ_PAGE : 0,
        .mmap_base = (conf & 2) ? FW_ARENA + 512 * FZ_PAGE : 0,
        .memlock_limit = (conf & 8) ? 16 * FZ_PAGE : 0,
    };
    paddr_t zero;

    hosted_machine_init(machine_pages[(header >> 2) & 3]);
    frame_zero_page(&zero);
    uint64_t free0 = frame_free_count();
    fz_op("start: %s, %" PRIu64 " frames, config 0x%02x", cfg.policy == SPACE_EAGER ? "eager" : "lazy",
          frame_total_count(), conf);
    f.file = vm_object_file_create((uint64_t)(conf >> 2) * 1000, &f, &fw_file_hooks);
    if (!f.file || space_create(&f.sp[0], &cfg))
        fz_fail("cannot create the file or the space");
    space_brk_init(f.sp[0], FW_ARENA + 1024 * FZ_PAGE + (conf & 4 ? 123 : 0));
    fz_report_spaces(f.sp, FW_SPACES);
    fw_anchor(&f, FW_ARENA);
    fw_anchor(&f, f.sp[0]->brk_start);
    fw_anchor(&f, f.sp[0]->mmap_base - 16 * FZ_PAGE);
    fw_anchor(&f, f.sp[0]->top - 16 * FZ_PAGE);
    fz_result("ok");

    for (unsigned ops = 0; ops < FW_MAX_OPS && fz_more(in); ops++)
        fw_step(&f);

    fz_op("destroy everything");
    fz_report_spaces(NULL, 0);
    for (unsigned i = 0; i < FW_SPACES; i++)
        if (f.sp[i])
            space_destroy(f.sp[i]);
    if (f.file->refs != 1)
        fz_fail("with every space gone the file has %u references, not the host's one", f.file->refs);
    vm_object_unref(f.file);
    frame_set_reserve(0);
    if (frame_free_count() != free0)
        fz_fail("frames leaked: %" PRIu64 " free before, %" PRIu64 " after", free0, frame_free_count());
    if (vma_cache.objects || object_cache.objects || space_cache.objects || file_cache.objects)
        fz_fail("records leaked: %" PRIu64 " VMAs, %" PRIu64 " objects, %" PRIu64 " spaces, %" PRIu64 " files",
                vma_cache.objects, object_cache.objects, space_cache.objects, file_cache.objects);
    fz_result("ok");
}
