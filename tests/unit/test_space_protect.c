/* tests/unit/test_space_protect.c — mprotect: splits and re-merges, the
 * partial change before a hole, Linux's accounting quirk, errors, and the
 * protection the hardware then enforces (TLB included). */
#include "mm_test.h"

TEST(protect_splits_and_merges_back)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 8 * P, RW);
    CHECK_EQ(space_protect(s, B + 2 * P, 3 * P, PROT_READ), 0);
    CHECK(!strcmp(t_layout(s, B), "0-2 rw-p 2-5 r--p 5-8 rw-p"));
    CHECK_EQ(space_protect(s, B + 2 * P, 3 * P, RW), 0);
    CHECK(!strcmp(t_layout(s, B), "0-8 rw-p"));
    /* Protecting a whole VMA to match its neighbour merges them. */
    map_fixed(s, B + 8 * P, 2 * P, PROT_READ);
    CHECK(!strcmp(t_layout(s, B), "0-8 rw-p 8-10 r--p"));
    CHECK_EQ(space_protect(s, B + 8 * P, 2 * P, RW), 0);
    CHECK(!strcmp(t_layout(s, B), "0-10 rw-p"));
    /* Changing the start or the end of a VMA. */
    CHECK_EQ(space_protect(s, B, 2 * P, PROT_NONE), 0);
    CHECK_EQ(space_protect(s, B + 9 * P, P, PROT_EXEC), 0);
    CHECK(!strcmp(t_layout(s, B), "0-2 ---p 2-9 rw-p 9-10 --xp"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(protect_accounting_keeps_vmas_apart)
{
    /* A read-only private mapping is not charged; adding PROT_WRITE charges
     * it. Taking the write away again uncharges it only if it was never
     * written (Linux 6.6+): then it merges back, else three VMAs stay. */
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 6 * P, PROT_READ);
    CHECK_EQ(space_protect(s, B + 2 * P, 2 * P, RW), 0);
    CHECK_EQ(space_protect(s, B + 2 * P, 2 * P, PROT_READ), 0);
    CHECK(!strcmp(t_layout(s, B), "0-6 r--p"));
    CHECK_EQ(space_protect(s, B + 2 * P, 2 * P, RW), 0);
    CHECK_EQ(t_write(s, B + 2 * P, 1), FAULT_OK);
    CHECK_EQ(space_protect(s, B + 2 * P, 2 * P, PROT_READ), 0);
    CHECK(!strcmp(t_layout(s, B), "0-2 r--p 2-4 r--p 4-6 r--p"));
    /* A never-written writable VMA protected read-only joins a read-only
     * neighbour. */
    map_fixed(s, B + 10 * P, 2 * P, PROT_READ);
    map_fixed(s, B + 12 * P, 2 * P, RW);
    CHECK_EQ(space_protect(s, B + 12 * P, 2 * P, PROT_READ), 0);
    CHECK(!strcmp(t_layout(s, B + 10 * P), "0-4 r--p"));
    /* A mapping made writable from the start merges back as usual. */
    map_fixed(s, B + 20 * P, 6 * P, RW);
    CHECK_EQ(space_protect(s, B + 22 * P, 2 * P, PROT_READ), 0);
    CHECK_EQ(space_protect(s, B + 22 * P, 2 * P, RW), 0);
    CHECK(!strcmp(t_layout(s, B + 20 * P), "0-6 rw-p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(protect_hole_changes_what_came_before)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 2 * P, RW);
    map_fixed(s, B + 3 * P, 2 * P, RW);
    CHECK_EQ(space_protect(s, B + P, 4 * P, PROT_READ), -ENOMEM);
    CHECK(!strcmp(t_layout(s, B), "0-1 rw-p 1-2 r--p 3-5 rw-p"));
    /* A range starting in a hole changes nothing. */
    CHECK_EQ(space_protect(s, B + 2 * P, 2 * P, PROT_NONE), -ENOMEM);
    CHECK(!strcmp(t_layout(s, B), "0-1 rw-p 1-2 r--p 3-5 rw-p"));
    /* A range running past the last VMA changes it, then fails. */
    CHECK_EQ(space_protect(s, B + 3 * P, 4 * P, PROT_READ), -ENOMEM);
    CHECK(!strcmp(t_layout(s, B), "0-1 rw-p 1-2 r--p 3-5 r--p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(protect_errors)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 2 * P, RW);
    CHECK_EQ(space_protect(s, B + 1, P, PROT_READ), -EINVAL);
    CHECK_EQ(space_protect(s, B, P, 0x10), -EINVAL);
    CHECK_EQ(space_protect(s, B, P, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), -EINVAL);
    CHECK_EQ(space_protect(s, B, P, PROT_READ | PROT_GROWSDOWN), -EINVAL); /* not a stack */
    CHECK_EQ(space_protect(s, B, P, PROT_READ | PROT_GROWSUP), -EINVAL);
    CHECK_EQ(space_protect(s, 0x7000, 0, PROT_READ), 0);                 /* length 0 */
    CHECK_EQ(space_protect(s, B + 1, 0, PROT_READ), -EINVAL);            /* alignment first */
    CHECK_EQ(space_protect(s, B, UINT64_MAX, PROT_READ), -ENOMEM);       /* wraps */
    CHECK_EQ(space_protect(s, B, UINT64_MAX - 2 * P, PROT_READ), -ENOMEM);
    CHECK_EQ(space_protect(s, s->top, P, PROT_READ), -ENOMEM);           /* nothing there */
    CHECK_EQ(space_protect(s, 0, P, 0x10), -EINVAL);                     /* bits before lookup */
    CHECK_EQ(space_protect(s, B, P, PROT_READ | PROT_SEM), 0);           /* PROT_SEM accepted */
    CHECK(!strcmp(t_layout(s, B), "0-1 r--p 1-2 rw-p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(protect_growsdown_extends_to_vma_start)
{
    struct space *s = t_space(SPACE_LAZY);
    CHECK_EQ(space_map(s, B, 4 * P, RW, ANON | MAP_FIXED | MAP_GROWSDOWN, 0, 0, false), B);
    CHECK_EQ(space_protect(s, B + 2 * P, P, PROT_READ | PROT_GROWSDOWN), 0);
    CHECK(!strcmp(t_layout(s, B), "0-3 r--p 3-4 rw-p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(protect_enforced_by_mmu_and_tlb_flushed)
{
    struct space *s = t_space(SPACE_LAZY);
    uint8_t b;
    map_fixed(s, B, 4 * P, RW);
    CHECK_EQ(t_write(s, B, 0x11), FAULT_OK); /* TLB now holds a writable entry */
    CHECK_EQ(space_protect(s, B, 4 * P, PROT_READ), 0);
    CHECK_EQ(t_write(s, B, 0x22), FAULT_SEGV_ACCERR);
    CHECK_EQ(t_read(s, B, &b), FAULT_OK);
    CHECK_EQ(b, 0x11);
    CHECK_EQ(space_protect(s, B, 4 * P, PROT_NONE), 0);
    CHECK_EQ(t_read(s, B, &b), FAULT_SEGV_ACCERR);
    CHECK_EQ(t_exec(s, B), FAULT_SEGV_ACCERR);
    CHECK_EQ(space_protect(s, B, 4 * P, RW), 0);
    CHECK_EQ(t_read(s, B, &b), FAULT_OK); /* data survived PROT_NONE */
    CHECK_EQ(b, 0x11);
    CHECK_EQ(t_write(s, B, 0x33), FAULT_OK);
    CHECK_EQ(t_exec(s, B), FAULT_SEGV_ACCERR);
    CHECK_EQ(space_protect(s, B, P, PROT_READ | PROT_EXEC), 0);
    CHECK_EQ(t_exec(s, B), FAULT_OK);
    /* A read-only page that was only read (zero page) becomes writable
     * through a fault, never by the protect itself. */
    CHECK_EQ(t_read(s, B + 2 * P, &b), FAULT_OK);
    CHECK_EQ(space_protect(s, B + 2 * P, P, PROT_READ), 0);
    CHECK_EQ(space_protect(s, B + 2 * P, P, RW), 0);
    T_CHECK(s);
    CHECK_EQ(t_write(s, B + 2 * P, 5), FAULT_OK);
    CHECK_EQ(t_read(s, B + 2 * P, &b), FAULT_OK);
    CHECK_EQ(b, 5);
    T_CHECK(s);
    t_space_done(s);
}

TEST(protect_at_vma_limit)
{
    struct space_config cfg = {.max_map_count = 2};
    struct space *s = t_space_cfg(&cfg);
    map_fixed(s, B, 4 * P, RW);
    /* The first split fits, the second would make 3: Linux returns
     * -ENOMEM and keeps the first split, unchanged and unmerged. */
    CHECK_EQ(space_protect(s, B + P, P, PROT_READ), -ENOMEM);
    CHECK(!strcmp(t_layout(s, B), "0-1 rw-p 1-4 rw-p"));
    CHECK_EQ(space_protect(s, B, P, PROT_READ), 0); /* no split needed */
    CHECK(!strcmp(t_layout(s, B), "0-1 r--p 1-4 rw-p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(protect_moves_boundary_without_split)
{
    /* At the VMA limit Linux still succeeds when the range can join a
     * neighbour: the boundary moves, no record is added. */
    struct space_config cfg = {.max_map_count = 2};
    struct space *s = t_space_cfg(&cfg);
    map_fixed(s, B, P, RW);
    map_fixed(s, B + P, 2 * P, PROT_READ);
    CHECK_EQ(space_protect(s, B + P, P, RW), 0); /* head joins prev */
    CHECK(!strcmp(t_layout(s, B), "0-2 rw-p 2-3 r--p"));
    /* Never written, so read-only again it is uncharged and the tail joins
     * next. */
    CHECK_EQ(space_protect(s, B + P, P, PROT_READ), 0);
    CHECK(!strcmp(t_layout(s, B), "0-1 rw-p 1-3 r--p"));
    t_write(s, B, 7);
    /* With no neighbour to take it, the tail needs a split: refused at the
     * limit, nothing changed. */
    CHECK_EQ(space_protect(s, B + 2 * P, P, RW), -ENOMEM);
    CHECK(!strcmp(t_layout(s, B), "0-1 rw-p 1-3 r--p"));
    uint8_t b;
    CHECK_EQ(t_read(s, B, &b), FAULT_OK);
    CHECK_EQ(b, 7);
    CHECK_EQ(t_write(s, B + P, 1), FAULT_SEGV_ACCERR);
    T_CHECK(s);
    t_space_done(s);
}

static unsigned leaf_prot(struct space *s, uaddr_t va)
{
    unsigned prot = 0;
    return pmap_extract(&s->pmap, va, NULL, &prot) ? prot : 0;
}

/* As Linux's mprotect (MM_CP_TRY_CHANGE_WRITABLE): giving write permission
 * back to a private mapping makes the leaves of pages only this space
 * holds writable at once; pages shared after fork and the zero page stay
 * copy-on-write. */
TEST(protect_rw_again_restores_write_on_exclusive_pages)
{
    struct space *s = t_space(SPACE_LAZY), *c;
    map_fixed(s, B, 4 * P, RW);
    CHECK_EQ(t_write(s, B, 1), FAULT_OK);
    CHECK_EQ(t_write(s, B + P, 2), FAULT_OK);
    uint8_t b;
    CHECK_EQ(t_read(s, B + 2 * P, &b), FAULT_OK); /* the zero page */
    CHECK_EQ(space_protect(s, B, 4 * P, PROT_READ), 0);
    CHECK(!(leaf_prot(s, B) & PMAP_WRITE));
    CHECK_EQ(space_protect(s, B, 4 * P, RW), 0);
    CHECK(leaf_prot(s, B) & PMAP_WRITE);
    CHECK(leaf_prot(s, B + P) & PMAP_WRITE);
    CHECK(leaf_prot(s, B + 2 * P) && !(leaf_prot(s, B + 2 * P) & PMAP_WRITE));
    CHECK_EQ(leaf_prot(s, B + 3 * P), 0);
    /* The write goes in place, through the restored leaf. */
    paddr_t before = 0, after = 0;
    CHECK(pmap_extract(&s->pmap, B, &before, NULL));
    CHECK_EQ(t_write(s, B, 3), FAULT_OK);
    CHECK(pmap_extract(&s->pmap, B, &after, NULL) && after == before);
    CHECK_EQ(t_read(s, B, &b), FAULT_OK);
    CHECK_EQ(b, 3);

    /* Shared with a child: read-only on both sides after the round trip. */
    REQUIRE(space_fork(s, &c) == 0);
    CHECK_EQ(space_protect(s, B, 2 * P, PROT_READ), 0);
    CHECK_EQ(space_protect(s, B, 2 * P, RW), 0);
    CHECK(!(leaf_prot(s, B) & PMAP_WRITE));
    CHECK_EQ(t_write(s, B, 4), FAULT_OK); /* copies */
    CHECK_EQ(t_read(c, B, &b), FAULT_OK);
    CHECK_EQ(b, 3);
    space_destroy(c);
    /* The child gone, B + P is this space's alone again. */
    CHECK_EQ(space_protect(s, B + P, P, PROT_NONE), 0);
    CHECK_EQ(space_protect(s, B + P, P, RW), 0);
    CHECK(leaf_prot(s, B + P) & PMAP_WRITE);
    T_CHECK(s);
    t_space_done(s);
}
