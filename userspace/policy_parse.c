// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy language v1 parser.
 *
 * The language is line-based: each line is one statement, found by its
 * first token in the statement table below, and each table entry says
 * where the statement may appear. Blocks ("global { ... }", and later
 * "service NAME { ... }") set the context and the scope that their rules
 * carry, so a new block kind or rule kind is one more table entry and
 * one handler. After an error the parser moves on to the next line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "blob_write.h"
#include "policy_lex.h"
#include "policy_parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Where a statement may appear. */
enum ctx {
	CTX_TOP = 1u << 0,	/* outside any block */
	CTX_GLOBAL = 1u << 1,	/* inside "global { }" */
};
#define CTX_BLOCK	(CTX_GLOBAL)

/* Beyond this many rules in one section before duplicates are removed, stop collecting. */
#define RAW_RULES_MAX	(2 * (size_t)CPOL_MAX_RULES)

struct parser {
	struct diag *d;
	struct policy *pol;
	int err;		/* -ENOMEM once memory ran out */

	/* The current line. */
	const char *line;
	size_t line_off;
	uint32_t lineno;
	struct line_tokens tk;

	/* Lines of the statements that may appear once; 0 if not seen. */
	uint32_t policy_line;
	uint32_t mode_line;
	uint32_t global_line;

	/* The open block, if any. */
	enum ctx ctx;
	uint16_t scope;		/* scope of the rules in the block */
	const char *block_kw;
	struct src_loc block_loc;	/* its "{", or its keyword */
	bool too_many;		/* RAW_RULES_MAX reached and reported */
};

struct stmt {
	const char *kw;
	unsigned int ctx;	/* enum ctx bits where it may appear */
	void (*parse)(struct parser *p);
};

static struct src_loc loc_span(const struct parser *p, uint32_t col,
			       uint32_t len)
{
	struct src_loc l = { .line_off = p->line_off, .line = p->lineno,
			     .col = col, .len = len ? len : 1 };

	return l;
}

static struct src_loc loc_tok(const struct parser *p, const struct token *t)
{
	return loc_span(p, t->col, t->len);
}

static __attribute__((format(printf, 3, 4))) void
err_tok(struct parser *p, const struct token *t, const char *fmt, ...)
{
	struct src_loc l = loc_tok(p, t);
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_at(p->d, DIAG_ERROR, &l, "%s", msg);
}

/* An error about something missing: the caret goes just past @t. */
static __attribute__((format(printf, 3, 4))) void
err_after(struct parser *p, const struct token *t, const char *fmt, ...)
{
	struct src_loc l = loc_span(p, t->col + t->len, 1);
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_at(p->d, DIAG_ERROR, &l, "%s", msg);
}

/* Reports the first token past the @n a statement takes; true if any. */
static bool extra_tokens(struct parser *p, unsigned int n, const char *what)
{
	if (p->tk.n <= n)
		return false;
	err_tok(p, &p->tk.t[n], "unexpected '%.*s' after %s",
		(int)p->tk.t[n].len, p->tk.t[n].s, what);
	return true;
}

/* Parses a decimal u64 with no sign; -1 if not digits, -2 on overflow. */
static int parse_u64(const struct token *t, uint64_t *out)
{
	uint64_t v = 0;
	uint32_t i;

	if (!t->len)
		return -1;
	for (i = 0; i < t->len; i++)
		if (t->s[i] < '0' || t->s[i] > '9')
			return -1;
	for (i = 0; i < t->len; i++) {
		unsigned int dgt = (unsigned int)(t->s[i] - '0');

		if (v > (UINT64_MAX - dgt) / 10)
			return -2;
		v = v * 10 + dgt;
	}
	*out = v;
	return 0;
}

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* policy NAME version N */
static void parse_policy(struct parser *p)
{
	const struct token *t = p->tk.t;
	struct src_loc l;
	uint64_t version;
	uint32_t i;
	int r;

	/* Seen, even if bad: no "missing policy" error on top of this one. */
	if (!p->policy_line)
		p->policy_line = p->lineno;
	if (p->tk.n < 2) {
		err_after(p, &t[0], "missing policy name: expected 'policy NAME version N'");
		return;
	}
	if (t[1].len >= CPOL_NAME_MAX) {
		err_tok(p, &t[1], "policy name is %u characters long; at most %u are allowed",
			t[1].len, CPOL_NAME_MAX - 1);
		return;
	}
	for (i = 0; i < t[1].len; i++) {
		unsigned char c = (unsigned char)t[1].s[i];

		if (name_char_ok((char)c))
			continue;
		l = loc_span(p, t[1].col + i, 1);
		diag_at(p->d, DIAG_ERROR, &l,
			c > 0x20 && c < 0x7f ?
			"invalid character '%c' in policy name; use letters, digits, '_', '.' and '-'" :
			"invalid byte 0x%02x in policy name; use letters, digits, '_', '.' and '-'",
			c);
		return;
	}
	if (p->tk.n < 3) {
		err_after(p, &t[1], "missing 'version N' after the policy name");
		return;
	}
	if (!tok_is(&t[2], "version")) {
		err_tok(p, &t[2], "expected 'version' after the policy name, got '%.*s'",
			(int)t[2].len, t[2].s);
		return;
	}
	if (p->tk.n < 4) {
		err_after(p, &t[2], "missing version number after 'version'");
		return;
	}
	r = parse_u64(&t[3], &version);
	if (r == -1) {
		err_tok(p, &t[3], "invalid version '%.*s': expected a decimal number",
			(int)t[3].len, t[3].s);
		return;
	}
	if (r == -2) {
		err_tok(p, &t[3], "version %.*s is too large: at most %llu",
			(int)t[3].len, t[3].s, (unsigned long long)UINT64_MAX);
		return;
	}
	if (extra_tokens(p, 4, "the version"))
		return;
	if (p->policy_line != p->lineno) {
		err_tok(p, &t[0], "duplicate 'policy' statement; the first is at line %u",
			p->policy_line);
		return;
	}
	memset(p->pol->name, 0, sizeof(p->pol->name));
	memcpy(p->pol->name, t[1].s, t[1].len);
	p->pol->version = version;
}

/* mode enforce|audit */
static void parse_mode(struct parser *p)
{
	const struct token *t = p->tk.t;

	uint32_t flags;

	if (!p->mode_line)
		p->mode_line = p->lineno;
	if (p->tk.n < 2) {
		err_after(p, &t[0], "missing mode after 'mode': expected 'enforce' or 'audit'");
		return;
	}
	if (tok_is(&t[1], "enforce")) {
		flags = 0;
	} else if (tok_is(&t[1], "audit")) {
		flags = CPOL_F_AUDIT;
	} else {
		err_tok(p, &t[1], "unknown mode '%.*s': expected 'enforce' or 'audit'",
			(int)t[1].len, t[1].s);
		return;
	}
	if (extra_tokens(p, 2, "the mode"))
		return;
	if (p->mode_line != p->lineno) {
		err_tok(p, &t[0], "duplicate 'mode' statement; the first is at line %u",
			p->mode_line);
		return;
	}
	p->pol->flags = (p->pol->flags & ~CPOL_F_AUDIT) | flags;
}

/*
 * Opens a block. Even a bad opening line opens it, so that its rules are
 * still checked and its "}" does not show up as stray.
 */
static void open_block(struct parser *p, enum ctx ctx, uint16_t scope,
		       const char *kw, const struct token *brace)
{
	p->ctx = ctx;
	p->scope = scope;
	p->block_kw = kw;
	p->block_loc = loc_tok(p, brace ? brace : &p->tk.t[0]);
}

/* global { */
static void parse_global(struct parser *p)
{
	const struct token *t = p->tk.t;
	const struct token *brace = p->tk.n >= 2 && tok_is(&t[1], "{") ?
				    &t[1] : NULL;

	open_block(p, CTX_GLOBAL, CPOL_SCOPE_GLOBAL, "global", brace);
	if (p->global_line) {
		err_tok(p, &t[0], "duplicate 'global' block; the first is at line %u",
			p->global_line);
		return;
	}
	p->global_line = p->lineno;
	if (p->tk.n < 2) {
		err_after(p, &t[0], "missing '{' after 'global'");
		return;
	}
	if (!brace) {
		err_tok(p, &t[1], "unexpected '%.*s' after 'global'; expected '{'",
			(int)t[1].len, t[1].s);
		return;
	}
	if (p->tk.n > 2)
		err_tok(p, &t[2], "'{' must end the line; put each rule on its own line");
}

/* } */
static void parse_close(struct parser *p)
{
	p->ctx = CTX_TOP;
	p->scope = CPOL_SCOPE_GLOBAL;
	if (p->tk.n > 1)
		err_tok(p, &p->tk.t[1], "'}' must stand on its own line");
}

static void add_rule(struct parser *p, const struct net_addr *a, uint8_t proto,
		     uint16_t lo, uint16_t hi, struct src_loc loc)
{
	enum net_family fam = a->family == 4 ? NET_IPV4 : NET_IPV6;
	struct net_rule r = { .prefix = a->prefix, .proto = proto,
			      .scope = p->scope, .port_lo = lo, .port_hi = hi,
			      .loc = loc };

	if (p->err || p->too_many)
		return;
	if (p->pol->net[fam].n >= RAW_RULES_MAX) {
		diag_at(p->d, DIAG_ERROR, &loc,
			"too many %s rules: over %zu before removing duplicates, at most %u allowed",
			fam == NET_IPV4 ? "IPv4" : "IPv6", RAW_RULES_MAX,
			CPOL_MAX_RULES);
		p->too_many = true;
		return;
	}
	memcpy(r.addr, a->addr, sizeof(r.addr));
	if (policy_add_net(p->pol, fam, &r))
		p->err = -ENOMEM;
}

struct port_item {
	uint32_t off, len;	/* within the list token */
	uint16_t lo, hi;
};

/* Parses one port number of a list item; false if it is not 0..65535. */
static bool parse_port(const char *s, size_t len, uint16_t *out)
{
	unsigned long v = 0;
	size_t i;

	if (!len || len > 5)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

/*
 * Reads item @*pos of the port list @t ("80", "8000-8100"), reporting a
 * bad one. Return: 1 with an item, 0 at the end, -1 after an error.
 */
static int next_port_item(struct parser *p, const struct token *t,
			  uint32_t *pos, struct port_item *it)
{
	const char *s, *comma, *dash;
	struct src_loc l;
	size_t len;

	if (*pos > t->len)
		return 0;
	s = t->s + *pos;
	comma = memchr(s, ',', t->len - *pos);
	len = comma ? (size_t)(comma - s) : t->len - *pos;
	it->off = *pos;
	it->len = (uint32_t)len;
	*pos += (uint32_t)len + 1;
	l = loc_span(p, t->col + it->off, it->len);
	if (!len) {
		/* Point at the comma that has nothing before or after it. */
		l = loc_span(p, t->col + (it->off ? it->off - 1 : 0), 1);
		diag_at(p->d, DIAG_ERROR, &l, "empty item in port list '%.*s'",
			(int)t->len, t->s);
		return -1;
	}
	dash = memchr(s, '-', len);
	if (!dash) {
		if (!parse_port(s, len, &it->lo))
			goto bad;
		it->hi = it->lo;
		return 1;
	}
	if (!parse_port(s, (size_t)(dash - s), &it->lo) ||
	    !parse_port(dash + 1, len - (size_t)(dash - s) - 1, &it->hi))
		goto bad;
	if (it->lo > it->hi) {
		diag_at(p->d, DIAG_ERROR, &l,
			"reversed port range '%.*s'; did you mean %u-%u?",
			(int)len, s, it->hi, it->lo);
		return -1;
	}
	return 1;
bad:
	diag_at(p->d, DIAG_ERROR, &l,
		"invalid port '%.*s': expected a port 0-65535 or a range LOW-HIGH",
		(int)len, s);
	return -1;
}

/* connect tcp|udp ADDRESS[/PREFIX]|any [port LIST] */
static void parse_connect(struct parser *p)
{
	const struct token *t = p->tk.t;
	struct net_addr addrs[2];
	unsigned int naddr = 0, i;
	const struct token *list = NULL;
	struct port_item it;
	struct addr_error ae;
	uint32_t pos;
	uint8_t proto;
	int r;

	if (p->tk.n < 2) {
		err_after(p, &t[0], "missing protocol: expected 'connect tcp|udp ADDRESS [port PORTS]'");
		return;
	}
	if (tok_is(&t[1], "tcp")) {
		proto = CPOL_PROTO_TCP;
	} else if (tok_is(&t[1], "udp")) {
		proto = CPOL_PROTO_UDP;
	} else {
		err_tok(p, &t[1], "unknown protocol '%.*s': expected 'tcp' or 'udp'",
			(int)t[1].len, t[1].s);
		return;
	}
	if (p->tk.n < 3) {
		err_after(p, &t[1], "missing destination address after '%.*s'",
			  (int)t[1].len, t[1].s);
		return;
	}
	if (tok_is(&t[2], "any")) {
		/* Both families, whole address space. */
		memset(addrs, 0, sizeof(addrs));
		addrs[0].family = 4;
		addrs[1].family = 6;
		naddr = 2;
	} else if (t[2].len > 3 && !memcmp(t[2].s, "any/", 4)) {
		struct src_loc l = loc_span(p, t[2].col + 3, t[2].len - 3);

		diag_at(p->d, DIAG_ERROR, &l, "'any' takes no prefix length");
		return;
	} else {
		if (addr_parse(t[2].s, t[2].len, &addrs[0], &ae)) {
			struct src_loc l = loc_span(p, t[2].col + ae.off,
						    ae.len);

			diag_at(p->d, DIAG_ERROR, &l, "%s", ae.msg);
			return;
		}
		naddr = 1;
	}
	if (p->tk.n >= 4) {
		if (!tok_is(&t[3], "port")) {
			err_tok(p, &t[3], "unexpected '%.*s' after the address; expected 'port' or the end of the line",
				(int)t[3].len, t[3].s);
			return;
		}
		if (p->tk.n < 5) {
			err_after(p, &t[3], "missing port list after 'port'");
			return;
		}
		if (extra_tokens(p, 5, "the port list (no spaces inside a list)"))
			return;
		list = &t[4];
	}
	if (!list) {
		for (i = 0; i < naddr; i++)
			add_rule(p, &addrs[i], proto, 0, 65535, loc_tok(p, &t[2]));
		return;
	}
	/* Check the whole list first: a bad line adds no rule. */
	for (pos = 0; (r = next_port_item(p, list, &pos, &it)) > 0;)
		;
	if (r < 0)
		return;
	for (pos = 0; next_port_item(p, list, &pos, &it) > 0;)
		for (i = 0; i < naddr; i++)
			add_rule(p, &addrs[i], proto, it.lo, it.hi,
				 loc_span(p, list->col + it.off, it.len));
}

static const struct stmt stmts[] = {
	{ "policy", CTX_TOP, parse_policy },
	{ "mode", CTX_TOP, parse_mode },
	{ "global", CTX_TOP, parse_global },
	{ "connect", CTX_BLOCK, parse_connect },
	{ "}", CTX_BLOCK, parse_close },
};

/* Words of the policy model that this version does not compile yet. */
static const struct {
	const char *kw;
	const char *msg;
} reserved[] = {
	{ "service", "'service' blocks are not supported by this citadelctl yet (policy language v1 has only 'global')" },
	{ "exec", "'exec' rules are not supported by this citadelctl yet (policy language v1 has only 'connect')" },
	{ "listen", "'listen' rules are not supported by this citadelctl yet (policy language v1 has only 'connect')" },
	{ "bind", "'bind' rules are not supported by this citadelctl yet (policy language v1 has only 'connect')" },
	{ "socket", "'socket' rules are not supported by this citadelctl yet (policy language v1 has only 'connect')" },
	{ "send", "there is no 'send' rule: a 'connect' rule also covers sends to its destination (sendto, sendmsg, TCP Fast Open)" },
};

/* Optimal string alignment distance, for "did you mean" hints. */
static unsigned int edit_distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b), i, j;
	unsigned int d[24][24];

	if (la >= 24 || lb >= 24)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned int)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			unsigned int cost = a[i - 1] != b[j - 1];
			unsigned int v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

static void unknown_statement(struct parser *p, const struct token *t)
{
	const char *best = NULL;
	unsigned int best_d = 99, dist;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(reserved); i++) {
		if (!tok_is(t, reserved[i].kw))
			continue;
		err_tok(p, t, "%s", reserved[i].msg);
		/* Still open the block, so its rules are checked and its '}' matches. */
		if (p->ctx == CTX_TOP && p->tk.n > 1 &&
		    tok_is(&p->tk.t[p->tk.n - 1], "{"))
			open_block(p, CTX_GLOBAL, CPOL_SCOPE_GLOBAL,
				   reserved[i].kw, &p->tk.t[p->tk.n - 1]);
		return;
	}
	if (tok_is(t, "{")) {
		err_tok(p, t, "unexpected '{': it must end the line that opens the block, e.g. 'global {'");
		return;
	}
	if (t->len > 1 && t->s[t->len - 1] == '{') {
		for (i = 0; i < ARRAY_SIZE(stmts); i++) {
			if (strlen(stmts[i].kw) == t->len - 1 &&
			    !memcmp(stmts[i].kw, t->s, t->len - 1)) {
				err_tok(p, t, "unknown statement '%.*s'; did you mean '%s {'?",
					(int)t->len, t->s, stmts[i].kw);
				return;
			}
		}
	}
	for (i = 0; i < ARRAY_SIZE(stmts); i++) {
		size_t kl = strlen(stmts[i].kw);

		dist = edit_distance(t->s, t->len, stmts[i].kw);
		if (kl > 1 && dist <= (kl + 2) / 3 && dist < best_d) {
			best = stmts[i].kw;
			best_d = dist;
		}
	}
	if (best)
		err_tok(p, t, "unknown statement '%.*s'; did you mean '%s'?",
			(int)t->len, t->s, best);
	else
		err_tok(p, t, "unknown statement '%.*s'", (int)t->len, t->s);
}

static void misplaced(struct parser *p, const struct stmt *s)
{
	const struct token *t = &p->tk.t[0];

	if (!strcmp(s->kw, "}")) {
		err_tok(p, t, "stray '}': no block is open");
		return;
	}
	if (s->ctx & CTX_BLOCK) {
		err_tok(p, t, "'%s' rules must be inside a 'global { ... }' block",
			s->kw);
		return;
	}
	err_tok(p, t, "'%s' is not allowed inside the '%s' block (opened at line %u); missing '}'?",
		s->kw, p->block_kw, p->block_loc.line);
}

static void parse_line(struct parser *p, size_t len)
{
	const struct token *t0 = &p->tk.t[0];
	uint32_t bad;
	size_t i;

	bad = lex_line(p->line, len, &p->tk);
	if (bad) {
		struct src_loc l = loc_span(p, bad, 1);

		diag_at(p->d, DIAG_ERROR, &l, "invalid control character 0x%02x",
			(unsigned char)p->line[bad - 1]);
		return;
	}
	if (!p->tk.n)
		return;
	for (i = 0; i < ARRAY_SIZE(stmts); i++) {
		if (!tok_is(t0, stmts[i].kw))
			continue;
		if (!(stmts[i].ctx & p->ctx)) {
			misplaced(p, &stmts[i]);
			return;
		}
		stmts[i].parse(p);
		return;
	}
	unknown_statement(p, t0);
}

/* What is checked once the whole text has been read. */
static void finish(struct parser *p)
{
	struct dup_list dups;
	bool too_many = false;
	uint64_t size;
	size_t i;
	int f;

	if (p->ctx != CTX_TOP)
		diag_at(p->d, DIAG_ERROR, &p->block_loc,
			"unclosed '%s' block: '}' is missing at the end of the file",
			p->block_kw);
	if (!p->policy_line)
		diag_file(p->d, DIAG_ERROR,
			  "missing 'policy NAME version N' statement");
	if (p->err)
		return;
	if (policy_normalize(p->pol, &dups)) {
		p->err = -ENOMEM;
		free(dups.v);
		return;
	}
	for (i = 0; i < dups.n; i++) {
		char rule[RULE_STR_MAX];

		net_rule_format(&dups.v[i].dropped, dups.v[i].fam, rule);
		diag_at(p->d, DIAG_WARNING, &dups.v[i].dropped.loc,
			"duplicate rule '%s' (already at line %u); ignored",
			rule, dups.v[i].kept_line);
	}
	free(dups.v);
	for (f = 0; f < NET_FAMILIES; f++) {
		if (p->pol->net[f].n <= CPOL_MAX_RULES)
			continue;
		diag_file(p->d, DIAG_ERROR,
			  "too many %s rules: %zu, at most %u allowed",
			  f == NET_IPV4 ? "IPv4" : "IPv6", p->pol->net[f].n,
			  CPOL_MAX_RULES);
		too_many = true;
	}
	/* Said already, if a section is over its limit. */
	size = blob_size(p->pol);
	if (size > CPOL_MAX_BLOB && !too_many)
		diag_file(p->d, DIAG_ERROR,
			  "the compiled policy would be %llu bytes, at most %u allowed",
			  (unsigned long long)size, CPOL_MAX_BLOB);
}

int policy_parse(struct diag *d, const char *text, size_t len,
		 struct policy *pol)
{
	struct parser p = { .d = d, .pol = pol, .ctx = CTX_TOP };
	size_t off = 0, n;
	const char *nl;
	unsigned int errors = d->errors;

	if (len >= 4 && !memcmp(text, "CPOL", 4)) {
		diag_file(d, DIAG_ERROR,
			  "this is a compiled policy, not policy text (see 'citadelctl dump')");
		return -1;
	}
	while (off < len && !p.err) {
		nl = memchr(text + off, '\n', len - off);
		n = nl ? (size_t)(nl - (text + off)) : len - off;
		p.line = text + off;
		p.line_off = off;
		p.lineno++;
		/* Tolerate CRLF files. */
		parse_line(&p, n && p.line[n - 1] == '\r' ? n - 1 : n);
		off += n + 1;
	}
	if (!p.err)
		finish(&p);
	if (p.err)
		return p.err;
	return d->errors > errors ? -1 : 0;
}
