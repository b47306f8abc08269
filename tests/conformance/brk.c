/* tests/conformance/brk.c — brk: the byte-granular break over page-granular
 * heap memory, growing, shrinking, requests that leave the break alone
 * (below the start, wrapping, colliding with a mapping or a stack's guard
 * gap, more than the memory), and a heap unmapped behind brk's back.
 * Results are relative to the break the program started with. */
#include "conf.h"

static uintptr_t b0;

static long brk_to(uintptr_t a) { return sys_brk((void *)a); }

int main(void)
{
    conf_start();
    b0 = (uintptr_t)sys_brk(0);

    conf_case("brk_initial_page_aligned", "%s", b0 % P == 0 ? "aligned" : "not aligned");
    conf_case("brk_initial_no_heap_maps", "%s", conf_maps(b0, 4));
    conf_case("brk_grow_one_byte", "%s", conf_at(brk_to(b0 + 1), b0));
    conf_case("brk_grow_one_byte_layout", "%s", conf_layout(b0, 2));
    conf_case("brk_grow_one_byte_last_byte_of_page", "%s", conf_touch(b0 + P - 1, CONF_WRITE));
    conf_case("brk_grow_one_byte_next_page", "%s", conf_probe(b0 + P, CONF_READ));
    conf_case("brk_grow_unaligned", "%s", conf_at(brk_to(b0 + 3 * P + 5), b0));
    conf_case("brk_query", "%s", conf_at(brk_to(0), b0));
    conf_case("brk_grow_unaligned_layout", "%s", conf_layout(b0, 5));
    conf_case("brk_grow_unaligned_maps", "%s", conf_maps(b0, 5));
    conf_case("brk_new_memory_zero", "%s", conf_all_zero(b0 + P, 3 * P) ? "zero" : "not zero");
    conf_fill(b0, 4, 'H');

    conf_case("brk_shrink", "%s", conf_at(brk_to(b0 + P + 1), b0));
    conf_case("brk_shrink_layout", "%s", conf_layout(b0, 5));
    conf_case("brk_shrink_maps", "%s", conf_maps(b0, 5));
    conf_case("brk_shrink_within_page", "%s", conf_at(brk_to(b0 + P + 100), b0));
    conf_case("brk_regrow", "%s", conf_at(brk_to(b0 + 4 * P), b0));
    conf_case("brk_regrow_contents", "%s", conf_marks(b0, 4));
    conf_case("brk_regrow_maps", "%s", conf_maps(b0, 5));

    conf_case("brk_below_start", "%s", conf_at(brk_to(b0 - P), b0));
    conf_case("brk_below_start_layout", "%s", conf_layout(b0, 5));
    conf_case("brk_wrapping", "%s", conf_at(brk_to((uintptr_t)-1), b0));
    conf_case("brk_beyond_user_space", "%s", conf_at(brk_to(USER_TOP + P), b0));
    conf_case("brk_kernel_half", "%s", conf_at(brk_to(KERNEL_ADDR), b0));
    if (conf_read_number("/proc/sys/vm/overcommit_memory", 0) != 0)
        conf_skip("brk_more_than_memory", "the host does not use heuristic overcommit");
    else
        conf_case("brk_more_than_memory", "%s", conf_at(brk_to(b0 + (1UL << 44)), b0));
    brk_to(b0 + 4 * P); /* whatever happened, the same break for what follows */

    /* A mapping 10 pages above the start: the break must stay a page
     * clear of it. */
    long n = sys_mmap((void *)(b0 + 10 * P), P, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
    conf_case("brk_mapping_above", "%s", conf_at(n, b0));
    conf_case("brk_up_to_a_page_below_mapping", "%s", conf_at(brk_to(b0 + 9 * P), b0));
    conf_case("brk_into_last_free_page", "%s", conf_at(brk_to(b0 + 9 * P + 1), b0));
    conf_case("brk_over_mapping", "%s", conf_at(brk_to(b0 + 12 * P), b0));
    conf_case("brk_collisions_layout", "%s", conf_layout(b0, 12));
    conf_case("brk_collisions_maps", "%s", conf_maps(b0, 12));

    /* The heap unmapped behind brk's back. */
    conf_ret_case("brk_heap_munmap", sys_munmap((void *)b0, 9 * P));
    conf_case("brk_shrink_unmapped_heap", "%s", conf_at(brk_to(b0 + P), b0));
    sys_munmap((void *)(b0 + 10 * P), P);
    conf_case("brk_grow_after_heap_unmapped", "%s", conf_at(brk_to(b0 + 10 * P), b0));
    conf_case("brk_grow_after_heap_unmapped_layout", "%s", conf_layout(b0, 11));

    /* A stack 300 pages above: the break keeps 256 pages and one more
     * clear below it. */
    long g = sys_mmap((void *)(b0 + 300 * P), P, RW, PA | MAP_GROWSDOWN | MAP_FIXED_NOREPLACE, -1, 0);
    conf_case("brk_stack_above", "%s", conf_at(g, b0));
    conf_case("brk_up_to_stack_guard_gap", "%s", conf_at(brk_to(b0 + 43 * P), b0));
    conf_case("brk_into_stack_guard_gap", "%s", conf_at(brk_to(b0 + 43 * P + 1), b0));
    conf_case("brk_stack_maps", "%s", conf_maps(b0, 44));
    sys_munmap((void *)(b0 + 300 * P), P);

    conf_case("brk_shrink_to_start", "%s", conf_at(brk_to(b0), b0));
    conf_case("brk_shrink_to_start_layout", "%s", conf_layout(b0, 44));
    conf_case("brk_grow_again", "%s", conf_at(brk_to(b0 + 2 * P), b0));
    conf_case("brk_grow_again_maps", "%s", conf_maps(b0, 4));
    return 0;
}
