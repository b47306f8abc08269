# mk/conformance.mk — Linux conformance: each program in tests/conformance/
# runs natively on the host's Linux kernel and under the reference kernel
# (tools/run-elf), and the two outputs must match case by case.
#   make conformance         build, run everything, write docs/conformance.md
#   make conformance-build   build the programs only
#   tests/conformance/run [PROGRAM...]   run some (see its header)
# A program is built once: a static x86-64 executable that makes raw Linux
# system calls (user/lib is its C runtime, no C library), so the very same
# file is what runs on both kernels. The real programs come from a
# real C library (musl-gcc -static) and from Rust's std (rustc, static-pie).

CONF_BUILD  := $(BUILD)/conformance
CONF_CFLAGS := $(WARN) -O2 -g -ffreestanding -fno-pie \
               -fno-stack-protector -fno-tree-loop-distribute-patterns \
               -fno-asynchronous-unwind-tables -Iuser/include -Itests/conformance/lib
CONF_RT_OBJS  := $(addprefix $(CONF_BUILD)/rt/,crt0.o start.o syscall.o ulib.o)
CONF_LIB_OBJS := $(patsubst tests/conformance/lib/%.c,$(CONF_BUILD)/lib/%.o,$(wildcard tests/conformance/lib/*.c))
CONF_PROGS    := $(patsubst tests/conformance/%.c,%,$(wildcard tests/conformance/*.c))
CONF_BINS     := $(addprefix $(CONF_BUILD)/bin/,$(CONF_PROGS)) \
                 $(CONF_BUILD)/bin/musl_realloc $(CONF_BUILD)/bin/vec $(CONF_BUILD)/bin/exec_maps_pie \
                 $(CONF_BUILD)/bin/musl_maps $(CONF_BUILD)/bin/rust_maps

DEPS += musl-gcc:musl-tools rustc:rustc qemu-system-x86_64:qemu-system-x86 cpio:cpio

$(CONF_BUILD)/rt/%.o: user/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CONF_CFLAGS) -MMD -MP -c $< -o $@
$(CONF_BUILD)/rt/%.o: user/lib/%.S
	@mkdir -p $(dir $@)
	$(CC) -MMD -MP -c $< -o $@
$(CONF_BUILD)/lib/%.o: tests/conformance/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CONF_CFLAGS) -MMD -MP -c $< -o $@
$(CONF_BUILD)/obj/%.o: tests/conformance/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CONF_CFLAGS) -MMD -MP -c $< -o $@
$(CONF_BUILD)/bin/%: $(CONF_BUILD)/obj/%.o $(CONF_LIB_OBJS) $(CONF_RT_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -static -nostdlib -no-pie -Wl,--build-id=none -o $@ $(CONF_BUILD)/rt/crt0.o \
	    $(filter-out $(CONF_BUILD)/rt/crt0.o,$^) -lgcc

# exec_maps a second time as static-pie (the ET_DYN loader): every object
# position-independent, and the runtime's self-relocating entry.
CONF_PIE_OBJS := $(addprefix $(CONF_BUILD)/pie/,rt/crt0_pie.o rt/reloc.o rt/start.o rt/syscall.o rt/ulib.o \
                   $(patsubst tests/conformance/lib/%.c,lib/%.o,$(wildcard tests/conformance/lib/*.c)) obj/exec_maps.o)
$(CONF_BUILD)/pie/rt/%.o: user/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CONF_CFLAGS) -fpie -MMD -MP -c $< -o $@
$(CONF_BUILD)/pie/rt/%.o: user/lib/%.S
	@mkdir -p $(dir $@)
	$(CC) -MMD -MP -c $< -o $@
$(CONF_BUILD)/pie/lib/%.o: tests/conformance/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CONF_CFLAGS) -fpie -MMD -MP -c $< -o $@
$(CONF_BUILD)/pie/obj/%.o: tests/conformance/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CONF_CFLAGS) -fpie -MMD -MP -c $< -o $@
$(CONF_BUILD)/bin/exec_maps_pie: $(CONF_PIE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -static-pie -nostdlib -Wl,--build-id=none -o $@ $^ -lgcc

# The real programs, unmodified, with their own toolchains (two of them
# print how the loader mapped their own image: musl static, Rust static-pie).
$(CONF_BUILD)/bin/musl_realloc: tests/conformance/real/musl_realloc.c
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $<
$(CONF_BUILD)/bin/vec: tests/conformance/real/vec.rs
	@mkdir -p $(dir $@)
	rustc -O -C target-feature=+crt-static -o $@ $<
$(CONF_BUILD)/bin/musl_maps: tests/conformance/real/musl_maps.c
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $<
$(CONF_BUILD)/bin/rust_maps: tests/conformance/real/rust_maps.rs
	@mkdir -p $(dir $@)
	rustc -O -C target-feature=+crt-static -o $@ $<

.PHONY: conformance conformance-build
.PRECIOUS: $(CONF_BUILD)/obj/%.o $(CONF_BUILD)/lib/%.o $(CONF_BUILD)/rt/%.o $(CONF_BUILD)/pie/%.o

conformance-build: $(CONF_BINS)

conformance: deps
	@$(MAKE) --no-print-directory kernel conformance-build
	@tests/conformance/run --docs

# make test: the same run, verdicts only (docs/ is left alone).
TEST_EXTRA += tests/conformance/check
