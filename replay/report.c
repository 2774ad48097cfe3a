// SPDX-License-Identifier: MIT
/*
 * report.c - the session's figures as one table (report.h), for text,
 * markdown, CSV and HTML alike.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const char *const short_mt[] = { "unmov", "mov", "recl" };

const char *report_fallback_word(int alloc_mt, int fallback_mt, int claim)
{
	(void)fallback_mt;
	if (claim)
		return "claimer";
	return alloc_mt == MODEL_MT_MOVABLE ? "pollute" : "steal";
}

bool report_row_changed(const struct report_row *r, int nr)
{
	if (nr == 1)
		return r->v[0] != 0;
	for (int i = 1; i < nr; i++)
		if (r->v[i] != r->v[0])
			return true;
	return false;
}

char *report_fmt(char *buf, size_t len, int64_t v, bool index, bool sep, bool sign)
{
	char digits[32], out[48];
	uint64_t a = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;
	size_t o = 0;

	if (v < 0)
		out[o++] = '-';
	else if (sign && v > 0)
		out[o++] = '+';
	if (index) {
		snprintf(out + o, sizeof(out) - o, "%" PRIu64 ".%03" PRIu64, a / 1000, a % 1000);
	} else {
		int n = snprintf(digits, sizeof(digits), "%" PRIu64, a);
		for (int i = 0; i < n; i++) {
			if (sep && i && (n - i) % 3 == 0)
				out[o++] = ',';
			out[o++] = digits[i];
		}
		out[o] = 0;
	}
	snprintf(buf, len, "%s", out);
	return buf;
}

char *report_pct(char *buf, size_t len, int64_t a, int64_t b)
{
	if (a)
		snprintf(buf, len, "%+.1f%%", 100.0 * (double)(b - a) / (double)llabs(a));
	else
		snprintf(buf, len, "%s", b ? "new" : "-");
	return buf;
}

static struct report_row *add(struct report_table *t, size_t *cap)
{
	if (t->n == *cap) {
		size_t nc = *cap ? 2 * *cap : 128;
		struct report_row *r = realloc(t->rows, nc * sizeof(*r));
		if (!r)
			return NULL;
		t->rows = r;
		*cap = nc;
	}
	memset(&t->rows[t->n], 0, sizeof(t->rows[0]));
	return &t->rows[t->n++];
}

int report_table_build(const struct replay_session *s, struct report_table *t)
{
	static const struct { const char *key, *label; size_t off; } zf[] = {
		{ "free_pages", "free pages", offsetof(struct model_frag_metrics, free_pages) },
		{ "free_pageblocks", "free pageblocks",
		  offsetof(struct model_frag_metrics, free_pageblocks) },
		{ "mixed_pageblocks", "mixed pageblocks",
		  offsetof(struct model_frag_metrics, mixed_pageblocks) },
		{ "tainted_pageblocks", "tainted pageblocks",
		  offsetof(struct model_frag_metrics, tainted_pageblocks) },
	};
	struct session_run *const *runs = s->runs;
	const struct replay_stats *rec = replay_stats(runs[0]->r);
	struct model_zone_info zi;
	struct report_row *r;
	size_t cap = 0;

	memset(t, 0, sizeof(*t));
	t->nr = s->nr_runs;
	for (size_t k = 0; k < session_nr_figures; k++) {
		const struct session_figure *fig = &session_figures[k];
		if (!(r = add(t, &cap)))
			goto nomem;
		r->section = ROW_FIGURE;
		r->group = fig->group;
		r->index = fig->signed_index;
		snprintf(r->key, sizeof(r->key), "%s", fig->key);
		snprintf(r->label, sizeof(r->label), "%s", fig->label);
		for (int i = 0; i < t->nr; i++)
			r->v[i] = (int64_t)fig->get(runs[i]);
	}
	for (unsigned int z = 0; z < model_nr_zones(runs[0]->m); z++) {
		model_zone_info(runs[0]->m, z, &zi);
		for (size_t k = 0; k < sizeof(zf) / sizeof(zf[0]); k++) {
			if (!(r = add(t, &cap)))
				goto nomem;
			r->section = ROW_ZONE;
			snprintf(r->key, sizeof(r->key), "zone.%s.%s", frt_zone_idx_name(zi.type),
				 zf[k].key);
			snprintf(r->label, sizeof(r->label), "%s %s", frt_zone_idx_name(zi.type),
				 zf[k].label);
			for (int i = 0; i < t->nr; i++)
				r->v[i] = (int64_t)*(const uint64_t *)((const char *)&runs[i]->end_zone[z] +
								     zf[k].off);
		}
	}
	for (int a = 0; a < MODEL_NR_PCPTYPES; a++)
		for (int b = 0; b < MODEL_NR_PCPTYPES; b++)
			for (int k = 1; k >= 0; k--) {
				if (a == b)
					continue;
				if (!(r = add(t, &cap)))
					goto nomem;
				const char *w = report_fallback_word(a, b, k);
				r->section = ROW_FALLBACK;
				snprintf(r->key, sizeof(r->key), "fallback.%s.%s<-%s", w, frt_mt_key(a),
					 frt_mt_key(b));
				snprintf(r->label, sizeof(r->label), "%s %s<-%s", w, short_mt[a],
					 short_mt[b]);
				r->has_kernel = true;
				r->kernel = (int64_t)rec->recorded.extfrag[a][b][k];
				for (int i = 0; i < t->nr; i++)
					r->v[i] = (int64_t)replay_stats(runs[i]->r)->model_extfrag[a][b][k];
			}
	return 0;
nomem:
	report_table_free(t);
	return -ENOMEM;
}

void report_table_free(struct report_table *t)
{
	free(t->rows);
	memset(t, 0, sizeof(*t));
}
