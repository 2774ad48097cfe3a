/* SPDX-License-Identifier: MIT */
/*
 * bench_compaction - what compaction costs the model, on a 24 GiB node shaped
 * like the development machine (DMA, DMA32, Normal; 2 CPUs).
 *
 *  1. Direct compaction of a fragmented node: one movable page left in every
 *     16, a few pageblocks pinned by unmovable pages; then order-9 movable
 *     requests (THP faults) until one fails. Prints pages scanned per second
 *     and the time per compaction stall.
 *  2. Replay-style throughput: a steady alloc/free mix at 85% occupancy with 2%
 *     order-9 movable requests whose blocks are later half freed page by page
 *     (partly unmapped THPs), so free memory fragments and THP faults need
 *     compaction; compaction on against compaction off, run side by side,
 *     median of 5 runs each; the ratio is the figure.
 *
 * Usage: bench_compaction [OPS] [SEED]. Figures, no pass/fail.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "bench_node.h"


struct live {
	uint64_t *pfn;
	uint8_t *order;
	uint32_t *slot_of; /* pfn - BENCH_NODE_START -> slot + 1 */
	size_t n, cap;
};

static void live_add(struct live *l, uint64_t pfn, unsigned int order)
{
	l->pfn[l->n] = pfn;
	l->order[l->n] = (uint8_t)order;
	l->slot_of[pfn - BENCH_NODE_START] = (uint32_t)++l->n;
}

static void live_del(struct live *l, size_t k)
{
	l->slot_of[l->pfn[k] - BENCH_NODE_START] = 0;
	l->n--;
	if (k != l->n) {
		l->pfn[k] = l->pfn[l->n];
		l->order[k] = l->order[l->n];
		l->slot_of[l->pfn[k] - BENCH_NODE_START] = (uint32_t)k + 1;
	}
}

/* compaction moved a block: re-key it, as the replay does */
static void on_event(void *ctx, const struct model_event *ev)
{
	struct live *l = ctx;

	if (ev->type == MODEL_EV_SPLIT) { /* migrate_split: order-0 blocks in its place */
		uint32_t s = l->slot_of[ev->pfn - BENCH_NODE_START];
		if (!s || l->order[s - 1] != ev->order) {
			fprintf(stderr, "split of an unknown block at %#" PRIx64 "\n", ev->pfn);
			exit(1);
		}
		l->order[s - 1] = 0;
		for (uint64_t k = 1; k < 1ull << ev->order; k++)
			live_add(l, ev->pfn + k, 0);
		return;
	}
	if (ev->type != MODEL_EV_MIGRATE)
		return;
	uint32_t s = l->slot_of[ev->pfn - BENCH_NODE_START];
	if (!s) {
		fprintf(stderr, "migration of an unknown block at %#" PRIx64 "\n", ev->pfn);
		exit(1);
	}
	l->slot_of[ev->pfn - BENCH_NODE_START] = 0;
	l->pfn[s - 1] = ev->new_pfn;
	l->slot_of[ev->new_pfn - BENCH_NODE_START] = s;
}

static struct model *node_24g(bool compaction, struct live *l, uint64_t *onlined)
{
	struct model *m = bench_node(compaction, onlined);

	if (!m) {
		perror("bench_compaction: model");
		exit(1);
	}
	l->n = 0;
	model_set_event_fn(m, on_event, l);
	return m;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static const uint32_t movable = MODEL_GFP_HIGHUSER_MOVABLE;

static void direct_compaction(struct live *l)
{
	uint64_t onlined;
	struct model *m = node_24g(true, l, &onlined);
	struct model_req r = { .order = 0, .gfp = movable };
	uint64_t pfn;

	/* fill everything with movable pages, then keep one in 16 (and an
	 * unmovable one in every 32nd pageblock) */
	while ((pfn = model_alloc(m, &r)) != MODEL_PFN_NONE)
		live_add(l, pfn, 0);
	for (size_t k = l->n; k-- > 0;) {
		uint64_t p = l->pfn[k];
		if (p % 16 && !(p % 512 == 7 && (p >> 9) % 32 == 0)) {
			model_free(m, p, 0, 0);
			live_del(l, k);
		}
	}
	model_drain_all(m);
	for (size_t k = 0; k < l->n; k++) /* make the pinning pages unmovable */
		if (l->pfn[k] % 512 == 7)
			model_seed_pageblock(m, l->pfn[k], MODEL_MT_UNMOVABLE);

	uint64_t scanned0 = model_counter(m, MODEL_COMPACT_MIGRATE_SCANNED) +
			    model_counter(m, MODEL_COMPACT_FREE_SCANNED);
	uint64_t stalls0 = model_counter(m, MODEL_COMPACT_STALL);
	struct model_req thp = { .order = 9, .gfp = movable };
	unsigned int got = 0;
	double t0 = now();
	while (got < 4000 && (pfn = model_alloc(m, &thp)) != MODEL_PFN_NONE) {
		live_add(l, pfn, 9);
		got++;
	}
	double t = now() - t0;
	uint64_t scanned = model_counter(m, MODEL_COMPACT_MIGRATE_SCANNED) +
			   model_counter(m, MODEL_COMPACT_FREE_SCANNED) - scanned0;
	uint64_t stalls = model_counter(m, MODEL_COMPACT_STALL) - stalls0;
	printf("direct compaction, fragmented 24 GiB node (1 movable page in 16 left):\n");
	printf("  %u order-9 requests satisfied in %.3f s, %" PRIu64 " compaction stalls, "
	       "%" PRIu64 " pages migrated\n",
	       got, t, stalls, model_counter(m, MODEL_PGMIGRATE_SUCCESS));
	printf("  %" PRIu64 " pages scanned: %.1f M pages scanned/s, %.1f us per stall\n", scanned,
	       (double)scanned / t / 1e6, stalls ? t / (double)stalls * 1e6 : 0.0);
	model_free_all(m);
}

/* the steady mix: occupancy kept near 85%, 2% order-9 movable requests */
static double steady(struct live *l, bool compaction, uint64_t ops, uint64_t seed,
		     uint64_t *stalls)
{
	uint64_t onlined;
	struct model *m = node_24g(compaction, l, &onlined);
	const uint64_t target = onlined * 85 / 100;
	uint64_t used = 0, s = seed, t_ns = 0, stalls0, scanned0;
	static const uint32_t gfps[] = { MODEL_GFP_HIGHUSER_MOVABLE, MODEL_GFP_KERNEL,
					 MODEL_GFP_KERNEL | MODEL_GFP_RECLAIMABLE };

	/* prefill, untimed: memory full of single pages, then 15% freed at random,
	 * so free memory starts out scattered */
	for (uint64_t i = 0;; i++) {
		struct model_req r = { .order = 0, .gfp = gfps[rnd(&s) % 10 < 7 ? 0 : 1 + rnd(&s) % 2],
				       .cpu = (unsigned int)(i & 1) };
		uint64_t pfn = model_alloc(m, &r);
		if (pfn == MODEL_PFN_NONE)
			break;
		live_add(l, pfn, 0);
		used++;
	}
	while (used > target) {
		size_t k = rnd(&s) % l->n;
		model_free(m, l->pfn[k], 0, 0);
		live_del(l, k);
		used--;
	}
	stalls0 = model_counter(m, MODEL_COMPACT_STALL);
	scanned0 = model_counter(m, MODEL_COMPACT_MIGRATE_SCANNED);
	double t0 = now();
	for (uint64_t i = 0; i < ops; i++) {
		if (!(i & 1023))
			model_set_time(m, t_ns += 1000000); /* 1 ms of trace per 1024 ops */
		if (used < target || !l->n) {
			uint64_t x = rnd(&s) % 100;
			unsigned int order = x < 2 ? 9 : x < 10 ? 1 + (unsigned int)(x % 3) : 0;
			struct model_req r = { .order = order,
					       .gfp = order == 9 ? movable : gfps[rnd(&s) % 10 < 7 ? 0 : 1 + rnd(&s) % 2],
					       .cpu = (unsigned int)(i & 1) };
			uint64_t pfn = model_alloc(m, &r);
			if (pfn != MODEL_PFN_NONE) {
				live_add(l, pfn, order);
				used += 1ull << order;
			}
		} else {
			size_t k = rnd(&s) % l->n;
			if (l->order[k] == 9) {
				/* a THP partly unmapped: its first half freed page by page, the
				 * rest stays as single pages (split_page), so it fragments */
				uint64_t head = l->pfn[k];
				live_del(l, k);
				for (uint64_t p = head; p < head + 512; p++) {
					if (p < head + 256) {
						model_free(m, p, 0, (unsigned int)(i & 1));
						used--;
					} else {
						live_add(l, p, 0);
					}
				}
				continue;
			}
			used -= 1ull << l->order[k];
			model_free(m, l->pfn[k], l->order[k], (unsigned int)(i & 1));
			live_del(l, k);
		}
	}
	double t = now() - t0;
	*stalls = model_counter(m, MODEL_COMPACT_STALL) - stalls0;
	if (getenv("BENCH_VERBOSE"))
		fprintf(stderr, "  timed: %" PRIu64 " stalls, %" PRIu64 " migrate-scanned\n", *stalls,
			model_counter(m, MODEL_COMPACT_MIGRATE_SCANNED) - scanned0);
	if (getenv("BENCH_VERBOSE"))
		for (int c = 0; c < MODEL_NR_COUNTERS; c++)
			if (model_counter(m, (enum model_counter)c))
				fprintf(stderr, "  %-32s %" PRIu64 "\n", model_counter_name((enum model_counter)c),
					model_counter(m, (enum model_counter)c));
	model_free_all(m);
	return (double)ops / t;
}

int main(int argc, char **argv)
{
	uint64_t ops = argc > 1 ? strtoull(argv[1], NULL, 0) : 5000000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed2026;
	struct live l = {
		.pfn = malloc(BENCH_NODE_END * sizeof(uint64_t)),
		.order = malloc(BENCH_NODE_END),
		.slot_of = calloc(BENCH_NODE_END, sizeof(uint32_t)),
	};

	printf("bench_compaction: seed %#" PRIx64 ", %" PRIu64 " ops per steady run\n", seed, ops);
	direct_compaction(&l);

	double on[5], off[5];
	uint64_t stalls_on = 0, stalls_off = 0; /* in the last run of each */
	for (int i = 0; i < 5; i++) { /* side by side: on, off, on, off, ... */
		on[i] = steady(&l, true, ops, seed + (uint64_t)i, &stalls_on);
		off[i] = steady(&l, false, ops, seed + (uint64_t)i, &stalls_off);
	}
	double on_med = median(on, 5), off_med = median(off, 5); /* sorted now */
	printf("steady mix at 85%% full, 2%% order-9 movable requests, THPs half freed later "
	       "(median of 5):\n");
	printf("  compaction on:  %.2f M ops/s (min %.2f, max %.2f), %" PRIu64
	       " stalls in the last run\n", on_med / 1e6, on[0] / 1e6, on[4] / 1e6, stalls_on);
	printf("  compaction off: %.2f M ops/s (min %.2f, max %.2f), %" PRIu64
	       " stalls in the last run\n", off_med / 1e6, off[0] / 1e6, off[4] / 1e6, stalls_off);
	printf("  cost of compaction: %.2fx the compaction-free model's time per op\n",
	       off_med / on_med);
	return 0;
}
