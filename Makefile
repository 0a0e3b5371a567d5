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

SHELL := /bin/bash
.DELETE_ON_ERROR:
.SUFFIXES:

BUILD := $(CURDIR)/build
CACHE ?= $(CURDIR)/.cache
export CITADEL_CACHE := $(CACHE)

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
LLVM_STRIP ?= llvm-strip
# Userspace architecture for the BPF target and static binaries.
ARCH ?= $(shell uname -m | sed -e 's/aarch64/arm64/' -e 's/x86_64/x86/')
BPF_ARCH := $(subst x86_64,x86,$(subst aarch64,arm64,$(ARCH)))
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
KDIR ?= /lib/modules/$(shell uname -r)/build

SELFTEST_SRC := $(CURDIR)/selftests
KSFT_DIR := $(CACHE)/linux-source-6.1/tools/testing/selftests
SELFTESTS := net_outbound_test policy_load_test trial_test exec_test examples_test events_test \
	signing_test \
	service_test stress_test seal_test
# Static helpers the tests run as service entries and exec targets.
SELFTEST_HELPERS := citadel_probe kiosk_httpd
SELFTEST_BINS := $(addprefix $(BUILD)/selftests/,$(SELFTESTS) $(SELFTEST_HELPERS))
SELFTEST_CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter \
	-Wno-sign-compare -I$(KSFT_DIR) -I$(CURDIR)/module

.PHONY: all citadelctl bpf selftests module check check-debug bench bench-bins \
	stress demo \
	vm-run fuzz deb \
	unit deps clean

all: citadelctl selftests

deps:
	scripts/install-deps.sh

# --- BPF -------------------------------------------------------------------
$(BUILD)/vmlinux.h: | $(BUILD)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(BUILD)/citadel.bpf.o: bpf/citadel.bpf.c module/citadel_task.h $(BUILD)/vmlinux.h
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
		-I$(BUILD) -Imodule -c $< -o $@
	$(LLVM_STRIP) -g $@

$(BUILD)/citadel.skel.h: $(BUILD)/citadel.bpf.o
	$(BPFTOOL) gen skeleton $< name citadel_bpf > $@

bpf: $(BUILD)/citadel.skel.h

# --- citadelctl --------------------------------------------------------------
citadelctl: $(BUILD)/citadel.skel.h
	$(MAKE) -C userspace OUT=$(BUILD)

# --- selftests (static: the VM has only busybox) ----------------------------
$(KSFT_DIR)/kselftest_harness.h:
	scripts/linux-source.sh >/dev/null

$(BUILD)/selftests/%: selftests/%.c selftests/citadel_test_lib.h \
		module/citadel_abi.h $(KSFT_DIR)/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) -static $(SELFTEST_CFLAGS) -o $@ $<

selftests: $(SELFTEST_BINS)

# --- the module for one kernel (KDIR) --------------------------------------
module:
	scripts/build-module.sh $(KDIR) $(BUILD)/module

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
