/* user/tests/proc_maps.c — /proc/self/maps and /proc/PID/maps in Linux's
 * format (proc(5)): "start-end perms offset major:minor inode", the name
 * (a file's path, " (deleted)" once unlinked, [heap], [stack], and
 * "/dev/zero (deleted)" for shared anonymous memory) from column 73, and a
 * nameless line ending in one space after the inode; the VMAs as Linux
 * shows them after mprotect splits and merges; the same text whatever the
 * read size; the program's own text as a private mapping of its file.
 * Expected lines are built from the format and from fstat.
 * Passes on Linux too. */
#include <ufile.h>
#include <usignal.h>
#include <utest.h>

#define P ((long)PAGE_SIZE)
#define RW (PROT_READ | PROT_WRITE)

static char maps[65536];

/* The whole file, read chunk bytes at a time. */
static long read_maps(const char *path, long chunk)
{
    int fd = (int)sys_open(path, O_RDONLY, 0);
    long n = 0, r;
    if (fd < 0)
        return fd;
    while (n < (long)sizeof maps - 1 && (r = sys_read(fd, maps + n, (size_t)chunk)) > 0)
        n += r;
    maps[n] = 0;
    sys_close(fd);
    return n;
}

/* The line starting at address a (without its newline), or "". */
static const char *line_at(unsigned long a)
{
    static char line[512];
    char key[32];
    int k = snprintf(key, sizeof key, "%08lx-", a);
    line[0] = 0;
    for (const char *p = maps; *p;) {
        const char *e = p;
        while (*e && *e != '\n')
            e++;
        if (e - p > k && !memcmp(p, key, (size_t)k)) {
            size_t n = (size_t)(e - p) < sizeof line - 1 ? (size_t)(e - p) : sizeof line - 1;
            memcpy(line, p, n);
            line[n] = 0;
            return line;
        }
        p = *e ? e + 1 : e;
    }
    return line;
}

/* The line whose range holds a. */
static const char *line_holding(unsigned long a)
{
    for (const char *p = maps; *p;) {
        unsigned long lo = 0, hi = 0;
        const char *q = p;
        while (*q != '-')
            lo = lo * 16 + (unsigned long)(*q <= '9' ? *q - '0' : *q - 'a' + 10), q++;
        q++;
        while (*q != ' ')
            hi = hi * 16 + (unsigned long)(*q <= '9' ? *q - '0' : *q - 'a' + 10), q++;
        if (lo <= a && a < hi)
            return line_at(lo);
        while (*p && *p != '\n')
            p++;
        if (*p)
            p++;
    }
    return "";
}

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcmp(s + a - b, tail);
}

/* A line as Linux prints it: the fields, then the name from column 73. */
static const char *expect(unsigned long lo, unsigned long hi, const char *perms, unsigned long off,
                          unsigned long dev, unsigned long ino, const char *name)
{
    static char buf[512];
    unsigned major = (unsigned)((dev >> 8) & 0xfff), minor = (unsigned)((dev & 0xff) | ((dev >> 12) & 0xfff00));
    int n = snprintf(buf, sizeof buf, "%08lx-%08lx %s %08lx %02x:%02x %lu ", lo, hi, perms, off, major, minor, ino);
    if (name) {
        while (n < 72)
            buf[n++] = ' ';
        snprintf(buf + n, sizeof buf - (size_t)n, " %s", name);
    }
    return buf;
}

#define CHECK_LINE(addr, want, what)                                                                   \
    do {                                                                                               \
        const char *got_ = line_at(addr);                                                              \
        if (!strcmp(got_, want))                                                                       \
            CHECK(1, "%s", what);                                                                      \
        else                                                                                           \
            CHECK(0, "%s: got '%s', want '%s'", what, got_, want);                                     \
    } while (0)

static void anonymous_splits_and_merges(void)
{
    char *a = (char *)sys_mmap(0, 4 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 4; i++)
        a[i * P] = 1;
    unsigned long A = (unsigned long)a;
    read_maps("/proc/self/maps", 4096);
    CHECK_LINE(A, expect(A, A + 4 * P, "rw-p", 0, 0, 0, 0), "an anonymous mapping: no name, one space");
    sys_mprotect(a + P, P, PROT_READ);
    read_maps("/proc/self/maps", 4096);
    CHECK_LINE(A, expect(A, A + P, "rw-p", 0, 0, 0, 0), "mprotect splits it: the head");
    CHECK_LINE(A + P, expect(A + P, A + 2 * P, "r--p", 0, 0, 0, 0), "the middle");
    CHECK_LINE(A + 2 * P, expect(A + 2 * P, A + 4 * P, "rw-p", 0, 0, 0, 0), "the tail");
    sys_mprotect(a + P, P, RW);
    read_maps("/proc/self/maps", 4096);
    CHECK_LINE(A, expect(A, A + 4 * P, "rw-p", 0, 0, 0, 0), "and mprotect back merges the three");
    sys_munmap(a + 3 * P, P);
    sys_mprotect(a, P, PROT_NONE);
    read_maps("/proc/self/maps", 4096);
    CHECK_LINE(A, expect(A, A + P, "---p", 0, 0, 0, 0), "PROT_NONE");
    CHECK_LINE(A + P, expect(A + P, A + 3 * P, "rw-p", 0, 0, 0, 0), "munmap trims the end");
    sys_munmap(a, 3 * P);
}

static void files(void)
{
    int fd = (int)sys_open("/tmp/pm-file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    sys_ftruncate(fd, 4 * P);
    struct stat st;
    sys_fstat(fd, &st);
    const char *name = "/tmp/pm-file";

    char *s = (char *)sys_mmap(0, 2 * P, PROT_READ, MAP_SHARED, fd, P);
    unsigned long S = (unsigned long)s;
    /* Private, 3 pages at offset 0, written, then split by mprotect. */
    char *p = (char *)sys_mmap(0, 3 * P, RW, MAP_PRIVATE, fd, 0);
    unsigned long Pv = (unsigned long)p;
    p[0] = p[P] = p[2 * P] = 'x';
    sys_mprotect(p + P, P, PROT_READ);
    /* Two mappings of adjacent file pages, placed side by side: one VMA. */
    char *r = (char *)sys_mmap(0, 3 * P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned long R = (unsigned long)r;
    sys_mmap(r, P, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 2 * P);
    sys_mmap(r + P, 2 * P, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 3 * P);
    read_maps("/proc/self/maps", 4096);
    CHECK_LINE(S, expect(S, S + 2 * P, "r--s", P, st.st_dev, st.st_ino, name), "a shared file mapping");
    CHECK_LINE(Pv, expect(Pv, Pv + P, "rw-p", 0, st.st_dev, st.st_ino, name), "a private one, split: 1");
    CHECK_LINE(Pv + P, expect(Pv + P, Pv + 2 * P, "r--p", P, st.st_dev, st.st_ino, name), "2: offset 1 page");
    CHECK_LINE(Pv + 2 * P, expect(Pv + 2 * P, Pv + 3 * P, "rw-p", 2 * P, st.st_dev, st.st_ino, name), "3");
    CHECK_LINE(R, expect(R, R + 3 * P, "r--p", 2 * P, st.st_dev, st.st_ino, name),
               "adjacent mappings of adjacent file pages are one VMA");
    sys_mprotect(p + P, P, RW);
    read_maps("/proc/self/maps", 4096);
    CHECK_LINE(Pv, expect(Pv, Pv + 3 * P, "rw-p", 0, st.st_dev, st.st_ino, name),
               "mprotect back merges the written private pieces");
    sys_rename("/tmp/pm-file", "/tmp/pm-renamed");
    read_maps("/proc/self/maps", 4096);
    CHECK_LINE(S, expect(S, S + 2 * P, "r--s", P, st.st_dev, st.st_ino, "/tmp/pm-renamed"),
               "rename shows the new path");
    sys_unlink("/tmp/pm-renamed");
    sys_close(fd);
    read_maps("/proc/self/maps", 4096);
    CHECK_LINE(S, expect(S, S + 2 * P, "r--s", P, st.st_dev, st.st_ino, "/tmp/pm-renamed (deleted)"),
               "once unlinked: (deleted)");
    sys_munmap(s, 2 * P);
    sys_munmap(p, 3 * P);
    sys_munmap(r, 3 * P);
}

static void named_areas(void)
{
    char *sha = (char *)sys_mmap(0, 2 * P, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    unsigned long H = (unsigned long)sys_brk(0);
    sys_brk((void *)(H + 2 * P));
    ((char *)H)[0] = 1;
    int local = 0;
    read_maps("/proc/self/maps", 4096);
    const char *l = line_at((unsigned long)sha);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%08lx-%08lx rw-s 00000000 ", (unsigned long)sha, (unsigned long)sha + 2 * P);
    CHECK(!memcmp(l, prefix, strlen(prefix)) && ends_with(l, " /dev/zero (deleted)") &&
              strlen(l) == 73 + strlen("/dev/zero (deleted)"),
          "shared anonymous memory: '%s'", l);
    l = line_holding(H);
    CHECK(ends_with(l, "                  [heap]") && strlen(l) == 79, "the brk area is [heap]: '%s'", l);
    l = line_holding((unsigned long)&local);
    CHECK(ends_with(l, " [stack]") && strlen(l) == 80, "the stack is [stack]: '%s'", l);
    sys_munmap(sha, 2 * P);
    sys_brk((void *)H);
}

static void read_sizes(void)
{
    static char whole[65536];
    long n = read_maps("/proc/self/maps", 65536);
    memcpy(whole, maps, (size_t)n + 1);
    long m = read_maps("/proc/self/maps", 7);
    CHECK(n > 0 && m == n && !memcmp(whole, maps, (size_t)n), "reading 7 bytes at a time gives the same text");
    CHECK(maps[n - 1] == '\n', "every line ends with a newline");
    struct stat st;
    CHECK_EQ(sys_newfstatat(AT_FDCWD, "/proc/self/maps", &st, 0), 0, "stat /proc/self/maps");
    CHECK_EQ(st.st_size, 0, "its size is 0");
    int fd = (int)sys_open("/proc/self/maps", O_RDONLY, 0);
    char c;
    sys_read(fd, &c, 1);
    CHECK_EQ(sys_lseek(fd, 0, SEEK_SET), 0, "lseek back to 0");
    char first[16];
    CHECK(sys_read(fd, first, 16) == 16 && !memcmp(first, whole, 16), "and read the start again");
    sys_close(fd);
}

static void another_process(void)
{
    int to_child[2], to_parent[2];
    sys_pipe2(to_child, 0);
    sys_pipe2(to_parent, 0);
    unsigned long F = 0x300000000UL;
    long pid = sys_fork();
    if (pid == 0) {
        sys_mmap((void *)F, 3 * P, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        char c = 'r';
        sys_write(to_parent[1], &c, 1);
        sys_read(to_child[0], &c, 1);
        sys_exit_group(0);
    }
    char c;
    CHECK_EQ(sys_read(to_parent[0], &c, 1), 1, "the child is ready");
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/maps", pid);
    read_maps(path, 4096);
    CHECK_LINE(F, expect(F, F + 3 * P, "r-xp", 0, 0, 0, 0), "/proc/PID/maps shows the child's mapping");
    read_maps("/proc/self/maps", 4096);
    CHECK(!*line_at(F), "which is not in the parent's");
    sys_write(to_child[1], "x", 1);
    int status;
    sys_wait4((int)pid, &status, 0, 0);
    CHECK(read_maps(path, 4096) < 0, "once reaped, /proc/PID is gone");
}

/* The program image: its text is a private mapping of the executable,
 * named with its path, at the file offset of its page (the linker keeps
 * file offsets and addresses congruent from the ELF header on). */
extern char __ehdr_start[];

static void program_image(void)
{
    static char name[256];
    unsigned long text = (unsigned long)&program_image & ~(unsigned long)(P - 1);
    unsigned long base = (unsigned long)__ehdr_start;
    read_maps("/proc/self/maps", 4096);
    const char *l = line_holding(text);
    const char *slash = l;
    while (*slash && *slash != '/')
        slash++;
    CHECK(*slash == '/', "the text line names a file: '%s'", l);
    if (*slash != '/')
        return;
    for (size_t i = 0; i < sizeof name - 1 && slash[i]; i++)
        name[i] = slash[i];
    struct stat st;
    CHECK_EQ(sys_newfstatat(AT_FDCWD, name, &st, 0), 0, "the path in the text line exists");
    unsigned long lo = 0, hi = 0;
    for (const char *q = l; *q != '-'; q++)
        lo = lo * 16 + (unsigned long)(*q <= '9' ? *q - '0' : *q - 'a' + 10);
    const char *q = l;
    while (*q != '-')
        q++;
    for (q++; *q != ' '; q++)
        hi = hi * 16 + (unsigned long)(*q <= '9' ? *q - '0' : *q - 'a' + 10);
    CHECK_LINE(lo, expect(lo, hi, "r-xp", lo - base, st.st_dev, st.st_ino, name),
               "the text is the executable, private, at its file offset");
    l = line_holding(base);
    int header = 0;
    for (const char *c = l; *c && !header; c++)
        header = !memcmp(c, "p 00000000 ", 11);
    CHECK(ends_with(l, name) && header, "the ELF header is at offset 0 of the image: '%s'", l);
}

int main(void)
{
    program_image();
    anonymous_splits_and_merges();
    files();
    named_areas();
    read_sizes();
    another_process();
    utest_done();
}
