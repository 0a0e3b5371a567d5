/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Whole-file reads with a size cap, and atomic file replacement. */
#ifndef CITADELCTL_FILEIO_H
#define CITADELCTL_FILEIO_H

#include <stddef.h>

/**
 * read_file() - read a whole file into memory
 * @path: the file, or "-" for standard input
 * @max: largest size accepted
 * @buf: receives a malloc()ed buffer with a NUL after the data
 * @len: receives the data length
 *
 * Return: 0; -EFBIG if the file holds more than @max bytes (@len then
 * holds the size when it is known, else @max + 1); -ENOMEM; or the
 * -errno of open() or read().
 */
int read_file(const char *path, size_t max, char **buf, size_t *len);

/**
 * write_file_atomic() - replace @path with @len bytes of @data
 *
 * Writes a temporary file in the same directory, syncs it and renames it
 * over @path, so readers see the old file or the whole new one and never
 * a partial one. The temporary file is removed on any failure.
 *
 * Return: 0 or a -errno.
 */
int write_file_atomic(const char *path, const void *data, size_t len);

#endif
