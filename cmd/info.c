// SPDX-License-Identifier: MIT
/*
 * info.c - fragreplay info: what a trace holds and whether it is whole.
 *
 * Reads every frame (checksums included), so the counts are those of the
 * readable data even when the trailer is missing or a frame is damaged.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "main.h"
#include "snapshot.h"
#include "summary.h"
#include "trace.h"

#define FRT_INFO_CPUS 1024

/* Tasks seen (by pid), with their mm_page_alloc count: an open-addressing table. */
struct task_count {
	int32_t pid, tgid;
	char comm[FRT_COMM_LEN];
	uint64_t allocs;
	bool used;
};

struct task_counts {
	struct task_count *slot;
	size_t size, nr;
};

static int task_count_add(struct task_counts *tc, const struct frt_event *ev)
{
	size_t h;

	if ((tc->nr + 1) * 2 > tc->size) {
		struct task_counts bigger = { calloc(tc->size ? tc->size * 2 : 1024,
						     sizeof(*tc->slot)), tc->size ? tc->size * 2 : 1024, 0 };

		if (!bigger.slot)
			return -ENOMEM;
		for (size_t i = 0; i < tc->size; i++) {
			if (!tc->slot[i].used)
				continue;
			for (h = (uint32_t)tc->slot[i].pid * 2654435761u % bigger.size;
			     bigger.slot[h].used; h = (h + 1) % bigger.size)
				;
			bigger.slot[h] = tc->slot[i];
			bigger.nr++;
		}
		free(tc->slot);
		*tc = bigger;
	}
	for (h = (uint32_t)ev->pid * 2654435761u % tc->size;
	     tc->slot[h].used && tc->slot[h].pid != ev->pid; h = (h + 1) % tc->size)
		;
	if (!tc->slot[h].used) {
		tc->slot[h] = (struct task_count){ .pid = ev->pid, .used = true };
		tc->nr++;
	}
	/* the latest name and tgid: a pid renamed by exec shows its last one */
	tc->slot[h].tgid = ev->tgid;
	memcpy(tc->slot[h].comm, ev->comm, FRT_COMM_LEN);
	tc->slot[h].allocs += ev->type == FRT_EV_PAGE_ALLOC;
	return 0;
}

static int by_allocs(const void *a, const void *b)
{
	const struct task_count *x = a, *y = b;

	if (x->allocs != y->allocs)
		return x->allocs < y->allocs ? 1 : -1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

struct scan {
	uint64_t events, by_type[FRT_EV_NR_TYPES], unknown_type_events;
	uint64_t task_events; /* events that carry their task (format 1.1) */
	uint64_t by_cpu[FRT_INFO_CPUS]; /* the last slot counts the CPUs past it too */
	struct task_counts tasks;
	uint64_t first_ts, last_ts;
	uint32_t frames, frames_by_type[5];
	uint64_t event_bytes, snapshot_bytes; /* frames on disk, headers included */
	json_t *stats; /* last STATS frame: counters are cumulative */
	bool snap_start, snap_end;
	struct snap_sum {
		long long parts, parts_seen, free_pages;
		json_t *part0; /* header of part 0: source, fit */
		/* read_times (format 1.2): runs over all parts, the first and last
		 * time, and whether pfns and times moved forward across parts */
		uint64_t runs, first_read, last_read, last_pfn, walk_ts;
		bool timed, disordered;
	} snap[2];     /* start, end: a snapshot may come in several parts */
};

/* a part's read_times into @sum: checked as a reader would (FORMAT.md §8.2) */
static void scan_read_times(struct snap_sum *sum, const char *payload, uint32_t len)
{
	struct frt_snapshot_part p;
	struct frt_snapshot_times it;
	uint64_t pfn, ts;
	int ret;

	if (frt_snapshot_parse(payload, len, &p, NULL, 0) || !p.read_times)
		return;
	if (!sum->timed)
		sum->walk_ts = p.ts;
	frt_snapshot_times_init(&it, &p);
	while ((ret = frt_snapshot_times_next(&it, &pfn, &ts)) > 0) {
		if (sum->runs && (pfn <= sum->last_pfn || ts < sum->last_read))
			sum->disordered = true;
		if (!sum->runs)
			sum->first_read = ts;
		sum->runs++;
		sum->last_read = ts;
		sum->last_pfn = pfn;
	}
	sum->timed = true;
	sum->disordered |= ret < 0;
}

static void scan_snapshot(struct scan *s, const char *payload, uint32_t len)
{
	/* SNAPSHOT payload: a JSON header, a NUL, then binary sections (FORMAT.md) */
	json_t *h = json_loads(payload, JSON_DISABLE_EOF_CHECK, NULL);
	const char *kind = json_string_value(json_object_get(h, "kind"));
	struct snap_sum *sum = NULL;

	if (kind && !strcmp(kind, "start")) {
		s->snap_start = true;
		sum = &s->snap[0];
	}
	if (kind && !strcmp(kind, "end")) {
		s->snap_end = true;
		sum = &s->snap[1];
	}
	if (sum) {
		sum->parts_seen++;
		sum->free_pages += json_integer_value(
			json_object_get(json_object_get(h, "counts"), "free_pages"));
		if (!json_integer_value(json_object_get(h, "part")) && !sum->part0) {
			sum->parts = json_integer_value(json_object_get(h, "parts"));
			sum->part0 = json_incref(h);
		}
		scan_read_times(sum, payload, len);
	}
	json_decref(h);
}

static int scan_trace(struct frt_reader *r, struct scan *s)
{
	struct frt_frame_info fi;
	struct frt_event ev;
	int ret;

	while ((ret = frt_reader_next_frame(r, &fi)) > 0) {
		s->frames++;
		if (fi.type < 5)
			s->frames_by_type[fi.type]++;
		if (fi.type == FRT_FRAME_EVENTS)
			s->event_bytes += FRT_FRAME_HEADER_SIZE + fi.stored_size;
		if (fi.type == FRT_FRAME_SNAPSHOT)
			s->snapshot_bytes += FRT_FRAME_HEADER_SIZE + fi.stored_size;
		if (fi.type == FRT_FRAME_STATS) {
			json_decref(s->stats);
			s->stats = json_loads(frt_reader_frame_payload(r, NULL), 0, NULL);
		} else if (fi.type == FRT_FRAME_SNAPSHOT) {
			uint32_t len;
			const char *payload = frt_reader_frame_payload(r, &len);

			scan_snapshot(s, payload, len);
		} else if (fi.type != FRT_FRAME_EVENTS) {
			continue;
		}
		while (fi.type == FRT_FRAME_EVENTS && (ret = frt_reader_frame_next(r, &ev))) {
			if (ret < 0)
				return ret;
			if (ev.has_task) {
				s->task_events++;
				if (task_count_add(&s->tasks, &ev))
					return -ENOMEM;
			}
			s->by_cpu[ev.cpu < FRT_INFO_CPUS ? ev.cpu : FRT_INFO_CPUS - 1]++;
			if (!s->events)
				s->first_ts = ev.ts;
			s->last_ts = ev.ts;
			s->events++;
			if (frt_event_desc(ev.type))
				s->by_type[ev.type]++;
			else
				s->unknown_type_events++;
		}
	}
	return ret;
}

static const char *status_word(const struct frt_reader *r)
{
	switch (frt_reader_status(r)) {
	case FRT_READ_OK:
		return "complete";
	case FRT_READ_TRUNCATED:
		return "truncated";
	default:
		return "damaged";
	}
}

/* The tasks with the most mm_page_alloc events, at most @max, sorted; returns how many. */
static size_t top_allocators(const struct scan *s, struct task_count *top, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < s->tasks.size; i++)
		if (s->tasks.slot[i].used && s->tasks.slot[i].allocs)
			top[n++] = s->tasks.slot[i];
	qsort(top, n, sizeof(*top), by_allocs);
	return n < max ? n : max;
}

static json_t *tasks_json(const struct scan *s)
{
	json_t *o = json_object(), *top = json_array();
	struct task_count *t = calloc(s->tasks.nr + 1, sizeof(*t));
	size_t n = t ? top_allocators(s, t, 5) : 0;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(top, json_pack("{si si ss# sI}", "pid", t[i].pid, "tgid",
						     t[i].tgid, "comm", t[i].comm,
						     (int)strnlen(t[i].comm, FRT_COMM_LEN),
						     "mm_page_alloc", (json_int_t)t[i].allocs));
	json_object_set_new(o, "events_with_task", json_integer((json_int_t)s->task_events));
	json_object_set_new(o, "tasks", json_integer((json_int_t)s->tasks.nr));
	json_object_set_new(o, "top_allocators", top);
	free(t);
	return o;
}

/* events per CPU number, up to the highest CPU that has any */
static json_t *by_cpu_json(const struct scan *s)
{
	json_t *a = json_array();
	unsigned int n = FRT_INFO_CPUS;

	while (n && !s->by_cpu[n - 1])
		n--;
	for (unsigned int i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)s->by_cpu[i]));
	return a;
}

static json_t *info_json(struct frt_reader *r, const struct scan *s, json_t *meta)
{
	json_t *o = json_object(), *by = json_object(), *snaps = json_object();
	const char *err = frt_reader_error(r);
	uint64_t size = frt_reader_file_size(r);

	for (unsigned int t = 1; t < FRT_EV_NR_TYPES; t++)
		if (s->by_type[t])
			json_object_set_new(by, frt_event_desc(t)->name,
					    json_integer((json_int_t)s->by_type[t]));
	json_object_set_new(snaps, "start", json_boolean(s->snap_start));
	json_object_set_new(snaps, "end", json_boolean(s->snap_end));
	if (s->snap[0].timed || s->snap[1].timed) { /* format 1.2 */
		json_t *rt = json_object();

		for (int k = 0; k < 2; k++)
			if (s->snap[k].timed)
				json_object_set_new(rt, k ? "end" : "start", json_pack(
					"{s:I, s:I, s:I, s:I, s:b}", "walk_ts",
					(json_int_t)s->snap[k].walk_ts, "runs", (json_int_t)s->snap[k].runs,
					"first_ts", (json_int_t)s->snap[k].first_read,
					"last_ts", (json_int_t)s->snap[k].last_read,
					"ordered", !s->snap[k].disordered));
		json_object_set_new(o, "read_times", rt);
	}
	json_object_set_new(o, "file", json_string(frt_reader_path(r)));
	json_object_set_new(o, "file_size", json_integer((json_int_t)size));
	json_object_set_new(o, "format_version",
			    json_sprintf("%d.%u", FRT_FORMAT_MAJOR, frt_reader_version_minor(r)));
	json_object_set(o, "metadata", meta ? meta : json_null());
	json_object_set_new(o, "status", json_string(status_word(r)));
	json_object_set_new(o, "error", err ? json_string(err) : json_null());
	json_object_set_new(o, "frames", json_integer(s->frames));
	json_object_set_new(o, "unknown_frames", json_integer(frt_reader_unknown_frames(r)));
	json_object_set_new(o, "events", json_integer((json_int_t)s->events));
	json_object_set_new(o, "events_by_type", by);
	json_object_set_new(o, "events_by_cpu", by_cpu_json(s));
	json_object_set_new(o, "events_of_unknown_type",
			    json_integer((json_int_t)s->unknown_type_events));
	json_object_set_new(o, "first_ts", json_integer((json_int_t)s->first_ts));
	json_object_set_new(o, "last_ts", json_integer((json_int_t)s->last_ts));
	json_object_set_new(o, "duration_ns", json_integer((json_int_t)(s->last_ts - s->first_ts)));
	json_object_set_new(o, "bytes_per_event", s->events ?
			    json_real((double)s->event_bytes / (double)s->events) : json_null());
	json_object_set_new(o, "event_bytes", json_integer((json_int_t)s->event_bytes));
	json_object_set_new(o, "snapshot_bytes", json_integer((json_int_t)s->snapshot_bytes));
	json_object_set(o, "lost", s->stats ? s->stats : json_null());
	json_object_set_new(o, "snapshots", snaps);
	json_object_set_new(o, "tasks", tasks_json(s));
	return o;
}

static void print_kv(const char *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void print_kv(const char *k, const char *fmt, ...)
{
	va_list ap;

	printf("%-16s", k);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#define JI(obj, key) ((long long)json_integer_value(json_object_get(obj, key)))
#define JS(obj, key) (json_string_value(json_object_get(obj, key)) ?: "?")

static void print_zones(json_t *zones)
{
	size_t i;
	json_t *z;

	printf("zones           %-4s %-8s %10s %10s %9s %9s %7s %7s %7s %5s %5s\n", "node", "name",
	       "start_pfn", "end_pfn", "present", "managed", "min", "low", "high", "pcphi",
	       "batch");
	json_array_foreach(zones, i, z) {
		printf("                %-4lld %-8s %#10llx %#10llx %9lld %9lld %7lld %7lld %7lld "
		       "%5lld %5lld\n", JI(z, "node"), JS(z, "name"), JI(z, "start_pfn"),
		       JI(z, "start_pfn") + JI(z, "spanned"), JI(z, "present"), JI(z, "managed"),
		       JI(z, "wmark_min"), JI(z, "wmark_low"), JI(z, "wmark_high"),
		       JI(z, "pcp_high"), JI(z, "pcp_batch"));
	}
}

/* "bpf-struct-page, 1 part, 2269901 free pages, fit ok (worst zone 0.000% off ...)" */
static void print_snapshot(const char *what, const struct snap_sum *sum)
{
	json_t *fit = json_object_get(sum->part0, "fit"), *z;
	double worst = 0;
	size_t i;

	if (!sum->parts_seen)
		return;
	json_array_foreach(json_object_get(fit, "zones"), i, z) {
		double pct = json_real_value(json_object_get(z, "error_pct"));

		worst = pct > worst ? pct : worst;
	}
	printf("%-16s%s%s, %lld part%s", what, JS(sum->part0, "source"),
	       json_is_true(json_object_get(sum->part0, "approximate")) ? " (approximate)" : "",
	       sum->parts_seen, sum->parts_seen == 1 ? "" : "s");
	if (sum->parts != sum->parts_seen)
		printf(" of %lld", sum->parts);
	printf(", %lld free pages, ", sum->free_pages);
	if (fit)
		printf("fit %s (worst zone %.3f%% off pagetypeinfo)\n",
		       json_is_true(json_object_get(fit, "ok")) ? "ok" : "FAILED the 1% check",
		       worst);
	else
		printf("no fit\n");
	if (sum->timed)
		printf("%-16sread in %" PRIu64 " runs of pfns over %.3f s%s\n", "", sum->runs,
		       (double)(sum->last_read - sum->first_read) / 1e9,
		       sum->disordered ? " (MALFORMED: against FORMAT.md §8.2)" : "");
}

/* An imported trace: from what, what is approximate, and what replay still needs. */
static void print_imported(json_t *imp, const struct scan *s)
{
	json_t *v, *st = json_object_get(s->stats, "import");
	size_t i;

	print_kv("imported", "from %s (%s), %s", JS(imp, "from"), JS(imp, "tool"), JS(imp, "input"));
	printf("%-16s", "approximate");
	json_array_foreach(json_object_get(imp, "approximate"), i, v)
		printf("%s%s", i ? ", " : "", json_string_value(v));
	putchar('\n');
	if (st)
		print_kv("import lines", "%lld: %lld other events skipped, %lld malformed, %lld "
			 "late (time raised), %lld lost markers", JI(st, "lines"),
			 JI(st, "skipped_other"), JI(st, "malformed"),
			 JI(s->stats, "reordered_late"), JI(st, "lost_markers"));
	if (!s->snap_start)
		print_kv("replay", "needs a start snapshot: import again with --start-snapshot DIR "
			 "(fragreplay snapshot DIR, taken before the capture)");
}

/* "70399 of 70399 events carry their task; 143 tasks; most allocations: stress-ng-vm-2113 41.2%" */
static void print_tasks(const struct scan *s)
{
	uint64_t allocs = s->by_type[FRT_EV_PAGE_ALLOC];
	struct task_count *t;
	size_t n;

	if (!s->task_events) {
		print_kv("tasks", "not recorded (traces before format 1.1)");
		return;
	}
	printf("%-16s%" PRIu64 " of %" PRIu64 " events carry their task; %zu tasks", "tasks",
	       s->task_events, s->events, s->tasks.nr);
	t = calloc(s->tasks.nr + 1, sizeof(*t));
	n = t ? top_allocators(s, t, 3) : 0;
	for (size_t i = 0; i < n; i++) {
		int len = (int)strnlen(t[i].comm, FRT_COMM_LEN);

		printf("%s%.*s-%d %.1f%%", i ? ", " : "; most mm_page_alloc: ", len ? len : 5,
		       len ? t[i].comm : "<...>", t[i].pid,
		       100.0 * (double)t[i].allocs / (double)allocs);
	}
	putchar('\n');
	free(t);
}

/* Degradations the recorder wrote into the metadata (FORMAT.md §4, "notes"), or the STATS frame's. */
static void print_notes(json_t *meta)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(meta, "notes"), i, v)
		if (json_is_string(v))
			print_kv("note", "%s", json_string_value(v));
}

static void print_text(struct frt_reader *r, const struct scan *s, json_t *meta)
{
	uint64_t size = frt_reader_file_size(r);
	json_t *v, *sys = json_object_get(meta, "sysctls"), *thp = json_object_get(meta, "thp");
	const char *k;
	char when[64] = "?";

	if (json_is_integer(json_object_get(meta, "capture_start_realtime_ns"))) {
		time_t t = (time_t)(JI(meta, "capture_start_realtime_ns") / 1000000000LL);
		struct tm tm;

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
	}
	print_kv("file", "%s (%" PRIu64 " bytes, format %d.%u)", frt_reader_path(r), size,
		 FRT_FORMAT_MAJOR, frt_reader_version_minor(r));
	print_kv("status", "%s", status_word(r));
	print_kv("host", "%s, kernel %s", JS(meta, "hostname"), JS(meta, "kernel_release"));
	print_kv("recorded by", "fragreplay %s (%s), started %s", JS(meta, "tool_version"),
		 JS(meta, "created_by"), when);
	if (json_is_object(json_object_get(meta, "imported")))
		print_imported(json_object_get(meta, "imported"), s);
	print_kv("duration", "%.3f s (first to last event)", (s->last_ts - s->first_ts) / 1e9);
	print_kv("memory", "page size %lld, pageblock order %lld, max order %lld, %lld CPUs",
		 JI(meta, "page_size"), JI(meta, "pageblock_order"), JI(meta, "max_order"),
		 JI(meta, "nr_cpus"));
	if (json_array_size(json_object_get(meta, "zones")))
		print_zones(json_object_get(meta, "zones"));
	if (json_object_size(sys)) {
		printf("%-16s", "sysctls");
		json_object_foreach(sys, k, v)
			printf("%s=%lld ", k, (long long)json_integer_value(v));
		putchar('\n');
	}
	if (thp)
		print_kv("thp", "enabled: %s; defrag: %s", JS(thp, "enabled"), JS(thp, "defrag"));
	print_notes(meta);
	print_kv("events", "%" PRIu64 " in %u frames; events frames %" PRIu64 " bytes, %.2f "
		 "bytes/event; snapshots %" PRIu64 " bytes", s->events, s->frames, s->event_bytes,
		 s->events ? (double)s->event_bytes / (double)s->events : 0.0, s->snapshot_bytes);
	for (unsigned int t = 1; t < FRT_EV_NR_TYPES; t++)
		if (s->by_type[t])
			printf("  %-38s %12" PRIu64 "\n", frt_event_desc(t)->name, s->by_type[t]);
	if (s->unknown_type_events)
		printf("  %-38s %12" PRIu64 "\n", "(types unknown to this build)",
		       s->unknown_type_events);
	print_tasks(s);
	if (s->stats && json_object_get(s->stats, "lost_total")) {
		json_t *pc = json_object_get(s->stats, "lost_per_cpu");
		size_t i;

		printf("%-16s%lld", "lost events", JI(s->stats, "lost_total"));
		if (json_array_size(pc)) {
			printf(" (per CPU:");
			json_array_foreach(pc, i, v)
				printf(" %lld", (long long)json_integer_value(v));
			printf(")");
		}
		putchar('\n');
		if (json_is_integer(json_object_get(s->stats, "capture_cpu_ns")) && s->events)
			print_kv("recorder CPU", "%.2f s while capturing, %.0f ns/event",
				 JI(s->stats, "capture_cpu_ns") / 1e9,
				 (double)JI(s->stats, "capture_cpu_ns") / (double)s->events);
	} else if (s->stats) {
		print_kv("lost events", "unknown (the imported input does not say)");
	} else {
		print_kv("lost events", "unknown (no STATS frame)");
	}
	/* what the recorder or the importer learnt only at the end (STATS "notes"):
	 * BPF recursion misses, migration pairs inferred, perf's counts */
	if (s->stats)
		print_notes(s->stats);
	print_kv("snapshots", "start %s, end %s", s->snap_start ? "present" : "absent",
		 s->snap_end ? "present" : "absent");
	for (int k = 0; k < 2; k++)
		print_snapshot(k ? "snapshot end" : "snapshot start", &s->snap[k]);
	if (frt_reader_unknown_frames(r))
		print_kv("skipped", "%u frames of types unknown to this build",
			 frt_reader_unknown_frames(r));
	if (frt_reader_status(r) != FRT_READ_OK)
		print_kv("missing", "everything after byte %" PRIu64 " of %" PRIu64
			 " (the counts above are of the readable prefix)",
			 frt_reader_valid_bytes(r), size);
}

/* --summary: replay/summary.c's, a pass of its own over the events */
static int info_summary(const char *path, bool as_json)
{
	json_t *o = NULL;
	char err[600] = "";
	int ret = replay_summary(path, stdout, as_json ? &o : NULL, err, sizeof(err));

	if (o) {
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(o);
	}
	fflush(stdout);
	if (ret)
		fprintf(stderr, "fragreplay info: %s\n", err);
	return ret ? EXIT_FAIL : EXIT_OK;
}

static void info_help(FILE *f)
{
	fprintf(f,
		"Usage: fragreplay info [--json] [--summary] FILE.frt\n"
		"\n"
		"Show what a trace holds: host, kernel, memory layout (zones, watermarks),\n"
		"sysctls, the recorder's notes (what it could not record, and why), event\n"
		"counts per type, tasks (how many; which made the most allocations), lost\n"
		"events and the notes known only at the end (recursion misses, inferred\n"
		"migration pairs), snapshots, file size and bytes per event. Every frame\n"
		"is read and checksummed, so a damaged or truncated file is reported with\n"
		"what is readable and what is missing.\n"
		"\n"
		"  --json      print the same as one JSON object on stdout\n"
		"  --summary   instead, the requests as perf kmem --page stat summarises\n"
		"              them: allocations and frees (pages), allocations by order and\n"
		"              migratetype, failures, fallbacks by kind (claimer, pollute,\n"
		"              steal), compaction and migration counts (with --json: as JSON)\n"
		"  -h, --help  this text\n"
		"\n"
		"Exit status: 0 the trace is whole, 1 it is damaged or truncated (the\n"
		"report still covers the readable part) or unreadable, 2 usage error.\n");
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "summary", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' }, CLI_VERSION_OPTION,
		{ 0 },
	};
	struct scan s = { 0 };
	struct frt_reader *r;
	json_t *meta;
	bool as_json = false, summary = false;
	char err[600], stdin_path[64];
	int c, ret, code;

	optind = 1;
	while ((c = cli_getopt("info", &code, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'j':
			as_json = true;
			break;
		case 's':
			summary = true;
			break;
		case 'h':
			info_help(stdout);
			return EXIT_OK;
		case CLI_EXIT:
			return code;
		default: /* not reached: every option of the table has its case */
			return usage_error("info", "option '%s' not handled", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("info", "expected one trace file");
	const char *path = cli_trace_input("info", argv[optind], stdin_path, sizeof(stdin_path));
	if (!path)
		return EXIT_FAIL;
	if (summary)
		return info_summary(path, as_json);
	r = frt_reader_open(path, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "fragreplay info: %s\n", err);
		return EXIT_FAIL;
	}
	meta = json_loads(frt_reader_meta(r), 0, NULL);
	ret = scan_trace(r, &s);
	if (as_json) {
		json_t *o = info_json(r, &s, meta);

		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(o);
	} else {
		print_text(r, &s, meta);
	}
	fflush(stdout);
	if (ret < 0 || frt_reader_status(r) != FRT_READ_OK)
		fprintf(stderr, "fragreplay info: %s\n", frt_reader_error(r));
	ret = frt_reader_status(r) == FRT_READ_OK ? EXIT_OK : EXIT_FAIL;
	json_decref(s.stats);
	json_decref(s.snap[0].part0);
	json_decref(s.snap[1].part0);
	free(s.tasks.slot);
	json_decref(meta);
	frt_reader_free(r);
	return ret;
}
