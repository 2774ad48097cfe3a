// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * snapshot.bpf.c - read the page allocator's state out of struct page and
 * the zones' free lists, for start/end snapshots (traces/snapshot.c).
 *
 * Nothing here stays attached. The loader (snapshot_bpf.c):
 *  0. runs walk_layout with BPF_PROG_TEST_RUN: whether this kernel's BTF has
 *     everything the walk reads, and how it is laid out (frt_mm_types.h);
 *     where it lacks something the walk is refused, by name.
 *  1. attaches vm_page and vm_pfn to mm_page_free for a moment: the raw
 *     tracepoint gives the struct page pointer, the trace event the pfn of
 *     the same free, so page - pfn * sizeof(struct page) is the vmemmap
 *     base. Each program pairs its value with the other's latest on this
 *     CPU and votes; mismatched pairs scatter, the right base wins.
 *  2. runs walk_free_lists with BPF_PROG_TEST_RUN: every zone's
 *     free_area[order].free_list[mt], giving the migratetype of each free
 *     block and so, by freelist hygiene (a free page sits on the list of its
 *     pageblock's type), of each pageblock holding free memory.
 *  3. runs walk_pfns over FRT_WALK_CHUNK pfns at a time: the state of every
 *     struct page, like dump_page() would describe it, reduced to one kind
 *     (snapshot_walk.h).
 * All kernel memory is read with bpf_probe_read_kernel without locks: the
 * allocator keeps moving, and a torn read costs one pfn's accuracy, never
 * safety.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "frt_core_types.h"
#include "frt_mm_types.h"
#include "snapshot_walk.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

const volatile __u32 pageblock_order = 9;

/* inputs, set by the loader */
__u64 vmemmap;      /* address of pfn 0's struct page */
__u64 max_pfn;      /* end of the highest zone */
__u64 walk_start;   /* first pfn of this run of walk_pfns */
__u64 skip_until;   /* in/out: pfns below are covered by an earlier block */
int fl_nid;         /* node whose free lists walk_free_lists reads */
__u32 max_order;    /* MAX_PAGE_ORDER */

struct frt_walk_stats walk_stats;
struct frt_fl_state fl;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct frt_walk_out);
} walk_out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	/* a batch of struct pages, and room for "the page after" the last one in
	 * the verifier's view (walk_page() reads it only for i + 1 < FRT_WALK_BATCH) */
	__type(value, __u8[(FRT_WALK_BATCH + 1) * FRT_WALK_PAGE_MAX]);
} scratch SEC(".maps");

/* one entry per pageblock: free-list migratetype + 1, 0 = no free page seen.
 * max_entries is set by the loader to the number of pageblocks; user space
 * reads it mmap'ed (entries are 8 bytes apart: array values are rounded up). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8);
} pb_mt SEC(".maps");

#define PAGE_SZ bpf_core_type_size(struct page)
#define OFF(field) bpf_core_field_offset(struct page, field)
#define HAS(type, field) bpf_core_field_exists(type, field)
#define PGF(name) (1ull << bpf_core_enum_value(enum pageflags, name))

/*
 * Fields whose name or kind changed (frt_mm_types.h): each is read under
 * the name and kind this kernel's BTF has. Where it has neither,
 * layout_gaps() says so and no program gets past its first instruction, so
 * the failed relocation in the other arm is never reached.
 */
#define FLAGS_OFF                                                                   \
	(HAS(struct page___flags_mdf, flags) ?                                      \
		 bpf_core_field_offset(struct page___flags_mdf, flags) :            \
		 bpf_core_field_offset(struct page___flags_ul, flags))
#define HEAD_OFF                                                                    \
	(HAS(struct page___info, compound_info) ?                                   \
		 bpf_core_field_offset(struct page___info, compound_info) :         \
		 bpf_core_field_offset(struct page___head, compound_head))

/* a page's flags word, at @p (a copy of its struct page) */
#define PAGE_FLAGS(p) (*(__u64 *)((__u8 *)(p) + FLAGS_OFF))

/*
 * What the walk reads that this kernel's BTF lacks (enum frt_walk_gap):
 * constant once libbpf has resolved the relocations, so the verifier
 * follows one arm of every test on it and walks nothing behind a gap.
 */
static __always_inline __u32 layout_gaps(void)
{
	__u32 g = 0;

	if (PAGE_SZ > FRT_WALK_PAGE_MAX)
		g |= FRT_GAP_PAGE_SIZE;
	if (!HAS(struct page___flags_mdf, flags) && !HAS(struct page___flags_ul, flags))
		g |= FRT_GAP_FLAGS;
	if (!HAS(struct page___info, compound_info) && !HAS(struct page___head, compound_head))
		g |= FRT_GAP_COMPOUND;
	if (!HAS(struct page, buddy_list) || !HAS(struct page, mapping) ||
	    !HAS(struct page, private) || !HAS(struct page, page_type) ||
	    !HAS(struct page, _refcount))
		g |= FRT_GAP_PAGE;
	if (!HAS(struct folio___order, _folio_order) && !HAS(struct folio___flags1, _flags_1))
		g |= FRT_GAP_FOLIO;
	if (!bpf_core_enum_value_exists(enum pageflags, PG_lru) ||
	    !bpf_core_enum_value_exists(enum pageflags, PG_head) ||
	    !bpf_core_enum_value_exists(enum pageflags, PG_reserved))
		g |= FRT_GAP_PAGEFLAGS;
	if (!HAS(struct slab, slab_cache) || !HAS(struct kmem_cache, flags))
		g |= FRT_GAP_SLAB;
	if (!HAS(struct pglist_data, node_zones) || !HAS(struct pglist_data, nr_zones) ||
	    !HAS(struct pglist_data, node_id) || !HAS(struct zone, free_area) ||
	    !HAS(struct free_area, free_list) || !HAS(struct zonelist, _zonerefs))
		g |= FRT_GAP_ZONES;
	if (!HAS(struct task_struct, cgroups) || !HAS(struct css_set, subsys) ||
	    !HAS(struct cgroup_subsys_state, parent) || !HAS(struct mem_cgroup, css) ||
	    !HAS(struct mem_cgroup, nodeinfo) || !HAS(struct mem_cgroup_per_node, lruvec) ||
	    !HAS(struct lruvec, pgdat) ||
	    !bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		g |= FRT_GAP_PGDAT;
	if (!bpf_core_enum_value_exists(enum migratetype, MIGRATE_HIGHATOMIC))
		g |= FRT_GAP_MIGRATETYPE;
	return g;
}

/*
 * page_type, in the encoding this kernel's BTF shows (frt_mm_types.h),
 * reduced to what the walk tells apart.
 */
enum ty_class { TY_NONE, TY_BUDDY, TY_SLAB, TY_MOVABLE, TY_RESERVED, TY_OTHER };

/* the type is the top byte: enum pagetype's PGTY_* */
#define PGTY_TOP bpf_core_enum_value_exists(enum pagetype, PGTY_buddy)
#define PGTY(name) bpf_core_enum_value(enum pagetype, name)
#define PGTY_IS(ty, name) (bpf_core_enum_value_exists(enum pagetype, name) && (ty) == PGTY(name))

/* inverted bits: enum pagetype's or enum page_type's PG_*, else the old #defines */
#define PT_VAL(name, otherwise)                                                     \
	((__u32)(bpf_core_enum_value_exists(enum pagetype___bits, name##___a) ?     \
			 bpf_core_enum_value(enum pagetype___bits, name##___a) :    \
		 bpf_core_enum_value_exists(enum page_type___bits, name##___b) ?    \
			 bpf_core_enum_value(enum page_type___bits, name##___b) :   \
			 (otherwise)))
#define PT_BASE PT_VAL(PAGE_TYPE_BASE, 0xf0000000u)
/* PageType(page, PG_x); a PG_x this kernel lacks (0) is never set */
#define PT_IS(ptype, name, otherwise)                                               \
	(PT_VAL(name, otherwise) &&                                                 \
	 ((ptype) & (PT_BASE | PT_VAL(name, otherwise))) == PT_BASE)

static __always_inline __u32 is_buddy(__u32 ptype)
{
	if (PGTY_TOP)
		return (ptype >> 24) == PGTY(PGTY_buddy);
	return PT_IS(ptype, PG_buddy, 0x80);
}

static __always_inline __u32 type_class(__u32 ptype, __u64 flags)
{
	if (PGTY_TOP) {
		__u32 ty = ptype >> 24;

		/* untyped: a _mapcount, whose top byte is 0 or 0xff (-1, or an underflow) */
		if (ty < PGTY(PGTY_buddy) ||
		    ty >= (bpf_core_enum_value_exists(enum pagetype, PGTY_mapcount_underflow) ?
				   PGTY(PGTY_mapcount_underflow) : 0xff))
			return TY_NONE;
		if (ty == PGTY(PGTY_buddy))
			return TY_BUDDY;
		if (PGTY_IS(ty, PGTY_slab))
			return TY_SLAB;
		if (PGTY_IS(ty, PGTY_zsmalloc) || PGTY_IS(ty, PGTY_offline) ||
		    PGTY_IS(ty, PGTY_hugetlb))
			return TY_MOVABLE;
		if (PGTY_IS(ty, PGTY_unaccepted))
			return TY_RESERVED;
		return TY_OTHER;
	}
	/* slab was a page flag before it was a page type */
	if (bpf_core_enum_value_exists(enum pageflags, PG_slab___f) &&
	    (flags & PGF(PG_slab___f)))
		return TY_SLAB;
	/* !page_has_type() */
	if ((__s32)ptype >= (__s32)PT_VAL(PAGE_MAPCOUNT_RESERVE, -128))
		return TY_NONE;
	if (PT_IS(ptype, PG_buddy, 0x80))
		return TY_BUDDY;
	if (PT_IS(ptype, PG_slab, 0))
		return TY_SLAB;
	if (PT_IS(ptype, PG_zsmalloc, 0) || PT_IS(ptype, PG_offline, 0x100) ||
	    PT_IS(ptype, PG_hugetlb, 0))
		return TY_MOVABLE;
	if (PT_IS(ptype, PG_unaccepted, 0))
		return TY_RESERVED;
	return TY_OTHER;
}

/* What the loader checks before it runs anything else (and -v shows). */
struct frt_walk_layout layout;

SEC("raw_tp")
int walk_layout(void *ctx)
{
	layout.gaps = layout_gaps();
	layout.page_size = PAGE_SZ;
	if (layout.gaps)
		return 0;
	layout.flags_off = FLAGS_OFF;
	layout.head_off = HEAD_OFF;
	layout.flags_mdf = HAS(struct page___flags_mdf, flags);
	layout.head_info = HAS(struct page___info, compound_info);
	layout.pt_enc = PGTY_TOP ? FRT_PT_TOP_BYTE :
			bpf_core_enum_value_exists(enum pagetype___bits, PG_buddy___a) ||
					bpf_core_enum_value_exists(enum page_type___bits, PG_buddy___b) ?
				   FRT_PT_BITS_ENUM :
				   FRT_PT_BITS_DEFINE;
	layout.order_byte = HAS(struct folio___order, _folio_order);
	layout.order_off = layout.order_byte ?
				   bpf_core_field_offset(struct folio___order, _folio_order) :
				   bpf_core_field_offset(struct folio___flags1, _flags_1);
	layout.slab_flag = !PGTY_TOP && bpf_core_enum_value_exists(enum pageflags, PG_slab___f);
	layout.hugetlb_dtor = HAS(struct folio___order, _folio_dtor) &&
			      bpf_core_enum_value_exists(enum compound_dtor_id, HUGETLB_PAGE_DTOR);
	return 0;
}

/* ---- 1. the vmemmap base (vmemmap.bpf.h) ---- */

#include "vmemmap.bpf.h"

SEC("raw_tp/mm_page_free")
int vm_page(struct bpf_raw_tracepoint_args *ctx)
{
	vm_saw(true, ctx->args[0]); /* TP_PROTO(struct page *page, unsigned int order) */
	return 0;
}

SEC("tp/kmem/mm_page_free")
int vm_pfn(struct trace_event_raw_mm_page_free *ctx)
{
	vm_saw(false, ctx->pfn);
	return 1; /* leave the event to other perf users */
}

/* kernel migratetype -> enum frt_mt (the kernel's numbering depends on CONFIG_CMA) */
static __always_inline __u32 canon_mt(__u32 k)
{
	if (k < bpf_core_enum_value(enum migratetype, MIGRATE_HIGHATOMIC))
		return k;
	if (k == bpf_core_enum_value(enum migratetype, MIGRATE_HIGHATOMIC))
		return FRT_MT_HIGHATOMIC;
	if (bpf_core_enum_value_exists(enum migratetype, MIGRATE_CMA) &&
	    k == bpf_core_enum_value(enum migratetype, MIGRATE_CMA))
		return FRT_MT_CMA;
	return FRT_MT_ISOLATE;
}

/*
 * page_zonenum(): the zone sits in the top bits of page->flags, below the
 * node (with SPARSEMEM_VMEMMAP no section bits sit above them). The widths
 * come from array sizes in BTF: node_zones[MAX_NR_ZONES], and
 * _zonerefs[MAX_NUMNODES * MAX_NR_ZONES + 1]. The free-list walk checks
 * the result on every page it meets (fl.zone_agree/zone_disagree).
 */
static __always_inline __u32 order_base_2(__u32 v)
{
	__u32 r = 0;

	while (r < 16 && (1u << r) < v)
		r++;
	return r;
}

static __always_inline __u32 zone_shift(void)
{
	__u32 zones = bpf_core_field_size(struct pglist_data, node_zones) /
		      bpf_core_type_size(struct zone);
	__u32 refs = bpf_core_field_size(struct zonelist, _zonerefs) /
		     bpf_core_type_size(struct zoneref);

	return 64 - order_base_2((refs - 1) / zones) - order_base_2(zones);
}

static __always_inline __u32 page_zonenum(__u64 flags, __u32 shift)
{
	__u32 zones = bpf_core_field_size(struct pglist_data, node_zones) /
		      bpf_core_type_size(struct zone);

	return (flags >> (shift & 63)) & ((1u << order_base_2(zones)) - 1);
}

/* ---- 2. the free lists ---- */

static __always_inline __u64 read_u64(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)addr);
	return v;
}

/*
 * No symbol leads to NODE_DATA(nid) here (data symbols are hidden), but
 * every memcg keeps a lruvec per node that points back at its pglist_data
 * (mem_cgroup_lruvec() sets lruvec->pgdat). The root memcg's lruvecs are
 * always in use, so climb from the current task's memcg to the root.
 */
static __u64 find_pgdat(int nid)
{
	__u64 cset, css, parent, pn, pgdat;
	int i, node_id = -1;

	cset = read_u64((__u64)bpf_get_current_task() +
			bpf_core_field_offset(struct task_struct, cgroups));
	if (!cset)
		return 0;
	css = read_u64(cset + bpf_core_field_offset(struct css_set, subsys) +
		       bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id) * 8);
	for (i = 0; i < 64 && css; i++) {
		parent = read_u64(css + bpf_core_field_offset(struct cgroup_subsys_state, parent));
		if (!parent)
			break;
		css = parent;
	}
	if (!css || nid < 0 || nid >= 1024)
		return 0;
	css -= bpf_core_field_offset(struct mem_cgroup, css);
	pn = read_u64(css + bpf_core_field_offset(struct mem_cgroup, nodeinfo) + nid * 8);
	if (!pn)
		return 0;
	pgdat = read_u64(pn + bpf_core_field_offset(struct mem_cgroup_per_node, lruvec) +
			 bpf_core_field_offset(struct lruvec, pgdat));
	if (!pgdat)
		return 0;
	bpf_probe_read_kernel(&node_id, sizeof(node_id),
			      (void *)(pgdat + bpf_core_field_offset(struct pglist_data, node_id)));
	return node_id == nid ? pgdat : 0;
}

static int fl_init(void)
{
	int nr_zones = 0;

	fl.pgdat = find_pgdat(fl_nid);
	if (!fl.pgdat) {
		fl.error = FRT_FL_NO_PGDAT;
		return -1;
	}
	bpf_probe_read_kernel(&nr_zones, sizeof(nr_zones),
			      (void *)(fl.pgdat +
				       bpf_core_field_offset(struct pglist_data, nr_zones)));
	fl.nr_zones = nr_zones;
	fl.nr_orders = bpf_core_field_size(struct zone, free_area) /
		       bpf_core_type_size(struct free_area);
	fl.nr_types = bpf_core_field_size(struct free_area, free_list) /
		      bpf_core_type_size(struct list_head);
	if (nr_zones <= 0 || fl.nr_zones > bpf_core_field_size(struct pglist_data, node_zones) /
					    bpf_core_type_size(struct zone)) {
		fl.error = FRT_FL_LAYOUT;
		return -1;
	}
	return 0;
}

static __always_inline __u64 fl_list_head(void)
{
	return fl.pgdat + bpf_core_field_offset(struct pglist_data, node_zones) +
	       fl.zone * bpf_core_type_size(struct zone) +
	       bpf_core_field_offset(struct zone, free_area) +
	       fl.order * bpf_core_type_size(struct free_area) +
	       bpf_core_field_offset(struct free_area, free_list) +
	       fl.mt * bpf_core_type_size(struct list_head);
}

/* The list at (zone, order, mt) is finished (or given up): go to the next. */
static __always_inline void fl_next_list(void)
{
	fl.cur = 0;
	fl.restarts = 0;
	if (++fl.mt < fl.nr_types)
		return;
	fl.mt = 0;
	if (++fl.order < fl.nr_orders)
		return;
	fl.order = 0;
	if (++fl.zone >= fl.nr_zones)
		fl.done = 1;
}

/* The list changed under us (an entry left it): walk it again from its head. */
static __always_inline void fl_restart(void)
{
	fl.total_restarts++;
	if (++fl.restarts > 8) {
		fl.incomplete++;
		fl_next_list();
		return;
	}
	fl.cur = 0;
}

static long fl_step(__u64 i, void *unused)
{
	__u64 page, pfn, pb, last, pg[8] = {};
	__u32 mt1, k;
	__u8 *v;

	if (fl.done)
		return 1;
	if (!fl.cur) {
		fl.head = fl_list_head();
		fl.cur = read_u64(fl.head);
		if (!fl.cur)
			fl_next_list(); /* unreadable: skip the list */
		return 0;
	}
	if (fl.cur == fl.head) {
		fl_next_list();
		return 0;
	}
	page = fl.cur - OFF(buddy_list);
	if (page < vmemmap || page >= vmemmap + max_pfn * PAGE_SZ ||
	    (page - vmemmap) % PAGE_SZ || bpf_probe_read_kernel(pg, sizeof(pg), (void *)page)) {
		fl_restart();
		return 0;
	}
	/* still a free block of this order? (__del_page_from_free_list clears both) */
	if (!is_buddy(*(__u32 *)((__u8 *)pg + OFF(page_type))) ||
	    *(__u64 *)((__u8 *)pg + OFF(private)) != fl.order) {
		fl_restart();
		return 0;
	}
	if (page_zonenum(PAGE_FLAGS(pg), zone_shift()) == fl.zone)
		fl.zone_agree++;
	else
		fl.zone_disagree++;
	pfn = (page - vmemmap) / PAGE_SZ;
	mt1 = canon_mt(fl.mt) + 1;
	last = (pfn + (1ull << fl.order) - 1) >> pageblock_order;
	for (k = 0, pb = pfn >> pageblock_order; k < 64 && pb <= last; k++, pb++) {
		__u32 key = pb;

		v = bpf_map_lookup_elem(&pb_mt, &key);
		if (v)
			*v = mt1;
	}
	fl.cur = *(__u64 *)((__u8 *)pg + OFF(buddy_list)); /* ->next */
	if (!fl.cur)
		fl_restart();
	return 0;
}

SEC("raw_tp")
int walk_free_lists(void *ctx)
{
	if (layout_gaps())
		return 1;
	if (fl.done || fl.error)
		return 0;
	if (!fl.pgdat && fl_init())
		return 0;
	bpf_loop(1 << 20, fl_step, NULL, 0);
	return 0;
}

/* ---- 3. struct page, pfn by pfn ---- */

struct walk_ctx {
	struct frt_walk_out *out;
	__u8 *buf;              /* FRT_WALK_BATCH struct pages */
};

/*
 * What one pfn leaves for the next, kept in .bss rather than in walk_ctx on
 * the stack: the verifier sees map values as unknown, so the callback's
 * states converge after a pass or two instead of forking on every constant
 * the walk could store.
 */
struct {
	__u64 cache, cache_flags; /* last slab cache looked up */
	__u32 covered;            /* the batch lies inside a block described before */
	__u32 zone1;              /* page_zonenum() + 1 of the last batch read, 0 none */
	__u32 unreadable;         /* no struct pages there: the batch is a hole */
	__u64 ts;                 /* when the last batch was read */
} ws;

/* SLAB_RECLAIM_ACCOUNT caches are allocated __GFP_RECLAIMABLE (kmem_cache_open). */
static __always_inline __u32 slab_kind(struct walk_ctx *c, __u8 *p)
{
	__u64 cache = *(__u64 *)(p + bpf_core_field_offset(struct slab, slab_cache));
	__u32 flags = 0;

	if (cache != ws.cache) {
		if (bpf_probe_read_kernel(&flags, sizeof(flags),
					  (void *)(cache + bpf_core_field_offset(struct kmem_cache,
										 flags)))) {
			walk_stats.slab_read_fail++;
			return FRT_PFN_UNMOVABLE;
		}
		ws.cache = cache;
		ws.cache_flags = flags;
	}
	if (ws.cache_flags &
	    (bpf_core_enum_value_exists(enum _slab_flag_bits, _SLAB_RECLAIM_ACCOUNT) ?
		     1u << bpf_core_enum_value(enum _slab_flag_bits, _SLAB_RECLAIM_ACCOUNT) :
		     0x00020000u /* the #define before the enum */))
		return FRT_PFN_RECLAIMABLE;
	return FRT_PFN_UNMOVABLE;
}

/*
 * The mobility an allocated block was most likely asked for: LRU, anon and
 * page cache folios and the movable_ops users (zsmalloc, balloon) come from
 * __GFP_MOVABLE requests, hugetlb pages from htlb_alloc_mask() (movable when
 * migratable, as on x86); slab by its cache; page tables, large kmalloc and
 * untyped kernel pages are unmovable. The kernel keeps no record of the
 * request's gfp: this is a reading of the page's use, not of its gfp.
 */
static __always_inline __u32 alloc_kind(struct walk_ctx *c, __u8 *p, __u64 flags, __u32 cls,
					__u32 hugetlb)
{
	__u64 mapping = *(__u64 *)(p + OFF(mapping));
	__s32 ref = *(__s32 *)(p + OFF(_refcount));

	if (cls == TY_SLAB)
		return slab_kind(c, p);
	if (cls == TY_MOVABLE || hugetlb)
		return FRT_PFN_MOVABLE;
	if (cls == TY_RESERVED)
		return FRT_PFN_RESERVED;
	if (cls != TY_NONE)
		return FRT_PFN_UNMOVABLE;
	if ((flags & PGF(PG_lru)) || mapping)
		return FRT_PFN_MOVABLE;
	if (!ref)
		return FRT_PFN_FROZEN;
	return FRT_PFN_UNMOVABLE;
}

/*
 * A large folio's order (folio_large_order()) and whether it is hugetlb by
 * its destructor (where the kernel had one), from the copy of its head
 * page at @p and the page after it.
 */
static __always_inline __u32 folio_order(__u8 *p)
{
	if (HAS(struct folio___order, _folio_order))
		return p[bpf_core_field_offset(struct folio___order, _folio_order)];
	return *(__u64 *)(p + bpf_core_field_offset(struct folio___flags1, _flags_1)) & 0xff;
}

static __always_inline __u32 folio_dtor_hugetlb(__u8 *p)
{
	if (!HAS(struct folio___order, _folio_dtor) ||
	    !bpf_core_enum_value_exists(enum compound_dtor_id, HUGETLB_PAGE_DTOR))
		return 0;
	return p[bpf_core_field_offset(struct folio___order, _folio_dtor)] ==
	       bpf_core_enum_value(enum compound_dtor_id, HUGETLB_PAGE_DTOR);
}

static __always_inline __u32 valid_order(__u64 order, __u64 pfn, __u64 max)
{
	if (order > max || (pfn & ((1ull << order) - 1))) {
		walk_stats.bad_order++;
		return 0;
	}
	return order;
}

static __always_inline void walk_page(struct walk_ctx *c, __u32 i, __u64 pfn)
{
	__u32 at = i * PAGE_SZ;
	__u8 *p;
	__u64 flags;
	__u64 head, mapping, priv;
	__u32 ptype, cls, kind, order = 0, mt1 = 0, key, off, huge = 0;
	__s32 ref;
	__u8 *v;

	/*
	 * Never true, but 6.1's verifier knows nothing of a product by a
	 * register (PAGE_SZ is one, set at load), so bound it by a comparison.
	 */
	barrier_var(at);
	if (at > (FRT_WALK_BATCH - 1) * PAGE_SZ)
		return;
	p = c->buf + at;
	flags = PAGE_FLAGS(p);
	head = *(__u64 *)(p + HEAD_OFF);
	mapping = *(__u64 *)(p + OFF(mapping));
	priv = *(__u64 *)(p + OFF(private));
	ptype = *(__u32 *)(p + OFF(page_type));
	ref = *(__s32 *)(p + OFF(_refcount));
	cls = type_class(ptype, flags);

	if (cls == TY_BUDDY) {
		/* mirrors buddy_order(): the order of a free block is in page->private */
		kind = FRT_PFN_FREE;
		order = valid_order(priv, pfn, max_order);
		key = pfn >> pageblock_order;
		v = bpf_map_lookup_elem(&pb_mt, &key);
		mt1 = v ? *v : 0;
	} else if (flags & PGF(PG_reserved)) {
		kind = FRT_PFN_RESERVED;
	} else if (head & 1) {
		kind = FRT_PFN_TAIL;
	} else if (!flags && !ptype && !ref && !mapping && !priv && !head) {
		/* __init_single_page() never ran: it would have set _mapcount to -1 */
		kind = FRT_PFN_UNINIT;
	} else {
		/* a head's order and destructor are in the page after it */
		if ((flags & PGF(PG_head)) && i + 1 < FRT_WALK_BATCH) {
			order = valid_order(folio_order(p), pfn, FRT_WALK_MAX_ORDER);
			huge = folio_dtor_hugetlb(p);
		}
		kind = alloc_kind(c, p, flags, cls, huge);
	}
	off = (pfn - walk_start) & (FRT_WALK_CHUNK - 1);
	c->out->kind[off] = kind;
	c->out->aux[off] = FRT_AUX(order, mt1);
	if (order)
		skip_until = pfn + (1ull << order);
}

/*
 * A batch begins: read its FRT_WALK_BATCH struct pages at once, unless they
 * all lie inside a block already described. Such a block has an order of 7
 * or more, so its head began a batch read before this one, and the zone of
 * that batch is the block's: page_zonenum() reads a compound page's zone
 * from its head (tail struct pages may be shared among huge pages, whose
 * flags then say nothing of the zone).
 */
static __always_inline void batch_begin(struct walk_ctx *c, __u64 pfn0)
{
	__u32 z = ((pfn0 - walk_start) & (FRT_WALK_CHUNK - 1)) / FRT_WALK_BATCH;

	ws.unreadable = 0;
	ws.covered = skip_until >= pfn0 + FRT_WALK_BATCH;
	if (ws.covered) {
		c->out->zone[z] = ws.zone1;
		c->out->ts[z] = ws.ts; /* the block was read with its head */
		return;
	}
	/* events before this moment on these pfns are in what the read finds */
	ws.ts = bpf_ktime_get_ns();
	c->out->ts[z] = ws.ts;
	/* 64 struct pages of 64 bytes are one page of the vmemmap: mapped or not as a whole */
	if (bpf_probe_read_kernel(c->buf, FRT_WALK_BATCH * PAGE_SZ,
				  (void *)(vmemmap + pfn0 * PAGE_SZ))) {
		ws.unreadable = 1;
		ws.zone1 = 0;
		walk_stats.batch_read_fail++;
		return;
	}
	ws.zone1 = page_zonenum(PAGE_FLAGS(c->buf), zone_shift()) + 1;
	c->out->zone[z] = ws.zone1;
}

/*
 * One pfn of the chunk. Each pfn is a bpf_loop callback of its own rather
 * than a step of a bounded loop: the verifier then checks walk_page()'s
 * branches a few times, not once per page of a batch. An inner loop of 64
 * pages took the program past the 1M-instruction limit on
 * 6.18.44-fc-v1272, though it fit on other builds.
 */
static long walk_one(__u64 n, struct walk_ctx *c)
{
	__u64 pfn = walk_start + n;
	__u32 i = n & (FRT_WALK_BATCH - 1);

	if (!i)
		batch_begin(c, pfn);
	if (ws.covered || pfn < skip_until)
		return 0;
	if (ws.unreadable)
		c->out->kind[n & (FRT_WALK_CHUNK - 1)] = FRT_PFN_HOLE;
	else
		walk_page(c, i, pfn);
	return 0;
}

SEC("raw_tp")
int walk_pfns(void *ctx)
{
	struct walk_ctx c = {};
	__u32 zero = 0;

	if (layout_gaps() || (walk_start & (FRT_WALK_BATCH - 1)))
		return 1;
	c.out = bpf_map_lookup_elem(&walk_out, &zero);
	c.buf = bpf_map_lookup_elem(&scratch, &zero);
	if (!c.out || !c.buf)
		return 1;
	ws.cache = 0;
	bpf_loop(FRT_WALK_CHUNK, walk_one, &c, 0);
	return 0;
}
