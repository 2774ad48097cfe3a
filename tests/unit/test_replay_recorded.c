/* SPDX-License-Identifier: MIT */
/*
 * test_replay_recorded - what `fragreplay diff` reads from a trace
 * (replay/recorded.c) on a trace written by hand, where the answer is known:
 *
 *  - mm_page_alloc_extfrag in the defrag_mode series' words: claimer
 *    (change_ownership), pollute (no change, fallback_order > alloc_order),
 *    steal (no change, fallback_order = alloc_order), by (allocation,
 *    fallback) type; a type beyond the pcp ones counts in the totals only;
 *  - pcp refills are mm_page_alloc_zone_locked with percpu_refill only;
 *  - vmstat rows are the deltas between the snapshots' /proc/vmstat copies,
 *    allocstall summed over the zones;
 *  - the end state from the end snapshot's walk (no pagetypeinfo copy):
 *    mixed pageblocks hold an allocation whose mobility differs from the
 *    block's type, tainted ones an unmovable or reclaimable allocation, as
 *    core/metrics.c counts the model's; the lower bound of mixed leaves out
 *    unmovable order-0 pages, which is how the walk writes pcp pages;
 *  - a group's mean and min..max over the traces that know a row.
 *
 * One zone, Normal, pfns 0-2047, four pageblocks (order 9). End snapshot:
 *
 *   pb  0 unmovable    1 movable               2 movable    3 reclaimable
 *      |U9 allocated |M8 U0 free 1..7 orders |F9 free    |M3 free 3..8 orders|
 *       not mixed      mixed (U0, order 0)     free         mixed (M3)
 *       tainted        tainted
 *
 * free pages: 255 + 512 + 504 = 1271; free pageblocks: 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "recorded.h"
#include "snapshot.h"
#include "snapshot_codec.h"
#include "trace.h"

static char tmpdir[] = "/tmp/test_replay_recorded.XXXXXX";

#define ZONES                                                                             \
	"[{\"node\":0,\"name\":\"Normal\",\"start_pfn\":0,\"spanned\":2048,\"present\":2048,"  \
	"\"managed\":2048,\"wmark_min\":1,\"wmark_low\":1,\"wmark_high\":1,"                 \
	"\"lowmem_reserve\":[0,0,0,0,0],\"pcp_high\":0,\"pcp_batch\":1}]"

static const char meta[] =
	"{\"format\":\"fragreplay-trace\",\"created_by\":\"test_replay_recorded\","
	"\"page_size\":4096,\"pageblock_order\":9,\"max_order\":10,\"nr_cpus\":1,"
	"\"clock\":\"CLOCK_MONOTONIC\",\"sysctls\":{\"defrag_mode\":1},"
	"\"zones\":" ZONES "}";

static int put_snapshot(struct frt_writer *w, bool end)
{
	static const uint8_t pb[4] = { FRT_MT_UNMOVABLE, FRT_MT_MOVABLE, FRT_MT_MOVABLE,
				       FRT_MT_RECLAIMABLE };
	struct frt_snap_buf b = { 0 };
	uint8_t *payload = NULL;
	size_t len;
	int ret = 0;

	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 9); /* 0 */
	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_MOVABLE, 8);   /* 512 */
	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 0); /* 768 */
	for (unsigned int o = 0; o <= 7; o++)                                          /* 769.. */
		ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_FREE, FRT_MT_MOVABLE, (uint8_t)o);
	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_FREE, FRT_MT_MOVABLE, 9);         /* 1024 */
	ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_ALLOCATED, FRT_MOB_MOVABLE, 3);   /* 1536 */
	for (unsigned int o = 3; o <= 8; o++)                                          /* 1544.. */
		ret |= frt_snap_buf_put_block(&b, 0, FRT_SNAP_FREE, FRT_MT_RECLAIMABLE,
					      (uint8_t)o);
	json_t *h = json_pack("{s:s,s:i,s:i,s:I,s:s,s:i,s:i,s:i,s:i,s:[]}", "kind",
			      end ? "end" : "start", "part", 0, "parts", 1, "ts",
			      (json_int_t)(end ? 9000 : 1000), "source", "bpf-struct-page",
			      "start_pfn", 0, "end_pfn", 2048, "pageblock_order", 9, "max_order",
			      10, "inferred");
	json_object_set_new(h, "zones", json_loads(ZONES, 0, NULL));
	json_object_set_new(h, "procfs", json_pack("{s:s}", "vmstat", end
		? "thp_fault_alloc 13\ncompact_stall 5\nallocstall_normal 4\nallocstall_movable 2\n"
		: "thp_fault_alloc 10\ncompact_stall 5\nallocstall_normal 1\nallocstall_movable 0\n"));
	if (!ret && h)
		ret = frt_snap_payload(h, b.data, b.len, pb, sizeof(pb), &payload, &len);
	if (!ret)
		ret = frt_writer_put_frame(w, FRT_FRAME_SNAPSHOT, payload, len);
	json_decref(h);
	free(payload);
	frt_snap_buf_release(&b);
	return ret;
}

static int put_extfrag(struct frt_writer *w, uint64_t ts, int ao, int fo, int a, int f, int own)
{
	struct frt_event e = { .ts = ts, .type = FRT_EV_PAGE_ALLOC_EXTFRAG };

	e.extfrag.pfn = 1024;
	e.extfrag.alloc_order = ao;
	e.extfrag.fallback_order = fo;
	e.extfrag.alloc_migratetype = a;
	e.extfrag.fallback_migratetype = f;
	e.extfrag.change_ownership = own;
	return frt_writer_add(w, &e);
}

static int put(struct frt_writer *w, uint64_t ts, unsigned int type, uint64_t f0, uint64_t f1,
	       uint64_t f2, uint64_t f3)
{
	struct frt_event e = { .ts = ts, .type = (uint16_t)type };

	e.f[0] = f0;
	e.f[1] = f1;
	e.f[2] = f2;
	e.f[3] = f3;
	return frt_writer_add(w, &e);
}

static int write_trace(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	struct frt_writer *w = fd < 0 ? NULL : frt_writer_new(fd, meta, NULL);
	int ret;

	if (!w)
		return -errno;
	ret = put_snapshot(w, false);
	ret = ret ?: put_extfrag(w, 2000, 0, 9, 0, 1, 1); /* claimer unmovable */
	ret = ret ?: put_extfrag(w, 2100, 0, 3, 1, 2, 0); /* pollute movable <- reclaimable */
	ret = ret ?: put_extfrag(w, 2200, 0, 0, 1, 0, 0); /* steal movable <- unmovable */
	ret = ret ?: put_extfrag(w, 2300, 2, 2, 2, 1, 0); /* steal reclaimable <- movable */
	ret = ret ?: put_extfrag(w, 2400, 0, 1, 3, 1, 0); /* pollute, highatomic: totals only */
	ret = ret ?: put(w, 3000, FRT_EV_PAGE_ALLOC, 1536, 2, 0, 1);          /* 4 pages */
	ret = ret ?: put(w, 3100, FRT_EV_PAGE_ALLOC, FRT_PFN_NONE, 9, 0, 1);  /* failed */
	ret = ret ?: put(w, 3200, FRT_EV_PAGE_ALLOC_ZONE_LOCKED, 1540, 0, 1, 1); /* refill */
	ret = ret ?: put(w, 3300, FRT_EV_PAGE_ALLOC_ZONE_LOCKED, 1541, 0, 1, 0); /* no refill */
	ret = ret ?: put(w, 3400, FRT_EV_PAGE_PCPU_DRAIN, 1542, 0, 1, 0);
	ret = ret ?: put(w, 3500, FRT_EV_COMPACTION_BEGIN, 0, 0, 2047, 2048);
	ret = ret ?: frt_writer_flush(w);
	ret = ret ?: put_snapshot(w, true);
	int cret = frt_writer_close(w);
	return ret ? ret : cret;
}

static int64_t row(const struct recorded *r, const char *key)
{
	long i = recorded_row_find(key);

	CHECK(i >= 0, "no row %s", key);
	if (i < 0)
		return -1;
	CHECK(r->known[i], "row %s unknown", key);
	return r->value[i];
}

static void words_and_end_state(void)
{
	char path[256], err[600];
	struct recorded r;

	snprintf(path, sizeof(path), "%s/hand.frt", tmpdir);
	CHECK(write_trace(path) == 0);
	CHECK(recorded_read(path, &r, err, sizeof(err)) == 0, "%s", err);
	CHECK(r.damage[0] == 0 && r.defrag_mode == 1);
	CHECK(row(&r, "extfrag") == 5);
	CHECK(row(&r, "claimer") == 1 && row(&r, "claimer:unmovable") == 1);
	CHECK(row(&r, "pollute") == 2 && row(&r, "pollute:movable<-reclaimable") == 1);
	CHECK(row(&r, "steal") == 2 && row(&r, "steal:movable<-unmovable") == 1 &&
	      row(&r, "steal:reclaimable<-movable") == 1);
	CHECK(row(&r, "pollute+steal") == 4);
	CHECK(row(&r, "pollute:unmovable<-movable") == 0);
	CHECK(row(&r, "allocs") == 1 && row(&r, "alloc_pages") == 4 && row(&r, "alloc_failed") == 1);
	CHECK(row(&r, "pcp_refills") == 1 && row(&r, "pcp_drains") == 1);
	CHECK(row(&r, "compaction_runs") == 1);
	CHECK(row(&r, "thp_fault_alloc") == 3 && row(&r, "compact_stall") == 0);
	CHECK(row(&r, "allocstall") == 5, "%lld", (long long)row(&r, "allocstall"));
	/* a counter neither vmstat copy has is unknown, not 0 */
	CHECK(!r.known[recorded_row_find("thp_fault_fallback")]);
	CHECK(row(&r, "free_pages") == 1271, "%lld", (long long)row(&r, "free_pages"));
	CHECK(row(&r, "free_pageblocks") == 1);
	CHECK(row(&r, "free_blocks_order_0") == 1 && row(&r, "free_blocks_order_3") == 2 &&
	      row(&r, "free_blocks_order_9") == 1 && row(&r, "free_blocks_order_10") == 0);
	CHECK(row(&r, "pageblocks_unmovable") == 1 && row(&r, "pageblocks_movable") == 2 &&
	      row(&r, "pageblocks_reclaimable") == 1);
	CHECK(row(&r, "mixed_pageblocks") == 2, "%lld", (long long)row(&r, "mixed_pageblocks"));
	CHECK(row(&r, "tainted_pageblocks") == 2);
	/* the lower bound leaves out pb 1, mixed only by an unmovable order-0 page
	 * (what a pcp page looks like in a walk) */
	CHECK(row(&r, "mixed_pageblocks_min") == 1);
	/* a snapshot whose header has no totals says nothing of frozen pages */
	CHECK(!r.known[recorded_row_find("frozen_pages")]);
	CHECK(row(&r, "events") == 11 && row(&r, "duration_ms") == 0);
	recorded_free(&r);
}

/* a trace that stops before its end snapshot: events known, end state not */
static void truncated(void)
{
	char path[256], cut[256], err[600];
	struct recorded r;
	FILE *in, *out;
	char buf[4096];
	size_t n, total = 0, keep;

	snprintf(path, sizeof(path), "%s/hand.frt", tmpdir);
	snprintf(cut, sizeof(cut), "%s/cut.frt", tmpdir);
	CHECK(write_trace(path) == 0);
	in = fopen(path, "rb");
	out = fopen(cut, "wb");
	CHECK(in && out);
	if (!in || !out)
		return;
	fseek(in, 0, SEEK_END);
	keep = (size_t)ftell(in) * 2 / 3; /* inside the end snapshot or the trailer */
	fseek(in, 0, SEEK_SET);
	while (total < keep && (n = fread(buf, 1, sizeof(buf) < keep - total ? sizeof(buf)
						  : keep - total, in)) > 0) {
		fwrite(buf, 1, n, out);
		total += n;
	}
	fclose(in);
	fclose(out);
	CHECK(recorded_read(cut, &r, err, sizeof(err)) == 0, "%s", err);
	CHECK(r.damage[0] != 0);
	CHECK(!r.known[recorded_row_find("mixed_pageblocks")]);
	CHECK(!r.known[recorded_row_find("thp_fault_alloc")]);
	recorded_free(&r);
}

static void group_stats(void)
{
	long i = recorded_row_find("compact_stall");
	struct recorded runs[3];
	struct recorded_stat st;
	const int64_t v[3] = { 7, 0, 20 };

	for (int k = 0; k < 3; k++) {
		runs[k].value = calloc(recorded_nr_rows(), sizeof(int64_t));
		runs[k].known = calloc(recorded_nr_rows(), sizeof(bool));
		runs[k].value[i] = v[k];
		runs[k].known[i] = true;
	}
	recorded_stat(runs, 3, (size_t)i, &st);
	CHECK(st.n == 3 && st.min == 0 && st.max == 20, "%zu %lld %lld", st.n,
	      (long long)st.min, (long long)st.max);
	CHECK(st.mean > 8.999 && st.mean < 9.001, "%f", st.mean);
	runs[2].known[i] = false; /* a trace that cannot say is left out, not taken as 0 */
	recorded_stat(runs, 3, (size_t)i, &st);
	CHECK(st.n == 2 && st.min == 0 && st.max == 7 && st.mean == 3.5);
	runs[0].known[i] = runs[1].known[i] = false;
	recorded_stat(runs, 3, (size_t)i, &st);
	CHECK(st.n == 0);
	for (int k = 0; k < 3; k++)
		recorded_free(&runs[k]);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	RUN(words_and_end_state);
	RUN(truncated);
	RUN(group_stats);
	char p[300];
	snprintf(p, sizeof(p), "%s/hand.frt", tmpdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/cut.frt", tmpdir);
	unlink(p);
	rmdir(tmpdir);
	return CHECK_DONE();
}
