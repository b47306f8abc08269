/* kernel/aarch64/kstack.h — kernel stacks for processes. */
#ifndef KERNEL_AARCH64_KSTACK_H
#define KERNEL_AARCH64_KSTACK_H

#include <stdint.h>

#define KSTACK_AREA 0xffffff0000000000ull  /* TTBR1 level-0 entry 510 */
#define KSTACK_PAGES 8                     /* 32 KiB of stack */
#define KSTACK_SLOT (16 * 4096ull)         /* stack + an unmapped guard below */
#define KSTACK_MAX 1024

/* A new kernel stack: returns its top (exclusive, 16-byte aligned), or 0
 * when no memory or no slot is left. Below the stack lies an unmapped
 * guard, so an overflow faults instead of corrupting memory. */
uint64_t kstack_alloc(void);

/* Free the stack whose top kstack_alloc returned. Not the current stack. */
void kstack_free(uint64_t top);

#endif
