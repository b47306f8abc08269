/* mm/frame.c — the physical frame allocator and per-frame reference counts.
 *
 * The host registers up to FRAME_MAX_REGIONS regions of RAM. Each region's
 * first pages hold its part of the frame table (16 bytes per frame); the
 * rest are allocatable. Frames are numbered densely across regions, and free
 * frames form one LIFO list threaded through the table, so allocation and
 * freeing are O(1). */
#include "frame_table.h"

#include <mm/errno.h>
#include <mm/platform.h>
#include <mm/slab.h>

#define FRAME_MAX_REGIONS 16
#define ZERO_PAGE_PIN (UINT32_MAX / 2)

struct frame_region {
    paddr_t base;          /* first frame of the region, table included */
    uint32_t first_fn;     /* frame number of base */
    uint32_t npages;
    struct frame *table;   /* npages entries */
};

static struct frame_region regions[FRAME_MAX_REGIONS];
static unsigned nregions;
static uint32_t total_frames;  /* frame numbers in use: [0, total_frames) */
static uint32_t free_head = FRAME_NONE;
static uint64_t free_count, usable_count, reserve_count;
/* The zero page's address once it exists, else 1 (no frame has it), so
 * that frame_is_zero_page is one comparison. */
paddr_t frame_zero_pa = 1;
static struct frame_region *hit_region; /* where frame_of found the last frame */

static struct frame_region *region_of_fn(uint32_t fn)
{
    for (unsigned i = 0; i < nregions; i++)
        if (fn - regions[i].first_fn < regions[i].npages)
            return &regions[i];
    return 0;
}

struct frame *frame_entry(uint32_t fn)
{
    struct frame_region *r = region_of_fn(fn);
    if (!r)
        platform_panic("frame_entry: frame number outside every region");
    return &r->table[fn - r->first_fn];
}

/* The entry of the frame at pa, or NULL when pa is in no region: one pass
 * over the regions (frame_number followed by frame_entry takes two). */
static struct frame *frame_of(paddr_t pa)
{
    /* Most look-ups fall in the region of the previous one. */
    struct frame_region *h = __atomic_load_n(&hit_region, __ATOMIC_RELAXED);
    if (h && pa >= h->base && (pa - h->base) >> PAGE_SHIFT < h->npages)
        return &h->table[(pa - h->base) >> PAGE_SHIFT];
    for (unsigned i = 0; i < nregions; i++) {
        struct frame_region *r = &regions[i];
        if (pa >= r->base && (pa - r->base) >> PAGE_SHIFT < r->npages) {
            __atomic_store_n(&hit_region, r, __ATOMIC_RELAXED);
            return &r->table[(pa - r->base) >> PAGE_SHIFT];
        }
    }
    return 0;
}

uint32_t frame_number(paddr_t pa)
{
    for (unsigned i = 0; i < nregions; i++) {
        struct frame_region *r = &regions[i];
        if (pa >= r->base && (pa - r->base) >> PAGE_SHIFT < r->npages)
            return r->first_fn + (uint32_t)((pa - r->base) >> PAGE_SHIFT);
    }
    return FRAME_NONE;
}

paddr_t frame_address(uint32_t fn)
{
    struct frame_region *r = region_of_fn(fn);
    if (!r)
        platform_panic("frame_address: frame number outside every region");
    return r->base + ((paddr_t)(fn - r->first_fn) << PAGE_SHIFT);
}

/* Contract: see frame.h. Must be called before any allocation from the
 * region; regions must not overlap. */
int frame_add_region(paddr_t base, uint64_t npages)
{
    uint64_t table_bytes, table_pages;

    if (!page_aligned(base) || nregions == FRAME_MAX_REGIONS || npages < 2 ||
        npages > UINT32_MAX - total_frames - 1)
        return -EINVAL;
    table_bytes = npages * sizeof(struct frame);
    table_pages = (table_bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
    if (table_pages >= npages)
        return -EINVAL;

    struct frame_region *r = &regions[nregions++];
    r->base = base;
    r->first_fn = total_frames;
    r->npages = (uint32_t)npages;
    r->table = platform_phys_to_virt(base);
    total_frames += (uint32_t)npages;

    /* Table pages are in use forever; push the others, highest first, so
     * that allocation starts at the low end (nicer to read in dumps). */
    for (uint64_t i = 0; i < npages; i++) {
        r->table[i] = (struct frame){.refs = i < table_pages ? 1 : 0,
                                     .next = FRAME_NONE, .prev = FRAME_NONE};
    }
    for (uint64_t i = npages; i-- > table_pages;) {
        r->table[i].next = free_head;
        free_head = r->first_fn + (uint32_t)i;
    }
    free_count += npages - table_pages;
    usable_count += npages - table_pages;
    return 0;
}

void frame_reset(void)
{
    slab_reset_all();
    nregions = 0;
    hit_region = 0;
    total_frames = 0;
    free_head = FRAME_NONE;
    free_count = usable_count = reserve_count = 0;
    frame_zero_pa = 1;
}

void frame_set_reserve(uint64_t n) { reserve_count = n; }
uint64_t frame_reserve(void) { return reserve_count; }

/* Take the free list's head (frame_alloc_uninjected), inline in the
 * allocators: a page fault allocates one frame and should not pay for
 * three calls. */
static inline __attribute__((always_inline)) int frame_take(paddr_t *pa)
{
    uint32_t fn;

    platform_frame_lock();
    fn = free_head;
    if (fn == FRAME_NONE) {
        platform_frame_unlock();
        return -ENOMEM;
    }
    /* The free list's head is most often in the region of the last
     * look-up: no region search then. */
    struct frame_region *r = __atomic_load_n(&hit_region, __ATOMIC_RELAXED);
    if (!r || fn - r->first_fn >= r->npages)
        r = region_of_fn(fn);
    struct frame *f = &r->table[fn - r->first_fn];
    free_head = f->next;
    f->next = f->prev = FRAME_NONE;
    f->refs = 1;
    f->table_live = 0;
    free_count--;
    platform_frame_unlock();
    *pa = r->base + ((paddr_t)(fn - r->first_fn) << PAGE_SHIFT);
    return 0;
}

/* frame_take, and when no frame is free, again after the slab caches
 * have handed back the empty frames they keep. */
static inline __attribute__((always_inline)) int frame_take_or_reclaim(paddr_t *pa)
{
    int err = frame_take(pa);
    if (__builtin_expect(err != 0, 0) && slab_release_kept())
        err = frame_take(pa);
    return err;
}

int frame_alloc_uninjected(paddr_t *pa) { return frame_take_or_reclaim(pa); }

static inline __attribute__((always_inline)) int frame_alloc_inline(paddr_t *pa, enum mm_alloc_site site)
{
    if (platform_alloc_should_fail(site))
        return -ENOMEM;
    /* Unlocked reads: the reserve is a soft line. The slab's kept frames
     * count as free, but are asked for only near the line. */
    if (site == MM_ALLOC_FRAME && free_count <= reserve_count && free_count + slab_kept_frames() <= reserve_count)
        return -ENOMEM;
    return frame_take_or_reclaim(pa);
}

int frame_alloc(paddr_t *pa, enum mm_alloc_site site) { return frame_alloc_inline(pa, site); }

int frame_alloc_zeroed(paddr_t *pa, enum mm_alloc_site site)
{
    int err = frame_alloc_inline(pa, site);
    if (!err)
        frame_zero(*pa);
    return err;
}

static struct frame *frame_checked(paddr_t pa, const char *who)
{
    struct frame *f = frame_of(pa);
    if (!f || !page_aligned(pa))
        platform_panic(who);
    return f;
}

void frame_ref(paddr_t pa)
{
    platform_frame_lock();
    struct frame *f = frame_checked(pa, "frame_ref: not a frame");
    if (f->refs == 0 || f->refs == UINT32_MAX)
        platform_panic("frame_ref: free or saturated frame");
    f->refs++;
    platform_frame_unlock();
}

void frame_unref(paddr_t pa)
{
    platform_frame_lock();
    struct frame *f = frame_checked(pa, "frame_unref: not a frame");
    if (f->refs == 0)
        platform_panic("frame_unref: frame already free");
    if (--f->refs == 0) {
        f->next = free_head;
        f->prev = FRAME_NONE;
        free_head = frame_number(pa);
        free_count++;
    }
    platform_frame_unlock();
}

uint32_t frame_refcount(paddr_t pa)
{
    return frame_checked(pa, "frame_refcount: not a frame")->refs;
}

/* Contract: see frame.h. Only the pmap of the table's address space
 * changes the count, under the caller's serialisation of that pmap. */
uint32_t frame_table_live_add(paddr_t pa, int delta)
{
    struct frame *f = frame_checked(pa, "frame_table_live_add: not a frame");
    int n = (int)f->table_live + delta;
    if (f->refs == 0 || n < 0 || n > (int)(PAGE_SIZE / 8))
        platform_panic("frame_table_live_add: count out of range");
    f->table_live = (uint16_t)n;
    return (uint32_t)n;
}

/* Contract: see frame.h. */
uint32_t frame_table_live(paddr_t pa)
{
    return frame_checked(pa, "frame_table_live: not a frame")->table_live;
}

/* Contract: see frame.h. */
uint16_t *frame_table_live_slot(paddr_t pa)
{
    return &frame_checked(pa, "frame_table_live_slot: not a frame")->table_live;
}

bool frame_valid(paddr_t pa)
{
    return page_aligned(pa) && frame_number(pa) != FRAME_NONE;
}

uint64_t frame_free_count(void) { return free_count + slab_kept_frames(); }
uint64_t frame_total_count(void) { return usable_count; }

int frame_zero_page(paddr_t *pa)
{
    if (frame_zero_pa == 1) {
        paddr_t zpa;
        int err = frame_alloc_zeroed(&zpa, MM_ALLOC_FRAME);
        if (err)
            return err;
        /* Pinned: mappings of the zero page do not count references. */
        frame_entry(frame_number(zpa))->refs = ZERO_PAGE_PIN;
        frame_zero_pa = zpa;
    }
    *pa = frame_zero_pa;
    return 0;
}

bool frame_zero_page_ready(paddr_t *pa)
{
    *pa = frame_zero_pa;
    return frame_zero_pa != 1;
}

uint32_t frame_number_limit(void) { return total_frames; }

void frame_zero(paddr_t pa) { __builtin_memset(platform_phys_to_virt(pa), 0, PAGE_SIZE); }

void frame_copy(paddr_t dst, paddr_t src)
{
    __builtin_memcpy(platform_phys_to_virt(dst), platform_phys_to_virt(src), PAGE_SIZE);
}
