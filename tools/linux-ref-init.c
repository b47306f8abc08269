/* tools/linux-ref-init.c — /init of the initramfs tools/run-linux-aarch64
 * boots a real aarch64 Linux with: it runs the program under test as
 * mmcore's kernel would run it, and reports on the one serial line what
 * tools/run-elf reports for mmcore, so that the two runs compare.
 *
 * The program is the path in /.init.argv's first string, with the rest as
 * its arguments; /.init.env is its environment and /.init.stdin its
 * standard input (the files tools/run-elf puts in mmcore's initramfs).
 * Its standard output and error go through pipes; what comes out is
 * written to the console framed as kernel/aarch64/uart.c frames it (DLE
 * '1' / DLE '2' before a run of output or error, DLE DLE for a DLE of
 * data, DLE '0' back to the log), so tools/uart-demux splits it the same
 * way. At the end the log gets "mmcore-reference: exited with status N"
 * (128 + signal for a signal) and the machine powers off.
 *
 * Built with the aarch64 cross compiler against glibc, static. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define DLE 0x10
#define MAX_STRINGS 256

static int console = -1;
static int channel = 0;

static void out_all(const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(console, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w, n -= (size_t)w;
    }
}

/* Write n bytes to the console as channel ch, then go back to channel 0
 * so that anything the kernel prints meanwhile lands in the log. */
static void framed(int ch, const char *p, size_t n)
{
    char buf[2 * 4096 + 4];
    size_t k = 0;
    if (ch != channel) {
        buf[k++] = DLE, buf[k++] = (char)('0' + ch);
        channel = ch;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] == DLE)
            buf[k++] = DLE;
        buf[k++] = p[i];
        if (k >= sizeof buf - 4) {
            out_all(buf, k);
            k = 0;
        }
    }
    if (channel != 0) {
        buf[k++] = DLE, buf[k++] = '0';
        channel = 0;
    }
    out_all(buf, k);
}

static void logf_line(const char *msg)
{
    framed(0, msg, strlen(msg));
}

/* A NUL-separated list from a file, or NULL when it is missing. */
static char **read_list(const char *path, char *buf, size_t size)
{
    static char *vecs[2][MAX_STRINGS + 1];
    static int which;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return NULL;
    buf[n] = 0;
    char **v = vecs[which++ & 1];
    int c = 0;
    for (ssize_t i = 0; i < n && c < MAX_STRINGS; i += (ssize_t)strlen(buf + i) + 1)
        v[c++] = buf + i;
    v[c] = NULL;
    return v;
}

static void power_off(void)
{
    /* The tty sends in the background: let it finish first. */
    if (console >= 0)
        tcdrain(console);
    sync();
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}

int main(void)
{
    static char argbuf[65536], envbuf[65536];
    char line[256];

    mkdir("/dev", 0755);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    mkdir("/proc", 0555);
    mount("proc", "/proc", "proc", 0, NULL);
    mkdir("/tmp", 01777);
    console = open("/dev/console", O_WRONLY | O_NOCTTY);
    if (console < 0)
        power_off();
    /* Bytes as they are: no newline to CR LF on output. */
    struct termios t;
    if (!tcgetattr(console, &t)) {
        t.c_oflag &= ~(tcflag_t)OPOST;
        tcsetattr(console, TCSANOW, &t);
    }

    char **argv = read_list("/.init.argv", argbuf, sizeof argbuf);
    char **envp = read_list("/.init.env", envbuf, sizeof envbuf);
    static char *no_env[] = {NULL};
    if (!argv || !argv[0]) {
        logf_line("mmcore-reference: no /.init.argv\n");
        power_off();
    }
    if (!envp)
        envp = no_env;

    int outp[2], errp[2];
    if (pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
        logf_line("mmcore-reference: pipe failed\n");
        power_off();
    }
    pid_t pid = fork();
    if (pid == 0) {
        int in = open("/.init.stdin", O_RDONLY);
        if (in < 0)
            in = open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(outp[1], 1);
        dup2(errp[1], 2);
        execve(argv[0], argv, envp);
        snprintf(line, sizeof line, "mmcore-reference: cannot run %s: %s\n", argv[0], strerror(errno));
        framed(0, line, strlen(line));
        _exit(errno == ENOENT ? 127 : 126);
    }
    close(outp[1]);
    close(errp[1]);

    struct pollfd fds[2] = {{outp[0], POLLIN, 0}, {errp[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[4096];
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                framed(i + 1, buf, (size_t)n);
            } else if (n == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    snprintf(line, sizeof line, "mmcore-reference: exited with status %d\n", code);
    logf_line(line);
    power_off();
}
