#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make demo: a city kiosk locked down by Citadel. Builds Citadel and its
# Debian packages, installs them in a Debian 12 image made with
# debootstrap (cached in .cache/image; DKMS builds the module there) and
# boots it under QEMU: systemd starts citadel.service, which loads the
# signed kiosk policy (examples/kiosk.conf) and seals before lighttpd,
# mosquitto, chrony and dropbear start. The scenario
# (selftests/image/root/usr/local/lib/citadel-vm/kiosk-scenario) shows
# the services working and an intruder with a root shell refused, each
# denial as it happens, and a summary table.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KERNEL=${CITADEL_DEMO_KERNEL:-6.1}
step() { printf '\033[1m>> %s\033[0m\n' "$*" >&2; }

step "Dependencies (apt-get, once)"
"$ROOT/scripts/install-deps.sh" >&2
step "Build citadelctl, the BPF object, the packages and the kiosk image (cached after the first run)"
make -s -C "$ROOT" all >&2
img=$("$ROOT/scripts/device.sh" "$KERNEL" | tail -n 1)
step "Boot the kiosk (Debian 12, systemd, kernel $(cat "$img/release")) and run the scenario"
exec "$ROOT/selftests/vm/run.sh" --image "$img" --mem 1536 --timeout 900 -- demo
