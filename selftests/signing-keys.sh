#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side preparation for selftests/signing_test (the VM has no openssl):
#   selftests/signing-keys.sh OUTDIR
# With openssl and $BUILD/citadelctl (BUILD defaults to build/), writes to
# OUTDIR/signing/: two throw-away certificates (c1.der, c2.der, and
# c1.sha256, the fingerprint the kernel lists) and these policies:
#   p-unsigned.cpol   unsigned
#   p-signed1.cpol    signed by key 1
#   p-signed2.cpol    signed by key 2 (never enrolled)
#   p-tampered.cpol   signed by key 1, then one byte of the blob flipped
#   p-require.cpol    signed by key 1, says 'require signature'
#   p-after.cpol      signed by key 1, other rules
# Each allows exec / and connect to udp 127.0.0.1 port 6201 (p-after:
# 6202), and has its own name, which status shows. For seal_test, all
# of one role (policy name seal-kiosk), each with its version in the
# file name:
#   s-v1.cpol         signed by key 1, version 1, port 6201
#   s-v2.cpol         signed by key 1, version 2, port 6201
#   s-v3.cpol         signed by key 1, version 3, port 6202
#   s-audit.cpol      signed by key 1, version 9, mode audit
#   s-svc-audit.cpol  signed by key 1, version 9, one service in audit
#   s-unsigned.cpol   unsigned, version 9
#   s-unknown.cpol    signed by key 2, version 9
#   s-tampered.cpol   signed by key 1, version 9, then one byte flipped
#   s-v11.cpol        signed by key 1, version 11, port 6202 (a sealed trial)
#   s-svc.cpol        signed by key 1, version 10, port 6202, and service
#                     web (entry /tmp/seal-web) may reach port 6203,
#                     and service netadmin (entry /tmp/seal-net/ip) may
#                     change routes once sealed (netconf route)
#   s-other-role.cpol signed by key 1, version 50, but of another role
#                     (policy name seal-camera)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
CTL=$BUILD/citadelctl
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ -x "$CTL" ] || { echo "signing-keys: $CTL missing: run make" >&2; exit 1; }
command -v openssl >/dev/null || { echo "signing-keys: openssl is not installed" >&2; exit 1; }

out=$1/signing
rm -rf "$out"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for k in 1 2; do
	openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=citadel-selftest-$k" \
		-days 30 -keyout "$tmp/k$k.pem" -out "$tmp/c$k.pem" 2>/dev/null
	openssl x509 -in "$tmp/c$k.pem" -outform DER -out "$out/c$k.der"
done
sha256sum "$out/c1.der" | cut -d' ' -f1 >"$out/c1.sha256"

# What seal_test's protected-path tests attack once sealed.
protect="protect /tmp/pt/dir/ /tmp/pt/file /tmp/pt/absent"
# policy NAME PORT [EXTRA_TOP_LINE [VERSION [MODE [ROLE]]]]: compiles to
# $tmp/NAME.cpol; the policy's name is ROLE, by default NAME
policy() {
	printf 'policy %s version %s\nmode %s\n%s\nglobal {\n    exec /\n    libs /\n    connect udp 127.0.0.1 port %s\n    %s\n}\n' \
		"${6:-$1}" "${4:-1}" "${5:-enforce}" "${3:-}" "$2" "$protect" \
		>"$tmp/$1.conf"
	"$CTL" compile "$tmp/$1.conf" -o "$tmp/$1.cpol" 2>/dev/null
}
# flip FILE: flips the low bit of the first byte of the policy name
# (offset 32 of the header): the blob stays well-formed, only the
# signature no longer fits.
flip() {
	local b
	b=$(od -An -tu1 -j 32 -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059 # the format is the byte
	printf "$(printf '\\%03o' $((b ^ 1)))" |
		dd of="$1" bs=1 seek=32 conv=notrunc 2>/dev/null
}
sign() {	# sign KEY IN OUT
	"$CTL" sign --key "$tmp/k$1.pem" --cert "$tmp/c$1.pem" "$2" -o "$3"
}

for p in unsigned signed1 signed2 tampered; do
	policy "$p" 6201
done
policy after 6202
policy require 6201 "require signature"

cp "$tmp/unsigned.cpol" "$out/p-unsigned.cpol"
sign 1 "$tmp/signed1.cpol" "$out/p-signed1.cpol"
sign 2 "$tmp/signed2.cpol" "$out/p-signed2.cpol"
sign 1 "$tmp/require.cpol" "$out/p-require.cpol"
sign 1 "$tmp/after.cpol" "$out/p-after.cpol"
sign 1 "$tmp/tampered.cpol" "$out/p-tampered.cpol"
flip "$out/p-tampered.cpol"
"$CTL" verify --cert "$tmp/c1.pem" "$out/p-tampered.cpol" >/dev/null 2>&1 &&
	{ echo "signing-keys: p-tampered.cpol still verifies" >&2; exit 1; }
"$CTL" verify --cert "$tmp/c1.pem" "$out/p-signed1.cpol" >/dev/null
"$CTL" verify --cert "$tmp/c2.pem" "$out/p-signed2.cpol" >/dev/null

role=seal-kiosk
policy s-v1 6201 "" 1 enforce $role
policy s-v2 6201 "" 2 enforce $role
policy s-v3 6202 "" 3 enforce $role
policy s-audit 6201 "" 9 audit $role
policy s-unsigned 6201 "" 9 enforce $role
policy s-unknown 6201 "" 9 enforce $role
policy s-tampered 6201 "" 9 enforce $role
policy s-other-role 6201 "" 50 enforce seal-camera
policy s-v11 6202 "" 11 enforce $role
printf 'policy seal-kiosk version 9\nglobal {\n    exec /\n    libs /\n}\nservice probe {\n    audit\n    exec /nonexistent/probe\n}\n' \
	>"$tmp/s-svc-audit.conf"
"$CTL" compile "$tmp/s-svc-audit.conf" -o "$tmp/s-svc-audit.cpol" 2>/dev/null
sign 1 "$tmp/s-svc-audit.cpol" "$out/s-svc-audit.cpol"
printf 'policy seal-kiosk version 10\nglobal {\n    exec /\n    libs /\n    connect udp 127.0.0.1 port 6202\n    %s\n}\nservice web {\n    exec /tmp/seal-web\n    connect udp 127.0.0.1 port 6203\n}\nservice netadmin {\n    exec /tmp/seal-net/ip\n    netconf route\n}\n' "$protect" \
	>"$tmp/s-svc.conf"
"$CTL" compile "$tmp/s-svc.conf" -o "$tmp/s-svc.cpol" 2>/dev/null
sign 1 "$tmp/s-svc.cpol" "$out/s-svc.cpol"
sign 1 "$tmp/s-v1.cpol" "$out/s-v1.cpol"
sign 1 "$tmp/s-v2.cpol" "$out/s-v2.cpol"
sign 1 "$tmp/s-other-role.cpol" "$out/s-other-role.cpol"
sign 1 "$tmp/s-v3.cpol" "$out/s-v3.cpol"
sign 1 "$tmp/s-v11.cpol" "$out/s-v11.cpol"
sign 1 "$tmp/s-audit.cpol" "$out/s-audit.cpol"
cp "$tmp/s-unsigned.cpol" "$out/s-unsigned.cpol"
sign 2 "$tmp/s-unknown.cpol" "$out/s-unknown.cpol"
sign 1 "$tmp/s-tampered.cpol" "$out/s-tampered.cpol"
flip "$out/s-tampered.cpol"
"$CTL" verify --cert "$tmp/c1.pem" "$out/s-tampered.cpol" >/dev/null 2>&1 &&
	{ echo "signing-keys: s-tampered.cpol still verifies" >&2; exit 1; }
echo "$out"
