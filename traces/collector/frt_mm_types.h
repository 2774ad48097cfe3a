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

/*
 * include/linux/mm_types.h; read as raw bytes at these offsets. The fields
 * here kept their names and kinds from 6.1 on; those that did not are in
 * the flavours below (libbpf matches "page___x" to the kernel's struct page,
 * and a field of another kind to none: bpf_core_field_exists() is then 0).
 */
struct page {
	struct list_head buddy_list;  /* free pages: their free_area list */
	void *mapping;                /* folios: address_space, or anon_vma | 1 */
	unsigned long private;        /* free pages: buddy order */
	unsigned int page_type;       /* snapshot.bpf.c: the encodings it has had */
	struct {
		int counter;
	} _refcount;
} FRT_CORE;

/* flags: an unsigned long up to 6.16, memdesc_flags_t since 6.17 */
struct page___flags_ul {
	unsigned long flags;
} FRT_CORE;

struct page___flags_mdf {
	struct {
		unsigned long f;
	} flags;
} FRT_CORE;

/* tail pages: bit 0 set in compound_head, renamed compound_info in 7.x (the
 * rest is the head's address, or a mask that gives it: bit 0 is all we read) */
struct page___head {
	unsigned long compound_head;
} FRT_CORE;

struct page___info {
	unsigned long compound_info;
} FRT_CORE;

/* A large folio's order: _folio_order, a byte of page[1] (6.1), else the low
 * byte of _flags_1, page[1]'s flags (6.12 on); _folio_dtor says hugetlb (6.1) */
struct folio___order {
	unsigned char _folio_order;
	unsigned char _folio_dtor;
} FRT_CORE;

struct folio___flags1 {
	unsigned long _flags_1;
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

/*
 * page_type, three ways (snapshot.bpf.c reads whichever BTF says):
 * - enum pagetype with PGTY_*: the type is the top byte (6.12 on);
 * - enum pagetype or enum page_type with PG_*: inverted bits,
 *   PageType(page, PG_x) = (page_type & (PAGE_TYPE_BASE | PG_x)) == PAGE_TYPE_BASE,
 *   with the base and the bits from the enum (the releases between the two
 *   others; the values moved among them);
 * - neither: the same inverted bits as #defines that BTF does not carry (6.1):
 *   PAGE_TYPE_BASE 0xf0000000, PG_buddy 0x80, PG_offline 0x100, PG_table 0x200,
 *   PG_guard 0x400, PAGE_MAPCOUNT_RESERVE -128; slab was a page flag then.
 */
enum pagetype {
	PGTY_buddy, PGTY_offline, PGTY_table, PGTY_guard, PGTY_hugetlb, PGTY_slab,
	PGTY_zsmalloc, PGTY_unaccepted, PGTY_large_kmalloc, PGTY_mapcount_underflow,
};

enum pagetype___bits {
	PG_buddy___a, PG_offline___a, PG_table___a, PG_guard___a, PG_hugetlb___a, PG_slab___a,
	PG_zsmalloc___a, PG_unaccepted___a, PAGE_TYPE_BASE___a, PAGE_MAPCOUNT_RESERVE___a,
};

enum page_type___bits {
	PG_buddy___b, PG_offline___b, PG_table___b, PG_guard___b, PG_hugetlb___b, PG_slab___b,
	PG_zsmalloc___b, PG_unaccepted___b, PAGE_TYPE_BASE___b, PAGE_MAPCOUNT_RESERVE___b,
};

/* PG_slab: a page flag in 6.1, a page type since */
enum pageflags { PG_lru, PG_head, PG_reserved, PG_slab___f };

/* hugetlb folios in 6.1: _folio_dtor */
enum compound_dtor_id { HUGETLB_PAGE_DTOR };

/* SLAB_RECLAIM_ACCOUNT: this bit where the enum exists (6.12), else the #define 0x00020000 */
enum _slab_flag_bits { _SLAB_RECLAIM_ACCOUNT };

enum migratetype {
	MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_HIGHATOMIC,
	MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_TYPES,
};

enum cgroup_subsys_id { memory_cgrp_id };

#undef FRT_CORE

#endif
