/* SPDX-License-Identifier: MIT */
/*
 * spb_pack.c - RFC PATCH 12/40 of Rik van Riel's "mm: reliable 1GB page
 * allocation" (May 2026), knobs spb_pack and spb_pack_scan: a movable
 * request takes its pages from the fullest clean superpageblock, so that
 * movable memory packs into few SPBs and the others stay wholly free.
 *
 * The model: __rmqueue_smallest() for MIGRATE_MOVABLE first looks at the
 * clean SPBs fullest first, at most spb_pack_scan (8) of them, and in each
 * at the MOVABLE lists from the request's order up; the first block found is
 * taken (split as __rmqueue_smallest() splits). None: the zone-wide lists, as
 * in vanilla. Each per-SPB list looked at counts as a list head of
 * __rmqueue_smallest(). Left out: 12/40's pcp refills of whole pageblocks.
 */
#include "model_internal.h"

uint64_t spb_pack_pick(struct model *m, const struct mzone *z, unsigned int order,
		       unsigned int *found_order)
{
	long budget = m->knobs[MODEL_KNOB_SPB_PACK_SCAN];

	for (uint32_t sb = spb_iter_next(m, SPB_CLEAN, NIL); sb != NIL && budget--;
	     sb = spb_iter_next(m, SPB_CLEAN, sb)) {
		count_event(m, MODEL_SCAN_SPBS_PACK, 1);
		if (m->spb[sb].free_pages < 1ull << order)
			continue;
		for (unsigned int o = order; o <= m->max_order; o++) {
			count_event(m, MODEL_SCAN_LISTS_SMALLEST, 1);
			uint64_t pfn = spb_first_free(m, z, sb, o, MODEL_MT_MOVABLE);
			if (pfn != MODEL_PFN_NONE) {
				*found_order = o;
				count_event(m, MODEL_SPB_PACKED, 1);
				return pfn;
			}
		}
	}
	return MODEL_PFN_NONE;
}
