/* user/demo/demo_layout.c — where things are in a process's address space:
 * the program image, the heap, mmap placement, the stack and what the
 * kernel put on it. */
#include <ulib.h>

extern char __ehdr_start[], _etext[], _edata[], _end[];
static int initialised = 42;
static char zeroed[8192];

static void show(const char *what, const void *p) { printf("  %-34s %p\n", what, p); }

int main(int argc, char **argv, char **envp)
{
    int local = 0;
    printf("The program image (static, loaded at its link address):\n");
    show("ELF header (start of the image)", __ehdr_start);
    show("main (text)", (void *)main);
    show("end of text", _etext);
    show("initialised data", &initialised);
    show("end of file-backed data (_edata)", _edata);
    show(".bss (zero-filled)", zeroed);
    show("end of the image (_end)", _end);

    printf("The heap (brk), byte granular, just above the image:\n");
    char *b0 = (char *)sys_brk(0);
    show("initial break", b0);
    char *b1 = (char *)sys_brk(b0 + 10000);
    show("after brk(+10000)", b1);
    b0[9999] = 1;
    printf("  wrote the last heap byte; shrinking back\n");
    sys_brk(b0);

    printf("mmap places mappings top-down below the stack's gap:\n");
    for (int i = 0; i < 3; i++) {
        long r = sys_mmap(0, (i + 1) * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        char what[48];
        snprintf(what, sizeof what, "mmap of %d page(s)", i + 1);
        show(what, (void *)r);
    }
    long fixed = sys_mmap((void *)0x10000000, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    show("mmap MAP_FIXED at 0x10000000", (void *)fixed);

    printf("The stack (grows down from the top of user space):\n");
    show("a local variable", &local);
    show("argv[0] string", argv[0]);
    show("first environment string", envp[0]);
    show("AT_RANDOM bytes", (void *)getauxval(25));
    show("AT_PHDR (program headers)", (void *)getauxval(3));
    show("AT_ENTRY (_start)", (void *)getauxval(9));
    printf("  top of user space                  %p\n", (void *)USER_STACK_TOP);
    return 0;
}
