/* mm/page_index.h — a sparse map from page offset to frame, for objects
 * that own their pages (shared anonymous memory, a file's page cache). */
#ifndef MM_PAGE_INDEX_H
#define MM_PAGE_INDEX_H

#include <mm/types.h>

struct page_index {
    paddr_t root;      /* top node, 0 when empty */
    uint32_t levels;   /* node levels under root (0 when empty) */
    uint32_t nodes;    /* index node frames in use */
    uint64_t npages;   /* the owner's size in pages (bookkeeping for the owner) */
    uint64_t count;    /* pages present */
};

void page_index_init(struct page_index *idx, uint64_t npages);

/* True and *pa when page pgoff is present. */
bool page_index_lookup(const struct page_index *idx, uint64_t pgoff, paddr_t *pa);

/* The pages at [first, first + n): out[i] is page first + i's frame, or
 * 0 when it is absent (no page is ever at physical address 0: the first
 * pages of a region hold its frame table). */
void page_index_lookup_run(const struct page_index *idx, uint64_t first, unsigned n, paddr_t *out);

/* Record pa at pgoff (which must be absent). The index does not take a
 * frame reference: the caller gives it one. Returns 0 or -ENOMEM. */
int page_index_insert(struct page_index *idx, uint64_t pgoff, paddr_t pa);

/* Remove pgoff; true and *pa (whose reference passes to the caller) when it
 * was present. */
bool page_index_remove(struct page_index *idx, uint64_t pgoff, paddr_t *pa);

/* Call fn for every page present, in offset order. */
void page_index_walk(const struct page_index *idx, void (*fn)(void *arg, uint64_t pgoff, paddr_t pa),
                     void *arg);

/* Remove every page at offset >= first, calling put(pa) for each, and
 * free the nodes left empty (with first == 0 the index ends up empty). */
void page_index_truncate(struct page_index *idx, uint64_t first, void (*put)(paddr_t pa));

/* The same for the offsets in [first, last) (a hole). Cost: the nodes
 * that cover the range's present pages, not the range's length. */
void page_index_remove_range(struct page_index *idx, uint64_t first, uint64_t last, void (*put)(paddr_t pa));

/* Call put(pa) for every page, free every node, leave the index empty. */
void page_index_destroy(struct page_index *idx, void (*put)(paddr_t pa));

struct vm_object;

/* The page index of a file object made by vm_object_file_create (NULL for
 * any other object). */
const struct page_index *vm_object_file_index(const struct vm_object *obj);

#endif
