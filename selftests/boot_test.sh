#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot integration, in the VM (TAP): dist/citadel.init and
# dist/citadel-boot, played the way init plays them, with a defaults file,
# a state directory and policies of the test's own. Runs from the
# directory holding citadelctl, citadel_probe, signing/ and dist/, with
# citadel.ko loaded (hooks attached or not: citadel-boot attaches them).
# It never seals. It leaves the hooks attached and no policy loaded, as
# the suites after it expect; c2.der (signing/) stays enrolled until
# rmmod.
#
# Denials are read from citadel_probe's exit status: 1 is EPERM; a
# connect the policy let through to 192.0.2.1 fails with ENETUNREACH
# (101), since the VM has no route there.
cd "$(dirname "$0")" || exit 1
export PATH="$PWD:$PATH"
. ./tap.sh
W=/tmp/boottest
SFS=/sys/kernel/security/citadel
BOOT=$PWD/dist/citadel-boot
EPERM=1
ENETUNREACH=101
case=0
pids=

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	citadelctl unload >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT

finish() {
	echo "1..$n"
	exit $failed
}

# A file's lines as TAP comments.
show() {
	sed 's/^/#   /' "$1"
}

# A value of the module's status file.
st() {
	sed -n "s/^$1 //p" "$SFS/status"
}

# in_force NAME VERSION: is that policy loaded?
in_force() {
	[ "$(st state)" = loaded ] && [ "$(st name)" = "$1" ] && [ "$(st version)" = "$2" ]
}

# Writes $W/defaults, the /etc/default/citadel of this test: the common
# settings, then each argument as a line. (citadelctl and the kernel log
# device come from the environment, run(): the file names no program.)
defaults() {
	{
		echo "CITADEL_POLICY=$W/etc/policy.cpol"
		echo "CITADEL_KEYS_DIR=$W/keys"
		echo "CITADEL_STATE_DIR=$W/state"
		echo "CITADEL_LOCKDOWN_POLICY=$PWD/dist/lockdown.conf"
		for line in "$@"; do
			echo "$line"
		done
	} >"$W/defaults"
}

# run CMD...: runs it with $W/defaults; its status in $rc, its output in
# $W/out, the citadel-boot lines it added to the kernel log in $W/kmsg
# (after a marker of its own: the ring may have wrapped since boot).
run() {
	case=$((case + 1))
	echo "<6>boot_test: case $case begins" >/dev/kmsg
	CITADEL_DEFAULTS=$W/defaults CITADEL_BOOT=$BOOT \
		CITADEL_CTL=$PWD/citadelctl CITADEL_KMSG=/dev/kmsg \
		CITADEL_CMDLINE=${CMDLINE:-/proc/cmdline} "$@" >"$W/out" 2>&1
	rc=$?
	dmesg | awk -v m="boot_test: case $case begins" \
		'index($0, m) { on = 1; next } on && /citadel-boot:/' >"$W/kmsg"
	echo "# $* -> exit $rc"
	show "$W/out"
	[ -s "$W/kmsg" ] && echo "# kernel log:" && show "$W/kmsg"
	return 0
}

# logged TEXT: does a citadel-boot line of the last run hold TEXT?
logged() {
	grep -qF "$1" "$W/kmsg"
}

# probe EXPECTED_STATUS PROGRAM ARGS...: citadel_probe (or a copy) ARGS.
probe() {
	want=$1
	shift
	"$@" >/dev/null 2>&1
	got=$?
	[ "$got" -eq "$want" ] || echo "# $* exited $got, expected $want"
	[ "$got" -eq "$want" ]
}

[ -e "$SFS/status" ]
rc=$?
tap $rc "citadel.ko is loaded"
[ $rc -eq 0 ] || finish
citadelctl unload >/dev/null 2>&1

# --- The device's files ----------------------------------------------------
rm -rf "$W"
mkdir -p "$W/etc" "$W/keys" "$W/state"
# The service: a copy of citadel_probe that is the entry of boot-svc.
cp citadel_probe "$W/svc"
policy() {	# policy VERSION: boot-good at that version, as $W/good-vVERSION.cpol
	cat >"$W/good.conf" <<-EOF
	policy boot-good version $1
	global {
	    exec /
	    libs /
	}
	service boot-svc {
	    exec $W/svc
	    connect tcp 192.0.2.1 port 80
	}
	EOF
	citadelctl compile "$W/good.conf" -o "$W/good-v$1.cpol"
}
policy 1 && policy 2
tap $? "test policies compile"
cp "$W/good-v1.cpol" "$W/etc/policy.cpol"
# Not a policy the kernel takes: a good blob cut in half.
head -c "$(($(wc -c <"$W/good-v1.cpol") / 2))" "$W/good-v1.cpol" >"$W/garbage.cpol"

# --- a. The policy is in force before the first service starts -----------
defaults
run dist/citadel.init start
[ $rc -eq 0 ] && in_force boot-good 1 && [ -d /sys/fs/bpf/citadel ]
tap $? "citadel.init start: exit 0, hooks attached, boot-good version 1 in force"
[ ! -s "$W/kmsg" ]
tap $? "a clean start writes no alarm to the kernel log"
# init now starts the service.
probe $ENETUNREACH "$W/svc" connect tcp 192.0.2.1 80
tap $? "the service (entry of boot-svc) may connect to 192.0.2.1:80 (ENETUNREACH: allowed, no route)"
probe $EPERM "$W/svc" connect tcp 192.0.2.2 80
tap $? "the service's forbidden connect (192.0.2.2:80) is denied with EPERM"
probe $EPERM ./citadel_probe connect tcp 192.0.2.1 80
tap $? "a task without the service's label cannot use its rule (EPERM)"
probe $ENETUNREACH "$W/svc" fork connect tcp 192.0.2.1 80
tap $? "the service's child keeps the label"

# --- b. The last good policy ------------------------------------------------
cmp "$W/etc/policy.cpol" "$W/state/last-good.cpol"
tap $? "the policy that loaded at boot is saved as last-good.cpol"
# A reboot (no policy) after a bad push.
citadelctl unload >/dev/null
cp "$W/garbage.cpol" "$W/etc/policy.cpol"
run "$BOOT" start
[ $rc -eq 0 ] && in_force boot-good 1
tap $? "a refused policy file at boot: the last good policy is in force, exit 0"
grep -q "policy $W/etc/policy.cpol was refused: ." "$W/kmsg" &&
	logged "running the last good policy instead of $W/etc/policy.cpol"
tap $? "the kernel log names the refused file, the reason and the last good policy"
cmp "$W/good-v1.cpol" "$W/state/last-good.cpol"
tap $? "last-good.cpol is still the good policy"
probe $EPERM "$W/svc" connect tcp 192.0.2.2 80
tap $? "the last good policy enforces (the service's forbidden connect: EPERM)"

# reload of a bad push: the policy in force stays.
citadelctl load "$W/good-v1.cpol" >/dev/null
run "$BOOT" reload
[ $rc -eq 1 ] && in_force boot-good 1 && logged "the policy in force stays" &&
	logged "policy $W/etc/policy.cpol was refused"
tap $? "citadel-boot reload of a refused file: exit 1, the policy stays, a loud line"
# reload of a good push (through the init script): in force, saved.
cp "$W/good-v2.cpol" "$W/etc/policy.cpol"
run dist/citadel.init reload
[ $rc -eq 0 ] && in_force boot-good 2 && cmp "$W/good-v2.cpol" "$W/state/last-good.cpol"
tap $? "citadel.init reload of a good file: exit 0, version 2 in force and saved as last good"

# A policy file written as text is compiled; the blob is what is saved.
defaults "CITADEL_POLICY=$W/good.conf"
run "$BOOT" reload
[ $rc -eq 0 ] && in_force boot-good 2 && cmp "$W/good-v2.cpol" "$W/state/last-good.cpol"
tap $? "a policy file in text (.conf) loads, and last-good.cpol is its compiled blob"

# --- c. Nothing to load, fallback open ----------------------------------------
citadelctl unload >/dev/null
mkdir -p "$W/empty"
defaults "CITADEL_POLICY=$W/etc/missing.cpol" "CITADEL_STATE_DIR=$W/empty" \
	"CITADEL_FALLBACK=open"
run "$BOOT" start
[ $rc -eq 1 ] && [ "$(st state)" = none ] && [ -d /sys/fs/bpf/citadel ]
tap $? "no policy file, no last good, fallback open: exit 1, no policy loaded"
logged "$W/etc/missing.cpol is missing" && logged "UNCONFINED"
tap $? "the kernel log says the file is missing and the device runs UNCONFINED"

# --- d. Nothing to load, fallback lockdown ----------------------------------
# A loopback listener, opened before the lockdown (busybox nc binds
# 0.0.0.0, which the lockdown refuses).
nc -l -p 7171 >/dev/null 2>&1 &
pids="$pids $!"
i=0
until netstat -ltn | grep -q ":7171 " || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
defaults "CITADEL_POLICY=$W/etc/missing.cpol" "CITADEL_STATE_DIR=$W/empty" \
	"CITADEL_FALLBACK=lockdown"
run "$BOOT" start
[ $rc -eq 0 ] && in_force lockdown 0 && logged "LOCKDOWN"
tap $? "no policy file, no last good, fallback lockdown: exit 0, lockdown in force, a LOCKDOWN line"
probe $EPERM ./citadel_probe connect tcp 192.0.2.1 80
tap $? "lockdown: a connect to 192.0.2.1:80 is denied with EPERM"
probe 0 ./citadel_probe connect tcp 127.0.0.1 7171
tap $? "lockdown: a connect to the listener on 127.0.0.1:7171 works"
probe 0 ./citadel_probe listen tcp 127.0.0.1 7272 &&
	probe $EPERM ./citadel_probe listen tcp 0.0.0.0 7272
tap $? "lockdown: listening on 127.0.0.1 works, on 0.0.0.0 is denied (EPERM)"
# A lockdown policy that does not compile: loud (each error too), open.
citadelctl unload >/dev/null
{
	echo "policy broken version 0"
	echo "global {"
	echo "    exec /"
	i=0
	while [ $i -lt 12 ]; do
		echo "    connect tcp 300.1.1.$i port 80"
		i=$((i + 1))
	done
	echo "}"
} >"$W/broken.conf"
defaults "CITADEL_POLICY=$W/etc/missing.cpol" "CITADEL_STATE_DIR=$W/empty" \
	"CITADEL_FALLBACK=lockdown" "CITADEL_LOCKDOWN_POLICY=$W/broken.conf"
run "$BOOT" start
[ $rc -eq 1 ] && [ "$(st state)" = none ] &&
	logged "lockdown policy $W/broken.conf does not compile" &&
	logged "invalid IPv4 address '300.1.1.11'" && logged UNCONFINED
tap $? "a lockdown policy that does not compile: exit 1, unconfined, its errors in the kernel log"

# --- e. Signed policy, its key enrolled at boot ----------------------------
# c2.der: signing_test checks it is never enrolled; it runs before this.
fp=$(sha256sum signing/c2.der | cut -d' ' -f1)
grep -q "^$fp " "$SFS/keys"
enrolled_before=$?
cp signing/c2.der "$W/keys/"
cp signing/p-signed2.cpol "$W/etc/signed.cpol"
defaults "CITADEL_POLICY=$W/etc/signed.cpol"
run "$BOOT" start
[ $enrolled_before -ne 0 ] && [ $rc -eq 0 ] && grep -q "^$fp " "$SFS/keys" &&
	in_force signed2 1 && [ "$(st signature)" = signed ]
tap $? "CITADEL_KEYS_DIR: c2.der is enrolled before the load, the policy it signed is in force"

# --- f. The init script ----------------------------------------------------
run dist/citadel.init status
[ $rc -eq 0 ] && grep -q "signed2 version 1" "$W/out"
tap $? "citadel.init status: exit 0, shows the policy"
run dist/citadel.init stop
[ $rc -eq 0 ] && in_force signed2 1
tap $? "citadel.init stop: exit 0, the policy stays in force"
run dist/citadel.init frobnicate
[ $rc -eq 3 ] && grep -q "^Usage: " "$W/out"
tap $? "citadel.init with an unknown action: exit 3 and its usage"

# --- g. Settings with typos ------------------------------------------------
citadelctl unload >/dev/null
defaults "CITADEL_POLICY=$W/etc/missing.cpol" "CITADEL_STATE_DIR=$W/empty" \
	"CITADEL_FALLBACK=lockdwn"
run "$BOOT" start
[ $rc -eq 1 ] && [ "$(st state)" = none ] &&
	logged "CITADEL_FALLBACK=lockdwn is neither open nor lockdown: treated as open" &&
	logged UNCONFINED
tap $? "CITADEL_FALLBACK=lockdwn: treated as open, exit 1, loud lines"
defaults "CITADEL_SEAL=maybe"
run "$BOOT" start
[ $rc -eq 0 ] && in_force boot-good 2 && [ "$(st sealed)" = no ] &&
	logged "CITADEL_SEAL=maybe is not one of no, yes, without-keys: not sealing"
tap $? "CITADEL_SEAL=maybe: the policy loads, not sealed, a loud line"

# --- h. Settings are read, never run ------------------------------------------
citadelctl unload >/dev/null
rm -f /tmp/boottest-pwned
# shellcheck disable=SC2016 # the $(...) is the attack, for the file
defaults 'CITADEL_POLICY=$(touch /tmp/boottest-pwned)' "CITADEL_FROB=1" \
	"touch /tmp/boottest-pwned" "CITADEL_POLICY=\"$W/good-v1.cpol\""
run "$BOOT" start
[ $rc -eq 0 ] && [ ! -e /tmp/boottest-pwned ] && in_force boot-good 1 &&
	logged "defaults:5: CITADEL_POLICY: the value may hold only letters" &&
	logged "defaults:6: unknown setting 'CITADEL_FROB'" &&
	logged "defaults:7: not KEY=VALUE"
tap $? "settings with shell syntax or unknown keys: nothing runs, each line is refused loudly, a quoted value is read"

# --- i. A device that was sealed stays sealed, across the reboot --------------
# The module writes these files while sealed; here the test does, since
# this suite never seals.
citadelctl unload >/dev/null
mkdir -p "$W/sealed"
echo sealed >"$W/sealed/sealed"
floor() {	# floor NAME VERSION: the module's record, newline-padded
	{ echo "$1 $2"; i=0; while [ $i -lt 100 ]; do echo; i=$((i + 1)); done; } \
		>"$W/sealed/floor"
}
floor boot-good 2
cp "$W/good-v1.cpol" "$W/sealed/policy.cpol"
cp "$W/good-v2.cpol" "$W/sealed/last-good.cpol"
defaults "CITADEL_POLICY=$W/sealed/policy.cpol" "CITADEL_STATE_DIR=$W/sealed"
run "$BOOT" start
[ $rc -eq 0 ] && in_force boot-good 2 &&
	logged "$W/sealed/policy.cpol is version 1, below the floor 2 of this sealed device: not loaded (no rollback)"
tap $? "floor boot-good 2: the policy file at version 1 is refused, the last good at version 2 loads"
citadelctl unload >/dev/null
floor boot-good 1
run "$BOOT" start
[ $rc -eq 0 ] && in_force boot-good 1
tap $? "floor boot-good 1: the policy file at the floor loads"
citadelctl unload >/dev/null
floor boot-other 1
defaults "CITADEL_POLICY=$W/sealed/policy.cpol" "CITADEL_STATE_DIR=$W/sealed" \
	"CITADEL_FALLBACK=open"
run "$BOOT" start
[ $rc -eq 0 ] && in_force lockdown 0 &&
	logged "is policy boot-good, but this sealed device runs boot-other" &&
	logged "the fallback is lockdown, not CITADEL_FALLBACK=open"
tap $? "floor of another role, fallback open: neither policy loads, lockdown, not open"
citadelctl unload >/dev/null
rm "$W/sealed/floor"
run "$BOOT" start
[ $rc -eq 0 ] && in_force lockdown 0 &&
	logged "floor is missing or unreadable: no policy but the lockdown one loads"
tap $? "sealed once and the floor gone: lockdown"
# A maintenance boot: citadel.seal=no on the kernel command line.
citadelctl unload >/dev/null
rm -rf "$W/sealed"
echo "console=ttyS0 citadel.seal=no quiet" >"$W/cmdline"
defaults "CITADEL_SEAL=yes"
CMDLINE=$W/cmdline
run "$BOOT" start
CMDLINE=
[ $rc -eq 0 ] && in_force boot-good 2 && [ "$(st sealed)" = no ] &&
	logged "citadel.seal=no on the kernel command line: a maintenance boot, NOT SEALED"
tap $? "citadel.seal=no on the kernel command line: the policy loads, not sealed, a loud line"

citadelctl unload >/dev/null
[ "$(st state)" = none ] && [ -d /sys/fs/bpf/citadel ]
tap $? "left as found: hooks attached, no policy"
finish
