/* tests/lib/mm_test.c — shared helpers for hosted mm/ tests (see mm_test.h). */
#include "mm_test.h"

#include <mm/object.h>
#include <mm/slab.h>
#include <stdlib.h>

static struct space *t_current;
static uint64_t t_free_at_start;

static void t_dump_current(void)
{
    if (t_current)
        t_space_draw(t_current, stdout);
}

struct space *t_space_cfg(const struct space_config *cfg)
{
    struct space *s;
    paddr_t zero;

    hosted_machine_init(T_MACHINE_PAGES);
    frame_zero_page(&zero); /* allocated once; not a leak */
    t_free_at_start = frame_free_count();
    if (space_create(&s, cfg)) {
        test_fail_at(__FILE__, __LINE__, "space_create failed");
        abort();
    }
    t_current = s;
    test_context_dump = t_dump_current;
    return s;
}

struct space *t_space(enum space_policy policy)
{
    struct space_config cfg = {.policy = policy};
    return t_space_cfg(&cfg);
}

void t_space_done(struct space *s)
{
    space_destroy(s);
    t_current = 0;
    if (frame_free_count() != t_free_at_start)
        test_fail_at(__FILE__, __LINE__, "frames leaked: %" PRIu64 " free before, %" PRIu64 " after",
                     t_free_at_start, frame_free_count());
    if (vma_cache.objects || object_cache.objects || space_cache.objects || file_cache.objects)
        test_fail_at(__FILE__, __LINE__, "records leaked: %" PRIu64 " VMAs, %" PRIu64 " objects",
                     vma_cache.objects, object_cache.objects);
}

uint32_t *t_frames_scratch(void)
{
    static uint32_t *scratch;
    static uint64_t scratch_n;
    uint64_t n = frames_check_scratch_entries();

    if (n > scratch_n) {
        free(scratch);
        scratch = calloc(n, sizeof *scratch);
        scratch_n = n;
    }
    return scratch;
}

void t_check_all_at(struct space **s, unsigned n, struct vm_object **objs, unsigned nobjs, const char *file,
                    int line)
{
    char buf[256];

    for (unsigned i = 0; i < n; i++)
        if (space_check(s[i], buf, sizeof buf))
            test_fail_at(file, line, "space_check: %s", buf);
    if (frames_check(s, n, objs, nobjs, t_frames_scratch(), buf, sizeof buf))
        test_fail_at(file, line, "frames_check: %s", buf);
}

void t_check_at(struct space *s, const char *file, int line) { t_check_all_at(&s, 1, 0, 0, file, line); }

uint8_t t_byte_at(struct space *s, uaddr_t va, const char *file, int line)
{
    uint8_t b = 0xee;
    enum fault_result r = t_read(s, va, &b);
    if (r != FAULT_OK)
        test_fail_at(file, line, "read of %#llx: fault %d", (unsigned long long)va, (int)r);
    return b;
}

paddr_t t_leaf(struct space *s, uaddr_t va)
{
    paddr_t pa = 0;
    if (!pmap_extract(&s->pmap, va, &pa, 0))
        return 0;
    return pa;
}

paddr_t t_cache_page(struct vm_object *f, uint64_t pgoff)
{
    paddr_t pa = 0;
    vm_object_file_page(f, pgoff, false, &pa);
    return pa;
}

int64_t t_map_file(struct space *s, uaddr_t a, uint64_t len, unsigned long prot, unsigned long flags,
                   struct vm_object *obj, uint64_t off)
{
    struct space_file sf = {.obj = obj, .readable = true, .writable = true, .max_bytes = INT64_MAX};
    return space_map_file(s, a, len, prot, flags, &sf, off);
}

static void t_perms(const struct vma *v, char out[5])
{
    out[0] = (v->flags & VMA_READ) ? 'r' : '-';
    out[1] = (v->flags & VMA_WRITE) ? 'w' : '-';
    out[2] = (v->flags & VMA_EXEC) ? 'x' : '-';
    out[3] = (v->flags & VMA_SHARED) ? 's' : 'p';
    out[4] = 0;
}

const char *t_layout(struct space *s, uaddr_t base)
{
    static char buf[4096];
    size_t n = 0;
    buf[0] = 0;
    for (struct vma *v = vma_tree_find_after(&s->vmas, base); v; v = vma_tree_next(&s->vmas, v)) {
        char p[5];
        t_perms(v, p);
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%" PRIu64 "-%" PRIu64 " %s", n ? " " : "",
                              (v->start - base) / PAGE_SIZE, (v->end - base) / PAGE_SIZE, p);
        if (n >= sizeof buf)
            break;
    }
    return buf;
}

enum fault_result t_read(struct space *s, uaddr_t va, uint8_t *out)
{
    uint8_t b = 0xee;
    struct hosted_fault f = hosted_user_read(s, va, &b, 1);
    if (out)
        *out = b;
    return f.result;
}

enum fault_result t_write(struct space *s, uaddr_t va, uint8_t val)
{
    return hosted_user_write(s, va, &val, 1).result;
}

enum fault_result t_exec(struct space *s, uaddr_t va) { return hosted_user_exec(s, va, 1).result; }

void t_space_draw(struct space *s, FILE *f)
{
    fprintf(f, "    address space: %" PRIu64 " VMAs, %" PRIu64 " resident pages\n", s->vmas.count,
            s->resident);
    for (struct vma *v = vma_tree_first(&s->vmas); v; v = vma_tree_next(&s->vmas, v)) {
        char p[5], bar[65];
        uint64_t pages = (v->end - v->start) / PAGE_SIZE, shown = pages < 64 ? pages : 64;
        t_perms(v, p);
        for (uint64_t i = 0; i < shown; i++) {
            paddr_t pa;
            unsigned prot;
            bar[i] = pmap_extract(&s->pmap, v->start + i * PAGE_SIZE, &pa, &prot)
                         ? (frame_is_zero_page(pa) ? '0' : (prot & PMAP_WRITE) ? 'W' : 'R')
                         : '.';
        }
        bar[shown] = 0;
        fprintf(f, "    %012" PRIx64 "-%012" PRIx64 " %s %5" PRIu64 "p obj=%p pgoff=%" PRIx64 " |%s%s|\n",
                v->start, v->end, p, pages, (void *)v->obj, (uint64_t)v->pgoff, bar,
                pages > 64 ? "..." : "");
    }
}
