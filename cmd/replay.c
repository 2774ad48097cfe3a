// SPDX-License-Identifier: MIT
/*
 * replay.c - fragreplay replay, compare and variants: a trace's request
 * stream through the allocator model under one or two variants, and what
 * came of it, as a text table and JSON.
 */
#include <errno.h>
#include <stddef.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine.h"
#include "main.h"
#include "metrics.h"
#include "pipe.h"
#include "series.h"
#include "setup.h"
#include "trace.h"
#include "variant.h"

struct run {
	struct replay_variant v;
	char settings[512];
	const char *path;
	uint64_t interval_ns;
	struct model *m;
	struct replay *r;
	struct replay_seed_stats seed;
	struct model_frag_metrics end;
	struct model_frag_metrics end_zone[MODEL_NR_ZONE_TYPES];
	struct replay_series series;
	char err[512];
	char damaged[512]; /* the trace's damage, when only its valid prefix was replayed */
};

#define SERIES_CAP 4096
#define NOTE_EMPTY                                                                      \
	"the trace has no start snapshot: the model started with all memory free, "     \
	"not in the host's state, and frees of pages allocated before the trace are "  \
	"unmatched; early results are not meaningful" /* samples kept per run; past it, every other goes */

/* on the run's own thread: the model from the trace's metadata and start snapshot */
static int build_run(void *ctx)
{
	struct run *run = ctx;
	struct frt_reader *rd = frt_reader_open(run->path, run->err, sizeof(run->err));

	if (!rd)
		return -1;
	run->m = replay_model_from_trace(rd, &run->v, &run->seed, run->err, sizeof(run->err));
	frt_reader_free(rd);
	if (!run->m) {
		char why[sizeof(run->err)];
		snprintf(why, sizeof(why), "%s", run->err);
		snprintf(run->err, sizeof(run->err), "%.200s: %.300s", run->path, why);
		return -1;
	}
	run->r = replay_new(run->m, run->seed.snapshot_ts, NULL, NULL);
	if (!run->r || replay_series_init(&run->series, run->seed.snapshot_ts, run->interval_ns,
					  SERIES_CAP)) {
		snprintf(run->err, sizeof(run->err), "%s", strerror(errno));
		return -1;
	}
	return 0;
}

static void feed_run(void *ctx, const struct frt_event *ev, size_t n)
{
	struct run *run = ctx;

	for (size_t i = 0; i < n; i++) {
		replay_feed(run->r, &ev[i]);
		replay_series_tick(&run->series, run->r, run->m, ev[i].ts);
	}
}

static void end_run(void *ctx)
{
	struct run *run = ctx;
	uint64_t last = replay_stats(run->r)->last_ts;

	model_metrics(run->m, -1, &run->end);
	for (unsigned int z = 0; z < model_nr_zones(run->m); z++)
		model_metrics(run->m, (int)z, &run->end_zone[z]);
	replay_series_end(&run->series, run->r, run->m, last ? last : run->seed.snapshot_ts);
}

static void free_run(struct run *run)
{
	replay_series_free(&run->series);
	replay_free(run->r);
	model_free_all(run->m);
}

/*
 * One decoder on this thread; each run builds its model and replays on a
 * thread of its own (replay/pipe.h), so the runs of a compare go side by side.
 */
static int feed_all(const char *cmd, const char *path, struct run *runs, int nr, bool strict,
		    json_t **meta)
{
	char err[512];
	struct frt_reader *rd = frt_reader_open(path, err, sizeof(err));
	struct progress pr;
	struct pipe_consumer c[2];
	int ret, read_ret;

	if (!rd) {
		fprintf(stderr, "fragreplay %s: %s\n", cmd, err);
		return EXIT_FAIL;
	}
	for (int i = 0; i < nr; i++)
		c[i] = (struct pipe_consumer){ .setup = build_run, .feed = feed_run, .end = end_run,
					       .ctx = &runs[i] };
	progress_init(&pr, cmd);
	ret = pipe_run(rd, c, nr, progress_tick, &pr, &read_ret);
	progress_end(&pr);
	if (ret) {
		for (int i = 0; i < nr; i++) /* both runs fail alike on a bad trace: once */
			if (c[i].setup_ret && (!i || !c[0].setup_ret || strcmp(runs[0].err, runs[i].err)))
				fprintf(stderr, "fragreplay %s: %s\n", cmd, runs[i].err);
		if (ret != -ECANCELED)
			fprintf(stderr, "fragreplay %s: %s\n", cmd, strerror(-ret));
		frt_reader_free(rd);
		return EXIT_FAIL;
	}
	/* a damaged or cut-off trace: its valid prefix, said, or nothing with --strict */
	if (read_ret < 0 || frt_reader_status(rd) != FRT_READ_OK) {
		char why[512];

		if (read_ret < 0) /* the reader's message names the file */
			snprintf(why, sizeof(why), "%s", frt_reader_error(rd));
		else
			snprintf(why, sizeof(why), "%.400s: no trailer: the trace is truncated", path);
		if (strict) {
			fprintf(stderr, "fragreplay %s: %s (--strict: no report; without --strict "
				"the valid prefix is replayed)\n", cmd, why);
			frt_reader_free(rd);
			return EXIT_FAIL;
		}
		fprintf(stderr, "fragreplay %s: warning: %s; replayed the valid prefix (%" PRIu64
			" bytes)\n", cmd, why, frt_reader_valid_bytes(rd));
		for (int i = 0; i < nr; i++)
			snprintf(runs[i].damaged, sizeof(runs[i].damaged), "%s", why);
	}
	*meta = json_loads(frt_reader_meta(rd), 0, NULL);
	frt_reader_free(rd);
	return EXIT_OK;
}

/* ---- the report: one row per figure, a column per run ---- */

struct row {
	const char *name;
	uint64_t (*get)(const struct run *);
	bool signed_index; /* an index (x1000) that may be negative */
};

#define ST(f) static uint64_t st_##f(const struct run *r) { return replay_stats(r->r)->f; }
#define CT(c) static uint64_t ct_##c(const struct run *r) { return model_counter(r->m, c); }
#define EN(f) static uint64_t en_##f(const struct run *r) { return r->end.f; }
ST(allocs) ST(model_failed) ST(kernel_failed) ST(kernel_failed_model_ok) ST(unmatched_frees)
ST(partial_frees) ST(unseen_frees) ST(migrate_pairs) ST(model_migrations)
CT(MODEL_THP_FAULT_ALLOC) CT(MODEL_THP_FAULT_FALLBACK) CT(MODEL_EXTFRAG_CLAIM)
CT(MODEL_EXTFRAG_STEAL) CT(MODEL_EXTFRAG_FRAGMENTING) CT(MODEL_COMPACT_STALL)
CT(MODEL_COMPACT_SUCCESS) CT(MODEL_COMPACT_FAIL) CT(MODEL_COMPACT_DAEMON_WAKE)
CT(MODEL_PGMIGRATE_SUCCESS) CT(MODEL_COMPACT_CAPTURE) CT(MODEL_WMARK_BOOSTS)
CT(MODEL_EVACUATE_QUEUED) CT(MODEL_EVACUATE_DROPPED) CT(MODEL_EVACUATE_SKIPPED)
CT(MODEL_EVACUATE_MIGRATED) CT(MODEL_EVACUATE_FAILED) CT(MODEL_COMPACT_PROMOTED)
CT(MODEL_COMPACT_PROMOTED_SUCCESS)
EN(free_pages) EN(free_pageblocks) EN(mixed_pageblocks) EN(tainted_pageblocks)
EN(tainted_ranges_1g) EN(free_ranges_1g) EN(ranges_1g)
static uint64_t en_pb_unmovable(const struct run *r) { return r->end.pageblocks_mt[MODEL_MT_UNMOVABLE]; }
static uint64_t en_pb_movable(const struct run *r) { return r->end.pageblocks_mt[MODEL_MT_MOVABLE]; }
static uint64_t en_pb_reclaimable(const struct run *r) { return r->end.pageblocks_mt[MODEL_MT_RECLAIMABLE]; }
static uint64_t en_unusable9(const struct run *r) { return (uint64_t)(int64_t)r->end.unusable_index[9]; }
static uint64_t en_frag9(const struct run *r) { return (uint64_t)(int64_t)r->end.frag_index[9]; }

static const struct row rows[] = {
	{ "requests replayed", st_allocs },
	{ "model-only failures", st_model_failed },
	{ "kernel failures", st_kernel_failed },
	{ "  of which the model served", st_kernel_failed_model_ok },
	{ "unmatched frees", st_unmatched_frees },
	{ "partial frees (split blocks)", st_partial_frees },
	{ "frees not recorded (inferred)", st_unseen_frees },
	{ "kernel migrations followed", st_migrate_pairs },
	{ "THP (order-9 movable) allocated", ct_MODEL_THP_FAULT_ALLOC },
	{ "THP fallbacks", ct_MODEL_THP_FAULT_FALLBACK },
	{ "fallbacks: claimed blocks", ct_MODEL_EXTFRAG_CLAIM },
	{ "fallbacks: stolen pages", ct_MODEL_EXTFRAG_STEAL },
	{ "fallbacks below pageblock order", ct_MODEL_EXTFRAG_FRAGMENTING },
	{ "watermark boosts", ct_MODEL_WMARK_BOOSTS },
	{ "compact_stall", ct_MODEL_COMPACT_STALL },
	{ "compact_success", ct_MODEL_COMPACT_SUCCESS },
	{ "compact_fail", ct_MODEL_COMPACT_FAIL },
	{ "compact_daemon_wake", ct_MODEL_COMPACT_DAEMON_WAKE },
	{ "pgmigrate_success", ct_MODEL_PGMIGRATE_SUCCESS },
	{ "model migrations (compaction)", st_model_migrations },
	{ "captured blocks", ct_MODEL_COMPACT_CAPTURE },
	{ "compactions promoted to pageblock order", ct_MODEL_COMPACT_PROMOTED },
	{ "  of which served the request", ct_MODEL_COMPACT_PROMOTED_SUCCESS },
	{ "evacuations queued", ct_MODEL_EVACUATE_QUEUED },
	{ "evacuations dropped (pool empty)", ct_MODEL_EVACUATE_DROPPED },
	{ "evacuations skipped (movable again)", ct_MODEL_EVACUATE_SKIPPED },
	{ "pages migrated by evacuation", ct_MODEL_EVACUATE_MIGRATED },
	{ "evacuation migrations failed (pages)", ct_MODEL_EVACUATE_FAILED },
	{ "end: free pages", en_free_pages },
	{ "end: free pageblocks", en_free_pageblocks },
	{ "end: unusable free index, order 9", en_unusable9, true },
	{ "end: fragmentation index, order 9", en_frag9, true },
	{ "end: pageblocks unmovable", en_pb_unmovable },
	{ "end: pageblocks movable", en_pb_movable },
	{ "end: pageblocks reclaimable", en_pb_reclaimable },
	{ "end: mixed pageblocks", en_mixed_pageblocks },
	{ "end: tainted pageblocks", en_tainted_pageblocks },
	{ "end: free 1 GiB ranges", en_free_ranges_1g },
	{ "end: tainted 1 GiB ranges", en_tainted_ranges_1g },
	{ "end: 1 GiB ranges", en_ranges_1g },
};
#define NR_ROWS (sizeof(rows) / sizeof(rows[0]))

static void print_identity(const char *path, const json_t *meta, const struct run *run)
{
	const struct replay_stats *st = replay_stats(run->r);

	printf("trace     %s\n", path);
	printf("host      %s, Linux %s, %d CPUs\n",
	       json_string_value(json_object_get(meta, "hostname")) ?: "?",
	       json_string_value(json_object_get(meta, "kernel_release")) ?: "?",
	       (int)json_integer_value(json_object_get(meta, "nr_cpus")));
	printf("replayed  %" PRIu64 " events over %.3f s of trace time, from %s\n", st->events,
	       (double)(st->last_ts - st->first_ts) / 1e9,
	       run->seed.empty_start ? "an EMPTY model" : "the start snapshot");
	if (run->seed.empty_start)
		printf("\n*** NOTE: %s ***\n", NOTE_EMPTY);
	if (run->damaged[0])
		printf("\n*** NOTE: the trace is damaged (%s): only its valid prefix was replayed ***\n",
		       run->damaged);
	for (size_t i = 0; i < json_array_size(json_object_get(meta, "notes")); i++)
		printf("%s*** NOTE: recorded: %s ***\n", i ? "" : "\n",
		       json_string_value(json_array_get(json_object_get(meta, "notes"), i)) ?: "?");
}

static void print_value(uint64_t v, bool idx)
{
	if (idx)
		printf(" %14" PRId64, (int64_t)v);
	else
		printf(" %14" PRIu64, v);
}

static void print_table(const struct run *runs, int nr)
{
	const struct replay_stats *rec = replay_stats(runs[0].r);

	printf("\n%-36s", "");
	for (int i = 0; i < nr; i++)
		printf(" %14s", i ? "B" : nr > 1 ? "A" : "model");
	if (nr > 1)
		printf(" %14s %9s", "B - A", "change");
	printf("\n");
	for (size_t k = 0; k < NR_ROWS; k++) {
		int64_t a = (int64_t)rows[k].get(&runs[0]);

		printf("%-36s", rows[k].name);
		for (int i = 0; i < nr; i++)
			print_value(rows[k].get(&runs[i]), rows[k].signed_index);
		if (nr > 1) {
			int64_t b = (int64_t)rows[k].get(&runs[1]);
			printf(" %+14" PRId64, b - a);
			if (a)
				printf(" %+8.1f%%", 100.0 * (double)(b - a) / (double)llabs(a));
			else
				printf(" %9s", b ? "new" : "-");
		}
		printf("\n");
	}
	printf("\nthe kernel recorded: %" PRIu64 " extfrag events (%" PRIu64 " claims), %" PRIu64
	       " compaction runs, %" PRIu64 " THP allocated, %" PRIu64 " THP failed\n",
	       rec->recorded.extfrag_claim + rec->recorded.extfrag_steal,
	       rec->recorded.extfrag_claim, rec->recorded.compaction_runs, rec->recorded.thp_ok,
	       rec->recorded.thp_failed);
	printf("limits: no feedback loop (under a variant the workload would have behaved\n"
	       "differently); reclaim is not modelled, its frees come from the trace.\n");
}

static const char *const mob_names[MODEL_NR_PCPTYPES] = { "unmovable", "movable",
							   "reclaimable" };

/* one figure of every zone, then the fallbacks by type, then failures by order */
static void print_breakdowns(const struct run *runs, int nr)
{
	static const struct { const char *name; size_t off; } zf[] = {
		{ "free pages", offsetof(struct model_frag_metrics, free_pages) },
		{ "free pageblocks", offsetof(struct model_frag_metrics, free_pageblocks) },
		{ "mixed pageblocks", offsetof(struct model_frag_metrics, mixed_pageblocks) },
		{ "tainted pageblocks", offsetof(struct model_frag_metrics, tainted_pageblocks) },
	};
	struct model_zone_info zi;

	printf("\nend, per zone:\n");
	for (unsigned int z = 0; z < model_nr_zones(runs[0].m); z++) {
		model_zone_info(runs[0].m, z, &zi);
		for (size_t k = 0; k < sizeof(zf) / sizeof(zf[0]); k++) {
			char label[64];
			snprintf(label, sizeof(label), "  %s %s", zi.name, zf[k].name);
			printf("%-36s", label);
			for (int i = 0; i < nr; i++)
				printf(" %14" PRIu64, *(const uint64_t *)((const char *)&runs[i].end_zone[z] +
									  zf[k].off));
			printf("\n");
		}
	}
	printf("\nfallbacks by (allocation <- fallback) type, model; kernel recorded in the last "
	       "column:\n");
	const struct replay_stats *rec = replay_stats(runs[0].r);
	bool any = false;
	for (int a = 0; a < MODEL_NR_PCPTYPES; a++)
		for (int f = 0; f < MODEL_NR_PCPTYPES; f++)
			for (int k = 1; k >= 0; k--) {
				uint64_t kv = rec->recorded.extfrag[a][f][k], tot = kv;
				for (int i = 0; i < nr; i++)
					tot += replay_stats(runs[i].r)->model_extfrag[a][f][k];
				if (!tot)
					continue;
				char label[64];
				snprintf(label, sizeof(label), "  %s %s <- %s", k ? "claims" : "steals",
					 mob_names[a], mob_names[f]);
				printf("%-36s", label);
				for (int i = 0; i < nr; i++)
					printf(" %14" PRIu64, replay_stats(runs[i].r)->model_extfrag[a][f][k]);
				printf(" %14" PRIu64 " (kernel)\n", kv);
				any = true;
			}
	if (!any)
		printf("  none, in the model or the kernel\n");
	printf("\nmodel-only failures by order:");
	for (int i = 0; i < nr; i++) {
		const struct replay_stats *st = replay_stats(runs[i].r);
		printf("%s%s", nr > 1 ? (i ? "  B:" : "  A:") : "", st->model_failed ? "" : " none");
		for (unsigned int o = 0; o < MODEL_NR_ORDERS; o++)
			if (st->model_failed_by_order[o])
				printf(" order %u: %" PRIu64, o, st->model_failed_by_order[o]);
	}
	printf("\n");
}

/* [alloc][fallback] counts as {"movable<-unmovable": {"claims": n, "steals": n}, ...} */
static json_t *fallbacks_json(const uint64_t (*x)[MODEL_NR_PCPTYPES][2])
{
	json_t *o = json_object();

	for (int a = 0; a < MODEL_NR_PCPTYPES; a++)
		for (int f = 0; f < MODEL_NR_PCPTYPES; f++) {
			char key[64];
			if (a == f)
				continue;
			snprintf(key, sizeof(key), "%s<-%s", mob_names[a], mob_names[f]);
			json_object_set_new(o, key, json_pack("{s:I,s:I}", "claims", (json_int_t)x[a][f][1],
								"steals", (json_int_t)x[a][f][0]));
		}
	return o;
}

static json_t *zones_json(const struct run *run)
{
	json_t *arr = json_array();
	struct model_zone_info zi;

	for (unsigned int z = 0; z < model_nr_zones(run->m); z++) {
		const struct model_frag_metrics *e = &run->end_zone[z];
		model_zone_info(run->m, z, &zi);
		json_array_append_new(arr, json_pack(
			"{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "zone", zi.name,
			"managed_pages", (json_int_t)e->managed_pages,
			"free_pages", (json_int_t)e->free_pages,
			"free_pageblocks", (json_int_t)e->free_pageblocks,
			"mixed_pageblocks", (json_int_t)e->mixed_pageblocks,
			"tainted_pageblocks", (json_int_t)e->tainted_pageblocks,
			"pageblocks_unmovable", (json_int_t)e->pageblocks_mt[MODEL_MT_UNMOVABLE],
			"pageblocks_movable", (json_int_t)e->pageblocks_mt[MODEL_MT_MOVABLE],
			"pageblocks_reclaimable", (json_int_t)e->pageblocks_mt[MODEL_MT_RECLAIMABLE],
			"unusable_index_9", (json_int_t)e->unusable_index[9],
			"fragmentation_index_9", (json_int_t)e->frag_index[9]));
	}
	return arr;
}

static json_t *run_json(const struct run *run)
{
	json_t *o = json_object(), *rowsj = json_object(), *counters = json_object();

	json_object_set_new(o, "variant", json_string(run->v.preset ?: "vanilla"));
	json_object_set_new(o, "settings", json_string(run->settings));
	for (size_t k = 0; k < NR_ROWS; k++) {
		uint64_t v = rows[k].get(run);
		json_object_set_new(rowsj, rows[k].name,
				    rows[k].signed_index ? json_integer((json_int_t)(int64_t)v)
							 : json_integer((json_int_t)v));
	}
	for (int c = 0; c < MODEL_NR_COUNTERS; c++)
		json_object_set_new(counters, model_counter_name((enum model_counter)c),
				    json_integer((json_int_t)model_counter(run->m, (enum model_counter)c)));
	json_object_set_new(o, "figures", rowsj);
	json_object_set_new(o, "zones", zones_json(run));
	json_object_set_new(o, "fallbacks", fallbacks_json(replay_stats(run->r)->model_extfrag));
	json_t *fo = json_array();
	for (unsigned int k = 0; k <= (unsigned int)model_knob(run->m, MODEL_KNOB_MAX_PAGE_ORDER); k++)
		json_array_append_new(fo, json_integer((json_int_t)replay_stats(run->r)->model_failed_by_order[k]));
	json_object_set_new(o, "model_failed_by_order", fo);
	json_t *co = json_array();
	for (unsigned int k = 0; k <= (unsigned int)model_knob(run->m, MODEL_KNOB_MAX_PAGE_ORDER); k++)
		json_array_append_new(co, json_integer((json_int_t)model_captures(run->m, k)));
	json_object_set_new(o, "captures_by_order", co);
	json_object_set_new(o, "counters", counters);

	/* columns: one array per figure, aligned with t_ns */
	json_t *series = json_object(), *t = json_array();
	const struct replay_series *se = &run->series;
	for (size_t i = 0; i < se->n; i++)
		json_array_append_new(t, json_integer((json_int_t)se->s[i].t_ns));
	json_object_set_new(series, "interval_ns", json_integer((json_int_t)se->interval_ns));
	json_object_set_new(series, "t_ns", t);
#define X(f)                                                                              \
	{                                                                                 \
		json_t *col = json_array();                                               \
		for (size_t i = 0; i < se->n; i++)                                        \
			json_array_append_new(col, json_integer((json_int_t)se->s[i].f)); \
		json_object_set_new(series, #f, col);                                     \
	}
	REPLAY_SERIES_FIELDS(X)
#undef X
	json_object_set_new(o, "series", series);
	return o;
}

static int write_json(const char *cmd, const char *out, const char *path, const struct run *runs,
		      int nr, const json_t *meta)
{
	const struct replay_stats *rec = replay_stats(runs[0].r);
	json_t *root = json_object(), *arr = json_array(), *recj = json_object();

	json_object_set_new(root, "trace", json_string(path));
	for (int i = 0; i < nr; i++)
		json_array_append_new(arr, run_json(&runs[i]));
	json_object_set_new(root, "runs", arr);
	json_object_set_new(recj, "extfrag", json_integer((json_int_t)(rec->recorded.extfrag_claim +
									rec->recorded.extfrag_steal)));
	json_object_set_new(recj, "extfrag_claims",
			    json_integer((json_int_t)rec->recorded.extfrag_claim));
	json_object_set_new(recj, "compaction_runs",
			    json_integer((json_int_t)rec->recorded.compaction_runs));
	json_object_set_new(recj, "thp_allocated", json_integer((json_int_t)rec->recorded.thp_ok));
	json_object_set_new(recj, "thp_failed", json_integer((json_int_t)rec->recorded.thp_failed));
	json_object_set_new(recj, "fallbacks", fallbacks_json(rec->recorded.extfrag));
	json_object_set_new(root, "recorded", recj);
	json_object_set_new(root, "start", json_string(runs[0].seed.empty_start ? "empty" : "snapshot"));
	json_t *notes = json_array();
	if (runs[0].seed.empty_start)
		json_array_append_new(notes, json_string(NOTE_EMPTY));
	if (runs[0].damaged[0])
		json_array_append_new(notes, json_sprintf("the trace is damaged (%s): only its valid "
							  "prefix was replayed", runs[0].damaged));
	for (size_t i = 0; i < json_array_size(json_object_get(meta, "notes")); i++)
		json_array_append_new(notes, json_sprintf("recorded: %s", json_string_value(
					json_array_get(json_object_get(meta, "notes"), i)) ?: "?"));
	json_object_set_new(root, "notes", notes);
	int ret = json_dump_file(root, out, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(root);
	if (ret) {
		fprintf(stderr, "fragreplay %s: cannot write %s: %s\n", cmd, out, strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* "100ms", "1s", "500us", "250ns" or plain nanoseconds; never 0 */
static int parse_duration(const char *s, uint64_t *ns)
{
	static const struct { const char *unit; uint64_t mult; } units[] = {
		{ "", 1 }, { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
	};
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s || !v)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit)) {
			*ns = v * units[i].mult;
			return 0;
		}
	return -1;
}

static void help(const char *cmd)
{
	if (!strcmp(cmd, "compare"))
		printf("Usage: fragreplay compare TRACE.frt --a VARIANT --b VARIANT [--set-a KNOB=V]...\n"
		       "                          [--set-b KNOB=V]... [--interval T] [--strict]\n"
		       "                          [--json FILE]\n\n"
		       "Replay the trace's requests through the allocator model under two variants,\n"
		       "from the trace's start snapshot, and print them side by side with the\n"
		       "difference and the change in percent.\n");
	else
		printf("Usage: fragreplay replay TRACE.frt [--variant VARIANT] [--set KNOB=V]...\n"
		       "                         [--interval T] [--strict] [--json FILE]\n\n"
		       "Replay the trace's requests through the allocator model under one variant\n"
		       "(default vanilla), from the trace's start snapshot, and print what came of it.\n"
		       "A trace without a start snapshot is replayed from an empty model, and the\n"
		       "report says its early results are not meaningful.\n");
	printf("\n  --interval T  sample the figures every T of trace time (1s; units ns, us, ms, s)\n"
	       "  --strict      fail (exit 1) on a damaged or truncated trace instead of replaying\n"
	       "                its valid prefix with a warning\n"
	       "  --json FILE   also write the figures, every model counter and the samples\n"
	       "                over time as JSON (README, \"Report JSON\")\n"
	       "\n'fragreplay variants' lists the presets and knobs. Exit status: 0 success,\n"
	       "1 failure (unreadable or unusable trace), 2 usage error.\n");
}

static int replay_main(const char *cmd, int argc, char **argv, int nr)
{
	static const struct option opts[] = {
		{ "variant", required_argument, NULL, 'v' }, { "a", required_argument, NULL, 'a' },
		{ "b", required_argument, NULL, 'b' },       { "set", required_argument, NULL, 's' },
		{ "set-a", required_argument, NULL, 'S' },   { "set-b", required_argument, NULL, 'T' },
		{ "json", required_argument, NULL, 'j' },    { "help", no_argument, NULL, 'h' },
		{ "interval", required_argument, NULL, 'i' }, { "strict", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	struct run runs[2];
	json_t *meta = NULL;
	const char *json_out = NULL;
	uint64_t interval_ns = 1000000000ull;
	bool strict = false;
	char err[1024];
	int c, ret;

	memset(runs, 0, sizeof(runs));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int i = c == 'b' || c == 'T';
		switch (c) {
		case 'v': case 'a': case 'b':
			if ((c == 'v') != (nr == 1))
				return usage_error(cmd, "unknown option '--%s'", c == 'v' ? "variant" : c == 'a' ? "a" : "b");
			if (replay_variant_preset(&runs[i].v, optarg, err, sizeof(err)))
				return usage_error(cmd, "%s", err);
			break;
		case 's': case 'S': case 'T':
			if ((c == 's') != (nr == 1))
				return usage_error(cmd, "use --%s", nr == 1 ? "set" : "set-a / --set-b");
			if (replay_variant_set(&runs[i].v, optarg, err, sizeof(err)))
				return usage_error(cmd, "%s", err);
			break;
		case 'j':
			json_out = optarg;
			break;
		case 'x':
			strict = true;
			break;
		case 'i':
			if (parse_duration(optarg, &interval_ns))
				return usage_error(cmd, "--interval '%s': want a duration such as "
						   "100ms, 1s or 500us", optarg);
			break;
		case 'h':
			help(cmd);
			return EXIT_OK;
		default:
			return usage_error(cmd, "unknown option");
		}
	}
	if (optind != argc - 1)
		return usage_error(cmd, "expects one trace file");
	if (nr == 2 && (!runs[0].v.preset || !runs[1].v.preset))
		return usage_error(cmd, "needs --a VARIANT and --b VARIANT");
	const char *path = argv[optind];
	for (int i = 0; i < nr; i++) {
		runs[i].path = path;
		runs[i].interval_ns = interval_ns;
		replay_variant_describe(&runs[i].v, runs[i].settings, sizeof(runs[i].settings));
	}
	if ((ret = feed_all(cmd, path, runs, nr, strict, &meta)))
		goto out;
	print_identity(path, meta, &runs[0]);
	for (int i = 0; i < nr; i++)
		printf("%-9s %s\n", nr == 1 ? "variant" : i ? "B" : "A", runs[i].settings);
	print_table(runs, nr);
	print_breakdowns(runs, nr);
	if (json_out)
		ret = write_json(cmd, json_out, path, runs, nr, meta);
out:
	json_decref(meta);
	for (int i = 0; i < nr; i++)
		free_run(&runs[i]);
	return ret;
}

int cmd_replay(int argc, char **argv)
{
	return replay_main("replay", argc, argv, 1);
}

int cmd_compare(int argc, char **argv)
{
	return replay_main("compare", argc, argv, 2);
}

/* @text in lines of at most 79 columns, the first starting at column @col, the others at @indent */
static void print_wrapped(int col, int indent, const char *text)
{
	while (*text) {
		int room = 79 - col, n = (int)strlen(text);
		if (n > room) {
			n = room;
			while (n > 0 && text[n] != ' ')
				n--;
			if (!n)
				n = room;
		}
		printf(" %.*s\n", n, text);
		text += n;
		while (*text == ' ')
			text++;
		if (*text)
			printf("%*s", indent - 1, "");
		col = indent;
	}
}

int cmd_variants(int argc, char **argv)
{
	struct model_desc d;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: fragreplay variants [--help]\n\nList the variant presets and the knobs "
		       "--set KNOB=VALUE can change, with their defaults.\n");
		return EXIT_OK;
	}
	if (argc > 1)
		return usage_error("variants", "takes no arguments");
	printf("Presets:\n");
	for (size_t i = 0; i < replay_nr_presets; i++) {
		printf("  %-14s", replay_presets[i].name);
		print_wrapped(17, 17, replay_presets[i].summary);
		if (replay_presets[i].leaves_out) {
			char buf[1024];
			snprintf(buf, sizeof(buf), "Not modelled: %s", replay_presets[i].leaves_out);
			printf("%16s", "");
			print_wrapped(17, 17, buf);
		}
	}
	model_desc_init(&d);
	printf("\nKnobs (default; sysctls default to the trace's recorded value):\n");
	for (int k = 0; k < MODEL_NR_KNOBS; k++)
		printf("  %-26s %6ld  %s\n", model_knob_name((enum model_knob)k), d.knobs[k],
		       model_knob_help((enum model_knob)k));
	return EXIT_OK;
}
