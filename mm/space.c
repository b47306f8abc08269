/* mm/space.c — address-space life cycle and the VMA plumbing shared by
 * mmap, munmap, mprotect and brk: records, splits, merges and clearing a
 * range. */
#include <mm/slab.h>

#include "space_internal.h"

#define SPACE_DEFAULT_MIN_ADDR 0x10000ull
#define SPACE_DEFAULT_MAX_MAP_COUNT 65530ull
#define SPACE_DEFAULT_MMAP_GAP (128ull << 20)
#define SPACE_DEFAULT_STACK_LIMIT (8ull << 20)
#define SPACE_DEFAULT_MEMLOCK_LIMIT (8ull << 20)

/* Contract: see space.h. */
int space_create(struct space **out, const struct space_config *cfg)
{
    static const struct space_config defaults = {0};
    struct space *s;

    _Static_assert(sizeof(struct space) <= 256, "space record outgrew its cache");
    _Static_assert(sizeof(struct vma) == 64, "a VMA must stay 64 bytes");
    if (!cfg)
        cfg = &defaults;
    s = slab_alloc(&space_cache);
    if (!s)
        return -ENOMEM;
    if (pmap_create(&s->pmap)) {
        slab_free(&space_cache, s);
        return -ENOMEM;
    }
    s->top = pmap_user_top();
    s->min_addr = cfg->min_addr ? page_down(cfg->min_addr) : SPACE_DEFAULT_MIN_ADDR;
    s->mmap_base = cfg->mmap_base ? page_down(cfg->mmap_base) : s->top - SPACE_DEFAULT_MMAP_GAP;
    if (s->mmap_base > s->top)
        s->mmap_base = s->top;
    s->max_map_count = cfg->max_map_count ? cfg->max_map_count : SPACE_DEFAULT_MAX_MAP_COUNT;
    s->policy = cfg->policy;
    s->thp_align = !cfg->no_thp_align;
    s->stack_limit = cfg->stack_limit ? cfg->stack_limit : SPACE_DEFAULT_STACK_LIMIT;
    s->memlock_limit = cfg->memlock_limit ? cfg->memlock_limit : SPACE_DEFAULT_MEMLOCK_LIMIT;
    vma_tree_init(&s->vmas, 0);
    *out = s;
    return 0;
}

/* Contract: see space.h. */
void space_destroy(struct space *s)
{
    struct vma *v;

    pmap_clear(&s->pmap, space_leaf_put, s);
    while ((v = vma_tree_first(&s->vmas)) != 0)
        space_vma_remove(s, v);
    pmap_destroy(&s->pmap);
    slab_free(&space_cache, s);
}

bool space_vma_is_heap(const struct space *s, const struct vma *v)
{
    return s->brk_start && v->start < s->brk && v->end > s->brk_start;
}

bool space_vma_is_stack(const struct space *s, const struct vma *v)
{
    return s->start_stack && v->start <= s->start_stack && v->end >= s->start_stack;
}

/* The lookup cache is the VMA found last. Its stored gap says what lies
 * below it too: an address in [vma_gap_start(v), v->end) has v as its first
 * VMA ending above it, and is mapped only from v->start on. The gap is kept
 * by the tree, so it is right for as long as v is in the tree. */
struct vma *space_vma_find(struct space *s, uaddr_t addr)
{
    struct vma *v = s->vma_cache;
    if (v && vma_gap_start(v) <= addr && addr < v->end)
        return addr >= v->start ? v : 0;
    v = vma_tree_find(&s->vmas, addr);
    if (v)
        s->vma_cache = v;
    return v;
}

struct vma *space_vma_find_after(struct space *s, uaddr_t addr)
{
    struct vma *v = s->vma_cache;
    if (v && vma_gap_start(v) <= addr && addr < v->end)
        return v;
    v = vma_tree_find_after(&s->vmas, addr);
    if (v)
        s->vma_cache = v;
    return v;
}

void space_vma_remove(struct space *s, struct vma *v)
{
    if (s->vma_cache == v)
        s->vma_cache = 0;
    vma_tree_remove(&s->vmas, v);
    vma_free(v);
}

bool space_may_commit(uint64_t pages)
{
    /* Linux's default overcommit mode refuses only what could never fit:
     * one request larger than all of memory (there is no swap here). */
    return pages <= frame_total_count();
}

bool space_may_lock(struct space *s, uint64_t len)
{
    uint64_t locked = 0;
    for (struct vma *v = vma_tree_first(&s->vmas); v; v = vma_tree_next(&s->vmas, v))
        if (v->flags & VMA_LOCKED)
            locked += v->end - v->start;
    return locked <= s->memlock_limit && len <= s->memlock_limit - locked;
}

struct vma *vma_alloc(void) { return slab_alloc(&vma_cache); }

void vma_free(struct vma *v)
{
    if (v->obj)
        vm_object_unref(v->obj);
    slab_free(&vma_cache, v);
}

int vma_spares_get(struct vma_spares *sp, unsigned n)
{
    sp->n = 0;
    while (sp->n < n) {
        struct vma *v = vma_alloc();
        if (!v) {
            vma_spares_put(sp);
            return -ENOMEM;
        }
        sp->v[sp->n++] = v;
    }
    return 0;
}

struct vma *vma_spares_take(struct vma_spares *sp)
{
    if (sp->n == 0)
        platform_panic("vma_spares_take: no spare record left");
    return sp->v[--sp->n];
}

void vma_spares_put(struct vma_spares *sp)
{
    while (sp->n)
        slab_free(&vma_cache, sp->v[--sp->n]);
}

void space_leaf_put(void *arg, uaddr_t va, paddr_t pa, unsigned prot)
{
    struct space *s = arg;
    (void)va, (void)prot;
    s->resident--;
    if (!frame_is_zero_page(pa))
        frame_unref(pa);
}

struct vma *space_vma_split(struct space *s, struct vma *v, uaddr_t addr, struct vma *hi)
{
    if (addr <= v->start || addr >= v->end || !page_aligned(addr))
        platform_panic("space_vma_split: split point outside the VMA");
    hi->start = addr;
    hi->end = v->end;
    hi->flags = v->flags;
    hi->obj = v->obj;
    hi->pgoff = v->pgoff + ((addr - v->start) >> PAGE_SHIFT);
    if (hi->obj)
        vm_object_ref(hi->obj);
    vma_tree_adjust(&s->vmas, v, v->start, addr);
    vma_tree_insert(&s->vmas, hi);
    return hi;
}

/* Objects of two neighbours are compatible when they are the same object,
 * or (private memory) both map the same file, or none, and at most one
 * side has an identity yet (Linux: the same vm_file, and anon_vmas that are
 * equal or absent on one side). */
static bool vma_objects_compatible(const struct vma *a, const struct vma *b)
{
    if (a->obj == b->obj)
        return true;
    if (a->flags & VMA_SHARED)
        return false;
    if (vm_object_source(a->obj) != vm_object_source(b->obj))
        return false;
    return !vma_identity(a) || !vma_identity(b);
}

bool vma_can_merge(const struct vma *a, const struct vma *b)
{
    return a->end == b->start && a->flags == b->flags && vma_objects_compatible(a, b) &&
           a->pgoff + vma_pages(a) == b->pgoff;
}

/* Absorb b (directly above a) into a. */
static void vma_absorb_next(struct space *s, struct vma *a, struct vma *b)
{
    uaddr_t end = b->end;
    if (!vma_identity(a) && vma_identity(b)) {
        /* a takes b's identity; b leaves with a's object (or none). */
        struct vm_object *old = a->obj;
        a->obj = b->obj;
        b->obj = old;
    }
    space_vma_remove(s, b);
    vma_tree_adjust(&s->vmas, a, a->start, end);
}

struct vma *space_vma_merge(struct space *s, struct vma *v)
{
    struct vma *prev = 0, *next;

    /* A VMA with free pages below it has no left neighbour to merge with:
     * its stored gap saves the search. Otherwise one descent finds both. */
    if (v->gap_pages)
        next = vma_tree_next(&s->vmas, v);
    else
        vma_tree_neighbours(&s->vmas, v, &prev, &next);
    return space_vma_merge_near(s, v, prev, next);
}

struct vma *space_vma_merge_near(struct space *s, struct vma *v, struct vma *prev, struct vma *next)
{
    bool left = prev && vma_can_merge(prev, v);
    bool right = next && vma_can_merge(v, next);

    /* Joining all three needs prev and next compatible with each other
     * too; when they are not, Linux merges to the left only. */
    if (left && right && !vma_objects_compatible(prev, next))
        right = false;
    if (right)
        vma_absorb_next(s, v, next);
    if (left) {
        vma_absorb_next(s, prev, v);
        v = prev;
    }
    return v;
}

void space_range_plan(struct space *s, uaddr_t start, uaddr_t end, struct range_plan *plan)
{
    struct vma *first = space_vma_find_after(s, start);

    *plan = (struct range_plan){0};
    if (!first || first->start >= end)
        return;
    plan->first = first;
    if (first->start < start) {
        plan->splits++;
        plan->middle = first->end > end;
    }
    struct vma *last = first->end >= end ? first : vma_tree_find_before(&s->vmas, end);
    if (last->end > end)
        plan->splits++;
}

void space_range_clear(struct space *s, uaddr_t start, uaddr_t end, const struct range_plan *plan,
                       struct vma_spares *sp)
{
    struct vma *v = plan->first;

    if (!v)
        return;
    if (v->start < start)
        v = space_vma_split(s, v, start, vma_spares_take(sp));
    pmap_remove(&s->pmap, start, end, space_leaf_put, s);
    while (v && v->start < end) {
        if (v->end > end)
            space_vma_split(s, v, end, vma_spares_take(sp));
        struct vma *next = v->end < end ? vma_tree_next(&s->vmas, v) : 0;
        space_vma_remove(s, v);
        v = next;
    }
}

