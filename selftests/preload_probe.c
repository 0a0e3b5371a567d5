// SPDX-License-Identifier: GPL-2.0-only
/*
 * An LD_PRELOAD library for exec_test: when the loader manages to map
 * it, its constructor creates the file named by $CITADEL_MARKER.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void preload_probe_init(void)
{
	const char *marker = getenv("CITADEL_MARKER");
	int fd;

	if (!marker)
		return;
	fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}
