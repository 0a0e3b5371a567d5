#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A real device to test and demo on: a small Debian 12 root made with
# debootstrap, booting systemd, running the daemons kiosks and cameras
# run (lighttpd, mosquitto, chrony, dropbear), with Citadel installed
# from its Debian packages: installing citadel-dkms builds the module
# through DKMS in the image, for the image's own kernel.
#
#   scripts/image.sh KERNEL DEBDIR OVERLAY OUT
#
# KERNEL: 6.1 or 6.12 (Debian's kernel package of that line); DEBDIR: the
# citadel and citadel-dkms .debs; OVERLAY: a directory copied over the
# root after the install (policy, demo units). OUT receives root.img (ext4),
# vmlinuz, initrd.img and dkms.log. Must run as root (chroot, dpkg).
#
# Two layers, both cached under $CITADEL_CACHE/image: the base (debootstrap,
# daemons, kernel, headers, DKMS toolchain: downloads, ~2-3 min) keyed by
# its package list, and the device (debs installed, overlay) keyed by the
# content of DEBDIR and OVERLAY.
# Environment: CITADEL_MIRROR, CITADEL_SECURITY_MIRROR (default:
# deb.debian.org; Debian's current kernels come from the security suite).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CITADEL_CACHE:-$ROOT/.cache}
MIRROR=${CITADEL_MIRROR:-http://deb.debian.org/debian}
SECURITY=${CITADEL_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

die() { echo "image.sh: $*" >&2; exit 1; }
[ $# -eq 4 ] || die "usage: $0 KERNEL DEBDIR OVERLAY OUT"
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, dpkg)"
kernel=$1 debdir=$(cd "$2" && pwd) overlay=$(cd "$3" && pwd) out=$4
command -v debootstrap >/dev/null || die "debootstrap missing: run scripts/install-deps.sh"

rel=$("$ROOT/scripts/kernel.sh" resolve "$kernel") || die "no Debian kernel for $kernel"

# The daemons of the demo device, what the scenario and tests use, and
# what DKMS needs to build Citadel (headers, compiler, pahole) plus the
# libraries citadelctl links.
DAEMONS="systemd-sysv udev kmod iproute2 procps busybox lighttpd mosquitto
mosquitto-clients chrony dropbear curl python3"
KERNEL_PKGS="linux-image-$rel linux-headers-$rel dkms gcc make libc6-dev
dwarves xz-utils zstd libbpf1 libelf1 libssl3 zlib1g"
version=2 # of this recipe: bump when the steps below change

key=$(printf '%s\n' "$version" "$MIRROR" "$SECURITY" "$rel" $DAEMONS $KERNEL_PKGS |
	sha256sum | cut -c1-16)
base=$CACHE/image/base-$key.tar
mkdir -p "$CACHE/image"

# Runs a command in the root $1 with /proc, /sys and /dev mounted; the
# mounts live in a private namespace and vanish with it.
in_root() {
	local r=$1
	shift
	unshare --mount --propagation private -- sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc" && mount -t sysfs sys "$r/sys" &&
		mount --bind /dev "$r/dev" && mount -t devpts devpts "$r/dev/pts" &&
		exec chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"' \
		in_root "$r" "$@"
}

build_base() {
	local tmp=$CACHE/image/base-$key.tmp
	# A finished debootstrap is kept if a later step failed.
	[ -f "$tmp/.debootstrap-done" ] || rm -rf "$tmp"
	if [ ! -d "$tmp" ]; then
		echo "image.sh: debootstrap bookworm from $MIRROR (cached once)" >&2
		debootstrap --variant=minbase --include="$(echo $DAEMONS | tr ' ' ,)" \
			bookworm "$tmp" "$MIRROR" >"$CACHE/image/debootstrap.log" 2>&1 ||
			{ tail -n 30 "$CACHE/image/debootstrap.log" >&2; die "debootstrap failed"; }
		touch "$tmp/.debootstrap-done"
	fi
	cat >"$tmp/etc/apt/sources.list" <<-EOF
	deb $MIRROR bookworm main
	deb $MIRROR bookworm-updates main
	deb $SECURITY bookworm-security main
	EOF
	# A device has no policy-rc.d: services start when installed. Here
	# nothing may start in the chroot.
	printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
	chmod 755 "$tmp/usr/sbin/policy-rc.d"
	# The initrd needs only what finds the root disk: a smaller one that
	# loads fewer modules boots faster under TCG.
	mkdir -p "$tmp/etc/initramfs-tools/conf.d"
	echo MODULES=list >"$tmp/etc/initramfs-tools/conf.d/citadel-image.conf"
	printf '%s\n' virtio_pci virtio_blk ext4 >>"$tmp/etc/initramfs-tools/modules"
	echo "image.sh: kernel $rel, headers and DKMS toolchain" >&2
	{ in_root "$tmp" apt-get update -q &&
	  in_root "$tmp" apt-get install -y -q --no-install-recommends $KERNEL_PKGS; } \
		>"$CACHE/image/kernel.log" 2>&1 ||
		{ tail -n 30 "$CACHE/image/kernel.log" >&2; die "installing the kernel failed"; }
	in_root "$tmp" apt-get clean
	rm -f "$tmp/.debootstrap-done"
	[ -f "$tmp/boot/initrd.img-$rel" ] || die "no initrd was made for $rel"
	tar -C "$tmp" --numeric-owner -cf "$base.new" .
	mv "$base.new" "$base"
	rm -rf "$tmp"
}
[ -f "$base" ] || build_base

# The device layer.
debs=$(ls "$debdir"/citadel_*.deb "$debdir"/citadel-dkms_*.deb) ||
	die "no citadel and citadel-dkms packages in $debdir (make deb)"
# shellcheck disable=SC2086 # $debs: file names without blanks
dkey=$( { echo "$key"; cat $debs; tar -C "$overlay" --sort=name \
	--mtime=@0 --owner=0 --group=0 --numeric-owner -cf - .; } |
	sha256sum | cut -c1-16)
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -f "$out/root.img" ] && [ "$(cat "$out/key" 2>/dev/null)" = "$dkey" ]; then
	echo "$out"
	exit 0
fi
rm -rf "$out/root" "$out/root.img" "$out/key"
mkdir -p "$out/root"
tar -C "$out/root" --numeric-owner -xpf "$base"
mkdir -p "$out/root/tmp/debs"
# shellcheck disable=SC2086
cp $debs "$out/root/tmp/debs/"
# citadel-dkms builds the module here, against the image's kernel: its
# BTF comes from /boot/vmlinuz-$rel (the chroot runs the host's kernel).
if ! in_root "$out/root" sh -c 'dpkg -i /tmp/debs/*.deb' >"$out/dkms.log" 2>&1; then
	tail -n 40 "$out/dkms.log" >&2
	die "installing the citadel packages failed (log: $out/dkms.log)"
fi
cp "$out/root/var/lib/dkms/citadel/"*/build/make.log "$out/dkms-make.log" 2>/dev/null || true
# What DKMS installed, for the host-side checks (BTF, vermagic).
rm -f "$out"/citadel.ko*
cp "$out/root/lib/modules/$rel/updates/dkms/"citadel.ko* "$out/" 2>/dev/null || true
rm -rf "$out/root/tmp/debs" "$out/root/usr/sbin/policy-rc.d"
cp -a "$overlay/." "$out/root/"
# The overlay's own setup step, run inside the root once.
setup=usr/local/lib/citadel-image-setup
if [ -x "$out/root/$setup" ]; then
	in_root "$out/root" "/$setup" >"$out/setup.log" 2>&1 ||
		{ cat "$out/setup.log" >&2; die "/$setup failed in the image"; }
	rm -f "$out/root/$setup"
fi
cp "$out/root/boot/vmlinuz-$rel" "$out/vmlinuz"
cp "$out/root/boot/initrd.img-$rel" "$out/initrd.img"
echo "$rel" >"$out/release"
# Room for logs and the scenario's files; the image is used copy-on-write.
size=$(( $(du -sm "$out/root" | cut -f1) * 5 / 4 + 256 ))
mke2fs -q -t ext4 -L citadel-root -d "$out/root" "$out/root.img" "${size}M" ||
	die "mke2fs failed"
rm -rf "$out/root"
echo "$dkey" >"$out/key"
echo "$out"
