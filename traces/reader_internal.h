/* SPDX-License-Identifier: MIT */
/*
 * reader_internal.h - the reader's state, shared by its two event decoders:
 * reader.c (frames, and events one at a time) and decode_batch.c (a frame's
 * events many at a time). Internal to traces/.
 */
#ifndef FRT_READER_INTERNAL_H
#define FRT_READER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <zstd.h>

#include "codec.h"
#include "task_table.h"
#include "trace.h"

#define GFP_DICT_MAX 1024

#define SCHEMA_MAX_FIELDS 32 /* FORMAT.md: a type has at most 32 fields */

/*
 * Zero bytes kept after every raw payload, so that the batch decoder can
 * read a record's varints without a bound check per byte: every record
 * starts before the payload's end, the zeros end any varint that runs past
 * it, and the decoder then finds its cursor past the end and fails the
 * record, as the checked decoder fails it at the varint. A record reads at
 * most 1 + 2 * 10 + 32 * 20 bytes (type, cpu, ts, 32 GFP fields with new
 * masks) and a varint 8 bytes at a time.
 */
#define RBUF_PAD 1024

struct frame_schema {
	bool present;      /* the frame's schema table describes this type */
	uint8_t nr_fields; /* fields this build keeps (<= FRT_MAX_FIELDS) */
	uint8_t nr_extra;  /* fields a newer writer added: decoded and dropped */
	uint8_t shape;     /* decode_batch.c's loop for these kinds; 0: the generic one */
	uint64_t kinds;    /* the kept fields' kinds, one byte each, first in the low byte */
	uint8_t extra_kinds[SCHEMA_MAX_FIELDS - FRT_MAX_FIELDS];
};

struct frt_reader {
	char *path;
	int fd;
	uint64_t file_size;
	uint16_t minor;
	char *meta;

	uint64_t pos;      /* offset of the next frame header */
	uint64_t valid;    /* end of the last good frame */
	uint32_t frame_idx;
	uint32_t unknown;
	enum frt_read_status status;
	bool ended;
	char err[512];
	char *trailer;
	char *stats;   /* the last STATS frame's JSON */

	uint8_t *sbuf, *rbuf; /* stored payload, raw payload (+ RBUF_PAD zeros) */
	size_t scap, rcap;
	uint32_t raw_len;
	struct frt_frame_info cur;
	ZSTD_DCtx *dctx;

	/* decoding state of the current EVENTS frame */
	const uint8_t *p, *end;
	uint32_t left; /* records still to decode */
	uint64_t last_ts, last_pfn;
	int batch_err; /* the error a batch met after its events: the next batch's return */
	uint32_t gfp_len;
	uint64_t gfp_val[GFP_DICT_MAX];
	struct task_table tasks;
	/* a trace whose tp_btf mm_compaction_migratepages wrote the tracepoint's
	 * arguments (nr_migratepages, nr_succeeded) as the event's fields
	 * (tp_btf_revision < 2): corrected as each event is decoded */
	bool fix_migratepages;
	struct frame_schema schema[256];
};

/*
 * The current EVENTS frame fails to decode although its checksum held (a
 * writer bug or a crafted file): its earlier events were already returned.
 * Returns -EBADMSG.
 */
int reader_fail_current(struct frt_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A task or task_switch record (FORMAT.md §6.6): update the task table; -1 for damage. */
int reader_apply_task_record(struct frt_reader *r, const struct frt_event *rec);
/* Fill @ev's task from its CPU's current entry. */
void reader_set_task(struct frt_reader *r, struct frt_event *ev);
/*
 * The next frame for frt_reader_next() and _next_batch(), which keep only
 * events, STATS and the trailer: frt_reader_next_frame() that checks every
 * other frame's checksum but does not decompress it. Returns as that does.
 */
int reader_next_kept_frame(struct frt_reader *r);
/* decode_batch.c's loop for a schema entry's kinds (struct frame_schema.shape) */
uint8_t reader_schema_shape(const struct frame_schema *s);

/*
 * What the varint @v of a field of @kind stands for (FORMAT.md §6.3), for
 * both decoders (reader.c's decode_field() per event, decode_batch.c's
 * field() per frame), which differ only in how they read varints. 0: *@out
 * set; -1: no valid code; 1: @v opens the next gfp dictionary entry, whose
 * value is the next varint: the caller reads it into r->gfp_val[r->gfp_len++].
 */
static inline __attribute__((always_inline)) int
field_value(const struct frt_reader *r, uint8_t kind, uint64_t v, uint64_t *last_pfn,
	    uint64_t *out)
{
	switch (kind) {
	case FRT_FK_UINT:
		*out = v;
		return 0;
	case FRT_FK_SINT:
		*out = (uint64_t)unzigzag(v);
		return 0;
	case FRT_FK_PFN:
		if (!v) {
			*out = FRT_PFN_NONE;
			return 0;
		}
		*last_pfn += (uint64_t)unzigzag(v - 1);
		*out = *last_pfn;
		return *out == FRT_PFN_NONE ? -1 : 0; /* none is code 0 only */
	case FRT_FK_GFP:
		if (v < r->gfp_len) {
			*out = r->gfp_val[v];
			return 0;
		}
		return v == r->gfp_len && r->gfp_len < GFP_DICT_MAX ? 1 : -1;
	}
	return -1;
}

/* a decoded event as the kernel's tracepoint would have written it */
static inline void reader_fix_event(const struct frt_reader *r, struct frt_event *e)
{
	if (r->fix_migratepages && e->type == FRT_EV_COMPACTION_MIGRATEPAGES) {
		uint64_t all = e->migratepages.nr_migrated, ok = e->migratepages.nr_failed;

		e->migratepages.nr_migrated = ok;
		e->migratepages.nr_failed = all >= ok ? all - ok : 0;
	}
}

#endif
