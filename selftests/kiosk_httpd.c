// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kiosk scenario's web server entry (scenario_kiosk_test.sh). A
 * service entry is a path, and /bin/busybox is a global helper that boot
 * scripts need: so the service "httpd" starts from this program, which
 * runs busybox's httpd. Executing a global helper keeps the label.
 *
 * usage: kiosk_httpd [PORT [HOME]]   (default 8080 /www)
 */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *args[] = {
		"httpd", "-f", "-p", argc > 1 ? argv[1] : "8080",
		"-h", argc > 2 ? argv[2] : "/www", NULL,
	};

	execv("/bin/busybox", args);
	perror("kiosk_httpd: /bin/busybox");
	return 126;
}
