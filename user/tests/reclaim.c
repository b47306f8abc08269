/* user/tests/reclaim.c — processes give back every frame: 1,000
 * fork/exit cycles; 24 children that each map 64 MiB, touch every page
 * and exit without unmapping; 12 rounds in which the parent maps 64 MiB,
 * fills it, forks, the child rewrites every page (copy-on-write, 64 MiB
 * of copies) and exits, and the parent checks its own data. Afterwards
 * the number of free frames is exactly what it was before (mmcore's
 * mmcore_vminfo). On Linux, where free memory moves for its own reasons,
 * everything but that count is checked. */
#include <usignal.h>
#include <utest.h>

#define MAP_LEN (64UL << 20)

static long free_frames(void) { return mmcore_vminfo(MMCORE_VMINFO_FREE, 0, 0); }

static int run(long pid)
{
    int st = -1;
    if (pid < 0)
        return pid;
    sys_wait4((int)pid, &st, 0, 0);
    return st;
}

int main(void)
{
    int mmcore = on_mmcore();
    long before = mmcore ? free_frames() : 0;
    if (mmcore)
        CHECK(before > 0, "%ld frames free at the start", before);

    int bad = 0;
    for (int i = 0; i < 1000; i++) {
        long pid = sys_fork();
        if (pid == 0)
            sys_exit_group(i & 0x7f);
        int st = run(pid);
        bad += !(WIFEXITED(st) && WEXITSTATUS(st) == (i & 0x7f));
    }
    CHECK_EQ(bad, 0, "1000 fork/exit cycles, each child's status reaped");
    if (mmcore)
        CHECK_EQ(free_frames(), before, "free frames after 1000 fork/exit cycles");

    bad = 0;
    for (int r = 0; r < 24; r++) {
        long pid = sys_fork();
        if (pid == 0) {
            char *p = (char *)sys_mmap(0, MAP_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (sys_failed((long)p))
                sys_exit_group(2);
            for (unsigned long off = 0; off < MAP_LEN; off += PAGE_SIZE)
                p[off] = (char)r;
            sys_exit_group(0); /* no munmap: exit frees it */
        }
        int st = run(pid);
        bad += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    CHECK_EQ(bad, 0, "24 children each touched every page of 64 MiB and exited");
    if (mmcore)
        CHECK_EQ(free_frames(), before, "free frames after 24 x 64 MiB");

    bad = 0;
    int parent_bad = 0;
    for (int r = 0; r < 12; r++) {
        char *p = (char *)sys_mmap(0, MAP_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (sys_failed((long)p)) {
            bad++;
            continue;
        }
        for (unsigned long off = 0; off < MAP_LEN; off += PAGE_SIZE)
            p[off] = (char)(off / PAGE_SIZE + r);
        long pid = sys_fork();
        if (pid == 0) {
            int ok = 1;
            for (unsigned long off = 0; off < MAP_LEN; off += PAGE_SIZE) {
                ok &= p[off] == (char)(off / PAGE_SIZE + r);
                p[off] = (char)~(off / PAGE_SIZE + r);
            }
            for (unsigned long off = 0; off < MAP_LEN; off += PAGE_SIZE)
                ok &= p[off] == (char)~(off / PAGE_SIZE + r);
            sys_exit_group(ok ? 0 : 1);
        }
        int st = run(pid);
        bad += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        for (unsigned long off = 0; off < MAP_LEN; off += PAGE_SIZE)
            parent_bad += p[off] != (char)(off / PAGE_SIZE + r);
        sys_munmap(p, MAP_LEN);
    }
    CHECK_EQ(bad, 0, "12 children saw the parent's 64 MiB and rewrote every page");
    CHECK_EQ(parent_bad, 0, "the parent's pages kept the parent's data");
    if (mmcore)
        CHECK_EQ(free_frames(), before, "free frames after 12 rounds of 64 MiB copy-on-write");
    utest_done();
}
