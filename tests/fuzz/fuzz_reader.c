// SPDX-License-Identifier: MIT
/*
 * fuzz_reader.c - the trace reader (traces/reader.c) on arbitrary bytes:
 * every event, every frame, every snapshot part and its blocks.
 *
 * With FRT_FUZZ_FIX=1 in the environment (tests/fuzz/run.sh sets it for half
 * the runs) the input is first made to pass the checks a mutation almost
 * never gets past: the header and metadata CRCs, and for each frame a
 * stored_size clamped to what remains, raw_size = stored_size when stored,
 * and the frame CRC. The decoders behind them then see mutated content.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "codec.h"
#include "snapshot.h"
#include "trace.h"

static uint32_t get32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void put32(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }

static void fix(uint8_t *b, size_t n)
{
	if (n < 32 || memcmp(b, "\x89" "FRT\r\n\x1a\n", 8))
		return;
	uint32_t m = get32(b + 20);
	if (m > n - 32) {
		m = (uint32_t)(n - 32);
		put32(b + 20, m);
	}
	put32(b + 24, frt_crc32c(0, b + 32, m));
	put32(b + 28, frt_crc32c(0, b, 28));
	for (size_t off = 32 + (size_t)m; n - off >= 24;) {
		uint8_t *h = b + off;
		size_t left = n - off - 24;

		if (memcmp(h, "FRFM", 4))
			return;
		if (get32(h + 8) > left)
			put32(h + 8, (uint32_t)left);
		if (!(h[5] & 1))
			put32(h + 12, get32(h + 8));
		uint32_t crc = frt_crc32c(0, h, 20);
		put32(h + 20, frt_crc32c(crc, h + 24, get32(h + 8)));
		off += 24 + get32(h + 8);
	}
}

static void snapshot_frame(struct frt_reader *r)
{
	struct frt_snapshot_part p;
	struct frt_snapshot_block blk;
	struct frt_snapshot_iter it;
	char err[256];
	uint32_t len;
	const char *payload = frt_reader_frame_payload(r, &len);

	if (!payload || frt_snapshot_parse(payload, len, &p, err, sizeof(err)))
		return;
	frt_snapshot_iter_init(&it, &p);
	for (int i = 0; i < 1 << 20 && frt_snapshot_iter_next(&it, &blk) > 0; i++)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fixup = -1;
	struct frt_frame_info fi;
	struct frt_event ev;
	char path[64], err[512];
	uint8_t *b;
	int fd;

	if (fixup < 0)
		fixup = getenv("FRT_FUZZ_FIX") && atoi(getenv("FRT_FUZZ_FIX"));
	b = malloc(size ? size : 1);
	memcpy(b, data, size);
	if (fixup)
		fix(b, size);
	fd = memfd_create("frt", MFD_CLOEXEC);
	if (fd < 0 || write(fd, b, size) != (ssize_t)size)
		abort();
	free(b);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	/* events, as dump and replay read them */
	struct frt_reader *r = frt_reader_open(path, err, sizeof(err));
	if (r) {
		frt_reader_meta(r);
		while (frt_reader_next(r, &ev) > 0)
			;
		frt_reader_error(r);
		frt_reader_stats(r);
		frt_reader_trailer(r);
		frt_reader_free(r);
	}
	/* frames, as info and the session's setup read them */
	r = frt_reader_open(path, err, sizeof(err));
	if (r) {
		while (frt_reader_next_frame(r, &fi) > 0) {
			if (fi.type == FRT_FRAME_SNAPSHOT)
				snapshot_frame(r);
			else if (fi.type == FRT_FRAME_EVENTS)
				while (frt_reader_frame_next(r, &ev) > 0)
					;
		}
		frt_reader_free(r);
	}
	close(fd);
	return 0;
}
