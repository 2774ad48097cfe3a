// SPDX-License-Identifier: MIT
/*
 * figures.c - the rows of the report's figure table: each a name (also the
 * JSON key under "figures", replay/report-schema.json) and where its value
 * comes from in a run: the engine's stats, a model counter, or the end
 * metrics.
 */
#include "session_internal.h"

#define ST(f) static uint64_t st_##f(const struct session_run *r) { return replay_stats(r->r)->f; }
#define CT(c) static uint64_t ct_##c(const struct session_run *r) { return model_counter(r->m, c); }
#define EN(f) static uint64_t en_##f(const struct session_run *r) { return r->end.f; }
ST(allocs) ST(model_failed) ST(kernel_failed) ST(kernel_failed_model_ok) ST(unmatched_frees)
ST(unmatched_free_pages) ST(grown_pages)
ST(partial_frees) ST(unseen_frees) ST(migrate_pairs) ST(model_migrations)
CT(MODEL_THP_FAULT_ALLOC) CT(MODEL_THP_FAULT_FALLBACK) CT(MODEL_EXTFRAG_CLAIM)
CT(MODEL_EXTFRAG_STEAL) CT(MODEL_EXTFRAG_FRAGMENTING) CT(MODEL_COMPACT_STALL)
CT(MODEL_COMPACT_SUCCESS) CT(MODEL_COMPACT_FAIL) CT(MODEL_COMPACT_DAEMON_WAKE)
CT(MODEL_PGMIGRATE_SUCCESS) CT(MODEL_COMPACT_CAPTURE) CT(MODEL_WMARK_BOOSTS)
CT(MODEL_EVACUATE_QUEUED) CT(MODEL_EVACUATE_DROPPED) CT(MODEL_EVACUATE_SKIPPED)
CT(MODEL_EVACUATE_MIGRATED) CT(MODEL_EVACUATE_FAILED) CT(MODEL_COMPACT_PROMOTED)
CT(MODEL_COMPACT_PROMOTED_SUCCESS) CT(MODEL_SPB_TAINTED) CT(MODEL_SPB_CLEANED)
CT(MODEL_SPB_CLAIMED_TAINTED) CT(MODEL_SPB_PACKED) CT(MODEL_SPB_FRAGMENT_STEALS)
CT(MODEL_SPB_DEFRAG_QUEUED) CT(MODEL_SPB_DEFRAG_RUNS) CT(MODEL_SPB_DEFRAG_PAGEBLOCKS)
CT(MODEL_SPB_DEFRAG_MIGRATED) CT(MODEL_SPB_DEFRAG_FAILED) CT(MODEL_SCAN_LISTS_SMALLEST)
CT(MODEL_SCAN_LISTS_CLAIM) CT(MODEL_SCAN_LISTS_STEAL) CT(MODEL_SCAN_SPBS_CLAIM)
CT(MODEL_SCAN_SPBS_PACK) CT(MODEL_SCAN_SPBS_FRAGMENT)
/* the closed loop's decisions, summed over the request classes */
#define CLS(f)                                                           \
	static uint64_t cls_##f(const struct session_run *r)             \
	{                                                                \
		uint64_t n = 0;                                          \
		for (int c = 0; c < REQ_NR_CLASSES; c++)                 \
			n += replay_stats(r->r)->cls[c].f;               \
		return n;                                                \
	}
CLS(lowered) CLS(lost) CLS(forced) CLS(kept) CLS(absorbed) CLS(returned_pages)
EN(free_pages) EN(free_pageblocks) EN(mixed_pageblocks) EN(tainted_pageblocks)
EN(tainted_ranges_1g) EN(free_ranges_1g) EN(ranges_1g) EN(movable_ranges_1g) EN(spbs)
EN(tainted_spbs) EN(free_spbs)
static uint64_t en_pb_unmovable(const struct session_run *r) { return r->end.pageblocks_mt[MODEL_MT_UNMOVABLE]; }
static uint64_t en_pb_movable(const struct session_run *r) { return r->end.pageblocks_mt[MODEL_MT_MOVABLE]; }
static uint64_t en_pb_reclaimable(const struct session_run *r) { return r->end.pageblocks_mt[MODEL_MT_RECLAIMABLE]; }
static uint64_t en_unusable9(const struct session_run *r) { return (uint64_t)(int64_t)r->end.unusable_index[9]; }
static uint64_t en_frag9(const struct session_run *r) { return (uint64_t)(int64_t)r->end.frag_index[9]; }

const struct session_figure session_figures[] = {
	{ "requests replayed", st_allocs },
	{ "model-only failures", st_model_failed },
	{ "kernel failures", st_kernel_failed },
	{ "  of which the model served", st_kernel_failed_model_ok },
	{ "closed loop: served at lower orders", cls_lowered },
	{ "closed loop: not served at any order", cls_lost },
	{ "closed loop: forced past watermarks", cls_forced },
	{ "closed loop: kernel failures kept", cls_kept },
	{ "  fallbacks absorbed into them", cls_absorbed },
	{ "  pages returned unclaimed", cls_returned_pages },
	{ "unmatched frees", st_unmatched_frees },
	{ "  their pages", st_unmatched_free_pages },
	{ "zone growth (pages)", st_grown_pages },
	{ "partial frees (split blocks)", st_partial_frees },
	{ "frees not recorded (inferred)", st_unseen_frees },
	{ "kernel migrations followed", st_migrate_pairs },
	{ "THP faults allocated", ct_MODEL_THP_FAULT_ALLOC },
	{ "THP fault fallbacks", ct_MODEL_THP_FAULT_FALLBACK },
	{ "fallbacks: claimed blocks", ct_MODEL_EXTFRAG_CLAIM },
	{ "fallbacks: stolen pages", ct_MODEL_EXTFRAG_STEAL },
	{ "fallbacks below pageblock order", ct_MODEL_EXTFRAG_FRAGMENTING },
	{ "watermark boosts", ct_MODEL_WMARK_BOOSTS },
	{ "compact_stall", ct_MODEL_COMPACT_STALL },
	{ "compact_success", ct_MODEL_COMPACT_SUCCESS },
	{ "compact_fail", ct_MODEL_COMPACT_FAIL },
	{ "compact_daemon_wake", ct_MODEL_COMPACT_DAEMON_WAKE },
	{ "pgmigrate_success", ct_MODEL_PGMIGRATE_SUCCESS },
	{ "model migrations (compaction)", st_model_migrations },
	{ "captured blocks", ct_MODEL_COMPACT_CAPTURE },
	{ "compactions promoted to pageblock order", ct_MODEL_COMPACT_PROMOTED },
	{ "  of which served the request", ct_MODEL_COMPACT_PROMOTED_SUCCESS },
	{ "evacuations queued", ct_MODEL_EVACUATE_QUEUED },
	{ "evacuations dropped (pool empty)", ct_MODEL_EVACUATE_DROPPED },
	{ "evacuations skipped (movable again)", ct_MODEL_EVACUATE_SKIPPED },
	{ "pages migrated by evacuation", ct_MODEL_EVACUATE_MIGRATED },
	{ "evacuation migrations failed (pages)", ct_MODEL_EVACUATE_FAILED },
	{ "end: free pages", en_free_pages },
	{ "end: free pageblocks", en_free_pageblocks },
	{ "end: unusable free index, order 9", en_unusable9, true },
	{ "end: fragmentation index, order 9", en_frag9, true },
	{ "end: pageblocks unmovable", en_pb_unmovable },
	{ "end: pageblocks movable", en_pb_movable },
	{ "end: pageblocks reclaimable", en_pb_reclaimable },
	{ "end: mixed pageblocks", en_mixed_pageblocks },
	{ "end: tainted pageblocks", en_tainted_pageblocks },
	{ "end: free 1 GiB ranges", en_free_ranges_1g },
	{ "end: tainted 1 GiB ranges", en_tainted_ranges_1g },
	{ "end: 1 GiB ranges", en_ranges_1g },
	{ "end: 1 GiB ranges free after migrating movable pages", en_movable_ranges_1g },
	{ "end: superpageblocks", en_spbs },
	{ "end: tainted superpageblocks", en_tainted_spbs },
	{ "end: free superpageblocks (1 GiB pages now)", en_free_spbs },
	{ "superpageblocks tainted", ct_MODEL_SPB_TAINTED },
	{ "superpageblocks cleaned", ct_MODEL_SPB_CLEANED },
	{ "11/40 claims in tainted SPBs", ct_MODEL_SPB_CLAIMED_TAINTED },
	{ "12/40 movable requests packed", ct_MODEL_SPB_PACKED },
	{ "19/40 fragments taken in tainted SPBs", ct_MODEL_SPB_FRAGMENT_STEALS },
	{ "15/40 SPBs queued for defrag", ct_MODEL_SPB_DEFRAG_QUEUED },
	{ "15/40 defrag runs", ct_MODEL_SPB_DEFRAG_RUNS },
	{ "15/40 pageblocks evacuated", ct_MODEL_SPB_DEFRAG_PAGEBLOCKS },
	{ "15/40 pages migrated", ct_MODEL_SPB_DEFRAG_MIGRATED },
	{ "15/40 migrations failed (pages)", ct_MODEL_SPB_DEFRAG_FAILED },
	{ "search: free lists, __rmqueue_smallest", ct_MODEL_SCAN_LISTS_SMALLEST },
	{ "search: free lists, claim", ct_MODEL_SCAN_LISTS_CLAIM },
	{ "search: free lists, steal", ct_MODEL_SCAN_LISTS_STEAL },
	{ "search: SPBs, 11/40 claim", ct_MODEL_SCAN_SPBS_CLAIM },
	{ "search: SPBs, 12/40 pack", ct_MODEL_SCAN_SPBS_PACK },
	{ "search: SPBs, 19/40 fragments", ct_MODEL_SCAN_SPBS_FRAGMENT },
};
const size_t session_nr_figures = sizeof(session_figures) / sizeof(session_figures[0]);
