/* kernel/aarch64/sysreg.h — thin wrappers around the aarch64 instructions
 * the kernel needs: system-register access, barriers, TLB and cache
 * maintenance, and the bits of the registers it programs. */
#ifndef KERNEL_AARCH64_SYSREG_H
#define KERNEL_AARCH64_SYSREG_H

#include <stdint.h>

/* Registers without an assembler name on every toolchain are spelled
 * S<op0>_<op1>_C<n>_C<m>_<op2>. */
#define sysreg_read(reg) \
    __extension__({ \
        uint64_t v_; \
        __asm__ volatile("mrs %0, " #reg : "=r"(v_)); \
        v_; \
    })
#define sysreg_write(reg, v) __asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(v)) : "memory")

static inline void isb(void) { __asm__ volatile("isb" : : : "memory"); }
static inline void dsb_ish(void) { __asm__ volatile("dsb ish" : : : "memory"); }
static inline void dsb_ishst(void) { __asm__ volatile("dsb ishst" : : : "memory"); }
static inline void dsb_sy(void) { __asm__ volatile("dsb sy" : : : "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("yield" : : : "memory"); }

/* 32-bit device register access through the device window. */
static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint64_t mmio_read64(uintptr_t a) { return *(volatile uint64_t *)a; }

/* ---- SCTLR_EL1 ---- */
#define SCTLR_M (1ul << 0)        /* stage 1 translation on */
#define SCTLR_C (1ul << 2)        /* data caches */
#define SCTLR_SA (1ul << 3)       /* SP alignment check at EL1 */
#define SCTLR_SA0 (1ul << 4)      /* ... and at EL0 */
#define SCTLR_SED (1ul << 8)      /* no SETEND (AArch32) */
#define SCTLR_I (1ul << 12)       /* instruction caches */
#define SCTLR_DZE (1ul << 14)     /* EL0 may use DC ZVA (C libraries' memset) */
#define SCTLR_UCT (1ul << 15)     /* EL0 may read CTR_EL0 */
#define SCTLR_NTWE (1ul << 18)    /* EL0 WFE not trapped */
#define SCTLR_SPAN (1ul << 23)    /* 0: PSTATE.PAN is set on every exception to EL1 */
#define SCTLR_UCI (1ul << 26)     /* EL0 cache maintenance by VA */
/* Bits that are RES1 in ARMv8.0 (EOS, TSCXT, EIS, SPAN, nTLSMD, LSMAOE). */
#define SCTLR_RES1 0x30d00800ul

/* ---- ID registers: 4-bit fields ---- */
static inline unsigned id_field(uint64_t reg, unsigned shift) { return (unsigned)(reg >> shift) & 0xf; }

/* ---- PSTATE in SPSR_EL1 ---- */
#define PSR_MODE_MASK 0xful       /* M[3:0]: 0 = EL0t, 5 = EL1h */
#define PSR_MODE_EL0T 0x0ul
#define PSR_I (1ul << 7)

/* ---- TLB maintenance (inner shareable: every CPU) ---- */
static inline void tlbi_vae1is(uint64_t arg) { __asm__ volatile("tlbi vae1is, %0" : : "r"(arg) : "memory"); }
static inline void tlbi_vaae1is(uint64_t arg) { __asm__ volatile("tlbi vaae1is, %0" : : "r"(arg) : "memory"); }
static inline void tlbi_aside1is(uint64_t arg) { __asm__ volatile("tlbi aside1is, %0" : : "r"(arg) : "memory"); }
static inline void tlbi_vmalle1is(void) { __asm__ volatile("tlbi vmalle1is" : : : "memory"); }

#endif
