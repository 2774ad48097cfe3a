// SPDX-License-Identifier: MIT
/*
 * test_snapshot_format.c - the pure pieces of snapshots, without root:
 * SNAPSHOT payload encoding and its damage, the builder, the kpageflags
 * decoder, the pagetypeinfo parser, and the pageblock fit on a hand-made
 * zone whose right answer is known.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "snapshot_internal.h"

#define KPF_BIT(n) (1ull << (n))
enum { K_SLAB = 7, K_BUDDY = 10, K_ANON = 12, K_HEAD = 15, K_TAIL = 16, K_NOPAGE = 20,
       K_PGTABLE = 26, K_RESERVED = 32, K_LRU = 5 };

/* ---- payload bytes ---- */

struct rec {
	uint64_t pfn;
	uint8_t state, cls, order;
};

static const struct rec recs[] = {
	{ 0x100000, FRT_SNAP_RESERVED, 0, 0 },
	{ 0x100001, FRT_SNAP_ALLOCATED, FRT_MOB_MOVABLE, 0 },
	{ 0x100400, FRT_SNAP_FREE, FRT_MT_MOVABLE, 10 },      /* gap 0x3fe: a 2-byte varint */
	{ 0x140000, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 18 }, /* 1 GiB */
	{ 0x180000, FRT_SNAP_FREE, FRT_MT_ISOLATE, 0 },
};

/* header + records + one pageblock byte per 512 pfns of [0x100000, 0x180200) */
static uint8_t *make_payload(size_t *len, uint8_t **pbs_out, size_t *nr_pb)
{
	struct frt_snap_buf b = { 0 };
	json_t *h = json_pack("{s:s, s:i, s:i, s:I, s:I, s:i}", "kind", "start", "part", 0,
			      "parts", 1, "start_pfn", (json_int_t)0x100000, "end_pfn",
			      (json_int_t)0x180200, "pageblock_order", 9);
	uint64_t prev = 0x100000;
	uint8_t *pbs, *out = NULL;

	*nr_pb = (0x180200 - 0x100000) >> 9;
	pbs = malloc(*nr_pb);
	for (size_t i = 0; i < *nr_pb; i++)
		pbs[i] = (uint8_t)(i % 3 == 0 ? FRT_MT_UNMOVABLE | FRT_PB_INFERRED :
				   i % 3 == 1 ? FRT_MT_MOVABLE : FRT_PB_NONE);
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		CHECK(frt_snap_buf_put_block(&b, recs[i].pfn - prev, recs[i].state, recs[i].cls,
					     recs[i].order) == 0);
		prev = recs[i].pfn + (1ull << recs[i].order);
	}
	CHECK(frt_snap_payload(h, b.data, b.len, pbs, *nr_pb, &out, len) == 0);
	json_decref(h);
	frt_snap_buf_release(&b);
	*pbs_out = pbs;
	return out;
}

static void test_payload_round_trip(void)
{
	struct frt_snapshot_part p;
	struct frt_snapshot_block blk;
	struct frt_snapshot_iter it;
	size_t len, nr_pb, n = 0;
	uint8_t *pbs, *pl = make_payload(&len, &pbs, &nr_pb);
	char err[128];
	int ret;

	CHECK(frt_snapshot_parse(pl, len, &p, err, sizeof(err)) == 0, "%s", err);
	CHECK(p.start_pfn == 0x100000 && p.end_pfn == 0x180200 && p.pageblock_order == 9);
	CHECK(strstr(p.header, "\"kind\":\"start\"") && strstr(p.header, "\"sections\""));
	CHECK(p.nr_pageblocks == nr_pb && !memcmp(p.pageblocks, pbs, nr_pb));
	/* gaps 0, 0, 0x3fe (a 2-byte varint), 0x3f800 (3 bytes), 0; then 3 bytes each */
	CHECK(p.blocks_len == 4 + 4 + 5 + 6 + 4, "blocks %zu bytes", p.blocks_len);
	frt_snapshot_iter_init(&it, &p);
	while ((ret = frt_snapshot_iter_next(&it, &blk)) > 0 && n < 5) {
		CHECK(blk.pfn == recs[n].pfn && blk.state == recs[n].state &&
		      blk.cls == recs[n].cls && blk.order == recs[n].order, "record %zu", n);
		n++;
	}
	CHECK(ret == 0 && n == 5, "ret %d n %zu", ret, n);
	free(pbs);
	free(pl);
}

static void test_payload_damage(void)
{
	struct frt_snapshot_part p;
	struct frt_snapshot_block blk;
	struct frt_snapshot_iter it;
	size_t len, nr_pb, hlen;
	uint8_t *pbs, *pl = make_payload(&len, &pbs, &nr_pb), *bad;
	int ret;

	hlen = strlen((char *)pl);
	CHECK(frt_snapshot_parse(pl, hlen, &p, NULL, 0) == -EBADMSG, "no 0x00");
	CHECK(frt_snapshot_parse("[1]\0", 4, &p, NULL, 0) == -EBADMSG, "not an object");
	CHECK(frt_snapshot_parse("{\"kind\":\"start\"}\0", 17, &p, NULL, 0) == -EBADMSG,
	      "no range, no sections");
	/* a payload cut anywhere does not parse (the sections no longer fit) */
	for (size_t cut = 0; cut < len; cut++)
		CHECK(frt_snapshot_parse(pl, cut, &p, NULL, 0) == -EBADMSG, "cut at %zu", cut);
	/* blocks cut anywhere: the records before the cut, then -EBADMSG inside a record */
	CHECK(frt_snapshot_parse(pl, len, &p, NULL, 0) == 0);
	for (size_t cut = 0; cut < p.blocks_len; cut++) {
		struct frt_snapshot_part q = p;
		static const size_t ends[] = { 0, 4, 8, 13, 19 };
		bool at_end = false;
		size_t n = 0;

		q.blocks_len = cut;
		frt_snapshot_iter_init(&it, &q);
		while ((ret = frt_snapshot_iter_next(&it, &blk)) > 0)
			n++;
		for (size_t k = 0; k < 5; k++)
			at_end |= cut == ends[k];
		CHECK(ret == (at_end ? 0 : -EBADMSG) && n <= 4, "blocks cut at %zu: %d", cut, ret);
	}
	/* a section pointing past the end */
	bad = malloc(len + 64);
	memcpy(bad, pl, len);
	CHECK(frt_snapshot_parse(bad, len - 1, &p, NULL, 0) == -EBADMSG, "pageblocks short");
	/* a record of a state that does not exist, then one running past end_pfn */
	CHECK(frt_snapshot_parse(pl, len, &p, NULL, 0) == 0);
	((uint8_t *)p.blocks)[1] = 3;
	frt_snapshot_iter_init(&it, &p);
	CHECK(frt_snapshot_iter_next(&it, &blk) == -EBADMSG, "state 3");
	((uint8_t *)p.blocks)[1] = FRT_SNAP_FREE;
	((uint8_t *)p.blocks)[2] = FRT_MT_NR;
	frt_snapshot_iter_init(&it, &p);
	CHECK(frt_snapshot_iter_next(&it, &blk) == -EBADMSG, "free-list type 6");
	((uint8_t *)p.blocks)[2] = 0;
	((uint8_t *)p.blocks)[3] = 30; /* 2^30 pfns from 0x100000: past end_pfn */
	frt_snapshot_iter_init(&it, &p);
	CHECK(frt_snapshot_iter_next(&it, &blk) == -EBADMSG, "past end_pfn");
	free(bad);
	free(pbs);
	free(pl);
}

/* The worked example of FORMAT.md §8.2, byte for byte. */
static void test_format_example(void)
{
	static const char header[] =
		"{\"kind\":\"end\",\"part\":1,\"parts\":2,\"ts\":5000000000,"
		"\"source\":\"bpf-struct-page\",\"start_pfn\":1048576,\"end_pfn\":1049600,"
		"\"pageblock_order\":9,\"max_order\":10,\"counts\":{\"free_pages\":512,"
		"\"allocated_pages\":[4,1,128],\"reserved_pages\":1,\"frozen_pages\":0,"
		"\"torn_pages\":0,\"uninitialized_pages\":0,\"hole_pages\":0},"
		"\"inferred\":[\"pageblock_migratetype\"],\"sections\":[{\"name\":\"blocks\","
		"\"offset\":0,\"length\":21},{\"name\":\"pageblocks\",\"offset\":21,"
		"\"length\":2}]}";
	static const uint8_t body[] = {
		0x00, 0x00, 0x01, 0x09, 0x00, 0x01, 0x01, 0x00, 0x03, 0x01, 0x00, 0x02,
		0xf8, 0x01, 0x01, 0x02, 0x07, 0x7f, 0x02, 0x00, 0x00, 0x01, 0x81,
	};
	static const struct rec want[] = {
		{ 0x100000, FRT_SNAP_FREE, FRT_MT_MOVABLE, 9 },
		{ 0x100200, FRT_SNAP_ALLOCATED, FRT_MOB_MOVABLE, 0 },
		{ 0x100204, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 2 },
		{ 0x100300, FRT_SNAP_ALLOCATED, FRT_MOB_RECLAIMABLE, 7 },
		{ 0x1003ff, FRT_SNAP_RESERVED, 0, 0 },
	};
	uint8_t pl[sizeof(header) + sizeof(body)];
	struct frt_snapshot_part p;
	struct frt_snapshot_block blk;
	struct frt_snapshot_iter it;
	size_t n = 0;

	CHECK(sizeof(header) - 1 == 431 && sizeof(pl) == 455);
	memcpy(pl, header, sizeof(header)); /* with its NUL */
	memcpy(pl + sizeof(header), body, sizeof(body));
	CHECK(frt_snapshot_parse(pl, sizeof(pl), &p, NULL, 0) == 0);
	CHECK(p.nr_pageblocks == 2 && p.pageblocks[0] == FRT_MT_MOVABLE &&
	      p.pageblocks[1] == (FRT_MT_MOVABLE | FRT_PB_INFERRED));
	frt_snapshot_iter_init(&it, &p);
	while (frt_snapshot_iter_next(&it, &blk) > 0 && n < 5) {
		CHECK(blk.pfn == want[n].pfn && blk.state == want[n].state &&
		      blk.cls == want[n].cls && blk.order == want[n].order, "record %zu", n);
		n++;
	}
	CHECK(n == 5 && it.p == it.end);
}

/*
 * frt_snapshot_iter_repeats() and _skip(): a run of single pages read as
 * one, stopping where a record differs (class, gap, order) and at @max,
 * and the records after it read as frt_snapshot_iter_next() reads them.
 *
 *   pfn 0x1000..0x1006  7 x allocated movable, order 0     (a run of 7)
 *   pfn 0x1007          allocated unmovable, order 0        (class differs)
 *   pfn 0x1009          allocated unmovable, order 0        (gap 1)
 *   pfn 0x100a..0x100b  allocated unmovable, order 0        (repeats 0x1009)
 *   pfn 0x100c          allocated unmovable, order 2        (order differs)
 */
static void test_iter_repeats(void)
{
	static const struct rec want[] = {
		{ 0x1000, FRT_SNAP_ALLOCATED, FRT_MOB_MOVABLE, 0 },
		{ 0x1001, FRT_SNAP_ALLOCATED, FRT_MOB_MOVABLE, 0 },
		{ 0x1002, FRT_SNAP_ALLOCATED, FRT_MOB_MOVABLE, 0 },
		{ 0x1003, FRT_SNAP_ALLOCATED, FRT_MOB_MOVABLE, 0 },
		{ 0x1004, FRT_SNAP_ALLOCATED, FRT_MOB_MOVABLE, 0 },
		{ 0x1005, FRT_SNAP_ALLOCATED, FRT_MOB_MOVABLE, 0 },
		{ 0x1006, FRT_SNAP_ALLOCATED, FRT_MOB_MOVABLE, 0 },
		{ 0x1007, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 0 },
		{ 0x1009, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 0 },
		{ 0x100a, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 0 },
		{ 0x100b, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 0 },
		{ 0x100c, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 2 },
	};
	struct frt_snap_buf b = { 0 };
	struct frt_snapshot_part p = { .start_pfn = 0x1000, .end_pfn = 0x1010 };
	struct frt_snapshot_block blk;
	struct frt_snapshot_iter it;
	uint64_t prev = 0x1000;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK(frt_snap_buf_put_block(&b, want[i].pfn - prev, want[i].state, want[i].cls,
					     want[i].order) == 0);
		prev = want[i].pfn + (1ull << want[i].order);
	}
	p.blocks = b.data;
	p.blocks_len = b.len;

	frt_snapshot_iter_init(&it, &p);
	CHECK(frt_snapshot_iter_next(&it, &blk) == 1 && blk.pfn == 0x1000);
	CHECK(frt_snapshot_iter_repeats(&it, &blk, 100) == 6, "the run's other 6");
	CHECK(frt_snapshot_iter_repeats(&it, &blk, 4) == 4, "at most max");
	frt_snapshot_iter_skip(&it, 4);
	CHECK(frt_snapshot_iter_next(&it, &blk) == 1 && blk.pfn == 0x1005);
	CHECK(frt_snapshot_iter_repeats(&it, &blk, 100) == 1);
	frt_snapshot_iter_skip(&it, 1);
	CHECK(frt_snapshot_iter_next(&it, &blk) == 1 && blk.pfn == 0x1007 &&
	      blk.cls == FRT_MOB_UNMOVABLE);
	CHECK(frt_snapshot_iter_repeats(&it, &blk, 100) == 0, "gap 1 is no repeat");
	CHECK(frt_snapshot_iter_next(&it, &blk) == 1 && blk.pfn == 0x1009);
	CHECK(frt_snapshot_iter_repeats(&it, &blk, 100) == 2, "order 2 is no repeat");
	frt_snapshot_iter_skip(&it, 2);
	CHECK(frt_snapshot_iter_next(&it, &blk) == 1 && blk.pfn == 0x100c && blk.order == 2);
	CHECK(frt_snapshot_iter_repeats(&it, &blk, 100) == 0, "an order-2 block has none");
	CHECK(frt_snapshot_iter_next(&it, &blk) == 0 && it.p == it.end);
	frt_snap_buf_release(&b);
}

/* ---- builder ---- */

static void set(uint8_t *kind, uint8_t *aux, size_t i, unsigned int k, unsigned int order,
		unsigned int mt1)
{
	kind[i] = (uint8_t)k;
	aux[i] = FRT_AUX(order, mt1);
}

/*
 * pfn    0    64       128        256-259          512        1024           2048
 *        R |hole| free o6 |movable o7| U Z T Rc |uninit| mov o9 | free o10 .......| free o0
 *        <---------------- pageblock 0 ---------------><- pb 1 -><- pb 2 -><- pb 3 -><pb 4>
 * fed as [0, 1536), [1536, 2048) (inside the free block), [2048, 3072)
 */
static void test_builder(void)
{
	static uint8_t kind[1536], aux[1536];
	struct frt_snap_builder b;
	struct frt_snapshot_part part = { 0 };
	struct frt_snapshot_block blk;
	struct frt_snapshot_iter it;
	static const struct rec want[] = {
		{ 0, FRT_SNAP_RESERVED, 0, 0 },
		{ 64, FRT_SNAP_FREE, FRT_MT_MOVABLE, 6 },
		{ 128, FRT_SNAP_ALLOCATED, FRT_MOB_MOVABLE, 7 },
		{ 256, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 0 },
		{ 257, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 0 }, /* frozen */
		{ 258, FRT_SNAP_ALLOCATED, FRT_MOB_UNMOVABLE, 0 }, /* torn tail */
		{ 259, FRT_SNAP_ALLOCATED, FRT_MOB_RECLAIMABLE, 0 },
		{ 512, FRT_SNAP_ALLOCATED, FRT_MOB_MOVABLE, 9 },
		{ 1024, FRT_SNAP_FREE, FRT_MT_UNMOVABLE, 10 },     /* typed by the fit */
	};
	const struct frt_snap_counts *c;
	size_t n = 0;

	CHECK(frt_snap_builder_init(&b, 0, 4096, 9, 1) == 0);
	memset(kind, FRT_PFN_HOLE, sizeof(kind));
	memset(aux, 0, sizeof(aux));
	set(kind, aux, 0, FRT_PFN_RESERVED, 0, 0);
	set(kind, aux, 64, FRT_PFN_FREE, 6, FRT_MT_MOVABLE + 1);
	set(kind, aux, 128, FRT_PFN_MOVABLE, 7, 0);
	set(kind, aux, 256, FRT_PFN_UNMOVABLE, 0, 0);
	set(kind, aux, 257, FRT_PFN_FROZEN, 0, 0);
	set(kind, aux, 258, FRT_PFN_TAIL, 0, 0);
	set(kind, aux, 259, FRT_PFN_RECLAIMABLE, 0, 0);
	memset(kind + 260, FRT_PFN_UNINIT, 252);
	set(kind, aux, 512, FRT_PFN_MOVABLE, 9, 0);
	set(kind, aux, 1024, FRT_PFN_FREE, 10, 0);
	kind[1100] = FRT_PFN_MOVABLE; /* covered by the free block: must be ignored */
	CHECK(frt_snap_builder_feed(&b, 0, 1536, kind, aux, NULL) == 0);
	memset(kind, FRT_PFN_MOVABLE, sizeof(kind));
	CHECK(frt_snap_builder_feed(&b, 1536, 512, kind, aux, NULL) == 0);
	CHECK(b.nr_parts == 1, "no cut inside a block: %zu parts", b.nr_parts);
	memset(kind, FRT_PFN_HOLE, sizeof(kind));
	set(kind, aux, 0, FRT_PFN_FREE, 0, FRT_MT_RECLAIMABLE + 1);
	CHECK(frt_snap_builder_feed(&b, 2048, 1024, kind, aux, NULL) == 0);
	frt_snap_builder_finish(&b);
	CHECK(b.nr_parts == 2 && b.parts[0].end_pfn == 2048 && b.parts[1].start_pfn == 2048 &&
	      b.parts[1].end_pfn == 4096);

	/* pageblock stats: what the fit will see */
	CHECK(b.pb[0].present == 1 + 64 + 128 + 4 && b.pb[0].free_pages == 64 &&
	      b.pb[0].free_blocks[6] == 1 && b.pb[0].known_mt1 == FRT_MT_MOVABLE + 1);
	CHECK(b.pb[0].alloc[FRT_MOB_UNMOVABLE] == 1 && b.pb[0].alloc[FRT_MOB_MOVABLE] == 128 &&
	      b.pb[0].alloc[FRT_MOB_RECLAIMABLE] == 1, "frozen and torn pages do not vote");
	CHECK(b.pb[1].alloc[FRT_MOB_MOVABLE] == 512 && b.pb[2].free_blocks[10] == 1 &&
	      b.pb[2].leader == 0 && b.pb[3].leader == 3 && b.pb[3].free_pages == 512);
	c = &b.parts[0].counts;
	CHECK(c->free == 64 + 1024 && c->reserved == 1 && c->alloc[FRT_MOB_UNMOVABLE] == 3 &&
	      c->alloc[FRT_MOB_MOVABLE] == 128 + 512 && c->alloc[FRT_MOB_RECLAIMABLE] == 1 &&
	      c->frozen == 1 && c->torn == 1 && c->uninit == 252 && c->hole == 63);

	b.pb[2].mt = b.pb[3].mt = FRT_MT_UNMOVABLE | FRT_PB_INFERRED;
	CHECK(frt_snap_builder_patch_free(&b) == 1);
	part.start_pfn = 0;
	part.end_pfn = 2048;
	part.blocks = b.parts[0].blocks.data;
	part.blocks_len = b.parts[0].blocks.len;
	frt_snapshot_iter_init(&it, &part);
	while (frt_snapshot_iter_next(&it, &blk) > 0 && n < 9) {
		CHECK(blk.pfn == want[n].pfn && blk.state == want[n].state &&
		      blk.cls == want[n].cls && blk.order == want[n].order,
		      "record %zu: pfn %lu state %u class %u order %u", n, (unsigned long)blk.pfn,
		      blk.state, blk.cls, blk.order);
		n++;
	}
	CHECK(n == 9 && it.p == it.end);
	frt_snap_builder_release(&b);
}

/* ---- kpageflags ---- */

static void test_kpf_decode(void)
{
	const size_t n = 2 << 15; /* two memory sections */
	uint64_t *kpf = calloc(n, sizeof(*kpf));
	uint8_t *kind = malloc(n), *aux = malloc(n);

	kpf[0] = KPF_BIT(K_RESERVED);
	kpf[1] = KPF_BIT(K_NOPAGE);
	kpf[2] = kpf[3] = KPF_BIT(K_SLAB);
	kpf[4] = KPF_BIT(K_HEAD) | KPF_BIT(K_LRU);
	kpf[5] = kpf[6] = kpf[7] = KPF_BIT(K_TAIL);
	kpf[16] = KPF_BIT(K_ANON);
	kpf[17] = KPF_BIT(K_TAIL); /* a tail without a head */
	for (size_t i = 18; i < 1024; i++)
		kpf[i] = KPF_BIT(K_PGTABLE);
	for (size_t i = 1024; i < 2560; i++)
		kpf[i] = KPF_BIT(K_BUDDY); /* every page marked: order 10 + order 9 */
	for (size_t i = 2560; i < (1 << 15); i++)
		kpf[i] = KPF_BIT(K_PGTABLE);
	/* section 1: all zero, not initialised */

	CHECK(frt_kpf_buddy_marks_all(kpf, 0, n) == 1);
	frt_kpf_decode(kpf, 0, n, true, 10, kind, aux);
	CHECK(kind[0] == FRT_PFN_RESERVED && kind[1] == FRT_PFN_HOLE);
	CHECK(kind[2] == FRT_PFN_UNMOVABLE && kind[3] == FRT_PFN_UNMOVABLE, "slab: unmovable");
	CHECK(kind[4] == FRT_PFN_MOVABLE && FRT_AUX_ORDER(aux[4]) == 2);
	CHECK(kind[8] == FRT_PFN_FROZEN && kind[15] == FRT_PFN_FROZEN,
	      "flagless, in a used section");
	CHECK(kind[16] == FRT_PFN_MOVABLE && kind[17] == FRT_PFN_TAIL);
	CHECK(kind[1024] == FRT_PFN_FREE && FRT_AUX_ORDER(aux[1024]) == 10 &&
	      FRT_AUX_MT1(aux[1024]) == 0);
	CHECK(kind[2048] == FRT_PFN_FREE && FRT_AUX_ORDER(aux[2048]) == 9);
	CHECK(kind[2560] == FRT_PFN_UNMOVABLE);
	CHECK(kind[1 << 15] == FRT_PFN_UNINIT && kind[n - 1] == FRT_PFN_UNINIT);

	/* head-only marking (older kernels): a block runs on over flagless pages */
	memset(kpf, 0, 8 * sizeof(*kpf));
	kpf[0] = kpf[4] = kpf[6] = KPF_BIT(K_BUDDY);
	kpf[5] = KPF_BIT(K_SLAB);
	frt_kpf_decode(kpf, 0, 8, false, 10, kind, aux);
	CHECK(kind[0] == FRT_PFN_FREE && FRT_AUX_ORDER(aux[0]) == 2);
	CHECK(kind[4] == FRT_PFN_FREE && FRT_AUX_ORDER(aux[4]) == 0);
	CHECK(kind[6] == FRT_PFN_FREE && FRT_AUX_ORDER(aux[6]) == 1);
	CHECK(frt_kpf_buddy_marks_all(kpf, 0, 8) == -1, "too few to tell");
	memset(kpf, 0, 256 * sizeof(*kpf));
	for (size_t i = 0; i < 256; i += 2)
		kpf[i] = KPF_BIT(K_BUDDY);
	CHECK(frt_kpf_buddy_marks_all(kpf, 0, 256) == 0, "128 heads, no two adjacent");
	free(kpf);
	free(kind);
	free(aux);
}

/* ---- /proc/pagetypeinfo, zoneinfo and vmstat (traces/procfs.c) ---- */

static const char pagetypeinfo[] =
	"Page block order: 9\n"
	"Pages per block:  512\n"
	"\n"
	"Free pages count per migrate type at order       0      1      2 \n"
	"Node    0, zone      DMA, type    Unmovable      0      1      0 \n"
	"Node    0, zone      DMA, type      Movable      2      0      3 \n"
	"Node    0, zone   Normal, type    Unmovable >100000     4      0 \n"
	"Node    0, zone   Normal, type      Movable      7      0      1 \n"
	"Node    0, zone   Normal, type  Reclaimable      0      0      5 \n"
	"Node    0, zone   Normal, type   HighAtomic      0      0      0 \n"
	"Node    0, zone   Normal, type      Isolate      0      0      0 \n"
	"\n"
	"Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
	"Node 0, zone      DMA            1            7            0            0            0 \n"
	"Node 0, zone   Normal           80         3786           38            0            2 \n"
	"Node 0, zone      DMA      0      0      1 \n"; /* another table: ignored */

static void test_pagetypeinfo(void)
{
	struct frt_pagetypeinfo *pt = malloc(sizeof(*pt));
	const struct frt_pt_zone *dma, *normal;

	CHECK(frt_pagetypeinfo_parse(pagetypeinfo, pt) == 0);
	CHECK(pt->pageblock_order == 9 && pt->nr_orders == 3 && pt->nr_zones == 2);
	dma = frt_pagetypeinfo_zone(pt, 0, "DMA");
	normal = frt_pagetypeinfo_zone(pt, 0, "Normal");
	CHECK(dma && normal && !frt_pagetypeinfo_zone(pt, 1, "DMA"));
	if (!dma || !normal)
		goto out;
	CHECK(dma->free[1][FRT_MT_UNMOVABLE] == 1 && dma->free[2][FRT_MT_MOVABLE] == 3);
	CHECK(dma->blocks[FRT_MT_UNMOVABLE] == 1 && dma->blocks[FRT_MT_MOVABLE] == 7);
	CHECK(normal->free[0][FRT_MT_UNMOVABLE] == 100000 &&
	      normal->capped[0] == 1u << FRT_MT_UNMOVABLE, "\">100000\" is a lower bound");
	CHECK(normal->free[2][FRT_MT_RECLAIMABLE] == 5 && normal->blocks[FRT_MT_ISOLATE] == 2 &&
	      normal->blocks[FRT_MT_RECLAIMABLE] == 38);
	CHECK(frt_pagetypeinfo_parse("nothing here", pt) == -EBADMSG);
	CHECK(frt_zoneinfo_free("Node 0, zone      DMA\n  per-node stats\n"
				"Node 0, zone   Normal\n  pages free     1962035\n", 0, "Normal") ==
	      1962035);
	/* a counter whose name another's begins with is not that one */
	int64_t v = -1;
	CHECK(frt_vmstat_value("thp_fault_fallback_charge 2\nthp_fault_fallback 45\n",
			       "thp_fault_fallback", &v) == 0 && v == 45);
	CHECK(frt_vmstat_value("thp_fault_fallback_charge 2\n", "thp_fault_fallback", &v) ==
	      -ENOENT);
out:
	free(pt);
}

/*
 * Two nodes: mm/vmstat.c prints the whole file once per node with memory
 * (pagetypeinfo_show() per pgdat), headers included, each section maybe
 * ending in the mixed-blocks table (CONFIG_PAGE_OWNER). Shaped as a two-node
 * 6.12 guest printed it (numa2-guest.sh), orders cut to three.
 */
static const char pagetypeinfo_two_nodes[] =
	"Page block order: 9\n"
	"Pages per block:  512\n"
	"\n"
	"Free pages count per migrate type at order       0      1      2 \n"
	"Node    0, zone      DMA, type    Unmovable      0      1      0 \n"
	"Node    0, zone      DMA, type      Movable      2      0      3 \n"
	"Node    0, zone    DMA32, type      Movable      9      8      7 \n"
	"\n"
	"Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
	"Node 0, zone      DMA            1            7            0            0            0 \n"
	"Node 0, zone    DMA32           20          480            4            0            0 \n"
	"\n"
	"Number of mixed blocks    Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
	"Node 0, zone      DMA            1            0            0            0            0 \n"
	"Node 0, zone    DMA32            3            1            0            0            0 \n"
	"Page block order: 9\n"
	"Pages per block:  512\n"
	"\n"
	"Free pages count per migrate type at order       0      1      2 \n"
	"Node    1, zone    DMA32, type    Unmovable      5      4      3 \n"
	"Node    1, zone    DMA32, type      Movable     11     12     13 \n"
	"\n"
	"Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
	"Node 1, zone    DMA32           10          500            2            0            0 \n";

static void test_pagetypeinfo_two_nodes(void)
{
	struct frt_pagetypeinfo *pt = malloc(sizeof(*pt));
	const struct frt_pt_zone *d0, *d1;
	char *bad;

	CHECK(frt_pagetypeinfo_parse(pagetypeinfo_two_nodes, pt) == 0,
	      "a section per node is one file, not an unexpected layout");
	CHECK(pt->pageblock_order == 9 && pt->nr_orders == 3 && pt->nr_zones == 3);
	d0 = frt_pagetypeinfo_zone(pt, 0, "DMA32");
	d1 = frt_pagetypeinfo_zone(pt, 1, "DMA32");
	CHECK(d0 && d1);
	if (d0 && d1) {
		CHECK(d0->free[2][FRT_MT_MOVABLE] == 7 && d1->free[2][FRT_MT_MOVABLE] == 13);
		CHECK(d1->free[0][FRT_MT_UNMOVABLE] == 5);
		/* node 0's mixed-blocks table does not overwrite its block counts */
		CHECK(d0->blocks[FRT_MT_UNMOVABLE] == 20 && d0->blocks[FRT_MT_MOVABLE] == 480);
		CHECK(d1->blocks[FRT_MT_UNMOVABLE] == 10 && d1->blocks[FRT_MT_MOVABLE] == 500 &&
		      d1->blocks[FRT_MT_RECLAIMABLE] == 2);
	}
	/* sections that disagree on the orders are not one kernel's file */
	bad = strdup(pagetypeinfo_two_nodes);
	if (bad) {
		char *h = strstr(bad, "Free pages count"), *two;

		h = h ? strstr(h + 1, "Free pages count") : NULL; /* node 1's header */
		two = h ? strstr(h, "2 \n") : NULL;
		if (two)
			*two = ' '; /* node 1's section counts orders 0 and 1 only */
		CHECK(two && frt_pagetypeinfo_parse(bad, pt) == -EBADMSG);
		free(bad);
	}
	free(pt);
}

/* ---- the fit ---- */

static struct frt_pb_stat pb_alloc(uint32_t u, uint32_t m, uint32_t r)
{
	struct frt_pb_stat s = { .alloc = { u, m, r }, .zone = 0, .mt = FRT_PB_NONE };

	s.present = u + m + r;
	return s;
}

static void add_free(struct frt_pb_stat *s, unsigned int order, uint16_t n)
{
	s->free_blocks[order] += n;
	s->free_pages += (uint32_t)n << order;
	s->present += (uint32_t)n << order;
}

/*
 * Six pageblocks; pagetypeinfo says 2 unmovable, 3 movable, 1 reclaimable,
 * and which orders are free on which list. By majority of allocated pages
 * pb1 would be movable and pb5 unmovable, but only pb1's order-2 free
 * blocks can be the unmovable list's, and only pb5's order-1 blocks the
 * reclaimable one's (slab in kpageflags looks unmovable). A known block
 * (pb6) never moves.
 *
 *   pb    0      1      2      3      4      5      6 (known)
 *   alloc U500   M300   M400   -      M512   U200   U512
 *   free  8xo0   5xo2   7xo3   1xo9   -      9xo1   -
 *   fit   U      U      M      M      M      R      U
 */
static void test_fit_known_answer(void)
{
	static const uint8_t want[7] = { FRT_MT_UNMOVABLE, FRT_MT_UNMOVABLE, FRT_MT_MOVABLE,
					 FRT_MT_MOVABLE, FRT_MT_MOVABLE, FRT_MT_RECLAIMABLE,
					 FRT_MT_UNMOVABLE };
	struct frt_pb_stat pb[7] = {
		pb_alloc(500, 0, 0), pb_alloc(100, 300, 0), pb_alloc(0, 400, 0), pb_alloc(0, 0, 0),
		pb_alloc(0, 512, 0), pb_alloc(200, 0, 0), pb_alloc(512, 0, 0),
	};
	struct frt_pt_zone pt = { .node = 0, .name = "Normal" };
	struct frt_fit_zone res;

	add_free(&pb[0], 0, 8);
	add_free(&pb[1], 2, 5);
	add_free(&pb[2], 3, 7);
	add_free(&pb[3], 9, 1);
	add_free(&pb[5], 1, 9);
	pb[6].known_mt1 = FRT_MT_UNMOVABLE + 1;
	pt.free[0][FRT_MT_UNMOVABLE] = 8;
	pt.free[2][FRT_MT_UNMOVABLE] = 5;
	pt.free[3][FRT_MT_MOVABLE] = 7;
	pt.free[9][FRT_MT_MOVABLE] = 1;
	pt.free[1][FRT_MT_RECLAIMABLE] = 9;
	pt.blocks[FRT_MT_UNMOVABLE] = 3;
	pt.blocks[FRT_MT_MOVABLE] = 3;
	pt.blocks[FRT_MT_RECLAIMABLE] = 1;

	frt_snap_fit_zone(pb, 7, 0, 9, 11, &pt, &pt, 1.0 / 16, &res);
	for (int i = 0; i < 7; i++)
		CHECK(FRT_PB_MT(pb[i].mt) == want[i], "pb%d: %u, want %u", i, FRT_PB_MT(pb[i].mt),
		      want[i]);
	CHECK(!(pb[6].mt & FRT_PB_INFERRED) && (pb[0].mt & FRT_PB_INFERRED));
	CHECK(res.blocks_known == 1 && res.blocks_inferred == 6 && res.blocks_changed == 2);
	CHECK(res.block_error == 0 && res.error_pages == 0 && res.ok);
	CHECK(res.free_pages == 8 + 20 + 56 + 512 + 18);
}

/*
 * Block counts alone: nothing is free, pagetypeinfo says 2 unmovable and 1
 * movable. The block with the fewest pages of the wrong mobility moves.
 */
static void test_fit_block_counts(void)
{
	struct frt_pb_stat pb[3] = { pb_alloc(400, 100, 0), pb_alloc(0, 512, 0),
				     pb_alloc(212, 300, 0) };
	struct frt_pt_zone pt = { .blocks = { 2, 1, 0 } };
	struct frt_fit_zone res;

	frt_snap_fit_zone(pb, 3, 0, 9, 11, &pt, &pt, 1.0 / 16, &res);
	CHECK(FRT_PB_MT(pb[0].mt) == FRT_MT_UNMOVABLE && FRT_PB_MT(pb[1].mt) == FRT_MT_MOVABLE &&
	      FRT_PB_MT(pb[2].mt) == FRT_MT_UNMOVABLE, "%u %u %u", pb[0].mt, pb[1].mt, pb[2].mt);
	CHECK(res.block_error == 0 && res.blocks_changed == 1);
}

/* The check: a count between the two reads is no error; outside, its distance. */
static void test_check_interval(void)
{
	struct frt_pt_zone before = { 0 }, after = { 0 };
	struct frt_fit_zone res = { 0 };

	before.free[0][FRT_MT_MOVABLE] = 100;
	after.free[0][FRT_MT_MOVABLE] = 110;
	before.free[3][FRT_MT_UNMOVABLE] = after.free[3][FRT_MT_UNMOVABLE] = 100000;
	before.capped[3] = 1u << FRT_MT_UNMOVABLE;
	res.snap_free[0][FRT_MT_MOVABLE] = 105;
	res.snap_free[3][FRT_MT_UNMOVABLE] = 150000;
	frt_snap_check_zone(&before, &after, 11, &res);
	CHECK(res.error_pages == 0 && res.ok);
	res.snap_free[0][FRT_MT_MOVABLE] = 120;
	res.snap_free[3][FRT_MT_UNMOVABLE] = 99999;
	frt_snap_check_zone(&before, &after, 11, &res);
	CHECK(res.error_pages == 10 + 8 && res.worst_pages == 10 && res.worst_order == 0 &&
	      res.worst_mt == FRT_MT_MOVABLE, "%lu", (unsigned long)res.error_pages);
}

int main(void)
{
	RUN(test_payload_round_trip);
	RUN(test_payload_damage);
	RUN(test_format_example);
	RUN(test_iter_repeats);
	RUN(test_builder);
	RUN(test_kpf_decode);
	RUN(test_pagetypeinfo);
	RUN(test_pagetypeinfo_two_nodes);
	RUN(test_fit_known_answer);
	RUN(test_fit_block_counts);
	RUN(test_check_interval);
	return CHECK_DONE();
}
