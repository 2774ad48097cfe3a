// SPDX-License-Identifier: MIT
/*
 * snapshot_fit.c - pageblock migratetypes, which no reader outside the
 * kernel can see (they live in mem_section's pageblock bitmap), chosen to
 * agree with /proc/pagetypeinfo; and the check that the snapshot's free
 * lists agree with it too.
 *
 * What constrains the choice, per zone, in 6.18:
 *  - "Number of blocks type": how many pageblocks have each type;
 *  - "Free pages count per migrate type at order": how many free blocks of
 *    each order sit on each type's list. By freelist hygiene (6.10+:
 *    __add_to_free_list() puts a page on its pageblock's list, and
 *    move_freepages_block() moves the free pages when a block is retyped)
 *    a free block's list is its pageblock's type, so these counts say how
 *    the free blocks are spread over the types;
 *  - the free lists themselves when BPF could read them: such pageblocks
 *    are known, not fitted.
 *
 * The fit, deterministic (no randomness, ties by pfn):
 *  1. Groups: a pageblock, together with the pageblocks covered by a free
 *     block starting in it (a free block above pageblock order has one
 *     type: __free_one_page() merges and change_pageblock_range() retypes
 *     across them). A group with a known block is fixed.
 *  2. Start: the mobility most of a group's allocated pages have; MOVABLE
 *     for ties and for blocks with nothing allocated (memmap_init() makes
 *     every block MOVABLE at boot, and free blocks stay as they were).
 *  3. Cost, in pages: for each (order, type), |free blocks - target| x 2^order,
 *     plus for each type |pageblocks - target| x a block weight, plus mu
 *     per allocated page whose mobility differs from its block's type (the
 *     start as a prior). Targets are the mean of pagetypeinfo read before
 *     and after the walk.
 *  4. Rounds: find each movable group's best single retype (the largest
 *     cost drop); apply them largest drop first, each re-evaluated against
 *     the sums as they are now and skipped once it no longer lowers the
 *     cost; until a round changes nothing, at most 64 rounds. Only blocks
 *     whose retype lowers the cost move, so the fit stays near the start
 *     where pagetypeinfo has nothing to say.
 *  5. Two passes of rounds. First the free lists, with a block weight of 1
 *     page (block counts only break ties): a single retype that fixes free
 *     counts must not be held back by the block count it upsets, which a
 *     later retype repairs. Then the block counts (weight: a pageblock's
 *     pages), moving only groups without free pages, which leave the free
 *     counts as they are.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot_internal.h"

#define FIT_MAX_ROUNDS 64

/* the mobility a block of each type is for */
static const unsigned int mt_mobility[FRT_MT_NR] = {
	FRT_MOB_UNMOVABLE, FRT_MOB_MOVABLE, FRT_MOB_RECLAIMABLE,
	FRT_MOB_UNMOVABLE, FRT_MOB_MOVABLE, FRT_MOB_MOVABLE,
};

/* ---- the fit ---- */

struct group {
	size_t pb;                         /* first pageblock */
	uint32_t weight;                   /* pageblocks */
	uint32_t alloc[FRT_MOB_NR];
	uint32_t hist[FRT_PT_ORDERS];      /* free blocks per order */
	uint8_t mt, start;
	bool fixed, has_free;
};

struct fit {
	unsigned int nr_orders;
	double mu, block_weight;           /* pages of cost per block of count error */
	bool freeless_only;                /* move only groups without free pages */
	double target_free[FRT_PT_ORDERS][FRT_MT_NR], target_blocks[FRT_MT_NR];
	double free[FRT_PT_ORDERS][FRT_MT_NR], blocks[FRT_MT_NR];
	bool allowed[FRT_MT_NR];
};

static uint32_t mismatch(const struct group *g, unsigned int mt)
{
	return g->alloc[0] + g->alloc[1] + g->alloc[2] - g->alloc[mt_mobility[mt]];
}

/* |x + d - t| - |x - t| */
static double step(double x, double d, double t)
{
	return fabs(x + d - t) - fabs(x - t);
}

/* Cost change of retyping @g to @to. */
static double delta(const struct fit *f, const struct group *g, unsigned int to)
{
	unsigned int from = g->mt;
	double d = 0;

	for (unsigned int o = 0; o < f->nr_orders; o++) {
		if (!g->hist[o])
			continue;
		d += (step(f->free[o][from], -(double)g->hist[o], f->target_free[o][from]) +
		      step(f->free[o][to], g->hist[o], f->target_free[o][to])) * (double)(1u << o);
	}
	d += (step(f->blocks[from], -(double)g->weight, f->target_blocks[from]) +
	      step(f->blocks[to], g->weight, f->target_blocks[to])) * f->block_weight;
	return d + f->mu * ((double)mismatch(g, to) - (double)mismatch(g, from));
}

static void apply(struct fit *f, struct group *g, unsigned int to, int sign)
{
	for (unsigned int o = 0; o < f->nr_orders; o++)
		f->free[o][to] += sign * (double)g->hist[o];
	f->blocks[to] += sign * (double)g->weight;
	if (sign > 0)
		g->mt = (uint8_t)to;
}

static double best_move(const struct fit *f, const struct group *g, unsigned int *to)
{
	double best = 0;

	for (unsigned int t = 0; t < FRT_MT_NR; t++) {
		double d;

		if (t == g->mt || !f->allowed[t])
			continue;
		d = delta(f, g, t);
		if (d < best - 1e-9) {
			best = d;
			*to = t;
		}
	}
	return best;
}

struct cand {
	double gain;
	size_t g;
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->gain != y->gain)
		return x->gain < y->gain ? -1 : 1; /* most negative first */
	return x->g < y->g ? -1 : x->g > y->g;
}

static void targets(struct fit *f, const struct frt_pt_zone *before,
		    const struct frt_pt_zone *after)
{
	const struct frt_pt_zone *z[2] = { before ? before : after, after ? after : before };

	f->allowed[FRT_MT_UNMOVABLE] = f->allowed[FRT_MT_MOVABLE] = true;
	f->allowed[FRT_MT_RECLAIMABLE] = true;
	if (!z[0])
		return;
	for (unsigned int t = 0; t < FRT_MT_NR; t++) {
		f->target_blocks[t] = (z[0]->blocks[t] + z[1]->blocks[t]) / 2.0;
		for (unsigned int o = 0; o < f->nr_orders; o++)
			f->target_free[o][t] = (z[0]->free[o][t] + z[1]->free[o][t]) / 2.0;
	}
	for (unsigned int t = FRT_MT_HIGHATOMIC; t < FRT_MT_NR; t++) {
		f->allowed[t] = f->target_blocks[t] > 0;
		for (unsigned int o = 0; o < f->nr_orders; o++)
			f->allowed[t] |= f->target_free[o][t] > 0;
	}
}

/*
 * pagetypeinfo counts a block only if pfn_to_online_page() finds its first
 * page, and a section that deferred struct page init has not reached yet
 * may be offline although boot-time (memblock) reservations in it were
 * initialised. Section state is out of our sight: when we see more blocks
 * than pagetypeinfo counts, the surplus is taken from blocks holding nothing
 * but reserved pages, from the zone's top down (where deferred init ends),
 * and they leave the zone.
 */
static uint64_t drop_uncounted(struct frt_pb_stat *pb, size_t nr_pb, int zone, double target)
{
	uint64_t n = 0, dropped = 0, excess;

	for (size_t i = 0; i < nr_pb; i++)
		n += pb[i].zone == zone && pb[i].present;
	if (target <= 0 || (double)n <= target + 0.5)
		return 0;
	excess = n - (uint64_t)(target + 0.5);
	for (size_t i = nr_pb; i-- > 0 && dropped < excess;) {
		struct frt_pb_stat *s = &pb[i];

		if (s->zone != zone || !s->present || s->free_pages || s->leader ||
		    s->alloc[0] + s->alloc[1] + s->alloc[2])
			continue;
		s->zone = -1;
		dropped++;
	}
	return dropped;
}

/* Steps 1 and 2: groups with their start type; returns how many. */
static size_t make_groups(struct frt_pb_stat *pb, size_t nr_pb, int zone, struct group *gs,
			  size_t *gidx)
{
	size_t n = 0;

	for (size_t i = 0; i < nr_pb; i++) {
		struct frt_pb_stat *s = &pb[i];
		struct group *g;
		size_t l = s->leader ? s->leader - 1 : i;

		gidx[i] = SIZE_MAX;
		if (s->zone != zone || !s->present)
			continue;
		if (l != i && l < i && gidx[l] != SIZE_MAX) {
			g = &gs[gidx[l]];
		} else {
			g = &gs[n];
			memset(g, 0, sizeof(*g));
			g->pb = i;
			g->mt = FRT_MT_NR;
			n++;
		}
		gidx[i] = (size_t)(g - gs);
		g->weight++;
		for (unsigned int m = 0; m < FRT_MOB_NR; m++)
			g->alloc[m] += s->alloc[m];
		for (unsigned int o = 0; o < FRT_PT_ORDERS; o++)
			g->hist[o] += s->free_blocks[o];
		g->has_free |= s->free_pages > 0;
		if (s->known_mt1 && !g->fixed) {
			g->fixed = true;
			g->mt = s->known_mt1 - 1;
		}
	}
	for (size_t k = 0; k < n; k++) {
		struct group *g = &gs[k];

		if (!g->fixed) {
			g->mt = FRT_MT_MOVABLE;
			if (g->alloc[FRT_MOB_UNMOVABLE] > g->alloc[g->mt])
				g->mt = FRT_MT_UNMOVABLE;
			if (g->alloc[FRT_MOB_RECLAIMABLE] > g->alloc[g->mt])
				g->mt = FRT_MT_RECLAIMABLE;
		}
		g->start = g->mt;
	}
	return n;
}

static void fit_rounds(struct fit *f, struct group *gs, size_t n, struct cand *c)
{
	for (int round = 0; round < FIT_MAX_ROUNDS; round++) {
		size_t nc = 0, changed = 0;
		unsigned int to = 0;

		for (size_t k = 0; k < n; k++) {
			if (gs[k].fixed || (f->freeless_only && gs[k].has_free))
				continue;
			c[nc].gain = best_move(f, &gs[k], &to);
			c[nc].g = k;
			nc += c[nc].gain < 0;
		}
		qsort(c, nc, sizeof(*c), cmp_cand);
		for (size_t k = 0; k < nc; k++) {
			struct group *g = &gs[c[k].g];

			if (best_move(f, g, &to) < 0) {
				apply(f, g, g->mt, -1);
				apply(f, g, to, +1);
				changed++;
			}
		}
		if (!changed)
			break;
	}
}

int frt_snap_fit_zone(struct frt_pb_stat *pb, size_t nr_pb, int zone, unsigned int pbo,
		      unsigned int nr_orders, const struct frt_pt_zone *before,
		      const struct frt_pt_zone *after, double mu, struct frt_fit_zone *res)
{
	struct fit f = { .nr_orders = nr_orders, .mu = mu };
	struct group *gs = calloc(nr_pb ? nr_pb : 1, sizeof(*gs));
	size_t *gidx = calloc(nr_pb ? nr_pb : 1, sizeof(*gidx));
	struct cand *c = calloc(nr_pb ? nr_pb : 1, sizeof(*c));
	size_t n;
	int ret = -ENOMEM;

	memset(res, 0, sizeof(*res));
	if (!gs || !gidx || !c)
		goto cleanup;
	targets(&f, before, after);
	if (before || after) {
		double total = 0;

		for (unsigned int t = 0; t < FRT_MT_NR; t++)
			total += f.target_blocks[t];
		res->blocks_uncounted = drop_uncounted(pb, nr_pb, zone, total);
	}
	n = make_groups(pb, nr_pb, zone, gs, gidx);
	for (size_t k = 0; k < n; k++)
		apply(&f, &gs[k], gs[k].mt, +1);
	if (before || after) {
		/* free lists first, block counts as a tie-break; then the block
		 * counts, with the blocks that have no free page to upset them */
		f.block_weight = 1;
		fit_rounds(&f, gs, n, c);
		f.block_weight = (double)(1u << pbo);
		f.freeless_only = true;
		fit_rounds(&f, gs, n, c);
	}
	for (size_t i = 0; i < nr_pb; i++) {
		const struct group *g;

		if (gidx[i] == SIZE_MAX)
			continue;
		g = &gs[gidx[i]];
		pb[i].mt = g->mt | (g->fixed ? 0 : FRT_PB_INFERRED);
		if (g->fixed)
			res->blocks_known++;
		else
			res->blocks_inferred++;
		res->blocks_changed += g->mt != g->start;
	}
	for (unsigned int t = 0; t < FRT_MT_NR; t++) {
		res->block_error += (uint64_t)(fabs(f.blocks[t] - f.target_blocks[t]) + 0.5);
		for (unsigned int o = 0; o < nr_orders; o++)
			res->snap_free[o][t] = (uint64_t)(f.free[o][t] + 0.5);
	}
	frt_snap_check_zone(before, after, nr_orders, res);
	ret = 0;
cleanup:
	free(c);
	free(gidx);
	free(gs);
	return ret;
}

/*
 * The allocator runs on while we walk, so the truth at the walk's moment
 * lies somewhere between the two reads: a count between them is no error,
 * one outside is off by its distance to the nearer. A count shown as ">N"
 * (pagetypeinfo stops counting a list at 100000) is only a lower bound.
 */
static uint64_t distance(const struct frt_pt_zone *z[2], unsigned int o, unsigned int t,
			 uint64_t s)
{
	uint64_t lo = z[0]->free[o][t], hi = z[1]->free[o][t], tmp;
	bool capped = (z[0]->capped[o] | z[1]->capped[o]) >> t & 1;

	if (lo > hi) {
		tmp = lo;
		lo = hi;
		hi = tmp;
	}
	if (capped)
		return s >= lo ? 0 : lo - s;
	return s < lo ? lo - s : s > hi ? s - hi : 0;
}

void frt_snap_check_zone(const struct frt_pt_zone *before, const struct frt_pt_zone *after,
			 unsigned int nr_orders, struct frt_fit_zone *res)
{
	const struct frt_pt_zone *z[2] = { before ? before : after, after ? after : before };
	double mean;

	res->free_pages = res->error_pages = res->worst_pages = res->motion_pages = 0;
	res->pt_free_pages[0] = res->pt_free_pages[1] = 0;
	for (unsigned int o = 0; o < nr_orders; o++) {
		for (unsigned int t = 0; t < FRT_MT_NR; t++) {
			uint64_t d = z[0] ? distance(z, o, t, res->snap_free[o][t]) << o : 0;

			res->free_pages += res->snap_free[o][t] << o;
			for (int k = 0; k < 2 && z[0]; k++)
				res->pt_free_pages[k] += z[k]->free[o][t] << o;
			if (z[0])
				res->motion_pages += (z[0]->free[o][t] > z[1]->free[o][t] ?
						      z[0]->free[o][t] - z[1]->free[o][t] :
						      z[1]->free[o][t] - z[0]->free[o][t]) << o;
			res->error_pages += d;
			if (d > res->worst_pages) {
				res->worst_pages = d;
				res->worst_order = o;
				res->worst_mt = t;
			}
		}
	}
	mean = (res->pt_free_pages[0] + res->pt_free_pages[1]) / 2.0;
	res->error_pct = mean > 0 ? 100.0 * res->error_pages / mean : res->error_pages ? 100 : 0;
	res->motion_pct = mean > 0 ? 100.0 * res->motion_pages / mean : 0;
	res->ok = z[0] && res->error_pct <= 1.0;
}
