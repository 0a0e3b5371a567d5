/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Compiler diagnostics in the nftables/gcc style:
 *
 *   kiosk.conf:12:17: error: invalid IPv4 address '300.1.1.1'
 *       connect tcp 300.1.1.1 port 443
 *                   ^~~~~~~~~
 *
 * Lines and columns are 1-based; a column counts bytes. The caret line
 * copies the tabs of the source line so it stays aligned in a terminal.
 */
#ifndef CITADELCTL_DIAG_H
#define CITADELCTL_DIAG_H

#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum diag_level {
	DIAG_ERROR,
	DIAG_WARNING,
};

/* A span of source text: the line, where it starts, and the columns. */
struct src_loc {
	size_t line_off;	/* offset of the line's first byte in the text */
	uint32_t line;		/* 1-based */
	uint32_t col;		/* 1-based, in bytes */
	uint32_t len;		/* in bytes, at least 1 */
};

/* A report held back until diag_flush(). */
struct diag_msg {
	uint32_t line;		/* UINT32_MAX for the file as a whole */
	uint32_t col;
	size_t seq;
	char *text;		/* the whole report, newlines included */
};

struct diag {
	const char *name;	/* the file as the user named it */
	const char *text;	/* the whole source, for quoting lines */
	size_t size;
	FILE *out;
	unsigned int errors;
	unsigned int warnings;
	/* Deferred mode: reports are kept and printed in source order. */
	bool defer;
	struct diag_msg *held;
	size_t nheld;
	size_t held_cap;
	size_t held_bytes;
};

void diag_init(struct diag *d, const char *name, const char *text,
	       size_t size);

/*
 * Holds every report from now on until diag_flush(), which prints them
 * sorted by line and column (reports about the whole file last), each
 * group in the order it was made. Counts are kept up to date at once.
 * Past DIAG_HELD_MAX bytes held, what is held is printed (sorted) early,
 * so that a file with millions of bad lines does not exhaust memory.
 */
#define DIAG_HELD_MAX	(16u << 20)
void diag_defer(struct diag *d);
void diag_flush(struct diag *d);

/* Reports about @loc: "name:line:col: level: message", the line, a caret. */
void diag_at(struct diag *d, enum diag_level level, const struct src_loc *loc,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The same with a va_list. */
void diag_vat(struct diag *d, enum diag_level level, const struct src_loc *loc,
	      const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* Reports about the file as a whole: "name: level: message". */
void diag_file(struct diag *d, enum diag_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
