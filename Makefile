# SPDX-License-Identifier: GPL-2.0-only
# Citadel: build, test, benchmark and demo entry points.
# (Kbuild reads ./Kbuild for the module; this file is for people.)
#
#   make              citadelctl, the BPF object and the selftests
#   make module       citadel.ko for the running kernel (KDIR=...)
#   make check        everything the CI runs; ends with "N passed, N failed"
#   make check-debug  the VM suite on a KASAN/lockdep/kmemleak kernel (slow)
#   make stress       policy reloads racing decisions, STRESS_SECONDS
#   make bench        benchmarks in the test VM (ratios to no policy)
#   make demo         a Debian 12 kiosk VM locked down by Citadel
#   make deb          Debian packages citadel and citadel-dkms in build/deb/
#   make vm-run CMD='...' [KERNEL=6.1|6.12] [FILES='a b']
#   make fuzz         the blob-parser and policy-text fuzzers, FUZZ_SECONDS
#                     each (default 600)
#   make ARCH=arm64 [CROSS_COMPILE=aarch64-linux-gnu-]
#                     on x86_64: cross-build citadelctl, the BPF object, the
#                     selftests and citadel.ko for Debian 12's 6.12 arm64
#                     kernel, in build/arm64/ (scripts/arm64-sysroot.sh
#                     fetches the arm64 packages and kernel into .cache/arm64)

SHELL := /bin/bash
.DELETE_ON_ERROR:
.SUFFIXES:

CACHE ?= $(CURDIR)/.cache
export CITADEL_CACHE := $(CACHE)

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
LLVM_STRIP ?= llvm-strip
# Userspace architecture for the BPF target and static binaries.
HOST_ARCH := $(shell uname -m | sed -e 's/aarch64/arm64/' -e 's/x86_64/x86/')
ARCH ?= $(HOST_ARCH)
BPF_ARCH := $(subst x86_64,x86,$(subst aarch64,arm64,$(ARCH)))
ifeq ($(BPF_ARCH),$(HOST_ARCH))
BUILD := $(CURDIR)/build
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
KDIR ?= /lib/modules/$(shell uname -r)/build
CROSS :=
else ifeq ($(BPF_ARCH),arm64)
# Cross build for arm64, in build/arm64/ (never mixed with the host's
# objects): Debian 12's arm64 libraries (a sysroot), its 6.12 arm64 kernel
# (BTF for vmlinux.h) and headers (the module), all fetched by
# scripts/arm64-sysroot.sh with its own apt configuration. kernel/ is a
# link to the newest 6.12 arm64 release fetched.
BUILD := $(CURDIR)/build/arm64
CROSS := arm64
CROSS_COMPILE ?= aarch64-linux-gnu-
ARM64_CACHE := $(CACHE)/arm64
SYSROOT ?= $(ARM64_CACHE)/sysroot
VMLINUX_BTF ?= $(ARM64_CACHE)/kernel/btf
KDIR ?= $(ARM64_CACHE)/kernel/headers
ifneq ($(origin CC),command line)
CC := $(CROSS_COMPILE)gcc --sysroot=$(SYSROOT)
endif
else
$(error ARCH=$(ARCH): only the host's architecture and arm64 (cross, from x86_64) are supported)
endif

SELFTEST_SRC := $(CURDIR)/selftests
KSFT_DIR := $(CACHE)/linux-source-6.1/tools/testing/selftests
SELFTESTS := net_outbound_test policy_load_test trial_test exec_test examples_test events_test \
	signing_test \
	service_test boundary_test stress_test seal_test
# Static helpers the tests run as service entries and exec targets.
SELFTEST_HELPERS := citadel_probe kiosk_httpd
# Helpers with a BPF program of their own (libbpf, static).
SELFTEST_BPF_HELPERS := rogue_labeller sleepable_caller seal_breaker
SELFTEST_BINS := $(addprefix $(BUILD)/selftests/,$(SELFTESTS) $(SELFTEST_HELPERS) \
	$(SELFTEST_BPF_HELPERS))
SELFTEST_CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter \
	-Wno-sign-compare -I$(KSFT_DIR) -I$(CURDIR)/module

.PHONY: all citadelctl bpf selftests module check check-debug bench bench-bins \
	stress demo \
	vm-run fuzz deb \
	unit deps clean

all: citadelctl selftests $(if $(CROSS),module)

deps:
	scripts/install-deps.sh

# --- arm64 cross build: packages and kernel ----------------------------------
ifeq ($(CROSS),arm64)
# What the rules below need, created by the fetch script (unless SYSROOT
# or KDIR point elsewhere).
CROSS_SYSROOT_DEP := $(filter $(ARM64_CACHE)/sysroot/.debs,$(SYSROOT)/.debs)
CROSS_KERNEL_DEP := $(if $(filter $(ARM64_CACHE)/kernel/headers,$(KDIR)),$(ARM64_CACHE)/kernel/release)

$(ARM64_CACHE)/sysroot/.debs:
	scripts/arm64-sysroot.sh sysroot >/dev/null

$(ARM64_CACHE)/kernel/release $(ARM64_CACHE)/kernel/btf &:
	scripts/arm64-sysroot.sh kernel >/dev/null
endif

# --- BPF -------------------------------------------------------------------
$(BUILD)/vmlinux.h: $(if $(CROSS),$(VMLINUX_BTF)) | $(BUILD)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(BUILD)/citadel.bpf.o: bpf/citadel.bpf.c module/citadel_task.h $(BUILD)/vmlinux.h
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
		-I$(BUILD) -Imodule -c $< -o $@
	$(LLVM_STRIP) -g $@

$(BUILD)/citadel.skel.h: $(BUILD)/citadel.bpf.o
	$(BPFTOOL) gen skeleton $< name citadel_bpf > $@

bpf: $(BUILD)/citadel.skel.h

# --- citadelctl --------------------------------------------------------------
citadelctl: $(BUILD)/citadel.skel.h $(CROSS_SYSROOT_DEP)
	$(MAKE) -C userspace OUT=$(BUILD)$(if $(CROSS), CC="$(CC)")

# --- selftests (static: the VM has only busybox) ----------------------------
$(KSFT_DIR)/kselftest_harness.h:
	scripts/linux-source.sh >/dev/null

$(BUILD)/selftests/%: selftests/%.c selftests/citadel_test_lib.h \
		module/citadel_abi.h $(KSFT_DIR)/kselftest_harness.h \
		| $(CROSS_SYSROOT_DEP)
	@mkdir -p $(@D)
	$(CC) -static $(SELFTEST_CFLAGS) -o $@ $<

$(BUILD)/selftests/%.bpf.o: selftests/%.bpf.c module/citadel_task.h \
		$(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
		-I$(BUILD) -Imodule -c $< -o $@
	$(LLVM_STRIP) -g $@

$(BUILD)/selftests/%.skel.h: $(BUILD)/selftests/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(addprefix $(BUILD)/selftests/,$(SELFTEST_BPF_HELPERS)): $(BUILD)/selftests/%: \
		selftests/%.c $(BUILD)/selftests/%.skel.h | $(CROSS_SYSROOT_DEP)
	$(CC) -static $(SELFTEST_CFLAGS) -I$(BUILD)/selftests -o $@ $< \
		-lbpf -lelf -lz

selftests: $(SELFTEST_BINS)

# --- the module for one kernel (KDIR) --------------------------------------
module: $(CROSS_KERNEL_DEP)
	$(if $(CROSS),ARCH=$(BPF_ARCH) CROSS_COMPILE=$(CROSS_COMPILE) )scripts/build-module.sh $(KDIR) $(BUILD)/module

$(BUILD):
	mkdir -p $@

# --- Debian packages (debian/) ----------------------------------------------
# Built from a copy of the files git knows (tracked, plus untracked ones
# that are not ignored) in build/deb/src: dpkg-buildpackage writes the
# .deb, .changes and .buildinfo files next to it, in build/deb/.
DEB_DIR := $(BUILD)/deb
deb:
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/src
	set -o pipefail; git ls-files -z --cached --others --exclude-standard | \
		while IFS= read -r -d '' f; do \
			if [ -e "$$f" ] || [ -L "$$f" ]; then printf '%s\0' "$$f"; fi; \
		done | tar -c --null -T - -f - | tar -x -f - -C $(DEB_DIR)/src
	key=$$(scripts/src-key.sh) && \
	cd $(DEB_DIR)/src && dpkg-buildpackage -b -us -uc -J$$(nproc) && \
	echo "$$key" >$(DEB_DIR)/.src-key
	@ls -1 $(DEB_DIR)/*.deb

# --- tests, benchmarks, demo -------------------------------------------------
unit:
	scripts/check.sh --unit-only

check:
	scripts/check.sh

bench: all
	scripts/bench.sh

# The alternatives bench.sh measures next to Citadel (empty BPF LSM,
# cgroup LPM programs, Landlock).
$(BUILD)/bench/alt.bpf.o: selftests/bench/alt.bpf.c $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -I$(BUILD) \
		-c $< -o $@
	$(LLVM_STRIP) -g $@

$(BUILD)/bench/alt.skel.h: $(BUILD)/bench/alt.bpf.o
	$(BPFTOOL) gen skeleton $< name alt_bpf > $@

$(BUILD)/bench/bench_alt: selftests/bench/bench_alt.c $(BUILD)/bench/alt.skel.h
	$(CC) -static -O2 -Wall -Wextra -I$(BUILD)/bench -o $@ $< \
		-lbpf -lelf -lz

bench-bins: $(BUILD)/bench/bench_alt

# The VM suite on a KASAN/lockdep/kmemleak kernel built from linux-source-6.1.
check-debug:
	scripts/check-debug.sh

# Policy reloads racing decisions on every guest CPU (STRESS_SECONDS).
stress: all
	scripts/stress.sh

# Installs what it needs itself, as make check does.
demo:
	scripts/demo.sh

vm-run: all
	scripts/vm-run.sh --kernel "$(or $(KERNEL),6.1)" \
		$(foreach f,$(FILES),--file $(f)) -- "$(CMD)"

fuzz:
	scripts/fuzz.sh $(or $(FUZZ_SECONDS),600) blob
	scripts/fuzz.sh $(or $(FUZZ_SECONDS),600) text

clean:
	rm -rf $(BUILD)
