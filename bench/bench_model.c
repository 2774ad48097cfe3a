// SPDX-License-Identifier: MIT
/*
 * bench_model.c - the allocator model's request rate on a node shaped like the
 * development machine (24 GiB: DMA, DMA32, Normal; 2 CPUs; default knobs,
 * pcp sizes computed), one core. Prints figures; no pass/fail.
 *
 * All memory is onlined and filled to 60% with the steady mix, then each run
 * times OPS operations of that mix: order 0 ~90%, 1-3 ~8%, 9 ~2%; movable
 * ~70%, unmovable 20%, reclaimable 10%; either CPU; a request when the live
 * pages are below 60%, else the free of a random live block. The trace clock
 * advances 1 us per operation, so decay_pcp_high() runs once per 1M ops.
 * Medians of 5 runs on the same model, which carries on from run to run.
 * Compaction may move live blocks (MODEL_EV_MIGRATE): the bench re-keys them
 * by a linear search, which is cheap only while migrations are rare; it
 * prints how many there were.
 *
 * Usage: bench_model [OPS] [SEED]   (OPS default 20000000)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "bench_node.h"

#define RUNS 5
#define FILL_PERMILLE 600

struct bench {
	struct model *m;
	uint64_t rng, now_ns;
	uint64_t *live; /* pfn << 8 | order */
	size_t nr_live, cap;
	uint64_t live_pages, target;
	uint64_t failed_frees, migrations;
};

/* xorshift64*, as the unit tests use */
static uint64_t rnd(struct bench *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 2685821657736338717ull;
}

/* compaction moved a live block: find it and re-key it */
static void on_event(void *ctx, const struct model_event *ev)
{
	struct bench *b = ctx;

	if (ev->type == MODEL_EV_SPLIT) { /* migrate_split: order-0 blocks in its place */
		for (size_t i = 0; i < b->nr_live; i++)
			if (b->live[i] >> 8 == ev->pfn) {
				b->live[i] = ev->pfn << 8;
				for (uint64_t k = 1; k < 1ull << ev->order && b->nr_live < b->cap; k++)
					b->live[b->nr_live++] = (ev->pfn + k) << 8;
				return;
			}
		return;
	}
	if (ev->type != MODEL_EV_MIGRATE)
		return;
	b->migrations++;
	for (size_t i = 0; i < b->nr_live; i++)
		if (b->live[i] >> 8 == ev->pfn) {
			b->live[i] = ev->new_pfn << 8 | (b->live[i] & 0xff);
			return;
		}
}

static void do_alloc(struct bench *b)
{
	uint64_t r = rnd(b);
	unsigned int pick = (unsigned int)(r % 1000), order;
	uint32_t gfp;

	if (pick < 900)
		order = 0;
	else if (pick < 980)
		order = 1 + (unsigned int)(r >> 10) % 3;
	else
		order = 9;
	pick = (unsigned int)((r >> 20) % 10);
	if (pick < 7)
		gfp = MODEL_GFP_HIGHUSER_MOVABLE;
	else if (pick < 9)
		gfp = MODEL_GFP_KERNEL;
	else
		gfp = MODEL_GFP_KERNEL | MODEL_GFP_RECLAIMABLE;

	struct model_req req = { .order = order, .gfp = gfp, .cpu = (unsigned int)(r >> 30) & 1 };
	uint64_t pfn = model_alloc(b->m, &req);
	if (pfn == MODEL_PFN_NONE || b->nr_live == b->cap)
		return;
	b->live[b->nr_live++] = pfn << 8 | order;
	b->live_pages += 1ull << order;
}

static void do_free(struct bench *b)
{
	uint64_t r = rnd(b);
	size_t i = (size_t)(r % b->nr_live);
	uint64_t e = b->live[i];

	b->failed_frees += model_free(b->m, e >> 8, e & 0xff, (unsigned int)(r >> 40) & 1) != 0;
	b->live_pages -= 1ull << (e & 0xff);
	b->live[i] = b->live[--b->nr_live];
}

/* one operation of the steady mix */
static inline void step(struct bench *b)
{
	b->now_ns += 1000;
	model_set_time(b->m, b->now_ns);
	if (b->live_pages < b->target || !b->nr_live)
		do_alloc(b);
	else
		do_free(b);
}

int main(int argc, char **argv)
{
	uint64_t ops = argc > 1 ? strtoull(argv[1], NULL, 0) : 20000000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed2026;
	struct bench b = { .rng = seed ? seed : 1 };
	uint64_t onlined, before[MODEL_NR_COUNTERS];
	double t[RUNS];

	if (!ops) {
		fprintf(stderr, "usage: bench_model [OPS] [SEED]\n");
		return 2;
	}
	b.m = bench_node(true, &onlined);
	if (!b.m) {
		fprintf(stderr, "bench_model: cannot build the model\n");
		return 1;
	}
	model_set_event_fn(b.m, on_event, &b);
	b.target = onlined * FILL_PERMILLE / 1000;
	b.cap = b.target + 1024; /* requests stop at the target: at most one block past it */
	b.live = malloc(b.cap * sizeof(*b.live));
	if (!b.live) {
		fprintf(stderr, "bench_model: out of memory\n");
		return 1;
	}
	printf("model: 24 GiB node, 3 zones, 2 CPUs, %" PRIu64 " pages onlined; seed %#" PRIx64
	       "\n", onlined, seed);
	printf("model memory: %zu bytes, %.2f bytes per pfn spanned (%.2f per page onlined)\n",
	       model_memory_bytes(b.m), (double)model_memory_bytes(b.m) / (double)(BENCH_NODE_END - BENCH_NODE_START),
	       (double)model_memory_bytes(b.m) / (double)onlined);

	double t0 = now();
	while (b.live_pages < b.target)
		do_alloc(&b);
	printf("prefill: %zu blocks, %" PRIu64 " pages (%.0f%%) in %.2f s\n", b.nr_live,
	       b.live_pages, 100.0 * (double)b.live_pages / (double)onlined, now() - t0);

	for (int c = 0; c < MODEL_NR_COUNTERS; c++)
		before[c] = model_counter(b.m, (enum model_counter)c);
	b.migrations = 0;
	for (int run = 0; run < RUNS; run++) {
		t0 = now();
		for (uint64_t i = 0; i < ops; i++)
			step(&b);
		t[run] = now() - t0;
	}
	double med = median(t, RUNS);
	printf("steady mix: %" PRIu64 " ops x %d runs: median %.2f M ops/s (min %.2f, max %.2f), "
	       "%.1f ns/op\n", ops, RUNS, ops / med / 1e6, ops / t[RUNS - 1] / 1e6,
	       ops / t[0] / 1e6, med / (double)ops * 1e9);
	printf("end: %zu blocks live, %" PRIu64 " pages (%.1f%%)\n", b.nr_live, b.live_pages,
	       100.0 * (double)b.live_pages / (double)onlined);

	static const enum model_counter shown[] = {
		MODEL_ALLOC_REQUESTS, MODEL_ALLOC_FAIL, MODEL_ALLOC_SLOWPATH, MODEL_PGFREE,
		MODEL_EXTFRAG_CLAIM, MODEL_EXTFRAG_STEAL, MODEL_EXTFRAG_FRAGMENTING,
		MODEL_PCP_REFILL_PAGES, MODEL_PCP_DRAIN_PAGES, MODEL_WMARK_BOOSTS,
		MODEL_HIGHATOMIC_RESERVE, MODEL_PGALLOC_DMA, MODEL_PGALLOC_DMA32,
		MODEL_PGALLOC_NORMAL, MODEL_COMPACT_STALL, MODEL_COMPACT_DAEMON_WAKE,
		MODEL_COMPACT_PROACTIVE, MODEL_PGMIGRATE_SUCCESS,
	};
	printf("counters over the timed runs:\n");
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		printf("  %-28s %14" PRIu64 "\n", model_counter_name(shown[i]),
		       model_counter(b.m, shown[i]) - before[shown[i]]);
	printf("  %-28s %14" PRIu64 "\n", "migrations re-keyed", b.migrations);
	if (b.failed_frees)
		printf("  frees the model refused: %" PRIu64 "\n", b.failed_frees);
	free(b.live);
	model_free_all(b.m);
	return b.failed_frees ? 1 : 0;
}
