/* user/tests/procs.c — fork, execve and wait4: exit statuses and signals
 * reported to the parent, copy-on-write memory after fork, descriptors
 * shared with the child, execve's errors. Passes on Linux too.
 * (procs child CODE exits with CODE; procs segv dies by SIGSEGV; procs
 * preempt leaves a child spinning forever, so it is for mmcore only, where
 * the machine stops when process 1 exits.) */
#include <utest.h>

static int counter = 100;

static long spawn(char *const argv[], int *status)
{
    long pid = sys_fork();
    if (pid == 0) {
        char *envp[] = {"FROM=procs", 0};
        sys_execve(argv[0], argv, envp);
        sys_exit_group(127);
    }
    if (pid < 0)
        return pid;
    return sys_wait4((int)pid, status, 0, 0);
}

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "child")) {
        int code = 0;
        for (const char *p = argv[2]; *p; p++)
            code = code * 10 + (*p - '0');
        return code;
    }
    if (argc > 1 && !strcmp(argv[1], "segv"))
        return *(volatile int *)0;
    if (argc > 1 && !strcmp(argv[1], "preempt")) {
        if (sys_fork() == 0)
            for (;;)
                ;
        syscall0(SYS_sched_yield); /* the child runs, and never yields */
        printf("the parent runs again while its child spins\n");
        return 0;
    }

    int status = -1;
    char *self = argv[0];
    char *child7[] = {self, "child", "7", 0};
    long pid = spawn(child7, &status);
    CHECK(pid > 0, "fork, execve, wait4 -> pid %ld", pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7, "the child exited with 7 (status %x)", status);
    char *segv[] = {self, "segv", 0};
    spawn(segv, &status);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == 11, "a child killed by SIGSEGV (status %x)", status);
    char *missing[] = {"/no/such/program", 0};
    spawn(missing, &status);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 127, "execve of a missing program fails in the child");

    /* Copy-on-write: the child's writes stay in the child. */
    char *heap = (char *)sys_mmap(0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    heap[0] = 'p';
    pid = sys_fork();
    if (pid == 0) {
        int ok = heap[0] == 'p' && counter == 100;
        heap[0] = 'c';
        counter = 200;
        sys_exit_group(ok && heap[0] == 'c' ? 0 : 1);
    }
    sys_wait4((int)pid, &status, 0, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child saw the parent's memory and changed its copy");
    CHECK(heap[0] == 'p' && counter == 100, "the parent's memory is unchanged");
    heap[PAGE_SIZE] = 'q';
    CHECK(heap[PAGE_SIZE] == 'q', "the parent can still write");

    /* Open files are shared: the child's write moves the parent's offset. */
    long fd = sys_open("/tmp/procs-shared", O_RDWR | O_CREAT | O_TRUNC, 0600);
    pid = sys_fork();
    if (pid == 0) {
        sys_write((int)fd, "child", 5);
        sys_exit_group(0);
    }
    sys_wait4((int)pid, &status, 0, 0);
    CHECK_EQ(sys_lseek((int)fd, 0, SEEK_CUR), 5, "the file offset moved in the parent too");
    sys_close((int)fd);
    sys_unlink("/tmp/procs-shared");

    /* wait4 corner cases. */
    CHECK_EQ(sys_wait4(-1, &status, 0, 0), -ECHILD, "wait4 without children");
    CHECK_EQ(sys_wait4(-1, &status, 0x1000, 0), -EINVAL, "wait4 with an unknown option");
    pid = sys_fork();
    if (pid == 0)
        sys_exit_group(3);
    long got;
    do
        got = sys_wait4(-1, &status, WNOHANG, 0);
    while (got == 0);
    CHECK_EQ(got, pid, "wait4 WNOHANG eventually reaps the child");
    CHECK_EQ(sys_execve("/tmp", (char *[]){"/tmp", 0}, 0), -EACCES, "execve of a directory");
    CHECK_EQ(sys_execve((char *)8, 0, 0), -EFAULT, "execve with a bad path");
    volatile unsigned long bad_argv = 8;
    CHECK_EQ(sys_execve(self, (char **)bad_argv, 0), -EFAULT, "execve with a bad argv");
    utest_done();
}
