/* kernel/aarch64/gic.h — the interrupt controller (gic.c). */
#ifndef KERNEL_AARCH64_GIC_H
#define KERNEL_AARCH64_GIC_H

#include <stdint.h>

#define GIC_SPURIOUS 1023

/* Set up a GICv2 (gicd, gicc) or GICv3 (gicd, gicr) for this CPU. Returns
 * 0, or -1 for an unknown version. */
int gic_init(unsigned version, uint64_t gicd_pa, uint64_t gicc_or_gicr_pa);

/* Let the private (per-CPU) interrupt intid through. */
void gic_enable_ppi(unsigned intid);

/* Acknowledge the highest-priority pending interrupt: its INTID
 * (GIC_SPURIOUS when none); and signal its end. */
unsigned gic_ack(void);
void gic_eoi(unsigned intid);

#endif
