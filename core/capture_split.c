/* SPDX-License-Identifier: MIT */
/*
 * capture_split.c - the capture-split variant: Johannes Weiner's four-patch
 * series "mm: fix reclaim storms in defrag_mode" (2026), read as its v2
 * stands in the linux-mm tree. Knobs capture_split (on/off) and
 * capture_order; the capture-split preset also sets defrag_mode, without
 * which the series changes nothing (it acts under ALLOC_NOFRAGMENT).
 *
 * Every rule of the series that the model carries is here;
 * __alloc_pages_direct_compact() (alloc.c) and suitable_migration_source()
 * (compaction.c) call them:
 *
 *   4/4  a non-movable request under ALLOC_NOFRAGMENT compacts at
 *        max(order, pageblock_order), order 0 included; deferral is keyed on
 *        that order, the allocation after compaction is at the request's
 *   3/4  the capture_control lives in the allocator and keeps the request's
 *        own order and migratetype, so a capture hands out exactly what was
 *        asked for (capture_order=0); capture_order=1 leaves 3/4 out: the
 *        capture is at compaction's order, and the block is cut down for
 *        the request (trim_capture())
 *   2/4  async direct compaction at pageblock order or more scans movable
 *        (and CMA) blocks whatever the request's type: it makes whole free
 *        blocks, which the allocator then claims and converts
 *
 * Not modelled: 4/4's direct reclaim at the promoted order (the model has
 * no reclaim).
 */
#include "model_internal.h"

/*
 * compact_order of __alloc_pages_direct_compact() (4/4), and the capture
 * order (3/4): @capc holds the request's order and migratetype. Returns the
 * order compaction runs at; @capc->order is left at the request's order,
 * or raised to compaction's under capture_order=1.
 */
unsigned int capture_split_compact_order(const struct model *m, unsigned int alloc_flags,
					 struct capture_control *capc)
{
	if (capc->migratetype == MODEL_MT_MOVABLE || capc->order >= m->pageblock_order ||
	    !nofrag(m, alloc_flags) || !knob(m, MODEL_KNOB_CAPTURE_SPLIT))
		return capc->order;
	if (knob(m, MODEL_KNOB_CAPTURE_ORDER))
		capc->order = m->pageblock_order;
	return m->pageblock_order;
}

/*
 * The block captured at compaction's own order for a smaller request
 * (capture_order=1): the request keeps its first 2^order pages, the rest
 * goes back through the free path, on lists of the pageblock's type.
 */
void trim_capture(struct model *m, uint64_t pfn, unsigned int high, unsigned int order)
{
	struct mzone *z = pfn_zone(m, pfn);
	int mobility = pg(m, pfn)->mt;

	for (uint64_t p = pfn; p < pfn + (1ull << high); p += 1ull << order)
		mark_allocated(m, p, order, mobility);
	for (uint64_t p = pfn + (1ull << order); p < pfn + (1ull << high); p += 1ull << order)
		free_one_page(m, z, p, order, false);
}

/* suitable_migration_source() under 2/4: whole-block production takes movable blocks */
bool capture_split_movable_source(const struct model *m, const struct compact_control *cc)
{
	return cc->order >= (int)m->pageblock_order && knob(m, MODEL_KNOB_CAPTURE_SPLIT);
}
