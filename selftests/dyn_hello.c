// SPDX-License-Identifier: GPL-2.0-only
/*
 * A dynamically linked program for exec_test: the loader and libc must
 * be mapped for it to run. It exits with 42, which no loader error uses,
 * and prints nothing (its output would land in the TAP stream).
 */
#include <unistd.h>

int main(void)
{
	/* A call into libc.so.6, so that libc is really needed. */
	return getppid() > 0 ? 42 : 1;
}
