// SPDX-License-Identifier: MIT
/*
 * test_format.c - format v1: round trips, every frame type, damage, golden bytes.
 *
 * Usage: test_format GOLDEN-1.0 GOLDEN-1.2  run the tests (GOLDEN-1.2 pins the bytes
 *                                           the writer writes, GOLDEN-1.0 what
 *                                           1.0 writers wrote: it must still read)
 *        test_format --write-golden F       regenerate the 1.2 golden file (only when
 *                                           the format version changes; see FORMAT.md)
 *        test_format --write-random F       a random trace with tasks, many small
 *                                           compressed frames (for test_spec.sh)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "check.h"
#include "codec.h"
#include "task_table.h"
#include "trace.h"

static char tmpdir[] = "/tmp/frt-test-XXXXXX";
static const char *golden_path, *golden10_path;
static const char *meta = "{\"format\":\"fragreplay-trace\",\"created_by\":\"test\"}";

static char *tmp_path(const char *name)
{
	static char buf[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
	return buf[k];
}

static int create(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

/* A random event of any type: values cover each field kind's whole range. */
static void random_event(unsigned long long *seed, struct frt_event *ev, uint64_t *ts)
{
	const struct frt_event_desc *d;
	unsigned long long r = rnd_next(seed);

	memset(ev, 0, sizeof(*ev));
	do
		ev->type = 1 + r++ % (FRT_EV_NR_TYPES - 1);
	while (frt_event_is_task_record(ev->type));
	d = frt_event_desc(ev->type);
	/* tasks from a small pool, so that frames switch back and forth; some unknown */
	if ((r >> 40) % 8) {
		static const char *const comms[] = { "stress-ng-vm", "kswapd0", "", "0123456789abcdef" };
		unsigned int k = (unsigned int)(r >> 44) % 6;

		ev->has_task = 1;
		ev->pid = k == 5 ? INT32_MAX : (int32_t)(1000 + k);
		ev->tgid = k == 4 ? -1 : k == 5 ? INT32_MIN : 1000;
		memcpy(ev->comm, comms[k % 4], strlen(comms[k % 4]));
	} else {
		ev->pid = ev->tgid = -1;
	}
	ev->cpu = (r >> 8) % 5 == 0 ? (uint32_t)rnd_next(seed) : (r >> 16) % 4;
	switch ((r >> 24) % 8) {
	case 0:
		break; /* same timestamp */
	case 1:
		*ts += rnd_next(seed) >> 20; /* big jump */
		break;
	default:
		*ts += (r >> 32) % 5000;
	}
	ev->ts = *ts;
	for (unsigned int i = 0; i < d->nr_fields; i++) {
		uint64_t v = rnd_next(seed);

		switch (d->fields[i].kind) {
		case FRT_FK_PFN:
			ev->f[i] = v % 7 == 0 ? FRT_PFN_NONE : v % 3 == 0 ? v - 1 : v % 0x600000;
			break;
		case FRT_FK_GFP:
			ev->f[i] = v % 4 ? 0xcc0 + (v >> 60) : v; /* mostly repeats */
			break;
		default:
			ev->f[i] = v % 3 ? v % 11 : v;
		}
	}
}

static struct frt_event *random_events(unsigned long long seed, size_t n)
{
	struct frt_event *evs = calloc(n ? n : 1, sizeof(*evs));
	uint64_t ts = seed * 1000;

	for (size_t i = 0; i < n; i++)
		random_event(&seed, &evs[i], &ts);
	return evs;
}

static int write_trace(const char *path, const struct frt_event *evs, size_t n,
		       const struct frt_writer_opts *opts)
{
	struct frt_writer *w = frt_writer_new(create(path), meta, opts);
	int err = 0;

	if (!w)
		return -errno;
	for (size_t i = 0; i < n && !err; i++)
		err = frt_writer_add(w, &evs[i]);
	if (err) {
		frt_writer_abort(w);
		return err;
	}
	return frt_writer_close(w);
}

/* Reads every event; returns the count, or -1 if the file did not open. */
static long read_all(const char *path, struct frt_event *out, size_t max,
		     enum frt_read_status *status, char *msg, size_t msglen)
{
	char err[600];
	struct frt_reader *r = frt_reader_open(path, err, sizeof(err));
	struct frt_event ev;
	long n = 0;

	if (!r) {
		snprintf(msg, msglen, "%s", err);
		return -1;
	}
	while (frt_reader_next(r, &ev) > 0) {
		if ((size_t)n < max)
			out[n] = ev;
		n++;
	}
	*status = frt_reader_status(r);
	snprintf(msg, msglen, "%s", frt_reader_error(r) ?: "");
	frt_reader_free(r);
	return n;
}

static bool event_eq(const struct frt_event *a, const struct frt_event *b)
{
	return a->ts == b->ts && a->cpu == b->cpu && a->type == b->type &&
	       !memcmp(a->f, b->f, sizeof(a->f)) && a->has_task == b->has_task &&
	       (!a->has_task || (a->pid == b->pid && a->tgid == b->tgid &&
				 !memcmp(a->comm, b->comm, FRT_COMM_LEN)));
}

static void set_task(struct frt_event *ev, int32_t pid, int32_t tgid, const char *comm)
{
	ev->has_task = 1;
	ev->pid = pid;
	ev->tgid = tgid;
	memset(ev->comm, 0, FRT_COMM_LEN);
	memcpy(ev->comm, comm, strlen(comm) < FRT_COMM_LEN ? strlen(comm) : FRT_COMM_LEN);
}

/* Property: whatever is written reads back equal, in order, at any frame size. */
static void test_roundtrip_random_streams(void)
{
	static const uint32_t frame_sizes[] = { 1, 7, 100, 4096, 0 };

	for (unsigned long long seed = 1; seed <= 24; seed++) {
		unsigned long long s = seed;
		size_t n = rnd_next(&s) % 6000;
		struct frt_writer_opts o = {
			.events_per_frame = frame_sizes[seed % 5], .store = seed % 3 == 0,
			.zstd_level = seed % 4 == 1 ? 19 : 0,
		};
		struct frt_event *evs = random_events(seed, n), *back = calloc(n + 1, sizeof(*back));
		enum frt_read_status st;
		char msg[600];
		long got;
		size_t bad = n;

		CHECK(write_trace(tmp_path("rt.frt"), evs, n, &o) == 0, "seed %llu", seed);
		got = read_all(tmp_path("rt.frt"), back, n + 1, &st, msg, sizeof(msg));
		CHECK(got == (long)n, "seed %llu: wrote %zu, read %ld (%s)", seed, n, got, msg);
		CHECK(st == FRT_READ_OK, "seed %llu: status %d: %s", seed, st, msg);
		for (size_t i = 0; i < n && got == (long)n; i++)
			if (!event_eq(&evs[i], &back[i])) {
				bad = i;
				break;
			}
		CHECK(bad == n, "seed %llu: event %zu differs", seed, bad);
		free(evs);
		free(back);
	}
}

static void test_roundtrip_extreme_values(void)
{
	struct frt_event evs[7] = { 0 };
	struct frt_event back[8];
	enum frt_read_status st;
	char msg[600];

	evs[0] = (struct frt_event){ .ts = 0, .cpu = UINT32_MAX, .type = FRT_EV_PAGE_ALLOC,
		.alloc = { FRT_PFN_NONE, 10, UINT64_MAX, -1 } };
	evs[1] = (struct frt_event){ .ts = 0, .type = FRT_EV_PAGE_ALLOC,
		.alloc = { (1ull << 63) - 1, 0, 0, INT64_MIN } };
	evs[2] = (struct frt_event){ .ts = 1, .type = FRT_EV_PAGE_FREE, .free = { 0, UINT64_MAX } };
	evs[3] = (struct frt_event){ .ts = UINT64_MAX / 2, .type = FRT_EV_PAGE_ALLOC_EXTFRAG,
		.extfrag = { 0x1234, INT64_MAX, INT64_MIN, 0, -7, 1 } };
	evs[4] = (struct frt_event){ .ts = UINT64_MAX, .type = FRT_EV_MIGRATE_PAIR,
		.pair = { (1ull << 63) - 1, 0, 9 } };
	evs[5] = (struct frt_event){ .ts = UINT64_MAX, .type = FRT_EV_COMPACTION_KCOMPACTD_SLEEP,
		.kcompactd = { .nid = -1 } };
	/* a pfn-kind field >= 2^63, as a compaction event once carried under pressure */
	evs[6] = (struct frt_event){ .ts = UINT64_MAX, .type = FRT_EV_COMPACTION_FAST_ISOLATE_FREEPAGES,
		.isolate = { 0xfffffffffffffe00ull, 0x1f2038, 494, 0 } };
	CHECK(write_trace(tmp_path("x.frt"), evs, 7, NULL) == 0);
	CHECK(read_all(tmp_path("x.frt"), back, 8, &st, msg, sizeof(msg)) == 7, "%s", msg);
	for (int i = 0; i < 7; i++)
		CHECK(event_eq(&evs[i], &back[i]), "event %d", i);
}

/* A rejected event leaves the writer's state as it was. */
static void test_writer_rejects_bad_events(void)
{
	struct frt_writer *w = frt_writer_new(create(tmp_path("rej.frt")), meta, NULL);
	struct frt_event ok1 = { .ts = 100, .type = FRT_EV_PAGE_ALLOC, .alloc = { 5, 0, 0xcc0, 0 } };
	struct frt_event ok2 = { .ts = 200, .type = FRT_EV_PAGE_ALLOC, .alloc = { 9, 1, 0xcc0, 1 } };
	struct frt_event bad = ok2, back[4];
	enum frt_read_status st;
	char msg[600];

	CHECK(w != NULL);
	CHECK(frt_writer_add(w, &ok1) == 0);
	bad.ts = 99;
	CHECK(frt_writer_add(w, &bad) == -ERANGE, "timestamps must not go backwards");
	bad = ok2;
	bad.type = FRT_EV_NR_TYPES;
	CHECK(frt_writer_add(w, &bad) == -EINVAL, "unknown type");
	bad = ok2;
	bad.alloc.gfp_flags = 0x12345; /* would enter the gfp dictionary if not checked first */
	bad.alloc.pfn = ok1.alloc.pfn + (1ull << 63);
	CHECK(frt_writer_add(w, &bad) == -EINVAL, "a pfn delta of exactly 2^63");
	bad = ok2;
	bad.type = FRT_EV_TASK_SWITCH;
	CHECK(frt_writer_add(w, &bad) == -EINVAL, "task records are the writer's own");
	CHECK(frt_writer_add(w, &ok2) == 0);
	CHECK(frt_writer_close(w) == 0);
	CHECK(read_all(tmp_path("rej.frt"), back, 4, &st, msg, sizeof(msg)) == 2, "%s", msg);
	CHECK(event_eq(&back[0], &ok1) && event_eq(&back[1], &ok2));
}

/*
 * The pfn field the format cannot hold, as a recording met it (a
 * fast_isolate_freepages start 2^63 above its end): frt_writer_add_clamped()
 * writes the field >= 2^63 as none; and when the field >= 2^63 was the last
 * pfn of an earlier event, it starts a new frame instead of refusing.
 */
static void test_writer_clamps_unencodable_pfn(void)
{
	struct frt_writer *w = frt_writer_new(create(tmp_path("clamp.frt")), meta, NULL);
	struct frt_event crossed = { .ts = 10, .type = FRT_EV_COMPACTION_FAST_ISOLATE_FREEPAGES,
		.isolate = { 0x8000000000617c00ull, 0x617c00, 32, 0 } };
	struct frt_event high = { .ts = 20, .type = FRT_EV_COMPACTION_ISOLATE_FREEPAGES,
		.isolate = { 0x8000000000000100ull, 0x8000000000000200ull, 7, 1 } };
	struct frt_event after = { .ts = 30, .type = FRT_EV_PAGE_FREE, .free = { 0x200, 0 } };
	struct frt_event back[4], want = crossed;
	enum frt_read_status st;
	unsigned int n = 99;
	char msg[600];

	CHECK(w != NULL);
	CHECK(frt_writer_add(w, &crossed) == -EINVAL, "the delta of exactly 2^63 itself");
	CHECK(frt_writer_add_clamped(w, &crossed, &n) == 0 && n == 1, "n %u", n);
	/* >= 2^63 but encodable: kept as the kernel passed it */
	CHECK(frt_writer_add_clamped(w, &high, &n) == 0 && n == 0, "n %u", n);
	CHECK(frt_writer_add(w, &after) == -EINVAL, "2^63 below the last pfn, of the event before");
	CHECK(frt_writer_add_clamped(w, &after, &n) == 0 && n == 0, "n %u", n);
	CHECK(frt_writer_close(w) == 0);
	CHECK(read_all(tmp_path("clamp.frt"), back, 4, &st, msg, sizeof(msg)) == 3, "%s", msg);
	want.isolate.start_pfn = FRT_PFN_NONE;
	CHECK(event_eq(&back[0], &want), "start written as none, end as passed");
	CHECK(event_eq(&back[1], &high) && event_eq(&back[2], &after));
}

/* More distinct gfp masks than one frame's dictionary holds: the frame splits. */
static void test_gfp_dictionary_overflow(void)
{
	size_t n = 5000;
	struct frt_event *evs = calloc(n, sizeof(*evs)), *back = calloc(n, sizeof(*back));
	enum frt_read_status st;
	char msg[600];
	long got;

	for (size_t i = 0; i < n; i++)
		evs[i] = (struct frt_event){ .ts = i, .type = FRT_EV_PAGE_ALLOC,
			.alloc = { i, 0, 0x100000000ull + i % 3000, 1 } };
	CHECK(write_trace(tmp_path("gfp.frt"), evs, n, NULL) == 0);
	got = read_all(tmp_path("gfp.frt"), back, n, &st, msg, sizeof(msg));
	CHECK(got == (long)n && st == FRT_READ_OK, "%ld %s", got, msg);
	for (size_t i = 0; i < n && got == (long)n; i++)
		if (!event_eq(&evs[i], &back[i])) {
			CHECK(0, "event %zu differs", i);
			break;
		}
	free(evs);
	free(back);
}

/* SNAPSHOT, STATS, TRAILER and an unknown frame type, between EVENTS frames. */
static void test_every_frame_type(void)
{
	struct frt_writer *w = frt_writer_new(create(tmp_path("ft.frt")), meta, NULL);
	struct frt_event e1 = { .ts = 10, .type = FRT_EV_PAGE_FREE, .free = { 42, 3 } };
	struct frt_event e2 = { .ts = 20, .type = FRT_EV_PAGE_FREE_BATCHED, .free_batched = { 43 } };
	struct frt_frame_info fi;
	struct frt_event ev;
	struct frt_reader *r;
	uint8_t seen[8] = { 0 };
	/* a SNAPSHOT payload: JSON header, NUL, binary */
	static const char snap[] = "{\"kind\":\"start\"}\0\x01\x02\xff";
	const char *payload;
	int ret;

	CHECK(frt_writer_add(w, &e1) == 0);
	CHECK(frt_writer_put_frame(w, FRT_FRAME_SNAPSHOT, snap, sizeof(snap)) == 0);
	CHECK(frt_writer_put_json(w, (enum frt_frame_type)77, "{\"future\":true}") == 0);
	CHECK(frt_writer_add(w, &e2) == 0);
	CHECK(frt_writer_put_json(w, FRT_FRAME_STATS, "{\"lost_total\":2}") == 0);
	frt_writer_set_lost(w, 2);
	CHECK(frt_writer_put_json(w, FRT_FRAME_STATS, "{\"lost_total\":3}") == 0);
	frt_writer_set_lost(w, 3); /* cumulative: the last one is the total */
	CHECK(frt_writer_close(w) == 0);

	r = frt_reader_open(tmp_path("ft.frt"), NULL, 0);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(strstr(frt_reader_meta(r), "\"created_by\":\"test\"") != NULL);
	while ((ret = frt_reader_next_frame(r, &fi)) > 0) {
		seen[fi.type < 8 ? fi.type : 0]++;
		payload = frt_reader_frame_payload(r, NULL);
		if (fi.type == FRT_FRAME_SNAPSHOT) {
			uint32_t len;

			payload = frt_reader_frame_payload(r, &len);
			CHECK(len == sizeof(snap) && !memcmp(payload, snap, sizeof(snap)));
		}
		if (fi.type == FRT_FRAME_STATS)
			CHECK(!strcmp(payload, seen[3] == 1 ? "{\"lost_total\":2}" : "{\"lost_total\":3}"));
		if (fi.type == FRT_FRAME_EVENTS) {
			CHECK(fi.records == 1);
			CHECK(frt_reader_next(r, &ev) == 1);
			CHECK(event_eq(&ev, seen[1] == 1 ? &e1 : &e2));
		}
	}
	CHECK(ret == 0);
	CHECK(seen[FRT_FRAME_EVENTS] == 2 && seen[FRT_FRAME_SNAPSHOT] == 1 &&
	      seen[FRT_FRAME_STATS] == 2 && seen[FRT_FRAME_TRAILER] == 1 && seen[0] == 1,
	      "frames %u %u %u %u unknown %u", seen[1], seen[2], seen[3], seen[4], seen[0]);
	CHECK(frt_reader_unknown_frames(r) == 1);
	CHECK(frt_reader_status(r) == FRT_READ_OK);
	CHECK(frt_reader_trailer(r) && strstr(frt_reader_trailer(r), "\"lost_events\":3") &&
	      strstr(frt_reader_trailer(r), "\"events\":2"), "%s", frt_reader_trailer(r));
	frt_reader_free(r);
}

/*
 * frt_reader_next_frame_of(): the frames frt_reader_next_frame() gives, in
 * the same order, only those of its type (and the trailer) decoded; a frame
 * it steps over still has its checksum checked. On test_every_frame_type's
 * file, then on a copy with a byte of its first EVENTS payload flipped.
 */
static void test_frames_of_one_type(void)
{
	struct frt_reader *r = frt_reader_open(tmp_path("ft.frt"), NULL, 0);
	struct frt_frame_info fi;
	struct frt_event ev;
	uint8_t types[16];
	unsigned int n = 0, k = 0;
	uint64_t events_off = 0;
	int ret;

	CHECK(r != NULL);
	if (!r)
		return;
	while ((ret = frt_reader_next_frame(r, &fi)) > 0 && n < sizeof(types))
		types[n++] = fi.type;
	frt_reader_free(r);
	r = frt_reader_open(tmp_path("ft.frt"), NULL, 0);
	CHECK(r != NULL);
	if (!r)
		return;
	while ((ret = frt_reader_next_frame_of(r, FRT_FRAME_SNAPSHOT, &fi)) > 0) {
		CHECK(k < n && fi.index == k && fi.type == types[k], "frame %u: index %u type %u",
		      k, fi.index, fi.type);
		k++;
		if (fi.type == FRT_FRAME_SNAPSHOT) {
			uint32_t len;
			const char *payload = frt_reader_frame_payload(r, &len);

			CHECK(len == sizeof("{\"kind\":\"start\"}\0\x01\x02\xff") &&
			      !strcmp(payload, "{\"kind\":\"start\"}"));
		}
		if (fi.type == FRT_FRAME_EVENTS) {
			CHECK(frt_reader_frame_next(r, &ev) == 0, "events from a frame stepped over");
			if (!events_off)
				events_off = fi.offset;
		}
	}
	CHECK(ret == 0 && k == n && frt_reader_status(r) == FRT_READ_OK && frt_reader_trailer(r),
	      "ret %d, %u of %u frames", ret, k, n);
	frt_reader_free(r);

	/* a flipped byte in a frame it does not decode: the same checksum error */
	FILE *f = fopen(tmp_path("ft.frt"), "rb");
	static uint8_t buf[1 << 16];
	size_t len = f ? fread(buf, 1, sizeof(buf), f) : 0;

	if (f)
		fclose(f);
	CHECK(len > events_off + FRT_FRAME_HEADER_SIZE && events_off && len < sizeof(buf));
	if (!events_off || len <= events_off + FRT_FRAME_HEADER_SIZE)
		return;
	buf[events_off + FRT_FRAME_HEADER_SIZE] ^= 0x40;
	f = fopen(tmp_path("ft-bad.frt"), "wb");
	CHECK(f && fwrite(buf, 1, len, f) == len && fclose(f) == 0);
	r = frt_reader_open(tmp_path("ft-bad.frt"), NULL, 0);
	CHECK(r != NULL);
	if (!r)
		return;
	while ((ret = frt_reader_next_frame_of(r, FRT_FRAME_SNAPSHOT, &fi)) > 0)
		;
	CHECK(ret < 0 && strstr(frt_reader_error(r), "checksum mismatch"), "%d %s", ret,
	      frt_reader_error(r));
	frt_reader_free(r);
}

/*
 * frt_reader_next_frame_head(): a compressed SNAPSHOT frame decompressed only
 * as far as its JSON header's NUL (in 64 KiB steps), whatever the header's
 * length, the frame's binary rest (1 MiB that zstd cannot shrink) left
 * alone; the frame after it read as frt_reader_next_frame() reads it.
 *
 *   frame 0: SNAPSHOT  {"kind":"end","pad":"xx…"} NUL  1 MiB of noise
 *            (the header 10 bytes, then 100 KiB: two steps)
 *   frame 1: SNAPSHOT  {"kind":"start"} NUL  1 MiB of noise
 *   frame 2: TRAILER
 */
static void test_frame_heads(void)
{
	const size_t body = 1 << 20, pads[2] = { 10, 100 << 10 };
	char *snap = malloc(pads[1] + 64 + body);
	struct frt_writer *w = frt_writer_new(create(tmp_path("head.frt")), meta, NULL);
	struct frt_frame_info fi;
	struct frt_reader *r;
	uint64_t x = 88172645463325252ull;
	size_t hlen[2];
	int ret;

	CHECK(snap && w);
	if (!snap || !w)
		return;
	for (int f = 0; f < 2; f++) {
		size_t n = (size_t)sprintf(snap, f ? "{\"kind\":\"start\",\"pad\":\"" :
						  "{\"kind\":\"end\",\"pad\":\"");

		memset(snap + n, 'x', pads[f ? 0 : 1]);
		n += pads[f ? 0 : 1];
		n += (size_t)sprintf(snap + n, "\"}");
		hlen[f] = n;
		snap[n++] = '\0';
		for (size_t i = 0; i < body; i++) { /* xorshift64: nothing for zstd to match */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			snap[n + i] = (char)x;
		}
		CHECK(frt_writer_put_frame(w, FRT_FRAME_SNAPSHOT, snap, n + body) == 0);
	}
	CHECK(frt_writer_close(w) == 0);
	free(snap);
	r = frt_reader_open(tmp_path("head.frt"), NULL, 0);
	CHECK(r != NULL);
	for (int f = 0; r && f < 2; f++) {
		uint32_t len;
		const char *payload;

		CHECK(frt_reader_next_frame_head(r, FRT_FRAME_SNAPSHOT, &fi) == 1 &&
		      fi.type == FRT_FRAME_SNAPSHOT && (fi.flags & FRT_FRAME_F_ZSTD));
		payload = frt_reader_frame_payload(r, &len);
		const char *kind = f ? "{\"kind\":\"start\"" : "{\"kind\":\"end\"";

		CHECK(strlen(payload) == hlen[f] && !strncmp(payload, kind, strlen(kind)),
		      "frame %d: header of %zu bytes, want %zu", f, strlen(payload), hlen[f]);
		CHECK(len > hlen[f] && len <= hlen[f] + (64u << 10) && len < fi.raw_size,
		      "frame %d: %u of %u bytes decompressed", f, len, fi.raw_size);
	}
	/* the trailer, read whole */
	CHECK(r && (ret = frt_reader_next_frame_head(r, FRT_FRAME_SNAPSHOT, &fi)) == 1 &&
	      fi.type == FRT_FRAME_TRAILER && frt_reader_trailer(r) &&
	      frt_reader_status(r) == FRT_READ_OK);
	frt_reader_free(r);
}

/*
 * A trace whose metadata says mm_compaction_migratepages was attached as
 * tp_btf, written before tp_btf_revision 2, holds the tracepoint's arguments
 * (nr_migratepages, nr_succeeded) as the event's fields: the reader gives the
 * kernel's fields (nr_succeeded, the difference), by event and by batch. With
 * revision 2, or attached as tp/, the fields are read as written.
 */
static void test_old_tp_btf_migratepages_corrected(void)
{
	static const struct { const char *meta; bool fixed; } cases[] = {
		{ "{\"bpf_attach\":{\"compaction:mm_compaction_migratepages\":\"tp_btf\"}}", true },
		{ "{\"bpf_attach\":{\"compaction:mm_compaction_migratepages\":\"tp_btf\"},"
		  "\"tp_btf_revision\":2}", false },
		{ "{\"bpf_attach\":{\"compaction:mm_compaction_migratepages\":\"tp\"}}", false },
	};
	struct frt_event e = { .ts = 5, .type = FRT_EV_COMPACTION_MIGRATEPAGES,
			       .migratepages = { 32, 30 } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct frt_writer *w = frt_writer_new(create(tmp_path("mig.frt")), cases[i].meta,
						      NULL);
		struct frt_event got[2];
		struct frt_reader *r;
		uint64_t want_m = cases[i].fixed ? 30 : 32, want_f = cases[i].fixed ? 2 : 30;

		CHECK(w && frt_writer_add(w, &e) == 0 && frt_writer_close(w) == 0);
		r = frt_reader_open(tmp_path("mig.frt"), NULL, 0);
		CHECK(r && frt_reader_next(r, &got[0]) == 1);
		frt_reader_free(r);
		r = frt_reader_open(tmp_path("mig.frt"), NULL, 0);
		CHECK(r && frt_reader_next_batch(r, &got[1], 1) == 1);
		frt_reader_free(r);
		for (int k = 0; k < 2; k++)
			CHECK(got[k].migratepages.nr_migrated == want_m &&
			      got[k].migratepages.nr_failed == want_f,
			      "case %zu, %s: %" PRIu64 "/%" PRIu64, i, k ? "batch" : "event",
			      got[k].migratepages.nr_migrated, got[k].migratepages.nr_failed);
	}
}

static int copy_file(const char *from, const char *to)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	return system(cmd);
}

static void flip_bit(int fd, uint64_t bit)
{
	uint8_t b;

	if (pread(fd, &b, 1, (off_t)(bit / 8)) == 1) {
		b ^= (uint8_t)(1 << (bit % 8));
		if (pwrite(fd, &b, 1, (off_t)(bit / 8)) != 1)
			abort();
	}
}

/* End offset and event count of each frame of a good file. */
struct frame_end { uint64_t end; uint32_t events; };

static size_t frame_ends(const char *path, struct frame_end *fe, size_t max, uint64_t *data_start)
{
	struct frt_reader *r = frt_reader_open(path, NULL, 0);
	struct frt_frame_info fi;
	struct frt_event ev;
	size_t n = 0;

	*data_start = frt_reader_valid_bytes(r);
	while (frt_reader_next_frame(r, &fi) > 0 && n < max) {
		fe[n].end = fi.offset + FRT_FRAME_HEADER_SIZE + fi.stored_size;
		fe[n].events = 0;
		while (frt_reader_frame_next(r, &ev) > 0)
			fe[n].events++;
		n++;
	}
	frt_reader_free(r);
	return n;
}

/*
 * Cut the file at every offset: the reader returns exactly the events of the
 * frames wholly before the cut, says the file is not whole, and names an
 * offset. Then flip every bit of a small file: CRC32C catches all one-bit
 * errors, so the result is always a valid prefix and never "complete".
 */
static void test_truncation_and_bit_flips(void)
{
	size_t n = 150;
	struct frt_event *evs = random_events(99, n), *back = calloc(n, sizeof(*back));
	struct frt_writer_opts o = { .events_per_frame = 10 };
	struct frame_end fe[64];
	uint64_t data_start, size;
	struct stat st;
	size_t nf;
	char msg[600];
	enum frt_read_status status;
	int cut_fail = 0, flip_fail = 0, flip_fd;

	CHECK(write_trace(tmp_path("full.frt"), evs, n, &o) == 0);
	stat(tmp_path("full.frt"), &st);
	size = (uint64_t)st.st_size;
	nf = frame_ends(tmp_path("full.frt"), fe, 64, &data_start);
	CHECK(nf > 10, "want many frames, got %zu", nf);

	/* cut from the end down, shrinking one copy in place */
	CHECK(copy_file(tmp_path("full.frt"), tmp_path("cut.frt")) == 0);
	for (uint64_t cut = size + 1; cut-- > 0;) {
		long want = 0, got;

		for (size_t i = 0; i < nf && fe[i].end <= cut; i++)
			want += fe[i].events;
		CHECK(truncate(tmp_path("cut.frt"), (off_t)cut) == 0);
		got = read_all(tmp_path("cut.frt"), back, n, &status, msg, sizeof(msg));
		if (cut < data_start) {
			cut_fail += got != -1 || !strstr(msg, tmp_path("cut.frt"));
			continue;
		}
		if (got != want || (cut < size && (status == FRT_READ_OK ||
						   !strstr(msg, "byte offset"))) ||
		    (cut == size && status != FRT_READ_OK)) {
			if (!cut_fail++)
				fprintf(stderr, "cut at %llu: got %ld want %ld status %d: %s\n",
					(unsigned long long)cut, got, want, status, msg);
			continue;
		}
		for (long i = 0; i < got; i++)
			cut_fail += !event_eq(&back[i], &evs[i]);
	}
	CHECK(cut_fail == 0, "%d bad cuts of %llu", cut_fail, (unsigned long long)size);

	CHECK(copy_file(tmp_path("full.frt"), tmp_path("flip.frt")) == 0);
	flip_fd = open(tmp_path("flip.frt"), O_RDWR);
	for (uint64_t bit = 0; bit < size * 8; bit++) {
		long got;

		flip_bit(flip_fd, bit);
		got = read_all(tmp_path("flip.frt"), back, n, &status, msg, sizeof(msg));
		flip_bit(flip_fd, bit); /* restore */
		if (got < 0)
			continue; /* header or metadata damaged: refused at open */
		if (status == FRT_READ_OK || got > (long)n) {
			if (!flip_fail++)
				fprintf(stderr, "bit %llu: status %d, %ld events\n",
					(unsigned long long)bit, status, got);
			continue;
		}
		for (long i = 0; i < got; i++)
			flip_fail += !event_eq(&back[i], &evs[i]);
	}
	close(flip_fd);
	CHECK(flip_fail == 0, "%d bad flips", flip_fail);
	free(evs);
	free(back);
}

/*
 * A frame whose checksum holds but whose records do not decode (a writer bug
 * or a crafted file) is named by its own index and offset, and the valid
 * prefix ends where it starts.
 */
static void test_decode_error_names_its_frame(void)
{
	struct frt_event evs[16];
	struct frt_writer_opts o = { .store = true, .events_per_frame = 4 };
	size_t n = 0;
	uint8_t hdr[FRT_FRAME_HEADER_SIZE], *payload;
	struct frt_frame_info fi;
	struct frt_reader *r;
	uint32_t crc, records;
	char want[64];
	int fd, ret;

	for (; n < 12; n++)
		evs[n] = (struct frt_event){ .ts = n, .type = FRT_EV_PAGE_FREE, .free = { n, 0 } };
	CHECK(write_trace(tmp_path("rec.frt"), evs, n, &o) == 0);
	r = frt_reader_open(tmp_path("rec.frt"), NULL, 0);
	CHECK(frt_reader_next_frame(r, &fi) == 1 && frt_reader_next_frame(r, &fi) == 1);
	frt_reader_free(r);
	CHECK(fi.index == 1 && fi.records == 4);

	/* one more record than the payload holds, with a recomputed checksum */
	fd = open(tmp_path("rec.frt"), O_RDWR);
	payload = malloc(fi.stored_size);
	CHECK(pread(fd, hdr, sizeof(hdr), (off_t)fi.offset) == sizeof(hdr));
	CHECK(pread(fd, payload, fi.stored_size, (off_t)fi.offset + sizeof(hdr)) ==
	      (ssize_t)fi.stored_size);
	records = fi.records + 1;
	memcpy(hdr + 16, &records, 4);
	crc = frt_crc32c(frt_crc32c(0, hdr, 20), payload, fi.stored_size);
	memcpy(hdr + 20, &crc, 4);
	CHECK(pwrite(fd, hdr, sizeof(hdr), (off_t)fi.offset) == sizeof(hdr));
	close(fd);
	free(payload);

	r = frt_reader_open(tmp_path("rec.frt"), NULL, 0);
	while ((ret = frt_reader_next(r, &evs[0])) > 0)
		;
	snprintf(want, sizeof(want), "frame 1 at byte offset %llu:", (unsigned long long)fi.offset);
	CHECK(ret == -EBADMSG && frt_reader_status(r) == FRT_READ_DAMAGED);
	CHECK(strstr(frt_reader_error(r), want), "%s (want %s)", frt_reader_error(r), want);
	CHECK(frt_reader_valid_bytes(r) == fi.offset, "valid prefix ends at %llu",
	      (unsigned long long)frt_reader_valid_bytes(r));
	frt_reader_free(r);
}

/*
 * FORMAT.md versioning: a newer writer may add event types (here 40) and
 * append fields to known ones (here a third field on mm_page_free). The
 * frame's schema table lets this reader decode both: the new type with its
 * raw fields, the known one with the appended field kept in f[2] (fields past
 * FRT_MAX_FIELDS would be decoded and dropped).
 */
static void test_schema_table_decodes_newer_writers(void)
{
	static const uint8_t payload[] = {
		2,                                       /* two types described */
		40, 2, FRT_FK_UINT, FRT_FK_PFN,          /* type 40: uint, pfn */
		FRT_EV_PAGE_FREE, 3, FRT_FK_PFN, FRT_FK_UINT, FRT_FK_SINT,
		40, 1, 5, 7, 0x21,                       /* cpu 1, ts 5, 7, pfn 0x10 */
		FRT_EV_PAGE_FREE, 0, 1, 0x21, 3, 1,      /* ts 6, pfn 0x20, order 3, -1 */
	};
	struct frt_writer *w = frt_writer_new(create(tmp_path("new.frt")), meta, NULL);
	uint8_t hdr[FRT_FRAME_HEADER_SIZE] = "FRFM";
	struct frt_event ev[3];
	enum frt_read_status st;
	char msg[600];
	uint32_t v, crc;
	int fd;

	frt_writer_abort(w); /* file header and metadata only */
	hdr[4] = FRT_FRAME_EVENTS;
	v = sizeof(payload);
	memcpy(hdr + 8, &v, 4);
	memcpy(hdr + 12, &v, 4);
	v = 2;
	memcpy(hdr + 16, &v, 4);
	crc = frt_crc32c(frt_crc32c(0, hdr, 20), payload, sizeof(payload));
	memcpy(hdr + 20, &crc, 4);
	fd = open(tmp_path("new.frt"), O_WRONLY | O_APPEND);
	CHECK(write(fd, hdr, sizeof(hdr)) == sizeof(hdr));
	CHECK(write(fd, payload, sizeof(payload)) == sizeof(payload));
	close(fd);

	CHECK(read_all(tmp_path("new.frt"), ev, 3, &st, msg, sizeof(msg)) == 2, "%s", msg);
	CHECK(st == FRT_READ_TRUNCATED, "no trailer: %d", st);
	CHECK(ev[0].type == 40 && ev[0].cpu == 1 && ev[0].ts == 5 && ev[0].f[0] == 7 &&
	      ev[0].f[1] == 0x10 && ev[0].f[2] == 0);
	CHECK(ev[1].type == FRT_EV_PAGE_FREE && ev[1].ts == 6 && ev[1].free.pfn == 0x20 &&
	      ev[1].free.order == 3 && (int64_t)ev[1].f[2] == -1 && ev[1].f[3] == 0,
	      "the appended third field is kept: type %u ts %llu f %llx %llx %llx", ev[1].type,
	      (unsigned long long)ev[1].ts, (unsigned long long)ev[1].f[0],
	      (unsigned long long)ev[1].f[1], (unsigned long long)ev[1].f[2]);
}

/* Append an uncompressed EVENTS frame of @len payload bytes and @records records. */
static void append_events_frame(const char *path, const uint8_t *payload, uint32_t len,
				uint32_t records)
{
	uint8_t hdr[FRT_FRAME_HEADER_SIZE] = "FRFM";
	uint32_t crc;
	int fd;

	hdr[4] = FRT_FRAME_EVENTS;
	memcpy(hdr + 8, &len, 4);
	memcpy(hdr + 12, &len, 4);
	memcpy(hdr + 16, &records, 4);
	crc = frt_crc32c(frt_crc32c(0, hdr, 20), payload, len);
	memcpy(hdr + 20, &crc, 4);
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(write(fd, hdr, sizeof(hdr)) == sizeof(hdr));
	CHECK(write(fd, payload, len) == (ssize_t)len);
	close(fd);
}

/*
 * FORMAT.md §6.6 by hand: records before any task record have no task; a
 * task_switch to 0 forgets it; task records never reach the caller; and a
 * task_switch past the table, or a pid outside a C int, is damage that names
 * its record.
 */
static void test_task_records(void)
{
	static const uint8_t good[] = {
		3,
		FRT_EV_PAGE_FREE, 2, FRT_FK_PFN, FRT_FK_UINT,
		FRT_EV_TASK, 4, FRT_FK_SINT, FRT_FK_SINT, FRT_FK_UINT, FRT_FK_UINT,
		FRT_EV_TASK_SWITCH, 1, FRT_FK_UINT,
		FRT_EV_PAGE_FREE, 0, 1, 0x21, 0,             /* no task yet */
		FRT_EV_TASK, 0, 0, 0x54, 1, 'a', 0,           /* entry 1: pid 42, tgid -1, "a" */
		FRT_EV_PAGE_FREE, 0, 1, 0x03, 1,             /* pid 42 */
		FRT_EV_PAGE_FREE, 1, 1, 0x03, 1,             /* cpu 1: no task */
		FRT_EV_TASK_SWITCH, 0, 0, 0,                 /* cpu 0 forgets it */
		FRT_EV_PAGE_FREE, 0, 1, 0x03, 2,
	};
	static const uint8_t past_table[] = {
		1, FRT_EV_TASK_SWITCH, 1, FRT_FK_UINT,
		FRT_EV_TASK_SWITCH, 0, 0, 1,                 /* entry 1 of an empty table */
	};
	static const uint8_t big_pid[] = {
		1, FRT_EV_TASK, 4, FRT_FK_SINT, FRT_FK_SINT, FRT_FK_UINT, FRT_FK_UINT,
		FRT_EV_TASK, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x10, 0, 0, 0, /* pid 2^31 */
	};
	struct frt_writer *w;
	struct frt_event ev[8];
	enum frt_read_status st;
	char msg[600];

	w = frt_writer_new(create(tmp_path("task.frt")), meta, NULL);
	frt_writer_abort(w); /* file header and metadata only */
	append_events_frame(tmp_path("task.frt"), good, sizeof(good), 6);
	CHECK(read_all(tmp_path("task.frt"), ev, 8, &st, msg, sizeof(msg)) == 4, "%s", msg);
	CHECK(st == FRT_READ_TRUNCATED, "%d %s", st, msg);
	CHECK(!ev[0].has_task && ev[0].pid == -1 && ev[0].free.pfn == 0x10);
	CHECK(ev[1].has_task && ev[1].pid == 42 && ev[1].tgid == -1 && !strcmp(ev[1].comm, "a") &&
	      ev[1].cpu == 0 && ev[1].ts == 2 && ev[1].free.order == 1,
	      "pid %d tgid %d comm %.16s ts %llu", ev[1].pid, ev[1].tgid, ev[1].comm,
	      (unsigned long long)ev[1].ts);
	CHECK(!ev[2].has_task && ev[2].cpu == 1);
	CHECK(!ev[3].has_task && ev[3].cpu == 0 && ev[3].free.order == 2);

	w = frt_writer_new(create(tmp_path("task2.frt")), meta, NULL);
	frt_writer_abort(w);
	append_events_frame(tmp_path("task2.frt"), past_table, sizeof(past_table), 1);
	CHECK(read_all(tmp_path("task2.frt"), ev, 8, &st, msg, sizeof(msg)) == 0);
	CHECK(st == FRT_READ_DAMAGED && strstr(msg, "bad task record 0 of 1"), "%d %s", st, msg);

	w = frt_writer_new(create(tmp_path("task3.frt")), meta, NULL);
	frt_writer_abort(w);
	append_events_frame(tmp_path("task3.frt"), big_pid, sizeof(big_pid), 1);
	CHECK(read_all(tmp_path("task3.frt"), ev, 8, &st, msg, sizeof(msg)) == 0);
	CHECK(st == FRT_READ_DAMAGED && strstr(msg, "bad task record"), "%d %s", st, msg);
}

/* More distinct tasks than one frame's table holds: the frame splits; events stay whole. */
static void test_task_table_overflow(void)
{
	size_t n = FRT_TASK_TABLE_MAX + 5000;
	struct frt_event *evs = calloc(n, sizeof(*evs)), *back = calloc(n, sizeof(*back));
	struct frt_writer_opts o = { .events_per_frame = 1u << 20 };
	struct frt_reader *r;
	struct frt_frame_info fi;
	enum frt_read_status st;
	char msg[600];
	long got;
	int frames = 0;

	for (size_t i = 0; i < n; i++) {
		evs[i] = (struct frt_event){ .ts = i, .cpu = i % 3, .type = FRT_EV_PAGE_FREE,
			.free = { i, 0 } };
		set_task(&evs[i], (int32_t)i, 7, i % 2 ? "odd" : "even");
	}
	CHECK(write_trace(tmp_path("tasks.frt"), evs, n, &o) == 0);
	got = read_all(tmp_path("tasks.frt"), back, n, &st, msg, sizeof(msg));
	CHECK(got == (long)n && st == FRT_READ_OK, "%ld %s", got, msg);
	for (size_t i = 0; i < n && got == (long)n; i++)
		if (!event_eq(&evs[i], &back[i])) {
			CHECK(0, "event %zu differs", i);
			break;
		}
	r = frt_reader_open(tmp_path("tasks.frt"), NULL, 0);
	while (r && frt_reader_next_frame(r, &fi) > 0)
		frames += fi.type == FRT_FRAME_EVENTS;
	frt_reader_free(r);
	CHECK(frames == 2, "%d events frames", frames);
	free(evs);
	free(back);
}

/*
 * A trace of @path's header and metadata only, then one frame of @type whose
 * payload is two zstd frames that together decompress to its raw_size, with
 * a valid CRC: damage, but only to a reader that decompresses it.
 */
static void write_two_zstd_frames(const char *path, uint8_t type)
{
	static const char json[] = "{\"lost_per_cpu\":[0],\"lost_total\":0}";
	struct frt_writer *w = frt_writer_new(create(path), meta, NULL);
	uint8_t hdr[FRT_FRAME_HEADER_SIZE] = "FRFM", z[256];
	size_t half = sizeof(json) / 2, n1, n2;
	uint32_t v, crc;
	int fd;

	frt_writer_abort(w);
	n1 = ZSTD_compress(z, sizeof(z), json, half, 3);
	n2 = ZSTD_compress(z + n1, sizeof(z) - n1, json + half, sizeof(json) - 1 - half, 3);
	CHECK(!ZSTD_isError(n1) && !ZSTD_isError(n2));
	hdr[4] = type;
	hdr[5] = FRT_FRAME_F_ZSTD;
	v = (uint32_t)(n1 + n2);
	memcpy(hdr + 8, &v, 4);
	v = sizeof(json) - 1;
	memcpy(hdr + 12, &v, 4);
	v = 1;
	memcpy(hdr + 16, &v, 4);
	crc = frt_crc32c(frt_crc32c(0, hdr, 20), z, n1 + n2);
	memcpy(hdr + 20, &crc, 4);
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(write(fd, hdr, sizeof(hdr)) == sizeof(hdr));
	CHECK(write(fd, z, n1 + n2) == (ssize_t)(n1 + n2));
	close(fd);
}

/*
 * FORMAT.md 5.1: a zstd payload is exactly one zstd frame. Two frames that
 * together decompress to raw_size, with a valid CRC, are still damage.
 */
static void test_two_zstd_frames_are_damage(void)
{
	struct frt_frame_info fi;
	struct frt_reader *r;

	write_two_zstd_frames(tmp_path("z2.frt"), FRT_FRAME_STATS);
	r = frt_reader_open(tmp_path("z2.frt"), NULL, 0);
	CHECK(frt_reader_next_frame(r, &fi) == -EBADMSG);
	CHECK(strstr(frt_reader_error(r), "not exactly one zstd frame"), "%s",
	      frt_reader_error(r));
	frt_reader_free(r);
}

/*
 * frt_reader_next_frame_kept() (replay's decoder, replay/pipe.c): the frames
 * frt_reader_next_frame() gives, in the same order with the same events, but
 * a SNAPSHOT frame is only checked (CRC), not decompressed: one whose zstd
 * payload is damage to frt_reader_next_frame() passes.
 */
static void test_next_frame_kept(void)
{
	struct frt_event evs[300], a[300], b[300];
	struct frt_frame_info fa, fb;
	struct frt_writer *w = frt_writer_new(create(tmp_path("kept.frt")), meta, NULL);
	struct frt_reader *ra, *rb;
	char snap[4096];
	int ret = 0;

	for (size_t i = 0; i < 300; i++) {
		evs[i] = (struct frt_event){ .ts = 1000 + i, .type = FRT_EV_PAGE_FREE };
		evs[i].free.pfn = 0x1000 + 3 * i;
	}
	memset(snap, 'x', sizeof(snap) - 1);
	snap[sizeof(snap) - 1] = 0;
	for (size_t i = 0; i < 300 && w && !ret; i++) {
		ret = frt_writer_add(w, &evs[i]);
		if (i == 150 && !ret) /* a SNAPSHOT frame between two EVENTS frames */
			ret = frt_writer_put_frame(w, FRT_FRAME_SNAPSHOT, snap, sizeof(snap));
	}
	CHECK(w && !ret && frt_writer_close(w) == 0, "write: %d", ret);
	ra = frt_reader_open(tmp_path("kept.frt"), NULL, 0);
	rb = frt_reader_open(tmp_path("kept.frt"), NULL, 0);
	size_t na = 0, nb = 0, snaps = 0;
	int ka, kb;
	for (;;) {
		ka = frt_reader_next_frame(ra, &fa);
		kb = frt_reader_next_frame_kept(rb, &fb);
		if (ka <= 0 || kb <= 0)
			break;
		CHECK(fa.type == fb.type && fa.index == fb.index && fa.records == fb.records,
		      "frame %u: type %u / %u", fa.index, fa.type, fb.type);
		snaps += fa.type == FRT_FRAME_SNAPSHOT;
		ssize_t n;
		while (na < 300 && (n = frt_reader_frame_batch(ra, a + na, 300 - na)) > 0)
			na += (size_t)n;
		while (nb < 300 && (n = frt_reader_frame_batch(rb, b + nb, 300 - nb)) > 0)
			nb += (size_t)n;
	}
	CHECK(ka == 0 && kb == 0, "ends: %d / %d", ka, kb);
	CHECK(snaps == 1, "%zu SNAPSHOT frames", snaps);
	CHECK(na == 300 && nb == 300, "events %zu / %zu", na, nb);
	for (size_t i = 0; i < na && i < nb; i++)
		if (!event_eq(&a[i], &b[i]) || !event_eq(&a[i], &evs[i])) {
			CHECK(0, "event %zu differs", i);
			break;
		}
	frt_reader_free(ra);
	frt_reader_free(rb);

	write_two_zstd_frames(tmp_path("kept2.frt"), FRT_FRAME_SNAPSHOT);
	ra = frt_reader_open(tmp_path("kept2.frt"), NULL, 0);
	rb = frt_reader_open(tmp_path("kept2.frt"), NULL, 0);
	CHECK(frt_reader_next_frame(ra, &fa) == -EBADMSG, "decompressed: damage");
	CHECK(frt_reader_next_frame_kept(rb, &fb) == 1 && fb.type == FRT_FRAME_SNAPSHOT,
	      "kept: passed: %s", frt_reader_error(rb));
	CHECK(frt_reader_next_frame_kept(rb, &fb) == 0 && frt_reader_status(rb) == FRT_READ_TRUNCATED,
	      "then the end (no trailer)");
	frt_reader_free(ra);
	frt_reader_free(rb);
}

/* LEB128 limits: 10 bytes carry 64 bits; a 65th bit or an 11th byte is damage. */
static void test_varint_limits(void)
{
	uint8_t max[10], over[10], longer[11];
	const uint8_t *p;
	uint64_t v;

	memset(max, 0xff, 9);
	max[9] = 0x01;
	memcpy(over, max, 10);
	over[9] = 0x02;
	memset(longer, 0x80, 10);
	longer[10] = 0;
	p = max;
	CHECK(varint_get(&p, max + 10, &v) == 0 && v == UINT64_MAX && p == max + 10);
	p = over;
	CHECK(varint_get(&p, over + 10, &v) == -1);
	p = longer;
	CHECK(varint_get(&p, longer + 11, &v) == -1);
	p = max;
	CHECK(varint_get(&p, max + 5, &v) == -1, "ends inside the varint");
	CHECK(varint_put(max, UINT64_MAX) == 10 && max[9] == 0x01);
}

/*
 * CRC32C (FORMAT.md "Primitives"): the RFC 3720 (iSCSI) B.4 vectors and
 * FORMAT.md's check value, in software and as frt_crc32c() computes it (the
 * SSE4.2 instruction where the CPU has it); then the two on random buffers
 * of every length and alignment, whole and continued.
 */
static void test_crc32c(void)
{
	static const uint8_t read10[48] = {
		0x01, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x14, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0x14, 0, 0, 0, 0x18,
		0x28, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0,
	};
	uint8_t buf[32], big[1100];
	unsigned long long seed = 3720;
	int bad = 0;

	printf("  frt_crc32c: %s\n", frt_crc32c_hw() ? "SSE4.2 crc32" : "software only");
	for (int which = 0; which < 2; which++) {
		uint32_t (*crc)(uint32_t, const void *, size_t) = which ? frt_crc32c_sw : frt_crc32c;

		memset(buf, 0, sizeof(buf));
		CHECK(crc(0, buf, 32) == 0x8A9136AA, "%d zeros", which);
		memset(buf, 0xff, sizeof(buf));
		CHECK(crc(0, buf, 32) == 0x62A8AB43, "%d ones", which);
		for (int i = 0; i < 32; i++)
			buf[i] = (uint8_t)i;
		CHECK(crc(0, buf, 32) == 0x46DD794E, "%d incrementing", which);
		for (int i = 0; i < 32; i++)
			buf[i] = (uint8_t)(31 - i);
		CHECK(crc(0, buf, 32) == 0x113FDB5C, "%d decrementing", which);
		CHECK(crc(0, read10, sizeof(read10)) == 0xD9963A56, "%d iSCSI read", which);
		CHECK(crc(0, "123456789", 9) == 0xE3069283, "%d check value", which);
		CHECK(crc(0, "", 0) == 0, "%d empty", which);
	}
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)rnd_next(&seed);
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len + off <= sizeof(big); len += 1 + len / 16) {
			const uint8_t *p = big + off;
			size_t cut = len ? (size_t)rnd_next(&seed) % len : 0;
			uint32_t want = frt_crc32c_sw(0, p, len);

			bad += frt_crc32c(0, p, len) != want;
			bad += frt_crc32c(frt_crc32c(0, p, cut), p + cut, len - cut) != want;
			bad += frt_crc32c_sw(frt_crc32c_sw(0, p, cut), p + cut, len - cut) != want;
		}
	CHECK(bad == 0, "%d random buffers differ", bad);
}

static void test_not_a_trace(void)
{
	enum frt_read_status st;
	char msg[600];
	struct frt_event ev;
	int fd = create(tmp_path("text.frt"));

	CHECK(write(fd, "mm_page_alloc: pfn=0x1 order=0\n", 31) == 31);
	close(fd);
	CHECK(read_all(tmp_path("text.frt"), &ev, 1, &st, msg, sizeof(msg)) == -1);
	CHECK(strstr(msg, "not a fragreplay trace") && strstr(msg, "text.frt"), "%s", msg);
	close(create(tmp_path("empty.frt")));
	CHECK(read_all(tmp_path("empty.frt"), &ev, 1, &st, msg, sizeof(msg)) == -1);
	CHECK(read_all(tmp_path("missing.frt"), &ev, 1, &st, msg, sizeof(msg)) == -1);
	CHECK(strstr(msg, "No such file"), "%s", msg);
}

/* A file of a future major version is refused by name, not misread. */
static void test_unknown_major_version(void)
{
	uint8_t hdr[FRT_FILE_HEADER_SIZE];
	char err[600];
	int fd;
	uint32_t crc;

	CHECK(write_trace(tmp_path("v2.frt"), NULL, 0, NULL) == 0);
	fd = open(tmp_path("v2.frt"), O_RDWR);
	CHECK(pread(fd, hdr, sizeof(hdr), 0) == sizeof(hdr));
	hdr[8] = 2;
	hdr[10] = 0;
	crc = frt_crc32c(0, hdr, 28);
	memcpy(hdr + 28, &crc, 4); /* little-endian host */
	CHECK(pwrite(fd, hdr, sizeof(hdr), 0) == sizeof(hdr));
	close(fd);
	errno = 0;
	CHECK(frt_reader_open(tmp_path("v2.frt"), err, sizeof(err)) == NULL);
	CHECK(errno == ENOTSUP, "errno %d", errno);
	CHECK(strstr(err, "format version 2.0 is not supported"), "%s", err);
}

/* golden-v1.frt: written by format 1.0 writers (no tasks); readers must still read it. */
static size_t golden10_events(struct frt_event *evs)
{
	size_t n = 0;

	evs[n++] = (struct frt_event){ .ts = 1000000000, .cpu = 0, .type = FRT_EV_PAGE_ALLOC,
		.alloc = { 0x122bf0, 2, 0x152cc0, 2 } };
	evs[n++] = (struct frt_event){ .ts = 1000000500, .cpu = 1, .type = FRT_EV_PAGE_ALLOC,
		.alloc = { FRT_PFN_NONE, 9, 0x1c24ca, 1 } };
	evs[n++] = (struct frt_event){ .ts = 1000000500, .cpu = 1, .type = FRT_EV_PAGE_ALLOC_EXTFRAG,
		.extfrag = { 0x122a00, 0, 3, 0, 1, 0 } };
	evs[n++] = (struct frt_event){ .ts = 1000001000, .cpu = 0, .type = FRT_EV_PAGE_FREE,
		.free = { 0x122bf0, 2 } };
	evs[n++] = (struct frt_event){ .ts = 1000002000, .cpu = 0,
		.type = FRT_EV_COMPACTION_END,
		.compaction = { 0x1000, 0x1200, 0x5ffe00, 0x600000, 1, 8 } };
	evs[n++] = (struct frt_event){ .ts = 1000003000, .cpu = 1, .type = FRT_EV_MIGRATE_PAIR,
		.pair = { 0x1201, 0x5ffe00, 0 } };
	for (size_t i = 0; i < n; i++)
		evs[i].pid = evs[i].tgid = -1;
	return n;
}

/*
 * golden-v1.1.frt and golden-v1.2.frt (the same bytes but the minor version and
 * the header CRC): the 1.0 events with their tasks, plus two of the 2026
 * pcp tracepoints; FORMAT.md §12.2 walks through its task records. CPU 0
 * runs stress-ng-vm, a kworker, then stress-ng-vm again (a task_switch); CPU
 * 1 kswapd0, then nothing known (task_switch 0); the second frame starts a
 * new table with a 16-byte name and an unknown tgid (as imported from perf).
 */
static size_t golden_events(struct frt_event *evs)
{
	size_t n = golden10_events(evs);

	set_task(&evs[0], 2113, 2111, "stress-ng-vm");
	set_task(&evs[1], 97, 97, "kswapd0");
	set_task(&evs[2], 97, 97, "kswapd0");
	set_task(&evs[3], 5001, 5001, "kworker/u8:3");
	set_task(&evs[4], 2113, 2111, "stress-ng-vm");
	/* evs[5], the migrate_pair: no task */
	evs[n] = (struct frt_event){ .ts = 1000004000, .cpu = 1,
		.type = FRT_EV_PAGE_PCPU_REFILL_ZONE_LOCKED, .pcpu_zone_locked = { 0, 2, 63 } };
	set_task(&evs[n++], 13913, -1, "0123456789abcdef");
	evs[n] = (struct frt_event){ .ts = 1000004000, .cpu = 1, .type = FRT_EV_PAGE_PCPU_REFILL,
		.pcpu_refill = { 0x122c00, 0, 1 } };
	set_task(&evs[n++], 13913, -1, "0123456789abcdef");
	return n;
}

static int write_golden(const char *path)
{
	struct frt_event evs[16];
	size_t n = golden_events(evs);
	struct frt_writer_opts o = { .store = true, .events_per_frame = 10 };
	struct frt_writer *w = frt_writer_new(create(path), meta, &o);
	int err = 0;

	if (!w)
		return -errno;
	for (size_t i = 0; i < n && !err; i++)
		err = frt_writer_add(w, &evs[i]);
	if (!err)
		err = frt_writer_put_json(w, FRT_FRAME_STATS, "{\"lost_per_cpu\":[0,0],\"lost_total\":0}");
	if (err) {
		frt_writer_abort(w);
		return err;
	}
	return frt_writer_close(w);
}

static bool same_bytes(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int ca, cb;
	bool same = fa && fb;

	while (same) {
		ca = fgetc(fa);
		cb = fgetc(fb);
		same = ca == cb;
		if (ca == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

static void test_golden_bytes(void)
{
	struct frt_event evs[16], back[16];
	size_t n = golden_events(evs);
	enum frt_read_status st;
	char msg[600];

	CHECK(write_golden(tmp_path("golden.frt")) == 0);
	CHECK(same_bytes(tmp_path("golden.frt"), golden_path),
	      "the writer's bytes differ from %s: format 1.2 changed", golden_path);
	CHECK(read_all(golden_path, back, 16, &st, msg, sizeof(msg)) == (long)n, "%s", msg);
	CHECK(st == FRT_READ_OK);
	for (size_t i = 0; i < n; i++)
		CHECK(event_eq(&evs[i], &back[i]), "golden event %zu", i);
}

/* What a 1.0 writer wrote still reads, every event without a task. */
static void test_golden_v10_reads(void)
{
	struct frt_event evs[16], back[16];
	size_t n = golden10_events(evs);
	struct frt_reader *r = frt_reader_open(golden10_path, NULL, 0);
	enum frt_read_status st;
	char msg[600];

	CHECK(r && frt_reader_version_minor(r) == 0);
	frt_reader_free(r);
	CHECK(read_all(golden10_path, back, 16, &st, msg, sizeof(msg)) == (long)n, "%s", msg);
	CHECK(st == FRT_READ_OK);
	for (size_t i = 0; i < n; i++)
		CHECK(event_eq(&evs[i], &back[i]) && !back[i].has_task && back[i].pid == -1,
		      "golden 1.0 event %zu", i);
}

/* show_gfp_flags() strings for masks whose 6.18 values are well known */
static void test_gfp_names_match_kernel(void)
{
	static const struct { uint64_t mask; const char *s; } cases[] = {
		{ 0, "none" },
		{ 0xcc0, "GFP_KERNEL" },
		{ 0x400cc0, "GFP_KERNEL_ACCOUNT" },
		{ 0x100cca, "GFP_HIGHUSER_MOVABLE" },
		{ 0x140cca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP" },
		{ 0x820, "GFP_ATOMIC" },
		{ 0x2800, "GFP_NOWAIT" },
		{ 0xcd0, "GFP_KERNEL|__GFP_RECLAIMABLE" },
		{ 0x40000000cc0ull, "GFP_KERNEL|0x40000000000" },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		frt_gfp_format(buf, sizeof(buf), cases[i].mask);
		CHECK(!strcmp(buf, cases[i].s), "0x%llx: got %s want %s",
		      (unsigned long long)cases[i].mask, buf, cases[i].s);
	}
	CHECK(frt_gfp_format(buf, 4, 0xcc0) == (int)strlen("GFP_KERNEL") && !strcmp(buf, "GFP"));
}

static void test_event_names(void)
{
	for (unsigned int t = 1; t < FRT_EV_NR_TYPES; t++) {
		const struct frt_event_desc *d = frt_event_desc(t);
		char full[128];

		CHECK(d && frt_event_type_by_name(d->name) == t, "type %u", t);
		snprintf(full, sizeof(full), "%s:%s", d->group, d->name);
		CHECK(frt_event_type_by_name(full) == t, "%s", full);
	}
	CHECK(frt_event_type_by_name("compaction:mm_page_alloc") == FRT_EV_NONE);
	CHECK(frt_event_type_by_name("mm_page_nothing") == FRT_EV_NONE);
	CHECK(frt_event_desc(0) == NULL && frt_event_desc(FRT_EV_NR_TYPES) == NULL);
}

int main(int argc, char **argv)
{
	int ret;

	if (argc == 3 && !strcmp(argv[1], "--write-golden"))
		return write_golden(argv[2]) ? 1 : 0;
	if (argc == 3 && !strcmp(argv[1], "--write-random")) {
		struct frt_event *evs = random_events(7, 3000);
		struct frt_writer_opts o = { .events_per_frame = 500 };

		return write_trace(argv[2], evs, 3000, &o) ? 1 : 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: test_format GOLDEN-1.0 GOLDEN-1.2 | --write-golden FILE | "
			"--write-random FILE\n");
		return 2;
	}
	golden10_path = argv[1];
	golden_path = argv[2];
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_roundtrip_random_streams);
	RUN(test_roundtrip_extreme_values);
	RUN(test_writer_rejects_bad_events);
	RUN(test_writer_clamps_unencodable_pfn);
	RUN(test_gfp_dictionary_overflow);
	RUN(test_every_frame_type);
	RUN(test_frames_of_one_type);
	RUN(test_frame_heads);
	RUN(test_old_tp_btf_migratepages_corrected);
	RUN(test_truncation_and_bit_flips);
	RUN(test_decode_error_names_its_frame);
	RUN(test_schema_table_decodes_newer_writers);
	RUN(test_varint_limits);
	RUN(test_crc32c);
	RUN(test_two_zstd_frames_are_damage);
	RUN(test_next_frame_kept);
	RUN(test_not_a_trace);
	RUN(test_unknown_major_version);
	RUN(test_task_records);
	RUN(test_task_table_overflow);
	RUN(test_golden_bytes);
	RUN(test_golden_v10_reads);
	RUN(test_gfp_names_match_kernel);
	RUN(test_event_names);
	ret = CHECK_DONE();
	if (!ret) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		ret = system(cmd) ? 1 : 0;
	}
	return ret;
}
