#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Static checks, as TAP: checkpatch.pl (from Debian's linux-source-6.1)
# on every module source file, a -Wall -Wextra -Werror build of the
# userspace code and the BPF program, and the man pages (groff and man
# warnings; every citadelctl command documented).
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

# The man pages: no groff warning, no man warning (what lintian runs), and
# a NAME section that lexgrog (mandb, whatis) can parse.
for f in docs/man/citadelctl.8 docs/man/citadel-policy.5; do
	out=$( {
		command -v groff >/dev/null && command -v man >/dev/null &&
			command -v lexgrog >/dev/null ||
			echo "groff, man or lexgrog missing: apt-get install groff-base man-db"
		groff -man -Tutf8 -ww -z "$f" || echo "groff failed on $f"
		MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z \
			"$f" >/dev/null || echo "man failed on $f"
		lexgrog "$f" >/dev/null || echo "lexgrog cannot parse the NAME section of $f"
	} 2>&1)
	[ -z "$out" ]
	rc=$?
	[ "$rc" -ne 0 ] && echo "$out" | sed 's/^/# /'
	tap $rc "man page $f renders without warnings"
done

# citadelctl.8 has a .SS subsection for every command that
# 'citadelctl --help' lists (its "name  description" lines after
# "OPTIONS :="). The citadelctl just built, else build/citadelctl.
ctl=$tmp/citadelctl
[ -x "$ctl" ] || ctl=$ROOT/build/citadelctl
cmds=$("$ctl" --help 2>/dev/null | sed -n '/OPTIONS :=/,$p' |
	sed -nE 's/^       ([a-z]+) +[^ ].*/\1/p')
missing=
for c in $cmds; do
	grep -Eq "^\.SS \"?$c\"?( |$)" docs/man/citadelctl.8 ||
		missing="$missing $c"
done
[ -n "$cmds" ] && [ -z "$missing" ]
rc=$?
if [ "$rc" -ne 0 ]; then
	if [ -z "$cmds" ]; then
		echo "# no command list from '$ctl --help'"
	else
		echo "# commands of '$ctl --help' with no .SS in docs/man/citadelctl.8:$missing"
	fi
fi
tap $rc "docs/man/citadelctl.8 documents every command of citadelctl --help"

# citadel-policy(5)'s EXAMPLE is examples/kiosk.conf, line for line.
example=$(sed -n '/^\.SH EXAMPLE/,/^\.EE/p' docs/man/citadel-policy.5 |
	sed -n '/^\.EX/,/^\.EE/p' | sed '1d;$d' |
	sed -e 's/\\(aq/'"'"'/g' -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/^\\&//')
[ "$example" = "$(cat examples/kiosk.conf)" ]
tap $? "citadel-policy.5's EXAMPLE is examples/kiosk.conf"

echo "1..$n"
exit $failed
