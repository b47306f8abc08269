# mmcore — top-level build.
#   make test    everything CI checks (installs what it lacks)
#   make run     boots the reference kernel and its demo
#   make bench   benchmarks, printed
# Hosted builds exist once per page-table format: build/hosted-<arch>/.

ARCHES  := x86_64 aarch64
# The reference kernel's architecture for make kernel/user/run/debug
# (make ARCH=aarch64 run); make test covers both.
ARCH    ?= x86_64
BUILD   := build
CC      ?= gcc
ifeq ($(origin CC),default)
CC      := gcc
endif

WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
INCS    := -Imm/include -Ihosted/include -Itests/lib
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Two flavours of the hosted build: "test" (sanitizers) and "bench" (-O2).
CFLAGS_test  := $(WARN) $(INCS) -O1 -g $(SAN) -D_GNU_SOURCE
CFLAGS_bench := $(WARN) $(INCS) -O2 -g -DNDEBUG -D_GNU_SOURCE
# mm/ and arch/ are freestanding: compiled without the hosted include path.
MMFLAGS_test  := $(WARN) -Imm/include -ffreestanding -O1 -g $(SAN)
MMFLAGS_bench := $(WARN) -Imm/include -ffreestanding -O2 -g -DNDEBUG

MM_SRCS      := $(wildcard mm/*.c)
HOSTED_SRCS  := $(filter-out hosted/mmsim.c hosted/mmu_%.c,$(wildcard hosted/*.c))
TESTLIB_SRCS := tests/lib/test_main.c $(filter-out tests/lib/test_main.c,$(wildcard tests/lib/*.c))
UNIT_SRCS    := $(wildcard tests/unit/test_*.c)
UNIT_NAMES   := $(patsubst tests/unit/%.c,%,$(UNIT_SRCS))

.PHONY: all test hosted-test run bench deps clean soak
all: hosted

# ---- hosted library per arch: $(1) = arch, $(2) = flavour (test|bench) ----
define hosted_lib
$(BUILD)/hosted-$(1)-$(2)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(if $$(filter mm/% arch/%,$$<),$$(MMFLAGS_$(2)),$$(CFLAGS_$(2))) -MMD -MP -c $$< -o $$@

HOSTED_OBJS_$(1)_$(2) := $$(patsubst %.c,$(BUILD)/hosted-$(1)-$(2)/%.o,$$(MM_SRCS) $$(wildcard arch/$(1)/*.c) $$(HOSTED_SRCS) $$(wildcard hosted/mmu_$(1).c))
endef
$(foreach a,$(ARCHES),$(eval $(call hosted_lib,$(a),test)))
$(foreach a,$(ARCHES),$(eval $(call hosted_lib,$(a),bench)))

# ---- unit tests per arch ----
define unit_test
$(BUILD)/hosted-$(1)-test/bin/$(2): $(BUILD)/hosted-$(1)-test/tests/unit/$(2).o $$(patsubst %.c,$(BUILD)/hosted-$(1)-test/%.o,$$(TESTLIB_SRCS)) $$(HOSTED_OBJS_$(1)_test)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(SAN) -o $$@ $$^
endef
$(foreach a,$(ARCHES),$(foreach t,$(UNIT_NAMES),$(eval $(call unit_test,$(a),$(t)))))

# ---- the script driver (mmsim) per arch ----
define mmsim_bin
$(BUILD)/hosted-$(1)-test/bin/mmsim: $(BUILD)/hosted-$(1)-test/hosted/mmsim.o $$(HOSTED_OBJS_$(1)_test)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(SAN) -o $$@ $$^
endef
ifneq ($(wildcard hosted/mmsim.c),)
$(foreach a,$(ARCHES),$(eval $(call mmsim_bin,$(a))))
MMSIM_BINS := $(foreach a,$(ARCHES),$(BUILD)/hosted-$(a)-test/bin/mmsim)
endif

UNIT_BINS := $(foreach a,$(ARCHES),$(foreach t,$(UNIT_NAMES),$(BUILD)/hosted-$(a)-test/bin/$(t)))

# ---- benchmarks: bench/*.c, optimised, no sanitizers ----
BENCH_NAMES := $(patsubst bench/%.c,%,$(wildcard bench/*.c))
define bench_bin
$(BUILD)/hosted-$(1)-bench/bin/$(2): $(BUILD)/hosted-$(1)-bench/bench/$(2).o $$(HOSTED_OBJS_$(1)_bench)
	@mkdir -p $$(dir $$@)
	$$(CC) -o $$@ $$^
endef
$(foreach a,$(ARCHES),$(foreach b,$(BENCH_NAMES),$(eval $(call bench_bin,$(a),$(b)))))
BENCH_BINS := $(foreach b,$(BENCH_NAMES),$(BUILD)/hosted-x86_64-bench/bin/$(b))

# (its recipe, and the whole-system part, are in mk/bench.mk)
bench: $(BENCH_BINS)

hosted: $(UNIT_BINS) $(MMSIM_BINS)

hosted-test: hosted
	@tools/run-tests --log $(BUILD)/hosted-test.log $(UNIT_BINS) $(if $(MMSIM_BINS),tests/scripts/run-scripts)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
-include mk/*.mk

test: deps
	@$(MAKE) --no-print-directory hosted
	@tools/run-tests --log $(BUILD)/test.log $(UNIT_BINS) $(if $(MMSIM_BINS),tests/scripts/run-scripts) $(TEST_EXTRA)

deps:
	@tools/ensure-deps $(DEPS)

clean:
	rm -rf $(BUILD)
