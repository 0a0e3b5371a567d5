// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "event_line.h"

int event_split(char *line, char **f, int max)
{
	char *in = line, *out = line;
	int n = 0;

	f[n++] = out;
	for (; *in; in++) {
		if (*in == '\t') {
			*out++ = '\0';
			if (n == max)
				return -1;
			f[n++] = out;
		} else if (*in == '\\' && in[1]) {
			in++;
			*out++ = *in == 't' ? '\t' : *in == 'n' ? '\n' : *in;
		} else {
			*out++ = *in;
		}
	}
	*out = '\0';
	return n;
}
