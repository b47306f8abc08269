/* mm/check.h — the O(n) invariant checker, for tests and debug builds. */
#ifndef MM_CHECK_H
#define MM_CHECK_H

#include <mm/space.h>

/* Check one address space: VMA tree ordering, non-overlap, gaps and
 * balance; every page-table leaf inside a VMA and no more permissive than
 * it; resident count. Returns 0, or -1 after describing the first problem in
 * buf. */
int space_check(struct space *s, char *buf, size_t bufsz);

/* Check frame accounting across every address space in existence
 * (spaces[0..n)) and the objects only the host holds (objs[0..nobjs), e.g.
 * open files): each data frame's reference count equals the leaves that map
 * it plus the object page indexes that hold it, and every allocated frame is
 * accounted for (data, page tables, slab records, index nodes, the zero
 * page), so nothing leaked. scratch must have frames_check_scratch_entries()
 * entries. Returns 0, or -1 after describing the first problem in buf. */
uint64_t frames_check_scratch_entries(void);
int frames_check(struct space **spaces, unsigned n, struct vm_object **objs, unsigned nobjs,
                 uint32_t *scratch, char *buf, size_t bufsz);

#endif
