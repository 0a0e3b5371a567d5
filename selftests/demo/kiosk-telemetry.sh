#!/bin/sh
# The telemetry service: one reading to the collector. With "intrude",
# what a compromised agent would try.
if [ "$1" != intrude ]; then
	echo "temp=21 door=closed" | nc 127.0.0.2 9000
	exit $?
fi
. /citadel/demo_lib.sh
try "telemetry agent reaches another host 127.0.0.3:9000" sh -c 'echo x | nc 127.0.0.3 9000'
try "telemetry agent opens the UI port's neighbour :8081" nc -l -p 8081
