/* tests/conformance/exec_maps.c — the program image as the loader maps it,
 * seen through /proc/self/maps: each PT_LOAD a private mapping of the
 * executable (the lines name its path) with the segment's permissions and
 * file offset, and the anonymous memory of .bss beyond the last file page.
 * Built twice: as a static executable (ET_EXEC) and as a static-pie one
 * (exec_maps_pie, ET_DYN), so both kinds of loading are compared.
 *
 * Lines are printed relative to the image's first page; the path itself,
 * device and inode differ between the kernels and are not printed: a line
 * of the image says "exe". */
#include "conf.h"

extern char __ehdr_start[], _edata[], _end[];

static char data_page[5000] = {1};  /* .data: a writable file-backed part */
static char bss_big[40 * 4096];     /* .bss well beyond the last file page */

static struct conf_maps_line lines[256];
static int nlines;

/* Read and split /proc/self/maps; 0, or -1 when it cannot be read. */
static int maps_load(void)
{
    char *s = conf_maps_text();
    if (!s)
        return -1;
    for (nlines = 0; nlines < (int)(sizeof lines / sizeof lines[0]) && conf_maps_next(&s, &lines[nlines]) == 0;)
        nlines++;
    return 0;
}

int main(void)
{
    conf_start();
    /* Touch .data and .bss so that neither is optimised away. */
    data_page[4999] = 2;
    bss_big[sizeof bss_big - 1] = 3;
    conf_case("exec_data_from_file", "%d %d %d", *(volatile char *)&data_page[0],
              *(volatile char *)&data_page[1], *(volatile char *)&data_page[4999]);

    /* The rest of the last file page of the data segment reads as zero:
     * the loader cleared what followed the segment's file bytes. */
    uintptr_t edata = (uintptr_t)_edata, tail_end = (edata + P - 1) & ~(uintptr_t)(P - 1);
    conf_case("exec_data_page_tail_zero", "%s",
              conf_all_zero(edata, tail_end - edata) ? "yes" : "no");
    conf_case("exec_bss_zero", "%s", conf_all_zero((uintptr_t)bss_big, sizeof bss_big - 1) ? "yes" : "no");

    if (maps_load() < 0) {
        conf_case("exec_maps", "maps: unavailable");
        return 0;
    }
    uintptr_t image = (uintptr_t)__ehdr_start;
    const char *exe = 0;
    for (int i = 0; i < nlines; i++)
        if (lines[i].lo <= image && image < lines[i].hi)
            exe = lines[i].name;
    conf_case("exec_maps_header_named", "%s",
              !exe ? "not mapped" : exe[0] == '/' ? "a path" : exe[0] ? exe : "no name");
    if (!exe || exe[0] != '/')
        return 0;

    int first = -1, last = -1, count = 0;
    for (int i = 0; i < nlines; i++) {
        if (strcmp(lines[i].name, exe) != 0)
            continue;
        if (first < 0)
            first = i;
        last = i;
        count++;
    }
    uintptr_t base = lines[first].lo;
    conf_case("exec_maps_header_page_is_first", "%s", base == (image & ~(uintptr_t)(P - 1)) ? "yes" : "no");
    conf_case("exec_maps_exe_lines", "%d", count);
    for (int i = first, k = 0; i <= last; i++) {
        char name[48];
        const char *what = strcmp(lines[i].name, exe) == 0 ? "exe" : lines[i].name[0] ? lines[i].name : "anon";
        snprintf(name, sizeof name, "exec_maps_line_%d", k++);
        conf_case(name, "%lu-%lu %s %lx %s", (unsigned long)((lines[i].lo - base) / P),
                  (unsigned long)((lines[i].hi - base) / P), lines[i].perms, (unsigned long)lines[i].off, what);
    }
    /* What follows the image: .bss beyond the last file page, anonymous. */
    if (last + 1 < nlines && lines[last + 1].lo == lines[last].hi) {
        const struct conf_maps_line *l = &lines[last + 1];
        uintptr_t bss_end = ((uintptr_t)_end + P - 1) & ~(uintptr_t)(P - 1);
        conf_case("exec_maps_after_image", "%lu-%lu %s %lx %s", (unsigned long)((l->lo - base) / P),
                  (unsigned long)((l->hi - base) / P), l->perms, (unsigned long)l->off,
                  l->name[0] ? l->name : "anon");
        conf_case("exec_maps_bss_ends_at_end", "%s", l->hi == bss_end ? "yes" : "no");
    } else {
        conf_case("exec_maps_after_image", "nothing adjacent");
    }
    return 0;
}
