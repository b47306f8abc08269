/* tests/conformance/mremap.c — mremap: growing in place, moving
 * (MREMAP_MAYMOVE), to a chosen place (MREMAP_FIXED), keeping the old
 * range (MREMAP_DONTUNMAP), shrinking, duplicating shared memory (old
 * length 0), what moved VMAs merge with, and the -EINVAL, -EFAULT and
 * -ENOMEM cases. */
#include "conf.h"

#define MAYMOVE MREMAP_MAYMOVE
#define FIXED MREMAP_FIXED
#define DONTUNMAP MREMAP_DONTUNMAP

static long remap(uintptr_t old, size_t old_pages, size_t new_pages, int flags, uintptr_t new_addr)
{
    return sys_mremap((void *)old, old_pages * P, new_pages * P, flags, (void *)new_addr);
}

/* Whether a result is an address inside [base, base + npages pages). */
static const char *where(long r, uintptr_t base, size_t npages)
{
    if (sys_failed(r))
        return conf_ret(r);
    return (uintptr_t)r >= base && (uintptr_t)r < base + npages * P ? conf_at(r, base)
                                                                    : "moved out of region";
}

static void in_place(void)
{
    uintptr_t r = conf_region(16);

    conf_map_at(r, 0, 2, RW, PA);
    conf_fill(r, 2, 'G');
    conf_case("mremap_grow_in_place", "%s", conf_at(remap(r, 2, 4, 0, 0), r));
    conf_case("mremap_grow_in_place_layout", "%s", conf_layout(r, 5));
    conf_case("mremap_grow_in_place_contents", "%s", conf_marks(r, 4));
    conf_case("mremap_grow_in_place_maps", "%s", conf_maps(r, 5));
    conf_map_at(r, 6, 2, RW, PA);
    conf_case("mremap_grow_in_place_up_to_next", "%s", conf_at(remap(r, 4, 6, 0, 0), r));
    conf_case("mremap_grow_in_place_merges_with_next_maps", "%s", conf_maps(r, 9));
    conf_map_at(r, 8, 1, PROT_READ, PA);
    conf_case("mremap_grow_blocked", "%s", conf_at(remap(r, 8, 9, 0, 0), r));
    conf_case("mremap_same_size", "%s", conf_at(remap(r, 8, 8, 0, 0), r));
    conf_case("mremap_shrink", "%s", conf_at(remap(r, 8, 3, 0, 0), r));
    conf_case("mremap_shrink_layout", "%s", conf_layout(r, 9));
    conf_case("mremap_shrink_maps", "%s", conf_maps(r, 9));
    conf_case("mremap_shrink_length_rounded",
              "%s", conf_at(sys_mremap((void *)r, 3 * P, P + 1, 0, 0), r));
    conf_case("mremap_shrink_length_rounded_layout", "%s", conf_layout(r, 4));
    conf_case("mremap_shrink_contents_kept", "%s", conf_marks(r, 2));
    conf_case("mremap_shrink_with_maymove_stays", "%s", conf_at(remap(r, 2, 1, MAYMOVE, 0), r));
    conf_case("mremap_grow_with_room_and_maymove_stays", "%s", conf_at(remap(r, 1, 3, MAYMOVE, 0), r));
    sys_munmap((void *)r, 16 * P);

    /* Growing part of a VMA that does not end where the VMA ends. */
    conf_map_at(r, 0, 4, RW, PA);
    conf_ret_case("mremap_grow_middle_of_vma", remap(r + P, 2, 4, 0, 0));
    conf_case("mremap_grow_shrink_middle_of_vma", "%s", conf_at(remap(r + P, 2, 1, 0, 0), r));
    conf_case("mremap_grow_shrink_middle_of_vma_layout", "%s", conf_layout(r, 4));
    sys_munmap((void *)r, 16 * P);

    /* Read-only memory grows too; the new part reads zero. */
    conf_map_at(r, 0, 1, PROT_READ, PA);
    conf_case("mremap_grow_read_only", "%s", conf_at(remap(r, 1, 3, 0, 0), r));
    conf_case("mremap_grow_read_only_new_part", "%s", conf_all_zero(r, 3 * P) ? "zero" : "not zero");
    conf_case("mremap_grow_read_only_new_part_write", "%s", conf_probe(r + 2 * P, CONF_WRITE));
    conf_region_free(r, 16);
}

static void moves(void)
{
    uintptr_t r = conf_region(64);

    /* Blocked above: MAYMOVE moves the pages, data and all. */
    conf_map_at(r, 0, 8, RW, PA);
    for (int i = 0; i < 8; i++)
        *(volatile char *)(r + i * P) = (char)('a' + i);
    conf_map_at(r, 8, 1, PROT_READ, PA);
    long m = remap(r, 8, 16, MAYMOVE, 0);
    conf_case("mremap_maymove", "%s", where(m, r, 64));
    conf_case("mremap_maymove_old_range", "%s", conf_layout(r, 9));
    if (!sys_failed(m)) {
        conf_case("mremap_maymove_contents", "%s", conf_marks((uintptr_t)m, 16));
        conf_case("mremap_maymove_layout", "%s", conf_layout((uintptr_t)m, 16));
        conf_case("mremap_maymove_maps", "%s", conf_maps((uintptr_t)m, 16));
        sys_munmap((void *)m, 16 * P);
    } else {
        conf_case("mremap_maymove_contents", "not moved");
        conf_case("mremap_maymove_layout", "not moved");
        conf_case("mremap_maymove_maps", "not moved");
    }
    sys_munmap((void *)r, 64 * P);

    /* MREMAP_FIXED: to a chosen place, replacing what is there. */
    conf_map_at(r, 0, 2, RW, PA);
    conf_fill(r, 2, 'F');
    conf_map_at(r, 10, 3, PROT_READ, PA);
    conf_case("mremap_fixed", "%s", conf_at(remap(r, 2, 2, MAYMOVE | FIXED, r + 10 * P), r));
    conf_case("mremap_fixed_layout", "%s", conf_layout(r, 14));
    conf_case("mremap_fixed_contents", "%s", conf_marks(r + 10 * P, 3));
    conf_case("mremap_fixed_maps", "%s", conf_maps(r, 14));
    conf_case("mremap_fixed_grow", "%s", conf_at(remap(r + 10 * P, 2, 4, MAYMOVE | FIXED, r + 20 * P), r));
    conf_case("mremap_fixed_grow_layout", "%s", conf_layout(r + 20 * P, 5));
    conf_case("mremap_fixed_grow_contents", "%s", conf_marks(r + 20 * P, 4));
    conf_case("mremap_fixed_shrink", "%s", conf_at(remap(r + 20 * P, 4, 1, MAYMOVE | FIXED, r + 30 * P), r));
    conf_case("mremap_fixed_shrink_layout", "%s", conf_layout(r + 20 * P, 12));
    conf_case("mremap_fixed_shrink_contents", "%s", conf_marks(r + 30 * P, 1));
    sys_munmap((void *)r, 64 * P);

    /* Where moved VMAs land next to others: a never-written VMA merges
     * with its new neighbour; a written one keeps its page offset and
     * does not. */
    conf_map_at(r, 0, 2, RW, PA);
    conf_map_at(r, 10, 2, RW, PA);
    remap(r, 2, 2, MAYMOVE | FIXED, r + 12 * P);
    conf_case("mremap_moved_unwritten_next_to_unwritten_maps", "%s", conf_maps(r + 10 * P, 4));
    sys_munmap((void *)r, 64 * P);
    conf_map_at(r, 0, 2, RW, PA);
    conf_fill(r, 2, 'V');
    conf_map_at(r, 10, 2, RW, PA);
    remap(r, 2, 2, MAYMOVE | FIXED, r + 12 * P);
    conf_case("mremap_moved_written_next_to_unwritten_maps", "%s", conf_maps(r + 10 * P, 4));
    /* Moved back where it came from, it lines up again. */
    conf_map_at(r, 2, 2, RW, PA);
    remap(r + 12 * P, 2, 2, MAYMOVE | FIXED, r);
    conf_case("mremap_moved_back_maps", "%s", conf_maps(r, 4));
    sys_munmap((void *)r, 64 * P);

    /* Several VMAs and holes moved at once (same length, MREMAP_FIXED). */
    conf_map_at(r, 0, 1, RW, PA);
    conf_map_at(r, 2, 1, PROT_READ, PA);
    *(volatile char *)r = 'M';
    conf_case("mremap_fixed_several_vmas", "%s", conf_at(remap(r, 3, 3, MAYMOVE | FIXED, r + 40 * P), r));
    conf_case("mremap_fixed_several_vmas_layout", "%s %s", conf_layout(r, 3), conf_layout(r + 40 * P, 3));
    conf_case("mremap_fixed_several_vmas_maps", "%s", conf_maps(r + 40 * P, 3));
    sys_munmap((void *)r, 64 * P);
    conf_map_at(r, 1, 2, RW, PA);
    conf_ret_case("mremap_fixed_several_starting_in_hole", remap(r, 3, 3, MAYMOVE | FIXED, r + 40 * P));
    conf_region_free(r, 64);
}

static void dontunmap(void)
{
    uintptr_t r = conf_region(32);

    conf_map_at(r, 0, 2, RW, PA);
    conf_fill(r, 2, 'K');
    long m = remap(r, 2, 2, MAYMOVE | DONTUNMAP, 0);
    conf_case("mremap_dontunmap", "%s", sys_failed(m) ? conf_ret(m) : m == (long)r ? "same place" : "moved");
    conf_case("mremap_dontunmap_old_layout", "%s", conf_layout(r, 2));
    conf_case("mremap_dontunmap_old_contents", "%s", conf_marks(r, 2));
    conf_case("mremap_dontunmap_old_maps", "%s", conf_maps(r, 2));
    if (!sys_failed(m)) {
        conf_case("mremap_dontunmap_new_contents", "%s", conf_marks((uintptr_t)m, 2));
        sys_munmap((void *)m, 2 * P);
    } else {
        conf_case("mremap_dontunmap_new_contents", "not moved");
    }
    conf_fill(r, 2, 'L');
    conf_case("mremap_dontunmap_fixed", "%s",
              conf_at(remap(r, 2, 2, MAYMOVE | DONTUNMAP | FIXED, r + 10 * P), r));
    conf_case("mremap_dontunmap_fixed_layout", "%s", conf_layout(r, 12));
    conf_case("mremap_dontunmap_fixed_contents", "%s %s", conf_marks(r, 2), conf_marks(r + 10 * P, 2));
    conf_ret_case("mremap_dontunmap_lengths_differ", remap(r, 2, 3, MAYMOVE | DONTUNMAP, 0));
    conf_ret_case("mremap_dontunmap_without_maymove", remap(r, 2, 2, DONTUNMAP, 0));
    sys_munmap((void *)r, 32 * P);

    conf_map_at(r, 0, 2, RW, SA);
    conf_fill(r, 2, 'N');
    m = remap(r, 2, 2, MAYMOVE | DONTUNMAP | FIXED, r + 20 * P);
    conf_case("mremap_dontunmap_shared", "%s", conf_at(m, r));
    conf_case("mremap_dontunmap_shared_old_range", "%s", conf_marks(r, 2));
    conf_case("mremap_dontunmap_shared_new_range", "%s", conf_marks(r + 20 * P, 2));
    conf_region_free(r, 32);
}

static void duplicate_shared(void)
{
    uintptr_t r = conf_region(8);

    conf_map_at(r, 0, 2, RW, SA);
    conf_fill(r, 2, 'D');
    long m = remap(r, 0, 2, MAYMOVE | FIXED, r + 4 * P);
    conf_case("mremap_old_length_zero_shared", "%s", conf_at(m, r));
    conf_case("mremap_old_length_zero_shared_layout", "%s", conf_layout(r, 6));
    if (!sys_failed(m)) {
        conf_case("mremap_old_length_zero_shared_contents", "%s", conf_marks(r + 4 * P, 2));
        *(volatile char *)(r + 4 * P) = 'E';
        conf_case("mremap_old_length_zero_shared_write_seen", "%s", conf_marks(r, 2));
    } else {
        conf_case("mremap_old_length_zero_shared_contents", "not mapped");
        conf_case("mremap_old_length_zero_shared_write_seen", "not mapped");
    }
    conf_case("mremap_old_length_zero_shared_maps", "%s", conf_maps(r, 6));
    sys_munmap((void *)r, 8 * P);
    conf_map_at(r, 0, 2, RW, PA);
    conf_ret_case("mremap_old_length_zero_private", remap(r, 0, 2, MAYMOVE, 0));
    conf_region_free(r, 8);
}

static void errors(void)
{
    uintptr_t r = conf_region(16);
    conf_map_at(r, 0, 2, RW, PA);
    conf_map_at(r, 2, 2, PROT_READ, PA);

    conf_ret_case("mremap_err_unknown_flag", remap(r, 2, 3, 8, 0));
    conf_ret_case("mremap_err_unaligned", sys_mremap((void *)(r + 1), P, 2 * P, MAYMOVE, 0));
    conf_ret_case("mremap_err_new_length_zero", remap(r, 2, 0, MAYMOVE, 0));
    conf_ret_case("mremap_err_new_length_huge", sys_mremap((void *)r, P, 1UL << 47, MAYMOVE, 0));
    conf_ret_case("mremap_err_fixed_without_maymove", remap(r, 2, 2, FIXED, r + 8 * P));
    conf_ret_case("mremap_err_fixed_unaligned",
                  sys_mremap((void *)r, P, P, MAYMOVE | FIXED, (void *)(r + 8 * P + 1)));
    conf_ret_case("mremap_err_fixed_overlapping", remap(r, 2, 2, MAYMOVE | FIXED, r + P));
    conf_ret_case("mremap_err_fixed_same_place", remap(r, 2, 2, MAYMOVE | FIXED, r));
    conf_ret_case("mremap_err_fixed_past_user_top", remap(r, 1, 2, MAYMOVE | FIXED, USER_TOP - P));
    conf_ret_case("mremap_err_fixed_page_zero", remap(r, 1, 1, MAYMOVE | FIXED, 0));
    conf_ret_case("mremap_err_old_unmapped", remap(r + 6 * P, 1, 2, MAYMOVE, 0));
    conf_ret_case("mremap_err_old_unmapped_same_size", remap(r + 6 * P, 1, 1, 0, 0));
    conf_ret_case("mremap_err_old_unmapped_shrink", remap(r + 6 * P, 2, 1, 0, 0));
    conf_ret_case("mremap_err_grow_across_two_vmas", remap(r, 4, 6, MAYMOVE, 0));
    conf_ret_case("mremap_err_grow_past_vma_end", remap(r + 2 * P, 3, 4, MAYMOVE, 0));
    conf_ret_case("mremap_err_grow_no_room", remap(r, 2, 3, 0, 0));
    conf_ret_case("mremap_err_kernel_half", remap(KERNEL_ADDR, 1, 2, MAYMOVE, 0));
    conf_ret_case("mremap_order_unknown_flag_before_unaligned", sys_mremap((void *)(r + 1), P, P, 8, 0));
    conf_ret_case("mremap_order_unaligned_before_length_zero", sys_mremap((void *)(r + 1), P, 0, 0, 0));
    conf_ret_case("mremap_order_length_zero_before_unmapped", remap(r + 6 * P, 1, 0, 0, 0));
    conf_ret_case("mremap_order_no_maymove_before_unmapped", remap(r + 6 * P, 1, 1, FIXED, r + 8 * P));
    conf_ret_case("mremap_order_overlap_before_unmapped", remap(r + 6 * P, 2, 2, MAYMOVE | FIXED, r + 7 * P));
    conf_case("mremap_errors_left_layout", "%s", conf_layout(r, 8));
    conf_region_free(r, 16);
}

int main(void)
{
    conf_start();
    in_place();
    moves();
    dontunmap();
    duplicate_shared();
    errors();
    return 0;
}
