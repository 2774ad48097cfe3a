// SPDX-License-Identifier: MIT
/*
 * validate.c - fragreplay validate: replay a trace under `vanilla` and put
 * the model's figures beside what the kernel itself recorded on the same
 * trace: the end snapshot's free lists and pageblock types, the extfrag,
 * pcp refill and drain events, /proc/vmstat's compaction and migration
 * deltas, and THP outcomes. One fidelity score sums it up (README).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine.h"
#include "main.h"
#include "metrics.h"
#include "setup.h"
#include "snapshot.h"
#include "trace.h"

#define NR_ORD MODEL_NR_ORDERS

struct side {
	uint64_t free_blocks[NR_ORD][MODEL_NR_MT];
	uint64_t pageblocks[MODEL_NR_MT];
	uint64_t pcp_refills, pcp_drains;
	uint64_t thp_ok, thp_failed;
	bool have_end;
};

struct ctx {
	struct side model, kernel;
	json_t *vmstat[2]; /* start and end snapshots' /proc/vmstat, parsed */
};

static void on_model_event(void *p, const struct model_event *ev)
{
	struct side *s = p;

	if (ev->type == MODEL_EV_ZONE_LOCKED && ev->percpu_refill) {
		s->pcp_refills++;
	} else if (ev->type == MODEL_EV_PCPU_DRAIN) {
		s->pcp_drains++;
	}
}

/* "name value" lines of /proc/vmstat into an object */
static json_t *parse_vmstat(const char *text)
{
	json_t *o = json_object();
	char name[128];
	long long v;
	int n;

	while (text && sscanf(text, "%127s %lld%n", name, &v, &n) == 2) {
		json_object_set_new(o, name, json_integer(v));
		text += n;
		while (*text == '\n')
			text++;
	}
	return o;
}

static long long vmstat_delta(const struct ctx *c, const char *name)
{
	return json_integer_value(json_object_get(c->vmstat[1], name)) -
	       json_integer_value(json_object_get(c->vmstat[0], name));
}

/* the end snapshot's free blocks and pageblock types; vmstat of both */
static void read_snapshot(struct ctx *c, const char *payload, uint32_t len, const struct model *m)
{
	json_t *h = json_loads(payload, JSON_DISABLE_EOF_CHECK, NULL);
	const char *kind = json_string_value(json_object_get(h, "kind"));
	int which = kind && !strcmp(kind, "end") ? 1 : kind && !strcmp(kind, "start") ? 0 : -1;

	if (which >= 0 && !json_integer_value(json_object_get(h, "part")) && !c->vmstat[which])
		c->vmstat[which] = parse_vmstat(json_string_value(
			json_object_get(json_object_get(h, "procfs"), "vmstat")));
	json_decref(h);
	if (which != 1)
		return;
	struct frt_snapshot_part p;
	char err[256];
	if (frt_snapshot_parse(payload, len, &p, err, sizeof(err)))
		return;
	c->kernel.have_end = true;
	/* the model counts every pageblock of the zone spans; a pageblock whose
	 * memmap the kernel has not initialised yet becomes MOVABLE when it is */
	for (size_t i = 0; i < p.nr_pageblocks; i++) {
		uint64_t pfn = p.start_pfn + ((uint64_t)i << p.pageblock_order);
		if (model_zone_of(m, pfn) < 0)
			continue;
		c->kernel.pageblocks[p.pageblocks[i] & FRT_PB_NONE ? MODEL_MT_MOVABLE
								    : FRT_PB_MT(p.pageblocks[i])]++;
	}
	struct frt_snapshot_iter it;
	struct frt_snapshot_block b;
	frt_snapshot_iter_init(&it, &p);
	while (frt_snapshot_iter_next(&it, &b) > 0)
		if (b.state == FRT_SNAP_FREE && b.order < NR_ORD && b.cls < MODEL_NR_MT)
			c->kernel.free_blocks[b.order][b.cls]++;
}

/*
 * Free memory over trace time, the kernel's beside the model's. The kernel's
 * is what the trace implies: the start snapshot's free pages, plus every
 * page mm_page_free gave back, minus every page mm_page_alloc handed out
 * (pcp pages count as free on both sides). Where the two part, the model
 * placed or kept memory the kernel did not: the first place to look when
 * other lines disagree.
 */
#define TRACK_MAX 4096
struct mem_track {
	int64_t kernel;
	uint64_t next_ns;
	size_t n;
	struct { uint64_t t_ns; int64_t kernel, model; } s[TRACK_MAX];
};

static void track_sample(struct mem_track *t, const struct model *m, uint64_t t_ns)
{
	struct model_frag_metrics fm;

	if (t->n == TRACK_MAX)
		return;
	model_metrics(m, -1, &fm);
	t->s[t->n].t_ns = t_ns;
	t->s[t->n].kernel = t->kernel;
	t->s[t->n++].model = (int64_t)(fm.free_pages + fm.pcp_pages);
}

static void track_event(struct mem_track *t, const struct model *m, const struct frt_event *ev,
			uint64_t start_ns)
{
	while (ev->ts >= t->next_ns) {
		track_sample(t, m, t->next_ns - start_ns);
		t->next_ns += 1000000000ull;
	}
	if (ev->type == FRT_EV_PAGE_ALLOC && ev->alloc.pfn != FRT_PFN_NONE)
		t->kernel -= 1ll << ev->alloc.order;
	else if (ev->type == FRT_EV_PAGE_FREE)
		t->kernel += 1ll << ev->free.order;
}

/* at most 12 rows, evenly spread, the last sample always */
static void print_track(const struct mem_track *t)
{
	size_t step = (t->n + 10) / 11;

	if (!t->n)
		return;
	printf("\nfree pages over trace time (buddy + pcp; kernel: start snapshot + frees - "
	       "allocations in the trace)\n%10s %14s %14s %14s\n", "t (s)", "kernel", "model",
	       "model - kernel");
	for (size_t i = 0; i < t->n; i += step ? step : 1) {
		if (i + step >= t->n)
			i = t->n - 1;
		printf("%10.1f %14" PRId64 " %14" PRId64 " %+14" PRId64 "\n", (double)t->s[i].t_ns / 1e9,
		       t->s[i].kernel, t->s[i].model, t->s[i].model - t->s[i].kernel);
	}
}

struct line {
	char name[64];
	double real, model;
};

static double agreement(double real, double model)
{
	double hi = real > model ? real : model, lo = real > model ? model : real;
	return hi > 0 ? lo / hi : 1.0;
}

int cmd_validate(int argc, char **argv)
{
	struct ctx c = { 0 };
	struct replay_seed_stats seed;
	struct frt_frame_info fi;
	struct frt_event ev;
	char err[512];
	int ret = EXIT_FAIL;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: fragreplay validate TRACE.frt\n\n"
		       "Replay the trace under 'vanilla' and print, beside what the kernel recorded\n"
		       "on the same trace, the model's end-of-trace free blocks per order and type,\n"
		       "pageblocks per type, fallbacks (claims and steals), pcp refills and drains,\n"
		       "compaction and migration counts (against /proc/vmstat deltas) and THP\n"
		       "outcomes, with the agreement of each line and one fidelity score (README).\n");
		return EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-')
		return usage_error("validate", "expects one trace file");
	const char *path = argv[1];
	struct frt_reader *rd = frt_reader_open(path, err, sizeof(err));
	struct model *m = rd ? replay_model_from_trace(rd, NULL, &seed, err, sizeof(err)) : NULL;
	frt_reader_free(rd);
	if (!m) {
		fprintf(stderr, "fragreplay validate: %s: %s\n", path, err);
		return EXIT_FAIL;
	}
	struct replay *r = replay_new(m, seed.snapshot_ts, on_model_event, &c.model);
	rd = r ? frt_reader_open(path, err, sizeof(err)) : NULL;
	if (!rd) {
		fprintf(stderr, "fragreplay validate: %s\n", r ? err : strerror(errno));
		goto out;
	}
	int rc;
	struct mem_track mt = { .kernel = (int64_t)seed.free_pages, .next_ns = seed.snapshot_ts };
	struct progress pr;
	uint64_t nr_events = 0;

	progress_init(&pr, "validate");
	while ((rc = frt_reader_next_frame(rd, &fi)) > 0) {
		if (fi.type == FRT_FRAME_SNAPSHOT) {
			uint32_t len;
			const char *pl = frt_reader_frame_payload(rd, &len);
			read_snapshot(&c, pl, len, m);
			continue;
		}
		for (uint32_t k = 0; fi.type == FRT_FRAME_EVENTS && k < fi.records; k++) {
			if (frt_reader_next(rd, &ev) <= 0)
				break;
			if (ev.ts >= seed.snapshot_ts)
				track_event(&mt, m, &ev, seed.snapshot_ts);
			replay_feed(r, &ev);
			nr_events++;
		}
		progress_tick(&pr, rd, nr_events);
	}
	progress_end(&pr);
	track_sample(&mt, m, replay_stats(r)->last_ts - seed.snapshot_ts);
	if (rc < 0)
		fprintf(stderr, "fragreplay validate: warning: %s; validated the valid prefix\n",
			frt_reader_error(rd));

	/* the model's side at the end */
	struct model_frag_metrics fm;
	model_metrics(m, -1, &fm);
	for (unsigned int o = 0; o < fm.nr_orders && o < NR_ORD; o++)
		for (int mt = 0; mt < MODEL_NR_MT; mt++)
			c.model.free_blocks[o][mt] = fm.nr_free_mt[o][mt];
	memcpy(c.model.pageblocks, fm.pageblocks_mt, sizeof(c.model.pageblocks));
	c.model.thp_ok = model_counter(m, MODEL_THP_FAULT_ALLOC);
	c.model.thp_failed = model_counter(m, MODEL_THP_FAULT_FALLBACK);

	struct line lines[128];
	size_t n = 0;
#define ADD(label, rv, mv)                                                                   \
	do {                                                                                 \
		snprintf(lines[n].name, sizeof(lines[n].name), "%s", label);                 \
		lines[n].real = (double)(rv);                                                \
		lines[n++].model = (double)(mv);                                             \
	} while (0)
	const struct replay_stats *st = replay_stats(r);
	if (c.kernel.have_end) {
		for (int mt = 0; mt < MODEL_NR_PCPTYPES; mt++)
			for (unsigned int o = 0; o < fm.nr_orders && o < NR_ORD; o++) {
				char label[64];
				snprintf(label, sizeof(label), "end free %s order %u", frt_mt_key(mt),
					 o);
				if (c.kernel.free_blocks[o][mt] || c.model.free_blocks[o][mt])
					ADD(label, c.kernel.free_blocks[o][mt], c.model.free_blocks[o][mt]);
			}
		for (int mt = 0; mt < 4; mt++) {
			char label[64];
			snprintf(label, sizeof(label), "end pageblocks %s", frt_mt_key(mt));
			ADD(label, c.kernel.pageblocks[mt], c.model.pageblocks[mt]);
		}
	}
	/* mm_page_alloc_extfrag by (alloc, fallback) type and kind, where either side has any */
	size_t before = n;
	for (int a = 0; a < MODEL_NR_PCPTYPES; a++)
		for (int f = 0; f < MODEL_NR_PCPTYPES; f++)
			for (int k = 1; k >= 0; k--) {
				char label[64];
				uint64_t kv = st->recorded.extfrag[a][f][k], mv = st->model_extfrag[a][f][k];
				snprintf(label, sizeof(label), "fallback %s %s <- %s", k ? "claims" : "steals",
					 frt_mt_key(a), frt_mt_key(f));
				if (kv || mv)
					ADD(label, kv, mv);
			}
	if (n == before)
		ADD("fallbacks (claims and steals)", 0, 0);
	ADD("pcp refills (zone_locked, percpu)", st->recorded.pcp_refills, c.model.pcp_refills);
	ADD("pcp drains (blocks)", st->recorded.pcp_drains, c.model.pcp_drains);
	ADD("THP allocated", st->recorded.thp_ok, c.model.thp_ok);
	ADD("THP failed", st->recorded.thp_failed, c.model.thp_failed);
	if (c.vmstat[0] && c.vmstat[1]) {
		static const struct { const char *name; enum model_counter ctr; } vm[] = {
			{ "compact_stall", MODEL_COMPACT_STALL },
			{ "compact_success", MODEL_COMPACT_SUCCESS },
			{ "compact_fail", MODEL_COMPACT_FAIL },
			{ "compact_migrate_scanned", MODEL_COMPACT_MIGRATE_SCANNED },
			{ "compact_free_scanned", MODEL_COMPACT_FREE_SCANNED },
			{ "compact_daemon_wake", MODEL_COMPACT_DAEMON_WAKE },
			{ "pgmigrate_success", MODEL_PGMIGRATE_SUCCESS },
		};
		for (size_t i = 0; i < sizeof(vm) / sizeof(vm[0]); i++)
			ADD(vm[i].name, vmstat_delta(&c, vm[i].name), model_counter(m, vm[i].ctr));
	}

	printf("trace     %s\nvariant   vanilla\n", path);
	printf("replayed  %" PRIu64 " events; model-only failures %" PRIu64 ", unmatched frees %"
	       PRIu64 " of %" PRIu64 "\n\n", st->events, st->model_failed, st->unmatched_frees,
	       st->frees);
	printf("%-40s %14s %14s %10s\n", "", "kernel", "model", "agreement");
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		double a = agreement(lines[i].real, lines[i].model);
		sum += a;
		printf("%-40s %14.0f %14.0f %9.1f%%\n", lines[i].name, lines[i].real, lines[i].model,
		       100 * a);
	}
	printf("\nfidelity score %.1f / 100 (mean agreement of the %zu lines above; agreement "
	       "= smaller / larger)\n", n ? 100 * sum / (double)n : 0.0, n);
	if (!c.kernel.have_end)
		printf("no end snapshot: free lists and pageblocks not compared\n");
	print_track(&mt);
	ret = EXIT_OK;
out:
	json_decref(c.vmstat[0]);
	json_decref(c.vmstat[1]);
	frt_reader_free(rd);
	replay_free(r);
	model_free_all(m);
	return ret;
}
