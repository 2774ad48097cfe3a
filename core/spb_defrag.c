/* SPDX-License-Identifier: MIT */
/*
 * spb_defrag.c - RFC PATCH 15/40 of Rik van Riel's "mm: reliable 1GB page
 * allocation" (May 2026), knobs spb_defrag, spb_defrag_latency_us and
 * spb_defrag_cooldown_ms: 06/40's global pool of evacuation items
 * (evacuate.c) gives way to a defrag worker per superpageblock. A tainted SPB
 * that is running out of room for non-movable claims (at most 1 free
 * pageblock, or under 2 pageblocks' worth of free pages) has its MOVABLE
 * pageblocks evacuated until it has room again (2 free pageblocks, or 3
 * pageblocks' worth of free pages) or no movable pageblock is left. Clean
 * SPBs are never defragmented.
 *
 * The model: an SPB is queued when its bookkeeping changes (spb.c's
 * spb_update_list(), where the review says the patch triggers) and the rule
 * holds; the worker starts spb_defrag_latency_us later on the trace clock,
 * as evacuate's does, re-checks the rule, and evacuates the SPB's MOVABLE
 * pageblocks in pfn order with 06/40's machinery (evacuate_block(): async
 * migration in batches of 32, targets from the ordinary allocator, which
 * under spb_pack prefers clean SPBs), checking the stop rule before each.
 * Due SPBs run in SPB order. A run that ends short of its goal keeps the SPB
 * from being queued again for spb_defrag_cooldown_ms (the review mentions
 * cooldown gates; their values were not available to us). A run takes no
 * trace time.
 */
#include "model_internal.h"

/* spb_needs_defrag() */
static bool spb_needs_defrag(const struct model *m, const struct spb *sb)
{
	return sb->category == SPB_TAINTED &&
	       (sb->nr[SPB_FREE] <= 1 || sb->free_pages < 2 * m->pageblock_nr_pages);
}

static bool spb_defrag_goal_met(const struct model *m, const struct spb *sb)
{
	return sb->nr[SPB_FREE] >= 2 || sb->free_pages >= 3 * m->pageblock_nr_pages ||
	       !sb->nr[SPB_MOVABLE];
}

/* spb_maybe_start_defrag(): queue the SPB's work unless queued or cooling down */
void spb_defrag_consider(struct model *m, struct spb *sb)
{
	if (sb->defrag_queued || m->now_ns < sb->defrag_quiet_until_ns ||
	    !spb_needs_defrag(m, sb) || !sb->nr[SPB_MOVABLE])
		return;
	sb->defrag_queued = true;
	sb->defrag_due_ns = m->now_ns + (uint64_t)m->knobs[MODEL_KNOB_SPB_DEFRAG_LATENCY_US] * 1000;
	m->spb_defrag_queued++;
	count_event(m, MODEL_SPB_DEFRAG_QUEUED, 1);
}

/* the SPB's work function */
static void spb_defrag_run(struct model *m, uint32_t i)
{
	struct spb *sb = &m->spb[i];
	uint64_t start = m->spb_base + ((uint64_t)i << m->spb_shift);
	uint64_t end = start + (1ull << m->spb_shift);

	if (spb_needs_defrag(m, sb)) {
		count_event(m, MODEL_SPB_DEFRAG_RUNS, 1);
		for (uint64_t pfn = start < m->pb_base ? m->pb_base : start;
		     pfn < end && pfn < m->node_end && !spb_defrag_goal_met(m, sb);
		     pfn += m->pageblock_nr_pages) {
			if (pb_mt(m, pfn) != MODEL_MT_MOVABLE || (*pb_byte(m, pfn) & PB_SPB_FREE) ||
			    !pfn_zone(m, pfn))
				continue;
			if (evacuate_block(m, pfn, 0, false, MODEL_SPB_DEFRAG_MIGRATED,
					   MODEL_SPB_DEFRAG_FAILED))
				count_event(m, MODEL_SPB_DEFRAG_PAGEBLOCKS, 1);
		}
		if (!spb_defrag_goal_met(m, sb))
			sb->defrag_quiet_until_ns = m->now_ns +
				(uint64_t)m->knobs[MODEL_KNOB_SPB_DEFRAG_COOLDOWN_MS] * 1000000;
	}
	sb->defrag_queued = false;
	m->spb_defrag_queued--;
}

void spb_defrag_tick(struct model *m)
{
	for (uint32_t i = 0; m->spb_defrag_queued && i < m->nr_spb; i++)
		if (m->spb[i].defrag_queued && m->spb[i].defrag_due_ns <= m->now_ns)
			spb_defrag_run(m, i);
}
