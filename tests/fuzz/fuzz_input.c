/* tests/fuzz/fuzz_input.c — turning fuzzer bytes into arguments: plain
 * integers, and the hostile values a system call must survive. */
#include "fuzz.h"

uint8_t fz_u8(struct fz_input *in) { return in->pos < in->size ? in->data[in->pos++] : 0; }

uint16_t fz_u16(struct fz_input *in)
{
    uint16_t lo = fz_u8(in);
    return (uint16_t)(lo | (uint16_t)fz_u8(in) << 8);
}

uint64_t fz_u64(struct fz_input *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)fz_u8(in) << (8 * i);
    return v;
}

uint64_t fz_hostile(struct fz_input *in, uaddr_t top)
{
    uint8_t k = fz_u8(in);
    switch (k % 32) {
    case 0: return 0;
    case 1: return 1;
    case 2: return FZ_PAGE - 1;
    case 3: return FZ_PAGE;
    case 4: return FZ_PAGE + 1;
    case 5: return 0x10000 - FZ_PAGE;        /* just below the default mmap_min_addr */
    case 6: return top - FZ_PAGE;
    case 7: return top - 1;
    case 8: return top;
    case 9: return top + FZ_PAGE;
    case 10: return 0x7fffffffffffull;      /* the last canonical lower-half byte */
    case 11: return 0x800000000000ull;      /* non-canonical on x86-64 (4 levels) */
    case 12: return 1ull << 48;             /* beyond aarch64's 48-bit space */
    case 13: return 0x00ff000000000000ull;  /* non-canonical everywhere */
    case 14: return 0xffff800000000000ull;  /* the kernel half */
    case 15: return 0xffffffff80000000ull;  /* kernel image addresses */
    case 16: return UINT64_MAX;
    case 17: return UINT64_MAX - FZ_PAGE + 2; /* wraps when rounded up to a page */
    case 18: return UINT64_MAX - FZ_PAGE + 1; /* the last page */
    case 19: return 1ull << 63;
    case 20: return (1ull << 63) - FZ_PAGE;
    case 21: return 0xffffffffull;
    case 22: return 1ull << 32;
    case 23: return 2ull << 20;             /* one huge page */
    case 24: return (2ull << 20) - FZ_PAGE;
    case 25: return 1ull << 30;
    case 26: return top / 3;
    case 27: return top / 2 + 1;
    default: return fz_u64(in);
    }
}

unsigned long fz_prot(struct fz_input *in)
{
    uint8_t b = fz_u8(in);
    unsigned long prot = b & 7;
    if (b & 0x08)
        prot |= PROT_SEM;
    if ((b & 0x30) == 0x10)
        prot |= PROT_GROWSDOWN;
    if ((b & 0x30) == 0x20)
        prot |= PROT_GROWSUP;
    if (b & 0x40)
        prot |= fz_any_bit(in);
    return prot;
}

unsigned long fz_any_bit(struct fz_input *in)
{
    uint8_t b = fz_u8(in);
    return b < 64 ? 1ul << b : 0;
}
