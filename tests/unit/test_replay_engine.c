/* SPDX-License-Identifier: MIT */
/*
 * test_replay_engine - DESIGN.md's replay semantics, event by event on a
 * small model, then on the real samples (determinism, and how much of each
 * trace the engine can follow).
 *
 * Usage: test_replay_engine TRACE.frt...
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine.h"
#include "notes.h"
#include "series.h"
#include "setup.h"
#include "trace.h"

#define BASE 4096ull

#define LIGHT ((MODEL_GFP_HIGHUSER_MOVABLE & ~(MODEL_GFP_DIRECT_RECLAIM | MODEL_GFP_KSWAPD_RECLAIM)) | \
	       MODEL_GFP_COMP | MODEL_GFP_NOMEMALLOC) /* GFP_TRANSHUGE_LIGHT */
#define TH (LIGHT | MODEL_GFP_DIRECT_RECLAIM)     /* GFP_TRANSHUGE */
#define FIRST (MODEL_GFP_THISNODE | MODEL_GFP_NORETRY) /* alloc_pages_mpol()'s first try */

/* one DMA32 zone of @span pfns at BASE, @managed of them, pageblock order 3,
 * MAX_PAGE_ORDER 4, watermarks 1, pcp batch 1: the callers add the rest */
static void dma32_desc(struct model_desc *d, uint64_t span, uint64_t managed)
{
	model_desc_init(d);
	d->knobs[MODEL_KNOB_PAGEBLOCK_ORDER] = 3;
	d->knobs[MODEL_KNOB_MAX_PAGE_ORDER] = 4;
	d->nr_zones = 1;
	d->zones[0] = (struct model_zone_desc){
		.type = MODEL_ZONE_DMA32, .start_pfn = BASE, .spanned = span, .managed = managed,
		.wmark_min = 1, .wmark_low = 1, .wmark_high = 1, .pcp_given = true, .pcp_batch = 1,
	};
}

/* one DMA32 zone of @span pages (pageblock order 3), the first @pages of them
 * memory (0: none, seeded by the test); pcp off, no compaction; the closed
 * loop as @feedback says */
static struct model *small_model_loop(uint64_t span, uint64_t pages, long feedback)
{
	struct model_desc d;

	dma32_desc(&d, span, pages);
	d.knobs[MODEL_KNOB_FEEDBACK] = feedback;
	d.knobs[MODEL_KNOB_COMPACTION] = 0;
	struct model *m = model_new(&d);
	CHECK(m);
	if (m && pages) /* none: the test seeds it */
		CHECK(model_online(m, BASE, pages) == 0);
	return m;
}

/* the tests up to the closed loop's pin the open loop's semantics (feedback=0) */
static struct model *small_model_online(uint64_t span, uint64_t pages)
{
	return small_model_loop(span, pages, 0);
}

static struct model *small_model(uint64_t pages)
{
	return small_model_online(pages, pages);
}

static uint64_t ts;

static struct frt_event alloc_ev(uint64_t pfn, unsigned int order, uint32_t gfp)
{
	struct frt_event e = { .ts = ++ts, .type = FRT_EV_PAGE_ALLOC };
	e.alloc.pfn = pfn;
	e.alloc.order = order;
	e.alloc.gfp_flags = gfp;
	return e;
}

static struct frt_event free_ev(uint64_t pfn, unsigned int order)
{
	struct frt_event e = { .ts = ++ts, .type = FRT_EV_PAGE_FREE };
	e.free.pfn = pfn;
	e.free.order = order;
	return e;
}

static int state(struct model *m, uint64_t pfn)
{
	struct model_page_info pi;
	return model_page_info(m, pfn, &pi) ? -1 : (int)pi.state;
}

static void ok(struct model *m)
{
	char err[256];
	CHECK(model_check(m, err, sizeof(err)) == 0, "%s", err);
}

static long free_pages(struct model *m)
{
	struct model_zone_info zi;
	model_zone_info(m, 0, &zi);
	return zi.nr_free_pages;
}

/* a free of the recorded pfn frees the block the model placed, wherever it is */
static void alloc_then_free_follows_the_model_block(void)
{
	struct model *m = small_model(32);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r)
		return;
	struct frt_event a = alloc_ev(BASE + 29, 2, MODEL_GFP_KERNEL); /* kernel put it at +29 */
	replay_feed(r, &a);
	/* the model's own choice: the head of the free lists, pfn BASE */
	CHECK(state(m, BASE) == MODEL_PAGE_ALLOC);
	CHECK(state(m, BASE + 28) == MODEL_PAGE_FREE || state(m, BASE + 28) == MODEL_PAGE_TAIL);
	struct frt_event f = free_ev(BASE + 29, 2);
	replay_feed(r, &f);
	CHECK(state(m, BASE) != MODEL_PAGE_ALLOC);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->allocs == 1 && st->frees == 1 && st->unmatched_frees == 0);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/* mm_page_free_batched repeats the mm_page_free before it: no second free */
static void free_batched_is_not_a_second_free(void)
{
	struct model *m = small_model(32);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r)
		return;
	struct frt_event a1 = alloc_ev(BASE + 8, 0, MODEL_GFP_KERNEL);
	struct frt_event a2 = alloc_ev(BASE + 9, 0, MODEL_GFP_KERNEL);
	replay_feed(r, &a1);
	replay_feed(r, &a2);
	struct frt_event f = free_ev(BASE + 8, 0);
	struct frt_event b = { .ts = ++ts, .type = FRT_EV_PAGE_FREE_BATCHED };
	b.free_batched.pfn = BASE + 8;
	replay_feed(r, &f);
	replay_feed(r, &b);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->batched_ignored == 1 && st->unmatched_frees == 0);
	/* the other block is still allocated in the model */
	CHECK(state(m, BASE + 1) == MODEL_PAGE_ALLOC, "state %d", state(m, BASE + 1));
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/* split_page(): an order-2 block freed page by page, from its middle */
static void partial_free_splits_the_block(void)
{
	struct model *m = small_model(32);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r)
		return;
	struct frt_event a = alloc_ev(BASE + 20, 2, MODEL_GFP_KERNEL); /* model: BASE..+3 */
	replay_feed(r, &a);
	struct frt_event f1 = free_ev(BASE + 22, 0);
	replay_feed(r, &f1);
	CHECK(state(m, BASE + 2) != MODEL_PAGE_ALLOC);
	CHECK(state(m, BASE) == MODEL_PAGE_ALLOC && state(m, BASE + 1) == MODEL_PAGE_ALLOC &&
	      state(m, BASE + 3) == MODEL_PAGE_ALLOC);
	for (uint64_t p = BASE + 20; p < BASE + 24; p++) {
		if (p == BASE + 22)
			continue;
		struct frt_event f = free_ev(p, 0);
		replay_feed(r, &f);
	}
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->partial_frees == 1 && st->unmatched_frees == 0, "partial %" PRIu64
	      " unmatched %" PRIu64, st->partial_frees, st->unmatched_frees);
	for (uint64_t p = BASE; p < BASE + 4; p++)
		CHECK(state(m, p) != MODEL_PAGE_ALLOC);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/*
 * A free of one block over several smaller ones the map holds: the kernel's
 * block is all of [pfn, pfn + 2^order), so each is freed. The case on the
 * real traces: a PMD-sized block on a per-CPU list at the start snapshot,
 * which FORMAT.md writes as 512 allocated order-0 pages (zero refcount, not a
 * buddy), handed out again and freed whole by the kernel (ab-thp-m1-r1: 417
 * of them). Before, such a free was unmatched and the pages stayed allocated
 * in the model for good. Here four order-0 blocks, then an order-2 free over
 * them (its pfn first, as the engine's inferred free before a reuse is too).
 */
static long free_pages(struct model *m);

static void free_over_smaller_blocks_frees_each(void)
{
	struct model *m = small_model(32);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r)
		return;
	long before = free_pages(m);
	for (uint64_t p = BASE + 8; p < BASE + 12; p++) {
		struct frt_event a = alloc_ev(p, 0, MODEL_GFP_KERNEL);
		replay_feed(r, &a);
	}
	CHECK(free_pages(m) == before - 4, "free %ld", free_pages(m));
	struct frt_event f = free_ev(BASE + 8, 2);
	replay_feed(r, &f);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->unmatched_frees == 0 && free_pages(m) == before, "unmatched %" PRIu64
	      ", free %ld, want %ld", st->unmatched_frees, free_pages(m), before);
	/* and again: nothing left there, and the trace saw the pages freed, so
	 * an allocation no tracepoint shows came between (alloc_pages_bulk()):
	 * not unmatched, and nothing changes in the model */
	replay_feed(r, &f);
	CHECK(st->unmatched_frees == 0 && st->untraced_alloc_frees == 1 &&
	      st->untraced_alloc_free_pages == 4 && free_pages(m) == before);
	/* a free of pages the model does not hold and the trace never saw: unmatched */
	struct frt_event u = free_ev(BASE + 16, 2);
	replay_feed(r, &u);
	CHECK(st->unmatched_frees == 1 && st->unmatched_free_pages == 4 && free_pages(m) == before);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/* a kernel migration re-keys the block; its old pages' free is not its end */
static void migrate_pair_moves_the_key(void)
{
	struct model *m = small_model(32);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r)
		return;
	struct frt_event a = alloc_ev(BASE + 5, 0, MODEL_GFP_HIGHUSER_MOVABLE);
	replay_feed(r, &a);
	struct frt_event pair = { .ts = ++ts, .type = FRT_EV_MIGRATE_PAIR };
	pair.pair.old_pfn = BASE + 5;
	pair.pair.new_pfn = BASE + 30;
	replay_feed(r, &pair);
	struct frt_event src = free_ev(BASE + 5, 0); /* the source folio's free */
	replay_feed(r, &src);
	CHECK(state(m, BASE) == MODEL_PAGE_ALLOC); /* the block lives on */
	struct frt_event f = free_ev(BASE + 30, 0);
	replay_feed(r, &f);
	CHECK(state(m, BASE) != MODEL_PAGE_ALLOC);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->migrate_pairs == 1 && st->migration_source_frees == 1 &&
	      st->unmatched_frees == 0);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/* a kernel compaction event on @cpu */
static struct frt_event compaction_ev(uint16_t type, uint16_t cpu)
{
	struct frt_event e = { .ts = ++ts, .type = type, .cpu = cpu };
	return e;
}

static struct frt_event isolate_ev(uint16_t cpu, uint64_t start, uint64_t end, uint64_t taken)
{
	struct frt_event e = compaction_ev(FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES, cpu);
	e.isolate.start_pfn = start;
	e.isolate.end_pfn = end;
	e.isolate.nr_scanned = end - start;
	e.isolate.nr_taken = taken;
	return e;
}

/*
 * migrate_pages(), called by compact_zone() right after the migrate
 * scanner's isolate_migratepages_block(), frees each source it moved before
 * trace_mm_compaction_migratepages(), on the compacting CPU; a folio with no
 * migration PTE (unmapped page cache) gets no pair (FORMAT.md, type 26). So
 * a free on that CPU of a pfn inside a range isolated from (nr_taken > 0)
 * since the last mm_compaction_migratepages is a move, not the block's end:
 * the model keeps the block, under no key. Not one: a free on another CPU,
 * outside the range, after mm_compaction_migratepages, or outside a run.
 */
static void unpaired_migration_source_is_kept(void)
{
	struct model *m = small_model(32);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r)
		return;
	for (unsigned int k = 0; k < 6; k++) { /* the kernel's at +8..+13, the model's at 0..5 */
		struct frt_event a = alloc_ev(BASE + 8 + k, 0, MODEL_GFP_HIGHUSER_MOVABLE);
		a.cpu = 1;
		replay_feed(r, &a);
	}
	long before = free_pages(m);
	struct frt_event ev[] = {
		compaction_ev(FRT_EV_COMPACTION_BEGIN, 1),
		isolate_ev(1, BASE + 8, BASE + 12, 3), /* +8..+11 isolated */
		free_ev(BASE + 8, 0),                  /* a source: kept */
		free_ev(BASE + 9, 0),                  /* on CPU 0 below: freed */
		free_ev(BASE + 12, 0),                 /* outside the range: freed */
		compaction_ev(FRT_EV_COMPACTION_MIGRATEPAGES, 1),
		free_ev(BASE + 10, 0),                 /* after the batch: freed */
		compaction_ev(FRT_EV_COMPACTION_END, 1),
	};
	ev[2].cpu = 1;
	ev[3].cpu = 0;
	ev[4].cpu = 1;
	ev[6].cpu = 1;
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		replay_feed(r, &ev[i]);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->unpaired_sources == 1 && st->unpaired_source_pages == 1, "%" PRIu64 " kept",
	      st->unpaired_sources);
	CHECK(free_pages(m) == before + 3, "%ld free, %ld before", free_pages(m), before);
	CHECK(state(m, BASE) == MODEL_PAGE_ALLOC); /* +8's block, kept */
	CHECK(st->unmatched_frees == 0);
	/* no run open now: +11's free is a free; and +8 has no key left */
	struct frt_event f = free_ev(BASE + 11, 0);
	f.cpu = 1;
	replay_feed(r, &f);
	struct frt_event again = free_ev(BASE + 8, 0);
	replay_feed(r, &again);
	CHECK(free_pages(m) == before + 4 && st->unpaired_sources == 1 && st->unmatched_frees == 1);
	CHECK(state(m, BASE) == MODEL_PAGE_ALLOC);
	/* with task ids, the run is its task's wherever it runs: kcompactd
	 * (pid 38) begins on CPU 1 and goes on on CPU 0; another task's free
	 * on CPU 0 (pid 7) is a free */
	struct frt_event a14 = alloc_ev(BASE + 14, 0, MODEL_GFP_HIGHUSER_MOVABLE);
	replay_feed(r, &a14);
	struct frt_event ev2[] = {
		compaction_ev(FRT_EV_COMPACTION_BEGIN, 1),
		isolate_ev(0, BASE + 12, BASE + 16, 2),
		free_ev(BASE + 13, 0), /* kcompactd, CPU 0: kept */
		free_ev(BASE + 14, 0), /* pid 7, CPU 0: freed */
	};
	for (size_t i = 0; i < sizeof(ev2) / sizeof(ev2[0]); i++) {
		ev2[i].has_task = 1;
		ev2[i].pid = i == 3 ? 7 : 38;
		ev2[i].cpu = i ? 0 : 1;
		replay_feed(r, &ev2[i]);
	}
	CHECK(st->unpaired_sources == 2 && free_pages(m) == before + 4,
	      "%" PRIu64 " kept, %ld free", st->unpaired_sources, free_pages(m));
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/*
 * The start snapshot's blocks are keyed by their own pfns (engine.c keeps
 * them so without writing the pfn maps): a free at the pfn frees the block
 * there, a partial free splits it in place, and a kernel migration moves the
 * key off the pfn, after which the source's free leaves the block alone and
 * the free at the new pfn frees it.
 */
static void snapshot_blocks_are_keyed_by_their_own_pfns(void)
{
	struct model *m = small_model_online(32, 0);
	if (!m)
		return;
	CHECK(model_seed_alloc(m, BASE + 4, 2, MODEL_MT_UNMOVABLE) == 0);
	CHECK(model_seed_alloc(m, BASE + 8, 3, MODEL_MT_MOVABLE) == 0);
	CHECK(model_seed_alloc(m, BASE + 17, 0, MODEL_MT_MOVABLE) == 0);
	CHECK(model_seed_free(m, BASE + 24, 3, MODEL_MT_MOVABLE) >= 0);
	model_seed_done(m);
	struct replay *r = replay_new(m, 0, NULL, NULL);
	if (!r) {
		model_free_all(m);
		return;
	}
	long before = free_pages(m);
	struct frt_event f = free_ev(BASE + 4, 2);
	replay_feed(r, &f);
	CHECK(state(m, BASE + 4) != MODEL_PAGE_ALLOC && free_pages(m) == before + 4);
	struct frt_event part = free_ev(BASE + 12, 2); /* the upper half of the order-3 block */
	replay_feed(r, &part);
	CHECK(state(m, BASE + 8) == MODEL_PAGE_ALLOC && free_pages(m) == before + 8);
	struct frt_event pair = { .ts = ++ts, .type = FRT_EV_MIGRATE_PAIR };
	pair.pair.old_pfn = BASE + 17;
	pair.pair.new_pfn = BASE + 26; /* free in the model: the kernel's own choice */
	replay_feed(r, &pair);
	struct frt_event src = free_ev(BASE + 17, 0);
	replay_feed(r, &src);
	CHECK(state(m, BASE + 17) == MODEL_PAGE_ALLOC); /* the block lives on */
	struct frt_event moved = free_ev(BASE + 26, 0);
	replay_feed(r, &moved);
	CHECK(state(m, BASE + 17) != MODEL_PAGE_ALLOC && free_pages(m) == before + 9);
	struct frt_event rest = free_ev(BASE + 8, 2);
	replay_feed(r, &rest);
	const struct replay_stats *st = replay_stats(r);
	CHECK(free_pages(m) == before + 13 && st->unmatched_frees == 0 && st->partial_frees == 1 &&
	      st->migrate_pairs == 1 && st->migration_source_frees == 1,
	      "free %ld (want %ld), unmatched %" PRIu64 ", partial %" PRIu64, free_pages(m),
	      before + 13, st->unmatched_frees, st->partial_frees);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/* small_model(@span) and its engine, *@before its free pages; NULL (and *@m
 * NULL) if they cannot be made */
static struct replay *span_replay(uint64_t span, struct model **m, long *before)
{
	struct replay *r;

	*m = small_model(span);
	r = *m ? replay_new(*m, 0, NULL, NULL) : NULL;
	if (!r) {
		model_free_all(*m);
		*m = NULL;
		return NULL;
	}
	*before = free_pages(*m);
	return r;
}

/* @n order-0 allocations (GFP_KERNEL) or frees fed at the kernel's pfns
 * @first, @first + @stride, ... */
static void feed_strided(struct replay *r, bool alloc, uint64_t first, int64_t stride, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++) {
		uint64_t pfn = first + (uint64_t)((int64_t)k * stride);
		struct frt_event e = alloc ? alloc_ev(pfn, 0, MODEL_GFP_KERNEL) : free_ev(pfn, 0);
		replay_feed(r, &e);
	}
}

/*
 * Blocks the model places away from their recorded pfns live in the maps'
 * hash tables (engine.c, struct pmap): thousands of them, so that the tables
 * grow, freed in a scrambled order, so that deletes land inside clusters;
 * every free must still find its own block, and the last leaves all free.
 */
static void many_blocks_placed_elsewhere_are_all_found(void)
{
	const uint64_t n = 6000, span = 16384;
	struct model *m;
	long before;
	struct replay *r = span_replay(span, &m, &before);
	if (!r)
		return;
	/* the kernel's pfns from the top down, every other one; the model's
	 * from its free lists */
	feed_strided(r, true, BASE + span - 1, -2, n);
	CHECK(free_pages(m) == before - (long)n, "free %ld, want %ld", free_pages(m),
	      before - (long)n);
	/* a permutation of 0..n-1: k * 2377 mod 6000 (2377 is prime to 6000) */
	for (uint64_t j = 0; j < n; j++) {
		uint64_t k = j * 2377 % n;
		struct frt_event f = free_ev(BASE + span - 1 - 2 * k, 0);
		replay_feed(r, &f);
		if (j == n / 2)
			CHECK(free_pages(m) == before - (long)(n - n / 2 - 1));
	}
	const struct replay_stats *st = replay_stats(r);
	CHECK(free_pages(m) == before && st->unmatched_frees == 0 && st->unseen_frees == 0 &&
	      replay_error(r) == 0, "free %ld (want %ld), unmatched %" PRIu64 ", unseen %" PRIu64,
	      free_pages(m), before, st->unmatched_frees, st->unseen_frees);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/*
 * The maps over a wide node (1 Mi pfns, their index 256 KiB: zpages.h writes
 * its pages before it reads them and reads nothing of a page never written):
 * blocks the kernel put 16 Ki pfns apart, so on 64 pages of the index, are
 * each found again when freed, in the engine and in a copy of it made
 * halfway (replay_clone() copies the written pages only); a free where no
 * block was is unmatched in both.
 */
static void blocks_across_a_wide_node_are_found_in_a_copy(void)
{
	const uint64_t span = 1ull << 20, step = 1ull << 14, n = span / step;
	struct model *m;
	long before;
	struct replay *r = span_replay(span, &m, &before);
	if (!r)
		return;
	feed_strided(r, true, BASE + 5, (int64_t)step, n);
	long knobs[MODEL_NR_KNOBS];
	for (int k = 0; k < MODEL_NR_KNOBS; k++)
		knobs[k] = model_knob(m, (enum model_knob)k);
	struct model *m2 = model_clone(m, knobs);
	struct replay *r2 = m2 ? replay_clone(r, m2, NULL, NULL) : NULL;
	CHECK(r2);
	for (int side = 0; side < 2 && r2; side++) {
		struct model *mm = side ? m2 : m;
		struct replay *rr = side ? r2 : r;
		feed_strided(rr, false, BASE + (n - 1) * step + 5, -(int64_t)step, n);
		struct frt_event stray = free_ev(BASE + span / 2 + 777, 0);
		replay_feed(rr, &stray);
		const struct replay_stats *st = replay_stats(rr);
		CHECK(free_pages(mm) == before && st->unmatched_frees == 1 && replay_error(rr) == 0,
		      "side %d: free %ld (want %ld), unmatched %" PRIu64, side, free_pages(mm),
		      before, st->unmatched_frees);
		ok(mm);
	}
	replay_free(r2);
	model_free_all(m2);
	replay_free(r);
	model_free_all(m);
}

/* failed requests: the kernel's (tried, given back) and the model's own (counted) */
static void failures_on_either_side(void)
{
	struct model *m = small_model(16);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r)
		return;
	struct frt_event kf = alloc_ev(FRT_PFN_NONE, 3, MODEL_GFP_KERNEL);
	replay_feed(r, &kf);
	CHECK(state(m, BASE) == MODEL_PAGE_FREE); /* tried and given back */
	struct frt_event a = alloc_ev(BASE, 4, MODEL_GFP_KERNEL); /* the whole zone */
	struct frt_event b = alloc_ev(BASE + 64, 0, MODEL_GFP_KERNEL); /* the kernel had room */
	replay_feed(r, &a);
	replay_feed(r, &b);
	struct frt_event fb = free_ev(BASE + 64, 0);
	replay_feed(r, &fb);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->kernel_failed == 1 && st->kernel_failed_model_ok == 1);
	CHECK(st->outside_model == 2); /* BASE + 64, allocated and freed, is outside the model */
	struct frt_event c = alloc_ev(BASE + 1, 0, MODEL_GFP_KERNEL); /* inside, but full */
	replay_feed(r, &c);
	CHECK(st->unseen_frees == 1, "a pfn inside a live block: that block was freed unseen");
	CHECK(st->model_failed == 0);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/* the model out of memory where the kernel was not: counted by order, its free matched */
static void model_only_failure_is_counted(void)
{
	struct model *m = small_model_online(32, 16); /* the kernel had 32 pages, the model 16 */
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r)
		return;
	struct frt_event a1 = alloc_ev(BASE + 16, 3, MODEL_GFP_KERNEL);
	struct frt_event a2 = alloc_ev(BASE + 24, 3, MODEL_GFP_KERNEL);
	struct frt_event a3 = alloc_ev(BASE + 2, 1, MODEL_GFP_KERNEL);
	replay_feed(r, &a1);
	replay_feed(r, &a2); /* the model's 16 pages are all taken now */
	replay_feed(r, &a3);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->model_failed == 1 && st->model_failed_by_order[1] == 1, "failed %" PRIu64,
	      st->model_failed);
	struct frt_event f = free_ev(BASE + 2, 1);
	replay_feed(r, &f);
	CHECK(st->frees_of_failed == 1 && st->unmatched_frees == 0);
	struct frt_event f1 = free_ev(BASE + 16, 3);
	replay_feed(r, &f1);
	CHECK(state(m, BASE) != MODEL_PAGE_ALLOC || state(m, BASE + 8) != MODEL_PAGE_ALLOC);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/* order 9 and 10 geometry, 8 pageblocks of memory in a 16-pageblock span, no
 * compaction; the closed loop as @feedback says */
static struct model *thp_model(long feedback)
{
	struct model_desc d;

	model_desc_init(&d);
	d.knobs[MODEL_KNOB_COMPACTION] = 0;
	d.knobs[MODEL_KNOB_FEEDBACK] = feedback;
	d.nr_zones = 1;
	d.zones[0] = (struct model_zone_desc){
		.type = MODEL_ZONE_DMA32, .start_pfn = BASE, .spanned = 8192,
		.wmark_min = 1, .wmark_low = 1, .wmark_high = 1, .pcp_given = true, .pcp_batch = 1,
	};
	struct model *m = model_new(&d);
	CHECK(m && model_online(m, BASE, 4096) == 0);
	return m;
}

/*
 * THP faults counted per fault, as /proc/vmstat's thp_fault_alloc and
 * thp_fault_fallback count them, on both sides (model_thp_fault_try()). A
 * fault's first try carries __GFP_THISNODE | __GFP_NORETRY; when it fails and
 * the fault may reclaim, a second try follows (alloc_pages_mpol()). A DMA32
 * zone of 16 pageblocks of order 9, the model's memory the first 8.
 *
 *  try                                   kernel          model
 *  1 first, served                       alloc           alloc
 *  2 first, failed (may reclaim)         -               alloc (given back)
 *  3 second, served                      alloc           - (its fault ended at 2)
 *  4 first, failed (no reclaim), CPU 1   fallback        alloc (given back)
 *  . page cache and khugepaged order 9   -               -
 *  . page cache fills the model
 *  5 first, served                       alloc           fallback (a second try of
 *                                                        its own fails too)
 *  6 first, failed (may reclaim)         -               -
 *  7 second, failed                      fallback        fallback
 *
 * Seven tries, five faults: the kernel 3 alloc + 2 fallback, the model 3 + 2.
 */
static void thp_faults_counted_per_fault(void)
{
	const uint32_t pagecache = MODEL_GFP_HIGHUSER_MOVABLE | MODEL_GFP_COMP | MODEL_GFP_NORETRY;
	struct model *m = thp_model(0); /* the open loop's counting */
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r) {
		model_free_all(m);
		return;
	}
	struct frt_event ev[] = {
		alloc_ev(BASE, 9, TH | FIRST),                  /* 1 */
		alloc_ev(FRT_PFN_NONE, 9, TH | FIRST),          /* 2 */
		alloc_ev(BASE + 512, 9, TH),                    /* 3 */
		alloc_ev(FRT_PFN_NONE, 9, LIGHT | FIRST),       /* 4, on CPU 1 below */
		alloc_ev(BASE + 1024, 9, pagecache),
		alloc_ev(BASE + 1536, 9, TH | MODEL_GFP_THISNODE), /* khugepaged */
		alloc_ev(BASE + 2048, 9, pagecache),
		alloc_ev(BASE + 2560, 9, pagecache),
		alloc_ev(BASE + 3072, 9, pagecache),
		alloc_ev(BASE + 3584, 9, pagecache),            /* the model is full */
		alloc_ev(BASE + 4096, 9, TH | FIRST),           /* 5 */
		alloc_ev(FRT_PFN_NONE, 9, TH | FIRST),          /* 6 */
		alloc_ev(FRT_PFN_NONE, 9, TH),                  /* 7 */
	};
	ev[3].cpu = 1;
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		replay_feed(r, &ev[i]);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->recorded.thp_fault_alloc == 3 && st->recorded.thp_fault_fallback == 2,
	      "kernel: %" PRIu64 " alloc, %" PRIu64 " fallback", st->recorded.thp_fault_alloc,
	      st->recorded.thp_fault_fallback);
	CHECK(model_counter(m, MODEL_THP_FAULT_ALLOC) == 3 &&
	      model_counter(m, MODEL_THP_FAULT_FALLBACK) == 2,
	      "model: %" PRIu64 " alloc, %" PRIu64 " fallback",
	      model_counter(m, MODEL_THP_FAULT_ALLOC), model_counter(m, MODEL_THP_FAULT_FALLBACK));
	CHECK(st->model_failed == 1 && st->kernel_failed == 4 && st->kernel_failed_model_ok == 2);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/* how many of @notes contain @needle */
static int notes_with(json_t *notes, const char *needle)
{
	json_t *n;
	size_t i;
	int k = 0;

	json_array_foreach(notes, i, n)
		k += strstr(json_string_value(n), needle) != NULL;
	return k;
}

/*
 * The model is node 0 (setup.c): an allocation and a free at pfns past its
 * span (another NUMA node's) reach no model block, are counted by events and
 * pages, and above 0.1% of the events the run's notes say so; a metadata
 * listing zones of node 1 makes the trace's notes say the model leaves the
 * node out.
 */
static void traffic_of_another_node_is_counted_and_noted(void)
{
	struct model *m = small_model(32);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	json_t *notes = json_array();
	if (!r)
		return;
	struct frt_event in = alloc_ev(BASE, 0, MODEL_GFP_KERNEL);
	struct frt_event far = alloc_ev(BASE + 1024, 3, MODEL_GFP_KERNEL);
	struct frt_event far_free = free_ev(BASE + 1024, 3);
	replay_feed(r, &in);
	replay_run_notes(notes, "vanilla", replay_stats(r));
	CHECK(!notes_with(notes, "outside the model's zones"), "a run inside the span is noted");
	replay_feed(r, &far);
	replay_feed(r, &far_free);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->outside_model == 2 && st->outside_model_pages == 16 && st->model_failed == 0 &&
	      st->unmatched_frees == 0, "outside %" PRIu64 " (%" PRIu64 " pages)",
	      st->outside_model, st->outside_model_pages);
	CHECK(model_counter(m, MODEL_ALLOC_REQUESTS) == 1, "the far allocation reached the model");
	replay_run_notes(notes, "vanilla", st);
	CHECK(notes_with(notes, "vanilla: 2 allocations and frees (16 pages") == 1);

	struct replay_seed_stats seed = { .empty_start = true };
	json_array_clear(notes);
	replay_trace_notes(notes, &seed, "{\"zones\": [{\"node\": 0, \"managed\": 100}]}");
	CHECK(!notes_with(notes, "NUMA"), "one node noted as NUMA");
	replay_trace_notes(notes, &seed, "{\"zones\": [{\"node\": 0, \"managed\": 100}, "
				  "{\"node\": 1, \"managed\": 50}, {\"node\": 1, \"managed\": 10}]}");
	CHECK(notes_with(notes, "NUMA nodes beside node 0 (1 more; node 0 manages 100 of 160 "
			 "pages)") == 1);
	json_decref(notes);
	replay_free(r);
	model_free_all(m);
}

/*
 * The kernel's own decisions are compared with the model's, which is node
 * 0: each event that names a pfn (mm_page_alloc_extfrag's page,
 * mm_page_alloc_zone_locked's and mm_page_pcpu_drain's, mm_compaction_begin's
 * zone_start, the isolate events' start_pfn with their nr_scanned) counts
 * on the kernel's side only inside the model's span;
 * another node's is counted apart (recorded.outside). An allocation served
 * on another node is no request of the model's classes. On a real two-node
 * guest (numa2-guest-6.12.frt) node 1 held 48% of the pcp refills: counted
 * whole, the kernel's side was twice the model's.
 */
static void kernel_decisions_on_another_node_are_left_out(void)
{
	struct model *m = small_model(32);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r)
		return;
	const uint64_t far = BASE + 1024;
	struct frt_event ev[8];
	for (int i = 0; i < 2; i++) {
		uint64_t pfn = i ? far : BASE + 8;
		struct frt_event x = { .ts = ++ts, .type = FRT_EV_PAGE_ALLOC_EXTFRAG };
		x.extfrag.pfn = pfn;
		x.extfrag.fallback_order = 3;
		x.extfrag.alloc_migratetype = MODEL_MT_UNMOVABLE;
		x.extfrag.fallback_migratetype = MODEL_MT_MOVABLE;
		x.extfrag.change_ownership = 1;
		ev[4 * i] = x;
		struct frt_event z = { .ts = ++ts, .type = FRT_EV_PAGE_ALLOC_ZONE_LOCKED };
		z.zone_locked.pfn = pfn;
		z.zone_locked.percpu_refill = 1;
		ev[4 * i + 1] = z;
		struct frt_event d = { .ts = ++ts, .type = FRT_EV_PAGE_PCPU_DRAIN };
		d.pcpu_drain.pfn = pfn;
		ev[4 * i + 2] = d;
		struct frt_event c = { .ts = ++ts, .type = FRT_EV_COMPACTION_BEGIN };
		c.compaction.zone_start = i ? far : BASE;
		ev[4 * i + 3] = c;
	}
	for (size_t i = 0; i < 8; i++)
		replay_feed(r, &ev[i]);
	for (int i = 0; i < 2; i++) { /* the migrate scanner on each node */
		struct frt_event x = { .ts = ++ts, .type = FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES };
		x.isolate.start_pfn = i ? far : BASE;
		x.isolate.nr_scanned = 7;
		replay_feed(r, &x);
	}
	struct frt_event a_in = alloc_ev(BASE, 0, MODEL_GFP_KERNEL);
	struct frt_event a_far = alloc_ev(far, 0, MODEL_GFP_KERNEL);
	replay_feed(r, &a_in);
	replay_feed(r, &a_far);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->recorded.extfrag_claim == 1 &&
	      st->recorded.extfrag[MODEL_MT_UNMOVABLE][MODEL_MT_MOVABLE][1] == 1,
	      "claims %" PRIu64, st->recorded.extfrag_claim);
	CHECK(st->recorded.compact_migrate_scanned == 7 && st->recorded.isolate_events == 2,
	      "migrate scanned %" PRIu64, st->recorded.compact_migrate_scanned);
	CHECK(st->recorded.pcp_refills == 1 && st->recorded.pcp_drains == 1 &&
	      st->recorded.compaction_runs == 1 && st->recorded.outside == 5,
	      "refills %" PRIu64 " drains %" PRIu64 " runs %" PRIu64 " outside %" PRIu64,
	      st->recorded.pcp_refills, st->recorded.pcp_drains, st->recorded.compaction_runs,
	      st->recorded.outside);
	uint64_t reqs = 0;
	for (int c = 0; c < REQ_NR_CLASSES; c++)
		reqs += st->cls[c].requests;
	CHECK(reqs == 1 && st->allocs == 2 && st->outside_model == 1,
	      "requests %" PRIu64 " allocs %" PRIu64, reqs, st->allocs);
	replay_free(r);
	model_free_all(m);
}

/* a compaction event of the kernel's, run by task @pid named @comm */
static struct frt_event task_compaction_ev(enum frt_event_type type, int pid, const char *comm)
{
	struct frt_event e = { .ts = ++ts, .type = type, .has_task = 1, .pid = pid, .tgid = pid };

	snprintf(e.comm, sizeof(e.comm), "%s", comm);
	if (type == FRT_EV_COMPACTION_BEGIN) {
		e.compaction.zone_start = BASE;
		e.compaction.zone_end = BASE + 32;
	}
	return e;
}

/*
 * compact_node(pgdat, false), from the compact_memory sysctl or a node's
 * compact file, runs compact_zone() per zone in the writer's context: an
 * mm_compaction_begin no mm_compaction_try_to_compact_pages of the same task
 * came just before (a direct compaction's) and no kcompactd ran. With
 * replay_follow_manual_compaction() on, the model compacts that zone
 * (model_compact_memory(): MODEL_COMPACT_MANUAL); a direct run, kcompactd's
 * run, an event without a task, or the engine with it off leave the model
 * alone.
 */
static void compaction_user_space_asked_for_is_followed(void)
{
	struct model_desc d;

	dma32_desc(&d, 32, 32);
	struct model *m = model_new(&d);
	CHECK(m && model_online(m, BASE, 32) == 0);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r)
		return;
	struct frt_event direct_try = task_compaction_ev(FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES, 7, "app");
	struct frt_event direct = task_compaction_ev(FRT_EV_COMPACTION_BEGIN, 7, "app");
	struct frt_event daemon = task_compaction_ev(FRT_EV_COMPACTION_BEGIN, 38, "kcompactd0");
	struct frt_event manual = task_compaction_ev(FRT_EV_COMPACTION_BEGIN, 1, "sh");
	struct frt_event anon = task_compaction_ev(FRT_EV_COMPACTION_BEGIN, 1, "sh");
	anon.has_task = 0;

	replay_feed(r, &manual); /* off by default */
	CHECK(model_counter(m, MODEL_COMPACT_MANUAL) == 0);
	replay_follow_manual_compaction(r, true);
	direct_try.ts = direct.ts = daemon.ts = anon.ts = manual.ts = ++ts;
	replay_feed(r, &direct_try);
	replay_feed(r, &direct);
	replay_feed(r, &daemon);
	replay_feed(r, &anon);
	CHECK(model_counter(m, MODEL_COMPACT_MANUAL) == 0 && replay_stats(r)->manual_compactions == 0,
	      "a direct, kcompactd's or untasked run followed");
	replay_feed(r, &manual);
	CHECK(model_counter(m, MODEL_COMPACT_MANUAL) == 1 && replay_stats(r)->manual_compactions == 1);
	/* the same task's direct compaction a second on is no longer "just before" */
	direct.ts = direct_try.ts + 1000000001ull;
	replay_feed(r, &direct);
	CHECK(model_counter(m, MODEL_COMPACT_MANUAL) == 2);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/* feed @e (mm_compaction_finished: of @order; mm_compaction_end: @sync, @status) */
static void feed_compaction(struct replay *r, struct frt_event *e, int order, int sync, int status)
{
	e->ts = ++ts;
	if (e->type == FRT_EV_COMPACTION_FINISHED) {
		e->suitable.order = order;
	} else {
		e->compaction.sync = (uint64_t)sync;
		e->compaction.status = status;
	}
	replay_feed(r, e);
}

/* a DMA32 zone of 32 pfns online and its engine; @fin a DMA32
 * mm_compaction_finished on CPU 0, @end an mm_compaction_end of the zone on
 * CPU 1. NULL (and *@m NULL) if they cannot be made */
static struct replay *compaction_replay(struct model **m, struct frt_event *fin,
					struct frt_event *end)
{
	struct model_desc d;

	dma32_desc(&d, 32, 32);
	*m = model_new(&d);
	CHECK(*m && model_online(*m, BASE, 32) == 0);
	struct replay *r = *m ? replay_new(*m, 0, NULL, NULL) : NULL;
	*fin = (struct frt_event){ .type = FRT_EV_COMPACTION_FINISHED, .cpu = 0 };
	fin->suitable.idx = MODEL_ZONE_DMA32;
	*end = (struct frt_event){ .type = FRT_EV_COMPACTION_END, .cpu = 1 };
	end->compaction.zone_start = BASE;
	end->compaction.zone_end = BASE + 32;
	if (!r) {
		model_free_all(*m);
		*m = NULL;
	}
	return r;
}

/*
 * kcompactd's proactive pass (compact_node(pgdat, true)) that ended a zone
 * COMPACT_CONTENDED (status 7): a sync mm_compaction_end of a zone whose
 * mm_compaction_finished said order -1 since that zone's last sync end. The
 * engine tells the model (model_kcompactd_contended(), counted in
 * kcompactd_contended) whichever CPU the end comes from (kcompactd may move);
 * not an end of another kind, an async one, a direct run's (order >= 0), a
 * second end after the first, or a task other than kcompactd*.
 */
static void kcompactd_contended_pass_is_followed(void)
{
	struct model *m;
	struct frt_event fin, end;
	struct replay *r = compaction_replay(&m, &fin, &end);

	if (!r)
		return;
	feed_compaction(r, &fin, -1, 0, 0);
	feed_compaction(r, &end, 0, 1, 7);
	CHECK(replay_stats(r)->kcompactd_contended == 1, "%" PRIu64,
	      replay_stats(r)->kcompactd_contended);
	feed_compaction(r, &end, 0, 1, 7); /* no order -1 run under way any more */
	feed_compaction(r, &fin, 9, 0, 0); /* a direct compaction's */
	feed_compaction(r, &end, 0, 1, 7);
	feed_compaction(r, &fin, -1, 0, 0);
	feed_compaction(r, &end, 0, 0, 7); /* async: not kcompactd's pass */
	feed_compaction(r, &end, 0, 1, 8); /* the pass's end: success */
	feed_compaction(r, &end, 0, 1, 7);
	CHECK(replay_stats(r)->kcompactd_contended == 1, "%" PRIu64,
	      replay_stats(r)->kcompactd_contended);
	fin.has_task = end.has_task = 1;
	snprintf(fin.comm, sizeof(fin.comm), "sh");
	snprintf(end.comm, sizeof(end.comm), "sh");
	feed_compaction(r, &fin, -1, 0, 0);
	feed_compaction(r, &end, 0, 1, 7);
	CHECK(replay_stats(r)->kcompactd_contended == 1);
	snprintf(end.comm, sizeof(end.comm), "kcompactd0");
	feed_compaction(r, &fin, -1, 0, 0);
	feed_compaction(r, &end, 0, 1, 7);
	CHECK(replay_stats(r)->kcompactd_contended == 2);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/*
 * kcompactd's proactive pass began (compact_node(pgdat, true)): the first
 * mm_compaction_finished of order -1 in the node's first zone (here DMA32,
 * its only one) since that zone's last sync end. The engine tells the model
 * (model_kcompactd_pass_began(), counted in kcompactd_passes) once per
 * pass: not for the later steps of the same run, a direct compaction's
 * (order >= 0), another node's, or a task other than kcompactd*.
 */
static void kcompactd_pass_begin_is_followed(void)
{
	struct model *m;
	struct frt_event fin, end;
	struct replay *r = compaction_replay(&m, &fin, &end);

	if (!r)
		return;
	feed_compaction(r, &fin, -1, 0, 0);
	feed_compaction(r, &fin, -1, 0, 0); /* the run's next step */
	CHECK(replay_stats(r)->kcompactd_passes == 1, "%" PRIu64, replay_stats(r)->kcompactd_passes);
	feed_compaction(r, &end, 0, 1, 8);
	feed_compaction(r, &fin, 9, 0, 0); /* a direct compaction's */
	fin.suitable.nid = 1;
	feed_compaction(r, &fin, -1, 0, 0); /* node 1's kcompactd */
	CHECK(replay_stats(r)->kcompactd_passes == 1, "%" PRIu64, replay_stats(r)->kcompactd_passes);
	fin.suitable.nid = 0;
	feed_compaction(r, &end, 0, 1, 8);
	fin.has_task = 1;
	snprintf(fin.comm, sizeof(fin.comm), "sh"); /* echo 1 >/proc/sys/vm/compact_memory */
	feed_compaction(r, &fin, -1, 0, 0);
	feed_compaction(r, &end, 0, 1, 8);
	CHECK(replay_stats(r)->kcompactd_passes == 1, "%" PRIu64, replay_stats(r)->kcompactd_passes);
	snprintf(fin.comm, sizeof(fin.comm), "kcompactd0");
	feed_compaction(r, &fin, -1, 0, 0);
	CHECK(replay_stats(r)->kcompactd_passes == 2, "%" PRIu64, replay_stats(r)->kcompactd_passes);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/*
 * A DMA32 zone of 32 pfns, pageblock order 3, seeded from a "snapshot":
 * pageblocks 0 and 1 free (two order-3 blocks), pageblock 2 holding a
 * movable page at +17 and an unmovable one at +20 (as the walk classes a pcp
 * page it cannot tell), the rest of it free, pageblock 3 free. @full: blocks
 * 0, 1 and 3 allocated instead, so that nothing outside pageblock 2 is free.
 */
static struct model *offline_model(bool full)
{
	struct model_desc d;

	dma32_desc(&d, 32, 32);
	d.zones[0].present = 32;
	struct model *m = model_new(&d);
	if (!m)
		return NULL;
	for (uint64_t pb = 0; pb < 32; pb += 8)
		CHECK(model_seed_pageblock(m, BASE + pb, MODEL_MT_MOVABLE) == 0);
	for (uint64_t pb = 0; pb < 32; pb += 8) {
		if (pb == 16)
			continue;
		CHECK((full ? model_seed_alloc(m, BASE + pb, 3, MODEL_MT_MOVABLE)
			    : model_seed_free(m, BASE + pb, 3, MODEL_MT_MOVABLE)) >= 0);
	}
	for (uint64_t p = 16; p < 24; p++) {
		int ret = p == 17 ? model_seed_alloc(m, BASE + p, 0, MODEL_MT_MOVABLE)
			: p == 20 ? model_seed_alloc(m, BASE + p, 0, MODEL_MT_UNMOVABLE)
				  : model_seed_free(m, BASE + p, 0, MODEL_MT_MOVABLE);
		CHECK(ret >= 0);
	}
	CHECK(model_seed_done(m) >= 0);
	ok(m);
	return m;
}

/*
 * offline_pages() (mm/memory_hotplug.c, 6.18): the pageblocks isolated, what
 * is in use migrated out (do_migrate_range()), the free pages taken off the
 * lists and out of the zone (__offline_isolated_pages(): present and managed
 * fall). model_offline() of pageblock 2: both its pages move to free pages
 * outside it, the unmovable one too (in the kernel the range did empty), and
 * the zone keeps 24 pages, 22 of them free. With no room outside, -EBUSY and
 * the range stays as it was; a range that is not whole pageblocks, -EINVAL.
 * Then the engine: replay_set_unplug() names pageblock 2, a compaction's
 * migration (mm_migrate_pages_start, reason compaction) does nothing, the
 * first for memory hotplug takes it out, a second does not again.
 */
static void memory_hot_removal_takes_the_range_out(void)
{
	struct model *m = offline_model(false);
	struct model_zone_info zi;
	if (!m)
		return;
	CHECK(model_offline(m, BASE + 16, 4, 0) == -EINVAL);
	CHECK(model_offline(m, BASE + 16, 8, 0) == 0);
	model_zone_info(m, 0, &zi);
	CHECK(zi.managed == 24 && zi.present == 24 && zi.nr_free_pages == 22,
	      "managed %" PRIu64 " present %" PRIu64 " free %ld", zi.managed, zi.present,
	      zi.nr_free_pages);
	for (uint64_t p = 16; p < 24; p++)
		CHECK(state(m, BASE + p) == MODEL_PAGE_UNMANAGED, "pfn +%" PRIu64 " still there", p);
	CHECK(model_counter(m, MODEL_OFFLINE_PAGES) == 8 &&
	      model_counter(m, MODEL_OFFLINE_MIGRATED) == 2);
	ok(m);
	model_free_all(m);

	m = offline_model(true);
	if (!m)
		return;
	CHECK(model_offline(m, BASE + 16, 8, 0) == -EBUSY);
	model_zone_info(m, 0, &zi);
	CHECK(zi.managed == 32 && state(m, BASE + 17) == MODEL_PAGE_ALLOC &&
	      state(m, BASE + 20) == MODEL_PAGE_ALLOC && model_counter(m, MODEL_OFFLINE_BUSY) == 1,
	      "managed %" PRIu64, zi.managed);
	ok(m);
	model_free_all(m);

	m = offline_model(false);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r)
		return;
	const struct model_pfn_range range[1] = { { BASE + 16, BASE + 24 } };
	replay_set_unplug(r, range, 1);
	struct frt_event mig = { .ts = ++ts, .type = FRT_EV_MIGRATE_PAGES_START };
	mig.migrate_start.reason = 0; /* MR_COMPACTION */
	replay_feed(r, &mig);
	CHECK(replay_stats(r)->unplugged_pages == 0 && state(m, BASE + 17) == MODEL_PAGE_ALLOC);
	mig.ts = ++ts;
	mig.migrate_start.reason = 2; /* MR_MEMORY_HOTPLUG */
	replay_feed(r, &mig);
	mig.ts = ++ts;
	replay_feed(r, &mig);
	CHECK(replay_stats(r)->unplugged_pages == 8 && replay_stats(r)->unplug_expected == 8 &&
	      model_counter(m, MODEL_OFFLINE_PAGES) == 8 && replay_stats(r)->unplug_busy == 0);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/*
 * Memory joining the zone at run time (deferred struct page init frees
 * order-MAX blocks into pfns the start snapshot shows as not managed;
 * deferred_free_pages() -> __free_pages_core() counts them managed): the
 * model grows with it and the free is not unmatched. Pfns 16..31 of the
 * span start unmanaged:
 *
 *   before  [ 16 managed, free ][ 16 unmanaged            ]
 *   free order 4 at +16: grown
 *   after   [ 16 managed, free ][ 16 managed, free         ]
 *
 * A second free of the same pfns (the model manages them now, and no block
 * covers them) is no growth: the trace saw them freed, so it counts as a
 * free after an untraced allocation, by pages.
 */
static void free_into_unmanaged_memory_grows_the_zone(void)
{
	struct model *m = small_model_online(32, 16);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	struct model_zone_info zi;
	if (!r)
		return;
	struct frt_event g = free_ev(BASE + 16, 4);
	replay_feed(r, &g);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->grown_pages == 16 && st->grow_frees == 1 && st->unmatched_frees == 0,
	      "grown %" PRIu64 " unmatched %" PRIu64, st->grown_pages, st->unmatched_frees);
	model_zone_info(m, 0, &zi);
	CHECK(zi.managed == 32 && zi.nr_free_pages == 32, "managed %" PRIu64 " free %ld",
	      zi.managed, zi.nr_free_pages);
	CHECK(state(m, BASE + 16) == MODEL_PAGE_FREE);
	ok(m);
	replay_feed(r, &g);
	CHECK(st->grown_pages == 16 && st->unmatched_frees == 0 && st->untraced_alloc_free_pages == 16 &&
	      st->freed_pages == 32);
	/* the model can now serve from the grown half */
	struct frt_event a = alloc_ev(BASE + 16, 4, MODEL_GFP_KERNEL);
	replay_feed(r, &a);
	CHECK(st->model_failed == 0);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/*
 * Compaction's free scanner takes free pages off the free lists (isolate_
 * freepages_block(): mm_compaction_isolate_freepages with nr_taken, no
 * allocation event); the ones migration did not use go back through
 * release_free_list() -> __free_pages(): mm_page_free of pfns the trace never
 * allocated, before mm_compaction_end. The model never saw them leave, so
 * such a free changes nothing and is no unmatched free (the movablecore guest:
 * all 228 of its unmatched pages; thp-compaction-pressure: 499 of 557).
 * Outside the isolated ranges a free the model cannot match is unmatched:
 *
 *   begin, isolate [+8, +16) taken 8, free order 3 at +8: released, not unmatched
 *   end, free order 3 at +16 (not isolated, never seen): unmatched
 */
static void compaction_release_is_not_unmatched(void)
{
	struct model *m = small_model(32);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r)
		return;
	long before = free_pages(m);
	struct frt_event b = { .ts = ++ts, .type = FRT_EV_COMPACTION_BEGIN };
	b.compaction.zone_start = BASE;
	b.compaction.zone_end = BASE + 32;
	struct frt_event iso = { .ts = ++ts, .type = FRT_EV_COMPACTION_ISOLATE_FREEPAGES };
	iso.isolate.start_pfn = BASE + 8;
	iso.isolate.end_pfn = BASE + 16;
	iso.isolate.nr_scanned = 8;
	iso.isolate.nr_taken = 8;
	replay_feed(r, &b);
	replay_feed(r, &iso);
	struct frt_event f = free_ev(BASE + 8, 3);
	replay_feed(r, &f);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->unmatched_frees == 0 && st->compaction_released == 1 &&
	      st->compaction_released_pages == 8 && free_pages(m) == before,
	      "unmatched %" PRIu64 " released %" PRIu64 " free %ld", st->unmatched_frees,
	      st->compaction_released_pages, free_pages(m));
	struct frt_event e = { .ts = ++ts, .type = FRT_EV_COMPACTION_END };
	e.compaction = b.compaction;
	replay_feed(r, &e);
	struct frt_event u = free_ev(BASE + 16, 3);
	replay_feed(r, &u);
	CHECK(st->unmatched_frees == 1 && st->unmatched_free_pages == 8 &&
	      st->compaction_released_pages == 8, "after the run: unmatched %" PRIu64,
	      st->unmatched_frees);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/*
 * alloc_pages_bulk() (vmalloc, page pools) takes order-0 pages off a per-CPU
 * list with no mm_page_alloc; the pages got there by a refill the trace
 * shows (mm_page_alloc_zone_locked, percpu_refill) or by a free. Their later
 * free is of pages the trace last saw free: an untraced allocation came
 * between, which the model never made, so the free changes nothing and is
 * no unmatched one (the hotplug guest: all 445 of its unmatched pages,
 * pagecache-slab-mix all 469). A free of pages the trace allocated last is
 * an ordinary one:
 *
 *   refill +4 (percpu), free +4: untraced allocation
 *   alloc +5, free +5: matched;  free +5 again: untraced allocation
 */
static void free_after_untraced_allocation(void)
{
	struct model *m = small_model(32);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r)
		return;
	long before = free_pages(m);
	struct frt_event z = { .ts = ++ts, .type = FRT_EV_PAGE_ALLOC_ZONE_LOCKED };
	z.zone_locked.pfn = BASE + 4;
	z.zone_locked.percpu_refill = 1;
	replay_feed(r, &z);
	struct frt_event f = free_ev(BASE + 4, 0);
	replay_feed(r, &f);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->untraced_alloc_frees == 1 && st->unmatched_frees == 0 && free_pages(m) == before,
	      "untraced %" PRIu64 " unmatched %" PRIu64, st->untraced_alloc_frees, st->unmatched_frees);
	struct frt_event a = alloc_ev(BASE + 5, 0, MODEL_GFP_KERNEL), g = free_ev(BASE + 5, 0);
	replay_feed(r, &a);
	replay_feed(r, &g);
	CHECK(st->untraced_alloc_frees == 1 && st->unmatched_frees == 0 && free_pages(m) == before);
	g.ts = ++ts;
	replay_feed(r, &g);
	CHECK(st->untraced_alloc_frees == 2 && st->untraced_alloc_free_pages == 2 &&
	      st->unmatched_frees == 0 && free_pages(m) == before);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/*
 * Memory hotplug into a zone the start did not have (a DIMM onlined into an
 * empty ZONE_NORMAL: online_pages() -> __free_pages_core() frees its pfns,
 * MAX_PAGE_ORDER blocks, and grows present_pages and managed_pages). The
 * model holds the zone from the start, hot_added: nothing present or
 * managed, so a request goes to DMA32 (first_zones_zonelist() skips an
 * unpopulated zone), and the frees of its pfns grow it; then the next
 * movable request is served there, in the highest zone, as the kernel's
 * were (a 1 GiB guest with a 256 MiB DIMM: 95% of its allocations):
 *
 *   DMA32 [BASE, +16) 16 managed   Normal [BASE+32, +64) hot_added, 0 present
 *   free order 4 at BASE+32, BASE+48: grown, Normal 32 present and managed
 */
static void hotplug_grows_a_zone_added_empty(void)
{
	struct model_desc d;

	dma32_desc(&d, 16, 16);
	d.knobs[MODEL_KNOB_COMPACTION] = 0;
	d.nr_zones = 2;
	d.zones[1] = (struct model_zone_desc){
		.type = MODEL_ZONE_NORMAL, .start_pfn = BASE + 32, .spanned = 32, .present = 32,
		.managed = 32, .wmark_min = 1, .wmark_low = 1, .wmark_high = 1, .pcp_given = true,
		.pcp_batch = 1, .hot_added = true,
	};
	struct model *m = model_new(&d);
	struct replay *r = m && !model_online(m, BASE, 16) ? replay_new(m, 0, NULL, NULL) : NULL;
	struct model_zone_info zi;

	CHECK(r);
	if (!r) {
		model_free_all(m);
		return;
	}
	model_zone_info(m, 1, &zi);
	CHECK(zi.present == 0 && zi.managed == 0 && zi.nr_free_pages == 0,
	      "Normal before: present %" PRIu64 " managed %" PRIu64, zi.present, zi.managed);
	/* before the DIMM is online: served in DMA32 */
	struct frt_event a = alloc_ev(BASE + 40, 0, MODEL_GFP_HIGHUSER_MOVABLE);
	replay_feed(r, &a);
	const struct replay_stats *st = replay_stats(r);
	model_zone_info(m, 0, &zi);
	CHECK(st->model_failed == 0 && zi.nr_free_pages == 15, "failed %" PRIu64 " DMA32 free %ld",
	      st->model_failed, zi.nr_free_pages);
	struct frt_event f = free_ev(BASE + 40, 0);
	replay_feed(r, &f);
	/* online_pages(): the DIMM's pfns freed in MAX_PAGE_ORDER blocks */
	struct frt_event g1 = free_ev(BASE + 32, 4), g2 = free_ev(BASE + 48, 4);
	replay_feed(r, &g1);
	replay_feed(r, &g2);
	CHECK(st->grown_pages == 32 && st->grow_frees == 2 && st->unmatched_frees == 0 &&
	      st->outside_model == 0, "grown %" PRIu64 " unmatched %" PRIu64 " outside %" PRIu64,
	      st->grown_pages, st->unmatched_frees, st->outside_model);
	model_zone_info(m, 1, &zi);
	CHECK(zi.present == 32 && zi.managed == 32 && zi.nr_free_pages == 32,
	      "Normal after: present %" PRIu64 " managed %" PRIu64 " free %ld", zi.present,
	      zi.managed, zi.nr_free_pages);
	ok(m);
	/* a movable request now goes to the highest zone, the one added */
	struct frt_event b = alloc_ev(BASE + 56, 0, MODEL_GFP_HIGHUSER_MOVABLE);
	replay_feed(r, &b);
	model_zone_info(m, 1, &zi);
	CHECK(st->model_failed == 0 && zi.nr_free_pages == 31, "Normal free %ld", zi.nr_free_pages);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/* the time series stays within its buffer: every other sample goes, the interval doubles */
static void series_stays_bounded(void)
{
	struct model *m = small_model(32);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	struct replay_series se;

	if (!r)
		return;
	CHECK(replay_series_init(&se, 1000, 10, 4) == 0);
	for (uint64_t t = 1000; t < 1100; t++)
		replay_series_tick(&se, r, m, t);
	CHECK(se.n <= 4 && se.n >= 2, "n %zu", se.n);
	CHECK(se.interval_ns == 40, "interval %" PRIu64, se.interval_ns);
	for (size_t i = 1; i < se.n; i++)
		CHECK(se.s[i].t_ns > se.s[i - 1].t_ns);
	CHECK(se.s[0].t_ns == 0);
	replay_series_end(&se, r, m, 1100);
	CHECK(se.s[se.n - 1].t_ns == 100);
	CHECK(se.s[se.n - 1].free_pages == 32, "free %" PRId64, se.s[se.n - 1].free_pages);
	replay_series_free(&se);
	replay_free(r);
	model_free_all(m);
}

/* ---- the closed loop (DESIGN.md "Closed loop"; knob feedback, default 1) ---- */

static struct frt_event task_ev(struct frt_event e, int32_t pid)
{
	e.has_task = 1;
	e.pid = e.tgid = pid;
	return e;
}

/* allocated blocks of @order and @mobility in [from, to) */
static unsigned int blocks(struct model *m, uint64_t from, uint64_t to, unsigned int order, int mt)
{
	unsigned int n = 0;

	for (uint64_t p = from; p < to; p++) {
		struct model_page_info pi;
		if (!model_page_info(m, p, &pi) && pi.state == MODEL_PAGE_ALLOC && pi.order == order &&
		    pi.mt == mt)
			n++;
	}
	return n;
}

/* one movable order-0 page in use at the start of each of the first @nr
 * pageblocks (of order @pb) and the rest free: no free pageblock anywhere */
static void pin_pageblocks(struct model *m, unsigned int nr, unsigned int pb)
{
	for (unsigned int i = 0; i < nr; i++) {
		struct model_req q = { .order = pb, .gfp = MODEL_GFP_HIGHUSER_MOVABLE };
		uint64_t p = model_alloc(m, &q);

		CHECK(p != MODEL_PFN_NONE && model_carve(m, p, 0) == 0);
		for (unsigned int o = 0; o < pb; o++)
			CHECK(model_free(m, p + (1ull << o), o, 0) == 0);
	}
}


/*
 * A THP fault the model cannot serve (one order-0 page pinned in each of its
 * pageblocks, no compaction) where the kernel could: do_anonymous_page()'s
 * fallback, 512 order-0 movable pages standing for the recorded block. A free
 * of the whole recorded block frees all 512; a THP the kernel then split and
 * freed page by page frees them one by one; one the kernel migrated moves
 * with its pieces, and the source's free is the migration's.
 */
static void thp_the_model_fails_becomes_order0_pieces(void)
{
	struct model *m = thp_model(1);
	if (m)
		pin_pageblocks(m, 8, 9);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r) {
		model_free_all(m);
		return;
	}
	long before = free_pages(m);
	const struct replay_stats *st = replay_stats(r);
	const struct replay_class_stats *thp = &st->cls[REQ_THP];

	/* 1: the whole block freed at once */
	struct frt_event a = alloc_ev(BASE + 4096, 9, TH | FIRST);
	replay_feed(r, &a);
	CHECK(thp->model_failed == 1 && thp->lowered == 1 && thp->lowered_blocks == 512 &&
	      thp->lost == 0, "failed %" PRIu64 " lowered %" PRIu64 " blocks %" PRIu64,
	      thp->model_failed, thp->lowered, thp->lowered_blocks);
	CHECK(free_pages(m) == before - 512, "free %ld, want %ld", free_pages(m), before - 512);
	CHECK(blocks(m, BASE, BASE + 4096, 0, MODEL_MT_MOVABLE) == 512 + 8);
	CHECK(model_counter(m, MODEL_THP_FAULT_FALLBACK) == 1, "the fault fell back");
	struct frt_event f = free_ev(BASE + 4096, 9);
	replay_feed(r, &f);
	CHECK(free_pages(m) == before && st->unmatched_frees == 0, "free %ld unmatched %" PRIu64,
	      free_pages(m), st->unmatched_frees);
	ok(m);

	/* 2: split_page() by the kernel, freed page by page */
	replay_feed(r, &a);
	for (uint64_t k = 0; k < 512; k++) {
		struct frt_event fk = free_ev(BASE + 4096 + k, 0);
		replay_feed(r, &fk);
	}
	CHECK(free_pages(m) == before && st->unmatched_frees == 0);
	ok(m);

	/* 3: migrated by the kernel, then freed at its new place */
	replay_feed(r, &a);
	struct frt_event mv = { .ts = ++ts, .type = FRT_EV_MIGRATE_PAIR };
	mv.pair.old_pfn = BASE + 4096;
	mv.pair.new_pfn = BASE + 4608;
	mv.pair.order = 9;
	replay_feed(r, &mv);
	struct frt_event src = free_ev(BASE + 4096, 9), dst = free_ev(BASE + 4608, 9);
	replay_feed(r, &src);
	CHECK(free_pages(m) == before - 512 && st->migration_source_frees == 1,
	      "the source's free is not the block's");
	replay_feed(r, &dst);
	CHECK(free_pages(m) == before && st->unmatched_frees == 0 && st->migrate_pairs == 1);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/* a defrag_mode model of pageblock order 3, no compaction, 32 pages of memory
 * in a span of @span, every pageblock's first page in use (pin_pageblocks());
 * @knob set to @value besides */
static struct model *defrag_model(uint64_t span, enum model_knob knob, long value)
{
	struct model_desc d;

	dma32_desc(&d, span, 32);
	d.knobs[MODEL_KNOB_COMPACTION] = 0;
	d.knobs[MODEL_KNOB_DEFRAG_MODE] = 1;
	d.knobs[knob] = value;
	struct model *m = model_new(&d);
	CHECK(m && model_online(m, BASE, 32) == 0);
	if (m)
		pin_pageblocks(m, 4, 3); /* no free pageblock, all movable */
	return m;
}

/*
 * SLUB's order-3 slab that defrag_mode refuses: allocate_slab()'s first try
 * (__GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC, reclaim bits cleared)
 * cannot fall back under ALLOC_NOFRAGMENT, and a request that may not reclaim
 * or wake kswapd never drops it (6.18 __alloc_pages_slowpath(), the 2026
 * GFP_ATOMIC fix aside). SLUB then asks the minimum order with the caller's
 * GFP_KERNEL, whose slow path does drop ALLOC_NOFRAGMENT after reclaim and
 * compaction: order-0 unmovable pages stolen from movable blocks. With
 * slub_min_order=1, four order-1 slabs.
 */
static void slub_refused_by_defrag_mode_retries_at_min_order(void)
{
	const uint32_t slub_first = ((MODEL_GFP_KERNEL | MODEL_GFP_COMP | MODEL_GFP_NOWARN |
				      MODEL_GFP_NORETRY | MODEL_GFP_NOMEMALLOC) &
				     ~(MODEL_GFP_DIRECT_RECLAIM | MODEL_GFP_KSWAPD_RECLAIM));

	for (long min = 0; min <= 1; min++) {
		struct model *m = defrag_model(64, MODEL_KNOB_SLUB_MIN_ORDER, min);
		struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
		if (!r) {
			model_free_all(m);
			return;
		}
		struct frt_event a = alloc_ev(BASE + 32, 3, slub_first);
		replay_feed(r, &a);
		const struct replay_stats *st = replay_stats(r);
		const struct replay_class_stats *sl = &st->cls[REQ_SLUB];
		CHECK(sl->requests == 1 && sl->model_failed == 1 && sl->lowered == 1 &&
		      sl->lost == 0 && sl->lowered_blocks == (min ? 4u : 8u),
		      "min %ld: failed %" PRIu64 " lowered %" PRIu64 " blocks %" PRIu64, min,
		      sl->model_failed, sl->lowered, sl->lowered_blocks);
		CHECK(blocks(m, BASE, BASE + 32, (unsigned int)min, MODEL_MT_UNMOVABLE) ==
		      (min ? 4u : 8u), "min %ld: the slabs are unmovable order-%ld blocks", min, min);
		CHECK(st->model_extfrag[MODEL_MT_UNMOVABLE][MODEL_MT_MOVABLE][0] +
		      st->model_extfrag[MODEL_MT_UNMOVABLE][MODEL_MT_MOVABLE][1] > 0,
		      "taken by fallback, as the caller's reclaim-allowed flags permit");
		struct frt_event f = free_ev(BASE + 32, 3);
		replay_feed(r, &f);
		CHECK(free_pages(m) == 28 && st->unmatched_frees == 0, "free %ld", free_pages(m));
		CHECK(blocks(m, BASE, BASE + 32, 0, MODEL_MT_MOVABLE) == 4, "the pins alone");
		ok(m);
		replay_free(r);
		model_free_all(m);
	}
}

/*
 * A kernel failure the model serves is kept: the failing task's fallback
 * requests after it (lower order, same migratetype) land on it, another
 * task's do not; when the window closes the pages no fallback claimed go
 * back. An order-3 mTHP-class request (GFP_TRANSHUGE_LIGHT: no second try).
 */
static void kernel_failure_absorbs_the_same_tasks_fallbacks(void)
{
	struct model *m = small_model_loop(64, 32, 1);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r) {
		model_free_all(m);
		return;
	}
	const struct replay_stats *st = replay_stats(r);
	const struct replay_class_stats *thp = &st->cls[REQ_THP];
	struct frt_event ev[] = {
		task_ev(alloc_ev(FRT_PFN_NONE, 3, LIGHT), 100), /* kept */
		task_ev(alloc_ev(BASE + 40, 0, MODEL_GFP_HIGHUSER_MOVABLE), 200), /* not 100's */
		task_ev(alloc_ev(BASE + 48, 0, MODEL_GFP_HIGHUSER_MOVABLE), 100), /* absorbed */
		task_ev(alloc_ev(BASE + 49, 0, MODEL_GFP_HIGHUSER_MOVABLE), 100), /* absorbed */
		task_ev(alloc_ev(BASE + 50, 0, MODEL_GFP_KERNEL), 100), /* unmovable: its own */
	};
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		replay_feed(r, &ev[i]);
	CHECK(thp->kernel_failed == 1 && thp->kept == 1, "kept %" PRIu64, thp->kept);
	CHECK(st->cls[REQ_OTHER].absorbed == 0 && thp->absorbed == 2 && thp->absorbed_pages == 2,
	      "absorbed %" PRIu64, thp->absorbed);
	CHECK(free_pages(m) == 32 - 8 - 1 - 1, "free %ld: kept 8, task 200's 1, the unmovable 1",
	      free_pages(m));
	struct frt_event f48 = free_ev(BASE + 48, 0);
	replay_feed(r, &f48);
	CHECK(free_pages(m) == 32 - 8 - 1 - 1 + 1 && st->unmatched_frees == 0);
	/* the window closes at the next event after feedback_window_us */
	struct frt_event late = free_ev(BASE + 40, 0);
	late.ts = ts + 20 * 1000 * 1000;
	ts = late.ts;
	replay_feed(r, &late);
	CHECK(thp->returned_pages == 6, "returned %" PRIu64, thp->returned_pages);
	CHECK(free_pages(m) == 32 - 1 - 1, "free %ld: only 100's page at +49 and the unmovable",
	      free_pages(m));
	struct frt_event f49 = free_ev(BASE + 49, 0);
	replay_feed(r, &f49);
	CHECK(free_pages(m) == 32 - 1 && st->unmatched_frees == 0);
	CHECK(st->allocs_without_task == 0);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/* The kernel's second try of a THP fault whose first try the model served
 * (and kept) lands on the kept block: 512 pages, not 1024, one fault. */
static void thp_second_try_lands_on_the_kept_block(void)
{
	struct model *m = thp_model(1);
	struct replay *r = m ? replay_new(m, 0, NULL, NULL) : NULL;
	if (!r) {
		model_free_all(m);
		return;
	}
	long before = free_pages(m);
	struct frt_event t1 = alloc_ev(FRT_PFN_NONE, 9, TH | FIRST), t2 = alloc_ev(BASE + 4096, 9, TH);
	replay_feed(r, &t1);
	replay_feed(r, &t2);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->cls[REQ_THP].kept == 1 && st->cls[REQ_THP].absorbed == 1 &&
	      st->cls[REQ_THP].absorbed_pages == 512);
	CHECK(free_pages(m) == before - 512, "free %ld", free_pages(m));
	CHECK(model_counter(m, MODEL_THP_FAULT_ALLOC) == 1);
	struct frt_event f = free_ev(BASE + 4096, 9);
	replay_feed(r, &f);
	CHECK(free_pages(m) == before && st->unmatched_frees == 0);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/*
 * The forced path (the kernel served it; the model ignores watermarks)
 * keeps the variant's policy: under defrag_mode a __GFP_NORETRY request never
 * reaches the slow path's ALLOC_NOFRAGMENT drop, so with no free page of its
 * type and no free pageblock it stays failed, where the open loop
 * (feedback=0) took it by fallback. GFP_KERNEL does reach the drop.
 */
static void forced_path_keeps_nofragment_under_defrag_mode(void)
{
	for (long fb = 0; fb <= 1; fb++)
		for (int noretry = 0; noretry <= 1; noretry++) {
			struct model *m = defrag_model(32, MODEL_KNOB_FEEDBACK, fb);
			if (!m)
				return;
			struct model_req q = { .order = 0, .flags = MODEL_REQ_NO_WATERMARKS,
					       .gfp = MODEL_GFP_KERNEL | (noretry ? MODEL_GFP_NORETRY : 0) };
			uint64_t pfn = model_alloc(m, &q);
			bool want = !fb || !noretry;
			CHECK((pfn != MODEL_PFN_NONE) == want, "feedback=%ld noretry=%d: %s", fb, noretry,
			      pfn != MODEL_PFN_NONE ? "served" : "failed");
			model_free_all(m);
		}
}

/*
 * Compaction splits a large block it has no target of its order for
 * (migrate_split=1, MODEL_EV_SPLIT): the recorded block splits with it, and
 * the kernel's free of the whole block (its own folio was never split)
 * frees every page. An order-1 movable block at BASE in a movable pageblock
 * whose other pages are unmovable; the only free pages are order-0 ones in
 * four more movable pageblocks; an order-2 movable request compacts (async,
 * then sync light, which isolates the block with unmovable pages beside it).
 *
 *   |m.uuuuuu|uFuFuFuF|uFuFuFuF|uFuFuFuF|uFuFuFuF|uuuuuuuu|uuuuuuuu|uuuuuuuu|
 *    M        M        M        M        M        U        U        U
 */
static void model_split_follows_the_recorded_block(void)
{
	struct model_desc d;

	model_desc_init(&d);
	d.knobs[MODEL_KNOB_PAGEBLOCK_ORDER] = 3;
	d.knobs[MODEL_KNOB_MAX_PAGE_ORDER] = 4;
	d.knobs[MODEL_KNOB_MIN_FREE_KBYTES] = 1;
	d.knobs[MODEL_KNOB_MIGRATE_SPLIT] = 1;
	d.nr_zones = 1;
	d.zones[0] = (struct model_zone_desc){
		.type = MODEL_ZONE_DMA32, .start_pfn = BASE, .spanned = 64, .pcp_given = true,
		.pcp_batch = 1,
	};
	struct model *m = model_new(&d);
	CHECK(m);
	if (!m)
		return;
	static const char layout[] = "m.uuuuuuuFuFuFuFuFuFuFuFuFuFuFuFuFuFuFuF"
				     "uuuuuuuuuuuuuuuuuuuuuuuu";
	for (uint64_t pb = 0; pb < 8; pb++)
		CHECK(model_seed_pageblock(m, BASE + pb * 8, pb < 5 ? MODEL_MT_MOVABLE
								 : MODEL_MT_UNMOVABLE) == 0);
	for (uint64_t p = 0; p < 64; p++) {
		if (layout[p] == 'm')
			CHECK(model_seed_alloc(m, BASE + p, 1, MODEL_MT_MOVABLE) == 0);
		else if (layout[p] == 'u')
			CHECK(model_seed_alloc(m, BASE + p, 0, MODEL_MT_UNMOVABLE) == 0);
		else if (layout[p] == 'F')
			CHECK(model_seed_free(m, BASE + p, 0, MODEL_MT_MOVABLE) >= 0);
	}
	model_seed_done(m);
	struct replay *r = replay_new(m, 0, NULL, NULL);
	if (!r) {
		model_free_all(m);
		return;
	}
	long before = free_pages(m);
	struct frt_event a = alloc_ev(FRT_PFN_NONE, 2, MODEL_GFP_KERNEL | MODEL_GFP_MOVABLE);
	replay_feed(r, &a); /* the kernel failed it too; the model compacts, and fails */
	CHECK(model_counter(m, MODEL_MIGRATE_SPLIT) == 1, "splits %" PRIu64 ", stalls %" PRIu64,
	      model_counter(m, MODEL_MIGRATE_SPLIT), model_counter(m, MODEL_COMPACT_STALL));
	CHECK(state(m, BASE) != MODEL_PAGE_ALLOC, "the block moved away");
	CHECK(replay_stats(r)->kernel_failed_model_ok == 0);
	struct frt_event f = free_ev(BASE, 1);
	replay_feed(r, &f);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->unmatched_frees == 0 && free_pages(m) == before + 2, "unmatched %" PRIu64
	      ", free %ld, want %ld", st->unmatched_frees, free_pages(m), before + 2);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/*
 * A block the kernel had on a per-CPU list at the start snapshot: zero
 * refcount, not a buddy page, so the snapshot writes each of its pages as an
 * allocated order-0 block (FORMAT.md), and the model holds them where the
 * kernel had them. When the kernel hands the block out again (an allocation
 * at its pfn: the engine's inferred free first) or frees it whole, the pages
 * are joined into one block (model_join()) and freed as such: to the pcp
 * list of its order, as free_frozen_page_commit() had put it. So the
 * model's order-2 request takes it from there, where four order-0 frees
 * would have left the order-2 list empty and a refill had split the free
 * order-4 block at +16.
 *
 *   |mmmmmmmm|uuuummmm|F...............|   pcp on: batch 1, high 8
 */
static void snapshot_pcp_block_is_joined_before_its_reuse(void)
{
	struct model_desc d;

	dma32_desc(&d, 32, 32);
	d.knobs[MODEL_KNOB_COMPACTION] = 0;
	d.zones[0].pcp_high_min = 8;
	d.zones[0].pcp_high_max = 8;
	struct model *m = model_new(&d);
	CHECK(m);
	if (!m)
		return;
	for (uint64_t pb = 0; pb < 4; pb++)
		CHECK(model_seed_pageblock(m, BASE + pb * 8, MODEL_MT_MOVABLE) == 0);
	CHECK(model_seed_alloc(m, BASE, 3, MODEL_MT_MOVABLE) == 0);
	for (uint64_t p = 8; p < 12; p++)
		CHECK(model_seed_alloc(m, BASE + p, 0, MODEL_MT_UNMOVABLE) == 0);
	CHECK(model_seed_alloc(m, BASE + 12, 2, MODEL_MT_MOVABLE) == 0);
	CHECK(model_seed_free(m, BASE + 16, 4, MODEL_MT_MOVABLE) >= 0);
	CHECK(model_seed_done(m) == 0);
	struct replay *r = replay_new(m, 0, NULL, NULL);
	if (!r) {
		model_free_all(m);
		return;
	}
	long before = free_pages(m);
	struct frt_event a = alloc_ev(BASE + 8, 2, MODEL_GFP_KERNEL | MODEL_GFP_MOVABLE);
	replay_feed(r, &a);
	struct model_page_info pi;
	CHECK(model_page_info(m, BASE + 8, &pi) == 0 && pi.state == MODEL_PAGE_ALLOC &&
	      pi.order == 2, "pfn +8: state %d order %u", pi.state, pi.order);
	CHECK(model_page_info(m, BASE + 16, &pi) == 0 && pi.state == MODEL_PAGE_FREE &&
	      pi.order == 4, "pfn +16: state %d order %u", pi.state, pi.order);
	const struct replay_stats *st = replay_stats(r);
	CHECK(st->unseen_frees == 1 && st->unmatched_frees == 0 && free_pages(m) == before,
	      "unseen %" PRIu64 " unmatched %" PRIu64 " free %ld, want %ld", st->unseen_frees,
	      st->unmatched_frees, free_pages(m), before);
	struct frt_event f = free_ev(BASE + 8, 2);
	replay_feed(r, &f);
	CHECK(st->unmatched_frees == 0 && state(m, BASE + 8) == MODEL_PAGE_PCP);
	ok(m);
	replay_free(r);
	model_free_all(m);
}

/* ---- the real samples ---- */

static const char *trace_path;

struct run {
	struct replay_stats st;
	uint64_t hash;
	int check;
};

static void replay_file(const char *path, struct run *out)
{
	char err[512];
	struct replay_seed_stats seed;
	struct frt_reader *rd = frt_reader_open(path, err, sizeof(err));
	struct model *m = rd ? replay_model_from_trace(rd, NULL, &seed, err, sizeof(err)) : NULL;

	CHECK(m, "%s: %s", path, err);
	frt_reader_free(rd);
	if (!m)
		return;
	rd = frt_reader_open(path, err, sizeof(err));
	struct replay *r = replay_new(m, seed.snapshot_ts, NULL, NULL);
	struct frt_event ev;
	while (r && frt_reader_next(rd, &ev) > 0)
		replay_feed(r, &ev);
	out->st = *replay_stats(r);
	out->hash = model_hash(m);
	out->check = model_check(m, err, sizeof(err));
	CHECK(out->check == 0, "%s: %s", path, err);
	replay_free(r);
	frt_reader_free(rd);
	model_free_all(m);
}

static void sample_replays_deterministically(void)
{
	struct run a = { 0 }, b = { 0 };

	replay_file(trace_path, &a);
	replay_file(trace_path, &b);
	CHECK(a.hash == b.hash && !memcmp(&a.st, &b.st, sizeof(a.st)), "two runs differ");
	const struct replay_stats *st = &a.st;
	printf("  %s: %" PRIu64 " events, %" PRIu64 " allocs (model failed %" PRIu64
	       "), kernel failed %" PRIu64 " (model ok %" PRIu64 "), %" PRIu64 " frees: "
	       "unmatched %" PRIu64 ", partial %" PRIu64 ", unseen %" PRIu64 ", batched ignored %"
	       PRIu64 "; migrate pairs %" PRIu64 " (+%" PRIu64 " unmatched), model migrations %"
	       PRIu64 "\n",
	       trace_path, st->events, st->allocs, st->model_failed, st->kernel_failed,
	       st->kernel_failed_model_ok, st->frees, st->unmatched_frees, st->partial_frees,
	       st->unseen_frees, st->batched_ignored, st->migrate_pairs,
	       st->migrate_pairs_unmatched, st->model_migrations);
	/* every batched free is a repeat; the engine follows the rest closely */
	CHECK(st->allocs > 0 && st->frees > 0);
	CHECK(st->unmatched_frees * 20 < st->frees, "over 5%% of frees unmatched");
}

/*
 * ZONE_RECLAIM_ACTIVE from the trace (kswapd_idle_us): while kswapd frees what
 * it reclaims, nr_pcp_high() holds the pcp lists to batch << 2 pages, so its
 * frees reach the buddy lists; kswapd_idle_us after its last free the zones
 * are no longer reclaim-active. pcp batch 1, high 8 (fixed): the four frees
 * by kswapd0 drain the list once it holds 4 pages; by another task, or with
 * kswapd_idle_us=0, nothing drains below 8.
 */
static uint64_t kswapd_run(long idle_us, bool later_by_kswapd)
{
	struct model_desc d;

	dma32_desc(&d, 32, 32);
	d.knobs[MODEL_KNOB_COMPACTION] = 0;
	d.knobs[MODEL_KNOB_FEEDBACK] = 0;
	d.knobs[MODEL_KNOB_KSWAPD_IDLE_US] = idle_us;
	d.zones[0].pcp_high_min = 8;
	d.zones[0].pcp_high_max = 8;
	struct model *m = model_new(&d);
	struct replay *r = m && model_online(m, BASE, 32) == 0 ? replay_new(m, 0, NULL, NULL)
							    : NULL;
	uint64_t now = 1000000, drained = UINT64_MAX;

	CHECK(r);
	if (!r)
		goto out;
	for (int phase = 0; phase < 2; phase++) {
		/* phase 1: 4 ms after the first, by kswapd0 or by bash */
		const char *freer = phase && !later_by_kswapd ? "bash" : "kswapd0";
		for (uint64_t i = 0; i < 4; i++) {
			struct frt_event a = alloc_ev(BASE + 8 * phase + i, 0, MODEL_GFP_HIGHUSER_MOVABLE);
			a.ts = now += 1000;
			replay_feed(r, &a);
		}
		for (uint64_t i = 0; i < 4; i++) {
			struct frt_event f = free_ev(BASE + 8 * phase + i, 0);
			f.ts = now += 1000;
			f.has_task = 1;
			snprintf(f.comm, sizeof(f.comm), "%s", freer);
			replay_feed(r, &f);
		}
		ok(m);
		if (!phase)
			drained = model_counter(m, MODEL_PCP_DRAIN_PAGES);
		now += 4000000;
	}
	/* phase 0's drains, then phase 1's in the high bits */
	drained |= (model_counter(m, MODEL_PCP_DRAIN_PAGES) - drained) << 32;
out:
	replay_free(r);
	model_free_all(m);
	return drained;
}

static void kswapd_frees_make_zones_reclaim_active(void)
{
	uint64_t on = kswapd_run(1000, false), off = kswapd_run(0, false);
	uint64_t again = kswapd_run(1000, true);

	CHECK((uint32_t)on > 0, "kswapd's frees drained %u pages", (uint32_t)on);
	CHECK(on >> 32 == 0, "bash's frees 4 ms later drained %u", (unsigned int)(on >> 32));
	CHECK(off == 0, "kswapd_idle_us=0: drained %u then %u", (uint32_t)off,
	      (unsigned int)(off >> 32));
	CHECK(again >> 32 > 0, "kswapd again 4 ms later: drained %u", (unsigned int)(again >> 32));
}

int main(int argc, char **argv)
{
	RUN(alloc_then_free_follows_the_model_block);
	RUN(free_batched_is_not_a_second_free);
	RUN(partial_free_splits_the_block);
	RUN(free_over_smaller_blocks_frees_each);
	RUN(snapshot_pcp_block_is_joined_before_its_reuse);
	RUN(migrate_pair_moves_the_key);
	RUN(unpaired_migration_source_is_kept);
	RUN(snapshot_blocks_are_keyed_by_their_own_pfns);
	RUN(many_blocks_placed_elsewhere_are_all_found);
	RUN(blocks_across_a_wide_node_are_found_in_a_copy);
	RUN(failures_on_either_side);
	RUN(model_only_failure_is_counted);
	RUN(free_into_unmanaged_memory_grows_the_zone);
	RUN(hotplug_grows_a_zone_added_empty);
	RUN(compaction_release_is_not_unmatched);
	RUN(free_after_untraced_allocation);
	RUN(traffic_of_another_node_is_counted_and_noted);
	RUN(compaction_user_space_asked_for_is_followed);
	RUN(kcompactd_contended_pass_is_followed);
	RUN(kcompactd_pass_begin_is_followed);
	RUN(memory_hot_removal_takes_the_range_out);
	RUN(kernel_decisions_on_another_node_are_left_out);
	RUN(thp_faults_counted_per_fault);
	RUN(series_stays_bounded);
	RUN(thp_the_model_fails_becomes_order0_pieces);
	RUN(slub_refused_by_defrag_mode_retries_at_min_order);
	RUN(kernel_failure_absorbs_the_same_tasks_fallbacks);
	RUN(thp_second_try_lands_on_the_kept_block);
	RUN(forced_path_keeps_nofragment_under_defrag_mode);
	RUN(model_split_follows_the_recorded_block);
	RUN(kswapd_frees_make_zones_reclaim_active);
	for (int i = 1; i < argc; i++) {
		trace_path = argv[i];
		RUN(sample_replays_deterministically);
	}
	return CHECK_DONE();
}
