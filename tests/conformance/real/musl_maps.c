/* tests/conformance/real/musl_maps.c — an ordinary C program, built with
 * musl-gcc -static and run unmodified, prints how its own image is mapped
 * (from /proc/self/maps): each line of the executable relative to its
 * first page, with permissions and file offset, and the anonymous .bss
 * line after it. The path, device and inode differ between the kernels
 * and are not printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char big_bss[64 * 4096];
static char data[6000] = {'d'};

struct line {
    unsigned long lo, hi, off;
    char perms[5], name[512];
};

int main(void)
{
    static struct line lines[128];
    int n = 0;
    char buf[1024];
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) {
        printf("maps: unavailable\n");
        return 0;
    }
    while (n < 128 && fgets(buf, sizeof buf, f)) {
        struct line *l = &lines[n];
        l->name[0] = 0;
        if (sscanf(buf, "%lx-%lx %4s %lx %*s %*s %511[^\n]", &l->lo, &l->hi, l->perms, &l->off, l->name) >= 4)
            n++;
    }
    fclose(f);
    big_bss[sizeof big_bss - 1] = 1;
    data[5999] = 'e';
    printf("musl_data: %c %c\n", *(volatile char *)&data[0], *(volatile char *)&data[5999]);

    unsigned long text = (unsigned long)&main;
    int self = -1;
    for (int i = 0; i < n; i++)
        if (lines[i].lo <= text && text < lines[i].hi)
            self = i;
    if (self < 0 || lines[self].name[0] != '/') {
        printf("musl_maps_text: %s\n", self < 0 ? "not mapped" : "no path");
        return 0;
    }
    const char *exe = lines[self].name;
    int first = -1, last = -1, k = 0;
    for (int i = 0; i < n; i++)
        if (!strcmp(lines[i].name, exe)) {
            if (first < 0)
                first = i;
            last = i;
        }
    unsigned long base = lines[first].lo;
    for (int i = first; i <= last; i++)
        printf("musl_maps_line_%d: %lu-%lu %s %lx %s\n", k++, (lines[i].lo - base) / 4096,
               (lines[i].hi - base) / 4096, lines[i].perms, lines[i].off,
               !strcmp(lines[i].name, exe) ? "exe" : lines[i].name[0] ? lines[i].name : "anon");
    if (last + 1 < n && lines[last + 1].lo == lines[last].hi) {
        const struct line *l = &lines[last + 1];
        printf("musl_maps_after_image: %lu-%lu %s %lx %s\n", (l->lo - base) / 4096, (l->hi - base) / 4096,
               l->perms, l->off, l->name[0] ? l->name : "anon");
    } else {
        printf("musl_maps_after_image: nothing adjacent\n");
    }
    return 0;
}
