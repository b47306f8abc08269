/* kernel/main.c — the portable kernel's start: the file system from the
 * initramfs, then the first process.
 *
 * The first process is the program named by "init=" on the kernel command
 * line (default /init). Its arguments and environment come from the files
 * /.init.argv and /.init.env in the initramfs when present (NUL-separated
 * strings; the first argument replaces the program path), and its standard
 * input from /.init.stdin when present (otherwise the console). Standard
 * output and error are the console's own channels.
 *
 * Before it starts, a reserve of frames is set aside that user data may
 * not take (mm/frame.h): page tables, kernel records and kernel stacks can
 * still be allocated, and freed memory cleaned up, when user memory is
 * full. */
#include <kern/boot.h>
#include <kern/cpio.h>
#include <kern/exec.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/panic.h>
#include <kern/proc.h>
#include <kern/vfs.h>
#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/platform.h>

#define INIT_MAX_STRINGS 255

const char *boot_cmdline_get(const struct boot_info *bi, const char *key, char *buf, unsigned size)
{
    size_t klen = strlen(key);
    for (const char *p = bi->cmdline; *p;) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        if ((size_t)(p - w) > klen && !memcmp(w, key, klen) && w[klen] == '=') {
            size_t n = MM_MIN((size_t)(p - w) - klen - 1, (size_t)size - 1);
            memcpy(buf, w + klen + 1, n);
            buf[n] = 0;
            return buf;
        }
    }
    return NULL;
}

/* Read a NUL-separated list from a ramfs file into a page: fills vec
 * (at most max entries, NULL-terminated). Returns the count, or -1 when
 * the file does not exist. */
static int read_string_list(const char *path, char *page, const char **vec, int max)
{
    struct inode *ino;
    if (vfs_lookup(ramfs_root(), path, &ino) || !S_ISREG(ino->mode))
        return -1;
    int64_t n = ramfs_read_kernel(ino, 0, page, PAGE_SIZE - 1);
    if (n < 0)
        return -1;
    page[n] = 0;
    int count = 0;
    for (int64_t i = 0; i < n && count < max;) {
        vec[count++] = page + i;
        i += (int64_t)strlen(page + i) + 1;
    }
    vec[count] = NULL;
    return count;
}

static int open_std(struct proc *p, const char *path, uint32_t flags, const struct file_ops *ops)
{
    struct inode *ino;
    struct file *f;
    int err = vfs_lookup(ramfs_root(), path, &ino);
    if (!err)
        err = file_open_inode(ino, flags, &f);
    if (err)
        return err;
    if (ops)
        f->ops = ops;
    return fd_install(p->fds, f, 0, false);
}

static _Noreturn void init_failed(const char *path, int err)
{
    kprintf("mmcore: cannot run %s: error %d\n", path, -err);
    kprintf("mmcore: process 1 (%s) exited with status %d\n", path, err == -ENOENT ? 127 : 126);
    machine_poweroff();
}

/* Deliberate kernel bugs, so the tests can check how the machine stops:
 * mmcore.selftest=kernel-fault (a wild write) or =panic. */
static void selftest(const struct boot_info *bi)
{
    char what[32];
    if (!boot_cmdline_get(bi, "mmcore.selftest", what, sizeof what))
        return;
    kprintf("mmcore: self-test %s\n", what);
    if (!strcmp(what, "kernel-fault")) {
        static volatile uintptr_t wild = 0x10;
        *(volatile uint64_t *)wild = 1;
    }
    if (!strcmp(what, "panic"))
        panic("self-test panic");
}

void kernel_main(struct boot_info *bi)
{
    selftest(bi);
    ramfs_init();
    if (bi->initrd_len) {
        int n = cpio_unpack(platform_phys_to_virt(bi->initrd_base), bi->initrd_len);
        if (n < 0)
            panic("initramfs: cannot unpack (error %d)", n);
        kprintf("mmcore: initramfs: %d entries, %lu KiB\n", n, bi->initrd_len >> 10);
        /* Its pages are free now. */
        uint64_t base = ALIGN_UP(bi->initrd_base, PAGE_SIZE);
        uint64_t end = page_down(bi->initrd_base + bi->initrd_len);
        if (end > base + 16 * PAGE_SIZE)
            frame_add_region(base, (end - base) / PAGE_SIZE);
    }

    /* 1/128 of memory, between 64 and 1024 frames: 2 MiB on a 256 MiB
     * machine, about what Linux keeps free there (min_free_kbytes). */
    frame_set_reserve(MM_MIN(MM_MAX(frame_free_count() / 128, 64), 1024));

    static char init_path[256];
    if (!boot_cmdline_get(bi, "init", init_path, sizeof init_path))
        strlcpy(init_path, "/init", sizeof init_path);
    char *argbuf = kpage_alloc(), *envbuf = kpage_alloc();
    const char **argv = kpage_alloc(), **envp = kpage_alloc();
    if (!argbuf || !envbuf || !argv || !envp)
        panic("no memory to start init");
    if (read_string_list("/.init.argv", argbuf, argv, INIT_MAX_STRINGS) <= 0) {
        argv[0] = init_path;
        argv[1] = NULL;
    }
    if (read_string_list("/.init.env", envbuf, envp, INIT_MAX_STRINGS) < 0) {
        envp[0] = "HOME=/";
        envp[1] = "PATH=/bin:/sbin:/usr/bin";
        envp[2] = "TERM=linux";
        envp[3] = NULL;
    }

    struct proc *p;
    int err = proc_create(&p, NULL);
    if (err)
        panic("cannot create process 1 (error %d)", err);
    struct inode *in;
    bool has_stdin = !vfs_lookup(ramfs_root(), "/.init.stdin", &in);
    if (open_std(p, has_stdin ? "/.init.stdin" : "/dev/console", O_RDONLY, NULL) != 0 ||
        open_std(p, "/dev/console", O_WRONLY, &console_stdout_ops) != 1 ||
        open_std(p, "/dev/console", O_WRONLY, &console_stderr_ops) != 2)
        panic("cannot open the standard descriptors of process 1");
    err = exec_load(p, init_path, argv, envp);
    if (err)
        init_failed(init_path, err);
    kpage_free(argbuf);
    kpage_free(envbuf);
    kpage_free((void *)argv);
    kpage_free((void *)envp);
    kprintf("mmcore: starting %s\n", init_path);
    proc_make_runnable(p);
    sched_run();
}
