/* tests/conformance/mincore.c — mincore: which pages are in memory
 * (untouched, read, written, dropped, inaccessible, shared through another
 * mapping), the vector written page by page, and the errors. */
#include "conf.h"

static unsigned char vec[64];

/* mincore over npages pages: the vector as "0101", or the error. */
static const char *residency(uintptr_t a, size_t npages)
{
    static char text[72];
    memset(vec, 0xee, sizeof vec);
    long r = sys_mincore((void *)a, npages * P, vec);
    if (sys_failed(r))
        return conf_ret(r);
    for (size_t i = 0; i < npages; i++)
        text[i] = vec[i] == 0 ? '0' : vec[i] == 1 ? '1' : '?';
    text[npages] = 0;
    return text;
}

/* The vector after a failed call: what was written before the failure
 * ('x' untouched). */
static const char *vector_after(size_t npages)
{
    static char text[72];
    for (size_t i = 0; i < npages; i++)
        text[i] = vec[i] == 0xee ? 'x' : vec[i] == 0 ? '0' : vec[i] == 1 ? '1' : '?';
    text[npages] = 0;
    return text;
}

static void residency_cases(void)
{
    uintptr_t r = conf_region(16);

    conf_map_at(r, 0, 4, RW, PA);
    conf_case("mincore_untouched", "%s", residency(r, 4));
    (void)*(volatile char *)(r + P);
    *(volatile char *)(r + 3 * P) = 1;
    conf_case("mincore_read_and_written", "%s", residency(r, 4));
    sys_madvise((void *)(r + 3 * P), P, MADV_DONTNEED);
    conf_case("mincore_after_dontneed", "%s", residency(r, 4));
    sys_mprotect((void *)r, 4 * P, PROT_NONE);
    conf_case("mincore_prot_none", "%s", residency(r, 4));
    sys_munmap((void *)r, 4 * P);

    conf_map_at(r, 0, 4, RW, PA | MAP_POPULATE);
    conf_case("mincore_populated", "%s", residency(r, 4));
    conf_case("mincore_length_unaligned", "%s",
              sys_failed(sys_mincore((void *)r, P + 1, vec)) ? "error" : residency(r, 2));
    sys_munmap((void *)r, 4 * P);

    /* Shared memory: a page written through one mapping is in memory for
     * another mapping of it too, before that one touches it. */
    conf_map_at(r, 0, 2, RW, SA);
    long dup = sys_mremap((void *)r, 0, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)(r + 4 * P));
    conf_case("mincore_shared_duplicate", "%s", conf_at(dup, r));
    *(volatile char *)r = 'x';
    conf_case("mincore_shared_written_elsewhere", "%s", residency(r + 4 * P, 2));
    conf_case("mincore_shared_written_here", "%s", residency(r, 2));
    sys_munmap((void *)r, 8 * P);

    /* Read-only and executable private memory. */
    conf_map_at(r, 0, 2, PROT_READ, PA);
    (void)*(volatile char *)r;
    conf_case("mincore_read_only_read", "%s", residency(r, 2));
    conf_map_at(r, 2, 2, PROT_READ | PROT_EXEC, PA);
    conf_case("mincore_exec_untouched", "%s", residency(r + 2 * P, 2));
    conf_region_free(r, 16);
}

static void errors(void)
{
    uintptr_t r = conf_region(8);
    conf_map_at(r, 0, 2, RW, PA | MAP_POPULATE);
    conf_map_at(r, 3, 1, RW, PA | MAP_POPULATE);

    conf_ret_case("mincore_err_unaligned", sys_mincore((void *)(r + 1), P, vec));
    conf_ret_case("mincore_length_zero", sys_mincore((void *)r, 0, vec));
    conf_ret_case("mincore_length_zero_unmapped", sys_mincore((void *)(r + 5 * P), 0, vec));
    conf_ret_case("mincore_err_unmapped", sys_mincore((void *)(r + 5 * P), P, vec));
    memset(vec, 0xee, sizeof vec);
    conf_ret_case("mincore_err_hole", sys_mincore((void *)r, 4 * P, vec));
    conf_case("mincore_err_hole_vector", "%s", vector_after(4));
    memset(vec, 0xee, sizeof vec);
    conf_ret_case("mincore_err_starting_in_hole", sys_mincore((void *)(r + 2 * P), 2 * P, vec));
    conf_case("mincore_err_starting_in_hole_vector", "%s", vector_after(2));
    conf_ret_case("mincore_err_kernel_half", sys_mincore((void *)KERNEL_ADDR, P, vec));
    conf_ret_case("mincore_err_past_user_top", sys_mincore((void *)(USER_TOP - P), 2 * P, vec));
    conf_ret_case("mincore_err_length_huge", sys_mincore((void *)r, (size_t)-P, vec));
    conf_ret_case("mincore_err_vector_unmapped", sys_mincore((void *)r, P, (unsigned char *)(r + 5 * P)));
    conf_ret_case("mincore_err_vector_null", sys_mincore((void *)r, P, 0));
    conf_ret_case("mincore_err_vector_kernel", sys_mincore((void *)r, P, (unsigned char *)KERNEL_ADDR));
    sys_mprotect((void *)(r + 3 * P), P, PROT_READ);
    conf_ret_case("mincore_err_vector_read_only", sys_mincore((void *)r, P, (unsigned char *)(r + 3 * P)));
    /* The vector may be the memory being asked about. */
    sys_mprotect((void *)(r + 3 * P), P, RW);
    conf_ret_case("mincore_vector_in_range", sys_mincore((void *)r, 2 * P, (unsigned char *)r));
    conf_case("mincore_vector_in_range_bytes", "%d%d", ((unsigned char *)r)[0], ((unsigned char *)r)[1]);
    conf_ret_case("mincore_order_unaligned_before_bad_vector", sys_mincore((void *)(r + 1), P, 0));
    conf_ret_case("mincore_order_range_before_bad_vector", sys_mincore((void *)KERNEL_ADDR, P, 0));
    conf_ret_case("mincore_order_bad_vector_before_unmapped", sys_mincore((void *)(r + 5 * P), P, 0));
    conf_ret_case("mincore_order_vector_range_before_unmapped",
                  sys_mincore((void *)(r + 5 * P), P, (unsigned char *)KERNEL_ADDR));
    conf_region_free(r, 8);
}

int main(void)
{
    conf_start();
    residency_cases();
    errors();
    return 0;
}
