/* tests/unit/test_space_remap.c — mremap: every error in Linux's order,
 * shrink, grow in place (and the merge that follows), moves that carry the
 * frames instead of copying them, MREMAP_FIXED over existing mappings and
 * across several VMAs, MREMAP_DONTUNMAP, duplicating a shared mapping,
 * the VMA limit, population of grown parts and running out of memory. */
#include "mm_test.h"

#define D 0x20000000ull /* a second one, for destinations */
#define SHARED_ANON (MAP_SHARED | MAP_ANONYMOUS)
#define MOVE MREMAP_MAYMOVE
#define FIXED (MREMAP_MAYMOVE | MREMAP_FIXED)
#define KEEP (MREMAP_MAYMOVE | MREMAP_DONTUNMAP)

static paddr_t frame_at(struct space *s, uaddr_t va)
{
    paddr_t pa = 0;
    pmap_extract(&s->pmap, va, &pa, 0);
    return pa;
}

/* The VMAs overlapping [base, base + 64 pages), in t_layout's format. */
static const char *win(struct space *s, uaddr_t base)
{
    static char buf[512];
    size_t n = 0;
    buf[0] = 0;
    for (struct vma *v = vma_tree_find_after(&s->vmas, base); v && v->start < base + 64 * P && n < sizeof buf;
         v = vma_tree_next(&s->vmas, v))
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%" PRIu64 "-%" PRIu64 " %c%c%c%c", n ? " " : "",
                              (v->start - base) / P, (v->end - base) / P, (v->flags & VMA_READ) ? 'r' : '-',
                              (v->flags & VMA_WRITE) ? 'w' : '-', (v->flags & VMA_EXEC) ? 'x' : '-',
                              (v->flags & VMA_SHARED) ? 's' : 'p');
    return buf;
}

static uint8_t rd(struct space *s, uaddr_t va)
{
    uint8_t b = 0xee;
    CHECK_EQ(t_read(s, va, &b), FAULT_OK);
    return b;
}

/* Write page i of [a, a + n pages) with the value base + i. */
static void fill(struct space *s, uaddr_t a, int n, uint8_t base)
{
    for (int i = 0; i < n; i++)
        CHECK_EQ(t_write(s, a + (uint64_t)i * P, (uint8_t)(base + i)), FAULT_OK);
}

TEST(remap_errors_in_linux_order)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    REQUIRE(map_fixed(s, B + 4 * P, P, PROT_READ) == (int64_t)(B + 4 * P));
    fill(s, B, 4, 1);

    /* Checks that need no VMA, all -EINVAL. */
    CHECK_EQ(space_remap(s, B, P, P, 8, 0), -EINVAL);               /* unknown flag */
    CHECK_EQ(space_remap(s, B + 100 * P, P, P, 8, 0), -EINVAL);     /* before the lookup */
    CHECK_EQ(space_remap(s, B + 1, P, P, 0, 0), -EINVAL);           /* unaligned old */
    CHECK_EQ(space_remap(s, B, P, 0, MOVE, 0), -EINVAL);            /* new length 0 */
    CHECK_EQ(space_remap(s, B, P, UINT64_MAX, MOVE, 0), -EINVAL);   /* rounds up to 0 */
    CHECK_EQ(space_remap(s, B, P, s->top + P, MOVE, 0), -EINVAL);   /* beyond user space */
    CHECK_EQ(space_remap(s, B + 100 * P, P, 0, 0, 0), -EINVAL);     /* before -EFAULT */
    CHECK_EQ(space_remap(s, B, P, P, MREMAP_FIXED, D), -EINVAL);    /* FIXED needs MAYMOVE */
    CHECK_EQ(space_remap(s, B, P, P, MREMAP_DONTUNMAP, D), -EINVAL);
    CHECK_EQ(space_remap(s, B, P, 2 * P, KEEP, D), -EINVAL);        /* DONTUNMAP resizes */
    CHECK_EQ(space_remap(s, B, P, P, FIXED, D + 1), -EINVAL);       /* unaligned new */
    CHECK_EQ(space_remap(s, B, P, P, KEEP, D + 1), -EINVAL);        /* the hint, too */
    CHECK_EQ(space_remap(s, B, P, 2 * P, FIXED, s->top - P), -EINVAL);
    CHECK_EQ(space_remap(s, B, 4 * P, 4 * P, FIXED, B + 2 * P), -EINVAL); /* overlap */
    CHECK_EQ(space_remap(s, B, 4 * P, 2 * P, FIXED, B - P), -EINVAL);
    CHECK_EQ(space_remap(s, B, 4 * P, 4 * P, KEEP, B), -EINVAL);
    /* The VMA: none at old, -EFAULT. */
    CHECK_EQ(space_remap(s, B + 100 * P, P, 2 * P, MOVE, 0), -EFAULT);
    CHECK_EQ(space_remap(s, B + 100 * P, 2 * P, P, 0, 0), -EFAULT); /* even to shrink */
    CHECK_EQ(space_remap(s, B + 100 * P, P, P, FIXED, D), -EFAULT);
    /* Growing or moving a range that leaves its VMA: -EFAULT. */
    CHECK_EQ(space_remap(s, B, 5 * P, 8 * P, MOVE, 0), -EFAULT);
    CHECK_EQ(space_remap(s, B + 3 * P, 2 * P, 2 * P, KEEP, 0), -EFAULT);
    /* old_len 0 duplicates shared mappings only. */
    CHECK_EQ(space_remap(s, B, 0, P, MOVE, 0), -EINVAL);
    /* Cannot grow in place and may not move. */
    CHECK_EQ(space_remap(s, B, 4 * P, 8 * P, 0, 0), -ENOMEM);
    CHECK_EQ(space_remap(s, B, 2 * P, 3 * P, 0, 0), -ENOMEM); /* not at the VMA's end */
    CHECK(!strcmp(win(s, B), "0-4 rw-p 4-5 r--p"));
    /* A fixed destination below min_addr: -EPERM once the destination is
     * unmapped (nothing there here). */
    CHECK_EQ(space_remap(s, B, P, P, FIXED, P), -EPERM);
    CHECK(!strcmp(win(s, B), "0-4 rw-p 4-5 r--p"));
    for (int i = 0; i < 4; i++)
        CHECK_EQ(rd(s, B + (uint64_t)i * P), i + 1);
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_shrink_unmaps_the_tail)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 8 * P, RW) == (int64_t)B);
    fill(s, B, 8, 1);
    uint64_t free_before = frame_free_count();
    CHECK_EQ(space_remap(s, B, 8 * P, 3 * P, 0, 0), B);
    CHECK(!strcmp(win(s, B), "0-3 rw-p"));
    CHECK_EQ(frame_free_count(), free_before + 5);
    CHECK_EQ(t_read(s, B + 3 * P, 0), FAULT_SEGV_MAPERR);
    CHECK_EQ(rd(s, B + 2 * P), 3);
    T_CHECK(s);
    /* Same size, in place: the address back, whatever the range covers. */
    CHECK_EQ(space_remap(s, B, 3 * P, 3 * P, 0, 0), B);
    CHECK_EQ(space_remap(s, B, 40 * P, 40 * P, MOVE, 0), B);
    /* A shrink may cut across VMAs and holes: only old must be mapped. */
    REQUIRE(map_fixed(s, B + 4 * P, 2 * P, PROT_READ) == (int64_t)(B + 4 * P));
    CHECK_EQ(space_remap(s, B + P, 8 * P, P + 100, 0, 0), B + P); /* new rounds to 2 pages */
    CHECK(!strcmp(win(s, B), "0-3 rw-p"));
    CHECK_EQ(space_remap(s, B + P, 2 * P, P, MOVE, 0), B + P); /* MAYMOVE: still in place */
    CHECK(!strcmp(win(s, B), "0-2 rw-p"));
    CHECK_EQ(rd(s, B + P), 2);
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_grow_in_place_keeps_frames)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    fill(s, B, 4, 0x10);
    paddr_t pa = frame_at(s, B + 3 * P);
    CHECK_EQ(space_remap(s, B, 4 * P, 8 * P, 0, 0), B);
    CHECK(!strcmp(win(s, B), "0-8 rw-p"));
    CHECK_EQ(frame_at(s, B + 3 * P), pa);
    CHECK_EQ(rd(s, B + 3 * P), 0x13);
    CHECK_EQ(rd(s, B + 7 * P), 0); /* the new part is demand-zero */
    T_CHECK(s);
    /* From inside the VMA, the range ending at its end: grows too. */
    CHECK_EQ(space_remap(s, B + 6 * P, 2 * P, 4 * P, 0, 0), B + 6 * P);
    CHECK(!strcmp(win(s, B), "0-10 rw-p"));
    /* Up to the next VMA exactly: fits. One page more: it must move. */
    REQUIRE(map_fixed(s, B + 12 * P, P, PROT_READ) == (int64_t)(B + 12 * P));
    CHECK_EQ(space_remap(s, B, 10 * P, 12 * P, 0, 0), B);
    CHECK_EQ(space_remap(s, B, 12 * P, 13 * P, 0, 0), -ENOMEM);
    CHECK(!strcmp(win(s, B), "0-12 rw-p 12-13 r--p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_grow_merges_with_the_vma_above)
{
    struct space *s = t_space(SPACE_LAZY);
    /* Never-written private anonymous VMAs line up by address. */
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    REQUIRE(map_fixed(s, B + 8 * P, 4 * P, RW) == (int64_t)(B + 8 * P));
    CHECK(!strcmp(win(s, B), "0-4 rw-p 8-12 rw-p"));
    CHECK_EQ(space_remap(s, B, 4 * P, 8 * P, 0, 0), B);
    CHECK(!strcmp(win(s, B), "0-12 rw-p"));
    T_CHECK(s);
    t_space_done(s);

    /* Written below, unwritten above: still compatible, one VMA. */
    s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    REQUIRE(map_fixed(s, B + 8 * P, 4 * P, RW) == (int64_t)(B + 8 * P));
    fill(s, B, 4, 1);
    CHECK_EQ(space_remap(s, B, 4 * P, 8 * P, 0, 0), B);
    CHECK(!strcmp(win(s, B), "0-12 rw-p"));
    CHECK_EQ(rd(s, B + 2 * P), 3);
    T_CHECK(s);
    t_space_done(s);

    /* Both written: two anonymous identities never merge; nor do
     * different protections. */
    s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    REQUIRE(map_fixed(s, B + 8 * P, 4 * P, RW) == (int64_t)(B + 8 * P));
    REQUIRE(map_fixed(s, B + 20 * P, 4 * P, RW) == (int64_t)(B + 20 * P));
    REQUIRE(map_fixed(s, B + 28 * P, 4 * P, PROT_READ) == (int64_t)(B + 28 * P));
    fill(s, B, 4, 1);
    fill(s, B + 8 * P, 4, 9);
    CHECK_EQ(space_remap(s, B, 4 * P, 8 * P, 0, 0), B);
    CHECK_EQ(space_remap(s, B + 20 * P, 4 * P, 8 * P, 0, 0), B + 20 * P);
    CHECK(!strcmp(win(s, B), "0-8 rw-p 8-12 rw-p 20-28 rw-p 28-32 r--p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_move_carries_frames)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    REQUIRE(map_fixed(s, B + 4 * P, P, PROT_READ) == (int64_t)(B + 4 * P)); /* blocks growth */
    fill(s, B, 4, 0x21);
    paddr_t pa[4];
    for (int i = 0; i < 4; i++)
        pa[i] = frame_at(s, B + (uint64_t)i * P);
    uint64_t resident = s->resident;

    int64_t n = space_remap(s, B, 4 * P, 8 * P, MOVE, 0);
    REQUIRE(n > 0 && page_aligned((uint64_t)n) && (uint64_t)n != B);
    uaddr_t a = (uaddr_t)n;
    CHECK(!strcmp(win(s, B), "4-5 r--p"));
    CHECK_EQ(t_read(s, B, 0), FAULT_SEGV_MAPERR);
    CHECK(!strcmp(win(s, a), "0-8 rw-p"));
    CHECK_EQ(s->resident, resident); /* leaves moved, none added or lost */
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(frame_at(s, a + (uint64_t)i * P), pa[i]); /* the same frame: no copy */
        CHECK_EQ(frame_refcount(pa[i]), 1);
        CHECK_EQ(rd(s, a + (uint64_t)i * P), 0x21 + i);
    }
    CHECK_EQ(rd(s, a + 6 * P), 0);
    /* Still private and writable in place: a write reuses the frame. */
    CHECK_EQ(t_write(s, a, 0x99), FAULT_OK);
    CHECK_EQ(frame_at(s, a), pa[0]);
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_move_prot_none_and_shared_pages)
{
    struct space *s = t_space(SPACE_LAZY);
    /* PROT_NONE leaves keep their frames through a move. */
    REQUIRE(map_fixed(s, B, 2 * P, RW) == (int64_t)B);
    fill(s, B, 2, 0x31);
    REQUIRE(space_protect(s, B, 2 * P, PROT_NONE) == 0);
    paddr_t pa = frame_at(s, B + P);
    CHECK_EQ(space_remap(s, B, 2 * P, 2 * P, FIXED, D), D);
    CHECK_EQ(frame_at(s, D + P), pa);
    CHECK_EQ(t_read(s, D + P, 0), FAULT_SEGV_ACCERR);
    REQUIRE(space_protect(s, D, 2 * P, PROT_READ) == 0);
    CHECK_EQ(rd(s, D + P), 0x32);
    T_CHECK(s);

    /* A moved shared mapping still shares: a duplicate of it sees writes
     * made through the moved copy. */
    REQUIRE(space_map(s, B, 4 * P, RW, SHARED_ANON | MAP_FIXED, 0, 0, false) == (int64_t)B);
    CHECK_EQ(t_write(s, B + P, 0x41), FAULT_OK);
    int64_t dup = space_remap(s, B, 0, 4 * P, MOVE, 0);
    REQUIRE(dup > 0);
    CHECK_EQ(space_remap(s, B, 4 * P, 4 * P, FIXED, D + 8 * P), D + 8 * P);
    CHECK(!strcmp(win(s, D + 8 * P), "0-4 rw-s"));
    CHECK(!strcmp(win(s, (uaddr_t)dup), "0-4 rw-s"));
    CHECK_EQ(rd(s, D + 9 * P), 0x41);
    CHECK_EQ(t_write(s, D + 10 * P, 0x42), FAULT_OK);
    CHECK_EQ(rd(s, (uaddr_t)dup + 2 * P), 0x42);
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_moved_offsets_decide_merges)
{
    struct space *s = t_space(SPACE_LAZY);
    uaddr_t c = B + 64 * P;
    REQUIRE(map_fixed(s, c, 4 * P, RW) == (int64_t)c); /* never written */

    /* Written private memory keeps its old offset: next to c's VMA, whose
     * offset follows its address, it stays a VMA of its own. */
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    fill(s, B, 4, 1);
    CHECK_EQ(space_remap(s, B, 4 * P, 4 * P, FIXED, c + 4 * P), c + 4 * P);
    CHECK(!strcmp(win(s, c), "0-4 rw-p 4-8 rw-p"));
    CHECK_EQ(rd(s, c + 5 * P), 2);
    T_CHECK(s);

    /* Never-written memory takes its new address as offset: it merges. */
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    CHECK_EQ(space_remap(s, B, 4 * P, 4 * P, FIXED, c - 4 * P), c - 4 * P);
    CHECK(!strcmp(win(s, c - 4 * P), "0-8 rw-p 8-12 rw-p"));
    T_CHECK(s);

    /* Moving part of a written VMA back where it lines up merges again. */
    CHECK_EQ(space_remap(s, c + 6 * P, 2 * P, 2 * P, FIXED, D), D);
    CHECK(!strcmp(win(s, c - 4 * P), "0-8 rw-p 8-10 rw-p"));
    CHECK_EQ(space_remap(s, D, 2 * P, 2 * P, FIXED, c + 6 * P), c + 6 * P);
    CHECK(!strcmp(win(s, c - 4 * P), "0-8 rw-p 8-12 rw-p"));
    CHECK_EQ(rd(s, c + 7 * P), 4);
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_fixed_replaces_the_destination)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    REQUIRE(map_fixed(s, D, 8 * P, RW) == (int64_t)D);
    fill(s, B, 4, 0x11);
    fill(s, D, 8, 0x71);
    CHECK_EQ(space_remap(s, B, 4 * P, 4 * P, FIXED, D + 2 * P), D + 2 * P);
    CHECK(!strcmp(win(s, D), "0-2 rw-p 2-6 rw-p 6-8 rw-p"));
    CHECK_EQ(t_read(s, B, 0), FAULT_SEGV_MAPERR);
    CHECK_EQ(rd(s, D + P), 0x72);
    CHECK_EQ(rd(s, D + 2 * P), 0x11);
    CHECK_EQ(rd(s, D + 5 * P), 0x14);
    CHECK_EQ(rd(s, D + 6 * P), 0x77);
    T_CHECK(s);

    /* A shrinking fixed move: the tail goes, the rest moves. The old
     * range may run past its VMA, since only the kept part moves. */
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    fill(s, B, 4, 0x51);
    CHECK_EQ(space_remap(s, B, 16 * P, 2 * P, FIXED, D + 20 * P), D + 20 * P);
    CHECK_EQ(t_read(s, B + 3 * P, 0), FAULT_SEGV_MAPERR);
    CHECK(!strcmp(win(s, D + 20 * P), "0-2 rw-p"));
    CHECK_EQ(rd(s, D + 21 * P), 0x52);
    T_CHECK(s);

    /* A growing fixed move. */
    CHECK_EQ(space_remap(s, D + 20 * P, 2 * P, 6 * P, FIXED, B), B);
    CHECK(!strcmp(win(s, B), "0-6 rw-p"));
    CHECK_EQ(rd(s, B), 0x51);
    CHECK_EQ(rd(s, B + 5 * P), 0);
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_fixed_moves_several_vmas)
{
    struct space *s = t_space(SPACE_LAZY);
    /* [0,2) rw, a hole, [3,5) r--, [5,6) rw: one request moves them all,
     * holes kept (Linux 6.17: a pure move may span VMAs). */
    REQUIRE(map_fixed(s, B, 2 * P, RW) == (int64_t)B);
    REQUIRE(map_fixed(s, B + 3 * P, 2 * P, PROT_READ) == (int64_t)(B + 3 * P));
    REQUIRE(map_fixed(s, B + 5 * P, P, RW) == (int64_t)(B + 5 * P));
    fill(s, B, 2, 0x61);
    fill(s, B + 5 * P, 1, 0x65);
    /* Something in the destination's hole stays: only the pieces'
     * destinations are unmapped. */
    REQUIRE(map_fixed(s, D + 2 * P, P, PROT_READ | PROT_EXEC) == (int64_t)(D + 2 * P));
    CHECK_EQ(space_remap(s, B, 6 * P, 6 * P, FIXED, D), D);
    CHECK(!strcmp(win(s, B), ""));
    CHECK(!strcmp(win(s, D), "0-2 rw-p 2-3 r-xp 3-5 r--p 5-6 rw-p"));
    CHECK_EQ(rd(s, D + P), 0x62);
    CHECK_EQ(rd(s, D + 5 * P), 0x65);
    CHECK_EQ(rd(s, D + 4 * P), 0);
    T_CHECK(s);

    /* The range may end in a hole, but must start inside a VMA. */
    CHECK_EQ(space_remap(s, D + 5 * P, 3 * P, 3 * P, FIXED, B), B);
    CHECK(!strcmp(win(s, B), "0-1 rw-p"));
    CHECK_EQ(space_remap(s, D + 5 * P, P, P, FIXED, B + 8 * P), -EFAULT);
    CHECK_EQ(space_remap(s, D + 6 * P, 4 * P, 4 * P, FIXED, B + 8 * P), -EFAULT);
    /* Starting in the middle of a VMA moves only the part in range. */
    CHECK_EQ(space_remap(s, D + P, 3 * P, 3 * P, FIXED, B + 8 * P), B + 8 * P);
    CHECK(!strcmp(win(s, D), "0-1 rw-p 4-5 r--p"));
    CHECK(!strcmp(win(s, B + 8 * P), "0-1 rw-p 1-2 r-xp 2-3 r--p"));
    CHECK_EQ(rd(s, B + 8 * P), 0x62);
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_dontunmap_leaves_the_old_range_empty)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    fill(s, B, 4, 0x81);
    paddr_t pa = frame_at(s, B + 2 * P);
    int64_t n = space_remap(s, B, 4 * P, 4 * P, KEEP, 0);
    REQUIRE(n > 0 && (uint64_t)n != B);
    uaddr_t a = (uaddr_t)n;
    /* The old range stays mapped, reads zero; the data moved. */
    CHECK(!strcmp(win(s, B), "0-4 rw-p"));
    CHECK(space_vma_find(s, B)->obj == 0); /* a fresh anonymous identity to come */
    CHECK_EQ(frame_at(s, a + 2 * P), pa);
    CHECK_EQ(rd(s, a + 2 * P), 0x83);
    CHECK_EQ(rd(s, B + 2 * P), 0);
    CHECK_EQ(t_write(s, B + 2 * P, 7), FAULT_OK);
    CHECK_EQ(rd(s, a + 2 * P), 0x83);
    T_CHECK(s);

    /* With a fixed destination; part of a VMA keeps its identity. */
    CHECK_EQ(space_remap(s, a + P, 2 * P, 2 * P, MREMAP_DONTUNMAP | FIXED, D), D);
    CHECK(!strcmp(win(s, D), "0-2 rw-p"));
    CHECK_EQ(rd(s, D + P), 0x83);
    CHECK_EQ(rd(s, a + P), 0);
    CHECK(space_vma_find(s, a)->obj != 0);
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_dontunmap_shared_and_locked)
{
    struct space *s = t_space(SPACE_LAZY);
    /* Shared memory (allowed since Linux 5.13): the old range refaults
     * from the object, so both ranges see the same data. */
    REQUIRE(space_map(s, B, 2 * P, RW, SHARED_ANON | MAP_FIXED, 0, 0, false) == (int64_t)B);
    CHECK_EQ(t_write(s, B + P, 0x42), FAULT_OK);
    CHECK_EQ(space_remap(s, B, 2 * P, 2 * P, MREMAP_DONTUNMAP | FIXED, D), D);
    CHECK(!strcmp(win(s, B), "0-2 rw-s"));
    CHECK_EQ(rd(s, D + P), 0x42);
    CHECK_EQ(rd(s, B + P), 0x42);
    CHECK_EQ(t_write(s, D + P, 0x43), FAULT_OK);
    CHECK_EQ(rd(s, B + P), 0x43);
    T_CHECK(s);

    /* A locked mapping: the old VMA loses MAP_LOCKED, the new keeps it. */
    REQUIRE(space_map(s, B + 8 * P, 2 * P, RW, ANON | MAP_FIXED | MAP_LOCKED, 0, 0, false) ==
            (int64_t)(B + 8 * P));
    CHECK_EQ(space_remap(s, B + 8 * P, 2 * P, 2 * P, MREMAP_DONTUNMAP | FIXED, D + 8 * P), D + 8 * P);
    CHECK(!(space_vma_find(s, B + 8 * P)->flags & VMA_LOCKED));
    CHECK(space_vma_find(s, D + 8 * P)->flags & VMA_LOCKED);
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_duplicates_a_shared_mapping)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(space_map(s, B, 4 * P, RW, SHARED_ANON | MAP_FIXED, 0, 0, false) == (int64_t)B);
    CHECK_EQ(t_write(s, B + P, 0x5a), FAULT_OK);
    CHECK_EQ(space_remap(s, B, 0, 4 * P, 0, 0), -ENOMEM); /* must move */
    CHECK_EQ(space_remap(s, B + P, 0, 2 * P, FIXED, D), D);
    CHECK(!strcmp(win(s, B), "0-4 rw-s"));
    CHECK(!strcmp(win(s, D), "0-2 rw-s"));
    CHECK_EQ(rd(s, D), 0x5a); /* D maps the object from page 1 */
    CHECK_EQ(t_write(s, D + P, 0x5b), FAULT_OK);
    CHECK_EQ(rd(s, B + 2 * P), 0x5b);
    CHECK_EQ(rd(s, B + P), 0x5a);
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_vma_limit)
{
    /* Resizing in place needs no headroom under the VMA limit (a shrink
     * only trims a VMA). A move must stay four VMAs below the limit, and a
     * move to a fixed or DONTUNMAP destination checks, before unmapping
     * anything, that it could do so even if both ends split. */
    struct space_config cfg = {.max_map_count = 7};
    struct space *s = t_space_cfg(&cfg);
    REQUIRE(map_fixed(s, B, 8 * P, RW) == (int64_t)B);
    REQUIRE(map_fixed(s, D, P, RW) == (int64_t)D);
    REQUIRE(map_fixed(s, D + 2 * P, P, PROT_READ) == (int64_t)(D + 2 * P));
    CHECK_EQ(space_vma_count(s), 3);
    CHECK_EQ(space_remap(s, B, 8 * P, 6 * P, 0, 0), B);     /* shrink in place */
    CHECK_EQ(space_remap(s, B, 6 * P, 7 * P, 0, 0), B);     /* grow in place */
    CHECK_EQ(space_remap(s, B, 7 * P, 7 * P, FIXED, D + 8 * P), -ENOMEM); /* 3 + 5 >= 7 */
    /* D + 2P is in the way: growing D must move it (3 + 3 < 7). */
    CHECK_EQ(space_remap(s, D, P, 4 * P, MOVE, 0), (int64_t)(s->mmap_base - 4 * P));
    REQUIRE(map_fixed(s, D, P, RW) == (int64_t)D);
    REQUIRE(map_fixed(s, B + 16 * P, P, PROT_READ) == (int64_t)(B + 16 * P));
    CHECK_EQ(space_vma_count(s), 5);
    CHECK_EQ(space_remap(s, D, P, 4 * P, MOVE, 0), -ENOMEM); /* 5 + 3 >= 7 */
    CHECK_EQ(space_remap(s, D, P, P / 2, 0, 0), D);         /* in place: fine */
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_populates_grown_locked_and_eager_memory)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(space_map(s, B, 2 * P, RW, ANON | MAP_FIXED | MAP_LOCKED, 0, 0, false) == (int64_t)B);
    CHECK_EQ(s->resident, 2);
    CHECK_EQ(space_remap(s, B, 2 * P, 5 * P, 0, 0), B);
    CHECK_EQ(s->resident, 5);
    REQUIRE(map_fixed(s, B + 5 * P, P, PROT_READ) == (int64_t)(B + 5 * P));
    int64_t n = space_remap(s, B, 5 * P, 7 * P, MOVE, 0); /* a locked move grows too */
    REQUIRE(n > 0);
    CHECK_EQ(s->resident, 7);
    T_CHECK(s);
    t_space_done(s);

    s = t_space(SPACE_EAGER);
    REQUIRE(map_fixed(s, B, 2 * P, RW) == (int64_t)B);
    CHECK_EQ(space_remap(s, B, 2 * P, 4 * P, 0, 0), B);
    CHECK_EQ(s->resident, 4);
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_out_of_memory_changes_nothing)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    REQUIRE(map_fixed(s, B + 4 * P, P, PROT_READ) == (int64_t)(B + 4 * P));
    fill(s, B, 4, 0x91);
    /* The far destination needs new page-table pages: none to be had. */
    hosted_fail_nth(MM_ALLOC_TABLE, 1, true);
    CHECK_EQ(space_remap(s, B, 4 * P, 4 * P, FIXED, 0x500000000000ull), -ENOMEM);
    hosted_fail_nth(MM_ALLOC_TABLE, 0, false);
    CHECK(!strcmp(win(s, B), "0-4 rw-p 4-5 r--p"));
    CHECK_EQ(rd(s, B + 3 * P), 0x94);
    T_CHECK(s);
    /* No record for the new VMA. */
    hosted_fail_nth(MM_ALLOC_SLAB, 1, true);
    CHECK_EQ(space_remap(s, B, 4 * P, 8 * P, MOVE, 0), -ENOMEM);
    hosted_fail_nth(MM_ALLOC_SLAB, 0, false);
    CHECK(!strcmp(win(s, B), "0-4 rw-p 4-5 r--p"));
    CHECK_EQ(rd(s, B), 0x91);
    T_CHECK(s);
    t_space_done(s);
}

TEST(remap_large_sparse_move)
{
    struct space *s = t_space(SPACE_LAZY);
    /* 1 GiB with a few pages touched far apart, then a dense run (more
     * than the machine has: MAP_NORESERVE skips the commit check). */
    uint64_t len = 1ull << 30;
    REQUIRE(space_map(s, B, len, RW, ANON | MAP_FIXED | MAP_NORESERVE, 0, 0, false) == (int64_t)B);
    uaddr_t marks[] = {B, B + 5 * P, B + (300ull << 20), B + len - P};
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(t_write(s, marks[i], (uint8_t)(i + 1)), FAULT_OK);
    fill(s, B + (512ull << 20), 200, 0);
    uaddr_t to = 0x400000000000ull;
    CHECK_EQ(space_remap(s, B, len, len, FIXED, to), to);
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(rd(s, to + (marks[i] - B)), i + 1);
    CHECK_EQ(rd(s, to + (512ull << 20) + 199 * P), 199);
    CHECK_EQ(s->resident, 204);
    T_CHECK(s);
    t_space_done(s);
}
