// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy language v2 parser.
 *
 * The language is line-based: each line is one statement, found by its
 * first token in the statement table below, and each table entry says
 * where the statement may appear. Blocks ("global { ... }" and
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
	CTX_SERVICE = 1u << 2,	/* inside "service NAME { }" */
};
#define CTX_BLOCK	(CTX_GLOBAL | CTX_SERVICE)

/* Beyond this many rules in one list before duplicates are removed, stop collecting. */
#define RAW_RULES_MAX	(2 * (size_t)CPOL_MAX_RULES)

/* Room for "service " and the longest service name. */
#define BLOCK_DESC_MAX	(CPOL_SERVICE_NAME_MAX + 16)

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
	struct src_loc policy_loc;
	uint32_t mode_line;
	uint32_t require_line;
	uint32_t global_line;
	uint32_t fileless_line;
	bool exec_seen;		/* an "exec PATH" statement, even a bad one */
	uint32_t no_defaults_line;	/* "protect no-defaults", or 0 */
	bool libs_seen;

	/* The open block, if any. */
	enum ctx ctx;
	uint16_t scope;		/* scope of the rules in the block */
	bool discard;		/* bad service line: check the rules, keep none */
	char block_desc[BLOCK_DESC_MAX];	/* "global", "service NAME" */
	struct src_loc block_loc;	/* its "{", or its keyword */
	uint32_t audit_line;		/* of the open block */
	uint32_t family_line[64];	/* of the open block, per family bit */
	uint32_t netconf_line[8];	/* of the open block, per netconf kind */
	bool too_many[NET_LISTS + 2];	/* RAW_RULES_MAX reached and reported */
};

/* Indexes of too_many[] past the network lists. */
#define TOO_MANY_EXEC	NET_LISTS
#define TOO_MANY_LIBS	(NET_LISTS + 1)

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

static __attribute__((format(printf, 4, 5))) void
err_span(struct parser *p, uint32_t col, uint32_t len, const char *fmt, ...)
{
	struct src_loc l = loc_span(p, col, len);
	va_list ap;

	va_start(ap, fmt);
	diag_vat(p->d, DIAG_ERROR, &l, fmt, ap);
	va_end(ap);
}

static __attribute__((format(printf, 3, 4))) void
err_tok(struct parser *p, const struct token *t, const char *fmt, ...)
{
	struct src_loc l = loc_tok(p, t);
	va_list ap;

	va_start(ap, fmt);
	diag_vat(p->d, DIAG_ERROR, &l, fmt, ap);
	va_end(ap);
}

static __attribute__((format(printf, 3, 4))) void
warn_tok(struct parser *p, const struct token *t, const char *fmt, ...)
{
	struct src_loc l = loc_tok(p, t);
	va_list ap;

	va_start(ap, fmt);
	diag_vat(p->d, DIAG_WARNING, &l, fmt, ap);
	va_end(ap);
}

/* An error about something missing: the caret goes just past @t. */
static __attribute__((format(printf, 3, 4))) void
err_after(struct parser *p, const struct token *t, const char *fmt, ...)
{
	struct src_loc l = loc_span(p, t->col + t->len, 1);
	va_list ap;

	va_start(ap, fmt);
	diag_vat(p->d, DIAG_ERROR, &l, fmt, ap);
	va_end(ap);
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

static bool tok_starts(const struct token *t, const char *s)
{
	size_t n = strlen(s);

	return t->len >= n && !memcmp(t->s, s, n);
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

/* Whether @t is a near miss of @word (a typo, not another word). */
static bool near_miss(const struct token *t, const char *word)
{
	size_t kl = strlen(word);

	return edit_distance(t->s, t->len, word) <= (kl + 2) / 3;
}

/*
 * Checks a policy or service name; reports the first defect.
 * Return: true if the name is fine.
 */
static bool check_name(struct parser *p, const struct token *t,
		       const char *what, unsigned int max)
{
	uint32_t i;

	if (t->len > max) {
		err_tok(p, t, "%s name is %u characters long; at most %u are allowed",
			what, t->len, max);
		return false;
	}
	for (i = 0; i < t->len; i++) {
		unsigned char c = (unsigned char)t->s[i];

		if (name_char_ok((char)c))
			continue;
		if (c == '{' && i == t->len - 1 && i && !strcmp(what, "service"))
			err_span(p, t->col + i, 1,
				 "missing space before '{': write '%.*s {'",
				 (int)i, t->s);
		else
			err_span(p, t->col + i, 1,
				 c > 0x20 && c < 0x7f ?
				 "invalid character '%c' in %s name; use letters, digits, '_', '.' and '-'" :
				 "invalid byte 0x%02x in %s name; use letters, digits, '_', '.' and '-'",
				 c, what);
		return false;
	}
	return true;
}

/* policy NAME version N */
static void parse_policy(struct parser *p)
{
	const struct token *t = p->tk.t;
	uint64_t version;
	int r;

	/* Seen, even if bad: no "missing policy" error on top of this one. */
	if (!p->policy_line) {
		p->policy_line = p->lineno;
		p->policy_loc = loc_tok(p, &t[0]);
	}
	if (p->tk.n < 2) {
		err_after(p, &t[0], "missing policy name: expected 'policy NAME version N'");
		return;
	}
	if (!check_name(p, &t[1], "policy", CPOL_NAME_MAX - 1))
		return;
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

/* require signature */
static void parse_require(struct parser *p)
{
	const struct token *t = p->tk.t;

	if (!p->require_line)
		p->require_line = p->lineno;
	if (p->tk.n < 2) {
		err_after(p, &t[0], "missing what to require: expected 'require signature'");
		return;
	}
	if (!tok_is(&t[1], "signature")) {
		err_tok(p, &t[1], "unknown requirement '%.*s': expected 'signature'",
			(int)t[1].len, t[1].s);
		return;
	}
	if (extra_tokens(p, 2, "'require signature'"))
		return;
	if (p->require_line != p->lineno) {
		err_tok(p, &t[0], "duplicate 'require' statement; the first is at line %u",
			p->require_line);
		return;
	}
	p->pol->flags |= CPOL_F_REQUIRE_SIGNED;
}

/*
 * Opens a block. Even a bad opening line opens it, so that its rules are
 * still checked and its "}" does not show up as stray.
 */
static void open_block(struct parser *p, enum ctx ctx, uint16_t scope,
		       bool discard, const char *desc,
		       const struct token *brace)
{
	p->ctx = ctx;
	p->scope = scope;
	p->discard = discard;
	snprintf(p->block_desc, sizeof(p->block_desc), "%s", desc);
	p->block_loc = loc_tok(p, brace ? brace : &p->tk.t[0]);
	p->audit_line = 0;
	memset(p->family_line, 0, sizeof(p->family_line));
	memset(p->netconf_line, 0, sizeof(p->netconf_line));
}

/* Checks the "{" of a block opening line whose name takes @nname tokens. */
static bool check_brace(struct parser *p, unsigned int nname, const char *what)
{
	const struct token *t = p->tk.t;

	if (p->tk.n < nname + 2) {
		err_after(p, &t[p->tk.n - 1], "missing '{' after %s", what);
		return false;
	}
	if (!tok_is(&t[nname + 1], "{")) {
		err_tok(p, &t[nname + 1], "unexpected '%.*s' after %s; expected '{'",
			(int)t[nname + 1].len, t[nname + 1].s, what);
		return false;
	}
	if (p->tk.n > nname + 2) {
		err_tok(p, &t[nname + 2], "'{' must end the line; put each rule on its own line");
		return false;
	}
	return true;
}

/* global { */
static void parse_global(struct parser *p)
{
	const struct token *t = p->tk.t;
	const struct token *brace = p->tk.n >= 2 && tok_is(&t[1], "{") ?
				    &t[1] : NULL;
	bool dup = p->global_line != 0;

	/* A second global block is checked, but adds nothing. */
	open_block(p, CTX_GLOBAL, CPOL_SCOPE_GLOBAL, dup, "global", brace);
	if (dup) {
		err_tok(p, &t[0], "duplicate 'global' block; the first is at line %u",
			p->global_line);
		return;
	}
	p->global_line = p->lineno;
	check_brace(p, 0, "'global'");
}

/* service NAME { */
static void parse_service(struct parser *p)
{
	const struct token *t = p->tk.t;
	const struct token *brace = p->tk.n >= 3 && tok_is(&t[2], "{") ?
				    &t[2] : NULL;
	struct policy *pol = p->pol;
	struct src_loc l;
	uint64_t id;
	size_t i;
	int idx;

	if (p->tk.n < 2) {
		open_block(p, CTX_SERVICE, 0, true, "service", NULL);
		err_after(p, &t[0], "missing service name: expected 'service NAME {'");
		return;
	}
	if (tok_is(&t[1], "{")) {
		open_block(p, CTX_SERVICE, 0, true, "service", &t[1]);
		err_tok(p, &t[1], "missing service name before '{': expected 'service NAME {'");
		return;
	}
	open_block(p, CTX_SERVICE, 0, true, "service", brace);
	if (!check_name(p, &t[1], "service", CPOL_SERVICE_NAME_MAX))
		return;
	snprintf(p->block_desc, sizeof(p->block_desc), "service %.*s",
		 (int)t[1].len, t[1].s);
	if (tok_is(&t[1], "global")) {
		err_tok(p, &t[1], "'global' is not a service name: the global rules go in the 'global { ... }' block");
		return;
	}
	id = fnv1a64(t[1].s, t[1].len);
	for (i = 1; i < pol->nscopes; i++) {
		const struct scope *s = &pol->scopes[i];

		if (s->name_len == t[1].len && !memcmp(s->name, t[1].s, t[1].len)) {
			err_tok(p, &t[1], "duplicate service '%.*s'; the first is at line %u",
				(int)t[1].len, t[1].s, s->loc.line);
			return;
		}
		if (s->id == id) {
			err_tok(p, &t[1], "service '%.*s' has the same id as service '%s' (line %u), a FNV-1a 64 collision; rename one of them",
				(int)t[1].len, t[1].s, s->name, s->loc.line);
			return;
		}
	}
	if (!id) {
		err_tok(p, &t[1], "service '%.*s' has the id 0 (FNV-1a 64), which means 'no service'; rename it",
			(int)t[1].len, t[1].s);
		return;
	}
	if (pol->nscopes >= CPOL_MAX_SCOPES) {
		err_tok(p, &t[0], "too many services: at most %u are allowed",
			CPOL_MAX_SCOPES - 1);
		return;
	}
	/* A bad brace still gives the service its scope: its rules are real. */
	check_brace(p, 1, "the service name");
	l = loc_tok(p, &t[1]);
	idx = policy_add_scope(pol, t[1].s, t[1].len, 0, &l);
	if (idx < 0) {
		p->err = idx;
		return;
	}
	p->scope = (uint16_t)idx;
	p->discard = false;
}

/* } */
static void parse_close(struct parser *p)
{
	p->ctx = CTX_TOP;
	p->scope = CPOL_SCOPE_GLOBAL;
	p->discard = false;
	if (p->tk.n > 1)
		err_tok(p, &p->tk.t[1], "'}' must stand on its own line");
}

/* Whether a rule may be added to @which; reports the first overflow. */
static bool room(struct parser *p, unsigned int which, size_t n,
		 const struct src_loc *loc, const char *what)
{
	if (p->err || p->too_many[which] || p->discard)
		return false;
	if (n < RAW_RULES_MAX)
		return true;
	diag_at(p->d, DIAG_ERROR, loc,
		"too many %s rules: over %zu before removing duplicates, at most %u allowed",
		what, RAW_RULES_MAX, CPOL_MAX_RULES);
	p->too_many[which] = true;
	return false;
}

static const char *const list_what[NET_LISTS] = {
	[NET_CONNECT4] = "IPv4",
	[NET_CONNECT6] = "IPv6",
	[NET_LISTEN4] = "IPv4 listen",
	[NET_LISTEN6] = "IPv6 listen",
};

static void add_net(struct parser *p, bool listen, const struct net_addr *a,
		    uint8_t proto, uint16_t lo, uint16_t hi,
		    struct src_loc loc)
{
	enum net_list l = listen ? (a->family == 4 ? NET_LISTEN4 : NET_LISTEN6) :
				   (a->family == 4 ? NET_CONNECT4 : NET_CONNECT6);
	struct net_rule r = { .prefix = a->prefix, .proto = proto,
			      .scope = p->scope, .port_lo = lo, .port_hi = hi,
			      .loc = loc };

	if (!room(p, l, p->pol->net[l].n, &loc, list_what[l]))
		return;
	memcpy(r.addr, a->addr, sizeof(r.addr));
	if (policy_add_net(p->pol, l, &r))
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

/* Checks a whole port list; true if every item is good. */
static bool check_port_list(struct parser *p, const struct token *list)
{
	struct port_item it;
	uint32_t pos;
	int r;

	for (pos = 0; (r = next_port_item(p, list, &pos, &it)) > 0;)
		;
	return r == 0;
}

/* Reads t[1] as tcp or udp; 0 after an error. */
static uint8_t parse_proto(struct parser *p, const char *usage)
{
	const struct token *t = p->tk.t;

	if (p->tk.n < 2) {
		err_after(p, &t[0], "missing protocol: expected '%s'", usage);
		return 0;
	}
	if (tok_is(&t[1], "tcp"))
		return CPOL_PROTO_TCP;
	if (tok_is(&t[1], "udp"))
		return CPOL_PROTO_UDP;
	err_tok(p, &t[1], "unknown protocol '%.*s': expected 'tcp' or 'udp'",
		(int)t[1].len, t[1].s);
	return 0;
}

/*
 * Reads an address token: a host, a CIDR or "any" (both families, two
 * addresses). Return: the number of addresses, 0 after an error.
 */
static unsigned int parse_addr_tok(struct parser *p, const struct token *t,
				   struct net_addr addrs[2])
{
	struct addr_error ae;

	if (tok_is(t, "any")) {
		/* Both families, whole address space. */
		memset(addrs, 0, 2 * sizeof(*addrs));
		addrs[0].family = 4;
		addrs[1].family = 6;
		return 2;
	}
	if (t->len > 3 && !memcmp(t->s, "any/", 4)) {
		err_span(p, t->col + 3, t->len - 3, "'any' takes no prefix length");
		return 0;
	}
	if (addr_parse(t->s, t->len, &addrs[0], &ae)) {
		err_span(p, t->col + ae.off, ae.len, "%s", ae.msg);
		return 0;
	}
	return 1;
}

/* connect tcp|udp ADDRESS[/PREFIX]|any [port LIST] */
static void parse_connect(struct parser *p)
{
	static const char usage[] = "connect tcp|udp ADDRESS [port PORTS]";
	const struct token *t = p->tk.t;
	const struct token *list = NULL;
	struct net_addr addrs[2];
	unsigned int naddr, i;
	struct port_item it;
	uint32_t pos;
	uint8_t proto;

	proto = parse_proto(p, usage);
	if (!proto)
		return;
	if (p->tk.n < 3) {
		err_after(p, &t[1], "missing destination address after '%.*s'",
			  (int)t[1].len, t[1].s);
		return;
	}
	naddr = parse_addr_tok(p, &t[2], addrs);
	if (!naddr)
		return;
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
			add_net(p, false, &addrs[i], proto, 0, 65535,
				loc_tok(p, &t[2]));
		return;
	}
	/* Check the whole list first: a bad line adds no rule. */
	if (!check_port_list(p, list))
		return;
	for (pos = 0; next_port_item(p, list, &pos, &it) > 0;)
		for (i = 0; i < naddr; i++)
			add_net(p, false, &addrs[i], proto, it.lo, it.hi,
				loc_span(p, list->col + it.off, it.len));
}

/* listen tcp|udp PORTS [on ADDRESS[/PREFIX]|any] */
static void parse_listen(struct parser *p)
{
	static const char usage[] = "listen tcp|udp PORTS [on ADDRESS]";
	const struct token *t = p->tk.t;
	struct net_addr addrs[2];
	unsigned int naddr = 2, i;
	struct port_item it;
	uint32_t pos;
	uint8_t proto;

	proto = parse_proto(p, usage);
	if (!proto)
		return;
	if (p->tk.n < 3) {
		err_after(p, &t[1], "missing port list after '%.*s': expected '%s'",
			  (int)t[1].len, t[1].s, usage);
		return;
	}
	if (tok_is(&t[2], "port")) {
		err_tok(p, &t[2], "unexpected 'port': in a listen rule the ports follow the protocol, e.g. 'listen %.*s 8080'",
			(int)t[1].len, t[1].s);
		return;
	}
	if (tok_is(&t[2], "on")) {
		err_tok(p, &t[2], "missing port list before 'on': expected '%s'",
			usage);
		return;
	}
	if (!check_port_list(p, &t[2]))
		return;
	/* Without "on": every local address of both families. */
	memset(addrs, 0, sizeof(addrs));
	addrs[0].family = 4;
	addrs[1].family = 6;
	if (p->tk.n >= 4) {
		if (!tok_is(&t[3], "on")) {
			err_tok(p, &t[3], "unexpected '%.*s' after the port list; expected 'on ADDRESS' or the end of the line (no spaces inside a list)",
				(int)t[3].len, t[3].s);
			return;
		}
		if (p->tk.n < 5) {
			err_after(p, &t[3], "missing local address after 'on'");
			return;
		}
		naddr = parse_addr_tok(p, &t[4], addrs);
		if (!naddr)
			return;
		if (extra_tokens(p, 5, "the address"))
			return;
	}
	for (pos = 0; next_port_item(p, &t[2], &pos, &it) > 0;)
		for (i = 0; i < naddr; i++)
			add_net(p, true, &addrs[i], proto, it.lo, it.hi,
				loc_span(p, t[2].col + it.off, it.len));
}

/*
 * The canonical spelling of a path, for hints: empty and "." components
 * dropped, ".." taking the previous one away. A path that named a
 * directory (a trailing '/', "." or "..") keeps its trailing '/'.
 * @out has room for @len + 2 bytes.
 */
static void canonical_path(const char *s, size_t len, char *out)
{
	size_t i = 0, n = 1, start, clen;
	bool dir = false;

	out[0] = '/';
	while (i < len) {
		while (i < len && s[i] == '/')
			i++;
		start = i;
		while (i < len && s[i] != '/')
			i++;
		clen = i - start;
		dir = i == len && clen == 0;
		if (!clen)
			continue;
		if (clen == 1 && s[start] == '.') {
			dir = i == len;
			continue;
		}
		if (clen == 2 && s[start] == '.' && s[start + 1] == '.') {
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--;	/* the '/' before the dropped component */
			dir = i == len;
			continue;
		}
		if (n > 1)
			out[n++] = '/';
		memcpy(out + n, s + start, clen);
		n += clen;
	}
	if (dir && n > 1)
		out[n++] = '/';
	out[n] = '\0';
}

/*
 * Checks a path token of an exec or libs rule against the ABI's rules:
 * absolute, canonical, not too long. Reports the first defect.
 */
static bool check_path(struct parser *p, const struct token *t)
{
	char *canon;
	uint32_t i;

	if (t->s[0] == '"' || t->s[0] == '\'') {
		err_tok(p, t, "paths are written without quotes (and cannot contain spaces)");
		return false;
	}
	if (t->s[0] != '/') {
		err_tok(p, t, "path '%.*s' is not absolute: it must start with '/'",
			(int)t->len, t->s);
		return false;
	}
	if (t->len > CPOL_PATH_MAX) {
		err_tok(p, t, "path is %u bytes long; at most %u are allowed",
			t->len, CPOL_PATH_MAX);
		return false;
	}
	for (i = 0; i < t->len; i++) {
		const char *what;
		uint32_t span;

		if (t->s[i] != '/')
			continue;
		if (i + 1 < t->len && t->s[i + 1] == '/') {
			what = "'//'";
			span = 2;
		} else if (i + 1 < t->len && t->s[i + 1] == '.' &&
			   (i + 2 == t->len || t->s[i + 2] == '/')) {
			what = "a '.' component";
			span = 2;
		} else if (i + 2 < t->len && t->s[i + 1] == '.' &&
			   t->s[i + 2] == '.' &&
			   (i + 3 == t->len || t->s[i + 3] == '/')) {
			what = "a '..' component";
			span = 3;
		} else {
			continue;
		}
		canon = malloc(t->len + 2);
		if (!canon) {
			p->err = -ENOMEM;
			return false;
		}
		canonical_path(t->s, t->len, canon);
		err_span(p, t->col + i, span,
			 "path '%.*s' contains %s: paths must be canonical; did you mean '%s'?",
			 (int)t->len, t->s, what, canon);
		free(canon);
		return false;
	}
	return true;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool all_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (hex_val(s[i]) < 0)
			return false;
	return true;
}

/* Reads "sha256:HEX" (64 hex digits, any case) into @out; reports a defect. */
static bool parse_hash(struct parser *p, const struct token *t,
		       uint8_t out[32])
{
	static const char pfx[] = "sha256:";
	const size_t pl = sizeof(pfx) - 1;
	const char *colon = memchr(t->s, ':', t->len);
	const char *hex;
	uint32_t i, n;

	if (!colon) {
		if (t->len == 64 && all_hex(t->s, t->len))
			err_tok(p, t, "a hash needs its algorithm: write 'sha256:%.*s'",
				(int)t->len, t->s);
		else
			err_tok(p, t, "unexpected '%.*s' after the path; expected 'sha256:HEX' or the end of the line (paths cannot contain spaces)",
				(int)t->len, t->s);
		return false;
	}
	if ((size_t)(colon - t->s) + 1 != pl || !tok_starts(t, pfx)) {
		if ((size_t)(colon - t->s) + 1 == pl &&
		    !strncasecmp(t->s, pfx, pl))
			err_span(p, t->col, (uint32_t)pl - 1,
				 "write the hash algorithm in lower case: 'sha256:'");
		else
			err_span(p, t->col, (uint32_t)(colon - t->s),
				 "unsupported hash '%.*s': only 'sha256:' followed by 64 hex digits is accepted",
				 (int)(colon - t->s), t->s);
		return false;
	}
	hex = t->s + pl;
	n = t->len - (uint32_t)pl;
	if (!n) {
		err_after(p, t, "missing hex digits after 'sha256:'");
		return false;
	}
	for (i = 0; i < n; i++) {
		if (hex_val(hex[i]) >= 0)
			continue;
		err_span(p, t->col + (uint32_t)pl + i, 1,
			 (unsigned char)hex[i] > 0x20 && (unsigned char)hex[i] < 0x7f ?
			 "invalid character '%c' in the sha256 hash: expected hex digits 0-9 and a-f" :
			 "invalid byte 0x%02x in the sha256 hash: expected hex digits 0-9 and a-f",
			 (unsigned char)hex[i]);
		return false;
	}
	if (n != 64) {
		err_span(p, t->col + (uint32_t)pl, n,
			 "the sha256 hash has %u hex digits; it needs exactly 64", n);
		return false;
	}
	for (i = 0; i < 32; i++)
		out[i] = (uint8_t)(hex_val(hex[2 * i]) << 4 | hex_val(hex[2 * i + 1]));
	return true;
}

/* exec fileless | exec PATH [sha256:HEX] */
static void parse_exec(struct parser *p)
{
	const struct token *t = p->tk.t;
	uint8_t sha[32];
	bool has_hash = false;
	struct src_loc l;

	if (p->tk.n < 2) {
		p->exec_seen = true;
		err_after(p, &t[0], "missing path: expected 'exec PATH [sha256:HEX]' or 'exec fileless'");
		return;
	}
	if (tok_is(&t[1], "fileless")) {
		if (extra_tokens(p, 2, "'fileless'"))
			return;
		if (p->ctx != CTX_GLOBAL) {
			err_tok(p, &t[1], "'exec fileless' is only allowed in the 'global' block: a program without a file cannot be an entry of a service");
			return;
		}
		if (p->discard)
			return;
		if (p->fileless_line) {
			warn_tok(p, &t[1], "duplicate 'exec fileless' (already at line %u); ignored",
				 p->fileless_line);
			return;
		}
		p->fileless_line = p->lineno;
		p->pol->flags |= CPOL_F_FILELESS;
		return;
	}
	p->exec_seen = true;
	if (tok_starts(&t[1], "sha256:")) {
		err_tok(p, &t[1], "missing path before the hash: expected 'exec PATH [sha256:HEX]'");
		return;
	}
	if (t[1].s[0] != '/' && near_miss(&t[1], "fileless")) {
		err_tok(p, &t[1], "unknown word '%.*s'; did you mean 'fileless'?",
			(int)t[1].len, t[1].s);
		return;
	}
	if (!check_path(p, &t[1]))
		return;
	if (p->tk.n >= 3) {
		if (t[1].s[t[1].len - 1] == '/') {
			err_tok(p, &t[2], "'%.*s' is a directory prefix: it cannot carry a hash (hashes are checked per file)",
				(int)t[1].len, t[1].s);
			return;
		}
		if (!parse_hash(p, &t[2], sha))
			return;
		has_hash = true;
		if (extra_tokens(p, 3, "the hash"))
			return;
	}
	l = loc_tok(p, &t[1]);
	if (!room(p, TOO_MANY_EXEC, p->pol->exec.n, &l, "exec"))
		return;
	if (policy_add_exec(p->pol, t[1].s, t[1].len, p->scope,
			    has_hash ? sha : NULL, &l))
		p->err = -ENOMEM;
}

/* libs PATH... */
static void parse_libs(struct parser *p)
{
	const struct token *t = p->tk.t;
	unsigned int i;
	struct src_loc l;

	p->libs_seen = true;
	if (p->tk.n < 2) {
		err_after(p, &t[0], "missing path: expected 'libs PATH...' (directories end in '/')");
		return;
	}
	/* Check the whole line first: a bad line adds no rule. */
	for (i = 1; i < p->tk.n; i++) {
		if (tok_starts(&t[i], "sha256:")) {
			err_tok(p, &t[i], "'libs' takes paths only, no hash");
			return;
		}
		if (!check_path(p, &t[i]))
			return;
	}
	if (p->tk.n == LEX_MAX_TOKENS) {
		l = loc_span(p, p->tk.end_col, 1);
		diag_at(p->d, DIAG_ERROR, &l,
			"too many paths on one line: at most %u; continue on another 'libs' line",
			LEX_MAX_TOKENS - 1);
		return;
	}
	for (i = 1; i < p->tk.n; i++) {
		l = loc_tok(p, &t[i]);
		if (!room(p, TOO_MANY_LIBS, p->pol->libs.n, &l, "libs"))
			return;
		if (policy_add_lib(p->pol, t[i].s, t[i].len, &l)) {
			p->err = -ENOMEM;
			return;
		}
	}
}

/* protect PATH... (global): kept from change once sealed */
static void parse_protect(struct parser *p)
{
	const struct token *t = p->tk.t;
	unsigned int i;
	struct src_loc l;

	if (p->tk.n < 2) {
		err_after(p, &t[0], "missing path: expected 'protect PATH...' (directories end in '/') or 'protect no-defaults'");
		return;
	}
	/* An upgrade window: only what the policy lists (README). */
	if (tok_is(&t[1], "no-defaults")) {
		if (extra_tokens(p, 2, "'protect no-defaults'"))
			return;
		if (p->no_defaults_line)
			warn_tok(p, &t[1], "duplicate 'protect no-defaults' (already at line %u); ignored",
				 p->no_defaults_line);
		else
			p->no_defaults_line = p->lineno;
		return;
	}
	for (i = 1; i < p->tk.n; i++)
		if (!check_path(p, &t[i]))
			return;
	if (p->tk.n == LEX_MAX_TOKENS) {
		l = loc_span(p, p->tk.end_col, 1);
		diag_at(p->d, DIAG_ERROR, &l,
			"too many paths on one line: at most %u; continue on another 'protect' line",
			LEX_MAX_TOKENS - 1);
		return;
	}
	for (i = 1; i < p->tk.n; i++) {
		l = loc_tok(p, &t[i]);
		if (p->pol->protect.n >= CPOL_MAX_PROTECT) {
			err_tok(p, &t[i], "too many protect rules: at most %u allowed, the defaults included",
				CPOL_MAX_PROTECT);
			return;
		}
		if (policy_add_protect(p->pol, t[i].s, t[i].len, &l)) {
			p->err = -ENOMEM;
			return;
		}
	}
}

/* socket FAMILY... */
static void parse_socket(struct parser *p)
{
	const struct token *t = p->tk.t;
	struct scope *s;
	unsigned int i;
	size_t k;
	int bit;

	if (p->tk.n < 2) {
		err_after(p, &t[0], "missing family: expected 'socket FAMILY...', e.g. 'socket packet raw'");
		return;
	}
	for (i = 1; i < p->tk.n; i++) {
		char list[512];
		size_t n = 0;

		if (family_bit(t[i].s, t[i].len) >= 0)
			continue;
		for (k = 0; k < n_family_names; k++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
					      k ? " " : "", family_names[k].name);
		err_tok(p, &t[i], "unknown socket family '%.*s'; the families are: %s",
			(int)t[i].len, t[i].s, list);
		return;
	}
	if (p->tk.n == LEX_MAX_TOKENS) {
		struct src_loc l = loc_span(p, p->tk.end_col, 1);

		diag_at(p->d, DIAG_ERROR, &l,
			"too many families on one line: at most %u; continue on another 'socket' line",
			LEX_MAX_TOKENS - 1);
		return;
	}
	for (i = 1; i < p->tk.n; i++) {
		bit = family_bit(t[i].s, t[i].len);
		if (p->family_line[bit]) {
			warn_tok(p, &t[i], "duplicate socket family '%.*s' (already at line %u); ignored",
				 (int)t[i].len, t[i].s, p->family_line[bit]);
			continue;
		}
		p->family_line[bit] = p->lineno;
		/* The default families are the global scope's already. */
		if (p->discard || (CPOL_FAM_DEFAULT >> bit) & 1)
			continue;
		s = &p->pol->scopes[p->scope];
		s->families |= 1ull << bit;
	}
}

/* netconf KIND... (once sealed, this scope may change that configuration) */
static void parse_netconf(struct parser *p)
{
	const struct token *t = p->tk.t;
	unsigned int i;
	size_t k;

	if (p->tk.n < 2) {
		err_after(p, &t[0], "missing kind: expected 'netconf route|xfrm|netfilter|generic...', e.g. 'netconf route' for a DHCP client");
		return;
	}
	for (i = 1; i < p->tk.n; i++) {
		for (k = 0; k < n_netconf_names; k++)
			if (tok_is(&t[i], netconf_names[k].name))
				break;
		if (k == n_netconf_names) {
			err_tok(p, &t[i], "unknown netconf kind '%.*s'; the kinds are: route xfrm netfilter generic",
				(int)t[i].len, t[i].s);
			return;
		}
	}
	for (i = 1; i < p->tk.n; i++) {
		for (k = 0; !tok_is(&t[i], netconf_names[k].name); k++)
			;
		if (p->netconf_line[k]) {
			warn_tok(p, &t[i], "duplicate netconf kind '%.*s' (already at line %u); ignored",
				 (int)t[i].len, t[i].s, p->netconf_line[k]);
			continue;
		}
		p->netconf_line[k] = p->lineno;
		if (!p->discard)
			p->pol->scopes[p->scope].flags |= netconf_names[k].flag;
	}
}

/* audit (in a service) */
static void parse_audit(struct parser *p)
{
	if (extra_tokens(p, 1, "'audit'"))
		return;
	if (p->discard)
		return;
	if (p->audit_line) {
		warn_tok(p, &p->tk.t[0], "duplicate 'audit' (already at line %u); ignored",
			 p->audit_line);
		return;
	}
	p->audit_line = p->lineno;
	p->pol->scopes[p->scope].flags |= CPOL_SCOPE_F_AUDIT;
}

static const struct stmt stmts[] = {
	{ "policy", CTX_TOP, parse_policy },
	{ "mode", CTX_TOP, parse_mode },
	{ "require", CTX_TOP, parse_require },
	{ "global", CTX_TOP, parse_global },
	{ "service", CTX_TOP, parse_service },
	{ "exec", CTX_BLOCK, parse_exec },
	{ "libs", CTX_GLOBAL, parse_libs },
	{ "protect", CTX_GLOBAL, parse_protect },
	{ "listen", CTX_BLOCK, parse_listen },
	{ "connect", CTX_BLOCK, parse_connect },
	{ "socket", CTX_BLOCK, parse_socket },
	{ "audit", CTX_SERVICE, parse_audit },
	{ "netconf", CTX_BLOCK, parse_netconf },
	{ "}", CTX_BLOCK, parse_close },
};

/* Words that people may expect, with what to write instead. */
static const struct {
	const char *kw;
	const char *msg;
} hints[] = {
	{ "send", "there is no 'send' rule: a 'connect' rule also covers sends to its destination (sendto, sendmsg, TCP Fast Open)" },
	{ "bind", "there is no 'bind' rule: a 'listen' rule covers bind() and listen() ('listen tcp|udp PORTS [on ADDRESS]')" },
};

static void unknown_statement(struct parser *p, const struct token *t)
{
	const char *best = NULL;
	unsigned int best_d = 99, dist;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hints); i++) {
		if (tok_is(t, hints[i].kw)) {
			err_tok(p, t, "%s", hints[i].msg);
			return;
		}
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
	if (s->ctx == CTX_GLOBAL && p->ctx == CTX_SERVICE) {
		err_tok(p, t, "'%s' is only allowed in the 'global' block: it applies to every task",
			s->kw);
		return;
	}
	if (s->ctx == CTX_SERVICE && p->ctx == CTX_GLOBAL) {
		err_tok(p, t, "'%s' is only allowed in a 'service' block; for the whole policy, use 'mode %s'",
			s->kw, s->kw);
		return;
	}
	if (s->ctx == CTX_BLOCK) {
		err_tok(p, t, "'%s' rules must be inside a 'global { ... }' or 'service NAME { ... }' block",
			s->kw);
		return;
	}
	if (s->ctx == CTX_GLOBAL) {
		err_tok(p, t, "'%s' must be inside the 'global { ... }' block",
			s->kw);
		return;
	}
	if (s->ctx == CTX_SERVICE) {
		err_tok(p, t, "'%s' must be inside a 'service NAME { ... }' block; for the whole policy, use 'mode %s'",
			s->kw, s->kw);
		return;
	}
	err_tok(p, t, "'%s' is not allowed inside the '%s' block (opened at line %u); missing '}'?",
		s->kw, p->block_desc, p->block_loc.line);
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

/* A diagnostic about the policy as a whole: at its policy line if any. */
static void whole_policy(struct parser *p, enum diag_level level,
			 const char *msg)
{
	if (p->policy_line)
		diag_at(p->d, level, &p->policy_loc, "%s", msg);
	else
		diag_file(p->d, level, "%s", msg);
}

/* What is checked once the whole text has been read. */
static void finish(struct parser *p)
{
	struct policy *pol = p->pol;
	struct late_diag_list late;
	bool too_many = false;
	uint64_t size, strings;
	size_t i;
	int l;

	if (p->ctx != CTX_TOP)
		diag_at(p->d, DIAG_ERROR, &p->block_loc,
			"unclosed '%s' block: '}' is missing at the end of the file",
			p->block_desc);
	if (!p->policy_line)
		diag_file(p->d, DIAG_ERROR,
			  "missing 'policy NAME version N' statement");
	if (p->err)
		return;
	if (!p->no_defaults_line && policy_add_protect_defaults(pol)) {
		p->err = -ENOMEM;
		return;
	}
	if (policy_normalize(pol, &late)) {
		p->err = -ENOMEM;
		late_diag_free(&late);
		return;
	}
	for (i = 0; i < late.n; i++)
		diag_at(p->d, late.v[i].level, &late.v[i].loc, "%s",
			late.v[i].msg);
	late_diag_free(&late);
	if (!p->exec_seen)
		whole_policy(p, DIAG_ERROR,
			     "no exec rules: once loaded, every program start would be denied (allow all with 'exec /' in global)");
	if (!p->libs_seen)
		whole_policy(p, DIAG_WARNING,
			     "no libs: shared libraries cannot be mapped executable (e.g. libs /lib/ /usr/lib/)");
	for (l = 0; l < NET_LISTS; l++) {
		if (pol->net[l].n <= CPOL_MAX_RULES)
			continue;
		diag_file(p->d, DIAG_ERROR,
			  "too many %s rules: %zu, at most %u allowed",
			  list_what[l], pol->net[l].n, CPOL_MAX_RULES);
		too_many = true;
	}
	if (pol->exec.n > CPOL_MAX_RULES) {
		diag_file(p->d, DIAG_ERROR, "too many exec rules: %zu, at most %u allowed",
			  pol->exec.n, CPOL_MAX_RULES);
		too_many = true;
	}
	if (pol->libs.n > CPOL_MAX_RULES) {
		diag_file(p->d, DIAG_ERROR, "too many libs rules: %zu, at most %u allowed",
			  pol->libs.n, CPOL_MAX_RULES);
		too_many = true;
	}
	if (pol->protect.n > CPOL_MAX_PROTECT) {
		diag_file(p->d, DIAG_ERROR, "too many protect rules: %zu with the defaults, at most %u allowed",
			  pol->protect.n, CPOL_MAX_PROTECT);
		too_many = true;
	}
	strings = blob_strings_size(pol);
	if (strings > CPOL_MAX_RULES) {
		diag_file(p->d, DIAG_ERROR,
			  "the paths and service names take %llu bytes in the compiled policy, at most %u allowed",
			  (unsigned long long)strings, CPOL_MAX_RULES);
		too_many = true;
	}
	/* Said already, if a section is over its limit. */
	size = blob_size(pol);
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
	/* Scope 0: the global scope, with the default socket families. */
	if (policy_add_scope(pol, "global", 6, CPOL_FAM_DEFAULT, NULL) < 0)
		return -ENOMEM;
	/* Reports found late (duplicates) go with the others, in line order. */
	diag_defer(d);
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
	diag_flush(d);
	if (p.err)
		return p.err;
	return d->errors > errors ? -1 : 0;
}
