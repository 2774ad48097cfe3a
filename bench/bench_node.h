/* SPDX-License-Identifier: MIT */
/*
 * bench_node.h - the model benchmarks' node: the development machine's
 * 24 GiB (DMA, DMA32, Normal as /proc/zoneinfo spans them; 2 CPUs; default
 * knobs, pcp sizes computed), all its managed memory onlined.
 */
#ifndef FRAGREPLAY_BENCH_NODE_H
#define FRAGREPLAY_BENCH_NODE_H

#include "model.h"

/* zone spans and managed pages (Normal's managed is its present count here;
 * zoneinfo says 5394266 after boot reservations) */
static const struct { enum model_zone_type type; uint64_t start, end, managed, online; }
	bench_zones[] = {
		{ MODEL_ZONE_DMA, 1, 0x1000, 3840, 0x100 },     /* the first MiB stays reserved */
		{ MODEL_ZONE_DMA32, 0x1000, 0x100000, 772808, 0x1000 }, /* the PCI hole at the top */
		{ MODEL_ZONE_NORMAL, 0x100000, 0x640000, 5505024, 0x100000 },
	};
#define BENCH_NR_ZONES (sizeof(bench_zones) / sizeof(bench_zones[0]))
#define BENCH_NODE_START 1ull
#define BENCH_NODE_END 0x640000ull

/* NULL when the model cannot be built; *onlined: the pages given to it */
static inline struct model *bench_node(bool compaction, uint64_t *onlined)
{
	struct model_desc d;
	struct model *m;

	model_desc_init(&d);
	d.nr_zones = BENCH_NR_ZONES;
	d.nr_cpus = 2;
	d.knobs[MODEL_KNOB_COMPACTION] = compaction;
	for (unsigned int i = 0; i < BENCH_NR_ZONES; i++)
		d.zones[i] = (struct model_zone_desc){ .type = bench_zones[i].type,
						       .start_pfn = bench_zones[i].start,
						       .spanned = bench_zones[i].end - bench_zones[i].start,
						       .managed = bench_zones[i].managed };
	m = model_new(&d);
	*onlined = 0;
	for (unsigned int i = 0; m && i < BENCH_NR_ZONES; i++) {
		if (model_online(m, bench_zones[i].online, bench_zones[i].managed)) {
			model_free_all(m);
			return NULL;
		}
		*onlined += bench_zones[i].managed;
	}
	return m;
}

#endif
