// SPDX-License-Identifier: MIT
/*
 * gen_synthetic.c - a SYNTHETIC trace of a large node, for bench_replay.sh
 * to measure replay where no sample reaches (the samples model 25 GiB): a
 * made-up host, not a recording. Nothing in it is a measurement of a kernel.
 *
 * The node: one Normal zone of GIB GiB from pfn 0x100000 (4 GiB), 64 CPUs,
 * pageblock order 9, max order 10, the model's own watermarks and pcp sizes
 * (the metadata leaves them 0). Its start snapshot, pageblock by pageblock
 * from a seeded xorshift64*: FILL permille of the pageblocks allocated, each
 * as one movable order-9 block (a THP) or, one in a hundred, as 512
 * unmovable order-0 pages in an UNMOVABLE pageblock; the rest free, as
 * order-10 blocks where two free pageblocks pair up, else order 9. Parts of
 * about 1 M records, as the recorder writes them (FORMAT.md 8.2).
 *
 * Then EVENTS events, 100 ns apart on random CPUs: a "kernel" that allocates
 * while its live pages are below FILL permille of the node and else frees,
 * so the live memory stays where the snapshot put it. An allocation is order 0 (96%, movable three
 * times in four, else unmovable) at the lowest pfn of a LIFO of the pages it
 * freed, or else the next page of a free pageblock it opens; or order 9 (4%,
 * a THP fault) at a free pageblock. A free is of a random live block,
 * snapshot ones included. Recorded pfns never overlap a live block, so the
 * replay finds every free's block.
 *
 * Usage: gen_synthetic OUT.frt [GIB] [EVENTS] [FILL] [SEED]
 *   defaults: 4096 GiB (4 TiB), 10000000 events, 500 permille, seed 1
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "model.h"
#include "snapshot_codec.h"
#include "trace.h"

#define START_PFN ((uint64_t)0x100000)
#define PB_ORDER 9
#define PB_PAGES ((uint64_t)1 << PB_ORDER)
#define NR_CPUS 64
#define PART_RECORDS (1u << 20)

static uint64_t rng;

static uint64_t rnd(void) /* xorshift64* */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1Dull;
}

struct vec {
	uint64_t *v;
	size_t n, cap;
};

static int push(struct vec *s, uint64_t x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		uint64_t *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = x;
	return 0;
}

/* a live block: pfn << 4 | order */
#define LIVE(pfn, order) ((pfn) << 4 | (order))

static const char *zone_json(uint64_t span)
{
	static char buf[512];

	snprintf(buf, sizeof(buf),
		 "\"nr_cpus\":%d,\"pageblock_order\":%d,\"max_order\":10,\"page_size\":4096,"
		 "\"zones\":[{\"name\":\"Normal\",\"node\":0,\"start_pfn\":%" PRIu64 ",\"spanned\":%" PRIu64
		 ",\"present\":%" PRIu64 ",\"managed\":%" PRIu64 "}]",
		 NR_CPUS, PB_ORDER, START_PFN, span, span, span);
	return buf;
}

/* one part of the start snapshot: records [from, to) pageblocks */
static int put_part(struct frt_writer *w, const struct frt_snap_buf *b, const uint8_t *pbs,
		    uint64_t pb_from, uint64_t pb_to, unsigned int part, unsigned int parts,
		    uint64_t span)
{
	char head[1024];
	uint8_t *payload;
	size_t len;
	int ret;

	snprintf(head, sizeof(head),
		 "{\"kind\":\"start\",\"part\":%u,\"parts\":%u,\"ts\":1,\"source\":\"synthetic\","
		 "\"start_pfn\":%" PRIu64 ",\"end_pfn\":%" PRIu64 ",\"pageblock_order\":%d,"
		 "\"max_order\":10%s%s}",
		 part, parts, START_PFN + pb_from * PB_PAGES, START_PFN + pb_to * PB_PAGES, PB_ORDER,
		 part ? "" : ",", part ? "" : zone_json(span));
	json_t *h = json_loads(head, 0, NULL);
	if (!h)
		return -EINVAL;
	ret = frt_snap_payload(h, b->data, b->len, pbs + pb_from, (size_t)(pb_to - pb_from),
			       &payload, &len);
	json_decref(h);
	if (ret)
		return ret;
	ret = frt_writer_put_frame(w, FRT_FRAME_SNAPSHOT, payload, len);
	free(payload);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 6 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: %s OUT.frt [GIB] [EVENTS] [FILL] [SEED]\n"
			"  a SYNTHETIC trace of a GIB GiB node (default 4096: 4 TiB), EVENTS\n"
			"  events (default 10000000), FILL permille of it allocated at the start\n"
			"  (default 500); see the comment at the top of bench/gen_synthetic.c\n",
			argv[0]);
		return 2;
	}
	uint64_t gib = argc > 2 ? strtoull(argv[2], NULL, 0) : 4096;
	uint64_t events = argc > 3 ? strtoull(argv[3], NULL, 0) : 10000000;
	uint64_t fill = argc > 4 ? strtoull(argv[4], NULL, 0) : 500;
	rng = (argc > 5 ? strtoull(argv[5], NULL, 0) : 1) * 0x9E3779B97F4A7C15ull | 1;
	uint64_t span = gib << 18, npb = span >> PB_ORDER;
	if (!gib || gib > (1ull << 16) || fill > 1000) {
		fprintf(stderr, "%s: GIB must be 1..65536 and FILL 0..1000\n", argv[0]);
		return 2;
	}

	uint8_t *pbs = malloc(npb), *kind = malloc(npb); /* kind: 0 free, 1 THP, 2 order-0 */
	struct vec live = { 0 }, free_pbs = { 0 }, free_pages = { 0 };
	if (!pbs || !kind) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		return 1;
	}
	for (uint64_t i = 0; i < npb; i++) {
		kind[i] = rnd() % 1000 < fill ? (rnd() % 100 ? 1 : 2) : 0;
		pbs[i] = kind[i] == 2 ? MODEL_MT_UNMOVABLE : MODEL_MT_MOVABLE;
	}

	char meta[1024];
	snprintf(meta, sizeof(meta),
		 "{\"format\":\"fragreplay-trace\",\"created_by\":\"bench/gen_synthetic "
		 "(SYNTHETIC: a made-up %" PRIu64 " GiB node, not a recording)\",%s}",
		 gib, zone_json(span));
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	struct frt_writer *w = fd < 0 ? NULL : frt_writer_new(fd, meta, NULL);
	if (!w) {
		fprintf(stderr, "%s: %s: %s\n", argv[0], argv[1], strerror(errno));
		return 1;
	}

	/* the start snapshot; parts counted first, so that each says how many */
	unsigned int parts = 0;
	for (int pass = 0; pass < 2; pass++) {
		struct frt_snap_buf b = { 0 };
		uint64_t gap = 0, from = 0, records = 0;
		unsigned int part = 0;
		int ret = 0;

		for (uint64_t i = 0; i < npb && !ret; i++) {
			uint64_t pfn = START_PFN + i * PB_PAGES;

			if (kind[i] == 0 && !(i & 1) && i + 1 < npb && kind[i + 1] == 0) {
				ret = pass ? frt_snap_buf_put_block(&b, gap, 0, MODEL_MT_MOVABLE, 10) : 0;
				if (pass && !ret)
					ret = push(&free_pbs, i) || push(&free_pbs, i + 1);
				gap = 0;
				records++;
				i++;
			} else if (kind[i] != 2) {
				ret = pass ? frt_snap_buf_put_block(&b, gap, kind[i] ? 1 : 0,
								    MODEL_MT_MOVABLE, PB_ORDER) : 0;
				if (pass && !ret)
					ret = kind[i] ? push(&live, LIVE(pfn, PB_ORDER)) : push(&free_pbs, i);
				gap = 0;
				records++;
			} else {
				for (uint64_t p = 0; p < PB_PAGES && !ret; p++) {
					ret = pass ? frt_snap_buf_put_block(&b, gap, 1, MODEL_MT_UNMOVABLE,
									    0) : 0;
					if (pass && !ret)
						ret = push(&live, LIVE(pfn + p, 0));
					gap = 0;
				}
				records += PB_PAGES;
			}
			if (records >= PART_RECORDS || i + 1 >= npb) {
				if (pass) {
					ret = ret ? ret : put_part(w, &b, pbs, from, i + 1, part, parts,
								   span);
					b.len = 0;
				}
				part++;
				from = i + 1;
				records = 0;
			}
		}
		frt_snap_buf_release(&b);
		if (ret) {
			fprintf(stderr, "%s: writing the snapshot: %s\n", argv[0], strerror(-ret));
			frt_writer_abort(w);
			return 1;
		}
		parts = part;
	}

	/* the events */
	uint64_t open_pb = UINT64_MAX, open_next = 0, ts = 1000, live_pages = 0;
	for (size_t k = 0; k < live.n; k++)
		live_pages += 1ull << (live.v[k] & 15);
	int ret = 0;
	for (uint64_t n = 0; n < events && !ret; n++) {
		struct frt_event e = { .ts = ts += 100, .cpu = (uint32_t)(rnd() % NR_CPUS) };

		if (live_pages * 1000 >= fill * span && live.n) {
			size_t k = (size_t)(rnd() % live.n);
			uint64_t b = live.v[k];
			live.v[k] = live.v[--live.n];
			e.type = FRT_EV_PAGE_FREE;
			e.free.pfn = b >> 4;
			e.free.order = b & 15;
			live_pages -= 1ull << e.free.order;
			if (e.free.order == PB_ORDER)
				ret = push(&free_pbs, (e.free.pfn - START_PFN) >> PB_ORDER);
			else
				ret = push(&free_pages, e.free.pfn);
		} else {
			bool thp = rnd() % 100 < 4;
			uint64_t pfn;

			e.type = FRT_EV_PAGE_ALLOC;
			if (thp) {
				if (!free_pbs.n)
					continue;
				pfn = START_PFN + free_pbs.v[--free_pbs.n] * PB_PAGES;
				e.alloc.order = PB_ORDER;
				e.alloc.gfp_flags = MODEL_GFP_HIGHUSER_MOVABLE | MODEL_GFP_COMP;
			} else {
				if (free_pages.n) {
					pfn = free_pages.v[--free_pages.n];
				} else {
					if (open_pb == UINT64_MAX || open_next == PB_PAGES) {
						if (!free_pbs.n)
							continue;
						open_pb = free_pbs.v[--free_pbs.n];
						open_next = 0;
					}
					pfn = START_PFN + open_pb * PB_PAGES + open_next++;
				}
				e.alloc.order = 0;
				e.alloc.gfp_flags = rnd() % 4 ? MODEL_GFP_HIGHUSER_MOVABLE
							      : MODEL_GFP_KERNEL;
			}
			e.alloc.pfn = pfn;
			e.alloc.migratetype = model_gfp_migratetype((uint32_t)e.alloc.gfp_flags);
			ret = push(&live, LIVE(pfn, e.alloc.order));
			live_pages += 1ull << e.alloc.order;
		}
		if (!ret)
			ret = frt_writer_add(w, &e);
	}
	int cret = frt_writer_close(w);
	if (ret || cret) {
		fprintf(stderr, "%s: %s: %s\n", argv[0], argv[1], strerror(-(ret ? ret : cret)));
		return 1;
	}
	free(pbs);
	free(kind);
	free(live.v);
	free(free_pbs.v);
	free(free_pages.v);
	return 0;
}
