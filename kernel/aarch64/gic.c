/* kernel/aarch64/gic.c — the Arm Generic Interrupt Controller, versions 2
 * and 3, as QEMU's -M virt provides them (gic-version=2 by default, 3 on
 * request), for the one interrupt the kernel takes: the timer's.
 *
 * Both have a distributor (GICD) that routes shared interrupts and sets
 * priorities, and a per-CPU interface that acknowledges (IAR) and ends
 * (EOIR) an interrupt and masks by priority (PMR). Private interrupts
 * (PPIs, INTIDs 16-31, such as the timer's 27) are configured per CPU:
 *   GICv2: in the distributor's banked registers; the CPU interface is
 *          memory mapped (GICC_CTLR 0x0, PMR 0x4, IAR 0xc, EOIR 0x10).
 *   GICv3: in the CPU's redistributor (GICR: RD frame, then the SGI frame
 *          64 KiB above it with IGROUPR0 0x80, ISENABLER0 0x100,
 *          IPRIORITYR 0x400); the CPU interface is system registers
 *          (ICC_*_EL1), enabled through ICC_SRE_EL1. The redistributor
 *          starts asleep: clear GICR_WAKER.ProcessorSleep (bit 1) and wait
 *          for ChildrenAsleep (bit 2) to clear.
 * Distributor: CTLR 0x0 (v2: bit 0 enables; v3 with one security state:
 * bit 1 EnableGrp1, bit 4 ARE), ISENABLER 0x100, IPRIORITYR 0x400 (a byte
 * per INTID, lower is more urgent). */
#include <kern/lib.h>

#include "boot_mem.h"
#include "gic.h"
#include "sysreg.h"

#define GICD_CTLR 0x000
#define GICD_ISENABLER 0x100
#define GICD_IPRIORITYR 0x400
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10
#define GICR_WAKER 0x14
#define GICR_SGI 0x10000
#define GICR_IGROUPR0 0x80
#define GICR_ISENABLER0 0x100
#define GICR_IPRIORITYR 0x400
#define GICD_CTLR_RWP (1u << 31)

#define PRIO_TIMER 0xa0
#define PMR_ALLOW_ALL 0xf0

static unsigned gic_version;
static uintptr_t gicd, gicc, gicr;

static void prio_set(uintptr_t reg_base, unsigned intid, uint8_t prio)
{
    uintptr_t a = reg_base + (intid & ~3u);
    unsigned shift = (intid & 3) * 8;
    mmio_write32(a, (mmio_read32(a) & ~(0xffu << shift)) | ((uint32_t)prio << shift));
}

int gic_init(unsigned version, uint64_t gicd_pa, uint64_t gicc_or_gicr_pa)
{
    gic_version = version;
    gicd = device_va(gicd_pa);
    if (version == 2) {
        gicc = device_va(gicc_or_gicr_pa);
        mmio_write32(gicd + GICD_CTLR, 1);
        mmio_write32(gicc + GICC_PMR, PMR_ALLOW_ALL);
        mmio_write32(gicc + GICC_CTLR, 1);
        return 0;
    }
    if (version == 3) {
        gicr = device_va(gicc_or_gicr_pa); /* CPU 0's frames come first */
        mmio_write32(gicd + GICD_CTLR, (1u << 4) | (1u << 1));
        while (mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP)
            cpu_relax();
        mmio_write32(gicr + GICR_WAKER, mmio_read32(gicr + GICR_WAKER) & ~(1u << 1));
        while (mmio_read32(gicr + GICR_WAKER) & (1u << 2))
            cpu_relax();
        sysreg_write(s3_0_c12_c12_5, sysreg_read(s3_0_c12_c12_5) | 1); /* ICC_SRE_EL1.SRE */
        isb();
        sysreg_write(s3_0_c4_c6_0, PMR_ALLOW_ALL);  /* ICC_PMR_EL1 */
        sysreg_write(s3_0_c12_c12_7, 1);            /* ICC_IGRPEN1_EL1 */
        isb();
        return 0;
    }
    return -1;
}

void gic_enable_ppi(unsigned intid)
{
    if (gic_version == 2) {
        prio_set(gicd + GICD_IPRIORITYR, intid, PRIO_TIMER);
        mmio_write32(gicd + GICD_ISENABLER, 1u << intid);
    } else if (gic_version == 3) {
        uintptr_t sgi = gicr + GICR_SGI;
        mmio_write32(sgi + GICR_IGROUPR0, mmio_read32(sgi + GICR_IGROUPR0) | (1u << intid));
        prio_set(sgi + GICR_IPRIORITYR, intid, PRIO_TIMER);
        mmio_write32(sgi + GICR_ISENABLER0, 1u << intid);
    }
}

unsigned gic_ack(void)
{
    if (gic_version == 2)
        return mmio_read32(gicc + GICC_IAR) & 0x3ff;
    if (gic_version == 3) {
        unsigned id = (unsigned)sysreg_read(s3_0_c12_c12_0) & 0xffffff; /* ICC_IAR1_EL1 */
        __asm__ volatile("dsb sy" : : : "memory");
        return id;
    }
    return GIC_SPURIOUS;
}

void gic_eoi(unsigned intid)
{
    if (gic_version == 2)
        mmio_write32(gicc + GICC_EOIR, intid);
    else if (gic_version == 3) {
        sysreg_write(s3_0_c12_c12_1, intid); /* ICC_EOIR1_EL1 */
        isb();
    }
}
