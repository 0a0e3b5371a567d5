#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Completes the device image's overlay (scripts/device.sh): the kiosk's
# policy, signed, with the ops certificate to enrol, and the boot
# settings (seal at boot). The policy is examples/kiosk.conf as shipped,
# plus rig.conf: the simulated city servers and the test rig.
#
#   selftests/image/overlay.sh OVERLAY
# Environment: CITADEL_IMAGE_MODE=audit loads the policy in audit mode
# (to learn what a new image needs). The ops key is made once and kept
# in $CITADEL_CACHE/device-keys; the signed policy is reused while its
# text is unchanged, so the image (and its cache key) stays the same.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CTL=$ROOT/build/citadelctl
CACHE=${CITADEL_CACHE:-$ROOT/.cache}
ov=$1
mode=${CITADEL_IMAGE_MODE:-enforce}

keys=$CACHE/device-keys
if [ ! -f "$keys/ops.pem" ]; then
	mkdir -p "$keys"
	openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=city-ops-demo" \
		-days 3650 -keyout "$keys/ops.key" -out "$keys/ops.pem.new" 2>/dev/null
	mv "$keys/ops.pem.new" "$keys/ops.pem"
fi

# The fleet tool's SSH key (scripts/test-fleet.sh): root may log in with it.
if [ ! -f "$keys/fleet_ed25519" ]; then
	ssh-keygen -q -t ed25519 -N '' -C citadel-fleet-test -f "$keys/fleet_ed25519"
fi
mkdir -p "$ov/root/.ssh"
chmod 700 "$ov/root" "$ov/root/.ssh"
cp "$keys/fleet_ed25519.pub" "$ov/root/.ssh/authorized_keys"
chmod 600 "$ov/root/.ssh/authorized_keys"

mkdir -p "$ov/etc/citadel/keys" "$ov/etc/default"
cp "$keys/ops.pem" "$ov/etc/citadel/keys/ops.pem"
{
	sed "s/^mode enforce\$/mode $mode/" "$ROOT/examples/kiosk.conf"
	echo
	cat "$ROOT/selftests/image/rig.conf"
} >"$ov/etc/citadel/policy.conf"
sum=$(cat "$ov/etc/citadel/policy.conf" "$keys/ops.pem" | sha256sum | cut -c1-16)
signed=$keys/policy-$sum.cpol
if [ ! -f "$signed" ]; then
	"$CTL" compile "$ov/etc/citadel/policy.conf" -o "$keys/unsigned.cpol"
	"$CTL" sign --key "$keys/ops.key" --cert "$keys/ops.pem" \
		"$keys/unsigned.cpol" -o "$signed"
fi
cp "$signed" "$ov/etc/citadel/policy.cpol"
seal=yes
[ "$mode" = enforce ] || seal=no
cat >"$ov/etc/default/citadel" <<EOT
# The demo kiosk: its signed policy, the ops certificate enrolled at
# boot, sealed until reboot.
CITADEL_SEAL=$seal
EOT
