/* kern/kmem.h — kernel memory for the kernel's own records: small objects
 * from mm/'s slab caches (one cache per power-of-two size class up to 2 KiB)
 * and whole pages from the frame allocator, all reached through the direct
 * map. Failure is NULL, never a panic: callers return -ENOMEM. */
#ifndef KERN_KMEM_H
#define KERN_KMEM_H

#include <stddef.h>

#define KMEM_MAX 2048

/* A zero-filled object of size bytes (1 .. KMEM_MAX), or NULL. */
void *kzalloc(size_t size);

/* Free an object from kzalloc; size must be the size it was allocated
 * with. NULL is ignored. */
void kfree(void *p, size_t size);

/* A zero-filled page (4 KiB), or NULL; and its release. */
void *kpage_alloc(void);
void kpage_free(void *p);

#endif
