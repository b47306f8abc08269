/* hosted/mmu_aarch64.c — the simulated aarch64 MMU: a VMSAv8-64 stage 1
 * translation from TTBR0_EL1 as the processor performs it, reading raw
 * descriptors from simulated memory. It shares nothing with
 * arch/aarch64/pmap.c on purpose: it checks that code's descriptors against
 * the architecture's rules, not against itself.
 *
 * The modelled processor: 4 KiB granule, T0SZ = 16 (48-bit VA, walk starts
 * at level 0), 48-bit physical addresses, TBI0 = 0, FEAT_HAFDBS with
 * TCR_EL1.HA = 1 and HD = 1 (the hardware sets AF and, for a DBM page,
 * clears AP[2] on the first write), PAN = 0, WXN = 0. Descriptor bits used
 * here (see arch/aarch64/pmap.c for the full picture):
 *   1:0 type (0b11 table at levels 0-2 and page at level 3, 0b01 block at
 *   levels 1-2, bit 0 clear: invalid), 6 AP[1] (EL0 access), 7 AP[2]
 *   (read-only), 10 AF, 47:12 address, 51 DBM, 53 PXN, 54 UXN; in a table
 *   descriptor 59 PXNTable, 60 UXNTable, 61 APTable[0] (no EL0 access
 *   below), 62 APTable[1] (no writes below).
 * Rules: an invalid descriptor, a block at level 0 or 0b01 at level 3 is a
 * translation fault; bits 49:48 set (above the 48-bit output size) are an
 * address size fault. EL0 reads and writes need AP[1] and no APTable[0];
 * writes need AP[2] clear (or DBM, which the hardware then clears AP[2]
 * for) and no APTable[1]; EL0 fetch needs UXN and UXNTable clear (an EL0
 * execute-only page needs no AP[1]). EL1 may read every page, write those
 * with AP[2] clear, and fetch where PXN and PXNTable are clear and EL0
 * cannot write. */
#include <hosted/mmu.h>

#define A64_VALID ((uint64_t)1 << 0)
#define A64_TYPE_BIT ((uint64_t)1 << 1)
#define A64_AP_EL0 ((uint64_t)1 << 6)
#define A64_AP_RO ((uint64_t)1 << 7)
#define A64_AF ((uint64_t)1 << 10)
#define A64_DBM ((uint64_t)1 << 51)
#define A64_PXN ((uint64_t)1 << 53)
#define A64_UXN ((uint64_t)1 << 54)
#define A64_PXN_TABLE ((uint64_t)1 << 59)
#define A64_UXN_TABLE ((uint64_t)1 << 60)
#define A64_AP_TABLE_NO_EL0 ((uint64_t)1 << 61)
#define A64_AP_TABLE_RO ((uint64_t)1 << 62)
#define A64_OA_MASK ((uint64_t)0x0000fffffffff000)
#define A64_OA_RSVD ((uint64_t)3 << 48)

const char *hosted_mmu_arch(void) { return "aarch64"; }

bool hosted_mmu_walk(paddr_t root, uaddr_t va, unsigned access, bool user, paddr_t *pa,
                     unsigned *perm)
{
    bool no_el0 = false, no_write = false, no_uxn = false, no_pxn = false;
    paddr_t table = root & A64_OA_MASK;
    uint64_t *leaf = NULL;
    unsigned level;

    if (perm)
        *perm = 0;
    if (va >> 48)
        return false; /* a TTBR1 address, or a fault with TBI off */

    for (level = 0; level <= 3; level++) {
        unsigned idx = (unsigned)(va >> (39 - 9 * level)) & 511;
        uint64_t *slot = (uint64_t *)platform_phys_to_virt(table) + idx;
        uint64_t d = *slot;

        if (!(d & A64_VALID))
            return false;
        if (d & A64_OA_RSVD)
            return false;
        bool type11 = (d & A64_TYPE_BIT) != 0;
        if (level == 3) {
            if (!type11)
                return false; /* 0b01 at level 3 is reserved */
            leaf = slot;
            break;
        }
        if (!type11) {
            if (level == 0)
                return false; /* no level-0 blocks with a 4 KiB granule */
            leaf = slot;
            break;
        }
        no_el0 = no_el0 || (d & A64_AP_TABLE_NO_EL0);
        no_write = no_write || (d & A64_AP_TABLE_RO);
        no_uxn = no_uxn || (d & A64_UXN_TABLE);
        no_pxn = no_pxn || (d & A64_PXN_TABLE);
        table = d & A64_OA_MASK;
    }

    uint64_t d = *leaf;
    uint64_t page_bytes = (uint64_t)1 << (39 - 9 * level);
    bool el0_access = (d & A64_AP_EL0) && !no_el0;
    bool may_write = (!(d & A64_AP_RO) || (d & A64_DBM)) && !no_write;
    unsigned granted = 0;
    if (user) {
        if (el0_access)
            granted |= PMAP_READ | (may_write ? PMAP_WRITE : 0);
        if (!(d & A64_UXN) && !no_uxn)
            granted |= PMAP_EXEC;
    } else {
        bool el0_writes = el0_access && may_write;
        granted |= PMAP_READ | (may_write ? PMAP_WRITE : 0);
        if (!(d & A64_PXN) && !no_pxn && !el0_writes)
            granted |= PMAP_EXEC;
    }
    if ((granted & PMAP_WRITE) && !(d & A64_AP_RO))
        granted |= HOSTED_PERM_DIRTY;
    if (perm)
        *perm = granted;

    if (((access & ACCESS_READ) && !(granted & PMAP_READ)) ||
        ((access & ACCESS_WRITE) && !(granted & PMAP_WRITE)) ||
        ((access & ACCESS_EXEC) && !(granted & PMAP_EXEC)))
        return false;

    /* Hardware-managed flags: AF on any access, the dirty state (AP[2]
     * cleared in a DBM descriptor) on a write. */
    d |= A64_AF;
    if (access & ACCESS_WRITE) {
        d &= ~A64_AP_RO;
        if (perm)
            *perm |= HOSTED_PERM_DIRTY;
    }
    *leaf = d;
    *pa = (d & A64_OA_MASK & ~(page_bytes - 1)) | (va & (page_bytes - 1));
    return true;
}
