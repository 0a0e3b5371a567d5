#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fuzzes the module's policy blob parser and matcher for SECONDS with
# libFuzzer, ASan and UBSan (selftests/fuzz/fuzz_blob.c), starting from a
# copy of the committed seeds (selftests/fuzz/corpus/, never modified) in
# build/fuzz/corpus/, which keeps what it learns between runs. Prints one
# TAP result; a crash, leak, sanitizer report or timeout fails it and
# leaves the reproducer under build/fuzz/artifacts/.
#
#   scripts/fuzz.sh SECONDS [blob|text]
# "text" fuzzes citadelctl's policy compiler instead
# (selftests/fuzz/fuzz_policy_text.c), seeded with the golden good and bad
# policies and the example policies; its corpus is build/fuzz/text/.
# Environment: CLANG (default clang), FUZZ_MAX_LEN (default 4096).
# Needs libFuzzer: on Debian 12, package libclang-rt-14-dev (for clang 14).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 1
CLANG=${CLANG:-clang}
MAX_LEN=${FUZZ_MAX_LEN:-4096}
SECS=${1:-}
TARGET=${2:-blob}

if ! [[ "$SECS" =~ ^[1-9][0-9]*$ ]] || ! [[ "$TARGET" =~ ^(blob|text)$ ]]; then
	echo "usage: $0 SECONDS [blob|text]" >&2
	exit 2
fi
if [ "$TARGET" = blob ]; then
	OUT=$ROOT/build/fuzz
	BIN=$OUT/fuzz_blob
	WHAT="blob parser"
	SRCS=("$ROOT/selftests/fuzz/fuzz_blob.c")
	for f in $(cat "$ROOT/module/host_sources.txt"); do
		SRCS+=("$ROOT/module/$f")
	done
	SEEDS=("$ROOT"/selftests/fuzz/corpus/*)
else
	OUT=$ROOT/build/fuzz/text
	BIN=$OUT/fuzz_policy_text
	WHAT="policy text compiler"
	SRCS=("$ROOT/selftests/fuzz/fuzz_policy_text.c")
	for f in policy_parse policy_lex policy diag addr blob_write sha256; do
		SRCS+=("$ROOT/userspace/$f.c")
	done
	SEEDS=("$ROOT"/selftests/policy/good/*.conf "$ROOT"/selftests/policy/bad/*.conf
	       "$ROOT"/examples/*.conf)
fi
LOG=$OUT/fuzz.log

echo "1..1"
fail() {
	echo "not ok 1 - $WHAT fuzzed for $SECS s: $*"
	exit 1
}

mkdir -p "$OUT" || fail "cannot create $OUT"
if ! "$CLANG" -g -O1 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -I "$ROOT/module" -I "$ROOT/userspace" \
	-o "$BIN" "${SRCS[@]}" >"$OUT/build.log" 2>&1; then
	sed 's/^/# /' "$OUT/build.log"
	grep -q 'fuzzer' "$OUT/build.log" &&
		echo "# libFuzzer missing? On Debian 12: apt-get install libclang-rt-14-dev"
	fail "build failed ($CLANG)"
fi

# Fresh seeds on top of what earlier runs found; old reproducers go.
mkdir -p "$OUT/corpus" || fail "cannot create $OUT/corpus"
for f in "${SEEDS[@]}"; do
	# Named after their folder too: good/ and examples/ share names.
	cp "$f" "$OUT/corpus/$(basename "$(dirname "$f")")-$(basename "$f")" ||
		fail "no seed corpus"
done
rm -rf "$OUT/artifacts"
mkdir -p "$OUT/artifacts"

cd "$OUT" || fail "cannot enter $OUT"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"$BIN" -max_total_time="$SECS" -max_len="$MAX_LEN" -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$OUT/artifacts/" "$OUT/corpus" >"$LOG" 2>&1
rc=$?

runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$LOG" | tail -n 1)
[ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$LOG" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$LOG" | tail -n 1)
if [ "$rc" -eq 0 ]; then
	echo "ok 1 - $WHAT fuzzed for $SECS s (${runs:-?} runs, no crash)"
	echo "# ${rate:-?} runs/s; corpus $(find "$OUT/corpus" -type f | wc -l) inputs; log $LOG"
	exit 0
fi
repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$LOG" | tail -n 1)
[ -n "$repro" ] || repro=$(find "$OUT/artifacts" -type f | head -n 1)
grep -E 'ERROR|runtime error|fuzz_[a-z_]+:|SUMMARY|^ +#[0-9]+ ' "$LOG" |
	grep -vE 'fuzzer::|__sanitizer|libc\.so|nptl|stdlib/|csu/| in _start ' |
	head -n 30 | sed 's/^/# /'
echo "# reproduce: $BIN ${repro:-<no reproducer written>}"
fail "crash after ${runs:-?} runs (exit $rc), reproducer ${repro:-none, see $LOG}"
