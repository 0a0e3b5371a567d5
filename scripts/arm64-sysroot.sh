#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Debian 12 arm64 packages for cross-building Citadel, fetched with a
# private apt configuration: the machine's apt setup (architectures,
# sources, state) is never touched.
#
# usage: scripts/arm64-sysroot.sh [sysroot|kernel|kdir|btf|busybox|release|all] [SERIES]
#   sysroot  print $CACHE/arm64/sysroot: libc6(-dev), linux-libc-dev,
#            libbpf, libelf, zlib, libssl, libzstd (headers and static libs)
#   kernel   print $CACHE/arm64/kernels/RELEASE: Image (flat, what
#            qemu-system-aarch64 -M virt boots), config, btf (raw .BTF,
#            the guest's /sys/kernel/btf/vmlinux), modules/, release and
#            headers/ (linux-headers-RELEASE wired to its -common part
#            and to the host's amd64 linux-kbuild of the same version)
#   kdir     print the headers directory to build modules against
#   btf      print the kernel's BTF file
#   busybox  print the path of arm64 busybox-static's busybox
#   release  print the 6.12 arm64 release (6.12.NN+deb12-arm64)
#   SERIES (kernel, kdir, btf, release): 6.12 (default) or 6.1 (Debian
#   12's 6.1.0-NN-arm64, which cannot attach BPF LSM programs: the
#   refusal test's kernel)
#   (kernel, kdir and btf of 6.12 also point the link $CACHE/arm64/kernel
#   at it: the kernel `make ARCH=arm64` builds for)
#   all      everything above; prints $CACHE/arm64 (the default)
# Idempotent: what is unpacked stays in $CACHE/arm64 (CITADEL_CACHE);
# the apt lists are refreshed when older than a day.
# Pin the kernel with CITADEL_KERNEL_ARM64=6.12.NN+deb12-arm64 (6.12)
# or CITADEL_KERNEL_ARM64_61=6.1.0-NN-arm64 (6.1).
set -eu

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${CACHE:=${CITADEL_CACHE:-$ROOT/.cache}}"
A=$CACHE/arm64
APTDIR=$A/apt
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
MIRROR=${CITADEL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${CITADEL_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}

die() { echo "arm64-sysroot: $*" >&2; exit 1; }
log() { echo "arm64-sysroot: $*" >&2; }

SYSROOT_PKGS="libc6 libc6-dev linux-libc-dev libbpf1 libbpf-dev libelf1
libelf-dev zlib1g zlib1g-dev libssl3 libssl-dev libzstd1 libzstd-dev"

[ -r "$KEYRING" ] || die "$KEYRING missing: install debian-archive-keyring"

# apt and apt-cache with our own state, cache and sources; arm64 only.
APT_OPTS=(
	-o APT::Architecture=arm64 -o APT::Architectures=arm64
	-o Dir::State="$APTDIR/state" -o Dir::State::status="$APTDIR/state/status"
	-o Dir::Cache="$APTDIR/cache"
	-o Dir::Cache::pkgcache="$APTDIR/cache/pkgcache.bin"
	-o Dir::Cache::srcpkgcache="$APTDIR/cache/srcpkgcache.bin"
	-o Dir::Etc::SourceList="$APTDIR/sources.list"
	-o Dir::Etc::SourceParts=/dev/null -o Dir::Etc::Preferences=/dev/null
	-o Dir::Etc::PreferencesParts=/dev/null
)
papt() {
	apt-get -q=2 "${APT_OPTS[@]}" \
		-o APT::Sandbox::User="$(id -un)" \
		-o Acquire::Languages=none -o Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false \
		"$@"
}
papt_cache() {
	apt-cache "${APT_OPTS[@]}" "$@"
}

apt_setup() {
	mkdir -p "$APTDIR/state/lists/partial" "$APTDIR/cache/archives/partial" "$A/debs"
	[ -f "$APTDIR/state/status" ] || : >"$APTDIR/state/status"
	cat >"$APTDIR/sources.list.new" <<EOF
deb [arch=arm64 signed-by=$KEYRING] $MIRROR bookworm main
deb [arch=arm64 signed-by=$KEYRING] $MIRROR bookworm-updates main
deb [arch=arm64 signed-by=$KEYRING] $SECURITY bookworm-security main
EOF
	if cmp -s "$APTDIR/sources.list.new" "$APTDIR/sources.list"; then
		rm -f "$APTDIR/sources.list.new"
	else
		mv -f "$APTDIR/sources.list.new" "$APTDIR/sources.list"
		rm -f "$APTDIR/updated"
	fi
	# Refresh the lists once a day.
	if [ -z "$(find "$APTDIR/updated" -mmin -1440 2>/dev/null)" ]; then
		log "apt-get update (arm64, private lists in $APTDIR)"
		papt update || die "apt-get update failed"
		# pkgcache.bin makes later apt-cache calls fast.
		touch "$APTDIR/updated"
	fi
}

# Candidate versions of every package used here ("PKG VERSION" lines),
# looked up in one apt-cache call per refresh of the lists (and one per
# kernel release other than 6.12's).
versions() {
	local v=$A/versions rel
	if [ ! -s "$v" ] || [ "$APTDIR/updated" -nt "$v" ]; then
		rel=$(release)
		# shellcheck disable=SC2086 # one word per package
		papt_cache show --no-all-versions $SYSROOT_PKGS busybox-static \
			"linux-image-$rel-unsigned" "linux-image-$rel" "linux-headers-$rel" \
			"linux-headers-${rel%-arm64}-common" 2>/dev/null |
			awk '/^Package: /{p=$2} /^Version: /{print p, $2}' >"$v.$$"
		mv -f "$v.$$" "$v"
	fi
	cat "$v"
	if [ -n "${KREL:-}" ] && ! grep -q "^linux-headers-$KREL " "$v"; then
		v=$A/versions-$KREL
		if [ ! -s "$v" ] || [ "$APTDIR/updated" -nt "$v" ]; then
			papt_cache show --no-all-versions \
				"linux-image-$KREL-unsigned" "linux-image-$KREL" "linux-headers-$KREL" \
				"linux-headers-${KREL%-arm64}-common" 2>/dev/null |
				awk '/^Package: /{p=$2} /^Version: /{print p, $2}' >"$v.$$"
			mv -f "$v.$$" "$v"
		fi
		cat "$v"
	fi
}

# deb PKG: path of PKG's arm64 (or all) .deb in $A/debs, downloaded if needed.
deb() {
	local pkg=$1 ver f tmp
	ver=$(versions | awk -v p="$pkg" '$1 == p {print $2; exit}')
	[ -n "$ver" ] || die "package $pkg unknown to the arm64 lists"
	ver=${ver#*:}   # the file name has no epoch
	# apt-get download spells an epoch as %3a in the file name.
	for f in "$A/debs/${pkg}_"{,*%3a}"${ver}_"{arm64,all}.deb; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	tmp=$(mktemp -d "$A/debs/.dl.XXXXXX")
	log "downloading $pkg $ver"
	if ! (cd "$tmp" && papt download "$pkg" >&2); then
		rm -rf "$tmp"
		die "cannot download $pkg"
	fi
	for f in "$tmp/${pkg}_"*.deb; do
		[ -f "$f" ] || continue
		mv -f "$f" "$A/debs/"
		rm -rf "$tmp"
		echo "$A/debs/$(basename "$f")"
		return 0
	done
	rm -rf "$tmp"
	die "download of $pkg left no .deb"
}

# release [SERIES]: the newest arm64 release of SERIES (6.12 or 6.1).
release() {
	local series=${1:-6.12} rel pin memo re
	case "$series" in
		6.12) pin=${CITADEL_KERNEL_ARM64:-} memo=$A/release re='6\.12\.[0-9]*+deb12-arm64' ;;
		6.1) pin=${CITADEL_KERNEL_ARM64_61:-} memo=$A/release-6.1 re='6\.1\.0-[0-9]*-arm64' ;;
		*) die "kernel series $series: 6.12 or 6.1" ;;
	esac
	rel=$pin
	if [ -z "$rel" ] && [ -s "$memo" ] && [ "$memo" -nt "$APTDIR/updated" ]; then
		cat "$memo"
		return 0
	fi
	if [ -z "$rel" ]; then
		# Releases with both an image and headers; newest wins.
		rel=$( {
			papt_cache pkgnames "linux-image-$series." |
				sed -n "s/^linux-image-\\($re\\)\\(-unsigned\\)\\{0,1\\}\$/\\1/p" | sort -u
			papt_cache pkgnames "linux-headers-$series." |
				sed -n "s/^linux-headers-\\($re\\)\$/\\1/p" | sort -u
		} | sort | uniq -d | sort -V | tail -n1)
	fi
	[ -n "$rel" ] || die "no linux-image/linux-headers $series arm64 pair in the lists"
	[ -n "$pin" ] || echo "$rel" >"$memo"
	echo "$rel"
}

sysroot() {
	local s=$A/sysroot p key tmp
	key=$(for p in $SYSROOT_PKGS; do deb "$p"; done | sort)
	if [ -f "$s/.debs" ] && [ "$(cat "$s/.debs")" = "$key" ]; then
		echo "$s"
		return 0
	fi
	log "unpacking the sysroot into $s"
	tmp=$(mktemp -d "$A/.sysroot.XXXXXX")
	for p in $key; do dpkg-deb -x "$p" "$tmp"; done
	# Absolute symlinks (e.g. libfoo.so -> /lib/...) must stay inside it.
	find "$tmp" -type l -lname '/*' | while read -r l; do
		ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$tmp$(readlink "$l")")" "$l"
	done
	echo "$key" >"$tmp/.debs"
	chmod 755 "$tmp"
	rm -rf "$s"
	mv -T "$tmp" "$s"
	echo "$s"
}

# kbuild VER: the amd64 linux-kbuild-VER tools (host binaries); from the
# machine when installed, else downloaded with its own apt and unpacked.
kbuild() {
	local ver=$1 d=/usr/lib/linux-kbuild-$1 c=$A/kbuild/linux-kbuild-$1 f tmp
	if [ -x "$d/scripts/basic/fixdep" ]; then echo "$d"; return 0; fi
	if [ -x "$c/scripts/basic/fixdep" ]; then echo "$c"; return 0; fi
	log "linux-kbuild-$ver (amd64) not installed: downloading it"
	mkdir -p "$A/kbuild"
	tmp=$(mktemp -d "$A/kbuild/.dl.XXXXXX")
	(cd "$tmp" && apt-get download -q=2 -o APT::Sandbox::User="$(id -un)" "linux-kbuild-$ver" >&2) ||
		{ rm -rf "$tmp"; die "cannot download linux-kbuild-$ver (amd64): apt-get update?"; }
	for f in "$tmp"/*.deb; do dpkg-deb -x "$f" "$tmp/x"; done
	rm -rf "$c"
	mv -T "$tmp/x/usr/lib/linux-kbuild-$ver" "$c"
	rm -rf "$tmp"
	echo "$c"
}

# btf_of_image IMAGE OUT: the raw .BTF of a flat arm64 Image, found by its
# magic (0xeB9F, version 1) and cut to the length its header gives.
btf_of_image() {
	python3 - "$1" "$2" <<'EOF'
import struct, sys
data = open(sys.argv[1], 'rb').read()
pos = 0
while True:
    pos = data.find(b'\x9f\xeb\x01\x00', pos)
    if pos < 0:
        sys.exit("no BTF in " + sys.argv[1])
    hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from('<5I', data, pos + 4)
    # vmlinux BTF: 24-byte header, types then strings, and it starts with
    # the empty string.
    if hdr_len == 24 and type_off == 0 and str_off == type_len and str_len > 1000 \
            and data[pos + 24 + str_off] == 0:
        open(sys.argv[2], 'wb').write(data[pos:pos + hdr_len + str_off + str_len])
        break
    pos += 1
EOF
}

# $A/kernel: a link to the release last asked for (the Makefile's paths).
kernel_link() {
	[ "$(readlink "$A/kernel" 2>/dev/null)" = "kernels/$1" ] && return 0
	ln -sfn "kernels/$1" "$A/kernel.$$" && mv -T "$A/kernel.$$" "$A/kernel"
}

# kernel [SERIES]
kernel() {
	local series=${1:-6.12} rel ver dir tmp img hdr common kb kbv
	rel=$(release "$series")
	KREL=$rel
	dir=$A/kernels/$rel
	if [ -f "$dir/release" ]; then
		[ "$series" != 6.12 ] || kernel_link "$rel"
		echo "$dir"
		return 0
	fi
	ver=${rel%-arm64}
	if versions | grep -q "^linux-image-$rel-unsigned "; then
		img=$(deb "linux-image-$rel-unsigned")
	else
		img=$(deb "linux-image-$rel")
	fi
	hdr=$(deb "linux-headers-$rel")
	common=$(deb "linux-headers-$ver-common")
	# The kbuild tools' version: 6.12.NN+deb12 for 6.12, 6.1 for 6.1.0-NN
	# (what the headers' scripts link points to).
	kbv=$(dpkg-deb -c "$hdr" | sed -n 's|.* -> \.\./\.\./lib/linux-kbuild-\([^/]*\)/scripts$|\1|p' | head -n1)
	kb=$(kbuild "${kbv:-$ver}")
	mkdir -p "$A/kernels"
	tmp=$(mktemp -d "$A/kernels/.$rel.XXXXXX")
	log "unpacking kernel $rel into $dir"
	(
		set -eu
		dpkg-deb -x "$img" "$tmp/x"
		cp "$tmp/x/boot/vmlinuz-$rel" "$tmp/Image"
		cp "$tmp/x/boot/config-$rel" "$tmp/config"
		mv "$tmp/x/usr/lib/modules/$rel" "$tmp/modules" 2>/dev/null ||
			mv "$tmp/x/lib/modules/$rel" "$tmp/modules"
		rm -rf "$tmp/x"
		# Debian's arm64 vmlinuz is a flat Image; should it ever be
		# compressed, unpack it.
		case "$(file -b "$tmp/Image")" in
			gzip*) gzip -dc <"$tmp/Image" >"$tmp/Image.raw" && mv "$tmp/Image.raw" "$tmp/Image" ;;
		esac
		mkdir -p "$tmp/root"
		dpkg-deb -x "$hdr" "$tmp/root"
		dpkg-deb -x "$common" "$tmp/root"
		# The headers reach their -common part by absolute path and the
		# kbuild tools by ../../lib/linux-kbuild-VER: point both here.
		sed -i "s|/usr/src/linux-headers-$ver-common|$dir/root/usr/src/linux-headers-$ver-common|" \
			"$tmp/root/usr/src/linux-headers-$rel/Makefile"
		mkdir -p "$tmp/root/usr/lib"
		ln -sfn "$kb" "$tmp/root/usr/lib/linux-kbuild-${kbv:-$ver}"
		ln -sfn "root/usr/src/linux-headers-$rel" "$tmp/headers"
		# The BTF: the headers' vmlinux when it has one, else the Image.
		if [ -f "$tmp/headers/vmlinux" ] &&
		   objcopy -O binary --only-section=.BTF "$tmp/headers/vmlinux" "$tmp/btf" 2>/dev/null &&
		   [ -s "$tmp/btf" ]; then
			:
		else
			btf_of_image "$tmp/Image" "$tmp/btf"
		fi
		[ -s "$tmp/btf" ]
		chmod 644 "$tmp/btf"
		echo "$rel" >"$tmp/release"
	) || { rm -rf "$tmp"; die "unpacking kernel $rel failed"; }
	chmod 755 "$tmp"
	rm -rf "$dir"
	mv -T "$tmp" "$dir"
	[ "$series" != 6.12 ] || kernel_link "$rel"
	echo "$dir"
}

busybox() {
	local d=$A/busybox f
	f=$(deb busybox-static)
	if [ ! -f "$d/.deb" ] || [ "$(cat "$d/.deb")" != "$f" ]; then
		rm -rf "$d"
		dpkg-deb -x "$f" "$d"
		echo "$f" >"$d/.deb"
	fi
	echo "$d/bin/busybox"
}

# One run at a time (make -j runs the sysroot and kernel rules together).
mkdir -p "$A"
exec 9>"$A/.lock"
flock 9
apt_setup
case "${1:-all}" in
	sysroot) sysroot ;;
	kernel) kernel "${2:-}" ;;
	kdir) echo "$(kernel "${2:-}")/headers" ;;
	btf) echo "$(kernel "${2:-}")/btf" ;;
	busybox) busybox ;;
	release) release "${2:-}" ;;
	all) sysroot >/dev/null; kernel >/dev/null; busybox >/dev/null; echo "$A" ;;
	*) sed -n '/^# usage/,/^# Idempotent/p' "$0" >&2; exit 2 ;;
esac
