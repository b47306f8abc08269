/* kernel/x86_64/idt.c — the interrupt descriptor table and the system-call
 * MSRs: where the CPU goes on an exception, an interrupt or the syscall
 * instruction.
 *
 * An IDT entry (16 bytes) holds the handler address split in three, the
 * code selector, an IST index (0: stay on the current stack, or switch to
 * RSP0 when coming from ring 3; 1-7: always switch to that TSS stack), and
 * type 0xE (interrupt gate: IF cleared on entry) with a DPL: the lowest ring
 * allowed to raise the vector with an int instruction. Only the breakpoint
 * and overflow vectors are DPL 3; any other "int $n" from user mode is a
 * #GP (this kernel has no int $0x80 entry).
 *
 * The legacy 8259 PICs are remapped to vectors 32-47 (their power-on
 * mapping overlaps the exceptions) and masked, except the timer (clock.c):
 * devices are polled. */
#include <kern/lib.h>

#include "cpu.h"
#include "layout.h"
#include "trap.h"

struct idt_entry {
    uint16_t off0;
    uint16_t sel;
    uint8_t ist;
    uint8_t type;
    uint16_t off1;
    uint32_t off2;
    uint32_t zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));

#define STUB(n) extern char trap_stub_##n[];
#define STUBS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) \
    X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) \
    X(26) X(27) X(28) X(29) X(30) X(31) X(32) X(33) X(34) X(35) X(36) X(37) X(38) \
    X(39) X(40) X(41) X(42) X(43) X(44) X(45) X(46) X(47) X(255)
STUBS(STUB)
#define STUB_ENTRY(n) {n, trap_stub_##n},
static const struct {
    int vec;
    char *stub;
} stubs[] = {STUBS(STUB_ENTRY)};

static void idt_set(int vec, void *handler, int ist, int dpl)
{
    uint64_t a = (uint64_t)(uintptr_t)handler;
    idt[vec] = (struct idt_entry){
        .off0 = (uint16_t)a,
        .sel = SEL_KERNEL_CODE,
        .ist = (uint8_t)ist,
        .type = (uint8_t)(0x8e | dpl << 5), /* present, DPL, interrupt gate */
        .off1 = (uint16_t)(a >> 16),
        .off2 = (uint32_t)(a >> 32),
    };
}

static void pic_remap_and_mask(void)
{
    outb(0x20, 0x11); /* ICW1: init, ICW4 follows */
    outb(0xa0, 0x11);
    outb(0x21, 32);   /* ICW2: vector base */
    outb(0xa1, 40);
    outb(0x21, 4);    /* ICW3: slave on IRQ2 */
    outb(0xa1, 2);
    outb(0x21, 1);    /* ICW4: 8086 mode */
    outb(0xa1, 1);
    outb(0x21, 0xff); /* mask everything */
    outb(0xa1, 0xff);
}

void idt_init(void)
{
    pic_remap_and_mask();
    for (size_t i = 0; i < ARRAY_SIZE(stubs); i++) {
        int ist = stubs[i].vec == EXC_DF ? 1 : stubs[i].vec == EXC_NMI ? 2 : stubs[i].vec == EXC_MC ? 3 : 0;
        /* int3 and into may be used from ring 3 (debuggers, as on Linux). */
        int dpl = stubs[i].vec == EXC_BP || stubs[i].vec == EXC_OF ? 3 : 0;
        idt_set(stubs[i].vec, stubs[i].stub, ist, dpl);
    }
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

/* The syscall instruction: STAR holds the selector bases (see gdt.c), LSTAR
 * the entry point, SFMASK the RFLAGS bits cleared on entry (IF, TF, DF, AC,
 * NT), EFER.SCE enables it (already set by boot.S). */
void syscall_msr_init(void)
{
    extern char syscall_entry[];
    wrmsr(MSR_STAR, ((uint64_t)SEL_USER_CODE32 << 48) | ((uint64_t)SEL_KERNEL_CODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    /* From 32-bit code (a far jump to the 32-bit user code segment): -ENOSYS
     * (trap_entry.S), never address 0 in ring 0. */
    extern char syscall_compat_entry[];
    wrmsr(MSR_CSTAR, (uint64_t)(uintptr_t)syscall_compat_entry);
    wrmsr(MSR_SFMASK, (1u << 9) | (1u << 8) | (1u << 10) | (1u << 18) | (1u << 14));
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | EFER_NXE);
}
