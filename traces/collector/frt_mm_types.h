/* SPDX-License-Identifier: MIT */
/*
 * frt_mm_types.h - the kernel mm types snapshot.bpf.c reads, by hand
 * instead of a generated vmlinux.h (the frt_core_types.h way).
 *
 * preserve_access_index makes every field access, offset and size a CO-RE
 * relocation that libbpf resolves against /sys/kernel/btf/vmlinux at load.
 * Only the names (and the kinds of the fields) must match the kernel's;
 * libbpf finds a field inside the kernel's anonymous unions by name. The
 * enums below are resolved by name too (bpf_core_enum_value), so their
 * values here are placeholders, never used.
 */
#ifndef FRT_MM_TYPES_H
#define FRT_MM_TYPES_H

#define FRT_CORE __attribute__((preserve_access_index))

struct list_head {
	struct list_head *next;
	struct list_head *prev;
} FRT_CORE;

/* include/linux/mm_types.h; read as raw bytes at these offsets */
struct page {
	struct {
		unsigned long f;
	} flags;                      /* memdesc_flags_t since 6.17 */
	struct list_head buddy_list;  /* free pages: their free_area list */
	unsigned long compound_head;  /* tail pages: head | 1 */
	void *mapping;                /* folios: address_space, or anon_vma | 1 */
	unsigned long private;        /* free pages: buddy order */
	unsigned int page_type;       /* top byte: enum pagetype */
	struct {
		int counter;
	} _refcount;
} FRT_CORE;

/* mm/slab.h: overlays struct page */
struct slab {
	struct kmem_cache *slab_cache;
} FRT_CORE;

struct kmem_cache {
	unsigned int flags; /* slab_flags_t */
} FRT_CORE;

/* the way from the current task to a pglist_data (see snapshot.bpf.c) */
struct cgroup_subsys_state {
	struct cgroup_subsys_state *parent;
} FRT_CORE;

struct css_set {
	struct cgroup_subsys_state *subsys[1];
} FRT_CORE;

struct task_struct {
	struct css_set *cgroups;
} FRT_CORE;

struct lruvec {
	struct pglist_data *pgdat;
} FRT_CORE;

struct mem_cgroup_per_node {
	struct lruvec lruvec;
} FRT_CORE;

struct mem_cgroup {
	struct cgroup_subsys_state css;
	struct mem_cgroup_per_node *nodeinfo[1];
} FRT_CORE;

/* include/linux/mmzone.h */
struct free_area {
	struct list_head free_list[1]; /* [MIGRATE_TYPES] */
	unsigned long nr_free;
} FRT_CORE;

struct zone {
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
	struct free_area free_area[1]; /* [NR_PAGE_ORDERS] */
} FRT_CORE;

/* _zonerefs has MAX_NUMNODES * MAX_NR_ZONES + 1 entries */
struct zoneref {
	struct zone *zone;
	int zone_idx;
} FRT_CORE;

struct zonelist {
	struct zoneref _zonerefs[1];
} FRT_CORE;

struct pglist_data {
	struct zone node_zones[1]; /* [MAX_NR_ZONES] */
	int nr_zones;
	int node_id;
} FRT_CORE;

enum pagetype {
	PGTY_buddy, PGTY_offline, PGTY_table, PGTY_guard, PGTY_hugetlb, PGTY_slab,
	PGTY_zsmalloc, PGTY_unaccepted, PGTY_large_kmalloc, PGTY_mapcount_underflow,
};

enum pageflags { PG_lru, PG_head, PG_reserved };

enum _slab_flag_bits { _SLAB_RECLAIM_ACCOUNT };

enum migratetype {
	MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_HIGHATOMIC,
	MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_TYPES,
};

enum cgroup_subsys_id { memory_cgrp_id };

#undef FRT_CORE

#endif
