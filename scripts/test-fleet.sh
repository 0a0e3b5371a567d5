#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The fleet example, run for real: the kiosk image boots (sealed, policy
# version 1) with a NIC on QEMU's closed user network; Ansible on this
# machine pushes a signed version 2 with examples/fleet/ansible/
# citadel-policy.yml over SSH (dropbear, under the kiosk's policy): copy,
# verify, trial load, reconnect, confirm, make it the boot policy. The
# guest then checks what it left (selftests/image/.../fleet). TAP.
#
#   scripts/test-fleet.sh [KERNEL]     (default 6.1; needs root)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOGS=$ROOT/build/test-fleet
CACHE=${CITADEL_CACHE:-$ROOT/.cache}
kernel=${1:-6.1}
# shellcheck source=../selftests/tap.sh
. "$ROOT/selftests/tap.sh"
rm -rf "$LOGS"
mkdir -p "$LOGS"

img=$("$ROOT/scripts/device.sh" "$kernel" 2>"$LOGS/device.log" | tail -n 1)
[ -n "$img" ] && [ -f "$img/root.img" ]
tap $? "the kiosk image is built"
command -v ansible-playbook >/dev/null
tap $? "ansible-playbook is installed (ansible-core)"
[ "$failed" = 0 ] || { tail -n 20 "$LOGS/device.log" | sed 's/^/# /'; echo "1..$n"; exit 1; }

# Version 2 of the image's policy, signed with the same ops key.
keys=$CACHE/device-keys
ctl=$ROOT/build/citadelctl
sed 's/^policy kiosk version 1$/policy kiosk version 2/' \
	"$ROOT/build/device/overlay/etc/citadel/policy.conf" >"$LOGS/kiosk-v2.conf"
"$ctl" compile "$LOGS/kiosk-v2.conf" -o "$LOGS/kiosk-v2.unsigned.cpol" &&
	"$ctl" sign --key "$keys/ops.key" --cert "$keys/ops.pem" \
		"$LOGS/kiosk-v2.unsigned.cpol" -o "$LOGS/kiosk-v2.cpol" >/dev/null
tap $? "policy version 2 compiled and signed off the device"

port=$((20000 + $$ % 20000))
"$ROOT/selftests/vm/run.sh" --image "$img" --mem 1536 --timeout 900 \
	--ssh-port "$port" --log "$LOGS/serial.log" -- fleet >"$LOGS/vm.out" 2>&1 &
vm=$!
for _ in $(seq 1 600); do
	grep -q "fleet: ready for ssh" "$LOGS/serial.log" 2>/dev/null && break
	kill -0 "$vm" 2>/dev/null || break
	sleep 1
done
grep -q "fleet: ready for ssh" "$LOGS/serial.log" 2>/dev/null
tap $? "the device booted and its SSH daemon listens"

cat >"$LOGS/inventory" <<EOF
[kiosks]
kiosk-1 ansible_host=127.0.0.1 ansible_port=$port ansible_user=root
EOF
export ANSIBLE_PIPELINING=1 ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_NOCOLOR=1 \
	ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP=$LOGS/ansible-tmp
ans=(-i "$LOGS/inventory" --private-key "$keys/fleet_ed25519"
	-e ansible_python_interpreter=/usr/bin/python3
	-e ansible_ssh_transfer_method=piped
	-e "ansible_ssh_common_args='-o UserKnownHostsFile=/dev/null -o ConnectTimeout=30'")
ansible-playbook "${ans[@]}" -e "citadel_policy=$LOGS/kiosk-v2.cpol" \
	"$ROOT/examples/fleet/ansible/citadel-policy.yml" >"$LOGS/ansible.log" 2>&1
rc=$?
sed 's/^/# /' "$LOGS/ansible.log" | grep -v '^# *$' | tail -n 40
tap $rc "ansible-playbook citadel-policy.yml pushed version 2"
# Tell the guest to check (a file, written by Ansible's own module).
ansible "${ans[@]}" kiosk-1 -m ansible.builtin.file \
	-a "path=/run/citadel-fleet-done state=touch" >>"$LOGS/ansible.log" 2>&1
wait "$vm"
rc=$?
tap_include "$LOGS/vm.out"
tap $rc "the device VM ran to the end, kernel log clean (run.sh exit $rc)"
echo "1..$n"
exit "$failed"
