/* SPDX-License-Identifier: MIT */
/*
 * snapshot.h - physical memory state at the start and end of a capture:
 * SNAPSHOT frames (traces/FORMAT.md §8.2), written and read back.
 *
 * A snapshot says, for every pfn of every zone, whether it is in a free
 * buddy block (and on which free list), allocated (and how movable), or
 * reserved, plus the migratetype of every pageblock. Written from struct
 * page through BPF, or from /proc/kpageflags when BPF is not available.
 *
 * Only fixed-width types here: snapshot.bpf.c includes this header for
 * enum frt_mt.
 */
#ifndef FRT_SNAPSHOT_H
#define FRT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Migratetypes as snapshots number them, whatever the kernel's CONFIG_CMA */
enum frt_mt {
	FRT_MT_UNMOVABLE, FRT_MT_MOVABLE, FRT_MT_RECLAIMABLE, FRT_MT_HIGHATOMIC,
	FRT_MT_CMA, FRT_MT_ISOLATE, FRT_MT_NR,
};

/* state byte of a block record */
enum frt_snap_state { FRT_SNAP_FREE, FRT_SNAP_ALLOCATED, FRT_SNAP_RESERVED };

/* class byte of an allocated block (a free block's class is its enum frt_mt) */
enum frt_mobility { FRT_MOB_UNMOVABLE, FRT_MOB_MOVABLE, FRT_MOB_RECLAIMABLE, FRT_MOB_NR };

/* a pageblock byte */
#define FRT_PB_MT(b) ((b) & 0x07)
#define FRT_PB_NONE 0x40     /* no pageblock here: a hole, or memmap not initialised */
#define FRT_PB_INFERRED 0x80 /* the migratetype is inferred, not read */

/* ---- reading one SNAPSHOT payload ---- */

struct frt_snapshot_part {
	const char *header;        /* the JSON header, NUL-terminated inside the payload */
	uint64_t start_pfn, end_pfn;
	unsigned int pageblock_order;
	const uint8_t *blocks;     /* "blocks" section */
	size_t blocks_len;
	const uint8_t *pageblocks; /* "pageblocks": one byte per pageblock of the range */
	size_t nr_pageblocks;
	uint64_t ts;               /* the header's "ts": when the walk began */
	const uint8_t *read_times; /* "read_times" (format 1.2), NULL when absent */
	size_t read_times_len;
};

struct frt_snapshot_block {
	uint64_t pfn;   /* first pfn; the block covers 2^order pfns */
	uint8_t state;  /* enum frt_snap_state */
	uint8_t cls;    /* free: enum frt_mt; allocated: enum frt_mobility; reserved: 0 */
	uint8_t order;
};

struct frt_snapshot_iter {
	const uint8_t *p, *end;
	uint64_t next_pfn, end_pfn;
};

/* a part's read_times (FORMAT.md §8.2): when the walk read which pfns */
struct frt_snapshot_times {
	const uint8_t *p, *end;
	uint64_t pfn, end_pfn, ts;
	bool started;
};

/**
 * frt_snapshot_parse - find the header and sections of a SNAPSHOT payload
 *
 * @p points into @payload afterwards. Returns 0, or -EBADMSG with a reason
 * in @err when the header or the section table does not hold together.
 */
int frt_snapshot_parse(const void *payload, size_t len, struct frt_snapshot_part *p, char *err,
		       size_t errlen);

void frt_snapshot_iter_init(struct frt_snapshot_iter *it, const struct frt_snapshot_part *p);

/* The next block record: 1 with *b filled, 0 at the end, -EBADMSG if malformed. */
int frt_snapshot_iter_next(struct frt_snapshot_iter *it, struct frt_snapshot_block *b);
/*
 * frt_snapshot_iter_repeats - how many of the next records, at most @max,
 * repeat @b, an order-0 block the iterator just returned, at the pfns after
 * it (gap 0, @b's state and class): runs of single pages, most of a
 * snapshot. The records are only looked at; frt_snapshot_iter_skip() then
 * passes over @n of them as @n frt_snapshot_iter_next() calls would.
 */
uint64_t frt_snapshot_iter_repeats(const struct frt_snapshot_iter *it,
				   const struct frt_snapshot_block *b, uint64_t max);
void frt_snapshot_iter_skip(struct frt_snapshot_iter *it, uint64_t n);
/*
 * The part's read times in pfn order: 1 with *@pfn (first pfn of a run) and
 * *@ts (when the walk read the run, CLOCK_MONOTONIC ns; the run ends where
 * the next begins, the last at the part's end), 0 at the end (at once for a
 * part without the section), -EBADMSG if malformed.
 */
void frt_snapshot_times_init(struct frt_snapshot_times *it, const struct frt_snapshot_part *p);
int frt_snapshot_times_next(struct frt_snapshot_times *it, uint64_t *pfn, uint64_t *ts);

#endif
