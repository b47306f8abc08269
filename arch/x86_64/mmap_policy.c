/* arch/x86_64/mmap_policy.c — x86-64's own mmap placement rules. */
#include <mm/pmap.h>

#define X86_MAP_32BIT 0x40

/* Contract: see pmap.h. MAP_32BIT places the mapping bottom-up between
 * 1 GiB and 2 GiB, so that its addresses fit in 31 bits. */
bool arch_mmap_window(unsigned long flags, uaddr_t *low, uaddr_t *high)
{
    if (!(flags & X86_MAP_32BIT))
        return false;
    *low = 0x40000000ull;
    *high = 0x80000000ull;
    return true;
}
