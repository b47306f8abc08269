/* tests/unit/test_fault.c — the fault entry: demand zero, the shared zero
 * page, access rules per protection, copy-on-write breaking, identities
 * and the merges they allow, out of memory. */
#include "mm_test.h"

TEST(fault_results_per_protection)
{
    struct space *s = t_space(SPACE_LAZY);
    static const struct {
        unsigned long prot;
        enum fault_result r, w, x;
    } cases[] = {
        {PROT_NONE, FAULT_SEGV_ACCERR, FAULT_SEGV_ACCERR, FAULT_SEGV_ACCERR},
        {PROT_READ, FAULT_OK, FAULT_SEGV_ACCERR, FAULT_SEGV_ACCERR},
        {PROT_WRITE, FAULT_OK, FAULT_OK, FAULT_SEGV_ACCERR}, /* write implies read */
        {PROT_EXEC, FAULT_OK, FAULT_SEGV_ACCERR, FAULT_OK},  /* exec implies read */
        {PROT_READ | PROT_WRITE, FAULT_OK, FAULT_OK, FAULT_SEGV_ACCERR},
        {PROT_READ | PROT_EXEC, FAULT_OK, FAULT_SEGV_ACCERR, FAULT_OK},
        {PROT_WRITE | PROT_EXEC, FAULT_OK, FAULT_OK, FAULT_OK},
        {PROT_READ | PROT_WRITE | PROT_EXEC, FAULT_OK, FAULT_OK, FAULT_OK},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uaddr_t a = B + i * 4 * P;
        map_fixed(s, a, 2 * P, cases[i].prot);
        CHECK_EQ(t_read(s, a, 0), cases[i].r);
        CHECK_EQ(t_write(s, a + P, 1), cases[i].w);
        CHECK_EQ(t_exec(s, a), cases[i].x);
        CHECK_EQ(space_fault(s, a, ACCESS_WRITE, true), cases[i].w);
        T_CHECK(s);
    }
    CHECK_EQ(t_read(s, B - P, 0), FAULT_SEGV_MAPERR);
    CHECK_EQ(space_fault(s, s->top, ACCESS_READ, true), FAULT_SEGV_MAPERR);
    CHECK_EQ(space_fault(s, UINT64_MAX, ACCESS_READ, true), FAULT_SEGV_MAPERR);
    CHECK_EQ(space_fault(s, 0, ACCESS_READ, false), FAULT_SEGV_MAPERR);
    t_space_done(s);
}

TEST(fault_read_maps_zero_page_write_copies)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 4 * P, RW);
    uint64_t free0 = frame_free_count();
    uint8_t b = 1;
    for (int i = 0; i < 4; i++)
        CHECK_EQ(t_read(s, B + i * P, &b), FAULT_OK);
    CHECK_EQ(b, 0);
    CHECK_EQ(s->resident, 4);
    CHECK(frame_free_count() >= free0 - 3); /* at most table pages, no data frames */
    paddr_t pa, zero;
    frame_zero_page(&zero);
    CHECK(pmap_extract(&s->pmap, B, &pa, 0) && pa == zero);
    CHECK_EQ(t_write(s, B + 3 * P, 8), FAULT_OK); /* first write: also makes the identity */
    uint64_t free1 = frame_free_count();
    CHECK_EQ(t_write(s, B + P, 9), FAULT_OK);
    CHECK_EQ(frame_free_count(), free1 - 1); /* exactly one data frame */
    CHECK(pmap_extract(&s->pmap, B + P, &pa, 0) && pa != zero);
    CHECK_EQ(frame_refcount(pa), 1);
    CHECK_EQ(t_read(s, B + P, &b), FAULT_OK);
    CHECK_EQ(b, 9);
    CHECK_EQ(t_read(s, B + 2 * P, &b), FAULT_OK); /* neighbours still zero */
    CHECK_EQ(b, 0);
    /* The zero page itself was never written. */
    CHECK_EQ(((uint8_t *)platform_phys_to_virt(zero))[0], 0);
    T_CHECK(s);
    t_space_done(s);
}

TEST(fault_shared_frame_is_copied_exclusive_is_reused)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 2 * P, RW);
    CHECK_EQ(t_write(s, B, 0x42), FAULT_OK);
    paddr_t pa, after;
    REQUIRE(pmap_extract(&s->pmap, B, &pa, 0));
    /* Make the frame look shared, as fork will: write-protect the leaf and
     * take a second reference. */
    frame_ref(pa);
    pmap_protect(&s->pmap, B, B + P, PMAP_READ);
    CHECK_EQ(t_write(s, B + 1, 0x43), FAULT_OK);
    REQUIRE(pmap_extract(&s->pmap, B, &after, 0));
    CHECK(after != pa);
    CHECK_EQ(frame_refcount(pa), 1);
    uint8_t *old = platform_phys_to_virt(pa), *cpy = platform_phys_to_virt(after);
    CHECK_EQ(old[0], 0x42);
    CHECK_EQ(old[1], 0);
    CHECK_EQ(cpy[0], 0x42);
    CHECK_EQ(cpy[1], 0x43);
    frame_unref(pa);
    /* Exclusive and write-protected: the frame is reused in place. */
    pmap_protect(&s->pmap, B, B + P, PMAP_READ);
    CHECK_EQ(t_write(s, B + 2, 0x44), FAULT_OK);
    REQUIRE(pmap_extract(&s->pmap, B, &pa, 0));
    CHECK_EQ(pa, after);
    T_CHECK(s);
    t_space_done(s);
}

TEST(fault_identity_decides_merges)
{
    struct space *s = t_space(SPACE_LAZY);
    /* Two mappings written apart get different identities: a mapping
     * placed between them merges with the lower one only (Linux's rule). */
    map_fixed(s, B, 2 * P, RW);
    map_fixed(s, B + 3 * P, 2 * P, RW);
    t_write(s, B, 1);
    t_write(s, B + 3 * P, 1);
    map_fixed(s, B + 2 * P, P, RW);
    CHECK(!strcmp(t_layout(s, B), "0-3 rw-p 3-5 rw-p"));
    /* Without writes there are no identities and all three merge. */
    map_fixed(s, B + 10 * P, 2 * P, RW);
    map_fixed(s, B + 13 * P, 2 * P, RW);
    t_read(s, B + 10 * P, 0);
    map_fixed(s, B + 12 * P, P, RW);
    CHECK(!strcmp(t_layout(s, B + 10 * P), "0-5 rw-p"));
    /* A neighbour differing only in protection lends its identity, so
     * the two merge once the protections agree. */
    map_fixed(s, B + 20 * P, 2 * P, RW);
    t_write(s, B + 20 * P, 1);
    map_fixed(s, B + 22 * P, 2 * P, RW | PROT_EXEC);
    t_write(s, B + 22 * P, 1);
    CHECK_EQ(space_protect(s, B + 22 * P, 2 * P, RW), 0);
    CHECK(!strcmp(t_layout(s, B + 20 * P), "0-4 rw-p"));
    /* With both neighbours able to lend, the next one is asked first (Linux's
     * find_mergeable_anon_vma), so the middle joins the upper VMA. */
    map_fixed(s, B + 30 * P, P, RW);
    map_fixed(s, B + 32 * P, P, RW);
    t_write(s, B + 30 * P, 1);
    t_write(s, B + 32 * P, 1);
    map_fixed(s, B + 31 * P, P, RW | PROT_EXEC);
    t_write(s, B + 31 * P, 1);
    CHECK_EQ(space_protect(s, B + 31 * P, P, RW), 0);
    CHECK(!strcmp(t_layout(s, B + 30 * P), "0-1 rw-p 1-3 rw-p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(fault_out_of_memory)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 4 * P, RW);
    hosted_fail_nth(MM_ALLOC_FRAME, 1, true);
    CHECK_EQ(space_fault(s, B, ACCESS_WRITE, true), FAULT_OOM);
    CHECK_EQ(s->resident, 0);
    hosted_fail_nth(MM_ALLOC_FRAME, 0, false);
    hosted_fail_nth(MM_ALLOC_TABLE, 1, true);
    CHECK_EQ(space_fault(s, B, ACCESS_WRITE, true), FAULT_OOM);
    CHECK_EQ(space_fault(s, B, ACCESS_READ, true), FAULT_OOM);
    hosted_fail_nth(MM_ALLOC_TABLE, 0, false);
    T_CHECK(s);
    CHECK_EQ(space_fault(s, B, ACCESS_WRITE, true), FAULT_OK);
    T_CHECK(s);
    t_space_done(s);
}

TEST(fault_populate_skips_prot_none_and_ignores_holes)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 2 * P, RW);
    map_fixed(s, B + 3 * P, 2 * P, PROT_NONE);
    map_fixed(s, B + 5 * P, 2 * P, PROT_READ);
    CHECK_EQ(space_populate(s, B, B + 8 * P), 0);
    CHECK_EQ(s->resident, 4);
    paddr_t pa;
    unsigned prot;
    CHECK(pmap_extract(&s->pmap, B, &pa, &prot) && (prot & PMAP_WRITE) && !frame_is_zero_page(pa));
    CHECK(pmap_extract(&s->pmap, B + 5 * P, &pa, &prot) && frame_is_zero_page(pa));
    T_CHECK(s);
    t_space_done(s);
}

TEST(fault_grows_stack_down)
{
    struct space *s = t_space(SPACE_LAZY);
    uaddr_t top = B + 4096 * P;
    CHECK_EQ(space_map(s, top - 4 * P, 4 * P, RW, ANON | MAP_FIXED | MAP_GROWSDOWN, 0, 0, false), top - 4 * P);
    /* A write just below, then 8 pages below, grows the VMA. */
    CHECK_EQ(t_write(s, top - 4 * P - 1, 1), FAULT_OK);
    CHECK_EQ(t_write(s, top - 12 * P, 2), FAULT_OK);
    CHECK(!strcmp(t_layout(s, top - 12 * P), "0-12 rw-p"));
    uint8_t b;
    CHECK_EQ(t_read(s, top - 4 * P - 1, &b), FAULT_OK);
    CHECK_EQ(b, 1);
    /* Not past the stack limit (8 MiB = 2048 pages)... */
    CHECK_EQ(space_fault(s, top - 2049 * P, ACCESS_WRITE, true), FAULT_SEGV_MAPERR);
    CHECK_EQ(space_fault(s, top - 2048 * P, ACCESS_WRITE, true), FAULT_OK);
    /* ...and not into the guard gap above another mapping. */
    CHECK_EQ(map_fixed(s, top - 2048 * P - 300 * P, P, RW), top - 2348 * P);
    T_CHECK(s);
    t_space_done(s);

    s = t_space(SPACE_LAZY);
    map_fixed(s, B, P, RW);
    CHECK_EQ(space_map(s, B + 200 * P, P, RW, ANON | MAP_FIXED | MAP_GROWSDOWN, 0, 0, false), B + 200 * P);
    CHECK_EQ(space_fault(s, B + 199 * P, ACCESS_READ, true), FAULT_SEGV_MAPERR); /* within 256 pages of B */
    /* A plain VMA never grows. */
    CHECK_EQ(space_fault(s, B - P, ACCESS_READ, true), FAULT_SEGV_MAPERR);
    T_CHECK(s);
    t_space_done(s);
}

TEST(fault_user_frames_stop_at_the_reserve)
{
    struct space *s = t_space(SPACE_LAZY);
    map_fixed(s, B, 64 * P, RW);
    CHECK_EQ(t_write(s, B, 1), FAULT_OK); /* tables and identity in place */
    frame_set_reserve(frame_free_count() - 3);
    CHECK_EQ(t_write(s, B + P, 1), FAULT_OK);
    CHECK_EQ(t_write(s, B + 2 * P, 1), FAULT_OK);
    CHECK_EQ(t_write(s, B + 3 * P, 1), FAULT_OK);
    CHECK_EQ(space_fault(s, B + 4 * P, ACCESS_WRITE, true), FAULT_OOM);
    /* The reserve still serves page tables and records. */
    CHECK_EQ(map_fixed(s, 0x500000000000ull, P, RW), 0x500000000000ull);
    CHECK_EQ(space_fault(s, 0x500000000000ull, ACCESS_READ, true), FAULT_OK); /* zero page + tables */
    frame_set_reserve(0);
    CHECK_EQ(t_write(s, B + 4 * P, 1), FAULT_OK);
    T_CHECK(s);
    t_space_done(s);
}

TEST(fault_populate_of_huge_prot_none_is_free)
{
    /* MAP_POPULATE over a PROT_NONE range of almost all user space must not
     * walk its pages one by one (this used to take hours). */
    struct space *s = t_space(SPACE_EAGER);
    uint64_t len = (s->top - B) & ~(uint64_t)(P - 1);
    CHECK_EQ(space_map(s, B, len, PROT_NONE, ANON | MAP_FIXED | MAP_NORESERVE | MAP_POPULATE, 0, 0, false), B);
    CHECK_EQ(space_populate(s, B, B + len), 0);
    CHECK_EQ(s->resident, 0);
    T_CHECK(s);
    t_space_done(s);
}
