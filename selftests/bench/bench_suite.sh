#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the benchmark VM (booted with -icount, see scripts/bench.sh)
# from a directory holding citadel.ko, citadelctl, bench_net and
# policy-N.cpol files. Prints one "BENCH key=value ..." line per
# configuration; the host turns them into the table.
cd "$(dirname "$0")" || exit 1
export PATH="$PWD:$PATH"
ROUNDS=${ROUNDS:-9}
CONNECTS=${CONNECTS:-200}
SENDS=${SENDS:-2000}

# Pitfalls measured in KERNEL-NOTES: TIME_WAIT pile-up and ASLR noise.
echo 0 > /proc/sys/net/ipv4/tcp_max_tw_buckets
echo 0 > /proc/sys/kernel/randomize_va_space
insmod ./citadel.ko || exit 1

measure() {
	c=$(bench_net connect "$ROUNDS" "$CONNECTS") || exit 1
	s=$(bench_net sendto "$ROUNDS" "$SENDS") || exit 1
}

# Baseline: no hooks attached at all; then hooks with no policy loaded.
measure
echo "BENCH config=baseline rules=0 connect_ns=$c sendto_ns=$s load_ns=0 memory=0"
citadelctl start >/dev/null || exit 1
measure
echo "BENCH config=hooks rules=0 connect_ns=$c sendto_ns=$s load_ns=0 memory=0"
for p in policy-*.cpol; do
	n=${p#policy-}
	n=${n%.cpol}
	load=$(bench_net load "$p" 5) || exit 1
	mem=$(sed -n 's/^policy_memory //p' /sys/kernel/security/citadel/status)
	measure
	denied=$(sed -n 's/^connect_denied //p' /sys/kernel/security/citadel/status)
	echo "BENCH config=policy rules=$n connect_ns=$c sendto_ns=$s load_ns=$load memory=$mem denied=$denied"
done
