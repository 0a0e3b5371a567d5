// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * citadelctl load [--confirm-within SECONDS] [--keep-copy COPY] FILE.cpol
 * citadelctl confirm
 * citadelctl unload
 *
 * With --confirm-within the load is a trial: the kernel restores the
 * previous policy by itself unless `citadelctl confirm` arrives in time.
 *
 * The module validates a blob itself and keeps the old policy when it
 * refuses one; load only makes sure it hands over a whole blob, in one
 * write(), and explains a refusal with the module's own last_error.
 * --keep-copy writes the blob the kernel accepted to COPY (atomically):
 * citadel-boot keeps the last good policy that way, without running any
 * other program once the policy is in force.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob_read.h"
#include "citadelctl.h"
#include "fileio.h"
#include "sha256.h"
#include "sysfs.h"

static unsigned long confirm_within;
static const char *keep_copy;

static int parse_opts(const char *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS,
		{ "confirm-within", required_argument, NULL, 'c' },
		{ "keep-copy", required_argument, NULL, 'k' },
		{ 0 }
	};
	char *end;
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, COMMON_OPTS_SHORT "c:k:", opts,
				  NULL)) != -1) {
		if (common_opt(opt))
			continue;
		if (opt == 'c' && !strcmp(cmd, "load")) {
			errno = 0;
			confirm_within = strtoul(optarg, &end, 10);
			if (errno || *end || !confirm_within ||
			    confirm_within > CPOL_TRIAL_MAX_SECS) {
				p_err("--confirm-within takes whole seconds, 1 to %u",
				      CPOL_TRIAL_MAX_SECS);
				return EXIT_USAGE;
			}
			continue;
		}
		if (opt == 'k' && !strcmp(cmd, "load")) {
			keep_copy = optarg;
			continue;
		}
		usage_cmd(cmd, opt == 'h');
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	return -1;
}

/* The module's reason for the last refusal, without its newline. */
int cmd_load(int argc, char **argv)
{
	const uint32_t magic = htole32(CPOL_MAGIC);
	char digest[SHA256_HEX_LEN];
	const char *path;
	char *data, *why;
	size_t len;
	int err, ret = EXIT_ERR;

	err = parse_opts("load", argc, argv);
	if (err >= 0)
		return err;
	if (optind != argc - 1) {
		p_err("load takes one FILE.cpol");
		usage_cmd("load", false);
		return EXIT_USAGE;
	}
	path = argv[optind];
	if (keep_copy && confirm_within) {
		p_err("--keep-copy keeps a policy known to be good: not with a trial (--confirm-within)");
		return EXIT_USAGE;
	}
	/* A signed blob: the module splits the signature off itself. */
	err = read_file(path, CPOL_MAX_BLOB + CPOL_SIG_MAX +
			sizeof(struct cpol_sig_trailer), &data, &len);
	if (err == -EFBIG) {
		p_err("%s is too large: %zu bytes, a policy blob is at most %u (and a signature %u more)",
		      path, len, CPOL_MAX_BLOB, CPOL_SIG_MAX);
		return EXIT_ERR;
	}
	if (err) {
		p_err("cannot read %s: %s", path, strerror(-err));
		return EXIT_ERR;
	}
	if (len < sizeof(magic) || memcmp(data, &magic, sizeof(magic))) {
		if (blob_looks_like_text((uint8_t *)data, len))
			p_err("%s is policy text, not a compiled policy: load takes blobs only; run 'citadelctl compile %s -o OUT.cpol' and load OUT.cpol",
			      path, path);
		else
			p_err("%s is not a compiled citadel policy (no CPOL magic)",
			      path);
		goto out;
	}
	if (citadel_require_root())
		goto out;
	if (confirm_within) {
		struct cpol_trial t = { .magic = htole32(CPOL_TRIAL_MAGIC),
					.seconds = htole32(confirm_within) };
		char *msg = malloc(sizeof(t) + len);

		if (!msg) {
			p_err("out of memory");
			goto out;
		}
		memcpy(msg, &t, sizeof(t));
		memcpy(msg + sizeof(t), data, len);
		err = citadel_write("trial", msg, sizeof(t) + len);
		free(msg);
	} else {
		err = citadel_write("policy", data, len);
	}
	/* A sealed module refuses with EPERM too, and says why. */
	if ((err == -EPERM || err == -EACCES) && citadel_is_sealed() != 1) {
		p_err("cannot write %s/policy: %s (loading a policy needs root, CAP_MAC_ADMIN)",
		      citadel_root(), strerror(-err));
		goto out;
	}
	if (err == -ENOENT) {
		p_err("%s/policy does not exist: is the citadel module too old or too new for this citadelctl?",
		      citadel_root());
		goto out;
	}
	if (err) {
		why = citadel_last_error();
		p_err("policy rejected: %s", why ? why : strerror(-err));
		free(why);
		goto out;
	}
	if (verbose) {
		sha256_hex(data, len, digest);
		printf("loaded %s (%zu bytes, sha256 %s)\n", path, len, digest);
	}
	if (confirm_within)
		printf("trial: the previous policy comes back in %lu s unless 'citadelctl confirm' runs first\n",
		       confirm_within);
	ret = EXIT_OK;
	/* The policy is in force either way; a failed copy is still an error. */
	if (keep_copy) {
		err = write_file_atomic(keep_copy, data, len);
		/*
		 * Once sealed the state directory is protected, and the
		 * module itself keeps the copy, in CPOL_STATE_DIR.
		 */
		if (err == -EPERM && citadel_is_sealed() == 1) {
			if (verbose)
				printf("sealed: the kernel keeps the copy in %s/%s\n",
				       CPOL_STATE_DIR, CPOL_LAST_GOOD_FILE);
			err = 0;
		}
		if (err) {
			p_err("the policy is loaded, but keeping a copy in %s failed: %s",
			      keep_copy, strerror(-err));
			ret = EXIT_ERR;
		}
	}
out:
	free(data);
	return ret;
}

int cmd_unload(int argc, char **argv)
{
	int err = parse_opts("unload", argc, argv);

	if (err >= 0)
		return err;
	if (optind != argc) {
		p_err("unload takes no arguments");
		usage_cmd("unload", false);
		return EXIT_USAGE;
	}
	if (citadel_require_root())
		return EXIT_ERR;
	err = citadel_write("unload", "1", 1);
	if (err == -EPERM && citadel_is_sealed() == 1) {
		p_err("citadel is sealed: the policy stays in force until reboot");
		return EXIT_ERR;
	}
	if (err) {
		p_err("cannot write %s/unload: %s%s", citadel_root(),
		      strerror(-err),
		      err == -EPERM || err == -EACCES ?
		      " (unloading the policy needs root, CAP_MAC_ADMIN)" : "");
		return EXIT_ERR;
	}
	if (verbose)
		printf("policy unloaded: nothing is restricted\n");
	return EXIT_OK;
}

int cmd_confirm(int argc, char **argv)
{
	int err = parse_opts("confirm", argc, argv);

	if (err >= 0)
		return err;
	if (optind != argc) {
		p_err("confirm takes no arguments");
		usage_cmd("confirm", false);
		return EXIT_USAGE;
	}
	if (citadel_require_root())
		return EXIT_ERR;
	err = citadel_write("confirm", "1", 1);
	if (err == -ENOENT) {
		p_err("no trial load is pending: nothing to confirm");
		return EXIT_ERR;
	}
	if (err) {
		p_err("cannot write %s/confirm: %s", citadel_root(),
		      strerror(-err));
		return EXIT_ERR;
	}
	printf("trial confirmed: the new policy stays\n");
	return EXIT_OK;
}
