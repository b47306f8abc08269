/* user/tests/cat.c — copy standard input (or the named files) to standard
 * output, then exit with the status given by the environment variable
 * EXIT, if set: a check of read(), stdin and exit-status plumbing. */
#include <ulib.h>

static int copy(int fd)
{
    char buf[4096];
    long n;
    while ((n = sys_read(fd, buf, sizeof buf)) > 0)
        if (sys_write(1, buf, (size_t)n) != n)
            return 1;
    return n < 0;
}

int main(int argc, char **argv, char **envp)
{
    int bad = 0;
    if (argc < 2)
        bad |= copy(0);
    for (int i = 1; i < argc; i++) {
        long fd = sys_open(argv[i], O_RDONLY, 0);
        if (fd < 0) {
            dprintf(2, "cat: %s: %s\n", argv[i], strerror_name(fd));
            bad = 1;
            continue;
        }
        bad |= copy((int)fd);
        sys_close((int)fd);
    }
    for (char **e = envp; *e; e++)
        if (!strncmp(*e, "EXIT=", 5)) {
            int code = 0;
            for (const char *p = *e + 5; *p >= '0' && *p <= '9'; p++)
                code = code * 10 + (*p - '0');
            return code;
        }
    return bad;
}
