// SPDX-License-Identifier: MIT
/*
 * pipe.c - pipe_run(): a ring of event batches between one decoding thread
 * and worker threads, each stepping its share of the consumers.
 *
 * A worker per consumer unless pipe_set_threads() says fewer: consumer i is
 * worker i % workers', and a worker feeds batch k to each of its consumers
 * in turn. Fewer workers than consumers costs less CPU (4 variants on 2
 * workers on 2 CPUs: ~2% less than on 4, the batch read from cache by all
 * but the first), but on a host shared with other busy processes the
 * scheduler gives each thread its share, and 2 workers took 1.3x the wall
 * time of 4 (compare of the largest sample at load average 7), so the
 * default is a worker each. Consumers are independent: which thread feeds
 * one changes nothing of it.
 *
 * The decoder fills batch number k in slot k % PIPE_BATCHES once every
 * worker has finished batch k - PIPE_BATCHES; worker w feeds batches 0, 1,
 * 2, ... in order. One mutex guards the counters only: batches are filled
 * and read outside it, a slot being owned by the decoder until it is
 * published and by the workers until the last one is done with it.
 * Wakeups are few: a full ring wakes the decoder only when half of it is
 * free again, and a batch wakes only the workers that wait for one.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "pipe.h"

struct batch {
	size_t n;
	struct frt_event ev[PIPE_BATCH];
};

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t more; /* a batch was published, or the end */
	pthread_cond_t room; /* half of the ring is free, or a worker gave up */
	struct batch *slots;
	uint64_t published;
	bool done, cancel;
	bool decoder_waits;  /* for room */
	int workers_wait;    /* how many wait for more */
	int nr, nw;          /* consumers, workers */
	uint64_t consumed[PIPE_MAX_CONSUMERS]; /* per worker */
	struct pipe_consumer *c;
};

struct worker {
	struct pipe *p;
	int w;
};

static int forced_threads;

void pipe_set_threads(int n)
{
	forced_threads = n > 0 ? n : 0;
}

static void cancel_locked(struct pipe *p)
{
	p->cancel = true;
	pthread_cond_broadcast(&p->more);
	pthread_cond_broadcast(&p->room);
}

/* the slowest worker's progress */
static uint64_t min_consumed(const struct pipe *p)
{
	uint64_t m = UINT64_MAX;

	for (int i = 0; i < p->nw; i++)
		if (p->consumed[i] < m)
			m = p->consumed[i];
	return m;
}

static void *work(void *arg)
{
	struct worker *me = arg;
	struct pipe *p = me->p;
	bool failed = false;
	uint64_t k;

	/* every setup runs, as each says why it failed */
	for (int i = me->w; i < p->nr; i += p->nw) {
		struct pipe_consumer *c = &p->c[i];
		c->setup_ret = c->setup ? c->setup(c->ctx) : 0;
		failed |= c->setup_ret != 0;
	}
	if (failed) {
		pthread_mutex_lock(&p->mu);
		cancel_locked(p);
		pthread_mutex_unlock(&p->mu);
		return NULL;
	}
	for (;;) {
		pthread_mutex_lock(&p->mu);
		k = p->consumed[me->w];
		while (k == p->published && !p->done && !p->cancel) {
			p->workers_wait++;
			pthread_cond_wait(&p->more, &p->mu);
			p->workers_wait--;
		}
		if (p->cancel || k == p->published) {
			bool cancel = p->cancel;
			pthread_mutex_unlock(&p->mu);
			for (int i = me->w; !cancel && i < p->nr; i += p->nw)
				if (p->c[i].end)
					p->c[i].end(p->c[i].ctx);
			return NULL;
		}
		pthread_mutex_unlock(&p->mu);

		const struct batch *b = &p->slots[k % PIPE_BATCHES];
		for (int i = me->w; i < p->nr; i += p->nw)
			p->c[i].feed(p->c[i].ctx, b->ev, b->n);

		pthread_mutex_lock(&p->mu);
		p->consumed[me->w] = k + 1;
		if (p->decoder_waits && p->published - min_consumed(p) <= PIPE_BATCHES / 2)
			pthread_cond_signal(&p->room);
		pthread_mutex_unlock(&p->mu);
	}
}

/* wait for the next slot to be free; false when the pipe was cancelled */
static bool next_slot(struct pipe *p)
{
	bool ok;

	pthread_mutex_lock(&p->mu);
	if (p->published - min_consumed(p) >= PIPE_BATCHES) {
		p->decoder_waits = true;
		while (!p->cancel && p->published - min_consumed(p) > PIPE_BATCHES / 2)
			pthread_cond_wait(&p->room, &p->mu);
		p->decoder_waits = false;
	}
	ok = !p->cancel;
	pthread_mutex_unlock(&p->mu);
	return ok;
}

static void publish(struct pipe *p, bool last)
{
	pthread_mutex_lock(&p->mu);
	if (!last)
		p->published++;
	else
		p->done = true;
	if (p->workers_wait)
		pthread_cond_broadcast(&p->more);
	pthread_mutex_unlock(&p->mu);
}

/*
 * frt_reader_next_batch(), frame by frame, so that @frame sees the frames
 * between the events: up to @max events into @ev. Returns how many, 0 at the
 * end, or the reader's negative errno (after the events before it).
 * *@in_events says an EVENTS frame is being read. The frame's end is the
 * reader's to say (a batch of 0): its record count includes task records
 * (format 1.1), which are not events.
 */
static ssize_t next_events(struct frt_reader *rd, struct frt_event *ev, size_t max,
			   bool *in_events, pipe_frame_fn frame, void *ctx)
{
	struct frt_frame_info fi;
	ssize_t n;
	int ret;

	for (;;) {
		if (*in_events) {
			n = frt_reader_frame_batch(rd, ev, max);
			if (n)
				return n;
			*in_events = false;
		}
		/* without @frame, SNAPSHOT frames are only checked: the start
		 * snapshot's ~40 MB were decompressed for nothing on the largest
		 * sample, before compare's first batch */
		ret = frame ? frt_reader_next_frame(rd, &fi) : frt_reader_next_frame_kept(rd, &fi);
		if (ret <= 0)
			return ret;
		if (fi.type == FRT_FRAME_EVENTS) {
			*in_events = true;
		} else if (frame) {
			uint32_t len;
			const char *payload = frt_reader_frame_payload(rd, &len);
			frame(ctx, &fi, payload, len);
		}
	}
}

int pipe_run(struct frt_reader *rd, struct pipe_consumer *c, int nr, pipe_progress_fn progress,
	     pipe_frame_fn frame, void *ctx, int *read_ret)
{
	return pipe_run_threads(0, rd, c, nr, progress, frame, ctx, read_ret);
}

int pipe_run_threads(int threads, struct frt_reader *rd, struct pipe_consumer *c, int nr,
		     pipe_progress_fn progress, pipe_frame_fn frame, void *ctx, int *read_ret)
{
	bool in_events = false;
	struct pipe p = { .nr = nr, .c = c };
	struct worker w[PIPE_MAX_CONSUMERS];
	pthread_t t[PIPE_MAX_CONSUMERS];
	int started = 0, ret = 0, rr = 0;
	size_t total = 0;

	if (nr < 1 || nr > PIPE_MAX_CONSUMERS)
		return -EINVAL;
	p.nw = forced_threads ? forced_threads : threads > 0 ? threads : nr;
	if (p.nw > nr)
		p.nw = nr;
	p.slots = malloc(PIPE_BATCHES * sizeof(*p.slots));
	if (!p.slots)
		return -ENOMEM;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.more, NULL);
	pthread_cond_init(&p.room, NULL);
	for (; started < p.nw; started++) {
		w[started] = (struct worker){ .p = &p, .w = started };
		ret = -pthread_create(&t[started], NULL, work, &w[started]);
		if (ret)
			break;
	}
	if (ret) { /* the ones running see the cancel and stop */
		pthread_mutex_lock(&p.mu);
		cancel_locked(&p);
		pthread_mutex_unlock(&p.mu);
	}
	while (!ret && next_slot(&p)) {
		struct batch *b = &p.slots[p.published % PIPE_BATCHES];
		ssize_t got = 0;

		b->n = 0;
		while (b->n < PIPE_BATCH &&
		       (got = next_events(rd, &b->ev[b->n], PIPE_BATCH - b->n, &in_events, frame,
					  ctx)) > 0)
			b->n += (size_t)got;
		rr = got > 0 ? 1 : (int)got;
		if (b->n) {
			total += b->n;
			publish(&p, false);
			if (progress)
				progress(ctx, rd, total);
		}
		if (rr <= 0)
			break;
	}
	publish(&p, true);
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	if (!ret && p.cancel)
		ret = -ECANCELED;
	pthread_cond_destroy(&p.room);
	pthread_cond_destroy(&p.more);
	pthread_mutex_destroy(&p.mu);
	free(p.slots);
	*read_ret = rr;
	return ret;
}
