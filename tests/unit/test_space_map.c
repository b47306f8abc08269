/* tests/unit/test_space_map.c — mmap: placement, MAP_FIXED and
 * MAP_FIXED_NOREPLACE, merging, and every error case in Linux's order. */
#include "mm_test.h"

TEST(map_anonymous_write_read_unmap)
{
    struct space *s = t_space(SPACE_LAZY);
    int64_t a = space_map(s, 0, 4 * P, RW, ANON, 0, 0, false);
    REQUIRE(a > 0);
    CHECK_EQ(a, s->mmap_base - 4 * P); /* top-down: just below the base */
    for (int i = 0; i < 4; i++)
        CHECK_EQ(t_write(s, (uaddr_t)a + i * P + 7, (uint8_t)(0x40 + i)), FAULT_OK);
    for (int i = 0; i < 4; i++) {
        uint8_t b;
        CHECK_EQ(t_read(s, (uaddr_t)a + i * P + 7, &b), FAULT_OK);
        CHECK_EQ(b, 0x40 + i);
    }
    CHECK_EQ(s->resident, 4);
    T_CHECK(s);
    CHECK_EQ(space_unmap(s, (uaddr_t)a, 4 * P), 0);
    CHECK_EQ(t_read(s, (uaddr_t)a, 0), FAULT_SEGV_MAPERR);
    CHECK_EQ(s->resident, 0);
    CHECK_EQ(space_vma_count(s), 0);
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_topdown_places_below_and_merges)
{
    struct space *s = t_space(SPACE_LAZY);
    int64_t a = space_map(s, 0, 2 * P, RW, ANON, 0, 0, false);
    int64_t b = space_map(s, 0, 3 * P, RW, ANON, 0, 0, false);
    CHECK_EQ(b, a - 3 * P);
    CHECK_EQ(space_vma_count(s), 1); /* compatible neighbours merge */
    int64_t c = space_map(s, 0, P, PROT_READ, ANON, 0, 0, false);
    CHECK_EQ(c, b - P);
    CHECK_EQ(space_vma_count(s), 2); /* different protection: no merge */
    CHECK(!strcmp(t_layout(s, (uaddr_t)c), "0-1 r--p 1-6 rw-p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_hint_used_when_free_else_elsewhere)
{
    struct space *s = t_space(SPACE_LAZY);
    CHECK_EQ(space_map(s, B, 2 * P, RW, ANON, 0, 0, false), B);
    int64_t again = space_map(s, B + P, 2 * P, RW, ANON, 0, 0, false);
    CHECK(again > 0 && (uint64_t)again != B + P);
    CHECK_EQ(again, s->mmap_base - 2 * P);
    /* A hint below min_addr is raised to it. */
    CHECK_EQ(space_map(s, 0x1000, P, RW, ANON, 0, 0, false), s->min_addr);
    /* An unaligned hint is rounded down to its page (round_hint_to_min,
     * all architectures); a hint inside page 0 is no hint at all. */
    CHECK_EQ(space_map(s, B + 16 * P + 5, P, PROT_READ, ANON, 0, 0, false), B + 16 * P);
    CHECK_EQ(space_map(s, 1, P, PROT_EXEC, ANON, 0, 0, false), s->mmap_base - 3 * P);
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_fixed_replaces_middle)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 8 * P, RW) == (int64_t)B);
    for (int i = 0; i < 8; i++)
        t_write(s, B + i * P, (uint8_t)(i + 1));
    CHECK_EQ(map_fixed(s, B + 3 * P, 2 * P, PROT_READ), B + 3 * P);
    CHECK(!strcmp(t_layout(s, B), "0-3 rw-p 3-5 r--p 5-8 rw-p"));
    for (int i = 0; i < 8; i++) {
        uint8_t b;
        CHECK_EQ(t_read(s, B + i * P, &b), FAULT_OK);
        CHECK_EQ(b, (i == 3 || i == 4) ? 0 : i + 1);
    }
    CHECK_EQ(t_write(s, B + 3 * P, 1), FAULT_SEGV_ACCERR);
    /* Replacing it again with the original protection merges all three. */
    CHECK_EQ(map_fixed(s, B + 3 * P, 2 * P, RW), B + 3 * P);
    CHECK(!strcmp(t_layout(s, B), "0-8 rw-p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_fixed_over_several_vmas_and_holes)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 2 * P, PROT_READ);
    map_fixed(s, B + 3 * P, 2 * P, RW);
    map_fixed(s, B + 6 * P, 2 * P, PROT_EXEC);
    t_write(s, B + 4 * P, 9);
    CHECK_EQ(map_fixed(s, B + P, 6 * P, RW), B + P);
    CHECK(!strcmp(t_layout(s, B), "0-1 r--p 1-7 rw-p 7-8 --xp"));
    uint8_t b = 1;
    CHECK_EQ(t_read(s, B + 4 * P, &b), FAULT_OK);
    CHECK_EQ(b, 0);
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_fixed_noreplace_overlap_shapes)
{
    struct space *s = t_space(SPACE_LAZY);
    unsigned long fl = ANON | MAP_FIXED_NOREPLACE;
    map_fixed(s, B + 4 * P, 4 * P, RW);
    /* exact, inside, covering, straddling the start, straddling the end */
    CHECK_EQ(space_map(s, B + 4 * P, 4 * P, RW, fl, 0, 0, false), -EEXIST);
    CHECK_EQ(space_map(s, B + 5 * P, 1 * P, RW, fl, 0, 0, false), -EEXIST);
    CHECK_EQ(space_map(s, B + 2 * P, 8 * P, RW, fl, 0, 0, false), -EEXIST);
    CHECK_EQ(space_map(s, B + 3 * P, 2 * P, RW, fl, 0, 0, false), -EEXIST);
    CHECK_EQ(space_map(s, B + 7 * P, 2 * P, RW, fl, 0, 0, false), -EEXIST);
    /* adjacent on either side: fine, and merged */
    CHECK_EQ(space_map(s, B + 2 * P, 2 * P, RW, fl, 0, 0, false), B + 2 * P);
    CHECK_EQ(space_map(s, B + 8 * P, 1 * P, RW, fl, 0, 0, false), B + 8 * P);
    CHECK(!strcmp(t_layout(s, B), "2-9 rw-p"));
    /* unaligned address: EINVAL, like MAP_FIXED */
    CHECK_EQ(space_map(s, B + 20 * P + 1, P, RW, fl, 0, 0, false), -EINVAL);
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_errors_in_linux_order)
{
    struct space *s = t_space(SPACE_LAZY);
    uaddr_t top = s->top;
    CHECK_EQ(space_map(s, 0, P, RW, ANON, 0, 1, false), -EINVAL);         /* unaligned offset */
    CHECK_EQ(space_map(s, 0, 0, RW, ANON, 0, 1, false), -EINVAL);         /* offset first */
    CHECK_EQ(space_map(s, 0, 0, RW, ANON, 0, 0, false), -EINVAL);         /* length 0 */
    CHECK_EQ(space_map(s, 0, 0, RW, MAP_ANONYMOUS, 0, 0, false), -EINVAL); /* length before type */
    CHECK_EQ(space_map(s, 0, UINT64_MAX, RW, ANON, 0, 0, false), -ENOMEM); /* rounds past 2^64 */
    CHECK_EQ(space_map(s, 0, UINT64_MAX - P + 2, RW, ANON, 0, 0, false), -ENOMEM);
    CHECK_EQ(space_map(s, 0, top + P, RW, ANON, 0, 0, false), -ENOMEM);   /* larger than user space */
    CHECK_EQ(space_map(s, B + 1, P, RW, ANON | MAP_FIXED, 0, 0, false), -EINVAL);
    CHECK_EQ(space_map(s, top, P, RW, ANON | MAP_FIXED, 0, 0, false), -ENOMEM);
    CHECK_EQ(space_map(s, top - P, 2 * P, RW, ANON | MAP_FIXED, 0, 0, false), -ENOMEM);
    CHECK_EQ(space_map(s, top + 1, P, RW, ANON | MAP_FIXED, 0, 0, false), -ENOMEM); /* range before alignment */
    CHECK_EQ(space_map(s, 0x1000, P, RW, ANON | MAP_FIXED, 0, 0, false), -EPERM);  /* below min_addr */
    CHECK_EQ(space_map(s, B, P, RW, MAP_ANONYMOUS, 0, 0, false), -EINVAL);           /* no type */
    CHECK_EQ(space_map(s, B, P, RW, MAP_ANONYMOUS | MAP_SHARED_VALIDATE, 0, 0, false), -EINVAL);
    CHECK_EQ(space_map(s, B, P, RW, MAP_ANONYMOUS | 0xf, 0, 0, false), -EINVAL);
    CHECK_EQ(space_map(s, B, P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, 0, 0, false), -EINVAL);
    /* Fixed placement errors come before the type check. */
    CHECK_EQ(space_map(s, top, P, RW, MAP_ANONYMOUS | MAP_FIXED, 0, 0, false), -ENOMEM);
    /* The last page of user space is mappable. */
    CHECK_EQ(space_map(s, top - P, P, RW, ANON | MAP_FIXED, 0, 0, false), top - P);
    CHECK_EQ(t_write(s, top - 1, 5), FAULT_OK);
    /* Unknown flag bits are ignored for anonymous mappings. */
    CHECK_EQ(space_map(s, B, P, RW, ANON | MAP_FIXED | 0x80000000ul, 0, 0, false), B);
    CHECK_EQ(space_vma_count(s), 2);
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_no_free_gap_is_enomem)
{
    struct space *s = t_space(SPACE_LAZY);
    uint64_t big = s->top - s->min_addr;
    /* Linux searches below mmap_base, then above a third of user space:
     * nothing this large fits without MAP_FIXED. */
    CHECK_EQ(space_map(s, 0, big, PROT_NONE, ANON | MAP_NORESERVE, 0, 0, false), -ENOMEM);
    CHECK_EQ(space_map(s, s->min_addr, big, PROT_NONE, ANON | MAP_NORESERVE | MAP_FIXED, 0, 0, false),
             s->min_addr);
    CHECK_EQ(space_map(s, 0, P, RW, ANON, 0, 0, false), -ENOMEM);
    CHECK_EQ(space_unmap(s, B, P), 0);
    CHECK_EQ(space_map(s, 0, P, RW, ANON, 0, 0, false), B); /* the only hole */
    CHECK_EQ(space_map(s, 0, 2 * P, RW, ANON, 0, 0, false), -ENOMEM);
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_fallback_above_mmap_base)
{
    struct space *s = t_space(SPACE_LAZY);
    uaddr_t low = s->min_addr;
    /* Fill everything below mmap_base; the next mapping goes above it. */
    CHECK_EQ(map_fixed(s, low, s->mmap_base - low, PROT_NONE), low);
    int64_t a = space_map(s, 0, P, RW, ANON, 0, 0, false);
    CHECK_EQ(a, s->mmap_base);
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_vma_limit)
{
    struct space_config cfg = {.max_map_count = 3};
    struct space *s = t_space_cfg(&cfg);
    /* Alternate protections so that nothing merges. Like Linux, mmap
     * refuses only once the count is already above the limit. */
    for (int i = 0; i < 4; i++)
        CHECK_EQ(map_fixed(s, B + 2 * i * P, P, i & 1 ? PROT_READ : RW), B + 2 * i * P);
    CHECK_EQ(space_vma_count(s), 4);
    CHECK_EQ(map_fixed(s, B + 20 * P, P, RW), -ENOMEM);
    /* munmap of whole VMAs is always allowed and brings it back. */
    CHECK_EQ(space_unmap(s, B, 3 * P), 0);
    CHECK_EQ(space_vma_count(s), 2);
    CHECK_EQ(map_fixed(s, B + 20 * P, P, RW), B + 20 * P);
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_shared_anonymous)
{
    struct space *s = t_space(SPACE_LAZY);
    unsigned long sh = MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED;
    CHECK_EQ(space_map(s, B, 4 * P, RW, sh, 0, 0, false), B);
    CHECK_EQ(space_map(s, B + 4 * P, 4 * P, RW, sh, 0, 0, false), B + 4 * P);
    /* Two shared mappings are two objects: they never merge. */
    CHECK(!strcmp(t_layout(s, B), "0-4 rw-s 4-8 rw-s"));
    CHECK_EQ(t_write(s, B + P, 0x5a), FAULT_OK);
    uint8_t b;
    CHECK_EQ(t_read(s, B + P, &b), FAULT_OK);
    CHECK_EQ(b, 0x5a);
    /* Pieces of one shared mapping split by mprotect merge back. */
    CHECK_EQ(space_protect(s, B + P, P, PROT_READ), 0);
    CHECK(!strcmp(t_layout(s, B), "0-1 rw-s 1-2 r--s 2-4 rw-s 4-8 rw-s"));
    CHECK_EQ(t_write(s, B + P, 1), FAULT_SEGV_ACCERR);
    CHECK_EQ(space_protect(s, B + P, P, RW), 0);
    CHECK(!strcmp(t_layout(s, B), "0-4 rw-s 4-8 rw-s"));
    CHECK_EQ(t_read(s, B + P, &b), FAULT_OK);
    CHECK_EQ(b, 0x5a);
    CHECK_EQ(t_write(s, B + P, 0x5b), FAULT_OK);
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_populate_and_eager_policy)
{
    struct space *s = t_space(SPACE_LAZY);
    CHECK_EQ(space_map(s, B, 4 * P, RW, ANON | MAP_FIXED | MAP_POPULATE, 0, 0, false), B);
    CHECK_EQ(s->resident, 4);
    CHECK_EQ(space_map(s, B + 8 * P, 4 * P, PROT_NONE, ANON | MAP_FIXED | MAP_POPULATE, 0, 0, false), B + 8 * P);
    CHECK_EQ(s->resident, 4); /* PROT_NONE is not populated */
    T_CHECK(s);
    t_space_done(s);

    s = t_space(SPACE_EAGER);
    uint64_t before = frame_free_count();
    CHECK_EQ(space_map(s, B, 16 * P, RW, ANON | MAP_FIXED, 0, 0, false), B);
    CHECK_EQ(s->resident, 16);
    CHECK(frame_free_count() <= before - 16);
    struct hosted_stats st0, st1;
    hosted_stats_get(&st0);
    for (int i = 0; i < 16; i++)
        CHECK_EQ(t_write(s, B + i * P, 1), FAULT_OK);
    hosted_stats_get(&st1);
    CHECK_EQ(st1.faults - st0.faults, 0); /* nothing left to fault in */
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_out_of_memory_keeps_old_mapping)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 8 * P, RW) == (int64_t)B);
    t_write(s, B + 3 * P, 3);
    /* No VMA record can be allocated: MAP_FIXED over the middle fails and
     * the old mapping is intact. */
    hosted_fail_nth(MM_ALLOC_SLAB, 1, true);
    CHECK_EQ(map_fixed(s, B + 2 * P, 2 * P, PROT_READ), -ENOMEM);
    hosted_fail_nth(MM_ALLOC_SLAB, 0, false);
    CHECK(!strcmp(t_layout(s, B), "0-8 rw-p"));
    uint8_t b;
    CHECK_EQ(t_read(s, B + 3 * P, &b), FAULT_OK);
    CHECK_EQ(b, 3);
    /* Eager population without frames still maps (Linux never fails a
     * mapping for its population); the pages fill at their first fault,
     * and a MAP_FIXED replacement keeps what it did not replace. */
    s->policy = SPACE_EAGER;
    hosted_fail_nth(MM_ALLOC_FRAME, 3, true);
    CHECK_EQ(map_fixed(s, B + 20 * P, 8 * P, RW), B + 20 * P);
    CHECK_EQ(map_fixed(s, B + 6 * P, P, RW), B + 6 * P);
    hosted_fail_nth(MM_ALLOC_FRAME, 0, false);
    CHECK_EQ(t_read(s, B + 3 * P, &b), FAULT_OK);
    CHECK_EQ(b, 3);
    CHECK_EQ(t_write(s, B + 27 * P, 1), FAULT_OK);
    CHECK(!strcmp(t_layout(s, B), "0-8 rw-p 20-28 rw-p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_32bit_window_on_x86_64)
{
    struct space *s = t_space(SPACE_LAZY);
    int64_t a = space_map(s, 0, 2 * P, RW, ANON | 0x40, 0, 0, false);
    if (!strcmp(pmap_arch_name(), "x86_64")) {
        CHECK_EQ(a, 0x40000000); /* MAP_32BIT: bottom-up from 1 GiB */
        CHECK_EQ(space_map(s, 0, P, RW, ANON | 0x40, 0, 0, false), 0x40002000);
        CHECK_EQ(space_map(s, 0x50000000, P, RW, ANON | 0x40, 0, 0, false), 0x50000000);
        CHECK_EQ(space_map(s, 0, 0x40000000, RW, ANON | 0x40, 0, 0, false), -ENOMEM);
    } else {
        CHECK_EQ(a, s->mmap_base - 2 * P); /* 0x40 means nothing on aarch64 */
    }
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_thp_alignment_of_large_anonymous_mappings)
{
    const uint64_t M2 = 2ull << 20;
    struct space *s = t_space(SPACE_LAZY);
    /* A small mapping first, so the next search does not start on a 2 MiB
     * boundary. */
    CHECK_EQ(space_map(s, 0, P, RW, ANON, 0, 0, false), s->mmap_base - P);
    int64_t a = space_map(s, 0, M2, RW, ANON, 0, 0, false);
    CHECK_EQ(a, (s->mmap_base - P - M2) & ~(M2 - 1)); /* highest 2 MiB boundary that fits */
    int64_t b = space_map(s, 0, 2 * M2, RW, ANON, 0, 0, false);
    CHECK_EQ(b, a - 2 * M2);                    /* aligned, and merges with a */
    CHECK_EQ(space_vma_count(s), 2);
    /* The next small mapping fills the hole left above the aligned ones. */
    CHECK_EQ(space_map(s, 0, P, RW, ANON, 0, 0, false), s->mmap_base - 2 * P);
    /* Not a multiple of 2 MiB, shared, or with a hint: no alignment. */
    CHECK_EQ(space_map(s, 0, M2 + P, RW, ANON, 0, 0, false), b - (M2 + P));
    T_CHECK(s);
    t_space_done(s);

    struct space_config cfg = {.no_thp_align = true};
    s = t_space_cfg(&cfg);
    CHECK_EQ(space_map(s, 0, P, RW, ANON, 0, 0, false), s->mmap_base - P);
    CHECK_EQ(space_map(s, 0, M2, RW, ANON, 0, 0, false), s->mmap_base - P - M2);
    t_space_done(s);
}

TEST(map_hugetlb_and_stack_flags)
{
    struct space *s = t_space(SPACE_LAZY);
    /* No huge pages are reserved: Linux fails the hugetlbfs setup. */
    CHECK_EQ(space_map(s, 0, 2ull << 20, RW, ANON | MAP_HUGETLB, 0, 0, false), -ENOMEM);
    CHECK_EQ(space_map(s, 0, 0, RW, ANON | MAP_HUGETLB, 0, 0, false), -EINVAL);
    /* MAP_STACK memory is never huge-page backed (Linux 6.7+), so it does
     * not merge with a plain neighbour. */
    CHECK_EQ(map_fixed(s, B, 2 * P, RW), B);
    CHECK_EQ(space_map(s, B + 2 * P, 2 * P, RW, ANON | MAP_FIXED | MAP_STACK, 0, 0, false), B + 2 * P);
    CHECK(!strcmp(t_layout(s, B), "0-2 rw-p 2-4 rw-p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_hint_keeps_clear_of_stack_guard_gap)
{
    struct space *s = t_space(SPACE_LAZY);
    uaddr_t stack = B + 1024 * P;
    CHECK_EQ(space_map(s, stack, 4 * P, RW, ANON | MAP_FIXED | MAP_GROWSDOWN, 0, 0, false), stack);
    /* A hint inside the 256-page guard gap below a growing stack is not
     * honoured; one below the gap is. */
    CHECK(space_map(s, stack - P, P, RW, ANON, 0, 0, false) != (int64_t)(stack - P));
    CHECK_EQ(space_map(s, stack - 256 * P - P, P, RW, ANON, 0, 0, false), stack - 257 * P);
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_commit_check_and_memlock_limit)
{
    struct space *s = t_space(SPACE_LAZY);
    uint64_t mem = frame_total_count() * P;
    /* Linux's default overcommit: one request larger than all of memory
     * is refused when it would be charged (private writable, or shared). */
    CHECK_EQ(space_map(s, 0, mem + P, RW, ANON, 0, 0, false), -ENOMEM);
    CHECK_EQ(space_map(s, 0, mem + P, RW, MAP_SHARED | MAP_ANONYMOUS, 0, 0, false), -ENOMEM);
    CHECK(space_map(s, 0, mem + P, PROT_READ, ANON, 0, 0, false) > 0);             /* not charged */
    CHECK(space_map(s, 0, mem + P, RW, ANON | MAP_NORESERVE, 0, 0, false) > 0);     /* not charged */
    CHECK(space_map(s, 0, mem, RW, ANON, 0, 0, false) > 0);                         /* fits */
    /* Charging by mprotect and brk is checked the same way. */
    int64_t ro = space_map(s, 0, mem + P, PROT_READ, ANON, 0, 0, false);
    REQUIRE(ro > 0);
    CHECK_EQ(space_protect(s, (uaddr_t)ro, mem + P, RW), -ENOMEM);
    CHECK_EQ(space_protect(s, (uaddr_t)ro, P, RW), 0);
    space_brk_init(s, B);
    CHECK_EQ(space_brk(s, B + mem + P), B);
    CHECK_EQ(space_brk(s, B + P), B + P);
    T_CHECK(s);
    t_space_done(s);

    /* RLIMIT_MEMLOCK: MAP_LOCKED beyond it is -EAGAIN. */
    struct space_config cfg = {.memlock_limit = 4 * P};
    s = t_space_cfg(&cfg);
    CHECK_EQ(space_map(s, B, 3 * P, RW, ANON | MAP_FIXED | MAP_LOCKED, 0, 0, false), B);
    CHECK_EQ(space_map(s, B + 8 * P, 2 * P, RW, ANON | MAP_FIXED | MAP_LOCKED, 0, 0, false), -EAGAIN);
    CHECK_EQ(space_map(s, B + 8 * P, P, RW, ANON | MAP_FIXED | MAP_LOCKED, 0, 0, false), B + 8 * P);
    CHECK_EQ(space_map(s, B + 16 * P, 2 * P, RW, ANON | MAP_FIXED, 0, 0, false), B + 16 * P);
    T_CHECK(s);
    t_space_done(s);
}

TEST(map_droppable)
{
    struct space *s = t_space(SPACE_LAZY), *c;
    CHECK_EQ(space_map(s, B, 2 * P, RW, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_FIXED, 0, 0, false), B);
    CHECK_EQ(space_map(s, B + 4 * P, P, RW, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_LOCKED, 0, 0, false), -EINVAL);
    CHECK_EQ(space_map(s, B + 4 * P, P, RW, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_GROWSDOWN, 0, 0, false), -EINVAL);
    /* Its own kind: no merge with plain private memory; wiped on fork. */
    CHECK_EQ(map_fixed(s, B + 2 * P, P, RW), B + 2 * P);
    CHECK(!strcmp(t_layout(s, B), "0-2 rw-p 2-3 rw-p"));
    CHECK_EQ(t_write(s, B, 9), FAULT_OK);
    REQUIRE(space_fork(s, &c) == 0);
    uint8_t b = 1;
    CHECK_EQ(t_read(c, B, &b), FAULT_OK);
    CHECK_EQ(b, 0);
    space_destroy(c);
    T_CHECK(s);
    t_space_done(s);
}
