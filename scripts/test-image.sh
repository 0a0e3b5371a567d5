#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The kiosk device image (scripts/device.sh): Citadel's Debian packages
# installed with dpkg in a fresh debootstrap Debian 12 root, DKMS
# building the module there with BTF; then the image boots under QEMU
# (systemd, citadel.service, the real daemons) and runs the kiosk
# scenario as TAP: the services work, the intruder is refused.
#
#   scripts/test-image.sh [KERNEL]     (default 6.1; needs root)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOGS=$ROOT/build/test-image
kernel=${1:-6.1}
# shellcheck source=../selftests/tap.sh
. "$ROOT/selftests/tap.sh"
# shellcheck source=module-checks.sh
. "$ROOT/scripts/module-checks.sh"
rm -rf "$LOGS"
mkdir -p "$LOGS"

start=$(date +%s)
img=$("$ROOT/scripts/device.sh" "$kernel" 2>"$LOGS/device.log" | tail -n 1)
rc=$?
[ -n "$img" ] && [ -f "$img/root.img" ] || rc=1
tap $rc "device image: debootstrap Debian 12 with citadel and citadel-dkms installed by dpkg ($(($(date +%s) - start)) s)"
if [ $rc -ne 0 ]; then
	tail -n 40 "$LOGS/device.log" | sed 's/^/# /'
	echo "1..$n"
	exit 1
fi
rel=$(cat "$img/release")

grep -q "Building for.*$rel" "$img/dkms.log" &&
	grep -q "Installing to /lib/modules/$rel/updates/dkms" "$img/dkms.log"
tap $? "installing citadel-dkms built and installed citadel.ko for the image's kernel $rel"
ko_plain "$(ls "$img"/citadel.ko* 2>/dev/null | head -n 1)" "$LOGS/citadel.ko"
check_ko "$LOGS/citadel.ko" "$rel" "the DKMS-built module (BTF base: the image's /boot/vmlinuz-$rel)"

echo "# booting the image: systemd, citadel.service, the kiosk's daemons"
"$ROOT/selftests/vm/run.sh" --image "$img" --mem 1536 --timeout 900 \
	--log "$LOGS/serial.log" -- test >"$LOGS/vm.out" 2>&1
rc=$?
tap_include "$LOGS/vm.out"
tap $rc "the image VM ran the scenario to the end, kernel log clean (run.sh exit $rc)"
echo "1..$n"
exit "$failed"
