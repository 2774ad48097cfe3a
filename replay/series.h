/* SPDX-License-Identifier: MIT */
/*
 * series.h - fragmentation figures sampled on the trace clock while a
 * replay runs, in bounded memory: when the buffer is full, every other
 * sample is dropped and the interval doubles.
 */
#ifndef FRAGREPLAY_REPLAY_SERIES_H
#define FRAGREPLAY_REPLAY_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* the figures of one sample; the names are the JSON keys (README, "Report JSON") */
#define REPLAY_SERIES_FIELDS(X)                                                           \
	X(free_pages) X(free_pageblocks) X(unusable_index_9) X(fragmentation_index_9)       \
	X(mixed_pageblocks) X(tainted_pageblocks) X(tainted_ranges_1g) X(model_failed)      \
	X(thp_fault_alloc) X(thp_fault_fallback) X(extfrag_claim) X(extfrag_steal)          \
	X(compact_stall)

struct replay_sample {
	uint64_t t_ns; /* since the start snapshot */
#define X(f) int64_t f;
	REPLAY_SERIES_FIELDS(X)
#undef X
};

struct replay_series {
	struct replay_sample *s;
	size_t n, cap;
	uint64_t interval_ns, start_ns, next_ns;
};

/* 0 or -ENOMEM; @cap samples at most (an even number) */
int replay_series_init(struct replay_series *se, uint64_t start_ns, uint64_t interval_ns,
		       size_t cap);
/* @src's samples so far, into @dst (not initialised): 0 or -ENOMEM */
int replay_series_copy(struct replay_series *dst, const struct replay_series *src);
void replay_series_free(struct replay_series *se);
/* after each event: samples @m when the trace clock passed the next point */
void replay_series_tick(struct replay_series *se, const struct replay *r,
			const struct model *m, uint64_t now_ns);
/* the last sample, at the end of the trace */
void replay_series_end(struct replay_series *se, const struct replay *r,
		       const struct model *m, uint64_t now_ns);

#endif
