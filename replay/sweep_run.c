// SPDX-License-Identifier: MIT
/*
 * sweep_run.c - running a sweep's tasks (sweep.h): the tasks without a valid
 * result, grouped into units of one trace and up to
 * REPLAY_SESSION_MAX_VARIANTS settings, each unit one replay session (one
 * decode for all its variants), the units shared out to -j threads; one
 * result file per task, written atomically with its provenance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "notes.h"
#include "session_internal.h"
#include "sweep_internal.h"

struct unit {
	size_t trace, n;
	size_t idx[REPLAY_SESSION_MAX_VARIANTS];
};

struct runner {
	const struct sweep *sw;
	char (*trace_hash)[SHA256_HEX_LEN]; /* "" when the trace cannot be read */
	struct unit *units;
	size_t nr_units, next;
	pthread_mutex_t lock;
	sweep_progress_fn fn;
	void *ctx;
	struct sweep_progress p;
	double t0;
	char host[256];
};

static double wall(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* a result of this tool, manifest, task and trace content: rerunning would give the same */
static bool result_valid(const struct sweep *sw, size_t index, const char *trace_hash)
{
	char path[PATH_MAX + 64];
	json_t *r;
	bool ok;

	sweep_result_path(sw->out, index, path, sizeof(path));
	if (!(r = json_load_file(path, 0, NULL)))
		return false;
	const char *v = json_string_value(json_object_get(r, "fragreplay")),
		   *mh = json_string_value(json_object_get(r, "manifest_hash")),
		   *th = json_string_value(json_object_get(r, "trace_hash"));
	ok = v && !strcmp(v, FRAGREPLAY_VERSION) && mh && !strcmp(mh, sw->hash) && th &&
	     !strcmp(th, trace_hash) &&
	     json_integer_value(json_object_get(r, "index")) == (json_int_t)index &&
	     json_is_object(json_object_get(r, "figures"));
	json_decref(r);
	return ok;
}

static json_t *figures_json(const struct session_run *run)
{
	json_t *o = json_object();

	for (size_t k = 0; k < session_nr_figures; k++) {
		const struct session_figure *fig = &session_figures[k];
		uint64_t v = fig->get(run);
		json_object_set_new(o, fig->key, fig->signed_index
				    ? json_integer((json_int_t)(int64_t)v) : json_integer((json_int_t)v));
	}
	return o;
}

static int write_result(struct runner *rn, const struct replay_session *s, int i, size_t index,
			double elapsed)
{
	const struct session_run *run = s->runs[i];
	const struct sweep *sw = rn->sw;
	json_t *knobs = json_object(), *notes = session_trace_notes(s);
	const struct model_knob_spec *ks;
	char path[PATH_MAX + 64];
	int ret;

	for (int k = 0; (ks = model_knob_spec((enum model_knob)k)); k++) /* as the model ran */
		json_object_set_new(knobs, ks->name, json_integer(model_knob(run->m, (enum model_knob)k)));
	replay_run_notes(notes, run->settings, replay_stats(run->r));
	json_t *r = json_pack("{s:s,s:s,s:I,s:o,s:s,s:o,s:o,s:o,s:o,s:f,s:I,s:s}",
		"fragreplay", FRAGREPLAY_VERSION, "manifest_hash", sw->hash,
		"index", (json_int_t)index, "task", sweep_task_json(sw, index),
		"trace_hash", rn->trace_hash[index / sw->nr_settings], "knobs", knobs,
		"figures", figures_json(run), "notes", notes,
		"damage", s->damaged[0] ? json_string(s->damaged) : json_null(),
		"elapsed_s", elapsed, "session_tasks", (json_int_t)s->nr_runs, "host", rn->host);
	char *text = r ? json_dumps(r, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	json_decref(r);
	if (!text)
		return -ENOMEM;
	sweep_result_path(sw->out, index, path, sizeof(path));
	ret = sweep_write_atomic(path, text, strlen(text), 0644);
	free(text);
	return ret;
}

/* one session: the unit's trace decoded once for all its settings; NULL or why it failed */
static void run_unit(struct runner *rn, const struct unit *u, char *why, size_t len)
{
	const struct sweep *sw = rn->sw;
	const char *trace = sw->traces[u->trace];
	struct replay_session_opts so = { .interval_ns = 1000000000ull };
	struct replay_session *s;
	double t0 = wall();
	int ret = 0;

	why[0] = 0;
	if (!rn->trace_hash[u->trace][0]) {
		snprintf(why, len, "%s: cannot be read", trace);
		return;
	}
	if (!(s = replay_session__open(trace, &so, why, len)))
		return;
	why[0] = 0;
	for (size_t i = 0; i < u->n && !ret; i++)
		ret = replay_session__add_variant(s, &sw->settings[u->idx[i] % sw->nr_settings].v);
	if (!ret && (ret = replay_session__run(s, NULL, NULL))) {
		snprintf(why, len, "%s", replay_session__error(s));
		goto cleanup;
	}
	for (size_t i = 0; i < u->n && !ret; i++)
		if ((ret = write_result(rn, s, (int)i, u->idx[i], wall() - t0))) {
			char path[PATH_MAX + 64];
			sweep_result_path(sw->out, u->idx[i], path, sizeof(path));
			snprintf(why, len, "cannot write %.1500s: %s", path, strerror(-ret));
			goto cleanup;
		}
	if (ret)
		snprintf(why, len, "%s: %s", trace, strerror(-ret));
cleanup:
	replay_session__free(s);
}

static void *worker(void *arg)
{
	struct runner *rn = arg;
	char why[2048];

	for (;;) {
		pthread_mutex_lock(&rn->lock);
		size_t i = rn->next++;
		pthread_mutex_unlock(&rn->lock);
		if (i >= rn->nr_units)
			return NULL;
		run_unit(rn, &rn->units[i], why, sizeof(why));
		pthread_mutex_lock(&rn->lock);
		if (why[0])
			rn->p.failed += rn->units[i].n;
		else
			rn->p.done += rn->units[i].n;
		rn->p.elapsed_s = wall() - rn->t0;
		rn->p.error = why[0] ? why : NULL;
		if (rn->fn)
			rn->fn(rn->ctx, &rn->p);
		rn->p.error = NULL;
		pthread_mutex_unlock(&rn->lock);
	}
}

/* the tasks in [first, end) without a valid result, in units; the others counted skipped */
static int make_units(struct runner *rn, size_t first, size_t end)
{
	const struct sweep *sw = rn->sw;
	struct unit *u = NULL;

	if (!(rn->units = calloc(end - first, sizeof(*rn->units))))
		return -ENOMEM;
	for (size_t i = first; i < end; i++) {
		size_t t = i / sw->nr_settings;
		if (rn->trace_hash[t][0] && result_valid(sw, i, rn->trace_hash[t])) {
			rn->p.skipped++;
			continue;
		}
		if (!u || u->trace != t || u->n == REPLAY_SESSION_MAX_VARIANTS) {
			u = &rn->units[rn->nr_units++];
			u->trace = t;
		}
		u->idx[u->n++] = i;
	}
	return 0;
}

int sweep__run(struct sweep *sw, size_t first, size_t count, unsigned int jobs,
	       sweep_progress_fn progress, void *ctx, struct sweep_progress *st, char *err,
	       size_t errlen)
{
	struct runner rn = { .sw = sw, .fn = progress, .ctx = ctx, .t0 = wall() };
	size_t n = sweep__nr_tasks(sw), end;
	pthread_t *th = NULL;
	unsigned int started = 0;
	int ret;

	err[0] = 0;
	if (first >= n) {
		snprintf(err, errlen, "--index %zu: the sweep has %zu tasks (0..%zu)", first, n, n - 1);
		return -ERANGE;
	}
	end = count > n - first ? n : first + count;
	rn.p.total = end - first;
	if ((ret = sweep__write_plan(sw, err, errlen)))
		return ret;
	gethostname(rn.host, sizeof(rn.host) - 1);
	pthread_mutex_init(&rn.lock, NULL);
	ret = -ENOMEM;
	if (!(rn.trace_hash = calloc(sw->nr_traces, sizeof(*rn.trace_hash))))
		goto cleanup;
	for (size_t t = first / sw->nr_settings; t <= (end - 1) / sw->nr_settings; t++)
		if (sha256_file_hex(sw->traces[t], rn.trace_hash[t]))
			rn.trace_hash[t][0] = 0; /* its tasks fail, saying so */
	if ((ret = make_units(&rn, first, end)))
		goto cleanup;
	if (jobs < 1)
		jobs = 1;
	if (jobs > rn.nr_units)
		jobs = rn.nr_units ? (unsigned int)rn.nr_units : 1;
	if (!(th = calloc(jobs, sizeof(*th)))) {
		ret = -ENOMEM;
		goto cleanup;
	}
	for (started = 0; started < jobs; started++)
		if (pthread_create(&th[started], NULL, worker, &rn))
			break;
	if (!started && rn.nr_units) {
		ret = -EAGAIN;
		snprintf(err, errlen, "cannot start a thread");
		goto cleanup;
	}
	for (unsigned int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	rn.p.elapsed_s = wall() - rn.t0;
	ret = rn.p.failed ? -EIO : 0;
cleanup:
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s", strerror(ENOMEM));
	if (st)
		*st = rn.p;
	free(th);
	free(rn.units);
	free(rn.trace_hash);
	pthread_mutex_destroy(&rn.lock);
	return ret;
}
