/* SPDX-License-Identifier: MIT */
/*
 * test_replay_walktimes - the snapshots' read times (FORMAT.md §8.2
 * read_times, format 1.2) against the events of their walks, on a trace
 * written by hand (replay/firsttouch.c walk_reflected(), walk_after();
 * replay/engine.c).
 *
 * The rule: an event on pfn P at t is in a snapshot when t is before the
 * time its walk read P. The start walk's such events are not replayed (the
 * seed has them); the end walk's events after it read P are not in the end
 * snapshot, so they stay out of the model too.
 *
 * One zone (Normal, pfns 0-511, one pageblock, UNMOVABLE). Start snapshot
 * (ts 1000): pfns 0-63 read at 2000, 64-511 at 3000. End snapshot (ts 4000):
 * every pfn read at 5000.
 *
 *   pfn       0     1     64    65    (everything else free)
 *   snapshot  A0    F0    A0    F0
 *   event     al    fr    fr    al     ... fr 65
 *   at        1500  1600  3100  3200   ... 5100
 *   rule      in    in    after after  ... after the end walk read it
 *   replay    -     -     free  alloc  ... -
 *
 * Free at the end: 510 pages (the snapshot's 510, +1 for 64, -1 for 65).
 * Replaying the two start-walk events would allocate pfn 0 twice (an unseen
 * free) and free pfn 1 that no block holds (an unmatched free); replaying
 * the end-walk free would end with 511.
 *
 * Usage: test_replay_walktimes           run the tests
 *        test_replay_walktimes --write F  write the trace (fuzz seed walktimes-stored)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "engine.h"
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
	"{\"format\":\"fragreplay-trace\",\"created_by\":\"test_replay_walktimes\","
	"\"page_size\":4096,\"pageblock_order\":9,\"max_order\":10,\"nr_cpus\":2,"
	"\"clock\":\"CLOCK_MONOTONIC\",\"sysctls\":{\"defrag_mode\":0},\"zones\":" ZONES "}";

/* free blocks covering [from, to), aligned, largest first */
static int put_free(struct frt_snap_buf *b, uint64_t from, uint64_t to)
{
	int ret = 0;

	while (from < to && !ret) {
		unsigned int o = 0;

		while (o < 9 && !(from & (1ull << o)) && from + (2ull << o) <= to)
			o++;
		ret = frt_snap_buf_put_block(b, 0, FRT_SNAP_FREE, FRT_MT_UNMOVABLE, (uint8_t)o);
		from += 1ull << o;
	}
	return ret;
}

/*
 * @kind's snapshot: pfns 0 and 64 allocated (65 too at the end), read
 * times @times ({pfn gap, ns delta} pairs, @nr of them; none: no section).
 */
static int put_snapshot(struct frt_writer *w, const char *kind, uint64_t ts,
			const uint64_t (*times)[2], size_t nr)
{
	static const uint8_t pb[1] = { FRT_MT_UNMOVABLE };
	struct frt_snap_buf b = { 0 }, t = { 0 };
	bool end = !strcmp(kind, "end");
	uint8_t *payload = NULL;
	size_t len;
	int ret = 0;

	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 0); /* 0 */
	ret |= put_free(&b, 1, 64);
	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 0); /* 64 */
	if (end)
		ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 0);
	ret |= put_free(&b, end ? 66 : 65, 512);
	for (size_t i = 0; i < nr; i++)
		ret |= frt_snap_buf_put_time(&t, times[i][0], times[i][1]);
	json_t *h = json_pack("{s:s,s:i,s:i,s:I,s:s,s:i,s:i,s:i,s:i,s:[]}", "kind", kind,
			      "part", 0, "parts", 1, "ts", (json_int_t)ts, "source",
			      "bpf-struct-page", "start_pfn", 0, "end_pfn", 512,
			      "pageblock_order", 9, "max_order", 10, "inferred");
	json_object_set_new(h, "zones", json_loads(ZONES, 0, NULL));
	if (!ret && h)
		ret = frt_snap_payload_timed(h, b.data, b.len, pb, sizeof(pb), nr ? t.data : NULL,
					     t.len, &payload, &len);
	if (!ret)
		ret = frt_writer_put_frame(w, FRT_FRAME_SNAPSHOT, payload, len);
	json_decref(h);
	free(payload);
	frt_snap_buf_release(&b);
	frt_snap_buf_release(&t);
	return ret;
}

static int put(struct frt_writer *w, uint64_t ts, uint16_t type, uint64_t pfn)
{
	struct frt_event e = { .ts = ts, .type = type };

	e.f[0] = pfn;
	if (type == FRT_EV_PAGE_ALLOC)
		e.alloc.migratetype = MODEL_MT_UNMOVABLE;
	return frt_writer_add(w, &e);
}

/* the allocation at 1500 an anonymous THP fault's first try (order 9), not a page */
static bool thp_first;

/* @timed: with read times (format 1.2), else the same trace as a 1.1 recorder wrote it */
static int write_trace(const char *path, bool timed)
{
	struct frt_event thp = { .ts = 1500, .type = FRT_EV_PAGE_ALLOC };
	static const uint64_t start_times[][2] = { { 0, 1000 }, { 64, 1000 } }; /* 2000, 3000 */
	static const uint64_t end_times[][2] = { { 0, 1000 } };                 /* 5000 */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	/* stored: the fuzz corpora's copy (--write) lets mutations reach the sections */
	struct frt_writer_opts o = { .store = true };
	struct frt_writer *w = fd < 0 ? NULL : frt_writer_new(fd, meta, &o);
	int ret;

	if (!w)
		return -errno;
	ret = put_snapshot(w, "start", 1000, start_times, timed ? 2 : 0);
	thp.alloc.order = 9;
	thp.alloc.migratetype = MODEL_MT_MOVABLE;
	thp.alloc.gfp_flags = MODEL_GFP_HIGHUSER_MOVABLE | MODEL_GFP_COMP | MODEL_GFP_NOMEMALLOC |
			      MODEL_GFP_THISNODE | MODEL_GFP_NORETRY; /* GFP_TRANSHUGE's first try */
	ret = ret ?: (thp_first ? frt_writer_add(w, &thp) : put(w, 1500, FRT_EV_PAGE_ALLOC, 0));
	ret = ret ?: put(w, 1600, FRT_EV_PAGE_FREE, 1);
	ret = ret ?: put(w, 3100, FRT_EV_PAGE_FREE, 64);
	ret = ret ?: put(w, 3200, FRT_EV_PAGE_ALLOC, 65);
	ret = ret ?: put_snapshot(w, "end", 4000, end_times, timed ? 1 : 0);
	ret = ret ?: put(w, 5100, FRT_EV_PAGE_FREE, 65);
	int cret = frt_writer_close(w);
	return ret ? ret : cret;
}

struct result {
	struct replay_stats st;
	struct replay_seed_stats seed;
	long free_pages; /* buddy and pcp */
	int sft;         /* start_from_trace as the model has it */
};

/* replay @path as a session does (session.c build_run()) with start_from_trace=@sft
 * (-1: the default); out->sft: the knob as the model has it */
static int replay_file(const char *path, int sft, struct result *out)
{
	struct replay_variant v = { .as_recorded = true };
	struct walk_times start, end;
	struct model_zone_info zi;
	char err[512];
	struct frt_reader *rd = frt_reader_open(path, err, sizeof(err));
	struct model *m = NULL;
	struct replay *r = NULL;
	struct frt_event ev;
	int ret = -EINVAL;

	CHECK(rd, "%s", err);
	char set[32];

	snprintf(set, sizeof(set), "start_from_trace=%d", sft);
	if (sft >= 0)
		CHECK(replay_variant_set(&v, set, err, sizeof(err)) == 0, "%s", err);
	m = rd ? replay_model_from_trace(rd, &v, &out->seed, err, sizeof(err)) : NULL;
	CHECK(m, "%s", err);
	frt_reader_free(rd);
	rd = m ? frt_reader_open(path, err, sizeof(err)) : NULL;
	r = rd ? replay_new(m, out->seed.snapshot_ts, NULL, NULL) : NULL;
	out->sft = m ? (int)model_knob(m, MODEL_KNOB_START_FROM_TRACE) : -1;
	if (!r)
		goto cleanup;
	CHECK(walk_times_read(path, "start", &start, err, sizeof(err)) == 0, "%s", err);
	CHECK(walk_times_read(path, "end", &end, err, sizeof(err)) == 0, "%s", err);
	replay_set_walk_times(r, &start, &end);
	while (frt_reader_next(rd, &ev) > 0)
		replay_feed(r, &ev);
	out->st = *replay_stats(r);
	model_zone_info(m, 0, &zi);
	out->free_pages = zi.nr_free_pages + zi.pcp_count;
	CHECK(model_check(m, err, sizeof(err)) == 0, "%s", err);
	ret = 0;
cleanup:
	replay_free(r);
	frt_reader_free(rd);
	model_free_all(m);
	return ret;
}

static char path[] = "/tmp/frt-walktimes-XXXXXX";

/* The codec: what the writer put in, the iterator gives back, in absolute terms. */
static void read_times_decode(void)
{
	struct walk_times wt;
	char err[256];

	CHECK(write_trace(path, true) == 0);
	CHECK(walk_times_read(path, "start", &wt, err, sizeof(err)) == 0, "%s", err);
	CHECK(wt.nr == 2, "%zu runs", wt.nr);
	if (wt.nr == 2)
		CHECK(wt.pfn[0] == 0 && wt.ts[0] == 2000 && wt.pfn[1] == 64 && wt.ts[1] == 3000,
		      "runs %" PRIu64 "@%" PRIu64 ", %" PRIu64 "@%" PRIu64, wt.pfn[0], wt.ts[0],
		      wt.pfn[1], wt.ts[1]);
	walk_times_free(&wt);
	CHECK(walk_times_read(path, "end", &wt, err, sizeof(err)) == 0 && wt.nr == 1 &&
	      wt.ts[0] == 5000);
	walk_times_free(&wt);
}

/* events before their page's read time are the snapshot's; after it, the replay's */
static void start_walk_events_reconciled(void)
{
	struct result a = { 0 };

	CHECK(write_trace(path, true) == 0);
	if (replay_file(path, 0, &a))
		return;
	CHECK(a.st.walk_reconciled == 2, "reconciled %" PRIu64 ", want 2 (alloc 0, free 1)",
	      a.st.walk_reconciled);
	CHECK(a.st.unmatched_frees == 0, "unmatched frees %" PRIu64 ": free of pfn 1 replayed",
	      a.st.unmatched_frees);
	CHECK(a.st.unseen_frees == 0, "pfn 0 allocated twice");
	CHECK(a.st.allocs == 1, "allocs %" PRIu64 ", want 1 (pfn 65)", a.st.allocs);
	CHECK(a.st.frees == 3 && a.st.freed_pages == 1, "frees %" PRIu64 ", freed pages %" PRIu64
	      " (want 3 events counted, 1 page replayed: pfn 64)", a.st.frees, a.st.freed_pages);
	CHECK(a.st.walk_end_skipped == 1, "end-walk events left out: %" PRIu64 ", want 1",
	      a.st.walk_end_skipped);
	CHECK(a.free_pages == 510, "free at the end %ld, want 510 (the end snapshot's)",
	      a.free_pages);
}

/*
 * A THP fault the start walk already shows is in /proc/vmstat's window (read
 * before the walk) but never replayed: counted apart, so that validate takes
 * the kernel's THP faults from the trace's replayed tries (fidelity.c)
 */
static void start_walk_thp_counted_apart(void)
{
	struct result a = { 0 }, b = { 0 };

	thp_first = true;
	CHECK(write_trace(path, true) == 0);
	if (!replay_file(path, 0, &a))
		CHECK(a.st.walk_reconciled == 2 && a.st.walk_thp_reflected == 1 &&
		      a.st.recorded.thp_fault_alloc == 0, "reconciled %" PRIu64 ", THP %" PRIu64
		      ", THP replayed %" PRIu64, a.st.walk_reconciled, a.st.walk_thp_reflected,
		      a.st.recorded.thp_fault_alloc);
	CHECK(write_trace(path, false) == 0); /* untimed: the fault is replayed */
	if (!replay_file(path, 0, &b))
		CHECK(b.st.walk_thp_reflected == 0 && b.st.recorded.thp_fault_alloc == 1,
		      "THP %" PRIu64 ", THP replayed %" PRIu64, b.st.walk_thp_reflected,
		      b.st.recorded.thp_fault_alloc);
	thp_first = false;
}

/* the same trace without read times replays every event, as before format 1.2 */
static void untimed_replays_everything(void)
{
	struct result a = { 0 };

	CHECK(write_trace(path, false) == 0);
	if (replay_file(path, 0, &a))
		return;
	CHECK(a.st.walk_reconciled == 0 && a.st.walk_end_skipped == 0);
	CHECK(a.st.unmatched_frees == 1, "unmatched frees %" PRIu64 ", want 1 (pfn 1)",
	      a.st.unmatched_frees);
	CHECK(a.st.allocs == 2, "allocs %" PRIu64 ", want 2", a.st.allocs);
	CHECK(a.free_pages == 511, "free at the end %ld, want 511", a.free_pages);
}

/* start_from_trace takes the first event after the walk read the page */
static void first_touch_after_read_time(void)
{
	struct result timed = { 0 }, untimed = { 0 };

	CHECK(write_trace(path, true) == 0);
	if (replay_file(path, 1, &timed))
		return;
	/* pfn 1's free at 1600 came before the read: the snapshot's F0 stands */
	CHECK(timed.seed.reconciled.to_alloc == 0, "pages seeded allocated against the "
	      "snapshot: %" PRIu64 ", want 0", timed.seed.reconciled.to_alloc);
	CHECK(timed.free_pages == 510, "free at the end %ld, want 510", timed.free_pages);
	CHECK(write_trace(path, false) == 0);
	if (replay_file(path, 2, &untimed))
		return;
	/* without read times the free says pfn 1 was allocated when the trace began */
	CHECK(untimed.seed.reconciled.to_alloc == 1, "untimed: %" PRIu64 " pages seeded "
	      "allocated, want 1 (pfn 1)", untimed.seed.reconciled.to_alloc);
}

/*
 * start_from_trace's default (1, what the trace proves): with read times every
 * first event after the walk read a page is proof, so pfn 65, first allocated
 * with no zone_locked, starts on CPU 0's pcp list; without them only a page
 * taken from the buddy lists would move, and pfn 65 stays as the walk read it.
 */
static void start_from_trace_by_default(void)
{
	struct result timed = { 0 }, untimed = { 0 };

	CHECK(write_trace(path, true) == 0);
	if (replay_file(path, -1, &timed))
		return;
	CHECK(timed.sft == 1, "start_from_trace %d, want the default 1", timed.sft);
	CHECK(timed.seed.reconciled.to_pcp == 1, "timed: %" PRIu64 " pages seeded on a pcp "
	      "list, want 1 (pfn 65)", timed.seed.reconciled.to_pcp);
	CHECK(timed.st.walk_reconciled == 2 && timed.st.unmatched_frees == 0 &&
	      timed.free_pages == 510, "timed, by default: reconciled %" PRIu64 ", unmatched %"
	      PRIu64 ", free %ld", timed.st.walk_reconciled, timed.st.unmatched_frees,
	      timed.free_pages);
	CHECK(write_trace(path, false) == 0);
	if (replay_file(path, -1, &untimed))
		return;
	CHECK(untimed.seed.reconciled.to_pcp == 0 && untimed.seed.reconciled.to_alloc == 0,
	      "untimed, by default: %" PRIu64 " to pcp, %" PRIu64 " to allocated, want 0 "
	      "(only buddy-list takes are proof)", untimed.seed.reconciled.to_pcp,
	      untimed.seed.reconciled.to_alloc);
}

/* malformed read_times: a run that does not move on, or one past the part */
static void read_times_malformed(void)
{
	static const struct { uint64_t gap, dt; const char *why; } bad[] = {
		{ 0, 5, "a second entry with gap 0" },
		{ 512, 5, "an entry at end_pfn" },
	};
	struct frt_snapshot_part p = { .start_pfn = 0, .end_pfn = 512 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct frt_snap_buf t = { 0 };
		struct frt_snapshot_times it;
		uint64_t pfn, ts;
		int ret;

		CHECK(frt_snap_buf_put_time(&t, 0, 10) == 0);
		CHECK(frt_snap_buf_put_time(&t, bad[i].gap, bad[i].dt) == 0);
		p.read_times = t.data;
		p.read_times_len = t.len;
		frt_snapshot_times_init(&it, &p);
		CHECK(frt_snapshot_times_next(&it, &pfn, &ts) == 1);
		ret = frt_snapshot_times_next(&it, &pfn, &ts);
		CHECK(ret == -EBADMSG, "%s: %d", bad[i].why, ret);
		frt_snap_buf_release(&t);
	}
	/* cut in the middle of a varint */
	uint8_t cut[] = { 0x00, 0x80 };
	struct frt_snapshot_times it;
	uint64_t pfn, ts;

	p.read_times = cut;
	p.read_times_len = sizeof(cut);
	frt_snapshot_times_init(&it, &p);
	CHECK(frt_snapshot_times_next(&it, &pfn, &ts) == -EBADMSG, "a truncated entry");
}

/* a trace whose read_times break the rules is refused, naming the part and the section */
static void malformed_read_times_refused(void)
{
	static const uint64_t bad[][2] = { { 0, 10 }, { 0, 5 } }; /* a second run at the same pfn */
	struct replay_seed_stats st;
	char err[512] = "";
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	struct frt_writer *w = fd < 0 ? NULL : frt_writer_new(fd, meta, NULL);

	CHECK(w && put_snapshot(w, "start", 1000, bad, 2) == 0 && frt_writer_close(w) == 0);
	struct frt_reader *r = frt_reader_open(path, err, sizeof(err));
	struct model *m = r ? replay_model_from_trace(r, NULL, &st, err, sizeof(err)) : NULL;

	CHECK(!m, "a malformed read_times section was taken");
	CHECK(strstr(err, "start snapshot part 0: malformed read_times section"), "%s", err);
	model_free_all(m);
	frt_reader_free(r);
}

int main(int argc, char **argv)
{
	int fd;

	/* the fuzz seed (tests/fuzz/corpus/README): the timed trace, stored */
	if (argc == 3 && !strcmp(argv[1], "--write"))
		return write_trace(argv[2], true) ? 1 : 0;
	fd = mkstemp(path);

	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	RUN(read_times_decode);
	RUN(start_walk_events_reconciled);
	RUN(untimed_replays_everything);
	RUN(start_walk_thp_counted_apart);
	RUN(first_touch_after_read_time);
	RUN(start_from_trace_by_default);
	RUN(read_times_malformed);
	RUN(malformed_read_times_refused);
	unlink(path);
	return CHECK_DONE();
}
