/* user/tests/mmap_basic.c — the mmap test program: map an anonymous
 * region, write, read back, unmap; a four-page mapping made read-only with
 * mprotect and read again. */
#include <utest.h>

int main(void)
{
    /* One page: write, read back, unmap. */
    long r = sys_mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(!sys_failed(r), "mmap one page -> %p", (void *)r);
    char *p = (char *)r;
    CHECK(p[0] == 0 && p[PAGE_SIZE - 1] == 0, "fresh anonymous memory reads as zero");
    memcpy(p, "mmcore", 7);
    CHECK(memcmp(p, "mmcore", 7) == 0, "read back what was written");
    CHECK_EQ(sys_munmap(p, PAGE_SIZE), 0, "munmap one page");

    /* Four pages: fill, check, make read-only, read again. */
    r = sys_mmap(0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(!sys_failed(r), "mmap four pages -> %p", (void *)r);
    unsigned char *q = (unsigned char *)r;
    for (unsigned long i = 0; i < 4 * PAGE_SIZE; i++)
        q[i] = (unsigned char)(i * 7 + 3);
    int same = 1;
    for (unsigned long i = 0; i < 4 * PAGE_SIZE; i++)
        same &= q[i] == (unsigned char)(i * 7 + 3);
    CHECK(same, "four pages hold their pattern");
    CHECK_EQ(sys_mprotect(q, 4 * PAGE_SIZE, PROT_READ), 0, "mprotect four pages read-only");
    same = 1;
    for (unsigned long i = 0; i < 4 * PAGE_SIZE; i++)
        same &= q[i] == (unsigned char)(i * 7 + 3);
    CHECK(same, "read-only pages still hold their pattern");
    CHECK_EQ(sys_mprotect(q + PAGE_SIZE, PAGE_SIZE, PROT_NONE), 0, "mprotect one page PROT_NONE");
    CHECK_EQ(sys_mprotect(q + PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE), 0, "and back to read-write");
    CHECK(q[PAGE_SIZE] == (unsigned char)(PAGE_SIZE * 7 + 3), "data survives PROT_NONE and back");
    CHECK_EQ(sys_munmap(q, 4 * PAGE_SIZE), 0, "munmap four pages");

    /* A big lazy mapping: only touched pages cost memory. */
    r = sys_mmap(0, 64UL << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(!sys_failed(r), "mmap 64 MiB");
    char *big = (char *)r;
    big[0] = 1;
    big[(64UL << 20) - 1] = 2;
    CHECK(big[0] == 1 && big[(64UL << 20) - 1] == 2, "first and last byte of 64 MiB");
    CHECK_EQ(sys_munmap(big, 64UL << 20), 0, "munmap 64 MiB");
    utest_done();
}
