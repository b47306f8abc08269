/* kernel/aarch64/kstack.c — kernel stacks: fixed slots in the kernel-stack
 * area (paging.c), each KSTACK_PAGES frames mapped under an unmapped
 * guard. The frames of each slot are remembered here for freeing. */
#include <kern/lib.h>
#include <mm/frame.h>

#include "boot_mem.h"
#include "kstack.h"

static bool slot_used[KSTACK_MAX];
static paddr_t slot_frames[KSTACK_MAX][KSTACK_PAGES];

static uint64_t slot_top(unsigned i) { return KSTACK_AREA + (uint64_t)(i + 1) * KSTACK_SLOT; }

static void slot_release(unsigned i)
{
    uint64_t top = slot_top(i);
    for (unsigned p = 0; p < KSTACK_PAGES; p++) {
        if (!slot_frames[i][p])
            continue;
        paging_unmap_kernel_page(top - (p + 1) * PAGE_SIZE);
        frame_unref(slot_frames[i][p]);
        slot_frames[i][p] = 0;
    }
    slot_used[i] = false;
}

/* Contract: see kstack.h. */
uint64_t kstack_alloc(void)
{
    for (unsigned i = 0; i < KSTACK_MAX; i++) {
        if (slot_used[i])
            continue;
        slot_used[i] = true;
        uint64_t top = slot_top(i);
        for (unsigned p = 0; p < KSTACK_PAGES; p++) {
            paddr_t pa;
            if (frame_alloc(&pa, MM_ALLOC_FRAME)) {
                slot_release(i);
                return 0;
            }
            slot_frames[i][p] = pa;
            if (paging_map_kernel_page(top - (p + 1) * PAGE_SIZE, pa)) {
                slot_release(i);
                return 0;
            }
        }
        return top;
    }
    return 0;
}

void kstack_free(uint64_t top)
{
    if (top <= KSTACK_AREA || (top - KSTACK_AREA) % KSTACK_SLOT)
        return;
    unsigned i = (unsigned)((top - KSTACK_AREA) / KSTACK_SLOT) - 1;
    if (i < KSTACK_MAX && slot_used[i])
        slot_release(i);
}
