/* SPDX-License-Identifier: MIT */
/*
 * bench.h - what the benchmarks share: clocks (wall and the thread's CPU) and medians.
 */
#ifndef FRAGREPLAY_BENCH_H
#define FRAGREPLAY_BENCH_H

#include <stdlib.h>
#include <time.h>

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * CPU seconds of the calling thread: what a single-threaded loop costs on
 * one core, less exposed than the wall clock to other tenants' load on a
 * shared host (time the thread waits for a CPU is not counted)
 */
static inline double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* sorts @v in place (v[0] is then the minimum, v[n - 1] the maximum) */
static inline double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
