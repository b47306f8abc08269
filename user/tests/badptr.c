/* user/tests/badptr.c — every kind of bad user pointer handed to system
 * calls: each must fail with EFAULT (or the call's own error) and never
 * crash the kernel or the program. Passes on Linux too. */
#include <ufile.h>
#include <utest.h>

#define KERNEL_PTR ((void *)0xffff800000000000UL)
#define KERNEL_TEXT ((void *)0xffffffff80100000UL)
#define NONCANONICAL ((void *)0x0000800000000000UL)
#define TOP_PAGE ((void *)USER_STACK_TOP)

int main(void)
{
    /* PROT_NONE page, read-only page, then a hole (whatever a kernel put
     * above a new mapping, there is nothing right after ro). */
    long none = sys_mmap(0, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *ro = (char *)none + PAGE_SIZE;
    sys_munmap(ro + PAGE_SIZE, PAGE_SIZE);
    memcpy(ro, "/tmp/x", 7);
    sys_mprotect((void *)none, PAGE_SIZE, PROT_NONE);
    sys_mprotect(ro, PAGE_SIZE, PROT_READ);
    long gone = sys_mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sys_munmap((void *)gone, PAGE_SIZE);

    void *bad[] = {0, KERNEL_PTR, KERNEL_TEXT, NONCANONICAL, TOP_PAGE, (void *)none, (void *)gone, (void *)-1L};
    const char *names[] = {"NULL", "kernel direct map", "kernel text", "non-canonical", "top page",
                           "PROT_NONE page", "unmapped page", "(void *)-1"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char what[96];
        snprintf(what, sizeof what, "write from %s", names[i]);
        CHECK_EQ(sys_write(1, bad[i], 16), -EFAULT, what);
        snprintf(what, sizeof what, "uname into %s", names[i]);
        CHECK_EQ(sys_uname(bad[i]), -EFAULT, what);
        snprintf(what, sizeof what, "clock_gettime into %s", names[i]);
        CHECK_EQ(sys_clock_gettime(CLOCK_MONOTONIC, bad[i]), -EFAULT, what);
        snprintf(what, sizeof what, "open of a path at %s", names[i]);
        CHECK_EQ(sys_open(bad[i], O_RDONLY, 0), -EFAULT, what);
        snprintf(what, sizeof what, "fstat into %s", names[i]);
        CHECK_EQ(sys_fstat(1, bad[i]), -EFAULT, what);
        snprintf(what, sizeof what, "nanosleep from %s", names[i]);
        CHECK_EQ(sys_nanosleep(bad[i], 0), -EFAULT, what);
        snprintf(what, sizeof what, "getrandom into %s", names[i]);
        CHECK_EQ(sys_getrandom(bad[i], 16, 0), -EFAULT, what);
        snprintf(what, sizeof what, "writev with iovec at %s", names[i]);
        CHECK_EQ(sys_writev(1, bad[i], 1), -EFAULT, what);
    }

    /* Read-only memory is fine to read from, not to write into. */
    CHECK_EQ(sys_uname((struct utsname *)ro), -EFAULT, "uname into a read-only page");
    CHECK_EQ(sys_clock_gettime(CLOCK_MONOTONIC, (struct timespec *)ro), -EFAULT,
             "clock_gettime into a read-only page");
    long fd = sys_open(ro, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0, "open with the path in a read-only page");
    CHECK_EQ(sys_write((int)fd, "0123456789", 10), 10, "write ten bytes");
    CHECK_EQ(sys_lseek((int)fd, 0, SEEK_SET), 0, "seek back");
    CHECK_EQ(sys_read((int)fd, ro, 10), -EFAULT, "read into a read-only page");
    CHECK_EQ(sys_pread64((int)fd, KERNEL_PTR, 10, 0), -EFAULT, "pread into the kernel");
    CHECK_EQ(sys_read((int)fd, 0, 0), 0, "read of 0 bytes into NULL");
    /* A pipe takes a write in whole pages: one that faults part way is not
     * written at all (a regular file would keep the prefix). */
    int pfd[2];
    CHECK_EQ(sys_pipe2(pfd, 0), 0, "pipe");
    CHECK_EQ(sys_write(pfd[1], ro + PAGE_SIZE - 4, 100), -EFAULT, "write running off the end of the mapping");
    sys_close(pfd[0]);
    sys_close(pfd[1]);
    sys_close((int)fd);
    sys_unlink("/tmp/x");

    /* A path with no NUL before the end of the mapping, and one too long. */
    memset((char *)none + PAGE_SIZE, 0, 0); /* keep ro as is */
    long edge = sys_mmap(0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sys_munmap((char *)edge + PAGE_SIZE, PAGE_SIZE); /* nothing after it */
    memset((void *)edge, 'a', PAGE_SIZE);
    CHECK_EQ(sys_open((char *)edge, O_RDONLY, 0), -ENAMETOOLONG, "open of a 4096-byte path");
    CHECK_EQ(sys_open((char *)edge + 100, O_RDONLY, 0), -EFAULT, "open of a path running into unmapped memory");

    /* The iovec is good but a buffer it names is not. */
    struct iovec iov[2] = {{"good ", 5}, {KERNEL_PTR, 8}};
    long n = sys_writev(1, iov, 2);
    CHECK(n == -EFAULT, "writev with a bad second buffer -> %ld", n);
#ifdef SYS_arch_prctl
    CHECK_EQ(sys_arch_prctl(ARCH_GET_FS, (unsigned long)KERNEL_PTR), -EFAULT, "arch_prctl GET_FS into the kernel");
#endif
    CHECK_EQ(sys_prlimit64(0, RLIMIT_STACK, 0, (struct rlimit *)ro), -EFAULT, "prlimit64 old limit into read-only");
    CHECK_EQ(sys_prlimit64(0, RLIMIT_STACK, KERNEL_PTR, 0), -EFAULT, "prlimit64 new limit from the kernel");
    utest_done();
}
