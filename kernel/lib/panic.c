/* kernel/lib/panic.c — panic(): the message, a frame-pointer backtrace,
 * and a stop with its own QEMU exit status. */
#include <kern/lib.h>
#include <kern/machine.h>
#include <kern/panic.h>

void panic(const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kprintf("mmcore: panic: %s\n", msg);

    uintptr_t *fp = __builtin_frame_address(0);
    kprintf("  backtrace:");
    for (int i = 0; i < 16 && fp && (uintptr_t)fp >= 0xffff800000000000ull && ((uintptr_t)fp & 7) == 0; i++) {
        kprintf(" %016lx", (unsigned long)fp[1]);
        fp = (uintptr_t *)fp[0];
    }
    kprintf("\n");
    machine_stop(MACHINE_STOP_PANIC);
}
