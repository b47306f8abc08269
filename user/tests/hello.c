/* user/tests/hello.c — the smallest program: arguments, environment and
 * auxiliary vector as the kernel passed them, on standard output. */
#include <ulib.h>

int main(int argc, char **argv, char **envp)
{
    printf("hello from %s\n", argv[0]);
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    for (char **e = envp; *e; e++)
        printf("env %s\n", *e);
    printf("AT_PAGESZ=%lu\n", getauxval(6));
    printf("AT_PHNUM=%lu AT_PHENT=%lu\n", getauxval(5), getauxval(4));
    printf("AT_ENTRY ok=%d\n", getauxval(9) != 0);
    printf("AT_RANDOM ok=%d\n", getauxval(25) != 0);
    dprintf(2, "this line goes to standard error\n");
    return 0;
}
