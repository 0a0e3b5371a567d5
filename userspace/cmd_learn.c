// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * citadelctl learn --duration SECONDS -o OUT.conf
 *
 * Loads an audit-only policy that allows nothing (so everything the
 * device does becomes an audited event and nothing is refused), records
 * the events for SECONDS, unloads it, and writes a policy for review:
 *
 * - every executable that did network or socket work becomes a service
 *   with itself as entry and what it did as its rules (processes are
 *   told apart by their executable, the event's exe field);
 * - every other program started becomes a global helper;
 * - every directory executable code was mapped from becomes a libs line;
 * - each rule carries a comment: how often it was seen.
 *
 * A policy must not be loaded already (learning would replace it).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blob_write.h"
#include "citadelctl.h"
#include "diag.h"
#include "event_line.h"
#include "fileio.h"
#include "policy.h"
#include "policy_parse.h"
#include "sysfs.h"

struct item {
	char *text;
	unsigned long count;
};

struct list {
	struct item *v;
	size_t n, cap;
};

struct actor {
	char *exe;
	struct list rules;	/* connect, listen, socket lines */
	char name[64];
};

struct learned {
	struct list exec;	/* programs started */
	struct list maps;	/* files mapped executable */
	struct list libs;	/* their directories, less the programs */
	struct actor *actors;
	size_t nactors, cap;
	unsigned long events, lost;
};

static int list_add(struct list *l, const char *text)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (!strcmp(l->v[i].text, text)) {
			l->v[i].count++;
			return 0;
		}
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct item *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].text = strdup(text);
	if (!l->v[l->n].text)
		return -ENOMEM;
	l->v[l->n++].count = 1;
	return 0;
}

static void list_free(struct list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
}

static int item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->text,
		      ((const struct item *)b)->text);
}

static struct actor *actor_of(struct learned *L, const char *exe)
{
	size_t i;

	for (i = 0; i < L->nactors; i++)
		if (!strcmp(L->actors[i].exe, exe))
			return &L->actors[i];
	if (L->nactors == L->cap) {
		size_t cap = L->cap ? 2 * L->cap : 8;
		struct actor *v = realloc(L->actors, cap * sizeof(*v));

		if (!v)
			return NULL;
		L->actors = v;
		L->cap = cap;
	}
	memset(&L->actors[L->nactors], 0, sizeof(L->actors[0]));
	L->actors[L->nactors].exe = strdup(exe);
	if (!L->actors[L->nactors].exe)
		return NULL;
	return &L->actors[L->nactors++];
}

/* "1.2.3.4:53" or "[::1]:22" into address and port. */
static int split_addr(const char *s, char *addr, size_t alen,
		      unsigned int *port)
{
	const char *colon;
	size_t n;

	if (*s == '[') {
		colon = strstr(s, "]:");
		if (!colon)
			return -1;
		n = (size_t)(colon - s - 1);
		if (n >= alen)
			return -1;
		memcpy(addr, s + 1, n);
		colon++;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		n = (size_t)(colon - s);
		if (n >= alen)
			return -1;
		memcpy(addr, s, n);
	}
	addr[n] = '\0';
	*port = (unsigned int)strtoul(colon + 1, NULL, 10);
	return 0;
}

/* Turns one event's operation and object into a policy rule, or "". */
static void rule_of(const char *op, const char *object, char *out, size_t len)
{
	char proto[8], where[128], addr[96];
	unsigned int port, fam, type;

	out[0] = '\0';
	if (!strcmp(op, "connect") || !strcmp(op, "send")) {
		if (sscanf(object, "proto=%7s dst=%127s", proto, where) == 2 &&
		    strcmp(proto, "other") &&
		    !split_addr(where, addr, sizeof(addr), &port))
			snprintf(out, len, "connect %s %s port %u", proto, addr,
				 port);
	} else if (!strcmp(op, "bind") || !strcmp(op, "listen")) {
		if (sscanf(object, "proto=%7s local=%127s", proto, where) == 2 &&
		    strcmp(proto, "other") &&
		    !split_addr(where, addr, sizeof(addr), &port)) {
			if (!strcmp(addr, "0.0.0.0") || !strcmp(addr, "::"))
				snprintf(out, len, "listen %s %u", proto, port);
			else
				snprintf(out, len, "listen %s %u on %s", proto,
					 port, addr);
		}
	} else if (!strcmp(op, "socket")) {
		if (sscanf(object, "family=%u type=%u", &fam, &type) == 2) {
			const char *name = (fam == 2 || fam == 10) && type == 3 ?
					   "raw" : family_name(fam);

			if (name)
				snprintf(out, len, "socket %s", name);
		}
	}
}

static int record(struct learned *L, char *line)
{
	char *f[F_COUNT], rule[256];
	const char *path;
	struct actor *a;
	int n = event_split(line, f, F_COUNT);

	if (n == 3 && !strcmp(f[1], "lost")) {
		L->lost += strtoul(f[2], NULL, 10);
		return 0;
	}
	if (n != F_COUNT)
		return 0;
	L->events++;
	/* Whoever acted must be able to start again. */
	if (f[F_EXE][0] == '/' && list_add(&L->exec, f[F_EXE]))
		return -ENOMEM;
	if (!strcmp(f[F_OP], "exec") || !strcmp(f[F_OP], "mmap")) {
		if (strncmp(f[F_OBJECT], "path=/", 6))
			return 0;	/* fileless or unreadable: not learned */
		path = f[F_OBJECT] + 5;
		if (!strcmp(f[F_OP], "exec"))
			return list_add(&L->exec, path);
		return list_add(&L->maps, path);
	}
	rule_of(f[F_OP], f[F_OBJECT], rule, sizeof(rule));
	if (!rule[0] || f[F_EXE][0] != '/')
		return 0;
	a = actor_of(L, f[F_EXE]);
	return a ? list_add(&a->rules, rule) : -ENOMEM;
}

static void name_services(struct learned *L)
{
	size_t i, j, k;

	for (i = 0; i < L->nactors; i++) {
		const char *base = strrchr(L->actors[i].exe, '/') + 1;
		char *p = L->actors[i].name;

		for (k = 0; base[k] && k < 48; k++)
			p[k] = (strchr("_-.", base[k]) ||
				(base[k] >= 'a' && base[k] <= 'z') ||
				(base[k] >= 'A' && base[k] <= 'Z') ||
				(base[k] >= '0' && base[k] <= '9')) ? base[k] : '_';
		p[k] = '\0';
		if (!k || !strcmp(p, "global"))
			snprintf(p, sizeof(L->actors[i].name), "svc%zu", i + 1);
		for (j = 0; j < i; j++)
			if (!strcmp(L->actors[j].name, p))
				snprintf(p + strlen(p), 12, "-%u",
					 (unsigned int)(i + 1) % 100000);
	}
}

static bool is_entry(const struct learned *L, const char *path)
{
	size_t i;

	for (i = 0; i < L->nactors; i++)
		if (L->actors[i].rules.n && !strcmp(L->actors[i].exe, path))
			return true;
	return false;
}

static void emit_list(FILE *f, const struct list *l, const char *prefix)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		fprintf(f, "    %s%-60s # seen %lu time%s\n", prefix,
			l->v[i].text, l->v[i].count,
			l->v[i].count == 1 ? "" : "s");
}

static bool in_list(const struct list *l, const char *text)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].text, text))
			return true;
	return false;
}

/*
 * Libraries: directories of files mapped executable, leaving out the
 * programs themselves (their exec rules cover their own mappings).
 */
static int collect_libs(struct learned *L)
{
	char dir[4096], *slash;
	size_t i;

	for (i = 0; i < L->maps.n; i++) {
		if (in_list(&L->exec, L->maps.v[i].text) ||
		    is_entry(L, L->maps.v[i].text))
			continue;
		snprintf(dir, sizeof(dir), "%s", L->maps.v[i].text);
		slash = strrchr(dir, '/');
		if (!slash)
			continue;
		slash[1] = '\0';
		if (list_add(&L->libs, dir))
			return -ENOMEM;
	}
	return 0;
}

static void emit(FILE *f, struct learned *L, unsigned long secs)
{
	size_t i;

	if (collect_libs(L))
		fprintf(f, "# (out of memory collecting libs)\n");

	qsort(L->exec.v, L->exec.n, sizeof(struct item), item_cmp);
	qsort(L->libs.v, L->libs.n, sizeof(struct item), item_cmp);
	name_services(L);
	fprintf(f, "# Learned by citadelctl learn over %lu s: %lu events%s.\n",
		secs, L->events, L->lost ? " (some lost: run longer or quieter)" : "");
	fprintf(f, "# Review every line before enforcing it: each is something\n"
		   "# a process did while learning, good or bad.\n");
	fprintf(f, "policy learned version 1\nmode enforce\n\nglobal {\n");
	for (i = 0; i < L->exec.n; i++)
		if (!is_entry(L, L->exec.v[i].text))
			fprintf(f, "    exec %-55s # started %lu time%s\n",
				L->exec.v[i].text, L->exec.v[i].count,
				L->exec.v[i].count == 1 ? "" : "s");
	for (i = 0; i < L->libs.n; i++)
		fprintf(f, "    libs %-55s # mapped %lu time%s\n",
			L->libs.v[i].text, L->libs.v[i].count,
			L->libs.v[i].count == 1 ? "" : "s");
	if (!L->exec.n)
		fprintf(f, "    exec /  # nothing was started while learning\n");
	fprintf(f, "}\n");
	for (i = 0; i < L->nactors; i++) {
		struct actor *a = &L->actors[i];

		if (!a->rules.n)
			continue;
		qsort(a->rules.v, a->rules.n, sizeof(struct item), item_cmp);
		fprintf(f, "\nservice %s {\n    exec %s\n", a->name, a->exe);
		emit_list(f, &a->rules, "");
		fprintf(f, "}\n");
	}
}

/* Compiles the learning policy: audit mode, an exec rule nothing matches. */
static int learning_blob(uint8_t **blob, size_t *len)
{
	static const char text[] =
		"policy learning version 0\nmode audit\n"
		"global {\n    exec /.citadel-learning-matches-nothing\n}\n";
	FILE *quiet = fopen("/dev/null", "w");
	struct policy pol;
	struct diag d;
	int ret;

	if (!quiet)
		return -1;
	policy_init(&pol);
	/* Its warning (no libs) is the point: it allows nothing. */
	diag_init(&d, "<learning policy>", text, sizeof(text) - 1);
	d.out = quiet;
	ret = policy_parse(&d, text, sizeof(text) - 1, &pol);
	if (!ret)
		ret = blob_build(&pol, blob, len);
	policy_free(&pol);
	fclose(quiet);
	return ret ? -1 : 0;
}

static int policy_loaded(void)
{
	char *buf;
	size_t len;
	int loaded;

	if (citadel_read("status", &buf, &len))
		return -1;
	loaded = strstr(buf, "state loaded\n") != NULL;
	free(buf);
	return loaded;
}

int cmd_learn(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS,
		{ "duration", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ 0 }
	};
	struct learned L = { 0 };
	char path[512], buf[65536], *line, *nl, *out_text = NULL;
	unsigned long secs = 0;
	const char *out = NULL;
	size_t have = 0, out_len = 0, i;
	time_t deadline;
	uint8_t *blob;
	size_t blen;
	int opt, fd, ret = EXIT_ERR;
	FILE *mem;

	optind = 0;
	while ((opt = getopt_long(argc, argv, COMMON_OPTS_SHORT "d:o:", opts,
				  NULL)) != -1) {
		if (common_opt(opt))
			continue;
		if (opt == 'd') {
			secs = strtoul(optarg, NULL, 10);
			continue;
		}
		if (opt == 'o') {
			out = optarg;
			continue;
		}
		usage_cmd("learn", opt == 'h');
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (!secs || !out || optind != argc) {
		p_err("learn needs --duration SECONDS and -o OUT.conf");
		usage_cmd("learn", false);
		return EXIT_USAGE;
	}
	if (citadel_require_root())
		return EXIT_ERR;
	if (policy_loaded() != 0) {
		p_err("a policy is loaded (or citadel is not running): learning would replace it; run 'citadelctl unload' first");
		return EXIT_ERR;
	}
	if (learning_blob(&blob, &blen)) {
		p_err("cannot build the learning policy");
		return EXIT_ERR;
	}
	snprintf(path, sizeof(path), "%s/events", citadel_root());
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		p_err("cannot open %s: %s", path, strerror(errno));
		free(blob);
		return EXIT_ERR;
	}
	/* Skip what happened before learning started. */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	if (citadel_write("policy", blob, blen)) {
		p_err("cannot load the learning policy");
		goto out;
	}
	fprintf(stderr, "learning for %lu s: everything is allowed and recorded\n",
		secs);
	deadline = time(NULL) + (time_t)secs;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		time_t now = time(NULL);
		ssize_t n;

		if (now >= deadline)
			break;
		if (poll(&p, 1, (int)(deadline - now) * 1000) <= 0)
			continue;
		while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
			have += (size_t)n;
			buf[have] = '\0';
			line = buf;
			while ((nl = strchr(line, '\n'))) {
				*nl = '\0';
				if (record(&L, line))
					goto out_unload;
				line = nl + 1;
			}
			have -= (size_t)(line - buf);
			memmove(buf, line, have);
		}
	}
	mem = open_memstream(&out_text, &out_len);
	if (!mem)
		goto out_unload;
	emit(mem, &L, secs);
	fclose(mem);
	if (write_file_atomic(out, out_text, out_len)) {
		p_err("cannot write %s", out);
		goto out_unload;
	}
	fprintf(stderr, "wrote %s: %lu events%s; review it, then 'citadelctl check %s'\n",
		out, L.events, L.lost ? ", some lost" : "", out);
	ret = EXIT_OK;
out_unload:
	if (citadel_write("unload", "1", 1))
		p_err("cannot unload the learning policy: run 'citadelctl unload'");
out:
	close(fd);
	free(blob);
	free(out_text);
	list_free(&L.exec);
	list_free(&L.maps);
	list_free(&L.libs);
	for (i = 0; i < L.nactors; i++) {
		list_free(&L.actors[i].rules);
		free(L.actors[i].exe);
	}
	free(L.actors);
	return ret;
}
