// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Stands in for userspace/loader.c in the host unit build of citadelctl,
 * which needs neither libbpf nor the BPF skeleton.
 */
#include <stdio.h>

#include "loader.h"

static int unsupported(const char *cmd)
{
	fprintf(stderr, "Error: %s: this citadelctl is the host unit-test build, without the BPF programs\n",
		cmd);
	return 1;
}

int cmd_start(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return unsupported("start");
}

int cmd_stop(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return unsupported("stop");
}
