// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* File reading and atomic writing for citadelctl. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

int read_file(const char *path, size_t max, char **bufp, size_t *lenp)
{
	bool is_stdin = !strcmp(path, "-");
	size_t len = 0, cap;
	struct stat st;
	char *buf, *p;
	ssize_t n;
	int fd, err = 0;

	*bufp = NULL;
	*lenp = 0;
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto out;
	}
	/* Refuse early what is known to be too large. */
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		*lenp = (size_t)st.st_size;
		err = -EFBIG;
		goto out;
	}
	cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 :
						      4096;
	buf = malloc(cap);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (len + 1 >= cap) {
			/* Grow, but never past what the cap allows. */
			size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;

			if (ncap <= cap) {
				*lenp = max + 1;
				err = -EFBIG;
				break;
			}
			p = realloc(buf, ncap);
			if (!p) {
				err = -ENOMEM;
				break;
			}
			buf = p;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			*lenp = max + 1;
			err = -EFBIG;
			break;
		}
	}
	if (err) {
		free(buf);
		goto out;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
out:
	if (!is_stdin)
		close(fd);
	return err;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + sizeof(".tmp.XXXXXX"));
	mode_t mask;
	int fd, err;

	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return err;
	}
	/* mkstemp() creates 0600; give the file the usual umask mode. */
	mask = umask(0);
	umask(mask);
	err = write_all(fd, data, len);
	if (!err && fchmod(fd, 0666 & ~mask))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}
