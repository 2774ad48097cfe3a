// SPDX-License-Identifier: MIT
/*
 * import.c - fragreplay import: perf script or ftrace/trace-cmd text into a
 * trace, with start and end state from snapshot directories.
 *
 * The input is streamed in 4 MiB reads; events pass a 100 ms reordering
 * window (traces/import.h) on their way to the writer, which is opened at
 * the first event so that the metadata can say what the input turned out
 * to be.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "import.h"
#include "main.h"
#include "migrate_pair.h"
#include "outfile.h"
#include "trace.h"
#include "procdir.h"
#include "setup.h"
#include "snapshot_host.h"

#define READ_SIZE (4u << 20)
#define MAX_LINE (1u << 20)

/* What `perf report --stat` says of the capture (--perf-stat). */
struct perf_stat {
	const char *path;
	uint64_t lost;                          /* LOST + LOST_SAMPLES, aggregated */
	uint64_t samples[FRT_EV_NR_TYPES];      /* SAMPLE events per known tracepoint */
	bool listed[FRT_EV_NR_TYPES];
};

struct job {
	const char *input, *output, *snap_dir[2];
	struct perf_stat pstat;
	char *created_by;
	struct frt_importer *im;
	struct frt_writer *w;
	struct frt_pairer *pairer; /* migrate_pair events from the migration PTE events */
	struct frt_outfile out; /* a temporary beside output until the trace is whole */
	struct frt_pairer_stats pairs; /* once the input is read */
	bool approx[2];
	bool to_stdout; /* -o -: the trace on stdout */
	char err[600];
};

/* Whether @path names the file open at @fd (the output would overwrite the input). */
static bool same_file_fd(int fd, const char *path)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(path, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* "approximate": what a reader of this trace must not take as measured
 * (migrate_pairs: inferred, and only where the input has the PTE events;
 * the STATS frame says how many, once they are known) */
static json_t *approximate_json(const struct job *j, const struct frt_import_stats *st)
{
	json_t *a = json_array();

	json_array_append_new(a, json_string("migrate_pairs"));
	if (st->min_ts_digits < 9)
		json_array_append_new(a, json_string("timestamps_us"));
	if (!j->pstat.path)
		json_array_append_new(a, json_string("lost_events"));
	if (!j->snap_dir[0])
		json_array_append_new(a, json_string("no_start_snapshot"));
	else if (j->approx[0])
		json_array_append_new(a, json_string("start_snapshot"));
	if (j->snap_dir[1] && j->approx[1])
		json_array_append_new(a, json_string("end_snapshot"));
	return a;
}

static int open_writer(struct job *j)
{
	const struct frt_import_stats *st = frt_importer_stats(j->im);
	enum frt_import_fmt fmt = frt_importer_fmt(j->im);
	json_t *meta, *imp;
	char *text;
	int fd, ret = 0;

	/* approximate start snapshot is known only once written: say so up front */
	for (int k = 0; k < 2; k++) {
		char p[2][PATH_MAX + 32]; /* snap_dir is shorter than PATH_MAX (cmd_import) */

		snprintf(p[0], sizeof(p[0]), "%s/kpageflags", j->snap_dir[k] ? j->snap_dir[k] : "");
		snprintf(p[1], sizeof(p[1]), "%.*s.zst", PATH_MAX + 16, p[0]);
		j->approx[k] = j->snap_dir[k] && access(p[0], R_OK) && access(p[1], R_OK);
	}
	imp = json_pack("{s:s, s:s, s:s, s:I, s:s, s:o, s:s?, s:s?}",
			"from", frt_import_fmt_name(fmt),
			"input", j->input,
			"tool", fmt == FRT_IMPORT_PERF ? "perf script" : "ftrace text (tracefs or trace-cmd report)",
			"reorder_window_ns", (json_int_t)FRT_IMPORT_WINDOW_NS,
			"migrate_pairs", "inferred from migrate:set_migration_pte and "
			"remove_migration_pte as record pairs them, where the input has them "
			"(STATS migrate_pairs and notes count them)",
			"approximate", approximate_json(j, st),
			"start_snapshot", j->snap_dir[0], "end_snapshot", j->snap_dir[1]);
	if (imp && j->pstat.path)
		json_object_set_new(imp, "perf_stat", json_string(j->pstat.path));
	meta = json_pack("{s:s, s:s, s:s, s:s, s:o}", "format", "fragreplay-trace",
			 "tool_version", FRAGREPLAY_VERSION, "created_by", j->created_by,
			 /* perf's clock is perf_clock() = sched_clock; ftrace's default
			  * trace_clock is "local", the same counter */
			 "clock", fmt == FRT_IMPORT_PERF ? "perf" : "local", "imported", imp);
	if (!meta)
		return -ENOMEM;
	if (j->snap_dir[0])
		ret = frt_procdir_meta(j->snap_dir[0], meta, j->err, sizeof(j->err));
	text = ret ? NULL : json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(meta);
	if (ret)
		return ret;
	if (!text)
		return -ENOMEM;
	if (j->snap_dir[0]) { /* nothing replay would refuse: its own check, here */
		struct model_desc d;
		char why[400];

		model_desc_init(&d);
		ret = replay_desc_from_json(text, &d, why, sizeof(why));
		if (ret) {
			snprintf(j->err, sizeof(j->err), "start snapshot %s: %s", j->snap_dir[0], why);
			free(text);
			return ret;
		}
	}
	if (j->to_stdout) { /* a pipe or a file the shell opened: nothing to rename */
		fd = dup(1);
		if (fd < 0) {
			ret = -errno;
			free(text);
			return ret;
		}
	} else {
		ret = frt_outfile_open(&j->out, j->output, true, 0644);
		if (ret) {
			snprintf(j->err, sizeof(j->err), "%s: %s", j->output, strerror(-ret));
			free(text);
			return ret;
		}
		fd = j->out.fd;
	}
	j->w = frt_writer_new(fd, text, &(struct frt_writer_opts){ 0 });
	free(text);
	if (!j->w) {
		ret = -errno;
		snprintf(j->err, sizeof(j->err), "%s: %s", j->output, strerror(errno));
		frt_outfile_abort(&j->out);
		return ret;
	}
	return 0;
}

static int write_snapshot(struct job *j, int k, uint64_t ts)
{
	struct frt_snapshot_result res;
	char why[512];
	int ret;

	if (!j->snap_dir[k])
		return 0;
	ret = frt_snapshot_write_dir(j->w, k ? "end" : "start", j->snap_dir[k], ts, &j->approx[k],
				     &res, why, sizeof(why));
	if (ret)
		snprintf(j->err, sizeof(j->err), "%s snapshot from %s: %s", k ? "end" : "start",
			 j->snap_dir[k], why);
	else if (!j->approx[k] && !res.fit_ok) /* an approximate layout has no fit to fail */
		fprintf(stderr, "fragreplay import: WARNING: the %s snapshot from %s is %.2f%% off "
			"its pagetypeinfo or zoneinfo in zone %s (the fit aims for 1%%): replays start "
			"from approximate free lists (the report notes it)\n", k ? "end" : "start",
			j->snap_dir[k], res.worst_pct, res.worst_zone);
	return ret;
}

static int emit(void *ctx, const struct frt_event *ev)
{
	struct job *j = ctx;
	int ret;

	if (!j->w) {
		ret = open_writer(j);
		if (!ret)
			ret = write_snapshot(j, 0, ev->ts);
		if (ret)
			return ret;
	}
	ret = frt_writer_add(j->w, ev);
	if (!ret) { /* the pair follows its remove_migration_pte, as in a recording */
		struct frt_event pair;

		if (frt_pairer_feed(j->pairer, ev, &pair))
			ret = frt_writer_add(j->w, &pair);
	}
	if (ret)
		snprintf(j->err, sizeof(j->err), "%s: writing: %s", j->output, strerror(-ret));
	return ret;
}

static void progress(uint64_t lines, uint64_t bytes, double t0, bool last)
{
	double dt = now_s() - t0;

	fprintf(stderr, "\r%" PRIu64 " lines, %.0f MB, %.2f M lines/s%s", lines, bytes / 1e6,
		dt > 0 ? lines / dt / 1e6 : 0.0, last ? "\n" : "");
}

/* Feed every line of @fd; returns 0 or the importer's error. */
static int read_lines(struct job *j, int fd, bool tty)
{
	size_t cap = READ_SIZE + MAX_LINE, have = 0;
	char *buf = malloc(cap + 1);
	uint64_t lineno = 0, bytes = 0, next_progress = 1000000;
	double t0 = now_s();
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, buf + have, cap - have);
		char *p = buf, *end, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			snprintf(j->err, sizeof(j->err), "%s: %s", j->input, strerror(errno));
			break;
		}
		if (!lineno && n >= 8 && (!memcmp(buf, "PERFILE2", 8) ||
					  !memcmp(buf, "\x17\x08\x44tracing", 10))) {
			snprintf(j->err, sizeof(j->err), "%s is a binary %s file: convert it to text "
				 "first with '%s' and import that", j->input,
				 buf[0] == 'P' ? "perf.data" : "trace-cmd trace.dat",
				 buf[0] == 'P' ? "perf script -i FILE > FILE.txt"
					       : "trace-cmd report -i FILE > FILE.txt");
			ret = -EINVAL;
			break;
		}
		bytes += (uint64_t)n;
		have += (size_t)n;
		end = buf + have;
		if (!n && have) /* a last line without its newline */
			*end++ = '\n';
		while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
			*nl = '\0';
			if (nl > p && nl[-1] == '\r')
				nl[-1] = '\0';
			ret = frt_importer_line(j->im, p, ++lineno);
			if (ret)
				goto out;
			p = nl + 1;
		}
		have = (size_t)(end - p);
		if (have > MAX_LINE) {
			snprintf(j->err, sizeof(j->err), "%s: line %" PRIu64 " is longer than %u "
				 "bytes: not text output of perf script or ftrace", j->input,
				 lineno + 1, MAX_LINE);
			ret = -EBADMSG;
			break;
		}
		memmove(buf, p, have);
		if (tty && lineno >= next_progress) {
			progress(lineno, bytes, t0, false);
			next_progress += 1000000;
		}
		if (!n)
			break;
	}
out:
	if (tty && lineno >= 1000000)
		progress(lineno, bytes, t0, true);
	free(buf);
	return ret;
}

static void print_summary(const struct job *j, double secs)
{
	const struct frt_import_stats *st = frt_importer_stats(j->im);
	const char *k;
	json_t *v;

	fprintf(stderr, "imported %" PRIu64 " events from %s (%s) into %s in %.2f s\n", st->events,
	       j->input, frt_import_fmt_name(frt_importer_fmt(j->im)), j->output, secs);
	for (unsigned int t = 1; t < FRT_EV_NR_TYPES; t++)
		if (st->by_type[t])
			fprintf(stderr, "  %-38s %12" PRIu64 "\n", frt_event_desc(t)->name, st->by_type[t]);
	fprintf(stderr, "lines           %" PRIu64 "\n", st->lines);
	fprintf(stderr, "skipped         %" PRIu64 " lines of other events", st->other);
	json_object_foreach(st->other_names, k, v)
		fprintf(stderr, "%s %s %lld", v == json_object_iter_value(json_object_iter(st->other_names))
		       ? ":" : ",", k, (long long)json_integer_value(v));
	fprintf(stderr, "\nmalformed       %" PRIu64 " lines\n", st->malformed);
	for (uint64_t i = 0; i < st->malformed && i < FRT_IMPORT_MAX_REPORTED; i++)
		fprintf(stderr, "  %s:%" PRIu64 ": %s: %s\n", j->input, st->bad[i].lineno, st->bad[i].why,
		       st->bad[i].text);
	if (st->bogus_pfns)
		fprintf(stderr, "no pfn          %" PRIu64 " fast_isolate_freepages starts of free_pfn "
			"+ 2^63 (scanners crossed), kept as none, as record does\n", st->bogus_pfns);
	fprintf(stderr, "late            %" PRIu64 " events older than the %.0f ms window (time raised)\n",
	       st->late, FRT_IMPORT_WINDOW_NS / 1e6);
	if (st->lost_markers)
		fprintf(stderr, "lost            %" PRIu64 " markers of events the tracer dropped\n",
		       st->lost_markers);
	fprintf(stderr, "migrate pairs   %" PRIu64 " inferred from %" PRIu64 " set_migration_pte and "
		"%" PRIu64 " remove_migration_pte events\n", j->pairs.pairs,
		st->by_type[FRT_EV_SET_MIGRATION_PTE], st->by_type[FRT_EV_REMOVE_MIGRATION_PTE]);
	if (json_object_size(st->unknown_gfp)) {
		fprintf(stderr, "unknown gfp     ");
		json_object_foreach(st->unknown_gfp, k, v)
			fprintf(stderr, "%s=%lld ", k, (long long)json_integer_value(v));
		fprintf(stderr, "(kept in the STATS frame; no bits set for them)\n");
	}
	fprintf(stderr, "time span       %.6f s (%.6f to %.6f)\n", (st->last_ts - st->first_ts) / 1e9,
	       st->first_ts / 1e9, st->last_ts / 1e9);
	if (!j->snap_dir[0])
		fprintf(stderr, "note            no --start-snapshot: replay needs a start state; take one "
		       "with 'fragreplay snapshot DIR' before capturing\n");
}

/*
 * read_perf_stat - parse `perf report --stat` output: the "Aggregated stats:"
 * section's LOST and LOST_SAMPLES rows (perf lists a row only when it is not
 * 0), and each "group:event stats:" section's SAMPLE row. Returns 0, or -1
 * with @err set (not that output).
 */
static int read_perf_stat(struct perf_stat *ps, char *err, size_t errlen)
{
	FILE *f = fopen(ps->path, "r");
	char line[512], name[256];
	unsigned long long n;
	bool aggregated = false, total = false;
	enum frt_event_type t = FRT_EV_NONE;
	unsigned int lineno = 0;

	if (!f) {
		snprintf(err, errlen, "--perf-stat %s: %s", ps->path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (lineno > 100000)
			break;
		if (!strncmp(line, "Aggregated stats:", 17)) {
			aggregated = true;
			continue;
		}
		if (sscanf(line, " %255s stats:", name) == 1 && strchr(name, ':') &&
		    strstr(line, " stats:")) {
			aggregated = false;
			t = frt_event_type_by_name(name);
			continue;
		}
		if (aggregated && sscanf(line, " TOTAL events: %llu", &n) == 1)
			total = true;
		else if (aggregated && (sscanf(line, " LOST events: %llu", &n) == 1 ||
					sscanf(line, " LOST_SAMPLES events: %llu", &n) == 1))
			ps->lost += n;
		else if (!aggregated && t != FRT_EV_NONE &&
			 sscanf(line, " SAMPLE events: %llu", &n) == 1) {
			ps->samples[t] += n;
			ps->listed[t] = true;
		}
	}
	fclose(f);
	if (!total) {
		snprintf(err, errlen, "--perf-stat %s: no 'Aggregated stats:' section with a "
			 "'TOTAL events:' line: not the output of 'perf report --stat -i perf.data'",
			 ps->path);
		return -1;
	}
	return 0;
}

/* Events perf counted that the text did not have (or the reverse): a WARNING each, and notes. */
static void check_perf_stat(const struct job *j, json_t *notes)
{
	const struct frt_import_stats *st = frt_importer_stats(j->im);

	for (unsigned int t = 1; t < FRT_EV_NR_TYPES; t++) {
		if (!j->pstat.listed[t] || j->pstat.samples[t] == st->by_type[t])
			continue;
		fprintf(stderr, "fragreplay import: WARNING: %s: %" PRIu64 " events imported, %s "
			"counts %" PRIu64 ": the text is not the whole capture (perf script of "
			"another perf.data, or cut short)\n", frt_event_desc(t)->name,
			st->by_type[t], j->pstat.path, j->pstat.samples[t]);
		json_array_append_new(notes, json_sprintf(
			"the import has %" PRIu64 " %s events where perf report --stat (%s) counts "
			"%" PRIu64, st->by_type[t], frt_event_desc(t)->name, j->pstat.path,
			j->pstat.samples[t]));
	}
}

/*
 * What the import inferred of the migrations, and what it could not: a note
 * every report prints (STATS "notes"), beside the counts record also writes.
 */
static json_t *pair_notes(const struct job *j)
{
	const struct frt_import_stats *st = frt_importer_stats(j->im);
	uint64_t sets = st->by_type[FRT_EV_SET_MIGRATION_PTE];
	uint64_t removes = st->by_type[FRT_EV_REMOVE_MIGRATION_PTE];
	uint64_t migrations = st->by_type[FRT_EV_MIGRATE_PAGES];
	json_t *a = json_array();

	if (!sets && !removes)
		json_array_append_new(a, json_sprintf(
			"the import inferred no migration pairs: the input has no "
			"migrate:set_migration_pte/remove_migration_pte events%s (capture with "
			"-e 'migrate:*'), so every migration looks like a free of its old page "
			"without an allocation of its new one", migrations ? ", though it has "
			"mm_migrate_pages events" : ""));
	else
		json_array_append_new(a, json_sprintf(
			"the import inferred %" PRIu64 " migration pairs (old pfn -> new pfn) from "
			"%" PRIu64 " set_migration_pte and %" PRIu64 " remove_migration_pte events, "
			"as record pairs them (%" PRIu64 " further mappings of a paired folio, "
			"%" PRIu64 " sets never restored, %" PRIu64 " restores without their set); "
			"pages migrated unmapped (page cache), PMD-mapped THPs and movable_ops pages "
			"have no migration PTE events and so no pair", j->pairs.pairs, sets, removes,
			j->pairs.dup_mappings, j->pairs.unmatched_set, j->pairs.unmatched_remove));
	return a;
}

static int write_stats(struct job *j)
{
	const struct frt_import_stats *st = frt_importer_stats(j->im);
	json_t *o = json_pack("{s:I, s:{s:I, s:I, s:I, s:I, s:I, s:O, s:O}, s:{sI sI sI sI}, s:o}",
			      "reordered_late", (json_int_t)st->late, "import",
			      "lines", (json_int_t)st->lines, "events", (json_int_t)st->events,
			      "skipped_other", (json_int_t)st->other,
			      "malformed", (json_int_t)st->malformed,
			      "lost_markers", (json_int_t)st->lost_markers,
			      "other_events", st->other_names, "unknown_gfp_names", st->unknown_gfp,
			      "migrate_pairs", "pairs", (json_int_t)j->pairs.pairs,
			      "dup_mappings", (json_int_t)j->pairs.dup_mappings,
			      "unmatched_set", (json_int_t)j->pairs.unmatched_set,
			      "unmatched_remove", (json_int_t)j->pairs.unmatched_remove,
			      "notes", pair_notes(j));
	char *text;
	int ret;

	if (o && st->bogus_pfns)
		json_object_set_new(o, "bogus_pfns", json_integer((json_int_t)st->bogus_pfns));
	if (o && j->pstat.path) {
		json_object_set_new(o, "lost_total", json_integer((json_int_t)j->pstat.lost));
		check_perf_stat(j, json_object_get(o, "notes"));
	}
	text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	ret = text ? frt_writer_put_json(j->w, FRT_FRAME_STATS, text) : -ENOMEM;

	free(text);
	json_decref(o);
	return ret;
}

static void import_help(FILE *f)
{
	fprintf(f,
		"Usage: fragreplay import [options] -o OUT.frt INPUT|-\n"
		"\n"
		"Convert text captures of the kmem, compaction and migrate tracepoints into a\n"
		"trace: 'perf script' output (default fields), or ftrace text as read from\n"
		"/sys/kernel/tracing/trace or trace_pipe, or 'trace-cmd report' output.\n"
		"Events out of timestamp order (across CPUs) are merged through a 100 ms\n"
		"window; older ones keep their place with their time raised, and are counted.\n"
		"\n"
		"  -o, --output FILE|-       the trace to write (required; - for stdout; FILE\n"
		"                            must not exist unless --force; it is written\n"
		"                            beside its path and renamed into place when whole:\n"
		"                            a failed or interrupted import leaves an older FILE\n"
		"                            as it was, and a link at FILE is replaced, never\n"
		"                            followed)\n"
		"      --force               replace FILE if it exists\n"
		"      --from perf|ftrace    the input's format (default: detected from the\n"
		"                            first event line: perf names events group:event)\n"
		"      --start-snapshot DIR  start state from a snapshot directory taken before\n"
		"                            the capture ('fragreplay snapshot DIR' or cp of\n"
		"                            /proc/{zoneinfo,pagetypeinfo,buddyinfo,vmstat});\n"
		"                            also the memory layout replay needs\n"
		"      --end-snapshot DIR    end state, from one taken after the capture\n"
		"      --perf-stat FILE      'perf report --stat -i perf.data' output of the\n"
		"                            same capture: its LOST and LOST_SAMPLES counts\n"
		"                            (0 where it lists none) become the trace's lost\n"
		"                            events, and an event count that differs from\n"
		"                            the text's is a WARNING\n"
		"      --strict              fail (exit 1) at the first malformed line\n"
		"  -h, --help                this text\n"
		"\n"
		"Lines of other events are skipped and counted; malformed lines are counted and\n"
		"the first %d reported with their line numbers. A summary follows on stderr:\n"
		"events per type, skipped, malformed, late, migration pairs inferred from\n"
		"the migration PTE events (as record pairs them), and the time span.\n"
		"Exit status: 0 imported, 1 bad input or I/O error, 2 usage error.\n",
		FRT_IMPORT_MAX_REPORTED);
}

static char *command_line(int argc, char **argv)
{
	size_t len = strlen("fragreplay import") + 1;
	char *s;

	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	strcpy(s, "fragreplay import");
	for (int i = 1; i < argc; i++) {
		strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'f' },
		{ "start-snapshot", required_argument, NULL, 's' },
		{ "end-snapshot", required_argument, NULL, 'e' },
		{ "perf-stat", required_argument, NULL, 'P' },
		{ "strict", no_argument, NULL, 'S' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' }, CLI_VERSION_OPTION,
		{ 0 },
	};
	struct frt_import_opts io = { 0 };
	struct job j = { 0 };
	double t0 = now_s();
	int c, fd, ret, code = EXIT_FAIL;
	bool force = false;

	optind = 1;
	while ((c = cli_getopt("import", &code, argc, argv, "o:h", opts)) != -1) {
		switch (c) {
		case 'o':
			j.output = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "perf"))
				io.fmt = FRT_IMPORT_PERF;
			else if (!strcmp(optarg, "ftrace") || !strcmp(optarg, "trace-cmd"))
				io.fmt = FRT_IMPORT_FTRACE;
			else
				return usage_error("import", "--from takes perf or ftrace, not '%s'",
						   optarg);
			break;
		case 's':
		case 'e':
			if (strlen(optarg) >= PATH_MAX - 32) /* room for "/kpageflags.zst" */
				return usage_error("import", "--%s: a path of %zu bytes is too long",
						   opts[c == 's' ? 2 : 3].name, strlen(optarg));
			j.snap_dir[c == 'e'] = optarg;
			break;
		case 'P':
			j.pstat.path = optarg;
			break;
		case 'S':
			io.strict = true;
			break;
		case 'F':
			force = true;
			break;
		case 'h':
			import_help(stdout);
			return EXIT_OK;
		case CLI_EXIT:
			return code;
		default: /* not reached: every option of the table has its case */
			return usage_error("import", "option '%s' not handled", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("import", "expected one input file (or - for stdin)");
	if (!j.output)
		return usage_error("import", "-o OUT.frt is required");
	j.input = argv[optind];
	if (j.pstat.path && read_perf_stat(&j.pstat, j.err, sizeof(j.err))) {
		fprintf(stderr, "fragreplay import: %s\n", j.err);
		return EXIT_FAIL;
	}
	fd = strcmp(j.input, "-") ? open(j.input, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0) {
		fprintf(stderr, "fragreplay import: %s: %s\n", j.input, strerror(errno));
		return EXIT_FAIL;
	}
	j.to_stdout = !strcmp(j.output, "-");
	if (j.to_stdout && isatty(1)) {
		close(fd);
		return usage_error("import", "-o -: a trace is binary; redirect stdout to a file or "
				   "a pipe");
	}
	if (!j.to_stdout && same_file_fd(fd, j.output)) {
		fprintf(stderr, "fragreplay import: %s is the input: choose another -o\n", j.output);
		close(fd);
		return EXIT_USAGE;
	}
	if (!j.to_stdout && refuse_existing("import", j.output, force)) {
		if (fd > 0)
			close(fd);
		return EXIT_FAIL;
	}
	if (!strcmp(j.input, "-"))
		j.input = "<stdin>";
	j.created_by = command_line(argc, argv);
	j.im = frt_importer_new(&io, emit, &j);
	j.pairer = frt_pairer_new();
	if (!j.im || !j.created_by || !j.pairer) {
		fprintf(stderr, "fragreplay import: out of memory\n");
		goto cleanup;
	}
	ret = read_lines(&j, fd, isatty(2));
	if (!ret)
		ret = frt_importer_finish(j.im);
	if (ret == -EBADMSG || ret == -EPROTO) {
		const struct frt_import_bad *b = &frt_importer_stats(j.im)->bad[0];

		if (!j.err[0])
			snprintf(j.err, sizeof(j.err), "%s:%" PRIu64 ": %s: %s%s", j.input, b->lineno,
				 b->why, b->text, ret == -EPROTO ? " (fix: use --from "
				 "matching the input, or leave --from out to detect it)" :
				 " (fix: repair or drop the line, or import without --strict "
				 "to skip it)");
	}
	if (!ret && !frt_importer_stats(j.im)->events) {
		snprintf(j.err, sizeof(j.err), "%s: no kmem, compaction or migrate event line "
			 "found (%" PRIu64 " lines, %" PRIu64 " malformed): is this perf script "
			 "or ftrace text?", j.input, frt_importer_stats(j.im)->lines,
			 frt_importer_stats(j.im)->malformed);
		ret = -EBADMSG;
	}
	if (!ret) {
		frt_pairer_stats(j.pairer, &j.pairs);
		ret = write_snapshot(&j, 1, frt_importer_stats(j.im)->last_ts);
	}
	if (!ret)
		ret = write_stats(&j);
	if (ret) {
		fprintf(stderr, "fragreplay import: %s\n",
			j.err[0] ? j.err : strerror(-ret));
		if (j.w) {
			frt_writer_abort(j.w);
			frt_outfile_abort(&j.out); /* an older file at output stays as it was */
		}
		goto cleanup;
	}
	ret = frt_writer_close(j.w);
	if (!ret && !j.to_stdout)
		ret = frt_outfile_commit(&j.out);
	if (ret) {
		fprintf(stderr, "fragreplay import: %s: %s\n", j.output, strerror(-ret));
		frt_outfile_abort(&j.out);
		goto cleanup;
	}
	print_summary(&j, now_s() - t0);
	code = EXIT_OK;
cleanup:
	if (fd > 0)
		close(fd);
	frt_importer_free(j.im);
	frt_pairer_free(j.pairer);
	free(j.created_by);
	return code;
}
