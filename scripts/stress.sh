#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make stress: selftests/stress_test for STRESS_SECONDS (default 120) on
# every guest CPU (CITADEL_STRESS_SMP, default 4), once per kernel in
# CITADEL_STRESS_KERNELS (default "6.1 6.12"). A wrong decision fails
# the test; a WARN, oops or lockdep report fails the VM run (run.sh).
# make check runs the same test for 10 s inside the VM suite.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
SECONDS_=${STRESS_SECONDS:-120}
SMP=${CITADEL_STRESS_SMP:-4}
rc=0

make -s -C "$ROOT" all
for k in ${CITADEL_STRESS_KERNELS:-6.1 6.12}; do
	files=$BUILD/stress-$k
	"$ROOT/scripts/vm-files.sh" "$k" "$files" >/dev/null
	echo "== stress on Debian $k: $SECONDS_ s, $SMP CPUs"
	"$ROOT/selftests/vm/run.sh" --kernel "$k" --files "$files" --smp "$SMP" \
		--timeout $((SECONDS_ + 240)) --log "$BUILD/stress-$k.log" \
		-- "export PATH=\$PWD:\$PATH; insmod citadel.ko && citadelctl start >/dev/null && STRESS_SECONDS=$SECONDS_ ./stress_test" ||
		rc=1
done
exit $rc
