// SPDX-License-Identifier: MIT
/*
 * event.c - the schema of every event type (format v1), and the symbolic
 * names the kernel's tracepoints print. Field lists follow the tracepoints'
 * own formats under /sys/kernel/tracing/events/{kmem,compaction,migrate}/
 * on Linux 6.18 (types 27-29: the 2026 mm tree), in the same order and with
 * the same names.
 */
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "snapshot.h" /* enum frt_mt */

#define U FRT_FK_UINT
#define S FRT_FK_SINT
#define P FRT_FK_PFN
#define G FRT_FK_GFP

#define ISOLATE_FIELDS { { "start_pfn", P }, { "end_pfn", P }, { "nr_scanned", U }, { "nr_taken", U } }
#define SUITABLE_FIELDS { { "nid", S }, { "idx", U }, { "order", S }, { "ret", S } }
#define DEFER_FIELDS { { "nid", S }, { "idx", U }, { "order", S }, { "considered", U }, \
		       { "defer_shift", U }, { "order_failed", S } }
#define KCOMPACTD_FIELDS { { "nid", S }, { "order", S }, { "highest_zoneidx", U } }
#define PTE_FIELDS { { "addr", U }, { "pte", U }, { "order", S } }

static const struct frt_event_desc descs[FRT_EV_NR_TYPES] = {
	[FRT_EV_PAGE_ALLOC] = { "mm_page_alloc", "kmem", 4,
		{ { "pfn", P }, { "order", U }, { "gfp_flags", G }, { "migratetype", S } } },
	[FRT_EV_PAGE_FREE] = { "mm_page_free", "kmem", 2, { { "pfn", P }, { "order", U } } },
	[FRT_EV_PAGE_FREE_BATCHED] = { "mm_page_free_batched", "kmem", 1, { { "pfn", P } } },
	[FRT_EV_PAGE_ALLOC_ZONE_LOCKED] = { "mm_page_alloc_zone_locked", "kmem", 4,
		{ { "pfn", P }, { "order", U }, { "migratetype", S }, { "percpu_refill", S } } },
	[FRT_EV_PAGE_PCPU_DRAIN] = { "mm_page_pcpu_drain", "kmem", 3,
		{ { "pfn", P }, { "order", U }, { "migratetype", S } } },
	[FRT_EV_PAGE_ALLOC_EXTFRAG] = { "mm_page_alloc_extfrag", "kmem", 6,
		{ { "pfn", P }, { "alloc_order", S }, { "fallback_order", S },
		  { "alloc_migratetype", S }, { "fallback_migratetype", S },
		  { "change_ownership", S } } },
	[FRT_EV_COMPACTION_BEGIN] = { "mm_compaction_begin", "compaction", 5,
		{ { "zone_start", P }, { "migrate_pfn", P }, { "free_pfn", P },
		  { "zone_end", P }, { "sync", U } } },
	[FRT_EV_COMPACTION_END] = { "mm_compaction_end", "compaction", 6,
		{ { "zone_start", P }, { "migrate_pfn", P }, { "free_pfn", P },
		  { "zone_end", P }, { "sync", U }, { "status", S } } },
	[FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES] = { "mm_compaction_try_to_compact_pages",
		"compaction", 3, { { "order", S }, { "gfp_mask", G }, { "prio", S } } },
	[FRT_EV_COMPACTION_SUITABLE] = { "mm_compaction_suitable", "compaction", 4, SUITABLE_FIELDS },
	[FRT_EV_COMPACTION_FINISHED] = { "mm_compaction_finished", "compaction", 4, SUITABLE_FIELDS },
	[FRT_EV_COMPACTION_DEFERRED] = { "mm_compaction_deferred", "compaction", 6, DEFER_FIELDS },
	[FRT_EV_COMPACTION_DEFER_COMPACTION] = { "mm_compaction_defer_compaction", "compaction",
		6, DEFER_FIELDS },
	[FRT_EV_COMPACTION_DEFER_RESET] = { "mm_compaction_defer_reset", "compaction", 6,
		DEFER_FIELDS },
	[FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES] = { "mm_compaction_isolate_migratepages",
		"compaction", 4, ISOLATE_FIELDS },
	[FRT_EV_COMPACTION_ISOLATE_FREEPAGES] = { "mm_compaction_isolate_freepages",
		"compaction", 4, ISOLATE_FIELDS },
	[FRT_EV_COMPACTION_FAST_ISOLATE_FREEPAGES] = { "mm_compaction_fast_isolate_freepages",
		"compaction", 4, ISOLATE_FIELDS },
	[FRT_EV_COMPACTION_MIGRATEPAGES] = { "mm_compaction_migratepages", "compaction", 2,
		{ { "nr_migrated", U }, { "nr_failed", U } } },
	[FRT_EV_COMPACTION_KCOMPACTD_SLEEP] = { "mm_compaction_kcompactd_sleep", "compaction", 1,
		{ { "nid", S } } },
	[FRT_EV_COMPACTION_KCOMPACTD_WAKE] = { "mm_compaction_kcompactd_wake", "compaction", 3,
		KCOMPACTD_FIELDS },
	[FRT_EV_COMPACTION_WAKEUP_KCOMPACTD] = { "mm_compaction_wakeup_kcompactd", "compaction", 3,
		KCOMPACTD_FIELDS },
	[FRT_EV_MIGRATE_PAGES] = { "mm_migrate_pages", "migrate", 8,
		{ { "succeeded", U }, { "failed", U }, { "thp_succeeded", U }, { "thp_failed", U },
		  { "thp_split", U }, { "large_folio_split", U }, { "mode", U }, { "reason", S } } },
	[FRT_EV_MIGRATE_PAGES_START] = { "mm_migrate_pages_start", "migrate", 2,
		{ { "mode", U }, { "reason", S } } },
	[FRT_EV_SET_MIGRATION_PTE] = { "set_migration_pte", "migrate", 3, PTE_FIELDS },
	[FRT_EV_REMOVE_MIGRATION_PTE] = { "remove_migration_pte", "migrate", 3, PTE_FIELDS },
	[FRT_EV_MIGRATE_PAIR] = { "migrate_pair", "fragreplay", 3,
		{ { "old_pfn", P }, { "new_pfn", P }, { "order", U } } },
	/* 2026 mm tree ("mm/page_alloc: trace PCP refills and PCP zone lock usage") */
	[FRT_EV_PAGE_PCPU_REFILL] = { "mm_page_pcpu_refill", "kmem", 3,
		{ { "pfn", P }, { "order", U }, { "migratetype", S } } },
	[FRT_EV_PAGE_PCPU_REFILL_ZONE_LOCKED] = { "mm_page_pcpu_refill_zone_locked", "kmem", 3,
		{ { "nid", S }, { "zid", S }, { "nr_pages", U } } },
	[FRT_EV_PAGE_PCPU_DRAIN_ZONE_LOCKED] = { "mm_page_pcpu_drain_zone_locked", "kmem", 3,
		{ { "nid", S }, { "zid", S }, { "nr_pages", U } } },
	[FRT_EV_TASK] = { "task", "fragreplay", 4,
		{ { "pid", S }, { "tgid", S }, { "comm", U }, { "comm_hi", U } } },
	[FRT_EV_TASK_SWITCH] = { "task_switch", "fragreplay", 1, { { "task", U } } },
};

const struct frt_event_desc *frt_event_desc(unsigned int type)
{
	if (type >= FRT_EV_NR_TYPES || !descs[type].name)
		return NULL;
	return &descs[type];
}

enum frt_event_type frt_event_type_by_name(const char *name)
{
	const char *colon = strchr(name, ':');
	size_t glen = colon ? (size_t)(colon - name) : 0;

	if (colon)
		name = colon + 1;
	for (unsigned int t = 1; t < FRT_EV_NR_TYPES; t++) {
		if (strcmp(descs[t].name, name))
			continue;
		if (glen && (strlen(descs[t].group) != glen ||
			     strncmp(descs[t].group, name - glen - 1, glen)))
			continue;
		return t;
	}
	return FRT_EV_NONE;
}

/* enum compact_result, as the compaction tracepoints print it */
const char *frt_compact_status_name(int64_t status)
{
	static const char *const names[] = {
		"not_suitable_zone", "skipped", "deferred", "no_suitable_page",
		"continue", "complete", "partial_skipped", "contended", "success",
	};
	return status >= 0 && status < 9 ? names[status] : NULL;
}

const char *frt_migrate_mode_name(uint64_t mode)
{
	static const char *const names[] = { "MIGRATE_ASYNC", "MIGRATE_SYNC_LIGHT", "MIGRATE_SYNC" };
	return mode < 3 ? names[mode] : NULL;
}

const char *frt_migrate_reason_name(int64_t reason)
{
	static const char *const names[] = {
		"compaction", "memory_failure", "memory_hotplug", "syscall_or_cpuset",
		"mempolicy_mbind", "numa_misplaced", "contig_range", "longterm_pin",
		"demotion", "damon",
	};
	return reason >= 0 && reason < 10 ? names[reason] : NULL;
}

/* zone_names[] of mm/page_alloc.c (x86-64: no HighMem), by enum frt_zone_type */
static const char *const zone_names[FRT_NR_ZONE_TYPES] = { "DMA", "DMA32", "Normal", "Movable" };

const char *frt_zone_idx_name(uint64_t idx)
{
	return idx < FRT_NR_ZONE_TYPES ? zone_names[idx] : NULL;
}

int frt_zone_idx_by_name(const char *name)
{
	for (int t = 0; name && t < FRT_NR_ZONE_TYPES; t++)
		if (!strcmp(zone_names[t], name))
			return t;
	return -1;
}

/*
 * migratetype_names[] of mm/page_alloc.c, by enum frt_mt, and each name as
 * fragreplay's reports write it, in lower case
 */
static const struct {
	const char *name, *key;
} mt_names[FRT_MT_NR] = {
	[FRT_MT_UNMOVABLE] = { "Unmovable", "unmovable" },
	[FRT_MT_MOVABLE] = { "Movable", "movable" },
	[FRT_MT_RECLAIMABLE] = { "Reclaimable", "reclaimable" },
	[FRT_MT_HIGHATOMIC] = { "HighAtomic", "highatomic" },
	[FRT_MT_CMA] = { "CMA", "cma" },
	[FRT_MT_ISOLATE] = { "Isolate", "isolate" },
};

const char *frt_mt_name(uint64_t mt)
{
	return mt < FRT_MT_NR ? mt_names[mt].name : NULL;
}

const char *frt_mt_key(uint64_t mt)
{
	return mt < FRT_MT_NR ? mt_names[mt].key : NULL;
}

int frt_mt_by_name(const char *name)
{
	for (int mt = 0; name && mt < FRT_MT_NR; mt++)
		if (!strcmp(mt_names[mt].name, name))
			return mt;
	return -1;
}

/* gfp bits of Linux 6.18 (include/linux/gfp_types.h) */
#define B(n) (1ull << (n))
#define GFP_RECLAIM_ (B(10) | B(11))
#define GFP_KERNEL_ (GFP_RECLAIM_ | B(6) | B(7))
#define GFP_USER_ (GFP_KERNEL_ | B(20))
#define GFP_HIGHUSER_ (GFP_USER_ | B(1))
#define GFP_HIGHUSER_MOVABLE_ (GFP_HIGHUSER_ | B(3))
#define GFP_TRANSHUGE_LIGHT_ ((GFP_HIGHUSER_MOVABLE_ | B(18) | B(19) | B(13)) & ~GFP_RECLAIM_)

/* Same names and order as show_gfp_flags() in include/trace/events/mmflags.h */
static const struct { uint64_t mask; const char *name; } gfp_names[] = {
	{ GFP_TRANSHUGE_LIGHT_ | B(10), "GFP_TRANSHUGE" },
	{ GFP_TRANSHUGE_LIGHT_, "GFP_TRANSHUGE_LIGHT" },
	{ GFP_HIGHUSER_MOVABLE_, "GFP_HIGHUSER_MOVABLE" },
	{ GFP_HIGHUSER_, "GFP_HIGHUSER" },
	{ GFP_USER_, "GFP_USER" },
	{ GFP_KERNEL_ | B(22), "GFP_KERNEL_ACCOUNT" },
	{ GFP_KERNEL_, "GFP_KERNEL" },
	{ GFP_RECLAIM_ | B(6), "GFP_NOFS" },
	{ B(5) | B(11), "GFP_ATOMIC" },
	{ GFP_RECLAIM_, "GFP_NOIO" },
	{ B(11) | B(13), "GFP_NOWAIT" },
	{ B(0), "GFP_DMA" },
	{ B(2), "GFP_DMA32" },
	{ GFP_RECLAIM_, "__GFP_RECLAIM" },
	{ B(0), "__GFP_DMA" },
	{ B(1), "__GFP_HIGHMEM" },
	{ B(2), "__GFP_DMA32" },
	{ B(3), "__GFP_MOVABLE" },
	{ B(4), "__GFP_RECLAIMABLE" },
	{ B(5), "__GFP_HIGH" },
	{ B(6), "__GFP_IO" },
	{ B(7), "__GFP_FS" },
	{ B(8), "__GFP_ZERO" },
	{ B(10), "__GFP_DIRECT_RECLAIM" },
	{ B(11), "__GFP_KSWAPD_RECLAIM" },
	{ B(12), "__GFP_WRITE" },
	{ B(13), "__GFP_NOWARN" },
	{ B(14), "__GFP_RETRY_MAYFAIL" },
	{ B(15), "__GFP_NOFAIL" },
	{ B(16), "__GFP_NORETRY" },
	{ B(17), "__GFP_MEMALLOC" },
	{ B(18), "__GFP_COMP" },
	{ B(19), "__GFP_NOMEMALLOC" },
	{ B(20), "__GFP_HARDWALL" },
	{ B(21), "__GFP_THISNODE" },
	{ B(22), "__GFP_ACCOUNT" },
	{ B(23), "__GFP_ZEROTAGS" },
	{ B(24), "__GFP_NO_OBJ_EXT" },
};

int frt_gfp_format(char *buf, size_t len, uint64_t gfp)
{
	size_t n = 0;
	int w;

	if (!gfp)
		return snprintf(buf, len, "none");
	if (len)
		buf[0] = '\0';
	/* like trace_print_flags_seq(): first full match wins, its bits are consumed */
	for (size_t i = 0; i < sizeof(gfp_names) / sizeof(gfp_names[0]) && gfp; i++) {
		if ((gfp & gfp_names[i].mask) != gfp_names[i].mask)
			continue;
		gfp &= ~gfp_names[i].mask;
		w = snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "%s%s",
			     n ? "|" : "", gfp_names[i].name);
		n += w;
	}
	if (gfp) {
		w = snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "%s0x%llx",
			     n ? "|" : "", (unsigned long long)gfp);
		n += w;
	}
	return (int)n;
}

static const char *const group_names[] = { "kmem", "compaction", "migrate" };

unsigned int frt_group_by_name(const char *name, size_t len)
{
	for (unsigned int i = 0; i < sizeof(group_names) / sizeof(group_names[0]); i++) {
		if (strlen(group_names[i]) == len && !strncmp(group_names[i], name, len))
			return 1u << i;
	}
	return 0;
}
