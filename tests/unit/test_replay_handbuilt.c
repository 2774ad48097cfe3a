/* SPDX-License-Identifier: MIT */
/*
 * test_replay_handbuilt - a small trace written by hand, whose right answer
 * was worked out by hand from mm/page_alloc.c (6.18), replayed through the
 * engine (frt_writer -> .frt -> frt_reader -> replay_feed) and checked event
 * for event: every mm_page_alloc_extfrag the model emits, the pageblock
 * types after every step, the final layout, the replay stats and counters.
 *
 * The workload interleaves reclaimable slab pages, unmovable kernel pages and
 * page-cache folios on a node whose Normal zone is small, so that requests
 * must fall back: some claim a pageblock (a chunk of at least pageblock
 * order, or free + alike pages reaching half a pageblock), others steal just
 * below that half; ALLOC_NOFRAGMENT sends the first ones to DMA32.
 *
 * The trace is what a 6.18 kernel would record on this layout: its recorded
 * pfns are the placements derived below, and its mm_page_alloc_extfrag
 * events are the table want[] (the engine tallies those, it never replays
 * them). The model must re-derive the same decisions on its own.
 *
 * The node (pageblock_order 3: 8 pages; MAX_PAGE_ORDER 4: 16 pages):
 *
 *   zone    DMA32 (spans 0-31, 24 present)     Normal (32-47)
 *   pb      0        1        2        3(hole)  4        5
 *   pfn     0        8        16       24       32       40
 *          |F.......|........|F.......|        |F.......|........|
 *           order 4 at 0       order 3 at 16     order 4 at 32
 *
 * Every pageblock starts MOVABLE (memory onlined at boot). pcp off (batch 1,
 * high 0: every free drains at once, every refill is one block), compaction
 * off, min_free_kbytes 1 so that every watermark and lowmem_reserve is 0,
 * which also keeps boost_watermark() from boosting (max_boost 0). Every
 * request prefers Normal (GFP_KERNEL: Normal; GFP_HIGHUSER_MOVABLE: Movable,
 * absent, so Normal), so alloc_flags_nofragment() sets ALLOC_NOFRAGMENT: the
 * first pass over the zonelist (Normal, then DMA32) claims only whole
 * pageblocks (__rmqueue_claim's min_order = pageblock_order) and never
 * steals; get_page_from_freelist() then retries without it. Every request
 * below is served by get_page_from_freelist() in the fast path.
 */
#define MAX_EVENTS 512

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "model_draw.h" /* desc_small, add_zone_at, EXPECT_BLOCKS/PAGEBLOCKS, U M R */
#include "trace.h"

#define DMA32 MODEL_ZONE_DMA32
#define NORMAL MODEL_ZONE_NORMAL

/* the gfp masks of the callers: allocate_slab() of a SLAB_RECLAIM_ACCOUNT
 * cache (dentries, inodes), a page table or kernel buffer, a page-cache
 * folio (filemap_alloc_folio with the mapping's GFP_HIGHUSER_MOVABLE);
 * __GFP_COMP on the high-order ones */
#define SLAB (MODEL_GFP_KERNEL | MODEL_GFP_RECLAIMABLE)
#define KERN MODEL_GFP_KERNEL
#define PAGECACHE MODEL_GFP_HIGHUSER_MOVABLE

/* one mm_page_alloc_extfrag: the page handed out and where it came from */
struct extfrag {
	uint64_t pfn;
	unsigned int order;
	int mt;
	unsigned int fallback_order;
	int fallback_mt;
	bool claim; /* change_ownership: the pageblock is now of the request's type */
	enum model_zone_type zone;
};

/*
 * The fallbacks, in order, as mm/page_alloc.c decides them. The state each
 * one starts from is drawn in steps[] below.
 */
static const struct extfrag want[] = {
	/*
	 * 0, step 4, slab order 3. Pass 1 (ALLOC_NOFRAGMENT): Normal has
	 * nothing of order >= 3 (its free pages: 45, 46-47, which do not even
	 * pass __zone_watermark_ok() at order 3); in DMA32 it scans from MAX_PAGE_ORDER down and
	 * find_suitable_fallback() (fallbacks[RECLAIMABLE] = UNMOVABLE, MOVABLE)
	 * finds MOVABLE's order-4 chunk at 0. try_to_claim_block(): current_order
	 * >= pageblock_order, so the whole chunk is taken and
	 * change_pageblock_range() retypes both its pageblocks; expand() leaves
	 * 8 on the RECLAIMABLE order-3 list. Without ALLOC_NOFRAGMENT Normal
	 * would have been fragmented instead (a steal of 45).
	 */
	{ 0, 3, R, 4, M, true, DMA32 },
	/*
	 * 1, step 5, kernel order 0. Pass 1: Normal as above; in DMA32
	 * __rmqueue_claim() finds order 4 empty, and at order 3 both the
	 * RECLAIMABLE list (8) and the MOVABLE list (16) hold a chunk:
	 * fallbacks[UNMOVABLE] = RECLAIMABLE first, so pageblock 1 is claimed
	 * whole and expand() frees 12 (o2), 10 (o1), 9 (o0) as UNMOVABLE.
	 */
	{ 8, 0, U, 3, R, true, DMA32 },
	/*
	 * 2, step 6, slab order 3. Pass 1: DMA32's RECLAIMABLE lists are empty,
	 * UNMOVABLE has nothing of order 3, MOVABLE has 16: try_to_claim_block()
	 * takes pageblock 2 whole.
	 */
	{ 16, 3, R, 3, M, true, DMA32 },
	/*
	 * 3, step 7, slab order 0. Pass 1 finds nothing of order >= 3 in either
	 * zone; pass 2 starts again at Normal. __rmqueue_claim() from order 4
	 * down: order 1 holds MOVABLE 46; try_to_claim_block() counts pageblock
	 * 5 (40-47): free 3 (45, 46-47), movable 5 (the folios at 40 and 44),
	 * so alike = 8 - 3 - 5 = 0 and 3 + 0 < 4 = half a pageblock: no claim;
	 * order 0 holds MOVABLE 45, same pageblock, no claim.
	 * __rmqueue_steal() from order 0 up: fallbacks[RECLAIMABLE] =
	 * UNMOVABLE (empty), MOVABLE 45: stolen, pageblock 5 stays MOVABLE.
	 */
	{ 45, 0, R, 0, M, false, NORMAL },
	/*
	 * 4, step 9, slab order 0, after the page cache gave 44 back. Pass 2
	 * again: at order 1, MOVABLE 46; pageblock 5 now holds free 3 (44,
	 * 46-47), movable 4 (40-43) and the slab page stolen at 45: for a
	 * non-movable request from a MOVABLE block, alike = 8 - (3 + 4) = 1, and
	 * 3 + 1 >= 4: try_to_claim_block() moves the block's free pages to the
	 * RECLAIMABLE lists (tails) and retypes it, then __rmqueue_smallest()
	 * hands out the smallest of them: 44, not the order-1 chunk it found.
	 */
	{ 44, 0, R, 1, M, true, NORMAL },
	/*
	 * 5, step 10, page cache order 0. No MOVABLE page is free anywhere and
	 * nothing of order >= 3, so pass 2: in Normal, __rmqueue_claim() reaches
	 * order 1 (RECLAIMABLE 46). should_try_claim_block() is asked about the
	 * chunk's order, not the request's: 1 >= pageblock_order / 2, so it
	 * tries; a movable request counts movable pages as alike: free 2 +
	 * movable 4 >= 4, and pageblock 5 goes back to MOVABLE. 46 is split by
	 * __rmqueue_smallest(): 46 out, 47 on the MOVABLE order-0 list.
	 */
	{ 46, 0, M, 1, R, true, NORMAL },
	/*
	 * 6, step 14, page cache order 0. Normal has no free page (its
	 * watermark check fails); DMA32 has one, UNMOVABLE 9. Pass 2:
	 * __rmqueue_claim() finds orders 4-1 empty and at order 0
	 * should_try_claim_block() says no to a movable request (0 <
	 * pageblock_order / 2): FALLBACK_NOCLAIM ends the scan.
	 * __rmqueue_steal(): fallbacks[MOVABLE] = RECLAIMABLE (empty),
	 * UNMOVABLE 9: stolen.
	 */
	{ 9, 0, M, 0, U, false, DMA32 },
	/*
	 * 7, step 17, kernel order 0, after the page cache gave back 32-39.
	 * Pass 1 in Normal, the preferred zone, first: __rmqueue_claim() at
	 * order 3 finds RECLAIMABLE empty in Normal and MOVABLE 32, and claims
	 * pageblock 4 whole, although DMA32 has a RECLAIMABLE order-3 chunk
	 * (0), the first fallback of UNMOVABLE: the zonelist order comes first.
	 */
	{ 32, 0, U, 3, M, true, NORMAL },
	/*
	 * 8, step 20, slab order 0, after a slab took DMA32's last free chunk
	 * and the page cache gave back 40-43. DMA32 is full; in Normal neither
	 * pass finds a RECLAIMABLE page, and __rmqueue_claim() reaches order 2,
	 * where both UNMOVABLE 36 and MOVABLE 40 wait: fallbacks[RECLAIMABLE] =
	 * UNMOVABLE first. try_to_claim_block() on pageblock 4: free 7, and from
	 * an UNMOVABLE block a reclaimable request counts no alike pages, but
	 * 7 >= 4: claimed, its free pages moved (33 o0, 34 o1, 36 o2), and
	 * __rmqueue_smallest() hands out 33.
	 */
	{ 33, 0, R, 2, U, true, NORMAL },
};
#define NR_WANT (sizeof(want) / sizeof(want[0]))

/*
 * The trace, one line per mm_page_alloc / mm_page_free. pfn is what the
 * kernel recorded (and where the model must place it); pbs the pageblock
 * types after the step (pageblocks 0 1 2 | 4 5); ef the want[] entry the
 * step emits, or -1. The drawings show the state after the step.
 */
struct step {
	bool free;
	uint64_t pfn;
	unsigned int order;
	uint32_t gfp;
	const char *pbs;
	int ef;
};

static const struct step steps[] = {
	/* page cache fills Normal; __rmqueue_smallest() and expand():
	 * 1: 32 out of the order-4 chunk, 40 (o3) on the list;
	 * 2: 40 out of it, 44 (o2); 3: 44 out of that, 46 (o1), 45 (o0)
	 *   Normal  |m.......|m...mFF.|   pageblock 5: free 3, movable 5 */
	{ false, 32, 3, PAGECACHE | MODEL_GFP_COMP, "MMM|MM", -1 }, /* 1 */
	{ false, 40, 2, PAGECACHE | MODEL_GFP_COMP, "MMM|MM", -1 }, /* 2 */
	{ false, 44, 0, PAGECACHE, "MMM|MM", -1 },                  /* 3 */
	/* slab and kernel pages go to DMA32 (want 0-2)
	 *   DMA32   |r.......|uFF.F...|r.......|   9, 10, 12 on UNMOVABLE lists */
	{ false, 0, 3, SLAB | MODEL_GFP_COMP, "RRM|MM", 0 },        /* 4 */
	{ false, 8, 0, KERN, "RUM|MM", 1 },                         /* 5 */
	{ false, 16, 3, SLAB | MODEL_GFP_COMP, "RUR|MM", 2 },       /* 6 */
	/* DMA32 has no RECLAIMABLE page left: Normal is fragmented (want 3, 4)
	 *   Normal  |m.......|m...mrF.|   after 7
	 *           |m.......|m...FrF.|   after 8
	 *           |m.......|m...rrF.|   after 9, pageblock 5 RECLAIMABLE */
	{ false, 45, 0, SLAB, "RUR|MM", 3 },                        /* 7 */
	{ true, 44, 0, 0, "RUR|MM", -1 },                           /* 8 */
	{ false, 44, 0, SLAB, "RUR|MR", 4 },                        /* 9 */
	/* page cache takes pageblock 5 back (want 5), then fills it
	 *   Normal  |m.......|m...rrmm|   after 11 */
	{ false, 46, 0, PAGECACHE, "RUR|MM", 5 },                   /* 10 */
	{ false, 47, 0, PAGECACHE, "RUR|MM", -1 },                  /* 11 */
	/* Normal is full: kernel pages from DMA32's UNMOVABLE lists (12, 13), and
	 * page cache steals the last free page (want 6)
	 *   DMA32   |r.......|umu.u...|r.......|   nothing free */
	{ false, 12, 2, KERN | MODEL_GFP_COMP, "RUR|MM", -1 },      /* 12 */
	{ false, 10, 1, KERN | MODEL_GFP_COMP, "RUR|MM", -1 },      /* 13 */
	{ false, 9, 0, PAGECACHE, "RUR|MM", 6 },                    /* 14 */
	/* a slab and a folio go; __free_one_page() puts each on its pageblock's
	 * list, no buddy to merge with (8 and 40 are in use)
	 *   DMA32   |F.......|umu.u...|r.......|   0 on RECLAIMABLE order 3
	 *   Normal  |F.......|m...rrmm|            32 on MOVABLE order 3 */
	{ true, 0, 3, 0, "RUR|MM", -1 },                            /* 15 */
	{ true, 32, 3, 0, "RUR|MM", -1 },                           /* 16 */
	/* (want 7)
	 *   Normal  |uFF.F...|m...rrmm| */
	{ false, 32, 0, KERN, "RUR|UM", 7 },                        /* 17 */
	/* a slab of order 3 from DMA32's own list (Normal fails the order-3
	 * watermark check); the page cache gives back the folio at 40, whose
	 * buddy 44 is in use (want 8)
	 *   DMA32   |r.......|umu.u...|r.......|
	 *   Normal  |urF.F...|F...rrmm|   after 20 */
	{ false, 0, 3, SLAB | MODEL_GFP_COMP, "RUR|UM", -1 },       /* 18 */
	{ true, 40, 2, 0, "RUR|UM", -1 },                           /* 19 */
	{ false, 33, 0, SLAB, "RUR|RM", 8 },                        /* 20 */
};
#define NR_STEPS (sizeof(steps) / sizeof(steps[0]))

/* the model's extfrag events, each with the step that caused it */
struct seen {
	int n;
	int step;
	struct { struct model_event ev; int step; } ev[2 * NR_WANT];
};

static void on_event(void *ctx, const struct model_event *ev)
{
	struct seen *s = ctx;

	if (ev->type != MODEL_EV_EXTFRAG)
		return;
	if ((size_t)s->n < 2 * NR_WANT) {
		s->ev[s->n].ev = *ev;
		s->ev[s->n].step = s->step;
	}
	s->n++;
}

static struct model *handbuilt_node(void)
{
	struct model_desc d;

	desc_small(&d);
	struct model_zone_desc *dma32 = add_zone_at(&d, DMA32, 0, 32);
	dma32->present = 24; /* 24-31: a hole at the top of DMA32 */
	add_zone_at(&d, NORMAL, 32, 16);
	struct model *m = build(&d, NULL);
	if (!m)
		return NULL;
	ONLINE(m, 0, 24);
	ONLINE(m, 32, 16);
	/* the starting point the derivation assumes */
	EXPECT_BLOCKS(m, 0, "|F.......|........|F.......|        |F.......|........|");
	for (unsigned int z = 0; z < 2; z++) {
		struct model_zone_info zi = zinfo(m, z);

		CHECK(!zi.wmark[0] && !zi.wmark[1] && !zi.wmark[2] &&
		      !zi.lowmem_reserve[NORMAL] && !zi.lowmem_reserve[MODEL_ZONE_MOVABLE],
		      "zone %u: watermarks %ld/%ld/%ld, reserve %ld", z, zi.wmark[0], zi.wmark[1],
		      zi.wmark[2], zi.lowmem_reserve[NORMAL]);
	}
	return m;
}

static const char *pageblocks_now(const struct model *m, char *buf)
{
	static const uint64_t pb[] = { 0, 8, 16, 32, 40 };
	size_t n = 0;

	for (size_t i = 0; i < 5; i++) {
		int mt = model_pageblock_mt(m, pb[i]);

		if (pb[i] == 32)
			buf[n++] = '|';
		buf[n++] = mt >= 0 && mt < MODEL_NR_MT ? mt_letters[mt] : '?';
	}
	buf[n] = '\0';
	return buf;
}

static int write_trace(const char *path)
{
	static const char *meta = "{\"format\":\"fragreplay-trace\","
				  "\"created_by\":\"test_replay_handbuilt\"}";
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	struct frt_writer *w = fd < 0 ? NULL : frt_writer_new(fd, meta, NULL);
	uint64_t ts = 1000;
	int ret = 0;

	if (!w)
		return -errno;
	for (size_t i = 0; i < NR_STEPS && !ret; i++) {
		const struct step *s = &steps[i];
		struct frt_event e = { .cpu = 0 };

		if (s->ef >= 0) {
			/* the kernel's own record of the fallback, just before the alloc */
			const struct extfrag *x = &want[s->ef];

			e.ts = ts++;
			e.type = FRT_EV_PAGE_ALLOC_EXTFRAG;
			e.extfrag.pfn = x->pfn;
			e.extfrag.alloc_order = x->order;
			e.extfrag.fallback_order = x->fallback_order;
			e.extfrag.alloc_migratetype = x->mt;
			e.extfrag.fallback_migratetype = x->fallback_mt;
			e.extfrag.change_ownership = x->claim;
			ret = frt_writer_add(w, &e);
			memset(&e, 0, sizeof(e));
		}
		e.ts = ts++;
		if (s->free) {
			e.type = FRT_EV_PAGE_FREE;
			e.free.pfn = s->pfn;
			e.free.order = s->order;
		} else {
			e.type = FRT_EV_PAGE_ALLOC;
			e.alloc.pfn = s->pfn;
			e.alloc.order = s->order;
			e.alloc.gfp_flags = s->gfp;
			e.alloc.migratetype = model_gfp_migratetype(s->gfp);
		}
		if (!ret)
			ret = frt_writer_add(w, &e);
	}
	int cret = frt_writer_close(w);
	return ret ? ret : cret;
}

static void handbuilt_slab_pagecache_fallbacks(void)
{
	char path[] = "/tmp/frt-handbuilt-XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0, "mkstemp: %s", strerror(errno));
	if (fd < 0)
		return;
	close(fd);
	CHECK(write_trace(path) == 0, "writing %s", path);

	char err[256] = "";
	struct frt_reader *rd = frt_reader_open(path, err, sizeof(err));
	struct model *m = handbuilt_node();
	struct seen seen = { 0 };
	struct replay *r = m ? replay_new(m, 0, on_event, &seen) : NULL;

	CHECK(rd, "%s", err);
	CHECK(r);
	if (!rd || !r)
		goto out;

	struct frt_event ev;
	size_t events = 0;
	int got;
	char pbs[8];

	while ((got = frt_reader_next(rd, &ev)) > 0) {
		events++;
		bool step = ev.type == FRT_EV_PAGE_ALLOC || ev.type == FRT_EV_PAGE_FREE;
		if (step)
			seen.step++; /* steps are numbered from 1, as in steps[] */
		replay_feed(r, &ev);
		model_ok(m, __LINE__);
		if (step && seen.step <= (int)NR_STEPS)
			CHECK(!strcmp(pageblocks_now(m, pbs), steps[seen.step - 1].pbs),
			      "step %d: pageblocks %s, expected %s", seen.step, pbs,
			      steps[seen.step - 1].pbs);
	}
	CHECK(got == 0 && frt_reader_status(rd) == FRT_READ_OK, "%s", frt_reader_error(rd));
	CHECK(seen.step == (int)NR_STEPS && events == NR_STEPS + NR_WANT,
	      "%d steps, %zu events read", seen.step, events);

	/* event for event: the same fallbacks, in the same order, at the same steps */
	CHECK(seen.n == (int)NR_WANT, "%d extfrag events, expected %zu", seen.n, NR_WANT);
	for (int i = 0, k = 0; i < (int)NR_STEPS; i++) {
		if (steps[i].ef < 0)
			continue;
		const struct extfrag *x = &want[steps[i].ef];
		if (k >= seen.n || k >= (int)(2 * NR_WANT)) {
			CHECK(0, "want[%d] (step %d) never happened", steps[i].ef, i + 1);
			continue;
		}
		const struct model_event *e = &seen.ev[k].ev;
		CHECK(seen.ev[k].step == i + 1 && e->pfn == x->pfn && e->order == x->order &&
		      e->migratetype == x->mt && e->fallback_order == x->fallback_order &&
		      e->fallback_migratetype == x->fallback_mt && e->change_ownership == x->claim &&
		      e->zone == x->zone,
		      "want[%d]: step %d pfn %" PRIu64 " order %u %c, fallback %u %c, %s, zone %d; "
		      "the model: step %d pfn %" PRIu64 " order %u %c, fallback %u %c, %s, zone %d",
		      steps[i].ef, i + 1, x->pfn, x->order, mt_letters[x->mt], x->fallback_order,
		      mt_letters[x->fallback_mt], x->claim ? "claim" : "steal", x->zone,
		      seen.ev[k].step, e->pfn, e->order, mt_letters[e->migratetype],
		      e->fallback_order, mt_letters[e->fallback_migratetype],
		      e->change_ownership ? "claim" : "steal", e->zone);
		k++;
	}

	/* where everything ended up */
	EXPECT_PAGEBLOCKS(m, 0, "RUR");
	EXPECT_PAGEBLOCKS(m, 32, "RM");
	EXPECT_BLOCKS(m, 0, "|r.......|umu.u...|r.......|        |urF.F...|F...rrmm|");
	CHECK(zinfo(m, 0).nr_free_pages == 0);
	CHECK(nr_free(m, 1, 1, R) == 1 && nr_free(m, 1, 2, R) == 1 && nr_free(m, 1, 2, M) == 1 &&
	      zinfo(m, 1).nr_free_pages == 10);

	const struct replay_stats *st = replay_stats(r);
	CHECK(st->events == NR_STEPS + NR_WANT && st->allocs == 16 && st->frees == 4,
	      "events %" PRIu64 " allocs %" PRIu64 " frees %" PRIu64, st->events, st->allocs,
	      st->frees);
	CHECK(!st->unmatched_frees && !st->model_failed && !st->kernel_failed &&
	      !st->partial_frees && !st->unseen_frees && !st->outside_model && !st->frees_of_failed,
	      "unmatched %" PRIu64 " model_failed %" PRIu64 " unseen %" PRIu64,
	      st->unmatched_frees, st->model_failed, st->unseen_frees);
	/* the kernel's record, tallied; the model's own decisions, counted */
	CHECK(st->recorded.extfrag_claim == 7 && st->recorded.extfrag_steal == 2);
	CHECK(model_counter(m, MODEL_EXTFRAG_CLAIM) == 7 &&
	      model_counter(m, MODEL_EXTFRAG_STEAL) == 2 &&
	      model_counter(m, MODEL_EXTFRAG_FRAGMENTING) == 5, /* want 3-6, 8: below order 3 */
	      "claims %" PRIu64 " steals %" PRIu64 " fragmenting %" PRIu64,
	      model_counter(m, MODEL_EXTFRAG_CLAIM), model_counter(m, MODEL_EXTFRAG_STEAL),
	      model_counter(m, MODEL_EXTFRAG_FRAGMENTING));
	/* all in get_page_from_freelist(): no slow path, no boost, no failure */
	CHECK(!model_counter(m, MODEL_ALLOC_SLOWPATH) && !model_counter(m, MODEL_ALLOC_FAIL) &&
	      !model_counter(m, MODEL_WMARK_OVERRIDE) && !model_counter(m, MODEL_WMARK_BOOSTS));
	/* pages per zone: DMA32 8 + 1 + 8 + 4 + 2 + 1 + 8, Normal 8 + 4 + 1 + 1 + 1 + 1 + 1 +
	 * 1 + 1; freed 1 + 8 + 8 + 4 */
	CHECK(model_counter(m, MODEL_PGALLOC_DMA32) == 32 &&
	      model_counter(m, MODEL_PGALLOC_NORMAL) == 19 && model_counter(m, MODEL_PGFREE) == 21,
	      "pgalloc %" PRIu64 " + %" PRIu64 ", pgfree %" PRIu64,
	      model_counter(m, MODEL_PGALLOC_DMA32), model_counter(m, MODEL_PGALLOC_NORMAL),
	      model_counter(m, MODEL_PGFREE));
out:
	replay_free(r);
	model_free_all(m);
	frt_reader_free(rd);
	unlink(path);
}

int main(void)
{
	RUN(handbuilt_slab_pagecache_fallbacks);
	return CHECK_DONE();
}
