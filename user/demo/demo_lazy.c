/* user/demo/demo_lazy.c — demand paging: a mapping costs nothing until it
 * is touched. mincore shows which pages are in memory. */
#include <ulib.h>

static unsigned long resident(void *p, unsigned long len)
{
    static unsigned char vec[65536];
    unsigned long pages = len / PAGE_SIZE, n = 0;
    for (unsigned long off = 0; off < pages; off += sizeof vec) {
        unsigned long chunk = pages - off < sizeof vec ? pages - off : sizeof vec;
        if (sys_mincore((char *)p + off * PAGE_SIZE, chunk * PAGE_SIZE, vec))
            return (unsigned long)-1;
        for (unsigned long i = 0; i < chunk; i++)
            n += vec[i] & 1;
    }
    return n;
}

int main(void)
{
    unsigned long len = 1UL << 30; /* 1 GiB: more than this machine's memory */
    /* MAP_NORESERVE: without it Linux's overcommit check (and mmcore's)
     * refuses 1 GiB of committed memory on a 256 MiB machine. */
    char *p = (char *)sys_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    printf("mapped 1 GiB at %p (the machine has 256 MiB)\n", (void *)p);
    printf("  resident pages: %lu\n", resident(p, len));
    for (unsigned long off = 0; off < len; off += 64UL << 20)
        p[off] = 1;
    printf("wrote one byte every 64 MiB\n");
    printf("  resident pages: %lu\n", resident(p, len));
    unsigned long sum = 0;
    for (unsigned long off = PAGE_SIZE; off < len; off += 64UL << 20)
        sum += (unsigned char)p[off];
    printf("read one untouched page in each 64 MiB: sum %lu (untouched memory reads as zero)\n", sum);
    printf("  resident pages: %lu (reads map the shared zero page)\n", resident(p, len));
    sys_madvise(p, len, MADV_DONTNEED);
    printf("madvise(MADV_DONTNEED) on all of it\n");
    printf("  resident pages: %lu\n", resident(p, len));
    sys_munmap(p, len);

    char *q = (char *)sys_mmap(0, 64 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                               -1, 0);
    printf("MAP_POPULATE of 64 pages: resident pages: %lu\n", resident(q, 64 * PAGE_SIZE));
    return 0;
}
