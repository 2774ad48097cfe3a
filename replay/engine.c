/* SPDX-License-Identifier: MIT */
/*
 * engine.c - the replay semantics (README, "How replay works") on one model.
 *
 * Two flat maps over the model's pfn span, 9 bytes per pfn, both holding
 * offsets into the span (+1, so that 0 means none):
 *   obj[rec]   - the model pfn of the block the kernel placed at recorded
 *                pfn @rec, FAILED if the model could not place it; with its
 *                order in ord[rec]
 *   rec_of[mp] - the reverse, so the model's own migrations re-key blocks.
 * A recorded block lives only at its head pfn; frees inside it find it by
 * looking at the aligned heads above (as the kernel's split_page() blocks
 * are freed page by page).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define FAILED UINT32_MAX      /* the model could not place it */
#define MOVED_AWAY (UINT32_MAX - 1) /* the kernel migrated it; its old pages' free is next */
#define MAX_SPAN (UINT32_MAX - 2) /* pfns a map can hold: 16 TiB of 4 KiB pages */

struct replay {
	struct model *m;
	uint64_t base, span;     /* pfn range of the maps: the model's zones */
	uint32_t *obj;           /* recorded head -> model pfn - base + 1, or FAILED; 0 = none */
	uint32_t *rec_of;        /* model pfn -> recorded head - base + 1 */
	uint8_t *ord;            /* recorded head -> order */
	unsigned int max_order;
	uint64_t start_ts;
	/* per CPU: the model served a THP fault's first try that the kernel
	 * failed, so the kernel's second try belongs to a fault already counted */
	uint8_t *thp_served;
	uint32_t nr_thp_cpus;
	struct replay_stats st;
	model_event_fn fn;
	void *ctx;
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

/* @mp: the model's pfn, or MODEL_PFN_NONE when the model could not place it */
static void map_set(struct replay *r, uint64_t rec, uint64_t mp, unsigned int order)
{
	r->obj[rec - r->base] = mp == MODEL_PFN_NONE ? FAILED : pfn_key(r, mp);
	r->ord[rec - r->base] = (uint8_t)order;
	if (mp != MODEL_PFN_NONE)
		r->rec_of[mp - r->base] = pfn_key(r, rec);
}

static bool placed(uint32_t o)
{
	return o && o != FAILED && o != MOVED_AWAY;
}

static void map_clear(struct replay *r, uint64_t rec)
{
	uint32_t o = r->obj[rec - r->base];

	if (placed(o))
		r->rec_of[key_pfn(r, o) - r->base] = 0;
	r->obj[rec - r->base] = 0;
}

/* the model moved a block (compaction): its recorded key follows it */
static void on_model_event(void *ctx, const struct model_event *ev)
{
	struct replay *r = ctx;

	if (ev->type == MODEL_EV_MIGRATE && in_span(r, ev->pfn) && in_span(r, ev->new_pfn)) {
		uint32_t rec = r->rec_of[ev->pfn - r->base];
		if (rec) {
			r->rec_of[ev->pfn - r->base] = 0;
			r->obj[rec - 1] = pfn_key(r, ev->new_pfn);
			r->rec_of[ev->new_pfn - r->base] = rec;
		}
		r->st.model_migrations++;
	} else if (ev->type == MODEL_EV_EXTFRAG && ev->migratetype < MODEL_NR_PCPTYPES &&
		   ev->fallback_migratetype < MODEL_NR_PCPTYPES) {
		r->st.model_extfrag[ev->migratetype][ev->fallback_migratetype][ev->change_ownership]++;
	}
	if (r->fn)
		r->fn(r->ctx, ev);
}

struct replay *replay_new(struct model *m, uint64_t start_ts, model_event_fn fn, void *ctx)
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
	r->m = m;
	r->start_ts = start_ts;
	r->max_order = (unsigned int)model_knob(m, MODEL_KNOB_MAX_PAGE_ORDER);
	r->fn = fn;
	r->ctx = ctx;
	r->obj = calloc(r->span, sizeof(*r->obj));
	r->rec_of = calloc(r->span, sizeof(*r->rec_of));
	r->ord = calloc(r->span, 1);
	if (!r->obj || !r->rec_of || !r->ord) {
		replay_free(r);
		errno = ENOMEM;
		return NULL;
	}
	/* the start snapshot's blocks are keyed by their own pfns */
	for (uint64_t pfn = r->base; pfn < r->base + r->span;) {
		struct model_page_info pi;

		model_page_info(m, pfn, &pi);
		if (pi.state == MODEL_PAGE_ALLOC)
			map_set(r, pfn, pfn, pi.order);
		pfn += pi.state == MODEL_PAGE_UNMANAGED || pi.state == MODEL_PAGE_TAIL
			       ? 1 : 1ull << pi.order;
	}
	model_set_event_fn(m, on_model_event, r);
	return r;
}

void replay_free(struct replay *r)
{
	if (!r)
		return;
	free(r->obj);
	free(r->rec_of);
	free(r->ord);
	free(r->thp_served);
	free(r);
}

const struct replay_stats *replay_stats(const struct replay *r)
{
	return &r->st;
}

/* the recorded block covering [rec, rec + 2^order), or MODEL_PFN_NONE */
static uint64_t covering_block(const struct replay *r, uint64_t rec, unsigned int order)
{
	if (r->obj[rec - r->base])
		return rec;
	for (unsigned int o = order + 1; o <= r->max_order; o++) {
		uint64_t head = rec & ~((1ull << o) - 1);

		if (!in_span(r, head))
			break;
		if (r->obj[head - r->base] && r->ord[head - r->base] >= o)
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
	uint32_t o = r->obj[head - r->base];
	unsigned int old = r->ord[head - r->base];

	for (uint64_t k = 0; k < 1ull << (old - order); k++) {
		uint64_t rec = head + (k << order);
		uint64_t mp = o == FAILED ? MODEL_PFN_NONE : key_pfn(r, o) + (k << order);

		map_set(r, rec, mp, order);
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

/* A free the engine cannot match to a block: counted by events and by pages. */
static void unmatched(struct replay *r, unsigned int order)
{
	r->st.unmatched_frees++;
	r->st.unmatched_free_pages += 1ull << order;
}

static void free_recorded(struct replay *r, uint64_t rec, unsigned int order, unsigned int cpu)
{
	uint64_t head = covering_block(r, rec, order);

	r->st.freed_pages += 1ull << order;
	if (head == MODEL_PFN_NONE) {
		/* memory the model never managed (deferred struct page init,
		 * hotplug, freed reserved memory) joins the zone; anything else
		 * the kernel had and the model has not */
		if (!model_grow(r->m, rec, 1ull << order))
			grown(r, order);
		else
			unmatched(r, order);
		return;
	}
	if (r->obj[head - r->base] == MOVED_AWAY) {
		/* the migration source's pages: the block itself lives on elsewhere */
		r->st.migration_source_frees++;
		r->obj[head - r->base] = 0;
		return;
	}
	if (head != rec || r->ord[rec - r->base] > order) {
		r->st.partial_frees++;
		split_block(r, head, order);
	} else if (r->ord[rec - r->base] < order) {
		unmatched(r, order); /* a free larger than the block: not ours to guess */
		return;
	}
	uint32_t o = r->obj[rec - r->base];
	if (o == FAILED) {
		r->st.frees_of_failed++;
	} else if (model_free(r->m, key_pfn(r, o), order, cpu)) {
		unmatched(r, order); /* the model no longer holds it: a bug, made visible */
	}
	map_clear(r, rec);
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

static void alloc_recorded(struct replay *r, const struct frt_event *ev)
{
	struct model_req req = { .order = (unsigned int)ev->alloc.order,
				 .gfp = (uint32_t)ev->alloc.gfp_flags, .cpu = ev->cpu };
	uint64_t rec = ev->alloc.pfn;
	uint32_t retry_gfp = 0;

	if (model_thp_fault_try(r->m, req.order, req.gfp)) {
		thp_fault_recorded(r, ev, &req);
		retry_gfp = model_thp_retry_gfp(req.gfp);
	}
	if (rec == FRT_PFN_NONE) {
		/* the kernel failed it: try too, give it straight back if it works */
		r->st.kernel_failed++;
		uint64_t mp = model_alloc(r->m, &req);
		if (mp != MODEL_PFN_NONE) {
			r->st.kernel_failed_model_ok++;
			model_free(r->m, mp, req.order, ev->cpu);
			if (retry_gfp && (req.flags & MODEL_REQ_THP_FAULT))
				thp_served_swap(r, ev->cpu, true);
		}
		return;
	}
	r->st.allocs++;
	if (!in_span(r, rec) || req.order > r->max_order) {
		r->st.outside_model++;
		return;
	}
	if (r->obj[rec - r->base] == MOVED_AWAY)
		r->obj[rec - r->base] = 0; /* the source's free was not recorded */
	if (covering_block(r, rec, req.order) != MODEL_PFN_NONE) {
		/* the kernel reuses a pfn we think allocated: its free was not
		 * recorded (a per-CPU page in the snapshot, a lost event) */
		r->st.unseen_frees++;
		free_recorded(r, rec, req.order, ev->cpu);
	}
	req.flags |= MODEL_REQ_NO_WATERMARKS; /* the kernel did satisfy it */
	uint64_t mp = model_alloc(r->m, &req);
	if (mp == MODEL_PFN_NONE && retry_gfp) {
		/* a THP fault's first try, which the kernel served: where the model
		 * fails it, alloc_pages_mpol() tries again as the fault asked */
		req.gfp = retry_gfp;
		mp = model_alloc(r->m, &req);
	}
	if (mp == MODEL_PFN_NONE) {
		r->st.model_failed++;
		r->st.model_failed_by_order[req.order]++;
		map_set(r, rec, MODEL_PFN_NONE, req.order);
		return;
	}
	map_set(r, rec, mp, req.order);
}

/* the kernel migrated a page: its block's key moves with it */
static void migrate_recorded(struct replay *r, const struct frt_event *ev)
{
	uint64_t from = ev->pair.old_pfn, to = ev->pair.new_pfn;

	if (!in_span(r, from) || !in_span(r, to) || !r->obj[from - r->base] ||
	    r->obj[from - r->base] == MOVED_AWAY || r->obj[to - r->base]) {
		r->st.migrate_pairs_unmatched++;
		return;
	}
	r->st.migrate_pairs++;
	r->obj[to - r->base] = r->obj[from - r->base];
	r->ord[to - r->base] = r->ord[from - r->base];
	r->obj[from - r->base] = MOVED_AWAY;
	uint32_t o = r->obj[to - r->base];
	if (o != FAILED)
		r->rec_of[key_pfn(r, o) - r->base] = pfn_key(r, to);
}

/* the kernel's own decisions, tallied for the reports */
static void note_recorded(struct replay *r, const struct frt_event *ev)
{
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
	default:
		break;
	}
}

void replay_feed(struct replay *r, const struct frt_event *ev)
{
	if (ev->ts < r->start_ts)
		return;
	if (!r->st.events)
		r->st.first_ts = ev->ts;
	r->st.last_ts = ev->ts;
	r->st.events++;
	note_recorded(r, ev);
	model_set_time(r->m, ev->ts);
	switch (ev->type) {
	case FRT_EV_PAGE_ALLOC:
		alloc_recorded(r, ev);
		break;
	case FRT_EV_PAGE_FREE:
		r->st.frees++;
		if (!in_span(r, ev->free.pfn) || ev->free.order > r->max_order) {
			r->st.outside_model++;
			break;
		}
		free_recorded(r, ev->free.pfn, (unsigned int)ev->free.order, ev->cpu);
		break;
	case FRT_EV_PAGE_FREE_BATCHED:
		r->st.batched_ignored++; /* FORMAT.md: the mm_page_free before it did the free */
		break;
	case FRT_EV_MIGRATE_PAIR:
		migrate_recorded(r, ev);
		break;
	default:
		break; /* the kernel's own decisions: for fidelity checks, not inputs */
	}
}
