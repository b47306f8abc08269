/* user/tests/leaks.c — the kernel gives back what it takes: free memory
 * (sysinfo) after many rounds of fork/exec/exit, mmap/munmap, file
 * create/write/unlink and failing calls is what it was after the first
 * round. For mmcore (Linux's free memory moves for its own reasons). */
#include <utest.h>

struct sysinfo_s {
    long uptime;
    unsigned long loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    unsigned short procs, pad;
    unsigned pad2;
    unsigned long totalhigh, freehigh;
    unsigned mem_unit;
    char reserved[4];
};

static unsigned long free_pages(void)
{
    struct sysinfo_s si;
    if (syscall1(SYS_sysinfo, &si))
        return 0;
    return si.freeram * si.mem_unit / PAGE_SIZE;
}

static void round_of_work(char *self)
{
    int status;
    long pid = sys_fork();
    if (pid == 0) {
        char *args[] = {self, "child", 0};
        sys_execve(self, args, 0);
        sys_exit_group(1);
    }
    sys_wait4((int)pid, &status, 0, 0);
    pid = sys_fork();
    if (pid == 0)
        *(volatile int *)0 = 0; /* dies by SIGSEGV */
    sys_wait4((int)pid, &status, 0, 0);

    char *p = (char *)sys_mmap(0, 64 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 7, 64 * PAGE_SIZE);
    p = (char *)sys_mremap(p, 64 * PAGE_SIZE, 128 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
    sys_mprotect(p + PAGE_SIZE, PAGE_SIZE, PROT_READ);
    sys_munmap(p, 128 * PAGE_SIZE);
    char *s = (char *)sys_mmap(0, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(s, 1, 8 * PAGE_SIZE);
    sys_munmap(s, 8 * PAGE_SIZE);
    char *b = (char *)sys_brk(0);
    sys_brk(b + 20 * PAGE_SIZE);
    memset(b, 1, 20 * PAGE_SIZE);
    sys_brk(b);

    long fd = sys_open("/tmp/leak", O_RDWR | O_CREAT | O_TRUNC, 0600);
    static char buf[3 * 4096 + 5];
    sys_write((int)fd, buf, sizeof buf);
    sys_close((int)fd);
    sys_unlink("/tmp/leak");
    sys_open("/nonexistent/x", O_RDONLY, 0);
    sys_write(1, (void *)0xffff800000000000UL, 100);
    sys_execve("/nonexistent", 0, 0);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return 0;
    round_of_work(argv[0]);
    unsigned long before = free_pages();
    CHECK(before > 0, "sysinfo reports %lu free pages", before);
    for (int i = 0; i < 100; i++)
        round_of_work(argv[0]);
    unsigned long after = free_pages();
    long lost = (long)before - (long)after;
    CHECK(lost < 16, "100 more rounds lost %ld pages", lost);
    utest_done();
}
