/* tests/conformance/lib/conf_mem.c — scratch regions of the address space,
 * and three views of a range: which pages are mapped and in memory
 * (mincore), which VMAs cover it (/proc/self/maps), and what the pages
 * hold (one mark per page). */
#include <ufile.h>

#include "conf.h"

#define VIEW_SIZE 800
#define VIEW_SLOTS 3

/* Each view returns one of a few buffers in turn, so that one line can
 * show several views. */
static char *view_slot(char (*ring)[VIEW_SIZE], unsigned *next) { return ring[(*next)++ % VIEW_SLOTS]; }

uintptr_t conf_region(size_t npages)
{
    /* The guards are MAP_NORESERVE so that they never merge with what a
     * case maps next to them. */
    long r = sys_mmap(0, (npages + 2) * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (sys_failed(r) || sys_failed(sys_munmap((void *)(r + P), npages * P))) {
        printf("conf: cannot reserve %lu pages (%s)\n", (unsigned long)npages, conf_ret(r));
        exit(2);
    }
    return (uintptr_t)r + P;
}

void conf_region_free(uintptr_t base, size_t npages) { sys_munmap((void *)(base - P), (npages + 2) * P); }

long conf_map_at(uintptr_t base, size_t first, size_t npages, int prot, int flags)
{
    return sys_mmap((void *)(base + first * P), npages * P, prot, flags | MAP_FIXED, -1, 0);
}

const char *conf_layout(uintptr_t base, size_t npages)
{
    static char ring[VIEW_SLOTS][VIEW_SIZE];
    static unsigned next;
    char *out = view_slot(ring, &next);
    size_t i;
    for (i = 0; i < npages && i < VIEW_SIZE - 1; i++) {
        unsigned char v = 0;
        long r = sys_mincore((void *)(base + i * P), P, &v);
        out[i] = r == -ENOMEM ? '.' : sys_failed(r) ? '!' : (v & 1) ? '#' : '-';
    }
    out[i] = 0;
    return out;
}

const char *conf_marks(uintptr_t base, size_t npages)
{
    static char ring[VIEW_SLOTS][VIEW_SIZE];
    static unsigned next;
    char *out = view_slot(ring, &next);
    size_t i;
    for (i = 0; i < npages && i < VIEW_SIZE - 1; i++) {
        unsigned char v;
        if (sys_mincore((void *)(base + i * P), P, &v) == -ENOMEM) {
            out[i] = '.';
            continue;
        }
        char c = *(volatile char *)(base + i * P);
        out[i] = c == 0 ? 'z' : ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'y')) ? c : '?';
    }
    out[i] = 0;
    return out;
}

void conf_fill(uintptr_t base, size_t npages, char c) { memset((void *)base, c, npages * P); }

int conf_all_zero(uintptr_t base, size_t len)
{
    const volatile unsigned char *p = (const volatile unsigned char *)base;
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return 0;
    return 1;
}

/* ---- /proc/self/maps ---- */

static char maps_text[1 << 18];

/* Contract: see conf.h. */
char *conf_maps_text(void)
{
    long fd = sys_open("/proc/self/maps", O_RDONLY, 0), len = 0, n;
    if (sys_failed(fd))
        return 0;
    while (len < (long)sizeof maps_text - 1 &&
           (n = sys_read((int)fd, maps_text + len, sizeof maps_text - 1 - len)) > 0)
        len += n;
    sys_close((int)fd);
    maps_text[len] = 0;
    return maps_text;
}

static char *parse_hex(char *s, uintptr_t *v)
{
    uintptr_t x = 0;
    for (;; s++) {
        int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;
        if (d < 0)
            break;
        x = x * 16 + (uintptr_t)d;
    }
    *v = x;
    return s;
}

/* Skip one field and the blanks after it. */
static char *skip_field(char *s)
{
    while (*s && *s != ' ' && *s != '\n')
        s++;
    while (*s == ' ')
        s++;
    return s;
}

/* Contract: see conf.h. */
int conf_maps_next(char **text, struct conf_maps_line *l)
{
    char *s = *text;

    if (!s || !*s)
        return -1;
    s = parse_hex(s, &l->lo);
    s = parse_hex(s + (*s == '-'), &l->hi);
    while (*s == ' ')
        s++;
    memcpy(l->perms, s, 4);
    l->perms[4] = 0;
    s = skip_field(s);                  /* perms */
    parse_hex(s, &l->off);
    s = skip_field(s);                  /* offset */
    s = skip_field(s);                  /* device */
    s = skip_field(s);                  /* inode */
    l->name = s;
    while (*s && *s != '\n')
        s++;
    if (*s)
        *s++ = 0;
    *text = s;
    return 0;
}

const char *conf_maps(uintptr_t base, size_t npages)
{
    static char ring[VIEW_SLOTS][VIEW_SIZE];
    static unsigned next;
    char *out = view_slot(ring, &next);
    uintptr_t end = base + npages * P;
    size_t len = 0;
    char *s = conf_maps_text();
    struct conf_maps_line l;

    if (!s)
        return "maps: unavailable";
    out[0] = 0;
    while (conf_maps_next(&s, &l) == 0) {
        size_t namelen = strlen(l.name);
        uintptr_t lo = l.lo, hi = l.hi;

        if (hi <= base || lo >= end)
            continue;
        lo = lo < base ? base : lo;
        hi = hi > end ? end : hi;
        if (len + namelen + 40 >= VIEW_SIZE)
            break;
        len += (size_t)snprintf(out + len, VIEW_SIZE - len, "%s%lu-%lu:%s", len ? " " : "",
                                (unsigned long)((lo - base) / P), (unsigned long)((hi - base) / P), l.perms);
        if (namelen) {
            out[len++] = ':';
            memcpy(out + len, l.name, namelen);
            len += namelen;
            out[len] = 0;
        }
    }
    return len ? out : "(none)";
}

/* Contract: see conf.h. */
struct conf_watcher conf_watcher_start(uintptr_t base, size_t npages, const char *want)
{
    struct conf_watcher w = {-1, -1};
    int sync[2];

    if (sys_pipe2(sync, 0))
        return w;
    w.pid = sys_fork();
    if (w.pid == 0) {
        char x;
        sys_close(sync[1]);
        sys_read(sync[0], &x, 1);
        sys_exit(!strcmp(conf_marks(base, npages), want) ? 0 : 1);
    }
    sys_close(sync[0]);
    if (w.pid < 0) {
        sys_close(sync[1]);
        return w;
    }
    w.release = sync[1];
    return w;
}

/* Contract: see conf.h. */
int conf_watcher_saw(struct conf_watcher w)
{
    int status = -1;

    if (w.pid < 0)
        return 0;
    sys_close(w.release);
    sys_wait4((int)w.pid, &status, 0, 0);
    return status == 0;
}
