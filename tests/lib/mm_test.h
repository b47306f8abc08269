/* tests/lib/mm_test.h — helpers shared by the hosted mm/ tests: a fresh
 * machine and space, invariant checks after each step, user accesses
 * through the software MMU, and a compact description of the VMA list. */
#ifndef MM_TEST_H
#define MM_TEST_H

#include <hosted/hosted.h>
#include <mm/check.h>
#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/mman.h>
#include <mm/space.h>
#include <mm/uaccess.h>
#include <stdio.h>

#include "test.h"

#define T_MACHINE_PAGES 8192 /* 32 MiB of simulated memory */

/* Shorthands of the mm/ tests: B is a quiet place for fixed mappings. */
#define B 0x10000000ull
#define P PAGE_SIZE
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

/* mmap(a, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED). */
static inline int64_t map_fixed(struct space *s, uaddr_t a, uint64_t len, unsigned long prot)
{
    return space_map(s, a, len, prot, ANON | MAP_FIXED, 0, 0, false);
}

/* A fresh machine and one space with the given policy (defaults otherwise).
 * The space is drawn into any failure report. */
struct space *t_space(enum space_policy policy);
struct space *t_space_cfg(const struct space_config *cfg);

/* Destroy the space and check that every frame came back. */
void t_space_done(struct space *s);

/* space_check and frames_check (for the spaces made by t_space*) must
 * pass; a failure names the caller's line. */
#define T_CHECK(s) t_check_at((s), __FILE__, __LINE__)
void t_check_at(struct space *s, const char *file, int line);

/* The same over n spaces and the file objects a file system holds
 * (pages only they keep are not leaks). */
#define T_CHECK_ALL(s, n, objs, nobjs) t_check_all_at((s), (n), (objs), (nobjs), __FILE__, __LINE__)
void t_check_all_at(struct space **s, unsigned n, struct vm_object **objs, unsigned nobjs, const char *file,
                    int line);

/* A scratch array big enough for frames_check now. */
uint32_t *t_frames_scratch(void);

/* The VMAs ending above base as "start-end perms" items separated by
 * spaces, addresses relative to base, in pages: e.g. "0-4 rw-p 6-8 r--s". */
const char *t_layout(struct space *s, uaddr_t base);

/* User accesses of one byte; return FAULT_OK or the fault. */
enum fault_result t_read(struct space *s, uaddr_t va, uint8_t *out);
enum fault_result t_write(struct space *s, uaddr_t va, uint8_t val);
enum fault_result t_exec(struct space *s, uaddr_t va);

/* The byte at va, which must be readable (a failure names the caller). */
#define t_byte(s, va) t_byte_at((s), (va), __FILE__, __LINE__)
uint8_t t_byte_at(struct space *s, uaddr_t va, const char *file, int line);

/* The frame of va's leaf, or 0 when there is none. */
paddr_t t_leaf(struct space *s, uaddr_t va);

/* The page cache's frame of page pgoff of file f, or 0 when not cached. */
paddr_t t_cache_page(struct vm_object *f, uint64_t pgoff);

/* mmap of file object obj, opened for reading and writing. */
int64_t t_map_file(struct space *s, uaddr_t a, uint64_t len, unsigned long prot, unsigned long flags,
                   struct vm_object *obj, uint64_t off);

/* Print the space as a maps listing and an ASCII bar of pages. */
void t_space_draw(struct space *s, FILE *f);

#endif
