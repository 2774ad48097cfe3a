// SPDX-License-Identifier: MIT
/*
 * test_decode_batch.c - the batch decoder (frt_reader_frame_batch, traces/
 * decode_batch.c) against the per-event one (frt_reader_frame_next, traces/
 * reader.c), which it must equal: the same events byte for byte, the same
 * end (status, error message, valid prefix), on every sample and golden
 * file, at several batch sizes, and on damaged files: cut short, bits
 * flipped, and frames whose bytes are changed under a recomputed checksum
 * (the only damage that reaches the record decoders).
 *
 * Usage: test_decode_batch SAMPLES-DIR GOLDEN.frt...
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "codec.h"
#include "trace.h"

static char tmpdir[] = "/tmp/frt-batch-XXXXXX";

/*
 * The per-event reader, read alongside: each event of the way under test is
 * compared with its next event as it comes, so that no file is held whole.
 */
struct ref {
	struct frt_reader *r;
	size_t n;         /* events compared */
	size_t bad_at;    /* the first event that differed, when bad */
	bool bad;
	int ret;          /* the per-event reader's last return */
};

static void take(struct ref *ref, const struct frt_event *ev)
{
	struct frt_event want;

	if (ref->bad)
		return;
	if (frt_reader_next(ref->r, &want) != 1 || memcmp(&want, ev, sizeof(want))) {
		ref->bad = true;
		ref->bad_at = ref->n;
	}
	ref->n++;
}

/* The end, as both readers saw it; what differs, or NULL. */
static const char *end_differs(struct ref *ref, struct frt_reader *b, int ret)
{
	struct frt_reader *a = ref->r;
	struct frt_event ev;

	if (ref->bad)
		return "an event";
	ref->ret = frt_reader_next(a, &ev);
	if (ref->ret > 0)
		return "the event count (the batch reader stopped early)";
	if (ref->ret != ret)
		return "the return";
	if (frt_reader_status(a) != frt_reader_status(b))
		return "the status";
	if (strcmp(frt_reader_error(a) ?: "", frt_reader_error(b) ?: ""))
		return "the error message";
	if (frt_reader_valid_bytes(a) != frt_reader_valid_bytes(b))
		return "the valid prefix";
	if (frt_reader_frames_seen(a) != frt_reader_frames_seen(b))
		return "the frames seen";
	return NULL;
}

/*
 * Events in batches of @max, frame by frame as replay/pipe.c reads them;
 * with @mix, every third call takes one event with frt_reader_frame_next()
 * instead (the two share the frame's state). Returns the reader's last return.
 */
static int read_batched(struct frt_reader *r, size_t max, bool mix, struct ref *ref)
{
	struct frt_event *buf = malloc(max * sizeof(*buf));
	struct frt_frame_info fi;
	unsigned int calls = 0;
	ssize_t got = 0;
	int ret;

	while ((ret = frt_reader_next_frame(r, &fi)) > 0) {
		if (fi.type != FRT_FRAME_EVENTS)
			continue;
		for (;;) {
			if (mix && ++calls % 3 == 0)
				got = frt_reader_frame_next(r, buf);
			else
				got = frt_reader_frame_batch(r, buf, max);
			if (got <= 0)
				break;
			CHECK((size_t)got <= max);
			for (ssize_t i = 0; i < got; i++)
				take(ref, &buf[i]);
		}
		if (got < 0) {
			ret = (int)got;
			/* the error is given once; the reader stays ended on it */
			CHECK(frt_reader_frame_batch(r, buf, max) == 0);
			CHECK(frt_reader_next_frame(r, &fi) == ret);
			break;
		}
	}
	free(buf);
	return ret;
}

/* frt_reader_next_batch() across frames, as bench_format reads */
static int read_next_batch(struct frt_reader *r, size_t max, struct ref *ref)
{
	struct frt_event *buf = malloc(max * sizeof(*buf));
	ssize_t got;

	while ((got = frt_reader_next_batch(r, buf, max)) > 0)
		for (ssize_t i = 0; i < got; i++)
			take(ref, &buf[i]);
	free(buf);
	return (int)got;
}

/* What the per-event reader saw of a file, for the tests' own checks */
struct seen {
	size_t events;
	int ret;
	enum frt_read_status status;
	char err[600];
};

/*
 * Reads @path every batch way and compares each with the per-event reader;
 * returns the number of ways that differ. *@seen (may be NULL): the
 * per-event reader's view.
 */
static int compare_file(const char *path, bool quiet, struct seen *seen)
{
	static const struct { size_t max; bool mix; bool across; } ways[] = {
		{ 4096, false, false }, { 1, false, false }, { 7, false, false },
		{ 5, true, false }, { 1000, false, true },
	};
	int bad = 0;

	if (seen)
		memset(seen, 0, sizeof(*seen));
	for (size_t w = 0; w < sizeof(ways) / sizeof(ways[0]); w++) {
		struct ref ref = { .r = frt_reader_open(path, NULL, 0) };
		struct frt_reader *b = frt_reader_open(path, NULL, 0);
		const char *what = NULL;
		int ret;

		if (!ref.r || !b) {
			if (!ref.r != !b) {
				bad++;
				if (!quiet)
					fprintf(stderr, "%s: opens with one reader only\n", path);
			}
			frt_reader_free(ref.r);
			frt_reader_free(b);
			continue;
		}
		ret = ways[w].across ? read_next_batch(b, ways[w].max, &ref)
				     : read_batched(b, ways[w].max, ways[w].mix, &ref);
		what = end_differs(&ref, b, ret);
		if (what) {
			bad++;
			if (!quiet)
				fprintf(stderr, "%s: batch way %zu: %s differs (event %zu of %zu; "
					"'%s' vs '%s')\n", path, w, what, ref.bad_at, ref.n,
					frt_reader_error(ref.r) ?: "", frt_reader_error(b) ?: "");
		}
		if (seen && !w) {
			seen->events = ref.n;
			seen->ret = ref.ret;
			seen->status = frt_reader_status(ref.r);
			snprintf(seen->err, sizeof(seen->err), "%s", frt_reader_error(ref.r) ?: "");
		}
		frt_reader_free(ref.r);
		frt_reader_free(b);
	}
	return bad;
}

static const char *samples_dir;
static char **goldens;
static int nr_goldens;

/* Every shipped sample and golden file, whole. */
static void test_samples_and_goldens(void)
{
	DIR *d = opendir(samples_dir);
	struct dirent *de;
	char path[4096];
	int files = 0;

	CHECK(d, "%s: %s", samples_dir, strerror(errno));
	while (d && (de = readdir(d))) {
		struct seen ref;
		size_t len = strlen(de->d_name);

		if (len < 4 || strcmp(de->d_name + len - 4, ".frt"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", samples_dir, de->d_name);
		CHECK(compare_file(path, false, &ref) == 0, "%s", path);
		/* the samples are whole: the comparison covered real events */
		CHECK(ref.events > 1000 && ref.status == FRT_READ_OK && ref.ret == 0,
		      "%s: %zu events", path, ref.events);
		files++;
	}
	if (d)
		closedir(d);
	CHECK(files >= 10, "only %d samples in %s", files, samples_dir);
	for (int i = 0; i < nr_goldens; i++)
		CHECK(compare_file(goldens[i], false, NULL) == 0, "%s", goldens[i]);
}

/*
 * The first @max events of @sample rewritten uncompressed in frames of
 * @per_frame events (tasks kept), so that changed bytes reach the decoders.
 */
static int write_stored(const char *sample, const char *out, size_t max, uint32_t per_frame)
{
	struct frt_writer_opts o = { .store = true, .events_per_frame = per_frame };
	struct frt_reader *r = frt_reader_open(sample, NULL, 0);
	struct frt_writer *w;
	struct frt_event ev;
	int fd, err = 0;

	if (!r)
		return -errno;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	w = frt_writer_new(fd, frt_reader_meta(r), &o);
	if (!w) {
		frt_reader_free(r);
		return -errno;
	}
	for (size_t n = 0; n < max && !err && frt_reader_next(r, &ev) > 0; n++)
		err = frt_writer_add(w, &ev);
	frt_reader_free(r);
	if (err) {
		frt_writer_abort(w);
		return err;
	}
	return frt_writer_close(w);
}

struct frame_pos {
	uint64_t off;
	uint32_t stored;
	uint8_t type;
};

static size_t frames_of(const char *path, struct frame_pos *fp, size_t max)
{
	struct frt_reader *r = frt_reader_open(path, NULL, 0);
	struct frt_frame_info fi;
	size_t n = 0;

	while (r && n < max && frt_reader_next_frame(r, &fi) > 0)
		fp[n++] = (struct frame_pos){ fi.offset, fi.stored_size, fi.type };
	frt_reader_free(r);
	return n;
}

/* Recompute the CRC of the frame at @f in the file open as @fd. */
static void fix_crc(int fd, const struct frame_pos *f)
{
	uint8_t hdr[FRT_FRAME_HEADER_SIZE], *payload = malloc(f->stored + 1);
	uint32_t crc;

	CHECK(pread(fd, hdr, sizeof(hdr), (off_t)f->off) == sizeof(hdr));
	CHECK(pread(fd, payload, f->stored, (off_t)f->off + sizeof(hdr)) == (ssize_t)f->stored);
	crc = frt_crc32c(frt_crc32c(0, hdr, 20), payload, f->stored);
	put_le32(hdr + 20, crc);
	CHECK(pwrite(fd, hdr + 20, 4, (off_t)f->off + 20) == 4);
	free(payload);
}

/*
 * Frames changed under a valid checksum: random bytes of an EVENTS payload
 * (records, schema table) or its record count. The per-event and batch
 * readers must stop at the same record with the same message.
 */
static void mutate_frames(const char *sample, unsigned long long seed, int rounds)
{
	char path[256];
	struct frame_pos fp[512];
	size_t nf, ne = 0, events[512];
	int fd, bad = 0, decode_errors = 0;
	struct stat st;
	uint8_t *orig;

	snprintf(path, sizeof(path), "%s/mutate.frt", tmpdir);
	CHECK(write_stored(sample, path, 6000, 200) == 0, "%s", sample);
	nf = frames_of(path, fp, 512);
	for (size_t i = 0; i < nf; i++)
		if (fp[i].type == FRT_FRAME_EVENTS)
			events[ne++] = i;
	CHECK(ne > 20, "%s: %zu events frames", sample, ne);
	if (ne == 0)
		return;
	stat(path, &st);
	orig = malloc((size_t)st.st_size);
	fd = open(path, O_RDWR);
	CHECK(pread(fd, orig, (size_t)st.st_size, 0) == st.st_size);
	printf("  %s: seed %llu, %d rounds\n", sample, seed, rounds);
	for (int k = 0; k < rounds; k++) {
		const struct frame_pos *f = &fp[events[rnd_next(&seed) % ne]];
		unsigned int changes = 1 + (unsigned int)(rnd_next(&seed) % 3);
		struct seen ref;
		uint64_t lo = f->off + FRT_FRAME_HEADER_SIZE, at = lo;

		for (unsigned int c = 0; c < changes; c++) {
			uint64_t r = rnd_next(&seed);
			uint8_t b;

			if (r % 16 == 0) /* the record count */
				at = f->off + 16 + (r >> 8) % 2;
			else if (r % 4 == 0) /* near the front: the schema table */
				at = lo + (r >> 8) % (f->stored < 24 ? f->stored : 24);
			else if (r % 4 == 1) /* near the end: the last records */
				at = lo + f->stored - 1 - (r >> 8) % (f->stored < 16 ? f->stored : 16);
			else
				at = lo + (r >> 8) % f->stored;
			b = (uint8_t)(rnd_next(&seed) >> 13);
			if (r % 3 == 0) /* often just a bit: a varint's length or value */
				b = orig[at] ^ (uint8_t)(1u << ((r >> 40) % 8));
			CHECK(pwrite(fd, &b, 1, (off_t)at) == 1);
		}
		fix_crc(fd, f);
		bad += compare_file(path, bad > 0, &ref) != 0;
		decode_errors += ref.status == FRT_READ_DAMAGED &&
				 (strstr(ref.err, "record") || strstr(ref.err, "schema"));
		/* restore the whole frame */
		CHECK(pwrite(fd, orig + f->off, FRT_FRAME_HEADER_SIZE + f->stored, (off_t)f->off) ==
		      (ssize_t)(FRT_FRAME_HEADER_SIZE + f->stored));
	}
	close(fd);
	free(orig);
	CHECK(bad == 0, "%s: %d of %d changed files read differently", sample, bad, rounds);
	/* the changes reached the record decoders, not just the checks before them */
	CHECK(decode_errors > rounds / 4, "%s: only %d of %d changes failed a record", sample,
	      decode_errors, rounds);
}

/* Payload bytes changed under a valid CRC, on a 1.0 sample and a 1.1 one with tasks. */
static void test_changed_frames(void)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/pagecache-slab-mix.frt", samples_dir);
	mutate_frames(path, 22, 800);
	snprintf(path, sizeof(path), "%s/ab-thp-m0-r3.frt", samples_dir);
	mutate_frames(path, 23, 800);
}

/* A file cut at every byte of its last frames, and one bit flipped at a time. */
static void test_cut_and_flipped(void)
{
	char sample[4096], path[256], cut[256];
	struct stat st;
	int bad = 0, fd;
	uint8_t *orig;

	snprintf(sample, sizeof(sample), "%s/ab-thp-m0-r3.frt", samples_dir);
	snprintf(path, sizeof(path), "%s/whole.frt", tmpdir);
	snprintf(cut, sizeof(cut), "%s/cut.frt", tmpdir);
	/* compressed this time, as recorded */
	{
		struct frt_writer_opts o = { .events_per_frame = 300 };
		struct frt_reader *r = frt_reader_open(sample, NULL, 0);
		struct frt_writer *w = frt_writer_new(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600),
						      r ? frt_reader_meta(r) : "{}", &o);
		struct frt_event ev;

		for (int n = 0; r && w && n < 3000 && frt_reader_next(r, &ev) > 0; n++)
			CHECK(frt_writer_add(w, &ev) == 0);
		frt_reader_free(r);
		CHECK(w && frt_writer_close(w) == 0);
	}
	stat(path, &st);
	orig = malloc((size_t)st.st_size);
	fd = open(path, O_RDONLY);
	CHECK(read(fd, orig, (size_t)st.st_size) == st.st_size);
	close(fd);
	for (off_t len = 0; len < st.st_size; len += len < st.st_size - 300 ? 7 : 1) {
		fd = open(cut, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		CHECK(write(fd, orig, (size_t)len) == len);
		close(fd);
		bad += compare_file(cut, bad > 0, NULL) != 0;
	}
	CHECK(bad == 0, "%d cuts read differently", bad);
	bad = 0;
	fd = open(cut, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(write(fd, orig, (size_t)st.st_size) == st.st_size);
	for (off_t at = 0; at < st.st_size; at += 1 + at / 64) {
		uint8_t b = orig[at] ^ (uint8_t)(1u << (at % 8));

		CHECK(pwrite(fd, &b, 1, at) == 1);
		bad += compare_file(cut, bad > 0, NULL) != 0;
		CHECK(pwrite(fd, orig + at, 1, at) == 1);
	}
	close(fd);
	free(orig);
	CHECK(bad == 0, "%d flipped files read differently", bad);
}

int main(int argc, char **argv)
{
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: test_decode_batch SAMPLES-DIR [GOLDEN.frt...]\n");
		return 2;
	}
	samples_dir = argv[1];
	goldens = argv + 2;
	nr_goldens = argc - 2;
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_samples_and_goldens);
	RUN(test_changed_frames);
	RUN(test_cut_and_flipped);
	ret = CHECK_DONE();
	if (!ret) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		ret = system(cmd) ? 1 : 0;
	}
	return ret;
}
