/* SPDX-License-Identifier: MIT */
/*
 * test_model_compaction - one test per rule of mm/compaction.c (Linux 6.18;
 * read in the linux-mm tree, with the vanilla 6.18 suitable_migration_source()
 * and capture order where that tree carries the 2026 defrag_mode series) that
 * core/compaction.c must follow. Each test is named after the kernel function
 * it pins; its expectations were worked out by hand from the kernel's code,
 * not from the model's, and the comment above it gives the walk.
 *
 * Drawings as in test_model_rules.c (see model_draw.h): one letter per
 * pageblock (U M R H), one character per pfn (F free head, u m r allocated
 * heads by mobility, '.' the rest of a block), '|' at pageblock boundaries.
 * model_check() runs after every operation.
 *
 * Unless a test says otherwise: pageblock_order 3 (8 pages), MAX_PAGE_ORDER
 * 4, one DMA32 zone of 8 pageblocks at pfn 256 (not inside
 * pageblock 0: see compact_zone_finish_pageblock_in_pageblock_0), pcp off,
 * all watermarks 0, compaction on. Requests:
 *
 *   GFP_MOV_NORETRY  order <= 3 movable, __GFP_NORETRY: one SYNC_LIGHT
 *                    direct compaction, then give up
 *   GFP_MOV          order <= 3 movable: SYNC_LIGHT, then SYNC_FULL
 *   GFP_THP          costly movable, __GFP_NORETRY | __GFP_THISNODE (the
 *                    THP fault's first try): one ASYNC direct compaction
 *   GFP_THP_SYNC     costly movable: ASYNC, then SYNC_LIGHT
 *   GFP_PAGECACHE_NORETRY  costly movable, __GFP_NORETRY without
 *                    __GFP_THISNODE (a large page-cache folio): ASYNC, then
 *                    ASYNC once more unless the first was SKIPPED or DEFERRED
 *
 * Direct compaction positions: MODEL_EV_COMPACT_BEGIN's pfn is the migrate
 * scanner's start (cc->migrate_pfn), new_pfn the free scanner's (cc->free_pfn).
 *
 * Written to the kernel even where core/ differs: the tests listed last in
 * main() pin kernel behaviour the model did not follow when they were
 * written, and fail until it does. storm_with_compaction prints its
 * per-seed compaction counters with STORM_DEBUG=1 in the environment.
 */
#include <stdlib.h>

#define MAX_EVENTS 4096
#include "check.h"
#include "model.h"
#include "model_draw.h"

#define B 256 /* first pfn of the small zone */

#define GFP_MOV_NORETRY (MODEL_GFP_KERNEL | MODEL_GFP_MOVABLE | MODEL_GFP_NORETRY)
#define GFP_MOV (MODEL_GFP_KERNEL | MODEL_GFP_MOVABLE)
#define GFP_THP (MODEL_GFP_HIGHUSER_MOVABLE | MODEL_GFP_COMP | MODEL_GFP_NORETRY | \
		 MODEL_GFP_THISNODE)
#define GFP_THP_SYNC (MODEL_GFP_HIGHUSER_MOVABLE | MODEL_GFP_COMP)
#define GFP_NOWAIT_MOV (MODEL_GFP_NOWAIT | MODEL_GFP_MOVABLE)
/* as the 6.18 traces record it: GFP_NOFS | __GFP_HIGHMEM | __GFP_MOVABLE |
 * __GFP_NOWARN | __GFP_NORETRY | __GFP_COMP | __GFP_HARDWALL (no __GFP_NOWARN here) */
#define GFP_PAGECACHE_NORETRY (MODEL_GFP_DIRECT_RECLAIM | MODEL_GFP_KSWAPD_RECLAIM | \
			       MODEL_GFP_IO | MODEL_GFP_HIGHMEM | MODEL_GFP_MOVABLE | \
			       MODEL_GFP_NORETRY | MODEL_GFP_COMP | MODEL_GFP_HARDWALL)

#define SEC 1000000000ull
#define MS 1000000ull
/* kcompactd's timeout: msecs_to_jiffies(HPAGE_FRAG_CHECK_INTERVAL_MSEC) as
 * the timer wheel rounds it, 512 ms (the traces' kcompactd_sleep spacing) */
#define KT (512 * MS)

/* desc_small() with compaction on */
static void desc_compact(struct model_desc *d)
{
	desc_small(d);
	d->knobs[MODEL_KNOB_COMPACTION] = 1;
}

/* one DMA32 zone of @blocks pageblocks at B, built and seeded from a drawing */
static struct model *small_model(struct model_desc *d, unsigned int blocks, struct evlog *log,
				 const char *pbs, const char *drawing, int line)
{
	add_zone_at(d, MODEL_ZONE_DMA32, B, (uint64_t)blocks * PB);
	struct model *m = build(d, log);
	if (m)
		seed(m, B, pbs, drawing, line);
	if (log)
		log->n = 0;
	return m;
}
#define SMALL_MODEL(d, blocks, log, pbs, drawing) \
	small_model(d, blocks, log, pbs, drawing, __LINE__)

static void set_time(struct model *m, uint64_t ns, int line)
{
	model_set_time(m, ns);
	model_ok(m, line);
}
#define SET_TIME(m, ns) set_time(m, ns, __LINE__)

static int nr_all(const struct evlog *l)
{
	CHECK(l->n <= MAX_EVENTS, "event log overflowed: %d events", l->n);
	return l->n < MAX_EVENTS ? l->n : MAX_EVENTS;
}

/* mm_compaction_begin: migrate_pfn, free_pfn, sync, direct */
static void expect_begin(const struct evlog *l, int nth, uint64_t migrate_pfn, uint64_t free_pfn,
			 bool sync, bool direct, int line)
{
	const struct model_event *e = event(l, MODEL_EV_COMPACT_BEGIN, nth);

	CHECK(e, "line %d: no compaction #%d", line, nth);
	if (e)
		CHECK(e->pfn == migrate_pfn && e->new_pfn == free_pfn && e->sync == sync &&
		      e->direct == direct,
		      "line %d: compaction #%d began at migrate %" PRIu64 " free %" PRIu64
		      " sync %d direct %d; expected %" PRIu64 " %" PRIu64 " %d %d", line, nth,
		      e->pfn, e->new_pfn, e->sync, e->direct, migrate_pfn, free_pfn, sync, direct);
}
#define EXPECT_BEGIN(l, nth, mpfn, fpfn, sync, direct) \
	expect_begin(l, nth, mpfn, fpfn, sync, direct, __LINE__)

static const char *const status_names[] = {
	"NOT_SUITABLE_ZONE", "SKIPPED", "DEFERRED", "NO_SUITABLE_PAGE", "CONTINUE",
	"COMPLETE", "PARTIAL_SKIPPED", "CONTENDED", "SUCCESS",
};

static const char *status_name(int s)
{
	return s >= 0 && s <= MODEL_COMPACT_SUCCESS_RES ? status_names[s] : "?";
}

/* mm_compaction_end: status */
static void expect_end(const struct evlog *l, int nth, int status, int line)
{
	const struct model_event *e = event(l, MODEL_EV_COMPACT_END, nth);

	CHECK(e, "line %d: no compaction end #%d", line, nth);
	if (e)
		CHECK(e->status == status, "line %d: compaction #%d ended %s, expected %s", line,
		      nth, status_name(e->status), status_name(status));
}
#define EXPECT_END(l, nth, status) expect_end(l, nth, status, __LINE__)

/* the @nth migration moved the block at @src to @dst */
static void expect_migrate(const struct evlog *l, int nth, uint64_t src, uint64_t dst, int line)
{
	const struct model_event *e = event(l, MODEL_EV_MIGRATE, nth);

	CHECK(e, "line %d: no migration #%d", line, nth);
	if (e)
		CHECK(e->pfn == src && e->new_pfn == dst,
		      "line %d: migration #%d moved %" PRIu64 " -> %" PRIu64 ", expected %" PRIu64
		      " -> %" PRIu64, line, nth, e->pfn, e->new_pfn, src, dst);
}
#define EXPECT_MIGRATE(l, nth, src, dst) expect_migrate(l, nth, src, dst, __LINE__)

/* some migration moved @src to @dst (for batches whose order is not the point) */
static bool migrated(const struct evlog *l, uint64_t src, uint64_t dst)
{
	for (int i = 0; i < nr_all(l); i++)
		if (l->ev[i].type == MODEL_EV_MIGRATE && l->ev[i].pfn == src &&
		    l->ev[i].new_pfn == dst)
			return true;
	return false;
}

/* events of @type after the @nth compaction began (and before the next one) */
static int nr_in_compaction(const struct evlog *l, enum model_event_type type, int nth)
{
	int n = 0, begins = -1;

	for (int i = 0; i < nr_all(l); i++) {
		if (l->ev[i].type == MODEL_EV_COMPACT_BEGIN)
			begins++;
		else if (begins == nth && l->ev[i].type == type)
			n++;
	}
	return n;
}

/* counters, to compare before and after */
struct counters {
	uint64_t c[MODEL_NR_COUNTERS];
};

static struct counters counters(const struct model *m)
{
	struct counters s;

	for (int i = 0; i < MODEL_NR_COUNTERS; i++)
		s.c[i] = model_counter(m, (enum model_counter)i);
	return s;
}

static uint64_t delta(const struct model *m, const struct counters *before, enum model_counter c)
{
	return model_counter(m, c) - before->c[c];
}

static void expect_counter(const struct model *m, enum model_counter c, uint64_t want, int line)
{
	uint64_t have = model_counter(m, c);

	CHECK(have == want, "line %d: %s = %" PRIu64 ", expected %" PRIu64, line,
	      model_counter_name(c), have, want);
}
#define EXPECT_COUNTER(m, c, want) expect_counter(m, c, want, __LINE__)

static void expect_delta(const struct model *m, const struct counters *before,
			 enum model_counter c, uint64_t want, int line)
{
	uint64_t have = delta(m, before, c);

	CHECK(have == want, "line %d: %s went up by %" PRIu64 ", expected %" PRIu64, line,
	      model_counter_name(c), have, want);
}
#define EXPECT_DELTA(m, before, c, want) expect_delta(m, before, c, want, __LINE__)

/* ==== compact_finished(): the scanners meet; reset_cached_positions() ==== */

/*
 * __compact_finished(): when the free scanner's pageblock is at or below the
 * migrate scanner's, the run is over: reset_cached_positions() puts the
 * zone's cached scanner positions back at the zone's first and last
 * pageblock, compact_blockskip_flush is set (direct compaction), and the
 * status is COMPLETE for a whole-zone run, PARTIAL_SKIPPED otherwise. A run
 * is whole-zone when SYNC_FULL asks for it or when it starts at or below
 * compact_init_migrate_pfn, which only __reset_isolation_suitable() sets: 0
 * before, so a zone starting at 256 gets PARTIAL_SKIPPED even when the run
 * covered it all. A run that does not meet (here: a capture) leaves the
 * cached positions where its scanners stopped, and the next run starts there.
 *
 *  pageblocks   U        U        M        U        U        U        M        M
 *  before:     |uFu.F...|uFu.F...|mmmmmmmm|uFu.F...|uFu.F...|uFu.F...|mFmFmFmF|mFmFmFmF|
 *
 *  R1 order-3 movable: SYNC_LIGHT from migrate 256, free 312. Blocks 256
 *     and 264 hold nothing to isolate: marked skip and passed, each moving
 *     the cached migrate pfn to pageblock_end_pfn(block end) (two blocks on:
 *     update_cached_migrate() is given the next block's start). Block 272's
 *     8 pages migrate to the free pages at 305..319: fast_isolate_freepages()
 *     finds 319 in the top quarter and fast_isolate_around() scans its block
 *     (8 pfns, then marks it skip); for the second half it finds 311 and
 *     fast_isolate_around() stops at 309, once it holds enough (6 pfns, no
 *     skip mark); each find moves the cached free pfn a block down. The last
 *     page freed completes an order-3 buddy at 272: captured.
 *     Cached: migrate 280, free 296.
 *  after:      |uFu.F...|uFu.F...|m.......|uFu.F...|uFu.F...|uFu.F...|mmmmmmmm|mmmmmmmm|
 *  R2: from migrate 280, free 296: blocks 280 and 288, nothing to isolate;
 *     the scanners meet in block 296: PARTIAL_SKIPPED, positions reset,
 *     compaction deferred (order_failed 3).
 *  R3: deferred (compact_considered 1 < 1 << 1).
 *  R4: starts again at the zone's start: migrate 256, free 312. Blocks 256,
 *     264, 272, 280, 288 are marked skip; 296 is scanned, and 304, whose 8
 *     movable pages are isolated, but no free page is left in a MOVABLE
 *     block: migration fails (-ENOMEM, one page counted) with the scanners
 *     met, and nothing moves.
 */
static void raw_compact_finished_scanners_meet_and_reset_cached_positions(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "UUMUUUMM",
		"|uFu.F...|uFu.F...|mmmmmmmm|uFu.F...|uFu.F...|uFu.F...|mFmFmFmF|mFmFmFmF|");
	if (!m)
		return;
	struct counters c0 = counters(m);

	EXPECT_ALLOC(m, 3, GFP_MOV_NORETRY, B + 16);
	EXPECT_BLOCKS(m, B,
		"|uFu.F...|uFu.F...|m.......|uFu.F...|uFu.F...|uFu.F...|mmmmmmmm|mmmmmmmm|");
	EXPECT_BEGIN(&log, 0, B, B + 56, true, true);
	EXPECT_END(&log, 0, MODEL_COMPACT_SUCCESS_RES);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 8 && nr_events(&log, MODEL_EV_CAPTURE) == 1);
	EXPECT_EVENT(&log, MODEL_EV_CAPTURE, 0, B + 16, 3, M);
	for (uint64_t src = B + 16; src < B + 24; src++) {
		bool found = false;
		for (uint64_t dst = B + 48; dst < B + 64; dst++)
			found |= migrated(&log, src, dst);
		CHECK(found, "page %" PRIu64 " did not move to blocks 304..319", src);
	}
	EXPECT_DELTA(m, &c0, MODEL_COMPACT_STALL, 1);
	EXPECT_DELTA(m, &c0, MODEL_COMPACT_SUCCESS, 1);
	EXPECT_DELTA(m, &c0, MODEL_COMPACT_FAIL, 0);
	EXPECT_DELTA(m, &c0, MODEL_COMPACT_CAPTURE, 1);
	EXPECT_DELTA(m, &c0, MODEL_PGMIGRATE_SUCCESS, 8);
	EXPECT_DELTA(m, &c0, MODEL_COMPACT_MIGRATE_SCANNED, 24);
	EXPECT_DELTA(m, &c0, MODEL_COMPACT_FREE_SCANNED, 16);
	EXPECT_DELTA(m, &c0, MODEL_COMPACT_ISOLATED, 16);

	struct counters c1 = counters(m);
	EXPECT_ALLOC(m, 3, GFP_MOV_NORETRY, MODEL_PFN_NONE);
	EXPECT_BEGIN(&log, 1, B + 24, B + 40, true, true);
	EXPECT_END(&log, 1, MODEL_COMPACT_PARTIAL_SKIPPED);
	EXPECT_DELTA(m, &c1, MODEL_COMPACT_MIGRATE_SCANNED, 16);
	EXPECT_DELTA(m, &c1, MODEL_COMPACT_FAIL, 1);

	EXPECT_ALLOC(m, 3, GFP_MOV_NORETRY, MODEL_PFN_NONE);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 2, "R3 compacted");
	CHECK(nr_events(&log, MODEL_EV_COMPACT_DEFERRED) == 1);

	struct counters c3 = counters(m);
	EXPECT_ALLOC(m, 3, GFP_MOV_NORETRY, MODEL_PFN_NONE);
	EXPECT_BEGIN(&log, 2, B, B + 56, true, true);
	EXPECT_END(&log, 2, MODEL_COMPACT_PARTIAL_SKIPPED);
	EXPECT_DELTA(m, &c3, MODEL_COMPACT_MIGRATE_SCANNED, 16);
	EXPECT_DELTA(m, &c3, MODEL_PGMIGRATE_FAIL, 1);
	EXPECT_DELTA(m, &c3, MODEL_PGMIGRATE_SUCCESS, 0);
	EXPECT_BLOCKS(m, B,
		"|uFu.F...|uFu.F...|m.......|uFu.F...|uFu.F...|uFu.F...|mmmmmmmm|mmmmmmmm|");
	model_free_all(m);
}

/* ==== suitable_migration_source() ==== */

/*
 * suitable_migration_source(), vanilla 6.18: async direct compaction for a
 * movable request takes only MOVABLE (and CMA) pageblocks as sources: the
 * UNMOVABLE block at 256, polluted with two movable pages, is passed over
 * (and the cached async migrate pfn moved past it), and the order-4 request
 * (THP-like: __GFP_NORETRY | __GFP_THISNODE, one ASYNC attempt) fails even
 * though emptying 256..271 would make its block. The movable pages of the
 * MOVABLE block at 264 are migrated (to 316, 317: the order-2 block at 316
 * is the top free block on the MOVABLE lists), and so is nothing else: the
 * block at 304 starts with an unmovable page, and async direct compaction
 * gives up an order-aligned chunk at its first failure.
 *
 *  pageblocks   U        M        U        U        U        U        M        M
 *  before:     |mmF.F...|mmF.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|u.u.F...|u.u.F...|
 *  order-4 movable, ASYNC only: fails
 *  after:      |mmF.F...|F.......|uFu.F...|uFu.F...|uFu.F...|uFu.F...|u.u.F...|u.u.mmF.|
 */
static void suitable_migration_source_async_movable_skips_unmovable_blocks(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "UMUUUUMM",
		"|mmF.F...|mmF.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|u.u.F...|u.u.F...|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 4, GFP_THP, MODEL_PFN_NONE);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 1);
	EXPECT_BEGIN(&log, 0, B, B + 56, false, true);
	EXPECT_END(&log, 0, MODEL_COMPACT_PARTIAL_SKIPPED);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 2, "%d migrations",
	      nr_events(&log, MODEL_EV_MIGRATE));
	CHECK((migrated(&log, B + 8, B + 60) && migrated(&log, B + 9, B + 61)) ||
	      (migrated(&log, B + 9, B + 60) && migrated(&log, B + 8, B + 61)),
	      "the movable block's pages did not go to 316, 317");
	EXPECT_BLOCKS(m, B,
		"|mmF.F...|F.......|uFu.F...|uFu.F...|uFu.F...|uFu.F...|u.u.F...|u.u.mmF.|");
	EXPECT_PAGEBLOCKS(m, B, "UMUUUUMM");
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 2);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_FAIL, 1);
	model_free_all(m);
}

/*
 * suitable_migration_source(): once the priority escalates to a sync mode,
 * every block is a source. Same zone and request without __GFP_NORETRY: the
 * ASYNC attempt does what it did above, then SYNC_LIGHT starts over at 256
 * (the scanners met, positions reset), takes the two movable pages out of
 * the UNMOVABLE block (to 308, 309, the top free block left on the MOVABLE
 * lists), and freeing the second one merges 256..263 with the order-3 block
 * at 264 into an order-4 block. __free_one_page() merges different
 * mergeable types at pageblock order and gives the buddy the freed page's
 * type, so it is an UNMOVABLE block; __compact_finished() counts it as a
 * claimable fallback, and the allocation claims it whole (both blocks
 * become MOVABLE). MAX_PAGE_ORDER is 4, so no capture: __free_one_page()
 * checks for one only below MAX_PAGE_ORDER.
 *
 *  before:     |mmF.F...|mmF.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|u.u.F...|u.u.F...|
 *  order-4 movable: ASYNC fails, SYNC_LIGHT succeeds -> 256
 *  pageblocks   M        M        U        U        U        U        M        M
 *  after:      |m.......|........|uFu.F...|uFu.F...|uFu.F...|uFu.F...|u.u.mmF.|u.u.mmF.|
 */
static void suitable_migration_source_sync_takes_any_block(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "UMUUUUMM",
		"|mmF.F...|mmF.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|u.u.F...|u.u.F...|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 4, GFP_THP_SYNC, B);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 2);
	EXPECT_BEGIN(&log, 0, B, B + 56, false, true);
	EXPECT_END(&log, 0, MODEL_COMPACT_PARTIAL_SKIPPED);
	EXPECT_BEGIN(&log, 1, B, B + 56, true, true);
	EXPECT_END(&log, 1, MODEL_COMPACT_SUCCESS_RES);
	CHECK(nr_in_compaction(&log, MODEL_EV_MIGRATE, 0) == 2 &&
	      nr_in_compaction(&log, MODEL_EV_MIGRATE, 1) == 2);
	CHECK((migrated(&log, B, B + 52) && migrated(&log, B + 1, B + 53)) ||
	      (migrated(&log, B + 1, B + 52) && migrated(&log, B, B + 53)),
	      "the UNMOVABLE block's movable pages did not go to 308, 309");
	EXPECT_BLOCKS(m, B,
		"|m.......|........|uFu.F...|uFu.F...|uFu.F...|uFu.F...|u.u.mmF.|u.u.mmF.|");
	EXPECT_PAGEBLOCKS(m, B, "MMUUUUMM");
	EXPECT_PAGE(m, B, MODEL_PAGE_ALLOC, 4, M);
	EXPECT_COUNTER(m, MODEL_EXTFRAG_CLAIM, 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_CAPTURE, 0);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 2);
	EXPECT_COUNTER(m, MODEL_COMPACT_SUCCESS, 1);
	model_free_all(m);
}

/* ==== compact_zone(): a fragmented zone compacted into a free pageblock ==== */

/*
 * compact_zone() run by kcompactd_do_work(): a zone whose pageblocks each
 * hold one movable page has no free pageblock, so an order-3 (pageblock)
 * movable request that cannot reclaim fails, and wakes kcompactd at order 3
 * (wake_all_kswapds() -> wakeup_kcompactd(), kcompactd_node_suitable():
 * 56 free pages > compact_gap 16). On the next tick kcompactd compacts the
 * zone SYNC_LIGHT: the page at 256 moves to the top of the zone (316, the
 * tail of the order-2 MOVABLE list, found by fast_isolate_freepages), 256..263
 * merges into a free pageblock, __compact_finished() sees it (kcompactd's
 * cc->migratetype is UNMOVABLE; a MOVABLE block of the order is a claimable
 * fallback) and stops: COMPACT_SUCCESS. The same request now succeeds. With
 * the compaction knob off nothing runs and it fails again.
 *
 *  pageblocks   M        M        M        M        M        M        M        M
 *  before:     |mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|
 *  order-3 movable, no direct reclaim: fails; kcompactd runs
 *  after:      |F.......|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.mFF.|
 *  order-3 movable -> 256
 */
static void compact_zone_makes_a_free_pageblock(void)
{
	static const char *frag =
		"|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|";

	for (int on = 1; on >= 0; on--) {
		struct model_desc d;
		static struct evlog log;

		desc_compact(&d);
		d.knobs[MODEL_KNOB_COMPACTION] = on;
		struct model *m = SMALL_MODEL(&d, 8, &log, "MMMMMMMM", frag);
		if (!m)
			return;
		EXPECT_ALLOC(m, 3, GFP_NOWAIT_MOV, MODEL_PFN_NONE);
		CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 0, "compacted without reclaim");
		SET_TIME(m, 1 * SEC);
		if (!on) {
			CHECK(log.n == 0 || nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 0);
			EXPECT_ALLOC(m, 3, GFP_NOWAIT_MOV, MODEL_PFN_NONE);
			EXPECT_BLOCKS(m, B, frag);
			EXPECT_COUNTER(m, MODEL_COMPACT_DAEMON_WAKE, 0);
			EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 0);
			model_free_all(m);
			continue;
		}
		CHECK(nr_events(&log, MODEL_EV_KCOMPACTD_WAKE) == 1);
		EXPECT_BEGIN(&log, 0, B, B + 56, true, false);
		EXPECT_END(&log, 0, MODEL_COMPACT_SUCCESS_RES);
		CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 1);
		EXPECT_MIGRATE(&log, 0, B, B + 60);
		EXPECT_BLOCKS(m, B,
			"|F.......|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.mFF.|");
		EXPECT_COUNTER(m, MODEL_COMPACT_DAEMON_WAKE, 1);
		EXPECT_COUNTER(m, MODEL_COMPACT_DAEMON_MIGRATE_SCANNED, 8);
		EXPECT_COUNTER(m, MODEL_COMPACT_DAEMON_FREE_SCANNED, 4);
		EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 0);
		EXPECT_ALLOC(m, 3, GFP_NOWAIT_MOV, B);
		model_free_all(m);
	}
}

/* ==== compaction_capture() ==== */

/*
 * compaction_capture() (called from __free_one_page() at every merge step):
 * while a request compacts, a block freed into its zone is handed to it if
 * and only if it is, or merges up to, exactly the request's order. Order-2
 * movable request: the page migrated out of 256 frees an order-1 block
 * (256..257, its buddy 258 is busy): not captured, it goes on the free list.
 * The two pages migrated out of 264 (264 and 266, in one batch) free two
 * order-1 blocks that merge into an order-2 block at 264: captured, the
 * compaction stops there (COMPACT_SUCCESS) and the request gets 264. An
 * order-1 request on the same zone captures the order-1 block at 256 instead.
 * Targets: 319, then 317 and 313 (the fast search finds 317,
 * fast_isolate_around() adds 313).
 *
 *  pageblocks   M        M        U        U        U        U        M        M
 *  before:     |mFuuuuuu|mFmFuuuu|u.......|u.......|u.......|u.......|uFuFuFuF|uFuFuFuF|
 *  order-2 movable -> 264 (captured)
 *  after:      |F.uuuuuu|m...uuuu|u.......|u.......|u.......|u.......|uFuFuFuF|umuFumum|
 *  (same before) order-1 movable -> 256 (captured)
 *  after:      |m.uuuuuu|mFmFuuuu|u.......|u.......|u.......|u.......|uFuFuFuF|uFuFuFum|
 */
static void compaction_capture_takes_exactly_the_request_order(void)
{
	static const char *before =
		"|mFuuuuuu|mFmFuuuu|u.......|u.......|u.......|u.......|uFuFuFuF|uFuFuFuF|";
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "MMUUUUMM", before);
	if (!m)
		return;
	EXPECT_ALLOC(m, 2, GFP_MOV_NORETRY, B + 8);
	EXPECT_BLOCKS(m, B,
		"|F.uuuuuu|m...uuuu|u.......|u.......|u.......|u.......|uFuFuFuF|umuFumum|");
	CHECK(nr_events(&log, MODEL_EV_CAPTURE) == 1);
	EXPECT_EVENT(&log, MODEL_EV_CAPTURE, 0, B + 8, 2, M);
	EXPECT_PAGE(m, B, MODEL_PAGE_FREE, 1, M);
	EXPECT_COUNTER(m, MODEL_COMPACT_CAPTURE, 1);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 3);
	EXPECT_MIGRATE(&log, 0, B, B + 63);
	CHECK((migrated(&log, B + 8, B + 61) && migrated(&log, B + 10, B + 57)) ||
	      (migrated(&log, B + 10, B + 61) && migrated(&log, B + 8, B + 57)));
	EXPECT_END(&log, 0, MODEL_COMPACT_SUCCESS_RES);
	EXPECT_COUNTER(m, MODEL_COMPACT_SUCCESS, 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 1);
	CHECK(model_captures(m, 2) == 1 && model_captures(m, 1) == 0);
	/* compact_finished() saw no suitable page before the capture ended the run */
	const struct model_event *fin = event(&log, MODEL_EV_COMPACT_FINISHED, 0);
	CHECK(fin && fin->status == MODEL_COMPACT_NO_SUITABLE_PAGE && fin->order == 2);
	model_free_all(m);

	desc_compact(&d);
	m = SMALL_MODEL(&d, 8, &log, "MMUUUUMM", before);
	if (!m)
		return;
	EXPECT_ALLOC(m, 1, GFP_MOV_NORETRY, B);
	EXPECT_BLOCKS(m, B,
		"|m.uuuuuu|mFmFuuuu|u.......|u.......|u.......|u.......|uFuFuFuF|uFuFuFum|");
	CHECK(nr_events(&log, MODEL_EV_CAPTURE) == 1 && nr_events(&log, MODEL_EV_MIGRATE) == 1);
	EXPECT_EVENT(&log, MODEL_EV_CAPTURE, 0, B, 1, M);
	EXPECT_MIGRATE(&log, 0, B, B + 63);
	EXPECT_COUNTER(m, MODEL_COMPACT_CAPTURE, 1);
	CHECK(model_captures(m, 1) == 1 && model_captures(m, 2) == 0);
	model_free_all(m);
}

/*
 * compaction_capture() refuses blocks below pageblock order from MOVABLE
 * pageblocks to a non-movable request ("Do not let lower order allocations
 * pollute a movable pageblock unless compaction is also requesting movable
 * pages"); the allocator's own fallback rules decide instead. Unmovable
 * order-1 request (GFP_KERNEL): ASYNC compaction takes only UNMOVABLE source
 * blocks and finds nothing; SYNC_LIGHT moves the page at 256 (to 319), which
 * frees 256..257 in a MOVABLE block: not captured. __compact_finished() sees
 * it as a claimable fallback (order >= pageblock_order / 2), and
 * get_page_from_freelist() claims the block (2 free + 6 unmovable pages >=
 * half a block) and takes 256.
 *
 *  pageblocks   M        U        U        U        U        U        M        M
 *  before:     |mFuuuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|
 *  order-1 unmovable -> 256, no capture
 *  pageblocks   U        U        U        U        U        U        M        M
 *  after:      |u.uuuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFum|
 */
static void compaction_capture_keeps_movable_blocks_from_unmovable_requests(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "MUUUUUMM",
		"|mFuuuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 1, MODEL_GFP_KERNEL, B);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 2);
	EXPECT_BEGIN(&log, 0, B, B + 56, false, true);
	EXPECT_BEGIN(&log, 1, B, B + 56, true, true);
	EXPECT_END(&log, 1, MODEL_COMPACT_SUCCESS_RES);
	EXPECT_MIGRATE(&log, 0, B, B + 63);
	CHECK(nr_events(&log, MODEL_EV_CAPTURE) == 0);
	EXPECT_COUNTER(m, MODEL_COMPACT_CAPTURE, 0);
	EXPECT_COUNTER(m, MODEL_EXTFRAG_CLAIM, 1);
	EXPECT_PAGEBLOCKS(m, B, "UUUUUUMM");
	EXPECT_BLOCKS(m, B,
		"|u.uuuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFum|");
	model_free_all(m);
}

/* ==== compaction_suitable(): compact_gap() ==== */

/*
 * __compaction_suitable(): compaction needs order-0 free pages above the
 * watermark plus compact_gap(order) = 2 << order, room for the pages it
 * isolates; below that __alloc_pages_direct_compact() gets COMPACT_SKIPPED
 * (no compaction, no compact_stall) and kcompactd is not woken. Order 3,
 * watermarks 0: 16 free pages are not enough, 17 are.
 *
 *  pageblocks   M        U        U        U        U        U        U        U
 *  before:     |mFF.F...|uFuFuFuF|uFuFuFuF|uFuuuuuu|u.......|u.......|u.......|u.......|
 *  order-3 movable: no compaction; free 282; order-3 movable: compaction
 */
static void compaction_suitable_needs_the_compact_gap(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "MUUUUUUU",
		"|mFF.F...|uFuFuFuF|uFuFuFuF|uFuuuuuu|u.......|u.......|u.......|u.......|");
	if (!m)
		return;
	CHECK(zinfo(m, 0).nr_free_pages == 16);
	EXPECT_ALLOC(m, 3, GFP_MOV_NORETRY, MODEL_PFN_NONE);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 0);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 0);
	SET_TIME(m, 1 * SEC);
	EXPECT_COUNTER(m, MODEL_COMPACT_DAEMON_WAKE, 0);
	FREE(m, B + 26, 0);
	EXPECT_ALLOC(m, 3, GFP_MOV_NORETRY, MODEL_PFN_NONE);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 1);
	model_free_all(m);
}

/*
 * kcompactd(): wait_event_freezable_timeout(kcompactd_wait,
 * kcompactd_work_requested(), timeout) returns true when the timeout
 * elapses with kcompactd_max_order set, and kcompactd_do_work() runs
 * (compact_daemon_wake) instead of the proactive check. wakeup_kcompactd()
 * sets the order before it looks whether the node is suitable, and wakes
 * nobody when it is not (no mm_compaction_wakeup_kcompactd): the kernel's
 * slab-pagecache-interleave shows 11 kcompactd_wake for 3 wakeups, one each
 * 512 ms.
 *
 *  the drawing of compaction_suitable_needs_the_compact_gap: 16 free pages,
 *  not suitable at order 3 (compact_gap 16)
 *  order-3 movable, no direct reclaim: fails; wakes kswapd (no order-3 block)
 *  0.1 s    kswapd, balanced at order 0, sleeps: wakeup_kcompactd(3), no wake
 *  0.512 s  the timeout: kcompactd_do_work() (nothing suitable), no proactive
 *  1.024 s  nothing asked since: the proactive check (score 100 > 90) runs
 */
static void kcompactd_timeout_does_work_asked_without_a_wakeup(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "MUUUUUUU",
		"|mFF.F...|uFuFuFuF|uFuFuFuF|uFuuuuuu|u.......|u.......|u.......|u.......|");
	if (!m)
		return;
	SET_TIME(m, 0);
	EXPECT_ALLOC(m, 3, GFP_NOWAIT_MOV, MODEL_PFN_NONE);
	SET_TIME(m, 100 * MS);
	EXPECT_COUNTER(m, MODEL_COMPACT_DAEMON_WAKE, 0);
	SET_TIME(m, KT - 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_DAEMON_WAKE, 0);
	SET_TIME(m, KT);
	EXPECT_COUNTER(m, MODEL_COMPACT_DAEMON_WAKE, 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 0);
	CHECK(nr_events(&log, MODEL_EV_KCOMPACTD_WAKE) == 1 &&
	      nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 0);
	SET_TIME(m, 2 * KT);
	EXPECT_COUNTER(m, MODEL_COMPACT_DAEMON_WAKE, 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
	model_free_all(m);
}

/* ==== defer_compaction(), compaction_deferred(), compaction_defer_reset() ==== */

/* the request ran a compaction (1), was deferred (0), or neither (-1) */
static int compacted(struct model *m, struct evlog *log, unsigned int order, uint32_t gfp,
		     int line)
{
	int begins = nr_events(log, MODEL_EV_COMPACT_BEGIN);
	int deferred = nr_events(log, MODEL_EV_COMPACT_DEFERRED);

	alloc_req(m, order, gfp, line);
	if (nr_events(log, MODEL_EV_COMPACT_BEGIN) > begins)
		return 1;
	return nr_events(log, MODEL_EV_COMPACT_DEFERRED) > deferred ? 0 : -1;
}

/*
 * defer_compaction() after every failed sync compaction: considered = 0,
 * defer_shift++ (at most 6), order_failed = min(order_failed, order);
 * compaction_deferred() skips the zone (mm_compaction_deferred) until
 * ++considered reaches 1 << defer_shift. So failing order-3 requests (one
 * SYNC_LIGHT attempt each) compact at requests 1, 3, 7, 15, 31 and are
 * deferred in between. A success resets: a GFP_KERNEL request (deferred at
 * SYNC_LIGHT, then SYNC_FULL, which compaction_deferred() is not asked about)
 * migrates the page at 256 (to 289, the first free page of the block
 * fast_isolate_freepages() falls back to: min_pfn, with no MOVABLE free page
 * in the top half) and captures 256..263; __alloc_pages_direct_compact()
 * then calls compaction_defer_reset(zone, 3, true): considered = shift = 0,
 * order_failed = 4. The next requests compact at once, then after one
 * deferral, then after three: the backoff starts over.
 *
 *  pageblocks   M        U        U        U        U        U        U        U
 *  before:     |mFF.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|
 *  (SYNC_LIGHT has no target: the only free pages in a MOVABLE block are below
 *  the migrate scanner; every run fails)
 *  after the GFP_KERNEL request -> 256:
 *              |m.......|uFu.F...|uFu.F...|uFu.F...|umu.F...|uFu.F...|uFu.F...|uFu.F...|
 */
static void defer_compaction_backs_off_and_success_resets(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "MUUUUUUU",
		"|mFF.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|");
	if (!m)
		return;
	int runs = 0;
	for (int r = 1; r <= 31; r++) {
		bool run = r == 1 || r == 3 || r == 7 || r == 15 || r == 31;
		int did = compacted(m, &log, 3, GFP_MOV_NORETRY, __LINE__);

		CHECK(did == (run ? 1 : 0), "request %d: %s", r,
		      did == 1 ? "compacted" : did == 0 ? "deferred" : "neither");
		if (did == 1) {
			EXPECT_END(&log, runs, MODEL_COMPACT_PARTIAL_SKIPPED);
			runs++;
		}
	}
	EXPECT_COUNTER(m, MODEL_COMPACT_DEFERRED, 26);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_DEFERRED) == 26);

	/* shift 5, considered 0: SYNC_LIGHT deferred, SYNC_FULL captures */
	struct counters c0 = counters(m);
	int deferred = nr_events(&log, MODEL_EV_COMPACT_DEFERRED);
	EXPECT_ALLOC(m, 3, GFP_MOV, B);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_DEFERRED) == deferred + 1);
	EXPECT_BEGIN(&log, runs, B, B + 56, true, true);
	EXPECT_END(&log, runs, MODEL_COMPACT_SUCCESS_RES);
	runs++;
	EXPECT_MIGRATE(&log, nr_events(&log, MODEL_EV_MIGRATE) - 1, B, B + 33);
	EXPECT_EVENT(&log, MODEL_EV_CAPTURE, 0, B, 3, M);
	EXPECT_DELTA(m, &c0, MODEL_COMPACT_SUCCESS, 1);
	EXPECT_BLOCKS(m, B,
		"|m.......|uFu.F...|uFu.F...|uFu.F...|umu.F...|uFu.F...|uFu.F...|uFu.F...|");

	static const int after[] = { 1, 0, 1, 0, 0, 0, 1, 0 };
	for (int r = 0; r < (int)(sizeof(after) / sizeof(after[0])); r++) {
		int did = compacted(m, &log, 3, GFP_MOV_NORETRY, __LINE__);

		CHECK(did == after[r], "request %d after the reset: %s", r,
		      did == 1 ? "compacted" : did == 0 ? "deferred" : "neither");
	}
	model_free_all(m);
}

/* ==== skip hints: isolation_suitable(), __reset_isolation_suitable() ==== */

/*
 * A pageblock the migrate scanner isolated from (test_and_set_skip()) or
 * scanned to the end with nothing isolated gets PB_compact_skip, and later
 * runs that honour hints pass it without scanning (isolation_suitable()).
 * The hints stay until __reset_isolation_suitable(), which runs only when
 * compaction_restarting() (defer_shift 6 and considered >= 64) and a direct
 * compaction's scanners met since the last flush (compact_blockskip_flush).
 * It walks the zone from both ends, clearing a block's hint when its first
 * page (one sample per 8 pages) is an LRU page (migrate side) or a free page
 * in a MOVABLE block (free side), and restarts the scanners at the first
 * such blocks, recording them as compact_init_migrate/free_pfn; a run
 * starting at compact_init_migrate_pfn covers the whole zone (COMPLETE).
 *
 *  pageblocks   M        U        U        U        U        U        U        M
 *  before:     |muu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uuuuuuuu|
 *
 *  Failing order-3 requests (one SYNC_LIGHT each), compacting at requests
 *  1, 3, 7, 15, 31, 63, 127, deferred in between:
 *   #1 isolates 256 (skip), finds no target in a MOVABLE block, meets: 8 scanned
 *   #3 scans 264..311, nothing isolatable: all skip: 48 scanned
 *   #7, #15, #31: every block skipped: 0 scanned
 *   before #63 the test frees 312 (a target now exists); #63 still scans nothing
 *   #127 restarts: 256's first page is LRU, 312's is free in a MOVABLE block:
 *     hints cleared there, scanners at migrate 256, free 319; 256 is scanned
 *     again and its page moves to 312; the scanners meet in 312: COMPLETE
 *  after:      |Fuu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|muuuuuuu|
 *   #191 (defer_shift stays at COMPACT_MAX_DEFER_SHIFT: 64 deferrals again)
 *     restarts again, but no block's first page is LRU (256 is free now) or
 *     free in a MOVABLE block (312 is taken): "leave no distance", the
 *     scanners start where the walk stopped, migrate 288, free 287, and meet
 *     at once: PARTIAL_SKIPPED
 */
static void skip_hints_set_then_flushed_on_restart(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "MUUUUUUM",
		"|muu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uuuuuuuu|");
	if (!m)
		return;
	static const struct { int request; uint64_t scanned; } runs[] = {
		{ 1, 8 }, { 3, 48 }, { 7, 0 }, { 15, 0 }, { 31, 0 }, { 63, 0 }, { 127, 8 }, { 191, 0 },
	};
	int run = 0;
	for (int r = 1; r <= 191; r++) {
		if (r == 63)
			FREE(m, B + 56, 0);
		struct counters c = counters(m);
		int did = compacted(m, &log, 3, GFP_MOV_NORETRY, __LINE__);
		bool want = run < 8 && runs[run].request == r;

		CHECK(did == (want ? 1 : 0), "request %d: %d", r, did);
		if (!want || did != 1)
			continue;
		CHECK(delta(m, &c, MODEL_COMPACT_MIGRATE_SCANNED) == runs[run].scanned,
		      "request %d scanned %" PRIu64 ", expected %" PRIu64, r,
		      delta(m, &c, MODEL_COMPACT_MIGRATE_SCANNED), runs[run].scanned);
		if (r < 127) {
			EXPECT_BEGIN(&log, run, B, B + 56, true, true);
			EXPECT_END(&log, run, MODEL_COMPACT_PARTIAL_SKIPPED);
			CHECK(nr_in_compaction(&log, MODEL_EV_MIGRATE, run) == 0);
		} else if (r == 127) {
			EXPECT_BEGIN(&log, run, B, B + 63, true, true);
			EXPECT_END(&log, run, MODEL_COMPACT_COMPLETE);
			CHECK(nr_in_compaction(&log, MODEL_EV_MIGRATE, run) == 1);
			EXPECT_MIGRATE(&log, 0, B, B + 56);
		} else {
			EXPECT_BEGIN(&log, run, B + 32, B + 31, true, true);
			EXPECT_END(&log, run, MODEL_COMPACT_PARTIAL_SKIPPED);
		}
		run++;
	}
	CHECK(run == 8, "%d compactions", run);
	EXPECT_BLOCKS(m, B,
		"|Fuu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|muuuuuuu|");
	model_free_all(m);
}

/*
 * isolate_migratepages_block() marks a pageblock it scanned to the end
 * without isolating anything even when the run ignores skip hints: the
 * kernel's condition is !cc->no_set_skip_hint && valid_page && !skip_updated
 * (no_set_skip_hint is for alloc_contig ranges only); ignore_skip_hint only
 * stops test_and_set_skip() and isolation_suitable(). So a SYNC_FULL run
 * leaves hints on the blocks it found empty of LRU pages.
 *
 *  pageblocks   M        U        U        U        U        U        U        M
 *  before:     |muu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uuuuuuuu|
 *  R1 order-3 movable, GFP_KERNEL:
 *    SYNC_LIGHT isolates 256 (skip), no MOVABLE target, meets early (free
 *    scanner dropped to min_pfn 288): PARTIAL_SKIPPED, deferred (shift 1).
 *    SYNC_FULL (whole zone, no hints, any block a target): 256's page moves
 *    to 289 (fast_isolate_freepages() falls back to min_pfn's block), then
 *    264, 272, 280 are scanned, nothing isolated: marked skip; the scanners
 *    meet at 288: COMPLETE, deferred (shift 2).
 *  after:      |Fuu.F...|uFu.F...|uFu.F...|uFu.F...|umu.F...|uFu.F...|uFu.F...|uuuuuuuu|
 *  R2..R4 (GFP_KERNEL | __GFP_NORETRY): deferred. R5: SYNC_LIGHT from 256:
 *    256..287 are marked skip and passed; 288 is scanned (its page at 289 is
 *    isolated, no MOVABLE target, the free scanner falls below it): 8 pages.
 */
static void isolate_migratepages_block_marks_skip_when_ignoring_hints(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "MUUUUUUM",
		"|muu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uuuuuuuu|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 3, GFP_MOV, MODEL_PFN_NONE);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 2);
	EXPECT_END(&log, 0, MODEL_COMPACT_PARTIAL_SKIPPED);
	EXPECT_BEGIN(&log, 1, B, B + 56, true, true);
	EXPECT_END(&log, 1, MODEL_COMPACT_COMPLETE);
	EXPECT_MIGRATE(&log, 0, B, B + 33);
	EXPECT_BLOCKS(m, B,
		"|Fuu.F...|uFu.F...|uFu.F...|uFu.F...|umu.F...|uFu.F...|uFu.F...|uuuuuuuu|");
	for (int r = 2; r <= 4; r++)
		CHECK(compacted(m, &log, 3, GFP_MOV_NORETRY, __LINE__) == 0, "R%d not deferred", r);
	struct counters c = counters(m);
	CHECK(compacted(m, &log, 3, GFP_MOV_NORETRY, __LINE__) == 1, "R5 did not compact");
	EXPECT_BEGIN(&log, 2, B, B + 56, true, true);
	EXPECT_END(&log, 2, MODEL_COMPACT_PARTIAL_SKIPPED);
	EXPECT_DELTA(m, &c, MODEL_COMPACT_MIGRATE_SCANNED, 8);
	model_free_all(m);
}

/*
 * Only a direct compaction sets compact_blockskip_flush when its scanners
 * meet ("kcompactd does not set the flag itself as the decision to be clear
 * should be directly based on an allocation request"), and
 * __reset_isolation_suitable() does nothing without it. kcompactd defers
 * like sync direct compaction (kcompactd_do_work(): compaction_deferred(),
 * defer_compaction()), so when only kcompactd compacts, its restart at the
 * 127th wakeup clears no hint: it starts at the reset positions, 256 and 312,
 * with every block it can reach marked skip, and scans nothing. On the way,
 * the free scanner's own hint: isolate_freepages() marks a block it scanned
 * to the end (update_pageblock_skip()) and passes it afterwards.
 *
 *  pageblocks   M        M        U        U        U        U        U        M
 *  before:     |muu.F...|muu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uuuuuuuu|
 *  127 times: order-3 movable, no direct reclaim (fails, wakes kcompactd),
 *  then a tick. kcompactd compacts at wakeups 1, 3, 7, 15, 31, 63, 127:
 *   #1 isolates 256 (skip); fast_isolate_freepages() reads 268 and 260, both
 *      below min_pfn (kcompactd does not drop its free scanner to min_pfn);
 *      isolate_freepages() scans the full block 312 (skip) and passes the
 *      UNMOVABLE ones; no target: migrate 8 pages scanned, free 2 + 8
 *   #3 isolates 264 (skip); the same two list entries; the free scanner
 *      passes 312 (skip); no target: migrate 8, free 2
 *   #7 scans 272..311, nothing to isolate (skip): migrate 40, free 0
 *   #15..#127: nothing scanned
 */
static void raw_reset_isolation_suitable_needs_a_direct_compaction(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "MMUUUUUM",
		"|muu.F...|muu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uuuuuuuu|");
	if (!m)
		return;
	int run = 0;
	for (int w = 1; w <= 127; w++) {
		struct counters c = counters(m);
		int begins = nr_events(&log, MODEL_EV_COMPACT_BEGIN);
		bool want = w == 1 || w == 3 || w == 7 || w == 15 || w == 31 || w == 63 || w == 127;

		EXPECT_ALLOC(m, 3, GFP_NOWAIT_MOV, MODEL_PFN_NONE);
		SET_TIME(m, (uint64_t)w * SEC);
		EXPECT_DELTA(m, &c, MODEL_COMPACT_DAEMON_WAKE, 1);
		CHECK((nr_events(&log, MODEL_EV_COMPACT_BEGIN) > begins) == want,
		      "wakeup %d: compacted %d", w, nr_events(&log, MODEL_EV_COMPACT_BEGIN) > begins);
		if (!want || nr_events(&log, MODEL_EV_COMPACT_BEGIN) == begins)
			continue;
		uint64_t mscanned = w == 1 || w == 3 ? 8 : w == 7 ? 40 : 0;
		uint64_t fscanned = w == 1 ? 10 : w == 3 ? 2 : 0;
		CHECK(delta(m, &c, MODEL_COMPACT_DAEMON_MIGRATE_SCANNED) == mscanned &&
		      delta(m, &c, MODEL_COMPACT_DAEMON_FREE_SCANNED) == fscanned,
		      "wakeup %d scanned %" PRIu64 " + %" PRIu64 ", expected %" PRIu64 " + %" PRIu64,
		      w, delta(m, &c, MODEL_COMPACT_DAEMON_MIGRATE_SCANNED),
		      delta(m, &c, MODEL_COMPACT_DAEMON_FREE_SCANNED), mscanned, fscanned);
		EXPECT_BEGIN(&log, run, B, B + 56, true, false);
		EXPECT_END(&log, run, MODEL_COMPACT_PARTIAL_SKIPPED);
		run++;
	}
	CHECK(run == 7, "%d compactions", run);
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 0);
	model_free_all(m);
}

/* ==== fast_isolate_freepages(): the top quarter first ==== */

/*
 * fast_isolate_freepages() reads the MOVABLE free lists below the request's
 * order from their tails and takes the first page in the top quarter of the
 * range between the scanners (at or above low_pfn); a page only in the top
 * half (at or above min_pfn) is kept as high_pfn, a fallback, and shortens
 * the scan. Migrate scanner at 264, free scanner at 312: low_pfn 296,
 * min_pfn 288. The order-0 list's tail is 289 (top half only), then 313
 * (top quarter): 256's page goes to 313.
 *
 *  pageblocks   M        U        U        U        M        U        U        M
 *  before:     |muuuuuuu|uFu.F...|uFu.F...|uFu.F...|uFuuuuuu|uFu.F...|uFu.F...|uFuuuuuu|
 *              (313 freed after seeding: the list's head; 289 its tail)
 *  order-3 movable: fails
 *  after:      |Fuuuuuuu|uFu.F...|uFu.F...|uFu.F...|uFuuuuuu|uFu.F...|uFu.F...|umuuuuuu|
 */
static void fast_isolate_freepages_prefers_the_top_quarter(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "MUUUMUUM",
		"|muuuuuuu|uFu.F...|uFu.F...|uFu.F...|uFuuuuuu|uFu.F...|uFu.F...|uuuuuuuu|");
	if (!m)
		return;
	FREE(m, B + 57, 0);
	log.n = 0;
	EXPECT_ALLOC(m, 3, GFP_MOV_NORETRY, MODEL_PFN_NONE);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 1);
	EXPECT_MIGRATE(&log, 0, B, B + 57);
	EXPECT_BLOCKS(m, B,
		"|Fuuuuuuu|uFu.F...|uFu.F...|uFu.F...|uFuuuuuu|uFu.F...|uFu.F...|umuuuuuu|");
	model_free_all(m);
}

/* ==== defrag_mode: no fallback until reclaim and compaction are done ==== */

/*
 * vm.defrag_mode = 1 makes every request ALLOC_NOFRAGMENT (alloc_flags_
 * nofragment(), alloc_flags_slowpath()): __rmqueue_claim() only takes whole
 * pageblocks and __rmqueue_steal() is not tried; only after reclaim and
 * compaction retries are exhausted is the flag dropped, and a __GFP_NORETRY
 * request gives up before that. Vanilla (defrag_mode 0, DMA32 so no
 * ALLOC_NOFRAGMENT) takes the fallback at once: an unmovable order-0 page
 * with no free UNMOVABLE page steals from the first MOVABLE block (3 free +
 * 0 alike pages < half a block, so no claim): mm_page_alloc_extfrag,
 * fragmenting. Under defrag_mode the same request fails; with compaction on
 * it has woken kcompactd at pageblock order (wake_all_kswapds()), whose
 * __compact_finished() goal is the high watermark in whole free pageblocks
 * (NR_FREE_PAGES_BLOCKS): it empties the block at 264 (5 pages, to 317..319
 * and 310..311), and the repeated request claims that whole block:
 * mm_page_alloc_extfrag with fallback_order 3, not fragmenting.
 *
 *  pageblocks   U        M        M        M        M        M        M        M
 *  before:     |u.......|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFF.|
 *  vanilla, order-0 unmovable __GFP_NORETRY -> 269 (steal)
 *  defrag_mode, compaction off: fails, twice
 *  defrag_mode, compaction on: fails; kcompactd:
 *              |u.......|F.......|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFmm|mmmmmmmm|
 *  again -> 264 (claim)
 *  pageblocks   U        U        M        M        M        M        M        M
 *              |u.......|uFF.F...|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFmm|mmmmmmmm|
 */
static void defrag_mode_refuses_fallback_and_compacts_instead(void)
{
	static const char *before =
		"|u.......|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFF.|";
	const uint32_t gfp = MODEL_GFP_KERNEL | MODEL_GFP_NORETRY;
	struct model_desc d;
	static struct evlog log;

	/* vanilla */
	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "UMMMMMMM", before);
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp, B + 13);
	EXPECT_EXTFRAG(&log, 0, B + 13, 0, U, 0, M, false, MODEL_ZONE_DMA32);
	EXPECT_COUNTER(m, MODEL_EXTFRAG_STEAL, 1);
	EXPECT_COUNTER(m, MODEL_EXTFRAG_CLAIM, 0);
	EXPECT_COUNTER(m, MODEL_EXTFRAG_FRAGMENTING, 1);
	EXPECT_PAGEBLOCKS(m, B, "UMMMMMMM");
	model_free_all(m);

	for (int on = 0; on <= 1; on++) {
		desc_compact(&d);
		d.knobs[MODEL_KNOB_DEFRAG_MODE] = 1;
		d.knobs[MODEL_KNOB_COMPACTION] = on;
		m = SMALL_MODEL(&d, 8, &log, "UMMMMMMM", before);
		if (!m)
			return;
		EXPECT_ALLOC(m, 0, gfp, MODEL_PFN_NONE);
		CHECK(nr_events(&log, MODEL_EV_EXTFRAG) == 0);
		EXPECT_BLOCKS(m, B, before);
		SET_TIME(m, 1 * SEC);
		if (!on) {
			EXPECT_ALLOC(m, 0, gfp, MODEL_PFN_NONE);
			EXPECT_BLOCKS(m, B, before);
			EXPECT_COUNTER(m, MODEL_EXTFRAG_STEAL, 0);
			EXPECT_COUNTER(m, MODEL_EXTFRAG_CLAIM, 0);
			model_free_all(m);
			continue;
		}
		CHECK(nr_events(&log, MODEL_EV_KCOMPACTD_WAKE) == 1);
		EXPECT_BEGIN(&log, 0, B, B + 56, true, false);
		EXPECT_END(&log, 0, MODEL_COMPACT_SUCCESS_RES);
		CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 5);
		EXPECT_BLOCKS(m, B,
			"|u.......|F.......|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFmm|mmmmmmmm|");
		EXPECT_ALLOC(m, 0, gfp, B + 8);
		EXPECT_EXTFRAG(&log, 0, B + 8, 0, U, 3, M, true, MODEL_ZONE_DMA32);
		EXPECT_COUNTER(m, MODEL_EXTFRAG_STEAL, 0);
		EXPECT_COUNTER(m, MODEL_EXTFRAG_CLAIM, 1);
		EXPECT_COUNTER(m, MODEL_EXTFRAG_FRAGMENTING, 0);
		EXPECT_PAGEBLOCKS(m, B, "UUMMMMMM");
		EXPECT_BLOCKS(m, B,
			"|u.......|uFF.F...|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFF.|mmmmmFmm|mmmmmmmm|");
		model_free_all(m);
	}
}

/* ==== order-9 models: pageblock_order 9, MAX_PAGE_ORDER 10 ==== */

#define B9 65536 /* first pfn of the order-9 models' zone (1024-aligned) */
#define PB9 512

/* model9()'s zone watermarks (min, low, high) for the next build; 0: all 0 */
static long next_wmark9[3];
/* kcompactd_ns_per_page of the next model9(); 0 (instant passes) unless a test says */
static long next_ns_per_page9;

static struct model *model9(struct model_desc *d, unsigned int blocks, bool compaction,
			    struct evlog *log)
{
	model_desc_init(d);
	d->knobs[MODEL_KNOB_MIN_FREE_KBYTES] = 1; /* watermarks 0 */
	d->knobs[MODEL_KNOB_COMPACTION] = compaction;
	d->knobs[MODEL_KNOB_KCOMPACTD_NS_PER_PAGE] = next_ns_per_page9;
	struct model_zone_desc *z = add_zone_at(d, MODEL_ZONE_DMA32, B9, (uint64_t)blocks * PB9);
	if (next_wmark9[2]) {
		z->wmark_min = (uint64_t)next_wmark9[0];
		z->wmark_low = (uint64_t)next_wmark9[1];
		z->wmark_high = (uint64_t)next_wmark9[2];
	}
	return build(d, log);
}

/* a pageblock holding one movable page at its start, the rest free (orders 0..8) */
static void seed_one_movable(struct model *m, uint64_t pfn)
{
	CHECK(model_seed_pageblock(m, pfn, M) == 0);
	CHECK(model_seed_alloc(m, pfn, 0, M) == 0);
	for (unsigned int o = 0; o < 9; o++)
		CHECK(model_seed_free(m, pfn + (1ull << o), o, M) == 0);
}

/* a try of an anonymous THP fault, as the replay marks it (MODEL_REQ_THP_FAULT) */
static uint64_t thp_fault_req(struct model *m, uint32_t gfp, int line)
{
	struct model_req r = { .order = 9, .gfp = gfp, .flags = MODEL_REQ_THP_FAULT };
	uint64_t pfn = model_alloc(m, &r);

	model_ok(m, line);
	return pfn;
}

/*
 * thp_fault_alloc / thp_fault_fallback count faults, not tries, as
 * vma_alloc_anon_folio_pmd() and map_anon_folio_pmd_pf() do: once a fault,
 * after alloc_pages_mpol()'s last try. Its first try (__GFP_THISNODE |
 * __GFP_NORETRY) gets the page here by compaction (async, the page at 65536
 * goes to the top quarter, 65536..66047 merges to order 9 and is captured):
 * thp_fault_alloc. With compaction off it fails, and since the fault may
 * reclaim (__GFP_DIRECT_RECLAIM) a second try follows: no count yet; the
 * second try fails too: thp_fault_fallback, one. Requests not marked as a
 * fault (an order-9 page-cache folio) and marked ones of another order count
 * neither.
 *
 *  pageblocks   M  M  M  M   each one movable page at its start, the rest free
 */
static void thp_fault_alloc_and_fallback_once_per_fault(void)
{
	for (int on = 1; on >= 0; on--) {
		struct model_desc d;
		static struct evlog log;
		struct model *m = model9(&d, 4, on, &log);

		if (!m)
			return;
		for (int b = 0; b < 4; b++)
			seed_one_movable(m, B9 + (uint64_t)b * PB9);
		CHECK(model_seed_done(m) == 0);
		model_ok(m, __LINE__);
		log.n = 0;

		CHECK(thp_fault_req(m, GFP_THP, __LINE__) == (on ? B9 : MODEL_PFN_NONE));
		EXPECT_COUNTER(m, MODEL_THP_FAULT_ALLOC, on ? 1 : 0);
		EXPECT_COUNTER(m, MODEL_THP_FAULT_FALLBACK, 0);
		if (on) {
			EXPECT_EVENT(&log, MODEL_EV_CAPTURE, 0, B9, 9, M);
			EXPECT_PAGE(m, B9, MODEL_PAGE_ALLOC, 9, M);
		} else {
			CHECK(model_thp_retry_gfp(GFP_THP) == GFP_THP_SYNC);
			CHECK(thp_fault_req(m, GFP_THP_SYNC, __LINE__) == MODEL_PFN_NONE);
			EXPECT_COUNTER(m, MODEL_THP_FAULT_FALLBACK, 1);
		}
		/* an order-9 page-cache folio and an order-8 request marked as a fault */
		alloc_req(m, 9, GFP_THP_SYNC, __LINE__);
		struct model_req r8 = { .order = 8, .gfp = GFP_THP, .flags = MODEL_REQ_THP_FAULT };
		CHECK(model_alloc(m, &r8) != MODEL_PFN_NONE);
		EXPECT_COUNTER(m, MODEL_THP_FAULT_ALLOC, on ? 1 : 0);
		EXPECT_COUNTER(m, MODEL_THP_FAULT_FALLBACK, on ? 0 : 1);
		model_free_all(m);
	}
}

/*
 * Which order-9 requests are anonymous THP fault tries (model_thp_fault_try),
 * by the gfp vma_thp_gfp_mask() and alloc_pages_mpol() give them (6.18), and
 * which try is followed by another (model_thp_retry_gfp): the first, with
 * __GFP_THISNODE | __GFP_NORETRY, when the fault may reclaim directly.
 */
static void thp_fault_try_by_gfp(void)
{
	const uint32_t light = (MODEL_GFP_HIGHUSER_MOVABLE & ~(MODEL_GFP_DIRECT_RECLAIM |
							       MODEL_GFP_KSWAPD_RECLAIM)) |
			       MODEL_GFP_COMP | MODEL_GFP_NOMEMALLOC; /* GFP_TRANSHUGE_LIGHT */
	const uint32_t transhuge = light | MODEL_GFP_DIRECT_RECLAIM;     /* GFP_TRANSHUGE */
	const uint32_t first = MODEL_GFP_THISNODE | MODEL_GFP_NORETRY;  /* alloc_pages_mpol() */
	const uint32_t pagecache = MODEL_GFP_IO | MODEL_GFP_KSWAPD_RECLAIM |
				   MODEL_GFP_DIRECT_RECLAIM | MODEL_GFP_HIGHMEM | MODEL_GFP_MOVABLE |
				   MODEL_GFP_NORETRY | MODEL_GFP_COMP | MODEL_GFP_HARDWALL;
	struct model_desc d;
	static struct evlog log;
	struct model *m = model9(&d, 1, false, &log);

	if (!m)
		return;
	/* defrag=madvise on a MADV_HUGEPAGE VMA: two tries */
	CHECK(model_thp_fault_try(m, 9, transhuge | first));
	CHECK(model_thp_fault_try(m, 9, transhuge));
	CHECK(model_thp_retry_gfp(transhuge | first) == transhuge);
	CHECK(model_thp_retry_gfp(transhuge) == 0);
	/* defrag=madvise without MADV_HUGEPAGE, or never: one try */
	CHECK(model_thp_fault_try(m, 9, light | first));
	CHECK(model_thp_retry_gfp(light | first) == 0);
	CHECK(model_thp_retry_gfp(light | MODEL_GFP_KSWAPD_RECLAIM | first) == 0);
	/* not faults: a page-cache folio, khugepaged's collapse, a migration
	 * target, another order */
	CHECK(!model_thp_fault_try(m, 9, pagecache));
	CHECK(!model_thp_fault_try(m, 9, transhuge | MODEL_GFP_THISNODE));
	CHECK(!model_thp_fault_try(m, 9, transhuge | MODEL_GFP_RETRY_MAYFAIL));
	CHECK(!model_thp_fault_try(m, 8, transhuge | first));
	model_free_all(m);
}

/* ==== __alloc_pages_slowpath(): costly __GFP_NORETRY requests ==== */

/*
 * __alloc_pages_slowpath(), 6.18: a costly request that may reclaim and
 * compact compacts first, at INIT_COMPACT_PRIORITY (async), __GFP_NORETRY
 * or not. The order-9 page-cache request of slab-pagecache-interleave (26
 * such direct compactions in its trace, 25 successes): on the zone of
 * thp_fault_alloc_and_fallback, async compaction moves the page at 65536
 * away, 65536..66047 merges to order 9 and is captured: one stall, one
 * success, no sync compaction.
 *
 *  pageblocks   M  M  M  M   each one movable page at its start, the rest free
 *  order-9 page-cache folio -> 65536 (captured after one async compaction)
 */
static void raw_alloc_pages_slowpath_costly_noretry_compacts_first(void)
{
	struct model_desc d;
	static struct evlog log;
	struct model *m = model9(&d, 4, true, &log);

	if (!m)
		return;
	for (int b = 0; b < 4; b++)
		seed_one_movable(m, B9 + (uint64_t)b * PB9);
	CHECK(model_seed_done(m) == 0);
	model_ok(m, __LINE__);
	log.n = 0;

	EXPECT_ALLOC(m, 9, GFP_PAGECACHE_NORETRY, B9);
	EXPECT_PAGE(m, B9, MODEL_PAGE_ALLOC, 9, M);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 1);
	EXPECT_BEGIN(&log, 0, B9, B9 + 3 * PB9, false, true);
	EXPECT_EVENT(&log, MODEL_EV_CAPTURE, 0, B9, 9, M);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_SUCCESS, 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_FAIL, 0);
	model_free_all(m);
}

/*
 * __alloc_pages_slowpath(), 6.18: when that first compaction fails for
 * another reason than SKIPPED or DEFERRED, a costly __GFP_NORETRY request
 * without __GFP_THISNODE goes on to direct reclaim (not modelled: the
 * drain and retry after it) and one more compaction, still async
 * ("sync compaction could be very expensive"), and then fails. A THP
 * fault's first try (__GFP_THISNODE) stops after the first.
 *
 * The zone of suitable_migration_source_async_movable_skips_unmovable_blocks:
 * the first async run moves 264's two pages to 316, 317 and the scanners
 * meet (PARTIAL_SKIPPED: no deferral, async). The second starts over at 256
 * (cached positions reset): 256 is UNMOVABLE (no async source for a movable
 * request), 264 is now free, 272..303 UNMOVABLE, 304 starts with an
 * unmovable page: nothing moves, PARTIAL_SKIPPED again.
 *
 *  pageblocks   U        M        U        U        U        U        M        M
 *  before:     |mmF.F...|mmF.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|u.u.F...|u.u.F...|
 *  order-4 page-cache folio: async, async, fails
 *  after:      |mmF.F...|F.......|uFu.F...|uFu.F...|uFu.F...|uFu.F...|u.u.F...|u.u.mmF.|
 *  (same before) order-4 THP fault: async once, fails; same after
 */
static void raw_alloc_pages_slowpath_costly_noretry_reclaims_then_compacts_once_more(void)
{
	static const char *before =
		"|mmF.F...|mmF.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|u.u.F...|u.u.F...|";
	static const char *after =
		"|mmF.F...|F.......|uFu.F...|uFu.F...|uFu.F...|uFu.F...|u.u.F...|u.u.mmF.|";
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "UMUUUUMM", before);
	if (!m)
		return;
	EXPECT_ALLOC(m, 4, GFP_PAGECACHE_NORETRY, MODEL_PFN_NONE);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 2, "%d compactions",
	      nr_events(&log, MODEL_EV_COMPACT_BEGIN));
	EXPECT_BEGIN(&log, 0, B, B + 56, false, true);
	EXPECT_END(&log, 0, MODEL_COMPACT_PARTIAL_SKIPPED);
	EXPECT_BEGIN(&log, 1, B, B + 56, false, true);
	EXPECT_END(&log, 1, MODEL_COMPACT_PARTIAL_SKIPPED);
	CHECK(nr_in_compaction(&log, MODEL_EV_MIGRATE, 0) == 2 &&
	      nr_in_compaction(&log, MODEL_EV_MIGRATE, 1) == 0);
	EXPECT_BLOCKS(m, B, after);
	EXPECT_PAGEBLOCKS(m, B, "UMUUUUMM");
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 2);
	EXPECT_COUNTER(m, MODEL_COMPACT_FAIL, 2);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_DEFERRED) == 0);
	model_free_all(m);

	desc_compact(&d);
	m = SMALL_MODEL(&d, 8, &log, "UMUUUUMM", before);
	if (!m)
		return;
	EXPECT_ALLOC(m, 4, GFP_THP, MODEL_PFN_NONE);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 1);
	EXPECT_BLOCKS(m, B, after);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 1);
	model_free_all(m);
}

/*
 * __alloc_pages_slowpath(), 6.18: a costly __GFP_NORETRY request fails at
 * once when its first compaction was DEFERRED or SKIPPED: no reclaim, no
 * second compaction.
 *
 * DEFERRED. The zone of defer_compaction_backs_off_and_success_resets (no
 * free page in a MOVABLE block above the migrate scanner: every async and
 * SYNC_LIGHT run fails). A costly request without __GFP_NORETRY compacts
 * async, then SYNC_LIGHT, whose failure defers order 4 (defer_shift 1),
 * and fails. Page-cache folio 1: compaction_deferred() (++considered = 1 <
 * 2): DEFERRED, fails at once; had it gone on, its second compaction would
 * have found considered = 2 and run. __alloc_pages_direct_compact() counts
 * a stall (and a failure) for every result but SKIPPED, DEFERRED included:
 * compact_stall 2 -> 3. Folio 2: considered 2, not deferred: async, async
 * (PARTIAL_SKIPPED, which async does not defer), fails: two stalls more.
 *
 *  pageblocks   M        U        U        U        U        U        U        U
 *  before:     |mFF.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|
 *  order-4 movable (no NORETRY): async, SYNC_LIGHT (defers), fails
 *  order-4 page-cache folio: deferred, fails     order-4 page-cache folio: async, async, fails
 *
 * SKIPPED. The zone of compaction_suitable_needs_the_compact_gap, pcp on:
 * 16 free pages in the buddy lists, below compact_gap(4) = 32, and one page
 * (282) on a per-CPU list. The page-cache folio's compaction is SKIPPED and
 * it fails with the pcp page still there; a costly request without
 * __GFP_NORETRY goes on to direct reclaim, whose drain_all_pages() gives
 * 282 back to the buddy lists.
 *
 *  pageblocks   M        U        U        U        U        U        U        U
 *  before:     |mFF.F...|uFuFuFuF|uFuFuFuF|uFPuuuuu|u.......|u.......|u.......|u.......|
 *  order-4 page-cache folio: SKIPPED, fails; same after
 *  order-4 movable (no NORETRY): SKIPPED, reclaim drains, fails
 *  after:      |mFF.F...|uFuFuFuF|uFuFuFuF|uFFuuuuu|u.......|u.......|u.......|u.......|
 */
static void raw_alloc_pages_slowpath_costly_noretry_fails_at_once_when_deferred_or_skipped(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "MUUUUUUU",
		"|mFF.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 4, GFP_THP_SYNC, MODEL_PFN_NONE);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 2);
	EXPECT_BEGIN(&log, 1, B, B + 56, true, true);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 2);

	log.n = 0;
	EXPECT_ALLOC(m, 4, GFP_PAGECACHE_NORETRY, MODEL_PFN_NONE);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 0, "folio 1 compacted");
	CHECK(nr_events(&log, MODEL_EV_COMPACT_DEFERRED) == 1, "folio 1: %d deferrals",
	      nr_events(&log, MODEL_EV_COMPACT_DEFERRED));
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 3);
	EXPECT_COUNTER(m, MODEL_COMPACT_FAIL, 3);

	log.n = 0;
	EXPECT_ALLOC(m, 4, GFP_PAGECACHE_NORETRY, MODEL_PFN_NONE);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 2, "folio 2: %d compactions",
	      nr_events(&log, MODEL_EV_COMPACT_BEGIN));
	EXPECT_BEGIN(&log, 0, B, B + 56, false, true);
	EXPECT_BEGIN(&log, 1, B, B + 56, false, true);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_DEFERRED) == 0);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 5);
	model_free_all(m);

	desc_compact(&d);
	set_pcp(add_zone_at(&d, MODEL_ZONE_DMA32, B, 8 * PB), 1, 8);
	m = build(&d, &log);
	if (!m)
		return;
	seed(m, B, "MUUUUUUU",
	     "|mFF.F...|uFuFuFuF|uFuFuFuF|uFuuuuuu|u.......|u.......|u.......|u.......|", __LINE__);
	FREE(m, B + 26, 0);
	CHECK(zinfo(m, 0).nr_free_pages == 16);
	log.n = 0;
	EXPECT_ALLOC(m, 4, GFP_PAGECACHE_NORETRY, MODEL_PFN_NONE);
	EXPECT_BLOCKS(m, B,
		"|mFF.F...|uFuFuFuF|uFuFuFuF|uFPuuuuu|u.......|u.......|u.......|u.......|");
	EXPECT_ALLOC(m, 4, GFP_THP_SYNC, MODEL_PFN_NONE);
	EXPECT_BLOCKS(m, B,
		"|mFF.F...|uFuFuFuF|uFuFuFuF|uFFuuuuu|u.......|u.......|u.......|u.......|");
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 0);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 0);
	model_free_all(m);
}

/*
 * __alloc_pages_slowpath(), 6.18: only a costly __GFP_NORETRY request keeps
 * the lowered (async) priority after its first compaction; any other
 * request's compaction after reclaim runs at DEF_COMPACT_PRIORITY
 * (SYNC_LIGHT), __GFP_NORETRY or not. An order-1 unmovable __GFP_NORETRY
 * request on the zone of
 * compaction_capture_keeps_movable_blocks_from_unmovable_requests does what
 * GFP_KERNEL does there: async finds no UNMOVABLE source, SYNC_LIGHT moves
 * 256 to 319 and the request claims the MOVABLE block at 256.
 *
 *  pageblocks   M        U        U        U        U        U        M        M
 *  before:     |mFuuuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|
 *  order-1 unmovable __GFP_NORETRY: async, SYNC_LIGHT -> 256
 *  pageblocks   U        U        U        U        U        U        M        M
 *  after:      |u.uuuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFum|
 */
static void raw_alloc_pages_slowpath_noretry_compacts_sync_light_after_reclaim(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "MUUUUUMM",
		"|mFuuuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 1, MODEL_GFP_KERNEL | MODEL_GFP_NORETRY, B);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 2);
	EXPECT_BEGIN(&log, 0, B, B + 56, false, true);
	EXPECT_BEGIN(&log, 1, B, B + 56, true, true);
	EXPECT_END(&log, 1, MODEL_COMPACT_SUCCESS_RES);
	EXPECT_PAGEBLOCKS(m, B, "UUUUUUMM");
	EXPECT_BLOCKS(m, B,
		"|u.uuuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFum|");
	model_free_all(m);
}

/* ==== migrate_fail_permille: migrations that fail (pinned pages) ==== */

/*
 * The model's stand-in for pages migrate_pages() cannot move: with
 * migrate_fail_permille 1000 every migration fails (pgmigrate_fail, the
 * target goes back to the isolated list through compaction_free(), the
 * source stays), so a compaction over the fragmented zone of
 * compact_zone_makes_a_free_pageblock moves nothing: 7 pages isolated in
 * turn (blocks 256..304), 7 failures, the scanners meet, and the isolated
 * free pages go back where they were. The failures are drawn from the seed
 * knob: the same seed gives the same model twice.
 */
static void migrate_fail_permille_fails_migrations_deterministically(void)
{
	static const char *frag =
		"|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|mFF.F...|";
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	d.knobs[MODEL_KNOB_MIGRATE_FAIL_PERMILLE] = 1000;
	struct model *m = SMALL_MODEL(&d, 8, &log, "MMMMMMMM", frag);
	if (!m)
		return;
	EXPECT_ALLOC(m, 3, GFP_MOV_NORETRY, MODEL_PFN_NONE);
	EXPECT_BLOCKS(m, B, frag);
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_FAIL, 7);
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 0);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 0);
	EXPECT_END(&log, 0, MODEL_COMPACT_PARTIAL_SKIPPED);
	model_free_all(m);

	/* half the migrations fail: same seed, same result */
	uint64_t hash[2];
	uint64_t moved[2];
	for (int k = 0; k < 2; k++) {
		desc_compact(&d);
		d.knobs[MODEL_KNOB_MIGRATE_FAIL_PERMILLE] = 500;
		d.knobs[MODEL_KNOB_SEED] = 12345;
		m = SMALL_MODEL(&d, 8, &log, "MMMMMMMM", frag);
		if (!m)
			return;
		for (int r = 0; r < 6; r++) {
			alloc_req(m, 3, GFP_MOV, __LINE__);
			alloc_req(m, 2, GFP_MOV_NORETRY, __LINE__);
			SET_TIME(m, (uint64_t)(r + 1) * SEC);
		}
		hash[k] = model_hash(m);
		moved[k] = model_counter(m, MODEL_PGMIGRATE_SUCCESS) << 32 |
			   model_counter(m, MODEL_PGMIGRATE_FAIL);
		CHECK(model_counter(m, MODEL_PGMIGRATE_FAIL) > 0 &&
		      model_counter(m, MODEL_PGMIGRATE_SUCCESS) > 0,
		      "success %" PRIu64 " fail %" PRIu64, model_counter(m, MODEL_PGMIGRATE_SUCCESS),
		      model_counter(m, MODEL_PGMIGRATE_FAIL));
		model_free_all(m);
	}
	CHECK(hash[0] == hash[1] && moved[0] == moved[1], "same seed, different models");
}

/* ==== proactive compaction: fragmentation_score_node(), kcompactd() ==== */

/* a pageblock of alternating pages from @pfn: movable (or unmovable) at even
 * pfns, free at odd ones, for @pairs pairs; allocated (same mobility) after */
static void seed_alternating(struct model *m, uint64_t pfn, int mobility, unsigned int pairs)
{
	CHECK(model_seed_pageblock(m, pfn, M) == 0);
	for (unsigned int i = 0; i < PB9 / 2; i++) {
		CHECK(model_seed_alloc(m, pfn + 2 * i, 0, (enum model_mt)mobility) == 0);
		if (i < pairs)
			CHECK(model_seed_free(m, pfn + 2 * i + 1, 0, M) == 0);
		else
			CHECK(model_seed_alloc(m, pfn + 2 * i + 1, 0, (enum model_mt)mobility) == 0);
	}
}

/* extfrag_for_order(zone, 9): 0..100 */
static unsigned int extfrag9(const struct model *m, unsigned int zone)
{
	struct model_zone_info zi = zinfo(m, zone);
	uint64_t free_pages = 0, suitable = 0;

	for (unsigned int o = 0; o <= 10; o++)
		for (int mt = 0; mt < MODEL_NR_MT; mt++) {
			free_pages += zi.nr_free[o][mt] << o;
			if (o >= 9)
				suitable += zi.nr_free[o][mt] << (o - 9);
		}
	return free_pages ? (unsigned int)((free_pages - (suitable << 9)) * 100 / free_pages) : 0;
}

/* fragmentation_score_node() of a one-zone node: present * score / (present + 1) */
static unsigned int node_score(const struct model *m)
{
	struct model_zone_info zi = zinfo(m, 0);
	uint64_t present = zi.end_pfn - zi.start_pfn;

	return (unsigned int)(present * extfrag9(m, 0) / (present + 1));
}

/*
 * A node of one 32-pageblock zone (64 MiB):
 *   blocks 0..7    an allocated order-9 movable block each (pageblock_skip_
 *                  persistent: no source, nothing to isolate as a target)
 *   blocks 8..30   alternating movable/free pages (@free_pairs pairs in all;
 *                  the last partial block's tail allocated)
 *   block 31       free (order 9)
 * extfrag_for_order(9) = free_pairs * 100 / (free_pairs + 512).
 */
static struct model *proactive_model(struct model_desc *d, struct evlog *log, int mobility,
				     unsigned int free_pairs)
{
	struct model *m = model9(d, 32, true, log);

	if (!m)
		return NULL;
	for (int b = 0; b < 8; b++) {
		CHECK(model_seed_pageblock(m, B9 + (uint64_t)b * PB9, M) == 0);
		CHECK(model_seed_alloc(m, B9 + (uint64_t)b * PB9, 9, M) == 0);
	}
	for (int b = 8; b < 31; b++) {
		unsigned int pairs = free_pairs > PB9 / 2 ? PB9 / 2 : free_pairs;

		seed_alternating(m, B9 + (uint64_t)b * PB9, mobility, pairs);
		free_pairs -= pairs;
	}
	CHECK(model_seed_pageblock(m, B9 + 31 * PB9, M) == 0);
	CHECK(model_seed_free(m, B9 + 31 * PB9, 9, M) == 0);
	CHECK(model_seed_done(m) == 0);
	model_ok(m, __LINE__);
	if (log)
		log->n = 0;
	return m;
}

/*
 * kcompactd(): every HPAGE_FRAG_CHECK_INTERVAL_MSEC (500 ms) without a
 * wakeup, should_proactive_compact_node(): proactiveness 20 gives
 * fragmentation_score_wmark() low 80, high 90, and compaction starts only
 * when the node's score (zone scores weighted by present pages, over
 * node_present_pages + 1) is above 90. compact_node(pgdat, true) then runs
 * compact_zone() on each zone, SYNC_LIGHT over the whole zone ignoring skip
 * hints, and __compact_finished() stops it as soon as the zone's own score
 * is at most 80 (checked at every step, aligned or not).
 *
 *  5887 free pairs: extfrag 91, node score 16384 * 91 / 16385 = 90: never
 *  5888 free pairs: extfrag 92, score 91: at 512 ms the run starts. Pages
 *    of block 8 move, 32 at a time, into the free pages of block 30 (the
 *    free scanner passes block 31: a free block of pageblock order is no
 *    target), then block 9's into block 29: after 16 batches (512 pages)
 *    blocks 8 and 9 merge into an order-10 block, and extfrag is
 *    (6400 - 3 * 512) * 100 / 6400 = 76 <= 80: COMPACT_SUCCESS. Score 75;
 *    no further run.
 *  5888 free pairs, all unmovable: the run migrates nothing, the score
 *    does not go down, and kcompactd waits 512 ms << COMPACT_MAX_DEFER_SHIFT
 *    = 32.8 s before the next check.
 */
static void proactive_compaction_starts_above_high_stops_at_low(void)
{
	struct model_desc d;
	static struct evlog log;

	/* just below the high mark */
	struct model *m = proactive_model(&d, &log, M, 5887);
	if (!m)
		return;
	CHECK(extfrag9(m, 0) == 91 && node_score(m) == 90, "extfrag %u score %u", extfrag9(m, 0),
	      node_score(m));
	for (uint64_t t = 0; t <= 10 * KT; t += KT)
		SET_TIME(m, t);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 0);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 0);
	model_free_all(m);

	/* just above */
	m = proactive_model(&d, &log, M, 5888);
	if (!m)
		return;
	CHECK(extfrag9(m, 0) == 92 && node_score(m) == 91, "extfrag %u score %u", extfrag9(m, 0),
	      node_score(m));
	SET_TIME(m, 0);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 0);
	SET_TIME(m, KT);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 1);
	EXPECT_BEGIN(&log, 0, B9, B9 + 31 * PB9, true, false);
	EXPECT_END(&log, 0, MODEL_COMPACT_SUCCESS_RES);
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 512);
	EXPECT_COUNTER(m, MODEL_COMPACT_DAEMON_WAKE, 0);
	CHECK(extfrag9(m, 0) == 76 && node_score(m) == 75, "extfrag %u score %u", extfrag9(m, 0),
	      node_score(m));
	EXPECT_PAGE(m, B9 + 8 * PB9, MODEL_PAGE_FREE, 10, M);
	EXPECT_PAGE(m, B9 + 31 * PB9, MODEL_PAGE_FREE, 9, M);
	for (uint64_t p = B9 + 29 * PB9; p < B9 + 31 * PB9; p++) {
		struct model_page_info pi;
		if (model_page_info(m, p, &pi) || pi.state != MODEL_PAGE_ALLOC) {
			CHECK(false, "pfn %" PRIu64 " of blocks 29, 30 not filled", p);
			break;
		}
	}
	for (uint64_t t = 2 * KT; t <= 10 * KT; t += KT)
		SET_TIME(m, t);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
	model_free_all(m);

	/* above, but nothing can move: back off 64 times */
	m = proactive_model(&d, &log, U, 5888);
	if (!m)
		return;
	SET_TIME(m, 0);
	SET_TIME(m, KT);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
	EXPECT_END(&log, 0, MODEL_COMPACT_COMPLETE);
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 0);
	CHECK(node_score(m) == 91);
	for (uint64_t t = 2 * KT; t < KT + (KT << 6); t += KT)
		SET_TIME(m, t);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
	SET_TIME(m, KT + (KT << 6));
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 2);
	model_free_all(m);
}

/*
 * The compact_memory sysctl (and a node's compact file): compact_node(pgdat,
 * false) runs compact_zone() with order -1, MIGRATE_SYNC, the whole zone,
 * skip hints ignored and proactive_compaction false, so __compact_finished()
 * has no score to stop at and goes on until the scanners meet.
 * On proactive_model(5888), where a proactive pass stops at extfrag 76 after
 * 512 pages, it moves every movable page the free scanner finds room for;
 * on proactive_model(5887), whose score a proactive check never acts on, it
 * runs all the same. Each zone run counts MODEL_COMPACT_MANUAL, none the
 * proactive or direct counters.
 */
static void compact_memory_runs_until_the_scanners_meet(void)
{
	for (unsigned int pairs = 5887; pairs <= 5888; pairs++) {
		struct model_desc d;
		/* no event log: the run migrates more than it holds */
		struct model *m = proactive_model(&d, NULL, M, pairs);
		if (!m)
			return;
		CHECK(model_compact_memory(m, 1) == -EINVAL);
		CHECK(model_compact_memory(m, 0) == 0);
		EXPECT_COUNTER(m, MODEL_COMPACT_MANUAL, 1);
		EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 0);
		EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 0);
		CHECK(model_counter(m, MODEL_PGMIGRATE_SUCCESS) > 512 && extfrag9(m, 0) < 76,
		      "%u pairs: %" PRIu64 " migrated, extfrag %u: stopped at a score", pairs,
		      model_counter(m, MODEL_PGMIGRATE_SUCCESS), extfrag9(m, 0));
		model_ok(m, __LINE__);
		model_free_all(m);
	}
}

/*
 * kcompactd()'s proactive pass runs beside the workload (compact_node(pgdat,
 * true) takes trace time: kcompactd_ns_per_page, here 1 ms, per page
 * migrated), and __compact_finished()'s proactive rule reads the zone's
 * score anew at every step. kcompactd() compares the node's score with
 * prev_score when compact_node() returns: score >= prev_score backs off to
 * 500 ms << COMPACT_MAX_DEFER_SHIFT.
 *
 *  proactive_model(5888), score 91:
 *  0.512 s  the pass starts; its first step moves 32 pages of block 8, the
 *           next (0.544 s) the other 224 (finish_pageblock: the same
 *           pageblock again), then block 9 the same way (0.768, 0.8 s)
 *  1.0 s    512 pages moved, blocks 8 and 9 free (an order-10 block),
 *           extfrag 76; the step that reads it is due at 1.024 s
 *  1.1 s    COMPACT_SUCCESS; score 75 < 91: next check 1.024 + 0.512 s
 *  1.6 s    one order-10 and one order-9 movable allocation took the free
 *           blocks at 1.1 s: score 99 > 90, a second pass
 *  With passes that take no time (0) all 512 pages move at 0.512 s.
 */
static void proactive_compaction_steps_with_the_trace_clock(void)
{
	for (long ns = 0; ns <= 1000000; ns += 1000000) {
		struct model_desc d;
		static struct evlog log;

		next_ns_per_page9 = ns;
		struct model *m = proactive_model(&d, &log, M, 5888);
		next_ns_per_page9 = 0;
		if (!m)
			return;
		SET_TIME(m, 0);
		SET_TIME(m, KT);
		EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
		CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 1);
		if (!ns) {
			EXPECT_END(&log, 0, MODEL_COMPACT_SUCCESS_RES);
			EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 512);
			model_free_all(m);
			continue;
		}
		EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 32);
		CHECK(nr_events(&log, MODEL_EV_COMPACT_END) == 0);
		model_ok(m, __LINE__);
		SET_TIME(m, 1000 * MS);
		EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 512);
		CHECK(nr_events(&log, MODEL_EV_COMPACT_END) == 0);
		CHECK(extfrag9(m, 0) == 76, "extfrag %u", extfrag9(m, 0));
		SET_TIME(m, 1100 * MS);
		EXPECT_END(&log, 0, MODEL_COMPACT_SUCCESS_RES);
		EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 512);
		CHECK(node_score(m) == 75, "score %u", node_score(m));
		struct model_req q10 = { .order = 10, .gfp = GFP_MOV }, q9 = { .order = 9, .gfp = GFP_MOV };
		CHECK(model_alloc(m, &q10) != MODEL_PFN_NONE && model_alloc(m, &q9) != MODEL_PFN_NONE);
		CHECK(node_score(m) == 99, "score %u", node_score(m));
		SET_TIME(m, 1500 * MS);
		EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
		SET_TIME(m, 1600 * MS);
		EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 2);
		model_ok(m, __LINE__);
		model_free_all(m);
	}
}

/*
 * __compact_finished(), proactive: the zone's score is read at every step,
 * so what the workload does while the pass runs can end it. The step at
 * 0.512 s moves 32 pages of block 8, the one at 0.544 s the other 224
 * (finish_pageblock: the same pageblock again), due until 0.768 s. At 0.6 s
 * block 8 is free (extfrag (6400 - 2 * 512) * 100 / 6400 = 84) and the
 * workload frees every allocated page of blocks 10 and 11, which merge into
 * an order-10 block: extfrag (6912 - 4 * 512) * 100 / 6912 = 70 <= 80, and
 * the step due at 0.768 s ends the pass, COMPACT_SUCCESS, 256 pages moved
 * where a pass that read the score only at its start moves 512.
 */
static void proactive_compaction_rereads_the_score_the_workload_changes(void)
{
	struct model_desc d;
	static struct evlog log;

	next_ns_per_page9 = 1000000;
	struct model *m = proactive_model(&d, &log, M, 5888);
	next_ns_per_page9 = 0;
	if (!m)
		return;
	SET_TIME(m, 0);
	SET_TIME(m, KT);
	SET_TIME(m, 600 * MS);
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 256);
	EXPECT_PAGE(m, B9 + 8 * PB9, MODEL_PAGE_FREE, 9, M);
	CHECK(extfrag9(m, 0) == 84, "extfrag %u", extfrag9(m, 0));
	for (uint64_t p = B9 + 10 * PB9; p < B9 + 12 * PB9; p += 2)
		CHECK(model_free(m, p, 0, 0) == 0, "free %" PRIu64, p);
	model_drain_all(m);
	EXPECT_PAGE(m, B9 + 10 * PB9, MODEL_PAGE_FREE, 10, M);
	CHECK(extfrag9(m, 0) == 70, "extfrag %u", extfrag9(m, 0));
	SET_TIME(m, 700 * MS);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_END) == 0);
	SET_TIME(m, 800 * MS);
	EXPECT_END(&log, 0, MODEL_COMPACT_SUCCESS_RES);
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 256);
	for (uint64_t t = 900 * MS; t <= 2 * SEC; t += 100 * MS)
		SET_TIME(m, t);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 256);
	model_ok(m, __LINE__);
	model_free_all(m);
}

/*
 * compact_zone()'s COMPACT_CONTENDED from migrate_pages()' -ENOMEM (a large
 * folio neither migrated nor split), which only the trace can tell: at
 * 0.52 s the kernel's pass ended contended (model_kcompactd_contended()),
 * and so does the model's zone run, there: the 32 pages of its first step
 * moved, the free pages it held back on the lists. The node's score is
 * then no lower (91 >= 91): kcompactd() backs off 512 ms << 6 = 32.8 s,
 * from 0.52 s. Told while no pass runs, it changes nothing.
 */
static void proactive_compaction_ends_contended_where_the_kernel_did(void)
{
	struct model_desc d;
	static struct evlog log;

	next_ns_per_page9 = 1000000;
	struct model *m = proactive_model(&d, &log, M, 5888);
	next_ns_per_page9 = 0;
	if (!m)
		return;
	SET_TIME(m, 0);
	model_kcompactd_contended(m, 0);
	CHECK(nr_all(&log) == 0, "%d events with no pass", nr_all(&log));
	SET_TIME(m, KT);
	SET_TIME(m, 520 * MS);
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 32);
	model_kcompactd_contended(m, 0);
	EXPECT_END(&log, 0, MODEL_COMPACT_CONTENDED);
	CHECK(zinfo(m, 0).compact_isolated == 0, "%ld isolated", zinfo(m, 0).compact_isolated);
	CHECK(node_score(m) == 91, "score %u", node_score(m));
	model_ok(m, __LINE__);
	for (uint64_t t = 600 * MS; t < 520 * MS + (KT << 6); t += KT)
		SET_TIME(m, t);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 32);
	SET_TIME(m, 520 * MS + (KT << 6));
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 2);
	model_free_all(m);
}

/* the proactive passes go from @n to @n + 1 at @at, not before */
static void expect_pass_at(struct model *m, uint64_t at, uint64_t n, int line)
{
	set_time(m, at - 1, line);
	expect_counter(m, MODEL_COMPACT_PROACTIVE, n, line);
	set_time(m, at, line);
	expect_counter(m, MODEL_COMPACT_PROACTIVE, n + 1, line);
}
#define EXPECT_PASS_AT(m, at, n) expect_pass_at(m, at, n, __LINE__)

/* proactive_model(@mobility, 5888) on the clock from 0, told at @at of the
 * trace's first kcompactd sleep; NULL if it cannot be built */
static struct model *first_sleep_at(struct model_desc *d, struct evlog *log, int mobility,
				    uint64_t at, int line)
{
	struct model *m = proactive_model(d, log, mobility, 5888);

	if (!m)
		return NULL;
	set_time(m, 0, line);
	set_time(m, at, line);
	model_kcompactd_slept(m, true);
	return m;
}
#define FIRST_SLEEP_AT(d, log, mobility, at) first_sleep_at(d, log, mobility, at, __LINE__)

/*
 * kcompactd()'s timer has a phase no snapshot holds: the model's starts at
 * the trace's first event, the kernel's at its last sleep. The replay hands
 * over the trace's first mm_compaction_kcompactd_sleep (model_kcompactd_
 * slept()): the timeout runs from there. proactive_model(5888), score 91:
 * told at 0.3 s, the check due at 0.512 s moves to 0.812 s. Not while
 * kcompactd has a wakeup to serve or a pass under way.
 */
static void kcompactd_timer_starts_at_the_kernels_sleep(void)
{
	struct model_desc d;
	static struct evlog log;
	struct model *m = FIRST_SLEEP_AT(&d, &log, M, 300 * MS);

	if (!m)
		return;
	SET_TIME(m, KT);
	EXPECT_PASS_AT(m, 300 * MS + KT, 0);
	model_free_all(m);

	next_ns_per_page9 = 1000000; /* a pass under way: its own end sets the timer */
	m = proactive_model(&d, &log, M, 5888);
	next_ns_per_page9 = 0;
	if (!m)
		return;
	SET_TIME(m, 0);
	SET_TIME(m, KT);
	SET_TIME(m, 600 * MS);
	model_kcompactd_slept(m, true);
	SET_TIME(m, 1100 * MS); /* ended at 1.024 s, score 75 < 91 */
	SET_TIME(m, 1024 * MS + KT - 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
	struct model_req q10 = { .order = 10, .gfp = GFP_MOV }, q9 = { .order = 9, .gfp = GFP_MOV };
	CHECK(model_alloc(m, &q10) != MODEL_PFN_NONE && model_alloc(m, &q9) != MODEL_PFN_NONE);
	SET_TIME(m, 1024 * MS + KT);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 2);
	model_free_all(m);
}

/*
 * kcompactd() traces mm_compaction_kcompactd_sleep as each wait begins, and
 * a wait lasts the timeout plus whatever time the scheduler keeps kcompactd
 * waiting for a CPU: every sleep of the kernel's sets the model's phase
 * (model_kcompactd_slept()), not only the first. While the model's
 * kcompactd is idle at the default timeout, a check due 256 ms or more
 * after the sleep moves to 512 ms after it, and one due sooner is the
 * check the kernel just made, so it runs at the sleep; after a pass that did not
 * lower the score (timeout 512 ms << 6) the model keeps its own backoff.
 * proactive_model(5888): score 91, a check starts a pass.
 */
static void kcompactd_follows_every_sleep_of_the_kernels(void)
{
	struct model_desc d;
	static struct evlog log;
	struct model *m = FIRST_SLEEP_AT(&d, &log, M, 100 * MS); /* check due at 612 ms */

	if (!m)
		return;
	SET_TIME(m, 300 * MS);
	model_kcompactd_slept(m, false); /* 312 ms before it: moves to 812 ms */
	EXPECT_PASS_AT(m, 300 * MS + KT, 0);
	model_free_all(m);

	m = FIRST_SLEEP_AT(&d, &log, M, 0); /* check due at 512 ms */
	if (!m)
		return;
	SET_TIME(m, 400 * MS);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 0);
	model_kcompactd_slept(m, false); /* 112 ms before it: the kernel's check, now */
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
	model_free_all(m);

	m = FIRST_SLEEP_AT(&d, &log, U, 0); /* nothing moves: backed off */
	if (!m)
		return;
	SET_TIME(m, KT);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
	SET_TIME(m, 2 * KT);
	model_kcompactd_slept(m, false); /* neither moves nor runs the check */
	SET_TIME(m, KT + (KT << 6) - 100 * MS);
	model_kcompactd_slept(m, false);
	EXPECT_PASS_AT(m, KT + (KT << 6), 1);
	model_free_all(m);
}

/*
 * kcompactd()'s timeout ends late by however long the timer wheel rounds
 * it up and the scheduler keeps kcompactd waiting, which no sleep event
 * says: the trace's mm_compaction_finished of order -1 in the node's first
 * zone says the kernel's timed out now and began compact_node(pgdat, true)
 * (model_kcompactd_pass_began()). While the model's kcompactd is idle at the
 * default timeout, its check due within 256 ms runs then (here 12 ms early:
 * the pass begins with the kernel's); one due later keeps its time; after a
 * pass that did not lower the score the model keeps its own backoff.
 * proactive_model(5888), score 91: a check starts a pass.
 */
static void kcompactd_check_runs_when_the_kernels_pass_begins(void)
{
	struct model_desc d;
	static struct evlog log;
	struct model *m = FIRST_SLEEP_AT(&d, &log, M, 0); /* check due at 512 ms */

	if (!m)
		return;
	SET_TIME(m, 500 * MS);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 0);
	model_kcompactd_pass_began(m);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
	model_free_all(m);

	m = FIRST_SLEEP_AT(&d, &log, M, 0);
	if (!m)
		return;
	SET_TIME(m, 200 * MS);
	model_kcompactd_pass_began(m); /* 312 ms before the model's check: not its */
	EXPECT_PASS_AT(m, KT, 0);
	model_free_all(m);

	m = FIRST_SLEEP_AT(&d, &log, U, 0); /* backed off after its pass */
	if (!m)
		return;
	SET_TIME(m, KT);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
	SET_TIME(m, 2 * KT);
	model_kcompactd_pass_began(m);
	EXPECT_PASS_AT(m, KT + (KT << 6), 1);
	model_free_all(m);
}

/*
 * fast_find_migrateblock() (mm/compaction.c, 6.18): a THP's compaction (order
 * 9 > PAGE_ALLOC_COSTLY_ORDER, a movable request) that reads the skip hints
 * starts its migrate scanner at a pageblock that already holds free pages,
 * the first found on the MOVABLE free lists of orders 8 down to 3 below
 * high_pfn (half the way from the zone's start to the free scanner, block
 * 3 here): block 2, whose one movable page moves out and whose pageblock
 * the request then captures, not block 0. The block found goes to its list's
 * tail. With block 2's hint set the search passes it, finds nothing else
 * (the other blocks' free pages are order 0) and the scanner goes on
 * linearly from block 0.
 *
 *   pageblocks  M M M M M M M M   2: seed_one_movable(); the others
 *                                 alternating movable and free pages
 */
static void fast_find_migrateblock_starts_at_a_block_with_free_pages(void)
{
	for (int hint = 0; hint <= 1; hint++) {
		struct model_desc d;
		static struct evlog log;
		struct model *m = model9(&d, 8, true, &log);
		const uint64_t b2 = B9 + 2 * PB9;

		if (!m)
			return;
		for (uint64_t b = 0; b < 8; b++) {
			if (b == 2)
				seed_one_movable(m, b2);
			else
				seed_alternating(m, B9 + b * PB9, M, PB9 / 2);
		}
		CHECK(model_seed_done(m) == 0);
		if (hint)
			CHECK(model_set_pageblock_skip(m, b2, true) == 0);
		model_ok(m, __LINE__);
		log.n = 0;

		struct model_req r = { .order = 9, .gfp = GFP_MOV };
		uint64_t pfn = model_alloc(m, &r);
		model_ok(m, __LINE__);
		const struct model_event *e = event(&log, MODEL_EV_MIGRATE, 0);
		CHECK(e, "hint %d: nothing migrated", hint);
		if (!e) {
			model_free_all(m);
			return;
		}
		if (!hint) {
			CHECK(e->pfn == b2, "first migration from %" PRIu64 ", expected %" PRIu64,
			      e->pfn, b2);
			CHECK(pfn == b2, "served %" PRIu64 ", expected %" PRIu64, pfn, b2);
		} else {
			CHECK(e->pfn < B9 + PB9, "hint set: first migration from %" PRIu64
			      ", expected pageblock 0", e->pfn);
		}
		model_free_all(m);
	}
}

/* ==== migrate_pages(): the order of cc->migratepages ==== */

/*
 * kswapd_is_running() (mm/compaction.c): should_proactive_compact_node()
 * does not start proactive compaction, and __compact_finished() stops it,
 * while kswapd runs. kswapd runs from a wakeup_kswapd() that finds no zone
 * at its high watermark (pgdat_balanced()) until frees balance the node
 * (reclaim is not modelled: the trace's frees). proactive_model(5888), score
 * 91, would compact at 512 ms; with watermarks min 6000, low 6500, high 7000
 * and 6410 free pages (10 frees) an order-0 request misses the low mark and
 * its slow path wakes kswapd: no proactive run at the check the first
 * event after 512 ms (1 s) makes. 700 order-0 frees (every other allocated
 * page of blocks 8.., so nothing merges past order 1: still score 91)
 * balance the node: kswapd sleeps, and at the next check (1.512 s) the
 * proactive run starts.
 */
static void proactive_compaction_waits_while_kswapd_runs(void)
{
	struct model_desc d;
	static struct evlog log;

	next_wmark9[0] = 6000, next_wmark9[1] = 6500, next_wmark9[2] = 7000;
	struct model *m = proactive_model(&d, &log, M, 5888);
	memset(next_wmark9, 0, sizeof(next_wmark9));
	if (!m)
		return;
	SET_TIME(m, 0);
	/* every other allocated page of blocks 8.. : each free merges to order 1, no further */
	uint64_t b = 8, i = 0;
#define FREE_SOME(n)                                                                   \
	for (unsigned int k_ = 0; k_ < (n); k_++, i++) {                               \
		if (i == PB9 / 4)                                                      \
			i = 0, b++;                                                    \
		CHECK(model_free(m, B9 + b * PB9 + 4 * i, 0, 0) == 0);                 \
	}
	FREE_SOME(10); /* 6410 free pages: a margin over the score's rounding */
	struct model_req q = { .order = 0, .gfp = GFP_MOV };
	CHECK(model_alloc(m, &q) != MODEL_PFN_NONE);
	EXPECT_COUNTER(m, MODEL_ALLOC_SLOWPATH, 1);
	CHECK(node_score(m) == 91, "score %u", node_score(m));
	SET_TIME(m, 500 * MS);
	SET_TIME(m, 1000 * MS);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 0);
	FREE_SOME(700);
#undef FREE_SOME
	CHECK(node_score(m) == 91, "score %u", node_score(m));
	SET_TIME(m, 1200 * MS);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 0);
	SET_TIME(m, 1000 * MS + KT);
	EXPECT_COUNTER(m, MODEL_COMPACT_PROACTIVE, 1);
	model_free_all(m);
}

/*
 * isolate_migratepages_block() puts each isolated folio at the head of
 * cc->migratepages (list_add), and migrate_pages() -> migrate_pages_batch()
 * takes the list from its head, calling compaction_alloc() for every folio
 * before moving any (the unmap pass). So the last page isolated is the first
 * to get a target, and compaction_alloc() hands out cc->freepages[order]
 * from its head, in isolation order: here 319 (fast_isolate_freepages) then
 * 313 (fast_isolate_around). 257 -> 319 first, then 256 -> 313.
 *
 *  pageblocks   M        U        U        U        U        U        M        M
 *  before:     |mmu.u...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFuFuFuF|uFuFuFuF|
 *  order-3 movable: fails (256 is blocked by unmovable pages)
 *  after:      |F.u.u...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFuFuFuF|umuFuFum|
 */
static void migrate_pages_takes_the_last_isolated_first(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "MUUUUUMM",
		"|mmu.u...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFuFuFuF|uFuFuFuF|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 3, GFP_MOV_NORETRY, MODEL_PFN_NONE);
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 2);
	EXPECT_MIGRATE(&log, 0, B + 1, B + 63);
	EXPECT_MIGRATE(&log, 1, B, B + 57);
	EXPECT_BLOCKS(m, B,
		"|F.u.u...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFuFuFuF|umuFuFum|");
	model_free_all(m);
}

/*
 * migrate_pages_batch(): a large folio that gets no target of its order
 * (compaction_alloc() returns NULL: -ENOMEM) is split by try_split_folio()
 * and its base pages migrate on (compaction never sets nosplit). The
 * drawing above with an order-1 folio at 256: the free scanner has order-0
 * targets only. With migrate_split=1 the folio splits (MODEL_EV_SPLIT) and
 * 256 -> 319, 257 -> 313, head page first; with migrate_split=0 migration
 * stops at -ENOMEM and nothing moves. The split is the default, as in the
 * kernel (its traces show it: large_folio_split in mm_migrate_pages with
 * reason=compaction, 1,409 on slab-pagecache-interleave).
 */
static void migrate_pages_splits_a_large_folio_without_a_target(void)
{
	for (long split = 0; split <= 1; split++) {
		struct model_desc d;
		static struct evlog log;

		desc_compact(&d);
		CHECK(d.knobs[MODEL_KNOB_MIGRATE_SPLIT] == 1, "migrate_split defaults to %ld",
		      d.knobs[MODEL_KNOB_MIGRATE_SPLIT]);
		d.knobs[MODEL_KNOB_MIGRATE_SPLIT] = split;
		struct model *m = SMALL_MODEL(&d, 8, &log, "MUUUUUMM",
			"|m.u.u...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFuFuFuF|uFuFuFuF|");
		if (!m)
			return;
		EXPECT_ALLOC(m, 3, GFP_MOV_NORETRY, MODEL_PFN_NONE);
		if (split) {
			CHECK(nr_events(&log, MODEL_EV_SPLIT) == 1 && nr_events(&log, MODEL_EV_MIGRATE) == 2);
			EXPECT_MIGRATE(&log, 0, B, B + 63);
			EXPECT_MIGRATE(&log, 1, B + 1, B + 57);
			CHECK(model_counter(m, MODEL_MIGRATE_SPLIT) == 1);
			EXPECT_BLOCKS(m, B,
				"|F.u.u...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFuFuFuF|umuFuFum|");
		} else {
			CHECK(nr_events(&log, MODEL_EV_SPLIT) == 0 && nr_events(&log, MODEL_EV_MIGRATE) == 0);
			EXPECT_BLOCKS(m, B,
				"|m.u.u...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFu.F...|uFuFuFuF|uFuFuFuF|");
		}
		model_free_all(m);
	}
}

/* ==== compact_zone(): finish_pageblock when last_migrated_pfn is 0 ==== */

/*
 * compact_zone() sets cc->finish_pageblock when
 * pageblock_start_pfn(last_migrated_pfn) == pageblock_start_pfn(iteration
 * start), and last_migrated_pfn starts at 0: in a zone that begins inside
 * pageblock 0 (the DMA zone of every x86 machine starts at pfn 1) the first
 * iteration finishes pageblock 0. isolate_migratepages_block() then, at the
 * block's end with pages isolated, still calls update_cached_migrate(): the
 * cached migrate pfn moves to pageblock_end_pfn(8) = 16. Here the request's
 * capture ends the run in block 0, and the next run starts at 16, not at 1.
 *
 *  zone [1, 64)
 *  pageblocks   M       U        U        U        U        U        M        M
 *  before:      umFu...|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|
 *  order-1 movable -> 2 (page 2 moves to 63, 2..3 captured)
 *  order-1 movable: compacts from migrate 16, free 48
 */
static void compact_zone_finish_pageblock_in_pageblock_0(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	add_zone_at(&d, MODEL_ZONE_DMA32, 1, 63);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 1, "MUUUUUMM",
	     "umFu...|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|");
	log.n = 0;
	EXPECT_ALLOC(m, 1, GFP_MOV_NORETRY, 2);
	EXPECT_BEGIN(&log, 0, 1, 56, true, true);
	EXPECT_MIGRATE(&log, 0, 2, 63);
	EXPECT_EVENT(&log, MODEL_EV_CAPTURE, 0, 2, 1, M);
	EXPECT_BLOCKS(m, 1,
		"um.u...|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFum|");
	alloc_req(m, 1, GFP_MOV_NORETRY, __LINE__);
	EXPECT_BEGIN(&log, 1, 16, 48, true, true);
	model_free_all(m);
}

/* ==== kcompactd_do_work(): one compact_control for every zone ==== */

/*
 * kcompactd_do_work() compacts the node's zones with one compact_control,
 * and compact_zone() sets cc->whole_zone but never clears it: once a zone's
 * run starts at or below its compact_init_migrate_pfn (0 until
 * __reset_isolation_suitable() sets it, so always for a zone at pfn 0),
 * every later zone of the same kcompactd run is compacted whole: scanners
 * from the zone's ends, and COMPLETE rather than PARTIAL_SKIPPED.
 *
 *  DMA32 at 0, Normal at 64; every pageblock U |uFuFuFuF|
 *  order-3 movable, no direct reclaim: fails, wakes kcompactd
 *  kcompactd: DMA32 from 0 (whole zone) -> COMPLETE; Normal -> COMPLETE
 *
 * (The kernel never initialises the cached positions: a zone's first run
 * takes 0 for them when 0 lies in the zone, so its DMA32 run would begin
 * with the free scanner at 0 and meet at once, where the model's, whose
 * positions model_new() reset, scans the zone; both end COMPLETE, and only
 * that is asserted. No x86 zone starts at pfn 0.)
 */
static void kcompactd_do_work_keeps_whole_zone_across_zones(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 64);
	add_zone(&d, MODEL_ZONE_NORMAL, 64);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 0, "UUUUUUUUUUUUUUUU",
	     "|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|"
	     "uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|");
	log.n = 0;
	EXPECT_ALLOC(m, 3, GFP_NOWAIT_MOV, MODEL_PFN_NONE);
	SET_TIME(m, 1 * SEC);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 2);
	EXPECT_END(&log, 0, MODEL_COMPACT_COMPLETE);
	EXPECT_BEGIN(&log, 1, 64, 120, true, false);
	EXPECT_END(&log, 1, MODEL_COMPACT_COMPLETE);
	model_free_all(m);
}

/* ==== isolate_migratepages_block(): LRU pages only, and when they are ==== */

/*
 * isolate_migratepages_block() takes PageLRU (or movable_ops) pages only.
 * The free scanner's isolated pages sit on cc->freepages, off the buddy
 * lists and never on the LRU: when the migrate scanner reaches their block
 * (fast_isolate_freepages() takes them anywhere in [min_pfn, free_pfn), so
 * it can), it passes them (isolate_fail). A page migrated earlier in the same
 * run is different: migrate_folio_move() puts the new folio on this CPU's
 * lru_add batch (folio_add_lru()), and compact_zone()'s check_drain calls
 * lru_add_drain_cpu_zone() as soon as the migrate scanner leaves the
 * cc->order-aligned block it migrated from, so by the time the scanner
 * reaches it the folio is PageLRU again and is taken like any other.
 *
 * Order-3 request: the page at 257 moves to 288 (the order-2 block at 288 is
 * the fast search's high_pfn candidate; its halves 289 and 290..291 stay
 * isolated); check_drain drains the batch; blocks 264..287 hold nothing; in
 * 288, 288 is an LRU page again: isolated, it moves to 289 (the head of
 * cc->freepages[0]); 289 and 290..291 (isolated free pages) are passed over;
 * 290..291 go back to the free lists when the run ends.
 *
 *  pageblocks   M        U        U        U        M        U        U        U
 *  before:     |umuuuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|F...uuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|
 *  order-3 movable: fails
 *  after:      |uFuuuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|FmF.uuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|
 */
static void isolate_migratepages_block_takes_lru_pages_only(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	struct model *m = SMALL_MODEL(&d, 8, &log, "MUUUMUUU",
		"|umuuuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|F...uuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|");
	if (!m)
		return;
	EXPECT_ALLOC(m, 3, GFP_MOV_NORETRY, MODEL_PFN_NONE);
	/* the isolated free pages 289, 290..291 are never taken as sources */
	for (int k = 0; k < nr_events(&log, MODEL_EV_MIGRATE); k++) {
		const struct model_event *e = event(&log, MODEL_EV_MIGRATE, k);
		CHECK(e->pfn != B + 33 && e->pfn != B + 34,
		      "migration #%d took the isolated free page %" PRIu64, k, e->pfn);
	}
	/* 288, migrated into and drained back to the LRU, is taken again */
	CHECK(nr_events(&log, MODEL_EV_MIGRATE) == 2, "%d migrations",
	      nr_events(&log, MODEL_EV_MIGRATE));
	EXPECT_MIGRATE(&log, 0, B + 1, B + 32);
	EXPECT_MIGRATE(&log, 1, B + 32, B + 33);
	EXPECT_END(&log, 0, MODEL_COMPACT_PARTIAL_SKIPPED);
	EXPECT_BLOCKS(m, B,
		"|uFuuuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|FmF.uuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|");
	model_free_all(m);
}

/* ==== isolate_migratepages_block(): GFP_NOFS takes anonymous pages only ==== */

/*
 * isolate_migratepages_block(), 6.18: "Only allow to migrate anonymous
 * pages in GFP_NOFS context because those do not depend on fs locks":
 * without __GFP_FS in cc->gfp_mask a folio with a mapping is passed
 * (isolate_fail_put). The model knows a block's mapping from its request:
 * a movable request without __GFP_ZERO that is no THP fault is the page
 * cache's (req_has_mapping()); the drawn blocks are anonymous.
 *
 * Two page-cache pages take the MOVABLE order-0 free pages 1 and 3; 0 and 2
 * are anonymous. An order-3 movable request then compacts (SYNC_LIGHT):
 * with __GFP_FS every page of block 0 moves; without it, only 0 and 2.
 *
 *  pageblocks   M        U        U        U        M        U        U        U
 *  before:     |mFmFuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|F...uuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|
 *  page cache at 1 and 3, then an order-3 movable request
 */
static void isolate_migratepages_block_nofs_takes_anonymous_pages_only(void)
{
	static const char *before =
		"|mFmFuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|F...uuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|";
	const uint32_t pagecache = MODEL_GFP_HIGHUSER_MOVABLE;

	for (int fs = 0; fs <= 1; fs++) {
		struct model_desc d;
		static struct evlog log;
		bool moved[4] = { false };

		desc_compact(&d);
		struct model *m = SMALL_MODEL(&d, 8, &log, "MUUUMUUU", before);
		if (!m)
			return;
		EXPECT_ALLOC(m, 0, pagecache, B + 1);
		EXPECT_ALLOC(m, 0, pagecache, B + 3);
		log.n = 0;
		uint32_t gfp = GFP_MOV_NORETRY & ~(fs ? 0 : MODEL_GFP_FS);
		EXPECT_ALLOC(m, 3, gfp, MODEL_PFN_NONE);
		CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 1, "fs=%d: %d compactions", fs,
		      nr_events(&log, MODEL_EV_COMPACT_BEGIN));
		for (int k = 0; k < nr_events(&log, MODEL_EV_MIGRATE); k++) {
			const struct model_event *e = event(&log, MODEL_EV_MIGRATE, k);
			if (e->pfn >= B && e->pfn < B + 4)
				moved[e->pfn - B] = true;
		}
		CHECK(moved[0] && moved[2], "fs=%d: the anonymous pages stayed", fs);
		CHECK(moved[1] == (fs == 1) && moved[3] == (fs == 1),
		      "fs=%d: page cache at 1 %s, at 3 %s", fs, moved[1] ? "moved" : "stayed",
		      moved[3] ? "moved" : "stayed");
		model_free_all(m);
	}
}

/* ==== fast_isolate_freepages(): freelist_scan_limit() after many failures ==== */

/*
 * freelist_scan_limit() is (COMPACT_CLUSTER_MAX >> min(BITS_PER_LONG - 1,
 * cc->fast_search_fail)) + 1, COMPACT_CLUSTER_MAX being SWAP_CLUSTER_MAX,
 * 32UL: defined for any failure count (0 from 6 failures on). kcompactd
 * never drops its free scanner to min_pfn after a failed search (that is
 * for direct compaction), so one run can fail 32 searches and more. Here
 * each batch (the 4 movable pages of one "umumumum" block) starts with a
 * fast search that reads 4 entries from the tail of the order-0 MOVABLE
 * list, all of them low free pages (seeded last, below min_pfn), and
 * rotates them to the head; the linear scan then takes 4 targets from the
 * top, one block per batch. No free block of order 1 ever forms (every free
 * page's buddy is unmovable), so nothing stops the run early. 34 batches
 * move 136 pages; for the 35th (block 74) the free scanner is down to block
 * 75, which is the migrate scanner's (its low bound is pageblock_end_pfn()
 * of cc->migrate_pfn, the start of block 75): no target, -ENOMEM with the
 * scanners met, PARTIAL_SKIPPED. 35 failed searches in one run.
 *
 *  blocks 0..39     M |uFuFuFuF|  low free pages (on the list's tail)
 *  blocks 40..74    M |umumumum|  sources
 *  blocks 75..109   M |uFuFuFuF|  targets (on the list's head)
 *  order-1 movable, no direct reclaim: fails, wakes kcompactd at order 1
 *  kcompactd: 136 pages from blocks 40..73 to blocks 76..109
 */
static void fast_isolate_freepages_scan_limit_after_32_failures(void)
{
	struct model_desc d;
	static struct evlog log;

	desc_compact(&d);
	add_zone_at(&d, MODEL_ZONE_DMA32, B, 110 * PB);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	for (int b = 0; b < 110; b++) {
		uint64_t p = B + (uint64_t)b * PB;
		CHECK(model_seed_pageblock(m, p, M) == 0);
		for (int k = 0; k < PB; k += 2) {
			CHECK(model_seed_alloc(m, p + k, 0, U) == 0);
			if (b >= 40 && b < 75)
				CHECK(model_seed_alloc(m, p + k + 1, 0, M) == 0);
		}
	}
	for (int b = 75; b < 110; b++) /* the targets first: the list's head */
		for (int k = 1; k < PB; k += 2)
			CHECK(model_seed_free(m, B + (uint64_t)b * PB + k, 0, M) == 0);
	for (int b = 0; b < 40; b++)
		for (int k = 1; k < PB; k += 2)
			CHECK(model_seed_free(m, B + (uint64_t)b * PB + k, 0, M) == 0);
	CHECK(model_seed_done(m) == 0);
	model_ok(m, __LINE__);
	log.n = 0;

	EXPECT_ALLOC(m, 1, GFP_NOWAIT_MOV, MODEL_PFN_NONE);
	SET_TIME(m, 1 * SEC);
	CHECK(nr_events(&log, MODEL_EV_COMPACT_BEGIN) == 1);
	EXPECT_BEGIN(&log, 0, B, B + 109 * PB, true, false);
	EXPECT_END(&log, 0, MODEL_COMPACT_PARTIAL_SKIPPED);
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_SUCCESS, 136);
	EXPECT_COUNTER(m, MODEL_PGMIGRATE_FAIL, 1);
	for (int b = 40; b < 110; b++) {
		uint64_t p = B + (uint64_t)b * PB;
		char want[] = "|uFuFuFuF|";
		int failures = check_failures;
		if (b == 74 || b >= 76)
			memcpy(want, "|umumumum|", sizeof(want));
		expect_blocks(m, p, want, __LINE__);
		CHECK(check_failures == failures, "(block %d)", b);
	}
	model_free_all(m);
}

/* ==== storm: seeded alloc/free/time, compaction on, model_check() after each op ==== */

struct live {
	uint64_t pfn;
	unsigned int order;
	int mt;
};

struct storm {
	unsigned long long seed;
	uint64_t node_start, span;
	struct live *live;
	uint32_t *at; /* pfn - node_start -> index in live + 1, 0 if none */
	int nr, cap;
	uint64_t migrations, bad_events;
	const struct model *m;
};

/* MODEL_EV_SPLIT (migrate_split): the live block becomes order-0 blocks, as
 * the replay splits its recorded block */
static void storm_split(struct storm *st, const struct model_event *ev)
{
	uint64_t head = ev->pfn - st->node_start;

	if (head >= st->span || !st->at[head] || st->live[st->at[head] - 1].order != ev->order ||
	    st->nr + (1 << ev->order) - 1 > st->cap) {
		if (st->bad_events++ < 5)
			CHECK(false, "seed %llu: split of %" PRIu64 " order %u: no live block of "
			      "that order", st->seed, ev->pfn, ev->order);
		return;
	}
	st->live[st->at[head] - 1].order = 0;
	for (uint64_t k = 1; k < 1ull << ev->order; k++) {
		st->live[st->nr] = (struct live){ ev->pfn + k, 0, st->live[st->at[head] - 1].mt };
		st->at[head + k] = (uint32_t)++st->nr;
	}
}

/* MODEL_EV_MIGRATE: re-key the live block, as the replay does */
static void storm_event(void *ctx, const struct model_event *ev)
{
	struct storm *st = ctx;

	if (ev->type == MODEL_EV_SPLIT)
		storm_split(st, ev);
	if (ev->type != MODEL_EV_MIGRATE)
		return;
	st->migrations++;
	uint64_t src = ev->pfn - st->node_start, dst = ev->new_pfn - st->node_start;
	if (src >= st->span || dst >= st->span || !st->at[src] || st->at[dst]) {
		if (st->bad_events++ < 5)
			CHECK(false, "seed %llu: migration %" PRIu64 " -> %" PRIu64
			      " of no live block or onto one", st->seed, ev->pfn, ev->new_pfn);
		return;
	}
	struct live *l = &st->live[st->at[src] - 1];
	if (l->order != ev->order || l->mt != ev->migratetype) {
		if (st->bad_events++ < 5)
			CHECK(false, "seed %llu: migration of %" PRIu64 " says order %u mt %d, the "
			      "block is order %u mt %d", st->seed, ev->pfn, ev->order,
			      ev->migratetype, l->order, l->mt);
	}
	st->at[dst] = st->at[src];
	st->at[src] = 0;
	l->pfn = ev->new_pfn;
}

/* every live block is allocated where the table says, with its order and mobility */
static bool storm_verify(struct storm *st, const char *when, int op)
{
	for (int i = 0; i < st->nr; i++) {
		struct model_page_info pi;
		const struct live *l = &st->live[i];

		if (model_page_info(st->m, l->pfn, &pi) || pi.state != MODEL_PAGE_ALLOC ||
		    pi.order != l->order || pi.mt != l->mt) {
			CHECK(false, "seed %llu op %d (%s): live block %" PRIu64 " order %u mt %d is "
			      "state %d order %u mt %d in the model", st->seed, op, when, l->pfn,
			      l->order, l->mt, pi.state, pi.order, pi.mt);
			return false;
		}
	}
	return true;
}

static const uint32_t storm_gfps[] = {
	MODEL_GFP_HIGHUSER_MOVABLE, GFP_MOV, GFP_MOV_NORETRY, MODEL_GFP_KERNEL,
	MODEL_GFP_KERNEL | MODEL_GFP_RECLAIMABLE, MODEL_GFP_KERNEL | MODEL_GFP_NORETRY,
	MODEL_GFP_ATOMIC, GFP_NOWAIT_MOV, MODEL_GFP_KERNEL | MODEL_GFP_DMA32 | MODEL_GFP_MOVABLE,
	GFP_THP, GFP_THP_SYNC,
};

/*
 * One storm: DMA32 (512 pages) + Normal (1536 pages), pageblock_order 3 or
 * 4, pcp on (2 CPUs) or off, computed watermarks, compaction on; ops
 * alloc (orders 0..max, the gfp mixes above), free, and time steps of
 * 100..900 ms. Returns its counters in @sum.
 */
static void storm_run(unsigned long long seed, int ops, bool pcp, unsigned int pb_order,
		      struct counters *sum, uint64_t *hash)
{
	struct model_desc d;
	struct storm st = { .seed = seed };
	unsigned long long rs = seed * 0x9E3779B97F4A7C15ull + 1;

	model_desc_init(&d);
	d.knobs[MODEL_KNOB_PAGEBLOCK_ORDER] = pb_order;
	d.knobs[MODEL_KNOB_MAX_PAGE_ORDER] = pb_order + 1;
	d.knobs[MODEL_KNOB_SEED] = (long)seed;
	d.knobs[MODEL_KNOB_MIGRATE_FAIL_PERMILLE] = seed % 3 ? 0 : 50;
	d.nr_cpus = 2;
	struct model_zone_desc *z = add_zone_at(&d, MODEL_ZONE_DMA32, 1024, 512);
	set_wmarks(z, 6, 8, 10);
	if (pcp)
		set_pcp(z, 4, 12);
	z = add_zone_at(&d, MODEL_ZONE_NORMAL, 1536, 1536);
	set_wmarks(z, 18, 24, 30);
	if (pcp)
		set_pcp(z, 4, 12);
	struct model *m = model_new(&d);
	CHECK(m, "seed %llu: model_new", seed);
	if (!m)
		return;
	st.m = m;
	st.node_start = 1024;
	st.span = 2048;
	st.cap = 2048;
	st.live = calloc((size_t)st.cap, sizeof(*st.live));
	st.at = calloc(st.span, sizeof(*st.at));
	model_set_event_fn(m, storm_event, &st);
	CHECK(model_online(m, 1024, 512) == 0 && model_online(m, 1536, 1536) == 0);
	model_ok(m, __LINE__);

	uint64_t now = 0, used = 0;
	char err[256];
	int failures = check_failures;
	for (int op = 0; op < ops && check_failures == failures; op++) {
		unsigned int r = (unsigned int)(rnd_next(&rs) % 100);
		const char *what;

		if (r < (used < 2048 * 90 / 100 ? 65u : 35u) && st.nr < st.cap) {
			unsigned int o = (unsigned int)(rnd_next(&rs) % 100);
			unsigned int order = o < 70 ? 0 : o < 85 ? 1 + o % 2 : o < 95 ? pb_order
									       : pb_order + 1;
			uint32_t gfp = storm_gfps[rnd_next(&rs) % (sizeof(storm_gfps) /
								    sizeof(storm_gfps[0]))];
			struct model_req req = { .order = order, .gfp = gfp,
						 .cpu = (unsigned int)(rnd_next(&rs) % 2) };
			uint64_t pfn = model_alloc(m, &req);

			what = "alloc";
			if (pfn != MODEL_PFN_NONE) {
				uint64_t i = pfn - st.node_start;
				bool clash = i >= st.span;
				for (uint64_t p = 0; !clash && p < (1ull << order); p++)
					clash = i + p >= st.span || st.at[i + p];
				CHECK(!clash && !(pfn & ((1ull << order) - 1)),
				      "seed %llu op %d: order-%u alloc at %" PRIu64 " overlaps a live "
				      "block", seed, op, order, pfn);
				if (clash)
					break;
				st.live[st.nr] = (struct live){ pfn, order, model_gfp_migratetype(gfp) };
				st.at[i] = (uint32_t)++st.nr;
				used += 1ull << order;
			}
		} else if (r < 92 && st.nr) {
			int k = (int)(rnd_next(&rs) % (unsigned long long)st.nr);
			struct live l = st.live[k];
			int ret = model_free(m, l.pfn, l.order, (unsigned int)(rnd_next(&rs) % 2));

			what = "free";
			CHECK(ret == 0, "seed %llu op %d: free %" PRIu64 " order %u: %d", seed, op,
			      l.pfn, l.order, ret);
			st.at[l.pfn - st.node_start] = 0;
			st.live[k] = st.live[--st.nr];
			if (k < st.nr)
				st.at[st.live[k].pfn - st.node_start] = (uint32_t)k + 1;
			used -= 1ull << l.order;
		} else {
			now += (100 + rnd_next(&rs) % 800) * MS;
			model_set_time(m, now);
			what = "time";
		}
		if (model_check(m, err, sizeof(err))) {
			CHECK(false, "seed %llu op %d (%s): model_check: %s", seed, op, what, err);
			break;
		}
		if (!storm_verify(&st, what, op))
			break;
	}
	CHECK(!st.bad_events, "seed %llu: %" PRIu64 " bad migration events", seed, st.bad_events);

	/* free everything: all memory back, nothing lost */
	while (st.nr) {
		struct live l = st.live[--st.nr];
		CHECK(model_free(m, l.pfn, l.order, 0) == 0, "seed %llu: final free", seed);
	}
	model_drain_all(m);
	model_ok(m, __LINE__);
	for (unsigned int zi = 0; zi < model_nr_zones(m); zi++) {
		struct model_zone_info info = zinfo(m, zi);
		CHECK(info.nr_free_pages == (long)(info.end_pfn - info.start_pfn),
		      "seed %llu: zone type %d has %ld free of %" PRIu64, seed, (int)info.type,
		      info.nr_free_pages, info.end_pfn - info.start_pfn);
	}
	for (int c = 0; c < MODEL_NR_COUNTERS; c++)
		sum->c[c] += model_counter(m, (enum model_counter)c);
	CHECK(hash || (model_counter(m, MODEL_COMPACT_STALL) > 0 &&
		       model_counter(m, MODEL_PGMIGRATE_SUCCESS) > 0 && st.migrations > 0),
	      "seed %llu: stall %" PRIu64 " pgmigrate_success %" PRIu64, seed,
	      model_counter(m, MODEL_COMPACT_STALL), model_counter(m, MODEL_PGMIGRATE_SUCCESS));
	if (getenv("STORM_DEBUG"))
		printf("  seed %llu: stall %" PRIu64 " success %" PRIu64 " capture %" PRIu64
		       " migrated %" PRIu64 " wake %" PRIu64 " proactive %" PRIu64 " deferred %" PRIu64
		       " fail %" PRIu64 " allocfail %" PRIu64 "/%" PRIu64 " time %.1fs\n", seed,
		       model_counter(m, MODEL_COMPACT_STALL), model_counter(m, MODEL_COMPACT_SUCCESS),
		       model_counter(m, MODEL_COMPACT_CAPTURE), model_counter(m, MODEL_PGMIGRATE_SUCCESS),
		       model_counter(m, MODEL_COMPACT_DAEMON_WAKE),
		       model_counter(m, MODEL_COMPACT_PROACTIVE), model_counter(m, MODEL_COMPACT_DEFERRED),
		       model_counter(m, MODEL_COMPACT_FAIL), model_counter(m, MODEL_ALLOC_FAIL),
		       model_counter(m, MODEL_ALLOC_REQUESTS), now / 1e9);
	if (hash)
		*hash = model_hash(m);
	free(st.live);
	free(st.at);
	model_free_all(m);
}

static void storm_with_compaction(void)
{
	static const unsigned long long seeds[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct counters sum;

	memset(&sum, 0, sizeof(sum));
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		int before = check_failures;

		storm_run(seeds[i], 20000, i % 2, i < 4 ? 3 : 4, &sum, NULL);
		if (check_failures != before)
			printf("  storm seed %llu failed\n", seeds[i]);
	}
	CHECK(sum.c[MODEL_COMPACT_DAEMON_WAKE] > 0 && sum.c[MODEL_COMPACT_PROACTIVE] > 0 &&
	      sum.c[MODEL_COMPACT_CAPTURE] > 0 && sum.c[MODEL_COMPACT_DEFERRED] > 0 &&
	      sum.c[MODEL_COMPACT_SUCCESS] > 0 && sum.c[MODEL_COMPACT_FAIL] > 0,
	      "daemon_wake %" PRIu64 " proactive %" PRIu64 " capture %" PRIu64 " deferred %" PRIu64
	      " success %" PRIu64 " fail %" PRIu64, sum.c[MODEL_COMPACT_DAEMON_WAKE],
	      sum.c[MODEL_COMPACT_PROACTIVE], sum.c[MODEL_COMPACT_CAPTURE],
	      sum.c[MODEL_COMPACT_DEFERRED], sum.c[MODEL_COMPACT_SUCCESS],
	      sum.c[MODEL_COMPACT_FAIL]);
	printf("  storm: %" PRIu64 " stalls, %" PRIu64 " successes, %" PRIu64 " captures, %" PRIu64
	       " pages migrated, %" PRIu64 " kcompactd wakes, %" PRIu64 " proactive runs, %" PRIu64
	       " deferrals\n", sum.c[MODEL_COMPACT_STALL], sum.c[MODEL_COMPACT_SUCCESS],
	       sum.c[MODEL_COMPACT_CAPTURE], sum.c[MODEL_PGMIGRATE_SUCCESS],
	       sum.c[MODEL_COMPACT_DAEMON_WAKE], sum.c[MODEL_COMPACT_PROACTIVE],
	       sum.c[MODEL_COMPACT_DEFERRED]);

	/* the same seed twice: the same model */
	uint64_t h[2];
	struct counters junk;
	memset(&junk, 0, sizeof(junk));
	storm_run(2, 6000, true, 3, &junk, &h[0]);
	storm_run(2, 6000, true, 3, &junk, &h[1]);
	CHECK(h[0] == h[1], "storm seed 2 is not deterministic");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep the PASS/FAIL lines if a sanitizer aborts */
	RUN(raw_compact_finished_scanners_meet_and_reset_cached_positions);
	RUN(suitable_migration_source_async_movable_skips_unmovable_blocks);
	RUN(suitable_migration_source_sync_takes_any_block);
	RUN(compact_zone_makes_a_free_pageblock);
	RUN(compaction_capture_takes_exactly_the_request_order);
	RUN(compaction_capture_keeps_movable_blocks_from_unmovable_requests);
	RUN(compaction_suitable_needs_the_compact_gap);
	RUN(kcompactd_timeout_does_work_asked_without_a_wakeup);
	RUN(defer_compaction_backs_off_and_success_resets);
	RUN(skip_hints_set_then_flushed_on_restart);
	RUN(raw_reset_isolation_suitable_needs_a_direct_compaction);
	RUN(fast_isolate_freepages_prefers_the_top_quarter);
	RUN(defrag_mode_refuses_fallback_and_compacts_instead);
	RUN(thp_fault_alloc_and_fallback_once_per_fault);
	RUN(thp_fault_try_by_gfp);
	RUN(raw_alloc_pages_slowpath_costly_noretry_compacts_first);
	RUN(raw_alloc_pages_slowpath_costly_noretry_reclaims_then_compacts_once_more);
	RUN(raw_alloc_pages_slowpath_costly_noretry_fails_at_once_when_deferred_or_skipped);
	RUN(raw_alloc_pages_slowpath_noretry_compacts_sync_light_after_reclaim);
	RUN(migrate_fail_permille_fails_migrations_deterministically);
	RUN(proactive_compaction_starts_above_high_stops_at_low);
	RUN(proactive_compaction_steps_with_the_trace_clock);
	RUN(proactive_compaction_rereads_the_score_the_workload_changes);
	RUN(proactive_compaction_ends_contended_where_the_kernel_did);
	RUN(kcompactd_timer_starts_at_the_kernels_sleep);
	RUN(kcompactd_follows_every_sleep_of_the_kernels);
	RUN(kcompactd_check_runs_when_the_kernels_pass_begins);
	RUN(fast_find_migrateblock_starts_at_a_block_with_free_pages);
	RUN(compact_memory_runs_until_the_scanners_meet);
	RUN(storm_with_compaction);

	/* kernel behaviour core/compaction.c did not follow when these were written */
	RUN(isolate_migratepages_block_marks_skip_when_ignoring_hints);
	RUN(proactive_compaction_waits_while_kswapd_runs);
	RUN(migrate_pages_takes_the_last_isolated_first);
	RUN(migrate_pages_splits_a_large_folio_without_a_target);
	RUN(compact_zone_finish_pageblock_in_pageblock_0);
	RUN(kcompactd_do_work_keeps_whole_zone_across_zones);
	RUN(isolate_migratepages_block_takes_lru_pages_only);
	RUN(isolate_migratepages_block_nofs_takes_anonymous_pages_only);
	/* last: under UBSan (-fno-sanitize-recover) the model's shift aborts the run */
	RUN(fast_isolate_freepages_scan_limit_after_32_failures);
	return CHECK_DONE();
}
