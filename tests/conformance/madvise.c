/* tests/conformance/madvise.c — madvise: MADV_DONTNEED zero-fills private
 * anonymous pages and keeps shared ones, MADV_FREE, MADV_REMOVE,
 * populating, the advice that splits VMAs, every common advice accepted,
 * unknown advice, unmapped ranges and the other errors. */
#include <ufile.h>

#include "conf.h"

static long advise(uintptr_t a, size_t pages, int advice)
{
    return sys_madvise((void *)a, pages * P, advice);
}

static void dropping(void)
{
    uintptr_t r = conf_region(8);

    conf_map_at(r, 0, 3, RW, PA);
    conf_fill(r, 3, 'A');
    conf_ret_case("madvise_dontneed_private", advise(r, 3, MADV_DONTNEED));
    conf_case("madvise_dontneed_private_layout", "%s", conf_layout(r, 3));
    conf_case("madvise_dontneed_private_reads_zero", "%s", conf_marks(r, 3));
    conf_case("madvise_dontneed_private_maps", "%s", conf_maps(r, 3));
    conf_fill(r, 3, 'B');
    advise(r + P, 1, MADV_DONTNEED);
    conf_case("madvise_dontneed_one_page", "%s", conf_marks(r, 3));
    sys_munmap((void *)r, 3 * P);

    conf_map_at(r, 0, 3, RW, SA);
    conf_fill(r, 3, 'S');
    conf_ret_case("madvise_dontneed_shared", advise(r, 3, MADV_DONTNEED));
    conf_case("madvise_dontneed_shared_keeps_data", "%s", conf_marks(r, 3));
    sys_munmap((void *)r, 3 * P);

    /* Across a hole: -ENOMEM, and the pages on both sides are dropped. */
    conf_map_at(r, 0, 1, RW, PA);
    conf_map_at(r, 2, 1, RW, PA);
    conf_fill(r, 1, 'C');
    conf_fill(r + 2 * P, 1, 'C');
    conf_ret_case("madvise_dontneed_across_hole", advise(r, 3, MADV_DONTNEED));
    conf_case("madvise_dontneed_across_hole_contents", "%s", conf_marks(r, 3));
    sys_munmap((void *)r, 3 * P);

    /* Read-only and inaccessible private memory. */
    conf_map_at(r, 0, 1, RW, PA);
    conf_fill(r, 1, 'R');
    sys_mprotect((void *)r, P, PROT_READ);
    conf_ret_case("madvise_dontneed_read_only", advise(r, 1, MADV_DONTNEED));
    conf_case("madvise_dontneed_read_only_reads_zero", "%s", conf_marks(r, 1));
    sys_mprotect((void *)r, P, PROT_NONE);
    conf_ret_case("madvise_dontneed_prot_none", advise(r, 1, MADV_DONTNEED));
    sys_munmap((void *)r, P);

    /* MAP_LOCKED memory refuses MADV_DONTNEED (not MADV_DONTNEED_LOCKED). */
    conf_map_at(r, 0, 1, RW, PA | MAP_LOCKED);
    conf_ret_case("madvise_dontneed_locked_vma", advise(r, 1, MADV_DONTNEED));
    conf_ret_case("madvise_dontneed_locked_advice", advise(r, 1, MADV_DONTNEED_LOCKED));
    sys_munmap((void *)r, P);

    /* MADV_FREE: private anonymous only; a write after it keeps the
     * new data. */
    conf_map_at(r, 0, 2, RW, PA);
    conf_fill(r, 2, 'F');
    conf_ret_case("madvise_free_private", advise(r, 2, MADV_FREE));
    conf_fill(r, 1, 'G');
    conf_case("madvise_free_then_write", "%s", conf_marks(r, 1));
    sys_munmap((void *)r, 2 * P);
    conf_map_at(r, 0, 1, RW, SA);
    conf_ret_case("madvise_free_shared", advise(r, 1, MADV_FREE));
    sys_munmap((void *)r, P);

    /* MADV_REMOVE frees shared memory; private memory refuses it. */
    conf_map_at(r, 0, 2, RW, SA);
    conf_fill(r, 2, 'H');
    conf_ret_case("madvise_remove_shared", advise(r, 1, MADV_REMOVE));
    conf_case("madvise_remove_shared_contents", "%s", conf_marks(r, 2));
    sys_munmap((void *)r, 2 * P);
    conf_map_at(r, 0, 1, PROT_READ, SA);
    conf_ret_case("madvise_remove_shared_read_only", advise(r, 1, MADV_REMOVE));
    sys_munmap((void *)r, P);
    conf_map_at(r, 0, 1, RW, PA);
    conf_ret_case("madvise_remove_private", advise(r, 1, MADV_REMOVE));
    sys_munmap((void *)r, P);

    /* Shared memory that a child maps too: both see the hole. */
    conf_map_at(r, 0, 2, RW, SA);
    conf_fill(r, 2, 'J');
    struct conf_watcher child = conf_watcher_start(r, 2, "zJ");
    conf_ret_case("madvise_remove_shared_forked", advise(r, 1, MADV_REMOVE));
    conf_case("madvise_remove_shared_forked_layout", "%s", conf_layout(r, 2));
    conf_case("madvise_remove_shared_forked_child_sees", "%s", conf_watcher_saw(child) ? "zJ" : "not zJ");
    conf_case("madvise_remove_shared_forked_contents", "%s", conf_marks(r, 2));
    conf_region_free(r, 8);
}

static void populating(void)
{
    uintptr_t r = conf_region(12);

    conf_map_at(r, 0, 3, RW, PA);
    conf_ret_case("madvise_populate_write", advise(r, 3, MADV_POPULATE_WRITE));
    conf_case("madvise_populate_write_layout", "%s", conf_layout(r, 3));
    conf_map_at(r, 4, 3, PROT_READ, PA);
    conf_ret_case("madvise_populate_read", advise(r + 4 * P, 3, MADV_POPULATE_READ));
    conf_case("madvise_populate_read_layout", "%s", conf_layout(r + 4 * P, 3));
    conf_ret_case("madvise_populate_write_read_only", advise(r + 4 * P, 3, MADV_POPULATE_WRITE));
    conf_map_at(r, 8, 1, PROT_NONE, PA);
    conf_ret_case("madvise_populate_read_prot_none", advise(r + 8 * P, 1, MADV_POPULATE_READ));
    conf_ret_case("madvise_populate_across_hole", advise(r, 8, MADV_POPULATE_READ));
    conf_ret_case("madvise_willneed", advise(r, 3, MADV_WILLNEED));
    conf_region_free(r, 12);
}

/* Advice that changes VMA flags splits the VMA where the range ends. */
static void splitting(void)
{
    static const struct {
        const char *name;
        int advice, undo;
    } flags[] = {
        {"dontfork", MADV_DONTFORK, MADV_DOFORK},     {"dontdump", MADV_DONTDUMP, MADV_DODUMP},
        {"wipeonfork", MADV_WIPEONFORK, MADV_KEEPONFORK}, {"random", MADV_RANDOM, MADV_NORMAL},
        {"sequential", MADV_SEQUENTIAL, MADV_NORMAL}, {"hugepage", MADV_HUGEPAGE, MADV_NOHUGEPAGE},
        {"nohugepage", MADV_NOHUGEPAGE, MADV_HUGEPAGE},
    };
    char name[96];
    uintptr_t r = conf_region(4);

    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        conf_map_at(r, 0, 3, RW, PA);
        advise(r + P, 1, flags[i].advice);
        snprintf(name, sizeof name, "madvise_%s_middle_maps", flags[i].name);
        conf_case(name, "%s", conf_maps(r, 3));
        advise(r + P, 1, flags[i].undo);
        snprintf(name, sizeof name, "madvise_%s_undone_maps", flags[i].name);
        conf_case(name, "%s", conf_maps(r, 3));
        sys_munmap((void *)r, 3 * P);
    }
    conf_map_at(r, 0, 1, RW, SA);
    conf_ret_case("madvise_wipeonfork_shared", advise(r, 1, MADV_WIPEONFORK));
    conf_region_free(r, 4);
}

static void accepted(void)
{
    static const struct {
        const char *name;
        int advice;
    } advice[] = {
        {"normal", MADV_NORMAL},           {"random", MADV_RANDOM},
        {"sequential", MADV_SEQUENTIAL},   {"willneed", MADV_WILLNEED},
        {"dontneed", MADV_DONTNEED},       {"free", MADV_FREE},
        {"dontfork", MADV_DONTFORK},       {"dofork", MADV_DOFORK},
        {"mergeable", MADV_MERGEABLE},     {"unmergeable", MADV_UNMERGEABLE},
        {"hugepage", MADV_HUGEPAGE},       {"nohugepage", MADV_NOHUGEPAGE},
        {"dontdump", MADV_DONTDUMP},       {"dodump", MADV_DODUMP},
        {"wipeonfork", MADV_WIPEONFORK},   {"keeponfork", MADV_KEEPONFORK},
        {"cold", MADV_COLD},               {"pageout", MADV_PAGEOUT},
        {"populate_read", MADV_POPULATE_READ}, {"populate_write", MADV_POPULATE_WRITE},
        {"dontneed_locked", MADV_DONTNEED_LOCKED}, {"guard_install", MADV_GUARD_INSTALL},
        {"guard_remove", MADV_GUARD_REMOVE},
    };
    char name[96];
    uintptr_t r = conf_region(4);
    conf_map_at(r, 0, 4, RW, PA);
    conf_fill(r, 4, 'P');
    for (size_t i = 0; i < sizeof advice / sizeof advice[0]; i++) {
        snprintf(name, sizeof name, "madvise_accepts_%s", advice[i].name);
        conf_ret_case(name, advise(r, 4, advice[i].advice));
    }
    conf_region_free(r, 4);
}

static void errors(void)
{
    uintptr_t r = conf_region(8);
    conf_map_at(r, 0, 2, RW, PA);

    conf_ret_case("madvise_err_unknown_advice_5", advise(r, 1, 5));
    conf_ret_case("madvise_err_unknown_advice_7", advise(r, 1, 7));
    conf_ret_case("madvise_err_unknown_advice_99", advise(r, 1, 99));
    conf_ret_case("madvise_err_unknown_advice_negative", advise(r, 1, -1));
    conf_ret_case("madvise_err_unaligned", sys_madvise((void *)(r + 1), P, MADV_NORMAL));
    conf_ret_case("madvise_length_zero", advise(r, 0, MADV_DONTNEED));
    conf_ret_case("madvise_length_zero_unmapped", advise(r + 4 * P, 0, MADV_DONTNEED));
    conf_ret_case("madvise_length_unaligned", sys_madvise((void *)r, 1, MADV_DONTNEED));
    conf_ret_case("madvise_err_length_rounds_to_zero", sys_madvise((void *)r, (size_t)-1, MADV_DONTNEED));
    conf_ret_case("madvise_err_range_wraps", sys_madvise((void *)r, (size_t)-P, MADV_DONTNEED));
    conf_ret_case("madvise_err_unmapped", advise(r + 4 * P, 1, MADV_DONTNEED));
    conf_ret_case("madvise_err_unmapped_normal", advise(r + 4 * P, 1, MADV_NORMAL));
    conf_ret_case("madvise_err_partly_unmapped", advise(r, 4, MADV_NORMAL));
    conf_ret_case("madvise_err_kernel_half", sys_madvise((void *)KERNEL_ADDR, P, MADV_NORMAL));
    conf_ret_case("madvise_order_unknown_before_unaligned", sys_madvise((void *)(r + 1), P, 99));
    conf_ret_case("madvise_order_unknown_before_length_zero", advise(r, 0, 99));
    conf_ret_case("madvise_order_unaligned_before_length_zero", sys_madvise((void *)(r + 1), 0, MADV_NORMAL));
    conf_region_free(r, 8);
}

int main(void)
{
    conf_start();
    dropping();
    populating();
    splitting();
    accepted();
    errors();
    return 0;
}
