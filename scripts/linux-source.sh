#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Unpack the parts of Debian's linux-source-6.1 that Citadel uses at build
# time (selftest harness headers, checkpatch, extract-vmlinux, resolve_btfids
# sources) into the cache, once. Nothing from it is copied into the project.
#
# usage: scripts/linux-source.sh [dir]        print the unpacked source dir
#        scripts/linux-source.sh resolve-btfids  build resolve_btfids, print its path
#
set -eu

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CITADEL_CACHE:-$ROOT/.cache}
TARBALL=${CITADEL_LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
SRC=$CACHE/linux-source-6.1
# Bump when the member list changes so old caches are redone.
STAMP_VERSION=1
# Top-level members to unpack: the whole tree is ~1.3 GB, these ~60 MB.
MEMBERS="Makefile tools scripts include/uapi include/linux/btf_ids.h"

die() { echo "linux-source.sh: $*" >&2; exit 1; }

unpack() {
    local stamp=$SRC/.citadel-unpacked
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$STAMP_VERSION $TARBALL" ]; then
        return 0
    fi
    [ -r "$TARBALL" ] || die "$TARBALL missing: run scripts/install-deps.sh (package linux-source-6.1)"
    mkdir -p "$CACHE"
    # Unpack into a private temp dir and rename it into place, so concurrent
    # callers never see a half-unpacked tree.
    local tmp top m
    tmp=$(mktemp -d "$CACHE/.linux-source.XXXXXX")
    top=$(basename "$TARBALL" .tar.xz)
    set --
    for m in $MEMBERS; do set -- "$@" "$top/$m"; done
    echo "linux-source.sh: unpacking $* from $TARBALL (~10 s, once)" >&2
    if ! tar -xJf "$TARBALL" -C "$tmp" "$@"; then
        rm -rf "$tmp"
        die "tar failed on $TARBALL"
    fi
    echo "$STAMP_VERSION $TARBALL" > "$tmp/$top/.citadel-unpacked"
    if [ -e "$SRC" ]; then
        # Stale version: move it aside first (rename is atomic), then delete.
        local old
        old=$(mktemp -d "$CACHE/.linux-source-old.XXXXXX")
        mv -T "$SRC" "$old/src" 2>/dev/null || true
        rm -rf "$old"
    fi
    if ! mv -T "$tmp/$top" "$SRC" 2>/dev/null; then
        # Another process won the race; its tree is as good as ours.
        [ -f "$stamp" ] || { rm -rf "$tmp"; die "could not install $SRC"; }
    fi
    rm -rf "$tmp"
}

resolve_btfids() {
    local out=$CACHE/tools/resolve_btfids
    if [ -x "$out" ]; then
        echo "$out"
        return 0
    fi
    unpack
    mkdir -p "$CACHE/tools"
    local tmp
    tmp=$(mktemp -d "$CACHE/tools/.resolve_btfids.XXXXXX")
    echo "linux-source.sh: building resolve_btfids (~10 s, once)" >&2
    # Build out of tree (OUTPUT=) so the shared source stays read-only; unset
    # variables from an outer kernel make that would redirect the build.
    if ! env -u O -u srctree -u objtree -u KBUILD_OUTPUT \
        make -s -C "$SRC/tools/bpf/resolve_btfids" OUTPUT="$tmp/" \
        -j"$(nproc 2>/dev/null || echo 2)" >"$tmp/build.log" 2>&1; then
        cat "$tmp/build.log" >&2
        rm -rf "$tmp"
        die "resolve_btfids build failed"
    fi
    [ -x "$tmp/resolve_btfids" ] || { rm -rf "$tmp"; die "resolve_btfids not produced"; }
    mv -f "$tmp/resolve_btfids" "$out.$$"
    mv -f "$out.$$" "$out"
    rm -rf "$tmp"
    echo "$out"
}

case "${1:-dir}" in
    dir) unpack; echo "$SRC" ;;
    resolve-btfids) resolve_btfids ;;
    -h|--help) sed -n '/^# usage/,/^#$/p' "$0" ;;
    *) die "unknown command '$1' (dir | resolve-btfids)" ;;
esac
