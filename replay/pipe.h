/* SPDX-License-Identifier: MIT */
/*
 * pipe.h - one decoder, several consumers: a trace's events decoded once on
 * the calling thread and handed, in batches and in file order, to each
 * consumer on a thread of its own (or fewer threads, each stepping its
 * consumers batch by batch: pipe_set_threads()). `compare` runs its models
 * this way, so A and B cost about one replay on two cores; `replay` runs its
 * one model beside the decoder.
 *
 * Memory is bounded: PIPE_BATCHES batches of PIPE_BATCH events, each reused
 * once every consumer is done with it. A batch (104 KiB) stays in a core's
 * cache while a thread feeds it to each of its consumers: compare of 4
 * variants on 2 threads took 3% more CPU with batches of 4096 events (on a
 * thread each, the same). The ring of 64 (6.5 MiB) lets the decoder and
 * the models drift apart by more before one of them sleeps: against 16, a
 * 4-way compare of the largest sample took 0.78x the wall time and replay
 * 0.89x (bench_ab.sh, 7 interleaved rounds, load ~2; a ring of 128 was no
 * better than 64). At load 8-15 a ring of 128 had cost 1.06-1.10x, the
 * scheduler giving a thread that sleeps less a smaller share.
 */
#ifndef FRAGREPLAY_REPLAY_PIPE_H
#define FRAGREPLAY_REPLAY_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "trace.h"

#define PIPE_BATCH 1024
#define PIPE_BATCHES 64
#define PIPE_MAX_CONSUMERS 8

struct pipe_consumer {
	/* on the consumer's thread, before any event; nonzero stops the pipe
	 * (after the setups of the consumers that share its thread) */
	int (*setup)(void *ctx);
	/* @n events in file order */
	void (*feed)(void *ctx, const struct frt_event *ev, size_t n);
	/* on the consumer's thread, after the last event (not after a failed setup) */
	void (*end)(void *ctx);
	void *ctx;
	int setup_ret; /* what setup returned */
};

/* called on the decoding thread after each batch is queued */
typedef void (*pipe_progress_fn)(void *ctx, const struct frt_reader *rd, size_t events);
/*
 * called on the decoding thread for each frame that is not EVENTS (SNAPSHOT,
 * STATS, TRAILER) as the decoder passes it, with its decoded payload; the
 * payload is the reader's and is gone at the next frame
 */
typedef void (*pipe_frame_fn)(void *ctx, const struct frt_frame_info *fi, const char *payload,
			      uint32_t len);

/*
 * pipe_set_threads - the consumer threads of the pipe_run()s that follow: at
 * most @n; 0, the default: one per consumer. Not thread-safe. For a caller
 * that runs several pipes at once on few CPUs, and for tests, which check
 * that the outcome does not depend on it.
 */
void pipe_set_threads(int n);

/**
 * pipe_run - decode @rd to its end and feed every consumer
 *
 * @progress and @frame (either may be NULL) get @ctx. Without @frame the
 * decoder only checks the frames that hold no events (SNAPSHOT's CRC), as
 * frt_reader_next_batch() does, and decompresses none of them.
 * Returns 0 when every consumer saw every event; the reader's last return
 * (0, or a negative errno for a damaged frame: the valid prefix was fed) is
 * left in *@read_ret. Returns -ECANCELED when a consumer's setup failed
 * (its setup_ret says why; the other consumers stop too), or another
 * negative errno when a thread cannot start.
 */
int pipe_run(struct frt_reader *rd, struct pipe_consumer *c, int nr, pipe_progress_fn progress,
	     pipe_frame_fn frame, void *ctx, int *read_ret);
/* pipe_run() on at most @threads consumer threads (0: one per consumer),
 * unless pipe_set_threads() says otherwise */
int pipe_run_threads(int threads, struct frt_reader *rd, struct pipe_consumer *c, int nr,
		     pipe_progress_fn progress, pipe_frame_fn frame, void *ctx, int *read_ret);

#endif
