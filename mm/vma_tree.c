/* mm/vma_tree.c — the address-ordered tree of the VMAs of one address space.
 *
 * Owns every operation on struct vma_tree (mm/vma.h): insertion, removal,
 * in-place bound changes, lookup, in-order neighbours, free-gap search and
 * the O(n) invariant checker. It never allocates memory, never calls the
 * platform, and needs nothing beyond a freestanding compiler.
 *
 * The tree
 * --------
 * A rank-balanced binary search tree ordered by vma.start, without parent
 * pointers: the "weak AVL" (WAVL) rules of Haeupler, Sen and Tarjan. VMAs
 * never overlap, so ordering by start also orders by end, and "the VMA
 * before address x" is well defined.
 *
 * Every node has a rank; an empty subtree has rank 0 and a leaf rank 1.
 * The rank difference between a node and each child (empty ones included)
 * is 1 or 2. Every node of rank k >= 3 then has two children of rank at
 * least k - 2, so a tree of n VMAs has rank at most 2 * log2(n) + 1, and
 * no path is longer than the root's rank. A tree that has only seen
 * insertions is an AVL tree (rank = height, rank differences 1,1 or 1,2),
 * at most 1.44 * log2(n + 2) high.
 *
 * Why not plain AVL: an insertion below a node whose subtree is perfectly
 * balanced raises the height of every ancestor, and removing the same node
 * lowers them all again. mmap places new mappings at the same place, the
 * top of the largest gap, and munmap removes them, so with AVL every
 * mmap+munmap pair repairs the whole root path twice. WAVL lets a node
 * keep rank differences of 2,2 after a removal: the removal demotes one
 * node and stops, the next insertion promotes it back and stops. Insertions
 * and removals in any mix cost O(1) rotations and rank changes amortized.
 *
 * Without parent pointers an operation remembers the way it came down: the
 * links it followed (&t->root, &node->left or &node->right), root first.
 * Repairs walk that record backwards. A rotation rewrites only the link that
 * points at the rotated subtree, which lives in a node higher on the path,
 * so the record stays valid while it is being walked.
 *
 * The augmentation
 * ----------------
 * A gap belongs to the VMA just above it:
 *
 *        prev_end               v.start          v.end
 *   ... ===|<---- gap of v ----->|====== v ======|<-- gap of next --> ...
 *
 *   v.gap_pages = (v.start - prev_end) / PAGE_SIZE
 *
 * prev_end is the end of the VMA before v, or t->floor for the first VMA.
 * The gaps and the VMAs together tile [floor, last.end); the free space
 * above the last VMA belongs to no node (callers look at vma_tree_last()).
 *
 * Each node also caches a bound on the largest gap anywhere in its subtree,
 * in bytes. The invariant is an inequality, not an equation:
 *
 *   v.max_gap >= max(v.gap_pages * PAGE_SIZE, v.left.max_gap, v.right.max_gap)
 *
 * (an empty subtree counts as 0), so max_gap is never below the largest gap
 * in the subtree and a search for len free bytes may skip every subtree
 * whose max_gap < len; that is what makes gap search O(log n). Repairs and
 * rotations store the right-hand side exactly ("refresh"); a bound is left
 * too high only where a gap shrank and the repair stopped below (see
 * vma_path_repair), and a search that enters such a subtree and finds
 * nothing refreshes the nodes it came through on its way out, so the same
 * stale bound is never paid for twice.
 *
 * Why a bound and not the exact maximum: mmap places a new mapping at the
 * top of the largest gap, which shrinks the gap every ancestor's maximum
 * is made of, and munmap grows it back. With exact maxima both would
 * rewrite max_gap on the whole root path. With bounds, the shrinking
 * leaves the ancestors' (now high) bound alone and the growing back finds
 * it already high enough: both repairs stop where ranks stop changing.
 *
 * Who changes which gap:
 *   insert v      sets v's gap and shrinks the gap of v's successor;
 *   remove v      grows the successor's gap by v's gap plus v's length;
 *   adjust v      changes v's gap (new start) and the successor's (new end).
 * The only max_gap values that can change are those of the ancestors of the
 * nodes whose gap or children changed. v's successor is either an ancestor
 * of v (when v has no right subtree: the last node where the walk from the
 * root turned left) or the bottom of the left spine of v's right subtree.
 * Either way it lies on one root-to-leaf path through v, so one bottom-up
 * pass over the recorded path repairs ranks and bounds: O(log n), and
 * usually far less (it stops as soon as nothing above can change).
 *
 * Limits: gap_pages is 40 bits wide, so a single gap must be smaller than
 * 2^52 bytes (true whenever user addresses stay below 2^52, as on 48-bit and
 * 52-bit address spaces). Misuse that would silently corrupt the tree
 * (overlapping insert, removing a VMA that is not in the tree, a gap that
 * does not fit) stops the machine with a trap: these are kernel bugs, never
 * reachable with bad user arguments.
 *
 * Locking: none here. The caller serialises each tree (space.h). */
#include <mm/vma.h>

/* Longest root-to-node path an operation can record, and the largest rank
 * (the rank field is 6 bits wide). A path is never longer than the root's
 * rank, at most 2 * log2(n) + 1: rank 64 would need over 2^31 VMAs, more
 * than 128 GiB of VMA records alone. Reaching it traps. */
#define VMA_TREE_MAX_DEPTH 64
#define VMA_RANK_MAX 63

/* The largest value the gap_pages bit-field holds. */
#define VMA_GAP_PAGES_MAX (((uint64_t)1 << 40) - 1)

/* A cheap, always-on assertion for caller bugs that would otherwise corrupt
 * the tree. */
#define VMA_TREE_ASSERT(cond)          \
    do {                               \
        if (!(cond))                   \
            __builtin_trap();          \
    } while (0)

/* ---- per-node helpers ---- */

/* The bit-fields are read through these so that arithmetic happens in
 * uint64_t, not in the 40-bit field type. */
static inline uint64_t vma_gap_bytes(const struct vma *v)
{
    return (uint64_t)v->gap_pages << PAGE_SHIFT;
}

static inline int vma_rank(const struct vma *v)
{
    return v ? (int)v->rank : 0;
}

static inline uint64_t vma_node_max_gap(const struct vma *v)
{
    return v ? v->max_gap : 0;
}

static inline void vma_rank_set(struct vma *v, int rank)
{
    VMA_TREE_ASSERT(rank >= 1 && rank <= VMA_RANK_MAX);
    v->rank = (uint64_t)rank;
}

/* Set v's gap to the distance from prev_end (the previous VMA's end or the
 * floor) to v->start. */
static void vma_gap_set(struct vma *v, uaddr_t prev_end)
{
    uint64_t pages;

    VMA_TREE_ASSERT(prev_end <= v->start);
    pages = (v->start - prev_end) >> PAGE_SHIFT;
    VMA_TREE_ASSERT(pages <= VMA_GAP_PAGES_MAX);
    v->gap_pages = pages;
}

/* Set v's max_gap to exactly the bound its own gap and its children's
 * bounds give ("refresh"). Always allowed: it keeps v's bound at or above
 * everything below, and lowers it when it was stale. */
static void vma_gap_bound_refresh(struct vma *v)
{
    uint64_t m = vma_gap_bytes(v);

    m = MM_MAX(m, vma_node_max_gap(v->left));
    v->max_gap = MM_MAX(m, vma_node_max_gap(v->right));
}

/* ---- rotations ----
 *
 *        x                    y
 *       / \   y up (dir 1)   / \
 *      a   y    ---->       x   c
 *         / \   <----      / \
 *        b   c  x up (0)  a   b
 *
 * The in-order sequence (a x b y c) is unchanged, so no gap changes; the
 * two nodes' bounds are refreshed, the lower one first. Callers set the
 * ranks.
 * dir names a side: 0 left, 1 right; every repair below is written once
 * for a child on side dir, and serves both sides. */

static inline struct vma **vma_child(struct vma *v, int dir)
{
    return dir ? &v->right : &v->left;
}

/* Rotate the subtree at *link so that its child on side dir comes up. */
static void vma_rotate_up(struct vma **link, int dir)
{
    struct vma *x = *link, *y = *vma_child(x, dir);

    *vma_child(x, dir) = *vma_child(y, !dir);
    *vma_child(y, !dir) = x;
    *link = y;
    vma_gap_bound_refresh(x);
    vma_gap_bound_refresh(y);
}

/* ---- rebalancing ----
 *
 * Each function below looks at one node p (at *link) after a change in one
 * of its subtrees, repairs what it finds there, and returns true when the
 * problem has moved up to p's parent (p's rank changed), false when the
 * ranks are in order from p up. Either way p's bound (or that of the node
 * now at *link) is refreshed. "A k-child" is a child whose rank is k below
 * its parent's. */

/* After an insertion below p: a child of p may have p's own rank (a
 * 0-child: the new leaf, or a node just promoted). */
static bool vma_insert_fix(struct vma **link)
{
    struct vma *p = *link;
    int rp = (int)p->rank;

    for (int dir = 0; dir < 2; dir++) {
        struct vma *x = *vma_child(p, dir), *y;

        if (vma_rank(x) != rp)
            continue;
        if (rp - vma_rank(*vma_child(p, !dir)) == 1) { /* 0,1: promote p, look again above */
            vma_rank_set(p, rp + 1);
            vma_gap_bound_refresh(p);
            return true;
        }
        /* 0,2: rotate. x was promoted from 1,1, so one of its children is
         * a 1-child and the other a 2-child. */
        y = *vma_child(x, !dir); /* the inner child */
        if (rp - vma_rank(y) == 2) { /* the outer one is higher: x comes up */
            vma_rotate_up(link, dir);
            vma_rank_set(p, rp - 1);
        } else { /* the inner one is higher: y comes up, above x and p */
            vma_rotate_up(vma_child(p, dir), !dir);
            vma_rotate_up(link, dir);
            vma_rank_set(y, rp);
            vma_rank_set(x, rp - 1);
            vma_rank_set(p, rp - 1);
        }
        return false;
    }
    vma_gap_bound_refresh(p);
    return false;
}

/* After a removal below p whose child on side dir is now a 3-child; its
 * sibling y is then a 1- or 2-child. */
static bool vma_delete_fix_side(struct vma **link, int dir)
{
    struct vma *p = *link, *y = *vma_child(p, !dir);
    struct vma *inner = *vma_child(y, dir), *outer = *vma_child(y, !dir);
    int rp = (int)p->rank, ry = (int)y->rank;

    if (rp - ry == 2) { /* 3,2: demote p */
        vma_rank_set(p, rp - 1);
        vma_gap_bound_refresh(p);
        return true;
    }
    if (ry - vma_rank(inner) == 2 && ry - vma_rank(outer) == 2) { /* 3,1 and y 2,2: demote both */
        vma_rank_set(p, rp - 1);
        vma_rank_set(y, ry - 1);
        vma_gap_bound_refresh(p);
        return true;
    }
    if (ry - vma_rank(outer) == 1) { /* y's outer child is a 1-child: y comes up */
        vma_rotate_up(link, !dir);
        vma_rank_set(y, rp);
        vma_rank_set(p, !p->left && !p->right ? 1 : rp - 1); /* a leaf has rank 1 */
    } else { /* the inner one is: it comes up, above p and y */
        vma_rotate_up(vma_child(p, !dir), dir);
        vma_rotate_up(link, !dir);
        vma_rank_set(inner, rp);
        vma_rank_set(y, ry - 1);
        vma_rank_set(p, rp - 2);
    }
    return false;
}

/* After a removal below p: p may have become a leaf of rank 2, or have a
 * 3-child. */
static bool vma_delete_fix(struct vma **link)
{
    struct vma *p = *link;
    int rp = (int)p->rank;

    if (!p->left && !p->right && rp == 2) { /* a 2,2 leaf: demote */
        vma_rank_set(p, 1);
        vma_gap_bound_refresh(p);
        return true;
    }
    for (int dir = 0; dir < 2; dir++)
        if (rp - vma_rank(*vma_child(p, dir)) == 3)
            return vma_delete_fix_side(link, dir);
    vma_gap_bound_refresh(p);
    return false;
}

/* What a repair walk still has to look for at the next node up. */
enum vma_fix {
    VMA_FIX_NONE,   /* only bounds */
    VMA_FIX_INSERT, /* a 0-child (vma_insert_fix) */
    VMA_FIX_DELETE, /* a 3-child or a 2,2 leaf (vma_delete_fix) */
};

/* Walk a recorded path bottom-up from path[n - 1], the parent of the
 * change, repairing ranks as fix says and refreshing each node's bound.
 * Every node at index >= changed may have changed its own gap or its
 * place, so it is always refreshed; nodes above it are untouched
 * originals whose rank and bound are still what their parents saw. So
 * once the walk is above changed, the ranks are in order, and a subtree
 * comes out with a bound no higher than before, every ancestor's rank is
 * right and its bound still a bound: the walk stops. */
static void vma_path_repair(struct vma **path[], int n, int changed, enum vma_fix fix)
{
    while (n-- > 0) {
        struct vma **link = path[n];
        uint64_t old_max_gap = (*link)->max_gap;

        if (fix == VMA_FIX_INSERT)
            fix = vma_insert_fix(link) ? VMA_FIX_INSERT : VMA_FIX_NONE;
        else if (fix == VMA_FIX_DELETE)
            fix = vma_delete_fix(link) ? VMA_FIX_DELETE : VMA_FIX_NONE;
        else
            vma_gap_bound_refresh(*link);
        if (n < changed && fix == VMA_FIX_NONE && (*link)->max_gap <= old_max_gap)
            return;
    }
}

/* Record the links from the root down to v (which must be in t) in path[],
 * v's own link last. Returns the path length and sets *succ to the last
 * node where the walk turned left (v's successor when v has no right
 * subtree) and *succ_at to its index in path[], or NULL and the index of
 * v's link; and *pred to the last node where it turned right (v's
 * predecessor when v has no left subtree), or NULL. */
static int vma_path_to(struct vma_tree *t, const struct vma *v, struct vma **path[], struct vma **succ,
                       int *succ_at, struct vma **pred)
{
    struct vma **link = &t->root;
    int n = 0;

    *succ = NULL;
    *pred = NULL;
    for (;;) {
        struct vma *c = *link;
        VMA_TREE_ASSERT(c != NULL); /* v is not in this tree */
        VMA_TREE_ASSERT(n < VMA_TREE_MAX_DEPTH);
        path[n++] = link;
        if (c == v) {
            if (!*succ)
                *succ_at = n - 1;
            return n;
        }
        if (v->start < c->start) {
            *succ = c;
            *succ_at = n - 1;
            link = &c->left;
        } else {
            VMA_TREE_ASSERT(v->start != c->start); /* another VMA at v's place */
            *pred = c;
            link = &c->right;
        }
    }
}

/* Extend path[] (of length n) from *link down the left spine of that
 * subtree, which must not be empty, to its first node. Returns the new
 * length. */
static int vma_path_leftmost(struct vma **link, struct vma **path[], int n)
{
    for (;;) {
        VMA_TREE_ASSERT(n < VMA_TREE_MAX_DEPTH);
        path[n++] = link;
        if (!(*link)->left)
            return n;
        link = &(*link)->left;
    }
}

/* ---- construction ---- */

/* Initialise t as an empty tree whose first gap is measured from floor
 * (page aligned). Any previous contents are forgotten, not freed. */
void vma_tree_init(struct vma_tree *t, uaddr_t floor)
{
    t->root = NULL;
    t->floor = floor;
    t->count = 0;
    t->first = t->last = NULL;
    t->hint = t->hint_prev = t->hint_next = NULL;
    t->fit = NULL;
}

/* Insert v. v->start < v->end, both page aligned, v->start >= t->floor, and
 * [start, end) overlaps no VMA in t; the tree links, rank, gap_pages and
 * max_gap of v are overwritten, the rest of v is left alone. Sets v's gap
 * and shrinks its successor's. O(log n), never allocates, cannot fail
 * (misuse traps). */
void vma_tree_insert(struct vma_tree *t, struct vma *v)
{
    struct vma *prev, *next;

    vma_tree_insert_near(t, v, &prev, &next);
}

/* Insert v as vma_tree_insert() does. The descent ends at the empty slot
 * between v's predecessor and successor: they are returned in *prev and
 * *next (NULL at the ends), at no extra cost. */
void vma_tree_insert_near(struct vma_tree *t, struct vma *v, struct vma **prev, struct vma **next)
{
    struct vma **path[VMA_TREE_MAX_DEPTH];
    struct vma **link = &t->root;
    struct vma *pred = NULL, *succ = NULL;
    int n = 0, succ_at = 0;

    VMA_TREE_ASSERT(v->start < v->end && page_aligned(v->start | v->end));
    while (*link) {
        struct vma *c = *link;
        VMA_TREE_ASSERT(n < VMA_TREE_MAX_DEPTH);
        path[n++] = link;
        if (v->start < c->start) {
            succ = c;
            succ_at = n - 1;
            link = &c->left;
        } else {
            pred = c;
            link = &c->right;
        }
    }
    /* The walk ends at the empty slot between pred and succ. */
    VMA_TREE_ASSERT(pred ? pred->end <= v->start : t->floor <= v->start);
    VMA_TREE_ASSERT(!succ || v->end <= succ->start);

    v->left = v->right = NULL;
    v->rank = 1;
    vma_gap_set(v, pred ? pred->end : t->floor);
    v->max_gap = vma_gap_bytes(v);
    /* succ's gap shrinks: its bound may stay. The nodes between v and succ
     * (succ's left subtree, on the path) must take in v's gap. */
    if (succ)
        vma_gap_set(succ, v->end);
    else
        t->fit = NULL; /* v's gap is new to the tree, above the fit */
    *link = v;
    vma_path_repair(path, n, succ ? succ_at : n, VMA_FIX_INSERT);
    t->count++;
    t->hint = NULL; /* pred and succ have a new neighbour */
    if (!pred)
        t->first = v;
    if (!succ)
        t->last = v;
    *prev = pred;
    *next = succ;
}

/* Remove v, which must be in t. Its successor's gap grows by v's gap and
 * v's length. v's tree links are cleared; the caller owns v afterwards.
 * O(log n), never allocates. */
void vma_tree_remove(struct vma_tree *t, struct vma *v)
{
    struct vma **path[VMA_TREE_MAX_DEPTH];
    struct vma *succ, *pred;
    int n, k, changed;

    n = vma_path_to(t, v, path, &succ, &changed, &pred);
    k = n - 1; /* path[k] == link to v */
    t->hint = NULL; /* v, or a neighbour of v */
    if (t->fit && v->start >= t->fit->start)
        t->fit = NULL; /* a gap above the fit grows, or the fit goes */
    if (v == t->last) {
        /* v has no right subtree (rank 0), so v's rank is at most 2 and
         * a left child has rank 1: a leaf. */
        t->last = v->left ? v->left : pred;
    }
    if (v == t->first)
        t->first = v->right ? NULL : succ; /* the right case is set below */
    if (!v->right) {
        /* The successor, if any, is an ancestor of v: it is on the path.
         * The repair starts at v's parent. */
        *path[k] = v->left;
        if (succ)
            vma_gap_set(succ, vma_gap_start(v));
        n = k;
    } else {
        /* The successor s is the first node of v's right subtree. Unlink s
         * from there and let it take v's place, links and rank. */
        struct vma *s;
        struct vma **slink;

        n = vma_path_leftmost(&v->right, path, n);
        slink = path[n - 1];
        s = *slink;
        *slink = s->right;
        s->left = v->left;
        s->right = v->right;
        s->rank = v->rank;
        vma_gap_set(s, vma_gap_start(v));
        if (!t->first)
            t->first = s;
        *path[k] = s;
        path[k + 1] = &s->right; /* was &v->right */
        changed = k;             /* s is new at k: its bound is stale */
        n--;                     /* the repair starts at s's old parent */
    }
    vma_path_repair(path, n, changed, VMA_FIX_DELETE);
    v->left = v->right = NULL;
    t->count--;
}

/* Change v's bounds to [start, end). v must be in t; start < end, both page
 * aligned, and the new range must lie between v's neighbours (at or above
 * the previous VMA's end, or the floor; at or below the next VMA's start).
 * Updates v's gap, its successor's gap and the max_gap of their ancestors.
 * O(log n). */
void vma_tree_adjust(struct vma_tree *t, struct vma *v, uaddr_t start, uaddr_t end)
{
    struct vma **path[VMA_TREE_MAX_DEPTH];
    struct vma *succ, *pred;
    uaddr_t prev_end = vma_gap_start(v);
    int n, changed;

    VMA_TREE_ASSERT(start < end && page_aligned(start | end) && prev_end <= start);
    if (t->fit && v->start >= t->fit->start)
        t->fit = NULL; /* gaps at or above the fit may grow */
    n = vma_path_to(t, v, path, &succ, &changed, &pred);
    if (v->right) {
        n = vma_path_leftmost(&v->right, path, n);
        succ = *path[n - 1];
    }
    VMA_TREE_ASSERT(!succ || end <= succ->start);

    v->start = start;
    v->end = end;
    vma_gap_set(v, prev_end);
    if (succ)
        vma_gap_set(succ, end);
    /* No shape change: only bounds move along the recorded path. changed
     * is the index of v or of an ancestor above it, so both changed gaps
     * lie at or below it. */
    vma_path_repair(path, n, changed, VMA_FIX_NONE);
}

/* ---- lookup ---- */

/* The VMA containing addr, or NULL. O(log n). */
struct vma *vma_tree_find(const struct vma_tree *t, uaddr_t addr)
{
    struct vma *v = t->root;

    while (v) {
        if (addr < v->start)
            v = v->left;
        else if (addr >= v->end)
            v = v->right;
        else
            return v;
    }
    return NULL;
}

/* The first VMA with end > addr (containing addr or the next above it), or
 * NULL. O(log n). */
struct vma *vma_tree_find_after(const struct vma_tree *t, uaddr_t addr)
{
    struct vma *v = t->root, *best = NULL;

    while (v) {
        if (addr < v->end) {
            best = v;
            v = v->left;
        } else {
            v = v->right;
        }
    }
    return best;
}

/* find_after with the neighbours of the VMA found. The answer is the last
 * node where the walk turns left. Its predecessor is the last node of its
 * left subtree, or else the last node above it where the walk turned
 * right; its successor is the first node of its right subtree, or else the
 * last node above it where the walk turned left: the answer held before it.
 * Both are noted when the answer is taken. O(log n), one descent. */
struct vma *vma_tree_find_after_near(struct vma_tree *t, uaddr_t addr, struct vma **prev, struct vma **next)
{
    struct vma *v = t->root, *best = NULL, *right_turn = NULL, *pred = NULL, *succ = NULL;

    if (t->hint && vma_gap_start(t->hint) <= addr && addr < t->hint->end) {
        *prev = t->hint_prev;
        *next = t->hint_next;
        return t->hint;
    }
    while (v) {
        if (addr < v->end) {
            succ = best;
            pred = right_turn;
            best = v;
            v = v->left;
        } else {
            right_turn = v;
            v = v->right;
        }
    }
    if (best && best->left)
        for (pred = best->left; pred->right; pred = pred->right)
            ;
    if (best && best->right)
        for (succ = best->right; succ->left; succ = succ->left)
            ;
    *prev = best ? pred : NULL;
    *next = best ? succ : NULL;
    t->hint = best;
    t->hint_prev = *prev;
    t->hint_next = *next;
    return best;
}

/* The last VMA with start < addr, or NULL. O(log n). */
struct vma *vma_tree_find_before(const struct vma_tree *t, uaddr_t addr)
{
    struct vma *v = t->root, *best = NULL;

    while (v) {
        if (v->start < addr) {
            best = v;
            v = v->right;
        } else {
            v = v->left;
        }
    }
    return best;
}

/* The lowest VMA, or NULL when t is empty. O(1). */
struct vma *vma_tree_first(const struct vma_tree *t)
{
    return t->first;
}

/* The highest VMA, or NULL when t is empty. O(1). */
struct vma *vma_tree_last(const struct vma_tree *t)
{
    return t->last;
}

/* The VMA after v (which must be in t) in address order, or NULL. O(log n):
 * down v's right subtree, or else from the root; O(1) for the last VMA. */
struct vma *vma_tree_next(const struct vma_tree *t, const struct vma *v)
{
    struct vma *c, *best = NULL;

    if (v == t->last)
        return NULL;
    if (v->right) {
        for (c = v->right; c->left; c = c->left)
            ;
        return c;
    }
    for (c = t->root; c && c != v;) {
        if (v->start < c->start) {
            best = c;
            c = c->left;
        } else {
            c = c->right;
        }
    }
    return best;
}

/* The VMA before v (which must be in t) in address order, or NULL.
 * O(log n); O(1) for the first VMA. */
struct vma *vma_tree_prev(const struct vma_tree *t, const struct vma *v)
{
    struct vma *c, *best = NULL;

    if (v == t->first)
        return NULL;
    if (v->left) {
        for (c = v->left; c->right; c = c->right)
            ;
        return c;
    }
    for (c = t->root; c && c != v;) {
        if (v->start < c->start) {
            c = c->left;
        } else {
            best = c;
            c = c->right;
        }
    }
    return best;
}

/* Both neighbours of v (which must be in t): the predecessor is the last
 * node of v's left subtree, or else the last ancestor where the way down
 * to v turns right; the successor mirrors it. One descent from the root
 * serves both, and none is needed when v has two children or sits at an
 * end of the tree with a child on the other side. */
void vma_tree_neighbours(const struct vma_tree *t, const struct vma *v, struct vma **prev, struct vma **next)
{
    struct vma *c, *before = NULL, *after = NULL;

    if ((!v->left && v != t->first) || (!v->right && v != t->last)) {
        for (c = t->root; c && c != v;) {
            if (v->start < c->start) {
                after = c;
                c = c->left;
            } else {
                before = c;
                c = c->right;
            }
        }
        VMA_TREE_ASSERT(c == v); /* v is not in this tree */
    }
    if (v->left)
        for (before = v->left; before->right; before = before->right)
            ;
    if (v->right)
        for (after = v->right; after->left; after = after->left)
            ;
    *prev = before;
    *next = after;
}

/* ---- gap search ----
 *
 * The gap of v, [vma_gap_start(v), v->start), clipped to [low, high], is
 * [lo, hi) with lo = max(gap start, low) and hi = min(v->start, high); it
 * holds the request when hi > lo and hi - lo >= len. Top-down placement
 * takes a = hi - len, bottom-up a = lo; either way the candidates grow with
 * v's position in address order, so the highest is found by visiting gaps
 * from the right and the lowest by visiting them from the left, stopping
 * at the first fit.
 *
 * Pruning: a subtree is entered only when its max_gap >= len and the
 * addresses its gaps can cover still leave room for len inside [low, high]:
 * the gaps of v's left subtree end at or below v's gap start, those of v's
 * right subtree begin at or above v->end. A subtree the search backs out of
 * without success either straddles low or high (those lie on the two
 * root-to-leaf paths towards low and high: O(log n) of them) or had a
 * max_gap higher than its largest gap. The search refreshes the max_gap of
 * every node it backs out of, children first, so such a stale bound sends
 * at most one search into its subtree: it was left by a repair that stopped
 * early (at most one per node on that repair's path), and the search pays
 * for it once. Gap search is O(log n) amortized over the operations on the
 * tree. The recursion goes down one level per call: no deeper than the tree
 * height. */

struct vma_gap_query {
    uint64_t len;
    uaddr_t low, high;
    uaddr_t addr;     /* the answer */
    struct vma *node; /* the VMA whose gap holds it */
};

/* Is there room for len in [from, q->high]? (from: where the right
 * subtree's gaps begin at the earliest) */
static inline bool vma_gap_room_above(const struct vma_gap_query *q, uaddr_t from)
{
    return from < q->high && q->high - from >= q->len;
}

/* Is there room for len in [q->low, to]? (to: where the left subtree's
 * gaps end at the latest) */
static inline bool vma_gap_room_below(const struct vma_gap_query *q, uaddr_t to)
{
    return to > q->low && to - q->low >= q->len;
}

/* Does v's own gap, clipped, hold the request? Sets *lo and *hi. */
static inline bool vma_gap_fits(const struct vma_gap_query *q, const struct vma *v, uaddr_t *lo, uaddr_t *hi)
{
    *lo = MM_MAX(vma_gap_start(v), q->low);
    *hi = MM_MIN(v->start, q->high);
    return *hi > *lo && *hi - *lo >= q->len;
}

/* Refresh the bounds of top and of the spine on side dir below it, down
 * to last, bottom-up: the nodes a failed search came through. */
static void vma_gap_spine_refresh(struct vma *top, const struct vma *last, int dir)
{
    if (top != last)
        vma_gap_spine_refresh(*vma_child(top, dir), last, dir);
    vma_gap_bound_refresh(top);
}

/* The highest fit in the subtree top, if any. It goes down the right
 * subtrees first (recursively), then the node's own gap, then on down its
 * left spine; on failure the bounds of the nodes it came through are
 * refreshed. */
static bool vma_gap_topdown_in(struct vma *top, struct vma_gap_query *q)
{
    struct vma *v = top, *last = NULL;

    while (v && v->max_gap >= q->len) {
        uaddr_t lo, hi;

        if (v->right && v->right->max_gap >= q->len && vma_gap_room_above(q, v->end) &&
            vma_gap_topdown_in(v->right, q))
            return true;
        if (vma_gap_fits(q, v, &lo, &hi)) {
            q->addr = hi - q->len;
            q->node = v;
            return true;
        }
        last = v;
        if (!vma_gap_room_below(q, vma_gap_start(v)))
            break;
        v = v->left;
    }
    if (last)
        vma_gap_spine_refresh(top, last, 0);
    return false;
}

/* The lowest fit in the subtree top, if any; the mirror image. */
static bool vma_gap_bottomup_in(struct vma *top, struct vma_gap_query *q)
{
    struct vma *v = top, *last = NULL;

    while (v && v->max_gap >= q->len) {
        uaddr_t lo, hi;

        if (v->left && v->left->max_gap >= q->len && vma_gap_room_below(q, vma_gap_start(v)) &&
            vma_gap_bottomup_in(v->left, q))
            return true;
        if (vma_gap_fits(q, v, &lo, &hi)) {
            q->addr = lo;
            return true;
        }
        last = v;
        if (!vma_gap_room_above(q, v->end))
            break;
        v = v->right;
    }
    if (last)
        vma_gap_spine_refresh(top, last, 1);
    return false;
}

/* Highest a with [a, a + len) inside one gap of t (between the floor and
 * the last VMA's start), low <= a and a + len <= high; a + len is then the
 * start of a VMA or high. Returns true and sets *addr, or false (also for
 * len == 0 or a window smaller than len). O(log n) amortized; refreshes the
 * bounds of the subtrees it finds nothing in, so t is not const. */
bool vma_tree_gap_topdown(struct vma_tree *t, uint64_t len, uaddr_t low, uaddr_t high, uaddr_t *addr)
{
    struct vma_gap_query q = {len, low, high, 0, NULL};
    struct vma *fit = t->fit;
    uaddr_t lo, hi;

    if (len == 0 || low >= high || high - low < len)
        return false;
    if (fit && len >= t->fit_len && low >= t->fit_low && high == t->fit_high) {
        /* Nothing above the fit's start holds len: try its own gap, then
         * search only below it. */
        if (vma_gap_fits(&q, fit, &lo, &hi)) {
            *addr = hi - len;
            return true;
        }
        q.high = MM_MIN(high, fit->start);
        if (q.high <= low || q.high - low < len)
            return false;
    }
    if (!vma_gap_topdown_in(t->root, &q))
        return false;
    /* Now no gap above q.node's start holds len: above the old fit, by
     * what was known; between the two, by this search. */
    t->fit = q.node;
    t->fit_len = len;
    t->fit_low = low;
    t->fit_high = high;
    *addr = q.addr;
    return true;
}

/* Lowest such a: the bottom of its gap, or low. Same conventions as
 * vma_tree_gap_topdown(). */
bool vma_tree_gap_bottomup(struct vma_tree *t, uint64_t len, uaddr_t low, uaddr_t high, uaddr_t *addr)
{
    struct vma_gap_query q = {len, low, high, 0, NULL};

    if (len == 0 || low >= high || high - low < len)
        return false;
    if (!vma_gap_bottomup_in(t->root, &q))
        return false;
    *addr = q.addr;
    return true;
}

/* ---- the checker ---- */

/* A bounded message being written into the caller's buffer. */
struct vma_msg {
    char *buf;
    size_t size, len;
};

static void vma_msg_str(struct vma_msg *m, const char *s)
{
    for (; *s; s++) {
        if (m->len + 1 < m->size) {
            m->buf[m->len++] = *s;
            m->buf[m->len] = '\0';
        }
    }
}

static void vma_msg_hex(struct vma_msg *m, uint64_t x)
{
    char digits[19];
    int i = 18;

    digits[i] = '\0';
    do {
        digits[--i] = "0123456789abcdef"[x & 0xf];
        x >>= 4;
    } while (x);
    digits[--i] = 'x';
    digits[--i] = '0';
    vma_msg_str(m, &digits[i]);
}

struct vma_check {
    const struct vma_tree *t;
    struct vma_msg msg;
    uaddr_t prev_end;   /* end of the last VMA visited in order, or floor */
    uint64_t visited;
    const struct vma *lowest, *highest; /* first and last visited in order */
    bool hint_seen;
    bool fit_seen; /* the placement cache's VMA was visited */
};

/* Describe the first problem: "vma [start, end): what (stored X, expected Y)". */
static int vma_check_fail(struct vma_check *c, const struct vma *v, const char *what, bool values, uint64_t stored,
                          uint64_t expected)
{
    c->msg.len = 0;
    if (c->msg.size)
        c->msg.buf[0] = '\0';
    vma_msg_str(&c->msg, "vma_tree: ");
    if (v) {
        vma_msg_str(&c->msg, "vma [");
        vma_msg_hex(&c->msg, v->start);
        vma_msg_str(&c->msg, ", ");
        vma_msg_hex(&c->msg, v->end);
        vma_msg_str(&c->msg, "): ");
    }
    vma_msg_str(&c->msg, what);
    if (values) {
        vma_msg_str(&c->msg, " (stored ");
        vma_msg_hex(&c->msg, stored);
        vma_msg_str(&c->msg, ", expected ");
        vma_msg_hex(&c->msg, expected);
        vma_msg_str(&c->msg, ")");
    }
    return -1;
}

/* Check the subtree v in order; return its largest gap. */
static int vma_check_node(struct vma_check *c, const struct vma *v, int depth, uint64_t *max_gap)
{
    int rl, rr;
    uint64_t gl, gr, gap, m;

    if (!v) {
        *max_gap = 0;
        return 0;
    }
    if (depth >= VMA_TREE_MAX_DEPTH)
        return vma_check_fail(c, v, "tree deeper than the supported maximum (a cycle?)", true, (uint64_t)depth,
                              VMA_TREE_MAX_DEPTH);
    if (++c->visited > c->t->count)
        return vma_check_fail(c, v, "more nodes than count (a cycle or a shared node?)", true, c->visited,
                              c->t->count);
    if (vma_check_node(c, v->left, depth + 1, &gl) < 0)
        return -1;

    /* v itself, in address order. */
    if (!page_aligned(v->start) || !page_aligned(v->end))
        return vma_check_fail(c, v, "bounds not page aligned", false, 0, 0);
    if (v->start >= v->end)
        return vma_check_fail(c, v, "empty or inverted range", false, 0, 0);
    if (v->start < c->prev_end)
        return vma_check_fail(c, v,
                              c->prev_end == c->t->floor ? "starts below the floor or previous end"
                                                         : "overlaps or precedes the previous VMA",
                              true, v->start, c->prev_end);
    gap = (v->start - c->prev_end) >> PAGE_SHIFT;
    if (v->gap_pages != gap)
        return vma_check_fail(c, v, "wrong gap_pages", true, v->gap_pages, gap);
    c->prev_end = v->end;
    if (c->t->hint && c->highest == c->t->hint && c->t->hint_next != v)
        return vma_check_fail(c, c->t->hint, "hint_next is not the hint's successor", false, 0, 0);
    if (v == c->t->hint) {
        c->hint_seen = true;
        if (c->t->hint_prev != c->highest)
            return vma_check_fail(c, v, "hint_prev is not the hint's predecessor", false, 0, 0);
    }
    if (c->fit_seen) {
        /* Above the fit: no gap, clipped to the fit's window, holds fit_len. */
        uaddr_t lo = MM_MAX(vma_gap_start(v), c->t->fit_low), hi = MM_MIN(v->start, c->t->fit_high);
        if (hi > lo && hi - lo >= c->t->fit_len)
            return vma_check_fail(c, v, "a gap above the placement cache's VMA holds its length", true,
                                  hi - lo, c->t->fit_len);
    }
    if (v == c->t->fit)
        c->fit_seen = true;
    if (!c->lowest)
        c->lowest = v;
    c->highest = v;

    if (vma_check_node(c, v->right, depth + 1, &gr) < 0)
        return -1;

    /* Ranks: 1 or 2 above each child (an empty one has rank 0), 1 at a leaf. */
    rl = vma_rank(v->left);
    rr = vma_rank(v->right);
    if (!v->left && !v->right && v->rank != 1)
        return vma_check_fail(c, v, "leaf rank is not 1", true, v->rank, 1);
    if ((int)v->rank - rl < 1 || (int)v->rank - rl > 2)
        return vma_check_fail(c, v, "rank not 1 or 2 above the left child's", true, v->rank,
                              (uint64_t)(rl + ((int)v->rank - rl < 1 ? 1 : 2)));
    if ((int)v->rank - rr < 1 || (int)v->rank - rr > 2)
        return vma_check_fail(c, v, "rank not 1 or 2 above the right child's", true, v->rank,
                              (uint64_t)(rr + ((int)v->rank - rr < 1 ? 1 : 2)));
    /* The bound, checked against the children's bounds (which is what the
     * repairs rely on) and so also against the true largest gap. */
    m = MM_MAX(gap << PAGE_SHIFT, MM_MAX(vma_node_max_gap(v->left), vma_node_max_gap(v->right)));
    if (v->max_gap < m)
        return vma_check_fail(c, v, "max_gap below a gap or a child's max_gap", true, v->max_gap, m);
    *max_gap = MM_MAX(gap << PAGE_SHIFT, MM_MAX(gl, gr));
    return 0;
}

/* Verify the whole tree: order, non-overlap, floor, gap_pages, max_gap,
 * ranks, count, the cached first and last VMAs, the hint and the
 * placement cache. O(n) time, recursion as deep as the tree
 * (bounded even when the tree is corrupt). Returns 0, or -1 after writing a
 * NUL-terminated description of the first problem into buf (truncated to
 * bufsz; buf may be NULL when bufsz is 0). */
int vma_tree_check(const struct vma_tree *t, char *buf, size_t bufsz)
{
    struct vma_check c = {t, {buf, bufsz, 0}, t->floor, 0, NULL, NULL, false, false};
    uint64_t max_gap;

    if (bufsz)
        buf[0] = '\0';
    if (!page_aligned(t->floor))
        return vma_check_fail(&c, NULL, "floor not page aligned", true, t->floor, page_down(t->floor));
    if (vma_check_node(&c, t->root, 0, &max_gap) < 0)
        return -1;
    if (c.visited != t->count)
        return vma_check_fail(&c, NULL, "count does not match the nodes in the tree", true, t->count, c.visited);
    if (t->first != c.lowest)
        return vma_check_fail(&c, t->first, "first is not the lowest VMA", true,
                              t->first ? t->first->start : 0, c.lowest ? c.lowest->start : 0);
    if (t->last != c.highest)
        return vma_check_fail(&c, t->last, "last is not the highest VMA", true,
                              t->last ? t->last->start : 0, c.highest ? c.highest->start : 0);
    if (t->hint && !c.hint_seen)
        return vma_check_fail(&c, NULL, "hint is not in the tree", false, 0, 0);
    if (t->fit && !c.fit_seen)
        return vma_check_fail(&c, NULL, "the placement cache's VMA is not in the tree", false, 0, 0);
    if (t->hint && t->hint == c.highest && t->hint_next)
        return vma_check_fail(&c, t->hint, "hint_next is not the hint's successor", false, 0, 0);
    return 0;
}
