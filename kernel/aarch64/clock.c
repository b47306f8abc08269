/* kernel/aarch64/clock.c — time: the architectural generic timer as the
 * monotonic clock and the scheduler tick, and the PL031 real-time clock
 * for the wall-clock time at boot.
 *
 * The generic timer: CNTVCT_EL0 is a 64-bit count at CNTFRQ_EL0 Hz (the
 * virtual count; with no hypervisor under us its offset is 0). The EL1
 * virtual timer fires when CNTVCT reaches CNTV_CVAL; writing CNTV_TVAL =
 * n sets CVAL = now + n. CNTV_CTL: ENABLE (bit 0), IMASK (bit 1), ISTATUS
 * (bit 2, read-only). Its interrupt is PPI 11 (INTID 27), level
 * triggered: it stays asserted until the timer is re-armed.
 *
 * Nanoseconds are (ticks * mult) >> 32 with a 128-bit product,
 * mult = 10^9 * 2^32 / frequency.
 *
 * PL031: the data register (offset 0) reads seconds since the epoch. */
#include <kern/lib.h>
#include <kern/machine.h>

#include "boot_mem.h"
#include "clock.h"
#include "sysreg.h"

#define TICK_HZ 100

static uint64_t cnt_at_boot, cnt_hz, ns_mult;
static uint64_t epoch_at_boot;

static uint64_t counter_read(void)
{
    isb(); /* not earlier than the instructions before it */
    return sysreg_read(cntvct_el0);
}

void clock_init(uint64_t rtc_pa)
{
    cnt_hz = sysreg_read(cntfrq_el0) & 0xffffffffu;
    if (cnt_hz < 1000000)
        cnt_hz = 62500000; /* unset by firmware: QEMU's usual value */
    ns_mult = (1000000000ull << 32) / cnt_hz;
    cnt_at_boot = counter_read();
    if (rtc_pa)
        epoch_at_boot = mmio_read32(device_va(rtc_pa));
}

uint64_t machine_time_ns(void)
{
    uint64_t ticks = counter_read() - cnt_at_boot;
    return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}

uint64_t machine_boot_epoch(void) { return epoch_at_boot; }

void machine_wait_until(uint64_t ns)
{
    while (machine_time_ns() < ns)
        cpu_relax();
}

void machine_relax(void) { cpu_relax(); }

uint64_t clock_counter_hz(void) { return cnt_hz; }

void clock_tick_rearm(void) { sysreg_write(cntv_tval_el0, cnt_hz / TICK_HZ); }

void clock_tick_start(void)
{
    clock_tick_rearm();
    sysreg_write(cntv_ctl_el0, 1);
    isb();
}
