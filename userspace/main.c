// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * citadelctl: compile, inspect and load Citadel policies.
 *
 * The command table, the global options and the usage text live here;
 * each command lives in its own cmd_*.c (start and stop in loader.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "citadel_abi.h"
#include "citadelctl.h"
#include "json.h"
#include "loader.h"

bool json_output;
bool pretty_output;
bool verbose;

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	const char *args;	/* grammar of the arguments */
	const char *help;
};

static int cmd_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{ "check", cmd_check, "FILE...", "validate policy text, load nothing" },
	{ "compile", cmd_compile, "FILE -o OUT.cpol", "compile policy text into a blob" },
	{ "dump", cmd_dump, "FILE.cpol", "decode and check a compiled blob" },
	{ "sign", cmd_sign, "--key KEY.pem --cert CERT IN.cpol -o OUT.cpol", "append a PKCS#7 signature to a blob" },
	{ "verify", cmd_verify, "--cert CERT FILE.cpol", "check a signed blob against a certificate" },
	{ "load", cmd_load, "[--confirm-within SECONDS] [--keep-copy COPY] FILE.cpol", "replace the running policy (a trial with --confirm-within)" },
	{ "confirm", cmd_confirm, "", "keep the policy of a pending trial load" },
	{ "learn", cmd_learn, "--duration SECONDS -o OUT.conf", "record what the device does and write a policy" },
	{ "events", cmd_events, "[--follow]", "print denials and audit events (-j: JSON Lines)" },
	{ "unload", cmd_unload, "", "remove the policy: nothing is restricted" },
	{ "enroll", cmd_enroll, "CERT.pem|CERT.der", "enrol a certificate that policies may be signed with" },
	{ "keys", cmd_keys, "", "list the enrolled certificates" },
	{ "seal", cmd_seal, "[--without-keys]", "lock Citadel in until reboot (see README, Sealing a device)" },
	{ "status", cmd_status, "[--rules]", "show the running policy and counters" },
	{ "start", cmd_start, "[--module PATH]", "attach the BPF LSM programs" },
	{ "stop", cmd_stop, "", "detach the BPF LSM programs" },
	{ "help", cmd_help, "", "show this text" },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void verror(const char *prefix, const char *fmt, va_list ap)
{
	if (json_output && !strcmp(prefix, "Error")) {
		char msg[1024];
		struct json j;

		vsnprintf(msg, sizeof(msg), fmt, ap);
		json_init(&j, stdout, pretty_output);
		json_begin_object(&j);
		json_kv_string(&j, "error", msg);
		json_end_object(&j);
		json_finish(&j);
		return;
	}
	fprintf(stderr, "%s: ", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror("Error", fmt, ap);
	va_end(ap);
}

void p_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror("Warning", fmt, ap);
	va_end(ap);
}

bool common_opt(int opt)
{
	switch (opt) {
	case 'j':
		json_output = true;
		return true;
	case 'p':
		json_output = true;
		pretty_output = true;
		return true;
	case 'v':
		verbose = true;
		return true;
	default:
		return false;
	}
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: citadelctl [-j|--json [-p|--pretty]] COMMAND [OPTIONS] [ARGS]\n"
		"       citadelctl { -v|--version | -h|--help }\n"
		"\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "       citadelctl %s%s%s\n", cmds[i].name,
			cmds[i].args[0] ? " " : "", cmds[i].args);
	fprintf(f,
		"\n"
		"       OPTIONS := { -j|--json [-p|--pretty] | -v|--verbose | -h|--help }\n"
		"       A unique prefix of a COMMAND is enough, e.g. 'comp'.\n"
		"\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "       %-8s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f,
		"\n"
		"       Environment: CITADEL_SECURITYFS, the module's directory\n"
		"       (default " "/sys/kernel/security/citadel" ").\n");
}

void usage_cmd(const char *name, bool requested)
{
	FILE *f = requested ? stdout : stderr;
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			fprintf(f, "Usage: citadelctl %s%s%s\n", name,
				cmds[i].args[0] ? " " : "", cmds[i].args);
	fprintf(f, "       OPTIONS := { -j|--json [-p|--pretty] | -v|--verbose }\n");
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_OK;
}

static int version(void)
{
	if (json_output) {
		struct json j;

		json_init(&j, stdout, pretty_output);
		json_begin_object(&j);
		json_kv_string(&j, "version", CITADELCTL_VERSION);
		json_kv_uint(&j, "abi", CPOL_ABI_VERSION);
		json_end_object(&j);
		json_finish(&j);
	} else {
		printf("citadelctl v%s (policy ABI %u)\n", CITADELCTL_VERSION,
		       CPOL_ABI_VERSION);
	}
	return EXIT_OK;
}

/* An exact name, or a prefix of exactly one name. */
static const struct cmd *find_cmd(const char *name)
{
	const struct cmd *found = NULL;
	size_t i, len = strlen(name), matches = 0;
	char list[256] = "";

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	for (i = 0; i < NCMDS; i++) {
		if (!len || strncmp(cmds[i].name, name, len))
			continue;
		found = &cmds[i];
		matches++;
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", matches > 1 ? ", " : "", cmds[i].name);
	}
	if (matches == 1)
		return found;
	if (matches > 1)
		p_err("ambiguous command '%s': %s", name, list);
	else
		p_err("unknown command '%s' (see 'citadelctl help')", name);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cmd *cmd;
	int i;

	/*
	 * Global options by hand rather than getopt: the commands run their
	 * own getopt_long(), and the start/stop ones must find it pristine.
	 */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			json_output = true;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--pretty")) {
			json_output = pretty_output = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--version") ||
			   !strcmp(a, "-V")) {
			return version();
		} else if (!strcmp(a, "--verbose")) {
			verbose = true;
		} else {
			p_err("unknown option '%s'", a);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = find_cmd(argv[i]);
	if (!cmd)
		return EXIT_USAGE;
	/* The command sees its own name as argv[0]. */
	return cmd->func(argc - i, argv + i);
}
