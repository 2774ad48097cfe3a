// SPDX-License-Identifier: MIT
/*
 * bench_prefix.c - how much of a compare's model work the variants share: for
 * each preset against vanilla, the first event after which anything of it
 * that can be observed differs from vanilla's (the engine's counters, every
 * zone's free and pcp counts per order and list, watermarks and boost;
 * every 65536 events the pageblock map). Until then the variant's model did
 * vanilla's work over again. Prints per preset the events and allocations
 * before that point, and what compare's model work would be if that prefix
 * were run once (issue 18's step 3: one model until the variants part, then
 * clones).
 *
 * An upper bound on what an exact sharing can share: internal state the
 * checks do not see (list order, compaction cursors, the pcp lists' pages)
 * may part earlier; it cannot part later. The row "all (gated)" is where
 * vanilla's model, model_share()d for every preset, says they part: what
 * compare shares (replay/session.c share_prefix()). No timing: the figures
 * are counts.
 *
 * usage: build/bench/bench_prefix TRACE.frt [PRESET ...]
 *   default presets: defrag_mode evacuate capture-split (against vanilla)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "firsttouch.h"
#include "model.h"
#include "pbmap.h"
#include "setup.h"
#include "trace.h"
#include "variant.h"

#define MAX_RUNS 8
#define MAP_EVERY 65536 /* events between pageblock map checks (a walk of every pfn) */
#define BATCH 4096

struct run {
	const char *name;
	struct replay_variant v;
	struct model *m;
	struct replay *r;
	bool parted;
	uint64_t events, allocs; /* before the first difference */
	const char *what;        /* what differed first */
};

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bench_prefix: %s: %s\n", what, why);
	exit(1);
}

/* the engine the session gives a run (replay/session.c build_run()) */
static struct replay *engine(const char *path, struct model *m,
			     const struct replay_seed_stats *seed, bool direct)
{
	struct walk_times start = { 0 }, end = { 0 };
	char err[512];
	struct replay *r = replay_new(m, seed->snapshot_ts, NULL, NULL);

	if (!r)
		die(path, "cannot make the engine");
	replay_follow_manual_compaction(r, direct);
	replay_set_unplug(r, seed->unplug_range, seed->nr_unplug);
	if (walk_times_read(path, "start", &start, err, sizeof(err)) ||
	    walk_times_read(path, "end", &end, err, sizeof(err)))
		die(path, err);
	replay_set_walk_times(r, &start, &end);
	return r;
}

static bool same_zones(const struct model *a, const struct model *b)
{
	if (model_nr_zones(a) != model_nr_zones(b))
		return false;
	for (unsigned int z = 0; z < model_nr_zones(a); z++) {
		struct model_zone_info x, y;

		memset(&x, 0, sizeof(x)); /* padding compares equal */
		memset(&y, 0, sizeof(y));
		model_zone_info(a, z, &x);
		model_zone_info(b, z, &y);
		if (memcmp(&x, &y, sizeof(x)))
			return false;
	}
	return true;
}

static bool same_map(const struct model *a, const struct model *b)
{
	struct pbmap x = { 0 }, y = { 0 };
	bool same;

	if (pbmap_capture(&x, a) || pbmap_capture(&y, b))
		die("pageblock map", "out of memory");
	same = x.n == y.n && !memcmp(x.pb, y.pb, x.n);
	pbmap_free(&x);
	pbmap_free(&y);
	return same;
}

int main(int argc, char **argv)
{
	const char *defaults[] = { "defrag_mode", "evacuate", "capture-split" };
	struct run run[MAX_RUNS] = { { .name = "vanilla" } };
	int nr = 1, left;
	struct replay_seed_stats seed;
	struct frt_reader *rd;
	char err[512];

	if (argc < 2 || argc - 2 > MAX_RUNS - 1) {
		fprintf(stderr, "usage: %s TRACE.frt [PRESET ...] (at most %d)\n", argv[0],
			MAX_RUNS - 1);
		return 2;
	}
	const char *path = argv[1];
	if (argc == 2)
		for (int i = 0; i < 3; i++)
			run[nr++].name = defaults[i];
	else
		for (int i = 2; i < argc; i++)
			run[nr++].name = argv[i];
	for (int i = 0; i < nr; i++)
		if (replay_variant_preset(&run[i].v, run[i].name, err, sizeof(err)))
			die(run[i].name, err);

	/* vanilla's model from the trace, the others cloned from it as compare does */
	if (!(rd = frt_reader_open(path, err, sizeof(err))))
		die(path, err);
	bool direct = strstr(frt_reader_meta(rd), "compaction:mm_compaction_try_to_compact_pages");
	run[0].m = replay_model_from_trace(rd, &run[0].v, &seed, err, sizeof(err));
	if (!run[0].m)
		die(path, err);
	static long knobs[MAX_RUNS][MODEL_NR_KNOBS];
	for (int i = 0; i < nr; i++) {
		struct model_desc d;

		model_desc_init(&d);
		if (replay_desc_from_json(frt_reader_meta(rd), &d, err, sizeof(err)))
			die(path, err);
		replay_variant_apply(&run[i].v, &d);
		memcpy(knobs[i], d.knobs, sizeof(knobs[i]));
		if (i && !(run[i].m = model_clone(run[0].m, d.knobs)))
			die(run[i].name, "a preset the shared build cannot be cloned for");
	}
	/* vanilla's model stands for all (model_share()): where would compare part? */
	bool gated = !model_share(run[0].m, (const long (*)[MODEL_NR_KNOBS])knobs, nr);
	uint64_t gate_events = 0, gate_allocs = 0;
	frt_reader_free(rd);
	for (int i = 0; i < nr; i++)
		run[i].r = engine(path, run[i].m, &seed, direct);

	/* every event to vanilla; to each other run until it parts from vanilla */
	struct frt_event *ev = malloc(BATCH * sizeof(*ev));
	uint64_t events = 0;
	ssize_t n;

	if (!ev || !(rd = frt_reader_open(path, err, sizeof(err))))
		die(path, ev ? err : "out of memory");
	left = nr - 1;
	while ((n = frt_reader_next_batch(rd, ev, BATCH)) > 0) {
		for (ssize_t j = 0; j < n; j++, events++) {
			replay_feed(run[0].r, &ev[j]);
			if (gated && !model_parted(run[0].m)) {
				gate_events = events + 1;
				gate_allocs = replay_stats(run[0].r)->allocs;
			}
			for (int i = 1; left && i < nr; i++) {
				struct run *x = &run[i];

				if (x->parted)
					continue;
				replay_feed(x->r, &ev[j]);
				if (memcmp(replay_stats(run[0].r), replay_stats(x->r),
					   sizeof(struct replay_stats)))
					x->what = "engine counters";
				else if (!same_zones(run[0].m, x->m))
					x->what = "zone counts";
				else if (events % MAP_EVERY == MAP_EVERY - 1 && !same_map(run[0].m, x->m))
					x->what = "pageblock map (checked every 65536 events)";
				if (!x->what) {
					x->events = events + 1;
					x->allocs = replay_stats(run[0].r)->allocs;
					continue;
				}
				x->parted = true;
				left--;
			}
		}
	}
	if (n < 0)
		fprintf(stderr, "bench_prefix: %s: %s (the figures are of its valid prefix)\n",
			path, frt_reader_error(rd));
	frt_reader_free(rd);

	uint64_t allocs = replay_stats(run[0].r)->allocs;
	double work = 1; /* vanilla's */
	printf("trace: %s (%llu events, %llu allocations under vanilla)\n", path,
	       (unsigned long long)events, (unsigned long long)allocs);
	printf("%-16s %12s %7s %12s %7s  first difference\n", "preset", "same events", "%",
	       "same allocs", "%");
	for (int i = 1; i < nr; i++) {
		const struct run *x = &run[i];
		double share = events ? (double)x->events / (double)events : 0;

		work += 1 - share;
		printf("%-16s %12llu %6.1f%% %12llu %6.1f%%  %s\n", x->name,
		       (unsigned long long)x->events, 100 * share, (unsigned long long)x->allocs,
		       allocs ? 100.0 * (double)x->allocs / (double)allocs : 0,
		       x->what ? x->what : "none: identical to the end");
	}
	if (gated)
		printf("%-16s %12llu %6.1f%% %12llu %6.1f%%  %s\n", "all (gated)",
		       (unsigned long long)gate_events, events ? 100.0 * gate_events / events : 0,
		       (unsigned long long)gate_allocs,
		       allocs ? 100.0 * (double)gate_allocs / (double)allocs : 0,
		       "where model_share()'s knob() gates part them");
	printf("compare of %d: events fed to models %.2f x one replay's today, %.2f x with the "
	       "prefix shared (an upper bound on the saving)\n", nr, (double)nr, work);
	for (int i = 0; i < nr; i++) {
		replay_free(run[i].r);
		model_free_all(run[i].m);
	}
	free(ev);
	return 0;
}
