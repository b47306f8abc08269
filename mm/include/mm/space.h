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
    SPACE_EAGER,  /* every accessible page is populated when it is mapped,
                   * made accessible or added to the heap; best effort: a
                   * page that cannot be filled then (no memory) is filled by
                   * its first fault, so an operation never fails for it */
};

struct space_config {
    uaddr_t min_addr;         /* lowest mappable address (mmap_min_addr); 0 = 64 KiB */
    uaddr_t mmap_base;        /* top-down placement starts below this; 0 = default */
    uint64_t max_map_count;   /* VMA limit (vm.max_map_count); 0 = 65530 */
    enum space_policy policy;
    uint64_t stack_limit;     /* how far a MAP_GROWSDOWN VMA may grow
                               * (RLIMIT_STACK); 0 = 8 MiB */
    uint64_t memlock_limit;   /* bytes MAP_LOCKED may lock (RLIMIT_MEMLOCK,
                               * as for a process without CAP_IPC_LOCK);
                               * 0 = 8 MiB */
    bool no_thp_align;        /* do not align 2 MiB-multiple anonymous mappings
                               * to 2 MiB (Linux 6.7+ does, with THP built in) */
};

struct space {
    struct pmap pmap;
    struct vma_tree vmas;
    uaddr_t top;              /* end of user space: pmap_user_top() */
    uaddr_t min_addr;
    uaddr_t mmap_base;
    uint64_t max_map_count;
    enum space_policy policy;
    bool thp_align;
    uint64_t stack_limit;
    uint64_t memlock_limit;
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
 * space itself. No thread may run in the space any more (its page table
 * is torn down in one pass; see pmap_clear). */
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

/* What a file mapping may do with its file, as the host resolved it from
 * the descriptor: space_map_file checks these where Linux's do_mmap does,
 * so a bad call gets Linux's errno. */
struct space_file {
    struct vm_object *obj;  /* the file's pages; NULL: not mappable (-ENODEV) */
    bool readable;          /* open for reading (else -EACCES) */
    bool writable;          /* open for writing (MAP_SHARED with PROT_WRITE
                             * needs it, and mprotect adding it later) */
    bool zero;              /* /dev/zero: a private mapping is anonymous
                             * memory, a shared one new shared anonymous
                             * memory of the mapping's size */
    uint64_t max_bytes;     /* offset + length limit (-EOVERFLOW beyond):
                             * INT64_MAX for a regular file, UINT64_MAX for
                             * a device */
};

/* mmap of a file (the descriptor already resolved: -EBADF, and -EINVAL for
 * MAP_HUGETLB, are the caller's). As space_map, plus Linux's file checks
 * after placement: -EOVERFLOW beyond max_bytes; -EOPNOTSUPP unknown flags
 * with MAP_SHARED_VALIDATE; -EACCES MAP_SHARED with PROT_WRITE on a file
 * not open for writing, or any file not open for reading; -ENODEV a file
 * that cannot be mapped; -EINVAL MAP_GROWSDOWN or a bad mapping type. */
int64_t space_map_file(struct space *s, uaddr_t addr, uint64_t len, unsigned long prot,
                       unsigned long flags, const struct space_file *file, uint64_t off);

/* Remove the page-table leaves of every VMA of s whose pages come from obj
 * (a file: a shared or private mapping of it through any view, and the
 * copies a private one made),
 * for object pages first and above. The VMAs stay: a later access faults
 * again (and beyond the end of a file gets SIGBUS). The owner of a file
 * calls this for every space when the file shrinks. */
void space_object_unmap(struct space *s, struct vm_object *obj, uint64_t first);

/* Remove the page-table leaves of s that map the page-cache frames of file
 * obj (a page cache made by vm_object_file_create, or a view of one) for
 * pages [first, last): every leaf of a shared mapping in the range, and in
 * a private mapping the pages not yet copied (its copies stay, as Linux's
 * hole punching keeps them). The owner calls this for every space before
 * vm_object_file_drop. */
void space_object_punch(struct space *s, struct vm_object *obj, uint64_t first, uint64_t last);

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
 * uaccess). Populates demand-zero and object pages, breaks copy-on-write
 * sharing on write, and grows a MAP_GROWSDOWN VMA down to va (within
 * stack_limit, keeping the guard gap above the VMA below it). */
enum fault_result space_fault(struct space *s, uaddr_t va, unsigned access, bool from_user);

/* brk. space_brk_init sets the heap start (page aligned, just above the
 * program image). space_brk returns the new break, or the unchanged one if
 * no heap was set up, the request is below the heap start, collides with a
 * mapping (Linux keeps one free page before the next VMA), or memory runs
 * out. */
void space_brk_init(struct space *s, uaddr_t start);
uaddr_t space_brk(struct space *s, uaddr_t newbrk);

/* Populate [start, end) as MAP_POPULATE does: a write fault for writable
 * pages, a read fault otherwise; PROT_NONE pages are skipped. Returns 0 or
 * -ENOMEM. */
int space_populate(struct space *s, uaddr_t start, uaddr_t end);

/* mremap. Resize [old, old + old_len) in place, or move it (MREMAP_MAYMOVE,
 * MREMAP_FIXED to new_addr, MREMAP_DONTUNMAP to keep the old range mapped
 * but empty). A move carries the pages without copying them. Lengths are
 * rounded up to pages. Returns the (new) address, or a negative errno:
 * -EINVAL bad flags or combination, unaligned old or new address, new
 *  length 0 or beyond user space, ranges overlapping, old_len 0 on a
 *  private mapping, page offset overflow; -EFAULT old address unmapped, or
 *  the range to grow or move not inside one VMA; -ENOMEM cannot grow in
 *  place without MREMAP_MAYMOVE, no free gap, VMA limit or no memory;
 *  -EPERM fixed destination below min_addr. As on Linux, a failure after
 *  MREMAP_FIXED began may leave the destination (and a shrunk tail)
 *  unmapped, and a move over several VMAs may stop part way. */
int64_t space_remap(struct space *s, uaddr_t old, uint64_t old_len, uint64_t new_len,
                    unsigned long flags, uaddr_t new_addr);

/* madvise. Applies advice (MADV_*) to the VMAs in [addr, addr + len), len
 * rounded up to pages. Returns 0, or: -EINVAL unknown or unsupported
 * advice, unaligned addr, the range wraps, advice not allowed on a VMA
 * (e.g. MADV_DONTNEED on a locked one, MADV_FREE on a file); -ENOMEM part
 * of the range unmapped (the mapped parts before the error are advised,
 * and for most advice those after it too) or no memory to populate;
 * -EAGAIN a VMA split needed for the advice hit the VMA limit; -EACCES
 * MADV_REMOVE on a mapping that is not shared and writable; -EOPNOTSUPP
 * MADV_REMOVE on a file whose object cannot punch holes (no punch hook, or
 * a host's own object); -EFAULT populating hit a page beyond the end of
 * its object. MADV_REMOVE on shared anonymous memory that other spaces
 * also map zeroes its pages in place rather than freeing them (mm/ cannot
 * find the other spaces' leaves). */
int space_advise(struct space *s, uaddr_t addr, uint64_t len, int advice);

/* mincore. Writes one byte per page of [addr, addr + len) to the user
 * buffer vec (ceil(len / PAGE_SIZE) bytes): 1 when the page is in memory
 * for this mapping (a page-table leaf, or a page its shared object holds),
 * else 0. Copies with copy_to_user in bounded chunks, so the system call
 * passes vec through. Returns 0, or -EINVAL unaligned addr; -ENOMEM range
 * outside user space or part of it unmapped (bytes for the pages before
 * the hole are already written); -EFAULT vec is not writable. */
int space_mincore(struct space *s, uaddr_t addr, uint64_t len, uaddr_t vec);

/* msync. Returns 0, or -EINVAL unknown flags (MS_ASYNC, MS_INVALIDATE,
 * MS_SYNC), unaligned addr, both MS_ASYNC and MS_SYNC; -ENOMEM part of the
 * range unmapped (a length that wraps when rounded up to pages is 0, as on
 * Linux); -EBUSY MS_INVALIDATE on a locked mapping. Anonymous and in-memory
 * objects have nothing to write back. */
int space_sync(struct space *s, uaddr_t addr, uint64_t len, int flags);

/* fork: a new space that is a copy-on-write duplicate of parent: the same
 * VMAs (sharing their objects) and the same pages, private writable ones
 * write-protected on both sides so that the first write copies. Returns 0
 * and sets *child, or -ENOMEM (the parent stays usable: some of its leaves
 * may have lost write permission, which a fault restores). */
int space_fork(struct space *parent, struct space **child);

/* Whether a maps listing names v [heap] (it overlaps the brk area
 * [brk_start, brk)) or [stack] (it holds the initial stack pointer), as
 * Linux does. */
bool space_vma_is_heap(const struct space *s, const struct vma *v);
bool space_vma_is_stack(const struct space *s, const struct vma *v);

/* The VMA containing addr, or NULL. O(1) when addr falls in the VMA found
 * last (faults and user copies come in runs), else O(log n). */
struct vma *space_vma_find(struct space *s, uaddr_t addr);

/* Number of VMAs. */
static inline uint64_t space_vma_count(const struct space *s) { return s->vmas.count; }

#endif
