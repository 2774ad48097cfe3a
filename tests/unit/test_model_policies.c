/* SPDX-License-Identifier: MIT */
/*
 * test_model_policies - the two 2026 policy variants, one mechanism per test:
 *
 *   evacuate       Rik van Riel, "[RFC PATCH 06/40] mm: page_alloc: async
 *                  evacuation of stolen movable pageblocks" (May 2026):
 *                  try_to_claim_block()'s isolate refusal and queueing hunk,
 *                  queue_pageblock_evacuate(), the 64-item pool,
 *                  evacuate_pageblock() and its re-check.
 *   capture-split  Johannes Weiner, "[PATCH 0-4/4] mm: fix reclaim storms in
 *                  defrag_mode" (June 2026): 3/4 moves capture_control to the
 *                  allocator so that capture stays at the request's order
 *                  while compaction targets a larger one; 4/4 sends
 *                  non-movable requests "regardless of order" into pageblock
 *                  compaction; 2/4 lets that compaction take migrate sources
 *                  from MOVABLE blocks. Only 3/4 (and the texts of 0/4 and 4/4's
 *                  commit message) were available when these were written;
 *                  the 2/4 and 4/4 rules are pinned as the commit messages and
 *                  core/alloc.c's and core/compaction.c's readings describe them.
 *
 * Each test names the hunk or function it pins; its expected values were
 * worked out by hand from the patch text and mm/page_alloc.c /
 * mm/compaction.c, and the comment above it gives the walk. model_check()
 * runs after every step.
 *
 * Drawings as in model_draw.h: one letter per pageblock (U M R H), one
 * character per pfn (F free head, u m r allocated heads by mobility, '.' the
 * rest of a block), '|' every 8 pfns. Unless a test says otherwise:
 * pageblock_order 3 (8 pages), MAX_PAGE_ORDER 4, pcp off, all watermarks 0.
 *
 * The evacuate tests give the movable pages somewhere to go with a
 * ZONE_MOVABLE zone after the DMA32 one: alloc_migration_target()'s
 * GFP_HIGHUSER_MOVABLE prefers it, while the GFP_KERNEL requests that claim
 * blocks cannot reach it (gfp_zone() caps them at ZONE_NORMAL), so its free
 * blocks never compete with the claims under test.
 */
#include <stdlib.h>

#define MAX_EVENTS 4096
#include "check.h"
#include "model.h"
#include "model_draw.h"

#define US 1000ull
#define MS 1000000ull

/* ---- helpers ---- */

static void set_time(struct model *m, uint64_t ns, int line)
{
	model_set_time(m, ns);
	model_ok(m, line);
}
#define SET_TIME(m, ns) set_time(m, ns, __LINE__)

static void expect_counter(const struct model *m, enum model_counter c, uint64_t want, int line)
{
	uint64_t have = model_counter(m, c);

	CHECK(have == want, "line %d: %s = %" PRIu64 ", expected %" PRIu64, line,
	      model_counter_name(c), have, want);
}
#define EXPECT_COUNTER(m, c, want) expect_counter(m, c, want, __LINE__)

static int nr_logged(const struct evlog *l)
{
	CHECK(l->n <= MAX_EVENTS, "event log overflowed: %d events", l->n);
	return l->n < MAX_EVENTS ? l->n : MAX_EVENTS;
}

/* desc_small() with the evacuate variant on */
static void desc_evac(struct model_desc *d)
{
	desc_small(d);
	d->knobs[MODEL_KNOB_EVACUATE] = 1;
}

/*
 * A DMA32 zone of @dma32 pageblocks at 0 and, if @movable, a MOVABLE zone of
 * that many pageblocks right after it; seeded from one drawing over both.
 */
static struct model *evac_model(struct model_desc *d, unsigned int dma32, unsigned int movable,
				struct evlog *log, const char *pbs, const char *drawing, int line)
{
	add_zone(d, MODEL_ZONE_DMA32, (uint64_t)dma32 * PB);
	if (movable)
		add_zone(d, MODEL_ZONE_MOVABLE, (uint64_t)movable * PB);
	struct model *m = build(d, log);
	if (m)
		seed(m, 0, pbs, drawing, line);
	if (log)
		log->n = 0;
	return m;
}
#define EVAC_MODEL(d, dma32, movable, log, pbs, drawing) \
	evac_model(d, dma32, movable, log, pbs, drawing, __LINE__)

/* pages in [start, end) that are heads of allocated blocks of @mobility */
static uint64_t alloc_pages_of(const struct model *m, uint64_t start, uint64_t end, int mobility)
{
	uint64_t n = 0;

	for (uint64_t pfn = start; pfn < end;) {
		struct model_page_info pi;

		if (model_page_info(m, pfn, &pi)) {
			pfn++;
			continue;
		}
		uint64_t len = pi.state == MODEL_PAGE_TAIL || pi.state == MODEL_PAGE_UNMANAGED
				       ? 1 : 1ull << pi.order;
		if (pi.state == MODEL_PAGE_ALLOC && pi.mt == mobility)
			n += len;
		pfn += len;
	}
	return n;
}

/* pages in [start, end) in free blocks (or on pcp lists when @pcp) */
static uint64_t free_pages_in(const struct model *m, uint64_t start, uint64_t end, bool pcp)
{
	uint64_t n = 0;

	for (uint64_t pfn = start; pfn < end;) {
		struct model_page_info pi;

		if (model_page_info(m, pfn, &pi)) {
			pfn++;
			continue;
		}
		uint64_t len = pi.state == MODEL_PAGE_TAIL || pi.state == MODEL_PAGE_UNMANAGED
				       ? 1 : 1ull << pi.order;
		if (pi.state == MODEL_PAGE_FREE || (pcp && pi.state == MODEL_PAGE_PCP))
			n += len;
		pfn += len;
	}
	return n;
}

/* ==================== evacuate (RFC 06/40) ==================== */

/*
 * try_to_claim_block(), the queueing hunk: after __move_freepages_block() and
 * set_pageblock_migratetype() of the half-pageblock path,
 *
 *	if (block_type == MIGRATE_MOVABLE &&
 *	    (start_type == MIGRATE_UNMOVABLE || start_type == MIGRATE_RECLAIMABLE))
 *		queue_pageblock_evacuate(zone, start_pfn);
 *
 * and nowhere else: not in the "current_order >= pageblock_order" takeover
 * above it, not when the block taken is UNMOVABLE, not for a MOVABLE request.
 *
 *  (a) pageblocks M M  |u.m.m.F.|m.......|  unmovable order 0: free 2 + alike 2
 *      >= 4: claimed (-> 6), block 0 U: one item queued, for pfn 0
 *  (b) the same with r. and a reclaimable request: claimed (-> 6), R, queued
 *  (c) pageblocks U M  |F.m.m...|m.......|  movable order 0: chunk order 1 >=
 *      pageblock_order / 2, free 2 + movable 4: claimed (-> 0), block 0 M:
 *      block_type UNMOVABLE, nothing queued
 *  (d) pageblocks M M M M |F.......|........|m.......|F.......|  unmovable
 *      order 0 takes the order-4 chunk whole (-> 0): nothing queued
 *  (e) (a) with evacuate=0: claimed the same, nothing queued, no pool
 */
static void try_to_claim_block_queues_evacuation_on_half_block_claim(void)
{
	struct model_desc d;
	struct evlog log;
	struct model *m;

	/* (a) */
	desc_evac(&d);
	m = EVAC_MODEL(&d, 2, 0, &log, "MM", "|u.m.m.F.|m.......|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], 6);
	EXPECT_PAGEBLOCKS(m, 0, "UM");
	EXPECT_EXTFRAG(&log, 0, 6, 0, U, 1, M, true, MODEL_ZONE_DMA32);
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 1);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DROPPED, 0);
	/* queued, not run: the latency has not passed (time is still 0) */
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 0);
	EXPECT_BLOCKS(m, 0, "|u.m.m.uF|m.......|");
	model_free_all(m);

	/* (b) */
	desc_evac(&d);
	m = EVAC_MODEL(&d, 2, 0, &log, "MM", "|r.m.m.F.|m.......|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[R], 6);
	EXPECT_PAGEBLOCKS(m, 0, "RM");
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 1);
	model_free_all(m);

	/* (c) */
	desc_evac(&d);
	m = EVAC_MODEL(&d, 2, 0, &log, "UM", "|F.m.m...|m.......|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[M], 0);
	EXPECT_PAGEBLOCKS(m, 0, "MM");
	EXPECT_EXTFRAG(&log, 0, 0, 0, M, 1, U, true, MODEL_ZONE_DMA32);
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 0);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DROPPED, 0);
	model_free_all(m);

	/* (d) */
	desc_evac(&d);
	m = EVAC_MODEL(&d, 4, 0, &log, "MMMM", "|F.......|........|m.......|F.......|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], 0);
	EXPECT_PAGEBLOCKS(m, 0, "UUMM");
	EXPECT_EXTFRAG(&log, 0, 0, 0, U, 4, M, true, MODEL_ZONE_DMA32);
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 0);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DROPPED, 0);
	model_free_all(m);

	/* (e) */
	desc_small(&d);
	CHECK(d.knobs[MODEL_KNOB_EVACUATE] == 0, "evacuate is off by default");
	m = EVAC_MODEL(&d, 2, 0, &log, "MM", "|u.m.m.F.|m.......|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], 6);
	EXPECT_PAGEBLOCKS(m, 0, "UM");
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 0);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DROPPED, 0);
	SET_TIME(m, 10 * MS);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 0);
	EXPECT_BLOCKS(m, 0, "|u.m.m.uF|m.......|");
	model_free_all(m);
}

/*
 * queue_pageblock_evacuate(): evacuate_item_alloc() takes an item off the
 * pool of NR_EVACUATE_ITEMS (64, the evacuate_pool knob's default) and
 * returns without queueing when none is left; evacuate_work_fn() gives the
 * item back (evacuate_item_free()) once evacuate_pageblock() is done.
 *
 * 66 MOVABLE pageblocks, each |u.m.m.uF|: free 1 + alike 3 (pages 0, 1, 6)
 * = 4 >= 4, so each unmovable order-0 request claims one and takes its only
 * free page, leaving no U page for the next: 66 requests claim the 66
 * blocks in list order. evacuate_latency_us = 1 s so nothing runs while
 * they are made (time 0).
 *   claims 1..64: QUEUED 64; claim 65: no item, DROPPED 1, but the block is
 *   claimed all the same (the hunk only skips the queueing).
 *   time 1 s: the 64 items run (DONE 64; their pages have nowhere to go, so
 *   each fails: not the point here) and go back to the pool.
 *   claim 66: queued again (QUEUED 65), the dropped block 64 is never run.
 */
static void evacuate_item_alloc_drops_claims_beyond_the_pool(void)
{
	enum { NB = 66 };
	static char pbs[NB + 1], drawing[NB * 9 + 2];
	struct model_desc d;
	static struct evlog log;

	for (int i = 0; i < NB; i++) {
		pbs[i] = 'M';
		memcpy(drawing + i * 9, "|u.m.m.uF", 9);
	}
	pbs[NB] = '\0';
	strcpy(drawing + NB * 9, "|");
	desc_evac(&d);
	CHECK(d.knobs[MODEL_KNOB_EVACUATE_POOL] == 64, "NR_EVACUATE_ITEMS is 64");
	d.knobs[MODEL_KNOB_EVACUATE_LATENCY_US] = 1000000;
	struct model *m = EVAC_MODEL(&d, NB, 0, &log, pbs, drawing);
	if (!m)
		return;
	for (int i = 0; i < 64; i++)
		EXPECT_ALLOC(m, 0, gfp_of[U], (uint64_t)i * PB + 7);
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 64);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DROPPED, 0);

	EXPECT_ALLOC(m, 0, gfp_of[U], 64 * PB + 7);
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 64);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DROPPED, 1);
	CHECK(model_pageblock_mt(m, 64 * PB) == U, "the 65th claim still retypes its block");

	SET_TIME(m, 1000 * MS - 1);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 0);
	SET_TIME(m, 1000 * MS);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 64);

	EXPECT_ALLOC(m, 0, gfp_of[U], 65 * PB + 7);
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 65);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DROPPED, 1);
	SET_TIME(m, 3000 * MS);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 65);
	model_free_all(m);
}

/*
 * The pool size is the knob: evacuate_pool = 1 lets one item out at a time.
 * Blocks 0 and 1 are |u.m.m.uF|; two claims at time 0, latency 1 ms: the
 * first queues, the second is dropped.
 */
static void evacuate_pool_knob_sizes_the_pool(void)
{
	struct model_desc d;
	struct evlog log;

	desc_evac(&d);
	d.knobs[MODEL_KNOB_EVACUATE_POOL] = 1;
	struct model *m = EVAC_MODEL(&d, 3, 0, &log, "MMM", "|u.m.m.uF|u.m.m.uF|u.m.m.uF|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], 7);
	EXPECT_ALLOC(m, 0, gfp_of[U], 15);
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 1);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DROPPED, 1);
	SET_TIME(m, 1 * MS);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 1);
	EXPECT_ALLOC(m, 0, gfp_of[U], 23);
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 2);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DROPPED, 1);
	model_free_all(m);
}

/*
 * try_to_claim_block(), the isolate hunk: "if (get_pageblock_isolate(page))
 * return NULL;" before anything else. __rmqueue_claim() then goes on to the
 * next lower order (it does not try another block of the same order), and
 * __rmqueue_steal() may take the chunk without retyping.
 *
 *  (a) pageblocks M M  |u.m.m.F.|m.......|, block 0 isolated. Unmovable
 *      order 0: claim at order 1 tries 6, refused; order 0 empty; steal
 *      takes 6 (its half 7 stays on the M list). Block 0 stays M, nothing
 *      queued. (The model's isolate bit leaves free pages on the MOVABLE
 *      list; a kernel-isolated block has them on MIGRATE_ISOLATE, so the
 *      steal is an artefact of the test hook, not a kernel path.)
 *  (b) pageblocks M M  |u.m.m.F.|u.m.m.uF| (and the MOVABLE zone), block 0 isolated: order 1 tries
 *      6, refused; order 0 tries 15 in block 1: free 1 + alike 3: claimed,
 *      block 1 U and queued (pfn 8).
 *  (c) (a) again, not isolated (set, then cleared): claimed, queued.
 */
static void try_to_claim_block_refuses_isolated_pageblock(void)
{
	struct model_desc d;
	struct evlog log;
	struct model *m;

	/* (a) */
	desc_evac(&d);
	m = EVAC_MODEL(&d, 2, 0, &log, "MM", "|u.m.m.F.|m.......|");
	if (!m)
		return;
	CHECK(model_set_pageblock_isolate(m, 0, true) == 0);
	model_ok(m, __LINE__);
	EXPECT_ALLOC(m, 0, gfp_of[U], 6);
	EXPECT_PAGEBLOCKS(m, 0, "MM");
	EXPECT_EXTFRAG(&log, 0, 6, 0, U, 1, M, false, MODEL_ZONE_DMA32);
	EXPECT_PAGE(m, 7, MODEL_PAGE_FREE, 0, M);
	EXPECT_COUNTER(m, MODEL_EXTFRAG_CLAIM, 0);
	EXPECT_COUNTER(m, MODEL_EXTFRAG_STEAL, 1);
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 0);
	model_free_all(m);

	/* (b) */
	desc_evac(&d);
	m = EVAC_MODEL(&d, 2, 4, &log, "MMMMMM",
		       "|u.m.m.F.|u.m.m.uF|F.......|........|F.......|........|");
	if (!m)
		return;
	CHECK(model_set_pageblock_isolate(m, 0, true) == 0);
	model_ok(m, __LINE__);
	EXPECT_ALLOC(m, 0, gfp_of[U], 15);
	EXPECT_PAGEBLOCKS(m, 0, "MU");
	EXPECT_EXTFRAG(&log, 0, 15, 0, U, 0, M, true, MODEL_ZONE_DMA32);
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 1);
	/* the item is block 1's: it runs and empties block 1, block 0 untouched */
	SET_TIME(m, 1 * MS);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 1);
	EXPECT_BLOCKS(m, 0, "|u.m.m.F.|");
	model_free_all(m);

	/* (c) */
	desc_evac(&d);
	m = EVAC_MODEL(&d, 2, 0, &log, "MM", "|u.m.m.F.|m.......|");
	if (!m)
		return;
	CHECK(model_set_pageblock_isolate(m, 0, true) == 0);
	CHECK(model_set_pageblock_isolate(m, 0, false) == 0);
	model_ok(m, __LINE__);
	EXPECT_ALLOC(m, 0, gfp_of[U], 6);
	EXPECT_PAGEBLOCKS(m, 0, "UM");
	EXPECT_EXTFRAG(&log, 0, 6, 0, U, 1, M, true, MODEL_ZONE_DMA32);
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 1);
	model_free_all(m);
}

/*
 * The worker's clock: queue_pageblock_evacuate() -> irq_work -> queue_work()
 * on the node's max_active-1 workqueue; the model waits
 * evacuate_latency_us (1000, the default) on the trace clock, then runs due
 * items oldest first.
 *
 *  DMA32   pageblocks M M   |u.m.m.uF|u.m.m.F.|    MOVABLE zone: 2 free order-4
 *  t = 5 ms:   unmovable order 0: order 1 first: block 1 claimed (-> 14),
 *              item A (pfn 8) due 6 ms
 *  t = 5 ms:   unmovable order 0: 15, from block 1's U list (no claim)
 *  t = 5.5 ms: unmovable order 0: block 0 claimed (-> 7), item B (pfn 0) due
 *              6.5 ms
 *  t = 6 ms - 1 ns: nothing has run
 *  t = 6 ms:   A runs (at due time exactly): block 1's two movable order-1
 *              blocks leave (10, then 12 migrate first: list_add() order)
 *  t = 6.5 ms - 1 ns: B still waits
 *  Both queued again in a second model and run by one set_time: A's
 *  migrations come before B's although B's block has the lower pfn.
 */
static void evacuate_items_wait_their_latency_and_run_oldest_first(void)
{
	struct model_desc d;
	static struct evlog log;
	const char *pbs = "MMMMMM";
	const char *drawing = "|u.m.m.uF|u.m.m.F.|F.......|........|F.......|........|";

	desc_evac(&d);
	CHECK(d.knobs[MODEL_KNOB_EVACUATE_LATENCY_US] == 1000);
	struct model *m = EVAC_MODEL(&d, 2, 4, &log, pbs, drawing);
	if (!m)
		return;
	SET_TIME(m, 5 * MS);
	EXPECT_ALLOC(m, 0, gfp_of[U], 14);
	EXPECT_ALLOC(m, 0, gfp_of[U], 15);
	SET_TIME(m, 5 * MS + 500 * US);
	EXPECT_ALLOC(m, 0, gfp_of[U], 7);
	EXPECT_PAGEBLOCKS(m, 0, "UU");
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 2);

	SET_TIME(m, 6 * MS - 1);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 0);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 0);
	SET_TIME(m, 6 * MS);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 1);
	EXPECT_COUNTER(m, MODEL_EVACUATE_MIGRATED, 4);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 2);
	for (int i = 0; i < 2; i++) {
		const struct model_event *e = event(&log, MODEL_EV_MIGRATE, i);
		CHECK(e && e->pfn >= 8 && e->pfn < 16, "item A ran on block 1");
	}
	SET_TIME(m, 6 * MS + 500 * US - 1);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 1);
	SET_TIME(m, 6 * MS + 500 * US);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 2);
	EXPECT_COUNTER(m, MODEL_EVACUATE_MIGRATED, 8);
	model_free_all(m);

	/* both due at one set_time: oldest (block 1) first */
	desc_evac(&d);
	m = EVAC_MODEL(&d, 2, 4, &log, pbs, drawing);
	if (!m)
		return;
	SET_TIME(m, 5 * MS);
	EXPECT_ALLOC(m, 0, gfp_of[U], 14);
	EXPECT_ALLOC(m, 0, gfp_of[U], 15);
	SET_TIME(m, 5 * MS + 500 * US);
	EXPECT_ALLOC(m, 0, gfp_of[U], 7);
	SET_TIME(m, 20 * MS);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 2);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 4);
	for (int i = 0; i < 4; i++) {
		const struct model_event *e = event(&log, MODEL_EV_MIGRATE, i);
		bool in_a = e && e->pfn >= 8 && e->pfn < 16;
		CHECK(e && in_a == (i < 2), "migration #%d: pfn %" PRIu64, i, e ? e->pfn : 0);
	}
	model_free_all(m);
}

/*
 * evacuate_pageblock(): isolate_migratepages_range() over the block,
 * migrate_pages() with alloc_migration_target (GFP_HIGHUSER_MOVABLE) to
 * wherever the allocator puts them, the old pages freed in the block.
 *
 *  DMA32    pageblocks M M  |u.m.m.F.|m.......|
 *  MOVABLE  pageblocks M M M M  |F.......|........|F.......|........| (16..47)
 *  unmovable order 0 -> 6, block 0 claimed (U), queued, due 1 ms.
 *  t = 1 ms: the worker isolates 2 and 4 (order 1 each; u at 0 and 6 stay);
 *  list_add() puts 4 first. Targets from the MOVABLE zone's order-4 block
 *  at 16: 4 -> 16, then 2 -> 18 (each split off the lowest free block).
 *  The old pages are freed into block 0: 4 (buddy 6 busy) and 2 (buddy 0
 *  busy) stay order-1 free blocks on the U lists.
 *  after:  |u.F.F.uF|m.......|m.m.F...|F.......|F.......|........|
 *  MIGRATED 4 (pages), two MIGRATE events, PGMIGRATE_SUCCESS 4, FAILED 0.
 */
static void evacuate_pageblock_migrates_movable_pages_out(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_evac(&d);
	struct model *m = EVAC_MODEL(&d, 2, 4, &log, "MMMMMM",
		"|u.m.m.F.|m.......|F.......|........|F.......|........|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], 6);
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 1);
	uint64_t movable_before = alloc_pages_of(m, 0, PB, M);
	CHECK(movable_before == 4);
	log.n = 0;
	SET_TIME(m, 1 * MS);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 1);
	EXPECT_COUNTER(m, MODEL_EVACUATE_MIGRATED, movable_before);
	EXPECT_COUNTER(m, MODEL_EVACUATE_FAILED, 0);
	EXPECT_COUNTER(m, MODEL_EVACUATE_SKIPPED, 0);
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 4);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 2, "%d migrations", nr_events(&log, MODEL_EV_MIGRATE));
	const struct model_event *e0 = event(&log, MODEL_EV_MIGRATE, 0);
	const struct model_event *e1 = event(&log, MODEL_EV_MIGRATE, 1);
	CHECK(e0 && e0->pfn == 4 && e0->new_pfn == 16 && e0->order == 1 &&
	      e0->zone == MODEL_ZONE_MOVABLE);
	CHECK(e1 && e1->pfn == 2 && e1->new_pfn == 18 && e1->order == 1);
	EXPECT_PAGE(m, 16, MODEL_PAGE_ALLOC, 1, M);
	EXPECT_PAGE(m, 18, MODEL_PAGE_ALLOC, 1, M);
	EXPECT_PAGEBLOCKS(m, 0, "UM");
	EXPECT_BLOCKS(m, 0, "|u.F.F.uF|m.......|m.m.F...|F.......|F.......|........|");
	EXPECT_PAGE(m, 2, MODEL_PAGE_FREE, 1, U);
	EXPECT_PAGE(m, 4, MODEL_PAGE_FREE, 1, U);
	CHECK(alloc_pages_of(m, 0, PB, M) == 0);
	CHECK(alloc_pages_of(m, 0, PB, U) == 3, "the unmovable pages stay");
	model_free_all(m);
}

/*
 * evacuate_pageblock()'s loop: isolate_migratepages_range() stops at
 * COMPACT_CLUSTER_MAX (32) pages, so the loop isolates again from
 * cc.migrate_pfn until the block's end. A claimable block holds at most half
 * a pageblock of movable pages (free + alike >= half), so the block gets
 * more after the claim: movable requests steal its small free chunks.
 *
 *  pageblock_order 6 (64 pages), MAX_PAGE_ORDER 6; DMA32: one pageblock
 *  (0..63), MOVABLE: two (64..191), free.
 *  block 0 (M): 0..31 movable order 0; 32..63 alternating free order 2
 *  (32, 40, 48, 56) and unmovable order 2 (36, 44, 52, 60).
 *  unmovable order 0: chunks of order 2: free 16 + alike 16 >= 32: claimed,
 *  queued; __rmqueue_smallest(U) splits 32 -> 32 (u), 33 F, 34 F.1.
 *  15 movable order-0 requests (gfp_zone NORMAL: not the MOVABLE zone):
 *  no MOVABLE free page in DMA32, chunks below pageblock_order / 2 = 3 are
 *  not claimed by a movable request: each steals from block 0, which stays
 *  U. Block 0 now has 32 + 15 = 47 movable pages.
 *  t = 1 ms: batch 1 isolates 0..31 (32 pages), batch 2 the 15 others;
 *  all 47 migrate to the MOVABLE zone. Block 0 afterwards: no movable
 *  page; 0..31 merge into one free order-5 block; u at 32, 36, 44, 52, 60;
 *  64 - 17 = 47 pages free.
 */
static void evacuate_pageblock_loops_over_batches_of_compact_cluster_max(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_evac(&d);
	d.knobs[MODEL_KNOB_PAGEBLOCK_ORDER] = 6;
	d.knobs[MODEL_KNOB_MAX_PAGE_ORDER] = 6;
	add_zone(&d, MODEL_ZONE_DMA32, 64);
	add_zone(&d, MODEL_ZONE_MOVABLE, 128);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	for (uint64_t pfn = 0; pfn < 192; pfn += 64)
		CHECK(model_seed_pageblock(m, pfn, M) == 0);
	for (uint64_t pfn = 0; pfn < 32; pfn++)
		CHECK(model_seed_alloc(m, pfn, 0, M) == 0);
	for (uint64_t pfn = 32; pfn < 64; pfn += 8) {
		CHECK(model_seed_free(m, pfn, 2, M) == 0);
		CHECK(model_seed_alloc(m, pfn + 4, 2, U) == 0);
	}
	CHECK(model_seed_free(m, 64, 6, M) == 0 && model_seed_free(m, 128, 6, M) == 0);
	CHECK(model_seed_done(m) == 0);
	model_ok(m, __LINE__);

	EXPECT_ALLOC(m, 0, gfp_of[U], 32);
	CHECK(model_pageblock_mt(m, 0) == U);
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 1);
	for (int i = 0; i < 15; i++) {
		uint64_t pfn = alloc_req(m, 0, gfp_of[M], __LINE__);
		CHECK(pfn > 32 && pfn < 64, "movable request %d stole %" PRIu64, i, pfn);
	}
	CHECK(model_pageblock_mt(m, 0) == U);
	CHECK(model_counter(m, MODEL_EXTFRAG_STEAL) == 15);
	uint64_t movable_before = alloc_pages_of(m, 0, 64, M);
	CHECK(movable_before == 47, "%" PRIu64, movable_before);

	log.n = 0;
	SET_TIME(m, 1 * MS);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 1);
	EXPECT_COUNTER(m, MODEL_EVACUATE_MIGRATED, 47);
	EXPECT_COUNTER(m, MODEL_EVACUATE_FAILED, 0);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 47);
	for (int i = 0; i < nr_logged(&log); i++) {
		const struct model_event *e = &log.ev[i];
		if (e->type != MODEL_EV_MIGRATE)
			continue;
		struct model_page_info pi;
		CHECK(e->pfn < 64 && e->new_pfn >= 64 && e->new_pfn < 192 &&
		      model_page_info(m, e->new_pfn, &pi) == 0 && pi.state == MODEL_PAGE_ALLOC &&
		      pi.mt == M && pi.order == 0,
		      "migration %" PRIu64 " -> %" PRIu64, e->pfn, e->new_pfn);
	}
	CHECK(alloc_pages_of(m, 0, 64, M) == 0);
	CHECK(alloc_pages_of(m, 0, 64, U) == 17);
	CHECK(free_pages_in(m, 0, 64, true) == 47);
	EXPECT_PAGE(m, 0, MODEL_PAGE_FREE, 5, U);
	CHECK(alloc_pages_of(m, 64, 192, M) == 47);
	model_free_all(m);
}

/*
 * evacuate_pageblock(), the re-check: "if (get_pageblock_migratetype(...)
 * == MIGRATE_MOVABLE) return;" - the item is freed without migrating.
 *
 *  DMA32 pageblocks M M  |u.m.F...|m.......|, MOVABLE zone free; pool 1.
 *  unmovable order 0: chunk 4 (order 2): free 4 + alike 2: claimed, -> 4;
 *  5 (order 0) and 6 (order 1) left on the U lists. Queued.
 *  movable order 0: the U order-1 chunk at 6 (1 >= pageblock_order / 2):
 *  free 3 + movable 2 >= 4: claimed back, block 0 MOVABLE, -> 5. A MOVABLE
 *  request claiming an UNMOVABLE block queues nothing.
 *  t = 1 ms: the item finds block 0 MOVABLE: SKIPPED 1, nothing migrated.
 *  The item is back in the pool (of 1): a new claim queues. Block 0 is
 *  |u.m.umF.|: an unmovable order 0 claims it again from the order-1 chunk
 *  at 6 (free 2 + alike 3 >= 4) -> 6, queued.
 */
static void evacuate_pageblock_skips_block_movable_again(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_evac(&d);
	d.knobs[MODEL_KNOB_EVACUATE_POOL] = 1;
	struct model *m = EVAC_MODEL(&d, 2, 4, &log, "MMMMMM",
		"|u.m.F...|m.......|F.......|........|F.......|........|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], 4);
	EXPECT_PAGEBLOCKS(m, 0, "UM");
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 1);
	EXPECT_ALLOC(m, 0, gfp_of[M], 5);
	EXPECT_PAGEBLOCKS(m, 0, "MM");
	EXPECT_EXTFRAG(&log, 1, 5, 0, M, 1, U, true, MODEL_ZONE_DMA32);
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 1);
	log.n = 0;
	SET_TIME(m, 1 * MS);
	EXPECT_COUNTER(m, MODEL_EVACUATE_SKIPPED, 1);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 0);
	EXPECT_COUNTER(m, MODEL_EVACUATE_MIGRATED, 0);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 0);
	EXPECT_BLOCKS(m, 0, "|u.m.umF.|");
	/* the pool's only item came back */
	EXPECT_ALLOC(m, 0, gfp_of[U], 6);
	EXPECT_PAGEBLOCKS(m, 0, "UM");
	EXPECT_COUNTER(m, MODEL_EVACUATE_QUEUED, 2);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DROPPED, 0);
	model_free_all(m);
}

/*
 * evacuate_pageblock(), failure: "ret = migrate_pages(...); if (ret) {
 * putback_movable_pages(&cc.migratepages); break; }" - a batch that does not
 * migrate whole is put back (the pages stay allocated where they were) and
 * the loop stops: later batches are never isolated.
 *
 *  (a) the 06/40 walk of evacuate_pageblock_migrates_movable_pages_out with
 *      migrate_fail_permille = 1000: both order-1 blocks fail, FAILED 4
 *      pages, MIGRATED 0, 2 and 4 still allocated movable, the MOVABLE zone
 *      back as it was (each target freed again).
 *  (b) the 47-page block of the batches test: batch 1 (32 pages) fails;
 *      FAILED 32, not 47 - the loop stopped.
 */
static void evacuate_pageblock_puts_back_and_stops_on_failure(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_evac(&d);
	d.knobs[MODEL_KNOB_MIGRATE_FAIL_PERMILLE] = 1000;
	struct model *m = EVAC_MODEL(&d, 2, 4, &log, "MMMMMM",
		"|u.m.m.F.|m.......|F.......|........|F.......|........|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], 6);
	log.n = 0;
	SET_TIME(m, 1 * MS);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 1);
	EXPECT_COUNTER(m, MODEL_EVACUATE_FAILED, 4);
	EXPECT_COUNTER(m, MODEL_EVACUATE_MIGRATED, 0);
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_FAIL, 4);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 0);
	EXPECT_BLOCKS(m, 0, "|u.m.m.uF|m.......|F.......|........|F.......|........|");
	EXPECT_PAGEBLOCKS(m, 0, "UM");
	model_free_all(m);

	desc_evac(&d);
	d.knobs[MODEL_KNOB_MIGRATE_FAIL_PERMILLE] = 1000;
	d.knobs[MODEL_KNOB_PAGEBLOCK_ORDER] = 6;
	d.knobs[MODEL_KNOB_MAX_PAGE_ORDER] = 6;
	add_zone(&d, MODEL_ZONE_DMA32, 64);
	add_zone(&d, MODEL_ZONE_MOVABLE, 128);
	m = build(&d, &log);
	if (!m)
		return;
	for (uint64_t pfn = 0; pfn < 192; pfn += 64)
		CHECK(model_seed_pageblock(m, pfn, M) == 0);
	for (uint64_t pfn = 0; pfn < 32; pfn++)
		CHECK(model_seed_alloc(m, pfn, 0, M) == 0);
	for (uint64_t pfn = 32; pfn < 64; pfn += 8) {
		CHECK(model_seed_free(m, pfn, 2, M) == 0);
		CHECK(model_seed_alloc(m, pfn + 4, 2, U) == 0);
	}
	CHECK(model_seed_free(m, 64, 6, M) == 0 && model_seed_free(m, 128, 6, M) == 0);
	CHECK(model_seed_done(m) == 0);
	model_ok(m, __LINE__);
	EXPECT_ALLOC(m, 0, gfp_of[U], 32);
	for (int i = 0; i < 15; i++)
		alloc_req(m, 0, gfp_of[M], __LINE__);
	CHECK(alloc_pages_of(m, 0, 64, M) == 47);
	log.n = 0;
	SET_TIME(m, 1 * MS);
	EXPECT_COUNTER(m, MODEL_EVACUATE_DONE, 1);
	EXPECT_COUNTER(m, MODEL_EVACUATE_FAILED, 32);
	EXPECT_COUNTER(m, MODEL_EVACUATE_MIGRATED, 0);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 0);
	CHECK(alloc_pages_of(m, 0, 64, M) == 47, "everything put back in place");
	CHECK(free_pages_in(m, 64, 192, false) == 128, "every target freed again");
	model_free_all(m);
}

/* ==================== capture-split (defrag_mode series) ==================== */

#define CB 256 /* the capture tests' zone starts here, as test_model_compaction's */

/* defrag_mode=1, compaction on, capture_split as given; one DMA32 zone at CB */
static void cs_desc(struct model_desc *d, bool capture_split, unsigned int blocks)
{
	desc_small(d);
	d->knobs[MODEL_KNOB_COMPACTION] = 1;
	d->knobs[MODEL_KNOB_DEFRAG_MODE] = 1;
	d->knobs[MODEL_KNOB_CAPTURE_SPLIT] = capture_split;
	add_zone_at(d, MODEL_ZONE_DMA32, CB, (uint64_t)blocks * PB);
}

static struct model *cs_build(const struct model_desc *d, struct evlog *log, const char *pbs,
			      const char *drawing, int line)
{
	struct model *m = build(d, log);
	if (m)
		seed(m, CB, pbs, drawing, line);
	if (log)
		log->n = 0;
	return m;
}
#define CS_BUILD(d, log, pbs, drawing) cs_build(d, log, pbs, drawing, __LINE__)

/*
 * The shared layout: block CB (U) holds one movable page at CB and
 * unmovable pages; seven MOVABLE blocks |mFmFmFmF| (28 free order-0 pages,
 * none of a pageblock's size).
 */
#define CS_PBS "UMMMMMMM"
#define CS_DRAWING "|muu.u...|mFmFmFmF|mFmFmFmF|mFmFmFmF|mFmFmFmF|mFmFmFmF|mFmFmFmF|mFmFmFmF|"

/*
 * 4/4 (__alloc_pages_direct_compact with compact_order) + 3/4 (capture at
 * the request's order): an order-0 UNMOVABLE GFP_KERNEL request under
 * defrag_mode. No U page is free and no free chunk reaches pageblock order,
 * so get_page_from_freelist() fails under ALLOC_NOFRAGMENT; the slow path's
 * direct compaction (SYNC_LIGHT: order 0 is not compact-first) runs at
 * compact_order = pageblock_order = 3 (suitable: 28 free > 0 + compact_gap
 * 16). The migrate scanner starts in block CB: CB (movable) moves to a free
 * page in a MOVABLE block at the top; CB is freed at order 0 in an
 * UNMOVABLE block, which compaction_capture() hands to the request: order
 * == capc->order (0), not CMA/isolate, not a sub-block MOVABLE block.
 * The request gets CB. COMPACT_PROMOTED 1 and _SUCCESS 1, one COMPACT_BEGIN
 * with order 3, model_captures(0) 1, a CAPTURE event of order 0, no EXTFRAG
 * for it (same type).
 *
 * capture_split=0 (plain defrag_mode): "if (!order) return NULL;" - no
 * compaction at all (no BEGIN, STALL 0). The slow path gives up
 * ALLOC_NOFRAGMENT last: __rmqueue_claim() from order 0 takes block CB+8
 * (first on the MOVABLE order-0 list, 265: free 4 + alike 0 >= 4), retypes
 * it, and returns 265.
 */
static void direct_compact_promotes_order0_unmovable_to_pageblock_order(void)
{
	struct model_desc d;
	static struct evlog log;

	cs_desc(&d, true, 8);
	struct model *m = CS_BUILD(&d, &log, CS_PBS, CS_DRAWING);
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], CB);
	EXPECT_PAGE(m, CB, MODEL_PAGE_ALLOC, 0, U);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROMOTED, 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROMOTED_SUCCESS, 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_SUCCESS, 1);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 1);
	const struct model_event *b = event(&log, MODEL_EV_COMPACT_BEGIN, 0);
	CHECK(b && b->order == 3 && b->direct && b->sync, "compaction at pageblock order");
	CHECK(model_captures(m, 0) == 1 && model_captures(m, 3) == 0);
	CHECK(nr_events(&log, MODEL_EV_CAPTURE) == 1);
	EXPECT_EVENT(&log, MODEL_EV_CAPTURE, 0, CB, 0, U);
	CHECK(nr_events(&log, MODEL_EV_EXTFRAG) == 0);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 1);
	const struct model_event *mg = event(&log, MODEL_EV_MIGRATE, 0);
	CHECK(mg && mg->pfn == CB && mg->new_pfn >= CB + PB && model_pageblock_mt(m, mg->new_pfn) == M);
	if (mg)
		EXPECT_PAGE(m, mg->new_pfn, MODEL_PAGE_ALLOC, 0, M);
	EXPECT_PAGEBLOCKS(m, CB, CS_PBS);
	model_free_all(m);

	cs_desc(&d, false, 8);
	m = CS_BUILD(&d, &log, CS_PBS, CS_DRAWING);
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], CB + 9);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROMOTED, 0);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 0);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 0);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 0);
	CHECK(model_captures(m, 0) == 0);
	EXPECT_EXTFRAG(&log, 0, CB + 9, 0, U, 0, M, true, MODEL_ZONE_DMA32);
	EXPECT_PAGEBLOCKS(m, CB, "UUMMMMMM");
	model_free_all(m);
}

/*
 * capture_order = 1 (target): capture at compaction's order, what the
 * series would do without 3/4. The same request and layout: CB, freed at
 * order 0, is not captured (0 != 3) and stays free; the scanner goes on to
 * block CB+8 and migrates its four movable pages (list_add() order: 270,
 * 268, 266, 264); freeing 264 last completes an order-3 buddy at 264:
 * captured (order 3 is a pageblock: the MOVABLE-block rule does not apply;
 * mm_page_alloc_extfrag for MOVABLE -> UNMOVABLE). The request keeps 264
 * (2^0 pages) and the other 7 pages go back free.
 */
static void capture_order_target_captures_whole_pageblock_and_trims(void)
{
	struct model_desc d;
	static struct evlog log;

	cs_desc(&d, true, 8);
	d.knobs[MODEL_KNOB_CAPTURE_ORDER] = 1;
	struct model *m = CS_BUILD(&d, &log, CS_PBS, CS_DRAWING);
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], CB + 8);
	CHECK(model_captures(m, 3) == 1 && model_captures(m, 0) == 0);
	CHECK(nr_events(&log, MODEL_EV_CAPTURE) == 1);
	EXPECT_EVENT(&log, MODEL_EV_CAPTURE, 0, CB + 8, 3, M);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROMOTED, 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROMOTED_SUCCESS, 1);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 5);
	EXPECT_PAGE(m, CB, MODEL_PAGE_FREE, 0, U);
	/* the request holds exactly one page of the captured block */
	EXPECT_PAGE(m, CB + 8, MODEL_PAGE_ALLOC, 0, U);
	CHECK(alloc_pages_of(m, CB + 8, CB + 16, U) == 1 &&
	      alloc_pages_of(m, CB + 8, CB + 16, M) == 0 &&
	      free_pages_in(m, CB + 8, CB + 16, true) == 7,
	      "captured block: %" PRIu64 " u, %" PRIu64 " free",
	      alloc_pages_of(m, CB + 8, CB + 16, U), free_pages_in(m, CB + 8, CB + 16, true));
	model_free_all(m);
}

/*
 * 2/4, suitable_migration_source(): async direct compaction (the first,
 * compact-first pass of an order > 0 non-movable request) takes migrate
 * sources only from blocks of the request's type in vanilla 6.18; with the
 * series, compaction at pageblock order produces whole blocks and takes
 * them from MOVABLE blocks. GFP_KERNEL | __GFP_NORETRY | __GFP_THISNODE
 * stops after that one async pass. Unmovable order 3 (= pageblock_order,
 * not promoted). Eight blocks |mFmFmFmF|, the first UNMOVABLE:
 *
 *  capture_split=1: block CB (U) is passed; block CB+8's four pages
 *  migrate (270, 268, 266, 264), 264 is freed last into a whole order-3
 *  block: captured at order 3 (MOVABLE -> UNMOVABLE). -> CB+8. CB's
 *  movable pages stay.
 *  capture_split=0: block CB (U) is the source: its four pages migrate,
 *  256 freed last completes an order-3 UNMOVABLE block: captured. -> CB.
 */
#define SRC_PBS "UMMMMMMM"
#define SRC_DRAWING "|mFmFmFmF|mFmFmFmF|mFmFmFmF|mFmFmFmF|mFmFmFmF|mFmFmFmF|mFmFmFmF|mFmFmFmF|"
static void suitable_migration_source_async_pageblock_order_takes_movable(void)
{
	struct model_desc d;
	static struct evlog log;
	const uint32_t gfp = MODEL_GFP_KERNEL | MODEL_GFP_NORETRY | MODEL_GFP_THISNODE;

	cs_desc(&d, true, 8);
	struct model *m = CS_BUILD(&d, &log, SRC_PBS, SRC_DRAWING);
	if (!m)
		return;
	EXPECT_ALLOC(m, 3, gfp, CB + 8);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 1);
	const struct model_event *b = event(&log, MODEL_EV_COMPACT_BEGIN, 0);
	CHECK(b && !b->sync && b->order == 3);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 4);
	for (int i = 0; i < 4; i++) {
		const struct model_event *e = event(&log, MODEL_EV_MIGRATE, i);
		CHECK(e && e->pfn == CB + 14 - 2 * (uint64_t)i, "migration #%d from %" PRIu64,
		      i, e ? e->pfn : 0);
	}
	for (uint64_t pfn = CB; pfn < CB + PB; pfn += 2)
		EXPECT_PAGE(m, pfn, MODEL_PAGE_ALLOC, 0, M);
	CHECK(nr_events(&log, MODEL_EV_CAPTURE) == 1);
	EXPECT_EVENT(&log, MODEL_EV_CAPTURE, 0, CB + 8, 3, M);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROMOTED, 0);
	model_free_all(m);

	cs_desc(&d, false, 8);
	m = CS_BUILD(&d, &log, SRC_PBS, SRC_DRAWING);
	if (!m)
		return;
	EXPECT_ALLOC(m, 3, gfp, CB);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 1);
	b = event(&log, MODEL_EV_COMPACT_BEGIN, 0);
	CHECK(b && !b->sync && b->order == 3);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 4);
	for (int i = 0; i < 4; i++) {
		const struct model_event *e = event(&log, MODEL_EV_MIGRATE, i);
		CHECK(e && e->pfn == CB + 6 - 2 * (uint64_t)i, "migration #%d from %" PRIu64,
		      i, e ? e->pfn : 0);
	}
	CHECK(nr_events(&log, MODEL_EV_CAPTURE) == 1);
	EXPECT_EVENT(&log, MODEL_EV_CAPTURE, 0, CB, 3, U);
	model_free_all(m);
}

/*
 * The same rule for a promoted request, same layout (|mFmFmFmF| x 8, the
 * first UNMOVABLE): unmovable order 1 is compact-first (async), promoted
 * to order 3 under capture_split, so it scans MOVABLE
 * blocks only (CB, UNMOVABLE, is passed): block CB+8 is emptied. Capture
 * stays at the request's order (1): the order-1 buddies that form in CB+8
 * are in a MOVABLE block, which compaction_capture() keeps from a
 * non-movable request below pageblock order, and the whole order-3 block
 * at 264 is not of the capture order. Compaction reports success (a free
 * pageblock), and the allocation after it, at the request's order under
 * ALLOC_NOFRAGMENT, claims the order-3 chunk at 264 whole: -> 264,
 * block CB+8 UNMOVABLE. PROMOTED 1, PROMOTED_SUCCESS 1, no capture.
 */
static void suitable_migration_source_promoted_request_takes_movable(void)
{
	struct model_desc d;
	static struct evlog log;
	const uint32_t gfp = MODEL_GFP_KERNEL | MODEL_GFP_NORETRY | MODEL_GFP_THISNODE;

	cs_desc(&d, true, 8);
	struct model *m = CS_BUILD(&d, &log, SRC_PBS, SRC_DRAWING);
	if (!m)
		return;
	EXPECT_ALLOC(m, 1, gfp, CB + 8);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 1);
	const struct model_event *b = event(&log, MODEL_EV_COMPACT_BEGIN, 0);
	CHECK(b && !b->sync && b->order == 3);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROMOTED, 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROMOTED_SUCCESS, 1);
	CHECK(nr_events(&log, MODEL_EV_CAPTURE) == 0);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 4);
	for (int i = 0; i < 4; i++) {
		const struct model_event *e = event(&log, MODEL_EV_MIGRATE, i);
		CHECK(e && e->pfn == CB + 14 - 2 * (uint64_t)i, "migration #%d from %" PRIu64,
		      i, e ? e->pfn : 0);
	}
	for (uint64_t pfn = CB; pfn < CB + PB; pfn += 2)
		EXPECT_PAGE(m, pfn, MODEL_PAGE_ALLOC, 0, M);
	EXPECT_PAGE(m, CB + 8, MODEL_PAGE_ALLOC, 1, U);
	CHECK(model_pageblock_mt(m, CB + 8) == U, "the produced block was claimed whole");
	model_free_all(m);
}

/*
 * 4/4 promotes non-movable requests only: a MOVABLE request compacts at its
 * own order (and order 0 not at all). Pageblocks all UNMOVABLE, |uFuFuFuF|:
 * free order-0 pages only, none MOVABLE, nothing of pageblock size.
 *  movable order 0: no compaction (no BEGIN, STALL 0, PROMOTED 0); served
 *  by the fallback once ALLOC_NOFRAGMENT is dropped.
 *  movable order 1: direct compaction at order 1 (BEGIN order 1), PROMOTED 0.
 */
static void direct_compact_never_promotes_movable_requests(void)
{
	struct model_desc d;
	static struct evlog log;
	const char *pbs = "UUUUUUUU";
	const char *drawing = "|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|";

	cs_desc(&d, true, 8);
	struct model *m = CS_BUILD(&d, &log, pbs, drawing);
	if (!m)
		return;
	CHECK(alloc_req(m, 0, gfp_of[M], __LINE__) != MODEL_PFN_NONE);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROMOTED, 0);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 0);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 0);
	log.n = 0;
	alloc_req(m, 1, gfp_of[M] | MODEL_GFP_NORETRY, __LINE__);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROMOTED, 0);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) >= 1);
	for (int i = 0; i < nr_events(&log, MODEL_EV_COMPACT_BEGIN); i++) {
		const struct model_event *b = event(&log, MODEL_EV_COMPACT_BEGIN, i);
		CHECK(b && b->order == 1, "compaction #%d at order %u", i, b ? b->order : 0);
	}
	model_free_all(m);
}

int main(void)
{
	RUN(try_to_claim_block_queues_evacuation_on_half_block_claim);
	RUN(evacuate_item_alloc_drops_claims_beyond_the_pool);
	RUN(evacuate_pool_knob_sizes_the_pool);
	RUN(try_to_claim_block_refuses_isolated_pageblock);
	RUN(evacuate_items_wait_their_latency_and_run_oldest_first);
	RUN(evacuate_pageblock_migrates_movable_pages_out);
	RUN(evacuate_pageblock_loops_over_batches_of_compact_cluster_max);
	RUN(evacuate_pageblock_skips_block_movable_again);
	RUN(evacuate_pageblock_puts_back_and_stops_on_failure);
	RUN(direct_compact_promotes_order0_unmovable_to_pageblock_order);
	RUN(capture_order_target_captures_whole_pageblock_and_trims);
	RUN(suitable_migration_source_async_pageblock_order_takes_movable);
	RUN(suitable_migration_source_promoted_request_takes_movable);
	RUN(direct_compact_never_promotes_movable_requests);
	return CHECK_DONE();
}
