/* user/tests/files.c — the writable /tmp: create, write, read back, seek,
 * positioned and vectored I/O, append, truncate, status, unlink; and, when
 * given a path, that file's size and a checksum (the test passes a file in
 * with run-elf --file). Passes on Linux too. */
#include <utest.h>

static char big[100000];

int main(int argc, char **argv)
{
    char buf[64];
    long fd = sys_open("/tmp/files-test", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 3, "create /tmp/files-test -> fd %ld", fd);
    CHECK_EQ(sys_write((int)fd, "hello world", 11), 11, "write 11 bytes");
    CHECK_EQ(sys_lseek((int)fd, 0, SEEK_CUR), 11, "position is 11");
    CHECK_EQ(sys_lseek((int)fd, 0, SEEK_SET), 0, "seek to 0");
    memset(buf, 0, sizeof buf);
    CHECK_EQ(sys_read((int)fd, buf, sizeof buf), 11, "read them back");
    CHECK(!strcmp(buf, "hello world"), "same bytes");
    CHECK_EQ(sys_read((int)fd, buf, sizeof buf), 0, "end of file");
    CHECK_EQ(sys_pwrite64((int)fd, "HELLO", 5, 0), 5, "pwrite at 0");
    CHECK_EQ(sys_pread64((int)fd, buf, 5, 6), 5, "pread at 6");
    CHECK(!memcmp(buf, "world", 5), "pread got 'world'");
    CHECK_EQ(sys_lseek((int)fd, 0, SEEK_CUR), 11, "p-calls leave the position alone");

    struct iovec wv[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
    CHECK_EQ(sys_writev((int)fd, wv, 3), 6, "writev 6 bytes");
    char x[4], y[20];
    struct iovec rv[2] = {{x, 4}, {y, 20}};
    sys_lseek((int)fd, 8, SEEK_SET);
    CHECK_EQ(sys_readv((int)fd, rv, 2), 9, "readv the last 9 bytes");
    CHECK(!memcmp(x, "rldab", 4) && !memcmp(y, "bcdef", 5), "readv split them across buffers");

    /* The largest vector Linux takes (UIO_MAXIOV), and its checks. */
    static struct iovec many[1024];
    static char bytes[1024];
    for (int i = 0; i < 1024; i++) {
        many[i].iov_base = bytes + i;
        many[i].iov_len = 1;
    }
    long vfd = sys_open("/tmp/files-vec", O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK_EQ(sys_writev((int)vfd, many, 1024), 1024, "writev of 1024 one-byte vectors");
    many[1000].iov_len = (size_t)-1;
    CHECK_EQ(sys_writev((int)vfd, many, 1024), -EINVAL, "writev with a negative length in entry 1000");
    many[1000].iov_len = 1;
    many[900].iov_base = (void *)0xffff800000000000UL;
    CHECK_EQ(sys_writev((int)vfd, many, 1024), -EFAULT, "writev with a kernel pointer in entry 900");
    CHECK_EQ(sys_lseek((int)vfd, 0, SEEK_CUR), 1024, "failed calls wrote nothing");
    sys_close((int)vfd);
    sys_unlink("/tmp/files-vec");

    struct stat st;
    CHECK_EQ(sys_fstat((int)fd, &st), 0, "fstat");
    CHECK_EQ(st.st_size, 17, "size is 17");
    CHECK((st.st_mode & 0170000) == 0100000, "a regular file");
    CHECK_EQ(sys_newfstatat(AT_FDCWD, "/tmp/files-test", &st, 0), 0, "newfstatat by name");
    CHECK_EQ(st.st_size, 17, "same size");
    CHECK_EQ(sys_newfstatat(AT_FDCWD, "/tmp", &st, 0), 0, "newfstatat of /tmp");
    CHECK((st.st_mode & 0170000) == 0040000, "/tmp is a directory");

    CHECK_EQ(sys_lseek((int)fd, 100, SEEK_SET), 100, "seek past the end");
    CHECK_EQ(sys_write((int)fd, "!", 1), 1, "write there");
    CHECK_EQ(sys_pread64((int)fd, buf, 4, 50), 4, "read the hole");
    CHECK(buf[0] == 0 && buf[3] == 0, "a hole reads as zeros");
    sys_close((int)fd);

    fd = sys_open("/tmp/files-test", O_WRONLY | O_APPEND, 0);
    CHECK_EQ(sys_write((int)fd, "END", 3), 3, "append");
    sys_close((int)fd);
    CHECK_EQ(sys_newfstatat(AT_FDCWD, "/tmp/files-test", &st, 0), 0, "stat");
    CHECK_EQ(st.st_size, 104, "append went to the end");
    fd = sys_open("/tmp/files-test", O_RDWR | O_TRUNC, 0);
    CHECK_EQ(sys_fstat((int)fd, &st), 0, "fstat after O_TRUNC");
    CHECK_EQ(st.st_size, 0, "O_TRUNC emptied it");

    for (unsigned i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 13);
    CHECK_EQ(sys_write((int)fd, big, sizeof big), (long)sizeof big, "write 100000 bytes");
    memset(big, 0, sizeof big);
    CHECK_EQ(sys_pread64((int)fd, big, sizeof big, 0), (long)sizeof big, "read them back");
    int same = 1;
    for (unsigned i = 0; i < sizeof big; i++)
        same &= big[i] == (char)(i * 13);
    CHECK(same, "100000 bytes survive");
    sys_close((int)fd);
    CHECK_EQ(sys_unlink("/tmp/files-test"), 0, "unlink");
    CHECK_EQ(sys_open("/tmp/files-test", O_RDONLY, 0), -ENOENT, "gone");

    if (argc > 1) {
        fd = sys_open(argv[1], O_RDONLY, 0);
        CHECK(fd >= 0, "open %s", argv[1]);
        unsigned long sum = 0, total = 0;
        long n;
        while ((n = sys_read((int)fd, buf, sizeof buf)) > 0) {
            for (long i = 0; i < n; i++)
                sum = sum * 31 + (unsigned char)buf[i];
            total += (unsigned long)n;
        }
        printf("%s: %lu bytes, checksum %lx\n", argv[1], total, sum);
        sys_close((int)fd);
    }
    utest_done();
}
