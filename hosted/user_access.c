/* hosted/user_access.c — user-mode memory accesses on the simulated
 * machine (hosted_user_read/write/exec, hosted_mmu_probe): each page is
 * translated as a CPU would, through the TLB and then the page-table
 * walker, and a failed translation traps into space_fault() the way a page
 * fault would, then retries the access. */
#include <hosted/hosted.h>
#include <hosted/mmu.h>

#include <stdio.h>
#include <string.h>

/* A fault space_fault() reports resolved whose access still fails this many
 * times means mm/ claims success without fixing the table. */
#define USER_ACCESS_MAX_RETRIES 2

static unsigned access_perm(unsigned access)
{
    return ((access & ACCESS_READ) ? PMAP_READ : 0) | ((access & ACCESS_WRITE) ? PMAP_WRITE : 0) |
           ((access & ACCESS_EXEC) ? PMAP_EXEC : 0);
}

/* Translate va for a user access. On a TLB hit that allows the access the
 * page table is not read (a stale entry is used as it is). A hit that does
 * not allow it faults and drops the entry, as a page fault does on x86-64
 * (and as an aarch64 fault leaves no entry to hit). A write through an
 * entry without the dirty state walks again, as the hardware must to
 * record it. A miss walks and caches the result. */
static bool mmu_translate(const struct space *s, uaddr_t va, unsigned access, paddr_t *pa)
{
    paddr_t root = s->pmap.root, frame;
    unsigned need = access_perm(access), perm;

    if (hosted_tlb_lookup(root, va, &frame, &perm)) {
        if ((perm & need) != need) {
            hosted_stat.tlb_hits++;
            hosted_tlb_drop(root, va);
            return false;
        }
        if (!(access & ACCESS_WRITE) || (perm & HOSTED_PERM_DIRTY)) {
            hosted_stat.tlb_hits++;
            *pa = frame | (va & (PAGE_SIZE - 1));
            return true;
        }
    }
    hosted_stat.tlb_misses++;
    hosted_stat.walks++;
    if (!hosted_mmu_walk(root, va, access, true, pa, &perm)) {
        hosted_tlb_drop(root, va);
        return false;
    }
    hosted_tlb_fill(root, va, *pa & PAGE_MASK, perm);
    return true;
}

/* Translate one page for access, trapping into mm/ until it succeeds or
 * mm/ gives up. Returns FAULT_OK with *pa set, or the fault. */
static enum fault_result user_page(struct space *s, uaddr_t va, unsigned access, paddr_t *pa)
{
    for (unsigned retries = 0;; retries++) {
        if (mmu_translate(s, va, access, pa))
            return FAULT_OK;
        hosted_stat.faults++;
        if (retries >= USER_ACCESS_MAX_RETRIES) {
            char msg[128];
            snprintf(msg, sizeof(msg),
                     "hosted user access: space_fault resolved 0x%llx (access %u) but the "
                     "access still faults",
                     (unsigned long long)va, access);
            platform_panic(msg);
        }
        enum fault_result r = space_fault(s, va, access, true);
        if (r != FAULT_OK)
            return r;
    }
}

/* Walk [va, va + len) page by page, copying through each translated page.
 * buf_in is the source of a write, buf_out the destination of a read;
 * neither for an exec fetch. */
static struct hosted_fault user_access(struct space *s, uaddr_t va, uint64_t len, unsigned access,
                                       void *buf_out, const void *buf_in)
{
    struct hosted_fault f = {FAULT_OK, 0};
    uint64_t done = 0;

    while (done < len) {
        uaddr_t cur = va + done;
        if (cur < va) { /* the range wraps past 2^64 */
            f.result = FAULT_SEGV_MAPERR;
            f.addr = cur;
            return f;
        }
        uint64_t chunk = MM_MIN(len - done, PAGE_SIZE - (cur & (PAGE_SIZE - 1)));
        paddr_t pa;
        enum fault_result r = user_page(s, cur, access, &pa);
        if (r != FAULT_OK) {
            f.result = r;
            f.addr = cur;
            return f;
        }
        if (buf_out)
            memcpy((unsigned char *)buf_out + done, platform_phys_to_virt(pa), chunk);
        else if (buf_in)
            memcpy(platform_phys_to_virt(pa), (const unsigned char *)buf_in + done, chunk);
        done += chunk;
    }
    return f;
}

/* Contract: see hosted.h. */
struct hosted_fault hosted_user_read(struct space *s, uaddr_t va, void *buf, uint64_t len)
{
    return user_access(s, va, len, ACCESS_READ, buf, NULL);
}

/* Contract: see hosted.h. */
struct hosted_fault hosted_user_write(struct space *s, uaddr_t va, const void *buf, uint64_t len)
{
    return user_access(s, va, len, ACCESS_WRITE, NULL, buf);
}

/* Contract: see hosted.h. */
struct hosted_fault hosted_user_exec(struct space *s, uaddr_t va, uint64_t len)
{
    return user_access(s, va, len, ACCESS_EXEC, NULL, NULL);
}

/* Contract: see hosted.h. A successful probe fills the TLB and sets the
 * accessed/dirty state, as the access itself would. */
bool hosted_mmu_probe(struct space *s, uaddr_t va, unsigned access, paddr_t *pa)
{
    paddr_t p;
    if (!mmu_translate(s, va, access, &p))
        return false;
    if (pa)
        *pa = p;
    return true;
}
