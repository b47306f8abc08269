/* user/tests/cow.c — copy-on-write after fork, page by page: the child
 * sees the parent's data; each side's writes stay on its side; frames are
 * shared until written and then copied, or reused in place by the last
 * holder; read-only and shared mappings are shared and never copied; a
 * write to a read-only page kills only the child; execute permission
 * survives the copy; a read() into a shared page copies it first.
 *
 * Frame identity and reference counts come from mmcore's own system call
 * (mmcore_vminfo, see docs/kernel.md). On Linux the same program checks
 * what /proc/self/pagemap says instead (bit 56: the page is mapped by this
 * process only), so it passes there too.
 *
 * "cow oom" (mmcore only): a child whose copy-on-write faults run the
 * machine out of memory is killed, alone, with SIGKILL; the parent's
 * memory is intact and every frame comes back. */
#include <usignal.h>
#include <utest.h>

static int mmcore;
static int pagemap_fd = -1;

/* What the kernel says about the page at p. */
struct page_state {
    int known;               /* this kernel can tell */
    unsigned long frame;     /* mmcore: physical address; Linux: pfn (0 unless privileged) */
    unsigned refcount;       /* mmcore: the frame's reference count */
    int exclusive;           /* mapped by this process only */
    int writable;            /* mmcore: the page-table entry allows writing */
};

static struct page_state page_state(const void *p)
{
    struct page_state s = {0};
    if (mmcore) {
        struct mmcore_page_info info;
        if (mmcore_vminfo(MMCORE_VMINFO_PAGE, p, &info) == 0) {
            s.known = 1;
            s.frame = info.frame;
            s.refcount = info.refcount;
            s.exclusive = info.refcount == 1;
            s.writable = (info.prot & PROT_WRITE) != 0;
        }
        return s;
    }
    /* Opened each time: a child must read its own, not its parent's. */
    unsigned long e = 0;
    int fd = pagemap_fd < 0 ? -1 : (int)sys_open("/proc/self/pagemap", O_RDONLY, 0);
    if (fd >= 0 && sys_pread64(fd, &e, 8, (long)((unsigned long)p / PAGE_SIZE * 8)) == 8 && (e >> 63)) {
        s.known = 1;
        s.frame = e & ((1UL << 55) - 1);
        s.exclusive = (e >> 56) & 1;
    }
    if (fd >= 0)
        sys_close(fd);
    return s;
}

static char *map(size_t len, int prot, int flags)
{
    long r = sys_mmap(0, len, prot, flags | MAP_ANONYMOUS, -1, 0);
    if (sys_failed(r)) {
        printf("mmap failed: %s\n", strerror_name(r));
        exit(2);
    }
    return (char *)r;
}

static int all(const char *p, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != c)
            return 0;
    return 1;
}

/* A flag in shared memory for the two sides to take turns. */
static volatile int *turn;
static void wait_turn(int want)
{
    while (*turn != want)
        sys_sched_yield();
}

static int child_failures;
#define CCHECK(cond)                                                                                                \
    do {                                                                                                            \
        if (!(cond)) {                                                                                              \
            dprintf(1, "not ok - in the child, line %d: %s\n", __LINE__, #cond);                                    \
            child_failures++;                                                                                       \
        }                                                                                                           \
    } while (0)

static void test_private(void)
{
    enum { N = 4 };
    char *p = map(N * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    for (int i = 0; i < N; i++)
        memset(p + i * PAGE_SIZE, 'P', PAGE_SIZE);
    struct page_state before[N];
    for (int i = 0; i < N; i++)
        before[i] = page_state(p + i * PAGE_SIZE);
    if (mmcore)
        CHECK(before[0].refcount == 1 && before[0].writable, "before fork: a private frame, writable, count 1");
    *turn = 0;
    long pid = sys_fork();
    if (pid == 0) {
        /* 1. the parent's data, in the parent's frames */
        CCHECK(all(p, 'P', N * PAGE_SIZE));
        struct page_state s = page_state(p);
        if (s.known) {
            CCHECK(!s.exclusive);
            if (before[0].frame)
                CCHECK(s.frame == before[0].frame);
        }
        if (mmcore)
            CCHECK(s.refcount == 2 && !s.writable);
        /* 2. the child's write copies page 0 */
        memset(p, 'C', PAGE_SIZE);
        s = page_state(p);
        if (s.known) {
            CCHECK(s.exclusive);
            if (before[0].frame)
                CCHECK(s.frame != before[0].frame);
        }
        if (mmcore)
            CCHECK(s.refcount == 1 && s.writable);
        *turn = 1;
        wait_turn(2);
        /* 4. the parent's write to page 1 stayed in the parent, which took
         * a copy: the child is left alone on the original frame, and its
         * write reuses that frame in place. */
        CCHECK(all(p + PAGE_SIZE, 'P', PAGE_SIZE));
        s = page_state(p + PAGE_SIZE);
        if (s.known) {
            CCHECK(s.exclusive);
            if (before[1].frame)
                CCHECK(s.frame == before[1].frame);
        }
        p[PAGE_SIZE] = 'c';
        struct page_state t = page_state(p + PAGE_SIZE);
        if (t.known && s.frame)
            CCHECK(t.frame == s.frame);
        if (mmcore)
            CCHECK(t.refcount == 1 && t.writable);
        /* pages 2 and 3: still shared */
        s = page_state(p + 2 * PAGE_SIZE);
        if (s.known)
            CCHECK(!s.exclusive);
        sys_exit_group(child_failures ? 1 : 0);
    }
    /* 3. the parent's side of the child's copy */
    wait_turn(1);
    CHECK(all(p, 'P', PAGE_SIZE), "the child's write did not reach the parent");
    struct page_state s = page_state(p);
    if (s.known) {
        CHECK(s.exclusive, "the parent holds page 0 alone now (the child copied it)");
        if (before[0].frame)
            CHECK_EQ(s.frame, before[0].frame, "in its original frame");
    }
    p[0] = 'p';
    struct page_state t = page_state(p);
    if (t.frame)
        CHECK_EQ(t.frame, before[0].frame, "the parent's write reuses that frame in place (count 1)");
    if (mmcore)
        CHECK(t.refcount == 1 && t.writable, "count 1, writable");
    s = page_state(p + PAGE_SIZE);
    if (mmcore)
        CHECK(s.refcount == 2 && !s.writable, "page 1 is still shared: count 2, read-only in the page table");
    memset(p + PAGE_SIZE, 'Q', PAGE_SIZE);
    t = page_state(p + PAGE_SIZE);
    if (t.known) {
        CHECK(t.exclusive, "the parent's write to a shared page makes it the parent's own");
        if (before[1].frame)
            CHECK(t.frame != before[1].frame, "in a new frame: a copy");
    }
    *turn = 2;
    int st = -1;
    sys_wait4((int)pid, &st, 0, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child saw the parent's data, then its own, as it should");
    CHECK(p[0] == 'p' && all(p + 1, 'P', PAGE_SIZE - 1) && all(p + PAGE_SIZE, 'Q', PAGE_SIZE) &&
              all(p + 2 * PAGE_SIZE, 'P', 2 * PAGE_SIZE),
          "the parent's pages hold only the parent's writes");
    s = page_state(p + 2 * PAGE_SIZE);
    if (s.known)
        CHECK(s.exclusive, "with the child gone, the never-written pages are the parent's alone");
    if (mmcore)
        CHECK(s.refcount == 1 && s.frame == before[2].frame, "count 1, the same frame: nothing was copied");
    sys_munmap(p, N * PAGE_SIZE);
}

static void test_shared_and_readonly(void)
{
    char *ro = map(PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    memset(ro, 'R', PAGE_SIZE);
    sys_mprotect(ro, PAGE_SIZE, PROT_READ);
    char *sh = map(PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED);
    memset(sh, 'S', PAGE_SIZE);
    struct page_state ro0 = page_state(ro), sh0 = page_state(sh);
    long pid = sys_fork();
    if (pid == 0) {
        struct page_state a = page_state(ro), b = page_state(sh);
        CCHECK(all(ro, 'R', PAGE_SIZE) && all(sh, 'S', PAGE_SIZE));
        if (a.known && ro0.frame)
            CCHECK(a.frame == ro0.frame);
        if (mmcore)
            CCHECK(a.refcount == 2);
        sh[0] = 'c';
        b = page_state(sh);
        if (b.known && sh0.frame)
            CCHECK(b.frame == sh0.frame);
        sys_exit_group(child_failures ? 1 : 0);
    }
    int st = -1;
    sys_wait4((int)pid, &st, 0, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "read-only and shared pages: the child uses the parent's frames");
    CHECK(sh[0] == 'c' && page_state(sh).frame == sh0.frame, "a shared page is written in place, seen by both");

    pid = sys_fork();
    if (pid == 0) {
        ro[0] = 'x';
        sys_exit_group(0);
    }
    sys_wait4((int)pid, &st, 0, 0);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a child writing a read-only page dies of SIGSEGV (%x)", st);
    CHECK(all(ro, 'R', PAGE_SIZE), "and the parent's page is untouched");
    sys_munmap(ro, PAGE_SIZE);
    sys_munmap(sh, PAGE_SIZE);
}

static void test_exec_permission(void)
{
#if defined(__aarch64__)
    /* mov w0, #42; ret. The immediate sits in bits 5-20: byte 0 = 0x60
     * makes it 43. */
    static const unsigned char code[] = {0x40, 0x05, 0x80, 0x52, 0xc0, 0x03, 0x5f, 0xd6};
    const unsigned patch_at = 0, patch = 0x60;
#else
    /* mov $42, %eax; ret */
    static const unsigned char code[] = {0xb8, 42, 0, 0, 0, 0xc3};
    const unsigned patch_at = 1, patch = 43;
#endif
    unsigned char *x = (unsigned char *)map(PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE);
    memcpy(x, code, sizeof code);
    __builtin___clear_cache((char *)x, (char *)x + sizeof code);
    int (*fn)(void) = (int (*)(void))(unsigned long)x;
    CHECK_EQ(fn(), 42, "code in a private writable, executable page runs");
    long pid = sys_fork();
    if (pid == 0) {
        int a = fn();
        x[patch_at] = (unsigned char)patch; /* copies the page */
        __builtin___clear_cache((char *)x, (char *)x + sizeof code);
        int b = fn();
        sys_exit_group(a == 42 && b == 43 ? 0 : 1);
    }
    int st = -1;
    sys_wait4((int)pid, &st, 0, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's copy of the page is still executable (%x)", st);
    CHECK_EQ(fn(), 42, "the parent's code is unchanged");
    sys_munmap(x, PAGE_SIZE);
}

static void test_kernel_write(void)
{
    static char block[PAGE_SIZE];
    memset(block, 'F', sizeof block);
    long fd = sys_open("/tmp/cow-read", O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK_EQ(sys_write((int)fd, block, sizeof block), PAGE_SIZE, "a file of one page of 'F'");
    char *p = map(2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    memset(p, 'P', 2 * PAGE_SIZE);
    struct page_state s0 = page_state(p), s1 = page_state(p + PAGE_SIZE);
    *turn = 0;
    long pid = sys_fork();
    if (pid == 0) {
        /* read() writes into page 0, shared with the parent */
        CCHECK(sys_pread64((int)fd, p, PAGE_SIZE, 0) == PAGE_SIZE);
        CCHECK(all(p, 'F', PAGE_SIZE));
        struct page_state s = page_state(p);
        if (s.known) {
            CCHECK(s.exclusive);
            if (s0.frame)
                CCHECK(s.frame != s0.frame);
        }
        *turn = 1;
        wait_turn(2);
        CCHECK(all(p + PAGE_SIZE, 'P', PAGE_SIZE)); /* the parent's read() stayed there */
        sys_exit_group(child_failures ? 1 : 0);
    }
    wait_turn(1);
    CHECK(all(p, 'P', PAGE_SIZE), "a read() into a shared page in the child left the parent's copy alone");
    CHECK(page_state(p).frame == s0.frame, "the parent keeps its frame");
    CHECK_EQ(sys_pread64((int)fd, p + PAGE_SIZE, PAGE_SIZE, 0), PAGE_SIZE, "the parent read()s into page 1");
    struct page_state s = page_state(p + PAGE_SIZE);
    if (s.known && s1.frame)
        CHECK(s.frame != s1.frame && s.exclusive, "which copied it first");
    *turn = 2;
    int st = -1;
    sys_wait4((int)pid, &st, 0, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's page 1 still holds 'P'");
    sys_close((int)fd);
    sys_unlink("/tmp/cow-read");
    sys_munmap(p, 2 * PAGE_SIZE);
}

/* mmcore only: run the machine out of memory with copy-on-write faults. */
static void test_oom(void)
{
    unsigned long before = (unsigned long)mmcore_vminfo(MMCORE_VMINFO_FREE, 0, 0);
    unsigned long pages = before * 3 / 5, len = pages * PAGE_SIZE;
    char *p = map(len, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    for (unsigned long i = 0; i < pages; i++)
        p[i * PAGE_SIZE] = (char)i;
    long pid = sys_fork();
    if (pid == 0) {
        for (unsigned long i = 0; i < pages; i++)
            p[i * PAGE_SIZE] = (char)~i;
        sys_exit_group(0);
    }
    int st = -1;
    sys_wait4((int)pid, &st, 0, 0);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
          "a child copying %lu MiB with %lu MiB free is killed by SIGKILL (%x)", len >> 20, before >> 8, st);
    int ok = 1;
    for (unsigned long i = 0; i < pages; i++)
        ok &= p[i * PAGE_SIZE] == (char)i;
    CHECK(ok, "the parent's memory is intact");
    sys_munmap(p, len);
    unsigned long after = (unsigned long)mmcore_vminfo(MMCORE_VMINFO_FREE, 0, 0);
    CHECK_EQ(after, before, "every frame came back");
}

int main(int argc, char **argv)
{
    mmcore = on_mmcore();
    if (mmcore)
        CHECK(mmcore_vminfo(MMCORE_VMINFO_FREE, 0, 0) > 0, "mmcore_vminfo reports free frames");
    else
        pagemap_fd = (int)sys_open("/proc/self/pagemap", O_RDONLY, 0);
    turn = (volatile int *)map(PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED);
    if (argc > 1 && !strcmp(argv[1], "oom")) {
        if (!mmcore) {
            printf("cow oom: for mmcore only\n");
            return 2;
        }
        test_oom();
        utest_done();
    }
    if (!mmcore && pagemap_fd < 0)
        printf("# no /proc/self/pagemap: frame checks skipped\n");
    test_private();
    test_shared_and_readonly();
    test_exec_permission();
    test_kernel_write();
    utest_done();
}
