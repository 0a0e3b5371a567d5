// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The JSON writer behind every -j/--json output. */
#include <inttypes.h>
#include <string.h>

#include "json.h"

void json_init(struct json *j, FILE *f, bool pretty)
{
	j->f = f;
	j->pretty = pretty;
	j->depth = 0;
	j->first[0] = true;
	j->after_name = false;
}

static void newline(struct json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Writes what must precede a value or a name at the current depth. */
static void separate(struct json *j)
{
	if (j->after_name) {
		j->after_name = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (j->depth > 0)
		newline(j);
}

static void open_container(struct json *j, char c)
{
	separate(j);
	fputc(c, j->f);
	/* Deeper nesting is a programming error; stay well-formed anyway. */
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_container(struct json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty)
		newline(j);
	fputc(c, j->f);
}

void json_begin_object(struct json *j)
{
	open_container(j, '{');
}

void json_end_object(struct json *j)
{
	close_container(j, '}');
}

void json_begin_array(struct json *j)
{
	open_container(j, '[');
}

void json_end_array(struct json *j)
{
	close_container(j, ']');
}

/* Length of the valid UTF-8 sequence at @s (at most @len bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static void write_string(struct json *j, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;

	fputc('"', j->f);
	while (i < len) {
		unsigned char c = s[i];

		switch (c) {
		case '"':
			fputs("\\\"", j->f);
			break;
		case '\\':
			fputs("\\\\", j->f);
			break;
		case '\n':
			fputs("\\n", j->f);
			break;
		case '\t':
			fputs("\\t", j->f);
			break;
		case '\r':
			fputs("\\r", j->f);
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(j->f, "\\u%04x", c);
				break;
			}
			n = utf8_seq(s + i, len - i);
			if (!n) {
				fputs("\\ufffd", j->f);
				break;
			}
			fwrite(s + i, 1, n, j->f);
			i += n;
			continue;
		}
		i++;
	}
	fputc('"', j->f);
}

void json_name(struct json *j, const char *name)
{
	separate(j);
	write_string(j, name, strlen(name));
	fputs(j->pretty ? ": " : ":", j->f);
	j->after_name = true;
}

void json_string_n(struct json *j, const char *s, size_t len)
{
	separate(j);
	write_string(j, s, len);
}

void json_string(struct json *j, const char *s)
{
	json_string_n(j, s, strlen(s));
}

void json_uint(struct json *j, uint64_t v)
{
	separate(j);
	fprintf(j->f, "%" PRIu64, v);
}

void json_bool(struct json *j, bool v)
{
	separate(j);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j)
{
	separate(j);
	fputs("null", j->f);
}

void json_kv_string(struct json *j, const char *name, const char *s)
{
	json_name(j, name);
	json_string(j, s);
}

void json_kv_uint(struct json *j, const char *name, uint64_t v)
{
	json_name(j, name);
	json_uint(j, v);
}

void json_kv_bool(struct json *j, const char *name, bool v)
{
	json_name(j, name);
	json_bool(j, v);
}

void json_finish(struct json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}
