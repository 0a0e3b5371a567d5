#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Assemble what the test VM needs for one kernel:
#   scripts/vm-files.sh KERNEL OUTDIR     (KERNEL: 6.1, 6.12 or a release)
# OUTDIR receives citadel.ko (with BTF against that kernel),
# citadel-nobtf.ko, citadelctl, the selftests and vm_suite.sh.
# Expects `make all` to have run.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
[ $# -eq 2 ] || { echo "usage: $0 KERNEL OUTDIR" >&2; exit 2; }

rel=$("$ROOT/scripts/kernel.sh" resolve "$1")
kdir=$("$ROOT/scripts/kernel.sh" fetch "$1")
# CITADEL_KDIR: a kernel build tree instead (make check-debug's kernel).
headers=${CITADEL_KDIR:-/usr/src/linux-headers-$rel}
[ -d "$headers" ] || { echo "vm-files: $headers missing: run scripts/install-deps.sh" >&2; exit 1; }

CITADEL_BTF_BASE=$kdir/btf "$ROOT/scripts/build-module.sh" "$headers" \
	"$BUILD/kmod/$rel" >"$BUILD/kmod-$rel.log" 2>&1 ||
	{ cat "$BUILD/kmod-$rel.log" >&2; exit 1; }

# A module that does nothing, for seal_test to load (and not, once sealed).
canary=$BUILD/canary/$rel
rm -rf "$canary"
mkdir -p "$canary"
cp "$ROOT/selftests/canary/Kbuild" "$ROOT/selftests/canary/citadel_canary.c" "$canary/"
make -C "$headers" M="$canary" modules >"$BUILD/canary-$rel.log" 2>&1 ||
	{ cat "$BUILD/canary-$rel.log" >&2; exit 1; }

out=$2
rm -rf "$out"
mkdir -p "$out"
cp "$BUILD/kmod/$rel/citadel.ko" "$canary/citadel_canary.ko" "$out/"
# The same module with its BTF stripped: must refuse to load.
objcopy --remove-section=.BTF "$out/citadel.ko" "$out/citadel-nobtf.ko"
cp "$BUILD/citadelctl" "$ROOT/selftests/vm_suite.sh" "$ROOT/selftests/tap.sh" "$out/"
cp "$BUILD"/selftests/*_test "$out/"
cp "$BUILD/selftests/citadel_probe" "$BUILD/selftests/kiosk_httpd" \
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
"$ROOT/selftests/vm-sysroot.sh" "$out" >/dev/null
echo "$out"
