// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * citadelctl events [--follow] [-j]
 *
 * Reads the kernel's event stream (/sys/kernel/security/citadel/events:
 * tab-separated lines, see module/events.c) and prints one line per
 * event: readable text, or JSON Lines with -j (schema in the README).
 * Without --follow it prints what the ring holds and exits; with it, it
 * waits for more, for log pipelines (journald, syslog via logger).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "citadelctl.h"
#include "event_line.h"
#include "json.h"
#include "sysfs.h"

static void iso_time(const char *ns_text, char *buf, size_t len)
{
	unsigned long long ns = strtoull(ns_text, NULL, 10);
	time_t secs = (time_t)(ns / 1000000000ull);
	struct tm tm;
	char base[32];

	gmtime_r(&secs, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09lluZ", base, ns % 1000000000ull);
}

static void print_event(char *line, bool json)
{
	char *f[F_COUNT], when[48];
	struct json j;
	int n = event_split(line, f, F_COUNT);

	if (n == 3 && !strcmp(f[1], "lost")) {
		if (json) {
			json_init(&j, stdout, false);
			json_begin_object(&j);
			json_kv_uint(&j, "seq", strtoull(f[0], NULL, 10));
			json_kv_uint(&j, "lost", strtoull(f[2], NULL, 10));
			json_end_object(&j);
			json_finish(&j);
		} else {
			printf("-- %s events lost: the reader fell behind the kernel's ring --\n",
			       f[2]);
		}
		return;
	}
	if (n != F_COUNT) {
		p_warn("unreadable event line (%d fields)", n);
		return;
	}
	iso_time(f[F_TIME], when, sizeof(when));
	if (!json) {
		printf("%s %s %s %s pid=%s uid=%s comm=%s exe=%s service=%s policy=%s version=%s\n",
		       when, f[F_DECISION], f[F_OP], f[F_OBJECT], f[F_PID],
		       f[F_UID], f[F_COMM], f[F_EXE], f[F_SERVICE],
		       f[F_POLICY], f[F_VERSION]);
		return;
	}
	json_init(&j, stdout, false);
	json_begin_object(&j);
	json_kv_uint(&j, "seq", strtoull(f[F_SEQ], NULL, 10));
	json_kv_string(&j, "time", when);
	json_kv_uint(&j, "pid", strtoull(f[F_PID], NULL, 10));
	json_kv_uint(&j, "uid", strtoull(f[F_UID], NULL, 10));
	json_kv_string(&j, "comm", f[F_COMM]);
	json_kv_string(&j, "exe", f[F_EXE]);
	json_kv_string(&j, "service", f[F_SERVICE]);
	json_kv_string(&j, "operation", f[F_OP]);
	json_kv_string(&j, "decision", f[F_DECISION]);
	json_kv_string(&j, "object", f[F_OBJECT]);
	json_kv_string(&j, "rule", f[F_RULE]);
	json_kv_string(&j, "policy", f[F_POLICY]);
	json_kv_uint(&j, "version", strtoull(f[F_VERSION], NULL, 10));
	json_kv_string(&j, "digest", f[F_DIGEST]);
	json_end_object(&j);
	json_finish(&j);
}

int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS,
		{ "follow", no_argument, NULL, 'f' },
		{ 0 }
	};
	char path[512], buf[65536], *line, *nl;
	bool follow = false;
	size_t have = 0;
	ssize_t n;
	int opt, fd;

	optind = 0;
	while ((opt = getopt_long(argc, argv, COMMON_OPTS_SHORT "f", opts,
				  NULL)) != -1) {
		if (common_opt(opt))
			continue;
		if (opt == 'f') {
			follow = true;
			continue;
		}
		usage_cmd("events", opt == 'h');
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind != argc) {
		usage_cmd("events", false);
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "%s/events", citadel_root());
	fd = open(path, O_RDONLY | O_CLOEXEC | (follow ? 0 : O_NONBLOCK));
	if (fd < 0) {
		p_err("cannot open %s: %s%s", path, strerror(errno),
		      errno == ENOENT ? " (is citadel.ko loaded?)" : "");
		return EXIT_ERR;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			p_err("reading %s: %s", path, strerror(errno));
			close(fd);
			return EXIT_ERR;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		line = buf;
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			print_event(line, json_output);
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
	}
	close(fd);
	return EXIT_OK;
}
