/* SPDX-License-Identifier: MIT */
/*
 * fidelity.h - the model beside what the kernel recorded on the same trace
 * (README, "Fidelity"): free blocks per order and type and pageblocks per
 * type at the end, as the end snapshot's /proc/pagetypeinfo shows them (its
 * walk where it carries no copy), the extfrag events by kind, pcp refills and
 * drains, /proc/vmstat's compaction and migration deltas, THP outcomes; each
 * line's agreement (smaller / larger) and their mean, the score. And free
 * pages over trace time, the kernel's as the trace implies it beside the
 * model's: where a replay parts from the kernel.
 */
#ifndef FRAGREPLAY_REPLAY_FIDELITY_H
#define FRAGREPLAY_REPLAY_FIDELITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "event.h"
#include "model.h"
#include "setup.h"
#include "trace.h"

/* the kernel's side, from the trace's SNAPSHOT frames */
struct fidelity_kernel;

struct fidelity_kernel *fidelity_kernel_new(void);
void fidelity_kernel_free(struct fidelity_kernel *k);
/* each frame that is not EVENTS, as the decoder passes it (SNAPSHOT frames count) */
void fidelity_kernel_frame(struct fidelity_kernel *k, const struct frt_frame_info *fi,
			   const char *payload, uint32_t len);
/* after the last frame: the end state's sums; 0 or -ENOMEM */
int fidelity_kernel_end(struct fidelity_kernel *k);

/*
 * /proc/vmstat's @name in the end snapshot minus the start snapshot's into
 * *@delta: 0, or -ENOENT when a snapshot or its vmstat copy lacks it.
 */
int fidelity_kernel_vmstat_delta(const struct fidelity_kernel *k, const char *name,
				 int64_t *delta);

/* the kernel's end state, after fidelity_kernel_end() */
struct fidelity_kernel_state {
	/* as fidelity.end_source: "pagetypeinfo", "snapshot", or NULL: no end
	 * snapshot, and nothing below is known */
	const char *end_source;
	uint64_t free_blocks[MODEL_NR_ORDERS][MODEL_NR_MT]; /* node 0, per order and type */
	uint64_t pageblocks[MODEL_NR_MT];                    /* node 0, per type */
	unsigned int pageblock_order;
	/* from the end snapshot's walk (every node): pageblocks holding an
	 * allocation whose mobility differs from the pageblock's type, and
	 * holding any unmovable or reclaimable allocation, as core/metrics.c
	 * counts the model's */
	uint64_t mixed_pageblocks, tainted_pageblocks;
	/* pages with no use the walk could tell, on a pcp list or being freed
	 * (its totals.frozen_pages; -1: not said): the walk writes them as
	 * unmovable order 0, so each can make a movable pageblock mixed and
	 * tainted where the model, which knows its pcp pages, counts neither */
	int64_t frozen_pages;
	/* mixed pageblocks leaving out unmovable order-0 allocations, which
	 * frozen pages look like: a lower bound, mixed_pageblocks the upper */
	uint64_t mixed_sure_pageblocks;
};
void fidelity_kernel_state(const struct fidelity_kernel *k, struct fidelity_kernel_state *out);

/* one model's side: what its events and its free memory did while it ran */
struct fidelity_model;

/* NULL with errno ENOMEM; the kernel's free pages start at @seed's */
struct fidelity_model *fidelity_model_new(const struct replay_seed_stats *seed);
void fidelity_model_free(struct fidelity_model *fm);
/* the engine's model_event_fn (replay_new), @ctx the fidelity_model */
void fidelity_model_event(void *ctx, const struct model_event *ev);
/* each trace event, before the engine feeds it; @shown: one a snapshot's walk
 * already shows (or the end one lacks), which the kernel's free pages leave out */
void fidelity_model_track(struct fidelity_model *fm, const struct model *m,
			  const struct frt_event *ev, bool shown);
/* the event the engine was just fed changes the kernel's free pages by
 * @pages beyond its own + or - (session.c curve_fix(): a migration's
 * source, a free of memory allocated unseen, an allocation of memory freed
 * unseen) */
void fidelity_model_adjust(struct fidelity_model *fm, int64_t pages);
/*
 * The end snapshot's /proc/vmstat is read just before its walk began, at
 * @ns (the trace clock; 0: not known before the events, so the model's
 * counters at the end are taken): fidelity_model_track() takes the model's
 * counters when the trace passes it, so that both sides count over the same window
 * (a format 1.2 trace records through the end walk, past that read).
 */
void fidelity_model_set_vmstat_end(struct fidelity_model *fm, uint64_t ns);
/* after the last event */
void fidelity_model_end(struct fidelity_model *fm, const struct model *m,
			const struct replay *r);

struct fidelity_line {
	char name[64];
	int64_t kernel, model;
	/* pages: the larger side times the pages one count stands for (a free
	 * block of order o: 2^o; a pageblock, a claim or a steal: a pageblock's;
	 * a THP fault: 512; anything else: 1); 0 when both sides are 0 */
	uint64_t weight;
	double agreement; /* smaller / larger; 0 when their signs differ; 1 when both are 0 */
};

#define FIDELITY_MAX_LINES 128
struct fidelity {
	size_t nr_lines;
	struct fidelity_line lines[FIDELITY_MAX_LINES];
	/* 100 x the agreement of the lines weighted by their pages: the pages
	 * both sides agree on over all the lines' pages */
	double score;
	double line_mean;  /* 100 x the mean agreement of the lines not both 0 */
	size_t nr_scored;  /* lines not both 0: those the scores count */
	bool end_snapshot; /* the trace has one: free lists and pageblocks compared */
	/* the end snapshot's free pages are this far (%) from the trace's end,
	 * above 5 (fidelity_notes()); 0: not */
	double end_apart_pct;
	/* pages on pcp lists (the snapshots' frozen_pages, -1: not said), and of
	 * the start's, how many the trace allocated (the engine's unseen frees) */
	int64_t start_pcp_pages, end_pcp_pages;
	uint64_t start_pcp_used;
	/* the kernel's allocations, and how many of them the model served at
	 * the pfn the kernel did: where the two place pages alike */
	uint64_t allocs, allocs_at_kernel_pfn;
	/* where the kernel's free lists and pageblocks come from: "pagetypeinfo"
	 * (the end snapshot's copy of /proc/pagetypeinfo), "snapshot" (its walk:
	 * no copy), or NULL (no end snapshot) */
	const char *end_source;
	unsigned int capped_cells; /* counts shown as ">100000": the walk's where larger */
	/* the kernel's thp_fault_*: "vmstat" (the snapshots' /proc/vmstat
	 * deltas) or "trace" (its tries, counted per fault; on a host with
	 * NUMA nodes beside 0, node 0's served faults) */
	const char *thp_source;
	/* THP fault tries the start walk already shows (not replayed): with any,
	 * thp_source is "trace" */
	uint64_t thp_reflected;
	/* NUMA nodes beside 0 (the end snapshot's zones), and the /proc/vmstat
	 * counters not compared for it: they count every node, the model is
	 * node 0 (the compaction counters no event splits by node; names are
	 * static strings) */
	unsigned int other_nodes;
	const char *vmstat_whole_host[8];
	size_t nr_vmstat_whole_host;
	/*
	 * /proc/vmstat's window: from the start snapshot's read to the end
	 * snapshot's (just before each walk), beside the trace's events: the
	 * trace began start_gap_s after the first read and ended end_gap_s
	 * before the second (negative: past it). Unless the events cover the
	 * window (vmstat_covered: both gaps within 1% of it, or 10 ms), vmstat
	 * counted what the trace never saw: the kernel's THP faults and
	 * scanned pages are then the trace's own counts, and the counters no
	 * event gives are not compared (vmstat_window_out, static strings).
	 * model_at_vmstat_end: the model's side of the vmstat lines is its
	 * counters when the trace passed the end read, not at its end.
	 */
	bool vmstat_window;  /* both snapshots carry /proc/vmstat and a time */
	bool vmstat_covered;
	bool model_at_vmstat_end;
	double vmstat_s, start_gap_s, end_gap_s;
	const char *vmstat_window_out[8];
	size_t nr_vmstat_window_out;
};

/* @m (replayed by @r, its side in @fm) beside the kernel's @k */
void fidelity_compute(const struct fidelity_kernel *k, const struct fidelity_model *fm,
		      const struct model *m, const struct replay *r, struct fidelity *out);
/* @f's score, line_mean and nr_scored from its lines (fidelity_compute() calls it);
 * 0 when no line has a weight */
void fidelity_score(struct fidelity *f);

/* free pages over trace time (buddy + pcp); the kernel's is the start
 * snapshot's plus every page freed minus every page allocated in the trace */
struct fidelity_sample {
	uint64_t t_ns; /* since the start snapshot */
	int64_t kernel, model;
};
size_t fidelity_track(const struct fidelity_model *fm, const struct fidelity_sample **samples);

/*
 * A note when the end snapshot's free pages and the free pages the trace's
 * events end at (the track's last kernel sample) are more than 5% apart:
 * the host moved between the last event and the walk, or during the walk,
 * so the end free lists and pageblocks validate reads are of another moment
 * than the model's end. Both sides count pages on pcp lists where they can:
 * the snapshot its buddy lists and its frozen_pages; the trace's end lies
 * between its curve and the curve plus the start snapshot's pcp pages that
 * no allocation in the trace used (the seed's frozen_pages less @st's
 * unseen_free_pages). Memory hot-removed (the seed's unplug_pfns: its free
 * pages leave with no event) is taken off the trace's end. @notes a JSON
 * array. fidelity_compute() says the same in end_apart_pct.
 */
struct json_t;
void fidelity_notes(struct json_t *notes, const struct fidelity_kernel *k,
		    const struct fidelity_model *fm, const struct replay_stats *st);

#endif
