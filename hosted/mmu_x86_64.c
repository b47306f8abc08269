/* hosted/mmu_x86_64.c — the simulated x86-64 MMU: a 4-level page walk as
 * the processor performs it, reading raw entries from simulated memory. It
 * shares nothing with arch/x86_64/pmap.c on purpose: it checks that code's
 * entries against the hardware's rules, not against itself.
 *
 * The modelled processor: 4-level paging, EFER.NXE = 1, CR0.WP = 1,
 * CR4.SMEP = 1, CR4.SMAP = 0, CR4.PKE = 0, MAXPHYADDR = 46. 1 GiB and
 * 2 MiB pages are translated (the hardware would), though mm/ never makes
 * them. Entry bits used here (see arch/x86_64/pmap.c for the full picture):
 *   0 P   1 R/W   2 U/S   5 A   6 D   7 PS   12.. frame   63 XD
 * Rules: P must be set at every level; a user access needs U/S at every
 * level; a write needs R/W at every level (for the kernel too, CR0.WP);
 * an instruction fetch needs XD clear at every level, and a kernel fetch
 * from a page user mode may access faults (SMEP). A reserved bit set in a
 * present entry (address bits above MAXPHYADDR, PS in a PML4 entry, the
 * low address bits of a large page) faults. A successful walk sets A in
 * every entry it used and, for a write, D in the leaf. */
#include <hosted/mmu.h>

#define X86_P ((uint64_t)1 << 0)
#define X86_RW ((uint64_t)1 << 1)
#define X86_US ((uint64_t)1 << 2)
#define X86_A ((uint64_t)1 << 5)
#define X86_D ((uint64_t)1 << 6)
#define X86_PS ((uint64_t)1 << 7)
#define X86_XD ((uint64_t)1 << 63)
#define X86_MAXPHYADDR 46
#define X86_ADDR_MASK ((((uint64_t)1 << X86_MAXPHYADDR) - 1) & ~(uint64_t)0xfff)
/* Bits 51:MAXPHYADDR must be zero in every present entry. */
#define X86_RSVD_HIGH ((((uint64_t)1 << 52) - 1) & ~(((uint64_t)1 << X86_MAXPHYADDR) - 1))

const char *hosted_mmu_arch(void) { return "x86_64"; }

/* Low bits of a large page's frame field that must be zero: bit 12 is PAT,
 * bits 13..(page shift - 1) are reserved. */
static uint64_t x86_large_rsvd(unsigned level)
{
    unsigned shift = PAGE_SHIFT + 9 * (level - 1);
    return (((uint64_t)1 << shift) - 1) & ~(uint64_t)0x1fff;
}

static bool x86_canonical(uaddr_t va)
{
    uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

bool hosted_mmu_walk(paddr_t root, uaddr_t va, unsigned access, bool user, paddr_t *pa,
                     unsigned *perm)
{
    uint64_t *used[4];
    unsigned nused = 0;
    bool all_us = true, all_rw = true, any_xd = false;
    paddr_t table = root & X86_ADDR_MASK;
    uint64_t *leaf = NULL;
    unsigned level;

    if (perm)
        *perm = 0;
    if (!x86_canonical(va))
        return false; /* #GP on hardware; a fault all the same */

    for (level = 4; level >= 1; level--) {
        unsigned idx = (unsigned)(va >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
        uint64_t *slot = (uint64_t *)platform_phys_to_virt(table) + idx;
        uint64_t e = *slot;

        if (!(e & X86_P))
            return false;
        if (e & X86_RSVD_HIGH)
            return false;
        if (level == 4 && (e & X86_PS))
            return false;
        used[nused++] = slot;
        all_us = all_us && (e & X86_US);
        all_rw = all_rw && (e & X86_RW);
        any_xd = any_xd || (e & X86_XD);
        if (level == 1 || ((level == 2 || level == 3) && (e & X86_PS))) {
            if (level > 1 && (e & x86_large_rsvd(level)))
                return false;
            leaf = slot;
            break;
        }
        table = e & X86_ADDR_MASK;
    }

    uint64_t e = *leaf;
    uint64_t page_bytes = (uint64_t)1 << (PAGE_SHIFT + 9 * (level - 1));
    unsigned granted;
    if (user)
        granted = all_us ? (PMAP_READ | (all_rw ? PMAP_WRITE : 0) | (any_xd ? 0 : PMAP_EXEC)) : 0;
    else
        granted = PMAP_READ | (all_rw ? PMAP_WRITE : 0) | (any_xd || all_us ? 0 : PMAP_EXEC);
    if ((e & X86_D) && (granted & PMAP_WRITE))
        granted |= HOSTED_PERM_DIRTY;
    if (perm)
        *perm = granted;

    if (((access & ACCESS_READ) && !(granted & PMAP_READ)) ||
        ((access & ACCESS_WRITE) && !(granted & PMAP_WRITE)) ||
        ((access & ACCESS_EXEC) && !(granted & PMAP_EXEC)))
        return false;

    for (unsigned i = 0; i < nused; i++)
        *used[i] |= X86_A;
    if (access & ACCESS_WRITE) {
        *leaf |= X86_D;
        if (perm)
            *perm |= HOSTED_PERM_DIRTY;
    }
    *pa = (e & X86_ADDR_MASK & ~(page_bytes - 1)) | (va & (page_bytes - 1));
    return true;
}
