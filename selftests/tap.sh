# SPDX-License-Identifier: GPL-2.0-only
# TAP results for the shell test suites, on the host and in the VM.
# Source it, then: tap STATUS DESCRIPTION [DETAILS_FILE]; finish with
# echo "1..$n"; exit $failed. Details of a failure print as comments.
n=0
failed=0

tap() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
		if [ -n "${3:-}" ] && [ -s "$3" ]; then
			sed 's/^/#   /' "$3" | head -n 40
		fi
	fi
}

# tap_include FILE: the results of another TAP stream (a guest's), numbered
# on after ours; its plan line is dropped, its other lines become comments.
tap_include() {
	while IFS= read -r line; do
		case "$line" in
		"ok "*)
			n=$((n + 1))
			echo "ok $n - ${line#ok * - }"
			;;
		"not ok "*)
			n=$((n + 1))
			failed=1
			echo "not ok $n - ${line#not ok * - }"
			;;
		"1.."*) ;;
		*) echo "# $line" ;;
		esac
	done <"$1"
}
