#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Scenario: a busybox street kiosk under a service policy. Runs in the
# test VM (busybox sh) after the kselftests, from the directory holding
# citadelctl and kiosk_httpd, with citadel.ko loaded, its hooks attached
# and no policy loaded. Prints TAP; exits 1 when a step fails.
#
# The device: service "httpd" (busybox httpd behind the kiosk_httpd entry)
# serves the kiosk UI on :8080; service "telemetry" (a shell script entry)
# reports readings to a collector at 127.0.0.2:9000; the boot shell has
# the global rules only. An intruder with a root shell then tries what
# intruders try: a telnetd, a bind shell, a renamed busybox, a dropped
# script, packet and raw sockets, and the services' own network rights.
# Refusals are recognised by busybox printing strerror(EPERM),
# "Operation not permitted"; the end re-runs some of them without the
# policy as controls.
cd "$(dirname "$0")" || exit 1
export PATH="$PWD:$PATH"
W=/tmp/kiosk
. ./tap.sh
pids=

# A file's lines as TAP comments.
show() {
	sed 's/^/#   /' "$1"
}

# Did the command whose output is in $1 get EPERM?
refused() {
	show "$1"
	grep -q "Operation not permitted" "$1"
}

# Waits up to 5 s for "$@" to succeed.
wait_for() {
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 50 ] || return 1
		sleep 0.1
	done
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	citadelctl unload >/dev/null 2>&1 ||
		echo 1 >/sys/kernel/security/citadel/unload 2>/dev/null
	rm -rf /citadel/kiosk /www /usr/local/bin/sh "$W"
}
trap cleanup EXIT

finish() {
	echo "1..$n"
	exit $failed
}

# Without the hooks every refusal below would fail for a dull reason.
[ -e /sys/kernel/security/citadel/status ] && [ -d /sys/fs/bpf/citadel ]
rc=$?
tap $rc "citadel.ko loaded and its hooks attached (citadelctl start)"
[ $rc -eq 0 ] || finish

# --- The device's files -------------------------------------------------
rm -rf /citadel/kiosk /www "$W"
mkdir -p /citadel/kiosk /www/cgi-bin "$W" /usr/local/bin
cp kiosk_httpd /citadel/kiosk/httpd
cat >/citadel/kiosk/telemetry <<'EOF'
#!/bin/sh
# Reports one reading to the collector (default 127.0.0.2) on port 9000.
echo "temp=21" | nc -w 2 "${1:-127.0.0.2}" 9000
EOF
echo "Welcome to the city kiosk" >/www/index.html
# A CGI with a hole: it connects wherever the query says. It stands for
# an intruder who took over httpd.
cat >/www/cgi-bin/status <<'EOF'
#!/bin/sh
echo "Content-Type: text/plain"
echo
if out=$(nc -w 2 "$QUERY_STRING" 9000 </dev/null 2>&1); then
	echo "outbound to $QUERY_STRING: connected"
else
	echo "outbound to $QUERY_STRING: $out"
fi
EOF
chmod 755 /citadel/kiosk/httpd /citadel/kiosk/telemetry /www/cgi-bin/status

cat >"$W/kiosk.conf" <<'EOF'
# A street kiosk: a web UI, a telemetry reporter, and boot scripts.
policy kiosk-scenario version 1

global {
    # Boot scripts: busybox's shell and tools, and ops' citadelctl.
    exec /bin/busybox
    exec /citadel/citadelctl
    libs /lib/ /usr/lib/
    # Boot scripts check that the kiosk UI answers.
    connect tcp 127.0.0.1 port 8080
}

service httpd {
    exec /citadel/kiosk/httpd
    exec /www/cgi-bin/status
    listen tcp 8080
}

service telemetry {
    exec /citadel/kiosk/telemetry
    connect tcp 127.0.0.2 port 9000
}
EOF

# The collector stands for a remote host: it listens before the policy
# loads (the policy's listen rules do not cover it).
nc -l -p 9000 >"$W/collector.log" 2>&1 &
pids="$pids $!"
wait_for sh -c 'netstat -ltn | grep -q ":9000 "'

echo "# kiosk policy:"
show "$W/kiosk.conf"
citadelctl check "$W/kiosk.conf" >"$W/out" 2>&1 &&
	citadelctl compile "$W/kiosk.conf" -o "$W/kiosk.cpol" >>"$W/out" 2>&1 &&
	citadelctl load "$W/kiosk.cpol" >>"$W/out" 2>&1
rc=$?
show "$W/out"
tap $rc "kiosk policy checks, compiles and loads"
[ $rc -eq 0 ] || finish

# --- The kiosk works ------------------------------------------------------
/citadel/kiosk/httpd 8080 /www >"$W/httpd.log" 2>&1 &
pids="$pids $!"
# timeout(1), not wget -T: busybox 1.35's wget -T segfaults.
wait_for timeout 10 wget -q -O "$W/page" http://127.0.0.1:8080/
grep -q "Welcome to the city kiosk" "$W/page" 2>/dev/null
tap $? "httpd (service httpd) listens on :8080 and serves the kiosk page"

/citadel/kiosk/telemetry 127.0.0.2 >"$W/out" 2>&1
rc=$?
show "$W/out"
wait_for grep -q "temp=21" "$W/collector.log" && [ $rc -eq 0 ]
tap $? "telemetry (service telemetry) reports to its collector 127.0.0.2:9000"

# --- What the services may not do ----------------------------------------
/citadel/kiosk/telemetry 127.0.0.3 >"$W/out" 2>&1
refused "$W/out"
tap $? "telemetry cannot reach another host, 127.0.0.3:9000"

timeout 10 wget -q -O "$W/cgi" "http://127.0.0.1:8080/cgi-bin/status?127.0.0.2" \
	>"$W/out" 2>&1
refused "$W/cgi"
tap $? "httpd (through its CGI) cannot connect out, even to 127.0.0.2:9000"

echo "report" | nc -w 2 127.0.0.2 9000 >"$W/out" 2>&1
refused "$W/out"
tap $? "the boot shell cannot use telemetry's rule (127.0.0.2:9000)"

# --- An intruder with a root shell ---------------------------------------
timeout 5 telnetd -F -p 2323 >"$W/out" 2>&1
refused "$W/out"
tap $? "telnetd cannot listen (bind :2323 refused)"

timeout 5 nc -l -p 4444 >"$W/out" 2>&1
refused "$W/out"
tap $? "a bind shell cannot listen (nc -l -p 4444 refused)"

cp /bin/busybox "$W/sh"
"$W/sh" -c 'echo pwned' >"$W/out" 2>&1
refused "$W/out" && ! grep -q pwned "$W/out"
tap $? "a copy of busybox under another path does not run"

ln /bin/busybox /usr/local/bin/sh
/usr/local/bin/sh -c 'echo pwned' >"$W/out" 2>&1
refused "$W/out" && ! grep -q pwned "$W/out"
tap $? "a hard link to busybox under another path does not run"

printf '#!/bin/sh\necho pwned\n' >"$W/dropper.sh"
chmod 755 "$W/dropper.sh"
"$W/dropper.sh" >"$W/out" 2>&1
refused "$W/out" && ! grep -q pwned "$W/out"
tap $? "a script dropped in /tmp does not run"

arping -c 1 -w 1 -I lo 127.0.0.1 >"$W/out" 2>&1
refused "$W/out"
tap $? "no packet socket (arping refused)"

traceroute -m 1 -w 1 127.0.0.1 >"$W/out" 2>&1
refused "$W/out"
tap $? "no raw socket (traceroute refused)"

# --- Still serving; everything counted ---------------------------------
timeout 10 wget -q -O "$W/page" http://127.0.0.1:8080/ &&
	grep -q "Welcome to the city kiosk" "$W/page"
tap $? "the kiosk still serves its page"

st=/sys/kernel/security/citadel/status
grep -E '^(exec|bind|listen|socket|connect)_(denied|audited) ' "$st" 2>/dev/null |
	sed 's/^/# /'
v() { x=$(sed -n "s/^$1 //p" "$st" 2>/dev/null); echo "${x:-0}"; }
[ "$(v exec_denied)" -ge 3 ] && [ "$(v bind_denied)" -ge 2 ] &&
	[ "$(v socket_denied)" -ge 2 ] && [ "$(v connect_denied)" -ge 3 ]
tap $? "the refusals are counted in status"

# --- Controls: the same steps without the policy ----------------------------
citadelctl unload >"$W/out" 2>&1
tap $? "citadelctl unload"

"$W/sh" -c 'echo pwned' >"$W/out" 2>&1
grep -q pwned "$W/out"
tap $? "control: without the policy the busybox copy runs"

"$W/dropper.sh" >"$W/out" 2>&1
grep -q pwned "$W/out"
tap $? "control: without the policy the dropped script runs"

/citadel/kiosk/telemetry 127.0.0.3 >"$W/out" 2>&1
! grep -q "Operation not permitted" "$W/out"
tap $? "control: without the policy telemetry's connect is not refused"

finish
