#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: connect(), sendto() and connected send() cost, policy load
# time and memory with 0, 10, 1,000, 10,000 and 100,000 rules;
# bind()+listen() and fork+exec with
# 10, 1,000 and 10,000 listen and exec rules; in one VM boot per kernel
# under QEMU -icount (guest time follows executed instructions:
# repeatable, not wall time). Prints a table with ratios to the no-policy
# baseline, writes build/bench/results-<kernel>.json and, with gnuplot,
# build/bench/connect-<kernel>.png and exec-bind-<kernel>.png.
#   CITADEL_BENCH_KERNELS (default "6.1"), ROUNDS, CONNECTS, SENDS, FORKS,
#   BINDS.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
OUT=$BUILD/bench
KERNELS=${CITADEL_BENCH_KERNELS:-6.1}
# Citadel's connect/sendto/load/memory rows; the alternatives (cgroup LPM,
# nftables, Landlock) at ALT_SIZES; exec and listen rules at EXEC_SIZES.
# 100,000 network rules are a 2 MB blob (CPOL_MAX_BLOB is 16 MiB).
SIZES="10 1000 10000 100000"
ALT_SIZES="10 1000 10000"
EXEC_SIZES="10 1000 10000"
mkdir -p "$OUT"

# A policy of N rules: the loopback destinations the benchmark uses,
# then filler hosts and networks that never match, IPv4 and IPv6.
gen_policy() {
	local n=$1 i
	echo "policy bench-$n version 1"
	echo "global {"
	echo "    exec /"
	echo "    libs /lib/"
	echo "    listen tcp 1024-65535 on 127.0.0.1"
	echo "    listen udp 9 on 127.0.0.1"	# bench_net sendto's receiver
	echo "    connect tcp 127.0.0.1"
	echo "    connect udp 127.0.0.1 port 9"
	for ((i = 2; i < n; i++)); do
		if ((i % 4 == 3 && i < 65536)); then
			printf '    connect tcp 2001:db8:%x::/48 port 443\n' "$i"
		elif ((i % 4 == 3)); then
			# Past 16 bits of 2001:db8:X::/48 (100,000 rules).
			printf '    connect tcp fd00:%x:%x::/48 port 443\n' \
				$((i / 65536)) $((i % 65536))
		elif ((i % 4 == 2)); then
			printf '    connect udp %d.%d.%d.0/24 port 53\n' \
				$((10 + i / 65536)) $((i / 256 % 256)) $((i % 256))
		else
			printf '    connect tcp 10.%d.%d.%d port %d\n' \
				$((i / 65536 % 256)) $((i / 256 % 256)) \
				$((i % 256)) $((1000 + i % 5000))
		fi
	done
	echo "}"
}

# gen_policy N with its connect rules in a service that bench_net (in
# /citadel in the guest) enters: what a labelled task pays, its label
# read and its service found after the global rules have no match.
gen_service_policy() {
	gen_policy "$1" | awk '
	/^policy / { sub(/bench-/, "bench-service-") }
	/^    connect / { svc = svc $0 "\n"; next }
	{ print }
	END { printf "service bench {\n    exec /citadel/bench_net\n%s}\n", svc }'
}

# The same destinations as gen_policy N, as CIDRs, for the cgroup LPM
# alternative (which, like systemd's IPAddressAllow=, has no ports).
gen_cidrs() {
	local n=$1 i
	echo "127.0.0.1/32"
	for ((i = 2; i < n; i++)); do
		if ((i % 4 == 3)); then
			printf '2001:db8:%x::/48\n' "$i"
		elif ((i % 4 == 2)); then
			printf '10.%d.%d.0/24\n' $((i / 256 % 256)) $((i % 256))
		else
			printf '10.%d.%d.%d/32\n' $((i / 65536 % 256)) \
				$((i / 256 % 256)) $((i % 256))
		fi
	done
}

# The same rules as gen_policy N in nftables sets (the usual way to keep
# a large allowlist in nftables), one per protocol and family: the output
# chain checks new TCP connections and every UDP datagram against them.
# (A meta l4proto key inside a concatenation is refused on these kernels.)
gen_nft() {
	local n=$1 i
	echo "table inet citadel_bench {"
	echo "  set tcp4 { type ipv4_addr . inet_service; flags interval; elements = {"
	echo "    127.0.0.1 . 0-65535"
	for ((i = 2; i < n; i++)); do
		((i % 4 == 2 || i % 4 == 3)) && continue
		printf '    , 10.%d.%d.%d . %d\n' $((i / 65536 % 256)) \
			$((i / 256 % 256)) $((i % 256)) $((1000 + i % 5000))
	done
	echo "  } }"
	echo "  set udp4 { type ipv4_addr . inet_service; flags interval; elements = {"
	echo "    127.0.0.1 . 9"
	for ((i = 2; i < n; i += 4)); do
		printf '    , 10.%d.%d.0/24 . 53\n' $((i / 256 % 256)) $((i % 256))
	done
	echo "  } }"
	echo "  set tcp6 { type ipv6_addr . inet_service; flags interval; elements = {"
	echo "    ::1 . 1"
	for ((i = 3; i < n; i += 4)); do
		printf '    , 2001:db8:%x::/48 . 443\n' "$i"
	done
	echo "  } }"
	echo "  chain out {"
	echo "    type filter hook output priority 0; policy accept;"
	echo "    tcp flags & (syn | ack) != syn accept"
	echo "    ip protocol tcp ip daddr . th dport @tcp4 accept"
	echo "    ip protocol udp ip daddr . th dport @udp4 accept"
	echo "    ip6 nexthdr tcp ip6 daddr . th dport @tcp6 accept"
	echo "    meta l4proto { tcp, udp } drop"
	echo "  }"
	echo "}"
}

# nft and its libraries for the VM (run through the sysroot's loader).
copy_nft() {
	local dir=$1/nft lib
	if ! command -v nft >/dev/null; then
		echo "bench: nft is not installed, no nftables comparison (apt-get install nftables)"
		return 0
	fi
	mkdir -p "$dir"
	cp "$(command -v nft)" "$dir/"
	for lib in $(ldd "$(command -v nft)" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'); do
		cp -L "$lib" "$dir/"
	done
}

# The exec benchmarks' policies: only what the benchmark runs may run.
exec_preamble() {
	echo "policy bench-$1 version 1"
	echo "global {"
	echo "    exec /bin/busybox"
	echo "    exec $2/citadelctl"
	echo "    exec $2/bench_net"
	echo "    exec $2/bench_suite.sh"
	echo "    libs /lib/"
	echo "    connect tcp 127.0.0.1"
	echo "    connect udp 127.0.0.1 port 9"
	echo "    listen tcp 7777 on 127.0.0.1"
}
# N exec path rules (the six the benchmark runs, then filler paths that
# never match) and N listen rules (port 7777, which bench_net bind uses,
# then filler ports and addresses), for each of EXEC_SIZES; and a sha256
# rule for the programs fork+exec runs.
gen_exec_policies() {
	local out=$1 dir=$2 n i
	for n in $EXEC_SIZES; do
		{
			exec_preamble "exec-paths-$n" "$dir"
			echo "    exec $dir/nop"
			echo "    exec $dir/big"
			for ((i = 6; i < n; i++)); do
				printf '    exec /opt/app%d/bin/tool%d\n' $((i / 100)) "$i"
			done
			echo "}"
		} >"$out/policy-exec-paths-$n.conf"
		{
			exec_preamble "listen-$n" "$dir"
			echo "    exec $dir/nop"
			for ((i = 1; i < n; i++)); do
				printf '    listen tcp %d on 127.0.%d.%d\n' $((10000 + i)) \
					$((i / 250)) $((i % 250 + 1))
			done
			echo "}"
		} >"$out/policy-listen-$n.conf"
	done
	{
		exec_preamble exec-hash "$dir"
		echo "    exec $dir/nop sha256:$(sha256sum "$BUILD/nop" | cut -d' ' -f1)"
		echo "    exec $dir/big sha256:$(sha256sum "$BUILD/big" | cut -d' ' -f1)"
		echo "}"
	} >"$out/policy-exec-hash.conf"
}

# Two PNGs, when gnuplot is here: the added cost of a connect() against
# the rule count, next to the alternatives; the added cost of bind()+listen()
# and of fork+exec against the number of listen and exec rules.
plot() {
	local log=$1 k=$2
	local dat=$OUT/plot-$k.dat edat=$OUT/plot-exec-$k.dat empty landlock
	if ! command -v gnuplot >/dev/null; then
		echo "bench: gnuplot is not installed, no plot (apt-get install gnuplot-nox)"
		return 0
	fi
	awk -v edat="$edat" '
	function val(line, key,   i, n, f, kv) {
		n = split(line, f, " ")
		for (i = 2; i <= n; i++) {
			split(f[i], kv, "="); if (kv[1] == key) return kv[2]
		}
	}
	/^BENCH config=baseline/ { base = val($0, "connect_ns") }
	/^BENCH config=policy/ { n = val($0, "rules"); ns[++cnt] = n
		cit[n] = val($0, "connect_ns") }
	/^ALT config=cgroup-lpm/ { lpm[val($0, "rules")] = val($0, "connect_ns") }
	/^ALT config=landlock/ { ll[val($0, "rules")] = val($0, "connect_ns") }
	/^ALT config=empty-lsm/ { empty = val($0, "connect_ns") }
	/^ALT config=baseline/ { base2 = val($0, "connect_ns") }
	/^ALT config=nftables-set/ { nft[val($0, "rules")] = val($0, "connect_ns") }
	/^EXEC config=baseline/ { fe0 = val($0, "forkexec_ns"); bd0 = val($0, "bind_ns") }
	/^EXEC config=hooks/ { feh = val($0, "forkexec_ns"); bdh = val($0, "bind_ns") }
	/^EXEC config=exec-paths/ { n = val($0, "rules"); xs[++xcnt] = n
		fe[n] = val($0, "forkexec_ns") }
	/^EXEC config=listen/ { bd[val($0, "rules")] = val($0, "bind_ns") }
	END {
		if (!base2)
			base2 = base
		for (i = 1; i <= cnt; i++) {
			n = ns[i]
			printf "%d %d %s %s %d %s\n", n, cit[n] - base,
			    (n in lpm) ? lpm[n] - base2 : "NaN",
			    (n in ll && ll[n] >= 0) ? ll[n] - base2 : "NaN", empty - base2,
			    (n in nft && nft[n] >= 0) ? nft[n] - base2 : "NaN"
		}
		for (i = 1; i <= xcnt; i++) {
			n = xs[i]
			printf "%d %d %s %d %d\n", n, fe[n] - fe0,
			    (n in bd) ? bd[n] - bd0 : "NaN", feh - fe0, bdh - bd0 > edat
		}
	}' "$log" >"$dat"
	empty=$(awk 'NR == 1 { print $5 }' "$dat")
	# Landlock TCP rules only on 6.7+ kernels: no line without data.
	landlock=''
	if awk '$4 != "NaN" { found = 1 } END { exit !found }' "$dat"; then
		landlock='"" using 1:4 with linespoints title "Landlock TCP port rules", '
	fi
	gnuplot <<EOF
set terminal png size 800,500
set output "$OUT/connect-$k.png"
set datafile missing "NaN"
set logscale x
set xrange [5:200000]
set yrange [0:*]
set offsets 0, 0, graph 0.3, 0
set key top left Left reverse
set xlabel "rules"
set ylabel "added ns per TCP connect() (QEMU -icount)"
set title "Added cost of a loopback connect(), Debian $k"
plot "$dat" using 1:2 with linespoints title "Citadel", \
     "" using 1:3 with linespoints title "cgroup connect4 + LPM trie (IPAddressAllow=)", \
     $landlock"" using 1:6 with linespoints title "nftables, one set", \
     $empty with lines dashtype 2 title "empty BPF LSM program"
EOF
	echo "plot: $OUT/connect-$k.png"
	[ -s "$edat" ] || return 0
	gnuplot <<EOF
set terminal png size 1000,450
set output "$OUT/exec-bind-$k.png"
set datafile missing "NaN"
set multiplot layout 1,2 title "Citadel: added cost against the rule count, Debian $k (QEMU -icount)"
set logscale x
set xrange [5:20000]
set yrange [0:*]
set key bottom right
set xlabel "listen rules"
set ylabel "added ns per bind()+listen()"
plot "$edat" using 1:3 with linespoints title "N listen rules", \
     "" using 1:5 with lines dashtype 2 title "hooks, no policy"
set xlabel "exec path rules"
set ylabel "added ns per fork+exec+wait"
plot "$edat" using 1:2 with linespoints title "N exec path rules", \
     "" using 1:4 with lines dashtype 2 title "hooks, no policy"
unset multiplot
EOF
	echo "plot: $OUT/exec-bind-$k.png"
}

make -s -C "$ROOT" all bench-bins
gcc -static -O2 -Wall -Wextra -o "$BUILD/bench_net" \
	"$ROOT/selftests/bench/bench_net.c"
gcc -static -O2 -o "$BUILD/nop" "$ROOT/selftests/bench/nop.c"
# A 10 MB executable: the small one, padded (ELF ignores the tail).
cp "$BUILD/nop" "$BUILD/big"
truncate -s 10M "$BUILD/big"

for k in $KERNELS; do
	files=$OUT/vm-$k
	"$ROOT/scripts/vm-files.sh" "$k" "$files" >/dev/null
	cp "$BUILD/bench_net" "$BUILD/nop" "$BUILD/big" "$OUT/bench_alt" \
		"$ROOT/selftests/bench/bench_suite.sh" "$files/"
	gen_exec_policies "$OUT" /citadel
	copy_nft "$files"
	rm -f "$files"/policy-*.cpol "$files"/net-*.cpol "$files"/svc-*.cpol \
		"$files"/cidrs-*.txt \
		"$files"/nft-*.nft
	for n in $EXEC_SIZES; do
		for p in "exec-paths-$n" "listen-$n"; do
			"$BUILD/citadelctl" compile "$OUT/policy-$p.conf" \
				-o "$files/policy-$p.cpol"
		done
	done
	"$BUILD/citadelctl" compile "$OUT/policy-exec-hash.conf" \
		-o "$files/policy-exec-hash.cpol"
	for n in $SIZES; do
		gen_policy "$n" >"$OUT/policy-$n.conf"
		"$BUILD/citadelctl" compile "$OUT/policy-$n.conf" \
			-o "$files/net-$n.cpol"
	done
	gen_service_policy 10000 >"$OUT/policy-service-10000.conf"
	"$BUILD/citadelctl" compile "$OUT/policy-service-10000.conf" \
		-o "$files/svc-10000.cpol"
	for n in $ALT_SIZES; do
		gen_cidrs "$n" >"$files/cidrs-$n.txt"
		gen_nft "$n" >"$files/nft-$n.nft"
	done
	log=$OUT/run-$k.log
	"$ROOT/selftests/vm/run.sh" --kernel "$k" --files "$files" --icount \
		--modules crc32c_generic,nf_tables \
		--timeout 1200 --log "$OUT/serial-$k.log" \
		-- "ROUNDS=${ROUNDS:-15} CONNECTS=${CONNECTS:-400} SENDS=${SENDS:-4000} FORKS=${FORKS:-60} BINDS=${BINDS:-400} ./bench_suite.sh" \
		| tee "$log"
	awk -v kernel="$k" -v json="$OUT/results-$k.json" '
	/^EXEC / {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); e[kv[1]] = kv[2] }
		key = e["config"] == "baseline" || e["config"] == "hooks" ? \
		    e["config"] : e["config"] " " e["rules"]
		erows[++ecnt] = key; er[key] = e["rules"]
		fe[key] = e["forkexec_ns"]; bd[key] = e["bind_ns"]
	}
	/^ALT / {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); a[kv[1]] = kv[2] }
		arows[++acnt] = a["config"] " " a["rules"]
		ac[a["config"] " " a["rules"]] = a["connect_ns"]
		as[a["config"] " " a["rules"]] = a["sendto_ns"]
		au[a["config"] " " a["rules"]] = a["send_ns"]
	}
	/^HASH / {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); h[kv[1]] = kv[2] }
	}
	/^HOOKS / {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); hk[kv[1]] = kv[2] }
		for (w = 1; w <= 4; w++)
			hv[hk["config"], w] = hk[hw[w] "_ns"]
	}
	BEGIN { hw[1] = "setsockopt"; hw[2] = "ioctl"; hw[3] = "netlink"; hw[4] = "cmsg" }
	/^BENCH / {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		key = v["config"] == "policy" ? v["rules"] : \
		    v["config"] == "service" ? "svc " v["rules"] : v["config"]
		rows[++cnt] = key
		c[key] = v["connect_ns"]; s[key] = v["sendto_ns"]; u[key] = v["send_ns"]
		l[key] = v["load_ns"]; m[key] = v["memory"]
	}
	END {
		if (!("baseline" in c) || !(10000 in c) || !("exec-hash 6" in fe)) {
			print "incomplete benchmark output" > "/dev/stderr"; exit 1
		}
		b = "baseline"
		printf "\nCitadel on Debian %s (QEMU -icount: guest ns = instructions, median of rounds)\n", kernel
		printf "baseline = module loaded, no hooks attached; hooks = BPF LSM attached, no policy\n\n"
		printf "%-9s %11s %8s %7s %10s %8s %7s %9s %11s %7s\n", "rules",
		    "connect ns", "added", "ratio", "sendto ns", "added", "ratio",
		    "load ms", "memory KiB", "B/rule"
		printf "{\"kernel\":\"%s\",\"clock\":\"qemu-icount\",\"results\":[", kernel > json
		for (i = 1; i <= cnt; i++) {
			n = rows[i]
			printf "%-9s %11d %+8d %7.4f %10d %+8d %7.4f %9.2f %11.1f %7s\n", n,
			    c[n], c[n] - c[b], c[n] / c[b], s[n], s[n] - s[b],
			    s[n] / s[b], l[n] / 1e6, m[n] / 1024,
			    n ~ /^[0-9]+$/ ? sprintf("%.1f", m[n] / n) : "-"
			printf "%s{\"config\":\"%s\",\"connect_ns\":%d,\"sendto_ns\":%d,\"send_ns\":%d,\"load_ns\":%d,\"memory_bytes\":%d}",
			    (i > 1 ? "," : ""), n, c[n], s[n], u[n], l[n], m[n] > json
		}
		printf "],\"alternatives\":[" > json
		for (i = 1; i <= acnt; i++) {
			split(arows[i], kr, " ")
			printf "%s{\"config\":\"%s\",\"rules\":%d,\"connect_ns\":%d,\"sendto_ns\":%d,\"send_ns\":%d}",
			    (i > 1 ? "," : ""), kr[1], kr[2], ac[arows[i]], as[arows[i]],
			    au[arows[i]] > json
		}
		printf "],\"exec\":[" > json
		for (i = 1; i <= ecnt; i++) {
			n = erows[i]; split(n, kr, " ")
			printf "%s{\"config\":\"%s\",\"rules\":%d,\"forkexec_ns\":%d,\"bind_ns\":%d}",
			    (i > 1 ? "," : ""), kr[1], er[n], fe[n], bd[n] > json
		}
		printf "],\"hooks\":[" > json
		split("baseline citadel baseline2 empty-lsm sealed", hc, " ")
		for (i = 1; i <= 5; i++)
			printf "%s{\"config\":\"%s\",\"setsockopt_ns\":%d,\"ioctl_ns\":%d,\"netlink_ns\":%d,\"cmsg_ns\":%d}",
			    (i > 1 ? "," : ""), hc[i], hv[hc[i], 1], hv[hc[i], 2],
			    hv[hc[i], 3], hv[hc[i], 4] > json
		printf "],\"hash\":{\"size\":%d,\"first_ns\":%d,\"cached_ns\":%d}}\n",
		    h["size"], h["first_ns"], h["cached_ns"] > json
		# The alternatives against the baseline measured just before them.
		bc = ("baseline 0" in ac) ? ac["baseline 0"] : c[b]
		bs = ("baseline 0" in as) ? as["baseline 0"] : s[b]
		bu = ("baseline 0" in au) ? au["baseline 0"] : u[b]
		printf "\nthe alternatives, same boot (added ns; n/a: not on this kernel)\n"
		printf "(Citadel against the first baseline, the others against a second one\n"
		printf " measured after Citadel was detached: %d / %d / %d ns;\n", bc, bs, bu
		printf " send: send() on a connected UDP socket, no destination to check)\n"
		printf "%-22s %12s %10s %10s\n", "config", "connect", "sendto", "send"
		for (i = 1; i <= cnt; i++)
			if (rows[i] !~ /^baseline$/)
				printf "%-22s %+12d %+10d %+10d\n", "citadel " rows[i],
				    c[rows[i]] - c[b], s[rows[i]] - s[b], u[rows[i]] - u[b]
		for (i = 1; i <= acnt; i++) {
			k = arows[i]
			if (k == "baseline 0")
				continue
			printf "%-22s %12s %10s %10s\n", k,
			    ac[k] < 0 ? "n/a" : sprintf("%+d", ac[k] - bc),
			    as[k] < 0 ? "n/a" : sprintf("%+d", as[k] - bs),
			    au[k] < 0 ? "n/a" : sprintf("%+d", au[k] - bu)
		}
		emp = ac["empty-lsm 0"] - bc; emps = as["empty-lsm 0"] - bs
		cit = c[10000] - c[b]; cits = s[10000] - s[b]
		printf "target: Citadel at 10,000 rules within 2x of an empty BPF LSM program:\n"
		printf "        connect() %+d vs %+d ns (x%.2f), sendto() %+d vs %+d ns (x%.2f) -> %s\n",
		    cit, emp, (emp > 0 ? cit / emp : 0), cits, emps,
		    (emps > 0 ? cits / emps : 0),
		    (emp > 0 && emps > 0 && cit <= 2 * emp && cits <= 2 * emps ? "met" : "MISSED")
		printf "        of which Citadel attached with no policy (kfunc call, no lookup): %+d / %+d ns\n",
		    c["hooks"] - c[b], s["hooks"] - s[b]
		if ("svc 10000" in c) {
			sv = c["svc 10000"] - c[b]; svs = s["svc 10000"] - s[b]
			printf "        the same rules in a service (label read, service found): connect() %+d (x%.2f), sendto() %+d (x%.2f)\n",
			    sv, (emp > 0 ? sv / emp : 0), svs, (emps > 0 ? svs / emps : 0)
		}
		n10k = ac["nftables-set 10000"]
		if (n10k > 0)
			printf "target: Citadel connect() at 10,000 rules at or below nftables with a set: %+d vs %+d ns -> %s\n",
			    c[10000] - c[b], n10k - bc,
			    (c[10000] - c[b] <= n10k - bc ? "met" : "MISSED")
		else
			printf "target: at or below nftables with a set: not measured (nft missing)\n"
		a10 = c[10] - c[b]; a10k = c[10000] - c[b]
		printf "\ntarget: added connect() cost at 10,000 rules within 1.5x of 10 rules: %+d vs %+d ns -> %s\n",
		    a10k, a10, (a10 > 0 && a10k <= 1.5 * a10 ? "met" : "MISSED")
		s10 = s[10] - s[b]; s10k = s[10000] - s[b]
		printf "        UDP sendto: %+d vs %+d ns\n", s10k, s10
		printf "target: loading 10,000 rules under 100 ms: %.2f ms -> %s\n",
		    l[10000] / 1e6, (l[10000] < 1e8 ? "met" : "MISSED")
		# The hooks of the seal: Citadel (with 10,000 rules, then sealed)
		# against the first baseline, the empty programs on the same
		# hooks against the baseline measured right after them.
		printf "\nthe hooks of the seal, added ns per call (empty: empty BPF LSM programs on the same hooks)\n"
		printf "%-32s %9s %7s %9s %9s %9s %7s\n", "call", "baseline", "empty",
		    "citadel", "ratio", "sealed", "ratio"
		split("setsockopt(IP_TTL)|ioctl(SIOCGIFMTU)|RTM_GETLINK request+answer|sendmsg with IP_TTL cmsg", hn, "|")
		hmet = 1
		for (w = 1; w <= 4; w++) {
			e0 = hv["empty-lsm", w] - hv["baseline2", w]
			c0 = hv["citadel", w] - hv["baseline", w]
			s0 = hv["sealed", w] - hv["baseline", w]
			printf "%-32s %9d %+7d %+9d %9s %+9d %7s\n", hn[w], hv["baseline", w],
			    e0, c0, (e0 > 0 ? sprintf("x%.2f", c0 / e0) : "-"), s0,
			    (e0 > 0 ? sprintf("x%.2f", s0 / e0) : "-")
			if (w < 4 && (e0 <= 0 || s0 > 2 * e0 || c0 > 2 * e0))
				hmet = 0
		}
		printf "(the cmsg send also pays the destination check: compare it with sendto)\n"
		printf "target: each new hook within 2x of the empty program, sealed too -> %s\n",
		    hmet ? "met" : "MISSED"
		printf "\n%-17s %12s %8s %7s %8s %8s %7s\n", "exec/listen rules",
		    "fork+exec ns", "added", "ratio", "bind ns", "added", "ratio"
		for (i = 1; i <= ecnt; i++) {
			n = erows[i]
			printf "%-17s %12d %+8d %7.4f %8d %+8d %7.4f\n", n, fe[n],
			    fe[n] - fe[b], fe[n] / fe[b], bd[n], bd[n] - bd[b], bd[n] / bd[b]
		}
		printf "(exec-paths N: N exec path rules; listen N: N listen rules;\n"
		printf " exec-hash: sha256 rules for the programs run, hit from the cache;\n"
		printf " bind = bind()+listen() on a port the policy allows)\n"
		for (i = 1; i <= ecnt; i++)	# the largest exec-paths row
			if (erows[i] ~ /^exec-paths /)
				ep = erows[i]
		printf "target: path rules and cached-hash exec add under 10%% to fork+exec: %+.1f%% (%s) and %+.1f%% -> %s\n",
		    (fe[ep] / fe[b] - 1) * 100, ep, (fe["exec-hash 6"] / fe[b] - 1) * 100,
		    (fe[ep] < 1.1 * fe[b] && fe["exec-hash 6"] < 1.1 * fe[b] ? "met" : "MISSED")
		if (h["first_ns"] > h["cached_ns"])
			printf "first exec of a %d MB binary under a hash rule: %.1f ms (hashing %.0f MB/s)\n",
			    h["size"] / 1048576, h["first_ns"] / 1e6,
			    (h["size"] / 1048576) / ((h["first_ns"] - h["cached_ns"]) / 1e9)
	}' "$log"
	plot "$log" "$k"
done
