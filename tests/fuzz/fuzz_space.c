/* tests/fuzz/fuzz_space.c — the libFuzzer entry point of the address-space
 * fuzzer (built with clang -fsanitize=fuzzer,address,undefined, once per
 * page-table format; see mk/fuzz.mk).
 *
 * Input format: byte 0 is the header, the rest a sequence of operations,
 * each an operation byte followed by the argument bytes it reads (an input
 * that ends early reads zeros).
 *   header bit 0     0: model mode (fuzz_model.c), 1: wide mode (fuzz_wide.c)
 *   header bit 1     eager population policy
 *   model mode:      bit 2 Linux's exact choice of anonymous identity;
 *                    bits 3-6 window size (8 to 128 pages)
 *   wide mode:       bits 2-3 machine size, bits 4-5 VMA limit, bit 6 no
 *                    2 MiB alignment, bit 7 mmap_min_addr of one page; the
 *                    next byte is a second configuration byte
 * The operation codes are listed in each mode's step function. A failure
 * prints the input's last operations and the spaces and aborts; replay a
 * saved input with FUZZ_TRACE=1 <fuzzer binary> <file> to see every step. */
#include "fuzz.h"
#include "fuzz_modes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_input in = {.data = data, .size = size};
    if (size < 2)
        return 0;
    fz_trace_reset();
    uint8_t header = fz_u8(&in);
    if (header & 1)
        fuzz_wide_run(&in, header);
    else
        fuzz_model_run(&in, header);
    hosted_machine_fini();
    return 0;
}
