# SPDX-License-Identifier: GPL-2.0-only
# Checks of a built citadel.ko, shared by the DKMS and image tests.
# Source it after selftests/tap.sh.

# ko_plain KO OUT: OUT is KO uncompressed (DKMS may compress modules).
ko_plain() {
	case "$1" in
	*.xz) xz -dc "$1" >"$2" ;;
	*.zst) zstd -qdc "$1" >"$2" ;;
	*) cp "$1" "$2" 2>/dev/null ;;
	esac
}

# check_ko KO RELEASE WHAT: TAP lines for module BTF, resolved kfunc
# BTF IDs (resolve_btfids ran) and the vermagic of RELEASE.
check_ko() {
	local ko=$1 rel=$2 what=$3 ids
	ids=$(mktemp)
	readelf -S --wide "$ko" 2>/dev/null | grep -q ' \.BTF  *PROGBITS'
	tap $? "$what has BTF"
	objcopy -O binary --only-section=.BTF_ids "$ko" "$ids" 2>/dev/null &&
		[ -s "$ids" ] && od -An -tx1 -v "$ids" | tr -d ' \n' |
		grep -qv '^0*$'
	tap $? "$what has resolved kfunc BTF IDs"
	rm -f "$ids"
	modinfo -F vermagic "$ko" 2>/dev/null | grep -q "^$rel "
	tap $? "$what has the vermagic of $rel"
}
