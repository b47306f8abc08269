/* mm/types.h — the basic types of mmcore: physical and user addresses, page
 * geometry and the overflow-checked helpers every range computation uses. */
#ifndef MM_TYPES_H
#define MM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A physical address. Never dereferenced: platform_phys_to_virt() maps it. */
typedef uint64_t paddr_t;

/* A user virtual address. An integer, not a pointer, so that kernel code
 * cannot dereference user memory by accident: every access goes through
 * uaccess.h, which validates it against the address space. */
typedef uint64_t uaddr_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE ((uint64_t)1 << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

static inline bool page_aligned(uint64_t x) { return (x & (PAGE_SIZE - 1)) == 0; }
static inline uint64_t page_down(uint64_t x) { return x & PAGE_MASK; }

/* Round x up to a page boundary. Returns false (and leaves *out alone) when
 * the rounding wraps past 2^64. */
static inline bool page_up_checked(uint64_t x, uint64_t *out)
{
    if (x > UINT64_MAX - (PAGE_SIZE - 1))
        return false;
    *out = (x + PAGE_SIZE - 1) & PAGE_MASK;
    return true;
}

/* Access kinds, as a fault or a user copy asks for them. */
enum mm_access {
    ACCESS_READ = 1,
    ACCESS_WRITE = 2,
    ACCESS_EXEC = 4,
};

#define MM_MIN(a, b) ((a) < (b) ? (a) : (b))
#define MM_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
