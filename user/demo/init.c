/* user/demo/init.c — the first process of the demo image (make run): runs
 * each demo program in turn with fork, execve and wait4, says how each
 * ended, then powers the machine off. */
#include <ulib.h>

static const char *const demos[] = {
    "/bin/demo_layout", "/bin/demo_lazy", "/bin/demo_protect", "/bin/demo_cow", "/bin/musl_malloc",
};

int main(int argc, char **argv, char **envp)
{
    int failed = 0;
    printf("init: %d demo programs\n", (int)(sizeof demos / sizeof demos[0]));
    for (unsigned i = 0; i < sizeof demos / sizeof demos[0]; i++) {
        struct stat st;
        if (sys_newfstatat(AT_FDCWD, demos[i], &st, 0) != 0) {
            printf("\ninit: %s is not in this image, skipped\n", demos[i]);
            continue;
        }
        printf("\n======== %s ========\n", demos[i]);
        flush();
        long pid = sys_fork();
        if (pid == 0) {
            char *args[] = {(char *)demos[i], 0};
            long err = sys_execve(demos[i], args, envp);
            dprintf(2, "init: cannot run %s: %s\n", demos[i], strerror_name(err));
            sys_exit_group(127);
        }
        int status = 0;
        if (pid < 0 || sys_wait4((int)pid, &status, 0, 0) < 0) {
            printf("init: fork or wait failed\n");
            failed++;
            continue;
        }
        if (WIFSIGNALED(status))
            printf("-------- %s was killed by signal %d\n", demos[i], WTERMSIG(status));
        else
            printf("-------- %s exited with status %d\n", demos[i], WEXITSTATUS(status));
        failed += status != 0;
    }
    printf("\ninit: done, %d demo(s) failed; powering off\n", failed);
    flush();
    sys_reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0);
    return failed != 0;
}
