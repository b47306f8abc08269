/* user/lib/start.c — from the initial stack to main(): argc, argv, envp
 * and the auxiliary vector, as the kernel laid them out. */
#include <ulib.h>

int main(int argc, char **argv, char **envp);
void __user_start(long *sp) __attribute__((noreturn));

char **environ;
long *__user_initial_sp;
static unsigned long *auxv;

unsigned long getauxval(unsigned long type)
{
    for (unsigned long *a = auxv; a && a[0]; a += 2)
        if (a[0] == type)
            return a[1];
    return 0;
}

void __user_start(long *sp)
{
    __user_initial_sp = sp;
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    char **e = envp;
    while (*e)
        e++;
    auxv = (unsigned long *)(e + 1);
    environ = envp;
    exit(main(argc, argv, envp));
}
