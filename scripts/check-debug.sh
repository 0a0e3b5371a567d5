#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check-debug: the whole VM suite on a debug kernel built from
# Debian's linux-source-6.1 (x86_64_defconfig + selftests/debug-kernel.config:
# KASAN, lockdep, KMEMLEAK, atomic-sleep checks, and what Citadel needs).
# The source, the build and the kernel are cached under .cache/; a second
# run only rebuilds what changed. Not part of make check (the build takes
# about an hour on two cores). Any KASAN, lockdep or other kernel report
# fails the run (selftests/vm/run.sh); vm_suite.sh adds a kmemleak scan.
# Ends with "N passed, N failed".
#   CITADEL_DEBUG_JOBS (default: nproc), CITADEL_DEBUG_TIMEOUT (s, 7200)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CITADEL_CACHE:-$ROOT/.cache}
TARBALL=${CITADEL_LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
DIR=$CACHE/linux-debug
SRC=$DIR/linux-source-6.1
OUT=$DIR/build
FRAG=$ROOT/selftests/debug-kernel.config
JOBS=${CITADEL_DEBUG_JOBS:-$(nproc)}
LOCALVERSION=-citadel-debug

die() { echo "check-debug: $*" >&2; exit 1; }
[ -r "$TARBALL" ] || die "$TARBALL missing: run scripts/install-deps.sh"

# 1. The full source, once (about 1.3 GB).
if [ ! -f "$SRC/.citadel-unpacked" ]; then
	echo "check-debug: unpacking $TARBALL (once)"
	rm -rf "$SRC"
	mkdir -p "$DIR"
	tar -xJf "$TARBALL" -C "$DIR"
	touch "$SRC/.citadel-unpacked"
fi

# 2. The configuration: defconfig, the fragment, and a check that every
#    option the fragment sets survived (a dependency may drop one).
mk() { make -C "$SRC" O="$OUT" LOCALVERSION="$LOCALVERSION" "$@"; }
mkdir -p "$OUT"
if [ ! -f "$OUT/.config" ] || [ "$FRAG" -nt "$OUT/.config" ]; then
	mk -s x86_64_defconfig
	"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" "$FRAG" >/dev/null
	mk -s olddefconfig
fi
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$FRAG" | while read -r line; do
	grep -qxF "$line" "$OUT/.config" || echo "$line"
done)
[ -z "$missing" ] || die "options the fragment sets did not survive olddefconfig: $missing"

# 3. The kernel.
echo "check-debug: building the debug kernel with $JOBS jobs (cached afterwards)"
mk -s -j"$JOBS" bzImage modules
rel=$(mk -s kernelrelease)

# 4. Laid out like the Debian kernels the VM rig boots.
kdir=$CACHE/kernels/$rel
if [ ! -f "$kdir/release" ] || [ "$OUT/vmlinux" -nt "$kdir/release" ]; then
	tmp=$(mktemp -d "$CACHE/kernels/.$rel.XXXXXX")
	cp "$OUT/arch/x86/boot/bzImage" "$tmp/vmlinuz"
	cp "$OUT/vmlinux" "$tmp/vmlinux"
	cp "$OUT/.config" "$tmp/config"
	objcopy -O binary --only-section=.BTF "$OUT/vmlinux" "$tmp/btf"
	mk -s INSTALL_MOD_PATH="$tmp/x" modules_install
	mv "$tmp/x/lib/modules/$rel" "$tmp/modules"
	rm -rf "$tmp/x"
	echo "$rel" >"$tmp/release"
	rm -rf "$kdir"
	mv "$tmp" "$kdir"
fi

# 5. Citadel built against it, and the whole VM suite.
make -s -C "$ROOT" all
files=$ROOT/build/vm-debug
CITADEL_KDIR=$OUT "$ROOT/scripts/vm-files.sh" "$rel" "$files" >/dev/null
log=$ROOT/build/check-debug.log
rc=0
# Booted as a bzImage: the PVH entry of a KASAN vmlinux does not start.
set -o pipefail
"$ROOT/selftests/vm/run.sh" --kernel "$rel" --files "$files" --mem 2048 \
	--bzimage --timeout "${CITADEL_DEBUG_TIMEOUT:-7200}" \
	--log "$ROOT/build/serial-debug.log" -- ./vm_suite.sh | tee "$log" || rc=$?
passed=$(grep -cE '^ *ok ' "$log" || true)
skipped=$(grep -cE '^ *ok .*# (SKIP|skip)' "$log" || true)
failed=$(grep -cE '^ *not ok ' "$log" || true)
# A run that failed, or said nothing, without a failed test is one failure.
if { [ "$rc" -ne 0 ] || [ "$passed" -eq 0 ]; } && [ "$failed" -eq 0 ]; then
	failed=1
fi
echo "# debug kernel $rel: serial log build/serial-debug.log"
echo "$((passed - skipped)) passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
