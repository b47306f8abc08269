/* hosted/platform.c — mm/platform.h for a Linux process: the simulated
 * machine's physical memory and its direct map, panic and log, the frame
 * lock, allocation-failure injection and the statistics counters. The TLB
 * half of the seam lives in hosted/tlb.c.
 *
 * Physical memory is one anonymous mapping. Physical address base + x is
 * byte x of it; base is above 4 GiB so that a physical address truncated
 * to 32 bits, or a virtual address used as a physical one, misses. The
 * machine is single-threaded. */
#include <hosted/hosted.h>
#include <hosted/mmu.h>
#include <mm/frame.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PHYS_BASE ((paddr_t)0x100000000ull)

static unsigned char *phys_mem;
static uint64_t phys_bytes;
static int frame_lock_depth;

struct hosted_stats hosted_stat;

struct inject_site {
    uint64_t count;    /* attempts since hosted_machine_init */
    uint64_t fail_at;  /* attempt number that fails; 0: none */
    bool sticky;       /* and every attempt after it */
};
static struct inject_site inject[MM_ALLOC_SITES];

static void phys_release(void)
{
    if (phys_mem) {
        munmap(phys_mem, phys_bytes);
        phys_mem = NULL;
        phys_bytes = 0;
    }
}

/* Contract: see hosted.h. Panics when the memory cannot be had or the frame
 * allocator refuses it (a test asking for too few pages). */
void hosted_machine_init(uint64_t npages)
{
    frame_reset();
    phys_release();
    hosted_tlb_reset();
    memset(&hosted_stat, 0, sizeof(hosted_stat));
    memset(inject, 0, sizeof(inject));
    frame_lock_depth = 0;

    if (npages == 0 || npages > ((uint64_t)1 << 36) / PAGE_SIZE)
        platform_panic("hosted_machine_init: bad memory size");
    phys_bytes = npages * PAGE_SIZE;
    void *m = mmap(NULL, phys_bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        phys_bytes = 0;
        platform_panic("hosted_machine_init: cannot map simulated memory");
    }
    phys_mem = m;
    if (frame_add_region(PHYS_BASE, npages) != 0)
        platform_panic("hosted_machine_init: frame_add_region refused the memory");
}

/* Contract: see hosted.h. */
void hosted_machine_fini(void)
{
    frame_reset();
    hosted_tlb_reset();
    phys_release();
}

/* Contract: see hosted.h. */
paddr_t hosted_phys_base(void) { return PHYS_BASE; }

/* Contract: see platform.h. Panics on an address outside simulated
 * memory: on a real machine that
 * would read a device or nothing, here it is always an mm/ bug. The end of
 * memory itself is allowed (a one-past-the-end pointer). */
void *platform_phys_to_virt(paddr_t pa)
{
    if (!phys_mem || pa < PHYS_BASE || pa - PHYS_BASE > phys_bytes) {
        char msg[96];
        snprintf(msg, sizeof(msg), "platform_phys_to_virt: 0x%llx is not simulated memory",
                 (unsigned long long)pa);
        platform_panic(msg);
    }
    return phys_mem + (pa - PHYS_BASE);
}

/* Contract: see platform.h. Panics on a pointer outside simulated memory. */
paddr_t platform_virt_to_phys(const void *va)
{
    const unsigned char *p = va;
    if (!phys_mem || p < phys_mem || (uint64_t)(p - phys_mem) > phys_bytes)
        platform_panic("platform_virt_to_phys: pointer is not in simulated memory");
    return PHYS_BASE + (paddr_t)(p - phys_mem);
}

/* Contract: see platform.h. Prints the message and aborts the process (a
 * test that expects a panic forks first). */
_Noreturn void platform_panic(const char *msg)
{
    fprintf(stderr, "mm panic: %s\n", msg);
    fflush(NULL);
    abort();
}

/* Contract: see platform.h. One line on stderr. */
void platform_log(const char *msg) { fprintf(stderr, "mm: %s\n", msg); }

/* Contract: see platform.h. The hosted machine has one thread, so the lock
 * only checks that it is never taken twice or released unheld (either
 * would hang or break a kernel's spinlock). */
void platform_frame_lock(void)
{
    if (frame_lock_depth != 0)
        platform_panic("platform_frame_lock: frame lock taken while held");
    frame_lock_depth = 1;
}

void platform_frame_unlock(void)
{
    if (frame_lock_depth != 1)
        platform_panic("platform_frame_unlock: frame lock not held");
    frame_lock_depth = 0;
}

/* Contract: see platform.h. Counts the attempt at site, then applies what
 * hosted_fail_nth() asked for. */
bool platform_alloc_should_fail(enum mm_alloc_site site)
{
    if ((unsigned)site >= MM_ALLOC_SITES)
        platform_panic("platform_alloc_should_fail: unknown site");
    struct inject_site *in = &inject[site];
    in->count++;
    if (in->fail_at == 0 || in->count < in->fail_at)
        return false;
    return in->count == in->fail_at || in->sticky;
}

/* Contract: see hosted.h. */
void hosted_fail_nth(enum mm_alloc_site site, uint64_t n, bool sticky)
{
    if ((unsigned)site >= MM_ALLOC_SITES)
        platform_panic("hosted_fail_nth: unknown site");
    struct inject_site *in = &inject[site];
    if (n == 0 || n > UINT64_MAX - in->count) {
        in->fail_at = 0;
        in->sticky = false;
        return;
    }
    in->fail_at = in->count + n;
    in->sticky = sticky;
}

/* Contract: see hosted.h. */
uint64_t hosted_alloc_count(enum mm_alloc_site site)
{
    if ((unsigned)site >= MM_ALLOC_SITES)
        platform_panic("hosted_alloc_count: unknown site");
    return inject[site].count;
}

/* Contract: see hosted.h. */
void hosted_stats_get(struct hosted_stats *st) { *st = hosted_stat; }
