/* mm/fault.c — the page-fault entry and population: demand-zero pages, the
 * shared zero page for reads, object pages, and breaking copy-on-write
 * sharing on write. The trap code decodes the hardware's report; this file
 * decides. */
#include "page_index.h"
#include "space_internal.h"

/* Fault-around: a read fault on a file page also maps the file's pages
 * already in memory around it, up to this many pages in all (Linux's
 * fault_around_bytes, 64 KiB by default). */
#define FAULT_AROUND_PAGES 16
/* The span one leaf table translates (512 pages on both formats). */
#define FAULT_LEAF_TABLE_SPAN ((uaddr_t)2 << 20)

/* Whether neighbour n's identity may be shared by v: adjacent, over the
 * same file (or none), the same flags but for protection, contiguous
 * offsets (Linux reuses a neighbour's anon_vma on the same terms, so the
 * two can merge after an mprotect). */
static bool vma_identity_shareable(const struct vma *v, const struct vma *n)
{
    const struct vma *lo = n->end == v->start ? n : v, *hi = lo == n ? v : n;
    return vma_identity(n) && vm_object_source(n->obj) == vm_object_source(v->obj) &&
           lo->end == hi->start && !((v->flags ^ n->flags) & ~(unsigned)VMA_PROT_MASK) &&
           lo->pgoff + vma_pages(lo) == hi->pgoff;
}

/* Private memory gets its identity (Linux's anon_vma) when first written:
 * anonymous memory, and a private file mapping (whose identity keeps the
 * file under it). The pieces of a split VMA share it, and it decides
 * merges. */
static int vma_identity_make(struct space *s, struct vma *v)
{
    struct vma *n;

    if (v->obj && v->obj->kind != VM_OBJECT_FILE)
        return 0;
    /* Like Linux's find_mergeable_anon_vma: the next VMA first. */
    if (((n = vma_tree_next(&s->vmas, v)) && vma_identity_shareable(v, n)) ||
        ((n = vma_tree_prev(&s->vmas, v)) && vma_identity_shareable(v, n))) {
        vma_identity_take(v, n);
        return 0;
    }
    struct vm_object *id = v->obj ? vm_object_anon_create_over(v->obj) : vm_object_anon_create();
    if (!id)
        return -ENOMEM;
    if (v->obj)
        vm_object_unref(v->obj); /* the identity holds the file now */
    v->obj = id;
    return 0;
}

/* The check inline, the work (rare: once per VMA) out of line. */
static inline int vma_identity_prepare(struct space *s, struct vma *v)
{
    if ((v->flags & VMA_SHARED) || vma_identity(v))
        return 0;
    return vma_identity_make(s, v);
}

static enum fault_result fault_from_errno(int err)
{
    return err == -ENOMEM ? FAULT_OOM : FAULT_BUS;
}

/* Install pa at va, taking over the caller's reference to pa. A previous
 * leaf's frame reference is dropped after the new leaf is in place. */
static enum fault_result fault_install(struct space *s, uaddr_t va, paddr_t pa, unsigned prot,
                                       bool had_leaf, paddr_t old_pa)
{
    if (pmap_enter(&s->pmap, va, pa, prot)) {
        if (!frame_is_zero_page(pa))
            frame_unref(pa);
        return FAULT_OOM;
    }
    if (had_leaf) {
        if (!frame_is_zero_page(old_pa))
            frame_unref(old_pa);
    } else {
        s->resident++;
    }
    return FAULT_OK;
}

/* After a read fault at va on src's page, map the pages src already holds
 * in memory in the same window as Linux's do_fault_around and
 * filemap_map_pages: from va rounded down to FAULT_AROUND_PAGES pages (not
 * below the VMA) for FAULT_AROUND_PAGES pages, within the VMA, within
 * va's leaf table (so no table is allocated) and before the end of the
 * file (a page wholly beyond it must still fault and raise SIGBUS). Pages
 * with a leaf already, and pages not in memory, are left alone: nothing is
 * allocated or read. The leaves get the faulting page's prot (read-only in
 * a private mapping, so a write still copies). */
static void fault_around(struct space *s, struct vma *v, struct vm_object *src, uaddr_t va,
                         unsigned prot)
{
    const struct page_index *idx = vm_object_file_index(src);
    if (!idx)
        return;
    const uaddr_t window = FAULT_AROUND_PAGES * PAGE_SIZE;
    uaddr_t lo = MM_MAX(va & ~(window - 1), v->start);
    uaddr_t hi = MM_MIN(MM_MIN(lo + window, v->end), (va & ~(FAULT_LEAF_TABLE_SPAN - 1)) + FAULT_LEAF_TABLE_SPAN);
    uint64_t file_pages = (vm_object_file_size(src) + PAGE_SIZE - 1) >> PAGE_SHIFT;
    uint64_t first = v->pgoff + ((lo - v->start) >> PAGE_SHIFT);
    if (first >= file_pages)
        return;
    unsigned n = (unsigned)MM_MIN((uint64_t)((hi - lo) >> PAGE_SHIFT), file_pages - first);
    paddr_t pages[FAULT_AROUND_PAGES];
    page_index_lookup_run(idx, first, n, pages);

    for (unsigned i = 0; i < n; i++) {
        uaddr_t a = lo + ((uaddr_t)i << PAGE_SHIFT);
        if (!pages[i] || a == va || pmap_extract(&s->pmap, a, NULL, NULL))
            continue;
        frame_ref(pages[i]);
        if (fault_install(s, a, pages[i], prot, false, 0) != FAULT_OK)
            break;
    }
}

/* A write to a private page whose leaf is read-only: reuse the frame when
 * nobody else holds it, else copy it (from the zero page: a fresh zero
 * frame). */
static enum fault_result fault_break_cow(struct space *s, struct vma *v, uaddr_t va, paddr_t old)
{
    paddr_t pa;
    unsigned prot = vma_leaf_prot(v, true);

    if (vma_identity_prepare(s, v))
        return FAULT_OOM;
    if (!frame_is_zero_page(old) && frame_refcount(old) == 1)
        return pmap_enter(&s->pmap, va, old, prot) ? FAULT_OOM : FAULT_OK;
    if (frame_alloc(&pa, MM_ALLOC_FRAME))
        return FAULT_OOM;
    if (frame_is_zero_page(old))
        frame_zero(pa);
    else
        frame_copy(pa, old);
    return fault_install(s, va, pa, prot, true, old);
}

/* Populate a page that has no leaf. */
static enum fault_result fault_populate(struct space *s, struct vma *v, uaddr_t va, unsigned access)
{
    bool write = access & ACCESS_WRITE;
    bool shared = v->flags & VMA_SHARED;
    paddr_t pa;
    int err;

    struct vm_object *src = vm_object_source(v->obj);
    if (src) {
        uint64_t pgoff = v->pgoff + ((va - v->start) >> PAGE_SHIFT);
        err = src->ops->get_page(src, pgoff, &pa);
        if (err)
            return fault_from_errno(err);
        if (shared && write)
            return fault_install(s, va, pa, vma_leaf_prot(v, true), false, 0);
        if (!write) {
            unsigned prot = vma_leaf_prot(v, shared);
            enum fault_result r = fault_install(s, va, pa, prot, false, 0);
            if (r == FAULT_OK)
                fault_around(s, v, src, va, prot);
            return r;
        }
        /* Private write to an object page: copy it now. */
        paddr_t copy;
        if (vma_identity_prepare(s, v) || frame_alloc(&copy, MM_ALLOC_FRAME)) {
            frame_unref(pa);
            return FAULT_OOM;
        }
        frame_copy(copy, pa);
        frame_unref(pa);
        return fault_install(s, va, copy, vma_leaf_prot(v, true), false, 0);
    }
    if (!write) {
        if (frame_zero_page(&pa))
            return FAULT_OOM;
        return fault_install(s, va, pa, vma_leaf_prot(v, false), false, 0);
    }
    if (vma_identity_prepare(s, v) || frame_alloc_zeroed(&pa, MM_ALLOC_FRAME))
        return FAULT_OOM;
    return fault_install(s, va, pa, vma_leaf_prot(v, true), false, 0);
}

static bool leaf_allows(unsigned prot, unsigned access)
{
    if (access & ACCESS_WRITE)
        return prot & PMAP_WRITE;
    if (access & ACCESS_EXEC)
        return prot & PMAP_EXEC;
    return prot != 0;
}

enum fault_result space_fault_vma(struct space *s, struct vma *v, uaddr_t va, unsigned access)
{
    paddr_t pa;
    unsigned prot;

    va = page_down(va);
    if (!vma_allows(v, access))
        return FAULT_SEGV_ACCERR;
    if (!pmap_extract(&s->pmap, va, &pa, &prot))
        return fault_populate(s, v, va, access);
    if (leaf_allows(prot, access)) {
        /* Spurious: another path already fixed it, or a stale TLB entry. */
        platform_tlb_flush_page(&s->pmap, va);
        return FAULT_OK;
    }
    if ((access & ACCESS_WRITE) && !(v->flags & VMA_SHARED))
        return fault_break_cow(s, v, va, pa);
    /* The leaf is behind the VMA's protection (a shared page after
     * mprotect added access): bring it up to date. */
    return pmap_enter(&s->pmap, va, pa, vma_leaf_prot(v, v->flags & VMA_SHARED)) ? FAULT_OOM
                                                                                 : FAULT_OK;
}

/* Grow stack VMA v (MAP_GROWSDOWN) down to cover va, as Linux's
 * expand_stack does: not below min_addr, not within the guard gap of an
 * accessible VMA below that does not itself grow down, and not beyond the
 * stack limit. Returns true when v now covers va. */
static bool space_stack_expand(struct space *s, struct vma *v, uaddr_t va)
{
    uaddr_t start = page_down(va);
    struct vma *prev = vma_tree_prev(&s->vmas, v);

    if (start < s->min_addr || v->end - start > s->stack_limit)
        return false;
    if (prev && (prev->end > start || (!(prev->flags & VMA_GROWSDOWN) && (prev->flags & VMA_PROT_MASK) &&
                                       start - prev->end < STACK_GUARD_GAP)))
        return false;
    v->pgoff -= (v->start - start) >> PAGE_SHIFT;
    vma_tree_adjust(&s->vmas, v, start, v->end);
    return true;
}

/* Contract: see space.h. */
enum fault_result space_fault(struct space *s, uaddr_t va, unsigned access, bool from_user)
{
    (void)from_user;
    if (va >= s->top)
        return FAULT_SEGV_MAPERR;
    struct vma *v = space_vma_find(s, va);
    if (!v) {
        v = vma_tree_find_after(&s->vmas, va);
        if (!v || !(v->flags & VMA_GROWSDOWN) || !space_stack_expand(s, v, va))
            return FAULT_SEGV_MAPERR;
    }
    return space_fault_vma(s, v, va, access);
}

/* Contract: see space.h. */
int space_populate(struct space *s, uaddr_t start, uaddr_t end)
{
    uaddr_t va = page_down(start);

    while (va < end) {
        struct vma *v = vma_tree_find_after(&s->vmas, va);
        if (!v || v->start >= end)
            break;
        if (va < v->start)
            va = v->start;
        uaddr_t stop = MM_MIN(v->end, end);
        unsigned access = (v->flags & VMA_WRITE) ? ACCESS_WRITE : ACCESS_READ;
        /* PROT_NONE VMAs are skipped whole: a huge one must cost nothing. */
        for (; va < stop && (v->flags & VMA_PROT_MASK); va += PAGE_SIZE) {
            enum fault_result r = space_fault_vma(s, v, va, access);
            if (r == FAULT_OOM)
                return -ENOMEM;
            if (r == FAULT_BUS)
                break; /* past the end of the object: so is the rest */
        }
        va = stop;
    }
    return 0;
}
