/* SPDX-License-Identifier: MIT */
/*
 * firsttouch.c - the start snapshot against the trace's first word on each
 * page (firsttouch.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "firsttouch.h"
#include "snapshot.h"
#include "trace.h"

#define KIND_MASK 7
#define HEAD_SHIFT 3
#define BATCH 4096

static enum first_touch_kind kind_at(const struct first_touch *ft, uint64_t pfn)
{
	return pfn - ft->base < ft->span ? (enum first_touch_kind)(ft->k[pfn - ft->base] & KIND_MASK)
					 : FT_NONE;
}

/* the order of the block the first event at its head @pfn named, or -1 */
static int head_order(const struct first_touch *ft, uint64_t pfn)
{
	uint8_t v = pfn - ft->base < ft->span ? ft->k[pfn - ft->base] : 0;

	return v >> HEAD_SHIFT ? (v >> HEAD_SHIFT) - 1 : -1;
}

/* @arr with room for one more of its @nr items of @size (grown twice as
 * large when full, *@cap updated), or NULL with @arr as it was */
static void *room_for_one(void *arr, size_t *cap, size_t nr, size_t size)
{
	if (nr < *cap)
		return arr;
	size_t want = *cap ? 2 * *cap : 4096;
	void *p = realloc(arr, want * size);
	if (p)
		*cap = want;
	return p;
}

/* one more FT_PCP head; -ENOMEM */
static int pcp_push(struct first_touch *ft, uint64_t pfn, uint32_t cpu)
{
	struct first_touch_pcp *p = room_for_one(ft->pcp, &ft->cap_pcp, ft->nr_pcp, sizeof(*p));

	if (!p)
		return -ENOMEM;
	ft->pcp = p;
	ft->pcp[ft->nr_pcp++] = (struct first_touch_pcp){ .pfn = pfn, .cpu = cpu };
	return 0;
}

/* one more page the trace first takes from the buddy lists; -ENOMEM */
static int take_push(struct first_touch *ft, uint64_t pfn)
{
	uint64_t *p = room_for_one(ft->take, &ft->cap_take, ft->nr_take, sizeof(*p));

	if (!p)
		return -ENOMEM;
	ft->take = p;
	ft->take[ft->nr_take++] = pfn;
	return 0;
}

/*
 * The first word on [pfn, pfn + 2^order) where it is not said yet; -ENOMEM.
 * k[] is calloc()ed (a sparse node's costs only the pages used) and is read
 * here before it is written: each page is written first (zpages.h), which
 * took a replay of the largest sample from 2,635 TLB shootdowns to 170-290
 * (8-10 with the engine's maps done likewise: README, "Benchmarks").
 */
static int mark(struct first_touch *ft, uint64_t pfn, uint64_t order, enum first_touch_kind kind,
		uint32_t cpu)
{
	if (order > MODEL_MAX_ORDER_LIMIT || pfn < ft->base || pfn - ft->base >= ft->span)
		return 0; /* outside the zones, or an order no kernel has (crafted) */
	uint64_t i = pfn - ft->base, n = 1ull << order;

	if (n > ft->span - i)
		n = ft->span - i;
	zpages_write_first(&ft->kz, ft->k, i, n);
	if ((kind == FT_ALLOC || kind == FT_PCP) && !ft->k[i]) {
		ft->k[i] = (uint8_t)(kind | (order + 1) << HEAD_SHIFT);
		if (kind == FT_PCP && pcp_push(ft, pfn, cpu))
			return -ENOMEM;
	}
	if (kind == FT_FREE && ft->takes && !ft->k[i] && take_push(ft, pfn))
		return -ENOMEM;
	for (uint64_t j = i; j < i + n; j++)
		if (!ft->k[j])
			ft->k[j] = (uint8_t)kind;
	return 0;
}

/* what a task (or, in traces without tasks, a CPU) last said before its run */
enum run_ctx {
	RUN_UNKNOWN = 0,
	RUN_DIRECT,   /* mm_compaction_try_to_compact_pages: prio follows */
	RUN_KCD_WORK, /* mm_compaction_kcompactd_wake: kcompactd_do_work() */
	RUN_KCD_IDLE, /* mm_compaction_kcompactd_sleep: a run now is a proactive pass */
};

struct first_touch_run {
	int64_t task;         /* pid, or -1 - cpu where the trace has no tasks */
	uint64_t migrate_pfn; /* mm_compaction_begin's */
	enum run_ctx ctx;
	int64_t prio;         /* the last try_to_compact_pages' */
	bool sync, open;
	bool honours;         /* the run reads the skip hints */
	bool isolated;        /* isolate_migratepages_block() ran in it */
};

static size_t skip_blocks(const struct first_touch *ft)
{
	return ft->span ? (size_t)(((ft->base + ft->span - 1) >> ft->pb_order) -
				   (ft->base >> ft->pb_order) + 1)
			: 0;
}

/*
 * A later word that settles an async run's pass (FT_SKIP_PASSED_ASYNC): a
 * scan says the hint was clear; a sync run's pass that it was set. Only a
 * scan sets a hint (isolate_migratepages_block(), isolate_freepages_block():
 * each traces an isolate event, which would have said SCANNED here), so set
 * then it was set since the trace's start.
 */
static bool skip_settles(enum first_touch_skip had, enum first_touch_skip word)
{
	return had == FT_SKIP_PASSED_ASYNC && (word == FT_SKIP_SCANNED || word == FT_SKIP_PASSED);
}

/* the first word on the skip hint of @pfn's pageblock, where not said yet */
static void skip_mark(struct first_touch *ft, uint64_t pfn, enum first_touch_skip word)
{
	if (!ft->skip || pfn < ft->base || pfn - ft->base >= ft->span)
		return;
	size_t i = (size_t)((pfn >> ft->pb_order) - (ft->base >> ft->pb_order));
	if (!ft->skip[i] || skip_settles(ft->skip[i], word))
		ft->skip[i] = (uint8_t)word;
}

enum first_touch_skip first_touch_skip_at(const struct first_touch *ft, uint64_t pfn)
{
	if (!ft->skip || pfn < ft->base || pfn - ft->base >= ft->span)
		return FT_SKIP_NONE;
	return (enum first_touch_skip)ft->skip[(pfn >> ft->pb_order) - (ft->base >> ft->pb_order)];
}

/* the run of the task that fired @ev; a new one for a begin; NULL: none, or -ENOMEM in *@ret */
static struct first_touch_run *run_of(struct first_touch *ft, const struct frt_event *ev,
				      bool begin, int *ret)
{
	int64_t task = ev->has_task && ev->pid >= 0 ? ev->pid : -1 - (int64_t)ev->cpu;

	for (size_t i = 0; i < ft->nr_runs; i++)
		if (ft->runs[i].task == task)
			return &ft->runs[i];
	if (!begin)
		return NULL;
	void *p = realloc(ft->runs, (ft->nr_runs + 1) * sizeof(*ft->runs));
	if (!p) {
		*ret = -ENOMEM;
		return NULL;
	}
	ft->runs = p;
	ft->runs[ft->nr_runs] = (struct first_touch_run){ .task = task };
	return &ft->runs[ft->nr_runs++];
}

/*
 * A compaction run's word on the skip hints (enum first_touch_skip), where
 * the run reads them (isolation_suitable()): async runs always; sync ones
 * when kcompactd_do_work() runs them (after mm_compaction_kcompactd_wake)
 * or direct compaction above MIN_COMPACT_PRIORITY (try_to_compact_pages'
 * prio > 0), not kcompactd's proactive pass nor a direct run at prio 0
 * (ignore_skip_hint). A pageblock such a run's isolate_migratepages_block()
 * or isolate_freepages_block() scanned had its hint clear; one its migrate
 * scanner went past between mm_compaction_begin's migrate_pfn and
 * mm_compaction_end's, in a run that scanned no pageblock at all, had it set,
 * or, for an async run, was not a suitable source for its type
 * (FT_SKIP_PASSED_ASYNC: a later scan by a run that reads the hints says it
 * was the type). A run that scanned some pageblock may have got there by
 * fast_find_migrateblock(), jumping over the ones before it, so its passes
 * say nothing; nor do the free scanner's: fast_isolate_freepages() moves it
 * without a scan.
 */
static int note_compaction(struct first_touch *ft, const struct frt_event *ev)
{
	bool begin = ev->type == FRT_EV_COMPACTION_BEGIN ||
		     ev->type == FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES ||
		     ev->type == FRT_EV_COMPACTION_KCOMPACTD_WAKE ||
		     ev->type == FRT_EV_COMPACTION_KCOMPACTD_SLEEP;
	int ret = 0;
	struct first_touch_run *run = run_of(ft, ev, begin, &ret);

	if (!run)
		return ret;
	switch (ev->type) {
	case FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES:
		run->ctx = RUN_DIRECT;
		run->prio = ev->try_compact.prio;
		break;
	case FRT_EV_COMPACTION_KCOMPACTD_WAKE:
		run->ctx = RUN_KCD_WORK;
		break;
	case FRT_EV_COMPACTION_KCOMPACTD_SLEEP:
		run->ctx = RUN_KCD_IDLE;
		break;
	case FRT_EV_COMPACTION_BEGIN:
		run->migrate_pfn = ev->compaction.migrate_pfn;
		run->sync = ev->compaction.sync != 0;
		run->honours = !run->sync || run->ctx == RUN_KCD_WORK ||
			       (run->ctx == RUN_DIRECT && run->prio > 0);
		run->open = true;
		run->isolated = false;
		break;
	case FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES:
	case FRT_EV_COMPACTION_ISOLATE_FREEPAGES:
		if (ev->type == FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES)
			run->isolated = true;
		if (run->open && run->honours)
			skip_mark(ft, ev->isolate.start_pfn, FT_SKIP_SCANNED);
		break;
	case FRT_EV_COMPACTION_END:
		if (!run->open)
			break;
		run->open = false;
		if (!run->honours || run->isolated)
			break;
		uint64_t pb = 1ull << ft->pb_order, end = ev->compaction.migrate_pfn;
		if (end > ev->compaction.zone_end)
			end = ev->compaction.zone_end;
		for (uint64_t pfn = run->migrate_pfn; pfn < end; pfn = (pfn & ~(pb - 1)) + pb)
			skip_mark(ft, pfn, run->sync ? FT_SKIP_PASSED : FT_SKIP_PASSED_ASYNC);
		break;
	default:
		break;
	}
	return ret;
}

static int note(struct first_touch *ft, const struct frt_event *ev)
{
	switch (ev->type) {
	case FRT_EV_COMPACTION_BEGIN:
	case FRT_EV_COMPACTION_END:
	case FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES:
	case FRT_EV_COMPACTION_ISOLATE_FREEPAGES:
	case FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES:
	case FRT_EV_COMPACTION_KCOMPACTD_WAKE:
	case FRT_EV_COMPACTION_KCOMPACTD_SLEEP:
		return note_compaction(ft, ev);
	case FRT_EV_PAGE_ALLOC:
		/* from the buddy lists, a zone_locked (or extfrag) of the page came
		 * first: served without one, it came off a pcp list */
		if (ev->alloc.pfn != FRT_PFN_NONE)
			return mark(ft, ev->alloc.pfn, ev->alloc.order, FT_PCP, ev->cpu);
		return 0;
	case FRT_EV_PAGE_PCPU_DRAIN:
		return mark(ft, ev->pcpu_drain.pfn, ev->pcpu_drain.order, FT_PCP, ev->cpu);
	case FRT_EV_PAGE_ALLOC_ZONE_LOCKED:
		return mark(ft, ev->zone_locked.pfn, ev->zone_locked.order, FT_FREE, 0);
	case FRT_EV_PAGE_ALLOC_EXTFRAG:
		if (ev->extfrag.alloc_order >= 0)
			return mark(ft, ev->extfrag.pfn, (uint64_t)ev->extfrag.alloc_order, FT_FREE, 0);
		return 0;
	case FRT_EV_PAGE_PCPU_REFILL:
		return mark(ft, ev->pcpu_refill.pfn, ev->pcpu_refill.order, FT_FREE, 0);
	case FRT_EV_PAGE_FREE:
		return mark(ft, ev->free.pfn, ev->free.order, FT_ALLOC, 0);
	case FRT_EV_MIGRATE_PAIR:
		/* the target was allocated by the migration, the source is freed
		 * after it: the pair says nothing of the start */
		mark(ft, ev->pair.old_pfn, ev->pair.order, FT_SEEN, 0);
		return mark(ft, ev->pair.new_pfn, ev->pair.order, FT_SEEN, 0);
	default:
		return 0;
	}
}

int walk_times_add(struct walk_times *wt, const struct frt_snapshot_part *p)
{
	struct frt_snapshot_times it;
	uint64_t pfn, ts;
	int ret;

	frt_snapshot_times_init(&it, p);
	while ((ret = frt_snapshot_times_next(&it, &pfn, &ts)) > 0) {
		if (wt->nr && pfn <= wt->pfn[wt->nr - 1])
			return -EBADMSG; /* parts come in pfn order */
		if (wt->nr == wt->cap) {
			size_t cap = wt->cap ? 2 * wt->cap : 4096;
			uint64_t *a = realloc(wt->pfn, cap * sizeof(*a)), *b;

			if (!a)
				return -ENOMEM;
			wt->pfn = a;
			b = realloc(wt->ts, cap * sizeof(*b));
			if (!b)
				return -ENOMEM;
			wt->ts = b;
			wt->cap = cap;
		}
		if (!wt->nr || ts < wt->first_ts)
			wt->first_ts = ts;
		if (ts > wt->last_ts)
			wt->last_ts = ts;
		wt->pfn[wt->nr] = pfn;
		wt->ts[wt->nr++] = ts;
	}
	return ret;
}

int walk_times_read(const char *path, const char *which, struct walk_times *wt, char *err,
		    size_t errlen)
{
	struct frt_reader *r = frt_reader_open(path, err, errlen);
	struct frt_frame_info fi;
	json_int_t parts = -1, seen = 0, part_no = 0;
	int ret = 0;

	memset(wt, 0, sizeof(*wt));
	if (!r)
		return errno ? -errno : -EIO;
	if (frt_reader_version_minor(r) < 2) { /* read_times came with format 1.2 */
		frt_reader_free(r);
		return 0;
	}
	/* the end snapshot comes after every event frame: those are checksummed,
	 * not decompressed */
	while (!ret && seen != parts && frt_reader_next_frame_of(r, FRT_FRAME_SNAPSHOT, &fi) > 0) {
		if (fi.type != FRT_FRAME_SNAPSHOT)
			continue;
		uint32_t len;
		const char *payload = frt_reader_frame_payload(r, &len);
		json_t *h = json_loads(payload, JSON_DISABLE_EOF_CHECK, NULL);
		const char *kind = json_string_value(json_object_get(h, "kind"));
		struct frt_snapshot_part part;

		if (kind && !strcmp(kind, which)) {
			if (parts < 0)
				parts = json_integer_value(json_object_get(h, "parts"));
			part_no = json_integer_value(json_object_get(h, "part"));
			seen++;
			/* a malformed part: setup.c refuses it with its own message */
			if (!frt_snapshot_parse(payload, len, &part, NULL, 0))
				ret = walk_times_add(wt, &part);
		}
		json_decref(h);
	}
	frt_reader_free(r);
	if (ret) {
		snprintf(err, errlen, "%s snapshot part %lld: %s", which, (long long)part_no,
			 ret == -EBADMSG ? "malformed read_times section (FORMAT.md §8.2: pfns "
					   "must move on within the part, times must not overflow)"
					 : strerror(-ret));
		walk_times_free(wt);
	}
	return ret;
}

void walk_times_free(struct walk_times *wt)
{
	free(wt->pfn);
	free(wt->ts);
	memset(wt, 0, sizeof(*wt));
}

/* when the walk read @pfn; 0 (never: nothing reflected) before its first run */
static uint64_t read_time(const struct walk_times *wt, uint64_t pfn)
{
	size_t lo = 0, hi = wt->nr;

	while (lo < hi) { /* the first run starting past pfn */
		size_t mid = lo + (hi - lo) / 2;

		if (wt->pfn[mid] <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? wt->ts[lo - 1] : 0;
}

/* the block an event is about (its first pfn and order); false for none */
static bool event_block(const struct frt_event *ev, uint64_t *pfn_out, uint64_t *order_out)
{
	uint64_t pfn, order;

	switch (ev->type) {
	case FRT_EV_PAGE_ALLOC:
		pfn = ev->alloc.pfn, order = ev->alloc.order;
		break;
	case FRT_EV_PAGE_FREE:
		pfn = ev->free.pfn, order = ev->free.order;
		break;
	case FRT_EV_PAGE_FREE_BATCHED:
		pfn = ev->free_batched.pfn, order = 0;
		break;
	case FRT_EV_PAGE_ALLOC_ZONE_LOCKED:
		pfn = ev->zone_locked.pfn, order = ev->zone_locked.order;
		break;
	case FRT_EV_PAGE_PCPU_DRAIN:
		pfn = ev->pcpu_drain.pfn, order = ev->pcpu_drain.order;
		break;
	case FRT_EV_PAGE_PCPU_REFILL:
		pfn = ev->pcpu_refill.pfn, order = ev->pcpu_refill.order;
		break;
	case FRT_EV_PAGE_ALLOC_EXTFRAG:
		if (ev->extfrag.alloc_order < 0)
			return false;
		pfn = ev->extfrag.pfn, order = (uint64_t)ev->extfrag.alloc_order;
		break;
	case FRT_EV_MIGRATE_PAIR:
		pfn = ev->pair.new_pfn, order = ev->pair.order;
		break;
	default:
		return false;
	}
	*pfn_out = pfn;
	*order_out = order;
	return pfn != FRT_PFN_NONE && order <= MODEL_MAX_ORDER_LIMIT;
}

bool walk_reflected(const struct walk_times *wt, const struct frt_event *ev, bool *straddles)
{
	uint64_t pfn, order;

	if (straddles)
		*straddles = false;
	/* read_time() <= last_ts: an event after the whole walk is none of its */
	if (!wt || !wt->nr || ev->ts >= wt->last_ts || !event_block(ev, &pfn, &order))
		return false;
	if (ev->ts < read_time(wt, pfn))
		return true;
	if (straddles)
		*straddles = ev->ts < read_time(wt, pfn + (1ull << order) - 1);
	return false;
}

bool walk_after(const struct walk_times *wt, const struct frt_event *ev)
{
	uint64_t pfn, order, t;

	/* read_time() >= first_ts where it is not 0: an event before the walk began */
	if (!wt || !wt->nr || ev->ts < wt->first_ts || !event_block(ev, &pfn, &order))
		return false;
	t = read_time(wt, pfn);
	return t && ev->ts >= t;
}

static int by_pfn(const void *a, const void *b)
{
	uint64_t x = ((const struct first_touch_pcp *)a)->pfn, y = ((const struct first_touch_pcp *)b)->pfn;

	return x < y ? -1 : x > y;
}

/*
 * One half of the scan, on a reader of its own: the events of the EVENTS
 * frames [first, last) (last 0: to the end). Frames are decoded
 * independently (each has its own schema, delta bases and tasks), so the
 * second half starts with no state from the first; the frames before it
 * are read and checksummed, not decompressed.
 */
struct scan_half {
	const char *path;
	uint64_t from_ts;
	const struct walk_times *wt;
	uint32_t first, last;
	struct first_touch ft;
	int ret;          /* 0, -ENOMEM, or the reader's -errno at its open */
	bool damaged;     /* the half stopped at damage before its end */
	char err[256];
};

static void *scan_half(void *arg)
{
	struct scan_half *h = arg;
	struct frt_event *ev = malloc(BATCH * sizeof(*ev));
	struct frt_reader *r = NULL;
	struct frt_frame_info fi;
	uint32_t frame = 0;
	int got;

	h->ret = -ENOMEM;
	if (!ev)
		goto out;
	r = frt_reader_open(h->path, h->err, sizeof(h->err));
	if (!r) {
		h->ret = errno ? -errno : -EIO;
		goto out;
	}
	h->ret = 0;
	while (frame < h->first && (got = frt_reader_next_frame_of(r, 0, &fi)) > 0)
		frame += fi.type == FRT_FRAME_EVENTS;
	if (frame < h->first) { /* damaged, or fewer frames than counted: nothing here */
		h->damaged = true;
		goto out;
	}
	while (!h->ret && (!h->last || frame < h->last) &&
	       (got = frt_reader_next_frame_of(r, FRT_FRAME_EVENTS, &fi)) > 0) {
		if (fi.type != FRT_FRAME_EVENTS)
			continue;
		frame++;
		ssize_t n;
		while (!h->ret && (n = frt_reader_frame_batch(r, ev, BATCH)) > 0)
			for (ssize_t i = 0; !h->ret && i < n; i++)
				if (ev[i].ts >= h->from_ts && !walk_reflected(h->wt, &ev[i], NULL))
					h->ret = note(&h->ft, &ev[i]);
		if (n < 0)
			break;
	}
	/* damage (a frame that fails to read or decode) ends the half early: the
	 * replay stops there too and says so */
	h->damaged = frt_reader_status(r) == FRT_READ_DAMAGED && h->last && frame < h->last;
out:
	frt_reader_free(r);
	free(ev);
	return NULL;
}

/* the EVENTS frames of @path before any damage; -errno if it cannot be opened */
static long count_event_frames(const char *path, char *err, size_t errlen)
{
	struct frt_reader *r = frt_reader_open(path, err, errlen);
	struct frt_frame_info fi;
	long n = 0;

	if (!r)
		return errno ? -errno : -EIO;
	while (frt_reader_next_frame_of(r, 0, &fi) > 0)
		n += fi.type == FRT_FRAME_EVENTS;
	frt_reader_free(r);
	return n;
}

/*
 * The scan is a second decode of every event before the replay can start
 * (+31% of a replay's wall time on the largest sample, 8.6 M events), so
 * it runs in two halves side by side, each from its own reader: the
 * replay's decoder waits meanwhile (its ring is full before the model is
 * built). A pfn's first touch is the first half's where it has one, else
 * the second's, as one pass in order would have it.
 */
int first_touch_scan(const char *path, uint64_t from_ts, const struct walk_times *wt,
		     uint64_t base, uint64_t span, unsigned int pb_order, bool takes,
		     struct first_touch *ft, char *err, size_t errlen)
{
	struct scan_half h[2] = { { .path = path, .from_ts = from_ts, .wt = wt },
				  { .path = path, .from_ts = from_ts, .wt = wt } };
	long frames = count_event_frames(path, err, errlen);
	pthread_t t;
	bool threaded = false;
	int ret;

	memset(ft, 0, sizeof(*ft));
	if (frames < 0)
		return (int)frames;
	for (int i = 0; i < 2; i++) {
		h[i].ft.base = base;
		h[i].ft.span = span;
		h[i].ft.k = calloc(span ? span : 1, 1);
		h[i].ft.pb_order = pb_order;
		h[i].ft.takes = takes;
		h[i].ft.skip = calloc(skip_blocks(&h[i].ft) + 1, 1);
	}
	ret = -ENOMEM;
	if (!h[0].ft.k || !h[1].ft.k || zpages_init(&h[0].ft.kz, span) ||
	    zpages_init(&h[1].ft.kz, span) || !h[0].ft.skip || !h[1].ft.skip)
		goto out;
	h[0].first = 0;
	h[0].last = h[1].first = (uint32_t)(frames / 2);
	h[1].last = 0;
	if (frames >= 2)
		threaded = !pthread_create(&t, NULL, scan_half, &h[1]);
	scan_half(&h[0]);
	if (threaded)
		pthread_join(t, NULL);
	else if (frames >= 2)
		scan_half(&h[1]);
	ret = h[0].ret ? h[0].ret : h[1].ret;
	if (ret) {
		snprintf(err, errlen, "%s", h[0].ret ? h[0].err : h[1].err);
		goto out;
	}
	/* the first half's word stands; the second's only where it said none, and
	 * nothing of it past damage in the first */
	*ft = h[0].ft;
	h[0].ft = (struct first_touch){ 0 };
	if (!h[0].damaged && frames >= 2) {
		/* the second half's words can only be on the pages it wrote */
		for (size_t b = 0, from, to; zpages_next(&h[1].ft.kz, h[1].ft.k, span, &b, &from, &to);)
			zpages_write_first(&ft->kz, ft->k, from, to - from);
		const uint8_t *k0 = ft->k;
		for (size_t i = 0; i < h[1].ft.nr_pcp; i++) {
			const struct first_touch_pcp *e = &h[1].ft.pcp[i];
			if (!k0[e->pfn - base] && (ret = pcp_push(ft, e->pfn, e->cpu)))
				goto out;
		}
		for (size_t i = 0; i < h[1].ft.nr_take; i++)
			if (!k0[h[1].ft.take[i] - base] && (ret = take_push(ft, h[1].ft.take[i])))
				goto out;
		for (size_t b = 0, from, to; zpages_next(&h[1].ft.kz, h[1].ft.k, span, &b, &from, &to);)
			for (size_t i = from; i < to; i++)
				if (!ft->k[i])
					ft->k[i] = h[1].ft.k[i];
		for (size_t i = 0; i < skip_blocks(ft); i++)
			if (!ft->skip[i] || skip_settles(ft->skip[i], h[1].ft.skip[i]))
				ft->skip[i] = h[1].ft.skip[i];
	}
	ret = 0;
	if (ft->nr_pcp) /* none: no array (qsort() of NULL is undefined) */
		qsort(ft->pcp, ft->nr_pcp, sizeof(*ft->pcp), by_pfn);
out:
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s", strerror(ENOMEM));
	first_touch_free(&h[0].ft);
	first_touch_free(&h[1].ft);
	if (ret)
		first_touch_free(ft);
	return ret;
}

void first_touch_free(struct first_touch *ft)
{
	free(ft->k);
	zpages_free(&ft->kz);
	free(ft->pcp);
	free(ft->take);
	free(ft->skip);
	free(ft->runs);
	memset(ft, 0, sizeof(*ft));
}

/* the CPU of the pcp block covering @pfn, or -1 */
static int pcp_cpu(const struct first_touch *ft, uint64_t pfn)
{
	for (unsigned int o = 0; o <= MODEL_MAX_ORDER_LIMIT; o++) {
		uint64_t head = pfn & ~((1ull << o) - 1);
		if (kind_at(ft, head) != FT_PCP || head_order(ft, head) < (int)o)
			continue;
		struct first_touch_pcp key = { .pfn = head }, *e;
		e = ft->nr_pcp ? bsearch(&key, ft->pcp, ft->nr_pcp, sizeof(*ft->pcp), by_pfn) : NULL;
		return e ? (int)e->cpu : -1;
	}
	return -1;
}

/* a pageblock type as the mobility of what it holds */
static int mobility_of(int mt)
{
	if (mt >= 0 && mt < MODEL_NR_PCPTYPES)
		return mt;
	return mt == MODEL_MT_HIGHATOMIC ? MODEL_MT_UNMOVABLE : MODEL_MT_MOVABLE;
}

struct split_ctx {
	const struct first_touch *ft;
	int (*pb_mt)(void *ctx, uint64_t pfn);
	first_touch_emit_fn emit;
	void *ctx;
	struct first_touch_counts *n;
};

/* what the trace makes of a page of a free (@free) or allocated block */
static enum seed_as wanted(const struct first_touch *ft, uint64_t pfn, bool free)
{
	switch (kind_at(ft, pfn)) {
	case FT_FREE:
		return SEED_FREE;
	case FT_ALLOC:
		if (ft->mode == FT_MODE_ALL)
			return SEED_ALLOC;
		break;
	case FT_PCP:
		if (ft->mode == FT_MODE_ALL)
			return SEED_PCP;
		break;
	default:
		break;
	}
	return free ? SEED_FREE : SEED_ALLOC;
}

static int split(const struct split_ctx *c, uint64_t pfn, unsigned int order, bool free, int cls)
{
	enum seed_as as = free ? SEED_FREE : SEED_ALLOC, first = wanted(c->ft, pfn, free);
	uint64_t n = 1ull << order;
	bool same = true;

	for (uint64_t p = pfn + 1; same && p < pfn + n; p++)
		same = wanted(c->ft, p, free) == first;
	if (same && first == as)
		return c->emit(c->ctx, pfn, order, as, cls);
	if (same && first == SEED_FREE) { /* the trace takes it from the buddy lists first */
		c->n->to_free += n;
		return c->emit(c->ctx, pfn, order, SEED_FREE, c->pb_mt(c->ctx, pfn));
	}
	/* a block the trace frees first, or found on a pcp list: whole, as the
	 * event named it */
	if (same && (head_order(c->ft, pfn) == (int)order || !order)) {
		int cpu = first == SEED_PCP ? pcp_cpu(c->ft, pfn) : 0;
		if (first == SEED_ALLOC) {
			c->n->to_alloc += n;
			return c->emit(c->ctx, pfn, order, SEED_ALLOC,
				       mobility_of(c->pb_mt(c->ctx, pfn)));
		}
		if (cpu >= 0) {
			c->n->to_pcp += n;
			return c->emit(c->ctx, pfn, order, SEED_PCP, cpu);
		}
		if (!free)
			c->n->to_free += n;
		return c->emit(c->ctx, pfn, order, SEED_FREE, c->pb_mt(c->ctx, pfn));
	}
	int ret = split(c, pfn, order - 1, free, cls);
	return ret ? ret : split(c, pfn + n / 2, order - 1, free, cls);
}

bool first_touch_keeps_alloc(const struct first_touch *ft, uint64_t pfn)
{
	return wanted(ft, pfn, false) == SEED_ALLOC; /* split()'s "same && first == as" */
}

uint64_t first_touch_keeps_alloc_run(const struct first_touch *ft, uint64_t pfn, uint64_t n)
{
	uint64_t i = 0, w;

	/* eight pfns at a time where the trace touches none of them (FT_NONE) */
	while (i + 8 <= n && pfn + i >= ft->base && pfn + i + 8 - ft->base <= ft->span &&
	       (memcpy(&w, &ft->k[pfn + i - ft->base], sizeof(w)), !(w & 0x0707070707070707ull)))
		i += 8;
	while (i < n && wanted(ft, pfn + i, false) == SEED_ALLOC)
		i++;
	return i;
}

int first_touch_split(const struct first_touch *ft, const struct frt_snapshot_block *b,
		      int (*pb_mt)(void *ctx, uint64_t pfn), first_touch_emit_fn emit, void *ctx,
		      struct first_touch_counts *n)
{
	struct split_ctx c = { .ft = ft, .pb_mt = pb_mt, .emit = emit, .ctx = ctx, .n = n };

	return split(&c, b->pfn, b->order, b->state == FRT_SNAP_FREE, b->cls);
}

void first_touch_forget_kinds(struct first_touch *ft)
{
	for (size_t b = 0, from, to; ft->k && zpages_next(&ft->kz, ft->k, ft->span, &b, &from, &to);)
		memset(ft->k + from, 0, to - from);
}
