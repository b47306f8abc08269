/* tests/fuzz/fuzz_report.c — the fuzzer's trace of operations, its failure
 * report and its run counters. */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_TRACE_LINES 24
#define FZ_LINE 320

static char trace[FZ_TRACE_LINES][FZ_LINE];
static unsigned trace_n;     /* operations of this input so far */
static int trace_print = -1; /* FUZZ_TRACE: -1 not read yet */
static struct space *report_spaces[8];
static unsigned report_n;

struct fz_stats fz_stats;

static void fz_stats_print(void)
{
    if (!fz_stats.inputs)
        return;
    fprintf(stderr,
            "fuzz_space(%s): %" PRIu64 " inputs, %" PRIu64 " operations, %" PRIu64
            " injected allocation failures, %" PRIu64 " operations checked against the model, %" PRIu64
            " out-of-memory results\n",
            pmap_arch_name(), fz_stats.inputs, fz_stats.operations, fz_stats.injected, fz_stats.model_checked,
            fz_stats.oom_seen);
}

void fz_trace_reset(void)
{
    static bool registered;
    if (!registered) {
        atexit(fz_stats_print);
        registered = true;
    }
    if (trace_print < 0) {
        const char *e = getenv("FUZZ_TRACE");
        trace_print = e && *e && *e != '0';
    }
    trace_n = 0;
    report_n = 0;
    fz_stats.inputs++;
}

static char *current_line(void) { return trace[(trace_n + FZ_TRACE_LINES - 1) % FZ_TRACE_LINES]; }

void fz_op(const char *fmt, ...)
{
    va_list ap;
    char *line = trace[trace_n % FZ_TRACE_LINES];
    int n = snprintf(line, FZ_LINE, "[%u] ", trace_n);
    va_start(ap, fmt);
    vsnprintf(line + n, FZ_LINE - (size_t)n, fmt, ap);
    va_end(ap);
    trace_n++;
    fz_stats.operations++;
}

void fz_result(const char *fmt, ...)
{
    va_list ap;
    if (!trace_n)
        return;
    char *line = current_line();
    size_t n = strlen(line);
    if (n + 4 >= FZ_LINE)
        return;
    strcpy(line + n, " -> ");
    va_start(ap, fmt);
    vsnprintf(line + n + 4, FZ_LINE - n - 4, fmt, ap);
    va_end(ap);
    if (trace_print)
        printf("  %s\n", line);
}

void fz_report_spaces(struct space **spaces, unsigned n)
{
    report_n = 0;
    for (unsigned i = 0; i < n && report_n < sizeof report_spaces / sizeof report_spaces[0]; i++)
        if (spaces[i])
            report_spaces[report_n++] = spaces[i];
}

static void draw_space(struct space *s, unsigned idx)
{
    unsigned shown = 0;
    printf("  space %u: %" PRIu64 " VMAs, %" PRIu64 " resident pages, brk 0x%" PRIx64 " (heap from 0x%" PRIx64
           ")\n",
           idx, space_vma_count(s), s->resident, s->brk, s->brk_start);
    for (struct vma *v = vma_tree_first(&s->vmas); v && shown < 48; v = vma_tree_next(&s->vmas, v), shown++)
        printf("    %012" PRIx64 "-%012" PRIx64 " %c%c%c%c flags 0x%04x obj %p pgoff 0x%" PRIx64 "\n", v->start,
               v->end, (v->flags & VMA_READ) ? 'r' : '-', (v->flags & VMA_WRITE) ? 'w' : '-',
               (v->flags & VMA_EXEC) ? 'x' : '-', (v->flags & VMA_SHARED) ? 's' : 'p', (unsigned)v->flags,
               (void *)v->obj, (uint64_t)v->pgoff);
    if (shown < space_vma_count(s))
        printf("    ...\n");
}

_Noreturn void fz_fail(const char *fmt, ...)
{
    va_list ap;
    printf("FUZZ FAILURE (%s page tables): ", pmap_arch_name());
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n  last operations of this input (oldest first):\n");
    unsigned from = trace_n > FZ_TRACE_LINES ? trace_n - FZ_TRACE_LINES : 0;
    for (unsigned i = from; i < trace_n; i++)
        printf("  %s\n", trace[i % FZ_TRACE_LINES]);
    for (unsigned i = 0; i < report_n; i++)
        draw_space(report_spaces[i], i);
    fflush(stdout);
    abort();
}
