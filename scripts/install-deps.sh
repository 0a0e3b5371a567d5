#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Install the Debian packages Citadel needs to build and test (idempotent).
# Skips apt entirely when everything is installed, so a second run is fast.
#
# usage: scripts/install-deps.sh        (as root; otherwise prints the command)
#        CITADEL_DEPS_EXTRA="pkg ..." adds packages to the list.
set -eu

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Toolchain, BPF, module build (+ module BTF: dwarves), the VM rig (qemu,
# busybox, cpio, xz/zstd for extract-vmlinux: 6.1 is xz, 6.12 zstd),
# linux-source-6.1 (harness headers, checkpatch, resolve_btfids), perl for
# checkpatch.pl, dkms for packaging the module, libclang-rt-14-dev for
# libFuzzer, python3 for the compiler tests (JSON checks), openssl for the
# signing tests' throw-away keys, gnuplot-nox and nftables for make bench
# (its plot; nft, copied into the VM to compare with), flex, bison and bc
# for make check-debug's kernel build, debhelper, dh-dkms, dpkg-dev,
# fakeroot and lintian for make deb and its test (scripts/test-deb.sh),
# debootstrap, e2fsprogs (mke2fs -d) and util-linux (unshare) for the
# kiosk image of make demo and its test, groff-base and man-db for the
# man page checks, ansible-core and openssh-client for the fleet example's
# test, gcc-aarch64-linux-gnu (make ARCH=arm64: the cross compiler),
# qemu-system-arm (qemu-system-aarch64, the arm64 VM legs) and
# debian-archive-keyring (scripts/arm64-sysroot.sh verifies the arm64
# packages it fetches with its own apt configuration).
PKGS="gcc make libc6-dev binutils clang llvm bpftool libbpf-dev libelf-dev
zlib1g-dev libssl-dev dwarves qemu-system-x86 busybox-static linux-source-6.1
dkms cpio xz-utils zstd gzip kmod perl file libclang-rt-14-dev python3
openssl gnuplot-nox nftables flex bison bc
debhelper dh-dkms dpkg-dev fakeroot lintian
debootstrap e2fsprogs util-linux groff-base man-db ansible-core
openssh-client gcc-aarch64-linux-gnu qemu-system-arm debian-archive-keyring"

apt_env() { DEBIAN_FRONTEND=noninteractive "$@"; }
is_root() { [ "$(id -u)" = 0 ]; }

# Headers of the two test kernels; their names come from the apt lists.
headers() {
    "$ROOT/scripts/kernel.sh" headers 6.1 && "$ROOT/scripts/kernel.sh" headers 6.12
}
if ! hdrs=$(headers 2>/dev/null); then
    if ! is_root; then
        echo "install-deps.sh: apt lists are empty; as root run:" >&2
        echo "  apt-get update && $0" >&2
        exit 1
    fi
    echo "install-deps.sh: apt lists lack the kernel packages: apt-get update" >&2
    apt_env apt-get update -q
    hdrs=$(headers)
fi

missing=
for p in $PKGS $hdrs ${CITADEL_DEPS_EXTRA:-}; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$st" = installed ] || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "install-deps.sh: all packages present"
    exit 0
fi

if ! is_root; then
    echo "install-deps.sh: missing:$missing" >&2
    echo "run as root:" >&2
    echo "  apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi

# Refresh the lists only when apt does not know a package we need.
for p in $missing; do
    if ! apt-cache show "$p" >/dev/null 2>&1; then
        echo "install-deps.sh: $p unknown to apt: apt-get update" >&2
        apt_env apt-get update -q
        break
    fi
done
echo "install-deps.sh: installing$missing" >&2
# shellcheck disable=SC2086 # word splitting wanted: one argument per package
apt_env apt-get install -y -q --no-install-recommends $missing
