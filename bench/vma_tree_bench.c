/* bench/vma_tree_bench.c — time per operation of the VMA tree.
 *
 * Prints nanoseconds per insert, remove, find, find_after and gap search
 * (top-down and bottom-up, random windows) for trees of 10, 1,000, 100,000
 * and 1,000,000 VMAs, inserted and removed in random order. Then, to tell
 * the tree's cost from the memory's: the mean number of nodes a find at a
 * random address visits ("depth"), and the time of a bare pointer chase
 * through the same 64-byte records in random order, one hop ("chase 1":
 * what any structure pays to read one record it has not read lately) and
 * as many hops as a find visits ("chase d": a find with nothing cached).
 * Needs only mm/vma_tree.c:
 *
 *   gcc -std=c11 -O2 -DNDEBUG -Imm/include mm/vma_tree.c bench/vma_tree_bench.c -o vma_tree_bench
 */
#define _POSIX_C_SOURCE 199309L
#include <mm/vma.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define P PAGE_SIZE
#define BASE 0x10000000ull
#define QUERIES 1000000u

static uint64_t rng_state = 0x6a09e667f3bcc908ull;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Nodes a find of addr visits. */
static unsigned find_depth(const struct vma_tree *t, uaddr_t addr)
{
    const struct vma *v = t->root;
    unsigned d = 0;

    while (v) {
        d++;
        if (addr < v->start)
            v = v->left;
        else if (addr >= v->end)
            v = v->right;
        else
            break;
    }
    return d;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* VMA i is one page at BASE + (3i + (i & 1)) pages: gaps of 1 and 3 pages. */
static uaddr_t bench_start(uint64_t i) { return BASE + (3 * i + (i & 1)) * P; }

static void shuffle(uint32_t *a, uint32_t n)
{
    for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(rng_next() % (i + 1)), x = a[i];
        a[i] = a[j];
        a[j] = x;
    }
}

static void bench_size(uint32_t n)
{
    struct vma *nodes = calloc(n, sizeof *nodes);
    uint32_t *perm = malloc(n * sizeof *perm);
    uint64_t rounds = n >= QUERIES ? 1 : QUERIES / n, sink = 0;
    uaddr_t span = bench_start(n) - BASE, addr;
    double t_ins = 0, t_rem = 0, t0, t_find, t_after, t_top, t_bot, t_chase1, t_chased, depth = 0;
    struct vma_tree t;

    if (!nodes || !perm) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (uint32_t i = 0; i < n; i++) {
        nodes[i].start = bench_start(i);
        nodes[i].end = nodes[i].start + P;
        perm[i] = i;
    }

    /* Insert and remove, many rounds for small trees. */
    vma_tree_init(&t, BASE);
    for (uint64_t r = 0; r < rounds; r++) {
        shuffle(perm, n);
        t0 = now_ns();
        for (uint32_t i = 0; i < n; i++)
            vma_tree_insert(&t, &nodes[perm[i]]);
        t_ins += now_ns() - t0;
        if (r + 1 == rounds)
            break; /* keep the last tree for the queries */
        shuffle(perm, n);
        t0 = now_ns();
        for (uint32_t i = 0; i < n; i++)
            vma_tree_remove(&t, &nodes[perm[i]]);
        t_rem += now_ns() - t0;
    }

    t0 = now_ns();
    for (uint32_t q = 0; q < QUERIES; q++) {
        struct vma *v = vma_tree_find(&t, BASE + rng_next() % span);
        sink += v ? v->start : 1;
    }
    t_find = now_ns() - t0;

    t0 = now_ns();
    for (uint32_t q = 0; q < QUERIES; q++) {
        struct vma *v = vma_tree_find_after(&t, BASE + rng_next() % span);
        sink += v ? v->start : 1;
    }
    t_after = now_ns() - t0;

    /* Gap searches in random windows: len 1..4 pages (4 never fits
     * unclipped and exercises the max_gap pruning), low and high random. */
    t0 = now_ns();
    for (uint32_t q = 0; q < QUERIES; q++) {
        uaddr_t a = BASE + rng_next() % span, b = BASE + rng_next() % span;
        uint64_t len = (1 + rng_next() % 4) * P;
        if (vma_tree_gap_topdown(&t, len, MM_MIN(a, b), MM_MAX(a, b), &addr))
            sink += addr;
    }
    t_top = now_ns() - t0;

    t0 = now_ns();
    for (uint32_t q = 0; q < QUERIES; q++) {
        uaddr_t a = BASE + rng_next() % span, b = BASE + rng_next() % span;
        uint64_t len = (1 + rng_next() % 4) * P;
        if (vma_tree_gap_bottomup(&t, len, MM_MIN(a, b), MM_MAX(a, b), &addr))
            sink += addr;
    }
    t_bot = now_ns() - t0;

    for (uint32_t q = 0; q < QUERIES; q++)
        depth += find_depth(&t, BASE + rng_next() % span);
    depth /= QUERIES;

    shuffle(perm, n);
    t0 = now_ns();
    for (uint32_t i = 0; i < n; i++)
        vma_tree_remove(&t, &nodes[perm[i]]);
    t_rem += now_ns() - t0;

    /* The records, out of the tree, linked into one cycle in random order
     * through their left links: a chase visits them as a find visits
     * nodes it has not cached. */
    shuffle(perm, n);
    for (uint32_t i = 0; i < n; i++)
        nodes[perm[i]].left = &nodes[perm[(i + 1) % n]];
    unsigned hops = (unsigned)(depth + 0.5);
    const struct vma *c = &nodes[perm[0]];
    t0 = now_ns();
    for (uint32_t q = 0; q < QUERIES; q++)
        c = c->left;
    t_chase1 = now_ns() - t0;
    t0 = now_ns();
    for (uint32_t q = 0; q < QUERIES; q++)
        for (unsigned h = 0; h < hops; h++)
            c = c->left;
    t_chased = now_ns() - t0;
    sink += c->start;

    printf("%9" PRIu32 " %9.1f %9.1f %9.1f %11.1f %9.1f %9.1f %7.1f %9.1f %9.1f   (%" PRIx64 ")\n", n,
           t_ins / (double)(rounds * n), t_rem / (double)(rounds * n), t_find / QUERIES, t_after / QUERIES,
           t_top / QUERIES, t_bot / QUERIES, depth, t_chase1 / QUERIES, t_chased / QUERIES, sink & 0xfff);
    free(perm);
    free(nodes);
}

int main(void)
{
    static const uint32_t sizes[] = {10, 1000, 100000, 1000000};

    printf("ns per operation (random order; gap search in random windows)\n");
    printf("%9s %9s %9s %9s %11s %9s %9s %7s %9s %9s\n", "nodes", "insert", "remove", "find", "find_after",
           "gap_top", "gap_bot", "depth", "chase 1", "chase d");
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        bench_size(sizes[i]);
    return 0;
}
