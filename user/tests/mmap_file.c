/* user/tests/mmap_file.c — file mappings through the page cache: a
 * read-only mapping shows the file; a private mapping is a copy-on-write
 * view (later write()s show through pages not yet copied, its own writes
 * never reach the file); a shared mapping is the file (coherent with
 * read() and write() both ways, with other mappings, across fork); read()
 * and write() with a buffer spanning two mappings; the zero tail of the
 * last page and SIGBUS (BUS_ADRERR) past the end, after ftruncate too;
 * mappings that outlive close() and unlink(); msync; mincore; eager
 * (MAP_POPULATE) and lazy population; /dev/zero and shared anonymous
 * memory with a child. Passes on Linux too. */
#include <ufile.h>
#include <usignal.h>
#include <utest.h>

#define P ((long)PAGE_SIZE)
#define RW (PROT_READ | PROT_WRITE)

static char pat(long i) { return (char)('a' + (i * 7 + i / 4096) % 26); }

/* A file of size bytes of pat(), open O_RDWR. */
static int make_file(const char *path, long size)
{
    static char buf[4096];
    int fd = (int)sys_open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    for (long off = 0; off < size;) {
        long n = size - off < (long)sizeof buf ? size - off : (long)sizeof buf;
        for (long i = 0; i < n; i++)
            buf[i] = pat(off + i);
        if (sys_write(fd, buf, (size_t)n) != n)
            return -1;
        off += n;
    }
    return fd;
}

static char *map(void *addr, long len, int prot, int flags, int fd, long off)
{
    long r = sys_mmap(addr, (size_t)len, prot, flags, fd, off);
    return sys_failed(r) ? 0 : (char *)r;
}

static int byte_at(int fd, long off)
{
    char c;
    long n = sys_pread64(fd, &c, 1, off);
    return n == 1 ? (unsigned char)c : n == 0 ? -1 : (int)n;
}

static long file_size(int fd)
{
    struct stat st;
    return sys_fstat(fd, &st) ? -1 : st.st_size;
}

/* Run fn in a child; its wait status. */
static int in_child(void (*fn)(char *), char *arg)
{
    long pid = sys_fork();
    if (pid == 0) {
        fn(arg);
        sys_exit_group(0);
    }
    int status = -1;
    sys_wait4((int)pid, &status, 0, 0);
    return status;
}

static void touch(char *p) { *(volatile char *)p = *(volatile char *)p; }
static void peek(char *p) { (void)*(volatile char *)p; }

static char *bus_addr;
static void on_bus(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    sys_exit_group(sig == SIGBUS && si->si_signo == SIGBUS && si->si_code == BUS_ADRERR &&
                           si->si_addr == bus_addr
                       ? 42
                       : 43);
}
static void peek_with_handler(char *p)
{
    bus_addr = p;
    sig_install(SIGBUS, on_bus, 0, 0);
    peek(p);
}

static int killed_by(int status, int sig) { return WIFSIGNALED(status) && WTERMSIG(status) == sig; }

static void read_only_mapping(void)
{
    long size = 3 * P + 100;
    int fd = make_file("/tmp/mf-ro", size);
    sys_close(fd);
    fd = (int)sys_open("/tmp/mf-ro", O_RDONLY, 0);
    char *m = map(0, 4 * P, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(m != 0, "map a read-only file privately, PROT_READ");
    int same = 1, zero = 1;
    for (long i = 0; i < size; i++)
        same &= m[i] == pat(i);
    for (long i = size; i < 4 * P; i++)
        zero &= m[i] == 0;
    CHECK(same, "the mapping holds the file's bytes");
    CHECK(zero, "the rest of the last page reads as zeros");
    char *s = map(0, P, PROT_READ, MAP_SHARED, fd, 2 * P);
    CHECK(s && s[0] == pat(2 * P) && s[99] == pat(2 * P + 99), "MAP_SHARED, PROT_READ at offset 2 pages");
    sys_munmap(m, 4 * P);
    sys_munmap(s, P);
    sys_close(fd);
    sys_unlink("/tmp/mf-ro");
}

static void private_mapping(void)
{
    int wfd = make_file("/tmp/mf-priv", 3 * P);
    int fd = (int)sys_open("/tmp/mf-priv", O_RDONLY, 0);
    char *m = map(0, 3 * P, RW, MAP_PRIVATE, fd, 0);
    CHECK(m != 0, "MAP_PRIVATE with PROT_WRITE on a read-only descriptor");
    peek(m + P); /* read in, not copied */
    m[0] = 'X';
    m[2 * P + 5] = 'Y';
    CHECK(m[0] == 'X' && m[2 * P + 5] == 'Y', "the mapping keeps its own writes");
    CHECK_EQ(byte_at(fd, 0), pat(0), "they never reach the file (page 0)");
    CHECK_EQ(byte_at(fd, 2 * P + 5), pat(2 * P + 5), "nor page 2");
    sys_pwrite64(wfd, "Q", 1, P + 3);
    sys_pwrite64(wfd, "Z", 1, 1);
    CHECK_EQ(m[P + 3], 'Q', "a later write() shows in a page not yet copied");
    CHECK_EQ(m[1], pat(1), "but not in a copied one");
    sys_munmap(m, 3 * P);
    CHECK_EQ(byte_at(fd, 0), pat(0), "unmapping writes nothing back");
    sys_close(fd);
    sys_close(wfd);
    sys_unlink("/tmp/mf-priv");
}

static void spanning_buffers(void)
{
    int a = make_file("/tmp/mf-span-a", P);
    int b = (int)sys_open("/tmp/mf-span-b", O_RDWR | O_CREAT | O_TRUNC, 0644);
    sys_write(b, "0123456789abcdef", 16);
    /* An anonymous page, then a shared mapping of file a right above it. */
    char *buf = map(0, 2 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *top = map(buf + P, P, RW, MAP_SHARED | MAP_FIXED, a, 0);
    CHECK(top == buf + P, "a file mapping right above an anonymous one");
    CHECK_EQ(sys_pread64(b, buf + P - 8, 16, 0), 16, "read() into a buffer across both");
    CHECK(!memcmp(buf + P - 8, "01234567", 8), "the first half landed in the anonymous page");
    CHECK(!memcmp(top, "89abcdef", 8), "the second half in the file mapping");
    char back[8];
    CHECK(sys_pread64(a, back, 8, 0) == 8 && !memcmp(back, "89abcdef", 8), "and so in file a");
    /* Two file mappings side by side (private b, shared a), written out. */
    char *two = map(0, 2 * P, PROT_READ, MAP_PRIVATE, b, 0);
    char *two_hi = two ? map(two + P, P, PROT_READ, MAP_SHARED | MAP_FIXED, a, 0) : 0;
    CHECK(two && two_hi == two + P, "two file mappings side by side");
    int c = (int)sys_open("/tmp/mf-span-c", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK_EQ(sys_write(c, two + 8, P), P, "write() from a buffer across both");
    char got[16];
    CHECK_EQ(sys_pread64(c, got, 16, P - 16), 16, "read the joint back");
    CHECK(!memcmp(got, "\0\0\0\0\0\0\0\0", 8), "the end of b's page: zeros past its end");
    CHECK(!memcmp(got + 8, "89abcdef", 8), "then a's first bytes");
    sys_munmap(buf, 2 * P);
    sys_munmap(two, 2 * P);
    sys_close(a);
    sys_close(b);
    sys_close(c);
    sys_unlink("/tmp/mf-span-a");
    sys_unlink("/tmp/mf-span-b");
    sys_unlink("/tmp/mf-span-c");
}

static void child_shared(char *m1)
{
    if (m1[10] != 'S' || m1[P + 1] != 'T')
        sys_exit_group(1);
    m1[20] = 'C';
}

static void shared_mapping(void)
{
    int fd = make_file("/tmp/mf-shared", 2 * P);
    char *m1 = map(0, 2 * P, RW, MAP_SHARED, fd, 0);
    char *m2 = map(0, 2 * P, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(m1 && m2 && m1 != m2, "two shared mappings of one file");
    m1[10] = 'S';
    CHECK_EQ(byte_at(fd, 10), 'S', "a write through the mapping is visible to read() at once");
    CHECK_EQ(m2[10], 'S', "and to the other mapping");
    sys_pwrite64(fd, "T", 1, P + 1);
    CHECK(m1[P + 1] == 'T' && m2[P + 1] == 'T', "a write() is visible in both mappings");
    int st = in_child(child_shared, m1);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child sees the parent's writes (status %x)", st);
    CHECK_EQ(m1[20], 'C', "the parent sees the child's write");
    CHECK_EQ(m2[20], 'C', "in its other mapping too");
    CHECK_EQ(byte_at(fd, 20), 'C', "and read() does");
    sys_munmap(m1, 2 * P);
    sys_munmap(m2, 2 * P);
    sys_close(fd);
    sys_unlink("/tmp/mf-shared");
}

static void end_of_file(void)
{
    long size = P + 10;
    int fd = make_file("/tmp/mf-eof", size);
    char *m = map(0, 3 * P, RW, MAP_SHARED, fd, 0);
    char *pm = map(0, 3 * P, RW, MAP_PRIVATE, fd, 0);
    CHECK(m && pm, "map 3 pages of a file of 1 page and 10 bytes");
    CHECK_EQ(m[P + 9], pat(P + 9), "the last byte");
    int zero = 1;
    for (long i = size; i < 2 * P; i++)
        zero &= m[i] == 0;
    CHECK(zero, "the tail of the last page reads as zeros");
    m[P + 20] = 'W';
    CHECK_EQ(file_size(fd), size, "a write to the tail does not grow the file");
    CHECK_EQ(byte_at(fd, P + 20), -1, "nor reach it");
    int st = in_child(peek, m + 2 * P);
    CHECK(killed_by(st, SIGBUS), "a read of a whole page past the end: SIGBUS (status %x)", st);
    st = in_child(touch, m + 2 * P + 100);
    CHECK(killed_by(st, SIGBUS), "a write there: SIGBUS (status %x)", st);
    st = in_child(peek, pm + 2 * P);
    CHECK(killed_by(st, SIGBUS), "in a private mapping too (status %x)", st);
    st = in_child(peek_with_handler, m + 2 * P + 8);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42, "the handler gets BUS_ADRERR and the address (status %x)", st);

    /* Shrinking cuts pages from every mapping; growing brings them back. */
    pm[P] = 'p'; /* a private copy of page 1 */
    CHECK_EQ(sys_ftruncate(fd, 100), 0, "ftruncate to 100 bytes");
    st = in_child(peek, m + P);
    CHECK(killed_by(st, SIGBUS), "the cut page raises SIGBUS (status %x)", st);
    st = in_child(peek, pm + P);
    CHECK(killed_by(st, SIGBUS), "its private copy is gone too (status %x)", st);
    CHECK_EQ(m[99], pat(99), "the kept bytes stay");
    CHECK(m[100] == 0 && m[P - 1] == 0, "the cut part of the last page reads as zeros");
    CHECK_EQ(sys_ftruncate(fd, 3 * P), 0, "ftruncate to 3 pages");
    CHECK(m[P] == 0 && m[2 * P + 5] == 0 && pm[P] == 0, "the pages are back, zero-filled");
    m[2 * P + 1] = 'G';
    CHECK_EQ(byte_at(fd, 2 * P + 1), 'G', "and reach the file");
    sys_munmap(m, 3 * P);
    sys_munmap(pm, 3 * P);
    sys_close(fd);
    sys_unlink("/tmp/mf-eof");
}

static void outlives_close_and_unlink(void)
{
    int fd = make_file("/tmp/mf-gone", 2 * P);
    char *m = map(0, 2 * P, RW, MAP_SHARED, fd, 0);
    char *pm = map(0, 2 * P, PROT_READ, MAP_PRIVATE, fd, 0);
    sys_close(fd);
    CHECK_EQ(sys_unlink("/tmp/mf-gone"), 0, "unlink a mapped, closed file");
    CHECK(m && m[P + 5] == pat(P + 5) && pm[7] == pat(7), "the mappings still read it");
    m[3] = 'U';
    CHECK(m[3] == 'U' && pm[3] == 'U', "and a shared write shows in the private view");
    sys_munmap(m, 2 * P);
    sys_munmap(pm, 2 * P);
}

static void msync_cases(void)
{
    int fd = make_file("/tmp/mf-sync", 4 * P);
    char *m = map(0, 4 * P, RW, MAP_SHARED, fd, 0);
    m[0] = 1;
    CHECK_EQ(sys_msync(m, 4 * P, MS_SYNC), 0, "msync MS_SYNC");
    CHECK_EQ(sys_msync(m, 4 * P, MS_ASYNC), 0, "msync MS_ASYNC");
    CHECK_EQ(sys_msync(m, 4 * P, MS_INVALIDATE), 0, "msync MS_INVALIDATE");
    CHECK_EQ(sys_msync(m + P, 10, MS_SYNC | MS_INVALIDATE), 0, "msync of part of a page");
    CHECK_EQ(byte_at(fd, 0), 1, "the file has the data");
    CHECK_EQ(sys_msync(m + 1, P, MS_SYNC), -EINVAL, "unaligned address: EINVAL");
    CHECK_EQ(sys_msync(m, P, 8), -EINVAL, "unknown flag: EINVAL");
    CHECK_EQ(sys_msync(m, P, MS_SYNC | MS_ASYNC), -EINVAL, "MS_SYNC with MS_ASYNC: EINVAL");
    sys_munmap(m + 2 * P, P);
    CHECK_EQ(sys_msync(m, 4 * P, MS_SYNC), -ENOMEM, "a hole in the range: ENOMEM");
    char *lk = map(0, P, RW, MAP_SHARED | MAP_LOCKED, fd, 0);
    CHECK(lk != 0, "a locked shared mapping");
    CHECK_EQ(sys_msync(lk, P, MS_INVALIDATE), -EBUSY, "MS_INVALIDATE on it: EBUSY");
    CHECK_EQ(sys_msync(lk, P, MS_SYNC), 0, "MS_SYNC on it is fine");
    sys_munmap(m, 4 * P);
    sys_munmap(lk, P);
    sys_close(fd);
    sys_unlink("/tmp/mf-sync");
}

static void mincore_cases(void)
{
    int fd = (int)sys_open("/tmp/mf-core", O_RDWR | O_CREAT | O_TRUNC, 0644);
    sys_write(fd, "data", 4);
    sys_ftruncate(fd, 3 * P); /* pages 1 and 2 are holes */
    char *m = map(0, 3 * P, PROT_READ, MAP_SHARED, fd, 0);
    unsigned char vec[3] = {9, 9, 9};
    CHECK_EQ(sys_mincore(m, 3 * P, vec), 0, "mincore of an untouched file mapping");
    CHECK(vec[0] == 1 && vec[1] == 0 && vec[2] == 0, "the written page is cached, the holes are not (%d %d %d)",
          vec[0], vec[1], vec[2]);
    peek(m + P);
    sys_mincore(m, 3 * P, vec);
    CHECK(vec[1] == 1, "a read fault brings a hole's page in (%d)", vec[1]);
    sys_munmap(m, 3 * P);
    sys_close(fd);
    sys_unlink("/tmp/mf-core");
}

static void population(void)
{
    int fd = make_file("/tmp/mf-pop", 2 * P);
    /* Eager: a private writable mapping is copied when it is populated,
     * so a later write() does not show; lazy: it does. */
    char *eager = map(0, 2 * P, RW, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    char *lazy = map(0, 2 * P, RW, MAP_PRIVATE, fd, 0);
    sys_pwrite64(fd, "E", 1, 0);
    CHECK_EQ(eager[0], pat(0), "MAP_POPULATE filled the private mapping at mmap time");
    CHECK_EQ(lazy[0], 'E', "the lazy one reads the file at its first fault");
    if (on_mmcore()) {
        struct mmcore_page_info a, b;
        char *sh = map(0, 2 * P, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
        char *sl = map(0, 2 * P, PROT_READ, MAP_SHARED, fd, 0);
        CHECK(!mmcore_vminfo(MMCORE_VMINFO_PAGE, sh + P, &a) && a.frame, "mmcore: populated at mmap time");
        CHECK(!mmcore_vminfo(MMCORE_VMINFO_PAGE, sl + P, &b) && !b.frame, "mmcore: lazy: no page yet");
        peek(sl + P);
        CHECK(!mmcore_vminfo(MMCORE_VMINFO_PAGE, sl + P, &b) && b.frame == a.frame,
              "mmcore: both map the same page-cache frame");
        /* The private one's first read fault (lazy[0] above) mapped the
         * file's other page as well, already in memory: fault-around, as
         * Linux does. */
        CHECK(!mmcore_vminfo(MMCORE_VMINFO_PAGE, lazy + P, &b) && b.frame == a.frame,
              "mmcore: a read fault maps cached neighbours (fault-around)");
        peek(lazy + P);
        CHECK(!mmcore_vminfo(MMCORE_VMINFO_PAGE, lazy + P, &b) && b.frame == a.frame,
              "mmcore: a private read maps the cache frame too");
        sys_munmap(sh, 2 * P);
        sys_munmap(sl, 2 * P);
    }
    sys_munmap(eager, 2 * P);
    sys_munmap(lazy, 2 * P);
    sys_close(fd);
    sys_unlink("/tmp/mf-pop");
}

static void child_write_all(char *p)
{
    char **v = (char **)p;
    for (int i = 0; v[i]; i++)
        v[i][0] = 'c';
}

static void zero_and_shared_anon(void)
{
    int z = (int)sys_open("/dev/zero", O_RDWR, 0);
    char *priv = map(0, 2 * P, RW, MAP_PRIVATE, z, 0);
    char *shz = map(0, 2 * P, RW, MAP_SHARED, z, 0);
    char *sha = map(0, 2 * P, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(priv && shz && sha, "map /dev/zero privately and shared, and shared anonymous memory");
    CHECK(priv[5] == 0 && shz[P + 5] == 0 && sha[7] == 0, "all read zeros");
    priv[0] = shz[0] = sha[0] = 'p';
    char *all[] = {priv, shz, sha, 0};
    int st = in_child(child_write_all, (char *)all);
    CHECK(WIFEXITED(st), "the child wrote to all three");
    CHECK_EQ(priv[0], 'p', "a private /dev/zero mapping stays the parent's");
    CHECK_EQ(shz[0], 'c', "a shared /dev/zero mapping is shared with the child");
    CHECK_EQ(sha[0], 'c', "so is MAP_SHARED|MAP_ANONYMOUS");
    char *off = map(0, P, RW, MAP_SHARED, z, P);
    st = in_child(peek, off);
    CHECK(killed_by(st, SIGBUS), "shared /dev/zero at an offset past its size: SIGBUS (status %x)", st);
    sys_munmap(priv, 2 * P);
    sys_munmap(shz, 2 * P);
    sys_munmap(sha, 2 * P);
    sys_munmap(off, P);
    sys_close(z);
}

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

static void all_cases(void)
{
    read_only_mapping();
    private_mapping();
    spanning_buffers();
    shared_mapping();
    end_of_file();
    outlives_close_and_unlink();
    msync_cases();
    mincore_cases();
    population();
    zero_and_shared_anon();
}

int main(void)
{
    /* Twice: on mmcore the second round must end with the free memory the
     * first ended with (pages of files, mappings and pipes all given
     * back); Linux's free memory moves for its own reasons. */
    all_cases();
    unsigned long after_one = free_pages();
    all_cases();
    unsigned long after_two = free_pages();
    if (on_mmcore())
        CHECK(after_one == after_two, "mmcore: no page leaked (%lu free after one round, %lu after two)",
              after_one, after_two);
    utest_done();
}
