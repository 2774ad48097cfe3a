// SPDX-License-Identifier: MIT
/*
 * test_model_spb.c - the superpageblock patches of Rik van Riel's RFC "mm:
 * reliable 1GB page allocation" (May 2026), one scenario per rule, each
 * computed by hand from the rule as KERNEL-NOTES.md and the review's quotes
 * of the patches state it:
 *
 *   08/40  per-SPB counts of free / unmovable / reclaimable / movable /
 *          reserved pageblocks; tainted vs clean (core/spb.c)
 *   11/40  a non-movable claim prefers a pageblock in a tainted SPB,
 *          bounded scan (spb_claim.c)
 *   12/40  a movable request prefers the fullest clean SPB, bounded scan
 *          (spb_pack.c)
 *   19/40  above 8 SPBs a non-movable request takes a movable fragment in
 *          a tainted SPB (spb_fragments.c)
 *   15/40  the per-SPB defrag worker: trigger, stop, latency, clean SPBs
 *          never (spb_defrag.c)
 *   17/40  before direct compaction: a movable request of pageblock order
 *          takes an SPB-guided contiguous range, a non-movable one has a
 *          pageblock of its type in a tainted SPB evacuated (spb_contig.c)
 *
 * Drawings as in model_draw.h (pageblock_order 3, PB = 8 pages, MAX_PAGE_ORDER
 * 4, pcp off, watermarks 0). Superpageblocks are shrunk with spb_order: 1
 * gives SPBs of 2 pageblocks (16 pages), 2 of 4 pageblocks (32 pages).
 * model_check(), which recounts every SPB from the per-pfn state, runs after
 * every operation.
 */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "model.h"
#include "model_draw.h"

#define MS 1000000ull

static void expect_counter(const struct model *m, enum model_counter c, uint64_t want, int line)
{
	uint64_t have = model_counter(m, c);

	CHECK(have == want, "line %d: %s = %" PRIu64 ", expected %" PRIu64, line,
	      model_counter_name(c), have, want);
}
#define EXPECT_COUNTER(m, c, want) expect_counter(m, c, want, __LINE__)

static void set_time(struct model *m, uint64_t ns, int line)
{
	model_set_time(m, ns);
	model_ok(m, line);
}
#define SET_TIME(m, ns) set_time(m, ns, __LINE__)

/* one DMA32 zone of @pbs pageblocks at 0, seeded; SPBs of 2^@spb_order pageblocks */
static struct model *spb_model(struct model_desc *d, unsigned int spb_order, const char *pbs,
			       const char *drawing, int line)
{
	d->knobs[MODEL_KNOB_SPB_ORDER] = spb_order;
	add_zone(d, MODEL_ZONE_DMA32, strlen(pbs) * PB);
	struct model *m = build(d, NULL);
	if (m)
		seed(m, 0, pbs, drawing, line);
	return m;
}
#define SPB_MODEL(d, o, pbs, drawing) spb_model(d, o, pbs, drawing, __LINE__)

static struct model_spb_info spb_info(const struct model *m)
{
	struct model_spb_info si;

	model_spb_info(m, &si);
	return si;
}

/* ==================== 08/40: the bookkeeping ==================== */

/*
 * Four SPBs of two pageblocks:
 *
 *   SPB   0                  1                  2                  3
 *   pbs   U        M         M        M         M        M         R        M
 *         |u.......|F.......|F.......|........|m.......|F.......|r...F...|F.......|
 *
 *   free pageblocks: 1, 2, 3, 5, 7 (wholly in a free block) = 5
 *   unmovable 0, reclaimable 6 (holds a free chunk but is not wholly free),
 *   movable 4, reserved none. Tainted: SPB 0 (U) and 3 (R). Free: SPB 1.
 * (b) freeing the movable block at 32 frees SPB 2 whole: 2 free SPBs, 6 free
 *     pageblocks, no movable one.
 */
static void spb_counts_pageblocks_by_type_and_taint(void)
{
	struct model_desc d;
	struct model *m;

	desc_small(&d);
	m = SPB_MODEL(&d, 1, "UMMMMMRM",
		      "|u.......|F.......|F.......|........|m.......|F.......|r...F...|F.......|");
	if (!m)
		return;
	struct model_spb_info si = spb_info(m);
	CHECK(si.spbs == 4 && si.tainted == 2 && si.free == 1, "(a) spbs %" PRIu64 " tainted %"
	      PRIu64 " free %" PRIu64, si.spbs, si.tainted, si.free);
	CHECK(si.pageblocks[0] == 5 && si.pageblocks[1] == 1 && si.pageblocks[2] == 1 &&
	      si.pageblocks[3] == 1 && si.pageblocks[4] == 0,
	      "(a) pageblocks free/U/R/M/reserved %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64
	      "/%" PRIu64, si.pageblocks[0], si.pageblocks[1], si.pageblocks[2],
	      si.pageblocks[3], si.pageblocks[4]);
	EXPECT_COUNTER(m, MODEL_SPB_TAINTED, 0); /* the snapshot's taint is not the replay's */

	FREE(m, 32, 3);
	si = spb_info(m);
	CHECK(si.free == 2 && si.pageblocks[0] == 6 && si.pageblocks[3] == 0,
	      "(b) free SPBs %" PRIu64 ", free pageblocks %" PRIu64 ", movable %" PRIu64,
	      si.free, si.pageblocks[0], si.pageblocks[3]);
	EXPECT_COUNTER(m, MODEL_SPB_CLEANED, 0);
	model_free_all(m);
}

/* ==================== 11/40: claims prefer tainted SPBs ==================== */

/*
 *   SPB   0                  1                  2                  3
 *   pbs   U        M         M        M         M        M         U        M
 *         |u.......|F.......|F.......|........|m.......|F.......|u.......|u.......|
 *
 * An order-0 UNMOVABLE request; no U or R list has a page, so it claims.
 * (a) vanilla: __rmqueue_claim() from MAX_PAGE_ORDER down: the order-4 MOVABLE
 *     block at 16 (SPB 1, clean) is taken whole, its pageblocks retyped U:
 *     SPB 1 is tainted now (3 tainted).
 * (b) spb_claim: the tainted SPBs fullest first: SPB 3 has no free page (it
 *     is looked at, no list of it is), SPB 0 has the order-3 MOVABLE block at
 *     8: claimed whole, pageblock 1 becomes U; still 2 tainted SPBs.
 *     SPBs looked at: 2; per-SPB list heads: SPB 0's (R, M) at order 4, then
 *     R and M at order 3 = 4.
 * (c) spb_claim_scan=1: only SPB 3 (the fullest) is looked at: no claim
 *     there, so vanilla's walk takes 16 as in (a).
 */
static void spb_claim_prefers_pageblock_in_tainted_spb(void)
{
	const char *pbs = "UMMMMMUU";
	const char *drawing =
		"|u.......|F.......|F.......|........|m.......|F.......|u.......|u.......|";
	struct model_desc d;
	struct model *m;

	/* (a) */
	desc_small(&d);
	m = SPB_MODEL(&d, 1, pbs, drawing);
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], 16);
	EXPECT_PAGEBLOCKS(m, 0, "UMUUMMUU");
	CHECK(spb_info(m).tainted == 3, "(a) vanilla taints SPB 1: %" PRIu64 " tainted",
	      spb_info(m).tainted);
	EXPECT_COUNTER(m, MODEL_SPB_TAINTED, 1);
	EXPECT_COUNTER(m, MODEL_SCAN_SPBS_CLAIM, 0);
	model_free_all(m);

	/* (b) */
	desc_small(&d);
	d.knobs[MODEL_KNOB_SPB_CLAIM] = 1;
	m = SPB_MODEL(&d, 1, pbs, drawing);
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], 8);
	EXPECT_PAGEBLOCKS(m, 0, "UUMMMMUU");
	EXPECT_BLOCKS(m, 0, "|u.......|uFF.F...|");
	CHECK(spb_info(m).tainted == 2, "(b) %" PRIu64 " tainted", spb_info(m).tainted);
	EXPECT_COUNTER(m, MODEL_SPB_TAINTED, 0);
	EXPECT_COUNTER(m, MODEL_SPB_CLAIMED_TAINTED, 1);
	EXPECT_COUNTER(m, MODEL_EXTFRAG_CLAIM, 1);
	EXPECT_COUNTER(m, MODEL_SCAN_SPBS_CLAIM, 2);
	EXPECT_COUNTER(m, MODEL_SCAN_LISTS_CLAIM, 4);
	model_free_all(m);

	/* (c) */
	desc_small(&d);
	d.knobs[MODEL_KNOB_SPB_CLAIM] = 1;
	d.knobs[MODEL_KNOB_SPB_CLAIM_SCAN] = 1;
	m = SPB_MODEL(&d, 1, pbs, drawing);
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], 16);
	EXPECT_COUNTER(m, MODEL_SCAN_SPBS_CLAIM, 1);
	EXPECT_COUNTER(m, MODEL_SPB_CLAIMED_TAINTED, 0);
	model_free_all(m);
}

/* ==================== 12/40: movable requests pack the fullest clean SPB ==================== */

/*
 *   SPB   0                  1                  2                  3
 *   pbs   M        M         M        M         M        M         U        M
 *         |m...mmmF|m...F...|m...m.F.|m.......|F.......|........|u.......|F.......|
 *   free  1 + 4 = 5 pages    2 pages            16: wholly free    tainted
 *   fullness (quarters free) 1                  0                  4
 *
 * (a) vanilla, order-0 MOVABLE: the order-0 list's head, 7 (SPB 0).
 * (b) spb_pack: the fullest clean SPB is SPB 1; it has no order-0 block, its
 *     order-1 block at 22 is split: 22 allocated, 23 back to the order-0 list.
 * (c) spb_pack, order 3: SPB 1 and 0 have under 8 free pages, SPB 2's order-4
 *     block at 32 is split: 32. (Vanilla would take the order-3 head, 56, in
 *     the tainted SPB 3.) 3 SPBs looked at, 2 list heads (SPB 2's orders 3
 *     and 4: the others have too few free pages to be looked into).
 * (d) spb_pack_scan=2: SPB 1 and 0 only, neither has a block: vanilla's 56.
 */
static void spb_pack_prefers_fullest_clean_spb(void)
{
	const char *pbs = "MMMMMMUM";
	const char *drawing =
		"|m...mmmF|m...F...|m...m.F.|m.......|F.......|........|u.......|F.......|";
	struct model_desc d;
	struct model *m;

	/* (a) */
	desc_small(&d);
	m = SPB_MODEL(&d, 1, pbs, drawing);
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[M], 7);
	EXPECT_ALLOC(m, 3, gfp_of[M], 56);
	EXPECT_COUNTER(m, MODEL_SCAN_SPBS_PACK, 0);
	model_free_all(m);

	/* (b), (c) */
	desc_small(&d);
	d.knobs[MODEL_KNOB_SPB_PACK] = 1;
	m = SPB_MODEL(&d, 1, pbs, drawing);
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[M], 22);
	EXPECT_BLOCKS(m, 16, "|m...m.mF|");
	EXPECT_COUNTER(m, MODEL_SCAN_SPBS_PACK, 1);
	EXPECT_COUNTER(m, MODEL_SPB_PACKED, 1);
	EXPECT_ALLOC(m, 3, gfp_of[M], 32);
	EXPECT_BLOCKS(m, 32, "|m.......|F.......|");
	/* SPB 1 now has 1 free page (fullness 0), SPB 0 5: both skipped without a
	 * look at their lists (the kernel's sb->nr_free check), SPB 2: orders 3, 4 */
	EXPECT_COUNTER(m, MODEL_SCAN_SPBS_PACK, 4);
	EXPECT_COUNTER(m, MODEL_SCAN_LISTS_SMALLEST, 2 + 2);
	model_free_all(m);

	/* (d) */
	desc_small(&d);
	d.knobs[MODEL_KNOB_SPB_PACK] = 1;
	d.knobs[MODEL_KNOB_SPB_PACK_SCAN] = 2;
	m = SPB_MODEL(&d, 1, pbs, drawing);
	if (!m)
		return;
	EXPECT_ALLOC(m, 3, gfp_of[M], 56);
	EXPECT_COUNTER(m, MODEL_SCAN_SPBS_PACK, 2);
	EXPECT_COUNTER(m, MODEL_SPB_PACKED, 0);
	model_free_all(m);
}

/* ==================== 19/40: movable fragments in tainted SPBs ==================== */

/*
 *   SPB   0                  1                  2                  3
 *   pbs   U        M         M        M         M        M         M        M
 *         |u.......|mmmmmmmF|F.......|........|m.......|m.......|m.......|m.......|
 *
 * An order-0 UNMOVABLE request, spb_claim on: in SPB 0 (the one tainted SPB)
 * the only fallback is the order-0 MOVABLE page 15, whose pageblock holds 7
 * movable pages: free 1 + alike 0 < 4, try_to_claim_block() refuses.
 * (a) spb_fragments, 4 SPBs > spb_fragments_min_spbs 3: the fragment 15 is
 *     taken as a steal (pageblock 1 stays M); no SPB newly tainted.
 * (b) spb_fragments_min_spbs 4 (4 SPBs is not more): vanilla's claim of the
 *     order-4 block at 16 taints SPB 1.
 */
static void spb_fragments_steal_movable_fragment_in_tainted_spb(void)
{
	const char *pbs = "UMMMMMMM";
	const char *drawing =
		"|u.......|mmmmmmmF|F.......|........|m.......|m.......|m.......|m.......|";
	struct model_desc d;
	struct model *m;

	/* (a) */
	desc_small(&d);
	d.knobs[MODEL_KNOB_SPB_CLAIM] = 1;
	d.knobs[MODEL_KNOB_SPB_FRAGMENTS] = 1;
	d.knobs[MODEL_KNOB_SPB_FRAGMENTS_MIN_SPBS] = 3;
	m = SPB_MODEL(&d, 1, pbs, drawing);
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], 15);
	EXPECT_PAGEBLOCKS(m, 0, "UMMMMMMM");
	EXPECT_BLOCKS(m, 8, "|mmmmmmmu|");
	EXPECT_COUNTER(m, MODEL_SPB_FRAGMENT_STEALS, 1);
	EXPECT_COUNTER(m, MODEL_EXTFRAG_STEAL, 1);
	EXPECT_COUNTER(m, MODEL_SPB_CLAIMED_TAINTED, 0);
	EXPECT_COUNTER(m, MODEL_SPB_TAINTED, 0);
	model_free_all(m);

	/* (b) */
	desc_small(&d);
	d.knobs[MODEL_KNOB_SPB_CLAIM] = 1;
	d.knobs[MODEL_KNOB_SPB_FRAGMENTS] = 1;
	d.knobs[MODEL_KNOB_SPB_FRAGMENTS_MIN_SPBS] = 4;
	m = SPB_MODEL(&d, 1, pbs, drawing);
	if (!m)
		return;
	EXPECT_ALLOC(m, 0, gfp_of[U], 16);
	EXPECT_PAGEBLOCKS(m, 0, "UMUUMMMM");
	EXPECT_COUNTER(m, MODEL_SPB_FRAGMENT_STEALS, 0);
	EXPECT_COUNTER(m, MODEL_SPB_TAINTED, 1);
	model_free_all(m);
}

/* ==================== 15/40: the per-SPB defrag worker ==================== */

/*
 * SPBs of 4 pageblocks; a DMA32 zone of 8 pageblocks and a MOVABLE zone of 4
 * for the migration targets (GFP_HIGHUSER_MOVABLE prefers it):
 *
 *   SPB   0                                      1 (clean, nothing free)
 *   pbs   U        M        M        M           M  M  M  M
 *         |u.......|m...m...|mmmmF...|m...m...|  |m.......| x4
 *   SPB 0: tainted, 0 free pageblocks, 4 free pages: the trigger holds
 *   (<= 1 free pageblock). SPB 1 is as full but clean: never queued.
 *
 * (a) queued when the snapshot made it so; the worker waits
 *     spb_defrag_latency_us (1 ms): nothing at 0.999 ms. At 1 ms: pageblock 1
 *     (two order-2 blocks) then pageblock 2 (4 pages) are evacuated; 2 free
 *     pageblocks: the goal is met before pageblock 3. 12 pages migrated.
 * (b) spb_defrag=0: nothing queued, nothing moves.
 * (c) clean SPBs are never defragmented: the U block freed before the
 *     worker runs, the SPB is clean when it does, and is left alone.
 */
static struct model *defrag_model(struct model_desc *d, int line)
{
	d->knobs[MODEL_KNOB_SPB_ORDER] = 2;
	add_zone(d, MODEL_ZONE_DMA32, 8 * PB);
	add_zone(d, MODEL_ZONE_MOVABLE, 4 * PB);
	struct model *m = build(d, NULL);
	if (m)
		seed(m, 0, "UMMMMMMMMMMM",
		     "|u.......|m...m...|mmmmF...|m...m...|m.......|m.......|m.......|m.......|"
		     "F.......|........|F.......|........|", line);
	return m;
}

static void spb_defrag_evacuates_tainted_spb_until_two_free_pageblocks(void)
{
	struct model_desc d;
	struct model *m;

	/* (a) */
	desc_small(&d);
	d.knobs[MODEL_KNOB_SPB_DEFRAG] = 1;
	m = defrag_model(&d, __LINE__);
	if (!m)
		return;
	EXPECT_COUNTER(m, MODEL_SPB_DEFRAG_QUEUED, 1);
	SET_TIME(m, MS - 1);
	EXPECT_COUNTER(m, MODEL_SPB_DEFRAG_RUNS, 0);
	SET_TIME(m, MS);
	EXPECT_COUNTER(m, MODEL_SPB_DEFRAG_RUNS, 1);
	EXPECT_COUNTER(m, MODEL_SPB_DEFRAG_PAGEBLOCKS, 2);
	EXPECT_COUNTER(m, MODEL_SPB_DEFRAG_MIGRATED, 12);
	EXPECT_BLOCKS(m, 0, "|u.......|F.......|F.......|m...m...|m.......|");
	struct model_spb_info si = spb_info(m);
	CHECK(si.tainted == 1, "(a) SPB 0 stays tainted: %" PRIu64, si.tainted);
	SET_TIME(m, 10 * MS);
	EXPECT_COUNTER(m, MODEL_SPB_DEFRAG_QUEUED, 1);
	model_free_all(m);

	/* (b) */
	desc_small(&d);
	m = defrag_model(&d, __LINE__);
	if (!m)
		return;
	SET_TIME(m, 10 * MS);
	EXPECT_COUNTER(m, MODEL_SPB_DEFRAG_QUEUED, 0);
	EXPECT_COUNTER(m, MODEL_SPB_DEFRAG_MIGRATED, 0);
	EXPECT_BLOCKS(m, 0, "|u.......|m...m...|mmmmF...|m...m...|");
	model_free_all(m);

	/* (c) the worker re-checks: SPB 0 clean again (its U block freed) is left alone */
	desc_small(&d);
	d.knobs[MODEL_KNOB_SPB_DEFRAG] = 1;
	m = defrag_model(&d, __LINE__);
	if (!m)
		return;
	SET_TIME(m, MS / 2);
	FREE(m, 0, 3);
	CHECK(spb_info(m).tainted == 0, "(c) SPB 0 is clean: %" PRIu64, spb_info(m).tainted);
	SET_TIME(m, MS);
	EXPECT_COUNTER(m, MODEL_SPB_DEFRAG_RUNS, 0);
	EXPECT_COUNTER(m, MODEL_SPB_DEFRAG_MIGRATED, 0);
	model_free_all(m);
}

/* ==================== 17/40: SPB-aware allocation before compaction ==================== */

/*
 * SPBs of 2 pageblocks; DMA32 of 6 pageblocks, then a free MOVABLE zone of 2
 * (SPB 3) for the migration targets (GFP_HIGHUSER_MOVABLE prefers it; the
 * order-3 GFP_KERNEL|__GFP_MOVABLE request cannot use it):
 *
 *   SPB   0 (tainted)        1 (clean)           2 (clean, full)
 *   pbs   U        M         M        M          M        M
 *         |u.......|m.F.m.F.|mmmmmmF.|mFF.F...|  |m.......|mmmmmmmm|
 *
 *   No free order-3 block in DMA32: the request reaches direct compaction.
 *   17/40 looks at clean SPBs emptiest first: SPB 1 (9 of 16 pages free)
 *   before SPB 2 (none; and its pageblock 4 is one order-3 allocation,
 *   which alloc_contig_range() would only move, and pageblock 5 costs 8).
 *   In SPB 1, pageblock 2 costs 6 migrations and pageblock 3 costs 1: the
 *   request gets pfn 24, after the order-0 movable page at 24 moved to the
 *   MOVABLE zone. No compaction stall.
 * (b) spb_contig=0: the path is not tried.
 * (c) an unmovable page in pageblock 3 (a polluted movable block, as
 *     fallbacks leave them) disqualifies it: pageblock 2 is taken, 6 pages
 *     migrated.
 * (d) spb_contig_scan=2 ranges: the emptiest clean SPB's two are all it
 *     looks at (fullest first would have seen only SPB 2's and taken
 *     pageblock 5): pfn 24 again.
 * (e) alloc_contig_range() ignores compaction's skip hints: pageblock 3
 *     marked skipped (as a failed compaction leaves it) is taken all the
 *     same, its page migrated.
 */
static struct model *contig_model(struct model_desc *d, bool contig, const char *pb3, int line)
{
	char drawing[128];

	d->knobs[MODEL_KNOB_SPB_ORDER] = 1;
	d->knobs[MODEL_KNOB_COMPACTION] = 1;
	d->knobs[MODEL_KNOB_SPB_CONTIG] = contig;
	add_zone(d, MODEL_ZONE_DMA32, 6 * PB);
	add_zone(d, MODEL_ZONE_MOVABLE, 2 * PB);
	struct model *m = build(d, NULL);
	snprintf(drawing, sizeof(drawing), "|u.......|m.F.m.F.|mmmmmmF.|%s|m.......|mmmmmmmm|"
		 "F.......|........|", pb3);
	if (m)
		seed(m, 0, "UMMMMMMM", drawing, line);
	return m;
}

static void spb_contig_takes_cheapest_range_in_emptiest_clean_spb(void)
{
	struct model_desc d;
	struct model *m;

	/* (a) */
	desc_small(&d);
	m = contig_model(&d, true, "mFF.F...", __LINE__);
	if (!m)
		return;
	EXPECT_ALLOC(m, 3, gfp_of[M], 24);
	EXPECT_COUNTER(m, MODEL_SPB_CONTIG_TRIES, 1);
	EXPECT_COUNTER(m, MODEL_SPB_CONTIG_TAKEN, 1);
	EXPECT_COUNTER(m, MODEL_SPB_CONTIG_MIGRATED, 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 0);
	EXPECT_BLOCKS(m, 16, "|mmmmmmF.|m.......|");
	EXPECT_PAGEBLOCKS(m, 0, "UMMMMMMM");
	CHECK(spb_info(m).tainted == 1, "(a) only SPB 0 is tainted: %" PRIu64, spb_info(m).tainted);
	model_free_all(m);

	/* (b) */
	desc_small(&d);
	m = contig_model(&d, false, "mFF.F...", __LINE__);
	if (!m)
		return;
	alloc_req(m, 3, gfp_of[M], __LINE__);
	EXPECT_COUNTER(m, MODEL_SPB_CONTIG_TRIES, 0);
	EXPECT_COUNTER(m, MODEL_SPB_CONTIG_MIGRATED, 0);
	model_free_all(m);

	/* (c) */
	desc_small(&d);
	m = contig_model(&d, true, "uFF.F...", __LINE__);
	if (!m)
		return;
	EXPECT_ALLOC(m, 3, gfp_of[M], 16);
	EXPECT_COUNTER(m, MODEL_SPB_CONTIG_TAKEN, 1);
	EXPECT_COUNTER(m, MODEL_SPB_CONTIG_MIGRATED, 6);
	EXPECT_BLOCKS(m, 16, "|m.......|uFF.F...|");
	model_free_all(m);

	/* (d) */
	desc_small(&d);
	d.knobs[MODEL_KNOB_SPB_CONTIG_SCAN] = 2;
	m = contig_model(&d, true, "mFF.F...", __LINE__);
	if (!m)
		return;
	EXPECT_ALLOC(m, 3, gfp_of[M], 24);
	EXPECT_COUNTER(m, MODEL_SCAN_RANGES_CONTIG, 2);
	EXPECT_COUNTER(m, MODEL_SPB_CONTIG_MIGRATED, 1);
	model_free_all(m);

	/* (e) */
	desc_small(&d);
	m = contig_model(&d, true, "mFF.F...", __LINE__);
	if (!m)
		return;
	CHECK(model_set_pageblock_skip(m, 24, true) == 0, "(e) skip hint set");
	EXPECT_ALLOC(m, 3, gfp_of[M], 24);
	EXPECT_COUNTER(m, MODEL_SPB_CONTIG_TAKEN, 1);
	EXPECT_COUNTER(m, MODEL_SPB_CONTIG_MIGRATED, 1);
	model_free_all(m);
}

/*
 * The non-movable half: SPBs of 2 pageblocks, DMA32 of 4 (two tainted
 * SPBs), a free MOVABLE zone of 2 for the targets:
 *
 *   pbs   U        M          U        M
 *         |u.u.m.F.|m.......|  |uFF.uFF.|m.......|   then   |F.......|........|
 *
 * An order-2 GFP_KERNEL request finds no order-2 block in DMA32 (nothing
 * to claim either), so it compacts first. 17/40: of the U pageblocks of the
 * tainted SPBs, pageblock 2 has the more free pages (6) but nothing to
 * evacuate; pageblock 0 holds movable pages; they are evacuated (2 pages), the freed
 * order-1 block at 4 merges with its buddy at 6, and the free lists give
 * the request pfn 4, with no compaction stall.
 * (b) spb_contig=0: nothing is evacuated.
 */
static struct model *evac_model(struct model_desc *d, bool contig, int line)
{
	d->knobs[MODEL_KNOB_SPB_ORDER] = 1;
	d->knobs[MODEL_KNOB_COMPACTION] = 1;
	d->knobs[MODEL_KNOB_SPB_CONTIG] = contig;
	add_zone(d, MODEL_ZONE_DMA32, 4 * PB);
	add_zone(d, MODEL_ZONE_MOVABLE, 2 * PB);
	struct model *m = build(d, NULL);
	if (m)
		seed(m, 0, "UMUMMM", "|u.u.m.F.|m.......|uFF.uFF.|m.......|F.......|........|", line);
	return m;
}

static void spb_contig_evacuates_tainted_pageblock_for_nonmovable_request(void)
{
	struct model_desc d;
	struct model *m;

	desc_small(&d);
	m = evac_model(&d, true, __LINE__);
	if (!m)
		return;
	EXPECT_ALLOC(m, 2, gfp_of[U], 4);
	EXPECT_COUNTER(m, MODEL_SPB_EVAC_TRIES, 1);
	EXPECT_COUNTER(m, MODEL_SPB_EVAC_PAGEBLOCKS, 1);
	EXPECT_COUNTER(m, MODEL_SPB_EVAC_MIGRATED, 2);
	EXPECT_COUNTER(m, MODEL_SPB_EVAC_SERVED, 1);
	EXPECT_COUNTER(m, MODEL_COMPACT_STALL, 0);
	EXPECT_BLOCKS(m, 0, "|u.u.u...|");
	model_free_all(m);

	desc_small(&d);
	m = evac_model(&d, false, __LINE__);
	if (!m)
		return;
	alloc_req(m, 2, gfp_of[U], __LINE__);
	EXPECT_COUNTER(m, MODEL_SPB_EVAC_TRIES, 0);
	EXPECT_COUNTER(m, MODEL_SPB_EVAC_MIGRATED, 0);
	model_free_all(m);
}

int main(void)
{
	RUN(spb_counts_pageblocks_by_type_and_taint);
	RUN(spb_claim_prefers_pageblock_in_tainted_spb);
	RUN(spb_pack_prefers_fullest_clean_spb);
	RUN(spb_fragments_steal_movable_fragment_in_tainted_spb);
	RUN(spb_defrag_evacuates_tainted_spb_until_two_free_pageblocks);
	RUN(spb_contig_takes_cheapest_range_in_emptiest_clean_spb);
	RUN(spb_contig_evacuates_tainted_pageblock_for_nonmovable_request);
	return CHECK_DONE();
}
