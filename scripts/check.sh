#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: provisions what it needs, builds, runs every suite and ends
# with one line "N passed, N failed, N skipped". Each suite prints TAP;
# its log is kept under build/check/. A VM that panics, oopses, WARNs or
# times out counts as a failure and its serial log is shown.
#
#   scripts/check.sh [--unit-only]
# Environment: CITADEL_KERNELS (default "6.1 6.12"), CITADEL_FUZZ_SECONDS
# (default 60), CITADEL_ARM64 (default 1; 0 skips the arm64 cross build
# and its two VM legs: the kselftests on Debian's 6.12 arm64 kernel and
# the refusal on its 6.1 arm64 kernel).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
LOGS=$BUILD/check
KERNELS=${CITADEL_KERNELS:-6.1 6.12}
ARM64=${CITADEL_ARM64:-1}
# Debian modules the kselftests need loaded (SCTP: net_outbound_test).
VM_MODULES=crc32c_generic,sctp
export CITADEL_CACHE=${CITADEL_CACHE:-$ROOT/.cache}
unit_only=0
[ "${1:-}" = "--unit-only" ] && unit_only=1

passed=0 failed=0 skipped=0
rm -rf "$LOGS"
mkdir -p "$LOGS"

# Adds the TAP results of a log to the totals.
count_tap() {
	local p f s
	p=$(grep -cE '^ok ' "$1")
	s=$(grep -cE '^ok .*# (SKIP|skip)' "$1")
	f=$(grep -cE '^not ok ' "$1")
	passed=$((passed + p - s))
	skipped=$((skipped + s))
	failed=$((failed + f))
}

# One result that is not itself TAP (a build, a VM that died).
result() {
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
		passed=$((passed + 1))
	else
		echo "not ok - $2"
		failed=$((failed + 1))
	fi
}

finish() {
	echo
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit $?
}

# Runs a TAP-printing suite: shows and counts its output; a suite that
# fails without saying which test failed counts as one failure.
suite() {
	local name=$1 log=$LOGS/$1.log rc
	shift
	"$@" >"$log" 2>&1
	rc=$?
	report "$name" "$log" "$rc"
	return $rc
}

# Shows and counts the log of a suite that exited with status $3.
report() {
	local name=$1 log=$2 rc=$3
	echo "# suite: $name"
	sed 's/^/    /' "$log" | grep -vE '^    (#  |#      )' || true
	count_tap "$log"
	if [ "$rc" -ne 0 ] && ! grep -qE '^not ok ' "$log"; then
		result 1 "$name exited with status $rc"
		tail -n 40 "$log" | sed 's/^/#   /'
	fi
}

step() {
	local name=$1 log=$LOGS/$1.log rc
	shift
	"$@" >"$log" 2>&1
	rc=$?
	result "$rc" "$name"
	[ "$rc" -eq 0 ] || tail -n 60 "$log" | sed 's/^/#   /'
	return $rc
}

cd "$ROOT" || exit 1
step "install dependencies" scripts/install-deps.sh || finish
step "unpack linux-source-6.1 (kselftest harness, checkpatch)" \
	scripts/linux-source.sh || finish
step "build citadelctl, BPF object and selftests" make -j2 all || finish
arm64_built=0
if [ "$ARM64" = 1 ] &&
	step "arm64 cross build (citadelctl, BPF object, selftests, citadel.ko for 6.12)" \
		make -j2 ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- all; then
	arm64_built=1
fi

suite "policy compiler" make -s -C userspace OUT="$BUILD" test
suite "module parser and matchers (host)" scripts/unit-module.sh
suite "blob parser fuzzing" scripts/fuzz.sh "${CITADEL_FUZZ_SECONDS:-60}"
suite "policy text compiler fuzzing" scripts/fuzz.sh "${CITADEL_FUZZ_SECONDS:-30}" text
suite "checkpatch and -Wall -Wextra" scripts/lint.sh
[ "$unit_only" -eq 1 ] && finish
suite "Debian packages and lintian" scripts/test-deb.sh

# The VM legs run side by side: most of their time goes to waiting for
# the RCU grace periods that detaching hooks takes, not to computing.
# Their results are shown once both are done.
started=
for k in $KERNELS; do
	files=$BUILD/vm-$k
	if ! step "VM payload for kernel $k" scripts/vm-files.sh "$k" "$files"; then
		continue
	fi
	selftests/vm/run.sh --kernel "$k" --files "$files" --timeout 1500 \
		--modules "$VM_MODULES" \
		--log "$LOGS/serial-$k.log" -- ./vm_suite.sh \
		>"$LOGS/vm-$k.out" 2>&1 &
	echo $! >"$LOGS/vm-$k.pid"
	started="$started $k"
done
# The kiosk image (debootstrap, the packages, DKMS, then systemd under
# QEMU) beside them: its first part is mostly downloading.
# Then the fleet example boots the same image again.
{
	scripts/test-image.sh >"$LOGS/image.out" 2>&1
	echo $? >"$LOGS/image.rc"
	scripts/test-fleet.sh >"$LOGS/fleet.out" 2>&1
	echo $? >"$LOGS/fleet.rc"
} &
image_pid=$!
# The arm64 legs beside them, started after the image so as not to delay
# it (qemu-system-aarch64, TCG): the same kselftests on Debian's 6.12
# arm64 kernel, with 30 lifecycle cycles instead of 100 (~5 s each under
# TCG: 100 took the leg from ~4 to ~10 minutes solo), and on its 6.1
# arm64 kernel, which cannot attach BPF LSM programs, citadelctl's refusal.
arm64_started=
if [ "$arm64_built" = 1 ]; then
	if step "VM payload for kernel arm64-6.12" scripts/vm-files.sh arm64-6.12 "$BUILD/vm-arm64-6.12"; then
		selftests/vm/run.sh --kernel arm64-6.12 --files "$BUILD/vm-arm64-6.12" --timeout 1500 \
			--modules "$VM_MODULES" \
			--log "$LOGS/serial-arm64-6.12.log" -- CITADEL_LIFECYCLE_CYCLES=30 ./vm_suite.sh \
			>"$LOGS/vm-arm64-6.12.out" 2>&1 &
		echo $! >"$LOGS/vm-arm64-6.12.pid"
		arm64_started="$arm64_started arm64-6.12"
	fi
	if step "VM payload for kernel arm64-6.1" scripts/vm-files.sh arm64-6.1 "$BUILD/vm-arm64-6.1"; then
		selftests/vm/run.sh --kernel arm64-6.1 --files "$BUILD/vm-arm64-6.1" --timeout 300 \
			--log "$LOGS/serial-arm64-6.1.log" -- ./arm64_refusal.sh \
			>"$LOGS/vm-arm64-6.1.out" 2>&1 &
		echo $! >"$LOGS/vm-arm64-6.1.pid"
		arm64_started="$arm64_started arm64-6.1"
	fi
fi
for k in $started; do
	wait "$(cat "$LOGS/vm-$k.pid")"
	rc=$?
	report "VM kselftests on Debian $k" "$LOGS/vm-$k.out" "$rc"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 125 ]; then
		result 1 "VM on $k ran clean (no panic, oops, WARN or timeout)"
	fi
done
for k in $arm64_started; do
	wait "$(cat "$LOGS/vm-$k.pid")"
	rc=$?
	case "$k" in
		arm64-6.1) report "arm64 6.1: clear refusal" "$LOGS/vm-$k.out" "$rc" ;;
		*) report "VM kselftests on Debian ${k#arm64-} arm64" "$LOGS/vm-$k.out" "$rc" ;;
	esac
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 125 ]; then
		result 1 "VM on $k ran clean (no panic, oops, WARN or timeout)"
	fi
done
wait "$image_pid"
report "Kiosk image: packages, DKMS in Debian 12, systemd boot, scenario" \
	"$LOGS/image.out" "$(cat "$LOGS/image.rc" 2>/dev/null || echo 1)"
report "Fleet example: Ansible pushes a signed policy to the sealed kiosk" \
	"$LOGS/fleet.out" "$(cat "$LOGS/fleet.rc" 2>/dev/null || echo 1)"
suite "DKMS build against Debian 6.1 headers" scripts/test-dkms.sh
finish
