/* user/include/ulib.h — the tiny C runtime for test programs: start-up,
 * strings and memory, formatted output to standard output (buffered per
 * line) and the auxiliary vector. */
#ifndef USER_ULIB_H
#define USER_ULIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <syscall.h>

extern char **environ;

/* The value of auxiliary-vector entry type, or 0. */
unsigned long getauxval(unsigned long type);

void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strerror_name(long err); /* "EINVAL" for -22 or 22 */

/* printf family: %d %i %u %x %lx %ld %lu %p %s %c %% with widths, '0' and
 * '-'. printf goes to a line buffer on fd 1; fprintf-like dprintf writes
 * to any descriptor at once. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int puts(const char *s);
void flush(void);

/* Flush output and end the process. */
__attribute__((noreturn)) void exit(int code);

#endif
