/* tests/conformance/vma_limit.c — the VMA limit (vm.max_map_count): the
 * program splits a large inaccessible reservation, one page at a time,
 * until a split is refused, and then checks, at exactly the limit, which
 * calls still work (those that need no new VMA: trimming, unmapping whole
 * VMAs, joining a neighbour) and which are refused (splits by mprotect,
 * munmap, madvise and MAP_FIXED; mremap moves; new mappings past the
 * limit). The limit is read from /proc/sys/vm/max_map_count on Linux; the
 * reference kernel has Linux's default, 65530. */
#include "conf.h"

static const char *case_names[] = {
    "vma_limit_reached_by_mprotect_split",
    "vma_limit_mprotect_middle_refused",
    "vma_limit_mprotect_head_joins_neighbour",
    "vma_limit_munmap_middle_refused",
    "vma_limit_munmap_head",
    "vma_limit_madvise_split_refused",
    "vma_limit_mmap_fixed_middle_refused",
    "vma_limit_mmap_fixed_middle_kept",
    "vma_limit_mmap_fixed_whole_vma",
    "vma_limit_mmap_new",
    "vma_limit_mmap_new_second",
    "vma_limit_mremap_grow_by_moving",
    "vma_limit_mremap_grow_in_place",
    "vma_limit_mremap_shrink",
    "vma_limit_brk_new_heap",
    "vma_limit_munmap_whole_vma",
    "vma_limit_room_for_one_split",
    "vma_limit_munmap_everything",
    "vma_limit_mmap_after_recovery",
};

/* The protection of head page i: alternating, so that no head page
 * merges with the one before it. */
static int head_prot(size_t i) { return i % 2 ? PROT_READ : RW; }

int main(void)
{
    conf_start();
    long limit = conf_read_number("/proc/sys/vm/max_map_count", 65530);
    if (limit > 262144) {
        for (size_t i = 0; i < sizeof case_names / sizeof case_names[0]; i++)
            conf_skip(case_names[i], "vm.max_map_count is too large to reach quickly");
        return 0;
    }

    size_t npages = (size_t)limit + 64;
    long m = sys_mmap(0, npages * P, PROT_NONE, PA | MAP_NORESERVE, -1, 0);
    if (sys_failed(m)) {
        conf_case("vma_limit_setup", "%s", conf_ret(m));
        return 1;
    }
    uintptr_t r = (uintptr_t)m, end = r + npages * P;

    /* Split the head page off the rest until the kernel refuses. */
    size_t k = 0;
    long err = 0;
    for (size_t i = 0; i < npages - 16; i++) {
        err = sys_mprotect((void *)(r + i * P), P, head_prot(i));
        if (err)
            break;
        k = i;
    }
    uintptr_t tail = r + (k + 1) * P; /* the rest: one VMA up to end */
    conf_case(case_names[0], "%s", conf_ret(err));
    conf_ret_case(case_names[1], sys_mprotect((void *)(tail + 5 * P), P, PROT_READ));
    conf_ret_case(case_names[2], sys_mprotect((void *)tail, P, head_prot(k)));
    tail += P;
    conf_ret_case(case_names[3], sys_munmap((void *)(tail + 5 * P), P));
    conf_ret_case(case_names[4], sys_munmap((void *)tail, P));
    tail += P;
    conf_ret_case(case_names[5], sys_madvise((void *)(tail + 5 * P), P, MADV_DONTFORK));
    conf_case(case_names[6], "%s", conf_at(conf_map_at(tail, 5, 1, RW, PA), tail));
    conf_case(case_names[7], "%s", conf_layout(tail + 4 * P, 3));
    conf_case(case_names[8], "%s",
              conf_at(conf_map_at(r, k - 1, 1, head_prot(k - 1), PA | MAP_NORESERVE), r + (k - 1) * P));

    long n1 = sys_mmap(0, P, RW, SA, -1, 0), n2 = sys_mmap(0, P, RW, SA, -1, 0);
    conf_case(case_names[9], "%s", sys_failed(n1) ? conf_ret(n1) : "mapped");
    conf_case(case_names[10], "%s", sys_failed(n2) ? conf_ret(n2) : "mapped");
    if (!sys_failed(n2))
        sys_munmap((void *)n2, P);
    if (!sys_failed(n1))
        sys_munmap((void *)n1, P);

    long mv = sys_mremap((void *)(r + (k - 3) * P), P, 2 * P, MREMAP_MAYMOVE, 0);
    conf_case(case_names[11], "%s", sys_failed(mv) ? conf_ret(mv) : "moved");
    /* Page k's VMA is [k, k + 2) since the join; k + 2 is free. */
    conf_case(case_names[12], "%s", conf_at(sys_mremap((void *)(r + k * P), 2 * P, 3 * P, 0, 0), r + k * P));
    conf_case(case_names[13], "%s", conf_at(sys_mremap((void *)(r + k * P), 3 * P, P, 0, 0), r + k * P));

    uintptr_t b = (uintptr_t)sys_brk(0);
    conf_case(case_names[14], "%s", conf_at(sys_brk((void *)(b + P)), b));
    sys_brk((void *)b);

    conf_ret_case(case_names[15], sys_munmap((void *)(r + (k - 5) * P), P));
    conf_ret_case(case_names[16], sys_mprotect((void *)tail, P, PROT_READ));
    conf_ret_case(case_names[17], sys_munmap((void *)r, end - r));
    long again = sys_mmap(0, P, RW, PA, -1, 0);
    conf_case(case_names[18], "%s", sys_failed(again) ? conf_ret(again) : "mapped");
    return 0;
}
