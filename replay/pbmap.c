// SPDX-License-Identifier: MIT
/*
 * pbmap.c - a model's pageblocks, a byte each (pbmap.h), from its public
 * state: the zones, each block head's state, order and mobility, and each
 * pageblock's migratetype. A walk by block heads, so O(blocks), once at
 * the start of a run and once at its end.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "pbmap.h"

void pbmap_free(struct pbmap *map)
{
	free(map->pb);
	memset(map, 0, sizeof(*map));
}

/* what one block of @nr pages from @pfn adds to the pageblocks it covers */
static void note_block(struct pbmap *map, const struct model *m, uint32_t *free_pages,
		       uint64_t pfn, uint64_t nr, const struct model_page_info *pi)
{
	uint64_t end = pfn + nr;

	while (pfn < end) {
		size_t i = (size_t)((pfn - map->start_pfn) >> map->order);
		uint64_t pb_end = map->start_pfn + ((uint64_t)(i + 1) << map->order);
		uint64_t n = (pb_end < end ? pb_end : end) - pfn;
		int mt = map->pb[i] & PBMAP_MT_MASK;

		if (i >= map->n)
			return;
		if (mt == PBMAP_NONE) { /* the first managed page seen in it: its type */
			int t = model_pageblock_mt(m, pfn);
			mt = t < 0 || t >= PBMAP_NONE ? MODEL_MT_MOVABLE : t;
			map->pb[i] = (uint8_t)((map->pb[i] & ~PBMAP_MT_MASK) | mt);
		}
		if (pi->state == MODEL_PAGE_FREE) {
			free_pages[i] += (uint32_t)n;
		} else if (pi->state == MODEL_PAGE_ALLOC) {
			if (pi->mt != mt)
				map->pb[i] |= PBMAP_MIXED;
			if (pi->mt == MODEL_MT_UNMOVABLE || pi->mt == MODEL_MT_RECLAIMABLE)
				map->pb[i] |= PBMAP_TAINTED;
		}
		pfn += n;
	}
}

int pbmap_capture(struct pbmap *map, const struct model *m)
{
	unsigned int nz = model_nr_zones(m);
	unsigned int order = (unsigned int)model_knob(m, MODEL_KNOB_PAGEBLOCK_ORDER);
	uint64_t lo = UINT64_MAX, hi = 0;
	struct model_zone_info zi;
	uint32_t *free_pages;

	pbmap_free(map);
	for (unsigned int z = 0; z < nz; z++) {
		model_zone_info(m, z, &zi);
		if (zi.end_pfn <= zi.start_pfn)
			continue;
		lo = zi.start_pfn < lo ? zi.start_pfn : lo;
		hi = zi.end_pfn > hi ? zi.end_pfn : hi;
	}
	if (hi <= lo)
		return 0;
	map->order = order;
	map->start_pfn = lo & ~((1ull << order) - 1);
	map->n = (size_t)((hi - map->start_pfn + (1ull << order) - 1) >> order);
	map->pb = malloc(map->n);
	free_pages = calloc(map->n, sizeof(*free_pages));
	if (!map->pb || !free_pages) {
		free(free_pages);
		pbmap_free(map);
		return -ENOMEM;
	}
	memset(map->pb, PBMAP_NONE, map->n);
	for (unsigned int z = 0; z < nz; z++) {
		model_zone_info(m, z, &zi);
		for (uint64_t pfn = zi.start_pfn; pfn < zi.end_pfn;) {
			struct model_page_info pi;
			uint64_t nr = 1;

			if (model_page_info(m, pfn, &pi))
				break;
			if (pi.state == MODEL_PAGE_FREE || pi.state == MODEL_PAGE_ALLOC ||
			    pi.state == MODEL_PAGE_PCP) {
				nr = 1ull << pi.order;
				if (nr > zi.end_pfn - pfn)
					nr = zi.end_pfn - pfn;
				note_block(map, m, free_pages, pfn, nr, &pi);
			}
			pfn += nr;
		}
	}
	for (size_t i = 0; i < map->n; i++)
		if (free_pages[i] == 1u << order)
			map->pb[i] |= PBMAP_FREE;
	free(free_pages);
	return 0;
}
