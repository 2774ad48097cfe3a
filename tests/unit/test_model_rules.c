/* SPDX-License-Identifier: MIT */
/*
 * test_model_rules - one test per rule of mm/page_alloc.c (the linux-mm tree,
 * 6.18 plus the mm queue) that core/ must follow. Each test is named after the
 * kernel function or rule it pins, and its expectations were worked out from
 * the kernel's code, not from the model's.
 *
 * As in the kernel's memblock simulator, every test draws the memory before
 * and after, and asserts the drawing exactly:
 *
 *   pageblocks  one letter per pageblock: U M R H (unmovable, movable,
 *               reclaimable, highatomic)
 *   blocks      one character per pfn, '|' at each pageblock boundary:
 *                 F      head of a free block (on its pageblock's free list)
 *                 P      head of a block on a per-CPU list
 *                 u m r  head of an allocated block, by mobility
 *                 .      a page of the block to its left
 *
 * so "|u.m.F...|" is an unmovable order-1 allocation at pfn 0, a movable
 * order-1 one at 2 and a free order-2 block at 4. The same drawings seed the
 * models (seed()), and model_check() runs after every operation.
 *
 * Unless a test says otherwise: pageblock_order 3 (8 pages), MAX_PAGE_ORDER 4,
 * one DMA32 zone from pfn 0 (DMA32, so vanilla never sets ALLOC_NOFRAGMENT),
 * pcp off (batch 1, high 0: every free to a pcp list drains at once and every
 * refill takes one block, as the boot pageset does), and all watermarks 0
 * (min_free_kbytes 1), which also keeps boost_watermark() from boosting
 * (its max_boost is 0).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "model.h"
#include "model_draw.h" /* desc_small, add_zone, SEED, EXPECT_*: shared with test_model_compaction */

/* ==== __rmqueue_smallest() and expand() ==== */

/*
 * __rmqueue_smallest() takes the head of the smallest non-empty list of the
 * type at or above the order; expand() keeps the low half and frees the upper
 * halves, one per order, each onto the list of its order. (expand() adds them
 * at the list heads, but that is never observable: the lists between the
 * request's order and the split block's are always empty when it runs.)
 *
 *  pageblocks   M        M        M        M
 *  before:     |F.......|........|F.......|........|  order-4 blocks at 0, 16
 *  alloc order 0 movable            -> 0
 *  after:      |mFF.F...|F.......|F.......|........|  halves 8, 4, 2, 1
 *  alloc order 1 movable            -> 2 (the order-1 half, not a split of 16)
 *  alloc order 0 movable            -> 1
 *  after:      |mmm.F...|F.......|F.......|........|
 */
static void expand_frees_upper_halves_smallest_order_first(void)
{
	struct model_desc d;
	struct evlog log;

	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 32);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	ONLINE(m, 0, 32);
	EXPECT_BLOCKS(m, 0, "|F.......|........|F.......|........|");

	EXPECT_ALLOC(m, 0, gfp_of[M], 0);
	EXPECT_BLOCKS(m, 0, "|mFF.F...|F.......|F.......|........|");
	EXPECT_PAGEBLOCKS(m, 0, "MMMM");
	for (unsigned int o = 0; o <= 4; o++)
		CHECK(nr_free(m, 0, o, M) == 1, "order %u: %" PRIu64 " free", o, nr_free(m, 0, o, M));
	CHECK(zinfo(m, 0).nr_free_pages == 31);
	CHECK(nr_events(&log, MODEL_EV_EXTFRAG) == 0);
	EXPECT_EVENT(&log, MODEL_EV_ZONE_LOCKED, 0, 0, 0, M);

	EXPECT_ALLOC(m, 1, gfp_of[M], 2);
	EXPECT_ALLOC(m, 0, gfp_of[M], 1);
	EXPECT_BLOCKS(m, 0, "|mmm.F...|F.......|F.......|........|");
	CHECK(nr_free(m, 0, 4, M) == 1 && nr_free(m, 0, 1, M) == 0 && nr_free(m, 0, 0, M) == 0);
	model_free_all(m);
}

/* ==== __free_one_page() ==== */

/*
 * buddy_merge_likely(): a freed block whose buddy is busy but whose
 * next-order buddy is free goes to the tail of its list, else to the head.
 *
 *  pageblocks   M        M
 *  before:     |mmF.m...|mFm.mmm.|   order-0 list: 9
 *  free 0       buddy 1 busy, order-1 buddy 2 free    -> tail: 9, 0
 *  free 13      buddy 12 busy, order-1 buddy 14 busy  -> head: 13, 9, 0
 *  after:      |FmF.m...|mFm.mFm.|
 *  alloc order 0 three times        -> 13, 9, 0
 */
static void buddy_merge_likely_puts_at_tail(void)
{
	struct model_desc d;

	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 16);
	struct model *m = build(&d, NULL);
	if (!m)
		return;
	SEED(m, 0, "MM", "|mmF.m...|mFm.mmm.|");

	FREE(m, 0, 0);
	FREE(m, 13, 0);
	EXPECT_BLOCKS(m, 0, "|FmF.m...|mFm.mFm.|");
	CHECK(nr_free(m, 0, 0, M) == 3);
	EXPECT_ALLOC(m, 0, gfp_of[M], 13);
	EXPECT_ALLOC(m, 0, gfp_of[M], 9);
	EXPECT_ALLOC(m, 0, gfp_of[M], 0);
	EXPECT_BLOCKS(m, 0, "|mmF.m...|mmm.mmm.|");
	model_free_all(m);
}

/*
 * At pageblock order, buddies of different mergeable types merge, and the
 * merged block takes the freed page's type: change_pageblock_range(buddy,
 * order, migratetype).
 *
 *  pageblocks   M        U        U        M
 *  before:     |m.......|F.......|u.......|F.......|
 *  free 0 (order 3, pageblock M)   -> merges with the U buddy at 8
 *  pageblocks   M        M        U        M
 *  after:      |F...............|u.......|F.......|
 *  free 16 (order 3, pageblock U)  -> merges with the M buddy at 24
 *  pageblocks   M        M        U        U
 *  after:      |F...............|F...............|   order 4 is MAX: no further merge
 */
static void raw_free_one_page_merges_across_pageblock_types(void)
{
	struct model_desc d;

	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 32);
	struct model *m = build(&d, NULL);
	if (!m)
		return;
	SEED(m, 0, "MUUM", "|m.......|F.......|u.......|F.......|");

	FREE(m, 0, 3);
	EXPECT_PAGEBLOCKS(m, 0, "MMUM");
	EXPECT_BLOCKS(m, 0, "|F.......|........|u.......|F.......|");
	EXPECT_PAGE(m, 0, MODEL_PAGE_FREE, 4, M);
	CHECK(nr_free(m, 0, 4, M) == 1 && nr_free(m, 0, 3, U) == 0);

	FREE(m, 16, 3);
	EXPECT_PAGEBLOCKS(m, 0, "MMUU");
	EXPECT_BLOCKS(m, 0, "|F.......|........|F.......|........|");
	EXPECT_PAGE(m, 16, MODEL_PAGE_FREE, 4, U);
	CHECK(nr_free(m, 0, 4, M) == 1 && nr_free(m, 0, 4, U) == 1 && nr_free(m, 0, 3, M) == 0);
	struct model_zone_info zi = zinfo(m, 0);
	CHECK(zi.nr_free_pages == 32 && zi.nr_free_blocks == 32);
	model_free_all(m);
}

/*
 * At pageblock order, a highatomic block does not merge with a buddy of
 * another type (migratetype_is_mergeable()); below it, buddies inside the
 * block merge whatever the type.
 *
 *  pageblocks   M        H
 *  before:     |F.......|F.u.F...|
 *  free 10 (order 1; the pcp list is MOVABLE, the drain re-reads H)
 *              -> 8+10 -> order 2, +12 -> order 3, stops at the M buddy 0
 *  after:      |F.......|F.......|
 */
static void raw_free_one_page_no_merge_with_highatomic_at_pageblock_order(void)
{
	struct model_desc d;

	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 16);
	struct model *m = build(&d, NULL);
	if (!m)
		return;
	SEED(m, 0, "MH", "|F.......|F.u.F...|");
	CHECK(zinfo(m, 0).nr_free_highatomic == 6);

	FREE(m, 10, 1);
	EXPECT_PAGEBLOCKS(m, 0, "MH");
	EXPECT_BLOCKS(m, 0, "|F.......|F.......|");
	EXPECT_PAGE(m, 0, MODEL_PAGE_FREE, 3, M);
	EXPECT_PAGE(m, 8, MODEL_PAGE_FREE, 3, H);
	struct model_zone_info zi = zinfo(m, 0);
	CHECK(zi.nr_free[3][M] == 1 && zi.nr_free[3][H] == 1 && zi.nr_free[4][M] == 0);
	CHECK(zi.nr_free_highatomic == 8 && zi.nr_free_pages == 16 && zi.nr_free_blocks == 16);
	model_free_all(m);
}

/*
 * split_large_buddy(): a block larger than a pageblock is freed pageblock by
 * pageblock, each with its own pageblock's type; the second then merges with
 * the first and retypes it.
 *
 *  pageblocks   M        R        M        M
 *  before:     |m...............|F...............|
 *  free 0 (order 4, not a pcp order): 0 as order 3 M, then 8 as order 3 R,
 *  which merges with 0
 *  pageblocks   R        R        M        M
 *  after:      |F...............|F...............|
 */
static void split_large_buddy_frees_each_pageblock_with_its_type(void)
{
	struct model_desc d;

	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 32);
	struct model *m = build(&d, NULL);
	if (!m)
		return;
	SEED(m, 0, "MRMM", "|m.......|........|F.......|........|");

	FREE(m, 0, 4);
	EXPECT_PAGEBLOCKS(m, 0, "RRMM");
	EXPECT_BLOCKS(m, 0, "|F.......|........|F.......|........|");
	EXPECT_PAGE(m, 0, MODEL_PAGE_FREE, 4, R);
	CHECK(nr_free(m, 0, 4, R) == 1 && nr_free(m, 0, 4, M) == 1 && nr_free(m, 0, 3, M) == 0);
	model_free_all(m);
}

/*
 * split_page() then a partial free: __free_pages() of one page of a
 * non-compound order-2 allocation frees just that page; the last one merges
 * everything back.
 *
 *  pageblocks   M        M
 *  before:     |m...F...|F.......|   order-2 allocation at 0
 *  free 2      |mmFmF...|F.......|
 *  free 3      |mmF.F...|F.......|   2+3 merge; buddy 0 is busy
 *  free 0      |FmF.F...|F.......|
 *  free 1      |F...............|   order 1, 2, 3, 4
 */
static void split_page_then_free_page_by_page(void)
{
	struct model_desc d;

	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 16);
	struct model *m = build(&d, NULL);
	if (!m)
		return;
	ONLINE(m, 0, 16);
	EXPECT_ALLOC(m, 2, gfp_of[M], 0);
	EXPECT_BLOCKS(m, 0, "|m...F...|F.......|");

	CHECK(model_free(m, 1, 1, 0) == -EINVAL, "misaligned free");
	CHECK(model_free(m, 8, 0, 0) == -ENOENT, "free of a free page");
	model_ok(m, __LINE__);
	FREE(m, 2, 0);
	EXPECT_BLOCKS(m, 0, "|mmFmF...|F.......|");
	FREE(m, 3, 0);
	EXPECT_BLOCKS(m, 0, "|mmF.F...|F.......|");
	FREE(m, 0, 0);
	EXPECT_BLOCKS(m, 0, "|FmF.F...|F.......|");
	FREE(m, 1, 0);
	EXPECT_BLOCKS(m, 0, "|F.......|........|");
	EXPECT_PAGE(m, 0, MODEL_PAGE_FREE, 4, M);
	CHECK(model_counter(m, MODEL_PGFREE) == 4);
	model_free_all(m);
}

/* ==== fallbacks: __rmqueue_claim(), try_to_claim_block(), __rmqueue_steal() ==== */

/*
 * try_to_claim_block() below pageblock order: an unmovable request falling
 * back to a MOVABLE block counts every page that is neither free nor movable
 * as alike, and claims the block when free + alike >= half a pageblock: here
 * 2 free + 2 unmovable = 4 of 8.
 *
 *  pageblocks   M        M
 *  before:     |u.m.m.F.|m.......|
 *  alloc order 0 unmovable: move 6 to U, retype, __rmqueue_smallest() -> 6
 *  pageblocks   U        M
 *  after:      |u.m.m.uF|m.......|   7 on the U order-0 list
 */
static void try_to_claim_block_claims_at_half_a_pageblock(void)
{
	struct model_desc d;
	struct evlog log;

	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 16);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 0, "MM", "|u.m.m.F.|m.......|");

	EXPECT_ALLOC(m, 0, gfp_of[U], 6);
	EXPECT_PAGEBLOCKS(m, 0, "UM");
	EXPECT_BLOCKS(m, 0, "|u.m.m.uF|m.......|");
	EXPECT_PAGE(m, 7, MODEL_PAGE_FREE, 0, U);
	CHECK(log.n == 2, "%d events", log.n);
	EXPECT_EVENT(&log, MODEL_EV_ZONE_LOCKED, 0, 6, 0, U); /* the claim's __rmqueue_smallest */
	EXPECT_EXTFRAG(&log, 0, 6, 0, U, 1, M, true, MODEL_ZONE_DMA32);
	CHECK(model_counter(m, MODEL_EXTFRAG_CLAIM) == 1 && model_counter(m, MODEL_EXTFRAG_STEAL) == 0 &&
	      model_counter(m, MODEL_EXTFRAG_FRAGMENTING) == 1);
	model_free_all(m);
}

/*
 * try_to_claim_block() below half a pageblock (2 free + 1 unmovable = 3 of 8)
 * leaves the block alone; __rmqueue_steal() then takes the chunk and its
 * split-off half stays on the MOVABLE list.
 *
 *  pageblocks   M        M
 *  before:     |umm.m.F.|m.......|
 *  alloc order 0 unmovable -> 6, stolen
 *  pageblocks   M        M
 *  after:      |umm.m.uF|m.......|   7 on the M order-0 list
 */
static void try_to_claim_block_steals_below_half(void)
{
	struct model_desc d;
	struct evlog log;

	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 16);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 0, "MM", "|umm.m.F.|m.......|");

	EXPECT_ALLOC(m, 0, gfp_of[U], 6);
	EXPECT_PAGEBLOCKS(m, 0, "MM");
	EXPECT_BLOCKS(m, 0, "|umm.m.uF|m.......|");
	EXPECT_PAGE(m, 7, MODEL_PAGE_FREE, 0, M);
	CHECK(log.n == 1, "%d events", log.n); /* __rmqueue_steal has no zone_locked trace */
	EXPECT_EXTFRAG(&log, 0, 6, 0, U, 1, M, false, MODEL_ZONE_DMA32);
	CHECK(model_counter(m, MODEL_EXTFRAG_CLAIM) == 0 && model_counter(m, MODEL_EXTFRAG_STEAL) == 1 &&
	      model_counter(m, MODEL_EXTFRAG_FRAGMENTING) == 1);
	model_free_all(m);
}

/*
 * try_to_claim_block(): from a RECLAIMABLE block an unmovable request counts
 * no alike pages (it cannot tell unmovable from reclaimable), so the same
 * composition that claims a MOVABLE block is stolen from. And __rmqueue_claim()
 * tries only the first fallback type with a chunk of that order: the MOVABLE
 * block is not tried while the RECLAIMABLE list of order 1 is not empty.
 *
 *  pageblocks   R        M
 *  before:     |r.r.r.F.|r.r.r.F.|   both: 2 free, 6 non-movable
 *  alloc order 0 unmovable -> 6: R first, 2 + 0 < 4: stolen
 *  alloc order 0 unmovable -> 14: R order-1 list empty, M: 2 + 6 >= 4: claimed
 *  pageblocks   R        U
 *  after:      |r.r.r.uF|r.r.r.uF|   7 on the R list, 15 on the U list
 */
static void try_to_claim_block_counts_no_alike_pages_in_reclaimable_blocks(void)
{
	struct model_desc d;
	struct evlog log;

	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 16);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 0, "RM", "|r.r.r.F.|r.r.r.F.|");

	EXPECT_ALLOC(m, 0, gfp_of[U], 6);
	EXPECT_PAGEBLOCKS(m, 0, "RM");
	EXPECT_EXTFRAG(&log, 0, 6, 0, U, 1, R, false, MODEL_ZONE_DMA32);
	EXPECT_ALLOC(m, 0, gfp_of[U], 14);
	EXPECT_PAGEBLOCKS(m, 0, "RU");
	EXPECT_EXTFRAG(&log, 1, 14, 0, U, 1, M, true, MODEL_ZONE_DMA32);
	EXPECT_BLOCKS(m, 0, "|r.r.r.uF|r.r.r.uF|");
	EXPECT_PAGE(m, 7, MODEL_PAGE_FREE, 0, R);
	EXPECT_PAGE(m, 15, MODEL_PAGE_FREE, 0, U);
	model_free_all(m);
}

/*
 * should_try_claim_block(): a movable request claims only from chunks of at
 * least pageblock_order / 2 (here 1); from a smaller chunk it steals, even
 * from a block full of movable pages. Unmovable requests claim from any chunk.
 *
 *  (a) pageblocks U M     |Fmm.m...|m.......|  movable order 0 -> 0, stolen: U stays
 *  (b) pageblocks U M     |F.m.m...|m.......|  movable order 0 -> 0, claimed: M
 *                  after  |mFm.m...|m.......|
 *  (c) pageblocks M M     |Fuu.u...|m.......|  unmovable order 0 -> 0, claimed: U
 */
static void should_try_claim_block_movable_needs_half_pageblock_order(void)
{
	struct model_desc d;
	struct evlog log;

	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 16);

	struct model *m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 0, "UM", "|Fmm.m...|m.......|");
	EXPECT_ALLOC(m, 0, gfp_of[M], 0);
	EXPECT_PAGEBLOCKS(m, 0, "UM");
	EXPECT_EXTFRAG(&log, 0, 0, 0, M, 0, U, false, MODEL_ZONE_DMA32);
	CHECK(model_counter(m, MODEL_EXTFRAG_STEAL) == 1);
	model_free_all(m);

	m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 0, "UM", "|F.m.m...|m.......|");
	EXPECT_ALLOC(m, 0, gfp_of[M], 0);
	EXPECT_PAGEBLOCKS(m, 0, "MM");
	EXPECT_BLOCKS(m, 0, "|mFm.m...|m.......|");
	EXPECT_PAGE(m, 1, MODEL_PAGE_FREE, 0, M);
	EXPECT_EXTFRAG(&log, 0, 0, 0, M, 1, U, true, MODEL_ZONE_DMA32);
	model_free_all(m);

	m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 0, "MM", "|Fuu.u...|m.......|");
	EXPECT_ALLOC(m, 0, gfp_of[U], 0);
	EXPECT_PAGEBLOCKS(m, 0, "UM");
	EXPECT_EXTFRAG(&log, 0, 0, 0, U, 0, M, true, MODEL_ZONE_DMA32);
	model_free_all(m);
}

/*
 * try_to_claim_block() at or above pageblock order takes the whole chunk and
 * retypes all its pageblocks, without boosting; __rmqueue_claim() tries the
 * largest chunk first (0, order 4, not 24, order 3).
 *
 *  watermarks 1/2/3 (a boost would be 8)
 *  pageblocks   M        M        M        M
 *  before:     |F.......|........|m.......|F.......|
 *  alloc order 0 unmovable -> 0
 *  pageblocks   U        U        M        M
 *  after:      |uFF.F...|F.......|m.......|F.......|   1, 2, 4, 8 on U lists
 */
static void claim_whole_block_at_pageblock_order(void)
{
	struct model_desc d;
	struct evlog log;

	desc_small(&d);
	set_wmarks(add_zone(&d, MODEL_ZONE_DMA32, 32), 1, 2, 3);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 0, "MMMM", "|F.......|........|m.......|F.......|");

	EXPECT_ALLOC(m, 0, gfp_of[U], 0);
	EXPECT_PAGEBLOCKS(m, 0, "UUMM");
	EXPECT_BLOCKS(m, 0, "|uFF.F...|F.......|m.......|F.......|");
	for (unsigned int o = 0; o <= 3; o++)
		CHECK(nr_free(m, 0, o, U) == 1, "order %u", o);
	CHECK(nr_free(m, 0, 3, M) == 1 && nr_free(m, 0, 4, M) == 0);
	CHECK(log.n == 1, "%d events", log.n);
	EXPECT_EXTFRAG(&log, 0, 0, 0, U, 4, M, true, MODEL_ZONE_DMA32);
	CHECK(model_counter(m, MODEL_EXTFRAG_CLAIM) == 1 &&
	      model_counter(m, MODEL_EXTFRAG_FRAGMENTING) == 0);
	CHECK(zinfo(m, 0).watermark_boost == 0 && model_counter(m, MODEL_WMARK_BOOSTS) == 0);
	model_free_all(m);
}

/*
 * fallbacks[]: each type falls back to the other two in a fixed order. Two
 * blocks, one of each fallback type, each with a free order-2 chunk; order-2
 * requests claim the first fallback type's block, then the second's.
 *
 *  pageblocks   second   first
 *  before:     |F...s...|F...f...|
 *  alloc order 2 -> 8 (first), then 0 (second)
 *  pageblocks   X        X
 *  after:      |x...s...|x...f...|
 */
static void check_fallback_order(int mt, int first, int second)
{
	struct model_desc d;
	struct evlog log;
	char pbs[3] = { mt_letters[second], mt_letters[first], '\0' };
	char before[32], after[32];
	char s = mobility_letters[second], f = mobility_letters[first], x = mobility_letters[mt];

	snprintf(before, sizeof(before), "|F...%c...|F...%c...|", s, f);
	snprintf(after, sizeof(after), "|%c...%c...|%c...%c...|", x, s, x, f);
	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 16);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	seed(m, 0, pbs, before, __LINE__);

	EXPECT_ALLOC(m, 2, gfp_of[mt], 8);
	EXPECT_EXTFRAG(&log, 0, 8, 2, mt, 2, first, true, MODEL_ZONE_DMA32);
	EXPECT_ALLOC(m, 2, gfp_of[mt], 0);
	EXPECT_EXTFRAG(&log, 1, 0, 2, mt, 2, second, true, MODEL_ZONE_DMA32);
	char both[3] = { mt_letters[mt], mt_letters[mt], '\0' };
	EXPECT_PAGEBLOCKS(m, 0, both);
	EXPECT_BLOCKS(m, 0, after);
	model_free_all(m);
}

static void fallback_order_unmovable(void)
{
	check_fallback_order(U, R, M);
}

static void fallback_order_movable(void)
{
	check_fallback_order(M, R, U);
}

static void fallback_order_reclaimable(void)
{
	check_fallback_order(R, U, M);
}

/*
 * rmqueue_bulk() keeps __rmqueue()'s mode across its loop: once it stole, it
 * steals again without retrying the claim. pcp batch 2, high 8: a movable
 * order-0 refill takes 2 pages.
 *
 *  pageblocks   U        U
 *  before:     |F.u.u...|F.m.m...|   order-1 U list: 0, 8
 *  page 1: claim tries 0 (2 free + 0 movable < 4), order 0 is below
 *          pageblock_order / 2: steal 0, its half 1 goes to the U list
 *  page 2: still stealing -> 1 (a fresh claim would have taken block 8,
 *          2 free + 6 movable)
 *  after:      |mPu.u...|F.m.m...|   pcp list 1; block 8 still U
 */
static void rmqueue_bulk_keeps_steal_mode(void)
{
	struct model_desc d;
	struct evlog log;

	desc_small(&d);
	set_pcp(add_zone(&d, MODEL_ZONE_DMA32, 16), 2, 8);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 0, "UU", "|F.u.u...|F.m.m...|");

	EXPECT_ALLOC(m, 0, gfp_of[M], 0);
	EXPECT_PAGEBLOCKS(m, 0, "UU");
	EXPECT_BLOCKS(m, 0, "|mPu.u...|F.m.m...|");
	CHECK(nr_events(&log, MODEL_EV_EXTFRAG) == 2);
	EXPECT_EXTFRAG(&log, 0, 0, 0, M, 1, U, false, MODEL_ZONE_DMA32);
	EXPECT_EXTFRAG(&log, 1, 1, 0, M, 0, U, false, MODEL_ZONE_DMA32);
	CHECK(model_counter(m, MODEL_EXTFRAG_STEAL) == 2 && model_counter(m, MODEL_EXTFRAG_CLAIM) == 0);
	CHECK(pcpinfo(m, 0).count == 1);
	EXPECT_ALLOC(m, 0, gfp_of[M], 1);
	model_free_all(m);
}

/* ==== watermark boosting ==== */

/*
 * boost_watermark(): every try_to_claim_block() below pageblock order adds a
 * pageblock to the boost, up to max(pageblock, high * factor / 10000): with
 * high 8 and the default factor 15000, 12.
 *
 *  64 pages, watermarks 1/2/8
 *  pageblocks   M        M        M        M        M  ...
 *  before:     |F...m...|F...m...|F...m...|F...m...|F...m...|...   x 8
 *  alloc order 2 unmovable x 4 -> 0, 8, 16, 24, each claimed (4 free of 8)
 *  boost:       8, 12, 12, 12
 *  pageblocks   U        U        U        U        M  ...
 *  after:      |u...m...|u...m...|u...m...|u...m...|F...m...|...
 */
static void boost_watermark_adds_a_pageblock_and_caps(void)
{
	struct model_desc d;
	struct evlog log;
	static const long boost[4] = { 8, 12, 12, 12 };

	desc_small(&d);
	set_wmarks(add_zone(&d, MODEL_ZONE_DMA32, 64), 1, 2, 8);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 0, "MMMMMMMM", "|F...m...|F...m...|F...m...|F...m...|"
			       "F...m...|F...m...|F...m...|F...m...|");

	for (int i = 0; i < 4; i++) {
		EXPECT_ALLOC(m, 2, gfp_of[U], (uint64_t)i * PB);
		CHECK(zinfo(m, 0).watermark_boost == boost[i], "alloc %d: boost %ld, expected %ld", i,
		      zinfo(m, 0).watermark_boost, boost[i]);
		CHECK(model_counter(m, MODEL_WMARK_BOOSTS) == (uint64_t)i + 1);
		EXPECT_EXTFRAG(&log, i, (uint64_t)i * PB, 2, U, 2, M, true, MODEL_ZONE_DMA32);
	}
	EXPECT_PAGEBLOCKS(m, 0, "UUUUMMMM");
	EXPECT_BLOCKS(m, 0, "|u...m...|u...m...|u...m...|u...m...|"
			    "F...m...|F...m...|F...m...|F...m...|");
	CHECK(model_counter(m, MODEL_ALLOC_SLOWPATH) == 0);
	model_free_all(m);
}

/*
 * boost_watermark() does nothing in zones of fewer than 4 pageblocks, nor
 * with watermark_boost_factor 0; the claim itself still happens.
 *
 *  (a) 16 pages, watermarks 1/2/8:    |F...m...|F...m...|  alloc order 2 U -> 0, boost 0
 *  (b) 64 pages, factor 0:            as in boost_watermark_adds_a_pageblock_and_caps, boost 0
 */
static void boost_watermark_needs_four_pageblocks_and_a_factor(void)
{
	struct model_desc d;

	desc_small(&d);
	set_wmarks(add_zone(&d, MODEL_ZONE_DMA32, 16), 1, 2, 8);
	struct model *m = build(&d, NULL);
	if (!m)
		return;
	SEED(m, 0, "MM", "|F...m...|F...m...|");
	EXPECT_ALLOC(m, 2, gfp_of[U], 0);
	EXPECT_PAGEBLOCKS(m, 0, "UM");
	CHECK(zinfo(m, 0).watermark_boost == 0 && model_counter(m, MODEL_WMARK_BOOSTS) == 0);
	model_free_all(m);

	desc_small(&d);
	d.knobs[MODEL_KNOB_WATERMARK_BOOST_FACTOR] = 0;
	set_wmarks(add_zone(&d, MODEL_ZONE_DMA32, 64), 1, 2, 8);
	m = build(&d, NULL);
	if (!m)
		return;
	SEED(m, 0, "MMMMMMMM", "|F...m...|F...m...|F...m...|F...m...|"
			       "F...m...|F...m...|F...m...|F...m...|");
	EXPECT_ALLOC(m, 2, gfp_of[U], 0);
	EXPECT_PAGEBLOCKS(m, 0, "UMMMMMMM");
	CHECK(zinfo(m, 0).watermark_boost == 0 && model_counter(m, MODEL_WMARK_BOOSTS) == 0);
	model_free_all(m);
}

/* ==== ALLOC_NOFRAGMENT (preferred zone Normal) ==== */

/*
 * alloc_flags_nofragment() sets ALLOC_NOFRAGMENT for requests whose preferred
 * zone is Normal: __rmqueue_claim() looks only at whole pageblocks and
 * __rmqueue_steal() is skipped, in every zone. When no zone can serve the
 * request that way, get_page_from_freelist() retries without it, from the
 * preferred zone again, still in the fast path.
 *
 *  zones        DMA32             Normal
 *  pageblocks   M        M        M        M
 *  before:     |F.m.m...|m.......|F.m.m...|m.......|
 *  alloc order 0 unmovable: pass 1 fails in Normal and DMA32 (no whole
 *  pageblock), pass 2 steals in Normal -> 16
 *  after:      |F.m.m...|m.......|uFm.m...|m.......|
 */
static void nofragment_refuses_to_fragment_normal_then_falls_back(void)
{
	struct model_desc d;
	struct evlog log;

	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 16);
	add_zone(&d, MODEL_ZONE_NORMAL, 16);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 0, "MMMM", "|F.m.m...|m.......|F.m.m...|m.......|");

	EXPECT_ALLOC(m, 0, gfp_of[U], 16);
	EXPECT_PAGEBLOCKS(m, 0, "MMMM");
	EXPECT_BLOCKS(m, 0, "|F.m.m...|m.......|uFm.m...|m.......|");
	CHECK(log.n == 1, "%d events", log.n);
	EXPECT_EXTFRAG(&log, 0, 16, 0, U, 1, M, false, MODEL_ZONE_NORMAL);
	CHECK(model_counter(m, MODEL_PGALLOC_NORMAL) == 1 &&
	      model_counter(m, MODEL_PGALLOC_DMA32) == 0);
	CHECK(model_counter(m, MODEL_ALLOC_SLOWPATH) == 0);
	model_free_all(m);
}

/*
 * Under ALLOC_NOFRAGMENT a lower zone with a whole free pageblock serves the
 * request before the preferred Normal zone is fragmented, even when Normal's
 * chunk would be claimable below pageblock order (2 free + 2 unmovable).
 *
 *  zones        DMA32             Normal
 *  pageblocks   M        M        M        M
 *  before:     |F.......|........|F.u.m...|m.......|
 *  alloc order 0 unmovable -> 0: DMA32's order-4 block is claimed whole
 *  pageblocks   U        U        M        M
 *  after:      |uFF.F...|F.......|F.u.m...|m.......|
 */
static void nofragment_prefers_dma32_over_fragmenting_normal(void)
{
	struct model_desc d;
	struct evlog log;

	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 16);
	add_zone(&d, MODEL_ZONE_NORMAL, 16);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 0, "MMMM", "|F.......|........|F.u.m...|m.......|");

	EXPECT_ALLOC(m, 0, gfp_of[U], 0);
	EXPECT_PAGEBLOCKS(m, 0, "UUMM");
	EXPECT_BLOCKS(m, 0, "|uFF.F...|F.......|F.u.m...|m.......|");
	CHECK(log.n == 1, "%d events", log.n);
	EXPECT_EXTFRAG(&log, 0, 0, 0, U, 4, M, true, MODEL_ZONE_DMA32);
	CHECK(model_counter(m, MODEL_PGALLOC_DMA32) == 1 &&
	      model_counter(m, MODEL_PGALLOC_NORMAL) == 0);
	model_free_all(m);
}

/*
 * ALLOC_NOFRAGMENT still claims whole pageblocks (min_order =
 * pageblock_order) in the preferred zone.
 *
 *  zones        DMA32             Normal
 *  pageblocks   M        M        M        M
 *  before:     |F.......|........|m.......|F.......|
 *  alloc order 0 unmovable -> 24: Normal's free pageblock is claimed
 *  pageblocks   M        M        M        U
 *  after:      |F.......|........|m.......|uFF.F...|
 */
static void nofragment_claims_whole_pageblocks_in_normal(void)
{
	struct model_desc d;
	struct evlog log;

	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 16);
	add_zone(&d, MODEL_ZONE_NORMAL, 16);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 0, "MMMM", "|F.......|........|m.......|F.......|");

	EXPECT_ALLOC(m, 0, gfp_of[U], 24);
	EXPECT_PAGEBLOCKS(m, 0, "MMMU");
	EXPECT_BLOCKS(m, 0, "|F.......|........|m.......|uFF.F...|");
	EXPECT_EXTFRAG(&log, 0, 24, 0, U, 3, M, true, MODEL_ZONE_NORMAL);
	CHECK(model_counter(m, MODEL_PGALLOC_NORMAL) == 1);
	model_free_all(m);
}

/* ==== watermarks ==== */

/*
 * __zone_watermark_ok(): DMA32's lowmem_reserve[ZONE_NORMAL] keeps requests
 * that may use Normal out of DMA32 (free <= min + reserve fails); a DMA32
 * request uses lowmem_reserve[ZONE_DMA32] = 0.
 *
 *  zones        DMA32 (lowmem_reserve[Normal] 16)   Normal
 *  before:     |F.......|........|m.......|........|
 *  alloc order 0 movable              -> fails (16 free <= 0 + 16)
 *  alloc order 0 movable | __GFP_DMA32 -> 0
 *  after:      |mFF.F...|F.......|m.......|........|
 */
static void lowmem_reserve_keeps_normal_requests_out_of_dma32(void)
{
	struct model_desc d;

	desc_small(&d);
	struct model_zone_desc *dma32 = add_zone(&d, MODEL_ZONE_DMA32, 16);
	dma32->lowmem_reserve[MODEL_ZONE_NORMAL] = 16;
	dma32->lowmem_reserve[MODEL_ZONE_MOVABLE] = 16;
	add_zone(&d, MODEL_ZONE_NORMAL, 16);
	struct model *m = build(&d, NULL);
	if (!m)
		return;
	SEED(m, 0, "MMMM", "|F.......|........|m.......|........|");

	EXPECT_ALLOC(m, 0, gfp_of[M], MODEL_PFN_NONE);
	CHECK(model_counter(m, MODEL_ALLOC_FAIL) == 1);
	EXPECT_BLOCKS(m, 0, "|F.......|........|m.......|........|");
	EXPECT_ALLOC(m, 0, gfp_of[M] | MODEL_GFP_DMA32, 0);
	EXPECT_BLOCKS(m, 0, "|mFF.F...|F.......|m.......|........|");
	CHECK(model_counter(m, MODEL_PGALLOC_DMA32) == 1);
	model_free_all(m);
}

/*
 * The fast path checks the low watermark, the slow path the min watermark
 * (__GFP_HIGH | non-blocking: min - min/2 - (min/2)/4); each check is
 * free > mark.
 *
 *  16 pages, watermarks 4/8/12
 *  allocs 1-8 (16..9 free):  fast path
 *  allocs 9-12 (8..5 free):  slow path, > min 4
 *  alloc 13 (4 free):        fails
 *  GFP_ATOMIC (4, 3 free):   slow path, > 2; at 2 free it fails
 */
static void watermark_low_in_fast_path_min_in_slow_path(void)
{
	struct model_desc d;

	desc_small(&d);
	set_wmarks(add_zone(&d, MODEL_ZONE_DMA32, 16), 4, 8, 12);
	struct model *m = build(&d, NULL);
	if (!m)
		return;
	ONLINE(m, 0, 16);

	for (uint64_t i = 0; i < 12; i++) {
		EXPECT_ALLOC(m, 0, gfp_of[M], i);
		CHECK(model_counter(m, MODEL_ALLOC_SLOWPATH) == (i < 8 ? 0 : i - 7),
		      "alloc %" PRIu64 ": %" PRIu64 " slow paths", i,
		      model_counter(m, MODEL_ALLOC_SLOWPATH));
	}
	EXPECT_ALLOC(m, 0, gfp_of[M], MODEL_PFN_NONE);
	CHECK(model_counter(m, MODEL_ALLOC_SLOWPATH) == 5 && model_counter(m, MODEL_ALLOC_FAIL) == 1);

	uint32_t atomic = MODEL_GFP_ATOMIC | MODEL_GFP_MOVABLE;
	EXPECT_ALLOC(m, 0, atomic, 12);
	EXPECT_ALLOC(m, 0, atomic, 13);
	EXPECT_ALLOC(m, 0, atomic, MODEL_PFN_NONE);
	CHECK(model_counter(m, MODEL_ALLOC_SLOWPATH) == 8 && model_counter(m, MODEL_ALLOC_FAIL) == 2);
	EXPECT_BLOCKS(m, 0, "|mmmmmmmm|mmmmmmF.|");
	model_free_all(m);
}

/*
 * __zone_watermark_ok() for order > 0: enough free pages is not enough, a
 * free block of at least the order must be on a usable list.
 *
 *  pageblocks   M        M
 *  before:     |FmFmFmFm|FmFmFmFm|   8 free pages, all order 0
 *  alloc order 1 movable -> fails;  alloc order 0 movable -> 0
 */
static void raw_zone_watermark_ok_needs_a_free_block_of_the_order(void)
{
	struct model_desc d;

	desc_small(&d);
	add_zone(&d, MODEL_ZONE_DMA32, 16);
	struct model *m = build(&d, NULL);
	if (!m)
		return;
	SEED(m, 0, "MM", "|FmFmFmFm|FmFmFmFm|");

	EXPECT_ALLOC(m, 1, gfp_of[M], MODEL_PFN_NONE);
	CHECK(model_counter(m, MODEL_ALLOC_FAIL) == 1);
	EXPECT_ALLOC(m, 0, gfp_of[M], 0);
	EXPECT_BLOCKS(m, 0, "|mmFmFmFm|FmFmFmFm|");
	model_free_all(m);
}

/* ==== highatomic reserves ==== */

/*
 * reserve_highatomic_pageblock(): a high-order atomic request that needed the
 * slow path (ALLOC_WMARK_MIN) reserves its pageblock, whose free pages move
 * to the HIGHATOMIC lists, up to ~1% of the zone (managed 800: one
 * pageblock). Later ALLOC_HIGHATOMIC requests use the reserve first, and no
 * further block is reserved past the limit. Highatomic pages do not count as
 * free for other requests; when one of them fails after reclaim,
 * unreserve_highatomic_pageblock(force) gives the block back, retyped to
 * that request's type.
 *
 *  16 pages (managed 800), watermarks 1/16/20
 *  pageblocks   M        M
 *  before:     |F.......|........|
 *  GFP_ATOMIC order 1 -> 0: claims 0-15 (U), then reserves pageblock 0
 *  pageblocks   H        U
 *              |u.F.F...|F.......|   2, 4 on H lists; 8 on the U list
 *  GFP_ATOMIC order 1 -> 2, from the reserve
 *              |u.u.F...|F.......|
 *  GFP_ATOMIC order 3 -> 8, from the U list; the reserve is full: 8 stays U
 *              |u.u.F...|u.......|
 *  GFP_KERNEL movable order 0: 4 free - 4 highatomic <= min 1, fails;
 *  unreserve(force) moves 4 to M; 4 > 1 -> 4, straight from the M list
 *  pageblocks   M        U
 *  after:      |u.u.mFF.|u.......|
 */
static void reserve_highatomic_pageblock_and_unreserve(void)
{
	struct model_desc d;
	struct evlog log;

	desc_small(&d);
	struct model_zone_desc *z = add_zone(&d, MODEL_ZONE_DMA32, 16);
	z->managed = 800;
	set_wmarks(z, 1, 16, 20);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	ONLINE(m, 0, 16);

	EXPECT_ALLOC(m, 1, MODEL_GFP_ATOMIC, 0);
	EXPECT_PAGEBLOCKS(m, 0, "HU");
	EXPECT_BLOCKS(m, 0, "|u.F.F...|F.......|");
	EXPECT_EXTFRAG(&log, 0, 0, 1, U, 4, M, true, MODEL_ZONE_DMA32);
	struct model_zone_info zi = zinfo(m, 0);
	CHECK(zi.nr_reserved_highatomic == 8 && zi.nr_free_highatomic == 6,
	      "reserved %ld, free highatomic %ld", zi.nr_reserved_highatomic, zi.nr_free_highatomic);
	CHECK(zi.nr_free[1][H] == 1 && zi.nr_free[2][H] == 1 && zi.nr_free[3][U] == 1);
	CHECK(model_counter(m, MODEL_HIGHATOMIC_RESERVE) == 1 &&
	      model_counter(m, MODEL_ALLOC_SLOWPATH) == 1);

	log.n = 0;
	EXPECT_ALLOC(m, 1, MODEL_GFP_ATOMIC, 2);
	EXPECT_BLOCKS(m, 0, "|u.u.F...|F.......|");
	EXPECT_EVENT(&log, MODEL_EV_ZONE_LOCKED, 0, 2, 1, H);
	const struct model_event *e = event(&log, MODEL_EV_ZONE_LOCKED, 0);
	CHECK(e && !e->percpu_refill, "a HIGHATOMIC zone_locked is no pcp refill");
	zi = zinfo(m, 0);
	CHECK(zi.nr_reserved_highatomic == 8 && zi.nr_free_highatomic == 4);

	EXPECT_ALLOC(m, 3, MODEL_GFP_ATOMIC, 8);
	EXPECT_PAGEBLOCKS(m, 0, "HU");
	EXPECT_BLOCKS(m, 0, "|u.u.F...|u.......|");
	CHECK(zinfo(m, 0).nr_reserved_highatomic == 8);
	CHECK(model_counter(m, MODEL_HIGHATOMIC_RESERVE) == 1);

	log.n = 0;
	EXPECT_ALLOC(m, 0, gfp_of[M], 4);
	EXPECT_PAGEBLOCKS(m, 0, "MU");
	EXPECT_BLOCKS(m, 0, "|u.u.mFF.|u.......|");
	/* the block came back as MOVABLE: a plain __rmqueue_smallest(), no fallback */
	CHECK(nr_events(&log, MODEL_EV_EXTFRAG) == 0 && nr_events(&log, MODEL_EV_ZONE_LOCKED) == 1);
	EXPECT_EVENT(&log, MODEL_EV_ZONE_LOCKED, 0, 4, 0, M);
	EXPECT_PAGE(m, 6, MODEL_PAGE_FREE, 1, M);
	zi = zinfo(m, 0);
	CHECK(zi.nr_reserved_highatomic == 0 && zi.nr_free_highatomic == 0);
	CHECK(model_counter(m, MODEL_HIGHATOMIC_UNRESERVE) == 1 &&
	      model_counter(m, MODEL_ALLOC_FAIL) == 0);
	model_free_all(m);
}

/*
 * A HIGHATOMIC pageblock in a snapshot was reserved by the kernel, so it
 * counts in zone->nr_reserved_highatomic, and with the zone's ~1% reached
 * reserve_highatomic_pageblock() reserves no second one.
 *
 *  16 pages (managed 800: one pageblock of reserve), watermarks 4/16/20
 *  pageblocks   H        M
 *  before:     |u.......|F.......|   nr_reserved_highatomic 8
 *  GFP_ATOMIC order 1 -> 8, pageblock 1 claimed (U), not reserved
 *  pageblocks   H        U
 *  after:      |u.......|u.F.F...|
 */
static void reserve_highatomic_pageblock_counts_seeded_reserves(void)
{
	struct model_desc d;

	desc_small(&d);
	struct model_zone_desc *z = add_zone(&d, MODEL_ZONE_DMA32, 16);
	z->managed = 800;
	set_wmarks(z, 4, 16, 20);
	struct model *m = build(&d, NULL);
	if (!m)
		return;
	SEED(m, 0, "HM", "|u.......|F.......|");
	CHECK(zinfo(m, 0).nr_reserved_highatomic == 8, "seeded reserve counted as %ld pages",
	      zinfo(m, 0).nr_reserved_highatomic);

	EXPECT_ALLOC(m, 1, MODEL_GFP_ATOMIC, 8);
	EXPECT_PAGEBLOCKS(m, 0, "HU");
	EXPECT_BLOCKS(m, 0, "|u.......|u.F.F...|");
	CHECK(model_counter(m, MODEL_HIGHATOMIC_RESERVE) == 0);
	CHECK(zinfo(m, 0).nr_reserved_highatomic == 8);
	model_free_all(m);
}

/* ==== per-CPU lists ==== */

/*
 * free_frozen_page_commit() adds to the head of the pcp list and
 * __rmqueue_pcplist() takes the head; rmqueue_bulk() refills only an empty
 * list, appending in the order __rmqueue() hands pages out.
 *
 *  pcp batch 2, high 8
 *  pageblocks   M        M
 *  before:     |mmmmmmmm|F.......|
 *  free 3, free 5   -> pcp list 5, 3
 *              |mmmPmPmm|F.......|
 *  alloc order 0 movable -> 5, then 3, then 8 (refill of 2: 8, 9)
 *  after:      |mmmmmmmm|mPF.F...|
 */
static void pcp_frees_to_list_head_and_allocates_from_head(void)
{
	struct model_desc d;

	desc_small(&d);
	set_pcp(add_zone(&d, MODEL_ZONE_DMA32, 16), 2, 8);
	struct model *m = build(&d, NULL);
	if (!m)
		return;
	SEED(m, 0, "MM", "|mmmmmmmm|F.......|");

	FREE(m, 3, 0);
	FREE(m, 5, 0);
	EXPECT_BLOCKS(m, 0, "|mmmPmPmm|F.......|");
	CHECK(pcpinfo(m, 0).count == 2 && model_counter(m, MODEL_PCP_DRAIN_PAGES) == 0);
	EXPECT_ALLOC(m, 0, gfp_of[M], 5);
	EXPECT_ALLOC(m, 0, gfp_of[M], 3);
	CHECK(model_counter(m, MODEL_PCP_REFILL_PAGES) == 0);
	EXPECT_ALLOC(m, 0, gfp_of[M], 8);
	CHECK(model_counter(m, MODEL_PCP_REFILL_PAGES) == 2 && pcpinfo(m, 0).count == 1);
	EXPECT_BLOCKS(m, 0, "|mmmmmmmm|mPF.F...|");
	model_free_all(m);
}

/*
 * zone_highsize(): a zone's pcp high_min (the low watermark) and high_max
 * (an eighth of the zone) are split over the online CPUs of the zone's node,
 * cpumask_of_node(zone_to_nid(zone)), not over every CPU. The model is node
 * 0: on a NUMA host its pagesets are sized by node 0's CPUs
 * (model_desc.node_cpus, from the trace's cpu_node). In numa2-guest-6.12.frt
 * (two nodes, a CPU each) both nodes' DMA32 start with "high" equal to their
 * low watermark (10,606 and 10,352): split over one CPU, not two.
 *
 *  4 CPUs, 1 of them on node 0; DMA32 of 256 pages, low watermark 40, batch 2
 *  split over 4: high_min 40 / 4 = 10, high_max 256 / 8 / 4 = 8 -> 10
 *  split over 1: high_min 40,          high_max 256 / 8 = 32    -> 40
 */
static void pcp_high_splits_over_the_node_cpus(void)
{
	for (unsigned int node_cpus = 0; node_cpus <= 1; node_cpus++) {
		struct model_desc d;

		desc_small(&d);
		d.nr_cpus = 4;
		d.node_cpus = node_cpus; /* 0: not recorded, every CPU */
		struct model_zone_desc *z = add_zone(&d, MODEL_ZONE_DMA32, 256);
		z->managed = 256;
		set_wmarks(z, 30, 40, 50);
		z->pcp_batch = 2;
		z->pcp_high_min = -1; /* computed */
		z->pcp_high_max = 0;
		struct model *m = build(&d, NULL);
		if (!m)
			return;
		struct model_zone_info zi = zinfo(m, 0);
		int want = node_cpus ? 40 : 10;
		CHECK(zi.pcp_high_min == want && zi.pcp_high_max == want && pcpinfo(m, 0).high == want,
		      "node_cpus %u: high_min %d high_max %d high %d, want %d", node_cpus,
		      zi.pcp_high_min, zi.pcp_high_max, pcpinfo(m, 0).high, want);
		model_free_all(m);
	}
}

/*
 * nr_pcp_alloc(): an order-0 refill is batch << alloc_factor, capped at
 * max(high - count - batch, batch); alloc_factor grows (up to 5) while the
 * refill fits, and a free halves it. Refills of order > 0 take
 * max(batch >> order, 2) blocks.
 *
 *  64 pages, pcp batch 4, high 16 (high_min == high_max: high does not move)
 *  alloc order 0 x 13 -> 0..12; refills at allocs 1, 5, 13 of 4, 8, 12 pages
 *  (4 << 0, 4 << 1, min(4 << 2, 16 - 0 - 4)); alloc_factor 1, 2, 2
 *  free 12 -> alloc_factor 1; alloc order 1 -> 24, a refill of 2 order-1 blocks
 *  (24, 26); alloc order 0 -> 12, the page just freed
 *  pageblocks   M        M        M        M
 *  after:      |mmmmmmmm|mmmmmPPP|PPPPPPPP|m.P.F...|   then free order-4 blocks
 */
static void pcp_refill_batch_and_order0_alloc_factor(void)
{
	struct model_desc d;
	struct evlog log;
	struct model_pcp_info pi;

	desc_small(&d);
	struct model_zone_desc *z = add_zone(&d, MODEL_ZONE_DMA32, 64);
	set_wmarks(z, 1, 2, 3);
	set_pcp(z, 4, 16);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	ONLINE(m, 0, 64);

	for (uint64_t i = 0; i < 13; i++) {
		EXPECT_ALLOC(m, 0, gfp_of[M], i);
		pi = pcpinfo(m, 0);
		if (i == 0)
			CHECK(pi.count == 3 && pi.alloc_factor == 1 &&
			      model_counter(m, MODEL_PCP_REFILL_PAGES) == 4,
			      "count %d factor %d", pi.count, pi.alloc_factor);
		if (i == 4)
			CHECK(pi.count == 7 && pi.alloc_factor == 2 &&
			      model_counter(m, MODEL_PCP_REFILL_PAGES) == 12,
			      "count %d factor %d", pi.count, pi.alloc_factor);
		if (i == 12)
			CHECK(pi.count == 11 && pi.alloc_factor == 2 &&
			      model_counter(m, MODEL_PCP_REFILL_PAGES) == 24,
			      "count %d factor %d", pi.count, pi.alloc_factor);
	}
	CHECK(nr_events(&log, MODEL_EV_ZONE_LOCKED) == 24);
	for (int i = 0; i < 24; i++) {
		const struct model_event *e = event(&log, MODEL_EV_ZONE_LOCKED, i);

		CHECK(e && e->pfn == (uint64_t)i && e->order == 0 && e->migratetype == M &&
		      e->percpu_refill, "zone_locked #%d", i);
	}

	FREE(m, 12, 0);
	pi = pcpinfo(m, 0);
	CHECK(pi.alloc_factor == 1 && pi.count == 12, "factor %d count %d", pi.alloc_factor,
	      pi.count);
	EXPECT_ALLOC(m, 1, gfp_of[M], 24);
	EXPECT_PAGE(m, 26, MODEL_PAGE_PCP, 1, M);
	pi = pcpinfo(m, 0);
	CHECK(pi.count == 14 && pi.alloc_factor == 1, "count %d factor %d", pi.count,
	      pi.alloc_factor);
	CHECK(model_counter(m, MODEL_PCP_REFILL_PAGES) == 28);
	EXPECT_ALLOC(m, 0, gfp_of[M], 12);
	EXPECT_BLOCKS(m, 0, "|mmmmmmmm|mmmmmPPP|PPPPPPPP|m.P.F...|"
			    "F.......|........|F.......|........|");
	model_free_all(m);
}

/*
 * free_pcppages_bulk(): at count >= high, nr_pcp_free() pages go back to the
 * buddy lists from the tail of the list just freed to, each to the list of
 * its pageblock's type as read at drain time. A page of a HIGHATOMIC block
 * waits on the MOVABLE pcp list and drains to the HIGHATOMIC free list.
 *
 *  pcp batch 2, high 4 (nr_pcp_free: clamp(free_count 4, batch 2, high - batch 2) = 2)
 *  pageblocks   M        H
 *  before:     |mmmmm.m.|uuu.u...|
 *  free 8, 0, 2, 3  -> movable pcp list 3, 2, 0, 8; count 4 >= high
 *  drain 8 (to the H list), then 0 (to the M list)
 *  after:      |FmPPm.m.|Fuu.u...|
 */
static void free_pcppages_bulk_drains_from_tail_and_rereads_block_type(void)
{
	struct model_desc d;
	struct evlog log;

	desc_small(&d);
	set_pcp(add_zone(&d, MODEL_ZONE_DMA32, 16), 2, 4);
	struct model *m = build(&d, &log);
	if (!m)
		return;
	SEED(m, 0, "MH", "|mmmmm.m.|uuu.u...|");

	FREE(m, 8, 0);
	EXPECT_PAGE(m, 8, MODEL_PAGE_PCP, 0, M);
	FREE(m, 0, 0);
	FREE(m, 2, 0);
	CHECK(log.n == 0 && pcpinfo(m, 0).count == 3);
	FREE(m, 3, 0);
	EXPECT_BLOCKS(m, 0, "|FmPPm.m.|Fuu.u...|");
	EXPECT_PAGE(m, 8, MODEL_PAGE_FREE, 0, H);
	EXPECT_PAGE(m, 0, MODEL_PAGE_FREE, 0, M);
	CHECK(log.n == 2, "%d events", log.n);
	EXPECT_EVENT(&log, MODEL_EV_PCPU_DRAIN, 0, 8, 0, H);
	EXPECT_EVENT(&log, MODEL_EV_PCPU_DRAIN, 1, 0, 0, M);
	struct model_zone_info zi = zinfo(m, 0);
	CHECK(zi.nr_free[0][H] == 1 && zi.nr_free[0][M] == 1 && zi.nr_free_highatomic == 1);
	CHECK(pcpinfo(m, 0).count == 2 && model_counter(m, MODEL_PCP_DRAIN_PAGES) == 2);
	model_free_all(m);
}

/*
 * The two tests' model: 32 pages of DMA32 seeded with @pbs and @drawing,
 * watermarks 10/11/12, pcp batch 1 high 8, and the movable pages at 3 and 5
 * freed onto the pcp list.
 */
/*
 * model_seed_pcp(): a block the trace shows on a CPU's pcp list at the start
 * is put where free_frozen_pages() puts a freed one: the list of its
 * pageblock's type, MOVABLE for a HIGHATOMIC block (free_frozen_pages()
 * "migratetype = MIGRATE_MOVABLE" for types above the pcp ones), and an order
 * pcp lists do not take (pcp_allowed_order()) on the buddy lists. Not merged
 * with free buddies; the CPU's next request of that order and list takes it
 * from the list's head (rmqueue_pcplist()) without a refill.
 *
 *  32 pages, 2 CPUs, pcp batch 1 high 8
 *  pageblocks   U        H        M        M
 *  seed:       |Puu.u...|P.m.m...|F...............|
 *               0: pcp of CPU 1; 8-9: pcp of CPU 0; 16-31 (order 4): buddy
 */
static void seed_pcp_lists_as_free_frozen_pages(void)
{
	struct model_desc d;

	desc_small(&d);
	d.nr_cpus = 2;
	struct model_zone_desc *z = add_zone(&d, MODEL_ZONE_DMA32, 32);
	set_wmarks(z, 1, 1, 1);
	set_pcp(z, 1, 8);
	struct model *m = build(&d, NULL);
	if (!m)
		return;
	static const char pbs[] = "UHMM";
	for (int i = 0; i < 4; i++)
		CHECK(model_seed_pageblock(m, (uint64_t)i * PB,
					   (enum model_mt)(strchr(mt_letters, pbs[i]) - mt_letters)) == 0);
	CHECK(model_seed_pcp(m, 0, 0, 1) == 0);
	CHECK(model_seed_alloc(m, 1, 0, MODEL_MT_UNMOVABLE) == 0);
	CHECK(model_seed_alloc(m, 2, 1, MODEL_MT_UNMOVABLE) == 0);
	CHECK(model_seed_alloc(m, 4, 2, MODEL_MT_UNMOVABLE) == 0);
	CHECK(model_seed_pcp(m, 8, 1, 0) == 0);
	CHECK(model_seed_alloc(m, 10, 1, MODEL_MT_MOVABLE) == 0);
	CHECK(model_seed_alloc(m, 12, 2, MODEL_MT_MOVABLE) == 0);
	CHECK(model_seed_pcp(m, 16, 4, 0) == 0);
	CHECK(model_seed_done(m) == 0);
	model_ok(m, __LINE__);
	EXPECT_BLOCKS(m, 0, "|Puu.u...|P.m.m...|F.......|........|");

	struct model_page_info pi;
	struct model_pcp_info p0, p1;
	CHECK(model_page_info(m, 0, &pi) == 0 && pi.mt == MODEL_MT_UNMOVABLE, "pfn 0 list %d", pi.mt);
	CHECK(model_page_info(m, 8, &pi) == 0 && pi.mt == MODEL_MT_MOVABLE && pi.order == 1,
	      "pfn 8 list %d order %u", pi.mt, pi.order);
	CHECK(model_pcp_info(m, 0, 0, &p0) == 0 && model_pcp_info(m, 0, 1, &p1) == 0);
	CHECK(p0.count == 2 && p1.count == 1, "pcp counts %d %d", p0.count, p1.count);
	CHECK(nr_free(m, 0, 4, MODEL_MT_MOVABLE) == 1 && zinfo(m, 0).nr_free_pages == 16,
	      "buddy: %ld free", zinfo(m, 0).nr_free_pages);

	struct model_req u1 = { .order = 0, .gfp = gfp_of[U], .cpu = 1 };
	struct model_req m0 = { .order = 1, .gfp = gfp_of[M], .cpu = 0 };
	CHECK(model_alloc(m, &u1) == 0);
	CHECK(model_alloc(m, &m0) == 8);
	CHECK(model_counter(m, MODEL_PCP_REFILL_PAGES) == 0);
	model_ok(m, __LINE__);
	model_free_all(m);
}

/*
 * nr_pcp_high() under ZONE_RECLAIM_ACTIVE (kswapd's balance_pgdat() sets it):
 * high shrinks by the pages freed since the last drain, and the list is kept
 * to min(batch << 2, high), so frees reach the buddy lists while kswapd
 * reclaims; nr_pcp_free() then frees clamp(free_count, batch, high - batch).
 *
 *  32 pages, pcp batch 1 high 8 (fixed); free pfns 0, 2, 4, 6 on CPU 0
 *  not reclaim-active: |PmPmPmPm|...  4 on the list, nothing drained
 *  reclaim-active:     the 4th free reaches batch << 2 = 4: 3 drained
 *                      (the oldest, from the tail), 1 on the list
 */
static void nr_pcp_high_keeps_lists_short_while_reclaim_active(void)
{
	for (int active = 0; active < 2; active++) {
		struct model_desc d;

		desc_small(&d);
		struct model_zone_desc *z = add_zone(&d, MODEL_ZONE_DMA32, 32);
		set_wmarks(z, 1, 1, 1);
		set_pcp(z, 1, 8);
		struct model *m = build(&d, NULL);
		if (!m)
			return;
		SEED(m, 0, "MMMM", "|mmmmmmmm|mmmmmmmm|mmmmmmmm|mmmmmmmm|");
		model_set_reclaim_active(m, active);
		for (uint64_t pfn = 0; pfn < 8; pfn += 2)
			FREE(m, pfn, 0);
		if (active) {
			EXPECT_BLOCKS(m, 0, "|FmFmFmPm|");
			CHECK(pcpinfo(m, 0).count == 1 &&
			      model_counter(m, MODEL_PCP_DRAIN_PAGES) == 3,
			      "pcp %d, drained %" PRIu64, pcpinfo(m, 0).count,
			      model_counter(m, MODEL_PCP_DRAIN_PAGES));
		} else {
			EXPECT_BLOCKS(m, 0, "|PmPmPmPm|");
			CHECK(pcpinfo(m, 0).count == 4 && model_counter(m, MODEL_PCP_DRAIN_PAGES) == 0);
		}
		model_free_all(m);
	}
}

static struct model *pcp_model(struct evlog *log, const char *pbs, const char *drawing, int line)
{
	struct model_desc d;

	desc_small(&d);
	struct model_zone_desc *z = add_zone(&d, MODEL_ZONE_DMA32, 32);
	set_wmarks(z, 10, 11, 12);
	set_pcp(z, 1, 8);
	struct model *m = build(&d, log);
	if (!m)
		return NULL;
	seed(m, 0, pbs, drawing, line);
	free_block(m, 3, 0, line);
	free_block(m, 5, 0, line);
	return m;
}

/*
 * __alloc_pages_direct_reclaim(): drain_all_pages() (with the highatomic
 * unreserve) runs only when reclaim made progress and the retry after it
 * still failed. The model does not reclaim: for a request the kernel failed
 * it drains and retries as the kernel would have; for one the kernel served
 * (MODEL_REQ_NO_WATERMARKS) the kernel's reclaim gave the page, so nothing
 * drains and forced_alloc() takes one page from the buddy lists.
 *
 *  32 pages, watermarks 10/11/12, pcp batch 1 high 8 (frees stay on the list)
 *  pageblocks   M        M        M        M
 *  before:     |mmmPmPmm|mmmmmmmm|mmmmmmmm|F.......|   8 free, 2 on the pcp list
 *  alloc order 0 movable, the kernel served it -> 24; the pcp list stays
 *  after:      |mmmPmPmm|mmmmmmmm|mmmmmmmm|mFF.F...|
 *  alloc order 0 movable, the kernel failed it -> fails after the drain
 *  after:      |mmmFmFmm|mmmmmmmm|mmmmmmmm|mFF.F...|
 */
static void direct_reclaim_drains_pcp_only_when_the_kernel_failed(void)
{
	struct evlog log;
	struct model *m = pcp_model(&log, "MMMM", "|mmmmmmmm|mmmmmmmm|mmmmmmmm|F.......|", __LINE__);

	if (!m)
		return;
	EXPECT_BLOCKS(m, 0, "|mmmPmPmm|mmmmmmmm|mmmmmmmm|F.......|");

	struct model_req served = { .order = 0, .gfp = gfp_of[M],
				    .flags = MODEL_REQ_NO_WATERMARKS };
	uint64_t pfn = model_alloc(m, &served);
	model_ok(m, __LINE__);
	CHECK(pfn == 24, "served: pfn %" PRId64, (int64_t)pfn);
	EXPECT_BLOCKS(m, 0, "|mmmPmPmm|mmmmmmmm|mmmmmmmm|mFF.F...|");
	CHECK(pcpinfo(m, 0).count == 2 && model_counter(m, MODEL_PCP_DRAIN_PAGES) == 0,
	      "pcp count %d, drained %" PRIu64, pcpinfo(m, 0).count,
	      model_counter(m, MODEL_PCP_DRAIN_PAGES));
	CHECK(model_counter(m, MODEL_WMARK_OVERRIDE) == 1);

	EXPECT_ALLOC(m, 0, gfp_of[M], MODEL_PFN_NONE);
	EXPECT_BLOCKS(m, 0, "|mmmFmFmm|mmmmmmmm|mmmmmmmm|mFF.F...|");
	CHECK(pcpinfo(m, 0).count == 0 && model_counter(m, MODEL_PCP_DRAIN_PAGES) == 2,
	      "pcp count %d, drained %" PRIu64, pcpinfo(m, 0).count,
	      model_counter(m, MODEL_PCP_DRAIN_PAGES));
	model_free_all(m);
}

/*
 * The kernel falls back (steals, claims below pageblock order) in its slow
 * path only after __alloc_pages_direct_reclaim()'s retry failed and
 * drained every CPU's lists (drain_all_pages(), with the highatomic
 * unreserve). The model's stand-in for a request the kernel served
 * (forced_alloc(), MODEL_REQ_NO_WATERMARKS) does the same before its
 * fallback: the two movable pages on the pcp list go back to the buddy
 * lists and the request takes one, where it had stolen from the unmovable
 * block.
 *
 *  32 pages, watermarks 10/11/12 (2 free: below min), pcp batch 1 high 8
 *  pageblocks   M        M        M        U
 *  before:     |mmmPmPmm|mmmmmmmm|mmmmmmmm|uuuuuuF.|
 *  alloc order 0 movable, the kernel served it: the drain, then 5
 *  after:      |mmmFmmmm|mmmmmmmm|mmmmmmmm|uuuuuuF.|   no extfrag event
 */
static void forced_alloc_drains_before_it_falls_back(void)
{
	struct evlog log;
	struct model *m = pcp_model(&log, "MMMU", "|mmmmmmmm|mmmmmmmm|mmmmmmmm|uuuuuuF.|", __LINE__);

	if (!m)
		return;
	EXPECT_BLOCKS(m, 0, "|mmmPmPmm|mmmmmmmm|mmmmmmmm|uuuuuuF.|");
	log.n = 0;

	struct model_req served = { .order = 0, .gfp = gfp_of[M],
				    .flags = MODEL_REQ_NO_WATERMARKS };
	uint64_t pfn = model_alloc(m, &served);
	model_ok(m, __LINE__);
	CHECK(pfn == 5, "served: pfn %" PRId64, (int64_t)pfn);
	EXPECT_BLOCKS(m, 0, "|mmmFmmmm|mmmmmmmm|mmmmmmmm|uuuuuuF.|");
	CHECK(nr_events(&log, MODEL_EV_EXTFRAG) == 0, "%d extfrag events",
	      nr_events(&log, MODEL_EV_EXTFRAG));
	CHECK(model_counter(m, MODEL_PCP_DRAIN_PAGES) == 2 && model_counter(m, MODEL_WMARK_OVERRIDE) == 1);
	model_free_all(m);
}

int main(void)
{
	RUN(expand_frees_upper_halves_smallest_order_first);
	RUN(buddy_merge_likely_puts_at_tail);
	RUN(raw_free_one_page_merges_across_pageblock_types);
	RUN(raw_free_one_page_no_merge_with_highatomic_at_pageblock_order);
	RUN(split_large_buddy_frees_each_pageblock_with_its_type);
	RUN(split_page_then_free_page_by_page);
	RUN(try_to_claim_block_claims_at_half_a_pageblock);
	RUN(try_to_claim_block_steals_below_half);
	RUN(try_to_claim_block_counts_no_alike_pages_in_reclaimable_blocks);
	RUN(should_try_claim_block_movable_needs_half_pageblock_order);
	RUN(claim_whole_block_at_pageblock_order);
	RUN(fallback_order_unmovable);
	RUN(fallback_order_movable);
	RUN(fallback_order_reclaimable);
	RUN(rmqueue_bulk_keeps_steal_mode);
	RUN(boost_watermark_adds_a_pageblock_and_caps);
	RUN(boost_watermark_needs_four_pageblocks_and_a_factor);
	RUN(nofragment_refuses_to_fragment_normal_then_falls_back);
	RUN(nofragment_prefers_dma32_over_fragmenting_normal);
	RUN(nofragment_claims_whole_pageblocks_in_normal);
	RUN(lowmem_reserve_keeps_normal_requests_out_of_dma32);
	RUN(watermark_low_in_fast_path_min_in_slow_path);
	RUN(seed_pcp_lists_as_free_frozen_pages);
	RUN(nr_pcp_high_keeps_lists_short_while_reclaim_active);
	RUN(direct_reclaim_drains_pcp_only_when_the_kernel_failed);
	RUN(forced_alloc_drains_before_it_falls_back);
	RUN(raw_zone_watermark_ok_needs_a_free_block_of_the_order);
	RUN(reserve_highatomic_pageblock_and_unreserve);
	RUN(reserve_highatomic_pageblock_counts_seeded_reserves);
	RUN(pcp_frees_to_list_head_and_allocates_from_head);
	RUN(pcp_high_splits_over_the_node_cpus);
	RUN(pcp_refill_batch_and_order0_alloc_factor);
	RUN(free_pcppages_bulk_drains_from_tail_and_rereads_block_type);
	return CHECK_DONE();
}
