/* user/tests/fuzz.c — random system calls with hostile arguments. Any
 * number, any argument may fail but must not crash the kernel. Calls that
 * would end this program or wreck its own memory on purpose (exit, munmap
 * of everything...) or block (sleeping, waiting) are left out; the rest get
 * arguments drawn from a list of troublesome values and random bits.
 * usage: fuzz [ITERATIONS [SEED [children]]]
 * With "children", each round is a child process that may do anything,
 * including unmapping its own code or stack (it then dies by a signal,
 * which is fine): the parent only counts how its children ended. */
#include <ulib.h>

static unsigned long rng = 0x9e3779b97f4a7c15UL;

static unsigned long next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned long to_ul(const char *s)
{
    unsigned long v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (unsigned long)(*s++ - '0');
    return v;
}

/* The system-call numbers below are the architecture's own. */
#if defined(__aarch64__)
#define NR_EXIT 93
#define NR_EXIT_GROUP 94
#define SKIP_IN_CHILD                                                   \
    101, 115, 72, 73,          /* sleeping, pselect/ppoll with timeouts */ \
    220, 435, 260, 129, 95,    /* clone, clone3, wait4, kill, waitid */     \
    142, 98, 133, 137,         /* reboot, futex, sigsuspend, sigtimedwait */ \
    59                         /* pipe2: its reads and writes block */
#define SKIP_IN_MAIN                                                                      \
    222, 226, 215, 214, 216, 233, /* mmap (done below without MAP_FIXED), mprotect, munmap, brk, \
                                     mremap, madvise */                                  \
    101, 115, 72, 73,             /* sleeping, pselect/ppoll with timeouts */            \
    220, 435, 221, 260, 129, 95,  /* clone, clone3, execve, wait4, kill, waitid */       \
    93, 94, 142, 98, 133, 137,    /* exit, exit_group, reboot, futex, sigsuspend, sigtimedwait */ \
    139, 281, 130, 131, 138,      /* rt_sigreturn, execveat, tkill, tgkill, rt_sigqueueinfo */ \
    59                            /* pipe2: its reads and writes block */
/* mmap, mprotect, munmap, brk, mremap, mincore, madvise, msync, execve,
 * read, write, pread64, pwrite64 */
#define MEMORY_CALLS 222, 226, 215, 214, 216, 232, 233, 227, 221, 63, 64, 67, 68
#define KNOWN_CALLS                                                                                 \
    17, 23, 24, 25, 29, 34, 35, 46, 48, 56, 57, 61, 62, 63, 64, 65, 66, 67, 68, 79, 80, 96, 99, 113, \
        114, 123, 124, 132, 134, 135, 136, 160, 163, 164, 169, 172, 173, 174, 175, 176, 177, 178, 179, \
        261, 278, 439
#define EXTRA_VALUES , USER_STACK_TOP, 1UL << 55, 1UL << 56 /* the end of user space, tags */
#else
#define NR_EXIT 60
#define NR_EXIT_GROUP 231
#define SKIP_IN_CHILD                                                 \
    34, 35, 230, 7, 23, 270, 271, /* pause, sleeping, poll/select with timeouts */ \
    56, 57, 58, 61, 62, 247,      /* clone, fork, vfork, wait4, kill, waitid */    \
    169, 202, 130, 128,           /* reboot, futex, sigsuspend, sigtimedwait */    \
    22, 293                       /* pipe, pipe2: their reads and writes block */
#define SKIP_IN_MAIN                                                                                  \
    9, 10, 11, 12, 25, 28,        /* mmap (done below without MAP_FIXED), mprotect, munmap, brk, mremap, \
                                     madvise */                                                       \
    34, 35, 230, 7, 23, 270, 271, /* pause, sleeping, poll/select with timeouts */                    \
    56, 57, 58, 59, 61, 62, 247,  /* clone, fork, vfork, execve, wait4, kill, waitid */               \
    60, 231, 169, 202, 130, 128,  /* exit, exit_group, reboot, futex, sigsuspend, sigtimedwait */     \
    15, 322, 435, 200, 234, 129,  /* rt_sigreturn, execveat, clone3, tkill, tgkill, rt_sigqueueinfo */ \
    22, 293                       /* pipe, pipe2: their reads and writes block */
#define MEMORY_CALLS 9, 10, 11, 12, 25, 27, 28, 26, 59, 0, 1, 17, 18
#define KNOWN_CALLS                                                                                   \
    0, 1, 2, 3, 4, 5, 6, 8, 13, 14, 16, 17, 18, 19, 20, 21, 24, 26, 27, 32, 33, 39, 63, 72, 77, 79, 83, \
        84, 85, 87, 96, 97, 99, 102, 104, 107, 108, 110, 131, 158, 160, 186, 201, 204, 217, 218, 228,    \
        229, 257, 258, 262, 263, 269, 273, 292, 302, 318, 439
#define EXTRA_VALUES
#endif

static int excluded_in_child(long nr)
{
    static const long skip[] = {SKIP_IN_CHILD};
    for (unsigned i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (skip[i] == nr)
            return 1;
    return 0;
}

static int excluded(long nr)
{
    nr = (long)(unsigned)nr; /* the kernel selects the call by the low 32 bits */
    static const long skip[] = {SKIP_IN_MAIN};
    for (unsigned i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (skip[i] == nr)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long iterations = argc > 1 ? to_ul(argv[1]) : 20000;
    if (argc > 2)
        rng = to_ul(argv[2]) * 2 + 1;
    /* Keep a private copy of standard output; the fuzzed calls may close
     * or redirect 0, 1 and 2. */
    int out = (int)syscall3(SYS_fcntl, 1, 1030, 200); /* fcntl(F_DUPFD_CLOEXEC, 200) */
    char *scratch = (char *)sys_mmap(0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *ro = (char *)sys_mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *none = (char *)sys_mmap(0, PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sys_close(0);
    sys_close(1);
    sys_close(2);
    const unsigned long values[] = {
        0, 1, 2, 3, 4, 7, 8, 16, 64, 100, 255, 1024, 1025, 4095, 4096, 4097, 65536, 1UL << 20,
        0x7fffffff, 0x80000000, 0xffffffff, 1UL << 32, 1UL << 46, 1UL << 47,
        0x7ffffffff000UL, 0x7fffffffffffUL, 0x800000000000UL, 0xffff800000000000UL,
        0xffffffff80100000UL, 1UL << 63, -1UL, -2UL, -4095UL, -4096UL, -100UL,
        (unsigned long)scratch, (unsigned long)scratch + 4093, (unsigned long)scratch + 3 * PAGE_SIZE,
        (unsigned long)ro, (unsigned long)none, (unsigned long)none + 4000 EXTRA_VALUES,
    };
    const unsigned nvalues = sizeof values / sizeof values[0];
    unsigned long done = 0, ok = 0, enosys = 0;

    if (argc > 3 && !strcmp(argv[3], "children")) {
        unsigned long exited = 0, signalled = 0;
        for (unsigned long round = 0; round < iterations; round++) {
            next();
            long pid = sys_fork();
            if (pid == 0) {
                /* This child's own code, stack, data and heap are fair game. */
                long here = 0;
                const unsigned long own[] = {
                    (unsigned long)main & ~4095UL, ((unsigned long)&here & ~4095UL) - PAGE_SIZE,
                    (unsigned long)&rng & ~4095UL, (unsigned long)sys_brk(0), 0x400000, PAGE_SIZE * 16,
                };
                for (int i = 0; i < 200; i++) {
                    static const long mm[] = {MEMORY_CALLS};
                    long nr = (long)(next() % 340);
                    if (next() % 2)
                        nr = mm[next() % (sizeof mm / sizeof mm[0])];
                    if (excluded_in_child(nr) || ((nr == NR_EXIT || nr == NR_EXIT_GROUP) && next() % 8))
                        continue;
                    long a[6];
                    for (int k = 0; k < 6; k++) {
                        unsigned long r = next();
                        a[k] = (long)(r % 4 == 0 ? next() : r % 3 == 0 ? own[r % 6] : values[r % nvalues]);
                    }
                    syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
                }
                sys_exit_group(0);
            }
            if (pid < 0)
                continue;
            int status;
            while (sys_wait4(-1, &status, 0, 0) > 0)
                if (WIFSIGNALED(status))
                    signalled++;
                else
                    exited++;
        }
        dprintf(out, "fuzz: %lu children exited, %lu were killed by signals; the kernel survived\n", exited,
                signalled);
        return 0;
    }

    for (unsigned long i = 0; i < iterations; i++) {
        static const long known[] = {KNOWN_CALLS};
        long nr = (long)(next() % 470);
        if (next() % 2)
            nr = known[next() % (sizeof known / sizeof known[0])];
        else if (next() % 64 == 0)
            nr = (long)next();
        if (excluded(nr))
            continue;
        long a[6];
        for (int k = 0; k < 6; k++) {
            unsigned long r = next();
            a[k] = (long)(r % 4 == 0 ? next() : values[r % nvalues]);
        }
        long ret = syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        done++;
        ok += ret >= 0;
        enosys += ret == -ENOSYS;
        if (i % 16 == 0) {
            /* mmap too, but never MAP_FIXED over what this program uses. */
            a[3] &= ~0x10L;
            sys_mmap((void *)a[0], (size_t)a[1], (int)a[2], (int)a[3], (int)a[4], a[5]);
        }
    }
    dprintf(out, "fuzz: %lu calls made, %lu succeeded, %lu were ENOSYS; the kernel survived\n", done, ok, enosys);
    return 0;
}
