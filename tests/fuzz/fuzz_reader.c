// SPDX-License-Identifier: MIT
/*
 * fuzz_reader.c - the trace reader (traces/reader.c) on arbitrary bytes:
 * every event, every frame, every snapshot part, its blocks and read times.
 *
 * With FRT_FUZZ_FIX=1 in the environment (tests/fuzz/run.sh sets it for half
 * the runs) the input is first made to pass the checks a mutation almost
 * never gets past: the header and metadata CRCs, and for each frame a
 * stored_size clamped to what remains, raw_size = stored_size when stored,
 * and the frame CRC. The decoders behind them then see mutated content.
 *
 * The batch decoder (frt_reader_frame_batch) reads the same input beside the
 * per-event one and must give the same events and the same end, or the
 * harness aborts. SNAPSHOT frames are also read as far as their headers
 * (frt_reader_next_frame_head).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_fix.h"
#include "snapshot.h"
#include "trace.h"

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
	/* read_times (format 1.2) */
	struct frt_snapshot_times t;
	uint64_t pfn, ts;

	frt_snapshot_times_init(&t, &p);
	for (int i = 0; i < 1 << 20 && frt_snapshot_times_next(&t, &pfn, &ts) > 0; i++)
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
		frt_fuzz_fix(b, size);
	fd = memfd_create("frt", MFD_CLOEXEC);
	if (fd < 0 || write(fd, b, size) != (ssize_t)size)
		abort();
	free(b);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	/* events, as dump reads them, and beside them in batches, as replay reads them */
	struct frt_reader *r = frt_reader_open(path, err, sizeof(err));
	struct frt_reader *rb = frt_reader_open(path, err, sizeof(err));
	if (!r != !rb)
		abort();
	if (r) {
		struct frt_event batch[5];
		ssize_t got;
		int ret;

		frt_reader_meta(r);
		while ((got = frt_reader_next_batch(rb, batch, 5)) > 0)
			for (ssize_t i = 0; i < got; i++)
				if (frt_reader_next(r, &ev) != 1 || memcmp(&ev, &batch[i], sizeof(ev)))
					abort();
		ret = frt_reader_next(r, &ev);
		if (ret != got || frt_reader_status(r) != frt_reader_status(rb) ||
		    strcmp(frt_reader_error(r) ?: "", frt_reader_error(rb) ?: "") ||
		    frt_reader_valid_bytes(r) != frt_reader_valid_bytes(rb))
			abort();
		frt_reader_stats(r);
		frt_reader_trailer(r);
		frt_reader_free(r);
		frt_reader_free(rb);
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
	/* SNAPSHOT frames' headers only, as replay's search for the end snapshot reads them */
	r = frt_reader_open(path, err, sizeof(err));
	if (r) {
		while (frt_reader_next_frame_head(r, FRT_FRAME_SNAPSHOT, &fi) > 0) {
			uint32_t len;
			const char *payload = frt_reader_frame_payload(r, &len);

			if (fi.type == FRT_FRAME_SNAPSHOT && payload && strnlen(payload, len + 1) > len)
				abort(); /* the payload is a C string */
		}
		frt_reader_free(r);
	}
	close(fd);
	return 0;
}
