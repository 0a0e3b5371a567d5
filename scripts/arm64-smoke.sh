#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Smoke test of the arm64 cross build: boots Debian 12's 6.12 arm64 kernel
# under qemu-system-aarch64 (-M virt, TCG) with the test VM's busybox
# initramfs, an arm64 busybox, build/arm64's citadel.ko, citadelctl, a
# selftest and its static helpers, and runs
#   insmod citadel.ko && ./citadelctl start && ./TEST
#
# usage: scripts/arm64-smoke.sh [TEST]     (default net_outbound_test)
# Expects `make ARCH=arm64` to have run. Exit status: the command's.
# Environment: CITADEL_SMOKE_TIMEOUT (seconds, default 300),
# CITADEL_SMOKE_LOG (serial log, default build/arm64/smoke.log).
set -eu

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=$ROOT/build/arm64
TEST=${1:-net_outbound_test}
TIMEOUT=${CITADEL_SMOKE_TIMEOUT:-300}
LOG=${CITADEL_SMOKE_LOG:-$B/smoke.log}

die() { echo "arm64-smoke: $*" >&2; exit 1; }

command -v qemu-system-aarch64 >/dev/null || die "qemu-system-aarch64 missing: apt-get install qemu-system-arm"
for f in "$B/module/citadel.ko" "$B/citadelctl" "$B/selftests/$TEST"; do
	[ -f "$f" ] || die "$f missing: run make ARCH=arm64"
done
kdir=$("$ROOT/scripts/arm64-sysroot.sh" kernel)
bb=$("$ROOT/scripts/arm64-sysroot.sh" busybox)

work=$(mktemp -d "${TMPDIR:-/tmp}/citadel-arm64.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/files" "$work/bb/bin"
cp "$B/module/citadel.ko" "$B/citadelctl" "$B/selftests/$TEST" \
	"$B/selftests/citadel_probe" "$B/selftests/kiosk_httpd" "$work/files/"
# The selftests run citadelctl from PATH (the init adds /citadel/bin).
mkdir -p "$work/files/bin"
ln -s ../citadelctl "$work/files/bin/citadelctl"

# The test VM's initramfs, built with the host's busybox-static (the
# script runs busybox to list its applets), then a second archive whose
# bin/busybox, the arm64 build of the same Debian package, replaces it:
# the kernel unpacks concatenated archives in order.
"$ROOT/selftests/vm/mkinitramfs.sh" "$work/initrd" "$work/files" \
	"insmod citadel.ko && ./citadelctl start && ./$TEST"
cp "$bb" "$work/bb/bin/busybox"
(cd "$work/bb" && printf 'bin\nbin/busybox\n' | cpio -o -H newc -R 0:0 --quiet | gzip -n -1) \
	>>"$work/initrd"

mkdir -p "$(dirname "$LOG")"
echo "arm64-smoke: booting $(cat "$kdir/release") (log: $LOG)" >&2
rc=0
# -cpu max,pauth-impdef=on: plain max emulates pointer authentication
# slowly (3x). -nic none: the guest has only its loopback.
timeout "$TIMEOUT" qemu-system-aarch64 -M virt -accel tcg \
	-cpu max,pauth-impdef=on -smp 2 -m 1024 \
	-nographic -no-reboot -nic none \
	-kernel "$kdir/Image" -initrd "$work/initrd" \
	-append "console=ttyAMA0 panic=-1 oops=panic loglevel=5" \
	</dev/null >"$LOG" 2>&1 || rc=$?
[ "$rc" = 124 ] && die "timed out after ${TIMEOUT}s (see $LOG)"
sed -n '/@@CITADEL-CMD-BEGIN@@/,/@@CITADEL-DMESG-BEGIN@@/p' "$LOG" |
	sed -e '1d' -e 's/@@CITADEL-DMESG-BEGIN@@.*//'
status=$(sed -n 's/.*@@CITADEL-EXIT \([0-9]*\)@@.*/\1/p' "$LOG" | tail -n1)
[ -n "$status" ] || die "the guest gave no exit status (see $LOG)"
echo "arm64-smoke: exit status $status" >&2
exit "$status"
