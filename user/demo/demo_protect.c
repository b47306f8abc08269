/* user/demo/demo_protect.c — page protection: mprotect, PROT_NONE guard
 * pages, and what happens to a process that breaks the rules (a child
 * does, so this demo can report it). */
#include <ulib.h>

static void try_in_child(const char *what, void (*fn)(char *), char *arg)
{
    long pid = sys_fork();
    if (pid == 0) {
        fn(arg);
        sys_exit_group(0);
    }
    int status = 0;
    sys_wait4((int)pid, &status, 0, 0);
    if (WIFSIGNALED(status))
        printf("  %-40s -> killed by signal %d (SIGSEGV is 11)\n", what, WTERMSIG(status));
    else
        printf("  %-40s -> fine, exit status %d\n", what, WEXITSTATUS(status));
}

static void do_read(char *p) { (void)*(volatile char *)p; }
static void do_write(char *p) { *(volatile char *)p = 1; }
static void do_exec(char *p) { ((void (*)(void))p)(); }

int main(void)
{
    char *p = (char *)sys_mmap(0, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memcpy(p + PAGE_SIZE, "data that survives", 19);
    p[2 * PAGE_SIZE] = (char)0xc3; /* ret */
    printf("three pages at %p, read-write\n", (void *)p);
    try_in_child("write to page 1", do_write, p + PAGE_SIZE);

    sys_mprotect(p + PAGE_SIZE, PAGE_SIZE, PROT_READ);
    printf("page 1 made read-only\n");
    try_in_child("read page 1", do_read, p + PAGE_SIZE);
    try_in_child("write page 1", do_write, p + PAGE_SIZE);

    sys_mprotect(p, PAGE_SIZE, PROT_NONE);
    printf("page 0 made PROT_NONE (a guard page)\n");
    try_in_child("read page 0", do_read, p);

    try_in_child("call into page 2 (not executable)", do_exec, p + 2 * PAGE_SIZE);
    sys_mprotect(p + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_EXEC);
    printf("page 2 made read+exec\n");
    try_in_child("call into page 2", do_exec, p + 2 * PAGE_SIZE);

    sys_mprotect(p + PAGE_SIZE, PAGE_SIZE, PROT_NONE);
    sys_mprotect(p + PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE);
    printf("page 1 through PROT_NONE and back still says: \"%s\"\n", p + PAGE_SIZE);
    try_in_child("write to a kernel address", do_write, (char *)0xffffffff80100000UL);
    try_in_child("read address 0", do_read, (char *)0);
    return 0;
}
