/* user/tests/errno_mm.c — the memory calls' error cases, each with the
 * errno Linux returns (this program passes on Linux too). */
#include <utest.h>

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static long map(void *addr, size_t len, int prot, int flags) { return sys_mmap(addr, len, prot, flags, -1, 0); }

int main(void)
{
    /* mmap */
    CHECK_EQ(map(0, 0, RW, ANON), -EINVAL, "mmap length 0");
    CHECK_EQ(sys_mmap(0, PAGE_SIZE, RW, ANON, -1, 100), -EINVAL, "mmap unaligned offset");
    CHECK_EQ(map(0, PAGE_SIZE, RW, MAP_ANONYMOUS), -EINVAL, "mmap without MAP_PRIVATE or MAP_SHARED");
    CHECK_EQ(map((void *)0x10000123, PAGE_SIZE, RW, ANON | MAP_FIXED), -EINVAL, "mmap MAP_FIXED unaligned address");
    CHECK_EQ(sys_mmap(0, PAGE_SIZE, RW, MAP_PRIVATE, -1, 0), -EBADF, "mmap of fd -1 without MAP_ANONYMOUS");
    CHECK_EQ(sys_mmap(0, PAGE_SIZE, RW, MAP_PRIVATE, 77, 0), -EBADF, "mmap of a closed fd");
    CHECK_EQ(map(0, 1UL << 62, RW, ANON), -ENOMEM, "mmap 2^62 bytes");
    CHECK_EQ(map(0, -PAGE_SIZE, RW, ANON), -ENOMEM, "mmap length that overflows when rounded");
    /* EPERM, unless the caller may map low pages (CAP_SYS_RAWIO on Linux). */
    long low = map((void *)0x1000, PAGE_SIZE, RW, ANON | MAP_FIXED);
    CHECK(low == -EPERM || low == 0x1000, "mmap MAP_FIXED below mmap_min_addr -> %s",
          low == -EPERM ? "EPERM" : "allowed");
    if (low == 0x1000)
        sys_munmap((void *)low, PAGE_SIZE);
    CHECK_EQ(map((void *)(USER_STACK_TOP - PAGE_SIZE), 2 * PAGE_SIZE, RW, ANON | MAP_FIXED), -ENOMEM,
             "mmap MAP_FIXED across the top of user space");
    long a = map(0, 2 * PAGE_SIZE, RW, ANON);
    CHECK(!sys_failed(a), "mmap two pages");
    CHECK_EQ(map((void *)(a + PAGE_SIZE), PAGE_SIZE, RW, ANON | MAP_FIXED_NOREPLACE), -EEXIST,
             "mmap MAP_FIXED_NOREPLACE over a mapping");
    CHECK_EQ(map((void *)a, PAGE_SIZE, RW, ANON | MAP_FIXED), a, "mmap MAP_FIXED over a mapping replaces it");
    long hint = map((void *)0x200000000UL, PAGE_SIZE, RW, ANON);
    CHECK_EQ(hint, 0x200000000UL, "mmap honours a free hint");
    CHECK_EQ(map((void *)(0x200000000UL + 12), PAGE_SIZE, RW, ANON) & (PAGE_SIZE - 1), 0,
             "mmap with an unaligned hint returns an aligned address");

    /* munmap */
    CHECK_EQ(sys_munmap((void *)(a + 1), PAGE_SIZE), -EINVAL, "munmap unaligned");
    CHECK_EQ(sys_munmap((void *)a, 0), -EINVAL, "munmap length 0");
    CHECK_EQ(sys_munmap((void *)(USER_STACK_TOP - PAGE_SIZE), 2 * PAGE_SIZE), -EINVAL, "munmap across the top");
    CHECK_EQ(sys_munmap((void *)0xffff800000000000UL, PAGE_SIZE), -EINVAL, "munmap of a kernel address");
    CHECK_EQ(sys_munmap((void *)0x300000000UL, PAGE_SIZE), 0, "munmap of nothing succeeds");
    CHECK_EQ(sys_munmap((void *)a, 2 * PAGE_SIZE), 0, "munmap two pages");

    /* mprotect */
    long b = map(0, 3 * PAGE_SIZE, RW, ANON);
    CHECK_EQ(sys_mprotect((void *)(b + 1), PAGE_SIZE, PROT_READ), -EINVAL, "mprotect unaligned");
    CHECK_EQ(sys_mprotect((void *)b, PAGE_SIZE, 0x80), -EINVAL, "mprotect unknown bits");
    CHECK_EQ(sys_mprotect((void *)b, PAGE_SIZE, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), -EINVAL,
             "mprotect GROWSDOWN and GROWSUP");
    CHECK_EQ(sys_mprotect((void *)0x300000000UL, PAGE_SIZE, PROT_READ), -ENOMEM, "mprotect unmapped");
    CHECK_EQ(sys_munmap((void *)(b + PAGE_SIZE), PAGE_SIZE), 0, "punch a hole");
    CHECK_EQ(sys_mprotect((void *)b, 3 * PAGE_SIZE, PROT_READ), -ENOMEM, "mprotect across a hole");
    CHECK_EQ(sys_mprotect((void *)b, 0, PROT_READ), 0, "mprotect length 0");
    CHECK_EQ(sys_mprotect((void *)b, PAGE_SIZE, PROT_NONE), 0, "mprotect PROT_NONE");

    /* brk */
    long cur = sys_brk(0);
    CHECK(cur > 0, "brk(0) gives the break");
    CHECK_EQ(sys_brk((void *)(cur + 10)), cur + 10, "brk grows by 10 bytes");
    *(volatile char *)(cur + 9) = 1;
    CHECK_EQ(sys_brk((void *)(cur + 3 * PAGE_SIZE + 5)), cur + 3 * PAGE_SIZE + 5, "brk grows by three pages");
    *(volatile char *)(cur + 3 * PAGE_SIZE) = 1;
    CHECK_EQ(sys_brk((void *)(cur + 1)), cur + 1, "brk shrinks");
    CHECK_EQ(sys_brk((void *)0x1000), cur + 1, "brk below the heap start fails (break unchanged)");
    CHECK_EQ(sys_brk((void *)0xffff800000000000UL), cur + 1, "brk into the kernel fails");
    CHECK_EQ(sys_brk((void *)cur), cur, "brk back to the start");

    /* mremap */
    long c = map(0, 2 * PAGE_SIZE, RW, ANON);
    CHECK_EQ(sys_mremap((void *)(c + 1), PAGE_SIZE, PAGE_SIZE, 0, 0), -EINVAL, "mremap unaligned");
    CHECK_EQ(sys_mremap((void *)c, PAGE_SIZE, 0, 0, 0), -EINVAL, "mremap to length 0");
    CHECK_EQ(sys_mremap((void *)c, PAGE_SIZE, PAGE_SIZE, 0x40, 0), -EINVAL, "mremap unknown flag");
    CHECK_EQ(sys_mremap((void *)c, PAGE_SIZE, PAGE_SIZE, MREMAP_FIXED, 0), -EINVAL, "mremap FIXED without MAYMOVE");
    CHECK_EQ(sys_mremap((void *)0x300000000UL, PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE, 0), -EFAULT,
             "mremap of unmapped memory");
    CHECK_EQ(sys_mremap((void *)c, 4 * PAGE_SIZE, 5 * PAGE_SIZE, MREMAP_MAYMOVE, 0), -EFAULT,
             "mremap of more than the mapping");

    /* madvise, msync, mincore */
    unsigned char vec[4];
    CHECK_EQ(sys_madvise((void *)(c + 1), PAGE_SIZE, MADV_DONTNEED), -EINVAL, "madvise unaligned");
    CHECK_EQ(sys_madvise((void *)c, PAGE_SIZE, 9999), -EINVAL, "madvise unknown advice");
    CHECK_EQ(sys_madvise((void *)0x300000000UL, PAGE_SIZE, MADV_NORMAL), -ENOMEM, "madvise unmapped");
    CHECK_EQ(sys_msync((void *)(c + 1), PAGE_SIZE, MS_SYNC), -EINVAL, "msync unaligned");
    CHECK_EQ(sys_msync((void *)c, PAGE_SIZE, MS_SYNC | MS_ASYNC), -EINVAL, "msync SYNC and ASYNC");
    CHECK_EQ(sys_msync((void *)c, PAGE_SIZE, 0x100), -EINVAL, "msync unknown flag");
    CHECK_EQ(sys_msync((void *)0x300000000UL, PAGE_SIZE, MS_SYNC), -ENOMEM, "msync unmapped");
    CHECK_EQ(sys_msync((void *)c, PAGE_SIZE, MS_ASYNC), 0, "msync of anonymous memory");
    CHECK_EQ(sys_mincore((void *)(c + 1), PAGE_SIZE, vec), -EINVAL, "mincore unaligned");
    CHECK_EQ(sys_mincore((void *)0x300000000UL, PAGE_SIZE, vec), -ENOMEM, "mincore unmapped");
    CHECK_EQ(sys_mincore((void *)c, PAGE_SIZE, (unsigned char *)8), -EFAULT, "mincore bad vector");
    CHECK_EQ(sys_mincore((void *)c, 0, vec), 0, "mincore length 0");
    utest_done();
}
