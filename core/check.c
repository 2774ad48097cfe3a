// SPDX-License-Identifier: MIT
/*
 * check.c - model_check() and model_hash(): walk every structure of a model.
 *
 * model_check() is the expensive assertion level: tests run it after every
 * operation, so it is O(pages), allocates nothing and stops at the first
 * broken invariant. Per zone, three views of the same memory must agree:
 *
 *   lists     free_area[o].free_list[mt], pcp->lists[pindex], head -> tail
 *   pfn walk  block heads (FREE/ALLOC/PCP) followed by 2^order - 1 TAILs
 *   counters  NR_FREE_PAGES, NR_FREE_PAGES_BLOCKS, nr_free_highatomic, ...
 *
 * Every list entry is a head of the list's kind, order and type; the entries
 * of all lists and the heads the walk finds must be the same set of pfns, so
 * every free or pcp block is on exactly one list. Without a mark bit to spare
 * (the model is const here) the sets are compared by count and by a sum of
 * mixed pfns: a block on two lists and another on none leave the counts equal
 * but not the sums (collisions aside, 2^-64).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "model_internal.h"

struct check {
	const struct model *m;
	const struct mzone *z; /* NULL before the first zone */
	unsigned int zi;
	char *err;
	size_t errlen;
};

#define PCP_MT_NONMOVABLE (-1) /* the THP list of unmovable and reclaimable blocks */

/* one list and what its entries must be */
struct list_desc {
	const struct mlist *l;
	unsigned int state; /* MODEL_PAGE_FREE or MODEL_PAGE_PCP */
	unsigned int order;
	int mt;             /* the entries' mt, or PCP_MT_NONMOVABLE */
	int cpu;            /* -1 for a free list */
	unsigned int pindex;
};

/* a set of blocks: how many, their pages, the sum of their mixed pfns */
struct block_set {
	uint64_t blocks, pages, sum;
};

/* what the lists of one zone hold */
struct list_totals {
	struct block_set free, pcp;
	uint64_t isolate_pages, highatomic_pages, cma_pages;
	uint64_t block_pages; /* non-isolate pages in blocks >= pageblock_order */
};

/* what the pfn walk of one zone finds */
struct walk_totals {
	struct block_set free, pcp;
};

static const char *const state_names[] = { "unmanaged", "free", "alloc", "pcp", "tail" };

/* enum model_page_state, for messages */
static const char *state_name(unsigned int state)
{
	return state < sizeof(state_names) / sizeof(state_names[0]) ? state_names[state] : "bad";
}

static int fail(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* the first broken invariant, as one line in err, prefixed with the zone's type */
static int fail(struct check *c, const char *fmt, ...)
{
	char msg[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c->err || !c->errlen)
		return -EUCLEAN;
	if (!c->z) {
		snprintf(c->err, c->errlen, "%s", msg);
		return -EUCLEAN;
	}
	snprintf(c->err, c->errlen, "zone %d: %s", (int)c->z->type, msg);
	return -EUCLEAN;
}

static int list_fail(struct check *c, const struct list_desc *d, uint64_t pfn, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));

/* a broken list invariant, naming the list and the entry's pfn */
static int list_fail(struct check *c, const struct list_desc *d, uint64_t pfn, const char *fmt,
		     ...)
{
	char what[128], at[40] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (pfn != MODEL_PFN_NONE)
		snprintf(at, sizeof(at), " pfn 0x%" PRIx64 ":", pfn);
	if (d->cpu < 0)
		return fail(c, "free_list[order %u][mt %d]:%s %s", d->order, d->mt, at, what);
	return fail(c, "cpu %d pcp list %u (order %u):%s %s", d->cpu, d->pindex, d->order, at,
		    what);
}

/* splitmix64's finalizer: spreads pfns so that sums of them identify sets */
static uint64_t mix_pfn(uint64_t pfn)
{
	pfn = (pfn ^ (pfn >> 30)) * 0xbf58476d1ce4e5b9ULL;
	pfn = (pfn ^ (pfn >> 27)) * 0x94d049bb133111ebULL;
	return pfn ^ (pfn >> 31);
}

/* one more block in @set */
static void block_set_add(struct block_set *set, uint64_t pfn, unsigned int order)
{
	set->blocks++;
	set->pages += 1ULL << order;
	set->sum += mix_pfn(pfn);
}

/* [pfn, pfn + 2^order) is naturally aligned and inside the zone */
static bool block_fits(const struct mzone *z, uint64_t pfn, unsigned int order)
{
	return order < 64 && !(pfn & ((1ULL << order) - 1)) && zone_spans(z, pfn) &&
	       (z->end_pfn - pfn) >> order;
}

/* __add_to_free_list() warns when a block's pageblocks are not of its list's type */
static int check_free_pageblocks(struct check *c, const struct list_desc *d, uint64_t pfn)
{
	const struct model *m = c->m;
	uint64_t end = pfn + (1ULL << d->order);

	for (uint64_t pb = pageblock_start(m, pfn); pb < end; pb += m->pageblock_nr_pages)
		if (pb_mt(m, pb) != d->mt)
			return list_fail(c, d, pfn, "in pageblock 0x%" PRIx64 " of mt %d", pb,
					 pb_mt(m, pb));
	return 0;
}

/* the entry's mt is the one its list stands for */
static bool list_mt_ok(const struct list_desc *d, int mt)
{
	if (d->mt == PCP_MT_NONMOVABLE)
		return mt == MODEL_MT_UNMOVABLE || mt == MODEL_MT_RECLAIMABLE;
	return mt == d->mt;
}

/* one list entry: a head of the list's kind, order and type, aligned, inside the zone */
static int check_list_entry(struct check *c, const struct list_desc *d, uint64_t pfn)
{
	const struct mpage *p = pg(c->m, pfn);

	if (p->state != d->state)
		return list_fail(c, d, pfn, "state %s", state_name(p->state));
	if (p->order != d->order)
		return list_fail(c, d, pfn, "order %u", p->order);
	if (!list_mt_ok(d, p->mt))
		return list_fail(c, d, pfn, "mt %u", p->mt);
	if (!block_fits(c->z, pfn, d->order))
		return list_fail(c, d, pfn, "misaligned or outside the zone");
	/* isolation is not modelled (model.h): an isolated block keeps its old pageblock type */
	if (d->state == MODEL_PAGE_FREE && d->mt != MODEL_MT_ISOLATE)
		return check_free_pageblocks(c, d, pfn);
	return 0;
}

/* list links: NIL-terminated both ways, prev mirrors next, nr entries, each valid */
static int check_list(struct check *c, const struct list_desc *d, struct block_set *set)
{
	const struct model *m = c->m;
	uint64_t span = m->node_end - m->node_start, n = 0;
	uint32_t prev = NIL;
	int ret;

	for (uint32_t idx = d->l->head; idx != NIL; prev = idx, idx = m->links[idx].next) {
		if (idx >= span)
			return list_fail(c, d, prev == NIL ? MODEL_PFN_NONE : ipfn(m, prev),
					 "link %" PRIu32 " outside the node", idx);
		if (n++ == d->l->nr)
			return list_fail(c, d, MODEL_PFN_NONE, "more entries than nr %" PRIu64,
					 d->l->nr);
		if (m->links[idx].prev != prev)
			return list_fail(c, d, ipfn(m, idx), "prev %" PRIu32 ", expected %" PRIu32,
					 m->links[idx].prev, prev);
		ret = check_list_entry(c, d, ipfn(m, idx));
		if (ret)
			return ret;
		block_set_add(set, ipfn(m, idx), d->order);
	}
	if (d->l->tail != prev)
		return list_fail(c, d, MODEL_PFN_NONE, "tail %" PRIu32 ", last entry %" PRIu32,
				 d->l->tail, prev);
	if (n != d->l->nr)
		return list_fail(c, d, MODEL_PFN_NONE, "nr %" PRIu64 ", %" PRIu64 " entries",
				 d->l->nr, n);
	return 0;
}

/* what one free list adds to the zone's NR_FREE_* counters */
static void account_free_list(const struct model *m, struct list_totals *t, unsigned int order,
			      int mt, uint64_t nr)
{
	uint64_t pages = nr << order;

	if (mt == MODEL_MT_ISOLATE) {
		t->isolate_pages += pages;
		return;
	}
	if (order >= m->pageblock_order)
		t->block_pages += pages;
	if (mt == MODEL_MT_HIGHATOMIC)
		t->highatomic_pages += pages;
	else if (mt == MODEL_MT_CMA)
		t->cma_pages += pages;
}

/* free_area[]: every list, nr_free per order, nothing above MAX_PAGE_ORDER */
static int check_free_areas(struct check *c, struct list_totals *t)
{
	const struct model *m = c->m;
	int ret;

	for (unsigned int o = 0; o <= MODEL_MAX_ORDER_LIMIT; o++) {
		const struct free_area *area = &c->z->area[o];
		uint64_t nr = 0;

		for (int mt = 0; mt < MODEL_NR_MT; mt++) {
			struct list_desc d = { .l = &area->free_list[mt], .state = MODEL_PAGE_FREE,
					       .order = o, .mt = mt, .cpu = -1 };

			if (o > m->max_order && (d.l->head != NIL || d.l->nr))
				return list_fail(c, &d, MODEL_PFN_NONE,
						 "not empty above MAX_PAGE_ORDER %u", m->max_order);
			ret = check_list(c, &d, &t->free);
			if (ret)
				return ret;
			nr += d.l->nr;
			account_free_list(m, t, o, mt, d.l->nr);
		}
		if (area->nr_free != nr)
			return fail(c, "free_area[%u].nr_free %" PRIu64 ", lists hold %" PRIu64, o,
				    area->nr_free, nr);
	}
	return 0;
}

/* the list a pindex names: order_to_pindex() read backwards */
static void pcp_list_desc(const struct model *m, unsigned int pindex, struct list_desc *d)
{
	d->state = MODEL_PAGE_PCP;
	d->pindex = pindex;
	if (pindex < NR_LOWORDER_PCP_LISTS) {
		d->order = pindex / MODEL_NR_PCPTYPES;
		d->mt = (int)(pindex % MODEL_NR_PCPTYPES);
	} else {
		d->order = m->pmd_order; /* HPAGE_PMD_ORDER; above max_order: no THP lists */
		d->mt = pindex == NR_LOWORDER_PCP_LISTS ? PCP_MT_NONMOVABLE : MODEL_MT_MOVABLE;
	}
}

/* one CPU's pcp lists, and pcp->count == the pages on them */
static int check_pcp(struct check *c, int cpu, struct list_totals *t)
{
	const struct mpcp *pcp = &c->z->pcp[cpu];
	uint64_t before = t->pcp.pages, pages;
	int ret;

	for (unsigned int pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
		struct list_desc d = { .l = &pcp->lists[pindex], .cpu = cpu };

		pcp_list_desc(c->m, pindex, &d);
		if (d.order > c->m->max_order) {
			if (d.l->head != NIL || d.l->nr)
				return list_fail(c, &d, MODEL_PFN_NONE,
						 "not empty, the model has no THP lists");
			continue;
		}
		ret = check_list(c, &d, &t->pcp);
		if (ret)
			return ret;
	}
	pages = t->pcp.pages - before;
	if (pcp->count < 0 || (uint64_t)pcp->count != pages)
		return fail(c, "cpu %d pcp count %d, lists hold %" PRIu64 " pages", cpu, pcp->count,
			    pages);
	return 0;
}

/*
 * __free_one_page() merges free buddies below pageblock order always. At and
 * above it, blocks a non-mergeable type kept apart (HIGHATOMIC, ISOLATE) stay
 * apart even after unreserve_highatomic_pageblock() retypes one of them, as in
 * the kernel, which does not merge free blocks when it retypes them; so the
 * check stops at pageblock order.
 */
static int check_buddy(struct check *c, uint64_t pfn, unsigned int order)
{
	const struct model *m = c->m;
	uint64_t buddy = pfn ^ (1ULL << order);
	const struct mpage *bp;
	int mt, buddy_mt;

	if (order >= m->pageblock_order || order >= m->max_order || !zone_spans(c->z, buddy))
		return 0;
	bp = pg(m, buddy);
	if (bp->state != MODEL_PAGE_FREE || bp->order != order)
		return 0;
	mt = pb_mt(m, pfn);
	buddy_mt = pb_mt(m, buddy);
	return fail(c, "pfn 0x%" PRIx64 " and its buddy 0x%" PRIx64
		    ": free order-%u blocks left unmerged (pageblock mt %d, %d)",
		    pfn, buddy, order, mt, buddy_mt);
}

/* a block head: known state and order, aligned, inside the zone, its other pages TAILs */
static int check_head(struct check *c, uint64_t pfn, const struct mpage *p)
{
	const struct model *m = c->m;
	uint64_t end;

	switch (p->state) {
	case MODEL_PAGE_TAIL:
		return fail(c, "pfn 0x%" PRIx64 ": tail outside any block", pfn);
	case MODEL_PAGE_FREE:
	case MODEL_PAGE_PCP:
		if (p->order > m->max_order)
			return fail(c, "pfn 0x%" PRIx64 ": %s block of order %u above MAX_PAGE_ORDER",
				    pfn, state_name(p->state), p->order);
		break;
	case MODEL_PAGE_ALLOC:
		break;
	default:
		return fail(c, "pfn 0x%" PRIx64 ": unknown state %u", pfn, p->state);
	}
	if (!block_fits(c->z, pfn, p->order))
		return fail(c, "pfn 0x%" PRIx64 ": %s block of order %u misaligned or outside the zone",
			    pfn, state_name(p->state), p->order);
	end = pfn + (1ULL << p->order);
	for (uint64_t q = pfn + 1; q < end; q++)
		if (pg(m, q)->state != MODEL_PAGE_TAIL)
			return fail(c, "pfn 0x%" PRIx64 ": %s inside the %s block of order %u at 0x%" PRIx64,
				    q, state_name(pg(m, q)->state), state_name(p->state), p->order,
				    pfn);
	return 0;
}

/* the zone's pfns by block heads: no orphan tail, no overlap, unmerged buddies */
static int check_zone_pfns(struct check *c, struct walk_totals *w)
{
	const struct mzone *z = c->z;
	uint64_t pfn = z->start_pfn;
	int ret;

	while (pfn < z->end_pfn) {
		const struct mpage *p = pg(c->m, pfn);

		if (p->state == MODEL_PAGE_UNMANAGED) {
			pfn++;
			continue;
		}
		ret = check_head(c, pfn, p);
		if (ret)
			return ret;
		if (p->state == MODEL_PAGE_FREE) {
			block_set_add(&w->free, pfn, p->order);
			ret = check_buddy(c, pfn, p->order);
			if (ret)
				return ret;
		} else if (p->state == MODEL_PAGE_PCP) {
			block_set_add(&w->pcp, pfn, p->order);
		}
		pfn += 1ULL << p->order;
	}
	return 0;
}

/* a zone counter equals the pages the lists hold */
static int check_counter(struct check *c, const char *name, long have, uint64_t want)
{
	if (have < 0 || (uint64_t)have != want)
		return fail(c, "%s %ld, lists hold %" PRIu64 " pages", name, have, want);
	return 0;
}

/* the blocks on the lists of one kind are the heads of that kind the walk found */
static int check_block_sets(struct check *c, const char *kind, const struct block_set *lists,
			    const struct block_set *walk)
{
	if (lists->blocks != walk->blocks || lists->pages != walk->pages)
		return fail(c, "%s lists hold %" PRIu64 " blocks (%" PRIu64 " pages), the pfn walk "
			    "found %" PRIu64 " (%" PRIu64 ")", kind, lists->blocks, lists->pages,
			    walk->blocks, walk->pages);
	if (lists->sum != walk->sum)
		return fail(c, "%s lists and pfn walk: as many blocks, not the same ones "
			    "(one on two lists, another on none)", kind);
	return 0;
}

/* the lists and the walk see the same blocks; the zone counters match the lists */
static int check_zone_counters(struct check *c, const struct list_totals *t,
			       const struct walk_totals *w)
{
	const struct mzone *z = c->z;
	int ret;

	ret = check_block_sets(c, "free", &t->free, &w->free);
	if (!ret)
		ret = check_block_sets(c, "pcp", &t->pcp, &w->pcp);
	if (!ret)
		ret = check_counter(c, "nr_free_pages", z->nr_free_pages,
				    t->free.pages - t->isolate_pages);
	if (!ret)
		ret = check_counter(c, "nr_free_highatomic", z->nr_free_highatomic,
				    t->highatomic_pages);
	if (!ret)
		ret = check_counter(c, "nr_free_cma", z->nr_free_cma, t->cma_pages);
	if (!ret)
		ret = check_counter(c, "nr_free_blocks", z->nr_free_blocks, t->block_pages);
	if (ret)
		return ret;
	if (z->watermark_boost < 0)
		return fail(c, "watermark_boost %ld", z->watermark_boost);
	if (z->nr_reserved_highatomic < 0)
		return fail(c, "nr_reserved_highatomic %ld", z->nr_reserved_highatomic);
	return 0;
}

/* every pageblock the zone touches names a migratetype */
static int check_pageblocks(struct check *c)
{
	const struct model *m = c->m;

	for (uint64_t pb = pageblock_start(m, c->z->start_pfn); pb < c->z->end_pfn;
	     pb += m->pageblock_nr_pages)
		if (pb_mt(m, pb) >= MODEL_NR_MT)
			return fail(c, "pageblock 0x%" PRIx64 ": mt %d", pb, pb_mt(m, pb));
	return 0;
}

/* the zone lies inside the node's pages[], after the previous zone */
static int check_zone_span(struct check *c, uint64_t prev_end)
{
	const struct mzone *z = c->z;

	if (z->start_pfn > z->end_pfn || z->start_pfn < prev_end || z->end_pfn > c->m->node_end)
		return fail(c, "span [0x%" PRIx64 ", 0x%" PRIx64 ") outside the node or overlapping",
			    z->start_pfn, z->end_pfn);
	return 0;
}

/* every invariant of one zone, the pageblock bytes first: the list checks read them */
static int check_zone(struct check *c, uint64_t prev_end)
{
	struct list_totals t = { 0 };
	struct walk_totals w = { 0 };
	int ret;

	ret = check_zone_span(c, prev_end);
	if (!ret)
		ret = check_pageblocks(c);
	if (!ret)
		ret = check_free_areas(c, &t);
	for (unsigned int cpu = 0; !ret && c->z->pcp && cpu < c->m->nr_cpus; cpu++)
		ret = check_pcp(c, (int)cpu, &t);
	if (!ret)
		ret = check_zone_pfns(c, &w);
	if (!ret)
		ret = check_zone_counters(c, &t, &w);
	return ret;
}

/* the node-wide geometry the per-zone checks index with */
static int check_geometry(struct check *c)
{
	const struct model *m = c->m;

	if (m->max_order > MODEL_MAX_ORDER_LIMIT || m->pageblock_order >= 64 ||
	    m->pageblock_nr_pages != 1ULL << m->pageblock_order)
		return fail(c, "max_order %u, pageblock_order %u, pageblock_nr_pages %" PRIu64,
			    m->max_order, m->pageblock_order, m->pageblock_nr_pages);
	if (m->node_start > m->node_end || m->pb_base != pageblock_start(m, m->node_start) ||
	    m->nr_zones > MODEL_NR_ZONE_TYPES)
		return fail(c, "node [0x%" PRIx64 ", 0x%" PRIx64 "), pb_base 0x%" PRIx64
			    ", %u zones", m->node_start, m->node_end, m->pb_base, m->nr_zones);
	return 0;
}

int model_check(const struct model *m, char *err, size_t errlen)
{
	struct check c = { .m = m, .err = err, .errlen = errlen };
	uint64_t prev_end = m->node_start;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	ret = check_geometry(&c);
	for (unsigned int zi = 0; !ret && zi < m->nr_zones; zi++) {
		c.zi = zi;
		c.z = &m->zones[zi];
		ret = check_zone(&c, prev_end);
		prev_end = c.z->end_pfn;
	}
	if (!ret)
		ret = spb_check(m, err, errlen);
	return ret;
}

/* ---- model_hash: FNV-1a 64 over the state, value by value, little-endian ---- */

#define FNV64_OFFSET 0xcbf29ce484222325ULL
#define FNV64_PRIME 0x100000001b3ULL

/* FNV-1a over the 8 bytes of @v, least significant first */
static void hash_u64(uint64_t *h, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8) {
		*h ^= v & 0xff;
		*h *= FNV64_PRIME;
	}
}

/* nr, then the entries' pfns head to tail (nr first: list boundaries stay visible) */
static void hash_list(uint64_t *h, const struct model *m, const struct mlist *l)
{
	uint64_t span = m->node_end - m->node_start;
	uint32_t idx = l->head;

	hash_u64(h, l->nr);
	for (uint64_t n = 0; n < l->nr && idx < span; n++, idx = m->links[idx].next)
		hash_u64(h, ipfn(m, idx));
}

/* one CPU's lists in order and its pcp fields */
static void hash_pcp(uint64_t *h, const struct model *m, const struct mpcp *pcp)
{
	for (unsigned int pindex = 0; pindex < NR_PCP_LISTS; pindex++)
		hash_list(h, m, &pcp->lists[pindex]);
	hash_u64(h, (uint64_t)pcp->count);
	hash_u64(h, (uint64_t)pcp->high);
	hash_u64(h, (uint64_t)pcp->high_min);
	hash_u64(h, (uint64_t)pcp->high_max);
	hash_u64(h, (uint64_t)pcp->batch);
	hash_u64(h, (uint64_t)pcp->free_count);
	hash_u64(h, (uint64_t)pcp->alloc_factor);
	hash_u64(h, pcp->flags);
}

/* pfn, state, order and mt of every block head; tails and holes follow from them */
static void hash_blocks(uint64_t *h, const struct model *m, const struct mzone *z)
{
	uint64_t pfn = z->start_pfn;

	while (pfn < z->end_pfn) {
		const struct mpage *p = pg(m, pfn);
		bool head = p->state != MODEL_PAGE_UNMANAGED && p->state != MODEL_PAGE_TAIL;

		if (p->state != MODEL_PAGE_UNMANAGED) {
			hash_u64(h, pfn);
			hash_u64(h, p->state | (uint64_t)p->order << 8 | (uint64_t)p->mt << 16);
		}
		pfn += head && p->order < 64 ? 1ULL << p->order : 1;
	}
}

/* every pageblock byte the zone touches, flags included */
static void hash_pageblocks(uint64_t *h, const struct model *m, const struct mzone *z)
{
	for (uint64_t pb = pageblock_start(m, z->start_pfn); pb < z->end_pfn;
	     pb += m->pageblock_nr_pages)
		hash_u64(h, *pb_byte(m, pb));
}

/* a zone's counters, free lists in list order, pcp, pageblocks and blocks */
static void hash_zone(uint64_t *h, const struct model *m, const struct mzone *z)
{
	hash_u64(h, z->type);
	hash_u64(h, z->start_pfn);
	hash_u64(h, z->end_pfn);
	hash_u64(h, z->present);
	hash_u64(h, z->managed);
	for (int i = 0; i < NR_WMARK; i++)
		hash_u64(h, (uint64_t)z->wmark[i]);
	for (int i = 0; i < MODEL_NR_ZONE_TYPES; i++)
		hash_u64(h, (uint64_t)z->lowmem_reserve[i]);
	hash_u64(h, (uint64_t)z->watermark_boost);
	for (unsigned int o = 0; o <= m->max_order; o++) {
		hash_u64(h, z->area[o].nr_free);
		for (int mt = 0; mt < MODEL_NR_MT; mt++)
			hash_list(h, m, &z->area[o].free_list[mt]);
	}
	hash_u64(h, (uint64_t)z->nr_free_pages);
	hash_u64(h, (uint64_t)z->nr_free_highatomic);
	hash_u64(h, (uint64_t)z->nr_free_cma);
	hash_u64(h, (uint64_t)z->nr_free_blocks);
	hash_u64(h, (uint64_t)z->nr_reserved_highatomic);
	hash_u64(h, z->boosted_watermark | z->below_high << 1);
	for (unsigned int cpu = 0; z->pcp && cpu < m->nr_cpus; cpu++)
		hash_pcp(h, m, &z->pcp[cpu]);
	hash_pageblocks(h, m, z);
	hash_blocks(h, m, z);
}

/*
 * State only: knobs (configuration), the event callback and the trace clock
 * now_ns (an input) stay out; next_decay_ns is in, as it decides when the pcp
 * high decays next.
 */
uint64_t model_hash(const struct model *m)
{
	uint64_t h = FNV64_OFFSET;

	hash_u64(&h, m->nr_zones);
	hash_u64(&h, m->nr_cpus);
	hash_u64(&h, m->max_order);
	hash_u64(&h, m->pageblock_order);
	for (unsigned int zi = 0; zi < m->nr_zones; zi++)
		hash_zone(&h, m, &m->zones[zi]);
	for (int i = 0; i < MODEL_NR_COUNTERS; i++)
		hash_u64(&h, m->counters[i]);
	hash_u64(&h, m->kswapd_boost_pending);
	hash_u64(&h, (uint64_t)m->kswapd_boost_left);
	hash_u64(&h, m->next_decay_ns);
	/* what kswapd and kcompactd will do next (a shared run's variants must
	 * agree in it too: tests/unit/test_model_storm.c test_share()) */
	hash_u64(&h, m->kswapd_running);
	hash_u64(&h, (uint64_t)m->kswapd_order);
	hash_u64(&h, (uint64_t)m->kswapd_highest_zoneidx);
	hash_u64(&h, (uint64_t)m->kcompactd_max_order);
	hash_u64(&h, (uint64_t)m->kcompactd_highest_zoneidx);
	hash_u64(&h, m->kcompactd_woken);
	hash_u64(&h, m->next_proactive_ns);
	hash_u64(&h, m->proactive_running);
	hash_u64(&h, m->rng);
	for (unsigned int i = 0; i < m->evac_n; i++) {
		const struct evac_item *it = &m->evac[(m->evac_head + i) % m->evac_cap];
		hash_u64(&h, it->pfn);
		hash_u64(&h, it->due_ns);
		hash_u64(&h, it->cpu);
	}
	return h;
}
