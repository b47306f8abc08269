/* arch/aarch64/mmap_policy.c — aarch64's own mmap placement rules. */
#include <mm/pmap.h>

/* Contract: see pmap.h. arm64 Linux uses the generic rule: round up. */
uaddr_t arch_mmap_hint_align(uaddr_t hint)
{
    uaddr_t up;
    return page_up_checked(hint, &up) && up <= pmap_user_top() ? up : 0;
}
