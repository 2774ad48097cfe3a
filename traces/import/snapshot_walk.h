/* SPDX-License-Identifier: MIT */
/*
 * snapshot_walk.h - what snapshot.bpf.c hands to user space, shared by the
 * BPF programs, their loader and the /proc/kpageflags decoder, which fills
 * the same per-pfn codes. Fixed-width types only.
 *
 * A walk describes each pfn with a kind and an aux byte. Only the first pfn
 * of a block (a free buddy block, a compound page) is described: the
 * 2^order - 1 pfns after it are covered and left unwritten, so readers step
 * over them by the order.
 */
#ifndef FRT_SNAPSHOT_WALK_H
#define FRT_SNAPSHOT_WALK_H

#include <linux/types.h>

#include "snapshot.h" /* enum frt_mt */

#define FRT_WALK_CHUNK (1u << 16) /* pfns per run of the walk program */
#define FRT_WALK_BATCH 64u        /* struct pages read in one probe read */
#define FRT_WALK_PAGE_MAX 128u    /* largest sizeof(struct page) accepted */
#define FRT_WALK_MAX_ORDER 20u    /* larger compound orders are not believed */

enum frt_pfn_kind {
	FRT_PFN_HOLE,        /* no struct page (no memory section) */
	FRT_PFN_UNINIT,      /* struct page not initialised yet (deferred memmap init) */
	FRT_PFN_FREE,        /* first pfn of a free buddy block */
	FRT_PFN_RESERVED,    /* PageReserved: never given to the buddy allocator */
	FRT_PFN_UNMOVABLE,   /* allocated, by mobility: */
	FRT_PFN_MOVABLE,
	FRT_PFN_RECLAIMABLE,
	FRT_PFN_FROZEN,      /* refcount 0, not buddy: on a pcp list or being freed */
	FRT_PFN_TAIL,        /* compound tail met without its head (raced) */
	FRT_PFN_NR_KINDS,
};

/* aux: bits 0..4 order; FREE only: bits 5..7 free-list migratetype + 1 (0 unknown) */
#define FRT_AUX(order, mt1) ((__u8)((order) | (mt1) << 5))
#define FRT_AUX_ORDER(aux) ((aux) & 0x1f)
#define FRT_AUX_MT1(aux) ((aux) >> 5)

struct frt_walk_out {
	__u8 kind[FRT_WALK_CHUNK];
	__u8 aux[FRT_WALK_CHUNK];
	/* page_zonenum() + 1 of the first page of each batch; 0 unknown or no page */
	__u8 zone[FRT_WALK_CHUNK / FRT_WALK_BATCH];
	/* when each batch's struct pages were read (bpf_ktime_get_ns, CLOCK_MONOTONIC,
	 * just before the read); a batch inside a block described before: that
	 * block's read time */
	__u64 ts[FRT_WALK_CHUNK / FRT_WALK_BATCH];
};

struct frt_walk_stats {
	__u64 batch_read_fail;  /* batches of struct pages that could not be read */
	__u64 slab_read_fail;   /* slab caches whose flags could not be read */
	__u64 bad_order;        /* orders out of range or misaligned, taken as 0 */
};

/*
 * What the walk needs from the kernel's BTF and did not find there: bits
 * of snapshot.bpf.c's walk_gaps, set by its walk_layout program (CO-RE
 * existence checks, resolved at load). Where any is set the walk programs
 * stop at their first instruction and the loader refuses the BPF walk,
 * naming them (snapshot_bpf.c): the snapshot then comes from kpageflags.
 */
enum frt_walk_gap {
	FRT_GAP_PAGE_SIZE = 1u << 0,  /* sizeof(struct page) > FRT_WALK_PAGE_MAX */
	FRT_GAP_FLAGS = 1u << 1,      /* page.flags: neither unsigned long nor memdesc_flags_t */
	FRT_GAP_COMPOUND = 1u << 2,   /* page: neither compound_head nor compound_info */
	FRT_GAP_PAGE = 1u << 3,       /* page: buddy_list, mapping, private, page_type, _refcount */
	FRT_GAP_FOLIO = 1u << 4,      /* folio: neither _folio_order nor _flags_1 */
	FRT_GAP_PAGEFLAGS = 1u << 5,  /* enum pageflags: PG_lru, PG_head, PG_reserved */
	FRT_GAP_SLAB = 1u << 6,       /* slab.slab_cache, kmem_cache.flags */
	FRT_GAP_ZONES = 1u << 7,      /* pglist_data, zone, free_area, zonelist fields */
	FRT_GAP_PGDAT = 1u << 8,      /* task_struct.cgroups to lruvec.pgdat, memory_cgrp_id */
	FRT_GAP_MIGRATETYPE = 1u << 9, /* enum migratetype: MIGRATE_HIGHATOMIC */
	FRT_GAP_NR = 10,
};

/* How this kernel's struct page is read, as walk_layout resolved it (-v) */
enum frt_walk_pt_enc {
	FRT_PT_TOP_BYTE,     /* enum pagetype's PGTY_*: the type is the top byte */
	FRT_PT_BITS_ENUM,    /* inverted bits below PAGE_TYPE_BASE, from an enum */
	FRT_PT_BITS_DEFINE,  /* the same with the #define values (no enum in BTF) */
};

struct frt_walk_layout {
	__u32 gaps;          /* enum frt_walk_gap */
	__u32 page_size;
	__u32 flags_off, head_off, order_off;
	__u8 flags_mdf;      /* flags is memdesc_flags_t (else unsigned long) */
	__u8 head_info;      /* the tail word is compound_info (else compound_head) */
	__u8 pt_enc;         /* enum frt_walk_pt_enc */
	__u8 order_byte;     /* the order is folio._folio_order (else _flags_1's low byte) */
	__u8 slab_flag;      /* slab is PG_slab, a page flag (else a page type) */
	__u8 hugetlb_dtor;   /* hugetlb is told by folio._folio_dtor too */
	__u8 pad[2];
};

/* The free-list walk's state (resumable across runs) and findings */
enum frt_fl_error {
	FRT_FL_OK,
	FRT_FL_NO_PGDAT,   /* task -> memcg -> lruvec -> pgdat failed */
	FRT_FL_LAYOUT,     /* more zones than node_zones[] holds: not a pglist_data */
};

struct frt_fl_state {
	__u64 pgdat;
	__u64 head, cur;   /* list being walked, entry reached */
	__u32 zone, order, mt;
	__u32 restarts;    /* of this list */
	__u32 done;
	__u32 error;       /* enum frt_fl_error */
	__u32 nr_zones, nr_orders, nr_types;
	__u32 incomplete;  /* lists given up after too many restarts */
	__u32 zone_agree, zone_disagree; /* page_zonenum() of listed pages vs their list */
	__u64 total_restarts;
};

#endif
