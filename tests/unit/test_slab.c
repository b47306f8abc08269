/* tests/unit/test_slab.c — the slab caches: a frame whose objects are all
 * freed is kept (one per cache) for the next allocation, counts as free
 * memory, and goes back to the frame allocator when it runs dry. */
#include "mm_test.h"

#include <mm/slab.h>

#define PER (PAGE_SIZE / 64) /* VMA records per frame */

/* Fill one whole frame of vma_cache and one object of the next. */
static void fill(void *objs[PER + 1])
{
    for (unsigned i = 0; i <= PER; i++) {
        objs[i] = slab_alloc(&vma_cache);
        CHECK(objs[i] != NULL);
    }
}

TEST(emptied_frame_is_kept_and_reused)
{
    void *objs[PER + 1], *again;
    uint64_t free0, frames0;

    hosted_machine_init(T_MACHINE_PAGES);
    free0 = frame_free_count();
    fill(objs);
    frames0 = vma_cache.frames;
    CHECK_EQ(frames0, 2);
    CHECK_EQ(frame_free_count(), free0 - 2);

    /* The second frame's only object goes: the frame is kept, but counts
     * as free, and no longer as the cache's. */
    slab_free(&vma_cache, objs[PER]);
    CHECK_EQ(slab_kept_frames(), 1);
    CHECK_EQ(vma_cache.frames, 1);
    CHECK_EQ(frame_free_count(), free0 - 1);

    /* The next allocation on a full first frame takes the kept frame
     * again, at the same slot: no frame comes from the allocator. */
    again = slab_alloc(&vma_cache);
    CHECK(again == objs[PER]);
    CHECK_EQ(slab_kept_frames(), 0);
    CHECK_EQ(vma_cache.frames, 2);
    CHECK_EQ(frame_free_count(), free0 - 2);

    /* Emptying both frames keeps one and frees the other. */
    for (unsigned i = 0; i < PER; i++)
        slab_free(&vma_cache, objs[i]);
    slab_free(&vma_cache, again);
    CHECK_EQ(vma_cache.objects, 0);
    CHECK_EQ(vma_cache.frames, 0);
    CHECK_EQ(slab_kept_frames(), 1);
    CHECK_EQ(frame_free_count(), free0);
    CHECK(slab_release_kept());
    CHECK_EQ(slab_kept_frames(), 0);
    CHECK(!slab_release_kept());
    CHECK_EQ(frame_free_count(), free0);
}

TEST(kept_frames_are_taken_back_when_memory_runs_out)
{
    void *vma, *obj;
    paddr_t pa;
    uint64_t n = 0;

    hosted_machine_init(T_MACHINE_PAGES);
    /* One kept frame in each of two caches. */
    vma = slab_alloc(&vma_cache);
    obj = slab_alloc(&object_cache);
    CHECK(vma && obj);
    slab_free(&vma_cache, vma);
    slab_free(&object_cache, obj);
    CHECK_EQ(slab_kept_frames(), 2);

    /* Every frame frame_free_count() reports can be allocated: the last
     * two come from the caches. */
    uint64_t avail = frame_free_count();
    while (frame_alloc(&pa, MM_ALLOC_FRAME) == 0)
        n++;
    CHECK_EQ(n, avail);
    CHECK_EQ(slab_kept_frames(), 0);
    CHECK_EQ(frame_free_count(), 0);
    CHECK(slab_alloc(&vma_cache) == NULL);
}
