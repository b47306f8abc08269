/* mm/frame.h — physical frames: the allocator and per-frame reference counts.
 *
 * Frames come from regions the host registers once at start-up. Each frame
 * has a reference count: a data frame counts the page-table entries and
 * objects that hold it (copy-on-write shares a frame by raising it); a
 * page-table or slab frame has count 1 while in use. */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include <mm/platform.h>
#include <mm/types.h>

/* Register [base, base + npages * PAGE_SIZE) as allocatable memory. The
 * frame table for the region is carved from its first pages. Returns 0, or
 * -EINVAL for an unaligned or too small region, or when all region slots
 * are used. */
int frame_add_region(paddr_t base, uint64_t npages);

/* Allocate one frame with reference count 1, contents undefined. Returns 0
 * and sets *pa, or -ENOMEM. site says who asks: failure injection uses it,
 * and user data frames (MM_ALLOC_FRAME) may not take the last
 * frame_reserve() frames, which are kept for page tables and records so the
 * kernel can always make progress (and clean up) under memory pressure. */
int frame_alloc(paddr_t *pa, enum mm_alloc_site site);

/* Keep n frames back from user data allocations (0 by default). */
void frame_set_reserve(uint64_t n);
uint64_t frame_reserve(void);

/* Allocate one zero-filled frame; as frame_alloc. */
int frame_alloc_zeroed(paddr_t *pa, enum mm_alloc_site site);

/* Take another reference on an allocated frame. */
void frame_ref(paddr_t pa);

/* Drop a reference; the frame is freed when the count reaches zero. */
void frame_unref(paddr_t pa);

/* Current reference count (0 for a free frame). pa must lie in a region. */
uint32_t frame_refcount(paddr_t pa);

/* Page-table frames: the arch pmap keeps in the frame table the number of
 * non-zero entries of each table page, so that "is this table empty" costs
 * O(1). The count is 0 when the frame is allocated. Adds delta (which must
 * keep it within [0, 512]) and returns the new count; panics when pa is not
 * an allocated frame or the count would leave its range. */
uint32_t frame_table_live_add(paddr_t pa, int delta);
uint32_t frame_table_live(paddr_t pa);
/* Where that count is kept, for a pmap that updates it in place (valid
 * while the frame stays allocated). */
uint16_t *frame_table_live_slot(paddr_t pa);

/* True when pa is the start of a frame inside a registered region. */
bool frame_valid(paddr_t pa);

/* Counts over all regions. Free frames include the empty frames the slab
 * caches keep (slab_free), which an allocation takes back when needed. */
uint64_t frame_free_count(void);
uint64_t frame_total_count(void);

/* The shared zero frame: read faults on untouched private anonymous memory
 * map it read-only. Allocated by the first call; never freed. Returns 0 and
 * sets *pa, or -ENOMEM. */
int frame_zero_page(paddr_t *pa);
static inline bool frame_is_zero_page(paddr_t pa)
{
    extern paddr_t frame_zero_pa; /* frame.c's; 1 (no frame) until allocated */
    return pa == frame_zero_pa;
}

/* Contents helpers. */
void frame_zero(paddr_t pa);
void frame_copy(paddr_t dst, paddr_t src);

/* Forget all regions and everything carved from them, slab caches
 * included (hosted tests only: a fresh machine per test). */
void frame_reset(void);

#endif
