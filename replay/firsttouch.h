/* SPDX-License-Identifier: MIT */
/*
 * firsttouch.h - the start snapshot against the trace's first word on each
 * page (README, "How replay works").
 *
 * The snapshot walk is not atomic: the kernel allocates and frees while it
 * runs (0.4 s on a 24 GiB host), and capture switches on only after it, so
 * a page the walk read as allocated may be free when the first event comes,
 * and the other way round; a page on a per-CPU list (zero refcount, not a
 * buddy) is written as allocated (FORMAT.md §8.2, frozen_pages) though it is
 * free. The first event on a page says which it was at the trace's start:
 * an allocation (mm_page_alloc, mm_page_alloc_zone_locked,
 * mm_page_alloc_extfrag, mm_page_pcpu_refill) or a pcp drain of it means it
 * was free; a free of it means it was allocated. The seed follows the trace
 * where the two disagree.
 */
#ifndef FRAGREPLAY_REPLAY_FIRSTTOUCH_H
#define FRAGREPLAY_REPLAY_FIRSTTOUCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct frt_snapshot_block;

/* what the first event on a pfn says of it at the trace's start */
enum first_touch_kind {
	FT_NONE = 0,   /* no event on it */
	FT_FREE = 1,   /* taken from the buddy lists first (zone_locked, extfrag, pcp refill) */
	FT_ALLOC = 2,  /* freed first: it was allocated */
	FT_SEEN = 3,   /* a migration first: nothing to infer */
	FT_PCP = 4,    /* allocated without a zone_locked, or drained, first: on a pcp list */
};

struct first_touch_pcp {
	uint64_t pfn;  /* head of the block */
	uint32_t cpu;  /* whose list: the CPU that allocated or drained it */
};

struct first_touch {
	uint64_t base, span; /* pfns [base, base + span) */
	/* per pfn: enum first_touch_kind in bits 0-2; at the head of the block
	 * the first event named (FT_ALLOC, FT_PCP), its order + 1 in bits 3-7 */
	uint8_t *k;
	struct first_touch_pcp *pcp; /* FT_PCP heads, by pfn */
	size_t nr_pcp, cap_pcp;
};

/**
 * first_touch_scan - the first event on each pfn of [base, base + span) among
 * the events of @path from @from_ts on. A damaged trace is scanned up to the
 * damage (the replay reports it). Returns 0, or -ENOMEM / the reader's
 * -errno with a reason in @err.
 */
int first_touch_scan(const char *path, uint64_t from_ts, uint64_t base, uint64_t span,
		     struct first_touch *ft, char *err, size_t errlen);
void first_touch_free(struct first_touch *ft);

enum seed_as { SEED_FREE, SEED_ALLOC, SEED_PCP };

/* a snapshot block cut into what the trace says, one piece at a time: @arg is
 * the free list or the mobility (SEED_FREE, SEED_ALLOC), or the CPU (SEED_PCP) */
typedef int (*first_touch_emit_fn)(void *ctx, uint64_t pfn, unsigned int order, enum seed_as as,
				   int arg);

/*
 * true when the trace's first word on @pfn leaves an allocated order-0 block
 * there as the snapshot shows it: first_touch_split() would give it to @emit
 * whole, as SEED_ALLOC of its own mobility (a run of them can be seeded at once)
 */
bool first_touch_keeps_alloc(const struct first_touch *ft, uint64_t pfn);

struct first_touch_counts {
	uint64_t to_free;  /* pages shown allocated that were free (buddy or pcp) */
	uint64_t to_pcp;   /* pages shown free or allocated that sat on a pcp list */
	uint64_t to_alloc; /* pages shown free that were allocated */
};

/**
 * first_touch_split - @b, a free or allocated block of the start snapshot,
 * as the trace's first events on its pages have it: pieces aligned to their
 * order, given to @emit in pfn order. An allocated piece keeps @b's mobility;
 * a block the trace frees first is allocated at the order of that free, with
 * the mobility of its pageblock's type (@pb_mt(ctx, pfn); UNMOVABLE for
 * HIGHATOMIC, MOVABLE for CMA and ISOLATE); a block the trace shows on a pcp
 * list goes there whole, at the order of that event, on the list of the CPU
 * that allocated or drained it; a free piece goes on the list of its
 * pageblock's type. Counts what it turned in @n. Returns 0 or the first error
 * @emit returned.
 */
int first_touch_split(const struct first_touch *ft, const struct frt_snapshot_block *b,
		      int (*pb_mt)(void *ctx, uint64_t pfn), first_touch_emit_fn emit, void *ctx,
		      struct first_touch_counts *n);

#endif
