/* tests/unit/test_alloc_failure.c — allocation-failure injection.
 *
 * A workload of address-space operations is replayed once per (operation,
 * allocation site, n, one-shot or sticky): the n-th allocation at that site
 * fails while the operation runs. Each operation must either succeed or
 * report -ENOMEM (FAULT_OOM for a fault) with the address space exactly as
 * it was — VMAs, populated pages and their contents — except that mprotect
 * may keep the VMAs before the failure changed, as Linux documents. The
 * invariant checker must pass after every operation, and destroying the
 * space must return every frame and record. n grows until the operation no
 * longer reaches an n-th allocation at the site. The workload includes a
 * file (its page cache: pages and index nodes) mapped shared and
 * privately, and a fixed move of its mapping. */
#include "mm_test.h"

#include <mm/object.h>
#include <mm/slab.h>
#include <stdlib.h>

#define MACHINE_PAGES 2048

static int from_map(int64_t r) { return r < 0 ? (int)r : 0; }

/* A write fault, then a byte stored through the kernel's view. */
static int touch(struct space *s, uaddr_t va, char val)
{
    enum fault_result r = space_fault(s, va, ACCESS_WRITE, true);
    if (r == FAULT_OOM)
        return -ENOMEM;
    if (r != FAULT_OK)
        return -EFAULT;
    return copy_to_user(s, va, &val, 1);
}

static int st_map(struct space *s) { return from_map(space_map(s, B, 8 * P, RW, ANON | MAP_FIXED, 0, 0, false)); }
static int st_touch0(struct space *s) { return touch(s, B, 'a'); }
static int st_touch5(struct space *s) { return touch(s, B + 5 * P, 'b'); }
static int st_far(struct space *s) { return from_map(space_map(s, 0x500000000000ull, 2 * P, RW, ANON | MAP_FIXED, 0, 0, false)); }
static int st_touch_far(struct space *s) { return touch(s, 0x500000000000ull, 'c'); }
static int st_fixed_middle(struct space *s) { return from_map(space_map(s, B + 3 * P, 2 * P, PROT_READ, ANON | MAP_FIXED, 0, 0, false)); }
static int st_protect(struct space *s) { return space_protect(s, B + P, 6 * P, PROT_READ); }
static int st_unmap(struct space *s) { return space_unmap(s, B + 2 * P, P); }
static int st_shared(struct space *s) { return from_map(space_map(s, B + 16 * P, 4 * P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, 0, 0, false)); }
static int st_touch_shared(struct space *s) { return touch(s, B + 17 * P, 'd'); }
static int st_brk(struct space *s)
{
    uaddr_t want = s->brk + 3 * P;
    return space_brk(s, want) == want ? 0 : -ENOMEM;
}
static int st_touch_heap(struct space *s) { return touch(s, s->brk_start, 'e'); }
static int st_fork(struct space *s)
{
    struct space *c;
    int err = space_fork(s, &c);
    if (err)
        return err;
    int t = touch(c, B, 'z'); /* a copy-on-write copy in the child */
    space_destroy(c);
    return t == -EFAULT ? 0 : t;
}
static int st_remap(struct space *s) { return from_map(space_remap(s, B + 16 * P, 4 * P, 8 * P, MREMAP_MAYMOVE, 0)); }
static int st_dontneed(struct space *s) { return space_advise(s, B, 2 * P, MADV_DONTNEED); }
static int st_protect_rw(struct space *s) { return space_protect(s, B + 3 * P, 5 * P, RW); }
static int st_populate(struct space *s) { return space_advise(s, B + 3 * P, 5 * P, MADV_POPULATE_WRITE); }

/* The file of the workload (eight pages), made anew on every machine. */
static struct vm_object *file;

static int64_t map_file(struct space *s, uaddr_t a, uint64_t len, unsigned long flags, uint64_t off)
{
    struct space_file f = {.obj = file, .readable = true, .writable = true, .max_bytes = INT64_MAX};
    return space_map_file(s, a, len, RW, flags | MAP_FIXED, &f, off);
}
static int st_file_shared(struct space *s) { return from_map(map_file(s, B + 32 * P, 4 * P, MAP_SHARED, 0)); }
static int st_touch_file(struct space *s) { return touch(s, B + 33 * P, 'f'); }
static int st_file_private(struct space *s) { return from_map(map_file(s, B + 40 * P, 2 * P, MAP_PRIVATE, P)); }
static int st_read_file_private(struct space *s)
{
    enum fault_result r = space_fault(s, B + 40 * P, ACCESS_READ, true);
    return r == FAULT_OOM ? -ENOMEM : r == FAULT_OK ? 0 : -EFAULT;
}
static int st_touch_file_private(struct space *s) { return touch(s, B + 41 * P, 'g'); }
static int st_remap_fixed(struct space *s)
{
    return from_map(space_remap(s, B + 32 * P, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, B + 48 * P));
}

static const struct step {
    const char *name;
    int (*run)(struct space *s);
    bool partial_ok;
} steps[] = {
    {"map", st_map, false},
    {"touch0", st_touch0, false},
    {"touch5", st_touch5, false},
    {"map_far", st_far, false},
    {"touch_far", st_touch_far, false},
    {"fixed_middle", st_fixed_middle, false},
    {"protect", st_protect, true},
    {"unmap", st_unmap, false},
    {"shared", st_shared, false},
    {"touch_shared", st_touch_shared, false},
    {"brk", st_brk, false},
    {"touch_heap", st_touch_heap, false},
    {"fork", st_fork, false},
    {"remap", st_remap, false},
    {"dontneed", st_dontneed, false},
    {"protect_rw", st_protect_rw, true},
    {"populate", st_populate, true},
    {"file_shared", st_file_shared, false},
    {"touch_file", st_touch_file, false},
    {"file_private", st_file_private, false},
    {"read_file_private", st_read_file_private, false},
    {"touch_file_private", st_touch_file_private, false},
    {"remap_fixed", st_remap_fixed, false},
};
#define NSTEPS (sizeof steps / sizeof steps[0])

/* What must not change when an operation fails: the VMA list and, for
 * every page, whether it has a leaf and its first byte. */
static char *snapshot(struct space *s)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    n += (size_t)snprintf(buf, cap, "%s|", t_layout(s, 0));
    for (struct vma *v = vma_tree_first(&s->vmas); v; v = vma_tree_next(&s->vmas, v))
        for (uaddr_t va = v->start; va < v->end && n + 8 < cap; va += P) {
            paddr_t pa;
            if (pmap_extract(&s->pmap, va, &pa, 0))
                n += (size_t)snprintf(buf + n, cap - n, "%02x", *(uint8_t *)platform_phys_to_virt(pa));
            else
                buf[n++] = '.';
        }
    buf[n] = 0;
    return buf;
}

static uint32_t *scratch;

static void check_space(struct space *s, const char *what, const char *site_name, uint64_t n)
{
    char buf[256];
    if (space_check(s, buf, sizeof buf))
        test_fail_at(__FILE__, __LINE__, "%s (%s n=%" PRIu64 "): space_check: %s", what, site_name, n, buf);
    if (frames_check(&s, 1, &file, 1, scratch, buf, sizeof buf))
        test_fail_at(__FILE__, __LINE__, "%s (%s n=%" PRIu64 "): frames_check: %s", what, site_name, n, buf);
}

/* Run the workload up to step k without injection, then step k with the
 * n-th allocation at site failing. Returns whether that allocation was
 * reached. */
static bool replay(unsigned k, enum mm_alloc_site site, uint64_t n, bool sticky)
{
    static const char *site_names[] = {"frame", "table", "slab"};
    struct space *s;
    paddr_t zero;

    hosted_machine_init(MACHINE_PAGES);
    frame_zero_page(&zero);
    uint64_t free0 = frame_free_count();
    file = vm_object_file_create(8 * P, NULL, NULL);
    if (!file || space_create(&s, 0)) {
        test_fail_at(__FILE__, __LINE__, "space_create failed");
        return false;
    }
    space_brk_init(s, B + 64 * P);
    for (unsigned i = 0; i < k; i++)
        if (steps[i].run(s)) {
            test_fail_at(__FILE__, __LINE__, "step %s failed without injection", steps[i].name);
            return false;
        }
    char *before = snapshot(s);
    uint64_t count0 = hosted_alloc_count(site);
    hosted_fail_nth(site, n, sticky);
    int err = steps[k].run(s);
    hosted_fail_nth(site, 0, false);
    bool reached = hosted_alloc_count(site) - count0 >= n;

    if (err && err != -ENOMEM)
        test_fail_at(__FILE__, __LINE__, "%s (%s n=%" PRIu64 "%s): error %d, not -ENOMEM", steps[k].name,
                     site_names[site], n, sticky ? " sticky" : "", err);
    if (err && !steps[k].partial_ok) {
        char *after = snapshot(s);
        if (strcmp(before, after))
            test_fail_at(__FILE__, __LINE__, "%s (%s n=%" PRIu64 "%s) failed but changed the space:\n    before %s\n    after  %s",
                         steps[k].name, site_names[site], n, sticky ? " sticky" : "", before, after);
        free(after);
    }
    if (!err && reached)
        test_fail_at(__FILE__, __LINE__, "%s (%s n=%" PRIu64 "): an allocation failed but the operation succeeded",
                     steps[k].name, site_names[site], n);
    check_space(s, steps[k].name, site_names[site], n);
    free(before);
    space_destroy(s);
    if (file->refs != 1)
        test_fail_at(__FILE__, __LINE__, "%s (%s n=%" PRIu64 "): the file has %u references with no mapping left",
                     steps[k].name, site_names[site], n, file->refs);
    vm_object_unref(file);
    file = NULL;
    if (frame_free_count() != free0 || vma_cache.objects || object_cache.objects || space_cache.objects ||
        file_cache.objects)
        test_fail_at(__FILE__, __LINE__, "%s (%s n=%" PRIu64 "): leaked %" PRId64 " frames, %" PRIu64
                     " VMAs, %" PRIu64 " objects",
                     steps[k].name, site_names[site], n, (int64_t)(free0 - frame_free_count()),
                     vma_cache.objects, object_cache.objects);
    return reached;
}

TEST(every_allocation_failure_is_clean)
{
    uint64_t injected = 0;
    hosted_machine_init(MACHINE_PAGES);
    scratch = calloc(frames_check_scratch_entries() + 64, sizeof *scratch);
    for (unsigned k = 0; k < NSTEPS && !test_failed(); k++)
        for (int site = 0; site < MM_ALLOC_SITES; site++)
            for (int sticky = 0; sticky < 2; sticky++)
                for (uint64_t n = 1; n < 64 && !test_failed(); n++) {
                    if (!replay(k, (enum mm_alloc_site)site, n, sticky))
                        break;
                    injected++;
                }
    /* The workload must really reach allocations at every site. */
    CHECK(injected > 50);
    printf("  %" PRIu64 " injected failures\n", injected);
    free(scratch);
    scratch = 0;
}
