/* tests/conformance/mmap_fixed.c — MAP_FIXED and MAP_FIXED_NOREPLACE over
 * every shape of overlap with an existing mapping (exact, inside, covering,
 * straddling either end, adjacent below or above): the result, the pages
 * left, their contents and the VMAs; replacing the middle of a written
 * mapping; one mapping over several VMAs and holes. */
#include "conf.h"

struct shape {
    const char *name;
    size_t first, npages;
};

/* An existing mapping covers pages [4, 8) of a 12-page region. */
static const struct shape shapes[] = {
    {"exact", 4, 4},         {"inside", 5, 2},         {"covering", 2, 8},      {"straddle_low", 2, 3},
    {"straddle_high", 7, 3}, {"adjacent_below", 2, 2}, {"adjacent_above", 8, 2}, {"start_at_end", 8, 1},
};

static void fixed_shapes(void)
{
    char name[96];
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const struct shape *s = &shapes[i];
        uintptr_t r = conf_region(12);

        conf_map_at(r, 4, 4, RW, PA);
        conf_fill(r + 4 * P, 4, 'A');
        long m = sys_mmap((void *)(r + s->first * P), s->npages * P, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
        snprintf(name, sizeof name, "mmap_fixed_noreplace_%s", s->name);
        conf_case(name, "%s", conf_at(m, r));
        snprintf(name, sizeof name, "mmap_fixed_noreplace_%s_layout", s->name);
        conf_case(name, "%s", conf_layout(r, 12));
        snprintf(name, sizeof name, "mmap_fixed_noreplace_%s_maps", s->name);
        conf_case(name, "%s", conf_maps(r, 12));
        if (!sys_failed(m))
            sys_munmap((void *)m, s->npages * P);

        m = sys_mmap((void *)(r + s->first * P), s->npages * P, PROT_READ, PA | MAP_FIXED, -1, 0);
        snprintf(name, sizeof name, "mmap_fixed_%s", s->name);
        conf_case(name, "%s", conf_at(m, r));
        snprintf(name, sizeof name, "mmap_fixed_%s_contents", s->name);
        conf_case(name, "%s", conf_marks(r + 2 * P, 8));
        snprintf(name, sizeof name, "mmap_fixed_%s_maps", s->name);
        conf_case(name, "%s", conf_maps(r, 12));
        conf_region_free(r, 12);
    }

    /* MAP_FIXED replacing the middle of a written mapping with the same
     * protection: the new pages read zero; are the VMAs merged? */
    uintptr_t r = conf_region(8);
    conf_map_at(r, 0, 6, RW, PA);
    conf_fill(r, 6, 'C');
    long m = conf_map_at(r, 2, 2, RW, PA);
    conf_case("mmap_fixed_same_prot_middle", "%s", conf_at(m, r));
    conf_case("mmap_fixed_same_prot_middle_contents", "%s", conf_marks(r, 6));
    conf_case("mmap_fixed_same_prot_middle_maps", "%s", conf_maps(r, 6));
    sys_munmap((void *)r, 8 * P);

    /* Over several VMAs and the holes between them. */
    conf_map_at(r, 1, 1, RW, PA);
    conf_map_at(r, 3, 1, PROT_READ, PA);
    conf_map_at(r, 5, 1, RW, SA);
    m = conf_map_at(r, 0, 7, RW, PA);
    conf_case("mmap_fixed_over_vmas_and_holes", "%s", conf_at(m, r));
    conf_case("mmap_fixed_over_vmas_and_holes_layout", "%s", conf_layout(r, 8));
    conf_case("mmap_fixed_over_vmas_and_holes_maps", "%s", conf_maps(r, 8));
    sys_munmap((void *)r, 8 * P);
    m = sys_mmap((void *)(r + P), P, PROT_NONE, PA | MAP_FIXED_NOREPLACE, -1, 0);
    long n = sys_mmap((void *)(r + P), P, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
    conf_case("mmap_fixed_noreplace_over_prot_none", "%s", conf_ret(n));
    conf_region_free(r, 8);
}

int main(void)
{
    conf_start();
    fixed_shapes();
    return 0;
}
