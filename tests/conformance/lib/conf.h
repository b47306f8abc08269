/* tests/conformance/lib/conf.h — what every conformance program shares:
 * printing one result line per case, naming errno values, scratch regions
 * of the address space, the page layout seen through mincore, the VMAs seen
 * through /proc/self/maps, and memory accesses tried in a child process to
 * learn how they fault.
 *
 * A conformance program is built once, as a static x86-64 executable with
 * no C library (user/lib is its runtime), and runs unchanged on the host's
 * Linux kernel and on the reference kernel; the two outputs are compared
 * line by line. So a result never shows a raw address: addresses are
 * printed relative to a base the program chose ("base+0x3000"), and
 * address-space randomization cannot change a line. */
#ifndef CONF_H
#define CONF_H

#include <stddef.h>
#include <stdint.h>
#include <syscall.h>
#include <ulib.h>

/* ---- what user/include/syscall.h may not define ---- */
#ifndef SYS_rt_sigaction
#define SYS_rt_sigaction 13
#endif
#ifndef SYS_rt_sigreturn
#define SYS_rt_sigreturn 15
#endif
#ifndef SYS_sched_yield
#define SYS_sched_yield 24
#endif
#ifndef SYS_capget
#define SYS_capget 125
#endif
#ifndef SYS_capset
#define SYS_capset 126
#endif

#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif
#ifndef MAP_TYPE
#define MAP_TYPE 0x0f
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#ifndef MAP_32BIT
#define MAP_32BIT 0x40
#endif
#ifndef MAP_LOCKED
#define MAP_LOCKED 0x2000
#endif
#ifndef MAP_NONBLOCK
#define MAP_NONBLOCK 0x10000
#endif
#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000
#endif

#ifndef MADV_REMOVE
#define MADV_REMOVE 9
#endif
#ifndef MADV_DONTFORK
#define MADV_DONTFORK 10
#endif
#ifndef MADV_DOFORK
#define MADV_DOFORK 11
#endif
#ifndef MADV_MERGEABLE
#define MADV_MERGEABLE 12
#endif
#ifndef MADV_UNMERGEABLE
#define MADV_UNMERGEABLE 13
#endif
#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif
#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE 15
#endif
#ifndef MADV_DONTDUMP
#define MADV_DONTDUMP 16
#endif
#ifndef MADV_DODUMP
#define MADV_DODUMP 17
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif
#ifndef MADV_KEEPONFORK
#define MADV_KEEPONFORK 19
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE 103
#endif

#ifndef SIGBUS
#define SIGBUS 7
#endif
#ifndef SIGSEGV
#define SIGSEGV 11
#endif

/* The end of user space on x86-64 with 4-level paging (Linux's TASK_SIZE);
 * aarch64's with 48-bit addresses (user/include/syscall_aarch64.h). */
#if defined(__aarch64__)
#define USER_TOP USER_STACK_TOP
#else
#define USER_TOP 0x7ffffffff000UL
#endif
/* The first address of the kernel half, and one that is not canonical. */
#define KERNEL_ADDR 0xffff800000000000UL
#define NONCANONICAL_ADDR 0x8000000000000000UL

/* Shorthands: a page, read-write, private and shared anonymous memory. */
#define P PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)
#define SA (MAP_SHARED | MAP_ANONYMOUS)

/* ---- results ---- */

/* Print "name: result" (result formatted like printf). */
void conf_case(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A system call's result as text: "0", "-EINVAL", or the number. The text
 * lives in a small ring of buffers: valid for the next few calls. */
const char *conf_ret(long r);

/* A returned address as text relative to base: "base+0x3000",
 * "base-0x1000", or "-ENOMEM" for an error. */
const char *conf_at(long r, uintptr_t base);

/* Print "name: <conf_ret(r)>". */
void conf_ret_case(const char *name, long r);

/* "SKIP reason": a case the host cannot answer (the comparison skips it). */
void conf_skip(const char *name, const char *reason);

/* ---- the process ---- */

/* Every program calls this first: drops the effective capabilities a
 * privileged run would have (so that, for example, mapping page zero is
 * refused as it is for an ordinary process). */
void conf_start(void);

/* A number read from a file such as /proc/sys/vm/max_map_count, or
 * fallback when the file cannot be read (the reference kernel has no
 * /proc). */
long conf_read_number(const char *path, long fallback);

/* ---- scratch regions ---- */

/* A free range of npages pages between two inaccessible guard pages, found
 * by the kernel; its address. Nothing else is placed in it until the
 * program maps something without MAP_FIXED. Exits the program if the
 * kernel cannot provide one. */
uintptr_t conf_region(size_t npages);

/* Unmap a region and its guard pages. */
void conf_region_free(uintptr_t base, size_t npages);

/* mmap of npages pages at base + first pages with MAP_FIXED. */
long conf_map_at(uintptr_t base, size_t first, size_t npages, int prot, int flags);

/* ---- looking at the address space ---- */

/* One character per page of [base, base + npages pages), from mincore:
 * '.' nothing mapped, '-' mapped but not in memory, '#' in memory. */
const char *conf_layout(uintptr_t base, size_t npages);

/* /proc/self/maps read whole into the library's buffer (each call reads
 * it anew, over the previous text), or NULL when it cannot be read. */
char *conf_maps_text(void);

/* One line of /proc/self/maps: [lo, hi), permissions ("rw-p"), file
 * offset, and the name ("" when there is none). */
struct conf_maps_line {
    uintptr_t lo, hi, off;
    char perms[5];
    const char *name;
};

/* Split the line at *text (in what conf_maps_text returned) into *l,
 * ending its name in place, and move *text to the next line; 0, or -1
 * when no line is left. */
int conf_maps_next(char **text, struct conf_maps_line *l);

/* The VMAs that overlap [base, base + npages pages) from /proc/self/maps,
 * clipped to it, in pages relative to base: "0-2:rw-p 2-3:r--p", with the
 * name when there is one ("0-1:rw-s:/dev/zero (deleted)"); "(none)" when
 * none overlaps, and "maps: unavailable" when /proc/self/maps cannot be
 * read. */
const char *conf_maps(uintptr_t base, size_t npages);

/* A child process that waits until it is released, then compares
 * conf_marks(base, npages) in its own address space with want: how a
 * change made by the parent meanwhile shows in a forked copy. pid is -1
 * when the child could not be made. */
struct conf_watcher {
    long pid;
    int release; /* closing it releases the child */
};
struct conf_watcher conf_watcher_start(uintptr_t base, size_t npages, const char *want);

/* Release the watcher and wait for it: 1 when it saw want, else 0. */
int conf_watcher_saw(struct conf_watcher w);

/* The first byte of each page of [base, base + npages pages) as a
 * character: the byte itself when it is a letter, 'z' for zero, '?' else,
 * and '.' for a page mincore says is not mapped. Mapped pages must be
 * readable. */
const char *conf_marks(uintptr_t base, size_t npages);

/* Fill each page of [base, base + npages pages) with the letter c. */
void conf_fill(uintptr_t base, size_t npages, char c);

/* Whether every byte of [base, base + len) is zero. */
int conf_all_zero(uintptr_t base, size_t len);

/* ---- accesses that may fault ---- */

enum conf_access { CONF_READ, CONF_WRITE, CONF_EXEC };

/* Perform one access at addr in a child process with SIGSEGV and SIGBUS
 * handlers installed, and describe what happened: "ok"; the signal and its
 * si_code ("SIGSEGV/SEGV_MAPERR"), with " si_addr=other" when si_addr is
 * not addr; or "killed by SIGSEGV" when the child died without its
 * handler running. A write adds zero to the byte (the value is kept); an
 * exec calls addr, which must hold a return instruction (0xc3) for "ok". */
const char *conf_probe(uintptr_t addr, enum conf_access how);

/* The same access in a child without handlers: "ok" or "killed by SIGSEGV". */
const char *conf_probe_plain(uintptr_t addr, enum conf_access how);

/* Perform the access here when a child survived it (so that a wrong answer
 * from the kernel cannot end the program); returns conf_probe's text. */
const char *conf_touch(uintptr_t addr, enum conf_access how);

/* Run fn(arg) in a child process; its exit status as text: "exit 0",
 * "killed by SIGSEGV", ... */
const char *conf_in_child(int (*fn)(void *), void *arg);

/* A signal number as "SIGSEGV" (or "signal N"). */
const char *conf_signal_name(int sig);

#endif
