// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * collector.bpf.c - one program per page-allocator, compaction and migration
 * tracepoint, most of them twice. Each copies its tracepoint's fields, in
 * event.c's schema order, into a struct frt_record in the ring buffer of the
 * CPU it runs on. Nothing is filtered: the allocator serves every task, the
 * recorder too.
 *
 * Two ways in, chosen per tracepoint by the loader (collector.c):
 *  - tp_btf/NAME programs get the tracepoint's own arguments, called straight
 *    from the tracepoint (no trace event record is built): the cheap way.
 *    A struct page argument is recorded as its address (FRT_RECORD_PAGE):
 *    the verifier allows no arithmetic on it, and user space turns it into
 *    the pfn with the vmemmap base it found first with vm_page and vm_pfn.
 *  - tp/GROUP/NAME programs read the trace event record the kernel fills for
 *    perf, with CO-RE relocated field offsets: the fallback where the kernel
 *    has no BTF for the tracepoint or its arguments are not the expected
 *    ones, and the only way for tracepoints whose fields the kernel derives
 *    in TP_fast_assign from state a BPF program cannot reach cheaply
 *    (mm_page_alloc_extfrag's change_ownership reads the pageblock bitmap;
 *    the compaction begin/end/suitable/defer events read struct zone and
 *    compact_control).
 *
 * Per-CPU rings: one shared ring buffer makes every producer contend for
 * its lock, and throughput falls as CPUs are added; with a ring per CPU a
 * producer only meets interrupts of its own CPU. User space merges the
 * rings by timestamp.
 *
 * Recursion catchers: the programs of mm_page_alloc and mm_page_free, which
 * can fire in an interrupt during themselves, come in pairs: a main program
 * and a catcher of the calls the kernel refuses it (HOT() says how, and what
 * it cannot catch).
 *
 * A record that finds its ring full is counted in drops[] of its CPU, which
 * user space reads through the skeleton's .bss at the end: a lost event is
 * never silent. Programs record only while user space holds capturing true,
 * so that all tracepoints start and stop at one instant although they are
 * attached and detached one after another.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "frt_core_types.h"
#include "frt_mm_types.h"
#include "collector.h"
#include "event.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

typedef unsigned int gfp_t;

/* max_entries of both are set by collector.c before load */
struct ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct ring);
} rings SEC(".maps");

/*
 * A tp/ program returning 0 hides the event from every perf user of the
 * same tracepoint (perf_trace_run_bpf_submit()); 1 leaves perf stat and
 * perf record running alongside undisturbed. tp_btf programs run beside
 * perf's own handler and cannot hide anything.
 */
#define TP_PASS 1

__u64 drops[FRT_COLLECTOR_MAX_CPUS];
/* per CPU: pid_tgid + 1 of the task whose name the ring has last had (0: none), and when */
__u64 named[FRT_COLLECTOR_MAX_CPUS];
__u64 named_gen[FRT_COLLECTOR_MAX_CPUS];
/* task renames so far (exec, prctl(PR_SET_NAME)): each makes every CPU name its task again */
__u64 rename_gen;
bool capturing;

/*
 * running[cpu][type]: the main tp_btf program of tracepoint @type is running
 * on @cpu (HOT()). A row per CPU of its own cache line: every event writes it.
 */
_Static_assert(FRT_EV_NR_TYPES <= 64, "running[][] has a byte per event type");
__u8 running[FRT_COLLECTOR_MAX_CPUS][64] __attribute__((aligned(64)));
/* per event type: the calls the main program was refused that its catcher recorded */
__u64 caught[FRT_EV_NR_TYPES];

/*
 * Wake the reader once, when the data waiting in the ring grows past
 * wakeup_bytes (set before load: 256 KiB, or 1/8 of a smaller ring). Not at
 * every record past it: while the reader lagged, that was a wakeup (an
 * irq_work, a self-IPI) per record, hundreds of thousands a second. A reader
 * that is awake needs none: epoll reports a ring with data at once; and user
 * space drains on its poll timeout too. A wakeup per record cost the recorder
 * ~1 us of CPU per event.
 */
const volatile __u64 wakeup_bytes = 1;

static __always_inline void record_submit(void *ring, void *r, __u64 size)
{
	__u64 avail = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA);
	__u64 flags = BPF_RB_NO_WAKEUP;

	/* avail counts this record already (reserved); with its 8-byte header */
	if (avail >= wakeup_bytes && avail < wakeup_bytes + size + 8)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(r, flags);
}

/*
 * The name of the task goes in a record of its own, and only when the ring
 * last named another task, or any task was renamed since: an interrupt
 * between the check and the update names the same task twice, which costs
 * a record and breaks nothing.
 */
static __always_inline void name_task(void *ring, __u32 cpu, __u64 pid_tgid)
{
	struct frt_record *r;
	/* CPUs past the table are named on every record; the mask is for the verifier */
	bool tracked = cpu < FRT_COLLECTOR_MAX_CPUS;
	__u32 slot = cpu & (FRT_COLLECTOR_MAX_CPUS - 1);
	__u64 gen = rename_gen;

	if (tracked && named[slot] == pid_tgid + 1 && named_gen[slot] == gen)
		return;
	r = bpf_ringbuf_reserve(ring, sizeof(*r) + 16, 0);
	if (!r)
		return; /* the event's own reserve counts the drop */
	r->ts = bpf_ktime_get_ns();
	r->pid = (__u32)pid_tgid;
	r->tgid = pid_tgid >> 32;
	r->cpu = cpu;
	r->type = FRT_RECORD_COMM;
	r->nr_fields = 2;
	r->flags = 0;
	r->f[0] = r->f[1] = 0;
	bpf_get_current_comm(r->f, 16);
	record_submit(ring, r, sizeof(*r) + 16);
	if (tracked) {
		named[slot] = pid_tgid + 1;
		named_gen[slot] = gen;
	}
}

/* A record of @nr fields on this CPU's ring, or NULL (not capturing, or full: counted). */
static __always_inline struct frt_record *record_reserve(void **ring, __u16 type, __u32 nr,
							 __u8 flags)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct frt_record *r;
	__u64 pid_tgid;

	if (!capturing)
		return NULL;
	*ring = bpf_map_lookup_elem(&rings, &cpu);
	if (!*ring)
		return NULL;
	pid_tgid = bpf_get_current_pid_tgid();
	name_task(*ring, cpu, pid_tgid);
	r = bpf_ringbuf_reserve(*ring, sizeof(*r) + nr * sizeof(__u64), 0);
	if (!r) {
		if (cpu >= FRT_COLLECTOR_MAX_CPUS)
			cpu = FRT_COLLECTOR_MAX_CPUS - 1;
		__sync_fetch_and_add(&drops[cpu], 1);
		return NULL;
	}
	/*
	 * Stamped after the reserve: a record older than the moment user space
	 * found its ring empty was reserved before it, and so was seen, at least
	 * as not committed yet (collector.c's watermark relies on this).
	 */
	r->ts = bpf_ktime_get_ns();
	r->pid = (__u32)pid_tgid;
	r->tgid = pid_tgid >> 32;
	r->cpu = cpu;
	r->type = type;
	r->nr_fields = nr;
	r->flags = flags;
	return r;
}

/* f[0] of a FRT_RECORD_PAGE record: the page's address, or FRT_PFN_NONE for no page */
#define PAGE(page) ((page) ? (__u64)(page) : FRT_PFN_NONE)

/*
 * EMITn(type, f0, ..): one record with n fields. Used by both program kinds,
 * so a tracepoint's two programs cannot disagree on its fields.
 */
#define EMIT_BEGIN(type, n)                                                     \
	void *ring;                                                             \
	struct frt_record *r = record_reserve(&ring, type, n, 0);               \
	if (r) {
#define EMIT_END() record_submit(ring, r, sizeof(*r) + r->nr_fields * sizeof(__u64)); }
#define EMIT1(t, a) do { EMIT_BEGIN(t, 1) r->f[0] = (a); EMIT_END() } while (0)
#define EMIT2(t, a, b) do { EMIT_BEGIN(t, 2) r->f[0] = (a); r->f[1] = (b); EMIT_END() } while (0)
#define EMIT3(t, a, b, c) \
	do { EMIT_BEGIN(t, 3) r->f[0] = (a); r->f[1] = (b); r->f[2] = (c); EMIT_END() } while (0)
#define EMIT4(t, a, b, c, d) do { EMIT_BEGIN(t, 4) r->f[0] = (a); r->f[1] = (b); \
	r->f[2] = (c); r->f[3] = (d); EMIT_END() } while (0)
#define EMIT5(t, a, b, c, d, e) do { EMIT_BEGIN(t, 5) r->f[0] = (a); r->f[1] = (b); \
	r->f[2] = (c); r->f[3] = (d); r->f[4] = (e); EMIT_END() } while (0)
#define EMIT6(t, a, b, c, d, e, g) do { EMIT_BEGIN(t, 6) r->f[0] = (a); r->f[1] = (b); \
	r->f[2] = (c); r->f[3] = (d); r->f[4] = (e); r->f[5] = (g); EMIT_END() } while (0)

/* the same, f[0] a struct page's address (tp_btf) */
#define EMIT_PAGE_BEGIN(type, n)                                                \
	void *ring;                                                             \
	struct frt_record *r = record_reserve(&ring, type, n, FRT_RECORD_PAGE); \
	if (r) {
#define EMIT_PAGE1(t, a) do { EMIT_PAGE_BEGIN(t, 1) r->f[0] = PAGE(a); EMIT_END() } while (0)
#define EMIT_PAGE2(t, a, b) \
	do { EMIT_PAGE_BEGIN(t, 2) r->f[0] = PAGE(a); r->f[1] = (b); EMIT_END() } while (0)
#define EMIT_PAGE3(t, a, b, c) do { EMIT_PAGE_BEGIN(t, 3) r->f[0] = PAGE(a); r->f[1] = (b); \
	r->f[2] = (c); EMIT_END() } while (0)
#define EMIT_PAGE4(t, a, b, c, d) do { EMIT_PAGE_BEGIN(t, 4) r->f[0] = PAGE(a); r->f[1] = (b); \
	r->f[2] = (c); r->f[3] = (d); EMIT_END() } while (0)

/* signed tracepoint fields are stored sign-extended */
#define S(v) ((__u64)(__s64)(v))

/*
 * HOT(name, type, emit, args...): the tp_btf program of a tracepoint that
 * fires in interrupts too (pages are allocated and freed in hard and soft
 * interrupt context), and its catcher: mm_page_alloc and mm_page_free. A
 * catcher costs every event of its tracepoint (~20 ns here: a second
 * probe on the tracepoint, which then calls its probes through the iterator
 * instead of a static call, and a second __bpf_trace_run()), so only where a
 * nested call is likely: mm_page_alloc_zone_locked, mm_page_pcpu_drain and
 * the 2026 pcp events fire under zone->lock taken with interrupts off
 * (spin_lock_irqsave in rmqueue_bulk(), rmqueue_buddy(),
 * free_pcppages_bulk()), where nothing but an NMI could nest, and NMIs do
 * not allocate pages; mm_page_free_batched fires in free_unref_folios(),
 * which interrupts hardly call (they free single pages: mm_page_free, caught
 * there). Their misses stay counted.
 *
 * Why a catcher. The kernel calls a tp_btf (or raw_tp) program through
 * __bpf_trace_run() (kernel/trace/bpf_trace.c), which first takes the
 * program's own per-CPU recursion guard (bpf_prog_get_recursion_context():
 * this_cpu_inc_return(*prog->active) == 1; on arm64 in newer trees a byte
 * per interrupt level, still refused while any level holds it). A call that
 * finds the guard taken is skipped and counted in the program's
 * recursion_misses. So an interrupt or softirq that allocates or frees a
 * page while btf_mm_page_free runs on its CPU fires the tracepoint into a
 * program that refuses it: the event is lost. The guard belongs to the
 * program, not to the tracepoint: a second program on the same tracepoint
 * has its own, free while the first one runs.
 *
 * How. The main program raises running[cpu][type] on its first instruction
 * and lowers it on its last. The catcher, attached to the same tracepoint
 * after it, records an event only while that flag is up: it then runs
 * nested inside the main program's call on this CPU, for a call the main
 * program's guard refused. Nothing is recorded twice: outside such a nesting
 * the flag is down and the catcher returns at once (the order in which the
 * tracepoint calls the two does not matter). A nested call during the
 * catcher's own run, with the flag down, finds the main program free.
 *
 * What it still cannot catch:
 *  - a call nested twice: while the catcher records an event nested in the
 *    main program, a further interrupt on top of it (a hard interrupt over
 *    a softirq) finds both guards taken;
 *  - a call nested in the kernel's instructions between __bpf_trace_run()
 *    taking the main program's guard and its first store, or between its
 *    last store and the guard's release (the flag is down then): a small
 *    part of the guarded time, but an interrupt landing there runs its
 *    softirqs on exit, and an RCU callback batch frees many pages at once:
 *    such misses come in bursts of tens (bench runs kept 0-65 where they had
 *    0-385 without catchers);
 *  - tp/ programs (the fallback): trace_call_bpf() guards them with one
 *    counter per CPU for all of them (bpf_prog_active), so they get no
 *    catcher, and their misses are counted as before.
 * What is lost is counted: every refused call is in the main program's
 * recursion_misses, every caught one in caught[type], and user space reports
 * the difference (collector.c, frt_collector_recursion_misses()).
 */
/*
 * The flag of @type on @cpu, indexed (not a pointer kept across the program:
 * 6.1's verifier lost track of one). CPUs past the table get no catcher
 * (their misses stay counted); the mask is for the verifier.
 */
#define RUNNING(cpu, type) running[(cpu) & (FRT_COLLECTOR_MAX_CPUS - 1)][type]

#define HOT(name, type, emit, ...)                                                          \
SEC("tp_btf/" #name)                                                                        \
int BPF_PROG(btf_##name, __VA_ARGS__)                                                       \
{                                                                                           \
	__u32 cpu = bpf_get_smp_processor_id();                                             \
	bool tracked = cpu < FRT_COLLECTOR_MAX_CPUS;                                        \
												\
	if (tracked)                                                                        \
		RUNNING(cpu, type) = 1;                                                     \
	emit;                                                                               \
	if (tracked)                                                                        \
		RUNNING(cpu, type) = 0;                                                     \
	return 0;                                                                           \
}                                                                                           \
SEC("tp_btf/" #name)                                                                        \
int BPF_PROG(catch_##name, __VA_ARGS__)                                                     \
{                                                                                           \
	__u32 cpu = bpf_get_smp_processor_id();                                             \
												\
	if (cpu >= FRT_COLLECTOR_MAX_CPUS || !RUNNING(cpu, type) || !capturing)             \
		return 0;                                                                   \
	__sync_fetch_and_add(&caught[type], 1);                                             \
	emit;                                                                               \
	return 0;                                                                           \
}

/* ---- the vmemmap base: a free's struct page and pfn, on one CPU (vmemmap.bpf.h) ---- */

#include "vmemmap.bpf.h"

SEC("tp_btf/mm_page_free")
int BPF_PROG(vm_page, struct page *page, unsigned int order)
{
	vm_saw(true, (__u64)page);
	return 0;
}

SEC("tp/kmem/mm_page_free")
int vm_pfn(struct trace_event_raw_mm_page_free *ctx)
{
	vm_saw(false, ctx->pfn);
	return TP_PASS;
}

/* ---- names: task:task_rename fires in __set_task_comm(), for exec and prctl ---- */

SEC("tp_btf/task_rename")
int BPF_PROG(btf_task_rename)
{
	__sync_fetch_and_add(&rename_gen, 1);
	return 0;
}

SEC("tp/task/task_rename")
int task_rename(void *ctx)
{
	__sync_fetch_and_add(&rename_gen, 1);
	return TP_PASS;
}

/* ---- kmem ---- */

/* a failed request has no page: FRT_PFN_NONE, as the trace event's pfn -1 */
HOT(mm_page_alloc, FRT_EV_PAGE_ALLOC,
    EMIT_PAGE4(FRT_EV_PAGE_ALLOC, page, order, gfp_flags, S(migratetype)),
    struct page *page, unsigned int order, gfp_t gfp_flags, int migratetype)

SEC("tp/kmem/mm_page_alloc")
int mm_page_alloc(struct trace_event_raw_mm_page_alloc *ctx)
{
	EMIT4(FRT_EV_PAGE_ALLOC, ctx->pfn, ctx->order, ctx->gfp_flags, S(ctx->migratetype));
	return TP_PASS;
}

HOT(mm_page_free, FRT_EV_PAGE_FREE, EMIT_PAGE2(FRT_EV_PAGE_FREE, page, order),
    struct page *page, unsigned int order)

SEC("tp/kmem/mm_page_free")
int mm_page_free(struct trace_event_raw_mm_page_free *ctx)
{
	EMIT2(FRT_EV_PAGE_FREE, ctx->pfn, ctx->order);
	return TP_PASS;
}

SEC("tp_btf/mm_page_free_batched")
int BPF_PROG(btf_mm_page_free_batched, struct page *page)
{
	EMIT_PAGE1(FRT_EV_PAGE_FREE_BATCHED, page);
	return 0;
}

SEC("tp/kmem/mm_page_free_batched")
int mm_page_free_batched(struct trace_event_raw_mm_page_free_batched *ctx)
{
	EMIT1(FRT_EV_PAGE_FREE_BATCHED, ctx->pfn);
	return TP_PASS;
}

SEC("tp_btf/mm_page_alloc_zone_locked")
int BPF_PROG(btf_mm_page_alloc_zone_locked, struct page *page, unsigned int order,
	     int migratetype, int percpu_refill)
{
	EMIT_PAGE4(FRT_EV_PAGE_ALLOC_ZONE_LOCKED, page, order, S(migratetype), S(percpu_refill));
	return 0;
}

SEC("tp/kmem/mm_page_alloc_zone_locked")
int mm_page_alloc_zone_locked(struct trace_event_raw_mm_page *ctx)
{
	EMIT4(FRT_EV_PAGE_ALLOC_ZONE_LOCKED, ctx->pfn, ctx->order, S(ctx->migratetype),
	      S(ctx->percpu_refill));
	return TP_PASS;
}

SEC("tp_btf/mm_page_pcpu_drain")
int BPF_PROG(btf_mm_page_pcpu_drain, struct page *page, unsigned int order, int migratetype)
{
	EMIT_PAGE3(FRT_EV_PAGE_PCPU_DRAIN, page, order, S(migratetype));
	return 0;
}

/* the 2026 mm tree's patch moves mm_page_pcpu_drain into the class mm_page_pcpu */
SEC("tp/kmem/mm_page_pcpu_drain")
int mm_page_pcpu_drain(void *ctx)
{
	if (bpf_core_type_exists(struct trace_event_raw_mm_page_pcpu_drain)) {
		struct trace_event_raw_mm_page_pcpu_drain *e = ctx;

		EMIT3(FRT_EV_PAGE_PCPU_DRAIN, e->pfn, e->order, S(e->migratetype));
	} else {
		struct trace_event_raw_mm_page_pcpu *e = ctx;

		EMIT3(FRT_EV_PAGE_PCPU_DRAIN, e->pfn, e->order, S(e->migratetype));
	}
	return TP_PASS;
}

SEC("tp/kmem/mm_page_alloc_extfrag")
int mm_page_alloc_extfrag(struct trace_event_raw_mm_page_alloc_extfrag *ctx)
{
	EMIT6(FRT_EV_PAGE_ALLOC_EXTFRAG, ctx->pfn, S(ctx->alloc_order), S(ctx->fallback_order),
	      S(ctx->alloc_migratetype), S(ctx->fallback_migratetype), S(ctx->change_ownership));
	return TP_PASS;
}

/* 2026 mm tree: kernels without these leave the programs unloaded */

SEC("tp_btf/mm_page_pcpu_refill")
int BPF_PROG(btf_mm_page_pcpu_refill, struct page *page, unsigned int order, int migratetype)
{
	EMIT_PAGE3(FRT_EV_PAGE_PCPU_REFILL, page, order, S(migratetype));
	return 0;
}

/* an event of its own in the linux-mm tree, of the class mm_page_pcpu in the v2 patch */
SEC("tp/kmem/mm_page_pcpu_refill")
int mm_page_pcpu_refill(void *ctx)
{
	if (bpf_core_type_exists(struct trace_event_raw_mm_page_pcpu_refill)) {
		struct trace_event_raw_mm_page_pcpu_refill *e = ctx;

		EMIT3(FRT_EV_PAGE_PCPU_REFILL, e->pfn, e->order, S(e->migratetype));
	} else {
		struct trace_event_raw_mm_page_pcpu *e = ctx;

		EMIT3(FRT_EV_PAGE_PCPU_REFILL, e->pfn, e->order, S(e->migratetype));
	}
	return TP_PASS;
}

SEC("tp_btf/mm_page_pcpu_refill_zone_locked")
int BPF_PROG(btf_mm_page_pcpu_refill_zone_locked, int nid, int zid, unsigned long nr_pages)
{
	EMIT3(FRT_EV_PAGE_PCPU_REFILL_ZONE_LOCKED, S(nid), S(zid), nr_pages);
	return 0;
}

SEC("tp/kmem/mm_page_pcpu_refill_zone_locked")
int mm_page_pcpu_refill_zone_locked(struct trace_event_raw_mm_page_pcpu_zone_locked *ctx)
{
	EMIT3(FRT_EV_PAGE_PCPU_REFILL_ZONE_LOCKED, S(ctx->nid), S(ctx->zid), ctx->nr_pages);
	return TP_PASS;
}

SEC("tp_btf/mm_page_pcpu_drain_zone_locked")
int BPF_PROG(btf_mm_page_pcpu_drain_zone_locked, int nid, int zid, unsigned long nr_pages)
{
	EMIT3(FRT_EV_PAGE_PCPU_DRAIN_ZONE_LOCKED, S(nid), S(zid), nr_pages);
	return 0;
}

SEC("tp/kmem/mm_page_pcpu_drain_zone_locked")
int mm_page_pcpu_drain_zone_locked(struct trace_event_raw_mm_page_pcpu_zone_locked *ctx)
{
	EMIT3(FRT_EV_PAGE_PCPU_DRAIN_ZONE_LOCKED, S(ctx->nid), S(ctx->zid), ctx->nr_pages);
	return TP_PASS;
}

/* ---- compaction ---- */

SEC("tp/compaction/mm_compaction_begin")
int mm_compaction_begin(struct trace_event_raw_mm_compaction_begin *ctx)
{
	EMIT5(FRT_EV_COMPACTION_BEGIN, ctx->zone_start, ctx->migrate_pfn, ctx->free_pfn,
	      ctx->zone_end, ctx->sync);
	return TP_PASS;
}

SEC("tp/compaction/mm_compaction_end")
int mm_compaction_end(struct trace_event_raw_mm_compaction_end *ctx)
{
	EMIT6(FRT_EV_COMPACTION_END, ctx->zone_start, ctx->migrate_pfn, ctx->free_pfn,
	      ctx->zone_end, ctx->sync, S(ctx->status));
	return TP_PASS;
}

SEC("tp_btf/mm_compaction_try_to_compact_pages")
int BPF_PROG(btf_mm_compaction_try_to_compact_pages, int order, gfp_t gfp_mask, int prio)
{
	EMIT3(FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES, S(order), gfp_mask, S(prio));
	return 0;
}

SEC("tp/compaction/mm_compaction_try_to_compact_pages")
int mm_compaction_try_to_compact_pages(struct trace_event_raw_mm_compaction_try_to_compact_pages *ctx)
{
	EMIT3(FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES, S(ctx->order), ctx->gfp_mask, S(ctx->prio));
	return TP_PASS;
}

#define SUITABLE(type, e) \
	EMIT4(type, S((e)->nid), (e)->idx, S((e)->order), S((e)->ret))

SEC("tp/compaction/mm_compaction_suitable")
int mm_compaction_suitable(struct trace_event_raw_mm_compaction_suitable_template *ctx)
{
	SUITABLE(FRT_EV_COMPACTION_SUITABLE, ctx);
	return TP_PASS;
}

SEC("tp/compaction/mm_compaction_finished")
int mm_compaction_finished(struct trace_event_raw_mm_compaction_suitable_template *ctx)
{
	SUITABLE(FRT_EV_COMPACTION_FINISHED, ctx);
	return TP_PASS;
}

#define DEFER(type, e) EMIT6(type, S((e)->nid), (e)->idx, S((e)->order), (e)->considered, \
			     (e)->defer_shift, S((e)->order_failed))

SEC("tp/compaction/mm_compaction_deferred")
int mm_compaction_deferred(struct trace_event_raw_mm_compaction_defer_template *ctx)
{
	DEFER(FRT_EV_COMPACTION_DEFERRED, ctx);
	return TP_PASS;
}

SEC("tp/compaction/mm_compaction_defer_compaction")
int mm_compaction_defer_compaction(struct trace_event_raw_mm_compaction_defer_template *ctx)
{
	DEFER(FRT_EV_COMPACTION_DEFER_COMPACTION, ctx);
	return TP_PASS;
}

SEC("tp/compaction/mm_compaction_defer_reset")
int mm_compaction_defer_reset(struct trace_event_raw_mm_compaction_defer_template *ctx)
{
	DEFER(FRT_EV_COMPACTION_DEFER_RESET, ctx);
	return TP_PASS;
}

/* the three isolate events: (start_pfn, end_pfn, nr_scanned, nr_taken), both ways */
#define ISOLATE(name, type)                                                                 \
SEC("tp_btf/" #name)                                                                        \
int BPF_PROG(btf_##name, unsigned long start_pfn, unsigned long end_pfn,                    \
	     unsigned long nr_scanned, unsigned long nr_taken)                              \
{                                                                                           \
	EMIT4(type, start_pfn, end_pfn, nr_scanned, nr_taken);                              \
	return 0;                                                                           \
}                                                                                           \
SEC("tp/compaction/" #name)                                                                 \
int name(struct trace_event_raw_mm_compaction_isolate_template *ctx)                        \
{                                                                                           \
	EMIT4(type, ctx->start_pfn, ctx->end_pfn, ctx->nr_scanned, ctx->nr_taken);          \
	return TP_PASS;                                                                     \
}

ISOLATE(mm_compaction_isolate_migratepages, FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES)
ISOLATE(mm_compaction_isolate_freepages, FRT_EV_COMPACTION_ISOLATE_FREEPAGES)
ISOLATE(mm_compaction_fast_isolate_freepages, FRT_EV_COMPACTION_FAST_ISOLATE_FREEPAGES)

/*
 * The tracepoint's arguments (since 6.9: include/trace/events/compaction.h)
 * are what the event's fields are computed from, not the fields:
 * nr_migrated = nr_succeeded, nr_failed = nr_migratepages - nr_succeeded.
 * Before metadata tp_btf_revision 2 this program wrote the two arguments as
 * the fields; the reader corrects such traces (FORMAT.md 4.2).
 */
SEC("tp_btf/mm_compaction_migratepages")
int BPF_PROG(btf_mm_compaction_migratepages, unsigned int nr_migratepages,
	     unsigned int nr_succeeded)
{
	EMIT2(FRT_EV_COMPACTION_MIGRATEPAGES, nr_succeeded,
	      (unsigned long)nr_migratepages - nr_succeeded);
	return 0;
}

SEC("tp/compaction/mm_compaction_migratepages")
int mm_compaction_migratepages(struct trace_event_raw_mm_compaction_migratepages *ctx)
{
	EMIT2(FRT_EV_COMPACTION_MIGRATEPAGES, ctx->nr_migrated, ctx->nr_failed);
	return TP_PASS;
}

SEC("tp_btf/mm_compaction_kcompactd_sleep")
int BPF_PROG(btf_mm_compaction_kcompactd_sleep, int nid)
{
	EMIT1(FRT_EV_COMPACTION_KCOMPACTD_SLEEP, S(nid));
	return 0;
}

SEC("tp/compaction/mm_compaction_kcompactd_sleep")
int mm_compaction_kcompactd_sleep(struct trace_event_raw_mm_compaction_kcompactd_sleep *ctx)
{
	EMIT1(FRT_EV_COMPACTION_KCOMPACTD_SLEEP, S(ctx->nid));
	return TP_PASS;
}

/* kcompactd_wake and wakeup_kcompactd: (nid, order, highest_zoneidx), both ways */
#define KCOMPACTD(name, type)                                                               \
SEC("tp_btf/" #name)                                                                        \
int BPF_PROG(btf_##name, int nid, int order, enum zone_type highest_zoneidx)                \
{                                                                                           \
	EMIT3(type, S(nid), S(order), highest_zoneidx);                                     \
	return 0;                                                                           \
}                                                                                           \
SEC("tp/compaction/" #name)                                                                 \
int name(struct trace_event_raw_kcompactd_wake_template *ctx)                               \
{                                                                                           \
	EMIT3(type, S(ctx->nid), S(ctx->order), ctx->highest_zoneidx);                      \
	return TP_PASS;                                                                     \
}

KCOMPACTD(mm_compaction_kcompactd_wake, FRT_EV_COMPACTION_KCOMPACTD_WAKE)
KCOMPACTD(mm_compaction_wakeup_kcompactd, FRT_EV_COMPACTION_WAKEUP_KCOMPACTD)

/* ---- migrate ---- */

SEC("tp_btf/mm_migrate_pages")
int BPF_PROG(btf_mm_migrate_pages, unsigned long succeeded, unsigned long failed,
	     unsigned long thp_succeeded, unsigned long thp_failed, unsigned long thp_split,
	     unsigned long large_folio_split, enum migrate_mode mode, int reason)
{
	void *ring;
	struct frt_record *r = record_reserve(&ring, FRT_EV_MIGRATE_PAGES, 8, 0);

	if (!r)
		return 0;
	r->f[0] = succeeded;
	r->f[1] = failed;
	r->f[2] = thp_succeeded;
	r->f[3] = thp_failed;
	r->f[4] = thp_split;
	r->f[5] = large_folio_split;
	r->f[6] = mode;
	r->f[7] = S(reason);
	record_submit(ring, r, sizeof(*r) + 8 * sizeof(__u64));
	return 0;
}

/* reason, an int or (newer kernels) an enum migrate_reason: the one BTF has */
#define MIGRATE_REASON(ctx, flavour)                                                     \
	(bpf_core_field_exists((ctx)->reason) ? (long)(ctx)->reason                          \
					      : (long)((flavour *)(ctx))->reason)

SEC("tp/migrate/mm_migrate_pages")
int mm_migrate_pages(struct trace_event_raw_mm_migrate_pages *ctx)
{
	void *ring;
	struct frt_record *r = record_reserve(&ring, FRT_EV_MIGRATE_PAGES, 8, 0);

	if (!r)
		return TP_PASS;
	r->f[0] = ctx->succeeded;
	r->f[1] = ctx->failed;
	r->f[2] = ctx->thp_succeeded;
	r->f[3] = ctx->thp_failed;
	r->f[4] = ctx->thp_split;
	r->f[5] = bpf_core_field_exists(ctx->large_folio_split) ? ctx->large_folio_split : 0;
	r->f[6] = ctx->mode;
	r->f[7] = S(MIGRATE_REASON(ctx, struct trace_event_raw_mm_migrate_pages___enum));
	record_submit(ring, r, sizeof(*r) + 8 * sizeof(__u64));
	return TP_PASS;
}

SEC("tp_btf/mm_migrate_pages_start")
int BPF_PROG(btf_mm_migrate_pages_start, enum migrate_mode mode, int reason)
{
	EMIT2(FRT_EV_MIGRATE_PAGES_START, mode, S(reason));
	return 0;
}

SEC("tp/migrate/mm_migrate_pages_start")
int mm_migrate_pages_start(struct trace_event_raw_mm_migrate_pages_start *ctx)
{
	EMIT2(FRT_EV_MIGRATE_PAGES_START, ctx->mode,
	      S(MIGRATE_REASON(ctx, struct trace_event_raw_mm_migrate_pages_start___enum)));
	return TP_PASS;
}

/* set_migration_pte and remove_migration_pte: (addr, pte, order), both ways */
#define PTE(name, type)                                                                     \
SEC("tp_btf/" #name)                                                                        \
int BPF_PROG(btf_##name, unsigned long addr, unsigned long pte, int order)                  \
{                                                                                           \
	EMIT3(type, addr, pte, S(order));                                                   \
	return 0;                                                                           \
}                                                                                           \
SEC("tp/migrate/" #name)                                                                    \
int name(struct trace_event_raw_migration_pte *ctx)                                         \
{                                                                                           \
	EMIT3(type, ctx->addr, ctx->pte, S(ctx->order));                                    \
	return TP_PASS;                                                                     \
}

PTE(set_migration_pte, FRT_EV_SET_MIGRATION_PTE)
PTE(remove_migration_pte, FRT_EV_REMOVE_MIGRATION_PTE)
