/* tests/conformance/mprotect.c — mprotect: splits and merges, the
 * accounting rule of Linux 6.6+ (VM_ACCOUNT kept once written), ranges
 * with holes, protection enforced at once, data kept across PROT_NONE,
 * and the errors. */
#include "conf.h"

static void splits_and_merges(void)
{
    uintptr_t r = conf_region(8);

    conf_map_at(r, 0, 3, RW, PA);
    conf_ret_case("mprotect_middle", sys_mprotect((void *)(r + P), P, PROT_READ));
    conf_case("mprotect_middle_maps", "%s", conf_maps(r, 3));
    conf_case("mprotect_middle_write", "%s", conf_probe(r + P, CONF_WRITE));
    conf_case("mprotect_middle_write_neighbour", "%s", conf_probe(r + 2 * P, CONF_WRITE));
    conf_ret_case("mprotect_middle_back", sys_mprotect((void *)(r + P), P, RW));
    conf_case("mprotect_middle_back_maps", "%s", conf_maps(r, 3));
    sys_munmap((void *)r, 3 * P);

    /* The same, with every page written first. */
    conf_map_at(r, 0, 3, RW, PA);
    conf_fill(r, 3, 'W');
    sys_mprotect((void *)(r + P), P, PROT_READ);
    conf_case("mprotect_written_middle_maps", "%s", conf_maps(r, 3));
    sys_mprotect((void *)(r + P), P, RW);
    conf_case("mprotect_written_middle_back_maps", "%s", conf_maps(r, 3));
    conf_case("mprotect_written_middle_data", "%s", conf_marks(r, 3));
    sys_munmap((void *)r, 3 * P);

    /* Linux 6.6+: read-only memory made writable is charged
     * (VM_ACCOUNT); taking the write away uncharges it again only if it
     * was never written. */
    conf_map_at(r, 0, 3, PROT_READ, PA);
    sys_mprotect((void *)(r + P), P, RW);
    sys_mprotect((void *)(r + P), P, PROT_READ);
    conf_case("mprotect_account_unwritten_merges_back_maps", "%s", conf_maps(r, 3));
    sys_mprotect((void *)(r + P), P, RW);
    *(volatile char *)(r + P) = 'X';
    sys_mprotect((void *)(r + P), P, PROT_READ);
    conf_case("mprotect_account_written_stays_apart_maps", "%s", conf_maps(r, 3));
    conf_case("mprotect_account_written_data", "%s", conf_marks(r, 3));
    sys_munmap((void *)r, 3 * P);

    /* A whole VMA taking its neighbour's protection merges with it. */
    conf_map_at(r, 0, 2, PROT_READ, PA);
    conf_map_at(r, 2, 2, RW, PA);
    conf_ret_case("mprotect_whole_vma_like_neighbour", sys_mprotect((void *)(r + 2 * P), 2 * P, PROT_READ));
    conf_case("mprotect_whole_vma_like_neighbour_maps", "%s", conf_maps(r, 4));
    sys_munmap((void *)r, 4 * P);
    conf_map_at(r, 0, 2, PROT_READ, PA);
    conf_map_at(r, 2, 2, RW, PA);
    conf_fill(r + 2 * P, 2, 'Y');
    sys_mprotect((void *)(r + 2 * P), 2 * P, PROT_READ);
    conf_case("mprotect_whole_written_vma_like_neighbour_maps", "%s", conf_maps(r, 4));
    sys_munmap((void *)r, 4 * P);

    /* The head or the tail of a VMA joins the neighbour. */
    conf_map_at(r, 0, 2, PROT_READ, PA);
    conf_map_at(r, 2, 4, RW, PA);
    conf_ret_case("mprotect_head_joins_previous", sys_mprotect((void *)(r + 2 * P), P, PROT_READ));
    conf_case("mprotect_head_joins_previous_maps", "%s", conf_maps(r, 6));
    conf_map_at(r, 6, 2, PROT_READ, PA);
    conf_ret_case("mprotect_tail_joins_next", sys_mprotect((void *)(r + 5 * P), P, PROT_READ));
    conf_case("mprotect_tail_joins_next_maps", "%s", conf_maps(r, 8));
    conf_ret_case("mprotect_all_same", sys_mprotect((void *)r, 8 * P, PROT_READ));
    conf_case("mprotect_all_same_maps", "%s", conf_maps(r, 8));
    sys_munmap((void *)r, 8 * P);

    /* Shared memory. */
    conf_map_at(r, 0, 3, PROT_READ, SA);
    conf_ret_case("mprotect_shared_add_write", sys_mprotect((void *)(r + P), P, RW));
    conf_case("mprotect_shared_add_write_maps", "%s", conf_maps(r, 3));
    conf_case("mprotect_shared_write", "%s", conf_touch(r + P, CONF_WRITE));
    sys_mprotect((void *)(r + P), P, PROT_READ);
    conf_case("mprotect_shared_back_maps", "%s", conf_maps(r, 3));
    conf_region_free(r, 8);
}

static void holes(void)
{
    uintptr_t r = conf_region(8);

    conf_map_at(r, 0, 2, RW, PA);
    conf_map_at(r, 3, 2, RW, PA);
    conf_ret_case("mprotect_across_hole", sys_mprotect((void *)r, 5 * P, PROT_READ));
    conf_case("mprotect_across_hole_maps", "%s", conf_maps(r, 5));
    conf_case("mprotect_across_hole_before_changed", "%s", conf_probe(r + P, CONF_WRITE));
    conf_case("mprotect_across_hole_after_unchanged", "%s", conf_probe(r + 3 * P, CONF_WRITE));
    sys_mprotect((void *)r, 2 * P, RW);
    conf_ret_case("mprotect_starting_in_hole", sys_mprotect((void *)(r + 2 * P), 3 * P, PROT_READ));
    conf_case("mprotect_starting_in_hole_unchanged", "%s", conf_probe(r + 3 * P, CONF_WRITE));
    conf_ret_case("mprotect_past_last_vma", sys_mprotect((void *)(r + 3 * P), 4 * P, PROT_READ));
    conf_case("mprotect_past_last_vma_maps", "%s", conf_maps(r, 8));
    conf_ret_case("mprotect_nothing_mapped", sys_mprotect((void *)(r + 6 * P), P, PROT_READ));
    conf_region_free(r, 8);
}

static void enforcement(void)
{
    uintptr_t r = conf_region(4);

    conf_map_at(r, 0, 2, RW, PA);
    conf_fill(r, 2, 'D');
    sys_mprotect((void *)r, 2 * P, PROT_NONE);
    conf_case("mprotect_none_read", "%s", conf_probe(r, CONF_READ));
    conf_case("mprotect_none_in_memory", "%s", conf_layout(r, 2));
    sys_mprotect((void *)r, 2 * P, PROT_READ);
    conf_case("mprotect_none_then_read_data_kept", "%s", conf_marks(r, 2));
    conf_case("mprotect_read_only_write", "%s", conf_probe(r + 100, CONF_WRITE));
    sys_mprotect((void *)r, 2 * P, RW);
    conf_case("mprotect_writable_again", "%s", conf_touch(r + 100, CONF_WRITE));

    /* Code written to a page becomes runnable once the page is
     * executable, and stops being runnable when it is not. */
    *(volatile unsigned char *)(r + P) = 0xc3;
    conf_case("mprotect_data_exec", "%s", conf_probe(r + P, CONF_EXEC));
    sys_mprotect((void *)(r + P), P, PROT_READ | PROT_EXEC);
    conf_case("mprotect_rx_exec", "%s", conf_probe(r + P, CONF_EXEC));
    conf_case("mprotect_rx_write", "%s", conf_probe(r + P, CONF_WRITE));
    sys_mprotect((void *)(r + P), P, PROT_READ);
    conf_case("mprotect_exec_removed", "%s", conf_probe(r + P, CONF_EXEC));
    conf_region_free(r, 4);
}

static void errors(void)
{
    uintptr_t r = conf_region(4);
    conf_map_at(r, 0, 2, RW, PA);

    conf_ret_case("mprotect_err_unaligned", sys_mprotect((void *)(r + 1), P, PROT_READ));
    conf_ret_case("mprotect_length_zero", sys_mprotect((void *)r, 0, PROT_READ));
    conf_ret_case("mprotect_length_zero_unmapped", sys_mprotect((void *)(r + 3 * P), 0, PROT_READ));
    conf_ret_case("mprotect_err_unknown_prot_bit", sys_mprotect((void *)r, P, PROT_READ | 0x10));
    conf_ret_case("mprotect_prot_sem_accepted", sys_mprotect((void *)r, P, RW | PROT_SEM));
    conf_ret_case("mprotect_err_growsdown_and_growsup",
                  sys_mprotect((void *)r, P, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP));
    conf_ret_case("mprotect_err_growsup", sys_mprotect((void *)r, P, PROT_READ | PROT_GROWSUP));
    conf_ret_case("mprotect_err_growsdown_not_a_stack",
                  sys_mprotect((void *)r, P, PROT_READ | PROT_GROWSDOWN));
    conf_ret_case("mprotect_err_length_wraps", sys_mprotect((void *)r, (size_t)-P, PROT_READ));
    conf_ret_case("mprotect_err_length_rounds_to_wrap", sys_mprotect((void *)r, (size_t)-1, PROT_READ));
    conf_ret_case("mprotect_err_unmapped", sys_mprotect((void *)(r + 2 * P), P, PROT_READ));
    conf_ret_case("mprotect_err_kernel_half", sys_mprotect((void *)KERNEL_ADDR, P, PROT_READ));
    conf_ret_case("mprotect_err_page_zero", sys_mprotect(0, P, PROT_READ));
    conf_ret_case("mprotect_order_unaligned_before_unknown_bit", sys_mprotect((void *)(r + 1), P, 0x10));
    conf_ret_case("mprotect_order_length_zero_before_unknown_bit", sys_mprotect((void *)r, 0, 0x10));
    conf_ret_case("mprotect_order_wrap_before_unknown_bit", sys_mprotect((void *)r, (size_t)-P, 0x10));
    conf_ret_case("mprotect_order_unknown_bit_before_unmapped", sys_mprotect((void *)(r + 2 * P), P, 0x10));
    conf_ret_case("mprotect_order_unmapped_before_growsdown",
                  sys_mprotect((void *)(r + 2 * P), P, PROT_READ | PROT_GROWSDOWN));
    conf_case("mprotect_errors_left_protection", "%s", conf_maps(r, 2));
    conf_region_free(r, 4);
}

int main(void)
{
    conf_start();
    splits_and_merges();
    holes();
    enforcement();
    errors();
    return 0;
}
