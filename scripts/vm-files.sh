#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Assemble what the test VM needs for one kernel:
#   scripts/vm-files.sh KERNEL OUTDIR     (KERNEL: 6.1, 6.12 or a release,
#                                          or arm64-6.12, arm64-6.1)
# OUTDIR receives citadel.ko (with BTF against that kernel),
# citadel-nobtf.ko, citadelctl, the selftests and vm_suite.sh.
# Expects `make all` to have run (arm64-*: `make ARCH=arm64`, whose
# build/arm64 outputs are taken; the modules are cross-built here
# against Debian's arm64 headers from scripts/arm64-sysroot.sh).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
[ $# -eq 2 ] || { echo "usage: $0 KERNEL OUTDIR" >&2; exit 2; }

# What differs for an arm64 guest: the build outputs, the kernel and the
# cross tools (the host's citadelctl still signs the test policies).
OBJ=$BUILD KB=$BUILD OBJCOPY=objcopy
kargs=() sysenv=()
case "$1" in
arm64-*)
	kdir=$("$ROOT/scripts/arm64-sysroot.sh" kernel "${1#arm64-}")
	rel=$(cat "$kdir/release")
	headers=$kdir/headers
	OBJ=$BUILD/arm64 KB=$BUILD/arm64
	: "${CROSS_COMPILE:=aarch64-linux-gnu-}"
	OBJCOPY=${CROSS_COMPILE}objcopy
	kargs=(ARCH=arm64 CROSS_COMPILE="$CROSS_COMPILE")
	sysenv=(CC="${CROSS_COMPILE}gcc" SYSROOT="$("$ROOT/scripts/arm64-sysroot.sh" sysroot)")
	;;
*)
	rel=$("$ROOT/scripts/kernel.sh" resolve "$1")
	kdir=$("$ROOT/scripts/kernel.sh" fetch "$1")
	# CITADEL_KDIR: a kernel build tree instead (make check-debug's kernel).
	headers=${CITADEL_KDIR:-/usr/src/linux-headers-$rel}
	;;
esac
[ -d "$headers" ] || { echo "vm-files: $headers missing: run scripts/install-deps.sh" >&2; exit 1; }
[ -x "$OBJ/citadelctl" ] || { echo "vm-files: $OBJ/citadelctl missing: run make${kargs[*]:+ ${kargs[*]}}" >&2; exit 1; }

env ${kargs[@]+"${kargs[@]}"} CITADEL_BTF_BASE="$kdir/btf" "$ROOT/scripts/build-module.sh" "$headers" \
	"$KB/kmod/$rel" >"$KB/kmod-$rel.log" 2>&1 ||
	{ cat "$KB/kmod-$rel.log" >&2; exit 1; }

# A module that does nothing, for seal_test to load (and not, once sealed).
canary=$KB/canary/$rel
rm -rf "$canary"
mkdir -p "$canary"
cp "$ROOT/selftests/canary/Kbuild" "$ROOT/selftests/canary/citadel_canary.c" "$canary/"
make -C "$headers" M="$canary" ${kargs[@]+"${kargs[@]}"} modules >"$KB/canary-$rel.log" 2>&1 ||
	{ cat "$KB/canary-$rel.log" >&2; exit 1; }

out=$2
rm -rf "$out"
mkdir -p "$out"
cp "$KB/kmod/$rel/citadel.ko" "$canary/citadel_canary.ko" "$out/"
# The same module with its BTF stripped: must refuse to load.
"$OBJCOPY" --remove-section=.BTF "$out/citadel.ko" "$out/citadel-nobtf.ko"
cp "$OBJ/citadelctl" "$ROOT/selftests/vm_suite.sh" "$ROOT/selftests/tap.sh" "$out/"
cp "$OBJ"/selftests/*_test "$out/"
cp "$OBJ/selftests/citadel_probe" "$OBJ/selftests/kiosk_httpd" \
	"$OBJ/selftests/rogue_labeller" "$OBJ/selftests/sleepable_caller" \
	"$OBJ/selftests/seal_breaker" \
	"$ROOT/selftests/scenario_kiosk_test.sh" "$ROOT/selftests/learn_test.sh" \
	"$ROOT/selftests/boot_test.sh" "$out/"
# The boot integration, for boot_test.sh.
mkdir -p "$out/dist"
cp "$ROOT/dist/citadel-boot" "$ROOT/dist/citadel.init" "$ROOT/dist/lockdown.conf" "$out/dist/"
# Keys and signed policies for signing_test (the VM has no openssl).
BUILD=$BUILD "$ROOT/selftests/signing-keys.sh" "$out" >/dev/null
mkdir -p "$out/examples"
cp "$ROOT"/examples/*.conf "$out/examples/"
# A dynamic loader, libc and dynamic test programs for the exec tests.
env ${sysenv[@]+"${sysenv[@]}"} "$ROOT/selftests/vm-sysroot.sh" "$out" >/dev/null
# arm64: the refusal test for kernels that cannot attach (6.1).
case "$1" in arm64-*) cp "$ROOT/selftests/arm64_refusal.sh" "$out/" ;; esac
echo "$out"
