/* user/bench/vmbench.c — the whole-system benchmark: the cost of each
 * memory-management operation as a program sees it, system call or fault,
 * trap entry and return included. The same static binary runs as /init on
 * the reference kernel and on Linux (tools/bench-system), or natively.
 *
 * Each benchmark runs a loop of one operation (will-it-scale style): one
 * untimed warm-up round, then TRIALS timed rounds. Time is
 * clock_gettime(CLOCK_MONOTONIC) around the loop; under QEMU with
 * -icount shift=0 that clock advances one nanosecond per guest
 * instruction on both kernels, so a figure is an instruction count. The
 * time-stamp counter is read as well, for machines whose kernel clock is
 * not to be trusted (see tools/bench-system).
 *
 * Output, one line per benchmark:
 *   vmbench KEY MEDIAN MIN MAX CYCLES OPS # LABEL
 * with nanoseconds per operation (median, min and max over the trials),
 * TSC cycles per operation (median) and operations per trial; or
 *   vmbench KEY n/a # LABEL: REASON
 * when the kernel cannot do it. The first and last lines are
 * "vmbench-begin ..." and "vmbench-end".
 *
 * Arguments (argv, or the words of /vmbench.args when run as process 1):
 * SCALE (multiplies every loop count, default 1) and TRIALS (default 3).
 * "profile KEY OPS PAGES" runs one benchmark once (after its warm-up) with
 * OPS operations and PAGES of each 64 MiB area touched, for
 * tools/bench-profile.
 * As process 1 the program powers the machine off at the end.
 * "vmbench tsc" prints the TSC rate against the clock, in kHz, and stops. */
#include <ulib.h>

#define MiB (1024UL * 1024UL)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)
#define MAX_TRIALS 15
#define TOUCH_BYTES (64 * MiB)
#define FILE_BYTES (4 * MiB)
#define MM_MIN(a, b) ((a) < (b) ? (a) : (b))
#define FILE_PATH "/tmp/vmbench.dat"
#ifndef ENOSPC
#define ENOSPC 28
#endif

#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE 15
#endif

static unsigned scale = 1, trials = 3;
/* Pages touched in a 64 MiB area: all of them, except when profiling. */
static unsigned long touch_pages = TOUCH_BYTES / PAGE_SIZE;
/* The benchmark being profiled ("profile" mode), or none. */
static const char *profile_key;
static unsigned long profile_ops;
static int profile_armed;

/* Profiling (tools/bench-profile) single-steps the machine from one call
 * of this function to the next: exactly one timed round. */
__attribute__((noinline, used)) void vmbench_profile_point(void) { __asm__ volatile("" ::: "memory"); }

/* ---- clocks ---- */

struct stamp {
    uint64_t ns, cycles;
};

static inline uint64_t read_tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static struct stamp stamp_now(void)
{
    struct timespec ts;
    sys_clock_gettime(CLOCK_MONOTONIC, &ts);
    return (struct stamp){(uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, read_tsc()};
}

/* One timed round: time accumulates between trial_start and trial_stop
 * (a benchmark may time only part of its round); ops is what it did. */
struct trial {
    struct stamp started, total;
    uint64_t ops;
};

static void trial_start(struct trial *t)
{
    t->started = stamp_now();
    if (profile_armed)
        vmbench_profile_point();
}

static void trial_stop(struct trial *t)
{
    if (profile_armed)
        vmbench_profile_point();
    struct stamp s = stamp_now();
    t->total.ns += s.ns - t->started.ns;
    t->total.cycles += s.cycles - t->started.cycles;
}

/* A benchmark: one round of n operations. Returns 0, or a negative errno
 * with *why naming the call that failed. */
typedef long (*bench_fn)(struct trial *t, unsigned long n, const char **why);

/* ---- output ---- */

/* Prints v / 1000 with three decimals. */
static void put_milli(uint64_t v) { printf(" %lu.%03lu", (unsigned long)(v / 1000), (unsigned long)(v % 1000)); }

static void sort(uint64_t *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint64_t x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
}

static void report_na(const char *key, const char *label, const char *why, long err)
{
    if (err)
        printf("vmbench %s n/a # %s: %s: %s\n", key, label, why, strerror_name(err));
    else
        printf("vmbench %s n/a # %s: %s\n", key, label, why);
}

/* Runs fn for the warm-up and the trials and prints its line. */
static void run(const char *key, const char *label, bench_fn fn, unsigned long n)
{
    uint64_t ns[MAX_TRIALS], cycles[MAX_TRIALS], ops = 0;
    const char *why = "";
    unsigned rounds = trials;
    if (profile_key) {
        if (strcmp(key, profile_key))
            return;
        rounds = 1;
    }
    n = profile_key ? profile_ops : n * scale;
    for (unsigned i = 0; i <= rounds; i++) {
        struct trial t = {0};
        profile_armed = profile_key && i == rounds;
        long err = fn(&t, n, &why);
        profile_armed = 0;
        if (err) {
            report_na(key, label, why, err);
            return;
        }
        if (i == 0)
            continue; /* warm-up */
        if (t.ops == 0) {
            report_na(key, label, "no operations", 0);
            return;
        }
        ops = t.ops;
        ns[i - 1] = t.total.ns * 1000 / t.ops;
        cycles[i - 1] = t.total.cycles * 1000 / t.ops;
    }
    sort(ns, rounds);
    sort(cycles, rounds);
    printf("vmbench %s", key);
    put_milli(ns[rounds / 2]);
    put_milli(ns[0]);
    put_milli(ns[rounds - 1]);
    put_milli(cycles[rounds / 2]);
    printf(" %lu # %s\n", (unsigned long)ops, label);
}

/* ---- checks of the clock and the unavoidable parts of a fault ---- */

static long b_loop(struct trial *t, unsigned long n, const char **why)
{
    unsigned long c = n;
    trial_start(t);
    __asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(c));
    trial_stop(t);
    t->ops = n;
    return 0;
}

static long b_getpid(struct trial *t, unsigned long n, const char **why)
{
    trial_start(t);
    for (unsigned long i = 0; i < n; i++)
        sys_getpid();
    trial_stop(t);
    t->ops = n;
    return 0;
}

static long b_clock(struct trial *t, unsigned long n, const char **why)
{
    struct timespec ts;
    trial_start(t);
    for (unsigned long i = 0; i < n; i++)
        sys_clock_gettime(CLOCK_MONOTONIC, &ts);
    trial_stop(t);
    t->ops = n;
    return 0;
}

static unsigned char clear_buf[PAGE_SIZE] __attribute__((aligned(4096)));

static long b_clear_stosb(struct trial *t, unsigned long n, const char **why)
{
    trial_start(t);
    for (unsigned long i = 0; i < n; i++) {
        void *d = clear_buf;
        unsigned long c = PAGE_SIZE;
        __asm__ volatile("rep stosb" : "+D"(d), "+c"(c) : "a"(0) : "memory");
    }
    trial_stop(t);
    t->ops = n;
    return 0;
}

static long b_clear_stosq(struct trial *t, unsigned long n, const char **why)
{
    trial_start(t);
    for (unsigned long i = 0; i < n; i++) {
        void *d = clear_buf;
        unsigned long c = PAGE_SIZE / 8;
        __asm__ volatile("rep stosq" : "+D"(d), "+c"(c) : "a"(0UL) : "memory");
    }
    trial_stop(t);
    t->ops = n;
    return 0;
}

/* ---- mmap, munmap, mprotect, brk ---- */

static long b_map_unmap(struct trial *t, unsigned long n, unsigned long len, const char **why)
{
    trial_start(t);
    for (unsigned long i = 0; i < n; i++) {
        long a = sys_mmap(0, len, RW, ANON, -1, 0);
        if (sys_failed(a)) {
            *why = "mmap";
            return a;
        }
        long r = sys_munmap((void *)a, len);
        if (r) {
            *why = "munmap";
            return r;
        }
    }
    trial_stop(t);
    t->ops = n;
    return 0;
}

static long b_map_unmap_128m(struct trial *t, unsigned long n, const char **why)
{
    return b_map_unmap(t, n, 128 * MiB, why);
}

static long b_map_unmap_8k(struct trial *t, unsigned long n, const char **why)
{
    return b_map_unmap(t, n, 8192, why);
}

/* 16 touched read-write pages, made read-only and read-write again. */
static unsigned char *protect_area;

static long b_protect16(struct trial *t, unsigned long n, const char **why)
{
    trial_start(t);
    for (unsigned long i = 0; i < n; i++) {
        long r = sys_mprotect(protect_area, 16 * PAGE_SIZE, PROT_READ);
        if (!r)
            r = sys_mprotect(protect_area, 16 * PAGE_SIZE, RW);
        if (r) {
            *why = "mprotect";
            return r;
        }
    }
    trial_stop(t);
    t->ops = n;
    return 0;
}

static unsigned long brk_base;

static long b_brk(struct trial *t, unsigned long n, const char **why)
{
    trial_start(t);
    for (unsigned long i = 0; i < n; i++) {
        if ((unsigned long)sys_brk((void *)(brk_base + PAGE_SIZE)) != brk_base + PAGE_SIZE ||
            (unsigned long)sys_brk((void *)brk_base) != brk_base) {
            *why = "brk";
            return -ENOMEM;
        }
    }
    trial_stop(t);
    t->ops = n;
    return 0;
}

/* N one-page read-only VMAs with one-page holes between them, made from
 * one reservation so that they sit together. */
static long vma_field, vma_field_pages;

static long vma_field_create(unsigned long count)
{
    vma_field_pages = (long)(2 * count);
    vma_field = sys_mmap(0, (size_t)vma_field_pages * PAGE_SIZE, PROT_READ, ANON, -1, 0);
    if (sys_failed(vma_field))
        return vma_field;
    for (long i = 1; i < vma_field_pages; i += 2) {
        long r = sys_munmap((void *)(vma_field + i * (long)PAGE_SIZE), PAGE_SIZE);
        if (r)
            return r;
    }
    return 0;
}

static void vma_field_destroy(void)
{
    if (!sys_failed(vma_field))
        sys_munmap((void *)vma_field, (size_t)vma_field_pages * PAGE_SIZE);
}

/* ---- faults ---- */

/* Maps 64 MiB, 2 MiB aligned, with huge pages refused (MADV_NOHUGEPAGE)
 * so that both kernels fault 4 KiB pages; returns the address or a
 * negative errno. */
static long touch_area_map(const char **why)
{
    long a = sys_mmap(0, TOUCH_BYTES + 2 * MiB, RW, ANON, -1, 0);
    if (sys_failed(a)) {
        *why = "mmap";
        return a;
    }
    long aligned = (a + (long)(2 * MiB - 1)) & ~(long)(2 * MiB - 1);
    if (aligned > a)
        sys_munmap((void *)a, (size_t)(aligned - a));
    if (aligned + (long)TOUCH_BYTES < a + (long)(TOUCH_BYTES + 2 * MiB))
        sys_munmap((void *)(aligned + (long)TOUCH_BYTES), (size_t)(a + (long)(2 * MiB) - aligned));
    long r = sys_madvise((void *)aligned, TOUCH_BYTES, MADV_NOHUGEPAGE);
    if (r) {
        *why = "madvise(MADV_NOHUGEPAGE)";
        sys_munmap((void *)aligned, TOUCH_BYTES);
        return r;
    }
    return aligned;
}

static long fault_round(struct trial *t, int write, const char **why)
{
    long a = touch_area_map(why);
    if (sys_failed(a))
        return a;
    volatile unsigned char *p = (volatile unsigned char *)a;
    unsigned sum = 0;
    trial_start(t);
    if (write)
        for (unsigned long i = 0; i < touch_pages; i++)
            p[i * PAGE_SIZE] = 1;
    else
        for (unsigned long i = 0; i < touch_pages; i++)
            sum += p[i * PAGE_SIZE];
    trial_stop(t);
    t->ops = touch_pages;
    sys_munmap((void *)a, TOUCH_BYTES);
    return sum ? -EINVAL : 0;
}

/* n is ignored: a round is 64 MiB. */
static long b_fault_write(struct trial *t, unsigned long n, const char **why) { return fault_round(t, 1, why); }
static long b_fault_read(struct trial *t, unsigned long n, const char **why) { return fault_round(t, 0, why); }

static int file_fd = -1;
static long file_err;

/* Writes the file that b_file_fault maps. */
static long file_create(void)
{
    static unsigned char chunk[64 * 1024];
    for (unsigned i = 0; i < sizeof chunk; i++)
        chunk[i] = (unsigned char)(i * 7 + 1);
    long fd = sys_open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return fd;
    for (unsigned long off = 0; off < FILE_BYTES; off += sizeof chunk) {
        long w = sys_write((int)fd, chunk, sizeof chunk);
        if (w != (long)sizeof chunk) {
            sys_close((int)fd);
            return w < 0 ? w : -ENOSPC;
        }
    }
    file_fd = (int)fd;
    return 0;
}

/* First read of every page of a private mapping of a 4 MiB file whose
 * pages are in memory already (it was just written). */
static long b_file_fault(struct trial *t, unsigned long n, const char **why)
{
    if (file_fd < 0) {
        *why = "creating " FILE_PATH;
        return file_err;
    }
    long a = sys_mmap(0, FILE_BYTES, PROT_READ, MAP_PRIVATE, file_fd, 0);
    if (sys_failed(a)) {
        *why = "mmap of a file";
        return a;
    }
    volatile unsigned char *p = (volatile unsigned char *)a;
    unsigned long pages = MM_MIN(touch_pages, FILE_BYTES / PAGE_SIZE);
    unsigned sum = 0;
    trial_start(t);
    for (unsigned long i = 0; i < pages; i++)
        sum += p[i * PAGE_SIZE];
    trial_stop(t);
    t->ops = pages;
    sys_munmap((void *)a, FILE_BYTES);
    if (sum != pages) { /* chunk[i * 4096] = 1 */
        *why = "file contents";
        return -EINVAL;
    }
    return 0;
}

/* ---- fork ---- */

static long b_fork(struct trial *t, unsigned long n, const char **why)
{
    flush();
    trial_start(t);
    for (unsigned long i = 0; i < n; i++) {
        long pid = sys_fork();
        if (pid == 0)
            sys_exit(0);
        if (pid < 0) {
            *why = "fork";
            return pid;
        }
        int status = 0;
        long r = sys_wait4((int)pid, &status, 0, 0);
        if (r != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
            *why = "wait4";
            return r < 0 ? r : -ECHILD;
        }
    }
    trial_stop(t);
    t->ops = n;
    return 0;
}

/* ---- arguments ---- */

static unsigned parse_uint(const char *s, unsigned dflt)
{
    unsigned v = 0;
    if (!s || !*s)
        return dflt;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return dflt;
        v = v * 10 + (unsigned)(*s - '0');
    }
    return v ? v : dflt;
}

/* As process 1 there is no command line to speak of: the words come from
 * /vmbench.args when the image has one. */
static void read_args_file(char **words, int max)
{
    static char text[128];
    long fd = sys_open("/vmbench.args", O_RDONLY, 0);
    if (fd < 0)
        return;
    long len = sys_read((int)fd, text, sizeof text - 1);
    sys_close((int)fd);
    if (len <= 0)
        return;
    text[len] = 0;
    int n = 0;
    for (char *s = text; *s && n < max;) {
        while (*s == ' ' || *s == '\n' || *s == '\t')
            *s++ = 0;
        if (!*s)
            break;
        words[n++] = s;
        while (*s && *s != ' ' && *s != '\n' && *s != '\t')
            s++;
        if (*s)
            *s++ = 0;
    }
}

/* ---- main ---- */

int main(int argc, char **argv, char **envp)
{
    if (argc > 1 && !strcmp(argv[1], "tsc")) {
        /* The rate of the time-stamp counter against this kernel's clock. */
        struct timespec pause = {0, 200000000};
        struct stamp a = stamp_now();
        sys_nanosleep(&pause, 0);
        struct stamp b = stamp_now();
        printf("vmbench-tsc-khz %lu\n", (unsigned long)((b.cycles - a.cycles) * 1000000 / (b.ns - a.ns)));
        return 0;
    }
    char *words[4] = {0};
    for (int i = 1; i < argc && i <= 4; i++)
        words[i - 1] = argv[i];
    int is_init = sys_getpid() == 1;
    if (is_init)
        read_args_file(words, 4);
    if (words[0] && !strcmp(words[0], "profile")) {
        /* profile KEY OPS PAGES: one round of KEY, with OPS operations
         * and PAGES pages touched in the 64 MiB areas. */
        profile_key = words[1] ? words[1] : "";
        scale = 1;
        profile_ops = parse_uint(words[2], 1);
        touch_pages = parse_uint(words[3], 16);
    } else {
        scale = parse_uint(words[0], 1);
        trials = parse_uint(words[1], 3);
        if (trials > MAX_TRIALS)
            trials = MAX_TRIALS;
    }

    struct utsname u;
    if (sys_uname(&u))
        u.sysname[0] = u.release[0] = 0;
    printf("vmbench-begin %s %s scale=%u trials=%u\n", u.sysname, u.release, scale, trials);

    /* The clock: a loop of exactly two instructions per iteration. */
    run("loop2", "clock check: one iteration of a 2-instruction loop", b_loop, 5000000);
    run("getpid", "null system call (getpid)", b_getpid, 20000);
    run("clock_gettime", "clock_gettime", b_clock, 20000);
    run("clear_stosb", "clear 4 KiB in user mode, rep stosb", b_clear_stosb, 2000);
    run("clear_stosq", "clear 4 KiB in user mode, rep stosq", b_clear_stosq, 2000);

    run("map_unmap_128m", "mmap+munmap 128 MiB, untouched", b_map_unmap_128m, 500);
    run("fault_write", "first-touch write fault, per page of 64 MiB", b_fault_write, 1);
    run("fault_read", "first-touch read fault (zero page), per page of 64 MiB", b_fault_read, 1);

    long area = sys_mmap(0, 16 * PAGE_SIZE, RW, ANON, -1, 0);
    if (!sys_failed(area)) {
        protect_area = (unsigned char *)area;
        for (int i = 0; i < 16; i++)
            protect_area[i * PAGE_SIZE] = 1;
        run("protect16", "mprotect 16 pages read-only and back", b_protect16, 2000);
    } else {
        report_na("protect16", "mprotect 16 pages read-only and back", "mmap", area);
    }

    long cur = sys_brk(0);
    brk_base = ((unsigned long)cur + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if ((unsigned long)sys_brk((void *)brk_base) == brk_base)
        run("brk_page", "brk up one page and down", b_brk, 2000);
    else
        report_na("brk_page", "brk up one page and down", "brk", -ENOMEM);

    static const struct {
        unsigned long count;
        const char *map_key, *map_label, *protect_key, *protect_label;
    } fields[] = {
        {10, "map_unmap_8k_10", "mmap+munmap 8 KiB, 10 VMAs present", "protect16_10",
         "mprotect 16 pages read-only and back, 10 VMAs present"},
        {10000, "map_unmap_8k_10000", "mmap+munmap 8 KiB, 10,000 VMAs present", "protect16_10000",
         "mprotect 16 pages read-only and back, 10,000 VMAs present"},
    };
    for (unsigned i = 0; i < 2; i++) {
        long err = vma_field_create(fields[i].count);
        if (err) {
            report_na(fields[i].map_key, fields[i].map_label, "creating the VMAs", err);
            report_na(fields[i].protect_key, fields[i].protect_label, "creating the VMAs", err);
        } else {
            run(fields[i].map_key, fields[i].map_label, b_map_unmap_8k, 2000);
            if (protect_area)
                run(fields[i].protect_key, fields[i].protect_label, b_protect16, 2000);
        }
        vma_field_destroy();
    }

    run("fork_exit", "fork + exit + wait, nothing else mapped", b_fork, 50);
    long touched = touch_area_map(&(const char *){""});
    if (!sys_failed(touched)) {
        for (unsigned long i = 0; i < touch_pages; i++)
            ((volatile unsigned char *)touched)[i * PAGE_SIZE] = 1;
        run("fork_exit_64m", "fork + exit + wait, 64 MiB touched", b_fork, 8);
        sys_munmap((void *)touched, TOUCH_BYTES);
    } else {
        report_na("fork_exit_64m", "fork + exit + wait, 64 MiB touched", "mmap", touched);
    }

    file_err = file_create();
    run("file_fault", "first-touch read fault, private file mapping, per page", b_file_fault, 1);
    if (file_fd >= 0) {
        sys_close(file_fd);
        sys_unlink(FILE_PATH);
    }

    printf("vmbench-end\n");
    flush();
    if (is_init)
        sys_reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0);
    return 0;
}
