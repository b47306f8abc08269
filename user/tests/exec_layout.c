/* user/tests/exec_layout.c — what the program loader promises: the stack
 * pointer at entry, argc/argv/envp/auxv in Linux's order, each auxiliary
 * value right, .bss (and the rest of the last file page) zero, segments
 * with their permissions. Passes on Linux too. */
#include <utest.h>

#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_PLATFORM 15
#define AT_HWCAP 16
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_EXECFN 31

extern long *__user_initial_sp;
extern char __ehdr_start[], _start[], _edata[], _end[], __executable_start[];

struct ehdr {
    unsigned char ident[16];
    unsigned short type, machine;
    unsigned version;
    unsigned long entry, phoff, shoff;
    unsigned flags;
    unsigned short ehsize, phentsize, phnum;
};

static char initialised[3000] = {1, 2, 3};
static char zeroed[20000];

int main(int argc, char **argv, char **envp)
{
    long *sp = __user_initial_sp;
    CHECK(((unsigned long)sp & 15) == 0, "the stack pointer at entry is 16-byte aligned (%p)", (void *)sp);
    CHECK_EQ(sp[0], argc, "argc is at the stack pointer");
    CHECK(argv == (char **)(sp + 1), "argv follows argc");
    CHECK(argv[argc] == 0, "argv ends with NULL");
    CHECK(envp == argv + argc + 1, "envp follows argv's NULL");
    char **e = envp;
    while (*e)
        e++;
    unsigned long *aux = (unsigned long *)(e + 1);
    int n = 0;
    while (aux[2 * n])
        n++;
    CHECK(n >= 15, "%d auxiliary entries", n);

    const struct ehdr *eh = (const struct ehdr *)__ehdr_start;
    CHECK_EQ(getauxval(AT_PHDR), (long)(__ehdr_start + eh->phoff), "AT_PHDR is the program headers' address");
    CHECK_EQ(getauxval(AT_PHENT), 56, "AT_PHENT");
    CHECK_EQ(getauxval(AT_PHNUM), eh->phnum, "AT_PHNUM");
    CHECK_EQ(getauxval(AT_PAGESZ), 4096, "AT_PAGESZ");
    CHECK_EQ(getauxval(AT_BASE), 0, "AT_BASE is 0 without an interpreter");
    CHECK_EQ(getauxval(AT_ENTRY), (long)_start, "AT_ENTRY is _start");
    CHECK(getauxval(AT_UID) == getauxval(AT_EUID) && getauxval(AT_GID) == getauxval(AT_EGID), "AT_UID/GID");
    CHECK_EQ(getauxval(AT_SECURE), 0, "AT_SECURE");
#if defined(__aarch64__)
    CHECK((getauxval(AT_HWCAP) & 3) == 3, "AT_HWCAP reports FP and ASIMD");
#else
    CHECK(getauxval(AT_HWCAP) & (1UL << 25), "AT_HWCAP reports SSE");
#endif
    const char *platform = (const char *)getauxval(AT_PLATFORM);
    CHECK(platform && !strcmp(platform, USER_ARCH_NAME), "AT_PLATFORM is " USER_ARCH_NAME);
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    CHECK(execfn && !strcmp(execfn, argv[0]), "AT_EXECFN names the program (%s)", execfn ? execfn : "-");
    const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    CHECK(rnd > (unsigned char *)sp, "AT_RANDOM lies above the vectors");
    int nonzero = 0;
    for (int i = 0; i < 16; i++)
        nonzero |= rnd[i];
    CHECK(nonzero, "AT_RANDOM's 16 bytes are not all zero");
    CHECK(argv[0] > (char *)rnd, "the strings lie above AT_RANDOM");
    CHECK(argc < 2 || argv[1] == argv[0] + strlen(argv[0]) + 1, "argument strings are packed in order");
    CHECK(!envp[0] || envp[0] == argv[argc - 1] + strlen(argv[argc - 1]) + 1, "environment strings follow them");

    CHECK(initialised[0] == 1 && initialised[2] == 3 && initialised[2999] == 0, ".data holds its values");
    int all_zero = 1;
    for (unsigned i = 0; i < sizeof zeroed; i++)
        all_zero &= zeroed[i] == 0;
    CHECK(all_zero, ".bss is zero");
#if !defined(__aarch64__)
    /* (aarch64's linker puts the runtime's own .bss, written at start-up,
     * right at _edata, so there is nothing left to check there.) */
    unsigned long tail_end = ((unsigned long)_edata + 4095) & ~4095UL;
    all_zero = 1;
    for (char *p = _edata; p < (char *)tail_end; p++)
        all_zero &= *p == 0;
    CHECK(all_zero, "the rest of the last file page after .data is zero (%p..%p)", (void *)_edata,
          (void *)tail_end);
#endif
    unsigned char vec[1];
    CHECK_EQ(sys_mincore((void *)((unsigned long)_end & ~4095UL), 4096, vec), 0, "the page holding _end is mapped");
    CHECK_EQ(sys_mprotect((void *)((unsigned long)_start & ~4095UL), 4096, PROT_READ | PROT_EXEC), 0,
             "the text page is mapped");
    long brk = sys_brk(0);
    CHECK(brk >= (long)_end, "the break (%p) starts above the image (%p)", (void *)brk, (void *)_end);
    utest_done();
}
