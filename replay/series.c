/* SPDX-License-Identifier: MIT */
/*
 * series.c - fragmentation figures over trace time (series.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "series.h"

int replay_series_init(struct replay_series *se, uint64_t start_ns, uint64_t interval_ns,
		       size_t cap)
{
	se->cap = cap < 2 ? 2 : cap & ~(size_t)1;
	se->s = calloc(se->cap, sizeof(*se->s));
	se->n = 0;
	se->interval_ns = interval_ns ? interval_ns : 1;
	se->start_ns = start_ns;
	se->next_ns = start_ns;
	return se->s ? 0 : -ENOMEM;
}

int replay_series_copy(struct replay_series *dst, const struct replay_series *src)
{
	*dst = *src;
	dst->s = malloc(src->cap * sizeof(*src->s));
	if (!dst->s)
		return -ENOMEM;
	memcpy(dst->s, src->s, src->cap * sizeof(*src->s));
	return 0;
}

void replay_series_free(struct replay_series *se)
{
	free(se->s);
	se->s = NULL;
}

static void sample(struct replay_series *se, const struct replay *r, const struct model *m,
		   uint64_t now_ns)
{
	struct model_frag_metrics fm;

	if (se->n == se->cap) { /* keep every other sample, sample half as often */
		for (size_t i = 0; i < se->n / 2; i++)
			se->s[i] = se->s[2 * i];
		se->n /= 2;
		se->interval_ns = se->interval_ns > UINT64_MAX / 2 ? UINT64_MAX : se->interval_ns * 2;
	}
	model_metrics(m, -1, &fm);
	struct replay_sample *s = &se->s[se->n++];
	s->t_ns = now_ns - se->start_ns;
	s->free_pages = (int64_t)fm.free_pages;
	s->free_pageblocks = (int64_t)fm.free_pageblocks;
	s->unusable_index_9 = fm.nr_orders > 9 ? fm.unusable_index[9] : 0;
	s->fragmentation_index_9 = fm.nr_orders > 9 ? fm.frag_index[9] : 0;
	s->mixed_pageblocks = (int64_t)fm.mixed_pageblocks;
	s->tainted_pageblocks = (int64_t)fm.tainted_pageblocks;
	s->tainted_ranges_1g = (int64_t)fm.tainted_ranges_1g;
	s->model_failed = (int64_t)replay_stats(r)->model_failed;
	s->thp_fault_alloc = (int64_t)model_counter(m, MODEL_THP_FAULT_ALLOC);
	s->thp_fault_fallback = (int64_t)model_counter(m, MODEL_THP_FAULT_FALLBACK);
	s->extfrag_claim = (int64_t)model_counter(m, MODEL_EXTFRAG_CLAIM);
	s->extfrag_steal = (int64_t)model_counter(m, MODEL_EXTFRAG_STEAL);
	s->compact_stall = (int64_t)model_counter(m, MODEL_COMPACT_STALL);
}

void replay_series_tick(struct replay_series *se, const struct replay *r,
			const struct model *m, uint64_t now_ns)
{
	if (now_ns < se->next_ns)
		return;
	sample(se, r, m, now_ns);
	/* the first interval boundary after now, in one step: a gap of hours at
	 * a 1 ns interval, or an interval near 2^64, must not loop or wrap */
	uint64_t ahead = se->interval_ns - (now_ns - se->next_ns) % se->interval_ns;
	se->next_ns = now_ns > UINT64_MAX - ahead ? UINT64_MAX : now_ns + ahead;
}

void replay_series_end(struct replay_series *se, const struct replay *r,
		       const struct model *m, uint64_t now_ns)
{
	if (se->n && se->s[se->n - 1].t_ns == now_ns - se->start_ns)
		return;
	sample(se, r, m, now_ns);
}
