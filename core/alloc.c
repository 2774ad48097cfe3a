/* SPDX-License-Identifier: MIT */
/*
 * alloc.c - the request paths: gfp to alloc_flags, watermarks, the zonelist
 * walk, the slow path, and freeing. Models __alloc_frozen_pages_noprof(),
 * get_page_from_freelist(), __alloc_pages_slowpath() and
 * __free_frozen_pages() of mm/page_alloc.c (linux-mm tree, 2026).
 */
#include <errno.h>

#include "model_internal.h"


/* gfp_zone() on x86-64: no HIGHMEM, so __GFP_HIGHMEM alone means NORMAL */
static int gfp_zone(uint32_t gfp)
{
	if (gfp & MODEL_GFP_DMA)
		return MODEL_ZONE_DMA;
	if (gfp & MODEL_GFP_DMA32)
		return MODEL_ZONE_DMA32;
	if ((gfp & MODEL_GFP_MOVABLE) && (gfp & MODEL_GFP_HIGHMEM))
		return MODEL_ZONE_MOVABLE;
	return MODEL_ZONE_NORMAL;
}

/* first_zones_zonelist(): the highest managed zone the request may use */
static int first_zones_zonelist(const struct model *m, int highest_zoneidx)
{
	for (int i = (int)m->nr_zones - 1; i >= 0; i--)
		if ((int)m->zones[i].type <= highest_zoneidx && m->zones[i].managed)
			return i;
	return -1;
}

/* wmark_pages(): the watermark alloc_flags name, boost included */
static long wmark_pages(const struct mzone *z, unsigned int alloc_flags)
{
	return z->wmark[alloc_flags & ALLOC_WMARK_MASK] + z->watermark_boost;
}

/* __zone_watermark_unusable_free() */
static long raw_zone_watermark_unusable_free(const struct mzone *z, unsigned int order,
					     unsigned int alloc_flags)
{
	long unusable = (1l << order) - 1;

	if (!(alloc_flags & ALLOC_RESERVES))
		unusable += z->nr_free_highatomic;
	if (!(alloc_flags & ALLOC_CMA))
		unusable += z->nr_free_cma;
	return unusable;
}

/* __zone_watermark_ok() */
bool raw_zone_watermark_ok(const struct model *m, const struct mzone *z, unsigned int order,
			   long mark, int highest_zoneidx, unsigned int alloc_flags,
			   long free_pages)
{
	long min = mark;

	free_pages -= raw_zone_watermark_unusable_free(z, order, alloc_flags);
	if (alloc_flags & ALLOC_RESERVES) {
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	for (unsigned int o = order; o <= m->max_order; o++) {
		const struct free_area *area = &z->area[o];

		if (!area->nr_free)
			continue;
		for (int mt = 0; mt < MODEL_NR_PCPTYPES; mt++)
			if (area->free_list[mt].nr)
				return true;
		if ((alloc_flags & ALLOC_CMA) && area->free_list[MODEL_MT_CMA].nr)
			return true;
		if ((alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) &&
		    area->free_list[MODEL_MT_HIGHATOMIC].nr)
			return true;
	}
	return false;
}

/* zone_watermark_fast() */
static bool zone_watermark_fast(const struct model *m, const struct mzone *z, unsigned int order,
				long mark, int highest_zoneidx, unsigned int alloc_flags)
{
	long free_pages = z->nr_free_pages;

	if (!order) {
		long reserved = raw_zone_watermark_unusable_free(z, 0, alloc_flags);
		long usable = free_pages - (reserved < free_pages ? reserved : free_pages);

		if (usable > mark + z->lowmem_reserve[highest_zoneidx])
			return true;
	}
	if (raw_zone_watermark_ok(m, z, order, mark, highest_zoneidx, alloc_flags, free_pages))
		return true;
	/* __GFP_HIGH order-0 requests ignore the boost at the min watermark */
	if (!order && (alloc_flags & ALLOC_MIN_RESERVE) && z->watermark_boost &&
	    (alloc_flags & ALLOC_WMARK_MASK) == ALLOC_WMARK_MIN)
		return raw_zone_watermark_ok(m, z, order, z->wmark[WMARK_MIN], highest_zoneidx,
					     alloc_flags, free_pages);
	return false;
}

/*
 * wakeup_kswapd(): kswapd's balance_pgdat() reclaims the summed boost and then
 * zeroes every zone's boost. The model starts counting frees instead.
 */
void wakeup_kswapd(struct model *m)
{
	long boost = 0;

	if (m->kswapd_boost_pending)
		return;
	for (unsigned int i = 0; i < m->nr_zones; i++)
		boost += m->zones[i].watermark_boost;
	if (!boost)
		return;
	m->kswapd_boost_pending = true;
	m->kswapd_boost_left = boost;
}

static void kswapd_account_free(struct model *m, long nr)
{
	if (!m->kswapd_boost_pending)
		return;
	m->kswapd_boost_left -= nr;
	if (m->kswapd_boost_left > 0)
		return;
	for (unsigned int i = 0; i < m->nr_zones; i++)
		m->zones[i].watermark_boost = 0;
	m->kswapd_boost_pending = false;
}

/* rmqueue_buddy(): straight from the zone's free lists, reserves included */
static uint64_t rmqueue_buddy(struct model *m, struct mzone *z, unsigned int order,
			      unsigned int alloc_flags, int mt)
{
	uint64_t pfn = MODEL_PFN_NONE;

	if (alloc_flags & ALLOC_HIGHATOMIC)
		pfn = raw_rmqueue_smallest(m, z, order, MODEL_MT_HIGHATOMIC);
	if (pfn == MODEL_PFN_NONE) {
		enum rmqueue_mode mode = RMQUEUE_NORMAL;

		pfn = raw_rmqueue(m, z, order, mt, alloc_flags, &mode);
		if (pfn == MODEL_PFN_NONE && (alloc_flags & (ALLOC_OOM | ALLOC_NON_BLOCK)))
			pfn = raw_rmqueue_smallest(m, z, order, MODEL_MT_HIGHATOMIC);
		if (pfn == MODEL_PFN_NONE)
			return pfn;
	}
	if ((alloc_flags & ALLOC_HIGHATOMIC) &&
	    (alloc_flags & ALLOC_WMARK_MASK) == ALLOC_WMARK_MIN)
		reserve_highatomic_pageblock(m, z, pfn, order);
	count_event(m, MODEL_PGALLOC_DMA + z->type, 1ull << order);
	return pfn;
}

/* rmqueue(): pcp lists for the orders they cache, then the buddy lists */
static uint64_t rmqueue(struct model *m, struct mzone *z, unsigned int order,
			unsigned int alloc_flags, int mt, unsigned int cpu)
{
	uint64_t pfn = MODEL_PFN_NONE;

	if (pcp_allowed_order(m, order) && !(alloc_flags & ALLOC_FORCED))
		pfn = rmqueue_pcplist(m, z, order, mt, alloc_flags, cpu);
	if (pfn == MODEL_PFN_NONE)
		pfn = rmqueue_buddy(m, z, order, alloc_flags, mt);
	if ((alloc_flags & ALLOC_KSWAPD) && z->boosted_watermark) {
		z->boosted_watermark = false;
		wakeup_kswapd(m);
	}
	return pfn;
}

struct alloc_context {
	unsigned int order, cpu;
	int mt, highest_zoneidx, preferred;
	uint32_t gfp;
	bool served; /* the kernel served it: MODEL_REQ_NO_WATERMARKS */
};

/*
 * get_page_from_freelist(): the zonelist from the preferred zone down, each
 * zone checked against its high watermark first (ZONE_BELOW_HIGH), then the
 * request's. Under ALLOC_NOFRAGMENT a failed walk is repeated without it,
 * except in defrag_mode. Differs: one node, no cpusets, no dirty limits, no
 * node_reclaim, no deferred/unaccepted memory growth.
 */
static uint64_t get_page_from_freelist(struct model *m, const struct alloc_context *ac,
				       unsigned int alloc_flags)
{
retry:;
	bool no_fallback = alloc_flags & ALLOC_NOFRAGMENT;

	for (int i = ac->preferred; i >= 0; i--) {
		struct mzone *z = &m->zones[i];

		if (!z->managed)
			continue;
		if (!z->below_high) {
			if (zone_watermark_fast(m, z, ac->order, wmark_pages(z, ALLOC_WMARK_HIGH),
						ac->highest_zoneidx, alloc_flags))
				goto try_this_zone;
			z->below_high = true;
		}
		if (!zone_watermark_fast(m, z, ac->order,
					 alloc_flags & ALLOC_FORCED ? 0 : wmark_pages(z, alloc_flags),
					 ac->highest_zoneidx, alloc_flags) &&
		    !(alloc_flags & ALLOC_NO_WATERMARKS))
			continue;
try_this_zone:;
		uint64_t pfn = rmqueue(m, z, ac->order, alloc_flags, ac->mt, ac->cpu);
		if (pfn != MODEL_PFN_NONE)
			return pfn;
	}
	if (no_fallback && !(alloc_flags & ALLOC_FORCED) && !knob(m, MODEL_KNOB_DEFRAG_MODE)) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		goto retry;
	}
	return MODEL_PFN_NONE;
}

/* alloc_flags_nofragment(): Normal avoids fragmenting while DMA32 may help */
static unsigned int alloc_flags_nofragment(const struct model *m, int preferred, uint32_t gfp)
{
	unsigned int flags = gfp & MODEL_GFP_KSWAPD_RECLAIM ? ALLOC_KSWAPD : 0;

	if (m->zones[preferred].type == MODEL_ZONE_NORMAL)
		return flags | ALLOC_NOFRAGMENT;
	/* defrag_mode's, resolved where a path asks (nofrag()): the retry without
	 * it in get_page_from_freelist() is for Normal's alone either way */
	return flags | ALLOC_NOFRAG_DEFRAG;
}

/* alloc_flags_nonblocking() */
static unsigned int alloc_flags_nonblocking(uint32_t gfp, unsigned int order)
{
	if (gfp & (MODEL_GFP_DIRECT_RECLAIM | MODEL_GFP_NOMEMALLOC))
		return 0;
	return ALLOC_NON_BLOCK | (order > 0 && (gfp & MODEL_GFP_HIGH) ? ALLOC_HIGHATOMIC : 0);
}

/* alloc_flags_cma() */
static unsigned int alloc_flags_cma(int mt)
{
	return mt == MODEL_MT_MOVABLE ? ALLOC_CMA : 0;
}

/* alloc_flags_slowpath() */
static unsigned int alloc_flags_slowpath(const struct model *m, uint32_t gfp, unsigned int order,
					 int mt)
{
	unsigned int flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;

	if (gfp & MODEL_GFP_HIGH)
		flags |= ALLOC_MIN_RESERVE;
	if (gfp & MODEL_GFP_KSWAPD_RECLAIM)
		flags |= ALLOC_KSWAPD;
	flags |= alloc_flags_nonblocking(gfp, order);
	if (!(gfp & MODEL_GFP_DIRECT_RECLAIM) && (flags & ALLOC_MIN_RESERVE))
		flags &= ~ALLOC_CPUSET;
	flags |= alloc_flags_cma(mt);
	/* ALLOC_NOFRAGMENT under defrag_mode, the knob read where it decides */
	return flags | ALLOC_NOFRAG_DEFRAG;
}

/*
 * pgdat_balanced(): some zone up to @highest_zoneidx meets its high
 * watermark at @order (lowmem reserves included); under defrag_mode, for
 * order > 0, in whole free pageblocks (NR_FREE_PAGES_BLOCKS).
 */
bool pgdat_balanced(const struct model *m, int order, int highest_zoneidx)
{
	bool any = false;

	for (unsigned int i = 0; i < m->nr_zones; i++) {
		const struct mzone *z = &m->zones[i];

		if (!z->managed || (int)z->type > highest_zoneidx)
			continue;
		any = true;
		long free = order && knob(m, MODEL_KNOB_DEFRAG_MODE) ? z->nr_free_blocks
								     : z->nr_free_pages;
		if (raw_zone_watermark_ok(m, z, (unsigned int)order, z->wmark[WMARK_HIGH],
					  highest_zoneidx, 0, free))
			return true;
	}
	return !any;
}

static bool pgdat_watermark_boosted(const struct model *m, int highest_zoneidx)
{
	for (unsigned int i = 0; i < m->nr_zones; i++)
		if ((int)m->zones[i].type <= highest_zoneidx && m->zones[i].watermark_boost)
			return true;
	return false;
}

/*
 * wake_all_kswapds() -> wakeup_kswapd() (mm/vmscan.c): kswapd is woken at the
 * request order (at least pageblock order under defrag_mode) unless the node
 * is balanced and not boosted; then, for a request that cannot reclaim
 * directly, kcompactd is woken instead. Reclaim is not modelled: a running
 * kswapd goes back to sleep when the trace's frees balance the node at order
 * 0 (balance_pgdat() drops the order once compaction could go on), and
 * wakes kcompactd at the order it was woken for (kswapd_try_to_sleep());
 * its boost reset counts the trace's frees.
 */
static void wake_all_kswapds(struct model *m, const struct alloc_context *ac)
{
	int order = (int)ac->order;

	if (order < (int)m->pageblock_order && knob(m, MODEL_KNOB_DEFRAG_MODE))
		order = (int)m->pageblock_order;
	wakeup_kswapd(m);
	if (!m->kswapd_running &&
	    pgdat_balanced(m, order, ac->highest_zoneidx) &&
	    !pgdat_watermark_boosted(m, ac->highest_zoneidx)) {
		if (!(ac->gfp & MODEL_GFP_DIRECT_RECLAIM))
			wakeup_kcompactd(m, order, ac->highest_zoneidx);
		return;
	}
	if (!m->kswapd_running || m->kswapd_order < order)
		m->kswapd_order = order;
	if (!m->kswapd_running || m->kswapd_highest_zoneidx < ac->highest_zoneidx)
		m->kswapd_highest_zoneidx = ac->highest_zoneidx;
	m->kswapd_running = true;
}

/* on the trace clock: a running kswapd whose node the frees balanced sleeps */
void kswapd_tick(struct model *m)
{
	if (!m->kswapd_running || !pgdat_balanced(m, 0, m->kswapd_highest_zoneidx))
		return;
	m->kswapd_running = false;
	wakeup_kcompactd(m, m->kswapd_order, m->kswapd_highest_zoneidx);
}

/*
 * RFC 17/40's hook at the top of __alloc_pages_direct_compact() (knob
 * spb_contig, spb_contig.c): a movable request of pageblock order or more
 * tries an SPB-guided contiguous range; a non-movable one above order 0 has
 * movable pages evacuated from a pageblock of its type in a tainted SPB and
 * tries the free lists again. Not re-entered by the target allocations of
 * its own migrations. MODEL_PFN_NONE: compaction runs as without the patch.
 */
static uint64_t spb_alloc_pages_direct(struct model *m, const struct alloc_context *ac,
				       unsigned int alloc_flags)
{
	uint64_t pfn = MODEL_PFN_NONE;

	if (!m->knobs[MODEL_KNOB_SPB_CONTIG] || m->in_spb_contig)
		return MODEL_PFN_NONE;
	m->in_spb_contig = true;
	if (ac->mt == MODEL_MT_MOVABLE && ac->order >= m->pageblock_order) {
		pfn = spb_try_alloc_contig(m, ac->order, ac->highest_zoneidx, ac->cpu);
	} else if (ac->mt == MODEL_MT_UNMOVABLE || ac->mt == MODEL_MT_RECLAIMABLE) {
		count_event(m, MODEL_SPB_EVAC_TRIES, 1);
		if (spb_evacuate_tainted(m, ac->mt, ac->highest_zoneidx, ac->cpu)) {
			pfn = get_page_from_freelist(m, ac, alloc_flags);
			if (pfn != MODEL_PFN_NONE)
				count_event(m, MODEL_SPB_EVAC_SERVED, 1);
		}
	}
	m->in_spb_contig = false;
	return pfn;
}

/*
 * __alloc_pages_direct_compact(). Vanilla 6.18: compaction and capture both
 * at the request's order and migratetype. Under capture-split
 * (capture_split.c) a non-movable request may compact at pageblock order
 * ("promoted") while capturing at its own.
 */
static uint64_t raw_alloc_pages_direct_compact(struct model *m, const struct alloc_context *ac,
					       unsigned int alloc_flags, int prio, int *result)
{
	struct capture_control capc = { .order = ac->order, .migratetype = ac->mt,
					.pfn = MODEL_PFN_NONE };
	unsigned int compact_order = capture_split_compact_order(m, alloc_flags, &capc);
	bool promoted = compact_order != ac->order;

	*result = MODEL_COMPACT_SKIPPED;
	if (!compact_order)
		return MODEL_PFN_NONE;
	uint64_t spb = spb_alloc_pages_direct(m, ac, alloc_flags);
	if (spb != MODEL_PFN_NONE) {
		*result = MODEL_COMPACT_SUCCESS_RES;
		return spb;
	}
	m->capc = &capc;
	*result = try_to_compact_pages(m, ac->gfp, compact_order, alloc_flags,
				       ac->highest_zoneidx, ac->cpu, prio, &capc);
	m->capc = NULL;
	uint64_t pfn = capc.pfn;
	if (pfn != MODEL_PFN_NONE) {
		*result = MODEL_COMPACT_SUCCESS_RES;
		if (capc.order > ac->order)
			trim_capture(m, pfn, capc.order, ac->order);
	}
	/* only SKIPPED goes back without a stall: a try every zone deferred is
	 * counted (compact_stall, then compact_fail unless the lists have the
	 * page), whatever the comment above the count in 6.18 says */
	if (*result == MODEL_COMPACT_SKIPPED)
		return MODEL_PFN_NONE;
	count_event(m, MODEL_COMPACT_STALL, 1);
	if (promoted)
		count_event(m, MODEL_COMPACT_PROMOTED, 1);
	if (pfn == MODEL_PFN_NONE)
		pfn = get_page_from_freelist(m, ac, alloc_flags);
	if (pfn != MODEL_PFN_NONE) {
		struct mzone *z = pfn_zone(m, pfn);
		z->compact_blockskip_flush = false;
		compaction_defer_reset(z, (int)compact_order, true);
		count_event(m, MODEL_COMPACT_SUCCESS, 1);
		if (promoted)
			count_event(m, MODEL_COMPACT_PROMOTED_SUCCESS, 1);
		return pfn;
	}
	count_event(m, MODEL_COMPACT_FAIL, 1);
	return MODEL_PFN_NONE;
}

/* should_compact_retry(), with reclaim taken to have made progress */
static bool should_compact_retry(const struct alloc_context *ac, int result, int *prio,
				 int *retries)
{
	int max_retries = 16; /* MAX_COMPACT_RETRIES */

	if (!ac->order || result == MODEL_COMPACT_SKIPPED)
		return false; /* SKIPPED: compaction_zonelist_suitable() needs reclaimable pages */
	if (result == MODEL_COMPACT_SUCCESS_RES) {
		if (ac->order > PAGE_ALLOC_COSTLY_ORDER)
			max_retries /= 4;
		if (++*retries <= max_retries)
			return true;
	}
	int min_prio = ac->order > PAGE_ALLOC_COSTLY_ORDER ? MIN_COMPACT_COSTLY_PRIORITY
							   : MIN_COMPACT_PRIORITY;
	if (*prio > min_prio) {
		(*prio)--;
		*retries = 0;
		return true;
	}
	return false;
}

/* __gfp_pfmemalloc_flags(): only the gfp half; task flags are not traced */
static bool gfp_pfmemalloc_allowed(uint32_t gfp)
{
	return (gfp & MODEL_GFP_MEMALLOC) && !(gfp & MODEL_GFP_NOMEMALLOC);
}

/*
 * __alloc_pages_slowpath() of 6.18, without what needs the rest of the
 * kernel: reclaim is not modelled (its frees are in the trace), so "direct
 * reclaim" is the retry after it, with the highatomic unreserve and
 * drain_all_pages() that follow a failed retry (only for requests the
 * kernel failed: one it served took its page from its reclaim), and
 * should_reclaim_retry() never sees progress; no OOM killer. Compaction retries escalate as the
 * kernel's do, and every loop is bounded, so a request costs bounded work.
 *
 * Costly orders, and non-movable orders above 0, compact first (ASYNC). A
 * costly __GFP_NORETRY request (large page-cache folios, THP faults) then
 * fails at once only if that compaction was skipped or deferred, or if it
 * is a THP fault (__GFP_THISNODE); otherwise it goes through one round of
 * reclaim and ASYNC compaction before it fails. The 2026 linux-mm tree's
 * compact_first rework and its "costly __GFP_NORETRY never reclaims or
 * compacts" are later than 6.18: the 6.18 traces show these requests
 * compacting.
 */
static uint64_t raw_alloc_pages_slowpath(struct model *m, const struct alloc_context *ac)
{
	uint32_t gfp = ac->gfp;
	bool costly = ac->order > PAGE_ALLOC_COSTLY_ORDER;
	bool can_direct_reclaim = gfp & MODEL_GFP_DIRECT_RECLAIM;
	bool can_compact = gfp & MODEL_GFP_IO; /* gfp_compaction_allowed() */
	bool reserves_tried = false;
	unsigned int flags = alloc_flags_slowpath(m, gfp, ac->order, ac->mt);
	int prio = DEF_COMPACT_PRIORITY, retries = 0, result = MODEL_COMPACT_SKIPPED;
	uint64_t pfn;

	count_event(m, MODEL_ALLOC_SLOWPATH, 1);
	if (flags & ALLOC_KSWAPD)
		wake_all_kswapds(m, ac);
	pfn = get_page_from_freelist(m, ac, flags);
	if (pfn != MODEL_PFN_NONE)
		return pfn;

	if (can_direct_reclaim && can_compact &&
	    (costly || (ac->order > 0 && ac->mt != MODEL_MT_MOVABLE)) &&
	    !gfp_pfmemalloc_allowed(gfp)) {
		pfn = raw_alloc_pages_direct_compact(m, ac, flags, INIT_COMPACT_PRIORITY, &result);
		if (pfn != MODEL_PFN_NONE)
			return pfn;
		if (costly && (gfp & MODEL_GFP_NORETRY)) {
			if (result == MODEL_COMPACT_SKIPPED || result == MODEL_COMPACT_DEFERRED_RES)
				return MODEL_PFN_NONE;
			if (gfp & MODEL_GFP_THISNODE)
				return MODEL_PFN_NONE;
			prio = INIT_COMPACT_PRIORITY; /* sync compaction would cost too much */
		}
	}
	for (;;) {
		if (flags & ALLOC_KSWAPD)
			wake_all_kswapds(m, ac);
		if (!reserves_tried && gfp_pfmemalloc_allowed(gfp)) {
			reserves_tried = true;
			flags = alloc_flags_cma(ac->mt) | ALLOC_NO_WATERMARKS | (flags & ALLOC_KSWAPD);
		}
		pfn = get_page_from_freelist(m, ac, flags);
		if (pfn != MODEL_PFN_NONE)
			return pfn;
		if (!can_direct_reclaim) {
			if ((gfp & MODEL_GFP_KSWAPD_RECLAIM) && nofrag(m, flags)) {
				flags &= ~(ALLOC_NOFRAGMENT | ALLOC_NOFRAG_DEFRAG);
				continue;
			}
			return MODEL_PFN_NONE;
		}
		/*
		 * __alloc_pages_direct_reclaim(): only when reclaim made progress
		 * and the retry after it still failed does it unreserve and drain
		 * every CPU's lists. A request the kernel served got its page from
		 * that reclaim (the frees are in the trace, the page is forced_alloc()'s),
		 * so the drain is not the kernel's: done per request below
		 * the watermark it emptied the pcp lists again and again, and each
		 * refill after it stole anew (ab-storm-m0-r1: 1.06 M steals, the
		 * kernel 1,197).
		 */
		if (!ac->served) {
			unreserve_highatomic_pageblock(m, ac->highest_zoneidx, ac->mt, false);
			model_drain_all(m);
			pfn = get_page_from_freelist(m, ac, flags);
			if (pfn != MODEL_PFN_NONE)
				return pfn;
		}

		pfn = raw_alloc_pages_direct_compact(m, ac, flags, prio, &result);
		if (pfn != MODEL_PFN_NONE)
			return pfn;
		if (gfp & MODEL_GFP_NORETRY)
			return MODEL_PFN_NONE;
		if (costly && (!can_compact || !(gfp & MODEL_GFP_RETRY_MAYFAIL)))
			return MODEL_PFN_NONE;
		/* should_reclaim_retry() gives up: exhaust the highatomic reserve first */
		if (unreserve_highatomic_pageblock(m, ac->highest_zoneidx, ac->mt, true))
			continue;
		if (can_compact && should_compact_retry(ac, result, &prio, &retries))
			continue;
		/* defrag_mode: reclaim and compaction failed to prevent the fallback */
		if (nofrag(m, flags)) {
			flags &= ~(ALLOC_NOFRAGMENT | ALLOC_NOFRAG_DEFRAG);
			continue;
		}
		return MODEL_PFN_NONE;
	}
}

/*
 * Under defrag_mode, does the 6.18 slow path reach the point where it drops
 * ALLOC_NOFRAGMENT for this request? Only a request that may reclaim and
 * retry (no __GFP_NORETRY; a costly one only with __GFP_RETRY_MAYFAIL) gets
 * there after its retries, and one that may wake kswapd but not reclaim
 * directly does at once (the 2026 GFP_ATOMIC fix); GFP_TRANSHUGE_LIGHT and
 * __GFP_NORETRY requests fail with it still set.
 */
static bool defrag_drops_nofragment(uint32_t gfp, unsigned int order)
{
	if (!(gfp & MODEL_GFP_DIRECT_RECLAIM))
		return gfp & MODEL_GFP_KSWAPD_RECLAIM;
	if (gfp & MODEL_GFP_NORETRY)
		return false;
	return order <= PAGE_ALLOC_COSTLY_ORDER ||
	       ((gfp & MODEL_GFP_IO) && (gfp & MODEL_GFP_RETRY_MAYFAIL));
}

/*
 * The last attempt for a request the kernel satisfied (MODEL_REQ_NO_WATERMARKS):
 * the reclaim that let the kernel serve it is not modelled, so watermarks
 * are ignored. Open loop (feedback=0), the fallback rules and the lowmem
 * reserves are dropped with them (ALLOC_NO_WATERMARKS). Closed loop, the page
 * stands for one the kernel's reclaim freed, which was of the request's own
 * kind in the zone it prefers, and the variant's policy stays:
 *  1. ALLOC_NOFRAGMENT within the lowmem reserves (ALLOC_FORCED: no
 *     watermark, the reserve kept): own-type pages or a whole block claimed;
 *  2. the same in any zone, reserves ignored: still nothing polluted;
 *  3. only then a fallback below pageblock order, where the variant has one:
 *     always under vanilla, under defrag_mode where its slow path drops
 *     ALLOC_NOFRAGMENT (defrag_drops_nofragment()); reserves kept, then not.
 *     Before it, as the kernel's slow path never falls back before a failed
 *     retry after reclaim unreserved highatomic blocks and drained every
 *     CPU's lists (__alloc_pages_direct_reclaim()), the same: then 2. again.
 *     Only here: draining for every forced request churned the pcp lists.
 * ALLOC_FORCED takes a single page from the buddy lists, not a pcp refill,
 * and never retries without ALLOC_NOFRAGMENT on its own. Not a kernel path:
 * the model's, so that its stand-in for reclaim neither pollutes blocks nor
 * churns the pcp lists where the kernel's reclaim did neither.
 */
static uint64_t forced_alloc(struct model *m, const struct alloc_context *ac)
{
	unsigned int flags = alloc_flags_cma(ac->mt);
	uint64_t pfn;

	if (!m->knobs[MODEL_KNOB_FEEDBACK])
		return get_page_from_freelist(m, ac, flags | ALLOC_NO_WATERMARKS);
	flags |= ALLOC_FORCED;
	pfn = get_page_from_freelist(m, ac, flags | ALLOC_NOFRAGMENT);
	if (pfn == MODEL_PFN_NONE)
		pfn = get_page_from_freelist(m, ac, flags | ALLOC_NOFRAGMENT | ALLOC_NO_WATERMARKS);
	if (pfn != MODEL_PFN_NONE ||
	    (!defrag_drops_nofragment(ac->gfp, ac->order) && knob(m, MODEL_KNOB_DEFRAG_MODE)))
		return pfn;
	unreserve_highatomic_pageblock(m, ac->highest_zoneidx, ac->mt, false);
	model_drain_all(m);
	pfn = get_page_from_freelist(m, ac, flags | ALLOC_NOFRAGMENT | ALLOC_NO_WATERMARKS);
	if (pfn != MODEL_PFN_NONE)
		return pfn;
	pfn = get_page_from_freelist(m, ac, flags);
	if (pfn == MODEL_PFN_NONE)
		pfn = get_page_from_freelist(m, ac, flags | ALLOC_NO_WATERMARKS);
	return pfn;
}

/*
 * Will the block get a mapping (folio_mapping() != NULL: page cache, shmem)?
 * The kernel's anonymous memory comes zeroed (vma_alloc_zeroed_movable_folio(),
 * __GFP_ZERO) or as a THP fault's folio; a movable request that is neither
 * is taken for the page cache's. Differs: a COW copy (anonymous, not zeroed)
 * counts as mapped. Read only by compaction's GFP_NOFS rule.
 */
static bool req_has_mapping(const struct model *m, const struct model_req *r)
{
	if (model_gfp_migratetype(r->gfp) != MODEL_MT_MOVABLE || (r->gfp & MODEL_GFP_ZERO))
		return false;
	return !(r->flags & MODEL_REQ_THP_FAULT) && !model_thp_fault_try(m, r->order, r->gfp);
}

/* __alloc_frozen_pages_noprof(): the fast path against the low watermark */
uint64_t model_alloc(struct model *m, const struct model_req *r)
{
	struct alloc_context ac = {
		.order = r->order,
		.cpu = r->cpu % m->nr_cpus,
		.mt = model_gfp_migratetype(r->gfp),
		.highest_zoneidx = gfp_zone(r->gfp),
		.gfp = r->gfp,
		.served = r->flags & MODEL_REQ_NO_WATERMARKS,
	};
	uint64_t pfn = MODEL_PFN_NONE;

	count_event(m, MODEL_ALLOC_REQUESTS, 1);
	m->cur_cpu = ac.cpu;
	ac.preferred = first_zones_zonelist(m, ac.highest_zoneidx);
	if (r->order > m->max_order || ac.preferred < 0)
		goto fail;

	unsigned int flags = ALLOC_WMARK_LOW | alloc_flags_cma(ac.mt) |
			     alloc_flags_nofragment(m, ac.preferred, r->gfp) |
			     (alloc_flags_nonblocking(r->gfp, r->order) & ALLOC_HIGHATOMIC);
	pfn = get_page_from_freelist(m, &ac, flags);
	if (pfn == MODEL_PFN_NONE)
		pfn = raw_alloc_pages_slowpath(m, &ac);
	if (pfn == MODEL_PFN_NONE && (r->flags & MODEL_REQ_NO_WATERMARKS)) {
		pfn = forced_alloc(m, &ac);
		if (pfn != MODEL_PFN_NONE)
			count_event(m, MODEL_WMARK_OVERRIDE, 1);
	}
	/* the fault's count, as vma_alloc_anon_folio_pmd() and
	 * map_anon_folio_pmd_pf() make it: once, after its last try */
	bool thp = (r->flags & MODEL_REQ_THP_FAULT) && r->order == m->pmd_order;
	if (pfn != MODEL_PFN_NONE) {
		mark_allocated(m, pfn, r->order, ac.mt);
		page_mapping_set(m, pfn, req_has_mapping(m, r));
		if (thp)
			count_event(m, MODEL_THP_FAULT_ALLOC, 1);
		return pfn;
	}
	if (thp && !model_thp_retry_gfp(r->gfp))
		count_event(m, MODEL_THP_FAULT_FALLBACK, 1);
fail:
	count_event(m, MODEL_ALLOC_FAIL, 1);
	return MODEL_PFN_NONE;
}

#define GFP_TRANSHUGE_LIGHT_BITS (MODEL_GFP_MOVABLE | MODEL_GFP_COMP | MODEL_GFP_NOMEMALLOC | \
				  MODEL_GFP_HARDWALL)

bool model_thp_fault_try(const struct model *m, unsigned int order, uint32_t gfp)
{
	bool khugepaged = (gfp & MODEL_GFP_THISNODE) && !(gfp & MODEL_GFP_NORETRY);

	return order == m->pmd_order &&
	       (gfp & GFP_TRANSHUGE_LIGHT_BITS) == GFP_TRANSHUGE_LIGHT_BITS &&
	       !(gfp & MODEL_GFP_RETRY_MAYFAIL) && !khugepaged;
}

uint32_t model_thp_retry_gfp(uint32_t gfp)
{
	if (!(gfp & MODEL_GFP_THISNODE) || !(gfp & MODEL_GFP_DIRECT_RECLAIM))
		return 0;
	return gfp & ~(MODEL_GFP_THISNODE | MODEL_GFP_NORETRY);
}

/* split_page(): an allocated block becomes blocks of @order, same mobility */
void split_allocated(struct model *m, uint64_t head, unsigned int order)
{
	struct mpage *h = pg(m, head);
	uint64_t end = head + (1ull << h->order);
	int mobility = h->mt;
	bool mapped = page_mapping(m, head);

	for (uint64_t p = head; p < end; p += 1ull << order) {
		mark_allocated(m, p, order, mobility);
		page_mapping_set(m, p, mapped);
	}
}

/* the head of the allocated block of order >= @order covering @pfn, or MODEL_PFN_NONE */
static uint64_t covering_allocated(struct model *m, uint64_t pfn, unsigned int order)
{
	struct mpage *p = pg(m, pfn);

	if (p->state == MODEL_PAGE_ALLOC)
		return p->order >= order ? pfn : MODEL_PFN_NONE;
	if (p->state != MODEL_PAGE_TAIL)
		return MODEL_PFN_NONE;
	for (unsigned int o = order + 1; o <= m->max_order; o++) {
		uint64_t head = pfn & ~((1ull << o) - 1);

		if (head < m->node_start)
			break;
		struct mpage *h = pg(m, head);
		if (h->state == MODEL_PAGE_ALLOC && h->order >= o)
			return head;
		if (h->state != MODEL_PAGE_TAIL)
			break;
	}
	return MODEL_PFN_NONE;
}

/* the allocated block that covers [pfn, pfn + 2^order), split down if larger */
static int find_allocated(struct model *m, uint64_t pfn, unsigned int order)
{
	uint64_t head = covering_allocated(m, pfn, order);

	if (head == MODEL_PFN_NONE)
		return -ENOENT;
	if (head != pfn || pg(m, head)->order != order)
		split_allocated(m, head, order);
	return 0;
}

int model_carve(struct model *m, uint64_t pfn, unsigned int order)
{
	struct mzone *z = pfn_zone(m, pfn);

	if (order > m->max_order || (pfn & ((1ull << order) - 1)))
		return -EINVAL;
	if (!z || pfn + (1ull << order) > z->end_pfn)
		return -ENOENT;
	uint64_t head = covering_allocated(m, pfn, order);
	if (head == MODEL_PFN_NONE)
		return -ENOENT;
	int mobility = pg(m, head)->mt;
	bool mapped = page_mapping(m, head);
	for (unsigned int o = pg(m, head)->order; o > order; o--) {
		uint64_t half = 1ull << (o - 1);

		if (pfn >= head + half) {
			mark_allocated(m, head, o - 1, mobility);
			head += half;
		} else {
			mark_allocated(m, head + half, o - 1, mobility);
			page_mapping_set(m, head + half, mapped);
		}
	}
	mark_allocated(m, head, order, mobility);
	page_mapping_set(m, head, mapped);
	return 0;
}

int model_join(struct model *m, uint64_t pfn, unsigned int order)
{
	struct mzone *z = pfn_zone(m, pfn);

	if (order > m->max_order || (pfn & ((1ull << order) - 1)))
		return -EINVAL;
	if (!z || pfn + (1ull << order) > z->end_pfn)
		return -ENOENT;
	int mobility = pg(m, pfn)->mt;
	for (uint64_t p = pfn; p < pfn + (1ull << order); p++) {
		const struct mpage *q = pg(m, p);

		if (q->state != MODEL_PAGE_ALLOC || q->order || q->mt != mobility)
			return -ENOENT;
	}
	mark_allocated(m, pfn, order, mobility);
	for (uint64_t p = pfn + 1; p < pfn + (1ull << order); p++) {
		struct mpage *t = pg(m, p);

		t->state = MODEL_PAGE_TAIL;
		t->order = 0;
	}
	return 0;
}

/*
 * __free_frozen_pages(): pcp orders to this CPU's list (HIGHATOMIC and CMA
 * blocks' pages on the MOVABLE list), others straight to the buddy lists.
 */
void raw_free_frozen_pages(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order,
			   unsigned int cpu)
{
	count_event(m, MODEL_PGFREE, 1ull << order);
	if (!pcp_allowed_order(m, order)) {
		free_one_page(m, z, pfn, order, false);
		return;
	}
	int mt = pb_mt(m, pfn);
	if (mt >= MODEL_NR_PCPTYPES) {
		if (mt == MODEL_MT_ISOLATE) {
			free_one_page(m, z, pfn, order, false);
			return;
		}
		mt = MODEL_MT_MOVABLE;
	}
	free_frozen_page_commit(m, z, pfn, order, mt, cpu % m->nr_cpus);
}

int model_free(struct model *m, uint64_t pfn, unsigned int order, unsigned int cpu)
{
	struct mzone *z = pfn_zone(m, pfn);

	if (order > m->max_order || (pfn & ((1ull << order) - 1)))
		return -EINVAL;
	if (!z || pfn + (1ull << order) > z->end_pfn)
		return -ENOENT;
	int ret = find_allocated(m, pfn, order);
	if (ret)
		return ret;
	kswapd_account_free(m, 1l << order);
	raw_free_frozen_pages(m, z, pfn, order, cpu);
	return 0;
}
