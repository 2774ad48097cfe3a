// SPDX-License-Identifier: MIT
/*
 * recorded.c - what the kernel recorded in a trace, as rows (recorded.h).
 * The events are counted here; the snapshots' side (vmstat deltas, free
 * lists, pageblocks, mixed pageblocks) is validate's (fidelity.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fidelity.h"
#include "recorded.h"
#include "trace.h"

#define S_THP "THP faults (/proc/vmstat)"
#define S_EXT "Fallbacks (mm_page_alloc_extfrag)"
#define S_CMP "Compaction"
#define S_RCL "Reclaim (/proc/vmstat)"
#define S_ALC "Allocations and pcp"
#define S_END "End state (end snapshot, node 0)"
#define S_TRC "Trace"

#define PAIR(kind, a, f) { kind ":" a "<-" f, "  " kind " " a " <- " f, S_EXT }
#define PAIRS(kind)                                                                     \
	PAIR(kind, "unmovable", "movable"), PAIR(kind, "unmovable", "reclaimable"),     \
	PAIR(kind, "movable", "unmovable"), PAIR(kind, "movable", "reclaimable"),       \
	PAIR(kind, "reclaimable", "unmovable"), PAIR(kind, "reclaimable", "movable")
#define ORDER(n) { "free_blocks_order_" #n, "free blocks of order " #n, S_END }

/* vmstat names are their own keys: "vmstat" rows are read as deltas */
static const struct recorded_row_desc rows[] = {
	{ "thp_fault_alloc", "thp_fault_alloc", S_THP },
	{ "thp_fault_fallback", "thp_fault_fallback", S_THP },
	{ "extfrag", "fallbacks (all events)", S_EXT },
	{ "claimer", "claimer (retyped the block)", S_EXT },
	{ "pollute", "pollute (split, block kept its type)", S_EXT },
	{ "steal", "steal (exact pages, block kept its type)", S_EXT },
	{ "pollute+steal", "pollute + steal", S_EXT },
	{ "claimer:unmovable", "  claimer unmovable", S_EXT },
	{ "claimer:movable", "  claimer movable", S_EXT },
	{ "claimer:reclaimable", "  claimer reclaimable", S_EXT },
	PAIRS("pollute"),
	PAIRS("steal"),
	{ "compaction_runs", "compaction runs (mm_compaction_begin)", S_CMP },
	{ "compact_stall", "compact_stall", S_CMP },
	{ "compact_success", "compact_success", S_CMP },
	{ "compact_fail", "compact_fail", S_CMP },
	{ "compact_migrate_scanned", "compact_migrate_scanned", S_CMP },
	{ "compact_free_scanned", "compact_free_scanned", S_CMP },
	{ "compact_isolated", "compact_isolated", S_CMP },
	{ "compact_daemon_wake", "compact_daemon_wake", S_CMP },
	{ "pgmigrate_success", "pgmigrate_success", S_CMP },
	{ "allocstall", "allocstall (all zones)", S_RCL },
	{ "pgscan_direct", "pgscan_direct", S_RCL },
	{ "pgsteal_direct", "pgsteal_direct", S_RCL },
	{ "pgscan_kswapd", "pgscan_kswapd", S_RCL },
	{ "pgsteal_kswapd", "pgsteal_kswapd", S_RCL },
	{ "oom_kill", "oom_kill", S_RCL },
	{ "allocs", "mm_page_alloc served", S_ALC },
	{ "alloc_pages", "pages allocated", S_ALC },
	{ "alloc_failed", "mm_page_alloc failed (no pfn)", S_ALC },
	{ "pcp_refills", "pcp refills", S_ALC },
	{ "pcp_drains", "pcp drains", S_ALC },
	{ "free_pages", "free pages", S_END },
	{ "free_pageblocks", "free pageblocks", S_END },
	{ "pageblocks_unmovable", "pageblocks unmovable", S_END },
	{ "pageblocks_movable", "pageblocks movable", S_END },
	{ "pageblocks_reclaimable", "pageblocks reclaimable", S_END },
	{ "mixed_pageblocks", "mixed pageblocks (pcp pages count)", S_END },
	{ "mixed_pageblocks_min", "mixed, not by unmovable order-0 pages", S_END },
	{ "tainted_pageblocks", "tainted pageblocks", S_END },
	{ "frozen_pages", "pcp or frozen pages (counted unmovable)", S_END },
	ORDER(0), ORDER(1), ORDER(2), ORDER(3), ORDER(4), ORDER(5),
	ORDER(6), ORDER(7), ORDER(8), ORDER(9), ORDER(10),
	{ "events", "events (every node's)", S_TRC },
	{ "numa_nodes", "NUMA nodes with memory", S_TRC },
	{ "duration_ms", "duration (ms, first to last event)", S_TRC },
};
#define NR_ROWS (sizeof(rows) / sizeof(rows[0]))
#define NR_SHOWN_ORDERS 11

/* /proc/vmstat counters read as deltas, each a row of its own name */
static const char *const vmstat_rows[] = {
	"thp_fault_alloc", "thp_fault_fallback", "compact_stall", "compact_success",
	"compact_fail", "compact_migrate_scanned", "compact_free_scanned", "compact_isolated",
	"compact_daemon_wake", "pgmigrate_success", "pgscan_direct", "pgsteal_direct",
	"pgscan_kswapd", "pgsteal_kswapd", "oom_kill",
};
static const char *const allocstall_zones[] = {
	"allocstall_dma", "allocstall_dma32", "allocstall_normal", "allocstall_movable",
	"allocstall_device",
};
static const char *const mt_name[] = { "unmovable", "movable", "reclaimable" };

size_t recorded_nr_rows(void)
{
	return NR_ROWS;
}

const struct recorded_row_desc *recorded_row(size_t i)
{
	return i < NR_ROWS ? &rows[i] : NULL;
}

long recorded_row_find(const char *key)
{
	for (size_t i = 0; i < NR_ROWS; i++)
		if (!strcmp(rows[i].key, key))
			return (long)i;
	return -1;
}

static void set(struct recorded *r, const char *key, int64_t v)
{
	long i = recorded_row_find(key);

	if (i >= 0) {
		r->value[i] = v;
		r->known[i] = true;
	}
}

/* the events' side */
struct counts {
	uint64_t events, first_ts, last_ts;
	uint64_t allocs, alloc_pages, alloc_failed, pcp_refills, pcp_drains, compaction_runs;
	uint64_t extfrag, claimer[3], pollute[3][3], steal[3][3];
	uint64_t claimer_all, pollute_all, steal_all; /* with the types beyond the pcp ones */
};

static void count(struct counts *c, const struct frt_event *ev)
{
	if (!c->events++)
		c->first_ts = ev->ts;
	c->last_ts = ev->ts;
	switch (ev->type) {
	case FRT_EV_PAGE_ALLOC:
		if (ev->alloc.pfn == FRT_PFN_NONE) {
			c->alloc_failed++;
		} else {
			c->allocs++;
			c->alloc_pages += ev->alloc.order < 64 ? 1ull << ev->alloc.order : 0;
		}
		break;
	case FRT_EV_PAGE_ALLOC_ZONE_LOCKED:
		c->pcp_refills += ev->zone_locked.percpu_refill != 0;
		break;
	case FRT_EV_PAGE_PCPU_DRAIN:
		c->pcp_drains++;
		break;
	case FRT_EV_COMPACTION_BEGIN:
		c->compaction_runs++;
		break;
	case FRT_EV_PAGE_ALLOC_EXTFRAG: {
		int64_t a = ev->extfrag.alloc_migratetype, f = ev->extfrag.fallback_migratetype;
		bool pcp = a >= 0 && a < 3 && f >= 0 && f < 3;

		c->extfrag++;
		if (ev->extfrag.change_ownership) {
			c->claimer_all++;
			if (a >= 0 && a < 3)
				c->claimer[a]++;
		} else if (ev->extfrag.fallback_order > ev->extfrag.alloc_order) {
			c->pollute_all++;
			if (pcp)
				c->pollute[a][f]++;
		} else {
			c->steal_all++;
			if (pcp)
				c->steal[a][f]++;
		}
		break;
	}
	default:
		break;
	}
}

static void fill_events(struct recorded *r, const struct counts *c)
{
	char key[64];

	set(r, "events", (int64_t)c->events);
	set(r, "duration_ms", (int64_t)((c->last_ts - c->first_ts) / 1000000));
	set(r, "allocs", (int64_t)c->allocs);
	set(r, "alloc_pages", (int64_t)c->alloc_pages);
	set(r, "alloc_failed", (int64_t)c->alloc_failed);
	set(r, "pcp_refills", (int64_t)c->pcp_refills);
	set(r, "pcp_drains", (int64_t)c->pcp_drains);
	set(r, "compaction_runs", (int64_t)c->compaction_runs);
	set(r, "extfrag", (int64_t)c->extfrag);
	set(r, "claimer", (int64_t)c->claimer_all);
	set(r, "pollute", (int64_t)c->pollute_all);
	set(r, "steal", (int64_t)c->steal_all);
	set(r, "pollute+steal", (int64_t)(c->pollute_all + c->steal_all));
	for (int a = 0; a < 3; a++) {
		snprintf(key, sizeof(key), "claimer:%s", mt_name[a]);
		set(r, key, (int64_t)c->claimer[a]);
		for (int f = 0; f < 3; f++) {
			if (a == f)
				continue;
			snprintf(key, sizeof(key), "pollute:%s<-%s", mt_name[a], mt_name[f]);
			set(r, key, (int64_t)c->pollute[a][f]);
			snprintf(key, sizeof(key), "steal:%s<-%s", mt_name[a], mt_name[f]);
			set(r, key, (int64_t)c->steal[a][f]);
		}
	}
}

/* the snapshots' side: vmstat deltas and the end state */
static void fill_snapshots(struct recorded *r, const struct fidelity_kernel *k)
{
	struct fidelity_kernel_state st;
	int64_t d, sum = 0;
	bool any = false;

	for (size_t i = 0; i < sizeof(vmstat_rows) / sizeof(vmstat_rows[0]); i++)
		if (!fidelity_kernel_vmstat_delta(k, vmstat_rows[i], &d))
			set(r, vmstat_rows[i], d);
	for (size_t i = 0; i < sizeof(allocstall_zones) / sizeof(allocstall_zones[0]); i++)
		if (!fidelity_kernel_vmstat_delta(k, allocstall_zones[i], &d)) {
			sum += d;
			any = true;
		}
	if (any)
		set(r, "allocstall", sum);

	fidelity_kernel_state(k, &st);
	if (!st.end_source)
		return;
	uint64_t free_pages = 0, free_pb = 0;
	char key[64];
	for (unsigned int o = 0; o < MODEL_NR_ORDERS; o++) {
		uint64_t blocks = 0;
		for (int mt = 0; mt < MODEL_NR_MT; mt++)
			blocks += st.free_blocks[o][mt];
		free_pages += blocks << o;
		if (o >= st.pageblock_order)
			free_pb += blocks << (o - st.pageblock_order);
		if (o < NR_SHOWN_ORDERS) {
			snprintf(key, sizeof(key), "free_blocks_order_%u", o);
			set(r, key, (int64_t)blocks);
		}
	}
	set(r, "free_pages", (int64_t)free_pages);
	set(r, "free_pageblocks", (int64_t)free_pb);
	set(r, "pageblocks_unmovable", (int64_t)st.pageblocks[MODEL_MT_UNMOVABLE]);
	set(r, "pageblocks_movable", (int64_t)st.pageblocks[MODEL_MT_MOVABLE]);
	set(r, "pageblocks_reclaimable", (int64_t)st.pageblocks[MODEL_MT_RECLAIMABLE]);
	set(r, "mixed_pageblocks", (int64_t)st.mixed_pageblocks);
	set(r, "tainted_pageblocks", (int64_t)st.tainted_pageblocks);
	set(r, "mixed_pageblocks_min", (int64_t)st.mixed_sure_pageblocks);
	if (st.frozen_pages >= 0)
		set(r, "frozen_pages", st.frozen_pages);
}

static int recorded_defrag_mode(const char *meta)
{
	json_t *m = json_loads(meta, 0, NULL);
	json_t *v = json_object_get(json_object_get(m, "sysctls"), "defrag_mode");
	int mode = json_is_integer(v) ? (int)json_integer_value(v) : -1;

	json_decref(m);
	return mode;
}

/*
 * The metadata's nodes with a zone that spans pages. The event rows count
 * every node's events; the end state is node 0's (fidelity_kernel_state(),
 * the model's node): on a NUMA host the two sections speak of different
 * memory, and this row says so.
 */
static void recorded_nodes(struct recorded *r, const char *meta)
{
	json_t *m = json_loads(meta, 0, NULL), *z;
	json_int_t last = -1, n = 0;
	size_t i;

	json_array_foreach(json_object_get(m, "zones"), i, z) {
		json_int_t node = json_integer_value(json_object_get(z, "node"));

		if (json_integer_value(json_object_get(z, "spanned")) > 0 && node != last) {
			n++; /* zoneinfo lists a node's zones together */
			last = node;
		}
	}
	if (n)
		set(r, "numa_nodes", (int64_t)n);
	json_decref(m);
}

int recorded_read(const char *path, struct recorded *out, char *err, size_t errlen)
{
	struct fidelity_kernel *k = NULL;
	struct frt_reader *rd = NULL;
	struct counts c = { 0 };
	struct frt_frame_info fi;
	struct frt_event ev;
	int ret;

	memset(out, 0, sizeof(*out));
	snprintf(out->path, sizeof(out->path), "%s", path);
	out->value = calloc(NR_ROWS, sizeof(*out->value));
	out->known = calloc(NR_ROWS, sizeof(*out->known));
	k = fidelity_kernel_new();
	if (!out->value || !out->known || !k) {
		snprintf(err, errlen, "%s: out of memory", path);
		ret = -ENOMEM;
		goto cleanup;
	}
	rd = frt_reader_open(path, err, errlen);
	if (!rd) {
		ret = -errno;
		goto cleanup;
	}
	out->defrag_mode = recorded_defrag_mode(frt_reader_meta(rd));
	recorded_nodes(out, frt_reader_meta(rd));
	while ((ret = frt_reader_next_frame(rd, &fi)) > 0) {
		if (fi.type == FRT_FRAME_EVENTS) {
			while ((ret = frt_reader_frame_next(rd, &ev)) > 0)
				count(&c, &ev);
			if (ret < 0)
				break;
		} else {
			uint32_t len;
			const char *payload = frt_reader_frame_payload(rd, &len);
			if (payload)
				fidelity_kernel_frame(k, &fi, payload, len);
		}
	}
	if (ret < 0)
		snprintf(out->damage, sizeof(out->damage), "%s", frt_reader_error(rd));
	else if (frt_reader_status(rd) != FRT_READ_OK)
		snprintf(out->damage, sizeof(out->damage),
			 "%.400s: no trailer: the trace is truncated", path);
	ret = fidelity_kernel_end(k);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		goto cleanup;
	}
	fill_events(out, &c);
	fill_snapshots(out, k);
cleanup:
	frt_reader_free(rd);
	fidelity_kernel_free(k);
	return ret;
}

void recorded_free(struct recorded *r)
{
	free(r->value);
	free(r->known);
	r->value = NULL;
	r->known = NULL;
}

void recorded_stat(const struct recorded *runs, size_t nr, size_t row, struct recorded_stat *out)
{
	double sum = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nr; i++) {
		if (!runs[i].known[row])
			continue;
		int64_t v = runs[i].value[row];
		if (!out->n || v < out->min)
			out->min = v;
		if (!out->n || v > out->max)
			out->max = v;
		sum += (double)v;
		out->n++;
	}
	if (out->n)
		out->mean = sum / (double)out->n;
}
