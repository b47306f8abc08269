/* hosted/tlb.c — the simulated machine's TLB, and the TLB half of
 * mm/platform.h (platform_tlb_flush_page/_all, platform_pte_publish).
 *
 * A set-associative cache of completed translations, tagged with the root
 * of the page table they came from (a different root is a different address
 * space, as an ASID or PCID would make it) and the virtual page number.
 * Like a real TLB it never looks at the page table again on a hit: an entry
 * stays until a flush drops it or a fill evicts it, so a translation mm/
 * changed without flushing keeps being used. It is large (1024 entries) so
 * that stale entries survive long enough for tests to notice them. */
#include <hosted/mmu.h>

#include <string.h>

#define TLB_SETS 256
#define TLB_WAYS 4

struct tlb_entry {
    bool valid;
    paddr_t root;
    uint64_t vpn;
    paddr_t frame;
    unsigned perm;  /* PMAP_* | HOSTED_PERM_DIRTY */
};

void (*hosted_tlb_flush_hook)(const struct pmap *pm, uaddr_t va, bool all);
uint64_t hosted_pte_publishes;

static struct tlb_entry tlb[TLB_SETS][TLB_WAYS];
static unsigned tlb_next_victim[TLB_SETS];

static unsigned tlb_set_of(paddr_t root, uint64_t vpn)
{
    uint64_t h = vpn ^ (root >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ull;
    return (unsigned)(h % TLB_SETS);
}

static struct tlb_entry *tlb_find(paddr_t root, uaddr_t va)
{
    uint64_t vpn = va >> PAGE_SHIFT;
    struct tlb_entry *set = tlb[tlb_set_of(root, vpn)];
    for (unsigned w = 0; w < TLB_WAYS; w++)
        if (set[w].valid && set[w].root == root && set[w].vpn == vpn)
            return &set[w];
    return NULL;
}

/* Returns true and the cached frame and permissions for va, or false. */
bool hosted_tlb_lookup(paddr_t root, uaddr_t va, paddr_t *frame, unsigned *perm)
{
    struct tlb_entry *e = tlb_find(root, va);
    if (!e)
        return false;
    *frame = e->frame;
    *perm = e->perm;
    return true;
}

/* Cache a translation, replacing an entry for the same page or evicting
 * one of its set round-robin. */
void hosted_tlb_fill(paddr_t root, uaddr_t va, paddr_t frame, unsigned perm)
{
    uint64_t vpn = va >> PAGE_SHIFT;
    unsigned s = tlb_set_of(root, vpn);
    struct tlb_entry *e = tlb_find(root, va);
    if (!e) {
        e = &tlb[s][tlb_next_victim[s]];
        tlb_next_victim[s] = (tlb_next_victim[s] + 1) % TLB_WAYS;
    }
    *e = (struct tlb_entry){.valid = true, .root = root, .vpn = vpn,
                            .frame = frame & PAGE_MASK, .perm = perm};
}

/* Forget the translation of va's page in the address space at root. */
void hosted_tlb_drop(paddr_t root, uaddr_t va)
{
    struct tlb_entry *e = tlb_find(root, va);
    if (e)
        e->valid = false;
}

/* Empty the TLB and clear the test hooks (a fresh machine). */
void hosted_tlb_reset(void)
{
    hosted_tlb_flush_hook = NULL;
    hosted_pte_publishes = 0;
    memset(tlb, 0, sizeof(tlb));
    memset(tlb_next_victim, 0, sizeof(tlb_next_victim));
}

/* Contract: see platform.h. Counted in hosted_stats.flush_page. */
void platform_tlb_flush_page(const struct pmap *pm, uaddr_t va)
{
    hosted_stat.flush_page++;
    if (hosted_tlb_flush_hook)
        hosted_tlb_flush_hook(pm, va, false);
    hosted_tlb_drop(pm->root, va);
}

/* Contract: see platform.h. Drops every entry tagged with pm's root;
 * counted in hosted_stats.flush_all. */
void platform_tlb_flush_all(const struct pmap *pm)
{
    hosted_stat.flush_all++;
    if (hosted_tlb_flush_hook)
        hosted_tlb_flush_hook(pm, 0, true);
    for (unsigned s = 0; s < TLB_SETS; s++)
        for (unsigned w = 0; w < TLB_WAYS; w++)
            if (tlb[s][w].root == pm->root)
                tlb[s][w].valid = false;
}

/* Contract: see platform.h. The simulated walker reads memory in program
 * order: nothing to order, only counted. */
void platform_pte_publish(const struct pmap *pm)
{
    (void)pm;
    hosted_pte_publishes++;
}

/* Contract: see platform.h. The simulated machine has no instruction
 * cache. */
void platform_icache_sync(paddr_t pa) { (void)pa; }
