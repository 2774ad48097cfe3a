/* SPDX-License-Identifier: MIT */
/*
 * firsttouch.h - the start snapshot against the trace's first word on each
 * page (README, "How replay works").
 *
 * The snapshot walk is not atomic: the kernel allocates and frees while it
 * runs (0.4 s on a 24 GiB host), and capture switches on only after it, so
 * a page the walk read as allocated may be free when the first event comes,
 * and the other way round; a page on a per-CPU list (zero refcount, not a
 * buddy) is written as allocated (FORMAT.md §8.2, frozen_pages) though it is
 * free. The first event on a page says which it was at the trace's start:
 * an allocation (mm_page_alloc, mm_page_alloc_zone_locked,
 * mm_page_alloc_extfrag, mm_page_pcpu_refill) or a pcp drain of it means it
 * was free; a free of it means it was allocated. The seed follows the trace
 * where the two disagree.
 */
#ifndef FRAGREPLAY_REPLAY_FIRSTTOUCH_H
#define FRAGREPLAY_REPLAY_FIRSTTOUCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zpages.h"

#include "model.h"

struct frt_snapshot_block;
struct frt_event;

/* what the first event on a pfn says of it at the trace's start */
enum first_touch_kind {
	FT_NONE = 0,   /* no event on it */
	FT_FREE = 1,   /* taken from the buddy lists first (zone_locked, extfrag, pcp refill) */
	FT_ALLOC = 2,  /* freed first: it was allocated */
	FT_SEEN = 3,   /* a migration first: nothing to infer */
	FT_PCP = 4,    /* allocated without a zone_locked, or drained, first: on a pcp list */
};

/*
 * What the trace's first compaction run over a pageblock says of its skip
 * hint (PB_compact_skip) at the start, which no snapshot records: the kernel
 * keeps the hints from every compaction before the trace until a direct
 * compaction's scanners meet and kswapd then goes to sleep
 * (reset_isolation_suitable()). Only runs that read the hints count (async,
 * kcompactd_do_work()'s, direct above MIN_COMPACT_PRIORITY; not kcompactd's
 * proactive pass). isolate_migratepages() passes a pageblock without
 * isolate_migratepages_block() (no mm_compaction_isolate_migratepages) when
 * its hint is set, or, in async mode, when it is not a suitable source
 * (suitable_migration_source(): for a movable request, not MOVABLE); a run
 * that scanned any pageblock may have jumped the others
 * (fast_find_migrateblock()), so only runs that scanned none say "passed".
 */
enum first_touch_skip {
	FT_SKIP_NONE = 0,    /* no run that reads the hints said anything of it */
	FT_SKIP_SCANNED = 1, /* scanned: the hint was clear */
	FT_SKIP_PASSED = 2,  /* passed by a sync run: the hint was set */
	FT_SKIP_PASSED_ASYNC = 3, /* passed by an async run: set if MOVABLE or CMA, unless a
				   * later scan says clear (it was the type) */
};

struct first_touch_run;

struct first_touch_pcp {
	uint64_t pfn;  /* head of the block */
	uint32_t cpu;  /* whose list: the CPU that allocated or drained it */
};

/* what the seed takes from the trace (knob start_from_trace) */
enum first_touch_mode {
	FT_MODE_OFF = 0,   /* the snapshot as it is */
	FT_MODE_BUDDY = 1, /* only what proves a page free: taken from the buddy lists first */
	FT_MODE_ALL = 2,   /* every first event: also freed first, and pcp lists */
};

struct first_touch {
	uint64_t base, span; /* pfns [base, base + span) */
	enum first_touch_mode mode; /* set by the caller before first_touch_split() */
	/* per pfn: enum first_touch_kind in bits 0-2; at the head of the block
	 * the first event named (FT_ALLOC, FT_PCP), its order + 1 in bits 3-7 */
	uint8_t *k;
	struct zpages kz; /* the pages of k[] written (zpages.h) */
	struct first_touch_pcp *pcp; /* FT_PCP heads, by pfn */
	size_t nr_pcp, cap_pcp;
	/* where the trace first takes a page from the buddy lists (FT_FREE, the
	 * event's first pfn), in trace order: the start's list order
	 * (replay/setup.c seed_list_order()); kept only if @takes */
	bool takes;
	uint64_t *take;
	size_t nr_take, cap_take;
	/* per pageblock (pb_order) of [base, base + span): the first compaction
	 * run's word on its skip hint (enum first_touch_skip) */
	unsigned int pb_order;
	uint8_t *skip;
	/* compaction runs under way in this scan, by task (first_touch.c) */
	struct first_touch_run *runs;
	size_t nr_runs;
};

/*
 * When the start snapshot's walk read which pfns (FORMAT.md §8.2 read_times,
 * format 1.2): runs of pfns from pfn[i] on, read at ts[i]. Empty for traces
 * without them (older recorders, imports): nothing is then reflected.
 */
struct walk_times {
	uint64_t *pfn, *ts;
	size_t nr, cap;
	/* the earliest and the latest read time: an event outside [first_ts,
	 * last_ts] is decided without a search (walk_reflected(), walk_after()),
	 * which is nearly every event of a trace, on the replay's hot path */
	uint64_t first_ts, last_ts;
};

/* append part @p's read times (in pfn order, parts in order): 0, -ENOMEM or -EBADMSG */
struct frt_snapshot_part;
int walk_times_add(struct walk_times *wt, const struct frt_snapshot_part *p);
/**
 * walk_times_read - the read times of @path's snapshot of kind @which
 * ("start" or "end"), read through a reader of its own (empty when it has
 * none). Returns 0, or a negative errno with a reason in @err.
 */
int walk_times_read(const char *path, const char *which, struct walk_times *wt, char *err,
		    size_t errlen);
void walk_times_free(struct walk_times *wt);

/*
 * walk_reflected - whether the start snapshot already shows the effect of
 * @ev, an event of its walk on a page the walk read after it: an allocation
 * or free (or the kernel's pcp refill, drain, fallback of a block) whose
 * first page was read after @ev's time, or a migration whose new page was
 * (the snapshot then holds the moved block there, and the old page as it was
 * when read, which its own free event settles). *@straddles (may be NULL) is
 * set for a block the walk read across @ev: its first page before, its last
 * after; such an event is not reflected (replayed) and counted apart.
 */
bool walk_reflected(const struct walk_times *wt, const struct frt_event *ev, bool *straddles);
/*
 * walk_after - the end snapshot's side of the same rule: @ev's block (its
 * first pfn) was read by the end walk before @ev, so the end snapshot does
 * not show it.
 */
bool walk_after(const struct walk_times *wt, const struct frt_event *ev);

/**
 * first_touch_scan - the first event on each pfn of [base, base + span) among
 * the events of @path from @from_ts on, less those the snapshot reflects
 * (@wt, walk_reflected()): with read times the first word on a page is the
 * first after the walk read it. A damaged trace is scanned up to the
 * damage (the replay reports it). @takes: keep ft->take too (for
 * start_list_order). Returns 0, or -ENOMEM / the reader's -errno with a
 * reason in @err.
 */
int first_touch_scan(const char *path, uint64_t from_ts, const struct walk_times *wt,
		     uint64_t base, uint64_t span, unsigned int pb_order, bool takes,
		     struct first_touch *ft, char *err, size_t errlen);
/* the trace's first word on the skip hint of the pageblock at @pfn */
enum first_touch_skip first_touch_skip_at(const struct first_touch *ft, uint64_t pfn);
void first_touch_free(struct first_touch *ft);
/* every kind of k[] back to FT_NONE (the skip hints and lists stay): a scan
 * made for the skip hints alone */
void first_touch_forget_kinds(struct first_touch *ft);

enum seed_as { SEED_FREE, SEED_ALLOC, SEED_PCP };

/* a snapshot block cut into what the trace says, one piece at a time: @arg is
 * the free list or the mobility (SEED_FREE, SEED_ALLOC), or the CPU (SEED_PCP) */
typedef int (*first_touch_emit_fn)(void *ctx, uint64_t pfn, unsigned int order, enum seed_as as,
				   int arg);

/*
 * true when the trace's first word on @pfn leaves an allocated order-0 block
 * there as the snapshot shows it: first_touch_split() would give it to @emit
 * whole, as SEED_ALLOC of its own mobility (a run of them can be seeded at once)
 */
bool first_touch_keeps_alloc(const struct first_touch *ft, uint64_t pfn);
/* how many of the pfns [@pfn, @pfn + @n) from the first on first_touch_keeps_alloc() holds for */
uint64_t first_touch_keeps_alloc_run(const struct first_touch *ft, uint64_t pfn, uint64_t n);

struct first_touch_counts {
	uint64_t to_free;  /* pages shown allocated that were free (buddy or pcp) */
	uint64_t to_pcp;   /* pages shown free or allocated that sat on a pcp list */
	uint64_t to_alloc; /* pages shown free that were allocated */
};

/**
 * first_touch_split - @b, a free or allocated block of the start snapshot,
 * as the trace's first events on its pages have it: pieces aligned to their
 * order, given to @emit in pfn order. An allocated piece keeps @b's mobility;
 * a block the trace frees first is allocated at the order of that free, with
 * the mobility of its pageblock's type (@pb_mt(ctx, pfn); UNMOVABLE for
 * HIGHATOMIC, MOVABLE for CMA and ISOLATE); a block the trace shows on a pcp
 * list goes there whole, at the order of that event, on the list of the CPU
 * that allocated or drained it; a free piece goes on the list of its
 * pageblock's type. Counts what it turned in @n. Returns 0 or the first error
 * @emit returned.
 */
int first_touch_split(const struct first_touch *ft, const struct frt_snapshot_block *b,
		      int (*pb_mt)(void *ctx, uint64_t pfn), first_touch_emit_fn emit, void *ctx,
		      struct first_touch_counts *n);

#endif
