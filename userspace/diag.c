// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Diagnostics with the offending line and a caret under the token. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
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
	d->defer = false;
	d->held = NULL;
	d->nheld = 0;
	d->held_cap = 0;
	d->held_bytes = 0;
}

void diag_defer(struct diag *d)
{
	d->defer = true;
}

static int held_cmp(const void *pa, const void *pb)
{
	const struct diag_msg *a = pa, *b = pb;

	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void print_held(struct diag *d)
{
	size_t i;

	if (d->nheld)
		qsort(d->held, d->nheld, sizeof(*d->held), held_cmp);
	for (i = 0; i < d->nheld; i++) {
		fputs(d->held[i].text, d->out);
		free(d->held[i].text);
	}
	free(d->held);
	d->held = NULL;
	d->nheld = 0;
	d->held_cap = 0;
	d->held_bytes = 0;
}

void diag_flush(struct diag *d)
{
	print_held(d);
	d->defer = false;
}

/*
 * Where a report goes: @d->out, or in deferred mode a memory stream that
 * end_report() files away. Without memory, reports go out at once.
 */
struct report {
	FILE *f;
	char *buf;
	size_t len;
};

static FILE *begin_report(struct diag *d, struct report *r)
{
	r->f = NULL;
	r->buf = NULL;
	if (d->defer)
		r->f = open_memstream(&r->buf, &r->len);
	return r->f ? r->f : d->out;
}

static void end_report(struct diag *d, struct report *r, uint32_t line,
		       uint32_t col)
{
	struct diag_msg *v;

	if (!r->f)
		return;
	fclose(r->f);
	if (d->nheld == d->held_cap) {
		size_t cap = d->held_cap ? d->held_cap * 2 : 16;

		v = realloc(d->held, cap * sizeof(*v));
		if (!v) {
			fputs(r->buf, d->out);
			free(r->buf);
			return;
		}
		d->held = v;
		d->held_cap = cap;
	}
	v = &d->held[d->nheld];
	v->line = line;
	v->col = col;
	v->seq = d->nheld++;
	v->text = r->buf;
	d->held_bytes += r->len;
	if (d->held_bytes > DIAG_HELD_MAX)
		print_held(d);
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

static void quote_line(struct diag *d, FILE *out, const struct src_loc *loc)
{
	const char *line = d->text + loc->line_off;
	const char *nl = memchr(line, '\n', d->size - loc->line_off);
	size_t len = nl ? (size_t)(nl - line) : d->size - loc->line_off;
	size_t i, start = loc->col - 1, end = start + loc->len;

	if (len && line[len - 1] == '\r')
		len--;
	fprintf(out, "%.*s\n", (int)len, line);
	for (i = 0; i < start; i++) {
		unsigned char c = i < len ? (unsigned char)line[i] : ' ';

		if (c == '\t')
			fputc('\t', out);
		else if (!continuation(c))
			fputc(' ', out);
	}
	fputc('^', out);
	for (i = start + 1; i < end; i++)
		if (i >= len || !continuation((unsigned char)line[i]))
			fputc('~', out);
	fputc('\n', out);
}

void diag_vat(struct diag *d, enum diag_level level, const struct src_loc *loc,
	      const char *fmt, va_list ap)
{
	struct report r;
	FILE *out = begin_report(d, &r);

	count(d, level);
	fprintf(out, "%s:%u:%u: %s: ", d->name, loc->line, loc->col,
		level_names[level]);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	quote_line(d, out, loc);
	end_report(d, &r, loc->line, loc->col);
}

void diag_at(struct diag *d, enum diag_level level, const struct src_loc *loc,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vat(d, level, loc, fmt, ap);
	va_end(ap);
}

void diag_file(struct diag *d, enum diag_level level, const char *fmt, ...)
{
	struct report r;
	FILE *out = begin_report(d, &r);
	va_list ap;

	count(d, level);
	fprintf(out, "%s: %s: ", d->name, level_names[level]);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	end_report(d, &r, UINT32_MAX, 0);
}
