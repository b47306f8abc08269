/* tests/fuzz/fuzz_check.c — checks the fuzzer runs after operations: the
 * invariant checkers over every live space, a digest of a space for
 * "a failed operation changed nothing", and allocation-failure injection
 * taken from the input. */
#include "fuzz.h"

#include <stdlib.h>

static uint32_t *scratch;
static uint64_t scratch_n;

void fz_check_prepare(void)
{
    uint64_t n = frames_check_scratch_entries();
    if (n > scratch_n) {
        free(scratch);
        scratch = calloc(n, sizeof *scratch);
        if (!scratch)
            abort();
        scratch_n = n;
    }
}

void fz_check_all(struct space **spaces, unsigned n, struct vm_object **objs, unsigned nobjs)
{
    char buf[256];
    struct space *live[8];
    unsigned nlive = 0;

    for (unsigned i = 0; i < n; i++) {
        if (!spaces[i])
            continue;
        if (space_check(spaces[i], buf, sizeof buf))
            fz_fail("space_check of space %u: %s", i, buf);
        live[nlive++] = spaces[i];
    }
    fz_check_prepare();
    if (frames_check(live, nlive, objs, nobjs, scratch, buf, sizeof buf))
        fz_fail("frames_check: %s", buf);
}

/* ---- digest ---- */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

static void digest_leaf(void *arg, uaddr_t va, paddr_t pa, unsigned prot)
{
    struct fz_digest *d = arg;
    d->leaves = mix(mix(mix(d->leaves, va), pa), prot);
    d->frames = mix(mix(d->frames, va), pa);
}

void fz_digest(struct space *s, struct fz_digest *d)
{
    d->vmas = d->objs = d->leaves = d->frames = 1;
    for (struct vma *v = vma_tree_first(&s->vmas); v; v = vma_tree_next(&s->vmas, v)) {
        d->vmas = mix(mix(mix(mix(d->vmas, v->start), v->end), v->flags), v->pgoff);
        d->objs = mix(d->objs, (uint64_t)(uintptr_t)v->obj);
    }
    pmap_walk(&s->pmap, 0, s->top, digest_leaf, d);
    d->brk = mix(s->brk, s->brk_start);
}

/* ---- injection ---- */

void fz_inject_read(struct fz_input *in, struct fz_inject *inj)
{
    uint8_t a = fz_u8(in), b = fz_u8(in);
    inj->armed = true;
    inj->site = (enum mm_alloc_site)(a % MM_ALLOC_SITES);
    inj->sticky = (a & 0x80) != 0;
    inj->n = 1 + b % 24;
}

void fz_inject_begin(struct fz_inject *inj)
{
    if (!inj->armed)
        return;
    inj->count0 = hosted_alloc_count(inj->site);
    hosted_fail_nth(inj->site, inj->n, inj->sticky);
}

bool fz_inject_end(struct fz_inject *inj)
{
    if (!inj->armed)
        return false;
    hosted_fail_nth(inj->site, 0, false);
    inj->armed = false;
    bool reached = hosted_alloc_count(inj->site) - inj->count0 >= inj->n;
    if (reached)
        fz_stats.injected++;
    return reached;
}
