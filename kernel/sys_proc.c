/* kernel/sys_proc.c — process identity and life cycle, resource limits,
 * clocks and sleeping, and the machine-wide calls (uname, getrandom,
 * reboot). */
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/uaccess.h>

/* ---- identity ---- */

int64_t sys_getpid(SYSCALL_ARGS) { return current->pid; }
int64_t sys_gettid(SYSCALL_ARGS) { return current->pid; }
int64_t sys_getppid(SYSCALL_ARGS) { return current->parent ? current->parent->pid : 0; }
int64_t sys_getuid(SYSCALL_ARGS) { return 0; } /* also geteuid, getgid, getegid */

int64_t sys_exit(SYSCALL_ARGS) { proc_exit((int)a0); }
int64_t sys_exit_group(SYSCALL_ARGS) { proc_exit((int)a0); }

int64_t sys_set_tid_address(SYSCALL_ARGS)
{
    current->clear_child_tid = a0;
    return current->pid;
}

int64_t sys_set_robust_list(SYSCALL_ARGS)
{
    if (a1 != 24) /* sizeof(struct robust_list_head) */
        return -EINVAL;
    current->robust_list = a0;
    current->robust_len = a1;
    return 0;
}

/* One CPU: the mask is CPU 0. */
int64_t sys_sched_getaffinity(SYSCALL_ARGS)
{
    int pid = (int)a0;
    uint64_t len = (uint32_t)a1, mask = 1;
    if (len < sizeof mask || (len & (sizeof mask - 1)))
        return -EINVAL;
    if (pid != 0 && !proc_find(pid))
        return -ESRCH;
    if (copy_to_user(current->space, a2, &mask, sizeof mask))
        return -EFAULT;
    return sizeof mask;
}

int64_t sys_sched_yield(SYSCALL_ARGS)
{
    proc_yield();
    return 0;
}

/* ---- resource limits ---- */

static int64_t do_prlimit(int pid, unsigned resource, uaddr_t unew, uaddr_t uold)
{
    struct rlimit64 nl;
    if (resource >= RLIMIT_COUNT)
        return -EINVAL;
    if (unew) {
        if (copy_from_user(current->space, &nl, unew, sizeof nl))
            return -EFAULT;
        if (nl.cur > nl.max)
            return -EINVAL;
        if (resource == 7 && nl.max > FD_MAX) /* RLIMIT_NOFILE beyond the table */
            return -EPERM;
    }
    if (pid != 0 && pid != current->pid)
        return -ESRCH;
    if (uold && copy_to_user(current->space, uold, &current->rlim[resource], sizeof(struct rlimit64)))
        return -EFAULT;
    if (unew)
        current->rlim[resource] = nl;
    return 0;
}

int64_t sys_prlimit64(SYSCALL_ARGS) { return do_prlimit((int)a0, (unsigned)a1, a2, a3); }
int64_t sys_getrlimit(SYSCALL_ARGS) { return do_prlimit(0, (unsigned)a0, 0, a1); }
int64_t sys_setrlimit(SYSCALL_ARGS) { return do_prlimit(0, (unsigned)a0, a1, 0); }

/* ---- clocks ---- */

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1
#define NSEC 1000000000ull

struct timespec64 {
    int64_t sec, nsec;
};

/* The clock's reading in nanoseconds, or -EINVAL for an unknown clock. */
static int clock_read(int id, uint64_t *ns)
{
    uint64_t mono = machine_time_ns();
    switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        *ns = machine_boot_epoch() * NSEC + mono;
        return 0;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        *ns = mono;
        return 0;
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
        /* One process on one CPU, never descheduled: its CPU time is its
         * lifetime. */
        *ns = mono - current->start_ns;
        return 0;
    }
    return -EINVAL;
}

int64_t sys_clock_gettime(SYSCALL_ARGS)
{
    uint64_t ns;
    int err = clock_read((int)a0, &ns);
    if (err)
        return err;
    struct timespec64 ts = {(int64_t)(ns / NSEC), (int64_t)(ns % NSEC)};
    return copy_to_user(current->space, a1, &ts, sizeof ts) ? -EFAULT : 0;
}

int64_t sys_clock_getres(SYSCALL_ARGS)
{
    uint64_t ns;
    int err = clock_read((int)a0, &ns);
    if (err)
        return err;
    struct timespec64 ts = {0, 1};
    if (a1 && copy_to_user(current->space, a1, &ts, sizeof ts))
        return -EFAULT;
    return 0;
}

int64_t sys_gettimeofday(SYSCALL_ARGS)
{
    uint64_t ns = machine_boot_epoch() * NSEC + machine_time_ns();
    struct {
        int64_t sec, usec;
    } tv = {(int64_t)(ns / NSEC), (int64_t)(ns % NSEC / 1000)};
    if (a0 && copy_to_user(current->space, a0, &tv, sizeof tv))
        return -EFAULT;
    if (a1) {
        uint32_t tz[2] = {0, 0};
        if (copy_to_user(current->space, a1, tz, sizeof tz))
            return -EFAULT;
    }
    return 0;
}

int64_t sys_time(SYSCALL_ARGS)
{
    int64_t t = (int64_t)(machine_boot_epoch() + machine_time_ns() / NSEC);
    if (a0 && copy_to_user(current->space, a0, &t, sizeof t))
        return -EFAULT;
    return t;
}

static int64_t do_sleep(int clock, int flags, uaddr_t ureq, uaddr_t urem)
{
    struct timespec64 req;
    uint64_t now;
    if (copy_from_user(current->space, &req, ureq, sizeof req))
        return -EFAULT;
    if (req.sec < 0 || req.nsec < 0 || req.nsec >= (int64_t)NSEC)
        return -EINVAL;
    int err = clock_read(clock, &now);
    if (err)
        return err;
    uint64_t want = (uint64_t)req.sec > UINT64_MAX / NSEC - 1 ? UINT64_MAX : (uint64_t)req.sec * NSEC + (uint64_t)req.nsec;
    uint64_t delta = (flags & TIMER_ABSTIME) ? (want > now ? want - now : 0) : want;
    uint64_t mono = machine_time_ns();
    uint64_t until = delta > UINT64_MAX - mono ? UINT64_MAX : mono + delta;
    /* Other processes run meanwhile; alone, the CPU waits. A signal to
     * deliver ends the sleep early: -EINTR and, for a relative sleep, the
     * time that remained (even with SA_RESTART, as on Linux). */
    while ((mono = machine_time_ns()) < until) {
        if (proc_signal_pending()) {
            if (urem && !(flags & TIMER_ABSTIME)) {
                uint64_t left = until - mono;
                struct timespec64 rem = {(int64_t)(left / NSEC), (int64_t)(left % NSEC)};
                if (copy_to_user(current->space, urem, &rem, sizeof rem))
                    return -EFAULT;
            }
            return -EINTR;
        }
        proc_sleep_until(&current->wake_ns, until);
    }
    return 0;
}

int64_t sys_nanosleep(SYSCALL_ARGS) { return do_sleep(CLOCK_MONOTONIC, 0, a0, a1); }

int64_t sys_clock_nanosleep(SYSCALL_ARGS)
{
    int clock = (int)a0, flags = (int)a1;
    if (clock == CLOCK_THREAD_CPUTIME_ID)
        return -EINVAL;
    if (clock == CLOCK_PROCESS_CPUTIME_ID)
        return -EOPNOTSUPP;
    return do_sleep(clock, flags, a2, a3);
}

/* ---- the machine ---- */

/* mmcore's own system call (number MMCORE_SYS_VMINFO, far above Linux's):
 * what the frame allocator and the page tables say, so that tests can see
 * copy-on-write sharing and count frames exactly. Read-only.
 *   op 0: returns the number of free frames;
 *   op 1: returns the number of frames in all;
 *   op 2: fills *out (struct mmcore_page_info) for the page at user
 *         address addr in the caller: its frame's physical address (0 when
 *         the page has no frame yet), the frame's reference count and the
 *         page-table permissions (PROT_* bits); 0, or -EFAULT for a bad
 *         out pointer.
 * Any other op: -EINVAL. */
int64_t sys_mmcore_vminfo(SYSCALL_ARGS)
{
    unsigned op = (unsigned)a0;
    uaddr_t addr = a1, out = a2;
    switch (op) {
    case 0:
        return (int64_t)frame_free_count();
    case 1:
        return (int64_t)frame_total_count();
    case 2: {
        struct {
            uint64_t frame;
            uint32_t refcount, prot;
        } info = {0, 0, 0};
        paddr_t pa;
        unsigned prot;
        if (addr < current->space->top && pmap_extract(&current->space->pmap, page_down(addr), &pa, &prot)) {
            info.frame = pa;
            info.refcount = frame_refcount(pa);
            info.prot = prot;
        }
        return copy_to_user(current->space, out, &info, sizeof info) ? -EFAULT : 0;
    }
    }
    return -EINVAL;
}

/* sysinfo: memory figures from mm/'s frame allocator. */
int64_t sys_sysinfo(SYSCALL_ARGS)
{
    struct {
        int64_t uptime;
        uint64_t loads[3];
        uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
        uint16_t procs, pad;
        uint32_t pad2;
        uint64_t totalhigh, freehigh;
        uint32_t mem_unit;
        char reserved[4];
    } info;
    _Static_assert(sizeof info == 112, "x86-64 struct sysinfo is 112 bytes");
    memset(&info, 0, sizeof info);
    info.uptime = (int64_t)(machine_time_ns() / NSEC);
    info.totalram = frame_total_count() * PAGE_SIZE;
    info.freeram = frame_free_count() * PAGE_SIZE;
    info.procs = (uint16_t)proc_count();
    info.mem_unit = 1;
    return copy_to_user(current->space, a0, &info, sizeof info) ? -EFAULT : 0;
}

int64_t sys_uname(SYSCALL_ARGS)
{
    struct {
        char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
    } u;
    memset(&u, 0, sizeof u);
    strlcpy(u.sysname, "Linux", sizeof u.sysname);
    strlcpy(u.nodename, "mmcore", sizeof u.nodename);
    strlcpy(u.release, "6.1.0-mmcore", sizeof u.release);
    strlcpy(u.version, "#1 mmcore reference kernel", sizeof u.version);
    strlcpy(u.machine, ARCH_PLATFORM, sizeof u.machine);
    strlcpy(u.domainname, "(none)", sizeof u.domainname);
    return copy_to_user(current->space, a0, &u, sizeof u) ? -EFAULT : 0;
}

int64_t sys_getrandom(SYSCALL_ARGS)
{
    uaddr_t buf = a0;
    uint64_t len = a1;
    unsigned flags = (unsigned)a2;
    if (flags & ~7u)  /* GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE */
        return -EINVAL;
    if ((flags & 6u) == 6u)
        return -EINVAL;
    len = MM_MIN(len, 0x1ffffffull); /* Linux returns at most 32 MiB - 1 */
    char chunk[256];
    uint64_t done = 0;
    while (done < len) {
        uint64_t n = MM_MIN(len - done, sizeof chunk);
        machine_random(chunk, n);
        if (copy_to_user(current->space, buf + done, chunk, n))
            return done ? (int64_t)done : -EFAULT;
        done += n;
    }
    return (int64_t)done;
}

#define REBOOT_MAGIC1 0xfee1dead
#define REBOOT_MAGIC2 672274793
#define REBOOT_MAGIC2A 85072278
#define REBOOT_MAGIC2B 369367448
#define REBOOT_MAGIC2C 537993216
#define REBOOT_CMD_RESTART 0x01234567
#define REBOOT_CMD_HALT 0xcdef0123
#define REBOOT_CMD_CAD_ON 0x89abcdef
#define REBOOT_CMD_CAD_OFF 0x00000000
#define REBOOT_CMD_POWER_OFF 0x4321fedc

int64_t sys_reboot(SYSCALL_ARGS)
{
    unsigned magic1 = (unsigned)a0, magic2 = (unsigned)a1, cmd = (unsigned)a2;
    if (magic1 != REBOOT_MAGIC1 || (magic2 != REBOOT_MAGIC2 && magic2 != REBOOT_MAGIC2A &&
                                    magic2 != REBOOT_MAGIC2B && magic2 != REBOOT_MAGIC2C))
        return -EINVAL;
    switch (cmd) {
    case REBOOT_CMD_CAD_ON:
    case REBOOT_CMD_CAD_OFF:
        return 0;
    case REBOOT_CMD_POWER_OFF:
    case REBOOT_CMD_HALT:
        kprintf("mmcore: process %d (%s) powered the machine off\n", current->pid, current->name);
        machine_poweroff();
    case REBOOT_CMD_RESTART:
        kprintf("mmcore: process %d (%s) restarts the machine\n", current->pid, current->name);
        machine_reset();
    }
    return -EINVAL;
}
