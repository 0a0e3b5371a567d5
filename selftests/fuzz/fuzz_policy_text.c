// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for citadelctl's policy compiler: any text goes in;
 * the parser must not crash, leak or overrun, with every diagnostic
 * formatted (into /dev/null). Text it accepts must build into a blob.
 * Seeds: the golden good and bad policies and the example policies.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob_write.h"
#include "diag.h"
#include "policy.h"
#include "policy_parse.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy pol;
	struct diag d;
	uint8_t *blob;
	size_t len;
	char *text;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	text = malloc(size + 1);
	if (!text || !devnull)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	policy_init(&pol);
	diag_init(&d, "fuzz.conf", text, size);
	d.out = devnull;
	if (policy_parse(&d, text, size, &pol) == 0 && !d.errors) {
		/* What the parser accepts, the blob writer must take. */
		if (blob_build(&pol, &blob, &len))
			abort();
		free(blob);
	}
	policy_free(&pol);
	free(text);
	return 0;
}
