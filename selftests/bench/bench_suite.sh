#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the benchmark VM (booted with -icount, see scripts/bench.sh)
# from a directory holding citadel.ko, citadelctl, bench_net and the
# net-N.cpol / policy-*.cpol files. Prints one "BENCH key=value ..." (or
# EXEC, HASH, ALT) line per configuration; the host turns them into the
# table.
cd "$(dirname "$0")" || exit 1
export PATH="$PWD:$PATH"
ROUNDS=${ROUNDS:-9}
CONNECTS=${CONNECTS:-200}
SENDS=${SENDS:-2000}

# Pitfalls measured in KERNEL-NOTES: TIME_WAIT pile-up and ASLR noise.
echo 0 > /proc/sys/net/ipv4/tcp_max_tw_buckets
echo 0 > /proc/sys/kernel/randomize_va_space
insmod ./citadel.ko || exit 1

FORKS=${FORKS:-60}
BINDS=${BINDS:-400}

measure() {
	c=$(bench_net connect "$ROUNDS" "$CONNECTS") || exit 1
	s=$(bench_net sendto "$ROUNDS" "$SENDS") || exit 1
	u=$(bench_net send "$ROUNDS" "$SENDS") || exit 1
}
HOOKCALLS=${HOOKCALLS:-2000}
# The seal's hooks: setsockopt, a socket ioctl, a netlink request, a
# send with a control message. One "HOOKS config=..." line.
measure_hooks() {
	so=$(bench_net setsockopt "$ROUNDS" "$HOOKCALLS") || exit 1
	io=$(bench_net ioctl "$ROUNDS" "$HOOKCALLS") || exit 1
	nl=$(bench_net netlink "$ROUNDS" "$HOOKCALLS") || exit 1
	cm=$(bench_net cmsg "$ROUNDS" "$HOOKCALLS") || exit 1
	echo "HOOKS config=$1 setsockopt_ns=$so ioctl_ns=$io netlink_ns=$nl cmsg_ns=$cm"
}
measure_exec() {
	fe=$(bench_net forkexec "$ROUNDS" "$FORKS" "$PWD/nop") || exit 1
	b=$(bench_net bind "$ROUNDS" "$BINDS") || exit 1
}

# Warm-up, not reported: work the kernel defers after boot and module
# loads (crypto self-tests, for one) must not land in the baseline.
measure
sleep 2
# Baseline: no hooks attached at all; then hooks with no policy loaded.
measure
measure_exec
echo "BENCH config=baseline rules=0 connect_ns=$c sendto_ns=$s send_ns=$u load_ns=0 memory=0"
echo "EXEC config=baseline rules=0 forkexec_ns=$fe bind_ns=$b"
measure_hooks baseline
citadelctl start >/dev/null || exit 1
measure
measure_exec
echo "BENCH config=hooks rules=0 connect_ns=$c sendto_ns=$s send_ns=$u load_ns=0 memory=0"
echo "EXEC config=hooks rules=0 forkexec_ns=$fe bind_ns=$b"
# One policy file: its load time, memory and the three workloads.
# measure_policy CONFIG FILE: FILE is PREFIX-N.cpol for N rules.
measure_policy() {
	n=${2#*-}
	n=${n%.cpol}
	load=$(bench_net load "$2" 5) || exit 1
	mem=$(sed -n 's/^policy_memory //p' /sys/kernel/security/citadel/status)
	measure
	denied=$(sed -n 's/^connect_denied //p' /sys/kernel/security/citadel/status)
	echo "BENCH config=$1 rules=$n connect_ns=$c sendto_ns=$s send_ns=$u load_ns=$load memory=$mem denied=$denied"
}
for p in net-*.cpol; do
	measure_policy policy "$p"
done
measure_hooks citadel
# The same rules in a service bench_net enters (scripts/bench.sh).
for p in svc-*.cpol; do
	[ -e "$p" ] && measure_policy service "$p"
done

# Exec and listen: N exec path rules, then N listen rules (N = 10, 1,000,
# 10,000: whatever policy-exec-paths-N / policy-listen-N files are here);
# a sha256 rule hit from the cache; the first exec of a 10 MB binary
# under a hash rule.
for p in policy-exec-paths-*.cpol policy-listen-*.cpol policy-exec-hash.cpol; do
	[ -e "$p" ] || continue
	cfg=${p#policy-}
	cfg=${cfg%.cpol}
	n=${cfg##*-}
	case $n in
	*[!0-9]*) n=6 ;;	# exec-hash: six exec rules, two of them sha256
	*) cfg=${cfg%-*} ;;
	esac
	bench_net load "$p" 1 >/dev/null || exit 1
	bench_net exec1 "$PWD/nop" >/dev/null || exit 1	# primes the hash cache
	measure_exec
	echo "EXEC config=$cfg rules=$n forkexec_ns=$fe bind_ns=$b"
done
bench_net load policy-exec-hash.cpol 1 >/dev/null || exit 1
first=$(bench_net exec1 "$PWD/big") || exit 1
again=$(bench_net exec1 "$PWD/big") || exit 1
size=$(wc -c <big)
echo "HASH size=$size first_ns=$first cached_ns=$again"

# The alternatives, in the same boot, with Citadel's hooks detached:
# an empty BPF LSM program (the floor of any BPF LSM design), cgroup LPM
# programs with the policies' destinations (systemd's IPAddressAllow=),
# nftables with the same rules in one set, and Landlock TCP connect rules
# by port (6.7+ kernels).
citadelctl unload >/dev/null && citadelctl stop >/dev/null || exit 1
mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
# The baseline again, now that Citadel has been attached and detached:
# the alternatives are compared with this one.
measure
echo "ALT config=baseline rules=0 connect_ns=$c sendto_ns=$s send_ns=$u"
bench_alt empty || exit 1
measure
echo "ALT config=empty-lsm rules=0 connect_ns=$c sendto_ns=$s send_ns=$u"
measure_hooks empty-lsm
bench_alt off
measure_hooks baseline2
for f in cidrs-*.txt; do
	n=${f#cidrs-}
	n=${n%.txt}
	bench_alt lpm "$f" >/dev/null || exit 1
	measure
	echo "ALT config=cgroup-lpm rules=$n connect_ns=$c sendto_ns=$s send_ns=$u"
	bench_alt off
done
# nftables: one set of the same rules, in the output chain.
nft() {
	./nft/ld-linux-x86-64.so.2 --library-path ./nft ./nft/nft "$@"
}
if [ -x nft/nft ]; then
	for f in nft-*.nft; do
		n=${f#nft-}
		n=${n%.nft}
		if ! nft -f "$f"; then
			echo "ALT config=nftables-set rules=$n connect_ns=-1 sendto_ns=-1 send_ns=-1"
			continue
		fi
		measure
		echo "ALT config=nftables-set rules=$n connect_ns=$c sendto_ns=$s send_ns=$u"
		nft delete table inet citadel_bench || exit 1
	done
fi
for n in 10 1000 10000; do	# as ALT_SIZES in scripts/bench.sh
	c=$(BENCH_PORT=7777 bench_alt landlock "$n" 7777 bench_net connect "$ROUNDS" "$CONNECTS")
	rc=$?
	# 3: this kernel has no Landlock TCP rules (before 6.7).
	[ $rc -eq 3 ] && c=-1
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || exit 1
	echo "ALT config=landlock rules=$n connect_ns=$c sendto_ns=-1 send_ns=-1"
done

# Last, one way until reboot: sealed, the netconf checks walk every
# netlink message and classify every socket ioctl. The same policy of
# 10,000 rules as above (its netconf: none).
citadelctl start >/dev/null && bench_net load net-10000.cpol 1 >/dev/null &&
	citadelctl seal --without-keys >/dev/null || exit 1
measure
echo "BENCH config=sealed rules=10000 connect_ns=$c sendto_ns=$s send_ns=$u load_ns=0 memory=0"
measure_hooks sealed
