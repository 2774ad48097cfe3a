/* SPDX-License-Identifier: MIT */
/*
 * setup.c - building the model of a traced host (see setup.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "setup.h"
#include "snapshot.h"
#include "variant.h"
#include "trace.h"

/*
 * The trace numbers zones, migratetypes and mobilities as the kernel does
 * (traces/event.h, snapshot.h), and so does the model (model.h): the model
 * is seeded with the trace's numbers as they are, and the reports name the
 * model's zones and types from the trace format's tables.
 */
#define SAME_NUMBER(model, trace) _Static_assert((int)(model) == (int)(trace), #model " != " #trace)
SAME_NUMBER(MODEL_ZONE_DMA, FRT_ZONE_DMA);
SAME_NUMBER(MODEL_ZONE_DMA32, FRT_ZONE_DMA32);
SAME_NUMBER(MODEL_ZONE_NORMAL, FRT_ZONE_NORMAL);
SAME_NUMBER(MODEL_ZONE_MOVABLE, FRT_ZONE_MOVABLE);
SAME_NUMBER(MODEL_NR_ZONE_TYPES, FRT_NR_ZONE_TYPES);
SAME_NUMBER(MODEL_MT_UNMOVABLE, FRT_MT_UNMOVABLE);
SAME_NUMBER(MODEL_MT_MOVABLE, FRT_MT_MOVABLE);
SAME_NUMBER(MODEL_MT_RECLAIMABLE, FRT_MT_RECLAIMABLE);
SAME_NUMBER(MODEL_MT_HIGHATOMIC, FRT_MT_HIGHATOMIC);
SAME_NUMBER(MODEL_MT_CMA, FRT_MT_CMA);
SAME_NUMBER(MODEL_MT_ISOLATE, FRT_MT_ISOLATE);
SAME_NUMBER(MODEL_NR_MT, FRT_MT_NR);
SAME_NUMBER(MODEL_MT_UNMOVABLE, FRT_MOB_UNMOVABLE);
SAME_NUMBER(MODEL_MT_MOVABLE, FRT_MOB_MOVABLE);
SAME_NUMBER(MODEL_MT_RECLAIMABLE, FRT_MOB_RECLAIMABLE);
SAME_NUMBER(MODEL_NR_PCPTYPES, FRT_MOB_NR);

static uint64_t u64_of(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));
	return v > 0 ? (uint64_t)v : 0;
}

/*
 * The recorded pcp "high" is the current pcp->high, which auto-tunes between
 * high_min and high_max: it starts each CPU's pcp->high, and the model
 * computes both bounds as zone_highsize() does. A zone whose recorded high
 * is 0 has its pcp lists off (DMA on this kernel).
 */
static void pcp_from_json(json_t *z, struct model_zone_desc *zd)
{
	int batch = (int)u64_of(z, "pcp_batch"), high = (int)u64_of(z, "pcp_high");

	zd->pcp_given = true;
	zd->pcp_batch = batch < 1 ? 1 : batch;
	zd->pcp_high = high;
	zd->pcp_high_min = high ? -1 : 0; /* -1: compute; 0 with high_max 0: off */
}

/* a zone of zoneinfo as the metadata (or a snapshot header) lists it */
static void zone_from_json(struct model_zone_desc *zd, json_t *z, int type)
{
	memset(zd, 0, sizeof(*zd));
	zd->type = (enum model_zone_type)type;
	zd->start_pfn = u64_of(z, "start_pfn");
	zd->spanned = u64_of(z, "spanned");
	zd->present = u64_of(z, "present");
	zd->managed = u64_of(z, "managed");
	zd->wmark_min = u64_of(z, "wmark_min");
	zd->wmark_low = u64_of(z, "wmark_low");
	zd->wmark_high = u64_of(z, "wmark_high");
	json_t *lr = json_object_get(z, "lowmem_reserve");
	for (size_t t = 0; t < MODEL_NR_ZONE_TYPES && t < json_array_size(lr); t++) {
		json_int_t v = json_integer_value(json_array_get(lr, t));
		zd->lowmem_reserve[t] = v > 0 ? (uint64_t)v : 0;
	}
	pcp_from_json(z, zd);
}

#define MAX_CPUS 4096     /* model_new()'s limit */
#define MAX_PFN (1ull << 40)
#define MODEL_MAX_NODE_PFNS UINT32_MAX /* model_new(): pfn indices are 32-bit, NIL excluded */ /* 52 physical address bits of 4 KiB pages (x86-64 5-level) */

/*
 * Zones of node 0 come once each, in the kernel's order (DMA, DMA32, Normal,
 * Movable), and neither overlap nor run past the physical address space:
 * anything else is crafted or damaged metadata, said here by name rather
 * than refused later as "Invalid argument".
 */
static int zone_check(const struct model_desc *d, json_t *z, int type, size_t idx, char *err,
		      size_t errlen)
{
	const char *name = json_string_value(json_object_get(z, "name"));
	json_int_t js = json_integer_value(json_object_get(z, "start_pfn"));
	json_int_t jn = json_integer_value(json_object_get(z, "spanned"));
	/* beyond 2^63 in the text is negative here: as far past 2^40 as can be */
	uint64_t start = js < 0 ? UINT64_MAX : (uint64_t)js, spanned = jn < 0 ? UINT64_MAX : (uint64_t)jn;
	const struct model_zone_desc *prev = d->nr_zones ? &d->zones[d->nr_zones - 1] : NULL;

	if (!json_is_integer(json_object_get(z, "start_pfn"))) {
		snprintf(err, errlen, "metadata zones[%zu]: zone %s has no start_pfn (zoneinfo "
			 "prints it last: a truncated copy?)", idx, name);
		return -EBADMSG;
	}
	if (prev && (int)prev->type >= type) {
		snprintf(err, errlen, "metadata zones[%zu]: zone %s of node 0 comes %s (each zone "
			 "once, in the order DMA, DMA32, Normal, Movable)", idx, name,
			 (int)prev->type == type ? "twice" : "out of order");
		return -EBADMSG;
	}
	if (start >= MAX_PFN || spanned > MAX_PFN - start) {
		snprintf(err, errlen, "metadata zones[%zu]: zone %s start_pfn %" PRIu64 " + spanned "
			 "%" PRIu64 " runs past pfn 2^40 (52 physical address bits)", idx, name,
			 start, spanned);
		return -EBADMSG;
	}
	if (prev && start < prev->start_pfn + prev->spanned) {
		snprintf(err, errlen, "metadata zones[%zu]: zone %s starts at pfn %" PRIu64 ", "
			 "inside the zone before it", idx, name, start);
		return -EBADMSG;
	}
	return 0;
}

int replay_desc_from_json(const char *json, struct model_desc *d, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_loads(json, JSON_DISABLE_EOF_CHECK, &je);
	int ret = -EBADMSG;

	if (!root) {
		snprintf(err, errlen, "metadata is not JSON: %s (line %d)", je.text, je.line);
		return ret;
	}
	json_t *zones = json_object_get(root, "zones");
	if (!json_is_array(zones)) {
		snprintf(err, errlen, "metadata has no \"zones\" array");
		goto cleanup;
	}
	json_int_t cpus = json_integer_value(json_object_get(root, "nr_cpus"));
	if (cpus > MAX_CPUS) {
		snprintf(err, errlen, "metadata nr_cpus %lld is above %d", (long long)cpus, MAX_CPUS);
		goto cleanup;
	}
	if (cpus > 0)
		d->nr_cpus = (unsigned int)cpus;
	/* record's CPU -> node map: node 0's CPUs split its zones' pcp high */
	json_t *cpu_node = json_object_get(root, "cpu_node");
	if (json_is_array(cpu_node)) {
		size_t c;
		json_t *n;
		unsigned int local = 0;

		json_array_foreach(cpu_node, c, n)
			local += json_is_integer(n) && json_integer_value(n) == 0;
		d->node_cpus = local;
	}
	static const struct { const char *key; enum model_knob knob; } orders[] = {
		{ "pageblock_order", MODEL_KNOB_PAGEBLOCK_ORDER },
		{ "max_order", MODEL_KNOB_MAX_PAGE_ORDER },
	};
	for (size_t k = 0; k < 2; k++) {
		uint64_t v = u64_of(root, orders[k].key);

		if (v > MODEL_MAX_ORDER_LIMIT) {
			snprintf(err, errlen, "metadata %s %" PRIu64 " is outside 1..%d (the "
				 "model's orders; the kernel's are at most 10 on x86-64)",
				 orders[k].key, v, MODEL_MAX_ORDER_LIMIT);
			goto cleanup;
		}
		if (v)
			d->knobs[orders[k].knob] = (long)v;
	}
	json_t *sysctls = json_object_get(root, "sysctls");
	const struct model_knob_spec *s;
	for (int k = 0; (s = model_knob_spec((enum model_knob)k)); k++) {
		json_t *v = s->sysctl ? json_object_get(sysctls, s->sysctl) : NULL;
		if (json_is_integer(v))
			d->knobs[k] = (long)json_integer_value(v);
	}

	d->nr_zones = 0;
	size_t i;
	json_t *z;
	json_array_foreach(zones, i, z) {
		int type = frt_zone_idx_by_name(json_string_value(json_object_get(z, "name")));

		if (type < 0 || !u64_of(z, "spanned"))
			continue; /* Device, or an empty Movable */
		if (json_integer_value(json_object_get(z, "node")) != 0)
			continue; /* one node: node 0 */
		if (zone_check(d, z, type, i, err, errlen))
			goto cleanup;
		zone_from_json(&d->zones[d->nr_zones++], z, type);
	}
	if (!d->nr_zones) {
		snprintf(err, errlen, "metadata names no zone of node 0");
		goto cleanup;
	}
	uint64_t span = d->zones[d->nr_zones - 1].start_pfn + d->zones[d->nr_zones - 1].spanned -
			d->zones[0].start_pfn;
	if (span >= MODEL_MAX_NODE_PFNS) {
		snprintf(err, errlen, "metadata: node 0 spans %" PRIu64 " pfns, more than the model's "
			 "%" PRIu64 " (16 TiB of 4 KiB pages)", span, (uint64_t)MODEL_MAX_NODE_PFNS - 1);
		goto cleanup;
	}
	ret = 0;
cleanup:
	json_decref(root);
	return ret;
}

struct seed_ctx {
	struct model *m;
	struct replay_seed_stats *st;
};

static int seed_pb_mt(void *ctx, uint64_t pfn)
{
	return model_pageblock_mt(((struct seed_ctx *)ctx)->m, pfn);
}

/* a piece of a snapshot block, as the trace's first events have it */
static int seed_piece(void *ctx, uint64_t pfn, unsigned int order, enum seed_as as, int arg)
{
	struct seed_ctx *c = ctx;
	uint64_t nr = 1ull << order;
	int ret;

	if (as == SEED_ALLOC) {
		ret = model_seed_alloc(c->m, pfn, order, (enum model_mt)arg);
		c->st->allocated_pages += nr;
		if (arg >= 0 && arg < MODEL_NR_PCPTYPES)
			c->st->allocated_mob[arg] += nr;
	} else {
		ret = as == SEED_PCP ? model_seed_pcp(c->m, pfn, order, (unsigned int)arg)
				     : model_seed_free(c->m, pfn, order, (enum model_mt)arg);
		c->st->free_pages += nr;
	}
	return ret < 0 ? ret : 0;
}

/*
 * The end snapshot's part 0 header (NULL: the trace has none): a second
 * reader of the file steps through its frames to it, checking each frame's
 * checksum but decompressing only the SNAPSHOT frames' JSON headers (the
 * events' frames, 50 ms of zstd on pagecache-holes-slab, and the start
 * snapshot's blocks, 39 MB, were decompressed for nothing).
 */
static json_t *end_header(const char *path)
{
	char err[256];
	struct frt_reader *r = path ? frt_reader_open(path, err, sizeof(err)) : NULL;
	struct frt_frame_info fi;
	json_t *found = NULL;

	if (!r)
		return NULL;
	while (!found && frt_reader_next_frame_head(r, FRT_FRAME_SNAPSHOT, &fi) > 0) {
		if (fi.type != FRT_FRAME_SNAPSHOT)
			continue;
		uint32_t len;
		json_t *h = json_loads(frt_reader_frame_payload(r, &len), JSON_DISABLE_EOF_CHECK, NULL);
		const char *kind = json_string_value(json_object_get(h, "kind"));

		if (kind && !strcmp(kind, "end") && !json_integer_value(json_object_get(h, "part")))
			found = h;
		else
			json_decref(h);
	}
	frt_reader_free(r);
	return found;
}

static uint64_t zone_end(const struct model_zone_desc *zd)
{
	return zd->start_pfn + zd->spanned;
}

/*
 * Memory hotplug: node 0's zones as the end snapshot's zoneinfo shows them,
 * where they hold more than at the start. online_pages() frees the pfns it
 * onlines (__free_pages_core(), MAX_PAGE_ORDER blocks: mm_page_free events)
 * into a zone that was empty until then (a hot-added DIMM goes to Normal, or
 * to Movable with online_movable) or that it widens (move_pfn_range_to_zone()).
 * The model holds such a zone from the start, empty (hot_added: no page
 * present or managed), or widened, its new pfns unmanaged, so that those
 * frees grow it (engine.c, model_grow) instead of falling outside the model,
 * where every later allocation there did too (a 256 MiB DIMM onlined in a
 * 1 GiB guest: 95% of the allocations and frees). An added zone takes the
 * end's watermarks, reserves and pcp sizes. The zones named go to
 * st->hotplug_zones, the pfns added to st->hotplug_pfns.
 */
static void hotplug_zones(struct model_desc *d, json_t *end, struct replay_seed_stats *st)
{
	size_t i, n = 0;
	json_t *z;

	json_array_foreach(json_object_get(end, "zones"), i, z) {
		int type = frt_zone_idx_by_name(json_string_value(json_object_get(z, "name")));
		uint64_t start = u64_of(z, "start_pfn"), spanned = u64_of(z, "spanned");
		unsigned int k = 0;

		if (type < 0 || type >= MODEL_NR_ZONE_TYPES || !spanned ||
		    json_integer_value(json_object_get(z, "node")) != 0 ||
		    !json_is_integer(json_object_get(z, "start_pfn")) || start >= MAX_PFN ||
		    spanned > MAX_PFN - start)
			continue;
		while (k < d->nr_zones && (int)d->zones[k].type < type)
			k++;
		const struct model_zone_desc *prev = k ? &d->zones[k - 1] : NULL;
		bool have = k < d->nr_zones && (int)d->zones[k].type == type;
		const struct model_zone_desc *next = k + have < d->nr_zones ? &d->zones[k + have] : NULL;
		uint64_t lo = start, hi = start + spanned;

		if (have) {
			lo = lo < d->zones[k].start_pfn ? lo : d->zones[k].start_pfn;
			hi = hi > zone_end(&d->zones[k]) ? hi : zone_end(&d->zones[k]);
			if (hi - lo == d->zones[k].spanned)
				continue; /* as at the start */
		}
		/* zones stay in order, apart, and within what the model can hold */
		uint64_t first = k ? d->zones[0].start_pfn : lo;
		uint64_t last = next ? zone_end(&d->zones[d->nr_zones - 1]) : hi;
		if ((prev && lo < zone_end(prev)) || (next && hi > next->start_pfn) ||
		    last - first >= MODEL_MAX_NODE_PFNS || (!have && d->nr_zones == MODEL_NR_ZONE_TYPES))
			continue;
		st->hotplug_pfns += have ? hi - lo - d->zones[k].spanned : hi - lo;
		if (have) {
			d->zones[k].start_pfn = lo;
			d->zones[k].spanned = hi - lo;
		} else {
			memmove(&d->zones[k + 1], &d->zones[k], (d->nr_zones - k) * sizeof(d->zones[0]));
			zone_from_json(&d->zones[k], z, type);
			d->zones[k].hot_added = true;
			d->nr_zones++;
		}
		if (n < sizeof(st->hotplug_zones))
			n += (size_t)snprintf(st->hotplug_zones + n, sizeof(st->hotplug_zones) - n,
					      "%s%s (%s, pfns %#" PRIx64 "-%#" PRIx64 ")", n ? ", " : "",
					      json_string_value(json_object_get(z, "name")),
					      have ? "wider" : "new", lo, hi);
	}
}

/*
 * Memory hot-removal: node 0's zones of the start (@d) that the end
 * snapshot's zoneinfo shows narrower or gone. offline_pages() migrates the
 * pages out (events the trace shows) and then takes the free pages off the
 * free lists with none (__offline_isolated_pages()), so the model keeps them,
 * free: its end state has memory the kernel's has not. Said, not hidden: the
 * zones go to st->unplug_zones, the pfns to st->unplug_pfns. An end snapshot
 * without zoneinfo says nothing.
 */
static void unplugged_zones(const struct model_desc *d, json_t *end, struct replay_seed_stats *st)
{
	json_t *zones = json_object_get(end, "zones"), *z;
	size_t i, n = 0;

	if (!json_array_size(zones))
		return;
	for (unsigned int k = 0; k < d->nr_zones; k++) {
		const struct model_zone_desc *zd = &d->zones[k];
		uint64_t lo = zd->start_pfn, hi = zone_end(zd), left = 0, elo = 0, ehi = 0;
		bool listed = false;

		json_array_foreach(zones, i, z) {
			if (json_integer_value(json_object_get(z, "node")) != 0 ||
			    frt_zone_idx_by_name(json_string_value(json_object_get(z, "name"))) !=
				    (int)zd->type)
				continue;
			listed = true;
			elo = u64_of(z, "start_pfn");
			ehi = elo + u64_of(z, "spanned");
			if (!u64_of(z, "spanned"))
				break;
			uint64_t a = elo > lo ? elo : lo, b = ehi < hi ? ehi : hi;
			left = b > a ? b - a : 0;
		}
		if (!listed || left == hi - lo)
			continue;
		st->unplug_pfns += hi - lo - left;
		/* what went: the start's zone less what the end's keeps of it */
		uint64_t keep_lo = left ? (elo > lo ? elo : lo) : hi, keep_hi = left ? (ehi < hi ? ehi : hi) : hi;
		if (keep_lo > lo && st->nr_unplug < REPLAY_MAX_UNPLUG) {
			st->unplug_range[st->nr_unplug].start = lo;
			st->unplug_range[st->nr_unplug++].end = keep_lo;
		}
		if (left && keep_hi < hi && st->nr_unplug < REPLAY_MAX_UNPLUG) {
			st->unplug_range[st->nr_unplug].start = keep_hi;
			st->unplug_range[st->nr_unplug++].end = hi;
		}
		if (n < sizeof(st->unplug_zones))
			n += (size_t)snprintf(st->unplug_zones + n, sizeof(st->unplug_zones) - n,
					      "%s%s (%s, pfns %#" PRIx64 "-%#" PRIx64 " at the start)",
					      n ? ", " : "", frt_zone_idx_name(zd->type),
					      left ? "narrower" : "gone", lo, hi);
	}
}

/*
 * The zones of nodes other than 0 in part 0's (or the metadata's) zoneinfo:
 * the start snapshot walks every node, the model is node 0's (see
 * replay_desc_from_json()), so their blocks are counted and left out, not
 * taken for blocks outside every zone. Returns how many, into *@out
 * (malloc'd, NULL when none).
 */
static size_t other_node_spans(const char *json, struct model_pfn_range **out)
{
	json_t *root = json_loads(json, JSON_DISABLE_EOF_CHECK, NULL), *z;
	json_t *zones = json_object_get(root, "zones");
	size_t i, n = 0;

	*out = json_array_size(zones) ? calloc(json_array_size(zones), sizeof(**out)) : NULL;
	json_array_foreach(zones, i, z) {
		uint64_t start = u64_of(z, "start_pfn"), spanned = u64_of(z, "spanned");

		if (*out && json_integer_value(json_object_get(z, "node")) > 0 && spanned &&
		    start < MAX_PFN && spanned <= MAX_PFN - start)
			(*out)[n++] = (struct model_pfn_range){ start, start + spanned };
	}
	json_decref(root);
	return n;
}

static bool on_other_node(const struct model_pfn_range *spans, size_t nr, uint64_t pfn, uint64_t nr_pages)
{
	for (size_t i = 0; i < nr; i++)
		if (pfn >= spans[i].start && pfn + nr_pages <= spans[i].end)
			return true;
	return false;
}

/* one block of the start snapshot as the trace's first events on its pages
 * have it (@ft); a block of another NUMA node's zones (@other) counted and
 * left out */
static int seed_block(struct model *m, const struct frt_snapshot_block *b,
		      const struct first_touch *ft, const struct model_pfn_range *other,
		      size_t nr_other, struct replay_seed_stats *st, char *err, size_t errlen)
{
	uint64_t nr = 1ull << b->order;

	if (model_zone_of(m, b->pfn) < 0 && on_other_node(other, nr_other, b->pfn, nr)) {
		st->other_node_pages += nr;
		if (b->state == FRT_SNAP_FREE)
			st->other_node_free_pages += nr;
		return 0;
	}
	if (b->state == FRT_SNAP_FREE && b->cls < MODEL_NR_MT &&
	    (int)b->cls != model_pageblock_mt(m, b->pfn))
		st->relisted_blocks++;
	struct seed_ctx c = { .m = m, .st = st };
	if (first_touch_split(ft, b, seed_pb_mt, seed_piece, &c, &st->reconciled) < 0) {
		snprintf(err, errlen,
			 "start snapshot: %s block at pfn %#" PRIx64 " order %u lies outside "
			 "the zones the metadata describes",
			 b->state == FRT_SNAP_FREE ? "free" : "allocated", b->pfn, b->order);
		return -EBADMSG;
	}
	return 0;
}

/*
 * Allocated order-0 blocks the trace leaves as they are, consecutive, of one
 * mobility, in one zone: most of a start snapshot's blocks (5.8 M of 5.9 M
 * pieces on pagecache-holes-slab), seeded a run at a time instead of one
 * first_touch_split() and model_seed_alloc() each.
 */
struct alloc_run {
	uint64_t pfn, nr, zone_start, zone_end; /* the zone of the last run */
	uint8_t mob;
};

static bool run_extends(const struct alloc_run *run, const struct first_touch *ft,
			const struct frt_snapshot_block *b)
{
	return run->nr && b->state == FRT_SNAP_ALLOCATED && !b->order && b->cls == run->mob &&
	       b->pfn == run->pfn + run->nr && b->pfn < run->zone_end &&
	       first_touch_keeps_alloc(ft, b->pfn);
}

/* a run from @b, if it can start one */
static bool run_start(struct alloc_run *run, struct model *m, const struct first_touch *ft,
		      const struct frt_snapshot_block *b)
{
	struct model_zone_info zi;
	int z;

	if (b->state != FRT_SNAP_ALLOCATED || b->order || b->cls >= MODEL_NR_PCPTYPES ||
	    !first_touch_keeps_alloc(ft, b->pfn))
		return false;
	if (b->pfn < run->zone_start || b->pfn >= run->zone_end) {
		if ((z = model_zone_of(m, b->pfn)) < 0 || model_zone_info(m, (unsigned int)z, &zi))
			return false;
		run->zone_start = zi.start_pfn;
		run->zone_end = zi.end_pfn;
	}
	run->pfn = b->pfn;
	run->nr = 1;
	run->mob = b->cls;
	return true;
}

/*
 * The records after @b, the run's last block, that extend the run as
 * run_extends() would find each of them: the snapshot's identical records of
 * the next single pages, up to the zone's end, while the trace leaves them
 * as they are. Taken without reading them one by one.
 */
static void run_repeats(struct alloc_run *run, struct frt_snapshot_iter *it,
			const struct first_touch *ft, const struct frt_snapshot_block *b)
{
	uint64_t next = run->pfn + run->nr;
	uint64_t n = frt_snapshot_iter_repeats(it, b, run->zone_end - next);

	n = first_touch_keeps_alloc_run(ft, next, n);
	frt_snapshot_iter_skip(it, n);
	run->nr += n;
}

/* the run seeded; where that fails, its blocks one at a time, to fail on the
 * same block with the same words */
static int run_seed(struct alloc_run *run, struct model *m, const struct first_touch *ft,
		    struct replay_seed_stats *st, char *err, size_t errlen)
{
	uint64_t nr = run->nr;
	int ret = 0;

	run->nr = 0;
	if (!nr)
		return 0;
	if (!model_seed_alloc_run(m, run->pfn, nr, (enum model_mt)run->mob)) {
		st->allocated_pages += nr;
		st->allocated_mob[run->mob] += nr;
		return 0;
	}
	for (uint64_t i = 0; !ret && i < nr; i++) {
		struct frt_snapshot_block b = { .pfn = run->pfn + i, .state = FRT_SNAP_ALLOCATED,
						.cls = run->mob };
		ret = seed_block(m, &b, ft, NULL, 0, st, err, errlen);
	}
	return ret;
}

/* one part of the start snapshot: pageblock types first, then the blocks
 * (seed_block(), or a run at a time) */
static int seed_part(struct model *m, const struct frt_snapshot_part *p,
		     const struct first_touch *ft, const struct model_pfn_range *other, size_t nr_other,
		     struct replay_seed_stats *st, char *err, size_t errlen)
{
	struct frt_snapshot_iter it;
	struct frt_snapshot_block b;
	struct alloc_run run = { 0 };
	int ret, bad;

	for (size_t i = 0; i < p->nr_pageblocks; i++) {
		uint8_t byte = p->pageblocks[i];
		uint64_t pfn = p->start_pfn + ((uint64_t)i << p->pageblock_order);
		uint64_t last = pfn + (1ull << p->pageblock_order) - 1;

		/* a zone may begin inside a pageblock (DMA at pfn 1) */
		if (!(byte & FRT_PB_NONE) &&
		    (model_zone_of(m, pfn) >= 0 || model_zone_of(m, last) >= 0))
			model_seed_pageblock(m, pfn, (enum model_mt)FRT_PB_MT(byte));
	}
	frt_snapshot_iter_init(&it, p);
	while ((ret = frt_snapshot_iter_next(&it, &b)) > 0) {
		if (b.state == FRT_SNAP_RESERVED)
			continue;
		if (run_extends(&run, ft, &b)) {
			run.nr++;
			run_repeats(&run, &it, ft, &b);
			continue;
		}
		if ((bad = run_seed(&run, m, ft, st, err, errlen)) < 0)
			return bad;
		if (run_start(&run, m, ft, &b)) {
			run_repeats(&run, &it, ft, &b);
			continue;
		}
		if ((bad = seed_block(m, &b, ft, other, nr_other, st, err, errlen)) < 0)
			return bad;
	}
	if ((bad = run_seed(&run, m, ft, st, err, errlen)) < 0)
		return bad;
	if (ret < 0) {
		snprintf(err, errlen, "start snapshot part %u: malformed blocks section", st->parts);
		return ret;
	}
	st->parts++;
	return 0;
}

/* How part 0's header says the snapshot was made, and how well it fit /proc. */
static void seed_provenance(json_t *h, struct replay_seed_stats *st)
{
	json_t *fit = json_object_get(h, "fit"), *z;
	size_t i;

	snprintf(st->source, sizeof(st->source), "%s",
		 json_string_value(json_object_get(h, "source")) ?: "unknown");
	snprintf(st->why_not_bpf, sizeof(st->why_not_bpf), "%s",
		 json_string_value(json_object_get(json_object_get(h, "walk"), "bpf")) ?: "");
	st->fit_failed = json_is_false(json_object_get(fit, "ok"));
	json_t *frozen = json_object_get(json_object_get(h, "totals"), "frozen_pages");
	st->frozen_pages = json_is_integer(frozen) ? json_integer_value(frozen) : -1;
	json_array_foreach(json_object_get(fit, "zones"), i, z) {
		double pct = json_number_value(json_object_get(z, "error_pct"));
		double zpct = json_number_value(json_object_get(z, "zoneinfo_error_pct"));

		pct = zpct > pct ? zpct : pct;
		if (json_is_false(json_object_get(z, "ok")) && pct >= st->fit_pct) {
			st->fit_pct = pct;
			const char *name = json_string_value(json_object_get(z, "zone")) ?: "?";
			json_int_t node = json_integer_value(json_object_get(z, "node"));

			if (node)
				snprintf(st->fit_zone, sizeof(st->fit_zone), "%.15s of node %lld",
					 name, (long long)node);
			else
				snprintf(st->fit_zone, sizeof(st->fit_zone), "%s", name);
		}
	}
}

/* a SNAPSHOT payload's JSON header, or NULL if it is not part of the start snapshot */
static json_t *start_header(const char *payload)
{
	json_t *h = json_loads(payload, JSON_DISABLE_EOF_CHECK, NULL);
	const char *kind = json_string_value(json_object_get(h, "kind"));

	if (kind && !strcmp(kind, "start"))
		return h;
	json_decref(h);
	return NULL;
}

/*
 * The model of @d under @v. The two orders are checked here, where a --set
 * meets the trace's values, so that the message can name them.
 */
static struct model *new_model(struct model_desc *d, const struct replay_variant *v,
			       struct replay_seed_stats *st, char *err, size_t errlen)
{
	memcpy(st->recorded_knobs, d->knobs, sizeof(st->recorded_knobs));
	if (v)
		replay_variant_apply(v, d);
	long pb = d->knobs[MODEL_KNOB_PAGEBLOCK_ORDER], mo = d->knobs[MODEL_KNOB_MAX_PAGE_ORDER];
	if (pb > mo) {
		snprintf(err, errlen, "pageblock_order %ld is above max_page_order %ld (the trace "
			 "records both; --set changes them)", pb, mo);
		return NULL;
	}
	struct model *m = model_new(d);
	if (!m)
		snprintf(err, errlen, "cannot build the model: %s", strerror(errno));
	return m;
}

/*
 * No start snapshot: the zones of the metadata, every pfn they span online
 * and free, as after boot. What the host held before the trace is unknown, so
 * the model has more free memory than the kernel had and its first frees are
 * unmatched; reports say so (replay_seed_stats.empty_start).
 */
static struct model *empty_model(struct model_desc *d, const struct replay_variant *v,
				 struct replay_seed_stats *st, char *err, size_t errlen)
{
	struct model *m = new_model(d, v, st, err, errlen);
	if (!m)
		return NULL;
	for (unsigned int i = 0; i < d->nr_zones; i++) {
		int ret = model_online(m, d->zones[i].start_pfn, d->zones[i].spanned);
		if (ret) {
			snprintf(err, errlen, "zone %u: cannot bring its pfns online: %s", i,
				 strerror(-ret));
			model_free_all(m);
			return NULL;
		}
		st->free_pages += d->zones[i].spanned;
	}
	st->empty_start = true;
	return m;
}

/* the first event on each pfn of @m's zones after the snapshot (firsttouch.h),
 * after the walk read it (@wt), read through a reader of its own: @r stays
 * at the snapshot */
static int scan_events(struct frt_reader *r, struct model *m, uint64_t from_ts,
		       const struct walk_times *wt, struct first_touch *ft, char *err,
		       size_t errlen)
{
	struct model_zone_info first, last;
	char why[400];

	model_zone_info(m, 0, &first);
	model_zone_info(m, model_nr_zones(m) - 1, &last);
	int ret = first_touch_scan(frt_reader_path(r), from_ts, wt, first.start_pfn,
				   last.end_pfn - first.start_pfn,
				   (unsigned int)model_knob(m, MODEL_KNOB_PAGEBLOCK_ORDER),
				   model_knob(m, MODEL_KNOB_START_LIST_ORDER), ft, why, sizeof(why));
	if (ret)
		snprintf(err, errlen, "reading the events after the start snapshot: %s", why);
	return ret;
}

/*
 * Knob start_skip_hints: the skip hints the trace's first compaction runs say
 * were set at its start (firsttouch.h, enum first_touch_skip). A pageblock an
 * async run passed is taken as skipped only where it was a suitable source,
 * MOVABLE or CMA (suitable_migration_source() for a movable request: the
 * runs that pass whole zones are THP faults'); others were passed for their
 * type.
 */
static void seed_skip_hints(struct model *m, const struct first_touch *ft,
			    struct replay_seed_stats *st)
{
	uint64_t pb = 1ull << model_knob(m, MODEL_KNOB_PAGEBLOCK_ORDER);

	if (!ft->skip)
		return;
	for (unsigned int i = 0; i < model_nr_zones(m); i++) {
		struct model_zone_info zi;

		model_zone_info(m, i, &zi);
		for (uint64_t pfn = zi.start_pfn; pfn < zi.end_pfn; pfn = (pfn & ~(pb - 1)) + pb) {
			enum first_touch_skip w = first_touch_skip_at(ft, pfn);
			int mt = model_pageblock_mt(m, pfn);

			if (w == FT_SKIP_PASSED ||
			    (w == FT_SKIP_PASSED_ASYNC && (mt == MODEL_MT_MOVABLE || mt == MODEL_MT_CMA))) {
				model_set_pageblock_skip(m, pfn, true);
				st->skip_pageblocks++;
			}
		}
	}
}

/*
 * The start's list order (knob start_list_order, off by default: README,
 * "The start's list order"). The seed puts the snapshot's free blocks on their
 * lists in pfn order; the kernel's lists are in an order its history made,
 * which the trace shows where the kernel takes from them: rmqueue_buddy(),
 * rmqueue_bulk() and a fallback each take the head of a list
 * (__rmqueue_smallest(), get_page_from_free_area()). So the blocks the
 * trace first takes pages of go to the heads of their lists, the first taken
 * first, the seed's order behind them (model_seed_first()). Where the kernel
 * split a larger block for a smaller request, the larger one was at the head
 * of its list, and the model's split puts the halves where the kernel's
 * expand() did. The pcp lists keep the seed's order: ordered by the trace's
 * first pcp allocations they agreed no better and the one trace whose seed
 * has them (storm-walk-m0) agreed less at its end (README).
 */
static void seed_list_order(struct model *m, const struct first_touch *ft,
			    struct replay_seed_stats *st)
{
	for (size_t i = ft->nr_take; i-- > 0;)
		st->ordered_blocks += model_seed_first(m, ft->take[i]) == 1;
}

struct model *replay_model_from_trace(struct frt_reader *r, const struct replay_variant *v,
				      struct replay_seed_stats *st, char *err, size_t errlen)
{
	struct model_desc d;
	struct model *m = NULL;
	struct frt_frame_info fi;
	struct first_touch ft = { 0 };
	struct walk_times wt = { 0 };
	struct model_pfn_range *other = NULL;
	size_t nr_other = 0;
	unsigned int parts = 0;
	int ret;

	memset(st, 0, sizeof(*st));
	model_desc_init(&d);
	if (replay_desc_from_json(frt_reader_meta(r), &d, err, errlen))
		return NULL;
	while ((ret = frt_reader_next_frame(r, &fi)) > 0) {
		if (fi.type != FRT_FRAME_SNAPSHOT)
			continue;
		uint32_t len;
		const char *payload = frt_reader_frame_payload(r, &len);
		json_t *h = start_header(payload);
		if (!h)
			continue;
		if (!m) {
			/* part 0's zoneinfo is newer than the metadata's */
			if (replay_desc_from_json(payload, &d, err, errlen))
				goto fail_h;
			json_t *end = end_header(frt_reader_path(r));
			unplugged_zones(&d, end, st);
			hotplug_zones(&d, end, st);
			json_decref(end);
			if (walk_times_read(frt_reader_path(r), "start", &wt, err, errlen))
				goto fail_h;
			m = new_model(&d, v, st, err, errlen);
			if (!m)
				goto fail_h;
			nr_other = other_node_spans(payload, &other);
			parts = (unsigned int)json_integer_value(json_object_get(h, "parts"));
			st->snapshot_ts = u64_of(h, "ts");
			seed_provenance(h, st);
			if ((model_knob(m, MODEL_KNOB_START_FROM_TRACE) ||
			     model_knob(m, MODEL_KNOB_START_SKIP_HINTS) ||
			     model_knob(m, MODEL_KNOB_START_LIST_ORDER)) &&
			    scan_events(r, m, st->snapshot_ts, &wt, &ft, err, errlen))
				goto fail_h;
			ft.mode = (enum first_touch_mode)model_knob(m, MODEL_KNOB_START_FROM_TRACE);
			if (ft.mode == FT_MODE_OFF) /* scanned for the skip hints only */
				first_touch_forget_kinds(&ft);
			/* with read times (format 1.2) the first event after the walk
			 * read a page proves what it was then, whichever it is: a free
			 * proves it allocated, a pcp use or drain on a pcp list */
			if (wt.nr && ft.mode == FT_MODE_BUDDY)
				ft.mode = FT_MODE_ALL;
			st->walk_timed = wt.nr > 0;
		}
		json_decref(h);
		struct frt_snapshot_part part;
		if (frt_snapshot_parse(payload, len, &part, err, errlen) ||
		    seed_part(m, &part, &ft, other, nr_other, st, err, errlen))
			goto fail;
		if (st->parts == parts)
			break;
		continue;
fail_h:
		json_decref(h);
		goto fail;
	}
	walk_times_free(&wt);
	if (ret < 0) {
		snprintf(err, errlen, "%s", frt_reader_error(r));
		goto fail;
	}
	free(other);
	other = NULL;
	if (!m) {
		first_touch_free(&ft);
		return empty_model(&d, v, st, err, errlen);
	}
	if (st->parts != parts) {
		snprintf(err, errlen, "start snapshot incomplete: %u of %u parts", st->parts, parts);
		goto fail;
	}
	st->merged_blocks = (uint64_t)model_seed_done(m);
	if (model_knob(m, MODEL_KNOB_START_LIST_ORDER))
		seed_list_order(m, &ft, st);
	if (model_knob(m, MODEL_KNOB_START_SKIP_HINTS))
		seed_skip_hints(m, &ft, st);
	first_touch_free(&ft);
	for (unsigned int i = 0; i < model_nr_zones(m); i++) {
		struct model_zone_info zi;
		model_zone_info(m, i, &zi);
		st->unmanaged_pages += zi.end_pfn - zi.start_pfn;
	}
	st->unmanaged_pages -= st->free_pages + st->allocated_pages;
	return m;
fail:
	first_touch_free(&ft);
	walk_times_free(&wt);
	free(other);
	model_free_all(m);
	return NULL;
}
