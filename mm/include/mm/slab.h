/* mm/slab.h — fixed-size object caches for mm/'s records (VMAs, objects).
 *
 * Each cache carves frames into equal objects. A frame's bookkeeping lives
 * in its frame-table entry, not in the frame, so a 4 KiB frame holds exactly
 * 4096 / size objects: a 64-byte VMA costs 64 bytes. */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include <mm/types.h>

struct slab_cache {
    const char *name;
    uint32_t size;        /* object size, a multiple of 8, at most PAGE_SIZE / 2 */
    uint32_t partial;     /* frames with free objects (frame numbers, doubly linked) */
    uint64_t objects;     /* objects allocated */
    uint64_t frames;      /* frames holding objects */
    uint32_t empty;       /* a frame kept with no objects (on partial), or UINT32_MAX */
    bool listed;          /* on the list of caches that keep frames (slab.c) */
    struct slab_cache *listed_next;
};

#define SLAB_CACHE_INIT(n, sz) {.name = (n), .size = (sz), .partial = UINT32_MAX, .empty = UINT32_MAX}

/* Allocate one zero-filled object, or NULL when no frame is available.
 * Failure injection counts each call as one MM_ALLOC_SLAB allocation. */
void *slab_alloc(struct slab_cache *c);

/* Free an object obtained from slab_alloc on the same cache. A frame whose
 * objects are all free goes back to the frame allocator, except that each
 * cache keeps one such frame for its next allocation (a cache at a steady
 * size would otherwise take and return a frame with every allocation and
 * free). Kept frames count as free (frame_free_count) and the frame
 * allocator takes them back when it runs out (slab_release_kept). */
void slab_free(struct slab_cache *c, void *obj);

/* Give every kept empty frame back to the frame allocator. Returns true
 * when there was one. Called by the frame allocator when it has no free
 * frame, outside its lock. */
bool slab_release_kept(void);

/* Frames kept empty by all caches. */
uint64_t slab_kept_frames(void);

/* Forget all state (hosted tests start a fresh machine; frames vanish). */
void slab_cache_reset(struct slab_cache *c);

/* Reset every cache of mm/ (called by frame_reset). */
void slab_reset_all(void);

/* The caches mm/ uses, for statistics and resets. */
extern struct slab_cache vma_cache, object_cache, space_cache;
extern struct slab_cache file_cache; /* file objects (mm/object_file.c) */

#endif
