// SPDX-License-Identifier: MIT
/*
 * record.c - fragreplay record: capture the page allocator's, compaction's
 * and migration's tracepoints with BPF into a trace file.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "collector_api.h"
#include "hostinfo.h"
#include "main.h"
#include "migrate_pair.h"
#include "outfile.h"
#include "snapshot_bpf.h"
#include "snapshot_host.h"
#include "trace.h"

/*
 * The writer's zstd level while recording: 1, not the library's 3. The
 * recorder shares the host with the workload, and at 3 compression was two
 * thirds of its CPU per event (bench_format: ~71 ns/event at 3, ~44 at 1,
 * for ~12% more bytes).
 */
#define RECORD_ZSTD_LEVEL 1
#define POLL_MS 100
#define FLUSH_NS 1000000000ull

static const char usage_text[] =
	"Usage: fragreplay record -o FILE.frt [-d TIME] [--max-size SIZE] [--events GROUPS]\n"
	"                         [--snapshot-from bpf|kpageflags] [--force] [-v]\n"
	"\n"
	"Record what the Linux page allocator does on this host, with BPF programs on\n"
	"the kmem, compaction and migrate tracepoints, into a trace file. Capture runs\n"
	"for TIME, or until SIGINT (Ctrl-C) or SIGTERM; either way the file is\n"
	"closed cleanly. Needs a kernel with BTF (/sys/kernel/btf/vmlinux) and root:\n"
	"uid 0 with CAP_BPF and CAP_PERFMON, or another user with CAP_BPF, CAP_PERFMON\n"
	"and CAP_DAC_READ_SEARCH (to read /sys/kernel/tracing, /proc/pagetypeinfo and\n"
	"/proc/kpageflags, which only root may read; README: Capabilities).\n"
	"\n"
	"Each tracepoint is attached the cheapest way the kernel allows (tp_btf, else\n"
	"tp); a tracepoint the kernel lacks is left out. Every such fallback is a\n"
	"WARNING line at the start and a note in the trace (info, replay show it).\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE     trace file to create (mode 0600; must not exist)\n"
	"  -d, --duration TIME   stop after TIME: 10s, 5m, 1.5h, or seconds (decimals allowed)\n"
	"      --max-size SIZE   stop when the file reaches SIZE: 512M, 2G (binary), 100MB\n"
	"                        (decimal), or megabytes of 10^6 bytes\n"
	"      --events GROUPS   comma-separated tracepoint groups to record:\n"
	"                        kmem, compaction, migrate (default: all three)\n"
	"      --snapshot-from M bpf (default: struct page read by a BPF program, falling\n"
	"                        back to kpageflags with a WARNING) or kpageflags\n"
	"                        (/proc/kpageflags: no BPF walk, types guessed)\n"
	"      --force           replace FILE if it exists (a new file renamed over it,\n"
	"                        never written through a link)\n"
	"  -v, --verbose         show libbpf's messages (a refused program's verifier log)\n"
	"  -h, --help            show this help\n"
	"\n"
	"The file starts with a snapshot of physical memory (every free block and\n"
	"allocated page with its mobility, every pageblock's migratetype) and ends\n"
	"with another; capture runs from the start of the first walk of memory to the\n"
	"end of the last, and each snapshot says when it read which pages, so that\n"
	"replay knows which events of a walk it already shows (see traces/FORMAT.md).\n"
	"stderr says when each snapshot starts and ends (with its progress on a\n"
	"terminal), when capture is switched on, and 'capturing into FILE' once the\n"
	"first event has arrived: start the workload after that line. On a terminal a\n"
	"status line then shows elapsed time, events/s, MB written,\n"
	"bytes/event and lost events. Every way the recording falls short (a\n"
	"snapshot from /proc/kpageflags instead of BPF, a snapshot off /proc by more\n"
	"than 1%, lost events) is a WARNING line, also kept in the file's notes. Frames are flushed every second, so a crash\n"
	"or kill -9 loses at most about a second and leaves a readable file.\n"
	"At the end a summary goes to stderr; events the kernel could not hand over\n"
	"(ring buffer full) are counted in the file and reported with a WARNING.\n"
	"Exit status: 0 recorded, 1 failure, 2 usage error.\n";

struct record_opts {
	const char *path;
	double duration; /* seconds; 0 = until a signal */
	uint64_t max_bytes; /* 0 = no limit */
	unsigned int groups;
	unsigned int snapshot_flags; /* FRT_SNAPSHOT_* */
	bool force, verbose;
};

struct capture {
	struct frt_writer *w;
	struct frt_pairer *pairer;
	int write_err; /* first error of the writer */
	bool size_limit_hit;
	bool flowing;          /* the first event arrived: "capturing" was said */
	uint64_t on_ns, off_ns; /* capture switched on and off, trace clock */
	uint64_t misses; /* BPF recursion misses while capturing, that no catcher recorded */
	char misses_which[512];
	char no_bpf_reason[300]; /* the start snapshot's BPF load failed: why */
	json_t *notes;         /* every WARNING, for the STATS frame */
	uint64_t bogus_pfns;   /* pfn fields >= 2^63 the format could not hold, written as none */
	struct frt_collector *c;
	const char *kind;      /* the snapshot under way: "start" or "end" */
	/*
	 * Events while a snapshot is taken, drained by a thread of their own
	 * (the rings of a busy host fill in a fraction of a second, and the
	 * walk, fit and writing of a snapshot take longer) and held until its
	 * frames are written: the writer is the snapshot's meanwhile.
	 */
	struct frt_event *held;
	size_t nr_held, cap_held;
	pthread_t drainer;
	bool draining;
	atomic_bool drain_stop;
	int poll_err;          /* the first error draining the rings */
};

/*
 * A one-line WARNING on stderr; with @cap, also kept in the trace's notes
 * (STATS), for what leaves no other mark in the file. (A snapshot's source
 * and fit are in its own header, and reports derive their notes from it.)
 */
static void warn(struct capture *cap, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "fragreplay record: WARNING: %s\n", line);
	if (cap)
		json_array_append_new(cap->notes, json_string(line));
}

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	stop_requested = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* "kmem,migrate" -> bits; 0 when a name is unknown or the list is empty */
static unsigned int parse_groups(const char *list)
{
	unsigned int groups = 0, bit;

	for (const char *p = list;; p++) {
		size_t len = strcspn(p, ",");

		bit = frt_group_by_name(p, len);
		if (!bit)
			return 0;
		groups |= bit;
		p += len;
		if (!*p)
			return groups;
	}
}

/* Returns 0, or the exit code for a usage error (already reported). */
static int parse_args(int argc, char **argv, struct record_opts *o)
{
	enum { OPT_EVENTS = 256, OPT_FORCE, OPT_MAX_SIZE, OPT_SNAPSHOT_FROM };
	static const struct option long_opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "events", required_argument, NULL, OPT_EVENTS },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "snapshot-from", required_argument, NULL, OPT_SNAPSHOT_FROM },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION,
		{ 0 }
	};
	int opt, code;

	*o = (struct record_opts){ .groups = FRT_GROUP_ALL };
	optind = 1;
	while ((opt = cli_getopt("record", &code, argc, argv, "o:d:vh", long_opts)) != -1) {
		switch (opt) {
		case 'o':
			o->path = optarg;
			break;
		case 'd': {
			uint64_t ns;

			/* a bare number is seconds, as before units; 1 ms to 30 days */
			if (parse_duration(optarg, 1e9, 1000000, 2592000000000000ull, &ns))
				return usage_error("record", "-d wants a duration from 1ms to 30 days "
						   "such as 10s, 5m, 1.5h or 30 (seconds), not '%s'",
						   optarg);
			o->duration = ns / 1e9;
			break;
		}
		case OPT_MAX_SIZE:
			/* a bare number is megabytes (10^6 bytes), as before units */
			if (parse_size(optarg, 1e6, 1000, 1ull << 50, &o->max_bytes))
				return usage_error("record", "--max-size wants a size from 1kB such as "
						   "512M, 2G or 100 (megabytes), not '%s'", optarg);
			break;
		case OPT_EVENTS:
			o->groups = parse_groups(optarg);
			if (!o->groups)
				return usage_error("record", "--events wants a comma-separated list of kmem, "
						   "compaction, migrate, not '%s'", optarg);
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_SNAPSHOT_FROM:
			if (strcmp(optarg, "bpf") && strcmp(optarg, "kpageflags"))
				return usage_error("record", "--snapshot-from wants bpf or kpageflags, "
						   "not '%s'", optarg);
			o->snapshot_flags = strcmp(optarg, "bpf") ? FRT_SNAPSHOT_NO_BPF : 0;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case CLI_EXIT:
			if (!code) /* --version */
				exit(0);
			return code;
		default: /* not reached: every option of the table has its case */
			return usage_error("record", "option '%s' not handled", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("record", "unexpected argument '%s'", argv[optind]);
	if (!o->path)
		return usage_error("record", "-o FILE is required");
	return 0;
}

static int write_event(const struct frt_event *ev, void *ctx)
{
	struct capture *cap = ctx;
	struct frt_event pair;
	unsigned int cleared = 0;
	int err = frt_writer_add_clamped(cap->w, ev, &cleared);

	cap->bogus_pfns += cleared;
	if (!err && frt_pairer_feed(cap->pairer, ev, &pair))
		err = frt_writer_add(cap->w, &pair);
	if (err && !cap->write_err)
		cap->write_err = err;
	return err;
}

static void print_start_error(struct frt_collector *c, int err)
{
	const char *what = frt_collector_error(c);

	switch (err) {
	case -EPERM:
	case -EACCES:
		fprintf(stderr, "fragreplay record: %s: recording needs root, or CAP_BPF, "
			"CAP_PERFMON and CAP_DAC_READ_SEARCH (README: Capabilities)\n", what);
		break;
	case -ENOTSUP:
		fprintf(stderr, "fragreplay record: %s: recording needs a kernel with BTF "
			"(CONFIG_DEBUG_INFO_BTF=y) at /sys/kernel/btf/vmlinux\n", what);
		break;
	case -ENOENT:
		fprintf(stderr, "fragreplay record: %s: recording needs tracefs mounted "
			"(mount -t tracefs nodev /sys/kernel/tracing) and the kernel's "
			"tracepoints; --events can leave a group out\n", what);
		break;
	default:
		fprintf(stderr, "fragreplay record: %s (-v shows libbpf's log)\n", what);
	}
}

/* The command line, for the metadata's "created_by". */
static char *command_line(int argc, char **argv)
{
	size_t len = strlen("fragreplay") + 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	strcpy(s, "fragreplay");
	for (int i = 0; i < argc; i++) {
		strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* One status line, redrawn in place: what an operator watches on a production host. */
static void print_status(struct frt_collector *c, struct frt_writer *w, uint64_t start)
{
	double secs = (now_ns() - start) / 1e9;
	uint64_t events = frt_writer_events(w), bytes = frt_writer_bytes(w);

	fprintf(stderr, "\r\033[K%6.1f s  %9.0f events/s  %8.2f MB  %5.2f bytes/event  lost %" PRIu64,
		secs, secs > 0 ? events / secs : 0, bytes / 1e6,
		events ? (double)bytes / events : 0, frt_collector_lost(c, NULL, 0));
}

/* Poll until the duration or size limit ends, a signal arrives, or an error. */
static int capture_loop(struct frt_collector *c, struct capture *cap, const struct record_opts *o,
			uint64_t start)
{
	uint64_t deadline = o->duration ? start + (uint64_t)(o->duration * 1e9) : 0;
	uint64_t last_flush = now_ns(), now;
	bool tty = isatty(STDERR_FILENO);
	int timeout, n;

	while (!stop_requested) {
		if (o->max_bytes && frt_writer_bytes(cap->w) >= o->max_bytes) {
			cap->size_limit_hit = true;
			break;
		}
		now = now_ns();
		if (deadline && now >= deadline)
			break;
		timeout = POLL_MS;
		if (deadline && deadline - now < POLL_MS * 1000000ull)
			timeout = (int)((deadline - now + 999999) / 1000000);
		n = frt_collector_poll(c, timeout, write_event, cap);
		if (n < 0)
			return n;
		if (!cap->flowing && frt_writer_events(cap->w)) {
			cap->flowing = true;
			fprintf(stderr, "fragreplay record: capturing into %s since %.2f s ago "
				"(Ctrl-C stops)\n", o->path, (now_ns() - start) / 1e9);
		}
		if (now_ns() - last_flush >= FLUSH_NS) {
			n = frt_writer_flush(cap->w);
			if (n) {
				cap->write_err = n;
				return n;
			}
			last_flush = now_ns();
			if (tty)
				print_status(c, cap->w, start);
		}
	}
	if (tty)
		fputs("\r\033[K", stderr);
	return 0;
}

static int put_stats(struct frt_collector *c, struct capture *cap, uint64_t *lost)
{
	struct frt_writer *w = cap->w;
	struct frt_pairer_stats ps;
	unsigned int nr_cpus = frt_collector_nr_cpus(c);
	uint64_t *per_cpu = calloc(nr_cpus, sizeof(*per_cpu));
	json_t *stats = json_object(), *a = json_array();
	char *text = NULL;
	int bad = !per_cpu, err;
	uint64_t misses = cap->misses;

	if (misses)
		warn(cap, "%" PRIu64 " events never reached the recorder: the kernel skipped them "
		     "because a program of ours was already running on that CPU (a tracepoint "
		     "firing in an interrupt during it: BPF recursion misses; by tracepoint: %s); "
		     "the trace lacks them", misses, cap->misses_which);
	if (cap->bogus_pfns)
		warn(cap, "%" PRIu64 " pfn fields of compaction events were 2^63 or more (the kernel's "
		     "scanners had crossed) where the format cannot hold them: written as no pfn",
		     cap->bogus_pfns);
	*lost = frt_collector_lost(c, per_cpu, per_cpu ? nr_cpus : 0);
	for (unsigned int i = 0; per_cpu && i < nr_cpus; i++)
		bad |= json_array_append_new(a, json_integer(per_cpu[i]));
	bad |= json_object_set_new(stats, "lost_per_cpu", a);
	bad |= json_object_set_new(stats, "lost_total", json_integer(*lost));
	bad |= json_object_set_new(stats, "reordered_late",
				   json_integer(frt_collector_reordered_late(c)));
	bad |= json_object_set_new(stats, "recursion_misses", json_integer((json_int_t)misses));
	bad |= json_object_set_new(stats, "bogus_pfns", json_integer((json_int_t)cap->bogus_pfns));
	bad |= json_object_set_new(stats, "recursion_caught",
				   json_integer((json_int_t)frt_collector_recursion_caught(c)));
	bad |= json_object_set_new(stats, "capture_on_ts", json_integer((json_int_t)cap->on_ns));
	bad |= json_object_set_new(stats, "capture_off_ts", json_integer((json_int_t)cap->off_ns));
	bad |= json_object_set(stats, "notes", cap->notes);
	bad |= json_object_set_new(stats, "capture_cpu_ns",
				   json_integer((json_int_t)frt_collector_cpu_ns(c)));
	frt_pairer_stats(cap->pairer, &ps);
	bad |= json_object_set_new(stats, "migrate_pairs",
				   json_pack("{sI sI sI sI}", "pairs", (json_int_t)ps.pairs,
					     "dup_mappings", (json_int_t)ps.dup_mappings,
					     "unmatched_set", (json_int_t)ps.unmatched_set,
					     "unmatched_remove", (json_int_t)ps.unmatched_remove));
	if (!bad)
		text = json_dumps(stats, JSON_COMPACT);
	err = text ? frt_writer_put_json(w, FRT_FRAME_STATS, text) : -ENOMEM;
	frt_writer_set_lost(w, *lost);
	free(text);
	json_decref(stats);
	free(per_cpu);
	return err;
}

static void print_summary(const char *path, uint64_t events, double secs, uint64_t lost,
			  uint64_t late)
{
	struct stat st;
	double mb = stat(path, &st) ? 0 : st.st_size / 1e6;

	fprintf(stderr, "fragreplay record: %" PRIu64 " events in %.1f s (%.0f/s), %.2f MB, "
		"%.1f bytes/event, lost %" PRIu64, events, secs, secs > 0 ? events / secs : 0,
		mb, events ? mb * 1e6 / events : 0, lost);
	if (late)
		fprintf(stderr, ", %" PRIu64 " arrived late (timestamps clamped)", late);
	fprintf(stderr, " -> %s\n", path);
	if (lost)
		fprintf(stderr, "fragreplay record: WARNING: %" PRIu64 " events were LOST (the ring "
			"buffer was full); the trace is incomplete and replays of it will be "
			"wrong where they happened\n", lost);
}

/* A new 0600 file; with --force a temporary beside it, renamed over it once capture starts. */
static int open_output(const struct record_opts *o, struct frt_outfile *out)
{
	int err = frt_outfile_open(out, o->path, o->force, 0600);

	if (err == -EEXIST)
		fprintf(stderr, "fragreplay record: %s exists (--force replaces it)\n", o->path);
	else if (err)
		fprintf(stderr, "fragreplay record: %s: %s\n", o->path, strerror(-err));
	return err ? -1 : out->fd;
}

static void snapshot_progress(void *ctx, uint64_t done, uint64_t total)
{
	fprintf(stderr, "\r\033[Kfragreplay record: %s snapshot: %3.0f%% of %.1f M pfns",
		((struct capture *)ctx)->kind, total ? 100.0 * done / total : 100.0, total / 1e6);
}

static int hold_event(const struct frt_event *ev, void *ctx)
{
	struct capture *cap = ctx;

	if (cap->nr_held == cap->cap_held) {
		size_t n = cap->cap_held ? 2 * cap->cap_held : 65536;
		void *p = realloc(cap->held, n * sizeof(*cap->held));

		if (!p)
			return -ENOMEM;
		cap->held = p;
		cap->cap_held = n;
	}
	cap->held[cap->nr_held++] = *ev;
	return 0;
}

/*
 * About this much memory holds the events of one snapshot's time (~550 k
 * events; a host making 1.6 M a second fills it in a third of a second):
 * past it the drainer waits, the rings fill, and what they cannot take is
 * counted lost by the collector and said in the trace's notes, as any
 * overflow is. record runs on production hosts: bounded, never silent.
 */
#define HELD_MAX_BYTES (64u << 20)

static void *drain(void *arg)
{
	struct capture *cap = arg;

	while (!atomic_load(&cap->drain_stop)) {
		if (cap->nr_held >= HELD_MAX_BYTES / sizeof(*cap->held)) {
			usleep(1000);
			continue;
		}
		int n = frt_collector_poll(cap->c, 10, hold_event, cap);

		if (n < 0) {
			cap->poll_err = n;
			break;
		}
	}
	return NULL;
}

/*
 * Capture runs through both walks (FORMAT.md §8.2 read_times): on right
 * before the start walk, so that every event while it reads is in the
 * trace, and off right after the end walk. Events are drained meanwhile.
 */
static void snapshot_walk_begins(void *ctx)
{
	struct capture *cap = ctx;

	if (!cap->on_ns) {
		frt_collector_recursion_mark(cap->c);
		cap->on_ns = now_ns();
		frt_collector_capture(cap->c, true);
	}
	if (cap->draining)
		return;
	atomic_store(&cap->drain_stop, false);
	cap->draining = !pthread_create(&cap->drainer, NULL, drain, cap);
	if (!cap->draining)
		cap->poll_err = -EAGAIN;
}

/* The snapshot is written: what the drainer held goes to the writer, after its frames. */
static int put_held(struct capture *cap)
{
	int err = 0;

	if (cap->draining) {
		atomic_store(&cap->drain_stop, true);
		pthread_join(cap->drainer, NULL);
		cap->draining = false;
	}
	if (cap->on_ns && !cap->poll_err) {
		int n = frt_collector_poll(cap->c, 0, hold_event, cap);

		if (n < 0)
			cap->poll_err = n;
	}
	for (size_t i = 0; i < cap->nr_held && !err; i++)
		err = write_event(&cap->held[i], cap);
	cap->nr_held = 0;
	return cap->poll_err ? cap->poll_err : err;
}

/*
 * A snapshot that fails is not worth losing the capture for: say so loudly,
 * replay then starts from an empty model (or lacks the end state). So is
 * every way it falls short: read from kpageflags instead of struct page,
 * or further from /proc/pagetypeinfo than the 1% the fit aims for. A BPF
 * object the kernel refused for the start snapshot is not loaded again.
 */
static void snapshot(struct capture *cap, const char *kind, const struct record_opts *o)
{
	struct frt_snapshot_result res;
	struct frt_snapshot_opts so = {
		.flags = o->snapshot_flags,
		.bpf = &frt_snap_bpf_ops,
		.verbose = o->verbose,
		.no_bpf_reason = cap->no_bpf_reason[0] ? cap->no_bpf_reason : NULL,
		.progress = isatty(STDERR_FILENO) ? snapshot_progress : NULL,
		.walk_begins = snapshot_walk_begins,
		.ctx = cap,
	};
	char err[512];

	cap->kind = kind;

	fprintf(stderr, "fragreplay record: taking the %s snapshot of physical memory\n", kind);
	if (frt_snapshot_write(cap->w, kind, &so, &res, err, sizeof(err))) {
		if (so.progress)
			fputs("\r\033[K", stderr);
		warn(cap, "no %s snapshot: %s", kind, err);
		return;
	}
	if (so.progress)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "fragreplay record: %s snapshot: %s in %.1f s, %.2f%% off /proc at worst"
		"%s%s\n", kind, res.bpf ? "struct page by BPF" : "/proc/kpageflags", res.secs,
		res.worst_pct, res.worst_zone[0] ? " in zone " : "", res.worst_zone);
	if (!res.bpf)
		warn(NULL, "%s snapshot read /proc/kpageflags, not struct page (BPF walk: %s): "
			  "free-list migratetypes and slab mobility are guessed", kind, res.bpf_error);
	if (res.bpf_load_failed)
		snprintf(cap->no_bpf_reason, sizeof(cap->no_bpf_reason),
			 "the start snapshot's load failed (%s)", res.bpf_error);
	if (!res.fit_ok)
		warn(NULL, "%s snapshot is %.2f%% off /proc/pagetypeinfo or zoneinfo in zone %s "
			  "(the fit aims for 1%%): replays start from approximate free lists", kind,
			  res.worst_pct, res.worst_zone);
}

/*
 * Capture into @w until the end, then write the stats and close @w. The
 * programs are attached already; capture switches on right before the start
 * snapshot's walk and off right after the end snapshot's, so the trace has
 * every event of the time each walk read memory (each snapshot says when it
 * read which pfns), with no gap spent attaching or detaching.
 */
static int run_capture(struct frt_collector *c, struct frt_writer *w, const struct record_opts *o)
{
	struct capture cap = { .w = w, .pairer = frt_pairer_new(), .notes = json_array(), .c = c };
	uint64_t start, events, lost = 0;
	double secs;
	int err, close_err;

	if (!cap.pairer || !cap.notes) {
		fprintf(stderr, "fragreplay record: out of memory\n");
		frt_pairer_free(cap.pairer);
		json_decref(cap.notes);
		frt_writer_abort(w);
		return 1;
	}
	snapshot(&cap, "start", o);
	snapshot_walk_begins(&cap); /* on already, unless the snapshot failed before its walk */
	start = cap.on_ns;
	err = put_held(&cap);
	fprintf(stderr, "fragreplay record: capture switched on %.1f s ago, before the start "
		"walk; waiting for the first event\n", (now_ns() - start) / 1e9);
	if (!err)
		err = capture_loop(c, &cap, o, start);
	if (!cap.write_err && !err) {
		snapshot(&cap, "end", o);
		err = put_held(&cap);
	}
	frt_collector_capture(c, false);
	cap.off_ns = now_ns();
	cap.misses = frt_collector_recursion_misses(c, cap.misses_which, sizeof(cap.misses_which));
	secs = (cap.off_ns - start) / 1e9;
	fprintf(stderr, "fragreplay record: capture switched off after %.1f s, after the end "
		"walk\n", secs);
	if (cap.size_limit_hit)
		fprintf(stderr, "fragreplay record: %s reached --max-size %.3f MB; capture "
			"stopped\n", o->path, o->max_bytes / 1e6);
	if (!err)
		err = frt_collector_finish(c, write_event, &cap);
	if (err < 0 && !cap.write_err)
		fprintf(stderr, "fragreplay record: reading events failed: %s\n", strerror(-err));
	if (!cap.write_err)
		cap.write_err = put_stats(c, &cap, &lost);
	else
		lost = frt_collector_lost(c, NULL, 0);
	if (cap.write_err)
		fprintf(stderr, "fragreplay record: writing %s failed: %s; capture stopped, the "
			"events written before stay readable\n", o->path, strerror(-cap.write_err));
	events = frt_writer_events(w);
	close_err = frt_writer_close(w);
	if (close_err && !cap.write_err)
		fprintf(stderr, "fragreplay record: closing %s failed: %s\n", o->path,
			strerror(-close_err));
	print_summary(o->path, events, secs, lost, frt_collector_reordered_late(c));
	frt_pairer_free(cap.pairer);
	json_decref(cap.notes);
	free(cap.held);
	return err < 0 || cap.write_err || close_err ? 1 : 0;
}

int cmd_record(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop_signal }; /* no SA_RESTART */
	struct frt_collector *c = NULL;
	struct frt_outfile out;
	struct frt_writer *w;
	struct record_opts o;
	char *created_by = NULL, *meta = NULL;
	json_t *recorder = NULL, *note;
	bool keep_file = false;
	int ret = 1, fd, err;
	size_t i;

	err = parse_args(argc, argv, &o);
	if (err)
		return err;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	fd = open_output(&o, &out);
	if (fd < 0)
		return 1;
	c = frt_collector_new(&(struct frt_collector_opts){ .groups = o.groups,
							   .verbose = o.verbose });
	if (!c) {
		fprintf(stderr, "fragreplay record: cannot open the BPF collector: %s\n",
			strerror(errno));
		goto cleanup;
	}
	err = frt_collector_start(c);
	if (err) {
		print_start_error(c, err);
		goto cleanup;
	}
	/* after start: what it attached; before capture: capture_start_ts <= the first event */
	created_by = command_line(argc, argv);
	recorder = frt_collector_meta(c);
	meta = created_by && recorder ? frt_hostinfo_meta_json(created_by, recorder) : NULL;
	if (!meta) {
		fprintf(stderr, "fragreplay record: cannot describe this host: %s\n",
			strerror(errno));
		goto cleanup;
	}
	json_array_foreach(json_object_get(recorder, "notes"), i, note)
		fprintf(stderr, "fragreplay record: WARNING: %s\n", json_string_value(note));
	w = frt_writer_new(fd, meta, &(struct frt_writer_opts){ .zstd_level = RECORD_ZSTD_LEVEL });
	fd = -1; /* the writer closed or owns it */
	if (!w) {
		fprintf(stderr, "fragreplay record: %s: %s\n", o.path, strerror(errno));
		goto cleanup;
	}
	/* from here the file is kept, even if capture fails: what it holds is readable */
	err = frt_outfile_commit(&out);
	if (err) {
		fprintf(stderr, "fragreplay record: %s: %s\n", o.path, strerror(-err));
		frt_writer_abort(w);
		goto cleanup;
	}
	keep_file = true;
	ret = run_capture(c, w, &o);
cleanup:
	if (fd >= 0)
		close(fd);
	if (!keep_file)
		frt_outfile_abort(&out); /* ours: created, or the temporary of --force */
	frt_collector_free(c);
	json_decref(recorder);
	free(meta);
	free(created_by);
	return ret;
}
