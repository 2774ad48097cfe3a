/* SPDX-License-Identifier: MIT */
/*
 * compaction.c - memory compaction in the model: the migrate and free
 * scanners of compact_zone(), direct compaction with capture, deferral, skip
 * hints, kcompactd and proactive compaction. Models mm/compaction.c of Linux
 * 6.18 (read in the 2026 linux-mm tree; where that tree carries the 2026
 * defrag_mode series, the vanilla 6.18 rule is modelled and said so).
 *
 * Migration moves an allocated MOVABLE block to a free block of the same
 * order taken by the free scanner; the block keeps its mobility and the
 * replay re-keys it from a MODEL_EV_MIGRATE event. Isolated pages stay
 * "allocated" in the per-pfn state while compaction holds them, linked on
 * the compact_control's lists through their mpage links.
 *
 * Deliberate differences: isolation never fails for
 * a movable block it may take (dirty, writeback or pinned pages are stood in for by the
 * seeded migrate_fail_permille knob); no lock contention, so async compaction
 * is never "contended" (a proactive pass is where the trace says the kernel's
 * was: model_kcompactd_contended()); whether a folio has a mapping (the GFP_NOFS rule of
 * isolate_migratepages_block()) is read from its request's gfp, and the
 * start snapshot's blocks count as anonymous (a snapshot does not say);
 * a large folio that gets no target of its order is split only with the
 * knob migrate_split (the kernel's try_split_folio(); off by default, see
 * README "Fidelity"): without it migrate_pages() stops with -ENOMEM and the
 * run ends COMPACT_CONTENDED; with it, always (the kernel's can fail on a
 * busy folio).
 */
#include <errno.h>

#include "model_internal.h"

#define COMPACT_MAX_DEFER_SHIFT 6
/*
 * kcompactd's timeout, msecs_to_jiffies(HPAGE_FRAG_CHECK_INTERVAL_MSEC =
 * 500): 125 jiffies at HZ=250 fall in the timer wheel's second level, whose
 * 8-jiffy granularity rounds them up to 128, 512 ms. Every trace here shows
 * it: mm_compaction_kcompactd_sleep 508..516 ms apart while kcompactd idles
 * (thp-compaction-pressure, slab-pagecache-interleave, import-perf-thp-anon).
 */
#define HPAGE_FRAG_CHECK_INTERVAL_NS 512000000ull

enum isolate_result { ISOLATE_ABORT, ISOLATE_NONE, ISOLATE_SUCCESS };

/* block_end_pfn() */
static uint64_t block_end_pfn(uint64_t pfn, int order)
{
	uint64_t sz = 1ull << order;
	return (pfn + 1 + sz - 1) & ~(sz - 1);
}

/* pageblock_aligned() */
static bool pageblock_aligned(const struct model *m, uint64_t pfn)
{
	return !(pfn & (m->pageblock_nr_pages - 1));
}

/* get_pageblock_skip(): PB_compact_skip */
static bool get_pageblock_skip(const struct model *m, uint64_t pfn)
{
	return *pb_byte(m, pfn) & PB_SKIP;
}

/* set_pageblock_skip() */
static void set_pageblock_skip(struct model *m, uint64_t pfn)
{
	*pb_byte(m, pfn) |= PB_SKIP;
}

#define LRU_BATCH_SIZE 31 /* PAGEVEC_SIZE */

static void mark_compaction_block(struct model *m, uint64_t pfn, unsigned int order,
				  int mobility)
{
	mark_allocated(m, pfn, order, mobility);
	pg(m, pfn)->compact_gen = ISOLATED_FREE;
}

/* lru_add_drain(): what waited in the batch is on the LRU from now on */
static void lru_add_drain(struct model *m)
{
	if (++m->compact_gen >= ISOLATED_FREE)
		m->compact_gen = 1;
	m->lru_batch = 0;
}

/* folio_add_lru(): a migrated block joins this CPU's LRU batch, drained when full */
static void folio_add_lru(struct model *m, uint64_t pfn)
{
	pg(m, pfn)->compact_gen = m->compact_gen;
	if (++m->lru_batch >= LRU_BATCH_SIZE)
		lru_add_drain(m);
}

/* reset_cached_positions() */
static void reset_cached_positions(struct model *m, struct mzone *z)
{
	z->compact_cached_migrate_pfn[0] = z->compact_cached_migrate_pfn[1] = z->start_pfn;
	z->compact_cached_free_pfn = pageblock_start(m, z->end_pfn - 1);
}

void compaction_init_zone(struct model *m, struct mzone *z)
{
	reset_cached_positions(m, z);
}

/* ---- deferral: defer_compaction(), compaction_deferred(), compaction_defer_reset() ---- */

static void defer_compaction(struct mzone *z, int order)
{
	z->compact_considered = 0;
	z->compact_defer_shift++;
	if (order < z->compact_order_failed)
		z->compact_order_failed = order;
	if (z->compact_defer_shift > COMPACT_MAX_DEFER_SHIFT)
		z->compact_defer_shift = COMPACT_MAX_DEFER_SHIFT;
}

static bool compaction_deferred(struct model *m, struct mzone *z, int order)
{
	unsigned int limit = 1u << z->compact_defer_shift;

	if (order < z->compact_order_failed)
		return false;
	if (++z->compact_considered >= limit) {
		z->compact_considered = limit;
		return false;
	}
	count_event(m, MODEL_COMPACT_DEFERRED, 1);
	struct model_event ev = { .type = MODEL_EV_COMPACT_DEFERRED, .order = (unsigned int)order,
				  .zone = z->type };
	emit(m, &ev);
	return true;
}

void compaction_defer_reset(struct mzone *z, int order, bool alloc_success)
{
	if (alloc_success) {
		z->compact_considered = 0;
		z->compact_defer_shift = 0;
	}
	if (order >= z->compact_order_failed)
		z->compact_order_failed = order + 1;
}

/* compaction_restarting() */
static bool compaction_restarting(const struct mzone *z, int order)
{
	return order >= z->compact_order_failed &&
	       z->compact_defer_shift == COMPACT_MAX_DEFER_SHIFT &&
	       z->compact_considered >= 1u << z->compact_defer_shift;
}

/* ---- skip hints ---- */

/* __reset_isolation_pfn(): clear the hint if a sample every 8 pages finds LRU or buddy */
static bool raw_reset_isolation_pfn(struct model *m, struct mzone *z, uint64_t pfn, bool source,
				    bool target)
{
	if (!zone_spans(z, pfn))
		return false;
	const struct mpage *h = pg(m, pfn);
	if (h->state == MODEL_PAGE_ALLOC && h->order >= m->pageblock_order)
		return false; /* pageblock_skip_persistent() */
	if (source && target && !get_pageblock_skip(m, pfn))
		return true;
	if (!source && target && pb_mt(m, pfn) != MODEL_MT_MOVABLE)
		return false;
	uint64_t start = pageblock_start(m, pfn), end = start + m->pageblock_nr_pages - 1;
	if (start < z->start_pfn)
		start = z->start_pfn;
	if (end > z->end_pfn - 1)
		end = z->end_pfn - 1;
	for (uint64_t p = start; p <= end; p += 1ull << PAGE_ALLOC_COSTLY_ORDER) {
		const struct mpage *q = pg(m, p);
		bool lru = q->state == MODEL_PAGE_ALLOC && q->mt == MODEL_MT_MOVABLE;
		if ((source && lru) || (target && q->state == MODEL_PAGE_FREE)) {
			*pb_byte(m, p) &= (uint8_t)~PB_SKIP;
			return true;
		}
	}
	return false;
}

/* __reset_isolation_suitable(): only after a full direct compaction set the flush flag */
static void raw_reset_isolation_suitable(struct model *m, struct mzone *z)
{
	uint64_t migrate = z->start_pfn, free = z->end_pfn - 1;
	uint64_t reset_migrate = free, reset_free = migrate;
	bool source_set = false, free_set = false;

	if (!z->compact_blockskip_flush)
		return;
	z->compact_blockskip_flush = false;
	for (; migrate < free; migrate += m->pageblock_nr_pages, free -= m->pageblock_nr_pages) {
		if (raw_reset_isolation_pfn(m, z, migrate, true, source_set) &&
		    migrate < reset_migrate) {
			source_set = true;
			reset_migrate = migrate;
			z->compact_init_migrate_pfn = reset_migrate;
			z->compact_cached_migrate_pfn[0] = z->compact_cached_migrate_pfn[1] =
				reset_migrate;
		}
		if (raw_reset_isolation_pfn(m, z, free, free_set, true) && free > reset_free) {
			free_set = true;
			reset_free = free;
			z->compact_init_free_pfn = reset_free;
			z->compact_cached_free_pfn = reset_free;
		}
	}
	if (reset_migrate >= reset_free) {
		z->compact_cached_migrate_pfn[0] = z->compact_cached_migrate_pfn[1] = migrate;
		z->compact_cached_free_pfn = free;
	}
}

/* update_cached_migrate() */
static void update_cached_migrate(struct model *m, struct compact_control *cc, uint64_t pfn)
{
	pfn = pageblock_start(m, pfn) + m->pageblock_nr_pages;
	if (pfn > cc->z->compact_cached_migrate_pfn[0])
		cc->z->compact_cached_migrate_pfn[0] = pfn;
	if (cc->mode != MIGRATE_ASYNC && pfn > cc->z->compact_cached_migrate_pfn[1])
		cc->z->compact_cached_migrate_pfn[1] = pfn;
}

/* ---- the free scanner ---- */

/* isolate_freepages_block(), not strict: free blocks onto cc->freepages */
static long isolate_freepages_block(struct model *m, struct compact_control *cc,
				    uint64_t *start_pfn, uint64_t end_pfn, unsigned int stride)
{
	uint64_t pfn = *start_pfn, nr_scanned = 0;
	long total = 0;

	for (; pfn < end_pfn; pfn += stride) {
		const struct mpage *p = pg(m, pfn);

		nr_scanned++;
		if (p->state == MODEL_PAGE_ALLOC && p->order) { /* PageCompound */
			uint64_t n = 1ull << p->order;
			if (pfn + n <= end_pfn) {
				pfn += n - 1;
				nr_scanned += n - 1;
			}
			continue;
		}
		if (p->state != MODEL_PAGE_FREE)
			continue;
		unsigned int order = p->order;
		long isolated = raw_isolate_free_page(m, cc->z, pfn);
		if (!isolated)
			break;
		mark_compaction_block(m, pfn, order, MODEL_MT_MOVABLE);
		mlist_add(m, &cc->freepages[order], pfn, true);
		nr_scanned += (uint64_t)isolated - 1;
		total += isolated;
		cc->nr_freepages += isolated;
		if (cc->nr_migratepages <= cc->nr_freepages) {
			pfn += (uint64_t)isolated;
			break;
		}
		pfn += (uint64_t)isolated - 1;
	}
	if (pfn > end_pfn)
		pfn = end_pfn;
	*start_pfn = pfn;
	cc->total_free_scanned += nr_scanned;
	count_event(m, MODEL_COMPACT_ISOLATED, (uint64_t)total);
	return total;
}

/* suitable_migration_target() */
static bool suitable_migration_target(const struct model *m, const struct compact_control *cc,
				      uint64_t pfn)
{
	const struct mpage *p = pg(m, pfn);

	if (p->state == MODEL_PAGE_FREE &&
	    p->order >= (cc->order > 0 ? (unsigned int)cc->order : m->pageblock_order))
		return false;
	if (cc->ignore_block_suitable)
		return true;
	int mt = pb_mt(m, pfn);
	return mt == MODEL_MT_MOVABLE || mt == MODEL_MT_CMA;
}

/* isolation_suitable(): the skip hint, unless ignored */
static bool isolation_suitable(const struct model *m, const struct compact_control *cc,
			       uint64_t pfn)
{
	return cc->ignore_skip_hint || !get_pageblock_skip(m, pfn);
}

/* move_freelist_head(): rotate the list so that @pfn comes first */
static void move_freelist_head(struct model *m, struct mlist *l, uint64_t pfn)
{
	uint32_t i = pidx(m, pfn);

	if (l->head == i)
		return;
	struct mlink *p = &m->links[i];
	uint32_t before = p->prev;
	spb_free_rotate(m, l->head, before);
	m->links[l->tail].next = l->head;
	m->links[l->head].prev = l->tail;
	m->links[before].next = NIL;
	p->prev = NIL;
	l->head = i;
	l->tail = before;
}

/* next_search_order() */
static int next_search_order(struct compact_control *cc, int order)
{
	order--;
	if (order < 0)
		order = cc->order - 1;
	if (order == cc->search_order) {
		cc->search_order--;
		if (cc->search_order < 0)
			cc->search_order = cc->order - 1;
		return -1;
	}
	return order;
}

/* fast_isolate_around() */
static void fast_isolate_around(struct model *m, struct compact_control *cc, uint64_t pfn)
{
	if (cc->nr_freepages >= cc->nr_migratepages)
		return;
	if (cc->direct_compaction && cc->mode == MIGRATE_ASYNC)
		return;
	uint64_t start = pageblock_start(m, pfn), end = start + m->pageblock_nr_pages;
	if (start < cc->z->start_pfn)
		start = cc->z->start_pfn;
	if (end > cc->z->end_pfn)
		end = cc->z->end_pfn;
	uint64_t block = start;
	isolate_freepages_block(m, cc, &start, end, 1);
	if (start == end)
		set_pageblock_skip(m, block);
}

/*
 * fast_isolate_freepages(): search the MOVABLE free lists below the target
 * order, from their tails, for a block in the top quarter of the range
 * between the scanners (the top half if nothing better), with a scan limit
 * that shrinks as searches fail.
 */
static void fast_isolate_freepages(struct model *m, struct compact_control *cc)
{
	unsigned int limit, shift = cc->fast_search_fail < 63 ? cc->fast_search_fail : 63;
	uint64_t nr_scanned = 0, highest = 0, found = MODEL_PFN_NONE;
	bool scan_start = false;
	struct mzone *z = cc->z;

	if (cc->order <= 0)
		return;
	limit = (unsigned int)((((uint64_t)COMPACT_CLUSTER_MAX >> shift) + 1) >> 1);
	if (limit < 1)
		limit = 1;
	if (cc->free_pfn >= z->compact_init_free_pfn) {
		limit = (unsigned int)(m->pageblock_nr_pages >> 1);
		scan_start = true;
	}
	uint64_t distance = cc->free_pfn - cc->migrate_pfn;
	uint64_t low_pfn = pageblock_start(m, cc->free_pfn - (distance >> 2));
	uint64_t min_pfn = pageblock_start(m, cc->free_pfn - (distance >> 1));
	if (min_pfn > low_pfn)
		low_pfn = min_pfn;

	if (cc->search_order > cc->order - 1)
		cc->search_order = cc->order - 1;
	for (int order = cc->search_order; found == MODEL_PFN_NONE && order >= 0;
	     order = next_search_order(cc, order)) {
		struct free_area *area = &z->area[order];
		struct mlist *list = &area->free_list[MODEL_MT_MOVABLE];
		unsigned int order_scanned = 0;
		uint64_t high_pfn = 0, last = MODEL_PFN_NONE;

		if (!area->nr_free)
			continue;
		for (uint32_t i = list->tail; i != NIL; i = m->links[i].prev) {
			uint64_t pfn = ipfn(m, i);

			order_scanned++;
			nr_scanned++;
			last = pfn;
			if (pfn >= highest) {
				highest = pageblock_start(m, pfn);
				if (highest < z->start_pfn)
					highest = z->start_pfn;
			}
			if (pfn >= low_pfn) {
				cc->fast_search_fail = 0;
				cc->search_order = order;
				found = pfn;
				break;
			}
			if (pfn >= min_pfn && pfn > high_pfn) {
				high_pfn = pfn;
				limit >>= 1;
			}
			if (order_scanned >= limit)
				break;
		}
		if (found == MODEL_PFN_NONE && high_pfn)
			found = last = high_pfn;
		if (last != MODEL_PFN_NONE)
			move_freelist_head(m, list, last);
		if (found != MODEL_PFN_NONE) {
			long n = raw_isolate_free_page(m, z, found);
			if (n) {
				mark_compaction_block(m, found, (unsigned int)order, MODEL_MT_MOVABLE);
				mlist_add(m, &cc->freepages[order], found, true);
				nr_scanned += (uint64_t)n - 1;
				cc->nr_freepages += n;
				count_event(m, MODEL_COMPACT_ISOLATED, (uint64_t)n);
			} else {
				order = cc->search_order + 1; /* abort the search */
				found = MODEL_PFN_NONE;
			}
		}
		if (cc->nr_freepages >= cc->nr_migratepages)
			break;
		if (order_scanned >= limit)
			limit = limit >> 1 ? limit >> 1 : 1;
	}

	uint64_t around = found;
	if (found == MODEL_PFN_NONE) {
		cc->fast_search_fail++;
		if (scan_start) {
			if (highest >= min_pfn) {
				around = highest;
				cc->free_pfn = highest;
			} else if (cc->direct_compaction && zone_spans(z, min_pfn)) {
				if (suitable_migration_target(m, cc, min_pfn))
					around = min_pfn;
				cc->free_pfn = min_pfn;
			}
		}
	}
	if (highest && highest >= z->compact_cached_free_pfn) {
		highest -= m->pageblock_nr_pages;
		z->compact_cached_free_pfn = highest;
	}
	cc->total_free_scanned += nr_scanned;
	if (around != MODEL_PFN_NONE)
		fast_isolate_around(m, cc, around);
}

/* isolate_freepages(): the fast search, then pageblocks down from cc->free_pfn */
static void isolate_freepages(struct model *m, struct compact_control *cc)
{
	struct mzone *z = cc->z;

	fast_isolate_freepages(m, cc);
	if (cc->nr_freepages)
		return;
	uint64_t isolate_start = cc->free_pfn;
	int64_t block_start = (int64_t)pageblock_start(m, isolate_start);
	uint64_t block_endp = (uint64_t)block_start + m->pageblock_nr_pages;
	if (block_endp > z->end_pfn)
		block_endp = z->end_pfn;
	int64_t low_pfn = (int64_t)(pageblock_start(m, cc->migrate_pfn) + m->pageblock_nr_pages);
	unsigned int stride = cc->mode == MIGRATE_ASYNC ? COMPACT_CLUSTER_MAX : 1;

	for (; block_start >= low_pfn; block_endp = (uint64_t)block_start,
	     block_start -= (int64_t)m->pageblock_nr_pages, isolate_start = (uint64_t)block_start) {
		uint64_t bs = (uint64_t)block_start;

		if (bs < z->start_pfn)
			break;
		if (!suitable_migration_target(m, cc, bs) || !isolation_suitable(m, cc, bs))
			continue;
		long nr = isolate_freepages_block(m, cc, &isolate_start, block_endp, stride);
		if (isolate_start == block_endp) { /* update_pageblock_skip() */
			set_pageblock_skip(m, bs);
			uint64_t prev = bs - m->pageblock_nr_pages;
			if (prev < z->compact_cached_free_pfn)
				z->compact_cached_free_pfn = prev;
		}
		if (cc->nr_freepages >= cc->nr_migratepages) {
			if (isolate_start >= block_endp)
				isolate_start = bs - m->pageblock_nr_pages;
			break;
		} else if (isolate_start < block_endp) {
			break;
		}
		if (nr) {
			stride = 1;
			continue;
		}
		stride = stride << 1 < COMPACT_CLUSTER_MAX ? stride << 1 : COMPACT_CLUSTER_MAX;
	}
	cc->free_pfn = isolate_start;
}

/* compaction_alloc(): the smallest isolated free block that fits, split down */
static uint64_t compaction_alloc(struct model *m, struct compact_control *cc, unsigned int order)
{
	bool isolated = false;
	unsigned int o;

again:
	for (o = order; o <= m->max_order; o++)
		if (cc->freepages[o].head != NIL)
			break;
	if (o > m->max_order) {
		if (isolated)
			return MODEL_PFN_NONE;
		isolate_freepages(m, cc);
		isolated = true;
		goto again;
	}
	uint64_t pfn = mlist_first(m, &cc->freepages[o]);
	mlist_del(m, &cc->freepages[o], pfn);
	while (o > order) {
		o--;
		uint64_t half = pfn + (1ull << o);
		mark_compaction_block(m, half, o, MODEL_MT_MOVABLE);
		mlist_add(m, &cc->freepages[o], half, false);
	}
	/* the piece taken is of @order now: compaction_free() may put it back,
	 * and a proactive pass holds its list between steps */
	mark_compaction_block(m, pfn, order, MODEL_MT_MOVABLE);
	cc->nr_freepages -= 1l << order;
	cc->nr_migratepages -= 1l << order;
	return pfn;
}

/* compaction_free(): a target not used after all goes back to the isolated list */
static void compaction_free(struct model *m, struct compact_control *cc, uint64_t pfn,
			    unsigned int order)
{
	pg(m, pfn)->compact_gen = ISOLATED_FREE;
	mlist_add(m, &cc->freepages[order], pfn, false);
	cc->nr_freepages += 1l << order;
	cc->nr_migratepages += 1l << order;
}

/* release_free_list(): isolated free blocks back through the free path */
static uint64_t release_free_list(struct model *m, struct compact_control *cc)
{
	uint64_t high = 0;

	for (unsigned int o = 0; o <= m->max_order; o++) {
		struct mlist *l = &cc->freepages[o];

		while (l->head != NIL) {
			uint64_t pfn = mlist_first(m, l);
			mlist_del(m, l, pfn);
			raw_free_frozen_pages(m, cc->z, pfn, o, cc->cpu);
			if (pfn > high)
				high = pfn;
		}
	}
	cc->nr_freepages = 0;
	return high;
}

/* putback_movable_pages(): isolated blocks stay where they are */
void putback_movable_pages(struct model *m, struct compact_control *cc)
{
	while (cc->migratepages.head != NIL)
		mlist_del(m, &cc->migratepages, mlist_first(m, &cc->migratepages));
	cc->nr_migratepages = 0;
}

/*
 * migrate_folio_move(): the allocated block at @src moves to @dst, a free
 * block of its order already taken for it. @dst becomes the block, with its
 * mobility, and joins this CPU's LRU batch; the replay re-keys the block
 * (MODEL_EV_MIGRATE, in @dst's zone); @src's pages are freed as folio_put()
 * frees them (to this CPU's lists for pcp orders). Compaction and evacuation
 * move blocks only through here.
 */
void migrate_folio_move(struct model *m, struct mzone *src_zone, uint64_t src, uint64_t dst,
			unsigned int cpu)
{
	unsigned int order = pg(m, src)->order;
	int mobility = pg(m, src)->mt;

	mark_allocated(m, dst, order, mobility);
	page_mapping_set(m, dst, page_mapping(m, src));
	folio_add_lru(m, dst);
	struct model_event ev = { .type = MODEL_EV_MIGRATE, .pfn = src, .new_pfn = dst,
				  .order = order, .migratetype = mobility,
				  .zone = pfn_zone(m, dst)->type };
	emit(m, &ev);
	count_event(m, MODEL_PGMIGRATE_SUCCESS, 1ull << order);
	raw_free_frozen_pages(m, src_zone, src, order, cpu);
}

/*
 * try_split_folio() for a large block compaction found no target of its
 * order for: it becomes order-0 blocks (split_folio()), which take its place
 * on the list, first page first; the replay splits its recorded block the
 * same way (MODEL_EV_SPLIT).
 */
static void split_migrate_source(struct model *m, struct compact_control *cc, uint64_t src,
				 unsigned int order)
{
	mlist_del(m, &cc->migratepages, src);
	split_allocated(m, src, 0);
	struct model_event ev = { .type = MODEL_EV_SPLIT, .pfn = src, .order = order,
				  .migratetype = pg(m, src)->mt, .zone = cc->z->type };
	emit(m, &ev);
	count_event(m, MODEL_MIGRATE_SPLIT, 1);
	for (uint64_t k = 1ull << order; k-- > 0;)
		mlist_add(m, &cc->migratepages, src + k, false);
}

/*
 * migrate_pages() with compaction_alloc/compaction_free, one batch as
 * migrate_pages_batch() does it: every isolated block gets its target first
 * (in list order, the last isolated first), then each moves and its old
 * pages are freed (to this CPU's lists for pcp orders, as folio_put() does).
 * With migrate_split, a large block with no target of its order is split
 * and its pages go on (migrate_pages_batch()'s -ENOMEM case for a large
 * folio, not for NUMA faults: compaction never sets nosplit). A block fails with probability
 * migrate_fail_permille after its target was taken, which goes back. When
 * targets run out for order-0 blocks, the blocks that have one still move.
 * Returns -ENOMEM then, else the number of blocks that failed.
 */
static int migrate_pages(struct model *m, struct compact_control *cc)
{
	size_t n = 0;
	int failed = 0, ret;

	while (cc->migratepages.head != NIL) {
		uint64_t src = mlist_first(m, &cc->migratepages);
		unsigned int order = pg(m, src)->order;
		uint64_t dst = compaction_alloc(m, cc, order);

		if (dst == MODEL_PFN_NONE && order > 0 && knob(m, MODEL_KNOB_MIGRATE_SPLIT)) {
			split_migrate_source(m, cc, src, order);
			continue;
		}
		if (dst == MODEL_PFN_NONE)
			break;
		mlist_del(m, &cc->migratepages, src);
		if (migrate_fails(m)) {
			compaction_free(m, cc, dst, order);
			count_event(m, MODEL_PGMIGRATE_FAIL, 1ull << order);
			failed++;
			continue;
		}
		m->migrate_src[n] = src;
		m->migrate_dst[n++] = dst;
	}
	ret = cc->migratepages.head != NIL ? -ENOMEM : failed;
	if (ret < 0) {
		count_event(m, MODEL_PGMIGRATE_FAIL, 1ull << pg(m, mlist_first(m, &cc->migratepages))->order);
		putback_movable_pages(m, cc);
	}
	for (size_t k = 0; k < n; k++)
		migrate_folio_move(m, cc->z, m->migrate_src[k], m->migrate_dst[k], cc->cpu);
	return ret;
}

/* ---- the migrate scanner ---- */

/* skip_isolation_on_order() */
static bool skip_isolation_on_order(const struct model *m, int order, int target)
{
	if (target >= 0 && order >= target)
		return true;
	return order >= (int)m->pageblock_order;
}

/*
 * isolate_migratepages_block(): movable allocated blocks of [low, end) onto
 * cc->migratepages, COMPACT_CLUSTER_MAX at most; free blocks are skipped by
 * their order; async direct compaction gives up an order-aligned chunk at the
 * first page it cannot isolate. The first isolation in a pageblock sets its
 * skip hint (test_and_set_skip).
 */
void isolate_migratepages_block(struct model *m, struct compact_control *cc, uint64_t low,
				uint64_t end)
{
	uint64_t nr_scanned = 0, next_skip = 0, valid = MODEL_PFN_NONE;
	long nr_isolated = 0;
	bool skip_on_failure = false, skip_updated = false;

	cc->migrate_pfn = low;
	if (cc->direct_compaction && cc->mode == MIGRATE_ASYNC) {
		skip_on_failure = true;
		next_skip = block_end_pfn(low, cc->order);
	}
	for (; low < end; low++) {
		if (skip_on_failure && low >= next_skip) {
			if (nr_isolated)
				break;
			next_skip = block_end_pfn(low, cc->order);
		}
		nr_scanned++;
		if (valid == MODEL_PFN_NONE && (pageblock_aligned(m, low) || low == cc->z->start_pfn)) {
			if (!isolation_suitable(m, cc, low)) {
				low = end;
				goto abort;
			}
			valid = low;
		}
		const struct mpage *p = pg(m, low);
		if (p->state == MODEL_PAGE_FREE) {
			if (p->order > 0) {
				low += (1ull << p->order) - 1;
				nr_scanned += (1ull << p->order) - 1;
			}
			continue;
		}
		if (p->state == MODEL_PAGE_ALLOC && p->order > 0 &&
		    skip_isolation_on_order(m, p->order, cc->order)) {
			low += (1ull << p->order) - 1;
			nr_scanned += (1ull << p->order) - 1;
			goto fail;
		}
		if (p->state != MODEL_PAGE_ALLOC || p->mt != MODEL_MT_MOVABLE ||
		    p->compact_gen == ISOLATED_FREE || p->compact_gen == m->compact_gen)
			goto fail; /* not on the LRU: unmovable, reclaimable, pcp, tail, held */
		/* only anonymous pages in GFP_NOFS context: no fs locks */
		if (!(cc->gfp_mask & MODEL_GFP_FS) && page_mapping(m, low))
			goto fail;
		if (!skip_updated && valid != MODEL_PFN_NONE) {
			skip_updated = true;
			bool was = !cc->ignore_skip_hint && get_pageblock_skip(m, valid);
			if (!cc->ignore_skip_hint)
				set_pageblock_skip(m, valid);
			if (was && !cc->finish_pageblock) {
				low = end;
				goto abort;
			}
		}
		unsigned int order = p->order;
		mlist_add(m, &cc->migratepages, low, false); /* list_add() */
		cc->nr_migratepages += 1l << order;
		nr_isolated += 1l << order;
		nr_scanned += (1ull << order) - 1;
		low += (1ull << order) - 1;
		if (cc->nr_migratepages >= COMPACT_CLUSTER_MAX && !cc->finish_pageblock) {
			++low;
			break;
		}
		continue;
fail:
		if (!skip_on_failure)
			continue;
		if (nr_isolated) {
			putback_movable_pages(m, cc);
			nr_isolated = 0;
		}
		if (low < next_skip) {
			low = next_skip - 1;
			next_skip += 1ull << cc->order;
		}
	}
	if (low > end)
		low = end;
abort:
	if (low == end && (!nr_isolated || cc->finish_pageblock)) {
		if (valid != MODEL_PFN_NONE && !skip_updated)
			set_pageblock_skip(m, valid);
		update_cached_migrate(m, cc, low);
	}
	cc->total_migrate_scanned += nr_scanned;
	count_event(m, MODEL_COMPACT_ISOLATED, (uint64_t)nr_isolated);
	cc->migrate_pfn = low;
}

/*
 * suitable_migration_source(), vanilla 6.18: kcompactd and sync modes take any
 * block; async direct compaction only MOVABLE (and CMA) blocks for movable
 * requests, else blocks of the request's own type. capture-split's rule
 * (capture_split.c) widens the first case to whole-block production.
 */
static bool suitable_migration_source(const struct model *m, const struct compact_control *cc,
				      uint64_t pfn)
{
	const struct mpage *p = pg(m, pfn);

	if (p->state == MODEL_PAGE_ALLOC && p->order >= m->pageblock_order)
		return false; /* pageblock_skip_persistent() */
	if (cc->mode != MIGRATE_ASYNC || !cc->direct_compaction)
		return true;
	int mt = pb_mt(m, pfn);
	if (cc->migratetype == MODEL_MT_MOVABLE || capture_split_movable_source(m, cc))
		return mt == MODEL_MT_MOVABLE || mt == MODEL_MT_CMA;
	return mt == cc->migratetype;
}

/* move_freelist_tail(): rotate the list so that @pfn comes last */
static void move_freelist_tail(struct model *m, struct mlist *l, uint64_t pfn)
{
	uint32_t next = m->links[pidx(m, pfn)].next;

	if (next != NIL)
		move_freelist_head(m, l, ipfn(m, next));
}

/* update_fast_start_pfn() */
static void update_fast_start_pfn(struct compact_control *cc, uint64_t pfn)
{
	if (cc->fast_start_pfn == UINT64_MAX)
		return;
	if (!cc->fast_start_pfn || pfn < cc->fast_start_pfn)
		cc->fast_start_pfn = pfn;
}

/* reinit_migrate_pfn() */
static uint64_t reinit_migrate_pfn(struct compact_control *cc)
{
	if (!cc->fast_start_pfn || cc->fast_start_pfn == UINT64_MAX)
		return cc->migrate_pfn;
	cc->migrate_pfn = cc->fast_start_pfn;
	cc->fast_start_pfn = UINT64_MAX;
	return cc->migrate_pfn;
}

/*
 * fast_find_migrateblock() (mm/compaction.c, 6.18): a run for a costly order
 * (a THP's) that reads the skip hints, at the start of a pageblock and not
 * finishing one, looks for a pageblock that already has free pages instead
 * of going on linearly: on the MOVABLE free lists of order cc->order - 1
 * down to PAGE_ALLOC_COSTLY_ORDER, from each list's head, the first block
 * below high_pfn (half the way to the free scanner from the zone's start,
 * an eighth of it later) whose pageblock's hint is clear, at most
 * freelist_scan_limit() entries in all (each counts as migrate-scanned).
 * The migrate scanner starts at its pageblock (behind it too), and the block
 * goes to its list's tail so that the next search finds another. None
 * found: the lowest find of this run, once (reinit_migrate_pfn()), else
 * where the scanner was. A direct compaction for a non-movable request
 * scans linearly (vanilla 6.18; the 2026 tree lets whole-pageblock requests
 * search too). So a THP compaction's migrate scanner passes pageblocks it
 * neither scans nor marks, which is why the trace's first runs cannot say
 * those pageblocks' hints (start_skip_hints).
 */
static uint64_t fast_find_migrateblock(struct model *m, struct compact_control *cc)
{
	struct mzone *z = cc->z;
	uint64_t pfn = cc->migrate_pfn;
	unsigned int shift = cc->fast_search_fail < 63 ? cc->fast_search_fail : 63;
	unsigned int limit = (unsigned int)(((uint64_t)COMPACT_CLUSTER_MAX >> shift) + 1);
	unsigned int nr_scanned = 0;
	bool found = false;

	if (cc->ignore_skip_hint || cc->finish_pageblock)
		return pfn;
	if (pfn != z->start_pfn && pfn != pageblock_start(m, pfn))
		return pfn; /* a pageblock's scan resumed after COMPACT_CLUSTER_MAX */
	if (cc->order <= PAGE_ALLOC_COSTLY_ORDER)
		return pfn;
	if (cc->direct_compaction && cc->migratetype != MODEL_MT_MOVABLE)
		return pfn;
	uint64_t distance = (cc->free_pfn - cc->migrate_pfn) >> 1;
	if (cc->migrate_pfn != z->start_pfn)
		distance >>= 2;
	uint64_t high_pfn = pageblock_start(m, cc->migrate_pfn + distance);

	for (int order = cc->order - 1;
	     order >= PAGE_ALLOC_COSTLY_ORDER && !found && nr_scanned < limit; order--) {
		struct free_area *area = &z->area[order];
		struct mlist *list = &area->free_list[MODEL_MT_MOVABLE];

		if (!area->nr_free)
			continue;
		for (uint32_t i = list->head; i != NIL; i = m->links[i].next) {
			uint64_t free_pfn = ipfn(m, i);

			if (nr_scanned++ >= limit) {
				move_freelist_tail(m, list, free_pfn);
				break;
			}
			if (free_pfn >= high_pfn || get_pageblock_skip(m, free_pfn))
				continue;
			move_freelist_tail(m, list, free_pfn);
			update_fast_start_pfn(cc, free_pfn);
			pfn = pageblock_start(m, free_pfn);
			if (pfn < z->start_pfn)
				pfn = z->start_pfn;
			cc->fast_search_fail = 0;
			found = true;
			break;
		}
	}
	cc->total_migrate_scanned += nr_scanned;
	if (!found) {
		cc->fast_search_fail++;
		pfn = reinit_migrate_pfn(cc);
	}
	return pfn;
}

/* isolate_migratepages(): the first suitable pageblock from where
 * fast_find_migrateblock() says */
static enum isolate_result isolate_migratepages(struct model *m, struct compact_control *cc)
{
	uint64_t low = fast_find_migrateblock(m, cc);
	uint64_t bstart = pageblock_start(m, low);
	uint64_t bend = bstart + m->pageblock_nr_pages;
	/* the search checked the hint of the pageblock it found */
	bool fast_find_block = low != cc->migrate_pfn && !cc->fast_search_fail;

	if (bstart < cc->z->start_pfn)
		bstart = cc->z->start_pfn;
	for (; bend <= cc->free_pfn; fast_find_block = false,
	     cc->migrate_pfn = low = bend, bstart = bend, bend += m->pageblock_nr_pages) {
		if (bend > cc->z->end_pfn)
			break;
		if ((pageblock_aligned(m, low) || low == cc->z->start_pfn) && !fast_find_block &&
		    !isolation_suitable(m, cc, bstart))
			continue;
		if (!suitable_migration_source(m, cc, bstart)) {
			update_cached_migrate(m, cc, bend);
			continue;
		}
		isolate_migratepages_block(m, cc, low, bend);
		break;
	}
	return cc->nr_migratepages ? ISOLATE_SUCCESS : ISOLATE_NONE;
}

/* ---- when to stop ---- */

/* compact_scanners_met() */
static bool compact_scanners_met(const struct model *m, const struct compact_control *cc)
{
	return (cc->free_pfn >> m->pageblock_order) <= (cc->migrate_pfn >> m->pageblock_order);
}

/* extfrag_for_order(): the share of free pages unusable at @order, 0..100 */
static unsigned int extfrag_for_order(const struct model *m, const struct mzone *z,
				      unsigned int order)
{
	struct contig_page_info info;

	zone_contig_page_info(m, z, order, &info);
	if (!info.free_pages)
		return 0;
	return (unsigned int)((info.free_pages - (info.free_blocks_suitable << order)) * 100 /
			      info.free_pages);
}

/* fragmentation_index() of a zone: -1000 when a block of @order is free */
static long fragmentation_index(const struct model *m, const struct mzone *z,
				unsigned int order)
{
	struct contig_page_info info;

	zone_contig_page_info(m, z, order, &info);
	return raw_fragmentation_index(order, &info);
}

/* COMPACTION_HPAGE_ORDER: HPAGE_PMD_ORDER, or pageblock order without THP lists */
static unsigned int hpage_order(const struct model *m)
{
	return m->pmd_order <= m->max_order ? m->pmd_order : m->pageblock_order;
}

/* fragmentation_score_wmark() of compaction_proactiveness @pro: falls as it rises */
static unsigned int fragmentation_score_wmark(long pro, bool low)
{
	unsigned int wmark_low = (unsigned int)(100 - (pro < 0 ? 0 : pro > 100 ? 100 : pro));
	unsigned int leeway = wmark_low / 2 < 10 ? wmark_low / 2 : 10;

	return low ? wmark_low : (wmark_low + leeway < 100 ? wmark_low + leeway : 100);
}

/* fragmentation_score_node(): zones weighted by present pages */
static unsigned int fragmentation_score_node(const struct model *m)
{
	uint64_t present = 0, score = 0;

	for (unsigned int i = 0; i < m->nr_zones; i++)
		present += m->zones[i].present;
	for (unsigned int i = 0; i < m->nr_zones; i++)
		score += m->zones[i].present * extfrag_for_order(m, &m->zones[i], hpage_order(m)) /
			 (present + 1);
	return (unsigned int)score;
}

/* a proactive pass goes on: *@ctx, a zone's score, above the low mark of
 * proactiveness @pro (rises with it, as knob_monotone() needs) */
static bool score_above_low(long pro, const void *ctx)
{
	return *(const unsigned int *)ctx > fragmentation_score_wmark(pro, true);
}

/* kcompactd_do_work()'s proactive start under proactiveness @pro: on at all,
 * and the node's score above its high mark (rises with @pro) */
static bool proactive_due(long pro, const void *ctx)
{
	return pro && fragmentation_score_node(ctx) > fragmentation_score_wmark(pro, false);
}

/* __compact_finished() */
static int raw_compact_finished(struct model *m, struct compact_control *cc)
{
	struct mzone *z = cc->z;

	if (compact_scanners_met(m, cc)) {
		reset_cached_positions(m, z);
		if (cc->direct_compaction)
			z->compact_blockskip_flush = true;
		return cc->whole_zone ? MODEL_COMPACT_COMPLETE : MODEL_COMPACT_PARTIAL_SKIPPED;
	}
	if (cc->proactive_compaction && m->kswapd_running)
		return MODEL_COMPACT_PARTIAL_SKIPPED; /* kswapd_is_running() */
	if (cc->proactive_compaction)
		return knob_monotone(m, MODEL_KNOB_COMPACTION_PROACTIVENESS, score_above_low,
				     &(unsigned int){ extfrag_for_order(m, z, hpage_order(m)) })
			       ? MODEL_COMPACT_CONTINUE : MODEL_COMPACT_SUCCESS_RES;
	if (cc->order < 0)
		return MODEL_COMPACT_CONTINUE;
	if (!pageblock_aligned(m, cc->migrate_pfn))
		return MODEL_COMPACT_CONTINUE;
	/* defrag_mode: kcompactd's goal is the high watermark in whole free pageblocks */
	if (!cc->direct_compaction && knob(m, MODEL_KNOB_DEFRAG_MODE))
		return raw_zone_watermark_ok(m, z, (unsigned int)cc->order,
					     z->wmark[WMARK_HIGH] + z->watermark_boost,
					     cc->highest_zoneidx, cc->alloc_flags,
					     z->nr_free_blocks)
			       ? MODEL_COMPACT_SUCCESS_RES : MODEL_COMPACT_CONTINUE;
	for (unsigned int o = (unsigned int)cc->order; o <= m->max_order; o++) {
		const struct free_area *area = &z->area[o];

		if (area->free_list[cc->migratetype].nr)
			return MODEL_COMPACT_SUCCESS_RES;
		if (cc->migratetype == MODEL_MT_MOVABLE && area->free_list[MODEL_MT_CMA].nr)
			return MODEL_COMPACT_SUCCESS_RES;
		/* find_suitable_fallback(claimable): a claim would succeed */
		if (o >= m->pageblock_order / 2 || cc->migratetype != MODEL_MT_MOVABLE) {
			for (int i = 0; i < MODEL_NR_PCPTYPES; i++)
				if (i != cc->migratetype && i < MODEL_NR_PCPTYPES &&
				    area->free_list[i].nr)
					return MODEL_COMPACT_SUCCESS_RES;
		}
	}
	return MODEL_COMPACT_NO_SUITABLE_PAGE;
}

/* compact_finished(): mm_compaction_finished reports the reason, then
 * NO_SUITABLE_PAGE means go on */
static int compact_finished(struct model *m, struct compact_control *cc)
{
	int ret = raw_compact_finished(m, cc);
	struct model_event ev = { .type = MODEL_EV_COMPACT_FINISHED, .order = (unsigned int)cc->order,
				  .zone = cc->z->type, .status = ret };

	emit(m, &ev);
	return ret == MODEL_COMPACT_NO_SUITABLE_PAGE ? MODEL_COMPACT_CONTINUE : ret;
}

/* __compaction_suitable(): order-0 pages above the mark plus the compaction gap */
static bool raw_compaction_suitable(const struct model *m, const struct mzone *z, int order,
				    long mark, int highest_zoneidx, long free_pages)
{
	mark += 2l << order; /* compact_gap() */
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		mark += z->wmark[WMARK_LOW] - z->wmark[WMARK_MIN];
	return raw_zone_watermark_ok(m, z, 0, mark, highest_zoneidx, ALLOC_CMA, free_pages);
}

/* compaction_suitable(): costly orders also need a fragmentation index above the threshold */
static bool compaction_suitable(const struct model *m, const struct mzone *z, int order,
				long mark, int highest_zoneidx)
{
	if (!raw_compaction_suitable(m, z, order, mark, highest_zoneidx, z->nr_free_pages))
		return false;
	if (order > PAGE_ALLOC_COSTLY_ORDER) {
		long fi = fragmentation_index(m, z, (unsigned int)order);
		if (fi >= 0 && knob_monotone(m, MODEL_KNOB_EXTFRAG_THRESHOLD, knob_at_least, &fi))
			return false; /* fi <= extfrag_threshold */
	}
	return true;
}

/* compaction_suit_allocation_order() */
static int compaction_suit_allocation_order(const struct model *m, const struct mzone *z,
					    int order, int highest_zoneidx,
					    unsigned int alloc_flags, bool async, bool kcompactd)
{
	long free_pages = kcompactd && knob(m, MODEL_KNOB_DEFRAG_MODE) ? z->nr_free_blocks
									 : z->nr_free_pages;
	long mark = z->wmark[alloc_flags & ALLOC_WMARK_MASK] + z->watermark_boost;

	if (raw_zone_watermark_ok(m, z, (unsigned int)order, mark, highest_zoneidx, alloc_flags,
				  free_pages))
		return MODEL_COMPACT_SUCCESS_RES;
	if (order > PAGE_ALLOC_COSTLY_ORDER && async && !(alloc_flags & ALLOC_CMA) &&
	    !raw_zone_watermark_ok(m, z, 0, mark + (2l << order), highest_zoneidx, 0,
				   z->nr_free_pages))
		return MODEL_COMPACT_SKIPPED;
	if (!compaction_suitable(m, z, order, mark, highest_zoneidx))
		return MODEL_COMPACT_SKIPPED;
	return MODEL_COMPACT_CONTINUE;
}

/* trace_mm_compaction_begin() / trace_mm_compaction_end() */
static void emit_compact(struct model *m, const struct compact_control *cc, bool end, int status)
{
	struct model_event ev = {
		.type = end ? MODEL_EV_COMPACT_END : MODEL_EV_COMPACT_BEGIN,
		.pfn = cc->migrate_pfn, .new_pfn = cc->free_pfn,
		.order = (unsigned int)cc->order, .zone = cc->z->type, .status = status,
		.sync = cc->mode != MIGRATE_ASYNC, .direct = cc->direct_compaction,
	};
	emit(m, &ev);
}

/*
 * compact_zone(), its set-up: scanners at the cached positions (the zone's
 * ends for a whole-zone run), mm_compaction_begin. Returns CONTINUE, or why
 * the zone is not compacted (nothing emitted then).
 */
static int compact_zone_begin(struct model *m, struct compact_control *cc)
{
	struct mzone *z = cc->z;
	bool sync = cc->mode != MIGRATE_ASYNC;

	lru_add_drain(m);
	for (unsigned int o = 0; o <= MODEL_MAX_ORDER_LIMIT; o++)
		mlist_init(&cc->freepages[o]);
	mlist_init(&cc->migratepages);
	cc->nr_freepages = cc->nr_migratepages = 0;
	cc->total_migrate_scanned = cc->total_free_scanned = 0;
	cc->fast_start_pfn = 0;
	/* last_migrated starts at 0, as the kernel's does: the first iteration
	 * in pageblock 0 finishes that pageblock */
	cc->last_migrated = 0;

	if (cc->order >= 0) {
		int ret = compaction_suit_allocation_order(m, z, cc->order, cc->highest_zoneidx,
							   cc->alloc_flags,
							   cc->mode == MIGRATE_ASYNC,
							   !cc->direct_compaction);
		if (ret != MODEL_COMPACT_CONTINUE)
			return ret;
	}
	if (compaction_restarting(z, cc->order))
		raw_reset_isolation_suitable(m, z);
	if (cc->whole_zone) {
		cc->migrate_pfn = z->start_pfn;
		cc->free_pfn = pageblock_start(m, z->end_pfn - 1);
	} else {
		cc->migrate_pfn = z->compact_cached_migrate_pfn[sync];
		cc->free_pfn = z->compact_cached_free_pfn;
		if (cc->free_pfn < z->start_pfn || cc->free_pfn >= z->end_pfn) {
			cc->free_pfn = pageblock_start(m, z->end_pfn - 1);
			z->compact_cached_free_pfn = cc->free_pfn;
		}
		if (cc->migrate_pfn < z->start_pfn || cc->migrate_pfn >= z->end_pfn) {
			cc->migrate_pfn = z->start_pfn;
			z->compact_cached_migrate_pfn[0] = z->compact_cached_migrate_pfn[1] =
				cc->migrate_pfn;
		}
		if (cc->migrate_pfn <= z->compact_init_migrate_pfn)
			cc->whole_zone = true;
	}
	cc->update_cached = !sync &&
			    z->compact_cached_migrate_pfn[0] == z->compact_cached_migrate_pfn[1];
	emit_compact(m, cc, false, 0);
	return MODEL_COMPACT_CONTINUE;
}

/*
 * compact_zone(), one turn of its loop: compact_finished(), then the migrate
 * scanner isolates up to 32 movable pages from one pageblock and they
 * migrate to free pages the free scanner isolated from the top of the zone.
 * Returns CONTINUE, or how the run ends (a page captured: SUCCESS). The
 * free pages isolated and not used yet stay on cc->freepages between turns.
 */
static int compact_zone_step(struct model *m, struct compact_control *cc,
			     struct capture_control *capc)
{
	struct mzone *z = cc->z;
	int ret = compact_finished(m, cc);

	if (ret != MODEL_COMPACT_CONTINUE)
		return ret;
	uint64_t iteration_start = cc->migrate_pfn;

	cc->finish_pageblock = pageblock_start(m, cc->last_migrated) ==
			       pageblock_start(m, iteration_start);
rescan:
	if (isolate_migratepages(m, cc) == ISOLATE_NONE) {
		if (cc->update_cached)
			z->compact_cached_migrate_pfn[1] = z->compact_cached_migrate_pfn[0];
		goto check_drain;
	}
	cc->update_cached = false;
	cc->last_migrated = pageblock_start(m, cc->migrate_pfn - 1);
	if (cc->last_migrated < z->start_pfn)
		cc->last_migrated = z->start_pfn;

	int err = migrate_pages(m, cc);
	cc->nr_migratepages = 0;
	if (err) {
		putback_movable_pages(m, cc);
		if (err < 0 && !compact_scanners_met(m, cc))
			return MODEL_COMPACT_CONTENDED;
		if (!pageblock_aligned(m, cc->migrate_pfn) && !cc->ignore_skip_hint &&
		    !cc->finish_pageblock && cc->mode < MIGRATE_SYNC) {
			cc->finish_pageblock = true;
			if (cc->order == (int)hpage_order(m))
				cc->last_migrated = 0;
			goto rescan;
		}
	}
	if (capc && capc->pfn != MODEL_PFN_NONE)
		return MODEL_COMPACT_SUCCESS_RES;
check_drain:
	/* lru_add_drain_cpu_zone(): freed pages leave this CPU's lists to merge */
	if (cc->order > 0 && cc->last_migrated) {
		uint64_t cur = cc->migrate_pfn & ~((1ull << cc->order) - 1);
		if (cc->last_migrated < cur) {
			lru_add_drain(m);
			drain_pages_zone(m, z, cc->cpu);
			cc->last_migrated = 0;
		}
	}
	return MODEL_COMPACT_CONTINUE;
}

/* compact_zone(), its end: unused free pages back, counters, mm_compaction_end */
static int compact_zone_end(struct model *m, struct compact_control *cc, int ret)
{
	struct mzone *z = cc->z;

	if (cc->nr_freepages > 0) {
		uint64_t free_pfn = pageblock_start(m, release_free_list(m, cc));
		if (free_pfn > z->compact_cached_free_pfn)
			z->compact_cached_free_pfn = free_pfn;
	}
	count_event(m, MODEL_COMPACT_MIGRATE_SCANNED, cc->total_migrate_scanned);
	count_event(m, MODEL_COMPACT_FREE_SCANNED, cc->total_free_scanned);
	if (!cc->direct_compaction) { /* kcompactd's and proactive runs, counted apart too */
		count_event(m, MODEL_COMPACT_DAEMON_MIGRATE_SCANNED, cc->total_migrate_scanned);
		count_event(m, MODEL_COMPACT_DAEMON_FREE_SCANNED, cc->total_free_scanned);
	}
	emit_compact(m, cc, true, ret);
	return ret;
}

/* compact_zone(): the whole run at once, until compact_finished() says so or
 * a page was captured (kcompactd's proactive pass goes step by step instead) */
static int compact_zone(struct model *m, struct compact_control *cc, struct capture_control *capc)
{
	int ret = compact_zone_begin(m, cc);

	if (ret != MODEL_COMPACT_CONTINUE)
		return ret;
	while ((ret = compact_zone_step(m, cc, capc)) == MODEL_COMPACT_CONTINUE)
		;
	return compact_zone_end(m, cc, ret);
}

/*
 * try_to_compact_pages() + compact_zone_order(): each zone of the zonelist
 * not deferred, until one succeeds or captures; ASYNC compacts in async mode,
 * the sync priorities in SYNC_LIGHT, SYNC_FULL also over the whole zone
 * ignoring skip hints and block suitability.
 */
int try_to_compact_pages(struct model *m, uint32_t gfp, unsigned int order,
			 unsigned int alloc_flags, int highest_zoneidx, unsigned int cpu, int prio,
			 struct capture_control *capc)
{
	int rc = MODEL_COMPACT_SKIPPED;

	if (!(gfp & MODEL_GFP_IO) || !knob(m, MODEL_KNOB_COMPACTION))
		return rc; /* gfp_compaction_allowed() */
	for (int i = (int)m->nr_zones - 1; i >= 0; i--) {
		struct mzone *z = &m->zones[i];

		if ((int)z->type > highest_zoneidx || !z->managed)
			continue;
		if (prio > MIN_COMPACT_PRIORITY && compaction_deferred(m, z, (int)order)) {
			rc = rc > MODEL_COMPACT_DEFERRED_RES ? rc : MODEL_COMPACT_DEFERRED_RES;
			continue;
		}
		struct compact_control cc = {
			.z = z, .order = (int)order, .search_order = (int)order,
			.migratetype = model_gfp_migratetype(gfp),
			.mode = prio == COMPACT_PRIO_ASYNC ? MIGRATE_ASYNC : MIGRATE_SYNC_LIGHT,
			.alloc_flags = alloc_flags, .highest_zoneidx = highest_zoneidx,
			.direct_compaction = true, .cpu = cpu, .gfp_mask = gfp,
			.whole_zone = prio == MIN_COMPACT_PRIORITY,
			.ignore_skip_hint = prio == MIN_COMPACT_PRIORITY,
			.ignore_block_suitable = prio == MIN_COMPACT_PRIORITY,
		};
		capc->zone = z;
		int status = compact_zone(m, &cc, capc);
		capc->zone = NULL;
		if (capc->pfn != MODEL_PFN_NONE)
			status = MODEL_COMPACT_SUCCESS_RES;
		if (status > rc)
			rc = status;
		if (status == MODEL_COMPACT_SUCCESS_RES) {
			compaction_defer_reset(z, (int)order, false);
			break;
		}
		if (prio != COMPACT_PRIO_ASYNC &&
		    (status == MODEL_COMPACT_COMPLETE || status == MODEL_COMPACT_PARTIAL_SKIPPED))
			defer_compaction(z, (int)order);
	}
	return rc;
}

/* ---- kcompactd ---- */

/* kcompactd_do_work()'s alloc_flags: the high watermark under defrag_mode */
static unsigned int kcompactd_alloc_flags(const struct model *m)
{
	return knob(m, MODEL_KNOB_DEFRAG_MODE) ? ALLOC_WMARK_HIGH : ALLOC_WMARK_MIN;
}

/* kcompactd_node_suitable() */
static bool kcompactd_node_suitable(const struct model *m)
{
	for (unsigned int i = 0; i < m->nr_zones; i++) {
		const struct mzone *z = &m->zones[i];

		if ((int)z->type > m->kcompactd_highest_zoneidx || !z->managed)
			continue;
		if (compaction_suit_allocation_order(m, z, m->kcompactd_max_order,
						     m->kcompactd_highest_zoneidx,
						     kcompactd_alloc_flags(m), false, true) ==
		    MODEL_COMPACT_CONTINUE)
			return true;
	}
	return false;
}

/* wakeup_kcompactd(): it runs at the next step of the trace clock */
void wakeup_kcompactd(struct model *m, int order, int highest_zoneidx)
{
	if (!order || !knob(m, MODEL_KNOB_COMPACTION))
		return;
	if (m->kcompactd_max_order < order)
		m->kcompactd_max_order = order;
	if (m->kcompactd_highest_zoneidx > highest_zoneidx)
		m->kcompactd_highest_zoneidx = highest_zoneidx;
	if (m->kcompactd_woken || !kcompactd_node_suitable(m))
		return;
	m->kcompactd_woken = true;
}

/* kcompactd_do_work(): SYNC_LIGHT at the woken order in each zone not deferred */
static void kcompactd_do_work(struct model *m)
{
	struct compact_control cc = {
		.order = m->kcompactd_max_order, .search_order = m->kcompactd_max_order,
		.highest_zoneidx = m->kcompactd_highest_zoneidx, .mode = MIGRATE_SYNC_LIGHT,
		.gfp_mask = MODEL_GFP_KERNEL,
		.alloc_flags = kcompactd_alloc_flags(m), .migratetype = MODEL_MT_UNMOVABLE,
	};

	count_event(m, MODEL_COMPACT_DAEMON_WAKE, 1);
	struct model_event ev = { .type = MODEL_EV_KCOMPACTD_WAKE, .order = (unsigned int)cc.order,
				  .zone = (enum model_zone_type)cc.highest_zoneidx };
	emit(m, &ev);
	for (unsigned int i = 0; i < m->nr_zones; i++) {
		struct mzone *z = &m->zones[i];

		if ((int)z->type > cc.highest_zoneidx || !z->managed)
			continue;
		if (compaction_deferred(m, z, cc.order))
			continue;
		if (compaction_suit_allocation_order(m, z, cc.order, (int)z->type, cc.alloc_flags,
						     false, true) != MODEL_COMPACT_CONTINUE)
			continue;
		cc.z = z; /* one compact_control for all zones, whole_zone included */
		int status = compact_zone(m, &cc, NULL);
		if (status == MODEL_COMPACT_SUCCESS_RES) {
			compaction_defer_reset(z, cc.order, false);
		} else if (status == MODEL_COMPACT_PARTIAL_SKIPPED ||
			   status == MODEL_COMPACT_COMPLETE) {
			for (unsigned int c = 0; c < m->nr_cpus; c++)
				drain_pages_zone(m, z, c);
			defer_compaction(z, cc.order);
		}
	}
	if (m->kcompactd_max_order <= cc.order)
		m->kcompactd_max_order = 0;
	if (m->kcompactd_highest_zoneidx >= cc.highest_zoneidx)
		m->kcompactd_highest_zoneidx = MODEL_NR_ZONE_TYPES - 1;
}

/*
 * compact_node(pgdat, false) for one zone (mm/compaction.c, 6.18; the
 * compact_memory sysctl and the per-node compact file): MIGRATE_SYNC, order
 * -1, the whole zone, skip hints ignored, no proactive score, so
 * __compact_finished() goes on until the scanners meet.
 */
int model_compact_memory(struct model *m, unsigned int zone)
{
	if (zone >= m->nr_zones)
		return -EINVAL;
	if (!knob(m, MODEL_KNOB_COMPACTION))
		return 0; /* no CONFIG_COMPACTION, no compact_memory */
	struct compact_control cc = {
		.z = &m->zones[zone], .order = -1, .search_order = -1,
		.mode = MIGRATE_SYNC, .ignore_skip_hint = true, .whole_zone = true,
		.gfp_mask = MODEL_GFP_KERNEL, .migratetype = MODEL_MT_UNMOVABLE,
		.highest_zoneidx = MODEL_NR_ZONE_TYPES - 1,
	};
	if (!m->zones[zone].managed)
		return 0;
	count_event(m, MODEL_COMPACT_MANUAL, 1);
	compact_zone(m, &cc, NULL);
	return 0;
}

/*
 * compact_node(pgdat, true), step by step beside the trace's requests: each
 * populated zone in turn, SYNC_LIGHT, order -1, the whole zone, until
 * __compact_finished()'s proactive rule (the zone's score at or below the
 * low mark, read anew at every step as the workload changes the zone),
 * kswapd running, the scanners meeting, or contention. Each step of
 * compact_zone() (one batch: at most 32 pages, or the rest of a pageblock
 * it goes back to finish) runs when the
 * trace clock reaches the time the pass has used so far and takes
 * kcompactd_ns_per_page per page it migrated; the trace's events in
 * between find the model as the pass left it, its isolated free pages
 * held (knob 0: every step at once, the pass takes no trace time).
 * Differs: the kernel's pass also takes time to scan, and its contention
 * (a large folio it could neither migrate nor split) comes from the
 * trace (model_kcompactd_contended()), not from the model.
 */
static void proactive_pass_advance(struct model *m)
{
	uint64_t ns_per_page = (uint64_t)knob(m, MODEL_KNOB_KCOMPACTD_NS_PER_PAGE);
	struct compact_control *cc = &m->proactive_cc;

	while (m->proactive_running && m->proactive_clock_ns <= m->now_ns) {
		if (!cc->z) { /* the next populated zone */
			while (m->proactive_zone < m->nr_zones && !m->zones[m->proactive_zone].managed)
				m->proactive_zone++;
			if (m->proactive_zone == m->nr_zones) {
				m->proactive_running = false;
				break;
			}
			*cc = (struct compact_control){
				.z = &m->zones[m->proactive_zone], .order = -1, .search_order = -1,
				.mode = MIGRATE_SYNC_LIGHT, .ignore_skip_hint = true,
				.whole_zone = true, .gfp_mask = MODEL_GFP_KERNEL,
				.proactive_compaction = true, .migratetype = MODEL_MT_UNMOVABLE,
				.highest_zoneidx = MODEL_NR_ZONE_TYPES - 1,
			};
			compact_zone_begin(m, cc); /* order -1: always CONTINUE */
		}
		uint64_t migrated = model_counter(m, MODEL_PGMIGRATE_SUCCESS);
		int ret = compact_zone_step(m, cc, NULL);

		m->proactive_clock_ns +=
			(model_counter(m, MODEL_PGMIGRATE_SUCCESS) - migrated) * ns_per_page;
		if (ret != MODEL_COMPACT_CONTINUE) {
			compact_zone_end(m, cc, ret);
			cc->z = NULL;
			m->proactive_zone++;
		}
	}
}

/* the zone's compact_zone() of the pass ends now, COMPACT_CONTENDED */
static void proactive_pass_contended(struct model *m)
{
	compact_zone_end(m, &m->proactive_cc, MODEL_COMPACT_CONTENDED);
	m->proactive_cc.z = NULL;
	m->proactive_zone++;
}

void model_kcompactd_contended(struct model *m, unsigned int zone)
{
	if (!m->proactive_running || !m->proactive_cc.z || m->proactive_zone != zone)
		return;
	proactive_pass_contended(m);
	/* the pass is where the kernel's was: now, not when its last step's
	 * migrations would have taken it */
	if (m->proactive_clock_ns > m->now_ns)
		m->proactive_clock_ns = m->now_ns;
}

/*
 * kcompactd() traces mm_compaction_kcompactd_sleep at the top of its loop,
 * as each wait begins: after a timeout's check, a kcompactd_do_work() or a
 * proactive pass. Each wait is the timeout (500 ms, 512 at HZ=250) plus
 * however long the scheduler then keeps kcompactd off a CPU, which no model
 * knows: on thp-compaction-pressure the kernel's waits kept their phase for
 * 7 s, then one sleep came 128 ms late while both CPUs faulted in THPs, and
 * the kernel's proactive pass began 128 ms after the model's. So every sleep
 * the trace shows sets the model's phase while its kcompactd is idle at the
 * default timeout: a check due within half an interval is the one the
 * kernel just made, and runs now; a later one moves to an interval from now.
 * The trace's first sleep only starts the timer (the phase before it is
 * the model's start, not the host's). A pass under way, a wakeup to serve or
 * a backed-off timeout (a pass that did not lower the node's score) are the
 * model's own decisions, which a sleep of the kernel's does not change.
 * Differs: the kernel's timer is in jiffies.
 */
void model_kcompactd_slept(struct model *m, bool first)
{
	if (m->proactive_running || m->kcompactd_woken || !knob(m, MODEL_KNOB_COMPACTION))
		return;
	if (first || !m->next_proactive_ns) {
		m->proactive_timeout_ns = HPAGE_FRAG_CHECK_INTERVAL_NS;
		m->next_proactive_ns = m->now_ns + m->proactive_timeout_ns;
		return;
	}
	if (m->proactive_timeout_ns != HPAGE_FRAG_CHECK_INTERVAL_NS)
		return;
	if (m->next_proactive_ns < m->now_ns + HPAGE_FRAG_CHECK_INTERVAL_NS / 2) {
		m->next_proactive_ns = m->now_ns;
		kcompactd_tick(m); /* the check, which sets the next one or starts a pass */
		return;
	}
	m->next_proactive_ns = m->now_ns + m->proactive_timeout_ns;
}

/*
 * The trace shows the kernel's kcompactd beginning a proactive pass
 * (compact_node(pgdat, true): its first zone's mm_compaction_finished says
 * order -1): its timeout elapsed now, not a wakeup. A sleep (above) is the
 * timer's start, but each timeout also ends late by however long the timer
 * wheel rounds it and the scheduler keeps kcompactd waiting: on
 * import-perf-thp-anon the kernel's pass began 507.5 ms after its sleep,
 * the model's check would have come 4.5 ms later, after the kernel's pass
 * had ended contended in both zones. The model's pass then ran in full
 * where the kernel's stopped (and, not having lowered the node's score, backed
 * off 32 s), and the model went on to another pass 512 ms later: 1 M free
 * pages scanned that the kernel never scanned.
 * So a check of the model's due within half an interval runs now, as for a
 * sleep; what it decides (a pass or none) is the model's own, from its own
 * score. Nothing while its kcompactd has a wakeup to serve, a pass under way
 * or a backed-off timeout.
 */
void model_kcompactd_pass_began(struct model *m)
{
	if (m->proactive_running || m->kcompactd_woken || !knob(m, MODEL_KNOB_COMPACTION) ||
	    m->proactive_timeout_ns != HPAGE_FRAG_CHECK_INTERVAL_NS || !m->next_proactive_ns ||
	    m->next_proactive_ns >= m->now_ns + HPAGE_FRAG_CHECK_INTERVAL_NS / 2)
		return;
	m->next_proactive_ns = m->now_ns;
	kcompactd_tick(m);
}

/* a pass in @z's zone ends before memory goes: offline_pages() would wait
 * for its isolated pages (model_offline() moves allocated blocks out) */
void kcompactd_stop_pass(struct model *m, const struct mzone *z)
{
	if (m->proactive_running && m->proactive_cc.z == z)
		proactive_pass_contended(m);
}

/* kcompactd() after compact_node(pgdat, true): back off 64 times longer
 * when the node's score did not go down */
static void proactive_pass_done(struct model *m, uint64_t end_ns)
{
	m->proactive_timeout_ns = HPAGE_FRAG_CHECK_INTERVAL_NS;
	if (fragmentation_score_node(m) >= m->proactive_prev_score)
		m->proactive_timeout_ns <<= COMPACT_MAX_DEFER_SHIFT;
	m->next_proactive_ns = end_ns + m->proactive_timeout_ns;
}

/*
 * kcompactd() on the trace clock: a wakeup runs kcompactd_do_work() at the
 * next step; every 512 ms without one, kcompactd_do_work() runs if an
 * order was asked for without a wakeup, else the proactive check, backing
 * off 64 times longer when a proactive pass did not lower the node's score.
 * The pass goes on beside the trace's requests (proactive_pass_advance()):
 * on thp-compaction-pressure the kernel's one pass took 0.541 s, and the
 * workload's frees meanwhile left the score no lower (kcompactd slept
 * 32 s). A wakeup during the pass waits for its end and, as in the kernel,
 * its kcompactd_do_work() resets the timeout, losing the backoff.
 */
void kcompactd_tick(struct model *m)
{
	if (!knob(m, MODEL_KNOB_COMPACTION))
		return;
	if (m->proactive_running) {
		proactive_pass_advance(m);
		if (m->proactive_running)
			return; /* still compacting */
		proactive_pass_done(m, m->proactive_clock_ns);
	}
	if (m->kcompactd_woken) {
		m->kcompactd_woken = false;
		kcompactd_do_work(m);
		m->proactive_timeout_ns = HPAGE_FRAG_CHECK_INTERVAL_NS;
		m->next_proactive_ns = m->now_ns + m->proactive_timeout_ns;
		return;
	}
	if (!m->next_proactive_ns) {
		m->proactive_timeout_ns = HPAGE_FRAG_CHECK_INTERVAL_NS;
		m->next_proactive_ns = m->now_ns + m->proactive_timeout_ns;
		return;
	}
	if (m->now_ns < m->next_proactive_ns)
		return;
	m->proactive_timeout_ns = HPAGE_FRAG_CHECK_INTERVAL_NS;
	if (m->kcompactd_max_order > 0) {
		/*
		 * kcompactd_work_requested() when the timeout elapses: a
		 * wakeup_kcompactd() that found the node unsuitable (or
		 * kcompactd not sleeping) set kcompactd_max_order without a
		 * wake_up, and the wait returns true: kcompactd_do_work(),
		 * not the proactive check.
		 */
		kcompactd_do_work(m);
		m->next_proactive_ns = m->now_ns + m->proactive_timeout_ns;
		return;
	}
	if (!m->kswapd_running &&
	    knob_monotone(m, MODEL_KNOB_COMPACTION_PROACTIVENESS, proactive_due, m)) {
		count_event(m, MODEL_COMPACT_PROACTIVE, 1);
		m->proactive_prev_score = fragmentation_score_node(m);
		m->proactive_running = true;
		m->proactive_zone = 0;
		m->proactive_cc.z = NULL;
		m->proactive_clock_ns = m->now_ns;
		proactive_pass_advance(m);
		if (m->proactive_running)
			return;
		proactive_pass_done(m, m->proactive_clock_ns);
		return;
	}
	m->next_proactive_ns = m->now_ns + m->proactive_timeout_ns;
}
