#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Static checks, as TAP: checkpatch.pl (from Debian's linux-source-6.1)
# on every module source file, and a -Wall -Wextra -Werror build of the
# userspace code and the BPF program.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC=$("$ROOT/scripts/linux-source.sh")
# shellcheck source=../selftests/tap.sh
. "$ROOT/selftests/tap.sh"

cd "$ROOT" || exit 1
for f in module/*.c module/*.h; do
	out=$(perl "$SRC/scripts/checkpatch.pl" --no-tree -q --show-types \
		-f "$f" 2>&1)
	[ -z "$out" ]
	rc=$?
	[ "$rc" -ne 0 ] && echo "$out" | sed 's/^/# /'
	tap $rc "checkpatch $f"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$(make -s -C userspace OUT="$tmp" CFLAGS="-O2 -Wall -Wextra -Werror -I$ROOT/build" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && echo "$out" | sed 's/^/# /'
tap $rc "userspace builds with -Wall -Wextra -Werror"

# BPF_PROG() declares a ctx parameter the body never names.
out=$(clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Wextra -Werror \
	-Wno-unused-parameter \
	-I"$ROOT/build" -Imodule -c bpf/citadel.bpf.c -o "$tmp/c.o" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && echo "$out" | sed 's/^/# /'
tap $rc "BPF program builds with -Wall -Wextra -Werror (but unused-parameter)"

echo "1..$n"
exit $failed
