/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* One line of the kernel's event stream (module/events.c), split. */
#ifndef CITADELCTL_EVENT_LINE_H
#define CITADELCTL_EVENT_LINE_H

enum event_field {
	F_SEQ, F_TIME, F_PID, F_UID, F_COMM, F_EXE, F_SERVICE, F_OP,
	F_DECISION, F_OBJECT, F_RULE, F_POLICY, F_VERSION, F_DIGEST, F_COUNT
};

/*
 * Splits @line in place at tabs, undoing the kernel's \t \n \\ escapes.
 * Return: the number of fields (F_COUNT for an event, 3 for a "lost"
 * line), or -1 when there are more than @max.
 */
int event_split(char *line, char **f, int max);

#endif
