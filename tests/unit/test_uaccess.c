/* tests/unit/test_uaccess.c — access_ok and the user copies: every bad
 * pointer is -EFAULT, good ones populate pages like a fault would. */
#include "mm_test.h"

TEST(uaccess_access_ok_bounds)
{
    struct space *s = t_space(SPACE_LAZY);
    CHECK(access_ok(s, 0, 0));
    CHECK(access_ok(s, B, P));
    CHECK(access_ok(s, s->top - 1, 1));
    CHECK(!access_ok(s, s->top - 1, 2));
    CHECK(!access_ok(s, s->top, 1));
    CHECK(!access_ok(s, 0xffff800000000000ull, 8)); /* kernel half */
    CHECK(!access_ok(s, 0x0001000000000000ull, 8)); /* non-canonical on x86-64, past 48 bits on aarch64 */
    CHECK(!access_ok(s, B, UINT64_MAX));             /* wraps */
    t_space_done(s);
}

TEST(uaccess_copies_across_pages_and_populates)
{
    struct space *s = t_space(SPACE_LAZY);
    char msg[6000], back[6000];
    for (unsigned i = 0; i < sizeof msg; i++)
        msg[i] = (char)(i * 7 + 1);
    map_fixed(s, B, 3 * P, RW);
    CHECK_EQ(copy_to_user(s, B + 100, msg, sizeof msg), 0);
    CHECK_EQ(s->resident, 2);
    CHECK_EQ(copy_from_user(s, back, B + 100, sizeof back), 0);
    CHECK(!memcmp(msg, back, sizeof msg));
    uint8_t b;
    CHECK_EQ(t_read(s, B + 100 + 4200, &b), FAULT_OK); /* the user sees it too */
    CHECK_EQ(b, (uint8_t)msg[4200]);
    CHECK_EQ(clear_user(s, B + 100, 10), 0);
    CHECK_EQ(copy_from_user(s, back, B + 100, 11), 0);
    CHECK_EQ(back[9], 0);
    CHECK_EQ(back[10], msg[10]);
    /* Reading an untouched page maps the zero page, not a new frame. */
    uint64_t free0 = frame_free_count();
    CHECK_EQ(copy_from_user(s, back, B + 2 * P + 8, 16), 0);
    CHECK_EQ(back[0], 0);
    CHECK(frame_free_count() >= free0 - 1);
    CHECK_EQ(copy_to_user(s, B, msg, 0), 0);
    T_CHECK(s);
    t_space_done(s);
}

TEST(uaccess_bad_pointers_are_efault)
{
    struct space *s = t_space(SPACE_LAZY);
    char buf[64] = {0};
    map_fixed(s, B, 2 * P, RW);
    map_fixed(s, B + 4 * P, P, PROT_NONE);
    map_fixed(s, B + 6 * P, P, PROT_READ);
    CHECK_EQ(copy_from_user(s, buf, 0, 8), -EFAULT);                       /* NULL */
    CHECK_EQ(copy_to_user(s, 0, buf, 8), -EFAULT);
    CHECK_EQ(copy_from_user(s, buf, 0xffffffff81000000ull, 8), -EFAULT);   /* kernel */
    CHECK_EQ(copy_from_user(s, buf, 0x8000000000000000ull, 8), -EFAULT);   /* non-canonical */
    CHECK_EQ(copy_from_user(s, buf, UINT64_MAX - 3, 8), -EFAULT);          /* wraps */
    CHECK_EQ(copy_from_user(s, buf, B + 2 * P - 4, 8), -EFAULT);           /* runs off the end */
    CHECK_EQ(copy_from_user(s, buf, B + 4 * P, 8), -EFAULT);               /* PROT_NONE */
    CHECK_EQ(copy_to_user(s, B + 6 * P, buf, 8), -EFAULT);                 /* read-only */
    CHECK_EQ(copy_from_user(s, buf, B + 6 * P, 8), 0);                     /* but readable */
    CHECK_EQ(clear_user(s, B + 6 * P, 1), -EFAULT);
    CHECK_EQ(copy_to_user(s, s->top - 4, buf, 8), -EFAULT);
    /* Partial progress is allowed, but nothing past the fault is touched
     * and the space stays consistent. */
    CHECK_EQ(copy_to_user(s, B + 2 * P - 4, buf, 8), -EFAULT);
    T_CHECK(s);
    t_space_done(s);
}

TEST(uaccess_strncpy_from_user)
{
    struct space *s = t_space(SPACE_LAZY);
    char out[32];
    map_fixed(s, B, P, RW);
    CHECK_EQ(copy_to_user(s, B + P - 3, "ab", 3), 0); /* ends at the page end */
    CHECK_EQ(strncpy_from_user(s, out, B + P - 3, sizeof out), 2);
    CHECK(!strcmp(out, "ab"));
    CHECK_EQ(copy_to_user(s, B + P - 2, "xy", 2), 0); /* no NUL before the end */
    CHECK_EQ(strncpy_from_user(s, out, B + P - 2, sizeof out), -EFAULT);
    CHECK_EQ(copy_to_user(s, B, "0123456789", 10), 0);
    CHECK_EQ(strncpy_from_user(s, out, B, 5), -ENAMETOOLONG);
    CHECK_EQ(strncpy_from_user(s, out, B + 20, 5), 0); /* zero page: empty string */
    CHECK_EQ(strncpy_from_user(s, out, 0, 5), -EFAULT);
    CHECK_EQ(strncpy_from_user(s, out, UINT64_MAX, 5), -EFAULT);
    T_CHECK(s);
    t_space_done(s);
}

TEST(uaccess_get_user_page)
{
    struct space *s = t_space(SPACE_LAZY);
    paddr_t pa;
    map_fixed(s, B, P, RW);
    map_fixed(s, B + 2 * P, P, PROT_READ);
    CHECK_EQ(get_user_page(s, B + 5, ACCESS_WRITE, &pa), 0);
    CHECK_EQ(frame_refcount(pa), 2);
    ((char *)platform_phys_to_virt(pa))[5] = 'k';
    frame_unref(pa);
    uint8_t b;
    CHECK_EQ(t_read(s, B + 5, &b), FAULT_OK);
    CHECK_EQ(b, 'k');
    CHECK_EQ(get_user_page(s, B + 2 * P, ACCESS_WRITE, &pa), -EFAULT);
    CHECK_EQ(get_user_page(s, B + 2 * P, ACCESS_READ, &pa), 0);
    CHECK(frame_is_zero_page(pa));
    frame_unref(pa);
    CHECK_EQ(get_user_page(s, B + P, ACCESS_READ, &pa), -EFAULT);
    CHECK_EQ(get_user_page(s, s->top, ACCESS_READ, &pa), -EFAULT);
    T_CHECK(s);
    t_space_done(s);
}

TEST(uaccess_partial_copies_stop_at_the_fault)
{
    struct space *s = t_space(SPACE_LAZY);
    char buf[300];
    memset(buf, 'q', sizeof buf);
    map_fixed(s, B, P, RW);
    map_fixed(s, B + 2 * P, P, PROT_READ);
    CHECK_EQ(copy_to_user_partial(s, B + P - 100, buf, 300), 100);
    CHECK_EQ(copy_from_user_partial(s, buf, B + P - 100, 300), 100);
    CHECK_EQ(copy_to_user_partial(s, B + 2 * P, buf, 10), 0);        /* read-only */
    CHECK_EQ(copy_from_user_partial(s, buf, B + 2 * P, 10), 10);
    CHECK_EQ(copy_to_user_partial(s, s->top - 50, buf, 100), 0);     /* outside user space */
    CHECK_EQ(copy_to_user_partial(s, B, buf, 0), 0);
    uint8_t b;
    CHECK_EQ(t_read(s, B + P - 1, &b), FAULT_OK);
    CHECK_EQ(b, 'q');
    T_CHECK(s);
    t_space_done(s);
}
