#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make demo: boots a kiosk VM (Debian's 6.1 kernel), locks it down with
# examples/kiosk.conf and runs selftests/demo/kiosk_scenario.sh: the
# kiosk's services work, an intruder's outbound attempts are denied,
# denials stream live, a summary closes it.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KERNEL=${CITADEL_DEMO_KERNEL:-6.1}
files=$ROOT/build/demo
"$ROOT/scripts/vm-files.sh" "$KERNEL" "$files" >/dev/null
rm -f "$files"/*_test "$files/vm_suite.sh" "$files/citadel-nobtf.ko"
cp "$ROOT"/selftests/demo/* "$files/"
exec "$ROOT/selftests/vm/run.sh" --kernel "$KERNEL" --files "$files" \
	--timeout 300 -- ./kiosk_scenario.sh
