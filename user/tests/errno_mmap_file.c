/* user/tests/errno_mmap_file.c — every error mmap of a file can give, in
 * Linux's order where two apply: -EINVAL for an unaligned offset (before
 * the descriptor), -EBADF, -EACCES (not open for reading; MAP_SHARED with
 * PROT_WRITE on a descriptor not open for writing, and mprotect adding
 * PROT_WRITE later), -EINVAL (length 0, mapping type, MAP_GROWSDOWN,
 * MAP_HUGETLB), -ENODEV (directories, devices, pipes, /proc files),
 * -EOVERFLOW (offset + length past the largest file), -EOPNOTSUPP
 * (MAP_SHARED_VALIDATE with a flag it does not know), and what is allowed
 * (MAP_PRIVATE with PROT_WRITE on a read-only descriptor). Passes on Linux
 * too. */
#include <ufile.h>
#include <utest.h>

#define P ((long)PAGE_SIZE)
#define RW (PROT_READ | PROT_WRITE)
#define MAP_GROWSDOWN_FLAG 0x0100

static long mm(long len, int prot, int flags, int fd, long off)
{
    long r = sys_mmap(0, (size_t)len, prot, flags, fd, off);
    if (!sys_failed(r))
        sys_munmap((void *)r, (size_t)len);
    return sys_failed(r) ? r : 0;
}

int main(void)
{
    int rw = (int)sys_open("/tmp/emf", O_RDWR | O_CREAT | O_TRUNC, 0644);
    sys_ftruncate(rw, 2 * P);
    int ro = (int)sys_open("/tmp/emf", O_RDONLY, 0);
    int wo = (int)sys_open("/tmp/emf", O_WRONLY, 0);
    int path = (int)sys_open("/tmp/emf", O_PATH, 0);
    int closed = (int)sys_open("/tmp/emf", O_RDONLY, 0);
    sys_close(closed);
    CHECK(rw >= 0 && ro >= 0 && wo >= 0 && path >= 0, "open the file four ways");

    /* The descriptor. */
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE, -1, 0), -EBADF, "fd -1 without MAP_ANONYMOUS: EBADF");
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE, 999, 0), -EBADF, "fd 999: EBADF");
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE, closed, 0), -EBADF, "a closed fd: EBADF");
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE, path, 0), -EBADF, "an O_PATH fd: EBADF");
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE, -1, 1), -EINVAL, "an unaligned offset is checked first: EINVAL");
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE, rw, 100), -EINVAL, "an unaligned offset: EINVAL");
    CHECK_EQ(mm(P, RW, MAP_PRIVATE | MAP_ANONYMOUS, 999, 0), 0, "MAP_ANONYMOUS ignores the fd");

    /* Access modes. */
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE, wo, 0), -EACCES, "write-only fd, MAP_PRIVATE: EACCES");
    CHECK_EQ(mm(P, PROT_READ, MAP_SHARED, wo, 0), -EACCES, "write-only fd, MAP_SHARED: EACCES");
    CHECK_EQ(mm(P, PROT_NONE, MAP_SHARED, wo, 0), -EACCES, "write-only fd, PROT_NONE: EACCES");
    CHECK_EQ(mm(P, RW, MAP_SHARED, ro, 0), -EACCES, "read-only fd, MAP_SHARED with PROT_WRITE: EACCES");
    CHECK_EQ(mm(P, PROT_WRITE, MAP_SHARED_VALIDATE, ro, 0), -EACCES, "the same with MAP_SHARED_VALIDATE");
    CHECK_EQ(mm(P, RW, MAP_PRIVATE, ro, 0), 0, "read-only fd, MAP_PRIVATE with PROT_WRITE: allowed");
    CHECK_EQ(mm(P, RW | PROT_EXEC, MAP_SHARED, rw, 0), 0, "read-write fd, MAP_SHARED with PROT_WRITE");
    long m = sys_mmap(0, P, PROT_READ, MAP_SHARED, ro, 0);
    CHECK(!sys_failed(m), "read-only fd, MAP_SHARED, PROT_READ");
    CHECK_EQ(sys_mprotect((void *)m, P, RW), -EACCES, "mprotect adding PROT_WRITE to it: EACCES");
    CHECK_EQ(sys_mprotect((void *)m, P, PROT_READ | PROT_EXEC), 0, "adding PROT_EXEC is fine");
    sys_munmap((void *)m, P);
    m = sys_mmap(0, P, PROT_READ, MAP_SHARED, rw, 0);
    CHECK_EQ(sys_mprotect((void *)m, P, RW), 0, "from a read-write fd, mprotect may add PROT_WRITE");
    ((char *)m)[0] = 'w';
    char c = 0;
    sys_pread64(ro, &c, 1, 0);
    CHECK_EQ(c, 'w', "and the write reaches the file");
    sys_munmap((void *)m, P);
    m = sys_mmap(0, P, PROT_READ, MAP_PRIVATE, ro, 0);
    CHECK_EQ(sys_mprotect((void *)m, P, RW), 0, "a private mapping of a read-only fd may become writable");
    sys_munmap((void *)m, P);

    /* Earlier checks win over the access check. */
    CHECK_EQ(mm(0, PROT_READ, MAP_SHARED, wo, 0), -EINVAL, "length 0: EINVAL, before EACCES");
    CHECK_EQ(mm(-1, PROT_READ, MAP_SHARED, wo, 0), -ENOMEM, "a length that overflows: ENOMEM");
    long at = sys_mmap(0, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_EQ(sys_mmap((void *)at, P, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE, wo, 0), -EEXIST,
             "MAP_FIXED_NOREPLACE over a mapping: EEXIST, before EACCES");
    CHECK_EQ(sys_mmap((void *)(at + 1), P, PROT_READ, MAP_SHARED | MAP_FIXED, wo, 0), -EINVAL,
             "an unaligned MAP_FIXED address: EINVAL");
    sys_munmap((void *)at, P);
    CHECK_EQ(mm(2 * P, PROT_READ, MAP_PRIVATE, wo, 0x7ffffffffffff000L), -EOVERFLOW,
             "offset + length past the largest file: EOVERFLOW, before EACCES");
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE, ro, -P), -EOVERFLOW, "a negative offset: EOVERFLOW");
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE, ro, 0x7ffffffffffff000L), -EOVERFLOW,
             "the last page of the largest file plus one: EOVERFLOW");

    /* Flags and type. */
    CHECK_EQ(mm(P, PROT_READ, 0, ro, 0), -EINVAL, "no mapping type: EINVAL");
    CHECK_EQ(mm(P, PROT_READ, 0xf, ro, 0), -EINVAL, "mapping type 0xf: EINVAL");
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN_FLAG, ro, 0), -EINVAL, "MAP_GROWSDOWN on a file: EINVAL");
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, ro, 0), -EINVAL, "MAP_HUGETLB on a file: EINVAL");
    CHECK_EQ(mm(P, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, rw, 0), -EOPNOTSUPP,
             "MAP_SHARED_VALIDATE with MAP_SYNC: EOPNOTSUPP");
    CHECK_EQ(mm(P, PROT_READ, MAP_SHARED_VALIDATE, rw, 0), 0, "MAP_SHARED_VALIDATE alone");

    /* What cannot be mapped. */
    int dir = (int)sys_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    int null = (int)sys_open("/dev/null", O_RDWR, 0);
    int maps = (int)sys_open("/proc/self/maps", O_RDONLY, 0);
    int pipefd[2] = {-1, -1};
    sys_pipe2(pipefd, 0);
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE, dir, 0), -ENODEV, "a directory: ENODEV");
    CHECK_EQ(mm(P, PROT_READ, MAP_SHARED, null, 0), -ENODEV, "/dev/null: ENODEV");
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE, maps, 0), -ENODEV, "/proc/self/maps: ENODEV");
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE, pipefd[0], 0), -ENODEV, "a pipe: ENODEV");
    CHECK_EQ(mm(P, PROT_READ, MAP_PRIVATE, pipefd[1], 0), -EACCES, "a pipe's write end: EACCES first");
    int zero = (int)sys_open("/dev/zero", O_RDONLY, 0);
    CHECK_EQ(mm(P, RW, MAP_PRIVATE, zero, 0), 0, "/dev/zero can be mapped");
    CHECK_EQ(mm(P, RW, MAP_SHARED, zero, 0), -EACCES, "/dev/zero read-only, shared and writable: EACCES");

    sys_unlink("/tmp/emf");
    utest_done();
}
