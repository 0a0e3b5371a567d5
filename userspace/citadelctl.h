/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What every citadelctl command shares: the global output options, the
 * bpftool-style error helpers and the command entry points.
 */
#ifndef CITADELCTL_H
#define CITADELCTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#define CITADELCTL_VERSION	"0.1.0"

/* Exit statuses. */
#define EXIT_OK		0
#define EXIT_ERR	1
#define EXIT_USAGE	2

extern bool json_output;
extern bool pretty_output;
extern bool verbose;

/*
 * "Error: ..." on stderr, or {"error": "..."} on stdout in JSON mode, as
 * bpftool does, so a script reading JSON always gets JSON.
 */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "Warning: ..." on stderr, in either mode. */
void p_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Options every command takes after its name; commands add their own.
 * common_opt() handles one of them and returns true, or returns false.
 */
#define COMMON_OPTS_SHORT	"jpvh"
#define COMMON_LONG_OPTS					\
	{ "json", no_argument, NULL, 'j' },			\
	{ "pretty", no_argument, NULL, 'p' },			\
	{ "verbose", no_argument, NULL, 'v' },			\
	{ "help", no_argument, NULL, 'h' }
bool common_opt(int opt);

/* Prints "Usage: ..." for a command, to stdout when asked for, else stderr. */
void usage_cmd(const char *cmd, bool requested);

int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_confirm(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_learn(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_enroll(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_seal(int argc, char **argv);

/*
 * Describes the signer of a DER PKCS#7 signature ("issuer ..., serial
 * ...") into @out, or why it cannot. Verifies nothing (cmd_sign.c).
 * Return: 0, or -1 if @sig is not a one-signer PKCS#7 signedData.
 */
int sig_describe(const unsigned char *sig, size_t len, char *out,
		 size_t outlen);

#endif
