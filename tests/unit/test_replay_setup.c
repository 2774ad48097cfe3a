/* SPDX-License-Identifier: MIT */
/*
 * test_replay_setup - a model built from each real sample's metadata and
 * start snapshot holds together and holds what the snapshot says.
 *
 * Usage: test_replay_setup TRACE.frt...
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "metrics.h"
#include "setup.h"
#include "variant.h"
#include "trace.h"

static const char *trace_path;

/* totals of the start snapshot's part 0 header, read separately from setup.c */
static json_t *start_totals(const char *path)
{
	char err[256];
	struct frt_reader *r = frt_reader_open(path, err, sizeof(err));
	struct frt_frame_info fi;
	json_t *totals = NULL;

	while (r && !totals && frt_reader_next_frame(r, &fi) > 0) {
		if (fi.type != FRT_FRAME_SNAPSHOT)
			continue;
		json_t *h = json_loads(frt_reader_frame_payload(r, NULL), JSON_DISABLE_EOF_CHECK,
				       NULL);
		if (!strcmp(json_string_value(json_object_get(h, "kind")) ?: "", "start") &&
		    json_integer_value(json_object_get(h, "part")) == 0)
			totals = json_incref(json_object_get(h, "totals"));
		json_decref(h);
	}
	frt_reader_free(r);
	return totals;
}

static void model_from_sample(void)
{
	char err[512];
	struct replay_seed_stats st;
	struct frt_reader *r = frt_reader_open(trace_path, err, sizeof(err));

	CHECK(r, "%s", err);
	if (!r)
		return;
	/* the snapshot as it is: no correction from the trace (firsttouch.h) */
	struct replay_variant v = { .as_recorded = true };
	CHECK(replay_variant_set(&v, "start_from_trace=0", err, sizeof(err)) == 0, "%s", err);
	struct model *m = replay_model_from_trace(r, &v, &st, err, sizeof(err));
	CHECK(m, "%s: %s", trace_path, err);
	frt_reader_free(r);
	if (!m)
		return;
	printf("  %s: %u part(s), free %" PRIu64 ", allocated %" PRIu64 ", unmanaged %" PRIu64
	       ", relisted %" PRIu64 ", merged %" PRIu64 ", model %zu MiB\n",
	       trace_path, st.parts, st.free_pages, st.allocated_pages, st.unmanaged_pages,
	       st.relisted_blocks, st.merged_blocks, model_memory_bytes(m) >> 20);

	/* the whole structure is consistent: lists, counters, merged buddies */
	CHECK(model_check(m, err, sizeof(err)) == 0, "%s", err);

	/* what was seeded is what the snapshot counted */
	json_t *totals = start_totals(trace_path);
	CHECK(totals, "no start snapshot totals");
	CHECK(st.free_pages == (uint64_t)json_integer_value(json_object_get(totals, "free_pages")),
	      "free %" PRIu64, st.free_pages);
	json_t *alloc = json_object_get(totals, "allocated_pages");
	for (int mob = 0; mob < MODEL_NR_PCPTYPES; mob++)
		CHECK(st.allocated_mob[mob] ==
			      (uint64_t)json_integer_value(json_array_get(alloc, (size_t)mob)),
		      "mobility %d: %" PRIu64, mob, st.allocated_mob[mob]);

	/* by default the pages the trace first takes from the buddy lists move
	 * from allocated to free, and nothing else moves */
	struct replay_seed_stats dst;
	struct frt_reader *r2 = frt_reader_open(trace_path, err, sizeof(err));
	struct model *dm = r2 ? replay_model_from_trace(r2, NULL, &dst, err, sizeof(err)) : NULL;
	frt_reader_free(r2);
	CHECK(dm, "%s: %s", trace_path, err);
	if (dm) {
		CHECK(dst.free_pages == st.free_pages + dst.reconciled.to_free &&
		      dst.allocated_pages == st.allocated_pages - dst.reconciled.to_free &&
		      !dst.reconciled.to_pcp && !dst.reconciled.to_alloc,
		      "default: free %" PRIu64 " allocated %" PRIu64 " to_free %" PRIu64,
		      dst.free_pages, dst.allocated_pages, dst.reconciled.to_free);
		CHECK(model_check(dm, err, sizeof(err)) == 0, "%s", err);
		model_free_all(dm);
	}
	json_decref(totals);

	/* the model's free memory is the seeded free memory, all on buddy lists */
	struct model_frag_metrics fm;
	CHECK(model_metrics(m, -1, &fm) == 0);
	CHECK(fm.free_pages == st.free_pages, "metrics free %" PRIu64, fm.free_pages);
	CHECK(fm.pcp_pages == 0);
	long nr_free = 0;
	for (unsigned int z = 0; z < model_nr_zones(m); z++) {
		struct model_zone_info zi;
		model_zone_info(m, z, &zi);
		nr_free += zi.nr_free_pages;
	}
	CHECK((uint64_t)nr_free == st.free_pages, "NR_FREE_PAGES %ld", nr_free);
	model_free_all(m);
}

/* a trace with zones in its metadata and events, but no start snapshot: the
 * model starts empty, every pfn of the zones free, and says so */
static void no_start_snapshot_starts_empty(void)
{
	static const char meta[] =
		"{\"format\":\"fragreplay-trace\",\"nr_cpus\":2,\"pageblock_order\":9,"
		"\"max_order\":10,\"zones\":[{\"name\":\"DMA32\",\"node\":0,"
		"\"start_pfn\":4096,\"spanned\":4096,\"present\":4096,\"managed\":4096,"
		"\"wmark_min\":10,\"wmark_low\":12,\"wmark_high\":14,\"pcp_batch\":1,"
		"\"pcp_high\":0}]}";
	char path[] = "/tmp/test_replay_setup.XXXXXX", err[512];
	int fd = mkstemp(path);
	struct frt_writer *w = fd >= 0 ? frt_writer_new(fd, meta, NULL) : NULL;
	struct frt_event ev = { .ts = 1, .type = FRT_EV_PAGE_ALLOC };

	CHECK(w);
	if (!w)
		return;
	ev.alloc.pfn = 4096;
	CHECK(frt_writer_add(w, &ev) == 0);
	CHECK(frt_writer_close(w) == 0);

	struct replay_seed_stats st;
	struct frt_reader *r = frt_reader_open(path, err, sizeof(err));
	CHECK(r, "%s", err);
	struct model *m = r ? replay_model_from_trace(r, NULL, &st, err, sizeof(err)) : NULL;
	CHECK(m, "%s", err);
	if (m) {
		struct model_zone_info zi;
		char cerr[256];

		CHECK(st.empty_start);
		CHECK(st.snapshot_ts == 0 && st.allocated_pages == 0);
		CHECK(model_zone_info(m, 0, &zi) == 0);
		CHECK(zi.nr_free_pages == 4096 && st.free_pages == 4096,
		      "free %ld seeded %" PRIu64, zi.nr_free_pages, st.free_pages);
		CHECK(model_check(m, cerr, sizeof(cerr)) == 0, "%s", cerr);
	}
	model_free_all(m);
	frt_reader_free(r);
	unlink(path);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		trace_path = argv[i];
		RUN(model_from_sample);
	}
	RUN(no_start_snapshot_starts_empty);
	return CHECK_DONE();
}
