/* tests/fuzz/fuzz_modes.h — the fuzzer's two modes (see fuzz.h). Each
 * runs one input on a fresh simulated machine; header is the input's
 * first byte, which also carries the mode's settings. */
#ifndef TESTS_FUZZ_MODES_H
#define TESTS_FUZZ_MODES_H

#include "fuzz.h"

void fuzz_model_run(struct fz_input *in, uint8_t header);
void fuzz_wide_run(struct fz_input *in, uint8_t header);

#endif
