/* SPDX-License-Identifier: MIT */
/*
 * engine.c - the replay semantics (README, "How replay works") on one model.
 *
 * Two maps over the model's pfn span, both holding offsets into the span
 * (+1, so that 0 means none):
 *   obj[rec]   - the model pfn of the block the kernel placed at recorded
 *                pfn @rec, FAILED if the model could not place it; with its
 *                order in ord[rec], a byte per pfn
 *   rec_of[mp] - the reverse, so the model's own migrations re-key blocks;
 *                or a kept block's key (KEPT_KEY + its absorber).
 * A block the model holds at its recorded pfn is SELF in ord[] instead
 * (obj_get()), and obj[] and rec_of[] hold the other entries in chunks of
 * 16 pfns made as needed (struct pmap), so the maps cost a byte per pfn, a
 * 4-byte index per 16 pfns where chunks were, and 65 bytes per chunk that
 * holds a live block placed elsewhere: not 8 bytes more per pfn.
 * A recorded block lives only at its head pfn; frees inside it find it by
 * looking at the aligned heads above (as the kernel's split_page() blocks
 * are freed page by page).
 *
 * The closed loop (DESIGN.md "Closed loop"; knob feedback):
 * - A request the kernel served and the model cannot, of a class whose caller
 *   falls back to lower orders (reqclass.h), is served as the caller would
 *   serve it: smaller model blocks at the same offsets of the recorded block,
 *   each marked GROUP in ord[], so that a free of the whole recorded block
 *   (or of any part larger than a piece) frees every piece it covers.
 * - A request the kernel failed and the model serves is kept, with an
 *   absorber: for feedback_window_us of trace time the same task's requests
 *   that look like the caller's fallback (lower order, same migratetype; the
 *   THP fault's second try) are mapped onto pieces of the kept block
 *   (model_carve()) instead of being allocated again, up to the kept block's
 *   size. When the window closes, the pieces nothing claimed are freed.
 *   The task is the event's pid; a trace without task ids uses the CPU.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "zpages.h"
#include "firsttouch.h"

#define FAILED UINT32_MAX      /* the model could not place it */
#define MOVED_AWAY (UINT32_MAX - 1) /* the kernel migrated it; its old pages' free is next */
#define MAX_ABSORBERS 4096     /* kept blocks open at once; more: the oldest closes */
#define KEPT_KEY (UINT32_MAX - 1 - MAX_ABSORBERS) /* rec_of[] of a kept block: + absorber */
#define MAX_SPAN (KEPT_KEY - 1) /* pfns a map can hold: ~16 TiB of 4 KiB pages */
#define ORD_MASK 0x0f
#define RECOF 0x10             /* ord[] of a model pfn: rec_of[] holds an entry for it */
#define PRESENT 0x20           /* ord[]: obj[] (or SELF) holds an entry: read it */
#define SELF 0x40              /* ord[]: the model holds the block at its recorded pfn */
#define GROUP 0x80             /* ord[]: a piece of a recorded block the model served smaller */

/* a kept block's part nothing has claimed yet */
struct piece {
	uint64_t off;   /* pages from the kept block's start */
	uint64_t mp;    /* where the model has it now (its compaction may move it) */
	unsigned int order;
};

/* a kernel failure the model served, waiting for the task's fallbacks */
struct absorber {
	uint64_t task, deadline;
	uint64_t cursor;          /* pages of the block claimed, from its start */
	unsigned int order, cpu;
	int mt;
	enum req_class class;
	bool second_try;          /* a THP fault's first try: the kernel's second follows */
	unsigned int nr_pieces, cap;
	struct piece *pieces;     /* at most an order's halves, unless compaction split it */
};

/*
 * obj[] and rec_of[]: the entries of a map in chunks of 16 pfns (a cache
 * line), allocated when a chunk gets its first entry and released when it
 * loses its last, found through a table of 4 bytes per 16 pfns (calloc()ed:
 * it takes memory only where chunks were). Keyed by the pfn's offset + 1, as
 * the entries are; consecutive pfns, which the kernel and the model often
 * use in turn, share a chunk.
 */
#define CHUNK 16

struct pmap {
	uint32_t *idx;                 /* [span / CHUNK]: chunk number + 1, or 0 */
	struct zpages idx_written;     /* idx's pages written before read (zpages.h) */
	size_t idx_bytes;
	uint32_t (*chunk)[CHUNK];      /* [cap]; a free one holds the next free's number + 1 */
	uint8_t *cnt;                  /* [cap]: entries in each chunk */
	uint32_t nr, cap, free_head;   /* chunks made, room for, first free + 1 */
};

/*
 * idx is probed before it is set: each of its pages is written first
 * (zpages.h), and a probe of a page never written reads nothing. The
 * zero-page copies had cost a 4-way compare of the largest sample 800-1,200
 * TLB shootdowns (README, "Benchmarks").
 */
static int pmap_init(struct pmap *p, uint64_t span)
{
	memset(p, 0, sizeof(*p));
	p->idx_bytes = (size_t)(span / CHUNK + 1) * sizeof(*p->idx);
	p->idx = calloc(p->idx_bytes, 1);
	if (!p->idx || zpages_init(&p->idx_written, p->idx_bytes)) {
		free(p->idx);
		p->idx = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void pmap_release(struct pmap *p)
{
	zpages_free(&p->idx_written);
	free(p->idx);
	free(p->chunk);
	free(p->cnt);
}

static uint32_t pmap_get(const struct pmap *p, uint32_t key)
{
	size_t at = (key - 1) / CHUNK;

	if (!zpages_written(&p->idx_written, p->idx, at * sizeof(*p->idx)))
		return 0;
	uint32_t c = p->idx[at];

	return c ? p->chunk[c - 1][(key - 1) % CHUNK] : 0;
}

/* a zeroed chunk's number + 1, or 0 without memory */
static uint32_t pmap_new_chunk(struct pmap *p)
{
	uint32_t c = p->free_head;

	if (c) {
		p->free_head = p->chunk[c - 1][0];
	} else {
		if (p->nr == p->cap) {
			uint32_t cap = p->cap ? 2 * p->cap : 1024;
			void *ch = cap > p->cap ? realloc(p->chunk, (size_t)cap * sizeof(*p->chunk)) : NULL;
			if (!ch)
				return 0;
			p->chunk = ch;
			uint8_t *cnt = realloc(p->cnt, cap);
			if (!cnt)
				return 0;
			p->cnt = cnt;
			p->cap = cap;
		}
		c = ++p->nr;
	}
	memset(p->chunk[c - 1], 0, sizeof(p->chunk[0]));
	p->cnt[c - 1] = 0;
	return c;
}

/* @val 0 deletes; -ENOMEM when no chunk can be had */
static int pmap_put(struct pmap *p, uint32_t key, uint32_t val)
{
	size_t at = (key - 1) / CHUNK;

	if (!val && !zpages_written(&p->idx_written, p->idx, at * sizeof(*p->idx)))
		return 0; /* nothing there to delete */
	zpages_write_first(&p->idx_written, p->idx, at * sizeof(*p->idx), sizeof(*p->idx));
	uint32_t *slot = &p->idx[at], c = *slot;

	if (!c) {
		if (!val)
			return 0;
		c = pmap_new_chunk(p);
		if (!c)
			return -ENOMEM;
		*slot = c;
	}
	uint32_t *e = &p->chunk[c - 1][(key - 1) % CHUNK];
	p->cnt[c - 1] = (uint8_t)(p->cnt[c - 1] + (val != 0) - (*e != 0));
	*e = val;
	if (!p->cnt[c - 1]) { /* its last entry: the chunk goes on the free list */
		p->chunk[c - 1][0] = p->free_head;
		p->free_head = c;
		*slot = 0;
	}
	return 0;
}

static void pmap_del(struct pmap *p, uint32_t key)
{
	pmap_put(p, key, 0);
}

/*
 * A compaction run of the kernel's, from its mm_compaction_begin to its
 * mm_compaction_end, by the task that runs it (its CPU in a trace without
 * task ids; kcompactd may move between CPUs mid-run): the ranges its migrate
 * scanner isolated pages from (mm_compaction_isolate_migratepages with
 * nr_taken > 0) since its last mm_compaction_migratepages. migrate_pages()
 * frees each source it moved right there, before that event: a free of a
 * pfn in one of these ranges is a migration source (FORMAT.md, type 26:
 * unmapped page cache has no pair).
 */
#define KC_RANGES 4
#define DIRECT_TASKS 16
#define DIRECT_WINDOW_NS 1000000000ull /* a direct compaction's runs follow its try at once */

struct kcompact {
	uint64_t task;
	unsigned int nr;
	uint64_t start[KC_RANGES], end[KC_RANGES];
};

#define ISOLATED_MAX 256

struct replay {
	struct model *m;
	uint64_t base, span;     /* pfn range of the maps: the model's zones */
	struct pmap obj;         /* recorded head -> model pfn - base + 1, or FAILED; 0 = none */
	struct pmap rec_of;      /* model pfn -> recorded head - base + 1, or KEPT_KEY + i */
	int err;                 /* -ENOMEM: a map could not grow; the replay stopped */
	uint8_t *ord;            /* recorded head -> order | GROUP */
	unsigned int max_order;
	uint64_t start_ts;
	/* per CPU: the model served a THP fault's first try that the kernel
	 * failed, so the kernel's second try belongs to a fault already counted */
	uint8_t *thp_served;
	uint32_t nr_thp_cpus;
	bool feedback;
	uint64_t window_ns;
	uint32_t mthp_orders;    /* mTHP fault orders seen: enabled on the traced host */
	struct absorber *abs;    /* open ones, [0, nr_abs) */
	unsigned int nr_abs;
	uint64_t next_deadline;  /* the earliest of theirs */
	/* ZONE_RECLAIM_ACTIVE: kswapd freed a page within kswapd_idle_ns */
	bool reclaim_active;
	uint64_t kswapd_last_ts, kswapd_idle_ns;
	struct kcompact *kc;     /* the kernel's compaction runs under way, [0, nr_kc) */
	/* compaction user space asked for (replay_follow_manual_compaction()):
	 * the tasks that last entered direct compaction, and when */
	bool follow_manual;
	/* kcompactd's timer started with the trace's first kcompactd_sleep */
	bool kcompactd_synced;
	/* zones (by type) with an order -1 compaction run of the kernel's under way */
	unsigned int order_all_zones;
	/* memory hot-removal (replay_set_unplug()): taken out of the model at the
	 * kernel's first migration for it */
	struct model_pfn_range unplug[REPLAY_MAX_UNPLUG];
	unsigned int nr_unplug;
	struct { uint64_t task, ts; } direct[DIRECT_TASKS];
	unsigned int next_direct;
	unsigned int nr_kc, cap_kc;
	struct replay_stats st;
	model_event_fn fn;
	void *ctx;
	/*
	 * The free pages compaction runs under way isolated (the pfn ranges of
	 * mm_compaction_isolate_freepages and _fast_isolate_freepages with
	 * nr_taken > 0): isolation takes them off the free lists with no
	 * allocation event, and release_free_list() frees the ones migration
	 * did not use (mm_page_free) before mm_compaction_end. The model never
	 * saw them leave, so such a free is no unmatched one. A ring of the
	 * latest, emptied when no run is under way.
	 */
	struct { uint64_t start, end; } isolated[ISOLATED_MAX];
	unsigned int nr_isolated, next_isolated;
	unsigned int compacting; /* mm_compaction_begin events without their end */
	/*
	 * A bit per pfn of the span: the trace last saw the page freed, or put
	 * on a per-CPU list by a refill (mm_page_alloc_zone_locked with
	 * percpu_refill), and saw no allocation or migration hand it out since.
	 * The kernel frees no free page: a free of such pages means an
	 * allocation came between that no tracepoint shows (alloc_pages_bulk(),
	 * vmalloc's and the page pools' path, takes pages off a pcp list with
	 * no mm_page_alloc). The model never had them, so the free changes
	 * nothing and is no unmatched one.
	 */
	uint64_t *trace_free;
	/* when the start and end snapshots' walks read which pfns (replay_set_walk_times()) */
	struct walk_times walk, walk_end;
};

static bool in_span(const struct replay *r, uint64_t pfn)
{
	return pfn >= r->base && pfn - r->base < r->span;
}

/* a map entry (offset + 1) to a pfn, and back */
static uint64_t key_pfn(const struct replay *r, uint32_t key)
{
	return r->base + key - 1;
}

static uint32_t pfn_key(const struct replay *r, uint64_t pfn)
{
	return (uint32_t)(pfn - r->base + 1);
}

static unsigned int rord(const struct replay *r, uint64_t rec)
{
	return r->ord[rec - r->base] & ORD_MASK;
}

/*
 * The maps' entries, read and written only through these four. A block the
 * model holds at its own recorded pfn (every block of the start snapshot,
 * until it moves) is SELF in ord[] and has no entry in obj[] or rec_of[], so
 * building the maps writes a byte per block. PRESENT in ord[] says obj[] has
 * an entry at all, so that the searches for a covering block read the 1-byte
 * map only. The values they return are those the flat maps of 4 bytes per
 * pfn held before. A table that cannot grow sets r->err (replay_error()).
 */
static uint32_t obj_get(const struct replay *r, uint64_t rec)
{
	uint64_t i = rec - r->base;
	uint8_t f = r->ord[i];

	if (!(f & PRESENT))
		return 0;
	return f & SELF ? (uint32_t)(i + 1) : pmap_get(&r->obj, (uint32_t)(i + 1));
}

static void obj_put(struct replay *r, uint64_t rec, uint32_t o)
{
	uint64_t i = rec - r->base;
	uint8_t f = r->ord[i];

	if ((f & (PRESENT | SELF)) == PRESENT && (o == i + 1 || !o))
		pmap_del(&r->obj, (uint32_t)(i + 1));
	if (o == i + 1) {
		r->ord[i] = f | SELF | PRESENT;
	} else if (!o) {
		r->ord[i] = (uint8_t)(f & ~(SELF | PRESENT));
	} else {
		if (pmap_put(&r->obj, (uint32_t)(i + 1), o))
			r->err = -ENOMEM;
		r->ord[i] = (uint8_t)((f & ~SELF) | PRESENT);
	}
}

static uint32_t rec_get(const struct replay *r, uint64_t mp)
{
	uint64_t i = mp - r->base;
	uint8_t f = r->ord[i];
	uint32_t k = f & RECOF ? pmap_get(&r->rec_of, (uint32_t)(i + 1)) : 0;

	return k || !(f & SELF) ? k : (uint32_t)(i + 1);
}

/* after the obj_put() of the same block, so that SELF is already set */
static void rec_put(struct replay *r, uint64_t mp, uint32_t k)
{
	uint64_t i = mp - r->base;

	if (k == i + 1 && (r->ord[i] & SELF))
		k = 0;
	if (!k && !(r->ord[i] & RECOF))
		return;
	if (pmap_put(&r->rec_of, (uint32_t)(i + 1), k)) {
		r->err = -ENOMEM;
		return;
	}
	r->ord[i] = (uint8_t)(k ? r->ord[i] | RECOF : r->ord[i] & ~RECOF);
}

/* ord[i] = @v, but RECOF, which is of pfn i as a model pfn, stays */
static void ord_put(struct replay *r, uint64_t i, unsigned int v)
{
	r->ord[i] = (uint8_t)((r->ord[i] & RECOF) | (v & ~RECOF));
}

/* @mp: the model's pfn, or MODEL_PFN_NONE when the model could not place it;
 * @flags: GROUP or 0 */
static void map_set(struct replay *r, uint64_t rec, uint64_t mp, unsigned int order,
		    unsigned int flags)
{
	ord_put(r, rec - r->base, order | flags);
	obj_put(r, rec, mp == MODEL_PFN_NONE ? FAILED : pfn_key(r, mp));
	if (mp != MODEL_PFN_NONE)
		rec_put(r, mp, pfn_key(r, rec));
}

static bool placed(uint32_t o)
{
	return o && o != FAILED && o != MOVED_AWAY;
}

static void map_clear(struct replay *r, uint64_t rec)
{
	uint32_t o = obj_get(r, rec);

	if (placed(o))
		rec_put(r, key_pfn(r, o), 0);
	obj_put(r, rec, 0);
}

/* a kept block's piece moved with the model's compaction */
static void kept_moved(struct replay *r, uint32_t key, uint64_t from, uint64_t to)
{
	struct absorber *a = &r->abs[key - KEPT_KEY];

	for (unsigned int i = 0; i < a->nr_pieces; i++)
		if (a->pieces[i].mp == from)
			a->pieces[i].mp = to;
}

/* room for @n more pieces; false when there is none to be had */
static bool piece_room(struct absorber *a, unsigned int n)
{
	if (a->nr_pieces + n <= a->cap)
		return true;
	unsigned int cap = a->cap * 2 > a->nr_pieces + n ? a->cap * 2 : a->nr_pieces + n;
	struct piece *p = realloc(a->pieces, cap * sizeof(*p));
	if (!p)
		return false;
	a->pieces = p;
	a->cap = cap;
	return true;
}

/* compaction split a kept block's piece (MODEL_EV_SPLIT): its pages become
 * order-0 pieces, which then move one by one; without the memory for them
 * the piece is forgotten (and stays allocated in the model) */
static void kept_split(struct replay *r, uint32_t key, uint64_t pfn, unsigned int order)
{
	struct absorber *a = &r->abs[key - KEPT_KEY];

	for (unsigned int i = 0; i < a->nr_pieces; i++) {
		if (a->pieces[i].mp != pfn)
			continue;
		struct piece pc = a->pieces[i];
		a->pieces[i] = a->pieces[--a->nr_pieces];
		if (!piece_room(a, 1u << order)) {
			rec_put(r, pfn, 0);
			return;
		}
		for (uint64_t k = 0; k < 1ull << order; k++) {
			a->pieces[a->nr_pieces++] = (struct piece){ .off = pc.off + k, .mp = pfn + k };
			rec_put(r, pfn + k, key);
		}
		return;
	}
}

static void split_block(struct replay *r, uint64_t head, unsigned int order);

/* the model split the block of @order it holds for the recorded block at
 * @head: order-0 pieces, GROUP, so that the kernel's free of the whole
 * block (its folio was not split) frees them all */
static void split_pieces(struct replay *r, uint64_t head, unsigned int order)
{
	if (rord(r, head) != order)
		return; /* not that block: the maps and the model disagree */
	split_block(r, head, 0);
	for (uint64_t k = 0; k < 1ull << order; k++)
		r->ord[head + k - r->base] |= GROUP;
}

/* the model moved a block (compaction): its recorded key follows it */
static void on_model_event(void *ctx, const struct model_event *ev)
{
	struct replay *r = ctx;

	if (ev->type == MODEL_EV_MIGRATE && in_span(r, ev->pfn) && in_span(r, ev->new_pfn)) {
		uint32_t rec = rec_get(r, ev->pfn);
		if (rec >= KEPT_KEY) {
			kept_moved(r, rec, ev->pfn, ev->new_pfn);
			rec_put(r, ev->pfn, 0);
			rec_put(r, ev->new_pfn, rec);
		} else if (rec) {
			rec_put(r, ev->pfn, 0);
			obj_put(r, key_pfn(r, rec), pfn_key(r, ev->new_pfn));
			rec_put(r, ev->new_pfn, rec);
		}
		r->st.model_migrations++;
	} else if (ev->type == MODEL_EV_SPLIT && in_span(r, ev->pfn)) {
		/* compaction split a large block: its recorded block splits with it */
		uint32_t rec = rec_get(r, ev->pfn);
		if (rec >= KEPT_KEY)
			kept_split(r, rec, ev->pfn, ev->order);
		else if (rec)
			split_pieces(r, key_pfn(r, rec), ev->order);
	} else if (ev->type == MODEL_EV_EXTFRAG && ev->migratetype < MODEL_NR_PCPTYPES &&
		   ev->fallback_migratetype < MODEL_NR_PCPTYPES) {
		r->st.model_extfrag[ev->migratetype][ev->fallback_migratetype][ev->change_ownership]++;
	}
	if (r->fn)
		r->fn(r->ctx, ev);
}

/*
 * An engine on @m's span, its maps empty but for the start snapshot's blocks
 * keyed by their own pfns: walked from @m, or copied from @proto's (an
 * engine of a model @m was cloned from, before any event). @m is only read.
 */
static struct replay *engine_new(const struct model *m, const struct replay *proto,
				 uint64_t start_ts, model_event_fn fn, void *ctx)
{
	struct replay *r = calloc(1, sizeof(*r));
	struct model_zone_info zi;

	if (!r)
		return NULL;
	model_zone_info(m, 0, &zi);
	r->base = zi.start_pfn;
	model_zone_info(m, model_nr_zones(m) - 1, &zi);
	r->span = zi.end_pfn - r->base;
	if (r->span > MAX_SPAN) {
		free(r);
		errno = EFBIG;
		return NULL;
	}
	r->m = (struct model *)m; /* written only once replay_new() or _like() attached it */
	r->start_ts = start_ts;
	r->max_order = (unsigned int)model_knob(m, MODEL_KNOB_MAX_PAGE_ORDER);
	r->feedback = model_knob(m, MODEL_KNOB_FEEDBACK);
	r->window_ns = (uint64_t)model_knob(m, MODEL_KNOB_FEEDBACK_WINDOW_US) * 1000;
	r->kswapd_idle_ns = (uint64_t)model_knob(m, MODEL_KNOB_KSWAPD_IDLE_US) * 1000;
	r->next_deadline = UINT64_MAX;
	r->fn = fn;
	r->ctx = ctx;
	r->ord = malloc(r->span); /* every byte written below */
	r->trace_free = calloc((r->span + 63) / 64, sizeof(uint64_t));
	if (pmap_init(&r->obj, r->span) || pmap_init(&r->rec_of, r->span)) {
		replay_free(r);
		errno = ENOMEM;
		return NULL;
	}
	if (r->feedback)
		r->abs = calloc(MAX_ABSORBERS, sizeof(*r->abs));
	if (!r->ord || (r->feedback && !r->abs)) {
		replay_free(r);
		errno = ENOMEM;
		return NULL;
	}
	if (proto) { /* the same blocks at the same pfns: the same map */
		memcpy(r->ord, proto->ord, r->span);
		return r;
	}
	/* the start snapshot's blocks are keyed by their own pfns: map_set(r,
	 * pfn, pfn, ...) on empty maps for each allocated block */
	if (model_alloc_orders(m, r->base, r->span, SELF | PRESENT, r->ord)) {
		replay_free(r);
		errno = EINVAL;
		return NULL;
	}
	return r;
}

struct replay *replay_new(struct model *m, uint64_t start_ts, model_event_fn fn, void *ctx)
{
	struct replay *r = engine_new(m, NULL, start_ts, fn, ctx);

	if (r)
		model_set_event_fn(m, on_model_event, r);
	return r;
}

struct replay *replay_proto(const struct model *m)
{
	return engine_new(m, NULL, 0, NULL, NULL);
}

struct replay *replay_new_like(const struct replay *proto, struct model *m, uint64_t start_ts,
			       model_event_fn fn, void *ctx)
{
	struct replay *r;
	struct model_zone_info first, last;

	model_zone_info(m, 0, &first);
	model_zone_info(m, model_nr_zones(m) - 1, &last);
	if (!proto || first.start_pfn != proto->base || last.end_pfn - first.start_pfn != proto->span)
		return replay_new(m, start_ts, fn, ctx);
	r = engine_new(m, proto, start_ts, fn, ctx);
	if (r)
		model_set_event_fn(m, on_model_event, r);
	return r;
}

/* a copy of @n bytes of @src, or NULL (also for n == 0); *@ok false when it failed */
static void *dup_bytes(const void *src, size_t n, bool *ok)
{
	void *p = n && src ? malloc(n) : NULL;

	if (n && src && !p)
		*ok = false;
	return p ? memcpy(p, src, n) : NULL;
}

/* idx: its written pages only (a sparse node's copy costs what the original does) */
static bool pmap_copy(struct pmap *dst, const struct pmap *src)
{
	bool ok = true;

	*dst = *src;
	dst->idx_written.bits = NULL; /* not src's, whatever fails below */
	dst->idx = calloc(src->idx_bytes, 1);
	ok = dst->idx && !zpages_init(&dst->idx_written, src->idx_bytes);
	for (size_t b = 0, from, to;
	     ok && zpages_next(&src->idx_written, src->idx, src->idx_bytes, &b, &from, &to);) {
		zpages_write_first(&dst->idx_written, dst->idx, from, to - from);
		memcpy((uint8_t *)dst->idx + from, (const uint8_t *)src->idx + from, to - from);
	}
	dst->chunk = dup_bytes(src->chunk, (size_t)src->cap * sizeof(*src->chunk), &ok);
	dst->cnt = dup_bytes(src->cnt, src->cap, &ok);
	return ok;
}

static bool walk_times_copy(struct walk_times *dst, const struct walk_times *src)
{
	bool ok = true;

	*dst = *src;
	dst->pfn = dup_bytes(src->pfn, src->cap * sizeof(*src->pfn), &ok);
	dst->ts = dup_bytes(src->ts, src->cap * sizeof(*src->ts), &ok);
	return ok;
}

struct replay *replay_clone(const struct replay *src, struct model *m, model_event_fn fn,
			    void *ctx)
{
	struct replay *r = malloc(sizeof(*r));
	bool ok = true;

	if (!r)
		return NULL;
	*r = *src;
	r->m = m;
	r->fn = fn;
	r->ctx = ctx;
	ok &= pmap_copy(&r->obj, &src->obj);
	ok &= pmap_copy(&r->rec_of, &src->rec_of);
	r->ord = dup_bytes(src->ord, src->span, &ok);
	r->trace_free = dup_bytes(src->trace_free, (src->span + 63) / 64 * sizeof(uint64_t), &ok);
	r->thp_served = dup_bytes(src->thp_served, src->nr_thp_cpus, &ok);
	r->kc = dup_bytes(src->kc, src->cap_kc * sizeof(*src->kc), &ok);
	ok &= walk_times_copy(&r->walk, &src->walk);
	ok &= walk_times_copy(&r->walk_end, &src->walk_end);
	r->abs = dup_bytes(src->abs, src->abs ? MAX_ABSORBERS * sizeof(*src->abs) : 0, &ok);
	/* the open ones' pieces; past nr_abs an entry is rewritten whole when opened */
	for (unsigned int i = 0; r->abs && i < src->nr_abs; i++)
		r->abs[i].pieces = dup_bytes(src->abs[i].pieces,
					     src->abs[i].cap * sizeof(*src->abs[i].pieces), &ok);
	if (!ok) {
		replay_free(r);
		errno = ENOMEM;
		return NULL;
	}
	model_set_event_fn(m, on_model_event, r);
	return r;
}

void replay_free(struct replay *r)
{
	if (!r)
		return;
	pmap_release(&r->obj);
	pmap_release(&r->rec_of);
	free(r->ord);
	free(r->trace_free);
	walk_times_free(&r->walk);
	walk_times_free(&r->walk_end);
	free(r->thp_served);
	free(r->kc);
	for (unsigned int i = 0; r->abs && i < r->nr_abs; i++)
		free(r->abs[i].pieces);
	free(r->abs);
	free(r);
}

int replay_error(const struct replay *r)
{
	return r->err;
}

const struct replay_stats *replay_stats(const struct replay *r)
{
	return &r->st;
}

/* the recorded block covering [rec, rec + 2^order), or MODEL_PFN_NONE */
static uint64_t covering_block(const struct replay *r, uint64_t rec, unsigned int order)
{
	if (obj_get(r, rec))
		return rec;
	for (unsigned int o = order + 1; o <= r->max_order; o++) {
		uint64_t head = rec & ~((1ull << o) - 1);

		if (!in_span(r, head))
			break;
		if (obj_get(r, head) && rord(r, head) >= o)
			return head;
	}
	return MODEL_PFN_NONE;
}

/*
 * split_page() of a recorded block: it becomes blocks of @order at the same
 * offsets in both address spaces (the model splits its block likewise when
 * one of them is freed).
 */
static void split_block(struct replay *r, uint64_t head, unsigned int order)
{
	uint32_t o = obj_get(r, head);
	unsigned int old = rord(r, head), flags = r->ord[head - r->base] & GROUP;

	for (uint64_t k = 0; k < 1ull << (old - order); k++) {
		uint64_t rec = head + (k << order);
		uint64_t mp = o == FAILED ? MODEL_PFN_NONE : key_pfn(r, o) + (k << order);

		map_set(r, rec, mp, order, flags);
	}
}

/* A free that grew the zone (model_grow): counted, with when it happened. */
static void grown(struct replay *r, unsigned int order)
{
	if (!r->st.grow_frees++)
		r->st.first_grow_ts = r->st.last_ts;
	r->st.last_grow_ts = r->st.last_ts;
	r->st.grown_pages += 1ull << order;
}

/* an allocation or free at pfns the model does not have: node 0 is all it
 * models (setup.c), so on a NUMA host every other node's traffic lands here */
static void outside(struct replay *r, unsigned int order)
{
	r->st.outside_model++;
	r->st.outside_model_pages += 1ull << (order < 63 ? order : 63);
}

/* A free the engine cannot match to a block: counted by events and by pages. */
static void unmatched(struct replay *r, unsigned int order)
{
	r->st.unmatched_frees++;
	r->st.unmatched_free_pages += 1ull << order;
}

/* mark (@set) or clear [pfn, pfn + 2^order)'s trace_free bits, the span's part of it */
static void trace_free_mark(struct replay *r, uint64_t pfn, uint64_t order, bool set)
{
	if (!r->trace_free || order > r->max_order)
		return;
	for (uint64_t p = pfn, end = pfn + (1ull << order); p < end; p++) {
		if (!in_span(r, p))
			continue;
		uint64_t i = p - r->base;
		if (set)
			r->trace_free[i / 64] |= 1ull << (i % 64);
		else
			r->trace_free[i / 64] &= ~(1ull << (i % 64));
	}
}

/* every page of [rec, rec + 2^order) was last seen free by the trace */
static bool trace_saw_free(const struct replay *r, uint64_t rec, unsigned int order)
{
	if (!r->trace_free)
		return false;
	for (uint64_t p = rec, end = rec + (1ull << order); p < end; p++) {
		uint64_t i = p - r->base;
		if (!in_span(r, p) || !(r->trace_free[i / 64] & (1ull << (i % 64))))
			return false;
	}
	return true;
}

/* [rec, rec + 2^order) lies in a free-page range a compaction run under way isolated */
static bool compaction_isolated(const struct replay *r, uint64_t rec, unsigned int order)
{
	for (unsigned int i = 0; i < r->nr_isolated; i++)
		if (rec >= r->isolated[i].start && rec + (1ull << order) <= r->isolated[i].end)
			return true;
	return false;
}

static void note_compaction(struct replay *r, const struct frt_event *ev)
{
	switch (ev->type) {
	case FRT_EV_COMPACTION_BEGIN:
		r->compacting++;
		break;
	case FRT_EV_COMPACTION_END:
		if (r->compacting && !--r->compacting)
			r->nr_isolated = r->next_isolated = 0;
		break;
	case FRT_EV_COMPACTION_ISOLATE_FREEPAGES:
	case FRT_EV_COMPACTION_FAST_ISOLATE_FREEPAGES:
		/* a fast-isolate start past the free scanner is written as none
		 * (FORMAT.md bogus_pfns): nothing to match */
		if (!ev->isolate.nr_taken || ev->isolate.start_pfn == FRT_PFN_NONE ||
		    ev->isolate.end_pfn <= ev->isolate.start_pfn)
			break;
		r->isolated[r->next_isolated].start = ev->isolate.start_pfn;
		r->isolated[r->next_isolated].end = ev->isolate.end_pfn;
		r->next_isolated = (r->next_isolated + 1) % ISOLATED_MAX;
		if (r->nr_isolated < ISOLATED_MAX)
			r->nr_isolated++;
		break;
	default:
		break;
	}
}

/* the recorded block at @rec, of exactly @order, leaves the model */
static void free_block(struct replay *r, uint64_t rec, unsigned int order, unsigned int cpu)
{
	uint32_t o = obj_get(r, rec);

	if (o == FAILED) {
		r->st.frees_of_failed++;
	} else if (model_free(r->m, key_pfn(r, o), order, cpu)) {
		unmatched(r, order); /* the model no longer holds it: a bug, made visible */
	}
	map_clear(r, rec);
}

/* a free of [rec, rec + 2^order) over smaller recorded blocks: each one it
 * covers is freed (a migration source's old pages are only forgotten) */
static void free_pieces(struct replay *r, uint64_t rec, unsigned int order, unsigned int cpu)
{
	for (uint64_t p = rec, end = rec + (1ull << order); p < end;) {
		if (!obj_get(r, p)) {
			p++;
			continue;
		}
		unsigned int k = rord(r, p);
		if (obj_get(r, p) == MOVED_AWAY)
			obj_put(r, p, 0);
		else
			free_block(r, p, k, cpu);
		p += 1ull << k;
	}
}

/*
 * [rec, rec + 2^order) held as order-0 blocks where the model has them too
 * (the start snapshot's records of a block on a per-CPU list): one block
 * again, in the map and in the model, so that it goes back whole, to the
 * per-CPU list of its order, as the kernel's did.
 */
static bool join_snapshot_pages(struct replay *r, uint64_t rec, unsigned int order)
{
	uint64_t end = rec + (1ull << order);

	if (!order || !in_span(r, end - 1))
		return false;
	for (uint64_t p = rec; p < end; p++) {
		uint32_t o = obj_get(r, p);

		if (!placed(o) || (r->ord[p - r->base] & (ORD_MASK | GROUP)) || key_pfn(r, o) != p)
			return false;
	}
	if (model_join(r->m, rec, order))
		return false;
	for (uint64_t p = rec + 1; p < end; p++)
		map_clear(r, p);
	map_set(r, rec, rec, order, 0);
	return true;
}

/* who ran the event: its task, or its CPU when the trace cannot say */
static uint64_t event_task(const struct frt_event *ev)
{
	return ev->has_task && ev->pid >= 0 ? (uint64_t)ev->pid : (1ull << 63) | ev->cpu;
}

/* @task's compaction run under way, or NULL */
static struct kcompact *kcompact_of(const struct replay *r, uint64_t task)
{
	for (unsigned int i = 0; i < r->nr_kc; i++)
		if (r->kc[i].task == task)
			return &r->kc[i];
	return NULL;
}

void replay_follow_manual_compaction(struct replay *r, bool on)
{
	r->follow_manual = on;
}

void replay_set_unplug(struct replay *r, const struct model_pfn_range *ranges, unsigned int nr)
{
	uint64_t pb = 1ull << model_knob(r->m, MODEL_KNOB_PAGEBLOCK_ORDER);

	r->nr_unplug = 0;
	r->st.unplug_expected = 0;
	for (unsigned int i = 0; i < nr && i < REPLAY_MAX_UNPLUG; i++) {
		uint64_t s = (ranges[i].start + pb - 1) & ~(pb - 1), e = ranges[i].end & ~(pb - 1);
		if (e <= s)
			continue;
		r->unplug[r->nr_unplug].start = s;
		r->unplug[r->nr_unplug++].end = e;
		r->st.unplug_expected += e - s;
	}
}

/*
 * offline_pages() migrates what is in use out of the memory going away
 * (migrate_pages(..., MR_MEMORY_HOTPLUG): mm_migrate_pages_start with that
 * reason), then takes its free pages off the lists with no event. The end
 * snapshot says which pfns went (setup.c); at the kernel's first such
 * migration the model takes them out too (model_offline(), pageblocks whole;
 * its own pages there move out as the kernel's do), once.
 */
static void follow_unplug(struct replay *r, const struct frt_event *ev)
{
	for (unsigned int i = 0; i < r->nr_unplug; i++) {
		uint64_t s = r->unplug[i].start, e = r->unplug[i].end;
		int zone = model_zone_of(r->m, s);

		if (zone >= 0 && model_zone_of(r->m, e - 1) == zone) {
			if (model_offline(r->m, s, e - s, ev->cpu))
				r->st.unplug_busy++;
			else
				r->st.unplugged_pages += e - s;
		} else {
			r->st.unplug_busy++;
		}
	}
	r->nr_unplug = 0;
}

/*
 * A compaction run of the kernel's that no allocation asked for and no
 * kcompactd began: compact_node(pgdat, false) of the compact_memory sysctl or
 * a node's compact file, whose compact_zone() fires mm_compaction_begin per
 * zone in the writer's context. A direct compaction's runs come right after
 * its task's mm_compaction_try_to_compact_pages; kcompactd is named. The
 * model compacts the same zone (model_compact_memory()). Only with task ids
 * and the try_to_compact_pages tracepoint recorded, without which a direct
 * run could not be told from one user space asked for.
 */
static void follow_manual(struct replay *r, const struct frt_event *ev)
{
	uint64_t task = event_task(ev);

	if (ev->type == FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES) {
		r->direct[r->next_direct].task = task;
		r->direct[r->next_direct].ts = ev->ts;
		r->next_direct = (r->next_direct + 1) % DIRECT_TASKS;
		return;
	}
	if (!ev->has_task || !strncmp(ev->comm, "kcompactd", 9))
		return;
	for (unsigned int i = 0; i < DIRECT_TASKS; i++)
		if (r->direct[i].task == task && r->direct[i].ts &&
		    ev->ts - r->direct[i].ts <= DIRECT_WINDOW_NS)
			return;
	int zone = model_zone_of(r->m, ev->compaction.zone_start);
	if (zone >= 0 && in_span(r, ev->compaction.zone_start)) {
		r->st.manual_compactions++;
		model_compact_memory(r->m, (unsigned int)zone);
	}
}

/*
 * The kernel's proactive pass, kcompactd's compact_node(pgdat, true), ended
 * a zone COMPACT_CONTENDED: migrate_pages() failed with -ENOMEM on a large
 * folio it could neither migrate nor split, which the model cannot know.
 * The model's pass stops that zone too if it is compacting it
 * (model_kcompactd_contended()). Its runs are the sync ones whose
 * mm_compaction_finished says order -1 (compact_memory's too, but those
 * run MIGRATE_SYNC to the end): told by zone, not by task, as kcompactd
 * may change CPUs within a run and older traces have no task ids.
 */
static void follow_contended(struct replay *r, const struct frt_event *ev)
{
	if (ev->type == FRT_EV_COMPACTION_FINISHED) {
		if (ev->suitable.order != -1 || ev->suitable.idx >= MODEL_NR_ZONE_TYPES)
			return;
		/* the first step in the node's first zone: kcompactd's pass began
		 * (model_kcompactd_pass_began()); compact_node() skips no zone the
		 * model has */
		struct model_zone_info first;
		if (!(r->order_all_zones & 1u << ev->suitable.idx) && ev->suitable.nid == 0 &&
		    (!ev->has_task || !strncmp(ev->comm, "kcompactd", 9)) &&
		    !model_zone_info(r->m, 0, &first) && first.type == ev->suitable.idx) {
			r->st.kcompactd_passes++;
			model_kcompactd_pass_began(r->m);
		}
		r->order_all_zones |= 1u << ev->suitable.idx;
		return;
	}
	int zone = model_zone_of(r->m, ev->compaction.zone_start);
	struct model_zone_info zi;

	if (!ev->compaction.sync || zone < 0 || !in_span(r, ev->compaction.zone_start) ||
	    model_zone_info(r->m, (unsigned int)zone, &zi) ||
	    !(r->order_all_zones & 1u << zi.type))
		return;
	r->order_all_zones &= ~(1u << zi.type);
	if (ev->compaction.status != 7 /* COMPACT_CONTENDED */ ||
	    (ev->has_task && strncmp(ev->comm, "kcompactd", 9)))
		return;
	r->st.kcompactd_contended++;
	model_kcompactd_contended(r->m, (unsigned int)zone);
}

/* the kernel's compaction events that tell which frees are its migrations */
static void track_compaction(struct replay *r, const struct frt_event *ev)
{
	uint64_t task = event_task(ev);
	struct kcompact *kc = kcompact_of(r, task);

	switch (ev->type) {
	case FRT_EV_COMPACTION_BEGIN:
		if (!kc && r->nr_kc == r->cap_kc) {
			unsigned int cap = r->cap_kc ? 2 * r->cap_kc : 4;
			struct kcompact *p = realloc(r->kc, cap * sizeof(*p));
			if (!p)
				return; /* its frees are then taken as frees */
			r->kc = p;
			r->cap_kc = cap;
		}
		if (!kc)
			kc = &r->kc[r->nr_kc++];
		*kc = (struct kcompact){ .task = task };
		break;
	case FRT_EV_COMPACTION_END:
		if (kc)
			*kc = r->kc[--r->nr_kc];
		break;
	case FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES:
		if (!kc || !ev->isolate.nr_taken || ev->isolate.end_pfn <= ev->isolate.start_pfn)
			break;
		if (kc->nr == KC_RANGES) { /* the oldest goes */
			memmove(kc->start, kc->start + 1, (KC_RANGES - 1) * sizeof(*kc->start));
			memmove(kc->end, kc->end + 1, (KC_RANGES - 1) * sizeof(*kc->end));
			kc->nr--;
		}
		kc->start[kc->nr] = ev->isolate.start_pfn;
		kc->end[kc->nr++] = ev->isolate.end_pfn;
		break;
	case FRT_EV_COMPACTION_MIGRATEPAGES:
		if (kc)
			kc->nr = 0;
		break;
	default:
		break;
	}
}

/* is this free a source the kernel's compaction just migrated (struct kcompact)? */
static bool unpaired_source(const struct replay *r, const struct frt_event *ev)
{
	const struct kcompact *kc = kcompact_of(r, event_task(ev));
	uint64_t rec = ev->free.pfn, end = rec + (1ull << ev->free.order);

	for (unsigned int i = 0; kc && i < kc->nr; i++)
		if (rec >= kc->start[i] && end <= kc->end[i])
			return true;
	return false;
}

/*
 * The free of an unpaired migration source: each block it covers lives on
 * at a pfn the trace does not say, so the model keeps it, under no key.
 * False when the map holds no block there, or a paired one (MOVED_AWAY):
 * free_recorded() deals with those.
 */
static bool keep_unpaired(struct replay *r, uint64_t rec, unsigned int order)
{
	uint64_t head = covering_block(r, rec, order);

	if (head == MODEL_PFN_NONE || obj_get(r, head) == MOVED_AWAY)
		return false;
	r->st.freed_pages += 1ull << order;
	if (head != rec || rord(r, rec) > order)
		split_block(r, head, order);
	for (uint64_t p = rec, end = rec + (1ull << order); p < end && in_span(r, p);) {
		if (!obj_get(r, p)) {
			p++;
			continue;
		}
		unsigned int k = rord(r, p);
		map_clear(r, p);
		p += 1ull << k;
	}
	r->st.unpaired_sources++;
	r->st.unpaired_source_pages += 1ull << order;
	return true;
}

static void free_recorded(struct replay *r, uint64_t rec, unsigned int order, unsigned int cpu)
{
	uint64_t head = covering_block(r, rec, order);

	r->st.freed_pages += 1ull << order;
	if (head == MODEL_PFN_NONE) {
		/* memory the model never managed (deferred struct page init,
		 * hotplug, freed reserved memory) joins the zone; anything else
		 * the kernel had and the model has not */
		if (!model_grow(r->m, rec, 1ull << order)) {
			grown(r, order);
		} else if (compaction_isolated(r, rec, order)) {
			r->st.compaction_released++;
			r->st.compaction_released_pages += 1ull << order;
		} else if (trace_saw_free(r, rec, order)) {
			r->st.untraced_alloc_frees++;
			r->st.untraced_alloc_free_pages += 1ull << order;
		} else {
			unmatched(r, order);
		}
		return;
	}
	if (obj_get(r, head) == MOVED_AWAY) {
		/* the migration source's pages: the block itself lives on elsewhere
		 * (for one served as pieces, every piece's old head is marked) */
		r->st.migration_source_frees++;
		r->st.migration_source_pages += 1ull << order;
		for (uint64_t p = head, end = head + (1ull << order); p < end && in_span(r, p); p++)
			if (obj_get(r, p) == MOVED_AWAY)
				obj_put(r, p, 0);
		return;
	}
	if (head != rec || rord(r, rec) > order) {
		r->st.partial_frees++;
		split_block(r, head, order);
	} else if (rord(r, rec) < order) {
		/*
		 * The kernel frees (or, inferred, reuses) one block over smaller
		 * ones the map holds: the pieces the model served a recorded
		 * block as (GROUP), or the start snapshot's order-0 records of a
		 * block that sat on a per-CPU list (zero refcount, not a buddy:
		 * FORMAT.md writes each page as allocated order 0). All of
		 * [rec, rec + 2^order) is the kernel's block, so each is freed;
		 * left alone, a PMD-sized pcp block the kernel hands out again
		 * stayed allocated in the model for good (ab-thp-m1-r1: 417 of
		 * them, 213 k pages).
		 */
		if (join_snapshot_pages(r, rec, order))
			free_block(r, rec, order, cpu);
		else
			free_pieces(r, rec, order, cpu);
		return;
	}
	free_block(r, rec, order, cpu);
}

/* the per-CPU mark of a THP fault the model served at its first try; the
 * old one, which a try on this CPU ends either way */
static bool thp_served_swap(struct replay *r, uint32_t cpu, bool served)
{
	if (cpu >= r->nr_thp_cpus) {
		uint32_t n = cpu + 1;
		uint8_t *p = realloc(r->thp_served, n);
		if (!p) /* without the mark, a second try is counted as a fault of its own */
			return false;
		memset(p + r->nr_thp_cpus, 0, n - r->nr_thp_cpus);
		r->thp_served = p;
		r->nr_thp_cpus = n;
	}
	bool old = r->thp_served[cpu];
	r->thp_served[cpu] = served;
	return old;
}

/*
 * An anonymous THP fault's try (model_thp_fault_try()): the kernel's fault
 * ends when the try succeeds or no second try follows (thp_fault_alloc,
 * thp_fault_fallback, as vmstat counts them). The model counts its own
 * faults (MODEL_REQ_THP_FAULT), but not the kernel's second try of a fault
 * whose first try the model served: the model's fault ended there.
 */
static void thp_fault_recorded(struct replay *r, const struct frt_event *ev,
			       struct model_req *req)
{
	bool second = !(req->gfp & MODEL_GFP_THISNODE);
	bool served_before = thp_served_swap(r, ev->cpu, false);

	if (ev->alloc.pfn != FRT_PFN_NONE)
		r->st.recorded.thp_fault_alloc++;
	else if (!model_thp_retry_gfp(req->gfp))
		r->st.recorded.thp_fault_fallback++;
	if (!(second && served_before))
		req->flags |= MODEL_REQ_THP_FAULT;
}

/* ---- the closed loop: kernel failures the model serves ---- */

/* who issued the request: the thread, or its CPU when the trace cannot say */
static uint64_t task_of(struct replay *r, const struct frt_event *ev)
{
	if (ev->has_task && ev->pid >= 0)
		return (uint64_t)ev->pid;
	r->st.allocs_without_task++;
	return (1ull << 63) | ev->cpu;
}

static int find_absorber(const struct replay *r, uint64_t task)
{
	for (unsigned int i = 0; i < r->nr_abs; i++)
		if (r->abs[i].task == task)
			return (int)i;
	return -1;
}

/* the window closes: the pieces nothing claimed go back; the slot is reused */
static void close_absorber(struct replay *r, unsigned int i)
{
	struct absorber *a = &r->abs[i];

	for (unsigned int k = 0; k < a->nr_pieces; k++) {
		const struct piece *pc = &a->pieces[k];
		rec_put(r, pc->mp, 0);
		if (!model_free(r->m, pc->mp, pc->order, a->cpu))
			r->st.cls[a->class].returned_pages += 1ull << pc->order;
	}
	free(a->pieces);
	if (i != --r->nr_abs) {
		*a = r->abs[r->nr_abs];
		for (unsigned int k = 0; k < a->nr_pieces; k++)
			rec_put(r, a->pieces[k].mp, KEPT_KEY + i);
	}
}

static void close_expired(struct replay *r, uint64_t now)
{
	r->next_deadline = UINT64_MAX;
	for (unsigned int i = 0; i < r->nr_abs;) {
		if (r->abs[i].deadline < now) {
			close_absorber(r, i);
			continue;
		}
		if (r->abs[i].deadline < r->next_deadline)
			r->next_deadline = r->abs[i].deadline;
		i++;
	}
}

/* the model served @mp for a request the kernel failed: keep it for the task */
static void open_absorber(struct replay *r, uint64_t task, const struct model_req *req,
			  enum req_class class, uint64_t mp, bool second_try)
{
	int i = find_absorber(r, task);

	if (i >= 0)
		close_absorber(r, (unsigned int)i); /* a new failure ends the old fallback */
	if (r->nr_abs == MAX_ABSORBERS)
		close_absorber(r, 0);
	struct absorber *a = &r->abs[r->nr_abs];
	*a = (struct absorber){ .task = task, .deadline = r->st.last_ts + r->window_ns,
				.order = req->order, .cpu = req->cpu,
				.mt = model_gfp_migratetype(req->gfp), .class = class,
				.second_try = second_try, .nr_pieces = 1 };
	if (!piece_room(a, MODEL_MAX_ORDER_LIMIT + 1)) { /* no memory: given straight back */
		model_free(r->m, mp, req->order, req->cpu);
		return;
	}
	a->pieces[0] = (struct piece){ .off = 0, .mp = mp, .order = req->order };
	rec_put(r, mp, KEPT_KEY + r->nr_abs);
	r->nr_abs++;
	if (a->deadline < r->next_deadline)
		r->next_deadline = a->deadline;
	r->st.cls[class].kept++;
}

/*
 * Hand the kept block's pages [off, off + 2^order) to the recorded block at
 * @rec: carved out of the unclaimed piece holding them, whose other halves
 * stay unclaimed. Returns false when no unclaimed piece holds them.
 */
static bool claim(struct replay *r, unsigned int i, uint64_t rec, uint64_t off,
		  unsigned int order)
{
	struct absorber *a = &r->abs[i];

	for (unsigned int k = 0; k < a->nr_pieces; k++) {
		struct piece pc = a->pieces[k];
		if (off < pc.off || off >= pc.off + (1ull << pc.order) || order > pc.order)
			continue;
		uint64_t mp = pc.mp + (off - pc.off);
		if (!piece_room(a, pc.order) || model_carve(r->m, mp, order))
			return false;
		/* the piece becomes its halves but the claimed one */
		rec_put(r, pc.mp, 0);
		a->pieces[k] = a->pieces[--a->nr_pieces];
		for (unsigned int o = pc.order; o > order; o--) {
			uint64_t half = 1ull << (o - 1);
			struct piece h = pc;

			h.order = o - 1;
			if (off >= pc.off + half) {
				pc.off += half;
				pc.mp += half;
			} else {
				h.off += half;
				h.mp += half;
			}
			a->pieces[a->nr_pieces++] = h;
			rec_put(r, h.mp, KEPT_KEY + i);
		}
		map_set(r, rec, mp, order, 0);
		return true;
	}
	return false;
}

/*
 * The task's request @req, which the kernel served at @rec: is it the
 * caller's fallback for the block the model kept? A THP fault's second try
 * takes the whole block; a lower order of the same migratetype takes the
 * next aligned pages of it (a THP or page-cache fallback is movable).
 */
static bool absorb(struct replay *r, uint64_t task, const struct model_req *req, uint64_t rec,
		   bool pmd_fault)
{
	int i = find_absorber(r, task);

	if (i < 0)
		return false;
	struct absorber *a = &r->abs[i];
	bool thp_try = pmd_fault && req->order == a->order;
	bool second = a->second_try && thp_try && !(req->gfp & MODEL_GFP_THISNODE);
	if (thp_try)
		a->second_try = false; /* the fault's tries are over */
	if (!second && (req->order >= a->order || (int)model_gfp_migratetype(req->gfp) != a->mt))
		return false;
	uint64_t off = second ? 0 : a->cursor;
	if (off & ((1ull << req->order) - 1) || !claim(r, (unsigned int)i, rec, off, req->order))
		return false;
	r->st.cls[a->class].absorbed++;
	r->st.cls[a->class].absorbed_pages += 1ull << req->order;
	a->cursor = off + (1ull << req->order);
	if (a->cursor >= 1ull << a->order)
		close_absorber(r, (unsigned int)i);
	return true;
}

/* ---- the closed loop: model-only failures ---- */

/* model_alloc(), counting in @forced whether it had to ignore watermarks */
static uint64_t alloc_counted(struct replay *r, const struct model_req *req, bool *forced)
{
	uint64_t before = model_counter(r->m, MODEL_WMARK_OVERRIDE);
	uint64_t mp = model_alloc(r->m, req);

	*forced = model_counter(r->m, MODEL_WMARK_OVERRIDE) != before;
	return mp;
}

/*
 * The kernel served [rec, rec + 2^order) and the model cannot: the caller
 * falls back to lower orders (req_fallback()), which fill the recorded
 * block's pages at the same offsets, each order tried until one works and
 * kept for the pieces after it. Pieces the lowest order cannot place stay
 * FAILED. Returns false when the class has no lower order to go to.
 */
static bool serve_lower(struct replay *r, const struct model_req *req, enum req_class class,
			uint64_t rec)
{
	unsigned int orders[MODEL_MAX_ORDER_LIMIT + 1], n;
	uint32_t gfps[MODEL_MAX_ORDER_LIMIT + 1];
	struct replay_class_stats *cs = &r->st.cls[class];
	bool any_forced = false;

	n = req_fallback(r->m, class, req->order, req->gfp, r->mthp_orders, orders, gfps,
			 MODEL_MAX_ORDER_LIMIT + 1);
	if (!n)
		return false;
	unsigned int j = 0;
	for (uint64_t off = 0, end = 1ull << req->order; off < end;) {
		/* the caller's orders above its last give up at once (__GFP_NORETRY
		 * or no reclaim); its last reclaims, which the model cannot */
		struct model_req sub = { .order = orders[j], .gfp = gfps[j], .cpu = req->cpu,
					 .flags = j + 1 == n ? MODEL_REQ_NO_WATERMARKS : 0 };
		bool forced;
		uint64_t mp = alloc_counted(r, &sub, &forced);

		if (mp == MODEL_PFN_NONE && j + 1 < n) {
			j++;
			continue;
		}
		any_forced |= forced;
		map_set(r, rec + off, mp, orders[j], GROUP);
		if (mp != MODEL_PFN_NONE)
			cs->lowered_blocks++;
		off += 1ull << orders[j];
	}
	cs->lowered++;
	cs->forced += any_forced;
	return true;
}

static void alloc_recorded(struct replay *r, const struct frt_event *ev)
{
	struct model_req req = { .order = (unsigned int)ev->alloc.order,
				 .gfp = (uint32_t)ev->alloc.gfp_flags, .cpu = ev->cpu };
	uint64_t rec = ev->alloc.pfn;
	uint32_t retry_gfp = 0;
	enum req_class class = req_class_of(req.order, req.gfp);
	struct replay_class_stats *cs = &r->st.cls[class];
	uint64_t task;
	bool pmd_fault, first_try = false;

	if (rec != FRT_PFN_NONE && (!in_span(r, rec) || req.order > r->max_order)) {
		/* another node's (or memory past the span): neither a request of
		 * the model nor a THP fault of its node */
		r->st.allocs++;
		outside(r, req.order);
		return;
	}
	task = r->feedback ? task_of(r, ev) : 0;
	pmd_fault = class == REQ_THP && model_thp_fault_try(r->m, req.order, req.gfp);
	cs->requests++;
	if (class == REQ_THP && !pmd_fault && req.order < 32)
		r->mthp_orders |= 1u << req.order;
	if (pmd_fault) {
		thp_fault_recorded(r, ev, &req);
		retry_gfp = model_thp_retry_gfp(req.gfp);
		first_try = retry_gfp != 0;
	}
	if (rec == FRT_PFN_NONE) {
		/* the kernel failed it: the model tries too */
		r->st.kernel_failed++;
		cs->kernel_failed++;
		if (r->feedback && pmd_fault && !(req.gfp & MODEL_GFP_THISNODE)) {
			/* the second try of a fault the model served at its first */
			int i = find_absorber(r, task);
			if (i >= 0 && r->abs[i].second_try && r->abs[i].order == req.order) {
				r->abs[i].second_try = false;
				return;
			}
		}
		uint64_t mp = model_alloc(r->m, &req);
		if (mp != MODEL_PFN_NONE) {
			r->st.kernel_failed_model_ok++;
			if (r->feedback && in_span(r, mp))
				open_absorber(r, task, &req, class, mp, first_try);
			else /* open loop: given straight back */
				model_free(r->m, mp, req.order, ev->cpu);
			if (retry_gfp && (req.flags & MODEL_REQ_THP_FAULT))
				thp_served_swap(r, ev->cpu, true);
		}
		return;
	}
	r->st.allocs++;
	if (obj_get(r, rec) == MOVED_AWAY)
		obj_put(r, rec, 0); /* the source's free was not recorded */
	if (covering_block(r, rec, req.order) != MODEL_PFN_NONE) {
		/* the kernel reuses a pfn we think allocated: its free was not
		 * recorded (a per-CPU page in the snapshot, a lost event) */
		r->st.unseen_frees++;
		r->st.unseen_free_pages += 1ull << req.order;
		free_recorded(r, rec, req.order, ev->cpu);
	}
	if (r->feedback && r->nr_abs && absorb(r, task, &req, rec, pmd_fault))
		return;
	/* the kernel did satisfy it, reclaiming where it had to: the model,
	 * which does not reclaim, ignores watermarks instead. Closed loop, not
	 * for a request that may not reclaim and whose caller has a lower order
	 * to go to: under the variant that caller would have gone there */
	unsigned int lower[1];
	uint32_t lower_gfp[1];
	if (!r->feedback || (req.gfp & MODEL_GFP_DIRECT_RECLAIM) ||
	    !req_fallback(r->m, class, req.order, req.gfp, r->mthp_orders, lower, lower_gfp, 1))
		req.flags |= MODEL_REQ_NO_WATERMARKS;
	bool forced;
	uint64_t mp = alloc_counted(r, &req, &forced);
	if (mp == MODEL_PFN_NONE && retry_gfp) {
		/* a THP fault's first try, which the kernel served: where the model
		 * fails it, alloc_pages_mpol() tries again as the fault asked */
		req.gfp = retry_gfp;
		mp = alloc_counted(r, &req, &forced);
	}
	if (mp != MODEL_PFN_NONE) {
		cs->forced += forced;
		r->st.allocs_at_kernel_pfn += mp == rec;
		map_set(r, rec, mp, req.order, 0);
		return;
	}
	r->st.model_failed++;
	r->st.model_failed_by_order[req.order]++;
	cs->model_failed++;
	if (r->feedback && serve_lower(r, &req, class, rec))
		return;
	cs->lost++;
	map_set(r, rec, MODEL_PFN_NONE, req.order, 0);
}

/* the kernel migrated a page: its block's key moves with it; a block the
 * model served as smaller pieces moves piece by piece */
static void migrate_one(struct replay *r, uint64_t from, uint64_t to)
{
	uint32_t o = obj_get(r, from);

	ord_put(r, to - r->base, r->ord[from - r->base]);
	obj_put(r, to, o);
	obj_put(r, from, MOVED_AWAY);
	if (o != FAILED)
		rec_put(r, key_pfn(r, o), pfn_key(r, to));
}

static void migrate_recorded(struct replay *r, const struct frt_event *ev)
{
	uint64_t from = ev->pair.old_pfn, to = ev->pair.new_pfn;

	if (!in_span(r, from) || !in_span(r, to) || !obj_get(r, from) ||
	    obj_get(r, from) == MOVED_AWAY || obj_get(r, to)) {
		r->st.migrate_pairs_unmatched++;
		return;
	}
	r->st.migrate_pairs++;
	unsigned int order = ev->pair.order <= r->max_order ? (unsigned int)ev->pair.order : 0;
	if (!(r->ord[from - r->base] & GROUP) || rord(r, from) >= order ||
	    !in_span(r, from + (1ull << order) - 1) || !in_span(r, to + (1ull << order) - 1)) {
		migrate_one(r, from, to);
		return;
	}
	for (uint64_t k = 0; k < 1ull << order;) {
		uint32_t o = obj_get(r, from + k);
		unsigned int piece = o ? rord(r, from + k) : 0;
		if (o && o != MOVED_AWAY && !obj_get(r, to + k))
			migrate_one(r, from + k, to + k);
		k += 1ull << piece;
	}
}

/*
 * The kernel's own decisions, tallied for the reports. Each of these events
 * names a pfn: one outside the model's zones is another NUMA node's decision
 * (the model is node 0), counted apart so that kernel and model counts speak
 * of the same memory.
 */
static void note_recorded(struct replay *r, const struct frt_event *ev)
{
	uint64_t pfn;

	switch (ev->type) {
	case FRT_EV_PAGE_ALLOC_EXTFRAG:
		pfn = ev->extfrag.pfn;
		break;
	case FRT_EV_PAGE_ALLOC_ZONE_LOCKED:
		pfn = ev->zone_locked.pfn;
		break;
	case FRT_EV_PAGE_PCPU_DRAIN:
		pfn = ev->pcpu_drain.pfn;
		break;
	case FRT_EV_COMPACTION_BEGIN:
		pfn = ev->compaction.zone_start;
		break;
	case FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES:
	case FRT_EV_COMPACTION_ISOLATE_FREEPAGES:
	case FRT_EV_COMPACTION_FAST_ISOLATE_FREEPAGES:
		pfn = ev->isolate.start_pfn;
		r->st.recorded.isolate_events++;
		break;
	/* no pfn: counted whole (the kcompactd event names its node) */
	case FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES:
		r->st.recorded.compact_tries++;
		return;
	case FRT_EV_COMPACTION_KCOMPACTD_WAKE:
		r->st.recorded.kcompactd_wakes += ev->kcompactd.nid == 0;
		return;
	case FRT_EV_MIGRATE_PAGES:
		r->st.recorded.migrated_pages += ev->migrate.succeeded;
		return;
	default:
		return;
	}
	if (!in_span(r, pfn)) {
		r->st.recorded.outside++;
		return;
	}
	switch (ev->type) {
	case FRT_EV_PAGE_ALLOC_EXTFRAG:
		if (ev->extfrag.change_ownership)
			r->st.recorded.extfrag_claim++;
		else
			r->st.recorded.extfrag_steal++;
		if ((uint64_t)ev->extfrag.alloc_migratetype < MODEL_NR_PCPTYPES &&
		    (uint64_t)ev->extfrag.fallback_migratetype < MODEL_NR_PCPTYPES)
			r->st.recorded.extfrag[ev->extfrag.alloc_migratetype]
					      [ev->extfrag.fallback_migratetype]
					      [ev->extfrag.change_ownership != 0]++;
		break;
	case FRT_EV_PAGE_ALLOC_ZONE_LOCKED:
		r->st.recorded.pcp_refills += ev->zone_locked.percpu_refill != 0;
		break;
	case FRT_EV_PAGE_PCPU_DRAIN:
		r->st.recorded.pcp_drains++;
		break;
	case FRT_EV_COMPACTION_BEGIN:
		r->st.recorded.compaction_runs++;
		break;
	case FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES:
		r->st.recorded.compact_migrate_scanned += ev->isolate.nr_scanned;
		break;
	case FRT_EV_COMPACTION_ISOLATE_FREEPAGES:
	case FRT_EV_COMPACTION_FAST_ISOLATE_FREEPAGES:
		r->st.recorded.compact_free_scanned += ev->isolate.nr_scanned;
		break;
	default:
		break;
	}
}

/*
 * kswapd's balance_pgdat() sets ZONE_RECLAIM_ACTIVE on the zones it balances
 * and clears it when it is done, and the kernel's nr_pcp_high() keeps the pcp
 * lists short meanwhile, so that reclaimed pages reach the buddy lists. The
 * trace has no event for either; it has kswapd's frees of what it reclaims,
 * which come microseconds apart while it runs: the zones are reclaim-active
 * from one until kswapd has freed nothing for kswapd_idle_us (0: never).
 * Only frees in the model's node count: kswapd1 reclaiming node 1 leaves
 * node 0's zones alone.
 */
static void track_kswapd(struct replay *r, const struct frt_event *ev)
{
	bool kswapd = r->kswapd_idle_ns && ev->type == FRT_EV_PAGE_FREE && ev->has_task &&
		      !strncmp(ev->comm, "kswapd", 6) && in_span(r, ev->free.pfn);

	if (kswapd)
		r->kswapd_last_ts = ev->ts;
	bool active = kswapd || (r->reclaim_active &&
				 ev->ts <= r->kswapd_last_ts + r->kswapd_idle_ns);
	if (active != r->reclaim_active) {
		r->reclaim_active = active;
		model_set_reclaim_active(r->m, active);
	}
}

void replay_set_walk_times(struct replay *r, struct walk_times *start, struct walk_times *end)
{
	walk_times_free(&r->walk);
	walk_times_free(&r->walk_end);
	r->walk = *start;
	r->walk_end = *end;
	memset(start, 0, sizeof(*start));
	memset(end, 0, sizeof(*end));
}

/*
 * An allocation, free or migration of the start snapshot's walk that it
 * already shows (walk_reflected()): not replayed, the snapshot's seed has
 * it. Straddling blocks are replayed and counted.
 *
 * The end walk, per batch of pfns too: an event on a page the end walk had
 * read already is not in the end snapshot, which validate compares the
 * model's end with, so it stays out of the model as well. Cheaper choices
 * (stop at the end walk's start, or its end) each leave the model a walk's
 * worth of events (a second on a busy host) away from the snapshot on half
 * its pages; per page the two see the same requests. Events that name no
 * page (failed allocations, compaction runs) are replayed as they come.
 */
static bool reconciled(struct replay *r, const struct frt_event *ev)
{
	bool straddles;

	if (r->walk_end.nr && walk_after(&r->walk_end, ev)) {
		r->st.walk_end_skipped++;
		return true;
	}
	if (!r->walk.nr)
		return false;
	if (walk_reflected(&r->walk, ev, &straddles)) {
		r->st.walk_reconciled++;
		/* a THP fault vmstat counts and the model never replays */
		if (ev->type == FRT_EV_PAGE_ALLOC &&
		    req_class_of((unsigned int)ev->alloc.order, (uint32_t)ev->alloc.gfp_flags) ==
			    REQ_THP &&
		    model_thp_fault_try(r->m, (unsigned int)ev->alloc.order,
					(uint32_t)ev->alloc.gfp_flags))
			r->st.walk_thp_reflected++;
		return true;
	}
	r->st.walk_straddling += straddles;
	return false;
}

bool replay_walk_shows(const struct replay *r, const struct frt_event *ev)
{
	return walk_after(&r->walk_end, ev) || walk_reflected(&r->walk, ev, NULL);
}

void replay_feed(struct replay *r, const struct frt_event *ev)
{
	if (ev->ts < r->start_ts || r->err)
		return;
	if (!r->st.events)
		r->st.first_ts = ev->ts;
	r->st.last_ts = ev->ts;
	r->st.events++;
	/* the kernel's decisions a snapshot shows (or the end one lacks) are not
	 * compared: the model does not replay the requests they came with */
	if (!r->walk.nr || !replay_walk_shows(r, ev))
		note_recorded(r, ev);
	note_compaction(r, ev);
	model_set_time(r->m, ev->ts);
	if (ev->ts > r->next_deadline)
		close_expired(r, ev->ts);
	track_kswapd(r, ev);
	switch (ev->type) {
	case FRT_EV_PAGE_ALLOC:
		if (!reconciled(r, ev))
			alloc_recorded(r, ev);
		if (ev->alloc.pfn != FRT_PFN_NONE)
			trace_free_mark(r, ev->alloc.pfn, ev->alloc.order, false);
		break;
	case FRT_EV_PAGE_FREE:
		r->st.frees++;
		if (!in_span(r, ev->free.pfn) || ev->free.order > r->max_order) {
			outside(r, (unsigned int)ev->free.order);
			break;
		}
		if (reconciled(r, ev)) {
			trace_free_mark(r, ev->free.pfn, ev->free.order, true);
			break;
		}
		if (unpaired_source(r, ev) && keep_unpaired(r, ev->free.pfn, (unsigned int)ev->free.order))
			break;
		uint64_t unmatched = r->st.unmatched_frees;
		free_recorded(r, ev->free.pfn, (unsigned int)ev->free.order, ev->cpu);
		trace_free_mark(r, ev->free.pfn, ev->free.order, true);
		if (r->walk.nr && ev->ts <= r->walk.last_ts) /* the rule's check */
			r->st.walk_unmatched += r->st.unmatched_frees - unmatched;
		break;
	case FRT_EV_PAGE_ALLOC_ZONE_LOCKED:
		if (ev->zone_locked.percpu_refill)
			trace_free_mark(r, ev->zone_locked.pfn, ev->zone_locked.order, true);
		break;
	case FRT_EV_PAGE_FREE_BATCHED:
		r->st.batched_ignored++; /* FORMAT.md: the mm_page_free before it did the free */
		break;
	case FRT_EV_MIGRATE_PAIR:
		if (!reconciled(r, ev))
			migrate_recorded(r, ev);
		trace_free_mark(r, ev->pair.new_pfn, ev->pair.order, false);
		break;
	case FRT_EV_COMPACTION_BEGIN:
		track_compaction(r, ev);
		if (r->follow_manual)
			follow_manual(r, ev);
		break;
	case FRT_EV_COMPACTION_TRY_TO_COMPACT_PAGES:
		if (r->follow_manual)
			follow_manual(r, ev);
		break;
	case FRT_EV_COMPACTION_KCOMPACTD_SLEEP: /* the timer's phase: node 0's, the model's */
		if (ev->kcompactd.nid == 0) {
			model_kcompactd_slept(r->m, !r->kcompactd_synced);
			r->kcompactd_synced = true;
		}
		break;
	case FRT_EV_MIGRATE_PAGES_START:
		if (r->nr_unplug && ev->migrate_start.reason == 2) /* MR_MEMORY_HOTPLUG */
			follow_unplug(r, ev);
		break;
	case FRT_EV_COMPACTION_FINISHED:
		follow_contended(r, ev);
		break;
	case FRT_EV_COMPACTION_END:
		follow_contended(r, ev);
		track_compaction(r, ev);
		break;
	case FRT_EV_COMPACTION_ISOLATE_MIGRATEPAGES:
	case FRT_EV_COMPACTION_MIGRATEPAGES:
		track_compaction(r, ev);
		break;
	default:
		break; /* the kernel's own decisions: for fidelity checks, not inputs */
	}
}
