/* tests/conformance/fork.c — address spaces after fork: copy-on-write of
 * private memory in both directions, shared memory shared, what the child
 * finds in memory (mincore) and in its maps, MADV_DONTFORK and
 * MADV_WIPEONFORK, changes in one process invisible to the other (munmap,
 * mprotect, brk, stack growth), and exit statuses. The child prints its own
 * lines while the parent waits for it. */
#include "conf.h"

/* Run the child's part, then wait for it; its exit status as a case. */
static void child_then_parent(const char *name, int (*child)(void *), void *arg)
{
    conf_case(name, "%s", conf_in_child(child, arg));
}

static uintptr_t r;         /* the region of the current case */
static volatile int *flag;  /* a shared page for ordering parent and child */

static int child_sees_and_writes(void *arg)
{
    (void)arg;
    conf_case("fork_child_sees_parent_data", "%s", conf_marks(r, 4));
    conf_case("fork_child_layout", "%s", conf_layout(r, 8));
    conf_case("fork_child_maps", "%s", conf_maps(r, 8));
    conf_fill(r, 2, 'C');
    *(volatile char *)(r + 4 * P) = 's';
    conf_case("fork_child_after_own_write", "%s", conf_marks(r, 4));
    return 0;
}

static int child_waits_for_parent_write(void *arg)
{
    (void)arg;
    while (!*flag)
        syscall0(SYS_sched_yield);
    conf_case("fork_child_keeps_data_parent_changed", "%s", conf_marks(r, 2));
    return 0;
}

static void copy_on_write(void)
{
    r = conf_region(8);
    /* 0-1 written, 2 read (the zero page), 3 untouched, 4 shared written,
     * 5 shared untouched. */
    conf_map_at(r, 0, 4, RW, PA);
    conf_map_at(r, 4, 2, RW, SA);
    conf_fill(r, 2, 'P');
    (void)*(volatile char *)(r + 2 * P);
    *(volatile char *)(r + 4 * P) = 'S';
    conf_case("fork_parent_layout", "%s", conf_layout(r, 8));
    conf_case("fork_parent_maps", "%s", conf_maps(r, 8));
    child_then_parent("fork_child_status", child_sees_and_writes, 0);
    conf_case("fork_parent_keeps_data_child_changed", "%s", conf_marks(r, 4));
    conf_case("fork_parent_sees_child_shared_write", "%s", conf_marks(r + 4 * P, 1));
    conf_case("fork_parent_layout_after_child", "%s", conf_layout(r, 8));

    *flag = 0;
    long pid = sys_fork();
    if (pid == 0)
        sys_exit_group(child_waits_for_parent_write(0));
    conf_fill(r, 2, 'Q');
    *flag = 1;
    int status = 0;
    sys_wait4((int)pid, &status, 0, 0);
    conf_case("fork_child_status_after_parent_write", "%s",
              WIFEXITED(status) ? (WEXITSTATUS(status) ? "exit nonzero" : "exit 0") : "killed");
    conf_case("fork_parent_own_write", "%s", conf_marks(r, 2));
    conf_region_free(r, 8);
}

static int child_fills_every_other_page(void *arg)
{
    (void)arg;
    for (int i = 0; i < 64; i += 2)
        *(volatile char *)(r + i * P) = (char)('a' + i % 26);
    unsigned long sum = 0;
    for (int i = 0; i < 64; i++)
        sum = sum * 31 + *(volatile unsigned char *)(r + i * P);
    conf_case("fork_child_many_pages_checksum", "%lx", sum);
    return 0;
}

static void many_pages(void)
{
    r = conf_region(64);
    conf_map_at(r, 0, 64, RW, PA);
    for (int i = 0; i < 64; i++)
        *(volatile char *)(r + i * P) = (char)('A' + i % 26);
    child_then_parent("fork_child_many_pages_status", child_fills_every_other_page, 0);
    conf_case("fork_parent_many_pages", "%s", conf_marks(r, 64));
    conf_region_free(r, 64);
}

static int child_reports_advice(void *arg)
{
    (void)arg;
    conf_case("fork_child_dontfork_layout", "%s", conf_layout(r, 4));
    conf_case("fork_child_dontfork_read", "%s", conf_probe(r, CONF_READ));
    conf_case("fork_child_wipeonfork_contents", "%s", conf_marks(r + 2 * P, 2));
    conf_case("fork_child_advice_maps", "%s", conf_maps(r, 4));
    return 0;
}

static void advice(void)
{
    r = conf_region(4);
    conf_map_at(r, 0, 4, RW, PA);
    conf_fill(r, 4, 'W');
    conf_ret_case("fork_madvise_dontfork", sys_madvise((void *)r, 2 * P, MADV_DONTFORK));
    conf_ret_case("fork_madvise_wipeonfork", sys_madvise((void *)(r + 2 * P), 2 * P, MADV_WIPEONFORK));
    child_then_parent("fork_child_advice_status", child_reports_advice, 0);
    conf_case("fork_parent_advice_contents", "%s", conf_marks(r, 4));
    conf_region_free(r, 4);
}

static int child_changes_its_space(void *arg)
{
    (void)arg;
    sys_munmap((void *)r, P);
    sys_mprotect((void *)(r + P), P, PROT_READ);
    sys_brk((void *)((uintptr_t)sys_brk(0) + 4 * P));
    conf_case("fork_child_grows_stack", "%s", conf_touch(r + 298 * P, CONF_WRITE));
    conf_case("fork_child_changed_layout", "%s %s", conf_layout(r, 4), conf_layout(r + 296 * P, 4));
    return 0;
}

static int child_reports_brk(void *arg)
{
    conf_case("fork_child_brk_same", "%s", (uintptr_t)sys_brk(0) == *(uintptr_t *)arg ? "same" : "different");
    return 0;
}

static int child_exits_7(void *arg)
{
    (void)arg;
    return 7;
}

static int child_faults(void *arg)
{
    /* arg is the address of nothing mapped. */
    *(volatile char *)arg = 1;
    return 0;
}

static void isolation(void)
{
    /* Private memory at [0, 2), a stack at [299, 300) far enough above
     * it to grow. */
    r = conf_region(300);
    uintptr_t b = (uintptr_t)sys_brk(0);
    conf_map_at(r, 0, 2, RW, PA);
    conf_map_at(r, 299, 1, RW, PA | MAP_GROWSDOWN);
    child_then_parent("fork_child_brk_status", child_reports_brk, &b);
    child_then_parent("fork_child_changes_status", child_changes_its_space, 0);
    conf_case("fork_parent_layout_unchanged", "%s %s", conf_layout(r, 4), conf_layout(r + 296 * P, 4));
    conf_case("fork_parent_still_writable", "%s", conf_probe(r + P, CONF_WRITE));
    conf_case("fork_parent_brk_unchanged", "%s", conf_at(sys_brk(0), b));
    conf_region_free(r, 300);

    child_then_parent("fork_exit_status", child_exits_7, 0);
    child_then_parent("fork_child_killed_by_fault", child_faults, (void *)(r + 3 * P));
    int status = 0;
    conf_ret_case("fork_wait_no_children", sys_wait4(-1, &status, 0, 0));
}

int main(void)
{
    conf_start();
    long f = sys_mmap(0, P, RW, SA, -1, 0);
    if (sys_failed(f)) {
        conf_case("fork_setup", "%s", conf_ret(f));
        return 1;
    }
    flag = (volatile int *)f;
    copy_on_write();
    many_pages();
    advice();
    isolation();
    return 0;
}
