/* tests/lib/test.h — the hosted unit-test harness.
 *
 * A test file defines tests with TEST(name) { ... } and checks with CHECK*;
 * a failed check prints where and why, and the test goes on so one run shows
 * every failure. main() (tests/lib/test_main.c) runs every test, or those
 * whose name contains argv[1], and prints one line per test:
 *   PASS suite/name      or      FAIL suite/name
 * tools/run-tests counts those lines into the final "N passed, N failed". */
#ifndef TEST_H
#define TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct test_case {
    const char *name;
    void (*fn)(void);
    struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail_at(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int test_failed(void); /* checks failed so far in the current test */

/* Printed into failures to say where they happened (e.g. an ASCII drawing
 * of the address space). Set by a test; cleared between tests. */
extern void (*test_context_dump)(void);

#define TEST(name)                                                         \
    static void test_fn_##name(void);                                      \
    static struct test_case test_tc_##name = {#name, test_fn_##name, 0};   \
    __attribute__((constructor)) static void test_reg_##name(void)         \
    {                                                                      \
        test_register(&test_tc_##name);                                    \
    }                                                                      \
    static void test_fn_##name(void)

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond))                                                       \
            test_fail_at(__FILE__, __LINE__, "CHECK(%s)", #cond);          \
    } while (0)

#define CHECK_EQ(a, b)                                                     \
    do {                                                                   \
        int64_t check_a_ = (int64_t)(a), check_b_ = (int64_t)(b);          \
        if (check_a_ != check_b_)                                          \
            test_fail_at(__FILE__, __LINE__, "%s == %s: %" PRId64          \
                         " (0x%" PRIx64 ") != %" PRId64 " (0x%" PRIx64 ")", \
                         #a, #b, check_a_, (uint64_t)check_a_, check_b_,   \
                         (uint64_t)check_b_);                              \
    } while (0)

/* Check cond (evaluated once) and stop the current test when it fails
 * (later checks would only cascade). */
#define REQUIRE(cond)                                                      \
    do {                                                                   \
        if (!(cond)) {                                                     \
            test_fail_at(__FILE__, __LINE__, "REQUIRE(%s)", #cond);        \
            return;                                                        \
        }                                                                  \
    } while (0)

#endif
