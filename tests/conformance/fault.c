/* tests/conformance/fault.c — what a bad access does: the signal and its
 * si_code (SEGV_MAPERR nothing mapped, SEGV_ACCERR not permitted) and
 * si_addr for reads, writes and jumps everywhere a program can reach
 * (unmapped, inaccessible, read-only, non-executable, its own code, data
 * and stack, the kernel half, a non-canonical address), stack growth, and
 * the same addresses handed to system calls, which answer -EFAULT. */
#include "conf.h"

static const char *access_names[] = {"read", "write", "exec"};

/* A return instruction in the data segment, to jump to. */
static volatile unsigned char data_ret[64] = {0xc3};

static void signals(void)
{
    char name[96];
    uintptr_t r = conf_region(8);
    conf_map_at(r, 0, 1, PROT_NONE, PA);
    conf_map_at(r, 1, 1, PROT_READ, PA);
    conf_map_at(r, 2, 1, RW, PA);
    conf_map_at(r, 3, 1, PROT_READ | PROT_EXEC, PA);
    sys_mprotect((void *)(r + 3 * P), P, RW);
    *(volatile unsigned char *)(r + 3 * P) = 0xc3;
    *(volatile unsigned char *)(r + 2 * P) = 0xc3;
    sys_mprotect((void *)(r + 3 * P), P, PROT_READ | PROT_EXEC);

    static const struct {
        const char *what;
        size_t page;
    } places[] = {
        {"prot_none", 0}, {"read_only", 1}, {"read_write", 2}, {"read_exec", 3}, {"unmapped", 5},
    };
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
        for (int how = CONF_READ; how <= CONF_EXEC; how++) {
            snprintf(name, sizeof name, "fault_%s_%s", access_names[how], places[i].what);
            conf_case(name, "%s", conf_probe(r + places[i].page * P, (enum conf_access)how));
        }
    /* si_addr is the byte accessed, not its page. */
    conf_case("fault_write_unmapped_offset_in_page", "%s", conf_probe(r + 5 * P + 0x123, CONF_WRITE));
    conf_case("fault_write_read_only_offset_in_page", "%s", conf_probe(r + P + 0xabc, CONF_WRITE));
    conf_case("fault_read_region_guard", "%s", conf_probe(r - 1, CONF_READ));
    sys_munmap((void *)(r + 2 * P), P);
    conf_case("fault_read_after_munmap", "%s", conf_probe(r + 2 * P, CONF_READ));
    conf_case("fault_plain_read_unmapped", "%s", conf_probe_plain(r + 5 * P, CONF_READ));
    conf_case("fault_plain_write_read_only", "%s", conf_probe_plain(r + P, CONF_WRITE));
    conf_region_free(r, 8);

    int local = 0xc3;
    conf_case("fault_read_null", "%s", conf_probe(0, CONF_READ));
    conf_case("fault_write_near_null", "%s", conf_probe(0x10, CONF_WRITE));
    conf_case("fault_exec_null", "%s", conf_probe(0, CONF_EXEC));
    conf_case("fault_read_own_code", "%s", conf_probe((uintptr_t)signals, CONF_READ));
    conf_case("fault_write_own_code", "%s", conf_probe((uintptr_t)signals, CONF_WRITE));
    conf_case("fault_write_own_data", "%s", conf_probe((uintptr_t)data_ret + 8, CONF_WRITE));
    conf_case("fault_exec_own_data", "%s", conf_probe((uintptr_t)data_ret, CONF_EXEC));
    conf_case("fault_exec_own_stack", "%s", conf_probe((uintptr_t)&local, CONF_EXEC));
    conf_case("fault_read_kernel_half", "%s", conf_probe(KERNEL_ADDR, CONF_READ));
    conf_case("fault_write_kernel_image", "%s", conf_probe(0xffffffff81000000UL, CONF_WRITE));
    conf_case("fault_read_noncanonical", "%s", conf_probe(NONCANONICAL_ADDR, CONF_READ));
    conf_case("fault_read_first_address_above_user_space", "%s", conf_probe(USER_TOP, CONF_READ));

    /* The main stack grows on demand within RLIMIT_STACK (8 MiB). */
    uintptr_t sp = (uintptr_t)&local & ~(P - 1);
    conf_case("fault_stack_grows_7mib_below", "%s", conf_probe(sp - (7UL << 20), CONF_WRITE));
    conf_case("fault_stack_beyond_limit", "%s", conf_probe(sp - (9UL << 20), CONF_WRITE));
}

/* User memory handed to system calls: the kernel answers -EFAULT where
 * the program itself would fault. */
static void uaccess(void)
{
    char path[64];
    uintptr_t r = conf_region(8);
    conf_map_at(r, 0, 1, PROT_NONE, PA);
    conf_map_at(r, 1, 1, PROT_READ, PA);
    conf_map_at(r, 2, 2, RW, PA);

    snprintf(path, sizeof path, "/tmp/conf-fault-%ld", sys_getpid());
    long fd = sys_open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    sys_unlink(path);
    long zero = sys_open("/dev/zero", O_RDONLY, 0);
    conf_case("uaccess_setup", "%s %s", sys_failed(fd) ? conf_ret(fd) : "file",
              sys_failed(zero) ? conf_ret(zero) : "zero");

    conf_ret_case("uaccess_write_from_unmapped", sys_write((int)fd, (void *)(r + 5 * P), 10));
    conf_ret_case("uaccess_write_from_prot_none", sys_write((int)fd, (void *)r, 10));
    conf_ret_case("uaccess_write_from_read_only", sys_write((int)fd, (void *)(r + P), 10));
    conf_ret_case("uaccess_write_from_kernel_half", sys_write((int)fd, (void *)KERNEL_ADDR, 10));
    conf_ret_case("uaccess_write_from_null", sys_write((int)fd, 0, 10));
    conf_ret_case("uaccess_write_partly_unmapped", sys_write((int)fd, (void *)(r + 4 * P - 100), 200));
    conf_ret_case("uaccess_read_into_unmapped", sys_read((int)zero, (void *)(r + 5 * P), 10));
    conf_ret_case("uaccess_read_into_prot_none", sys_read((int)zero, (void *)r, 10));
    conf_ret_case("uaccess_read_into_read_only", sys_read((int)zero, (void *)(r + P), 10));
    conf_case("uaccess_read_into_untouched_before", "%s", conf_layout(r + 2 * P, 2));
    conf_ret_case("uaccess_read_into_untouched", sys_read((int)zero, (void *)(r + 2 * P), 10));
    conf_case("uaccess_read_into_untouched_after", "%s", conf_layout(r + 2 * P, 2));
    conf_ret_case("uaccess_read_partly_unmapped", sys_read((int)zero, (void *)(r + 4 * P - 100), 200));
    conf_ret_case("uaccess_clock_gettime_read_only", sys_clock_gettime(CLOCK_MONOTONIC, (void *)(r + P)));
    conf_ret_case("uaccess_clock_gettime_unmapped", sys_clock_gettime(CLOCK_MONOTONIC, (void *)(r + 5 * P)));
    conf_ret_case("uaccess_open_path_unmapped", sys_open((const char *)(r + 5 * P), O_RDONLY, 0));
    conf_ret_case("uaccess_open_path_prot_none", sys_open((const char *)r, O_RDONLY, 0));
    /* A path running off the end of a readable page into an unmapped one. */
    memset((void *)(r + 4 * P - 8), 'a', 8);
    conf_ret_case("uaccess_open_path_runs_off_mapping", sys_open((const char *)(r + 4 * P - 8), O_RDONLY, 0));
    sys_close((int)fd);
    sys_close((int)zero);
    conf_region_free(r, 8);
}

int main(void)
{
    conf_start();
    signals();
    uaccess();
    return 0;
}
