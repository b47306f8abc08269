/* user/lib/reloc.c — self-relocation for static-pie programs. The kernel
 * loads a static-pie executable at some base and jumps to it; pointers the
 * linker could not make position-independent are listed in the dynamic
 * section as relative relocations (R_X86_64_RELATIVE, R_AARCH64_RELATIVE):
 * *(base + offset) = base + addend. This file must itself need no relocation (only RIP-relative
 * addressing of hidden symbols). */
#include <stdint.h>

struct dyn {
    int64_t tag;
    uint64_t val;
};
struct rela {
    uint64_t offset, info;
    int64_t addend;
};

#define DT_NULL 0
#define DT_RELA 7
#define DT_RELASZ 8
#define DT_RELAENT 9
#if defined(__aarch64__)
#define R_RELATIVE 1027 /* R_AARCH64_RELATIVE */
#else
#define R_RELATIVE 8    /* R_X86_64_RELATIVE */
#endif

extern const struct dyn _DYNAMIC[] __attribute__((visibility("hidden")));
extern const char __ehdr_start[] __attribute__((visibility("hidden")));

void __user_relocate(void);

void __user_relocate(void)
{
    uintptr_t base = (uintptr_t)__ehdr_start; /* linked at 0 */
    uint64_t rela = 0, size = 0, ent = sizeof(struct rela);
    for (const struct dyn *d = _DYNAMIC; d->tag != DT_NULL; d++) {
        if (d->tag == DT_RELA)
            rela = d->val;
        else if (d->tag == DT_RELASZ)
            size = d->val;
        else if (d->tag == DT_RELAENT)
            ent = d->val;
    }
    for (uint64_t off = 0; rela && off + ent <= size; off += ent) {
        const struct rela *r = (const struct rela *)(base + rela + off);
        if ((uint32_t)r->info == R_RELATIVE)
            *(uint64_t *)(base + r->offset) = base + (uint64_t)r->addend;
    }
}
