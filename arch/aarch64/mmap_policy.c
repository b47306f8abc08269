/* arch/aarch64/mmap_policy.c — aarch64's own mmap placement rules. */
#include <mm/pmap.h>

/* Contract: see pmap.h. aarch64 has no restricted placement window. */
bool arch_mmap_window(unsigned long flags, uaddr_t *low, uaddr_t *high)
{
    (void)flags, (void)low, (void)high;
    return false;
}
