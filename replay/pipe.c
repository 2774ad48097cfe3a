// SPDX-License-Identifier: MIT
/*
 * pipe.c - pipe_run(): a ring of event batches between one decoding thread
 * and one thread per consumer.
 *
 * The decoder fills batch number k in slot k % PIPE_BATCHES once every
 * consumer has finished batch k - PIPE_BATCHES; consumer i feeds batches
 * 0, 1, 2, ... in order. One mutex guards the counters only: batches are
 * filled and read outside it, a slot being owned by the decoder until it is
 * published and by the consumers until the last one is done with it.
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
	pthread_cond_t room; /* a consumer finished a batch, or gave up */
	struct batch *slots;
	uint64_t published;
	bool done, cancel;
	int nr;
	uint64_t consumed[PIPE_MAX_CONSUMERS];
	struct pipe_consumer *c;
};

struct worker {
	struct pipe *p;
	int i;
};

static void *consume(void *arg)
{
	struct worker *w = arg;
	struct pipe *p = w->p;
	struct pipe_consumer *c = &p->c[w->i];

	c->setup_ret = c->setup ? c->setup(c->ctx) : 0;
	if (c->setup_ret) {
		pthread_mutex_lock(&p->mu);
		p->cancel = true;
		pthread_cond_broadcast(&p->more);
		pthread_cond_broadcast(&p->room);
		pthread_mutex_unlock(&p->mu);
		return NULL;
	}
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->consumed[w->i] == p->published && !p->done && !p->cancel)
			pthread_cond_wait(&p->more, &p->mu);
		if (p->cancel || p->consumed[w->i] == p->published) {
			bool cancel = p->cancel;
			pthread_mutex_unlock(&p->mu);
			if (!cancel && c->end)
				c->end(c->ctx);
			return NULL;
		}
		const struct batch *b = &p->slots[p->consumed[w->i] % PIPE_BATCHES];
		pthread_mutex_unlock(&p->mu);

		c->feed(c->ctx, b->ev, b->n);

		pthread_mutex_lock(&p->mu);
		p->consumed[w->i]++;
		pthread_cond_signal(&p->room);
		pthread_mutex_unlock(&p->mu);
	}
}

/* the slowest consumer's progress */
static uint64_t min_consumed(const struct pipe *p)
{
	uint64_t m = UINT64_MAX;

	for (int i = 0; i < p->nr; i++)
		if (p->consumed[i] < m)
			m = p->consumed[i];
	return m;
}

/* wait for the next slot to be free; false when the pipe was cancelled */
static bool next_slot(struct pipe *p)
{
	bool ok;

	pthread_mutex_lock(&p->mu);
	while (!p->cancel && p->published - min_consumed(p) >= PIPE_BATCHES)
		pthread_cond_wait(&p->room, &p->mu);
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
		ret = frt_reader_next_frame(rd, &fi);
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
	bool in_events = false;
	struct pipe p = { .nr = nr, .c = c };
	struct worker w[PIPE_MAX_CONSUMERS];
	pthread_t t[PIPE_MAX_CONSUMERS];
	int started = 0, ret = 0, rr = 0;
	size_t total = 0;

	if (nr < 1 || nr > PIPE_MAX_CONSUMERS)
		return -EINVAL;
	p.slots = malloc(PIPE_BATCHES * sizeof(*p.slots));
	if (!p.slots)
		return -ENOMEM;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.more, NULL);
	pthread_cond_init(&p.room, NULL);
	for (; started < nr; started++) {
		w[started] = (struct worker){ .p = &p, .i = started };
		ret = -pthread_create(&t[started], NULL, consume, &w[started]);
		if (ret)
			break;
	}
	if (ret) { /* the ones running see the cancel and stop */
		pthread_mutex_lock(&p.mu);
		p.cancel = true;
		pthread_cond_broadcast(&p.more);
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
