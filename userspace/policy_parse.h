/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The policy language v2 parser: text in, a normalised struct policy out,
 * diagnostics for every bad line along the way.
 */
#ifndef CITADELCTL_POLICY_PARSE_H
#define CITADELCTL_POLICY_PARSE_H

#include <stddef.h>

#include "diag.h"
#include "policy.h"

/* Largest policy text accepted. */
#define POLICY_TEXT_MAX		(64u << 20)

/**
 * policy_parse() - compile policy text into @pol
 * @d: diagnostics, initialised on @text
 * @text: the source; a NUL follows it
 * @len: its length
 * @pol: an initialised policy; the caller frees it in every case
 *
 * Keeps going after an error, one line at a time, so that one run
 * reports every bad line. On success @pol is in canonical form: rules
 * sorted, duplicates removed (each reported as a warning), limits
 * checked.
 *
 * Return: 0 when no error was reported, -1 when some was, -ENOMEM.
 */
int policy_parse(struct diag *d, const char *text, size_t len,
		 struct policy *pol);

#endif
