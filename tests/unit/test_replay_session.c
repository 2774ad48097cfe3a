/* SPDX-License-Identifier: MIT */
/*
 * test_replay_session - the session API (replay/session.h) as report and
 * sweep will use it: any number of variants from one decode, each run the
 * same as it would be alone; failures and damage said, not printed.
 *
 * Usage: test_replay_session SAMPLE.frt GOLDEN.frt (a trace without zones) TASKS.frt
 * (a format 1.1 sample, whose frames hold task records beside the events) DEFRAG.frt
 * (a sample recorded with vm.defrag_mode=1)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "pipe.h"
#include "session.h"
#include "sha256.h"
#include "trace.h"

static const char *sample, *golden, *tasks, *defrag;
static char tmpdir[] = "/tmp/test_replay_session.XXXXXX";

static struct replay_variant preset(const char *name)
{
	struct replay_variant v = { 0 };
	char err[256];

	CHECK(replay_variant_preset(&v, name, err, sizeof(err)) == 0, "%s", err);
	return v;
}

/* the session's JSON report, parsed */
static json_t *report(const struct replay_session *s)
{
	char path[sizeof(tmpdir) + 16];
	json_t *j;

	snprintf(path, sizeof(path), "%s/r.json", tmpdir);
	CHECK(replay_session__render_json(s, path) == 0);
	j = json_load_file(path, 0, NULL);
	CHECK(j, "%s is not JSON", path);
	unlink(path);
	return j;
}

static bool same(json_t *runs, size_t a, size_t b, const char *key)
{
	return json_equal(json_object_get(json_array_get(runs, a), key),
			  json_object_get(json_array_get(runs, b), key));
}

/* @path opened with the @n variants of @v (NULL: the trace's own settings
 * each), or NULL, the failure checked */
static struct replay_session *open_with(const char *path, const struct replay_variant *v, int n)
{
	char err[512];
	struct replay_session *s = replay_session__open(path, NULL, err, sizeof(err));

	CHECK(s, "%s: %s", path, err);
	for (int i = 0; s && i < n; i++)
		CHECK(replay_session__add_variant(s, v ? &v[i] : NULL) == 0);
	return s;
}

/* three variants, one decode; the first and the third are both vanilla and
 * must agree in every figure, counter and sample: the runs share nothing */
static void three_variants_one_decode(void)
{
	struct replay_variant v[3] = { preset("vanilla"), preset("defrag_mode"), preset("vanilla") };
	struct replay_session *s = open_with(sample, v, 3);

	if (!s)
		return;
	CHECK(replay_session__run(s, NULL, NULL) == 0, "%s", replay_session__error(s));
	CHECK(!replay_session__damage(s));
	json_t *j = report(s), *runs = json_object_get(j, "runs");
	CHECK(json_array_size(runs) == 3);
	CHECK(!strcmp(json_string_value(json_object_get(json_array_get(runs, 1), "variant")) ?: "",
		      "defrag_mode"));
	CHECK(same(runs, 0, 2, "figures") && same(runs, 0, 2, "counters") &&
	      same(runs, 0, 2, "series") && same(runs, 0, 2, "zones"), "vanilla twice differs");
	CHECK(!json_object_get(json_array_get(runs, 0), "fidelity"), "fidelity without asking");
	json_decref(j);

	/* the text table: a column per variant */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	CHECK(f && replay_session__render_text(s, f) == 0);
	if (f)
		fclose(f);
	CHECK(text && strstr(text, "\nA         vanilla (baseline)\nB         defrag_mode\n"
				   "C         vanilla\n"), "variant lines");
	/* three variants: the baseline's values, then each one's difference from it */
	CHECK(text && strstr(text, "\nfigure ") && strstr(text, "           A         B-A         C-A\n"),
	      "columns");
	/* C is A again: every row of the table it is in shows '=' under C-A */
	CHECK(text && strstr(text, "           =\n") && !strstr(text, "  -1\n"), "C equals A");
	free(text);
	CHECK(replay_session__render_fidelity_text(s, stdout) == -EINVAL);
	replay_session__free(s);
}

/* the runs of 3 variants on 1, 2 and 3 threads (a thread stepping several
 * variants batch by batch, pipe.c): the same report each time, and the two
 * vanilla runs equal whether they share a thread or not */
static void any_number_of_threads(void)
{
	struct replay_variant v[3] = { preset("vanilla"), preset("defrag_mode"), preset("vanilla") };
	json_t *first = NULL;

	for (int threads = 1; threads <= 3; threads++) {
		struct replay_session *s = open_with(sample, v, 3);
		if (!s)
			break;
		pipe_set_threads(threads);
		CHECK(replay_session__run(s, NULL, NULL) == 0, "%s", replay_session__error(s));
		pipe_set_threads(0);
		json_t *j = report(s), *runs = json_object_get(j, "runs");
		CHECK(json_array_size(runs) == 3);
		/* defrag_mode differs on this sample, so a run fed wrongly would show */
		CHECK(!same(runs, 0, 1, "figures") && !same(runs, 0, 1, "series"),
		      "defrag_mode did not differ");
		CHECK(same(runs, 0, 2, "figures") && same(runs, 0, 2, "series") &&
		      same(runs, 0, 2, "counters"), "%d threads: vanilla twice differs", threads);
		if (!first)
			first = json_incref(runs);
		else
			CHECK(json_equal(first, runs), "%d threads: not the report of 1", threads);
		json_decref(j);
		replay_session__free(s);
	}
	json_decref(first);
}

/*
 * A variant of a compare runs on a copy of one shared build, its engine's
 * start map copied from one walk (session.c share_build(), engine.c
 * replay_new_like()); alone, replay builds and walks its own. Both must give
 * the same run: a map copied wrong (the snapshot's blocks not keyed at
 * their pfns) turns its frees into unmatched ones.
 */
static void compare_run_equals_replay(void)
{
	struct replay_variant v[2] = { preset("vanilla"), preset("defrag_mode") };
	json_t *runs[2] = { NULL, NULL }, *j[2] = { NULL, NULL };

	for (int n = 1; n <= 2; n++) {
		struct replay_session *s = open_with(sample, v, n);
		if (!s)
			break;
		CHECK(replay_session__run(s, NULL, NULL) == 0, "%s", replay_session__error(s));
		j[n - 1] = report(s);
		runs[n - 1] = json_object_get(j[n - 1], "runs");
		replay_session__free(s);
	}
	json_t *alone = json_array_get(runs[0], 0), *in_compare = json_array_get(runs[1], 0);
	CHECK(alone && in_compare);
	const char *keys[] = { "figures", "counters", "series", "zones" };
	for (size_t k = 0; alone && in_compare && k < sizeof(keys) / sizeof(keys[0]); k++)
		CHECK(json_equal(json_object_get(alone, keys[k]), json_object_get(in_compare, keys[k])),
		      "%s: the compare's vanilla is not replay's", keys[k]);
	json_decref(j[0]);
	json_decref(j[1]);
}

/*
 * Compare's shared prefix (session.c share_prefix()): 3 variants or more are
 * fed to one model until the event in which one would decide otherwise,
 * then the rest to copies of a second one's model, engine and series. Each
 * run's report must be what it is when every variant runs on its own
 * (FRAGREPLAY_SHARE=0), on 1 to 4 threads (a waiting run may share the
 * leader's or the follower's thread): on the sample, where defrag_mode and
 * capture-split part from vanilla early (in the middle of a batch), and on
 * the tasks sample, where no variant ever does (copies at the end).
 */
static void shared_prefix_as_alone(void)
{
	struct replay_variant v[4] = { preset("vanilla"), preset("defrag_mode"), preset("evacuate"),
				       preset("capture-split") };
	const char *traces[2] = { sample, tasks };
	char err[512];

	for (int t = 0; t < 2; t++) {
		json_t *alone = NULL;
		int64_t events = 0;

		for (int threads = 0; threads <= 4; threads++) {
			struct replay_session *s = open_with(traces[t], v, 4);
			if (!s)
				break;
			if (!threads) /* first: each on its own */
				setenv("FRAGREPLAY_SHARE", "0", 1);
			pipe_set_threads(threads);
			CHECK(replay_session__run(s, NULL, NULL) == 0, "%s", replay_session__error(s));
			pipe_set_threads(0);
			unsetenv("FRAGREPLAY_SHARE");
			json_t *j = report(s), *runs = json_object_get(j, "runs");
			CHECK(json_array_size(runs) == 4);
			if (!threads) {
				CHECK(replay_session__shared_events(s, NULL) == -1, "shared when told not to");
				alone = json_incref(runs);
			} else {
				uint64_t of = 0;
				int64_t n = replay_session__shared_events(s, &of);
				CHECK(n > 0, "%s: %d threads: the variants shared nothing", traces[t],
				      threads);
				CHECK(!events || n == events, "%d threads: shared %lld events, not %lld",
				      threads, (long long)n, (long long)events);
				events = n;
				CHECK(of >= (uint64_t)n && of > 0, "of %llu", (unsigned long long)of);
				for (int i = 0; i < 4; i++)
					CHECK(json_equal(json_array_get(alone, (size_t)i),
							 json_array_get(runs, (size_t)i)),
					      "%s: %d threads: run %c differs from its run alone",
					      traces[t], threads, 'A' + i);
			}
			json_decref(j);
			replay_session__free(s);
		}
		size_t total = 0;
		struct frt_event ev;
		struct frt_reader *rd = frt_reader_open(traces[t], err, sizeof(err));
		while (rd && frt_reader_next(rd, &ev) > 0)
			total++;
		frt_reader_free(rd);
		printf("  %s: the variants shared %lld of %zu events\n", traces[t],
		       (long long)events, total);
		/* the sample parts early, not at a batch's edge; the tasks sample never */
		if (t == 0)
			CHECK(events > 0 && (size_t)events < total / 2 && events % 1024,
			      "the sample's variants part at %lld of %zu", (long long)events, total);
		else
			CHECK((size_t)events == total, "the tasks sample parted at %lld of %zu",
			      (long long)events, total);
		json_decref(alone);
	}
}

/*
 * A run of the trace's own settings is named by them: defrag_mode where the
 * host ran vm.defrag_mode=1. Three of them share a prefix, the third a copy
 * of the second's model (share_prefix()), and must be named alike.
 */
static void as_recorded_named_alike(void)
{
	struct replay_session *s = open_with(defrag, NULL, 3);

	if (!s)
		return;
	CHECK(replay_session__run(s, NULL, NULL) == 0, "%s", replay_session__error(s));
	CHECK(replay_session__shared_events(s, NULL) > 0, "the three did not share");
	json_t *j = report(s), *runs = json_object_get(j, "runs");
	for (size_t i = 0; i < 3; i++) {
		const char *v = json_string_value(json_object_get(json_array_get(runs, i), "variant"));
		CHECK(v && !strcmp(v, "defrag_mode"), "run %zu is %s", i, v ? v : "(none)");
	}
	json_decref(j);
	replay_session__free(s);
}

/*
 * Every event the reader returns reaches the runs. A format 1.1 frame counts
 * its task records among its records (traces/FORMAT.md), so a decoder that
 * took the record count for the event count stopped short of each frame's
 * end and skipped the rest: half of zone-growth's events were never replayed.
 * (All of the sample's events come after its start snapshot.)
 */
static void every_event_of_a_tasks_trace(void)
{
	char err[512];
	struct frt_reader *rd = frt_reader_open(tasks, err, sizeof(err));
	struct frt_event ev;
	unsigned long n = 0, replayed = 0;

	CHECK(rd, "%s", err);
	while (rd && frt_reader_next(rd, &ev) > 0)
		n++;
	CHECK(rd && frt_reader_version_minor(rd) >= 1, "%s is not format 1.1", tasks);
	frt_reader_free(rd);
	struct replay_session *s = replay_session__open(tasks, NULL, err, sizeof(err));
	CHECK(s, "%s", err);
	if (!s)
		return;
	CHECK(replay_session__add_variant(s, NULL) == 0);
	CHECK(replay_session__run(s, NULL, NULL) == 0, "%s", replay_session__error(s));
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	CHECK(f && replay_session__render_text(s, f) == 0);
	if (f)
		fclose(f);
	const char *line = text ? strstr(text, "\nreplayed  ") : NULL;
	/* the count as the text prints it, thousands separated: 1,021,039 */
	for (const char *p = line ? line + strlen("\nreplayed  ") : ""; *p == ',' ||
	     (*p >= '0' && *p <= '9'); p++)
		if (*p != ',')
			replayed = replayed * 10 + (unsigned long)(*p - '0');
	CHECK(n > 0 && replayed == n, "replayed %lu of the %lu events", replayed, n);
	free(text);
	replay_session__free(s);
}

/* the calls out of order or past the limits return codes and print nothing */
static void contract(void)
{
	struct replay_variant v = preset("vanilla");
	char err[512];
	struct replay_session *s;

	errno = 0;
	s = replay_session__open("/nonexistent/x.frt", NULL, err, sizeof(err));
	CHECK(!s && errno == ENOENT && strstr(err, "/nonexistent/x.frt"), "%s", err);

	s = replay_session__open(sample, NULL, err, sizeof(err));
	CHECK(s, "%s", err);
	if (!s)
		return;
	CHECK(replay_session__run(s, NULL, NULL) == -EINVAL);
	CHECK(strstr(replay_session__error(s), "no variant"), "%s", replay_session__error(s));
	for (int i = 0; i < REPLAY_SESSION_MAX_VARIANTS; i++)
		CHECK(replay_session__add_variant(s, &v) == 0);
	CHECK(replay_session__add_variant(s, &v) == -E2BIG);
	replay_session__free(s);

	s = replay_session__open(sample, NULL, err, sizeof(err));
	CHECK(s && replay_session__add_variant(s, NULL) == 0);
	CHECK(s && replay_session__run(s, NULL, NULL) == 0);
	CHECK(s && replay_session__run(s, NULL, NULL) == -EALREADY);
	CHECK(s && replay_session__add_variant(s, &v) == -EALREADY);
	replay_session__free(s);
}

/* a trace that gives no model fails every run alike: one line, not one per variant */
static void failed_setup_said_once(void)
{
	struct replay_variant v[2] = { preset("vanilla"), preset("defrag_mode") };
	struct replay_session *s = open_with(golden, v, 2);

	if (!s)
		return;
	CHECK(replay_session__run(s, NULL, NULL) == -ECANCELED);
	CHECK(replay_session__render_text(s, stdout) == -EINVAL, "a report of a failed run");
	const char *e = replay_session__error(s);
	CHECK(strstr(e, golden) && strstr(e, "metadata has no \"zones\" array") && !strchr(e, '\n'),
	      "%s", e);
	replay_session__free(s);
}

static void count_progress(void *ctx, const struct frt_reader *rd, size_t events)
{
	*(size_t *)ctx = events;
}

/* a cut trace replays its valid prefix: not a failure, but said, and noted in the report */
static void damage_is_said_not_failed(void)
{
	char path[sizeof(tmpdir) + 16], err[512];
	FILE *in = fopen(sample, "rb");
	long size;

	snprintf(path, sizeof(path), "%s/cut.frt", tmpdir);
	FILE *out = fopen(path, "wb");
	CHECK(in && out);
	if (!in || !out)
		return;
	fseek(in, 0, SEEK_END);
	size = ftell(in);
	rewind(in);
	char *buf = malloc((size_t)size);
	CHECK(buf && fread(buf, 1, (size_t)size, in) == (size_t)size);
	fwrite(buf, 1, (size_t)size / 2, out);
	fclose(out);
	fclose(in);
	free(buf);

	struct replay_session_opts o = { .fidelity = true };
	struct replay_session *s = replay_session__open(path, &o, err, sizeof(err));
	size_t events = 0;
	CHECK(s && replay_session__add_variant(s, NULL) == 0, "%s", err);
	CHECK(s && replay_session__run(s, count_progress, &events) == 0);
	CHECK(events > 0, "the progress callback was not called");
	const char *why = s ? replay_session__damage(s) : NULL;
	CHECK(why && strstr(why, path), "%s", why ?: "no damage said");
	CHECK(s && replay_session__valid_bytes(s) > 0 &&
	      replay_session__valid_bytes(s) <= (uint64_t)size / 2);
	json_t *j = s ? report(s) : NULL, *notes = json_object_get(j, "notes");
	/* the damage comes first; the cut may leave the run notes of its own */
	CHECK(json_array_size(notes) >= 1 &&
	      strstr(json_string_value(json_array_get(notes, 0)), "only its valid prefix was replayed"));
	CHECK(json_object_get(json_array_get(json_object_get(j, "runs"), 0), "fidelity"));
	json_decref(j);
	replay_session__free(s);
	unlink(path);
}

/*
 * FIPS 180-2 appendix B's messages (one block, two blocks, a million 'a'),
 * hashed whole and, through a file, in read()-sized pieces: the reports'
 * trace_sha256 is the one sha256sum prints. Twice: with the CPU's SHA
 * extensions where it has them, then with the portable rounds.
 */
static void sha256_checks(void)
{
	static const char *abc = "abc";
	static const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[SHA256_HEX_LEN], path[sizeof(tmpdir) + 16];
	size_t n = 1000000;
	char *a = malloc(n);

	sha256_hex(abc, strlen(abc), hex);
	CHECK(!strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), "%s",
	      hex);
	sha256_hex(two, strlen(two), hex);
	CHECK(!strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"), "%s",
	      hex);
	if (!a)
		return;
	memset(a, 'a', n);
	sha256_hex(a, n, hex);
	CHECK(!strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"), "%s",
	      hex);
	snprintf(path, sizeof(path), "%s/a.bin", tmpdir);
	FILE *f = fopen(path, "wb");
	CHECK(f && fwrite(a, 1, n, f) == n && fclose(f) == 0);
	CHECK(sha256_file_hex(path, hex) == 0);
	CHECK(!strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"), "%s",
	      hex);
	unlink(path);
	free(a);
}

static void sha256_of_the_standard_messages(void)
{
	sha256_checks();
}

static void sha256_portable_of_the_standard_messages(void)
{
	sha256_force_portable(true);
	sha256_checks();
	sha256_force_portable(false);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s SAMPLE.frt GOLDEN.frt TASKS.frt DEFRAG.frt\n", argv[0]);
		return 2;
	}
	sample = argv[1];
	golden = argv[2];
	tasks = argv[3];
	defrag = argv[4];
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(sha256_of_the_standard_messages);
	RUN(sha256_portable_of_the_standard_messages);
	RUN(three_variants_one_decode);
	RUN(any_number_of_threads);
	RUN(compare_run_equals_replay);
	RUN(shared_prefix_as_alone);
	RUN(as_recorded_named_alike);
	RUN(contract);
	RUN(failed_setup_said_once);
	RUN(damage_is_said_not_failed);
	RUN(every_event_of_a_tasks_trace);
	rmdir(tmpdir);
	return CHECK_DONE();
}
