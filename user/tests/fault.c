/* user/tests/fault.c — accesses the hardware must refuse, one per run:
 * fault MODE prints what it is about to do and does it. Every mode must end
 * the process with a signal (exit status 128 + signal), never the kernel.
 * With no mode, it lists the modes. */
#include <ulib.h>

static const char message[] = "read-only data";

/* A function that returns at once, as machine code; and the
 * architecture's instructions for the modes below. aarch64 has no I/O
 * ports and no int: port-io is an SMC and int80 an HVC from user mode,
 * both undefined there (SIGILL); privileged reads a system register (also
 * SIGILL); integer division by zero does not trap (divide prints 0). */
#if defined(__aarch64__)
static const unsigned char ret_code[4] = {0xc0, 0x03, 0x5f, 0xd6}; /* ret */
#define NONCANONICAL 0x0001000000000000UL                            /* beyond 48 bits */
#define INSN_ILLEGAL() __asm__ volatile("udf #0")
#define INSN_BREAKPOINT() __asm__ volatile("brk #0")
#define INSN_PRIVILEGED() __asm__ volatile("mrs x0, sctlr_el1" : : : "x0")
#define INSN_INT80() __asm__ volatile("hvc #0")
#define INSN_PORT_IO() __asm__ volatile("smc #0")
#else
static const unsigned char ret_code[1] = {0xc3}; /* ret */
#define NONCANONICAL 0x0000800000000000UL
#define INSN_ILLEGAL() __asm__ volatile("ud2")
#define INSN_BREAKPOINT() __asm__ volatile("int3")
#define INSN_PRIVILEGED() __asm__ volatile("cli")
#define INSN_INT80() __asm__ volatile("int $0x80" : : "a"(39))
#define INSN_PORT_IO() __asm__ volatile("outb %%al, $0xf4" : : "a"(0))
#endif

/* Deep recursion until the stack runs into the unmapped gap below it. */
static int depth_limit = 1 << 30;
static int recurse(int n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    if (n > depth_limit)
        return 0;
    return recurse(n + 1) + pad[0];
}

static void *map(int prot)
{
    long r = sys_mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sys_failed(r)) {
        printf("mmap failed: %ld\n", r);
        exit(2);
    }
    *(volatile char *)r = 0x42;
    if (sys_mprotect((void *)r, PAGE_SIZE, prot)) {
        printf("mprotect failed\n");
        exit(2);
    }
    return (void *)r;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    printf("fault: %s\n", mode);
    flush();
    if (!strcmp(mode, "write-readonly")) {
        volatile char *p = map(PROT_READ);
        printf("read %x\n", p[0]);
        flush();
        p[0] = 1;
    } else if (!strcmp(mode, "write-rodata")) {
        *(volatile char *)message = 'X';
    } else if (!strcmp(mode, "write-text")) {
        *(volatile char *)(void *)main = 0;
    } else if (!strcmp(mode, "read-none")) {
        volatile char *p = map(PROT_NONE);
        printf("%d\n", p[0]);
    } else if (!strcmp(mode, "exec-data")) {
        unsigned char *p = map(PROT_READ | PROT_WRITE);
        memcpy(p, ret_code, sizeof ret_code);
        __builtin___clear_cache((char *)p, (char *)p + sizeof ret_code);
        ((void (*)(void))p)();
    } else if (!strcmp(mode, "exec-stack")) {
        /* Faults unless the program asked for an executable stack
         * (PT_GNU_STACK with PF_X: the fault-execstack build). */
        static unsigned char *volatile sink;
        unsigned char code[16] __attribute__((aligned(16)));
        memcpy(code, ret_code, sizeof ret_code);
        sink = code;
        __builtin___clear_cache((char *)code, (char *)code + sizeof ret_code);
        ((void (*)(void))(unsigned long)sink)();
    } else if (!strcmp(mode, "null")) {
        printf("%d\n", *(volatile int *)(long)argc * 0);
    } else if (!strcmp(mode, "unmapped")) {
        volatile char *p = map(PROT_READ | PROT_WRITE);
        sys_munmap((void *)p, PAGE_SIZE);
        printf("%d\n", p[0]);
    } else if (!strcmp(mode, "kernel-read")) {
        printf("%d\n", *(volatile int *)0xffffffff80100000UL);
    } else if (!strcmp(mode, "kernel-write")) {
        *(volatile long *)0xffff800000100000UL = 0;
    } else if (!strcmp(mode, "noncanonical")) {
        printf("%d\n", *(volatile int *)NONCANONICAL);
    } else if (!strcmp(mode, "stack-overflow")) {
        printf("%d\n", recurse(0));
    } else if (!strcmp(mode, "illegal")) {
        INSN_ILLEGAL();
    } else if (!strcmp(mode, "divide")) {
        volatile int zero = 0;
        printf("%d\n", 100 / zero);
    } else if (!strcmp(mode, "breakpoint")) {
        INSN_BREAKPOINT();
    } else if (!strcmp(mode, "privileged")) {
        INSN_PRIVILEGED();
    } else if (!strcmp(mode, "int80")) {
        INSN_INT80();
    } else if (!strcmp(mode, "port-io")) {
        INSN_PORT_IO();
    } else {
        printf("modes: write-readonly write-rodata write-text read-none exec-data exec-stack null unmapped "
               "kernel-read kernel-write noncanonical stack-overflow illegal divide breakpoint "
               "privileged int80 port-io\n");
        return 0;
    }
    printf("still alive: the access did not fault\n");
    return 1;
}
