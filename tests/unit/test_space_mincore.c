/* tests/unit/test_space_mincore.c — mincore: errors in Linux's order,
 * residency after touches and after MADV_DONTNEED, shared pages held by
 * their object, partial pages, long ranges answered in chunks, and holes
 * that stop the answer part way. */
#include "mm_test.h"

#define V 0x30000000ull /* the user buffer that receives the vector */

/* A fresh space with a vector buffer of npages pages at V, filled with
 * 0xaa so that untouched bytes show. */
static struct space *setup(uint64_t npages)
{
    struct space *s = t_space(SPACE_LAZY);
    if (map_fixed(s, V, npages * P, RW) != (int64_t)V)
        test_fail_at(__FILE__, __LINE__, "cannot map the vector");
    for (uint64_t i = 0; i < npages * P; i++)
        t_write(s, V + i, 0xaa);
    return s;
}

/* The vector as a string of digits ('1', '0', or '.' for 0xaa). */
static const char *vec(struct space *s, unsigned n)
{
    static char out[1024];
    uint8_t b[1024];
    if (hosted_user_read(s, V, b, n).result != FAULT_OK)
        return "<unreadable>";
    for (unsigned i = 0; i < n; i++)
        out[i] = b[i] == 0xaa ? '.' : (char)('0' + b[i]);
    out[n] = 0;
    return out;
}

TEST(mincore_errors_in_linux_order)
{
    struct space *s = setup(1);
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    CHECK_EQ(space_mincore(s, B + 1, P, V), -EINVAL);
    CHECK_EQ(space_mincore(s, B + 1, P, 0), -EINVAL);            /* before the vector */
    CHECK_EQ(space_mincore(s, s->top - P, 2 * P, V), -ENOMEM);   /* outside user space */
    CHECK_EQ(space_mincore(s, B, UINT64_MAX, V), -ENOMEM);       /* wraps */
    CHECK_EQ(space_mincore(s, s->top, 0, V), 0);                 /* length 0 */
    CHECK_EQ(space_mincore(s, B, P, s->top), -EFAULT);           /* vector outside user space */
    CHECK_EQ(space_mincore(s, B + 100 * P, P, s->top), -EFAULT); /* checked before the walk */
    CHECK_EQ(space_mincore(s, B + 100 * P, P, V), -ENOMEM);      /* unmapped */
    CHECK_EQ(space_mincore(s, B + 100 * P, P, B + 200 * P), -ENOMEM); /* the hole comes first */
    CHECK_EQ(space_mincore(s, B, P, B + 200 * P), -EFAULT);      /* unmapped vector */
    REQUIRE(map_fixed(s, B + 8 * P, P, PROT_READ) == (int64_t)(B + 8 * P));
    CHECK_EQ(space_mincore(s, B, P, B + 8 * P), -EFAULT);        /* read-only vector */
    CHECK_EQ(space_mincore(s, B, 0, B + 200 * P), 0);
    CHECK(!strcmp(vec(s, 4), "...."));
    T_CHECK(s);
    t_space_done(s);
}

TEST(mincore_reports_touched_pages)
{
    struct space *s = setup(1);
    REQUIRE(map_fixed(s, B, 8 * P, RW) == (int64_t)B);
    CHECK_EQ(space_mincore(s, B, 8 * P, V), 0);
    CHECK(!strcmp(vec(s, 9), "00000000."));
    CHECK_EQ(t_write(s, B + P, 1), FAULT_OK);
    CHECK_EQ(t_read(s, B + 3 * P, 0), FAULT_OK); /* the zero page is mapped too */
    CHECK_EQ(t_write(s, B + 7 * P, 1), FAULT_OK);
    CHECK_EQ(space_mincore(s, B, 8 * P, V), 0);
    CHECK(!strcmp(vec(s, 9), "01010001."));
    /* A partial last page counts as a page; the vector may start
     * anywhere. */
    CHECK_EQ(space_mincore(s, B + 6 * P, P + 1, V + 4), 0);
    CHECK(!strcmp(vec(s, 9), "01010101."));
    CHECK_EQ(space_mincore(s, B + 3 * P, 1, V + 8), 0);
    CHECK(!strcmp(vec(s, 9), "010101011"));
    /* Dropped pages are gone; PROT_NONE pages still count. */
    CHECK_EQ(space_advise(s, B + P, P, MADV_DONTNEED), 0);
    CHECK_EQ(space_protect(s, B + 7 * P, P, PROT_NONE), 0);
    CHECK_EQ(space_mincore(s, B, 8 * P, V), 0);
    CHECK(!strcmp(vec(s, 9), "000100011"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(mincore_shared_pages_held_by_the_object)
{
    struct space *s = setup(1);
    REQUIRE(space_map(s, B, 4 * P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, 0, 0, false) == (int64_t)B);
    CHECK_EQ(t_write(s, B + P, 1), FAULT_OK);
    CHECK_EQ(t_write(s, B + 2 * P, 1), FAULT_OK);
    CHECK_EQ(space_advise(s, B, 4 * P, MADV_DONTNEED), 0);
    CHECK_EQ(s->resident, 1); /* only the vector page */
    CHECK_EQ(space_mincore(s, B, 4 * P, V), 0);
    CHECK(!strcmp(vec(s, 5), "0110."));
    CHECK_EQ(space_advise(s, B + P, P, MADV_REMOVE), 0);
    CHECK_EQ(space_mincore(s, B, 4 * P, V), 0);
    CHECK(!strcmp(vec(s, 5), "0010."));
    T_CHECK(s);
    t_space_done(s);
}

TEST(mincore_long_ranges_and_holes)
{
    struct space *s = setup(1);
    /* 600 pages: more than one chunk. */
    REQUIRE(map_fixed(s, B, 600 * P, RW) == (int64_t)B);
    CHECK_EQ(t_write(s, B, 1), FAULT_OK);
    CHECK_EQ(t_write(s, B + 300 * P, 1), FAULT_OK);
    CHECK_EQ(t_write(s, B + 599 * P, 1), FAULT_OK);
    CHECK_EQ(space_mincore(s, B, 600 * P, V), 0);
    uint8_t b[601];
    REQUIRE(hosted_user_read(s, V, b, sizeof b).result == FAULT_OK);
    int ones = 0;
    for (int i = 0; i < 600; i++)
        ones += b[i];
    CHECK_EQ(ones, 3);
    CHECK(b[0] == 1 && b[300] == 1 && b[599] == 1 && b[600] == 0xaa);
    T_CHECK(s);
    t_space_done(s);

    /* [0,2) and [3,5) with a hole between: the bytes before the hole are
     * written, VMA by VMA, then -ENOMEM. */
    s = setup(1);
    REQUIRE(map_fixed(s, B, 2 * P, RW) == (int64_t)B);
    REQUIRE(map_fixed(s, B + 2 * P, P, PROT_READ) == (int64_t)(B + 2 * P));
    REQUIRE(map_fixed(s, B + 4 * P, 2 * P, RW) == (int64_t)(B + 4 * P));
    CHECK_EQ(t_write(s, B + P, 1), FAULT_OK);
    CHECK_EQ(t_read(s, B + 2 * P, 0), FAULT_OK);
    CHECK_EQ(space_mincore(s, B, 6 * P, V), -ENOMEM);
    CHECK(!strcmp(vec(s, 6), "011..."));
    CHECK_EQ(space_mincore(s, B + 4 * P, 2 * P, V), 0);
    CHECK(!strcmp(vec(s, 6), "001..."));
    T_CHECK(s);
    t_space_done(s);
}
