/* SPDX-License-Identifier: MIT */
/*
 * procfs.h - the /proc text a snapshot carries (FORMAT.md §8.2, "procfs"),
 * read back: /proc/pagetypeinfo's free lists and pageblock counts per zone,
 * /proc/zoneinfo's free pages, /proc/vmstat's counters. For the snapshot
 * writer's fit (traces/import/) and validate's kernel side (replay/).
 */
#ifndef FRT_PROCFS_H
#define FRT_PROCFS_H

#include <stdint.h>

#include "snapshot.h" /* FRT_MT_NR */

#define FRT_PT_MAX_ZONES 32
#define FRT_PT_ORDERS 16 /* > MAX_PAGE_ORDER */

struct frt_pt_zone {
	int node;
	char name[16];
	uint64_t free[FRT_PT_ORDERS][FRT_MT_NR]; /* blocks on each free list */
	uint8_t capped[FRT_PT_ORDERS];           /* bit mt: shown as ">N", at least N */
	uint64_t blocks[FRT_MT_NR];              /* pageblocks of each type */
};

struct frt_pagetypeinfo {
	unsigned int pageblock_order, nr_orders, nr_zones;
	struct frt_pt_zone zone[FRT_PT_MAX_ZONES];
};

/* Returns 0 or -EBADMSG. Type names follow migratetype_names[] (mm/vmstat.c). */
int frt_pagetypeinfo_parse(const char *text, struct frt_pagetypeinfo *pt);
const struct frt_pt_zone *frt_pagetypeinfo_zone(const struct frt_pagetypeinfo *pt, int node,
						const char *name);
/* "pages free" of one zone in /proc/zoneinfo text, or -1 */
int64_t frt_zoneinfo_free(const char *zoneinfo, int node, const char *name);
/* The counter @name of /proc/vmstat text into *@v: 0, or -ENOENT when absent */
int frt_vmstat_value(const char *vmstat, const char *name, int64_t *v);

#endif
