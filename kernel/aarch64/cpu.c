/* kernel/aarch64/cpu.c — CPU feature detection from the ID registers, the
 * AT_HWCAP word user programs get, and PAN.
 *
 * AT_HWCAP uses Linux's arm64 bit numbers. Only features that need nothing
 * from the kernel are reported: SVE (state the kernel would have to save),
 * pointer authentication and BTI (keys and controls it would have to
 * program), MTE, the event stream and CPUID (Linux emulates EL0 reads of
 * the ID registers; we do not) are left out, so C libraries do not use
 * them. */
#include <kern/lib.h>
#include <kern/machine.h>

#include "cpu.h"
#include "sysreg.h"

struct cpu_features cpu_features;

enum {
    HWCAP_FP = 1u << 0, HWCAP_ASIMD = 1u << 1, HWCAP_AES = 1u << 3, HWCAP_PMULL = 1u << 4,
    HWCAP_SHA1 = 1u << 5, HWCAP_SHA2 = 1u << 6, HWCAP_CRC32 = 1u << 7, HWCAP_ATOMICS = 1u << 8,
    HWCAP_FPHP = 1u << 9, HWCAP_ASIMDHP = 1u << 10, HWCAP_ASIMDRDM = 1u << 12,
    HWCAP_JSCVT = 1u << 13, HWCAP_FCMA = 1u << 14, HWCAP_LRCPC = 1u << 15,
    HWCAP_DCPOP = 1u << 16, HWCAP_SHA3 = 1u << 17, HWCAP_SM3 = 1u << 18, HWCAP_SM4 = 1u << 19,
    HWCAP_ASIMDDP = 1u << 20, HWCAP_SHA512 = 1u << 21, HWCAP_ASIMDFHM = 1u << 23,
    HWCAP_DIT = 1u << 24, HWCAP_USCAT = 1u << 25, HWCAP_ILRCPC = 1u << 26,
    HWCAP_FLAGM = 1u << 27, HWCAP_SSBS = 1u << 28, HWCAP_SB = 1u << 29,
};

static uint32_t hwcap_from_id(void)
{
    uint64_t pfr0 = sysreg_read(id_aa64pfr0_el1), pfr1 = sysreg_read(id_aa64pfr1_el1);
    uint64_t isar0 = sysreg_read(id_aa64isar0_el1), isar1 = sysreg_read(id_aa64isar1_el1);
    uint64_t mmfr2 = sysreg_read(s3_0_c0_c7_2); /* ID_AA64MMFR2_EL1 */
    uint32_t h = 0;

    unsigned fp = id_field(pfr0, 16), simd = id_field(pfr0, 20);
    if (fp != 0xf)
        h |= HWCAP_FP | (fp == 1 ? HWCAP_FPHP : 0);
    if (simd != 0xf)
        h |= HWCAP_ASIMD | (simd == 1 ? HWCAP_ASIMDHP : 0);
    if (id_field(pfr0, 48) >= 1)
        h |= HWCAP_DIT;
    if (id_field(pfr1, 4) >= 2)
        h |= HWCAP_SSBS;

    unsigned aes = id_field(isar0, 4), sha2 = id_field(isar0, 12), lrcpc = id_field(isar1, 20);
    h |= aes >= 1 ? HWCAP_AES : 0;
    h |= aes >= 2 ? HWCAP_PMULL : 0;
    h |= id_field(isar0, 8) >= 1 ? HWCAP_SHA1 : 0;
    h |= sha2 >= 1 ? HWCAP_SHA2 : 0;
    h |= sha2 >= 2 ? HWCAP_SHA512 : 0;
    h |= id_field(isar0, 16) >= 1 ? HWCAP_CRC32 : 0;
    h |= id_field(isar0, 20) >= 2 ? HWCAP_ATOMICS : 0;
    h |= id_field(isar0, 28) >= 1 ? HWCAP_ASIMDRDM : 0;
    h |= id_field(isar0, 32) >= 1 ? HWCAP_SHA3 : 0;
    h |= id_field(isar0, 36) >= 1 ? HWCAP_SM3 : 0;
    h |= id_field(isar0, 40) >= 1 ? HWCAP_SM4 : 0;
    h |= id_field(isar0, 44) >= 1 ? HWCAP_ASIMDDP : 0;
    h |= id_field(isar0, 48) >= 1 ? HWCAP_ASIMDFHM : 0;
    h |= id_field(isar0, 52) >= 1 ? HWCAP_FLAGM : 0;
    h |= id_field(isar1, 0) >= 1 ? HWCAP_DCPOP : 0;
    h |= id_field(isar1, 12) >= 1 ? HWCAP_JSCVT : 0;
    h |= id_field(isar1, 16) >= 1 ? HWCAP_FCMA : 0;
    h |= lrcpc >= 1 ? HWCAP_LRCPC : 0;
    h |= lrcpc >= 2 ? HWCAP_ILRCPC : 0;
    h |= id_field(isar1, 36) >= 1 ? HWCAP_SB : 0;
    h |= id_field(mmfr2, 32) >= 1 ? HWCAP_USCAT : 0;
    return h;
}

static const char *cpu_part_name(uint64_t midr)
{
    unsigned implementer = (unsigned)(midr >> 24) & 0xff, part = (unsigned)(midr >> 4) & 0xfff;
    if (implementer == 0x41) {
        switch (part) {
        case 0xd03: return "Cortex-A53";
        case 0xd04: return "Cortex-A35";
        case 0xd05: return "Cortex-A55";
        case 0xd07: return "Cortex-A57";
        case 0xd08: return "Cortex-A72";
        case 0xd09: return "Cortex-A73";
        case 0xd0b: return "Cortex-A76";
        case 0xd0c: return "Neoverse-N1";
        case 0xd40: return "Neoverse-V1";
        case 0xd49: return "Neoverse-N2";
        }
    }
    return "aarch64 CPU";
}

void cpu_init(void)
{
    uint64_t mmfr0 = sysreg_read(id_aa64mmfr0_el1), mmfr1 = sysreg_read(id_aa64mmfr1_el1);
    uint64_t isar0 = sysreg_read(id_aa64isar0_el1);

    cpu_features.midr = sysreg_read(midr_el1);
    strlcpy(cpu_features.name, cpu_part_name(cpu_features.midr), sizeof cpu_features.name);
    cpu_features.asid_bits = id_field(mmfr0, 4) == 2 ? 16 : 8;
    cpu_features.hw_af = id_field(mmfr1, 0) >= 1;
    cpu_features.pan = id_field(mmfr1, 20) >= 1;
    cpu_features.rndr = id_field(isar0, 60) >= 1;
    cpu_features.hwcap = hwcap_from_id();

    if (cpu_features.pan) {
        /* SCTLR_EL1.SPAN = 0: every exception into EL1 sets PSTATE.PAN;
         * and set it now (PAN, S3_0_C4_C2_3, bit 22). */
        sysreg_write(sctlr_el1, sysreg_read(sctlr_el1) & ~SCTLR_SPAN);
        sysreg_write(s3_0_c4_c2_3, 1ul << 22);
        isb();
    }
}

uint32_t machine_hwcap(void) { return cpu_features.hwcap; }
