/* mm/frame_table.h — the frame table entry, private to mm/ (frame.c owns
 * the table; slab.c borrows the fields of the frames it holds). */
#ifndef MM_FRAME_TABLE_H
#define MM_FRAME_TABLE_H

#include <mm/frame.h>

#define FRAME_NONE UINT32_MAX

/* One per physical frame. A free frame is on the allocator's free list
 * through next. A slab frame is on its cache's partial list through
 * next/prev, with its object count and free-object list. A page-table
 * frame keeps the number of its non-zero entries in table_live (for the
 * arch pmap, through frame_table_live_add). */
struct frame {
    uint32_t refs;
    uint32_t next;
    uint32_t prev;
    union {
        uint16_t slab_inuse;
        uint16_t table_live;
    };
    uint16_t slab_free;
};

/* Frame number (dense over all regions) <-> entry and address. */
struct frame *frame_entry(uint32_t fn);
uint32_t frame_number(paddr_t pa);   /* FRAME_NONE when pa is in no region */
paddr_t frame_address(uint32_t fn);
/* frame_alloc without failure injection, for callers that inject at their
 * own granularity (the slab injects per record, not per frame). */
int frame_alloc_uninjected(paddr_t *pa);

/* Frame numbers are [0, frame_number_limit()). */
uint32_t frame_number_limit(void);
/* True and *pa when the zero page has been allocated. */
bool frame_zero_page_ready(paddr_t *pa);

#endif
