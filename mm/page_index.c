/* mm/page_index.c — a radix tree of 512-way nodes, each node one frame of
 * 64-bit slots. A slot holds a child node's or a page's physical address
 * with bit 0 set (so that 0 means empty). The tree grows upward as larger
 * offsets arrive, so a small object costs one node. */
#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/platform.h>

#include "page_index.h"

#define PI_SHIFT 9
#define PI_SLOTS (1u << PI_SHIFT)
#define PI_PRESENT 1ull

static uint64_t *pi_node(paddr_t pa) { return platform_phys_to_virt(pa); }

/* Largest offset + 1 a tree of this many levels covers. */
static uint64_t pi_span(uint32_t levels)
{
    return levels * PI_SHIFT >= 64 ? UINT64_MAX : 1ull << (levels * PI_SHIFT);
}

void page_index_init(struct page_index *idx, uint64_t npages)
{
    *idx = (struct page_index){.npages = npages};
}

bool page_index_lookup(const struct page_index *idx, uint64_t pgoff, paddr_t *pa)
{
    if (!idx->root || pgoff >= pi_span(idx->levels))
        return false;
    paddr_t node = idx->root;
    for (uint32_t l = idx->levels; l-- > 0;) {
        uint64_t slot = pi_node(node)[(pgoff >> (l * PI_SHIFT)) & (PI_SLOTS - 1)];
        if (!(slot & PI_PRESENT))
            return false;
        node = slot & ~PI_PRESENT;
    }
    *pa = node;
    return true;
}

/* Contract: see page_index.h. One descent per node of pages touched. */
void page_index_lookup_run(const struct page_index *idx, uint64_t first, unsigned n, paddr_t *out)
{
    for (unsigned done = 0; done < n;) {
        uint64_t pgoff = first + done;
        unsigned in = (unsigned)(pgoff & (PI_SLOTS - 1));
        unsigned run = n - done < PI_SLOTS - in ? n - done : PI_SLOTS - in;
        const uint64_t *leaf = 0;
        if (idx->root && pgoff < pi_span(idx->levels)) {
            paddr_t node = idx->root;
            uint32_t l = idx->levels;
            while (--l > 0) {
                uint64_t slot = pi_node(node)[(pgoff >> (l * PI_SHIFT)) & (PI_SLOTS - 1)];
                if (!(slot & PI_PRESENT))
                    break;
                node = slot & ~PI_PRESENT;
            }
            if (l == 0)
                leaf = pi_node(node);
        }
        for (unsigned i = 0; i < run; i++) {
            uint64_t slot = leaf ? leaf[in + i] : 0;
            out[done + i] = (slot & PI_PRESENT) ? slot & ~PI_PRESENT : 0;
        }
        done += run;
    }
}

static int pi_new_node(struct page_index *idx, paddr_t *pa)
{
    int err = frame_alloc_zeroed(pa, MM_ALLOC_TABLE);
    if (!err)
        idx->nodes++;
    return err;
}

static void pi_free_node(struct page_index *idx, paddr_t pa)
{
    idx->nodes--;
    frame_unref(pa);
}

int page_index_insert(struct page_index *idx, uint64_t pgoff, paddr_t pa)
{
    paddr_t fresh[8];
    unsigned nfresh = 0;

    /* Grow upward until pgoff is covered. */
    if (!idx->root) {
        if (pi_new_node(idx, &idx->root))
            return -ENOMEM;
        idx->levels = 1;
    }
    while (pgoff >= pi_span(idx->levels)) {
        paddr_t top;
        if (pi_new_node(idx, &top))
            return -ENOMEM; /* earlier growth is harmless: empty levels */
        pi_node(top)[0] = idx->root | PI_PRESENT;
        idx->root = top;
        idx->levels++;
    }
    /* Walk down, creating missing nodes; undo them all on failure. */
    paddr_t node = idx->root;
    for (uint32_t l = idx->levels; l-- > 1;) {
        uint64_t *slot = &pi_node(node)[(pgoff >> (l * PI_SHIFT)) & (PI_SLOTS - 1)];
        if (!(*slot & PI_PRESENT)) {
            paddr_t child;
            if (pi_new_node(idx, &child)) {
                /* Unhook and free the nodes made on the way down. */
                node = idx->root;
                for (uint32_t m = idx->levels; m-- > 1 && nfresh;) {
                    uint64_t *s2 = &pi_node(node)[(pgoff >> (m * PI_SHIFT)) & (PI_SLOTS - 1)];
                    paddr_t next = *s2 & ~PI_PRESENT;
                    if (next == fresh[0]) {
                        *s2 = 0;
                        while (nfresh--)
                            pi_free_node(idx, fresh[nfresh]);
                        break;
                    }
                    node = next;
                }
                return -ENOMEM;
            }
            fresh[nfresh++] = child;
            *slot = child | PI_PRESENT;
        }
        node = *slot & ~PI_PRESENT;
    }
    uint64_t *leaf = &pi_node(node)[pgoff & (PI_SLOTS - 1)];
    if (*leaf & PI_PRESENT)
        platform_panic("page_index_insert: offset already present");
    *leaf = pa | PI_PRESENT;
    idx->count++;
    return 0;
}

bool page_index_remove(struct page_index *idx, uint64_t pgoff, paddr_t *pa)
{
    if (!idx->root || pgoff >= pi_span(idx->levels))
        return false;
    paddr_t node = idx->root;
    for (uint32_t l = idx->levels; l-- > 1;) {
        uint64_t slot = pi_node(node)[(pgoff >> (l * PI_SHIFT)) & (PI_SLOTS - 1)];
        if (!(slot & PI_PRESENT))
            return false;
        node = slot & ~PI_PRESENT;
    }
    uint64_t *leaf = &pi_node(node)[pgoff & (PI_SLOTS - 1)];
    if (!(*leaf & PI_PRESENT))
        return false;
    *pa = *leaf & ~PI_PRESENT;
    *leaf = 0;
    idx->count--;
    return true;
}

static void pi_destroy_node(struct page_index *idx, paddr_t node, uint32_t level, void (*put)(paddr_t))
{
    uint64_t *slots = pi_node(node);
    for (uint32_t i = 0; i < PI_SLOTS; i++) {
        if (!(slots[i] & PI_PRESENT))
            continue;
        paddr_t child = slots[i] & ~PI_PRESENT;
        if (level == 1) {
            put(child);
            idx->count--;
        } else
            pi_destroy_node(idx, child, level - 1, put);
    }
    pi_free_node(idx, node);
}

void page_index_destroy(struct page_index *idx, void (*put)(paddr_t pa))
{
    if (idx->root)
        pi_destroy_node(idx, idx->root, idx->levels, put);
    idx->root = 0;
    idx->levels = 0;
    idx->count = 0;
}

static void pi_walk_node(paddr_t node, uint32_t level, uint64_t base,
                         void (*fn)(void *, uint64_t, paddr_t), void *arg)
{
    const uint64_t *slots = pi_node(node);
    for (uint32_t i = 0; i < PI_SLOTS; i++) {
        if (!(slots[i] & PI_PRESENT))
            continue;
        uint64_t off = base | ((uint64_t)i << ((level - 1) * PI_SHIFT));
        if (level == 1)
            fn(arg, off, slots[i] & ~PI_PRESENT);
        else
            pi_walk_node(slots[i] & ~PI_PRESENT, level - 1, off, fn, arg);
    }
}

void page_index_walk(const struct page_index *idx, void (*fn)(void *arg, uint64_t pgoff, paddr_t pa),
                     void *arg)
{
    if (idx->root)
        pi_walk_node(idx->root, idx->levels, 0, fn, arg);
}

/* Remove the pages at offsets in [first, last) under node (a subtree of
 * this many levels covering offsets from base). Returns true when the node
 * is left empty and has been freed. */
static bool pi_remove_range_node(struct page_index *idx, paddr_t node, uint32_t level, uint64_t base,
                                 uint64_t first, uint64_t last, void (*put)(paddr_t))
{
    uint64_t *slots = pi_node(node);
    uint64_t child_span = pi_span(level - 1);
    bool empty = true;

    for (uint32_t i = 0; i < PI_SLOTS; i++) {
        if (!(slots[i] & PI_PRESENT))
            continue;
        uint64_t child_base = base + (uint64_t)i * child_span;
        uint64_t child_last = child_base + (child_span - 1); /* no overflow at the top */
        paddr_t child = slots[i] & ~PI_PRESENT;
        if (child_base >= first && child_last < last) {
            if (level == 1) {
                put(child);
                idx->count--;
            } else {
                pi_destroy_node(idx, child, level - 1, put);
            }
            slots[i] = 0;
        } else if (level > 1 && child_last >= first && child_base < last) {
            if (pi_remove_range_node(idx, child, level - 1, child_base, first, last, put))
                slots[i] = 0;
            else
                empty = false;
        } else {
            empty = false;
        }
    }
    if (!empty)
        return false;
    pi_free_node(idx, node);
    return true;
}

void page_index_remove_range(struct page_index *idx, uint64_t first, uint64_t last, void (*put)(paddr_t pa))
{
    if (!idx->root || first >= last || first >= pi_span(idx->levels))
        return;
    if (pi_remove_range_node(idx, idx->root, idx->levels, 0, first, last, put)) {
        idx->root = 0;
        idx->levels = 0;
    }
}

void page_index_truncate(struct page_index *idx, uint64_t first, void (*put)(paddr_t pa))
{
    page_index_remove_range(idx, first, UINT64_MAX, put);
}
