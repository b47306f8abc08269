/* mm/uaccess.h — reaching user memory from the kernel, safely.
 *
 * Every user pointer a system call receives goes through these. Each one
 * validates the range against the address space, populates pages as a fault
 * would (breaking copy-on-write for writes) and copies through the frames'
 * kernel addresses, so a bad pointer of any kind (NULL, kernel, non-canonical,
 * wrapping, unmapped, PROT_NONE, read-only for a write) is -EFAULT and never a
 * crash. */
#ifndef MM_UACCESS_H
#define MM_UACCESS_H

#include <mm/space.h>

/* Cheap range check, no page-table look-up: true when [addr, addr + len)
 * lies inside user space and does not wrap. len 0 is always fine. */
bool access_ok(const struct space *s, uaddr_t addr, uint64_t len);

/* Copy len bytes. Return 0, or -EFAULT (some bytes may have been copied). */
int copy_from_user(struct space *s, void *dst, uaddr_t src, uint64_t len);
int copy_to_user(struct space *s, uaddr_t dst, const void *src, uint64_t len);

/* Copy up to len bytes, stopping at the first byte that cannot be
 * accessed; return how many were copied (all of them, or the prefix before
 * the fault; 0 for a range outside user space). read() and write() use
 * these: a transfer that runs into unmapped memory returns its prefix, as
 * on Linux. */
uint64_t copy_from_user_partial(struct space *s, void *dst, uaddr_t src, uint64_t len);
uint64_t copy_to_user_partial(struct space *s, uaddr_t dst, const void *src, uint64_t len);

/* Fill len bytes of user memory with zero. 0 or -EFAULT. */
int clear_user(struct space *s, uaddr_t dst, uint64_t len);

/* Copy a NUL-terminated string of at most max bytes (NUL included) into
 * dst. Returns the length without the NUL, -EFAULT, or -ENAMETOOLONG when
 * no NUL was found within max bytes. */
int64_t strncpy_from_user(struct space *s, char *dst, uaddr_t src, uint64_t max);

/* The frame behind the user page containing addr, populated for access if
 * needed, with an extra reference the caller drops with frame_unref. Returns
 * 0 and sets *pa (the frame, not including the offset in the page), or
 * -EFAULT. */
int get_user_page(struct space *s, uaddr_t addr, unsigned access, paddr_t *pa);

#endif
