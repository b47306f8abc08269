# mk/bench.mk — make bench: the hosted benchmarks of mm/, then the
# whole-system benchmark (user/bench/vmbench.c) on the reference kernel and
# on Debian's Linux kernel under the same QEMU command, then the tables and
# the plot, all under build/bench/.
#   make bench          everything (about two minutes; more when KVM runs)
#   make bench-system   the whole-system part only
#   make vmbench        the benchmark program (a static binary that also
#                       runs natively: build/bench/vmbench [SCALE [TRIALS]])
# This file is read before mk/kernel.mk, so paths into that file's build
# directories are spelt out here.

BENCH_OUT    := $(BUILD)/bench
VMBENCH      := $(BENCH_OUT)/vmbench
BENCH_ULIB   := $(addprefix $(BUILD)/user-x86_64/lib/,start.o syscall.o ulib.o)
BENCH_CRT0   := $(BUILD)/user-x86_64/lib/crt0.o
BENCH_LINUX  := $(BENCH_OUT)/linux/vmlinuz
BENCH_DEPS   := qemu-system-x86_64:qemu-system-x86 cpio:cpio gnuplot:gnuplot-nox

$(BENCH_OUT)/obj/vmbench.o: user/bench/vmbench.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  UCC     $<";)$(CC) $(UCFLAGS) -fno-pie -MMD -MP -c $< -o $@

$(VMBENCH): $(BENCH_CRT0) $(BENCH_OUT)/obj/vmbench.o $(BENCH_ULIB)
	$(if $(V),,@echo "  ULD     $@";)$(CC) -static -nostdlib -no-pie -Wl,--build-id=none -o $@ $^ -lgcc

$(BENCH_LINUX):
	@tools/bench-linux $(BENCH_OUT)/linux >/dev/null

.PHONY: vmbench bench-deps bench-system bench-hosted
vmbench: $(VMBENCH)

bench-deps:
	@tools/ensure-deps $(BENCH_DEPS)

# The hosted benchmarks, each one's output kept for the plot.
bench-hosted: $(BENCH_BINS)
	@mkdir -p $(BENCH_OUT)
	@for b in $(BENCH_BINS); do \
	    echo "== $$b"; \
	    $$b >$(BENCH_OUT)/hosted-$$(basename $$b).txt; rc=$$?; \
	    cat $(BENCH_OUT)/hosted-$$(basename $$b).txt; \
	    [ $$rc = 0 ] || exit 1; \
	done

bench-system: bench-deps kernel $(VMBENCH) $(BENCH_LINUX)
	@tools/bench-system --out $(BENCH_OUT) --vmbench $(VMBENCH) \
	    --mmcore $(KERNEL_BIN) --linux $(BENCH_LINUX)
	@tools/bench-plot $(BENCH_OUT)

# The top Makefile's bench target lists the hosted binaries; the order of
# the steps is given here, one after another, so that nothing else runs
# while a benchmark is timed.
bench: bench-deps kernel $(VMBENCH) $(BENCH_LINUX)
	@$(MAKE) --no-print-directory bench-hosted
	@$(MAKE) --no-print-directory bench-system
