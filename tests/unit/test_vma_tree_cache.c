/* tests/unit/test_vma_tree_cache.c — the address space's lookup cache over
 * the VMA tree (space_vma_find, space_vma_find_after): it answers for the
 * cached VMA and for the gap below it, and every change to the tree that
 * moves a boundary near it is seen by the next lookup. */
#include "mm_test.h"

#include "../../mm/space_internal.h"

/* Every page of [lo, hi) looked up through the cache and straight in the
 * tree must agree, for both kinds of lookup. */
static void agree_everywhere(struct space *s, uaddr_t lo, uaddr_t hi)
{
    for (uaddr_t a = lo; a < hi; a += P / 2) {
        CHECK(space_vma_find(s, a) == vma_tree_find(&s->vmas, a));
        CHECK(space_vma_find_after(s, a) == vma_tree_find_after(&s->vmas, a));
    }
}

TEST(cache_answers_the_gap_below)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 2 * P, RW);
    map_fixed(s, B + 6 * P, 2 * P, PROT_READ);
    struct vma *hi = space_vma_find(s, B + 6 * P);
    CHECK(hi && hi->start == B + 6 * P);
    CHECK(s->vma_cache == hi);
    /* In the gap below the cached VMA: nothing there, the cached VMA is the
     * first one above, and the cache is still the same VMA. */
    CHECK(space_vma_find(s, B + 3 * P) == NULL);
    CHECK(space_vma_find_after(s, B + 3 * P) == hi);
    CHECK(space_vma_find_after(s, B + 2 * P) == hi);
    CHECK(s->vma_cache == hi);
    /* Below the gap: the lower VMA, from the tree. */
    CHECK(space_vma_find(s, B + P)->start == B);
    CHECK(space_vma_find_after(s, B + 8 * P) == NULL);
    agree_everywhere(s, B - 4 * P, B + 12 * P);
    T_CHECK(s);
    t_space_done(s);
}

TEST(cache_follows_changes_of_the_gap)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 2 * P, RW);
    map_fixed(s, B + 6 * P, 2 * P, PROT_READ);
    struct vma *hi = space_vma_find(s, B + 7 * P);
    CHECK(hi && s->vma_cache == hi);

    /* A mapping inside the cached VMA's gap shrinks the gap: the cache must
     * not claim that the new pages are free. */
    map_fixed(s, B + 3 * P, P, PROT_READ | PROT_EXEC);
    s->vma_cache = hi;
    CHECK(space_vma_find(s, B + 3 * P) != NULL);
    CHECK(space_vma_find(s, B + 3 * P)->start == B + 3 * P);
    s->vma_cache = hi;
    CHECK(space_vma_find_after(s, B + 2 * P)->start == B + 3 * P);
    agree_everywhere(s, B - 4 * P, B + 12 * P);

    /* Unmapping the VMA below the cached one widens its gap. */
    space_vma_find(s, B + 6 * P);
    CHECK_EQ(space_unmap(s, B + 3 * P, P), 0);
    CHECK(space_vma_find(s, B + 3 * P) == NULL);
    CHECK(space_vma_find_after(s, B + 3 * P) == hi);
    agree_everywhere(s, B - 4 * P, B + 12 * P);

    /* Unmapping the cached VMA itself empties the cache. */
    CHECK_EQ(space_unmap(s, B + 6 * P, 2 * P), 0);
    CHECK(s->vma_cache != hi);
    CHECK(space_vma_find(s, B + 7 * P) == NULL);
    CHECK(space_vma_find_after(s, B + 3 * P) == NULL);
    agree_everywhere(s, B - 4 * P, B + 12 * P);
    T_CHECK(s);
    t_space_done(s);
}

TEST(cache_after_protect_splits_and_merges)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 8 * P, RW);
    /* Split in three, then merge back: lookups agree with the tree at
     * every step, whatever VMA the cache holds. */
    CHECK_EQ(space_protect(s, B + 2 * P, 3 * P, PROT_READ), 0);
    CHECK(!strcmp(t_layout(s, B), "0-2 rw-p 2-5 r--p 5-8 rw-p"));
    agree_everywhere(s, B - 2 * P, B + 10 * P);
    CHECK_EQ(space_protect(s, B + 2 * P, 3 * P, PROT_READ | PROT_WRITE), 0);
    CHECK(!strcmp(t_layout(s, B), "0-8 rw-p"));
    agree_everywhere(s, B - 2 * P, B + 10 * P);
    CHECK(space_vma_find(s, B + 7 * P)->start == B);
    T_CHECK(s);
    t_space_done(s);
}

TEST(new_mapping_is_cached_and_merged_with_its_neighbours)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 2 * P, RW);
    map_fixed(s, B + 4 * P, 2 * P, RW);
    /* The new mapping fills the hole exactly: one VMA of six pages, and it
     * is the cached one. */
    map_fixed(s, B + 2 * P, 2 * P, RW);
    CHECK(!strcmp(t_layout(s, B), "0-6 rw-p"));
    CHECK(s->vma_cache && s->vma_cache->start == B && s->vma_cache->end == B + 6 * P);
    CHECK_EQ(s->vmas.count, 1);
    CHECK(vma_tree_first(&s->vmas) == s->vma_cache && vma_tree_last(&s->vmas) == s->vma_cache);
    T_CHECK(s);
    t_space_done(s);
}

/* VMAs created in address order become a tree whose upper levels are
 * every 64th record, every 128th, and so on. Those records must not all
 * sit at the same offset of their pages (the same cache sets): the slab
 * colours each new frame. Of 64 frames' worth of records, the first record
 * of each frame lands on many different offsets. */
TEST(vma_records_are_coloured)
{
    enum { FRAMES = 64, PER = 4096 / 64 };
    struct space *s = t_space(SPACE_LAZY);
    static struct vma *recs[FRAMES * PER];
    bool offset_used[PER] = {0};
    unsigned distinct = 0;

    CHECK_EQ(PAGE_SIZE / sizeof(struct vma), PER);
    for (unsigned i = 0; i < FRAMES * PER; i++) {
        recs[i] = vma_alloc();
        CHECK(recs[i] != NULL);
    }
    for (unsigned i = 0; i < FRAMES * PER; i += PER) {
        unsigned slot = (unsigned)(((uintptr_t)recs[i] & (PAGE_SIZE - 1)) / sizeof(struct vma));
        distinct += !offset_used[slot];
        offset_used[slot] = true;
    }
    /* A hash of 64 frame numbers into 64 slots: well over a third of the
     * slots (without colouring: exactly one). */
    CHECK(distinct >= PER / 3);
    for (unsigned i = 0; i < FRAMES * PER; i++)
        vma_free(recs[i]);
    t_space_done(s);
}
