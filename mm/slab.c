/* mm/slab.c — fixed-size object caches carved from frames.
 *
 * A frame given to a cache is split into PAGE_SIZE / size objects. Its free
 * objects form a list threaded through their first two bytes (an object
 * index), headed by the frame-table entry's slab_free; slab_inuse counts the
 * allocated ones. Frames with at least one free object sit on the cache's
 * partial list (doubly linked through the frame table), and allocation
 * always takes from the head. A frame whose last object is freed goes back
 * to the frame allocator, unless the cache has no empty frame yet: then it
 * stays on the partial list as the cache's kept frame (empty), counted as
 * free memory and handed back when the frame allocator runs dry.
 *
 * Colour: a new frame hands out its objects starting at a slot chosen by
 * hashing its frame number, wrapping around. Without it the k-th object of
 * every frame sits at the same offset in its page, and objects allocated
 * at regular intervals (every 64th VMA: the upper levels of a tree built
 * in address order) all fall into the same few cache sets, which then
 * cannot hold them. */
#include <mm/errno.h>
#include <mm/platform.h>
#include <mm/slab.h>

#include "frame_table.h"

#define SLAB_END 0xffff

/* The caches that have kept an empty frame at some time (each is listed
 * once, on its first), and how many frames are kept now. */
static struct slab_cache *kept_caches;
static uint64_t kept_frames;

struct slab_cache vma_cache = SLAB_CACHE_INIT("vma", 64);
struct slab_cache object_cache = SLAB_CACHE_INIT("vm_object", 32);
struct slab_cache space_cache = SLAB_CACHE_INIT("space", 256);
struct slab_cache file_cache = SLAB_CACHE_INIT("vm_file", 80);

static uint16_t *slab_link(void *page, uint32_t size, uint16_t idx)
{
    return (uint16_t *)((char *)page + (uint64_t)idx * size);
}

static void partial_push(struct slab_cache *c, uint32_t fn)
{
    struct frame *f = frame_entry(fn);
    f->prev = FRAME_NONE;
    f->next = c->partial;
    if (c->partial != FRAME_NONE)
        frame_entry(c->partial)->prev = fn;
    c->partial = fn;
}

static void partial_unlink(struct slab_cache *c, uint32_t fn)
{
    struct frame *f = frame_entry(fn);
    if (f->prev != FRAME_NONE)
        frame_entry(f->prev)->next = f->next;
    else
        c->partial = f->next;
    if (f->next != FRAME_NONE)
        frame_entry(f->next)->prev = f->prev;
    f->next = f->prev = FRAME_NONE;
}

static int slab_grow(struct slab_cache *c)
{
    paddr_t pa;
    uint32_t per = (uint32_t)(PAGE_SIZE / c->size);

    if (frame_alloc_uninjected(&pa))
        return -ENOMEM;
    uint32_t fn = frame_number(pa);
    struct frame *f = frame_entry(fn);
    void *page = platform_phys_to_virt(pa);
    /* The first slot: a multiplicative hash of the frame number, scaled to
     * [0, per) without a division. */
    uint32_t colour = (uint32_t)((((uint64_t)fn * 0x9e3779b97f4a7c15ull) >> 32) * per >> 32);
    /* The list runs colour, colour + 1, ..., per - 1, 0, ..., colour - 1. */
    for (uint32_t i = 0; i + 1 < per; i++)
        *slab_link(page, c->size, (uint16_t)i) = (uint16_t)(i + 1);
    *slab_link(page, c->size, (uint16_t)(per - 1)) = (uint16_t)(colour ? 0 : SLAB_END);
    if (colour)
        *slab_link(page, c->size, (uint16_t)(colour - 1)) = SLAB_END;
    f->slab_free = (uint16_t)colour;
    f->slab_inuse = 0;
    partial_push(c, fn);
    c->frames++;
    return 0;
}

void *slab_alloc(struct slab_cache *c)
{
    if (platform_alloc_should_fail(MM_ALLOC_SLAB))
        return 0;
    if (c->partial == FRAME_NONE && slab_grow(c))
        return 0;
    uint32_t fn = c->partial;
    struct frame *f = frame_entry(fn);
    void *page = platform_phys_to_virt(frame_address(fn));

    if (fn == c->empty) { /* the kept frame holds objects again */
        c->empty = FRAME_NONE;
        kept_frames--;
        c->frames++;
    }
    uint16_t idx = f->slab_free;
    void *obj = slab_link(page, c->size, idx);

    f->slab_free = *(uint16_t *)obj;
    f->slab_inuse++;
    if (f->slab_free == SLAB_END)
        partial_unlink(c, fn);
    c->objects++;
    __builtin_memset(obj, 0, c->size);
    return obj;
}

void slab_free(struct slab_cache *c, void *obj)
{
    paddr_t pa = platform_virt_to_phys(obj);
    uint32_t fn = frame_number(pa & PAGE_MASK);

    if (fn == FRAME_NONE || (pa & (PAGE_SIZE - 1)) % c->size)
        platform_panic("slab_free: not an object of this cache");
    struct frame *f = frame_entry(fn);
    if (f->slab_inuse == 0)
        platform_panic("slab_free: frame has no objects in use");
    bool was_full = f->slab_free == SLAB_END;
    *(uint16_t *)obj = f->slab_free;
    f->slab_free = (uint16_t)((pa & (PAGE_SIZE - 1)) / c->size);
    f->slab_inuse--;
    c->objects--;
    if (was_full)
        partial_push(c, fn);
    if (f->slab_inuse == 0) {
        c->frames--;
        if (c->empty == FRAME_NONE) { /* keep it, on the partial list */
            c->empty = fn;
            kept_frames++;
            if (!c->listed) {
                c->listed = true;
                c->listed_next = kept_caches;
                kept_caches = c;
            }
            return;
        }
        partial_unlink(c, fn);
        frame_unref(frame_address(fn));
    }
}

bool slab_release_kept(void)
{
    bool any = false;

    for (struct slab_cache *c = kept_caches; c; c = c->listed_next) {
        uint32_t fn = c->empty;
        if (fn == FRAME_NONE)
            continue;
        c->empty = FRAME_NONE;
        kept_frames--;
        partial_unlink(c, fn);
        frame_unref(frame_address(fn));
        any = true;
    }
    return any;
}

uint64_t slab_kept_frames(void)
{
    return kept_frames;
}

void slab_cache_reset(struct slab_cache *c)
{
    c->partial = FRAME_NONE;
    c->objects = 0;
    c->frames = 0;
    c->empty = FRAME_NONE;
    c->listed = false;
    c->listed_next = NULL;
}

void slab_reset_all(void)
{
    kept_caches = NULL;
    kept_frames = 0;
    slab_cache_reset(&vma_cache);
    slab_cache_reset(&object_cache);
    slab_cache_reset(&space_cache);
    slab_cache_reset(&file_cache);
}
