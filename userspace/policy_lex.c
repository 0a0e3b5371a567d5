// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Splitting policy lines into tokens. */
#include <string.h>

#include "policy_lex.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

uint32_t lex_line(const char *line, size_t len, struct line_tokens *out)
{
	size_t i = 0, start;

	out->n = 0;
	out->end_col = 1;
	while (i < len) {
		unsigned char c = (unsigned char)line[i];

		if (is_space((char)c)) {
			i++;
			continue;
		}
		if (c == '#')
			break;
		start = i;
		while (i < len && !is_space(line[i]) && line[i] != '#') {
			c = (unsigned char)line[i];
			if (c < 0x20 || c == 0x7f)
				return (uint32_t)i + 1;
			i++;
		}
		if (out->n < LEX_MAX_TOKENS) {
			out->t[out->n].s = line + start;
			out->t[out->n].len = (uint32_t)(i - start);
			out->t[out->n].col = (uint32_t)start + 1;
			out->n++;
			out->end_col = (uint32_t)i + 1;
		}
	}
	return 0;
}

bool tok_is(const struct token *t, const char *s)
{
	size_t n = strlen(s);

	return t->len == n && !memcmp(t->s, s, n);
}
