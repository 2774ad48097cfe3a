// SPDX-License-Identifier: MIT
/*
 * summary.c - a trace's requests summarised as `perf kmem --page stat`
 * summarises a perf.data (tools/perf/builtin-kmem.c, print_page_summary()):
 * allocation and free requests with their pages, allocations by order and
 * migratetype, failures, the extfrag events by kind in the defrag_mode
 * series' words (claimer, pollute, steal), and what compaction and
 * migration did. `fragreplay info --summary` prints it (summary.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "summary.h"
#include "trace.h"

#define NR_ORDERS 13
#define NR_MT 6 /* unmovable, movable, reclaimable, highatomic, CMA, isolate */

struct summary {
	uint64_t allocs, alloc_pages, frees, free_pages, failed, failed_pages;
	uint64_t by_order_mt[NR_ORDERS][NR_MT + 1]; /* the last: a type outside 0..5 */
	uint64_t failed_by_order[NR_ORDERS], frees_by_order[NR_ORDERS];
	uint64_t extfrag[3][3][2]; /* [alloc][fallback][change_ownership] */
	uint64_t compact_runs, compact_sync, direct, deferred, kcompactd_wakes, wakeups,
		isolated_migrate, scanned_migrate, isolated_free, scanned_free, migrated,
		migrate_failed, migrate_calls, migrate_succeeded, migrate_pages_failed,
		migrate_thp_split;
	uint64_t events;
};

static void add(struct summary *s, const struct frt_event *e)
{
	s->events++;
	switch (e->type) {
	case FRT_EV_PAGE_ALLOC: {
		unsigned int o = e->alloc.order < NR_ORDERS ? (unsigned int)e->alloc.order : NR_ORDERS - 1;
		int mt = e->alloc.migratetype >= 0 && e->alloc.migratetype < NR_MT
			 ? (int)e->alloc.migratetype : NR_MT;
		s->allocs++; /* failures included, as perf kmem counts them */
		s->alloc_pages += 1ull << o;
		if (e->alloc.pfn == FRT_PFN_NONE) {
			s->failed++;
			s->failed_pages += 1ull << o;
			s->failed_by_order[o]++;
			break;
		}
		s->by_order_mt[o][mt]++;
		break;
	}
	case FRT_EV_PAGE_FREE: {
		unsigned int o = e->free.order < NR_ORDERS ? (unsigned int)e->free.order : NR_ORDERS - 1;
		s->frees++;
		s->free_pages += 1ull << o;
		s->frees_by_order[o]++;
		break;
	}
	case FRT_EV_PAGE_ALLOC_EXTFRAG:
		if (e->extfrag.alloc_migratetype >= 0 && e->extfrag.alloc_migratetype < 3 &&
		    e->extfrag.fallback_migratetype >= 0 && e->extfrag.fallback_migratetype < 3)
			s->extfrag[e->extfrag.alloc_migratetype][e->extfrag.fallback_migratetype]
				  [!!e->extfrag.change_ownership]++;
		break;
	case FRT_EV_COMPACTION_BEGIN:
		s->compact_runs++;
		s->compact_sync += !!e->compaction.sync;
		break;
	case FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES:
		s->direct++;
		break;
	case FRT_EV_COMPACTION_DEFERRED:
		s->deferred++;
		break;
	case FRT_EV_COMPACTION_KCOMPACTD_WAKE:
		s->kcompactd_wakes++;
		break;
	case FRT_EV_COMPACTION_WAKEUP_KCOMPACTD:
		s->wakeups++;
		break;
	case FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES:
		s->scanned_migrate += e->isolate.nr_scanned;
		s->isolated_migrate += e->isolate.nr_taken;
		break;
	case FRT_EV_COMPACTION_ISOLATE_FREEPAGES:
	case FRT_EV_COMPACTION_FAST_ISOLATE_FREEPAGES:
		s->scanned_free += e->isolate.nr_scanned;
		s->isolated_free += e->isolate.nr_taken;
		break;
	case FRT_EV_COMPACTION_MIGRATEPAGES:
		s->migrated += e->migratepages.nr_migrated;
		s->migrate_failed += e->migratepages.nr_failed;
		break;
	case FRT_EV_MIGRATE_PAGES:
		s->migrate_calls++;
		s->migrate_succeeded += e->migrate.succeeded;
		s->migrate_pages_failed += e->migrate.failed;
		s->migrate_thp_split += e->migrate.thp_split;
		break;
	default:
		break;
	}
}

static const char *kb(char *b, size_t n, uint64_t pages)
{
	char x[32];
	snprintf(b, n, "[ %s KB ]", report_fmt(x, sizeof(x), (int64_t)(pages * 4), false, true, false));
	return b;
}

static void print_text(const struct summary *s, const char *path, FILE *f)
{
	static const char *const mt[] = { "Unmovable", "Movable", "Reclaimable", "HighAtomic",
					  "CMA", "Isolate", "other" };
	char a[32], b[48];
	int max_o = 0;

	for (int o = 0; o < NR_ORDERS; o++)
		for (int t = 0; t <= NR_MT; t++)
			if (s->by_order_mt[o][t] || s->failed_by_order[o] || s->frees_by_order[o])
				max_o = o;
#define N(v) report_fmt(a, sizeof(a), (int64_t)(v), false, true, false)
	fprintf(f, "SUMMARY (page allocator): %s\n========================\n", path);
	fprintf(f, "%-30s: %15s   %s\n", "Total allocation requests", N(s->allocs),
		kb(b, sizeof(b), s->alloc_pages));
	fprintf(f, "%-30s: %15s   %s\n", "Total free requests", N(s->frees),
		kb(b, sizeof(b), s->free_pages));
	fprintf(f, "%-30s: %15s   %s\n", "Total allocation failures", N(s->failed),
		kb(b, sizeof(b), s->failed_pages));
	fprintf(f, "\nAllocations served by order and migratetype (failures and frees by order):\n");
	fprintf(f, "%5s %11s %11s %11s %8s %11s %11s\n", "Order", "Unmovable", "Movable",
		"Reclaimable", "Other", "Failed", "Frees");
	fprintf(f, "----- ----------- ----------- ----------- -------- ----------- -----------\n");
	for (int o = 0; o <= max_o; o++) {
		uint64_t other = 0;
		for (int t = 3; t <= NR_MT; t++)
			other += s->by_order_mt[o][t];
		fprintf(f, "%5d", o);
		for (int t = 0; t < 3; t++)
			fprintf(f, " %11s", s->by_order_mt[o][t] ? N(s->by_order_mt[o][t]) : ".");
		fprintf(f, " %8s", other ? N(other) : ".");
		fprintf(f, " %11s", s->failed_by_order[o] ? N(s->failed_by_order[o]) : ".");
		fprintf(f, " %11s\n", s->frees_by_order[o] ? N(s->frees_by_order[o]) : ".");
	}
	(void)mt;
	fprintf(f, "(Other: highatomic, CMA, isolate; frees carry no migratetype)\n");

	fprintf(f, "\nFallbacks (mm_page_alloc_extfrag), in the defrag_mode series' words:\n");
	bool any = false;
	for (int x = 0; x < 3; x++)
		for (int y = 0; y < 3; y++)
			for (int k = 1; k >= 0; k--)
				if (s->extfrag[x][y][k]) {
					char label[64];
					snprintf(label, sizeof(label), "%s %s <- %s",
						 report_fallback_word(x, y, k), frt_mt_key((uint64_t)x),
						 frt_mt_key((uint64_t)y));
					fprintf(f, "  %-36s %12s\n", label, N(s->extfrag[x][y][k]));
					any = true;
				}
	if (!any)
		fprintf(f, "  none\n");
	fprintf(f, "(claimer: retypes the block; pollute: a movable allocation in another\n"
		" type's block; steal: a non-movable one; neither retypes it)\n");

	fprintf(f, "\nCompaction and migration:\n");
	fprintf(f, "  %-36s %12s\n", "direct compaction (try_to_compact)", N(s->direct));
	fprintf(f, "  %-36s %12s", "compaction runs (begin)", N(s->compact_runs));
	fprintf(f, " (%s sync)\n", N(s->compact_sync));
	fprintf(f, "  %-36s %12s\n", "deferred", N(s->deferred));
	fprintf(f, "  %-36s %12s\n", "kcompactd woken", N(s->kcompactd_wakes));
	fprintf(f, "  %-36s %12s\n", "kcompactd wake-ups asked", N(s->wakeups));
	fprintf(f, "  %-36s %12s\n", "migrate scanner: pages scanned", N(s->scanned_migrate));
	fprintf(f, "  %-36s %12s\n", "  isolated", N(s->isolated_migrate));
	fprintf(f, "  %-36s %12s\n", "free scanner: pages scanned", N(s->scanned_free));
	fprintf(f, "  %-36s %12s\n", "  isolated", N(s->isolated_free));
	fprintf(f, "  %-36s %12s\n", "compaction: pages migrated", N(s->migrated));
	fprintf(f, "  %-36s %12s\n", "  failed", N(s->migrate_failed));
	fprintf(f, "  %-36s %12s\n", "migrate_pages calls (any reason)", N(s->migrate_calls));
	fprintf(f, "  %-36s %12s\n", "  succeeded", N(s->migrate_succeeded));
	fprintf(f, "  %-36s %12s\n", "  failed", N(s->migrate_pages_failed));
	fprintf(f, "  %-36s %12s\n", "  THPs split", N(s->migrate_thp_split));
#undef N
}

static json_t *to_json(const struct summary *s)
{
	json_t *o = json_object(), *om = json_array(), *fo = json_array(), *fr = json_array(),
	       *ext = json_object();

	for (int k = 0; k < NR_ORDERS; k++) {
		json_t *row = json_object();
		for (int t = 0; t < NR_MT; t++)
			json_object_set_new(row, frt_mt_key((uint64_t)t),
					    json_integer((json_int_t)s->by_order_mt[k][t]));
		json_object_set_new(row, "other", json_integer((json_int_t)s->by_order_mt[k][NR_MT]));
		json_array_append_new(om, row);
		json_array_append_new(fo, json_integer((json_int_t)s->failed_by_order[k]));
		json_array_append_new(fr, json_integer((json_int_t)s->frees_by_order[k]));
	}
	for (int x = 0; x < 3; x++)
		for (int y = 0; y < 3; y++)
			for (int k = 1; k >= 0; k--)
				if (x != y) {
					char key[64];
					snprintf(key, sizeof(key), "%s.%s<-%s", report_fallback_word(x, y, k),
						 frt_mt_key((uint64_t)x), frt_mt_key((uint64_t)y));
					json_object_set_new(ext, key, json_integer((json_int_t)s->extfrag[x][y][k]));
				}
#define I(k, v) json_object_set_new(o, k, json_integer((json_int_t)(v)))
	I("allocs", s->allocs); I("alloc_pages", s->alloc_pages); I("frees", s->frees);
	I("free_pages", s->free_pages); I("failed", s->failed); I("failed_pages", s->failed_pages);
	json_object_set_new(o, "allocs_by_order_mt", om);
	json_object_set_new(o, "failed_by_order", fo);
	json_object_set_new(o, "frees_by_order", fr);
	json_object_set_new(o, "extfrag", ext);
	json_t *c = json_object();
	json_object_set_new(o, "compaction", c);
#undef I
#define I(k, v) json_object_set_new(c, k, json_integer((json_int_t)(v)))
	I("direct", s->direct); I("runs", s->compact_runs); I("runs_sync", s->compact_sync);
	I("deferred", s->deferred); I("kcompactd_wakes", s->kcompactd_wakes);
	I("kcompactd_wakeups_asked", s->wakeups); I("migrate_scanned", s->scanned_migrate);
	I("migrate_isolated", s->isolated_migrate); I("free_scanned", s->scanned_free);
	I("free_isolated", s->isolated_free); I("migrated", s->migrated);
	I("migrate_failed", s->migrate_failed); I("migrate_pages_calls", s->migrate_calls);
	I("migrate_pages_succeeded", s->migrate_succeeded);
	I("migrate_pages_failed", s->migrate_pages_failed);
	I("migrate_pages_thp_split", s->migrate_thp_split);
#undef I
	return o;
}

int replay_summary(const char *path, FILE *f, json_t **json, char *err, size_t errlen)
{
	struct frt_reader *rd = frt_reader_open(path, err, errlen);
	struct summary s;
	struct frt_event ev;
	int ret;

	if (!rd)
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	while ((ret = frt_reader_next(rd, &ev)) > 0)
		add(&s, &ev);
	if (ret < 0)
		snprintf(err, errlen, "%s", frt_reader_error(rd));
	frt_reader_free(rd);
	if (json)
		*json = to_json(&s);
	else
		print_text(&s, path, f);
	return ret < 0 ? -EIO : 0;
}
