/* SPDX-License-Identifier: MIT */
/*
 * test_replay_firsttouch - the start snapshot as the trace's first event on
 * each page has it (replay/firsttouch.c, knob start_from_trace; README, "How
 * replay works"), on a trace written by hand.
 *
 * The walk is not atomic, and capture switches on after it, so the first
 * event on a page says what it was when the trace began:
 *   - mm_page_alloc_zone_locked / _extfrag: taken from the buddy lists, so
 *     free there (rmqueue_bulk() and __rmqueue_smallest() fire it);
 *   - mm_page_alloc without one before it, or mm_page_pcpu_drain: it sat on
 *     that CPU's pcp list (free, but not on the buddy lists: the kernel's
 *     NR_FREE_PAGES and /proc/pagetypeinfo leave it out);
 *   - mm_page_free: allocated, as a block of the freed order.
 *
 * One zone (Normal, pfns 0-511, one pageblock, UNMOVABLE), two CPUs:
 *
 *   pfn       0   1   2   3   4-5 6-7 8   9   10-11 12-15 16-19 20-23 24-31
 *   snapshot  A0  A0  A0  A0  F2......F3..................  A4.............
 *   1st event dr1 zl  -   fr  fr1 -   al0 -   -     -     -     zl2   -
 *   seeded    P1  F   A   A   A1  F1  P0  F   F     F     A2    F     A3
 *
 * A: allocated (order), F: free on the buddy lists, P<cpu>: on that CPU's pcp
 * list; dr1: drained on CPU 1, zl: zone_locked, fr: freed (fr1: order 1),
 * al0: allocated on CPU 0 with no zone_locked before it. After seeding, the
 * buddy merges what the kernel's would: 1 stays order 0 (its buddy 0 is on a
 * pcp list), 6-7 and 9-15 likewise stay apart from their allocated or pcp
 * buddies (start_from_trace=2). The default, 1, takes only the zone_locked
 * rows; with start_from_trace=0, the snapshot as it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "firsttouch.h"
#include "model.h"
#include "setup.h"
#include "snapshot.h"
#include "snapshot_codec.h"
#include "trace.h"
#include "variant.h"

#define ZONES                                                                              \
	"[{\"node\":0,\"name\":\"Normal\",\"start_pfn\":0,\"spanned\":512,\"present\":512,"   \
	"\"managed\":512,\"wmark_min\":1,\"wmark_low\":2,\"wmark_high\":3,"                   \
	"\"lowmem_reserve\":[0,0,0,0,0],\"pcp_high\":64,\"pcp_batch\":4}]"

static const char meta[] =
	"{\"format\":\"fragreplay-trace\",\"created_by\":\"test_replay_firsttouch\","
	"\"page_size\":4096,\"pageblock_order\":9,\"max_order\":10,\"nr_cpus\":2,"
	"\"clock\":\"CLOCK_MONOTONIC\",\"sysctls\":{\"defrag_mode\":0},\"zones\":" ZONES "}";

/* @b's blocks as part @part of @parts of a start snapshot of the one
 * UNMOVABLE pageblock, into @w; @ret: what building @b returned. @b is
 * released. */
static int put_part(struct frt_writer *w, struct frt_snap_buf *b, int part, int parts, int ret)
{
	static const uint8_t pb[1] = { FRT_MT_UNMOVABLE };
	uint8_t *payload = NULL;
	size_t len;
	json_t *h = json_pack("{s:s,s:i,s:i,s:I,s:s,s:i,s:i,s:i,s:i,s:[]}", "kind", "start",
			      "part", part, "parts", parts, "ts", (json_int_t)1000, "source",
			      "bpf-struct-page", "start_pfn", 0, "end_pfn", 512,
			      "pageblock_order", 9, "max_order", 10, "inferred");

	json_object_set_new(h, "zones", json_loads(ZONES, 0, NULL));
	if (!ret && h)
		ret = frt_snap_payload(h, b->data, b->len, pb, sizeof(pb), &payload, &len);
	if (!ret)
		ret = frt_writer_put_frame(w, FRT_FRAME_SNAPSHOT, payload, len);
	json_decref(h);
	free(payload);
	frt_snap_buf_release(b);
	return ret;
}

static int put_snapshot(struct frt_writer *w)
{
	struct frt_snap_buf b = { 0 };
	int ret = 0;

	for (int i = 0; i < 4; i++) /* 0-3 */
		ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 0);
	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_FREE, FRT_MT_UNMOVABLE, 2); /* 4-7 */
	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_FREE, FRT_MT_UNMOVABLE, 3); /* 8-15 */
	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 4); /* 16-31 */
	return put_part(w, &b, 0, 1, ret);
}

static int put(struct frt_writer *w, uint64_t ts, uint16_t type, uint32_t cpu, uint64_t pfn,
	       uint64_t order)
{
	struct frt_event e = { .ts = ts, .type = type, .cpu = cpu };

	e.f[0] = pfn;
	e.f[1] = order;
	if (type == FRT_EV_PAGE_ALLOC)
		e.alloc.migratetype = MODEL_MT_UNMOVABLE;
	return frt_writer_add(w, &e);
}

/* @frames: each event in an EVENTS frame of its own (the scan's two halves
 * then split them 4 and 4), else all in one */
static int write_trace(const char *path, bool frames)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	struct frt_writer *w = fd < 0 ? NULL : frt_writer_new(fd, meta, NULL);
	int ret;

	if (!w)
		return -errno;
	ret = put_snapshot(w);
#define put(...) (put(__VA_ARGS__) ?: (frames ? frt_writer_flush(w) : 0))
	ret = ret ?: put(w, 2000, FRT_EV_PAGE_PCPU_DRAIN, 1, 0, 0);
	ret = ret ?: put(w, 2100, FRT_EV_PAGE_ALLOC_ZONE_LOCKED, 0, 1, 0);
	ret = ret ?: put(w, 2200, FRT_EV_PAGE_FREE, 0, 3, 0);
	ret = ret ?: put(w, 2300, FRT_EV_PAGE_FREE, 0, 4, 1);
	ret = ret ?: put(w, 2400, FRT_EV_PAGE_ALLOC, 0, 8, 0);
	ret = ret ?: put(w, 2500, FRT_EV_PAGE_ALLOC_ZONE_LOCKED, 0, 20, 2);
	/* later events on pages already named change nothing */
	ret = ret ?: put(w, 2600, FRT_EV_PAGE_FREE, 0, 1, 0);
	ret = ret ?: put(w, 2700, FRT_EV_PAGE_ALLOC_ZONE_LOCKED, 0, 3, 0);
#undef put
	int cret = frt_writer_close(w);
	return ret ? ret : cret;
}

/* @set: "start_from_trace=N", or NULL for the default */
static struct model *seeded(const char *path, const char *set, struct replay_seed_stats *st)
{
	struct replay_variant v = { .as_recorded = true };
	char err[512];
	struct frt_reader *r = frt_reader_open(path, err, sizeof(err));
	struct model *m = NULL;

	CHECK(r, "%s", err);
	if (!r)
		return NULL;
	if (set)
		CHECK(replay_variant_set(&v, set, err, sizeof(err)) == 0, "%s", err);
	m = replay_model_from_trace(r, &v, st, err, sizeof(err));
	CHECK(m, "%s", err);
	frt_reader_free(r);
	return m;
}

/* "A0" "F2" "P1": the state of the block at @pfn */
static const char *at(const struct model *m, uint64_t pfn, char *buf)
{
	struct model_page_info pi;

	model_page_info(m, pfn, &pi);
	const char *s = pi.state == MODEL_PAGE_ALLOC ? "A" : pi.state == MODEL_PAGE_FREE ? "F"
		      : pi.state == MODEL_PAGE_PCP ? "P" : "-";
	snprintf(buf, 8, "%s%u", s, pi.order);
	return buf;
}

struct want_state {
	uint64_t pfn;
	const char *want;
};

/* each block of @w in the state it says */
static void check_states(const struct model *m, const struct want_state *w, size_t n)
{
	char b[8];

	for (size_t i = 0; i < n; i++)
		CHECK(!strcmp(at(m, w[i].pfn, b), w[i].want), "pfn %lu: %s, want %s",
		      (unsigned long)w[i].pfn, b, w[i].want);
}

static char path[] = "/tmp/test_replay_firsttouch.XXXXXX";
static char path8[] = "/tmp/test_replay_firsttouch8.XXXXXX"; /* 8 event frames */

static void seeded_as_the_trace_says(void)
{
	struct replay_seed_stats st;
	struct model *m = seeded(path, "start_from_trace=2", &st);
	char cerr[256];

	if (!m)
		return;
	static const struct want_state want[] = {
		{ 0, "P0" }, { 1, "F0" }, { 2, "A0" }, { 3, "A0" }, { 4, "A1" }, { 6, "F1" },
		{ 8, "P0" }, { 9, "F0" }, { 10, "F1" }, { 12, "F2" }, { 16, "A2" }, { 20, "F2" },
		{ 24, "A3" },
	};
	check_states(m, want, sizeof(want) / sizeof(want[0]));
	/* each pcp page on the list of the CPU the trace names */
	struct model_pcp_info p0, p1;
	CHECK(model_pcp_info(m, 0, 0, &p0) == 0 && model_pcp_info(m, 0, 1, &p1) == 0);
	CHECK(p0.count == 1 && p1.count == 1, "pcp counts %d %d", p0.count, p1.count);
	/* 0 and 8 moved to pcp lists, 1 and 20-23 to the buddy: 2 + 5 pages the
	 * snapshot shows allocated, and 8 of its free pages; 4-5 the other way */
	CHECK(st.reconciled.to_pcp == 2 && st.reconciled.to_free == 5 &&
	      st.reconciled.to_alloc == 2, "pcp %lu free %lu alloc %lu",
	      (unsigned long)st.reconciled.to_pcp, (unsigned long)st.reconciled.to_free,
	      (unsigned long)st.reconciled.to_alloc);
	/* free: 1, 6-7, 8-15 (8 on a pcp list), 20-23, and 0 on a pcp list */
	CHECK(st.free_pages == 1 + 2 + 8 + 4 + 1 && st.allocated_pages == 32 - st.free_pages,
	      "free %lu allocated %lu", (unsigned long)st.free_pages,
	      (unsigned long)st.allocated_pages);
	CHECK(model_check(m, cerr, sizeof(cerr)) == 0, "%s", cerr);
	model_free_all(m);
}

/*
 * The default (start_from_trace=1): only what proves a page free. The kernel
 * takes a block from the buddy lists only if it is there, so 1 and 20-23
 * start free; the first free of 3 and 4-5, the drain of 0 and the
 * allocation of 8 without a zone_locked prove nothing of the start
 * (compaction releases free pages it isolated with no event; a pcp page's
 * list and age are unknown), so those stay as the snapshot has them.
 */
static void default_takes_only_the_buddy_proof(void)
{
	struct replay_seed_stats st;
	struct model *m = seeded(path, NULL, &st);
	char cerr[256];

	if (!m)
		return;
	static const struct want_state want[] = {
		{ 0, "A0" }, { 1, "F0" }, { 2, "A0" }, { 3, "A0" }, { 4, "F2" }, { 8, "F3" },
		{ 16, "A2" }, { 20, "F2" }, { 24, "A3" },
	};
	check_states(m, want, sizeof(want) / sizeof(want[0]));
	struct model_pcp_info p0, p1;
	CHECK(model_pcp_info(m, 0, 0, &p0) == 0 && model_pcp_info(m, 0, 1, &p1) == 0);
	CHECK(p0.count == 0 && p1.count == 0, "pcp counts %d %d", p0.count, p1.count);
	CHECK(st.reconciled.to_free == 5 && st.reconciled.to_pcp == 0 &&
	      st.reconciled.to_alloc == 0, "pcp %lu free %lu alloc %lu",
	      (unsigned long)st.reconciled.to_pcp, (unsigned long)st.reconciled.to_free,
	      (unsigned long)st.reconciled.to_alloc);
	CHECK(st.free_pages == 12 + 5, "free %lu", (unsigned long)st.free_pages);
	CHECK(model_check(m, cerr, sizeof(cerr)) == 0, "%s", cerr);
	model_free_all(m);
}

/*
 * The scan reads the events in two halves side by side (firsttouch.c): with
 * every event in a frame of its own, the later events on pfns 1 and 3
 * (2600, 2700) are in the second half and must not take the place of the
 * first half's, and pfn 8's pcp list (2400, second half) must be found:
 * the same seed as one pass in order.
 */
static void halves_seed_as_one_pass(void)
{
	struct replay_seed_stats one, two;
	struct model *a = seeded(path, "start_from_trace=2", &one);
	struct model *b = seeded(path8, "start_from_trace=2", &two);
	char ba[8], bb[8];

	if (!a || !b)
		goto out;
	for (uint64_t pfn = 0; pfn < 32; pfn++)
		CHECK(!strcmp(at(a, pfn, ba), at(b, pfn, bb)), "pfn %lu: %s in one frame, %s in 8",
		      (unsigned long)pfn, ba, bb);
	struct model_pcp_info p0, p1;
	CHECK(model_pcp_info(b, 0, 0, &p0) == 0 && model_pcp_info(b, 0, 1, &p1) == 0);
	CHECK(p0.count == 1 && p1.count == 1, "pcp counts %d %d", p0.count, p1.count);
	CHECK(!memcmp(&one.reconciled, &two.reconciled, sizeof(one.reconciled)) &&
	      one.free_pages == two.free_pages);
out:
	if (a)
		model_free_all(a);
	if (b)
		model_free_all(b);
}

static void off_seeds_the_snapshot(void)
{
	struct replay_seed_stats st;
	struct model *m = seeded(path, "start_from_trace=0", &st);
	char cerr[256];

	if (!m)
		return;
	static const struct want_state want[] = {
		{ 0, "A0" }, { 1, "A0" }, { 2, "A0" }, { 3, "A0" }, { 4, "F2" }, { 8, "F3" },
		{ 16, "A4" },
	};
	check_states(m, want, sizeof(want) / sizeof(want[0]));
	CHECK(st.free_pages == 12 && st.reconciled.to_free + st.reconciled.to_pcp +
	      st.reconciled.to_alloc == 0);
	CHECK(model_check(m, cerr, sizeof(cerr)) == 0, "%s", cerr);
	model_free_all(m);
}

/*
 * Two parts that both say pfns 0-3 are allocated: the second one's blocks
 * find their pages seeded. setup.c seeds such blocks (allocated, order 0,
 * consecutive, as the trace leaves them) a run at a time; a run that fails
 * is seeded again block by block, so that the error names the first block
 * that fails, as seeding one block at a time always did.
 */
static void a_run_that_fails_names_its_first_block(void)
{
	char twice[] = "/tmp/test_replay_firsttouch_twice.XXXXXX", err[512];
	int fd = mkstemp(twice), ret = 0;
	struct frt_writer *w = fd < 0 ? NULL : frt_writer_new(fd, meta, NULL);

	CHECK(w);
	for (int part = 0; w && part < 2; part++) {
		struct frt_snap_buf b = { 0 };

		for (int i = 0; i < 4; i++)
			ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_MOVABLE, 0);
		ret = put_part(w, &b, part, 2, ret);
	}
	if (w) {
		ret = ret ?: put(w, 2000, FRT_EV_PAGE_FREE, 0, 100, 0);
		CHECK(frt_writer_close(w) == 0 && ret == 0);
	}
	struct replay_variant v = { .as_recorded = true };
	struct frt_reader *r = frt_reader_open(twice, err, sizeof(err));
	struct replay_seed_stats st;
	struct model *m = r ? replay_model_from_trace(r, &v, &st, err, sizeof(err)) : NULL;

	CHECK(r && !m, "the second part's blocks seeded over the first's");
	CHECK(strstr(err, "allocated block at pfn 0 order 0"), "%s", err);
	model_free_all(m);
	frt_reader_free(r);
	unlink(twice);
}

/*
 * Knob start_skip_hints: the skip hints (PB_compact_skip) the trace's first
 * compaction run over each pageblock says were set at its start. No snapshot
 * records them, and the kernel keeps them from every compaction before the
 * trace until a direct compaction's scanners meet and kswapd then sleeps
 * (reset_isolation_suitable()); isolate_migratepages() goes past a pageblock
 * without isolate_migratepages_block() (so without an
 * mm_compaction_isolate_migratepages event) when isolation_suitable() finds
 * its hint set, or, in async mode, when suitable_migration_source() refuses
 * its type (a movable request takes only MOVABLE and CMA blocks).
 *
 * Only runs that read the hints say anything: async ones, kcompactd_do_work()'s
 * (after mm_compaction_kcompactd_wake) and direct ones above
 * MIN_COMPACT_PRIORITY; kcompactd's proactive pass (after
 * mm_compaction_kcompactd_sleep) sets ignore_skip_hint. A run that scanned
 * a pageblock may have jumped there (fast_find_migrateblock()): its passes
 * say nothing.
 *
 * Normal, pfns 0-2559: pageblocks 0, 2, 3, 4 MOVABLE, 1 UNMOVABLE, each
 * holding an allocated order-9 block of its type.
 *   A  CPU 0, async: migrate scanner 0 -> 1024, nothing scanned
 *   B  CPU 0, async: 1024 -> 2048, scans pageblock 3 only
 *   K  CPU 1, kcompactd woken, sync: 2048 -> 2560, nothing scanned
 *   P  CPU 1, kcompactd after its sleep (proactive), sync: scans pageblock 0
 *   C  CPU 0, async: 1536 -> 2048 again, nothing scanned
 *   D  CPU 0, direct at SYNC_LIGHT (prio 1), sync: 0 -> 1024, nothing scanned
 *   pageblock 0: passed by A, MOVABLE: set (P's scan ignores the hints)
 *   pageblock 1: passed by A, UNMOVABLE (refused for its type: A says
 *                nothing), then by D, which reads the hints and refuses
 *                no type: set, and since no scan in between could have set it
 *                (each traces an isolate event), set at the start
 *   pageblock 2: passed by B, which scanned and may have jumped it: clear
 *   pageblock 3: scanned by B first: clear (C's pass changes nothing)
 *   pageblock 4: passed by K, kcompactd_do_work()'s sync run, any type: set
 */
#define SKIP_ZONES                                                                         \
	"[{\"node\":0,\"name\":\"Normal\",\"start_pfn\":0,\"spanned\":2560,\"present\":2560,"  \
	"\"managed\":2560,\"wmark_min\":1,\"wmark_low\":2,\"wmark_high\":3,"                  \
	"\"lowmem_reserve\":[0,0,0,0,0],\"pcp_high\":64,\"pcp_batch\":4}]"

static const char skip_meta[] =
	"{\"format\":\"fragreplay-trace\",\"created_by\":\"test_replay_firsttouch\","
	"\"page_size\":4096,\"pageblock_order\":9,\"max_order\":10,\"nr_cpus\":2,"
	"\"clock\":\"CLOCK_MONOTONIC\",\"sysctls\":{\"defrag_mode\":0},\"zones\":" SKIP_ZONES "}";

static int put_compaction(struct frt_writer *w, uint64_t ts, uint16_t type, uint32_t cpu,
			  uint64_t a, uint64_t b, uint64_t sync)
{
	struct frt_event e = { .ts = ts, .type = type, .cpu = cpu };

	if (type == FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES) {
		e.try_compact.order = 9;
		e.try_compact.prio = (int64_t)a;
	} else if (type == FRT_EV_COMPACTION_KCOMPACTD_WAKE ||
		   type == FRT_EV_COMPACTION_KCOMPACTD_SLEEP) {
		e.kcompactd.nid = 0;
		e.kcompactd.order = 9;
	} else if (type == FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES) {
		e.isolate.start_pfn = a;
		e.isolate.end_pfn = b;
		e.isolate.nr_scanned = b - a;
	} else {
		e.compaction.zone_start = 0;
		e.compaction.zone_end = 2560;
		e.compaction.migrate_pfn = a;
		e.compaction.free_pfn = b;
		e.compaction.sync = sync;
	}
	return frt_writer_add(w, &e);
}

static int write_skip_trace(const char *file)
{
	static const uint8_t pb[5] = { FRT_MT_MOVABLE, FRT_MT_UNMOVABLE, FRT_MT_MOVABLE,
				       FRT_MT_MOVABLE, FRT_MT_MOVABLE };
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	struct frt_writer *w = fd < 0 ? NULL : frt_writer_new(fd, skip_meta, NULL);
	struct frt_snap_buf b = { 0 };
	uint8_t *payload = NULL;
	size_t len;
	int ret = 0;

	if (!w)
		return -errno;
	static const uint8_t mob[5] = { FRT_MOB_MOVABLE, FRT_MOB_UNMOVABLE, FRT_MOB_MOVABLE,
					FRT_MOB_MOVABLE, FRT_MOB_MOVABLE };
	for (int i = 0; i < 5; i++) /* allocated: free ones would merge across types */
		ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, mob[i], 9);
	json_t *h = json_pack("{s:s,s:i,s:i,s:I,s:s,s:i,s:i,s:i,s:i,s:[]}", "kind", "start",
			      "part", 0, "parts", 1, "ts", (json_int_t)1000, "source",
			      "bpf-struct-page", "start_pfn", 0, "end_pfn", 2560,
			      "pageblock_order", 9, "max_order", 10, "inferred");
	json_object_set_new(h, "zones", json_loads(SKIP_ZONES, 0, NULL));
	ret = ret ?: frt_snap_payload(h, b.data, b.len, pb, sizeof(pb), &payload, &len);
	ret = ret ?: frt_writer_put_frame(w, FRT_FRAME_SNAPSHOT, payload, len);
	json_decref(h);
	free(payload);
	frt_snap_buf_release(&b);
	/* A */
	ret = ret ?: put_compaction(w, 2000, FRT_EV_COMPACTION_BEGIN, 0, 0, 2048, 0);
	ret = ret ?: put_compaction(w, 2100, FRT_EV_COMPACTION_END, 0, 1024, 2048, 0);
	/* B */
	ret = ret ?: put_compaction(w, 2200, FRT_EV_COMPACTION_BEGIN, 0, 1024, 2048, 0);
	ret = ret ?: put_compaction(w, 2300, FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES, 0, 1536, 2048, 0);
	ret = ret ?: put_compaction(w, 2400, FRT_EV_COMPACTION_END, 0, 2048, 2048, 0);
	/* K */
	ret = ret ?: put_compaction(w, 2900, FRT_EV_COMPACTION_KCOMPACTD_WAKE, 1, 0, 0, 0);
	ret = ret ?: put_compaction(w, 3000, FRT_EV_COMPACTION_BEGIN, 1, 2048, 2048, 1);
	ret = ret ?: put_compaction(w, 3100, FRT_EV_COMPACTION_END, 1, 2560, 2048, 1);
	/* P */
	ret = ret ?: put_compaction(w, 5000, FRT_EV_COMPACTION_KCOMPACTD_SLEEP, 1, 0, 0, 0);
	ret = ret ?: put_compaction(w, 5100, FRT_EV_COMPACTION_BEGIN, 1, 0, 2048, 1);
	ret = ret ?: put_compaction(w, 5200, FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES, 1, 0, 512, 1);
	ret = ret ?: put_compaction(w, 5300, FRT_EV_COMPACTION_END, 1, 2560, 2560, 1);
	/* C */
	ret = ret ?: put_compaction(w, 6000, FRT_EV_COMPACTION_BEGIN, 0, 1536, 2048, 0);
	ret = ret ?: put_compaction(w, 6100, FRT_EV_COMPACTION_END, 0, 2048, 2048, 0);
	/* D */
	ret = ret ?: put_compaction(w, 7000, FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES, 0, 1, 0, 0);
	ret = ret ?: put_compaction(w, 7100, FRT_EV_COMPACTION_BEGIN, 0, 0, 2048, 1);
	ret = ret ?: put_compaction(w, 7200, FRT_EV_COMPACTION_END, 0, 1024, 2048, 1);
	int cret = frt_writer_close(w);
	return ret ? ret : cret;
}

static void skip_hints_as_the_first_runs_show(void)
{
	char file[] = "/tmp/test_replay_firsttouch_skip.XXXXXX";
	int fd = mkstemp(file);
	struct replay_seed_stats st;

	CHECK(fd >= 0, "mkstemp: %s", strerror(errno));
	if (fd < 0)
		return;
	close(fd);
	CHECK(write_skip_trace(file) == 0);
	static const bool want[5] = { true, true, false, false, true };
	/* with start_from_trace=0 too: the hints do not need the pages' seed */
	static const char *const sets[] = { "start_skip_hints=1", "start_from_trace=0" };
	for (int k = 0; k < 2; k++) {
		struct replay_variant v = { .as_recorded = true };
		char err[512];
		struct frt_reader *r = frt_reader_open(file, err, sizeof(err));

		CHECK(r, "%s", err);
		if (!r)
			break;
		CHECK(replay_variant_set(&v, "start_skip_hints=1", err, sizeof(err)) == 0, "%s", err);
		if (k)
			CHECK(replay_variant_set(&v, sets[k], err, sizeof(err)) == 0, "%s", err);
		struct model *m = replay_model_from_trace(r, &v, &st, err, sizeof(err));
		frt_reader_free(r);
		CHECK(m, "%s", err);
		if (!m)
			break;
		for (int i = 0; i < 5; i++)
			CHECK(model_pageblock_skip(m, (uint64_t)i * 512) == want[i],
			      "%s: pageblock %d skip %d, want %d", sets[k], i,
			      model_pageblock_skip(m, (uint64_t)i * 512), want[i]);
		CHECK(st.skip_pageblocks == 3, "%lu seeded", (unsigned long)st.skip_pageblocks);
		/* the pages are as the snapshot has them */
		CHECK(st.allocated_pages == 2560 && st.free_pages == 0, "allocated %lu",
		      (unsigned long)st.allocated_pages);
		CHECK(model_pageblock_mt(m, 512) == MODEL_MT_UNMOVABLE);
		model_free_all(m);
	}
	/* on by default */
	struct model *m = seeded(file, NULL, &st);
	if (m) {
		for (int i = 0; i < 5; i++)
			CHECK(model_pageblock_skip(m, (uint64_t)i * 512) == want[i],
			      "default: pageblock %d", i);
		CHECK(st.skip_pageblocks == 3);
		model_free_all(m);
	}
	/* off: no hint at the start */
	m = seeded(file, "start_skip_hints=0", &st);
	if (m) {
		for (int i = 0; i < 5; i++)
			CHECK(!model_pageblock_skip(m, (uint64_t)i * 512), "off: pageblock %d", i);
		CHECK(st.skip_pageblocks == 0);
		model_free_all(m);
	}
	unlink(file);
}

/*
 * first_touch_keeps_alloc_run(), the seed's run of single pages: as many
 * pfns as first_touch_keeps_alloc() holds for one by one, eight at a time
 * where the trace touches none, in both modes, across the map's ends:
 *
 *   pfn (base 100)  100..119  120   121..139  140  141..149  150  151..163 | 164..
 *   first event     -         fr    -         dr   -         zl   -         | (outside)
 *   kind            NONE      ALLOC NONE      PCP  NONE      FREE NONE      | NONE
 */
static void keeps_alloc_run_as_one_by_one(void)
{
	uint8_t k[64] = { 0 };
	struct first_touch ft = { .base = 100, .span = sizeof(k), .k = k };

	k[20] = FT_ALLOC;
	k[40] = FT_PCP;
	k[50] = FT_FREE;
	for (int mode = FT_MODE_BUDDY; mode <= FT_MODE_ALL; mode++) {
		ft.mode = (enum first_touch_mode)mode;
		for (uint64_t from = 90; from < 180; from++) {
			for (uint64_t n = 0; n < 100; n += 7) {
				uint64_t want = 0;

				while (want < n && first_touch_keeps_alloc(&ft, from + want))
					want++;
				CHECK(first_touch_keeps_alloc_run(&ft, from, n) == want,
				      "mode %d, %lu pfns from %lu", mode, (unsigned long)n,
				      (unsigned long)from);
			}
		}
	}
	/* the pcp use ends the run in mode ALL (it seeds on the pcp list), not before */
	ft.mode = FT_MODE_ALL;
	CHECK(first_touch_keeps_alloc_run(&ft, 100, 64) == 40);
	ft.mode = FT_MODE_BUDDY;
	CHECK(first_touch_keeps_alloc_run(&ft, 100, 64) == 50, "the buddy's take ends it");
	CHECK(first_touch_keeps_alloc_run(&ft, 151, 100) == 100, "past the map's end");
}

/*
 * The start's list order (replay/setup.c seed_list_order()): the seed puts
 * the snapshot's free blocks on their lists in pfn order, the kernel's lists
 * were in the order its history made, and __rmqueue_smallest() takes a
 * list's head. The trace's first takes from the buddy lists (here
 * mm_page_alloc_zone_locked) put the blocks they take from at the heads of
 * their lists, the first taken first; a block taken from inside (50, of the
 * order-2 block 48-51) goes first as a whole; a block never taken (43) stays
 * behind. So the model's first order-0 pages are the kernel's, 45 then 41,
 * where the seed's pfn order (start_list_order=0, the default) gives 41
 * first.
 *
 *   pfn       0-39  40 41 42 43 44 45 46-47  48-51  52-63
 *   snapshot  A     A0 F0 A0 F0 A0 F0 A      F2     A
 *   1st take           3rd      -     1st     2nd (50)
 */
static int write_takes(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	struct frt_writer *w = fd < 0 ? NULL : frt_writer_new(fd, meta, NULL);
	struct frt_snap_buf b = { 0 };
	int ret = 0;

	if (!w)
		return -errno;
	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 5); /* 0-31 */
	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 3); /* 32-39 */
	for (int i = 0; i < 3; i++) { /* 40-45 */
		ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 0);
		ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_FREE, FRT_MT_UNMOVABLE, 0);
	}
	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 1); /* 46-47 */
	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_FREE, FRT_MT_UNMOVABLE, 2); /* 48-51 */
	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 2); /* 52-55 */
	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 3); /* 56-63 */
	ret = put_part(w, &b, 0, 1, ret);
	ret = ret ?: put(w, 2000, FRT_EV_PAGE_ALLOC_ZONE_LOCKED, 0, 45, 0);
	ret = ret ?: put(w, 2100, FRT_EV_PAGE_ALLOC_ZONE_LOCKED, 0, 50, 0);
	ret = ret ?: put(w, 2200, FRT_EV_PAGE_ALLOC_ZONE_LOCKED, 0, 41, 0);
	int cret = frt_writer_close(w);
	return ret ? ret : cret;
}

/* seeded from @path under @set: @ordered blocks put first, and the model's
 * next three order-0 unmovable pages on CPU 0 are @want */
static void expect_first_pages(const char *path, const char *set, uint64_t ordered,
			       const uint64_t want[3])
{
	struct model_req q = { .order = 0, .gfp = MODEL_GFP_KERNEL, .cpu = 0 };
	struct replay_seed_stats st;
	struct model *m = seeded(path, set, &st);
	uint64_t got[3];

	if (!m)
		return;
	CHECK(st.ordered_blocks == ordered, "%s: %lu", set ? set : "default",
	      (unsigned long)st.ordered_blocks);
	for (int i = 0; i < 3; i++)
		got[i] = model_alloc(m, &q);
	CHECK(!memcmp(got, want, sizeof(got)), "%s: %lu %lu %lu", set ? set : "default",
	      (unsigned long)got[0], (unsigned long)got[1], (unsigned long)got[2]);
	model_free_all(m);
}

static void lists_start_in_the_order_the_trace_takes(void)
{
	char p[] = "/tmp/test_replay_firsttouch_takes.XXXXXX";
	int fd = mkstemp(p);

	CHECK(fd >= 0, "mkstemp: %s", strerror(errno));
	if (fd < 0)
		return;
	close(fd);
	CHECK(write_takes(p) == 0);
	expect_first_pages(p, "start_list_order=1", 3, (const uint64_t[3]){ 45, 41, 43 });
	expect_first_pages(p, NULL, 0, (const uint64_t[3]){ 41, 43, 45 });
	unlink(p);
}

/*
 * The scan's word on every pfn of a span of many pages, in two halves (each
 * event its own frame): k[] is written page by page before it is read (its
 * calloc()ed pages would otherwise be the zero page's, replaced with a TLB
 * flush of every CPU), and the halves merge page by page. Every pfn must
 * carry the first event's word as mark() gives it, whatever page it is on
 * and whichever half saw it, the pages' edges included: 3,000 events of
 * orders 0-2 at pseudo-random pfns of 96 Ki, kinds free, pcp and alloc.
 */
#define WIDE (96u << 10)

static int write_wide(const char *path, uint8_t *want)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	struct frt_writer *w = fd < 0 ? NULL : frt_writer_new(fd, meta, NULL);
	static const uint16_t type[3] = { FRT_EV_PAGE_ALLOC_ZONE_LOCKED, FRT_EV_PAGE_FREE,
					  FRT_EV_PAGE_ALLOC };
	static const uint8_t kind[3] = { FT_FREE, FT_ALLOC, FT_PCP };
	uint64_t x = 12345;
	int ret = 0;

	if (!w)
		return -errno;
	memset(want, 0, WIDE);
	for (int e = 0; !ret && e < 3000; e++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		unsigned int t = (unsigned int)(x >> 60) % 3, order = (unsigned int)(x >> 40) % 3;
		uint64_t pfn = (x >> 8) % WIDE & ~((1ull << order) - 1);

		if ((kind[t] == FT_ALLOC || kind[t] == FT_PCP) && !want[pfn])
			want[pfn] = (uint8_t)(kind[t] | (order + 1) << 3);
		for (uint64_t j = pfn; j < pfn + (1ull << order) && j < WIDE; j++)
			if (!want[j])
				want[j] = kind[t];
		ret = put(w, 2000 + (uint64_t)e, type[t], 0, pfn, order) ?: frt_writer_flush(w);
	}
	int cret = frt_writer_close(w);
	return ret ? ret : cret;
}

static void scan_word_on_every_page(void)
{
	char p[] = "/tmp/test_replay_firsttouch_wide.XXXXXX";
	int fd = mkstemp(p);
	uint8_t *want = malloc(WIDE);
	struct first_touch ft;
	struct walk_times wt = { 0 };
	char err[256];

	CHECK(fd >= 0 && want, "mkstemp: %s", strerror(errno));
	if (fd < 0 || !want) {
		free(want);
		return;
	}
	close(fd);
	CHECK(write_wide(p, want) == 0);
	CHECK(first_touch_scan(p, 0, &wt, 0, WIDE, 9, false, &ft, err, sizeof(err)) == 0, "%s", err);
	size_t bad = 0, first_bad = 0;
	for (size_t i = 0; ft.k && i < WIDE; i++)
		if (ft.k[i] != want[i] && !bad++)
			first_bad = i;
	CHECK(!bad, "%zu pfns differ, the first %zu: %u, want %u", bad, first_bad,
	      ft.k ? ft.k[first_bad] : 0, want[first_bad]);
	first_touch_forget_kinds(&ft);
	for (size_t i = 0; ft.k && i < WIDE; i++)
		if (ft.k[i] && !bad++)
			first_bad = i;
	CHECK(!bad, "forgotten: %zu pfns still said, the first %zu", bad, first_bad);
	first_touch_free(&ft);
	free(want);
	unlink(p);
}

int main(void)
{
	int fd = mkstemp(path);

	CHECK(fd >= 0, "mkstemp: %s", strerror(errno));
	if (fd < 0)
		return 1;
	close(fd);
	CHECK(write_trace(path, false) == 0);
	int fd8 = mkstemp(path8);
	CHECK(fd8 >= 0, "mkstemp: %s", strerror(errno));
	if (fd8 < 0)
		return 1;
	close(fd8);
	CHECK(write_trace(path8, true) == 0);
	RUN(seeded_as_the_trace_says);
	RUN(default_takes_only_the_buddy_proof);
	RUN(off_seeds_the_snapshot);
	RUN(a_run_that_fails_names_its_first_block);
	RUN(halves_seed_as_one_pass);
	RUN(skip_hints_as_the_first_runs_show);
	RUN(keeps_alloc_run_as_one_by_one);
	RUN(lists_start_in_the_order_the_trace_takes);
	RUN(scan_word_on_every_page);
	unlink(path);
	unlink(path8);
	return CHECK_DONE();
}
