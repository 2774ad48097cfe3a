// SPDX-License-Identifier: MIT
/*
 * metrics.c - fragmentation metrics of a model's zones.
 *
 * The buddy indices use only the free lists' counts, as mm/vmstat.c does
 * (6.18: fill_contig_page_info over orders 0..MAX_PAGE_ORDER). The pageblock
 * and 1 GiB figures are sums of per-pageblock summaries (struct pb_usage).
 * A summary comes from a walk of its pageblock by block heads: a block is
 * visited once whatever its order, and a block of pageblock order or more
 * once per pageblock it covers. Summaries are kept between calls and only
 * the pageblocks the model marked since (pb_touch) are walked again, so a
 * sample costs O(pageblocks) plus the pages of the pageblocks that changed.
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

/* the 1 GiB range the walk is in */
struct range_usage {
	uint64_t start, free, movable_or_free;
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
int raw_fragmentation_index(unsigned int order, const struct contig_page_info *info)
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
		u->free += (uint32_t)nr;
	} else if (p->state == MODEL_PAGE_PCP) {
		u->pcp += (uint32_t)nr;
	} else if (p->state == MODEL_PAGE_ALLOC) {
		u->mixed |= p->mt != pb_mt(m, pb);
		u->tainted |= mobility_taints(p->mt);
		if (p->mt == MODEL_MT_MOVABLE)
			u->movable += (uint32_t)nr;
	}
}

/* the range is complete: count it if it lies wholly inside the zone */
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
	w->out->movable_ranges_1g += r->movable_or_free == RANGE_1G_PAGES;
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
	r->movable_or_free += u->free + u->pcp + u->movable;
	r->tainted |= u->tainted;
}

/* a pageblock's usage: counted when it starts inside the zone */
static void account_pageblock(struct walk *w, uint64_t pb, const struct pb_usage *u)
{
	struct model_frag_metrics *out = w->out;
	int mt = pb_mt(w->m, pb);

	range_add(w, pb, u);
	out->pcp_pages += u->pcp;
	if (pb < w->z->start_pfn)
		return;
	out->pageblocks++;
	if (mt < MODEL_NR_MT)
		out->pageblocks_mt[mt]++;
	out->free_pageblocks += u->free == w->m->pageblock_nr_pages;
	out->mixed_pageblocks += u->mixed;
	out->tainted_pageblocks += u->tainted;
}

/* the block of pageblock order or more that covers the pageblock at @pb, or NULL */
static const struct mpage *covering_block(const struct model *m, const struct mzone *z,
					  uint64_t pb)
{
	for (unsigned int o = m->pageblock_order; o <= m->max_order; o++) {
		uint64_t head = pb & ~((1ull << o) - 1);

		if (head < z->start_pfn)
			return NULL;
		const struct mpage *p = pg(m, head);
		if (page_is_head(p))
			return p->order >= o ? p : NULL;
		if (p->state != MODEL_PAGE_TAIL)
			return NULL;
	}
	return NULL;
}

/*
 * pageblock_usage()'s sums over @n pages from @p, the pageblock's type @pbmt.
 * Compiled twice, the AVX2 copy used where the CPU has it: its 8-lane shifts
 * by a lane's own count (2^order) let the loop run 8 pages a step.
 */
CLONES_AVX2
static void heads_usage(const struct mpage *p, uint64_t n, unsigned int pbmt, struct pb_usage *u)
{
	uint32_t free = 0, pcp = 0, movable = 0, mixed = 0, tainted = 0;

	for (uint64_t i = 0; i < n; i++) {
		uint32_t s = p[i].state, mt = p[i].mt, nr = 1u << (p[i].order & 31);
		uint32_t alloc = s == MODEL_PAGE_ALLOC;

		free += -(uint32_t)(s == MODEL_PAGE_FREE) & nr;
		pcp += -(uint32_t)(s == MODEL_PAGE_PCP) & nr;
		movable += -(uint32_t)(alloc & (mt == MODEL_MT_MOVABLE)) & nr;
		mixed |= alloc & (mt != pbmt);
		tainted |= alloc & ((mt == MODEL_MT_UNMOVABLE) | (mt == MODEL_MT_RECLAIMABLE));
	}
	u->free = free;
	u->pcp = pcp;
	u->movable = movable;
	u->mixed = mixed;
	u->tainted = tainted;
}

/*
 * What the pageblock at @pb holds, over its pfns inside @z: by block heads, a
 * block is looked at once whatever its order; a pageblock inside a larger
 * block holds only that block.
 */
void pageblock_usage(const struct model *m, const struct mzone *z, uint64_t pb,
		     struct pb_usage *u)
{
	uint64_t pfn = pb < z->start_pfn ? z->start_pfn : pb;
	uint64_t end = pb + m->pageblock_nr_pages;

	*u = (struct pb_usage){ 0 };
	if (end > z->end_pfn)
		end = z->end_pfn;
	if (pfn == pb) {
		const struct mpage *big = covering_block(m, z, pb);
		if (big) {
			note_block(m, u, pb, big, m->pageblock_nr_pages);
			return;
		}
	}
	/*
	 * note_block() over the heads, with the pageblock's type read once and
	 * the sums kept in registers (stores to *u could alias the pageblock
	 * bytes, so the compiler reloads them): the dirty pageblocks of every
	 * sample are walked, most of them holding order-0 blocks. Every page is
	 * looked at, without a branch: a head counts its block's 2^order pages,
	 * a TAIL (the rest of a block, model_check()'s pfn walk) nothing, which
	 * is the same sum as stepping from head to head, without the branch
	 * mispredictions of the step (a head's state and order decide the next
	 * load) on pageblocks of mixed orders.
	 */
	heads_usage(&m->pages[pidx(m, pfn)], pidx(m, end) - pidx(m, pfn),
		    (unsigned int)pb_mt(m, pb), u);
}

static bool pb_is_dirty(const struct model *m, uint64_t i)
{
	return m->pb_dirty[i >> 6] & (1ull << (i & 63));
}

/*
 * One zone's pageblocks and 1 GiB ranges, in pfn order. A pageblock wholly
 * inside the zone comes from the cache unless something touched it since
 * (@fresh: recompute every one); the rare pageblock a zone boundary cuts is
 * recomputed each time, as each zone sees only its own part of it.
 */
static void walk_zone(struct walk *w, bool fresh)
{
	const struct model *m = w->m;
	const struct mzone *z = w->z;

	for (uint64_t pb = pageblock_start(m, z->start_pfn); pb < z->end_pfn;
	     pb += m->pageblock_nr_pages) {
		uint64_t i = (pb - m->pb_base) >> m->pageblock_order;
		struct pb_usage u, *c = &m->pb_cache[i];

		if (fresh || pb < z->start_pfn || pb + m->pageblock_nr_pages > z->end_pfn) {
			pageblock_usage(m, z, pb, &u);
			c = &u;
		} else if (pb_is_dirty(m, i)) {
			pageblock_usage(m, z, pb, c);
		}
		account_pageblock(w, pb, c);
	}
	range_flush(w);
}

/* the marks of the pageblocks wholly inside @z: their cache entries are now good */
static void clear_zone_marks(const struct model *m, const struct mzone *z)
{
	for (uint64_t pb = pageblock_start(m, z->start_pfn); pb < z->end_pfn;
	     pb += m->pageblock_nr_pages) {
		uint64_t i = (pb - m->pb_base) >> m->pageblock_order;

		if (pb >= z->start_pfn && pb + m->pageblock_nr_pages <= z->end_pfn)
			m->pb_dirty[i >> 6] &= ~(1ull << (i & 63));
	}
}

/* one zone into @out: free list counts as /proc/pagetypeinfo shows them, then the walk */
static void zone_metrics(const struct model *m, const struct mzone *z,
			 struct model_frag_metrics *out, bool fresh)
{
	struct walk w = { .m = m, .z = z, .out = out };

	out->managed_pages += z->managed;
	for (unsigned int o = 0; o < out->nr_orders; o++)
		for (int mt = 0; mt < MODEL_NR_MT; mt++) {
			out->nr_free_mt[o][mt] += z->area[o].free_list[mt].nr;
			out->nr_free[o] += z->area[o].free_list[mt].nr;
		}
	walk_zone(&w, fresh);
}

/* the ×1000 indices of every order, as the debugfs files unusable_index and
 * extfrag_index print them, from the (summed) nr_free */
static void buddy_indices(struct model_frag_metrics *out)
{
	struct contig_page_info info = { 0 };

	for (unsigned int o = 0; o < out->nr_orders; o++) {
		fill_contig_page_info(out->nr_free, out->nr_orders, o, &info);
		out->unusable_index[o] = unusable_free_index(o, &info);
		out->frag_index[o] = raw_fragmentation_index(o, &info);
	}
	out->free_pages = info.free_pages;
}

void pb_touch_all(struct model *m)
{
	memset(m->pb_dirty, 0xff, (m->nr_pageblocks + 63) / 64 * sizeof(uint64_t));
}

/* the superpageblocks (spb.c) whose first pageblock lies in the zone(s) */
static void spb_metrics(const struct model *m, int zone, struct model_frag_metrics *out)
{
	uint32_t all = 1u << (m->spb_shift - m->pageblock_order);

	for (uint32_t i = 0; i < m->nr_spb; i++) {
		const struct spb *sb = &m->spb[i];
		uint64_t start = m->spb_base + ((uint64_t)i << m->spb_shift);
		int zi = model_zone_of(m, start < m->node_start ? m->node_start : start);

		if (!sb->present || (zone >= 0 && zi != zone))
			continue;
		out->spbs++;
		out->tainted_spbs += sb->category == SPB_TAINTED;
		out->free_spbs += sb->nr[SPB_FREE] == all;
	}
}

static int metrics(const struct model *m, int zone, struct model_frag_metrics *out, bool fresh)
{
	if (zone < -1 || zone >= (int)m->nr_zones || m->max_order >= MODEL_NR_ORDERS)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->nr_orders = m->max_order + 1;
	for (unsigned int zi = 0; zi < m->nr_zones; zi++)
		if (zone < 0 || (unsigned int)zone == zi)
			zone_metrics(m, &m->zones[zi], out, fresh);
	/* the cache is now good for every zone walked; with one zone asked for,
	 * the others keep their marks */
	if (!fresh && zone < 0)
		memset(m->pb_dirty, 0, (m->nr_pageblocks + 63) / 64 * sizeof(uint64_t));
	else if (!fresh)
		clear_zone_marks(m, &m->zones[zone]);
	buddy_indices(out);
	spb_metrics(m, zone, out);
	return 0;
}

int model_metrics(const struct model *m, int zone, struct model_frag_metrics *out)
{
	return metrics(m, zone, out, false);
}

int model_metrics_fresh(const struct model *m, int zone, struct model_frag_metrics *out)
{
	return metrics(m, zone, out, true);
}
