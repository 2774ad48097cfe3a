/* SPDX-License-Identifier: MIT */
/*
 * pcp.c - per-CPU page lists: sizes, refill, free, drain and the high
 * auto-tuning of mm/page_alloc.c (6.18). Differs: ZONE_RECLAIM_ACTIVE is set
 * when the replay says kswapd reclaims (model_set_reclaim_active(); the model
 * does not reclaim), and a drain never loses the pcp lock.
 */
#include "model_internal.h"

/* pcp_allowed_order(): costly orders and below, and the THP order */
bool pcp_allowed_order(const struct model *m, unsigned int order)
{
	return order <= PAGE_ALLOC_COSTLY_ORDER || order == m->pmd_order;
}

/* order_to_pindex() */
static unsigned int order_to_pindex(int mt, unsigned int order)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NR_LOWORDER_PCP_LISTS + (mt == MODEL_MT_MOVABLE);
	return MODEL_NR_PCPTYPES * order + (unsigned int)mt;
}

unsigned int pcp_list_index(int mt, unsigned int order)
{
	return order_to_pindex(mt, order);
}

/* pindex_to_order() */
static unsigned int pindex_to_order(const struct model *m, unsigned int pindex)
{
	return pindex >= NR_LOWORDER_PCP_LISTS ? m->pmd_order : pindex / MODEL_NR_PCPTYPES;
}

static unsigned int rounddown_pow_of_two(unsigned int x)
{
	unsigned int r = 1;

	while (r <= x / 2)
		r <<= 1;
	return r;
}

/* zone_batchsize(): about a quarter of 1 MiB of pages, at most */
static int zone_batchsize(uint64_t managed)
{
	uint64_t batch = managed >> 10;

	if (batch > 256)
		batch = 256;
	batch /= 4;
	if (batch < 1)
		batch = 1;
	int b = (int)rounddown_pow_of_two((unsigned int)(batch + batch / 2)) - 1;
	return b < 1 ? 1 : b; /* zone_set_pageset_high_and_batch: max(1, ...) */
}

/*
 * zone_highsize(): high_min from the low watermark, high_max from an eighth
 * of the zone, both split over the online CPUs of the zone's node
 * (cpumask_of_node(zone_to_nid(zone))) and at least 4 batches. On a NUMA
 * host that is node 0's CPUs, not all of them (model_desc.node_cpus).
 */
static int zone_highsize(const struct model *m, const struct mzone *z, int batch, int fraction)
{
	uint64_t total = fraction ? z->managed / (uint64_t)fraction : (uint64_t)z->wmark[WMARK_LOW];
	uint64_t high = total / m->node_cpus;

	if (high < (uint64_t)batch << 2)
		high = (uint64_t)batch << 2;
	return (int)high;
}

/* the kernel's clamp(): min(max(v, lo), hi), so hi wins when lo > hi (tiny zones) */
static int clampi(int v, int lo, int hi)
{
	v = v > lo ? v : lo;
	return v < hi ? v : hi;
}

/*
 * setup_zone_pageset() and zone_set_pageset_high_and_batch(). Differs: a
 * recorded batch and high (a snapshot's zoneinfo) are taken as given.
 */
void setup_zone_pageset(struct model *m, struct mzone *z, const struct model_zone_desc *d)
{
	int batch, high_min, high_max;

	if (d->pcp_given) {
		batch = d->pcp_batch < 1 ? 1 : d->pcp_batch;
		high_min = d->pcp_high_min < 0 ? zone_highsize(m, z, batch, 0) : d->pcp_high_min;
		high_max = d->pcp_high_max ? d->pcp_high_max : zone_highsize(m, z, batch, 8);
		if (high_max < high_min)
			high_max = high_min;
	} else {
		batch = zone_batchsize(z->managed);
		high_min = zone_highsize(m, z, batch, 0);
		high_max = zone_highsize(m, z, batch, 8);
	}
	for (unsigned int c = 0; c < m->nr_cpus; c++) {
		struct mpcp *p = &z->pcp[c];

		for (int i = 0; i < NR_PCP_LISTS; i++)
			mlist_init(&p->lists[i]);
		p->batch = batch;
		p->high_min = high_min;
		p->high_max = high_max;
		p->high = clampi(d->pcp_high ? d->pcp_high : high_min, high_min, high_max);
		p->flags = m->pcp_free_high_batch ? PCPF_FREE_HIGH_BATCH : 0;
	}
}

static int maxi(int a, int b)
{
	return a > b ? a : b;
}

static int mini(int a, int b)
{
	return a < b ? a : b;
}

/*
 * free_pcppages_bulk(): @count pages back to the buddy lists, round-robin over
 * the lists starting with @pindex, each from the tail, each to the free list
 * of its pageblock's current type.
 */
static void free_pcppages_bulk(struct model *m, struct mzone *z, int count, struct mpcp *pcp,
			       int pindex)
{
	count = mini(pcp->count, count);
	pindex--;
	while (count > 0) {
		struct mlist *list;

		do {
			if (++pindex > NR_PCP_LISTS - 1)
				pindex = 0;
			list = &pcp->lists[pindex];
		} while (list->head == NIL);

		unsigned int order = pindex_to_order(m, (unsigned int)pindex);
		int nr = 1 << order;
		do {
			uint64_t pfn = mlist_last(m, list);
			int mt = pb_mt(m, pfn);

			mlist_del(m, list, pfn);
			count -= nr;
			pcp->count -= nr;
			raw_free_one_page(m, z, pfn, order, mt, false);
			count_event(m, MODEL_PCP_DRAIN_PAGES, (uint64_t)nr);
			struct model_event ev = { .type = MODEL_EV_PCPU_DRAIN, .pfn = pfn,
						  .order = order, .migratetype = mt,
						  .zone = z->type };
			emit(m, &ev);
		} while (count > 0 && list->head != NIL);
	}
}

/* decay_pcp_high(), run from vmstat_update about once a second */
void decay_pcp_high(struct model *m, struct mzone *z, struct mpcp *pcp)
{
	if (pcp->high > pcp->high_min)
		pcp->high = maxi(maxi(pcp->count - (pcp->batch << PCP_BATCH_SCALE_MAX),
				      pcp->high - (pcp->high >> 3)),
				 pcp->high_min);
	for (int to_drain = pcp->count - pcp->high; to_drain > 0; to_drain -= pcp->batch)
		free_pcppages_bulk(m, z, mini(to_drain, pcp->batch), pcp, 0);
}

/* drain_pages_zone() */
void drain_pages_zone(struct model *m, struct mzone *z, unsigned int cpu)
{
	struct mpcp *pcp = &z->pcp[cpu];

	while (pcp->count)
		free_pcppages_bulk(m, z, mini(pcp->count, pcp->batch << PCP_BATCH_SCALE_MAX), pcp,
				   0);
}

void model_drain_all(struct model *m)
{
	for (unsigned int c = 0; c < m->nr_cpus; c++)
		for (unsigned int i = 0; i < m->nr_zones; i++)
			drain_pages_zone(m, &m->zones[i], c);
}

/* nr_pcp_alloc(): order-0 refills double while the CPU only allocates */
static int nr_pcp_alloc(struct mpcp *pcp, const struct mzone *z, unsigned int order)
{
	int base_batch = pcp->batch, batch;
	int high = pcp->high = clampi(pcp->high, pcp->high_min, pcp->high_max);

	if (high < base_batch)
		return 1;
	batch = order ? base_batch : base_batch << pcp->alloc_factor;
	if (pcp->high_min != pcp->high_max && !z->below_high)
		high = pcp->high = mini(high + batch, pcp->high_max);
	if (!order) {
		int max_nr_alloc = maxi(high - pcp->count - base_batch, base_batch);

		if (batch <= max_nr_alloc && pcp->alloc_factor < PCP_BATCH_SCALE_MAX)
			pcp->alloc_factor++;
		batch = mini(batch, max_nr_alloc);
	}
	if (batch > 1)
		batch = maxi(batch >> order, 2);
	return batch;
}

/* rmqueue_bulk(): one zone-lock hold, the rmqueue mode kept across the loop */
static int rmqueue_bulk(struct model *m, struct mzone *z, unsigned int order, int count,
			struct mlist *list, int mt, unsigned int alloc_flags)
{
	enum rmqueue_mode mode = RMQUEUE_NORMAL;
	int i;

	for (i = 0; i < count; i++) {
		uint64_t pfn = raw_rmqueue(m, z, order, mt, alloc_flags, &mode);

		if (pfn == MODEL_PFN_NONE)
			break;
		struct mpage *p = pg(m, pfn);
		p->state = MODEL_PAGE_PCP;
		p->order = (uint8_t)order;
		p->mt = (uint8_t)mt;
		mlist_add(m, list, pfn, true);
	}
	count_event(m, MODEL_PCP_REFILL_PAGES, (uint64_t)i << order);
	return i;
}

/*
 * rmqueue_pcplist() / __rmqueue_pcplist(): the head of this CPU's list,
 * refilled by rmqueue_bulk() when empty (not for ALLOC_HIGHATOMIC, which goes
 * to the buddy lists and their reserves instead).
 */
uint64_t rmqueue_pcplist(struct model *m, struct mzone *z, unsigned int order, int mt,
			 unsigned int alloc_flags, unsigned int cpu)
{
	struct mpcp *pcp = &z->pcp[cpu];
	struct mlist *list = &pcp->lists[order_to_pindex(mt, order)];

	pcp->free_count >>= 1;
	if (list->head == NIL) {
		int batch = nr_pcp_alloc(pcp, z, order);

		if (alloc_flags & ALLOC_HIGHATOMIC)
			return MODEL_PFN_NONE;
		pcp->count += rmqueue_bulk(m, z, order, batch, list, mt, alloc_flags) << order;
		if (list->head == NIL)
			return MODEL_PFN_NONE;
	}
	uint64_t pfn = mlist_first(m, list);
	mlist_del(m, list, pfn);
	pcp->count -= 1 << order;
	count_event(m, MODEL_PGALLOC_DMA + z->type, 1ull << order);
	return pfn;
}

/* nr_pcp_high(): ZONE_RECLAIM_ACTIVE keeps the list to batch << 2 */
static int nr_pcp_high(struct mpcp *pcp, const struct mzone *z, int batch, bool free_high)
{
	int high = pcp->high = clampi(pcp->high, pcp->high_min, pcp->high_max);

	if (!high)
		return 0;
	if (free_high) {
		pcp->high = maxi(high - (batch << PCP_BATCH_SCALE_MAX), pcp->high_min);
		return 0;
	}
	if (z->reclaim_active) {
		pcp->high = maxi(high - maxi(pcp->free_count, batch), pcp->high_min);
		return mini(batch << 2, pcp->high);
	}
	if (pcp->high_min == pcp->high_max)
		return high;
	if (z->below_high) {
		pcp->high = maxi(high - maxi(pcp->free_count, batch), pcp->high_min);
		high = maxi(pcp->count, pcp->high_min);
	} else if (pcp->count >= high) {
		int need_high = pcp->free_count + batch;

		if (pcp->high < need_high)
			pcp->high = clampi(need_high, pcp->high_min, pcp->high_max);
	}
	return high;
}

/* nr_pcp_free() */
static int nr_pcp_free(const struct mpcp *pcp, int batch, int high, bool free_high)
{
	if (free_high)
		return mini(pcp->count, batch << PCP_BATCH_SCALE_MAX);
	if (high < batch)
		return 1;
	return clampi(pcp->free_count, batch, high - batch);
}

/*
 * free_frozen_page_commit(): to the head of this CPU's list; past high,
 * batches go back to the buddy lists, the list just freed to first.
 */
void free_frozen_page_commit(struct model *m, struct mzone *z, uint64_t pfn, unsigned int order,
			     int mt, unsigned int cpu)
{
	struct mpcp *pcp = &z->pcp[cpu];
	unsigned int pindex = order_to_pindex(mt, order);
	int batch = pcp->batch;
	bool free_high = false;

	pcp->alloc_factor >>= 1;
	struct mpage *p = pg(m, pfn);
	p->state = MODEL_PAGE_PCP;
	p->order = (uint8_t)order;
	p->mt = (uint8_t)mt;
	mlist_add(m, &pcp->lists[pindex], pfn, false);
	pcp->count += 1 << order;

	if (order && order <= PAGE_ALLOC_COSTLY_ORDER) {
		free_high = pcp->free_count >= batch + pcp->high_min / 2 &&
			    (pcp->flags & PCPF_PREV_FREE_HIGH_ORDER) &&
			    (!(pcp->flags & PCPF_FREE_HIGH_BATCH) || pcp->count >= batch);
		pcp->flags |= PCPF_PREV_FREE_HIGH_ORDER;
	} else {
		pcp->flags &= ~PCPF_PREV_FREE_HIGH_ORDER;
	}
	if (pcp->free_count < batch << PCP_BATCH_SCALE_MAX)
		pcp->free_count += 1 << order;

	int high = nr_pcp_high(pcp, z, batch, free_high);
	if (pcp->count < high)
		return;
	for (int to_free = nr_pcp_free(pcp, batch, high, free_high);
	     to_free > 0 && pcp->count > 0; to_free -= batch)
		free_pcppages_bulk(m, z, mini(to_free, batch), pcp, (int)pindex);

	if (z->below_high && zone_watermark_ok(m, z, 0, z->wmark[WMARK_HIGH] + z->watermark_boost,
					       MODEL_ZONE_MOVABLE, 0))
		z->below_high = false;
}
