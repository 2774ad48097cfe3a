// SPDX-License-Identifier: MIT
/*
 * writer.c - streaming writer for format v1 (traces/FORMAT.md).
 *
 * Events are varint-encoded into one frame buffer; at frt_writer_flush() the
 * frame's schema table is put in front of them, the whole payload is
 * compressed as one zstd frame and written with its header. Memory is one
 * frame: O(events_per_frame).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <zstd.h>

#include "codec.h"
#include "task_table.h"
#include "trace.h"

/* Worst case of one encoded record: type byte + cpu + ts + fields (a new gfp costs 2 varints). */
#define RECORD_MAX_BYTES (1 + 2 * FRT_VARINT_MAX + FRT_MAX_FIELDS * 2 * FRT_VARINT_MAX)
/* An event may need a task record in front of it. */
#define EVENT_MAX_BYTES (2 * RECORD_MAX_BYTES)
/* Schema table space kept in front of the events: count + per type (type, n, kinds). */
#define SCHEMA_MAX_BYTES (FRT_VARINT_MAX + FRT_EV_NR_TYPES * (2 + FRT_MAX_FIELDS))
#define GFP_DICT_MAX 1024 /* reaching it closes the frame early */
#define GFP_HASH_SLOTS 2048

_Static_assert(FRT_EV_NR_TYPES <= 64, "types_used is a 64-bit map");

struct frt_writer {
	int fd;
	int err; /* first error; sticky */
	int level;
	bool store;
	uint32_t per_frame;
	uint64_t bytes;

	/* current EVENTS frame */
	uint8_t *buf;   /* SCHEMA_MAX_BYTES of room, then the encoded records */
	size_t len;     /* bytes of records after the room */
	size_t cap;
	uint32_t nr;    /* records in the frame: events and task records */
	uint64_t last_ts, last_pfn;
	uint64_t types_used; /* bitmap of the types in this frame */
	uint32_t gfp_len;
	int32_t gfp_slot[GFP_HASH_SLOTS]; /* dictionary index + 1, 0 = empty */
	uint64_t gfp_val[GFP_DICT_MAX];
	struct task_table tasks;

	uint8_t *zbuf;
	size_t zcap;
	ZSTD_CCtx *cctx;

	/* totals for the trailer */
	uint32_t frames;
	uint64_t events, lost, first_ts, prev_ts;
	uint64_t by_type[FRT_EV_NR_TYPES];
};

static int write_all(struct frt_writer *w, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t r = write(w->fd, b, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += r;
		n -= (size_t)r;
		w->bytes += (uint64_t)r;
	}
	return 0;
}

static int put_frame(struct frt_writer *w, uint8_t type, const uint8_t *raw, size_t raw_len,
		     uint32_t records)
{
	uint8_t hdr[FRT_FRAME_HEADER_SIZE];
	const uint8_t *payload = raw;
	size_t stored = raw_len;
	uint8_t flags = 0;
	uint32_t crc;
	int err;

	if (w->err)
		return w->err;
	if (!w->store) {
		size_t bound = ZSTD_compressBound(raw_len);

		if (bound > w->zcap) {
			uint8_t *nb = realloc(w->zbuf, bound);

			if (!nb)
				return w->err = -ENOMEM;
			w->zbuf = nb;
			w->zcap = bound;
		}
		stored = ZSTD_compressCCtx(w->cctx, w->zbuf, w->zcap, raw, raw_len, w->level);
		if (ZSTD_isError(stored))
			return w->err = -EIO;
		payload = w->zbuf;
		flags = FRT_FRAME_F_ZSTD;
	}
	if (stored > FRT_MAX_FRAME_PAYLOAD || raw_len > FRT_MAX_FRAME_PAYLOAD)
		return w->err = -EFBIG;

	memcpy(hdr, "FRFM", 4);
	hdr[4] = type;
	hdr[5] = flags;
	put_le16(hdr + 6, 0);
	put_le32(hdr + 8, (uint32_t)stored);
	put_le32(hdr + 12, (uint32_t)raw_len);
	put_le32(hdr + 16, records);
	crc = frt_crc32c(0, hdr, 20);
	crc = frt_crc32c(crc, payload, stored);
	put_le32(hdr + 20, crc);

	err = write_all(w, hdr, sizeof(hdr));
	if (!err)
		err = write_all(w, payload, stored);
	if (err)
		return w->err = err;
	w->frames++;
	return 0;
}

struct frt_writer *frt_writer_new(int fd, const char *meta_json, const struct frt_writer_opts *opts)
{
	struct frt_writer *w = calloc(1, sizeof(*w));
	uint8_t hdr[FRT_FILE_HEADER_SIZE];
	size_t meta_len = strlen(meta_json);
	int err = -ENOMEM;

	if (!w)
		goto cleanup;
	w->fd = fd;
	w->level = opts && opts->zstd_level ? opts->zstd_level : ZSTD_CLEVEL_DEFAULT;
	w->store = opts && opts->store;
	w->per_frame = opts && opts->events_per_frame ? opts->events_per_frame
						       : FRT_DEFAULT_EVENTS_PER_FRAME;
	/* ~12 bytes per record on average, twice that for room; reaching cap closes the frame */
	w->cap = SCHEMA_MAX_BYTES + (size_t)w->per_frame * 24 + EVENT_MAX_BYTES;
	w->buf = malloc(w->cap);
	w->cctx = ZSTD_createCCtx();
	if (!w->buf || !w->cctx)
		goto cleanup;
	err = -EINVAL;
	if (meta_len > FRT_MAX_FRAME_PAYLOAD)
		goto cleanup;

	memcpy(hdr, "\x89" "FRT\r\n\x1a\n", 8);
	put_le16(hdr + 8, FRT_FORMAT_MAJOR);
	put_le16(hdr + 10, FRT_FORMAT_MINOR);
	put_le32(hdr + 12, 0x01020304);
	put_le32(hdr + 16, 0); /* header flags: none defined in v1 */
	put_le32(hdr + 20, (uint32_t)meta_len);
	put_le32(hdr + 24, frt_crc32c(0, meta_json, meta_len));
	put_le32(hdr + 28, frt_crc32c(0, hdr, 28));
	err = write_all(w, hdr, sizeof(hdr));
	if (!err)
		err = write_all(w, meta_json, meta_len);
	if (err)
		goto cleanup;
	return w;
cleanup:
	if (w) {
		free(w->buf);
		ZSTD_freeCCtx(w->cctx);
		free(w);
	}
	close(fd);
	errno = -err;
	return NULL;
}

static inline uint32_t gfp_hash(uint64_t v)
{
	return (uint32_t)((v * 0x9E3779B97F4A7C15ull) >> 53); /* 11 bits */
}

/* Index of @gfp in the frame's dictionary; adds it (returning *added) when new. */
static uint32_t gfp_code(struct frt_writer *w, uint64_t gfp, bool *added)
{
	uint32_t h = gfp_hash(gfp);

	for (;; h = (h + 1) & (GFP_HASH_SLOTS - 1)) {
		int32_t s = w->gfp_slot[h];

		if (!s) {
			w->gfp_slot[h] = (int32_t)w->gfp_len + 1;
			w->gfp_val[w->gfp_len] = gfp;
			*added = true;
			return w->gfp_len++;
		}
		if (w->gfp_val[s - 1] == gfp) {
			*added = false;
			return (uint32_t)s - 1;
		}
	}
}

/* Encode one record at the end of the frame (its fields were checked). */
static void put_record(struct frt_writer *w, const struct frt_event_desc *d, unsigned int type,
		       uint32_t cpu, uint64_t ts, const uint64_t *f)
{
	uint8_t *p = w->buf + SCHEMA_MAX_BYTES + w->len;

	*p++ = (uint8_t)type;
	p += varint_put(p, cpu);
	p += varint_put(p, ts - w->last_ts);
	w->last_ts = ts;
	for (unsigned int i = 0; i < d->nr_fields; i++) {
		uint64_t v = f[i];
		bool added;
		uint32_t code;

		switch (d->fields[i].kind) {
		case FRT_FK_UINT:
			p += varint_put(p, v);
			break;
		case FRT_FK_SINT:
			p += varint_put(p, zigzag((int64_t)v));
			break;
		case FRT_FK_PFN:
			if (v == FRT_PFN_NONE) {
				*p++ = 0;
				break;
			}
			p += varint_put(p, zigzag((int64_t)(v - w->last_pfn)) + 1);
			w->last_pfn = v;
			break;
		case FRT_FK_GFP:
			code = gfp_code(w, v, &added);
			p += varint_put(p, code);
			if (added)
				p += varint_put(p, v);
			break;
		}
	}
	w->len = (size_t)(p - (w->buf + SCHEMA_MAX_BYTES));
	w->types_used |= 1ull << type;
	w->nr++;
}

/*
 * Make @ev's task the current one of its CPU in this frame (FORMAT.md §6.6):
 * a task record the first time the frame meets the task, a task_switch
 * record when the CPU ran another one before.
 */
static int put_task(struct frt_writer *w, const struct frt_event *ev)
{
	uint32_t cur = task_table_current(&w->tasks, ev->cpu), n = 0;
	const struct frt_task *t = task_table_get(&w->tasks, cur);
	struct frt_task task;
	uint64_t f[4];

	/* the common case: the CPU still runs the task of its previous event */
	if (ev->has_task && t && t->pid == ev->pid && t->tgid == ev->tgid &&
	    !memcmp(t->comm, ev->comm, FRT_COMM_LEN))
		return 0;
	if (ev->has_task) {
		task.pid = ev->pid;
		task.tgid = ev->tgid;
		memcpy(task.comm, ev->comm, FRT_COMM_LEN);
		n = task_table_find(&w->tasks, &task);
		if (!n) {
			n = task_table_add(&w->tasks, &task, true);
			if (!n || task_table_set_current(&w->tasks, ev->cpu, n))
				return -ENOMEM;
			f[0] = (uint64_t)(int64_t)task.pid;
			f[1] = (uint64_t)(int64_t)task.tgid;
			frt_comm_to_fields(task.comm, &f[2], &f[3]);
			put_record(w, frt_event_desc(FRT_EV_TASK), FRT_EV_TASK, ev->cpu, ev->ts, f);
			return 0;
		}
	}
	if (n == cur)
		return 0;
	if (task_table_set_current(&w->tasks, ev->cpu, n))
		return -ENOMEM;
	f[0] = n;
	put_record(w, frt_event_desc(FRT_EV_TASK_SWITCH), FRT_EV_TASK_SWITCH, ev->cpu, ev->ts, f);
	return 0;
}

int frt_writer_add(struct frt_writer *w, const struct frt_event *ev)
{
	const struct frt_event_desc *d = frt_event_desc(ev->type);
	uint64_t last;
	int err;

	if (w->err)
		return w->err;
	if (!d || frt_event_is_task_record(ev->type))
		return -EINVAL;
	if (w->events && ev->ts < w->prev_ts)
		return -ERANGE;
	/*
	 * Checked before any state changes. PFN fields hold whatever the kernel
	 * passed (a compaction event under pressure once carried a value >=
	 * 2^63), and only a delta of exactly 2^63 has no zigzag(delta) + 1 in
	 * 64 bits.
	 */
	last = w->last_pfn;
	for (unsigned int i = 0; i < d->nr_fields; i++) {
		if (d->fields[i].kind != FRT_FK_PFN || ev->f[i] == FRT_PFN_NONE)
			continue;
		if (ev->f[i] - last == 1ull << 63)
			return -EINVAL;
		last = ev->f[i];
	}

	err = put_task(w, ev);
	if (err)
		return w->err = err;
	put_record(w, d, ev->type, ev->cpu, ev->ts, ev->f);
	if (!w->events)
		w->first_ts = ev->ts;
	w->events++;
	w->prev_ts = ev->ts;
	w->by_type[ev->type]++;

	if (w->nr >= w->per_frame || w->gfp_len >= GFP_DICT_MAX - FRT_MAX_FIELDS ||
	    w->tasks.nr >= FRT_TASK_TABLE_MAX - 1 ||
	    SCHEMA_MAX_BYTES + w->len + EVENT_MAX_BYTES > w->cap) {
		err = frt_writer_flush(w);
		if (err)
			return err;
	}
	return 0;
}

int frt_writer_add_clamped(struct frt_writer *w, const struct frt_event *ev,
			   unsigned int *cleared)
{
	const struct frt_event_desc *d = frt_event_desc(ev->type);
	struct frt_event e;
	unsigned int n = 0;
	int err = frt_writer_add(w, ev);

	*cleared = 0;
	if (err != -EINVAL || !d || frt_event_is_task_record(ev->type))
		return err;
	/*
	 * What the kernel passes there: compaction's fast_isolate_freepages()
	 * reports free_pfn + 2^63 as its start once the scanners have crossed
	 * (its distance underflows), next to free_pfn as its end.
	 */
	e = *ev;
	for (unsigned int i = 0; i < d->nr_fields; i++) {
		if (d->fields[i].kind == FRT_FK_PFN && e.f[i] != FRT_PFN_NONE && e.f[i] >> 63) {
			e.f[i] = FRT_PFN_NONE;
			n++;
		}
	}
	/* none here: the odd one was the last pfn of an earlier event; a frame starts from 0 */
	if (!n) {
		err = frt_writer_flush(w);
		if (err)
			return err;
	}
	err = frt_writer_add(w, &e);
	if (!err)
		*cleared = n;
	return err;
}

int frt_writer_flush(struct frt_writer *w)
{
	uint8_t schema[SCHEMA_MAX_BYTES];
	size_t n = 0;
	unsigned int nr_types = 0;
	uint8_t *start;
	int err;

	if (w->err)
		return w->err;
	if (!w->nr)
		return 0;
	for (unsigned int t = 1; t < FRT_EV_NR_TYPES; t++)
		nr_types += !!(w->types_used & (1ull << t));
	n += varint_put(schema, nr_types);
	for (unsigned int t = 1; t < FRT_EV_NR_TYPES; t++) {
		const struct frt_event_desc *d = frt_event_desc(t);

		if (!(w->types_used & (1ull << t)))
			continue;
		schema[n++] = (uint8_t)t;
		schema[n++] = (uint8_t)d->nr_fields;
		for (unsigned int i = 0; i < d->nr_fields; i++)
			schema[n++] = (uint8_t)d->fields[i].kind;
	}
	start = w->buf + SCHEMA_MAX_BYTES - n;
	memcpy(start, schema, n);
	err = put_frame(w, FRT_FRAME_EVENTS, start, n + w->len, w->nr);

	w->len = 0;
	w->nr = 0;
	w->last_ts = 0;
	w->last_pfn = 0;
	w->types_used = 0;
	w->gfp_len = 0;
	memset(w->gfp_slot, 0, sizeof(w->gfp_slot));
	task_table_reset(&w->tasks);
	return err;
}

int frt_writer_put_frame(struct frt_writer *w, enum frt_frame_type type, const void *payload,
			 size_t len)
{
	int err = frt_writer_flush(w); /* keep frames in time order */

	if (err)
		return err;
	return put_frame(w, (uint8_t)type, payload, len, 1);
}

int frt_writer_put_json(struct frt_writer *w, enum frt_frame_type type, const char *json)
{
	return frt_writer_put_frame(w, type, json, strlen(json));
}

void frt_writer_set_lost(struct frt_writer *w, uint64_t lost_total)
{
	w->lost = lost_total;
}

uint64_t frt_writer_bytes(const struct frt_writer *w)
{
	return w->bytes;
}

uint64_t frt_writer_events(const struct frt_writer *w)
{
	return w->events;
}

static char *trailer_json(const struct frt_writer *w)
{
	json_t *t = json_object(), *by = json_object();
	char *s;

	for (unsigned int i = 1; i < FRT_EV_NR_TYPES; i++)
		if (w->by_type[i])
			json_object_set_new(by, frt_event_desc(i)->name,
					    json_integer((json_int_t)w->by_type[i]));
	json_object_set_new(t, "events", json_integer((json_int_t)w->events));
	json_object_set_new(t, "frames", json_integer(w->frames));
	json_object_set_new(t, "first_ts", json_integer((json_int_t)w->first_ts));
	json_object_set_new(t, "last_ts", json_integer((json_int_t)w->prev_ts));
	json_object_set_new(t, "lost_events", json_integer((json_int_t)w->lost));
	json_object_set_new(t, "events_by_type", by);
	s = json_dumps(t, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(t);
	return s;
}

static void writer_free(struct frt_writer *w)
{
	task_table_free(&w->tasks);
	free(w->buf);
	free(w->zbuf);
	ZSTD_freeCCtx(w->cctx);
	free(w);
}

int frt_writer_close(struct frt_writer *w)
{
	int err = frt_writer_flush(w);
	char *t;

	if (!err) {
		t = trailer_json(w);
		err = t ? put_frame(w, FRT_FRAME_TRAILER, (const uint8_t *)t, strlen(t), 1) : -ENOMEM;
		free(t);
	}
	/* on the disk before anyone renames it over an older file (outfile.h) */
	if (!err && fsync(w->fd) && errno != EINVAL && errno != EROFS)
		err = -errno;
	if (close(w->fd) && !err)
		err = -errno;
	writer_free(w);
	return err;
}

void frt_writer_abort(struct frt_writer *w)
{
	close(w->fd);
	writer_free(w);
}
