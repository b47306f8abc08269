/* kernel/x86_64/clock.c — time: the time-stamp counter as the monotonic
 * clock, calibrated at boot against the 8254 PIT, and the CMOS real-time
 * clock for the wall-clock time at boot.
 *
 * Calibration: PIT channel 2 counts down from N at 1193182 Hz in mode 0
 * (its output goes high at zero); the gate is bit 0 of port 0x61 and the
 * output is readable as bit 5. Counting TSC ticks over 10 ms gives the TSC
 * frequency. Nanoseconds are then (ticks * mult) >> 32 with a 128-bit
 * product. Channel 0 then ticks for the scheduler. */
#include <kern/lib.h>
#include <kern/machine.h>

#include "clock.h"
#include "cpu.h"

#define PIT_HZ 1193182u
#define TICK_HZ 100

static uint64_t tsc_at_boot, tsc_hz, ns_mult;
static uint64_t epoch_at_boot;

static uint64_t tsc_calibrate(void)
{
    uint32_t count = PIT_HZ / 100;
    outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
    outb(0x43, 0xb0); /* channel 2, lo/hi byte, mode 0 */
    outb(0x42, (uint8_t)count);
    outb(0x42, (uint8_t)(count >> 8));
    uint64_t t0 = rdtsc();
    for (uint64_t spins = 0; !(inb(0x61) & 0x20); spins++)
        if (spins > 100000000)
            return 0;
    return (rdtsc() - t0) * 100;
}

static uint8_t cmos_read(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static unsigned bcd(uint8_t v, bool binary) { return binary ? v : (v & 15) + (v >> 4) * 10; }

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
    y -= m <= 2;
    unsigned era = y / 400, yoe = y - era * 400;
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint64_t)era * 146097 + doe - 719468;
}

static uint64_t rtc_read_epoch(void)
{
    for (int i = 0; i < 1000000 && (cmos_read(0x0a) & 0x80); i++)
        cpu_relax();
    uint8_t b = cmos_read(0x0b);
    bool binary = b & 0x04, h24 = b & 0x02;
    unsigned sec = bcd(cmos_read(0x00), binary), min = bcd(cmos_read(0x02), binary);
    uint8_t hraw = cmos_read(0x04);
    unsigned hour = bcd(hraw & 0x7f, binary);
    if (!h24 && (hraw & 0x80))
        hour = (hour % 12) + 12;
    else if (!h24 && hour == 12)
        hour = 0;
    unsigned day = bcd(cmos_read(0x07), binary), mon = bcd(cmos_read(0x08), binary);
    unsigned year = bcd(cmos_read(0x09), binary) + 2000;
    if (mon < 1 || mon > 12 || day < 1 || day > 31)
        return 0;
    return days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}

void clock_init(void)
{
    tsc_hz = tsc_calibrate();
    if (tsc_hz < 1000000)
        tsc_hz = 1000000000; /* no usable PIT: assume 1 GHz */
    ns_mult = (1000000000ull << 32) / tsc_hz; /* 10^9 * 2^32 fits in 64 bits */
    tsc_at_boot = rdtsc();
    epoch_at_boot = rtc_read_epoch();
}

uint64_t machine_time_ns(void)
{
    uint64_t ticks = rdtsc() - tsc_at_boot;
    return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}

uint64_t machine_boot_epoch(void) { return epoch_at_boot; }

void machine_wait_until(uint64_t ns)
{
    while (machine_time_ns() < ns)
        cpu_relax();
}

void machine_relax(void) { cpu_relax(); }

uint64_t clock_tsc_hz(void) { return tsc_hz; }

/* The scheduler's tick: PIT channel 0 in mode 2 (rate generator) at
 * TICK_HZ, raising IRQ 0 (vector 32 after idt.c's remapping), which is
 * unmasked here. */
void clock_tick_start(void)
{
    uint32_t div = PIT_HZ / TICK_HZ;
    outb(0x43, 0x34); /* channel 0, lo/hi byte, mode 2 */
    outb(0x40, (uint8_t)div);
    outb(0x40, (uint8_t)(div >> 8));
    outb(0x21, inb(0x21) & ~0x01);
}
