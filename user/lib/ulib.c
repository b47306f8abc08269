/* user/lib/ulib.c — memory and string functions, formatted output, exit,
 * and the checks of utest.h. */
#include <ulib.h>
#include <utest.h>

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if (dp < sp)
        return memcpy(d, s, n);
    while (n--)
        dp[n] = sp[n];
    return d;
}

void *memset(void *d, int c, size_t n)
{
    unsigned char *dp = d;
    while (n--)
        *dp++ = (unsigned char)c;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            break;
    }
    return 0;
}

char *strerror_name(long err)
{
    static const struct {
        int n;
        const char *s;
    } names[] = {
        {EPERM, "EPERM"}, {ENOENT, "ENOENT"}, {ESRCH, "ESRCH"}, {E2BIG, "E2BIG"}, {ENOEXEC, "ENOEXEC"},
        {EBADF, "EBADF"}, {ECHILD, "ECHILD"}, {EAGAIN, "EAGAIN"},
        {ENOMEM, "ENOMEM"}, {EACCES, "EACCES"}, {EFAULT, "EFAULT"}, {EEXIST, "EEXIST"},
        {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"}, {EINVAL, "EINVAL"}, {EMFILE, "EMFILE"},
        {ENOTTY, "ENOTTY"}, {28, "ENOSPC"}, {ESPIPE, "ESPIPE"}, {ERANGE, "ERANGE"}, {ENAMETOOLONG, "ENAMETOOLONG"},
        {ENOSYS, "ENOSYS"}, {EOVERFLOW, "EOVERFLOW"},
    };
    static char other[24];
    if (err < 0)
        err = -err;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].n == err)
            return (char *)names[i].s;
    snprintf(other, sizeof other, "errno %ld", err);
    return other;
}

/* ---- formatting ---- */

struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void field(struct out *o, const char *s, size_t n, int width, int left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;
    if (!left)
        while (fill-- > 0)
            put(o, pad);
    for (size_t i = 0; i < n; i++)
        put(o, s[i]);
    if (left)
        while (fill-- > 0)
            put(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    char tmp[24];
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        int left = 0, width = 0, lng = 0;
        char pad = ' ';
        for (; *fmt == '-' || *fmt == '0'; fmt++)
            if (*fmt == '-')
                left = 1;
            else
                pad = '0';
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z')
            lng++, fmt++;
        char c = *fmt;
        if (!c)
            break;
        if (c == 's') {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            field(&o, s, strlen(s), width, left, ' ');
        } else if (c == 'c') {
            tmp[0] = (char)va_arg(ap, int);
            field(&o, tmp, 1, width, left, ' ');
        } else if (c == 'd' || c == 'i' || c == 'u' || c == 'x' || c == 'p') {
            unsigned long v;
            int neg = 0;
            if (c == 'p') {
                v = (unsigned long)va_arg(ap, void *);
            } else if (c == 'd' || c == 'i') {
                long s = lng ? va_arg(ap, long) : va_arg(ap, int);
                neg = s < 0;
                v = neg ? -(unsigned long)s : (unsigned long)s;
            } else {
                v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            }
            unsigned base = (c == 'x' || c == 'p') ? 16 : 10;
            char *p = tmp + sizeof tmp;
            do {
                *--p = "0123456789abcdef"[v % base];
                v /= base;
            } while (v);
            if (c == 'p') {
                *--p = 'x';
                *--p = '0';
            }
            if (neg)
                *--p = '-';
            field(&o, p, (size_t)(tmp + sizeof tmp - p), width, left, pad);
        } else {
            put(&o, '%');
            put(&o, c);
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static char outbuf[4096];
static size_t outlen;

void flush(void)
{
    size_t off = 0;
    while (off < outlen) {
        long n = sys_write(1, outbuf + off, outlen - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    outlen = 0;
}

static void out_bytes(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (outlen == sizeof outbuf)
            flush();
        outbuf[outlen++] = s[i];
        if (s[i] == '\n')
            flush();
    }
}

int printf(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    out_bytes(line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
    return n;
}

int dprintf(int fd, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (fd == 1)
        out_bytes(line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
    else
        sys_write(fd, line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
    return n;
}

int puts(const char *s)
{
    out_bytes(s, strlen(s));
    out_bytes("\n", 1);
    return 0;
}

void exit(int code)
{
    flush();
    sys_exit_group(code);
}

/* ---- utest ---- */

int utest_failures, utest_count;

void utest_check(int ok, const char *expr, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    utest_count++;
    if (ok) {
        printf("ok - %s\n", what);
    } else {
        utest_failures++;
        printf("not ok - %s (%s is false)\n", what, expr);
    }
}

static void describe(char *buf, size_t size, long v)
{
    if (v < 0 && v > -4096)
        snprintf(buf, size, "-%s", strerror_name(v));
    else
        snprintf(buf, size, "%ld (%p)", v, (void *)v);
}

void utest_check_eq(long got, long want, const char *what)
{
    utest_count++;
    if (got == want) {
        printf("ok - %s\n", what);
        return;
    }
    char g[48], w[48];
    describe(g, sizeof g, got);
    describe(w, sizeof w, want);
    utest_failures++;
    printf("not ok - %s: got %s, want %s\n", what, g, w);
}

void utest_done(void)
{
    printf("%d checks, %d failed\n", utest_count, utest_failures);
    exit(utest_failures ? 1 : 0);
}
