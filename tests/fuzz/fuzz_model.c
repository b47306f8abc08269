/* tests/fuzz/fuzz_model.c — model mode of the fuzzer: mmap, munmap,
 * mprotect, user accesses and kernel copies with hostile arguments, each
 * result compared with the page-granular model of Linux (tests/lib/model.h)
 * and the whole window (VMAs, identities, populated pages, contents)
 * compared after every operation.
 *
 * The model covers a window of pages between two PROT_NONE shared fence
 * pages and assumes nothing else is mapped. Operations whose range would
 * cover a fence are skipped (the model does not describe them); mappings
 * placed outside the window are unmapped at once, as the model expects.
 * Hinted mappings are kept shorter than the space below the window, where
 * the model places what does not fit elsewhere (it does not model Linux's
 * bottom-up fallback), and the space does not align 2 MiB mappings.
 *
 * Injected allocation failures (lazy policy only): the operation must fail
 * (-ENOMEM, FAULT_OOM) and leave the window as the model had it, except
 * that a write fault may keep the anonymous identity it attached (Linux
 * keeps the anon_vma too) and that mprotect may have changed the VMAs
 * before the failure (the input then ends there). */
#include "fuzz.h"
#include "fuzz_modes.h"
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FM_BASE 0x100000000ull /* 4 GiB: inside user space on both formats */
#define FM_MACHINE_PAGES 2048
#define FM_MAX_OPS 400

struct fm {
    struct fz_input *in;
    struct model *m;
    struct space *s;
    struct fz_inject inj;
    uaddr_t base, wend;
    unsigned npages;
    bool eager;
};

/* ---- arguments ---- */

static uaddr_t fm_addr(struct fm *f)
{
    uint8_t b = fz_u8(f->in);
    if (b >= 200)
        return fz_hostile(f->in, f->s->top);
    /* A window page, or a fence (-1 and npages). */
    int64_t page = (int64_t)(fz_u8(f->in) % (f->npages + 2)) - 1;
    uaddr_t a = f->base + (uaddr_t)(page * (int64_t)FZ_PAGE);
    if (b >= 170)
        a += fz_u16(f->in) % FZ_PAGE; /* misaligned */
    return a;
}

static uint64_t fm_len(struct fm *f)
{
    uint8_t b = fz_u8(f->in);
    if (b >= 200)
        return b < 208 ? 0 : fz_hostile(f->in, f->s->top);
    uint64_t len = (1 + fz_u8(f->in) % f->npages) * FZ_PAGE;
    if (b >= 170)
        len -= fz_u16(f->in) % FZ_PAGE; /* not a whole number of pages */
    return len;
}

static uint64_t fm_access_len(struct fm *f)
{
    uint8_t b = fz_u8(f->in);
    if (b < 128)
        return 1 + b % 64;
    if (b < 192)
        return FZ_PAGE;
    return 2 + fz_u16(f->in) % (2 * FZ_PAGE - 2);
}

/* Flags the model describes: a mapping type (sometimes a bad one),
 * MAP_NORESERVE, and bits Linux accepts and ignores for anonymous memory. */
static unsigned long fm_flags(struct fm *f)
{
    static const unsigned long bad_types[] = {0, MAP_SHARED_VALIDATE, 4, 0xf};
    uint8_t b = fz_u8(f->in);
    unsigned long flags = MAP_ANONYMOUS;
    switch (b & 3) {
    case 0:
    case 1: flags |= MAP_PRIVATE; break;
    case 2: flags |= MAP_SHARED; break;
    default: flags |= bad_types[(b >> 2) & 3]; break;
    }
    if (b & 0x10)
        flags |= MAP_NORESERVE;
    if (b & 0x20)
        flags |= MAP_DENYWRITE | MAP_EXECUTABLE;
    if (b & 0x40)
        flags |= MAP_NONBLOCK;
    if (b & 0x80) {
        uint8_t bit = fz_u8(f->in) % 38; /* 26..63: no Linux meaning here */
        flags |= 1ul << (26 + bit);
    }
    return flags;
}

/* mprotect protections the model describes: all but a lone
 * PROT_GROWSDOWN or PROT_GROWSUP. */
static unsigned long fm_prot_protect(struct fm *f)
{
    unsigned long prot = fz_prot(f->in);
    unsigned long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
    if (grows && grows != (PROT_GROWSDOWN | PROT_GROWSUP))
        prot &= ~grows;
    return prot;
}

/* Does [addr, addr + len rounded up) (saturating) cover a fence page? */
static bool fm_covers_fence(const struct fm *f, uaddr_t addr, uint64_t len)
{
    uint64_t alen;
    if (!page_up_checked(len, &alen))
        alen = UINT64_MAX;
    uaddr_t end = addr + alen < addr ? UINT64_MAX : addr + alen;
    uaddr_t below = f->base - FZ_PAGE, above = f->wend;
    return (below >= addr && below < end) || (above >= addr && above < end);
}

/* ---- comparing the space with the model ---- */

struct fm_pairs {
    unsigned n;
    uint64_t key[2 * MODEL_MAX_PAGES + 4];
    const void *obj[2 * MODEL_MAX_PAGES + 4];
};

/* key (a model object or identity) and obj must correspond one to one. */
static bool fm_pair(struct fm_pairs *p, uint64_t key, const void *obj)
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

static bool fm_is_fence(const struct vma *v, uaddr_t start)
{
    return v && v->start == start && v->end == start + FZ_PAGE && (v->flags & VMA_SHARED) &&
           !(v->flags & VMA_PROT_MASK);
}

static void fm_compare_vmas(struct fm *f)
{
    struct model_vma mv[MODEL_MAX_PAGES];
    struct fm_pairs pairs = {0};
    unsigned n = model_vmas(f->m, mv, MODEL_MAX_PAGES);
    struct vma *v = vma_tree_first(&f->s->vmas);

    if (!fm_is_fence(v, f->base - FZ_PAGE))
        fz_fail("the lower fence is gone or changed");
    v = vma_tree_next(&f->s->vmas, v);
    for (unsigned i = 0; i < n; i++, v = vma_tree_next(&f->s->vmas, v)) {
        const struct model_page *a = &mv[i].attr;
        uaddr_t start = f->base + (uaddr_t)mv[i].first * FZ_PAGE;
        uaddr_t end = start + (uaddr_t)mv[i].npages * FZ_PAGE;
        if (!v || v->start >= f->wend)
            fz_fail("model VMA %u [0x%" PRIx64 ", 0x%" PRIx64 ") is missing", i, start, end);
        if (v->start != start || v->end != end)
            fz_fail("VMA %u is [0x%" PRIx64 ", 0x%" PRIx64 "), the model has [0x%" PRIx64 ", 0x%" PRIx64 ")", i,
                    v->start, v->end, start, end);
        if ((v->flags & VMA_PROT_MASK) != a->prot || !(v->flags & VMA_SHARED) != !a->shared ||
            !(v->flags & VMA_ACCOUNT) != !a->account || !(v->flags & VMA_NORESERVE) != !a->noreserve)
            fz_fail("VMA %u at 0x%" PRIx64 ": flags 0x%x, the model has prot %u%s%s%s", i, v->start,
                    (unsigned)v->flags, a->prot, a->shared ? " shared" : "", a->account ? " account" : "",
                    a->noreserve ? " noreserve" : "");
        if (a->shared) {
            if (!v->obj || v->obj->kind != VM_OBJECT_SHARED_ANON || v->pgoff != a->pgoff)
                fz_fail("shared VMA %u at 0x%" PRIx64 ": no shared object or offset %" PRIu64 " != %" PRIu64, i,
                        v->start, (uint64_t)v->pgoff, a->pgoff);
            if (!fm_pair(&pairs, (1ull << 32) | a->object, v->obj))
                fz_fail("shared VMA %u at 0x%" PRIx64 ": its object is not its mapping's", i, v->start);
        } else if (!a->ident) {
            if (v->obj)
                fz_fail("VMA %u at 0x%" PRIx64 " was never written, yet it has an identity", i, v->start);
        } else {
            if (!v->obj || v->obj->kind != VM_OBJECT_ANON_IDENTITY)
                fz_fail("VMA %u at 0x%" PRIx64 " was written, yet it has no anonymous identity", i, v->start);
            if (!fm_pair(&pairs, a->ident, v->obj))
                fz_fail("VMA %u at 0x%" PRIx64 ": its identity is not the one Linux would give", i, v->start);
        }
    }
    if (v && v->start < f->wend)
        fz_fail("unexpected VMA [0x%" PRIx64 ", 0x%" PRIx64 ") (the model has %u VMAs)", v->start, v->end, n);
    if (!fm_is_fence(v, f->wend))
        fz_fail("the upper fence is gone or changed");
    if (space_vma_count(f->s) != n + 2)
        fz_fail("%" PRIu64 " VMAs, the model has %u and two fences", space_vma_count(f->s), n);
}

static void fm_compare_pages(struct fm *f, bool contents)
{
    static const uint8_t zeros[FZ_PAGE];
    uint64_t present = 0;
    for (unsigned i = 0; i < f->npages; i++) {
        const struct model_page *pg = &f->m->page[i];
        uaddr_t va = f->base + (uaddr_t)i * FZ_PAGE;
        paddr_t pa;
        bool leaf = pmap_extract(&f->s->pmap, va, &pa, NULL);
        present += leaf;
        if (leaf && !pg->mapped)
            fz_fail("page %u has a leaf but is not mapped", i);
        if (pg->present && !leaf)
            fz_fail("page %u was populated but has no leaf", i);
        if (leaf && !pg->present && !f->eager)
            fz_fail("page %u was never touched, yet it has a leaf (lazy policy)", i);
        if (!contents)
            continue;
        if (leaf) {
            const uint8_t *have = platform_phys_to_virt(pa);
            if (memcmp(have, f->m->data[i], FZ_PAGE)) {
                unsigned off = 0;
                while (have[off] == f->m->data[i][off])
                    off++;
                fz_fail("page %u byte %u holds 0x%02x, the model 0x%02x", i, off, have[off], f->m->data[i][off]);
            }
        } else if (memcmp(f->m->data[i], zeros, FZ_PAGE)) {
            fz_fail("page %u lost its contents", i);
        }
    }
    if (present != f->s->resident)
        fz_fail("resident count %" PRIu64 ", but %" PRIu64 " pages have leaves", f->s->resident, present);
}

/* Everything after an operation (page contents every few operations and
 * at the end). Returns false when the input should end (the model left
 * what it describes). */
#define FM_CONTENTS_EVERY 8
static unsigned fm_ops;

static bool fm_compare(struct fm *f)
{
    if (f->m->error[0]) {
        fz_result("(not modelled: %s)", f->m->error);
        return false;
    }
    struct space *one = f->s;
    fz_check_all(&one, 1, NULL, 0);
    fm_compare_vmas(f);
    fm_compare_pages(f, ++fm_ops % FM_CONTENTS_EVERY == 0 || !fz_more(f->in));
    fz_stats.model_checked++;
    return true;
}

/* The identity a write gave the VMA (lenient mode): the model accepts a
 * compatible neighbour's or a new one; ask the space which. */
static uint32_t fm_ident(void *arg, const struct model *m, unsigned first, unsigned npages, uint32_t linux_choice)
{
    struct fm *f = arg;
    (void)linux_choice;
    struct vma *v = vma_tree_find(&f->s->vmas, m->cfg.base + (uaddr_t)first * FZ_PAGE);
    if (!v || !v->obj)
        return 0;
    unsigned nb[2] = {first + npages, first - 1};
    for (int k = 0; k < 2; k++) {
        if ((k == 1 && first == 0) || nb[k] >= m->cfg.npages || !m->page[nb[k]].mapped || !m->page[nb[k]].ident)
            continue;
        struct vma *w = vma_tree_find(&f->s->vmas, m->cfg.base + (uaddr_t)nb[k] * FZ_PAGE);
        if (w && w->obj == v->obj)
            return m->page[nb[k]].ident;
    }
    return 0;
}

/* ---- operations ---- */

static bool fm_map(struct fm *f, uaddr_t addr, uint64_t len, unsigned long prot, unsigned long flags)
{
    fz_op("mmap 0x%" PRIx64 " len 0x%" PRIx64 " prot 0x%lx flags 0x%lx", addr, len, prot, flags);
    if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && fm_covers_fence(f, addr, len)) {
        fz_result("skipped (covers a fence)");
        return true;
    }
    fz_inject_begin(&f->inj);
    int64_t got = space_map(f->s, addr, len, prot, flags, NULL, 0, true);
    if (fz_inject_end(&f->inj)) {
        fz_result("%" PRId64 " (allocation failure injected)", got);
        if (got != -ENOMEM)
            fz_fail("mmap returned %" PRId64 " although an allocation failed", got);
        return fm_compare(f);
    }
    int64_t want = model_map(f->m, addr, len, prot, flags, 0);
    fz_result("0x%" PRIx64 " (model 0x%" PRIx64 ")", (uint64_t)got, (uint64_t)want);
    if (got != want)
        fz_fail("mmap returned 0x%" PRIx64 ", Linux returns 0x%" PRIx64, (uint64_t)got, (uint64_t)want);
    if (got >= 0 && !model_in_window(f->m, (uaddr_t)got) && !f->m->error[0]) {
        uint64_t alen;
        page_up_checked(len, &alen);
        int e = space_unmap(f->s, (uaddr_t)got, alen);
        if (e)
            fz_fail("unmapping the mapping placed outside the window: %d", e);
    }
    return fm_compare(f);
}

static bool fm_unmap(struct fm *f, uaddr_t addr, uint64_t len)
{
    fz_op("munmap 0x%" PRIx64 " len 0x%" PRIx64, addr, len);
    if (fm_covers_fence(f, addr, len)) {
        fz_result("skipped (covers a fence)");
        return true;
    }
    fz_inject_begin(&f->inj);
    int got = space_unmap(f->s, addr, len);
    if (fz_inject_end(&f->inj)) {
        fz_result("%d (allocation failure injected)", got);
        if (got != -ENOMEM)
            fz_fail("munmap returned %d although an allocation failed", got);
        return fm_compare(f);
    }
    int want = model_unmap(f->m, addr, len);
    fz_result("%d (model %d)", got, want);
    if (got != want)
        fz_fail("munmap returned %d, Linux returns %d", got, want);
    return fm_compare(f);
}

static bool fm_protect(struct fm *f, uaddr_t addr, uint64_t len, unsigned long prot)
{
    fz_op("mprotect 0x%" PRIx64 " len 0x%" PRIx64 " prot 0x%lx", addr, len, prot);
    if (fm_covers_fence(f, addr, len)) {
        fz_result("skipped (covers a fence)");
        return true;
    }
    fz_inject_begin(&f->inj);
    int got = space_protect(f->s, addr, len, prot);
    if (fz_inject_end(&f->inj)) {
        fz_result("%d (allocation failure injected)", got);
        if (got != -ENOMEM)
            fz_fail("mprotect returned %d although an allocation failed", got);
        /* The VMAs before the failure may have changed, as on Linux: the
         * model cannot follow; end the input if they did. */
        struct space *one = f->s;
        fz_check_all(&one, 1, NULL, 0);
        struct model_vma mv[MODEL_MAX_PAGES];
        unsigned n = model_vmas(f->m, mv, MODEL_MAX_PAGES);
        if (space_vma_count(f->s) != n + 2)
            return false;
        struct vma *v = vma_tree_next(&f->s->vmas, vma_tree_first(&f->s->vmas));
        for (unsigned i = 0; i < n; i++, v = vma_tree_next(&f->s->vmas, v))
            if (v->start != f->base + (uaddr_t)mv[i].first * FZ_PAGE || (v->flags & VMA_PROT_MASK) != mv[i].attr.prot)
                return false;
        return fm_compare(f);
    }
    int want = model_protect(f->m, addr, len, prot);
    fz_result("%d (model %d)", got, want);
    if (got != want)
        fz_fail("mprotect returned %d, Linux returns %d", got, want);
    return fm_compare(f);
}

static const char *fm_fault_name(int r)
{
    static const char *names[] = {"ok", "SEGV_MAPERR", "SEGV_ACCERR", "SIGBUS", "OOM"};
    return r >= 0 && r < 5 ? names[r] : "?";
}

/* After a write fault failed for memory at va: the space may have given
 * the VMA its identity before the frame allocation failed (as Linux's
 * anon_vma_prepare does); let the model follow, without the page. */
static void fm_follow_failed_write(struct fm *f, uaddr_t va)
{
    if (!model_in_window(f->m, va))
        return;
    unsigned i = model_index(f->m, va);
    struct vma *v = vma_tree_find(&f->s->vmas, va);
    if (!f->m->page[i].mapped || f->m->page[i].shared || f->m->page[i].ident || !v || !v->obj)
        return;
    bool was_present = f->m->page[i].present;
    model_populate(f->m, MODEL_WRITE, va);
    f->m->page[i].present = was_present;
}

static bool fm_access(struct fm *f, enum model_kind kind, uaddr_t addr, uint64_t len)
{
    static uint8_t wbuf[2 * FZ_PAGE], got_buf[2 * FZ_PAGE], want_buf[2 * FZ_PAGE];
    static const char *kinds[] = {"read", "write", "exec"};
    struct hosted_fault hf;

    fz_op("user %s 0x%" PRIx64 " len %" PRIu64, kinds[kind], addr, len);
    if (kind == MODEL_WRITE) {
        uint8_t v = (uint8_t)(1 + fz_u8(f->in) % 255);
        for (uint64_t i = 0; i < len; i++)
            wbuf[i] = (uint8_t)(v + i * 7);
    }
    fz_inject_begin(&f->inj);
    if (kind == MODEL_WRITE)
        hf = hosted_user_write(f->s, addr, wbuf, len);
    else if (kind == MODEL_READ)
        hf = hosted_user_read(f->s, addr, memset(got_buf, 0xee, len), len);
    else
        hf = hosted_user_exec(f->s, addr, len);
    bool injected = fz_inject_end(&f->inj);
    fz_result("%s at 0x%" PRIx64 "%s", fm_fault_name(hf.result), hf.addr,
              injected ? " (allocation failure injected)" : "");
    if (hf.result == FAULT_OOM)
        fz_stats.oom_seen++;
    if (injected) {
        if (hf.result != FAULT_OOM)
            fz_fail("the access ended %s although an allocation failed", fm_fault_name(hf.result));
        uint64_t done = hf.addr - addr;
        struct model_fault mf = model_access(f->m, kind, addr, done, kind == MODEL_WRITE ? wbuf : want_buf);
        if (mf.result != FAULT_OK)
            fz_fail("the access got to 0x%" PRIx64 ", but the model faults at 0x%" PRIx64, hf.addr, mf.addr);
        if (kind == MODEL_WRITE)
            fm_follow_failed_write(f, hf.addr);
        return fm_compare(f);
    }
    struct model_fault mf = model_access(f->m, kind, addr, len, kind == MODEL_WRITE ? wbuf : want_buf);
    if ((int)hf.result != mf.result || (mf.result != FAULT_OK && hf.addr != mf.addr))
        fz_fail("the access ended %s at 0x%" PRIx64 ", the model says %s at 0x%" PRIx64, fm_fault_name(hf.result),
                hf.addr, fm_fault_name(mf.result), mf.addr);
    if (kind == MODEL_READ) {
        uint64_t upto = mf.result == FAULT_OK ? len : mf.addr - addr;
        for (uint64_t i = 0; i < upto; i++)
            if (got_buf[i] != want_buf[i])
                fz_fail("byte %" PRIu64 " read 0x%02x, the model has 0x%02x", i, got_buf[i], want_buf[i]);
    }
    return fm_compare(f);
}

/* copy_to_user / copy_from_user: 0 when the model lets every byte be
 * reached, else -EFAULT. A partial copy_to_user may have stored and
 * populated pages before the bad one: the model adopts them, each byte
 * being the old or the new value. */
static bool fm_kcopy(struct fm *f, bool to_user, uaddr_t addr, uint64_t len)
{
    static uint8_t kbuf[2 * FZ_PAGE], want[2 * FZ_PAGE];
    enum model_kind kind = to_user ? MODEL_WRITE : MODEL_READ;
    int got;

    fz_op("%s 0x%" PRIx64 " len %" PRIu64, to_user ? "copy_to_user" : "copy_from_user", addr, len);
    uint64_t reach = model_reach(f->m, kind, addr, len);
    if (to_user) {
        uint8_t v = (uint8_t)(1 + fz_u8(f->in) % 255);
        for (uint64_t i = 0; i < len; i++)
            kbuf[i] = (uint8_t)(v + i * 13);
        got = copy_to_user(f->s, addr, kbuf, len);
    } else {
        memset(kbuf, 0xee, len);
        got = copy_from_user(f->s, kbuf, addr, len);
    }
    fz_result("%d (reach %" PRIu64 ")", got, reach);
    if (got != (reach == len ? 0 : -EFAULT))
        fz_fail("%d, but the model says %s", got, reach == len ? "all can be reached" : "-EFAULT");
    if (reach == len) {
        model_access(f->m, kind, addr, len, to_user ? kbuf : want);
        if (!to_user && memcmp(kbuf, want, len)) {
            uint64_t i = 0;
            while (kbuf[i] == want[i])
                i++;
            fz_fail("byte %" PRIu64 " copied 0x%02x, the model has 0x%02x", i, kbuf[i], want[i]);
        }
        return fm_compare(f);
    }
    for (uint64_t done = 0; done < reach;) {
        uaddr_t va = addr + done;
        uint64_t chunk = MM_MIN(reach - done, FZ_PAGE - (va & (FZ_PAGE - 1)));
        paddr_t pa;
        unsigned prot;
        if (pmap_extract(&f->s->pmap, va, &pa, &prot)) {
            model_populate(f->m, (prot & PMAP_WRITE) && to_user ? MODEL_WRITE : MODEL_READ, va);
            const uint8_t *have = (const uint8_t *)platform_phys_to_virt(pa) + (va & (FZ_PAGE - 1));
            for (uint64_t i = 0; to_user && i < chunk; i++) {
                uint8_t *mine = model_byte(f->m, va + i);
                if (have[i] != *mine && have[i] != kbuf[done + i])
                    fz_fail("byte %" PRIu64 " holds 0x%02x: neither the old 0x%02x nor the new 0x%02x", done + i,
                            have[i], *mine, kbuf[done + i]);
                *mine = have[i];
            }
        }
        done += chunk;
    }
    return fm_compare(f);
}

/* One operation from the input. Returns false to end the input. */
static bool fm_step(struct fm *f)
{
    uint8_t op = fz_u8(f->in);
    switch (op % 16) {
    case 0:
    case 1: {
        uaddr_t a = fm_addr(f);
        uint64_t len = fm_len(f);
        unsigned long prot = fz_prot(f->in);
        return fm_map(f, a, len, prot, fm_flags(f) | ((op & 0x10) ? MAP_FIXED_NOREPLACE : MAP_FIXED));
    }
    case 2: {
        uaddr_t a = fm_addr(f);
        uint64_t len = fm_len(f), cap = f->eager ? 256 * FZ_PAGE : 1ull << 31;
        if (len > cap && len <= f->s->top)
            len = cap - len % FZ_PAGE;
        unsigned long prot = fz_prot(f->in);
        return fm_map(f, a, len, prot, fm_flags(f));
    }
    case 3:
    case 4: {
        uaddr_t a = fm_addr(f);
        return fm_unmap(f, a, fm_len(f));
    }
    case 5:
    case 6: {
        uaddr_t a = fm_addr(f);
        uint64_t len = fm_len(f);
        return fm_protect(f, a, len, fm_prot_protect(f));
    }
    case 7:
    case 8: {
        uaddr_t a = fm_addr(f);
        return fm_access(f, MODEL_WRITE, a, fm_access_len(f));
    }
    case 9: {
        uaddr_t a = fm_addr(f);
        return fm_access(f, MODEL_READ, a, fm_access_len(f));
    }
    case 10: {
        uaddr_t a = fm_addr(f);
        return fm_access(f, MODEL_EXEC, a, fm_access_len(f));
    }
    case 11:
    case 12: {
        f->inj.armed = false; /* kernel copies run without injection */
        uaddr_t a = fm_addr(f);
        return fm_kcopy(f, op % 16 == 11, a, fm_access_len(f));
    }
    case 13:
        if (!f->eager)
            fz_inject_read(f->in, &f->inj);
        else
            fz_u16(f->in);
        return true;
    case 14: {
        /* Wholly hostile addresses and lengths. */
        uaddr_t a = fz_hostile(f->in, f->s->top);
        uint64_t len = fz_hostile(f->in, f->s->top);
        switch (fz_u8(f->in) % 3) {
        case 0: return fm_map(f, a, len, fz_prot(f->in), fm_flags(f) | MAP_FIXED);
        case 1: return fm_unmap(f, a, len);
        default: return fm_protect(f, a, len, fm_prot_protect(f));
        }
    }
    default: {
        /* A hint anywhere, short. */
        uaddr_t a = fz_hostile(f->in, f->s->top);
        uint64_t len = (1 + fz_u8(f->in) % 16) * FZ_PAGE;
        return fm_map(f, a, len, fz_prot(f->in), fm_flags(f));
    }
    }
}

void fuzz_model_run(struct fz_input *in, uint8_t header)
{
    static struct model *m;
    struct fm f = {.in = in};
    struct space_config cfg = {.no_thp_align = true};
    paddr_t zero;

    if (!m && !(m = malloc(sizeof *m)))
        abort();
    f.m = m;
    f.eager = (header >> 1) & 1;
    f.npages = 8 * (1 + ((header >> 3) & 15));
    f.base = FM_BASE;
    f.wend = f.base + (uaddr_t)f.npages * FZ_PAGE;
    cfg.mmap_base = f.wend;
    cfg.policy = f.eager ? SPACE_EAGER : SPACE_LAZY;

    hosted_machine_init(FM_MACHINE_PAGES);
    frame_zero_page(&zero);
    uint64_t free0 = frame_free_count();
    if (space_create(&f.s, &cfg))
        fz_fail("space_create failed");
    fz_report_spaces(&f.s, 1);
    struct model_config mc = {
        .base = f.base,
        .npages = f.npages,
        .top = f.s->top,
        .min_addr = f.s->min_addr,
        .mmap_base = f.s->mmap_base,
        .eager = f.eager,
        .unaccount_unfaulted = true,
    };
    model_init(m, &mc);
    if (!((header >> 2) & 1)) {
        m->ident_fn = fm_ident;
        m->ident_arg = &f;
    }
    unsigned long fence = MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED;
    if (space_map(f.s, f.base - FZ_PAGE, FZ_PAGE, PROT_NONE, fence, NULL, 0, true) != (int64_t)(f.base - FZ_PAGE) ||
        space_map(f.s, f.wend, FZ_PAGE, PROT_NONE, fence, NULL, 0, true) != (int64_t)f.wend)
        fz_fail("cannot map the fences");

    for (unsigned ops = 0; ops < FM_MAX_OPS && fz_more(in); ops++)
        if (!fm_step(&f))
            break;

    fz_op("destroy");
    fz_report_spaces(NULL, 0);
    space_destroy(f.s);
    if (frame_free_count() != free0)
        fz_fail("frames leaked: %" PRIu64 " free before, %" PRIu64 " after", free0, frame_free_count());
    if (vma_cache.objects || object_cache.objects || space_cache.objects)
        fz_fail("records leaked: %" PRIu64 " VMAs, %" PRIu64 " objects, %" PRIu64 " spaces", vma_cache.objects,
                object_cache.objects, space_cache.objects);
    fz_result("ok");
}
