#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The kiosk device image for make demo and its VM test: Citadel's Debian
# packages (make deb) installed in a debootstrap Debian 12 root
# (scripts/image.sh), with the kiosk's policy, keys and the scripts the
# rig runs (selftests/image/). Prints the image directory.
#
#   scripts/device.sh [KERNEL]      (default 6.1)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
kernel=${1:-6.1}

# The packages are rebuilt only when a source file changed (make deb
# takes minutes; the demo reuses them).
debs=$BUILD/deb
srckey=$("$ROOT/scripts/src-key.sh")
if [ "$(cat "$debs/.src-key" 2>/dev/null)" != "$srckey" ] ||
   ! ls "$debs"/citadel_*.deb "$debs"/citadel-dkms_*.deb >/dev/null 2>&1; then
	make -s -C "$ROOT" deb >"$BUILD/deb.log" 2>&1 ||
		{ tail -n 40 "$BUILD/deb.log" >&2; echo "device.sh: make deb failed (log: $BUILD/deb.log)" >&2; exit 1; }
fi

ov=$BUILD/device/overlay
rm -rf "$ov"
mkdir -p "$ov"
cp -a "$ROOT/selftests/image/root/." "$ov/"
"$ROOT/selftests/image/overlay.sh" "$ov" >&2

"$ROOT/scripts/image.sh" "$kernel" "$debs" "$ov" "$BUILD/device/$kernel"
