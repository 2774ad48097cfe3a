/* SPDX-License-Identifier: MIT */
/*
 * model_draw.h - building small allocator models from drawings and checking
 * them against drawings; shared by the model's rule tests
 * (test_model_rules.c, test_model_compaction.c).
 *
 *   pageblocks  one letter per pageblock: U M R H (unmovable, movable,
 *               reclaimable, highatomic)
 *   blocks      one character per pfn, '|' at each pageblock boundary:
 *                 F      head of a free block (on its pageblock's free list)
 *                 P      head of a block on a per-CPU list
 *                 u m r  head of an allocated block, by mobility
 *                 .      a page of the block to its left
 *
 * The drawings assume pageblock_order 3 (PB = 8 pages). model_check() runs
 * after every operation these helpers perform.
 */
#ifndef FRT_TEST_MODEL_DRAW_H
#define FRT_TEST_MODEL_DRAW_H

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "model.h"

#define U MODEL_MT_UNMOVABLE
#define M MODEL_MT_MOVABLE
#define R MODEL_MT_RECLAIMABLE
#define H MODEL_MT_HIGHATOMIC

#define PB 8 /* pageblock_nr_pages */

static const uint32_t gfp_of[MODEL_NR_PCPTYPES] = {
	[U] = MODEL_GFP_KERNEL,
	[M] = MODEL_GFP_KERNEL | MODEL_GFP_MOVABLE,
	[R] = MODEL_GFP_KERNEL | MODEL_GFP_RECLAIMABLE,
};

static const char mt_letters[] = "UMRHCI";  /* enum model_mt */
static const char mobility_letters[] = "umr"; /* allocated blocks */

/* ---- building models ---- */

/* the geometry every test starts from; zones are added with add_zone() */
static inline void desc_small(struct model_desc *d)
{
	model_desc_init(d);
	d->knobs[MODEL_KNOB_PAGEBLOCK_ORDER] = 3;
	d->knobs[MODEL_KNOB_MAX_PAGE_ORDER] = 4;
	d->knobs[MODEL_KNOB_MIN_FREE_KBYTES] = 1; /* computed watermarks: all 0 */
	d->knobs[MODEL_KNOB_COMPACTION] = 0;      /* these are page_alloc.c's rules */
}

/* the next zone, at @start_pfn; pcp off */
static inline struct model_zone_desc *add_zone_at(struct model_desc *d, enum model_zone_type type,
						 uint64_t start_pfn, uint64_t pages)
{
	struct model_zone_desc *z = &d->zones[d->nr_zones];

	z->type = type;
	z->start_pfn = start_pfn;
	z->spanned = pages;
	z->pcp_given = true;
	z->pcp_batch = 1;
	z->pcp_high_min = 0;
	z->pcp_high_max = 0; /* computed, but pcp->high starts at high_min and stays 0 */
	d->nr_zones++;
	return z;
}

/* the next zone, right after the previous one (the first at pfn 0); pcp off */
static inline struct model_zone_desc *add_zone(struct model_desc *d, enum model_zone_type type,
					       uint64_t pages)
{
	uint64_t start = d->nr_zones ? d->zones[d->nr_zones - 1].start_pfn +
					       d->zones[d->nr_zones - 1].spanned : 0;

	return add_zone_at(d, type, start, pages);
}

static inline void set_wmarks(struct model_zone_desc *z, uint64_t min, uint64_t low, uint64_t high)
{
	z->wmark_min = min;
	z->wmark_low = low;
	z->wmark_high = high;
}

/* pcp on: a fixed batch and high (high_min == high_max, so high never moves) */
static inline void set_pcp(struct model_zone_desc *z, int batch, int high)
{
	z->pcp_batch = batch;
	z->pcp_high_min = high;
	z->pcp_high_max = high;
}

#ifndef MAX_EVENTS
#define MAX_EVENTS 64 /* a test file may ask for more before including this */
#endif

struct evlog {
	int n;
	struct model_event ev[MAX_EVENTS];
};

static inline void record(void *ctx, const struct model_event *ev)
{
	struct evlog *l = ctx;

	if (l->n < MAX_EVENTS)
		l->ev[l->n] = *ev;
	l->n++;
}

static inline struct model *build(const struct model_desc *d, struct evlog *log)
{
	struct model *m = model_new(d);

	CHECK(m, "model_new: errno %d", errno);
	if (m && log) {
		memset(log, 0, sizeof(*log));
		model_set_event_fn(m, record, log);
	}
	return m;
}

static inline void model_ok(const struct model *m, int line)
{
	char err[256] = "";
	int ret = model_check(m, err, sizeof(err));

	CHECK(ret == 0, "line %d: model_check %d: %s", line, ret, err);
}

static inline void online(struct model *m, uint64_t pfn, uint64_t nr, int line)
{
	CHECK(model_online(m, pfn, nr) == 0, "line %d: model_online", line);
	model_ok(m, line);
}
#define ONLINE(m, pfn, nr) online(m, pfn, nr, __LINE__)

/*
 * Seed pageblock types and blocks from a drawing that starts at @base. Free
 * blocks go on their pageblock's list. The drawing must be fully merged.
 */
static inline void seed(struct model *m, uint64_t base, const char *pbs, const char *blocks, int line)
{
	uint64_t pfn = base;

	for (size_t i = 0; pbs[i]; i++) {
		const char *p = strchr(mt_letters, pbs[i]);

		CHECK(p && model_seed_pageblock(m, base + i * PB, (enum model_mt)(p - mt_letters)) == 0,
		      "line %d: pageblock %zu '%c'", line, i, pbs[i]);
	}
	for (const char *c = blocks; *c;) {
		if (*c == '|') {
			c++;
			continue;
		}
		uint64_t len = 1;
		const char *t = c + 1;
		unsigned int order = 0;
		int ret;

		for (; *t == '.' || *t == '|'; t++)
			len += *t == '.';
		while ((1ull << order) < len)
			order++;
		CHECK((1ull << order) == len, "line %d: block at %" PRIu64 " of %" PRIu64 " pages",
		      line, pfn, len);
		if (*c == 'F') {
			ret = model_seed_free(m, pfn, order, (enum model_mt)model_pageblock_mt(m, pfn));
		} else {
			const char *p = strchr(mobility_letters, *c);

			ret = p ? model_seed_alloc(m, pfn, order, (enum model_mt)(p - mobility_letters))
				: -EINVAL;
		}
		CHECK(ret == 0, "line %d: seeding '%c' at %" PRIu64 ": %d", line, *c, pfn, ret);
		pfn += len;
		c = t;
	}
	CHECK(model_seed_done(m) == 0, "line %d: the drawing has unmerged buddies", line);
	model_ok(m, line);
}
#define SEED(m, base, pbs, blocks) seed(m, base, pbs, blocks, __LINE__)

/* ---- requests ---- */

static inline uint64_t alloc_req(struct model *m, unsigned int order, uint32_t gfp, int line)
{
	struct model_req r = { .order = order, .gfp = gfp };
	uint64_t pfn = model_alloc(m, &r);

	model_ok(m, line);
	return pfn;
}

static inline void expect_alloc(struct model *m, unsigned int order, uint32_t gfp, uint64_t want,
			 int line)
{
	uint64_t have = alloc_req(m, order, gfp, line);

	if (want == MODEL_PFN_NONE)
		CHECK(have == MODEL_PFN_NONE, "line %d: order-%u alloc got pfn %" PRIu64
		      ", expected a failure", line, order, have);
	else
		CHECK(have == want, "line %d: order-%u alloc got pfn %" PRId64 ", expected %" PRIu64,
		      line, order, (int64_t)have, want);
}
#define EXPECT_ALLOC(m, order, gfp, want) expect_alloc(m, order, gfp, want, __LINE__)

static inline void free_block(struct model *m, uint64_t pfn, unsigned int order, int line)
{
	int ret = model_free(m, pfn, order, 0);

	CHECK(ret == 0, "line %d: model_free(%" PRIu64 ", %u) = %d", line, pfn, order, ret);
	model_ok(m, line);
}
#define FREE(m, pfn, order) free_block(m, pfn, order, __LINE__)

/* ---- what the model holds ---- */

static inline char pfn_char(const struct model *m, uint64_t pfn)
{
	struct model_page_info pi;

	if (model_page_info(m, pfn, &pi))
		return '?';
	switch (pi.state) {
	case MODEL_PAGE_FREE:
		return 'F';
	case MODEL_PAGE_PCP:
		return 'P';
	case MODEL_PAGE_TAIL:
		return '.';
	case MODEL_PAGE_ALLOC:
		return pi.mt >= 0 && pi.mt < MODEL_NR_PCPTYPES ? mobility_letters[pi.mt] : '?';
	default:
		return ' ';
	}
}

static inline void expect_blocks(const struct model *m, uint64_t base, const char *want, int line)
{
	char have[512];
	size_t n = 0, pages = 0;

	for (const char *c = want; *c; c++)
		pages += *c != '|';
	for (uint64_t pfn = base; pfn < base + pages && n < sizeof(have) - 3; pfn++) {
		if (pfn % PB == 0)
			have[n++] = '|';
		have[n++] = pfn_char(m, pfn);
	}
	have[n++] = '|';
	have[n] = '\0';
	CHECK(!strcmp(have, want), "line %d: blocks\n  want %s\n  have %s", line, want, have);
}
#define EXPECT_BLOCKS(m, base, want) expect_blocks(m, base, want, __LINE__)

static inline void expect_pageblocks(const struct model *m, uint64_t base, const char *want, int line)
{
	char have[64];
	size_t n = 0;

	for (; want[n] && n < sizeof(have) - 1; n++) {
		int mt = model_pageblock_mt(m, base + n * PB);

		have[n] = mt >= 0 && mt < MODEL_NR_MT ? mt_letters[mt] : '?';
	}
	have[n] = '\0';
	CHECK(!strcmp(have, want), "line %d: pageblocks want %s, have %s", line, want, have);
}
#define EXPECT_PAGEBLOCKS(m, base, want) expect_pageblocks(m, base, want, __LINE__)

static inline struct model_zone_info zinfo(const struct model *m, unsigned int zone)
{
	struct model_zone_info zi;

	memset(&zi, 0, sizeof(zi));
	CHECK(model_zone_info(m, zone, &zi) == 0, "zone %u", zone);
	return zi;
}

static inline uint64_t nr_free(const struct model *m, unsigned int zone, unsigned int order, int mt)
{
	return zinfo(m, zone).nr_free[order][mt];
}

static inline struct model_pcp_info pcpinfo(const struct model *m, unsigned int zone)
{
	struct model_pcp_info pi;

	memset(&pi, 0, sizeof(pi));
	CHECK(model_pcp_info(m, zone, 0, &pi) == 0, "zone %u", zone);
	return pi;
}

static inline void expect_page(const struct model *m, uint64_t pfn, enum model_page_state state,
			unsigned int order, int mt, int line)
{
	struct model_page_info pi;

	CHECK(model_page_info(m, pfn, &pi) == 0 && pi.state == state && pi.order == order &&
	      pi.mt == mt, "line %d: pfn %" PRIu64 ": state %d order %u mt %d, expected %d %u %d",
	      line, pfn, pi.state, pi.order, pi.mt, state, order, mt);
}
#define EXPECT_PAGE(m, pfn, state, order, mt) expect_page(m, pfn, state, order, mt, __LINE__)

static inline int nr_events(const struct evlog *l, enum model_event_type type)
{
	int n = 0;

	for (int i = 0; i < l->n && i < MAX_EVENTS; i++)
		n += l->ev[i].type == type;
	return n;
}

/* the @nth event of @type */
static const struct model_event *event(const struct evlog *l, enum model_event_type type, int nth)
{
	for (int i = 0; i < l->n && i < MAX_EVENTS; i++)
		if (l->ev[i].type == type && nth-- == 0)
			return &l->ev[i];
	return NULL;
}

/* mm_page_alloc_extfrag */
static inline void expect_extfrag(const struct evlog *l, int nth, uint64_t pfn, unsigned int order,
			   int mt, unsigned int fallback_order, int fallback_mt, bool owned,
			   enum model_zone_type zone, int line)
{
	const struct model_event *e = event(l, MODEL_EV_EXTFRAG, nth);

	CHECK(e, "line %d: no extfrag event #%d", line, nth);
	if (!e)
		return;
	CHECK(e->pfn == pfn && e->order == order && e->migratetype == mt &&
	      e->fallback_order == fallback_order && e->fallback_migratetype == fallback_mt &&
	      e->change_ownership == owned && e->zone == zone,
	      "line %d: extfrag #%d: pfn %" PRIu64 " order %u mt %d fallback %u/%d owned %d "
	      "zone %d; expected %" PRIu64 " %u %d %u/%d %d %d", line, nth, e->pfn, e->order,
	      e->migratetype, e->fallback_order, e->fallback_migratetype, e->change_ownership,
	      e->zone, pfn, order, mt, fallback_order, fallback_mt, owned, zone);
}
#define EXPECT_EXTFRAG(l, nth, pfn, order, mt, forder, fmt, owned, zone) \
	expect_extfrag(l, nth, pfn, order, mt, forder, fmt, owned, zone, __LINE__)

/* mm_page_alloc_zone_locked and mm_page_pcpu_drain: pfn, order, migratetype */
static inline void expect_event(const struct evlog *l, enum model_event_type type, int nth,
			 uint64_t pfn, unsigned int order, int mt, int line)
{
	const struct model_event *e = event(l, type, nth);

	CHECK(e, "line %d: no event #%d of type %d", line, nth, type);
	if (e)
		CHECK(e->pfn == pfn && e->order == order && e->migratetype == mt,
		      "line %d: event %d #%d: pfn %" PRIu64 " order %u mt %d; expected %" PRIu64
		      " %u %d", line, type, nth, e->pfn, e->order, e->migratetype, pfn, order, mt);
}
#define EXPECT_EVENT(l, type, nth, pfn, order, mt) \
	expect_event(l, type, nth, pfn, order, mt, __LINE__)

#endif
