# SPDX-License-Identifier: GPL-2.0-only
# loadlens build: BPF objects -> skeletons -> loader + user -> build/loadlens.
# Out-of-tree in build/; -MMD -MP so touching a header rebuilds its users.

ARCH      ?= x86
BUILD     ?= build
CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
MULTIARCH := $(shell $(CC) -dumpmachine)

ifeq ($(V),1)
Q :=
else
Q := @
endif

WARN      := -Wall -Wextra -Werror
CFLAGS    ?= -O2 -g
override CFLAGS += -std=gnu11 $(WARN) -D_GNU_SOURCE -MMD -MP \
             -I$(BUILD) -Iloader -Iuser -Ibpf -I/usr/include/cjson
override LDLIBS += -lbpf -lelf -lz -lcurl -lcjson -lpthread -lm

BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) $(WARN) \
              -Wno-unused-parameter -Wno-missing-field-initializers \
              -MMD -MP -Ivmlinux/$(ARCH) -Ibpf -I/usr/include/$(MULTIARCH)

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS      := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

LOADER_SRCS := $(wildcard loader/*.c)
USER_SRCS   := $(filter-out user/main.c,$(wildcard user/*.c))
LOADER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LOADER_SRCS))
USER_OBJS   := $(patsubst %.c,$(BUILD)/%.o,$(USER_SRCS))
MAIN_OBJ    := $(BUILD)/user/main.o

UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/%,$(HELPER_SRCS))

# Keep BPF objects: they are the skeletons' inputs and worth inspecting.
.SECONDARY: $(BPF_OBJS)

.PHONY: all clean deps demo test unit integration vmlinux asan format lint bench-profiler

all: $(BUILD)/loadlens

$(BUILD)/loadlens: $(MAIN_OBJ) $(USER_OBJS) $(LOADER_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.bpf.o: bpf/%.bpf.c vmlinux/$(ARCH)/vmlinux.h | $(BUILD)
	@echo "  BPF     $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

# Every loader object may include any skeleton; generating them all first
# keeps the dependency simple and correct.
$(LOADER_OBJS): $(SKELS) $(BUILD)/syscall_names.h

# Syscall number -> name, from the kernel UAPI header of this architecture.
$(BUILD)/syscall_names.h: /usr/include/$(MULTIARCH)/asm/unistd_64.h | $(BUILD)
	@echo "  GEN     $@"
	$(Q)awk '/^#define __NR_[a-z0-9_]+ [0-9]+$$/ { sub("__NR_", "", $$2); \
		printf "[%s] = \"%s\",\n", $$3, $$2 }' $< > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: %.c | $(BUILD)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/tests/%: tests/unit/%.c $(USER_OBJS) $(LOADER_OBJS)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Helpers are the known workloads the BPF tests measure: built without
# sanitizers, whose own syscalls would change what the tests count.
$(BUILD)/tests/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	@echo "  HELPER  $@"
	$(Q)$(CC) -O2 -g -std=gnu11 $(WARN) -D_GNU_SOURCE -o $@ $<

$(BUILD):
	$(Q)mkdir -p $(BUILD)

# Regenerate the checked-in kernel type header from the running kernel's BTF.
vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h.tmp
	mv vmlinux/$(ARCH)/vmlinux.h.tmp vmlinux/$(ARCH)/vmlinux.h

deps:
	$(Q)sh tests/deps.sh

demo: deps all
	$(Q)sh tests/demo.sh

unit: $(UNIT_BINS) $(HELPER_BINS)
	$(Q)sh tests/run.sh unit

integration: all $(HELPER_BINS)
	$(Q)sh tests/run.sh integration

test: deps all $(UNIT_BINS) $(HELPER_BINS)
	$(Q)sh tests/run.sh all

# Not part of make test: interleaved runs of the profiler's hook cost and of
# pgbench with each probe set, medians and ratios to the unprofiled runs.
bench-profiler: deps all
	$(Q)BUILD=$(BUILD) sh tests/bench/hooks.sh
	$(Q)BUILD=$(BUILD) bash tests/bench/pg_probes.sh

asan:
	$(MAKE) BUILD=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
		build/asan/loadlens $(patsubst $(BUILD)/%,build/asan/%,$(UNIT_BINS) $(HELPER_BINS))
	$(Q)BUILD=build/asan sh tests/run.sh unit

format:
	clang-format -i $(wildcard user/*.[ch] loader/*.[ch] bpf/*.[ch] tests/unit/*.c tests/helpers/*.c)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--suppress=missingIncludeSystem -I user -I loader -I bpf user loader

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
