/* SPDX-License-Identifier: MIT */
/*
 * setup.h - a model of the traced host, built from a trace: zones, knobs and
 * pcp sizes from the metadata (or the start snapshot's more recent zoneinfo),
 * the initial state from the start snapshot.
 */
#ifndef FRAGREPLAY_REPLAY_SETUP_H
#define FRAGREPLAY_REPLAY_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "firsttouch.h"
#include "model.h"

struct frt_reader;

/**
 * replay_desc_from_json - fill @d from a JSON object with the metadata's keys
 * (`zones`, `nr_cpus`, `pageblock_order`, `max_order`, `sysctls`): a trace's
 * metadata or a snapshot's part-0 header (which lacks nr_cpus: @d keeps its
 * value). Recorded watermarks, lowmem_reserve and pcp batch/high are used as
 * they are. Returns 0 or -EBADMSG with a reason in @err.
 */
int replay_desc_from_json(const char *json, struct model_desc *d, char *err, size_t errlen);

struct replay_seed_stats {
	uint64_t snapshot_ts;       /* ns, the start snapshot's walk */
	uint64_t free_pages;        /* seeded as free buddy blocks */
	uint64_t allocated_pages;   /* seeded as allocated, by mobility below */
	uint64_t allocated_mob[MODEL_NR_PCPTYPES];
	uint64_t unmanaged_pages;   /* reserved, holes, uninitialised memmap */
	uint64_t relisted_blocks;   /* free blocks whose list disagreed with their pageblock */
	uint64_t merged_blocks;     /* free buddies the snapshot caught unmerged */
	/* pages seeded as the trace's first event on them says, not as the
	 * snapshot shows them (firsttouch.h); free_pages (pcp pages included)
	 * and allocated_pages above count them so */
	struct first_touch_counts reconciled;
	bool walk_timed;            /* the start snapshot has read times (format 1.2) */
	/* pageblocks seeded with their compaction skip hint set, as the trace's
	 * first compaction run over them says (firsttouch.h, first_touch_skip) */
	uint64_t skip_pageblocks;
	/* free blocks put first on their lists, in the order the trace first
	 * takes from them (setup.c seed_list_order()) */
	uint64_t ordered_blocks;
	/* blocks of other NUMA nodes' zones (the model is node 0), left out */
	uint64_t other_node_pages, other_node_free_pages;
	unsigned int parts;
	/* how the start snapshot was made (its header): "bpf-struct-page",
	 * "kpageflags" or "pagetypeinfo"; why not BPF; whether its fit to
	 * /proc failed, and the zone furthest off (%) */
	char source[24];
	char why_not_bpf[160];
	bool fit_failed;
	/* its totals.frozen_pages: pages on pcp lists (or being freed), which
	 * it writes allocated; -1: not said */
	int64_t frozen_pages;
	char fit_zone[32]; /* "DMA32 of node 1" for a zone beside node 0 */
	double fit_pct;
	/* memory hotplug: zones the end snapshot shows with more pfns than the
	 * start ("Normal (new, pfns 0x100000-0x110000)"), and how many pfns */
	char hotplug_zones[160];
	uint64_t hotplug_pfns;
	/* memory hot-removal: zones the end snapshot shows with fewer pfns than
	 * the start ("Movable (gone, pfns ...)"), and how many pfns went */
	char unplug_zones[160];
	uint64_t unplug_pfns;
	/* ... the pfn ranges removed, [start, end), for the engine to take out of
	 * the model when the kernel's offlining shows (replay_set_unplug()) */
	struct model_pfn_range unplug_range[REPLAY_MAX_UNPLUG];
	unsigned int nr_unplug;
	/* no start snapshot: the model started with every pfn free, so early
	 * results are not meaningful (reports say so, loudly) */
	bool empty_start;
	/* the knobs as the trace recorded them (its metadata, then the start
	 * snapshot's sysctls), before a variant: what each variant of a
	 * compare that shares this build applies its own to (session.c) */
	long recorded_knobs[MODEL_NR_KNOBS];
};

/**
 * replay_model_from_trace - a model of the host in its state at the start
 * snapshot, under variant @v (NULL: as recorded). Reads @r's frames up to the
 * end of the start snapshot (events before it, if any, are skipped; there are
 * none in traces `record` writes). A trace without a start snapshot gives a
 * model with every pfn of the zones free, and st->empty_start. Returns the
 * model, or NULL with a one-line reason in @err (bad metadata, an incomplete
 * snapshot, a block the zones do not hold).
 */
struct replay_variant;
struct model *replay_model_from_trace(struct frt_reader *r, const struct replay_variant *v,
				      struct replay_seed_stats *st, char *err, size_t errlen);

#endif
