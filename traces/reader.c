// SPDX-License-Identifier: MIT
/*
 * reader.c - streaming reader for format v1 (traces/FORMAT.md).
 *
 * Holds one frame at a time. Every header field and every byte of payload is
 * checked before use; the first bad frame ends the valid prefix and leaves a
 * message naming the file, the frame index and the byte offset.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "codec.h"
#include "reader_internal.h"

/* Ends reading at the frame at @off, numbered @frame; the valid prefix ends before it. */
static int fail_frame(struct frt_reader *r, uint32_t frame, uint64_t off, int err,
		      const char *fmt, va_list ap)
{
	int n;

	n = snprintf(r->err, sizeof(r->err), "%s: frame %u at byte offset %llu: ", r->path,
		     frame, (unsigned long long)off);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	r->status = FRT_READ_DAMAGED;
	r->ended = true;
	r->left = 0;
	r->valid = off;
	return err;
}

/* A frame that has not been accepted yet: the next one, at @off. */
static int fail(struct frt_reader *r, uint64_t off, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = fail_frame(r, r->frame_idx, off, err, fmt, ap);
	va_end(ap);
	return err;
}

int reader_fail_current(struct frt_reader *r, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = fail_frame(r, r->cur.index, r->cur.offset, -EBADMSG, fmt, ap);
	va_end(ap);
	return err;
}

static int read_at(struct frt_reader *r, void *buf, size_t len, uint64_t off, size_t *got)
{
	size_t n = 0;

	*got = 0;
	while (n < len) {
		ssize_t k = pread(r->fd, (uint8_t *)buf + n, len - n, (off_t)(off + n));

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!k)
			break;
		n += (size_t)k;
	}
	*got = n;
	return 0;
}

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *nb;

	if (need <= *cap)
		return 0;
	nb = realloc(*buf, need);
	if (!nb)
		return -ENOMEM;
	*buf = nb;
	*cap = need;
	return 0;
}

struct frt_reader *frt_reader_open(const char *path, char *errbuf, size_t errlen)
{
	struct frt_reader *r = calloc(1, sizeof(*r));
	uint8_t hdr[FRT_FILE_HEADER_SIZE];
	struct stat st;
	uint32_t meta_len, bom;
	size_t got;
	int err = -ENOMEM;
	const char *why = NULL;

	if (r)
		r->fd = -1;
	if (!r || !(r->path = strdup(path)) || !(r->dctx = ZSTD_createDCtx())) {
		why = "out of memory";
		goto cleanup;
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &st)) {
		err = -errno;
		why = strerror(errno);
		goto cleanup;
	}
	r->file_size = (uint64_t)st.st_size;
	err = read_at(r, hdr, sizeof(hdr), 0, &got);
	if (err) {
		why = strerror(-err);
		goto cleanup;
	}
	err = -EBADMSG;
	if (got < 8 || memcmp(hdr, "\x89" "FRT\r\n\x1a\n", 8)) {
		why = "not a fragreplay trace (bad magic at byte offset 0)";
		goto cleanup;
	}
	if (got < sizeof(hdr)) {
		why = "truncated in the file header (byte offset 8)";
		goto cleanup;
	}
	if (get_le32(hdr + 28) != frt_crc32c(0, hdr, 28)) {
		why = "file header checksum mismatch (byte offset 28)";
		goto cleanup;
	}
	bom = get_le32(hdr + 12);
	if (bom != 0x01020304) {
		why = "unknown byte-order mark (byte offset 12)";
		goto cleanup;
	}
	if (get_le16(hdr + 8) != FRT_FORMAT_MAJOR) {
		snprintf(errbuf, errlen, "%s: format version %u.%u is not supported (this build "
			 "reads %u.x); use a newer fragreplay", path, get_le16(hdr + 8),
			 get_le16(hdr + 10), FRT_FORMAT_MAJOR);
		err = -ENOTSUP;
		goto cleanup;
	}
	r->minor = get_le16(hdr + 10);
	meta_len = get_le32(hdr + 20);
	if (meta_len > FRT_MAX_FRAME_PAYLOAD || !(r->meta = malloc((size_t)meta_len + 1))) {
		why = "metadata length is implausible (byte offset 20)";
		goto cleanup;
	}
	err = read_at(r, r->meta, meta_len, sizeof(hdr), &got);
	if (err || got < meta_len) {
		why = "truncated in the metadata (byte offset 32)";
		err = -EBADMSG;
		goto cleanup;
	}
	r->meta[meta_len] = '\0';
	if (get_le32(hdr + 24) != frt_crc32c(0, r->meta, meta_len)) {
		why = "metadata checksum mismatch (byte offset 32)";
		goto cleanup;
	}
	r->pos = r->valid = sizeof(hdr) + meta_len;
	/* our own compact metadata (collector.c): a tp_btf mm_compaction_migratepages
	 * before tp_btf_revision 2 needs its fields corrected */
	const char *rev = strstr(r->meta, "\"tp_btf_revision\":");
	r->fix_migratepages =
		strstr(r->meta, "\"compaction:mm_compaction_migratepages\":\"tp_btf\"") &&
		(!rev || atoi(rev + 18) < FRT_TP_BTF_REVISION);
	return r;
cleanup:
	if (why && errbuf)
		snprintf(errbuf, errlen, "%s: %s", path, why);
	frt_reader_free(r);
	errno = -err;
	return NULL;
}

void frt_reader_free(struct frt_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	free(r->path);
	free(r->meta);
	free(r->trailer);
	free(r->stats);
	free(r->sbuf);
	free(r->rbuf);
	task_table_free(&r->tasks);
	free(r);
}

/* Parse the schema table at the front of an EVENTS payload. */
static int load_schema(struct frt_reader *r)
{
	uint64_t nr, v;

	for (unsigned int t = 0; t < 256; t++)
		r->schema[t].present = false;
	if (varint_get(&r->p, r->end, &nr) || nr > 255)
		return -1;
	for (uint64_t i = 0; i < nr; i++) {
		struct frame_schema *s;
		uint8_t type, n;

		if (r->end - r->p < 2)
			return -1;
		type = *r->p++;
		n = *r->p++;
		if (!type || n > SCHEMA_MAX_FIELDS || r->end - r->p < n || r->schema[type].present)
			return -1;
		s = &r->schema[type];
		s->nr_fields = n < FRT_MAX_FIELDS ? n : FRT_MAX_FIELDS;
		s->nr_extra = n - s->nr_fields;
		s->kinds = 0;
		for (unsigned int k = 0; k < n; k++) {
			v = *r->p++;
			if (v < FRT_FK_UINT || v > FRT_FK_GFP)
				return -1;
			if (k < FRT_MAX_FIELDS)
				s->kinds |= v << (8 * k);
			else
				s->extra_kinds[k - FRT_MAX_FIELDS] = (uint8_t)v;
		}
		s->shape = reader_schema_shape(s);
		s->present = true;
	}
	return 0;
}

/* next_frame()'s @only beside a frame type: which frames it decompresses */
enum {
	FRAMES_ALL = -1,  /* every frame: frt_reader_next_frame() */
	FRAMES_KEPT = -2, /* those the reader keeps: EVENTS, STATS, TRAILER */
};

static bool decompressed(int only, uint8_t type)
{
	if (only == FRAMES_ALL || type == FRT_FRAME_TRAILER)
		return true;
	if (only == FRAMES_KEPT)
		return type == FRT_FRAME_EVENTS || type == FRT_FRAME_STATS;
	return type == only;
}

static bool known_frame(uint8_t type)
{
	return type == FRT_FRAME_EVENTS || type == FRT_FRAME_SNAPSHOT ||
	       type == FRT_FRAME_STATS || type == FRT_FRAME_TRAILER;
}

/*
 * frt_reader_next_frame(), or with @only >= 0 frt_reader_next_frame_of(), or
 * with FRAMES_KEPT the next frame of frt_reader_next() and _next_batch()
 */
/*
 * The current frame's payload decompressed only as far as its first NUL byte
 * (a SNAPSHOT frame's JSON header), 64 KiB at a time, into r->rbuf: returns
 * the bytes there, or a zstd error code.
 */
static size_t decompress_head(struct frt_reader *r)
{
	ZSTD_inBuffer in = { r->sbuf, r->cur.stored_size, 0 };
	ZSTD_outBuffer out = { r->rbuf, 0, 0 };

	ZSTD_DCtx_reset(r->dctx, ZSTD_reset_session_only);
	while (out.pos < r->cur.raw_size) {
		size_t from = out.pos, ret;

		out.size = out.pos + (64u << 10) < r->cur.raw_size ? out.pos + (64u << 10)
								    : r->cur.raw_size;
		ret = ZSTD_decompressStream(r->dctx, &out, &in);
		if (ZSTD_isError(ret))
			return ret;
		if (memchr(r->rbuf + from, 0, out.pos - from) || !ret ||
		    (out.pos == from && in.pos == in.size))
			break; /* the header's end, the frame's, or no more input */
	}
	return out.pos;
}

/* the frame at @off is read: the reader moves past it and says so (1) */
static int frame_read(struct frt_reader *r, uint64_t off, struct frt_frame_info *fi)
{
	r->pos = off + FRT_FRAME_HEADER_SIZE + r->cur.stored_size;
	r->valid = r->pos;
	r->frame_idx++;
	if (fi)
		*fi = r->cur;
	return 1;
}

static int next_frame(struct frt_reader *r, struct frt_frame_info *fi, int only, bool head)
{
	uint8_t hdr[FRT_FRAME_HEADER_SIZE];
	uint64_t off = r->pos;
	size_t got;
	uint32_t crc;
	int err;

	if (r->ended)
		return r->status == FRT_READ_DAMAGED ? -EBADMSG : 0;
	r->left = 0;
	err = read_at(r, hdr, sizeof(hdr), off, &got);
	if (err)
		return fail(r, off, err, "read error: %s", strerror(-err));
	if (got == 0) {
		r->ended = true;
		r->status = FRT_READ_TRUNCATED;
		snprintf(r->err, sizeof(r->err), "%s: frame %u at byte offset %llu: truncated: the "
			 "file ends without a trailer frame", r->path, r->frame_idx,
			 (unsigned long long)off);
		return 0;
	}
	if (got < sizeof(hdr))
		return fail(r, off, -EBADMSG, "truncated frame header (%zu of %u bytes)", got,
			    FRT_FRAME_HEADER_SIZE);
	if (memcmp(hdr, "FRFM", 4))
		return fail(r, off, -EBADMSG, "bad frame magic");
	r->cur = (struct frt_frame_info){
		.index = r->frame_idx, .offset = off, .type = hdr[4], .flags = hdr[5],
		.stored_size = get_le32(hdr + 8), .raw_size = get_le32(hdr + 12),
		.records = get_le32(hdr + 16),
	};
	if (r->cur.stored_size > FRT_MAX_FRAME_PAYLOAD || r->cur.raw_size > FRT_MAX_FRAME_PAYLOAD)
		return fail(r, off, -EBADMSG, "implausible frame size (stored %u, raw %u)",
			    r->cur.stored_size, r->cur.raw_size);
	if (r->cur.stored_size > r->file_size - off - sizeof(hdr))
		return fail(r, off, -EBADMSG, "truncated: frame needs %u payload bytes, %llu remain",
			    r->cur.stored_size,
			    (unsigned long long)(r->file_size - off - sizeof(hdr)));
	if (grow(&r->sbuf, &r->scap, r->cur.stored_size + 1) ||
	    grow(&r->rbuf, &r->rcap, (size_t)r->cur.raw_size + RBUF_PAD))
		return fail(r, off, -ENOMEM, "out of memory");
	err = read_at(r, r->sbuf, r->cur.stored_size, off + sizeof(hdr), &got);
	if (err || got < r->cur.stored_size)
		return fail(r, off, err ? err : -EBADMSG, "short read of the frame payload");
	crc = frt_crc32c(frt_crc32c(0, hdr, 20), r->sbuf, r->cur.stored_size);
	if (crc != get_le32(hdr + 20))
		return fail(r, off, -EBADMSG, "checksum mismatch (stored 0x%08x, computed 0x%08x)",
			    get_le32(hdr + 20), crc);
	if (!decompressed(only, r->cur.type)) {
		/* checked, not decompressed nor decoded */
		r->unknown += !known_frame(r->cur.type);
		return frame_read(r, off, fi);
	}

	if (head && r->cur.type == only) {
		/* as far as the header: the rest neither decompressed nor checked */
		size_t n = r->cur.stored_size < r->cur.raw_size ? r->cur.stored_size
								: r->cur.raw_size;

		if (r->cur.flags & FRT_FRAME_F_ZSTD)
			n = decompress_head(r);
		else
			memcpy(r->rbuf, r->sbuf, n);
		if (ZSTD_isError(n))
			return fail(r, off, -EBADMSG, "zstd: %s", ZSTD_getErrorName(n));
		r->raw_len = (uint32_t)n;
		memset(r->rbuf + r->raw_len, 0, RBUF_PAD);
		r->unknown += !known_frame(r->cur.type);
		return frame_read(r, off, fi);
	}
	if (r->cur.flags & FRT_FRAME_F_ZSTD) {
		size_t n = ZSTD_decompressDCtx(r->dctx, r->rbuf, r->rcap, r->sbuf,
					       r->cur.stored_size);

		if (ZSTD_isError(n))
			return fail(r, off, -EBADMSG, "zstd: %s", ZSTD_getErrorName(n));
		if (ZSTD_findFrameCompressedSize(r->sbuf, r->cur.stored_size) !=
		    r->cur.stored_size)
			return fail(r, off, -EBADMSG, "payload is not exactly one zstd frame");
		if (n != r->cur.raw_size)
			return fail(r, off, -EBADMSG, "payload decompressed to %zu bytes, header "
				    "says %u", n, r->cur.raw_size);
	} else {
		if (r->cur.stored_size != r->cur.raw_size)
			return fail(r, off, -EBADMSG, "stored frame sizes differ (%u vs %u)",
				    r->cur.stored_size, r->cur.raw_size);
		memcpy(r->rbuf, r->sbuf, r->cur.stored_size);
	}
	r->raw_len = r->cur.raw_size;
	/* JSON frames become C strings; the batch decoder reads into the zeros */
	memset(r->rbuf + r->raw_len, 0, RBUF_PAD);

	switch (r->cur.type) {
	case FRT_FRAME_EVENTS:
		r->p = r->rbuf;
		r->end = r->rbuf + r->raw_len;
		r->last_ts = r->last_pfn = 0;
		r->gfp_len = 0;
		task_table_reset(&r->tasks);
		if (load_schema(r))
			return fail(r, off, -EBADMSG, "bad schema table in events frame");
		if (!r->cur.records && r->p != r->end)
			return fail(r, off, -EBADMSG, "bytes after the schema of an empty frame");
		r->left = r->cur.records;
		break;
	case FRT_FRAME_TRAILER:
		free(r->trailer);
		r->trailer = strdup((char *)r->rbuf);
		r->ended = true;
		break;
	case FRT_FRAME_STATS:
		free(r->stats);
		r->stats = strdup((char *)r->rbuf);
		break;
	case FRT_FRAME_SNAPSHOT:
		break;
	default:
		r->unknown++; /* skipped: a newer writer's frame type */
		break;
	}
	return frame_read(r, off, fi);
}

int frt_reader_next_frame(struct frt_reader *r, struct frt_frame_info *fi)
{
	return next_frame(r, fi, FRAMES_ALL, false);
}

int frt_reader_next_frame_of(struct frt_reader *r, uint8_t type, struct frt_frame_info *fi)
{
	return next_frame(r, fi, type, false);
}

int frt_reader_next_frame_kept(struct frt_reader *r, struct frt_frame_info *fi)
{
	return next_frame(r, fi, FRAMES_KEPT, false);
}

int frt_reader_next_frame_head(struct frt_reader *r, uint8_t type, struct frt_frame_info *fi)
{
	return next_frame(r, fi, type, true);
}

const char *frt_reader_frame_payload(const struct frt_reader *r, uint32_t *len)
{
	if (len)
		*len = r->raw_len;
	return (const char *)r->rbuf;
}

/*
 * One field of @kind at *pp. The cursor and last pfn live in the caller's
 * locals, so the compiler keeps them in registers across the event's fields
 * (stores to ev->f could otherwise alias r->last_pfn).
 */
static inline __attribute__((always_inline)) int
decode_field(struct frt_reader *r, const uint8_t **pp, const uint8_t *end, uint64_t *last_pfn,
	     uint8_t kind, uint64_t *out)
{
	uint64_t v;
	int ret;

	if (varint_get(pp, end, &v))
		return -1;
	ret = field_value(r, kind, v, last_pfn, out);
	if (ret <= 0)
		return ret;
	if (varint_get(pp, end, &r->gfp_val[r->gfp_len]))
		return -1;
	*out = r->gfp_val[r->gfp_len++];
	return 0;
}

static int decode_event(struct frt_reader *r, struct frt_event *ev)
{
	const uint8_t *p = r->p, *end = r->end;
	uint64_t last_pfn = r->last_pfn, cpu, dts, drop, kinds;
	const struct frame_schema *s;
	unsigned int nr;
	uint8_t type;

	if (p >= end)
		return -1;
	type = *p++;
	if (!r->schema[type].present)
		return -1;
	if (varint_get(&p, end, &cpu) || varint_get(&p, end, &dts) || cpu > UINT32_MAX)
		return -1;
	s = &r->schema[type];
	/* kinds in a register: byte loads would be reloaded after each ev->f store */
	kinds = s->kinds;
	nr = s->nr_fields;
	for (unsigned int i = 0; i < nr; i++, kinds >>= 8)
		if (decode_field(r, &p, end, &last_pfn, (uint8_t)kinds, &ev->f[i]))
			return -1;
	for (unsigned int i = nr; i < FRT_MAX_FIELDS; i++)
		ev->f[i] = 0;
	for (unsigned int i = 0; i < s->nr_extra; i++)
		if (decode_field(r, &p, end, &last_pfn, s->extra_kinds[i], &drop))
			return -1;
	if (r->last_ts + dts < r->last_ts)
		return -1; /* the timestamp would wrap */
	r->last_ts += dts;
	ev->ts = r->last_ts;
	ev->cpu = (uint32_t)cpu;
	ev->type = type;
	ev->reserved = 0;
	r->p = p;
	r->last_pfn = last_pfn;
	return 0;
}

/*
 * A task or task_switch record (FORMAT.md §6.6), decoded into @rec: update
 * the frame's task table. Returns -1 for damage.
 */
int reader_apply_task_record(struct frt_reader *r, const struct frt_event *rec)
{
	struct frt_task task;
	uint32_t n;

	if (rec->type == FRT_EV_TASK_SWITCH) {
		if (rec->task_switch.task > r->tasks.nr)
			return -1;
		n = (uint32_t)rec->task_switch.task;
	} else {
		/* pid and tgid are kernel ints: other values cannot come from a writer */
		if (rec->task.pid != (int32_t)rec->task.pid ||
		    rec->task.tgid != (int32_t)rec->task.tgid || r->tasks.nr == FRT_TASK_TABLE_MAX)
			return -1;
		task.pid = (int32_t)rec->task.pid;
		task.tgid = (int32_t)rec->task.tgid;
		frt_comm_from_fields(rec->task.comm, rec->task.comm_hi, task.comm);
		n = task_table_add(&r->tasks, &task, false);
		if (!n)
			return -1;
	}
	return task_table_set_current(&r->tasks, rec->cpu, n) ? -1 : 0;
}

/* Fill @ev's task from its CPU's current entry. */
void reader_set_task(struct frt_reader *r, struct frt_event *ev)
{
	const struct frt_task *t = NULL;

	if (r->tasks.nr)
		t = task_table_get(&r->tasks, task_table_current(&r->tasks, ev->cpu));
	if (!t) {
		ev->has_task = 0;
		ev->pid = ev->tgid = -1;
		memset(ev->comm, 0, FRT_COMM_LEN);
		return;
	}
	ev->has_task = 1;
	ev->pid = t->pid;
	ev->tgid = t->tgid;
	memcpy(ev->comm, t->comm, FRT_COMM_LEN);
}

int frt_reader_frame_next(struct frt_reader *r, struct frt_event *ev)
{
	if (r->batch_err) { /* a batch's events came first, then this */
		int err = r->batch_err;

		r->batch_err = 0;
		return err;
	}
	while (r->left) {
		if (decode_event(r, ev))
			return reader_fail_current(r, "undecodable event record %u of %u",
						   r->cur.records - r->left, r->cur.records);
		if (!--r->left && r->p != r->end)
			return reader_fail_current(r, "%zu bytes left after the last record",
						   (size_t)(r->end - r->p));
		if (!frt_event_is_task_record(ev->type)) {
			reader_fix_event(r, ev);
			reader_set_task(r, ev);
			return 1;
		}
		if (reader_apply_task_record(r, ev))
			return reader_fail_current(r, "bad task record %u of %u",
						   r->cur.records - r->left - 1, r->cur.records);
	}
	return 0;
}

int frt_reader_next(struct frt_reader *r, struct frt_event *ev)
{
	int ret;

	for (;;) {
		ret = frt_reader_frame_next(r, ev);
		if (ret)
			return ret;
		if (r->ended)
			return r->status == FRT_READ_DAMAGED ? -EBADMSG : 0;
		ret = reader_next_kept_frame(r);
		if (ret <= 0)
			return ret;
	}
}

int reader_next_kept_frame(struct frt_reader *r)
{
	return next_frame(r, NULL, FRAMES_KEPT, false);
}

const char *frt_reader_path(const struct frt_reader *r) { return r->path; }
const char *frt_reader_meta(const struct frt_reader *r) { return r->meta; }
unsigned int frt_reader_version_minor(const struct frt_reader *r) { return r->minor; }
uint64_t frt_reader_file_size(const struct frt_reader *r) { return r->file_size; }
enum frt_read_status frt_reader_status(const struct frt_reader *r) { return r->status; }
const char *frt_reader_error(const struct frt_reader *r) { return r->status ? r->err : NULL; }
const char *frt_reader_trailer(const struct frt_reader *r) { return r->trailer; }
const char *frt_reader_stats(const struct frt_reader *r) { return r->stats; }
uint32_t frt_reader_frames_seen(const struct frt_reader *r) { return r->frame_idx; }
uint32_t frt_reader_unknown_frames(const struct frt_reader *r) { return r->unknown; }
uint64_t frt_reader_valid_bytes(const struct frt_reader *r) { return r->valid; }
