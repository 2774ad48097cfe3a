/* SPDX-License-Identifier: MIT */
/*
 * snapshot_codec.h - the bytes of a SNAPSHOT payload (FORMAT.md §8.2), for
 * its writers (traces/import/snapshot*.c).
 */
#ifndef FRT_SNAPSHOT_CODEC_H
#define FRT_SNAPSHOT_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* ---- payload bytes (snapshot_codec.c) ---- */

/* Write a one-line message into @err (if any) and return @ret. */
int frt_snap_errf(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

struct frt_snap_buf {
	uint8_t *data;
	size_t len, cap;
};

/* Append one block record: varint gap, state, class, order. */
int frt_snap_buf_put_block(struct frt_snap_buf *b, uint64_t gap, uint8_t state, uint8_t cls,
			   uint8_t order);
/* Append one read_times entry: varint pfn gap, varint time delta (FORMAT.md §8.2). */
int frt_snap_buf_put_time(struct frt_snap_buf *b, uint64_t gap, uint64_t dt);
void frt_snap_buf_release(struct frt_snap_buf *b);

/* Add "sections" to @header and lay out header, 0x00, blocks, pageblocks (malloc'ed). */
int frt_snap_payload(json_t *header, const uint8_t *blocks, size_t blocks_len,
		     const uint8_t *pageblocks, size_t nr_pageblocks, uint8_t **out,
		     size_t *out_len);
/* The same with a "read_times" section after them (@times NULL: none). */
int frt_snap_payload_timed(json_t *header, const uint8_t *blocks, size_t blocks_len,
			   const uint8_t *pageblocks, size_t nr_pageblocks, const uint8_t *times,
			   size_t times_len, uint8_t **out, size_t *out_len);

#endif
