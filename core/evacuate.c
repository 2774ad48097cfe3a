/* SPDX-License-Identifier: MIT */
/*
 * evacuate.c - the evacuate variant: Rik van Riel's RFC PATCH 06/40 (May
 * 2026), "mm: page_alloc: async evacuation of stolen movable pageblocks",
 * posted to linux-mm. Knobs evacuate (on/off), evacuate_pool and
 * evacuate_latency_us; everything the patch adds is in this file, and
 * try_to_claim_block() (buddy.c) calls it where the patch hooks in.
 *
 * The patch: try_to_claim_block(), when it retypes a MOVABLE pageblock for an
 * UNMOVABLE or RECLAIMABLE request (the half-a-block path, not the whole-block
 * takeover), takes a work item from a global pool of 64 (none free: the
 * evacuation is simply not done) and queues it through irq_work onto a
 * per-node workqueue with max_active 1. The work, evacuate_pageblock(), skips
 * a block that is MOVABLE again, else isolates the block's movable pages in
 * batches of COMPACT_CLUSTER_MAX (isolate_migratepages_range(), MIGRATE_ASYNC,
 * order -1, skip hints honoured), migrates each batch to targets from
 * alloc_migration_target() (GFP_HIGHUSER_MOVABLE, node-local: the ordinary
 * allocator) and, at the first batch that does not migrate whole, puts back
 * what is left and stops.
 *
 * The model: items wait evacuate_latency_us on the trace clock (irq_work,
 * queue_work and the kworker being scheduled), then run one at a time, in
 * queue order, on the CPU that queued them (a bound workqueue runs work where
 * it was queued), each to its end before the next (max_active 1).
 * Deliberate differences: reclaim_clean_pages_from_list() is not modelled
 * (the model cannot tell clean page cache from other movable pages, so it
 * migrates them all); a running item takes no trace time.
 */
#include <errno.h>
#include <stdlib.h>

#include "model_internal.h"

/* pageblock_evacuate_init(): the pool of work items (none when the patch is off) */
int evacuate_init(struct model *m)
{
	long cap = m->knobs[MODEL_KNOB_EVACUATE] ? m->knobs[MODEL_KNOB_EVACUATE_POOL] : 0;

	m->evac_cap = cap > 0 ? (unsigned int)cap : 0;
	m->evac = m->evac_cap ? calloc(m->evac_cap, sizeof(*m->evac)) : NULL;
	return m->evac_cap && !m->evac ? -ENOMEM : 0;
}

void evacuate_release(struct model *m)
{
	free(m->evac);
	m->evac = NULL;
}

/* the pool is full: *@ctx items taken of a pool of @pool (falls as it grows) */
static bool pool_full(long pool, const void *ctx)
{
	return *(const long *)ctx >= (pool > 0 ? pool : 0);
}

/* queue_pageblock_evacuate(): a free item from the pool, or the evacuation is dropped */
static void queue_pageblock_evacuate(struct model *m, uint64_t pfn, unsigned int cpu)
{
	long n = m->evac_n;

	/* evacuate is on here, so the pool holds evacuate_pool items (evac_cap) */
	if (knob_monotone(m, MODEL_KNOB_EVACUATE_POOL, pool_full, &n)) {
		count_event(m, MODEL_EVACUATE_DROPPED, 1);
		return;
	}
	struct evac_item *it = &m->evac[(m->evac_head + m->evac_n++) % m->evac_cap];
	it->pfn = pageblock_start(m, pfn);
	it->due_ns = m->now_ns + (uint64_t)knob(m, MODEL_KNOB_EVACUATE_LATENCY_US) * 1000;
	it->cpu = cpu;
	count_event(m, MODEL_EVACUATE_QUEUED, 1);
}

/*
 * The patch's two hunks in try_to_claim_block(), which calls these. First:
 * a block isolated (get_pageblock_isolate()) is not taken over, which would
 * undo the work in progress. The model never isolates a block itself
 * (model_set_pageblock_isolate() is for tests), and neither does the patch.
 */
bool evacuate_refuses_claim(const struct model *m, uint64_t pfn)
{
	return (*pb_byte(m, pfn) & PB_ISOLATE) && knob(m, MODEL_KNOB_EVACUATE);
}

/*
 * Second, after the half-a-block claim retyped the pageblock at @start: a
 * MOVABLE block claimed for an UNMOVABLE or RECLAIMABLE request is queued
 * for its movable pages to be migrated out, later.
 */
void evacuate_after_claim(struct model *m, uint64_t start, int block_mt, int start_mt)
{
	if (block_mt == MODEL_MT_MOVABLE &&
	    (start_mt == MODEL_MT_UNMOVABLE || start_mt == MODEL_MT_RECLAIMABLE) &&
	    knob(m, MODEL_KNOB_EVACUATE))
		queue_pageblock_evacuate(m, start, m->cur_cpu);
}

/* the isolated blocks are off the LRU while on the list (PageLRU cleared) */
static void evac_isolated(struct model *m, struct compact_control *cc, bool isolated)
{
	for (uint32_t i = cc->migratepages.head; i != NIL; i = m->links[i].next)
		m->pages[i].compact_gen = isolated ? ISOLATED_FREE : 0;
}

static void evac_putback(struct model *m, struct compact_control *cc)
{
	evac_isolated(m, cc, false);
	putback_movable_pages(m, cc);
}

/*
 * migrate_pages(..., alloc_migration_target, MIGRATE_ASYNC, MR_COMPACTION):
 * a target for each block from the allocator; a block whose target cannot
 * be had, or whose migration fails (migrate_fail_permille), stays on the
 * list. Returns the number of blocks not migrated.
 */
static int evac_migrate(struct model *m, struct compact_control *cc, enum model_counter migrated,
			enum model_counter failed_pages, uint64_t *nr_migrated)
{
	struct mlist failed;
	size_t n = 0;
	int nr_failed = 0;

	mlist_init(&failed);
	while (cc->migratepages.head != NIL) {
		uint64_t src = mlist_first(m, &cc->migratepages);
		unsigned int order = pg(m, src)->order;
		struct model_req req = {
			.order = order, .cpu = cc->cpu,
			.gfp = MODEL_GFP_HIGHUSER_MOVABLE | (order ? MODEL_GFP_COMP : 0),
		};

		mlist_del(m, &cc->migratepages, src);
		uint64_t dst = model_alloc(m, &req);
		bool fail = dst == MODEL_PFN_NONE || migrate_fails(m);
		if (fail) {
			if (dst != MODEL_PFN_NONE)
				raw_free_frozen_pages(m, pfn_zone(m, dst), dst, order, cc->cpu);
			count_event(m, MODEL_PGMIGRATE_FAIL, 1ull << order);
			count_event(m, failed_pages, 1ull << order);
			mlist_add(m, &failed, src, true);
			nr_failed++;
			continue;
		}
		m->migrate_src[n] = src;
		m->migrate_dst[n++] = dst;
	}
	cc->migratepages = failed;
	for (size_t k = 0; k < n; k++) {
		count_event(m, migrated, 1ull << pg(m, m->migrate_src[k])->order);
		*nr_migrated += 1ull << pg(m, m->migrate_src[k])->order;
		migrate_folio_move(m, cc->z, m->migrate_src[k], m->migrate_dst[k], cc->cpu);
	}
	return nr_failed;
}

/*
 * evacuate_pageblock() past its re-check: the movable pages of the pageblock
 * at @start migrated out in batches until one does not migrate whole. Also
 * 15/40's per-SPB worker's (spb_defrag.c), which counts in its own counters,
 * and 17/40's alloc_contig_range() (spb_contig.c, @contig: skip hints
 * ignored, MIGRATE_SYNC).
 */
uint64_t evacuate_block(struct model *m, uint64_t start, unsigned int cpu, bool contig,
			enum model_counter migrated, enum model_counter failed)
{
	struct mzone *z = pfn_zone(m, start);
	uint64_t nr_migrated = 0;

	if (!z)
		return 0;
	struct compact_control cc = {
		.z = z, .order = -1, .search_order = -1,
		.migratetype = MODEL_MT_MOVABLE, .highest_zoneidx = MODEL_NR_ZONE_TYPES - 1,
		.cpu = cpu % m->nr_cpus, .gfp_mask = MODEL_GFP_KERNEL,
		/* alloc_contig_range()'s compact_control (17/40, spb_contig.c) */
		.ignore_skip_hint = contig, .mode = contig ? MIGRATE_SYNC : MIGRATE_ASYNC,
	};
	uint64_t pfn = start < z->start_pfn ? z->start_pfn : start;
	uint64_t end = start + m->pageblock_nr_pages;

	if (end > z->end_pfn)
		end = z->end_pfn;
	for (unsigned int o = 0; o <= MODEL_MAX_ORDER_LIMIT; o++)
		mlist_init(&cc.freepages[o]);
	mlist_init(&cc.migratepages);
	while (pfn < end || cc.migratepages.head != NIL) {
		if (cc.migratepages.head == NIL) {
			cc.nr_migratepages = 0;
			isolate_migratepages_block(m, &cc, pfn, end);
			pfn = cc.migrate_pfn;
			if (cc.migratepages.head == NIL)
				break;
			evac_isolated(m, &cc, true);
		}
		if (evac_migrate(m, &cc, migrated, failed, &nr_migrated)) {
			evac_putback(m, &cc);
			break;
		}
	}
	if (cc.migratepages.head != NIL)
		evac_putback(m, &cc);
	return nr_migrated;
}

/* evacuate_pageblock(): skips a block that is MOVABLE again */
static void evacuate_pageblock(struct model *m, uint64_t start, unsigned int cpu)
{
	if (!pfn_zone(m, start) || pb_mt(m, start) == MODEL_MT_MOVABLE) {
		count_event(m, MODEL_EVACUATE_SKIPPED, 1);
		return;
	}
	evacuate_block(m, start, cpu, false, MODEL_EVACUATE_MIGRATED, MODEL_EVACUATE_FAILED);
	count_event(m, MODEL_EVACUATE_DONE, 1);
}

/* the per-node worker on the trace clock: each due item, oldest first, to its end */
void evacuate_tick(struct model *m)
{
	while (m->evac_n && m->evac[m->evac_head].due_ns <= m->now_ns) {
		struct evac_item it = m->evac[m->evac_head];

		evacuate_pageblock(m, it.pfn, it.cpu);
		/* evacuate_item_free() once the work is done */
		m->evac_head = (m->evac_head + 1) % m->evac_cap;
		m->evac_n--;
	}
}
