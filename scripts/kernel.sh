#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Resolve and fetch the Debian kernels Citadel is tested on.
#
# usage: scripts/kernel.sh resolve 6.1|6.12|RELEASE   print the Debian release (6.1.0-NN-amd64)
#        scripts/kernel.sh fetch   6.1|6.12|RELEASE   download+unpack, print $CACHE/kernels/RELEASE
#        scripts/kernel.sh headers 6.1|6.12|RELEASE   print the headers package name
# Sourcing it defines kernel_resolve, kernel_fetch, kernel_image_pkgs.
#
# 6.1  = the release linux-image-amd64 depends on (Debian 12's default kernel).
# 6.12 = the newest linux-image-6.12.*+deb12-amd64-unsigned that also has
#        linux-headers in the archive (bookworm-security).
# Pin either with CITADEL_KERNEL_6_1=RELEASE / CITADEL_KERNEL_6_12=RELEASE.
# fetch leaves in the directory: vmlinuz, vmlinux (uncompressed ELF: QEMU
# boots it through its PVH entry, skipping the ~4 s xz decompression of 6.1
# under TCG), config, btf (raw .BTF of vmlinux, equal to the guest's
# /sys/kernel/btf/vmlinux), release, and modules/ (the image's /lib/modules/RELEASE, for tests that need e.g. veth).

KERNEL_SH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${CACHE:=${CITADEL_CACHE:-$KERNEL_SH_ROOT/.cache}}"

_kernel_die() { echo "kernel.sh: $*" >&2; return 1; }

# Newest cached release matching a glob, for offline use when apt lists are gone.
_kernel_cached() {
    local d best=
    for d in "$CACHE"/kernels/$1; do
        [ -f "$d/release" ] && best=$(printf '%s\n%s\n' "$best" "$(basename "$d")" | sort -V | tail -n1)
    done
    [ -n "$best" ] && echo "$best"
}

_kernel_pin() {
    case "$1" in
        6.1) echo "${CITADEL_KERNEL_6_1:-}" ;;
        6.12) echo "${CITADEL_KERNEL_6_12:-}" ;;
    esac
}

kernel_resolve() {
    local want=${1:-} rel='' memo lists=/var/lib/apt/lists
    # apt-cache takes ~1 s here (no pkgcache.bin): remember the answer until
    # the apt lists change.
    memo=$CACHE/kernels/.resolved-$want
    case "$want" in
        6.1|6.12)
            if [ -z "$(_kernel_pin "$want")" ] && [ -s "$memo" ] && [ "$memo" -nt "$lists" ]; then
                cat "$memo"
                return 0
            fi ;;
    esac
    case "$want" in
        6.1)
            rel=${CITADEL_KERNEL_6_1:-}
            [ -n "$rel" ] || rel=$(apt-cache depends linux-image-amd64 2>/dev/null |
                sed -n 's/^ *Depends: linux-image-\(6\.1\.[0-9]*-[0-9]*-amd64\)$/\1/p' | head -n1)
            [ -n "$rel" ] || rel=$(_kernel_cached '6.1.*-amd64') || true
            ;;
        6.12)
            rel=${CITADEL_KERNEL_6_12:-}
            if [ -z "$rel" ]; then
                # Releases having both the unsigned image and headers; newest wins.
                rel=$( {
                    apt-cache pkgnames linux-image-6.12. 2>/dev/null |
                        sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12-amd64\)-unsigned$/\1/p' | sort -u
                    apt-cache pkgnames linux-headers-6.12. 2>/dev/null |
                        sed -n 's/^linux-headers-\(6\.12\.[0-9]*+deb12-amd64\)$/\1/p' | sort -u
                } | sort | uniq -d | sort -V | tail -n1)
            fi
            [ -n "$rel" ] || rel=$(_kernel_cached '6.12.*+deb12-amd64') || true
            ;;
        *-*) rel=$want ;;   # already a full release such as 6.1.0-56-amd64
        *) _kernel_die "unknown kernel '$want' (6.1, 6.12 or a release like 6.1.0-56-amd64)"; return 1 ;;
    esac
    [ -n "$rel" ] || { _kernel_die "cannot resolve kernel $want: run 'apt-get update' (apt lists empty?)"; return 1; }
    case "$want" in
        6.1|6.12)
            if [ -z "$(_kernel_pin "$want")" ] && mkdir -p "$CACHE/kernels" 2>/dev/null; then
                if ! { echo "$rel" > "$memo.$$" && mv -f "$memo.$$" "$memo"; } 2>/dev/null; then
                    rm -f "$memo.$$"
                fi
            fi ;;
    esac
    echo "$rel"
}

# Image packages to try for a release, preferred first: 6.12 from the
# -unsigned package (no shim/signing dependencies); 6.1's signed image is
# what devices run and boots the same under QEMU (no Secure Boot).
kernel_image_pkgs() {
    case "$1" in
        *+deb*) echo "linux-image-$1-unsigned linux-image-$1" ;;
        *) echo "linux-image-$1 linux-image-$1-unsigned" ;;
    esac
}

# Find or download the image .deb; print its path. The preferred package
# wins even over a cached alternative (e.g. apt's copy of the signed 6.12).
_kernel_deb() {
    local rel=$1 pkg f tmp debs=$CACHE/debs
    mkdir -p "$debs"
    for pkg in $(kernel_image_pkgs "$rel"); do
        # Reuse our cache or apt's archive cache when the .deb is already there.
        for f in "$debs/${pkg}_"*_amd64.deb /var/cache/apt/archives/"${pkg}_"*_amd64.deb; do
            [ -f "$f" ] && { echo "$f"; return 0; }
        done
        apt-cache show "$pkg" >/dev/null 2>&1 || continue
        tmp=$(mktemp -d "$debs/.dl.XXXXXX")
        echo "kernel.sh: downloading $pkg" >&2
        # As root apt drops to user _apt, which cannot write our temp dir:
        # download as ourselves instead of getting a warning per file.
        if (cd "$tmp" && apt-get download -q=2 -o APT::Sandbox::User="$(id -un)" "$pkg" >&2); then
            for f in "$tmp/${pkg}_"*_amd64.deb; do
                [ -f "$f" ] || continue
                mv -f "$f" "$debs/$(basename "$f")"
                rm -rf "$tmp"
                echo "$debs/$(basename "$f")"
                return 0
            done
        fi
        rm -rf "$tmp"
    done
    _kernel_die "cannot download an image package for $rel (tried: $(kernel_image_pkgs "$rel"))"
}

kernel_fetch() {
    local rel dir deb tmp src
    rel=$(kernel_resolve "${1:-}") || return 1
    dir=$CACHE/kernels/$rel
    if [ -f "$dir/release" ]; then
        # Dirs from before vmlinux was kept: add it (temp file, then rename).
        if [ ! -f "$dir/vmlinux" ]; then
            src=$("$KERNEL_SH_ROOT/scripts/linux-source.sh") || return 1
            tmp=$(mktemp "$dir/.vmlinux.XXXXXX")
            if sh "$src/scripts/extract-vmlinux" "$dir/vmlinuz" > "$tmp"; then
                chmod 644 "$tmp"
                mv -f "$tmp" "$dir/vmlinux"
            else
                rm -f "$tmp"
            fi
        fi
        echo "$dir"
        return 0
    fi
    deb=$(_kernel_deb "$rel") || return 1
    src=$("$KERNEL_SH_ROOT/scripts/linux-source.sh") || return 1
    mkdir -p "$CACHE/kernels"
    # Build in a temp dir, then rename: concurrent fetches never see a partial dir.
    tmp=$(mktemp -d "$CACHE/kernels/.$rel.XXXXXX")
    echo "kernel.sh: unpacking $(basename "$deb")" >&2
    if ! (
        set -eu
        dpkg-deb -x "$deb" "$tmp/x"
        cp "$tmp/x/boot/vmlinuz-$rel" "$tmp/vmlinuz"
        cp "$tmp/x/boot/config-$rel" "$tmp/config"
        mv "$tmp/x/lib/modules/$rel" "$tmp/modules"
        # The raw .BTF section of vmlinux is byte for byte /sys/kernel/btf/vmlinux:
        # the base that module BTF must be built against.
        sh "$src/scripts/extract-vmlinux" "$tmp/vmlinuz" > "$tmp/vmlinux"
        objcopy -O binary --only-section=.BTF "$tmp/vmlinux" "$tmp/btf"
        [ -s "$tmp/btf" ]
        chmod 644 "$tmp/btf"
        rm -rf "$tmp/x"
        echo "$rel" > "$tmp/release"
    ); then
        rm -rf "$tmp"
        _kernel_die "unpacking $deb failed"
        return 1
    fi
    chmod 755 "$tmp"
    if ! mv -T "$tmp" "$dir" 2>/dev/null; then
        rm -rf "$tmp"   # another process finished first
        [ -f "$dir/release" ] || { _kernel_die "cannot create $dir"; return 1; }
    fi
    echo "$dir"
}

# Run as a command (not sourced).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -eu
    case "${1:-}" in
        resolve) kernel_resolve "${2:-}" ;;
        fetch) kernel_fetch "${2:-}" ;;
        headers) echo "linux-headers-$(kernel_resolve "${2:-}")" ;;
        *) sed -n '/^# usage/,/^#$/p' "$0" >&2; exit 2 ;;
    esac
fi
