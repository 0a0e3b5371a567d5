/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* citadelctl start/stop: the BPF side (owned by loader.c). */
#ifndef CITADELCTL_LOADER_H
#define CITADELCTL_LOADER_H

/* Where start pins one link per hook, named after the hook. */
#define CITADEL_PIN_DIR	"/sys/fs/bpf/citadel"

int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);

#endif
