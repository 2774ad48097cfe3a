// SPDX-License-Identifier: MIT
/*
 * decode_batch.c - a frame's events decoded many at a time
 * (frt_reader_frame_batch): the reader's fast path, for replay.
 *
 * Decodes exactly what frt_reader_frame_next() decodes, with the same
 * errors at the same records (tests/unit/test_decode_batch.c compares the
 * two on every sample and on damaged frames), but faster:
 *   - one loop over the frame's records with the cursor, timestamp and last
 *     pfn in locals, not one call per event;
 *   - records come in runs of one type (95% of the largest sample's records
 *     repeat the type before them): a run is decoded by its shape's own
 *     loop, the field kinds constants, unrolled, the type compared and no
 *     schema looked up per record; other shapes (rare compaction and
 *     migration types, a newer writer's types or fields) and task records
 *     take the generic loop, one record at a time, as correct and slower;
 *   - an event is written in a few wide stores (cpu to reserved in one word,
 *     pid and tgid in one), its task, a constant in a frame with no task
 *     table, looked up when the run's CPU changes;
 *   - varints read 8 bytes at a time, the common 1- and 2-byte ones on a
 *     short path, with no bound check per byte: the payload is followed by
 *     RBUF_PAD zero bytes, and a record whose cursor ends past the payload
 *     is undecodable, as the checked decoder finds it.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "reader_internal.h"

#define K1(a) ((uint64_t)FRT_FK_##a)
#define K2(a, b) (K1(a) | K1(b) << 8)
#define K3(a, b, c) (K2(a, b) | K1(c) << 16)
#define K4(a, b, c, d) (K3(a, b, c) | K1(d) << 24)
#define K5(a, b, c, d, e) (K4(a, b, c, d) | K1(e) << 32)
#define K6(a, b, c, d, e, f) (K5(a, b, c, d, e) | K1(f) << 40)

/*
 * The field lists of the schema (event.c) that traces are mostly made of;
 * the types in each comment. Matched by kinds, not by type number, so a
 * schema change can only send a type to the generic loop. Index 0 is the
 * generic loop.
 */
static const struct {
	uint8_t nr;
	uint64_t kinds;
} shapes[] = {
	{ 0, 0 },
	{ 1, K1(PFN) },                                 /* 3 free_batched */
	{ 2, K2(PFN, UINT) },                           /* 2 free */
	{ 4, K4(PFN, UINT, GFP, SINT) },                /* 1 alloc */
	{ 4, K4(PFN, UINT, SINT, SINT) },               /* 4 alloc_zone_locked */
	{ 3, K3(PFN, UINT, SINT) },                     /* 5 pcpu_drain, 27 pcpu_refill */
	{ 3, K3(PFN, PFN, UINT) },                      /* 26 migrate_pair */
	{ 6, K6(PFN, SINT, SINT, SINT, SINT, SINT) },   /* 6 extfrag */
	{ 4, K4(SINT, SINT, UINT, UINT) },              /* 30 task */
	{ 1, K1(UINT) },                                /* 31 task_switch */
	{ 4, K4(PFN, PFN, UINT, UINT) },                /* 15-17 isolate */
	{ 3, K3(SINT, SINT, UINT) },                    /* 20, 21, 28, 29 */
};
#define NR_SHAPES (sizeof(shapes) / sizeof(shapes[0]))

uint8_t reader_schema_shape(const struct frame_schema *s)
{
	if (s->nr_extra)
		return 0;
	for (uint8_t i = 1; i < NR_SHAPES; i++)
		if (shapes[i].nr == s->nr_fields && shapes[i].kinds == s->kinds)
			return i;
	return 0;
}

/*
 * A varint at *pp, which has at least 8 readable bytes after it (the
 * payload, then RBUF_PAD zeros). Returns -1 exactly when varint_get() would
 * for an input that does not end there: more than 10 bytes, or 64 bits.
 */
static inline __attribute__((always_inline)) int vget(const uint8_t **pp, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t w, stop, r;

	memcpy(&w, p, 8);
	w = le64toh(w);
	if (!(w & 0x80)) {
		*v = w & 0x7f;
		*pp = p + 1;
		return 0;
	}
	if (!(w & 0x8000)) {
		*v = (w & 0x7f) | (w >> 1 & 0x3f80);
		*pp = p + 2;
		return 0;
	}
	stop = ~w & 0x8080808080808080ull; /* the last byte's bit 7 is clear */
	if (stop) {
		unsigned int len = (unsigned int)__builtin_ctzll(stop) / 8 + 1; /* 3..8 */

		w &= ~0ull >> (64 - 8 * len);
		r = (w & 0x7f) | (w >> 1 & 0x7f << 7) | (w >> 2 & 0x7full << 14) |
		    (w >> 3 & 0x7full << 21) | (w >> 4 & 0x7full << 28) |
		    (w >> 5 & 0x7full << 35) | (w >> 6 & 0x7full << 42) | (w >> 7 & 0x7full << 49);
		*v = r;
		*pp = p + len;
		return 0;
	}
	/* 9 or 10 bytes (or too many): rare, byte by byte as varint_get() reads */
	r = 0;
	for (unsigned int shift = 0; shift < 64; shift += 7) {
		uint8_t b = *p++;

		if (shift == 63 && b > 1)
			return -1;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			*pp = p;
			return 0;
		}
	}
	return -1;
}

/* The frame's varying state, in the decoding loop's registers. */
struct cursor {
	const uint8_t *p;
	uint64_t last_pfn;
};

/* One field: decode_field() of reader.c on the fast varint. */
static inline __attribute__((always_inline)) int
field(struct frt_reader *r, const uint8_t **pp, uint64_t *last_pfn, uint8_t kind, uint64_t *out)
{
	uint64_t v;
	int ret;

	if (vget(pp, &v))
		return -1;
	ret = field_value(r, kind, v, last_pfn, out);
	if (ret <= 0)
		return ret;
	if (vget(pp, &r->gfp_val[r->gfp_len]))
		return -1;
	*out = r->gfp_val[r->gfp_len++];
	return 0;
}

/*
 * The @nr fields of @kinds into @f, zeros after them. With constant @kinds
 * and @nr (a shape), the loop unrolls and the switch on the kind folds away.
 */
static inline __attribute__((always_inline)) int
fields(struct frt_reader *r, const uint8_t **pp, uint64_t *last_pfn, uint64_t kinds,
       unsigned int nr, uint64_t *f)
{
#pragma GCC unroll 8
	for (unsigned int i = 0; i < FRT_MAX_FIELDS; i++) {
		if (i >= nr)
			f[i] = 0;
		else if (field(r, pp, last_pfn, (uint8_t)(kinds >> (8 * i)), &f[i]))
			return -1;
	}
	return 0;
}

/*
 * One record at c->p into @ev (a task record too), by the generic loop:
 * decode_event() of reader.c. Returns -1 when it does not decode.
 */
static int record(struct frt_reader *r, struct cursor *c, const uint8_t *end, uint64_t *ts,
		  struct frt_event *ev)
{
	const struct frame_schema *s;
	uint64_t cpu, dts, drop;
	int bad;

	if (c->p >= end)
		return -1;
	s = &r->schema[*c->p];
	ev->type = *c->p++;
	if (!s->present || vget(&c->p, &cpu) || vget(&c->p, &dts) || cpu > UINT32_MAX)
		return -1;
	bad = fields(r, &c->p, &c->last_pfn, s->kinds, s->nr_fields, ev->f);
	for (unsigned int i = 0; !bad && i < s->nr_extra; i++)
		bad = field(r, &c->p, &c->last_pfn, s->extra_kinds[i], &drop);
	/* a varint that ran into the zeros after the payload: truncated there */
	if (bad || c->p > end || *ts + dts < *ts)
		return -1;
	*ts += dts;
	ev->ts = *ts;
	ev->cpu = (uint32_t)cpu;
	ev->reserved = 0;
	return 0;
}

/*
 * What a run's events carry besides their fields: the task of the last
 * event's CPU (most events repeat their CPU's), looked up once per run of a
 * CPU, as reader_set_task() finds it.
 */
struct task_cache {
	uint64_t ids;     /* pid and tgid as stored at frt_event.pid */
	char comm[FRT_COMM_LEN];
	uint32_t cpu;
	uint8_t has_task;
	bool known;
};

static void task_lookup(struct frt_reader *r, struct task_cache *tc, uint32_t cpu)
{
	const struct frt_task *t = NULL;
	int32_t ids[2] = { -1, -1 };

	if (r->tasks.nr)
		t = task_table_get(&r->tasks, task_table_current(&r->tasks, cpu));
	tc->has_task = !!t;
	if (t) {
		ids[0] = t->pid;
		ids[1] = t->tgid;
		memcpy(tc->comm, t->comm, FRT_COMM_LEN);
	} else {
		memset(tc->comm, 0, FRT_COMM_LEN);
	}
	memcpy(&tc->ids, ids, sizeof(ids));
	tc->cpu = cpu;
	tc->known = true;
}

/*
 * A run of records of one type with shape @kinds/@nr (constants: each shape
 * gets a loop of its own, unrolled, the kind switch folded away) at c->p,
 * whose first type byte was read: up to @lim events into @ev, while the
 * next record is of the same type. Everything the event holds is written in
 * a few wide stores. Returns the events decoded; *@bad when the record
 * after them does not decode.
 */
static inline __attribute__((always_inline)) size_t
run(struct frt_reader *r, struct cursor *c, const uint8_t *end, uint64_t *ts, uint8_t type,
    uint64_t kinds, unsigned int nr, bool tasks, struct task_cache *tc, struct frt_event *ev,
    size_t lim, bool *bad)
{
	static const char no_comm[FRT_COMM_LEN];
	const uint64_t no_ids = ~0ull; /* pid and tgid -1 */
	/* the cursor and last pfn in registers: through memory, each event's pfn
	 * would wait for the store of the one before */
	const uint8_t *p = c->p;
	uint64_t last_pfn = c->last_pfn, t = *ts;
	size_t n = 0;

	for (;;) {
		struct frt_event *e = &ev[n];
		uint64_t cpu, dts, hdr;

		if (vget(&p, &cpu) || vget(&p, &dts) || cpu > UINT32_MAX ||
		    fields(r, &p, &last_pfn, kinds, nr, e->f) || p > end || t + dts < t) {
			*bad = true;
			break;
		}
		t += dts;
		e->ts = t;
		/* cpu, type, has_task and reserved: one store, as laid out in struct frt_event */
		hdr = cpu | (uint64_t)type << 32;
		if (!tasks) { /* the frame has no task table (format 1.0, or none yet) */
			memcpy(&e->cpu, &hdr, sizeof(hdr));
			memcpy(&e->pid, &no_ids, sizeof(no_ids));
			memcpy(e->comm, no_comm, FRT_COMM_LEN);
		} else {
			if (!tc->known || (uint32_t)cpu != tc->cpu)
				task_lookup(r, tc, (uint32_t)cpu);
			hdr |= (uint64_t)tc->has_task << 48;
			memcpy(&e->cpu, &hdr, sizeof(hdr));
			memcpy(&e->pid, &tc->ids, sizeof(tc->ids));
			memcpy(e->comm, tc->comm, FRT_COMM_LEN);
		}
		n++;
		if (n == lim || p >= end || *p != type)
			break;
		p++;
	}
	c->p = p;
	c->last_pfn = last_pfn;
	*ts = t;
	return n;
}

/*
 * Each shape's run loop a function of its own: in one function with the
 * others the last pfn lived on the stack, and each event's pfn waited for
 * the store of the one before.
 */
#define RUN_FN(i)                                                                          \
	static __attribute__((noinline)) size_t run_##i(                                   \
		struct frt_reader *r, struct cursor *c, const uint8_t *end, uint64_t *ts,  \
		uint8_t type, struct task_cache *tc, struct frt_event *ev, size_t lim,     \
		bool *bad)                                                                 \
	{                                                                                  \
		if (r->tasks.nr)                                                           \
			return run(r, c, end, ts, type, shapes[i].kinds, shapes[i].nr, true, tc, \
				   ev, lim, bad);                                          \
		return run(r, c, end, ts, type, shapes[i].kinds, shapes[i].nr, false, tc,  \
			   ev, lim, bad);                                                  \
	}
RUN_FN(1)
RUN_FN(2)
RUN_FN(3)
RUN_FN(4)
RUN_FN(5)
RUN_FN(6)
RUN_FN(7)
RUN_FN(8)
RUN_FN(9)
RUN_FN(10)
RUN_FN(11)

typedef size_t run_fn(struct frt_reader *r, struct cursor *c, const uint8_t *end, uint64_t *ts,
		      uint8_t type, struct task_cache *tc, struct frt_event *ev, size_t lim,
		      bool *bad);
static run_fn *const runs[NR_SHAPES] = {
	NULL, run_1, run_2, run_3, run_4, run_5, run_6, run_7, run_8, run_9, run_10, run_11,
};

_Static_assert(offsetof(struct frt_event, type) == offsetof(struct frt_event, cpu) + 4 &&
	       offsetof(struct frt_event, has_task) == offsetof(struct frt_event, cpu) + 6 &&
	       offsetof(struct frt_event, reserved) == offsetof(struct frt_event, cpu) + 7 &&
	       offsetof(struct frt_event, tgid) == offsetof(struct frt_event, pid) + 4,
	       "run() stores cpu..reserved and pid, tgid as one word each");

ssize_t frt_reader_frame_batch(struct frt_reader *r, struct frt_event *ev, size_t max)
{
	struct cursor c = { r->p, r->last_pfn };
	const uint8_t *end = r->end;
	uint64_t ts = r->last_ts;
	uint32_t left = r->left;
	struct task_cache tc = { .known = false };
	size_t n = 0;
	int err = 0;

	if (r->batch_err) {
		err = r->batch_err;
		r->batch_err = 0;
		return err;
	}
	while (left && n < max) {
		struct frt_event *e = &ev[n];
		const struct frame_schema *s;
		uint8_t type;

		if (c.p < end && (type = *c.p, s = &r->schema[type], s->present) && s->shape &&
		    !frt_event_is_task_record(type) && !(r->fix_migratepages &&
							type == FRT_EV_COMPACTION_MIGRATEPAGES)) {
			/* a run of events of one type, in its shape's own loop */
			size_t lim = max - n < left ? max - n : left, got = 0;
			bool bad = false;

			c.p++;
			got = runs[s->shape](r, &c, end, &ts, type, &tc, e, lim, &bad);
			n += got;
			left -= (uint32_t)got;
			if (bad) {
				err = reader_fail_current(r, "undecodable event record %u of %u",
							  r->cur.records - left, r->cur.records);
				break;
			}
			if (!left && c.p != end) { /* its last event is not returned */
				n--;
				err = reader_fail_current(r, "%zu bytes left after the last record",
							  (size_t)(end - c.p));
				break;
			}
			continue;
		}
		/* anything else, one record by the generic loop */
		if (record(r, &c, end, &ts, e)) {
			err = reader_fail_current(r, "undecodable event record %u of %u",
						  r->cur.records - left, r->cur.records);
			break;
		}
		if (!--left && c.p != end) {
			err = reader_fail_current(r, "%zu bytes left after the last record",
						  (size_t)(end - c.p));
			break;
		}
		if (!frt_event_is_task_record(e->type)) {
			reader_fix_event(r, e);
			if (!tc.known || e->cpu != tc.cpu)
				task_lookup(r, &tc, e->cpu);
			e->has_task = tc.has_task;
			memcpy(&e->pid, &tc.ids, sizeof(tc.ids));
			memcpy(e->comm, tc.comm, FRT_COMM_LEN);
			n++;
		} else {
			tc.known = false; /* a CPU's task changed; the table may have moved */
			if (reader_apply_task_record(r, e)) {
				err = reader_fail_current(r, "bad task record %u of %u",
							  r->cur.records - left - 1,
							  r->cur.records);
				break;
			}
		}
	}
	if (err) { /* the events before the bad record first, as frame_next() returns them */
		if (!n)
			return err;
		r->batch_err = err;
		return (ssize_t)n;
	}
	r->p = c.p;
	r->last_pfn = c.last_pfn;
	r->last_ts = ts;
	r->left = left;
	return (ssize_t)n;
}

ssize_t frt_reader_next_batch(struct frt_reader *r, struct frt_event *ev, size_t max)
{
	ssize_t n;
	int ret;

	for (;;) {
		n = frt_reader_frame_batch(r, ev, max);
		if (n)
			return n;
		if (r->ended)
			return r->status == FRT_READ_DAMAGED ? -EBADMSG : 0;
		ret = reader_next_kept_frame(r);
		if (ret <= 0)
			return ret;
	}
}
