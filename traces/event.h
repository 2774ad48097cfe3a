/* SPDX-License-Identifier: MIT */
/*
 * event.h - one decoded trace event, and the schema every event type follows.
 *
 * An event is a type, a CPU, a nanosecond timestamp and up to FRT_MAX_FIELDS
 * tracepoint fields. Fields are held as 64-bit values in the order the
 * schema table (event.c) lists them; the named views in the union give the
 * same storage the tracepoint's own field names. Signed tracepoint fields are
 * stored sign-extended. The numbering of enum frt_event_type is part of
 * format v1 (traces/FORMAT.md): never renumber, only append.
 */
#ifndef FRT_EVENT_H
#define FRT_EVENT_H

#include <stdint.h>
#include <stddef.h>

#define FRT_MAX_FIELDS 8
#define FRT_PFN_NONE UINT64_MAX /* mm_page_alloc pfn of a failed request */
#define FRT_COMM_LEN 16 /* TASK_COMM_LEN: a task's name, NUL-padded */

enum frt_event_type {
	FRT_EV_NONE = 0,
	/* kmem */
	FRT_EV_PAGE_ALLOC = 1,
	FRT_EV_PAGE_FREE = 2,
	FRT_EV_PAGE_FREE_BATCHED = 3,
	FRT_EV_PAGE_ALLOC_ZONE_LOCKED = 4,
	FRT_EV_PAGE_PCPU_DRAIN = 5,
	FRT_EV_PAGE_ALLOC_EXTFRAG = 6,
	/* compaction */
	FRT_EV_COMPACTION_BEGIN = 7,
	FRT_EV_COMPACTION_END = 8,
	FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES = 9,
	FRT_EV_COMPACTION_SUITABLE = 10,
	FRT_EV_COMPACTION_FINISHED = 11,
	FRT_EV_COMPACTION_DEFERRED = 12,
	FRT_EV_COMPACTION_DEFER_COMPACTION = 13,
	FRT_EV_COMPACTION_DEFER_RESET = 14,
	FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES = 15,
	FRT_EV_COMPACTION_ISOLATE_FREEPAGES = 16,
	FRT_EV_COMPACTION_FAST_ISOLATE_FREEPAGES = 17,
	FRT_EV_COMPACTION_MIGRATEPAGES = 18,
	FRT_EV_COMPACTION_KCOMPACTD_SLEEP = 19,
	FRT_EV_COMPACTION_KCOMPACTD_WAKE = 20,
	FRT_EV_COMPACTION_WAKEUP_KCOMPACTD = 21,
	/* migrate */
	FRT_EV_MIGRATE_PAGES = 22,
	FRT_EV_MIGRATE_PAGES_START = 23,
	FRT_EV_SET_MIGRATION_PTE = 24,
	FRT_EV_REMOVE_MIGRATION_PTE = 25,
	/* fragreplay's own: one migrated page, old pfn -> new pfn */
	FRT_EV_MIGRATE_PAIR = 26,
	/* kmem, 2026 mm tree (per-CPU list refills and zone lock use) */
	FRT_EV_PAGE_PCPU_REFILL = 27,
	FRT_EV_PAGE_PCPU_REFILL_ZONE_LOCKED = 28,
	FRT_EV_PAGE_PCPU_DRAIN_ZONE_LOCKED = 29,
	/*
	 * fragreplay's own, format 1.1: the frame's task table (FORMAT.md §6.6).
	 * The reader consumes these records itself and fills pid, tgid and comm
	 * of the events instead; they never reach a reader's caller.
	 */
	FRT_EV_TASK = 30,
	FRT_EV_TASK_SWITCH = 31,
	FRT_EV_NR_TYPES
};

/* How a field is encoded on disk (FORMAT.md, "Field kinds"). */
enum frt_field_kind {
	FRT_FK_UINT = 1, /* unsigned varint */
	FRT_FK_SINT = 2, /* zigzag varint of the sign-extended value */
	FRT_FK_PFN = 3,  /* delta against the frame's last pfn; UINT64_MAX = none */
	FRT_FK_GFP = 4,  /* index into the frame's gfp dictionary */
};

struct frt_field_desc {
	const char *name;
	enum frt_field_kind kind;
};

struct frt_event_desc {
	const char *name;  /* tracepoint name, e.g. "mm_page_alloc" */
	const char *group; /* "kmem", "compaction", "migrate" or "fragreplay" */
	unsigned int nr_fields;
	struct frt_field_desc fields[FRT_MAX_FIELDS];
};

struct frt_event {
	uint64_t ts;       /* nanoseconds, CLOCK_MONOTONIC unless metadata says else */
	uint32_t cpu;
	uint16_t type;     /* enum frt_event_type */
	uint8_t has_task;  /* pid, tgid and comm are known (traces of format 1.1 on) */
	uint8_t reserved;  /* zero */
	/* the task current on cpu when the tracepoint fired (an interrupt's: the one it interrupted) */
	int32_t pid, tgid;          /* the kernel's pid (a thread) and tgid; -1: the source did not say */
	char comm[FRT_COMM_LEN];    /* NUL-padded; all 16 bytes may be used */
	union {
		uint64_t f[FRT_MAX_FIELDS];
		struct { uint64_t pfn, order, gfp_flags; int64_t migratetype; } alloc;
		struct { uint64_t pfn, order; } free;
		struct { uint64_t pfn; } free_batched;
		struct { uint64_t pfn, order; int64_t migratetype, percpu_refill; } zone_locked;
		struct { uint64_t pfn, order; int64_t migratetype; } pcpu_drain;
		struct {
			uint64_t pfn;
			int64_t alloc_order, fallback_order;
			int64_t alloc_migratetype, fallback_migratetype;
			int64_t change_ownership;
		} extfrag;
		struct {
			uint64_t zone_start, migrate_pfn, free_pfn, zone_end, sync;
			int64_t status; /* end only */
		} compaction;
		struct { int64_t order; uint64_t gfp_mask; int64_t prio; } try_compact;
		struct { int64_t nid; uint64_t idx; int64_t order, ret; } suitable; /* and finished */
		struct {
			int64_t nid; uint64_t idx; int64_t order;
			uint64_t considered, defer_shift; int64_t order_failed;
		} defer;
		struct { uint64_t start_pfn, end_pfn, nr_scanned, nr_taken; } isolate;
		struct { uint64_t nr_migrated, nr_failed; } migratepages;
		struct { int64_t nid, order; uint64_t highest_zoneidx; } kcompactd; /* sleep: nid only */
		struct {
			uint64_t succeeded, failed, thp_succeeded, thp_failed, thp_split,
				large_folio_split, mode;
			int64_t reason;
		} migrate;
		struct { uint64_t mode; int64_t reason; } migrate_start;
		struct { uint64_t addr, pte; int64_t order; } migration_pte;
		struct { uint64_t old_pfn, new_pfn, order; } pair;
		struct { uint64_t pfn, order; int64_t migratetype; } pcpu_refill;
		struct { int64_t nid, zid; uint64_t nr_pages; } pcpu_zone_locked;
		struct { int64_t pid, tgid; uint64_t comm, comm_hi; } task;
		struct { uint64_t task; } task_switch;
	};
};

/* Schema of a type, or NULL for a type this build does not know. */
const struct frt_event_desc *frt_event_desc(unsigned int type);
/* Types 30 and 31 build a frame's task table: records, never events (FORMAT.md §6.6). */
static inline int frt_event_is_task_record(unsigned int type)
{
	return type == FRT_EV_TASK || type == FRT_EV_TASK_SWITCH;
}
/* Type for a tracepoint name ("mm_page_alloc" or "kmem:mm_page_alloc"), or FRT_EV_NONE. */
enum frt_event_type frt_event_type_by_name(const char *name);

/*
 * Symbolic names the kernel prints, for dump and the parsers, each from one
 * table. The *_name() functions return NULL, the *_by_name() ones -1, for
 * what they do not know.
 */
const char *frt_compact_status_name(int64_t status);
const char *frt_migrate_mode_name(uint64_t mode);
const char *frt_migrate_reason_name(int64_t reason);

/* enum zone_type on x86-64 (no HIGHMEM): the zone index the tracepoints record */
enum frt_zone_type {
	FRT_ZONE_DMA, FRT_ZONE_DMA32, FRT_ZONE_NORMAL, FRT_ZONE_MOVABLE, FRT_NR_ZONE_TYPES,
};
/* zone_names[]: "DMA", "DMA32", "Normal", "Movable" (tracepoints, /proc/zoneinfo) */
const char *frt_zone_idx_name(uint64_t idx);
int frt_zone_idx_by_name(const char *name);

/* migratetype_names[] by enum frt_mt (snapshot.h), as /proc/pagetypeinfo prints them */
const char *frt_mt_name(uint64_t mt);
int frt_mt_by_name(const char *name);
/* the same name as fragreplay's reports write it: "unmovable", "highatomic", ... */
const char *frt_mt_key(uint64_t mt);

/*
 * frt_gfp_format - write @gfp as the kernel's show_gfp_flags() would
 * ("GFP_KERNEL|__GFP_COMP", "none", leftover bits in hex). Returns the
 * length snprintf would have written.
 */
int frt_gfp_format(char *buf, size_t len, uint64_t gfp);

/* Tracepoint groups, named like their directories under tracefs events/ */
enum frt_group {
	FRT_GROUP_KMEM = 1u << 0,
	FRT_GROUP_COMPACTION = 1u << 1,
	FRT_GROUP_MIGRATE = 1u << 2,
};
#define FRT_GROUP_ALL (FRT_GROUP_KMEM | FRT_GROUP_COMPACTION | FRT_GROUP_MIGRATE)
/* Bit of the group called @name (@len bytes, not NUL-terminated), or 0. */
unsigned int frt_group_by_name(const char *name, size_t len);

#endif
