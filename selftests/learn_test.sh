#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Learning round trip, in the VM (TAP): citadelctl learn records a
# scripted workload; the policy it writes passes check; loaded in enforce
# mode, the same workload runs again without a single denial, while
# something the workload never did is denied.
cd "$(dirname "$0")" || exit 1
export PATH="$PWD:$PATH"
. ./tap.sh
denied() {
	sed -n 's/^[a-z]*_denied //p' /sys/kernel/security/citadel/status |
		awk '{ s += $1 } END { print s + 0 }'
}

cat >/tmp/workload.sh <<'W'
#!/bin/sh
# A small device workload: a listener, a client, a name lookup, a file.
nc -l -p 7070 >/tmp/got &
sleep 1
echo reading=42 | nc 127.0.0.1 7070
nslookup citadel.example 127.0.0.53 >/dev/null 2>&1
wait
date >/tmp/workload.last
W
chmod +x /tmp/workload.sh
echo 1 >/sys/kernel/security/citadel/unload

citadelctl learn --duration 8 -o /tmp/learned.conf &
learner=$!
sleep 2
/tmp/workload.sh
wait $learner
tap $? "citadelctl learn wrote a policy"
sed 's/^/# /' /tmp/learned.conf
citadelctl check /tmp/learned.conf
tap $? "the learned policy passes citadelctl check"
grep -q 'listen tcp 7070' /tmp/learned.conf && grep -q 'connect tcp 127.0.0.1 port 7070' /tmp/learned.conf &&
	grep -q 'connect udp 127.0.0.53 port 53' /tmp/learned.conf
tap $? "it holds the workload's listen and connect rules"

citadelctl compile /tmp/learned.conf -o /tmp/learned.cpol && citadelctl load /tmp/learned.cpol
tap $? "the learned policy loads in enforce mode"
grep -q '^mode enforce$' /sys/kernel/security/citadel/status
tap $? "status says enforce"
before=$(denied)
/tmp/workload.sh
after=$(denied)
[ "$before" = "$after" ] && [ "$(cat /tmp/got)" = "reading=42" ]
tap $? "the same workload runs again without a denial ($before -> $after denied)"
echo x | nc 127.0.0.9 9999 2>/dev/null
[ "$(denied)" -gt "$after" ]
tap $? "something the workload never did is denied"
echo 1 >/sys/kernel/security/citadel/unload
echo "1..$n"
exit $failed
