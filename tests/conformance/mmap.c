/* tests/conformance/mmap.c — mmap of anonymous memory: placement (top-down,
 * hints, 2 MiB alignment, MAP_32BIT), private and shared contents, which
 * neighbours merge, flags and protection bits ignored or refused, errors in
 * Linux's order, MAP_POPULATE, and commit accounting. The overlap shapes of
 * MAP_FIXED, protections, stacks and files have programs of their own
 * (mmap_fixed.c, mmap_prot.c, mmap_growsdown.c, mmap_file.c). */
#include "conf.h"

static long map_any(size_t len, int prot, int flags) { return sys_mmap(0, len, prot, flags, -1, 0); }

/* ---- placement (first: no holes have been made yet) ---- */

static void placement(void)
{
    long a = map_any(3 * P, RW, PA), b = map_any(2 * P, RW, PA);
    conf_case("mmap_topdown_next_below_previous", "%s",
              b + (long)(2 * P) == a ? "adjacent below" : b < a ? "below, not adjacent" : "above");
    conf_case("mmap_topdown_neighbours_merge_maps", "%s", conf_maps((uintptr_t)b, 5));
    sys_munmap((void *)b, 5 * P);

    uintptr_t r = conf_region(16);
    long h = sys_mmap((void *)(r + 2 * P), 2 * P, RW, PA, -1, 0);
    conf_case("mmap_hint_free_used", "%s", conf_at(h, r));
    long o = sys_mmap((void *)(r + 2 * P), P, RW, PA, -1, 0);
    conf_case("mmap_hint_occupied_placed_elsewhere", "%s",
              o == (long)(r + 2 * P) ? "at hint"
              : (uintptr_t)o < r + 4 * P && (uintptr_t)o + P > r + 2 * P ? "overlapping" : "elsewhere");
    if (!sys_failed(o))
        sys_munmap((void *)o, P);
    long pe = sys_mmap((void *)(r + P), 2 * P, RW, PA, -1, 0);
    conf_case("mmap_hint_partly_occupied_placed_elsewhere", "%s",
              pe == (long)(r + P) ? "at hint" : (uintptr_t)pe < r + 4 * P && (uintptr_t)pe + 2 * P > r + 2 * P
                                                    ? "overlapping"
                                                    : "elsewhere");
    if (!sys_failed(pe))
        sys_munmap((void *)pe, 2 * P);
    long u = sys_mmap((void *)(r + 6 * P + 0x123), P, RW, PA, -1, 0);
    conf_case("mmap_hint_unaligned_rounded_down", "%s", conf_at(u, r));
    long adj = sys_mmap((void *)(r + 4 * P), P, RW, PA, -1, 0);
    conf_case("mmap_hint_adjacent_above_used", "%s", conf_at(adj, r));
    conf_case("mmap_hint_adjacent_merge_maps", "%s", conf_maps(r, 8));
    conf_region_free(r, 16);

    long z = sys_mmap((void *)1, P, RW, PA, -1, 0);
    conf_case("mmap_hint_in_page_zero_ignored", "%s",
              sys_failed(z) ? conf_ret(z) : (uintptr_t)z >= 0x10000 ? "placed by search" : "low page");
    if (!sys_failed(z))
        sys_munmap((void *)z, P);

    long minaddr = conf_read_number("/proc/sys/vm/mmap_min_addr", 65536);
    if (minaddr < (long)(2 * P)) {
        conf_skip("mmap_hint_below_min_addr_raised", "vm.mmap_min_addr leaves no page to hint below it");
    } else {
        long m = sys_mmap((void *)(minaddr - P), P, RW, PA, -1, 0);
        conf_case("mmap_hint_below_min_addr_raised", "%s",
                  m == minaddr ? "at mmap_min_addr" : sys_failed(m) ? conf_ret(m) : "elsewhere");
        if (!sys_failed(m))
            sys_munmap((void *)m, P);
    }

    long hi = sys_mmap((void *)0x800000000000UL, P, RW, PA, -1, 0);
    conf_case("mmap_hint_above_user_space_ignored", "%s",
              sys_failed(hi) ? conf_ret(hi) : (uintptr_t)hi < USER_TOP ? "placed by search" : "above");
    if (!sys_failed(hi))
        sys_munmap((void *)hi, P);

    long t = map_any(4UL << 20, RW, PA);
    conf_case("mmap_4mib_anonymous_2mib_aligned", "%s",
              sys_failed(t) ? conf_ret(t) : (t & ((2UL << 20) - 1)) == 0 ? "aligned" : "not aligned");
    if (!sys_failed(t))
        sys_munmap((void *)t, 4UL << 20);
}

/* ---- contents ---- */

static void contents(void)
{
    uintptr_t r = conf_region(16);
    long m = conf_map_at(r, 0, 4, RW, PA);
    conf_case("mmap_private_maps", "%s", conf_maps(r, 4));
    conf_case("mmap_private_untouched_not_in_memory", "%s", conf_layout(r, 4));
    conf_case("mmap_private_reads_zero", "%s",
              !sys_failed(m) && conf_all_zero(r, 4 * P) ? "zero" : "not zero");
    (void)*(volatile char *)r;
    *(volatile char *)(r + 2 * P) = 'A';
    conf_case("mmap_private_read_and_write_in_memory", "%s", conf_layout(r, 4));
    conf_fill(r, 4, 'B');
    conf_case("mmap_private_write_read_back", "%s", conf_marks(r, 4));
    sys_munmap((void *)r, 4 * P);

    m = sys_mmap((void *)r, 5000, RW, PA | MAP_FIXED, -1, 0);
    conf_case("mmap_length_rounded_up_to_pages", "%s", conf_at(m, r));
    conf_case("mmap_length_rounded_up_to_pages_layout", "%s", conf_layout(r, 3));
    sys_munmap((void *)r, 3 * P);

    m = conf_map_at(r, 0, 2, RW, SA);
    conf_case("mmap_shared_reads_zero", "%s",
              !sys_failed(m) && conf_all_zero(r, 2 * P) ? "zero" : "not zero");
    conf_case("mmap_shared_maps", "%s", conf_maps(r, 2));
    *(volatile char *)r = 'S';
    conf_case("mmap_shared_write_in_memory", "%s", conf_layout(r, 2));
    conf_map_at(r, 2, 2, RW, SA);
    conf_case("mmap_shared_adjacent_not_merged_maps", "%s", conf_maps(r, 4));
    sys_munmap((void *)r, 4 * P);

    conf_map_at(r, 0, 2, RW, PA);
    conf_map_at(r, 2, 2, RW, PA);
    conf_case("mmap_private_adjacent_merged_maps", "%s", conf_maps(r, 4));
    conf_map_at(r, 4, 2, RW, PA | MAP_STACK);
    conf_case("mmap_stack_flag_not_merged_maps", "%s", conf_maps(r, 6));
    conf_map_at(r, 6, 2, RW, PA | MAP_NORESERVE);
    conf_case("mmap_noreserve_not_merged_with_accounted_maps", "%s", conf_maps(r, 8));
    conf_map_at(r, 8, 2, PROT_READ, PA);
    conf_case("mmap_private_adjacent_other_prot_maps", "%s", conf_maps(r, 10));
    conf_map_at(r, 10, 2, PROT_READ, PA | MAP_NORESERVE);
    conf_case("mmap_noreserve_read_only_merged_maps", "%s", conf_maps(r, 12));
    sys_munmap((void *)r, 16 * P);

    m = sys_mmap((void *)r, P, RW, PA | MAP_FIXED, -1, 0x7fff00000000L);
    conf_case("mmap_anonymous_offset_ignored", "%s", conf_at(m, r));
    m = sys_mmap((void *)(r + P), P, PROT_READ | 0x10, PA | MAP_FIXED, -1, 0);
    conf_case("mmap_unknown_prot_bit_ignored", "%s", conf_at(m, r));
    conf_case("mmap_unknown_prot_bit_ignored_maps", "%s", conf_maps(r + P, 1));
    m = sys_mmap((void *)(r + 2 * P), P, PROT_READ | PROT_SEM, PA | MAP_FIXED, -1, 0);
    conf_case("mmap_prot_sem_accepted", "%s", conf_at(m, r));
    m = sys_mmap((void *)(r + 3 * P), P, RW, PA | MAP_FIXED | 0x800000, -1, 0);
    conf_case("mmap_unknown_flag_bit_ignored", "%s", conf_at(m, r));
    m = sys_mmap((void *)(r + 4 * P), P, RW, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    conf_case("mmap_droppable_type", "%s", conf_at(m, r));
    m = sys_mmap((void *)(r + 5 * P), P, RW, PA | MAP_FIXED | MAP_LOCKED, -1, 0);
    conf_case("mmap_locked", "%s", conf_at(m, r));
    conf_case("mmap_locked_populates", "%s", conf_layout(r + 5 * P, 1));
    conf_region_free(r, 16);
}

/* ---- errors, in the order Linux checks them ---- */

static void errors(void)
{
    uintptr_t r = conf_region(8);
    conf_map_at(r, 2, 2, RW, PA);

    conf_ret_case("mmap_err_offset_unaligned", sys_mmap(0, P, RW, PA, -1, 1));
    conf_ret_case("mmap_err_length_zero", sys_mmap(0, 0, RW, PA, -1, 0));
    conf_ret_case("mmap_err_length_wraps_when_rounded", sys_mmap(0, (size_t)-1, RW, PA, -1, 0));
    conf_ret_case("mmap_err_length_beyond_user_space", sys_mmap(0, 1UL << 47, RW, PA, -1, 0));
    conf_ret_case("mmap_err_fixed_unaligned", sys_mmap((void *)(r + 1), P, RW, PA | MAP_FIXED, -1, 0));
    conf_ret_case("mmap_err_fixed_past_user_top",
                  sys_mmap((void *)(USER_TOP - P), 2 * P, RW, PA | MAP_FIXED, -1, 0));
    conf_ret_case("mmap_err_fixed_kernel_half", sys_mmap((void *)KERNEL_ADDR, P, RW, PA | MAP_FIXED, -1, 0));
    conf_ret_case("mmap_err_fixed_page_zero", sys_mmap(0, P, RW, PA | MAP_FIXED, -1, 0));
    conf_ret_case("mmap_err_no_map_type", sys_mmap(0, P, RW, MAP_ANONYMOUS, -1, 0));
    conf_ret_case("mmap_err_map_type_4", sys_mmap(0, P, RW, 0x4 | MAP_ANONYMOUS, -1, 0));
    conf_ret_case("mmap_err_map_type_15", sys_mmap(0, P, RW, 0xf | MAP_ANONYMOUS, -1, 0));
    conf_ret_case("mmap_err_shared_validate_anonymous",
                  sys_mmap(0, P, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0));
    conf_ret_case("mmap_err_shared_growsdown", sys_mmap(0, P, RW, SA | MAP_GROWSDOWN, -1, 0));
    conf_ret_case("mmap_err_bad_fd", sys_mmap(0, P, RW, MAP_PRIVATE, -1, 0));
    conf_ret_case("mmap_err_bad_fd_not_a_file", sys_mmap(0, P, RW, MAP_PRIVATE, 999, 0));
    if (conf_read_number("/proc/sys/vm/nr_hugepages", 0) == 0) {
        conf_ret_case("mmap_err_hugetlb_none_reserved", sys_mmap(0, 2UL << 20, RW, PA | MAP_HUGETLB, -1, 0));
        conf_ret_case("mmap_err_hugetlb_length_zero", sys_mmap(0, 0, RW, PA | MAP_HUGETLB, -1, 0));
    } else {
        conf_skip("mmap_err_hugetlb_none_reserved", "the host has huge pages reserved");
        conf_skip("mmap_err_hugetlb_length_zero", "the host has huge pages reserved");
    }

    /* 127 TiB fit in user space; 2 TiB more do not. */
    long most = sys_mmap(0, 0x7f0000000000UL, RW, PA | MAP_NORESERVE, -1, 0);
    conf_ret_case("mmap_127_tib", sys_failed(most) ? most : 0);
    long more = sys_mmap(0, 1UL << 41, RW, PA | MAP_NORESERVE, -1, 0);
    conf_ret_case("mmap_err_no_gap_large_enough", sys_failed(more) ? more : 0);
    if (!sys_failed(more))
        sys_munmap((void *)more, 1UL << 41);
    if (!sys_failed(most))
        sys_munmap((void *)most, 0x7f0000000000UL);
    struct rlimit memlock;
    if (sys_prlimit64(0, 8 /* RLIMIT_MEMLOCK */, 0, &memlock) != 0 || memlock.rlim_cur > (1UL << 30)) {
        conf_skip("mmap_err_locked_beyond_memlock_limit", "no small RLIMIT_MEMLOCK to exceed");
    } else {
        long big = sys_mmap(0, memlock.rlim_cur + P, RW, PA | MAP_LOCKED, -1, 0);
        conf_ret_case("mmap_err_locked_beyond_memlock_limit", sys_failed(big) ? big : 0);
        if (!sys_failed(big))
            sys_munmap((void *)big, memlock.rlim_cur + P);
    }

    /* Two faults at once: which one Linux reports first. */
    conf_ret_case("mmap_order_offset_before_length_zero", sys_mmap(0, 0, RW, PA, -1, 1));
    conf_ret_case("mmap_order_offset_before_bad_fd", sys_mmap(0, P, RW, MAP_PRIVATE, -1, 1));
    conf_ret_case("mmap_order_bad_fd_before_length_zero", sys_mmap(0, 0, RW, MAP_PRIVATE, -1, 0));
    conf_ret_case("mmap_order_length_zero_before_type", sys_mmap(0, 0, RW, MAP_ANONYMOUS, -1, 0));
    conf_ret_case("mmap_order_length_wrap_before_type", sys_mmap(0, (size_t)-1, RW, MAP_ANONYMOUS, -1, 0));
    conf_ret_case("mmap_order_past_top_before_unaligned",
                  sys_mmap((void *)(USER_TOP - 1), 2 * P, RW, PA | MAP_FIXED, -1, 0));
    conf_ret_case("mmap_order_unaligned_before_page_zero", sys_mmap((void *)1, P, RW, PA | MAP_FIXED, -1, 0));
    conf_ret_case("mmap_order_page_zero_before_type", sys_mmap(0, P, RW, MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    conf_ret_case("mmap_order_past_top_before_type",
                  sys_mmap((void *)(USER_TOP - P), 2 * P, RW, MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    conf_ret_case("mmap_order_exists_before_type",
                  sys_mmap((void *)(r + 2 * P), P, RW, MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
    conf_ret_case("mmap_order_exists_before_shared_growsdown",
                  sys_mmap((void *)(r + 2 * P), P, RW, SA | MAP_GROWSDOWN | MAP_FIXED_NOREPLACE, -1, 0));
    conf_ret_case("mmap_order_unaligned_before_exists",
                  sys_mmap((void *)(r + 2 * P + 8), P, RW, PA | MAP_FIXED_NOREPLACE, -1, 0));

    /* A range ending exactly at the top of user space is valid: it maps,
     * or is refused only because something is already there. */
    long top = sys_mmap((void *)(USER_TOP - P), P, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
    conf_case("mmap_fixed_range_ending_at_user_top", "%s",
              top == (long)(USER_TOP - P) || top == -EEXIST ? "accepted" : conf_ret(top));
    if (top == (long)(USER_TOP - P))
        sys_munmap((void *)top, P);
    conf_region_free(r, 8);
}

/* ---- MAP_POPULATE ---- */

static void populate(void)
{
    uintptr_t r = conf_region(24);
    conf_map_at(r, 0, 4, RW, PA | MAP_POPULATE);
    conf_case("mmap_populate_private_writable", "%s", conf_layout(r, 4));
    conf_map_at(r, 5, 4, PROT_READ, PA | MAP_POPULATE);
    conf_case("mmap_populate_private_read_only", "%s", conf_layout(r + 5 * P, 4));
    conf_map_at(r, 10, 4, PROT_NONE, PA | MAP_POPULATE);
    conf_case("mmap_populate_prot_none", "%s", conf_layout(r + 10 * P, 4));
    conf_map_at(r, 15, 4, RW, SA | MAP_POPULATE);
    conf_case("mmap_populate_shared", "%s", conf_layout(r + 15 * P, 4));
    conf_map_at(r, 20, 4, RW, PA | MAP_POPULATE | MAP_NONBLOCK);
    conf_case("mmap_populate_nonblock_ignored", "%s", conf_layout(r + 20 * P, 4));
    conf_case("mmap_populate_private_reads_zero", "%s", conf_all_zero(r, 4 * P) ? "zero" : "not zero");
    conf_region_free(r, 24);
}

/* ---- commit accounting (the heuristic of vm.overcommit_memory = 0) ---- */

/* Private writable and shared memory is charged against RAM and swap when
 * it is mapped; 16 TiB is more than any machine here has. Read-only and
 * MAP_NORESERVE memory is not charged, until PROT_WRITE is added. */
static void accounting(void)
{
    static const char *names[] = {
        "mmap_private_writable_more_than_memory", "mmap_shared_more_than_memory",
        "mmap_noreserve_more_than_memory",        "mmap_read_only_more_than_memory",
        "mprotect_write_more_than_memory",        "mremap_grow_more_than_memory",
    };
    const size_t huge = 1UL << 44;
    if (conf_read_number("/proc/sys/vm/overcommit_memory", 0) != 0) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            conf_skip(names[i], "the host does not use heuristic overcommit");
        return;
    }
    long m = map_any(huge, RW, PA);
    conf_case(names[0], "%s", sys_failed(m) ? conf_ret(m) : "mapped");
    if (!sys_failed(m))
        sys_munmap((void *)m, huge);
    m = map_any(huge, RW, SA);
    conf_case(names[1], "%s", sys_failed(m) ? conf_ret(m) : "mapped");
    if (!sys_failed(m))
        sys_munmap((void *)m, huge);
    m = map_any(huge, RW, PA | MAP_NORESERVE);
    conf_case(names[2], "%s", sys_failed(m) ? conf_ret(m) : "mapped");
    if (!sys_failed(m))
        sys_munmap((void *)m, huge);
    m = map_any(huge, PROT_READ, PA);
    conf_case(names[3], "%s", sys_failed(m) ? conf_ret(m) : "mapped");
    if (!sys_failed(m)) {
        conf_ret_case(names[4], sys_mprotect((void *)m, huge, RW));
        sys_munmap((void *)m, huge);
    } else {
        conf_case(names[4], "not mapped");
    }
    m = map_any(P, RW, PA);
    long g = sys_mremap((void *)m, P, huge, MREMAP_MAYMOVE, 0);
    conf_case(names[5], "%s", sys_failed(g) ? conf_ret(g) : "grown");
    sys_munmap((void *)(sys_failed(g) ? m : g), sys_failed(g) ? P : huge);
}

/* ---- x86-64's MAP_32BIT: the first 2 GiB ---- */

static void low_window(void)
{
    long m = map_any(P, RW, PA | MAP_32BIT);
    conf_case("mmap_32bit_in_second_gib", "%s",
              sys_failed(m) ? conf_ret(m) : m >= (1L << 30) && m < (2L << 30) ? "yes" : "no");
    if (!sys_failed(m))
        sys_munmap((void *)m, P);
}

int main(void)
{
    conf_start();
    placement();
    contents();
    errors();
    populate();
    accounting();
    low_window();
    return 0;
}
