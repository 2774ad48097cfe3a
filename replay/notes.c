// SPDX-License-Identifier: MIT
/*
 * notes.c - the caveats every report carries, so that no replay goes wrong
 * in silence: what the recording said of itself (STATS "notes", lost
 * events), how good its start state is (the snapshot header), what an
 * import could not measure (the metadata), and where a run parted from the
 * kernel by more than a replay should (model-only failures, unmatched frees,
 * traffic outside the modelled node).
 */
#include <inttypes.h>
#include <string.h>

#include <jansson.h>

#include "notes.h"

void replay_recording_notes(json_t *notes, const char *stats_json)
{
	json_t *stats, *n;
	json_int_t lost;
	size_t i;

	if (!stats_json)
		return;
	stats = json_loads(stats_json, 0, NULL);
	if (!stats) {
		json_array_append_new(notes, json_string("recorded: the STATS frame is not JSON"));
		return;
	}
	json_array_foreach(json_object_get(stats, "notes"), i, n)
		if (json_is_string(n))
			json_array_append_new(notes, json_sprintf("recorded: %s",
								  json_string_value(n)));
	lost = json_integer_value(json_object_get(stats, "lost_total"));
	if (lost > 0)
		json_array_append_new(notes, json_sprintf(
			"recorded: %lld events were lost (ring buffer full): the model misses "
			"their requests and frees", (long long)lost));
	json_decref(stats);
}

void replay_trace_notes(json_t *notes, const struct replay_seed_stats *seed,
			const char *meta_json)
{
	json_t *meta = json_loads(meta_json, 0, NULL), *a, *v;
	size_t i;

	/* what record knew when it started: tracepoints left out, slower attachments */
	json_array_foreach(json_object_get(meta, "notes"), i, v)
		if (json_is_string(v))
			json_array_append_new(notes, json_sprintf("recorded: %s", json_string_value(v)));

	if (!seed->empty_start && !strcmp(seed->source, "kpageflags"))
		json_array_append_new(notes, json_sprintf(
			"the start snapshot was read from /proc/kpageflags, not struct page (BPF: "
			"%s): free-list migratetypes and slab mobility are guessed", seed->why_not_bpf));
	else if (!seed->empty_start && !strcmp(seed->source, "pagetypeinfo"))
		json_array_append_new(notes, json_string(
			"the start snapshot was placed from /proc/pagetypeinfo's counts (a snapshot "
			"directory without kpageflags): where free blocks and allocations sat is "
			"approximate"));
	if (seed->fit_failed)
		json_array_append_new(notes, json_sprintf(
			"the start snapshot is %.2f%% off /proc/pagetypeinfo or zoneinfo in zone %s "
			"(the fit aims for 1%%): the start free lists are approximate", seed->fit_pct,
			seed->fit_zone));
	/* the walk raced the host (firsttouch.h): said above a thousandth of the
	 * pages seeded, so that a few pages moving is not a caveat */
	const struct first_touch_counts *rc = &seed->reconciled;
	uint64_t moved = rc->to_free + rc->to_pcp + rc->to_alloc;
	if (moved && moved * 1000 > seed->free_pages + seed->allocated_pages)
		json_array_append_new(notes, json_sprintf(
			"the start snapshot and the trace disagree on %" PRIu64 " pages (%s); seeded as "
			"the trace's first event on each says (start_from_trace): %" PRIu64 " the walk "
			"read as allocated were first taken from the buddy lists, so free%s",
			moved, seed->walk_timed ? "mostly pages on pcp lists, which the walk writes "
			"as allocated; the snapshot has read times, so the first event after the walk "
			"read a page says what it was" : "the walk ran while the host allocated and "
			"freed, before capture switched on", rc->to_free,
			rc->to_pcp + rc->to_alloc ? "; others as the first free or pcp use says" : ""));
	if (seed->hotplug_pfns)
		json_array_append_new(notes, json_sprintf(
			"memory hotplug: the end snapshot shows node 0 with %" PRIu64 " pfns more "
			"than the start: %s. The model holds them from the start, not present, and "
			"grows its zones as the kernel's frees online them (online_pages()); the "
			"watermarks and lowmem reserves online_pages() recomputes stay the start's "
			"(an added zone's are the end's)", seed->hotplug_pfns, seed->hotplug_zones));
	if (seed->unplug_pfns)
		json_array_append_new(notes, json_sprintf(
			"memory hot-removal: the end snapshot shows node 0 with %" PRIu64 " pfns fewer "
			"than the start: %s. offline_pages() migrates what is in use out of them "
			"(mm_migrate_pages_start, reason memory_hotplug) and takes the free pages "
			"off the lists with no event; at the first such migration the model takes "
			"the same pageblocks out (its pages there moved first)",
			seed->unplug_pfns, seed->unplug_zones));
	/* setup.c models node 0 alone: a NUMA host's other nodes are out of it */
	json_int_t pages[2] = { 0, 0 }, nodes = 0, seen = -1;
	json_array_foreach(json_object_get(meta, "zones"), i, v) {
		json_int_t node = json_integer_value(json_object_get(v, "node"));
		json_int_t managed = json_integer_value(json_object_get(v, "managed"));

		if (node != seen && node > 0)
			nodes++;
		seen = node;
		if (managed > 0)
			pages[node != 0] += managed;
	}
	if (nodes)
		json_array_append_new(notes, json_sprintf(
			"the host has NUMA nodes beside node 0 (%lld more; node 0 manages %lld of "
			"%lld pages): the model replays node 0 alone. Left out by pfn: the start "
			"snapshot's %" PRIu64 " pages on the other nodes (%" PRIu64 " of them free), "
			"their allocations and frees, and the kernel's fallbacks, pcp refills and "
			"drains, compaction runs and scans and served THP faults there, so that both "
			"sides count node 0. /proc/vmstat counts every node: its other compaction "
			"counters are not compared, and a failed allocation, which names no node, is replayed "
			"on node 0", (long long)nodes, (long long)pages[0],
			(long long)(pages[0] + pages[1]), seed->other_node_pages,
			seed->other_node_free_pages));
	a = json_object_get(json_object_get(meta, "imported"), "approximate");
	if (json_array_size(a)) {
		json_t *names = json_array();
		char *text;

		json_array_foreach(a, i, v)
			if (json_is_string(v))
				json_array_append(names, v);
		text = json_dumps(names, JSON_COMPACT);
		json_array_append_new(notes, json_sprintf(
			"imported from %s: not measured, approximated: %s",
			json_string_value(json_object_get(json_object_get(meta, "imported"), "from"))
				?: "text", text ? text : "?"));
		free(text);
		json_decref(names);
	}
	json_decref(meta);
}

void replay_start_gap_note(json_t *notes, const struct replay_seed_stats *seed,
			   const struct replay_stats *st)
{
	/* said where it explains a caveat already said: unmatched frees */
	if (seed->empty_start || seed->walk_timed || !st->events ||
	    st->first_ts <= seed->snapshot_ts + 10 * 1000 * 1000ull ||
	    st->unmatched_free_pages * 200 <= st->freed_pages)
		return;
	json_array_append_new(notes, json_sprintf(
		"the trace's first event came %.2f s after the start snapshot's walk began: its "
		"recorder switched capture on only after the snapshot was written (format before "
		"1.2), so what the host allocated and freed in between is in neither, and a free "
		"of a page allocated then is an unmatched free (%.2f%% of the pages freed, first "
		"run). fragreplay record captures through the walk since format 1.2",
		(double)(st->first_ts - seed->snapshot_ts) / 1e9,
		st->freed_pages ? 100.0 * (double)st->unmatched_free_pages / (double)st->freed_pages
				: 0.0));
}

void replay_run_notes(json_t *notes, const char *label, const struct replay_stats *st)
{
	uint64_t requests = st->allocs + st->kernel_failed;

	if (st->grow_frees)
		json_array_append_new(notes, json_sprintf(
			"%s: the zones grew by %" PRIu64 " pages (%" PRIu64 " frees into memory the "
			"start snapshot shows as not managed: deferred struct page init, hotplug or "
			"freed reserved memory) between t=%.3f s and t=%.3f s; the model grew with "
			"them", label, st->grown_pages, st->grow_frees,
			(st->first_grow_ts - st->first_ts) / 1e9, (st->last_grow_ts - st->first_ts) / 1e9));

	/* DESIGN.md, replay health: above these a replay is not measuring the
	 * policy. A model-only failure the closed loop served at the caller's
	 * lower orders is the policy at work; one it could not serve at all is not */
	uint64_t lost = 0;
	for (int c = 0; c < REQ_NR_CLASSES; c++)
		lost += st->cls[c].lost;
	if (lost * 1000 > requests) {
		char orders[256] = "";
		size_t n = 0;

		for (unsigned int o = 0; o < MODEL_NR_ORDERS && n < sizeof(orders); o++)
			if (st->model_failed_by_order[o])
				n += (size_t)snprintf(orders + n, sizeof(orders) - n, "%s%" PRIu64
						      " at order %u", n ? ", " : "",
						      st->model_failed_by_order[o], o);
		json_array_append_new(notes, json_sprintf(
			"%s: %" PRIu64 " of %" PRIu64 " requests (%.2f%%, above 0.1%%) failed in the "
			"model where the kernel served them (%s; %" PRIu64 " not served at any "
			"order): the model ran short where the kernel did not", label,
			st->model_failed, requests, 100.0 * st->model_failed / requests, orders, lost));
	}
	uint64_t kept = 0, absorbed = 0;
	for (int c = 0; c < REQ_NR_CLASSES; c++) {
		kept += st->cls[c].kept;
		absorbed += st->cls[c].absorbed;
	}
	if (kept && st->allocs_without_task)
		json_array_append_new(notes, json_sprintf(
			"%s: the trace has no task ids for %" PRIu64 " allocations, so the closed loop "
			"took a kept block's fallbacks (%" PRIu64 " requests onto %" PRIu64 " kept "
			"blocks) from the same CPU, not the same task", label, st->allocs_without_task,
			absorbed, kept));
	if (st->walk_reconciled || st->walk_straddling)
		json_array_append_new(notes, json_sprintf(
			"%s: %" PRIu64 " allocations, frees and migrations came while the start "
			"snapshot's walk ran, on pages it read after them: the snapshot shows them, "
			"so they were not replayed (its read times, FORMAT.md read_times); %" PRIu64
			" more were of blocks the walk read across them (their first page before, "
			"their last after): replayed. Of the walk's frees replayed, %" PRIu64
			" matched no block", label, st->walk_reconciled, st->walk_straddling,
			st->walk_unmatched));
	if (st->walk_end_skipped)
		json_array_append_new(notes, json_sprintf(
			"%s: %" PRIu64 " allocations, frees and migrations came on pages the end "
			"snapshot's walk had read already: the end snapshot does not show them, so "
			"the model's end, which validate compares with it, leaves them out too",
			label, st->walk_end_skipped));
	if (st->unplug_expected > st->unplugged_pages)
		json_array_append_new(notes, json_sprintf(
			"%s: of the %" PRIu64 " pages of memory the kernel hot-removed, the model "
			"took %" PRIu64 " out (%s): its end state counts the rest, which the "
			"kernel's no longer has", label, st->unplug_expected, st->unplugged_pages,
			st->unplug_busy ? "pages it could not move were in the way"
					: "the trace shows no migration for memory hotplug"));
	if (st->outside_model * 1000 > st->allocs + st->frees)
		json_array_append_new(notes, json_sprintf(
			"%s: %" PRIu64 " allocations and frees (%" PRIu64 " pages, %.2f%% of them, above "
			"0.1%%) were at pfns outside the model's zones (another NUMA node, or memory "
			"added past the start snapshot's span): the model did not see them, nor the "
			"%" PRIu64 " fallbacks, pcp refills and drains, compaction runs and scans the "
			"kernel recorded there", label, st->outside_model, st->outside_model_pages,
			100.0 * st->outside_model / (st->allocs + st->frees), st->recorded.outside));
	/* of the frees of memory the model held: a zone growth's frees (a 256 MiB
	 * DIMM onlined, 65,536 pages) would otherwise hide them (445 pages of
	 * 23,505 held, 1.9%, read as 0.50% of 89,041) */
	uint64_t held = st->freed_pages - st->grown_pages;
	if (st->untraced_alloc_free_pages * 200 > held)
		json_array_append_new(notes, json_sprintf(
			"%s: %" PRIu64 " frees (%" PRIu64 " pages, %.2f%% of the freed pages) were of "
			"pages the trace last saw free: allocations no tracepoint shows came between "
			"(alloc_pages_bulk(): vmalloc, page pools; or lost events). The model did "
			"not make them and is unchanged by their frees", label, st->untraced_alloc_frees,
			st->untraced_alloc_free_pages, 100.0 * st->untraced_alloc_free_pages / held));
	if (st->unmatched_free_pages * 200 > held)
		json_array_append_new(notes, json_sprintf(
			"%s: %" PRIu64 " frees (%" PRIu64 " pages, %.2f%% of the freed pages, above "
			"0.5%%) matched no block the model holds: memory the kernel had and the model "
			"did not", label, st->unmatched_frees, st->unmatched_free_pages,
			100.0 * st->unmatched_free_pages / held));
}
