/* mm/check.h — the O(n) invariant checker, for tests and debug builds. */
#ifndef MM_CHECK_H
#define MM_CHECK_H

#include <mm/space.h>

/* Check one address space: VMA tree ordering, non-overlap, gaps and
 * balance; every page-table leaf inside a VMA and no more permissive than
 * it; resident count. Returns 0, or -1 after describing the first problem in
 * buf. */
int space_check(struct space *s, char *buf, size_t bufsz);

/* Check that every allocated data frame's reference count equals the number
 * of leaves in spaces[0..n) plus the references objects hold (as reported by
 * extra(pa), may be NULL), and that no table page is unaccounted for. Only
 * meaningful when spaces[] lists every space in existence. */
int frames_check(struct space **spaces, unsigned n, uint32_t (*extra)(paddr_t pa), char *buf, size_t bufsz);

#endif
