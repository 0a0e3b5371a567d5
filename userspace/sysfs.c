// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Reading and writing the files of the module's securityfs directory. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "citadelctl.h"
#include "fileio.h"
#include "sysfs.h"

/* The status and last_error files are small; this bounds a bad one. */
#define CITADEL_FILE_MAX	(1u << 20)

const char *citadel_root(void)
{
	const char *root = getenv("CITADEL_SECURITYFS");

	return root && *root ? root : CITADEL_SECURITYFS_DEFAULT;
}

int citadel_require_root(void)
{
	struct stat st;

	if (stat(citadel_root(), &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	p_err("citadel is not running (no %s): load the module and run 'citadelctl start'",
	      citadel_root());
	return -1;
}

static int path_of(const char *name, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/%s", citadel_root(), name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int citadel_read(const char *name, char **buf, size_t *len)
{
	char path[PATH_MAX];
	int err = path_of(name, path, sizeof(path));

	*buf = NULL;
	*len = 0;
	return err ? err : read_file(path, CITADEL_FILE_MAX, buf, len);
}

int citadel_write(const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err = path_of(name, path, sizeof(path));

	if (err)
		return err;
	/* No O_CREAT or O_TRUNC: the module's files exist, and only they. */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, data, len);
	} while (n < 0 && errno == EINTR);
	err = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int citadel_is_sealed(void)
{
	char *buf, *p;
	size_t len;
	int ret;

	if (citadel_read("status", &buf, &len))
		return -1;
	p = strstr(buf, "\nsealed ");
	ret = !p ? -1 : !strncmp(p + 8, "yes\n", 4) ? 1 : 0;
	free(buf);
	return ret;
}

char *citadel_last_error(void)
{
	char *buf;
	size_t len;

	if (citadel_read("last_error", &buf, &len))
		return NULL;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	if (!len) {
		free(buf);
		return NULL;
	}
	return buf;
}
