#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Proves dkms.conf works with Debian's dkms: `dkms build` of citadel
# against the installed Debian 6.1 headers yields a module with BTF and
# resolved kfunc IDs, and without a BTF base the build fails loudly.
# Uses a private DKMS tree under build/dkms: the machine's own DKMS
# state is not touched. Prints TAP.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$ROOT/build/dkms
# shellcheck source=../selftests/tap.sh
. "$ROOT/selftests/tap.sh"
# shellcheck source=module-checks.sh
. "$ROOT/scripts/module-checks.sh"

rel=$("$ROOT/scripts/kernel.sh" resolve 6.1) || exit 1
kdir=$("$ROOT/scripts/kernel.sh" fetch 6.1) || exit 1
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$ROOT/dkms.conf")

rm -rf "$T"
src=$T/src/citadel-$ver
mkdir -p "$src/scripts" "$T/tree" "$T/install"
cp -r "$ROOT/Kbuild" "$ROOT/dkms.conf" "$ROOT/module" "$src/"
cp "$ROOT/scripts/build-module.sh" "$src/scripts/"
dk=(--dkmstree "$T/tree" --sourcetree "$T/src" --installtree "$T/install")

dkms add "citadel/$ver" "${dk[@]}" >"$T/add.log" 2>&1
tap $? "dkms add accepts dkms.conf"

# Without a BTF base for a kernel that is not the running one: refuse.
if [ "$(uname -r)" != "$rel" ]; then
	env -u CITADEL_BTF_BASE dkms build "citadel/$ver" -k "$rel" "${dk[@]}" \
		>"$T/nobtf.log" 2>&1
	rc=$?
	grep -q "Refusing to build a module without BTF" \
		"$T/tree/citadel/$ver/build/make.log" "$T/nobtf.log" 2>/dev/null
	msg=$?
	[ "$rc" -ne 0 ] && [ "$msg" -eq 0 ]
	tap $? "dkms build without a BTF base fails loudly"
	dkms remove "citadel/$ver" --all "${dk[@]}" >/dev/null 2>&1
	dkms add "citadel/$ver" "${dk[@]}" >/dev/null 2>&1
fi

CITADEL_BTF_BASE=$kdir/btf dkms build "citadel/$ver" -k "$rel" "${dk[@]}" \
	>"$T/build.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] && sed 's/^/# /' "$T/build.log" | tail -n 30 &&
	sed 's/^/# /' "$T/tree/citadel/$ver/build/make.log" 2>/dev/null | tail -n 30
tap $rc "dkms build against linux-headers-$rel"

ko=$(find "$T/tree/citadel/$ver/$rel" -name 'citadel.ko*' | head -n1)
ko_plain "$ko" "$T/citadel.ko"
check_ko "$T/citadel.ko" "$rel" "the DKMS-built module"

echo "1..$n"
exit $failed
