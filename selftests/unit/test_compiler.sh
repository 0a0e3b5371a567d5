#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Host tests of citadelctl: the policy compiler, dump, and load, unload and
# status against a fake securityfs directory. Prints TAP; exits non-zero
# if any test fails.
#
#   selftests/unit/test_compiler.sh CITADELCTL [MODCHECK]
#
# MODCHECK is test_compiler_modcheck (the module's blob parser and matcher
# as a host program); the tests that need it skip without it. Run through
# 'make -C userspace OUT=... test'.
set -u
[ $# -ge 1 ] || { echo "usage: $0 CITADELCTL [MODCHECK]" >&2; exit 2; }
CTL=$(realpath "$1")
MODCHECK=${2:-}
[ -n "$MODCHECK" ] && [ -x "$MODCHECK" ] && MODCHECK=$(realpath "$MODCHECK") || MODCHECK=
HERE=$(cd "$(dirname "$0")" && pwd)
POLICY=$(cd "$HERE/../policy" && pwd)
BLOBCHECK=$HERE/test_compiler_blob.py
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
unset CITADEL_SECURITYFS

n=0
failed=0

# tap STATUS NAME [DETAILS_FILE]: one result; details of a failure as comments.
tap() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		[ -n "${3:-}" ] && [ -s "$3" ] && sed 's/^/#   /' "$3" | head -n 40
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# check_eq NAME EXPECTED_FILE ACTUAL_FILE
check_eq() {
	diff -u "$2" "$3" >"$TMP/diff" 2>&1
	tap $? "$1" "$TMP/diff"
}

# The diagnostic lines (not the quoted source or carets) of a stderr file.
diag_lines() {
	grep -aE '^[^ 	]+(:[0-9]+:[0-9]+)?: (error|warning): ' "$1"
}

# The "# expect: ..." lines of a policy file.
expect_lines() {
	sed -n 's/^# expect: //p' "$1"
}

# A dump without its digest line and the source-line comments.
rules_only() {
	grep -v '^# sha256 ' "$1" | sed 's/ *# line [0-9]*$//'
}

json_ok() {
	python3 -m json.tool "$1" >/dev/null 2>&1
}

# --- golden files: good ------------------------------------------------------
for conf in "$POLICY"/good/*.conf; do
	base=$(basename "$conf" .conf)
	name=good/$base.conf
	blob=$TMP/$base.cpol
	(cd "$POLICY/good" && "$CTL" compile "$base.conf" -o "$blob") \
		>"$TMP/out" 2>"$TMP/err"
	rc=$?
	diag_lines "$TMP/err" >"$TMP/got"
	expect_lines "$conf" >"$TMP/want"
	{ [ $rc -eq 0 ] && diff -u "$TMP/want" "$TMP/got" && [ ! -s "$TMP/out" ]; } \
		>"$TMP/diff" 2>&1
	tap $? "$name compiles, with exactly the expected warnings" "$TMP/diff"
	[ -f "$blob" ] || continue

	"$CTL" dump "$blob" >"$TMP/dump" 2>"$TMP/err"
	rc=$?
	grep -v '^# sha256 ' "$TMP/dump" >"$TMP/dump.nodigest"
	{ [ $rc -eq 0 ] && [ ! -s "$TMP/err" ] &&
	  diff -u "$POLICY/good/$base.expect" "$TMP/dump.nodigest"; } \
		>"$TMP/diff" 2>&1
	tap $? "$name: dump matches $base.expect" "$TMP/diff"

	[ "$(sed -n 's/^# sha256 //p' "$TMP/dump")" = \
	  "$(sha256sum "$blob" | cut -d' ' -f1)" ]
	tap $? "$name: dump shows the sha256 of the blob"

	python3 "$BLOBCHECK" "$blob" >"$TMP/diff" 2>&1
	tap $? "$name: blob is canonical (independent reader)" "$TMP/diff"

	cp "$blob" "$TMP/first.cpol"
	(cd "$POLICY/good" && "$CTL" compile "$base.conf" -o "$blob") 2>/dev/null
	cmp "$TMP/first.cpol" "$blob" >"$TMP/diff" 2>&1
	tap $? "$name: compiling twice gives identical bytes" "$TMP/diff"

	# The dump is policy text: compiling it gives the same rules back.
	cp "$TMP/dump" "$TMP/round.conf"
	"$CTL" compile "$TMP/round.conf" -o "$TMP/round.cpol" 2>"$TMP/err" &&
		"$CTL" dump "$TMP/round.cpol" >"$TMP/round.dump" 2>>"$TMP/err"
	rc=$?
	rules_only "$TMP/dump" >"$TMP/a"
	rules_only "$TMP/round.dump" >"$TMP/b"
	{ [ $rc -eq 0 ] && [ ! -s "$TMP/err" ] && diff -u "$TMP/a" "$TMP/b"; } \
		>"$TMP/diff" 2>&1
	tap $? "$name: dump output recompiles to the same rule set" "$TMP/diff"

	if [ -n "$MODCHECK" ]; then
		n4=$(grep -c '^    connect [a-z]* [0-9.]*[/ ]\|^    connect [a-z]* [0-9.]*$' "$TMP/dump.nodigest")
		n6=$(grep -c '^    connect [a-z]* [0-9a-f]*:' "$TMP/dump.nodigest")
		"$MODCHECK" "$blob" >"$TMP/mod" 2>&1
		{ [ "$(cat "$TMP/mod")" = "accepted $n4 $n6" ] || cat "$TMP/mod"; } \
			>"$TMP/diff" 2>&1
		[ ! -s "$TMP/diff" ]
		tap $? "$name: the module's parser accepts it ($n4 IPv4, $n6 IPv6 rules)" "$TMP/diff"
	else
		skip "$name: the module's parser accepts it" "test_compiler_modcheck did not build"
	fi
done

# --- golden files: bad -------------------------------------------------------
for conf in "$POLICY"/bad/*.conf; do
	base=$(basename "$conf" .conf)
	name=bad/$base.conf
	rm -f "$TMP/bad.cpol"
	(cd "$POLICY/bad" && "$CTL" check "$base.conf") >"$TMP/out" 2>"$TMP/err"
	rc=$?
	diag_lines "$TMP/err" >"$TMP/got"
	expect_lines "$conf" >"$TMP/want"
	{ [ $rc -eq 1 ] || echo "exit status $rc, expected 1"
	  [ -s "$TMP/want" ] || echo "no '# expect:' lines"
	  diff -u "$TMP/want" "$TMP/got"; } >"$TMP/diff" 2>&1
	[ ! -s "$TMP/diff" ]
	tap $? "$name: check reports exactly the expected errors" "$TMP/diff"

	(cd "$POLICY/bad" && "$CTL" compile "$base.conf" -o "$TMP/bad.cpol") \
		>/dev/null 2>&1
	rc=$?
	[ $rc -eq 1 ] && [ ! -e "$TMP/bad.cpol" ] &&
		[ -z "$(ls "$TMP" | grep '^bad\.cpol\.tmp')" ]
	tap $? "$name: compile fails and writes no file"
done

# --- diagnostics format ------------------------------------------------------
printf 'policy p version 1\nglobal {\n\tconnect\ttcp 300.1.1.1 port 443  # tabs\n}\n' \
	>"$TMP/tabs.conf"
printf '%s\n' "$TMP/tabs.conf:3:14: error: invalid IPv4 address '300.1.1.1'" \
	"$(printf '\tconnect\ttcp 300.1.1.1 port 443  # tabs')" \
	"$(printf '\t       \t    ^~~~~~~~~')" >"$TMP/want"
"$CTL" check "$TMP/tabs.conf" 2>"$TMP/got"
[ $? -eq 1 ]
tap $? "check exits 1 on an error"
check_eq "diagnostic: file:line:col, the line as is, caret under the token with its tabs" \
	"$TMP/want" "$TMP/got"

printf 'policy p version 1\r\nglobal {\r\n    connect tcp 192.0.2.1 port 80\r\n}\r\n' >"$TMP/crlf.conf"
printf 'policy p version 1\nglobal {\n    connect tcp 192.0.2.1 port 80\n}\n' >"$TMP/lf.conf"
"$CTL" compile "$TMP/crlf.conf" -o "$TMP/crlf.cpol" 2>"$TMP/err" &&
	"$CTL" compile "$TMP/lf.conf" -o "$TMP/lf.cpol" 2>>"$TMP/err" &&
	cmp "$TMP/crlf.cpol" "$TMP/lf.cpol" >>"$TMP/err" 2>&1
tap $? "CRLF line ends compile like LF" "$TMP/err"

printf 'policy p version 1\nglobal {\n    connect tcp 192.0.2.1 port 80\n}\n' |
	"$CTL" check -v - >"$TMP/out" 2>&1
{ [ $? -eq 0 ] && [ "$(cat "$TMP/out")" = "-: ok" ]; }
tap $? "check reads standard input as '-'" "$TMP/out"

"$CTL" check "$POLICY/good/kiosk.conf" "$POLICY/good/ipv6.conf" >"$TMP/out" 2>&1
{ [ $? -eq 0 ] && [ ! -s "$TMP/out" ]; }
tap $? "check prints nothing on success" "$TMP/out"

(cd "$POLICY" && "$CTL" check -v good/kiosk.conf bad/bad-mode.conf good/audit.conf) \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
printf 'good/kiosk.conf: ok\ngood/audit.conf: ok\n' >"$TMP/want"
{ [ $rc -eq 1 ] && diff -u "$TMP/want" "$TMP/out" &&
  [ "$(diag_lines "$TMP/err" | wc -l)" -eq 1 ]; } >"$TMP/diff" 2>&1
tap $? "check -v: 'FILE: ok' per good file, errors for the bad one, exit 1" "$TMP/diff"

(cd "$POLICY" && "$CTL" check -j good/kiosk.conf bad/bad-mode.conf) \
	>"$TMP/out" 2>/dev/null
python3 - "$TMP/out" >"$TMP/diff" 2>&1 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert [x["ok"] for x in r] == [True, False], r
assert r[0]["rules_net4"] == 8 and r[0]["rules_net6"] == 2, r
assert r[1]["errors"] == 1 and r[0]["file"] == "good/kiosk.conf", r
EOF
tap $? "check --json: one object per file" "$TMP/diff"

# --- compile -----------------------------------------------------------------
mkdir -p "$TMP/outdir"
echo "previous" >"$TMP/outdir/keep.cpol"
"$CTL" compile "$POLICY/bad/bad-ports.conf" -o "$TMP/outdir/keep.cpol" 2>/dev/null
{ [ $? -eq 1 ] && [ "$(cat "$TMP/outdir/keep.cpol")" = previous ] &&
  [ "$(ls "$TMP/outdir")" = keep.cpol ]; }
tap $? "compile error: an existing output is left alone, no temporary file stays"

"$CTL" compile "$POLICY/good/kiosk.conf" -o "$TMP/nodir/x.cpol" >"$TMP/out" 2>&1
{ [ $? -eq 1 ] && grep -q "^Error: cannot write $TMP/nodir/x.cpol: No such file or directory" "$TMP/out"; }
tap $? "compile to a missing directory: Error: and exit 1" "$TMP/out"

"$CTL" compile "$POLICY/good/kiosk.conf" -o "$TMP/outdir/kiosk.cpol" 2>/dev/null
{ [ $? -eq 0 ] && [ "$(ls "$TMP/outdir")" = "$(printf 'keep.cpol\nkiosk.cpol')" ] &&
  [ "$(stat -c %a "$TMP/outdir/kiosk.cpol")" = "$(printf '%o' $((0666 & ~0$(umask))))" ]; }
tap $? "compile writes OUT with the umask mode and no leftovers"

"$CTL" compile "$POLICY/good/kiosk.conf" >/dev/null 2>"$TMP/err"
{ [ $? -eq 2 ] && grep -q '^Error: compile needs -o OUT.cpol' "$TMP/err"; }
tap $? "compile without -o is a usage error (exit 2)" "$TMP/err"

"$CTL" compile -j "$POLICY/good/kiosk.conf" -o "$TMP/k.cpol" >"$TMP/out" 2>&1
python3 - "$TMP/out" "$(sha256sum "$TMP/k.cpol" | cut -d' ' -f1)" >"$TMP/diff" 2>&1 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["digest"] == sys.argv[2] and r["name"] == "kiosk", r
assert r["version"] == 3 and r["rules_net4"] == 8 and r["rules_net6"] == 2, r
EOF
tap $? "compile --json reports name, version, digest and counts" "$TMP/diff"

# Rules in another order, other comments and spacing: the same rules.
{ echo "policy kiosk version 3"; echo "global {"
  grep '^ *connect' "$POLICY/good/kiosk.conf" | tac | sed 's/^ */\t/'
  echo "}"; } >"$TMP/shuffled.conf"
"$CTL" compile "$TMP/shuffled.conf" -o "$TMP/shuffled.cpol" 2>/dev/null &&
	"$CTL" dump "$TMP/shuffled.cpol" >"$TMP/a.dump" &&
	"$CTL" dump "$TMP/k.cpol" >"$TMP/b.dump"
rules_only "$TMP/a.dump" >"$TMP/a"
rules_only "$TMP/b.dump" >"$TMP/b"
check_eq "rule order in the source does not change the compiled rule order" "$TMP/a" "$TMP/b"

name63=$(printf 'n%.0s' $(seq 63))
printf 'policy %s version 0\n' "$name63" >"$TMP/n63.conf"
"$CTL" compile "$TMP/n63.conf" -o "$TMP/n63.cpol" 2>"$TMP/err" &&
	python3 "$BLOBCHECK" "$TMP/n63.cpol" "$name63" 0 0 0 0 >>"$TMP/err" 2>&1 &&
	[ "$(stat -c %s "$TMP/n63.cpol")" -eq 96 ]
tap $? "a 63-character name and no rules: a 96-byte blob with no sections" "$TMP/err"

python3 "$BLOBCHECK" "$TMP/k.cpol" kiosk 3 0 8 2 >"$TMP/err" 2>&1 &&
	(cd "$POLICY/good" && "$CTL" compile audit.conf -o "$TMP/audit.cpol") &&
	python3 "$BLOBCHECK" "$TMP/audit.cpol" camera-01.audit_v2 42 1 1 0 >>"$TMP/err" 2>&1
tap $? "header fields: name, version, CPOL_F_AUDIT only in audit mode" "$TMP/err"

# --- limits ------------------------------------------------------------------
# 17 lines of 65536 ports: 1114112 IPv4 rules, more than CPOL_MAX_RULES.
ports=$(seq -s, 0 65535)
{ echo "policy big version 1"; echo "global {"
  for i in $(seq 1 17); do echo "connect tcp 10.0.0.$i port $ports"; done
  echo "}"; } >"$TMP/many.conf"
"$CTL" check "$TMP/many.conf" 2>"$TMP/err"
{ [ $? -eq 1 ] && [ "$(diag_lines "$TMP/err")" = "$TMP/many.conf: error: too many IPv4 rules: 1114112, at most 1048576 allowed" ]; } >/dev/null
tap $? "more than CPOL_MAX_RULES rules in a section is an error" "$TMP/err"

# 10 x 65536 IPv4 and 4 x 65536 IPv6 rules: 19 MiB, over CPOL_MAX_BLOB.
{ echo "policy big version 1"; echo "global {"
  for i in $(seq 1 10); do echo "connect udp 10.0.0.$i port $ports"; done
  for i in $(seq 1 4); do echo "connect udp 2001:db8::$i port $ports"; done
  echo "}"; } >"$TMP/large.conf"
"$CTL" compile "$TMP/large.conf" -o "$TMP/large.cpol" 2>"$TMP/err"
{ [ $? -eq 1 ] && [ ! -e "$TMP/large.cpol" ] &&
  [ "$(diag_lines "$TMP/err")" = "$TMP/large.conf: error: the compiled policy would be 18874496 bytes, at most 16777216 allowed" ]; }
tap $? "a blob over CPOL_MAX_BLOB is an error" "$TMP/err"

# --- dump of bad blobs -------------------------------------------------------
cp "$TMP/k.cpol" "$TMP/good.cpol"
# patch FILE OFFSET HEXBYTES: overwrite bytes in place.
patch() {
	printf "$(echo "$3" | sed 's/../\\x&/g')" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# dump_rejects NAME FILE EXPECTED_ERROR_SUBSTRING
dump_rejects() {
	"$CTL" dump "$2" >"$TMP/out" 2>"$TMP/err"
	{ [ $? -eq 1 ] && grep -qF -- "$3" "$TMP/err"; }
	tap $? "dump: $1" "$TMP/err"
}
head -c 100 "$TMP/good.cpol" >"$TMP/trunc.cpol"
dump_rejects "truncated blob" "$TMP/trunc.cpol" \
	"offset 8: total size 320 but the blob has 100 bytes"
cp "$TMP/good.cpol" "$TMP/magic.cpol"; patch "$TMP/magic.cpol" 0 58
dump_rejects "bad magic" "$TMP/magic.cpol" "offset 0: bad magic 0x4c4f5058"
dump_rejects "policy text instead of a blob" "$POLICY/good/kiosk.conf" \
	"is policy text, not a compiled policy: compile it first"
cp "$TMP/good.cpol" "$TMP/flags.cpol"; patch "$TMP/flags.cpol" 12 02
dump_rejects "unknown header flag" "$TMP/flags.cpol" "offset 12: unknown flags 0x2"
cp "$TMP/good.cpol" "$TMP/sec.cpol"; patch "$TMP/sec.cpol" 100 f0ff
dump_rejects "section past the end" "$TMP/sec.cpol" "run past the end of the blob"
# The kiosk net4 section starts at 128; its first rule is 0.0.0.0/0.
cp "$TMP/good.cpol" "$TMP/host.cpol"; patch "$TMP/host.cpol" 131 01
dump_rejects "host bits set in a rule" "$TMP/host.cpol" \
	"net4 rule 0 (offset 128, line 14): address has host bits set beyond /0"
cp "$TMP/good.cpol" "$TMP/proto.cpol"; patch "$TMP/proto.cpol" 133 07
dump_rejects "unknown protocol" "$TMP/proto.cpol" "net4 rule 0 (offset 128, line 14): unknown protocol 7"
cp "$TMP/good.cpol" "$TMP/ports.cpol"; patch "$TMP/ports.cpol" 136 ffff
dump_rejects "reversed port range" "$TMP/ports.cpol" "port range 65535-123 is reversed"
"$CTL" dump "$TMP/host.cpol" >"$TMP/out" 2>/dev/null
{ grep -q '^policy kiosk version 3$' "$TMP/out" &&
  [ "$(grep -c '^    connect' "$TMP/out")" -eq 9 ]; }
tap $? "dump of a bad blob still prints what it can decode" "$TMP/out"

# Swap the first two net4 rules: valid for the module, but not canonical.
cp "$TMP/good.cpol" "$TMP/order.cpol"
dd if="$TMP/good.cpol" of="$TMP/order.cpol" bs=1 skip=144 seek=128 count=16 conv=notrunc status=none
dd if="$TMP/good.cpol" of="$TMP/order.cpol" bs=1 skip=128 seek=144 count=16 conv=notrunc status=none
"$CTL" dump "$TMP/order.cpol" >/dev/null 2>"$TMP/err"
{ [ $? -eq 0 ] && [ "$(cat "$TMP/err")" = "Warning: $TMP/order.cpol: net4 rule 1 (offset 144, line 14) is out of order (not canonical)" ]; }
tap $? "dump: rules out of order are valid but not canonical: a warning, exit 0" "$TMP/err"

# Swap the two section table entries: valid, but not canonical.
cp "$TMP/good.cpol" "$TMP/table.cpol"
dd if="$TMP/good.cpol" of="$TMP/table.cpol" bs=1 skip=112 seek=96 count=16 conv=notrunc status=none
dd if="$TMP/good.cpol" of="$TMP/table.cpol" bs=1 skip=96 seek=112 count=16 conv=notrunc status=none
"$CTL" dump "$TMP/table.cpol" >"$TMP/out" 2>"$TMP/err"
{ [ $? -eq 0 ] && [ "$(cat "$TMP/err")" = "Warning: $TMP/table.cpol: offset 96: the blob is valid but not in the canonical form citadelctl compile writes" ] &&
  diff <(grep -v '^# sha256' "$TMP/out") <(grep -v '^# sha256' "$TMP/b.dump"); } >>"$TMP/err" 2>&1
tap $? "dump: sections out of type order: same rules, a canonical-form warning" "$TMP/err"

"$CTL" dump -j "$TMP/host.cpol" >"$TMP/out" 2>/dev/null
python3 - "$TMP/out" >"$TMP/diff" 2>&1 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["valid"] is False and len(r["errors"]) == 1, r
assert len(r["rules"]) == 9 and r["name"] == "kiosk", r
EOF
tap $? "dump --json of a bad blob: valid false, the errors listed" "$TMP/diff"

"$CTL" dump --json "$TMP/k.cpol" >"$TMP/out" 2>/dev/null
python3 - "$TMP/out" "$(sha256sum "$TMP/k.cpol" | cut -d' ' -f1)" >"$TMP/diff" 2>&1 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["valid"] and r["digest"] == sys.argv[2] and r["version"] == 3, r
assert r["mode"] == "enforce" and r["size"] == 320, r
assert [s["name"] for s in r["sections"]] == ["net4", "net6"], r
first = r["rules"][0]
assert (first["proto"], first["addr"], first["prefix"], first["port_lo"],
        first["port_hi"], first["line"]) == ("udp", "0.0.0.0", 0, 123, 123, 14), first
assert r["rules"][-1]["addr"] == "2001:db8:10::" and r["errors"] == [], r
EOF
tap $? "dump --json: header, sections and rules" "$TMP/diff"

# --- semantics, through the module's own parser and matcher ------------------
if [ -n "$MODCHECK" ]; then
	"$MODCHECK" "$TMP/v4mapped.cpol" \
		tcp 192.0.2.10 443 tcp ::ffff:192.0.2.10 443 tcp 192.0.2.10 444 \
		tcp 198.51.100.77 80 udp 203.0.113.99 53 udp ::ffff:8.8.8.8 53 \
		tcp 2001:db8::ffff:c000:201 443 tcp 192.0.2.1 443 >"$TMP/out" 2>&1
	printf '%s\n' "accepted 5 1" "allow 5" "allow 5" deny "allow 6" "allow 7" \
		"allow 7" "allow 10" deny >"$TMP/want"
	check_eq "module matcher: v4-mapped rules match IPv4 and mapped destinations" \
		"$TMP/want" "$TMP/out"

	"$MODCHECK" "$TMP/any-ports.cpol" \
		tcp 203.0.113.1 80 tcp 2001:db8:ffff::1 443 tcp 203.0.113.1 8080 \
		udp 192.0.2.2 0 udp 192.0.2.2 65535 udp 192.0.2.2 1500 \
		udp 192.0.2.2 2001 tcp 192.0.2.1 31337 tcp 2001:db8::1 1025 \
		>"$TMP/out" 2>&1
	printf '%s\n' "accepted 9 5" "allow 4" "allow 4" deny "allow 7" "allow 7" \
		"allow 7" deny "allow 6" deny >"$TMP/want"
	check_eq "module matcher: any, port lists, edges 0 and 65535, no port clause" \
		"$TMP/want" "$TMP/out"

	"$MODCHECK" "$TMP/ipv6.cpol" tcp ::ffff:127.0.0.1 443 udp 2001:db8::5 53 \
		tcp fe80::1234 1 tcp fec0::1 1 >"$TMP/out" 2>&1
	printf '%s\n' "accepted 0 9" deny "allow 7" "allow 9" deny >"$TMP/want"
	check_eq "module matcher: ::/0 does not cover mapped IPv4; /10 edges" \
		"$TMP/want" "$TMP/out"
else
	for t in "v4-mapped rules" "any and port lists" "::/0 and /10"; do
		skip "module matcher: $t" "test_compiler_modcheck did not build"
	done
fi

# --- load, unload, status against a fake securityfs --------------------------
FS=$TMP/securityfs
mkdir -p "$FS"
: >"$FS/policy"
: >"$FS/last_error"
: >"$FS/unload"
export CITADEL_SECURITYFS=$FS

"$CTL" load "$TMP/k.cpol" >"$TMP/out" 2>&1
{ [ $? -eq 0 ] && [ ! -s "$TMP/out" ] && cmp "$TMP/k.cpol" "$FS/policy"; } >>"$TMP/out" 2>&1
tap $? "load writes exactly the blob's bytes to ROOT/policy" "$TMP/out"

if command -v strace >/dev/null 2>&1; then
	# A blob bigger than any stdio buffer still goes in one write().
	{ echo "policy big version 1"; echo "global {"
	  for i in $(seq 1 3); do echo "connect tcp 10.0.0.$i port $ports"; done
	  echo "}"; } >"$TMP/big.conf"
	"$CTL" compile "$TMP/big.conf" -o "$TMP/big.cpol" 2>/dev/null
	: >"$FS/policy"
	strace -e trace=write -o "$TMP/strace" "$CTL" load "$TMP/big.cpol" >/dev/null 2>&1
	size=$(stat -c %s "$TMP/big.cpol")
	{ [ "$(grep -c '^write(' "$TMP/strace")" -eq 1 ] &&
	  grep -q "^write(.*, $size) = $size" "$TMP/strace" &&
	  cmp "$TMP/big.cpol" "$FS/policy"; } >"$TMP/diff" 2>&1
	tap $? "load of a $size-byte blob is one write() call" "$TMP/diff"
else
	skip "load is one write() call" "strace is not installed"
fi

: >"$FS/policy"
"$CTL" load "$POLICY/good/kiosk.conf" >"$TMP/out" 2>&1
{ [ $? -eq 1 ] && [ ! -s "$FS/policy" ] &&
  grep -q "^Error: $POLICY/good/kiosk.conf is policy text, not a compiled policy: load takes blobs only; run 'citadelctl compile" "$TMP/out"; }
tap $? "load of policy text: a helpful error, nothing written" "$TMP/out"

truncate -s $((16 * 1024 * 1024 + 1)) "$TMP/huge.cpol"
patch "$TMP/huge.cpol" 0 43504f4c
"$CTL" load "$TMP/huge.cpol" >"$TMP/out" 2>&1
{ [ $? -eq 1 ] && [ ! -s "$FS/policy" ] &&
  grep -q "^Error: $TMP/huge.cpol is too large: 16777217 bytes, a policy blob is at most 16777216" "$TMP/out"; }
tap $? "load refuses a file over CPOL_MAX_BLOB before writing" "$TMP/out"

# A write the "module" refuses: /dev/full fails every write with ENOSPC.
ln -sf /dev/full "$FS/policy"
echo "offset 0: bad magic 0x00000000 (not a compiled citadel policy)" >"$FS/last_error"
"$CTL" load "$TMP/k.cpol" >"$TMP/out" 2>&1
{ [ $? -eq 1 ] && [ "$(cat "$TMP/out")" = "Error: policy rejected: offset 0: bad magic 0x00000000 (not a compiled citadel policy)" ]; }
tap $? "a refused load prints 'Error: policy rejected: <last_error>'" "$TMP/out"
: >"$FS/last_error"
"$CTL" load "$TMP/k.cpol" >"$TMP/out" 2>&1
{ [ $? -eq 1 ] && [ "$(cat "$TMP/out")" = "Error: policy rejected: No space left on device" ]; }
tap $? "a refused load without last_error prints strerror" "$TMP/out"
rm -f "$FS/policy"
: >"$FS/policy"

"$CTL" unload >"$TMP/out" 2>&1
{ [ $? -eq 0 ] && [ "$(cat "$FS/unload")" = 1 ]; }
tap $? "unload writes 1 to ROOT/unload" "$TMP/out"

cat >"$FS/status" <<'EOF'
abi 1
state loaded
mode audit
name kiosk
version 3
digest 1f6c0c3d8c4ff6c1c1b0a6cf2c6c1e9a83b53c36f37f8b1c3a7c7e2c0e1f2d3c
rules_net4 9
rules_net6 2
policy_memory 4096
policy_loads 5
policy_rejects 1
connect_allowed 120
connect_denied 3
connect_audited 7
send_allowed 40
send_denied 0
send_audited 18446744073709551615
future_field some "quoted" text\with backslash
EOF
"$CTL" status --json >"$TMP/out" 2>&1
python3 - "$TMP/out" >"$TMP/diff" 2>&1 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
want = {"abi": 1, "state": "loaded", "mode": "audit", "name": "kiosk",
        "version": 3, "rules_net4": 9, "rules_net6": 2,
        "policy_memory": 4096, "policy_loads": 5, "policy_rejects": 1,
        "connect_allowed": 120, "connect_denied": 3, "connect_audited": 7,
        "send_allowed": 40, "send_denied": 0,
        "send_audited": 18446744073709551615,
        "future_field": 'some "quoted" text\\with backslash'}
for k, v in want.items():
    assert r[k] == v and type(r[k]) is type(v), (k, r.get(k), v)
assert r["digest"].startswith("1f6c0c3d"), r
assert list(r)[:3] == ["abi", "state", "mode"], list(r)
EOF
tap $? "status --json: numbers as numbers, strings escaped, unknown keys kept" "$TMP/diff"

"$CTL" status >"$TMP/out" 2>&1
{ [ $? -eq 0 ] &&
  grep -q '^state: *loaded, audit' "$TMP/out" &&
  grep -q '^policy: *kiosk version 3$' "$TMP/out" &&
  grep -q '^digest: *1f6c0c3d' "$TMP/out" &&
  grep -q '^rules: *9 IPv4, 2 IPv6$' "$TMP/out" &&
  grep -q '^loads: *5 accepted, 1 rejected$' "$TMP/out" &&
  grep -qE '^operation +allowed +denied +audited$' "$TMP/out" &&
  grep -qE '^connect +120 +3 +7$' "$TMP/out" &&
  grep -qE '^send +40 +0 +18446744073709551615$' "$TMP/out" &&
  grep -q '^policy_memory  *4096$' "$TMP/out" &&
  grep -q '^future_field  *some "quoted" text\\with backslash$' "$TMP/out"; }
tap $? "status: state, policy, digest, rules, counters table, other keys" "$TMP/out"

printf 'abi 1\nstate none\npolicy_loads 0\npolicy_rejects 0\nconnect_allowed 0\n' >"$FS/status"
"$CTL" status -j >"$TMP/out" 2>&1 && "$CTL" status >>"$TMP/out" 2>&1
{ json_ok <(head -n 1 "$TMP/out") && grep -q '"state":"none"' "$TMP/out" &&
  grep -q '^state: *no policy loaded: nothing is restricted$' "$TMP/out"; }
tap $? "status with no policy loaded" "$TMP/out"

export CITADEL_SECURITYFS=$TMP/absent
for c in "load $TMP/k.cpol" unload status; do
	# shellcheck disable=SC2086 # c is a command and its argument
	"$CTL" $c >"$TMP/out" 2>&1
	{ [ $? -eq 1 ] && [ "$(cat "$TMP/out")" = "Error: citadel is not running (no $TMP/absent): load the module and run 'citadelctl start'" ]; }
	tap $? "${c%% *} without the module: 'citadel is not running'" "$TMP/out"
done
"$CTL" status --json >"$TMP/out" 2>/dev/null
{ [ $? -eq 1 ] && python3 -c 'import json,sys; assert "not running" in json.load(open(sys.argv[1]))["error"]' "$TMP/out"; }
tap $? "errors are JSON in --json mode" "$TMP/out"
unset CITADEL_SECURITYFS

# --- command line ------------------------------------------------------------
"$CTL" comp "$POLICY/good/audit.conf" -o "$TMP/p.cpol" >"$TMP/out" 2>&1 &&
	"$CTL" du "$TMP/p.cpol" >>"$TMP/out" 2>&1
tap $? "unique command prefixes: 'comp', 'du'" "$TMP/out"

"$CTL" st >"$TMP/out" 2>&1
{ [ $? -eq 2 ] && [ "$(cat "$TMP/out")" = "Error: ambiguous command 'st': status, start, stop" ]; }
tap $? "an ambiguous prefix is an error naming the candidates" "$TMP/out"

"$CTL" frobnicate >"$TMP/out" 2>&1
{ [ $? -eq 2 ] && grep -q "^Error: unknown command 'frobnicate'" "$TMP/out"; }
tap $? "an unknown command is an error" "$TMP/out"

"$CTL" -v >"$TMP/out" 2>&1 && "$CTL" -j --version >>"$TMP/out" 2>&1
{ grep -q '^citadelctl v[0-9.]* (policy ABI 1)$' "$TMP/out" &&
  json_ok <(tail -n 1 "$TMP/out"); }
tap $? "-v/--version, also as JSON" "$TMP/out"

"$CTL" -h >"$TMP/out" 2>&1 && "$CTL" compile -h >>"$TMP/out" 2>&1
{ grep -q '^Usage: citadelctl ' "$TMP/out" &&
  grep -q '^       citadelctl compile FILE -o OUT.cpol$' "$TMP/out" &&
  grep -q '^Usage: citadelctl compile FILE -o OUT.cpol$' "$TMP/out"; }
tap $? "-h/--help: usage in grammar form, per command too" "$TMP/out"

"$CTL" >/dev/null 2>&1
[ $? -eq 2 ]
tap $? "no command: usage on stderr, exit 2"

# --- memory ------------------------------------------------------------------
if command -v valgrind >/dev/null 2>&1; then
	vg() {
		valgrind -q --leak-check=full --show-leak-kinds=all \
			--errors-for-leak-kinds=all --error-exitcode=99 "$CTL" "$@"
	}
	(cd "$POLICY" && vg check good/kiosk.conf good/duplicates.conf \
		bad/bad-ports.conf bad/bad-unclosed.conf bad/bad-keywords.conf) \
		>/dev/null 2>"$TMP/err"
	[ $? -eq 1 ] && ! grep -q '==[0-9]*==' "$TMP/err"
	tap $? "valgrind: check, good and bad files, no leak or error" "$TMP/err"
	vg compile "$POLICY/good/duplicates.conf" -o "$TMP/vg.cpol" >/dev/null 2>"$TMP/err"
	[ $? -eq 0 ] && ! grep -q '==[0-9]*==' "$TMP/err"
	tap $? "valgrind: compile, no leak or error" "$TMP/err"
	vg compile "$POLICY/bad/bad-policy-line.conf" -o "$TMP/vg2.cpol" >/dev/null 2>"$TMP/err"
	[ $? -eq 1 ] && ! grep -q '==[0-9]*==' "$TMP/err"
	tap $? "valgrind: compile with errors, no leak or error" "$TMP/err"
	vg dump "$TMP/host.cpol" >/dev/null 2>"$TMP/err"
	[ $? -eq 1 ] && ! grep -q '==[0-9]*==' "$TMP/err"
	tap $? "valgrind: dump of a bad blob, no leak or error" "$TMP/err"
else
	skip "valgrind: check, compile and dump" "valgrind is not installed"
fi

echo "1..$n"
[ $failed -eq 0 ]
