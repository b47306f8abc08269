/* mm/space_map.c — mmap: argument checks in Linux's order, placement
 * (hint, fixed, top-down search with a bottom-up fallback), and creating
 * the VMA, merged with its neighbours where Linux would merge it. */
#include "space_internal.h"

#define PMD_SIZE (2ull << 20) /* a level-2 block: 2 MiB on both formats */

/* The highest free [a, a + len) inside [low, high), or 0: the gaps the tree
 * indexes, and the one above the last VMA. */
static uaddr_t space_gap_topdown(struct space *s, uint64_t len, uaddr_t low, uaddr_t high)
{
    struct vma *last = vma_tree_last(&s->vmas);
    uaddr_t above = last ? MM_MAX(last->end, low) : low, a;

    if (high < low || high - low < len)
        return 0;
    if (above <= high - len)
        return high - len; /* the top of the range is free */
    return vma_tree_gap_topdown(&s->vmas, len, low, high, &a) ? a : 0;
}

/* The lowest free [a, a + len) inside [low, high), or 0. */
static uaddr_t space_gap_bottomup(struct space *s, uint64_t len, uaddr_t low, uaddr_t high)
{
    struct vma *last = vma_tree_last(&s->vmas);
    uaddr_t above = last ? MM_MAX(last->end, low) : low, a;

    if (high < low || high - low < len)
        return 0;
    if (vma_tree_gap_bottomup(&s->vmas, len, low, high, &a))
        return a;
    return above <= high - len ? above : 0;
}

/* Whether [a, a + len) is free, keeping clear of a stack's guard gap. */
static bool space_range_free(struct space *s, uaddr_t a, uint64_t len)
{
    struct vma *next = vma_tree_find_after(&s->vmas, a);
    return !next || (a < next->start && a + len <= vma_start_gap(next));
}

/* Linux's placement without MAP_FIXED (get_unmapped_area): an
 * architecture's window (MAP_32BIT) bottom-up; else the hint when free;
 * else the highest gap below mmap_base, falling back to the lowest gap above
 * a third of user space. A private anonymous mapping whose length is a
 * multiple of 2 MiB is placed at a 2 MiB boundary (Linux aligns them for
 * transparent huge pages) when the padded search succeeds. */
static int64_t space_place(struct space *s, uaddr_t hint, uint64_t len, unsigned long flags,
                           bool anon_private, uint64_t off)
{
    uaddr_t low = MM_MAX(s->min_addr, PAGE_SIZE), wlow, whigh, a;

    if (len > s->top - low)
        return -ENOMEM;
    if (arch_mmap_window(flags, &wlow, &whigh)) {
        if (hint && hint <= whigh - MM_MIN(len, whigh) && space_range_free(s, hint, len))
            return (int64_t)hint;
        a = space_gap_bottomup(s, len, MM_MAX(wlow, low), whigh);
        return a ? (int64_t)a : -ENOMEM;
    }
    if (hint && hint >= low && hint <= s->top - len && space_range_free(s, hint, len))
        return (int64_t)hint;
    if (anon_private && !hint && s->thp_align && len % PMD_SIZE == 0 && len <= UINT64_MAX - PMD_SIZE) {
        /* Search for len + 2 MiB, then slide up to the highest address
         * that keeps off's alignment within the padded range. */
        a = space_gap_topdown(s, len + PMD_SIZE, low, s->mmap_base);
        if (!a)
            a = space_gap_bottomup(s, len + PMD_SIZE, MM_MAX(low, page_down(s->top / 3)), s->top);
        if (a) {
            uint64_t sub = (off - a) & (PMD_SIZE - 1);
            return (int64_t)(a + (sub ? sub : PMD_SIZE));
        }
    }
    a = space_gap_topdown(s, len, low, s->mmap_base);
    if (!a)
        a = space_gap_bottomup(s, len, MM_MAX(low, page_down(s->top / 3)), s->top);
    return a ? (int64_t)a : -ENOMEM;
}

int64_t space_gap_find(struct space *s, uaddr_t hint, uint64_t len)
{
    return space_place(s, page_down(hint), len, 0, false, 0);
}

static unsigned long space_map_vma_flags(unsigned long prot, unsigned long flags, bool shared,
                                         bool file, bool maywrite)
{
    unsigned long vf = prot & VMA_PROT_MASK;
    if (shared)
        vf |= VMA_SHARED;
    if (!shared || !file || maywrite)
        vf |= VMA_MAYWRITE;
    if (flags & MAP_NORESERVE)
        vf |= VMA_NORESERVE;
    else if (!shared && (prot & PROT_WRITE))
        vf |= VMA_ACCOUNT;
    if (flags & MAP_GROWSDOWN)
        vf |= VMA_GROWSDOWN;
    if (flags & MAP_LOCKED)
        vf |= VMA_LOCKED;
    if (flags & MAP_STACK)
        vf |= VMA_NOHUGEPAGE; /* Linux 6.7+: stacks are not backed by huge pages */
    return vf;
}

/* Flags every mmap implementation accepts (Linux's LEGACY_MAP_MASK); with
 * MAP_SHARED_VALIDATE any other flag is -EOPNOTSUPP for a file. */
#define MAP_32BIT_FLAG 0x40
#define MAP_UNINITIALIZED_FLAG 0x4000000
#define MAP_HUGE_2MB_FLAG (21ul << 26)
#define MAP_HUGE_1GB_FLAG (30ul << 26)
#define MAP_LEGACY_MASK                                                                        \
    (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE |  \
     MAP_UNINITIALIZED_FLAG | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |     \
     MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_32BIT_FLAG | MAP_HUGE_2MB_FLAG | MAP_HUGE_1GB_FLAG)

/* Linux's checks of a file mapping of len bytes at page offset pgoff
 * against the open file (do_mmap, after placement). Returns 0 and sets
 * *shared (whether the VMA is shared), or a negative errno. */
static int space_map_file_check(const struct space_file *f, uint64_t len, uint64_t pgoff,
                                unsigned long prot, unsigned long flags, bool *shared)
{
    if (f->max_bytes && (len > f->max_bytes || pgoff > (f->max_bytes - len) >> PAGE_SHIFT))
        return -EOVERFLOW;
    switch (flags & MAP_TYPE) {
    case MAP_SHARED:
    case MAP_SHARED_VALIDATE:
        if ((flags & MAP_TYPE) == MAP_SHARED_VALIDATE && (flags & ~(unsigned long)MAP_LEGACY_MASK))
            return -EOPNOTSUPP;
        if ((prot & PROT_WRITE) && !f->writable)
            return -EACCES;
        *shared = true;
        break;
    case MAP_PRIVATE:
        *shared = false;
        break;
    default:
        return -EINVAL;
    }
    if (!f->readable)
        return -EACCES;
    if (!f->obj && !f->zero)
        return -ENODEV;
    if (flags & MAP_GROWSDOWN)
        return -EINVAL;
    /* /dev/zero: Linux drops VM_SHARED when the descriptor is read-only, and
     * its mmap then makes plain anonymous memory. */
    if (f->zero && !f->writable)
        *shared = false;
    return 0;
}

static int64_t space_map_do(struct space *s, uaddr_t addr, uint64_t len, unsigned long prot,
                            unsigned long flags, struct vm_object *obj, uint64_t off, bool maywrite,
                            const struct space_file *file);

/* Contract: see space.h. */
int64_t space_map(struct space *s, uaddr_t addr, uint64_t len, unsigned long prot,
                  unsigned long flags, struct vm_object *obj, uint64_t off, bool maywrite)
{
    return space_map_do(s, addr, len, prot, flags, obj, off, maywrite, 0);
}

/* Contract: see space.h. */
int64_t space_map_file(struct space *s, uaddr_t addr, uint64_t len, unsigned long prot,
                       unsigned long flags, const struct space_file *file, uint64_t off)
{
    return space_map_do(s, addr, len, prot, flags, file->obj, off, file->writable, file);
}

static int64_t space_map_do(struct space *s, uaddr_t addr, uint64_t len, unsigned long prot,
                            unsigned long flags, struct vm_object *obj, uint64_t off, bool maywrite,
                            const struct space_file *file)
{
    bool fixed, shared;
    struct range_plan plan = {0};
    uint64_t pgoff = off >> PAGE_SHIFT;
    unsigned long type = flags & MAP_TYPE;
    struct vma_spares sp;
    struct vm_object *newobj = 0;
    struct vma *v;
    int64_t where;

    if (!page_aligned(off))
        return -EINVAL;
    /* Anonymous huge pages come from a hugetlbfs file that needs pages
     * reserved by the administrator; with none reserved Linux says
     * -ENOMEM (-EINVAL for length 0). mmcore has no huge pages. */
    if (!file && !obj && (flags & MAP_HUGETLB))
        return len ? -ENOMEM : -EINVAL;
    if (len == 0)
        return -EINVAL;
    if (flags & MAP_FIXED_NOREPLACE)
        flags |= MAP_FIXED;
    fixed = flags & MAP_FIXED;
    if (!fixed) {
        /* Linux's round_hint_to_min: the hint's page, raised to min_addr. */
        addr = page_down(addr);
        if (addr && addr < s->min_addr)
            addr = s->min_addr;
    }
    if (!page_up_checked(len, &len))
        return -ENOMEM;
    if (pgoff + (len >> PAGE_SHIFT) < pgoff)
        return -EOVERFLOW;
    if (s->vmas.count > s->max_map_count)
        return -ENOMEM;

    /* Placement (Linux's get_unmapped_area). */
    if (len > s->top)
        return -ENOMEM;
    if (fixed) {
        if (addr > s->top - len)
            return -ENOMEM;
        if (!page_aligned(addr))
            return -EINVAL;
        if (addr < s->min_addr)
            return -EPERM;
        where = (int64_t)addr;
    } else {
        /* Only anonymous memory (and private /dev/zero, which Linux places
         * as anonymous) is aligned for huge pages. */
        bool anon = file ? file->zero : !obj;
        /* Linux aligns anonymous memory to 2 MiB whatever offset it was
         * given: the offset means nothing there. */
        where = space_place(s, addr, len, flags, anon && (flags & MAP_TYPE) == MAP_PRIVATE, anon ? 0 : off);
        if (where < 0)
            return where;
    }
    addr = (uaddr_t)where;
    if (flags & MAP_FIXED_NOREPLACE) {
        struct vma *hit = vma_tree_find_after(&s->vmas, addr);
        if (hit && hit->start < addr + len)
            return -EEXIST;
    }
    if ((flags & MAP_LOCKED) && !space_may_lock(s, len))
        return -EAGAIN;

    /* The mapping type. */
    if (file) {
        int err = space_map_file_check(file, len, pgoff, prot, flags, &shared);
        if (err)
            return err;
        if (file->zero)
            obj = 0; /* anonymous memory; pgoff stays the file offset */
    } else if (obj) {
        if (type != MAP_SHARED && type != MAP_SHARED_VALIDATE && type != MAP_PRIVATE)
            return -EINVAL;
        shared = type != MAP_PRIVATE;
    } else {
        if (type == MAP_SHARED) {
            if (flags & MAP_GROWSDOWN)
                return -EINVAL;
            pgoff = 0;
        } else if (type == MAP_PRIVATE) {
            pgoff = addr >> PAGE_SHIFT;
        } else if (type == MAP_DROPPABLE) {
            /* Private memory the kernel may drop under pressure (never
             * here); not for locked memory or stacks. */
            if (flags & (MAP_LOCKED | MAP_GROWSDOWN))
                return -EINVAL;
            pgoff = addr >> PAGE_SHIFT;
        } else {
            return -EINVAL;
        }
        shared = type == MAP_SHARED;
    }
    /* Commit accounting: private writable memory, and new shared memory,
     * unless MAP_NORESERVE. */
    if (!(flags & MAP_NORESERVE) && (shared ? !obj : (prot & PROT_WRITE)) &&
        !space_may_commit(len >> PAGE_SHIFT))
        return -ENOMEM;

    /* Allocate everything first: the new record, the records splitting
     * what MAP_FIXED replaces, a shared object. After this nothing fails. */
    if (fixed)
        space_range_plan(s, addr, addr + len, &plan);
    if (plan.middle && s->vmas.count >= s->max_map_count)
        return -ENOMEM;
    if (vma_spares_get(&sp, plan.splits + 1))
        return -ENOMEM;
    if (!obj && shared) {
        /* MAP_SHARED|MAP_ANONYMOUS, or /dev/zero: new memory of the
         * mapping's size (Linux's shmem_zero_setup), indexed from the
         * VMA's offset, so pages past it raise SIGBUS. */
        newobj = vm_object_shared_anon_create(len >> PAGE_SHIFT);
        if (!newobj) {
            vma_spares_put(&sp);
            return -ENOMEM;
        }
    } else if (obj) {
        vm_object_ref(obj);
        newobj = obj;
    }

    space_range_clear(s, addr, addr + len, &plan, &sp);
    v = vma_spares_take(&sp);
    v->start = addr;
    v->end = addr + len;
    v->obj = newobj;
    v->pgoff = pgoff;
    v->flags = space_map_vma_flags(prot, flags, shared, obj != 0 || file, maywrite) & VMA_FLAGS_MASK;
    if (!obj && !file && type == MAP_DROPPABLE)
        v->flags |= VMA_DROPPABLE | VMA_WIPEONFORK | VMA_NOHUGEPAGE;
    if (file && file->zero && !file->writable && type != MAP_PRIVATE)
        v->flags &= ~(unsigned)VMA_MAYWRITE; /* Linux: VM_MAYWRITE goes with VM_SHARED */
    struct vma *prev, *next;
    vma_tree_insert_near(&s->vmas, v, &prev, &next);
    vma_spares_put(&sp);
    v = space_vma_merge_near(s, v, prev, next);
    s->vma_cache = v; /* a new mapping is the next one looked up, as a rule */

    /* Population never fails the mapping (Linux ignores MAP_POPULATE
     * errors too): pages it could not fill are filled by faults later. */
    if (s->policy == SPACE_EAGER || (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE ||
        (flags & MAP_LOCKED))
        (void)space_populate(s, addr, addr + len);
    return (int64_t)addr;
}
