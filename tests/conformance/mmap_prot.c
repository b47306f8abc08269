/* tests/conformance/mmap_prot.c — every protection combination of an
 * anonymous mapping (none, r, w, rw, x, rx, wx, rwx): how /proc/self/maps
 * shows it, and whether a read, a write and a jump succeed or raise SIGSEGV
 * with SEGV_ACCERR. */
#include "conf.h"

static const struct {
    const char *name;
    int prot;
} prots[] = {
    {"none", PROT_NONE},   {"r", PROT_READ},   {"w", PROT_WRITE},   {"rw", RW},
    {"x", PROT_EXEC},      {"rx", PROT_READ | PROT_EXEC}, {"wx", PROT_WRITE | PROT_EXEC},
    {"rwx", RW | PROT_EXEC},
};

static void protections(void)
{
    char name[96];
    uintptr_t r = conf_region(16);
    for (size_t i = 0; i < sizeof prots / sizeof prots[0]; i++) {
        uintptr_t a = r + 2 * i * P;
        long m = sys_mmap((void *)a, P, prots[i].prot, PA | MAP_FIXED, -1, 0);
        snprintf(name, sizeof name, "mmap_prot_%s", prots[i].name);
        conf_case(name, "%s", conf_at(m, r));
        snprintf(name, sizeof name, "mmap_prot_%s_maps", prots[i].name);
        conf_case(name, "%s", conf_maps(a, 1));
        /* A return instruction to execute. */
        sys_mprotect((void *)a, P, RW);
        *(volatile unsigned char *)a = 0xc3;
        sys_mprotect((void *)a, P, prots[i].prot);
        snprintf(name, sizeof name, "mmap_prot_%s_read", prots[i].name);
        conf_case(name, "%s", conf_probe(a, CONF_READ));
        snprintf(name, sizeof name, "mmap_prot_%s_write", prots[i].name);
        conf_case(name, "%s", conf_probe(a, CONF_WRITE));
        snprintf(name, sizeof name, "mmap_prot_%s_exec", prots[i].name);
        conf_case(name, "%s", conf_probe(a, CONF_EXEC));
    }
    conf_region_free(r, 16);
}

int main(void)
{
    conf_start();
    protections();
    return 0;
}
