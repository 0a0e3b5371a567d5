#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM (busybox sh), from the directory that holds
# citadel.ko, citadel-nobtf.ko, citadelctl and the *_test binaries.
# Prints TAP: its own lifecycle checks, then each kselftest's output.
# CITADEL_LIFECYCLE_CYCLES: how many lifecycle cycles (default 100, at
# least 30); make check's arm64 leg runs 30 (~5 s a cycle under TCG).
cd "$(dirname "$0")" || exit 1
export PATH="$PWD:$PATH"
. ./tap.sh

# Kernel messages would interleave with TAP lines on the console; the
# rig reads the whole kernel log after the run (and panics still print).
dmesg -n 1
echo "TAP version 13"
echo "# kernel $(uname -r), LSMs $(cat /sys/kernel/security/lsm)"

# A module without BTF must refuse to load and say why.
insmod ./citadel-nobtf.ko 2>/dev/null
rc=$?
dmesg | grep -q "citadel: this build of citadel.ko has no BTF"
msg=$?
[ "$rc" -ne 0 ] && [ "$msg" -eq 0 ] && [ ! -e /sys/kernel/security/citadel ]
tap $? "module without BTF refuses to load with a clear message"

# start before the module: a clear error, nothing attached.
out=$(citadelctl start 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
[ "$rc" -ne 0 ] && echo "$out" | grep -q "citadel.ko is not loaded" &&
	[ ! -e /sys/fs/bpf/citadel ]
tap $? "citadelctl start without the module fails clearly"

insmod ./citadel.ko
tap $? "insmod citadel.ko"
[ -e /sys/kernel/btf/citadel ] && [ -e /sys/kernel/security/citadel/policy ]
tap $? "module BTF and securityfs present"
citadelctl start
tap $? "citadelctl start"
citadelctl start >/dev/null
tap $? "citadelctl start is idempotent"
# The pins keep the hooks attached after citadelctl exits.
[ -e /sys/fs/bpf/citadel/socket_connect ] && [ -e /sys/fs/bpf/citadel/bprm_check_security ] && [ -e /sys/fs/bpf/citadel/task_alloc ]
tap $? "links pinned under /sys/fs/bpf/citadel"

# The scenario runs last among the suites, while the hooks are attached.
# boot_test.sh (the first of the *_test.sh) plays init with dist/: it
# never seals and leaves the hooks attached and no policy, as found.
# seal_test runs at the very end: nothing can be unloaded after it.
for t in ./*_test ./*_test.sh; do
	[ "$t" = ./seal_test ] && continue
	"$t"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "# $t exited with status $rc"
		failed=1
	fi
done

# Lifecycle: BPF programs hold the module; stop releases it.
rmmod citadel 2>/dev/null
[ $? -ne 0 ] && [ -e /sys/kernel/security/citadel ]
tap $? "rmmod refused while the hooks are attached"
# stop must have detached the hooks when it returns (6.12 releases a
# pinned link from a work item unless stop holds the last reference).
# A busybox copy named after the applet it runs.
mkdir -p /tmp/stopcheck && cp /bin/busybox /tmp/stopcheck/true
printf 'policy stopcheck version 1\nglobal {\n    exec /bin/\n    exec /citadel/\n    libs /\n}\n' >/tmp/stopcheck.conf
citadelctl compile /tmp/stopcheck.conf -o /tmp/stopcheck.cpol 2>/dev/null &&
	citadelctl load /tmp/stopcheck.cpol && ! /tmp/stopcheck/true 2>/dev/null
tap $? "a policy refusing /tmp/stopcheck/true is in force"
citadelctl stop && [ ! -e /sys/fs/bpf/citadel ] && /tmp/stopcheck/true
tap $? "citadelctl stop: the hooks are detached when it returns"
citadelctl unload 2>/dev/null
i=0
while ! rmmod citadel 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ ! -e /sys/kernel/security/citadel ]
tap $? "rmmod after stop"
insmod ./citadel.ko && citadelctl start >/dev/null && citadelctl stop >/dev/null
tap $? "load, start and stop again"

# 100 lifecycles (module, hooks, a 500-rule policy, a denial) must not
# leak: slab, vmalloc and per-CPU memory barely move over 90 of them.
# Compared: the lowest reading of cycles 10-19 with the lowest of the
# last ten. Slabs wander (per-CPU partial slabs, on debug kernels KASAN's
# quarantine and kmemleak's own objects) and a single reading can catch
# a high; a leak raises every reading, the lowest too.
cycles=${CITADEL_LIFECYCLE_CYCLES:-100}
case "$cycles" in ''|*[!0-9]*) cycles=100 ;; esac
[ "$cycles" -ge 30 ] || cycles=30
kernel_mem() {
	awk '/^(Slab|VmallocUsed|Percpu):/ { s += $2 } END { print s }' /proc/meminfo
}
{
	echo "policy cycle version 1"
	echo "global {"
	echo "    exec /"
	i=0
	while [ $i -lt 500 ]; do
		echo "    connect tcp 10.$((i / 250)).$((i % 250)).0/24 port 443"
		i=$((i + 1))
	done
	echo "}"
} >/tmp/cycle.conf
citadelctl compile /tmp/cycle.conf -o /tmp/cycle.cpol 2>/dev/null
cycle_ok=0
before=
after=
i=0
while [ $i -lt "$cycles" ]; do
	if [ $i -ge 10 ] && [ $i -lt 20 ]; then
		m=$(kernel_mem)
		[ -z "$before" ] || [ "$m" -lt "$before" ] && before=$m
	elif [ $i -ge $((cycles - 10)) ]; then
		m=$(kernel_mem)
		[ -z "$after" ] || [ "$m" -lt "$after" ] && after=$m
	fi
	j=0
	while ! rmmod citadel 2>/dev/null && [ $j -lt 50 ]; do
		sleep 0.1
		j=$((j + 1))
	done
	insmod ./citadel.ko && citadelctl start >/dev/null &&
		citadelctl load /tmp/cycle.cpol &&
		! nc 127.0.0.1 1 </dev/null 2>/dev/null &&
		citadelctl stop >/dev/null || cycle_ok=1
	i=$((i + 1))
done
tap $cycle_ok "$cycles cycles of insmod, start, load, deny, stop, rmmod"
echo "# kernel memory (slab+vmalloc+percpu), lowest of cycles 10-19 ${before} kB, of the last ten ${after} kB"
[ $((after - before)) -lt 512 ]
tap $? "no kernel memory leak over $cycles cycles (lowest reading grew $((after - before)) kB)"
# Detached programs are freed after an RCU grace period: give it time.
i=0
while [ "$(cat /sys/module/citadel/refcnt)" != 0 ] && [ $i -lt 100 ]; do
	sleep 0.2
	i=$((i + 1))
done
[ "$(cat /sys/module/citadel/refcnt)" = 0 ]
tap $? "no module reference left after stop"


# Debug kernels (make check-debug): nothing Citadel allocated may leak.
mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ -e /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	# A leak from an unloaded instance shows as a bare module address.
	grep -B2 -A20 -E 'citadel|0xffffffffc0' /sys/kernel/debug/kmemleak >/tmp/kmemleak.txt
	[ ! -s /tmp/kmemleak.txt ]
	tap $? "kmemleak: no leak from citadel" /tmp/kmemleak.txt
fi

# Last: the seal, on a fresh module. One way until reboot.
rmmod citadel && insmod ./citadel.ko && citadelctl start >/dev/null
tap $? "a fresh module, started, for the seal tests"
./seal_test
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "# ./seal_test exited with status $rc"
	failed=1
fi

echo "1..$n"
exit $failed
