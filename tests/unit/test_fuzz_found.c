/* tests/unit/test_fuzz_found.c — problems the fuzzers found in mm/, each
 * reduced to the smallest call that shows it. They stay as regression
 * tests once fixed.
 *
 * A user call must not take time in proportion to the length of the range
 * it names when nothing needs doing there: Linux populates a range VMA by
 * VMA, skips what cannot be populated (PROT_NONE) and stops a VMA at its
 * first page beyond the end of the file. A call that loops over 2^34 pages
 * instead holds the process's address space (and the CPU) for minutes:
 * from user space that is a hang. Each test runs the call in a child
 * process under a watchdog. */
#include "mm_test.h"

#include <mm/object.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define HUGE_LEN (1ull << 46) /* 2^34 pages: fits below the top on both formats */
#define WATCHDOG_SECONDS 5

/* Run fn in a child; true when it returned within the watchdog. */
static bool finishes_quickly(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(WATCHDOG_SECONDS);
        fn();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* mmap(PROT_NONE, MAP_POPULATE) of a huge range: nothing to populate. */
static void map_prot_none_populate(void)
{
    struct space *s = t_space(SPACE_LAZY);
    int64_t r = space_map(s, 0, HUGE_LEN, PROT_NONE, ANON | MAP_POPULATE | MAP_NORESERVE, NULL, 0, true);
    if (r < 0)
        _exit(2);
}

TEST(populate_of_prot_none_is_quick)
{
    CHECK(finishes_quickly(map_prot_none_populate));
}

/* The eager policy populates every new mapping: the same loop. */
static void map_prot_none_eager(void)
{
    struct space *s = t_space(SPACE_EAGER);
    int64_t r = space_map(s, 0, HUGE_LEN, PROT_NONE, ANON | MAP_NORESERVE, NULL, 0, true);
    if (r < 0)
        _exit(2);
}

TEST(eager_map_of_prot_none_is_quick)
{
    CHECK(finishes_quickly(map_prot_none_eager));
}

/* MAP_POPULATE of a file mapping far longer than the file: every page
 * past the end is SIGBUS, and Linux stops at the first one. */
static void map_file_populate(void)
{
    struct space *s = t_space(SPACE_LAZY);
    struct vm_object *file = vm_object_file_create(PAGE_SIZE, NULL, NULL);
    struct space_file f = {.obj = file, .readable = true, .writable = true, .max_bytes = INT64_MAX};
    if (!file)
        _exit(3);
    int64_t r = space_map_file(s, 0, HUGE_LEN, PROT_READ, MAP_SHARED | MAP_POPULATE, &f, 0);
    if (r < 0)
        _exit(2);
}

TEST(populate_past_end_of_file_is_quick)
{
    CHECK(finishes_quickly(map_file_populate));
}
