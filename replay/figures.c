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
ST(unmatched_free_pages) ST(grown_pages) ST(compaction_released_pages) ST(untraced_alloc_free_pages)
ST(partial_frees) ST(unseen_frees) ST(migrate_pairs) ST(model_migrations)
ST(unpaired_source_pages)
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
CT(MODEL_SCAN_SPBS_PACK) CT(MODEL_SCAN_SPBS_FRAGMENT) CT(MODEL_SCAN_SPBS_CONTIG)
CT(MODEL_SCAN_RANGES_CONTIG) CT(MODEL_SPB_CONTIG_TRIES) CT(MODEL_SPB_CONTIG_TAKEN)
CT(MODEL_SPB_CONTIG_MIGRATED) CT(MODEL_SPB_EVAC_TRIES) CT(MODEL_SPB_EVAC_SERVED)
CT(MODEL_SPB_EVAC_MIGRATED)
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
	{ "requests_replayed", "requests replayed", st_allocs, FIG_REQ },
	{ "model_failed", "model-only failures", st_model_failed, FIG_REQ },
	{ "kernel_failed", "kernel failures", st_kernel_failed, FIG_REQ },
	{ "kernel_failed_model_served", "  of which the model served", st_kernel_failed_model_ok, FIG_REQ },
	{ "closed_loop_lowered", "closed loop: served lower", cls_lowered, FIG_LOOP },
	{ "closed_loop_lost", "closed loop: not served", cls_lost, FIG_LOOP },
	{ "closed_loop_forced", "closed loop: forced", cls_forced, FIG_LOOP },
	{ "closed_loop_kept", "closed loop: kernel fails kept", cls_kept, FIG_LOOP },
	{ "closed_loop_absorbed", "  fallbacks absorbed", cls_absorbed, FIG_LOOP },
	{ "closed_loop_returned_pages", "  pages returned unclaimed", cls_returned_pages, FIG_LOOP },
	{ "unmatched_frees", "unmatched frees", st_unmatched_frees, FIG_REQ },
	{ "unmatched_free_pages", "  their pages", st_unmatched_free_pages, FIG_REQ },
	{ "zone_growth_pages", "zone growth (pages)", st_grown_pages, FIG_REQ },
	{ "compaction_released_pages", "compaction's unused free pages", st_compaction_released_pages, FIG_REQ },
	{ "untraced_alloc_free_pages", "frees after untraced allocations", st_untraced_alloc_free_pages, FIG_REQ },
	{ "partial_frees", "partial frees (splits)", st_partial_frees, FIG_REQ },
	{ "unseen_frees", "frees inferred", st_unseen_frees, FIG_REQ },
	{ "kernel_migrations_followed", "kernel migrations followed", st_migrate_pairs, FIG_REQ },
	{ "kernel_migrations_unpaired", "  unpaired, kept (pages)", st_unpaired_source_pages, FIG_REQ },
	{ "thp_fault_alloc", "thp_fault_alloc", ct_MODEL_THP_FAULT_ALLOC, FIG_THP },
	{ "thp_fault_fallback", "thp_fault_fallback", ct_MODEL_THP_FAULT_FALLBACK, FIG_THP },
	{ "extfrag_claim", "fallbacks: claimed blocks", ct_MODEL_EXTFRAG_CLAIM, FIG_FRAG },
	{ "extfrag_steal", "fallbacks: stolen pages", ct_MODEL_EXTFRAG_STEAL, FIG_FRAG },
	{ "extfrag_fragmenting", "fallbacks < pageblock order", ct_MODEL_EXTFRAG_FRAGMENTING, FIG_FRAG },
	{ "watermark_boosts", "watermark boosts", ct_MODEL_WMARK_BOOSTS, FIG_COST },
	{ "compact_stall", "compact_stall", ct_MODEL_COMPACT_STALL, FIG_COST },
	{ "compact_success", "compact_success", ct_MODEL_COMPACT_SUCCESS, FIG_COST },
	{ "compact_fail", "compact_fail", ct_MODEL_COMPACT_FAIL, FIG_COST },
	{ "compact_daemon_wake", "compact_daemon_wake", ct_MODEL_COMPACT_DAEMON_WAKE, FIG_COST },
	{ "pgmigrate_success", "pgmigrate_success", ct_MODEL_PGMIGRATE_SUCCESS, FIG_COST },
	{ "compaction_migrations", "model migrations (compact)", st_model_migrations, FIG_COST },
	{ "compact_capture", "captured blocks", ct_MODEL_COMPACT_CAPTURE, FIG_COST },
	{ "compact_promoted", "compactions promoted", ct_MODEL_COMPACT_PROMOTED, FIG_COST },
	{ "compact_promoted_success", "  of which served", ct_MODEL_COMPACT_PROMOTED_SUCCESS, FIG_COST },
	{ "evacuate_queued", "evacuations queued", ct_MODEL_EVACUATE_QUEUED, FIG_COST },
	{ "evacuate_dropped", "evacuations dropped", ct_MODEL_EVACUATE_DROPPED, FIG_COST },
	{ "evacuate_skipped", "evacuations skipped", ct_MODEL_EVACUATE_SKIPPED, FIG_COST },
	{ "evacuate_migrated", "pages evacuated", ct_MODEL_EVACUATE_MIGRATED, FIG_COST },
	{ "evacuate_failed", "evacuation failures (pages)", ct_MODEL_EVACUATE_FAILED, FIG_COST },
	{ "end_free_pages", "end: free pages", en_free_pages, FIG_END },
	{ "end_free_pageblocks", "end: free pageblocks", en_free_pageblocks, FIG_END },
	{ "end_unusable_index_9", "end: unusable index 9", en_unusable9, FIG_END, true },
	{ "end_fragmentation_index_9", "end: extfrag index 9", en_frag9, FIG_END, true },
	{ "end_pageblocks_unmovable", "end: pageblocks unmovable", en_pb_unmovable, FIG_END },
	{ "end_pageblocks_movable", "end: pageblocks movable", en_pb_movable, FIG_END },
	{ "end_pageblocks_reclaimable", "end: pageblocks reclaimable", en_pb_reclaimable, FIG_END },
	{ "end_mixed_pageblocks", "end: mixed pageblocks", en_mixed_pageblocks, FIG_END },
	{ "end_tainted_pageblocks", "end: tainted pageblocks", en_tainted_pageblocks, FIG_END },
	{ "end_free_ranges_1g", "end: free 1 GiB ranges", en_free_ranges_1g, FIG_END },
	{ "end_tainted_ranges_1g", "end: tainted 1 GiB ranges", en_tainted_ranges_1g, FIG_END },
	{ "end_ranges_1g", "end: 1 GiB ranges", en_ranges_1g, FIG_END },
	{ "end_movable_ranges_1g", "end: 1 GiB free if migrated", en_movable_ranges_1g, FIG_END },
	{ "end_spbs", "end: superpageblocks", en_spbs, FIG_END },
	{ "end_tainted_spbs", "end: tainted SPBs", en_tainted_spbs, FIG_END },
	{ "end_free_spbs", "end: free SPBs (1 GiB pages)", en_free_spbs, FIG_END },
	{ "spb_tainted", "SPBs tainted", ct_MODEL_SPB_TAINTED, FIG_FRAG },
	{ "spb_cleaned", "SPBs cleaned", ct_MODEL_SPB_CLEANED, FIG_FRAG },
	{ "spb_claims_tainted", "11/40 claims in tainted SPBs", ct_MODEL_SPB_CLAIMED_TAINTED, FIG_FRAG },
	{ "spb_packed", "12/40 movable packed", ct_MODEL_SPB_PACKED, FIG_FRAG },
	{ "spb_fragment_steals", "19/40 fragments taken", ct_MODEL_SPB_FRAGMENT_STEALS, FIG_FRAG },
	{ "spb_defrag_queued", "15/40 SPBs queued", ct_MODEL_SPB_DEFRAG_QUEUED, FIG_COST },
	{ "spb_defrag_runs", "15/40 defrag runs", ct_MODEL_SPB_DEFRAG_RUNS, FIG_COST },
	{ "spb_defrag_pageblocks", "15/40 pageblocks evacuated", ct_MODEL_SPB_DEFRAG_PAGEBLOCKS, FIG_COST },
	{ "spb_defrag_migrated", "15/40 pages migrated", ct_MODEL_SPB_DEFRAG_MIGRATED, FIG_COST },
	{ "spb_defrag_failed", "15/40 failed (pages)", ct_MODEL_SPB_DEFRAG_FAILED, FIG_COST },
	{ "spb_contig_tries", "17/40 contig tries", ct_MODEL_SPB_CONTIG_TRIES, FIG_COST },
	{ "spb_contig_taken", "17/40 contig ranges taken", ct_MODEL_SPB_CONTIG_TAKEN, FIG_FRAG },
	{ "spb_contig_migrated", "17/40 contig pages migrated", ct_MODEL_SPB_CONTIG_MIGRATED, FIG_COST },
	{ "spb_evac_tries", "17/40 evacuation tries", ct_MODEL_SPB_EVAC_TRIES, FIG_COST },
	{ "spb_evac_served", "17/40 served after evacuation", ct_MODEL_SPB_EVAC_SERVED, FIG_FRAG },
	{ "spb_evac_migrated", "17/40 evacuated pages", ct_MODEL_SPB_EVAC_MIGRATED, FIG_COST },
	{ "scan_lists_smallest", "search: lists, smallest", ct_MODEL_SCAN_LISTS_SMALLEST, FIG_COST },
	{ "scan_lists_claim", "search: lists, claim", ct_MODEL_SCAN_LISTS_CLAIM, FIG_COST },
	{ "scan_lists_steal", "search: lists, steal", ct_MODEL_SCAN_LISTS_STEAL, FIG_COST },
	{ "scan_spbs_claim", "search: SPBs, 11/40", ct_MODEL_SCAN_SPBS_CLAIM, FIG_COST },
	{ "scan_spbs_pack", "search: SPBs, 12/40", ct_MODEL_SCAN_SPBS_PACK, FIG_COST },
	{ "scan_spbs_fragment", "search: SPBs, 19/40", ct_MODEL_SCAN_SPBS_FRAGMENT, FIG_COST },
	{ "scan_spbs_contig", "search: SPBs, 17/40", ct_MODEL_SCAN_SPBS_CONTIG, FIG_COST },
	{ "scan_ranges_contig", "search: ranges, 17/40", ct_MODEL_SCAN_RANGES_CONTIG, FIG_COST },
};
const size_t session_nr_figures = sizeof(session_figures) / sizeof(session_figures[0]);
