/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The policy lexer: a line is a list of tokens separated by spaces and
 * tabs; "#" starts a comment that runs to the end of the line.
 */
#ifndef CITADELCTL_POLICY_LEX_H
#define CITADELCTL_POLICY_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct token {
	const char *s;		/* not NUL-terminated */
	uint32_t len;
	uint32_t col;		/* 1-based byte column */
};

/*
 * No statement has more than a handful of tokens; a line with more than
 * this keeps the first ones, which is enough to report the first extra.
 */
#define LEX_MAX_TOKENS	64

struct line_tokens {
	struct token t[LEX_MAX_TOKENS];
	unsigned int n;
	uint32_t end_col;	/* column just past the last token */
};

/**
 * lex_line() - split one line into tokens
 * @line: the line, without its newline
 * @len: its length
 * @out: the tokens
 *
 * Return: 0, or the 1-based column of a control character (other than
 * tab) outside a comment, which no token may contain.
 */
uint32_t lex_line(const char *line, size_t len, struct line_tokens *out);

bool tok_is(const struct token *t, const char *s);

#endif
