/* SPDX-License-Identifier: MIT */
/*
 * spb.c - superpageblocks as Rik van Riel's RFC PATCH 08/40 (May 2026,
 * "mm: reliable 1GB page allocation") keeps them: per 1 GiB-aligned range of
 * 512 pageblocks, counts of free, unmovable, reclaimable, movable and
 * reserved pageblocks; the SPBs on lists by category (clean or tainted) and
 * fullness. On in every variant: the steering patches (spb_claim.c,
 * spb_pack.c, spb_fragments.c) and the defrag worker (spb_defrag.c) read it,
 * and the metrics report it for all.
 *
 * The model keeps it up to date from the free-list primitives
 * (__add_to_free_list(), __del_page_from_free_list(), move_to_free_list())
 * and set_pageblock_migratetype(), as the patch does, at O(1) per call
 * (O(pageblocks) of a block above pageblock order).
 *
 * Deliberate differences, as the patch text was not available to us (only
 * the review's quotes and KERNEL-NOTES.md's summary): a pageblock counts as
 * free when it lies wholly in a free buddy block, else by its migratetype
 * (HIGHATOMIC and CMA count as reserved; ISOLATE as movable, as only
 * 17/40's alloc_contig_range() isolates, MOVABLE pageblocks, for the length
 * of one request: spb_contig.c); an SPB is tainted when one
 * of its pageblocks that is not free is unmovable, reclaimable or reserved;
 * fullness is the quarter of its pages that are free (fullest first), the
 * last category wholly free. 14/40's per-SPB free lists are modelled by their
 * effect: per-SPB counts of free blocks by order and list say whether an SPB
 * has a block, and spb_first_free() finds the first such block on the
 * zone's list, which is the head of that SPB's own list (the kernel's cost
 * is one list head; the model's walk is not counted).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

static enum spb_count spb_count_of(int mt)
{
	switch (mt) {
	case MODEL_MT_UNMOVABLE:
		return SPB_UNMOVABLE;
	case MODEL_MT_RECLAIMABLE:
		return SPB_RECLAIMABLE;
	case MODEL_MT_MOVABLE:
	case MODEL_MT_ISOLATE:
		return SPB_MOVABLE;
	default:
		return SPB_RESERVED;
	}
}

static bool pb_present(const struct model *m, uint64_t start)
{
	uint64_t end = start + m->pageblock_nr_pages;

	for (unsigned int i = 0; i < m->nr_zones; i++)
		if (start < m->zones[i].end_pfn && end > m->zones[i].start_pfn)
			return true;
	return false;
}

static uint8_t spb_category_of(const struct spb *sb)
{
	return sb->nr[SPB_UNMOVABLE] + sb->nr[SPB_RECLAIMABLE] + sb->nr[SPB_RESERVED]
		       ? SPB_TAINTED : SPB_CLEAN;
}

static uint8_t spb_fullness_of(const struct model *m, const struct spb *sb)
{
	if (sb->nr[SPB_FREE] == sb->present)
		return SPB_NR_FULLNESS - 1;
	/* free_pages * 4 / pages, without a divide: it runs on every free-list change */
	uint64_t free4 = sb->free_pages * 4, pages = (uint64_t)sb->present << m->pageblock_order;
	unsigned int q = 0;

	while (q < SPB_NR_FULLNESS - 2 && free4 >= (q + 1) * pages)
		q++;
	return (uint8_t)q;
}

static void spb_link(struct model *m, uint32_t i)
{
	struct spb *sb = &m->spb[i];
	uint32_t *head = &m->spb_list[sb->category][sb->fullness];

	sb->prev = NIL;
	sb->next = *head;
	if (*head != NIL)
		m->spb[*head].prev = i;
	*head = i;
}

static void spb_unlink(struct model *m, uint32_t i)
{
	struct spb *sb = &m->spb[i];

	if (sb->prev != NIL)
		m->spb[sb->prev].next = sb->next;
	else
		m->spb_list[sb->category][sb->fullness] = sb->next;
	if (sb->next != NIL)
		m->spb[sb->next].prev = sb->prev;
}

/* spb_update_list(): move the SPB to the list its counts now call for */
static void spb_update(struct model *m, struct spb *sb)
{
	uint8_t cat = spb_category_of(sb), full = spb_fullness_of(m, sb);
	uint32_t i = (uint32_t)(sb - m->spb);

	if (cat != sb->category || full != sb->fullness) {
		if (cat != sb->category) {
			count_event(m, cat == SPB_TAINTED ? MODEL_SPB_TAINTED : MODEL_SPB_CLEANED, 1);
			m->nr_spb_tainted += cat == SPB_TAINTED ? 1 : -1u;
		}
		spb_unlink(m, i);
		sb->category = cat;
		sb->fullness = full;
		spb_link(m, i);
	}
	if (m->knobs[MODEL_KNOB_SPB_DEFRAG] && cat == SPB_TAINTED)
		spb_defrag_consider(m, sb);
}

/* setup_superpageblocks(): every pageblock inside a zone counted by its type */
/* whether a variant searches the per-SPB free lists (spb_first_free()) */
bool spb_lists_wanted(const struct model *m)
{
	return m->knobs[MODEL_KNOB_SPB_CLAIM] || m->knobs[MODEL_KNOB_SPB_PACK] ||
	       m->knobs[MODEL_KNOB_SPB_FRAGMENTS];
}

static struct spb_link *spb_head(const struct model *m, const struct spb *sb, unsigned int order,
				  int mt)
{
	return &m->spb_heads[((size_t)(sb - m->spb) * (MODEL_MAX_ORDER_LIMIT + 1) + order) *
			     MODEL_NR_MT + (size_t)mt];
}

/* the per-SPB list: @pfn added at its head or tail, as on the zone's list */
static void spb_list_add(struct model *m, const struct spb *sb, uint64_t pfn, unsigned int order,
			 int mt, bool tail)
{
	struct spb_link *h = spb_head(m, sb, order, mt);
	uint32_t i = (uint32_t)(pfn - m->node_start);
	struct spb_link *l = &m->spb_links[i];

	if (h->next == NIL) { /* head == NIL: empty; head is .next, tail .prev */
		l->next = l->prev = NIL;
		h->next = h->prev = i;
	} else if (tail) {
		l->next = NIL;
		l->prev = h->prev;
		m->spb_links[h->prev].next = i;
		h->prev = i;
	} else {
		l->prev = NIL;
		l->next = h->next;
		m->spb_links[h->next].prev = i;
		h->next = i;
	}
}

static void spb_list_del(struct model *m, const struct spb *sb, uint64_t pfn, unsigned int order,
			 int mt)
{
	struct spb_link *h = spb_head(m, sb, order, mt);
	uint32_t i = (uint32_t)(pfn - m->node_start);
	struct spb_link *l = &m->spb_links[i];

	if (l->prev != NIL)
		m->spb_links[l->prev].next = l->next;
	else
		h->next = l->next;
	if (l->next != NIL)
		m->spb_links[l->next].prev = l->prev;
	else
		h->prev = l->prev;
}

/*
 * The per-SPB free lists built from the zones' (a clone of a model that had
 * none): each zone list walked head to tail, its blocks appended to their
 * SPB's list, which keeps their order.
 */
int spb_lists_build(struct model *m)
{
	size_t nh = (size_t)m->nr_spb * (MODEL_MAX_ORDER_LIMIT + 1) * MODEL_NR_MT;

	m->spb_links = malloc((size_t)(m->node_end - m->node_start) * sizeof(*m->spb_links));
	m->spb_heads = malloc(nh * sizeof(*m->spb_heads));
	if (!m->spb_links || !m->spb_heads)
		return -ENOMEM;
	for (size_t i = 0; i < nh; i++)
		m->spb_heads[i] = (struct spb_link){ NIL, NIL };
	for (unsigned int zi = 0; zi < m->nr_zones; zi++)
		for (unsigned int o = 0; o <= MODEL_MAX_ORDER_LIMIT; o++)
			for (int mt = 0; mt < MODEL_NR_MT; mt++)
				for (uint32_t i = m->zones[zi].area[o].free_list[mt].head; i != NIL;
				     i = m->links[i].next) {
					uint64_t pfn = ipfn(m, i);

					spb_list_add(m, pfn_spb(m, pfn), pfn, o, mt, true);
				}
	return 0;
}

int spb_init(struct model *m)
{
	unsigned int shift = m->pageblock_order + (unsigned int)m->knobs[MODEL_KNOB_SPB_ORDER];

	m->spb_shift = shift > m->max_order ? shift : m->max_order;
	m->spb_base = m->node_start & ~((1ull << m->spb_shift) - 1);
	m->nr_spb = (uint32_t)(((m->node_end - 1 - m->spb_base) >> m->spb_shift) + 1);
	m->spb = calloc(m->nr_spb, sizeof(*m->spb));
	if (!m->spb)
		return -ENOMEM;
	if (spb_lists_wanted(m) && spb_lists_build(m))
		return -ENOMEM; /* model_free() frees what was had */
	for (int c = 0; c < SPB_NR_CATEGORIES; c++)
		for (int f = 0; f < SPB_NR_FULLNESS; f++)
			m->spb_list[c][f] = NIL;
	for (uint64_t pfn = m->pb_base; pfn < m->node_end; pfn += m->pageblock_nr_pages) {
		if (!pb_present(m, pfn))
			continue;
		struct spb *sb = pfn_spb(m, pfn < m->spb_base ? m->spb_base : pfn);
		sb->present++;
		sb->nr[spb_count_of(pb_mt(m, pfn))]++;
	}
	for (uint32_t i = 0; i < m->nr_spb; i++) {
		struct spb *sb = &m->spb[i];

		if (!sb->present)
			continue;
		m->nr_spb_present++;
		sb->category = spb_category_of(sb);
		sb->fullness = spb_fullness_of(m, sb);
		m->nr_spb_tainted += sb->category == SPB_TAINTED;
		spb_link(m, i);
	}
	return 0;
}

/* a free block of at least a pageblock covers its pageblocks (@free) or no longer does */
static void spb_cover(struct model *m, struct spb *sb, uint64_t pfn, unsigned int order, bool free)
{
	for (uint64_t n = 1ull << (order - m->pageblock_order); n; n--) {
		uint8_t *b = pb_byte(m, pfn);
		enum spb_count c = spb_count_of(*b & PB_MT_MASK);

		*b = (uint8_t)(free ? *b | PB_SPB_FREE : *b & ~PB_SPB_FREE);
		sb->nr[free ? c : SPB_FREE]--;
		sb->nr[free ? SPB_FREE : c]++;
		pfn += m->pageblock_nr_pages;
	}
}

/*
 * move_freelist_head() makes the zone list's part from its head to @last
 * (indices into pages[]) its tail: each SPB's list takes those blocks to its
 * tail in the same order, which keeps it the zone list's order.
 */
void spb_free_rotate(struct model *m, uint32_t head, uint32_t last)
{
	if (!m->spb_links)
		return;
	for (uint32_t i = head;; i = m->links[i].next) {
		uint64_t pfn = ipfn(m, i);
		const struct mpage *p = &m->pages[i];
		const struct spb *sb = pfn_spb(m, pfn);

		spb_list_del(m, sb, pfn, p->order, p->mt);
		spb_list_add(m, sb, pfn, p->order, p->mt, true);
		if (i == last)
			break;
	}
}

void spb_free_add(struct model *m, uint64_t pfn, unsigned int order, int mt, bool tail)
{
	struct spb *sb = pfn_spb(m, pfn);

	if (m->spb_links)
		spb_list_add(m, sb, pfn, order, mt, tail);

	sb->nr_free[order][mt]++;
	sb->free_pages += 1ull << order;
	if (order >= m->pageblock_order)
		spb_cover(m, sb, pfn, order, true);
	spb_update(m, sb);
}

void spb_free_del(struct model *m, uint64_t pfn, unsigned int order, int mt)
{
	struct spb *sb = pfn_spb(m, pfn);

	if (m->spb_links)
		spb_list_del(m, sb, pfn, order, mt);
	sb->nr_free[order][mt]--;
	sb->free_pages -= 1ull << order;
	if (order >= m->pageblock_order)
		spb_cover(m, sb, pfn, order, false);
	spb_update(m, sb);
}

void spb_free_move(struct model *m, uint64_t pfn, unsigned int order, int old_mt, int new_mt)
{
	struct spb *sb = pfn_spb(m, pfn);

	if (m->spb_links) { /* move_to_free_list() adds at the tail */
		spb_list_del(m, sb, pfn, order, old_mt);
		spb_list_add(m, sb, pfn, order, new_mt, true);
	}
	sb->nr_free[order][old_mt]--;
	sb->nr_free[order][new_mt]++;
}

/* set_pageblock_migratetype() of a pageblock that is not free */
void spb_retype(struct model *m, uint64_t pfn, int old_mt, int new_mt)
{
	uint64_t start = pageblock_start(m, pfn);

	if (!m->spb || !pb_present(m, start))
		return;
	struct spb *sb = pfn_spb(m, start < m->spb_base ? m->spb_base : start);
	sb->nr[spb_count_of(old_mt)]--;
	sb->nr[spb_count_of(new_mt)]++;
	spb_update(m, sb);
}

uint32_t spb_iter_next(const struct model *m, int category, uint32_t cur)
{
	unsigned int f = 0;

	if (cur == NIL) {
		cur = m->spb_list[category][0];
	} else {
		f = m->spb[cur].fullness;
		cur = m->spb[cur].next;
	}
	while (cur == NIL && ++f < SPB_NR_FULLNESS)
		cur = m->spb_list[category][f];
	return cur;
}

uint64_t spb_first_free(struct model *m, const struct mzone *z, uint32_t sb, unsigned int order,
			int mt)
{
	uint64_t lo = m->spb_base + ((uint64_t)sb << m->spb_shift), hi = lo + (1ull << m->spb_shift);

	if (!m->spb[sb].nr_free[order][mt] || lo >= z->end_pfn || hi <= z->start_pfn)
		return MODEL_PFN_NONE;
	if (m->spb_links) { /* the SPB's own list: its first block of @z */
		for (uint32_t i = spb_head(m, &m->spb[sb], order, mt)->next; i != NIL;
		     i = m->spb_links[i].next) {
			uint64_t pfn = ipfn(m, i);

			if (pfn >= z->start_pfn && pfn < z->end_pfn)
				return pfn;
		}
		return MODEL_PFN_NONE;
	}
	for (uint32_t i = z->area[order].free_list[mt].head; i != NIL; i = m->links[i].next) {
		uint64_t pfn = ipfn(m, i);

		if (pfn >= lo && pfn < hi)
			return pfn;
	}
	return MODEL_PFN_NONE;
}

void model_spb_info(const struct model *m, struct model_spb_info *si)
{
	memset(si, 0, sizeof(*si));
	for (uint32_t i = 0; i < m->nr_spb; i++) {
		const struct spb *sb = &m->spb[i];

		if (!sb->present)
			continue;
		si->spbs++;
		si->tainted += sb->category == SPB_TAINTED;
		si->free += sb->nr[SPB_FREE] == 1u << (m->spb_shift - m->pageblock_order);
		for (int c = 0; c < SPB_NR_COUNTS; c++)
			si->pageblocks[c] += sb->nr[c];
	}
}

uint64_t model_spb_pages(const struct model *m)
{
	return 1ull << m->spb_shift;
}

/* ---- model_check(): the counters against a count from the per-pfn state ---- */

#define SPB_FAIL(...) do { if (err && errlen) snprintf(err, errlen, __VA_ARGS__); \
			   ret = -EUCLEAN; goto out; } while (0)

/*
 * The per-SPB free lists: each holds exactly its SPB's free blocks of its
 * order and list (as many as nr_free counts), linked both ways, in the
 * order their zone's list has them.
 */
static bool same_zone(const struct model *m, uint64_t a, uint64_t b)
{
	for (unsigned int zi = 0; zi < m->nr_zones; zi++) {
		const struct mzone *z = &m->zones[zi];

		if (a >= z->start_pfn && a < z->end_pfn)
			return b >= z->start_pfn && b < z->end_pfn;
	}
	return false;
}

static int spb_check_lists(const struct model *m, char *err, size_t errlen)
{
	uint64_t npages = m->node_end - m->node_start;
	uint32_t *rank = malloc(npages * sizeof(*rank));
	int ret = 0;

	if (!rank)
		return 0;
	for (unsigned int zi = 0; zi < m->nr_zones; zi++)
		for (unsigned int o = 0; o <= MODEL_MAX_ORDER_LIMIT; o++)
			for (int mt = 0; mt < MODEL_NR_MT; mt++) {
				uint32_t r = 0;

				for (uint32_t i = m->zones[zi].area[o].free_list[mt].head; i != NIL;
				     i = m->links[i].next)
					rank[i] = r++;
			}
	for (uint32_t sb = 0; sb < m->nr_spb; sb++)
		for (unsigned int o = 0; o <= MODEL_MAX_ORDER_LIMIT; o++)
			for (int mt = 0; mt < MODEL_NR_MT; mt++) {
				const struct spb_link *h = spb_head(m, &m->spb[sb], o, mt);
				uint32_t n = 0, prev = NIL;

				for (uint32_t i = h->next; i != NIL; prev = i, i = m->spb_links[i].next) {
					uint64_t pfn = ipfn(m, i);
					const struct mpage *p = &m->pages[i];

					if (++n > m->spb[sb].nr_free[o][mt] ||
					    m->spb_links[i].prev != prev || p->state != MODEL_PAGE_FREE ||
					    p->order != o || p->mt != mt ||
					    (pfn - m->spb_base) >> m->spb_shift != sb)
						SPB_FAIL("spb %u: its order-%u list %d holds pfn %llu wrongly",
							 sb, o, mt, (unsigned long long)pfn);
					if (prev != NIL && m->pages[prev].state == MODEL_PAGE_FREE &&
					    same_zone(m, ipfn(m, prev), pfn) && rank[prev] > rank[i])
						SPB_FAIL("spb %u: its order-%u list %d is out of its zone "
							 "list's order at pfn %llu", sb, o, mt,
							 (unsigned long long)pfn);
				}
				if (n != m->spb[sb].nr_free[o][mt] || h->prev != prev)
					SPB_FAIL("spb %u: its order-%u list %d holds %u blocks of %u", sb,
						 o, mt, n, m->spb[sb].nr_free[o][mt]);
			}
out:
	free(rank);
	return ret;
}

int spb_check(const struct model *m, char *err, size_t errlen)
{
	struct spb *want = calloc(m->nr_spb, sizeof(*want));
	uint32_t tainted = 0, linked = 0;
	int ret = 0;

	if (!want)
		return 0; /* no memory to check with: not a broken invariant */
	for (unsigned int zi = 0; zi < m->nr_zones; zi++) {
		const struct mzone *z = &m->zones[zi];

		for (uint64_t pfn = z->start_pfn; pfn < z->end_pfn;) {
			const struct mpage *p = pg(m, pfn);

			if (p->state != MODEL_PAGE_FREE) {
				pfn += p->state == MODEL_PAGE_ALLOC || p->state == MODEL_PAGE_PCP
					       ? 1ull << p->order : 1;
				continue;
			}
			struct spb *w = &want[(pfn - m->spb_base) >> m->spb_shift];
			w->nr_free[p->order][p->mt]++;
			w->free_pages += 1ull << p->order;
			for (uint64_t b = pfn; p->order >= m->pageblock_order &&
			     b < pfn + (1ull << p->order); b += m->pageblock_nr_pages) {
				if (!(*pb_byte(m, b) & PB_SPB_FREE))
					SPB_FAIL("spb: pageblock %llu in a free order-%u block not "
						 "counted free", (unsigned long long)b, p->order);
				w->nr[SPB_FREE]++;
			}
			pfn += 1ull << p->order;
		}
	}
	for (uint64_t pfn = m->pb_base; pfn < m->node_end; pfn += m->pageblock_nr_pages) {
		if (!pb_present(m, pfn))
			continue;
		struct spb *w = &want[((pfn < m->spb_base ? m->spb_base : pfn) - m->spb_base) >>
				      m->spb_shift];
		uint8_t b = *pb_byte(m, pfn);

		w->present++;
		if (b & PB_SPB_FREE)
			w->next++; /* flagged free: must be as many as the covered ones */
		else
			w->nr[spb_count_of(b & PB_MT_MASK)]++;
	}
	for (uint32_t i = 0; i < m->nr_spb; i++) {
		const struct spb *sb = &m->spb[i];
		struct spb *w = &want[i];

		if (w->next != w->nr[SPB_FREE])
			SPB_FAIL("spb %u: %u pageblocks flagged free, %u in free blocks", i,
				 w->next, w->nr[SPB_FREE]);
		if (memcmp(sb->nr, w->nr, sizeof(sb->nr)))
			SPB_FAIL("spb %u: pageblocks free/U/R/M/reserved %u/%u/%u/%u/%u, counted "
				 "%u/%u/%u/%u/%u", i, sb->nr[0], sb->nr[1], sb->nr[2], sb->nr[3],
				 sb->nr[4], w->nr[0], w->nr[1], w->nr[2], w->nr[3], w->nr[4]);
		if (sb->present != w->present)
			SPB_FAIL("spb %u: %u pageblocks present, counted %u", i, sb->present,
				 w->present);
		if (sb->free_pages != w->free_pages)
			SPB_FAIL("spb %u: %llu free pages, counted %llu", i,
				 (unsigned long long)sb->free_pages,
				 (unsigned long long)w->free_pages);
		if (memcmp(sb->nr_free, w->nr_free, sizeof(sb->nr_free)))
			SPB_FAIL("spb %u: free blocks by order and list differ from the lists", i);
		if (!sb->present)
			continue;
		if (sb->category != spb_category_of(sb) || sb->fullness != spb_fullness_of(m, sb))
			SPB_FAIL("spb %u: on list [%u][%u], its counts say [%u][%u]", i,
				 sb->category, sb->fullness, spb_category_of(sb),
				 spb_fullness_of(m, sb));
		tainted += sb->category == SPB_TAINTED;
	}
	for (int c = 0; c < SPB_NR_CATEGORIES; c++) {
		for (uint32_t i = spb_iter_next(m, c, NIL); i != NIL; i = spb_iter_next(m, c, i)) {
			if (m->spb[i].category != c)
				SPB_FAIL("spb %u: on a list of category %d, is %u", i, c,
					 m->spb[i].category);
			if (++linked > m->nr_spb)
				SPB_FAIL("spb lists: a loop");
		}
	}
	if (linked != m->nr_spb_present || tainted != m->nr_spb_tainted)
		SPB_FAIL("spb lists: %u linked of %u present, %u tainted counted %u", linked,
			 m->nr_spb_present, tainted, m->nr_spb_tainted);
	if (m->spb_links)
		ret = spb_check_lists(m, err, errlen);
out:
	free(want);
	return ret;
}
