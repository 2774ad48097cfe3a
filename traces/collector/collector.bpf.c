// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * collector.bpf.c - one program per page-allocator, compaction and migration
 * tracepoint. Each copies its tracepoint's fields, in event.c's schema
 * order, into a fixed-size struct frt_record in one shared ring buffer.
 * Nothing is filtered: the allocator serves every task, the recorder too.
 *
 * A record that finds the ring buffer full is counted in drops[] of its CPU,
 * which user space reads through the skeleton's .bss at the end: a lost
 * event is never silent. Programs record only while user space holds
 * capturing true, so that all tracepoints start and stop at one instant
 * although they are attached and detached one after another.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "frt_core_types.h"
#include "collector.h"
#include "event.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* max_entries (the size in bytes) is set by collector.c before load */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
} events SEC(".maps");

/*
 * A tp/ program returning 0 hides the event from every perf user of the
 * same tracepoint (perf_trace_run_bpf_submit()); 1 leaves perf stat and
 * perf record running alongside undisturbed.
 */
#define TP_PASS 1

__u64 drops[FRT_COLLECTOR_MAX_CPUS];
bool capturing;

static __always_inline struct frt_record *record_reserve(__u16 type)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct frt_record *r;

	if (!capturing)
		return NULL;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		if (cpu >= FRT_COLLECTOR_MAX_CPUS)
			cpu = FRT_COLLECTOR_MAX_CPUS - 1;
		__sync_fetch_and_add(&drops[cpu], 1);
		return NULL;
	}
	/* stamped after the reserve, so ring order is nearly time order */
	r->ts = bpf_ktime_get_ns();
	r->cpu = cpu;
	r->type = type;
	r->pad = 0;
	__builtin_memset(r->f, 0, sizeof(r->f));
	return r;
}

/*
 * Wake the reader only once wakeup_bytes are waiting (set before load to
 * 1/8 of the ring); user space also drains on its 100 ms poll timeout. A
 * wakeup per record cost the recorder ~1 us of CPU per event.
 */
const volatile __u64 wakeup_bytes = 1;

static __always_inline void record_submit(struct frt_record *r)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(r, flags);
}

/* ---- kmem ---- */

SEC("tp/kmem/mm_page_alloc")
int mm_page_alloc(struct trace_event_raw_mm_page_alloc *ctx)
{
	struct frt_record *r = record_reserve(FRT_EV_PAGE_ALLOC);

	if (!r)
		return TP_PASS;
	r->f[0] = ctx->pfn; /* -1UL, i.e. FRT_PFN_NONE, for a failed request */
	r->f[1] = ctx->order;
	r->f[2] = ctx->gfp_flags;
	r->f[3] = (__s64)ctx->migratetype;
	record_submit(r);
	return TP_PASS;
}

SEC("tp/kmem/mm_page_free")
int mm_page_free(struct trace_event_raw_mm_page_free *ctx)
{
	struct frt_record *r = record_reserve(FRT_EV_PAGE_FREE);

	if (!r)
		return TP_PASS;
	r->f[0] = ctx->pfn;
	r->f[1] = ctx->order;
	record_submit(r);
	return TP_PASS;
}

SEC("tp/kmem/mm_page_free_batched")
int mm_page_free_batched(struct trace_event_raw_mm_page_free_batched *ctx)
{
	struct frt_record *r = record_reserve(FRT_EV_PAGE_FREE_BATCHED);

	if (!r)
		return TP_PASS;
	r->f[0] = ctx->pfn;
	record_submit(r);
	return TP_PASS;
}

SEC("tp/kmem/mm_page_alloc_zone_locked")
int mm_page_alloc_zone_locked(struct trace_event_raw_mm_page *ctx)
{
	struct frt_record *r = record_reserve(FRT_EV_PAGE_ALLOC_ZONE_LOCKED);

	if (!r)
		return TP_PASS;
	r->f[0] = ctx->pfn;
	r->f[1] = ctx->order;
	r->f[2] = (__s64)ctx->migratetype;
	r->f[3] = (__s64)ctx->percpu_refill;
	record_submit(r);
	return TP_PASS;
}

SEC("tp/kmem/mm_page_pcpu_drain")
int mm_page_pcpu_drain(struct trace_event_raw_mm_page_pcpu_drain *ctx)
{
	struct frt_record *r = record_reserve(FRT_EV_PAGE_PCPU_DRAIN);

	if (!r)
		return TP_PASS;
	r->f[0] = ctx->pfn;
	r->f[1] = ctx->order;
	r->f[2] = (__s64)ctx->migratetype;
	record_submit(r);
	return TP_PASS;
}

SEC("tp/kmem/mm_page_alloc_extfrag")
int mm_page_alloc_extfrag(struct trace_event_raw_mm_page_alloc_extfrag *ctx)
{
	struct frt_record *r = record_reserve(FRT_EV_PAGE_ALLOC_EXTFRAG);

	if (!r)
		return TP_PASS;
	r->f[0] = ctx->pfn;
	r->f[1] = (__s64)ctx->alloc_order;
	r->f[2] = (__s64)ctx->fallback_order;
	r->f[3] = (__s64)ctx->alloc_migratetype;
	r->f[4] = (__s64)ctx->fallback_migratetype;
	r->f[5] = (__s64)ctx->change_ownership;
	record_submit(r);
	return TP_PASS;
}

/* ---- compaction ---- */

SEC("tp/compaction/mm_compaction_begin")
int mm_compaction_begin(struct trace_event_raw_mm_compaction_begin *ctx)
{
	struct frt_record *r = record_reserve(FRT_EV_COMPACTION_BEGIN);

	if (!r)
		return TP_PASS;
	r->f[0] = ctx->zone_start;
	r->f[1] = ctx->migrate_pfn;
	r->f[2] = ctx->free_pfn;
	r->f[3] = ctx->zone_end;
	r->f[4] = ctx->sync;
	record_submit(r);
	return TP_PASS;
}

SEC("tp/compaction/mm_compaction_end")
int mm_compaction_end(struct trace_event_raw_mm_compaction_end *ctx)
{
	struct frt_record *r = record_reserve(FRT_EV_COMPACTION_END);

	if (!r)
		return TP_PASS;
	r->f[0] = ctx->zone_start;
	r->f[1] = ctx->migrate_pfn;
	r->f[2] = ctx->free_pfn;
	r->f[3] = ctx->zone_end;
	r->f[4] = ctx->sync;
	r->f[5] = (__s64)ctx->status;
	record_submit(r);
	return TP_PASS;
}

SEC("tp/compaction/mm_compaction_try_to_compact_pages")
int mm_compaction_try_to_compact_pages(struct trace_event_raw_mm_compaction_try_to_compact_pages *ctx)
{
	struct frt_record *r = record_reserve(FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES);

	if (!r)
		return TP_PASS;
	r->f[0] = (__s64)ctx->order;
	r->f[1] = ctx->gfp_mask;
	r->f[2] = (__s64)ctx->prio;
	record_submit(r);
	return TP_PASS;
}

static __always_inline int
emit_suitable(struct trace_event_raw_mm_compaction_suitable_template *ctx, __u16 type)
{
	struct frt_record *r = record_reserve(type);

	if (!r)
		return TP_PASS;
	r->f[0] = (__s64)ctx->nid;
	r->f[1] = ctx->idx;
	r->f[2] = (__s64)ctx->order;
	r->f[3] = (__s64)ctx->ret;
	record_submit(r);
	return TP_PASS;
}

SEC("tp/compaction/mm_compaction_suitable")
int mm_compaction_suitable(struct trace_event_raw_mm_compaction_suitable_template *ctx)
{
	return emit_suitable(ctx, FRT_EV_COMPACTION_SUITABLE);
}

SEC("tp/compaction/mm_compaction_finished")
int mm_compaction_finished(struct trace_event_raw_mm_compaction_suitable_template *ctx)
{
	return emit_suitable(ctx, FRT_EV_COMPACTION_FINISHED);
}

static __always_inline int
emit_defer(struct trace_event_raw_mm_compaction_defer_template *ctx, __u16 type)
{
	struct frt_record *r = record_reserve(type);

	if (!r)
		return TP_PASS;
	r->f[0] = (__s64)ctx->nid;
	r->f[1] = ctx->idx;
	r->f[2] = (__s64)ctx->order;
	r->f[3] = ctx->considered;
	r->f[4] = ctx->defer_shift;
	r->f[5] = (__s64)ctx->order_failed;
	record_submit(r);
	return TP_PASS;
}

SEC("tp/compaction/mm_compaction_deferred")
int mm_compaction_deferred(struct trace_event_raw_mm_compaction_defer_template *ctx)
{
	return emit_defer(ctx, FRT_EV_COMPACTION_DEFERRED);
}

SEC("tp/compaction/mm_compaction_defer_compaction")
int mm_compaction_defer_compaction(struct trace_event_raw_mm_compaction_defer_template *ctx)
{
	return emit_defer(ctx, FRT_EV_COMPACTION_DEFER_COMPACTION);
}

SEC("tp/compaction/mm_compaction_defer_reset")
int mm_compaction_defer_reset(struct trace_event_raw_mm_compaction_defer_template *ctx)
{
	return emit_defer(ctx, FRT_EV_COMPACTION_DEFER_RESET);
}

static __always_inline int
emit_isolate(struct trace_event_raw_mm_compaction_isolate_template *ctx, __u16 type)
{
	struct frt_record *r = record_reserve(type);

	if (!r)
		return TP_PASS;
	r->f[0] = ctx->start_pfn;
	r->f[1] = ctx->end_pfn;
	r->f[2] = ctx->nr_scanned;
	r->f[3] = ctx->nr_taken;
	record_submit(r);
	return TP_PASS;
}

SEC("tp/compaction/mm_compaction_isolate_migratepages")
int mm_compaction_isolate_migratepages(struct trace_event_raw_mm_compaction_isolate_template *ctx)
{
	return emit_isolate(ctx, FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES);
}

SEC("tp/compaction/mm_compaction_isolate_freepages")
int mm_compaction_isolate_freepages(struct trace_event_raw_mm_compaction_isolate_template *ctx)
{
	return emit_isolate(ctx, FRT_EV_COMPACTION_ISOLATE_FREEPAGES);
}

SEC("tp/compaction/mm_compaction_fast_isolate_freepages")
int mm_compaction_fast_isolate_freepages(struct trace_event_raw_mm_compaction_isolate_template *ctx)
{
	return emit_isolate(ctx, FRT_EV_COMPACTION_FAST_ISOLATE_FREEPAGES);
}

SEC("tp/compaction/mm_compaction_migratepages")
int mm_compaction_migratepages(struct trace_event_raw_mm_compaction_migratepages *ctx)
{
	struct frt_record *r = record_reserve(FRT_EV_COMPACTION_MIGRATEPAGES);

	if (!r)
		return TP_PASS;
	r->f[0] = ctx->nr_migrated;
	r->f[1] = ctx->nr_failed;
	record_submit(r);
	return TP_PASS;
}

SEC("tp/compaction/mm_compaction_kcompactd_sleep")
int mm_compaction_kcompactd_sleep(struct trace_event_raw_mm_compaction_kcompactd_sleep *ctx)
{
	struct frt_record *r = record_reserve(FRT_EV_COMPACTION_KCOMPACTD_SLEEP);

	if (!r)
		return TP_PASS;
	r->f[0] = (__s64)ctx->nid;
	record_submit(r);
	return TP_PASS;
}

static __always_inline int
emit_kcompactd(struct trace_event_raw_kcompactd_wake_template *ctx, __u16 type)
{
	struct frt_record *r = record_reserve(type);

	if (!r)
		return TP_PASS;
	r->f[0] = (__s64)ctx->nid;
	r->f[1] = (__s64)ctx->order;
	r->f[2] = ctx->highest_zoneidx;
	record_submit(r);
	return TP_PASS;
}

SEC("tp/compaction/mm_compaction_kcompactd_wake")
int mm_compaction_kcompactd_wake(struct trace_event_raw_kcompactd_wake_template *ctx)
{
	return emit_kcompactd(ctx, FRT_EV_COMPACTION_KCOMPACTD_WAKE);
}

SEC("tp/compaction/mm_compaction_wakeup_kcompactd")
int mm_compaction_wakeup_kcompactd(struct trace_event_raw_kcompactd_wake_template *ctx)
{
	return emit_kcompactd(ctx, FRT_EV_COMPACTION_WAKEUP_KCOMPACTD);
}

/* ---- migrate ---- */

SEC("tp/migrate/mm_migrate_pages")
int mm_migrate_pages(struct trace_event_raw_mm_migrate_pages *ctx)
{
	struct frt_record *r = record_reserve(FRT_EV_MIGRATE_PAGES);

	if (!r)
		return TP_PASS;
	r->f[0] = ctx->succeeded;
	r->f[1] = ctx->failed;
	r->f[2] = ctx->thp_succeeded;
	r->f[3] = ctx->thp_failed;
	r->f[4] = ctx->thp_split;
	if (bpf_core_field_exists(ctx->large_folio_split))
		r->f[5] = ctx->large_folio_split;
	r->f[6] = ctx->mode;
	r->f[7] = (__s64)ctx->reason;
	record_submit(r);
	return TP_PASS;
}

SEC("tp/migrate/mm_migrate_pages_start")
int mm_migrate_pages_start(struct trace_event_raw_mm_migrate_pages_start *ctx)
{
	struct frt_record *r = record_reserve(FRT_EV_MIGRATE_PAGES_START);

	if (!r)
		return TP_PASS;
	r->f[0] = ctx->mode;
	r->f[1] = (__s64)ctx->reason;
	record_submit(r);
	return TP_PASS;
}

static __always_inline int emit_pte(struct trace_event_raw_migration_pte *ctx, __u16 type)
{
	struct frt_record *r = record_reserve(type);

	if (!r)
		return TP_PASS;
	r->f[0] = ctx->addr;
	r->f[1] = ctx->pte;
	r->f[2] = (__s64)ctx->order;
	record_submit(r);
	return TP_PASS;
}

SEC("tp/migrate/set_migration_pte")
int set_migration_pte(struct trace_event_raw_migration_pte *ctx)
{
	return emit_pte(ctx, FRT_EV_SET_MIGRATION_PTE);
}

SEC("tp/migrate/remove_migration_pte")
int remove_migration_pte(struct trace_event_raw_migration_pte *ctx)
{
	return emit_pte(ctx, FRT_EV_REMOVE_MIGRATION_PTE);
}
