/* tests/unit/test_file_object.c — a file's page cache as a backing object:
 * private mappings as copy-on-write views of the file, shared mappings as
 * the file itself (coherent with the file system's reads and writes, and
 * across fork), the zero tail of the last page, SIGBUS beyond the end and
 * after shrinking, the identity a written private file mapping gets and
 * the merges it allows (as Linux's anon_vma on a file VMA), mincore,
 * msync's hook, Linux's file checks of mmap, and frame accounting with
 * pages only the file system holds. */
#include "mm_test.h"

#include <mm/object.h>
#include <mm/slab.h>

#include "../../mm/page_index.h"

#define PRIV (MAP_PRIVATE | MAP_FIXED)
#define SHR (MAP_SHARED | MAP_FIXED)

#define CHECK1(s, f)                                                                               \
    do {                                                                                           \
        struct space *one_[1] = {(s)};                                                             \
        struct vm_object *objs_[1] = {(f)};                                                        \
        T_CHECK_ALL(one_, 1, objs_, 1);                                                            \
    } while (0)

/* The file system side: write bytes into the page cache, growing the file
 * as write() would. */
static void fs_write(struct vm_object *f, uint64_t off, const void *src, uint64_t len)
{
    const uint8_t *p = src;
    if (off + len > vm_object_file_size(f))
        REQUIRE(vm_object_file_resize(f, off + len) == 0);
    for (uint64_t done = 0; done < len;) {
        uint64_t pos = off + done, in = pos % P, n = len - done < P - in ? len - done : P - in;
        paddr_t pa;
        REQUIRE(vm_object_file_page(f, pos / P, true, &pa) == 0 && pa);
        memcpy((uint8_t *)platform_phys_to_virt(pa) + in, p + done, n);
        done += n;
    }
}

/* One byte as read() would see it: 0 in a hole, -1 beyond the end. */
static int fs_byte(struct vm_object *f, uint64_t off)
{
    paddr_t pa;
    if (off >= vm_object_file_size(f))
        return -1;
    if (vm_object_file_page(f, off / P, false, &pa) || !pa)
        return 0;
    return ((uint8_t *)platform_phys_to_virt(pa))[off % P];
}

/* A file of npages pages whose page i starts with byte 'A' + i. */
static struct vm_object *file_make(uint64_t npages)
{
    struct vm_object *f = vm_object_file_create(0, 0, 0);
    if (!f)
        return 0;
    for (uint64_t i = 0; i < npages; i++) {
        uint8_t c = (uint8_t)('A' + i);
        fs_write(f, i * P, &c, 1);
    }
    if (npages)
        vm_object_file_resize(f, npages * P);
    return f;
}

static void file_done(struct space *s, struct vm_object *f)
{
    vm_object_unref(f);
    t_space_done(s);
    CHECK_EQ(file_cache.objects, 0);
}

TEST(file_read_only_mapping_shows_the_file_through_its_pages)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = file_make(3);
    REQUIRE(f);
    CHECK_EQ(vm_object_file_pages(f), 3);
    REQUIRE(t_map_file(s, B, 3 * P, PROT_READ, PRIV, f, 0) == (int64_t)B);
    CHECK_EQ(t_byte(s, B + 2 * P), 'C');
    /* The leaf is the page cache's frame itself, read-only; the pages
     * around it came with it (fault-around). */
    CHECK_EQ(t_leaf(s, B + 2 * P), t_cache_page(f, 2));
    CHECK_EQ(t_leaf(s, B + P), t_cache_page(f, 1));
    CHECK_EQ(t_byte(s, B), 'A');
    CHECK_EQ(t_byte(s, B + P), 'B');
    CHECK_EQ(t_write(s, B, 'x'), FAULT_SEGV_ACCERR);
    /* An offset into the file. */
    REQUIRE(t_map_file(s, B + 8 * P, P, PROT_READ, PRIV, f, 2 * P) == (int64_t)(B + 8 * P));
    CHECK_EQ(t_byte(s, B + 8 * P), 'C');
    CHECK1(s, f);
    file_done(s, f);
}

TEST(file_private_write_copies_and_never_reaches_the_file)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = file_make(3);
    REQUIRE(t_map_file(s, B, 3 * P, RW, PRIV, f, 0) == (int64_t)B);
    CHECK_EQ(t_byte(s, B), 'A');
    CHECK_EQ(t_write(s, B, 'a'), FAULT_OK);           /* after a read: copy-on-write */
    CHECK_EQ(t_write(s, B + 2 * P, 'c'), FAULT_OK);   /* with no leaf yet: copied at once */
    CHECK_EQ(t_byte(s, B), 'a');
    CHECK_EQ(t_byte(s, B + 2 * P), 'c');
    CHECK_EQ(fs_byte(f, 0), 'A');
    CHECK_EQ(fs_byte(f, 2 * P), 'C');
    CHECK(t_leaf(s, B) != t_cache_page(f, 0));
    /* A later write by the file system shows in the page not yet copied,
     * not in the copied ones. */
    fs_write(f, P, "Z", 1);
    fs_write(f, 0, "Y", 1);
    CHECK_EQ(t_byte(s, B + P), 'Z');
    CHECK_EQ(t_byte(s, B), 'a');
    /* The written VMA has an identity over the file. */
    struct vma *v = space_vma_find(s, B);
    CHECK(v->obj && v->obj->kind == VM_OBJECT_ANON_IDENTITY);
    CHECK(vm_object_source(v->obj) == f);
    CHECK1(s, f);
    file_done(s, f);
}

TEST(file_shared_mapping_is_the_file)
{
    struct space *s = t_space(SPACE_LAZY), *c;
    struct vm_object *f = file_make(2);
    REQUIRE(t_map_file(s, B, 2 * P, RW, SHR, f, 0) == (int64_t)B);
    REQUIRE(t_map_file(s, B + 4 * P, 2 * P, PROT_READ, SHR, f, 0) == (int64_t)(B + 4 * P));
    CHECK_EQ(t_write(s, B + 10, 'w'), FAULT_OK);
    CHECK_EQ(fs_byte(f, 10), 'w');                    /* what read() would see */
    CHECK_EQ(t_byte(s, B + 4 * P + 10), 'w');             /* the other mapping */
    fs_write(f, P + 5, "q", 1);
    CHECK_EQ(t_byte(s, B + P + 5), 'q');
    CHECK_EQ(t_leaf(s, B), t_cache_page(f, 0));
    /* Across fork, both ways. */
    REQUIRE(space_fork(s, &c) == 0);
    CHECK_EQ(t_write(c, B + 20, 'c'), FAULT_OK);
    CHECK_EQ(t_byte(s, B + 20), 'c');
    CHECK_EQ(t_write(s, B + 21, 'p'), FAULT_OK);
    CHECK_EQ(t_byte(c, B + 21), 'p');
    CHECK_EQ(fs_byte(f, 20), 'c');
    struct space *both[2] = {s, c};
    struct vm_object *objs[1] = {f};
    T_CHECK_ALL(both, 2, objs, 1);
    space_destroy(c);
    /* The pages outlive every mapping: they are the file's. */
    REQUIRE(space_unmap(s, B, 8 * P) == 0);
    CHECK_EQ(fs_byte(f, 10), 'w');
    CHECK1(s, f);
    file_done(s, f);
}

TEST(file_private_fork_keeps_copies_apart)
{
    struct space *s = t_space(SPACE_LAZY), *c;
    struct vm_object *f = file_make(2);
    REQUIRE(t_map_file(s, B, 2 * P, RW, PRIV, f, 0) == (int64_t)B);
    CHECK_EQ(t_write(s, B, 'p'), FAULT_OK);
    CHECK_EQ(t_byte(s, B + P), 'B');
    REQUIRE(space_fork(s, &c) == 0);
    CHECK_EQ(t_byte(c, B), 'p');
    CHECK_EQ(t_write(c, B, 'c'), FAULT_OK);
    CHECK_EQ(t_write(c, B + P, 'd'), FAULT_OK);
    CHECK_EQ(t_byte(s, B), 'p');
    CHECK_EQ(t_byte(s, B + P), 'B');
    CHECK_EQ(fs_byte(f, P), 'B');
    struct space *both[2] = {s, c};
    struct vm_object *objs[1] = {f};
    T_CHECK_ALL(both, 2, objs, 1);
    space_destroy(c);
    file_done(s, f);
}

TEST(file_tail_is_zero_and_pages_beyond_the_end_raise_sigbus)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = vm_object_file_create(0, 0, 0);
    REQUIRE(f);
    fs_write(f, 0, "hello", 5);
    REQUIRE(t_map_file(s, B, 3 * P, RW, SHR, f, 0) == (int64_t)B);
    CHECK_EQ(t_byte(s, B + 4), 'o');
    CHECK_EQ(t_byte(s, B + 5), 0);
    CHECK_EQ(t_byte(s, B + P - 1), 0);
    CHECK_EQ(t_read(s, B + P, 0), FAULT_BUS);
    CHECK_EQ(t_write(s, B + 2 * P, 1), FAULT_BUS);
    /* A write to the tail stays out of the file; growing the file zeroes
     * it rather than letting it in. */
    CHECK_EQ(t_write(s, B + 100, 'T'), FAULT_OK);
    CHECK_EQ(vm_object_file_size(f), 5);
    REQUIRE(vm_object_file_resize(f, 200) == 0);
    CHECK_EQ(fs_byte(f, 100), 0);
    CHECK_EQ(t_byte(s, B + 100), 0);
    /* Growing makes whole pages valid (zero). */
    REQUIRE(vm_object_file_resize(f, 2 * P + 1) == 0);
    CHECK_EQ(t_byte(s, B + 2 * P), 0);
    CHECK_EQ(t_write(s, B + P + 7, 'g'), FAULT_OK);
    CHECK_EQ(fs_byte(f, P + 7), 'g');
    /* MAP_POPULATE stops quietly at the end of the file. */
    REQUIRE(t_map_file(s, B + 8 * P, 4 * P, PROT_READ, SHR | MAP_POPULATE, f, 0) == (int64_t)(B + 8 * P));
    CHECK(t_leaf(s, B + 10 * P) != 0);
    CHECK_EQ(t_leaf(s, B + 11 * P), 0);
    CHECK1(s, f);
    file_done(s, f);
}

TEST(file_shrink_unmaps_the_cut_pages_everywhere)
{
    struct space *s = t_space(SPACE_LAZY), *c;
    struct vm_object *f = file_make(4);
    REQUIRE(t_map_file(s, B, 4 * P, RW, SHR, f, 0) == (int64_t)B);
    REQUIRE(t_map_file(s, B + 8 * P, 4 * P, RW, PRIV, f, 0) == (int64_t)(B + 8 * P));
    for (int i = 0; i < 4; i++)
        CHECK_EQ(t_byte(s, B + (uint64_t)i * P), 'A' + i);
    CHECK_EQ(t_write(s, B + 11 * P, 'x'), FAULT_OK); /* a private copy of page 3 */
    CHECK_EQ(t_byte(s, B + 10 * P), 'C');
    REQUIRE(space_fork(s, &c) == 0);
    CHECK_EQ(t_byte(c, B + 3 * P), 'D');

    /* Shrink to 1.5 pages: the owner removes leaves in every space first. */
    space_object_unmap(s, f, 2);
    space_object_unmap(c, f, 2);
    REQUIRE(vm_object_file_resize(f, P + P / 2) == 0);
    CHECK_EQ(vm_object_file_pages(f), 2);
    CHECK_EQ(t_leaf(s, B + 3 * P), 0);
    CHECK_EQ(t_leaf(s, B + 11 * P), 0); /* the private copy too, as on Linux */
    CHECK_EQ(t_read(s, B + 2 * P, 0), FAULT_BUS);
    CHECK_EQ(t_read(s, B + 11 * P, 0), FAULT_BUS);
    CHECK_EQ(t_read(c, B + 3 * P, 0), FAULT_BUS);
    CHECK_EQ(t_byte(s, B + P), 'B');
    CHECK_EQ(t_byte(s, B + P + P / 2), 0); /* the cut tail of the last page */
    CHECK_EQ(t_byte(c, B + 9 * P), 'B');
    CHECK_EQ(space_vma_count(s), 2);    /* the VMAs stay */
    struct space *both[2] = {s, c};
    struct vm_object *objs[1] = {f};
    T_CHECK_ALL(both, 2, objs, 1);

    /* Growing again: valid, zero-filled pages. */
    REQUIRE(vm_object_file_resize(f, 4 * P) == 0);
    CHECK_EQ(t_byte(s, B + 3 * P), 0);
    CHECK_EQ(t_byte(c, B + 11 * P), 0);
    T_CHECK_ALL(both, 2, objs, 1);
    space_destroy(c);
    file_done(s, f);
}

TEST(file_written_private_vma_merges_as_linux)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = file_make(8);

    /* Split pieces of one written mapping share its identity and merge
     * back. */
    REQUIRE(t_map_file(s, B, 4 * P, RW, PRIV, f, 0) == (int64_t)B);
    CHECK_EQ(t_write(s, B, 1), FAULT_OK);
    REQUIRE(space_protect(s, B + 2 * P, P, PROT_READ) == 0);
    CHECK(!strcmp(t_layout(s, B), "0-2 rw-p 2-3 r--p 3-4 rw-p"));
    REQUIRE(space_protect(s, B + 2 * P, P, RW) == 0);
    CHECK(!strcmp(t_layout(s, B), "0-4 rw-p"));
    REQUIRE(space_unmap(s, B, 4 * P) == 0);

    /* Two adjacent mappings of the file with offsets that line up merge
     * when they are made. Pieces written while they differed in more than
     * protection have different identities: they never merge again
     * (Linux: two anon_vmas). */
    REQUIRE(t_map_file(s, B, 2 * P, RW, PRIV, f, 0) == (int64_t)B);
    REQUIRE(t_map_file(s, B + 2 * P, 2 * P, RW, PRIV, f, 2 * P) == (int64_t)(B + 2 * P));
    CHECK(!strcmp(t_layout(s, B), "0-4 rw-p"));
    REQUIRE(space_advise(s, B + 2 * P, 2 * P, MADV_DONTFORK) == 0);
    CHECK_EQ(space_vma_count(s), 2);
    CHECK_EQ(t_write(s, B, 'a'), FAULT_OK);
    CHECK_EQ(t_write(s, B + 3 * P, 'd'), FAULT_OK);
    CHECK(space_vma_find(s, B)->obj != space_vma_find(s, B + 3 * P)->obj);
    REQUIRE(space_advise(s, B + 2 * P, 2 * P, MADV_DOFORK) == 0);
    CHECK_EQ(space_vma_count(s), 2);
    CHECK_EQ(t_byte(s, B), 'a');
    CHECK_EQ(t_byte(s, B + 3 * P), 'd');
    CHECK_EQ(t_byte(s, B + 2 * P), 'C');
    REQUIRE(space_unmap(s, B, 4 * P) == 0);

    /* Written while they differed only in protection: the second shares
     * the first's identity, and they merge once the protection agrees. */
    REQUIRE(t_map_file(s, B, 2 * P, RW, PRIV, f, 0) == (int64_t)B);
    REQUIRE(t_map_file(s, B + 2 * P, 2 * P, RW | PROT_EXEC, PRIV, f, 2 * P) == (int64_t)(B + 2 * P));
    CHECK(!strcmp(t_layout(s, B), "0-2 rw-p 2-4 rwxp"));
    CHECK_EQ(t_write(s, B, 'a'), FAULT_OK);
    CHECK_EQ(t_write(s, B + 3 * P, 'd'), FAULT_OK);
    CHECK(space_vma_find(s, B)->obj == space_vma_find(s, B + 3 * P)->obj);
    REQUIRE(space_protect(s, B + 2 * P, 2 * P, RW) == 0);
    CHECK(!strcmp(t_layout(s, B), "0-4 rw-p"));
    REQUIRE(space_unmap(s, B, 4 * P) == 0);

    /* A never-written neighbour joins a written one and keeps reading the
     * file. */
    REQUIRE(t_map_file(s, B, 2 * P, RW, PRIV, f, 0) == (int64_t)B);
    REQUIRE(t_map_file(s, B + 2 * P, 2 * P, RW | PROT_EXEC, PRIV, f, 2 * P) == (int64_t)(B + 2 * P));
    CHECK_EQ(t_write(s, B, 'a'), FAULT_OK);
    REQUIRE(space_protect(s, B + 2 * P, 2 * P, RW) == 0);
    CHECK(!strcmp(t_layout(s, B), "0-4 rw-p"));
    CHECK_EQ(t_byte(s, B), 'a');
    CHECK_EQ(t_byte(s, B + 3 * P), 'D');
    CHECK(vm_object_source(space_vma_find(s, B + 3 * P)->obj) == f);

    /* Not with anonymous memory, nor with another offset. */
    REQUIRE(map_fixed(s, B + 4 * P, 2 * P, RW) == (int64_t)(B + 4 * P));
    REQUIRE(t_map_file(s, B + 6 * P, P, RW, PRIV, f, 7 * P) == (int64_t)(B + 6 * P));
    CHECK(!strcmp(t_layout(s, B), "0-4 rw-p 4-6 rw-p 6-7 rw-p"));
    CHECK1(s, f);
    file_done(s, f);
}

TEST(file_mapping_dontunmap_and_dontneed)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = file_make(2);
    REQUIRE(t_map_file(s, B, 2 * P, RW, PRIV, f, 0) == (int64_t)B);
    CHECK_EQ(t_write(s, B, 'a'), FAULT_OK);
    /* MADV_DONTNEED drops the private copy: the file shows through again. */
    REQUIRE(space_advise(s, B, P, MADV_DONTNEED) == 0);
    CHECK_EQ(t_byte(s, B), 'A');
    CHECK_EQ(space_advise(s, B, P, MADV_FREE), -EINVAL);
    /* MREMAP_DONTUNMAP: the old range keeps reading the file. */
    CHECK_EQ(t_write(s, B + P, 'b'), FAULT_OK);
    int64_t to = space_remap(s, B, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
    REQUIRE(to > 0);
    CHECK_EQ(t_byte(s, (uaddr_t)to + P), 'b');
    CHECK_EQ(t_byte(s, B + P), 'B');
    CHECK(vm_object_source(space_vma_find(s, B)->obj) == f);
    CHECK1(s, f);
    file_done(s, f);
}

TEST(file_mincore_sees_the_page_cache)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = vm_object_file_create(0, 0, 0);
    fs_write(f, 2 * P, "x", 1); /* pages 0 and 1 are holes */
    REQUIRE(t_map_file(s, B, 3 * P, PROT_READ, PRIV, f, 0) == (int64_t)B);
    REQUIRE(map_fixed(s, B + 4 * P, P, RW) == (int64_t)(B + 4 * P));
    uint8_t vec[3];
    REQUIRE(space_mincore(s, B + 4 * P, P, B + 4 * P) == 0);
    for (int i = 0; i < 3; i++) {
        REQUIRE(space_mincore(s, B, 3 * P, B + 4 * P) == 0);
        REQUIRE(hosted_user_read(s, B + 4 * P, vec, 3).result == FAULT_OK);
        if (i == 0) {
            CHECK(vec[0] == 0 && vec[1] == 0 && vec[2] == 1); /* cached, not mapped */
            CHECK_EQ(t_leaf(s, B + 2 * P), 0);
            t_byte(s, B); /* a fault fills the hole in the cache */
        } else if (i == 1) {
            CHECK(vec[0] == 1 && vec[1] == 0 && vec[2] == 1);
            REQUIRE(space_advise(s, B, 3 * P, MADV_DONTNEED) == 0);
        } else {
            CHECK(vec[0] == 1 && vec[1] == 0 && vec[2] == 1); /* still cached */
        }
    }
    CHECK1(s, f);
    file_done(s, f);
}

static uint64_t synced_first, synced_last;
static int synced_calls;

static int hook_sync(struct vm_object *obj, uint64_t first, uint64_t last)
{
    (void)obj;
    synced_first = first, synced_last = last;
    synced_calls++;
    return 0;
}

static int released;
static void hook_release(struct vm_object *obj)
{
    CHECK_EQ(vm_object_file_pages(obj), 0); /* the pages went first */
    released++;
}

static const struct vm_file_hooks hooks = {.release = hook_release, .sync = hook_sync};

TEST(file_msync_writes_back_shared_pages_only)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = vm_object_file_create(8 * P, 0, &hooks);
    REQUIRE(f);
    REQUIRE(t_map_file(s, B, 4 * P, RW, SHR, f, 2 * P) == (int64_t)B);
    REQUIRE(t_map_file(s, B + 4 * P, 4 * P, RW, PRIV, f, 0) == (int64_t)(B + 4 * P));
    synced_calls = 0;
    CHECK_EQ(space_sync(s, B + P, 2 * P, MS_SYNC), 0);
    CHECK_EQ(synced_calls, 1);
    CHECK_EQ(synced_first, 3);
    CHECK_EQ(synced_last, 5);
    CHECK_EQ(space_sync(s, B, 4 * P, MS_ASYNC), 0);
    CHECK_EQ(space_sync(s, B, 4 * P, MS_INVALIDATE), 0);
    CHECK_EQ(space_sync(s, B + 4 * P, 4 * P, MS_SYNC), 0); /* private: nothing to write */
    CHECK_EQ(synced_calls, 1);
    CHECK_EQ(space_sync(s, B + 3 * P, 3 * P, MS_SYNC), 0);
    CHECK_EQ(synced_calls, 2);
    CHECK_EQ(synced_first, 5);
    CHECK_EQ(synced_last, 6);
    CHECK_EQ(space_sync(s, B, 12 * P, MS_SYNC), -ENOMEM);
    released = 0;
    vm_object_unref(f);
    CHECK_EQ(released, 0); /* the mappings hold it */
    t_space_done(s);
    CHECK_EQ(released, 1);
    CHECK_EQ(file_cache.objects, 0);
}

TEST(file_mmap_checks_in_linux_order)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = file_make(2);
    struct space_file ro = {.obj = f, .readable = true, .max_bytes = INT64_MAX};
    struct space_file wo = {.obj = f, .writable = true, .max_bytes = INT64_MAX};
    struct space_file rw = {.obj = f, .readable = true, .writable = true, .max_bytes = INT64_MAX};
    struct space_file dev = {.readable = true, .writable = true, .max_bytes = UINT64_MAX};

    CHECK_EQ(space_map_file(s, B, P, PROT_READ, PRIV, &wo, 0), -EACCES);
    CHECK_EQ(space_map_file(s, B, P, PROT_NONE, SHR, &wo, 0), -EACCES);
    CHECK_EQ(space_map_file(s, B, P, RW, SHR, &ro, 0), -EACCES);
    CHECK_EQ(space_map_file(s, B, P, RW, MAP_SHARED_VALIDATE | MAP_FIXED, &ro, 0), -EACCES);
    CHECK_EQ(space_map_file(s, B, P, PROT_READ, PRIV, &dev, 0), -ENODEV);
    CHECK_EQ(space_map_file(s, B, P, PROT_READ, PRIV | MAP_GROWSDOWN, &rw, 0), -EINVAL);
    CHECK_EQ(space_map_file(s, B, P, PROT_READ, MAP_FIXED | 0xf, &rw, 0), -EINVAL);
    CHECK_EQ(space_map_file(s, B, P, PROT_READ, MAP_SHARED_VALIDATE | MAP_FIXED | MAP_SYNC, &rw, 0),
             -EOPNOTSUPP);
    CHECK_EQ(space_map_file(s, B, P, PROT_READ, SHR | MAP_SYNC, &rw, 0), (int64_t)B); /* ignored */
    /* Offset + length beyond the largest file; and a wrapping offset. */
    CHECK_EQ(space_map_file(s, B, 2 * P, PROT_READ, PRIV, &rw, (uint64_t)INT64_MAX - P + 1), -EOVERFLOW);
    CHECK_EQ(space_map_file(s, B, 2 * P, PROT_READ, PRIV, &rw, 0 - P), -EOVERFLOW);
    /* Earlier checks win: offset, length, placement. */
    CHECK_EQ(space_map_file(s, B, P, RW, SHR, &wo, 1), -EINVAL);
    CHECK_EQ(space_map_file(s, B, 0, RW, SHR, &wo, 0), -EINVAL);
    CHECK_EQ(space_map_file(s, B + 1, P, RW, SHR, &wo, 0), -EINVAL);
    CHECK_EQ(space_map_file(s, 0x1000, P, RW, SHR, &wo, 0), -EPERM);
    CHECK_EQ(space_map_file(s, B, P, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, &wo, 0), -EEXIST);

    /* A private writable mapping of a read-only file is fine; a shared
     * read-only one cannot gain PROT_WRITE later. */
    CHECK_EQ(space_map_file(s, B + 2 * P, P, RW, PRIV, &ro, 0), (int64_t)(B + 2 * P));
    CHECK_EQ(space_map_file(s, B + 4 * P, P, PROT_READ, SHR, &ro, 0), (int64_t)(B + 4 * P));
    CHECK_EQ(space_protect(s, B + 4 * P, P, RW), -EACCES);
    CHECK_EQ(space_protect(s, B + 4 * P, P, PROT_READ | PROT_EXEC), 0);
    CHECK_EQ(space_map_file(s, B + 6 * P, P, PROT_READ, SHR, &rw, 0), (int64_t)(B + 6 * P));
    CHECK_EQ(space_protect(s, B + 6 * P, P, RW), 0);
    CHECK_EQ(t_write(s, B + 6 * P, 'S'), FAULT_OK);
    CHECK_EQ(fs_byte(f, 0), 'S');
    CHECK1(s, f);
    file_done(s, f);
}

TEST(file_dev_zero_private_and_shared)
{
    struct space *s = t_space(SPACE_LAZY);
    struct space_file zero = {.zero = true, .readable = true, .writable = true, .max_bytes = UINT64_MAX};
    struct space_file zero_ro = {.zero = true, .readable = true, .max_bytes = UINT64_MAX};

    REQUIRE(space_map_file(s, B, 2 * P, RW, PRIV, &zero, 0) == (int64_t)B);
    CHECK_EQ(t_byte(s, B), 0);
    CHECK_EQ(t_write(s, B, 7), FAULT_OK);
    CHECK(space_vma_find(s, B)->obj == 0 || space_vma_find(s, B)->obj->kind == VM_OBJECT_ANON_IDENTITY);
    REQUIRE(space_map_file(s, B + 4 * P, 2 * P, RW, SHR, &zero, 0) == (int64_t)(B + 4 * P));
    struct vma *v = space_vma_find(s, B + 4 * P);
    CHECK(v->obj && v->obj->kind == VM_OBJECT_SHARED_ANON && (v->flags & VMA_SHARED));
    struct space *c;
    REQUIRE(space_fork(s, &c) == 0);
    CHECK_EQ(t_write(c, B + 5 * P, 9), FAULT_OK);
    CHECK_EQ(t_byte(s, B + 5 * P), 9);
    space_destroy(c);
    /* An offset beyond the new memory's size: SIGBUS, as Linux's shmem. */
    REQUIRE(space_map_file(s, B + 8 * P, P, RW, SHR, &zero, P) == (int64_t)(B + 8 * P));
    CHECK_EQ(t_read(s, B + 8 * P, 0), FAULT_BUS);
    /* Read-only descriptor: a shared mapping becomes private memory. */
    CHECK_EQ(space_map_file(s, B + 10 * P, P, RW, SHR, &zero_ro, 0), -EACCES);
    REQUIRE(space_map_file(s, B + 10 * P, P, PROT_READ, SHR, &zero_ro, 0) == (int64_t)(B + 10 * P));
    CHECK(!(space_vma_find(s, B + 10 * P)->flags & VMA_SHARED));
    CHECK_EQ(space_protect(s, B + 10 * P, P, RW), -EACCES);
    T_CHECK(s);
    t_space_done(s);
}

TEST(file_truncate_frees_index_nodes)
{
    struct space *s = t_space(SPACE_LAZY);
    uint64_t free0 = frame_free_count();
    struct vm_object *f = vm_object_file_create(0, 0, 0);
    /* Pages far apart need several index levels. */
    fs_write(f, 0, "a", 1);
    fs_write(f, 700 * P, "b", 1);
    fs_write(f, 300000 * P, "c", 1);
    CHECK_EQ(vm_object_file_pages(f), 3);
    CHECK1(s, f);
    REQUIRE(vm_object_file_resize(f, 701 * P) == 0);
    CHECK_EQ(vm_object_file_pages(f), 2);
    CHECK_EQ(fs_byte(f, 700 * P), 'b');
    CHECK1(s, f);
    REQUIRE(vm_object_file_resize(f, 1) == 0);
    CHECK_EQ(fs_byte(f, 0), 'a');
    CHECK_EQ(vm_object_file_pages(f), 1);
    CHECK1(s, f);
    REQUIRE(vm_object_file_resize(f, 0) == 0);
    CHECK_EQ(vm_object_file_pages(f), 0);
    CHECK_EQ(frame_free_count(), free0 - 1); /* only the object's slab page */
    CHECK1(s, f);
    CHECK_EQ(vm_object_file_resize(f, VM_FILE_MAX_BYTES + 1), -EFBIG);
    paddr_t pa;
    CHECK_EQ(vm_object_file_page(f, VM_FILE_MAX_BYTES / P, true, &pa), -EFBIG);
    file_done(s, f);
}

TEST(file_frames_check_counts_pages_only_the_file_holds)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = file_make(3);
    char buf[256];
    struct space *one[1] = {s};
    /* Without the object the file's pages look leaked. */
    CHECK(frames_check(one, 1, 0, 0, t_frames_scratch(), buf, sizeof buf) != 0);
    CHECK1(s, f);
    /* Mapped: the object is found through the VMA as well. */
    REQUIRE(t_map_file(s, B, 3 * P, PROT_READ, SHR, f, 0) == (int64_t)B);
    t_byte(s, B);
    CHECK_EQ(frames_check(one, 1, 0, 0, t_frames_scratch(), buf, sizeof buf), 0);
    CHECK1(s, f);
    file_done(s, f);
}

TEST(file_eager_policy_populates_at_mmap_time)
{
    struct space *s = t_space(SPACE_EAGER);
    struct vm_object *f = file_make(3);
    REQUIRE(t_map_file(s, B, 4 * P, PROT_READ, SHR, f, 0) == (int64_t)B);
    /* Every page inside the file is mapped at once, to the cache's frames;
     * the page past the end is left for its fault (SIGBUS). */
    CHECK_EQ(t_leaf(s, B + 2 * P), t_cache_page(f, 2));
    CHECK_EQ(t_leaf(s, B + 3 * P), 0);
    CHECK_EQ(t_read(s, B + 3 * P, 0), FAULT_BUS);
    /* A private writable mapping is populated by writes: copied at once, so
     * a later change to the file does not show. */
    REQUIRE(t_map_file(s, B + 8 * P, 2 * P, RW, PRIV, f, 0) == (int64_t)(B + 8 * P));
    CHECK(t_leaf(s, B + 8 * P) != 0 && t_leaf(s, B + 8 * P) != t_cache_page(f, 0));
    fs_write(f, 0, "N", 1);
    CHECK_EQ(t_byte(s, B + 8 * P), 'A');
    CHECK_EQ(t_byte(s, B), 'N');
    CHECK1(s, f);
    file_done(s, f);
}

/* Fault-around as Linux does it (do_fault_around, fault_around_bytes 64
 * KiB): a read fault maps the file's pages already in memory in the
 * 16-page aligned window around it, within the VMA and the file; nothing
 * else changes. */
TEST(file_read_fault_maps_cached_neighbours)
{
    struct space *s = t_space(SPACE_LAZY);
    /* Pages 0-40, each starting with 'A' + its number, but for page 21,
     * a hole (not in memory); the file ends one byte into page 40. */
    struct vm_object *f = file_make(21);
    REQUIRE(f);
    for (unsigned i = 22; i <= 40; i++) {
        uint8_t c = (uint8_t)('A' + i);
        fs_write(f, i * P, &c, 1);
    }
    REQUIRE(vm_object_file_size(f) == 40 * P + 1);
    REQUIRE(t_cache_page(f, 21) == 0 && t_cache_page(f, 20) != 0 && t_cache_page(f, 22) != 0);
    /* The VMA starts at page 2 of a 16-page window and maps pages 2.. of
     * the file at B + 2 P..; it covers 60 pages, beyond the end of the
     * file. */
    REQUIRE(t_map_file(s, B + 2 * P, 60 * P, RW, PRIV, f, 2 * P) == (int64_t)(B + 2 * P));
    uint64_t before = s->resident;
    CHECK_EQ(t_byte(s, B + 5 * P), 'F');
    /* The window starts at the VMA's start (Linux moves it, not shrinks
     * it): pages 2-17. */
    for (unsigned i = 2; i < 18; i++)
        CHECK_EQ(t_leaf(s, B + i * P), t_cache_page(f, i));
    CHECK_EQ(t_leaf(s, B + 18 * P), 0);
    CHECK_EQ(s->resident, before + 16);

    /* The next window, [16, 32): the hole stays unmapped, and reading it
     * makes the page (zero-filled) as before. */
    CHECK_EQ(t_byte(s, B + 19 * P), 'T');
    CHECK_EQ(t_leaf(s, B + 18 * P), t_cache_page(f, 18));
    CHECK_EQ(t_leaf(s, B + 21 * P), 0);
    CHECK_EQ(t_leaf(s, B + 31 * P), t_cache_page(f, 31));
    CHECK_EQ(t_leaf(s, B + 32 * P), 0);
    CHECK_EQ(t_byte(s, B + 21 * P), 0);

    /* The last window: up to the end of the file, not beyond. Page 40
     * holds the last byte; page 41 is beyond the end: SIGBUS. */
    CHECK_EQ(t_byte(s, B + 33 * P), 'b');
    CHECK_EQ(t_leaf(s, B + 40 * P), t_cache_page(f, 40));
    CHECK_EQ(t_leaf(s, B + 41 * P), 0);
    CHECK_EQ(t_read(s, B + 41 * P, 0), FAULT_BUS);

    /* A page mapped by fault-around is read-only in a private mapping: a
     * write copies it and never reaches the file. */
    paddr_t cached = t_cache_page(f, 3);
    CHECK_EQ(t_leaf(s, B + 3 * P), cached);
    CHECK_EQ(t_write(s, B + 3 * P, 'z'), FAULT_OK);
    CHECK(t_leaf(s, B + 3 * P) != cached);
    CHECK_EQ(t_byte(s, B + 3 * P), 'z');
    CHECK_EQ(fs_byte(f, 3 * P), 'D');
    /* A written page is not replaced by a later fault-around. */
    CHECK_EQ(t_byte(s, B + 4 * P), 'E');
    CHECK_EQ(t_byte(s, B + 3 * P), 'z');
    CHECK1(s, f);
    file_done(s, f);
}

TEST(file_fault_around_stays_in_the_leaf_table_and_shared_is_shared)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *f = file_make(16);
    REQUIRE(f);
    /* A VMA across a 2 MiB boundary, not 64 KiB aligned: the window of a
     * fault just above the boundary starts at the boundary. */
    const uaddr_t mb2 = 0x20000000;
    REQUIRE(t_map_file(s, mb2 - 4 * P, 16 * P, PROT_READ, SHR, f, 0) == (int64_t)(mb2 - 4 * P));
    CHECK_EQ(t_byte(s, mb2 + P), 'F');
    CHECK_EQ(t_leaf(s, mb2 - P), 0);
    CHECK_EQ(t_leaf(s, mb2), t_cache_page(f, 4));
    CHECK_EQ(t_leaf(s, mb2 + 11 * P), t_cache_page(f, 15));
    /* The other side of the boundary, in its own window. */
    CHECK_EQ(t_byte(s, mb2 - 2 * P), 'C');
    CHECK_EQ(t_leaf(s, mb2 - 4 * P), t_cache_page(f, 0));
    CHECK_EQ(t_leaf(s, mb2 - P), t_cache_page(f, 3));
    CHECK1(s, f);
    file_done(s, f);
}

/* page_index_lookup_run, which fault-around reads the page cache with:
 * runs across node boundaries, holes, offsets beyond the tree. */
TEST(page_index_lookup_run_matches_single_lookups)
{
    struct space *s = t_space(SPACE_LAZY);
    struct page_index idx;
    page_index_init(&idx, 0);
    paddr_t frames[6];
    const uint64_t at[6] = {0, 5, 510, 511, 512, 1030};
    for (unsigned i = 0; i < 6; i++) {
        REQUIRE(frame_alloc(&frames[i], MM_ALLOC_FRAME) == 0);
        REQUIRE(page_index_insert(&idx, at[i], frames[i]) == 0);
    }
    const uint64_t firsts[] = {0, 500, 505, 1020, 1030, 4000, 1ull << 40};
    for (unsigned k = 0; k < sizeof firsts / sizeof firsts[0]; k++) {
        paddr_t run[20];
        page_index_lookup_run(&idx, firsts[k], 20, run);
        for (unsigned i = 0; i < 20; i++) {
            paddr_t one = 0;
            bool present = page_index_lookup(&idx, firsts[k] + i, &one);
            CHECK_EQ(run[i], present ? one : 0);
        }
    }
    paddr_t run[4];
    page_index_lookup_run(&idx, 510, 4, run);
    CHECK(run[0] == frames[2] && run[1] == frames[3] && run[2] == frames[4] && run[3] == 0);
    page_index_destroy(&idx, frame_unref);
    t_space_done(s);
}
