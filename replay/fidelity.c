// SPDX-License-Identifier: MIT
/*
 * fidelity.c - the model's figures beside the kernel's (fidelity.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fidelity.h"
#include "metrics.h"
#include "procfs.h"
#include "session_internal.h"
#include "snapshot.h"

#define NR_ORD MODEL_NR_ORDERS
#define TRACK_MAX 4096

#define MAX_ZONES 8 /* of node 0: DMA, DMA32, Normal, Movable, Device */

/* one snapshot's pageblock bytes (FORMAT.md §8.2), part by part */
struct pb_part {
	uint64_t start_pfn;
	size_t nr;
	uint8_t *bytes;
};
struct pb_map {
	unsigned int order;
	struct pb_part *parts;
	size_t nr_parts;
};

/* a zone of node 0 as the end snapshot's part 0 lists it, with its free blocks */
struct kzone {
	char name[16];
	uint64_t start_pfn, end_pfn;
	uint64_t free[NR_ORD][MODEL_NR_MT];
};

struct fidelity_kernel {
	char *vmstat[2];        /* start and end snapshots' /proc/vmstat text */
	/* when the end snapshot's walk began (its part 0's "ts"; 0: not said):
	 * its /proc copies were read just before (the start's: the seed's
	 * snapshot_ts, fidelity_model's start_ns) */
	uint64_t end_ts;
	char *pagetypeinfo;     /* the end snapshot's /proc/pagetypeinfo, read before its walk */
	struct pb_map pb[2];    /* start and end snapshots' pageblock bytes */
	struct kzone zone[MAX_ZONES];
	unsigned int nr_zones;  /* 0 until the end snapshot's part 0 */
	unsigned int other_nodes; /* NUMA nodes beside 0 with pages, in that part 0 */
	bool have_end;
	bool nomem;             /* something could not be kept */
	/* the kernel's end state, once fidelity_kernel_end() has run */
	uint64_t free_blocks[NR_ORD][MODEL_NR_MT];
	uint64_t pageblocks[MODEL_NR_MT];
	const char *end_source;   /* "pagetypeinfo", "snapshot" (its walk), or NULL: no end */
	unsigned int capped_cells; /* pagetypeinfo's ">100000": at least that, the walk's if more */
	/* the end snapshot's walk: pageblocks holding an allocation whose mobility
	 * differs from the block's type, and holding any unmovable or reclaimable one */
	uint64_t mixed_pageblocks, tainted_pageblocks, mixed_sure_pageblocks;
	int64_t frozen_pages; /* the end snapshot's totals.frozen_pages; -1: not said */
};

struct fidelity_model {
	uint64_t pcp_refills, pcp_drains;
	uint64_t start_ns;
	int64_t start_frozen;  /* the start snapshot's pcp pages, -1: not said */
	uint64_t removed;      /* pages hot-removed during the trace */
	int64_t kernel; /* free pages as the trace implies */
	/* the model's counters when the trace passed the end snapshot's
	 * /proc/vmstat read (fidelity_model_set_vmstat_end()) */
	uint64_t vmstat_end_ns;
	bool at_vmstat_end;
	uint64_t ctr_at_vmstat_end[MODEL_NR_COUNTERS];
	uint64_t next_ns;
	size_t n;
	struct fidelity_sample s[TRACK_MAX];
};

/* ---- the kernel's side ---- */

struct fidelity_kernel *fidelity_kernel_new(void)
{
	struct fidelity_kernel *k = calloc(1, sizeof(struct fidelity_kernel));

	if (k)
		k->frozen_pages = -1;
	return k;
}

static void pb_map_free(struct pb_map *map)
{
	for (size_t i = 0; i < map->nr_parts; i++)
		free(map->parts[i].bytes);
	free(map->parts);
}

void fidelity_kernel_free(struct fidelity_kernel *k)
{
	if (!k)
		return;
	free(k->vmstat[0]);
	free(k->vmstat[1]);
	free(k->pagetypeinfo);
	pb_map_free(&k->pb[0]);
	pb_map_free(&k->pb[1]);
	free(k);
}

static long long vmstat_delta(const struct fidelity_kernel *k, const char *name)
{
	int64_t v[2] = { 0, 0 };

	frt_vmstat_value(k->vmstat[0], name, &v[0]);
	frt_vmstat_value(k->vmstat[1], name, &v[1]);
	return v[1] - v[0];
}

/* a part's pageblock bytes kept: which pageblocks exist is known once all parts are */
static int pb_map_add(struct pb_map *map, const struct frt_snapshot_part *p)
{
	struct pb_part *parts = realloc(map->parts, (map->nr_parts + 1) * sizeof(*parts));
	uint8_t *bytes = malloc(p->nr_pageblocks ? p->nr_pageblocks : 1);

	if (parts)
		map->parts = parts;
	if (!parts || !bytes) {
		free(bytes);
		return -ENOMEM;
	}
	memcpy(bytes, p->pageblocks, p->nr_pageblocks);
	map->order = p->pageblock_order;
	map->parts[map->nr_parts++] = (struct pb_part){ .start_pfn = p->start_pfn,
		.nr = p->nr_pageblocks, .bytes = bytes };
	return 0;
}

/* the pageblock byte of @pfn; FRT_PB_NONE where no part covers it */
static uint8_t pb_map_byte(const struct pb_map *map, uint64_t pfn)
{
	for (size_t i = 0; i < map->nr_parts; i++) {
		const struct pb_part *p = &map->parts[i];
		if (pfn >= p->start_pfn && (pfn - p->start_pfn) >> map->order < p->nr)
			return p->bytes[(pfn - p->start_pfn) >> map->order];
	}
	return FRT_PB_NONE;
}

/* node 0's zones from the end snapshot's part 0 (FORMAT.md §8.2 "zones") */
static void end_zones(struct fidelity_kernel *k, json_t *h)
{
	json_t *z;
	size_t i;

	json_int_t last_other = 0;

	json_array_foreach(json_object_get(h, "zones"), i, z) {
		uint64_t start = (uint64_t)json_integer_value(json_object_get(z, "start_pfn"));
		uint64_t spanned = (uint64_t)json_integer_value(json_object_get(z, "spanned"));
		const char *name = json_string_value(json_object_get(z, "name"));
		json_int_t node = json_integer_value(json_object_get(z, "node"));

		if (node > 0 && spanned && node != last_other) {
			k->other_nodes++; /* zoneinfo lists a node's zones together */
			last_other = node;
		}

		if (json_integer_value(json_object_get(z, "node")) || !name || !spanned ||
		    k->nr_zones == MAX_ZONES)
			continue;
		struct kzone *kz = &k->zone[k->nr_zones++];
		snprintf(kz->name, sizeof(kz->name), "%s", name);
		kz->start_pfn = start;
		kz->end_pfn = start + spanned;
	}
	if (!k->nr_zones) /* a part 0 without zones: one that holds everything */
		k->zone[k->nr_zones++] = (struct kzone){ .end_pfn = UINT64_MAX };
}

static struct kzone *zone_of(struct fidelity_kernel *k, uint64_t pfn)
{
	for (unsigned int z = 0; z < k->nr_zones; z++)
		if (pfn >= k->zone[z].start_pfn && pfn < k->zone[z].end_pfn)
			return &k->zone[z];
	return NULL;
}

#define USE_MIXED 1
#define USE_TAINTED 2
#define USE_MIXED_SURE 4 /* mixed by an allocation no pcp page can be */

/*
 * An allocated block of the end snapshot into @use, a byte per pageblock of
 * part @p: mixed where its mobility differs from the pageblock's type (the
 * byte as it is, so every allocation in a HIGHATOMIC or CMA block is mixed,
 * as the model counts them: core/metrics.c), tainted where it is unmovable
 * or reclaimable. Pageblocks the walk marks FRT_PB_NONE are left out.
 */
static void pageblock_use(const struct frt_snapshot_part *p, const struct frt_snapshot_block *b,
			  uint8_t *use)
{
	uint64_t first = (b->pfn - p->start_pfn) >> p->pageblock_order;
	uint64_t last = (b->pfn + (1ull << b->order) - 1 - p->start_pfn) >> p->pageblock_order;

	if (b->pfn < p->start_pfn)
		return;
	for (uint64_t i = first; i <= last && i < p->nr_pageblocks; i++) {
		uint8_t pb = p->pageblocks[i];
		if (pb & FRT_PB_NONE)
			continue;
		bool mixed = FRT_PB_MT(pb) != b->cls;
		bool pcp_like = b->cls == FRT_MOB_UNMOVABLE && !b->order;
		use[i] |= (mixed ? USE_MIXED : 0) | (mixed && !pcp_like ? USE_MIXED_SURE : 0) |
			  (b->cls != FRT_MOB_MOVABLE ? USE_TAINTED : 0);
	}
}

/* vmstat of both snapshots; the end snapshot's free blocks by zone and its
 * mixed and tainted pageblocks; both snapshots' pageblock bytes */
void fidelity_kernel_frame(struct fidelity_kernel *k, const struct frt_frame_info *fi,
			   const char *payload, uint32_t len)
{
	if (fi->type != FRT_FRAME_SNAPSHOT)
		return;
	json_t *h = json_loads(payload, JSON_DISABLE_EOF_CHECK, NULL);
	const char *kind = json_string_value(json_object_get(h, "kind"));
	int which = kind && !strcmp(kind, "end") ? 1 : kind && !strcmp(kind, "start") ? 0 : -1;
	bool part0 = !json_integer_value(json_object_get(h, "part"));

	if (which == 1 && part0 && !k->end_ts)
		k->end_ts = (uint64_t)json_integer_value(json_object_get(h, "ts"));
	if (which >= 0 && part0 && !k->vmstat[which]) {
		const char *text = json_string_value(
			json_object_get(json_object_get(h, "procfs"), "vmstat"));
		if (text && !(k->vmstat[which] = strdup(text)))
			k->nomem = true;
	}
	json_t *frozen = json_object_get(json_object_get(h, "totals"), "frozen_pages");
	if (which == 1 && json_is_integer(frozen))
		k->frozen_pages = json_integer_value(frozen);
	if (which == 1 && part0) {
		const char *text = json_string_value(
			json_object_get(json_object_get(h, "procfs"), "pagetypeinfo"));
		if (text && !k->pagetypeinfo && !(k->pagetypeinfo = strdup(text)))
			k->nomem = true;
		end_zones(k, h);
	}
	json_decref(h);
	struct frt_snapshot_part p;
	char err[256];
	if (which < 0 || frt_snapshot_parse(payload, len, &p, err, sizeof(err)))
		return;
	if (pb_map_add(&k->pb[which], &p))
		k->nomem = true;
	if (which != 1)
		return;
	k->have_end = true;
	struct frt_snapshot_iter it;
	struct frt_snapshot_block b;
	struct kzone *z;
	uint8_t *use = calloc(p.nr_pageblocks ? p.nr_pageblocks : 1, 1);
	if (!use)
		k->nomem = true;
	frt_snapshot_iter_init(&it, &p);
	while (frt_snapshot_iter_next(&it, &b) > 0) {
		if (b.state == FRT_SNAP_FREE && b.order < NR_ORD && b.cls < MODEL_NR_MT &&
		    (z = zone_of(k, b.pfn)))
			z->free[b.order][b.cls]++;
		if (b.state == FRT_SNAP_ALLOCATED && use)
			pageblock_use(&p, &b, use);
	}
	for (size_t i = 0; use && i < p.nr_pageblocks; i++) {
		k->mixed_pageblocks += !!(use[i] & USE_MIXED);
		k->tainted_pageblocks += !!(use[i] & USE_TAINTED);
		k->mixed_sure_pageblocks += !!(use[i] & USE_MIXED_SURE);
	}
	free(use);
}

/*
 * A zone's free blocks and pageblocks as the end snapshot's /proc/pagetypeinfo
 * shows them. A count it prints as ">100000" is only a lower bound
 * (pagetypeinfo_showfree_print() stops counting there): the walk's, if larger.
 */
static void zone_from_pagetypeinfo(struct fidelity_kernel *k, const struct kzone *z,
				   const struct frt_pt_zone *pz, unsigned int nr_orders)
{
	for (unsigned int o = 0; o < nr_orders && o < NR_ORD; o++)
		for (int mt = 0; mt < MODEL_NR_MT; mt++) {
			uint64_t n = pz->free[o][mt];
			if (pz->capped[o] & (1u << mt)) {
				n = z->free[o][mt] > n ? z->free[o][mt] : n;
				k->capped_cells++;
			}
			k->free_blocks[o][mt] += n;
		}
	for (int mt = 0; mt < MODEL_NR_MT; mt++)
		k->pageblocks[mt] += pz->blocks[mt];
}

/*
 * A zone's free blocks and pageblocks as the end snapshot's walk saw them,
 * where its /proc/pagetypeinfo copy is missing. Pageblocks are counted as
 * pagetypeinfo_showblockcount_print() does (a step of a pageblock from the
 * zone's start), leaving out FRT_PB_NONE, where no pageblock is (a hole, a
 * memmap not initialised yet, a block pagetypeinfo does not count in its
 * zone).
 */
static void zone_from_walk(struct fidelity_kernel *k, const struct kzone *z)
{
	const struct pb_map *map = &k->pb[1];
	uint64_t pb_nr = 1ull << map->order, span_end = 0;

	for (size_t i = 0; i < map->nr_parts; i++)
		if (map->parts[i].start_pfn + (map->parts[i].nr << map->order) > span_end)
			span_end = map->parts[i].start_pfn + (map->parts[i].nr << map->order);
	for (unsigned int o = 0; o < NR_ORD; o++)
		for (int mt = 0; mt < MODEL_NR_MT; mt++)
			k->free_blocks[o][mt] += z->free[o][mt];
	for (uint64_t pfn = z->start_pfn; pfn < z->end_pfn && pfn < span_end; pfn += pb_nr) {
		uint8_t b = pb_map_byte(map, pfn);
		if (!(b & FRT_PB_NONE) && FRT_PB_MT(b) < MODEL_NR_MT)
			k->pageblocks[FRT_PB_MT(b)]++;
	}
}

/*
 * Node 0's end state, zone by zone: from the end snapshot's /proc/pagetypeinfo
 * where it carries one (a zone it does not list has no pages), else from the
 * walk.
 */
int fidelity_kernel_end(struct fidelity_kernel *k)
{
	struct frt_pagetypeinfo *pt = NULL;

	if (k->nomem)
		return -ENOMEM;
	if (!k->have_end)
		return 0;
	if (k->pagetypeinfo) {
		if (!(pt = malloc(sizeof(*pt))))
			return -ENOMEM;
		if (frt_pagetypeinfo_parse(k->pagetypeinfo, pt)) {
			free(pt);
			pt = NULL;
		}
	}
	for (unsigned int i = 0; i < k->nr_zones; i++) {
		const struct frt_pt_zone *pz = pt ? frt_pagetypeinfo_zone(pt, 0, k->zone[i].name)
						  : NULL;
		if (pz)
			zone_from_pagetypeinfo(k, &k->zone[i], pz, pt->nr_orders);
		else if (!pt)
			zone_from_walk(k, &k->zone[i]);
	}
	k->end_source = pt ? "pagetypeinfo" : "snapshot";
	free(pt);
	return 0;
}

int fidelity_kernel_vmstat_delta(const struct fidelity_kernel *k, const char *name,
				 int64_t *delta)
{
	int64_t v[2];

	if (!k->vmstat[0] || !k->vmstat[1] || frt_vmstat_value(k->vmstat[0], name, &v[0]) ||
	    frt_vmstat_value(k->vmstat[1], name, &v[1]))
		return -ENOENT;
	*delta = v[1] - v[0];
	return 0;
}

void fidelity_kernel_state(const struct fidelity_kernel *k, struct fidelity_kernel_state *out)
{
	memset(out, 0, sizeof(*out));
	out->end_source = k->end_source;
	if (!k->end_source)
		return;
	memcpy(out->free_blocks, k->free_blocks, sizeof(out->free_blocks));
	memcpy(out->pageblocks, k->pageblocks, sizeof(out->pageblocks));
	out->pageblock_order = k->pb[1].order;
	out->mixed_pageblocks = k->mixed_pageblocks;
	out->tainted_pageblocks = k->tainted_pageblocks;
	out->frozen_pages = k->frozen_pages;
	out->mixed_sure_pageblocks = k->mixed_sure_pageblocks;
}

/* ---- the model's side ---- */

struct fidelity_model *fidelity_model_new(const struct replay_seed_stats *seed)
{
	struct fidelity_model *fm = calloc(1, sizeof(*fm));

	if (!fm)
		return NULL;
	fm->start_ns = seed->snapshot_ts;
	fm->start_frozen = seed->frozen_pages;
	fm->removed = seed->unplug_pfns;
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
			  const struct frt_event *ev, bool shown)
{
	if (ev->ts < fm->start_ns)
		return;
	/* past the end snapshot's /proc/vmstat read: the model's counters as
	 * they were then (before this event: it may be one the walks show,
	 * which moves the model's clock all the same) */
	if (ev->ts >= fm->vmstat_end_ns && fm->vmstat_end_ns && !fm->at_vmstat_end) {
		for (int c = 0; c < MODEL_NR_COUNTERS; c++)
			fm->ctr_at_vmstat_end[c] = model_counter(m, (enum model_counter)c);
		fm->at_vmstat_end = true;
	}
	if (shown)
		return;
	while (ev->ts >= fm->next_ns) {
		/* full, or at the end of time (a crafted timestamp): no more samples,
		 * and no loop of a step per second across the gap */
		if (fm->n == TRACK_MAX || fm->next_ns > UINT64_MAX - 1000000000ull) {
			fm->next_ns = UINT64_MAX;
			break;
		}
		track_sample(fm, m, fm->next_ns - fm->start_ns);
		fm->next_ns += 1000000000ull;
	}
	/* an order no kernel has is a crafted record, not pages (the engine skips
	 * it too): no shift past 63. Pages of another NUMA node (no zone of the
	 * model's) are not node 0's free pages, which the model's are */
	if (ev->type == FRT_EV_PAGE_ALLOC && ev->alloc.pfn != FRT_PFN_NONE &&
	    ev->alloc.order <= MODEL_MAX_ORDER_LIMIT && model_zone_of(m, ev->alloc.pfn) >= 0)
		fm->kernel -= 1ll << ev->alloc.order;
	else if (ev->type == FRT_EV_PAGE_FREE && ev->free.order <= MODEL_MAX_ORDER_LIMIT &&
		 model_zone_of(m, ev->free.pfn) >= 0)
		fm->kernel += 1ll << ev->free.order;
}

void fidelity_model_set_vmstat_end(struct fidelity_model *fm, uint64_t ns)
{
	fm->vmstat_end_ns = ns;
}

void fidelity_model_adjust(struct fidelity_model *fm, int64_t pages)
{
	fm->kernel += pages;
}

void fidelity_model_end(struct fidelity_model *fm, const struct model *m,
			const struct replay *r)
{
	uint64_t last = replay_stats(r)->last_ts; /* 0: no event after the start snapshot */

	track_sample(fm, m, (last ? last : fm->start_ns) - fm->start_ns);
}

/* the end snapshot against the trace's end (fidelity.h, fidelity_notes()) */
struct end_apart {
	uint64_t end;      /* the end snapshot's free pages (pcp included when said) */
	int64_t low, high; /* where the trace's events end */
	bool pcp;
	double pct;        /* how far apart, 0: within [low, high] */
};

static bool end_apart(const struct fidelity_kernel *k, const struct fidelity_model *fm,
		      const struct replay_stats *rst, struct end_apart *a)
{
	struct fidelity_kernel_state ks;
	const struct fidelity_sample *t;
	size_t n = fm ? fidelity_track(fm, &t) : 0;

	memset(a, 0, sizeof(*a));
	fidelity_kernel_state(k, &ks);
	if (!ks.end_source || !n)
		return false;
	for (unsigned int o = 0; o < MODEL_NR_ORDERS; o++) /* the lists validate's lines compare */
		for (int mt = 0; mt < MODEL_NR_PCPTYPES; mt++)
			a->end += ks.free_blocks[o][mt] << o;
	if (!a->end)
		return false;
	a->low = a->high = t[n - 1].kernel - (int64_t)fm->removed;
	a->pcp = ks.frozen_pages >= 0 && fm->start_frozen >= 0;
	if (a->pcp) { /* pcp pages on both sides */
		a->end += (uint64_t)ks.frozen_pages;
		if ((uint64_t)fm->start_frozen > rst->unseen_free_pages)
			a->high += fm->start_frozen - (int64_t)rst->unseen_free_pages;
	}
	int64_t e = (int64_t)a->end, near = e < a->low ? a->low : e > a->high ? a->high : e;
	a->pct = 100.0 * (double)llabs(e - near) / (double)a->end;
	return a->pct > 5.0;
}

void fidelity_notes(json_t *notes, const struct fidelity_kernel *k, const struct fidelity_model *fm,
		    const struct replay_stats *rst)
{
	struct end_apart a;
	char at[96];

	if (!end_apart(k, fm, rst, &a))
		return;
	if (a.high > a.low)
		snprintf(at, sizeof(at), "between %" PRId64 " and %" PRId64, a.low, a.high);
	else
		snprintf(at, sizeof(at), "at %" PRId64, a.low);
	json_array_append_new(notes, json_sprintf(
		"the end snapshot holds %" PRIu64 " free pages%s where the trace's events end %s "
		"(start snapshot + frees - allocations%s%s): %.1f%% apart, above 5%%. The host moved "
		"between the last event and the end walk, or while a walk ran: the end free lists "
		"and pageblocks validate compares are of another moment than the model's end, and "
		"the free pages per order cannot be checked", a.end,
		a.pcp ? " (pcp pages included)" : "", at, fm->removed ? " - memory hot-removed" : "",
		a.high > a.low ? "; the start's pcp pages the trace did not allocate, which the walk "
		"writes allocated, may be free or not" : "", a.pct));
}

size_t fidelity_track(const struct fidelity_model *fm, const struct fidelity_sample **samples)
{
	*samples = fm->s;
	return fm->n;
}

/* ---- the lines ---- */

#define HPAGE_PMD_NR 512 /* a THP fault's pages (x86-64) */

/* @unit: the pages one count of the line stands for (README, "Fidelity") */
static void add(struct fidelity *out, const char *name, int64_t kernel, int64_t model,
		uint64_t unit)
{
	struct fidelity_line *l = &out->lines[out->nr_lines++];
	uint64_t k = (uint64_t)llabs(kernel), m = (uint64_t)llabs(model);

	snprintf(l->name, sizeof(l->name), "%s", name);
	l->kernel = kernel;
	l->model = model;
	l->weight = (k > m ? k : m) * unit;
	l->agreement = !l->weight ? 1.0 : (kernel < 0) != (model < 0) ? 0.0
					 : (double)(k < m ? k : m) / (double)(k > m ? k : m);
}

void fidelity_score(struct fidelity *f)
{
	double agree = 0, sum = 0, weight = 0;

	f->nr_scored = 0;
	for (size_t i = 0; i < f->nr_lines; i++) {
		const struct fidelity_line *l = &f->lines[i];
		if (!l->weight) /* both 0: nothing to agree on */
			continue;
		f->nr_scored++;
		sum += l->agreement;
		agree += l->agreement * (double)l->weight;
		weight += (double)l->weight;
	}
	f->score = weight > 0 ? 100 * agree / weight : 0.0;
	f->line_mean = f->nr_scored ? 100 * sum / (double)f->nr_scored : 0.0;
}

/*
 * The model's pageblocks, stepped through as the kernel's are: one the model
 * has, that is one the start snapshot had (the model was seeded with it) or
 * one holding a page the model manages (memory it brought online since).
 * Holes and memmap never initialised are in neither.
 */
static void model_pageblocks(const struct fidelity_kernel *k, const struct model *m,
			     uint64_t out[MODEL_NR_MT])
{
	uint64_t pb_nr = 1ull << model_knob(m, MODEL_KNOB_PAGEBLOCK_ORDER);
	struct model_zone_info zi;
	struct model_page_info pi;

	memset(out, 0, MODEL_NR_MT * sizeof(*out));
	for (unsigned int z = 0; z < model_nr_zones(m); z++) {
		model_zone_info(m, z, &zi);
		for (uint64_t pfn = zi.start_pfn; pfn < zi.end_pfn; pfn += pb_nr) {
			bool has = !(pb_map_byte(&k->pb[0], pfn) & FRT_PB_NONE);
			uint64_t p = pfn & ~(pb_nr - 1), end = p + pb_nr;
			for (p = p < zi.start_pfn ? zi.start_pfn : p; !has && p < end && p < zi.end_pfn;
			     p++)
				has = !model_page_info(m, p, &pi) && pi.state != MODEL_PAGE_UNMANAGED;
			int mt = model_pageblock_mt(m, pfn);
			if (has && mt >= 0 && mt < MODEL_NR_MT)
				out[mt]++;
		}
	}
}

void fidelity_compute(const struct fidelity_kernel *k, const struct fidelity_model *fm,
		      const struct model *m, const struct replay *r, struct fidelity *out)
{
	const struct replay_stats *st = replay_stats(r);
	struct model_frag_metrics mm;
	uint64_t pb_nr = 1ull << model_knob(m, MODEL_KNOB_PAGEBLOCK_ORDER);
	char label[64];

	memset(out, 0, sizeof(*out));
	struct end_apart a;
	if (end_apart(k, fm, st, &a))
		out->end_apart_pct = a.pct;
	out->start_pcp_pages = fm ? fm->start_frozen : -1;
	out->end_pcp_pages = k->frozen_pages;
	out->start_pcp_used = st->unseen_free_pages;
	out->allocs = st->allocs;
	out->allocs_at_kernel_pfn = st->allocs_at_kernel_pfn;
	out->end_snapshot = k->have_end;
	out->end_source = k->end_source;
	out->capped_cells = k->capped_cells;
	model_metrics(m, -1, &mm);
	if (k->have_end) {
		for (int mt = 0; mt < MODEL_NR_PCPTYPES; mt++)
			for (unsigned int o = 0; o < mm.nr_orders && o < NR_ORD; o++) {
				snprintf(label, sizeof(label), "end free %s order %u",
					 frt_mt_key(mt), o);
				if (k->free_blocks[o][mt] || mm.nr_free_mt[o][mt])
					add(out, label, (int64_t)k->free_blocks[o][mt],
					    (int64_t)mm.nr_free_mt[o][mt], 1ull << o);
			}
		uint64_t pageblocks[MODEL_NR_MT];
		model_pageblocks(k, m, pageblocks);
		for (int mt = 0; mt < 4; mt++) {
			snprintf(label, sizeof(label), "end pageblocks %s", frt_mt_key(mt));
			add(out, label, (int64_t)k->pageblocks[mt], (int64_t)pageblocks[mt],
			    pb_nr);
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
				if (kv || mv) /* a claim retypes a pageblock, a steal mixes one */
					add(out, label, (int64_t)kv, (int64_t)mv, pb_nr);
			}
	if (out->nr_lines == before)
		add(out, "fallbacks (claims and steals)", 0, 0, pb_nr);
	/* a block each, of order 0 mostly: a page */
	add(out, "pcp refills (zone_locked, percpu)", (int64_t)st->recorded.pcp_refills,
	    (int64_t)fm->pcp_refills, 1);
	add(out, "pcp drains (blocks)", (int64_t)st->recorded.pcp_drains, (int64_t)fm->pcp_drains,
	    1);
	/*
	 * /proc/vmstat's window against the trace's: each snapshot's copy is
	 * read just before its walk. A recorder before format 1.2 switched
	 * capture on after the start snapshot and off before the end one, so
	 * the deltas count what the trace never saw (0.2-0.6 s at each end of
	 * the A/B samples: a third of their THP faults); 1.2 records through
	 * both walks, and the model's counters are taken when the trace passes
	 * the end read (fidelity_model_track()).
	 */
	bool vmstat = k->vmstat[0] && k->vmstat[1];
	out->vmstat_window = vmstat && fm->start_ns && k->end_ts > fm->start_ns &&
			     st->last_ts;
	if (out->vmstat_window) {
		double win = (double)(k->end_ts - fm->start_ns) / 1e9;
		double tol = win / 100 > 0.01 ? win / 100 : 0.01;

		out->vmstat_s = win;
		out->start_gap_s = ((double)st->first_ts - (double)fm->start_ns) / 1e9;
		out->end_gap_s = ((double)k->end_ts - (double)st->last_ts) / 1e9;
		out->vmstat_covered = out->start_gap_s <= tol && out->end_gap_s <= tol;
		out->model_at_vmstat_end = out->vmstat_covered && fm->at_vmstat_end;
	}
	/* a window of the trace's own: vmstat's counts only where they cover it */
	bool vmstat_ok = vmstat && (!out->vmstat_window || out->vmstat_covered);
	/* the model's side of a line vmstat gives: over vmstat's window */
#define MODEL_VM(c) (int64_t)(out->model_at_vmstat_end && vmstat_ok ? fm->ctr_at_vmstat_end[c] \
							       : model_counter(m, c))
	/* THP faults: /proc/vmstat's own count where both snapshots carry it
	 * and the trace covers its window, else the trace's tries counted per
	 * fault as vmstat would; so too where the start snapshot's walk already
	 * shows some (format 1.2): vmstat counted them, the model has them in
	 * its seed and replays none. On a host with nodes beside 0, vmstat counts
	 * every node's and the model is node 0's: the trace's, whose served
	 * faults the engine counts by pfn (node 0's only; a failed fault names
	 * no node and counts wherever it was) */
	bool thp_vmstat = vmstat_ok && !k->other_nodes && !st->walk_thp_reflected;
	out->thp_reflected = st->walk_thp_reflected;
	out->thp_source = thp_vmstat ? "vmstat" : "trace";
	add(out, "thp_fault_alloc",
	    thp_vmstat ? vmstat_delta(k, "thp_fault_alloc") : (int64_t)st->recorded.thp_fault_alloc,
	    thp_vmstat ? MODEL_VM(MODEL_THP_FAULT_ALLOC)
		       : (int64_t)model_counter(m, MODEL_THP_FAULT_ALLOC), HPAGE_PMD_NR);
	add(out, "thp_fault_fallback",
	    thp_vmstat ? vmstat_delta(k, "thp_fault_fallback")
		       : (int64_t)st->recorded.thp_fault_fallback,
	    thp_vmstat ? MODEL_VM(MODEL_THP_FAULT_FALLBACK)
		       : (int64_t)model_counter(m, MODEL_THP_FAULT_FALLBACK), HPAGE_PMD_NR);
	/*
	 * Pages, or runs and wakeups of no fixed size: a page each. Where
	 * vmstat's count cannot be used (its window is not the trace's, or it
	 * counts every NUMA node), the trace's own, where it has one:
	 *  - the scanners' pages: the isolate events' nr_scanned, which vmstat
	 *    counts in the same functions (isolate_migratepages_block(),
	 *    isolate_freepages_block(), fast_isolate_freepages()); their
	 *    start_pfn gives the node;
	 *  - compact_daemon_wake: mm_compaction_kcompactd_wake, which names its
	 *    node (kcompactd_do_work() fires it where it counts the wake);
	 *  - compact_stall: mm_compaction_try_to_compact_pages, a direct
	 *    compaction begun; __alloc_pages_direct_compact() counts a stall
	 *    unless every zone skipped it, so a try is at most a stall (on the
	 *    samples with both, equal on 6 of 7);
	 *  - pgmigrate_success: mm_migrate_pages' succeeded, which
	 *    migrate_pages() adds to vmstat beside it (equal on every sample
	 *    whose trace covers vmstat's window).
	 * The last two name no node. A count of 0 where vmstat's is not may be
	 * an event the recorder left out: not compared. compact_success and
	 * _fail have no event.
	 */
	static const struct {
		const char *name;
		enum model_counter ctr;
		size_t trace; /* offset of the trace's count in st->recorded, or 0: none */
		bool by_node; /* the trace's count is node 0's */
	} vm[] = {
		{ "compact_stall", MODEL_COMPACT_STALL, offsetof(struct replay_stats, recorded.compact_tries),
		  false },
		{ "compact_success", MODEL_COMPACT_SUCCESS, 0, false },
		{ "compact_fail", MODEL_COMPACT_FAIL, 0, false },
		{ "compact_migrate_scanned", MODEL_COMPACT_MIGRATE_SCANNED,
		  offsetof(struct replay_stats, recorded.compact_migrate_scanned), true },
		{ "compact_free_scanned", MODEL_COMPACT_FREE_SCANNED,
		  offsetof(struct replay_stats, recorded.compact_free_scanned), true },
		{ "compact_daemon_wake", MODEL_COMPACT_DAEMON_WAKE,
		  offsetof(struct replay_stats, recorded.kcompactd_wakes), true },
		{ "pgmigrate_success", MODEL_PGMIGRATE_SUCCESS,
		  offsetof(struct replay_stats, recorded.migrated_pages), false },
	};
	for (size_t i = 0; vmstat && i < sizeof(vm) / sizeof(vm[0]); i++) {
		uint64_t tr = vm[i].trace ? *(const uint64_t *)((const char *)st + vm[i].trace) : 0;
		bool by_trace = vm[i].trace && (vm[i].by_node || !k->other_nodes) &&
				(tr || !vmstat_delta(k, vm[i].name));

		if (!k->other_nodes && vmstat_ok)
			add(out, vm[i].name, vmstat_delta(k, vm[i].name), MODEL_VM(vm[i].ctr), 1);
		else if (by_trace)
			add(out, vm[i].name, (int64_t)tr, (int64_t)model_counter(m, vm[i].ctr), 1);
		else if (k->other_nodes) /* every node's: not set against node 0's model */
			out->vmstat_whole_host[out->nr_vmstat_whole_host++] = vm[i].name;
		else /* counted over a window the trace does not cover */
			out->vmstat_window_out[out->nr_vmstat_window_out++] = vm[i].name;
	}
#undef MODEL_VM
	out->other_nodes = k->other_nodes;
	fidelity_score(out);
}
