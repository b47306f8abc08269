# mk/kernel.mk — the x86-64 reference kernel, its user programs and their
# tests under QEMU.
#   make kernel   build/kernel-x86_64/kernel.bin (+ kernel.elf with symbols)
#   make run      boot the demo image
#   make debug    the same, halted, waiting for gdb
# mm/ and arch/x86_64/ are compiled again here with kernel flags.

KBUILD   := $(BUILD)/kernel-x86_64
KCFLAGS  := $(WARN) -ffreestanding -mno-red-zone -mcmodel=kernel \
            -mno-sse -mno-mmx -mgeneral-regs-only -fno-pic -fno-pie \
            -fno-stack-protector -fno-asynchronous-unwind-tables \
            -fno-omit-frame-pointer -O2 -g -Imm/include -Ikernel/include -Ikernel/x86_64
KASFLAGS := -Ikernel/include -Ikernel/x86_64 -g

KERNEL_SRCS := $(wildcard kernel/*.c kernel/lib/*.c kernel/x86_64/*.c) \
               $(MM_SRCS) $(wildcard arch/x86_64/*.c)
KERNEL_ASMS := $(wildcard kernel/x86_64/*.S)
KERNEL_OBJS := $(patsubst %.c,$(KBUILD)/%.o,$(KERNEL_SRCS)) \
               $(patsubst %.S,$(KBUILD)/%.o,$(KERNEL_ASMS))
KERNEL_ELF  := $(KBUILD)/kernel.elf
KERNEL_BIN  := $(KBUILD)/kernel.bin

# V=1 shows the full commands.
KQ := $(if $(V),,@)

$(KBUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  KCC     $<";)$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(KBUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  KAS     $<";)$(CC) $(KASFLAGS) -MMD -MP -c $< -o $@

$(KERNEL_ELF): $(KERNEL_OBJS) kernel/x86_64/kernel.ld
	$(if $(V),,@echo "  KLD     $@";)$(CC) -nostdlib -static -no-pie -Wl,-T,kernel/x86_64/kernel.ld \
	    -Wl,-z,max-page-size=4096 -Wl,--build-id=none -o $@ $(KERNEL_OBJS)

# QEMU loads a flat image (see kernel/x86_64/boot.S).
$(KERNEL_BIN): $(KERNEL_ELF)
	$(KQ)objcopy -O binary $< $@

.PHONY: kernel run debug
ifneq ($(ARCH),aarch64)
kernel: $(KERNEL_BIN)
endif

DEPS += qemu-system-x86_64:qemu-system-x86 cpio:cpio musl-gcc:musl-tools

# ---- user programs (no C library: user/lib is their runtime) ----
UBUILD   := $(BUILD)/user-x86_64
UCFLAGS  := -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -O2 -g -ffreestanding \
            -fno-stack-protector -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
            -Iuser/include
ULIB_OBJS := $(UBUILD)/lib/start.o $(UBUILD)/lib/syscall.o $(UBUILD)/lib/ulib.o
USER_PROGS := $(patsubst user/tests/%.c,%,$(wildcard user/tests/*.c)) \
              $(patsubst user/demo/%.c,%,$(wildcard user/demo/*.c))
# Built a second time as static-pie, to exercise the ET_DYN loader.
USER_PIE_PROGS := hello mmap_basic exec_layout
# And with an executable stack (PT_GNU_STACK with PF_X).
USER_EXECSTACK_PROGS := fault
USER_BINS := $(addprefix $(UBUILD)/bin/,$(USER_PROGS) $(addsuffix -pie,$(USER_PIE_PROGS)) \
             $(addsuffix -execstack,$(USER_EXECSTACK_PROGS)))

# Library objects are position-independent: they serve both kinds.
$(UBUILD)/lib/%.o: user/lib/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  UCC     $<";)$(CC) $(UCFLAGS) -fpie -MMD -MP -c $< -o $@
$(UBUILD)/lib/%.o: user/lib/%.S
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  UAS     $<";)$(CC) -MMD -MP -c $< -o $@
$(UBUILD)/obj/%.o: user/tests/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  UCC     $<";)$(CC) $(UCFLAGS) -fno-pie -MMD -MP -c $< -o $@
$(UBUILD)/obj/%.o: user/demo/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  UCC     $<";)$(CC) $(UCFLAGS) -fno-pie -MMD -MP -c $< -o $@
$(UBUILD)/obj-pie/%.o: user/tests/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  UCC     $< (pie)";)$(CC) $(UCFLAGS) -fpie -MMD -MP -c $< -o $@

$(UBUILD)/bin/%-pie: $(UBUILD)/lib/crt0_pie.o $(UBUILD)/lib/reloc.o $(UBUILD)/obj-pie/%.o $(ULIB_OBJS)
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  ULD     $@";)$(CC) -static-pie -nostdlib -Wl,--build-id=none -o $@ $^ -lgcc
$(UBUILD)/bin/%-execstack: $(UBUILD)/lib/crt0.o $(UBUILD)/obj/%.o $(ULIB_OBJS)
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  ULD     $@";)$(CC) -static -nostdlib -no-pie -Wl,-z,execstack -Wl,--build-id=none -o $@ $^ -lgcc
$(UBUILD)/bin/%: $(UBUILD)/lib/crt0.o $(UBUILD)/obj/%.o $(ULIB_OBJS)
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  ULD     $@";)$(CC) -static -nostdlib -no-pie -Wl,--build-id=none -o $@ $^ -lgcc

.PHONY: user
ifneq ($(ARCH),aarch64)
user: $(USER_BINS)
endif
.PRECIOUS: $(UBUILD)/lib/%.o $(UBUILD)/obj/%.o $(UBUILD)/obj-pie/%.o

# ---- tests: make test runs tests/kernel/check (build, then boot each case) ----
TEST_EXTRA += tests/kernel/check

# ---- make run / make debug: the demo image ----
# /bin/init (user/demo/init.c) runs the demo programs one after another;
# the musl program joins them when musl-gcc is there.
MUSL_DEMO := $(UBUILD)/musl/musl_malloc
RUN_IMAGE_ARGS = --verbose --file $(UBUILD)/bin:/bin \
    $$([ -f $(MUSL_DEMO) ] && echo --file $(MUSL_DEMO):/bin/musl_malloc) $(UBUILD)/bin/init

.PHONY: musl-demo
musl-demo:
	@if command -v musl-gcc >/dev/null; then mkdir -p $(dir $(MUSL_DEMO)); \
	    musl-gcc -static -O2 -o $(MUSL_DEMO) tests/kernel/musl/malloc_big.c; fi

ifneq ($(ARCH),aarch64)
run: deps kernel user musl-demo
	@tools/run-elf --kvm --console --timeout 600 $(RUN_IMAGE_ARGS)

debug: deps kernel user musl-demo
	@tools/run-elf --debug $(RUN_IMAGE_ARGS)
endif
