/* user/tests/exhaust.c — running the machine out of resources must cost
 * the greedy process, never the kernel: a child that touches more memory
 * than exists is killed (SIGKILL, as by Linux's OOM killer); files in /tmp
 * fill memory until writes fail; forking stops at the process limit. After
 * each, the parent checks that the system still works. For mmcore only
 * (on Linux this would really exhaust the machine). */
#include <utest.h>

static void still_works(const char *after)
{
    char *p = (char *)sys_mmap(0, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int ok = !sys_failed((long)p);
    if (ok) {
        memset(p, 1, 16 * PAGE_SIZE);
        ok = p[16 * PAGE_SIZE - 1] == 1;
        sys_munmap(p, 16 * PAGE_SIZE);
    }
    CHECK(ok, "memory still works after %s", after);
}

int main(void)
{
    /* 1. A child touches 1 GiB on a 256 MiB machine. */
    long pid = sys_fork();
    if (pid == 0) {
        unsigned long len = 1UL << 30;
        /* MAP_NORESERVE: Linux's overcommit check would refuse 1 GiB of
         * committed memory here before a page is touched. */
        char *p = (char *)sys_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        for (unsigned long off = 0; off < len; off += PAGE_SIZE)
            p[off] = 1;
        sys_exit_group(0);
    }
    int status = 0;
    sys_wait4((int)pid, &status, 0, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == 9, "the memory hog was killed by SIGKILL (status %x)", status);
    still_works("the memory hog");

    /* 2. Files in /tmp until memory runs out. */
    static char block[65536];
    memset(block, 'f', sizeof block);
    long fd = sys_open("/tmp/filler", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    long total = 0, n;
    while ((n = sys_write((int)fd, block, sizeof block)) > 0)
        total += n;
    CHECK(n == -ENOMEM || n == -28 /* ENOSPC */, "writing stops with an error (%s) after %ld MiB",
          strerror_name(n), total >> 20);
    sys_close((int)fd);
    CHECK_EQ(sys_unlink("/tmp/filler"), 0, "the file can be removed");
    still_works("filling /tmp");

    /* 3. Fork until the process table is full. */
    long children = 0, err = 0;
    for (;;) {
        pid = sys_fork();
        if (pid == 0)
            sys_exit_group(0);
        if (pid < 0) {
            err = pid;
            break;
        }
        children++;
        if (children > 10000)
            break;
    }
    CHECK(err == -EAGAIN, "fork stops at the process limit with EAGAIN (%s) after %ld children",
          strerror_name(err), children);
    while (sys_wait4(-1, &status, 0, 0) > 0)
        ;
    pid = sys_fork();
    if (pid == 0)
        sys_exit_group(5);
    sys_wait4((int)pid, &status, 0, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5, "fork works again once they are reaped");
    still_works("the fork storm");
    utest_done();
}
