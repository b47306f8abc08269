/* user/tests/mm_calls.c — what mremap, madvise, mincore and brk do to
 * memory contents (errors are in errno_mm.c). Passes on Linux too. */
#include <utest.h>

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static int filled(const char *p, unsigned long len, char seed)
{
    for (unsigned long i = 0; i < len; i += 512)
        if (p[i] != (char)(seed + i / 512))
            return 0;
    return 1;
}

static void fill(char *p, unsigned long len, char seed)
{
    for (unsigned long i = 0; i < len; i += 512)
        p[i] = (char)(seed + i / 512);
}

int main(void)
{
    unsigned char vec[8];

    /* mincore: untouched pages are not resident, touched ones are. */
    char *m = (char *)sys_mmap(0, 4 * PAGE_SIZE, RW, ANON, -1, 0);
    CHECK_EQ(sys_mincore(m, 4 * PAGE_SIZE, vec), 0, "mincore of fresh memory");
    CHECK(vec[0] == 0 && vec[3] == 0, "nothing resident yet");
    m[0] = 1;
    m[2 * PAGE_SIZE] = 1;
    CHECK_EQ(sys_mincore(m, 4 * PAGE_SIZE, vec), 0, "mincore after two writes");
    CHECK(vec[0] == 1 && vec[1] == 0 && vec[2] == 1 && vec[3] == 0, "the two written pages are resident");

    /* madvise(DONTNEED): private anonymous pages read as zero afterwards. */
    fill(m, 4 * PAGE_SIZE, 5);
    CHECK_EQ(sys_madvise(m + PAGE_SIZE, 2 * PAGE_SIZE, MADV_DONTNEED), 0, "madvise DONTNEED on two pages");
    CHECK(m[PAGE_SIZE] == 0 && m[2 * PAGE_SIZE + 512] == 0, "they read as zero");
    CHECK(filled(m, PAGE_SIZE, 5) && m[3 * PAGE_SIZE] == (char)(5 + 3 * 8), "the other pages kept their data");
    CHECK_EQ(sys_madvise(m, 4 * PAGE_SIZE, MADV_WILLNEED), 0, "madvise WILLNEED");
    CHECK_EQ(sys_madvise(m, 4 * PAGE_SIZE, MADV_SEQUENTIAL), 0, "madvise SEQUENTIAL");
    CHECK_EQ(sys_msync(m, 4 * PAGE_SIZE, MS_SYNC), 0, "msync");

    /* mremap: shrink, grow in place, move. */
    CHECK_EQ(sys_mremap(m, 4 * PAGE_SIZE, 2 * PAGE_SIZE, 0, 0), (long)m, "mremap shrinks in place");
    CHECK_EQ(sys_mincore(m + 2 * PAGE_SIZE, PAGE_SIZE, vec), -ENOMEM, "the tail is gone");
    CHECK_EQ(sys_mremap(m, 2 * PAGE_SIZE, 3 * PAGE_SIZE, 0, 0), (long)m, "mremap grows in place into free space");
    CHECK(m[2 * PAGE_SIZE] == 0, "the new page is zero");
    m[2 * PAGE_SIZE] = 9;
    char *blocker = (char *)sys_mmap(m + 3 * PAGE_SIZE, PAGE_SIZE, PROT_READ, ANON | MAP_FIXED_NOREPLACE, -1, 0);
    CHECK(blocker == m + 3 * PAGE_SIZE, "map a page right after it");
    CHECK_EQ(sys_mremap(m, 3 * PAGE_SIZE, 6 * PAGE_SIZE, 0, 0), -ENOMEM, "mremap cannot grow in place now");
    char *moved = (char *)sys_mremap(m, 3 * PAGE_SIZE, 6 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
    CHECK(!sys_failed((long)moved) && moved != m, "mremap MAYMOVE moves it (%p)", (void *)moved);
    CHECK(filled(moved, PAGE_SIZE, 5) && moved[2 * PAGE_SIZE] == 9, "the data moved with it");
    CHECK(moved[5 * PAGE_SIZE] == 0, "the grown part is zero");
    CHECK_EQ(sys_mincore(m, PAGE_SIZE, vec), -ENOMEM, "the old place is unmapped");
    char *fixed = (char *)sys_mremap(moved, 6 * PAGE_SIZE, 6 * PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
                                     (void *)0x300000000UL);
    CHECK_EQ((long)fixed, 0x300000000L, "mremap FIXED moves to the given address");
    CHECK(filled(fixed, PAGE_SIZE, 5) && fixed[2 * PAGE_SIZE] == 9, "with the data");

    /* A big block grown page by page, as a C library's realloc does. */
    char *g = (char *)sys_mmap(0, 16 * PAGE_SIZE, RW, ANON, -1, 0);
    fill(g, 16 * PAGE_SIZE, 1);
    for (unsigned long n = 16; n < 256; n *= 2) {
        g = (char *)sys_mremap(g, n * PAGE_SIZE, 2 * n * PAGE_SIZE, MREMAP_MAYMOVE, 0);
        if (sys_failed((long)g))
            break;
    }
    CHECK(!sys_failed((long)g) && filled(g, 16 * PAGE_SIZE, 1), "mremap growth to 1 MiB keeps the data");

    /* mprotect splits a mapping; munmap punches holes. */
    char *s = (char *)sys_mmap(0, 5 * PAGE_SIZE, RW, ANON, -1, 0);
    fill(s, 5 * PAGE_SIZE, 3);
    CHECK_EQ(sys_mprotect(s + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0, "mprotect the second page");
    CHECK_EQ(sys_munmap(s + 3 * PAGE_SIZE, PAGE_SIZE), 0, "munmap the fourth page");
    CHECK(filled(s, 3 * PAGE_SIZE, 3) && s[4 * PAGE_SIZE] == (char)(3 + 32), "the rest keeps its data");

    /* MAP_POPULATE fills the page table at once. */
    char *p = (char *)sys_mmap(0, 4 * PAGE_SIZE, RW, ANON | MAP_POPULATE, -1, 0);
    CHECK_EQ(sys_mincore(p, 4 * PAGE_SIZE, vec), 0, "mincore of a MAP_POPULATE mapping");
    CHECK(vec[0] && vec[1] && vec[2] && vec[3], "all four pages resident");

    /* brk is byte granular: the heap covers whole pages. */
    char *b0 = (char *)sys_brk(0);
    char *b1 = (char *)sys_brk(b0 + 100);
    CHECK(b1 == b0 + 100, "brk +100");
    b0[99] = 1;
    b0[PAGE_SIZE - 1] = 2; /* same page: still mapped */
    CHECK(b0[99] == 1 && b0[PAGE_SIZE - 1] == 2, "the rest of the page is usable");
    sys_brk(b0 + 10 * PAGE_SIZE);
    fill(b0, 10 * PAGE_SIZE, 7);
    sys_brk(b0 + PAGE_SIZE);
    sys_brk(b0 + 10 * PAGE_SIZE);
    CHECK(b0[5 * PAGE_SIZE] == 0, "memory given back by brk and taken again is zero");
    utest_done();
}
