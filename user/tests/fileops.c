/* user/tests/fileops.c — the writable file system beyond read and write:
 * open flags (O_EXCL, O_TRUNC, O_APPEND with pwrite), ftruncate and
 * truncate, rename in all its cases, mkdir/rmdir and getdents64, dup, dup2
 * and dup3, fcntl (F_GETFD, F_SETFD, F_DUPFD_CLOEXEC, F_GETFL, F_SETFL),
 * pipes (blocking, O_NONBLOCK, end of file, EPIPE and SIGPIPE, a large
 * transfer between processes) and close-on-exec across execve. Passes on
 * Linux too (fileops cloexec-check A B is the exec'd half). */
#include <ufile.h>
#include <usignal.h>
#include <utest.h>

static long fd_flags(int fd) { return sys_fcntl(fd, F_GETFD, 0); }

static int name_in_dir(const char *dir, const char *name, int type)
{
    static char buf[4096];
    int fd = (int)sys_open(dir, O_RDONLY | O_DIRECTORY, 0);
    long n, found = 0;
    while ((n = sys_getdents64(fd, buf, sizeof buf)) > 0)
        for (long off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            if (!strcmp(d->d_name, name))
                found = d->d_type == type ? 1 : -1;
            off += d->d_reclen;
        }
    sys_close(fd);
    return (int)found;
}

static void open_flags_and_sizes(void)
{
    sys_unlink("/tmp/fo-a");
    long fd = sys_open("/tmp/fo-a", O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0, "O_CREAT|O_EXCL makes a new file");
    CHECK_EQ(sys_open("/tmp/fo-a", O_RDWR | O_CREAT | O_EXCL, 0600), -EEXIST, "and refuses an existing one");
    sys_write((int)fd, "0123456789", 10);
    long ap = sys_open("/tmp/fo-a", O_WRONLY | O_APPEND, 0);
    CHECK_EQ(sys_pwrite64((int)ap, "A", 1, 0), 1, "pwrite on an O_APPEND descriptor");
    char buf[16] = {0};
    sys_pread64((int)fd, buf, 16, 0);
    CHECK(!memcmp(buf, "0123456789A", 11), "appends anyway, as on Linux");
    long ro = sys_open("/tmp/fo-a", O_RDONLY, 0);
    CHECK_EQ(sys_ftruncate((int)ro, 0), -EINVAL, "ftruncate of a read-only descriptor: EINVAL");
    CHECK_EQ(sys_ftruncate((int)fd, -1), -EINVAL, "ftruncate to a negative size: EINVAL");
    CHECK_EQ(sys_ftruncate((int)fd, 4), 0, "ftruncate to 4");
    struct stat st;
    sys_fstat((int)ro, &st);
    CHECK_EQ(st.st_size, 4, "the size is 4");
    CHECK_EQ(sys_truncate("/tmp/fo-a", 8192), 0, "truncate by name to 8192");
    CHECK(sys_pread64((int)ro, buf, 8, 2) == 8 && !memcmp(buf, "23\0\0\0\0\0\0", 8), "it grew with zeros");
    CHECK_EQ(sys_truncate("/tmp", 0), -EISDIR, "truncate of a directory: EISDIR");
    long tr = sys_open("/tmp/fo-a", O_RDWR | O_TRUNC, 0);
    sys_fstat((int)tr, &st);
    CHECK_EQ(st.st_size, 0, "O_TRUNC empties it");
    sys_close((int)fd);
    sys_close((int)ap);
    sys_close((int)ro);
    sys_close((int)tr);
}

static void renames(void)
{
    sys_mkdir("/tmp/fo-d1", 0755);
    sys_mkdir("/tmp/fo-d2", 0755);
    long fd = sys_open("/tmp/fo-d1/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    sys_write((int)fd, "old", 3);
    CHECK_EQ(sys_rename("/tmp/fo-d1/f", "/tmp/fo-d1/g"), 0, "rename in one directory");
    struct stat st;
    CHECK_EQ(sys_newfstatat(AT_FDCWD, "/tmp/fo-d1/f", &st, 0), -ENOENT, "the old name is gone");
    CHECK_EQ(sys_rename("/tmp/fo-d1/g", "/tmp/fo-d2/h"), 0, "rename into another directory");
    char buf[8] = {0};
    long h = sys_open("/tmp/fo-d2/h", O_RDONLY, 0);
    CHECK(sys_read((int)h, buf, 8) == 3 && !memcmp(buf, "old", 3), "the data moved with it");
    long other = sys_open("/tmp/fo-d2/other", O_RDWR | O_CREAT | O_TRUNC, 0644);
    sys_write((int)other, "new", 3);
    CHECK_EQ(sys_rename("/tmp/fo-d2/other", "/tmp/fo-d2/h"), 0, "rename over an existing file");
    sys_pread64((int)h, buf, 8, 0);
    CHECK(!memcmp(buf, "old", 3), "the replaced file stays readable while open");
    long h2 = sys_open("/tmp/fo-d2/h", O_RDONLY, 0);
    sys_read((int)h2, buf, 8);
    CHECK(!memcmp(buf, "new", 3), "the name now has the new file");
    /* Over a name made after it, many times (the directory's entries move). */
    int over_ok = 1;
    for (int i = 0; i < 50; i++) {
        long a = sys_open("/tmp/fo-d2/first", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        long b = sys_open("/tmp/fo-d2/second", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        sys_write((int)a, "1", 1);
        over_ok &= sys_rename("/tmp/fo-d2/first", "/tmp/fo-d2/second") == 0;
        sys_close((int)a);
        sys_close((int)b);
    }
    long sec = sys_open("/tmp/fo-d2/second", O_RDONLY, 0);
    CHECK(over_ok && sys_read((int)sec, buf, 8) == 1 && buf[0] == '1', "rename over a newer name, 50 times");
    CHECK_EQ(sys_newfstatat(AT_FDCWD, "/tmp/fo-d2/first", &st, 0), -ENOENT, "the old name is gone");
    sys_close((int)sec);
    sys_unlink("/tmp/fo-d2/second");
    CHECK_EQ(sys_rename("/tmp/fo-missing", "/tmp/fo-x"), -ENOENT, "rename of a missing name: ENOENT");
    CHECK_EQ(sys_rename("/tmp/fo-d2/h", "/tmp/fo-d1"), -EISDIR, "a file over a directory: EISDIR");
    CHECK_EQ(sys_rename("/tmp/fo-d1", "/tmp/fo-d2/h"), -ENOTDIR, "a directory over a file: ENOTDIR");
    CHECK_EQ(sys_rename("/tmp/fo-d1", "/tmp/fo-d1/sub"), -EINVAL, "a directory into itself: EINVAL");
    CHECK_EQ(sys_rename("/tmp/fo-d1", "/tmp/fo-d2"), -ENOTEMPTY, "over a non-empty directory: ENOTEMPTY");
    CHECK_EQ(sys_renameat2(AT_FDCWD, "/tmp/fo-d2/h", AT_FDCWD, "/tmp/fo-d2/h", RENAME_NOREPLACE), -EEXIST,
             "RENAME_NOREPLACE onto an existing name: EEXIST");
    CHECK_EQ(sys_rename("/tmp/fo-d2/h", "/tmp/fo-d2/h"), 0, "rename onto itself: nothing to do");
    sys_mkdir("/tmp/fo-d3", 0755);
    CHECK_EQ(sys_rename("/tmp/fo-d1", "/tmp/fo-d3"), 0, "a directory over an empty one");
    CHECK_EQ(sys_newfstatat(AT_FDCWD, "/tmp/fo-d1", &st, 0), -ENOENT, "the old directory name is gone");
    CHECK_EQ(sys_newfstatat(AT_FDCWD, "/tmp/fo-d3", &st, 0), 0, "the new one is there");
    CHECK((st.st_mode & S_IFMT) == S_IFDIR, "as a directory");
    sys_close((int)fd);
    sys_close((int)h);
    sys_close((int)h2);
    sys_close((int)other);
    sys_unlink("/tmp/fo-d2/h");
    sys_rmdir("/tmp/fo-d2");
    sys_rmdir("/tmp/fo-d3");
}

static void directories(void)
{
    CHECK_EQ(sys_mkdir("/tmp/fo-dir", 0755), 0, "mkdir");
    CHECK_EQ(sys_mkdir("/tmp/fo-dir", 0755), -EEXIST, "mkdir again: EEXIST");
    CHECK_EQ(sys_mkdir("/tmp/fo-dir/sub", 0755), 0, "mkdir inside it");
    long fd = sys_open("/tmp/fo-dir/file", O_WRONLY | O_CREAT, 0644);
    sys_close((int)fd);
    CHECK_EQ(name_in_dir("/tmp/fo-dir", "sub", 4), 1, "getdents64 lists the subdirectory (DT_DIR)");
    CHECK_EQ(name_in_dir("/tmp/fo-dir", "file", 8), 1, "and the file (DT_REG)");
    CHECK_EQ(name_in_dir("/tmp/fo-dir", ".", 4), 1, "and '.'");
    CHECK_EQ(name_in_dir("/tmp/fo-dir", "..", 4), 1, "and '..'");
    CHECK_EQ(sys_rmdir("/tmp/fo-dir"), -ENOTEMPTY, "rmdir of a non-empty directory: ENOTEMPTY");
    CHECK_EQ(sys_rmdir("/tmp/fo-dir/file"), -ENOTDIR, "rmdir of a file: ENOTDIR");
    sys_unlink("/tmp/fo-dir/file");
    sys_rmdir("/tmp/fo-dir/sub");
    CHECK_EQ(name_in_dir("/tmp/fo-dir", "file", 8), 0, "unlink took the name out");
    CHECK_EQ(sys_rmdir("/tmp/fo-dir"), 0, "rmdir once empty");
}

static void descriptors(void)
{
    long fd = sys_open("/tmp/fo-a", O_RDWR | O_CREAT | O_TRUNC, 0644);
    sys_write((int)fd, "abcdef", 6);
    long d = sys_dup((int)fd);
    CHECK(d > fd, "dup gives a new descriptor");
    sys_lseek((int)fd, 2, SEEK_SET);
    char c = 0;
    sys_read((int)d, &c, 1);
    CHECK_EQ(c, 'c', "which shares the file position");
#if !defined(__aarch64__)
    CHECK_EQ(syscall2(33, fd, fd), fd, "dup2 onto itself returns it");
    CHECK_EQ(syscall2(33, 999, 999), -EBADF, "dup2 of a bad descriptor onto itself: EBADF");
#endif
    CHECK_EQ(sys_dup3((int)fd, (int)fd, 0), -EINVAL, "dup3 onto itself: EINVAL");
    CHECK_EQ(sys_dup3((int)fd, 100, 0100), -EINVAL, "dup3 with a bad flag: EINVAL");
    CHECK_EQ(sys_dup3((int)fd, 100, O_CLOEXEC), 100, "dup3 to 100 with O_CLOEXEC");
    CHECK_EQ(fd_flags(100), FD_CLOEXEC, "100 is close-on-exec");
    CHECK_EQ(fd_flags((int)fd), 0, "the original is not");
    long z = sys_open("/dev/null", O_RDONLY, 0);
    CHECK_EQ(sys_dup3((int)fd, (int)z, 0), z, "dup3 over an open descriptor");
    CHECK_EQ(sys_read((int)z, &c, 1), 1, "it now reads the file, not /dev/null");
    CHECK_EQ(sys_dup3(999, 101, 0), -EBADF, "dup3 of a bad descriptor: EBADF");
    CHECK_EQ(sys_dup3((int)fd, 100000, 0), -EBADF, "dup3 to a descriptor past the limit: EBADF");

    CHECK_EQ(sys_fcntl((int)fd, F_SETFD, FD_CLOEXEC), 0, "F_SETFD");
    CHECK_EQ(fd_flags((int)fd), FD_CLOEXEC, "F_GETFD sees it");
    sys_fcntl((int)fd, F_SETFD, 0);
    long e = sys_fcntl((int)fd, F_DUPFD_CLOEXEC, 50);
    CHECK(e >= 50, "F_DUPFD_CLOEXEC at or above 50 (%ld)", e);
    CHECK_EQ(fd_flags((int)e), FD_CLOEXEC, "with close-on-exec");
    long f = sys_fcntl((int)fd, F_DUPFD, 50);
    CHECK(f > e, "F_DUPFD takes the next free one above");
    CHECK_EQ(fd_flags((int)f), 0, "without close-on-exec");
#if !defined(__aarch64__)
    CHECK_EQ(sys_fcntl((int)fd, F_GETFL, 0), O_RDWR | O_LARGEFILE_X86, "F_GETFL: O_RDWR and O_LARGEFILE");
    long w = sys_open("/tmp/fo-a", O_WRONLY | O_APPEND | O_CREAT, 0644);
    CHECK_EQ(sys_fcntl((int)w, F_GETFL, 0), O_WRONLY | O_APPEND | O_LARGEFILE_X86, "F_GETFL keeps O_APPEND");
    sys_close((int)w);
#endif
    CHECK_EQ(sys_fcntl((int)fd, F_SETFL, O_APPEND), 0, "F_SETFL O_APPEND");
    sys_write((int)fd, "Z", 1);
    sys_pread64((int)fd, &c, 1, 6);
    CHECK_EQ(c, 'Z', "writes now go to the end");
    CHECK_EQ(sys_fcntl(999, F_GETFD, 0), -EBADF, "fcntl on a bad descriptor: EBADF");
    CHECK_EQ(sys_fcntl((int)fd, 9999, 0), -EINVAL, "an unknown command: EINVAL");
    sys_close((int)fd);
    sys_close((int)d);
    sys_close(100);
    sys_close((int)z);
    sys_close((int)e);
    sys_close((int)f);
    sys_unlink("/tmp/fo-a");
}

static void die_writing(int fd)
{
    sys_write(fd, "x", 1);
    sys_exit_group(0);
}

static void pipes(void)
{
    int p[2] = {-1, -1};
    CHECK_EQ(sys_pipe2(p, 0100), -EINVAL, "pipe2 with a bad flag: EINVAL");
    CHECK_EQ(sys_pipe2(p, O_CLOEXEC), 0, "pipe2(O_CLOEXEC)");
    CHECK(fd_flags(p[0]) == FD_CLOEXEC && fd_flags(p[1]) == FD_CLOEXEC, "both ends close-on-exec");
    struct stat st;
    sys_fstat(p[0], &st);
    CHECK_EQ(st.st_mode & S_IFMT, S_IFIFO, "fstat: a FIFO");
    CHECK_EQ(sys_lseek(p[0], 0, SEEK_SET), -ESPIPE, "lseek: ESPIPE");
    char buf[16];
    CHECK_EQ(sys_pread64(p[0], buf, 1, 0), -ESPIPE, "pread: ESPIPE");
    CHECK_EQ(sys_write(p[1], "hello", 5), 5, "write 5 bytes");
    CHECK_EQ(sys_read(p[0], buf, 3), 3, "read 3");
    CHECK_EQ(sys_read(p[0], buf + 3, 16), 2, "then the other 2");
    CHECK(!memcmp(buf, "hello", 5), "in order");
    CHECK_EQ(sys_write(p[0], "x", 1), -EBADF, "the read end cannot be written");
    sys_fcntl(p[0], F_SETFL, O_NONBLOCK);
    CHECK_EQ(sys_read(p[0], buf, 1), -EAGAIN, "O_NONBLOCK read of an empty pipe: EAGAIN");
    sys_close(p[1]);
    CHECK_EQ(sys_read(p[0], buf, 1), 0, "no writer left: end of file");
    sys_close(p[0]);

    /* No reader: EPIPE with SIGPIPE ignored; death by SIGPIPE otherwise. */
    sys_pipe2(p, 0);
    sys_close(p[0]);
    sig_handle(SIGPIPE, SIG_IGN, 0, 0);
    CHECK_EQ(sys_write(p[1], "x", 1), -EPIPE, "write with no reader: EPIPE");
    sig_handle(SIGPIPE, SIG_DFL, 0, 0);
    long pid = sys_fork();
    if (pid == 0)
        die_writing(p[1]);
    int status = 0;
    sys_wait4((int)pid, &status, 0, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE, "and SIGPIPE by default (status %x)", status);
    sys_close(p[1]);

    /* 200000 bytes from a child: the writer waits for the reader. */
    sys_pipe2(p, 0);
    pid = sys_fork();
    if (pid == 0) {
        static char big[200000];
        sys_close(p[0]);
        for (unsigned i = 0; i < sizeof big; i++)
            big[i] = (char)(i * 31);
        long n = sys_write(p[1], big, sizeof big);
        sys_exit_group(n == (long)sizeof big ? 0 : 1);
    }
    sys_close(p[1]);
    static char got[200000];
    long total = 0, n;
    while ((n = sys_read(p[0], got + total, sizeof got - (size_t)total)) > 0)
        total += n;
    int ok = total == (long)sizeof got;
    for (long i = 0; ok && i < total; i++)
        ok = got[i] == (char)(i * 31);
    CHECK(ok, "a child's 200000 bytes all arrive, in order (%ld)", total);
    sys_wait4((int)pid, &status, 0, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "its one write() wrote them all");
    sys_close(p[0]);
}

static void close_on_exec(const char *self)
{
    long a = sys_open("/dev/null", O_RDONLY | O_CLOEXEC, 0);
    long b = sys_open("/dev/null", O_RDONLY, 0);
    char sa[8], sb[8];
    snprintf(sa, sizeof sa, "%ld", a);
    snprintf(sb, sizeof sb, "%ld", b);
    char *argv[] = {(char *)self, "cloexec-check", sa, sb, 0};
    char *envp[] = {0};
    long pid = sys_fork();
    if (pid == 0) {
        sys_execve(self, argv, envp);
        sys_exit_group(127);
    }
    int status = -1;
    sys_wait4((int)pid, &status, 0, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "after execve the O_CLOEXEC descriptor is closed, the other open (status %x)", status);
    sys_close((int)a);
    sys_close((int)b);
}

static int to_int(const char *s)
{
    int v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "cloexec-check"))
        return sys_fcntl(to_int(argv[2]), F_GETFD, 0) == -EBADF && sys_fcntl(to_int(argv[3]), F_GETFD, 0) == 0 ? 0 : 1;
    open_flags_and_sizes();
    renames();
    directories();
    descriptors();
    pipes();
    close_on_exec(argv[0]);
    utest_done();
}
