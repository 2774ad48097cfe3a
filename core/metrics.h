/* SPDX-License-Identifier: MIT */
/*
 * metrics.h - fragmentation metrics computed from a model's state.
 *
 * Indices follow mm/vmstat.c (unusable_free_index, __fragmentation_index),
 * scaled by 1000 as the kernel's debugfs files print them.
 */
#ifndef FRAGREPLAY_METRICS_H
#define FRAGREPLAY_METRICS_H

#include "model.h"

#define MODEL_NR_ORDERS (MODEL_MAX_ORDER_LIMIT + 1)

struct model_frag_metrics {
	unsigned int nr_orders;             /* MAX_PAGE_ORDER + 1 of the model */
	uint64_t managed_pages;
	uint64_t free_pages;                /* pages in free buddy blocks (pcp excluded) */
	uint64_t pcp_pages;                 /* pages on per-CPU lists */
	uint64_t nr_free[MODEL_NR_ORDERS];  /* free blocks per order, all lists */
	uint64_t nr_free_mt[MODEL_NR_ORDERS][MODEL_NR_MT];
	/* ×1000; unusable: 1000 when nothing is free; frag: -1000 when a block of
	 * the order is free, 0 when nothing is free */
	int unusable_index[MODEL_NR_ORDERS];
	int frag_index[MODEL_NR_ORDERS];
	uint64_t pageblocks;                /* pageblocks inside the zone(s) */
	uint64_t pageblocks_mt[MODEL_NR_MT];
	uint64_t free_pageblocks;           /* pageblocks entirely in free buddy blocks */
	uint64_t mixed_pageblocks;   /* holding an allocation whose mobility differs from the block type */
	uint64_t tainted_pageblocks; /* holding any unmovable or reclaimable allocation */
	uint64_t ranges_1g;          /* 1 GiB-aligned ranges wholly inside the zone(s) */
	uint64_t free_ranges_1g;     /* ... entirely free */
	uint64_t tainted_ranges_1g;  /* ... holding any unmovable or reclaimable allocation */
	uint64_t movable_ranges_1g;  /* ... holding nothing but free pages and movable
				      * allocations: a 1 GiB page after migration */
	/* superpageblocks (RFC 08/40, spb.c), by the zone of their first pfn */
	uint64_t spbs;
	uint64_t tainted_spbs;       /* a pageblock not free is unmovable, reclaimable or reserved */
	uint64_t free_spbs;          /* every pageblock free: a 1 GiB page now */
};

/**
 * model_metrics - fragmentation metrics of one zone, or of all (@zone = -1)
 *
 * The model keeps a summary per pageblock and marks the pageblocks each
 * operation touches; a call redoes only the marked ones (by block heads) and
 * then sums O(pageblocks) summaries. So sampling often is cheap: the cost is
 * the pageblocks changed since the last call. Returns 0 or -EINVAL for a bad
 * zone index. Not safe to call on one model from two threads at once.
 */
int model_metrics(const struct model *m, int zone, struct model_frag_metrics *out);

/* The same from scratch, without the summaries: for checking them. O(pages). */
int model_metrics_fresh(const struct model *m, int zone, struct model_frag_metrics *out);

#endif
