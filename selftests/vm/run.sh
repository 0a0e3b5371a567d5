#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run one shell command inside a QEMU VM booted from a Debian kernel, print
# its output, and fail loudly if the kernel panicked, oopsed or warned.
#
# usage: selftests/vm/run.sh [--kernel 6.1|6.12|RELEASE|arm64-6.12|arm64-6.1] [--files DIR] [--timeout S]
#          [--icount] [--smp N] [--mem MB] [--log FILE] [--append ARGS]
#          [--modules NAME[,NAME...]] [--bzimage] [--verbose] -- CMD...
#        selftests/vm/run.sh --image DIR [options] -- NAME
# --image boots a device image made by scripts/image.sh (its own kernel,
# initrd and root disk, copy-on-write) and runs the script NAME that the
# image keeps in /usr/local/lib/citadel-vm/ (see selftests/image/).
# --ssh-port PORT (with --image): the guest gets a NIC on QEMU's user
# network, closed to the outside (restrict=on), and 127.0.0.1:PORT on the
# host reaches its port 22.
# --kernel arm64-6.12 / arm64-6.1 boots Debian 12's arm64 kernel of that
# series (scripts/arm64-sysroot.sh fetches it) under qemu-system-aarch64
# -M virt -cpu max,pauth-impdef=on, from its flat Image, with the arm64
# busybox-static in the initramfs; FILES must hold arm64 programs
# (scripts/vm-files.sh arm64-6.12 DIR). Not with --image or --icount.
# Exit: CMD's status on a clean run; 125 on panic/oops/BUG/WARN/KASAN/UBSAN,
# a missing exit marker or a QEMU failure; 124 on timeout.
# CITADEL_KVM=1 uses -accel kvm (it hangs on some hosts, so TCG is default).
set -eu

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${CITADEL_BUILD:-$ROOT/build}

die() { echo "run.sh: $*" >&2; exit 125; }
usage() { sed -n '/^# usage/,/^# CITADEL_KVM/p' "$0" >&2; exit "${1:-125}"; }

kernel=${CITADEL_VM_KERNEL:-6.1}
image='' ssh_port='' files=- timeout=300 icount=0 log='' smp=2 mem=1024 append='' modules='' bzimage=0 verbose=0
while [ $# -gt 0 ]; do
    case "$1" in
        --kernel) kernel=${2:?}; shift 2 ;;
        --files) files=${2:?}; shift 2 ;;
        --image) image=$(cd "${2:?}" && pwd); shift 2 ;;
        --ssh-port) ssh_port=${2:?}; shift 2 ;;
        --timeout) timeout=${2:?}; shift 2 ;;
        --icount) icount=1; shift ;;
        --smp) smp=${2:?}; shift 2 ;;
        --mem) mem=${2:?}; shift 2 ;;
        --log) log=${2:?}; shift 2 ;;
        --append) append="$append ${2:?}"; shift 2 ;;
        --modules) modules="$modules,${2:?}"; shift 2 ;;
        --bzimage) bzimage=1; shift ;;
        --verbose) verbose=1; shift ;;
        --) shift; break ;;
        -h|--help) usage 0 ;;
        *) echo "run.sh: unknown option $1" >&2; usage ;;
    esac
done
[ $# -gt 0 ] || { echo "run.sh: no command given" >&2; usage; }
cmd="$*"   # several words are joined with spaces, as ssh does
case "$timeout" in ''|*[!0-9]*) die "--timeout wants whole seconds" ;; esac
if [ "$files" != - ]; then
    [ -d "$files" ] || die "--files $files: not a directory"
fi

arch=x86_64
case "$kernel" in arm64-*) arch=arm64 ;; esac
if [ "$arch" = arm64 ]; then
    command -v qemu-system-aarch64 >/dev/null || die "qemu-system-aarch64 missing: run scripts/install-deps.sh"
    [ -z "$image" ] || die "--image boots x86_64 images only"
    [ "$icount" = 0 ] || die "--icount: x86_64 only"
    kdir=$("$ROOT/scripts/arm64-sysroot.sh" kernel "${kernel#arm64-}") || die "cannot fetch kernel $kernel"
    release=$(cat "$kdir/release")
    # The guest's busybox: the arm64 build of the host's busybox-static
    # (same applets, so mkinitramfs.sh lists them with the host's).
    CITADEL_BUSYBOX=$("$ROOT/scripts/arm64-sysroot.sh" busybox) || die "cannot fetch the arm64 busybox"
    export CITADEL_BUSYBOX CITADEL_BUSYBOX_APPLETS=/bin/busybox
elif ! command -v qemu-system-x86_64 >/dev/null; then
    die "qemu-system-x86_64 missing: run scripts/install-deps.sh"
fi
if [ "$arch" = arm64 ]; then
    :
elif [ -n "$image" ]; then
    [ -f "$image/root.img" ] || die "--image $image: no root.img (scripts/image.sh)"
    case "$cmd" in *[!A-Za-z0-9_.-]*|'') die "--image runs one script name, not '$cmd'" ;; esac
    release=$(cat "$image/release")
else
    kdir=$("$ROOT/scripts/kernel.sh" fetch "$kernel") || die "cannot fetch kernel $kernel"
    release=$(cat "$kdir/release")
fi

mkdir -p "$BUILD/vm"
work=$(mktemp -d "$BUILD/vm/.run.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Unique by default so concurrent runs never share a log.
[ -n "$log" ] || log=$BUILD/vm/$release.$(date +%Y%m%d-%H%M%S).$$.log
mkdir -p "$(dirname "$log")"

# --modules: resolve names in the image's modules (dependencies first).
mod_args=() seen=
find_module() {
    local n=$1
    find "$kdir/modules/kernel" \( -name "$n.ko*" -o -name "$(echo "$n" | tr _ -).ko*" \
        -o -name "$(echo "$n" | tr - _).ko*" \) -print 2>/dev/null | head -n1
}
add_module() {
    local n=$1 f d
    case " $seen " in *" $n "*) return 0 ;; esac
    seen="$seen $n"
    f=$(find_module "$n")
    if [ -z "$f" ]; then
        # Built into the kernel: nothing to load.
        grep -q "/$(echo "$n" | tr _ -).ko\$\|/$(echo "$n" | tr - _).ko\$" \
            "$kdir/modules/modules.builtin" 2>/dev/null && return 0
        die "module $n not found for $release"
    fi
    for d in $(modinfo -F depends "$f" | tr , ' '); do add_module "$d"; done
    mod_args+=(--module "$f")
}
if [ -z "$image" ]; then
    for m in $(echo "$modules" | tr , ' '); do add_module "$m"; done
    "$ROOT/selftests/vm/mkinitramfs.sh" ${mod_args[@]+"${mod_args[@]}"} \
        "$work/initramfs.cpio.gz" "$files" "$cmd" || die "initramfs build failed"
fi

accel=tcg cpu=max
if [ "${CITADEL_KVM:-0}" = 1 ]; then accel=kvm cpu=host; fi
qemu=(qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -m "$mem")
if [ "$arch" = arm64 ]; then
    # pauth-impdef=on: plain max emulates pointer authentication 3x slower.
    accel=tcg
    qemu=(qemu-system-aarch64 -M virt -accel tcg -cpu max,pauth-impdef=on -m "$mem" -smp "$smp")
elif [ "$icount" = 1 ]; then
    [ "$accel" = tcg ] || die "--icount needs TCG (unset CITADEL_KVM)"
    # Guest clock follows executed instructions: reproducible timings.
    # -smp 2 hangs at boot with icount: one vCPU.
    qemu+=(-icount 'shift=0,sleep=off' -smp 1)
else
    qemu+=(-smp "$smp")
fi
# Boot the uncompressed vmlinux through its PVH entry when the kernel has
# one: same kernel, but no in-guest decompression (6.1's xz costs ~4 s under
# TCG). Side effect: no KASLR. --bzimage boots the vmlinuz as a bootloader would.
if [ "$arch" = arm64 ]; then
    kimage=$kdir/Image   # flat: -M virt boots it directly
elif [ -n "$image" ]; then
    kimage=$image/vmlinuz
    # The same kernel's vmlinux, when the rig has it: the PVH entry again.
    kdir=$("$ROOT/scripts/kernel.sh" fetch "$release" 2>/dev/null) || kdir=
    if [ "$bzimage" = 0 ] && [ -n "$kdir" ] && [ -f "$kdir/vmlinux" ] &&
        grep -q '^CONFIG_PVH=y' "$kdir/config"; then
        kimage=$kdir/vmlinux
    fi
else
    kimage=$kdir/vmlinuz
    if [ "$bzimage" = 0 ] && [ -f "$kdir/vmlinux" ] && grep -q '^CONFIG_PVH=y' "$kdir/config"; then
        kimage=$kdir/vmlinux
    fi
fi
# loglevel=5: the console shows warnings and worse only (boot chatter over the
# emulated UART costs ~2 s); the full kernel log still comes in the dmesg dump.
if [ "$verbose" = 0 ]; then
    append=" loglevel=5$append"
else
    append=" citadel.verbose$append"
fi
# -nic none: the guest must not reach any network but its own loopback.
if [ -n "$ssh_port" ]; then
    [ -n "$image" ] || die "--ssh-port needs --image"
    qemu+=(-nographic -no-reboot -kernel "$kimage"
        -nic "user,model=virtio-net-pci,restrict=on,hostfwd=tcp:127.0.0.1:$ssh_port-:22")
else
    qemu+=(-nographic -no-reboot -nic none -kernel "$kimage")
fi
if [ -n "$image" ]; then
    # The device's disk, copy-on-write: every run boots the same image.
    # systemd's status lines stay off the console the script writes to.
    # No floppy, CD-ROM or VGA for udev to probe.
    # No soft-lockup or RCU stall reports: a full systemd boot under TCG,
    # beside CI's other VMs on two host cores, twice spent over 20 s of
    # host time in clear_page_erms while udev loaded Debian's own modules
    # (long before citadel.ko), and the report failed the run. A real
    # hang still fails it, by --timeout.
    qemu+=(-nodefaults -serial mon:stdio -initrd "$image/initrd.img"
        -drive "file=$image/root.img,if=virtio,format=raw,snapshot=on"
        -append "console=ttyS0 panic=-1 oops=panic nowatchdog rcupdate.rcu_cpu_stall_suppress=1 root=/dev/vda rw systemd.show_status=0 citadel_run=$cmd$append")
else
    console=ttyS0
    [ "$arch" = x86_64 ] || console=ttyAMA0
    qemu+=(-initrd "$work/initramfs.cpio.gz"
        -append "console=$console panic=-1 oops=panic$append")
fi

# Stream only what CMD prints: the lines between the start marker and the
# dmesg marker (mawk needs -W interactive to pass lines on as they come).
awk_stream=(awk)
if awk -W version 2>&1 | grep -q mawk; then awk_stream=(awk -W interactive); fi
# shellcheck disable=SC2016 # awk program, not shell
filter='
{ sub(/\r+$/, "") }
state == 1 && (i = index($0, "@@CITADEL-DMESG-BEGIN@@")) {
    if (i > 1) print substr($0, 1, i - 1)
    state = 2; fflush(); next
}
state == 1 { print; fflush() }
state == 0 && index($0, "@@CITADEL-CMD-BEGIN@@") { state = 1 }
'

start=$(date +%s%N)
set +e
# --foreground: qemu stays in our process group, so Ctrl-C reaches it.
timeout --foreground -k 10 "$timeout" "${qemu[@]}" </dev/null 2>&1 |
    tee "$log" | "${awk_stream[@]}" "$filter"
st=("${PIPESTATUS[@]}")
set -e
qrc=${st[0]}
secs=$(( ($(date +%s%N) - start) / 1000000 ))
secs=$((secs / 1000)).$(printf '%03d' $((secs % 1000)) | cut -c1)

# Read the log: exit status, sections, and the first sign of kernel trouble.
# With a complete dmesg dump, scan it plus everything outside CMD's output
# (so a test printing "WARNING:" is no false alarm); else scan everything.
analysis=$(awk '
{ sub(/\r+$/, "") }
index($0, "@@CITADEL-CMD-BEGIN@@") && !begun { begun = 1; sect = "cmd"; next }
index($0, "@@CITADEL-DMESG-BEGIN@@") { dmesg_begun = 1; sect = "dmesg"; next }
index($0, "@@CITADEL-DMESG-END@@") { dmesg_end = 1; sect = "after" }
match($0, /@@CITADEL-EXIT -?[0-9]+@@/) {
    rc = substr($0, RSTART + 15, RLENGTH - 17); have_rc = 1
}
{ line[NR] = $0; s[NR] = sect }
END {
    pat = "Kernel panic|Oops|BUG:|kernel BUG at|WARNING:|Call Trace|general protection fault|KASAN|UBSAN|Unable to handle kernel"
    full = dmesg_begun && dmesg_end
    for (n = 1; n <= NR; n++) {
        if (full && s[n] == "cmd") continue
        if (line[n] ~ pat) { bad = line[n]; break }
    }
    gsub(/[\t ]+/, " ", bad)
    printf "%s\t%s\t%s\t%s\n", (have_rc ? rc : "none"), (begun ? 1 : 0), full, bad
}' "$log")
IFS=$'\t' read -r guest_rc begun _full bad <<EOF
$analysis
EOF

reason=
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
    reason="timeout: guest still running after ${timeout}s"
    [ -z "$bad" ] || reason="$reason (kernel: $bad)"
elif [ -n "$bad" ]; then
    reason="kernel trouble: $bad"
elif [ "$guest_rc" = none ]; then
    if [ "$begun" = 0 ]; then
        reason="guest never started the command (boot failed?; qemu exit $qrc)"
    else
        reason="no exit marker: guest died while running the command (qemu exit $qrc)"
    fi
elif [ "$qrc" != 0 ]; then
    reason="qemu exited with status $qrc"
fi

mode=$accel
[ "$icount" = 0 ] || mode="$mode+icount"
case "$kimage" in */vmlinux) mode="$mode, pvh" ;; */Image) mode="$mode, arm64" ;; *) mode="$mode, bzimage" ;; esac
if [ -n "$reason" ]; then
    {
        echo "run.sh: FAIL on $release ($mode, ${secs}s): $reason"
        echo "----- last 200 lines of serial log $log -----"
        tail -n 200 "$log" | tr -d '\r'
        echo "----- end of serial log -----"
        echo "run.sh: FAIL on $release ($mode, ${secs}s): $reason"
    } >&2
    if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then exit 124; fi
    exit 125
fi
echo "run.sh: $release ($mode): exit $guest_rc after ${secs}s (log: $log)" >&2
exit "$guest_rc"
