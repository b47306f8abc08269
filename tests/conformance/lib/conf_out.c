/* tests/conformance/lib/conf_out.c — the result lines of conformance
 * programs: "name: result", errno names, relative addresses; and the
 * start-up every program shares (dropping privileges, reading numbers from
 * /proc). */
#include "conf.h"

#define RING_SLOTS 8
#define SLOT_SIZE 96

/* A small ring of text buffers, so that a few results can be formatted for
 * one line. */
static char *conf_slot(void)
{
    static char ring[RING_SLOTS][SLOT_SIZE];
    static unsigned next;
    return ring[next++ % RING_SLOTS];
}

static const char *conf_errno_name(long e)
{
    static const struct {
        int value;
        const char *name;
    } names[] = {
        {1, "EPERM"},    {2, "ENOENT"},   {3, "ESRCH"},      {4, "EINTR"},   {5, "EIO"},
        {6, "ENXIO"},    {7, "E2BIG"},    {8, "ENOEXEC"},    {9, "EBADF"},   {10, "ECHILD"},
        {11, "EAGAIN"},  {12, "ENOMEM"},  {13, "EACCES"},    {14, "EFAULT"}, {16, "EBUSY"},
        {17, "EEXIST"},  {19, "ENODEV"},  {20, "ENOTDIR"},   {21, "EISDIR"}, {22, "EINVAL"},
        {23, "ENFILE"},  {24, "EMFILE"},  {25, "ENOTTY"},    {27, "EFBIG"},  {28, "ENOSPC"},
        {29, "ESPIPE"},  {30, "EROFS"},   {34, "ERANGE"},    {38, "ENOSYS"}, {75, "EOVERFLOW"},
        {95, "EOPNOTSUPP"}, {110, "ETIMEDOUT"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].value == e)
            return names[i].name;
    return 0;
}

const char *conf_ret(long r)
{
    char *s = conf_slot();
    if (sys_failed(r)) {
        const char *n = conf_errno_name(-r);
        if (n)
            snprintf(s, SLOT_SIZE, "-%s", n);
        else
            snprintf(s, SLOT_SIZE, "-errno%ld", -r);
    } else {
        snprintf(s, SLOT_SIZE, "%ld", r);
    }
    return s;
}

const char *conf_at(long r, uintptr_t base)
{
    char *s;
    if (sys_failed(r))
        return conf_ret(r);
    s = conf_slot();
    if ((uintptr_t)r >= base)
        snprintf(s, SLOT_SIZE, "base+0x%lx", (unsigned long)((uintptr_t)r - base));
    else
        snprintf(s, SLOT_SIZE, "base-0x%lx", (unsigned long)(base - (uintptr_t)r));
    return s;
}

void conf_case(const char *name, const char *fmt, ...)
{
    char line[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    printf("%s: %s\n", name, line);
}

void conf_ret_case(const char *name, long r) { conf_case(name, "%s", conf_ret(r)); }

void conf_skip(const char *name, const char *reason) { conf_case(name, "SKIP %s", reason); }

const char *conf_signal_name(int sig)
{
    static const char *names[] = {
        [1] = "SIGHUP",  [2] = "SIGINT",   [3] = "SIGQUIT", [4] = "SIGILL",   [5] = "SIGTRAP",
        [6] = "SIGABRT", [7] = "SIGBUS",   [8] = "SIGFPE",  [9] = "SIGKILL",  [10] = "SIGUSR1",
        [11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
    };
    char *s;
    if (sig > 0 && sig < (int)(sizeof names / sizeof names[0]) && names[sig])
        return names[sig];
    s = conf_slot();
    snprintf(s, SLOT_SIZE, "signal %d", sig);
    return s;
}

/* ---- start-up ---- */

struct cap_header {
    uint32_t version;
    int pid;
};
struct cap_data {
    uint32_t effective, permitted, inheritable;
};
#define CAP_VERSION_3 0x20080522

void conf_start(void)
{
    struct cap_header h = {CAP_VERSION_3, 0};
    struct cap_data d[2];

    /* A kernel without capabilities answers -ENOSYS: nothing to drop. */
    if (syscall2(SYS_capget, &h, d) != 0)
        return;
    d[0].effective = d[1].effective = 0;
    (void)syscall2(SYS_capset, &h, d);
}

long conf_read_number(const char *path, long fallback)
{
    char buf[64];
    long fd = sys_open(path, O_RDONLY, 0), n, v = 0;
    int digits = 0;

    if (sys_failed(fd))
        return fallback;
    n = sys_read((int)fd, buf, sizeof buf - 1);
    sys_close((int)fd);
    if (n <= 0)
        return fallback;
    for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++, digits++)
        v = v * 10 + (buf[i] - '0');
    return digits ? v : fallback;
}
