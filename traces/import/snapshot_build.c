// SPDX-License-Identifier: MIT
/*
 * snapshot_build.c - turn a walk's per-pfn codes into the block records of
 * SNAPSHOT parts, and count what each pageblock holds for the fit.
 *
 * A new part starts at a chunk boundary once the current part's records
 * pass part_limit bytes, so a part holds at most part_limit plus one chunk
 * of records (4 bytes per pfn at worst).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "snapshot_internal.h"

int frt_snap_builder_init(struct frt_snap_builder *b, uint64_t start_pfn, uint64_t end_pfn,
			  unsigned int pbo, size_t part_limit)
{
	*b = (struct frt_snap_builder){
		.pbo = pbo,
		.start_pfn = start_pfn,
		.end_pfn = end_pfn,
		.nr_pb = (end_pfn - start_pfn) >> pbo,
		.part_limit = part_limit,
		.cover = start_pfn,
		.prev_end = start_pfn,
	};
	b->pb = calloc(b->nr_pb ? b->nr_pb : 1, sizeof(*b->pb));
	b->parts = calloc(1, sizeof(*b->parts));
	if (!b->pb || !b->parts) {
		frt_snap_builder_release(b);
		return -ENOMEM;
	}
	for (size_t i = 0; i < b->nr_pb; i++) {
		b->pb[i].zone = -1;
		b->pb[i].mt = FRT_PB_NONE;
	}
	b->parts[0].start_pfn = start_pfn;
	b->nr_parts = 1;
	return 0;
}

void frt_snap_builder_release(struct frt_snap_builder *b)
{
	for (size_t i = 0; b->parts && i < b->nr_parts; i++)
		frt_snap_buf_release(&b->parts[i].blocks);
	free(b->parts);
	free(b->pb);
	*b = (struct frt_snap_builder){ 0 };
}

struct frt_pb_stat *frt_snap_builder_pb(struct frt_snap_builder *b, uint64_t pfn)
{
	if (pfn < b->start_pfn || pfn >= b->end_pfn)
		return NULL;
	return &b->pb[(pfn - b->start_pfn) >> b->pbo];
}

static int new_part(struct frt_snap_builder *b, uint64_t pfn)
{
	struct frt_snap_part_buf *parts = reallocarray(b->parts, b->nr_parts + 1, sizeof(*parts));

	if (!parts)
		return -ENOMEM;
	b->parts = parts;
	parts[b->nr_parts - 1].end_pfn = pfn;
	parts[b->nr_parts] = (struct frt_snap_part_buf){ .start_pfn = pfn };
	b->nr_parts++;
	b->prev_end = pfn;
	return 0;
}

/* What a record of @kind does to each pageblock it covers. */
static void pb_account(struct frt_snap_builder *b, uint64_t pfn, unsigned int order,
		       unsigned int kind, unsigned int mt1)
{
	uint64_t end = pfn + (1ull << order), pb_pages = 1ull << b->pbo, next;
	struct frt_pb_stat *head = frt_snap_builder_pb(b, pfn), *s;

	if (kind == FRT_PFN_FREE && head && order < FRT_PT_ORDERS)
		head->free_blocks[order]++;
	for (; pfn < end; pfn = next) {
		uint32_t n;

		next = (pfn | (pb_pages - 1)) + 1;
		n = (uint32_t)((next < end ? next : end) - pfn);
		s = frt_snap_builder_pb(b, pfn);
		if (!s)
			continue;
		s->present += n;
		if (kind == FRT_PFN_FREE) {
			s->free_pages += n;
			if (mt1)
				s->known_mt1 = (uint8_t)mt1;
			if (s != head)
				s->leader = (uint32_t)(head - b->pb) + 1;
		} else if (kind >= FRT_PFN_UNMOVABLE && kind <= FRT_PFN_RECLAIMABLE) {
			s->alloc[kind - FRT_PFN_UNMOVABLE] += n;
		}
	}
}

static void count(struct frt_snap_counts *c, unsigned int kind, uint64_t pages)
{
	switch (kind) {
	case FRT_PFN_FREE:
		c->free += pages;
		break;
	case FRT_PFN_RESERVED:
		c->reserved += pages;
		break;
	case FRT_PFN_MOVABLE:
	case FRT_PFN_RECLAIMABLE:
		c->alloc[kind - FRT_PFN_UNMOVABLE] += pages;
		break;
	case FRT_PFN_FROZEN:
		c->frozen += pages;
		c->alloc[FRT_MOB_UNMOVABLE] += pages;
		break;
	case FRT_PFN_TAIL:
		c->torn += pages;
		c->alloc[FRT_MOB_UNMOVABLE] += pages;
		break;
	default:
		c->alloc[FRT_MOB_UNMOVABLE] += pages;
		break;
	}
}

/* One record; one that would run past end_pfn is cut into aligned pieces. */
static int emit(struct frt_snap_builder *b, uint64_t pfn, unsigned int order, unsigned int kind,
		unsigned int mt1)
{
	struct frt_snap_part_buf *part = &b->parts[b->nr_parts - 1];
	uint8_t state = FRT_SNAP_ALLOCATED, cls = FRT_MOB_UNMOVABLE;
	int err;

	if (pfn >= b->end_pfn)
		return 0;
	if (pfn + (1ull << order) > b->end_pfn) {
		err = emit(b, pfn, order - 1, kind, mt1);
		return err ? err : emit(b, pfn + (1ull << (order - 1)), order - 1, kind, mt1);
	}
	if (kind == FRT_PFN_FREE) {
		state = FRT_SNAP_FREE;
		cls = mt1 ? mt1 - 1 : FRT_SNAP_CLASS_UNSET;
	} else if (kind == FRT_PFN_RESERVED) {
		state = FRT_SNAP_RESERVED;
		cls = 0;
	} else if (kind == FRT_PFN_MOVABLE || kind == FRT_PFN_RECLAIMABLE) {
		cls = kind - FRT_PFN_UNMOVABLE;
	}
	err = frt_snap_buf_put_block(&part->blocks, pfn - b->prev_end, state, cls, order);
	if (err)
		return err;
	b->prev_end = pfn + (1ull << order);
	count(&part->counts, kind, 1ull << order);
	pb_account(b, pfn, order, kind, mt1);
	return 0;
}

int frt_snap_builder_feed(struct frt_snap_builder *b, uint64_t start_pfn, size_t n,
			  const uint8_t *kind, const uint8_t *aux, const uint8_t *zone)
{
	struct frt_snap_part_buf *part = &b->parts[b->nr_parts - 1];
	uint64_t pfn = start_pfn > b->cover ? start_pfn : b->cover, end = start_pfn + n;
	int err = 0;

	if (start_pfn >= b->cover && start_pfn > part->start_pfn &&
	    part->blocks.len >= b->part_limit) {
		err = new_part(b, start_pfn);
		if (err)
			return err;
		part = &b->parts[b->nr_parts - 1];
	}
	for (size_t i = 0; zone && i < n; i += (size_t)1 << b->pbo) {
		struct frt_pb_stat *s = frt_snap_builder_pb(b, start_pfn + i);

		if (s && !((start_pfn + i) & ((1ull << b->pbo) - 1)))
			s->zone_id1 = zone[i / FRT_WALK_BATCH];
	}
	while (pfn < end && !err) {
		unsigned int k = kind[pfn - start_pfn], a = aux[pfn - start_pfn];
		unsigned int order = FRT_AUX_ORDER(a);

		if (k == FRT_PFN_HOLE || k == FRT_PFN_UNINIT || k >= FRT_PFN_NR_KINDS) {
			if (k == FRT_PFN_UNINIT)
				part->counts.uninit++;
			else
				part->counts.hole++;
			pfn++;
			continue;
		}
		if (order > FRT_WALK_MAX_ORDER || (pfn & ((1ull << order) - 1)))
			order = 0;
		err = emit(b, pfn, order, k, FRT_AUX_MT1(a));
		pfn += 1ull << order;
	}
	if (pfn > b->cover)
		b->cover = pfn;
	return err;
}

void frt_snap_builder_finish(struct frt_snap_builder *b)
{
	b->parts[b->nr_parts - 1].end_pfn = b->end_pfn;
}

size_t frt_snap_builder_patch_free(struct frt_snap_builder *b)
{
	size_t patched = 0;

	for (size_t i = 0; i < b->nr_parts; i++) {
		struct frt_snap_part_buf *part = &b->parts[i];
		const uint8_t *p = part->blocks.data, *end = p + part->blocks.len;
		uint64_t pfn = part->start_pfn, gap;

		/* our own bytes: varint gap, state, class, order (frt_snap_buf_put_block) */
		while (p < end && !varint_get(&p, end, &gap) && end - p >= 3) {
			uint8_t *rec = (uint8_t *)p;
			struct frt_pb_stat *s = frt_snap_builder_pb(b, pfn + gap);

			if (rec[0] == FRT_SNAP_FREE && rec[1] == FRT_SNAP_CLASS_UNSET) {
				rec[1] = s && !(s->mt & FRT_PB_NONE) ? FRT_PB_MT(s->mt) :
								       FRT_MT_MOVABLE;
				patched++;
			}
			pfn += gap + (1ull << rec[2]);
			p += 3;
		}
	}
	return patched;
}
