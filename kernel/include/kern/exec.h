/* kern/exec.h — starting a program: loading a static ELF executable into a
 * new address space and laying out its stack as Linux does. */
#ifndef KERN_EXEC_H
#define KERN_EXEC_H

#include <kern/proc.h>

/* Where the program loader puts things (Linux's choices without address
 * randomisation). An architecture's arch_proc.h may set its own. */
#ifndef EXEC_STACK_TOP
#define EXEC_STACK_TOP 0x7ffffffff000ull   /* x86-64 TASK_SIZE */
#endif
#ifndef EXEC_PIE_BASE
#define EXEC_PIE_BASE 0x555555554000ull    /* static-pie load address */
#endif
#define EXEC_STACK_GUARD (256 * 4096ull)   /* stack_guard_gap */
#define EXEC_MMAP_GAP_MIN (128ull << 20)

/* Replace p's address space with a new one running the executable at path
 * with argv and envp (NULL-terminated kernel arrays). On success p is ready
 * to enter user mode (arch_proc_set_user_entry done) and returns 0; on
 * failure p's old space is untouched and a negative errno comes back:
 * -ENOENT, -EACCES (not a regular file), -ENOEXEC (not a static x86-64
 * ELF executable), -E2BIG (arguments too large), -ENOMEM. */
int exec_load(struct proc *p, const char *path, const char *const *argv, const char *const *envp);

#endif
