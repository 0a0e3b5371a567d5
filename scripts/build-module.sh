#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build citadel.ko against a kernel's headers, with module BTF.
#
#   scripts/build-module.sh KDIR OUTDIR
#
# OUTDIR receives a copy of Kbuild and module/ (it may be the source tree
# itself, as under DKMS) and ends up holding citadel.ko. Module BTF needs
# the target kernel's own BTF as the base. Kbuild produces it when KDIR
# ships a vmlinux (Debian's 6.12 headers do); otherwise it is added here
# with pahole and resolve_btfids. The base is, in order:
#   $CITADEL_BTF_BASE, KDIR/vmlinux, /sys/kernel/btf/vmlinux when KDIR is
#   the running kernel's, the .BTF of /boot/vmlinuz-RELEASE. Without one, the build fails: a module without
#   BTF loads but nothing can call it.
# Environment: ARCH, CROSS_COMPILE (passed to Kbuild), RESOLVE_BTFIDS,
# CITADEL_BTF_BASE, PAHOLE.
set -eu

die() { echo "build-module: error: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: $0 KDIR OUTDIR"
KDIR=$(cd "$1" && pwd) || die "no kernel headers at $1"
OUT=$2
SRC=$(cd "$(dirname "$0")/.." && pwd)
PAHOLE=${PAHOLE:-pahole}

[ -f "$KDIR/Makefile" ] || die "$KDIR is not a kernel build directory (install linux-headers-<release>)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [ "$OUT" != "$SRC" ]; then
	mkdir -p "$OUT/module"
	cp -p "$SRC/Kbuild" "$OUT/"
	cp -p "$SRC"/module/*.c "$SRC"/module/*.h "$OUT/module/"
fi

# The release string uname -r reports (Debian's kernel.release differs).
KRELEASE=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"$KDIR/include/generated/utsrelease.h" 2>/dev/null)
KRELEASE=${KRELEASE:-unknown}

make_args=(-C "$KDIR" M="$OUT")
[ -n "${ARCH:-}" ] && make_args+=(ARCH="$ARCH")
[ -n "${CROSS_COMPILE:-}" ] && make_args+=(CROSS_COMPILE="$CROSS_COMPILE")
# Kbuild only regenerates BTF when the .ko relinks: start clean.
rm -f "$OUT/citadel.ko"
make "${make_args[@]}" modules

KO=$OUT/citadel.ko
[ -f "$KO" ] || die "Kbuild produced no citadel.ko"
OBJCOPY=${CROSS_COMPILE:-}objcopy
command -v "$OBJCOPY" >/dev/null || OBJCOPY=objcopy
READELF=${CROSS_COMPILE:-}readelf
command -v "$READELF" >/dev/null || READELF=readelf

has_btf() { "$READELF" -S --wide "$1" | grep -q ' \.BTF  *PROGBITS'; }

# boot_btf IMAGE OUT: writes the .BTF section of the kernel in a
# compressed boot image (bzImage: xz, zstd or gzip payload) to OUT. Each
# place the compressor's magic occurs is tried until one decompresses to
# an ELF with BTF.
boot_btf() {
	local img=$1 out=$2 tmp m tool magic mark pos
	[ -r "$img" ] || return 1
	tmp=$(mktemp) || return 1
	# tool:magic:marker, the marker one byte shorter than the magic.
	for m in 'xz:\3757zXZ\000:abcde' 'zstd:(\265/\375:xyz' 'gzip:\037\213\010:gh'; do
		IFS=: read -r tool magic mark <<<"$m"
		command -v "$tool" >/dev/null || continue
		# tr ends a line at the magic's first byte and spells the rest
		# as the marker: grep -b then gives each occurrence's offset.
		for pos in $(tr "$magic\n$mark" "\n$mark=" <"$img" |
			     grep -abo "^$mark" | cut -d: -f1); do
			tail -c +"$pos" "$img" | "$tool" -dc >"$tmp" 2>/dev/null
			if has_btf "$tmp" 2>/dev/null &&
			   "$OBJCOPY" -O binary --only-section=.BTF "$tmp" "$out" 2>/dev/null &&
			   [ -s "$out" ]; then
				rm -f "$tmp"
				echo "build-module: BTF of kernel $KRELEASE taken from $img"
				return 0
			fi
		done
	done
	rm -f "$tmp"
	return 1
}

if has_btf "$KO"; then
	echo "build-module: $KO has BTF (from Kbuild, kernel $KRELEASE)"
	exit 0
fi

base=${CITADEL_BTF_BASE:-}
if [ -z "$base" ] && [ -f "$KDIR/vmlinux" ]; then
	base=$KDIR/vmlinux
fi
if [ -z "$base" ] && [ "$KRELEASE" = "$(uname -r)" ] &&
   [ -r /sys/kernel/btf/vmlinux ]; then
	base=/sys/kernel/btf/vmlinux
fi
# A kernel installed but not running (an upgrade, a chroot, an image
# build): its BTF is in its /boot image.
if [ -z "$base" ] && boot_btf "/boot/vmlinuz-$KRELEASE" "$OUT/vmlinux.btf"; then
	base=$OUT/vmlinux.btf
fi
[ -n "$base" ] || die "no BTF of kernel $KRELEASE to build module BTF against: on the device itself /sys/kernel/btf/vmlinux is used, else /boot/vmlinuz-$KRELEASE; otherwise set CITADEL_BTF_BASE to that kernel's BTF (a copy of its /sys/kernel/btf/vmlinux). Refusing to build a module without BTF."
[ -r "$base" ] || die "BTF base $base is not readable"

rbt=${RESOLVE_BTFIDS:-}
if [ -z "$rbt" ]; then
	for c in "$KDIR/tools/bpf/resolve_btfids/resolve_btfids" \
		 /usr/lib/linux-kbuild-*/tools/bpf/resolve_btfids/resolve_btfids \
		 /usr/lib/citadel/resolve_btfids; do
		if [ -x "$c" ]; then rbt=$c; break; fi
	done
fi
[ -n "$rbt" ] && [ -x "$rbt" ] || die "resolve_btfids not found: install a linux-kbuild package that ships it (Debian: linux-kbuild-6.12) or set RESOLVE_BTFIDS. Without it the kfunc IDs stay zero and the verifier rejects every call."
command -v "$PAHOLE" >/dev/null || die "pahole not found: install dwarves"

flags="--btf_gen_floats -j --lang_exclude=rust"
if [ -f "$KDIR/scripts/pahole-flags.sh" ]; then
	flags=$(PAHOLE=$PAHOLE sh "$KDIR/scripts/pahole-flags.sh")
fi
echo "build-module: adding BTF to $KO (base $base, $rbt)"
# shellcheck disable=SC2086 # flags are words
LLVM_OBJCOPY=$OBJCOPY "$PAHOLE" -J $flags --btf_base "$base" "$KO"
"$rbt" -b "$base" "$KO"
has_btf "$KO" || die "pahole did not add BTF to $KO"
echo "build-module: $KO has BTF (base $base, kernel $KRELEASE)"
