/* tests/unit/test_fork.c — space_fork: copy-on-write sharing, frames
 * shared until written, shared mappings stay shared, no leaks. */
#include "mm_test.h"

#include <stdlib.h>

static uint32_t *scratch;

static void check_both(struct space *a, struct space *b, int line)
{
    char buf[256];
    struct space *all[2] = {a, b};
    if (!scratch)
        scratch = calloc(frames_check_scratch_entries() + 1024, sizeof *scratch);
    if (space_check(a, buf, sizeof buf) || space_check(b, buf, sizeof buf))
        test_fail_at(__FILE__, line, "space_check: %s", buf);
    if (frames_check(all, 2, 0, 0, scratch, buf, sizeof buf))
        test_fail_at(__FILE__, line, "frames_check: %s", buf);
}

static uint8_t rd(struct space *s, uaddr_t va)
{
    uint8_t b = 0xee;
    CHECK_EQ(t_read(s, va, &b), FAULT_OK);
    return b;
}

TEST(fork_private_pages_copy_on_write)
{
    struct space *p = t_space(SPACE_LAZY), *c;
    space_map(p, B, 4 * P, RW, ANON | MAP_FIXED, 0, 0, false);
    for (int i = 0; i < 4; i++)
        t_write(p, B + i * P, (uint8_t)(0x10 + i));
    paddr_t pa0;
    REQUIRE(pmap_extract(&p->pmap, B, &pa0, 0));
    REQUIRE(space_fork(p, &c) == 0);
    check_both(p, c, __LINE__);
    /* The child sees the parent's data, through the same frames. */
    CHECK_EQ(rd(c, B + 2 * P), 0x12);
    paddr_t cpa;
    CHECK(pmap_extract(&c->pmap, B, &cpa, 0) && cpa == pa0);
    CHECK_EQ(frame_refcount(pa0), 2);
    /* Writes stay on their side. */
    CHECK_EQ(t_write(c, B, 0xc0), FAULT_OK);
    CHECK_EQ(t_write(p, B + P, 0xa1), FAULT_OK);
    CHECK_EQ(rd(p, B), 0x10);
    CHECK_EQ(rd(c, B), 0xc0);
    CHECK_EQ(rd(p, B + P), 0xa1);
    CHECK_EQ(rd(c, B + P), 0x11);
    /* The child copied page 0; the parent's frame is exclusive again. */
    CHECK_EQ(frame_refcount(pa0), 1);
    CHECK(pmap_extract(&c->pmap, B, &cpa, 0) && cpa != pa0);
    /* The parent's next write to page 0 reuses its frame in place. */
    CHECK_EQ(t_write(p, B, 0xa0), FAULT_OK);
    paddr_t again;
    CHECK(pmap_extract(&p->pmap, B, &again, 0) && again == pa0);
    check_both(p, c, __LINE__);
    space_destroy(c);
    T_CHECK(p);
    t_space_done(p);
}

TEST(fork_shared_and_readonly_mappings_are_shared)
{
    struct space *p = t_space(SPACE_LAZY), *c;
    space_map(p, B, 2 * P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, 0, 0, false);
    space_map(p, B + 4 * P, 2 * P, PROT_READ, ANON | MAP_FIXED, 0, 0, false);
    t_write(p, B, 1);
    t_read(p, B + 4 * P, 0);
    REQUIRE(space_fork(p, &c) == 0);
    /* Shared memory: each side sees the other's writes. */
    CHECK_EQ(t_write(c, B, 0x77), FAULT_OK);
    CHECK_EQ(rd(p, B), 0x77);
    CHECK_EQ(t_write(p, B + P, 0x66), FAULT_OK); /* a page neither had yet */
    CHECK_EQ(rd(c, B + P), 0x66);
    /* Read-only private memory: a write kills only the writer. */
    CHECK_EQ(t_write(c, B + 4 * P, 1), FAULT_SEGV_ACCERR);
    CHECK_EQ(rd(p, B + 4 * P), 0);
    check_both(p, c, __LINE__);
    space_destroy(c);
    T_CHECK(p);
    t_space_done(p);
}

TEST(fork_kernel_write_breaks_sharing)
{
    struct space *p = t_space(SPACE_LAZY), *c;
    space_map(p, B, P, RW, ANON | MAP_FIXED, 0, 0, false);
    t_write(p, B, 5);
    REQUIRE(space_fork(p, &c) == 0);
    /* A copy_to_user into a copy-on-write page (read() into it) copies. */
    CHECK_EQ(copy_to_user(c, B, "k", 1), 0);
    CHECK_EQ(rd(c, B), 'k');
    CHECK_EQ(rd(p, B), 5);
    check_both(p, c, __LINE__);
    space_destroy(c);
    t_space_done(p);
}

TEST(fork_exit_cycles_leak_nothing)
{
    struct space *p = t_space(SPACE_LAZY), *c;
    space_map(p, B, 64 * P, RW | PROT_EXEC, ANON | MAP_FIXED, 0, 0, false);
    for (int i = 0; i < 64; i += 3)
        t_write(p, B + i * P, 1);
    uint64_t free0 = frame_free_count();
    for (int round = 0; round < 50; round++) {
        REQUIRE(space_fork(p, &c) == 0);
        for (int i = 0; i < 64; i += 5)
            t_write(c, B + i * P, 2);
        CHECK_EQ(t_exec(c, B), FAULT_OK); /* execute permission survives */
        space_destroy(c);
    }
    /* Back to the parent alone: every page it wrote is exclusive again, so
     * rewriting it costs no frame. */
    for (int i = 0; i < 64; i += 3)
        t_write(p, B + i * P, 3);
    CHECK_EQ(frame_free_count(), free0);
    T_CHECK(p);
    t_space_done(p);
}

TEST(fork_out_of_memory_fails_cleanly)
{
    struct space *p = t_space(SPACE_LAZY), *c = 0;
    space_map(p, B, 8 * P, RW, ANON | MAP_FIXED, 0, 0, false);
    space_map(p, 0x500000000000ull, 8 * P, RW, ANON | MAP_FIXED, 0, 0, false);
    for (int i = 0; i < 8; i++) {
        t_write(p, B + i * P, (uint8_t)i);
        t_write(p, 0x500000000000ull + i * P, (uint8_t)i);
    }
    uint64_t free0 = frame_free_count();
    for (uint64_t n = 1; n < 12; n++) {
        hosted_fail_nth(MM_ALLOC_TABLE, n, true);
        int err = space_fork(p, &c);
        hosted_fail_nth(MM_ALLOC_TABLE, 0, false);
        if (err == 0) {
            space_destroy(c);
            break;
        }
        CHECK_EQ(err, -ENOMEM);
        CHECK_EQ(frame_free_count(), free0);
        T_CHECK(p);
    }
    for (int i = 0; i < 8; i++)
        CHECK_EQ(rd(p, B + i * P), i);
    T_CHECK(p);
    t_space_done(p);
}

TEST(fork_honours_dontfork_and_wipeonfork)
{
    struct space *p = t_space(SPACE_LAZY), *c;
    space_map(p, B, 2 * P, RW, ANON | MAP_FIXED, 0, 0, false);
    space_map(p, B + 4 * P, 2 * P, RW, ANON | MAP_FIXED, 0, 0, false);
    t_write(p, B, 1);
    t_write(p, B + 4 * P, 2);
    CHECK_EQ(space_advise(p, B, 2 * P, MADV_DONTFORK), 0);
    CHECK_EQ(space_advise(p, B + 4 * P, 2 * P, MADV_WIPEONFORK), 0);
    REQUIRE(space_fork(p, &c) == 0);
    CHECK_EQ(t_read(c, B, 0), FAULT_SEGV_MAPERR); /* not in the child */
    CHECK_EQ(rd(c, B + 4 * P), 0);                /* there, but wiped */
    CHECK_EQ(rd(p, B + 4 * P), 2);
    CHECK_EQ(rd(p, B), 1);
    check_both(p, c, __LINE__);
    space_destroy(c);
    T_CHECK(p);
    t_space_done(p);
}
