/* user/tests/pressure.c — memory pressure costs the greedy process only.
 *
 * Three bystander processes keep working the whole time (map, write and
 * check memory, fork a child that writes a page, write and read back a
 * file), counting their rounds in shared memory. Meanwhile hogs, one at a
 * time, try to take more memory than the machine has:
 *   touch     maps 1 GiB (MAP_NORESERVE, which is not charged to commit)
 *             and writes every page: must end by SIGKILL (the
 *             out-of-memory kill);
 *   populate  fills memory with MADV_POPULATE_WRITE, 1 MiB at a time, until
 *             the kernel says -ENOMEM, then holds it all for a while and
 *             tries what needs kernel memory (fork, creating a file,
 *             mmap); each must work or fail with an error (or the hog is
 *             killed when a bystander's fault finds no frame);
 *   prefault  maps 1 GiB with MAP_POPULATE (which ignores failure), then
 *             writes every page: SIGKILL too.
 * After each hog: every bystander is still alive and made progress while
 * the hog ran, and the machine works. Before the bystanders start, the
 * populate hog runs alone up to its -ENOMEM: some frames must still be
 * free then (the kernel's reserve), and nothing may have killed it. At the end the bystanders stop and
 * exit normally, and the free frame count (sysinfo) is what it was at the
 * start. For mmcore only (on Linux this would really exhaust the machine). */
#include <utest.h>

#define BYSTANDERS 3
#define MADV_POPULATE_WRITE 23

struct board {
    volatile unsigned long rounds[BYSTANDERS];
    volatile unsigned long failures[BYSTANDERS]; /* calls refused (fine) */
    volatile int stop;
    volatile unsigned long free_when_full; /* free frames once the populate hog is full */
};
static int populate_alone; /* the hog stops once memory is full */
static struct board *board;

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
    if (syscall1(SYS_sysinfo, (long)&si))
        return 0;
    return si.freeram * si.mem_unit / PAGE_SIZE;
}

static void pause_ms(long ms)
{
    long ts[2] = {ms / 1000, (ms % 1000) * 1000000};
    syscall2(SYS_nanosleep, (long)ts, 0);
}

/* ---- a bystander: ordinary work, round after round ---- */

static int bystander_round(int id, unsigned long r)
{
    int bad = 0;
    unsigned pages = 8 + (unsigned)(r % 24);
    char *p = (char *)sys_mmap(0, pages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sys_failed((long)p)) {
        board->failures[id]++;
    } else {
        for (unsigned i = 0; i < pages; i++)
            p[i * PAGE_SIZE] = (char)(id + i + r);
        for (unsigned i = 0; i < pages; i++)
            bad |= p[i * PAGE_SIZE] != (char)(id + i + r);
        sys_munmap(p, pages * PAGE_SIZE);
    }
    long pid = sys_fork();
    if (pid == 0) {
        static char page[PAGE_SIZE];
        page[r % PAGE_SIZE] = 1;
        sys_exit_group(page[r % PAGE_SIZE] == 1 ? 0 : 1);
    }
    if (pid < 0) {
        board->failures[id]++;
    } else {
        int st;
        sys_wait4((int)pid, &st, 0, 0);
        bad |= !(WIFEXITED(st) && WEXITSTATUS(st) == 0) && !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    }
    char name[32], buf[64], back[64];
    snprintf(name, sizeof name, "/tmp/bystander%d", id);
    snprintf(buf, sizeof buf, "round %lu of bystander %d", r, id);
    long fd = sys_open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        board->failures[id]++;
    } else {
        long n = sys_write((int)fd, buf, strlen(buf));
        if (n == (long)strlen(buf)) {
            sys_lseek((int)fd, 0, SEEK_SET);
            bad |= sys_read((int)fd, back, sizeof back) != n || memcmp(buf, back, (size_t)n);
        } else {
            board->failures[id]++;
        }
        sys_close((int)fd);
        sys_unlink(name);
    }
    return bad;
}

static _Noreturn void bystander(int id)
{
    for (unsigned long r = 0; !board->stop; r++) {
        if (bystander_round(id, r))
            sys_exit_group(2); /* wrong data: a real failure */
        board->rounds[id]++;
    }
    sys_exit_group(0);
}

/* ---- the hogs ---- */

#define GIB (1UL << 30)

static _Noreturn void hog_touch(void)
{
    char *p = (char *)sys_mmap(0, GIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (sys_failed((long)p))
        sys_exit_group(12);
    for (unsigned long off = 0; off < GIB; off += PAGE_SIZE)
        p[off] = 1;
    sys_exit_group(0); /* the machine has more than 1 GiB? */
}

static _Noreturn void hog_prefault(void)
{
    char *p = (char *)sys_mmap(0, GIB, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE, -1, 0);
    if (sys_failed((long)p))
        sys_exit_group(12);
    for (unsigned long off = 0; off < GIB; off += PAGE_SIZE)
        p[off] = 1;
    sys_exit_group(0);
}

/* Exit status: 10 + the number of kernel-memory checks that went wrong
 * (a crash or a success that cannot be true), or 12 when memory could not
 * be filled at all. */
static _Noreturn void hog_populate(void)
{
    char *p = (char *)sys_mmap(0, GIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (sys_failed((long)p))
        sys_exit_group(12);
    unsigned long filled = 0;
    while (filled < GIB) {
        long r = sys_madvise(p + filled, 1UL << 20, MADV_POPULATE_WRITE);
        if (r == -ENOMEM)
            break;
        if (r)
            sys_exit_group(13);
        filled += 1UL << 20;
    }
    if (filled == GIB)
        sys_exit_group(14);
    board->free_when_full = free_pages();
    if (populate_alone)
        sys_exit_group(10);
    int wrong = 0;
    /* Memory is full: what needs kernel memory works or says no. */
    for (int i = 0; i < 20; i++) {
        long pid = sys_fork();
        if (pid == 0)
            sys_exit_group(0);
        if (pid > 0) {
            int st;
            sys_wait4((int)pid, &st, 0, 0);
        } else if (pid != -ENOMEM && pid != -EAGAIN) {
            wrong++;
        }
        long fd = sys_open("/tmp/hog-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            sys_write((int)fd, "x", 1);
            sys_close((int)fd);
            sys_unlink("/tmp/hog-file");
        } else if (fd != -ENOMEM && fd != -28 /* ENOSPC */) {
            wrong++;
        }
        long q = sys_mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (!sys_failed(q))
            sys_munmap((void *)q, PAGE_SIZE);
        else if (q != -ENOMEM)
            wrong++;
        pause_ms(20); /* hold the memory while the bystanders run */
    }
    /* Everything filled is still ours and intact. */
    for (unsigned long off = 0; off < filled; off += PAGE_SIZE)
        wrong += p[off] != 0;
    sys_exit_group(10 + (wrong > 100 ? 100 : wrong));
}

/* ---- the parent ---- */

static void snapshot(unsigned long *out)
{
    for (int i = 0; i < BYSTANDERS; i++)
        out[i] = board->rounds[i];
}

static void run_hog(const char *name, void (*hog)(void), long *bystanders)
{
    unsigned long before[BYSTANDERS], after[BYSTANDERS];
    snapshot(before);
    long pid = sys_fork();
    if (pid == 0)
        hog();
    CHECK(pid > 0, "hog %s started (%ld)", name, pid);
    int st = 0;
    sys_wait4((int)pid, &st, 0, 0);
    if (!strcmp(name, "populate")) {
        CHECK((WIFEXITED(st) && WEXITSTATUS(st) == 10) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL),
              "hog %s filled memory, held it, and every call needing kernel memory worked or said no "
              "(status 0x%x)", name, st);
    } else {
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "hog %s was killed by SIGKILL (status 0x%x)", name, st);
    }
    pause_ms(200); /* the bystanders get a moment after the hog */
    snapshot(after);
    for (int i = 0; i < BYSTANDERS; i++) {
        int status = 0;
        if (bystanders[i] <= 0)
            continue; /* already reported */
        long w = sys_wait4((int)bystanders[i], &status, WNOHANG, 0);
        CHECK(w == 0, "bystander %d is still running after hog %s (wait4 %ld, status 0x%x)", i, name, w, status);
        if (w != 0)
            bystanders[i] = -1;
        CHECK(after[i] > before[i], "bystander %d made progress during hog %s (%lu rounds)", i, name,
              after[i] - before[i]);
    }
    char *p = (char *)sys_mmap(0, 64 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int ok = !sys_failed((long)p);
    if (ok) {
        memset(p, 7, 64 * PAGE_SIZE);
        ok = p[64 * PAGE_SIZE - 1] == 7;
        sys_munmap(p, 64 * PAGE_SIZE);
    }
    CHECK(ok, "memory works again after hog %s", name);
}

int main(void)
{
    board = (struct board *)sys_mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sys_failed((long)board))
        return 2;
    memset(board, 0, sizeof *board);
    /* A hog alone first, so that the count below includes what the
     * kernel keeps once it has been used. */
    long warm = sys_fork();
    if (warm == 0)
        hog_touch();
    int warm_status;
    sys_wait4((int)warm, &warm_status, 0, 0);
    unsigned long free_start = free_pages();
    printf("free frames at the start: %lu\n", free_start);

    /* The populate hog alone: no fault of another process can make the
     * kernel kill it, so it reaches -ENOMEM and says what was left. */
    populate_alone = 1;
    long alone = sys_fork();
    if (alone == 0)
        hog_populate();
    populate_alone = 0;
    int alone_status = 0;
    sys_wait4((int)alone, &alone_status, 0, 0);
    CHECK(WIFEXITED(alone_status) && WEXITSTATUS(alone_status) == 10,
          "a hog alone filled memory with MADV_POPULATE_WRITE until -ENOMEM (status 0x%x)", alone_status);
    CHECK(board->free_when_full > 0, "the kernel kept frames for itself when user memory was full (%lu free)",
          board->free_when_full);
    CHECK_EQ(free_pages(), free_start, "its frames came back");

    long bystanders[BYSTANDERS];
    for (int i = 0; i < BYSTANDERS; i++) {
        bystanders[i] = sys_fork();
        if (bystanders[i] == 0)
            bystander(i);
    }
    pause_ms(100);
    run_hog("touch", hog_touch, bystanders);
    run_hog("populate", hog_populate, bystanders);
    run_hog("prefault", hog_prefault, bystanders);

    board->stop = 1;
    for (int i = 0; i < BYSTANDERS; i++) {
        int st = 0;
        if (bystanders[i] <= 0)
            continue;
        sys_wait4((int)bystanders[i], &st, 0, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "bystander %d ended normally after %lu rounds, %lu refusals "
              "(status 0x%x)", i, board->rounds[i], board->failures[i], st);
    }
    int st;
    while (sys_wait4(-1, &st, 0, 0) > 0)
        ;
    unsigned long free_end = free_pages();
    CHECK_EQ(free_end, free_start, "free frames at the end equal those at the start");
    utest_done();
}
