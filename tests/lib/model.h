/* tests/lib/model.h — a naive, page-granular model of Linux's mmap, munmap
 * and mprotect for anonymous memory, used by randomized tests.
 *
 * The model covers a window of npages pages at base. It assumes one
 * PROT_NONE MAP_SHARED "fence" page just below the window and one just
 * above it (the test maps them; they never merge with anything), and that
 * nothing else exists outside the window: a mapping the model places
 * outside the window is reported but not recorded, and the caller unmaps it.
 *
 * Per page it keeps what Linux would: mapped or not, protection, shared or
 * private, the account and noreserve flags, the shared object and offset,
 * the private anonymous identity (Linux's anon_vma, given on the first
 * write), whether the page is populated, and its contents. VMA boundaries
 * are a per-page "a VMA starts here" bit, maintained by replaying Linux's
 * split and merge decisions, so the predicted VMA list includes the
 * history-dependent effects of identities. */
#ifndef TESTS_MODEL_H
#define TESTS_MODEL_H

#include <mm/types.h>
#include <stdbool.h>
#include <stdint.h>

#define MODEL_MAX_PAGES 256

enum model_kind { MODEL_READ, MODEL_WRITE, MODEL_EXEC };

/* What an access does: FAULT_OK (0), or a fault at addr. Values match
 * enum fault_result in mm/space.h. */
struct model_fault {
    int result;
    uaddr_t addr;
};

struct model_page {
    bool mapped;
    bool vstart;     /* a VMA starts at this page */
    bool present;    /* populated: a page-table leaf is expected */
    bool shared;
    bool account;    /* Linux VM_ACCOUNT */
    bool noreserve;  /* Linux VM_NORESERVE */
    uint8_t prot;    /* PROT_READ | PROT_WRITE | PROT_EXEC */
    uint32_t object; /* shared: the mapping's object (1, 2, ...) */
    uint64_t pgoff;  /* shared: page offset of this page in the object */
    uint32_t ident;  /* private: anonymous identity, 0 until written */
};

/* One predicted VMA, in pages relative to the window. */
struct model_vma {
    unsigned first, npages;
    struct model_page attr; /* the attributes of its first page */
};

struct model_config {
    uaddr_t base;           /* window start, page aligned */
    unsigned npages;        /* window size, at most MODEL_MAX_PAGES */
    uaddr_t top, min_addr, mmap_base;
    bool eager;             /* every page is populated when it is mapped */
    /* Linux 6.7 and later: mprotect removing PROT_WRITE from a private VMA
     * that was never written clears its account flag (mprotect_fixup).
     * Earlier kernels keep it. */
    bool unaccount_unfaulted;
};

struct model;

/* Asked on the first write to a private VMA [first, first + npages): which
 * identity the implementation gave it. linux_choice is the neighbour's
 * identity Linux would reuse (0: a new one). Return a neighbour's identity,
 * or 0 for a new one. NULL: always Linux's choice. */
typedef uint32_t (*model_ident_fn)(void *arg, const struct model *m, unsigned first,
                                   unsigned npages, uint32_t linux_choice);

struct model {
    struct model_config cfg;
    struct model_page page[MODEL_MAX_PAGES];
    uint8_t data[MODEL_MAX_PAGES][PAGE_SIZE];
    uint32_t next_object, next_ident;
    model_ident_fn ident_fn;
    void *ident_arg;
    char error[256];        /* set when the model's own bookkeeping goes wrong */
};

void model_init(struct model *m, const struct model_config *cfg);

/* The system calls. Each returns what Linux would (the address, 0, or a
 * negative errno) and updates the model. A range that touches a fence page
 * is not modelled and must not be passed. */
int64_t model_map(struct model *m, uaddr_t addr, uint64_t len, unsigned long prot,
                  unsigned long flags, uint64_t off);
int model_unmap(struct model *m, uaddr_t addr, uint64_t len);
int model_protect(struct model *m, uaddr_t addr, uint64_t len, unsigned long prot);

/* A user access of len bytes. Writes take their bytes from buf; reads store
 * the expected bytes into buf (up to the fault). */
struct model_fault model_access(struct model *m, enum model_kind kind, uaddr_t addr, uint64_t len,
                                uint8_t *buf);

/* How many bytes of [addr, addr + len) an access of kind may touch before
 * the first page it may not (len when it may touch them all). No change. */
uint64_t model_reach(const struct model *m, enum model_kind kind, uaddr_t addr, uint64_t len);

/* Record that the page holding addr (in the window, mapped) was populated
 * by a fault of kind, as a kernel access that stopped part-way may leave
 * it. A write gives the VMA its identity. */
void model_populate(struct model *m, enum model_kind kind, uaddr_t addr);

/* The model's byte at addr (inside the window). */
uint8_t *model_byte(struct model *m, uaddr_t addr);

/* The predicted VMA list of the window; returns the count. */
unsigned model_vmas(const struct model *m, struct model_vma *out, unsigned max);

/* Whether an address lies inside the window / is a fence page. */
bool model_in_window(const struct model *m, uaddr_t addr);
bool model_is_fence(const struct model *m, uaddr_t addr);

/* Window page index of addr (addr must be inside the window). */
static inline unsigned model_index(const struct model *m, uaddr_t addr)
{
    return (unsigned)((addr - m->cfg.base) / PAGE_SIZE);
}

/* "r-xp" style permissions of a page. */
void model_perms(const struct model_page *p, char out[5]);

#endif
