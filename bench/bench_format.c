// SPDX-License-Identifier: MIT
/*
 * bench_format.c - format v1 throughput on a real trace: reader decode rate
 * (events/s, one core) and writer encode rate and bytes/event at several
 * zstd levels; for a trace with tasks (format 1.1), also what the same
 * events cost without them, so the task records' share is measured on the
 * very same events. Prints medians of several runs; no pass/fail.
 *
 * Usage: bench_format TRACE.frt [RUNS] [--decode-only]   (the latter for profiling)
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

/* Decode the whole file; returns events decoded, or 0 on error. */
static size_t decode_all(const char *path, uint64_t *sink)
{
	struct frt_reader *r = frt_reader_open(path, NULL, 0);
	struct frt_event ev;
	size_t n = 0;

	if (!r)
		return 0;
	while (frt_reader_next(r, &ev) > 0) {
		*sink += ev.f[0];
		n++;
	}
	frt_reader_free(r);
	return n;
}

static int encode_all(const struct frt_event *evs, size_t n, const struct frt_writer_opts *o,
		      const char *meta, uint64_t *bytes)
{
	char path[] = "/tmp/bench-format-XXXXXX";
	int fd = mkstemp(path);
	struct frt_writer *w;
	int err = 0;

	if (fd < 0)
		return -errno;
	unlink(path);
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
		fprintf(stderr, "usage: bench_format TRACE.frt [RUNS<=64]\n");
		return 2;
	}
	r = frt_reader_open(argv[1], NULL, 0);
	if (!r) {
		fprintf(stderr, "bench_format: cannot open %s\n", argv[1]);
		return 1;
	}
	meta = strdup(frt_reader_meta(r));
	frt_reader_free(r);
	evs = load(argv[1], &evs_n);
	task_of = malloc(evs_n + 1);
	for (size_t i = 0; i < evs_n && task_of; i++)
		tasks |= task_of[i] = evs[i].has_task;
	printf("trace: %s, %zu events, %d runs, medians\n", argv[1], evs_n, runs);

	for (int i = 0; i < runs; i++) {
		double t0 = now();

		n = decode_all(argv[1], &sink);
		t[i] = now() - t0;
	}
	printf("reader decode:             %8.1f M events/s  (%zu events in %.3f s)\n",
	       n / median(t, runs) / 1e6, n, median(t, runs));

	if (argc > 3 && !strcmp(argv[3], "--decode-only"))
		return sink == 42 ? 3 : 0;

	static const struct { const char *name; struct frt_writer_opts o; } cfgs[] = {
		{ "writer zstd level 3 (default)", { 0 } },
		{ "writer zstd level 1", { .zstd_level = 1 } },
		{ "writer zstd level -1 (fast)", { .zstd_level = -1 } },
		{ "writer zstd level -3 (fast)", { .zstd_level = -3 } },
		{ "writer zstd level 19", { .zstd_level = 19 } },
		{ "writer stored (no zstd)", { .store = true } },
	};
	for (size_t c = 0; c < sizeof(cfgs) / sizeof(cfgs[0]); c++) {
		int err = 0;

		if (c == 1 && tasks) {
			/* the default level once more, the events' tasks left out */
			uint64_t with = bytes;

			for (size_t i = 0; i < evs_n; i++)
				evs[i].has_task = 0;
			err = encode_all(evs, evs_n, &cfgs[0].o, meta, &bytes);
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

			err = encode_all(evs, evs_n, &cfgs[c].o, meta, &bytes);
			t[i] = now() - t0;
		}
		if (err) {
			fprintf(stderr, "%s: error %d\n", cfgs[c].name, err);
			return 1;
		}
		printf("%-30s %6.1f M events/s, %5.2f bytes/event\n", cfgs[c].name,
		       evs_n / median(t, runs) / 1e6, (double)bytes / (double)evs_n);
	}
	free(task_of);
	free(evs);
	free(meta);
	return sink == 42 ? 3 : 0; /* keeps the decode loop from being optimised out */
}
