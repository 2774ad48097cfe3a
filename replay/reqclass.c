// SPDX-License-Identifier: MIT
/*
 * reqclass.c - request classes and their callers' fallbacks (reqclass.h),
 * read from the callers in the 2026 linux-mm tree:
 *
 * - THP / mTHP fault: vma_alloc_anon_folio_pmd() (mm/huge_memory.c) and
 *   alloc_anon_folio() (mm/memory.c) ask with vma_thp_gfp_mask(), which is
 *   GFP_TRANSHUGE_LIGHT (GFP_HIGHUSER_MOVABLE | __GFP_COMP |
 *   __GFP_NOMEMALLOC | __GFP_NOWARN, reclaim bits cleared) plus what the
 *   defrag setting adds. On failure the fault goes to the next enabled mTHP
 *   order (alloc_anon_folio()'s loop), finally to do_anonymous_page()'s
 *   order-0 GFP_HIGHUSER_MOVABLE page; the rest of the range is faulted the
 *   same way later. The model_thp_fault_try() of core/alloc.c is the PMD
 *   order subset with its two tries.
 * - Large page-cache folio: __filemap_get_folio() (mm/filemap.c) adds
 *   __GFP_NORETRY | __GFP_NOWARN to every order above the mapping's minimum
 *   and steps down one order at a time; readahead (readahead_gfp_mask())
 *   carries __GFP_NORETRY at every order. No __GFP_NOMEMALLOC.
 * - SLUB: allocate_slab() (mm/slub.c) asks the cache's preferred order with
 *   __GFP_NOWARN | __GFP_NORETRY, and when the caller may reclaim and the
 *   order is above the minimum also __GFP_NOMEMALLOC with both reclaim bits
 *   cleared; on failure it asks the minimum order with the caller's flags.
 *
 * Ambiguities, decided here: a movable __GFP_NORETRY request of order >= 1
 * without __GFP_NOMEMALLOC is page cache, and a non-movable one is SLUB (a
 * large folio of a non-movable mapping, e.g. a block device's, is counted as
 * SLUB: both fall back to a minimum order); a shmem PMD folio has the fault
 * mask and is counted as THP; a non-movable __GFP_NORETRY request that is not
 * __GFP_COMP (no slab) is other. The SLUB minimum order and the mapping's
 * minimum folio order are not in a trace: knobs slub_min_order and
 * pagecache_min_order.
 */
#include "reqclass.h"

#define TRANSHUGE_LIGHT_BITS (MODEL_GFP_MOVABLE | MODEL_GFP_COMP | MODEL_GFP_NOMEMALLOC | \
			      MODEL_GFP_HARDWALL)
#define ZONE_BITS (MODEL_GFP_DMA | MODEL_GFP_HIGHMEM | MODEL_GFP_DMA32 | MODEL_GFP_MOVABLE)

static const char *const names[REQ_NR_CLASSES] = {
	[REQ_THP] = "thp", [REQ_PAGECACHE] = "pagecache", [REQ_SLUB] = "slub",
	[REQ_OTHER] = "other",
};

const char *req_class_name(enum req_class c)
{
	return (unsigned int)c < REQ_NR_CLASSES ? names[c] : "?";
}

enum req_class req_class_of(unsigned int order, uint32_t gfp)
{
	if (!order)
		return REQ_OTHER;
	/* khugepaged's collapse (__GFP_THISNODE without __GFP_NORETRY) and
	 * migration targets (__GFP_RETRY_MAYFAIL) share the bits: not faults */
	if ((gfp & TRANSHUGE_LIGHT_BITS) == TRANSHUGE_LIGHT_BITS &&
	    !(gfp & MODEL_GFP_RETRY_MAYFAIL) &&
	    !((gfp & MODEL_GFP_THISNODE) && !(gfp & MODEL_GFP_NORETRY)))
		return REQ_THP;
	if (!(gfp & MODEL_GFP_NORETRY))
		return REQ_OTHER;
	if (model_gfp_migratetype(gfp) == MODEL_MT_MOVABLE)
		return gfp & MODEL_GFP_NOMEMALLOC ? REQ_OTHER : REQ_PAGECACHE;
	return gfp & MODEL_GFP_COMP ? REQ_SLUB : REQ_OTHER;
}

/* the flags SLUB's caller passed, from allocate_slab()'s first try's */
static uint32_t slub_caller_gfp(uint32_t gfp)
{
	uint32_t reclaim = MODEL_GFP_DIRECT_RECLAIM | MODEL_GFP_KSWAPD_RECLAIM;

	if ((gfp & MODEL_GFP_NOMEMALLOC) && !(gfp & reclaim))
		return (gfp & ~(MODEL_GFP_NOMEMALLOC | MODEL_GFP_NORETRY | MODEL_GFP_NOWARN)) | reclaim;
	return gfp & ~(MODEL_GFP_NORETRY | MODEL_GFP_NOWARN);
}

unsigned int req_fallback(const struct model *m, enum req_class class, unsigned int order,
			  uint32_t gfp, uint32_t mthp_orders, unsigned int *orders, uint32_t *gfps,
			  unsigned int max)
{
	unsigned int n = 0;

	switch (class) {
	case REQ_THP:
		/* alloc_anon_folio(): the enabled mTHP orders below, then order 0 */
		for (int o = (int)order - 1; o >= 1 && n + 1 < max; o--)
			if (mthp_orders & (1u << o)) {
				orders[n] = (unsigned int)o;
				gfps[n++] = gfp & ~(MODEL_GFP_THISNODE | MODEL_GFP_NORETRY);
			}
		if (n < max) {
			orders[n] = 0;
			gfps[n++] = (gfp & (ZONE_BITS | MODEL_GFP_HARDWALL)) | MODEL_GFP_KERNEL;
		}
		return n;
	case REQ_PAGECACHE: {
		long min = model_knob(m, MODEL_KNOB_PAGECACHE_MIN_ORDER);
		for (long o = (long)order - 1; o >= min && n < max; o--) {
			orders[n] = (unsigned int)o;
			/* the minimum order goes without __GFP_NORETRY | __GFP_NOWARN */
			gfps[n++] = o > min ? gfp : gfp & ~(MODEL_GFP_NORETRY | MODEL_GFP_NOWARN);
		}
		return n;
	}
	case REQ_SLUB: {
		long min = model_knob(m, MODEL_KNOB_SLUB_MIN_ORDER);
		if (min >= (long)order || !max)
			return 0;
		orders[0] = (unsigned int)min;
		gfps[0] = slub_caller_gfp(gfp);
		return 1;
	}
	default:
		return 0;
	}
}
