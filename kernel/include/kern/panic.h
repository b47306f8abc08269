/* kern/panic.h — stopping the machine on a kernel bug. */
#ifndef KERN_PANIC_H
#define KERN_PANIC_H

/* Print the message and a backtrace on the kernel console, then stop the
 * machine with MACHINE_STOP_PANIC. For broken invariants only: anything a
 * user can cause returns an errno instead. */
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define KASSERT(c) \
    do { \
        if (!(c)) \
            panic("assertion failed: %s (%s:%d)", #c, __FILE__, __LINE__); \
    } while (0)

#endif
