// SPDX-License-Identifier: MIT
/*
 * snapshot_codec.c - the bytes of a SNAPSHOT payload (FORMAT.md §8.2):
 * a JSON header, a 0x00, then the "blocks" and "pageblocks" sections.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "codec.h"
#include "snapshot.h"
#include "snapshot_codec.h"

static int buf_reserve(struct frt_snap_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	uint8_t *data;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	data = realloc(b->data, cap);
	if (!data)
		return -ENOMEM;
	b->data = data;
	b->cap = cap;
	return 0;
}

int frt_snap_buf_put_block(struct frt_snap_buf *b, uint64_t gap, uint8_t state, uint8_t cls,
			   uint8_t order)
{
	int err = buf_reserve(b, FRT_VARINT_MAX + 3);

	if (err)
		return err;
	b->len += varint_put(b->data + b->len, gap);
	b->data[b->len++] = state;
	b->data[b->len++] = cls;
	b->data[b->len++] = order;
	return 0;
}

int frt_snap_buf_put_time(struct frt_snap_buf *b, uint64_t gap, uint64_t dt)
{
	int err = buf_reserve(b, 2 * FRT_VARINT_MAX);

	if (err)
		return err;
	b->len += varint_put(b->data + b->len, gap);
	b->len += varint_put(b->data + b->len, dt);
	return 0;
}

void frt_snap_buf_release(struct frt_snap_buf *b)
{
	free(b->data);
	*b = (struct frt_snap_buf){ 0 };
}

static json_t *section(const char *name, size_t offset, size_t length)
{
	return json_pack("{s:s, s:I, s:I}", "name", name, "offset", (json_int_t)offset, "length",
			 (json_int_t)length);
}

int frt_snap_payload(json_t *header, const uint8_t *blocks, size_t blocks_len,
		     const uint8_t *pageblocks, size_t nr_pageblocks, uint8_t **out,
		     size_t *out_len)
{
	return frt_snap_payload_timed(header, blocks, blocks_len, pageblocks, nr_pageblocks, NULL,
				      0, out, out_len);
}

int frt_snap_payload_timed(json_t *header, const uint8_t *blocks, size_t blocks_len,
			   const uint8_t *pageblocks, size_t nr_pageblocks, const uint8_t *times,
			   size_t times_len, uint8_t **out, size_t *out_len)
{
	json_t *sections = json_pack("[o, o]", section("blocks", 0, blocks_len),
				     section("pageblocks", blocks_len, nr_pageblocks));
	char *text = NULL;
	uint8_t *p = NULL;
	size_t tlen;
	int err = -ENOMEM;

	if (sections && times &&
	    json_array_append_new(sections, section("read_times", blocks_len + nr_pageblocks,
						    times_len)))
		goto cleanup;
	if (!sections || json_object_set_new(header, "sections", sections))
		goto cleanup;
	text = json_dumps(header, JSON_COMPACT);
	if (!text)
		goto cleanup;
	tlen = strlen(text);
	p = malloc(tlen + 1 + blocks_len + nr_pageblocks + times_len);
	if (!p)
		goto cleanup;
	memcpy(p, text, tlen + 1); /* with its NUL: the separator */
	if (blocks_len)
		memcpy(p + tlen + 1, blocks, blocks_len);
	if (nr_pageblocks)
		memcpy(p + tlen + 1 + blocks_len, pageblocks, nr_pageblocks);
	if (times_len)
		memcpy(p + tlen + 1 + blocks_len + nr_pageblocks, times, times_len);
	*out = p;
	*out_len = tlen + 1 + blocks_len + nr_pageblocks + times_len;
	p = NULL;
	err = 0;
cleanup:
	free(text);
	free(p);
	return err;
}

int frt_snap_errf(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static bool get_u64(json_t *o, const char *key, uint64_t *v)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return false;
	*v = (uint64_t)json_integer_value(j);
	return true;
}

int frt_snapshot_parse(const void *payload, size_t len, struct frt_snapshot_part *p, char *err,
		       size_t errlen)
{
	const uint8_t *nul = memchr(payload, 0, len);
	json_t *h = NULL, *s;
	uint64_t pbo, off, slen;
	size_t body, i;
	int ret = 0;

	*p = (struct frt_snapshot_part){ .header = payload };
	if (!nul)
		return frt_snap_errf(err, errlen, -EBADMSG,
				     "snapshot: no 0x00 after the JSON header");
	body = len - (size_t)(nul + 1 - (const uint8_t *)payload);
	h = json_loadb(payload, nul - (const uint8_t *)payload, 0, NULL);
	if (!json_is_object(h)) {
		ret = frt_snap_errf(err, errlen, -EBADMSG,
				    "snapshot: the header is not a JSON object");
		goto cleanup;
	}
	if (!get_u64(h, "start_pfn", &p->start_pfn) || !get_u64(h, "end_pfn", &p->end_pfn) ||
	    !get_u64(h, "pageblock_order", &pbo) || p->end_pfn < p->start_pfn || pbo > 30 ||
	    ((p->start_pfn | p->end_pfn) & ((1ull << pbo) - 1))) {
		ret = frt_snap_errf(err, errlen, -EBADMSG,
				    "snapshot: bad start_pfn, end_pfn or pageblock_order");
		goto cleanup;
	}
	p->pageblock_order = (unsigned int)pbo;
	get_u64(h, "ts", &p->ts);
	json_array_foreach(json_object_get(h, "sections"), i, s) {
		const char *name = json_string_value(json_object_get(s, "name"));

		if (!name || !get_u64(s, "offset", &off) || !get_u64(s, "length", &slen) ||
		    off > body || slen > body - off) {
			ret = frt_snap_errf(err, errlen, -EBADMSG,
					    "snapshot: section %zu lies outside the payload", i);
			goto cleanup;
		}
		if (!strcmp(name, "blocks")) {
			p->blocks = nul + 1 + off;
			p->blocks_len = slen;
		} else if (!strcmp(name, "pageblocks")) {
			p->pageblocks = nul + 1 + off;
			p->nr_pageblocks = slen;
		} else if (!strcmp(name, "read_times")) {
			p->read_times = nul + 1 + off;
			p->read_times_len = slen;
		}
	}
	if (!p->blocks || !p->pageblocks ||
	    p->nr_pageblocks != (p->end_pfn - p->start_pfn) >> pbo)
		ret = frt_snap_errf(err, errlen, -EBADMSG,
				    "snapshot: blocks or pageblocks section missing or mis-sized");
cleanup:
	json_decref(h);
	return ret;
}

void frt_snapshot_iter_init(struct frt_snapshot_iter *it, const struct frt_snapshot_part *p)
{
	it->p = p->blocks;
	it->end = p->blocks + p->blocks_len;
	it->next_pfn = p->start_pfn;
	it->end_pfn = p->end_pfn;
}

int frt_snapshot_iter_next(struct frt_snapshot_iter *it, struct frt_snapshot_block *b)
{
	static const uint8_t nr_classes[] = { FRT_MT_NR, FRT_MOB_NR, 1 };
	uint64_t gap;

	if (it->p == it->end)
		return 0;
	if (varint_get(&it->p, it->end, &gap) || it->end - it->p < 3)
		return -EBADMSG;
	b->state = it->p[0];
	b->cls = it->p[1];
	b->order = it->p[2];
	it->p += 3;
	if (gap > it->end_pfn - it->next_pfn || b->state > FRT_SNAP_RESERVED ||
	    b->cls >= nr_classes[b->state] || b->order > 40)
		return -EBADMSG;
	b->pfn = it->next_pfn + gap;
	if ((1ull << b->order) > it->end_pfn - b->pfn)
		return -EBADMSG;
	it->next_pfn = b->pfn + (1ull << b->order);
	return 1;
}

uint64_t frt_snapshot_iter_repeats(const struct frt_snapshot_iter *it,
				   const struct frt_snapshot_block *b, uint64_t max)
{
	/* the record of the next pfn: gap varint 0, state, class, order 0 */
	const uint8_t rec[4] = { 0, b->state, b->cls, 0 };
	uint64_t n = 0, room = (uint64_t)(it->end - it->p) / sizeof(rec);

	if (b->order || b->pfn + 1 != it->next_pfn)
		return 0;
	if (max > room)
		max = room;
	if (max > it->end_pfn - it->next_pfn)
		max = it->end_pfn - it->next_pfn;
	uint32_t r1;
	uint64_t r2, w;

	memcpy(&r1, rec, sizeof(r1));
	r2 = (uint64_t)r1 << 32 | r1;
	/* two records a word */
	while (n + 2 <= max && (memcpy(&w, it->p + n * sizeof(rec), sizeof(w)), w == r2))
		n += 2;
	while (n < max && !memcmp(it->p + n * sizeof(rec), rec, sizeof(rec)))
		n++;
	return n;
}

void frt_snapshot_iter_skip(struct frt_snapshot_iter *it, uint64_t n)
{
	it->p += n * 4;
	it->next_pfn += n;
}

void frt_snapshot_times_init(struct frt_snapshot_times *it, const struct frt_snapshot_part *p)
{
	it->p = p->read_times;
	it->end = p->read_times ? p->read_times + p->read_times_len : NULL;
	it->pfn = p->start_pfn;
	it->end_pfn = p->end_pfn;
	it->ts = p->ts;
	it->started = false;
}

int frt_snapshot_times_next(struct frt_snapshot_times *it, uint64_t *pfn, uint64_t *ts)
{
	uint64_t gap, dt;

	if (it->p == it->end)
		return 0;
	if (varint_get(&it->p, it->end, &gap) || varint_get(&it->p, it->end, &dt) ||
	    gap >= it->end_pfn - it->pfn || (it->started && !gap) || dt > UINT64_MAX - it->ts)
		return -EBADMSG;
	it->started = true;
	it->pfn += gap;
	it->ts += dt;
	*pfn = it->pfn;
	*ts = it->ts;
	return 1;
}
