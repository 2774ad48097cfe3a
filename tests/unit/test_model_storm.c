// SPDX-License-Identifier: MIT
/*
 * test_model_storm.c - seeded alloc/free storms against model_check(), the
 * model's determinism, and model_metrics() on layouts computed by hand.
 *
 * A storm keeps its own table of live allocations and, after every
 * operation, checks that the model agrees with it: free + pcp + live pages ==
 * pages onlined, the block just allocated is where the gfp allows and
 * recorded as allocated, boosts and pcp->high within their bounds, and
 * model_check() finds every structure intact. model_check() runs after every
 * operation on every layout, the 64 MiB ones included: it costs about 20 us
 * there. Compaction's MODEL_EV_MIGRATE events re-key the table, as the replay
 * will; each must move a live movable block to where nothing lives. At each
 * phase's end the whole model is compared with the table.
 * Phases push occupancy up to exhaustion and back down, so fallbacks, claims,
 * steals, boosts, highatomic reserves and failures all happen; the test
 * asserts each of them did, in some configuration.
 *
 * Seeds: a fixed list, or FRAGREPLAY_SEED=N for one seed. A failure names the
 * configuration, the seed and the operation's index and says what it was.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "metrics.h"
#include "model.h"

/* ---- configurations ---- */

struct layout {
	unsigned int nr_zones;
	struct { enum model_zone_type type; uint64_t start, end; } zones[3];
	uint64_t hole, hole_len; /* a range of the last zone never onlined (0: none) */
};

static const struct layout one_zone_256p = { 1, { { MODEL_ZONE_DMA32, 0x1000, 0x1100 } } };
static const struct layout one_zone_4m = { 1, { { MODEL_ZONE_DMA32, 0x1000, 0x1400 } } };
static const struct layout one_zone_16m = { 1, { { MODEL_ZONE_DMA32, 0x1000, 0x2000 } } };
/* DMA starts at pfn 1 as on x86-64, so its first pageblock begins outside the node */
static const struct layout three_zones_8m = {
	3, { { MODEL_ZONE_DMA, 1, 0x40 }, { MODEL_ZONE_DMA32, 0x40, 0x200 },
	     { MODEL_ZONE_NORMAL, 0x200, 0x800 } }, 0x500, 35 };
static const struct layout three_zones_32m = {
	3, { { MODEL_ZONE_DMA, 1, 0x400 }, { MODEL_ZONE_DMA32, 0x400, 0x1000 },
	     { MODEL_ZONE_NORMAL, 0x1000, 0x2000 } }, 0x1a03, 0x155 };
static const struct layout three_zones_64m = {
	3, { { MODEL_ZONE_DMA, 1, 0x400 }, { MODEL_ZONE_DMA32, 0x400, 0x2000 },
	     { MODEL_ZONE_NORMAL, 0x2000, 0x4000 } }, 0x3100, 0x300 };

struct storm_config {
	const char *name;
	const struct layout *layout;
	int pageblock_order, max_order;
	unsigned int nr_cpus;
	long boost_factor, defrag_mode, scale_factor;
	bool pcp_off;
	long compaction, migrate_fail_permille;
	unsigned int ops;
};

/*
 * Every dimension varies somewhere: layouts (one DMA32 zone; DMA + DMA32 +
 * Normal, where Normal allocates with ALLOC_NOFRAGMENT), pageblock/max order,
 * CPUs, watermark_boost_factor, defrag_mode, watermark_scale_factor, pcp,
 * compaction (off: page_alloc.c alone) and migrations that fail (per mille).
 * Highatomic reserves need zones of 100 pageblocks or more: pb3 from 4 MiB, pb5.
 */
static const struct storm_config configs[] = {
	{ "dma32-256p-pb3", &one_zone_256p, 3, 4, 1, 15000, 0, 10, false, 1, 0, 30000 },
	{ "dma32-4m-pb3-pcpoff-nocompact", &one_zone_4m, 3, 4, 2, 0, 0, 200, true, 0, 0, 30000 },
	{ "3zone-8m-pb3-migfail", &three_zones_8m, 3, 4, 4, 15000, 0, 10, false, 1, 100, 30000 },
	{ "3zone-8m-pb3-defrag", &three_zones_8m, 3, 4, 2, 15000, 1, 200, false, 1, 0, 30000 },
	{ "dma32-16m-pb5", &one_zone_16m, 5, 7, 4, 15000, 0, 200, false, 1, 0, 20000 },
	{ "3zone-32m-pb5-migfail", &three_zones_32m, 5, 7, 3, 15000, 0, 10, false, 1, 50, 20000 },
	{ "3zone-32m-pb5-defrag-pcpoff-nocompact", &three_zones_32m, 5, 7, 1, 0, 1, 10, true, 0, 0,
	  20000 },
	{ "dma32-16m-pb9", &one_zone_16m, 9, 10, 2, 15000, 0, 10, false, 1, 0, 20000 },
	{ "3zone-64m-pb9", &three_zones_64m, 9, 10, 2, 15000, 0, 10, false, 1, 0, 15000 },
	{ "3zone-64m-pb9-defrag-migfail", &three_zones_64m, 9, 10, 4, 15000, 1, 200, false, 1, 100,
	  15000 },
	{ "3zone-64m-pb9-noboost-pcpoff-nocompact", &three_zones_64m, 9, 10, 1, 0, 0, 10, true, 0, 0,
	  15000 },
};
#define NR_CONFIGS (sizeof(configs) / sizeof(configs[0]))

/* 110: 3zone-8m-pb3 op 5051, a forced unreserve_highatomic_pageblock() retypes a
 * free pageblock next to a free buddy pageblock, which model_check() rejects */
static const unsigned long long default_seeds[] = { 1, 42, 110, 0xdecafbad };

/* occupancy each eighth of a storm aims at, per mille of the pages onlined;
 * above 1000 the storm allocates into failure */
static const unsigned int phase_target[8] = { 500, 1500, 300, 900, 1500, 600, 1500, 200 };

static struct model *config_model(const struct storm_config *cfg, unsigned long long seed)
{
	const struct layout *l = cfg->layout;
	struct model_desc d;

	model_desc_init(&d);
	d.nr_zones = l->nr_zones;
	d.nr_cpus = cfg->nr_cpus;
	d.knobs[MODEL_KNOB_PAGEBLOCK_ORDER] = cfg->pageblock_order;
	d.knobs[MODEL_KNOB_MAX_PAGE_ORDER] = cfg->max_order;
	d.knobs[MODEL_KNOB_WATERMARK_BOOST_FACTOR] = cfg->boost_factor;
	d.knobs[MODEL_KNOB_DEFRAG_MODE] = cfg->defrag_mode;
	d.knobs[MODEL_KNOB_WATERMARK_SCALE_FACTOR] = cfg->scale_factor;
	d.knobs[MODEL_KNOB_COMPACTION] = cfg->compaction;
	d.knobs[MODEL_KNOB_MIGRATE_FAIL_PERMILLE] = cfg->migrate_fail_permille;
	d.knobs[MODEL_KNOB_SEED] = (long)(seed & 0x7fffffff);
	for (unsigned int i = 0; i < l->nr_zones; i++) {
		struct model_zone_desc *z = &d.zones[i];

		z->type = l->zones[i].type;
		z->start_pfn = l->zones[i].start;
		z->spanned = l->zones[i].end - l->zones[i].start;
		z->present = z->spanned - (i == l->nr_zones - 1 ? l->hole_len : 0);
		z->managed = z->present;
		/* zone_pcp_disable(): high 0, batch 1; every page passes straight through */
		if (cfg->pcp_off) {
			z->pcp_given = true;
			z->pcp_batch = 1;
			z->pcp_high_max = 1; /* 0 would mean "compute"; high stays 0 anyway */
		}
	}
	struct model *m = model_new(&d);
	if (!m)
		return NULL;
	for (unsigned int i = 0; i < l->nr_zones; i++) {
		uint64_t s = l->zones[i].start, e = l->zones[i].end;
		int ret;

		if (i == l->nr_zones - 1 && l->hole_len)
			ret = model_online(m, s, l->hole - s) ||
			      model_online(m, l->hole + l->hole_len, e - l->hole - l->hole_len);
		else
			ret = model_online(m, s, e - s);
		if (ret) {
			model_free_all(m);
			return NULL;
		}
	}
	return m;
}

static uint64_t layout_pages(const struct layout *l)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < l->nr_zones; i++)
		n += l->zones[i].end - l->zones[i].start;
	return n - l->hole_len;
}

/* ---- one storm ---- */

struct live {
	uint64_t pfn;
	unsigned int order;
};

struct storm {
	const struct storm_config *cfg;
	struct model *m;
	unsigned long long seed, rng;
	unsigned long op;
	uint64_t node_start, node_pages, onlined;
	struct live *live;   /* the blocks the storm holds */
	uint32_t *live_at;   /* per pfn - node_start: index in live[] + 1 of a block head */
	size_t nr_live;
	uint64_t live_pages, target;
	uint64_t now_ns;
	unsigned long decays_seen, migrations;
	char what[160];      /* the operation being checked, for failure messages */
	char event_err[160]; /* what a MODEL_EV_MIGRATE got wrong, if anything */
};

static unsigned long long rnd(struct storm *s, unsigned long long n)
{
	return rnd_next(&s->rng) % n;
}

/* splitmix64: a seed and a configuration index into a non-zero xorshift state */
static unsigned long long mix_seed(unsigned long long x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x ? x : 1;
}

static void live_add(struct storm *s, uint64_t pfn, unsigned int order)
{
	s->live[s->nr_live] = (struct live){ pfn, order };
	s->live_at[pfn - s->node_start] = (uint32_t)++s->nr_live;
	s->live_pages += 1ull << order;
}

static void live_del(struct storm *s, size_t i)
{
	struct live gone = s->live[i];

	s->live_at[gone.pfn - s->node_start] = 0;
	s->live_pages -= 1ull << gone.order;
	if (i != --s->nr_live) {
		s->live[i] = s->live[s->nr_live];
		s->live_at[s->live[i].pfn - s->node_start] = (uint32_t)i + 1;
	}
}

/* the live block of order >= @order that covers @pfn, or -1 */
static long live_covering(const struct storm *s, uint64_t pfn, unsigned int order)
{
	for (unsigned int o = order; o <= (unsigned int)s->cfg->max_order; o++) {
		uint64_t head = pfn & ~((1ull << o) - 1);
		uint32_t at;

		if (head < s->node_start)
			break;
		at = s->live_at[head - s->node_start];
		if (at && s->live[at - 1].order == o)
			return (long)at - 1;
	}
	return -1;
}

/*
 * Compaction moved a block the storm holds: re-key it, as the replay does. It
 * must have been a live MOVABLE block of that order, going where nothing lives.
 */
static void storm_event(void *ctx, const struct model_event *ev)
{
	struct storm *s = ctx;

	if (ev->type == MODEL_EV_SPLIT && !s->event_err[0]) {
		/* migrate_split: the live block becomes order-0 blocks, as the
		 * replay splits its recorded block */
		long i = live_covering(s, ev->pfn, 0);

		if (i < 0 || s->live[i].pfn != ev->pfn || s->live[i].order != ev->order) {
			snprintf(s->event_err, sizeof(s->event_err), "MODEL_EV_SPLIT %#" PRIx64
				 " order %u: no live block of that order", ev->pfn, ev->order);
			return;
		}
		live_del(s, (size_t)i);
		for (uint64_t k = 0; k < 1ull << ev->order; k++)
			live_add(s, ev->pfn + k, 0);
		return;
	}
	if (ev->type != MODEL_EV_MIGRATE || s->event_err[0])
		return;
	long i = live_covering(s, ev->pfn, 0);
	bool src_ok = i >= 0 && s->live[i].pfn == ev->pfn && s->live[i].order == ev->order &&
		      ev->migratetype == MODEL_MT_MOVABLE;
	bool dst_ok = ev->new_pfn >= s->node_start && ev->new_pfn - s->node_start < s->node_pages &&
		      live_covering(s, ev->new_pfn, 0) < 0;
	if (!src_ok || !dst_ok) {
		snprintf(s->event_err, sizeof(s->event_err), "MODEL_EV_MIGRATE %#" PRIx64 " -> %#"
			 PRIx64 " order %u mt %d: %s", ev->pfn, ev->new_pfn, ev->order,
			 ev->migratetype, !src_ok ? "the source is no live movable block of that order"
						  : "the destination is inside a live block");
		return;
	}
	s->live_at[ev->pfn - s->node_start] = 0;
	s->live[i].pfn = ev->new_pfn;
	s->live_at[ev->new_pfn - s->node_start] = (uint32_t)i + 1;
	s->migrations++;
}

static int storm_init(struct storm *s, const struct storm_config *cfg, unsigned long long seed,
		      unsigned int cfg_index)
{
	const struct layout *l = cfg->layout;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->seed = seed;
	s->rng = mix_seed(seed * 1000003ull + cfg_index);
	s->m = config_model(cfg, seed);
	s->node_start = l->zones[0].start;
	s->node_pages = l->zones[l->nr_zones - 1].end - s->node_start;
	s->onlined = layout_pages(l);
	s->live = calloc(s->onlined, sizeof(*s->live));
	s->live_at = calloc(s->node_pages, sizeof(*s->live_at));
	if (!s->m || !s->live || !s->live_at)
		return -1;
	model_set_event_fn(s->m, storm_event, s);
	model_set_time(s->m, 0);
	return 0;
}

static void storm_fini(struct storm *s)
{
	model_free_all(s->m);
	free(s->live);
	free(s->live_at);
}

static int storm_fail(struct storm *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int storm_fail(struct storm *s, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CHECK(0, "storm %s seed %llu op %lu (%s): %s", s->cfg->name, s->seed, s->op, s->what, msg);
	return -1;
}

/*
 * A zone's boost and pcp fields within the bounds their kernel functions keep:
 * boost_watermark() at most max(pageblock, high * factor / 10000), pcp->high
 * between high_min and high_max (a tiny zone may have high_min, from the low
 * watermark, above high_max, from managed / 8: either order is accepted),
 * alloc_factor up to PCP_BATCH_SCALE_MAX.
 */
static int check_zone_bounds(struct storm *s, unsigned int z, const struct model_zone_info *zi)
{
	long pb = 1l << s->cfg->pageblock_order;
	long max_boost = zi->wmark[2] * s->cfg->boost_factor / 10000;
	int lo = zi->pcp_high_min < zi->pcp_high_max ? zi->pcp_high_min : zi->pcp_high_max;
	int hi = zi->pcp_high_min < zi->pcp_high_max ? zi->pcp_high_max : zi->pcp_high_min;

	if (zi->watermark_boost > (max_boost > pb ? max_boost : pb) ||
	    (!s->cfg->boost_factor && zi->watermark_boost))
		return storm_fail(s, "zone type %d: watermark_boost %ld", (int)zi->type,
				  zi->watermark_boost);
	for (unsigned int cpu = 0; cpu < s->cfg->nr_cpus; cpu++) {
		struct model_pcp_info pi;

		model_pcp_info(s->m, z, cpu, &pi);
		if (pi.high < lo || pi.high > hi || pi.count < 0 || pi.alloc_factor < 0 ||
		    pi.alloc_factor > 5 || pi.free_count < 0)
			return storm_fail(s, "zone type %d cpu %u: pcp high %d [%d, %d] count %d "
					  "alloc_factor %d free_count %d", (int)zi->type, cpu, pi.high,
					  zi->pcp_high_min, zi->pcp_high_max, pi.count,
					  pi.alloc_factor, pi.free_count);
	}
	return 0;
}

/* free + pcp pages of every zone: with the live pages, all that was onlined */
static int check_counts(struct storm *s)
{
	uint64_t held = 0;
	int ret;

	for (unsigned int z = 0; z < model_nr_zones(s->m); z++) {
		struct model_zone_info zi;

		model_zone_info(s->m, z, &zi);
		if (zi.nr_free_pages < 0 || zi.pcp_count < 0)
			return storm_fail(s, "zone type %d: nr_free_pages %ld, pcp %ld", (int)zi.type,
					  zi.nr_free_pages, zi.pcp_count);
		held += (uint64_t)zi.nr_free_pages + (uint64_t)zi.pcp_count +
			(uint64_t)zi.compact_isolated;
		ret = check_zone_bounds(s, z, &zi);
		if (ret)
			return ret;
	}
	if (held + s->live_pages != s->onlined)
		return storm_fail(s, "free + pcp %" PRIu64 " + live %" PRIu64 " != onlined %" PRIu64,
				  held, s->live_pages, s->onlined);
	return 0;
}

static int check_model(struct storm *s)
{
	char err[256];

	if (model_check(s->m, err, sizeof(err)))
		return storm_fail(s, "model_check: %s", err);
	return 0;
}

/* ---- the operations ---- */

static unsigned int pick_order(struct storm *s)
{
	unsigned long long r = rnd(s, 100);

	if (r < 72)
		return 0;
	if (r < 90)
		return 1 + (unsigned int)rnd(s, 3);
	if (r < 97)
		return (unsigned int)s->cfg->pageblock_order;
	return (unsigned int)s->cfg->max_order - (unsigned int)rnd(s, 2);
}

/* the mix of requests the kernel sees, by migratetype, reclaim ability and zone */
static uint32_t pick_gfp(struct storm *s)
{
	static const uint32_t gfps[] = {
		MODEL_GFP_HIGHUSER_MOVABLE, MODEL_GFP_HIGHUSER_MOVABLE,
		MODEL_GFP_KERNEL | MODEL_GFP_MOVABLE,
		MODEL_GFP_KERNEL, MODEL_GFP_KERNEL,
		MODEL_GFP_KERNEL | MODEL_GFP_RECLAIMABLE,
		MODEL_GFP_ATOMIC, MODEL_GFP_ATOMIC,
		MODEL_GFP_ATOMIC | MODEL_GFP_DIRECT_RECLAIM,          /* __GFP_HIGH, may reclaim */
		MODEL_GFP_NOWAIT | MODEL_GFP_MOVABLE,                 /* no direct reclaim */
		MODEL_GFP_NOWAIT | MODEL_GFP_RECLAIMABLE,
		MODEL_GFP_KERNEL | MODEL_GFP_DMA32,
		MODEL_GFP_KERNEL | MODEL_GFP_DMA32 | MODEL_GFP_MOVABLE,
		MODEL_GFP_ATOMIC | MODEL_GFP_DMA32,
		MODEL_GFP_KERNEL | MODEL_GFP_DMA,
		/* THP fault: GFP_TRANSHUGE_LIGHT-like, no direct reclaim */
		(MODEL_GFP_HIGHUSER_MOVABLE & ~MODEL_GFP_DIRECT_RECLAIM) | MODEL_GFP_COMP |
			MODEL_GFP_NORETRY | MODEL_GFP_THISNODE,
		MODEL_GFP_KERNEL | MODEL_GFP_NORETRY,
		MODEL_GFP_ATOMIC | MODEL_GFP_MEMALLOC,                /* ALLOC_NO_WATERMARKS */
	};
	return gfps[rnd(s, sizeof(gfps) / sizeof(gfps[0]))];
}

/* gfp_zone(): the highest zone type a request may use */
static int gfp_highest_zone(uint32_t gfp)
{
	if (gfp & MODEL_GFP_DMA)
		return MODEL_ZONE_DMA;
	if (gfp & MODEL_GFP_DMA32)
		return MODEL_ZONE_DMA32;
	return MODEL_ZONE_MOVABLE;
}

static int do_alloc(struct storm *s)
{
	struct model_req req = {
		.order = pick_order(s),
		.gfp = pick_gfp(s),
		.cpu = (unsigned int)rnd(s, s->cfg->nr_cpus),
		.flags = rnd(s, 100) ? 0 : MODEL_REQ_NO_WATERMARKS,
	};
	if (req.gfp & MODEL_GFP_THISNODE) /* the THP fault's gfp: marked as the replay does */
		req.flags |= MODEL_REQ_THP_FAULT;
	struct model_page_info pi;

	snprintf(s->what, sizeof(s->what), "alloc order %u gfp %#x cpu %u flags %u", req.order,
		 req.gfp, req.cpu, req.flags);
	uint64_t pfn = model_alloc(s->m, &req);
	if (pfn == MODEL_PFN_NONE)
		return 0;
	snprintf(s->what + strlen(s->what), sizeof(s->what) - strlen(s->what), " -> %#" PRIx64,
		 pfn);
	int zone = model_zone_of(s->m, pfn);
	struct model_zone_info zi;
	if (pfn & ((1ull << req.order) - 1) || zone < 0)
		return storm_fail(s, "misaligned or outside the zones");
	model_zone_info(s->m, (unsigned int)zone, &zi);
	if ((int)zi.type > gfp_highest_zone(req.gfp) || pfn + (1ull << req.order) > zi.end_pfn)
		return storm_fail(s, "in zone type %d, not allowed or overrunning it", (int)zi.type);
	model_page_info(s->m, pfn, &pi);
	if (pi.state != MODEL_PAGE_ALLOC || pi.order != req.order ||
	    pi.mt != (int)model_gfp_migratetype(req.gfp))
		return storm_fail(s, "page state %d order %u mt %d", pi.state, pi.order, pi.mt);
	for (uint64_t p = pfn; p < pfn + (1ull << req.order); p++)
		if ((p == pfn && live_covering(s, p, 0) >= 0) || s->live_at[p - s->node_start])
			return storm_fail(s, "overlaps the live block at %#" PRIx64, p);
	live_add(s, pfn, req.order);
	return 0;
}

/* a whole live block, or one order-k piece of it (split_page() then a free) */
static int do_free(struct storm *s)
{
	size_t i = (size_t)rnd(s, s->nr_live);
	struct live b = s->live[i];
	unsigned int cpu = (unsigned int)rnd(s, s->cfg->nr_cpus);
	unsigned int k = b.order, piece = 0;
	struct model_page_info pi;

	if (b.order && rnd(s, 100) < 15) {
		k = (unsigned int)rnd(s, b.order);
		piece = (unsigned int)rnd(s, 1ull << (b.order - k));
	}
	uint64_t pfn = b.pfn + ((uint64_t)piece << k);
	snprintf(s->what, sizeof(s->what), "free %#" PRIx64 " order %u cpu %u (block %#" PRIx64
		 " order %u)", pfn, k, cpu, b.pfn, b.order);
	int ret = model_free(s->m, pfn, k, cpu);
	if (ret)
		return storm_fail(s, "model_free: %d", ret);
	live_del(s, i);
	for (unsigned int j = 0; k < b.order && j < 1u << (b.order - k); j++)
		if (j != piece)
			live_add(s, b.pfn + ((uint64_t)j << k), k);
	model_page_info(s->m, pfn, &pi);
	if (pi.state == MODEL_PAGE_ALLOC)
		return storm_fail(s, "still allocated");
	if (k < b.order) {
		uint64_t other = b.pfn + ((uint64_t)!piece << k);

		model_page_info(s->m, other, &pi);
		if (pi.state != MODEL_PAGE_ALLOC || pi.order != k)
			return storm_fail(s, "the rest of the block is not order-%u allocations", k);
	}
	return 0;
}

/* a free of memory the storm does not hold: -ENOENT and nothing changed */
static int do_bogus_free(struct storm *s)
{
	unsigned int order = (unsigned int)rnd(s, 3);
	uint64_t pfn = (s->node_start + rnd(s, s->node_pages)) & ~((1ull << order) - 1);

	snprintf(s->what, sizeof(s->what), "bogus free %#" PRIx64 " order %u", pfn, order);
	if (pfn < s->node_start || live_covering(s, pfn, order) >= 0)
		return 0;
	uint64_t before = model_hash(s->m);
	int ret = model_free(s->m, pfn, order, 0);
	if (ret != -ENOENT)
		return storm_fail(s, "model_free: %d, expected -ENOENT", ret);
	if (model_hash(s->m) != before)
		return storm_fail(s, "a failed free changed the model");
	return 0;
}

/* trace time: milliseconds per op, now and then seconds or hours at once */
static void advance_time(struct storm *s)
{
	unsigned long long r = rnd(s, 10000);
	struct model_pcp_info before, after;
	unsigned int zone = model_nr_zones(s->m) - 1;

	if (r < 5)
		s->now_ns += 3ull * 1000000000;
	else if (r < 6)
		s->now_ns += 2ull * 3600 * 1000000000;
	else
		s->now_ns += r % 20 * 1000000;
	model_pcp_info(s->m, zone, 0, &before);
	model_set_time(s->m, s->now_ns);
	model_pcp_info(s->m, zone, 0, &after);
	s->decays_seen += after.high < before.high;
}

/*
 * model_metrics()'s per-pageblock summaries, kept between calls and redone
 * only where the model marked a change, agree with a walk from scratch. The
 * zone asked for rotates (one zone, then all), so a zone's summaries also
 * stay right while another zone's are refreshed.
 */
static int check_metrics_cache(struct storm *s)
{
	unsigned int nr = model_nr_zones(s->m);
	int zone = s->op % (nr + 1) == nr ? -1 : (int)(s->op % (nr + 1));
	struct model_frag_metrics kept, fresh;

	if (model_metrics(s->m, zone, &kept) || model_metrics_fresh(s->m, zone, &fresh))
		return storm_fail(s, "model_metrics failed for zone %d", zone);
	if (memcmp(&kept, &fresh, sizeof(kept)))
		return storm_fail(s, "zone %d: metrics from kept summaries differ from a fresh walk "
				  "(free pageblocks %" PRIu64 "/%" PRIu64 ", mixed %" PRIu64 "/%" PRIu64
				  ", tainted %" PRIu64 "/%" PRIu64 ", pcp %" PRIu64 "/%" PRIu64 ")",
				  zone, kept.free_pageblocks, fresh.free_pageblocks,
				  kept.mixed_pageblocks, fresh.mixed_pageblocks,
				  kept.tainted_pageblocks, fresh.tainted_pageblocks, kept.pcp_pages,
				  fresh.pcp_pages);
	return 0;
}

static int storm_step(struct storm *s, bool check)
{
	unsigned long long r = rnd(s, 1000);
	int ret = 0;

	advance_time(s);
	if (r < 2) {
		snprintf(s->what, sizeof(s->what), "drain_all");
		model_drain_all(s->m);
		for (unsigned int z = 0; !ret && z < model_nr_zones(s->m); z++) {
			struct model_zone_info zi;

			model_zone_info(s->m, z, &zi);
			if (zi.pcp_count)
				ret = storm_fail(s, "zone type %d: %ld pages left on pcp", (int)zi.type,
						 zi.pcp_count);
		}
	} else if (r < 4) {
		ret = do_bogus_free(s);
	} else {
		bool below = s->live_pages < s->target;
		bool alloc = rnd(s, 100) < (below ? 75u : 25u);

		ret = alloc || !s->nr_live ? do_alloc(s) : do_free(s);
	}
	if (!ret && s->event_err[0])
		ret = storm_fail(s, "%s", s->event_err);
	if (!ret && check)
		ret = check_counts(s);
	if (!ret && check)
		ret = check_model(s);
	if (!ret && check)
		ret = check_metrics_cache(s);
	s->op++;
	return ret;
}

/* reserve/unreserve_highatomic_pageblock() count whole pageblocks: the reserve is
 * what the HIGHATOMIC pageblocks add up to */
static int check_highatomic(struct storm *s, const struct model_zone_info *zi)
{
	uint64_t pb = 1ull << s->cfg->pageblock_order, blocks = 0;

	for (uint64_t p = (zi->start_pfn + pb - 1) & ~(pb - 1); p + pb <= zi->end_pfn; p += pb)
		blocks += model_pageblock_mt(s->m, p) == MODEL_MT_HIGHATOMIC;
	if (blocks * pb != (uint64_t)zi->nr_reserved_highatomic)
		return storm_fail(s, "zone type %d: %" PRIu64 " highatomic pageblocks, "
				  "nr_reserved_highatomic %ld", (int)zi->type, blocks,
				  zi->nr_reserved_highatomic);
	return 0;
}

/*
 * model_alloc_orders() over the node: the flags and order at each allocated
 * head model_page_info() shows, 0 everywhere else; -EINVAL past the node
 */
static int check_alloc_orders(struct storm *s)
{
	uint8_t *ord = malloc(s->node_pages), one;
	struct model_page_info pi;
	uint64_t nonzero = 0, heads = 0;
	int ret = 0;

	if (!ord)
		return storm_fail(s, "no memory for the orders");
	if (model_alloc_orders(s->m, s->node_start, s->node_pages, 0x40, ord) ||
	    model_alloc_orders(s->m, s->node_start + 1, s->node_pages, 0x40, ord) != -EINVAL ||
	    model_alloc_orders(s->m, s->node_start - 1, 1, 0x40, &one) != -EINVAL) {
		free(ord);
		return storm_fail(s, "model_alloc_orders: wrong return on the node's range or past it");
	}
	for (uint64_t i = 0; i < s->node_pages; i++)
		nonzero += ord[i] != 0;
	for (uint64_t pfn = s->node_start; !ret && pfn < s->node_start + s->node_pages;) {
		model_page_info(s->m, pfn, &pi);
		bool head = pi.state == MODEL_PAGE_ALLOC || pi.state == MODEL_PAGE_FREE ||
			    pi.state == MODEL_PAGE_PCP;
		if (pi.state == MODEL_PAGE_ALLOC && ++heads &&
		    ord[pfn - s->node_start] != (0x40 | pi.order))
			ret = storm_fail(s, "model_alloc_orders: %#x at %#" PRIx64 ", order %u allocated",
					 ord[pfn - s->node_start], pfn, pi.order);
		pfn += head ? 1ull << pi.order : 1;
	}
	if (!ret && nonzero != heads)
		ret = storm_fail(s, "model_alloc_orders: %" PRIu64 " pfns marked, %" PRIu64
				 " allocated heads", nonzero, heads);
	free(ord);
	return ret;
}

/* at a phase's end: every live block is allocated in the model, and nothing else is;
 * model_metrics() sees the same free and pcp pages as the zone counters */
static int check_live_table(struct storm *s)
{
	uint64_t heads = 0, pages = 0, free_pcp = 0, isolated = 0, zones_isolated = 0;
	struct model_frag_metrics fm;
	struct model_page_info pi;

	snprintf(s->what, sizeof(s->what), "end of phase");
	for (size_t i = 0; i < s->nr_live; i++) {
		model_page_info(s->m, s->live[i].pfn, &pi);
		if (pi.state != MODEL_PAGE_ALLOC || pi.order != s->live[i].order)
			return storm_fail(s, "live %#" PRIx64 " order %u: state %d order %u",
					  s->live[i].pfn, s->live[i].order, pi.state, pi.order);
	}
	for (uint64_t pfn = s->node_start; pfn < s->node_start + s->node_pages;) {
		model_page_info(s->m, pfn, &pi);
		bool head = pi.state == MODEL_PAGE_ALLOC || pi.state == MODEL_PAGE_FREE ||
			    pi.state == MODEL_PAGE_PCP;
		if (pi.state == MODEL_PAGE_ALLOC && pi.compact_isolated) {
			isolated += 1ull << pi.order; /* a proactive pass's target, not live */
		} else if (pi.state == MODEL_PAGE_ALLOC) {
			heads++;
			pages += 1ull << pi.order;
		}
		pfn += head ? 1ull << pi.order : 1;
	}
	if (heads != s->nr_live || pages != s->live_pages)
		return storm_fail(s, "model holds %" PRIu64 " blocks (%" PRIu64 " pages), storm %zu (%"
				  PRIu64 ")", heads, pages, s->nr_live, s->live_pages);
	if (check_alloc_orders(s))
		return -1;
	model_metrics(s->m, -1, &fm);
	for (unsigned int z = 0; z < model_nr_zones(s->m); z++) {
		struct model_zone_info zi;

		model_zone_info(s->m, z, &zi);
		free_pcp += (uint64_t)zi.pcp_count;
		zones_isolated += (uint64_t)zi.compact_isolated;
		if (check_highatomic(s, &zi))
			return -1;
	}
	if (isolated != zones_isolated)
		return storm_fail(s, "compaction holds %" PRIu64 " pages isolated, zones say %" PRIu64,
				  isolated, zones_isolated);
	if (fm.free_pages + fm.pcp_pages + isolated + s->live_pages != s->onlined ||
	    fm.pcp_pages != free_pcp)
		return storm_fail(s, "metrics: free %" PRIu64 " pcp %" PRIu64 " (zones %" PRIu64 ")",
				  fm.free_pages, fm.pcp_pages, free_pcp);
	return 0;
}

static uint64_t storm_totals[MODEL_NR_COUNTERS];
static unsigned long storm_decays;

static void storm_run(const struct storm_config *cfg, unsigned int cfg_index,
		      unsigned long long seed)
{
	struct storm s;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (storm_init(&s, cfg, seed, cfg_index)) {
		CHECK(0, "storm %s: cannot build the model", cfg->name);
		storm_fini(&s);
		return;
	}
	int ret = check_model(&s);
	for (unsigned int phase = 0; !ret && phase < 8; phase++) {
		s.target = s.onlined * phase_target[phase] / 1000;
		while (!ret && s.op < (unsigned long)cfg->ops * (phase + 1) / 8)
			ret = storm_step(&s, true);
		if (!ret)
			ret = check_live_table(&s);
	}
	if (!ret)
		ret = check_model(&s);
	for (int c = 0; c < MODEL_NR_COUNTERS; c++)
		storm_totals[c] += model_counter(s.m, (enum model_counter)c);
	storm_decays += s.decays_seen;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("  %-38s seed %-10llu %5lu ops %.2fs: fail %" PRIu64 " claim %" PRIu64 " steal %"
	       PRIu64 " boost %" PRIu64 " highatomic +%" PRIu64 "/-%" PRIu64 " decays %lu"
	       " compact %" PRIu64 " migrated %lu captured %" PRIu64 "\n",
	       cfg->name, seed, s.op, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       model_counter(s.m, MODEL_ALLOC_FAIL), model_counter(s.m, MODEL_EXTFRAG_CLAIM),
	       model_counter(s.m, MODEL_EXTFRAG_STEAL), model_counter(s.m, MODEL_WMARK_BOOSTS),
	       model_counter(s.m, MODEL_HIGHATOMIC_RESERVE),
	       model_counter(s.m, MODEL_HIGHATOMIC_UNRESERVE), s.decays_seen,
	       model_counter(s.m, MODEL_COMPACT_STALL), s.migrations,
	       model_counter(s.m, MODEL_COMPACT_CAPTURE));
	storm_fini(&s);
}

static const unsigned long long *seeds = default_seeds;
static size_t nr_seeds = sizeof(default_seeds) / sizeof(default_seeds[0]);

static void test_storms(void)
{
	for (size_t i = 0; i < NR_CONFIGS; i++)
		for (size_t k = 0; k < nr_seeds; k++)
			storm_run(&configs[i], (unsigned int)i, seeds[k]);

	/* the storms reached every path they are meant to exercise */
	static const enum model_counter must[] = {
		MODEL_ALLOC_FAIL, MODEL_ALLOC_SLOWPATH, MODEL_WMARK_OVERRIDE,
		MODEL_EXTFRAG_CLAIM, MODEL_EXTFRAG_STEAL, MODEL_EXTFRAG_FRAGMENTING,
		MODEL_PCP_REFILL_PAGES, MODEL_PCP_DRAIN_PAGES, MODEL_WMARK_BOOSTS,
		MODEL_HIGHATOMIC_RESERVE, MODEL_HIGHATOMIC_UNRESERVE,
		MODEL_PGALLOC_DMA, MODEL_PGALLOC_DMA32, MODEL_PGALLOC_NORMAL,
		MODEL_COMPACT_STALL, MODEL_COMPACT_FAIL, MODEL_COMPACT_SUCCESS,
		MODEL_COMPACT_CAPTURE, MODEL_COMPACT_DAEMON_WAKE, MODEL_COMPACT_DEFERRED,
		MODEL_PGMIGRATE_SUCCESS, MODEL_PGMIGRATE_FAIL,
		MODEL_THP_FAULT_ALLOC, MODEL_THP_FAULT_FALLBACK,
	};
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		CHECK(storm_totals[must[i]], "no storm reached %s", model_counter_name(must[i]));
	CHECK(storm_decays, "no storm saw decay_pcp_high() lower pcp->high");
}

/* ---- determinism ---- */

/* the same seed on two fresh models: equal hashes after every operation */
static uint64_t lockstep(const struct storm_config *cfg, unsigned long long seed, unsigned int ops)
{
	struct storm a = { 0 }, b = { 0 };
	uint64_t h = 0;

	if (storm_init(&a, cfg, seed, 0) || storm_init(&b, cfg, seed, 0)) {
		CHECK(0, "cannot build the models");
		goto out;
	}
	CHECK(model_hash(a.m) == model_hash(b.m));
	for (unsigned int i = 0; i < ops; i++) {
		a.target = b.target = a.onlined * phase_target[i * 8 / ops] / 1000;
		if (storm_step(&a, false) || storm_step(&b, false))
			goto out;
		h = model_hash(a.m);
		if (h != model_hash(b.m) || strcmp(a.what, b.what)) {
			CHECK(0, "seed %llu op %u (%s / %s): hashes differ", seed, i, a.what, b.what);
			h = 0;
			goto out;
		}
	}
out:
	storm_fini(&a);
	storm_fini(&b);
	return h;
}

static void test_determinism(void)
{
	const struct storm_config *cfg = &configs[5]; /* 3 zones, pb5, 3 CPUs */
	uint64_t h1 = lockstep(cfg, seeds[0], 3000);
	uint64_t h2 = lockstep(cfg, seeds[0] + 1, 3000);

	CHECK(h1 && h2, "seed %llu", seeds[0]);
	CHECK(h1 != h2, "seeds %llu and %llu end in the same state %#" PRIx64, seeds[0],
	      seeds[0] + 1, h1);
}

/*
 * model_clone(): a copy taken mid-storm (a model at rest between requests)
 * behaves as the original from there on: two storms of one seed in
 * lockstep, the second's model replaced by a clone of the first's halfway;
 * equal hashes after every later operation, and the clone passes
 * model_check(). A clone may change a knob the build does not read
 * (defrag_mode), not one it does (pageblock_order: EINVAL).
 */
static void test_clone(void)
{
	const struct storm_config *cfg = &configs[5]; /* 3 zones, pb5, 3 CPUs */
	const unsigned int ops = 3000;
	struct storm a = { 0 }, b = { 0 };
	long knobs[MODEL_NR_KNOBS];
	char err[256];

	if (storm_init(&a, cfg, seeds[0], 0) || storm_init(&b, cfg, seeds[0], 0)) {
		CHECK(0, "cannot build the models");
		goto out;
	}
	for (unsigned int i = 0; i < ops; i++) {
		a.target = b.target = a.onlined * phase_target[i * 8 / ops] / 1000;
		if (i == ops / 2) {
			struct model *c = model_clone(a.m, NULL);
			CHECK(c, "clone: %s", strerror(errno));
			if (!c)
				goto out;
			model_free_all(b.m);
			b.m = c;
			model_set_event_fn(b.m, storm_event, &b);
			CHECK(model_hash(a.m) == model_hash(b.m), "the clone's hash");
			CHECK(model_check(b.m, err, sizeof(err)) == 0, "clone: %s", err);
		}
		if (storm_step(&a, false) || storm_step(&b, false))
			goto out;
		if (model_hash(a.m) != model_hash(b.m)) {
			CHECK(0, "op %u (%s / %s): the clone parted from the original", i, a.what,
			      b.what);
			goto out;
		}
	}
	CHECK(model_check(b.m, err, sizeof(err)) == 0, "clone at the end: %s", err);
	for (int k = 0; k < MODEL_NR_KNOBS; k++)
		knobs[k] = model_knob(a.m, (enum model_knob)k);
	knobs[MODEL_KNOB_DEFRAG_MODE] = !knobs[MODEL_KNOB_DEFRAG_MODE];
	struct model *c = model_clone(a.m, knobs);
	CHECK(c && model_knob(c, MODEL_KNOB_DEFRAG_MODE) == knobs[MODEL_KNOB_DEFRAG_MODE],
	      "a clone under another defrag_mode");
	model_free_all(c);
	knobs[MODEL_KNOB_PAGEBLOCK_ORDER]--;
	errno = 0;
	CHECK(!model_clone(a.m, knobs) && errno == EINVAL, "a clone under another pageblock_order");
out:
	storm_fini(&a);
	storm_fini(&b);
}

/* this process's resident memory in bytes (/proc/self/statm), 0 if unknown */
static uint64_t resident_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f && fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	if (f)
		fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/*
 * model_clone() of a sparse model: a 1 GiB zone seeded all allocated but for
 * three free pageblocks, so the links of every other pageblock were never
 * written (a zeroed struct mlink is never read). The clone copies only the
 * pages of the source's pfn arrays that were written (copy_pfn_array()):
 * its memory grows by the page map, not by the 2 MiB of links a whole copy
 * would fault in. And it goes on as the original where the source's links
 * were never written: frees there, then allocations, give equal hashes and
 * pass model_check().
 */
static void test_clone_sparse(void)
{
	const uint64_t start = 0x1000, nr = 0x40000, pb = 512; /* 1 GiB, pageblock order 9 */
	const uint64_t free_pb[] = { 3, 200, 411 };
	struct model *a = NULL, *b = NULL;
	struct model_desc d;
	char err[256];

	model_desc_init(&d);
	d.nr_zones = 1;
	d.nr_cpus = 2;
	d.zones[0] = (struct model_zone_desc){ .type = MODEL_ZONE_DMA32, .start_pfn = start,
					       .spanned = nr, .present = nr, .managed = nr };
	a = model_new(&d);
	CHECK(a, "model_new: %s", strerror(errno));
	if (!a)
		return;
	for (uint64_t p = start; p < start + nr; p += pb)
		CHECK(!model_seed_pageblock(a, p, MODEL_MT_MOVABLE), "seed pageblock %#" PRIx64, p);
	for (uint64_t i = 0, p = start; i <= 3; i++) {
		uint64_t end = i < 3 ? start + free_pb[i] * pb : start + nr;

		if (end > p)
			CHECK(!model_seed_alloc_run(a, p, end - p, MODEL_MT_MOVABLE), "seed allocated");
		if (i < 3)
			CHECK(model_seed_free(a, end, 9, MODEL_MT_MOVABLE) >= 0, "seed free");
		p = end + pb;
	}
	model_seed_done(a);
	CHECK(model_check(a, err, sizeof(err)) == 0, "seeded: %s", err);
	model_set_time(a, 0);

	uint64_t before = resident_bytes();
	CHECK(before, "cannot read /proc/self/statm");
	b = model_clone(a, NULL);
	uint64_t grew = resident_bytes() - before;
	CHECK(b, "clone: %s", strerror(errno));
	if (!b)
		goto out;
	/* the page map (4 B a pfn) is written everywhere, the links (8 B) in 3 pageblocks */
	CHECK(grew < nr * 4 + nr * 8 / 2, "the clone grew resident memory by %" PRIu64
	      " bytes: more than the page map and half the links (%" PRIu64 ")", grew,
	      nr * 4 + nr * 8 / 2);
	CHECK(model_hash(a) == model_hash(b), "the clone's hash");
	for (unsigned int i = 0; i < 64; i++) { /* frees where no link was ever written */
		uint64_t pfn = start + (220 + 2 * i) * pb + 7 * i; /* pageblocks 220-346 */

		CHECK(!model_free(a, pfn, 0, i % 2) && !model_free(b, pfn, 0, i % 2), "free %#" PRIx64,
		      pfn);
	}
	for (unsigned int i = 0; i < 96; i++) {
		struct model_req r = { .order = i % 4, .gfp = 0xcc0, .cpu = i % 2 };

		CHECK(model_alloc(a, &r) == model_alloc(b, &r), "allocation %u differs", i);
	}
	CHECK(model_hash(a) == model_hash(b), "the clone parted from the original");
	CHECK(model_check(a, err, sizeof(err)) == 0, "original: %s", err);
	CHECK(model_check(b, err, sizeof(err)) == 0, "clone: %s", err);
out:
	model_free_all(a);
	model_free_all(b);
}

/*
 * model_share(): a model that stands for several variants has taken, until
 * model_parted(), only decisions every one of them takes alike. The knobs
 * they may differ in (model_share(): the seed policies', the watermark boost,
 * compaction's, the migration failures and their seed) are read through
 * knob() after the conditions that do not depend on them, or decided by
 * knob_monotone() for the smallest and the largest value; a read of one that
 * decides something before that would let a variant's state part from the
 * shared model's unseen, and compare's copies of it would be wrong
 * (replay/session.c share_prefix()). Each variant's storm runs beside the
 * shared one from a clone of it; its hash may differ only from the
 * operation in which the shared model parted on. The storms do part (the
 * test would pass vacuously otherwise) on most configurations; and a model
 * cloned while parted, evacuate's queue and all, goes on as the original.
 */
static void test_share(void)
{
	static const struct { const char *name; int knob[3]; long value[3]; } vars[] = {
		{ "defrag_mode flipped", { MODEL_KNOB_DEFRAG_MODE, -1, -1 }, { -1 } },
		{ "evacuate", { MODEL_KNOB_EVACUATE, MODEL_KNOB_EVACUATE_POOL, -1 }, { 1, 2 } },
		{ "capture_split", { MODEL_KNOB_DEFRAG_MODE, MODEL_KNOB_CAPTURE_SPLIT,
				     MODEL_KNOB_CAPTURE_ORDER }, { 1, 1, 1 } },
		{ "migrate_split", { MODEL_KNOB_MIGRATE_SPLIT, -1, -1 }, { -1 } },
		{ "watermark_boost_factor", { MODEL_KNOB_WATERMARK_BOOST_FACTOR, -1, -1 }, { 5000 } },
		{ "extfrag_threshold", { MODEL_KNOB_EXTFRAG_THRESHOLD, -1, -1 }, { 1000 } },
		{ "compaction_proactiveness", { MODEL_KNOB_COMPACTION_PROACTIVENESS, -1, -1 },
		  { 90 } },
		{ "compaction flipped", { MODEL_KNOB_COMPACTION, -1, -1 }, { -1 } },
		{ "migrate_fail_permille", { MODEL_KNOB_MIGRATE_FAIL_PERMILLE, -1, -1 }, { 300 } },
		{ "seed", { MODEL_KNOB_SEED, MODEL_KNOB_MIGRATE_FAIL_PERMILLE, -1 }, { 4242, 100 } },
		{ "kcompactd_ns_per_page", { MODEL_KNOB_KCOMPACTD_NS_PER_PAGE, -1, -1 }, { 20000 } },
	};
	unsigned int parted = 0, runs = 0, cloned = 0, parted_by[16] = { 0 };

	for (size_t c = 0; c < NR_CONFIGS; c++)
		for (size_t v = 0; v < sizeof(vars) / sizeof(vars[0]); v++) {
			const struct storm_config *cfg = &configs[c];
			const unsigned int ops = 8000;
			struct storm a = { 0 }, b = { 0 };
			long knobs[2][MODEL_NR_KNOBS];
			char err[256];
			long part_op = -1;

			if (storm_init(&a, cfg, seeds[0], (unsigned int)c) ||
			    storm_init(&b, cfg, seeds[0], (unsigned int)c)) {
				CHECK(0, "cannot build the models");
				goto next;
			}
			for (int k = 0; k < MODEL_NR_KNOBS; k++)
				knobs[0][k] = knobs[1][k] = model_knob(a.m, (enum model_knob)k);
			for (int i = 0; i < 3 && vars[v].knob[i] >= 0; i++)
				knobs[1][vars[v].knob[i]] = vars[v].value[i] < 0
								    ? !knobs[0][vars[v].knob[i]]
								    : vars[v].value[i];
			CHECK(model_share(a.m, (const long (*)[MODEL_NR_KNOBS])knobs, 2) == 0,
			      "%s: %s refused", cfg->name, vars[v].name);
			model_free_all(b.m);
			b.m = model_clone(a.m, knobs[1]);
			CHECK(b.m, "clone: %s", strerror(errno));
			if (!b.m)
				goto next;
			model_set_event_fn(b.m, storm_event, &b);
			runs++;
			for (unsigned int i = 0; i < ops; i++) {
				a.target = b.target = a.onlined * phase_target[i * 8 / ops] / 1000;
				if (storm_step(&a, false) || storm_step(&b, false))
					goto next;
				if (part_op < 0 && model_parted(a.m))
					part_op = i;
				if (part_op < 0 && model_hash(a.m) != model_hash(b.m)) {
					CHECK(0, "%s, %s, seed %llu op %u (%s): the variant parted "
						 "from the shared model, which did not say so",
					      cfg->name, vars[v].name, seeds[0], i, a.what);
					goto next;
				}
				if (part_op >= 0 && i == (unsigned int)part_op + ops / 8) {
					/* a copy of the variant, parted, goes on as it */
					struct model *copy = model_clone(b.m, NULL);
					CHECK(copy && model_check(copy, err, sizeof(err)) == 0,
					      "%s: the copy: %s", cfg->name, copy ? err : strerror(errno));
					if (!copy)
						goto next;
					model_free_all(b.m);
					b.m = copy;
					model_set_event_fn(b.m, storm_event, &b);
					cloned++;
				}
			}
			CHECK(model_check(b.m, err, sizeof(err)) == 0, "%s: %s", cfg->name, err);
			parted += part_op >= 0;
			parted_by[v] += part_op >= 0;
next:
			storm_fini(&a);
			storm_fini(&b);
		}
	printf("  shared storms: %u of %u parted, %u copies taken after\n", parted, runs, cloned);
	_Static_assert(sizeof(vars) / sizeof(vars[0]) <= 16, "parted_by[]");
	/* each knob's variant parts somewhere, or its gates were never tried */
	for (size_t v = 0; v < sizeof(vars) / sizeof(vars[0]); v++)
		CHECK(parted_by[v], "%s: no storm parted", vars[v].name);
	/* only the knobs every decision of which is gated may differ */
	struct storm a = { 0 };
	long knobs[2][MODEL_NR_KNOBS];
	if (storm_init(&a, &configs[0], seeds[0], 0) == 0) {
		for (int k = 0; k < MODEL_NR_KNOBS; k++)
			knobs[0][k] = knobs[1][k] = model_knob(a.m, (enum model_knob)k);
		knobs[1][MODEL_KNOB_FEEDBACK] = !knobs[1][MODEL_KNOB_FEEDBACK];
		CHECK(model_share(a.m, (const long (*)[MODEL_NR_KNOBS])knobs, 2) == -EINVAL,
		      "variants of another feedback (read by the engine) shared a model");
	}
	storm_fini(&a);
}

/* ---- metrics on hand-made layouts ---- */

/*
 * pageblock_order 9, MAX_PAGE_ORDER 10; pfns in hex, 0x200 = one pageblock.
 *
 *  DMA32 [0x1000, 0x3000), 16 pageblocks, all MOVABLE, nearly empty:
 *    free o0 at 0x1000 0x1002 0x1004, o2 at 0x1010 0x1020, o4 at 0x1100
 *    alloc UNMOVABLE o0 at 0x1200 (MOVABLE pb: mixed, tainted)
 *    alloc RECLAIMABLE o1 at 0x1400 (RECLAIMABLE pb: tainted)
 *
 *  Normal [0x3c000, 0xc2000), 1072 pageblocks; 1 GiB = 0x40000 pages:
 *    0x3c000 |0x40000             0x80000             0xc0000| 0xc2000
 *    [part. ]|[ range A: all free ]|[ range B: sparse     ]|[part.]
 *    0x3c000 alloc UNMOVABLE o0          (MOVABLE pb: mixed, tainted)
 *    0x3c400 free o10                    (2 free pbs)
 *    0x40000..0x80000 free o10 x 256     (512 free pbs, a free 1 GiB range)
 *    0x80000 MOVABLE pb: alloc UNMOVABLE o0, free o0 o1 o2 o3 (mixed, tainted)
 *    0x80200 UNMOVABLE pb: alloc UNMOVABLE o3, free o8 at 0x80300 (tainted)
 *    0x80400 MOVABLE pb: free o9         (a free pb)
 *    0x80600 RECLAIMABLE pb: alloc MOVABLE o2 (mixed)
 *    0x80800 MOVABLE pb: alloc MOVABLE o9 (neither)
 *    0x80a00 HIGHATOMIC pb: alloc MOVABLE o0 (mixed: a type of its own)
 *    0xc0000 free o10                    (2 free pbs, range not whole)
 *  everything else unmanaged.
 */
static struct model *metrics_model(void)
{
	struct model_desc d;

	model_desc_init(&d);
	d.nr_zones = 2;
	d.zones[0] = (struct model_zone_desc){ .type = MODEL_ZONE_DMA32, .start_pfn = 0x1000,
					       .spanned = 0x2000 };
	d.zones[1] = (struct model_zone_desc){ .type = MODEL_ZONE_NORMAL, .start_pfn = 0x3c000,
					       .spanned = 0x86000 };
	struct model *m = model_new(&d);
	if (!m)
		return NULL;

	static const struct { uint64_t pfn; int mt; } pbs[] = {
		{ 0x1400, MODEL_MT_RECLAIMABLE }, { 0x80200, MODEL_MT_UNMOVABLE },
		{ 0x80600, MODEL_MT_RECLAIMABLE }, { 0x80a00, MODEL_MT_HIGHATOMIC },
	};
	static const struct { uint64_t pfn; unsigned int order; } frees[] = {
		{ 0x1000, 0 }, { 0x1002, 0 }, { 0x1004, 0 }, { 0x1010, 2 }, { 0x1020, 2 },
		{ 0x1100, 4 }, { 0x3c400, 10 }, { 0x80001, 0 }, { 0x80002, 1 }, { 0x80004, 2 },
		{ 0x80008, 3 }, { 0x80300, 8 }, { 0x80400, 9 }, { 0xc0000, 10 },
	};
	static const struct { uint64_t pfn; unsigned int order; int mob; } allocs[] = {
		{ 0x1200, 0, MODEL_MT_UNMOVABLE }, { 0x1400, 1, MODEL_MT_RECLAIMABLE },
		{ 0x3c000, 0, MODEL_MT_UNMOVABLE }, { 0x80000, 0, MODEL_MT_UNMOVABLE },
		{ 0x80200, 3, MODEL_MT_UNMOVABLE }, { 0x80600, 2, MODEL_MT_MOVABLE },
		{ 0x80800, 9, MODEL_MT_MOVABLE }, { 0x80a00, 0, MODEL_MT_MOVABLE },
	};
	int bad = 0;

	for (size_t i = 0; i < sizeof(pbs) / sizeof(pbs[0]); i++)
		bad |= model_seed_pageblock(m, pbs[i].pfn, pbs[i].mt);
	for (size_t i = 0; i < sizeof(frees) / sizeof(frees[0]); i++)
		bad |= model_seed_free(m, frees[i].pfn, frees[i].order,
				       model_pageblock_mt(m, frees[i].pfn));
	for (uint64_t pfn = 0x40000; pfn < 0x80000; pfn += 1024)
		bad |= model_seed_free(m, pfn, 10, MODEL_MT_MOVABLE);
	for (size_t i = 0; i < sizeof(allocs) / sizeof(allocs[0]); i++)
		bad |= model_seed_alloc(m, allocs[i].pfn, allocs[i].order, allocs[i].mob);
	CHECK(!bad, "seeding failed");
	CHECK(model_seed_done(m) == 0, "the layout has no buddies to merge");
	return m;
}

static void test_metrics_by_hand(void)
{
	struct model *m = metrics_model();
	struct model_frag_metrics f;
	char err[256];

	CHECK(m);
	if (!m)
		return;
	CHECK(model_check(m, err, sizeof(err)) == 0, "%s", err);

	/*
	 * DMA32: free 3 x o0 + 2 x o2 + 1 x o4 = 27 pages in 6 blocks.
	 * unusable(j) = pages in blocks below j * 1000 / 27:
	 *   j0 0; j1,j2 3000/27 = 111; j3,j4 11000/27 = 407; j>=5 1000.
	 * frag(j) = -1000 while a block >= j is free (j <= 4), then
	 *   1000 - (1000 + 27000 / 2^j) / 6: j5 1000-1843/6 = 693, j6 1000-1421/6 = 764,
	 *   j7 1000-1210/6 = 799, j8 1000-1105/6 = 816, j9 1000-1052/6 = 825,
	 *   j10 1000-1026/6 = 829.
	 */
	static const int unusable_dma32[11] = { 0, 111, 111, 407, 407, 1000, 1000, 1000, 1000,
						1000, 1000 };
	static const int frag_dma32[11] = { -1000, -1000, -1000, -1000, -1000, 693, 764, 799,
					    816, 825, 829 };
	CHECK(model_metrics(m, 0, &f) == 0);
	CHECK(f.nr_orders == 11 && f.managed_pages == 0x2000 && f.free_pages == 27 &&
	      f.pcp_pages == 0);
	CHECK(f.nr_free[0] == 3 && f.nr_free[2] == 2 && f.nr_free[4] == 1 && f.nr_free[1] == 0);
	for (int j = 0; j <= 10; j++) {
		CHECK(f.unusable_index[j] == unusable_dma32[j], "order %d: %d", j,
		      f.unusable_index[j]);
		CHECK(f.frag_index[j] == frag_dma32[j], "order %d: %d", j, f.frag_index[j]);
	}
	CHECK(f.pageblocks == 16 && f.pageblocks_mt[MODEL_MT_MOVABLE] == 15 &&
	      f.pageblocks_mt[MODEL_MT_RECLAIMABLE] == 1, "%" PRIu64, f.pageblocks);
	CHECK(f.free_pageblocks == 0 && f.mixed_pageblocks == 1 && f.tainted_pageblocks == 2,
	      "free %" PRIu64 " mixed %" PRIu64 " tainted %" PRIu64, f.free_pageblocks,
	      f.mixed_pageblocks, f.tainted_pageblocks);
	CHECK(f.ranges_1g == 0 && f.free_ranges_1g == 0 && f.tainted_ranges_1g == 0);

	/*
	 * Normal: o0 1, o1 1, o2 1, o3 1, o8 1, o9 1, o10 258:
	 * 1+2+4+8+256+512 = 783 pages below order 10, 264975 free pages in all.
	 * unusable(j) = 0 up to j8 (15 pages below: 15000/264975), j9 271000/264975 = 1,
	 * j10 783000/264975 = 2; frag(j) = -1000 everywhere (an o10 block is free).
	 */
	CHECK(model_metrics(m, 1, &f) == 0);
	CHECK(f.free_pages == 264975 && f.nr_free[10] == 258 && f.nr_free[8] == 1,
	      "%" PRIu64, f.free_pages);
	for (int j = 0; j <= 10; j++) {
		CHECK(f.unusable_index[j] == (j == 10 ? 2 : j == 9 ? 1 : 0), "order %d: %d", j,
		      f.unusable_index[j]);
		CHECK(f.frag_index[j] == -1000, "order %d: %d", j, f.frag_index[j]);
	}
	CHECK(f.nr_free_mt[8][MODEL_MT_UNMOVABLE] == 1 && f.nr_free_mt[9][MODEL_MT_MOVABLE] == 1);
	CHECK(f.pageblocks == 1072 && f.pageblocks_mt[MODEL_MT_UNMOVABLE] == 1 &&
	      f.pageblocks_mt[MODEL_MT_RECLAIMABLE] == 1 &&
	      f.pageblocks_mt[MODEL_MT_HIGHATOMIC] == 1 &&
	      f.pageblocks_mt[MODEL_MT_MOVABLE] == 1069, "%" PRIu64, f.pageblocks);
	CHECK(f.free_pageblocks == 2 + 512 + 1 + 2, "%" PRIu64, f.free_pageblocks);
	CHECK(f.mixed_pageblocks == 4 && f.tainted_pageblocks == 3,
	      "mixed %" PRIu64 " tainted %" PRIu64, f.mixed_pageblocks, f.tainted_pageblocks);
	CHECK(f.ranges_1g == 2 && f.free_ranges_1g == 1 && f.tainted_ranges_1g == 1,
	      "ranges %" PRIu64 " free %" PRIu64 " tainted %" PRIu64, f.ranges_1g,
	      f.free_ranges_1g, f.tainted_ranges_1g);

	/* both zones: indices from the summed lists, 265002 pages in 270 blocks,
	 * 810 of them below order 10: unusable(10) = 810000/265002 = 3 */
	CHECK(model_metrics(m, -1, &f) == 0);
	CHECK(f.free_pages == 265002 && f.managed_pages == 0x2000 + 0x86000);
	CHECK(f.unusable_index[10] == 3 && f.unusable_index[5] == 0 && f.frag_index[10] == -1000,
	      "%d %d %d", f.unusable_index[10], f.unusable_index[5], f.frag_index[10]);
	CHECK(f.pageblocks == 1088 && f.free_pageblocks == 517 && f.mixed_pageblocks == 5 &&
	      f.tainted_pageblocks == 5 && f.ranges_1g == 2);
	CHECK(model_metrics(m, 2, &f) == -EINVAL);

	/* freed to a per-CPU list, a page is neither free nor tainting */
	CHECK(model_free(m, 0x1200, 0, 0) == 0);
	CHECK(model_metrics(m, 0, &f) == 0);
	CHECK(f.pcp_pages == 1 && f.free_pages == 27 && f.mixed_pageblocks == 0 &&
	      f.tainted_pageblocks == 1, "pcp %" PRIu64 " mixed %" PRIu64 " tainted %" PRIu64,
	      f.pcp_pages, f.mixed_pageblocks, f.tainted_pageblocks);
	model_free_all(m);
}

int main(void)
{
	static unsigned long long env_seed;
	const char *env = getenv("FRAGREPLAY_SEED");

	if (env && *env) {
		env_seed = strtoull(env, NULL, 0);
		seeds = &env_seed;
		nr_seeds = 1;
	}
	printf("seeds:");
	for (size_t k = 0; k < nr_seeds; k++)
		printf(" %llu", seeds[k]);
	printf(" (FRAGREPLAY_SEED=N to choose one)\n");

	RUN(test_metrics_by_hand);
	RUN(test_determinism);
	RUN(test_clone);
	RUN(test_clone_sparse);
	RUN(test_share);
	RUN(test_storms);
	return CHECK_DONE();
}
