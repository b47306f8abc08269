/* kernel/sys_exec.c — process creation and program execution: fork (and
 * vfork, done as a fork, which POSIX allows), clone in its fork forms,
 * execve, wait4 and waitid. */
#include <kern/exec.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <mm/errno.h>
#include <mm/uaccess.h>

#define EXEC_STRING_PAGES 16   /* argument + environment bytes: 64 KiB */
#define EXEC_MAX_STRINGS 510   /* argv + envp entries */

int64_t sys_fork(SYSCALL_ARGS) { return proc_fork(); }

/* clone as C libraries use it for fork: an exit signal (musl: SIGCHLD
 * alone), and glibc's CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID with the
 * child's tid address; CLONE_PARENT_SETTID and CLONE_VFORK (done as a
 * fork) too. x86-64 argument order: flags, stack, parent_tid, child_tid,
 * tls. An exit signal beyond NSIG is accepted and never sent, as by
 * Linux's clone (clone3 refuses it). Threads (CLONE_VM and the other
 * sharing flags) and a new stack are not supported yet: -ENOSYS. */
int64_t sys_clone(SYSCALL_ARGS)
{
    uint64_t flags = a0;
    uaddr_t stack = a1, ptid = a2, ctid = a3;
    const uint64_t forklike = CLONE_EXIT_SIGNAL | CLONE_VFORK | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |
                              CLONE_CHILD_SETTID;
    if ((flags & ~forklike) == 0 && stack == 0)
        return proc_clone(flags, ptid, ctid);
    return -ENOSYS;
}

int64_t sys_wait4(SYSCALL_ARGS) { return proc_wait((int)a0, a1, (int)a2, a3); }

int64_t sys_waitid(SYSCALL_ARGS) { return proc_waitid((int)a0, (int)a1, a2, (int)a3, a4); }

/* The strings of argv and envp, copied from the calling process into
 * kernel pages (a string never straddles two pages). */
struct exec_strings {
    char *pages[EXEC_STRING_PAGES];
    unsigned npages;
    uint64_t used;            /* bytes used in the last page */
    const char **vec;         /* argv entries, NULL, envp entries, NULL */
    unsigned n;
};

static void exec_strings_free(struct exec_strings *es)
{
    for (unsigned i = 0; i < es->npages; i++)
        kpage_free(es->pages[i]);
    kpage_free((void *)es->vec);
}

/* Append the NULL-terminated user array at uvec (NULL allowed: empty). */
static int exec_strings_add(struct exec_strings *es, uaddr_t uvec)
{
    for (unsigned i = 0; uvec; i++) {
        uaddr_t ustr;
        if (copy_from_user(current->space, &ustr, uvec + 8ull * i, sizeof ustr))
            return -EFAULT;
        if (!ustr)
            break;
        if (es->n + 2 > EXEC_MAX_STRINGS)
            return -E2BIG;
        if (!es->npages || es->used == PAGE_SIZE) {
            if (es->npages == EXEC_STRING_PAGES)
                return -E2BIG;
            if (!(es->pages[es->npages] = kpage_alloc()))
                return -ENOMEM;
            es->npages++;
            es->used = 0;
        }
        char *page = es->pages[es->npages - 1];
        int64_t len = strncpy_from_user(current->space, page + es->used, ustr, PAGE_SIZE - es->used);
        if (len == -ENAMETOOLONG && es->used > 0) {
            /* Start a fresh page and try once more. */
            if (es->npages == EXEC_STRING_PAGES)
                return -E2BIG;
            if (!(es->pages[es->npages] = kpage_alloc()))
                return -ENOMEM;
            page = es->pages[es->npages++];
            es->used = 0;
            len = strncpy_from_user(current->space, page, ustr, PAGE_SIZE);
        }
        if (len == -ENAMETOOLONG)
            return -E2BIG;
        if (len < 0)
            return (int)len;
        es->vec[es->n++] = page + es->used;
        es->used += (uint64_t)len + 1;
    }
    es->vec[es->n++] = NULL;
    return 0;
}

int64_t sys_execve(SYSCALL_ARGS)
{
    struct exec_strings es = {0};
    char *path = kpage_alloc();
    es.vec = kpage_alloc();
    int64_t err = -ENOMEM;
    if (!path || !es.vec)
        goto out;
    err = strncpy_from_user(current->space, path, a0, PATH_MAX);
    if (err < 0)
        goto out;
    err = exec_strings_add(&es, a1);
    if (err)
        goto out;
    unsigned envp_at = es.n;
    err = exec_strings_add(&es, a2);
    if (err)
        goto out;
    if (!path[0]) {
        err = -ENOENT;
        goto out;
    }
    err = exec_load(current, path, es.vec, es.vec + envp_at);
    if (err)
        goto out;
    /* The new program: descriptors marked close-on-exec go. */
    for (int fd = 0; fd < FD_MAX; fd++)
        if (current->fds->cloexec[fd / 8] & (1u << (fd % 8)))
            fd_close(current->fds, fd);
    current->clear_child_tid = 0;
    current->robust_list = 0;
    /* Handlers do not survive exec; ignored signals stay ignored; the
     * mask and pending signals stay; the alternate stack goes. */
    for (int i = 0; i < NSIG; i++) {
        uint64_t h = current->sigactions[i].handler;
        memset(&current->sigactions[i], 0, sizeof current->sigactions[i]);
        current->sigactions[i].handler = h == SIG_IGN ? SIG_IGN : SIG_DFL;
    }
    memset(&current->altstack, 0, sizeof current->altstack);
out:
    exec_strings_free(&es);
    kpage_free(path);
    return err;
}
