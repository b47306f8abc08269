/* bench/space_bench.c — cost per address-space operation as the number of
 * VMAs grows, on the hosted build of mm/ (one page-table format per binary).
 *
 * For N = 10, 1,000, 100,000 and 1,000,000 VMAs present (one-page
 * read-only mappings with one-page holes between them, just below
 * mmap_base, so that placement has to search the tree), it prints
 * nanoseconds per:
 *   map+unmap 1p   mmap of one page (lands in the highest hole) + munmap
 *   map+unmap 2p   mmap of two pages (no hole fits: search below all VMAs)
 *   protect        mprotect of one VMA to read-write and back (two calls)
 *   first touch    write fault on a never-touched page (demand zero)
 *   lookup         find the VMA containing an address
 * and the kernel memory per VMA; then the cost of fork (space_fork and
 * space_destroy of the child) of a space with 64 MiB touched. protect and
 * lookup are measured twice:
 * "local" picks among 16 neighbouring VMAs (the pattern of real programs,
 * whose recent mappings are few), "random" among all of them, which at a
 * million VMAs (64 MB of records) measures cache misses more than code.
 * "space_bench fork" prints the fork figure only, "space_bench N" the row
 * for N VMAs only (for profilers).
 * Each figure is the lowest of three runs. Figures are wall-clock on this
 * machine: compare them with each other, not across machines. */
#define _POSIX_C_SOURCE 199309L
#include <hosted/hosted.h>
#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/mman.h>
#include <mm/slab.h>
#include <mm/space.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define P PAGE_SIZE
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define TOUCH_PAGES 16384u /* 64 MiB touched per round of first-touch faults */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rng_next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void die(const char *what, int64_t r)
{
    fprintf(stderr, "space_bench: %s failed: %" PRId64 "\n", what, r);
    exit(1);
}

struct row {
    uint64_t n;
    double map1, map2, protect_local, protect_random, touch, lookup_local, lookup_random, bytes_per_vma;
};

/* Index of a VMA: among 16 neighbours, or among all n. */
static uint64_t pick(uint64_t n, bool local)
{
    return local ? (n / 2 + rng_next() % (n < 16 ? n : 16)) % n : rng_next() % n;
}

static struct row bench_one(uint64_t n)
{
    struct space_config cfg = {.max_map_count = 4 * n + 100};
    struct space *s;
    struct row r = {.n = n};
    int64_t ret;

    /* Memory for n VMA records, their page tables, and the touch area. */
    hosted_machine_init(n / 16 + n / 256 + TOUCH_PAGES + 8192);
    if (space_create(&s, &cfg))
        die("space_create", -1);
    uaddr_t first = s->mmap_base - 2 * n * P;
    for (uint64_t i = 0; i < n; i++)
        if ((ret = space_map(s, first + 2 * i * P, P, PROT_READ, ANON | MAP_FIXED, 0, 0, false)) < 0)
            die("populating VMAs", ret);
    r.bytes_per_vma = (double)vma_cache.frames * PAGE_SIZE / (double)space_vma_count(s);

    unsigned iters = 200000;
    double t0 = now_ns();
    for (unsigned i = 0; i < iters; i++) {
        int64_t a = space_map(s, 0, P, PROT_READ | PROT_WRITE, ANON, 0, 0, false);
        if (a < 0 || space_unmap(s, (uaddr_t)a, P))
            die("map+unmap 1p", a);
    }
    r.map1 = (now_ns() - t0) / iters;

    t0 = now_ns();
    for (unsigned i = 0; i < iters; i++) {
        int64_t a = space_map(s, 0, 2 * P, PROT_READ | PROT_WRITE, ANON, 0, 0, false);
        if (a < 0 || space_unmap(s, (uaddr_t)a, 2 * P))
            die("map+unmap 2p", a);
    }
    r.map2 = (now_ns() - t0) / iters;

    for (int local = 0; local < 2; local++) {
        t0 = now_ns();
        for (unsigned i = 0; i < iters; i++) {
            uaddr_t a = first + 2 * pick(n, local) * P;
            if (space_protect(s, a, P, PROT_READ | PROT_WRITE) || space_protect(s, a, P, PROT_READ))
                die("protect", -1);
        }
        *(local ? &r.protect_local : &r.protect_random) = (now_ns() - t0) / iters;
    }

    uaddr_t area = first - (TOUCH_PAGES + 16) * P;
    if ((ret = space_map(s, area, TOUCH_PAGES * P, PROT_READ | PROT_WRITE, ANON | MAP_FIXED, 0, 0, false)) < 0)
        die("touch area", ret);
    /* Round 0 only warms up: the host itself faults in the simulated RAM
     * the first time it is touched, which is not mm/'s cost. */
    double total = 0;
    for (int round = 0; round < 5; round++) {
        t0 = now_ns();
        for (unsigned i = 0; i < TOUCH_PAGES; i++)
            if (space_fault(s, area + i * P, ACCESS_WRITE, true) != FAULT_OK)
                die("first touch", i);
        if (round)
            total += now_ns() - t0;
        space_unmap(s, area, TOUCH_PAGES * P);
        space_map(s, area, TOUCH_PAGES * P, PROT_READ | PROT_WRITE, ANON | MAP_FIXED, 0, 0, false);
    }
    r.touch = total / (4.0 * TOUCH_PAGES);

    iters = 2000000;
    volatile uint64_t sink = 0;
    for (int local = 0; local < 2; local++) {
        t0 = now_ns();
        for (unsigned i = 0; i < iters; i++) {
            struct vma *v = space_vma_find(s, first + 2 * pick(n, local) * P + (rng_next() & 1) * P);
            sink += v ? 1 : 0;
        }
        *(local ? &r.lookup_local : &r.lookup_random) = (now_ns() - t0) / iters;
    }
    (void)sink;

    space_destroy(s);
    hosted_machine_fini();
    return r;
}

/* fork of a space whose 64 MiB of private anonymous memory has all been
 * written: space_fork (copy every leaf, write-protect both sides, take a
 * reference on every frame) and space_destroy of the child (drop them
 * again). Returns nanoseconds per fork + destroy. */
static double bench_fork(void)
{
    struct space_config cfg = {0};
    struct space *s, *child;
    int64_t ret;
    const unsigned rounds = 20;

    hosted_machine_init(TOUCH_PAGES + 4096);
    if (space_create(&s, &cfg))
        die("space_create", -1);
    int64_t area = space_map(s, 0, TOUCH_PAGES * P, PROT_READ | PROT_WRITE, ANON, 0, 0, false);
    if (area < 0)
        die("fork area", area);
    for (unsigned i = 0; i < TOUCH_PAGES; i++)
        if (space_fault(s, (uaddr_t)area + i * P, ACCESS_WRITE, true) != FAULT_OK)
            die("touching the fork area", i);
    double total = 0;
    for (unsigned round = 0; round <= rounds; round++) {
        double t0 = now_ns();
        if ((ret = space_fork(s, &child)) != 0)
            die("space_fork", ret);
        space_destroy(child);
        if (round) /* round 0 warms up */
            total += now_ns() - t0;
    }
    space_destroy(s);
    hosted_machine_fini();
    return total / rounds;
}

/* The row for n VMAs, each figure the lowest of ROW_RUNS runs: a figure
 * can only be inflated by whatever else the machine is doing. */
#define ROW_RUNS 3
static struct row bench_best(uint64_t n)
{
    struct row best = bench_one(n);
    for (int run = 1; run < ROW_RUNS; run++) {
        struct row r = bench_one(n);
        best.map1 = r.map1 < best.map1 ? r.map1 : best.map1;
        best.map2 = r.map2 < best.map2 ? r.map2 : best.map2;
        best.protect_local = r.protect_local < best.protect_local ? r.protect_local : best.protect_local;
        best.protect_random = r.protect_random < best.protect_random ? r.protect_random : best.protect_random;
        best.touch = r.touch < best.touch ? r.touch : best.touch;
        best.lookup_local = r.lookup_local < best.lookup_local ? r.lookup_local : best.lookup_local;
        best.lookup_random = r.lookup_random < best.lookup_random ? r.lookup_random : best.lookup_random;
    }
    return best;
}

static void print_fork(void)
{
    double fork_ns = bench_fork();
    printf("fork of a space with 64 MiB touched (fork + destroy of the child): %.0f ns, %.1f ns per page\n",
           fork_ns, fork_ns / TOUCH_PAGES);
}

/* No argument: everything. "fork": the fork figure only; a number N: the
 * row for N VMAs only (for profilers). */
int main(int argc, char **argv)
{
    static const uint64_t sizes[] = {10, 1000, 100000, 1000000};
    struct row rows[4];

    if (argc > 1 && !strcmp(argv[1], "fork")) {
        print_fork();
        return 0;
    }
    uint64_t only = argc > 1 ? strtoull(argv[1], 0, 10) : 0;
    printf("mm/ hosted benchmark, %s page tables (ns per operation)\n", pmap_arch_name());
    printf("%9s %9s %9s %9s %9s %9s %9s %9s %9s\n", "", "map+unmap", "map+unmap", "protect", "protect",
           "first", "lookup", "lookup", "bytes");
    printf("%9s %9s %9s %9s %9s %9s %9s %9s %9s\n", "VMAs", "1 page", "2 pages", "local", "random",
           "touch", "local", "random", "per VMA");
    for (int i = 0; i < 4; i++) {
        struct row *r = &rows[i];
        if (only && only != sizes[i])
            continue;
        *r = bench_best(sizes[i]);
        printf("%9" PRIu64 " %9.0f %9.0f %9.0f %9.0f %9.0f %9.1f %9.1f %9.1f\n", r->n, r->map1, r->map2,
               r->protect_local, r->protect_random, r->touch, r->lookup_local, r->lookup_random,
               r->bytes_per_vma);
        fflush(stdout);
    }
    if (only)
        return 0;
    struct row *a = &rows[0], *z = &rows[3];
    printf("cost at 1,000,000 VMAs / cost at 10 (target: at most 2):\n"
           "  map+unmap 1p %.2f, 2p %.2f, protect local %.2f, random %.2f, first touch %.2f, "
           "lookup local %.2f, random %.2f\n",
           z->map1 / a->map1, z->map2 / a->map2, z->protect_local / a->protect_local,
           z->protect_random / a->protect_random, z->touch / a->touch, z->lookup_local / a->lookup_local,
           z->lookup_random / a->lookup_random);
    printf("bytes per VMA at 1,000,000: %.1f (target: at most 64)\n", z->bytes_per_vma);
    print_fork();
    return 0;
}
