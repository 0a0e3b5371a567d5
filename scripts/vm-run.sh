#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make vm-run: run a command in the test VM with Citadel built for that
# kernel. The guest's working directory holds citadel.ko, citadelctl, the
# selftests and the extra files; the module is not loaded for you, so the
# command decides what happens (e.g. 'insmod citadel.ko && citadelctl start && ...').
#   scripts/vm-run.sh [--kernel 6.1|6.12] [--file PATH]... -- CMD
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
kernel=6.1
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--file) extra+=("$2"); shift 2 ;;
	--) shift; break ;;
	*) echo "usage: $0 [--kernel K] [--file PATH]... -- CMD" >&2; exit 2 ;;
	esac
done
[ $# -gt 0 ] && [ -n "$*" ] || { echo "vm-run: no command (CMD='...')" >&2; exit 2; }
files=$ROOT/build/vm-run-$kernel
"$ROOT/scripts/vm-files.sh" "$kernel" "$files" >/dev/null
for f in "${extra[@]}"; do
	cp -r "$f" "$files/"
done
exec "$ROOT/selftests/vm/run.sh" --kernel "$kernel" --files "$files" \
	-- "export PATH=\"\$PWD:\$PATH\"; $*"
