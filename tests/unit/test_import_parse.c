// SPDX-License-Identifier: MIT
/*
 * test_import.c - the importer's pieces (traces/import.c, gfp_parse.c):
 * gfp strings round-trip through frt_gfp_format() for every string of the
 * real fixtures, hex masks and unknown names; symbolic and derived fields;
 * failed allocations; each tool's way of writing the task; the reordering
 * window's order and its late events.
 *
 * Usage: test_import FIXTURE.txt...
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "import.h"

static char **fixtures;
static int nr_fixtures;

static void roundtrip(const char *s, size_t len)
{
	char back[512];
	uint64_t m;

	CHECK(!frt_gfp_parse(s, len, &m, NULL, NULL), "%.*s", (int)len, s);
	frt_gfp_format(back, sizeof(back), m);
	CHECK(strlen(back) == len && !memcmp(back, s, len), "%.*s -> %#llx -> %s", (int)len, s,
	      (unsigned long long)m, back);
}

/* every gfp_flags= and gfp_mask= value of the fixtures */
static void test_gfp_fixtures(void)
{
	int seen = 0;

	for (int i = 0; i < nr_fixtures; i++) {
		FILE *f = fopen(fixtures[i], "r");
		char line[4096];

		CHECK(f, "%s", fixtures[i]);
		while (f && fgets(line, sizeof(line), f)) {
			char *p = strstr(line, "gfp_flags=");

			if (!p && (p = strstr(line, "gfp_mask=")))
				p--;
			if (!p)
				continue;
			p += strlen("gfp_flags=");
			roundtrip(p, strcspn(p, " \n"));
			seen++;
		}
		if (f)
			fclose(f);
	}
	CHECK(seen > 50, "only %d gfp strings in the fixtures", seen);
}

static int unknown_count;
static void on_unknown(void *ctx, const char *name, size_t len)
{
	CHECK(len == 12 && !memcmp(name, "__GFP_FUTURE", 12));
	unknown_count++;
}

static void test_gfp_forms(void)
{
	uint64_t m;

	roundtrip("none", 4);
	roundtrip("GFP_KERNEL|__GFP_COMP", 21);
	roundtrip("GFP_TRANSHUGE", 13);
	roundtrip("GFP_NOWAIT|0x4000000", 20); /* a bit with no name stays hex */
	CHECK(!frt_gfp_parse("0x152cc0", 8, &m, NULL, NULL) && m == 0x152cc0);
	CHECK(!frt_gfp_parse("GFP_KERNEL|0x400000", 19, &m, NULL, NULL) && m == 0x400cc0);
	CHECK(!frt_gfp_parse("GFP_KERNEL|__GFP_FUTURE", 23, &m, on_unknown, NULL) && m == 0xcc0);
	CHECK(unknown_count == 1);
	CHECK(frt_gfp_parse("GFP_KERNEL||__GFP_COMP", 22, &m, NULL, NULL) == -EBADMSG);
	CHECK(frt_gfp_parse("0xzz", 4, &m, NULL, NULL) == -EBADMSG);
}

static enum frt_line_kind parse(const char *s, struct frt_event *ev)
{
	struct frt_line line;

	return frt_import_parse_line(s, ev, &line);
}

static void test_fields(void)
{
	struct frt_event ev;

	CHECK(parse("  sh 1 [003] 5.000001: compaction:mm_compaction_end: zone_start=0x1 "
		    "migrate_pfn=0xe00 free_pfn=0xe00 zone_end=0x1000, mode=sync status=complete",
		    &ev) == FRT_LINE_EVENT);
	CHECK(ev.type == FRT_EV_COMPACTION_END && ev.cpu == 3 && ev.ts == 5000001000ull);
	CHECK(ev.compaction.zone_end == 0x1000 && ev.compaction.sync == 1 &&
	      ev.compaction.status == 5);
	CHECK(parse("kcompactd0-35 [000] ..... 1.5: mm_compaction_deferred: node=0 zone=Normal   "
		    "order=9 order_failed=9 consider=3 limit=64", &ev) == FRT_LINE_EVENT);
	CHECK(ev.defer.idx == 2 && ev.defer.defer_shift == 6 && ev.defer.considered == 3 &&
	      ev.defer.order_failed == 9 && ev.ts == 1500000000ull);
	CHECK(parse("x-1 [001] 2.000000001: mm_compaction_isolate_freepages: range=(0x63fe00 ~ "
		    "0x640000) nr_scanned=512 nr_taken=0", &ev) == FRT_LINE_EVENT);
	CHECK(ev.isolate.start_pfn == 0x63fe00 && ev.isolate.end_pfn == 0x640000 &&
	      ev.isolate.nr_scanned == 512 && ev.ts == 2000000001ull);
	/* a failed request: page NULL, pfn printed 0 */
	CHECK(parse("a-1 [000] 1.0: mm_page_alloc: page=(null) pfn=0x0 order=9 migratetype=1 "
		    "gfp_flags=GFP_TRANSHUGE", &ev) == FRT_LINE_EVENT);
	CHECK(ev.alloc.pfn == FRT_PFN_NONE && ev.alloc.order == 9);
	CHECK(parse("a-1 [000] 1.0: mm_compaction_finished: node=0 zone=DMA order=-1 ret=continue",
		    &ev) == FRT_LINE_EVENT && ev.suitable.order == -1 && ev.suitable.ret == 4);
	CHECK(parse("a-1 [000] 1.0: mm_page_free: page=0x1 pfn=0x1", &ev) == FRT_LINE_BAD);
	CHECK(parse("a-1 [000] 1.0: kmalloc: call_site=x", &ev) == FRT_LINE_OTHER);
	CHECK(parse("# tracer: nop", &ev) == FRT_LINE_NOISE);
	CHECK(parse("CPU:1 [EVENTS DROPPED]", &ev) == FRT_LINE_LOST);
}

static bool task_is(const struct frt_event *ev, int32_t pid, int32_t tgid, const char *comm)
{
	char want[FRT_COMM_LEN] = { 0 };

	memcpy(want, comm, strlen(comm) < FRT_COMM_LEN ? strlen(comm) : FRT_COMM_LEN);
	return ev->has_task && ev->pid == pid && ev->tgid == tgid &&
	       !memcmp(ev->comm, want, FRT_COMM_LEN);
}

/* perf script's "comm tid" and "comm pid/tid", ftrace's "comm-pid" and record-tgid's "(tgid)" */
static void test_tasks(void)
{
	static const char *const rest = "5.000001: kmem:mm_page_free: page=0x1 pfn=0x1 order=0";
	char line[256];
	struct frt_event ev;

	snprintf(line, sizeof(line), "  stress-ng-vm 2113 [001] %s", rest);
	CHECK(parse(line, &ev) == FRT_LINE_EVENT && task_is(&ev, 2113, -1, "stress-ng-vm"));
	snprintf(line, sizeof(line), "  Web Content 2111/2113 [001] %s", rest);
	CHECK(parse(line, &ev) == FRT_LINE_EVENT && task_is(&ev, 2113, 2111, "Web Content"),
	      "pid %d tgid %d comm %.16s", ev.pid, ev.tgid, ev.comm);
	CHECK(parse("  kworker/u8:3-5001 [000] d..1. 1.0: mm_page_free: page=0x1 pfn=0x1 order=0",
		    &ev) == FRT_LINE_EVENT && task_is(&ev, 5001, -1, "kworker/u8:3"));
	CHECK(parse("  stress-ng-vm-2113 (   2111) [000] 1.0: mm_page_free: pfn=0x1 order=0",
		    &ev) == FRT_LINE_EVENT && task_is(&ev, 2113, 2111, "stress-ng-vm"));
	CHECK(parse("  <idle>-0 (-------) [000] 1.0: mm_page_free: pfn=0x1 order=0",
		    &ev) == FRT_LINE_EVENT && task_is(&ev, 0, -1, "<idle>"));
	/* ftrace lost the name of the pid: the task is known, its name is not */
	CHECK(parse("  <...>-77 [000] 1.0: mm_page_free: pfn=0x1 order=0",
		    &ev) == FRT_LINE_EVENT && task_is(&ev, 77, -1, ""));
	/* no task before the CPU: the event reads, its task is unknown */
	CHECK(parse("[000] 1.0: mm_page_free: pfn=0x1 order=0", &ev) == FRT_LINE_EVENT &&
	      !ev.has_task && ev.pid == -1);
	CHECK(parse("  sh x [000] 1.0: kmem:mm_page_free: pfn=0x1 order=0", &ev) ==
	      FRT_LINE_EVENT && !ev.has_task);
}

static uint64_t out_ts[8];
static int nr_out;
static int collect(void *ctx, const struct frt_event *ev)
{
	if (nr_out < 8)
		out_ts[nr_out] = ev->ts;
	nr_out++;
	return 0;
}

/* CPU 1's events arrive after CPU 0's: merged; one beyond the window is late */
static void test_window(void)
{
	struct frt_import_opts o = { .fmt = FRT_IMPORT_FTRACE, .window_ns = 1000000 };
	struct frt_importer *im = frt_importer_new(&o, collect, NULL);
	const char *lines[] = {
		"a-1 [000] 1.000000: mm_page_free: page=0x1 pfn=0x1 order=0",
		"a-1 [000] 1.000300: mm_page_free: page=0x1 pfn=0x2 order=0",
		"a-1 [001] 1.000100: mm_page_free: page=0x1 pfn=0x3 order=0",
		"a-1 [000] 1.005000: mm_page_free: page=0x1 pfn=0x4 order=0",
		"a-1 [001] 1.000200: mm_page_free: page=0x1 pfn=0x5 order=0", /* 4.8 ms late */
	};

	for (int i = 0; i < 5; i++)
		CHECK(!frt_importer_line(im, lines[i], (uint64_t)i + 1));
	CHECK(!frt_importer_finish(im));
	CHECK(nr_out == 5);
	CHECK(out_ts[0] == 1000000000 && out_ts[1] == 1000100000 && out_ts[2] == 1000300000);
	CHECK(out_ts[3] == 1000300000, "late event raised to the last written time");
	CHECK(frt_importer_stats(im)->late == 1);
	/* the wrong format is refused */
	CHECK(frt_importer_line(im, "p 1 [000] 2.0: kmem:mm_page_free: page=0x1 pfn=0x1 order=0",
				9) == -EPROTO);
	frt_importer_free(im);
}

int main(int argc, char **argv)
{
	fixtures = argv + 1;
	nr_fixtures = argc - 1;
	RUN(test_gfp_fixtures);
	RUN(test_gfp_forms);
	RUN(test_fields);
	RUN(test_tasks);
	RUN(test_window);
	return CHECK_DONE();
}
