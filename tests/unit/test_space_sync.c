/* tests/unit/test_space_sync.c — msync: errors in Linux's order, lengths
 * that round or wrap, holes (reported at once for plain MS_ASYNC, at the
 * end otherwise) and MS_INVALIDATE on locked memory. */
#include "mm_test.h"

TEST(sync_errors_in_linux_order)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    CHECK_EQ(space_sync(s, B, P, 8), -EINVAL);
    CHECK_EQ(space_sync(s, B + 100 * P, P, 8), -EINVAL); /* before the walk */
    CHECK_EQ(space_sync(s, B, P, -1), -EINVAL);
    CHECK_EQ(space_sync(s, B + 1, P, MS_SYNC), -EINVAL);
    CHECK_EQ(space_sync(s, B, P, MS_ASYNC | MS_SYNC), -EINVAL);
    CHECK_EQ(space_sync(s, B + 1, 0, MS_ASYNC | MS_SYNC), -EINVAL);
    CHECK_EQ(space_sync(s, B, 0 - 2 * P, MS_SYNC), -ENOMEM); /* the range wraps */
    /* A length that wraps to 0 when rounded is length 0: success. */
    CHECK_EQ(space_sync(s, B + 100 * P, UINT64_MAX, MS_SYNC), 0);
    CHECK_EQ(space_sync(s, B + 100 * P, 0, MS_SYNC), 0);
    CHECK_EQ(space_sync(s, B + 100 * P, P, MS_SYNC), -ENOMEM);
    CHECK_EQ(space_sync(s, s->top + P, P, 0), -ENOMEM);
    T_CHECK(s);
    t_space_done(s);
}

TEST(sync_mapped_ranges_and_holes)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 2 * P, RW) == (int64_t)B);
    REQUIRE(space_map(s, B + 2 * P, 2 * P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, 0, 0, false) ==
            (int64_t)(B + 2 * P));
    REQUIRE(map_fixed(s, B + 6 * P, 2 * P, RW) == (int64_t)(B + 6 * P));
    int all[] = {0, MS_ASYNC, MS_SYNC, MS_INVALIDATE, MS_ASYNC | MS_INVALIDATE, MS_SYNC | MS_INVALIDATE};
    for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++) {
        CHECK_EQ(space_sync(s, B, 4 * P, all[i]), 0);
        CHECK_EQ(space_sync(s, B + P, 100, all[i]), 0);
        CHECK_EQ(space_sync(s, B, 8 * P, all[i]), -ENOMEM);    /* a hole at [4,6) */
        CHECK_EQ(space_sync(s, B + 4 * P, P, all[i]), -ENOMEM); /* only the hole */
        CHECK_EQ(space_sync(s, B + 6 * P, 4 * P, all[i]), -ENOMEM); /* runs off the end */
    }
    T_CHECK(s);
    t_space_done(s);
}

TEST(sync_invalidate_on_locked_memory)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 2 * P, RW) == (int64_t)B);
    REQUIRE(space_map(s, B + 4 * P, 2 * P, RW, ANON | MAP_FIXED | MAP_LOCKED, 0, 0, false) ==
            (int64_t)(B + 4 * P));
    CHECK_EQ(space_sync(s, B + 4 * P, 2 * P, MS_INVALIDATE), -EBUSY);
    CHECK_EQ(space_sync(s, B + 4 * P, 2 * P, MS_SYNC | MS_INVALIDATE), -EBUSY);
    CHECK_EQ(space_sync(s, B + 4 * P, 2 * P, MS_SYNC), 0);
    CHECK_EQ(space_sync(s, B + 4 * P, 2 * P, MS_ASYNC), 0);
    /* With a hole before it: -EBUSY wins over the hole, except for plain
     * MS_ASYNC, which stops at the hole. */
    CHECK_EQ(space_sync(s, B, 6 * P, MS_INVALIDATE), -EBUSY);
    CHECK_EQ(space_sync(s, B, 6 * P, MS_ASYNC | MS_INVALIDATE), -EBUSY);
    CHECK_EQ(space_sync(s, B, 6 * P, MS_ASYNC), -ENOMEM);
    CHECK_EQ(space_sync(s, B, 6 * P, MS_SYNC), -ENOMEM);
    T_CHECK(s);
    t_space_done(s);
}
