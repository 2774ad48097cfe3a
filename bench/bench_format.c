// SPDX-License-Identifier: MIT
/*
 * bench_format.c - format v1 throughput on a real trace: reader decode rate
 * (events/s, one core) and writer encode rate and bytes/event at several
 * zstd levels; for a trace with tasks (format 1.1), also what the same
 * events cost without them, so the task records' share is measured on the
 * very same events. Prints medians of several runs; no pass/fail.
 *
 * Decode is measured three ways: the frames alone (read and CRC of every
 * frame, zstd of the EVENTS frames, which are all the decoders decompress
 * but STATS and the trailer: the floor under any event decoder), events one call at a time
 * (frt_reader_next) and in batches (frt_reader_next_batch, replay's way).
 *
 * Usage: bench_format TRACE.frt [RUNS] [--decode-only | --batch-only]
 *   --decode-only: the decode figures only; --batch-only: the batch decoder
 *   only, for perf record / perf stat
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "trace.h"

static struct frt_event *load(const char *path, size_t *n)
{
	struct frt_reader *r = frt_reader_open(path, NULL, 0);
	struct frt_event *evs = NULL, ev;
	size_t cap = 0;

	*n = 0;
	while (r && frt_reader_next(r, &ev) > 0) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			evs = realloc(evs, cap * sizeof(*evs));
		}
		evs[(*n)++] = ev;
	}
	frt_reader_free(r);
	return evs;
}

enum decode_how {
	FRAMES_ONLY, /* read and check every frame, decompress those the decoders do: the floor */
	PER_EVENT,   /* frt_reader_next(): one call per event */
	BATCH,       /* frt_reader_next_batch(): replay's way (replay/pipe.c) */
};
#define BATCH_EVENTS 1024 /* PIPE_BATCH */

/* Decode the whole file; returns events decoded (frames for FRAMES_ONLY), or 0 on error. */
static size_t decode_all(const char *path, enum decode_how how, struct frt_event *batch,
			 uint64_t *sink)
{
	struct frt_reader *r = frt_reader_open(path, NULL, 0);
	struct frt_frame_info fi;
	ssize_t got;
	size_t n = 0;

	if (!r)
		return 0;
	switch (how) {
	case FRAMES_ONLY:
		/* the EVENTS frames (and the trailer): the decoders decompress no other
		 * frame but the small STATS */
		while (frt_reader_next_frame_of(r, FRT_FRAME_EVENTS, &fi) > 0)
			n++;
		break;
	case PER_EVENT:
		while (frt_reader_next(r, batch) > 0) {
			*sink += batch->f[0] + batch->ts;
			n++;
		}
		break;
	case BATCH:
		while ((got = frt_reader_next_batch(r, batch, BATCH_EVENTS)) > 0) {
			for (ssize_t i = 0; i < got; i++)
				*sink += batch[i].f[0] + batch[i].ts;
			n += (size_t)got;
		}
		break;
	}
	frt_reader_free(r);
	return n;
}

/* Median CPU seconds of @runs decodes of @path; *@n: what decode_all() returns. */
static double decode_time(const char *path, enum decode_how how, int runs,
			  struct frt_event *batch, uint64_t *sink, size_t *n)
{
	double t[64];

	for (int i = 0; i < runs; i++) {
		double t0 = cpu_now();

		*n = decode_all(path, how, batch, sink);
		t[i] = cpu_now() - t0;
	}
	return median(t, runs);
}

/* Write @evs to @path (replaced) as the writer would with @o. */
static int encode_all(const struct frt_event *evs, size_t n, const struct frt_writer_opts *o,
		      const char *meta, const char *path, uint64_t *bytes)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	struct frt_writer *w;
	int err = 0;

	if (fd < 0)
		return -errno;
	w = frt_writer_new(fd, meta, o);
	if (!w)
		return -errno;
	for (size_t i = 0; i < n && !err; i++)
		err = frt_writer_add(w, &evs[i]);
	*bytes = frt_writer_bytes(w);
	if (err) {
		frt_writer_abort(w);
		return err;
	}
	err = frt_writer_close(w);
	return err;
}

int main(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[2]) : 7;
	double t[64];
	uint64_t sink = 0, bytes = 0;
	size_t n, evs_n;
	struct frt_event *evs;
	struct frt_reader *r;
	uint8_t *task_of;
	bool tasks = false;
	char *meta;

	if (argc < 2 || runs < 1 || runs > 64) {
		fprintf(stderr, "usage: bench_format TRACE.frt [RUNS<=64] [--decode-only | --batch-only]\n");
		return 2;
	}
	r = frt_reader_open(argv[1], NULL, 0);
	if (!r) {
		fprintf(stderr, "bench_format: cannot open %s\n", argv[1]);
		return 1;
	}
	meta = strdup(frt_reader_meta(r));
	frt_reader_free(r);
	printf("trace: %s, %d runs, medians (decode: of the thread's CPU time)\n", argv[1], runs);

	static const struct { const char *name; enum decode_how how; } ways[] = {
		{ "reader frames only (CRC+zstd)", FRAMES_ONLY },
		{ "reader decode, per event", PER_EVENT },
		{ "reader decode, batch", BATCH },
	};
	struct frt_event *batch = malloc(BATCH_EVENTS * sizeof(*batch));
	uint64_t sums[3] = { 0 };
	double frames_s = 0;
	size_t events = 0;

	bool batch_only = argc > 3 && !strcmp(argv[3], "--batch-only");

	for (size_t w = batch_only ? 2 : 0; w < 3; w++) {
		double s = decode_time(argv[1], ways[w].how, runs, batch, &sums[w], &n);

		if (ways[w].how == FRAMES_ONLY) {
			frames_s = s;
			continue;
		}
		events = n;
		printf("%-30s %6.1f M events/s  (%zu events in %.3f s)\n", ways[w].name,
		       n / s / 1e6, n, s);
	}
	if (batch_only)
		return sums[2] == 42 ? 3 : 0;
	printf("%-30s %6.1f M events/s  (%.3f s)\n", ways[0].name, events / frames_s / 1e6,
	       frames_s);
	sink = sums[1] ^ sums[2];
	if (sums[1] != sums[2]) {
		fprintf(stderr, "bench_format: the batch decoder read other events\n");
		return 1;
	}

	/* the profile of decoding alone: no copy of the events in memory */
	if (argc > 3 && !strcmp(argv[3], "--decode-only"))
		return sink == 42 ? 3 : 0;

	evs = load(argv[1], &evs_n);
	task_of = malloc(evs_n + 1);
	for (size_t i = 0; i < evs_n && task_of; i++)
		tasks |= task_of[i] = evs[i].has_task;

	static const struct { const char *name; struct frt_writer_opts o; } cfgs[] = {
		{ "writer zstd level 3 (default)", { 0 } },
		{ "writer zstd level 1", { .zstd_level = 1 } },
		{ "writer zstd level -1 (fast)", { .zstd_level = -1 } },
		{ "writer zstd level -3 (fast)", { .zstd_level = -3 } },
		{ "writer zstd level 19", { .zstd_level = 19 } },
		{ "writer stored (no zstd)", { .store = true } },
	};
	/* each encoding decoded too: what zstd's level costs the reader */
	char path[] = "/tmp/bench-format-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0) {
		perror("bench_format: mkstemp");
		return 1;
	}
	close(fd);
	printf("%-30s %6s                %s  %s\n", "", "encode", "bytes/event",
	       "decode: batch, frames only (M events/s)");
	for (size_t c = 0; c < sizeof(cfgs) / sizeof(cfgs[0]); c++) {
		double batch_s, frames_only_s;
		int err = 0;

		if (c == 1 && tasks) {
			/* the default level once more, the events' tasks left out */
			uint64_t with = bytes;

			for (size_t i = 0; i < evs_n; i++)
				evs[i].has_task = 0;
			err = encode_all(evs, evs_n, &cfgs[0].o, meta, path, &bytes);
			if (err)
				return 1;
			printf("%-30s %6s                 %5.2f bytes/event: tasks cost %.3f "
			       "bytes/event\n", "  ... without tasks", "", (double)bytes / evs_n,
			       ((double)with - (double)bytes) / (double)evs_n);
			for (size_t i = 0; i < evs_n; i++)
				evs[i].has_task = task_of[i];
		}
		for (int i = 0; i < runs && !err; i++) {
			double t0 = now();

			err = encode_all(evs, evs_n, &cfgs[c].o, meta, path, &bytes);
			t[i] = now() - t0;
		}
		if (err) {
			fprintf(stderr, "%s: error %d\n", cfgs[c].name, err);
			unlink(path);
			return 1;
		}
		batch_s = decode_time(path, BATCH, runs, batch, &sink, &n);
		frames_only_s = decode_time(path, FRAMES_ONLY, runs, batch, &sink, &n);
		printf("%-30s %6.1f M events/s, %5.2f bytes/event, %6.1f, %6.1f\n", cfgs[c].name,
		       evs_n / median(t, runs) / 1e6, (double)bytes / (double)evs_n,
		       evs_n / batch_s / 1e6, evs_n / frames_only_s / 1e6);
	}
	unlink(path);
	free(batch);
	free(task_of);
	free(evs);
	free(meta);
	return sink == 42 ? 3 : 0; /* keeps the decode loop from being optimised out */
}
