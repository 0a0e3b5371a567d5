// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Diagnostics with the offending line and a caret under the token. */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "diag.h"

static const char *const level_names[] = {
	[DIAG_ERROR] = "error",
	[DIAG_WARNING] = "warning",
};

void diag_init(struct diag *d, const char *name, const char *text,
	       size_t size)
{
	d->name = name;
	d->text = text;
	d->size = size;
	d->out = stderr;
	d->errors = 0;
	d->warnings = 0;
}

static void count(struct diag *d, enum diag_level level)
{
	if (level == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
}

/* A UTF-8 continuation byte takes no column on a terminal. */
static bool continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

static void quote_line(struct diag *d, const struct src_loc *loc)
{
	const char *line = d->text + loc->line_off;
	const char *nl = memchr(line, '\n', d->size - loc->line_off);
	size_t len = nl ? (size_t)(nl - line) : d->size - loc->line_off;
	size_t i, start = loc->col - 1, end = start + loc->len;

	if (len && line[len - 1] == '\r')
		len--;
	fprintf(d->out, "%.*s\n", (int)len, line);
	for (i = 0; i < start; i++) {
		unsigned char c = i < len ? (unsigned char)line[i] : ' ';

		if (c == '\t')
			fputc('\t', d->out);
		else if (!continuation(c))
			fputc(' ', d->out);
	}
	fputc('^', d->out);
	for (i = start + 1; i < end; i++)
		if (i >= len || !continuation((unsigned char)line[i]))
			fputc('~', d->out);
	fputc('\n', d->out);
}

void diag_at(struct diag *d, enum diag_level level, const struct src_loc *loc,
	     const char *fmt, ...)
{
	va_list ap;

	count(d, level);
	fprintf(d->out, "%s:%u:%u: %s: ", d->name, loc->line, loc->col,
		level_names[level]);
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
	quote_line(d, loc);
}

void diag_file(struct diag *d, enum diag_level level, const char *fmt, ...)
{
	va_list ap;

	count(d, level);
	fprintf(d->out, "%s: %s: ", d->name, level_names[level]);
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
}
