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
};

struct frt_walk_stats {
	__u64 batch_read_fail;  /* batches of struct pages that could not be read */
	__u64 slab_read_fail;   /* slab caches whose flags could not be read */
	__u64 bad_order;        /* orders out of range or misaligned, taken as 0 */
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
