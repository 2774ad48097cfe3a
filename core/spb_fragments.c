/* SPDX-License-Identifier: MIT */
/*
 * spb_fragments.c - RFC PATCH 19/40 of Rik van Riel's "mm: reliable 1GB
 * page allocation" (May 2026), knobs spb_fragments and
 * spb_fragments_min_spbs: on a node with more than 8 superpageblocks, a
 * non-movable request below pageblock order that found no pageblock to claim
 * in a tainted SPB takes a free fragment of a MOVABLE pageblock inside a
 * tainted SPB (a steal: the block keeps its type) rather than claim one in a
 * clean SPB.
 *
 * The model: after 11/40's claim in tainted SPBs (spb_claim.c) and before
 * the zone-wide claim, not under ALLOC_NOFRAGMENT (it is a fragmenting
 * fallback); the tainted SPBs fullest first, at most spb_claim_scan of them
 * (the patch's bound is not known to us: the claim's is used); in each the
 * smallest MOVABLE free block from the request's order up to below
 * pageblock order. Counted as a steal (mm_page_alloc_extfrag) and in
 * model_spb_fragment_steals.
 */
#include "model_internal.h"

uint64_t spb_rmqueue_fragment(struct model *m, struct mzone *z, unsigned int order, int start_mt)
{
	long budget = m->knobs[MODEL_KNOB_SPB_CLAIM_SCAN];

	if (!m->knobs[MODEL_KNOB_SPB_FRAGMENTS] || order >= m->pageblock_order ||
	    m->nr_spb_present <= (uint64_t)m->knobs[MODEL_KNOB_SPB_FRAGMENTS_MIN_SPBS])
		return MODEL_PFN_NONE;
	for (uint32_t sb = spb_iter_next(m, SPB_TAINTED, NIL); sb != NIL && budget--;
	     sb = spb_iter_next(m, SPB_TAINTED, sb)) {
		count_event(m, MODEL_SCAN_SPBS_FRAGMENT, 1);
		if (!m->spb[sb].free_pages)
			continue;
		for (unsigned int cur = order; cur < m->pageblock_order; cur++) {
			count_event(m, MODEL_SCAN_LISTS_STEAL, 1);
			uint64_t pfn = spb_first_free(m, z, sb, cur, MODEL_MT_MOVABLE);
			if (pfn == MODEL_PFN_NONE)
				continue;
			page_del_and_expand(m, z, pfn, order, cur, MODEL_MT_MOVABLE);
			emit_extfrag(m, z, pfn, order, cur, start_mt, MODEL_MT_MOVABLE);
			count_event(m, MODEL_SPB_FRAGMENT_STEALS, 1);
			return pfn;
		}
	}
	return MODEL_PFN_NONE;
}
