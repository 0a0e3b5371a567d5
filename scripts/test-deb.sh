#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Builds the Debian packages (make deb: citadel and citadel-dkms in
# build/deb/), runs lintian on them and checks what they hold: the files
# where they belong, the DKMS registration, the dependencies, a service
# that is enabled but not started. Installs nothing. Prints TAP; lintian's
# output is shown as comments and any E: line fails.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=$ROOT/build/deb
T=$ROOT/build/test-deb
# shellcheck source=../selftests/tap.sh
. "$ROOT/selftests/tap.sh"

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$ROOT/dkms.conf")
rm -rf "$T"
mkdir -p "$T"

start=$(date +%s)
make -s -C "$ROOT" deb >"$T/build.log" 2>&1
rc=$?
tap $rc "make deb builds the packages ($(($(date +%s) - start)) s)" "$T/build.log"
[ $rc -eq 0 ] || tail -n 30 "$T/build.log" | sed 's/^/# /'

first() { [ -e "$1" ] && echo "$1"; }
deb=$(first "$D"/citadel_"$ver"_*.deb)
dkms=$(first "$D"/citadel-dkms_"$ver"_all.deb)
[ -n "$deb" ]
tap $? "citadel_${ver}_*.deb exists"
[ -n "$dkms" ]
tap $? "citadel-dkms_${ver}_all.deb exists"
if [ -z "$deb" ] || [ -z "$dkms" ]; then
	echo "1..$n"
	exit 1
fi

# lintian on the .changes covers the .debs and the .buildinfo it lists.
changes=$(first "$D"/citadel_"$ver"_*.changes)
if [ -n "$changes" ]; then set -- "$changes"; else set -- "$deb" "$dkms"; fi
lintian -I "$@" >"$T/lintian.log" 2>&1
rc=$?
sed 's/^/# /' "$T/lintian.log"
[ $rc -eq 0 ] && ! grep -q '^E: ' "$T/lintian.log"
tap $? "lintian finds no errors ($(grep -c '^W: ' "$T/lintian.log") warnings)"

dpkg-deb -c "$deb" | awk '{print $1, $NF}' >"$T/citadel.list"
dpkg-deb -c "$dkms" | awk '{print $1, $NF}' >"$T/dkms.list"
dpkg-deb -I "$deb" control >"$T/citadel.control"
dpkg-deb -I "$dkms" control >"$T/dkms.control"

# has LIST MODE_REGEX PATH: the package holds PATH with a matching mode.
has() {
	grep -qE "^$2 \\./$3\$" "$1"
}
has "$T/citadel.list" '-rwxr-xr-x' usr/sbin/citadelctl
tap $? "citadel: /usr/sbin/citadelctl (0755)"
has "$T/citadel.list" '-rwxr-xr-x' usr/lib/citadel/resolve_btfids
tap $? "citadel: /usr/lib/citadel/resolve_btfids (0755)"
has "$T/citadel.list" '-rwxr-xr-x' usr/lib/citadel/citadel-boot
tap $? "citadel: /usr/lib/citadel/citadel-boot (0755)"
has "$T/citadel.list" '-rw-r--r--' '(usr/)?lib/systemd/system/citadel\.service'
tap $? "citadel: the systemd unit citadel.service"
has "$T/citadel.list" '-rwxr-xr-x' etc/init.d/citadel
tap $? "citadel: the init script /etc/init.d/citadel"
has "$T/citadel.list" '-rw-r--r--' etc/default/citadel &&
	dpkg-deb -I "$deb" conffiles | grep -qx /etc/default/citadel
tap $? "citadel: /etc/default/citadel, a conffile"
has "$T/citadel.list" '-rw-r--r--' usr/share/man/man8/citadelctl\\.8\\.gz &&
	has "$T/citadel.list" '-rw-r--r--' usr/share/man/man5/citadel-policy\\.5\\.gz
tap $? "citadel: man pages citadelctl(8) and citadel-policy(5)"
missing=
for f in "$ROOT"/examples/*.conf; do
	has "$T/citadel.list" '-rw-r--r--' "usr/share/doc/citadel/examples/$(basename "$f")" ||
		missing="$missing $(basename "$f")"
done
[ -z "$missing" ]
tap $? "citadel: example policies in /usr/share/doc/citadel/examples/${missing:+ (missing:$missing)}"
has "$T/citadel.list" 'd.*' etc/citadel/ && has "$T/citadel.list" 'd.*' var/lib/citadel/
tap $? "citadel: directories /etc/citadel/ and /var/lib/citadel/"
grep -q '^Depends:.*libbpf1' "$T/citadel.control"
tap $? "citadel: citadelctl is linked dynamically (Depends has libbpf1)"
grep -q '^Recommends:.*citadel-dkms' "$T/citadel.control"
tap $? "citadel: Recommends citadel-dkms"
post=$(dpkg-deb -I "$deb" postinst 2>/dev/null)
echo "$post" | grep -q "deb-systemd-helper enable 'citadel.service'" &&
	echo "$post" | grep -q 'update-rc.d citadel defaults' &&
	! echo "$post" | grep -qE 'deb-systemd-invoke|invoke-rc\.d'
tap $? "citadel: the service is enabled, not started, on installation"
! dpkg-deb -I "$deb" prerm 2>/dev/null | grep -qE 'deb-systemd-invoke|invoke-rc\.d'
tap $? "citadel: the service is not stopped on upgrade or removal"

# The packaged binaries run (citadelctl: dynamic libs resolve).
rm -rf "$T/root"
dpkg-deb -x "$deb" "$T/root" && dpkg-deb -x "$dkms" "$T/root"
"$T/root/usr/sbin/citadelctl" --version >"$T/run.log" 2>&1 &&
	"$T/root/usr/lib/citadel/resolve_btfids" --help 2>&1 | grep -q Usage
tap $? "the packaged citadelctl and resolve_btfids run" "$T/run.log"

src=usr/src/citadel-$ver
missing=
for f in dkms.conf Kbuild module/main.c module/citadel_abi.h scripts/build-module.sh; do
	has "$T/dkms.list" '-rw[-x]r-[-x]r-[-x]' "$src/$f" || missing="$missing $f"
done
[ -z "$missing" ]
tap $? "citadel-dkms: the module source in /$src/ (dkms.conf, Kbuild, module/, scripts/build-module.sh)${missing:+ (missing:$missing)}"
ncs=$(find "$ROOT/module" -maxdepth 1 -name '*.c' | wc -l)
[ "$(grep -cE "\\./$src/module/[^/]*\\.c\$" "$T/dkms.list")" -eq "$ncs" ]
tap $? "citadel-dkms: all $ncs module/*.c files"
cmp -s "$T/root/$src/dkms.conf" "$ROOT/dkms.conf"
tap $? "citadel-dkms: dkms.conf is the project's (PACKAGE_VERSION $ver)"
grep -q /usr/lib/citadel/resolve_btfids "$T/root/$src/scripts/build-module.sh"
tap $? "citadel-dkms: build-module.sh finds /usr/lib/citadel/resolve_btfids"
dpkg-deb -I "$dkms" postinst 2>/dev/null | grep -q '/usr/lib/dkms/common.postinst' &&
	dpkg-deb -I "$dkms" postinst | grep -qx 'DKMS_NAME=citadel' &&
	dpkg-deb -I "$dkms" prerm 2>/dev/null | grep -q 'dkms remove'
tap $? "citadel-dkms: maintainer scripts register citadel/$ver with DKMS (build on install, remove on removal)"
dep=$(sed -n 's/^Depends: //p' "$T/dkms.control" | tr ',' '\n' | sed 's/^ *//')
echo "$dep" | grep -qE '^dkms( |$)' && echo "$dep" | grep -qE '^dwarves( |$)'
tap $? "citadel-dkms: Depends on dkms and dwarves"
echo "$dep" | grep -qxF "citadel (= $ver)"
tap $? "citadel-dkms: Depends on citadel (= $ver) (resolve_btfids)"

# What dpkg would do on a device, with the packaged files only: DKMS
# builds the packaged module source against Debian's 6.1 headers, with
# the packaged resolve_btfids (private DKMS tree, nothing installed).
if rel=$("$ROOT/scripts/kernel.sh" resolve 6.1 2>/dev/null) &&
   kdir=$("$ROOT/scripts/kernel.sh" fetch 6.1 2>/dev/null); then
	mkdir -p "$T/dkms/tree" "$T/dkms/install"
	mv "$T/root/usr/src" "$T/dkms/src"
	dk=(--dkmstree "$T/dkms/tree" --sourcetree "$T/dkms/src" --installtree "$T/dkms/install")
	dkms add "citadel/$ver" "${dk[@]}" >"$T/dkms.log" 2>&1 &&
		RESOLVE_BTFIDS=$T/root/usr/lib/citadel/resolve_btfids \
		CITADEL_BTF_BASE=$kdir/btf \
		dkms build "citadel/$ver" -k "$rel" "${dk[@]}" >>"$T/dkms.log" 2>&1
	rc=$?
	cat "$T/dkms/tree/citadel/$ver/$rel"/*/log/make.log >>"$T/dkms.log" 2>/dev/null
	[ $rc -eq 0 ] &&
		grep -q "adding BTF to .*$T/root/usr/lib/citadel/resolve_btfids" "$T/dkms.log" &&
		grep -q "has BTF (base .*kernel $rel)" "$T/dkms.log" &&
		[ -n "$(find "$T/dkms/tree/citadel/$ver/$rel" -name 'citadel.ko*')" ]
	tap $? "DKMS builds citadel.ko with BTF from the packaged source and resolve_btfids (linux-headers-$rel)" "$T/dkms.log"
else
	n=$((n + 1))
	echo "ok $n - DKMS build from the package # SKIP no Debian 6.1 headers (scripts/kernel.sh fetch 6.1)"
fi

echo "1..$n"
exit "$failed"
