/* SPDX-License-Identifier: GPL-2.0-only */
/* What a sealed module keeps on disk for the next boot (see persist.c). */
#ifndef CITADEL_PERSIST_H
#define CITADEL_PERSIST_H

#include <linux/seq_file.h>
#include <linux/types.h>

#include "policy.h"

/* Whether the current task is the module writing its own state files. */
bool citadel_persist_writing(void);
/* At the seal: the marker and the floor of @pol. */
void citadel_persist_sealed(const struct citadel_policy *pol);
/* A load while sealed: @blob (as written, signature and all), the floor. */
void citadel_persist_loaded(const struct citadel_policy *pol,
			    const void *blob, size_t len);
void citadel_persist_show_status(struct seq_file *m);

#endif /* CITADEL_PERSIST_H */
