// SPDX-License-Identifier: MIT
/*
 * metrics.c - fragmentation metrics of a model's zones.
 *
 * The buddy indices use only the free lists' counts, as mm/vmstat.c does
 * (6.18: fill_contig_page_info over orders 0..MAX_PAGE_ORDER). The pageblock
 * and 1 GiB figures come from one walk over the zone by block heads: a block
 * is visited once whatever its order, and a block of pageblock order or more
 * once per pageblock it covers, so the walk is O(pages) with no per-page work
 * inside big blocks.
 *
 * The walk trusts the per-pfn state (run model_check() first when in doubt):
 * it does not stop on a corrupt layout, it only counts less.
 */
#include <errno.h>
#include <string.h>

#include "metrics.h"
#include "model_internal.h"

#define RANGE_1G_ORDER (30 - 12) /* 1 GiB of 4 KiB pages; pageblocks nest inside */
#define RANGE_1G_PAGES (1ULL << RANGE_1G_ORDER)

/* what one pageblock holds, gathered block by block */
struct pb_usage {
	uint64_t free; /* pages in FREE blocks */
	bool mixed, tainted;
};

/* the 1 GiB range the walk is in */
struct range_usage {
	uint64_t start, free;
	bool open, tainted;
};

struct walk {
	const struct model *m;
	const struct mzone *z;
	struct model_frag_metrics *out;
	struct range_usage r;
};

/* fill_contig_page_info(), from free block counts per order (summed or a zone's) */
static void fill_contig_page_info(const uint64_t *nr_free, unsigned int nr_orders,
				  unsigned int suitable_order, struct contig_page_info *info)
{
	memset(info, 0, sizeof(*info));
	for (unsigned int o = 0; o < nr_orders; o++) {
		info->free_blocks_total += nr_free[o];
		info->free_pages += nr_free[o] << o;
		if (o >= suitable_order)
			info->free_blocks_suitable += nr_free[o] << (o - suitable_order);
	}
}

/* the same for one zone of the model, as compaction reads it */
void zone_contig_page_info(const struct model *m, const struct mzone *z,
			   unsigned int suitable_order, struct contig_page_info *info)
{
	uint64_t nr_free[MODEL_NR_ORDERS];

	for (unsigned int o = 0; o <= m->max_order; o++)
		nr_free[o] = z->area[o].nr_free;
	fill_contig_page_info(nr_free, m->max_order + 1, suitable_order, info);
}

/* unusable_free_index(): the share of free pages in blocks too small for @order */
static int unusable_free_index(unsigned int order, const struct contig_page_info *info)
{
	if (!info->free_pages)
		return 1000;
	return (int)((info->free_pages - (info->free_blocks_suitable << order)) * 1000 /
		     info->free_pages);
}

/* __fragmentation_index(): near 1000, failure from fragmentation; near 0, from lack of memory */
int fragmentation_index(unsigned int order, const struct contig_page_info *info)
{
	uint64_t requested = 1ULL << order;

	if (!info->free_blocks_total)
		return 0;
	if (info->free_blocks_suitable)
		return -1000;
	/* the kernel's unsigned division, then 1000 minus it: can go below 0 */
	return 1000 - (int)((1000 + info->free_pages * 1000 / requested) /
			    info->free_blocks_total);
}

/* FREE, ALLOC or PCP: a pfn that starts a block */
static bool page_is_head(const struct mpage *p)
{
	return p->state == MODEL_PAGE_FREE || p->state == MODEL_PAGE_ALLOC ||
	       p->state == MODEL_PAGE_PCP;
}

/* allocations that pin a pageblock: compaction cannot move them out */
static bool mobility_taints(int mobility)
{
	return mobility == MODEL_MT_UNMOVABLE || mobility == MODEL_MT_RECLAIMABLE;
}

/*
 * @nr pages of the block headed by @p, inside the pageblock at @pb. PCP pages
 * count as neither free (they are not in the buddy lists) nor tainting (they
 * are free memory a drain gives back). An allocation is mixed when its
 * mobility differs from the pageblock's type, the byte compared as it is: a
 * HIGHATOMIC or CMA pageblock is a type of its own, so every allocation in it
 * counts as mixed (allocations have mobility UNMOVABLE, MOVABLE or
 * RECLAIMABLE).
 */
static void note_block(const struct model *m, struct pb_usage *u, uint64_t pb,
		       const struct mpage *p, uint64_t nr)
{
	if (p->state == MODEL_PAGE_FREE) {
		u->free += nr;
	} else if (p->state == MODEL_PAGE_ALLOC) {
		u->mixed |= p->mt != pb_mt(m, pb);
		u->tainted |= mobility_taints(p->mt);
	}
}

/* the 1 GiB range is complete: count it if it lies wholly inside the zone */
static void range_flush(struct walk *w)
{
	struct range_usage *r = &w->r;

	if (!r->open)
		return;
	r->open = false;
	if (r->start < w->z->start_pfn || w->z->end_pfn - r->start < RANGE_1G_PAGES)
		return;
	w->out->ranges_1g++;
	w->out->free_ranges_1g += r->free == RANGE_1G_PAGES;
	w->out->tainted_ranges_1g += r->tainted;
}

/* a pageblock's usage into its 1 GiB range, flushing the previous range */
static void range_add(struct walk *w, uint64_t pb, const struct pb_usage *u)
{
	struct range_usage *r = &w->r;
	uint64_t start = pb & ~(RANGE_1G_PAGES - 1);

	if (r->open && r->start != start)
		range_flush(w);
	if (!r->open)
		*r = (struct range_usage){ .start = start, .open = true };
	r->free += u->free;
	r->tainted |= u->tainted;
}

/* a finished pageblock: counted when it starts inside the zone */
static void account_pageblock(struct walk *w, uint64_t pb, const struct pb_usage *u)
{
	struct model_frag_metrics *out = w->out;
	int mt = pb_mt(w->m, pb);

	range_add(w, pb, u);
	if (pb < w->z->start_pfn)
		return;
	out->pageblocks++;
	if (mt < MODEL_NR_MT)
		out->pageblocks_mt[mt]++;
	out->free_pageblocks += u->free == w->m->pageblock_nr_pages;
	out->mixed_pageblocks += u->mixed;
	out->tainted_pageblocks += u->tainted;
}

/* a block of pageblock order or more at a pageblock start: each pageblock holds only it */
static uint64_t walk_large_block(struct walk *w, uint64_t pfn, const struct mpage *p)
{
	uint64_t nr_pb = w->m->pageblock_nr_pages, end = pfn + (1ULL << p->order);

	if (p->state == MODEL_PAGE_PCP)
		w->out->pcp_pages += 1ULL << p->order;
	for (uint64_t pb = pfn; pb < end && pb < w->z->end_pfn; pb += nr_pb) {
		struct pb_usage u = { 0 };

		note_block(w->m, &u, pb, p, nr_pb);
		account_pageblock(w, pb, &u);
	}
	return end;
}

/* the blocks of one pageblock from @pfn to its end (or the zone's) */
static uint64_t walk_pageblock(struct walk *w, uint64_t pfn)
{
	const struct model *m = w->m;
	uint64_t pb = pageblock_start(m, pfn), end = pb + m->pageblock_nr_pages;
	struct pb_usage u = { 0 };

	if (end > w->z->end_pfn)
		end = w->z->end_pfn;
	while (pfn < end) {
		const struct mpage *p = pg(m, pfn);
		uint64_t nr = page_is_head(p) ? 1ULL << p->order : 1;

		if (p->state == MODEL_PAGE_PCP)
			w->out->pcp_pages += nr;
		if (page_is_head(p))
			note_block(m, &u, pb, p, nr);
		pfn += nr;
	}
	account_pageblock(w, pb, &u);
	return pfn;
}

/* one zone's pageblocks and 1 GiB ranges, in pfn order */
static void walk_zone(struct walk *w)
{
	const struct model *m = w->m;
	uint64_t pfn = w->z->start_pfn;

	while (pfn < w->z->end_pfn) {
		const struct mpage *p = pg(m, pfn);

		if (pfn == pageblock_start(m, pfn) && page_is_head(p) &&
		    p->order >= m->pageblock_order)
			pfn = walk_large_block(w, pfn, p);
		else
			pfn = walk_pageblock(w, pfn);
	}
	range_flush(w);
}

/* one zone into @out: free list counts as /proc/pagetypeinfo shows them, then the walk */
static void zone_metrics(const struct model *m, const struct mzone *z,
			 struct model_frag_metrics *out)
{
	struct walk w = { .m = m, .z = z, .out = out };

	out->managed_pages += z->managed;
	for (unsigned int o = 0; o < out->nr_orders; o++)
		for (int mt = 0; mt < MODEL_NR_MT; mt++) {
			out->nr_free_mt[o][mt] += z->area[o].free_list[mt].nr;
			out->nr_free[o] += z->area[o].free_list[mt].nr;
		}
	walk_zone(&w);
}

/* the ×1000 indices of every order, as the debugfs files unusable_index and
 * extfrag_index print them, from the (summed) nr_free */
static void buddy_indices(struct model_frag_metrics *out)
{
	struct contig_page_info info = { 0 };

	for (unsigned int o = 0; o < out->nr_orders; o++) {
		fill_contig_page_info(out->nr_free, out->nr_orders, o, &info);
		out->unusable_index[o] = unusable_free_index(o, &info);
		out->frag_index[o] = fragmentation_index(o, &info);
	}
	out->free_pages = info.free_pages;
}

int model_metrics(const struct model *m, int zone, struct model_frag_metrics *out)
{
	if (zone < -1 || zone >= (int)m->nr_zones || m->max_order >= MODEL_NR_ORDERS)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->nr_orders = m->max_order + 1;
	for (unsigned int zi = 0; zi < m->nr_zones; zi++)
		if (zone < 0 || (unsigned int)zone == zi)
			zone_metrics(m, &m->zones[zi], out);
	buddy_indices(out);
	return 0;
}
