/* mm/space.h — the address space: a page table, a tree of VMAs, and a
 * population policy. This is the API a kernel's system calls sit on.
 *
 * Every operation follows Linux's semantics and checks its arguments in
 * Linux's order, returning a negative errno. Calls on one space must be
 * serialised by the caller (one process's mm lock); different spaces may be
 * used concurrently (the frame allocator has its own lock). */
#ifndef MM_SPACE_H
#define MM_SPACE_H

#include <mm/pmap.h>
#include <mm/types.h>
#include <mm/vma.h>

struct vm_object;

/* How pages get populated. */
enum space_policy {
    SPACE_LAZY,   /* demand paging: a page is populated at its first fault */
    SPACE_EAGER,  /* every page of a mapping is populated when it is mapped */
};

struct space_config {
    uaddr_t min_addr;         /* lowest mappable address (mmap_min_addr); 0 = 64 KiB */
    uaddr_t mmap_base;        /* top-down placement starts below this; 0 = default */
    uint64_t max_map_count;   /* VMA limit (vm.max_map_count); 0 = 65530 */
    enum space_policy policy;
};

struct space {
    struct pmap pmap;
    struct vma_tree vmas;
    uaddr_t top;              /* end of user space: pmap_user_top() */
    uaddr_t min_addr;
    uaddr_t mmap_base;
    uint64_t max_map_count;
    enum space_policy policy;
    uaddr_t brk_start;        /* start of the heap (set by space_brk_init) */
    uaddr_t brk;              /* current break, byte granular */
    uaddr_t start_stack;      /* initial stack pointer (for [stack]); 0 if none */
    uint64_t resident;        /* pages with a leaf in the page table */
    struct vma *vma_cache;    /* the VMA found last: faults come in runs */
};

/* Create an empty address space. cfg may be NULL for defaults. Returns 0 and
 * sets *out, or -ENOMEM (nothing allocated). */
int space_create(struct space **out, const struct space_config *cfg);

/* Free every VMA, every frame reference and every page-table page, then the
 * space itself. */
void space_destroy(struct space *s);

/* mmap. addr is a hint, or the exact place with MAP_FIXED /
 * MAP_FIXED_NOREPLACE; obj is the file's object for a file mapping (NULL
 * with MAP_ANONYMOUS), off the byte offset into it. The caller has already
 * resolved the fd and checked the file's access mode (EBADF, EACCES,
 * ENODEV); maywrite says whether PROT_WRITE may be added to a shared file
 * mapping later. Returns the mapped address, or a negative errno:
 * -EINVAL length 0, unaligned offset, unaligned fixed address, bad or
 *  missing mapping type; -ENOMEM length overflows when page aligned, range
 *  outside user space, no free gap, too many VMAs or no memory; -EOVERFLOW
 *  offset + length wraps; -EEXIST MAP_FIXED_NOREPLACE overlaps; -EPERM fixed
 *  address below min_addr. On failure nothing changed. */
int64_t space_map(struct space *s, uaddr_t addr, uint64_t len, unsigned long prot,
                  unsigned long flags, struct vm_object *obj, uint64_t off, bool maywrite);

/* munmap. Returns 0, -EINVAL (unaligned start, len 0, range outside user
 * space) or -ENOMEM (a split would exceed the VMA limit; nothing changed). */
int space_unmap(struct space *s, uaddr_t addr, uint64_t len);

/* mprotect. Returns 0; -EINVAL (unaligned start, unknown prot bits, both
 * PROT_GROWSDOWN and PROT_GROWSUP); -ENOMEM (part of the range unmapped:
 * the VMAs before the hole have already been changed, as on Linux, or the
 * VMA limit); -EACCES (PROT_WRITE on a shared mapping of a file not opened
 * for writing). */
int space_protect(struct space *s, uaddr_t addr, uint64_t len, unsigned long prot);

/* Fault entry: the hardware (or a user copy) could not access va. */
enum fault_result {
    FAULT_OK,           /* resolved: retry the access */
    FAULT_SEGV_MAPERR,  /* nothing mapped at va */
    FAULT_SEGV_ACCERR,  /* mapped, but this access is not allowed */
    FAULT_BUS,          /* mapped, but no page behind it (beyond end of file) */
    FAULT_OOM,          /* out of memory populating the page */
};

/* Resolve a fault at va for access (ACCESS_READ, _WRITE or _EXEC). from_user
 * says whether user mode faulted (false for a kernel access through
 * uaccess). Populates demand-zero and object pages, and breaks
 * copy-on-write sharing on write. */
enum fault_result space_fault(struct space *s, uaddr_t va, unsigned access, bool from_user);

/* brk. space_brk_init sets the heap start (page aligned, just above the
 * program image). space_brk returns the new break, or the unchanged one if
 * the request is below the heap start, collides with a mapping (Linux keeps
 * one free page before the next VMA), or memory runs out. */
void space_brk_init(struct space *s, uaddr_t start);
uaddr_t space_brk(struct space *s, uaddr_t newbrk);

/* Populate [start, end) as MAP_POPULATE does: a write fault for writable
 * pages, a read fault otherwise; PROT_NONE pages are skipped. Returns 0 or
 * -ENOMEM. */
int space_populate(struct space *s, uaddr_t start, uaddr_t end);

/* fork: a new space that is a copy-on-write duplicate of parent: the same
 * VMAs (sharing their objects) and the same pages, private writable ones
 * write-protected on both sides so that the first write copies. Returns 0
 * and sets *child, or -ENOMEM (the parent stays usable: some of its leaves
 * may have lost write permission, which a fault restores). */
int space_fork(struct space *parent, struct space **child);

/* Whether a maps listing names v [heap] (it overlaps the brk area) or
 * [stack] (it holds the initial stack pointer), as Linux does. */
bool space_vma_is_heap(const struct space *s, const struct vma *v);
bool space_vma_is_stack(const struct space *s, const struct vma *v);

/* The VMA containing addr, or NULL. O(1) when addr falls in the VMA found
 * last (faults and user copies come in runs), else O(log n). */
struct vma *space_vma_find(struct space *s, uaddr_t addr);

/* Number of VMAs. */
static inline uint64_t space_vma_count(const struct space *s) { return s->vmas.count; }

#endif
