/* tests/unit/test_vma_tree.c — tests of the VMA tree (mm/vma_tree.c).
 *
 * Unit tests for each function, randomized runs against a naive model (a
 * sorted array of ranges) with the O(n) checker after every step, and a
 * large run of a million nodes. The tree code needs no platform, so these
 * tests allocate VMAs with calloc and use nothing but mm/vma_tree.c (they
 * also build alone: mm/vma_tree.c + this file + tests/lib/test_main.c).
 *
 * On a failure the context dump lists the ranges of the tree (and of the
 * model, when there is one) around the address being examined. */
#include <mm/vma.h>

#include "test.h"

#include <stdbool.h>
#include <stdlib.h>

#define P PAGE_SIZE

/* ---- helpers ---- */

static struct vma *vma_new(uaddr_t start, uaddr_t end)
{
    struct vma *v = calloc(1, sizeof *v);
    if (!v) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    v->start = start;
    v->end = end;
    return v;
}

/* Insert a new VMA [start, end) and return it. */
static struct vma *tree_add(struct vma_tree *t, uaddr_t start, uaddr_t end)
{
    struct vma *v = vma_new(start, end);
    vma_tree_insert(t, v);
    return v;
}

/* Remove and free every VMA of t. */
static void tree_free_all(struct vma_tree *t)
{
    struct vma *v;

    while ((v = vma_tree_first(t)) != NULL) {
        vma_tree_remove(t, v);
        free(v);
    }
}

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rng_below(uint64_t n) { return n ? rng_next() % n : 0; }

/* ---- the model: VMAs as a sorted array ---- */

struct model_ent {
    uaddr_t start, end;
    struct vma *v;
};

struct model {
    struct model_ent *e;
    size_t n, cap;
    uaddr_t floor;
};

/* Index of the first entry with end > addr (n if none). */
static size_t model_index_after(const struct model *m, uaddr_t addr)
{
    size_t lo = 0, hi = m->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->e[mid].end > addr)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Index of the first entry with start >= addr (n if none). */
static size_t model_index_from(const struct model *m, uaddr_t addr)
{
    size_t lo = 0, hi = m->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->e[mid].start >= addr)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static bool model_overlaps(const struct model *m, uaddr_t start, uaddr_t end)
{
    size_t i = model_index_after(m, start);
    return i < m->n && m->e[i].start < end;
}

static void model_insert(struct model *m, struct vma *v)
{
    size_t i = model_index_from(m, v->start);

    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->e = realloc(m->e, m->cap * sizeof *m->e);
        if (!m->e)
            abort();
    }
    memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof *m->e);
    m->e[i] = (struct model_ent){v->start, v->end, v};
    m->n++;
}

static void model_erase(struct model *m, size_t i)
{
    memmove(&m->e[i], &m->e[i + 1], (m->n - i - 1) * sizeof *m->e);
    m->n--;
}

static struct vma *model_find(const struct model *m, uaddr_t addr)
{
    size_t i = model_index_after(m, addr);
    return i < m->n && m->e[i].start <= addr ? m->e[i].v : NULL;
}

static struct vma *model_find_after(const struct model *m, uaddr_t addr)
{
    size_t i = model_index_after(m, addr);
    return i < m->n ? m->e[i].v : NULL;
}

static struct vma *model_find_before(const struct model *m, uaddr_t addr)
{
    size_t i = model_index_from(m, addr);
    return i > 0 ? m->e[i - 1].v : NULL;
}

/* Gap search by brute force over every gap, as vma.h defines it. */
static bool model_gap(const struct model *m, bool topdown, uint64_t len, uaddr_t low, uaddr_t high, uaddr_t *out)
{
    uaddr_t prev_end = m->floor;
    bool found = false;

    for (size_t i = 0; i < m->n; i++) {
        uaddr_t lo = MM_MAX(prev_end, low), hi = MM_MIN(m->e[i].start, high);
        if (len && hi > lo && hi - lo >= len) {
            *out = topdown ? hi - len : lo;
            found = true;
            if (!topdown)
                return true;
        }
        prev_end = m->e[i].end;
    }
    return found;
}

/* ---- failure context: an ASCII listing around one address ---- */

static const struct vma_tree *dump_tree;
static const struct model *dump_model;
static uaddr_t dump_focus;

#define DUMP_AROUND 6

struct dump_walk {
    const struct vma *ring[DUMP_AROUND]; /* the last nodes below the focus */
    unsigned nring, after;
    uint64_t budget;
    bool truncated;
    const struct vma *before_ring; /* node just before the ring (for gaps) */
};

static void dump_line(const struct vma *v, uaddr_t prev_end, bool have_prev)
{
    if (have_prev && v->start > prev_end)
        printf("        free 0x%012" PRIx64 "-0x%012" PRIx64 "  %" PRIu64 " pages\n", prev_end, v->start,
               (v->start - prev_end) / P);
    else if (have_prev && v->start < prev_end)
        printf("        !!!! overlaps previous (previous end 0x%012" PRIx64 ")\n", prev_end);
    printf("    vma [0x%012" PRIx64 "-0x%012" PRIx64 ")  %6" PRIu64 " pages  gap_pages=%" PRIu64
           " r=%u max_gap=0x%" PRIx64 "\n",
           v->start, v->end, (v->end - v->start) / P, (uint64_t)v->gap_pages, (unsigned)v->rank, v->max_gap);
}

/* In-order walk, bounded in depth and node count so that a corrupt tree
 * still prints something. */
static void dump_walk_node(struct dump_walk *w, const struct vma *v, int depth, uaddr_t *prev_end)
{
    if (!v || w->after >= DUMP_AROUND)
        return;
    if (depth > 80 || w->budget-- == 0) {
        w->truncated = true;
        return;
    }
    dump_walk_node(w, v->left, depth + 1, prev_end);
    if (w->after >= DUMP_AROUND)
        return;
    if (v->start < dump_focus) {
        if (w->nring == DUMP_AROUND)
            w->before_ring = w->ring[0];
        if (w->nring == DUMP_AROUND)
            memmove(&w->ring[0], &w->ring[1], sizeof w->ring[0] * (DUMP_AROUND - 1));
        else
            w->nring++;
        w->ring[w->nring - 1] = v;
    } else {
        if (w->after == 0) {
            /* Print what sits below the focus, then the focus mark. */
            uaddr_t pe = w->before_ring ? w->before_ring->end : dump_tree->floor;
            for (unsigned i = 0; i < w->nring; i++) {
                dump_line(w->ring[i], pe, true);
                pe = w->ring[i]->end;
            }
            printf("    ---- focus 0x%012" PRIx64 " ----\n", dump_focus);
            *prev_end = pe;
        }
        dump_line(v, *prev_end, true);
        *prev_end = v->end;
        w->after++;
    }
    dump_walk_node(w, v->right, depth + 1, prev_end);
}

static void dump_tree_region(void)
{
    struct dump_walk w;
    uaddr_t prev_end = 0;

    memset(&w, 0, sizeof w);
    w.budget = dump_tree->count + 64;
    printf("  tree: floor 0x%" PRIx64 ", count %" PRIu64 ", root rank %u; around 0x%" PRIx64 ":\n",
           dump_tree->floor, dump_tree->count, dump_tree->root ? (unsigned)dump_tree->root->rank : 0, dump_focus);
    dump_walk_node(&w, dump_tree->root, 0, &prev_end);
    if (w.after == 0) {
        uaddr_t pe = w.before_ring ? w.before_ring->end : dump_tree->floor;
        for (unsigned i = 0; i < w.nring; i++) {
            dump_line(w.ring[i], pe, true);
            pe = w.ring[i]->end;
        }
        printf("    ---- focus 0x%012" PRIx64 " (above every VMA) ----\n", dump_focus);
    }
    if (w.truncated)
        printf("    (walk stopped: tree too deep or more nodes than count)\n");
}

static void dump_model_region(void)
{
    const struct model *m = dump_model;
    size_t i = model_index_after(m, dump_focus);
    size_t from = i > DUMP_AROUND ? i - DUMP_AROUND : 0, to = MM_MIN(m->n, i + DUMP_AROUND);

    printf("  model: %zu ranges; around 0x%" PRIx64 ":\n", m->n, dump_focus);
    for (size_t j = from; j < to; j++) {
        uaddr_t pe = j ? m->e[j - 1].end : m->floor;
        if (j == i)
            printf("    ---- focus ----\n");
        if (m->e[j].start > pe)
            printf("        free 0x%012" PRIx64 "-0x%012" PRIx64 "  %" PRIu64 " pages\n", pe, m->e[j].start,
                   (m->e[j].start - pe) / P);
        printf("    vma [0x%012" PRIx64 "-0x%012" PRIx64 ")\n", m->e[j].start, m->e[j].end);
    }
    if (i == m->n)
        printf("    ---- focus (above every range) ----\n");
}

static void dump_context(void)
{
    if (dump_tree)
        dump_tree_region();
    if (dump_model)
        dump_model_region();
}

/* Make failures of the current test print the region around addr. */
static void dump_set(const struct vma_tree *t, const struct model *m, uaddr_t addr)
{
    dump_tree = t;
    dump_model = m;
    dump_focus = addr;
    test_context_dump = dump_context;
}

/* Run the checker; on failure report its message. */
#define CHECK_TREE(t)                                                      \
    do {                                                                   \
        char check_buf_[256];                                              \
        if (vma_tree_check((t), check_buf_, sizeof check_buf_) != 0)       \
            test_fail_at(__FILE__, __LINE__, "vma_tree_check: %s", check_buf_); \
    } while (0)

/* ---- unit tests ---- */

TEST(empty_tree)
{
    struct vma_tree t;
    uaddr_t a = 0;

    vma_tree_init(&t, 0x10000);
    dump_set(&t, NULL, 0);
    CHECK_TREE(&t);
    CHECK_EQ(t.count, 0);
    CHECK(t.root == NULL);
    CHECK(vma_tree_find(&t, 0x10000) == NULL);
    CHECK(vma_tree_find_after(&t, 0) == NULL);
    CHECK(vma_tree_find_before(&t, UINT64_MAX) == NULL);
    CHECK(vma_tree_first(&t) == NULL);
    CHECK(vma_tree_last(&t) == NULL);
    CHECK(!vma_tree_gap_topdown(&t, P, 0, UINT64_MAX, &a));
    CHECK(!vma_tree_gap_bottomup(&t, P, 0, UINT64_MAX, &a));
}

TEST(single_node)
{
    struct vma_tree t;
    struct vma *v;
    uaddr_t a = 0;

    vma_tree_init(&t, 0x1000);
    v = tree_add(&t, 0x10000, 0x20000);
    dump_set(&t, NULL, 0x10000);
    CHECK_TREE(&t);
    CHECK_EQ(t.count, 1);
    CHECK_EQ(v->gap_pages, 15);
    CHECK_EQ(v->max_gap, 15 * P);
    CHECK_EQ(v->rank, 1);

    CHECK(vma_tree_find(&t, 0xffff) == NULL);
    CHECK(vma_tree_find(&t, 0x10000) == v);
    CHECK(vma_tree_find(&t, 0x1ffff) == v);
    CHECK(vma_tree_find(&t, 0x20000) == NULL);
    CHECK(vma_tree_find_after(&t, 0) == v);
    CHECK(vma_tree_find_after(&t, 0x1ffff) == v);
    CHECK(vma_tree_find_after(&t, 0x20000) == NULL);
    CHECK(vma_tree_find_before(&t, 0x10000) == NULL);
    CHECK(vma_tree_find_before(&t, 0x10001) == v);
    CHECK(vma_tree_find_before(&t, UINT64_MAX) == v);
    CHECK(vma_tree_first(&t) == v);
    CHECK(vma_tree_last(&t) == v);
    CHECK(vma_tree_next(&t, v) == NULL);
    CHECK(vma_tree_prev(&t, v) == NULL);

    /* The only gap is [floor, start) = [0x1000, 0x10000). */
    CHECK(vma_tree_gap_topdown(&t, P, 0, UINT64_MAX, &a));
    CHECK_EQ(a, 0xf000);
    CHECK(vma_tree_gap_bottomup(&t, P, 0, UINT64_MAX, &a));
    CHECK_EQ(a, 0x1000);
    CHECK(vma_tree_gap_topdown(&t, 15 * P, 0, UINT64_MAX, &a));
    CHECK_EQ(a, 0x1000);
    CHECK(!vma_tree_gap_topdown(&t, 16 * P, 0, UINT64_MAX, &a));
    CHECK(!vma_tree_gap_bottomup(&t, 16 * P, 0, UINT64_MAX, &a));
    /* The space above the last VMA is not searched. */
    CHECK(!vma_tree_gap_topdown(&t, P, 0x20000, UINT64_MAX, &a));
    CHECK(!vma_tree_gap_bottomup(&t, P, 0x20000, UINT64_MAX, &a));

    vma_tree_remove(&t, v);
    CHECK_TREE(&t);
    CHECK_EQ(t.count, 0);
    CHECK(t.root == NULL);
    CHECK(v->left == NULL && v->right == NULL);
    free(v);
}

TEST(floor_gap)
{
    struct vma_tree t;
    struct vma *a, *b;
    uaddr_t addr = 0;

    /* A VMA right at the floor has no gap. */
    vma_tree_init(&t, 0x400000);
    a = tree_add(&t, 0x400000, 0x401000);
    dump_set(&t, NULL, 0x400000);
    CHECK_TREE(&t);
    CHECK_EQ(a->gap_pages, 0);
    CHECK_EQ(a->max_gap, 0);
    CHECK(!vma_tree_gap_topdown(&t, P, 0, UINT64_MAX, &addr));

    /* A VMA inserted below it takes the floor gap; a's gap becomes 0x1000. */
    vma_tree_remove(&t, a);
    b = tree_add(&t, 0x402000, 0x403000);
    vma_tree_insert(&t, a);
    CHECK_TREE(&t);
    CHECK_EQ(a->gap_pages, 0);
    CHECK_EQ(b->gap_pages, 1);
    CHECK(vma_tree_gap_bottomup(&t, P, 0, UINT64_MAX, &addr));
    CHECK_EQ(addr, 0x401000);

    /* Removing the first VMA gives its gap and length to the next. */
    vma_tree_remove(&t, a);
    CHECK_TREE(&t);
    CHECK_EQ(b->gap_pages, 2);
    CHECK(vma_tree_gap_bottomup(&t, P, 0, UINT64_MAX, &addr));
    CHECK_EQ(addr, 0x400000);
    /* low below the floor is clipped by the floor. */
    CHECK(vma_tree_gap_bottomup(&t, 2 * P, 0, 0x402000, &addr));
    CHECK_EQ(addr, 0x400000);
    CHECK(!vma_tree_gap_bottomup(&t, 3 * P, 0, UINT64_MAX, &addr));
    free(a);
    tree_free_all(&t);
}

TEST(neighbours)
{
    struct vma_tree t;
    struct vma *a, *b, *c;

    vma_tree_init(&t, 0);
    a = tree_add(&t, 0x10000, 0x12000);
    c = tree_add(&t, 0x20000, 0x22000);
    dump_set(&t, NULL, 0x12000);
    CHECK_TREE(&t);
    CHECK_EQ(c->gap_pages, 14);

    /* Insert between: c's gap shrinks, b gets the rest. */
    b = tree_add(&t, 0x15000, 0x18000);
    CHECK_TREE(&t);
    CHECK_EQ(a->gap_pages, 0x10);
    CHECK_EQ(b->gap_pages, 3);
    CHECK_EQ(c->gap_pages, 8);
    CHECK_EQ(t.root->max_gap, 0x10 * P);

    CHECK(vma_tree_next(&t, a) == b);
    CHECK(vma_tree_next(&t, b) == c);
    CHECK(vma_tree_next(&t, c) == NULL);
    CHECK(vma_tree_prev(&t, c) == b);
    CHECK(vma_tree_prev(&t, b) == a);
    CHECK(vma_tree_prev(&t, a) == NULL);
    CHECK(vma_tree_first(&t) == a);
    CHECK(vma_tree_last(&t) == c);
    {
        struct vma *p = NULL, *n = NULL;
        vma_tree_neighbours(&t, b, &p, &n);
        CHECK(p == a && n == c);
        vma_tree_neighbours(&t, a, &p, &n);
        CHECK(p == NULL && n == b);
        vma_tree_neighbours(&t, c, &p, &n);
        CHECK(p == b && n == NULL);
    }

    /* find_after / find_before at every boundary. */
    CHECK(vma_tree_find_after(&t, 0x12000) == b);
    CHECK(vma_tree_find_after(&t, 0x14fff) == b);
    CHECK(vma_tree_find_after(&t, 0x17fff) == b);
    CHECK(vma_tree_find_after(&t, 0x18000) == c);
    CHECK(vma_tree_find_after(&t, 0x22000) == NULL);
    CHECK(vma_tree_find_before(&t, 0x15000) == a);
    CHECK(vma_tree_find_before(&t, 0x15001) == b);
    CHECK(vma_tree_find_before(&t, 0x20000) == b);
    CHECK(vma_tree_find(&t, 0x14000) == NULL);
    CHECK(vma_tree_find(&t, 0x17000) == b);

    /* Adjacent VMAs: zero gaps on both sides. */
    {
        struct vma *d = vma_new(0x12000, 0x15000), *p = NULL, *n = NULL;
        vma_tree_insert_near(&t, d, &p, &n);
        CHECK(p == a && n == b);
        CHECK_TREE(&t);
        CHECK_EQ(d->gap_pages, 0);
        CHECK_EQ(b->gap_pages, 0);
        vma_tree_remove(&t, d);
        CHECK_TREE(&t);
        CHECK_EQ(b->gap_pages, 3);
        free(d);
    }

    /* Remove the middle: c's gap covers b's gap, b and its own. */
    vma_tree_remove(&t, b);
    CHECK_TREE(&t);
    CHECK_EQ(c->gap_pages, 14);
    CHECK(vma_tree_next(&t, a) == c);
    CHECK(vma_tree_prev(&t, c) == a);
    free(b);
    tree_free_all(&t);
}

TEST(adjust)
{
    struct vma_tree t;
    struct vma *a, *b, *c;
    uaddr_t addr = 0;

    vma_tree_init(&t, 0x1000);
    a = tree_add(&t, 0x10000, 0x20000);
    b = tree_add(&t, 0x30000, 0x40000);
    c = tree_add(&t, 0x50000, 0x60000);
    dump_set(&t, NULL, 0x30000);

    /* Trim b's front (a split keeping the upper part). */
    vma_tree_adjust(&t, b, 0x38000, 0x40000);
    CHECK_TREE(&t);
    CHECK_EQ(b->start, 0x38000);
    CHECK_EQ(b->gap_pages, 0x18);
    CHECK_EQ(c->gap_pages, 0x10);
    CHECK_EQ(t.root->max_gap, 0x18 * P);

    /* Trim b's tail: c's gap grows. */
    vma_tree_adjust(&t, b, 0x38000, 0x39000);
    CHECK_TREE(&t);
    CHECK_EQ(b->gap_pages, 0x18);
    CHECK_EQ(c->gap_pages, 0x17);

    /* Grow b to touch both neighbours. */
    vma_tree_adjust(&t, b, 0x20000, 0x50000);
    CHECK_TREE(&t);
    CHECK_EQ(b->gap_pages, 0);
    CHECK_EQ(c->gap_pages, 0);
    CHECK_EQ(t.root->max_gap, 0xf * P);
    CHECK(vma_tree_gap_topdown(&t, P, 0, UINT64_MAX, &addr));
    CHECK_EQ(addr, 0xf000);

    /* The first VMA: its gap is measured from the floor. */
    vma_tree_adjust(&t, a, 0x1000, 0x2000);
    CHECK_TREE(&t);
    CHECK_EQ(a->gap_pages, 0);
    CHECK_EQ(b->gap_pages, 0x1e);
    /* The last VMA: nothing above it to update. */
    vma_tree_adjust(&t, c, 0x50000, 0x51000);
    CHECK_TREE(&t);
    CHECK_EQ(c->gap_pages, 0);
    CHECK(vma_tree_find(&t, 0x51000) == NULL);
    CHECK(vma_tree_find_after(&t, 0x2000) == b);
    tree_free_all(&t);
}

TEST(gap_search_clipping)
{
    struct vma_tree t;
    uaddr_t a = 0;

    /* Gaps: [0x10000,0x20000) [0x30000,0x38000) [0x40000,0x41000) [0x50000,0x60000) */
    vma_tree_init(&t, 0x10000);
    tree_add(&t, 0x20000, 0x30000);
    tree_add(&t, 0x38000, 0x40000);
    tree_add(&t, 0x41000, 0x50000);
    tree_add(&t, 0x60000, 0x70000);
    dump_set(&t, NULL, 0x40000);
    CHECK_TREE(&t);

    /* Unclipped: the highest gap that fits, at its top. */
    CHECK(vma_tree_gap_topdown(&t, P, 0, UINT64_MAX, &a));
    CHECK_EQ(a, 0x5f000);
    CHECK(vma_tree_gap_bottomup(&t, P, 0, UINT64_MAX, &a));
    CHECK_EQ(a, 0x10000);
    CHECK(vma_tree_gap_topdown(&t, 0x10000, 0, UINT64_MAX, &a));
    CHECK_EQ(a, 0x50000);
    CHECK(vma_tree_gap_bottomup(&t, 0x10000, 0, UINT64_MAX, &a));
    CHECK_EQ(a, 0x10000);
    CHECK(!vma_tree_gap_topdown(&t, 0x11000, 0, UINT64_MAX, &a));

    /* high inside a gap: a + len == high. */
    CHECK(vma_tree_gap_topdown(&t, 0x2000, 0, 0x58000, &a));
    CHECK_EQ(a, 0x56000);
    /* high clips the top gap below len: fall to the next gap down. */
    CHECK(vma_tree_gap_topdown(&t, 0x9000, 0, 0x58000, &a));
    CHECK_EQ(a, 0x17000);
    CHECK(vma_tree_gap_topdown(&t, 0x8000, 0, 0x58000, &a));
    CHECK_EQ(a, 0x50000);
    CHECK(vma_tree_gap_topdown(&t, 0x8000, 0, 0x57fff, &a));
    CHECK_EQ(a, 0x30000);

    /* low inside a gap: bottom-up starts at low. */
    CHECK(vma_tree_gap_bottomup(&t, 0x2000, 0x1c000, UINT64_MAX, &a));
    CHECK_EQ(a, 0x1c000);
    CHECK(vma_tree_gap_bottomup(&t, 0x5000, 0x1c000, UINT64_MAX, &a));
    CHECK_EQ(a, 0x30000);
    CHECK(vma_tree_gap_bottomup(&t, 0x9000, 0x1c000, UINT64_MAX, &a));
    CHECK_EQ(a, 0x50000);
    /* Top-down with low inside the lowest usable gap. */
    CHECK(vma_tree_gap_topdown(&t, 0x4000, 0x1c000, 0x30000, &a));
    CHECK_EQ(a, 0x1c000);
    CHECK(!vma_tree_gap_topdown(&t, 0x5000, 0x1c000, 0x30000, &a));

    /* Both bounds inside one gap. */
    CHECK(vma_tree_gap_topdown(&t, P, 0x12000, 0x14000, &a));
    CHECK_EQ(a, 0x13000);
    CHECK(vma_tree_gap_bottomup(&t, P, 0x12000, 0x14000, &a));
    CHECK_EQ(a, 0x12000);
    CHECK(vma_tree_gap_topdown(&t, 2 * P, 0x12000, 0x14000, &a));
    CHECK_EQ(a, 0x12000);
    CHECK(!vma_tree_gap_topdown(&t, 3 * P, 0x12000, 0x14000, &a));

    /* A window covering only VMAs, an empty window, a reversed window,
     * len 0, and a window above the last VMA. */
    CHECK(!vma_tree_gap_topdown(&t, P, 0x20000, 0x30000, &a));
    CHECK(!vma_tree_gap_bottomup(&t, P, 0x20000, 0x30000, &a));
    CHECK(!vma_tree_gap_topdown(&t, P, 0x12000, 0x12000, &a));
    CHECK(!vma_tree_gap_topdown(&t, P, 0x14000, 0x12000, &a));
    CHECK(!vma_tree_gap_bottomup(&t, P, 0x14000, 0x12000, &a));
    CHECK(!vma_tree_gap_topdown(&t, 0, 0, UINT64_MAX, &a));
    CHECK(!vma_tree_gap_topdown(&t, P, 0x70000, UINT64_MAX, &a));
    /* A single-page gap found exactly. */
    CHECK(vma_tree_gap_topdown(&t, P, 0x40000, 0x41000, &a));
    CHECK_EQ(a, 0x40000);
    CHECK(vma_tree_gap_bottomup(&t, P, 0x3f000, 0x48000, &a));
    CHECK_EQ(a, 0x40000);
    tree_free_all(&t);
}

TEST(large_addresses)
{
    struct vma_tree t;
    struct vma *lo, *hi, *top;
    uaddr_t a = 0;
    const uaddr_t user_top = (uaddr_t)1 << 47;
    const uaddr_t limit = (uaddr_t)1 << 52;

    vma_tree_init(&t, 0);
    lo = tree_add(&t, 0x400000, 0x401000);
    hi = tree_add(&t, user_top - 0x21000, user_top - 0x1000);
    dump_set(&t, NULL, user_top);
    CHECK_TREE(&t);
    CHECK_EQ(hi->gap_pages, (user_top - 0x21000 - 0x401000) / P);
    CHECK_EQ(t.root->max_gap, user_top - 0x21000 - 0x401000);
    CHECK(vma_tree_gap_topdown(&t, (uint64_t)1 << 40, 0, UINT64_MAX, &a));
    CHECK_EQ(a, user_top - 0x21000 - ((uint64_t)1 << 40));
    CHECK(vma_tree_gap_bottomup(&t, (uint64_t)1 << 40, 0x10000000, UINT64_MAX, &a));
    CHECK_EQ(a, 0x10000000);

    /* The largest gap gap_pages can hold: 2^40 - 1 pages. */
    top = tree_add(&t, limit - P, limit);
    CHECK_TREE(&t);
    CHECK_EQ(top->gap_pages, (limit - P - (user_top - 0x1000)) / P);
    vma_tree_remove(&t, hi);
    vma_tree_remove(&t, lo);
    CHECK_TREE(&t);
    CHECK_EQ(top->gap_pages, ((uint64_t)1 << 40) - 1);
    CHECK_EQ(top->max_gap, limit - P);
    CHECK(vma_tree_gap_topdown(&t, limit - P, 0, UINT64_MAX, &a));
    CHECK_EQ(a, 0);
    free(hi);
    free(lo);
    tree_free_all(&t);
}

TEST(check_reports_corruption)
{
    struct vma_tree t;
    struct vma *v[15];
    char buf[256];
    uint64_t saved;

    vma_tree_init(&t, 0);
    for (int i = 0; i < 15; i++)
        v[i] = tree_add(&t, (uaddr_t)(4 * i + 1) * P, (uaddr_t)(4 * i + 3) * P);
    dump_set(&t, NULL, 0);
    CHECK(vma_tree_check(&t, buf, sizeof buf) == 0);
    CHECK_EQ(buf[0], 0);

    saved = v[7]->gap_pages;
    v[7]->gap_pages = 5;
    CHECK(vma_tree_check(&t, buf, sizeof buf) == -1);
    CHECK(strstr(buf, "gap_pages") != NULL);
    CHECK(strstr(buf, "0x1d000") != NULL); /* v[7] starts at 29 pages */
    v[7]->gap_pages = saved;

    /* max_gap is a bound: too high is allowed, below a gap is not. */
    saved = t.root->max_gap;
    t.root->max_gap = 0x7000;
    CHECK(vma_tree_check(&t, buf, sizeof buf) == 0);
    t.root->max_gap = P; /* the gaps are two pages */
    CHECK(vma_tree_check(&t, buf, sizeof buf) == -1);
    CHECK(strstr(buf, "max_gap") != NULL);
    t.root->max_gap = saved;
    saved = v[14]->max_gap; /* a leaf below the root: its bound under its gap */
    v[14]->max_gap = 0;
    CHECK(vma_tree_check(&t, buf, sizeof buf) == -1);
    CHECK(strstr(buf, "max_gap") != NULL);
    CHECK(strstr(buf, "0x39000") != NULL); /* v[14] starts at 57 pages */
    v[14]->max_gap = saved;

    saved = t.root->rank;
    t.root->rank = 9;
    CHECK(vma_tree_check(&t, buf, sizeof buf) == -1);
    CHECK(strstr(buf, "rank") != NULL);
    t.root->rank = saved;

    /* Overlap: stretch one VMA over its successor's start. */
    saved = v[3]->end;
    v[3]->end = v[4]->start + P;
    CHECK(vma_tree_check(&t, buf, sizeof buf) == -1);
    CHECK(strstr(buf, "overlaps") != NULL);
    v[3]->end = saved;

    t.count++;
    CHECK(vma_tree_check(&t, buf, sizeof buf) == -1);
    CHECK(strstr(buf, "count") != NULL);
    t.count--;

    /* The cached ends must be the lowest and the highest VMA. */
    t.first = v[1];
    CHECK(vma_tree_check(&t, buf, sizeof buf) == -1);
    CHECK(strstr(buf, "first") != NULL);
    t.first = v[0];
    t.last = v[13];
    CHECK(vma_tree_check(&t, buf, sizeof buf) == -1);
    CHECK(strstr(buf, "last") != NULL);
    t.last = v[14];
    CHECK(vma_tree_check(&t, buf, sizeof buf) == 0);

    /* The hint's neighbours must be its neighbours, and it must be in the
     * tree. */
    {
        struct vma *p = NULL, *n = NULL, *outside = vma_new(100 * P, 101 * P);
        CHECK(vma_tree_find_after_near(&t, v[3]->start, &p, &n) == v[3]);
        CHECK(t.hint == v[3] && p == v[2] && n == v[4]);
        CHECK(vma_tree_check(&t, buf, sizeof buf) == 0);
        t.hint_next = v[5];
        CHECK(vma_tree_check(&t, buf, sizeof buf) == -1);
        CHECK(strstr(buf, "hint_next") != NULL);
        t.hint_next = v[4];
        t.hint_prev = v[1];
        CHECK(vma_tree_check(&t, buf, sizeof buf) == -1);
        CHECK(strstr(buf, "hint_prev") != NULL);
        t.hint_prev = v[2];
        t.hint = outside;
        CHECK(vma_tree_check(&t, buf, sizeof buf) == -1);
        CHECK(strstr(buf, "hint is not in the tree") != NULL);
        t.hint = NULL;
        free(outside);
    }

    /* A start below the floor. */
    t.floor = 2 * P;
    CHECK(vma_tree_check(&t, buf, sizeof buf) == -1);
    CHECK(strstr(buf, "floor") != NULL);
    t.floor = 0;

    /* Unbalanced but otherwise consistent: a chain of three, by hand. */
    {
        struct vma_tree u;
        struct vma *a = vma_new(P, 2 * P), *b = vma_new(3 * P, 4 * P), *c = vma_new(5 * P, 6 * P);

        vma_tree_init(&u, 0);
        a->gap_pages = b->gap_pages = c->gap_pages = 1;
        a->max_gap = b->max_gap = c->max_gap = P;
        a->rank = 1;
        b->rank = 2;
        c->rank = 3;
        c->left = b;
        b->left = a;
        u.root = c;
        u.count = 3;
        CHECK(vma_tree_check(&u, buf, sizeof buf) == -1);
        CHECK(strstr(buf, "rank not 1 or 2 above the right child's") != NULL);
        CHECK(strstr(buf, "0x5000") != NULL);

        /* The same three as a root with two leaves: rank differences 2,2
         * are allowed at an inner node (after removals), not at a leaf. */
        c->left = NULL;
        b->left = a;
        b->right = c;
        a->rank = c->rank = 1;
        b->rank = 3;
        u.root = b;
        u.first = a;
        u.last = c;
        if (vma_tree_check(&u, buf, sizeof buf) != 0)
            test_fail_at(__FILE__, __LINE__, "a 2,2 inner node: %s", buf);
        b->rank = 2;
        CHECK(vma_tree_check(&u, buf, sizeof buf) == 0);
        b->rank = 4;
        CHECK(vma_tree_check(&u, buf, sizeof buf) == -1);
        CHECK(strstr(buf, "rank not 1 or 2 above the left child's") != NULL);
        b->rank = 3;
        a->rank = 2;
        CHECK(vma_tree_check(&u, buf, sizeof buf) == -1);
        CHECK(strstr(buf, "leaf rank is not 1") != NULL);
        free(a);
        free(b);
        free(c);
    }

    /* A tiny buffer is still NUL-terminated. */
    t.count++;
    CHECK(vma_tree_check(&t, buf, 8) == -1);
    CHECK_EQ(strlen(buf), 7);
    CHECK(vma_tree_check(&t, NULL, 0) == -1);
    t.count--;

    /* A cycle is reported, not followed forever. */
    v[14]->right = t.root;
    CHECK(vma_tree_check(&t, buf, sizeof buf) == -1);
    v[14]->right = NULL;
    CHECK(vma_tree_check(&t, buf, sizeof buf) == 0);
    tree_free_all(&t);
}

/* ---- randomized runs against the model ---- */

#define RAND_SEEDS 20
#define RAND_STEPS 5000
#define RAND_UNIVERSE 4096 /* pages */
#define RAND_TARGET 160    /* VMA count the runs hover around */

struct rand_run {
    struct vma_tree t;
    struct model m;
    uaddr_t base; /* = floor */
    int step;
};

static uaddr_t rand_addr(struct rand_run *r)
{
    /* Mostly page boundaries, sometimes in the middle of a page, a little
     * below the floor and a little above the universe. */
    uint64_t page = rng_below(RAND_UNIVERSE + 80);
    uaddr_t a = r->base - 8 * P + page * P;
    if (rng_below(4) == 0)
        a += rng_below(P);
    return a;
}

static void rand_expect(struct rand_run *r, const char *what, uaddr_t addr, const struct vma *got,
                        const struct vma *want);

static void rand_insert(struct rand_run *r)
{
    for (int tries = 0; tries < 8; tries++) {
        uint64_t len = (1 + rng_below(rng_below(4) == 0 ? 64 : 8)) * P;
        uaddr_t start;
        struct vma *v;

        if (r->m.n && rng_below(4) == 0)
            start = r->m.e[rng_below(r->m.n)].end; /* right after a VMA */
        else
            start = r->base + rng_below(RAND_UNIVERSE) * P;
        if (model_overlaps(&r->m, start, start + len))
            continue;
        v = vma_new(start, start + len);
        dump_set(&r->t, &r->m, start);
        if (rng_below(2)) {
            vma_tree_insert(&r->t, v);
            model_insert(&r->m, v);
        } else {
            /* The neighbours the insertion reports are the model's. */
            struct vma *prev = v, *next = v;
            size_t i = model_index_after(&r->m, start);
            vma_tree_insert_near(&r->t, v, &prev, &next);
            model_insert(&r->m, v);
            rand_expect(r, "insert_near prev", start, prev, i ? r->m.e[i - 1].v : NULL);
            rand_expect(r, "insert_near next", start, next, i + 1 < r->m.n ? r->m.e[i + 1].v : NULL);
        }
        return;
    }
}

static void rand_remove(struct rand_run *r)
{
    size_t i;
    struct vma *v;

    if (!r->m.n)
        return;
    i = rng_below(r->m.n);
    v = r->m.e[i].v;
    dump_set(&r->t, &r->m, v->start);
    vma_tree_remove(&r->t, v);
    model_erase(&r->m, i);
    CHECK(v->left == NULL && v->right == NULL);
    free(v);
}

static void rand_adjust(struct rand_run *r)
{
    size_t i;
    struct model_ent *e;
    uaddr_t lo, hi, start, end;

    if (!r->m.n)
        return;
    i = rng_below(r->m.n);
    e = &r->m.e[i];
    if (rng_below(2)) {
        /* A trim, as a split does: a sub-range of the old range. */
        lo = e->start;
        hi = e->end;
    } else {
        /* Anywhere between the neighbours. */
        lo = i ? r->m.e[i - 1].end : r->m.floor;
        hi = i + 1 < r->m.n ? r->m.e[i + 1].start : MM_MAX(e->end, r->base + (RAND_UNIVERSE + 64) * P);
    }
    start = lo + rng_below((hi - lo) / P) * P;
    end = start + (1 + rng_below((hi - start) / P)) * P;
    dump_set(&r->t, &r->m, start);
    vma_tree_adjust(&r->t, e->v, start, end);
    e->start = start;
    e->end = end;
}

static void rand_gap_query(struct rand_run *r)
{
    uint64_t len = (1 + rng_below(rng_below(3) == 0 ? 48 : 6)) * P;
    uaddr_t low, high, got = 0, want = 0;
    bool fg, fw;

    switch (rng_below(6)) {
    case 4:
    case 5:
        /* One fixed window, as mmap's placement uses: the tree answers
         * repeated searches in it from what the last one found, until a
         * removal or a change above that forgets it. */
        low = r->base;
        high = r->base + (RAND_UNIVERSE / 2) * P;
        break;
    case 0:
        low = 0;
        high = UINT64_MAX;
        break;
    case 1:
        low = rand_addr(r);
        high = UINT64_MAX;
        break;
    case 2:
        low = 0;
        high = rand_addr(r);
        break;
    default:
        low = rand_addr(r);
        high = rand_addr(r); /* sometimes below low */
        break;
    }
    dump_set(&r->t, &r->m, low);
    fg = vma_tree_gap_topdown(&r->t, len, low, high, &got);
    fw = model_gap(&r->m, true, len, low, high, &want);
    if (fg != fw || (fg && got != want))
        test_fail_at(__FILE__, __LINE__,
                     "step %d: gap_topdown(len 0x%" PRIx64 ", low 0x%" PRIx64 ", high 0x%" PRIx64
                     ") = %d 0x%" PRIx64 ", model %d 0x%" PRIx64,
                     r->step, len, low, high, fg, got, fw, want);
    fg = vma_tree_gap_bottomup(&r->t, len, low, high, &got);
    fw = model_gap(&r->m, false, len, low, high, &want);
    if (fg != fw || (fg && got != want))
        test_fail_at(__FILE__, __LINE__,
                     "step %d: gap_bottomup(len 0x%" PRIx64 ", low 0x%" PRIx64 ", high 0x%" PRIx64
                     ") = %d 0x%" PRIx64 ", model %d 0x%" PRIx64,
                     r->step, len, low, high, fg, got, fw, want);
}

/* Compare a lookup result with the model's; name the query on mismatch. */
static void rand_expect(struct rand_run *r, const char *what, uaddr_t addr, const struct vma *got,
                        const struct vma *want)
{
    if (got == want)
        return;
    dump_set(&r->t, &r->m, addr);
    test_fail_at(__FILE__, __LINE__, "step %d: %s(0x%" PRIx64 ") = [0x%" PRIx64 "-0x%" PRIx64 "), model [0x%" PRIx64
                 "-0x%" PRIx64 ")",
                 r->step, what, addr, got ? got->start : 0, got ? got->end : 0, want ? want->start : 0,
                 want ? want->end : 0);
}

static void rand_verify(struct rand_run *r)
{
    char buf[256];

    if (vma_tree_check(&r->t, buf, sizeof buf) != 0) {
        test_fail_at(__FILE__, __LINE__, "step %d: %s", r->step, buf);
        return;
    }
    if (r->t.count != r->m.n) {
        test_fail_at(__FILE__, __LINE__, "step %d: count %" PRIu64 " != model %zu", r->step, r->t.count, r->m.n);
        return;
    }
    rand_expect(r, "first", 0, vma_tree_first(&r->t), r->m.n ? r->m.e[0].v : NULL);
    rand_expect(r, "last", 0, vma_tree_last(&r->t), r->m.n ? r->m.e[r->m.n - 1].v : NULL);

    for (int q = 0; q < 6; q++) {
        uaddr_t a = rand_addr(r);
        if (q >= 3 && r->m.n) {
            /* Exactly at, or next to, a boundary. */
            const struct model_ent *e = &r->m.e[rng_below(r->m.n)];
            uaddr_t pick[4] = {e->start, e->end, e->start - 1, e->end - 1};
            a = pick[rng_below(4)];
        }
        rand_expect(r, "find", a, vma_tree_find(&r->t, a), model_find(&r->m, a));
        rand_expect(r, "find_after", a, vma_tree_find_after(&r->t, a), model_find_after(&r->m, a));
        {
            struct vma *p = r->t.root, *n = r->t.root; /* overwritten */
            size_t i = model_index_after(&r->m, a);
            rand_expect(r, "find_after_near", a, vma_tree_find_after_near(&r->t, a, &p, &n),
                        model_find_after(&r->m, a));
            rand_expect(r, "find_after_near prev", a, p, i < r->m.n && i ? r->m.e[i - 1].v : NULL);
            rand_expect(r, "find_after_near next", a, n, i + 1 < r->m.n ? r->m.e[i + 1].v : NULL);
        }
        rand_expect(r, "find_before", a, vma_tree_find_before(&r->t, a), model_find_before(&r->m, a));
    }
    if (r->m.n) {
        size_t i = rng_below(r->m.n);
        const struct vma *v = r->m.e[i].v;
        rand_expect(r, "next", v->start, vma_tree_next(&r->t, v), i + 1 < r->m.n ? r->m.e[i + 1].v : NULL);
        rand_expect(r, "prev", v->start, vma_tree_prev(&r->t, v), i ? r->m.e[i - 1].v : NULL);
        struct vma *prev = NULL, *next = NULL;
        vma_tree_neighbours(&r->t, v, &prev, &next);
        rand_expect(r, "neighbours next", v->start, next, i + 1 < r->m.n ? r->m.e[i + 1].v : NULL);
        rand_expect(r, "neighbours prev", v->start, prev, i ? r->m.e[i - 1].v : NULL);
    }
    for (int q = 0; q < 3; q++)
        rand_gap_query(r);

    /* Now and then, walk the whole tree with next/prev against the model. */
    if (r->step % 64 == 0) {
        const struct vma *v = vma_tree_first(&r->t);
        for (size_t i = 0; i < r->m.n; i++, v = vma_tree_next(&r->t, v))
            rand_expect(r, "walk next", r->m.e[i].start, v, r->m.e[i].v);
        v = vma_tree_last(&r->t);
        for (size_t i = r->m.n; i-- > 0; v = vma_tree_prev(&r->t, v))
            rand_expect(r, "walk prev", r->m.e[i].start, v, r->m.e[i].v);
    }
}

TEST(randomized_against_model)
{
    for (int seed = 1; seed <= RAND_SEEDS && !test_failed(); seed++) {
        struct rand_run r;

        memset(&r, 0, sizeof r);
        rng_state = 0x5eed0000ull + (uint64_t)seed;
        r.base = (uaddr_t)seed * 0x10000000ull;
        r.m.floor = r.base;
        vma_tree_init(&r.t, r.base);
        for (r.step = 0; r.step < RAND_STEPS && !test_failed(); r.step++) {
            uint64_t x = rng_below(100);
            uint64_t insert_pct = r.m.n < RAND_TARGET ? 55 : 35;
            if (x < 15)
                rand_adjust(&r);
            else if (x < 15 + insert_pct)
                rand_insert(&r);
            else
                rand_remove(&r);
            rand_verify(&r);
        }
        if (test_failed())
            printf("  (seed %d, step %d)\n", seed, r.step - 1);
        /* Drain in random order, checking as we go. */
        while (r.m.n && !test_failed()) {
            rand_remove(&r);
            rand_verify(&r);
        }
        tree_free_all(&r.t);
        free(r.m.e);
    }
}

/* ---- a million nodes ---- */

#define BIG_N 1000000u

/* log2(x) for x >= 1 without libm: integer part, then the fraction bit by
 * bit by squaring the mantissa. */
static double log2_approx(double x)
{
    double r = 0, bit = 0.5;

    while (x >= 2) {
        x /= 2;
        r += 1;
    }
    for (int i = 0; i < 40; i++) {
        x *= x;
        if (x >= 2) {
            x /= 2;
            r += bit;
        }
        bit /= 2;
    }
    return r;
}

static uaddr_t big_start(uint32_t i) { return 0x10000000ull + (3ull * i + (i & 1)) * P; }

static void big_run(int order)
{
    static const char *names[] = {"ascending", "descending", "random"};
    struct vma *nodes = calloc(BIG_N, sizeof *nodes);
    uint32_t *perm = malloc(BIG_N * sizeof *perm);
    struct vma_tree t;
    char buf[256];
    double bound;
    uaddr_t a = 0;

    if (!nodes || !perm)
        abort();
    rng_state = 0xb16ull + (uint64_t)order;
    for (uint32_t i = 0; i < BIG_N; i++) {
        nodes[i].start = big_start(i);
        nodes[i].end = nodes[i].start + P;
        perm[i] = order == 1 ? BIG_N - 1 - i : i;
    }
    if (order == 2)
        for (uint32_t i = BIG_N - 1; i > 0; i--) {
            uint32_t j = (uint32_t)rng_below(i + 1), x = perm[i];
            perm[i] = perm[j];
            perm[j] = x;
        }

    vma_tree_init(&t, 0x10000000ull);
    dump_set(&t, NULL, 0x10000000ull);
    for (uint32_t i = 0; i < BIG_N; i++) {
        vma_tree_insert(&t, &nodes[perm[i]]);
        if (i == BIG_N / 2 && vma_tree_check(&t, buf, sizeof buf) != 0)
            test_fail_at(__FILE__, __LINE__, "%s, half inserted: %s", names[order], buf);
    }
    if (vma_tree_check(&t, buf, sizeof buf) != 0)
        test_fail_at(__FILE__, __LINE__, "%s, all inserted: %s", names[order], buf);
    CHECK_EQ(t.count, BIG_N);
    bound = 1.45 * log2_approx(BIG_N) + 2;
    if ((double)t.root->rank > bound)
        test_fail_at(__FILE__, __LINE__, "%s: height %u > %.2f", names[order], (unsigned)t.root->rank, bound);

    /* Gaps alternate 1 and 3 pages (the first is 0): spot checks. The
     * root's bound is at least the largest gap (the checker says how each
     * bound relates to its children's); a search that finds nothing
     * refreshes the bounds it passes, so after the failed search below the
     * root's is exact. */
    CHECK(t.root->max_gap >= 3 * P);
    CHECK(vma_tree_find(&t, big_start(777777)) == &nodes[777777]);
    CHECK(vma_tree_find_after(&t, big_start(123456) + P) == &nodes[123457]);
    CHECK(vma_tree_find_before(&t, big_start(123456)) == &nodes[123455]);
    CHECK(vma_tree_next(&t, &nodes[500000]) == &nodes[500001]);
    CHECK(vma_tree_prev(&t, &nodes[500000]) == &nodes[499999]);
    CHECK(vma_tree_gap_topdown(&t, 3 * P, 0, UINT64_MAX, &a));
    CHECK_EQ(a, nodes[BIG_N - 1].start - 3 * P); /* BIG_N - 1 is odd */
    CHECK(vma_tree_gap_bottomup(&t, 2 * P, 0, UINT64_MAX, &a));
    CHECK_EQ(a, nodes[0].end);
    CHECK(!vma_tree_gap_topdown(&t, 4 * P, 0, UINT64_MAX, &a));
    CHECK_EQ(t.root->max_gap, 3 * P);
    if (vma_tree_check(&t, buf, sizeof buf) != 0)
        test_fail_at(__FILE__, __LINE__, "%s, after the failed search: %s", names[order], buf);

    /* Remove everything: in insertion order, except the random run, which
     * removes in a fresh random order. */
    if (order == 2)
        for (uint32_t i = BIG_N - 1; i > 0; i--) {
            uint32_t j = (uint32_t)rng_below(i + 1), x = perm[i];
            perm[i] = perm[j];
            perm[j] = x;
        }
    for (uint32_t i = 0; i < BIG_N; i++) {
        vma_tree_remove(&t, &nodes[perm[i]]);
        if (i == BIG_N / 2) {
            dump_set(&t, NULL, nodes[perm[i]].start);
            if (vma_tree_check(&t, buf, sizeof buf) != 0)
                test_fail_at(__FILE__, __LINE__, "%s, half removed: %s", names[order], buf);
        }
    }
    CHECK_EQ(t.count, 0);
    CHECK(t.root == NULL);
    CHECK_TREE(&t);
    free(perm);
    free(nodes);
}

TEST(million_ascending) { big_run(0); }
TEST(million_descending) { big_run(1); }
TEST(million_random) { big_run(2); }
