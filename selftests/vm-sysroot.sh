#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What exec_test needs to run dynamic programs in the test VM, whose root
# holds only a static busybox:
#   selftests/vm-sysroot.sh OUTDIR
# OUTDIR/sysroot/   this host's dynamic loader and libc at their usual
#                   paths (the test copies sysroot/. into / in the guest)
# OUTDIR/dyn_hello  a dynamic program that exits with 42
# OUTDIR/preload_probe.so  an LD_PRELOAD library whose constructor
#                   creates $CITADEL_MARKER
# The program and the library are built here, against the same libc that
# is copied, so the guest's loader and libc match them.
# Cross (arm64 guest): CC=aarch64-linux-gnu-gcc SYSROOT=DIR takes the
# loader and libc from the sysroot DIR and builds against it.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CC=${CC:-gcc}
SYSROOT=${SYSROOT:-}
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
cflags=(-O2 -Wall -Wextra -Werror)
[ -z "$SYSROOT" ] || cflags+=(--sysroot="$SYSROOT")

mkdir -p "$out"
"$CC" "${cflags[@]}" -o "$out/dyn_hello" "$ROOT/selftests/dyn_hello.c"
"$CC" "${cflags[@]}" -shared -fPIC -o "$out/preload_probe.so" \
	"$ROOT/selftests/preload_probe.c"

# The loader the program asks for (PT_INTERP), e.g. /lib64/ld-linux-x86-64.so.2.
interp=$(readelf -l "$out/dyn_hello" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
[ -n "$interp" ] || { echo "vm-sysroot: no PT_INTERP in dyn_hello" >&2; exit 1; }
multiarch=$("$CC" -print-multiarch)
libdir=/lib/${multiarch:?}

# Only libc and the loader: anything else would be missing in the guest.
needed=$(readelf -d "$out/dyn_hello" "$out/preload_probe.so" |
	sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' | sort -u)
for lib in $needed; do
	[ "$lib" = libc.so.6 ] || { echo "vm-sysroot: unexpected dependency $lib" >&2; exit 1; }
done

sys=$out/sysroot
rm -rf "$sys"
# Real files at the paths the loader searches (on merged-/usr hosts /lib
# is a symlink: copy the files, not the layout). A symlink from the
# PT_INTERP path to the loader in $libdir, as Debian has it; it is
# relative so that `cp -L` of OUTDIR resolves it inside OUTDIR.
mkdir -p "$sys$libdir" "$sys$(dirname "$interp")"
ldso=$(readlink -f "$SYSROOT$interp")
cp "$ldso" "$sys$libdir/$(basename "$ldso")"
cp "$(readlink -f "$SYSROOT$libdir/libc.so.6")" "$sys$libdir/libc.so.6"
if [ "$libdir/$(basename "$ldso")" != "$interp" ]; then
	rel=$(realpath -s -m --relative-to="$(dirname "$interp")" "$libdir/$(basename "$ldso")")
	ln -sf "$rel" "$sys$interp"
fi
echo "$out"
