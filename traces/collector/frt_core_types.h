/* SPDX-License-Identifier: MIT */
/*
 * frt_core_types.h - the few kernel types collector.bpf.c reads, written by
 * hand instead of a generated vmlinux.h.
 *
 * Each struct is the ring-buffer entry of one tracepoint class
 * (struct trace_event_raw_<class> in the kernel's BTF). preserve_access_index
 * makes clang emit a CO-RE relocation for every field access, and libbpf
 * rewrites the offsets against /sys/kernel/btf/vmlinux at load time. So only
 * the fields we read are declared, and the layout below need not match the
 * kernel's; the names and the kinds of the fields must (an enum stays an
 * enum, an integer an integer).
 */
#ifndef FRT_CORE_TYPES_H
#define FRT_CORE_TYPES_H

enum zone_type { FRT_ZONE_TYPE_ANY };
enum migrate_mode { FRT_MIGRATE_MODE_ANY };

#define FRT_CORE __attribute__((preserve_access_index))

/* kmem */

struct trace_event_raw_mm_page_alloc {
	unsigned long pfn;
	unsigned int order;
	unsigned long gfp_flags;
	int migratetype;
} FRT_CORE;

struct trace_event_raw_mm_page_free {
	unsigned long pfn;
	unsigned int order;
} FRT_CORE;

struct trace_event_raw_mm_page_free_batched {
	unsigned long pfn;
} FRT_CORE;

/* class of mm_page_alloc_zone_locked */
struct trace_event_raw_mm_page {
	unsigned long pfn;
	unsigned int order;
	int migratetype;
	int percpu_refill;
} FRT_CORE;

struct trace_event_raw_mm_page_pcpu_drain {
	unsigned long pfn;
	unsigned int order;
	int migratetype;
} FRT_CORE;

/*
 * 2026 mm tree. mm_page_pcpu_refill is an event of its own in the linux-mm
 * tree; the v2 patch ("trace PCP refills and PCP zone lock usage") makes it
 * and mm_page_pcpu_drain events of one class, mm_page_pcpu.
 */
struct trace_event_raw_mm_page_pcpu_refill {
	unsigned long pfn;
	unsigned int order;
	int migratetype;
} FRT_CORE;

struct trace_event_raw_mm_page_pcpu {
	unsigned long pfn;
	unsigned int order;
	int migratetype;
} FRT_CORE;

/* class of mm_page_pcpu_refill_zone_locked and mm_page_pcpu_drain_zone_locked */
struct trace_event_raw_mm_page_pcpu_zone_locked {
	int nid;
	int zid;
	unsigned long nr_pages;
} FRT_CORE;

struct trace_event_raw_mm_page_alloc_extfrag {
	unsigned long pfn;
	int alloc_order;
	int fallback_order;
	int alloc_migratetype;
	int fallback_migratetype;
	int change_ownership;
} FRT_CORE;

/* compaction */

struct trace_event_raw_mm_compaction_begin {
	unsigned long zone_start;
	unsigned long migrate_pfn;
	unsigned long free_pfn;
	unsigned long zone_end;
	_Bool sync;
} FRT_CORE;

struct trace_event_raw_mm_compaction_end {
	unsigned long zone_start;
	unsigned long migrate_pfn;
	unsigned long free_pfn;
	unsigned long zone_end;
	_Bool sync;
	int status;
} FRT_CORE;

struct trace_event_raw_mm_compaction_try_to_compact_pages {
	int order;
	unsigned long gfp_mask;
	int prio;
} FRT_CORE;

/* class of mm_compaction_suitable and mm_compaction_finished */
struct trace_event_raw_mm_compaction_suitable_template {
	int nid;
	enum zone_type idx;
	int order;
	int ret;
} FRT_CORE;

/* class of mm_compaction_deferred, _defer_compaction, _defer_reset */
struct trace_event_raw_mm_compaction_defer_template {
	int nid;
	enum zone_type idx;
	int order;
	unsigned int considered;
	unsigned int defer_shift;
	int order_failed;
} FRT_CORE;

/* class of mm_compaction_isolate_{migrate,free}pages, _fast_isolate_freepages */
struct trace_event_raw_mm_compaction_isolate_template {
	unsigned long start_pfn;
	unsigned long end_pfn;
	unsigned long nr_scanned;
	unsigned long nr_taken;
} FRT_CORE;

struct trace_event_raw_mm_compaction_migratepages {
	unsigned long nr_migrated;
	unsigned long nr_failed;
} FRT_CORE;

struct trace_event_raw_mm_compaction_kcompactd_sleep {
	int nid;
} FRT_CORE;

/* class of mm_compaction_kcompactd_wake and mm_compaction_wakeup_kcompactd */
struct trace_event_raw_kcompactd_wake_template {
	int nid;
	int order;
	enum zone_type highest_zoneidx;
} FRT_CORE;

/* migrate */

struct trace_event_raw_mm_migrate_pages {
	unsigned long succeeded;
	unsigned long failed;
	unsigned long thp_succeeded;
	unsigned long thp_failed;
	unsigned long thp_split;
	unsigned long large_folio_split; /* absent on older kernels */
	enum migrate_mode mode;
	int reason;
} FRT_CORE;

struct trace_event_raw_mm_migrate_pages_start {
	enum migrate_mode mode;
	int reason;
} FRT_CORE;

/*
 * Newer kernels (7.3 here) declare the two events' reason as enum
 * migrate_reason, and CO-RE will not relocate an int field onto an enum:
 * these flavours name the same field with the newer type; the programs read
 * whichever the kernel's BTF matches.
 */
enum migrate_reason { MR_COMPACTION___frt };

struct trace_event_raw_mm_migrate_pages___enum {
	enum migrate_reason reason;
} FRT_CORE;

struct trace_event_raw_mm_migrate_pages_start___enum {
	enum migrate_reason reason;
} FRT_CORE;

/* class of set_migration_pte and remove_migration_pte */
struct trace_event_raw_migration_pte {
	unsigned long addr;
	unsigned long pte;
	int order;
} FRT_CORE;

#undef FRT_CORE

#endif
