#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Builds and runs the host unit tests of the module's policy parser and
# matchers (selftests/unit/test_module_parser.c with the module sources
# listed in module/host_sources.txt
# as userspace code, under ASan and UBSan). Prints
# the test's TAP; exits non-zero if the build or any test fails.
#
#   scripts/unit-module.sh
# Environment: CC (default gcc), EXTRA_CFLAGS.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 1
CC=${CC:-gcc}
OUT=$ROOT/build/unit
BIN=$OUT/test_module_parser

mkdir -p "$OUT" || exit 1
# shellcheck disable=SC2086 # EXTRA_CFLAGS is a list of flags
if ! "$CC" -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -I "$ROOT/module" ${EXTRA_CFLAGS:-} \
	-o "$BIN" "$ROOT/selftests/unit/test_module_parser.c" \
	$(sed "s|^|$ROOT/module/|" "$ROOT/module/host_sources.txt"); then
	echo "not ok 1 - build selftests/unit/test_module_parser.c with $CC"
	echo "1..1"
	exit 1
fi
# Any sanitizer report ends the run with a non-zero status.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$BIN"
rc=$?
[ "$rc" -eq 0 ] || echo "# test_module_parser exited with status $rc"
exit "$rc"
