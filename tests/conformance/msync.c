/* tests/conformance/msync.c — msync on anonymous memory: the flags
 * accepted, the errors in Linux's order, lengths that round or wrap, and
 * ranges with holes; the data is left alone. */
#include "conf.h"

int main(void)
{
    conf_start();
    uintptr_t r = conf_region(8);
    conf_map_at(r, 0, 2, RW, PA);
    conf_map_at(r, 2, 1, RW, SA);
    conf_map_at(r, 4, 1, PROT_NONE, PA);
    conf_fill(r, 3, 'Y');

    conf_ret_case("msync_sync", sys_msync((void *)r, 3 * P, MS_SYNC));
    conf_ret_case("msync_async", sys_msync((void *)r, 3 * P, MS_ASYNC));
    conf_ret_case("msync_invalidate", sys_msync((void *)r, 3 * P, MS_INVALIDATE));
    conf_ret_case("msync_sync_invalidate", sys_msync((void *)r, 3 * P, MS_SYNC | MS_INVALIDATE));
    conf_ret_case("msync_no_flags", sys_msync((void *)r, 3 * P, 0));
    conf_ret_case("msync_shared_page", sys_msync((void *)(r + 2 * P), P, MS_SYNC));
    conf_ret_case("msync_prot_none", sys_msync((void *)(r + 4 * P), P, MS_SYNC));
    conf_ret_case("msync_length_unaligned", sys_msync((void *)r, 1, MS_SYNC));
    conf_ret_case("msync_length_zero", sys_msync((void *)r, 0, MS_SYNC));
    conf_ret_case("msync_length_zero_unmapped", sys_msync((void *)(r + 6 * P), 0, MS_SYNC));
    conf_ret_case("msync_length_wraps_to_zero", sys_msync((void *)r, (size_t)-1, MS_SYNC));
    conf_case("msync_data_kept", "%s", conf_marks(r, 3));

    conf_ret_case("msync_err_unknown_flag", sys_msync((void *)r, P, 8));
    conf_ret_case("msync_err_async_and_sync", sys_msync((void *)r, P, MS_ASYNC | MS_SYNC));
    conf_ret_case("msync_err_unaligned", sys_msync((void *)(r + 1), P, MS_SYNC));
    conf_ret_case("msync_err_range_wraps", sys_msync((void *)r, (size_t)-P, MS_SYNC));
    conf_ret_case("msync_err_unmapped", sys_msync((void *)(r + 6 * P), P, MS_SYNC));
    conf_ret_case("msync_err_hole", sys_msync((void *)r, 5 * P, MS_SYNC));
    conf_ret_case("msync_err_hole_async", sys_msync((void *)r, 5 * P, MS_ASYNC));
    conf_ret_case("msync_err_hole_invalidate", sys_msync((void *)r, 5 * P, MS_INVALIDATE));
    conf_ret_case("msync_err_ends_in_hole", sys_msync((void *)r, 4 * P, MS_SYNC));
    conf_ret_case("msync_err_past_last_vma", sys_msync((void *)(r + 4 * P), 3 * P, MS_SYNC));
    conf_ret_case("msync_err_kernel_half", sys_msync((void *)KERNEL_ADDR, P, MS_SYNC));
    conf_ret_case("msync_order_unknown_flag_before_unaligned", sys_msync((void *)(r + 1), P, 8));
    conf_ret_case("msync_order_unaligned_before_both_flags",
                  sys_msync((void *)(r + 1), P, MS_ASYNC | MS_SYNC));
    conf_ret_case("msync_order_both_flags_before_wrap", sys_msync((void *)r, (size_t)-P, MS_ASYNC | MS_SYNC));
    conf_ret_case("msync_order_wrap_before_unmapped", sys_msync((void *)(r + 6 * P), (size_t)-P, MS_SYNC));

    /* With MAP_LOCKED, MS_INVALIDATE is refused. */
    conf_map_at(r, 6, 1, RW, PA | MAP_LOCKED);
    conf_ret_case("msync_invalidate_locked", sys_msync((void *)(r + 6 * P), P, MS_INVALIDATE));
    conf_ret_case("msync_sync_locked", sys_msync((void *)(r + 6 * P), P, MS_SYNC));
    conf_region_free(r, 8);
    return 0;
}
