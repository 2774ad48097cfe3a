/* SPDX-License-Identifier: MIT */
/*
 * sweep_internal.h - the expanded manifest, shared by sweep.c (the
 * manifest), sweep_run.c, sweep_emit.c and sweep_merge.c.
 */
#ifndef FRAGREPLAY_REPLAY_SWEEP_INTERNAL_H
#define FRAGREPLAY_REPLAY_SWEEP_INTERNAL_H

#include <jansson.h>

#include "sweep.h"

struct sweep_setting {
	struct replay_variant v;
	unsigned int replica;
};

struct sweep {
	char *path;          /* the manifest, absolute */
	char hash[SHA256_HEX_LEN];
	char *out;           /* the output directory, absolute */
	char **traces;       /* absolute */
	size_t nr_traces;
	struct sweep_setting *settings;
	size_t nr_settings;
	size_t chunk;
};

/* OUT/results/task-NNNNNN.json */
void sweep_result_path(const char *out, size_t index, char *buf, size_t len);

/* @text into @path by a temporary and a rename (traces/outfile.h); 0 or -errno */
int sweep_write_atomic(const char *path, const char *text, size_t len, unsigned int mode);

/* the task as plan.json and each result carry it: trace, variant, replica, settings */
json_t *sweep_task_json(const struct sweep *sw, size_t index);

#endif
