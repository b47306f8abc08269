/* tests/lib/test_main.c — runs the registered tests of one test binary. */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>

static struct test_case *tests_head, **tests_tail = &tests_head;
static int current_failures;
static const char *current_name;
static const char *suite_name = "tests";
void (*test_context_dump)(void);

void test_register(struct test_case *tc)
{
    *tests_tail = tc;
    tests_tail = &tc->next;
}

void test_fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    current_failures++;
    if (current_failures > 20)
        return; /* one broken invariant can fail thousands of checks */
    fprintf(stdout, "  %s:%d: %s: ", file, line, current_name);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    if (test_context_dump && current_failures == 1)
        test_context_dump();
    fflush(stdout);
}

int test_failed(void) { return current_failures; }

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    const char *slash = strrchr(argv[0], '/');
    int passed = 0, failed = 0;

    suite_name = slash ? slash + 1 : argv[0];
    for (struct test_case *tc = tests_head; tc; tc = tc->next) {
        if (filter && !strstr(tc->name, filter))
            continue;
        current_failures = 0;
        current_name = tc->name;
        test_context_dump = NULL;
        tc->fn();
        printf("%s %s/%s\n", current_failures ? "FAIL" : "PASS", suite_name, tc->name);
        fflush(stdout);
        if (current_failures)
            failed++;
        else
            passed++;
    }
    return failed ? 1 : 0;
}
