// SPDX-License-Identifier: MIT
/*
 * sweep_emit.c - the submit scripts of a sweep (sweep.h): a Slurm job array
 * of chunks plus a merge job that waits for it (afterok), or GNU parallel
 * over the chunks with a job log, then the merge. Both run the very
 * `fragreplay sweep run --index I --count C` a user would, so a chunk that
 * failed or was never run is rerun by running the script again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_internal.h"

/* @s single-quoted for sh, into a new string */
static char *shq(const char *s)
{
	size_t n = 3;
	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	char *q = malloc(n), *o = q;
	if (!q)
		return NULL;
	*o++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = 0;
	return q;
}

/* `fragreplay sweep run M --out OUT` ready for " --index ..." */
static char *run_cmd(const struct sweep *sw, const struct sweep_emit_opts *o,
		     const char *manifest, char **merge)
{
	char *bin = shq(o->fragreplay), *m = shq(manifest), *out = shq(sw->out), *cmd = NULL;

	*merge = NULL;
	if (bin && m && out && asprintf(&cmd, "%s sweep run %s --out %s", bin, m, out) >= 0 &&
	    asprintf(merge, "%s sweep merge %s", bin, out) < 0)
		*merge = NULL;
	if (!*merge) {
		free(cmd);
		cmd = NULL;
	}
	free(bin);
	free(m);
	free(out);
	return cmd;
}

static char *slurm_script(const struct sweep *sw, const struct sweep_emit_opts *o,
			  const char *manifest, const char *run, const char *merge, size_t nr_chunks)
{
	char *s = NULL, *logs = NULL, *qlogs, *wrap = NULL, *qwrap = NULL, *mwrap = NULL,
	     *qmwrap = NULL;

	if (asprintf(&logs, "%s/logs", sw->out) < 0)
		return NULL;
	qlogs = shq(logs);
	/* -j: the CPUs Slurm gave the element (1 unless sbatch was told --cpus-per-task) */
	if (!qlogs || asprintf(&wrap, "exec %s --index $((SLURM_ARRAY_TASK_ID * %zu)) --count %zu "
			       "-j ${SLURM_CPUS_PER_TASK:-1}", run, sw->chunk, sw->chunk) < 0 ||
	    !(qwrap = shq(wrap)) ||
	    asprintf(&mwrap, "exec %s", merge) < 0 || !(qmwrap = shq(mwrap)))
		goto cleanup;
	if (asprintf(&s,
		"#!/bin/sh\n"
		"# fragreplay sweep emit --backend slurm: %zu tasks of %s\n"
		"# (sha256 %.12s) as a job array of %zu chunks of %zu tasks, at most %u at a\n"
		"# time, then a merge job once every chunk has succeeded (afterok).\n"
		"# Run it on a submit host: sh %s/submit-slurm.sh [sbatch options...]\n"
		"# The options (e.g. --partition, --account, --time) go to both jobs; so do\n"
		"# SBATCH_* variables. The nodes must see the traces, the manifest, fragreplay\n"
		"# and the output directory at these paths (README \"Sweeps\").\n"
		"set -e\n"
		"mkdir -p %s\n"
		"array=$(sbatch --parsable --job-name=fragreplay-sweep --array=0-%zu%%%u \\\n"
		"\t--output=%s/task-%%A_%%a.out \"$@\" \\\n"
		"\t--wrap=%s)\n"
		"array=${array%%%%;*}\n"
		"merge=$(sbatch --parsable --job-name=fragreplay-merge --dependency=afterok:$array \\\n"
		"\t--output=%s/merge-%%j.out \"$@\" \\\n"
		"\t--wrap=%s)\n"
		"merge=${merge%%%%;*}\n"
		"echo \"fragreplay sweep: array job $array (%zu chunks), merge job $merge\"\n",
		sweep__nr_tasks(sw), manifest, sw->hash, nr_chunks, sw->chunk, o->max_parallel,
		sw->out, qlogs, nr_chunks - 1, o->max_parallel, qlogs, qwrap, qlogs, qmwrap,
		nr_chunks) < 0)
		s = NULL;
cleanup:
	free(logs);
	free(qlogs);
	free(wrap);
	free(qwrap);
	free(mwrap);
	free(qmwrap);
	return s;
}

static char *parallel_script(const struct sweep *sw, const struct sweep_emit_opts *o,
			     const char *manifest, const char *run, const char *merge,
			     size_t nr_chunks)
{
	char *s = NULL, *cmd = NULL, *qcmd = NULL, *log = NULL, *qlog = NULL, *ssh = NULL;

	/* -j 1: parallel runs P chunks at a time, each a session with a thread per variant */
	if (asprintf(&cmd, "%s --index $(({} * %zu)) --count %zu -j 1", run, sw->chunk,
		     sw->chunk) < 0 ||
	    !(qcmd = shq(cmd)) || asprintf(&log, "%s/parallel.joblog", sw->out) < 0 ||
	    !(qlog = shq(log)))
		goto cleanup;
	if (o->sshloginfile) {
		char *q = shq(o->sshloginfile);
		if (!q || asprintf(&ssh, " --sshloginfile %s", q) < 0)
			ssh = NULL;
		free(q);
		if (!ssh)
			goto cleanup;
	}
	if (asprintf(&s,
		"#!/bin/sh\n"
		"# fragreplay sweep emit --backend parallel: %zu tasks of %s\n"
		"# (sha256 %.12s) as %zu chunks of %zu tasks, %u at a time%s, then the merge.\n"
		"# Rerunning it reruns only the chunks that failed (--resume-failed) and the\n"
		"# tasks without a valid result. With an sshloginfile the hosts must see the\n"
		"# traces, the manifest, fragreplay and the output directory at these paths.\n"
		"set -e\n"
		"seq 0 %zu | parallel --joblog %s --resume-failed -j %u%s \\\n"
		"\t%s\n"
		"exec %s\n",
		sweep__nr_tasks(sw), manifest, sw->hash, nr_chunks, sw->chunk, o->max_parallel,
		ssh ? " per host" : "", nr_chunks - 1, qlog, o->max_parallel, ssh ? ssh : "",
		qcmd, merge) < 0)
		s = NULL;
cleanup:
	free(cmd);
	free(qcmd);
	free(log);
	free(qlog);
	free(ssh);
	return s;
}

int sweep__emit(const struct sweep *sw, const struct sweep_emit_opts *o, char *script,
		size_t scriptlen, char *err, size_t errlen)
{
	size_t nr_chunks = (sweep__nr_tasks(sw) + sw->chunk - 1) / sw->chunk;
	char *merge, *run, *text = NULL;
	int ret;

	if ((ret = sweep__write_plan(sw, err, errlen)))
		return ret;
	char *manifest = realpath(sw->path, NULL); /* it was read: it is there */
	if (!manifest || !(run = run_cmd(sw, o, manifest, &merge))) {
		free(manifest);
		goto nomem;
	}
	text = o->backend == SWEEP_SLURM ? slurm_script(sw, o, manifest, run, merge, nr_chunks)
					 : parallel_script(sw, o, manifest, run, merge, nr_chunks);
	free(manifest);
	free(run);
	free(merge);
	if (!text)
		goto nomem;
	snprintf(script, scriptlen, "%s/%s", sw->out,
		 o->backend == SWEEP_SLURM ? "submit-slurm.sh" : "run-parallel.sh");
	ret = sweep_write_atomic(script, text, strlen(text), 0755);
	free(text);
	if (ret)
		snprintf(err, errlen, "cannot write %s: %s", script, strerror(-ret));
	return ret;
nomem:
	snprintf(err, errlen, "%s", strerror(ENOMEM));
	return -ENOMEM;
}
