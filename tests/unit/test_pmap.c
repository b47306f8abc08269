/* tests/unit/test_pmap.c — the arch pmap (arch/<arch>/pmap.c) against its
 * contract, and against the simulated MMU and TLB of the hosted machine:
 * entries, permissions, table-page accounting, allocation failure, and TLB
 * invalidation. The same source runs for both page-table formats; tests
 * that touch raw entries pick the format with pmap_arch_name(). */
#include "test.h"

#include <hosted/hosted.h>
#include <hosted/mmu.h>
#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/pmap.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MACHINE_PAGES 512

/* A space used only for its pmap: the tests below never make the MMU
 * fault into mm/, they probe. */
static struct space sp;
static struct pmap *const pm = &sp.pmap;

static bool is_x86(void) { return strcmp(pmap_arch_name(), "x86_64") == 0; }

static void dump_leaf(void *arg, uaddr_t va, paddr_t pa, unsigned prot)
{
    (void)arg;
    printf("    leaf 0x%012" PRIx64 " -> 0x%" PRIx64 " prot %c%c%c\n", va, pa,
           (prot & PMAP_READ) ? 'r' : '-', (prot & PMAP_WRITE) ? 'w' : '-',
           (prot & PMAP_EXEC) ? 'x' : '-');
}

static void dump_pmap(void)
{
    printf("    %s page table, %u table pages:\n", pmap_arch_name(), pm->table_pages);
    pmap_walk(pm, 0, pmap_user_top(), dump_leaf, NULL);
}

/* A fresh machine and an empty pmap. Returns the free frame count before
 * the pmap was created. */
static uint64_t setup(void)
{
    hosted_machine_init(MACHINE_PAGES);
    memset(&sp, 0, sizeof(sp));
    uint64_t before = frame_free_count();
    if (pmap_create(pm) != 0)
        test_fail_at(__FILE__, __LINE__, "pmap_create failed");
    sp.top = pmap_user_top();
    test_context_dump = dump_pmap;
    return before;
}

static void teardown(void)
{
    if (pm->root)
        pmap_destroy(pm);
    test_context_dump = NULL;
    hosted_machine_fini();
}

static paddr_t frame_new(int fill)
{
    paddr_t pa = 0;
    if (frame_alloc(&pa, MM_ALLOC_FRAME) != 0)
        test_fail_at(__FILE__, __LINE__, "out of frames");
    else
        memset(platform_phys_to_virt(pa), fill, PAGE_SIZE);
    return pa;
}

static void unref_leaf(void *arg, uaddr_t va, paddr_t pa, unsigned prot)
{
    (void)va;
    (void)prot;
    if (arg)
        (*(unsigned *)arg)++;
    frame_unref(pa);
}

/* Remove everything, dropping the frames, and check the tables went too. */
static void remove_all(void)
{
    pmap_remove(pm, 0, pmap_user_top(), unref_leaf, NULL);
    CHECK_EQ(pm->table_pages, 1);
}

/* Reads the first byte of the frame va translates to through the MMU and
 * TLB, or -1 when the read would fault. */
static int mmu_read_byte(uaddr_t va)
{
    paddr_t pa;
    if (!hosted_mmu_probe(&sp, va, ACCESS_READ, &pa))
        return -1;
    return *(unsigned char *)platform_phys_to_virt(pa);
}

/* Expected extract() prot for an entered prot: accessible pages read. */
static unsigned prot_reported(unsigned prot) { return prot ? (prot | PMAP_READ) : 0; }

/* ---- raw entries, by hand, from the hardware's side ---- */

/* Both formats index 4 levels of 512 entries with the same VA bits. */
static uint64_t raw_addr_mask(void)
{
    return is_x86() ? 0x000ffffffffff000ull : 0x0000fffffffff000ull;
}

/* The entry at depth (0 = root entry, 3 = leaf) for va, or NULL. */
static uint64_t *raw_entry(uaddr_t va, unsigned depth)
{
    paddr_t table = pm->root;
    for (unsigned d = 0;; d++) {
        uint64_t *slot = (uint64_t *)platform_phys_to_virt(table) + ((va >> (39 - 9 * d)) & 511);
        if (d == depth)
            return slot;
        if (!(*slot & 1))
            return NULL;
        table = *slot & raw_addr_mask();
    }
}

/* ---- tests ---- */

TEST(create_destroy_restores_free_count)
{
    uint64_t before = setup();
    CHECK_EQ(pm->table_pages, 1);
    CHECK(pm->root != 0);
    CHECK_EQ(frame_free_count(), before - 1);
    CHECK(frame_refcount(pm->root) == 1);
    pmap_destroy(pm);
    CHECK_EQ(pm->root, 0);
    CHECK_EQ(frame_free_count(), before);
    teardown();
}

TEST(create_fails_cleanly_without_memory)
{
    hosted_machine_init(MACHINE_PAGES);
    struct pmap p = {0};
    uint64_t before = frame_free_count();
    hosted_fail_nth(MM_ALLOC_TABLE, 1, false);
    CHECK_EQ(pmap_create(&p), -ENOMEM);
    CHECK_EQ(frame_free_count(), before);
    CHECK_EQ(pmap_create(&p), 0);
    pmap_destroy(&p);
    CHECK_EQ(frame_free_count(), before);
    hosted_machine_fini();
}

TEST(user_top_and_name)
{
    if (is_x86()) {
        CHECK_EQ(pmap_user_top(), 0x7ffffffff000ull);
    } else {
        CHECK(strcmp(pmap_arch_name(), "aarch64") == 0);
        CHECK_EQ(pmap_user_top(), 1ull << 48);
    }
    CHECK(strcmp(pmap_arch_name(), hosted_mmu_arch()) == 0);
}

TEST(enter_extract_every_prot)
{
    uint64_t before = setup();
    paddr_t frames[8];
    for (unsigned prot = 0; prot < 8; prot++) {
        frames[prot] = frame_new((int)prot);
        CHECK_EQ(pmap_enter(pm, 0x400000 + prot * PAGE_SIZE, frames[prot], prot), 0);
    }
    CHECK_EQ(pm->table_pages, 4);
    for (unsigned prot = 0; prot < 8; prot++) {
        paddr_t pa = 0;
        unsigned got = 99;
        CHECK(pmap_extract(pm, 0x400000 + prot * PAGE_SIZE, &pa, &got));
        CHECK_EQ(pa, frames[prot]);
        CHECK_EQ(got, prot_reported(prot));
        /* Any address inside the page finds the same leaf. */
        CHECK(pmap_extract(pm, 0x400000 + prot * PAGE_SIZE + 123, &pa, NULL));
        CHECK_EQ(pa, frames[prot]);
    }
    CHECK(!pmap_extract(pm, 0x400000 + 8 * PAGE_SIZE, NULL, NULL));
    CHECK(!pmap_extract(pm, 0x3ff000, NULL, NULL));
    CHECK(!pmap_extract(pm, 0x7f0000000000ull, NULL, NULL));
    unsigned n = 0;
    pmap_remove(pm, 0x400000, 0x400000 + 8 * PAGE_SIZE, unref_leaf, &n);
    CHECK_EQ(n, 8);
    CHECK_EQ(pm->table_pages, 1);
    pmap_destroy(pm);
    CHECK_EQ(frame_free_count(), before);
    teardown();
}

TEST(protnone_leaf_keeps_frame_and_data)
{
    setup();
    uaddr_t va = 0x10000;
    paddr_t f = frame_new(0x5a);
    CHECK_EQ(pmap_enter(pm, va, f, PMAP_READ | PMAP_WRITE), 0);
    CHECK_EQ(mmu_read_byte(va), 0x5a);

    pmap_protect(pm, va, va + PAGE_SIZE, 0);
    paddr_t pa = 0;
    unsigned prot = 99;
    CHECK(pmap_extract(pm, va, &pa, &prot));
    CHECK_EQ(pa, f);
    CHECK_EQ(prot, 0);
    CHECK_EQ(mmu_read_byte(va), -1);
    CHECK(!hosted_mmu_probe(&sp, va, ACCESS_EXEC, NULL));

    pmap_protect(pm, va, va + PAGE_SIZE, PMAP_READ);
    CHECK(pmap_extract(pm, va, &pa, &prot));
    CHECK_EQ(pa, f);
    CHECK_EQ(prot, PMAP_READ);
    CHECK_EQ(mmu_read_byte(va), 0x5a);

    /* Entered PROT_NONE directly: a leaf all the same. */
    paddr_t g = frame_new(1);
    CHECK_EQ(pmap_enter(pm, va + PAGE_SIZE, g, 0), 0);
    CHECK(pmap_extract(pm, va + PAGE_SIZE, &pa, &prot));
    CHECK_EQ(pa, g);
    CHECK_EQ(prot, 0);
    CHECK_EQ(mmu_read_byte(va + PAGE_SIZE), -1);
    unsigned n = 0;
    pmap_remove(pm, va, va + 2 * PAGE_SIZE, unref_leaf, &n);
    CHECK_EQ(n, 2);
    CHECK_EQ(pm->table_pages, 1);
    teardown();
}

TEST(enter_replaces_leaf)
{
    setup();
    uaddr_t va = 0x200000;
    paddr_t a = frame_new(0xa), b = frame_new(0xb);
    CHECK_EQ(pmap_enter(pm, va, a, PMAP_READ | PMAP_WRITE), 0);
    CHECK(hosted_mmu_probe(&sp, va, ACCESS_WRITE, NULL));
    CHECK_EQ(pmap_enter(pm, va, b, PMAP_READ), 0);
    paddr_t pa;
    unsigned prot;
    CHECK(pmap_extract(pm, va, &pa, &prot));
    CHECK_EQ(pa, b);
    CHECK_EQ(prot, PMAP_READ);
    CHECK_EQ(mmu_read_byte(va), 0xb);
    CHECK(!hosted_mmu_probe(&sp, va, ACCESS_WRITE, NULL));
    /* Same frame, more permission. */
    CHECK_EQ(pmap_enter(pm, va, b, PMAP_READ | PMAP_WRITE | PMAP_EXEC), 0);
    CHECK(hosted_mmu_probe(&sp, va, ACCESS_WRITE, NULL));
    CHECK(hosted_mmu_probe(&sp, va, ACCESS_EXEC, NULL));
    CHECK_EQ(pm->table_pages, 4);
    frame_unref(a);
    remove_all();
    teardown();
}

struct leaf_log {
    unsigned n;
    uaddr_t va[16];
    paddr_t pa[16];
    unsigned prot[16];
};

static void log_leaf(void *arg, uaddr_t va, paddr_t pa, unsigned prot)
{
    struct leaf_log *l = arg;
    if (l->n < 16) {
        l->va[l->n] = va;
        l->pa[l->n] = pa;
        l->prot[l->n] = prot;
    }
    l->n++;
}

static void log_and_unref_leaf(void *arg, uaddr_t va, paddr_t pa, unsigned prot)
{
    log_leaf(arg, va, pa, prot);
    frame_unref(pa);
}

TEST(table_pages_freed_when_empty)
{
    uint64_t before = setup();
    uaddr_t top = pmap_user_top();
    /* Each address needs tables the earlier ones did not create. */
    const uaddr_t va[] = {0x1000, 0x200000, 1ull << 30, 1ull << 39, top - PAGE_SIZE};
    const unsigned added[] = {3, 1, 2, 3, 3};
    unsigned expect = 1;
    for (unsigned i = 0; i < 5; i++) {
        CHECK_EQ(pmap_enter(pm, va[i], frame_new((int)i), PMAP_READ | PMAP_WRITE), 0);
        expect += added[i];
        CHECK_EQ(pm->table_pages, expect);
    }
    CHECK_EQ(frame_free_count(), before - 5 - expect);

    /* Removing the only leaf of a page table frees that table only. */
    pmap_remove(pm, 0x200000, 0x201000, unref_leaf, NULL);
    CHECK_EQ(pm->table_pages, expect - 1);
    CHECK(pmap_extract(pm, 0x1000, NULL, NULL));
    CHECK(raw_entry(0x200000, 3) == NULL);
    /* A range with no leaf changes nothing. */
    pmap_remove(pm, 0x200000, 0x400000, unref_leaf, NULL);
    CHECK_EQ(pm->table_pages, expect - 1);

    struct leaf_log l = {0};
    pmap_remove(pm, 0, top, log_and_unref_leaf, &l);
    CHECK_EQ(l.n, 4);
    CHECK_EQ(l.va[0], va[0]);
    CHECK_EQ(l.va[1], va[2]);
    CHECK_EQ(l.va[2], va[3]);
    CHECK_EQ(l.va[3], va[4]);
    CHECK_EQ(pm->table_pages, 1);
    CHECK_EQ(frame_free_count(), before - 1);
    pmap_destroy(pm);
    CHECK_EQ(frame_free_count(), before);
    teardown();
}

TEST(remove_partial_keeps_neighbours)
{
    setup();
    uaddr_t base = 0x7000000;
    paddr_t f[8];
    for (unsigned i = 0; i < 8; i++) {
        f[i] = frame_new((int)i);
        CHECK_EQ(pmap_enter(pm, base + i * PAGE_SIZE, f[i], i % 2 ? PMAP_READ : PMAP_READ | PMAP_WRITE), 0);
    }
    struct leaf_log l = {0};
    pmap_remove(pm, base + 2 * PAGE_SIZE, base + 6 * PAGE_SIZE, log_and_unref_leaf, &l);
    CHECK_EQ(l.n, 4);
    for (unsigned i = 0; i < 4 && i < l.n; i++) {
        CHECK_EQ(l.va[i], base + (i + 2) * PAGE_SIZE);
        CHECK_EQ(l.pa[i], f[i + 2]);
        CHECK_EQ(l.prot[i], (i + 2) % 2 ? PMAP_READ : PMAP_READ | PMAP_WRITE);
    }
    for (unsigned i = 0; i < 8; i++)
        CHECK(pmap_extract(pm, base + i * PAGE_SIZE, NULL, NULL) == (i < 2 || i >= 6));
    CHECK_EQ(pm->table_pages, 4);
    remove_all();
    teardown();
}

TEST(walk_visits_leaves_in_order_within_range)
{
    setup();
    const uaddr_t va[] = {0x3000, 0x5000, 0x40000000, 0x40001000, 0x8000000000ull};
    for (unsigned i = 0; i < 5; i++)
        CHECK_EQ(pmap_enter(pm, va[i], frame_new(0), i == 1 ? 0 : PMAP_READ), 0);
    struct leaf_log l = {0};
    pmap_walk(pm, 0x4000, 0x40001000, log_leaf, &l);
    CHECK_EQ(l.n, 2);
    CHECK_EQ(l.va[0], 0x5000);
    CHECK_EQ(l.prot[0], 0);
    CHECK_EQ(l.va[1], 0x40000000);
    l.n = 0;
    pmap_walk(pm, 0, pmap_user_top(), log_leaf, &l);
    CHECK_EQ(l.n, 5);
    for (unsigned i = 0; i < 5 && i < l.n; i++)
        CHECK_EQ(l.va[i], va[i]);
    remove_all();
    teardown();
}

TEST(protect_changes_only_existing_leaves)
{
    setup();
    uaddr_t base = 0x600000;
    for (unsigned i = 0; i < 6; i += 2)
        CHECK_EQ(pmap_enter(pm, base + i * PAGE_SIZE, frame_new(0), PMAP_READ), 0);
    for (unsigned prot = 0; prot < 8; prot++) {
        pmap_protect(pm, base, base + 6 * PAGE_SIZE, prot);
        for (unsigned i = 0; i < 6; i++) {
            unsigned got = 99;
            bool have = pmap_extract(pm, base + i * PAGE_SIZE, NULL, &got);
            CHECK(have == (i % 2 == 0));
            if (have)
                CHECK_EQ(got, prot_reported(prot));
        }
    }
    CHECK_EQ(pm->table_pages, 4);
    /* Protecting an empty range allocates nothing. */
    pmap_protect(pm, 0x100000000ull, 0x100000000ull + (128ull << 20), PMAP_READ);
    CHECK_EQ(pm->table_pages, 4);
    remove_all();
    teardown();
}

TEST(enomem_leaves_table_unchanged)
{
    uint64_t before = setup();
    uint64_t root_copy[512];

    /* No table on the way yet: three tables needed, fail each in turn. */
    for (uint64_t n = 1; n <= 3; n++) {
        memcpy(root_copy, platform_phys_to_virt(pm->root), PAGE_SIZE);
        uint64_t free0 = frame_free_count(), count0 = hosted_alloc_count(MM_ALLOC_TABLE);
        hosted_fail_nth(MM_ALLOC_TABLE, n, false);
        CHECK_EQ(pmap_enter(pm, 0x1000, hosted_phys_base() + 0x10000, PMAP_READ), -ENOMEM);
        CHECK_EQ(hosted_alloc_count(MM_ALLOC_TABLE), count0 + n);
        CHECK_EQ(pm->table_pages, 1);
        CHECK_EQ(frame_free_count(), free0);
        CHECK(!pmap_extract(pm, 0x1000, NULL, NULL));
        CHECK(memcmp(root_copy, platform_phys_to_virt(pm->root), PAGE_SIZE) == 0);
        hosted_fail_nth(MM_ALLOC_TABLE, 0, false);
    }

    /* Part of the path exists: only the missing tables are asked for. */
    paddr_t f = frame_new(7); /* the test's reference; each leaf takes one */
    frame_ref(f);
    CHECK_EQ(pmap_enter(pm, 0x1000, f, PMAP_READ), 0);
    CHECK_EQ(pm->table_pages, 4);
    uint64_t free0 = frame_free_count();
    hosted_fail_nth(MM_ALLOC_TABLE, 1, true);
    CHECK_EQ(pmap_enter(pm, 0x200000, f, PMAP_READ), -ENOMEM);     /* needs a PT */
    CHECK_EQ(pmap_enter(pm, 1ull << 30, f, PMAP_READ), -ENOMEM);   /* needs 2 */
    /* A leaf whose tables exist needs no allocation. */
    frame_ref(f);
    CHECK_EQ(pmap_enter(pm, 0x2000, f, PMAP_READ), 0);
    hosted_fail_nth(MM_ALLOC_TABLE, 2, false);
    CHECK_EQ(pmap_enter(pm, 1ull << 30, f, PMAP_READ), -ENOMEM);
    CHECK_EQ(pm->table_pages, 4);
    CHECK_EQ(frame_free_count(), free0);
    CHECK_EQ(frame_refcount(f), 3);
    CHECK(!pmap_extract(pm, 0x200000, NULL, NULL));
    CHECK(!pmap_extract(pm, 1ull << 30, NULL, NULL));
    CHECK(raw_entry(1ull << 30, 2) == NULL);

    /* Injection off: the same calls work. */
    frame_ref(f);
    CHECK_EQ(pmap_enter(pm, 1ull << 30, f, PMAP_READ), 0);
    CHECK_EQ(pm->table_pages, 6);
    pmap_remove(pm, 0, pmap_user_top(), unref_leaf, NULL);
    CHECK_EQ(pm->table_pages, 1);
    CHECK_EQ(frame_refcount(f), 1);
    frame_unref(f);
    pmap_destroy(pm);
    CHECK_EQ(frame_free_count(), before);
    teardown();
}

TEST(remove_large_sparse_range_visits_only_populated)
{
    setup();
    uaddr_t base = 0x40000000;
    uint64_t span = 128ull << 20;
    const uaddr_t va[] = {base, base + (37ull << 20) + 0x5000, base + span - PAGE_SIZE};
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ(pmap_enter(pm, va[i], frame_new(0), PMAP_READ), 0);
    unsigned tables = pm->table_pages;

    /* Nothing mapped in the range: no callback, no flush, no table work. */
    struct hosted_stats st0, st1;
    hosted_stats_get(&st0);
    unsigned n = 0;
    pmap_remove(pm, base + span, base + 2 * span, unref_leaf, &n);
    hosted_stats_get(&st1);
    CHECK_EQ(n, 0);
    CHECK_EQ(st1.flush_page, st0.flush_page);
    CHECK_EQ(st1.flush_all, st0.flush_all);
    CHECK_EQ(pm->table_pages, tables);

    /* The whole user address space (2^35 pages) with three leaves: only a
     * walk of the populated tables can finish at once. */
    clock_t t0 = clock();
    struct leaf_log l = {0};
    pmap_remove(pm, 0, pmap_user_top(), log_and_unref_leaf, &l);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK(secs < 0.5);
    CHECK_EQ(l.n, 3);
    for (unsigned i = 0; i < 3 && i < l.n; i++)
        CHECK_EQ(l.va[i], va[i]);
    CHECK_EQ(pm->table_pages, 1);
    /* Protect and walk of the whole space are as cheap. */
    t0 = clock();
    pmap_protect(pm, 0, pmap_user_top(), PMAP_READ);
    pmap_walk(pm, 0, pmap_user_top(), log_leaf, &l);
    CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 0.5);
    teardown();
}

TEST(mmu_permissions_match_prot)
{
    setup();
    for (unsigned prot = 0; prot < 8; prot++) {
        uaddr_t va = 0x800000 + prot * PAGE_SIZE;
        CHECK_EQ(pmap_enter(pm, va, frame_new(0), prot), 0);
        bool r = hosted_mmu_probe(&sp, va, ACCESS_READ, NULL);
        bool w = hosted_mmu_probe(&sp, va, ACCESS_WRITE, NULL);
        bool x = hosted_mmu_probe(&sp, va, ACCESS_EXEC, NULL);
        if (r != (prot != 0) || w != ((prot & PMAP_WRITE) != 0) || x != ((prot & PMAP_EXEC) != 0))
            test_fail_at(__FILE__, __LINE__, "prot %u: read %d write %d exec %d", prot, r, w, x);
        /* The kernel reads every accessible user page, never executes one. */
        paddr_t pa;
        CHECK(hosted_mmu_walk(pm->root, va, ACCESS_READ, false, &pa, NULL) == (prot != 0));
        CHECK(!hosted_mmu_walk(pm->root, va, ACCESS_EXEC, false, &pa, NULL));
    }
    /* Nothing at all above the last leaf, nor outside user space. */
    CHECK(!hosted_mmu_probe(&sp, 0x800000 + 8 * PAGE_SIZE, ACCESS_READ, NULL));
    CHECK(!hosted_mmu_probe(&sp, pmap_user_top(), ACCESS_READ, NULL));
    CHECK(!hosted_mmu_probe(&sp, 0xffff800000000000ull, ACCESS_READ, NULL));
    remove_all();
    teardown();
}

TEST(mmu_user_access_copies_across_pages)
{
    setup();
    uaddr_t va = 0x900000;
    CHECK_EQ(pmap_enter(pm, va, frame_new(0), PMAP_READ | PMAP_WRITE | PMAP_EXEC), 0);
    CHECK_EQ(pmap_enter(pm, va + PAGE_SIZE, frame_new(0), PMAP_READ | PMAP_WRITE), 0);
    char msg[64] = "straddles the page boundary";
    struct hosted_fault f = hosted_user_write(&sp, va + PAGE_SIZE - 10, msg, sizeof(msg));
    CHECK_EQ(f.result, FAULT_OK);
    char back[64] = {0};
    f = hosted_user_read(&sp, va + PAGE_SIZE - 10, back, sizeof(back));
    CHECK_EQ(f.result, FAULT_OK);
    CHECK(memcmp(msg, back, sizeof(msg)) == 0);
    CHECK_EQ(hosted_user_exec(&sp, va, PAGE_SIZE).result, FAULT_OK);
    CHECK_EQ(hosted_user_read(&sp, va, back, 0).result, FAULT_OK);
    struct hosted_stats st;
    hosted_stats_get(&st);
    CHECK_EQ(st.faults, 0);
    CHECK(st.tlb_hits > 0);
    remove_all();
    teardown();
}

TEST(stale_tlb_until_flushed)
{
    setup();
    uaddr_t va = 0x12345000;
    paddr_t a = frame_new(0xaa), b = frame_new(0xbb);
    CHECK_EQ(pmap_enter(pm, va, a, PMAP_READ | PMAP_WRITE), 0);
    CHECK_EQ(mmu_read_byte(va), 0xaa);

    /* Point the leaf at b behind mm/'s back: no flush. */
    uint64_t *leaf = raw_entry(va, 3);
    REQUIRE(leaf != NULL);
    *leaf = (*leaf & ~raw_addr_mask()) | b;
    paddr_t pa;
    CHECK(pmap_extract(pm, va, &pa, NULL));
    CHECK_EQ(pa, b);
    CHECK_EQ(mmu_read_byte(va), 0xaa);   /* the TLB still says a */
    CHECK_EQ(mmu_read_byte(va), 0xaa);
    platform_tlb_flush_page(pm, va);
    CHECK_EQ(mmu_read_byte(va), 0xbb);

    /* flush_all drops it too; another address space's entries stay. */
    *leaf = (*leaf & ~raw_addr_mask()) | a;
    CHECK_EQ(mmu_read_byte(va), 0xbb);
    struct pmap other;
    REQUIRE(pmap_create(&other) == 0);
    platform_tlb_flush_all(&other);
    CHECK_EQ(mmu_read_byte(va), 0xbb);
    platform_tlb_flush_all(pm);
    CHECK_EQ(mmu_read_byte(va), 0xaa);
    pmap_destroy(&other);

    frame_unref(b);
    remove_all();
    teardown();
}

static void protect_flush_case(unsigned npages)
{
    setup();
    uaddr_t base = 0x20000000;
    for (unsigned i = 0; i < npages; i++) {
        CHECK_EQ(pmap_enter(pm, base + i * PAGE_SIZE, frame_new((int)i), PMAP_READ | PMAP_WRITE), 0);
        CHECK(hosted_mmu_probe(&sp, base + i * PAGE_SIZE, ACCESS_WRITE, NULL));
    }
    pmap_protect(pm, base, base + npages * PAGE_SIZE, PMAP_READ);
    unsigned writes = 0, reads = 0;
    for (unsigned i = 0; i < npages; i++) {
        writes += hosted_mmu_probe(&sp, base + i * PAGE_SIZE, ACCESS_WRITE, NULL);
        reads += hosted_mmu_probe(&sp, base + i * PAGE_SIZE, ACCESS_READ, NULL);
    }
    CHECK_EQ(writes, 0);
    CHECK_EQ(reads, npages);
    pmap_protect(pm, base, base + npages * PAGE_SIZE, 0);
    for (unsigned i = 0; i < npages; i++)
        reads -= hosted_mmu_probe(&sp, base + i * PAGE_SIZE, ACCESS_READ, NULL);
    CHECK_EQ(reads, npages);
    pmap_protect(pm, base, base + npages * PAGE_SIZE, PMAP_READ | PMAP_WRITE);
    for (unsigned i = 0; i < npages; i++)
        CHECK_EQ(mmu_read_byte(base + i * PAGE_SIZE), (int)(i & 0xff));
    remove_all();
    teardown();
}

TEST(protect_flushes_tlb_one_page) { protect_flush_case(1); }
TEST(protect_flushes_tlb_many_pages) { protect_flush_case(100); }

/* A remove callback runs only when no TLB can translate to the frame. */
struct remove_check {
    unsigned n, still_translated;
};

static void remove_probe_leaf(void *arg, uaddr_t va, paddr_t pa, unsigned prot)
{
    struct remove_check *rc = arg;
    (void)prot;
    rc->n++;
    if (hosted_mmu_probe(&sp, va, ACCESS_READ, NULL))
        rc->still_translated++;
    frame_unref(pa);
}

static void remove_flush_case(unsigned npages)
{
    setup();
    uaddr_t base = 0x30000000;
    for (unsigned i = 0; i < npages; i++) {
        CHECK_EQ(pmap_enter(pm, base + i * PAGE_SIZE, frame_new(1), PMAP_READ), 0);
        CHECK_EQ(mmu_read_byte(base + i * PAGE_SIZE), 1);
    }
    struct remove_check rc = {0};
    pmap_remove(pm, base, base + npages * PAGE_SIZE, remove_probe_leaf, &rc);
    CHECK_EQ(rc.n, npages);
    CHECK_EQ(rc.still_translated, 0);
    for (unsigned i = 0; i < npages; i++)
        CHECK_EQ(mmu_read_byte(base + i * PAGE_SIZE), -1);
    CHECK_EQ(pm->table_pages, 1);
    teardown();
}

TEST(remove_flushes_tlb_one_page) { remove_flush_case(1); }
TEST(remove_flushes_tlb_many_pages) { remove_flush_case(300); }

TEST(remove_of_protnone_leaf_calls_back)
{
    setup();
    paddr_t f = frame_new(0);
    CHECK_EQ(pmap_enter(pm, 0x5000, f, 0), 0);
    struct leaf_log l = {0};
    pmap_remove(pm, 0x5000, 0x6000, log_and_unref_leaf, &l);
    CHECK_EQ(l.n, 1);
    CHECK_EQ(l.pa[0], f);
    CHECK_EQ(l.prot[0], 0);
    CHECK_EQ(pm->table_pages, 1);
    teardown();
}

TEST(mmu_kernel_and_user_differ)
{
    setup();
    uaddr_t va = 0x70000;
    CHECK_EQ(pmap_enter(pm, va, frame_new(3), PMAP_READ | PMAP_EXEC), 0);
    paddr_t pa;
    CHECK(hosted_mmu_walk(pm->root, va, ACCESS_READ, true, &pa, NULL));
    CHECK(hosted_mmu_walk(pm->root, va, ACCESS_READ, false, &pa, NULL));
    CHECK(hosted_mmu_walk(pm->root, va, ACCESS_EXEC, true, &pa, NULL));
    CHECK(!hosted_mmu_walk(pm->root, va, ACCESS_EXEC, false, &pa, NULL));

    /* Take user access away in the leaf (x86 U/S, aarch64 AP[1]). */
    uint64_t *leaf = raw_entry(va, 3);
    REQUIRE(leaf != NULL);
    uint64_t saved = *leaf;
    *leaf &= is_x86() ? ~(1ull << 2) : ~(1ull << 6);
    CHECK(!hosted_mmu_walk(pm->root, va, ACCESS_READ, true, &pa, NULL));
    CHECK(hosted_mmu_walk(pm->root, va, ACCESS_READ, false, &pa, NULL));
    *leaf = saved;
    remove_all();
    teardown();
}

TEST(dirty_state)
{
    setup();
    uaddr_t rw = 0x50000, ro = 0x51000;
    paddr_t f = frame_new(0), g = frame_new(0);
    CHECK_EQ(pmap_enter(pm, rw, f, PMAP_READ | PMAP_WRITE), 0);
    CHECK_EQ(pmap_enter(pm, ro, g, PMAP_READ), 0);
    CHECK(!pmap_is_dirty(pm, ro));
    CHECK(!pmap_is_dirty(pm, 0x52000));
    CHECK(hosted_mmu_probe(&sp, ro, ACCESS_READ, NULL));
    CHECK(!pmap_is_dirty(pm, ro));
    if (is_x86()) {
        /* Hardware A/D: A on every level walked, D on a write only. */
        CHECK(!pmap_is_dirty(pm, rw));
        CHECK(hosted_mmu_probe(&sp, rw, ACCESS_READ, NULL));
        CHECK(!pmap_is_dirty(pm, rw));
        for (unsigned d = 0; d < 4; d++)
            CHECK(*raw_entry(rw, d) & (1u << 5));
        CHECK(!(*raw_entry(rw, 3) & (1u << 6)));
        /* A write through the cached (clean) translation records D. */
        CHECK(hosted_mmu_probe(&sp, rw, ACCESS_WRITE, NULL));
        CHECK(*raw_entry(rw, 3) & (1u << 6));
    } else {
        /* No DBM: writable since entered counts as dirty; AF set at entry. */
        CHECK(*raw_entry(rw, 3) & (1u << 10));
        CHECK(hosted_mmu_probe(&sp, rw, ACCESS_WRITE, NULL));
    }
    CHECK(pmap_is_dirty(pm, rw));
    /* Kept through write-protection and PROT_NONE, and re-entering the
     * same frame. */
    pmap_protect(pm, rw, rw + PAGE_SIZE, PMAP_READ);
    CHECK(pmap_is_dirty(pm, rw));
    pmap_protect(pm, rw, rw + PAGE_SIZE, 0);
    CHECK(pmap_is_dirty(pm, rw));
    CHECK_EQ(pmap_enter(pm, rw, f, PMAP_READ), 0);
    CHECK(pmap_is_dirty(pm, rw));
    /* A different frame starts clean. */
    CHECK_EQ(pmap_enter(pm, rw, g, PMAP_READ), 0);
    frame_ref(g);
    frame_unref(f);
    CHECK(!pmap_is_dirty(pm, rw));
    remove_all();
    teardown();
}

TEST(bad_arguments_change_nothing)
{
    setup();
    uaddr_t top = pmap_user_top();
    paddr_t f = frame_new(0);
    CHECK_EQ(pmap_enter(pm, top, f, PMAP_READ), -EINVAL);
    CHECK_EQ(pmap_enter(pm, UINT64_MAX & PAGE_MASK, f, PMAP_READ), -EINVAL);
    CHECK_EQ(pmap_enter(pm, 0x1001, f, PMAP_READ), -EINVAL);
    CHECK_EQ(pmap_enter(pm, 0x1000, f + 8, PMAP_READ), -EINVAL);
    CHECK_EQ(pmap_enter(pm, 0x1000, 1ull << 60, PMAP_READ), -EINVAL);
    CHECK_EQ(pmap_enter(pm, 0x1000, f, 8), -EINVAL);
    CHECK_EQ(pm->table_pages, 1);
    CHECK_EQ(pmap_enter(pm, top - PAGE_SIZE, f, PMAP_READ), 0);
    unsigned n = 0;
    pmap_remove(pm, top, UINT64_MAX & PAGE_MASK, unref_leaf, &n);
    pmap_remove(pm, 0x1001, top, unref_leaf, &n);
    pmap_remove(pm, top - PAGE_SIZE, 0, unref_leaf, &n);
    CHECK_EQ(n, 0);
    pmap_protect(pm, top, top + PAGE_SIZE, 0);
    pmap_protect(pm, 0, top, 0x10);
    unsigned prot = 0;
    CHECK(pmap_extract(pm, top - PAGE_SIZE, NULL, &prot));
    CHECK_EQ(prot, PMAP_READ);
    CHECK(!pmap_extract(pm, top, NULL, NULL));
    CHECK(!pmap_extract(pm, UINT64_MAX, NULL, NULL));
    CHECK(!pmap_is_dirty(pm, UINT64_MAX));
    /* An end past the top is clamped: the real leaves below it go. */
    pmap_remove(pm, top - PAGE_SIZE, UINT64_MAX & PAGE_MASK, unref_leaf, &n);
    CHECK_EQ(n, 1);
    CHECK_EQ(pm->table_pages, 1);
    teardown();
}

TEST(destroy_with_leaf_panics)
{
    setup();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(2);
        pmap_enter(pm, 0x1000, frame_new(0), PMAP_READ);
        pmap_destroy(pm);
        _exit(0);
    }
    REQUIRE(pid > 0);
    int status = 0;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    teardown();
}

/* ---- the walkers' own rules, on raw entries ---- */

static bool user_ok(uaddr_t va, unsigned access)
{
    paddr_t pa;
    return hosted_mmu_walk(pm->root, va, access, true, &pa, NULL);
}

TEST(mmu_x86_intermediate_bits_and_reserved)
{
    if (!is_x86())
        return;
    setup();
    uaddr_t va = 0x40201000;
    CHECK_EQ(pmap_enter(pm, va, frame_new(0), PMAP_READ | PMAP_WRITE | PMAP_EXEC), 0);
    CHECK(user_ok(va, ACCESS_READ | ACCESS_WRITE | ACCESS_EXEC));
    for (unsigned d = 0; d < 3; d++) {
        uint64_t *e = raw_entry(va, d), saved = *e;
        *e &= ~(1ull << 2); /* U/S clear above the leaf */
        CHECK(!user_ok(va, ACCESS_READ));
        *e = saved & ~(1ull << 1); /* R/W clear above the leaf */
        CHECK(user_ok(va, ACCESS_READ));
        CHECK(!user_ok(va, ACCESS_WRITE));
        *e = saved | (1ull << 63); /* XD above the leaf */
        CHECK(user_ok(va, ACCESS_READ));
        CHECK(!user_ok(va, ACCESS_EXEC));
        *e = saved | (1ull << 50); /* above MAXPHYADDR: reserved */
        CHECK(!user_ok(va, ACCESS_READ));
        *e = saved & ~1ull;
        CHECK(!user_ok(va, ACCESS_READ));
        *e = saved;
    }
    uint64_t *leaf = raw_entry(va, 3), saved = *leaf;
    *leaf |= 1ull << 48;
    CHECK(!user_ok(va, ACCESS_READ));
    *leaf = saved;
    *raw_entry(va, 0) |= 1ull << 7; /* PS in a PML4 entry is reserved */
    CHECK(!user_ok(va, ACCESS_READ));
    *raw_entry(va, 0) &= ~(1ull << 7);
    CHECK(user_ok(va, ACCESS_READ));
    CHECK(!user_ok(va | 0x0000800000000000ull, ACCESS_READ)); /* non-canonical */
    remove_all();
    teardown();
}

TEST(mmu_aarch64_table_attributes_and_descriptors)
{
    if (is_x86())
        return;
    setup();
    uaddr_t va = 0x40201000;
    CHECK_EQ(pmap_enter(pm, va, frame_new(0), PMAP_READ | PMAP_WRITE | PMAP_EXEC), 0);
    CHECK(user_ok(va, ACCESS_READ | ACCESS_WRITE | ACCESS_EXEC));
    paddr_t pa;
    for (unsigned d = 0; d < 3; d++) {
        uint64_t *e = raw_entry(va, d), saved = *e;
        *e |= 1ull << 61; /* APTable[0]: no EL0 access below */
        CHECK(!user_ok(va, ACCESS_READ));
        CHECK(hosted_mmu_walk(pm->root, va, ACCESS_READ, false, &pa, NULL));
        *e = saved | (1ull << 62); /* APTable[1]: read-only below */
        CHECK(user_ok(va, ACCESS_READ));
        CHECK(!user_ok(va, ACCESS_WRITE));
        *e = saved | (1ull << 60); /* UXNTable */
        CHECK(user_ok(va, ACCESS_READ));
        CHECK(!user_ok(va, ACCESS_EXEC));
        *e = saved & ~1ull;
        CHECK(!user_ok(va, ACCESS_READ));
        *e = saved;
    }
    /* A level-0 block does not exist with a 4 KiB granule. */
    uint64_t *l0 = raw_entry(va, 0), s0 = *l0;
    *l0 &= ~2ull;
    CHECK(!user_ok(va, ACCESS_READ));
    *l0 = s0;
    uint64_t *leaf = raw_entry(va, 3), saved = *leaf;
    *leaf &= ~2ull; /* 0b01 at level 3 is reserved */
    CHECK(!user_ok(va, ACCESS_READ));
    *leaf = saved | (1ull << 48); /* above the 48-bit output size */
    CHECK(!user_ok(va, ACCESS_READ));
    *leaf = saved & ~(1ull << 10); /* AF clear: the hardware sets it */
    CHECK(user_ok(va, ACCESS_READ));
    CHECK(*leaf & (1ull << 10));
    /* DBM: a read-only descriptor the hardware makes writable on write. */
    *leaf = saved | (1ull << 7) | (1ull << 51);
    CHECK(user_ok(va, ACCESS_READ));
    CHECK(*leaf & (1ull << 7));
    CHECK(user_ok(va, ACCESS_WRITE));
    CHECK(!(*leaf & (1ull << 7)));
    /* EL0 execute-only: AP[1] clear, UXN clear. */
    *leaf = saved & ~(1ull << 6);
    CHECK(!user_ok(va, ACCESS_READ));
    CHECK(user_ok(va, ACCESS_EXEC));
    *leaf = saved;
    CHECK(!user_ok(va | (1ull << 48), ACCESS_READ)); /* TTBR1 half */
    remove_all();
    teardown();
}

/* ---- ordering of writes, invalidations and frees ---- */

static uint64_t *hook_leaf;          /* the raw leaf the hook looks at */
static paddr_t hook_table;           /* a table page the hook checks is still in use */
static unsigned hook_calls, hook_bad;
static uint64_t hook_seen;

static void hook_record_leaf(const struct pmap *p, uaddr_t va, bool all)
{
    (void)p;
    (void)va;
    (void)all;
    hook_calls++;
    hook_seen = *hook_leaf;
}

static void hook_table_alive(const struct pmap *p, uaddr_t va, bool all)
{
    (void)p;
    (void)va;
    (void)all;
    hook_calls++;
    if (frame_refcount(hook_table) != 1)
        hook_bad++;
}

TEST(replace_breaks_before_make)
{
    setup();
    uaddr_t va = 0x44000;
    paddr_t a = frame_new(0xa), b = frame_new(0xb);
    CHECK_EQ(pmap_enter(pm, va, a, PMAP_READ | PMAP_WRITE), 0);
    hook_leaf = raw_entry(va, 3);
    REQUIRE(hook_leaf != NULL);
    uint64_t publishes = hosted_pte_publishes;
    hook_calls = 0;
    hosted_tlb_flush_hook = hook_record_leaf;
    CHECK_EQ(pmap_enter(pm, va, b, PMAP_READ | PMAP_WRITE), 0);
    CHECK_EQ(hook_calls, 1);
    /* aarch64: the old descriptor was invalid when the TLB was flushed and
     * the new one is written only after. x86-64 needs no break. */
    if (!is_x86())
        CHECK(!(hook_seen & 1));
    CHECK(hosted_pte_publishes > publishes);
    /* A permission change of the same frame flushes, with no break. */
    hook_calls = 0;
    publishes = hosted_pte_publishes;
    CHECK_EQ(pmap_enter(pm, va, b, PMAP_READ), 0);
    CHECK_EQ(hook_calls, 1);
    CHECK(hosted_pte_publishes > publishes);
    /* Over a PROT_NONE leaf nothing was cached: no flush needed. */
    pmap_protect(pm, va, va + PAGE_SIZE, 0);
    hook_calls = 0;
    CHECK_EQ(pmap_enter(pm, va, a, PMAP_READ), 0);
    CHECK_EQ(hook_calls, 0);
    hosted_tlb_flush_hook = NULL;
    CHECK_EQ(mmu_read_byte(va), 0xa);
    frame_unref(b);
    remove_all();
    teardown();
}

static void table_free_case(unsigned npages)
{
    setup();
    uaddr_t va = 0x7fe00000;
    for (unsigned i = 0; i < npages; i++)
        CHECK_EQ(pmap_enter(pm, va + i * PAGE_SIZE, frame_new(0), PMAP_READ), 0);
    CHECK_EQ(mmu_read_byte(va), 0);
    hook_table = *raw_entry(va, 2) & raw_addr_mask();
    hook_calls = hook_bad = 0;
    hosted_tlb_flush_hook = hook_table_alive;
    pmap_remove(pm, va, va + npages * PAGE_SIZE, unref_leaf, NULL);
    hosted_tlb_flush_hook = NULL;
    CHECK(hook_calls >= 2); /* the leaves, then the freed tables */
    CHECK_EQ(hook_bad, 0);
    CHECK_EQ(frame_refcount(hook_table), 0);
    CHECK_EQ(pm->table_pages, 1);
    teardown();
}

/* Table pages are freed only after the flush that follows their unlinking
 * (a walk cache may still hold the path through them). */
TEST(tables_freed_after_flush_one_page) { table_free_case(1); }
TEST(tables_freed_after_flush_many_pages) { table_free_case(200); }

/* ---- the hosted machine itself ---- */

TEST(hosted_failure_injection_counts_and_fails)
{
    hosted_machine_init(64);
    CHECK(hosted_phys_base() != 0);
    CHECK_EQ(hosted_alloc_count(MM_ALLOC_FRAME), 0);
    paddr_t pa[4];
    hosted_fail_nth(MM_ALLOC_FRAME, 2, false);
    CHECK_EQ(frame_alloc(&pa[0], MM_ALLOC_FRAME), 0);
    CHECK_EQ(frame_alloc(&pa[1], MM_ALLOC_FRAME), -ENOMEM);
    CHECK_EQ(frame_alloc(&pa[1], MM_ALLOC_FRAME), 0);
    CHECK_EQ(hosted_alloc_count(MM_ALLOC_FRAME), 3);
    CHECK_EQ(hosted_alloc_count(MM_ALLOC_TABLE), 0);
    hosted_fail_nth(MM_ALLOC_FRAME, 1, true);
    CHECK_EQ(frame_alloc(&pa[2], MM_ALLOC_FRAME), -ENOMEM);
    CHECK_EQ(frame_alloc(&pa[2], MM_ALLOC_FRAME), -ENOMEM);
    CHECK_EQ(frame_alloc(&pa[2], MM_ALLOC_TABLE), 0); /* other sites unaffected */
    hosted_fail_nth(MM_ALLOC_FRAME, 0, false);
    CHECK_EQ(frame_alloc(&pa[3], MM_ALLOC_FRAME), 0);
    CHECK(pa[0] >= hosted_phys_base());
    for (unsigned i = 0; i < 4; i++)
        frame_unref(pa[i]);
    /* A new machine starts over. */
    hosted_machine_init(64);
    CHECK_EQ(hosted_alloc_count(MM_ALLOC_FRAME), 0);
    CHECK_EQ(frame_alloc(&pa[0], MM_ALLOC_FRAME), 0);
    struct hosted_stats st;
    hosted_stats_get(&st);
    CHECK_EQ(st.walks + st.flush_page + st.flush_all + st.faults, 0);
    hosted_machine_fini();
}

TEST(hosted_phys_to_virt_rejects_foreign_addresses)
{
    hosted_machine_init(64);
    CHECK(platform_virt_to_phys(platform_phys_to_virt(hosted_phys_base() + 0x1234)) ==
          hosted_phys_base() + 0x1234);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(2);
        platform_phys_to_virt(hosted_phys_base() + 65 * PAGE_SIZE);
        _exit(0);
    }
    REQUIRE(pid > 0);
    int status = 0;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    hosted_machine_fini();
}

/* The number of non-zero entries of the table holding the entry at depth
 * for va, counted from the raw table. */
static uint32_t raw_live(uaddr_t va, unsigned depth)
{
    uint64_t *slot = raw_entry(va, depth);
    uint64_t *t = (uint64_t *)((uintptr_t)slot & ~(uintptr_t)(PAGE_SIZE - 1));
    uint32_t n = 0;
    for (unsigned i = 0; i < 512; i++)
        n += t[i] != 0;
    return n;
}

static paddr_t raw_table_of(uaddr_t va, unsigned depth)
{
    return platform_virt_to_phys(raw_entry(va, depth)) & ~(paddr_t)(PAGE_SIZE - 1);
}

TEST(table_live_counts_follow_entries)
{
    uint64_t before = setup();
    /* Leaves at both ends of one leaf table and in the next table, so an
     * emptiness check that stopped at the first entry would be wrong. */
    const uaddr_t base = 0x40000000;
    const uaddr_t va[] = {base, base + 511 * PAGE_SIZE, base + 0x200000 + 511 * PAGE_SIZE};
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ(pmap_enter(pm, va[i], frame_new((int)i), PMAP_READ), 0);
    /* Re-entering a leaf does not count it twice; PROT_NONE still counts. */
    paddr_t pa;
    CHECK(pmap_extract(pm, va[0], &pa, NULL));
    CHECK_EQ(pmap_enter(pm, va[0], pa, 0), 0);
    for (unsigned d = 0; d <= 3; d++)
        for (unsigned i = 0; i < 3; i++)
            CHECK_EQ(frame_table_live(raw_table_of(va[i], d)), raw_live(va[i], d));
    CHECK_EQ(frame_table_live(raw_table_of(va[0], 3)), 2);
    CHECK_EQ(frame_table_live(raw_table_of(va[0], 2)), 2);
    uint32_t tables = pm->table_pages;

    /* The first leaf goes: its table stays, holding the last one. */
    pmap_remove(pm, va[0], va[0] + PAGE_SIZE, unref_leaf, NULL);
    CHECK_EQ(pm->table_pages, tables);
    CHECK_EQ(frame_table_live(raw_table_of(va[1], 3)), 1);
    /* The last one goes: the table is freed and unlinked. */
    pmap_remove(pm, va[1], va[1] + PAGE_SIZE, unref_leaf, NULL);
    CHECK_EQ(pm->table_pages, tables - 1);
    CHECK(raw_entry(va[1], 3) == NULL);
    CHECK_EQ(frame_table_live(raw_table_of(va[2], 2)), 1);
    CHECK(pmap_extract(pm, va[2], NULL, NULL));
    remove_all();
    CHECK_EQ(frame_table_live(pm->root), 0);
    pmap_destroy(pm);
    CHECK_EQ(frame_free_count(), before);
    teardown();
}

TEST(copy_write_protects_and_shares_frames)
{
    uint64_t before = setup();
    /* The zero page, allocated once and kept for good. */
    paddr_t zero;
    REQUIRE(frame_zero_page(&zero) == 0);
    before--;
    struct space child_sp;
    memset(&child_sp, 0, sizeof(child_sp));
    struct pmap *child = &child_sp.pmap;
    REQUIRE(pmap_create(child) == 0);
    child_sp.top = pmap_user_top();

    const unsigned rw = PMAP_READ | PMAP_WRITE;
    const uaddr_t va[] = {0x10000, 0x11000, 0x400000, 0x7000000000};
    const unsigned prot[] = {rw, PMAP_READ, 0, rw | PMAP_EXEC};
    paddr_t pa[4];
    for (unsigned i = 0; i < 4; i++) {
        pa[i] = frame_new(0x10 + (int)i);
        CHECK_EQ(pmap_enter(pm, va[i], pa[i], prot[i]), 0);
        CHECK_EQ(mmu_read_byte(va[i]), prot[i] ? 0x10 + (int)i : -1);
    }
    /* Outside the copied range: not copied, not protected. */
    paddr_t outside = frame_new(0x20);
    CHECK_EQ(pmap_enter(pm, 0x8000000000, outside, rw), 0);

    uint64_t copied = 0;
    CHECK_EQ(pmap_copy(child, pm, 0, 0x8000000000, true, &copied), 0);
    CHECK_EQ(copied, 4);
    for (unsigned i = 0; i < 4; i++) {
        unsigned want = prot_reported(prot[i] & ~(unsigned)PMAP_WRITE);
        paddr_t cpa, ppa;
        unsigned cprot, pprot;
        CHECK(pmap_extract(child, va[i], &cpa, &cprot));
        CHECK(pmap_extract(pm, va[i], &ppa, &pprot));
        CHECK(cpa == pa[i] && ppa == pa[i]);
        CHECK_EQ(cprot, want);
        CHECK_EQ(pprot, want);
        CHECK_EQ(frame_refcount(pa[i]), 2);
        /* The parent's stale writable translation is gone. */
        paddr_t probe;
        CHECK(!hosted_mmu_probe(&sp, va[i], ACCESS_WRITE, &probe));
    }
    CHECK(!pmap_extract(child, 0x8000000000, NULL, NULL));
    unsigned oprot;
    CHECK(pmap_extract(pm, 0x8000000000, NULL, &oprot) && (oprot & PMAP_WRITE));
    /* root, then PDPT, PD, PT for 0x10000; a PT for 0x400000; PD and PT
     * for 0x7000000000 (under the same root entry). */
    CHECK_EQ(child->table_pages, 1 + 3 + 1 + 2);
    CHECK_EQ(frame_table_live(raw_table_of(va[0], 3)), 2);

    /* Without wrprotect the source keeps write permission. */
    struct space child2_sp;
    memset(&child2_sp, 0, sizeof(child2_sp));
    REQUIRE(pmap_create(&child2_sp.pmap) == 0);
    CHECK_EQ(pmap_copy(&child2_sp.pmap, pm, 0x8000000000, 0x8000001000, false, &copied), 0);
    CHECK_EQ(copied, 1);
    CHECK(pmap_extract(&child2_sp.pmap, 0x8000000000, NULL, &oprot) && oprot == rw);
    CHECK(pmap_extract(pm, 0x8000000000, NULL, &oprot) && (oprot & PMAP_WRITE));
    CHECK_EQ(frame_refcount(outside), 2);
    /* The zero page is shared without a reference. */
    CHECK_EQ(pmap_enter(pm, 0x9000000000, zero, PMAP_READ), 0);
    uint32_t zrefs = frame_refcount(zero);
    CHECK_EQ(pmap_copy(&child2_sp.pmap, pm, 0x9000000000, 0x9000001000, true, &copied), 0);
    CHECK_EQ(copied, 1);
    CHECK_EQ(frame_refcount(zero), zrefs);
    pmap_remove(pm, 0x9000000000, 0x9000001000, NULL, NULL);
    pmap_remove(&child2_sp.pmap, 0x9000000000, 0x9000001000, NULL, NULL);

    pmap_remove(child, 0, pmap_user_top(), unref_leaf, NULL);
    pmap_remove(&child2_sp.pmap, 0, pmap_user_top(), unref_leaf, NULL);
    pmap_destroy(child);
    pmap_destroy(&child2_sp.pmap);
    remove_all();
    pmap_destroy(pm);
    CHECK_EQ(frame_free_count(), before);
    teardown();
}

TEST(copy_fails_cleanly_without_memory)
{
    setup();
    struct space child_sp;
    memset(&child_sp, 0, sizeof(child_sp));
    REQUIRE(pmap_create(&child_sp.pmap) == 0);
    paddr_t pa = frame_new(1);
    CHECK_EQ(pmap_enter(pm, 0x1000, pa, PMAP_READ | PMAP_WRITE), 0);
    /* Take every free frame so that the child's tables cannot be made. */
    paddr_t hog;
    unsigned taken = 0;
    paddr_t held[MACHINE_PAGES];
    while (frame_alloc(&hog, MM_ALLOC_TABLE) == 0)
        held[taken++] = hog;
    uint64_t copied = 99;
    CHECK_EQ(pmap_copy(&child_sp.pmap, pm, 0, 0x200000, true, &copied), -ENOMEM);
    CHECK_EQ(copied, 0);
    CHECK_EQ(child_sp.pmap.table_pages, 1);
    CHECK_EQ(frame_refcount(pa), 1);
    while (taken)
        frame_unref(held[--taken]);
    pmap_destroy(&child_sp.pmap);
    remove_all();
    teardown();
}

TEST(clear_removes_everything_in_one_pass)
{
    uint64_t before = setup();
    const uaddr_t va[] = {0x1000, 0x200000, 1ull << 39, pmap_user_top() - PAGE_SIZE};
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(pmap_enter(pm, va[i], frame_new((int)i), i == 1 ? 0 : PMAP_READ | PMAP_WRITE), 0);
    CHECK_EQ(mmu_read_byte(va[0]), 0);
    struct hosted_stats st0, st1;
    hosted_stats_get(&st0);
    unsigned calls = 0;
    pmap_clear(pm, unref_leaf, &calls);
    hosted_stats_get(&st1);
    CHECK_EQ(calls, 4);
    CHECK_EQ(pm->table_pages, 1);
    CHECK_EQ(frame_table_live(pm->root), 0);
    CHECK(st1.flush_all > st0.flush_all);
    CHECK_EQ(mmu_read_byte(va[0]), -1);
    CHECK_EQ(frame_free_count(), before - 1);
    teardown();
}
