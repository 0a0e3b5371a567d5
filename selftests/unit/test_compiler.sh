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

# shellcheck source=../tap.sh
. "$HERE/../tap.sh"

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
	# Warnings about the policy as a whole (no libs) come back; nothing else.
	{ [ $rc -eq 0 ] && ! grep -v ': warning: no libs: ' "$TMP/err" | grep -q ': \(error\|warning\): ' &&
	  diff -u "$TMP/a" "$TMP/b"; } >"$TMP/diff" 2>&1
	tap $? "$name: dump output recompiles to the same rule set" "$TMP/diff"

	if [ -n "$MODCHECK" ]; then
		# The counts the module must find: those of citadelctl's own decoding.
		"$CTL" dump -j "$blob" | python3 -c '
import json, sys
r = json.load(sys.stdin)
n = lambda k, f: sum(1 for x in r[k] if x["family"] == f)
print("accepted net4 %d net6 %d listen4 %d listen6 %d exec %d libs %d scopes %d" % (
    n("connect", "ipv4"), n("connect", "ipv6"), n("listen", "ipv4"),
    n("listen", "ipv6"), len(r["exec"]), len(r["libs"]), len(r["scopes"])))' \
			>"$TMP/want" 2>&1
		"$MODCHECK" "$blob" >"$TMP/mod" 2>&1
		diff -u "$TMP/want" "$TMP/mod" >"$TMP/diff" 2>&1
		tap $? "$name: the module's parser accepts it, with the same rule counts" "$TMP/diff"
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
printf 'policy p version 1\nglobal {\n\texec /\n\tlibs /\n\tconnect\ttcp 300.1.1.1 port 443  # tabs\n}\n' \
	>"$TMP/tabs.conf"
printf '%s\n' "$TMP/tabs.conf:5:14: error: invalid IPv4 address '300.1.1.1'" \
	"$(printf '\tconnect\ttcp 300.1.1.1 port 443  # tabs')" \
	"$(printf '\t       \t    ^~~~~~~~~')" >"$TMP/want"
"$CTL" check "$TMP/tabs.conf" 2>"$TMP/got"
[ $? -eq 1 ]
tap $? "check exits 1 on an error"
check_eq "diagnostic: file:line:col, the line as is, caret under the token with its tabs" \
	"$TMP/want" "$TMP/got"

# Reports come in source order, whenever they were found (duplicates are
# found once the whole file is read), with the caret lines after each.
printf 'policy p version 1\nglobal {\n    exec /\n    exec /\n    conect\n    libs /\n}\n' >"$TMP/order.conf"
"$CTL" check "$TMP/order.conf" 2>"$TMP/err"
{ [ $? -eq 1 ] && diag_lines "$TMP/err" | cut -d: -f2,3,4 >"$TMP/got" &&
  printf '4:10: warning\n5:5: error\n' | diff -u - "$TMP/got" &&
  [ "$(wc -l <"$TMP/err")" -eq 6 ]; } >"$TMP/diff" 2>&1
tap $? "diagnostics are printed in source order, late duplicates included" "$TMP/diff"

printf 'policy p version 1\r\nglobal {\r\n    exec /bin/\r\n    libs /lib/\r\n    connect tcp 192.0.2.1 port 80\r\n}\r\n' >"$TMP/crlf.conf"
printf 'policy p version 1\nglobal {\n    exec /bin/\n    libs /lib/\n    connect tcp 192.0.2.1 port 80\n}\n' >"$TMP/lf.conf"
"$CTL" compile "$TMP/crlf.conf" -o "$TMP/crlf.cpol" 2>"$TMP/err" &&
	"$CTL" compile "$TMP/lf.conf" -o "$TMP/lf.cpol" 2>>"$TMP/err" &&
	cmp "$TMP/crlf.cpol" "$TMP/lf.cpol" >>"$TMP/err" 2>&1 &&
	[ ! -s "$TMP/err" ]
tap $? "CRLF line ends compile like LF (paths do not keep the CR)" "$TMP/err"

"$CTL" check -v - <"$TMP/lf.conf" >"$TMP/out" 2>&1
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

(cd "$POLICY" && "$CTL" check -j good/kiosk.conf bad/bad-mode.conf good/empty.conf) \
	>"$TMP/out" 2>/dev/null
python3 - "$TMP/out" >"$TMP/diff" 2>&1 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert [x["ok"] for x in r] == [True, False, True], r
k = r[0]
assert (k["services"], k["rules_exec"], k["rules_libs"], k["rules_listen4"],
        k["rules_listen6"], k["rules_net4"], k["rules_net6"]) == (3, 7, 3, 2, 1, 9, 2), k
assert r[1]["errors"] == 1 and r[0]["file"] == "good/kiosk.conf", r
assert r[2]["warnings"] == 1 and r[2]["errors"] == 0, r
EOF
tap $? "check --json: one object per file, with the rule counts" "$TMP/diff"

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
assert r["version"] == 3 and r["rules_net4"] == 9 and r["rules_net6"] == 2, r
assert r["services"] == 3 and r["rules_exec"] == 7 and r["warnings"] == 0, r
EOF
tap $? "compile --json reports name, version, digest and counts" "$TMP/diff"

# Rules in another order inside each block, other comments and spacing:
# the same blob but for the source lines. (Services keep their order: it
# is their scope number.)
awk '/^ *#/ || /^$/ { next }
     /{$/ { print; n = 0; inblock = 1; next }
     /^}/ { for (i = n; i > 0; i--) print "\t" r[i]; print; inblock = 0; next }
     !inblock { print; next }
     { sub(/^ */, ""); sub(/ *#.*/, ""); r[++n] = $0; next }' \
	"$POLICY/good/kiosk.conf" >"$TMP/shuffled.conf"
"$CTL" compile "$TMP/shuffled.conf" -o "$TMP/shuffled.cpol" 2>"$TMP/err" &&
	"$CTL" dump "$TMP/shuffled.cpol" >"$TMP/a.dump" 2>>"$TMP/err" &&
	"$CTL" dump "$TMP/k.cpol" >"$TMP/b.dump" 2>>"$TMP/err"
rules_only "$TMP/a.dump" >"$TMP/a"
rules_only "$TMP/b.dump" >"$TMP/b"
{ cat "$TMP/err"; diff -u "$TMP/b" "$TMP/a" &&
  ! cmp -s "$TMP/shuffled.conf" "$POLICY/good/kiosk.conf" &&
  [ "$(wc -l <"$TMP/a")" -gt 30 ]; } >"$TMP/diff" 2>&1
tap $? "rule order in the source does not change the compiled rule order" "$TMP/diff"

name63=$(printf 'n%.0s' $(seq 63))
printf 'policy %s version 0\nglobal {\n    exec /\n}\n' "$name63" >"$TMP/n63.conf"
"$CTL" compile "$TMP/n63.conf" -o "$TMP/n63.cpol" 2>/dev/null &&
	python3 "$BLOBCHECK" "$TMP/n63.cpol" "$name63" 0 0 strings=380 scopes=1 exec=1 \
		libs=0 net4=0 net6=0 listen4=0 listen6=0 protect=25 >"$TMP/err" 2>&1 &&
	[ "$(stat -c %s "$TMP/n63.cpol")" -eq 1024 ]
tap $? "a 63-character name and 'exec /' only: strings, scopes, exec and the 25 default protect paths, 1024 bytes" "$TMP/err"

# protect: the defaults once each, a repeat of one without a warning,
# 'protect no-defaults' only what is listed.
printf 'policy p version 1\nglobal {\n    exec /\n    libs /\n    protect /usr/ /srv/data/\n}\n' >"$TMP/prot.conf"
printf 'policy p version 1\nglobal {\n    exec /\n    libs /\n    protect no-defaults\n    protect /srv/data/\n}\n' >"$TMP/prot-nd.conf"
"$CTL" compile "$TMP/prot.conf" -o "$TMP/prot.cpol" 2>"$TMP/err" && [ ! -s "$TMP/err" ] &&
	python3 "$BLOBCHECK" "$TMP/prot.cpol" p 1 0 protect=26 >>"$TMP/err" 2>&1 &&
	"$CTL" compile "$TMP/prot-nd.conf" -o "$TMP/prot-nd.cpol" 2>>"$TMP/err" &&
	python3 "$BLOBCHECK" "$TMP/prot-nd.cpol" p 1 0 protect=1 >>"$TMP/err" 2>&1 &&
	{ [ -z "$MODCHECK" ] || "$MODCHECK" "$TMP/prot.cpol" >>"$TMP/err" 2>&1; }
tap $? "protect: 25 defaults plus the policy's own, a repeated default is no warning; no-defaults keeps only the list" "$TMP/err"

python3 "$BLOBCHECK" "$TMP/k.cpol" kiosk 3 0 net4=9 net6=2 listen4=2 listen6=1 \
	exec=7 libs=3 scopes=4 >"$TMP/err" 2>&1 &&
	(cd "$POLICY/good" && "$CTL" compile audit.conf -o "$TMP/audit.cpol") &&
	python3 "$BLOBCHECK" "$TMP/audit.cpol" camera-01.audit_v2 42 1 net4=1 net6=0 >>"$TMP/err" 2>&1 &&
	(cd "$POLICY/good" && "$CTL" compile services.conf -o "$TMP/services.cpol") &&
	python3 "$BLOBCHECK" "$TMP/services.cpol" services 5 2 scopes=5 exec=9 >>"$TMP/err" 2>&1
tap $? "header fields: name, version, CPOL_F_AUDIT for mode audit, CPOL_F_FILELESS for exec fileless" "$TMP/err"

# Scopes, ids, flags and families; exec entries and helpers; libs; listen.
"$CTL" dump -j "$TMP/services.cpol" >"$TMP/out" 2>&1
python3 - "$TMP/out" >"$TMP/diff" 2>&1 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
def fnv(s):
    h = 0xcbf29ce484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
    return h
names = ["global", "zeta", "httpd", "db.primary_1-a", "a234567890123456789012345678901234567890123456789012345678901234"[:63]]
assert [s["name"] for s in r["scopes"]] == names, r["scopes"]
assert [s["id"] for s in r["scopes"]] == [0] + [fnv(n) for n in names[1:]], r["scopes"]
assert [s["audit"] for s in r["scopes"]] == [False, False, True, False, False]
assert r["scopes"][0]["families"] == ["unix", "inet", "inet6", "netlink", "packet", "raw"], r["scopes"][0]
assert r["scopes"][0]["families_mask"] == (1 << 1) | (1 << 2) | (1 << 10) | (1 << 16) | (1 << 17) | (1 << 63)
assert r["scopes"][2]["families"] == ["raw"] and r["scopes"][3]["families"] == ["vsock"], r["scopes"]
assert r["scopes"][1]["families"] == [] and r["fileless"] is True and r["flags"] == 2, r
ex = [(e["scope"], e["path"], e["prefix"], e["sha256"]) for e in r["exec"]]
assert ("httpd", "/usr/lib/httpd/cgi/", True, None) in ex, ex
assert ("global", "/usr/sbin/httpd", False, None) in ex and ("httpd", "/usr/sbin/httpd", False, None) in ex, ex
assert ("httpd", "/usr/lib/httpd/helper", False,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") in ex, ex
assert [e["path"] for e in r["exec"]] == sorted(e["path"] for e in r["exec"]), ex
assert [(l["path"], l["prefix"]) for l in r["libs"]] == [
    ("/lib/x86_64-linux-gnu/", True), ("/opt/vendor/libfoo.so.1", False),
    ("/usr/lib/x86_64-linux-gnu/", True)], r["libs"]
ls = [(l["scope"], l["proto"], l["addr"], l["prefix"], l["port_lo"], l["port_hi"]) for l in r["listen"]]
assert ("httpd", "udp", "192.0.2.1", 32, 0, 0) in ls, ls           # mapped: IPv4
assert ("httpd", "tcp", "0.0.0.0", 0, 80, 80) in ls and ("httpd", "tcp", "::", 0, 443, 443) in ls, ls
assert ("db.primary_1-a", "tcp", "::", 0, 5432, 5432) in ls, ls
assert ("global", "udp", "ff02::fb", 128, 5353, 5353) in ls, ls
assert len(r["listen"]) == 11 and len(r["connect"]) == 3 and r["errors"] == [], r
EOF
tap $? "dump --json: scopes (ids, audit, families), exec, libs, listen" "$TMP/diff"

# --- limits ------------------------------------------------------------------
# 17 lines of 65536 ports: 1114112 IPv4 rules, more than CPOL_MAX_RULES.
ports=$(seq -s, 0 65535)
{ echo "policy big version 1"; echo "global {"; echo "exec /"; echo "libs /"
  for i in $(seq 1 17); do echo "connect tcp 10.0.0.$i port $ports"; done
  echo "}"; } >"$TMP/many.conf"
"$CTL" check "$TMP/many.conf" 2>"$TMP/err"
{ [ $? -eq 1 ] && [ "$(diag_lines "$TMP/err")" = "$TMP/many.conf: error: too many IPv4 rules: 1114112, at most 1048576 allowed" ]; } >/dev/null
tap $? "more than CPOL_MAX_RULES rules in a section is an error" "$TMP/err"

# 10 x 65536 IPv4 and 4 x 65536 IPv6 rules: 19 MiB, over CPOL_MAX_BLOB.
{ echo "policy big version 1"; echo "global {"; echo "exec /"; echo "libs /"
  for i in $(seq 1 10); do echo "connect udp 10.0.0.$i port $ports"; done
  for i in $(seq 1 4); do echo "connect udp 2001:db8::$i port $ports"; done
  echo "}"; } >"$TMP/large.conf"
"$CTL" compile "$TMP/large.conf" -o "$TMP/large.cpol" 2>"$TMP/err"
{ [ $? -eq 1 ] && [ ! -e "$TMP/large.cpol" ] &&
  [ "$(diag_lines "$TMP/err")" = "$TMP/large.conf: error: the compiled policy would be 18875456 bytes, at most 16777216 allowed" ]; }
tap $? "a blob over CPOL_MAX_BLOB is an error" "$TMP/err"

# Paths: CPOL_PATH_MAX bytes are fine, one more is not.
p4095=/$(printf 'p%.0s' $(seq 4094))
printf 'policy p version 1\nglobal {\n    exec %s\n    libs %s/\n}\n' "$p4095" "${p4095:0:4094}" >"$TMP/path.conf"
"$CTL" compile "$TMP/path.conf" -o "$TMP/path.cpol" 2>"$TMP/err" &&
	python3 "$BLOBCHECK" "$TMP/path.cpol" >>"$TMP/err" 2>&1 &&
	{ [ -z "$MODCHECK" ] || "$MODCHECK" "$TMP/path.cpol" >>"$TMP/err" 2>&1; }
tap $? "a path of CPOL_PATH_MAX (4095) bytes compiles, and the module takes it" "$TMP/err"
printf 'policy p version 1\nglobal {\n    exec %s\n    libs /\n    exec /%s\n}\n' "$p4095/" "$p4095" >"$TMP/path2.conf"
"$CTL" check "$TMP/path2.conf" 2>"$TMP/err"
{ [ $? -eq 1 ] && [ "$(diag_lines "$TMP/err")" = "$(printf '%s\n%s' \
	"$TMP/path2.conf:3:10: error: path is 4096 bytes long; at most 4095 are allowed" \
	"$TMP/path2.conf:5:10: error: path is 4096 bytes long; at most 4095 are allowed")" ]; }
tap $? "a path of 4096 bytes, prefix or not, is an error" "$TMP/err"

# 300 distinct paths of 4000 bytes: 1.2 MB of strings, over the 1 MiB
# entry limit of the STRINGS section.
long=$(printf 'q%.0s' $(seq 3990))
{ echo "policy big version 1"; echo "global {"; echo "libs /"
  for i in $(seq 100 399); do echo "exec /$long/$i"; done
  echo "}"; } >"$TMP/strings.conf"
"$CTL" check "$TMP/strings.conf" 2>"$TMP/err"
{ [ $? -eq 1 ] && [ "$(diag_lines "$TMP/err")" = "$TMP/strings.conf: error: the paths and service names take 1199180 bytes in the compiled policy, at most 1048576 allowed" ]; }
tap $? "more than 1 MiB of path and name strings is an error" "$TMP/err"

# CPOL_MAX_SCOPES: the global scope and 4095 services, not one more.
{ echo "policy many version 1"; echo "global {"; echo "exec /"; echo "libs /"; echo "}"
  for i in $(seq 1 4095); do printf 'service s%d {\n    exec /srv/%d\n}\n' "$i" "$i"; done
} >"$TMP/services.conf"
"$CTL" compile "$TMP/services.conf" -o "$TMP/4095.cpol" 2>"$TMP/err" &&
	python3 "$BLOBCHECK" "$TMP/4095.cpol" many 1 0 scopes=4096 exec=4096 >>"$TMP/err" 2>&1 &&
	{ [ -z "$MODCHECK" ] ||
	  [ "$("$MODCHECK" "$TMP/4095.cpol" scope s4095 exec /srv/4095 | tail -n 2)" = "$(printf 'scope 4095 flags 0 families 0x0\nexec s4095:12289 global:3')" ]; } >>"$TMP/err" 2>&1
tap $? "4095 services compile (4096 scopes), and the module finds the last one" "$TMP/err"
printf 'service one-too-many {\n}\n' >>"$TMP/services.conf"
"$CTL" check "$TMP/services.conf" 2>"$TMP/err"
{ [ $? -eq 1 ] && [ "$(diag_lines "$TMP/err")" = "$TMP/services.conf:12291:1: error: too many services: at most 4095 are allowed" ]; }
tap $? "a 4096th service is an error" "$TMP/err"

# --- dump of bad blobs -------------------------------------------------------
cp "$TMP/k.cpol" "$TMP/good.cpol"
# patch FILE OFFSET HEXBYTES: overwrite bytes in place.
patch() {
	printf "$(echo "$3" | sed 's/../\\x&/g')" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# secoff FILE NAME: the offset of a section of a valid blob.
secoff() {
	"$CTL" dump -j "$1" | python3 -c '
import json, sys
print([s["offset"] for s in json.load(sys.stdin)["sections"] if s["name"] == sys.argv[1]][0])' "$2"
}
# dump_rejects NAME FILE EXPECTED_ERROR_SUBSTRING
dump_rejects() {
	"$CTL" dump "$2" >"$TMP/out" 2>"$TMP/err"
	{ [ $? -eq 1 ] && grep -qF -- "$3" "$TMP/err"; }
	tap $? "dump: $1" "$TMP/err"
}
size=$(stat -c %s "$TMP/good.cpol")
head -c 100 "$TMP/good.cpol" >"$TMP/trunc.cpol"
dump_rejects "truncated blob" "$TMP/trunc.cpol" \
	"offset 8: total size $size but the blob has 100 bytes"
cp "$TMP/good.cpol" "$TMP/magic.cpol"; patch "$TMP/magic.cpol" 0 58
dump_rejects "bad magic" "$TMP/magic.cpol" "offset 0: bad magic 0x4c4f5058"
dump_rejects "policy text instead of a blob" "$POLICY/good/kiosk.conf" \
	"is policy text, not a compiled policy: compile it first"
cp "$TMP/good.cpol" "$TMP/flags.cpol"; patch "$TMP/flags.cpol" 12 08
dump_rejects "unknown header flag" "$TMP/flags.cpol" "offset 12: unknown flags 0x8"
cp "$TMP/good.cpol" "$TMP/sec.cpol"; patch "$TMP/sec.cpol" 100 f0ff
dump_rejects "section past the end" "$TMP/sec.cpol" "run past the end of the blob"
# The first net4 rule of the kiosk is the global 0.0.0.0/0 udp 123, line 18.
n4=$(secoff "$TMP/good.cpol" net4)
cp "$TMP/good.cpol" "$TMP/host.cpol"; patch "$TMP/host.cpol" $((n4 + 3)) 01
dump_rejects "host bits set in a rule" "$TMP/host.cpol" \
	"net4 rule 0 (offset $n4, line 18): address has host bits set beyond /0"
cp "$TMP/good.cpol" "$TMP/proto.cpol"; patch "$TMP/proto.cpol" $((n4 + 5)) 07
dump_rejects "unknown protocol" "$TMP/proto.cpol" "net4 rule 0 (offset $n4, line 18): unknown protocol 7"
cp "$TMP/good.cpol" "$TMP/ports.cpol"; patch "$TMP/ports.cpol" $((n4 + 8)) ffff
dump_rejects "reversed port range" "$TMP/ports.cpol" "port range 65535-123 is reversed"
cp "$TMP/good.cpol" "$TMP/scope.cpol"; patch "$TMP/scope.cpol" $((n4 + 6)) 0900
dump_rejects "a rule of a scope that does not exist" "$TMP/scope.cpol" \
	"net4 rule 0 (offset $n4, line 18): scope 9 does not exist (4 scopes)"
ex=$(secoff "$TMP/good.cpol" exec)
cp "$TMP/good.cpol" "$TMP/exscope.cpol"; patch "$TMP/exscope.cpol" $((ex + 8)) 0400
dump_rejects "an exec rule of a scope that does not exist" "$TMP/exscope.cpol" \
	"exec rule 0 (offset $ex, line 9): scope 4 does not exist (4 scopes)"
cp "$TMP/good.cpol" "$TMP/exhash.cpol"; patch "$TMP/exhash.cpol" $((ex + 16)) 01
dump_rejects "hash bytes without has_hash" "$TMP/exhash.cpol" \
	"exec rule 0 (offset $ex, line 9): hash bytes without has_hash"
cp "$TMP/good.cpol" "$TMP/expath.cpol"; patch "$TMP/expath.cpol" $((ex + 4)) 00
dump_rejects "a path of length 0" "$TMP/expath.cpol" \
	"exec rule 0 (offset $ex, line 9): path is not a valid string reference"
st=$(secoff "$TMP/good.cpol" strings)
cp "$TMP/good.cpol" "$TMP/slash.cpol"; patch "$TMP/slash.cpol" $((st + 3)) 2f
pr=$(secoff "$TMP/good.cpol" protect)
dump_rejects "a path that is not canonical" "$TMP/slash.cpol" \
	"protect rule 0 (offset $pr, line 0): path contains //"
sc=$(secoff "$TMP/good.cpol" scopes)
cp "$TMP/good.cpol" "$TMP/id.cpol"; patch "$TMP/id.cpol" $((sc + 32)) 00
dump_rejects "a service id that is not the FNV-1a of its name" "$TMP/id.cpol" \
	"scope 1 (browser): id 0x"
cp "$TMP/good.cpol" "$TMP/global.cpol"; patch "$TMP/global.cpol" $((sc + 16)) 01
dump_rejects "scope 0 that is not the global scope" "$TMP/global.cpol" \
	"scope 0 (offset $sc): must be the global scope (id 0, name global, no flags but netconf)"
"$CTL" dump "$TMP/host.cpol" >"$TMP/out" 2>/dev/null
{ grep -q '^policy kiosk version 3$' "$TMP/out" &&
  [ "$(grep -c '^    connect' "$TMP/out")" -eq 10 ] &&
  [ "$(grep -c '^service ' "$TMP/out")" -eq 3 ]; }
tap $? "dump of a bad blob still prints what it can decode" "$TMP/out"

# Swap the first two net4 rules: valid for the module, but not canonical.
cp "$TMP/good.cpol" "$TMP/order.cpol"
dd if="$TMP/good.cpol" of="$TMP/order.cpol" bs=1 skip=$((n4 + 16)) seek=$n4 count=16 conv=notrunc status=none
dd if="$TMP/good.cpol" of="$TMP/order.cpol" bs=1 skip=$n4 seek=$((n4 + 16)) count=16 conv=notrunc status=none
"$CTL" dump "$TMP/order.cpol" >/dev/null 2>"$TMP/err"
{ [ $? -eq 0 ] && [ "$(cat "$TMP/err")" = "Warning: $TMP/order.cpol: net4 rule 1 (offset $((n4 + 16)), line 18) is out of order (not canonical)" ]; }
tap $? "dump: rules out of order are valid but not canonical: a warning, exit 0" "$TMP/err"

# Swap the first two section table entries: valid, but not canonical.
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
assert len(r["connect"]) == 10 and r["name"] == "kiosk", r
assert len(r["exec"]) == 7 and len(r["scopes"]) == 4, r
EOF
tap $? "dump --json of a bad blob: valid false, the errors listed" "$TMP/diff"

"$CTL" dump --json "$TMP/k.cpol" >"$TMP/out" 2>/dev/null
python3 - "$TMP/out" "$(sha256sum "$TMP/k.cpol" | cut -d' ' -f1)" "$size" >"$TMP/diff" 2>&1 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["valid"] and r["digest"] == sys.argv[2] and r["version"] == 3, r
assert r["mode"] == "enforce" and r["size"] == int(sys.argv[3]) and not r["fileless"], r
assert [s["name"] for s in r["sections"]] == ["net4", "net6", "strings", "scopes",
                                              "exec", "libs", "listen4", "listen6",
                                              "protect"], r
first = r["connect"][0]
assert (first["scope"], first["proto"], first["addr"], first["prefix"], first["port_lo"],
        first["port_hi"], first["line"]) == ("global", "udp", "0.0.0.0", 0, 123, 123, 18), first
assert r["connect"][-1]["addr"] == "2001:db8:10::" and r["connect"][-1]["scope"] == "browser", r
assert [s["name"] for s in r["scopes"]] == ["global", "browser", "httpd", "telemetry"], r
assert r["scopes"][3]["audit"] and r["scopes"][3]["families"] == ["packet"], r
assert r["exec"][0] == {"scope": "global", "scope_index": 0, "path": "/bin/busybox",
                        "prefix": False, "sha256": None, "line": 9}, r["exec"][0]
assert r["errors"] == [] and r["warnings"] == [], r
EOF
tap $? "dump --json: header, sections, scopes and rules" "$TMP/diff"

# Crafted valid blobs that the language cannot express: dump warns.
cp "$TMP/good.cpol" "$TMP/fam.cpol"; patch "$TMP/fam.cpol" $((sc + 24)) 00
"$CTL" dump "$TMP/fam.cpol" >/dev/null 2>"$TMP/err"
{ [ $? -eq 0 ] && grep -qF "scope 0 (global): the default socket families (unix inet inet6 netlink) are not all allowed; the policy language cannot express this" "$TMP/err"; }
tap $? "dump: a global scope without the default families is valid, with a warning" "$TMP/err"

# --- semantics, through the module's own parser and matcher ------------------
if [ -n "$MODCHECK" ]; then
	G="connect global"
	"$MODCHECK" "$TMP/v4mapped.cpol" \
		$G tcp 192.0.2.10 443 $G tcp ::ffff:192.0.2.10 443 $G tcp 192.0.2.10 444 \
		$G tcp 198.51.100.77 80 $G udp 203.0.113.99 53 $G udp ::ffff:8.8.8.8 53 \
		$G tcp 2001:db8::ffff:c000:201 443 $G tcp 192.0.2.1 443 >"$TMP/out" 2>&1
	printf '%s\n' "accepted net4 5 net6 1 listen4 0 listen6 0 exec 1 libs 1 scopes 1" \
		"allow 7" "allow 7" deny "allow 8" "allow 9" "allow 9" "allow 12" deny >"$TMP/want"
	check_eq "module matcher: v4-mapped rules match IPv4 and mapped destinations" \
		"$TMP/want" "$TMP/out"

	"$MODCHECK" "$TMP/any-ports.cpol" \
		$G tcp 203.0.113.1 80 $G tcp 2001:db8:ffff::1 443 $G tcp 203.0.113.1 8080 \
		$G udp 192.0.2.2 0 $G udp 192.0.2.2 65535 $G udp 192.0.2.2 1500 \
		$G udp 192.0.2.2 2001 $G tcp 192.0.2.1 31337 $G tcp 2001:db8::1 1025 \
		>"$TMP/out" 2>&1
	printf '%s\n' "accepted net4 9 net6 5 listen4 0 listen6 0 exec 1 libs 1 scopes 1" \
		"allow 6" "allow 6" deny "allow 9" "allow 9" "allow 9" deny "allow 8" deny >"$TMP/want"
	check_eq "module matcher: any, port lists, edges 0 and 65535, no port clause" \
		"$TMP/want" "$TMP/out"

	"$MODCHECK" "$TMP/ipv6.cpol" $G tcp ::ffff:127.0.0.1 443 $G udp 2001:db8::5 53 \
		$G tcp fe80::1234 1 $G tcp fec0::1 1 >"$TMP/out" 2>&1
	printf '%s\n' "accepted net4 0 net6 9 listen4 0 listen6 0 exec 1 libs 1 scopes 1" \
		deny "allow 9" "allow 11" deny >"$TMP/want"
	check_eq "module matcher: ::/0 does not cover mapped IPv4; /10 edges" \
		"$TMP/want" "$TMP/out"

	# Services: each rule in its own scope; entries, helpers, prefixes.
	"$MODCHECK" "$TMP/services.cpol" \
		scope httpd scope zeta scope db.primary_1-a scope global scope nosuch \
		exec /usr/sbin/httpd exec /usr/lib/httpd/cgi/a/b.cgi exec /usr/lib/httpd/helper \
		exec /opt/zeta/bin/zeta exec /usr/bin/envy \
		libs /lib/x86_64-linux-gnu/libc.so.6 libs /opt/vendor/libfoo.so.1 \
		libs /opt/vendor/libfoo.so.2 libs /lib/libc.so.6 \
		listen httpd tcp 0.0.0.0 443 listen httpd tcp :: 80 listen httpd tcp 10.1.2.3 8089 \
		listen httpd tcp 10.1.2.3 8090 listen httpd udp 192.0.2.1 0 \
		listen httpd udp ::ffff:192.0.2.1 0 listen httpd tcp 2001:db8:1::1 8443 \
		listen global tcp 0.0.0.0 443 listen global tcp 127.0.0.1 22 \
		listen global tcp 127.0.0.2 22 listen global udp ff02::fb 5353 \
		listen db.primary_1-a tcp ::1 5432 \
		connect httpd tcp 127.0.0.2 9000 connect global tcp 127.0.0.2 9000 \
		connect httpd tcp 2001:db8::5 1 >"$TMP/out" 2>&1
	printf '%s\n' "accepted net4 2 net6 1 listen4 6 listen6 5 exec 9 libs 3 scopes 5" \
		"scope 2 flags 1 families 0x8000000000000000" "scope 1 flags 0 families 0x0" \
		"scope 3 flags 0 families 0x10000000000" \
		"scope 0 flags 0 families 0x8000000000030406" "scope none" \
		"exec global:13 httpd:24" "exec httpd:25" "exec httpd:27:sha256 httpd:26:sha256" \
		"exec zeta:7" "exec none" \
		"libs yes" "libs yes" "libs no" "libs no" \
		"allow 28" "allow 28" "allow 29" deny "allow 30" "allow 30" "allow 31" \
		deny "allow 16" deny "allow 17" "allow 39" \
		"allow 32" deny "allow 33" >"$TMP/want"
	check_eq "module: services' scopes, flags and families; exec candidates; libs; listen per scope" \
		"$TMP/want" "$TMP/out"
else
	for t in "v4-mapped rules" "any and port lists" "::/0 and /10" "services"; do
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
	{ echo "policy big version 1"; echo "global {"; echo "exec /"; echo "libs /"
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

truncate -s $((16 * 1024 * 1024 + 64 * 1024 + 32 + 1)) "$TMP/huge.cpol"
patch "$TMP/huge.cpol" 0 43504f4c
"$CTL" load "$TMP/huge.cpol" >"$TMP/out" 2>&1
{ [ $? -eq 1 ] && [ ! -s "$FS/policy" ] &&
  grep -q "^Error: $TMP/huge.cpol is too large: 16842785 bytes, a policy blob is at most 16777216 (and a signature 65536 more)" "$TMP/out"; }
tap $? "load refuses a file over CPOL_MAX_BLOB + a signature before writing" "$TMP/out"

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

# --- seal, against the fake securityfs -----------------------------------------
printf 'abi 1\nstate none\nkeys 1\nsealed no\n' >"$FS/status"
"$CTL" seal >"$TMP/out" 2>&1
{ [ $? -eq 1 ] && [ ! -e "$FS/seal" ] &&
  [ "$(cat "$TMP/out")" = "Error: no policy is loaded: load the device's policy before sealing" ]; }
tap $? "seal without a policy: refused before anything is written" "$TMP/out"

printf 'abi 1\nstate loaded\nmode enforce\nname k\nversion 1\nkeys 0\nsealed no\n' >"$FS/status"
"$CTL" seal >"$TMP/out" 2>&1
{ [ $? -eq 1 ] && [ ! -e "$FS/seal" ] && grep -q '^Error: no key is enrolled: .*--without-keys' "$TMP/out"; }
tap $? "seal without an enrolled key: refused unless --without-keys" "$TMP/out"
if [ ! -e /sys/fs/bpf/citadel ]; then
	"$CTL" seal --without-keys >"$TMP/out" 2>&1
	{ [ $? -eq 1 ] && [ ! -e "$FS/seal" ] &&
	  grep -q "^Error: cannot open /sys/fs/bpf/citadel: .*: run 'citadelctl start' first" "$TMP/out"; }
	tap $? "seal --without-keys goes on to the pins, and says when there are none" "$TMP/out"
else
	skip "seal without pins" "/sys/fs/bpf/citadel exists on this host"
fi
"$CTL" seal --bogus >"$TMP/out" 2>&1
[ $? -eq 2 ]
tap $? "seal with an unknown option is a usage error" "$TMP/out"

printf 'abi 1\nstate loaded\nmode enforce\nname k\nversion 4\ndigest 00\nsignature signed\npolicy_requires_signature no\nkeys 1\nsealed yes\nsealed_links 20\nseal_refusals 3\n' >"$FS/status"
printf '8e3d755bd769fcf2 CN=city-ops-policy: 5ac1de19\n' >"$FS/keys"
"$CTL" seal >"$TMP/out" 2>&1
{ [ $? -eq 0 ] && [ "$(cat "$TMP/out")" = "citadel is already sealed until reboot" ] && [ ! -e "$FS/seal" ]; }
tap $? "seal when sealed: says so, exits 0, writes nothing" "$TMP/out"
"$CTL" status >"$TMP/out" 2>&1
{ [ $? -eq 0 ] &&
  grep -q '^signature: *signed$' "$TMP/out" &&
  grep -q '^sealed: *yes, until reboot: 20 hooks held by the module, 3 tamper attempts refused$' "$TMP/out" &&
  grep -q '^keys: *1 enrolled$' "$TMP/out" &&
  grep -q '^ *8e3d755bd769fcf2 CN=city-ops-policy: 5ac1de19$' "$TMP/out"; }
tap $? "status: signature, sealed, enrolled keys" "$TMP/out"
rm -f "$FS/keys"

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

# --- signing -----------------------------------------------------------------
if command -v openssl >/dev/null 2>&1; then
	S=$TMP/sign
	mkdir -p "$S"
	for k in 1 2; do
		openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=citadel-test-$k" \
			-days 2 -keyout "$S/k$k.pem" -out "$S/c$k.pem" >/dev/null 2>&1
	done
	openssl x509 -in "$S/c1.pem" -outform DER -out "$S/c1.der"
	"$CTL" compile "$POLICY/good/kiosk.conf" -o "$S/p.cpol" 2>/dev/null
	cp "$S/p.cpol" "$S/p.orig"

	"$CTL" sign --key "$S/k1.pem" --cert "$S/c1.pem" "$S/p.cpol" -o "$S/s.cpol" >"$TMP/out" 2>&1
	{ [ $? -eq 0 ] && [ ! -s "$TMP/out" ] && cmp "$S/p.cpol" "$S/p.orig"; } >>"$TMP/out" 2>&1
	tap $? "sign: exit 0, silent, input unchanged" "$TMP/out"

	python3 - "$S/p.cpol" "$S/s.cpol" "$S/sig.der" >"$TMP/out" 2>&1 <<'PY'
import struct, sys
blob = open(sys.argv[1], "rb").read()
s = open(sys.argv[2], "rb").read()
assert s[:len(blob)] == blob, "blob prefix differs"
sig_len, magic = struct.unpack("<I28s", s[-32:])
assert magic == b"~Citadel policy signature~\n\0", magic
assert len(blob) + sig_len + 32 == len(s), (len(blob), sig_len, len(s))
assert 0 < sig_len <= 64 << 10
sig = s[len(blob):len(blob) + sig_len]
assert sig[0] == 0x30, "not DER"
open(sys.argv[3], "wb").write(sig)
PY
	tap $? "sign: blob, then sig_len bytes of DER, then the 32-byte trailer" "$TMP/out"

	openssl asn1parse -inform DER -in "$S/sig.der" >"$TMP/asn1" 2>&1
	{ grep -q ':pkcs7-signedData' "$TMP/asn1" && grep -q ':sha256$' "$TMP/asn1" &&
	  ! grep -q -e ':pkcs9\|contentType\|messageDigest\|signingTime' "$TMP/asn1" &&
	  [ "$(grep -c 'commonName' "$TMP/asn1")" -eq 1 ]; } >"$TMP/out" 2>&1
	tap $? "sign: PKCS#7 signedData, SHA-256, no signed attributes, no certificate" "$TMP/asn1"

	openssl smime -verify -binary -inform DER -noverify -content "$S/p.cpol" \
		-in "$S/sig.der" -certfile "$S/c1.pem" -out /dev/null >"$TMP/out" 2>&1
	tap $? "openssl smime -verify agrees with the signature" "$TMP/out"

	"$CTL" verify --cert "$S/c1.pem" "$S/s.cpol" >"$TMP/out" 2>&1 &&
		"$CTL" verify --cert "$S/c1.der" "$S/s.cpol" >>"$TMP/out" 2>&1
	{ [ $? -eq 0 ] && grep -q 'signature OK (issuer /CN=citadel-test-1, serial ' "$TMP/out"; }
	tap $? "verify: OK with the signer's certificate, PEM or DER" "$TMP/out"

	"$CTL" verify --cert "$S/c2.pem" "$S/s.cpol" >"$TMP/out" 2>&1
	{ [ $? -eq 1 ] && grep -q "^Error: .*signature does not verify with .*c2.pem: " "$TMP/out"; }
	tap $? "verify: fails with another certificate" "$TMP/out"

	cp "$S/s.cpol" "$S/t.cpol"
	b=$(od -An -tu1 -j 200 -N1 "$S/t.cpol" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$S/t.cpol" bs=1 seek=200 conv=notrunc 2>/dev/null
	"$CTL" verify --cert "$S/c1.pem" "$S/t.cpol" >"$TMP/out" 2>&1
	{ [ $? -eq 1 ] && grep -q "^Error: .*signature does not verify" "$TMP/out"; }
	tap $? "verify: fails when one byte of the blob is flipped" "$TMP/out"

	"$CTL" verify --cert "$S/c1.pem" "$S/p.cpol" >"$TMP/out" 2>&1
	{ [ $? -eq 1 ] && grep -q "^Error: .*p.cpol is not signed$" "$TMP/out"; }
	tap $? "verify: an unsigned blob is an error" "$TMP/out"

	"$CTL" dump "$S/s.cpol" >"$TMP/dump" 2>"$TMP/err"
	rc=$?
	"$CTL" dump "$S/p.cpol" >"$TMP/dump.p" 2>/dev/null
	{ [ $rc -eq 0 ] && [ ! -s "$TMP/err" ] &&
	  grep -q "^# signed: $(stat -c %s "$S/sig.der") bytes of PKCS#7, issuer /CN=citadel-test-1, serial [0-9A-F]* (not verified)$" "$TMP/dump" &&
	  diff -u "$TMP/dump.p" <(grep -v '^# signed: ' "$TMP/dump"); } >>"$TMP/err" 2>&1
	tap $? "dump of a signed blob: the policy's dump, plus the signature's size and signer" "$TMP/err"

	"$CTL" dump -j "$S/s.cpol" >"$TMP/out" 2>&1
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
s = r["signature"]
assert r["valid"] and s["size"] == int(sys.argv[2]) and s["parsed"] and not s["verified"], r
assert "/CN=citadel-test-1" in s["signer"], s
assert r["size"] == int(sys.argv[3]), r["size"]' "$TMP/out" "$(stat -c %s "$S/sig.der")" "$(stat -c %s "$S/p.cpol")" >>"$TMP/out" 2>&1
	tap $? "dump -j of a signed blob: signature size and signer, not verified" "$TMP/out"

	"$CTL" dump -j "$S/p.cpol" | python3 -c 'import json,sys; assert json.load(sys.stdin)["signature"] is None' >"$TMP/out" 2>&1
	tap $? "dump -j of an unsigned blob: signature null" "$TMP/out"

	cp "$S/s.cpol" "$S/bad-trailer.cpol"
	size=$(stat -c %s "$S/bad-trailer.cpol")
	patch "$S/bad-trailer.cpol" $((size - 32)) ffff0000
	"$CTL" dump "$S/bad-trailer.cpol" >"$TMP/out" 2>&1
	{ [ $? -eq 1 ] && grep -q "^Error: .*signature trailer with a length out of range" "$TMP/out"; }
	tap $? "dump: a trailer whose length is out of range is an error" "$TMP/out"

	rm -f "$S/ss.cpol"
	"$CTL" sign --key "$S/k1.pem" --cert "$S/c1.pem" "$S/s.cpol" -o "$S/ss.cpol" >"$TMP/out" 2>&1
	{ [ $? -eq 1 ] && [ ! -e "$S/ss.cpol" ] && grep -q "^Error: .*s.cpol is already signed" "$TMP/out"; }
	tap $? "sign refuses an already signed blob" "$TMP/out"

	"$CTL" sign --key "$S/k1.pem" --cert "$S/c1.pem" "$POLICY/good/kiosk.conf" -o "$S/ss.cpol" >"$TMP/out" 2>&1
	rc=$?
	head -c 200 "$S/p.cpol" >"$S/short.cpol"
	"$CTL" sign --key "$S/k1.pem" --cert "$S/c1.pem" "$S/short.cpol" -o "$S/ss.cpol" >>"$TMP/out" 2>&1
	{ [ $? -eq 1 ] && [ $rc -eq 1 ] && [ ! -e "$S/ss.cpol" ] &&
	  [ "$(grep -c '^Error: .* is not a valid compiled policy: ' "$TMP/out")" -eq 2 ]; }
	tap $? "sign refuses policy text and a truncated blob" "$TMP/out"

	"$CTL" sign --key "$S/k2.pem" --cert "$S/c1.pem" "$S/p.cpol" -o "$S/ss.cpol" >"$TMP/out" 2>&1
	{ [ $? -eq 1 ] && [ ! -e "$S/ss.cpol" ] && grep -q "^Error: the key .*k2.pem does not belong to the certificate .*c1.pem: " "$TMP/out"; }
	tap $? "sign refuses a key that does not match the certificate, with OpenSSL's reason" "$TMP/out"

	"$CTL" sign --key "$S/c1.pem" --cert "$S/k1.pem" "$S/p.cpol" -o "$S/ss.cpol" >"$TMP/out" 2>&1
	{ [ $? -eq 1 ] && [ ! -e "$S/ss.cpol" ] && grep -q "^Error: .*c1.pem is not a private key" "$TMP/out"; }
	tap $? "sign: a certificate given as the key is an error" "$TMP/out"

	echo "previous" >"$S/keep.cpol"
	"$CTL" sign --key "$S/k1.pem" --cert "$S/c1.pem" "$S/p.cpol" -o "$S/keep.cpol" >/dev/null 2>&1 &&
		"$CTL" sign --key "$S/k1.pem" --cert "$S/c1.pem" "$S/p.cpol" -o "$S/nodir/x.cpol" >"$TMP/out" 2>&1
	{ [ $? -eq 1 ] && "$CTL" verify --cert "$S/c1.pem" "$S/keep.cpol" >/dev/null &&
	  [ -z "$(ls "$S" | grep '\.tmp')" ] && grep -q '^Error: cannot write ' "$TMP/out"; } >>"$TMP/out" 2>&1
	tap $? "sign replaces its output atomically, leaves no temporary file" "$TMP/out"

	"$CTL" sign --cert "$S/c1.pem" "$S/p.cpol" -o "$S/ss.cpol" >/dev/null 2>&1
	[ $? -eq 2 ]
	tap $? "sign without --key: usage error"

	# A signed blob loads as it is: the kernel splits the signature off.
	FS=$TMP/securityfs-sign
	mkdir -p "$FS"
	: >"$FS/policy"; : >"$FS/last_error"; : >"$FS/keys"
	export CITADEL_SECURITYFS=$FS
	"$CTL" load "$S/s.cpol" >"$TMP/out" 2>&1
	{ [ $? -eq 0 ] && cmp "$S/s.cpol" "$FS/policy"; } >>"$TMP/out" 2>&1
	tap $? "load writes a signed blob whole" "$TMP/out"

	"$CTL" enroll "$S/c1.pem" >"$TMP/out" 2>&1
	rc=$?
	fp=$(sha256sum "$S/c1.der" | cut -d' ' -f1)
	{ [ $rc -eq 0 ] && cmp "$S/c1.der" "$FS/keys" && grep -q "^enrolled .*c1.pem (sha256 $fp)$" "$TMP/out"; } >>"$TMP/out" 2>&1
	tap $? "enroll of a PEM certificate writes its DER to ROOT/keys" "$TMP/out"
	: >"$FS/keys"
	"$CTL" enroll "$S/c1.der" >"$TMP/out" 2>&1
	{ [ $? -eq 0 ] && cmp "$S/c1.der" "$FS/keys"; } >>"$TMP/out" 2>&1
	tap $? "enroll of a DER certificate writes the same bytes" "$TMP/out"
	if command -v strace >/dev/null 2>&1; then
		strace -e trace=write -o "$TMP/strace" "$CTL" enroll "$S/c1.pem" >/dev/null 2>&1
		size=$(stat -c %s "$S/c1.der")
		{ [ "$(grep -c "^write(3, " "$TMP/strace")" -eq 1 ] &&
		  grep -q "^write(3, .*, $size) = $size" "$TMP/strace"; } >"$TMP/diff" 2>&1
		tap $? "enroll is one write() of the DER bytes" "$TMP/strace"
	else
		skip "enroll is one write()" "strace is not installed"
	fi
	"$CTL" enroll "$S/k1.pem" >"$TMP/out" 2>&1
	{ [ $? -eq 1 ] && grep -q "^Error: .*k1.pem is not an X.509 certificate" "$TMP/out"; }
	tap $? "enroll of something that is not a certificate: an error, nothing written" "$TMP/out"

	ln -sf /dev/full "$FS/keys"
	echo "not an X.509 certificate the kernel accepts (error -74)" >"$FS/last_error"
	"$CTL" enroll "$S/c1.pem" >"$TMP/out" 2>&1
	{ [ $? -eq 1 ] && [ "$(cat "$TMP/out")" = "Error: cannot enrol $S/c1.pem: not an X.509 certificate the kernel accepts (error -74)" ]; }
	tap $? "a refused enroll prints the module's last_error" "$TMP/out"
	rm -f "$FS/keys"

	printf '%s citadel-test-1: 0123abcd\n%s other: 4567\n' "$fp" "$(printf %064d 0)" >"$FS/keys"
	"$CTL" keys >"$TMP/out" 2>&1 && "$CTL" keys -j >"$TMP/json" 2>>"$TMP/out"
	{ [ $? -eq 0 ] && cmp "$FS/keys" "$TMP/out" &&
	  python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r == [{"fingerprint": sys.argv[2], "description": "citadel-test-1: 0123abcd"},
             {"fingerprint": "0" * 64, "description": "other: 4567"}], r' "$TMP/json" "$fp"; } >>"$TMP/out" 2>&1
	tap $? "keys prints ROOT/keys, -j as a JSON array" "$TMP/out"
	: >"$FS/keys"
	"$CTL" keys -j >"$TMP/out" 2>&1
	{ [ $? -eq 0 ] && [ "$(cat "$TMP/out")" = "[]" ]; }
	tap $? "keys -j with no key: []" "$TMP/out"
	export CITADEL_SECURITYFS=$TMP/absent
	"$CTL" keys >"$TMP/out" 2>&1
	{ [ $? -eq 1 ] && grep -q "^Error: citadel is not running" "$TMP/out"; }
	tap $? "keys without the module: 'citadel is not running'" "$TMP/out"
	unset CITADEL_SECURITYFS
else
	skip "signing" "openssl is not installed"
fi

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
		good/services.conf good/exec.conf good/listen.conf \
		bad/bad-ports.conf bad/bad-unclosed.conf bad/bad-keywords.conf \
		bad/bad-services.conf bad/bad-paths.conf bad/bad-hash.conf \
		bad/bad-placement.conf bad/bad-families.conf) \
		>/dev/null 2>"$TMP/err"
	[ $? -eq 1 ] && ! grep -q '==[0-9]*==' "$TMP/err"
	tap $? "valgrind: check, good and bad files, no leak or error" "$TMP/err"
	vg compile "$POLICY/good/duplicates.conf" -o "$TMP/vg.cpol" >/dev/null 2>"$TMP/err" &&
		vg compile "$POLICY/good/services.conf" -o "$TMP/vg.cpol" >/dev/null 2>>"$TMP/err" &&
		vg dump -j "$TMP/vg.cpol" >/dev/null 2>>"$TMP/err" &&
		vg dump "$TMP/vg.cpol" >/dev/null 2>>"$TMP/err"
	[ $? -eq 0 ] && ! grep -q '==[0-9]*==' "$TMP/err"
	tap $? "valgrind: compile and dump, no leak or error" "$TMP/err"
	vg compile "$POLICY/bad/bad-policy-line.conf" -o "$TMP/vg2.cpol" >/dev/null 2>"$TMP/err"
	[ $? -eq 1 ] && ! grep -q '==[0-9]*==' "$TMP/err"
	tap $? "valgrind: compile with errors, no leak or error" "$TMP/err"
	vg dump "$TMP/host.cpol" >/dev/null 2>"$TMP/err"
	rc=$?
	vg dump "$TMP/expath.cpol" >/dev/null 2>>"$TMP/err"
	[ $? -eq 1 ] && [ $rc -eq 1 ] && ! grep -q '==[0-9]*==' "$TMP/err"
	tap $? "valgrind: dump of a bad blob, no leak or error" "$TMP/err"
else
	skip "valgrind: check, compile and dump" "valgrind is not installed"
fi

echo "1..$n"
[ $failed -eq 0 ]
