# mk/soak.mk — long randomized runs of the model test (tests/unit/test_model.c)
# on every page-table format.
#   make soak                                   the defaults below
#   make soak SOAK_SEEDS=2000 SOAK_STEPS=20000  more
#   make soak SOAK_FILTER=model_eager           one test (a name substring)
#   make -j2 soak                               the formats in parallel
# A failure prints the seed and step and how to reproduce it.

SOAK_SEEDS  ?= 100
SOAK_STEPS  ?= 10000
SOAK_FIRST  ?= 1000000
SOAK_FILTER ?=

SOAK_ARCH_TARGETS := $(foreach a,$(ARCHES),soak-$(a))
.PHONY: $(SOAK_ARCH_TARGETS)

soak: $(SOAK_ARCH_TARGETS)

$(SOAK_ARCH_TARGETS): soak-%: $(BUILD)/hosted-%-test/bin/test_model
	@MODEL_SEED=$(SOAK_FIRST) MODEL_SEEDS=$(SOAK_SEEDS) MODEL_STEPS=$(SOAK_STEPS) \
	    tools/run-tests --log $(BUILD)/soak-$*.log "$< $(SOAK_FILTER)"
