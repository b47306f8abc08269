/* user/demo/demo_cow.c — fork with copy-on-write: after fork parent and
 * child share every page; the first write to a page gives the writer its
 * own copy, so each sees only its own changes. */
#include <ulib.h>

#define PAGES 256

static unsigned long elapsed_us(const struct timespec *a, const struct timespec *b)
{
    return (unsigned long)((b->tv_sec - a->tv_sec) * 1000000L + (b->tv_nsec - a->tv_nsec) / 1000);
}

int main(void)
{
    char *p = (char *)sys_mmap(0, PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < PAGES; i++)
        p[i * PAGE_SIZE] = 'P';
    printf("parent filled %d pages with 'P'\n", PAGES);
    flush();
    struct timespec t0, t1;
    long pid = sys_fork();
    if (pid == 0) {
        int same = 1;
        for (int i = 0; i < PAGES; i++)
            same &= p[i * PAGE_SIZE] == 'P';
        printf("child: sees the parent's data: %s\n", same ? "yes" : "no");
        sys_clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < PAGES; i++)
            p[i * PAGE_SIZE] = 'C';
        sys_clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("child: wrote 'C' into all %d pages (each first write copies a page: %lu us)\n", PAGES,
               elapsed_us(&t0, &t1));
        sys_clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < PAGES; i++)
            p[i * PAGE_SIZE + 1] = 'c';
        sys_clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("child: wrote them again (no copies now: %lu us)\n", elapsed_us(&t0, &t1));
        exit(0);
    }
    int status;
    sys_wait4((int)pid, &status, 0, 0);
    int mine = 1;
    for (int i = 0; i < PAGES; i++)
        mine &= p[i * PAGE_SIZE] == 'P';
    printf("parent: after the child exited, all pages still hold 'P': %s\n", mine ? "yes" : "no");
    p[0] = 'Q';
    printf("parent: writing needs no copy now that the child is gone: p[0] = '%c'\n", p[0]);
    return mine ? 0 : 1;
}
