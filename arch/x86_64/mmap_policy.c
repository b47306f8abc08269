/* arch/x86_64/mmap_policy.c — x86-64's own mmap placement rules. */
#include <mm/pmap.h>

/* Contract: see pmap.h. x86-64 Linux masks the hint down to its page. */
uaddr_t arch_mmap_hint_align(uaddr_t hint) { return page_down(hint); }
