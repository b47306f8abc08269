/* kernel/aarch64/fdt.c — a reader for the flattened device tree (DTB) the
 * loader passes in x0: enough of it to find RAM, the initramfs, the
 * command line, the UART, RTC, GIC, timer interrupt and PSCI conduit.
 *
 * The format (all numbers big-endian):
 *
 *   header:  magic 0xd00dfeed, totalsize, off_dt_struct, off_dt_strings,
 *            off_mem_rsvmap, version, ...
 *   memory reservation block: (address, size) u64 pairs ending with (0, 0)
 *   structure block: a stream of 32-bit tokens
 *      BEGIN_NODE (1) name\0 (padded to 4)   a node opens; nodes nest
 *      PROP (3) len nameoff value (padded)    a property of the open node;
 *                                             its name is in the strings
 *                                             block at nameoff
 *      END_NODE (2), NOP (4), END (9)
 *
 * Properties of a node come before its children, so a node is complete
 * when its END_NODE arrives: that is where we act on it. Addresses in "reg"
 * are #address-cells and #size-cells 32-bit cells wide (the root's values,
 * which is what -M virt's devices, all children of the root, use). */
#include <kern/lib.h>
#include <mm/types.h>

#include "fdt.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
#define FDT_MAX_DEPTH 16

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t be64(const void *p) { return (uint64_t)be32(p) << 32 | be32((const uint8_t *)p + 4); }

/* A number of cells (1 or 2) from p. */
static uint64_t cells(const uint8_t *p, unsigned n) { return n == 2 ? be64(p) : be32(p); }

/* What one node said about itself. */
struct node {
    const char *name;
    const char *compatible;
    uint32_t compatible_len;
    const uint8_t *reg;
    uint32_t reg_len;
    const uint8_t *interrupts;
    uint32_t interrupts_len;
    const char *device_type;
    const char *method;
};

struct parse {
    struct boot_info *bi;
    struct machine_desc *md;
    unsigned addr_cells, size_cells;
};

/* Whether the NUL-separated list in a compatible property has name. */
static bool node_compatible(const struct node *n, const char *name)
{
    for (uint32_t i = 0; n->compatible && i < n->compatible_len;) {
        if (!strcmp(n->compatible + i, name))
            return true;
        i += (uint32_t)strnlen(n->compatible + i, n->compatible_len - i) + 1;
    }
    return false;
}

/* The k-th (address, size) pair of reg; false when absent. */
static bool node_reg(const struct parse *ps, const struct node *n, unsigned k, uint64_t *base, uint64_t *size)
{
    unsigned stride = 4 * (ps->addr_cells + ps->size_cells);
    if (!n->reg || stride == 0 || (k + 1) * stride > n->reg_len)
        return false;
    const uint8_t *p = n->reg + k * stride;
    *base = cells(p, ps->addr_cells);
    *size = ps->size_cells ? cells(p + 4 * ps->addr_cells, ps->size_cells) : 0;
    return true;
}

static void node_done(struct parse *ps, const struct node *n, unsigned depth)
{
    struct machine_desc *md = ps->md;
    uint64_t base, size;

    if (depth != 1)
        return;
    if (n->device_type && !strcmp(n->device_type, "memory")) {
        for (unsigned k = 0; node_reg(ps, n, k, &base, &size); k++)
            if (size && ps->bi->nram < BOOT_MAX_RAM)
                ps->bi->ram[ps->bi->nram++] = (struct boot_range){base, size};
    } else if (node_compatible(n, "arm,pl011")) {
        if (!md->uart && node_reg(ps, n, 0, &base, &size))
            md->uart = base;
    } else if (node_compatible(n, "arm,pl031")) {
        if (node_reg(ps, n, 0, &base, &size))
            md->rtc = base;
    } else if (node_compatible(n, "arm,gic-v3")) {
        if (node_reg(ps, n, 0, &md->gicd, &size) && node_reg(ps, n, 1, &md->gicc_or_gicr, &size))
            md->gic_version = 3;
    } else if (node_compatible(n, "arm,cortex-a15-gic") || node_compatible(n, "arm,gic-400")) {
        if (node_reg(ps, n, 0, &md->gicd, &size) && node_reg(ps, n, 1, &md->gicc_or_gicr, &size))
            md->gic_version = 2;
    } else if (node_compatible(n, "arm,armv8-timer") || node_compatible(n, "arm,armv7-timer")) {
        /* Four (type, number, flags) triples: secure physical, physical,
         * virtual, hypervisor. A PPI's INTID is its number + 16. */
        if (n->interrupts && n->interrupts_len >= 36)
            md->timer_irq = be32(n->interrupts + 2 * 12 + 4) + 16;
    } else if (node_compatible(n, "arm,psci-1.0") || node_compatible(n, "arm,psci-0.2") ||
               node_compatible(n, "arm,psci")) {
        md->has_psci = true;
        md->psci_smc = n->method && !strcmp(n->method, "smc");
    }
}

static void prop_chosen(struct parse *ps, const char *name, const uint8_t *val, uint32_t len)
{
    struct boot_info *bi = ps->bi;
    if (!strcmp(name, "bootargs")) {
        uint32_t n = MM_MIN(len, (uint32_t)BOOT_CMDLINE_MAX - 1);
        memcpy(bi->cmdline, val, n);
        bi->cmdline[n] = 0;
    } else if (!strcmp(name, "linux,initrd-start")) {
        bi->initrd_base = len == 8 ? be64(val) : be32(val);
    } else if (!strcmp(name, "linux,initrd-end")) {
        bi->initrd_len = len == 8 ? be64(val) : be32(val); /* the end, for now */
    } else if (!strcmp(name, "rng-seed")) {
        ps->md->rng_seed_len = MM_MIN(len, (uint32_t)sizeof ps->md->rng_seed);
        memcpy(ps->md->rng_seed, val, ps->md->rng_seed_len);
    }
}

static void reserve(struct machine_desc *md, uint64_t base, uint64_t len)
{
    if (len && md->nreserved < FDT_MAX_RESERVED)
        md->reserved[md->nreserved++] = (struct boot_range){base, len};
}

/* Contract: see fdt.h. */
int fdt_parse(const void *dtb, uint64_t dtb_pa, struct boot_info *bi, struct machine_desc *md)
{
    const uint8_t *base = dtb;
    if (be32(base) != FDT_MAGIC)
        return -1;
    uint32_t total = be32(base + 4), off_struct = be32(base + 8), off_strings = be32(base + 12);
    uint32_t off_rsv = be32(base + 16);
    if (off_struct >= total || off_strings >= total || off_rsv >= total)
        return -1;

    struct parse ps = {bi, md, 2, 1};
    reserve(md, dtb_pa, total);
    for (const uint8_t *r = base + off_rsv; r + 16 <= base + total && (be64(r) || be64(r + 8)); r += 16)
        reserve(md, be64(r), be64(r + 8));
    md->timer_irq = 27;

    struct node stack[FDT_MAX_DEPTH];
    unsigned depth = 0;
    bool in_chosen = false;
    const uint8_t *p = base + off_struct, *end = base + total;
    while (p + 4 <= end) {
        uint32_t tok = be32(p);
        p += 4;
        if (tok == FDT_BEGIN_NODE) {
            const char *name = (const char *)p;
            p += ALIGN_UP(strnlen(name, (size_t)(end - p)) + 1, 4);
            if (depth < FDT_MAX_DEPTH)
                stack[depth] = (struct node){.name = name};
            depth++;
            in_chosen = depth == 2 && !strcmp(name, "chosen");
        } else if (tok == FDT_PROP) {
            if (p + 8 > end)
                return -1;
            uint32_t len = be32(p), nameoff = be32(p + 4);
            const uint8_t *val = p + 8;
            const char *name = (const char *)base + off_strings + nameoff;
            p = val + ALIGN_UP(len, 4);
            if (p > end || depth == 0 || depth > FDT_MAX_DEPTH)
                continue;
            struct node *n = &stack[depth - 1];
            if (depth == 1 && !strcmp(name, "#address-cells"))
                ps.addr_cells = be32(val);
            else if (depth == 1 && !strcmp(name, "#size-cells"))
                ps.size_cells = be32(val);
            else if (!strcmp(name, "compatible"))
                n->compatible = (const char *)val, n->compatible_len = len;
            else if (!strcmp(name, "reg"))
                n->reg = val, n->reg_len = len;
            else if (!strcmp(name, "interrupts"))
                n->interrupts = val, n->interrupts_len = len;
            else if (!strcmp(name, "device_type"))
                n->device_type = (const char *)val;
            else if (!strcmp(name, "method"))
                n->method = (const char *)val;
            if (in_chosen)
                prop_chosen(&ps, name, val, len);
        } else if (tok == FDT_END_NODE) {
            if (depth == 0)
                return -1;
            depth--;
            if (depth < FDT_MAX_DEPTH)
                node_done(&ps, &stack[depth], depth);
            in_chosen = false;
        } else if (tok == FDT_END) {
            break;
        } else if (tok != FDT_NOP) {
            return -1;
        }
    }
    if (ps.addr_cells < 1 || ps.addr_cells > 2 || ps.size_cells > 2)
        return -1;
    /* initrd-end arrived as an address. */
    if (bi->initrd_len > bi->initrd_base)
        bi->initrd_len -= bi->initrd_base;
    else
        bi->initrd_base = bi->initrd_len = 0;
    return 0;
}
