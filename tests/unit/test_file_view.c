/* tests/unit/test_file_view.c — views of a file's page cache (one per open
 * of the file, Linux's vm_file): mappings through different views share
 * the pages but never merge, mappings through one view merge as before;
 * shrinking reaches mappings through every view. And punching a hole
 * (MADV_REMOVE through the owner's hook): the pages leave every shared
 * mapping and every private one that had not copied them, private copies
 * stay, the file keeps its size and reads zeros there. */
#include "mm_test.h"

#include <mm/object.h>
#include <mm/slab.h>
#include <string.h>

#define PRIV (MAP_PRIVATE | MAP_FIXED)
#define SHR (MAP_SHARED | MAP_FIXED)

/* space_check on each space, frames_check over them and the file f. */
#define CHECK_SPACES(arr, n, f)                                                                    \
    do {                                                                                           \
        struct vm_object *objs_[1] = {(f)};                                                        \
        T_CHECK_ALL((arr), (n), objs_, 1);                                                         \
    } while (0)

/* The owner's side of punching: every space the test made, then the pages. */
static struct space *owner_spaces[2];
static unsigned owner_nspaces, punch_calls;
static uint64_t punch_first, punch_last;

static int owner_punch(struct vm_object *obj, uint64_t first, uint64_t last)
{
    punch_calls++;
    punch_first = first, punch_last = last;
    for (unsigned i = 0; i < owner_nspaces; i++)
        space_object_punch(owner_spaces[i], obj, first, last);
    vm_object_file_drop(obj, first, last);
    return 0;
}

static const struct vm_file_hooks owner_hooks = {.punch = owner_punch};

static int owner_tag;

/* A file of npages pages whose page i starts with 'A' + i (the alphabet
 * repeats). */
static struct vm_object *file_make(uint64_t npages, const struct vm_file_hooks *hooks)
{
    struct vm_object *f = vm_object_file_create(npages * P, &owner_tag, hooks);
    for (uint64_t i = 0; f && i < npages; i++) {
        paddr_t pa;
        if (vm_object_file_page(f, i, true, &pa))
            return 0;
        *(uint8_t *)platform_phys_to_virt(pa) = (uint8_t)('A' + i % 26);
    }
    return f;
}

/* The VMA layout from base (t_layout) must be want. */
#define CHECK_LAYOUT(s, base, want)                                                                \
    do {                                                                                           \
        const char *got_ = t_layout((s), (base));                                                  \
        if (strcmp(got_, (want)))                                                                  \
            test_fail_at(__FILE__, __LINE__, "layout \"%s\", want \"%s\"", got_, (want));          \
    } while (0)

TEST(view_passes_through_to_the_file)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = file_make(3, 0);
    REQUIRE(f);
    struct vm_object *v = vm_object_file_view_create(f);
    REQUIRE(v);
    CHECK(vm_object_file_view_target(v) == f);
    CHECK(vm_object_file_view_target(f) == 0);
    CHECK(vm_object_file_owner(v) == &owner_tag);
    CHECK(vm_object_file_owner(f) == &owner_tag);
    CHECK_EQ(vm_object_file_size(v), 3 * P);
    CHECK_EQ(f->refs, 2); /* the file system's and the view's */
    REQUIRE(t_map_file(s, B, 3 * P, RW, SHR, v, 0) == (int64_t)B);
    CHECK_EQ(t_byte(s, B + P), 'B');
    CHECK_EQ(t_leaf(s, B + P), t_cache_page(f, 1)); /* the cache's own frame */
    CHECK_EQ(t_write(s, B + 2 * P, 'w'), FAULT_OK);
    CHECK_EQ(*(uint8_t *)platform_phys_to_virt(t_cache_page(f, 2)), 'w');
    CHECK_EQ(t_read(s, B + 3 * P, 0), FAULT_SEGV_MAPERR);
    struct space *one[1] = {s};
    CHECK_SPACES(one, 1, f);
    /* The view lives while a mapping holds it, and holds the file. */
    vm_object_unref(v);
    CHECK_EQ(t_byte(s, B), 'A');
    REQUIRE(space_unmap(s, B, 3 * P) == 0);
    CHECK_EQ(f->refs, 1);
    vm_object_unref(f);
    t_space_done(s);
    CHECK_EQ(file_cache.objects, 0);
}

TEST(view_mappings_merge_within_one_open_only)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = file_make(16, 0);
    REQUIRE(f);
    struct vm_object *v1 = vm_object_file_view_create(f), *v2 = vm_object_file_view_create(f);
    REQUIRE(v1 && v2);

    REQUIRE(t_map_file(s, B, P, PROT_READ, SHR, v1, 0) == (int64_t)B);
    REQUIRE(t_map_file(s, B + P, P, PROT_READ, SHR, v1, P) == (int64_t)(B + P));
    CHECK_LAYOUT(s, B, "0-2 r--s");
    REQUIRE(t_map_file(s, B + 2 * P, P, PROT_READ, SHR, v2, 2 * P) == (int64_t)(B + 2 * P));
    REQUIRE(t_map_file(s, B + 3 * P, P, PROT_READ, SHR, v1, 3 * P) == (int64_t)(B + 3 * P));
    CHECK_LAYOUT(s, B, "0-2 r--s 2-3 r--s 3-4 r--s");
    /* Both views show the same pages. */
    CHECK_EQ(t_byte(s, B + 2 * P), 'C');
    CHECK_EQ(t_leaf(s, B + 2 * P), t_cache_page(f, 2));

    /* Private, written: each open's VMA gets its own identity; they stay
     * apart, while pieces of one open's mapping rejoin. */
    REQUIRE(t_map_file(s, B + 8 * P, 2 * P, RW, PRIV, v1, 0) == (int64_t)(B + 8 * P));
    REQUIRE(t_map_file(s, B + 10 * P, P, RW, PRIV, v2, 2 * P) == (int64_t)(B + 10 * P));
    CHECK_LAYOUT(s, B + 8 * P, "0-2 rw-p 2-3 rw-p");
    for (int i = 8; i < 11; i++)
        CHECK_EQ(t_write(s, B + (uint64_t)i * P, 'p'), FAULT_OK);
    CHECK(space_vma_find(s, B + 8 * P)->obj != space_vma_find(s, B + 10 * P)->obj);
    REQUIRE(space_protect(s, B + 9 * P, 2 * P, PROT_READ) == 0);
    CHECK_LAYOUT(s, B + 8 * P, "0-1 rw-p 1-2 r--p 2-3 r--p");
    REQUIRE(space_protect(s, B + 9 * P, 2 * P, RW) == 0);
    CHECK_LAYOUT(s, B + 8 * P, "0-2 rw-p 2-3 rw-p");
    struct space *one[1] = {s};
    CHECK_SPACES(one, 1, f);

    /* Shrinking the file reaches mappings through every view. */
    space_object_unmap(s, f, 1);
    REQUIRE(vm_object_file_resize(f, P) == 0);
    CHECK_EQ(t_read(s, B + 2 * P, 0), FAULT_BUS);
    CHECK_EQ(t_read(s, B + P, 0), FAULT_BUS);
    CHECK_EQ(t_byte(s, B), 'A');
    CHECK_SPACES(one, 1, f);

    vm_object_unref(v1);
    vm_object_unref(v2);
    vm_object_unref(f);
    t_space_done(s);
    CHECK_EQ(file_cache.objects, 0);
}

TEST(punch_hole_reaches_every_mapping_and_keeps_private_copies)
{
    struct space *s = t_space(SPACE_LAZY), *c;
    struct vm_object *f = file_make(4, &owner_hooks);
    REQUIRE(f);
    struct vm_object *v1 = vm_object_file_view_create(f), *v2 = vm_object_file_view_create(f);
    REQUIRE(v1 && v2);
    REQUIRE(t_map_file(s, B, 4 * P, RW, SHR, v1, 0) == (int64_t)B);
    REQUIRE(t_map_file(s, B + 5 * P, 4 * P, RW, SHR, v2, 0) == (int64_t)(B + 5 * P));
    REQUIRE(t_map_file(s, B + 10 * P, 4 * P, RW, PRIV, v1, 0) == (int64_t)(B + 10 * P));
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(t_byte(s, B + (uint64_t)i * P), 'A' + i);
        CHECK_EQ(t_byte(s, B + (uint64_t)(5 + i) * P), 'A' + i);
        CHECK_EQ(t_byte(s, B + (uint64_t)(10 + i) * P), 'A' + i);
    }
    CHECK_EQ(t_write(s, B + 11 * P, 'x'), FAULT_OK); /* a private copy of page 1 */
    REQUIRE(space_fork(s, &c) == 0);
    CHECK_EQ(t_byte(c, B + 6 * P), 'B');
    owner_spaces[0] = s, owner_spaces[1] = c, owner_nspaces = 2;

    /* Through the second shared mapping, pages 1 and 2. */
    punch_calls = 0;
    CHECK_EQ(space_advise(s, B + 6 * P, 2 * P, MADV_REMOVE), 0);
    CHECK_EQ(punch_calls, 1);
    CHECK_EQ(punch_first, 1);
    CHECK_EQ(punch_last, 3);
    CHECK_EQ(vm_object_file_pages(f), 2);
    CHECK_EQ(vm_object_file_size(f), 4 * P);
    CHECK_EQ(t_cache_page(f, 1), 0);
    CHECK_EQ(t_leaf(s, B + P), 0);
    CHECK_EQ(t_leaf(s, B + 6 * P), 0);
    CHECK_EQ(t_leaf(c, B + 6 * P), 0);
    CHECK_EQ(t_leaf(s, B + 12 * P), 0);  /* private, not copied: it went */
    CHECK(t_leaf(s, B + 11 * P) != 0);   /* the private copy stays */
    CHECK(t_leaf(s, B) != 0 && t_leaf(s, B + 3 * P) != 0);
    struct space *both[2] = {s, c};
    CHECK_SPACES(both, 2, f);

    CHECK_EQ(t_byte(s, B + P), 0);
    CHECK_EQ(t_byte(c, B + 2 * P), 0);
    CHECK_EQ(t_byte(s, B + 11 * P), 'x');
    CHECK_EQ(t_byte(s, B + 12 * P), 0);
    CHECK_EQ(t_byte(s, B + 13 * P), 'D');
    /* Written into the hole: everyone sees it. */
    CHECK_EQ(t_write(c, B + 7 * P, 'N'), FAULT_OK);
    CHECK_EQ(t_byte(s, B + 2 * P), 'N');
    CHECK_EQ(t_byte(s, B + 12 * P), 'N');
    CHECK_SPACES(both, 2, f);

    /* A private mapping cannot punch; a file without the hook cannot. */
    CHECK_EQ(space_advise(s, B + 10 * P, P, MADV_REMOVE), -EACCES);
    struct vm_object *g = file_make(1, 0);
    REQUIRE(g);
    REQUIRE(t_map_file(s, B + 20 * P, P, RW, SHR, g, 0) == (int64_t)(B + 20 * P));
    CHECK_EQ(space_advise(s, B + 20 * P, P, MADV_REMOVE), -EOPNOTSUPP);
    REQUIRE(space_unmap(s, B + 20 * P, P) == 0);
    vm_object_unref(g);

    owner_nspaces = 0;
    space_destroy(c);
    vm_object_unref(v1);
    vm_object_unref(v2);
    vm_object_unref(f);
    t_space_done(s);
    CHECK_EQ(file_cache.objects, 0);
}

TEST(punch_hole_over_many_pages_and_a_sparse_range)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = file_make(100, &owner_hooks);
    REQUIRE(f);
    REQUIRE(t_map_file(s, B, 100 * P, RW, SHR, f, 0) == (int64_t)B);
    REQUIRE(t_map_file(s, B + 200 * P, 100 * P, RW, PRIV, f, 0) == (int64_t)(B + 200 * P));
    for (uint64_t i = 0; i < 100; i++) {
        CHECK_EQ(t_byte(s, B + i * P), 'A' + i % 26);
        CHECK_EQ(t_byte(s, B + (200 + i) * P), 'A' + i % 26);
    }
    for (uint64_t i = 0; i < 100; i += 7)
        CHECK_EQ(t_write(s, B + (200 + i) * P, 'q'), FAULT_OK);
    owner_spaces[0] = s, owner_nspaces = 1;
    /* Pages 3..96: more than one batch of leaves and of pages. */
    CHECK_EQ(space_advise(s, B + 3 * P, 94 * P, MADV_REMOVE), 0);
    CHECK_EQ(vm_object_file_pages(f), 6);
    for (uint64_t i = 0; i < 100; i++) {
        bool hole = i >= 3 && i < 97;
        CHECK_EQ(!t_leaf(s, B + i * P), hole);
        CHECK_EQ(!t_leaf(s, B + (200 + i) * P), hole && i % 7 != 0);
    }
    struct space *one[1] = {s};
    CHECK_SPACES(one, 1, f);
    /* A huge range of a sparse file. */
    REQUIRE(vm_object_file_resize(f, 1ull << 40) == 0);
    REQUIRE(space_unmap(s, B, 300 * P) == 0);
    REQUIRE(t_map_file(s, B, 1ull << 36, PROT_READ, SHR, f, 0) == (int64_t)B);
    /* Read-only, but the file is open for writing: it may punch. */
    CHECK_EQ(space_advise(s, B, 1ull << 36, MADV_REMOVE), 0);
    CHECK_EQ(vm_object_file_pages(f), 0);
    CHECK_EQ(vm_object_file_size(f), 1ull << 40);
    CHECK_SPACES(one, 1, f);
    /* A huge private mapping with a few pages read far apart. */
    REQUIRE(space_map_file(s, B + (1ull << 37), 1ull << 36, PROT_READ, PRIV,
                           &(struct space_file){.obj = f, .readable = true, .max_bytes = INT64_MAX},
                           0) == (int64_t)(B + (1ull << 37)));
    const uint64_t far[3] = {5, 1ull << 20, (1ull << 24) - 1};
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(t_byte(s, B + (1ull << 37) + far[i] * P), 0);
        CHECK(t_leaf(s, B + (1ull << 37) + far[i] * P) != 0);
    }
    CHECK_EQ(vm_object_file_pages(f), 3);
    CHECK_EQ(space_advise(s, B, 1ull << 36, MADV_REMOVE), 0); /* through the shared one */
    for (int i = 0; i < 3; i++)
        CHECK_EQ(t_leaf(s, B + (1ull << 37) + far[i] * P), 0);
    CHECK_EQ(vm_object_file_pages(f), 0);
    CHECK_SPACES(one, 1, f);
    owner_nspaces = 0;
    vm_object_unref(f);
    t_space_done(s);
    CHECK_EQ(file_cache.objects, 0);
}
