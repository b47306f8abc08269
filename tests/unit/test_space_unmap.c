/* tests/unit/test_space_unmap.c — munmap: splits at both ends, ranges
 * across VMAs and holes, the VMA limit, errors; and brk. */
#include "mm_test.h"

TEST(unmap_middle_splits_and_frees)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 8 * P, RW);
    for (int i = 0; i < 8; i++)
        t_write(s, B + i * P, (uint8_t)(i + 1));
    uint64_t free_before = frame_free_count();
    CHECK_EQ(space_unmap(s, B + 2 * P, 3 * P), 0);
    CHECK(!strcmp(t_layout(s, B), "0-2 rw-p 5-8 rw-p"));
    CHECK_EQ(frame_free_count(), free_before + 3);
    CHECK_EQ(t_read(s, B + 3 * P, 0), FAULT_SEGV_MAPERR);
    uint8_t b;
    CHECK_EQ(t_read(s, B + 5 * P, &b), FAULT_OK);
    CHECK_EQ(b, 6);
    CHECK_EQ(t_read(s, B + P, &b), FAULT_OK);
    CHECK_EQ(b, 2);
    T_CHECK(s);
    t_space_done(s);
}

TEST(unmap_across_holes_and_unaligned_length)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 2 * P, RW);
    map_fixed(s, B + 3 * P, 2 * P, PROT_READ);
    map_fixed(s, B + 6 * P, 2 * P, RW);
    /* length 4.5 pages from page 1 covers pages 1..5 */
    CHECK_EQ(space_unmap(s, B + P, 4 * P + 100), 0);
    CHECK(!strcmp(t_layout(s, B), "0-1 rw-p 6-8 rw-p"));
    /* nothing mapped at all: success */
    CHECK_EQ(space_unmap(s, B + 100 * P, 10 * P), 0);
    T_CHECK(s);
    t_space_done(s);
}

TEST(unmap_errors)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 2 * P, RW);
    CHECK_EQ(space_unmap(s, B + 1, P), -EINVAL);
    CHECK_EQ(space_unmap(s, B, 0), -EINVAL);
    CHECK_EQ(space_unmap(s, s->top + P, P), -EINVAL);
    CHECK_EQ(space_unmap(s, s->top - P, 2 * P), -EINVAL);
    CHECK_EQ(space_unmap(s, B, UINT64_MAX), -EINVAL);
    CHECK_EQ(space_unmap(s, s->top - P, P), 0); /* the last page: fine */
    CHECK_EQ(space_unmap(s, 0, P), 0);          /* page zero: fine, nothing there */
    CHECK(!strcmp(t_layout(s, B), "0-2 rw-p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(unmap_at_vma_limit)
{
    struct space_config cfg = {.max_map_count = 3};
    struct space *s = t_space_cfg(&cfg);
    map_fixed(s, B, 4 * P, RW);
    map_fixed(s, B + 5 * P, 4 * P, RW);
    map_fixed(s, B + 10 * P, 4 * P, RW);
    /* A middle split would make 4: refused, nothing changed. */
    CHECK_EQ(space_unmap(s, B + P, P), -ENOMEM);
    CHECK_EQ(space_vma_count(s), 3);
    /* Cutting the ends of two VMAs keeps the count: allowed. */
    CHECK_EQ(space_unmap(s, B + 3 * P, 3 * P), 0);
    CHECK(!strcmp(t_layout(s, B), "0-3 rw-p 6-9 rw-p 10-14 rw-p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(unmap_frees_page_tables)
{
    struct space *s = t_space(SPACE_LAZY);
    uint32_t tables = s->pmap.table_pages;
    /* Two far-apart pages need their own table paths. */
    map_fixed(s, B, P, RW);
    map_fixed(s, 0x500000000000ull, P, RW);
    t_write(s, B, 1);
    t_write(s, 0x500000000000ull, 1);
    CHECK(s->pmap.table_pages >= tables + 6);
    CHECK_EQ(space_unmap(s, B, P), 0);
    CHECK_EQ(space_unmap(s, 0x500000000000ull, P), 0);
    CHECK_EQ(s->pmap.table_pages, tables);
    T_CHECK(s);
    t_space_done(s);
}

TEST(brk_grows_shrinks_byte_granular)
{
    struct space *s = t_space(SPACE_LAZY);
    space_brk_init(s, B + 123);
    uaddr_t h = B + P; /* heap start: page aligned above the image end */
    CHECK_EQ(s->brk_start, h);
    CHECK_EQ(space_brk(s, 0), h);           /* query */
    CHECK_EQ(space_brk(s, h + 100), h + 100);
    CHECK(!strcmp(t_layout(s, h), "0-1 rw-p"));
    CHECK_EQ(space_brk(s, h + 5000), h + 5000);
    CHECK(!strcmp(t_layout(s, h), "0-2 rw-p"));
    CHECK(space_vma_is_heap(s, vma_tree_first(&s->vmas)));
    CHECK_EQ(t_write(s, h + 4999, 7), FAULT_OK);
    CHECK_EQ(space_brk(s, h - 1), h + 5000); /* below the start: unchanged */
    CHECK_EQ(space_brk(s, h + 10), h + 10);  /* shrink: second page goes */
    CHECK(!strcmp(t_layout(s, h), "0-1 rw-p"));
    CHECK_EQ(t_read(s, h + P, 0), FAULT_SEGV_MAPERR);
    CHECK_EQ(space_brk(s, h + 20), h + 20);  /* same page: just the value */
    /* Growth must leave one free page before the next mapping. */
    map_fixed(s, h + 16 * P, P, PROT_READ);
    CHECK_EQ(space_brk(s, h + 15 * P + 1), h + 20);
    CHECK_EQ(space_brk(s, h + 15 * P), h + 15 * P);
    CHECK(!strcmp(t_layout(s, h), "0-15 rw-p 16-17 r--p"));
    CHECK_EQ(space_brk(s, UINT64_MAX), h + 15 * P); /* rounds past 2^64 */
    CHECK_EQ(space_brk(s, s->top + P), h + 15 * P);
    /* Shrinking to the start removes the VMA. */
    CHECK_EQ(space_brk(s, h), h);
    CHECK(!strcmp(t_layout(s, h), "16-17 r--p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(brk_shrink_fails_when_heap_unmapped)
{
    struct space *s = t_space(SPACE_LAZY);
    space_brk_init(s, B);
    CHECK_EQ(space_brk(s, B + 4 * P), B + 4 * P);
    CHECK_EQ(space_unmap(s, B, 4 * P), 0);
    /* Linux refuses to shrink a heap that is no longer there. */
    CHECK_EQ(space_brk(s, B + P), B + 4 * P);
    T_CHECK(s);
    t_space_done(s);
}

TEST(brk_merges_with_heap_and_eager_populates)
{
    struct space *s = t_space(SPACE_EAGER);
    space_brk_init(s, B);
    CHECK_EQ(space_brk(s, B + 2 * P), B + 2 * P);
    CHECK_EQ(space_brk(s, B + 5 * P), B + 5 * P);
    CHECK(!strcmp(t_layout(s, B), "0-5 rw-p"));
    CHECK_EQ(s->resident, 5);
    T_CHECK(s);
    t_space_done(s);
}

TEST(brk_needs_a_heap_and_names_it_strictly)
{
    struct space *s = t_space(SPACE_LAZY);
    /* No heap set up: brk changes nothing and maps nothing. */
    CHECK_EQ(space_brk(s, 0x5000), 0);
    CHECK_EQ(space_vma_count(s), 0);
    /* [heap] is a VMA overlapping [brk_start, brk), strictly. */
    map_fixed(s, B, 2 * P, RW); /* program data ending where the heap starts */
    space_brk_init(s, B + 2 * P);
    struct vma *data = vma_tree_first(&s->vmas);
    CHECK(!space_vma_is_heap(s, data));
    CHECK_EQ(space_brk(s, B + 3 * P), B + 3 * P);
    /* Linux extends only a VMA starting at or above brk_start: the heap is
     * a VMA of its own even though it could merge with the data. */
    CHECK(!strcmp(t_layout(s, B), "0-2 rw-p 2-3 rw-p"));
    struct vma *heap = vma_tree_next(&s->vmas, data);
    CHECK(heap && space_vma_is_heap(s, heap));
    /* Growth keeps the guard gap below a stack that grows down. */
    uaddr_t stack = B + 300 * P;
    space_map(s, stack, P, RW, ANON | MAP_FIXED | MAP_GROWSDOWN, 0, 0, false);
    CHECK_EQ(space_brk(s, stack - 256 * P), B + 3 * P);
    CHECK_EQ(space_brk(s, stack - 257 * P), stack - 257 * P);
    T_CHECK(s);
    t_space_done(s);
}
