/* hosted/mmsim.c — a command-line driver for one simulated address space.
 *
 * mmsim reads a script of memory-management operations (from a file or
 * standard input), runs each one on a hosted machine with one space, and
 * prints what a Linux process would observe: the address mmap returns or
 * its errno, whether an access succeeds or which signal it raises, and a
 * /proc/PID/maps style listing. It serves as a test driver (tests/scripts)
 * and as a way to watch VMAs split and merge.
 *
 *   usage: mmsim [-v] [-m PAGES] [SCRIPT]
 *     -v        echo each script line (comments too) before its result
 *     -m PAGES  simulated physical memory, in 4 KiB frames (default 4096)
 *
 * Script lines (numbers in hex or decimal, with optional K/M/G suffixes,
 * joined with + or -; $ is the address the last successful map returned,
 * $heap the heap start, $brk the current break, $top the end of user space,
 * $base the top-down placement base, $min the lowest mappable address):
 *   map ADDR LEN PROT FLAGS [OFF]      mmap of anonymous memory (fd -1)
 *   unmap ADDR LEN                     munmap
 *   protect ADDR LEN PROT              mprotect
 *   brk ADDR                           brk (brk 0 asks for the current break)
 *   heap ADDR                          set the heap start (space_brk_init)
 *   stack ADDR                         the initial stack pointer ([stack] in maps)
 *   read ADDR [LEN]                    user read; prints the bytes, run-length coded
 *   write ADDR BYTE [LEN]              user write of LEN copies of BYTE
 *   exec ADDR [LEN]                    instruction fetch
 *   maps                               the VMA list, /proc/PID/maps style
 *   draw                               a picture of the pages near the mappings
 *   check                              the invariant checkers
 *   stats                              VMA count, resident pages, free frames
 *   policy lazy|eager                  population policy for later operations
 *   limit N                            the VMA limit (vm.max_map_count)
 *   fail frame|table|slab N [sticky]   make the Nth allocation at a site fail
 *   fail off                           stop failing allocations
 *   reset                              a fresh machine and space
 * PROT and FLAGS are names joined by | (PROT_READ|PROT_WRITE,
 * MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED) or numbers. A # starts a comment.
 *
 * The space uses a fixed placement base (MMSIM_MMAP_BASE) and heap start
 * (MMSIM_HEAP_START) so that a script prints the same on every page-table
 * format. */
#include <hosted/hosted.h>
#include <mm/check.h>
#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/mman.h>
#include <mm/object.h>
#include <mm/space.h>
#include <mm/vma.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MMSIM_MMAP_BASE 0x7f0000000000ull
#define MMSIM_HEAP_START 0x10000000ull
#define MMSIM_DEFAULT_FRAMES 4096
#define MMSIM_MAX_ACCESS (16u << 20)   /* largest read/write/exec length */
#define MMSIM_DRAW_JOIN 16             /* gaps up to this many pages stay on one row */
#define MMSIM_DRAW_LONG 64             /* VMAs longer than this are abbreviated */
#define MMSIM_DRAW_EDGE 16             /* pages shown at each end of a long VMA */

struct mmsim {
    struct space *space;
    enum space_policy policy;
    uint64_t frames;
    uaddr_t last_map;
    bool verbose;
    int errors;          /* script lines that could not be run */
    unsigned line;
    uint32_t *scratch;   /* for frames_check */
};

/* ---- printing results ---- */

static void mmsim_error(struct mmsim *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mmsim_error(struct mmsim *m, const char *fmt, ...)
{
    va_list ap;
    printf("error: line %u: ", m->line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    m->errors++;
}

static const char *mmsim_errno_name(int64_t err)
{
    static const struct { int num; const char *name; } names[] = {
        {EPERM, "EPERM"},   {ENOENT, "ENOENT"}, {EINTR, "EINTR"},   {EIO, "EIO"},
        {EBADF, "EBADF"},   {EAGAIN, "EAGAIN"}, {ENOMEM, "ENOMEM"}, {EACCES, "EACCES"},
        {EFAULT, "EFAULT"}, {EBUSY, "EBUSY"},   {EEXIST, "EEXIST"}, {ENODEV, "ENODEV"},
        {EINVAL, "EINVAL"}, {ENFILE, "ENFILE"}, {EMFILE, "EMFILE"}, {EFBIG, "EFBIG"},
        {ENOSPC, "ENOSPC"}, {ENOSYS, "ENOSYS"}, {EOVERFLOW, "EOVERFLOW"},
        {EOPNOTSUPP, "EOPNOTSUPP"},
    };
    static char other[32];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].num == -err)
            return names[i].name;
    snprintf(other, sizeof other, "E%" PRId64, -err);
    return other;
}

/* "-EINVAL" for a negative errno, "0x..." for an address. */
static void mmsim_print_result(const char *cmd, int64_t r)
{
    if (r < 0 && r >= -4095)
        printf("%s -> -%s\n", cmd, mmsim_errno_name(r));
    else
        printf("%s -> 0x%" PRIx64 "\n", cmd, (uint64_t)r);
}

static void mmsim_print_status(const char *cmd, int r)
{
    if (r == 0)
        printf("%s -> ok\n", cmd);
    else
        printf("%s -> -%s\n", cmd, mmsim_errno_name(r));
}

static void mmsim_print_fault(const char *cmd, struct hosted_fault f)
{
    switch (f.result) {
    case FAULT_OK:
        printf("%s -> ok\n", cmd);
        break;
    case FAULT_SEGV_MAPERR:
        printf("%s -> SIGSEGV SEGV_MAPERR at 0x%" PRIx64 "\n", cmd, f.addr);
        break;
    case FAULT_SEGV_ACCERR:
        printf("%s -> SIGSEGV SEGV_ACCERR at 0x%" PRIx64 "\n", cmd, f.addr);
        break;
    case FAULT_BUS:
        printf("%s -> SIGBUS BUS_ADRERR at 0x%" PRIx64 "\n", cmd, f.addr);
        break;
    case FAULT_OOM:
        printf("%s -> out of memory at 0x%" PRIx64 "\n", cmd, f.addr);
        break;
    default:
        printf("%s -> fault %d at 0x%" PRIx64 "\n", cmd, (int)f.result, f.addr);
        break;
    }
}

/* Bytes as runs: "41*3 00*4093". At most 8 runs, then "...". */
static void mmsim_print_bytes(const uint8_t *buf, uint64_t len)
{
    uint64_t i = 0;
    int runs = 0;
    while (i < len) {
        uint64_t j = i;
        while (j < len && buf[j] == buf[i])
            j++;
        if (runs == 8) {
            printf(" ...");
            return;
        }
        printf(" %02x*%" PRIu64, buf[i], j - i);
        runs++;
        i = j;
    }
}

/* ---- the space ---- */

static int mmsim_space_new(struct mmsim *m)
{
    struct space_config cfg = {.mmap_base = MMSIM_MMAP_BASE, .policy = m->policy};
    paddr_t zero;

    hosted_machine_init(m->frames);
    frame_zero_page(&zero); /* the shared zero page is allocated once, up front */
    if (space_create(&m->space, &cfg)) {
        printf("error: cannot create an address space\n");
        return -1;
    }
    space_brk_init(m->space, MMSIM_HEAP_START);
    m->last_map = 0;
    free(m->scratch);
    m->scratch = calloc(frames_check_scratch_entries() + 1, sizeof *m->scratch);
    return m->scratch ? 0 : -1;
}

static void mmsim_space_free(struct mmsim *m)
{
    if (m->space)
        space_destroy(m->space);
    m->space = NULL;
    hosted_machine_fini();
}

/* ---- parsing ---- */

static bool mmsim_parse_term(struct mmsim *m, const char **pp, uint64_t *out)
{
    const char *p = *pp;
    uint64_t v = 0;

    if (*p == '$') {
        static const struct { const char *name; int id; } vars[] = {
            {"heap", 1}, {"brk", 2}, {"top", 3}, {"base", 4}, {"min", 5},
        };
        p++;
        int id = 0;
        for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
            size_t n = strlen(vars[i].name);
            if (!strncmp(p, vars[i].name, n) && !isalnum((unsigned char)p[n])) {
                id = vars[i].id;
                p += n;
                break;
            }
        }
        if (!id && isalpha((unsigned char)*p))
            return false;
        switch (id) {
        case 0: v = m->last_map; break;
        case 1: v = m->space->brk_start; break;
        case 2: v = m->space->brk; break;
        case 3: v = m->space->top; break;
        case 4: v = m->space->mmap_base; break;
        default: v = m->space->min_addr; break;
        }
    } else if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        if (!isxdigit((unsigned char)*p))
            return false;
        while (isxdigit((unsigned char)*p)) {
            int d = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
            v = v * 16 + (uint64_t)d;
            p++;
        }
    } else if (isdigit((unsigned char)*p)) {
        while (isdigit((unsigned char)*p))
            v = v * 10 + (uint64_t)(*p++ - '0');
    } else {
        return false;
    }
    switch (*p) {
    case 'K': case 'k': v <<= 10; p++; break;
    case 'M': case 'm': v <<= 20; p++; break;
    case 'G': case 'g': v <<= 30; p++; break;
    default: break;
    }
    *pp = p;
    *out = v;
    return true;
}

/* A number expression: terms joined by + and -, arithmetic modulo 2^64
 * (so "-1" is the largest 64-bit value). */
static bool mmsim_parse_num(struct mmsim *m, const char *s, uint64_t *out)
{
    const char *p = s;
    uint64_t acc = 0, v;
    int sign = 1;

    if (*p == '-') {
        sign = -1;
        p++;
    } else if (*p == '+') {
        p++;
    }
    for (;;) {
        if (!mmsim_parse_term(m, &p, &v))
            return false;
        acc = sign > 0 ? acc + v : acc - v;
        if (*p == 0)
            break;
        if (*p != '+' && *p != '-')
            return false;
        sign = *p == '+' ? 1 : -1;
        p++;
    }
    *out = acc;
    return true;
}

static const struct mmsim_flag {
    const char *name;
    uint64_t value;
} mmsim_flags[] = {
    {"PROT_NONE", PROT_NONE},
    {"PROT_READ", PROT_READ},
    {"PROT_WRITE", PROT_WRITE},
    {"PROT_EXEC", PROT_EXEC},
    {"PROT_SEM", PROT_SEM},
    {"PROT_GROWSDOWN", PROT_GROWSDOWN},
    {"PROT_GROWSUP", PROT_GROWSUP},
    {"MAP_SHARED", MAP_SHARED},
    {"MAP_PRIVATE", MAP_PRIVATE},
    {"MAP_SHARED_VALIDATE", MAP_SHARED_VALIDATE},
    {"MAP_FIXED", MAP_FIXED},
    {"MAP_ANONYMOUS", MAP_ANONYMOUS},
    {"MAP_ANON", MAP_ANONYMOUS},
    {"MAP_GROWSDOWN", MAP_GROWSDOWN},
    {"MAP_DENYWRITE", MAP_DENYWRITE},
    {"MAP_EXECUTABLE", MAP_EXECUTABLE},
    {"MAP_LOCKED", MAP_LOCKED},
    {"MAP_NORESERVE", MAP_NORESERVE},
    {"MAP_POPULATE", MAP_POPULATE},
    {"MAP_NONBLOCK", MAP_NONBLOCK},
    {"MAP_STACK", MAP_STACK},
    {"MAP_HUGETLB", MAP_HUGETLB},
    {"MAP_SYNC", MAP_SYNC},
    {"MAP_FIXED_NOREPLACE", MAP_FIXED_NOREPLACE},
};

/* Names and numbers joined by |. */
static bool mmsim_parse_flags(struct mmsim *m, const char *s, uint64_t *out)
{
    char buf[256];
    uint64_t acc = 0;

    if (strlen(s) >= sizeof buf)
        return false;
    strcpy(buf, s);
    for (char *save = NULL, *tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
        uint64_t v;
        bool found = false;
        for (size_t i = 0; i < sizeof mmsim_flags / sizeof mmsim_flags[0]; i++) {
            if (!strcmp(tok, mmsim_flags[i].name)) {
                acc |= mmsim_flags[i].value;
                found = true;
                break;
            }
        }
        if (found)
            continue;
        if (!mmsim_parse_num(m, tok, &v))
            return false;
        acc |= v;
    }
    *out = acc;
    return true;
}

/* ---- listings ---- */

static bool mmsim_page_present(struct space *s, uaddr_t va, bool *zero)
{
    paddr_t pa;
    if (!pmap_extract(&s->pmap, va, &pa, NULL))
        return false;
    if (zero)
        *zero = frame_is_zero_page(pa);
    return true;
}

static const char *mmsim_vma_name(struct space *s, const struct vma *v)
{
    if (v->obj && v->obj->kind == VM_OBJECT_FILE && v->obj->ops && v->obj->ops->name) {
        uint64_t dev, ino;
        return v->obj->ops->name(v->obj, &dev, &ino);
    }
    if (v->obj && v->obj->kind == VM_OBJECT_SHARED_ANON)
        return "/dev/zero (deleted)";
    if (space_vma_is_heap(s, v))
        return "[heap]";
    if (space_vma_is_stack(s, v))
        return "[stack]";
    return NULL;
}

static void mmsim_cmd_maps(struct mmsim *m)
{
    struct space *s = m->space;
    if (!vma_tree_first(&s->vmas)) {
        printf("maps -> (no mappings)\n");
        return;
    }
    for (struct vma *v = vma_tree_first(&s->vmas); v; v = vma_tree_next(&s->vmas, v)) {
        const char *name = mmsim_vma_name(s, v);
        uint64_t pages = (v->end - v->start) / PAGE_SIZE;
        /* Linux prints the file offset, which is 0 for private anonymous
         * memory; shared anonymous memory is a file at offset pgoff. */
        uint64_t off = (v->flags & VMA_SHARED) ? v->pgoff << PAGE_SHIFT : 0;
        printf("%08" PRIx64 "-%08" PRIx64 " %c%c%c%c %08" PRIx64 " 00:00 0%s%s  (%" PRIu64 " page%s)\n",
               v->start, v->end, (v->flags & VMA_READ) ? 'r' : '-', (v->flags & VMA_WRITE) ? 'w' : '-',
               (v->flags & VMA_EXEC) ? 'x' : '-', (v->flags & VMA_SHARED) ? 's' : 'p', off,
               name ? " " : "", name ? name : "", pages, pages == 1 ? "" : "s");
    }
}

/* One character per page: the VMA's protection, in capitals once the page
 * is present in the page table, 0 when it maps the shared zero page. */
static char mmsim_page_char(struct space *s, const struct vma *v, uaddr_t va)
{
    unsigned prot = v->flags & VMA_PROT_MASK;
    bool w = prot & VMA_WRITE, x = prot & VMA_EXEC, zero = false;
    char c = !prot ? '-' : w && x ? '*' : w ? 'w' : x ? 'x' : 'r';
    if (!mmsim_page_present(s, va, &zero))
        return c;
    if (zero)
        return '0';
    return c == '-' ? '=' : c == '*' ? '#' : (char)toupper((unsigned char)c);
}

static void mmsim_print_size(uint64_t bytes)
{
    static const struct { uint64_t unit; const char *name; } units[] = {
        {1ull << 40, "TiB"}, {1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (bytes >= units[i].unit) {
            if (bytes % units[i].unit == 0)
                printf("%" PRIu64 " %s", bytes / units[i].unit, units[i].name);
            else
                printf("~%.1f %s", (double)bytes / (double)units[i].unit, units[i].name);
            return;
        }
    }
    printf("%" PRIu64 " bytes", bytes);
}

static void mmsim_draw_vma(struct space *s, const struct vma *v, char *row, size_t *n, size_t cap)
{
    uint64_t pages = (v->end - v->start) / PAGE_SIZE;
    for (uint64_t i = 0; i < pages && *n + 24 < cap; i++) {
        if (pages > MMSIM_DRAW_LONG && i == MMSIM_DRAW_EDGE) {
            uint64_t skip = pages - 2 * MMSIM_DRAW_EDGE;
            *n += (size_t)snprintf(row + *n, cap - *n, "~%" PRIu64 "~", skip);
            i += skip - 1;
            continue;
        }
        row[(*n)++] = mmsim_page_char(s, v, v->start + i * PAGE_SIZE);
    }
    row[(*n)++] = '|';
    row[*n] = 0;
}

static void mmsim_cmd_draw(struct mmsim *m)
{
    struct space *s = m->space;
    struct vma *v = vma_tree_first(&s->vmas);
    static char row[8192];

    if (!v) {
        printf("draw -> (no mappings)\n");
        return;
    }
    while (v) {
        uaddr_t row_start = v->start;
        size_t n = 0;
        row[n++] = '|';
        for (;;) {
            mmsim_draw_vma(s, v, row, &n, sizeof row);
            struct vma *next = vma_tree_next(&s->vmas, v);
            if (!next || (next->start - v->end) / PAGE_SIZE > MMSIM_DRAW_JOIN || n + 64 > sizeof row) {
                printf("  0x%012" PRIx64 " %s 0x%012" PRIx64 "\n", row_start, row, v->end);
                if (next) {
                    printf("  %14s  (", "");
                    mmsim_print_size(next->start - v->end);
                    printf(" free)\n");
                }
                v = next;
                break;
            }
            for (uint64_t i = 0; i < (next->start - v->end) / PAGE_SIZE; i++)
                row[n++] = '.';
            if (next->start != v->end)
                row[n++] = '|';
            row[n] = 0;
            v = next;
        }
    }
    printf("  (one character per page: r read-only, w writable, x executable, * rwx, - none;"
           " capitals (=, #) present, 0 the zero page; . free; | VMA boundary; ~N~ N pages"
           " not shown)\n");
}

static void mmsim_cmd_check(struct mmsim *m)
{
    char buf[512];
    struct space *s = m->space;

    if (space_check(s, buf, sizeof buf)) {
        printf("check -> FAILED space_check: %s\n", buf);
        return;
    }
    if (frames_check(&s, 1, NULL, 0, m->scratch, buf, sizeof buf)) {
        printf("check -> FAILED frames_check: %s\n", buf);
        return;
    }
    printf("check -> ok\n");
}

static void mmsim_cmd_stats(struct mmsim *m)
{
    struct space *s = m->space;
    uint64_t zero = 0, present = 0;

    for (struct vma *v = vma_tree_first(&s->vmas); v; v = vma_tree_next(&s->vmas, v)) {
        for (uaddr_t va = v->start; va < v->end; va += PAGE_SIZE) {
            bool z = false;
            if (mmsim_page_present(s, va, &z)) {
                present++;
                zero += z;
            }
        }
    }
    printf("stats -> %" PRIu64 " VMA%s, %" PRIu64 " resident page%s (%" PRIu64
           " of the zero page), %" PRIu32 " page-table pages, %" PRIu64 " free frames\n",
           space_vma_count(s), space_vma_count(s) == 1 ? "" : "s", s->resident,
           s->resident == 1 ? "" : "s", zero, s->pmap.table_pages, frame_free_count());
    if (present != s->resident)
        printf("stats -> warning: %" PRIu64 " pages present in VMAs, resident says %" PRIu64 "\n",
               present, s->resident);
}

/* ---- commands ---- */

#define MMSIM_MAX_ARGS 8

static bool mmsim_args(struct mmsim *m, int argc, int min, int max, const char *usage)
{
    if (argc - 1 < min || argc - 1 > max) {
        mmsim_error(m, "usage: %s", usage);
        return false;
    }
    return true;
}

static bool mmsim_nums(struct mmsim *m, char **argv, int from, int to, uint64_t *out)
{
    for (int i = from; i < to; i++) {
        if (!mmsim_parse_num(m, argv[i], &out[i])) {
            mmsim_error(m, "not a number: '%s'", argv[i]);
            return false;
        }
    }
    return true;
}

static void mmsim_cmd_map(struct mmsim *m, int argc, char **argv)
{
    uint64_t a[MMSIM_MAX_ARGS] = {0};
    if (!mmsim_args(m, argc, 4, 5, "map ADDR LEN PROT FLAGS [OFF]") || !mmsim_nums(m, argv, 1, 3, a))
        return;
    if (!mmsim_parse_flags(m, argv[3], &a[3]) || !mmsim_parse_flags(m, argv[4], &a[4])) {
        mmsim_error(m, "bad protection or flags");
        return;
    }
    if (argc == 6 && !mmsim_nums(m, argv, 5, 6, a))
        return;
    int64_t r;
    if (!(a[4] & MAP_ANONYMOUS)) {
        /* mmsim has no files: its fd is always -1, which Linux rejects
         * after checking the offset's alignment. */
        r = page_aligned(a[5]) ? -EBADF : -EINVAL;
        mmsim_print_result("map", r);
        return;
    }
    r = space_map(m->space, a[1], a[2], a[3], a[4], NULL, a[5], true);
    if (r >= 0)
        m->last_map = (uaddr_t)r;
    mmsim_print_result("map", r);
}

static void mmsim_cmd_unmap(struct mmsim *m, int argc, char **argv)
{
    uint64_t a[MMSIM_MAX_ARGS];
    if (!mmsim_args(m, argc, 2, 2, "unmap ADDR LEN") || !mmsim_nums(m, argv, 1, 3, a))
        return;
    mmsim_print_status("unmap", space_unmap(m->space, a[1], a[2]));
}

static void mmsim_cmd_protect(struct mmsim *m, int argc, char **argv)
{
    uint64_t a[MMSIM_MAX_ARGS];
    if (!mmsim_args(m, argc, 3, 3, "protect ADDR LEN PROT") || !mmsim_nums(m, argv, 1, 3, a))
        return;
    if (!mmsim_parse_flags(m, argv[3], &a[3])) {
        mmsim_error(m, "bad protection '%s'", argv[3]);
        return;
    }
    mmsim_print_status("protect", space_protect(m->space, a[1], a[2], a[3]));
}

static void mmsim_cmd_brk(struct mmsim *m, int argc, char **argv)
{
    uint64_t a[MMSIM_MAX_ARGS];
    if (!mmsim_args(m, argc, 1, 1, "brk ADDR") || !mmsim_nums(m, argv, 1, 2, a))
        return;
    mmsim_print_result("brk", (int64_t)space_brk(m->space, a[1]));
}

static void mmsim_cmd_heap(struct mmsim *m, int argc, char **argv)
{
    uint64_t a[MMSIM_MAX_ARGS];
    if (!mmsim_args(m, argc, 1, 1, "heap ADDR") || !mmsim_nums(m, argv, 1, 2, a))
        return;
    space_brk_init(m->space, a[1]);
    mmsim_print_result("heap", (int64_t)m->space->brk_start);
}

static void mmsim_cmd_stack(struct mmsim *m, int argc, char **argv)
{
    uint64_t a[MMSIM_MAX_ARGS];
    if (!mmsim_args(m, argc, 1, 1, "stack ADDR") || !mmsim_nums(m, argv, 1, 2, a))
        return;
    m->space->start_stack = a[1];
    mmsim_print_result("stack", (int64_t)a[1]);
}

static void mmsim_cmd_access(struct mmsim *m, int argc, char **argv)
{
    uint64_t a[MMSIM_MAX_ARGS] = {0};
    const char *cmd = argv[0];
    bool is_write = !strcmp(cmd, "write");
    int nargs = is_write ? 2 : 1;
    uint8_t *buf;
    struct hosted_fault f;

    if (!mmsim_args(m, argc, nargs, nargs + 1,
                    is_write ? "write ADDR BYTE [LEN]" : "read|exec ADDR [LEN]") ||
        !mmsim_nums(m, argv, 1, argc, a))
        return;
    uint64_t len = argc > nargs + 1 ? a[nargs + 1] : 1;
    if (len == 0 || len > MMSIM_MAX_ACCESS) {
        mmsim_error(m, "length must be between 1 and %u", MMSIM_MAX_ACCESS);
        return;
    }
    if (is_write && a[2] > 0xff) {
        mmsim_error(m, "BYTE must be below 0x100");
        return;
    }
    buf = malloc(len);
    if (!buf) {
        mmsim_error(m, "out of host memory");
        return;
    }
    if (is_write) {
        memset(buf, (int)a[2], len);
        f = hosted_user_write(m->space, a[1], buf, len);
    } else if (!strcmp(cmd, "exec")) {
        f = hosted_user_exec(m->space, a[1], len);
    } else {
        memset(buf, 0, len);
        f = hosted_user_read(m->space, a[1], buf, len);
        if (f.result == FAULT_OK) {
            printf("read -> ok:");
            mmsim_print_bytes(buf, len);
            putchar('\n');
            free(buf);
            return;
        }
    }
    mmsim_print_fault(cmd, f);
    free(buf);
}

static void mmsim_cmd_policy(struct mmsim *m, int argc, char **argv)
{
    if (!mmsim_args(m, argc, 1, 1, "policy lazy|eager"))
        return;
    if (!strcmp(argv[1], "lazy"))
        m->policy = SPACE_LAZY;
    else if (!strcmp(argv[1], "eager"))
        m->policy = SPACE_EAGER;
    else {
        mmsim_error(m, "usage: policy lazy|eager");
        return;
    }
    m->space->policy = m->policy;
    printf("policy -> %s\n", argv[1]);
}

static void mmsim_cmd_limit(struct mmsim *m, int argc, char **argv)
{
    uint64_t a[MMSIM_MAX_ARGS];
    if (!mmsim_args(m, argc, 1, 1, "limit N") || !mmsim_nums(m, argv, 1, 2, a))
        return;
    m->space->max_map_count = a[1];
    printf("limit -> %" PRIu64 "\n", a[1]);
}

static void mmsim_cmd_fail(struct mmsim *m, int argc, char **argv)
{
    static const char *sites[MM_ALLOC_SITES] = {"frame", "table", "slab"};
    uint64_t a[MMSIM_MAX_ARGS];

    if (argc == 2 && !strcmp(argv[1], "off")) {
        for (int i = 0; i < MM_ALLOC_SITES; i++)
            hosted_fail_nth((enum mm_alloc_site)i, 0, false);
        printf("fail -> off\n");
        return;
    }
    if (!mmsim_args(m, argc, 2, 3, "fail frame|table|slab N [sticky] | fail off") ||
        !mmsim_nums(m, argv, 2, 3, a))
        return;
    for (int i = 0; i < MM_ALLOC_SITES; i++) {
        if (!strcmp(argv[1], sites[i])) {
            bool sticky = argc == 4 && !strcmp(argv[3], "sticky");
            hosted_fail_nth((enum mm_alloc_site)i, a[2], sticky);
            printf("fail -> %s allocation %" PRIu64 "%s\n", sites[i], a[2], sticky ? " and later" : "");
            return;
        }
    }
    mmsim_error(m, "unknown allocation site '%s'", argv[1]);
}

static void mmsim_run_line(struct mmsim *m, char *line)
{
    char *argv[MMSIM_MAX_ARGS + 1];
    int argc = 0;
    char *hash = strchr(line, '#');

    if (hash)
        *hash = 0;
    for (char *save = NULL, *tok = strtok_r(line, " \t\r\n", &save); tok;
         tok = strtok_r(NULL, " \t\r\n", &save)) {
        if (argc == MMSIM_MAX_ARGS) {
            mmsim_error(m, "too many arguments");
            return;
        }
        argv[argc++] = tok;
    }
    if (argc == 0)
        return;
    argv[argc] = NULL;

    const char *c = argv[0];
    if (!strcmp(c, "map") || !strcmp(c, "mmap"))
        mmsim_cmd_map(m, argc, argv);
    else if (!strcmp(c, "unmap") || !strcmp(c, "munmap"))
        mmsim_cmd_unmap(m, argc, argv);
    else if (!strcmp(c, "protect") || !strcmp(c, "mprotect"))
        mmsim_cmd_protect(m, argc, argv);
    else if (!strcmp(c, "brk"))
        mmsim_cmd_brk(m, argc, argv);
    else if (!strcmp(c, "heap"))
        mmsim_cmd_heap(m, argc, argv);
    else if (!strcmp(c, "stack"))
        mmsim_cmd_stack(m, argc, argv);
    else if (!strcmp(c, "read") || !strcmp(c, "write") || !strcmp(c, "exec"))
        mmsim_cmd_access(m, argc, argv);
    else if (!strcmp(c, "maps") && argc == 1)
        mmsim_cmd_maps(m);
    else if (!strcmp(c, "draw") && argc == 1)
        mmsim_cmd_draw(m);
    else if (!strcmp(c, "check") && argc == 1)
        mmsim_cmd_check(m);
    else if (!strcmp(c, "stats") && argc == 1)
        mmsim_cmd_stats(m);
    else if (!strcmp(c, "policy"))
        mmsim_cmd_policy(m, argc, argv);
    else if (!strcmp(c, "limit"))
        mmsim_cmd_limit(m, argc, argv);
    else if (!strcmp(c, "fail"))
        mmsim_cmd_fail(m, argc, argv);
    else if (!strcmp(c, "reset") && argc == 1) {
        mmsim_space_free(m);
        if (mmsim_space_new(m))
            exit(2);
        printf("reset -> ok\n");
    } else
        mmsim_error(m, "unknown command or wrong arguments: '%s'", c);
}

static void mmsim_usage(void)
{
    fprintf(stderr, "usage: mmsim [-v] [-m PAGES] [SCRIPT]\n"
                    "  reads commands from SCRIPT (or standard input); see hosted/mmsim.c\n");
}

int main(int argc, char **argv)
{
    struct mmsim m = {.policy = SPACE_LAZY, .frames = MMSIM_DEFAULT_FRAMES};
    const char *path = NULL;
    FILE *in = stdin;
    char line[4096];

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v")) {
            m.verbose = true;
        } else if (!strcmp(argv[i], "-m") && i + 1 < argc) {
            m.frames = strtoull(argv[++i], NULL, 0);
            if (m.frames < 64) {
                fprintf(stderr, "mmsim: -m needs at least 64 frames\n");
                return 2;
            }
        } else if (argv[i][0] == '-' && argv[i][1]) {
            mmsim_usage();
            return 2;
        } else if (!path) {
            path = argv[i];
        } else {
            mmsim_usage();
            return 2;
        }
    }
    if (path && strcmp(path, "-")) {
        in = fopen(path, "r");
        if (!in) {
            perror(path);
            return 2;
        }
    }
    if (mmsim_space_new(&m))
        return 2;
    while (fgets(line, sizeof line, in)) {
        m.line++;
        if (m.verbose) {
            size_t n = strlen(line);
            while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = 0;
            const char *p = line;
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p == '#' || *p == 0)
                printf("%s\n", line);
            else
                printf("> %s\n", line);
        }
        mmsim_run_line(&m, line);
        fflush(stdout);
    }
    if (in != stdin)
        fclose(in);
    mmsim_space_free(&m);
    free(m.scratch);
    return m.errors ? 1 : 0;
}
