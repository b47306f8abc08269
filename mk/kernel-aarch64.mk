# mk/kernel-aarch64.mk — the aarch64 reference kernel, its user programs
# and their tests under qemu-system-aarch64, with the cross compiler.
#   make kernel-aarch64   build/kernel-aarch64/kernel.bin (an arm64 Image)
#                         (+ kernel.elf with symbols)
#   make user-aarch64     the user programs, build/user-aarch64/bin
#   make ARCH=aarch64 run | debug | kernel | user
#                         what `make run` and friends do on x86-64
# The generic kernel (kernel/*.c, kernel/lib), mm/ and arch/aarch64/ are
# compiled again here for aarch64; kernel/aarch64/ is the machine part.

A64_CROSS   ?= aarch64-linux-gnu-
A64_CC      := $(A64_CROSS)gcc
A64_OBJCOPY := $(A64_CROSS)objcopy
A64_KBUILD  := $(BUILD)/kernel-aarch64
A64_KCFLAGS := $(WARN) -ffreestanding -mgeneral-regs-only -mno-outline-atomics -mbranch-protection=none \
               -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
               -fno-tree-loop-distribute-patterns \
               -fno-unwind-tables -fno-omit-frame-pointer -O2 -g \
               -Imm/include -Ikernel/include -Ikernel/aarch64
A64_KASFLAGS := -Ikernel/include -Ikernel/aarch64 -g

A64_KERNEL_SRCS := $(wildcard kernel/*.c kernel/lib/*.c kernel/aarch64/*.c) \
                   $(MM_SRCS) $(wildcard arch/aarch64/*.c)
A64_KERNEL_ASMS := $(wildcard kernel/aarch64/*.S)
A64_KERNEL_OBJS := $(patsubst %.c,$(A64_KBUILD)/%.o,$(A64_KERNEL_SRCS)) \
                   $(patsubst %.S,$(A64_KBUILD)/%.o,$(A64_KERNEL_ASMS))
A64_KERNEL_ELF  := $(A64_KBUILD)/kernel.elf
A64_KERNEL_BIN  := $(A64_KBUILD)/kernel.bin

$(A64_KBUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  KCC64   $<";)$(A64_CC) $(A64_KCFLAGS) -MMD -MP -c $< -o $@

$(A64_KBUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  KAS64   $<";)$(A64_CC) $(A64_KASFLAGS) -MMD -MP -c $< -o $@

$(A64_KERNEL_ELF): $(A64_KERNEL_OBJS) kernel/aarch64/kernel.ld
	$(if $(V),,@echo "  KLD64   $@";)$(A64_CC) -nostdlib -static -no-pie -Wl,-T,kernel/aarch64/kernel.ld \
	    -Wl,-z,max-page-size=4096 -Wl,--build-id=none -o $@ $(A64_KERNEL_OBJS) -lgcc

# QEMU (and any arm64 Linux loader) takes the flat image: boot.S's header
# makes it an arm64 "Image".
$(A64_KERNEL_BIN): $(A64_KERNEL_ELF)
	$(if $(V),,@)$(A64_OBJCOPY) -O binary $< $@

.PHONY: kernel-aarch64 user-aarch64 run-aarch64 debug-aarch64
kernel-aarch64: $(A64_KERNEL_BIN)

DEPS += aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu qemu-system-aarch64:qemu-system-arm \
        /usr/aarch64-linux-gnu/lib/libc.a:libc6-dev-arm64-cross

# ---- user programs: the same sources as x86-64, built for aarch64 ----
# user/include/syscall.h picks the aarch64 numbers and SVC for them;
# user/lib/aarch64/ has the entry code.
A64_UBUILD  := $(BUILD)/user-aarch64
A64_UCFLAGS := -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -O2 -g -ffreestanding \
               -fno-stack-protector -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
               -mno-outline-atomics -Iuser/include
A64_ULIB_OBJS := $(A64_UBUILD)/lib/start.o $(A64_UBUILD)/lib/syscall.o $(A64_UBUILD)/lib/ulib.o
# (the same lists as mk/kernel.mk's, which is read after this file),
# without the programs that test x86-64 machine state.
A64_USER_SKIP  := sigframe
A64_USER_PROGS := $(filter-out $(A64_USER_SKIP),$(patsubst user/tests/%.c,%,$(wildcard user/tests/*.c)) \
                  $(patsubst user/demo/%.c,%,$(wildcard user/demo/*.c)))
A64_USER_BINS := $(addprefix $(A64_UBUILD)/bin/,$(A64_USER_PROGS) hello-pie mmap_basic-pie \
                 exec_layout-pie fault-execstack)

$(A64_UBUILD)/lib/%.o: user/lib/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  UCC64   $<";)$(A64_CC) $(A64_UCFLAGS) -fpie -MMD -MP -c $< -o $@
$(A64_UBUILD)/lib/%.o: user/lib/aarch64/%.S
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  UAS64   $<";)$(A64_CC) -MMD -MP -c $< -o $@
$(A64_UBUILD)/obj/%.o: user/tests/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  UCC64   $<";)$(A64_CC) $(A64_UCFLAGS) -fno-pie -MMD -MP -c $< -o $@
$(A64_UBUILD)/obj/%.o: user/demo/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  UCC64   $<";)$(A64_CC) $(A64_UCFLAGS) -fno-pie -MMD -MP -c $< -o $@
$(A64_UBUILD)/obj-pie/%.o: user/tests/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  UCC64   $< (pie)";)$(A64_CC) $(A64_UCFLAGS) -fpie -MMD -MP -c $< -o $@

A64_ULD := $(A64_CC) -nostdlib -Wl,--build-id=none -Wl,-z,max-page-size=4096
$(A64_UBUILD)/bin/%-pie: $(A64_UBUILD)/lib/crt0_pie.o $(A64_UBUILD)/lib/reloc.o $(A64_UBUILD)/obj-pie/%.o $(A64_ULIB_OBJS)
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  ULD64   $@";)$(A64_ULD) -static-pie -o $@ $^ -lgcc
$(A64_UBUILD)/bin/%-execstack: $(A64_UBUILD)/lib/crt0.o $(A64_UBUILD)/obj/%.o $(A64_ULIB_OBJS)
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  ULD64   $@";)$(A64_ULD) -static -no-pie -Wl,-z,execstack -o $@ $^ -lgcc
$(A64_UBUILD)/bin/%: $(A64_UBUILD)/lib/crt0.o $(A64_UBUILD)/obj/%.o $(A64_ULIB_OBJS)
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  ULD64   $@";)$(A64_ULD) -static -no-pie -o $@ $^ -lgcc

user-aarch64: $(A64_USER_BINS)
.PRECIOUS: $(A64_UBUILD)/lib/%.o $(A64_UBUILD)/obj/%.o $(A64_UBUILD)/obj-pie/%.o

# ---- tests: make test runs the user suite on aarch64 too ----
TEST_EXTRA += tests/kernel/check-aarch64

# ---- make run / debug on aarch64: the demo image ----
A64_RUN_IMAGE_ARGS = --arch aarch64 --verbose --file $(A64_UBUILD)/bin:/bin $(A64_UBUILD)/bin/init

run-aarch64: deps kernel-aarch64 user-aarch64
	@tools/run-elf --console --timeout 600 $(A64_RUN_IMAGE_ARGS)

debug-aarch64: deps kernel-aarch64 user-aarch64
	@tools/run-elf --debug $(A64_RUN_IMAGE_ARGS)

ifeq ($(ARCH),aarch64)
.PHONY: kernel user run debug
kernel: kernel-aarch64
user: user-aarch64
run: run-aarch64
debug: debug-aarch64
endif

# ---- the conformance programs (tests/conformance/), built for aarch64 ----
# tests/conformance/run --arch aarch64 compares each on Debian's arm64
# Linux (tools/run-linux-aarch64) and on the aarch64 kernel. The real
# programs of the x86-64 run (musl, Rust) have no aarch64 toolchain here.
A64_CONF_BUILD := $(BUILD)/conformance-aarch64
A64_CONF_CFLAGS := $(WARN) -O2 -g -ffreestanding -fno-pie -fno-stack-protector \
                   -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
                   -mno-outline-atomics -Iuser/include -Itests/conformance/lib
A64_CONF_RT_OBJS  := $(addprefix $(A64_CONF_BUILD)/rt/,crt0.o start.o syscall.o ulib.o)
A64_CONF_LIB_OBJS := $(patsubst tests/conformance/lib/%.c,$(A64_CONF_BUILD)/lib/%.o,$(wildcard tests/conformance/lib/*.c))
A64_CONF_BINS     := $(patsubst tests/conformance/%.c,$(A64_CONF_BUILD)/bin/%,$(wildcard tests/conformance/*.c)) \
                     $(A64_CONF_BUILD)/bin/exec_maps_pie

$(A64_CONF_BUILD)/rt/%.o: user/lib/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC64    $<";)$(A64_CC) $(A64_CONF_CFLAGS) -MMD -MP -c $< -o $@
$(A64_CONF_BUILD)/rt/%.o: user/lib/aarch64/%.S
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  AS64    $<";)$(A64_CC) -MMD -MP -c $< -o $@
$(A64_CONF_BUILD)/lib/%.o: tests/conformance/lib/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC64    $<";)$(A64_CC) $(A64_CONF_CFLAGS) -MMD -MP -c $< -o $@
$(A64_CONF_BUILD)/obj/%.o: tests/conformance/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC64    $<";)$(A64_CC) $(A64_CONF_CFLAGS) -MMD -MP -c $< -o $@
$(A64_CONF_BUILD)/bin/%: $(A64_CONF_BUILD)/obj/%.o $(A64_CONF_LIB_OBJS) $(A64_CONF_RT_OBJS)
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  LD64    $@";)$(A64_ULD) -static -no-pie -o $@ $(A64_CONF_BUILD)/rt/crt0.o \
	    $(filter-out $(A64_CONF_BUILD)/rt/crt0.o,$^) -lgcc

# exec_maps again as static-pie (see mk/conformance.mk).
A64_CONF_PIE_OBJS := $(addprefix $(A64_CONF_BUILD)/pie/,rt/crt0_pie.o rt/reloc.o rt/start.o rt/syscall.o rt/ulib.o \
                       $(patsubst tests/conformance/lib/%.c,lib/%.o,$(wildcard tests/conformance/lib/*.c)) obj/exec_maps.o)
$(A64_CONF_BUILD)/pie/rt/%.o: user/lib/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC64    $< (pie)";)$(A64_CC) $(A64_CONF_CFLAGS) -fpie -MMD -MP -c $< -o $@
$(A64_CONF_BUILD)/pie/rt/%.o: user/lib/aarch64/%.S
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  AS64    $<";)$(A64_CC) -MMD -MP -c $< -o $@
$(A64_CONF_BUILD)/pie/lib/%.o: tests/conformance/lib/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC64    $< (pie)";)$(A64_CC) $(A64_CONF_CFLAGS) -fpie -MMD -MP -c $< -o $@
$(A64_CONF_BUILD)/pie/obj/%.o: tests/conformance/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC64    $< (pie)";)$(A64_CC) $(A64_CONF_CFLAGS) -fpie -MMD -MP -c $< -o $@
$(A64_CONF_BUILD)/bin/exec_maps_pie: $(A64_CONF_PIE_OBJS)
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  LD64    $@";)$(A64_ULD) -static-pie -o $@ $^ -lgcc

.PHONY: conformance-build-aarch64 conformance-aarch64
.PRECIOUS: $(A64_CONF_BUILD)/obj/%.o $(A64_CONF_BUILD)/lib/%.o $(A64_CONF_BUILD)/rt/%.o $(A64_CONF_BUILD)/pie/%.o
conformance-build-aarch64: $(A64_CONF_BINS)

# make conformance-aarch64: run them all and write docs/conformance-aarch64.md.
conformance-aarch64: deps
	@$(MAKE) --no-print-directory kernel-aarch64 conformance-build-aarch64
	@tests/conformance/run --arch aarch64 --docs

TEST_EXTRA += tests/conformance/check-aarch64
