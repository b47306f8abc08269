/* kern/lib.h — the small C library the kernel carries: memory and string
 * functions (which the compiler may also call on its own), formatted output
 * and a few helpers. */
#ifndef KERN_LIB_H
#define KERN_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* Copy at most size - 1 bytes of src and a NUL; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

/* printf-style formatting: %d %i %u %x %X %o %c %s %p %% with the flags
 * '-', '0' and '#', a width, and the length modifiers hh, h, l, ll, z.
 * Returns the length the full output would have (as C's snprintf). */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Print to the kernel console. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))

#endif
