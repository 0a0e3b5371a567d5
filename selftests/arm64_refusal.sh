#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM on a kernel that cannot attach BPF LSM programs
# (Debian 12's 6.1 arm64: no ftrace direct calls before 6.4), from the
# directory vm-files.sh fills. Prints TAP. citadelctl start must refuse
# with one sentence naming what is missing and what to do, and leave
# nothing loaded: no pins, no programs holding the module, and the module
# removable. (Not *_test.sh: vm_suite.sh must not run it.)
#   selftests/vm/run.sh --kernel arm64-6.1 --files DIR -- ./arm64_refusal.sh
cd "$(dirname "$0")" || exit 1
export PATH="$PWD:$PATH"
. ./tap.sh

expected="Error: this kernel cannot attach BPF LSM programs (ENOTSUPP): on arm64 they need Linux 6.4 or later built with CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS=y, so boot such a kernel (Debian 12's 6.12 kernel qualifies); nothing was attached"

dmesg -n 1
echo "TAP version 13"
echo "# kernel $(uname -r) ($(uname -m)), LSMs $(cat /sys/kernel/security/lsm)"

# refused CMD...: runs citadelctl, checks status 1 and the one sentence.
refused() {
	"$@" >/tmp/out 2>/tmp/err
	rc=$?
	sed 's/^/# stdout: /' /tmp/out
	sed 's/^/# stderr: /' /tmp/err
	[ "$rc" -eq 1 ] && [ ! -s /tmp/out ] && [ "$(wc -l </tmp/err)" -eq 1 ] &&
		[ "$(cat /tmp/err)" = "$expected" ]
}

# Nothing half-loaded: no pin directory, bpffs as empty as at boot.
nothing_pinned() {
	[ ! -e /sys/fs/bpf/citadel ] && [ -z "$(ls -A /sys/fs/bpf)" ]
}

# Asked to load the module itself, start refuses before loading it.
refused citadelctl start --module ./citadel.ko
tap $? "start --module: exit 1 and the one sentence"
[ ! -e /sys/kernel/security/citadel ] && [ ! -e /sys/module/citadel ] && nothing_pinned
tap $? "start --module: the module was not loaded, nothing pinned"

insmod ./citadel.ko
tap $? "insmod citadel.ko"
[ -e /sys/kernel/btf/citadel ] && [ -e /sys/kernel/security/citadel/policy ]
tap $? "module BTF and securityfs present"

refused citadelctl start
tap $? "start: exit 1 and the one sentence"
nothing_pinned
tap $? "start: nothing pinned under /sys/fs/bpf"
# Each loaded Citadel program holds a module reference (its kfuncs).
[ "$(cat /sys/module/citadel/refcnt)" = 0 ]
tap $? "start: no program holds the module (refcnt $(cat /sys/module/citadel/refcnt))"
refused citadelctl start
tap $? "start again: the same refusal"
citadelctl stop >/tmp/out 2>&1 && grep -q "not started" /tmp/out
tap $? "stop: citadel is not started"
rmmod citadel && [ ! -e /sys/kernel/security/citadel ]
tap $? "rmmod citadel"

echo "1..$n"
exit $failed
