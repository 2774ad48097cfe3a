/* SPDX-License-Identifier: MIT */
/*
 * buddy.c - the zone free lists: split, merge, fallback claim and steal,
 * highatomic reserves. Each function names the mm/page_alloc.c function it
 * models (read in the linux-mm tree of 2026, which is 6.18 plus the mm queue)
 * and says where it differs.
 */
#include <stdlib.h>

#include "model_internal.h"

/* page_zone() by pfn: the zone spanning @pfn, or NULL */
struct mzone *pfn_zone(struct model *m, uint64_t pfn)
{
	for (unsigned int i = 0; i < m->nr_zones; i++)
		if (zone_spans(&m->zones[i], pfn))
			return &m->zones[i];
	return NULL;
}

/* account_freepages() */
static void account_freepages(struct mzone *z, long nr, int mt)
{
	if (mt == MODEL_MT_ISOLATE)
		return;
	z->nr_free_pages += nr;
	if (mt == MODEL_MT_CMA)
		z->nr_free_cma += nr;
	else if (mt == MODEL_MT_HIGHATOMIC)
		z->nr_free_highatomic += nr;
}

/* __add_to_free_list(): also makes @pfn the head of a free block */
static void raw_add_to_free_list(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order,
				 int mt, bool tail)
{
	struct mpage *p = pg(m, pfn);

	p->state = MODEL_PAGE_FREE;
	p->order = (uint8_t)order;
	p->mt = (uint8_t)mt;
	mlist_add(m, &z->area[order].free_list[mt], pfn, tail);
	z->area[order].nr_free++;
	if (order >= m->pageblock_order && mt != MODEL_MT_ISOLATE)
		z->nr_free_blocks += 1l << order;
	spb_free_add(m, pfn, order, mt, tail);
}

/* __del_page_from_free_list(): the head stays a head, of an allocated block */
static void raw_del_page_from_free_list(struct model *m, struct mzone *z, uint64_t pfn,
					unsigned int order, int mt)
{
	struct mpage *p = pg(m, pfn);

	mlist_del(m, &z->area[order].free_list[mt], pfn);
	p->state = MODEL_PAGE_ALLOC;
	z->area[order].nr_free--;
	if (order >= m->pageblock_order && mt != MODEL_MT_ISOLATE)
		z->nr_free_blocks -= 1l << order;
	spb_free_del(m, pfn, order, mt);
}

/* a free block to the head of its list, where __rmqueue_smallest() takes
 * first (model_seed_first()): its counters stay as they are */
void free_block_to_head(struct model *m, struct mzone *z, uint64_t pfn)
{
	const struct mpage *p = pg(m, pfn);
	unsigned int order = p->order;
	int mt = p->mt;

	raw_del_page_from_free_list(m, z, pfn, order, mt);
	raw_add_to_free_list(m, z, pfn, order, mt, false);
}

/* a free block put on its list as it is, without merging: a snapshot's */
void place_free_block(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order, int mt)
{
	raw_add_to_free_list(m, z, pfn, order, mt, true);
	account_freepages(z, 1l << order, mt);
}

/* move_to_free_list(): to the tail of another type's list */
static void move_to_free_list(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order,
			      int old_mt, int new_mt)
{
	long nr = 1l << order;

	mlist_del(m, &z->area[order].free_list[old_mt], pfn);
	mlist_add(m, &z->area[order].free_list[new_mt], pfn, true);
	pg(m, pfn)->mt = (uint8_t)new_mt;
	spb_free_move(m, pfn, order, old_mt, new_mt);
	account_freepages(z, -nr, old_mt);
	account_freepages(z, nr, new_mt);
	if (order >= m->pageblock_order &&
	    (old_mt == MODEL_MT_ISOLATE) != (new_mt == MODEL_MT_ISOLATE))
		z->nr_free_blocks += old_mt == MODEL_MT_ISOLATE ? nr : -nr;
}

/* change_pageblock_range() */
static void change_pageblock_range(struct model *m, uint64_t pfn, unsigned int order, int mt)
{
	for (uint64_t n = 1ull << (order - m->pageblock_order); n; n--) {
		set_pb_mt(m, pfn, mt);
		pfn += m->pageblock_nr_pages;
	}
}

/*
 * page_is_buddy(): @buddy (pfn ^ 1 << order, as find_buddy_page_pfn() finds
 * it) is a free block of @order in the zone
 */
static bool page_is_buddy(const struct model *m, const struct mzone *z, uint64_t buddy,
			  unsigned int order)
{
	if (!zone_spans(z, buddy))
		return false;
	const struct mpage *b = pg(m, buddy);
	return b->state == MODEL_PAGE_FREE && b->order == order;
}

/* buddy_merge_likely(): is the next-order buddy free too? Then go to the tail. */
static bool buddy_merge_likely(const struct model *m, const struct mzone *z, uint64_t pfn,
			       unsigned int order)
{
	if (order >= m->max_order - 1)
		return false;
	uint64_t higher = pfn & ~(1ull << order);
	return page_is_buddy(m, z, higher ^ (1ull << (order + 1)), order + 1);
}


/*
 * compaction_capture(): while a request compacts this zone, a block freed
 * (or merged) up to exactly its capture order goes to it instead of the free
 * lists; never from CMA/isolated blocks, and sub-pageblock blocks of MOVABLE
 * pageblocks only to movable requests.
 */
static bool compaction_capture(struct model *m, struct mzone *z, uint64_t pfn,
			       unsigned int order, int mt)
{
	struct capture_control *capc = m->capc;

	if (!capc || capc->zone != z || capc->pfn != MODEL_PFN_NONE || order != capc->order)
		return false;
	if (mt == MODEL_MT_CMA || mt == MODEL_MT_ISOLATE)
		return false;
	if (order < m->pageblock_order && mt == MODEL_MT_MOVABLE &&
	    capc->migratetype != MODEL_MT_MOVABLE)
		return false;
	if (mt != capc->migratetype)
		emit_extfrag(m, z, pfn, capc->order, order, capc->migratetype, mt);
	capc->pfn = pfn;
	mark_allocated(m, pfn, order, capc->migratetype);
	count_event(m, MODEL_COMPACT_CAPTURE, 1);
	m->captures[order]++;
	struct model_event ev = { .type = MODEL_EV_CAPTURE, .pfn = pfn, .order = order,
				  .migratetype = mt, .zone = z->type };
	emit(m, &ev);
	return true;
}

/*
 * __free_one_page(): merge with free buddies up to MAX_PAGE_ORDER; at or above
 * pageblock order, blocks whose types differ merge only if both are
 * mergeable, and the merged buddy takes the freed page's type. Placement at
 * the tail when asked (FPI_TO_TAIL) or when buddy_merge_likely(), unless a
 * compacting request captures it. Differs: no page shuffling
 * (page_alloc.shuffle is off by default), no guard pages, no free page
 * reporting.
 */
void raw_free_one_page(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order, int mt,
		       bool to_tail)
{
	account_freepages(z, 1l << order, mt);
	while (order < m->max_order) {
		uint64_t buddy = pfn ^ (1ull << order);
		int buddy_mt = mt;

		if (m->capc && compaction_capture(m, z, pfn, order, mt)) {
			account_freepages(z, -(1l << order), mt);
			return;
		}

		if (!page_is_buddy(m, z, buddy, order))
			break;
		if (order >= m->pageblock_order) {
			buddy_mt = pb_mt(m, buddy);
			if (mt != buddy_mt && (!mt_is_mergeable(mt) || !mt_is_mergeable(buddy_mt)))
				break;
		}
		raw_del_page_from_free_list(m, z, buddy, order, buddy_mt);
		if (buddy_mt != mt)
			change_pageblock_range(m, buddy, order, mt);
		/* the higher of the two heads becomes a tail of the merged block */
		pg(m, buddy > pfn ? buddy : pfn)->state = MODEL_PAGE_TAIL;
		pfn &= buddy;
		order++;
	}
	raw_add_to_free_list(m, z, pfn, order, mt,
			     to_tail || buddy_merge_likely(m, z, pfn, order));
}

/*
 * free_one_page() -> split_large_buddy(): a block larger than a pageblock is
 * freed pageblock by pageblock, each with its own block's type.
 */
void free_one_page(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order,
		   bool to_tail)
{
	uint64_t end = pfn + (1ull << order);

	if (order > m->pageblock_order)
		order = m->pageblock_order;
	for (; pfn < end; pfn += 1ull << order)
		raw_free_one_page(m, z, pfn, order, pb_mt(m, pfn), to_tail);
}

/* expand(): split-off upper halves go to the head of the lower lists */
static long expand(struct model *m, struct mzone *z, uint64_t pfn, unsigned int low,
		   unsigned int high, int mt)
{
	long nr_added = 0;

	while (high > low) {
		high--;
		raw_add_to_free_list(m, z, pfn + (1ull << high), high, mt, false);
		nr_added += 1l << high;
	}
	return nr_added;
}

/* page_del_and_expand(); the head is left as an allocated block of @low */
void page_del_and_expand(struct model *m, struct mzone *z, uint64_t pfn, unsigned int low,
				unsigned int high, int mt)
{
	long nr = 1l << high;

	raw_del_page_from_free_list(m, z, pfn, high, mt);
	nr -= expand(m, z, pfn, low, high, mt);
	account_freepages(z, -nr, mt);
	pg(m, pfn)->order = (uint8_t)low;
}

/* the block at @pfn of @high leaves its list, split down to @order, as __rmqueue_smallest() takes it */
static uint64_t rmqueue_take(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order,
			     unsigned int high, int mt)
{
	page_del_and_expand(m, z, pfn, order, high, mt);
	struct model_event ev = {
		.type = MODEL_EV_ZONE_LOCKED, .pfn = pfn, .order = order, .migratetype = mt,
		.percpu_refill = pcp_allowed_order(m, order) && mt < MODEL_NR_PCPTYPES,
		.zone = z->type,
	};
	emit(m, &ev);
	return pfn;
}

/*
 * __rmqueue_smallest(): the head of the smallest non-empty list of @mt. With
 * spb_pack (RFC 12/40), a movable request first tries the fullest clean SPBs.
 */
uint64_t raw_rmqueue_smallest(struct model *m, struct mzone *z, unsigned int order, int mt)
{
	unsigned int o;
	uint64_t pfn;

	if (mt == MODEL_MT_MOVABLE && m->knobs[MODEL_KNOB_SPB_PACK]) {
		pfn = spb_pack_pick(m, z, order, &o);
		if (pfn != MODEL_PFN_NONE)
			return rmqueue_take(m, z, pfn, order, o, mt);
	}
	for (o = order; o <= m->max_order; o++) {
		count_event(m, MODEL_SCAN_LISTS_SMALLEST, 1);
		pfn = mlist_first(m, &z->area[o].free_list[mt]);
		if (pfn != MODEL_PFN_NONE)
			return rmqueue_take(m, z, pfn, order, o, mt);
	}
	return MODEL_PFN_NONE;
}

/* fallbacks[] */
const int fallbacks[MODEL_NR_PCPTYPES][MODEL_NR_PCPTYPES - 1] = {
	[MODEL_MT_UNMOVABLE] = { MODEL_MT_RECLAIMABLE, MODEL_MT_MOVABLE },
	[MODEL_MT_MOVABLE] = { MODEL_MT_RECLAIMABLE, MODEL_MT_UNMOVABLE },
	[MODEL_MT_RECLAIMABLE] = { MODEL_MT_UNMOVABLE, MODEL_MT_MOVABLE },
};

/* __move_freepages_block(): every free block inside the pageblock to @new_mt */
static long raw_move_freepages_block(struct model *m, struct mzone *z, uint64_t start, int old_mt,
				     int new_mt)
{
	uint64_t end = start + m->pageblock_nr_pages;
	long moved = 0;

	for (uint64_t pfn = start; pfn < end;) {
		struct mpage *p = pg(m, pfn);

		if (p->state != MODEL_PAGE_FREE) {
			pfn++;
			continue;
		}
		move_to_free_list(m, z, pfn, p->order, old_mt, new_mt);
		moved += 1l << p->order;
		pfn += 1ull << p->order;
	}
	return moved;
}

/*
 * prep_move_freepages_block(): the pageblock of @pfn must lie in the zone;
 * count its free pages and its movable pages. The kernel counts PageLRU and
 * movable_ops pages; the model counts pages it allocated as MOVABLE.
 */
static bool prep_move_freepages_block(const struct model *m, const struct mzone *z, uint64_t pfn,
				      uint64_t *start, long *nr_free, long *nr_movable)
{
	uint64_t s = pageblock_start(m, pfn), end = s + m->pageblock_nr_pages;

	if (!zone_spans(z, s) || !zone_spans(z, end - 1))
		return false;
	*start = s;
	if (!nr_free)
		return true;
	*nr_free = *nr_movable = 0;
	for (pfn = s; pfn < end;) {
		const struct mpage *p = pg(m, pfn);
		uint64_t n = 1ull << p->order;

		switch (p->state) {
		case MODEL_PAGE_FREE:
			*nr_free += (long)n;
			break;
		case MODEL_PAGE_ALLOC:
			if (p->mt == MODEL_MT_MOVABLE)
				*nr_movable += (long)n;
			break;
		case MODEL_PAGE_PCP:
			break;
		default:
			n = 1;
		}
		pfn += n;
	}
	return true;
}

/* move_freepages_block(): -1 when the block straddles the zone boundary */
long move_freepages_block(struct model *m, struct mzone *z, uint64_t pfn, int old_mt,
				 int new_mt)
{
	uint64_t start;

	if (!prep_move_freepages_block(m, z, pfn, &start, NULL, NULL))
		return -1;
	long moved = raw_move_freepages_block(m, z, start, old_mt, new_mt);
	set_pb_mt(m, start, new_mt);
	return moved;
}

/* boost_watermark() */
static bool boost_watermark(struct model *m, struct mzone *z)
{
	long pb = (long)m->pageblock_nr_pages;

	if ((uint64_t)pb * 4 > z->managed) /* before the knob: it decides nothing here */
		return false;
	long factor = knob(m, MODEL_KNOB_WATERMARK_BOOST_FACTOR);
	if (!factor)
		return false;
	long max_boost = (long)((__int128)z->wmark[WMARK_HIGH] * factor / 10000);
	if (!max_boost)
		return false;
	if (max_boost < pb)
		max_boost = pb;
	z->watermark_boost = z->watermark_boost + pb < max_boost ? z->watermark_boost + pb
								   : max_boost;
	count_event(m, MODEL_WMARK_BOOSTS, 1);
	return true;
}

/* should_try_claim_block() (page_group_by_mobility_disabled is never set here) */
bool should_try_claim_block(const struct model *m, unsigned int order, int start_mt)
{
	if (order >= m->pageblock_order / 2)
		return true;
	return start_mt == MODEL_MT_RECLAIMABLE || start_mt == MODEL_MT_UNMOVABLE;
}

enum fallback_result { FALLBACK_EMPTY, FALLBACK_NOCLAIM, FALLBACK_FOUND };

/* find_suitable_fallback() */
static enum fallback_result find_suitable_fallback(struct model *m, const struct mzone *z,
						   unsigned int order, int mt, bool claimable,
						   int *mt_out)
{
	const struct free_area *area = &z->area[order];

	if (claimable && !should_try_claim_block(m, order, mt))
		return FALLBACK_NOCLAIM;
	if (!area->nr_free)
		return FALLBACK_EMPTY;
	for (int i = 0; i < MODEL_NR_PCPTYPES - 1; i++) {
		int fmt = fallbacks[mt][i];

		count_event(m, claimable ? MODEL_SCAN_LISTS_CLAIM : MODEL_SCAN_LISTS_STEAL, 1);
		if (area->free_list[fmt].nr) {
			*mt_out = fmt;
			return FALLBACK_FOUND;
		}
	}
	return FALLBACK_EMPTY;
}

/*
 * try_to_claim_block(): a free chunk of at least a pageblock is taken whole
 * and retyped; a smaller one boosts the watermark, and its block is claimed
 * (all free pages moved, block retyped) when free + alike pages reach half a
 * pageblock.
 */
uint64_t try_to_claim_block(struct model *m, struct mzone *z, uint64_t pfn,
			    unsigned int current_order, unsigned int order, int start_mt,
			    int block_mt, unsigned int alloc_flags)
{
	if (evacuate_refuses_claim(m, pfn)) /* evacuate.c */
		return MODEL_PFN_NONE;
	if (current_order >= m->pageblock_order) {
		raw_del_page_from_free_list(m, z, pfn, current_order, block_mt);
		account_freepages(z, -(1l << current_order), block_mt);
		change_pageblock_range(m, pfn, current_order, start_mt);
		account_freepages(z, expand(m, z, pfn, order, current_order, start_mt), start_mt);
		pg(m, pfn)->order = (uint8_t)order;
		return pfn;
	}
	if (boost_watermark(m, z) && (alloc_flags & ALLOC_KSWAPD))
		z->boosted_watermark = true;

	uint64_t start;
	long nr_free, nr_movable, alike;
	if (!prep_move_freepages_block(m, z, pfn, &start, &nr_free, &nr_movable))
		return MODEL_PFN_NONE;
	if (start_mt == MODEL_MT_MOVABLE)
		alike = nr_movable;
	else if (block_mt == MODEL_MT_MOVABLE)
		alike = (long)m->pageblock_nr_pages - (nr_free + nr_movable);
	else
		alike = 0;
	if (nr_free + alike < (long)(m->pageblock_nr_pages >> 1))
		return MODEL_PFN_NONE;
	raw_move_freepages_block(m, z, start, block_mt, start_mt);
	set_pb_mt(m, start, start_mt);
	evacuate_after_claim(m, start, block_mt, start_mt); /* evacuate.c */
	return raw_rmqueue_smallest(m, z, order, start_mt);
}

/* trace_mm_page_alloc_extfrag(), with the claim/steal/fragmenting counters */
void emit_extfrag(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order,
		  unsigned int fallback_order, int start_mt, int fallback_mt)
{
	bool owned = pb_mt(m, pfn) == start_mt;
	struct model_event ev = {
		.type = MODEL_EV_EXTFRAG, .pfn = pfn, .order = order, .migratetype = start_mt,
		.fallback_order = fallback_order, .fallback_migratetype = fallback_mt,
		.change_ownership = owned, .zone = z->type,
	};

	count_event(m, owned ? MODEL_EXTFRAG_CLAIM : MODEL_EXTFRAG_STEAL, 1);
	if (fallback_order < m->pageblock_order)
		count_event(m, MODEL_EXTFRAG_FRAGMENTING, 1);
	emit(m, &ev);
}

/*
 * __rmqueue_claim(): largest fallback chunk first, down to the request order
 * (to pageblock order under ALLOC_NOFRAGMENT). A non-movable request first
 * tries the tainted SPBs: a claim there (spb_claim, RFC 11/40), then a
 * movable fragment there (spb_fragments, RFC 19/40).
 */
static uint64_t raw_rmqueue_claim(struct model *m, struct mzone *z, unsigned int order,
				  int start_mt, unsigned int alloc_flags)
{
	int min_order = (int)order;

	if (start_mt != MODEL_MT_MOVABLE) {
		uint64_t pfn = spb_rmqueue_claim(m, z, order, start_mt, alloc_flags);

		if (pfn == MODEL_PFN_NONE && !nofrag(m, alloc_flags))
			pfn = spb_rmqueue_fragment(m, z, order, start_mt);
		if (pfn != MODEL_PFN_NONE)
			return pfn;
	}

	if (order < m->pageblock_order && nofrag(m, alloc_flags))
		min_order = (int)m->pageblock_order;
	for (int cur = (int)m->max_order; cur >= min_order; cur--) {
		int fmt;
		enum fallback_result r =
			find_suitable_fallback(m, z, (unsigned int)cur, start_mt, true, &fmt);

		if (r == FALLBACK_EMPTY)
			continue;
		if (r == FALLBACK_NOCLAIM)
			break;
		uint64_t pfn = mlist_first(m, &z->area[cur].free_list[fmt]);
		pfn = try_to_claim_block(m, z, pfn, (unsigned int)cur, order, start_mt, fmt,
					 alloc_flags);
		if (pfn != MODEL_PFN_NONE) {
			emit_extfrag(m, z, pfn, order, (unsigned int)cur, start_mt, fmt);
			return pfn;
		}
	}
	return MODEL_PFN_NONE;
}

/* __rmqueue_steal(): one chunk from a fallback list, its block keeps its type */
static uint64_t raw_rmqueue_steal(struct model *m, struct mzone *z, unsigned int order,
				  int start_mt)
{
	for (unsigned int cur = order; cur <= m->max_order; cur++) {
		int fmt;

		if (find_suitable_fallback(m, z, cur, start_mt, false, &fmt) == FALLBACK_EMPTY)
			continue;
		uint64_t pfn = mlist_first(m, &z->area[cur].free_list[fmt]);
		page_del_and_expand(m, z, pfn, order, cur, fmt);
		emit_extfrag(m, z, pfn, order, cur, start_mt, fmt);
		return pfn;
	}
	return MODEL_PFN_NONE;
}

/*
 * __rmqueue(): NORMAL, CMA, CLAIM, then STEAL (not under ALLOC_NOFRAGMENT);
 * *mode remembers where the last page came from, so that rmqueue_bulk()
 * keeps stealing once it started.
 */
uint64_t raw_rmqueue(struct model *m, struct mzone *z, unsigned int order, int mt,
		     unsigned int alloc_flags, enum rmqueue_mode *mode)
{
	uint64_t pfn;

	if ((alloc_flags & ALLOC_CMA) && z->nr_free_cma > z->nr_free_pages / 2) {
		pfn = raw_rmqueue_smallest(m, z, order, MODEL_MT_CMA);
		if (pfn != MODEL_PFN_NONE)
			return pfn;
	}
	switch (*mode) {
	case RMQUEUE_NORMAL:
		pfn = raw_rmqueue_smallest(m, z, order, mt);
		if (pfn != MODEL_PFN_NONE)
			return pfn;
		/* fallthrough */
	case RMQUEUE_CMA:
		if (alloc_flags & ALLOC_CMA) {
			pfn = raw_rmqueue_smallest(m, z, order, MODEL_MT_CMA);
			if (pfn != MODEL_PFN_NONE) {
				*mode = RMQUEUE_CMA;
				return pfn;
			}
		}
		/* fallthrough */
	case RMQUEUE_CLAIM:
		pfn = raw_rmqueue_claim(m, z, order, mt, alloc_flags);
		if (pfn != MODEL_PFN_NONE) {
			*mode = RMQUEUE_NORMAL;
			return pfn;
		}
		/* fallthrough */
	case RMQUEUE_STEAL:
		if (!nofrag(m, alloc_flags)) {
			pfn = raw_rmqueue_steal(m, z, order, mt);
			if (pfn != MODEL_PFN_NONE) {
				*mode = RMQUEUE_STEAL;
				return pfn;
			}
		}
	}
	return MODEL_PFN_NONE;
}

/* an allocated block of @order at @pfn, of @mobility (the model's prep_new_page()) */
void mark_allocated(struct model *m, uint64_t pfn, unsigned int order, int mobility)
{
	struct mpage *p = pg(m, pfn);

	pb_touch(m, pfn, order);
	p->state = MODEL_PAGE_ALLOC;
	p->order = (uint8_t)order;
	p->mt = (uint8_t)mobility;
	p->compact_gen = 0;
}

/*
 * reserve_highatomic_pageblock(): up to ~1% of the zone, whole pageblocks,
 * only from mergeable types.
 */
void reserve_highatomic_pageblock(struct model *m, struct mzone *z, uint64_t pfn,
				  unsigned int order)
{
	uint64_t pb = m->pageblock_nr_pages;

	if (z->managed / 100 < pb)
		return;
	long max_managed = (long)((z->managed / 100 + pb - 1) & ~(pb - 1));
	if (z->nr_reserved_highatomic >= max_managed)
		return;
	int mt = pb_mt(m, pfn);
	if (!mt_is_mergeable(mt))
		return;
	if (order < m->pageblock_order) {
		if (move_freepages_block(m, z, pfn, mt, MODEL_MT_HIGHATOMIC) == -1)
			return;
		z->nr_reserved_highatomic += (long)pb;
	} else {
		change_pageblock_range(m, pfn, order, MODEL_MT_HIGHATOMIC);
		z->nr_reserved_highatomic += 1l << order;
	}
	count_event(m, MODEL_HIGHATOMIC_RESERVE, 1);
}

/*
 * unreserve_highatomic_pageblock(): give one reserved block back, retyped to
 * the failing request's type, from the zones a request of @highest_zoneidx
 * may use. Without @force the last pageblock of a zone's reserve stays.
 */
bool unreserve_highatomic_pageblock(struct model *m, int highest_zoneidx, int mt, bool force)
{
	for (int i = (int)m->nr_zones - 1; i >= 0; i--) {
		struct mzone *z = &m->zones[i];

		if ((int)z->type > highest_zoneidx || !z->managed)
			continue;
		if (!force && z->nr_reserved_highatomic <= (long)m->pageblock_nr_pages)
			continue;
		for (unsigned int o = 0; o <= m->max_order; o++) {
			uint64_t pfn = mlist_first(m, &z->area[o].free_list[MODEL_MT_HIGHATOMIC]);

			if (pfn == MODEL_PFN_NONE)
				continue;
			long size = 1l << o;
			if (size < (long)m->pageblock_nr_pages)
				size = (long)m->pageblock_nr_pages;
			if (size > z->nr_reserved_highatomic)
				size = z->nr_reserved_highatomic;
			z->nr_reserved_highatomic -= size;
			long ret;
			if (o < m->pageblock_order) {
				ret = move_freepages_block(m, z, pfn, MODEL_MT_HIGHATOMIC, mt);
			} else {
				move_to_free_list(m, z, pfn, o, MODEL_MT_HIGHATOMIC, mt);
				change_pageblock_range(m, pfn, o, mt);
				ret = 1;
			}
			if (ret > 0) {
				count_event(m, MODEL_HIGHATOMIC_UNRESERVE, 1);
				return true;
			}
		}
	}
	return false;
}

/* the free block at @pfn merged again with its buddy (merge_seeded_buddies()) */
static bool remerge_seeded(struct model *m, struct mzone *z, uint64_t pfn)
{
	struct mpage *p = pg(m, pfn);
	unsigned int order = p->order;
	uint64_t buddy = pfn ^ (1ull << order);
	int mt = p->mt, bmt = zone_spans(z, buddy) ? pb_mt(m, buddy) : -1;

	if (order >= m->max_order || !page_is_buddy(m, z, buddy, order) ||
	    (order >= m->pageblock_order && mt != bmt &&
	     (!mt_is_mergeable(mt) || !mt_is_mergeable(bmt))))
		return false;
	raw_del_page_from_free_list(m, z, pfn, order, mt);
	account_freepages(z, -(1l << order), mt);
	raw_free_one_page(m, z, pfn, order, mt, true);
	return true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* the first of the sorted @pfns[0, n) at or above @pfn */
static size_t lower_bound(const uint64_t *pfns, size_t n, uint64_t pfn)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pfns[mid] < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * A snapshot read while the kernel ran may show two free buddies that the
 * kernel had merged a moment later. Take each such block off its list and
 * free it again, so __free_one_page()'s merging applies. Returns the number
 * of blocks re-freed.
 *
 * The walk goes up the zone by pfn, and after a merge starts again at the
 * MAX_PAGE_ORDER + 1 boundary below. It stops only at free block heads, and
 * a merge makes no new head (the merged block's is one of its halves'), so it
 * visits the heads on the free lists now, sorted, instead of every block of
 * the zone; without the memory for that list, every block.
 */
long merge_seeded_buddies(struct model *m, struct mzone *z)
{
	uint64_t align = ~((2ull << m->max_order) - 1);
	uint64_t *heads, n = 0;
	long merged = 0;

	for (unsigned int o = 0; o <= m->max_order; o++)
		for (int mt = 0; mt < MODEL_NR_MT; mt++)
			n += z->area[o].free_list[mt].nr;
	heads = malloc((n ? n : 1) * sizeof(*heads));
	if (!heads) {
		for (uint64_t pfn = z->start_pfn; pfn < z->end_pfn;) {
			const struct mpage *p = pg(m, pfn);

			if (p->state == MODEL_PAGE_FREE && remerge_seeded(m, z, pfn)) {
				merged++;
				pfn = z->start_pfn > (pfn & align) ? z->start_pfn : pfn & align;
				continue;
			}
			pfn += p->state == MODEL_PAGE_UNMANAGED || p->state == MODEL_PAGE_TAIL
				       ? 1 : 1ull << p->order;
		}
		return merged;
	}
	n = 0;
	for (unsigned int o = 0; o <= m->max_order; o++)
		for (int mt = 0; mt < MODEL_NR_MT; mt++)
			for (uint32_t i = z->area[o].free_list[mt].head; i != NIL;
			     i = m->links[i].next)
				heads[n++] = ipfn(m, i);
	qsort(heads, n, sizeof(*heads), cmp_u64);
	for (size_t k = 0; k < n;) {
		uint64_t pfn = heads[k];

		if (pg(m, pfn)->state == MODEL_PAGE_FREE && remerge_seeded(m, z, pfn)) {
			merged++;
			pfn = z->start_pfn > (pfn & align) ? z->start_pfn : pfn & align;
			k = lower_bound(heads, n, pfn);
			continue;
		}
		k++;
	}
	free(heads);
	return merged;
}

/*
 * __isolate_free_page(): take a free block for compaction if the zone stays
 * above min + 2^order; a block of at least half a pageblock makes its
 * mergeable pageblocks MOVABLE. Returns the pages taken (0: watermark).
 */
long raw_isolate_free_page(struct model *m, struct mzone *z, uint64_t pfn)
{
	struct mpage *p = pg(m, pfn);
	unsigned int order = p->order;
	int mt = pb_mt(m, pfn);

	if (mt != MODEL_MT_ISOLATE &&
	    !zone_watermark_ok(m, z, 0, z->wmark[WMARK_MIN] + (1l << order), 0, ALLOC_CMA))
		return 0;
	raw_del_page_from_free_list(m, z, pfn, order, p->mt);
	account_freepages(z, -(1l << order), p->mt);
	if (order + 1 >= m->pageblock_order) {
		uint64_t end = pfn + (1ull << order) - 1;
		for (uint64_t b = pfn; b < end; b += m->pageblock_nr_pages) {
			int bmt = pb_mt(m, b);
			if (mt_is_mergeable(bmt))
				move_freepages_block(m, z, b, bmt, MODEL_MT_MOVABLE);
		}
	}
	return 1l << order;
}

/*
 * What alloc_contig_range() does with an isolated range once its pages are
 * all free (RFC 17/40, spb_contig.c): the free blocks of [start, start +
 * 2^order) taken off the MIGRATE_ISOLATE lists, the pageblocks back to
 * @mobility's type, and the range one allocated block of @mobility. Every
 * page of the range must be in a free block (the caller checked).
 */
void take_isolated_range(struct model *m, struct mzone *z, uint64_t start, unsigned int order,
			 int mobility)
{
	uint64_t end = start + (1ull << order);

	for (uint64_t pfn = start; pfn < end;) {
		unsigned int o = pg(m, pfn)->order;

		raw_del_page_from_free_list(m, z, pfn, o, MODEL_MT_ISOLATE);
		pfn += 1ull << o;
	}
	for (uint64_t pb = start; pb < end; pb += m->pageblock_nr_pages)
		set_pb_mt(m, pb, mobility);
	mark_tails(m, start, order);
	mark_allocated(m, start, order, mobility);
}

bool range_free(const struct model *m, uint64_t start, uint64_t end, bool holes)
{
	for (uint64_t pfn = start; pfn < end;) {
		const struct mpage *p = pg(m, pfn);

		if (holes && p->state == MODEL_PAGE_UNMANAGED) {
			pfn++;
			continue;
		}
		if (p->state != MODEL_PAGE_FREE)
			return false;
		pfn += 1ull << p->order;
	}
	return true;
}

/*
 * __offline_isolated_pages(): the free blocks of the isolated [start, end)
 * off the lists, and their pages out of the zone (unmanaged, as before
 * online_pages()); returns how many pages. The caller adjusts the zone.
 */
uint64_t offline_isolated_range(struct model *m, struct mzone *z, uint64_t start, uint64_t end)
{
	uint64_t taken = 0;

	for (uint64_t pfn = start; pfn < end;) {
		struct mpage *p = pg(m, pfn);
		uint64_t n = 1;

		if (p->state == MODEL_PAGE_FREE) {
			n = 1ull << p->order;
			raw_del_page_from_free_list(m, z, pfn, p->order, MODEL_MT_ISOLATE);
			for (uint64_t q = pfn; q < pfn + n; q++) {
				pg(m, q)->state = MODEL_PAGE_UNMANAGED;
				pg(m, q)->order = 0;
			}
			taken += n;
		}
		pfn += n;
	}
	return taken;
}

/*
 * undo_isolate_page_range() -> unset_migratetype_isolate(): the pageblocks
 * of [start, end) back to @mt with their free pages; a free block of
 * pageblock order or more is freed again so that it merges with a free
 * buddy outside the range (isolated blocks do not merge across pageblocks).
 */
void unisolate_range(struct model *m, struct mzone *z, uint64_t start, uint64_t end, int mt)
{
	for (uint64_t pb = start; pb < end; pb += m->pageblock_nr_pages)
		move_freepages_block(m, z, pb, MODEL_MT_ISOLATE, mt);
	for (uint64_t pfn = start; pfn < end;) {
		struct mpage *p = pg(m, pfn);
		unsigned int o = p->order;
		bool head = page_is_head(p);

		if (p->state == MODEL_PAGE_FREE && o >= m->pageblock_order) {
			raw_del_page_from_free_list(m, z, pfn, o, mt);
			account_freepages(z, -(1l << o), mt);
			raw_free_one_page(m, z, pfn, o, mt, false);
		}
		pfn += head ? 1ull << o : 1;
	}
}
