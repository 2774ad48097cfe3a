// SPDX-License-Identifier: MIT
/*
 * checks.c - validate's verdicts. The bars (issue 15's acceptance; README,
 * "Fidelity"), from validate's lines (fidelity.c) and the engine's stats:
 *
 *   score              page-weighted fidelity score >= 90
 *   free_pages_by_order the end free pages per order, summed over the types,
 *                      agree >= 95% page-weighted (sum of the smaller side
 *                      over the sum of the larger, each order's blocks x 2^o)
 *   pageblock_types    at most 1% of the pageblocks differ in type (half the
 *                      sum of |kernel - model| per type over the kernel's)
 *   fallbacks          every "fallback claims/steals A <- F" line within 10%
 *                      of the kernel's count, or within 3 where it is under 30
 *   compact_stall      within 20% (or 3 under 15: a count that small is noise)
 *   thp_faults         thp_fault_alloc and thp_fault_fallback each within 10%,
 *                      or within 3 where under 30
 *   unmatched_frees    under 0.5% of the freed pages
 *   model_failures     model-only failures under 0.1% of the requests
 *
 * A bar the trace cannot measure (no end snapshot, no vmstat copy, no line of
 * that kind on either side) is n/a, neither met nor missed; so is
 * free_pages_by_order where the end snapshot's free pages are more than 5%
 * from the trace's end (fidelity.h end_apart_pct): the walk is of another
 * moment, and totals that far apart cannot agree per order.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

const char *check_state_name(enum check_state s)
{
	return s == CHECK_PASS ? "pass" : s == CHECK_FAIL ? "FAIL" : "n/a";
}

static const struct fidelity_line *line(const struct fidelity *f, const char *name)
{
	for (size_t i = 0; i < f->nr_lines; i++)
		if (!strcmp(f->lines[i].name, name))
			return &f->lines[i];
	return NULL;
}

/* |kernel - model| within @pct% of the kernel's, or within @abs where the
 * kernel's count is under @small */
static bool near(int64_t kernel, int64_t model, double pct, int64_t abs_slack, int64_t small)
{
	int64_t d = llabs(kernel - model);

	if (llabs(kernel) < small && d <= abs_slack)
		return true;
	return (double)d <= pct / 100.0 * (double)llabs(kernel);
}

static struct fidelity_check *add(struct fidelity_check *out, size_t *n, const char *key,
				  const char *what, const char *target)
{
	struct fidelity_check *c = &out[(*n)++];

	memset(c, 0, sizeof(*c));
	c->key = key;
	c->what = what;
	c->target = target;
	c->state = CHECK_NA;
	snprintf(c->measured, sizeof(c->measured), "-");
	return c;
}

static void verdict(struct fidelity_check *c, bool ok)
{
	c->state = ok ? CHECK_PASS : CHECK_FAIL;
}

size_t fidelity_checks(const struct fidelity *f, const struct replay_stats *st,
		       struct fidelity_check out[FIDELITY_MAX_CHECKS])
{
	struct fidelity_check *c;
	size_t n = 0;

	c = add(out, &n, "score", "page-weighted score", ">= 90");
	snprintf(c->measured, sizeof(c->measured), "%.2f", f->score); /* 89.97 is not 90 */
	verdict(c, f->score >= 90.0);

	/* the end free lists, per order over the types, and the pageblocks */
	double small = 0, large = 0;
	int64_t pb_diff = 0, pb_all = 0;
	for (unsigned int o = 0; o < MODEL_NR_ORDERS; o++) {
		int64_t k = 0, m = 0;
		bool any = false;
		char name[64];

		for (int mt = 0; mt < MODEL_NR_PCPTYPES; mt++) {
			snprintf(name, sizeof(name), "end free %s order %u", frt_mt_key(mt), o);
			const struct fidelity_line *l = line(f, name);
			if (l) {
				k += l->kernel;
				m += l->model;
				any = true;
			}
		}
		if (any) {
			small += (double)((k < m ? k : m) << o);
			large += (double)((k > m ? k : m) << o);
		}
	}
	for (int mt = 0; mt < MODEL_NR_MT; mt++) {
		char name[64];

		snprintf(name, sizeof(name), "end pageblocks %s", frt_mt_key(mt));
		const struct fidelity_line *l = line(f, name);
		if (l) {
			pb_diff += llabs(l->kernel - l->model);
			pb_all += l->kernel;
		}
	}
	c = add(out, &n, "free_pages_by_order", "end free pages per order", ">= 95% agree");
	if (f->end_snapshot && large > 0 && f->end_apart_pct > 0) {
		/* totals this far apart cannot agree per order: no model could */
		snprintf(c->measured, sizeof(c->measured), "%.1f%% (end %.0f%% off)",
			 100 * small / large, f->end_apart_pct);
	} else if (f->end_snapshot && large > 0) {
		snprintf(c->measured, sizeof(c->measured), "%.1f%% agree", 100 * small / large);
		verdict(c, small >= 0.95 * large);
	}
	c = add(out, &n, "pageblock_types", "end pageblocks of another type", "<= 1%");
	if (f->end_snapshot && pb_all > 0) {
		double pct = 100.0 * (double)pb_diff / 2 / (double)pb_all;
		snprintf(c->measured, sizeof(c->measured), "%.2f%%", pct);
		verdict(c, pct <= 1.0);
	}

	/* the fallbacks, every kind either side made */
	size_t kinds = 0, met = 0;
	for (size_t i = 0; i < f->nr_lines; i++) {
		const struct fidelity_line *l = &f->lines[i];
		if (strncmp(l->name, "fallback ", 9) || !l->weight)
			continue;
		kinds++;
		met += near(l->kernel, l->model, 10, 3, 30);
	}
	c = add(out, &n, "fallbacks", "fallbacks within 10% (or 3)", "all");
	if (kinds) {
		snprintf(c->measured, sizeof(c->measured), "%zu of %zu", met, kinds);
		verdict(c, met == kinds);
	}

	const struct fidelity_line *l = line(f, "compact_stall");
	c = add(out, &n, "compact_stall", "compact_stall", "within 20% (or 3)");
	if (l) {
		snprintf(c->measured, sizeof(c->measured), "%" PRId64 ", kernel %" PRId64, l->model,
			 l->kernel);
		verdict(c, near(l->kernel, l->model, 20, 3, 15));
	}

	const struct fidelity_line *ta = line(f, "thp_fault_alloc");
	const struct fidelity_line *tf = line(f, "thp_fault_fallback");
	c = add(out, &n, "thp_faults", "thp_fault_alloc, _fallback", "within 10% (or 3)");
	if (ta && tf && (ta->weight || tf->weight)) {
		snprintf(c->measured, sizeof(c->measured), "%" PRId64 "/%" PRId64 ", kernel %" PRId64
			 "/%" PRId64, ta->model, tf->model, ta->kernel, tf->kernel);
		verdict(c, near(ta->kernel, ta->model, 10, 3, 30) &&
			   near(tf->kernel, tf->model, 10, 3, 30));
	}

	c = add(out, &n, "unmatched_frees", "unmatched frees", "< 0.5% of freed");
	if (st->freed_pages) {
		double pct = 100.0 * (double)st->unmatched_free_pages / (double)st->freed_pages;
		snprintf(c->measured, sizeof(c->measured), "%.2f%%", pct);
		verdict(c, st->unmatched_free_pages * 200 < st->freed_pages);
	}

	uint64_t requests = st->allocs + st->kernel_failed;
	c = add(out, &n, "model_failures", "model-only failures", "< 0.1% of requests");
	if (requests) {
		double pct = 100.0 * (double)st->model_failed / (double)requests;
		snprintf(c->measured, sizeof(c->measured), "%.3f%%", pct);
		verdict(c, st->model_failed * 1000 < requests);
	}
	return n;
}
