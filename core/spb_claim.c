/* SPDX-License-Identifier: MIT */
/*
 * spb_claim.c - RFC PATCH 11/40 of Rik van Riel's "mm: reliable 1GB page
 * allocation" (May 2026), knobs spb_claim and spb_claim_scan: a non-movable
 * request that must fall back claims a pageblock in a superpageblock that is
 * already tainted before it taints a clean one.
 *
 * The model: before __rmqueue_claim()'s own walk, the tainted SPBs are
 * looked at fullest first (the review quotes __rmqueue_sb_find_fallback()
 * walking spb_lists[SB_TAINTED][full] from SB_FULL), at most spb_claim_scan
 * of them (8, the patch's bound); in each, the fallback orders from
 * MAX_PAGE_ORDER down and the fallback types in fallbacks[] order, with
 * should_try_claim_block() and try_to_claim_block() as the zone-wide walk
 * uses them. The first claim that succeeds wins; none: the zone-wide walk
 * runs as in vanilla (and may taint a clean SPB). Each per-SPB (order, type)
 * list looked at counts as a list head of the claim path.
 */
#include "model_internal.h"

/* __rmqueue_sb_find_fallback(), tainted SPBs only */
uint64_t spb_rmqueue_claim(struct model *m, struct mzone *z, unsigned int order, int start_mt,
			   unsigned int alloc_flags)
{
	int min_order = (int)order;
	long budget = m->knobs[MODEL_KNOB_SPB_CLAIM_SCAN];

	if (!m->knobs[MODEL_KNOB_SPB_CLAIM] || start_mt >= MODEL_NR_PCPTYPES)
		return MODEL_PFN_NONE;
	if (order < m->pageblock_order && nofrag(m, alloc_flags))
		min_order = (int)m->pageblock_order;
	for (uint32_t sb = spb_iter_next(m, SPB_TAINTED, NIL); sb != NIL && budget--;
	     sb = spb_iter_next(m, SPB_TAINTED, sb)) {
		count_event(m, MODEL_SCAN_SPBS_CLAIM, 1);
		if (!m->spb[sb].free_pages)
			continue;
		for (int cur = (int)m->max_order; cur >= min_order; cur--) {
			if (!should_try_claim_block(m, (unsigned int)cur, start_mt))
				break;
			for (int i = 0; i < MODEL_NR_PCPTYPES - 1; i++) {
				int fmt = fallbacks[start_mt][i];

				count_event(m, MODEL_SCAN_LISTS_CLAIM, 1);
				uint64_t pfn = spb_first_free(m, z, sb, (unsigned int)cur, fmt);
				if (pfn == MODEL_PFN_NONE)
					continue;
				pfn = try_to_claim_block(m, z, pfn, (unsigned int)cur, order,
							 start_mt, fmt, alloc_flags);
				if (pfn == MODEL_PFN_NONE)
					continue;
				emit_extfrag(m, z, pfn, order, (unsigned int)cur, start_mt, fmt);
				count_event(m, MODEL_SPB_CLAIMED_TAINTED, 1);
				return pfn;
			}
		}
	}
	return MODEL_PFN_NONE;
}
