// SPDX-License-Identifier: MIT
/*
 * fidelity.c - the model's figures beside the kernel's (fidelity.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fidelity.h"
#include "metrics.h"
#include "session_internal.h"
#include "snapshot.h"

#define NR_ORD MODEL_NR_ORDERS
#define TRACK_MAX 4096

/* an end snapshot part's pageblock types, kept until the zones are known */
struct end_part {
	uint64_t start_pfn;
	unsigned int pageblock_order;
	size_t nr;
	uint8_t *types;
};

struct fidelity_kernel {
	json_t *vmstat[2]; /* start and end snapshots' /proc/vmstat, parsed */
	uint64_t free_blocks[NR_ORD][MODEL_NR_MT];
	uint64_t pageblocks[MODEL_NR_MT];
	struct end_part *parts;
	size_t nr_parts;
	bool have_end;
	bool nomem; /* a part's pageblocks could not be kept */
};

struct fidelity_model {
	uint64_t pcp_refills, pcp_drains;
	uint64_t start_ns;
	int64_t kernel; /* free pages as the trace implies */
	uint64_t next_ns;
	size_t n;
	struct fidelity_sample s[TRACK_MAX];
};

/* ---- the kernel's side ---- */

struct fidelity_kernel *fidelity_kernel_new(void)
{
	return calloc(1, sizeof(struct fidelity_kernel));
}

void fidelity_kernel_free(struct fidelity_kernel *k)
{
	if (!k)
		return;
	json_decref(k->vmstat[0]);
	json_decref(k->vmstat[1]);
	for (size_t i = 0; i < k->nr_parts; i++)
		free(k->parts[i].types);
	free(k->parts);
	free(k);
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

static long long vmstat_delta(const struct fidelity_kernel *k, const char *name)
{
	return json_integer_value(json_object_get(k->vmstat[1], name)) -
	       json_integer_value(json_object_get(k->vmstat[0], name));
}

/* the end snapshot's free blocks and pageblock types; vmstat of both */
void fidelity_kernel_frame(struct fidelity_kernel *k, const struct frt_frame_info *fi,
			   const char *payload, uint32_t len)
{
	if (fi->type != FRT_FRAME_SNAPSHOT)
		return;
	json_t *h = json_loads(payload, JSON_DISABLE_EOF_CHECK, NULL);
	const char *kind = json_string_value(json_object_get(h, "kind"));
	int which = kind && !strcmp(kind, "end") ? 1 : kind && !strcmp(kind, "start") ? 0 : -1;

	if (which >= 0 && !json_integer_value(json_object_get(h, "part")) && !k->vmstat[which])
		k->vmstat[which] = parse_vmstat(json_string_value(
			json_object_get(json_object_get(h, "procfs"), "vmstat")));
	json_decref(h);
	if (which != 1)
		return;
	struct frt_snapshot_part p;
	char err[256];
	if (frt_snapshot_parse(payload, len, &p, err, sizeof(err)))
		return;
	k->have_end = true;
	/* which pageblocks lie in the model's zones is known once a model is:
	 * keep their types until fidelity_kernel_end() */
	struct end_part *parts = realloc(k->parts, (k->nr_parts + 1) * sizeof(*parts));
	uint8_t *types = malloc(p.nr_pageblocks ? p.nr_pageblocks : 1);
	if (parts)
		k->parts = parts;
	if (parts && types) {
		memcpy(types, p.pageblocks, p.nr_pageblocks);
		k->parts[k->nr_parts++] = (struct end_part){ .start_pfn = p.start_pfn,
			.pageblock_order = p.pageblock_order, .nr = p.nr_pageblocks, .types = types };
	} else {
		free(types);
		k->nomem = true;
	}
	struct frt_snapshot_iter it;
	struct frt_snapshot_block b;
	frt_snapshot_iter_init(&it, &p);
	while (frt_snapshot_iter_next(&it, &b) > 0)
		if (b.state == FRT_SNAP_FREE && b.order < NR_ORD && b.cls < MODEL_NR_MT)
			k->free_blocks[b.order][b.cls]++;
}

int fidelity_kernel_end(struct fidelity_kernel *k, const struct model *m)
{
	if (k->nomem)
		return -ENOMEM;
	/* the model counts every pageblock of the zone spans; a pageblock whose
	 * memmap the kernel has not initialised yet becomes MOVABLE when it is */
	for (size_t j = 0; j < k->nr_parts; j++) {
		const struct end_part *p = &k->parts[j];
		for (size_t i = 0; i < p->nr; i++) {
			uint64_t pfn = p->start_pfn + ((uint64_t)i << p->pageblock_order);
			if (model_zone_of(m, pfn) < 0)
				continue;
			k->pageblocks[p->types[i] & FRT_PB_NONE ? MODEL_MT_MOVABLE
								: FRT_PB_MT(p->types[i])]++;
		}
	}
	return 0;
}

/* ---- the model's side ---- */

struct fidelity_model *fidelity_model_new(const struct replay_seed_stats *seed)
{
	struct fidelity_model *fm = calloc(1, sizeof(*fm));

	if (!fm)
		return NULL;
	fm->start_ns = seed->snapshot_ts;
	fm->kernel = (int64_t)seed->free_pages;
	fm->next_ns = seed->snapshot_ts;
	return fm;
}

void fidelity_model_free(struct fidelity_model *fm)
{
	free(fm);
}

void fidelity_model_event(void *ctx, const struct model_event *ev)
{
	struct fidelity_model *fm = ctx;

	if (ev->type == MODEL_EV_ZONE_LOCKED && ev->percpu_refill)
		fm->pcp_refills++;
	else if (ev->type == MODEL_EV_PCPU_DRAIN)
		fm->pcp_drains++;
}

static void track_sample(struct fidelity_model *fm, const struct model *m, uint64_t t_ns)
{
	struct model_frag_metrics mm;

	if (fm->n == TRACK_MAX)
		return;
	model_metrics(m, -1, &mm);
	fm->s[fm->n].t_ns = t_ns;
	fm->s[fm->n].kernel = fm->kernel;
	fm->s[fm->n++].model = (int64_t)(mm.free_pages + mm.pcp_pages);
}

/* pcp pages count as free on both sides */
void fidelity_model_track(struct fidelity_model *fm, const struct model *m,
			  const struct frt_event *ev)
{
	if (ev->ts < fm->start_ns)
		return;
	while (ev->ts >= fm->next_ns) {
		track_sample(fm, m, fm->next_ns - fm->start_ns);
		fm->next_ns += 1000000000ull;
	}
	if (ev->type == FRT_EV_PAGE_ALLOC && ev->alloc.pfn != FRT_PFN_NONE)
		fm->kernel -= 1ll << ev->alloc.order;
	else if (ev->type == FRT_EV_PAGE_FREE)
		fm->kernel += 1ll << ev->free.order;
}

void fidelity_model_end(struct fidelity_model *fm, const struct model *m,
			const struct replay *r)
{
	uint64_t last = replay_stats(r)->last_ts; /* 0: no event after the start snapshot */

	track_sample(fm, m, (last ? last : fm->start_ns) - fm->start_ns);
}

size_t fidelity_track(const struct fidelity_model *fm, const struct fidelity_sample **samples)
{
	*samples = fm->s;
	return fm->n;
}

/* ---- the lines ---- */

static double agreement(double real, double model)
{
	double hi = real > model ? real : model, lo = real > model ? model : real;
	return hi > 0 ? lo / hi : 1.0;
}

static void add(struct fidelity *out, const char *name, int64_t kernel, int64_t model)
{
	struct fidelity_line *l = &out->lines[out->nr_lines++];

	snprintf(l->name, sizeof(l->name), "%s", name);
	l->kernel = kernel;
	l->model = model;
	l->agreement = agreement((double)kernel, (double)model);
}

void fidelity_compute(const struct fidelity_kernel *k, const struct fidelity_model *fm,
		      const struct model *m, const struct replay *r, struct fidelity *out)
{
	const struct replay_stats *st = replay_stats(r);
	struct model_frag_metrics mm;
	char label[64];

	memset(out, 0, sizeof(*out));
	out->end_snapshot = k->have_end;
	model_metrics(m, -1, &mm);
	if (k->have_end) {
		for (int mt = 0; mt < MODEL_NR_PCPTYPES; mt++)
			for (unsigned int o = 0; o < mm.nr_orders && o < NR_ORD; o++) {
				snprintf(label, sizeof(label), "end free %s order %u",
					 frt_mt_key(mt), o);
				if (k->free_blocks[o][mt] || mm.nr_free_mt[o][mt])
					add(out, label, (int64_t)k->free_blocks[o][mt],
					    (int64_t)mm.nr_free_mt[o][mt]);
			}
		for (int mt = 0; mt < 4; mt++) {
			snprintf(label, sizeof(label), "end pageblocks %s", frt_mt_key(mt));
			add(out, label, (int64_t)k->pageblocks[mt], (int64_t)mm.pageblocks_mt[mt]);
		}
	}
	/* mm_page_alloc_extfrag by (alloc, fallback) type and kind, where either side has any */
	size_t before = out->nr_lines;
	for (int a = 0; a < MODEL_NR_PCPTYPES; a++)
		for (int f = 0; f < MODEL_NR_PCPTYPES; f++)
			for (int c = 1; c >= 0; c--) {
				uint64_t kv = st->recorded.extfrag[a][f][c], mv = st->model_extfrag[a][f][c];
				snprintf(label, sizeof(label), "fallback %s %s <- %s",
					 c ? "claims" : "steals", frt_mt_key(a), frt_mt_key(f));
				if (kv || mv)
					add(out, label, (int64_t)kv, (int64_t)mv);
			}
	if (out->nr_lines == before)
		add(out, "fallbacks (claims and steals)", 0, 0);
	add(out, "pcp refills (zone_locked, percpu)", (int64_t)st->recorded.pcp_refills,
	    (int64_t)fm->pcp_refills);
	add(out, "pcp drains (blocks)", (int64_t)st->recorded.pcp_drains, (int64_t)fm->pcp_drains);
	add(out, "THP allocated", (int64_t)st->recorded.thp_ok,
	    (int64_t)model_counter(m, MODEL_THP_FAULT_ALLOC));
	add(out, "THP failed", (int64_t)st->recorded.thp_failed,
	    (int64_t)model_counter(m, MODEL_THP_FAULT_FALLBACK));
	if (k->vmstat[0] && k->vmstat[1]) {
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
			add(out, vm[i].name, vmstat_delta(k, vm[i].name),
			    (int64_t)model_counter(m, vm[i].ctr));
	}
	double sum = 0;
	for (size_t i = 0; i < out->nr_lines; i++)
		sum += out->lines[i].agreement;
	out->score = out->nr_lines ? 100 * sum / (double)out->nr_lines : 0.0;
}
