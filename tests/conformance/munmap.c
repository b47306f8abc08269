/* tests/conformance/munmap.c — munmap: splitting a VMA, ranges over
 * several VMAs and holes, length rounding, shared mappings, accesses after
 * unmapping, and the errors. */
#include "conf.h"

static void shapes(void)
{
    uintptr_t r = conf_region(8);

    conf_map_at(r, 0, 6, RW, PA);
    conf_fill(r, 6, 'M');
    conf_ret_case("munmap_middle", sys_munmap((void *)(r + 2 * P), 2 * P));
    conf_case("munmap_middle_layout", "%s", conf_layout(r, 6));
    conf_case("munmap_middle_maps", "%s", conf_maps(r, 6));
    conf_case("munmap_middle_rest_kept", "%s", conf_marks(r, 6));
    conf_case("munmap_middle_read_unmapped", "%s", conf_probe(r + 2 * P, CONF_READ));
    conf_case("munmap_middle_write_unmapped", "%s", conf_probe(r + 3 * P + 5, CONF_WRITE));
    conf_ret_case("munmap_head", sys_munmap((void *)r, P));
    conf_ret_case("munmap_tail", sys_munmap((void *)(r + 5 * P), P));
    conf_case("munmap_head_tail_layout", "%s", conf_layout(r, 6));
    conf_case("munmap_head_tail_maps", "%s", conf_maps(r, 6));
    sys_munmap((void *)r, 8 * P);

    conf_map_at(r, 0, 1, RW, PA);
    conf_map_at(r, 2, 1, PROT_READ, PA);
    conf_map_at(r, 4, 2, RW, SA);
    conf_map_at(r, 7, 1, PROT_NONE, PA);
    conf_ret_case("munmap_across_vmas_and_holes", sys_munmap((void *)r, 8 * P));
    conf_case("munmap_across_vmas_and_holes_layout", "%s", conf_layout(r, 8));

    conf_map_at(r, 1, 6, RW, PA);
    conf_ret_case("munmap_straddling_start_of_vma", sys_munmap((void *)r, 2 * P));
    conf_ret_case("munmap_straddling_end_of_vma", sys_munmap((void *)(r + 6 * P), 2 * P));
    conf_case("munmap_straddling_layout", "%s", conf_layout(r, 8));
    conf_case("munmap_straddling_maps", "%s", conf_maps(r, 8));
    sys_munmap((void *)r, 8 * P);

    conf_ret_case("munmap_nothing_mapped", sys_munmap((void *)r, 8 * P));
    conf_map_at(r, 0, 3, RW, PA);
    conf_ret_case("munmap_length_not_page_multiple", sys_munmap((void *)r, 1));
    conf_case("munmap_length_not_page_multiple_layout", "%s", conf_layout(r, 3));
    conf_ret_case("munmap_length_page_and_a_byte", sys_munmap((void *)(r + P), P + 1));
    conf_case("munmap_length_page_and_a_byte_layout", "%s", conf_layout(r, 3));

    conf_map_at(r, 0, 4, RW, SA);
    conf_fill(r, 4, 'S');
    conf_ret_case("munmap_shared_middle", sys_munmap((void *)(r + P), P));
    conf_case("munmap_shared_middle_maps", "%s", conf_maps(r, 4));
    conf_case("munmap_shared_middle_rest_kept", "%s", conf_marks(r, 4));
    sys_munmap((void *)r, 4 * P);

    /* Populated pages are gone: mapping again reads zero. */
    conf_map_at(r, 0, 2, RW, PA);
    conf_fill(r, 2, 'Q');
    sys_munmap((void *)r, 2 * P);
    conf_map_at(r, 0, 2, RW, PA);
    conf_case("munmap_then_map_again_reads_zero", "%s", conf_marks(r, 2));
    conf_region_free(r, 8);
}

static void errors(void)
{
    uintptr_t r = conf_region(4);
    conf_map_at(r, 0, 2, RW, PA);
    conf_ret_case("munmap_err_unaligned", sys_munmap((void *)(r + 1), P));
    conf_ret_case("munmap_err_length_zero", sys_munmap((void *)r, 0));
    conf_ret_case("munmap_err_length_wraps", sys_munmap((void *)r, (size_t)-P));
    conf_ret_case("munmap_err_length_huge", sys_munmap((void *)r, 1UL << 47));
    conf_ret_case("munmap_err_ends_past_user_top", sys_munmap((void *)(USER_TOP - P), 2 * P));
    conf_ret_case("munmap_err_kernel_half", sys_munmap((void *)KERNEL_ADDR, P));
    conf_ret_case("munmap_err_noncanonical", sys_munmap((void *)NONCANONICAL_ADDR, P));
    conf_ret_case("munmap_page_zero", sys_munmap(0, P));
    conf_ret_case("munmap_order_unaligned_before_length_zero", sys_munmap((void *)(r + 1), 0));
    conf_case("munmap_errors_left_mapping", "%s", conf_layout(r, 2));
    conf_region_free(r, 4);
}

int main(void)
{
    conf_start();
    shapes();
    errors();
    return 0;
}
