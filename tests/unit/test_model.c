/* tests/unit/test_model.c — randomized sequences of mmap, munmap, mprotect
 * and memory accesses on one space, each checked against the page-granular
 * model of Linux's semantics (tests/lib/model.h). Accesses are user
 * accesses through the simulated MMU or kernel copies through uaccess.
 *
 * After every step: the return value or fault equals the model's, the
 * invariant checkers pass, the VMA list equals the predicted one (bounds,
 * protection, shared/account/noreserve flags, shared offsets, and which
 * VMAs share a backing object or anonymous identity), the populated pages
 * are the predicted ones; every few steps, every populated page holds the
 * predicted bytes. A failure prints the seed and step, the last operations
 * and a drawing of the window, and stops that test.
 *
 * Environment (the soak target in mk/soak.mk uses these):
 *   MODEL_SEEDS=N      seeds per test (default: a few fixed ones)
 *   MODEL_SEED=S       first seed (the failing one, to reproduce)
 *   MODEL_STEPS=N      steps per seed
 *   MODEL_PAGES=N      window size in pages (at most 256)
 *   MODEL_TRACE=1      print every step
 *   MODEL_UNACCOUNT=0  model kernels before Linux 6.7, where mprotect
 *                      removing PROT_WRITE from never-written private memory
 *                      keeps its account flag (current Linux clears it) */
#include <hosted/hosted.h>
#include <mm/check.h>
#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/mman.h>
#include <mm/object.h>
#include <mm/platform.h>
#include <mm/slab.h>
#include <mm/space.h>
#include <mm/uaccess.h>
#include <mm/vma.h>

#include <stdarg.h>
#include <stdlib.h>

#include "model.h"
#include "test.h"

#define RUN_FRAMES 2048
#define RUN_WINDOW_BASE 0x100000000ull /* 4 GiB: well inside user space on both formats */
#define RUN_HISTORY 16
#define RUN_CONTENT_EVERY 8

struct run_params {
    const char *name;
    uint64_t first_seed;
    unsigned seeds;
    unsigned steps;
    unsigned npages;
    enum space_policy policy;
    bool strict_ident;  /* Linux's choice of anonymous identity, exactly */
    bool odd_hints;     /* hints that are unaligned or inside the first page */
};

struct run {
    const struct run_params *p;
    struct model *m;
    struct space *s;
    uint64_t rng, seed;
    unsigned step;
    bool failed, trace;
    char op[200];
    char history[RUN_HISTORY][260];
    unsigned nhistory;
    uint32_t *scratch;
    uint64_t free_at_start;
};

static struct run *run_current;

/* ---- random numbers (splitmix64) ---- */

static uint64_t run_rand(struct run *r)
{
    uint64_t z = (r->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t run_below(struct run *r, uint64_t n) { return n ? run_rand(r) % n : 0; }

static bool run_chance(struct run *r, unsigned percent) { return run_below(r, 100) < percent; }

static uint64_t run_env(const char *name, uint64_t def)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : def;
}

/* ---- reporting ---- */

static char run_page_char(unsigned prot, bool present, bool mapped)
{
    if (!mapped)
        return '.';
    bool w = prot & PROT_WRITE, x = prot & PROT_EXEC;
    char c = !prot ? '-' : w && x ? '*' : w ? 'w' : x ? 'x' : 'r';
    if (!present)
        return c;
    return c == '-' ? '=' : c == '*' ? '#' : (char)(c - 'a' + 'A');
}

static void run_describe_vma(char *buf, size_t n, const struct model_page *a, uaddr_t start, uaddr_t end,
                             const struct model *m, const void *obj)
{
    char perms[5];
    model_perms(a, perms);
    snprintf(buf, n, "[%" PRId64 ",%" PRId64 ") %s%s%s", (int64_t)(start - m->cfg.base) / (int64_t)PAGE_SIZE,
             (int64_t)(end - m->cfg.base) / (int64_t)PAGE_SIZE, perms, a->account ? " acct" : "",
             a->noreserve ? " noreserve" : "");
    size_t len = strlen(buf);
    if (obj)
        snprintf(buf + len, n - len, " obj=%p", obj);
    else if (a->shared)
        snprintf(buf + len, n - len, " object%u+%" PRIu64, a->object, a->pgoff);
    else if (a->ident)
        snprintf(buf + len, n - len, " ident%u", a->ident);
}

static void run_dump(void)
{
    struct run *r = run_current;
    if (!r)
        return;
    struct model *m = r->m;
    unsigned N = m->cfg.npages;
    printf("    %s: seed %" PRIu64 ", step %u, window 0x%" PRIx64 " (%u pages), %s\n", r->p->name, r->seed,
           r->step, m->cfg.base, N, r->p->policy == SPACE_EAGER ? "eager" : "lazy");
    printf("    reproduce: MODEL_SEED=%" PRIu64 " MODEL_SEEDS=1 MODEL_STEPS=%u <test binary> %s\n", r->seed,
           r->step + 1, r->p->name);
    printf("    last operations (oldest first):\n");
    unsigned from = r->nhistory > RUN_HISTORY ? r->nhistory - RUN_HISTORY : 0;
    for (unsigned i = from; i < r->nhistory; i++)
        printf("      %s\n", r->history[i % RUN_HISTORY]);
    printf("    window, one character per page (r w x * rwx - none; capitals present; . free;"
           " ^ a VMA starts):\n");
    for (unsigned row = 0; row < N; row += 64) {
        unsigned end = row + 64 < N ? row + 64 : N;
        char model_line[80], model_marks[80], space_line[80], space_marks[80];
        for (unsigned i = row; i < end; i++) {
            const struct model_page *pg = &m->page[i];
            uaddr_t va = m->cfg.base + (uaddr_t)i * PAGE_SIZE;
            struct vma *v = vma_tree_find(&r->s->vmas, va);
            model_line[i - row] = run_page_char(pg->prot, pg->present, pg->mapped);
            model_marks[i - row] = pg->mapped && pg->vstart ? '^' : ' ';
            space_line[i - row] = run_page_char(v ? v->flags & VMA_PROT_MASK : 0,
                                                pmap_extract(&r->s->pmap, va, NULL, NULL), v != NULL);
            space_marks[i - row] = v && v->start == va ? '^' : ' ';
        }
        model_line[end - row] = model_marks[end - row] = space_line[end - row] = space_marks[end - row] = 0;
        printf("      pages %3u-%3u\n", row, end - 1);
        printf("      model |%s|\n            %s\n", model_line, model_marks);
        printf("      space |%s|\n            %s\n", space_line, space_marks);
    }
    struct model_vma mv[MODEL_MAX_PAGES];
    unsigned n = model_vmas(m, mv, MODEL_MAX_PAGES);
    char buf[160];
    printf("    model VMAs:\n");
    for (unsigned i = 0; i < n; i++) {
        uaddr_t start = m->cfg.base + (uaddr_t)mv[i].first * PAGE_SIZE;
        run_describe_vma(buf, sizeof buf, &mv[i].attr, start, start + (uaddr_t)mv[i].npages * PAGE_SIZE, m,
                         NULL);
        printf("      %s\n", buf);
    }
    printf("    space VMAs:\n");
    for (struct vma *v = vma_tree_first(&r->s->vmas); v; v = vma_tree_next(&r->s->vmas, v)) {
        struct model_page a = {.prot = (uint8_t)(v->flags & VMA_PROT_MASK),
                               .shared = (v->flags & VMA_SHARED) != 0,
                               .account = (v->flags & VMA_ACCOUNT) != 0,
                               .noreserve = (v->flags & VMA_NORESERVE) != 0};
        run_describe_vma(buf, sizeof buf, &a, v->start, v->end, m, v->obj);
        printf("      %s pgoff=%" PRIu64 "\n", buf, (uint64_t)v->pgoff);
    }
}

/* Record a failure (the first one of a run stops it). */
static void run_fail(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void run_fail(struct run *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    if (r->failed)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->failed = true;
    test_fail_at(__FILE__, __LINE__, "seed %" PRIu64 " step %u: %s: %s", r->seed, r->step, r->op, msg);
}

#define RUN_FAIL(r, ...)             \
    do {                             \
        run_fail((r), __VA_ARGS__);  \
        return;                      \
    } while (0)

static const char *run_errno_name(int64_t e)
{
    switch (-e) {
    case EPERM: return "-EPERM";
    case ENOMEM: return "-ENOMEM";
    case EEXIST: return "-EEXIST";
    case EINVAL: return "-EINVAL";
    case EOVERFLOW: return "-EOVERFLOW";
    case EACCES: return "-EACCES";
    case EFAULT: return "-EFAULT";
    default: return NULL;
    }
}

static void run_format_result(char *buf, size_t n, int64_t v)
{
    const char *name = v < 0 ? run_errno_name(v) : NULL;
    if (name)
        snprintf(buf, n, "%s", name);
    else if (v < 0 && v > -4096)
        snprintf(buf, n, "-%" PRId64, -v);
    else
        snprintf(buf, n, "0x%" PRIx64, (uint64_t)v);
}

static void run_log(struct run *r, const char *result)
{
    snprintf(r->history[r->nhistory % RUN_HISTORY], sizeof r->history[0], "[%u] %s -> %s", r->step, r->op,
             result);
    r->nhistory++;
    if (r->trace)
        printf("    [%u] %s -> %s\n", r->step, r->op, result);
}

static void run_expect_result(struct run *r, int64_t want, int64_t got)
{
    char w[40], g[40];
    run_format_result(w, sizeof w, want);
    run_format_result(g, sizeof g, got);
    run_log(r, g);
    if (want != got)
        run_fail(r, "expected %s, got %s", w, g);
}

/* ---- comparing the space with the model ---- */

struct run_pairs {
    unsigned n;
    uint64_t key[2 * MODEL_MAX_PAGES + 4];
    const void *obj[2 * MODEL_MAX_PAGES + 4];
};

/* key (a model identity or object) and obj must correspond one to one. */
static bool run_pair(struct run_pairs *p, uint64_t key, const void *obj)
{
    for (unsigned i = 0; i < p->n; i++) {
        if (p->key[i] == key)
            return p->obj[i] == obj;
        if (p->obj[i] == obj)
            return false;
    }
    p->key[p->n] = key;
    p->obj[p->n] = obj;
    p->n++;
    return true;
}

static bool run_is_fence(const struct vma *v, uaddr_t start)
{
    return v && v->start == start && v->end == start + PAGE_SIZE && (v->flags & VMA_SHARED) &&
           !(v->flags & VMA_PROT_MASK);
}

static void run_compare_vmas(struct run *r)
{
    struct model *m = r->m;
    struct space *s = r->s;
    struct model_vma mv[MODEL_MAX_PAGES];
    unsigned n = model_vmas(m, mv, MODEL_MAX_PAGES);
    struct run_pairs pairs = {0};
    uaddr_t wend = m->cfg.base + (uaddr_t)m->cfg.npages * PAGE_SIZE;

    struct vma *v = vma_tree_first(&s->vmas);
    if (!run_is_fence(v, m->cfg.base - PAGE_SIZE))
        RUN_FAIL(r, "the VMA list does not begin with the lower fence");
    v = vma_tree_next(&s->vmas, v);
    for (unsigned i = 0; i < n; i++, v = vma_tree_next(&s->vmas, v)) {
        const struct model_page *a = &mv[i].attr;
        uaddr_t start = m->cfg.base + (uaddr_t)mv[i].first * PAGE_SIZE;
        uaddr_t end = start + (uaddr_t)mv[i].npages * PAGE_SIZE;
        char want[160];
        run_describe_vma(want, sizeof want, a, start, end, m, NULL);
        if (!v || v->start >= wend)
            RUN_FAIL(r, "VMA %u (%s) is missing", i, want);
        if (v->start != start || v->end != end)
            RUN_FAIL(r, "VMA %u: expected %s, got [%" PRId64 ",%" PRId64 ")", i, want,
                            (int64_t)(v->start - m->cfg.base) / (int64_t)PAGE_SIZE,
                            (int64_t)(v->end - m->cfg.base) / (int64_t)PAGE_SIZE);
        if ((v->flags & VMA_PROT_MASK) != a->prot || !(v->flags & VMA_SHARED) != !a->shared ||
            !(v->flags & VMA_ACCOUNT) != !a->account || !(v->flags & VMA_NORESERVE) != !a->noreserve)
            RUN_FAIL(r, "VMA %u: expected %s, got flags 0x%x", i, want, (unsigned)v->flags);
        if (a->shared) {
            if (!v->obj || v->obj->kind != VM_OBJECT_SHARED_ANON)
                RUN_FAIL(r, "VMA %u (%s) has no shared anonymous object", i, want);
            if (v->pgoff != a->pgoff)
                RUN_FAIL(r, "VMA %u (%s): object offset %" PRIu64 ", expected %" PRIu64, i, want,
                                (uint64_t)v->pgoff, a->pgoff);
            if (!run_pair(&pairs, (1ull << 32) | a->object, v->obj))
                RUN_FAIL(r, "VMA %u (%s): shares its object with a VMA of another mapping, or a "
                                "piece of its mapping has another object", i, want);
        } else if (!a->ident) {
            if (v->obj)
                RUN_FAIL(r, "VMA %u (%s): never written, yet it has an identity %p", i, want,
                                (void *)v->obj);
        } else {
            if (!v->obj || v->obj->kind != VM_OBJECT_ANON_IDENTITY)
                RUN_FAIL(r, "VMA %u (%s): written, yet it has no anonymous identity", i, want);
            if (!run_pair(&pairs, a->ident, v->obj))
                RUN_FAIL(r, "VMA %u (%s): its identity is not the one Linux would give "
                                "(anon_vma sharing differs)", i, want);
        }
    }
    if (v && v->start < wend) {
        char got[160];
        struct model_page a = {.prot = (uint8_t)(v->flags & VMA_PROT_MASK),
                               .shared = (v->flags & VMA_SHARED) != 0};
        run_describe_vma(got, sizeof got, &a, v->start, v->end, m, v->obj);
        RUN_FAIL(r, "unexpected VMA %s (the model has %u)", got, n);
    }
    if (!run_is_fence(v, wend))
        RUN_FAIL(r, "the upper fence is missing or changed");
    if (vma_tree_next(&s->vmas, v))
        RUN_FAIL(r, "a VMA above the window");
    if (space_vma_count(s) != n + 2)
        RUN_FAIL(r, "VMA count %" PRIu64 ", expected %u", space_vma_count(s), n + 2);
}

static void run_compare_pages(struct run *r, bool contents)
{
    struct model *m = r->m;
    struct space *s = r->s;
    uint64_t present = 0;

    for (unsigned i = 0; i < m->cfg.npages; i++) {
        const struct model_page *pg = &m->page[i];
        uaddr_t va = m->cfg.base + (uaddr_t)i * PAGE_SIZE;
        paddr_t pa;
        bool leaf = pmap_extract(&s->pmap, va, &pa, NULL);
        present += leaf;
        if (leaf && !pg->mapped)
            RUN_FAIL(r, "page %u has a page-table leaf but is not mapped", i);
        if (pg->present && !leaf)
            RUN_FAIL(r, "page %u was populated, but has no page-table leaf", i);
        if (leaf && !pg->present && r->p->policy == SPACE_LAZY)
            RUN_FAIL(r, "page %u was never accessed, yet it is populated (lazy policy)", i);
        if (!contents)
            continue;
        if (leaf) {
            const uint8_t *have = platform_phys_to_virt(pa);
            if (memcmp(have, m->data[i], PAGE_SIZE)) {
                unsigned off = 0;
                while (have[off] == m->data[i][off])
                    off++;
                RUN_FAIL(r, "page %u byte %u holds 0x%02x, expected 0x%02x", i, off, have[off],
                                m->data[i][off]);
            }
        } else {
            for (unsigned off = 0; off < PAGE_SIZE; off++)
                if (m->data[i][off])
                    RUN_FAIL(r, "page %u lost its contents (no page-table leaf)", i);
        }
    }
    if (present != s->resident)
        RUN_FAIL(r, "resident count %" PRIu64 ", but %" PRIu64 " pages have a leaf", s->resident,
                        present);
}

static void run_check(struct run *r, bool contents)
{
    char buf[256];
    if (r->failed)
        return;
    if (r->m->error[0])
        RUN_FAIL(r, "model: %s", r->m->error);
    if (space_check(r->s, buf, sizeof buf))
        RUN_FAIL(r, "space_check: %s", buf);
    if (frames_check(&r->s, 1, NULL, 0, r->scratch, buf, sizeof buf))
        RUN_FAIL(r, "frames_check: %s", buf);
    run_compare_vmas(r);
    if (!r->failed)
        run_compare_pages(r, contents);
}

/* Identity chosen by the space on a first write (lenient mode): the model
 * accepts a compatible neighbour's identity or a new one. */
static uint32_t run_ident_fn(void *arg, const struct model *m, unsigned first, unsigned npages,
                             uint32_t linux_choice)
{
    struct run *r = arg;
    uaddr_t va = m->cfg.base + (uaddr_t)first * PAGE_SIZE;
    struct vma *v = vma_tree_find(&r->s->vmas, va);
    (void)linux_choice;
    if (!v || !v->obj)
        return 0; /* the VMA comparison reports it */
    unsigned nb[2] = {first + npages, first - 1};
    for (int k = 0; k < 2; k++) {
        if ((k == 1 && first == 0) || nb[k] >= m->cfg.npages || !m->page[nb[k]].mapped ||
            !m->page[nb[k]].ident)
            continue;
        struct vma *w = vma_tree_find(&r->s->vmas, m->cfg.base + (uaddr_t)nb[k] * PAGE_SIZE);
        if (w && w->obj == v->obj)
            return m->page[nb[k]].ident;
    }
    return 0;
}

/* ---- operations ---- */

static unsigned run_pick_pages(struct run *r, unsigned max)
{
    unsigned n;
    uint64_t c = run_below(r, 100);
    if (c < 55)
        n = 1 + (unsigned)run_below(r, 4);
    else if (c < 85)
        n = 1 + (unsigned)run_below(r, 16);
    else
        n = 1 + (unsigned)run_below(r, max);
    return n > max ? max : n;
}

static unsigned long run_pick_prot(struct run *r)
{
    static const unsigned long prots[] = {
        PROT_NONE, PROT_READ, PROT_READ, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
        PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC, PROT_WRITE, PROT_EXEC,
        PROT_READ | PROT_WRITE | PROT_EXEC,
    };
    return prots[run_below(r, sizeof prots / sizeof prots[0])];
}

static unsigned long run_pick_flags(struct run *r)
{
    unsigned long f = MAP_ANONYMOUS | (run_chance(r, 20) ? MAP_SHARED : MAP_PRIVATE);
    if (run_chance(r, 10))
        f |= MAP_NORESERVE;
    if (run_chance(r, 5))
        f |= MAP_DENYWRITE | MAP_EXECUTABLE; /* accepted and ignored by Linux */
    return f;
}

static void run_prot_name(char *buf, size_t n, unsigned long prot)
{
    snprintf(buf, n, "%s%s%s%s", (prot & PROT_READ) ? "R" : "", (prot & PROT_WRITE) ? "W" : "",
             (prot & PROT_EXEC) ? "X" : "", (prot & 7) ? "" : "NONE");
    unsigned long rest = prot & ~7ul;
    if (rest)
        snprintf(buf + strlen(buf), n - strlen(buf), "|0x%lx", rest);
}

static void run_flags_name(char *buf, size_t n, unsigned long flags)
{
    unsigned long type = flags & MAP_TYPE;
    snprintf(buf, n, "%s", type == MAP_PRIVATE ? "PRIVATE" : type == MAP_SHARED ? "SHARED" : "TYPE?");
    if (type != MAP_PRIVATE && type != MAP_SHARED)
        snprintf(buf + strlen(buf), n - strlen(buf), "(%lu)", type);
    if (flags & MAP_FIXED_NOREPLACE)
        strcat(buf, "|FIXED_NOREPLACE");
    else if (flags & MAP_FIXED)
        strcat(buf, "|FIXED");
    if (flags & MAP_NORESERVE)
        strcat(buf, "|NORESERVE");
    if (flags & MAP_DENYWRITE)
        strcat(buf, "|DENYWRITE|EXECUTABLE");
}

static void run_do_map(struct run *r, uaddr_t addr, uint64_t len, unsigned long prot, unsigned long flags,
                       uint64_t off)
{
    char pn[40], fn[80];
    run_prot_name(pn, sizeof pn, prot);
    run_flags_name(fn, sizeof fn, flags);
    snprintf(r->op, sizeof r->op, "map 0x%" PRIx64 " len 0x%" PRIx64 " %s %s off 0x%" PRIx64, addr, len, pn,
             fn, off);
    int64_t got = space_map(r->s, addr, len, prot, flags, NULL, off, true);
    int64_t want = model_map(r->m, addr, len, prot, flags, off);
    run_expect_result(r, want, got);
    if (got >= 0 && !model_in_window(r->m, (uaddr_t)got)) {
        /* Placed outside the window: the model does not keep it. */
        int u = space_unmap(r->s, (uaddr_t)got, (len + PAGE_SIZE - 1) & PAGE_MASK);
        if (u)
            run_fail(r, "unmapping the mapping placed outside the window failed: %d", u);
    }
}

static void run_do_unmap(struct run *r, uaddr_t addr, uint64_t len)
{
    snprintf(r->op, sizeof r->op, "unmap 0x%" PRIx64 " len 0x%" PRIx64, addr, len);
    int got = space_unmap(r->s, addr, len);
    int want = model_unmap(r->m, addr, len);
    run_expect_result(r, want, got);
}

static void run_do_protect(struct run *r, uaddr_t addr, uint64_t len, unsigned long prot)
{
    char pn[40];
    run_prot_name(pn, sizeof pn, prot);
    snprintf(r->op, sizeof r->op, "protect 0x%" PRIx64 " len 0x%" PRIx64 " %s", addr, len, pn);
    int got = space_protect(r->s, addr, len, prot);
    int want = model_protect(r->m, addr, len, prot);
    run_expect_result(r, want, got);
}

static const char *run_fault_name(int f)
{
    static const char *names[] = {"ok", "SEGV_MAPERR", "SEGV_ACCERR", "SIGBUS", "OOM"};
    return f >= 0 && f < 5 ? names[f] : "?";
}

static void run_do_access(struct run *r, enum model_kind kind, uaddr_t addr, uint64_t len)
{
    static uint8_t wbuf[2 * PAGE_SIZE], got_buf[2 * PAGE_SIZE], want_buf[2 * PAGE_SIZE];
    static const char *kinds[] = {"read", "write", "exec"};
    struct hosted_fault hf;
    char res[80];

    snprintf(r->op, sizeof r->op, "%s 0x%" PRIx64 " len %" PRIu64, kinds[kind], addr, len);
    if (kind == MODEL_WRITE) {
        uint8_t v = (uint8_t)(1 + run_below(r, 255));
        for (uint64_t i = 0; i < len; i++)
            wbuf[i] = (uint8_t)(v + i * 7);
        hf = hosted_user_write(r->s, addr, wbuf, len);
    } else if (kind == MODEL_READ) {
        memset(got_buf, 0xee, len);
        hf = hosted_user_read(r->s, addr, got_buf, len);
    } else {
        hf = hosted_user_exec(r->s, addr, len);
    }
    struct model_fault mf = model_access(r->m, kind, addr, len, kind == MODEL_WRITE ? wbuf : want_buf);
    if (hf.result == FAULT_OK)
        snprintf(res, sizeof res, "ok");
    else
        snprintf(res, sizeof res, "%s at 0x%" PRIx64, run_fault_name(hf.result), hf.addr);
    run_log(r, res);
    if ((int)hf.result != mf.result || (mf.result != FAULT_OK && hf.addr != mf.addr))
        RUN_FAIL(r, "expected %s at 0x%" PRIx64 ", got %s", run_fault_name(mf.result), mf.addr, res);
    if (kind == MODEL_READ) {
        uint64_t upto = mf.result == FAULT_OK ? len : mf.addr - addr;
        for (uint64_t i = 0; i < upto; i++)
            if (got_buf[i] != want_buf[i])
                RUN_FAIL(r, "byte %" PRIu64 " read 0x%02x, expected 0x%02x", i, got_buf[i], want_buf[i]);
    }
}

/* A kernel copy through uaccess (copy_to_user or copy_from_user): 0 when
 * every byte may be accessed, else -EFAULT. After a partial copy_to_user
 * the bytes before the bad page may or may not have been stored, and the
 * pages before it may or may not have been populated: the model takes
 * what the space did, as long as each byte is the old or the new value. */
static void run_do_kcopy(struct run *r, enum model_kind kind, uaddr_t addr, uint64_t len)
{
    static uint8_t kbuf[2 * PAGE_SIZE], want[2 * PAGE_SIZE];
    struct model *m = r->m;
    bool to_user = kind == MODEL_WRITE;
    char res[40];
    int got;

    snprintf(r->op, sizeof r->op, "%s 0x%" PRIx64 " len %" PRIu64, to_user ? "copy_to_user" : "copy_from_user",
             addr, len);
    uint64_t reach = model_reach(m, kind, addr, len);
    if (to_user) {
        uint8_t v = (uint8_t)(1 + run_below(r, 255));
        for (uint64_t i = 0; i < len; i++)
            kbuf[i] = (uint8_t)(v + i * 13);
        got = copy_to_user(r->s, addr, kbuf, len);
    } else {
        memset(kbuf, 0xee, len);
        got = copy_from_user(r->s, kbuf, addr, len);
    }
    run_format_result(res, sizeof res, got);
    run_log(r, res);
    if (got != (reach == len ? 0 : -EFAULT))
        RUN_FAIL(r, "expected %s, got %s", reach == len ? "0" : "-EFAULT", res);
    if (reach == len) {
        model_access(m, kind, addr, len, to_user ? kbuf : want);
        if (!to_user && memcmp(kbuf, want, len)) {
            uint64_t i = 0;
            while (kbuf[i] == want[i])
                i++;
            RUN_FAIL(r, "byte %" PRIu64 " read 0x%02x, expected 0x%02x", i, kbuf[i], want[i]);
        }
        return;
    }
    for (uint64_t done = 0; done < reach;) {
        uaddr_t va = addr + done;
        uint64_t chunk = MM_MIN(reach - done, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
        paddr_t pa;
        unsigned prot;
        if (pmap_extract(&r->s->pmap, va, &pa, &prot)) {
            model_populate(m, (prot & PMAP_WRITE) && to_user ? MODEL_WRITE : MODEL_READ, va);
            const uint8_t *have = (const uint8_t *)platform_phys_to_virt(pa) + (va & (PAGE_SIZE - 1));
            for (uint64_t i = 0; to_user && i < chunk; i++) {
                uint8_t *mine = model_byte(m, va + i);
                if (have[i] != *mine && have[i] != kbuf[done + i])
                    RUN_FAIL(r, "byte %" PRIu64 " holds 0x%02x: neither the old 0x%02x nor the new 0x%02x",
                             done + i, have[i], *mine, kbuf[done + i]);
                *mine = have[i];
            }
        }
        done += chunk;
    }
}

/* An address for an access: mostly inside the window, sometimes a fence or
 * an unmapped page outside it. */
static void run_step_access(struct run *r, enum model_kind kind)
{
    struct model *m = r->m;
    uaddr_t addr;
    uint64_t len;
    uint64_t c = run_below(r, 100);

    if (c < 5) {
        addr = run_chance(r, 50) ? m->cfg.base - PAGE_SIZE : m->cfg.base + (uaddr_t)m->cfg.npages * PAGE_SIZE;
        addr += run_below(r, PAGE_SIZE);
        len = 1 + run_below(r, 16);
    } else if (c < 8) {
        addr = m->cfg.base - 2 * PAGE_SIZE - run_below(r, 64) * PAGE_SIZE + run_below(r, PAGE_SIZE);
        len = 1;
    } else {
        unsigned p = (unsigned)run_below(r, m->cfg.npages);
        addr = m->cfg.base + (uaddr_t)p * PAGE_SIZE;
        uint64_t shape = run_below(r, 100);
        if (shape < 50) {
            addr += run_below(r, PAGE_SIZE);
            len = 1 + run_below(r, 64);
        } else if (shape < 75) {
            len = PAGE_SIZE;
        } else {
            /* Across a page boundary (when there is a next window page). */
            if (p + 1 < m->cfg.npages) {
                addr += PAGE_SIZE - 1 - run_below(r, 512);
                len = 2 + run_below(r, 1024);
            } else {
                len = 1;
            }
        }
        uint64_t wend = m->cfg.base + (uint64_t)m->cfg.npages * PAGE_SIZE;
        if (addr + len > wend)
            len = wend - addr;
    }
    if (kind != MODEL_EXEC && run_chance(r, 25))
        run_do_kcopy(r, kind, addr, len);
    else
        run_do_access(r, kind, addr, len);
}

static uaddr_t run_page_addr(struct run *r, unsigned p) { return r->m->cfg.base + (uaddr_t)p * PAGE_SIZE; }

/* Arguments Linux rejects (or, for some, accepts in a way worth checking). */
static void run_step_bad(struct run *r)
{
    struct model *m = r->m;
    uaddr_t top = m->cfg.top;
    unsigned p = (unsigned)run_below(r, m->cfg.npages);
    unsigned n = run_pick_pages(r, m->cfg.npages - p);
    uaddr_t a = run_page_addr(r, p);
    uint64_t len = (uint64_t)n * PAGE_SIZE;
    unsigned long prot = run_pick_prot(r);
    unsigned long flags = run_pick_flags(r);
    static const unsigned long bad_types[] = {0, MAP_SHARED_VALIDATE, 4, 0xf};
    static const unsigned long junk_prot[] = {0x40, 0x100, 0x1000, 0x10000, 0x4000000};

    switch (run_below(r, 22)) {
    case 0: /* unaligned offset */
        run_do_map(r, a, len, prot, flags | MAP_FIXED, 1 + run_below(r, PAGE_SIZE - 1)); break;
    case 1: /* length 0 */
        run_do_map(r, run_chance(r, 50) ? a : 0, 0, prot, flags | (run_chance(r, 50) ? MAP_FIXED : 0), 0); break;
    case 2: /* the page-aligned length wraps to 0 */
        run_do_map(r, a, UINT64_MAX - run_below(r, PAGE_SIZE - 1), prot,
                          flags | (run_chance(r, 50) ? MAP_FIXED : 0), 0); break;
    case 3: /* longer than user space on either format */
        run_do_map(r, run_chance(r, 50) ? a : 0, (1ull << 48) + len, prot,
                          flags | (run_chance(r, 50) ? MAP_FIXED : 0), 0); break;
    case 4: { /* fixed, running past the top of user space */
        uint64_t k = run_below(r, 4);
        run_do_map(r, top - k * PAGE_SIZE, (k + 1 + run_below(r, 3)) * PAGE_SIZE, prot,
                          flags | MAP_FIXED, 0); break;
    }
    case 5: /* fixed, unaligned */
        run_do_map(r, a + 1 + run_below(r, PAGE_SIZE - 1), len, prot,
                          flags | (run_chance(r, 50) ? MAP_FIXED : MAP_FIXED_NOREPLACE), 0); break;
    case 6: /* fixed, below mmap_min_addr */
        run_do_map(r, page_down(run_below(r, m->cfg.min_addr)), len, prot,
                          flags | (run_chance(r, 50) ? MAP_FIXED : MAP_FIXED_NOREPLACE), 0); break;
    case 7: /* missing or unknown mapping type, fixed */
        flags = (flags & ~(unsigned long)MAP_TYPE) | bad_types[run_below(r, 4)];
        run_do_map(r, a, len, prot, flags | (run_chance(r, 50) ? MAP_FIXED : MAP_FIXED_NOREPLACE), 0); break;
    case 8: /* missing or unknown mapping type, placed by the kernel */
        flags = (flags & ~(unsigned long)MAP_TYPE) | bad_types[run_below(r, 4)];
        run_do_map(r, 0, len, prot, flags, 0); break;
    case 9: /* protection bits mmap ignores */
        run_do_map(r, a, len, prot | (run_chance(r, 50) ? PROT_SEM : junk_prot[run_below(r, 5)]),
                          flags | MAP_FIXED, 0); break;
    case 10: /* munmap unaligned */
        run_do_unmap(r, a + 1 + run_below(r, PAGE_SIZE - 1), len); break;
    case 11: /* munmap length 0 */
        run_do_unmap(r, a, 0); break;
    case 12: /* munmap at or beyond the top */
        run_do_unmap(r, top + run_below(r, 4) * PAGE_SIZE, PAGE_SIZE); break;
    case 13: /* munmap length beyond the top */
        run_do_unmap(r, a, run_chance(r, 50) ? UINT64_MAX - run_below(r, 8192) : top - a + 1 + run_below(r, 3)); break;
    case 14: /* mprotect with both grows flags */
        run_do_protect(r, a, len, prot | PROT_GROWSDOWN | PROT_GROWSUP); break;
    case 15: /* mprotect unaligned */
        run_do_protect(r, a + 1 + run_below(r, PAGE_SIZE - 1), len, prot); break;
    case 16: /* mprotect length 0: success before the protection is looked at */
        run_do_protect(r, a, 0, run_chance(r, 50) ? prot : junk_prot[run_below(r, 5)]); break;
    case 17: /* mprotect length wraps when page aligned */
        run_do_protect(r, a, UINT64_MAX - run_below(r, PAGE_SIZE), prot); break;
    case 18: /* mprotect end wraps */
        run_do_protect(r, a, UINT64_MAX - a + 1 + run_below(r, 16) * PAGE_SIZE, prot); break;
    case 19: /* mprotect with unknown protection bits */
        run_do_protect(r, a, len, prot | junk_prot[run_below(r, 5)]); break;
    case 20: /* mprotect with PROT_SEM, which is valid */
        run_do_protect(r, a, len, prot | PROT_SEM); break;
    default: /* mprotect of unmapped memory at the top of user space */
        run_do_protect(r, top - PAGE_SIZE * (1 + run_below(r, 2)), PAGE_SIZE, prot); break;
    }
}

static void run_step(struct run *r)
{
    struct model *m = r->m;
    unsigned N = m->cfg.npages;
    unsigned p = (unsigned)run_below(r, N);
    unsigned n = run_pick_pages(r, N - p);
    uaddr_t a = run_page_addr(r, p);
    uint64_t len = (uint64_t)n * PAGE_SIZE;
    uint64_t c = run_below(r, 100);

    if (c < 16) {
        run_do_map(r, a, len, run_pick_prot(r), run_pick_flags(r) | MAP_FIXED, 0);
    } else if (c < 24) {
        run_do_map(r, a, len, run_pick_prot(r), run_pick_flags(r) | MAP_FIXED_NOREPLACE, 0);
    } else if (c < 32) {
        uaddr_t hint;
        uint64_t h = run_below(r, 100);
        if (h < 30)
            hint = 0;
        else if (h < 70)
            hint = a;
        else if (h < 90 && r->p->odd_hints)
            hint = a + 1 + run_below(r, PAGE_SIZE - 1); /* unaligned */
        else if (h < 90)
            hint = a;
        else if (r->p->odd_hints)
            hint = 1 + run_below(r, m->cfg.min_addr - 1); /* below mmap_min_addr */
        else
            hint = PAGE_SIZE + run_below(r, m->cfg.min_addr - PAGE_SIZE); /* below mmap_min_addr */
        if (hint >= m->cfg.base && hint + len > m->cfg.base + (uint64_t)N * PAGE_SIZE)
            len = m->cfg.base + (uint64_t)N * PAGE_SIZE - page_down(hint);
        run_do_map(r, hint, len - run_below(r, PAGE_SIZE), run_pick_prot(r), run_pick_flags(r), 0);
    } else if (c < 44) {
        /* Sometimes an unaligned length (rounded up by munmap). */
        run_do_unmap(r, a, run_chance(r, 20) ? len - run_below(r, PAGE_SIZE) : len);
    } else if (c < 62) {
        run_do_protect(r, a, run_chance(r, 20) ? len - run_below(r, PAGE_SIZE) : len, run_pick_prot(r));
    } else if (c < 76) {
        run_step_access(r, MODEL_WRITE);
    } else if (c < 86) {
        run_step_access(r, MODEL_READ);
    } else if (c < 90) {
        run_step_access(r, MODEL_EXEC);
    } else {
        run_step_bad(r);
    }
}

/* ---- one seed ---- */

static bool run_setup(struct run *r)
{
    const struct run_params *p = r->p;
    uaddr_t base = RUN_WINDOW_BASE;
    uaddr_t wend = base + (uaddr_t)p->npages * PAGE_SIZE;
    struct space_config cfg = {.mmap_base = wend, .policy = p->policy};
    paddr_t zero;

    hosted_machine_init(RUN_FRAMES);
    frame_zero_page(&zero);
    r->free_at_start = frame_free_count();
    free(r->scratch);
    r->scratch = calloc(frames_check_scratch_entries() + 1, sizeof *r->scratch);
    if (!r->scratch) {
        test_fail_at(__FILE__, __LINE__, "out of host memory");
        return false;
    }
    if (space_create(&r->s, &cfg)) {
        test_fail_at(__FILE__, __LINE__, "space_create failed");
        return false;
    }
    struct model_config mc = {
        .base = base,
        .npages = p->npages,
        .top = r->s->top,
        .min_addr = r->s->min_addr,
        .mmap_base = r->s->mmap_base,
        .eager = p->policy == SPACE_EAGER,
        .unaccount_unfaulted = run_env("MODEL_UNACCOUNT", 1) != 0,
    };
    model_init(r->m, &mc);
    r->m->ident_fn = p->strict_ident ? NULL : run_ident_fn;
    r->m->ident_arg = r;
    /* The fences: one PROT_NONE shared page on each side of the window. */
    unsigned long ff = MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED;
    if (space_map(r->s, base - PAGE_SIZE, PAGE_SIZE, PROT_NONE, ff, NULL, 0, true) != (int64_t)(base - PAGE_SIZE) ||
        space_map(r->s, wend, PAGE_SIZE, PROT_NONE, ff, NULL, 0, true) != (int64_t)wend) {
        test_fail_at(__FILE__, __LINE__, "cannot map the fences around the window");
        return false;
    }
    if (r->s->mmap_base != wend) {
        test_fail_at(__FILE__, __LINE__, "the space did not take mmap_base 0x%" PRIx64, wend);
        return false;
    }
    return true;
}

static void run_teardown(struct run *r)
{
    if (!r->s)
        return;
    if (!r->failed) {
        /* Everything must come back. */
        strcpy(r->op, "unmap the window and its fences");
        int e = space_unmap(r->s, r->m->cfg.base - PAGE_SIZE, ((uint64_t)r->m->cfg.npages + 2) * PAGE_SIZE);
        if (e || space_vma_count(r->s) || r->s->resident)
            run_fail(r, "unmapping everything: %d, %" PRIu64 " VMAs and %" PRIu64 " resident pages left", e,
                     space_vma_count(r->s), r->s->resident);
        space_destroy(r->s);
        r->s = NULL;
        if (frame_free_count() != r->free_at_start)
            run_fail(r, "frames leaked: %" PRIu64 " free before, %" PRIu64 " after", r->free_at_start,
                     frame_free_count());
        if (vma_cache.objects || object_cache.objects)
            run_fail(r, "records leaked: %" PRIu64 " VMAs, %" PRIu64 " objects", vma_cache.objects,
                     object_cache.objects);
    } else {
        space_destroy(r->s);
        r->s = NULL;
    }
    hosted_machine_fini();
}

static bool run_seed(struct run *r, uint64_t seed, unsigned steps)
{
    r->seed = seed;
    r->rng = seed * 0x2545f4914f6cdd1dull + 1;
    r->failed = false;
    r->nhistory = 0;
    r->step = 0;
    r->op[0] = 0;
    if (!run_setup(r))
        return false;
    run_current = r;
    test_context_dump = run_dump;
    for (r->step = 1; r->step <= steps && !r->failed; r->step++) {
        run_step(r);
        run_check(r, r->step % RUN_CONTENT_EVERY == 0);
    }
    if (!r->failed) {
        r->step = steps;
        snprintf(r->op, sizeof r->op, "final check");
        run_check(r, true);
    }
    if (r->failed)
        r->step--;
    run_teardown(r);
    test_context_dump = NULL;
    run_current = NULL;
    return !r->failed;
}

static void run_params(const struct run_params *params)
{
    struct run_params local = *params, *p = &local;
    struct run r = {.p = p, .trace = run_env("MODEL_TRACE", 0) != 0};
    uint64_t first = run_env("MODEL_SEED", p->first_seed);
    unsigned seeds = (unsigned)run_env("MODEL_SEEDS", p->seeds);
    unsigned steps = (unsigned)run_env("MODEL_STEPS", p->steps);
    uint64_t pages = run_env("MODEL_PAGES", 0);

    if (pages)
        local.npages = pages < MODEL_MAX_PAGES ? (unsigned)pages : MODEL_MAX_PAGES;
    if (local.npages < 2)
        local.npages = 2;

    r.m = calloc(1, sizeof *r.m);
    if (!r.m) {
        test_fail_at(__FILE__, __LINE__, "out of host memory");
        return;
    }
    for (unsigned i = 0; i < seeds; i++) {
        if (!run_seed(&r, first + i, steps))
            break; /* the first failing seed is reported; later ones would repeat it */
    }
    free(r.scratch);
    free(r.m);
}

/* Lazy population, 128 pages, private and shared, identities as the space
 * chooses them among Linux's allowed ones. */
TEST(model_lazy)
{
    static const struct run_params p = {"model_lazy", 1, 5, 5000, 128, SPACE_LAZY, false, false};
    run_params(&p);
}

/* A small window: more collisions, merges and holes. */
TEST(model_lazy_small)
{
    static const struct run_params p = {"model_lazy_small", 1001, 5, 5000, 48, SPACE_LAZY, false, false};
    run_params(&p);
}

/* Eager population: every page populated at mmap, as MAP_POPULATE would. */
TEST(model_eager)
{
    static const struct run_params p = {"model_eager", 2001, 4, 5000, 96, SPACE_EAGER, false, false};
    run_params(&p);
}

/* Linux's reuse of a neighbour's anonymous identity on the first write
 * (find_mergeable_anon_vma), which decides later merges. */
TEST(model_anon_identity)
{
    static const struct run_params p = {"model_anon_identity", 3001, 5, 6000, 64, SPACE_LAZY, true, false};
    run_params(&p);
}

/* Hints Linux rounds down to a page (an unaligned hint) or drops (a hint
 * inside the first page, which rounds to 0), mixed with everything else. */
TEST(model_hints)
{
    static const struct run_params p = {"model_hints", 4001, 3, 2000, 64, SPACE_LAZY, false, true};
    run_params(&p);
}
