/* user/tests/errno_fs.c — file and descriptor errors, and calls the kernel
 * does not have (ENOSYS). Passes on Linux too (with stdin read-only and
 * stdout a pipe or file). */
#include <utest.h>

int main(void)
{
    struct iovec iov = {"x", 1};
    CHECK_EQ(sys_open("/nonexistent", O_RDONLY, 0), -ENOENT, "open a missing file");
    CHECK_EQ(sys_open("", O_RDONLY, 0), -ENOENT, "open the empty path");
    CHECK_EQ(sys_open("/tmp/missing-dir/file", O_RDONLY | O_CREAT, 0600), -ENOENT, "create in a missing directory");
    CHECK_EQ(sys_open("/tmp", O_WRONLY, 0), -EISDIR, "open a directory for writing");
    CHECK_EQ(sys_open("/tmp/", O_RDWR | O_CREAT, 0600), -EISDIR, "create a directory path");
    long fd = sys_open("/tmp/errno-file", O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0, "create a file with O_EXCL");
    CHECK_EQ(sys_open("/tmp/errno-file", O_RDWR | O_CREAT | O_EXCL, 0600), -EEXIST, "O_EXCL on an existing file");
    CHECK_EQ(sys_open("/tmp/errno-file/x", O_RDONLY, 0), -ENOTDIR, "a file used as a directory");
    CHECK_EQ(sys_open("/tmp/errno-file/", O_RDONLY, 0), -ENOTDIR, "a file with a trailing slash");
    CHECK_EQ(sys_open("/tmp/errno-file", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR, "O_DIRECTORY on a file");
    char longname[300];
    memset(longname, 'n', sizeof longname);
    memcpy(longname, "/tmp/", 5);
    longname[299] = 0;
    CHECK_EQ(sys_open(longname, O_RDONLY | O_CREAT, 0600), -ENAMETOOLONG, "a 294-character name");

    CHECK_EQ(sys_close(99), -EBADF, "close a closed descriptor");
    CHECK_EQ(sys_close(-1), -EBADF, "close -1");
    CHECK_EQ(sys_read(99, longname, 1), -EBADF, "read a closed descriptor");
    CHECK_EQ(sys_write(1000000, "x", 1), -EBADF, "write a huge descriptor");
    CHECK_EQ(sys_write(0, "x", 1), -EBADF, "write to read-only standard input");
    long ro = sys_open("/tmp/errno-file", O_RDONLY, 0);
    long wo = sys_open("/tmp/errno-file", O_WRONLY, 0);
    CHECK_EQ(sys_write((int)ro, "x", 1), -EBADF, "write to a read-only descriptor");
    CHECK_EQ(sys_read((int)wo, longname, 1), -EBADF, "read from a write-only descriptor");
    CHECK_EQ(sys_read((int)ro, longname, 10), 0, "read at the end of an empty file");
    long dir = sys_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    CHECK(dir >= 0, "open a directory");
    CHECK_EQ(sys_read((int)dir, longname, 10), -EISDIR, "read a directory");

    CHECK_EQ(sys_lseek(1, 0, SEEK_SET), -ESPIPE, "seek standard output");
    CHECK_EQ(sys_lseek((int)fd, 0, 7), -EINVAL, "seek with a bad whence");
    CHECK_EQ(sys_lseek((int)fd, -1, SEEK_SET), -EINVAL, "seek before the start");
    CHECK_EQ(sys_lseek((int)fd, 100, SEEK_SET), 100, "seek past the end");
    CHECK_EQ(sys_lseek(99, 0, SEEK_SET), -EBADF, "seek a closed descriptor");
    CHECK_EQ(sys_pread64(1, longname, 1, 0), -ESPIPE, "pread standard output");
    CHECK_EQ(sys_pread64((int)fd, longname, 1, -1), -EINVAL, "pread at a negative offset");
    CHECK_EQ(sys_readv((int)fd, &iov, -1), -EINVAL, "readv with -1 vectors");
    CHECK_EQ(sys_writev((int)fd, &iov, 1025), -EINVAL, "writev with 1025 vectors");

    struct winsize ws;
    CHECK_EQ(sys_ioctl(1, TIOCGWINSZ, &ws), -ENOTTY, "TIOCGWINSZ on standard output");
    CHECK_EQ(sys_ioctl((int)fd, TIOCGWINSZ, &ws), -ENOTTY, "TIOCGWINSZ on a file");
    CHECK_EQ(sys_ioctl(99, TIOCGWINSZ, &ws), -EBADF, "ioctl on a closed descriptor");

    CHECK_EQ(syscall0(500), -ENOSYS, "system call 500");
    CHECK_EQ(syscall0(100000), -ENOSYS, "system call 100000");
    CHECK_EQ(syscall0(-1), -ENOSYS, "system call -1");
    CHECK_EQ(syscall0(0x40000000 + 39), -ENOSYS, "an x32 system call number");

    CHECK_EQ(sys_unlink("/tmp/errno-file"), 0, "unlink");
    CHECK_EQ(sys_unlink("/tmp/errno-file"), -ENOENT, "unlink again");
    CHECK_EQ(sys_unlink("/tmp"), -EISDIR, "unlink a directory");
    CHECK_EQ(sys_read((int)ro, longname, 1), 0, "an unlinked file stays readable while open");
    sys_close((int)fd);
    sys_close((int)ro);
    sys_close((int)wo);
    sys_close((int)dir);
    utest_done();
}
