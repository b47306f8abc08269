# mk/fuzz.mk — the libFuzzer target of mm/ (tests/fuzz/), built with clang
# once per page-table format, ASan and UBSan included.
#   make fuzz                      fuzz until interrupted, both formats in
#                                  parallel (FUZZ_ARCH=x86_64 or aarch64: one)
#   make fuzz FUZZ_TIME=3600       stop after that many seconds per format
#   make fuzz-build                build build/fuzz-<arch>/fuzz_space only
#   make fuzz-kernel               the system-call fuzzer in the reference
#                                  kernel: FUZZ_KERNEL_SEEDS boots of
#                                  FUZZ_KERNEL_CALLS calls from
#                                  FUZZ_KERNEL_PROCS processes each
#                                  (ARCH=aarch64: the aarch64 kernel)
# make test runs tests/fuzz/check: the seed corpus, then 30 seconds of
# fuzzing per format (FUZZ_CHECK_TIME), one verdict per format; and the
# bounded kernel runs are cases of tests/kernel/run-all.
# New inputs go to build/fuzz-<arch>/corpus, failures to
# build/fuzz-<arch>/crash-*; tests/fuzz/corpus/ holds the seeds
# (tests/fuzz/make-corpus writes them).

FUZZ_CC      ?= clang
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Coverage guides the fuzzer through mm/ and arch/ only; the harness, the
# model and the simulated machine are built without it (and run faster).
FUZZ_CFLAGS  := $(WARN) $(INCS) -O1 -g $(FUZZ_SAN) -D_GNU_SOURCE
FUZZ_MMFLAGS := $(WARN) -Imm/include -ffreestanding -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_SRCS    := $(wildcard tests/fuzz/*.c) tests/lib/model.c
FUZZ_BINS    := $(foreach a,$(ARCHES),$(BUILD)/fuzz-$(a)/fuzz_space)

define fuzz_target
$(BUILD)/fuzz-$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(if $$(filter mm/% arch/%,$$<),$$(FUZZ_MMFLAGS),$$(FUZZ_CFLAGS)) -MMD -MP -c $$< -o $$@

FUZZ_OBJS_$(1) := $$(patsubst %.c,$(BUILD)/fuzz-$(1)/%.o,$$(MM_SRCS) $$(wildcard arch/$(1)/*.c) \
                  $$(HOSTED_SRCS) $$(wildcard hosted/mmu_$(1).c) $$(FUZZ_SRCS))

$(BUILD)/fuzz-$(1)/fuzz_space: $$(FUZZ_OBJS_$(1))
	$$(FUZZ_CC) -fsanitize=fuzzer $$(FUZZ_SAN) -o $$@ $$^
endef
$(foreach a,$(ARCHES),$(eval $(call fuzz_target,$(a))))

DEPS += clang:clang \
        /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a:libclang-rt-14-dev

.PHONY: fuzz fuzz-build fuzz-kernel
fuzz-build: $(FUZZ_BINS)

FUZZ_ARCH ?=
FUZZ_TIME ?= 0
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@tests/fuzz/run --time $(FUZZ_TIME) $(or $(FUZZ_ARCH),$(ARCHES))

FUZZ_KERNEL_SEEDS ?= 1 2 3 4 5 6 7 8
FUZZ_KERNEL_CALLS ?= 2000000
FUZZ_KERNEL_PROCS ?= 6
fuzz-kernel: deps
	@$(MAKE) --no-print-directory kernel user
	@tests/fuzz/kernel-run --arch $(ARCH) --calls $(FUZZ_KERNEL_CALLS) --procs $(FUZZ_KERNEL_PROCS) \
	    $(FUZZ_KERNEL_SEEDS)

TEST_EXTRA += tests/fuzz/check
