#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the initramfs of the Citadel test VM: static busybox with all its
# applets, FILESDIR copied to /citadel, and an /init that runs CMD once,
# dumps dmesg between markers and powers off. Works as a non-root user.
#
# usage: selftests/vm/mkinitramfs.sh [--module FILE.ko[.xz|.zst]]... OUT FILESDIR|- [CMD]
#   CMD is stored in /citadel/.cmd and run with sh -c; without CMD,
#   FILESDIR/.cmd must exist. --module files are insmod'ed in the given
#   order (list dependencies first) before CMD.
set -eu

die() { echo "mkinitramfs.sh: $*" >&2; exit 1; }

modules=
while [ $# -gt 0 ]; do
    case "$1" in
        --module) [ $# -ge 2 ] || die "--module needs a file"; modules="$modules
$2"; shift 2 ;;
        --) shift; break ;;
        -*) die "unknown option $1" ;;
        *) break ;;
    esac
done
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    die "usage: $0 [--module FILE]... OUT FILESDIR|- [CMD]"
fi
out=$1 filesdir=$2
busybox=${CITADEL_BUSYBOX:-/bin/busybox}
# The busybox that lists the applets: CITADEL_BUSYBOX itself unless it
# cannot run here (another architecture's build of the same package).
applets_from=${CITADEL_BUSYBOX_APPLETS:-$busybox}
[ -x "$busybox" ] || die "$busybox missing: install busybox-static"
# A dynamically linked busybox would find no libc in the guest.
if command -v file >/dev/null 2>&1 && ! file -L "$busybox" | grep -q 'statically linked'; then
    die "$busybox is not static: install busybox-static"
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/citadel-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
umask 022

mkdir -p "$stage"/bin "$stage"/sbin "$stage"/usr/bin "$stage"/usr/sbin \
    "$stage"/proc "$stage"/sys "$stage"/dev "$stage"/tmp "$stage"/run \
    "$stage"/root "$stage"/etc "$stage"/lib/modules "$stage"/citadel
cp "$busybox" "$stage/bin/busybox"
# One symlink per applet at its usual path (bin/sh, sbin/ip, usr/bin/awk...).
"$applets_from" --list-full | while read -r applet; do
    [ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$stage/etc/passwd"
echo 'root:x:0:' > "$stage/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$stage/etc/hosts"

if [ "$filesdir" != - ]; then
    [ -d "$filesdir" ] || die "$filesdir is not a directory"
    # -L: follow symlinks so a files dir may link to build outputs.
    cp -RL --preserve=mode "$filesdir"/. "$stage/citadel/"
fi
if [ $# -ge 3 ]; then
    printf '%s\n' "$3" > "$stage/citadel/.cmd"
fi
[ -f "$stage/citadel/.cmd" ] || die "no CMD given and $filesdir/.cmd missing"

# Modules: stored uncompressed (busybox insmod may lack xz/zstd support).
i=0
printf '%s\n' "$modules" | while read -r m; do
    [ -n "$m" ] || continue
    [ -f "$m" ] || die "module $m not found"
    i=$((i + 1))
    name=$(printf '%03d-%s' "$i" "$(basename "$m" | sed 's/\.\(xz\|zst\|gz\)$//')")
    case "$m" in
        *.xz) xz -dc "$m" ;;
        *.zst) zstd -qdc "$m" ;;
        *.gz) gzip -dc "$m" ;;
        *) cat "$m" ;;
    esac > "$stage/lib/modules/$name"
done

cat > "$stage/init" <<'EOF'
#!/bin/sh
# PID 1 of the Citadel test VM: set up the system, run /citadel/.cmd once,
# report its status and the kernel log between markers, power off.
export PATH=/citadel/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# In case the kernel found no /dev/console in the archive.
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t securityfs securityfs /sys/kernel/security
mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
# Console shows only warnings and worse (levels 0-4): keeps WARN/Oops/panic
# visible on the serial line without info chatter from tests.
grep -qw citadel.verbose /proc/cmdline || echo 5 > /proc/sys/kernel/printk
hostname citadel-vm
# lo up gives 127.0.0.1/8 and ::1 automatically.
ip link set lo up
for m in /lib/modules/*.ko; do
    [ -f "$m" ] || continue
    insmod "$m" || echo "citadel-init: insmod $m failed"
done
cd /citadel
echo "@@CITADEL-CMD-BEGIN@@"
sh -c "$(cat /citadel/.cmd)" </dev/null
rc=$?
# No newline forced here: run.sh finds markers anywhere in a line.
echo "@@CITADEL-DMESG-BEGIN@@"
dmesg
echo "@@CITADEL-DMESG-END@@"
echo "@@CITADEL-EXIT $rc@@"
sync
poweroff -f
EOF
chmod 755 "$stage/init"

# newc entry for a device node: cpio -o cannot add one without root, and the
# kernel opens /dev/console before /init runs. Args: name mode(octal) major minor.
newc_entry() {
    local nsz=$((${#1} + 1))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        "$5" "$((8#$2))" 0 0 1 0 0 0 0 "$3" "$4" "$nsz" 0
    printf '%s\0' "$1"
    head -c $(((4 - (110 + nsz) % 4) % 4)) /dev/zero
}

mkdir -p "$(dirname "$out")"
tmpout=$(mktemp "$(dirname "$out")/.initramfs.XXXXXX")
{
    # Sorted, owned by root, fixed mtime-independent order: reproducible-ish.
    (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
    # Second archive with /dev/console; the kernel unpacks concatenated archives.
    newc_entry dev/console 020600 5 1 1
    newc_entry TRAILER!!! 0 0 0 0
} | gzip -n -1 > "$tmpout"
chmod 644 "$tmpout"
mv -f "$tmpout" "$out"
