// SPDX-License-Identifier: MIT
/*
 * sweep.c - fragreplay sweep plan|run|emit|merge: the options and the
 * printing around replay/sweep.h (README "Sweeps").
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"
#include "sweep.h"

static void help(void)
{
	printf("Usage: fragreplay sweep plan MANIFEST [--out DIR]\n"
	       "       fragreplay sweep run MANIFEST [--out DIR] [--index I [--count C]] [-j N]\n"
	       "       fragreplay sweep emit --backend slurm|parallel MANIFEST [--out DIR]\n"
	       "                             [--max-parallel P] [--sshloginfile FILE]\n"
	       "       fragreplay sweep merge DIR\n\n"
	       "Replay traces x variants x knob grids, described by a JSON manifest\n"
	       "(README \"Sweeps\"), as numbered tasks: each trace is decoded once for up to\n"
	       "8 of its tasks, and each task's result is written atomically to\n"
	       "DIR/results/task-NNNNNN.json with its provenance (fragreplay version,\n"
	       "manifest sha256, trace sha256, every knob's value).\n\n"
	       "  plan   check the manifest (unknown knobs, values out of range, presets,\n"
	       "         traces) and print the task table; runs nothing\n"
	       "  run    run the tasks, all of them (-j N threads, default the CPUs online,\n"
	       "         a progress line on a terminal) or I .. I+C-1 (--count, default 1;\n"
	       "         clipped to the last task); a task whose valid result is there is\n"
	       "         skipped, so a rerun does only what is missing\n"
	       "  emit   write DIR/submit-slurm.sh (a job array of chunks, --array=0-K%%P,\n"
	       "         and a merge job --dependency=afterok) or DIR/run-parallel.sh (GNU\n"
	       "         parallel with --joblog and --resume-failed, then the merge);\n"
	       "         --max-parallel P: chunks at a time (8)\n"
	       "  merge  check that every task has its result, matching the plan and one\n"
	       "         sha256 per trace, then write DIR/summary.json, summary.csv and\n"
	       "         summary.md (a table per trace, best first)\n\n"
	       "  --out DIR   the output directory instead of the manifest's \"output\"\n\n"
	       "Exit status: 0 success; 1 failure (a bad manifest, a failed task, missing\n"
	       "results: merge lists them); 2 usage error.\n");
}

/* the argument as a number in 0..@max, or -1 */
static long number(const char *s, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	return !*s || *end || errno || v < 0 || v > max ? -1 : v;
}

static struct sweep *load(const char *path, const char *out)
{
	char err[2048];
	struct sweep *sw = sweep__load(path, out, err, sizeof(err));

	if (!sw)
		fprintf(stderr, "fragreplay sweep: %s\n", err);
	return sw;
}

static int plan(struct sweep *sw)
{
	size_t n = sweep__nr_tasks(sw), chunk = sweep__chunk(sw);
	struct sweep_task t;

	printf("manifest %s (sha256 %.12s)\n%zu traces x %zu settings = %zu tasks; chunks of %zu: "
	       "%zu (array 0-%zu)\noutput %s\n\nTRACE\n", sweep__manifest(sw), sweep__hash(sw),
	       sweep__nr_traces(sw), sweep__nr_settings(sw), n, chunk, (n + chunk - 1) / chunk,
	       (n + chunk - 1) / chunk - 1, sweep__out(sw));
	for (size_t i = 0; i < sweep__nr_traces(sw); i++)
		printf("%5zu  %s\n", i, sweep__trace(sw, i));
	printf("\nINDEX  TRACE  SETTINGS\n");
	for (size_t i = 0; i < n; i++) {
		sweep__task(sw, i, &t);
		printf("%5zu  %5zu  %s\n", i, t.trace, t.settings);
	}
	return EXIT_OK;
}

struct run_ctx {
	bool tty;
};

static void on_progress(void *ctx, const struct sweep_progress *p)
{
	struct run_ctx *rc = ctx;
	size_t ran = p->done + p->failed, left = p->total - p->skipped - ran;

	if (p->error) {
		if (rc->tty)
			fprintf(stderr, "\r%*s\r", 78, "");
		const char *e = p->error;
		while (*e) { /* one line per reason */
			size_t n = strcspn(e, "\n");
			fprintf(stderr, "fragreplay sweep: %.*s\n", (int)n, e);
			e += n + (e[n] == '\n');
		}
	}
	if (!rc->tty || !ran)
		return;
	double per_min = 60.0 * (double)ran / p->elapsed_s;
	fprintf(stderr, "\rfragreplay sweep: %zu/%zu tasks (%zu skipped, %zu failed)  %.1f tasks/min"
		"  %.0f s left ", p->skipped + ran, p->total, p->skipped, p->failed, per_min,
		(double)left * 60.0 / per_min);
}

static int run(struct sweep *sw, long index, long count, long jobs)
{
	struct run_ctx rc = { .tty = isatty(STDERR_FILENO) };
	struct sweep_progress st;
	char err[2048];
	int ret;

	if (index < 0)
		index = 0, count = (long)sweep__nr_tasks(sw);
	ret = sweep__run(sw, (size_t)index, (size_t)count, (unsigned int)jobs, on_progress, &rc,
			 &st, err, sizeof(err));
	if (rc.tty && st.done + st.failed)
		fprintf(stderr, "\r%*s\r", 78, "");
	if (ret && ret != -EIO) {
		fprintf(stderr, "fragreplay sweep: %s\n", err);
		return ret == -ERANGE ? EXIT_USAGE : EXIT_FAIL;
	}
	fprintf(stderr, "fragreplay sweep: %zu tasks: %zu run, %zu skipped (valid result there), "
		"%zu failed, in %.1f s; results in %s/results\n", st.total, st.done, st.skipped,
		st.failed, st.elapsed_s, sweep__out(sw));
	return st.failed ? EXIT_FAIL : EXIT_OK;
}

static int emit(struct sweep *sw, const char *backend, long max_parallel, const char *ssh)
{
	struct sweep_emit_opts o = { .max_parallel = (unsigned int)max_parallel,
				     .sshloginfile = ssh };
	char self[PATH_MAX], script[PATH_MAX + 64], err[2048];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0) {
		fprintf(stderr, "fragreplay sweep: cannot find this binary: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	self[n] = 0;
	o.fragreplay = self;
	o.backend = !strcmp(backend, "slurm") ? SWEEP_SLURM : SWEEP_PARALLEL;
	if (ssh && o.backend != SWEEP_PARALLEL)
		return usage_error("sweep", "--sshloginfile is for --backend parallel");
	if (sweep__emit(sw, &o, script, sizeof(script), err, sizeof(err))) {
		fprintf(stderr, "fragreplay sweep: %s\n", err);
		return EXIT_FAIL;
	}
	printf("%s\n", script);
	return EXIT_OK;
}

static int merge(const char *dir)
{
	struct sweep_merge_result r;
	char err[2048];
	int ret = sweep_merge(dir, &r, err, sizeof(err));

	if (ret == -ENOENT && r.missing) {
		fprintf(stderr, "fragreplay sweep: %s: %zu of %zu tasks have no result: %s\n"
			"fragreplay sweep: run them (fragreplay sweep run MANIFEST --out %s) and "
			"merge again\n", dir, r.missing, r.tasks, r.missing_list, dir);
		return EXIT_FAIL;
	}
	if (ret) {
		fprintf(stderr, "fragreplay sweep: %s\n", err);
		return EXIT_FAIL;
	}
	printf("%s/summary.json\n%s/summary.csv\n%s/summary.md\n", dir, dir, dir);
	return EXIT_OK;
}

int cmd_sweep(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },     { "index", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },   { "jobs", required_argument, NULL, 'j' },
		{ "backend", required_argument, NULL, 'b' },
		{ "max-parallel", required_argument, NULL, 'P' },
		{ "sshloginfile", required_argument, NULL, 'S' }, { "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION, { NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *backend = NULL, *ssh = NULL, *verb;
	long index = -1, count = -1, jobs = sysconf(_SC_NPROCESSORS_ONLN), maxp = 8;
	bool jobs_set = false;
	struct sweep *sw;
	int c, ret, code;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		help();
		return EXIT_OK;
	}
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("fragreplay %s\n", FRAGREPLAY_VERSION);
		return EXIT_OK;
	}
	if (argc < 2)
		return usage_error("sweep", "expects plan, run, emit or merge");
	verb = argv[1];
	argc--, argv++;
	optind = 1;
	while ((c = cli_getopt("sweep", &code, argc, argv, "hj:", opts)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'b': backend = optarg; break;
		case 'S': ssh = optarg; break;
		case 'i':
			if ((index = number(optarg, SWEEP_MAX_TASKS)) < 0)
				return usage_error("sweep", "--index '%s': want a task index", optarg);
			break;
		case 'c':
			if ((count = number(optarg, SWEEP_MAX_TASKS)) < 1)
				return usage_error("sweep", "--count '%s': want 1 or more", optarg);
			break;
		case 'j':
			if ((jobs = number(optarg, 1024)) < 1)
				return usage_error("sweep", "-j '%s': want 1 to 1024 threads", optarg);
			jobs_set = true;
			break;
		case 'P':
			if ((maxp = number(optarg, 1000000)) < 1)
				return usage_error("sweep", "--max-parallel '%s': want 1 or more", optarg);
			break;
		case 'h':
			help();
			return EXIT_OK;
		case CLI_EXIT:
			return code;
		default: /* not reached: every option of the table has its case */
			return usage_error("sweep", "option '%s' not handled", argv[optind - 1]);
		}
	}
	bool is_run = !strcmp(verb, "run"), is_emit = !strcmp(verb, "emit");
	if (strcmp(verb, "plan") && !is_run && !is_emit && strcmp(verb, "merge"))
		return usage_error("sweep", "unknown verb '%s': plan, run, emit or merge", verb);
	if (optind != argc - 1)
		return usage_error("sweep", "%s expects one %s", verb,
				   !strcmp(verb, "merge") ? "output directory" : "manifest");
	if ((index >= 0 || count > 0 || jobs_set) && !is_run)
		return usage_error("sweep", "--index, --count and -j are for sweep run");
	if (count > 0 && index < 0)
		return usage_error("sweep", "--count goes with --index");
	if ((backend || ssh) && !is_emit)
		return usage_error("sweep", "--backend and --sshloginfile are for sweep emit");
	if (is_emit && (!backend || (strcmp(backend, "slurm") && strcmp(backend, "parallel"))))
		return usage_error("sweep", "emit needs --backend slurm or --backend parallel");
	if (!strcmp(verb, "merge")) {
		if (out)
			return usage_error("sweep", "merge takes the output directory, not --out");
		return merge(argv[optind]);
	}
	if (!(sw = load(argv[optind], out)))
		return EXIT_FAIL;
	if (is_run)
		ret = run(sw, index, count > 0 ? count : 1, jobs);
	else if (is_emit)
		ret = emit(sw, backend, maxp, ssh);
	else
		ret = plan(sw);
	sweep__free(sw);
	return ret;
}
