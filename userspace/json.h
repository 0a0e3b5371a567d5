/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A small streaming JSON writer for -j/--json output: it places the
 * commas, escapes strings (invalid UTF-8 becomes U+FFFD, so the output
 * always parses) and indents when -p/--pretty asks for it.
 */
#ifndef CITADELCTL_JSON_H
#define CITADELCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool first[JSON_MAX_DEPTH];	/* nothing written yet at this depth */
	bool after_name;		/* a value completes "name": */
};

void json_init(struct json *j, FILE *f, bool pretty);
/* Ends the document with a newline. */
void json_finish(struct json *j);

void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_name(struct json *j, const char *name);

void json_string(struct json *j, const char *s);
void json_string_n(struct json *j, const char *s, size_t len);
void json_uint(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

void json_kv_string(struct json *j, const char *name, const char *s);
void json_kv_uint(struct json *j, const char *name, uint64_t v);
void json_kv_bool(struct json *j, const char *name, bool v);

#endif
