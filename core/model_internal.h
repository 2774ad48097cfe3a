/* SPDX-License-Identifier: MIT */
/*
 * model_internal.h - the model's data structures, shared by the core/ sources only.
 *
 * Per pfn: struct mpage, 4 bytes, and struct mlink, 8 bytes, in two arrays
 * (m->pages, m->links) so that the walks over the pfns (seeding, metrics,
 * compaction's scanners) read a third of the memory. Only block heads carry
 * meaning in order/mt and the links; the pages inside a block are
 * MODEL_PAGE_TAIL, kept so by touching heads only (a merge demotes the
 * buddy's head, expand() promotes the split-off halves' heads), so every
 * operation stays O(order).
 *
 * Lists (free_area[order].free_list[mt], pcp->lists[pindex]) are doubly
 * linked through m->links[].next/prev, indexed by pfn - node_start_pfn: insert
 * and remove are O(1) and a list costs no memory beyond its head. A pfn's
 * links are read only while its block is on a list.
 *
 * Names: a function that models a kernel function has that function's name
 * and a comment that opens with it, so that a grep for the kernel name lands
 * on its model. The kernel's leading "__" is spelled raw_ (C reserves names
 * that begin with an underscore): raw_free_one_page() models
 * __free_one_page(), free_one_page() models free_one_page(), raw_rmqueue()
 * models __rmqueue() and rmqueue() models rmqueue(). The model's own helpers
 * (pfn_zone, mark_allocated, mlist_*) take names the kernel does not use;
 * model_* is the public API (model.h).
 */
#ifndef FRAGREPLAY_MODEL_INTERNAL_H
#define FRAGREPLAY_MODEL_INTERNAL_H

#include "model.h"

#define NIL UINT32_MAX

struct mpage {
	uint8_t state;       /* enum model_page_state */
	uint8_t order;       /* head: order of the block */
	uint8_t mt;          /* FREE/PCP: the list's migratetype; ALLOC: mobility */
	/* ALLOC: not on the LRU while compaction holds it as a free target, or
	 * while it waits in an LRU batch after a migration (compaction.c); 0: on it */
	uint8_t compact_gen;
};

struct mlink {
	uint32_t next, prev; /* list links (pfn - node_start) */
};

struct mlist {
	uint32_t head, tail;
	uint64_t nr; /* blocks on the list */
};

/* what one pageblock holds, for the metrics (metrics.c) */
struct pb_usage {
	uint32_t free;    /* pages in FREE blocks */
	uint32_t pcp;     /* pages on pcp lists */
	uint32_t movable; /* pages in MOVABLE allocations */
	bool mixed, tainted;
};

/* alloc_flags, as mm/internal.h numbers them */
#define ALLOC_WMARK_MIN      0x00
#define ALLOC_WMARK_LOW      0x01
#define ALLOC_WMARK_HIGH     0x02
#define ALLOC_NO_WATERMARKS  0x04
#define ALLOC_WMARK_MASK     (ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM            0x08
#define ALLOC_NON_BLOCK      0x10
#define ALLOC_MIN_RESERVE    0x20
#define ALLOC_CPUSET         0x40
#define ALLOC_CMA            0x80
#define ALLOC_NOFRAGMENT     0x100
#define ALLOC_HIGHATOMIC     0x200
#define ALLOC_KSWAPD         0x800
/* the model's own: the kernel served it (MODEL_REQ_NO_WATERMARKS, closed
 * loop), so no watermark applies, but the lowmem reserve still does */
#define ALLOC_FORCED         0x1000
/* the model's own: ALLOC_NOFRAGMENT where defrag_mode is on, its knob read
 * only where a path asks (nofrag()), so that the variants of a shared run
 * (model_share()) part where defrag_mode decides something, not at every
 * slow path it merely enters */
#define ALLOC_NOFRAG_DEFRAG  0x2000
#define ALLOC_RESERVES (ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM)

enum { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

#define PAGE_ALLOC_COSTLY_ORDER 3
#define NR_LOWORDER_PCP_LISTS (MODEL_NR_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))
#define NR_PCP_LISTS (NR_LOWORDER_PCP_LISTS + 2) /* + THP movable / non-movable */
#define PCP_BATCH_SCALE_MAX 5                  /* CONFIG_PCP_BATCH_SCALE_MAX */
#define PCPF_PREV_FREE_HIGH_ORDER 0x1
#define PCPF_FREE_HIGH_BATCH 0x2

/* pageblock byte: migratetype in the low bits, flags above */
#define PB_MT_MASK 0x07
#define PB_SKIP    0x08 /* PB_compact_skip (compaction) */
#define PB_ISOLATE 0x10 /* PB_migrate_isolate: get_pageblock_isolate() */
#define PB_SPB_FREE 0x20 /* the model's own: wholly in a free buddy block, counted so
			  * in its superpageblock (spb.c) */

struct mpcp {
	struct mlist lists[NR_PCP_LISTS];
	int count, high, high_min, high_max, batch, free_count;
	int alloc_factor;
	unsigned int flags;
};

struct free_area {
	struct mlist free_list[MODEL_NR_MT];
	uint64_t nr_free;
};

struct mzone {
	enum model_zone_type type;
	uint64_t start_pfn, end_pfn; /* [start, end) */
	uint64_t present, managed;
	bool hot_added;            /* empty at the start: model_grow grows present too */
	long wmark[NR_WMARK];
	long watermark_boost;
	long lowmem_reserve[MODEL_NR_ZONE_TYPES];
	struct free_area area[MODEL_MAX_ORDER_LIMIT + 1];
	long nr_free_pages;        /* NR_FREE_PAGES (isolate excluded) */
	long nr_free_highatomic;
	long nr_free_cma;
	long nr_free_blocks;       /* NR_FREE_PAGES_BLOCKS */
	long nr_reserved_highatomic;
	bool boosted_watermark;    /* ZONE_BOOSTED_WATERMARK */
	bool below_high;           /* ZONE_BELOW_HIGH */
	bool reclaim_active;       /* ZONE_RECLAIM_ACTIVE: kswapd is reclaiming (the trace says) */
	/* compaction state of struct zone */
	uint64_t compact_cached_migrate_pfn[2]; /* [async, sync] */
	uint64_t compact_cached_free_pfn;
	uint64_t compact_init_migrate_pfn, compact_init_free_pfn;
	bool compact_blockskip_flush;
	unsigned int compact_considered, compact_defer_shift;
	int compact_order_failed;
	struct mpcp *pcp;          /* [nr_cpus] */
};

/*
 * A superpageblock (RFC 08/40's struct superpageblock): a 1 GiB-aligned
 * range of 2^spb_order pageblocks. Its pageblocks are counted once each:
 * free (wholly in a free buddy block) or by their type. Tainted: any
 * pageblock that is not free is UNMOVABLE, RECLAIMABLE or reserved.
 */
enum spb_count { SPB_FREE, SPB_UNMOVABLE, SPB_RECLAIMABLE, SPB_MOVABLE, SPB_RESERVED,
		 SPB_NR_COUNTS };
enum spb_category { SPB_CLEAN, SPB_TAINTED, SPB_NR_CATEGORIES };
/* fullness: quarters of free pages, fullest first; the last is wholly free */
#define SPB_NR_FULLNESS 5

struct spb {
	uint32_t nr[SPB_NR_COUNTS];  /* pageblocks */
	uint32_t present;            /* pageblocks inside a zone */
	uint64_t free_pages;         /* pages in free buddy blocks */
	/* free blocks by order and list: what 14/40's per-SPB free lists hold */
	uint32_t nr_free[MODEL_MAX_ORDER_LIMIT + 1][MODEL_NR_MT];
	uint32_t next, prev;         /* on spb_list[category][fullness] */
	uint8_t category, fullness;
	/* 15/40's defrag worker (spb_defrag.c) */
	bool defrag_queued;
	uint64_t defrag_due_ns, defrag_quiet_until_ns;
};

/* struct compact_control: one compaction (or evacuation) run over a zone */
struct compact_control {
	struct mzone *z;
	struct mlist freepages[MODEL_MAX_ORDER_LIMIT + 1];
	struct mlist migratepages;
	long nr_freepages, nr_migratepages;
	uint64_t free_pfn, migrate_pfn;
	uint64_t total_migrate_scanned, total_free_scanned;
	unsigned int fast_search_fail;
	/* fast_find_migrateblock()'s lowest find this run: 0 none yet,
	 * UINT64_MAX taken (reinit_migrate_pfn()) */
	uint64_t fast_start_pfn;
	int search_order;
	int order; /* -1: compact everything (proactive) */
	int migratetype, highest_zoneidx, mode;
	unsigned int alloc_flags, cpu;
	uint32_t gfp_mask;
	bool ignore_skip_hint, ignore_block_suitable, direct_compaction, proactive_compaction;
	bool whole_zone, finish_pageblock;
	/* compact_zone()'s locals kept between its steps (compact_zone_step()):
	 * where it last migrated from, and whether a run that isolated
	 * nothing yet may move the sync cached position */
	uint64_t last_migrated;
	bool update_cached;
};

struct model {
	unsigned int nr_zones, nr_cpus;
	unsigned int node_cpus; /* the node's CPUs, over which pcp high is split (pcp.c) */
	struct mzone zones[MODEL_NR_ZONE_TYPES];
	int zone_of_type[MODEL_NR_ZONE_TYPES]; /* index into zones[], -1 if absent */
	long knobs[MODEL_NR_KNOBS];
	unsigned int pageblock_order, max_order;
	uint64_t pageblock_nr_pages;
	uint64_t node_start, node_end;       /* pfn span of pages[] */
	struct mpage *pages;                 /* [node_end - node_start] */
	struct mlink *links;                 /* [node_end - node_start] */
	uint8_t *pageblocks;                 /* [((node_end - pb_base) >> pageblock_order) + 1] */
	uint64_t pb_base;                    /* node_start rounded down to a pageblock */
	uint64_t nr_pageblocks;              /* entries of pageblocks[] */
	/* the metrics' per-pageblock summaries, and the pageblocks changed since
	 * they were taken: every list insert/delete, allocation and retype marks
	 * its pageblocks (pb_touch), so a sample redoes only those (metrics.c) */
	uint64_t *pb_dirty;                  /* bitmap over pageblocks[] */
	/* per pfn, read at the head of an allocated block: folio_mapping()
	 * is not NULL (page cache, shmem), as far as the request's gfp says
	 * (page_mapping_set()); 0: anonymous */
	uint64_t *mapping;
	struct pb_usage *pb_cache;
	uint64_t counters[MODEL_NR_COUNTERS];
	uint64_t captures[MODEL_MAX_ORDER_LIMIT + 1]; /* by capture order */
	model_event_fn event_fn;
	void *event_ctx;
	uint64_t now_ns, next_decay_ns;
	bool pcp_free_high_batch;
	unsigned int pmd_order;              /* HPAGE_PMD_ORDER; UINT32_MAX: no THP pcp lists */
	/* kswapd woken while a boost is up resets every zone's boost once it has
	 * reclaimed that many pages (balance_pgdat's nr_boost_reclaim); reclaim is
	 * not modelled, so the model counts the pages the trace frees instead */
	bool kswapd_boost_pending;
	long kswapd_boost_left;
	/* kswapd awake (wakeup_kswapd() found the node unbalanced) until the
	 * trace's frees balance it again: then it sleeps and wakes kcompactd
	 * at the order it was woken for (kswapd_try_to_sleep()) */
	bool kswapd_running;
	int kswapd_order, kswapd_highest_zoneidx;
	/* capture_control of the request now in direct compaction, or NULL */
	struct capture_control *capc;
	/* kcompactd: pgdat->kcompactd_max_order/highest_zoneidx, and when it
	 * next runs on the trace clock (woken: at the next model_set_time) */
	int kcompactd_max_order, kcompactd_highest_zoneidx;
	bool kcompactd_woken;
	uint64_t next_proactive_ns, proactive_timeout_ns;
	/* kcompactd's proactive pass (compact_node(pgdat, true)) under way beside
	 * the trace's requests: whether one runs, the zone index it compacts, its
	 * compact_control (.z NULL between zones), the trace time its
	 * migrations have used up to (kcompactd_ns_per_page each page), and the
	 * node's score when it began, which kcompactd() compares at its end */
	bool proactive_running;
	unsigned int proactive_zone;
	struct compact_control proactive_cc;
	uint64_t proactive_clock_ns;
	unsigned int proactive_prev_score;
	uint64_t rng; /* xorshift state, from the seed knob */
	uint8_t compact_gen;   /* LRU-batch generation of migrated blocks (compaction.c) */
	unsigned int lru_batch; /* blocks migrated into since the last LRU-batch drain */
	uint64_t *migrate_src, *migrate_dst; /* one migration batch: a pageblock at most */
	unsigned int cur_cpu;   /* the CPU of the request being served */
	/* evacuate (RFC 06/40): the items taken from the pool, oldest first */
	struct evac_item *evac;
	unsigned int evac_cap, evac_head, evac_n;
	/* superpageblocks (spb.c): [nr_spb], the first at spb_base */
	struct spb *spb;
	uint32_t nr_spb, nr_spb_present, nr_spb_tainted;
	unsigned int spb_shift;              /* pages per superpageblock, as an order */
	uint64_t spb_base;
	uint32_t spb_list[SPB_NR_CATEGORIES][SPB_NR_FULLNESS]; /* heads, NIL: empty */
	unsigned int spb_defrag_queued;      /* SPBs waiting for the defrag worker */
	/*
	 * 14/40's per-SPB free lists, kept only where a variant searches them
	 * (spb_claim, spb_pack or spb_fragments; else NULL): per page, links
	 * parallel to pages[].next/prev; per SPB, order and list, head and
	 * tail. Each keeps its zone list's order restricted to the SPB, so its
	 * head is the first of the SPB's blocks on the zone's list (spb.c).
	 */
	struct spb_link { uint32_t next, prev; } *spb_links;
	struct spb_link *spb_heads; /* [nr_spb][MODEL_MAX_ORDER_LIMIT + 1][MODEL_NR_MT]: head, tail */
	bool in_spb_contig;                  /* 17/40's path runs: its targets' allocations
					      * do not enter it again (spb_contig.c) */
	/*
	 * compare's shared run (model_share()): bit k set when the variants
	 * this model runs for differ in knob k; the first knob() of such a
	 * knob sets parted, as from there on they may differ. 0 in a clone.
	 */
	uint64_t knob_split;
	bool parted;
	long knob_min[MODEL_NR_KNOBS], knob_max[MODEL_NR_KNOBS]; /* over the variants */
};

/* an evacuation work item (RFC 06/40's struct evacuate_item) */
struct evac_item {
	uint64_t pfn, due_ns; /* pageblock; when the worker may start it */
	unsigned int cpu;     /* where it was queued, and runs */
};

/* struct capture_control: the request's order and type, apart from compaction's */
struct capture_control {
	struct mzone *zone;    /* the zone being compacted, NULL between zones */
	unsigned int order;    /* capture order */
	int migratetype;
	uint64_t pfn;          /* the captured block, or MODEL_PFN_NONE */
};

/* FREE, ALLOC or PCP: a pfn that starts a block */
static inline bool page_is_head(const struct mpage *p)
{
	return p->state == MODEL_PAGE_FREE || p->state == MODEL_PAGE_ALLOC ||
	       p->state == MODEL_PAGE_PCP;
}

/* a loop compiled twice, its AVX2 copy picked at load time where the CPU has it */
#if defined(__x86_64__)
#define CLONES_AVX2 __attribute__((target_clones("avx2", "default")))
#else
#define CLONES_AVX2
#endif

/*
 * A knob that decides something: every read of a knob variants may differ in
 * (model_share()) goes through here, after the conditions that do not
 * depend on it, so that a shared run parts where the knob first matters.
 */
static inline long knob(const struct model *m, enum model_knob k)
{
	if (__builtin_expect((m->knob_split >> k) & 1, 0))
		((struct model *)m)->parted = true; /* never a const object */
	return m->knobs[k];
}

/*
 * A decision @f(value of knob @k) that is monotone in the value (false up to
 * some value, true from there on, or the other way round): the model's own,
 * and the variants of a shared run agree on it exactly when their smallest
 * and largest values do. So a sweep of values parts only where one of them
 * would decide otherwise, not at every read.
 */
static inline bool knob_monotone(const struct model *m, enum model_knob k,
				 bool (*f)(long v, const void *ctx), const void *ctx)
{
	if (__builtin_expect((m->knob_split >> k) & 1, 0) &&
	    f(m->knob_min[k], ctx) != f(m->knob_max[k], ctx))
		((struct model *)m)->parted = true;
	return f(m->knobs[k], ctx);
}

/* ALLOC_NOFRAGMENT in @alloc_flags, ALLOC_NOFRAG_DEFRAG's as defrag_mode says */
static inline bool nofrag(const struct model *m, unsigned int alloc_flags)
{
	return (alloc_flags & ALLOC_NOFRAGMENT) ||
	       ((alloc_flags & ALLOC_NOFRAG_DEFRAG) && knob(m, MODEL_KNOB_DEFRAG_MODE));
}

static inline struct mpage *pg(const struct model *m, uint64_t pfn)
{
	return &m->pages[pfn - m->node_start];
}

static inline uint32_t pidx(const struct model *m, uint64_t pfn)
{
	return (uint32_t)(pfn - m->node_start);
}

static inline uint64_t ipfn(const struct model *m, uint32_t idx)
{
	return m->node_start + idx;
}

static inline uint8_t *pb_byte(const struct model *m, uint64_t pfn)
{
	return &m->pageblocks[(pfn - m->pb_base) >> m->pageblock_order];
}

static inline int pb_mt(const struct model *m, uint64_t pfn)
{
	return *pb_byte(m, pfn) & PB_MT_MASK;
}

/* the allocated block at @pfn has a mapping (struct model.mapping) */
static inline bool page_mapping(const struct model *m, uint64_t pfn)
{
	uint64_t i = pfn - m->node_start;

	return m->mapping[i >> 6] >> (i & 63) & 1;
}

static inline void page_mapping_set(struct model *m, uint64_t pfn, bool mapped)
{
	uint64_t i = pfn - m->node_start;

	if (mapped)
		m->mapping[i >> 6] |= 1ull << (i & 63);
	else
		m->mapping[i >> 6] &= ~(1ull << (i & 63));
}

/* the pageblocks of [pfn, pfn + 2^order) changed: the metrics redo them */
static inline void pb_touch(const struct model *m, uint64_t pfn, unsigned int order)
{
	uint64_t i = (pfn - m->pb_base) >> m->pageblock_order;

	if (order <= m->pageblock_order) {
		m->pb_dirty[i >> 6] |= 1ull << (i & 63);
		return;
	}
	for (uint64_t n = 1ull << (order - m->pageblock_order); n; n--, i++)
		m->pb_dirty[i >> 6] |= 1ull << (i & 63);
}

void spb_retype(struct model *m, uint64_t pfn, int old_mt, int new_mt);

static inline void set_pb_mt(struct model *m, uint64_t pfn, int mt)
{
	uint8_t *b = pb_byte(m, pfn);
	int old = *b & PB_MT_MASK;

	*b = (uint8_t)((*b & ~PB_MT_MASK) | mt);
	pb_touch(m, pfn, 0);
	if (old != mt && !(*b & PB_SPB_FREE))
		spb_retype(m, pfn, old, mt);
}

static inline uint64_t pageblock_start(const struct model *m, uint64_t pfn)
{
	return pfn & ~(m->pageblock_nr_pages - 1);
}

static inline bool zone_spans(const struct mzone *z, uint64_t pfn)
{
	return pfn >= z->start_pfn && pfn < z->end_pfn;
}

static inline bool mt_is_mergeable(int mt)
{
	return mt < MODEL_NR_PCPTYPES; /* migratetype_is_mergeable() */
}

/* every pageblock to be redone by the next metrics (metrics.c) */
void pb_touch_all(struct model *m);

/* lists (core/model.c) */
void mlist_init(struct mlist *l);
void mlist_add(struct model *m, struct mlist *l, uint64_t pfn, bool tail);
void mlist_del(struct model *m, struct mlist *l, uint64_t pfn);

static inline uint64_t mlist_first(const struct model *m, const struct mlist *l)
{
	return l->head == NIL ? MODEL_PFN_NONE : ipfn(m, l->head);
}

static inline uint64_t mlist_last(const struct model *m, const struct mlist *l)
{
	return l->tail == NIL ? MODEL_PFN_NONE : ipfn(m, l->tail);
}

static inline void count_event(struct model *m, enum model_counter c, uint64_t n)
{
	m->counters[c] += n;
}

static inline void emit(struct model *m, const struct model_event *ev)
{
	if (m->event_fn)
		m->event_fn(m->event_ctx, ev);
}

/* xorshift64 from the seed knob: the model's only randomness */
static inline uint64_t model_rand(struct model *m)
{
	if (!m->rng)
		m->rng = (uint64_t)knob(m, MODEL_KNOB_SEED) * 0x9E3779B97F4A7C15ull | 1;
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng;
}

static inline bool knob_positive(long v, const void *ctx)
{
	(void)ctx;
	return v > 0;
}

static inline bool knob_above(long v, const void *ctx)
{
	return v > *(const long *)ctx;
}

static inline bool knob_at_least(long v, const void *ctx)
{
	return v >= *(const long *)ctx;
}

/* a migration fails, migrate_fail_permille times in 1000 (the model's only
 * randomness: no draw at all where it is 0) */
static inline bool migrate_fails(struct model *m)
{
	if (!knob_monotone(m, MODEL_KNOB_MIGRATE_FAIL_PERMILLE, knob_positive, NULL))
		return false;
	long r = (long)(model_rand(m) % 1000);
	return knob_monotone(m, MODEL_KNOB_MIGRATE_FAIL_PERMILLE, knob_above, &r);
}

/* spb.c: RFC 08/40's superpageblock bookkeeping, on in every variant */
static inline struct spb *pfn_spb(const struct model *m, uint64_t pfn)
{
	return &m->spb[(pfn - m->spb_base) >> m->spb_shift];
}
int spb_init(struct model *m);
bool spb_lists_wanted(const struct model *m);
int spb_lists_build(struct model *m);
void spb_free_rotate(struct model *m, uint32_t head, uint32_t last);
void spb_free_add(struct model *m, uint64_t pfn, unsigned int order, int mt, bool tail);
void spb_free_del(struct model *m, uint64_t pfn, unsigned int order, int mt);
void spb_free_move(struct model *m, uint64_t pfn, unsigned int order, int old_mt, int new_mt);
/* the SPBs of @category, fullest first: NIL starts, NIL ends */
uint32_t spb_iter_next(const struct model *m, int category, uint32_t cur);
/* 14/40 by its effect: the head of the SPB's own free list of (@order, @mt) in @z */
uint64_t spb_first_free(struct model *m, const struct mzone *z, uint32_t sb, unsigned int order,
			int mt);
int spb_check(const struct model *m, char *err, size_t errlen);

/* spb_claim.c (11/40), spb_fragments.c (19/40), spb_pack.c (12/40), spb_defrag.c (15/40) */
uint64_t spb_rmqueue_claim(struct model *m, struct mzone *z, unsigned int order, int start_mt,
			   unsigned int alloc_flags);
uint64_t spb_rmqueue_fragment(struct model *m, struct mzone *z, unsigned int order, int start_mt);
uint64_t spb_pack_pick(struct model *m, const struct mzone *z, unsigned int order,
		       unsigned int *found_order);
void spb_defrag_consider(struct model *m, struct spb *sb);
void spb_defrag_tick(struct model *m);
/* spb_contig.c (17/40), called from __alloc_pages_direct_compact() (alloc.c) */
uint64_t spb_try_alloc_contig(struct model *m, unsigned int order, int highest_zoneidx,
			      unsigned int cpu);
bool spb_evacuate_tainted(struct model *m, int mt, int highest_zoneidx, unsigned int cpu);
/* buddy.c: alloc_contig_range()'s isolation, for spb_contig.c */
void take_isolated_range(struct model *m, struct mzone *z, uint64_t start, unsigned int order,
			 int mobility);
void unisolate_range(struct model *m, struct mzone *z, uint64_t start, uint64_t end, int mt);
uint64_t offline_isolated_range(struct model *m, struct mzone *z, uint64_t start, uint64_t end);
/* [start, end) all free blocks (@holes: pfns the zone does not manage count
 * as free: memory being offlined); alloc_contig_range()'s and
 * offline_pages()'s test that a range emptied */
bool range_free(const struct model *m, uint64_t start, uint64_t end, bool holes);
/* metrics.c: what the pageblock at @pb holds, inside @z */
void pageblock_usage(const struct model *m, const struct mzone *z, uint64_t pb,
		     struct pb_usage *u);

/* buddy.c */
extern const int fallbacks[MODEL_NR_PCPTYPES][MODEL_NR_PCPTYPES - 1];
bool should_try_claim_block(const struct model *m, unsigned int order, int start_mt);
uint64_t try_to_claim_block(struct model *m, struct mzone *z, uint64_t pfn,
			    unsigned int current_order, unsigned int order, int start_mt,
			    int block_mt, unsigned int alloc_flags);
void page_del_and_expand(struct model *m, struct mzone *z, uint64_t pfn, unsigned int low,
			 unsigned int high, int mt);
void emit_extfrag(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order,
		  unsigned int fallback_order, int start_mt, int fallback_mt);
struct mzone *pfn_zone(struct model *m, uint64_t pfn);
void free_block_to_head(struct model *m, struct mzone *z, uint64_t pfn);
void raw_free_one_page(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order, int mt,
		       bool to_tail);
void free_one_page(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order,
		   bool to_tail);
uint64_t raw_rmqueue_smallest(struct model *m, struct mzone *z, unsigned int order, int mt);
enum rmqueue_mode { RMQUEUE_NORMAL, RMQUEUE_CMA, RMQUEUE_CLAIM, RMQUEUE_STEAL };
uint64_t raw_rmqueue(struct model *m, struct mzone *z, unsigned int order, int mt,
		     unsigned int alloc_flags, enum rmqueue_mode *mode);
void reserve_highatomic_pageblock(struct model *m, struct mzone *z, uint64_t pfn,
				  unsigned int order);
bool unreserve_highatomic_pageblock(struct model *m, int highest_zoneidx, int mt, bool force);
void mark_allocated(struct model *m, uint64_t pfn, unsigned int order, int mobility);
/* model.c: the pages after a block's head, tails of it */
void mark_tails(struct model *m, uint64_t pfn, unsigned int order);
/* split_page(): the allocated block at @head becomes blocks of @order */
void split_allocated(struct model *m, uint64_t head, unsigned int order);
void place_free_block(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order, int mt);
long merge_seeded_buddies(struct model *m, struct mzone *z);
long move_freepages_block(struct model *m, struct mzone *z, uint64_t pfn, int old_mt, int new_mt);
long raw_isolate_free_page(struct model *m, struct mzone *z, uint64_t pfn);

/* pcp.c */
bool pcp_allowed_order(const struct model *m, unsigned int order);
uint64_t rmqueue_pcplist(struct model *m, struct mzone *z, unsigned int order, int mt,
			 unsigned int alloc_flags, unsigned int cpu);
/* order_to_pindex(): the pcp list of (@mt, @order) */
unsigned int pcp_list_index(int mt, unsigned int order);
void free_frozen_page_commit(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order,
			     int mt, unsigned int cpu);
void drain_pages_zone(struct model *m, struct mzone *z, unsigned int cpu);
void decay_pcp_high(struct model *m, struct mzone *z, struct mpcp *pcp);
void setup_zone_pageset(struct model *m, struct mzone *z, const struct model_zone_desc *d);

/* compaction.c */
#define COMPACT_CLUSTER_MAX 32
enum migrate_mode { MIGRATE_ASYNC, MIGRATE_SYNC_LIGHT, MIGRATE_SYNC };

/*
 * Blocks that are not PageLRU although allocated and movable: the free
 * blocks compaction isolated as targets (never on the LRU), and blocks just
 * migrated into, which wait in this CPU's LRU batch until it is drained
 * (lru_add_drain_cpu_zone(), or a full batch of PAGEVEC_SIZE). The first
 * carry ISOLATED_FREE in mpage.compact_gen; the second the LRU-batch
 * generation, which a drain moves on.
 */
#define ISOLATED_FREE 255

/* enum compact_priority: lower is harder */
enum { COMPACT_PRIO_SYNC_FULL, COMPACT_PRIO_SYNC_LIGHT, COMPACT_PRIO_ASYNC };
#define MIN_COMPACT_PRIORITY COMPACT_PRIO_SYNC_FULL
#define MIN_COMPACT_COSTLY_PRIORITY COMPACT_PRIO_SYNC_LIGHT
#define DEF_COMPACT_PRIORITY COMPACT_PRIO_SYNC_LIGHT
#define INIT_COMPACT_PRIORITY COMPACT_PRIO_ASYNC
void compaction_init_zone(struct model *m, struct mzone *z);
int try_to_compact_pages(struct model *m, uint32_t gfp, unsigned int order,
			 unsigned int alloc_flags, int highest_zoneidx, unsigned int cpu, int prio,
			 struct capture_control *capc);
void compaction_defer_reset(struct mzone *z, int order, bool alloc_success);
void migrate_folio_move(struct model *m, struct mzone *src_zone, uint64_t src, uint64_t dst,
			unsigned int cpu);
void isolate_migratepages_block(struct model *m, struct compact_control *cc, uint64_t low,
				uint64_t end);
void putback_movable_pages(struct model *m, struct compact_control *cc);
void wakeup_kcompactd(struct model *m, int order, int highest_zoneidx);
void kcompactd_tick(struct model *m);
void kcompactd_stop_pass(struct model *m, const struct mzone *z);

/* capture_split.c: Johannes Weiner's 2026 defrag_mode series (knob capture_split) */
unsigned int capture_split_compact_order(const struct model *m, unsigned int alloc_flags,
					 struct capture_control *capc);
void trim_capture(struct model *m, uint64_t pfn, unsigned int high, unsigned int order);
bool capture_split_movable_source(const struct model *m, const struct compact_control *cc);

/* evacuate.c: Rik van Riel's RFC PATCH 06/40 (knob evacuate) */
int evacuate_init(struct model *m);
void evacuate_release(struct model *m);
bool evacuate_refuses_claim(const struct model *m, uint64_t pfn);
void evacuate_after_claim(struct model *m, uint64_t start, int block_mt, int start_mt);
void evacuate_tick(struct model *m);
/* migrate the movable pages of [start, start + pageblock) out, counted in @migrated/@failed;
 * returns the pages migrated */
uint64_t evacuate_block(struct model *m, uint64_t start, unsigned int cpu, bool contig,
			enum model_counter migrated, enum model_counter failed);

/* metrics.c: mm/vmstat.c's free-block arithmetic, shared with compaction */
struct contig_page_info {
	uint64_t free_pages, free_blocks_total, free_blocks_suitable;
};
void zone_contig_page_info(const struct model *m, const struct mzone *z,
			   unsigned int suitable_order, struct contig_page_info *info);
int raw_fragmentation_index(unsigned int order, const struct contig_page_info *info);

/* alloc.c */
bool pgdat_balanced(const struct model *m, int order, int highest_zoneidx);
void kswapd_tick(struct model *m);
bool raw_zone_watermark_ok(const struct model *m, const struct mzone *z, unsigned int order,
			   long mark, int highest_zoneidx, unsigned int alloc_flags,
			   long free_pages);

/* zone_watermark_ok(): against the zone's own NR_FREE_PAGES */
static inline bool zone_watermark_ok(const struct model *m, const struct mzone *z,
				     unsigned int order, long mark, int highest_zoneidx,
				     unsigned int alloc_flags)
{
	return raw_zone_watermark_ok(m, z, order, mark, highest_zoneidx, alloc_flags,
				     z->nr_free_pages);
}
void wakeup_kswapd(struct model *m);
void raw_free_frozen_pages(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order,
			   unsigned int cpu);

#endif
