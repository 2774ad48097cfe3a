/* SPDX-License-Identifier: MIT */
/*
 * pbmap.h - every pageblock of a model's node in a byte: its type and
 * whether it is wholly free, mixed (an allocation of another mobility in
 * it) or tainted (an unmovable or reclaimable allocation in it), as
 * core/metrics.c counts them. A session keeps one at the start of the
 * trace and one at the end, for the HTML report's pageblock maps.
 */
#ifndef FRAGREPLAY_REPLAY_PBMAP_H
#define FRAGREPLAY_REPLAY_PBMAP_H

#include <stddef.h>
#include <stdint.h>

struct model;

#define PBMAP_MT_MASK 0x07 /* the pageblock's migratetype (enum model_mt) */
#define PBMAP_NONE    0x07 /* ... or no managed page in it: a hole */
#define PBMAP_FREE    0x08 /* every page in free buddy blocks */
#define PBMAP_MIXED   0x10 /* an allocation whose mobility differs from the type */
#define PBMAP_TAINTED 0x20 /* an unmovable or reclaimable allocation */

struct pbmap {
	uint8_t *pb;          /* one byte per pageblock, from start_pfn on */
	uint64_t start_pfn;   /* of the first pageblock: the first zone's, aligned down */
	size_t n;             /* pageblocks */
	unsigned int order;   /* pageblock_order */
};

/* @map from @m's state now: 0 or -ENOMEM; frees what @map held */
int pbmap_capture(struct pbmap *map, const struct model *m);
void pbmap_free(struct pbmap *map);

#endif
