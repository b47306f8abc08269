/* kernel/lib/kmem.c — kzalloc/kfree over mm/'s slab caches, and whole
 * pages over the frame allocator. */
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/panic.h>
#include <mm/frame.h>
#include <mm/platform.h>
#include <mm/slab.h>

static struct slab_cache kmem_caches[] = {
    SLAB_CACHE_INIT("kmem-16", 16),   SLAB_CACHE_INIT("kmem-32", 32),
    SLAB_CACHE_INIT("kmem-64", 64),   SLAB_CACHE_INIT("kmem-128", 128),
    SLAB_CACHE_INIT("kmem-256", 256), SLAB_CACHE_INIT("kmem-512", 512),
    SLAB_CACHE_INIT("kmem-1024", 1024), SLAB_CACHE_INIT("kmem-2048", 2048),
};

static struct slab_cache *kmem_cache_for(size_t size)
{
    if (size == 0 || size > KMEM_MAX)
        return NULL;
    size_t cls = 16;
    unsigned i = 0;
    while (cls < size)
        cls <<= 1, i++;
    return &kmem_caches[i];
}

void *kzalloc(size_t size)
{
    struct slab_cache *c = kmem_cache_for(size);
    if (!c)
        panic("kzalloc: bad size %zu", size);
    return slab_alloc(c);
}

void kfree(void *p, size_t size)
{
    if (!p)
        return;
    struct slab_cache *c = kmem_cache_for(size);
    if (!c)
        panic("kfree: bad size %zu", size);
    slab_free(c, p);
}

void *kpage_alloc(void)
{
    paddr_t pa;
    if (frame_alloc_zeroed(&pa, MM_ALLOC_SLAB))
        return NULL;
    return platform_phys_to_virt(pa);
}

void kpage_free(void *p)
{
    if (p)
        frame_unref(platform_virt_to_phys(p));
}
