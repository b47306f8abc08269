/* user/tests/fuzz_sys.c — the kernel survives random system calls from
 * several processes at once and gives back every frame they took.
 *
 * usage: fuzz_sys run [CALLS [SEED [PROCS [verbose]]]]
 *   CALLS  system calls in all (default 200000), shared by the workers
 *   SEED   the seed (default: from getrandom); printed, so a failing run
 *          can be replayed
 *   PROCS  worker processes running at once (default 4)
 *   verbose  print every call before making it (to find the one that
 *          brought the kernel down)
 * Any other first argument makes the program exit at once with status 0:
 * that is what the fuzzed execve calls run.
 *
 * Each worker runs rounds; a round is a child process that makes up to
 * ROUND_CALLS calls drawn from the kernel's whole table (and unknown
 * numbers), each argument drawn for its kind: descriptors, paths, flags,
 * and pointers that are NULL, kernel, non-canonical, unaligned, into
 * PROT_NONE or read-only pages, or straddling the end of a mapping, with
 * lengths from 0 to huge. A round may fork (two levels deep), exec, kill
 * its own children, remap or unmap its own code and stack: it then dies,
 * which is fine. A few signals go to process 1, which must drop them
 * (it has no handlers). Calls that would touch other processes (kill of
 * everything, limits of init) or block for good (sleeps and waits with long or no
 * timeouts, reads of the console, empty pipes) are given harmless values
 * for the argument that decides it: short timeouts, pipes made
 * non-blocking, and pause() left out, rt_sigsuspend() given only bad
 * masks. Whatever still blocks (a wait for a child that blocks, a
 * descriptor made blocking again by a fuzzed fcntl) is ended by the
 * worker's watchdog: a round still running after ROUND_SECONDS is killed
 * with all the processes it forked, and counted. The parent counts what
 * happened.
 *
 * The rounds may wreck any memory they share with the workers (a fuzzed
 * MADV_REMOVE over the counters' shared page zeroes it, as on Linux), so
 * a worker trusts that page only for the round that just ended: it adds
 * the round's figures, each capped at what a round can do, to totals in
 * its own memory, kills only plausible process ids the round recorded
 * (never 0 or a negative one, which would be a whole process group), and
 * sends its totals to the parent through a pipe the rounds have closed.
 *
 * Before the workers start, the parent fills the process table once (so
 * the kernel's per-slot page tables exist), reads fresh anonymous memory
 * once (so mm/'s shared zero page exists) and notes the free frames
 * (sysinfo); after all processes are gone and the files the rounds made
 * are removed, the count must be exactly the same. Rounds only remove or
 * replace names they own, so the kernel's records of what existed before
 * stay where they were. With one worker the check is also made after
 * every round, and a round that keeps frames is named (with verbose, its
 * calls are printed above that line; a difference of one frame there can
 * also be copy-on-write between the parent and the worker). The parent
 * must be process 1, so that orphans come back to it. For mmcore only: on
 * Linux the free memory moves for its own reasons.
 *
 * The numbers are x86-64's or aarch64's (the generic table), whichever
 * the program is built for. */
#include <ulib.h>

/* System-call numbers: x86-64's, or aarch64's generic ones; -1 where the
 * architecture has no such call. */
#if defined(__x86_64__)
#define NR(x86, a64) (x86)
#else
#define NR(x86, a64) (a64)
#endif
#define NR_fcntl NR(72, 25)
#define NR_getdents64 NR(217, 61)
#define NR_unlinkat NR(263, 35)
#define NR_mkdirat NR(258, 34)
#define NR_openat NR(257, 56)
#define NR_clone NR(56, 220)
#define NR_exit NR(60, 93)
#define NR_exit_group NR(231, 94)
#define AT_FDCWD_ (-100)

#define WORKERS_MAX 16
#define ROUND_CALLS 2000
#define ROUND_SECONDS 10
#define ROUND_PIDS 256
#define OUT_FD 200
#define ARENA 0x200000000UL /* MAP_FIXED play area: 64 MiB */
#define ARENA_PAGES 16384
#define SNAPSHOT_MAX 256
#define PATH_LEN 256

/* ---- what the processes share: counters in MAP_SHARED pages ---- */

int main(int argc, char **argv);

struct counters {
    unsigned long calls, ok, enosys, efault, rounds, signalled, forks, stopped, leaky;
    long pids[ROUND_PIDS]; /* processes the current round forked */
    unsigned long npids;
    long last[3][7];       /* the call each level of the round made last */
};
static struct counters *shared; /* one per worker */

/* ---- random numbers (xorshift64*) ---- */

static unsigned long rng_state;

static unsigned long rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dUL;
}

static unsigned long below(unsigned long n) { return n ? rnd() % n : 0; }
static int chance(unsigned percent) { return below(100) < percent; }

static unsigned long to_ul(const char *s)
{
    unsigned long v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (unsigned long)(*s++ - '0');
    return v;
}

/* ---- the memory a round aims its pointers at ---- */

struct targets {
    char *rw;       /* 4 read-write pages */
    char *ro;       /* a read-only page */
    char *none;     /* a PROT_NONE page */
    char *edge;     /* a read-write page with nothing mapped after it */
    char *paths;    /* the strings below, read-only after setup */
    char *times;    /* timespecs, read-only */
    char *argvs;    /* argument vectors, read-only */
    const char *path[24];
    unsigned npath, nown; /* path[0..nown): names this round owns */
    const char *self_path; /* this program: for execve only */
    unsigned long argv_good, argv_badstr, argv_edge;
    int fds[8];
    unsigned nfds;
    long child;     /* the last child this process forked */
    long self;
    int depth;      /* 0: the round itself; 1, 2: its children */
    int verbose;
    unsigned worker;
};
static struct targets T;

/* len bytes with prot, between two PROT_NONE guard pages: a pointer that
 * runs off either end faults instead of reaching the next mapping. */
static char *map_anon(unsigned long len, int prot)
{
    long p = sys_mmap(0, len + 2 * PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sys_failed(p) || sys_mprotect((char *)p + PAGE_SIZE, len, prot))
        return 0;
    return (char *)p + PAGE_SIZE;
}

static void add_path(char **at, const char *s)
{
    size_t n = strlen(s) + 1;
    memcpy(*at, s, n);
    T.path[T.npath++] = *at;
    *at += n;
}

static void targets_setup(unsigned worker)
{
    T.rw = map_anon(4 * PAGE_SIZE, PROT_READ | PROT_WRITE);
    T.ro = map_anon(PAGE_SIZE, PROT_READ | PROT_WRITE);
    T.none = map_anon(PAGE_SIZE, PROT_NONE);
    T.edge = map_anon(3 * PAGE_SIZE, PROT_READ | PROT_WRITE);
    T.paths = map_anon(3 * PAGE_SIZE, PROT_READ | PROT_WRITE);
    T.times = map_anon(PAGE_SIZE, PROT_READ | PROT_WRITE);
    T.argvs = map_anon(PAGE_SIZE, PROT_READ | PROT_WRITE);
    if (!T.rw || !T.ro || !T.none || !T.edge || !T.paths || !T.times || !T.argvs)
        sys_exit_group(3);
    sys_munmap(T.edge + PAGE_SIZE, 3 * PAGE_SIZE); /* a hole of three pages */
    for (unsigned i = 0; i < 4 * PAGE_SIZE; i++)
        T.rw[i] = (char)rnd();
    memset(T.ro, 'r', PAGE_SIZE);
    memset(T.edge, '/', PAGE_SIZE); /* a path with no end before the hole */

    /* Paths a round may create, open, truncate, rename and remove: its own
     * names under /tmp. And names that exist or are wrong in some way,
     * which only calls that cannot remove or replace them get: nothing
     * that existed before the run is changed, so that the kernel's own
     * records of it stay where they were (the frame count is exact). */
    char *at = T.paths, dir[32], name[64];
    snprintf(dir, sizeof dir, "/tmp/fz%u", worker);
    add_path(&at, dir);
    snprintf(name, sizeof name, "%s/a", dir);
    add_path(&at, name);
    snprintf(name, sizeof name, "%s/b", dir);
    add_path(&at, name);
    snprintf(name, sizeof name, "%s/d", dir);
    add_path(&at, name);
    snprintf(name, sizeof name, "%s/d/f", dir);
    add_path(&at, name);
    snprintf(name, sizeof name, "%s/a/", dir);
    add_path(&at, name);
    snprintf(name, sizeof name, "fz%u-rel", worker);
    add_path(&at, name);
    T.nown = T.npath;
    snprintf(T.ro, 32, "%s/ro", dir); /* a path in a read-only page */
    add_path(&at, "/tmp");
    add_path(&at, "/");
    add_path(&at, "");
    add_path(&at, ".");
    add_path(&at, "..");
    add_path(&at, "/nonexistent/x");
    add_path(&at, "/bin/fuzz_sys/x");
    add_path(&at, "//tmp///./");
    /* A name longer than NAME_MAX, and a path longer than PATH_MAX. */
    char *longname = at;
    memcpy(at, "/tmp/", 5);
    memset(at + 5, 'n', 300);
    at[305] = 0;
    T.path[T.npath++] = longname;
    at += 306;
    char *longpath = at;
    for (unsigned i = 0; i < 5000; i += 2)
        at[i] = '/', at[i + 1] = 'x';
    at[5000] = 0;
    T.path[T.npath++] = longpath;
    at += 5001;

    /* Timespecs, all short: 0, 1 us, 2 ms, and invalid ones. */
    long *ts = (long *)T.times;
    long tv[] = {0, 0, 0, 1000, 0, 2000000, 0, 1000000000, -1, 0, 0, -5};
    memcpy(ts, tv, sizeof tv);

    /* Argument vectors for execve: good; a bad string pointer; one that
     * runs into the hole after edge without a NULL. */
    unsigned long *av = (unsigned long *)T.argvs;
    const char *exit_arg = T.paths + 2 * PAGE_SIZE;
    memcpy((char *)exit_arg, "fuzz_sys\0exit\0/bin/fuzz_sys", 28);
    T.self_path = exit_arg + 14;
    av[0] = (unsigned long)exit_arg;
    av[1] = (unsigned long)exit_arg + 9;
    av[2] = 0;
    T.argv_good = (unsigned long)av;
    av[4] = (unsigned long)exit_arg;
    av[5] = 0xffff800000001000UL;
    av[6] = 0;
    T.argv_badstr = (unsigned long)(av + 4);
    unsigned long *e = (unsigned long *)(T.edge + PAGE_SIZE - 3 * sizeof(long));
    e[0] = e[1] = e[2] = (unsigned long)exit_arg;
    T.argv_edge = (unsigned long)e;

    sys_mprotect(T.ro, PAGE_SIZE, PROT_READ);
    sys_mprotect(T.paths, 3 * PAGE_SIZE, PROT_READ);
    sys_mprotect(T.times, PAGE_SIZE, PROT_READ);
    sys_mprotect(T.argvs, PAGE_SIZE, PROT_READ);
    T.worker = worker;
    T.self = sys_getpid();
}

/* ---- argument kinds ---- */

enum kind {
    K_NONE, K_INT, K_FD, K_DIRFD, K_BUF_IN, K_BUF_OUT, K_LEN, K_PATH, K_WPATH, K_OFLAGS, K_MODE, K_ADDR, K_MLEN,
    K_PROT, K_MFLAGS, K_OFF, K_SIG, K_PID, K_WAITPID, K_TIMESPEC, K_TIMEOUT, K_NFDS, K_WHENCE, K_FCNTL,
    K_IOCTL, K_ARGV, K_EXECPATH, K_CLOCK, K_RES, K_ADVICE, K_MSFLAGS, K_RFLAGS, K_HOW, K_WAITOPT,
    K_ARCHCODE, K_ATFLAGS, K_IOV, K_SETSIZE, K_REBOOT, K_CLONE, K_ZERO, K_SMALL, K_BADPTR, K_IDTYPE,
    K_WAITIDOPT, K_PIPEFLAGS,
};

static const unsigned long hostile_ptrs[] = {
    0, 1, 8, 0xfff, 0x1000, 0x10000, 0x7ffffffff000UL, 0x7fffffffeff8UL, 0x7fffffffffffUL,
    0x800000000000UL, 0xffff800000000000UL, 0xffffffff80000000UL, 0xffffffff80100000UL,
    0xfffffffffffff000UL, ~0UL, 1UL << 63, 0x0000100000000000UL, 0xdead000UL,
};
#define NHOSTILE (sizeof hostile_ptrs / sizeof hostile_ptrs[0])

/* Pointers no mapping can ever make valid: the top of user space and
 * above, the non-canonical hole, the kernel half. */
static const unsigned long unmappable_ptrs[] = {
    USER_STACK_TOP, USER_STACK_TOP + 0xfff, 1UL << 48, 0xffff800000000000UL, 0xffffffff80000000UL,
    0xffffffff80100000UL, 0xfffffffffffff000UL, ~0UL, 1UL << 63,
};
#define NUNMAPPABLE (sizeof unmappable_ptrs / sizeof unmappable_ptrs[0])

static unsigned long own_ptr(int writable)
{
    long here;
    switch (below(writable ? 6 : 9)) {
    case 0: return (unsigned long)T.rw + below(4 * PAGE_SIZE);
    case 1: return (unsigned long)T.rw;
    case 2: return (unsigned long)T.rw + 4 * PAGE_SIZE - 1 - below(16); /* runs off the end */
    case 3: return (unsigned long)T.edge + PAGE_SIZE - 1 - below(64);  /* straddles the hole */
    case 4: return (unsigned long)T.none + below(PAGE_SIZE);
    case 5: return (unsigned long)T.ro;
    case 6: return (unsigned long)T.paths + below(PAGE_SIZE);
    case 7: return (unsigned long)main;                                    /* our code */
    default: return ((unsigned long)&here & ~(PAGE_SIZE - 1)) - below(4) * PAGE_SIZE; /* our stack */
    }
}

static unsigned long any_ptr(int writable)
{
    return chance(65) ? own_ptr(writable) : hostile_ptrs[below(NHOSTILE)] + (chance(20) ? below(64) : 0);
}

static unsigned long len_value(void)
{
    static const unsigned long huge[] = {1UL << 31, 1UL << 32, ~0UL, 1UL << 62, 0x7fffffffffffffffUL,
                                         0x7ffff000UL, ~0UL - PAGE_SIZE + 2};
    unsigned long c = below(100);
    if (c < 40)
        return below(65);
    if (c < 60)
        return PAGE_SIZE - 1 + below(3);
    if (c < 85)
        return below(5 * PAGE_SIZE);
    return huge[below(sizeof huge / sizeof huge[0])];
}

static unsigned long fd_value(void)
{
    static const long odd[] = {-1, -100, 1L << 31, 0x7fffffff, 255, 256, 1023, -2};
    unsigned long c = below(100);
    if (c < 55 && T.nfds)
        return (unsigned long)T.fds[below(T.nfds)];
    if (c < 85)
        return below(12);
    return (unsigned long)odd[below(sizeof odd / sizeof odd[0])];
}

static unsigned long addr_value(void)
{
    unsigned long c = below(100);
    if (c < 30)
        return ARENA + below(ARENA_PAGES) * PAGE_SIZE;
    if (c < 38)
        return ARENA + below(ARENA_PAGES * PAGE_SIZE);
    if (c < 75) {
        char *own[] = {T.rw, T.ro, T.none, T.edge, T.edge + PAGE_SIZE, T.rw + PAGE_SIZE};
        return (unsigned long)own[below(6)];
    }
    if (c < 77)
        return own_ptr(0) & ~(PAGE_SIZE - 1);
    if (c < 82)
        return 0x10000 + below(16) * PAGE_SIZE;
    return hostile_ptrs[below(NHOSTILE)];
}

static unsigned long mlen_value(void)
{
    unsigned long c = below(100);
    if (c < 50)
        return (1 + below(16)) * PAGE_SIZE;
    if (c < 65)
        return (1 + below(256)) * PAGE_SIZE;
    if (c < 80)
        return 1 + below(8 * PAGE_SIZE);
    if (c < 85)
        return 0;
    return len_value();
}

static unsigned long bit(void) { return 1UL << below(64); }

static unsigned long arg(enum kind k)
{
    switch (k) {
    case K_NONE:
    case K_ZERO: return 0;
    case K_INT: return chance(50) ? below(16) : chance(50) ? rnd() : hostile_ptrs[below(NHOSTILE)];
    case K_SMALL: return below(8);
    case K_FD: return fd_value();
    case K_DIRFD: return chance(60) ? (unsigned long)-100 : fd_value();
    case K_BUF_IN: return any_ptr(0);
    case K_BUF_OUT: return any_ptr(1);
    case K_LEN: return len_value();
    case K_PATH:
        if (chance(75))
            return (unsigned long)T.path[below(T.npath)];
        return chance(50) ? own_ptr(0) : hostile_ptrs[below(NHOSTILE)];
    case K_WPATH:
        /* Only names the round owns, or pointers that cannot name anything
         * (a string that runs into the hole, PROT_NONE, hostile): bytes
         * the kernel wrote into our pages (a directory listing) could
         * spell the name of something that existed before. */
        if (chance(75))
            return (unsigned long)T.path[below(T.nown)];
        if (chance(50))
            return chance(50) ? (unsigned long)T.edge + PAGE_SIZE - 1 - below(64) : (unsigned long)T.none;
        return hostile_ptrs[below(NHOSTILE)];
    case K_EXECPATH: {
        unsigned long c = below(100);
        if (c < 40)
            return (unsigned long)T.path[below(T.npath)];
        if (c < 70)
            return (unsigned long)T.self_path;
        return any_ptr(0);
    }
    case K_ARGV: {
        unsigned long c = below(100);
        if (c < 40)
            return T.argv_good;
        if (c < 55)
            return T.argv_badstr;
        if (c < 70)
            return T.argv_edge;
        return c < 80 ? 0 : any_ptr(0);
    }
    case K_OFLAGS: {
        static const unsigned long opt[] = {O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_CLOEXEC, 04000, 0400000};
        unsigned long f = below(4);
        for (unsigned i = 0; i < 8; i++)
            if (chance(20))
                f |= opt[i];
        return chance(5) ? f | bit() : f;
    }
    case K_MODE: return chance(70) ? 0644 : chance(50) ? 0 : rnd();
    case K_ADDR: return addr_value();
    case K_MLEN: return mlen_value();
    case K_PROT: {
        unsigned long p = below(8);
        if (chance(5))
            p |= chance(50) ? PROT_GROWSDOWN : PROT_GROWSUP;
        return chance(5) ? p | bit() : p;
    }
    case K_MFLAGS: {
        static const unsigned long opt[] = {MAP_FIXED, MAP_POPULATE, MAP_NORESERVE, MAP_GROWSDOWN, 0x2000 /* LOCKED */,
                                            MAP_STACK, 0x40000 /* HUGETLB */, 0x40 /* 32BIT */, 0x80000 /* SYNC */,
                                            MAP_FIXED_NOREPLACE, 0x10000 /* NONBLOCK */};
        unsigned long f = chance(80) ? MAP_PRIVATE : chance(70) ? MAP_SHARED : below(16);
        if (chance(80))
            f |= MAP_ANONYMOUS;
        for (unsigned i = 0; i < sizeof opt / sizeof opt[0]; i++)
            if (chance(i == 0 ? 30 : 6))
                f |= opt[i];
        return chance(5) ? f | bit() : f;
    }
    case K_OFF: return chance(60) ? below(8) * PAGE_SIZE : chance(50) ? below(100000) : hostile_ptrs[below(NHOSTILE)];
    case K_SIG: return chance(90) ? below(66) : rnd();
    case K_PID: {
        /* Never "everyone" (the other workers), never init (prlimit64
         * could change its limits; signals for it are added in
         * round_run): only this process, its child, and numbers no
         * process has. */
        static const long nobody[] = {99999, 0x7fffffff, (long)0x80000000, -99999, 4194304};
        unsigned long c = below(100);
        if (c < 30)
            return (unsigned long)T.self;
        if (c < 55 && T.child > 0)
            return (unsigned long)T.child;
        if (c < 65)
            return (unsigned long)-T.self;
        return (unsigned long)nobody[below(5)];
    }
    case K_WAITPID: {
        unsigned long c = below(100);
        if (c < 50)
            return (unsigned long)-1L;
        if (c < 70 && T.child > 0)
            return (unsigned long)T.child;
        return c < 80 ? 0 : (unsigned long)(long)(chance(50) ? 99999 : -(long)T.self);
    }
    case K_TIMESPEC:
        /* A short timespec of ours, or a pointer nothing can map (a mapped
         * page of random bytes could say "sleep for years"). */
        return chance(80) ? (unsigned long)T.times + 16 * below(6) : unmappable_ptrs[below(NUNMAPPABLE)];
    case K_TIMEOUT: return below(3);
    case K_NFDS: return chance(80) ? below(9) : chance(50) ? 1024 : ~0UL;
    case K_WHENCE: return chance(90) ? below(5) : rnd();
    case K_FCNTL: {
        static const unsigned long cmd[] = {0, 1, 2, 3, 4, 1030, 1024, 1025, 1031, 8, 9};
        return chance(90) ? cmd[below(sizeof cmd / sizeof cmd[0])] : rnd();
    }
    case K_IOCTL: {
        static const unsigned long cmd[] = {0x5401, 0x5402, 0x5413, 0x541b, 0x5421, 0x5451};
        return chance(85) ? cmd[below(6)] : rnd();
    }
    case K_CLOCK: return chance(85) ? below(12) : rnd();
    case K_RES: return chance(85) ? below(17) : rnd();
    case K_ADVICE: {
        static const unsigned long adv[] = {0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
                                            20, 21, 22, 23, 24, 25, 100, 101, 102, 103};
        return chance(90) ? adv[below(sizeof adv / sizeof adv[0])] : rnd();
    }
    case K_MSFLAGS: return chance(90) ? below(8) : rnd();
    case K_RFLAGS: return chance(90) ? below(8) : bit();
    case K_HOW: return chance(90) ? below(4) : rnd();
    case K_WAITOPT: return chance(50) ? 0 : chance(70) ? 1 /* WNOHANG */ : below(0x40) | 1;
    case K_ARCHCODE: {
        static const unsigned long code[] = {0x1001, 0x1002, 0x1003, 0x1004, 0x1011, 0x3001};
        return chance(90) ? code[below(6)] : rnd();
    }
    case K_ATFLAGS: {
        static const unsigned long f[] = {0, 0x100, 0x200, 0x400, 0x800, 0x1000};
        return chance(90) ? f[below(6)] : bit();
    }
    case K_IOV: {
        /* A vector of 1 to 4 entries built in rw, or a bad pointer. */
        if (chance(25))
            return any_ptr(0);
        unsigned long *v = (unsigned long *)(T.rw + 3 * PAGE_SIZE);
        for (unsigned i = 0; i < 8; i += 2) {
            v[i] = any_ptr(1);
            v[i + 1] = chance(80) ? below(300) : len_value();
        }
        return (unsigned long)v;
    }
    case K_SETSIZE: return chance(85) ? 8 : below(200);
    case K_REBOOT: {
        unsigned long v = rnd();
        return (v & 0xffffffffUL) == 0xfee1deadUL ? v + 1 : v; /* never the magic: no power-off */
    }
    case K_CLONE: return chance(70) ? 17 /* SIGCHLD */ : chance(50) ? below(0x100) : rnd();
    case K_BADPTR: return unmappable_ptrs[below(NUNMAPPABLE)] + below(8);
    case K_IDTYPE: return chance(90) ? below(4) : rnd();
    case K_WAITIDOPT:
        /* Exited children (they all end), or anything with WNOHANG:
         * waiting for a child to stop or continue would wait for good. */
        return chance(70) ? (4 /* WEXITED */ | (chance(50) ? 1 : 0) | (chance(20) ? 0x1000000 : 0)) : below(0x40) | 1;
    case K_PIPEFLAGS: return 04000 /* O_NONBLOCK */ | (chance(30) ? O_CLOEXEC : 0) | (chance(5) ? bit() : 0);
    }
    return 0;
}

/* ---- the system calls: every number the kernel implements ---- */

struct call {
    short nr;
    unsigned char weight;
    unsigned char kinds[6];
};

static const struct call calls[] = {
    {NR(0, 63), 4, {K_FD, K_BUF_OUT, K_LEN}},                         /* read */
    {NR(1, 64), 4, {K_FD, K_BUF_IN, K_LEN}},                          /* write */
    {NR(2, -1), 4, {K_PATH, K_OFLAGS, K_MODE}},                       /* open */
    {NR(3, 57), 3, {K_FD}},                                           /* close */
    {NR(4, -1), 2, {K_PATH, K_BUF_OUT}},                              /* stat */
    {NR(5, 80), 2, {K_FD, K_BUF_OUT}},                                /* fstat */
    {NR(6, -1), 1, {K_PATH, K_BUF_OUT}},                              /* lstat */
    {NR(7, -1), 1, {K_BUF_OUT, K_NFDS, K_TIMEOUT}},                   /* poll */
    {NR(8, 62), 2, {K_FD, K_OFF, K_WHENCE}},                          /* lseek */
    {NR(9, 222), 12, {K_ADDR, K_MLEN, K_PROT, K_MFLAGS, K_FD, K_OFF}}, /* mmap */
    {NR(10, 226), 8, {K_ADDR, K_MLEN, K_PROT}},                       /* mprotect */
    {NR(11, 215), 6, {K_ADDR, K_MLEN}},                               /* munmap */
    {NR(12, 214), 4, {K_ADDR}},                                       /* brk */
    {NR(13, 134), 2, {K_SIG, K_BUF_IN, K_BUF_OUT, K_SETSIZE}},        /* rt_sigaction */
    {NR(14, 135), 2, {K_HOW, K_BUF_IN, K_BUF_OUT, K_SETSIZE}},        /* rt_sigprocmask */
    {NR(15, 139), 1, {K_NONE}},                                       /* rt_sigreturn */
    {NR(16, 29), 2, {K_FD, K_IOCTL, K_BUF_OUT}},                      /* ioctl */
    {NR(17, 67), 2, {K_FD, K_BUF_OUT, K_LEN, K_OFF}},                 /* pread64 */
    {NR(18, 68), 2, {K_FD, K_BUF_IN, K_LEN, K_OFF}},                  /* pwrite64 */
    {NR(19, 65), 2, {K_FD, K_IOV, K_SMALL}},                          /* readv */
    {NR(20, 66), 2, {K_FD, K_IOV, K_SMALL}},                          /* writev */
    {NR(21, -1), 1, {K_PATH, K_SMALL}},                               /* access */
    {NR(22, -1), 1, {K_BUF_OUT}},                                     /* pipe */
    {NR(24, 124), 1, {K_NONE}},                                       /* sched_yield */
    {NR(25, 216), 6, {K_ADDR, K_MLEN, K_MLEN, K_RFLAGS, K_ADDR}},     /* mremap */
    {NR(26, 227), 3, {K_ADDR, K_MLEN, K_MSFLAGS}},                    /* msync */
    {NR(27, 232), 3, {K_ADDR, K_MLEN, K_BUF_OUT}},                    /* mincore */
    {NR(28, 233), 6, {K_ADDR, K_MLEN, K_ADVICE}},                     /* madvise */
    {NR(32, 23), 1, {K_FD}},                                          /* dup */
    {NR(33, -1), 1, {K_FD, K_FD}},                                    /* dup2 */
    {NR(35, 101), 1, {K_TIMESPEC, K_BUF_OUT}},                        /* nanosleep */
    {NR(39, 172), 1, {K_NONE}},                                       /* getpid */
    {NR(56, 220), 1, {K_CLONE, K_ZERO, K_BUF_OUT, K_BUF_OUT, K_INT}}, /* clone */
    {NR(57, -1), 1, {K_NONE}},                                        /* fork */
    {NR(58, -1), 1, {K_NONE}},                                        /* vfork */
    {NR(59, 221), 1, {K_EXECPATH, K_ARGV, K_ARGV}},                   /* execve */
    {NR(61, 260), 2, {K_WAITPID, K_BUF_OUT, K_WAITOPT, K_BUF_OUT}},   /* wait4 */
    {NR(62, 129), 1, {K_PID, K_SIG}},                                 /* kill */
    {NR(63, 160), 1, {K_BUF_OUT}},                                    /* uname */
    {NR(72, 25), 2, {K_FD, K_FCNTL, K_INT}},                          /* fcntl */
    {NR(76, 45), 1, {K_WPATH, K_OFF}},                                /* truncate */
    {NR(77, 46), 2, {K_FD, K_OFF}},                                   /* ftruncate */
    {NR(79, 17), 1, {K_BUF_OUT, K_LEN}},                              /* getcwd */
    {NR(82, -1), 1, {K_WPATH, K_WPATH}},                              /* rename */
    {NR(83, -1), 2, {K_PATH, K_MODE}},                                /* mkdir */
    {NR(84, -1), 2, {K_WPATH}},                                       /* rmdir */
    {NR(85, -1), 2, {K_PATH, K_MODE}},                                /* creat */
    {NR(87, -1), 2, {K_WPATH}},                                       /* unlink */
    {NR(96, 169), 1, {K_BUF_OUT, K_BUF_OUT}},                         /* gettimeofday */
    {NR(97, 163), 1, {K_RES, K_BUF_OUT}},                             /* getrlimit */
    {NR(99, 179), 1, {K_BUF_OUT}},                                    /* sysinfo */
    {NR(102, 174), 1, {K_NONE}},                                      /* getuid */
    {NR(104, 176), 1, {K_NONE}},                                      /* getgid */
    {NR(107, 175), 1, {K_NONE}},                                      /* geteuid */
    {NR(108, 177), 1, {K_NONE}},                                      /* getegid */
    {NR(110, 173), 1, {K_NONE}},                                      /* getppid */
    {NR(127, 136), 1, {K_BUF_OUT, K_SETSIZE}},                        /* rt_sigpending */
    {NR(130, 133), 1, {K_BADPTR, K_SETSIZE}},                         /* rt_sigsuspend: a bad mask only */
    {NR(131, 132), 1, {K_BUF_IN, K_BUF_OUT}},                         /* sigaltstack */
    {NR(158, -1), 1, {K_ARCHCODE, K_BUF_OUT}},                        /* arch_prctl */
    {NR(160, 164), 1, {K_RES, K_BUF_IN}},                             /* setrlimit */
    {NR(169, 142), 1, {K_REBOOT, K_INT, K_INT, K_BUF_IN}},            /* reboot */
    {NR(186, 178), 1, {K_NONE}},                                      /* gettid */
    {NR(200, 130), 1, {K_PID, K_SIG}},                                /* tkill */
    {NR(201, -1), 1, {K_BUF_OUT}},                                    /* time */
    {NR(204, 123), 1, {K_PID, K_LEN, K_BUF_OUT}},                     /* sched_getaffinity */
    {NR(217, 61), 2, {K_FD, K_BUF_OUT, K_LEN}},                       /* getdents64 */
    {NR(218, 96), 1, {K_BUF_OUT}},                                    /* set_tid_address */
    {NR(228, 113), 1, {K_CLOCK, K_BUF_OUT}},                          /* clock_gettime */
    {NR(229, 114), 1, {K_CLOCK, K_BUF_OUT}},                          /* clock_getres */
    {NR(230, 115), 1, {K_CLOCK, K_SMALL, K_TIMESPEC, K_BUF_OUT}},     /* clock_nanosleep */
    {NR(234, 131), 1, {K_PID, K_PID, K_SIG}},                         /* tgkill */
    {NR(247, 95), 1, {K_IDTYPE, K_PID, K_BUF_OUT, K_WAITIDOPT, K_BUF_OUT}}, /* waitid */
    {NR(257, 56), 3, {K_DIRFD, K_PATH, K_OFLAGS, K_MODE}},            /* openat */
    {NR(258, 34), 1, {K_DIRFD, K_PATH, K_MODE}},                      /* mkdirat */
    {NR(262, 79), 1, {K_DIRFD, K_PATH, K_BUF_OUT, K_ATFLAGS}},        /* newfstatat */
    {NR(263, 35), 1, {K_DIRFD, K_WPATH, K_ATFLAGS}},                  /* unlinkat */
    {NR(264, 38), 1, {K_DIRFD, K_WPATH, K_DIRFD, K_WPATH}},           /* renameat */
    {NR(269, 48), 1, {K_DIRFD, K_PATH, K_SMALL, K_ATFLAGS}},          /* faccessat */
    {NR(271, 73), 1, {K_BUF_OUT, K_NFDS, K_TIMESPEC, K_BUF_IN, K_SETSIZE}}, /* ppoll */
    {NR(273, 99), 1, {K_BUF_IN, K_LEN}},                              /* set_robust_list */
    {NR(292, 24), 1, {K_FD, K_FD, K_INT}},                            /* dup3 */
    {NR(293, 59), 1, {K_BUF_OUT, K_PIPEFLAGS}},                       /* pipe2 */
    {NR(302, 261), 1, {K_PID, K_RES, K_BUF_IN, K_BUF_OUT}},           /* prlimit64 */
    {NR(316, 276), 1, {K_DIRFD, K_WPATH, K_DIRFD, K_WPATH, K_SMALL}}, /* renameat2 */
    {NR(318, 278), 2, {K_BUF_OUT, K_LEN, K_INT}},                     /* getrandom */
    {NR(1000, 1000), 1, {K_SMALL, K_ADDR, K_BUF_OUT}},                /* mmcore_vminfo */
    {NR(439, 439), 1, {K_DIRFD, K_PATH, K_SMALL, K_ATFLAGS}},         /* faccessat2 */
};
#define NCALLS (sizeof calls / sizeof calls[0])

static unsigned total_weight;

static const struct call *pick_call(void)
{
    unsigned long w = below(total_weight);
    for (unsigned i = 0; i < NCALLS; i++) {
        if (calls[i].nr < 0)
            continue;
        if (w < calls[i].weight)
            return &calls[i];
        w -= calls[i].weight;
    }
    return &calls[0];
}

/* Numbers that end the round, or block until a signal or another
 * process acts (pause, and calls of that kind a later kernel may add), are
 * not drawn at random: those in the table have safe argument kinds. */
static int may_block_for_good(long nr)
{
    static const long never[] = {
        NR(34, -1),   /* pause */
        NR_exit, NR_exit_group,
        NR(23, -1),   /* select */
        NR(202, 98),  /* futex */
        NR(232, -1),  /* epoll_wait */
        NR(270, 72),  /* pselect6 */
        NR(281, 22),  /* epoll_pwait */
        NR(441, 441), /* epoll_pwait2 */
        NR(128, 137), /* rt_sigtimedwait */
        NR(37, -1),   /* alarm */
        NR(38, 103),  /* setitimer */
        NR(69, 189), NR(70, 188), NR(65, 193), NR(220, 192), NR(243, 183), /* message queues, semaphores */
        NR(43, 202), NR(45, 207), NR(47, 212), NR(288, 242), /* accept, recvfrom, recvmsg, accept4 */
    };
    for (unsigned i = 0; i < sizeof never / sizeof never[0]; i++)
        if (never[i] == nr)
            return 1;
    return 0;
}

static const struct call *find_call(long nr)
{
    for (unsigned i = 0; i < NCALLS; i++)
        if (calls[i].nr == nr && nr >= 0)
            return &calls[i];
    return 0;
}

/* ---- one round ---- */

static void note_fd(long fd)
{
    if (fd < 0 || fd > 0xffff)
        return;
    if (T.nfds < 8)
        T.fds[T.nfds++] = (int)fd;
    else
        T.fds[below(8)] = (int)fd;
}

/* A pipe the round made: keep its ends (they were made non-blocking, or
 * are made so here) so that later calls use them. */
static void pipe_made(int *fds, int plain)
{
    int fd[2];
    memcpy(fd, fds, sizeof fd); /* the kernel just wrote them: readable */
    for (int k = 0; k < 2; k++) {
        if (plain)
            syscall3(SYS_fcntl, fd[k], 4 /* F_SETFL */, 04000 /* O_NONBLOCK */);
        note_fd(fd[k]);
    }
}

static _Noreturn void round_run(unsigned worker, unsigned long budget)
{
    struct counters *c = &shared[worker];
    targets_setup(worker);
    syscall3(NR_mkdirat, AT_FDCWD_, (long)T.path[0], 0755);
    for (unsigned long i = 0; i < budget; i++) {
        long a[6] = {0}, nr, ret;
        const struct call *call = 0;
        unsigned long what = below(1000);

        if (what < 1) {
            /* A user access of our own at a pointer of any kind: may end
             * this process with SIGSEGV or SIGBUS. */
            volatile char *p = (volatile char *)any_ptr(1);
            if (chance(50))
                (void)*p;
            else
                *p = 1;
            continue;
        }
        if (what < 2) {
            nr = chance(50) ? NR_exit : NR_exit_group;
            a[0] = (long)below(256);
        } else if (what < 10) {
            /* Any number, mostly not implemented; one the kernel has gets
             * its arguments from the table (kill(0) must not reach init). */
            nr = chance(70) ? (long)below(600) : (long)rnd();
            call = find_call(nr);
            if (may_block_for_good(nr))
                continue;
            for (int k = 0; k < 6; k++)
                a[k] = (long)arg(call ? (enum kind)call->kinds[k] : K_INT);
        } else {
            call = pick_call();
            nr = call->nr;
            for (int k = 0; k < 6; k++)
                a[k] = (long)arg((enum kind)call->kinds[k]);
        }
        if (nr == NR_fcntl && a[1] == 4)
            a[2] |= 04000; /* F_SETFL keeps O_NONBLOCK: a pipe read must not wait for good */
        if ((nr == NR(62, 129) || nr == NR(200, 130)) && chance(5))
            a[0] = 1; /* kill, tkill: process 1 drops what it has no handler for */
        if (nr == NR(234, 131) && chance(5))
            a[0] = a[1] = 1; /* tgkill */
        if (T.verbose)
            dprintf(OUT_FD, "[w%u d%d %lu] %ld(%lx, %lx, %lx, %lx, %lx, %lx)\n", worker, T.depth, i, nr, a[0], a[1],
                    a[2], a[3], a[4], a[5]);
        c->last[T.depth][0] = nr;
        memcpy(&c->last[T.depth][1], a, sizeof a);
        ret = syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        c->calls++;
        c->ok += !sys_failed(ret);
        c->enosys += ret == -ENOSYS;
        c->efault += ret == -EFAULT;
        if (nr == NR(2, -1) || nr == NR(85, -1) || nr == NR_openat || nr == NR(32, 23) || nr == NR(33, -1) ||
            nr == NR(292, 24) || (nr == NR_fcntl && a[1] == 0))
            note_fd(ret);
        if ((nr == NR(22, -1) || nr == NR(293, 59)) && ret == 0)
            pipe_made((int *)a[0], nr == NR(22, -1));
        if ((nr == NR_clone || nr == NR(57, -1) || nr == NR(58, -1)) && ret >= 0) {
            if (ret > 0) {
                T.child = ret;
                c->forks++;
                c->pids[c->npids++ % ROUND_PIDS] = ret;
            } else {
                /* The child: its own sequence, fewer calls, and no deeper
                 * than two levels. */
                T.depth++;
                T.self = sys_getpid();
                rng_state ^= 0x94d049bb133111ebUL * (unsigned long)T.self;
                T.child = 0;
                if (T.depth > 2)
                    sys_exit_group(0);
                budget = i + 1 + 200 / (unsigned long)T.depth;
            }
        }
    }
    sys_exit_group(0);
}

/* ---- a worker: rounds until its share of calls is made ---- */

static unsigned fs_restore(void);
static unsigned long free_pages(unsigned *procs);
static void stack_touch(void);

static unsigned long now_ms(void)
{
    long ts[2] = {0, 0};
    syscall2(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, (long)ts);
    return (unsigned long)ts[0] * 1000 + (unsigned long)ts[1] / 1000000;
}

static void sleep_ms(long ms)
{
    long ts[2] = {ms / 1000, (ms % 1000) * 1000000};
    syscall2(SYS_nanosleep, (long)ts, 0);
}

static long worker_pid;   /* the worker's own id (in a worker) */
static int report_fd = -1; /* a worker's end of its pipe to the parent */

/* A process id the round recorded, if it can be one of its processes: not
 * 0 or negative (a process group), not init, not the worker itself. The
 * record lives in memory the round could have overwritten. */
static int round_pid(const struct counters *c, unsigned long i)
{
    long pid = c->pids[i % ROUND_PIDS];
    return pid > 1 && pid <= 0x7fffffff && pid != worker_pid ? (int)pid : 0;
}

/* Whether anything the round forked is still alive. */
static int kill_descendants_alive(struct counters *c)
{
    unsigned long from = c->npids > ROUND_PIDS ? c->npids - ROUND_PIDS : 0;
    for (unsigned long i = from; i < c->npids; i++)
        if (round_pid(c, i) && sys_kill(round_pid(c, i), 0) == 0)
            return 1;
    return 0;
}

/* Kill whatever the round forked that is still alive (kill(pid, 0)
 * answers -ESRCH for the dead and the zombies). Returns how many. */
static unsigned kill_descendants(struct counters *c)
{
    unsigned n = 0;
    unsigned long from = c->npids > ROUND_PIDS ? c->npids - ROUND_PIDS : 0;
    for (unsigned long i = from; i < c->npids; i++)
        if (round_pid(c, i) && sys_kill(round_pid(c, i), 0) == 0 && sys_kill(round_pid(c, i), SIGKILL) == 0)
            n++;
    return n;
}

/* Add what the round in c reports to the worker's totals t, each figure
 * capped at what one round of budget calls can have done (the record may
 * have been overwritten by the round). The worker clears the record just
 * before each round. */
static void round_collect(struct counters *t, struct counters *c, unsigned long budget)
{
    unsigned long cap = budget + 1;
    t->calls += c->calls < cap ? c->calls : cap;
    t->ok += c->ok < cap ? c->ok : cap;
    t->enosys += c->enosys < cap ? c->enosys : cap;
    t->efault += c->efault < cap ? c->efault : cap;
    t->forks += c->forks < cap ? c->forks : cap;
}

static _Noreturn void worker_run(unsigned worker, unsigned long share, unsigned long seed, int solo)
{
    struct counters *c = &shared[worker];
    struct counters t = {0}; /* the totals, in the worker's own memory */
    unsigned long round = 0, base = 0;
    worker_pid = sys_getpid();
    if (solo) {
        fs_restore();
        stack_touch();
        base = free_pages(0);
    }
    while (t.calls < share) {
        unsigned long budget = share - t.calls < ROUND_CALLS ? share - t.calls : ROUND_CALLS;
        rng_state = seed ^ (0x9e3779b97f4a7c15UL * (worker + 1)) ^ (round * 0xbf58476d1ce4e5b9UL);
        rnd();
        round++;
        t.rounds++;
        c->calls = c->ok = c->enosys = c->efault = c->forks = 0;
        c->npids = 0;
        memset(c->last, 0, sizeof c->last);
        long pid = sys_fork();
        if (pid == 0) {
            sys_close(report_fd);
            round_run(worker, budget);
        }
        if (pid < 0) {
            sleep_ms(1);
            continue;
        }
        /* Wait for the round, with a watchdog; then for what it forked. */
        unsigned long deadline = now_ms() + ROUND_SECONDS * 1000UL;
        int status, stopped = 0;
        for (;;) {
            long w = sys_wait4((int)pid, &status, 1 /* WNOHANG */, 0);
            if (w == pid) {
                if (WIFSIGNALED(status))
                    t.signalled++;
                break;
            }
            if (w < 0 && w != -4)
                break;
            if (now_ms() > deadline && !stopped) {
                if (T.verbose)
                    for (int d = 0; d < 3; d++)
                        dprintf(OUT_FD,
                                "watchdog: worker %u round %lu level %d last called %ld(%lx, %lx, %lx, %lx, %lx, %lx)\n",
                                worker, round, d, c->last[d][0], c->last[d][1], c->last[d][2], c->last[d][3],
                                c->last[d][4], c->last[d][5], c->last[d][6]);
                sys_kill((int)pid, SIGKILL);
                kill_descendants(c);
                stopped = 1;
                t.stopped++;
            }
            sleep_ms(2);
        }
        while (sys_wait4(-1, &status, 1, 0) > 0)
            ;
        deadline = now_ms() + ROUND_SECONDS * 1000UL;
        while (kill_descendants_alive(c) && now_ms() < deadline)
            sleep_ms(5);
        if (kill_descendants(c))
            t.stopped++;
        round_collect(&t, c, budget);
        if (solo) {
            /* Alone on the machine: the round's frames are all back once
             * init has reaped its orphans and its files are gone. */
            sleep_ms(20);
            fs_restore();
            unsigned long now = free_pages(0);
            if (now != base) {
                t.leaky++;
                if (T.verbose)
                    dprintf(OUT_FD, "leak: worker %u round %lu kept %ld frames\n", worker, round, (long)(base - now));
                base = now;
            }
        }
        if (t.calls == 0 && round > 50)
            break; /* rounds die at once: give up rather than spin */
    }
    sys_write(report_fd, &t, sizeof t);
    sys_exit_group(0);
}

/* ---- the parent: files before and after, free frames ---- */

/* The paths that existed before the run (directories marked), so that
 * what the rounds made can be removed and what they removed put back. */
static char before_paths[SNAPSHOT_MAX][PATH_LEN];
static char before_dir[SNAPSHOT_MAX];
static unsigned nbefore;

struct dirent64 {
    unsigned long ino;
    long off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

#define DT_DIR 4
#define AT_REMOVEDIR 0x200
#define EISDIR_ERR (-21)

static int known_before(const char *p)
{
    for (unsigned i = 0; i < nbefore; i++)
        if (!strcmp(before_paths[i], p))
            return 1;
    return 0;
}

/* Walk the directory open as dirfd, whose path is dir ("" when too long
 * to matter: nothing that deep existed before). record: note every path.
 * Otherwise remove every entry that did not exist before, depth first,
 * through dirfd so that no path length limits it. Returns the entries
 * removed. */
static unsigned walk(long dirfd, const char *dir, int record)
{
    char buf[1024], path[PATH_LEN];
    unsigned removed = 0;
    for (;;) {
        long n = syscall3(NR_getdents64, dirfd, (long)buf, sizeof buf);
        if (n <= 0)
            break;
        for (long off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            off += d->reclen;
            if (!strcmp(d->name, ".") || !strcmp(d->name, ".."))
                continue;
            int fits = *dir && snprintf(path, sizeof path, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", d->name) <
                                   PATH_LEN;
            if (!fits)
                path[0] = 0;
            if (record) {
                if (!fits || nbefore == SNAPSHOT_MAX)
                    continue;
                before_dir[nbefore] = d->type == DT_DIR;
                memcpy(before_paths[nbefore++], path, PATH_LEN);
            } else if (fits && known_before(path) && d->type != DT_DIR) {
                continue;
            } else if (!fits || !known_before(path)) {
                if (syscall3(NR_unlinkat, dirfd, (long)d->name, 0) == 0) {
                    removed++;
                    continue;
                }
            }
            /* A directory (kept, or to be emptied and removed). */
            long fd = syscall4(NR_openat, dirfd, (long)d->name, O_RDONLY | O_DIRECTORY, 0);
            if (fd < 0)
                continue;
            removed += walk(fd, path, record);
            sys_close((int)fd);
            if (!record && (!fits || !known_before(path)))
                removed += syscall3(NR_unlinkat, dirfd, (long)d->name, AT_REMOVEDIR) == 0;
        }
    }
    return removed;
}

static unsigned walk_root(int record)
{
    long fd = sys_open("/", O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return 0;
    unsigned removed = walk(fd, "/", record);
    sys_close((int)fd);
    return removed;
}

/* Remove what the rounds made; put back directories they removed. */
static unsigned fs_restore(void)
{
    unsigned removed = 0, again;
    do {
        again = walk_root(0);
        removed += again;
    } while (again);
    for (unsigned i = 0; i < nbefore; i++)
        if (before_dir[i])
            syscall3(NR_mkdirat, AT_FDCWD_, (long)before_paths[i], 0755); /* EEXIST for most */
    return removed;
}

struct sysinfo_s {
    long uptime;
    unsigned long loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    unsigned short procs, pad;
    unsigned pad2;
    unsigned long totalhigh, freehigh;
    unsigned mem_unit;
    char reserved[4];
};

static unsigned long free_pages(unsigned *procs)
{
    struct sysinfo_s si;
    if (syscall1(SYS_sysinfo, (long)&si))
        return 0;
    if (procs)
        *procs = si.procs;
    return si.freeram * si.mem_unit / PAGE_SIZE;
}

/* Touch 64 KiB of stack below the caller, so that later deep directory
 * walks in the parent do not allocate stack pages after the first count. */
static __attribute__((noinline)) void stack_touch(void)
{
    volatile char block[64 * 1024];
    for (unsigned i = 0; i < sizeof block; i += 512)
        block[i] = 0;
}

/* Read a page of fresh anonymous memory: mm/ maps its shared zero page,
 * which is allocated by the first such read and kept for good. */
static void zero_page_touch(void)
{
    long p = sys_mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!sys_failed(p)) {
        (void)*(volatile char *)p;
        sys_munmap((void *)p, PAGE_SIZE);
    }
}

/* Fill the process table once: the kernel keeps the page tables of each
 * kernel-stack slot it has used, so the count is only comparable once
 * every slot has been used. */
static unsigned fill_process_table(void)
{
    unsigned n = 0;
    for (;;) {
        long pid = sys_fork();
        if (pid == 0) {
            long ts[2] = {0, 300000000};
            syscall2(SYS_nanosleep, (long)ts, 0);
            sys_exit_group(0);
        }
        if (pid < 0)
            break;
        n++;
    }
    int status;
    while (sys_wait4(-1, &status, 0, 0) > 0)
        ;
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "run"))
        return 0; /* what fuzzed execve calls run */
    unsigned long total = argc > 2 ? to_ul(argv[2]) : 200000;
    unsigned long seed = argc > 3 ? to_ul(argv[3]) : 0;
    unsigned procs = argc > 4 ? (unsigned)to_ul(argv[4]) : 4;
    T.verbose = argc > 5 && !strcmp(argv[5], "verbose");
    if (!seed) {
        syscall3(SYS_getrandom, (long)&seed, sizeof seed, 0);
        seed = seed % 1000000000UL + 1;
    }
    if (procs < 1)
        procs = 1;
    if (procs > WORKERS_MAX)
        procs = WORKERS_MAX;
    for (unsigned i = 0; i < NCALLS; i++)
        if (calls[i].nr >= 0)
            total_weight += calls[i].weight;

    dprintf(1, "fuzz_sys: seed %lu, %u processes, %lu calls (replay: fuzz_sys run %lu %lu %u)\n", seed, procs, total,
            total, seed, procs);
    if (syscall3(SYS_fcntl, 1, 0 /* F_DUPFD */, OUT_FD) != OUT_FD) {
        dprintf(1, "fuzz_sys: cannot keep a copy of standard output\n");
        return 2;
    }
    /* The counters, between guard pages, well away from the rounds' own
     * pages. */
    unsigned long bytes = (sizeof(struct counters) * WORKERS_MAX + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    long sp = sys_mmap((void *)0x3f0000000000UL, bytes + 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    shared = (struct counters *)(sp + PAGE_SIZE);
    if (sys_failed(sp) || sys_mprotect((char *)sp, PAGE_SIZE, PROT_NONE) ||
        sys_mprotect((char *)sp + PAGE_SIZE + bytes, PAGE_SIZE, PROT_NONE)) {
        dprintf(OUT_FD, "fuzz_sys: no shared page\n");
        return 2;
    }
    memset(shared, 0, bytes);

    /* The workers must not read the console or write to ours. */
    sys_close(0);
    sys_close(1);
    sys_close(2);

    walk_root(1);
    stack_touch();
    zero_page_touch();
    unsigned filled = fill_process_table();
    fs_restore();
    unsigned procs_before = 0;
    unsigned long free_before = free_pages(&procs_before);

    /* Each worker reports its totals through a pipe of its own. */
    int reports[WORKERS_MAX];
    for (unsigned w = 0; w < procs; w++) {
        int fds[2];
        reports[w] = -1;
        if (syscall2(NR(293, 59) /* pipe2 */, (long)fds, 02000000 /* O_CLOEXEC */)) {
            dprintf(OUT_FD, "fuzz_sys: cannot make worker %u's pipe\n", w);
            continue;
        }
        long pid = sys_fork();
        if (pid == 0) {
            if (!T.verbose)
                sys_close(OUT_FD);
            for (unsigned v = 0; v < w; v++)
                sys_close(reports[v]);
            sys_close(fds[0]);
            report_fd = fds[1];
            worker_run(w, total / procs + (w < total % procs), seed, procs == 1);
        }
        sys_close(fds[1]);
        reports[w] = fds[0];
        if (pid < 0)
            dprintf(OUT_FD, "fuzz_sys: cannot start worker %u: %s\n", w, strerror_name(pid));
    }
    int status;
    long pid;
    unsigned long workers_signalled = 0;
    while ((pid = sys_wait4(-1, &status, 0, 0)) > 0 || pid == -4)
        if (pid > 0 && WIFSIGNALED(status))
            workers_signalled++;

    struct counters sum = {0};
    unsigned silent = 0;
    for (unsigned w = 0; w < procs; w++) {
        struct counters t;
        long got = reports[w] < 0 ? -1 : sys_read(reports[w], &t, sizeof t);
        if (reports[w] >= 0)
            sys_close(reports[w]);
        if (got != (long)sizeof t) {
            silent++;
            continue;
        }
        sum.calls += t.calls;
        sum.ok += t.ok;
        sum.enosys += t.enosys;
        sum.efault += t.efault;
        sum.rounds += t.rounds;
        sum.signalled += t.signalled;
        sum.forks += t.forks;
        sum.stopped += t.stopped;
        sum.leaky += t.leaky;
    }
    unsigned removed = fs_restore();
    unsigned procs_after = 0;
    unsigned long free_after = free_pages(&procs_after);

    dprintf(OUT_FD,
            "fuzz_sys: %lu calls made (%lu succeeded, %lu -EFAULT, %lu -ENOSYS) in %lu rounds; %lu processes forked "
            "by the rounds; %lu rounds ended by a signal\n",
            sum.calls, sum.ok, sum.efault, sum.enosys, sum.rounds, sum.forks, sum.signalled);
    dprintf(OUT_FD, "fuzz_sys: process table filled with %u children first; %u entries the rounds made were removed\n",
            filled, removed);
    dprintf(OUT_FD, "fuzz_sys: free frames before %lu, after %lu; processes before %u, after %u\n", free_before,
            free_after, procs_before, procs_after);
    if (workers_signalled)
        dprintf(OUT_FD, "fuzz_sys: %lu orphans ended by a signal\n", workers_signalled);
    if (sum.leaky)
        dprintf(OUT_FD, "fuzz_sys: %lu rounds did not give back every frame\n", sum.leaky);
    if (sum.stopped)
        dprintf(OUT_FD, "fuzz_sys: %lu rounds were still blocked after %d seconds and were killed\n", sum.stopped,
                ROUND_SECONDS);
    if (silent)
        dprintf(OUT_FD, "fuzz_sys: %u workers did not report (killed?)\n", silent);
    if (free_after != free_before) {
        dprintf(OUT_FD, "fuzz_sys: FAILED: %ld frames not given back\n", (long)(free_before - free_after));
        return 1;
    }
    if (sum.calls < total / 2) {
        dprintf(OUT_FD, "fuzz_sys: FAILED: only %lu of %lu calls were made\n", sum.calls, total);
        return 1;
    }
    dprintf(OUT_FD, "fuzz_sys: the kernel survived and every frame came back\n");
    return 0;
}
