// SPDX-License-Identifier: MIT
/*
 * progress.c - the progress line of replay, compare and validate: the
 * share of the trace file read, events/s and the time left, every quarter
 * second once the command has run for one. Nothing when stderr is not a
 * terminal.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "main.h"
#include "trace.h"

static double wall(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void progress_init(struct progress *p, const char *cmd)
{
	p->on = isatty(STDERR_FILENO);
	p->cmd = cmd;
	p->t0 = wall();
	p->next = p->t0 + 1.0;
}

void progress_tick(void *ctx, const struct frt_reader *rd, size_t events)
{
	struct progress *p = ctx;

	if (!p->on)
		return;
	double now = wall();
	if (now < p->next)
		return;
	p->next = now + 0.25;
	double done = (double)frt_reader_valid_bytes(rd) / (double)frt_reader_file_size(rd);
	double rate = (double)events / (now - p->t0);
	double left = done > 0 ? (now - p->t0) * (1 - done) / done : 0;
	fprintf(stderr, "\rfragreplay %s: %3.0f%%  %.1f M events/s  %.0f s left ", p->cmd,
		100 * done, rate / 1e6, left);
}

void progress_end(struct progress *p)
{
	if (p->on && p->next > p->t0 + 1.0)
		fprintf(stderr, "\r%*s\r", 64, "");
}
