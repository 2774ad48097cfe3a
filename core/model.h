/* SPDX-License-Identifier: MIT */
/*
 * model.h - a userspace model of one node of the Linux 6.18 page allocator.
 *
 * Mechanism only: the model places pages the way mm/page_alloc.c would
 * (zonelist walk, watermarks, per-CPU lists, buddy split/merge, fallback
 * claim/steal, highatomic reserves, watermark boosting), compacts them the way
 * mm/compaction.c would (direct compaction with capture, deferral, skip
 * hints, kcompactd, proactive compaction), and reports what it did. It reads
 * no files and keeps no globals; the replay engine builds one from a trace's
 * metadata and start snapshot and feeds it requests.
 *
 * Page frame numbers are the kernel's: the model covers the pfn range of the
 * zones it was built with and keeps 12 bytes of state per pfn.
 *
 * Not modelled (their effects reach the model through the trace's own frees):
 * reclaim, the OOM killer, NUMA, memory hotplug, CMA areas, page isolation.
 *
 * Knobs switch on two 2026 patch series, each in a file of its own: evacuate
 * (core/evacuate.c) and capture-split (core/capture_split.c).
 */
#ifndef FRAGREPLAY_MODEL_H
#define FRAGREPLAY_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_PFN_NONE UINT64_MAX
#define MODEL_MAX_ORDER_LIMIT 12 /* largest MAX_PAGE_ORDER the model accepts */

/*
 * zone_type, as in include/linux/mmzone.h on x86-64 (no HIGHMEM). The names
 * of zones and migratetypes are the trace format's (traces/event.h), whose
 * enums replay/setup.c asserts equal to these.
 */
enum model_zone_type {
	MODEL_ZONE_DMA, MODEL_ZONE_DMA32, MODEL_ZONE_NORMAL, MODEL_ZONE_MOVABLE,
	MODEL_NR_ZONE_TYPES,
};

/* enum migratetype, numbered as the kernel does */
enum model_mt {
	MODEL_MT_UNMOVABLE, MODEL_MT_MOVABLE, MODEL_MT_RECLAIMABLE,
	MODEL_MT_HIGHATOMIC, MODEL_MT_CMA, MODEL_MT_ISOLATE, MODEL_NR_MT,
};
#define MODEL_NR_PCPTYPES 3 /* MIGRATE_PCPTYPES */

/* gfp bits of Linux 6.18 (include/linux/gfp_types.h, x86-64 config) */
#define MODEL_GFP_DMA            (1u << 0)
#define MODEL_GFP_HIGHMEM        (1u << 1)
#define MODEL_GFP_DMA32          (1u << 2)
#define MODEL_GFP_MOVABLE        (1u << 3)
#define MODEL_GFP_RECLAIMABLE    (1u << 4)
#define MODEL_GFP_HIGH           (1u << 5)
#define MODEL_GFP_IO             (1u << 6)
#define MODEL_GFP_FS             (1u << 7)
#define MODEL_GFP_ZERO           (1u << 8)
#define MODEL_GFP_DIRECT_RECLAIM (1u << 10)
#define MODEL_GFP_KSWAPD_RECLAIM (1u << 11)
#define MODEL_GFP_NOWARN         (1u << 13)
#define MODEL_GFP_RETRY_MAYFAIL  (1u << 14)
#define MODEL_GFP_NOFAIL         (1u << 15)
#define MODEL_GFP_NORETRY        (1u << 16)
#define MODEL_GFP_MEMALLOC       (1u << 17)
#define MODEL_GFP_COMP           (1u << 18)
#define MODEL_GFP_NOMEMALLOC     (1u << 19)
#define MODEL_GFP_HARDWALL       (1u << 20)
#define MODEL_GFP_THISNODE       (1u << 21)
/* common masks, for tests and callers that build requests */
#define MODEL_GFP_KERNEL  (MODEL_GFP_DIRECT_RECLAIM | MODEL_GFP_KSWAPD_RECLAIM | \
			   MODEL_GFP_IO | MODEL_GFP_FS)
#define MODEL_GFP_ATOMIC  (MODEL_GFP_HIGH | MODEL_GFP_KSWAPD_RECLAIM)
#define MODEL_GFP_NOWAIT  MODEL_GFP_KSWAPD_RECLAIM
#define MODEL_GFP_HIGHUSER_MOVABLE (MODEL_GFP_KERNEL | MODEL_GFP_HARDWALL | \
				    MODEL_GFP_HIGHMEM | MODEL_GFP_MOVABLE)

/*
 * Knobs: everything a variant may change, read through model_knob() and
 * described once, in model_knob_spec().
 */
enum model_knob {
	MODEL_KNOB_WATERMARK_BOOST_FACTOR,
	MODEL_KNOB_WATERMARK_SCALE_FACTOR,
	MODEL_KNOB_MIN_FREE_KBYTES,
	MODEL_KNOB_DEFRAG_MODE,
	MODEL_KNOB_EXTFRAG_THRESHOLD,
	MODEL_KNOB_COMPACTION_PROACTIVENESS,
	MODEL_KNOB_PAGEBLOCK_ORDER,
	MODEL_KNOB_MAX_PAGE_ORDER,
	MODEL_KNOB_COMPACTION,
	MODEL_KNOB_MIGRATE_FAIL_PERMILLE,
	MODEL_KNOB_SEED,
	/* riel's RFC 06/40 (May 2026): async evacuation of claimed movable pageblocks */
	MODEL_KNOB_EVACUATE,
	MODEL_KNOB_EVACUATE_POOL,
	MODEL_KNOB_EVACUATE_LATENCY_US,
	/* hannes's "fix reclaim storms in defrag_mode" series (June 2026) */
	MODEL_KNOB_CAPTURE_SPLIT,
	MODEL_KNOB_CAPTURE_ORDER,
	MODEL_KNOB_MIGRATE_SPLIT,
	/* the superpageblock patches of the same RFC (08, 11, 12, 15, 17, 19 of 40) */
	MODEL_KNOB_SPB_ORDER,
	MODEL_KNOB_SPB_CLAIM,
	MODEL_KNOB_SPB_CLAIM_SCAN,
	MODEL_KNOB_SPB_PACK,
	MODEL_KNOB_SPB_PACK_SCAN,
	MODEL_KNOB_SPB_FRAGMENTS,
	MODEL_KNOB_SPB_FRAGMENTS_MIN_SPBS,
	MODEL_KNOB_SPB_DEFRAG,
	MODEL_KNOB_SPB_DEFRAG_LATENCY_US,
	MODEL_KNOB_SPB_DEFRAG_COOLDOWN_MS,
	MODEL_KNOB_SPB_CONTIG,
	MODEL_KNOB_SPB_CONTIG_SCAN,
	/* the closed loop: what callers do when model and kernel disagree
	 * (replay/engine.c, DESIGN.md "Closed loop") */
	MODEL_KNOB_FEEDBACK,
	MODEL_KNOB_FEEDBACK_WINDOW_US,
	MODEL_KNOB_SLUB_MIN_ORDER,
	MODEL_KNOB_PAGECACHE_MIN_ORDER,
	/* kcompactd's proactive pass in trace time (compaction.c kcompactd_tick()) */
	MODEL_KNOB_KCOMPACTD_NS_PER_PAGE,
	/* the start snapshot as the trace's first events have it (replay/firsttouch.h) */
	MODEL_KNOB_START_FROM_TRACE,
	/* ZONE_RECLAIM_ACTIVE while the trace shows kswapd freeing (replay/engine.c) */
	MODEL_KNOB_KSWAPD_IDLE_US,
	/* the start's compaction skip hints as the trace's first runs show them
	 * (replay/firsttouch.h, enum first_touch_skip) */
	MODEL_KNOB_START_SKIP_HINTS,
	/* the start's free lists in the order the trace takes from them
	 * (replay/setup.c seed_list_order()) */
	MODEL_KNOB_START_LIST_ORDER,
	MODEL_NR_KNOBS,
};

/**
 * struct model_knob_spec - what one knob is
 * @name: its name in presets, `--set` and reports
 * @sysctl: the /proc/sys/vm sysctl it models (a trace's metadata records it
 *          under that name), or NULL
 * @help: one line on what it means
 * @def: its value in a model_desc_init() description; a sysctl's is the
 *       kernel's default
 * @min: the smallest value it takes
 * @max: the largest; for a sysctl, both are the kernel's bounds
 */
struct model_knob_spec {
	const char *name, *sysctl, *help;
	long def, min, max;
};

/**
 * model_knob_spec - the description of knob @k
 *
 * Returns NULL when @k is not a knob, so that
 * `for (k = 0; (s = model_knob_spec(k)); k++)` walks them all.
 */
const struct model_knob_spec *model_knob_spec(enum model_knob k);

struct model_zone_desc {
	enum model_zone_type type;
	uint64_t start_pfn, spanned;  /* the zone's pfn span */
	uint64_t present, managed;    /* pages; managed drives watermarks, pcp sizes, reserves */
	/* 0 = compute from the knobs (__setup_per_zone_wmarks); else as recorded */
	uint64_t wmark_min, wmark_low, wmark_high;
	/* as recorded in /proc/zoneinfo "protection:"; all 0 = compute */
	uint64_t lowmem_reserve[MODEL_NR_ZONE_TYPES];
	/* per-CPU list sizes: pcp_given false = compute batch, high_min and
	 * high_max (zone_batchsize / zone_highsize); true = as given, except
	 * high_min < 0 and high_max 0 = compute. pcp_high is every CPU's
	 * starting pcp->high (zoneinfo's "high:"), 0 = high_min; it is clamped
	 * to [min, max]. */
	bool pcp_given;
	int pcp_batch, pcp_high_min, pcp_high_max, pcp_high;
	/* memory hotplug: the zone has no memory at the start, its pfns are
	 * onlined later (model_grow). present and managed then start at 0 and
	 * grow as online_pages() grows them; the pcp sizes are computed from
	 * the present and managed given here (the zone's once online, as
	 * zone_pcp_update() recomputes them) */
	bool hot_added;
};

struct model_desc {
	unsigned int nr_zones;
	struct model_zone_desc zones[MODEL_NR_ZONE_TYPES]; /* ascending pfn, one per type */
	unsigned int nr_cpus;
	/* CPUs of the modelled node (node 0), over which zone_highsize() splits
	 * a zone's pcp high; 0: nr_cpus (a one-node host, or not recorded) */
	unsigned int node_cpus;
	long knobs[MODEL_NR_KNOBS];
	bool pcp_free_high_batch; /* PCPF_FREE_HIGH_BATCH: set when the CPU cache is large */
};

/* model_desc_init - defaults: no zones, 1 CPU, every knob at its model_knob_spec() def */
void model_desc_init(struct model_desc *d);

struct model;

/**
 * model_new - a node with the zones of @d and no memory in them yet
 *
 * Every pfn starts unmanaged; hand memory to the model with model_online()
 * (fresh, all free) or model_seed_*() (a snapshot's state). Returns NULL with
 * errno EINVAL (bad description) or ENOMEM.
 */
struct model *model_new(const struct model_desc *d);
void model_free_all(struct model *m);
/*
 * model_clone - a copy of @src, between requests (a model_new(), seeded, or
 * part way through a replay), with @knobs (NULL: @src's). Equal to a model
 * built and seeded the same way under @knobs, so variants share one build
 * from a snapshot, and a model_share()d prefix. Knobs that
 * the build reads (pageblock_order, max_page_order, min_free_kbytes,
 * watermark_scale_factor) must equal @src's: NULL with errno EINVAL if not,
 * ENOMEM, EBUSY for a model in the middle of something.
 */
struct model *model_clone(const struct model *src, const long *knobs);

/**
 * model_share - let @m stand for @n variants at once (compare's shared
 * prefix): @knobs[i] is variant i's (a model_desc's, after defaults). Until
 * model_parted(), every one of them would have taken each decision @m took,
 * so each model would be in @m's state; from the request in which it turns
 * true on, they may differ. Returns 0, or -EINVAL when the variants differ
 * in a knob not every decision of which the model makes through its knob()
 * gate (defrag_mode, evacuate, evacuate_pool, evacuate_latency_us,
 * capture_split, capture_order, migrate_split, watermark_boost_factor,
 * extfrag_threshold, compaction_proactiveness, compaction,
 * migrate_fail_permille, kcompactd_ns_per_page and seed may differ).
 */
int model_share(struct model *m, const long (*knobs)[MODEL_NR_KNOBS], int n);
bool model_parted(const struct model *m);

/* the knob's value in this model (after defaults) */
long model_knob(const struct model *m, enum model_knob k);

/**
 * model_online - give [pfn, pfn + nr) to the allocator as free memory
 *
 * As memblock_free_all()/deferred init do: MAX_PAGE_ORDER-aligned chunks to the
 * tail of the free lists, pageblocks MOVABLE. Does not change managed (see
 * model_set_managed). Returns 0 or -EINVAL when the range is outside the
 * zones or not unmanaged.
 */
int model_online(struct model *m, uint64_t pfn, uint64_t nr);
void model_set_managed(struct model *m, enum model_zone_type zone, uint64_t managed);

/**
 * model_grow - memory joins its zone at run time: [pfn, pfn + nr), unmanaged
 * until now, is freed into the buddy allocator and counted as managed
 *
 * Models deferred struct page init growing a zone (deferred_free_pages() via
 * __free_pages_core(), which adjust_managed_page_count()s) and memory hotplug
 * (online_pages(), which also grows present_pages: in the model, for a zone
 * the desc marks hot_added). Watermarks are not recomputed (online_pages()
 * does recompute them: the model keeps the ones it was given). Returns 0
 * or -EINVAL when the range is outside the zones or not all unmanaged.
 */
int model_grow(struct model *m, uint64_t pfn, uint64_t nr);

/*
 * ZONE_RECLAIM_ACTIVE on every populated zone, or off: kswapd's
 * balance_pgdat() sets it for the zones it balances (set_reclaim_active())
 * and clears it when done; while set, nr_pcp_high() shrinks the pcp lists.
 * The model does not reclaim: the replay says when kswapd does.
 */
void model_set_reclaim_active(struct model *m, bool active);

/*
 * model_offline - memory hot-removal, as offline_pages() does it: the pcp
 * lists drained, the pageblocks of [pfn, pfn + nr) isolated, the pages in
 * use migrated out (MODEL_OFFLINE_MIGRATED), then every free page taken off
 * the lists and out of the zone (not managed, not present: what online
 * made, offline unmakes; MODEL_OFFLINE_PAGES). The range is pageblock
 * aligned, in one zone. -EINVAL otherwise; -EBUSY when a page could not be
 * moved (the kernel retries and may fail): the range is left as it was,
 * unisolated (MODEL_OFFLINE_BUSY).
 */
int model_offline(struct model *m, uint64_t pfn, uint64_t nr, unsigned int cpu);

/* pfns [start, end): a node's span, memory hot-removed */
struct model_pfn_range {
	uint64_t start, end;
};

/*
 * model_compact_memory - compaction asked for from user space: a write to
 * /proc/sys/vm/compact_memory or /sys/devices/system/node/nodeN/compact
 * runs compact_node(pgdat, false), which compacts each populated zone whole
 * (order -1, MIGRATE_SYNC, skip hints ignored) until its scanners meet, with
 * no score to stop at. The replay says when the kernel did (a compaction run
 * no allocation asked for); this runs it in zone @zone (0..nr_zones-1) of
 * the model. -EINVAL for no such zone.
 */
int model_compact_memory(struct model *m, unsigned int zone);

/*
 * model_kcompactd_contended - the kernel's proactive compaction of zone
 * @zone (0..nr_zones-1) ended COMPACT_CONTENDED: migrate_pages() failed
 * with -ENOMEM on a large folio it could neither migrate nor split, which
 * the model cannot tell. If the model's own proactive pass is compacting
 * that zone, its compact_zone() ends now the same way (the pass goes on
 * with the next zone, as compact_node() does); otherwise nothing.
 */
void model_kcompactd_contended(struct model *m, unsigned int zone);

/*
 * model_kcompactd_slept - the kernel's kcompactd went to sleep now
 * (mm_compaction_kcompactd_sleep of node 0): the timer's phase, which is
 * host state (the scheduler's) no snapshot holds. @first, the trace's first
 * such event: the model's 512 ms timeout runs from here. Later ones, while
 * the model's kcompactd is idle and not backed off: a check due within
 * 256 ms runs now, a later one moves to 512 ms from now. Nothing while its
 * kcompactd has a wakeup to serve or a pass under way.
 */
void model_kcompactd_slept(struct model *m, bool first);

/*
 * model_kcompactd_pass_began - the kernel's kcompactd began a proactive
 * pass now (its timeout elapsed): while the model's kcompactd is idle and not
 * backed off, a check of its due within 256 ms runs now (which starts the
 * model's own pass only if its own score asks for one). Nothing otherwise.
 */
void model_kcompactd_pass_began(struct model *m);

/*
 * Initial state from a snapshot: blocks as they are, no merging, no events.
 * Seed pageblock types first: a free block goes on its pageblock's list, and
 * model_seed_free() returns 1 when the snapshot named another list.
 * model_seed_pcp() puts a free block on @cpu's per-CPU list of its
 * pageblock's type (the buddy lists where the kernel's pcp would not take it).
 */
int model_seed_pageblock(struct model *m, uint64_t pfn, enum model_mt mt);
int model_seed_free(struct model *m, uint64_t pfn, unsigned int order, enum model_mt mt);
int model_seed_pcp(struct model *m, uint64_t pfn, unsigned int order, unsigned int cpu);
int model_seed_alloc(struct model *m, uint64_t pfn, unsigned int order, enum model_mt mobility);
/*
 * model_seed_first - the free block on the buddy lists that holds @pfn to
 * the head of its list: the start's list order, which the trace shows where
 * it takes from the lists. Callable after model_seed_done(). 1 if a block
 * moved, 0 if none holds @pfn, -EINVAL outside the zones.
 */
int model_seed_first(struct model *m, uint64_t pfn);
/* @nr allocated order-0 blocks from @pfn, of one @mobility, all in one zone:
 * model_seed_alloc() of each, or -EINVAL and none seeded */
int model_seed_alloc_run(struct model *m, uint64_t pfn, uint64_t nr, enum model_mt mobility);
/* After seeding, before anything else: merge free buddies the snapshot caught
 * apart (returns how many), count HIGHATOMIC pageblocks in the zone's
 * highatomic reserve, and mark every pageblock for model_metrics() to walk
 * (model_seed_alloc() leaves that to it). */
long model_seed_done(struct model *m);

/* allocation request: what mm_page_alloc reports, plus the CPU */
struct model_req {
	unsigned int order;
	uint32_t gfp;
	unsigned int cpu;
	unsigned int flags; /* MODEL_REQ_* */
};
/* the caller knows the kernel satisfied it anyway: a last attempt ignores
 * watermarks (ALLOC_NO_WATERMARKS), counted as model_wmark_override */
#define MODEL_REQ_NO_WATERMARKS 0x1u
/* one try of an anonymous THP fault (model_thp_fault_try()): the fault's
 * outcome counts thp_fault_alloc or thp_fault_fallback, once a fault */
#define MODEL_REQ_THP_FAULT 0x2u

/**
 * model_thp_fault_try - is a request of @order and @gfp a try of an anonymous
 * THP fault?
 *
 * vma_alloc_anon_folio_pmd() (mm/huge_memory.c, 6.18) asks for
 * HPAGE_PMD_ORDER with vma_thp_gfp_mask(): GFP_TRANSHUGE_LIGHT, plus direct
 * or kswapd reclaim and __GFP_NORETRY as the defrag setting says, through
 * alloc_pages_mpol(), whose first try adds __GFP_THISNODE | __GFP_NORETRY.
 * Not faults: page-cache folios (no __GFP_NOMEMALLOC), khugepaged's collapse
 * (__GFP_THISNODE without __GFP_NORETRY), migration targets
 * (__GFP_RETRY_MAYFAIL). A tmpfs PMD folio (shmem_alloc_folio()) is asked for
 * with the same mask and cannot be told from a fault.
 */
bool model_thp_fault_try(const struct model *m, unsigned int order, uint32_t gfp);

/**
 * model_thp_retry_gfp - alloc_pages_mpol() (mm/mempolicy.c, 6.18): when a THP
 * fault's first try (@gfp with __GFP_THISNODE) fails and the fault may
 * reclaim directly, it tries again without __GFP_THISNODE and __GFP_NORETRY.
 * Returns that second try's gfp, or 0 when a failure of @gfp ends the fault.
 * (Under defrag=always a VMA without MADV_HUGEPAGE keeps __GFP_NORETRY on the
 * second try; a first try cannot show which.)
 */
uint32_t model_thp_retry_gfp(uint32_t gfp);

/* gfp_migratetype() */
enum model_mt model_gfp_migratetype(uint32_t gfp);

/**
 * model_alloc - allocate 2^order pages as __alloc_frozen_pages() would
 *
 * Returns the first pfn, or MODEL_PFN_NONE when the model fails the request
 * (counted in model_alloc_fail). The block's mobility is the request's
 * migratetype.
 */
uint64_t model_alloc(struct model *m, const struct model_req *r);

/**
 * model_carve - make [pfn, pfn + 2^order) an allocated block of its own
 *
 * The allocated block that covers it is halved down to @order; every half
 * not holding @pfn becomes an allocated block of the same mobility. Not a
 * kernel operation: the closed loop hands out pieces of a block the model
 * served where the kernel served several smaller ones. Returns 0, -ENOENT
 * when no allocated block covers the range, -EINVAL on misalignment.
 */
int model_carve(struct model *m, uint64_t pfn, unsigned int order);

/**
 * model_join - make [pfn, pfn + 2^order) of allocated order-0 blocks one block
 *
 * Every page must be an allocated order-0 block of the same mobility; they
 * become one allocated block of @order with it. Not a kernel operation: the
 * replay joins the start snapshot's order-0 records of a block that sat on a
 * per-CPU list (zero refcount, not a buddy page: FORMAT.md writes each page
 * alone) when the kernel hands the block out or frees it whole. Returns 0,
 * -ENOENT when a page is not such a block, -EINVAL on misalignment.
 */
int model_join(struct model *m, uint64_t pfn, unsigned int order);

/**
 * model_free - free the 2^order pages at @pfn as __free_frozen_pages() would
 *
 * @pfn must start an allocated block of @order, or lie order-aligned inside a
 * larger one (split_page() then a partial free). Returns 0, or -ENOENT when
 * no allocated block covers [pfn, pfn + 2^order), -EINVAL on misalignment.
 */
int model_free(struct model *m, uint64_t pfn, unsigned int order, unsigned int cpu);

/* drain_all_pages(NULL): every CPU's lists back to the buddy lists */
void model_drain_all(struct model *m);

/* Trace time in ns: drives the pcp high decay (once a second) and kcompactd
 * (woken, or every 500 ms for proactive compaction). */
void model_set_time(struct model *m, uint64_t now_ns);

/* ---- what the model did: events and counters ---- */

enum model_event_type {
	MODEL_EV_EXTFRAG,     /* mm_page_alloc_extfrag */
	MODEL_EV_ZONE_LOCKED, /* mm_page_alloc_zone_locked */
	MODEL_EV_PCPU_DRAIN,  /* mm_page_pcpu_drain */
	MODEL_EV_MIGRATE,     /* an allocated block moved: pfn -> new_pfn (the replay re-keys it) */
	MODEL_EV_COMPACT_BEGIN,    /* mm_compaction_begin */
	MODEL_EV_COMPACT_END,      /* mm_compaction_end: status */
	MODEL_EV_COMPACT_DEFERRED, /* mm_compaction_deferred */
	MODEL_EV_COMPACT_FINISHED, /* mm_compaction_finished: status */
	MODEL_EV_KCOMPACTD_WAKE,   /* mm_compaction_kcompactd_wake */
	MODEL_EV_CAPTURE,          /* a freed block handed to the compacting request */
	MODEL_EV_SPLIT,            /* an allocated block of order became 2^order order-0
				    * blocks at pfn (migration split a large folio) */
};

/* enum compact_result, as include/linux/compaction.h numbers it */
enum model_compact_result {
	MODEL_COMPACT_NOT_SUITABLE_ZONE, MODEL_COMPACT_SKIPPED, MODEL_COMPACT_DEFERRED_RES,
	MODEL_COMPACT_NO_SUITABLE_PAGE, MODEL_COMPACT_CONTINUE, MODEL_COMPACT_COMPLETE,
	MODEL_COMPACT_PARTIAL_SKIPPED, MODEL_COMPACT_CONTENDED, MODEL_COMPACT_SUCCESS_RES,
};

struct model_event {
	enum model_event_type type;
	uint64_t pfn;
	unsigned int order;         /* EXTFRAG: alloc_order */
	int migratetype;            /* EXTFRAG: alloc_migratetype */
	unsigned int fallback_order;          /* EXTFRAG */
	int fallback_migratetype;             /* EXTFRAG */
	bool change_ownership;                /* EXTFRAG: block now of the alloc type */
	bool percpu_refill;                   /* ZONE_LOCKED */
	enum model_zone_type zone;
	uint64_t new_pfn;                     /* MIGRATE: where the block went */
	int status;                           /* COMPACT_END: enum model_compact_result */
	bool sync, direct;                    /* COMPACT_BEGIN/END */
};

/*
 * Set or clear a pageblock's isolate bit (PB_migrate_isolate). The model
 * itself never isolates; the bit only matters to the evacuate variant's claim
 * path, which refuses isolated blocks (RFC 06/40), and is for tests.
 */
int model_set_pageblock_isolate(struct model *m, uint64_t pfn, bool isolate);

/*
 * Set or clear a pageblock's compaction skip hint (PB_compact_skip), as a
 * compaction that found nothing to isolate there leaves it: for tests.
 */
int model_set_pageblock_skip(struct model *m, uint64_t pfn, bool skip);
/* get_pageblock_skip(); false outside the zones */
bool model_pageblock_skip(const struct model *m, uint64_t pfn);

typedef void (*model_event_fn)(void *ctx, const struct model_event *ev);
void model_set_event_fn(struct model *m, model_event_fn fn, void *ctx);

/* Counters, named like /proc/vmstat where the kernel has one. */
enum model_counter {
	MODEL_PGALLOC_DMA, MODEL_PGALLOC_DMA32, MODEL_PGALLOC_NORMAL, MODEL_PGALLOC_MOVABLE,
	MODEL_PGFREE,
	MODEL_ALLOC_REQUESTS,  /* model_alloc calls */
	MODEL_ALLOC_FAIL,      /* requests the model could not satisfy */
	MODEL_ALLOC_SLOWPATH,  /* requests that missed the fast path */
	MODEL_WMARK_OVERRIDE,  /* satisfied only by MODEL_REQ_NO_WATERMARKS */
	MODEL_EXTFRAG_CLAIM,   /* fallbacks that claimed the block */
	MODEL_EXTFRAG_STEAL,   /* fallbacks that took pages and left the block's type */
	MODEL_EXTFRAG_FRAGMENTING, /* fallbacks below pageblock order */
	MODEL_PCP_REFILL_PAGES, /* pages moved buddy -> pcp by rmqueue_bulk */
	MODEL_PCP_DRAIN_PAGES,  /* pages moved pcp -> buddy by free_pcppages_bulk */
	MODEL_WMARK_BOOSTS,     /* boost_watermark() raised a boost */
	MODEL_HIGHATOMIC_RESERVE,   /* pageblocks reserved */
	MODEL_HIGHATOMIC_UNRESERVE, /* unreserve calls that gave pages back */
	/* compaction, as /proc/vmstat names it */
	MODEL_COMPACT_STALL, MODEL_COMPACT_FAIL, MODEL_COMPACT_SUCCESS,
	MODEL_COMPACT_MIGRATE_SCANNED, MODEL_COMPACT_FREE_SCANNED, MODEL_COMPACT_ISOLATED,
	MODEL_COMPACT_DAEMON_WAKE, MODEL_COMPACT_DAEMON_MIGRATE_SCANNED,
	MODEL_COMPACT_DAEMON_FREE_SCANNED,
	MODEL_PGMIGRATE_SUCCESS, MODEL_PGMIGRATE_FAIL,
	MODEL_THP_FAULT_ALLOC, MODEL_THP_FAULT_FALLBACK, /* per fault: MODEL_REQ_THP_FAULT */
	MODEL_COMPACT_CAPTURE,      /* pages handed to a compacting request */
	MODEL_COMPACT_DEFERRED,     /* zones skipped by compaction_deferred() */
	MODEL_COMPACT_PROACTIVE,    /* proactive compact_node() runs */
	MODEL_COMPACT_MANUAL,       /* zones compacted as user space asked (compact_memory) */
	MODEL_OFFLINE_PAGES,        /* pages hot-removed (model_offline()) */
	MODEL_OFFLINE_MIGRATED,     /* pages migrated out of a range being hot-removed */
	MODEL_OFFLINE_BUSY,         /* hot-removals given up: a page could not be moved */
	/* evacuate: the policy's work and cost */
	MODEL_EVACUATE_QUEUED,      /* work items queued by a claim */
	MODEL_EVACUATE_DROPPED,     /* claims that found no free work item */
	MODEL_EVACUATE_SKIPPED,     /* items whose block was MOVABLE again when they ran */
	MODEL_EVACUATE_DONE,        /* items that ran over their block */
	MODEL_EVACUATE_MIGRATED,    /* pages migrated out of evacuated blocks */
	MODEL_EVACUATE_FAILED,      /* pages whose evacuation failed (put back) */
	/* capture-split */
	MODEL_COMPACT_PROMOTED,     /* direct compactions run at pageblock order for a
				     * smaller non-movable request */
	MODEL_COMPACT_PROMOTED_SUCCESS, /* ... after which the request was served: a
					 * pageblock produced (or a capture) */
	MODEL_MIGRATE_SPLIT,        /* large blocks migration split for want of a target
				     * of their order (the kernel's nr_split) */
	/* what an allocation searches (Vlastimil's question): free-list heads
	 * looked at, by path (every variant), and SPBs looked at by the SPB
	 * variants' bounded scans; a per-SPB list head counts as a list head */
	MODEL_SCAN_LISTS_SMALLEST,  /* __rmqueue_smallest() (and 12/40's SPB lists) */
	MODEL_SCAN_LISTS_CLAIM,     /* __rmqueue_claim() (and 11/40's) */
	MODEL_SCAN_LISTS_STEAL,     /* __rmqueue_steal() (and 19/40's) */
	MODEL_SCAN_SPBS_CLAIM,      /* 11/40: tainted SPBs looked at for a claim */
	MODEL_SCAN_SPBS_PACK,       /* 12/40: clean SPBs looked at for a movable request */
	MODEL_SCAN_SPBS_FRAGMENT,   /* 19/40: tainted SPBs looked at for a fragment */
	MODEL_SCAN_SPBS_CONTIG,     /* 17/40: SPBs looked at before direct compaction */
	MODEL_SCAN_RANGES_CONTIG,   /* 17/40: ranges (pageblocks) looked at in them */
	/* superpageblocks: what the steering did */
	MODEL_SPB_CLAIMED_TAINTED,  /* 11/40: claims served inside a tainted SPB */
	MODEL_SPB_PACKED,           /* 12/40: movable requests served from a clean SPB */
	MODEL_SPB_FRAGMENT_STEALS,  /* 19/40: movable fragments taken in a tainted SPB */
	MODEL_SPB_TAINTED,          /* an SPB went from clean to tainted (after seeding) */
	MODEL_SPB_CLEANED,          /* ... and from tainted to clean */
	/* 15/40's per-SPB defrag worker */
	MODEL_SPB_DEFRAG_QUEUED,    /* SPBs queued for the worker */
	MODEL_SPB_DEFRAG_RUNS,      /* runs over a still-tainted SPB below its goal */
	MODEL_SPB_DEFRAG_PAGEBLOCKS, /* movable pageblocks it migrated pages out of */
	MODEL_SPB_DEFRAG_MIGRATED,  /* pages it migrated */
	MODEL_SPB_DEFRAG_FAILED,    /* pages whose migration failed */
	/* 17/40's path before direct compaction (spb_contig.c) */
	MODEL_SPB_CONTIG_TRIES,     /* movable requests >= pageblock order that tried it */
	MODEL_SPB_CONTIG_TAKEN,     /* ... and got a range */
	MODEL_SPB_CONTIG_MIGRATED,  /* pages migrated out of the ranges */
	MODEL_SPB_CONTIG_FAILED,    /* pages whose migration failed */
	MODEL_SPB_EVAC_TRIES,       /* non-movable requests above order 0 that tried it */
	MODEL_SPB_EVAC_SERVED,      /* ... and were served after its evacuation */
	MODEL_SPB_EVAC_PAGEBLOCKS,  /* pageblocks of tainted SPBs it evacuated */
	MODEL_SPB_EVAC_MIGRATED,    /* pages it migrated */
	MODEL_SPB_EVAC_FAILED,      /* pages whose migration failed */
	MODEL_NR_COUNTERS,
};
const char *model_counter_name(enum model_counter c);
uint64_t model_counter(const struct model *m, enum model_counter c);
/* blocks captured by compacting requests, by capture order */
uint64_t model_captures(const struct model *m, unsigned int order);

/* ---- state, for metrics and tests ---- */

unsigned int model_nr_zones(const struct model *m);
/* index of the zone holding @pfn, or -1 */
int model_zone_of(const struct model *m, uint64_t pfn);

struct model_zone_info {
	enum model_zone_type type; /* named by the trace format's frt_zone_idx_name() */
	uint64_t start_pfn, end_pfn, managed;
	uint64_t present;   /* pages; a hot_added zone's grow with it */
	long wmark[3];      /* min, low, high, without boost */
	long watermark_boost;
	long lowmem_reserve[MODEL_NR_ZONE_TYPES];
	long nr_free_pages;       /* NR_FREE_PAGES */
	long nr_free_blocks;      /* NR_FREE_PAGES_BLOCKS: free pages in blocks >= pageblock order */
	long nr_free_highatomic;
	long nr_reserved_highatomic;
	uint64_t nr_free[MODEL_MAX_ORDER_LIMIT + 1][MODEL_NR_MT]; /* free blocks per order and list */
	int pcp_batch, pcp_high_min, pcp_high_max;
	long pcp_count;           /* pages on all CPUs' lists */
	long compact_isolated;    /* free pages a proactive pass under way holds isolated */
};
int model_zone_info(const struct model *m, unsigned int zone, struct model_zone_info *zi);

/* one CPU's pcp state in a zone */
struct model_pcp_info { int count, high, batch, free_count, alloc_factor; };
int model_pcp_info(const struct model *m, unsigned int zone, unsigned int cpu,
		   struct model_pcp_info *pi);

/**
 * struct model_spb_info - the superpageblocks (RFC 08/40), whole node
 * @spbs: SPBs with a pageblock inside a zone
 * @tainted: of which tainted (a pageblock that is not free is unmovable,
 *           reclaimable or reserved)
 * @free: of which every pageblock is free: a 1 GiB page now
 * @pageblocks: pageblocks by enum spb_count order: free, unmovable,
 *              reclaimable, movable, reserved
 */
struct model_spb_info {
	uint64_t spbs, tainted, free;
	uint64_t pageblocks[5];
};
void model_spb_info(const struct model *m, struct model_spb_info *si);
/* pages per superpageblock */
uint64_t model_spb_pages(const struct model *m);

/* what a pfn is, for tests and the replay's sanity checks */
enum model_page_state {
	MODEL_PAGE_UNMANAGED, /* hole, reserved, or not handed to the model */
	MODEL_PAGE_FREE,      /* head of a free buddy block */
	MODEL_PAGE_ALLOC,     /* head of an allocated block */
	MODEL_PAGE_PCP,       /* head of a block on a per-CPU list */
	MODEL_PAGE_TAIL,      /* inside a block whose head is elsewhere */
};
struct model_page_info {
	enum model_page_state state;
	unsigned int order; /* of the block this pfn heads */
	int mt;             /* FREE/PCP: list type; ALLOC: mobility */
	bool compact_isolated; /* ALLOC: a free block compaction holds isolated */
};
int model_page_info(const struct model *m, uint64_t pfn, struct model_page_info *pi);
/*
 * out[i] for each pfn start + i of @n: @flags | the order of the allocated
 * block the pfn heads, 0 for every other pfn (free, pcp, tail, unmanaged);
 * what model_page_info() over the range says of its allocated blocks, in one
 * pass (the replay engine's start map). -EINVAL outside the node.
 */
int model_alloc_orders(const struct model *m, uint64_t start, uint64_t n, uint8_t flags,
		       uint8_t *out);
/* get_pageblock_migratetype(); -1 outside the zones */
int model_pageblock_mt(const struct model *m, uint64_t pfn);

/**
 * model_check - walk every structure and check the invariants
 *
 * Free lists against per-pfn state, no overlap, nr_free and per-type
 * counters, buddies merged wherever __free_one_page() would merge them, pcp
 * counts. Returns 0, or -EUCLEAN with the first broken invariant in @err.
 */
int model_check(const struct model *m, char *err, size_t errlen);

/* a hash of the whole allocator state: equal states, equal hashes */
uint64_t model_hash(const struct model *m);

/* bytes the model allocated for its state */
size_t model_memory_bytes(const struct model *m);

#endif
