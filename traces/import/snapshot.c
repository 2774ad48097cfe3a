// SPDX-License-Identifier: MIT
/*
 * snapshot.c - frt_snapshot_write(): read /proc, walk every zone's pfns
 * (BPF, else kpageflags), fit the pageblock types, write SNAPSHOT frames.
 *
 * Timeline, so that /proc and the walk describe nearly one moment:
 *   zoneinfo, pagetypeinfo, buddyinfo           (the layout: zones, orders)
 *   load BPF, find and prove the vmemmap base
 *   zoneinfo, pagetypeinfo, buddyinfo, vmstat   (before)
 *   free lists, then struct page pfn by pfn     (ts = start of the walk)
 *   pagetypeinfo, zoneinfo                      (after)
 * The fit and the 1% check compare the walk with both reads (snapshot_fit.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <jansson.h>

#include "hostinfo.h"
#include "snapshot_host.h"
#include "snapshot_internal.h"
#include "trace.h"

/* plus one chunk of records (4 bytes per pfn at worst): parts stay near 4 MiB */
#define PART_LIMIT ((4u << 20) - 4 * FRT_WALK_CHUNK)
#define FIT_MU (1.0 / 16) /* pages of cost per allocated page of another mobility */
#define MAX_ZONES FRT_PT_MAX_ZONES

enum { P_ZONEINFO, P_PAGETYPEINFO, P_BUDDYINFO, P_VMSTAT, P_PAGETYPEINFO_AFTER,
       P_ZONEINFO_AFTER, NR_PROC };

static const char *const proc_path[NR_PROC] = {
	"/proc/zoneinfo", "/proc/pagetypeinfo", "/proc/buddyinfo", "/proc/vmstat",
	"/proc/pagetypeinfo", "/proc/zoneinfo",
};
/* the same files in a snapshot directory, whose one copy serves before and after */
static const char *const dir_name[NR_PROC] = {
	"zoneinfo", "pagetypeinfo", "buddyinfo", "vmstat", "pagetypeinfo", "zoneinfo",
};
/* keys under "procfs"; the zoneinfo read after the walk only feeds the check */
static const char *const proc_key[NR_PROC] = {
	"zoneinfo", "pagetypeinfo", "buddyinfo", "vmstat", "pagetypeinfo_after", NULL,
};

struct zone_span {
	int node, idx;  /* idx: enum zone_type, its place in the node */
	char name[16];
	uint64_t start, end;
};

struct snap {
	const char *dir;                  /* a snapshot directory instead of /proc */
	char kpf_path[4096];              /* kpageflags to walk */
	bool approx;                      /* no kpageflags: pagetypeinfo's counts placed */
	uint64_t unplaced;                /* free blocks an approximate layout had no room for */
	unsigned int pbo, max_order;
	char *proc[NR_PROC];
	json_t *zones_json;
	struct zone_span zone[MAX_ZONES];
	unsigned int nr_zones;
	struct frt_pagetypeinfo pt[2];
	struct frt_fit_zone fit[MAX_ZONES];
	struct frt_snap_builder b;
	bool bpf;
	uint64_t ts, walk_ns;
	size_t patched;                   /* free records typed by the fit */
	struct frt_walk_stats wstats;
	uint64_t fl_restarts, fl_incomplete, zone_agree, zone_disagree;
	char bpf_error[256], fl_error[64];
	bool bpf_load_failed;             /* the object did not load: no use retrying */
	/* when the walk read which pfns: runs from .pfn on, read at .ts
	 * (FORMAT.md §8.2 read_times); untimed: a walk that cannot say */
	struct { uint64_t pfn, ts; } *times;
	size_t nr_times, cap_times;
	bool untimed;
	struct frt_snapshot_opts o;
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int read_proc(struct snap *s, int first, int last, char *err, size_t errlen)
{
	char path[4200];

	for (int i = first; i <= last; i++) {
		if (s->dir)
			snprintf(path, sizeof(path), "%s/%s", s->dir, dir_name[i]);
		else
			snprintf(path, sizeof(path), "%s", proc_path[i]);
		s->proc[i] = frt_hostinfo_read_text(path);
		if (!s->proc[i])
			return frt_snap_errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
	}
	return 0;
}

/*
 * Every zone pagetypeinfo counts pageblocks in has pages, so zoneinfo must
 * list it: a zone missing there is a zoneinfo cut short, not a zone to drop.
 */
static int zones_cover_pagetypeinfo(const struct snap *s, char *err, size_t errlen)
{
	struct frt_pagetypeinfo *pt = malloc(sizeof(*pt));
	int ret = 0;

	if (!pt)
		return frt_snap_errf(err, errlen, -ENOMEM, "out of memory");
	if (frt_pagetypeinfo_parse(s->proc[P_PAGETYPEINFO], pt))
		ret = frt_snap_errf(err, errlen, -EBADMSG, "pagetypeinfo: unexpected layout");
	for (unsigned int i = 0; !ret && i < pt->nr_zones; i++) {
		unsigned int k = 0;

		while (k < s->nr_zones && (s->zone[k].node != pt->zone[i].node ||
					   strcmp(s->zone[k].name, pt->zone[i].name)))
			k++;
		if (k == s->nr_zones)
			ret = frt_snap_errf(err, errlen, -EBADMSG, "pagetypeinfo counts node %d zone "
					    "%s, zoneinfo does not list it with pages: a truncated "
					    "copy of /proc/zoneinfo?", pt->zone[i].node,
					    pt->zone[i].name);
	}
	free(pt);
	return ret;
}

/* Zones with pages, from hostinfo's zoneinfo parser; the walk's range. */
static int layout(struct snap *s, char *err, size_t errlen)
{
	int pbo = frt_hostinfo_parse_pageblock_order(s->proc[P_PAGETYPEINFO]);
	int max_order = frt_hostinfo_parse_max_order(s->proc[P_BUDDYINFO]);
	static const char *const zone_keys[] = { "start_pfn", "present", "managed" };
	uint64_t lo = UINT64_MAX, hi = 0;
	int node = -1, idx = 0, ret;
	json_t *z;
	size_t i;

	s->zones_json = frt_hostinfo_parse_zoneinfo(s->proc[P_ZONEINFO]);
	if (pbo < 0 || max_order < 0 || !s->zones_json)
		return frt_snap_errf(err, errlen, -EBADMSG,
				     "cannot read the page block or buddy order");
	/* orders the model takes (MODEL_MAX_ORDER_LIMIT): a snapshot replay
	 * refuses is not written, and 1 << order stays defined */
	if (max_order < 1 || max_order > FRT_SNAP_MAX_ORDER)
		return frt_snap_errf(err, errlen, -EBADMSG, "buddyinfo: %d order columns: "
				     "want 2 to %d (MAX_PAGE_ORDER + 1)", max_order + 1,
				     FRT_SNAP_MAX_ORDER + 1);
	if (pbo < 1 || pbo > max_order)
		return frt_snap_errf(err, errlen, -EBADMSG, "pagetypeinfo: page block order %d is "
				     "outside 1..%d (the buddy orders buddyinfo shows)", pbo,
				     max_order);
	s->pbo = (unsigned int)pbo;
	s->max_order = (unsigned int)max_order;
	json_array_foreach(s->zones_json, i, z) {
		struct zone_span *zs = &s->zone[s->nr_zones];
		uint64_t start = json_integer_value(json_object_get(z, "start_pfn"));
		uint64_t spanned = json_integer_value(json_object_get(z, "spanned"));
		int n = (int)json_integer_value(json_object_get(z, "node"));

		/* zoneinfo lists every zone of a node, empty ones too, in index order */
		idx = n == node ? idx + 1 : 0;
		node = n;
		if (!spanned || s->nr_zones == MAX_ZONES)
			continue;
		/* a zone ends with its start_pfn line: without it, or without
		 * present or managed, the copy was cut short */
		for (size_t k = 0; k < 3; k++)
			if (!json_object_get(z, zone_keys[k]))
				return frt_snap_errf(err, errlen, -EBADMSG, "zoneinfo: node %d zone %s "
						     "has no %s line: a truncated copy of "
						     "/proc/zoneinfo?", n, json_string_value(
						     json_object_get(z, "name")), zone_keys[k]);
		if (start >= FRT_SNAP_MAX_PFN || spanned > FRT_SNAP_MAX_PFN - start)
			return frt_snap_errf(err, errlen, -EBADMSG, "zoneinfo: node %d zone %s: "
					     "start_pfn %" PRIu64 " + spanned %" PRIu64 " runs past "
					     "pfn 2^40 (52 physical address bits)", n,
					     json_string_value(json_object_get(z, "name")), start,
					     spanned);
		zs->node = n;
		zs->idx = idx;
		snprintf(zs->name, sizeof(zs->name), "%s",
			 json_string_value(json_object_get(z, "name")));
		zs->start = start;
		zs->end = start + spanned;
		lo = start < lo ? start : lo;
		hi = zs->end > hi ? zs->end : hi;
		s->nr_zones++;
	}
	if (!s->nr_zones)
		return frt_snap_errf(err, errlen, -EBADMSG, "/proc/zoneinfo: no zone with pages");
	ret = zones_cover_pagetypeinfo(s, err, errlen);
	if (ret)
		return ret;
	lo &= ~((1ull << s->pbo) - 1);
	hi = (hi + (1ull << s->pbo) - 1) & ~((1ull << s->pbo) - 1);
	return frt_snap_builder_init(&s->b, lo, hi, s->pbo, PART_LIMIT);
}

/*
 * Each pageblock's zone, as pagetypeinfo_showblockcount_print() counts it:
 * stepping through the zone's span, a block whose first page says another
 * zone (page_zone()) is not the zone's, as for the allocator. When the
 * walk could not read page_zonenum(), the span alone decides.
 */
static void assign_zones(struct snap *s)
{
	for (unsigned int z = 0; z < s->nr_zones; z++) {
		for (uint64_t pfn = s->zone[z].start; pfn < s->zone[z].end; pfn += 1ull << s->pbo) {
			struct frt_pb_stat *pb = frt_snap_builder_pb(&s->b, pfn);

			if (!pb || pb->zone >= 0)
				continue;
			if (!pb->zone_id1 || pb->zone_id1 == s->zone[z].idx + 1)
				pb->zone = (int16_t)z;
		}
	}
}

/* The read times of a chunk's batches, a run per change of time. */
static int add_times(struct snap *s, uint64_t start_pfn, size_t n, const uint64_t *ts)
{
	if (!ts || s->untimed) {
		s->untimed = true;
		return 0;
	}
	for (size_t i = 0; i * FRT_WALK_BATCH < n; i++) {
		if (s->nr_times && s->times[s->nr_times - 1].ts == ts[i])
			continue;
		if (s->nr_times == s->cap_times) {
			size_t cap = s->cap_times ? 2 * s->cap_times : 4096;
			void *p = realloc(s->times, cap * sizeof(*s->times));

			if (!p)
				return -ENOMEM;
			s->times = p;
			s->cap_times = cap;
		}
		s->times[s->nr_times].pfn = start_pfn + i * FRT_WALK_BATCH;
		s->times[s->nr_times++].ts = ts[i];
	}
	return 0;
}

static int feed(void *ctx, uint64_t start_pfn, size_t n, const uint8_t *kind, const uint8_t *aux,
		const uint8_t *zone, const uint64_t *ts)
{
	struct snap *s = ctx;
	int ret = add_times(s, start_pfn, n, ts);

	if (s->o.progress)
		s->o.progress(s->o.ctx, start_pfn + n - s->b.start_pfn,
			      s->b.end_pfn - s->b.start_pfn);
	return ret ? ret : frt_snap_builder_feed(&s->b, start_pfn, n, kind, aux, zone);
}

/* The walk visits only the zones' spans (merged): holes between nodes cost nothing. */
static uint64_t span_end(const struct snap *s, uint64_t from, uint64_t *start)
{
	uint64_t lo = UINT64_MAX, hi = 0, pb = (1ull << s->pbo) - 1;
	bool grew = true;

	for (unsigned int z = 0; z < s->nr_zones; z++)
		if (s->zone[z].end > from && s->zone[z].start < lo)
			lo = s->zone[z].start;
	if (lo == UINT64_MAX)
		return 0;
	lo = (lo > from ? lo : from) & ~pb;
	hi = lo;
	while (grew) {
		grew = false;
		for (unsigned int z = 0; z < s->nr_zones; z++) {
			uint64_t end = (s->zone[z].end + pb) & ~pb;

			if ((s->zone[z].start & ~pb) <= hi && end > hi) {
				hi = end;
				grew = true;
			}
		}
	}
	*start = lo;
	return hi;
}

static int walk_spans(struct snap *s, struct frt_snap_bpf *bpf, char *err, size_t errlen)
{
	uint64_t lo, hi, from = s->b.start_pfn;
	int ret = 0;

	while (!ret && (hi = span_end(s, from, &lo)) > lo) {
		if (bpf)
			ret = s->o.bpf->walk(bpf, lo, hi, feed, s);
		else
			ret = frt_kpf_walk_file(s->kpf_path, lo, hi, s->max_order, feed, s, err,
						errlen);
		from = hi;
	}
	return ret;
}

/* The /proc reads the walk is compared with, taken again right before it. */
static int read_before(struct snap *s, char *err, size_t errlen)
{
	int ret;

	for (int i = P_ZONEINFO; i <= P_VMSTAT; i++) {
		free(s->proc[i]);
		s->proc[i] = NULL;
	}
	ret = read_proc(s, P_ZONEINFO, P_VMSTAT, err, errlen);
	if (ret)
		return ret;
	json_decref(s->zones_json);
	s->zones_json = frt_hostinfo_parse_zoneinfo(s->proc[P_ZONEINFO]);
	return s->zones_json ? 0 : frt_snap_errf(err, errlen, -ENOMEM, "out of memory");
}

static int walk_bpf(struct snap *s, struct frt_snap_bpf *bpf)
{
	size_t nr_pb = (size_t)(s->b.end_pfn >> s->pbo);
	struct frt_fl_state *fl = malloc(sizeof(*fl));
	uint8_t *mt1 = calloc(nr_pb, 1);
	int ret = fl && mt1 ? 0 : -ENOMEM, fl_ret = 0;

	s->ts = now_ns();
	for (unsigned int z = 0; z < s->nr_zones && !fl_ret && !ret; z++) {
		if (z && s->zone[z].node == s->zone[z - 1].node)
			continue;
		fl_ret = s->o.bpf->free_lists(bpf, s->zone[z].node, fl);
		s->fl_restarts += fl->total_restarts;
		s->fl_incomplete += fl->incomplete;
		s->zone_agree += fl->zone_agree;
		s->zone_disagree += fl->zone_disagree;
	}
	if (fl_ret) /* the walk goes on: the free lists' types are then fitted too */
		snprintf(s->fl_error, sizeof(s->fl_error), "%s", strerror(-fl_ret));
	if (!ret)
		ret = walk_spans(s, bpf, NULL, 0);
	if (!ret && !fl_ret)
		ret = s->o.bpf->pageblocks(bpf, mt1, nr_pb);
	if (ret) {
		snprintf(s->bpf_error, sizeof(s->bpf_error), "walking struct page: %s",
			 strerror(-ret));
		goto cleanup;
	}
	s->walk_ns = now_ns() - s->ts;
	s->wstats = *s->o.bpf->stats(bpf);
	for (size_t i = s->b.start_pfn >> s->pbo; i < nr_pb; i++) {
		struct frt_pb_stat *pb = frt_snap_builder_pb(&s->b, (uint64_t)i << s->pbo);

		if (pb && pb->present && !pb->known_mt1)
			pb->known_mt1 = mt1[i];
	}
cleanup:
	free(mt1);
	free(fl);
	return ret;
}

/*
 * BPF first (loading it and proving the vmemmap base take longer than the
 * walk, so that happens before the /proc reads); on any BPF failure the
 * walk starts over from /proc/kpageflags.
 */
/*
 * A snapshot directory: its kpageflags copy walked like /proc/kpageflags, or
 * without one, pagetypeinfo's counts laid out (procdir.c). Its one reading
 * of each file is "before" and "after" at once.
 */
static int walk_dir(struct snap *s, char *err, size_t errlen)
{
	struct frt_zone_layout zl[MAX_ZONES];
	json_t *z;
	size_t i;
	int ret = read_proc(s, P_VMSTAT, P_VMSTAT, err, errlen);

	snprintf(s->bpf_error, sizeof(s->bpf_error), "not tried (snapshot directory)");
	if (ret)
		return ret;
	if (s->kpf_path[0])
		return walk_spans(s, NULL, err, errlen);
	if (frt_pagetypeinfo_parse(s->proc[P_PAGETYPEINFO], &s->pt[0]))
		return frt_snap_errf(err, errlen, -EBADMSG, "%s/pagetypeinfo: unexpected layout",
				     s->dir);
	if (s->pt[0].nr_orders != s->max_order + 1)
		return frt_snap_errf(err, errlen, -EBADMSG, "%s/pagetypeinfo: %u order columns, "
				     "buddyinfo %u: copies of two different hosts?", s->dir,
				     s->pt[0].nr_orders, s->max_order + 1);
	for (unsigned int k = 0; k < s->nr_zones; k++) {
		const struct frt_pt_zone *ptz = frt_pagetypeinfo_zone(&s->pt[0], s->zone[k].node,
								      s->zone[k].name);
		uint64_t span = s->zone[k].end - s->zone[k].start, pages = 0;

		/* free pages beyond the span are a crafted count: placing them would
		 * take a step per counted block */
		for (unsigned int o = 0; ptz && o < s->pt[0].nr_orders; o++)
			for (int m = 0; m < FRT_MT_NR; m++) {
				if (ptz->free[o][m] > span >> o || (pages += ptz->free[o][m] << o) > span)
					return frt_snap_errf(err, errlen, -EBADMSG, "%s/pagetypeinfo: "
							     "node %d zone %s: more free pages (order %u "
							     "%s: %" PRIu64 " blocks) than its %" PRIu64
							     " spanned pfns", s->dir, s->zone[k].node,
							     s->zone[k].name, o, frt_mt_name((uint64_t)m),
							     ptz->free[o][m], span);
			}
	}
	for (unsigned int k = 0; k < s->nr_zones; k++) {
		zl[k] = (struct frt_zone_layout){ .node = s->zone[k].node, .start = s->zone[k].start,
						  .end = s->zone[k].end };
		snprintf(zl[k].name, sizeof(zl[k].name), "%s", s->zone[k].name);
		json_array_foreach(s->zones_json, i, z)
			if (json_integer_value(json_object_get(z, "node")) == zl[k].node &&
			    !strcmp(json_string_value(json_object_get(z, "name")), zl[k].name))
				zl[k].managed = (uint64_t)json_integer_value(
					json_object_get(z, "managed"));
	}
	return frt_procdir_place(&s->b, zl, s->nr_zones, &s->pt[0], &s->unplaced);
}

static int walk(struct snap *s, unsigned int flags, char *err, size_t errlen)
{
	struct frt_snap_bpf *bpf = NULL;
	int ret;

	if (s->dir)
		return walk_dir(s, err, errlen);
	if (s->o.no_bpf_reason)
		snprintf(s->bpf_error, sizeof(s->bpf_error), "not tried: %s", s->o.no_bpf_reason);
	else if (flags & FRT_SNAPSHOT_NO_BPF)
		snprintf(s->bpf_error, sizeof(s->bpf_error), "not tried: --snapshot-from kpageflags");
	else if (!s->o.bpf)
		snprintf(s->bpf_error, sizeof(s->bpf_error), "not tried (no BPF walk given: a build "
			 "without the collector)");
	else if (s->o.bpf->open(&bpf, s->pbo, s->max_order, s->b.start_pfn, s->b.end_pfn,
				   s->o.verbose, &s->bpf_load_failed, s->bpf_error,
				   sizeof(s->bpf_error)))
		bpf = NULL;
	if (s->o.walk_begins)
		s->o.walk_begins(s->o.ctx);
	ret = read_before(s, err, errlen);
	if (!ret && bpf) {
		s->bpf = !walk_bpf(s, bpf);
		if (!s->bpf) {
			uint64_t lo = s->b.start_pfn, hi = s->b.end_pfn;

			s->nr_times = 0;
			s->untimed = false;
			frt_snap_builder_release(&s->b);
			ret = frt_snap_builder_init(&s->b, lo, hi, s->pbo, PART_LIMIT);
		}
	}
	if (bpf)
		s->o.bpf->close(bpf);
	if (ret || s->bpf)
		return ret;
	s->ts = now_ns();
	ret = walk_spans(s, NULL, err, errlen);
	s->walk_ns = now_ns() - s->ts;
	return ret;
}

static int fit(struct snap *s)
{
	int ret = 0;

	if (s->approx) /* the layout typed every pageblock and free block */
		return 0;
	for (unsigned int z = 0; z < s->nr_zones && !ret; z++) {
		const struct zone_span *zs = &s->zone[z];

		ret = frt_snap_fit_zone(s->b.pb, s->b.nr_pb, (int)z, s->pbo, s->pt[0].nr_orders,
					frt_pagetypeinfo_zone(&s->pt[0], zs->node, zs->name),
					frt_pagetypeinfo_zone(&s->pt[1], zs->node, zs->name),
					FIT_MU, &s->fit[z]);
	}
	s->patched = frt_snap_builder_patch_free(&s->b);
	return ret;
}

/* ---- JSON ---- */

static json_t *counts_json(const struct frt_snap_counts *c)
{
	return json_pack("{s:I, s:[I,I,I], s:I, s:I, s:I, s:I, s:I}",
			 "free_pages", (json_int_t)c->free,
			 "allocated_pages", (json_int_t)c->alloc[0], (json_int_t)c->alloc[1],
			 (json_int_t)c->alloc[2],
			 "reserved_pages", (json_int_t)c->reserved,
			 "frozen_pages", (json_int_t)c->frozen,
			 "torn_pages", (json_int_t)c->torn,
			 "uninitialized_pages", (json_int_t)c->uninit,
			 "hole_pages", (json_int_t)c->hole);
}

static double zoneinfo_error_pct(const struct snap *s, unsigned int z, int64_t zi[2])
{
	const struct zone_span *zs = &s->zone[z];
	int64_t lo, hi, v = (int64_t)s->fit[z].free_pages, d;

	zi[0] = frt_zoneinfo_free(s->proc[P_ZONEINFO], zs->node, zs->name);
	zi[1] = frt_zoneinfo_free(s->proc[P_ZONEINFO_AFTER], zs->node, zs->name);
	lo = zi[0] < zi[1] ? zi[0] : zi[1];
	hi = zi[0] < zi[1] ? zi[1] : zi[0];
	if (lo < 0)
		return 100;
	d = v < lo ? lo - v : v > hi ? v - hi : 0;
	return lo + hi ? 200.0 * (double)d / (double)(lo + hi) : (d ? 100 : 0);
}

/* Whether zone @z passed the 1% checks; false too when it has nothing to check. */
static bool zone_checked(const struct snap *s, unsigned int z, int64_t zi[2], double *zpct)
{
	*zpct = zoneinfo_error_pct(s, z, zi);
	/* no free lists shown: nothing to fit or check */
	return frt_pagetypeinfo_zone(&s->pt[0], s->zone[z].node, s->zone[z].name) != NULL;
}

static json_t *fit_json(const struct snap *s)
{
	json_t *zones = json_array();
	bool all_ok = true;

	for (unsigned int z = 0; z < s->nr_zones; z++) {
		const struct frt_fit_zone *f = &s->fit[z];
		int64_t zi[2];
		double zpct;
		bool checked = zone_checked(s, z, zi, &zpct), ok = f->ok && zpct <= 1.0;

		if (!checked)
			continue;
		all_ok &= ok;
		json_array_append_new(zones, json_pack(
			"{s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:[I,I], s:f, s:I, s:f,"
			" s:{s:i, s:i, s:I}, s:[I,I], s:f, s:b}",
			"node", s->zone[z].node, "zone", s->zone[z].name,
			"blocks_known", (json_int_t)f->blocks_known,
			"blocks_inferred", (json_int_t)f->blocks_inferred,
			"blocks_uncounted", (json_int_t)f->blocks_uncounted,
			"blocks_changed_by_fit", (json_int_t)f->blocks_changed,
			"block_count_error", (json_int_t)f->block_error,
			"free_pages", (json_int_t)f->free_pages,
			"pagetypeinfo_free_pages", (json_int_t)f->pt_free_pages[0],
			(json_int_t)f->pt_free_pages[1], "pagetypeinfo_motion_pct", f->motion_pct,
			"error_pages", (json_int_t)f->error_pages, "error_pct", f->error_pct,
			"worst", "order", f->worst_order, "migratetype", f->worst_mt,
			"error_pages", (json_int_t)f->worst_pages,
			"zoneinfo_free_pages", (json_int_t)zi[0], (json_int_t)zi[1],
			"zoneinfo_error_pct", zpct, "ok", ok));
	}
	return json_pack("{s:s, s:f, s:b, s:o}", "method", "greedy-pagetypeinfo", "mu", FIT_MU,
			 "ok", all_ok, "zones", zones);
}

static json_t *inferred_json(const struct snap *s, const struct frt_snap_counts *t)
{
	json_t *a = json_array();
	bool any_inferred = false;

	for (unsigned int z = 0; z < s->nr_zones; z++)
		any_inferred |= s->fit[z].blocks_inferred > 0;
	if (any_inferred || s->approx)
		json_array_append_new(a, json_string("pageblock_migratetype"));
	if (s->approx) {
		json_array_append_new(a, json_string("block_placement"));
		json_array_append_new(a, json_string("allocated_mobility"));
		return a;
	}
	if (s->patched)
		json_array_append_new(a, json_string("free_list_migratetype"));
	if (!s->bpf) {
		json_array_append_new(a, json_string("buddy_order"));
		json_array_append_new(a, json_string("compound_order"));
		json_array_append_new(a, json_string("allocated_mobility_slab"));
	}
	if (t->frozen)
		json_array_append_new(a, json_string("allocated_mobility_frozen"));
	if (!s->bpf && t->uninit)
		json_array_append_new(a, json_string("uninitialized_memmap"));
	return a;
}

static json_t *walk_json(const struct snap *s)
{
	json_t *o = json_pack("{s:I, s:s}", "ns", (json_int_t)s->walk_ns, "bpf",
			      s->bpf ? "ok" : s->bpf_error);

	if (s->bpf)
		json_object_update_new(o, json_pack(
			"{s:I, s:I, s:I, s:s, s:I, s:I, s:[I,I]}",
			"batch_read_fail", (json_int_t)s->wstats.batch_read_fail,
			"slab_read_fail", (json_int_t)s->wstats.slab_read_fail,
			"bad_order", (json_int_t)s->wstats.bad_order,
			"free_lists", s->fl_error[0] ? s->fl_error : "ok",
			"free_list_restarts", (json_int_t)s->fl_restarts,
			"free_lists_incomplete", (json_int_t)s->fl_incomplete,
			"page_zonenum_check", (json_int_t)s->zone_agree,
			(json_int_t)s->zone_disagree));
	return o;
}

static json_t *procfs_json(const struct snap *s)
{
	json_t *o = json_object();

	for (int i = 0; i < NR_PROC; i++)
		if (proc_key[i])
			json_object_set_new(o, proc_key[i], json_string(s->proc[i]));
	return o;
}

/* The extra keys of part 0: the host, /proc as read, the fit. */
static int part0_json(const struct snap *s, json_t *h)
{
	struct frt_snap_counts t = { 0 };
	struct utsname uts;
	int bad = 0;

	for (size_t i = 0; i < s->b.nr_parts; i++) {
		const struct frt_snap_counts *c = &s->b.parts[i].counts;

		t.free += c->free;
		for (int m = 0; m < FRT_MOB_NR; m++)
			t.alloc[m] += c->alloc[m];
		t.reserved += c->reserved;
		t.frozen += c->frozen;
		t.torn += c->torn;
		t.uninit += c->uninit;
		t.hole += c->hole;
	}
	uname(&uts);
	bad |= json_object_set_new(h, "inferred", inferred_json(s, &t));
	bad |= json_object_set_new(h, "totals", counts_json(&t));
	bad |= json_object_set(h, "zones", s->zones_json);
	if (!s->dir) { /* a directory's host is not this one: its sysctls are unknown */
		bad |= json_object_set_new(h, "sysctls", frt_hostinfo_sysctls());
		bad |= json_object_set_new(h, "thp", frt_hostinfo_thp());
		bad |= json_object_set_new(h, "kernel_release", json_string(uts.release));
	}
	bad |= json_object_set_new(h, "procfs", procfs_json(s));
	if (!s->approx)
		bad |= json_object_set_new(h, "fit", fit_json(s));
	bad |= json_object_set_new(h, "walk", walk_json(s));
	return bad ? -ENOMEM : 0;
}

/*
 * Part @p's read_times: the runs that overlap it, the first one cut to its
 * start_pfn, times as deltas from its header's ts (FORMAT.md §8.2).
 */
static int part_times(const struct snap *s, const struct frt_snap_part_buf *p,
		      struct frt_snap_buf *out)
{
	uint64_t pfn = p->start_pfn, ts = s->ts;
	size_t k = 0;
	int ret = 0;

	while (k + 1 < s->nr_times && s->times[k + 1].pfn <= p->start_pfn)
		k++;
	for (bool first = true; k < s->nr_times && s->times[k].pfn < p->end_pfn && !ret;
	     k++, first = false) {
		uint64_t at = first && s->times[k].pfn < pfn ? pfn : s->times[k].pfn;
		uint64_t t = s->times[k].ts > ts ? s->times[k].ts : ts;

		ret = frt_snap_buf_put_time(out, at - pfn, t - ts);
		pfn = at;
		ts = t;
	}
	return ret;
}

static int write_parts(struct snap *s, struct frt_writer *w, const char *kind)
{
	struct frt_snap_buf times = { 0 };
	json_t *inferred = NULL;
	uint8_t *pbs = NULL, *payload = NULL;
	size_t len;
	int ret = 0;

	for (size_t i = 0; i < s->b.nr_parts && !ret; i++) {
		const struct frt_snap_part_buf *p = &s->b.parts[i];
		size_t nr_pb = (size_t)((p->end_pfn - p->start_pfn) >> s->pbo);
		json_t *h = json_pack("{s:s, s:I, s:I, s:I, s:s, s:I, s:I, s:i, s:i, s:o}",
			"kind", kind, "part", (json_int_t)i, "parts", (json_int_t)s->b.nr_parts,
			"ts", (json_int_t)s->ts,
			"source", s->bpf ? "bpf-struct-page" : s->approx ? "pagetypeinfo" : "kpageflags",
			"start_pfn", (json_int_t)p->start_pfn, "end_pfn", (json_int_t)p->end_pfn,
			"pageblock_order", s->pbo, "max_order", s->max_order,
			"counts", counts_json(&p->counts));

		free(pbs);
		pbs = malloc(nr_pb ? nr_pb : 1);
		ret = h && pbs ? 0 : -ENOMEM;
		if (!ret && s->dir)
			ret = json_object_set_new(h, "procdir", json_string(s->dir)) ? -ENOMEM : 0;
		if (!ret && s->approx)
			ret = json_object_update_new(h, json_pack(
				"{s:b, s:s, s:I}", "approximate", 1, "approximate_reason",
				"no kpageflags in the snapshot directory: free blocks and allocated "
				"pages placed from /proc/pagetypeinfo and /proc/zoneinfo counts",
				"unplaced_free_blocks", (json_int_t)s->unplaced)) ? -ENOMEM : 0;
		if (!ret && i == 0) {
			ret = part0_json(s, h);
			inferred = json_incref(json_object_get(h, "inferred"));
		} else if (!ret) {
			ret = json_object_set(h, "inferred", inferred) ? -ENOMEM : 0;
		}
		for (size_t k = 0; k < nr_pb && !ret; k++)
			pbs[k] = frt_snap_builder_pb(&s->b, p->start_pfn + (k << s->pbo))->mt;
		times.len = 0;
		if (!ret && s->nr_times && !s->untimed)
			ret = part_times(s, p, &times);
		if (!ret)
			ret = frt_snap_payload_timed(h, p->blocks.data, p->blocks.len, pbs, nr_pb,
						     s->nr_times && !s->untimed ? times.data : NULL,
						     times.len, &payload, &len);
		if (!ret)
			ret = frt_writer_put_frame(w, FRT_FRAME_SNAPSHOT, payload, len);
		free(payload);
		payload = NULL;
		json_decref(h);
	}
	json_decref(inferred);
	frt_snap_buf_release(&times);
	free(pbs);
	return ret;
}

/* The caller's summary: how the walk went and the zone furthest from /proc. */
static void result(const struct snap *s, struct frt_snapshot_result *res)
{
	res->bpf = s->bpf;
	res->bpf_load_failed = s->bpf_load_failed;
	snprintf(res->bpf_error, sizeof(res->bpf_error), "%s", s->bpf ? "" : s->bpf_error);
	res->fit_ok = true;
	res->worst_pct = 0;
	res->worst_zone[0] = '\0';
	for (unsigned int z = 0; z < s->nr_zones; z++) {
		int64_t zi[2];
		double zpct, pct;

		if (!zone_checked(s, z, zi, &zpct))
			continue;
		res->fit_ok &= s->fit[z].ok && zpct <= 1.0;
		pct = s->fit[z].error_pct > zpct ? s->fit[z].error_pct : zpct;
		if (pct >= res->worst_pct) {
			res->worst_pct = pct;
			/* a NUMA host has a DMA32 (say) per node: name the node */
			if (s->zone[z].node)
				snprintf(res->worst_zone, sizeof(res->worst_zone), "%s of node %d",
					 s->zone[z].name, s->zone[z].node);
			else
				snprintf(res->worst_zone, sizeof(res->worst_zone), "%s",
					 s->zone[z].name);
		}
	}
}

static int snapshot_run(struct snap *s, struct frt_writer *w, const char *kind,
			unsigned int flags, struct frt_snapshot_result *res, char *err, size_t errlen)
{
	int ret;

	if (strcmp(kind, "start") && strcmp(kind, "end")) {
		ret = frt_snap_errf(err, errlen, -EINVAL,
				    "snapshot kind must be start or end, not %s", kind);
		goto cleanup;
	}
	ret = read_proc(s, P_ZONEINFO, P_BUDDYINFO, err, errlen);
	if (!ret)
		ret = layout(s, err, errlen);
	if (ret)
		goto cleanup;
	ret = walk(s, flags, err, errlen);
	if (!ret)
		ret = read_proc(s, P_PAGETYPEINFO_AFTER, P_ZONEINFO_AFTER, err, errlen);
	if (ret)
		goto cleanup;
	if (frt_pagetypeinfo_parse(s->proc[P_PAGETYPEINFO], &s->pt[0]) ||
	    frt_pagetypeinfo_parse(s->proc[P_PAGETYPEINFO_AFTER], &s->pt[1])) {
		ret = frt_snap_errf(err, errlen, -EBADMSG, "/proc/pagetypeinfo: unexpected layout");
		goto cleanup;
	}
	frt_snap_builder_finish(&s->b);
	assign_zones(s);
	ret = fit(s);
	if (!ret)
		ret = write_parts(s, w, kind);
	if (ret)
		frt_snap_errf(err, errlen, ret, "writing the snapshot: %s", strerror(-ret));
	else if (res)
		result(s, res);
cleanup:
	frt_snap_builder_release(&s->b);
	for (int i = 0; i < NR_PROC; i++)
		free(s->proc[i]);
	json_decref(s->zones_json);
	return ret;
}

int frt_snapshot_write(struct frt_writer *w, const char *kind, const struct frt_snapshot_opts *o,
		       struct frt_snapshot_result *res, char *err, size_t errlen)
{
	struct snap *s = calloc(1, sizeof(*s));
	uint64_t t0 = now_ns();
	int ret;

	if (!s)
		return frt_snap_errf(err, errlen, -ENOMEM, "out of memory");
	if (o)
		s->o = *o;
	snprintf(s->kpf_path, sizeof(s->kpf_path), "/proc/kpageflags");
	ret = snapshot_run(s, w, kind, s->o.flags, res, err, errlen);
	if (!ret && res)
		res->secs = (now_ns() - t0) / 1e9;
	free(s->times);
	free(s);
	return ret;
}

int frt_snapshot_write_dir(struct frt_writer *w, const char *kind, const char *dir, uint64_t ts,
			   bool *approximate, struct frt_snapshot_result *res, char *err,
			   size_t errlen)
{
	struct snap *s = calloc(1, sizeof(*s));
	static const char *const kpf[] = { "kpageflags.zst", "kpageflags" };
	struct stat st;
	int ret;

	if (!s)
		return frt_snap_errf(err, errlen, -ENOMEM, "out of memory");
	if (strlen(dir) >= sizeof(s->kpf_path) - 32) { /* room for every file name */
		free(s);
		return frt_snap_errf(err, errlen, -ENAMETOOLONG, "%.64s...: path too long", dir);
	}
	s->dir = dir;
	s->ts = ts;
	for (int i = 1; i >= 0 && !s->kpf_path[0]; i--) { /* a raw copy first: faster */
		snprintf(s->kpf_path, sizeof(s->kpf_path), "%s/%s", dir, kpf[i]);
		if (!stat(s->kpf_path, &st) && !S_ISREG(st.st_mode)) {
			ret = frt_snap_errf(err, errlen, -EINVAL, "%s: not a regular file: a snapshot "
					    "directory holds a copy of /proc/kpageflags", s->kpf_path);
			free(s);
			return ret;
		}
		if (stat(s->kpf_path, &st) || !st.st_size)
			s->kpf_path[0] = '\0';
	}
	s->approx = !s->kpf_path[0];
	*approximate = s->approx;
	ret = snapshot_run(s, w, kind, FRT_SNAPSHOT_NO_BPF, res, err, errlen);
	free(s->times);
	free(s);
	return ret;
}
