/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The module's securityfs directory: $CITADEL_SECURITYFS, by default
 * /sys/kernel/security/citadel (the tests point it at a plain directory).
 */
#ifndef CITADELCTL_SYSFS_H
#define CITADELCTL_SYSFS_H

#include <stddef.h>

#define CITADEL_SECURITYFS_DEFAULT	"/sys/kernel/security/citadel"

const char *citadel_root(void);

/*
 * Returns 0 if the directory exists; otherwise prints that citadel is
 * not running, and how to start it, and returns -1.
 */
int citadel_require_root(void);

/*
 * Reads ROOT/@name into a malloc()ed, NUL-terminated buffer.
 * Return: 0 or a -errno.
 */
int citadel_read(const char *name, char **buf, size_t *len);

/*
 * Writes @len bytes to ROOT/@name in one write() call: the module takes
 * a policy only whole, and a short write is an error.
 * Return: 0 or a -errno (-EIO for a short write).
 */
int citadel_write(const char *name, const void *data, size_t len);

/*
 * Whether the module says it is sealed (its status file).
 * Return: 1 sealed, 0 not sealed, -1 unknown (no module, unreadable).
 */
int citadel_is_sealed(void);

/* The module's last_error, trimmed, malloc()ed; NULL when empty or unreadable. */
char *citadel_last_error(void);

#endif
