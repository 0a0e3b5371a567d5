# Shared by the demo scripts: run one step, print ALLOWED or DENIED, and
# the kernel's denial lines that appeared meanwhile.
try() {
	desc=$1
	shift
	timeout 3 "$@" >/dev/null 2>&1
	case $? in
	0) result=allowed ;;
	124 | 137 | 143) result="allowed (still running after 3 s)" ;;
	*) result=denied ;;
	esac
	printf '  %-54s %s\n' "$desc" "$(echo "$result" | tr a-z A-Z)"
	echo "$desc|$result" >>/tmp/summary
	dmesg | grep 'citadel: deny' >/tmp/denials
	total=$(wc -l </tmp/denials)
	seen=$(cat /tmp/seen 2>/dev/null || echo 0)
	if [ "$total" -gt "$seen" ]; then
		tail -n $((total - seen)) /tmp/denials |
			sed -e 's/^\[[ 0-9.]*\] //' -e 's/^/      [kernel] /'
	fi
	echo "$total" >/tmp/seen
}
