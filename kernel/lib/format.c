/* kernel/lib/format.c — printf-style formatting into a buffer (kvsnprintf)
 * and the kernel console's kprintf on top of it. */
#include <kern/console.h>
#include <kern/lib.h>

struct out {
    char *buf;
    size_t size, len;
};

static void out_char(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        out_char(o, c);
}

static void out_field(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;
    if (!left)
        out_pad(o, pad, fill);
    for (size_t i = 0; i < n; i++)
        out_char(o, s[i]);
    if (left)
        out_pad(o, ' ', fill);
}

/* Digits of v in base, into the end of tmp; returns the first digit. */
static char *utoa(char *end, uint64_t v, unsigned base, bool upper)
{
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = dig[v % base];
        v /= base;
    } while (v);
    return p;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    char tmp[24];

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            out_char(&o, *fmt);
            continue;
        }
        fmt++;
        bool left = false, alt = false;
        char pad = ' ';
        for (;; fmt++) {
            if (*fmt == '-')
                left = true;
            else if (*fmt == '#')
                alt = true;
            else if (*fmt == '0')
                pad = '0';
            else
                break;
        }
        int width = 0;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        int lng = 0; /* 0 int, 1 long, 2 long long, -1 short, -2 char */
        for (;; fmt++) {
            if (*fmt == 'l' || *fmt == 'z')
                lng++;
            else if (*fmt == 'h')
                lng--;
            else
                break;
        }
        char c = *fmt;
        if (!c)
            break;
        switch (c) {
        case 'd':
        case 'i': {
            int64_t v = lng > 0 ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (lng == -1)
                v = (short)v;
            else if (lng <= -2)
                v = (signed char)v;
            uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
            char *p = utoa(tmp + sizeof tmp, u, 10, false);
            if (v < 0) {
                if (pad == '0' && !left) {
                    out_char(&o, '-');
                    width--;
                } else {
                    *--p = '-';
                }
            }
            out_field(&o, p, (size_t)(tmp + sizeof tmp - p), width, left, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o':
        case 'p': {
            uint64_t v;
            if (c == 'p')
                v = (uint64_t)(uintptr_t)va_arg(ap, void *);
            else
                v = lng > 0 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            if (c != 'p' && lng == -1)
                v = (unsigned short)v;
            else if (c != 'p' && lng <= -2)
                v = (unsigned char)v;
            unsigned base = c == 'u' ? 10 : c == 'o' ? 8 : 16;
            char *p = utoa(tmp + sizeof tmp, v, base, c == 'X');
            if (c == 'p' || (alt && (c == 'x' || c == 'X') && v)) {
                out_char(&o, '0');
                out_char(&o, 'x');
                width -= 2;
            }
            out_field(&o, p, (size_t)(tmp + sizeof tmp - p), width, left, pad);
            break;
        }
        case 'c':
            tmp[0] = (char)va_arg(ap, int);
            out_field(&o, tmp, 1, width, left, ' ');
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            out_field(&o, s, strlen(s), width, left, ' ');
            break;
        }
        default:
            out_char(&o, '%');
            out_char(&o, c);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* Contract: formats into a bounded line buffer (longer output is cut) and
 * writes it to the kernel channel. */
void kprintf(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 1)
        n = sizeof line - 1;
    console_write(CONSOLE_KERNEL, line, (size_t)n);
}
