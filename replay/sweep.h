/* SPDX-License-Identifier: MIT */
/*
 * sweep.h - traces x variants x knob grids (README "Sweeps"): a JSON
 * manifest expanded into numbered tasks, run through replay sessions (each
 * trace decoded once for up to REPLAY_SESSION_MAX_VARIANTS of its tasks),
 * one result file per task written atomically with its provenance, merged
 * into one summary; and the scripts that fan the tasks out to a Slurm array
 * or GNU parallel.
 *
 *	sw = sweep__load("m.json", NULL, err, sizeof(err));
 *	sweep__run(sw, 0, sweep__nr_tasks(sw), 2, progress, ctx, &st);
 *	sweep_merge(sweep__out(sw), &mr, err, sizeof(err));
 *	sweep__free(sw);
 *
 * Task index i <-> (trace, setting): i = trace * nr_settings + setting, the
 * traces in manifest order (each glob's matches sorted bytewise), the
 * settings variant by variant, each variant's knob grid with the knobs in
 * model_knob_spec() order and the last varying fastest, replicas fastest of
 * all. Functions return 0 or a negative errno and never print.
 */
#ifndef FRAGREPLAY_REPLAY_SWEEP_H
#define FRAGREPLAY_REPLAY_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sha256.h"
#include "variant.h"

#define SWEEP_MAX_TASKS 1000000 /* a typo'd range is refused, not run for a year */

struct sweep;

/**
 * sweep__load - read and expand the manifest at @path
 * @out: the output directory, overriding the manifest's "output"; NULL: the
 *       manifest's (relative to the manifest's directory)
 *
 * Every knob and value is checked against model_knob_spec() and every
 * variant against the presets; nothing is run. NULL with errno set and a
 * message naming the manifest and the place in it (line:column for JSON
 * syntax, the key path otherwise) in @err.
 */
struct sweep *sweep__load(const char *path, const char *out, char *err, size_t errlen);
void sweep__free(struct sweep *sw);

size_t sweep__nr_tasks(const struct sweep *sw);
size_t sweep__nr_traces(const struct sweep *sw);
size_t sweep__nr_settings(const struct sweep *sw); /* tasks per trace */
size_t sweep__chunk(const struct sweep *sw);       /* tasks per array element */
const char *sweep__manifest(const struct sweep *sw); /* its absolute path */
const char *sweep__hash(const struct sweep *sw);     /* sha256 of the manifest's bytes */
const char *sweep__out(const struct sweep *sw);      /* the output directory */
const char *sweep__trace(const struct sweep *sw, size_t t);

struct sweep_task {
	size_t index, trace, setting;
	unsigned int replica;
	const struct replay_variant *v; /* the preset and every knob the task sets */
	char settings[512];             /* replay_variant_describe() of it */
};
void sweep__task(const struct sweep *sw, size_t index, struct sweep_task *t);

struct sweep_progress {
	size_t total;   /* the tasks asked for */
	size_t done;    /* run now, successfully */
	size_t skipped; /* a valid result was there already */
	size_t failed;
	double elapsed_s;
	const char *error; /* a unit of tasks just failed: why (names the trace); else NULL */
};
/* after each unit of tasks (a session), under the sweep's lock */
typedef void (*sweep_progress_fn)(void *ctx, const struct sweep_progress *p);

/**
 * sweep__run - run tasks @first .. @first+@count-1 (clipped to the sweep) on
 * @jobs threads, skipping those whose valid result exists: same tool
 * version, manifest hash, index and trace hash
 *
 * Writes OUT/plan.json if missing and OUT/results/task-NNNNNN.json per task.
 * Returns 0 when every task has its result, -EIO when some failed (said
 * through @progress), -EEXIST when OUT holds another manifest's plan, or
 * another negative errno with @err set.
 */
int sweep__run(struct sweep *sw, size_t first, size_t count, unsigned int jobs,
	       sweep_progress_fn progress, void *ctx, struct sweep_progress *st, char *err,
	       size_t errlen);

/* OUT/plan.json: the manifest's hash and path and the task table, for merge;
 * written once (kept when it is this manifest's), -EEXIST when another's */
int sweep__write_plan(const struct sweep *sw, char *err, size_t errlen);

enum sweep_backend { SWEEP_SLURM, SWEEP_PARALLEL };
struct sweep_emit_opts {
	enum sweep_backend backend;
	const char *fragreplay;   /* the binary the script runs (absolute) */
	unsigned int max_parallel; /* Slurm's %P, parallel's -j */
	const char *sshloginfile; /* parallel --sshloginfile, or NULL */
};
/**
 * sweep__emit - write the submit script into OUT (submit-slurm.sh or
 * run-parallel.sh, mode 0755) and OUT/plan.json; its path in @script
 */
int sweep__emit(const struct sweep *sw, const struct sweep_emit_opts *o, char *script,
		size_t scriptlen, char *err, size_t errlen);

struct sweep_merge_result {
	size_t tasks, missing;
	char missing_list[1024]; /* "3-5,9" (cut short with "..." when long) */
};
/**
 * sweep_merge - check that every task of OUT/plan.json has its result, with
 * the plan's manifest hash and task, and one hash per trace; then write
 * OUT/summary.json, summary.csv and summary.md
 *
 * 0; -ENOENT with @r->missing set when results are missing (nothing
 * written); -EBADMSG when a result does not match (@err names it).
 */
int sweep_merge(const char *dir, struct sweep_merge_result *r, char *err, size_t errlen);

#endif
