/* SPDX-License-Identifier: MIT */
/*
 * engine.h - a trace's request stream driven through one model, as the
 * README's "How replay works" says: the model places pages by its own
 * policy and the engine maps each recorded block to the model's.
 *
 * One engine per model; `compare` feeds the same decoded events to two.
 */
#ifndef FRAGREPLAY_REPLAY_ENGINE_H
#define FRAGREPLAY_REPLAY_ENGINE_H

#include <stdint.h>

#include "event.h"
#include "metrics.h"
#include "model.h"
#include "reqclass.h"

struct replay_stats {
	uint64_t events;           /* events fed */
	uint64_t allocs;           /* mm_page_alloc the kernel satisfied */
	uint64_t allocs_at_kernel_pfn; /* ... that the model served at the kernel's pfn */
	uint64_t kernel_failed;    /* mm_page_alloc with no pfn: the kernel failed it */
	uint64_t kernel_failed_model_ok; /* ... and the model satisfied it (then freed it) */
	uint64_t model_failed;     /* the kernel satisfied, the model could not */
	uint64_t model_failed_by_order[MODEL_NR_ORDERS];
	uint64_t frees;            /* mm_page_free */
	uint64_t batched_ignored;  /* mm_page_free_batched: a repeat of an mm_page_free */
	uint64_t partial_frees;    /* frees of part of a larger recorded block */
	uint64_t unmatched_frees;  /* frees of pfns no known block covers */
	uint64_t freed_pages;      /* 2^order over the frees inside the model's span */
	uint64_t grown_pages;      /* frees into memory the model did not manage: the zone grew */
	uint64_t grow_frees;       /* ... how many frees that took */
	uint64_t first_grow_ts, last_grow_ts;
	uint64_t unmatched_free_pages; /* ... over the unmatched ones */
	/* frees of free pages a compaction run isolated and did not use
	 * (release_free_list()): the model never saw them taken */
	uint64_t compaction_released, compaction_released_pages;
	/* frees of pages the trace last saw freed (or refilled onto a pcp
	 * list): an allocation no tracepoint shows came between */
	uint64_t untraced_alloc_frees, untraced_alloc_free_pages;
	uint64_t frees_of_failed;  /* frees of blocks the model had failed to allocate */
	uint64_t unseen_frees;     /* a recorded block allocated again at its pfn: freed unseen */
	uint64_t unseen_free_pages; /* ... their pages */
	uint64_t migrate_pairs;    /* kernel migrations re-keyed */
	uint64_t migration_source_frees; /* frees of a migrated block's old pages */
	uint64_t migration_source_pages; /* ... their pages */
	uint64_t migrate_pairs_unmatched;
	/* frees of pages the kernel's compaction had just isolated and
	 * migrated, with no pair (unmapped page cache): the block lives on
	 * elsewhere, so the model keeps it, under no key */
	uint64_t unpaired_sources, unpaired_source_pages;
	uint64_t model_migrations; /* the model's own compaction moved a block */
	/* the model's fallbacks (MODEL_EV_EXTFRAG) by [alloc][fallback] mobility,
	 * [0] stolen pages, [1] claimed blocks; the kernel's are in recorded */
	uint64_t model_extfrag[MODEL_NR_PCPTYPES][MODEL_NR_PCPTYPES][2];
	uint64_t outside_model;    /* recorded pfns outside the model's zones (allocs or frees;
				    * such allocations count in allocs, in no class) */
	uint64_t outside_model_pages; /* ... their pages (another NUMA node's, say) */
	uint64_t manual_compactions; /* the kernel's runs user space asked for, followed */
	uint64_t kcompactd_contended; /* the kernel's proactive runs that ended contended */
	uint64_t kcompactd_passes;    /* the kernel's proactive passes seen beginning */
	uint64_t unplugged_pages;    /* pages taken out of the model: memory hot-removal */
	uint64_t unplug_busy;        /* ... ranges the model could not empty (left in) */
	uint64_t unplug_expected;    /* ... the pages replay_set_unplug() named */
	/* the closed loop (DESIGN.md "Closed loop"), by request class
	 * (reqclass.h); with feedback=0 only requests, kernel_failed and
	 * model_failed count */
	struct replay_class_stats {
		uint64_t requests;      /* mm_page_alloc events of the class */
		uint64_t kernel_failed; /* ... the kernel failed */
		uint64_t model_failed;  /* ... the kernel served and the model could not at that order */
		uint64_t lowered;       /* model-only failures served at the caller's lower orders */
		uint64_t lowered_blocks; /* ... the model blocks they took */
		uint64_t lost;          /* model-only failures with no block at any order (FAILED) */
		uint64_t forced;        /* requests served only by ignoring watermarks */
		uint64_t kept;          /* kernel failures the model served and kept */
		uint64_t absorbed;      /* the kernel's fallback requests mapped onto a kept block */
		uint64_t absorbed_pages;
		uint64_t returned_pages; /* kept pages no fallback claimed, freed when the window closed */
	} cls[REQ_NR_CLASSES];
	uint64_t allocs_without_task; /* allocations whose task the trace does not say */
	/* allocations, frees and migrations of the start snapshot's walk that it
	 * already shows (replay_set_walk_times()): not replayed; and blocks the
	 * walk read across their event (replayed) */
	uint64_t walk_reconciled, walk_straddling;
	/* ... of them, anonymous THP fault tries: in /proc/vmstat's window (read
	 * before the walk) but not replayed (fidelity.c) */
	uint64_t walk_thp_reflected;
	uint64_t walk_unmatched;   /* ... frees of the start walk replayed that matched no block */
	/* ... of the end snapshot's walk, on pages it had read already: not in
	 * it, so not replayed either */
	uint64_t walk_end_skipped;
	uint64_t first_ts, last_ts;
	/* what the kernel itself recorded over the replayed span: its own
	 * decisions, which the model's are compared with (not inputs) */
	struct {
		uint64_t extfrag_claim, extfrag_steal; /* mm_page_alloc_extfrag by change_ownership */
		uint64_t extfrag[MODEL_NR_PCPTYPES][MODEL_NR_PCPTYPES][2]; /* as model_extfrag */
		uint64_t pcp_refills;   /* mm_page_alloc_zone_locked with percpu_refill */
		uint64_t pcp_drains;    /* mm_page_pcpu_drain */
		uint64_t compaction_runs; /* mm_compaction_begin */
		/* anonymous THP faults, counted per fault from their tries
		 * (model_thp_fault_try()) as /proc/vmstat counts them */
		uint64_t thp_fault_alloc, thp_fault_fallback;
		/* pages the compaction scanners looked at, from the isolate
		 * events (mm_compaction_isolate_migratepages; _isolate_freepages
		 * and _fast_isolate_freepages): vmstat's compact_migrate_scanned
		 * and compact_free_scanned, by node; isolate_events says whether
		 * the trace has any (on any node) */
		uint64_t compact_migrate_scanned, compact_free_scanned, isolate_events;
		/* counts of events that name no pfn, for the /proc/vmstat counters
		 * over the trace's own window (fidelity.c): direct compactions
		 * begun (mm_compaction_try_to_compact_pages: compact_stall, less
		 * a try every zone skipped), kcompactd's runs on node 0
		 * (mm_compaction_kcompactd_wake: compact_daemon_wake) and pages
		 * migrated (mm_migrate_pages' succeeded: pgmigrate_success); the
		 * first and the last count every node's */
		uint64_t compact_tries, kcompactd_wakes, migrated_pages;
		/* those of the events above (fallbacks, pcp refills and drains,
		 * compaction runs and scans) whose pfn lies outside the model's
		 * zones: another NUMA node's, left out of the counts so that both
		 * sides speak of node 0 (failed THP faults have no pfn: counted) */
		uint64_t outside;
	} recorded;
};

struct replay;

/**
 * replay_new - an engine driving @m, whose allocated blocks (the start
 * snapshot's) are keyed by their own pfns. Events before @start_ts (the
 * snapshot's walk) are ignored. Takes over the model's event callback; events
 * are passed on to @fn. Returns NULL with errno ENOMEM, or EFBIG when the
 * zones span more pfns than the maps hold (2^32 - 3: 16 TiB of 4 KiB pages).
 */
struct replay *replay_new(struct model *m, uint64_t start_ts, model_event_fn fn, void *ctx);
/*
 * replay_proto - the engine replay_new() would make for @m, without taking
 * over its events (@m is only read, so models can be cloned from it at the
 * same time): not to be fed, only to give replay_new_like() its start map.
 * replay_new_like - replay_new() for a model cloned (model_clone()) from
 * @proto's before any event: the start snapshot's map copied, not walked
 * again. A @proto of another span (or NULL): replay_new().
 */
struct replay *replay_proto(const struct model *m);
struct replay *replay_new_like(const struct replay *proto, struct model *m, uint64_t start_ts,
			       model_event_fn fn, void *ctx);
/*
 * replay_clone - a copy of @src, between events, for @m, a model_clone() of
 * @src's model at this point: fed the same events after, it does what @src
 * would do for a model in @m's state. Its events go to @fn. NULL with errno
 * ENOMEM.
 */
struct replay *replay_clone(const struct replay *src, struct model *m, model_event_fn fn,
			    void *ctx);
void replay_free(struct replay *r);

/*
 * replay_follow_manual_compaction - when @on, a compaction run of the
 * kernel's that neither an allocation (mm_compaction_try_to_compact_pages by
 * its task just before) nor kcompactd began, i.e. one user space asked for
 * (the compact_memory sysctl, a node's compact file), compacts the same zone
 * of the model (model_compact_memory()). For traces with task ids that
 * recorded try_to_compact_pages; off by default.
 */
void replay_follow_manual_compaction(struct replay *r, bool on);

/*
 * replay_set_unplug - the pfn ranges [start, end) the end snapshot no longer
 * has (memory hot-removal, setup.c): at the kernel's first migration for
 * memory hotplug (mm_migrate_pages_start, MR_MEMORY_HOTPLUG) the model takes
 * them out (model_offline()). At most REPLAY_MAX_UNPLUG (setup.h).
 */
#define REPLAY_MAX_UNPLUG 4
void replay_set_unplug(struct replay *r, const struct model_pfn_range *ranges, unsigned int nr);

/*
 * replay_set_walk_times - when the start and end snapshots' walks read which
 * pfns (firsttouch.h; taken over, both left empty): an allocation, free or
 * migration the start snapshot already shows (walk_reflected()) changes no
 * model, only the engine's record of which pages the trace saw free; one on
 * a page the end walk had read before it (walk_after()) is not in the end
 * snapshot and is left out too. Without read times (older traces) every
 * event from the snapshot's ts on is replayed.
 */
struct walk_times;
void replay_set_walk_times(struct replay *r, struct walk_times *start, struct walk_times *end);

/*
 * replay_walk_shows - whether replay_feed() leaves @ev out of the model by
 * the walks' read times: the start snapshot shows it already, or the end
 * snapshot does not. validate's kernel side leaves it out as well.
 */
bool replay_walk_shows(const struct replay *r, const struct frt_event *ev);

/* one event of the trace, in file order */
void replay_feed(struct replay *r, const struct frt_event *ev);

const struct replay_stats *replay_stats(const struct replay *r);

/* 0, or -ENOMEM when the maps could not grow: replay_feed() then stopped at
 * that event, and the stats cover the events before it */
int replay_error(const struct replay *r);

#endif
