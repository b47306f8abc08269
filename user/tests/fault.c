/* user/tests/fault.c — accesses the hardware must refuse, one per run:
 * fault MODE prints what it is about to do and does it. Every mode must end
 * the process with a signal (exit status 128 + signal), never the kernel.
 * With no mode, it lists the modes. */
#include <ulib.h>

static const char message[] = "read-only data";

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
        p[0] = 0xc3; /* ret */
        ((void (*)(void))p)();
    } else if (!strcmp(mode, "exec-stack")) {
        /* Faults unless the program asked for an executable stack
         * (PT_GNU_STACK with PF_X: the fault-execstack build). */
        volatile unsigned char code[16] = {0xc3}; /* ret */
        ((void (*)(void))(unsigned long)code)();
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
        printf("%d\n", *(volatile int *)0x0000800000000000UL);
    } else if (!strcmp(mode, "stack-overflow")) {
        printf("%d\n", recurse(0));
    } else if (!strcmp(mode, "illegal")) {
        __asm__ volatile("ud2");
    } else if (!strcmp(mode, "divide")) {
        volatile int zero = 0;
        printf("%d\n", 100 / zero);
    } else if (!strcmp(mode, "breakpoint")) {
        __asm__ volatile("int3");
    } else if (!strcmp(mode, "privileged")) {
        __asm__ volatile("cli");
    } else if (!strcmp(mode, "int80")) {
        __asm__ volatile("int $0x80" : : "a"(39));
    } else if (!strcmp(mode, "port-io")) {
        __asm__ volatile("outb %%al, $0xf4" : : "a"(0));
    } else {
        printf("modes: write-readonly write-rodata write-text read-none exec-data exec-stack null unmapped "
               "kernel-read kernel-write noncanonical stack-overflow illegal divide breakpoint "
               "privileged int80 port-io\n");
        return 0;
    }
    printf("still alive: the access did not fault\n");
    return 1;
}
