/* tests/conformance/procfs.c — listing /proc with getdents64: a directory
 * for every living process (its pid) and "self"; /proc/self and /proc/PID
 * list "maps". Linux lists many more entries; only those mmcore has are
 * looked for, and the cases say whether each is there and of which type. */
#include <ufile.h>

#include "conf.h"

#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10

static char names[8192];  /* "name/type\n" per entry */

/* List path with getdents64 calls of bufsize bytes into names; the number
 * of entries, or the error. */
static long list(const char *path, size_t bufsize)
{
    static char buf[4096];
    long fd = sys_open(path, O_RDONLY | O_DIRECTORY, 0), count = 0, n;
    size_t used = 0;
    if (sys_failed(fd))
        return fd;
    names[0] = 0;
    while ((n = sys_getdents64((int)fd, buf, bufsize)) > 0) {
        for (long off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            if (used + strlen(d->d_name) + 8 < sizeof names)
                used += (size_t)snprintf(names + used, sizeof names - used, "%s/%d\n", d->d_name, d->d_type);
            count++;
            off += d->d_reclen;
        }
    }
    sys_close((int)fd);
    return n < 0 ? n : count;
}

/* The type of entry name in the last listing: "dir", "file", "symlink",
 * another number, or "absent". */
static const char *entry(const char *name)
{
    static char other[16];
    size_t len = strlen(name);
    for (const char *p = names; *p;) {
        if (!strncmp(p, name, len) && p[len] == '/') {
            int t = 0;
            for (const char *q = p + len + 1; *q >= '0' && *q <= '9'; q++)
                t = t * 10 + (*q - '0');
            if (t == DT_DIR)
                return "dir";
            if (t == DT_REG)
                return "file";
            if (t == DT_LNK)
                return "symlink";
            snprintf(other, sizeof other, "type %d", t);
            return other;
        }
        while (*p && *p != '\n')
            p++;
        if (*p)
            p++;
    }
    return "absent";
}

/* Whether every entry whose name is a number is a directory. */
static const char *numeric_entries_are_dirs(void)
{
    for (const char *p = names; *p;) {
        const char *q = p;
        while (*q >= '0' && *q <= '9')
            q++;
        if (q > p && *q == '/' && (q[1] != '4' || q[2] != '\n'))
            return "no";
        while (*p && *p != '\n')
            p++;
        if (*p)
            p++;
    }
    return "yes";
}

int main(void)
{
    char pid[16], child[16], path[48];
    int fds[2];

    conf_start();
    snprintf(pid, sizeof pid, "%ld", sys_getpid());
    long n = list("/proc", 4096);
    conf_case("proc_list", "%s", n < 0 ? conf_ret(n) : n > 3 ? "entries" : "too few");
    conf_case("proc_list_dot", "%s", entry("."));
    conf_case("proc_list_dotdot", "%s", entry(".."));
    conf_case("proc_list_self", "%s", entry("self"));
    conf_case("proc_list_own_pid", "%s", entry(pid));
    conf_case("proc_list_numeric_entries_are_dirs", "%s", numeric_entries_are_dirs());

    /* A child is listed while it lives, and not once it is gone. */
    sys_pipe2(fds, 0);
    long c = sys_fork();
    if (c == 0) {
        char b;
        sys_close(fds[1]);
        sys_read(fds[0], &b, 1); /* until the parent closes its end */
        sys_exit(0);
    }
    sys_close(fds[0]);
    snprintf(child, sizeof child, "%ld", c);
    list("/proc", 4096);
    conf_case("proc_list_child", "%s", entry(child));
    sys_close(fds[1]);
    sys_wait4((int)c, 0, 0, 0);
    list("/proc", 4096);
    conf_case("proc_list_child_reaped", "%s", entry(child));

    /* Read a few entries at a time: the same entries. */
    long whole = list("/proc", 4096);
    char first[sizeof names];
    memcpy(first, names, sizeof names);
    long small = list("/proc", 64);
    conf_case("proc_list_small_reads_same", "%s", whole == small && !strcmp(first, names) ? "yes" : "no");

    n = list("/proc/self", 4096);
    conf_case("proc_self_list", "%s", n < 0 ? conf_ret(n) : "entries");
    conf_case("proc_self_list_maps", "%s", entry("maps"));
    snprintf(path, sizeof path, "/proc/%s", pid);
    n = list(path, 4096);
    conf_case("proc_pid_list", "%s", n < 0 ? conf_ret(n) : "entries");
    conf_case("proc_pid_list_maps", "%s", entry("maps"));
    conf_case("proc_pid_list_dotdot", "%s", entry(".."));
    return 0;
}
