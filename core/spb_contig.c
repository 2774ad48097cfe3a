/* SPDX-License-Identifier: MIT */
/*
 * spb_contig.c - RFC PATCH 17/40 of Rik van Riel's "mm: reliable 1GB page
 * allocation" (May 2026), "superpageblock-aware contiguous and higher order
 * allocation", knobs spb_contig and spb_contig_scan.
 *
 * The patch hooks into __alloc_pages_direct_compact(), before compaction:
 *  - a MOVABLE request of pageblock order or more first tries
 *    sb_try_alloc_contig(): the SPB metadata points it at clean SPBs, where a
 *    range made of free and movable pages is taken as alloc_contig_range()
 *    takes one (isolate, migrate what is in use, take the freed range);
 *  - an UNMOVABLE or RECLAIMABLE request above order 0 first has movable
 *    pages evacuated from tainted SPBs, "to create buddy coalescing
 *    opportunities";
 * both fall through to ordinary compaction when they do not produce a page.
 * Only the patch's description and its struct changes were available to us
 * (the stored copy of the mail is cut after the header), so the model
 * follows that description and picks its own details, each said here:
 *  - Movable: clean SPBs emptiest first (fullness lists from the wholly free
 *    end), their 2^order-aligned ranges in pfn order, at most
 *    spb_contig_scan ranges looked at per request; a range qualifies when
 *    all its pageblocks are MOVABLE and not isolated, and it holds only free
 *    blocks and movable allocations below pageblock order that are on the
 *    LRU (not held by compaction). The one with the fewest pages to migrate
 *    is taken; one with none ends the search. Ranges with pages on per-CPU
 *    lists are passed over (the kernel drains every CPU's lists instead).
 *    Its pageblocks are isolated (MIGRATE_ISOLATE), their movable pages
 *    migrated out with 06/40's machinery (evacuate_block(): targets from the
 *    ordinary allocator, so never inside the isolated range), and if the
 *    range is then wholly free it is the request's page; else the isolation
 *    is undone and compaction runs as without the patch. 17/40's
 *    contig_allocated marking and spb_isolated list (for CMA and 1 GiB
 *    alloc_contig_pages() callers, which traces do not show) are left out.
 *  - Non-movable: tainted SPBs fullest first, their pageblocks of the
 *    request's own type, at most spb_contig_scan looked at; the one with the
 *    most free plus movable pages that holds movable pages has them
 *    evacuated (evacuate_block()); then the free lists are tried again.
 * Neither path counts as a compaction stall; both count in their own
 * counters and the SPB and pageblock scans in the search-overhead figures.
 */
#include "model_internal.h"

/*
 * Pages to migrate to have [start, start + 2^order) whole, or -1 when
 * alloc_contig_range() would not get it (or the model passes it over).
 */
static long contig_cost(const struct model *m, const struct mzone *z, uint64_t start,
			unsigned int order)
{
	uint64_t end = start + (1ull << order);
	long cost = 0;

	if (start < z->start_pfn || end > z->end_pfn)
		return -1;
	for (uint64_t pb = start; pb < end; pb += m->pageblock_nr_pages)
		if (pb_mt(m, pb) != MODEL_MT_MOVABLE || (*pb_byte(m, pb) & PB_ISOLATE))
			return -1;
	for (uint64_t pfn = start; pfn < end;) {
		const struct mpage *p = pg(m, pfn);

		if (p->state == MODEL_PAGE_ALLOC) {
			if (p->mt != MODEL_MT_MOVABLE || p->order >= m->pageblock_order ||
			    p->compact_gen)
				return -1;
			cost += 1l << p->order;
		} else if (p->state != MODEL_PAGE_FREE) {
			return -1; /* on a pcp list; a tail: a larger block straddles */
		}
		pfn += 1ull << p->order;
	}
	return cost;
}

/* the cheapest range of @z among the next *@budget looked at, or MODEL_PFN_NONE */
static uint64_t contig_pick(struct model *m, const struct mzone *z, unsigned int order,
			    long *budget)
{
	long best_cost = -1;
	uint64_t best = MODEL_PFN_NONE, step = 1ull << order;

	for (int f = SPB_NR_FULLNESS - 1; f >= 0 && *budget > 0 && best_cost; f--) {
		for (uint32_t sb = m->spb_list[SPB_CLEAN][f]; sb != NIL && *budget > 0 && best_cost;
		     sb = m->spb[sb].next) {
			uint64_t lo = m->spb_base + ((uint64_t)sb << m->spb_shift);
			uint64_t hi = lo + (1ull << m->spb_shift);

			if (hi <= z->start_pfn || lo >= z->end_pfn)
				continue; /* another zone's */
			count_event(m, MODEL_SCAN_SPBS_CONTIG, 1);
			if (lo < z->start_pfn)
				lo = (z->start_pfn + step - 1) & ~(step - 1);
			for (uint64_t s = lo; s + step <= hi && *budget > 0 && best_cost; s += step) {
				(*budget)--;
				count_event(m, MODEL_SCAN_RANGES_CONTIG, 1);
				long c = contig_cost(m, z, s, order);
				if (c >= 0 && (best_cost < 0 || c < best_cost)) {
					best = s;
					best_cost = c;
				}
			}
		}
	}
	return best;
}

/* sb_try_alloc_contig() for one MOVABLE request: its page, or MODEL_PFN_NONE */
uint64_t spb_try_alloc_contig(struct model *m, unsigned int order, int highest_zoneidx,
			      unsigned int cpu)
{
	struct mzone *z = NULL;
	uint64_t start = MODEL_PFN_NONE;
	long budget = m->knobs[MODEL_KNOB_SPB_CONTIG_SCAN]; /* per request, over the zones */

	count_event(m, MODEL_SPB_CONTIG_TRIES, 1);
	for (int t = highest_zoneidx; t >= 0 && start == MODEL_PFN_NONE; t--) {
		int i = m->zone_of_type[t];

		if (i < 0 || !m->zones[i].managed)
			continue;
		z = &m->zones[i];
		start = contig_pick(m, z, order, &budget);
	}
	if (start == MODEL_PFN_NONE)
		return MODEL_PFN_NONE;

	uint64_t end = start + (1ull << order);
	for (uint64_t pb = start; pb < end; pb += m->pageblock_nr_pages)
		move_freepages_block(m, z, pb, MODEL_MT_MOVABLE, MODEL_MT_ISOLATE);
	for (uint64_t pb = start; pb < end && !range_free(m, start, end, false);
	     pb += m->pageblock_nr_pages)
		evacuate_block(m, pb, cpu, true, MODEL_SPB_CONTIG_MIGRATED,
			       MODEL_SPB_CONTIG_FAILED);
	if (!range_free(m, start, end, false)) {
		unisolate_range(m, z, start, end, MODEL_MT_MOVABLE);
		return MODEL_PFN_NONE;
	}
	take_isolated_range(m, z, start, order, MODEL_MT_MOVABLE);
	count_event(m, MODEL_SPB_CONTIG_TAKEN, 1);
	return start;
}

/*
 * The non-movable half, for an UNMOVABLE or RECLAIMABLE request (@mt): the
 * movable pages out of one pageblock of its type in a tainted SPB. True if
 * any page moved, for the caller to try the free lists again.
 */
bool spb_evacuate_tainted(struct model *m, int mt, int highest_zoneidx, unsigned int cpu)
{
	long budget = m->knobs[MODEL_KNOB_SPB_CONTIG_SCAN];
	uint64_t best = MODEL_PFN_NONE;
	uint32_t best_room = 0;

	for (uint32_t sb = spb_iter_next(m, SPB_TAINTED, NIL); sb != NIL && budget > 0;
	     sb = spb_iter_next(m, SPB_TAINTED, sb)) {
		uint64_t lo = m->spb_base + ((uint64_t)sb << m->spb_shift);
		uint64_t hi = lo + (1ull << m->spb_shift);

		count_event(m, MODEL_SCAN_SPBS_CONTIG, 1);
		if (!m->spb[sb].nr[mt == MODEL_MT_UNMOVABLE ? SPB_UNMOVABLE : SPB_RECLAIMABLE])
			continue;
		for (uint64_t pb = lo < m->pb_base ? m->pb_base : lo;
		     pb < hi && pb < m->node_end && budget > 0; pb += m->pageblock_nr_pages) {
			const struct mzone *z = pfn_zone(m, pb);
			struct pb_usage u;

			if (!z || (int)z->type > highest_zoneidx || pb_mt(m, pb) != mt)
				continue;
			budget--;
			count_event(m, MODEL_SCAN_RANGES_CONTIG, 1);
			pageblock_usage(m, z, pb, &u);
			if (u.movable && u.free + u.movable > best_room) {
				best = pb;
				best_room = u.free + u.movable;
			}
		}
	}
	if (best == MODEL_PFN_NONE)
		return false;
	count_event(m, MODEL_SPB_EVAC_PAGEBLOCKS, 1);
	return evacuate_block(m, best, cpu, false, MODEL_SPB_EVAC_MIGRATED,
			      MODEL_SPB_EVAC_FAILED) > 0;
}
