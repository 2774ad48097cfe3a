/* SPDX-License-Identifier: MIT */
/*
 * snapshot_internal.h - the pieces behind frt_snapshot_write(), exposed so
 * tests can drive each one without root:
 *
 *   walk (BPF: ../collector/snapshot_bpf.c, or kpageflags: snapshot_kpf.c)
 *     -> per-pfn codes (snapshot_walk.h)
 *     -> builder (snapshot_build.c): block records per part, pageblock stats
 *     -> fit (snapshot_fit.c): pageblock migratetypes against pagetypeinfo
 *        (read by ../procfs.c)
 *     -> payloads (../snapshot_codec.c) -> SNAPSHOT frames (snapshot.c)
 */
#ifndef FRT_SNAPSHOT_INTERNAL_H
#define FRT_SNAPSHOT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "procfs.h"
#include "snapshot.h"
#include "snapshot_codec.h"
#include "snapshot_walk.h"

/*
 * What a snapshot may describe: buddy orders the model takes (core/model.h
 * MODEL_MAX_ORDER_LIMIT; x86-64's MAX_PAGE_ORDER is 10) and pfns below 2^40
 * (52 physical address bits of 4 KiB pages). Crafted copies beyond them are
 * refused by name, not written as a snapshot replay would refuse.
 */
#define FRT_SNAP_MAX_ORDER 12
#define FRT_SNAP_MAX_PFN (1ull << 40)

/* ---- pageblocks and the fit (snapshot_fit.c) ---- */

struct frt_pb_stat {
	uint32_t alloc[FRT_MOB_NR];           /* allocated pages of known mobility */
	uint32_t free_pages;
	uint32_t present;                     /* pfns with an initialised struct page */
	uint16_t free_blocks[FRT_PT_ORDERS];  /* free blocks starting here, per order */
	uint32_t leader;                      /* 1 + pageblock whose free block covers this one */
	int16_t zone;                         /* index in the zone table, -1 none */
	uint8_t zone_id1;                     /* page_zonenum() + 1 of its first page, 0 unknown */
	uint8_t known_mt1;                    /* from the free lists: migratetype + 1, 0 unknown */
	uint8_t mt;                           /* result: pageblock byte (snapshot.h FRT_PB_*) */
};

struct frt_fit_zone {
	uint64_t blocks_known, blocks_inferred, blocks_changed; /* changed by the fit */
	uint64_t blocks_uncounted;      /* only reserved pages, beyond pagetypeinfo's count */
	uint64_t block_error;           /* sum over types of |fitted - pagetypeinfo| blocks */
	uint64_t snap_free[FRT_PT_ORDERS][FRT_MT_NR];
	uint64_t free_pages;            /* the snapshot's, in pages */
	uint64_t pt_free_pages[2];      /* pagetypeinfo's before and after the walk */
	uint64_t error_pages;           /* sum over (order, mt) of the distance, in pages */
	uint64_t worst_pages;           /* the largest single (order, mt) distance */
	unsigned int worst_order, worst_mt;
	uint64_t motion_pages;          /* sum of |before - after| in pages: how busy */
	double error_pct;               /* error_pages / mean pagetypeinfo free pages */
	double motion_pct;              /* motion_pages / the same */
	bool ok;                        /* error_pct <= 1 */
};

/**
 * frt_snap_fit_zone - choose the migratetype of every pageblock of one zone
 * @pb: all pageblocks; those with ->zone == @zone are fitted, ->mt is set
 * @before, @after: the zone in /proc/pagetypeinfo read before and after the walk
 * @mu: weight of one allocated page of another mobility (the prior), in pages
 *
 * See the comment in snapshot_fit.c for the algorithm. Fills @res,
 * including the 1% check of frt_snap_check_zone(). Returns 0 or -ENOMEM.
 */
int frt_snap_fit_zone(struct frt_pb_stat *pb, size_t nr_pb, int zone, unsigned int pbo,
		      unsigned int nr_orders, const struct frt_pt_zone *before,
		      const struct frt_pt_zone *after, double mu, struct frt_fit_zone *res);

/* The free-page check alone: compares res->snap_free against @before/@after. */
void frt_snap_check_zone(const struct frt_pt_zone *before, const struct frt_pt_zone *after,
			 unsigned int nr_orders, struct frt_fit_zone *res);

/* ---- per-pfn codes -> block records (snapshot_build.c) ---- */

struct frt_snap_counts {
	uint64_t free, alloc[FRT_MOB_NR], reserved;
	uint64_t frozen;  /* included in alloc[UNMOVABLE]: refcount 0, maybe on a pcp list */
	uint64_t torn;    /* included in alloc[UNMOVABLE]: tail pages whose head moved */
	uint64_t uninit, hole;
};

struct frt_snap_part_buf {
	uint64_t start_pfn, end_pfn;
	struct frt_snap_buf blocks;
	struct frt_snap_counts counts;
};

#define FRT_SNAP_CLASS_UNSET 0xff /* a free block whose free list is not known yet */

struct frt_snap_builder {
	unsigned int pbo;
	uint64_t start_pfn, end_pfn;  /* pageblock-aligned */
	struct frt_pb_stat *pb;       /* (end_pfn - start_pfn) >> pbo */
	size_t nr_pb;
	struct frt_snap_part_buf *parts;
	size_t nr_parts;
	size_t part_limit;            /* start a new part once blocks exceed this */
	uint64_t cover;               /* pfns below are inside a record already */
	uint64_t prev_end;            /* end of the last record of the current part */
};

int frt_snap_builder_init(struct frt_snap_builder *b, uint64_t start_pfn, uint64_t end_pfn,
			  unsigned int pbo, size_t part_limit);
/* Codes for [start_pfn, start_pfn + n); calls come in pfn order, start_pfn 64-aligned.
 * @zone may be NULL (see frt_walk_feed). */
int frt_snap_builder_feed(struct frt_snap_builder *b, uint64_t start_pfn, size_t n,
			  const uint8_t *kind, const uint8_t *aux, const uint8_t *zone);
/* Close the last part at end_pfn. */
void frt_snap_builder_finish(struct frt_snap_builder *b);
/* Give free records still FRT_SNAP_CLASS_UNSET their pageblock's fitted type;
 * returns how many there were. */
size_t frt_snap_builder_patch_free(struct frt_snap_builder *b);
void frt_snap_builder_release(struct frt_snap_builder *b);
struct frt_pb_stat *frt_snap_builder_pb(struct frt_snap_builder *b, uint64_t pfn);

/* ---- /proc/kpageflags (snapshot_kpf.c) ---- */

/* 1: KPF_BUDDY marks every page of a free block (6.x is_free_buddy_page());
 * 0: only the first; -1: cannot tell from these words. */
int frt_kpf_buddy_marks_all(const uint64_t *kpf, uint64_t start_pfn, size_t n);

/*
 * frt_kpf_decode - kpageflags words of [start_pfn, start_pfn + n) to codes
 * @buddy_all: what frt_kpf_buddy_marks_all() found
 *
 * Blocks are decoded within the window only; frt_kpf_walk() uses windows
 * aligned to 2^FRT_KPF_WINDOW_ORDER, which no block crosses. Every pfn gets
 * a code in @kind/@aux (pfns covered by a block: FRT_PFN_HOLE).
 */
#define FRT_KPF_WINDOW_ORDER 18 /* 1 GiB of 4 KiB pages: the largest compound page */
void frt_kpf_decode(const uint64_t *kpf, uint64_t start_pfn, size_t n, bool buddy_all,
		    unsigned int max_order, uint8_t *kind, uint8_t *aux);

/* @zone: page_zonenum() + 1 of the first page of each FRT_WALK_BATCH pfns, or NULL;
 * @ts: when each FRT_WALK_BATCH pfns were read (CLOCK_MONOTONIC ns, just before the
 * read), or NULL where the walk cannot say (a copy of kpageflags) */
typedef int (*frt_walk_feed)(void *ctx, uint64_t start_pfn, size_t n, const uint8_t *kind,
			     const uint8_t *aux, const uint8_t *zone, const uint64_t *ts);

/* Read /proc/kpageflags over [start_pfn, end_pfn) and feed the codes. */
int frt_kpf_walk(uint64_t start_pfn, uint64_t end_pfn, unsigned int max_order,
		 frt_walk_feed feed, void *ctx, char *err, size_t errlen);

/* The same from a copy of it: raw, or zstd-compressed when @path ends in ".zst". */
int frt_kpf_walk_file(const char *path, uint64_t start_pfn, uint64_t end_pfn,
		      unsigned int max_order, frt_walk_feed feed, void *ctx, char *err,
		      size_t errlen);

/* ---- snapshot directories without kpageflags (procdir.c) ---- */

struct frt_zone_layout {
	int node;
	char name[16];
	uint64_t start, end, managed;
};

/*
 * frt_procdir_place - an approximate snapshot from /proc/pagetypeinfo counts only
 * Lays out every zone's pageblock types, free blocks and allocated pages
 * deterministically (procdir.c says how), feeds them to @b and sets every
 * pageblock's byte (inferred). *unplaced counts free blocks that found no
 * room. Returns 0 or -ENOMEM.
 */
int frt_procdir_place(struct frt_snap_builder *b, const struct frt_zone_layout *z,
		      unsigned int nr_zones, const struct frt_pagetypeinfo *pt,
		      uint64_t *unplaced);

/* ---- the BPF walk (collector/snapshot_bpf.c), reached through opts->bpf ---- */

struct frt_snap_bpf;

struct frt_snap_bpf_ops {
	/* Load snapshot.bpf.c and find the vmemmap base, checked against kpageflags
	 * on the chunk of pfns holding @min_pfn (the lowest zone's start). Sets
	 * *@load_failed when the object itself did not load (the verifier or the
	 * kernel refused it), which no retry mends; @verbose keeps libbpf's log. */
	int (*open)(struct frt_snap_bpf **out, unsigned int pbo, unsigned int max_order,
		    uint64_t min_pfn, uint64_t max_pfn, bool verbose, bool *load_failed,
		    char *err, size_t errlen);
	/* Walk node @nid's free lists; @st gets the counts. Call before the pfn walk. */
	int (*free_lists)(struct frt_snap_bpf *b, int nid, struct frt_fl_state *st);
	/* Walk [start_pfn, end_pfn) a chunk at a time and feed the codes. */
	int (*walk)(struct frt_snap_bpf *b, uint64_t start_pfn, uint64_t end_pfn,
		    frt_walk_feed feed, void *ctx);
	/* Free-list migratetype + 1 of pageblocks [0, n) (0 where no free page was seen). */
	int (*pageblocks)(struct frt_snap_bpf *b, uint8_t *mt1, size_t n);
	const struct frt_walk_stats *(*stats)(const struct frt_snap_bpf *b);
	void (*close)(struct frt_snap_bpf *b);
};

#endif
