/* tests/conformance/mmap_growsdown.c — MAP_GROWSDOWN stacks: growth on a
 * fault below the VMA, the 256-page guard gap kept above an accessible
 * neighbour (not an inaccessible one), hints refused inside that gap, the
 * RLIMIT_STACK bound, and mprotect with PROT_GROWSDOWN. */
#include "conf.h"

static void growsdown(void)
{
    /* A 700-page region with a stack at [600, 604). */
    uintptr_t r = conf_region(700), g = r + 600 * P;
    long m = conf_map_at(r, 600, 4, RW, PA | MAP_GROWSDOWN);
    conf_case("mmap_growsdown", "%s", conf_at(m, r));
    conf_case("mmap_growsdown_maps", "%s", conf_maps(g - 10 * P, 14));
    conf_case("mmap_growsdown_touch_one_page_below", "%s", conf_touch(g - P, CONF_WRITE));
    conf_case("mmap_growsdown_grown_layout", "%s", conf_layout(g - 3 * P, 7));
    conf_case("mmap_growsdown_grown_maps", "%s", conf_maps(g - 10 * P, 14));

    /* Hints keep 256 pages clear below a stack (now starting at 599). */
    long h = sys_mmap((void *)(r + 399 * P), P, RW, PA, -1, 0);
    conf_case("mmap_hint_in_stack_guard_gap_refused", "%s",
              h == (long)(r + 399 * P) ? "at hint" : sys_failed(h) ? conf_ret(h) : "elsewhere");
    if (!sys_failed(h))
        sys_munmap((void *)h, P);
    h = sys_mmap((void *)(r + 342 * P), P, RW, PA, -1, 0);
    conf_case("mmap_hint_below_stack_guard_gap_used", "%s",
              h == (long)(r + 342 * P) ? "at hint" : sys_failed(h) ? conf_ret(h) : "elsewhere");
    if (!sys_failed(h))
        sys_munmap((void *)h, P);

    /* An accessible mapping at [250, 251): the stack may not come within
     * 256 pages of it, so 507 is its lowest possible start. */
    conf_map_at(r, 250, 1, RW, PA);
    conf_case("mmap_growsdown_into_guard_gap", "%s", conf_probe(r + 506 * P, CONF_READ));
    conf_case("mmap_growsdown_to_guard_gap_edge", "%s", conf_touch(r + 507 * P, CONF_READ));
    conf_case("mmap_growsdown_far_maps", "%s", conf_maps(r + 240 * P, 460));
    /* An inaccessible mapping in between becomes the stack's neighbour,
     * and the gap rule does not apply to it. */
    conf_map_at(r, 480, 1, PROT_NONE, PA);
    conf_case("mmap_growsdown_past_prot_none_neighbour", "%s", conf_touch(r + 490 * P, CONF_READ));
    conf_case("mmap_growsdown_final_maps", "%s", conf_maps(r + 240 * P, 460));

    conf_ret_case("mprotect_growsdown_extends_to_vma_start",
                  sys_mprotect((void *)(g + P), P, PROT_READ | PROT_GROWSDOWN));
    conf_case("mprotect_growsdown_write_at_vma_start", "%s", conf_probe(r + 490 * P, CONF_WRITE));
    conf_case("mprotect_growsdown_write_above_range", "%s", conf_probe(g + 2 * P, CONF_WRITE));
    conf_case("mprotect_growsdown_maps", "%s", conf_maps(r + 480 * P, 220));
    conf_ret_case("mprotect_growsdown_on_ordinary_vma",
                  sys_mprotect((void *)(r + 250 * P), P, PROT_READ | PROT_GROWSDOWN));
    conf_region_free(r, 700);

    /* Growth is limited by RLIMIT_STACK (8 MiB = 2048 pages). */
    uintptr_t big = conf_region(2400), top = big + 2354 * P;
    conf_map_at(big, 2350, 4, RW, PA | MAP_GROWSDOWN);
    conf_case("mmap_growsdown_beyond_stack_limit", "%s", conf_probe(top - 2100 * P, CONF_READ));
    conf_case("mmap_growsdown_within_stack_limit", "%s", conf_probe(top - 2040 * P, CONF_READ));
    conf_region_free(big, 2400);
}

int main(void)
{
    conf_start();
    growsdown();
    return 0;
}
