/* tests/unit/test_space_advise.c — madvise: argument errors in Linux's
 * order, MADV_DONTNEED / MADV_FREE dropping pages (private data lost,
 * shared data kept), holes and locked VMAs, MADV_REMOVE, populating, and
 * the advice that splits and merges VMAs, with the VMA limit. */
#include "mm_test.h"

#include <mm/object.h>

#define D 0x20000000ull
#define SHARED_ANON (MAP_SHARED | MAP_ANONYMOUS)

/* A stand-in file: every fault gets a fresh zero frame, so the only
 * holders of its frames are leaves and the frame checker stays exact. */
static int fake_get_page(struct vm_object *obj, uint64_t pgoff, paddr_t *pa)
{
    (void)obj, (void)pgoff;
    return frame_alloc_zeroed(pa, MM_ALLOC_FRAME);
}
static void fake_release(struct vm_object *obj) { (void)obj; }
static const struct vm_object_ops fake_ops = {.get_page = fake_get_page, .release = fake_release};
static struct vm_object fake_file;

static struct vm_object *fake_file_open(void)
{
    fake_file = (struct vm_object){.ops = &fake_ops, .refs = 1, .kind = VM_OBJECT_FILE};
    return &fake_file;
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

static void fill(struct space *s, uaddr_t a, int n, uint8_t base)
{
    for (int i = 0; i < n; i++)
        CHECK_EQ(t_write(s, a + (uint64_t)i * P, (uint8_t)(base + i)), FAULT_OK);
}

static bool mapped(struct space *s, uaddr_t va) { return pmap_extract(&s->pmap, va, 0, 0); }

static unsigned vflags(struct space *s, uaddr_t va) { return space_vma_find(s, va)->flags; }

TEST(advise_errors_in_linux_order)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    int unknown[] = {5, 6, 7, -1, 26, 99, MADV_COLLAPSE, MADV_HWPOISON, MADV_SOFT_OFFLINE,
                     MADV_GUARD_INSTALL, MADV_GUARD_REMOVE, 104};
    for (unsigned i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        CHECK_EQ(space_advise(s, B, P, unknown[i]), -EINVAL);
        CHECK_EQ(space_advise(s, B + 100 * P, P, unknown[i]), -EINVAL); /* before the walk */
    }
    CHECK_EQ(space_advise(s, B + 1, P, MADV_DONTNEED), -EINVAL);
    CHECK_EQ(space_advise(s, B + 1, 0, MADV_DONTNEED), -EINVAL);         /* before length 0 */
    CHECK_EQ(space_advise(s, B, UINT64_MAX, MADV_DONTNEED), -EINVAL);    /* rounds to 0 */
    CHECK_EQ(space_advise(s, B, 0 - 2 * P, MADV_DONTNEED), -EINVAL);     /* end wraps */
    CHECK_EQ(space_advise(s, B + 100 * P, 0, MADV_DONTNEED), 0);        /* length 0 */
    CHECK_EQ(space_advise(s, B + 100 * P, P, MADV_DONTNEED), -ENOMEM);  /* unmapped */
    CHECK_EQ(space_advise(s, B + 100 * P, P, MADV_NORMAL), -ENOMEM);
    CHECK_EQ(space_advise(s, s->top + P, P, MADV_NORMAL), -ENOMEM);     /* beyond user space */
    CHECK_EQ(space_advise(s, B - P, P, MADV_WILLNEED), -ENOMEM);        /* a hole below a VMA */
    CHECK_EQ(space_advise(s, B, 4 * P, MADV_WILLNEED), 0);
    CHECK(!strcmp(win(s, B), "0-4 rw-p"));
    T_CHECK(s);
    t_space_done(s);
}

TEST(advise_dontneed_zero_fills_private_memory)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    fill(s, B, 4, 1);
    uint64_t free_before = frame_free_count();
    CHECK_EQ(space_advise(s, B + P, 2 * P, MADV_DONTNEED), 0);
    CHECK_EQ(frame_free_count(), free_before + 2);
    CHECK_EQ(s->resident, 2);
    CHECK(!strcmp(win(s, B), "0-4 rw-p")); /* the mapping stays */
    T_CHECK(s);
    CHECK_EQ(rd(s, B + P), 0);
    CHECK_EQ(rd(s, B + 2 * P), 0);
    CHECK_EQ(rd(s, B), 1);
    CHECK_EQ(rd(s, B + 3 * P), 4);
    CHECK_EQ(t_write(s, B + P, 0x55), FAULT_OK);
    CHECK_EQ(rd(s, B + P), 0x55);
    /* A partial page counts whole. */
    CHECK_EQ(space_advise(s, B, 100, MADV_DONTNEED), 0);
    CHECK_EQ(rd(s, B), 0);
    CHECK_EQ(rd(s, B + P), 0x55);
    /* MADV_FREE on private anonymous memory: dropped the same way. */
    CHECK_EQ(space_advise(s, B + P, P, MADV_FREE), 0);
    CHECK_EQ(rd(s, B + P), 0);
    T_CHECK(s);
    t_space_done(s);
}

TEST(advise_dontneed_keeps_object_data)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(space_map(s, B, 2 * P, RW, SHARED_ANON | MAP_FIXED, 0, 0, false) == (int64_t)B);
    CHECK_EQ(t_write(s, B + P, 0x33), FAULT_OK);
    CHECK_EQ(space_advise(s, B, 2 * P, MADV_DONTNEED), 0);
    CHECK(!mapped(s, B + P));
    CHECK_EQ(s->resident, 0);
    T_CHECK(s);
    CHECK_EQ(rd(s, B + P), 0x33); /* the object still holds the page */
    /* Private file pages come back from the file. */
    struct vm_object *f = fake_file_open();
    REQUIRE(space_map(s, D, 2 * P, RW, MAP_PRIVATE | MAP_FIXED, f, 0, false) == (int64_t)D);
    CHECK_EQ(t_write(s, D, 0x44), FAULT_OK);
    CHECK_EQ(space_advise(s, D, 2 * P, MADV_DONTNEED), 0);
    CHECK_EQ(rd(s, D), 0);
    T_CHECK(s);
    t_space_done(s);
}

TEST(advise_holes_and_locked_vmas)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 2 * P, RW) == (int64_t)B);
    REQUIRE(map_fixed(s, B + 3 * P, 2 * P, RW) == (int64_t)(B + 3 * P));
    fill(s, B, 2, 1);
    fill(s, B + 3 * P, 2, 4);
    /* A hole in the middle: both sides are done, then -ENOMEM. */
    CHECK_EQ(space_advise(s, B, 5 * P, MADV_DONTNEED), -ENOMEM);
    CHECK_EQ(s->resident, 0);
    fill(s, B, 2, 1);
    fill(s, B + 3 * P, 2, 4);
    /* Starting in a hole, and running off the last VMA. */
    CHECK_EQ(space_advise(s, B + 2 * P, 2 * P, MADV_DONTNEED), -ENOMEM);
    CHECK(!mapped(s, B + 3 * P) && mapped(s, B + 4 * P));
    CHECK_EQ(space_advise(s, B + 4 * P, 8 * P, MADV_DONTNEED), -ENOMEM);
    CHECK(!mapped(s, B + 4 * P) && mapped(s, B + P));
    T_CHECK(s);

    /* Locked memory: MADV_DONTNEED and MADV_FREE refuse it, after doing
     * the VMAs before it; MADV_DONTNEED_LOCKED does not. */
    REQUIRE(space_map(s, B + 5 * P, 2 * P, RW, ANON | MAP_FIXED | MAP_LOCKED, 0, 0, false) ==
            (int64_t)(B + 5 * P));
    CHECK(mapped(s, B + 5 * P));
    fill(s, B + 3 * P, 2, 4);
    CHECK_EQ(space_advise(s, B + 3 * P, 4 * P, MADV_DONTNEED), -EINVAL);
    CHECK(!mapped(s, B + 3 * P) && mapped(s, B + 5 * P));
    CHECK_EQ(space_advise(s, B + 5 * P, 2 * P, MADV_FREE), -EINVAL);
    CHECK_EQ(space_advise(s, B + 5 * P, 2 * P, MADV_COLD), -EINVAL);
    CHECK_EQ(space_advise(s, B + 5 * P, 2 * P, MADV_PAGEOUT), -EINVAL);
    CHECK(mapped(s, B + 6 * P));
    CHECK_EQ(space_advise(s, B + 5 * P, 2 * P, MADV_DONTNEED_LOCKED), 0);
    CHECK(!mapped(s, B + 5 * P) && !mapped(s, B + 6 * P));
    CHECK_EQ(space_advise(s, B, 2 * P, MADV_DONTNEED_LOCKED), 0); /* fine unlocked too */
    T_CHECK(s);
    t_space_done(s);
}

TEST(advise_free_only_on_private_anonymous)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = fake_file_open();
    REQUIRE(space_map(s, B, 2 * P, RW, SHARED_ANON | MAP_FIXED, 0, 0, false) == (int64_t)B);
    REQUIRE(space_map(s, D, 2 * P, RW, MAP_PRIVATE | MAP_FIXED, f, 0, false) == (int64_t)D);
    CHECK_EQ(t_write(s, B, 1), FAULT_OK);
    CHECK_EQ(t_write(s, D, 1), FAULT_OK);
    CHECK_EQ(space_advise(s, B, 2 * P, MADV_FREE), -EINVAL);
    CHECK_EQ(space_advise(s, D, 2 * P, MADV_FREE), -EINVAL);
    CHECK(mapped(s, B) && mapped(s, D));
    T_CHECK(s);
    t_space_done(s);
}

TEST(advise_remove_punches_shared_memory)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(space_map(s, B, 4 * P, RW, SHARED_ANON | MAP_FIXED, 0, 0, false) == (int64_t)B);
    fill(s, B, 4, 0x11);
    /* A second mapping of the same pages (mremap with old_len 0). */
    REQUIRE(space_remap(s, B, 0, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, D) == (int64_t)D);
    CHECK_EQ(rd(s, D + P), 0x12);
    CHECK_EQ(rd(s, D), 0x11); /* keeps D's page table in use through the punch */
    uint64_t free_before = frame_free_count();
    CHECK_EQ(space_advise(s, B + P, 2 * P, MADV_REMOVE), 0);
    CHECK_EQ(frame_free_count(), free_before + 2); /* gone from the object too */
    T_CHECK(s);
    CHECK_EQ(rd(s, B + P), 0);
    CHECK_EQ(rd(s, D + 2 * P), 0); /* the other mapping sees the hole */
    CHECK_EQ(rd(s, D + 3 * P), 0x14);
    CHECK_EQ(rd(s, B), 0x11);
    T_CHECK(s);
    t_space_done(s);
}

TEST(advise_remove_errors)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = fake_file_open();
    REQUIRE(map_fixed(s, B, 2 * P, RW) == (int64_t)B);
    CHECK_EQ(space_advise(s, B, 2 * P, MADV_REMOVE), -EINVAL); /* no file behind it */
    REQUIRE(space_map(s, B + 4 * P, 2 * P, RW, SHARED_ANON | MAP_FIXED | MAP_LOCKED, 0, 0, false) ==
            (int64_t)(B + 4 * P));
    CHECK_EQ(space_advise(s, B + 4 * P, 2 * P, MADV_REMOVE), -EINVAL); /* locked */
    REQUIRE(space_map(s, D, 2 * P, RW, MAP_PRIVATE | MAP_FIXED, f, 0, true) == (int64_t)D);
    CHECK_EQ(space_advise(s, D, 2 * P, MADV_REMOVE), -EACCES); /* private file */
    REQUIRE(space_map(s, D + 4 * P, 2 * P, PROT_READ, MAP_SHARED | MAP_FIXED, f, 0, false) ==
            (int64_t)(D + 4 * P));
    CHECK_EQ(space_advise(s, D + 4 * P, 2 * P, MADV_REMOVE), -EACCES); /* file not writable */
    REQUIRE(space_map(s, D + 8 * P, 2 * P, RW, MAP_SHARED | MAP_FIXED, f, 0, true) == (int64_t)(D + 8 * P));
    CHECK_EQ(space_advise(s, D + 8 * P, 2 * P, MADV_REMOVE), -EOPNOTSUPP); /* cannot punch files */
    /* Shared read-only anonymous memory may still be punched. */
    REQUIRE(space_map(s, D + 12 * P, P, PROT_READ, SHARED_ANON | MAP_FIXED, 0, 0, false) ==
            (int64_t)(D + 12 * P));
    CHECK_EQ(space_advise(s, D + 12 * P, P, MADV_REMOVE), 0);
    T_CHECK(s);

    /* Shared with another address space, whose leaves cannot be found:
     * the pages are zeroed in place, so both see zeros and then share
     * what either writes. */
    REQUIRE(space_map(s, D + 16 * P, 2 * P, RW, SHARED_ANON | MAP_FIXED, 0, 0, false) == (int64_t)(D + 16 * P));
    CHECK_EQ(t_write(s, D + 16 * P, 9), FAULT_OK);
    CHECK_EQ(t_write(s, D + 17 * P, 8), FAULT_OK);
    struct space *child;
    REQUIRE(space_fork(s, &child) == 0);
    CHECK_EQ(rd(child, D + 16 * P), 9);
    uint64_t free_before = frame_free_count();
    CHECK_EQ(space_advise(s, D + 16 * P, P, MADV_REMOVE), 0);
    CHECK_EQ(frame_free_count(), free_before);
    CHECK_EQ(rd(s, D + 16 * P), 0);
    CHECK_EQ(rd(child, D + 16 * P), 0);
    CHECK_EQ(rd(child, D + 17 * P), 8); /* outside the hole */
    CHECK_EQ(t_write(child, D + 16 * P, 7), FAULT_OK);
    CHECK_EQ(rd(s, D + 16 * P), 7);
    space_destroy(child);
    /* Alone again: the page is freed. */
    free_before = frame_free_count();
    CHECK_EQ(space_advise(s, D + 16 * P, P, MADV_REMOVE), 0);
    CHECK_EQ(frame_free_count(), free_before + 1);
    CHECK_EQ(rd(s, D + 16 * P), 0);
    T_CHECK(s);
    t_space_done(s);
}

TEST(advise_populate)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 4 * P, RW) == (int64_t)B);
    CHECK_EQ(space_advise(s, B, 2 * P, MADV_POPULATE_READ), 0);
    CHECK_EQ(s->resident, 2);
    paddr_t pa;
    unsigned prot;
    CHECK(pmap_extract(&s->pmap, B, &pa, &prot) && frame_is_zero_page(pa) && !(prot & PMAP_WRITE));
    CHECK_EQ(space_advise(s, B, 4 * P, MADV_POPULATE_WRITE), 0);
    CHECK_EQ(s->resident, 4);
    for (int i = 0; i < 4; i++) {
        CHECK(pmap_extract(&s->pmap, B + (uint64_t)i * P, &pa, &prot));
        CHECK(!frame_is_zero_page(pa) && (prot & PMAP_WRITE));
    }
    T_CHECK(s);

    /* Access the VMA does not allow: -EINVAL. */
    REQUIRE(map_fixed(s, B + 8 * P, P, PROT_READ) == (int64_t)(B + 8 * P));
    REQUIRE(map_fixed(s, B + 10 * P, P, PROT_NONE) == (int64_t)(B + 10 * P));
    REQUIRE(map_fixed(s, B + 12 * P, P, PROT_WRITE) == (int64_t)(B + 12 * P));
    CHECK_EQ(space_advise(s, B + 8 * P, P, MADV_POPULATE_WRITE), -EINVAL);
    CHECK_EQ(space_advise(s, B + 8 * P, P, MADV_POPULATE_READ), 0);
    CHECK_EQ(space_advise(s, B + 10 * P, P, MADV_POPULATE_READ), -EINVAL);
    CHECK_EQ(space_advise(s, B + 12 * P, P, MADV_POPULATE_READ), -EINVAL); /* no VM_READ */
    CHECK_EQ(space_advise(s, B + 12 * P, P, MADV_POPULATE_WRITE), 0);
    /* A hole stops it with -ENOMEM: nothing after the hole is touched. */
    uint64_t before = s->resident;
    REQUIRE(map_fixed(s, D, 2 * P, RW) == (int64_t)D);
    REQUIRE(map_fixed(s, D + 3 * P, 2 * P, RW) == (int64_t)(D + 3 * P));
    CHECK_EQ(space_advise(s, D, 5 * P, MADV_POPULATE_WRITE), -ENOMEM);
    CHECK_EQ(s->resident, before + 2);
    CHECK(!mapped(s, D + 3 * P));
    T_CHECK(s);

    /* Beyond the end of the object (SIGBUS territory): -EFAULT. */
    REQUIRE(space_map(s, D + 16 * P, 2 * P, RW, SHARED_ANON | MAP_FIXED, 0, 0, false) ==
            (int64_t)(D + 16 * P));
    REQUIRE(space_remap(s, D + 16 * P, 2 * P, 4 * P, 0, 0) == (int64_t)(D + 16 * P));
    CHECK_EQ(space_advise(s, D + 16 * P, 4 * P, MADV_POPULATE_READ), -EFAULT);
    CHECK(mapped(s, D + 17 * P) && !mapped(s, D + 18 * P));
    /* Out of memory. */
    REQUIRE(map_fixed(s, D + 24 * P, 4 * P, RW) == (int64_t)(D + 24 * P));
    hosted_fail_nth(MM_ALLOC_FRAME, 2, true);
    CHECK_EQ(space_advise(s, D + 24 * P, 4 * P, MADV_POPULATE_WRITE), -ENOMEM);
    hosted_fail_nth(MM_ALLOC_FRAME, 0, false);
    CHECK(mapped(s, D + 24 * P) && !mapped(s, D + 25 * P));
    T_CHECK(s);
    t_space_done(s);
}

TEST(advise_flags_split_and_merge)
{
    struct space *s = t_space(SPACE_LAZY);
    REQUIRE(map_fixed(s, B, 8 * P, RW) == (int64_t)B);
    CHECK_EQ(space_advise(s, B + 2 * P, 2 * P, MADV_DONTFORK), 0);
    CHECK(!strcmp(win(s, B), "0-2 rw-p 2-4 rw-p 4-8 rw-p"));
    CHECK(vflags(s, B + 2 * P) & VMA_DONTCOPY);
    CHECK(!(vflags(s, B) & VMA_DONTCOPY));
    T_CHECK(s);
    CHECK_EQ(space_advise(s, B + 2 * P, 2 * P, MADV_DOFORK), 0);
    CHECK(!strcmp(win(s, B), "0-8 rw-p"));
    /* Setting what is already set changes nothing. */
    CHECK_EQ(space_advise(s, B, 8 * P, MADV_DOFORK), 0);
    CHECK(!strcmp(win(s, B), "0-8 rw-p"));
    CHECK_EQ(space_advise(s, B + 6 * P, 2 * P, MADV_DONTDUMP), 0);
    CHECK(!strcmp(win(s, B), "0-6 rw-p 6-8 rw-p"));
    CHECK(vflags(s, B + 7 * P) & VMA_DONTDUMP);
    CHECK_EQ(space_advise(s, B, 8 * P, MADV_DODUMP), 0);
    CHECK(!strcmp(win(s, B), "0-8 rw-p"));
    /* WIPEONFORK: private anonymous memory only. */
    CHECK_EQ(space_advise(s, B, 4 * P, MADV_WIPEONFORK), 0);
    CHECK(vflags(s, B) & VMA_WIPEONFORK);
    CHECK_EQ(space_advise(s, B, 8 * P, MADV_KEEPONFORK), 0);
    CHECK(!strcmp(win(s, B), "0-8 rw-p"));
    REQUIRE(space_map(s, D, 2 * P, RW, SHARED_ANON | MAP_FIXED, 0, 0, false) == (int64_t)D);
    CHECK_EQ(space_advise(s, D, 2 * P, MADV_WIPEONFORK), -EINVAL);
    struct vm_object *f = fake_file_open();
    REQUIRE(space_map(s, D + 4 * P, 2 * P, RW, MAP_PRIVATE | MAP_FIXED, f, 0, false) == (int64_t)(D + 4 * P));
    CHECK_EQ(space_advise(s, D + 4 * P, 2 * P, MADV_WIPEONFORK), -EINVAL);
    CHECK_EQ(space_advise(s, D + 4 * P, 2 * P, MADV_DONTFORK), 0);
    T_CHECK(s);
    /* Hints Linux does not record: accepted, no VMA change. */
    int hints[] = {MADV_NORMAL, MADV_WILLNEED, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_COLD, MADV_PAGEOUT};
    for (unsigned i = 0; i < sizeof hints / sizeof hints[0]; i++)
        CHECK_EQ(space_advise(s, B + P, 2 * P, hints[i]), 0);
    CHECK(!strcmp(win(s, B), "0-8 rw-p"));
    /* The read-ahead hints are VMA flags on Linux: the range splits off;
     * each replaces the other, and MADV_NORMAL undoes both. */
    CHECK_EQ(space_advise(s, B + P, 2 * P, MADV_RANDOM), 0);
    CHECK(!strcmp(win(s, B), "0-1 rw-p 1-3 rw-p 3-8 rw-p"));
    CHECK_EQ(space_advise(s, B + P, 2 * P, MADV_SEQUENTIAL), 0);
    CHECK((vflags(s, B + P) & (VMA_RANDOM | VMA_SEQUENTIAL)) == VMA_SEQUENTIAL);
    CHECK_EQ(space_advise(s, B + P, 2 * P, MADV_NORMAL), 0);
    CHECK(!strcmp(win(s, B), "0-8 rw-p"));
    /* MADV_NOHUGEPAGE and MADV_HUGEPAGE are flags too (MAP_STACK sets the
     * first), each clearing the other. */
    CHECK_EQ(space_advise(s, B + 4 * P, 4 * P, MADV_NOHUGEPAGE), 0);
    CHECK(!strcmp(win(s, B), "0-4 rw-p 4-8 rw-p"));
    CHECK(vflags(s, B + 4 * P) & VMA_NOHUGEPAGE);
    CHECK_EQ(space_advise(s, B, 8 * P, MADV_HUGEPAGE), 0);
    CHECK(!strcmp(win(s, B), "0-8 rw-p"));
    CHECK((vflags(s, B) & (VMA_HUGEPAGE | VMA_NOHUGEPAGE)) == VMA_HUGEPAGE);
    REQUIRE(space_map(s, B + 8 * P, 2 * P, RW, ANON | MAP_FIXED | MAP_STACK, 0, 0, false) ==
            (int64_t)(B + 8 * P));
    CHECK(!strcmp(win(s, B), "0-8 rw-p 8-10 rw-p"));
    CHECK_EQ(space_advise(s, B + 8 * P, 2 * P, MADV_HUGEPAGE), 0);
    CHECK(!strcmp(win(s, B), "0-10 rw-p"));
    CHECK_EQ(space_unmap(s, B + 8 * P, 2 * P), 0);
    /* Across a hole: the VMAs are changed, the result is -ENOMEM. */
    CHECK_EQ(space_advise(s, B + 6 * P, D + 2 * P - (B + 6 * P), MADV_DONTDUMP), -ENOMEM);
    CHECK(!strcmp(win(s, B), "0-6 rw-p 6-8 rw-p"));
    CHECK(vflags(s, D + P) & VMA_DONTDUMP);
    T_CHECK(s);
    t_space_done(s);
}

TEST(advise_flags_at_the_vma_limit)
{
    struct space_config cfg = {.max_map_count = 2};
    struct space *s = t_space_cfg(&cfg);
    REQUIRE(map_fixed(s, B, 8 * P, RW) == (int64_t)B);
    /* Two splits needed, room for one: -EAGAIN, the first split stays. */
    CHECK_EQ(space_advise(s, B + 2 * P, 2 * P, MADV_DONTFORK), -EAGAIN);
    CHECK(!strcmp(win(s, B), "0-2 rw-p 2-8 rw-p"));
    CHECK(!(vflags(s, B + 2 * P) & VMA_DONTCOPY));
    T_CHECK(s);
    /* A piece that merges into its neighbour needs no room. */
    CHECK_EQ(space_advise(s, B, 2 * P, MADV_DONTFORK), 0);
    CHECK(!strcmp(win(s, B), "0-2 rw-p 2-8 rw-p"));
    CHECK_EQ(space_advise(s, B + 2 * P, 3 * P, MADV_DONTFORK), 0);
    CHECK(!strcmp(win(s, B), "0-5 rw-p 5-8 rw-p"));
    CHECK(vflags(s, B + 4 * P) & VMA_DONTCOPY);
    CHECK_EQ(space_advise(s, B + 3 * P, 2 * P, MADV_DOFORK), 0);
    CHECK(!strcmp(win(s, B), "0-3 rw-p 3-8 rw-p"));
    CHECK_EQ(space_advise(s, B + P, P, MADV_DOFORK), -EAGAIN);
    T_CHECK(s);
    t_space_done(s);
}
