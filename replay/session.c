// SPDX-License-Identifier: MIT
/*
 * session.c - a replay session (session.h): one decoder on the calling
 * thread, and each variant's model built and fed on a thread of its own
 * (pipe.h), so the variants of a compare go side by side.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notes.h"
#include "pipe.h"
#include "session_internal.h"
#include "trace.h"

#define SERIES_CAP 4096 /* samples kept per run; past it, every other goes */
#define NOTE_EMPTY                                                                      \
	"the trace has no start snapshot: the model started with all memory free, "     \
	"not in the host's state, and frees of pages allocated before the trace are "  \
	"unmatched; early results are not meaningful"

_Static_assert(REPLAY_SESSION_MAX_VARIANTS <= PIPE_MAX_CONSUMERS,
	       "one pipe consumer per variant");

/*
 * Whether the trace can tell a direct compaction's runs from runs user space
 * asked for: mm_compaction_try_to_compact_pages among the tracepoints record
 * attached (engine.h, replay_follow_manual_compaction(), which also needs
 * each event's task: format 1.1).
 */
static bool records_direct_compaction(const char *meta)
{
	json_t *root = json_loads(meta, 0, NULL), *v;
	bool yes = false;
	size_t i;

	json_array_foreach(json_object_get(root, "events_enabled"), i, v)
		if (json_is_string(v) &&
		    !strcmp(json_string_value(v), "compaction:mm_compaction_try_to_compact_pages"))
			yes = true;
	json_decref(root);
	return yes;
}

struct replay_session *replay_session__open(const char *path,
					    const struct replay_session_opts *opts, char *err,
					    size_t errlen)
{
	struct replay_session *s = calloc(1, sizeof(*s));
	int saved;

	snprintf(err, errlen, "%s", strerror(ENOMEM)); /* unless the reader says otherwise */
	if (!s || !(s->path = strdup(path)))
		goto cleanup;
	if (opts)
		s->opts = *opts;
	if (!s->opts.interval_ns)
		s->opts.interval_ns = 1000000000ull;
	s->rd = frt_reader_open(path, err, errlen);
	if (s->rd && (s->meta = strdup(frt_reader_meta(s->rd))))
		s->direct_compaction_recorded = records_direct_compaction(s->meta);
	if (!s->rd || !s->meta)
		goto cleanup;
	if (s->opts.fidelity && !(s->kernel = fidelity_kernel_new()))
		goto cleanup;
	return s;
cleanup:
	saved = errno;
	replay_session__free(s);
	errno = saved;
	return NULL;
}

int replay_session__add_variant(struct replay_session *s, const struct replay_variant *v)
{
	struct session_run *run;

	if (s->ran)
		return -EALREADY;
	if (s->nr_runs == REPLAY_SESSION_MAX_VARIANTS)
		return -E2BIG;
	run = calloc(1, sizeof(*run));
	if (!run)
		return -ENOMEM;
	run->s = s;
	if (v)
		run->v = *v;
	run->as_recorded = !v || v->as_recorded;
	replay_variant_describe(&run->v, run->settings, sizeof(run->settings));
	s->runs[s->nr_runs++] = run;
	return 0;
}

/* errno as a return value, never 0 */

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

/* the variant a run's model is built under; NULL: the trace's own settings */
static const struct replay_variant *variant_of(const struct session_run *run)
{
	return run->as_recorded && !run->v.nr_sets ? NULL : &run->v;
}

/* a clone of the shared build for one run, on a thread of its own */
struct clone_job {
	const struct model *base;
	const struct replay_seed_stats *seed; /* the shared build's */
	struct session_run *run;
	struct model *m;
	pthread_t t;
	bool started;
};

/*
 * The knobs @run's model would be built with: the trace's as a build from it
 * recorded them in @seed (the metadata's, then the start snapshot's sysctls),
 * then the run's variant, as replay_model_from_trace() applies it.
 */
static void run_knobs(const struct session_run *run, const struct replay_seed_stats *seed,
		      long knobs[MODEL_NR_KNOBS])
{
	struct model_desc d;

	model_desc_init(&d);
	memcpy(d.knobs, seed->recorded_knobs, sizeof(d.knobs));
	if (variant_of(run))
		replay_variant_apply(variant_of(run), &d);
	memcpy(knobs, d.knobs, sizeof(d.knobs));
}

static void *clone_one(void *arg)
{
	struct clone_job *job = arg;
	long knobs[MODEL_NR_KNOBS];

	run_knobs(job->run, job->seed, knobs);
	job->m = model_clone(job->base, knobs);
	return NULL;
}

/*
 * The variants' shared prefix. Three variants or more, which differ only in
 * knobs the model reads through its knob() gate (model_share()): run 0 (the
 * leader) stands for all of them until its model parts, at the event in
 * which some variant would first decide otherwise. Run 1 (the follower)
 * runs beside it, a batch behind; where the leader parted it stops before
 * that event, and every other run (waiting until then) gets a copy of its
 * model, engine and series (model_clone(), replay_clone()), which then goes
 * on with the rest of the events. So a compare of N variants feeds 2 models
 * until they part instead of N. Never parted: the copies are made after the
 * last event. The reports are what each run alone gives (test_replay_session's
 * shared_prefix_as_alone() checks them against FRAGREPLAY_SHARE=0, which
 * turns this off).
 */
struct session_share {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t decided;  /* events the leader fed */
	uint64_t part_at;  /* the event in which it parted; UINT64_MAX: not (yet) */
	bool copied;       /* the waiting runs have their copies (or their err says why not) */
	bool failed;       /* a run's setup failed: nobody waits any more */
};

/* share the prefix for these runs? Then @base (runs[0]'s model) leads */
static struct session_share *share_prefix(struct replay_session *s, struct model *base,
					  const struct replay_seed_stats *seed)
{
	long knobs[REPLAY_SESSION_MAX_VARIANTS][MODEL_NR_KNOBS];
	const char *env = getenv("FRAGREPLAY_SHARE");
	struct session_share *sh;

	if (s->nr_runs < 3 || s->opts.fidelity || (env && !strcmp(env, "0")))
		return NULL;
	for (int i = 0; i < s->nr_runs; i++)
		run_knobs(s->runs[i], seed, knobs[i]);
	if (model_share(base, (const long (*)[MODEL_NR_KNOBS])knobs, s->nr_runs) ||
	    !(sh = calloc(1, sizeof(*sh))))
		return NULL;
	pthread_mutex_init(&sh->mu, NULL);
	pthread_cond_init(&sh->cv, NULL);
	sh->part_at = UINT64_MAX;
	for (int i = 2; i < s->nr_runs; i++)
		s->runs[i]->waiting = true;
	return sh;
}

/*
 * Threads for the consumers: one each (0), unless the prefix is shared. Then
 * the waiting runs sleep until the part, and a thread of their own would wake
 * for every batch only to pass it on (29,000 context switches against 2,500
 * on the largest sample): at most as many as there are CPUs, at least 2 (the
 * leader and the follower side by side).
 */
static int share_threads(const struct replay_session *s)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (!s->share || cpus >= s->nr_runs)
		return 0;
	return cpus > 2 ? (int)cpus : 2;
}

static void share_free(struct session_share *sh)
{
	if (!sh)
		return;
	pthread_mutex_destroy(&sh->mu);
	pthread_cond_destroy(&sh->cv);
	free(sh);
}

/*
 * Two variants or more: the model is built from the start snapshot once,
 * here, and copied for each (model_clone()), instead of each run decoding
 * and seeding the snapshot on its own thread. A variant whose knobs the
 * build reads differ from the first's (pageblock_order, min_free_kbytes, ...)
 * builds its own as before; so does every run when this build fails, which
 * then reports why. The copies are made side by side on threads of their
 * own (each a ~100 MB memcpy and its page faults on the largest sample),
 * while this thread walks the start map the engines of the copies share
 * (replay_proto()); all of them only read the first model.
 */
static void share_build(struct replay_session *s)
{
	struct session_run *first = s->runs[0];
	struct clone_job job[REPLAY_SESSION_MAX_VARIANTS];
	struct replay_seed_stats seed;
	struct pbmap map = { 0 };
	struct frt_reader *rd;
	struct model *base;
	char err[512];

	if (s->nr_runs < 2 || !(rd = frt_reader_open(s->path, err, sizeof(err))))
		return;
	base = replay_model_from_trace(rd, variant_of(first), &seed, err, sizeof(err));
	frt_reader_free(rd);
	if (!base || (s->opts.maps && pbmap_capture(&map, base))) {
		model_free_all(base);
		return;
	}
	/* the metrics' per-pageblock summaries, taken once and copied with the model */
	struct model_frag_metrics fm;
	model_metrics(base, -1, &fm);
	s->share = share_prefix(s, base, &seed);
	for (int i = 1; i < s->nr_runs; i++) {
		job[i] = (struct clone_job){ .base = base, .seed = &seed, .run = s->runs[i] };
		if (!s->runs[i]->waiting) /* a waiting run's model is the follower's, later */
			job[i].started = !pthread_create(&job[i].t, NULL, clone_one, &job[i]);
	}
	s->proto = replay_proto(base); /* NULL: each engine walks its own */
	for (int i = 1; i < s->nr_runs; i++) {
		if (job[i].started)
			pthread_join(job[i].t, NULL);
		else if (!s->runs[i]->waiting) /* no thread: here */
			clone_one(&job[i]);
	}
	for (int i = 1; i < s->nr_runs; i++) {
		struct session_run *run = s->runs[i];

		if (!(run->m = job[i].m) && !run->waiting)
			continue;
		run->seed = seed;
		run->cloned = true;
		if (!s->opts.maps)
			continue;
		if (!(run->map_start.pb = malloc(map.n))) {
			model_free_all(run->m);
			run->m = NULL;
			run->cloned = false;
			run->waiting = false; /* builds its own, in build_run() */
			continue;
		}
		memcpy(run->map_start.pb, map.pb, map.n);
		run->map_start.n = map.n;
		run->map_start.start_pfn = map.start_pfn;
		run->map_start.order = map.order;
	}
	first->m = base;
	first->seed = seed;
	first->map_start = map;
	first->cloned = true;
}

/* the trace's own settings are the preset its recorded defrag_mode names */
static void label_as_recorded(struct session_run *run)
{
	if (!run->as_recorded)
		return;
	run->v.preset = model_knob(run->m, MODEL_KNOB_DEFRAG_MODE) ? "defrag_mode" : "vanilla";
	replay_variant_describe(&run->v, run->settings, sizeof(run->settings));
}

/* on the run's own thread: the model from the trace's metadata and start
 * snapshot, unless share_build() gave it one */
static int build_run(void *ctx)
{
	struct session_run *run = ctx;
	const struct replay_session *s = run->s;
	struct frt_reader *rd;
	int ret;

	if (run->waiting) /* its model, engine and series come as copies (share_prefix()) */
		return 0;
	if (!(rd = frt_reader_open(s->path, run->err, sizeof(run->err))))
		return neg_errno();
	if (!run->m) /* not cloned from a shared build (share_build()) */
		run->m = replay_model_from_trace(rd, variant_of(run), &run->seed, run->err,
						 sizeof(run->err));
	frt_reader_free(rd);
	if (!run->m) {
		char why[sizeof(run->err)];
		snprintf(why, sizeof(why), "%s", run->err);
		snprintf(run->err, sizeof(run->err), "%.200s: %.300s", s->path, why);
		return -EINVAL;
	}
	label_as_recorded(run);
	if (s->opts.fidelity && !(run->fid = fidelity_model_new(&run->seed)))
		goto fail;
	if (s->opts.maps && !run->map_start.n && pbmap_capture(&run->map_start, run->m)) {
		errno = ENOMEM;
		goto fail;
	}
	/* a copy of the shared build starts with the shared build's start map */
	run->r = replay_new_like(run->cloned ? s->proto : NULL, run->m, run->seed.snapshot_ts,
				 run->fid ? fidelity_model_event : NULL, run->fid);
	if (!run->r || replay_series_init(&run->series, run->seed.snapshot_ts,
					  s->opts.interval_ns, SERIES_CAP))
		goto fail;
	replay_follow_manual_compaction(run->r, s->direct_compaction_recorded);
	replay_set_unplug(run->r, run->seed.unplug_range, run->seed.nr_unplug);
	/* the walks' events each snapshot shows or not (traces of format 1.2) */
	struct walk_times start, end = { 0 };
	char why[sizeof(run->err) / 2];
	ret = walk_times_read(s->path, "start", &start, why, sizeof(why));
	if (!ret)
		ret = walk_times_read(s->path, "end", &end, why, sizeof(why));
	if (ret) {
		walk_times_free(&start);
		snprintf(run->err, sizeof(run->err), "%.200s: %s", s->path, why);
		return ret;
	}
	/* the end walk's first read: its /proc/vmstat was read just before */
	if (run->fid && end.nr)
		fidelity_model_set_vmstat_end(run->fid, end.first_ts);
	replay_set_walk_times(run->r, &start, &end);
	return 0;
fail: /* ENOMEM, or EFBIG from replay_new() */
	ret = neg_errno();
	snprintf(run->err, sizeof(run->err), "%s", strerror(-ret));
	return ret;
}

/*
 * What the kernel's free-page curve (start snapshot + frees - allocations)
 * must leave out or add, as the engine found it (fidelity.h): a migration's
 * source is not freed memory; a free no recorded allocation covers was
 * allocated unseen before it (its + alone would count memory twice); an
 * allocation of a block the engine held allocated took memory freed unseen
 * (a pcp page of the start snapshot, which writes it allocated, or a lost
 * free), so the - alone would count it away twice.
 */
static int64_t curve_fix(const struct replay_stats *st)
{
	/* the frees no recorded allocation covers and no zone growth explains
	 * (engine.c free_recorded()) */
	uint64_t unallocated = st->compaction_released_pages + st->untraced_alloc_free_pages +
			       st->unmatched_free_pages;

	return (int64_t)st->unseen_free_pages - (int64_t)unallocated -
	       (int64_t)(st->migration_source_pages + st->unpaired_source_pages);
}

static void feed_run(void *ctx, const struct frt_event *ev, size_t n)
{
	struct session_run *run = ctx;

	if (!run->fid) { /* the loop below without its fidelity checks */
		for (size_t i = 0; i < n; i++) {
			replay_feed(run->r, &ev[i]);
			replay_series_tick(&run->series, run->r, run->m, ev[i].ts);
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct replay_stats *st = replay_stats(run->r);
		int64_t fix = curve_fix(st);

		/* the kernel's free pages from the start snapshot on: an event a
		 * snapshot already shows (or the end one lacks) is not counted */
		fidelity_model_track(run->fid, run->m, &ev[i], replay_walk_shows(run->r, &ev[i]));
		replay_feed(run->r, &ev[i]);
		fidelity_model_adjust(run->fid, curve_fix(st) - fix);
		replay_series_tick(&run->series, run->r, run->m, ev[i].ts);
	}
}

/* ---- the shared prefix's three kinds of run (share_prefix()) ---- */

static void end_run(void *ctx);

static void share_fail(struct session_share *sh)
{
	pthread_mutex_lock(&sh->mu);
	sh->failed = true;
	pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->mu);
}

static int build_shared(void *ctx)
{
	struct session_run *run = ctx;
	int ret = build_run(ctx);

	if (ret)
		share_fail(run->s->share);
	return ret;
}

/* runs[0]: feeds every event, and says up to where all variants agree */
static void feed_lead(void *ctx, const struct frt_event *ev, size_t n)
{
	struct session_run *run = ctx;
	struct session_share *sh = run->s->share;
	uint64_t part_at = UINT64_MAX;

	if (model_parted(run->m)) { /* in an earlier batch, which said where */
		feed_run(run, ev, n);
		run->fed += n;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		replay_feed(run->r, &ev[i]);
		replay_series_tick(&run->series, run->r, run->m, ev[i].ts);
		if (part_at == UINT64_MAX && model_parted(run->m))
			part_at = run->fed + i;
	}
	run->fed += n;
	pthread_mutex_lock(&sh->mu);
	sh->decided = run->fed;
	sh->part_at = part_at;
	pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->mu);
}

/* a waiting run's copy of the follower's model, engine and series */
struct copy_job {
	const struct session_run *from;
	struct session_run *to;
	pthread_t t;
	bool started;
};

static void *copy_one(void *arg)
{
	struct copy_job *job = arg;
	const struct session_run *run = job->from;
	struct session_run *w = job->to;
	long knobs[MODEL_NR_KNOBS];

	w->seed = run->seed;
	errno = 0;
	run_knobs(w, &run->seed, knobs);
	if (!(w->m = model_clone(run->m, knobs)) ||
	    !(w->r = replay_clone(run->r, w->m, NULL, NULL)) ||
	    replay_series_copy(&w->series, &run->series)) {
		int e = errno ? errno : EINVAL;

		replay_free(w->r);
		model_free_all(w->m);
		w->r = NULL, w->m = NULL;
		if (e == ENOMEM)
			snprintf(w->err, sizeof(w->err), "%.300s: out of memory for a copy of the "
				 "replay's model (%.100s); replay fewer variants at once",
				 run->s->path, w->settings);
		else /* a bug: say it, and how to go around it */
			snprintf(w->err, sizeof(w->err), "%.300s: cannot copy the shared model for "
				 "%.100s: %s (FRAGREPLAY_SHARE=0 runs each variant alone)",
				 run->s->path, w->settings, strerror(e));
		return NULL;
	}
	label_as_recorded(w);
	return NULL;
}

/*
 * The waiting runs' copies of @run, the follower, between two events: side
 * by side, each but the last on a thread of its own (not the pipe's: a
 * waiting run may share the follower's), while @run waits.
 */
static void share_copy(struct session_run *run)
{
	const struct replay_session *s = run->s;
	struct session_share *sh = s->share;
	struct copy_job job[REPLAY_SESSION_MAX_VARIANTS];
	int nr = 0;

	for (int i = 2; i < s->nr_runs; i++)
		if (s->runs[i]->waiting)
			job[nr++] = (struct copy_job){ .from = run, .to = s->runs[i] };
	for (int j = 0; j < nr - 1; j++)
		job[j].started = !pthread_create(&job[j].t, NULL, copy_one, &job[j]);
	for (int j = nr - 1; j >= 0; j--) {
		if (job[j].started)
			pthread_join(job[j].t, NULL);
		else /* the last, or no thread */
			copy_one(&job[j]);
	}
	pthread_mutex_lock(&sh->mu);
	sh->copied = true;
	pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->mu);
}

/* runs[1]: a batch behind the leader; the others' copies are made of it */
static void feed_follow(void *ctx, const struct frt_event *ev, size_t n)
{
	struct session_run *run = ctx;
	struct session_share *sh = run->s->share;
	uint64_t base = run->fed, part_at = UINT64_MAX;

	if (!sh->copied) { /* written by this thread only */
		pthread_mutex_lock(&sh->mu);
		while (sh->decided < base + n && !sh->failed)
			pthread_cond_wait(&sh->cv, &sh->mu);
		part_at = sh->part_at;
		pthread_mutex_unlock(&sh->mu);
	}
	if (part_at < base + n) {
		size_t k = (size_t)(part_at - base);

		feed_run(run, ev, k);
		run->fed = part_at;
		share_copy(run);
		feed_run(run, ev + k, n - k);
	} else {
		feed_run(run, ev, n);
	}
	run->fed = base + n;
}

static void end_follow(void *ctx)
{
	struct session_run *run = ctx;

	if (!run->s->share->copied) /* never parted: the copies take the end state */
		share_copy(run);
	end_run(run);
}

/* runs[2...]: nothing until the follower's copies, then the events after the part */
static void feed_wait(void *ctx, const struct frt_event *ev, size_t n)
{
	struct session_run *run = ctx;
	struct session_share *sh = run->s->share;
	uint64_t base = run->fed, part_at;

	if (!run->waiting) {
		if (run->r) /* else no memory for its copy: its err says so */
			feed_run(run, ev, n);
		return;
	}
	run->fed += n;
	pthread_mutex_lock(&sh->mu);
	/* until the copies exist, or this batch is known to be in the prefix */
	while (!sh->copied && !sh->failed && !(sh->decided >= base + n && sh->part_at >= base + n))
		pthread_cond_wait(&sh->cv, &sh->mu);
	part_at = sh->part_at;
	bool copied = sh->copied;
	pthread_mutex_unlock(&sh->mu);
	if (!copied || base + n <= part_at)
		return;
	run->waiting = false;
	if (!run->r) /* no memory for the copy: its err says so */
		return;
	size_t k = part_at > base ? (size_t)(part_at - base) : 0;
	feed_run(run, ev + k, n - k);
}

static void end_wait(void *ctx)
{
	struct session_run *run = ctx;
	struct session_share *sh = run->s->share;

	pthread_mutex_lock(&sh->mu);
	while (!sh->copied && !sh->failed)
		pthread_cond_wait(&sh->cv, &sh->mu);
	pthread_mutex_unlock(&sh->mu);
	run->waiting = false;
	if (run->r)
		end_run(run);
}

/* the figures at the end of the trace */
static void end_run(void *ctx)
{
	struct session_run *run = ctx;
	uint64_t last = replay_stats(run->r)->last_ts;

	model_metrics(run->m, -1, &run->end);
	for (unsigned int z = 0; z < model_nr_zones(run->m); z++)
		model_metrics(run->m, (int)z, &run->end_zone[z]);
	replay_series_end(&run->series, run->r, run->m, last ? last : run->seed.snapshot_ts);
	if (run->s->opts.maps) /* on ENOMEM empty: the report says there is no map */
		pbmap_capture(&run->map_end, run->m);
	if (run->fid)
		fidelity_model_end(run->fid, run->m, run->r);
}

static void free_run(struct session_run *run)
{
	if (!run)
		return;
	replay_series_free(&run->series);
	pbmap_free(&run->map_start);
	pbmap_free(&run->map_end);
	replay_free(run->r);
	model_free_all(run->m);
	fidelity_model_free(run->fid);
	free(run);
}

/* @line appended to the session's error, a line of its own */
static void add_error(struct replay_session *s, const char *line)
{
	size_t n = strlen(s->err);

	snprintf(s->err + n, sizeof(s->err) - n, "%s%s", n ? "\n" : "", line);
}

static void on_progress(void *ctx, const struct frt_reader *rd, size_t events)
{
	struct replay_session *s = ctx;

	if (s->progress)
		s->progress(s->progress_ctx, rd, events);
}

/* validate's: the kernel side reads the snapshots' and STATS frames as they pass */
static void on_frame(void *ctx, const struct frt_frame_info *fi, const char *payload,
		     uint32_t len)
{
	struct replay_session *s = ctx;

	fidelity_kernel_frame(s->kernel, fi, payload, len);
}

/* did a run before @i fail with the same message? */
static bool said_before(const struct pipe_consumer *c, struct session_run *const *runs, int i)
{
	for (int j = 0; j < i; j++)
		if (c[j].setup_ret && !strcmp(runs[j]->err, runs[i]->err))
			return true;
	return false;
}

/* the trace's hash for the reports, on a thread beside the replay's */
static void *hash_trace(void *arg)
{
	struct replay_session *s = arg;

	s->hash_ret = sha256_file_hex(s->path, s->hash);
	return NULL;
}

int session_trace_sha256(const struct replay_session *s, char hex[SHA256_HEX_LEN])
{
	if (!s->hashed)
		return sha256_file_hex(s->path, hex);
	if (!s->hash_ret)
		memcpy(hex, s->hash, SHA256_HEX_LEN);
	return s->hash_ret;
}

int replay_session__run(struct replay_session *s, replay_progress_fn progress, void *ctx)
{
	pthread_t hasher;
	bool hashing;
	struct pipe_consumer c[REPLAY_SESSION_MAX_VARIANTS];
	struct session_run *const *runs = s->runs;
	int nr = s->nr_runs, ret, read_ret;

	s->err[0] = 0;
	if (s->ran || !nr) {
		add_error(s, s->ran ? "the session has run already" : "no variant to replay");
		return s->ran ? -EALREADY : -EINVAL;
	}
	s->ran = true;
	s->progress = progress;
	s->progress_ctx = ctx;
	/* a pass over the file, ~30 ms on the largest sample: beside the models, not after them */
	hashing = !pthread_create(&hasher, NULL, hash_trace, s);
	share_build(s);
	for (int i = 0; i < nr; i++)
		c[i] = (struct pipe_consumer){ .setup = build_run, .feed = feed_run, .end = end_run,
					       .ctx = runs[i] };
	if (s->share) { /* share_prefix(): a leader, a follower, the others waiting */
		for (int i = 0; i < nr; i++)
			c[i].setup = build_shared;
		c[0].feed = feed_lead;
		c[1].feed = feed_follow;
		c[1].end = end_follow;
		for (int i = 2; i < nr; i++)
			c[i].feed = feed_wait, c[i].end = end_wait;
	}
	ret = pipe_run_threads(share_threads(s), s->rd, c, nr, on_progress,
			       s->kernel ? on_frame : NULL, s, &read_ret);
	replay_free(s->proto); /* every engine has its copy */
	s->proto = NULL;
	if (hashing) /* else the reports hash it themselves */
		s->hashed = !pthread_join(hasher, NULL);
	for (int i = 0; !ret && i < nr; i++) {
		if (!runs[i]->r) { /* a waiting run without its copy (share_prefix()) */
			ret = -ENOMEM;
			add_error(s, runs[i]->err);
			goto out;
		}
		if (!(ret = replay_error(runs[i]->r)))
			continue;
		snprintf(runs[i]->err, sizeof(runs[i]->err), "%.300s: out of memory for the replay's "
			 "block maps (%.100s); replay fewer variants at once", s->path,
			 runs[i]->settings);
		add_error(s, runs[i]->err);
		goto out;
	}
	if (ret) {
		for (int i = 0; i < nr; i++) /* all runs fail alike on a bad trace: once */
			if (c[i].setup_ret && !said_before(c, runs, i))
				add_error(s, runs[i]->err);
		if (ret != -ECANCELED)
			add_error(s, strerror(-ret));
		goto out;
	}
	/* a damaged or cut-off trace: its valid prefix was replayed */
	if (read_ret < 0) /* the reader's message names the file */
		snprintf(s->damaged, sizeof(s->damaged), "%s", frt_reader_error(s->rd));
	else if (frt_reader_status(s->rd) != FRT_READ_OK)
		snprintf(s->damaged, sizeof(s->damaged), "%.400s: no trailer: the trace is truncated",
			 s->path);
	if (s->kernel && (ret = fidelity_kernel_end(s->kernel)))
		add_error(s, strerror(-ret));
	s->ok = !ret;
out:
	s->valid_bytes = frt_reader_valid_bytes(s->rd);
	s->rec_notes = json_array();
	replay_recording_notes(s->rec_notes, frt_reader_stats(s->rd));
	frt_reader_free(s->rd);
	s->rd = NULL;
	return ret;
}

const char *replay_session__error(const struct replay_session *s)
{
	return s->err;
}

const char *replay_session__damage(const struct replay_session *s)
{
	return s->damaged[0] ? s->damaged : NULL;
}

int64_t replay_session__shared_events(const struct replay_session *s, uint64_t *of)
{
	if (!s->share || !s->ok)
		return -1;
	if (of)
		*of = s->runs[0]->fed;
	return s->share->part_at == UINT64_MAX ? (int64_t)s->share->decided
					       : (int64_t)s->share->part_at;
}

uint64_t replay_session__valid_bytes(const struct replay_session *s)
{
	return s->valid_bytes;
}

unsigned int replay_session__nr_notes(const struct replay_session *s)
{
	json_t *notes = session_notes(s);
	unsigned int n = (unsigned int)json_array_size(notes);

	json_decref(notes);
	return n;
}

json_t *session_trace_notes(const struct replay_session *s)
{
	json_t *notes = json_array();

	if (s->runs[0]->seed.empty_start)
		json_array_append_new(notes, json_string(NOTE_EMPTY));
	if (s->damaged[0])
		json_array_append_new(notes, json_sprintf("the trace is damaged (%s): only its valid "
							  "prefix was replayed", s->damaged));
	json_array_extend(notes, s->rec_notes);
	if (s->ok) { /* else no run to speak of */
		replay_trace_notes(notes, &s->runs[0]->seed, s->meta);
		replay_start_gap_note(notes, &s->runs[0]->seed, replay_stats(s->runs[0]->r));
	}
	if (s->ok && s->kernel) /* validate */
		fidelity_notes(notes, s->kernel, s->runs[0]->fid, replay_stats(s->runs[0]->r));
	return notes;
}

json_t *session_notes(const struct replay_session *s)
{
	json_t *notes = session_trace_notes(s);

	if (!s->ok)
		return notes;
	for (int i = 0; i < s->nr_runs; i++) {
		const struct session_run *run = s->runs[i];
		char label[sizeof(run->settings) + 8];

		if (s->nr_runs > 1)
			snprintf(label, sizeof(label), "%c (%s)", 'A' + i,
				 run->settings);
		else
			snprintf(label, sizeof(label), "%s", run->settings);
		replay_run_notes(notes, label, replay_stats(run->r));
	}
	return notes;
}

void replay_session__free(struct replay_session *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nr_runs; i++)
		free_run(s->runs[i]);
	replay_free(s->proto);
	share_free(s->share);
	fidelity_kernel_free(s->kernel);
	json_decref(s->rec_notes);
	frt_reader_free(s->rd);
	free(s->meta);
	free(s->path);
	free(s);
}
