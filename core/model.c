/* SPDX-License-Identifier: MIT */
/*
 * model.c - building a model: zones, watermarks, knobs, initial memory, and
 * the read-only accessors. The allocator itself is in buddy.c, pcp.c,
 * alloc.c and compaction.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "model_internal.h"

/*
 * The knob table: every knob once (model.h, struct model_knob_spec). A
 * sysctl's range is the kernel's, the extra1..extra2 of its ctl_table entry
 * (proc_dointvec_minmax; INT_MAX, the int's, when there is no extra2). The
 * other ranges are the model's, each said where it is.
 */
static const struct model_knob_spec knob_specs[MODEL_NR_KNOBS] = {
	/* mm/page_alloc.c page_alloc_sysctl_table: SYSCTL_ZERO.. */
	[MODEL_KNOB_WATERMARK_BOOST_FACTOR] = { "watermark_boost_factor", "watermark_boost_factor",
		"after a fragmenting fallback, boost the watermarks by up to factor/10000 of high",
		15000, 0, INT_MAX },
	/* mm/page_alloc.c: SYSCTL_ONE..SYSCTL_THREE_THOUSAND */
	[MODEL_KNOB_WATERMARK_SCALE_FACTOR] = { "watermark_scale_factor", "watermark_scale_factor",
		"gap between the watermarks, per 10000 of the zone's memory", 10, 1, 3000 },
	/* mm/page_alloc.c: SYSCTL_ZERO..; 0 is the model's "compute it as
	 * init_per_zone_wmark_min() does" */
	[MODEL_KNOB_MIN_FREE_KBYTES] = { "min_free_kbytes", "min_free_kbytes",
		"the zones' min watermarks together, in KiB; 0: computed as at boot", 0, 0, INT_MAX },
	/* mm/page_alloc.c: SYSCTL_ZERO..SYSCTL_ONE */
	[MODEL_KNOB_DEFRAG_MODE] = { "defrag_mode", "defrag_mode",
		"no fragmenting fallback until reclaim and compaction fail", 0, 0, 1 },
	/* mm/compaction.c vm_compaction: SYSCTL_ZERO..max_extfrag_threshold (1000) */
	[MODEL_KNOB_EXTFRAG_THRESHOLD] = { "extfrag_threshold", "extfrag_threshold",
		"compaction is skipped while the fragmentation index is at most this", 500, 0, 1000 },
	/* mm/compaction.c: SYSCTL_ZERO..SYSCTL_ONE_HUNDRED */
	[MODEL_KNOB_COMPACTION_PROACTIVENESS] = { "compaction_proactiveness",
		"compaction_proactiveness", "kcompactd's proactive compaction target; 0: off",
		20, 0, 100 },
	/* mm/Kconfig PAGE_BLOCK_MAX_ORDER: 1..MAX_PAGE_ORDER; here up to the
	 * model's limit, and model_new() refuses one above max_page_order */
	[MODEL_KNOB_PAGEBLOCK_ORDER] = { "pageblock_order", NULL,
		"pageblock_order (as recorded), at most max_page_order", 9, 1, MODEL_MAX_ORDER_LIMIT },
	/* include/linux/mmzone.h: 10, or ARCH_FORCE_MAX_ORDER; here up to the model's limit */
	[MODEL_KNOB_MAX_PAGE_ORDER] = { "max_page_order", NULL,
		"MAX_PAGE_ORDER (as recorded)", 10, 1, MODEL_MAX_ORDER_LIMIT },
	[MODEL_KNOB_COMPACTION] = { "compaction", NULL,
		"1: direct compaction and kcompactd run; 0: no compaction", 1, 0, 1 },
	/* a probability, in thousandths */
	[MODEL_KNOB_MIGRATE_FAIL_PERMILLE] = { "migrate_fail_permille", NULL,
		"migrations that fail, per 1000 (pinned or busy pages)", 0, 0, 1000 },
	/* 32 bits: it seeds a 64-bit xorshift state (multiplied in), and is easy to quote */
	[MODEL_KNOB_SEED] = { "seed", NULL,
		"seed of the model's only randomness (migration failures)", 1, 0, UINT32_MAX },
	[MODEL_KNOB_EVACUATE] = { "evacuate", NULL,
		"1: RFC 06/40's async evacuation of claimed movable blocks", 0, 0, 1 },
	/* the pool is allocated with the model: 2^20 items, one per pageblock
	 * of a 2 TiB node, is more than any backlog needs; 0: every
	 * evacuation is dropped */
	[MODEL_KNOB_EVACUATE_POOL] = { "evacuate_pool", NULL,
		"evacuation work items (NR_EVACUATE_ITEMS); none free: dropped", 64, 0, 1 << 20 },
	/* up to an hour of trace time, which keeps the due time (ns) from overflowing */
	[MODEL_KNOB_EVACUATE_LATENCY_US] = { "evacuate_latency_us", NULL,
		"queue to worker start, trace clock (irq_work + kworker)", 1000, 0, 3600L * 1000000 },
	[MODEL_KNOB_CAPTURE_SPLIT] = { "capture_split", NULL,
		"1: the 2026 defrag_mode series (promoted non-movable compaction)", 0, 0, 1 },
	[MODEL_KNOB_CAPTURE_ORDER] = { "capture_order", NULL,
		"capture at 0: the request's order (3/4), 1: compaction's order", 0, 0, 1 },
	/* on by default: the kernel splits (README "Fidelity" has the measurements) */
	[MODEL_KNOB_MIGRATE_SPLIT] = { "migrate_split", NULL,
		"1: compaction splits a large block it has no target of its order for", 1, 0, 1 },
	/* RFC 08/40: a superpageblock is PUD-sized, 512 pageblocks of 2 MiB on
	 * x86-64; smaller for tests. Never below one MAX_PAGE_ORDER block. */
	[MODEL_KNOB_SPB_ORDER] = { "spb_order", NULL,
		"pageblocks per superpageblock, as an order (9: 1 GiB)", 9, 0, 12 },
	[MODEL_KNOB_SPB_CLAIM] = { "spb_claim", NULL,
		"1: RFC 11/40, a non-movable claim prefers a pageblock in a tainted SPB", 0, 0, 1 },
	[MODEL_KNOB_SPB_CLAIM_SCAN] = { "spb_claim_scan", NULL,
		"tainted SPBs 11/40 looks at per claim, fullest first", 8, 1, 1 << 20 },
	[MODEL_KNOB_SPB_PACK] = { "spb_pack", NULL,
		"1: RFC 12/40, a movable request prefers the fullest clean SPB", 0, 0, 1 },
	[MODEL_KNOB_SPB_PACK_SCAN] = { "spb_pack_scan", NULL,
		"clean SPBs 12/40 looks at per movable request, fullest first", 8, 1, 1 << 20 },
	[MODEL_KNOB_SPB_FRAGMENTS] = { "spb_fragments", NULL,
		"1: RFC 19/40, non-movable requests take movable fragments in tainted SPBs",
		0, 0, 1 },
	[MODEL_KNOB_SPB_FRAGMENTS_MIN_SPBS] = { "spb_fragments_min_spbs", NULL,
		"19/40 applies on nodes with more SPBs than this", 8, 0, 1 << 20 },
	[MODEL_KNOB_SPB_DEFRAG] = { "spb_defrag", NULL,
		"1: RFC 15/40, the per-SPB defrag worker evacuates tainted SPBs", 0, 0, 1 },
	/* up to an hour of trace time, as evacuate_latency_us */
	[MODEL_KNOB_SPB_DEFRAG_LATENCY_US] = { "spb_defrag_latency_us", NULL,
		"SPB queued to worker start, trace clock", 1000, 0, 3600L * 1000000 },
	[MODEL_KNOB_SPB_DEFRAG_COOLDOWN_MS] = { "spb_defrag_cooldown_ms", NULL,
		"after a run short of its goal, the SPB is not queued again for this long",
		1000, 0, 3600L * 1000 },
	[MODEL_KNOB_SPB_CONTIG] = { "spb_contig", NULL,
		"1: RFC 17/40, SPB-guided contiguous allocation before direct compaction",
		0, 0, 1 },
	[MODEL_KNOB_SPB_CONTIG_SCAN] = { "spb_contig_scan", NULL,
		"ranges (pageblocks) 17/40 looks at per request", 64, 1, 1 << 20 },
	[MODEL_KNOB_FEEDBACK] = { "feedback", NULL,
		"1: closed loop (callers' fallbacks, DESIGN.md); 0: open loop, as before", 1, 0, 1 },
	/* up to an hour of trace time, as evacuate_latency_us */
	[MODEL_KNOB_FEEDBACK_WINDOW_US] = { "feedback_window_us", NULL,
		"how long after a kernel failure the task's fallback requests are absorbed",
		10000, 0, 3600L * 1000000 },
	/* oo_order(s->min): unknown to a trace; orders as the model's limit */
	[MODEL_KNOB_SLUB_MIN_ORDER] = { "slub_min_order", NULL,
		"SLUB's retry order after a failed high-order slab (a cache's s->min)", 0, 0,
		MODEL_MAX_ORDER_LIMIT },
	/* mapping_min_folio_order(): unknown to a trace */
	[MODEL_KNOB_PAGECACHE_MIN_ORDER] = { "pagecache_min_order", NULL,
		"lowest order a large page-cache folio falls back to (the mapping's minimum)", 0,
		0, MODEL_MAX_ORDER_LIMIT },
	/* the kernel's pass runs while the workload goes on, and the model's
	 * steps with the trace clock at this rate (compaction.c
	 * proactive_pass_advance()): measured on thp-compaction-pressure, 0.541 s
	 * for its one pass of 196,435 pages (2.75 us a page; 2.2..2.6 us on
	 * slab-pagecache-interleave, about 6 us on the perf-recorded
	 * import-perf-thp-anon); up to 1 ms a page */
	[MODEL_KNOB_KCOMPACTD_NS_PER_PAGE] = { "kcompactd_ns_per_page", NULL,
		"trace time a proactive compaction pass takes per page it migrates; 0: none",
		2750, 0, 1000000 },
	/* read when the model is built from a snapshot (replay/setup.c) */
	[MODEL_KNOB_START_FROM_TRACE] = { "start_from_trace", NULL,
		"where the trace's first event on a page disagrees with the start snapshot: "
		"1: a page first taken from the buddy lists starts free (with read times, "
		"format 1.2, every first event after the walk read the page: as 2); 2: also "
		"one first freed starts allocated, one first allocated or drained on its pcp "
		"list; 0: as the snapshot",
		1, 0, 2 },
	/* kswapd frees in batches of SWAP_CLUSTER_MAX with microseconds between
	 * them while balance_pgdat() runs (ab-storm-m0-r1: 99.9% of the gaps
	 * between its frees under 1 ms); a longer gap is taken as its end */
	[MODEL_KNOB_KSWAPD_IDLE_US] = { "kswapd_idle_us", NULL,
		"zones are ZONE_RECLAIM_ACTIVE (small pcp lists) from a free by kswapd until it "
		"has freed nothing for this long; 0: never", 1000, 0, 3600L * 1000000 },
	/* read when the model is built from a snapshot (replay/setup.c): no
	 * snapshot has PB_compact_skip; on by default since kcompactd's phase
	 * follows every sleep (README "Fidelity") */
	[MODEL_KNOB_START_SKIP_HINTS] = { "start_skip_hints", NULL,
		"1: pageblocks the trace's first compaction run over them went past without "
		"scanning start with their compaction skip hint set (MOVABLE ones only for an "
		"async run); 0: no hint set at the start",
		1, 0, 1 },
	/* off by default: measured on the 20 samples it places a few % more
	 * allocations where the kernel did, but no validate score or A/B
	 * verdict is better for it, and it flips the sign of defrag_mode's
	 * mixed pageblocks on pagecache-holes-slab (README, "The start's list
	 * order"): a way to see whether a result stands on the start's order */
	[MODEL_KNOB_START_LIST_ORDER] = { "start_list_order", NULL,
		"1: the start's free blocks the trace first takes pages of go to the heads of "
		"their lists, the first taken first; 0: the lists in pfn order",
		0, 0, 1 },
};

const struct model_knob_spec *model_knob_spec(enum model_knob k)
{
	return (unsigned int)k < MODEL_NR_KNOBS ? &knob_specs[k] : NULL;
}

static const char *const counter_names[MODEL_NR_COUNTERS] = {
	[MODEL_PGALLOC_DMA] = "pgalloc_dma",
	[MODEL_PGALLOC_DMA32] = "pgalloc_dma32",
	[MODEL_PGALLOC_NORMAL] = "pgalloc_normal",
	[MODEL_PGALLOC_MOVABLE] = "pgalloc_movable",
	[MODEL_PGFREE] = "pgfree",
	[MODEL_ALLOC_REQUESTS] = "model_alloc_requests",
	[MODEL_ALLOC_FAIL] = "model_alloc_fail",
	[MODEL_ALLOC_SLOWPATH] = "model_alloc_slowpath",
	[MODEL_WMARK_OVERRIDE] = "model_wmark_override",
	[MODEL_EXTFRAG_CLAIM] = "model_extfrag_claim",
	[MODEL_EXTFRAG_STEAL] = "model_extfrag_steal",
	[MODEL_EXTFRAG_FRAGMENTING] = "model_extfrag_fragmenting",
	[MODEL_PCP_REFILL_PAGES] = "model_pcp_refill_pages",
	[MODEL_PCP_DRAIN_PAGES] = "model_pcp_drain_pages",
	[MODEL_WMARK_BOOSTS] = "model_watermark_boosts",
	[MODEL_HIGHATOMIC_RESERVE] = "model_highatomic_reserve",
	[MODEL_HIGHATOMIC_UNRESERVE] = "model_highatomic_unreserve",
	[MODEL_COMPACT_STALL] = "compact_stall",
	[MODEL_COMPACT_FAIL] = "compact_fail",
	[MODEL_COMPACT_SUCCESS] = "compact_success",
	[MODEL_COMPACT_MIGRATE_SCANNED] = "compact_migrate_scanned",
	[MODEL_COMPACT_FREE_SCANNED] = "compact_free_scanned",
	[MODEL_COMPACT_ISOLATED] = "compact_isolated",
	[MODEL_COMPACT_DAEMON_WAKE] = "compact_daemon_wake",
	[MODEL_COMPACT_DAEMON_MIGRATE_SCANNED] = "compact_daemon_migrate_scanned",
	[MODEL_COMPACT_DAEMON_FREE_SCANNED] = "compact_daemon_free_scanned",
	[MODEL_PGMIGRATE_SUCCESS] = "pgmigrate_success",
	[MODEL_PGMIGRATE_FAIL] = "pgmigrate_fail",
	[MODEL_THP_FAULT_ALLOC] = "thp_fault_alloc",
	[MODEL_THP_FAULT_FALLBACK] = "thp_fault_fallback",
	[MODEL_COMPACT_CAPTURE] = "model_compact_capture",
	[MODEL_COMPACT_DEFERRED] = "model_compact_deferred",
	[MODEL_COMPACT_PROACTIVE] = "model_compact_proactive",
	[MODEL_COMPACT_MANUAL] = "model_compact_manual",
	[MODEL_OFFLINE_PAGES] = "model_offline_pages",
	[MODEL_OFFLINE_MIGRATED] = "model_offline_migrated",
	[MODEL_OFFLINE_BUSY] = "model_offline_busy",
	[MODEL_EVACUATE_QUEUED] = "model_evacuate_queued",
	[MODEL_EVACUATE_DROPPED] = "model_evacuate_dropped",
	[MODEL_EVACUATE_SKIPPED] = "model_evacuate_skipped",
	[MODEL_EVACUATE_DONE] = "model_evacuate_done",
	[MODEL_EVACUATE_MIGRATED] = "model_evacuate_migrated",
	[MODEL_EVACUATE_FAILED] = "model_evacuate_failed",
	[MODEL_COMPACT_PROMOTED] = "model_compact_promoted",
	[MODEL_COMPACT_PROMOTED_SUCCESS] = "model_compact_promoted_success",
	[MODEL_MIGRATE_SPLIT] = "model_migrate_split",
	[MODEL_SCAN_LISTS_SMALLEST] = "model_scan_lists_smallest",
	[MODEL_SCAN_LISTS_CLAIM] = "model_scan_lists_claim",
	[MODEL_SCAN_LISTS_STEAL] = "model_scan_lists_steal",
	[MODEL_SCAN_SPBS_CLAIM] = "model_scan_spbs_claim",
	[MODEL_SCAN_SPBS_PACK] = "model_scan_spbs_pack",
	[MODEL_SCAN_SPBS_FRAGMENT] = "model_scan_spbs_fragment",
	[MODEL_SCAN_SPBS_CONTIG] = "model_scan_spbs_contig",
	[MODEL_SCAN_RANGES_CONTIG] = "model_scan_ranges_contig",
	[MODEL_SPB_CLAIMED_TAINTED] = "model_spb_claimed_tainted",
	[MODEL_SPB_PACKED] = "model_spb_packed",
	[MODEL_SPB_FRAGMENT_STEALS] = "model_spb_fragment_steals",
	[MODEL_SPB_TAINTED] = "model_spb_tainted",
	[MODEL_SPB_CLEANED] = "model_spb_cleaned",
	[MODEL_SPB_DEFRAG_QUEUED] = "model_spb_defrag_queued",
	[MODEL_SPB_DEFRAG_RUNS] = "model_spb_defrag_runs",
	[MODEL_SPB_DEFRAG_PAGEBLOCKS] = "model_spb_defrag_pageblocks",
	[MODEL_SPB_DEFRAG_MIGRATED] = "model_spb_defrag_migrated",
	[MODEL_SPB_DEFRAG_FAILED] = "model_spb_defrag_failed",
	[MODEL_SPB_CONTIG_TRIES] = "model_spb_contig_tries",
	[MODEL_SPB_CONTIG_TAKEN] = "model_spb_contig_taken",
	[MODEL_SPB_CONTIG_MIGRATED] = "model_spb_contig_migrated",
	[MODEL_SPB_CONTIG_FAILED] = "model_spb_contig_failed",
	[MODEL_SPB_EVAC_TRIES] = "model_spb_evac_tries",
	[MODEL_SPB_EVAC_SERVED] = "model_spb_evac_served",
	[MODEL_SPB_EVAC_PAGEBLOCKS] = "model_spb_evac_pageblocks",
	[MODEL_SPB_EVAC_MIGRATED] = "model_spb_evac_migrated",
	[MODEL_SPB_EVAC_FAILED] = "model_spb_evac_failed",
};

void model_desc_init(struct model_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->nr_cpus = 1;
	for (int k = 0; k < MODEL_NR_KNOBS; k++)
		d->knobs[k] = knob_specs[k].def;
}

long model_knob(const struct model *m, enum model_knob k)
{
	return (unsigned int)k < MODEL_NR_KNOBS ? m->knobs[k] : 0;
}

const char *model_counter_name(enum model_counter c)
{
	return (unsigned int)c < MODEL_NR_COUNTERS ? counter_names[c] : NULL;
}

uint64_t model_counter(const struct model *m, enum model_counter c)
{
	return (unsigned int)c < MODEL_NR_COUNTERS ? m->counters[c] : 0;
}

/* ---- lists ---- */

void mlist_init(struct mlist *l)
{
	l->head = l->tail = NIL;
	l->nr = 0;
}

void mlist_add(struct model *m, struct mlist *l, uint64_t pfn, bool tail)
{
	uint32_t i = pidx(m, pfn);
	struct mlink *p = &m->links[i];

	pb_touch(m, pfn, m->pages[i].order);
	if (l->head == NIL) {
		p->next = p->prev = NIL;
		l->head = l->tail = i;
	} else if (tail) {
		p->prev = l->tail;
		p->next = NIL;
		m->links[l->tail].next = i;
		l->tail = i;
	} else {
		p->next = l->head;
		p->prev = NIL;
		m->links[l->head].prev = i;
		l->head = i;
	}
	l->nr++;
}

void mlist_del(struct model *m, struct mlist *l, uint64_t pfn)
{
	uint32_t i = pidx(m, pfn);
	struct mlink *p = &m->links[i];

	pb_touch(m, pfn, m->pages[i].order);
	if (p->prev == NIL)
		l->head = p->next;
	else
		m->links[p->prev].next = p->next;
	if (p->next == NIL)
		l->tail = p->prev;
	else
		m->links[p->next].prev = p->prev;
	p->next = p->prev = NIL;
	l->nr--;
}

/* ---- construction ---- */

/*
 * The per-pfn arrays are tens of MB and touched at random. Anonymous memory
 * comes zeroed, and a zeroed struct mpage is an unmanaged page (a zeroed
 * struct mlink is never read: links are read only while a page is on a
 * list), so the arrays need no pass to initialise them and cost nothing
 * where nothing is written: the links of a pageblock with no free or pcp
 * page stay untouched, and a model_clone() copies only what was written
 * (copy_pfn_array()). They take the system's page size: asking for
 * transparent huge pages (MADV_HUGEPAGE, as this did before 31bdc77) gained
 * no measurable CPU time on the largest sample, and on a guest that reports
 * free memory to its host (virtio-balloon free page reporting, order 9
 * here) each fresh huge page was a host fault: 0.4 GB/s against 2 GB/s in
 * 4 KiB pages, which made a 4-variant compare's copies 0.2-0.5 s of its
 * ~1 s (README, "Benchmarks"). Freed by free_pfn_array() with the same size.
 */
static size_t pfn_array_len(size_t bytes)
{
	const size_t page = 4096;

	return (bytes + page - 1) & ~(page - 1);
}

static void *alloc_pfn_array(size_t bytes)
{
	void *p = mmap(NULL, pfn_array_len(bytes), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void free_pfn_array(void *p, size_t bytes)
{
	if (p)
		munmap(p, pfn_array_len(bytes));
}

/*
 * A copy of one pfn array into a fresh one (alloc_pfn_array()): only the
 * pages of @src that are mapped (mincore()) are copied. A page never touched
 * holds zeros, as the fresh copy does already, and reading it would map the
 * zero page into @src, whose next write there then replaces it with a TLB
 * flush on every CPU of the process (an IPI each, a VM exit on a guest); and
 * writing its zeros into @dst would fault in memory for nothing. Where
 * mincore() fails, a plain copy.
 */
static void copy_pfn_array(void *dst, const void *src, size_t bytes)
{
	enum { VEC = 16384 }; /* pages asked about at a time: 16 KiB on this thread's stack */
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char vec[VEC];

	for (size_t off = 0; off < bytes; off += VEC * page) {
		size_t n = bytes - off < VEC * page ? bytes - off : VEC * page;
		size_t pages = (n + page - 1) / page;

		if (mincore((char *)src + off, n, vec)) {
			memcpy((char *)dst + off, (const char *)src + off, n);
			continue;
		}
		for (size_t i = 0, j; i < pages; i = j) {
			for (j = i; j < pages && (vec[j] & 1) == (vec[i] & 1); j++)
				;
			if (vec[i] & 1) { /* pages [i, j) are mapped */
				size_t from = i * page, to = j * page < n ? j * page : n;

				memcpy((char *)dst + off + from, (const char *)src + off + from,
				       to - from);
			}
		}
	}
}

_Static_assert(MODEL_PAGE_UNMANAGED == 0, "a zeroed struct mpage is an unmanaged page");

/* int_sqrt() */
static uint64_t int_sqrt(uint64_t x)
{
	uint64_t r = 0, bit = 1ull << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/*
 * __setup_per_zone_wmarks() (mm/page_alloc.c, 6.18) for zones whose
 * description leaves the watermarks at 0, after calculate_min_free_kbytes()
 * when min_free_kbytes is 0. Differs: every zone counts as lowmem, ZONE_MOVABLE
 * included, which the kernel leaves out of lowmem_pages and gives a small min
 * of its own (managed / 1024, clamped to 32..128).
 */
static void raw_setup_per_zone_wmarks(struct model *m, const struct model_desc *d)
{
	uint64_t lowmem = 0;

	for (unsigned int i = 0; i < m->nr_zones; i++)
		lowmem += m->zones[i].managed;
	if (!m->knobs[MODEL_KNOB_MIN_FREE_KBYTES]) {
		long kb = (long)int_sqrt(lowmem * 4 * 16); /* lowmem_kbytes * 16 */

		m->knobs[MODEL_KNOB_MIN_FREE_KBYTES] = kb < 128 ? 128 : kb > 262144 ? 262144 : kb;
	}
	uint64_t pages_min = (uint64_t)m->knobs[MODEL_KNOB_MIN_FREE_KBYTES] >> 2;

	for (unsigned int i = 0; i < m->nr_zones; i++) {
		struct mzone *z = &m->zones[i];
		const struct model_zone_desc *zd = &d->zones[i];

		if (zd->wmark_min) {
			z->wmark[WMARK_MIN] = (long)zd->wmark_min;
			z->wmark[WMARK_LOW] = (long)zd->wmark_low;
			z->wmark[WMARK_HIGH] = (long)zd->wmark_high;
			continue;
		}
		uint64_t tmp = lowmem ? pages_min * z->managed / lowmem : 0;
		uint64_t scale = z->managed * (uint64_t)m->knobs[MODEL_KNOB_WATERMARK_SCALE_FACTOR] /
				 10000;

		z->wmark[WMARK_MIN] = (long)tmp;
		tmp = (tmp >> 2) > scale ? tmp >> 2 : scale;
		z->wmark[WMARK_LOW] = z->wmark[WMARK_MIN] + (long)tmp;
		z->wmark[WMARK_HIGH] = z->wmark[WMARK_LOW] + (long)tmp;
	}
}

/* setup_per_zone_lowmem_reserve(), with the default ratios 256/256/32/0 */
static void setup_per_zone_lowmem_reserve(struct model *m, const struct model_desc *d)
{
	static const long ratio[MODEL_NR_ZONE_TYPES] = { 256, 256, 32, 0 };

	for (unsigned int i = 0; i < m->nr_zones; i++) {
		const struct model_zone_desc *zd = &d->zones[i];
		bool given = false;

		for (int t = 0; t < MODEL_NR_ZONE_TYPES; t++)
			given |= zd->lowmem_reserve[t] != 0;
		struct mzone *z = &m->zones[i];
		if (given) {
			for (int t = 0; t < MODEL_NR_ZONE_TYPES; t++)
				z->lowmem_reserve[t] = (long)zd->lowmem_reserve[t];
			continue;
		}
		uint64_t managed = 0;
		for (unsigned int j = i + 1; j < m->nr_zones; j++) {
			managed += m->zones[j].managed;
			long r = ratio[z->type];
			z->lowmem_reserve[m->zones[j].type] = r ? (long)(managed / r) : 0;
		}
		/* zone types above the highest present one see the same reserve */
		for (int t = 1; t < MODEL_NR_ZONE_TYPES; t++)
			if (m->zone_of_type[t] < 0 && t > (int)z->type)
				z->lowmem_reserve[t] = z->lowmem_reserve[t - 1];
	}
}

static int check_desc(const struct model_desc *d)
{
	long pb = d->knobs[MODEL_KNOB_PAGEBLOCK_ORDER], mo = d->knobs[MODEL_KNOB_MAX_PAGE_ORDER];

	if (!d->nr_zones || d->nr_zones > MODEL_NR_ZONE_TYPES || !d->nr_cpus || d->nr_cpus > 4096)
		return -1;
	if (mo < 1 || mo > MODEL_MAX_ORDER_LIMIT || pb < 1 || pb > mo)
		return -1;
	for (unsigned int i = 0; i < d->nr_zones; i++) {
		const struct model_zone_desc *z = &d->zones[i];

		if ((unsigned int)z->type >= MODEL_NR_ZONE_TYPES || !z->spanned)
			return -1;
		if (i && (z->type <= d->zones[i - 1].type ||
			  z->start_pfn < d->zones[i - 1].start_pfn + d->zones[i - 1].spanned))
			return -1;
	}
	uint64_t span = d->zones[d->nr_zones - 1].start_pfn + d->zones[d->nr_zones - 1].spanned -
			d->zones[0].start_pfn;
	return span >= NIL ? -1 : 0;
}

struct model *model_new(const struct model_desc *d)
{
	struct model *m;

	if (check_desc(d)) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	memcpy(m->knobs, d->knobs, sizeof(m->knobs));
	m->nr_zones = d->nr_zones;
	m->nr_cpus = d->nr_cpus;
	m->node_cpus = d->node_cpus && d->node_cpus <= d->nr_cpus ? d->node_cpus : d->nr_cpus;
	m->pageblock_order = (unsigned int)d->knobs[MODEL_KNOB_PAGEBLOCK_ORDER];
	m->max_order = (unsigned int)d->knobs[MODEL_KNOB_MAX_PAGE_ORDER];
	m->pageblock_nr_pages = 1ull << m->pageblock_order;
	m->pcp_free_high_batch = d->pcp_free_high_batch;
	/* HPAGE_PMD_ORDER is x86-64's 9 whatever pageblock_order is; a model too
	 * small for it has no THP pcp lists */
	m->pmd_order = m->max_order >= 9 ? 9 : UINT32_MAX;
	for (int t = 0; t < MODEL_NR_ZONE_TYPES; t++)
		m->zone_of_type[t] = -1;

	m->node_start = d->zones[0].start_pfn;
	m->node_end = d->zones[d->nr_zones - 1].start_pfn + d->zones[d->nr_zones - 1].spanned;
	m->pb_base = m->node_start & ~(m->pageblock_nr_pages - 1);
	uint64_t npages = m->node_end - m->node_start;
	uint64_t nblocks = ((m->node_end - m->pb_base) >> m->pageblock_order) + 1;

	m->pages = alloc_pfn_array(npages * sizeof(*m->pages));
	m->links = alloc_pfn_array(npages * sizeof(*m->links));
	m->pageblocks = calloc(nblocks, 1);
	m->nr_pageblocks = nblocks;
	m->pb_dirty = calloc((nblocks + 63) / 64, sizeof(uint64_t));
	m->pb_cache = calloc(nblocks, sizeof(*m->pb_cache));
	m->mapping = calloc((npages + 63) / 64, sizeof(uint64_t));
	m->migrate_src = malloc(m->pageblock_nr_pages * sizeof(uint64_t));
	m->migrate_dst = malloc(m->pageblock_nr_pages * sizeof(uint64_t));
	if (!m->pages || !m->links || !m->pageblocks || !m->migrate_src || !m->migrate_dst ||
	    !m->pb_dirty || !m->pb_cache || !m->mapping)
		goto nomem;
	pb_touch_all(m);
	if (evacuate_init(m))
		goto nomem;
	memset(m->pageblocks, MODEL_MT_MOVABLE, nblocks);

	for (unsigned int i = 0; i < m->nr_zones; i++) {
		const struct model_zone_desc *zd = &d->zones[i];
		struct mzone *z = &m->zones[i];

		z->type = zd->type;
		z->start_pfn = zd->start_pfn;
		z->end_pfn = zd->start_pfn + zd->spanned;
		z->present = zd->present ? zd->present : zd->spanned;
		z->managed = zd->managed ? zd->managed : z->present;
		m->zone_of_type[z->type] = (int)i;
		for (unsigned int o = 0; o <= MODEL_MAX_ORDER_LIMIT; o++)
			for (int mt = 0; mt < MODEL_NR_MT; mt++)
				mlist_init(&z->area[o].free_list[mt]);
		z->pcp = calloc(m->nr_cpus, sizeof(*z->pcp));
		if (!z->pcp)
			goto nomem;
	}
	if (spb_init(m))
		goto nomem;
	raw_setup_per_zone_wmarks(m, d);
	setup_per_zone_lowmem_reserve(m, d);
	for (unsigned int i = 0; i < m->nr_zones; i++) {
		setup_zone_pageset(m, &m->zones[i], &d->zones[i]);
		compaction_init_zone(m, &m->zones[i]);
		if (d->zones[i].hot_added) {
			/* no memory until online_pages() (model_grow) */
			m->zones[i].hot_added = true;
			m->zones[i].present = m->zones[i].managed = 0;
		}
	}
	m->kcompactd_highest_zoneidx = MODEL_NR_ZONE_TYPES - 1;
	m->compact_gen = 1; /* the LRU batch's generation; 0 marks blocks on the LRU */
	m->next_decay_ns = UINT64_MAX; /* armed by the first model_set_time() */
	return m;
nomem:
	model_free_all(m);
	errno = ENOMEM;
	return NULL;
}

void model_free_all(struct model *m)
{
	if (!m)
		return;
	for (unsigned int i = 0; i < m->nr_zones; i++)
		free(m->zones[i].pcp);
	free_pfn_array(m->pages, (m->node_end - m->node_start) * sizeof(*m->pages));
	free_pfn_array(m->links, (m->node_end - m->node_start) * sizeof(*m->links));
	free(m->pageblocks);
	free(m->pb_dirty);
	free(m->pb_cache);
	free(m->mapping);
	free(m->spb);
	free(m->spb_links);
	free(m->spb_heads);
	evacuate_release(m);
	free(m->migrate_src);
	free(m->migrate_dst);
	free(m);
}

/* knobs model_new() and the seeding read: a clone cannot change them */
static bool structural_knob(int k)
{
	return k == MODEL_KNOB_PAGEBLOCK_ORDER || k == MODEL_KNOB_MAX_PAGE_ORDER ||
	       k == MODEL_KNOB_MIN_FREE_KBYTES || k == MODEL_KNOB_WATERMARK_SCALE_FACTOR ||
	       k == MODEL_KNOB_SPB_ORDER || /* the superpageblocks' geometry (spb_init()) */
	       k == MODEL_KNOB_START_FROM_TRACE || /* the seed itself (replay/setup.c) */
	       k == MODEL_KNOB_START_SKIP_HINTS || k == MODEL_KNOB_START_LIST_ORDER;
}

/* @v for knob @k is what @m was built with (min_free_kbytes 0: the build's own) */
static bool knob_as_built(const struct model *m, int k, long v)
{
	return v == m->knobs[k] || (k == MODEL_KNOB_MIN_FREE_KBYTES && !v);
}

struct model *model_clone(const struct model *src, const long *knobs)
{
	uint64_t npages = src->node_end - src->node_start;
	struct model *m;

	for (int k = 0; k < MODEL_NR_KNOBS && knobs; k++)
		if (structural_knob(k) && !knob_as_built(src, k, knobs[k])) {
			errno = EINVAL;
			return NULL;
		}
	if (src->capc) { /* between requests only */
		errno = EBUSY;
		return NULL;
	}
	m = malloc(sizeof(*m));
	if (!m)
		return NULL;
	*m = *src;
	for (unsigned int i = 0; i < m->nr_zones; i++)
		m->zones[i].pcp = NULL;
	m->pages = NULL, m->links = NULL, m->pageblocks = NULL, m->pb_dirty = NULL;
	m->pb_cache = NULL, m->mapping = NULL;
	m->migrate_src = m->migrate_dst = NULL, m->evac = NULL, m->spb = NULL;
	m->spb_links = m->spb_heads = NULL;
	m->event_fn = NULL, m->event_ctx = NULL;
	m->knob_split = 0, m->parted = false;
	for (int k = 0; k < MODEL_NR_KNOBS && knobs; k++)
		if (!structural_knob(k))
			m->knobs[k] = knobs[k];
	m->pages = alloc_pfn_array(npages * sizeof(*m->pages));
	m->links = alloc_pfn_array(npages * sizeof(*m->links));
	m->pageblocks = malloc(m->nr_pageblocks);
	m->pb_dirty = malloc((m->nr_pageblocks + 63) / 64 * sizeof(uint64_t));
	m->pb_cache = malloc(m->nr_pageblocks * sizeof(*m->pb_cache));
	m->mapping = malloc((npages + 63) / 64 * sizeof(uint64_t));
	m->migrate_src = malloc(m->pageblock_nr_pages * sizeof(uint64_t));
	m->migrate_dst = malloc(m->pageblock_nr_pages * sizeof(uint64_t));
	m->spb = malloc(m->nr_spb * sizeof(*m->spb));
	if (!m->pages || !m->links || !m->pageblocks || !m->pb_dirty || !m->pb_cache ||
	    !m->mapping || !m->migrate_src || !m->migrate_dst || (m->nr_spb && !m->spb) ||
	    evacuate_init(m))
		goto nomem;
	memcpy(m->spb, src->spb, m->nr_spb * sizeof(*m->spb));
	copy_pfn_array(m->pages, src->pages, npages * sizeof(*m->pages));
	memcpy(m->mapping, src->mapping, (npages + 63) / 64 * sizeof(uint64_t));
	/*
	 * Every list's links (free lists, pcp lists, a proactive pass's
	 * isolated pages) in one sequential copy of the pages ever written:
	 * walking the lists to copy only theirs was a cache miss per block, 3x
	 * the time mid-replay on the largest sample.
	 */
	copy_pfn_array(m->links, src->links, npages * sizeof(*m->links));
	/* kcompactd's proactive pass under way: its zone in the copy */
	if (src->proactive_running && src->proactive_cc.z)
		m->proactive_cc.z = &m->zones[src->proactive_cc.z - src->zones];
	/* evacuate's queued items, oldest first (the copy's pool may be larger:
	 * a pool of another size decides nothing until an item is queued) */
	if (src->evac_n > m->evac_cap) {
		model_free_all(m);
		errno = EINVAL;
		return NULL;
	}
	for (unsigned int i = 0; i < src->evac_n; i++)
		m->evac[i] = src->evac[(src->evac_head + i) % src->evac_cap];
	m->evac_head = 0;
	memcpy(m->pageblocks, src->pageblocks, m->nr_pageblocks);
	memcpy(m->pb_dirty, src->pb_dirty, (m->nr_pageblocks + 63) / 64 * sizeof(uint64_t));
	memcpy(m->pb_cache, src->pb_cache, m->nr_pageblocks * sizeof(*m->pb_cache));
	for (unsigned int i = 0; i < m->nr_zones; i++) {
		m->zones[i].pcp = malloc(m->nr_cpus * sizeof(*m->zones[i].pcp));
		if (!m->zones[i].pcp)
			goto nomem;
		memcpy(m->zones[i].pcp, src->zones[i].pcp, m->nr_cpus * sizeof(*m->zones[i].pcp));
	}
	if (spb_lists_wanted(m) && spb_lists_build(m))
		goto nomem;
	return m;
nomem:
	model_free_all(m);
	errno = ENOMEM;
	return NULL;
}

/* the knobs every read of which that decides something is a knob() */
static bool shareable_knob(int k)
{
	return k == MODEL_KNOB_DEFRAG_MODE || k == MODEL_KNOB_EVACUATE ||
	       k == MODEL_KNOB_EVACUATE_POOL || k == MODEL_KNOB_EVACUATE_LATENCY_US ||
	       k == MODEL_KNOB_CAPTURE_SPLIT || k == MODEL_KNOB_CAPTURE_ORDER ||
	       k == MODEL_KNOB_MIGRATE_SPLIT || k == MODEL_KNOB_WATERMARK_BOOST_FACTOR ||
	       k == MODEL_KNOB_EXTFRAG_THRESHOLD || k == MODEL_KNOB_COMPACTION_PROACTIVENESS ||
	       k == MODEL_KNOB_COMPACTION || k == MODEL_KNOB_MIGRATE_FAIL_PERMILLE ||
	       k == MODEL_KNOB_KCOMPACTD_NS_PER_PAGE || k == MODEL_KNOB_SEED;
}

int model_share(struct model *m, const long (*knobs)[MODEL_NR_KNOBS], int n)
{
	uint64_t split = 0;

	_Static_assert(MODEL_NR_KNOBS <= 64, "knob_split has a bit per knob");
	memcpy(m->knob_min, m->knobs, sizeof(m->knob_min));
	memcpy(m->knob_max, m->knobs, sizeof(m->knob_max));
	for (int i = 0; i < n; i++)
		for (int k = 0; k < MODEL_NR_KNOBS; k++) {
			if (knob_as_built(m, k, knobs[i][k]))
				continue;
			if (!shareable_knob(k))
				return -EINVAL;
			split |= 1ull << k;
			if (knobs[i][k] < m->knob_min[k])
				m->knob_min[k] = knobs[i][k];
			if (knobs[i][k] > m->knob_max[k])
				m->knob_max[k] = knobs[i][k];
		}
	m->knob_split = split;
	m->parted = false;
	return 0;
}

bool model_parted(const struct model *m)
{
	return m->parted;
}

size_t model_memory_bytes(const struct model *m)
{
	uint64_t npages = m->node_end - m->node_start;
	uint64_t nblocks = ((m->node_end - m->pb_base) >> m->pageblock_order) + 1;

	return sizeof(*m) + npages * (sizeof(*m->pages) + sizeof(*m->links)) + nblocks +
	       (npages + 63) / 64 * sizeof(*m->mapping) +
	       m->nr_spb * sizeof(*m->spb) +
	       m->nr_zones * m->nr_cpus * sizeof(struct mpcp) +
	       (m->spb_links ? npages * sizeof(*m->spb_links) +
			       (size_t)m->nr_spb * (MODEL_MAX_ORDER_LIMIT + 1) * MODEL_NR_MT *
				       sizeof(*m->spb_heads) : 0);
}

void model_set_event_fn(struct model *m, model_event_fn fn, void *ctx)
{
	m->event_fn = fn;
	m->event_ctx = ctx;
}

void model_set_managed(struct model *m, enum model_zone_type zone, uint64_t managed)
{
	if ((unsigned int)zone < MODEL_NR_ZONE_TYPES && m->zone_of_type[zone] >= 0)
		m->zones[m->zone_of_type[zone]].managed = managed;
}

/*
 * The trace clock: vmstat_update runs decay_pcp_high() on every CPU about
 * once a second, and kcompactd runs when woken or its 500 ms timer expires.
 */
void model_set_time(struct model *m, uint64_t now_ns)
{
	const uint64_t second = 1000000000ull;

	m->now_ns = now_ns;
	kswapd_tick(m);
	kcompactd_tick(m);
	evacuate_tick(m);
	spb_defrag_tick(m);
	if (m->next_decay_ns == UINT64_MAX) {
		m->next_decay_ns = now_ns + second;
		return;
	}
	while (now_ns >= m->next_decay_ns) {
		for (unsigned int i = 0; i < m->nr_zones; i++)
			for (unsigned int c = 0; c < m->nr_cpus; c++)
				decay_pcp_high(m, &m->zones[i], &m->zones[i].pcp[c]);
		m->next_decay_ns += second;
		if (now_ns >= m->next_decay_ns && now_ns - m->next_decay_ns > 3600 * second)
			/* a gap of over an hour in the trace: skip ahead */
			m->next_decay_ns = now_ns + second;
	}
}

int model_set_pageblock_isolate(struct model *m, uint64_t pfn, bool isolate)
{
	if (!pfn_zone(m, pfn))
		return -EINVAL;
	if (isolate)
		*pb_byte(m, pfn) |= PB_ISOLATE;
	else
		*pb_byte(m, pfn) &= (uint8_t)~PB_ISOLATE;
	return 0;
}

int model_set_pageblock_skip(struct model *m, uint64_t pfn, bool skip)
{
	if (!pfn_zone(m, pfn))
		return -EINVAL;
	if (skip)
		*pb_byte(m, pfn) |= PB_SKIP;
	else
		*pb_byte(m, pfn) &= (uint8_t)~PB_SKIP;
	return 0;
}

bool model_pageblock_skip(const struct model *m, uint64_t pfn)
{
	return model_zone_of(m, pfn) >= 0 && (*pb_byte(m, pfn) & PB_SKIP);
}

/* ---- initial memory ---- */

static int range_unmanaged(struct model *m, uint64_t pfn, uint64_t nr, struct mzone **zp)
{
	struct mzone *z = pfn_zone(m, pfn);

	if (!z || !nr || pfn + nr > z->end_pfn || pfn + nr < pfn)
		return -EINVAL;
	/* no exit at the first managed page: a loop the compiler vectorises, for
	 * the runs of millions of pages model_seed_alloc_run() checks */
	const struct mpage *p = pg(m, pfn);
	uint8_t managed = 0;

	for (uint64_t i = 0; i < nr; i++)
		managed |= p[i].state; /* MODEL_PAGE_UNMANAGED is 0 */
	if (managed)
		return -EINVAL;
	*zp = z;
	return 0;
}

void mark_tails(struct model *m, uint64_t pfn, unsigned int order)
{
	for (uint64_t p = pfn + 1; p < pfn + (1ull << order); p++) {
		struct mpage *t = pg(m, p);
		t->state = MODEL_PAGE_TAIL;
		t->order = 0;
	}
}

/*
 * Models memblock_free_pages()/deferred_free_pages(): the largest aligned
 * chunks up to MAX_PAGE_ORDER, each through __free_pages_core() to the tail.
 */
int model_online(struct model *m, uint64_t pfn, uint64_t nr)
{
	struct mzone *z;
	int ret = range_unmanaged(m, pfn, nr, &z);

	if (ret)
		return ret;
	for (uint64_t p = pageblock_start(m, pfn); p < pfn + nr; p += m->pageblock_nr_pages)
		set_pb_mt(m, p, MODEL_MT_MOVABLE);
	uint64_t end = pfn + nr;
	while (pfn < end) {
		unsigned int order = m->max_order;

		while (order && ((pfn & ((1ull << order) - 1)) || pfn + (1ull << order) > end))
			order--;
		mark_tails(m, pfn, order);
		pg(m, pfn)->state = MODEL_PAGE_ALLOC; /* as if allocated, then freed */
		free_one_page(m, z, pfn, order, true);
		pfn += 1ull << order;
	}
	return 0;
}

int model_grow(struct model *m, uint64_t pfn, uint64_t nr)
{
	struct mzone *z = pfn_zone(m, pfn);
	int ret = model_online(m, pfn, nr);

	if (!ret) {
		z->managed += nr;
		if (z->hot_added)
			z->present += nr;
	}
	return ret;
}

/* a free block of @order for a page leaving memory being offlined: the
 * mobility's own list first, then the others, highest zone first (the
 * isolated range's free pages are on no list but ISOLATE) */
static uint64_t offline_target(struct model *m, unsigned int order, int mobility)
{
	static const int order_of_lists[] = { MODEL_MT_MOVABLE, MODEL_MT_RECLAIMABLE,
					      MODEL_MT_UNMOVABLE };

	for (int i = (int)m->nr_zones - 1; i >= 0; i--) {
		uint64_t dst = mobility < MODEL_NR_PCPTYPES
				       ? raw_rmqueue_smallest(m, &m->zones[i], order, mobility)
				       : MODEL_PFN_NONE;
		for (int k = 0; k < 3 && dst == MODEL_PFN_NONE; k++)
			dst = raw_rmqueue_smallest(m, &m->zones[i], order, order_of_lists[k]);
		if (dst != MODEL_PFN_NONE)
			return dst;
	}
	return MODEL_PFN_NONE;
}

int model_offline(struct model *m, uint64_t pfn, uint64_t nr, unsigned int cpu)
{
	struct mzone *z = pfn_zone(m, pfn);
	uint64_t end = pfn + nr, taken = 0;

	if (!z || !nr || end > z->end_pfn || end < pfn || (pfn | nr) & (m->pageblock_nr_pages - 1))
		return -EINVAL;
	kcompactd_stop_pass(m, z);
	for (unsigned int c = 0; c < m->nr_cpus; c++)
		drain_pages_zone(m, z, c); /* offline_pages(): drain_all_pages() */
	for (uint64_t pb = pfn; pb < end; pb += m->pageblock_nr_pages) {
		int mt = pb_mt(m, pb);
		if (mt != MODEL_MT_ISOLATE) /* start_isolate_page_range() */
			move_freepages_block(m, z, pb, mt, MODEL_MT_ISOLATE);
	}
	/* do_migrate_range(): the pages in use out, as alloc_contig_range() moves them */
	for (uint64_t pb = pfn; pb < end; pb += m->pageblock_nr_pages)
		if (!range_free(m, pb, pb + m->pageblock_nr_pages, true))
			evacuate_block(m, pb, cpu, true, MODEL_OFFLINE_MIGRATED, MODEL_PGMIGRATE_FAIL);
	/*
	 * What compaction's isolation would not take (the start snapshot's walk
	 * classes pages it cannot tell, a pcp page among them, as unmovable; in
	 * the kernel the range did empty) moves block by block to a free block
	 * of its order outside the range, any list, highest zone first.
	 */
	for (uint64_t p = pfn; p < end;) {
		struct mpage *q = pg(m, p);
		if (q->state != MODEL_PAGE_ALLOC) {
			p += q->state == MODEL_PAGE_FREE ? 1ull << q->order : 1;
			continue;
		}
		unsigned int order = q->order;
		uint64_t dst = offline_target(m, order, q->mt);
		if (dst == MODEL_PFN_NONE)
			break;
		migrate_folio_move(m, z, p, dst, cpu);
		count_event(m, MODEL_OFFLINE_MIGRATED, 1ull << order);
		p += 1ull << order;
	}
	for (unsigned int c = 0; c < m->nr_cpus; c++)
		drain_pages_zone(m, z, c);
	if (!range_free(m, pfn, end, true)) {
		unisolate_range(m, z, pfn, end, MODEL_MT_MOVABLE);
		count_event(m, MODEL_OFFLINE_BUSY, 1);
		return -EBUSY;
	}
	taken = offline_isolated_range(m, z, pfn, end);
	z->managed -= taken < z->managed ? taken : z->managed;
	z->present -= taken < z->present ? taken : z->present;
	count_event(m, MODEL_OFFLINE_PAGES, taken);
	return 0;
}

void model_set_reclaim_active(struct model *m, bool active)
{
	for (unsigned int i = 0; i < m->nr_zones; i++)
		m->zones[i].reclaim_active = active && m->zones[i].managed;
}

int model_seed_pageblock(struct model *m, uint64_t pfn, enum model_mt mt)
{
	uint64_t start = pageblock_start(m, pfn);

	/* a pageblock may begin before the first zone (DMA starts at pfn 1) */
	if (start < m->pb_base || start + m->pageblock_nr_pages <= m->node_start ||
	    start >= m->node_end || (unsigned int)mt >= MODEL_NR_MT)
		return -EINVAL;
	set_pb_mt(m, pfn, mt);
	return 0;
}

static int seed_block(struct model *m, uint64_t pfn, unsigned int order, struct mzone **zp)
{
	if (order > m->max_order || (pfn & ((1ull << order) - 1)))
		return -EINVAL;
	return range_unmanaged(m, pfn, 1ull << order, zp);
}

/*
 * A free block as a snapshot shows it. It goes on the list of its pageblock's
 * type, as the kernel keeps them (a block over several pageblocks retypes the
 * later ones to the first one's); a snapshot read racily may say otherwise,
 * which is reported by returning 1.
 */
int model_seed_free(struct model *m, uint64_t pfn, unsigned int order, enum model_mt mt)
{
	struct mzone *z;
	int ret = seed_block(m, pfn, order, &z);

	if (ret)
		return ret;
	if ((unsigned int)mt >= MODEL_NR_MT)
		return -EINVAL;
	int list_mt = pb_mt(m, pfn);
	for (uint64_t p = pfn; p < pfn + (1ull << order); p += m->pageblock_nr_pages)
		set_pb_mt(m, p, list_mt);
	mark_tails(m, pfn, order);
	place_free_block(m, z, pfn, order, list_mt);
	return (int)mt != list_mt;
}

/*
 * A free block on @cpu's per-CPU list, where the trace shows the kernel kept
 * it (free_frozen_page_commit() without its drain: the next free or refill
 * on that CPU trims the list as the kernel would). The list is the one of the
 * pageblock's type, MOVABLE for HIGHATOMIC and CMA blocks, as
 * free_frozen_pages() picks it; an order pcp lists do not take, an isolated
 * block, or a zone whose pcp high is 0 (lists off, as DMA's boot pageset)
 * puts it on the buddy lists instead.
 */
int model_seed_pcp(struct model *m, uint64_t pfn, unsigned int order, unsigned int cpu)
{
	struct mzone *z;
	int ret = seed_block(m, pfn, order, &z);

	if (ret)
		return ret;
	int mt = pb_mt(m, pfn);
	struct mpcp *pcp = &z->pcp[cpu % m->nr_cpus];
	if (!pcp_allowed_order(m, order) || mt == MODEL_MT_ISOLATE || !pcp->high) {
		mark_tails(m, pfn, order);
		place_free_block(m, z, pfn, order, mt);
		return 0;
	}
	if (mt >= MODEL_NR_PCPTYPES)
		mt = MODEL_MT_MOVABLE;
	struct mpage *p = pg(m, pfn);

	mark_tails(m, pfn, order);
	p->state = MODEL_PAGE_PCP;
	p->order = (uint8_t)order;
	p->mt = (uint8_t)mt;
	mlist_add(m, &pcp->lists[pcp_list_index(mt, order)], pfn, true);
	pcp->count += 1 << order;
	return 0;
}

/*
 * The free block that holds @pfn goes to the head of its list: the seed's
 * lists are in pfn order, the kernel's in an order its history made, which
 * the trace shows where it takes from them (__rmqueue_smallest() takes the
 * head). The caller goes through the blocks the trace takes, last taken
 * first, so the lists start in the order the trace takes from them. The
 * counters stay as they are. Returns 1 if a block moved, 0 if no free block
 * on the buddy lists holds @pfn, -EINVAL outside the zones.
 */
int model_seed_first(struct model *m, uint64_t pfn)
{
	struct mzone *z = pfn_zone(m, pfn);

	if (!z)
		return -EINVAL;
	for (unsigned int o = 0; o <= m->max_order; o++) {
		uint64_t head = pfn & ~((1ull << o) - 1);

		if (head < z->start_pfn)
			break;
		const struct mpage *p = pg(m, head);
		if (p->state == MODEL_PAGE_TAIL)
			continue;
		if (p->state != MODEL_PAGE_FREE || p->order < o)
			return 0; /* allocated or on a pcp list, or a block that ends before @pfn */
		free_block_to_head(m, z, head);
		return 1;
	}
	return 0;
}

int model_seed_alloc(struct model *m, uint64_t pfn, unsigned int order, enum model_mt mobility)
{
	struct mzone *z;
	int ret = seed_block(m, pfn, order, &z);

	if (ret)
		return ret;
	if ((unsigned int)mobility >= MODEL_NR_PCPTYPES)
		return -EINVAL;
	mark_tails(m, pfn, order);
	/* mark_allocated() but for pb_touch(): model_seed_done() marks every
	 * pageblock for the metrics anyway (a bit set per page here was 2-3%
	 * of a replay of 6 M seeded pages) */
	struct mpage *p = pg(m, pfn);
	p->state = MODEL_PAGE_ALLOC;
	p->order = (uint8_t)order;
	p->mt = (uint8_t)mobility;
	p->compact_gen = 0;
	return 0;
}

int model_seed_alloc_run(struct model *m, uint64_t pfn, uint64_t nr, enum model_mt mobility)
{
	struct mzone *z;

	if ((unsigned int)mobility >= MODEL_NR_PCPTYPES || range_unmanaged(m, pfn, nr, &z))
		return -EINVAL;
	struct mpage *p = pg(m, pfn);
	for (uint64_t i = 0; i < nr; i++)
		p[i] = (struct mpage){ .state = MODEL_PAGE_ALLOC, .mt = (uint8_t)mobility };
	return 0;
}

/*
 * After seeding: merge what the snapshot caught unmerged, and count the
 * HIGHATOMIC pageblocks as the zone's reserve, since the kernel's
 * nr_reserved_highatomic grows by a pageblock for each one it retyped.
 */
long model_seed_done(struct model *m)
{
	long merged = 0;

	pb_touch_all(m);
	/* SPBs the snapshot shows tainted were not tainted by the replay */
	m->counters[MODEL_SPB_TAINTED] = m->counters[MODEL_SPB_CLEANED] = 0;
	for (unsigned int i = 0; i < m->nr_zones; i++) {
		struct mzone *z = &m->zones[i];

		merged += merge_seeded_buddies(m, z);
		z->nr_reserved_highatomic = 0;
		for (uint64_t pfn = pageblock_start(m, z->start_pfn); pfn < z->end_pfn;
		     pfn += m->pageblock_nr_pages)
			if (pfn >= z->start_pfn && pb_mt(m, pfn) == MODEL_MT_HIGHATOMIC)
				z->nr_reserved_highatomic += (long)m->pageblock_nr_pages;
	}
	return merged;
}

/* ---- accessors ---- */

enum model_mt model_gfp_migratetype(uint32_t gfp)
{
	if (gfp & MODEL_GFP_MOVABLE)
		return MODEL_MT_MOVABLE;
	return gfp & MODEL_GFP_RECLAIMABLE ? MODEL_MT_RECLAIMABLE : MODEL_MT_UNMOVABLE;
}

uint64_t model_captures(const struct model *m, unsigned int order)
{
	return order <= MODEL_MAX_ORDER_LIMIT ? m->captures[order] : 0;
}

unsigned int model_nr_zones(const struct model *m)
{
	return m->nr_zones;
}

int model_zone_of(const struct model *m, uint64_t pfn)
{
	for (unsigned int i = 0; i < m->nr_zones; i++)
		if (zone_spans(&m->zones[i], pfn))
			return (int)i;
	return -1;
}

int model_zone_info(const struct model *m, unsigned int zone, struct model_zone_info *zi)
{
	if (zone >= m->nr_zones)
		return -EINVAL;
	const struct mzone *z = &m->zones[zone];

	memset(zi, 0, sizeof(*zi));
	zi->type = z->type;
	zi->start_pfn = z->start_pfn;
	zi->end_pfn = z->end_pfn;
	zi->present = z->present;
	zi->managed = z->managed;
	for (int w = 0; w < NR_WMARK; w++)
		zi->wmark[w] = z->wmark[w];
	zi->watermark_boost = z->watermark_boost;
	memcpy(zi->lowmem_reserve, z->lowmem_reserve, sizeof(zi->lowmem_reserve));
	zi->nr_free_pages = z->nr_free_pages;
	zi->nr_free_blocks = z->nr_free_blocks;
	zi->nr_free_highatomic = z->nr_free_highatomic;
	zi->nr_reserved_highatomic = z->nr_reserved_highatomic;
	for (unsigned int o = 0; o <= m->max_order; o++)
		for (int mt = 0; mt < MODEL_NR_MT; mt++)
			zi->nr_free[o][mt] = z->area[o].free_list[mt].nr;
	zi->pcp_batch = z->pcp[0].batch;
	zi->pcp_high_min = z->pcp[0].high_min;
	zi->pcp_high_max = z->pcp[0].high_max;
	for (unsigned int c = 0; c < m->nr_cpus; c++)
		zi->pcp_count += z->pcp[c].count;
	if (m->proactive_running && m->proactive_cc.z == z)
		zi->compact_isolated = m->proactive_cc.nr_freepages;
	return 0;
}

int model_pcp_info(const struct model *m, unsigned int zone, unsigned int cpu,
		   struct model_pcp_info *pi)
{
	if (zone >= m->nr_zones || cpu >= m->nr_cpus)
		return -EINVAL;
	const struct mpcp *p = &m->zones[zone].pcp[cpu];

	*pi = (struct model_pcp_info){ p->count, p->high, p->batch, p->free_count,
				       p->alloc_factor };
	return 0;
}

int model_page_info(const struct model *m, uint64_t pfn, struct model_page_info *pi)
{
	if (pfn < m->node_start || pfn >= m->node_end)
		return -EINVAL;
	const struct mpage *p = pg(m, pfn);

	pi->state = p->state;
	pi->order = p->order;
	pi->mt = p->mt;
	pi->compact_isolated = p->state == MODEL_PAGE_ALLOC && p->compact_gen == ISOLATED_FREE;
	return 0;
}

/* a byte per pfn without a branch: the AVX2 copy where the CPU has it */
CLONES_AVX2
static void alloc_orders(const struct mpage *p, uint64_t n, uint8_t flags, uint8_t *out)
{
	for (uint64_t i = 0; i < n; i++)
		out[i] = p[i].state == MODEL_PAGE_ALLOC ? (uint8_t)(p[i].order | flags) : 0;
}

int model_alloc_orders(const struct model *m, uint64_t start, uint64_t n, uint8_t flags,
		       uint8_t *out)
{
	if (start < m->node_start || start > m->node_end || n > m->node_end - start)
		return -EINVAL;
	alloc_orders(pg(m, start), n, flags, out);
	return 0;
}

int model_pageblock_mt(const struct model *m, uint64_t pfn)
{
	if (model_zone_of(m, pfn) < 0)
		return -1;
	return pb_mt(m, pfn);
}
