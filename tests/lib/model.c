/* tests/lib/model.c — the page-granular model of Linux's anonymous memory
 * system calls (see model.h). Written for clarity, not speed: every
 * operation walks pages.
 *
 * The rules follow Linux (mm/mmap.c, mm/vma.c, mm/mprotect.c):
 * - argument checks in Linux's order, returning the same errno;
 * - placement: a usable hint first, else the highest free gap below
 *   mmap_base, the mapping at the top of that gap;
 * - a new or changed range merges with its neighbours when their flags are
 *   equal, a shared mapping only with pieces of its own object at
 *   contiguous offsets, and private memory only when the anonymous
 *   identities agree (either side without one is fine; both neighbours of
 *   a three-way merge must agree with each other too);
 * - mprotect walks the VMAs in address order, skipping those whose flags do
 *   not change, and stops with -ENOMEM at the first hole;
 * - the first write to private memory gives its VMA an identity, reusing
 *   the next (else previous) neighbour's when their flags differ only in
 *   protection (Linux's find_mergeable_anon_vma).
 * Eager population is compared with what Linux does for populated, locked
 * memory: MAP_POPULATE at mmap (write faults for private writable memory),
 * and write faults when mprotect makes private memory writable. */
#include "model.h"

#include <mm/frame.h>

#include <mm/errno.h>
#include <mm/mman.h>
#include <stdio.h>
#include <string.h>

enum { MODEL_FAULT_OK = 0, MODEL_FAULT_MAPERR = 1, MODEL_FAULT_ACCERR = 2 };

#define MODEL_PROT_BITS (PROT_READ | PROT_WRITE | PROT_EXEC)

static void model_fail(struct model *m, const char *what)
{
    if (!m->error[0])
        snprintf(m->error, sizeof m->error, "%s", what);
}

void model_init(struct model *m, const struct model_config *cfg)
{
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    if (m->cfg.npages > MODEL_MAX_PAGES)
        m->cfg.npages = MODEL_MAX_PAGES;
}

bool model_in_window(const struct model *m, uaddr_t addr)
{
    return addr >= m->cfg.base && addr - m->cfg.base < (uint64_t)m->cfg.npages * PAGE_SIZE;
}

bool model_is_fence(const struct model *m, uaddr_t addr)
{
    uaddr_t below = m->cfg.base - PAGE_SIZE, above = m->cfg.base + (uint64_t)m->cfg.npages * PAGE_SIZE;
    return page_down(addr) == below || page_down(addr) == above;
}

void model_perms(const struct model_page *p, char out[5])
{
    out[0] = (p->prot & PROT_READ) ? 'r' : '-';
    out[1] = (p->prot & PROT_WRITE) ? 'w' : '-';
    out[2] = (p->prot & PROT_EXEC) ? 'x' : '-';
    out[3] = p->shared ? 's' : 'p';
    out[4] = 0;
}

/* ---- VMA structure over pages ---- */

static unsigned model_vma_first(const struct model *m, unsigned p)
{
    while (!m->page[p].vstart && p > 0)
        p--;
    return p;
}

static unsigned model_vma_last(const struct model *m, unsigned p)
{
    while (p + 1 < m->cfg.npages && m->page[p + 1].mapped && !m->page[p + 1].vstart)
        p++;
    return p;
}

static uint32_t model_vma_ident(const struct model *m, unsigned p)
{
    return m->page[model_vma_first(m, p)].ident;
}

/* Flags equal (what Linux compares in vm_flags), ignoring identities. */
static bool model_flags_equal(const struct model_page *a, const struct model_page *b)
{
    return a->prot == b->prot && a->shared == b->shared && a->account == b->account &&
           a->noreserve == b->noreserve;
}

/* Could a VMA ending with page a be joined by one starting with page b
 * (flags, object and offsets; identities are checked separately)? */
static bool model_joinable(const struct model_page *a, const struct model_page *b)
{
    if (!model_flags_equal(a, b))
        return false;
    if (a->shared)
        return a->object == b->object && a->pgoff + 1 == b->pgoff;
    return true;
}

static bool model_ident_compatible(uint32_t a, uint32_t b) { return !a || !b || a == b; }

/* Give the whole VMA containing p the one identity its pages carry. */
static void model_vma_unify_ident(struct model *m, unsigned p)
{
    unsigned f = model_vma_first(m, p), l = model_vma_last(m, p);
    uint32_t id = 0;
    for (unsigned i = f; i <= l; i++) {
        if (m->page[i].ident && id && m->page[i].ident != id)
            model_fail(m, "merged VMAs with two different identities");
        if (m->page[i].ident)
            id = m->page[i].ident;
    }
    for (unsigned i = f; i <= l; i++)
        m->page[i].ident = id;
}

static void model_pages_clear(struct model *m, unsigned first, unsigned n)
{
    for (unsigned i = first; i < first + n; i++) {
        memset(&m->page[i], 0, sizeof m->page[i]);
        memset(m->data[i], 0, PAGE_SIZE);
    }
    if (first + n < m->cfg.npages && m->page[first + n].mapped)
        m->page[first + n].vstart = true;
}

/* The first write to private memory: give the VMA an identity. */
static void model_anon_prepare(struct model *m, unsigned p)
{
    unsigned f = model_vma_first(m, p), l = model_vma_last(m, p);
    const struct model_page *v = &m->page[f];
    uint32_t choice = 0;

    if (v->shared || v->ident)
        return;
    /* A neighbour is reusable when it has an identity and its flags differ
     * from ours at most in protection. */
    if (l + 1 < m->cfg.npages && m->page[l + 1].mapped) {
        const struct model_page *n = &m->page[l + 1];
        if (!n->shared && n->ident && n->account == v->account && n->noreserve == v->noreserve)
            choice = n->ident;
    }
    if (!choice && f > 0 && m->page[f - 1].mapped) {
        const struct model_page *n = &m->page[f - 1];
        if (!n->shared && n->ident && n->account == v->account && n->noreserve == v->noreserve)
            choice = n->ident;
    }
    uint32_t id = m->ident_fn ? m->ident_fn(m->ident_arg, m, f, l - f + 1, choice) : choice;
    if (id && id != choice) {
        /* Another neighbour than Linux's first choice: acceptable only if
         * it qualifies too. */
        bool ok = false;
        if (l + 1 < m->cfg.npages && m->page[l + 1].mapped && m->page[l + 1].ident == id &&
            !m->page[l + 1].shared && m->page[l + 1].account == v->account &&
            m->page[l + 1].noreserve == v->noreserve)
            ok = true;
        if (f > 0 && m->page[f - 1].mapped && m->page[f - 1].ident == id && !m->page[f - 1].shared &&
            m->page[f - 1].account == v->account && m->page[f - 1].noreserve == v->noreserve)
            ok = true;
        if (!ok)
            model_fail(m, "a write gave the VMA the identity of a VMA that is not a compatible neighbour");
    }
    if (!id)
        id = ++m->next_ident;
    for (unsigned i = f; i <= l; i++)
        m->page[i].ident = id;
}

/* A new mapping [first, first + n) has just been put in place (nothing was
 * there): merge it with its neighbours as vma_merge_new_range does. */
static void model_merge_new(struct model *m, unsigned first, unsigned n)
{
    unsigned last = first + n - 1;
    bool has_prev = first > 0 && m->page[first - 1].mapped;
    bool has_next = last + 1 < m->cfg.npages && m->page[last + 1].mapped;
    bool left = false, right = false;

    if (has_prev)
        left = model_joinable(&m->page[first - 1], &m->page[first]);
    if (has_next) {
        right = model_joinable(&m->page[last], &m->page[last + 1]);
        if (right && left)
            right = model_ident_compatible(model_vma_ident(m, first - 1), model_vma_ident(m, last + 1));
    }
    if (left)
        m->page[first].vstart = false;
    if (right)
        m->page[last + 1].vstart = false;
    model_vma_unify_ident(m, first);
}

/* Put a new mapping at window pages [first, first + n). */
static void model_place(struct model *m, unsigned first, unsigned n, unsigned prot, unsigned long flags)
{
    bool shared = (flags & MAP_TYPE) == MAP_SHARED;
    bool noreserve = (flags & MAP_NORESERVE) != 0;
    uint32_t object = shared ? ++m->next_object : 0;

    model_pages_clear(m, first, n);
    for (unsigned i = 0; i < n; i++) {
        struct model_page *p = &m->page[first + i];
        p->mapped = true;
        p->prot = (uint8_t)prot;
        p->shared = shared;
        p->noreserve = noreserve;
        p->account = !shared && !noreserve && (prot & PROT_WRITE);
        p->object = object;
        p->pgoff = shared ? i : 0;
    }
    m->page[first].vstart = true;
    if (first + n < m->cfg.npages && m->page[first + n].mapped)
        m->page[first + n].vstart = true;
    model_merge_new(m, first, n);

    if (m->cfg.eager && prot) {
        /* Population as MAP_POPULATE does it: write faults for private
         * writable memory, read faults otherwise. */
        for (unsigned i = first; i < first + n; i++)
            m->page[i].present = true;
        if (!shared && (prot & PROT_WRITE))
            model_anon_prepare(m, first);
    }
}

/* ---- placement ---- */

/* Does [addr, addr + len) contain a fence page? */
static bool model_range_has_fence(const struct model *m, uaddr_t addr, uint64_t len)
{
    uaddr_t below = m->cfg.base - PAGE_SIZE, above = m->cfg.base + (uint64_t)m->cfg.npages * PAGE_SIZE;
    return (below >= addr && below - addr < len) || (above >= addr && above - addr < len);
}

/* The window pages [*first, *first + *n) that [addr, addr + len) covers;
 * false when it covers none. */
static bool model_range_window(const struct model *m, uaddr_t addr, uint64_t len, unsigned *first,
                               unsigned *n)
{
    uaddr_t wstart = m->cfg.base, wend = m->cfg.base + (uint64_t)m->cfg.npages * PAGE_SIZE;
    uaddr_t end = addr + len < addr ? UINT64_MAX : addr + len;
    uaddr_t lo = addr > wstart ? addr : wstart, hi = end < wend ? end : wend;
    if (lo >= hi)
        return false;
    *first = model_index(m, lo);
    *n = (unsigned)((hi - lo + PAGE_SIZE - 1) / PAGE_SIZE);
    return true;
}

/* Is [addr, addr + len) free? Outside the window only the fences exist. */
static bool model_range_free(const struct model *m, uaddr_t addr, uint64_t len)
{
    unsigned first, n;
    if (model_range_has_fence(m, addr, len))
        return false;
    if (model_range_window(m, addr, len, &first, &n))
        for (unsigned i = first; i < first + n; i++)
            if (m->page[i].mapped)
                return false;
    return true;
}

/* Top-down search below mmap_base (which is the window's end): the highest
 * gap that fits, the mapping at its top. Below the window's fence all is
 * free. Returns 0 when nothing fits. */
static uaddr_t model_topdown(const struct model *m, uint64_t len)
{
    uint64_t n = len / PAGE_SIZE;
    unsigned N = m->cfg.npages;

    for (unsigned e = N; e >= n && e > 0; e--) {
        if (e != N && !m->page[e].mapped)
            continue; /* a gap ends at the window end or at a mapped page */
        bool fits = true;
        for (unsigned i = e - (unsigned)n; i < e; i++) {
            if (m->page[i].mapped) {
                fits = false;
                break;
            }
        }
        if (fits)
            return m->cfg.base + (uaddr_t)(e - n) * PAGE_SIZE;
    }
    uaddr_t below = m->cfg.base - PAGE_SIZE; /* the lower fence */
    uint64_t low = m->cfg.min_addr > PAGE_SIZE ? m->cfg.min_addr : PAGE_SIZE;
    if (below < len || below - len < low)
        return 0;
    return below - len;
}

/* ---- the system calls ---- */

int64_t model_map(struct model *m, uaddr_t addr, uint64_t len, unsigned long prot,
                  unsigned long flags, uint64_t off)
{
    uint64_t alen;
    uaddr_t where;
    const struct model_config *c = &m->cfg;

    if (off & (PAGE_SIZE - 1))
        return -EINVAL;
    if (len == 0)
        return -EINVAL;
    if (!page_up_checked(len, &alen))
        return -ENOMEM;
    if ((off >> PAGE_SHIFT) + (alen >> PAGE_SHIFT) < (off >> PAGE_SHIFT))
        return -EOVERFLOW;
    if (flags & MAP_FIXED_NOREPLACE)
        flags |= MAP_FIXED;
    if (alen > c->top)
        return -ENOMEM;
    if (flags & MAP_FIXED) {
        if (addr > c->top - alen)
            return -ENOMEM;
        if (addr & (PAGE_SIZE - 1))
            return -EINVAL;
        if (addr < c->min_addr)
            return -EPERM;
        where = addr;
    } else {
        uaddr_t hint = page_down(addr);
        if (hint && hint < c->min_addr)
            hint = (c->min_addr + PAGE_SIZE - 1) & PAGE_MASK;
        if (hint && hint <= c->top - alen && model_range_free(m, hint, alen))
            where = hint;
        else if (!(where = model_topdown(m, alen)))
            return -ENOMEM;
    }
    if ((flags & MAP_FIXED_NOREPLACE) && !model_range_free(m, where, alen))
        return -EEXIST;
    if ((flags & MAP_TYPE) != MAP_SHARED && (flags & MAP_TYPE) != MAP_PRIVATE)
        return -EINVAL;
    /* Linux's default overcommit check: a charged request (private
     * writable, or new shared memory) larger than all of memory. */
    if (!(flags & MAP_NORESERVE) && ((flags & MAP_TYPE) == MAP_SHARED || (prot & PROT_WRITE)) &&
        (alen >> PAGE_SHIFT) > frame_total_count())
        return -ENOMEM;

    unsigned first, n;
    if (model_range_has_fence(m, where, alen))
        model_fail(m, "a mapping over a fence page (not modelled)");
    else if (model_range_window(m, where, alen, &first, &n)) {
        if (n * PAGE_SIZE != alen)
            model_fail(m, "a mapping across the window edge (not modelled)");
        else
            model_place(m, first, n, (unsigned)(prot & MODEL_PROT_BITS), flags);
    }
    return (int64_t)where;
}

int model_unmap(struct model *m, uaddr_t addr, uint64_t len)
{
    const struct model_config *c = &m->cfg;
    uint64_t alen;

    if ((addr & (PAGE_SIZE - 1)) || addr > c->top || len > c->top - addr)
        return -EINVAL;
    if (!page_up_checked(len, &alen) || alen == 0)
        return -EINVAL;
    unsigned first, n;
    if (model_range_has_fence(m, addr, alen))
        model_fail(m, "munmap of a fence page (not modelled)");
    if (model_range_window(m, addr, alen, &first, &n))
        model_pages_clear(m, first, n);
    return 0;
}

/* Apply mprotect to one VMA's part [pf, pl], as mprotect_fixup does.
 * Returns the last page of the VMA that now holds pl. */
static unsigned model_protect_vma(struct model *m, unsigned pf, unsigned pl, unsigned prot)
{
    unsigned vf = model_vma_first(m, pf), vl = model_vma_last(m, pf);
    struct model_page old = m->page[vf], nw = old;
    uint32_t src = old.ident;

    nw.prot = (uint8_t)prot;
    if (prot & PROT_WRITE) {
        if (!old.account && !(old.prot & PROT_WRITE) && !old.shared && !old.noreserve)
            nw.account = true;
    } else if (m->cfg.unaccount_unfaulted && old.account && !old.shared && !old.ident) {
        nw.account = false;
    }
    if (model_flags_equal(&old, &nw))
        return vl;

    bool left_side = pf == vf, right_side = pl == vl;
    bool has_prev = left_side && pf > 0 && m->page[pf - 1].mapped;
    bool has_next = right_side && pl + 1 < m->cfg.npages && m->page[pl + 1].mapped;
    bool left = false, right = false;

    /* The changed part, with its new flags, against each neighbour. */
    struct model_page first_new = m->page[pf], last_new = m->page[pl];
    first_new.prot = last_new.prot = nw.prot;
    first_new.account = last_new.account = nw.account;
    if (has_prev)
        left = model_joinable(&m->page[pf - 1], &first_new) &&
               model_ident_compatible(model_vma_ident(m, pf - 1), src);
    if (has_next) {
        right = model_joinable(&last_new, &m->page[pl + 1]) &&
                model_ident_compatible(model_vma_ident(m, pl + 1), src);
        if (right && left)
            right = model_ident_compatible(model_vma_ident(m, pf - 1), model_vma_ident(m, pl + 1));
    }
    for (unsigned i = pf; i <= pl; i++) {
        m->page[i].prot = nw.prot;
        m->page[i].account = nw.account;
    }
    m->page[pf].vstart = !left;
    if (pl + 1 < m->cfg.npages && m->page[pl + 1].mapped)
        m->page[pl + 1].vstart = !right;
    model_vma_unify_ident(m, pf);
    model_vma_unify_ident(m, pl);
    /* Eager population keeps memory populated the way Linux keeps locked
     * memory: private memory becoming writable is populated with write
     * faults (mprotect_fixup on a VM_LOCKED VMA). */
    if (m->cfg.eager && !old.shared && (prot & PROT_WRITE) && !(old.prot & PROT_WRITE))
        model_anon_prepare(m, pf);
    return model_vma_last(m, pl);
}

int model_protect(struct model *m, uaddr_t addr, uint64_t len, unsigned long prot)
{
    unsigned long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
    uint64_t alen;

    prot &= ~(unsigned long)(PROT_GROWSDOWN | PROT_GROWSUP);
    if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
        return -EINVAL;
    if (addr & (PAGE_SIZE - 1))
        return -EINVAL;
    if (len == 0)
        return 0;
    if (!page_up_checked(len, &alen) || addr + alen <= addr)
        return -ENOMEM;
    if (prot & ~(unsigned long)(MODEL_PROT_BITS | PROT_SEM))
        return -EINVAL;
    if (grows) {
        model_fail(m, "PROT_GROWSDOWN / PROT_GROWSUP alone are not modelled");
        return -EINVAL;
    }
    prot &= MODEL_PROT_BITS;
    if (model_range_has_fence(m, addr, alen))
        model_fail(m, "mprotect of a fence page (not modelled)");
    if (!model_in_window(m, addr) || !m->page[model_index(m, addr)].mapped)
        return -ENOMEM;

    unsigned cur = model_index(m, addr), last = model_index(m, addr + alen - 1);
    while (cur <= last) {
        if (!m->page[cur].mapped)
            return -ENOMEM;
        unsigned vl = model_vma_last(m, cur);
        unsigned done = model_protect_vma(m, cur, vl < last ? vl : last, (unsigned)prot);
        cur = done + 1;
    }
    return 0;
}

static bool model_allows(const struct model_page *p, enum model_kind kind)
{
    if (kind == MODEL_READ)
        return (p->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) != 0;
    if (kind == MODEL_WRITE)
        return (p->prot & PROT_WRITE) != 0;
    return (p->prot & PROT_EXEC) != 0;
}

uint64_t model_reach(const struct model *m, enum model_kind kind, uaddr_t addr, uint64_t len)
{
    uint64_t done = 0;
    while (done < len) {
        uaddr_t va = addr + done;
        if (model_is_fence(m, va) || !model_in_window(m, va) || !m->page[model_index(m, va)].mapped ||
            !model_allows(&m->page[model_index(m, va)], kind))
            return done;
        done += PAGE_SIZE - (va & (PAGE_SIZE - 1));
    }
    return len;
}

void model_populate(struct model *m, enum model_kind kind, uaddr_t addr)
{
    unsigned i = model_index(m, addr);
    m->page[i].present = true;
    if (kind == MODEL_WRITE)
        model_anon_prepare(m, i);
}

uint8_t *model_byte(struct model *m, uaddr_t addr)
{
    return &m->data[model_index(m, addr)][addr & (PAGE_SIZE - 1)];
}

struct model_fault model_access(struct model *m, enum model_kind kind, uaddr_t addr, uint64_t len,
                                uint8_t *buf)
{
    struct model_fault f = {MODEL_FAULT_OK, 0};
    uint64_t done = 0;

    while (done < len) {
        uaddr_t va = addr + done;
        uint64_t in_page = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        uint64_t chunk = len - done < in_page ? len - done : in_page;

        if (model_is_fence(m, va)) {
            f.result = MODEL_FAULT_ACCERR;
            f.addr = va;
            return f;
        }
        if (!model_in_window(m, va) || !m->page[model_index(m, va)].mapped) {
            f.result = MODEL_FAULT_MAPERR;
            f.addr = va;
            return f;
        }
        unsigned i = model_index(m, va);
        struct model_page *p = &m->page[i];
        if (!model_allows(p, kind)) {
            f.result = MODEL_FAULT_ACCERR;
            f.addr = va;
            return f;
        }
        p->present = true;
        if (kind == MODEL_WRITE) {
            model_anon_prepare(m, i);
            memcpy(&m->data[i][va & (PAGE_SIZE - 1)], buf + done, chunk);
        } else if (kind == MODEL_READ) {
            memcpy(buf + done, &m->data[i][va & (PAGE_SIZE - 1)], chunk);
        }
        done += chunk;
    }
    return f;
}

unsigned model_vmas(const struct model *m, struct model_vma *out, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < m->cfg.npages; i++) {
        if (!m->page[i].mapped)
            continue;
        unsigned l = model_vma_last(m, i);
        if (n < max) {
            out[n].first = i;
            out[n].npages = l - i + 1;
            out[n].attr = m->page[i];
        }
        n++;
        i = l;
    }
    return n;
}
