/* user/include/utest.h — checks for test programs. Each CHECK prints
 * "ok - what" or "not ok - what (details)"; utest_done() prints the count
 * and exits with status 1 if anything failed, else 0. */
#ifndef USER_UTEST_H
#define USER_UTEST_H

#include <ulib.h>

extern int utest_failures, utest_count;

#define CHECK(cond, ...) utest_check((cond), #cond, __VA_ARGS__)
/* An expression expected to equal a value (errno results: -EINVAL ...). */
#define CHECK_EQ(got, want, what) utest_check_eq((long)(got), (long)(want), what)

void utest_check(int ok, const char *expr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void utest_check_eq(long got, long want, const char *what);
__attribute__((noreturn)) void utest_done(void);

#endif
