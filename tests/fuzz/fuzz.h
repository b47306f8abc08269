/* tests/fuzz/fuzz.h — what the parts of the address-space fuzzer share:
 * the byte reader that turns a fuzzer input into arguments (plain and
 * hostile), the operation trace printed with a failure, allocation-failure
 * injection driven by input bytes, a digest of an address space for
 * "nothing changed" checks, and the run counters.
 *
 * The fuzzer has two modes, chosen by the first input byte:
 *  - model mode (fuzz_model.c): mmap, munmap, mprotect and accesses in a
 *    window, every result compared with tests/lib/model.c;
 *  - wide mode (fuzz_wide.c): the whole mm/ API on up to three spaces
 *    (fork), a file object, brk, mremap, madvise, mincore, msync, faults
 *    and every user-copy primitive, checked without a model.
 * Both run the invariant checkers after every operation and check that
 * destroying everything returns every frame and record. */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <hosted/hosted.h>
#include <mm/check.h>
#include <mm/errno.h>
#include <mm/frame.h>
#include <mm/mman.h>
#include <mm/object.h>
#include <mm/slab.h>
#include <mm/space.h>
#include <mm/uaccess.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the input ---- */

struct fz_input {
    const uint8_t *data;
    size_t size, pos;
};

/* Next byte / little-endian value; 0 once the input is used up. */
uint8_t fz_u8(struct fz_input *in);
uint16_t fz_u16(struct fz_input *in);
uint64_t fz_u64(struct fz_input *in);
static inline bool fz_more(const struct fz_input *in) { return in->pos < in->size; }

/* A value from the list of troublesome addresses and lengths: zero, one,
 * page edges, the top of user space and around it, the non-canonical hole,
 * kernel addresses, values that wrap when rounded up, all ones, or eight
 * random bytes. top is the space's top. */
uint64_t fz_hostile(struct fz_input *in, uaddr_t top);

/* A protection: the three PROT bits, sometimes PROT_SEM, PROT_GROWSDOWN or
 * PROT_GROWSUP, sometimes any one other bit of the 64. */
unsigned long fz_prot(struct fz_input *in);

/* One bit of the 64, or 0 (mostly): for "every flag bit" arguments. */
unsigned long fz_any_bit(struct fz_input *in);

/* ---- reporting ---- */

/* The operation being run, as a line of text (fz_op sets it), kept in a
 * ring of the last operations for the failure report. */
void fz_op(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Append the result to the current operation's line. */
void fz_result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report a broken expectation: the message, the input's last operations
 * and the address spaces, then abort() so that the fuzzer keeps the input. */
_Noreturn void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Spaces drawn into a failure report (NULL entries are skipped). */
void fz_report_spaces(struct space **spaces, unsigned n);

/* Start the trace of a new input. FUZZ_TRACE=1 in the environment prints
 * every operation as it runs. */
void fz_trace_reset(void);

/* Counters over the whole run, printed at exit. */
struct fz_stats {
    uint64_t inputs, operations, injected, model_checked, oom_seen;
};
extern struct fz_stats fz_stats;

/* ---- allocation-failure injection ---- */

/* An injection the input asked for: the n-th allocation at site fails
 * (sticky: and every later one) during the next operation only. */
struct fz_inject {
    bool armed;
    enum mm_alloc_site site;
    uint64_t n;
    bool sticky;
    uint64_t count0; /* allocations at site before the operation */
};

/* Read an injection from the input (three bytes). */
void fz_inject_read(struct fz_input *in, struct fz_inject *inj);
/* Arm it just before the operation; disarm right after. fz_inject_end
 * returns whether the failing allocation was reached (and counts it). */
void fz_inject_begin(struct fz_inject *inj);
bool fz_inject_end(struct fz_inject *inj);

/* ---- checking ---- */

/* A digest of what an operation must not change when it fails: the VMA
 * list (bounds, flags, offsets), which object each VMA has, every leaf
 * (address, frame, permission; frames: address and frame only) and the
 * break. */
struct fz_digest {
    uint64_t vmas, objs, leaves, frames, brk;
};
void fz_digest(struct space *s, struct fz_digest *d);

/* space_check on each space, then frames_check over all of them and the
 * host's objects; fz_fail on a problem. */
void fz_check_all(struct space **spaces, unsigned n, struct vm_object **objs, unsigned nobjs);

/* Size the checker's scratch array for the current machine. */
void fz_check_prepare(void);

#define FZ_PAGE PAGE_SIZE

#endif
