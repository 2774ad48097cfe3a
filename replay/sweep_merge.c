// SPDX-License-Identifier: MIT
/*
 * sweep_merge.c - a sweep's results into one summary (sweep.h): every task
 * of OUT/plan.json present and matching its plan, one hash per trace; then
 * summary.json (everything but the model's counters), summary.csv (a row
 * per task, a column per figure) and summary.md (a table per trace, best
 * first). Nothing here depends on which host or chunk ran a task, so a
 * Slurm array and a local run merge to the same bytes but for elapsed_s.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_internal.h"
#include "sweep_internal.h"

/*
 * The markdown's columns, and its order: fewest mixed pageblocks first (a
 * pageblock holding pages of more than one migratetype is what the
 * anti-fragmentation policies exist to avoid), then fewest tainted, most
 * free pageblocks, fewest fragmenting fallbacks, fewest model-only failures.
 */
static const struct headline {
	const char *figure, *column;
	int rank; /* +1: fewer is better, -1: more is better, 0: shown, not ranked */
} headlines[] = {
	{ "end_mixed_pageblocks", "mixed pb", 1 },
	{ "end_tainted_pageblocks", "tainted pb", 1 },
	{ "end_free_pageblocks", "free pb", -1 },
	{ "extfrag_fragmenting", "frag. fallbacks", 1 },
	{ "model_failed", "model-only fail", 1 },
	{ "end_unusable_index_9", "unusable idx 9 (x1000)", 0 },
	{ "compact_stall", "compact_stall", 0 },
	{ "thp_fault_fallback", "THP fallbacks", 0 },
};
#define NR_HEADLINES (sizeof(headlines) / sizeof(headlines[0]))

static int cmp_rows(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_t *fx = json_object_get(x, "figures"), *fy = json_object_get(y, "figures");

	for (size_t i = 0; i < NR_HEADLINES; i++) {
		if (!headlines[i].rank)
			continue;
		json_int_t vx = json_integer_value(json_object_get(fx, headlines[i].figure)),
			   vy = json_integer_value(json_object_get(fy, headlines[i].figure));
		if (vx != vy)
			return (vx < vy ? -1 : 1) * headlines[i].rank;
	}
	json_int_t ix = json_integer_value(json_object_get(x, "index")),
		   iy = json_integer_value(json_object_get(y, "index"));
	return ix < iy ? -1 : ix > iy;
}

/* the run of missing tasks @lo..@hi onto "3-5,9", "..." once it does not fit */
static void add_missing(struct sweep_merge_result *r, size_t lo, size_t hi)
{
	size_t n = strlen(r->missing_list);

	if (n + 48 >= sizeof(r->missing_list)) {
		if (!strstr(r->missing_list, "..."))
			snprintf(r->missing_list + n, sizeof(r->missing_list) - n, ",...");
		return;
	}
	snprintf(r->missing_list + n, sizeof(r->missing_list) - n, lo == hi ? "%s%zu" : "%s%zu-%zu",
		 n ? "," : "", lo, hi);
}

static void csv_field(FILE *f, const char *s, bool last)
{
	if (strpbrk(s, ",\"\n ")) {
		fputc('"', f);
		for (; *s; s++)
			fputs(*s == '"' ? "\"\"" : (char[]){ *s, 0 }, f);
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

/* a memstream's text into @path atomically; closes @f */
static int finish(FILE *f, char **buf, size_t *len, const char *dir, const char *name,
		  char *err, size_t errlen)
{
	char path[PATH_MAX + 64];
	int ret;

	if (fclose(f))
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = sweep_write_atomic(path, *buf, *len, 0644);
	free(*buf);
	*buf = NULL;
	if (ret)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
	return ret;
}

static int write_csv(const char *dir, json_t *rows, char *err, size_t errlen)
{
	char *buf = NULL, num[32];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *row;
	size_t i;

	if (!f)
		return -ENOMEM;
	fputs("index,trace,variant,replica,settings,", f);
	for (size_t k = 0; k < session_nr_figures; k++)
		csv_field(f, session_figures[k].key, k + 1 == session_nr_figures);
	json_array_foreach(rows, i, row) {
		json_t *t = json_object_get(row, "task"), *fig = json_object_get(row, "figures");
		fprintf(f, "%" JSON_INTEGER_FORMAT ",", json_integer_value(json_object_get(row, "index")));
		csv_field(f, json_string_value(json_object_get(t, "trace")), false);
		csv_field(f, json_string_value(json_object_get(t, "variant")), false);
		fprintf(f, "%" JSON_INTEGER_FORMAT ",", json_integer_value(json_object_get(t, "replica")));
		csv_field(f, json_string_value(json_object_get(t, "settings")), false);
		for (size_t k = 0; k < session_nr_figures; k++) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(json_object_get(fig, session_figures[k].key)));
			csv_field(f, num, k + 1 == session_nr_figures);
		}
	}
	return finish(f, &buf, &len, dir, "summary.csv", err, errlen);
}

static int write_md(const char *dir, json_t *plan, json_t *traces, json_t *rows, char *err,
		    size_t errlen)
{
	size_t nt = json_array_size(traces), nrows = json_array_size(rows), i;
	json_t **sorted = calloc(nrows ? nrows : 1, sizeof(*sorted));
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!sorted || !(f = open_memstream(&buf, &len))) {
		free(sorted);
		return -ENOMEM;
	}
	fprintf(f, "# fragreplay sweep: %zu tasks\n\nManifest `%s` (sha256 `%s`), fragreplay %s.\n"
		"Best first: fewest mixed pageblocks, then fewest tainted, most free\n"
		"pageblocks, fewest fragmenting fallbacks, fewest model-only failures.\n",
		nrows, json_string_value(json_object_get(plan, "manifest")),
		json_string_value(json_object_get(plan, "manifest_hash")),
		json_string_value(json_object_get(plan, "fragreplay")));
	for (size_t t = 0; t < nt; t++) {
		json_t *tr = json_array_get(traces, t), *row;
		const char *path = json_string_value(json_object_get(tr, "trace"));
		const char *base = strrchr(path, '/');
		size_t n = 0;

		json_array_foreach(rows, i, row)
			if (!strcmp(json_string_value(json_object_get(json_object_get(row, "task"), "trace")),
				    path))
				sorted[n++] = row;
		qsort(sorted, n, sizeof(*sorted), cmp_rows);
		fprintf(f, "\n## %s\n\n`%s`, sha256 `%s`\n\n| rank | task | settings |",
			base ? base + 1 : path, path,
			json_string_value(json_object_get(tr, "sha256")));
		for (size_t h = 0; h < NR_HEADLINES; h++)
			fprintf(f, " %s |", headlines[h].column);
		fputs("\n|---:|---:|---|", f);
		for (size_t h = 0; h < NR_HEADLINES; h++)
			fputs("---:|", f);
		for (size_t r = 0; r < n; r++) {
			json_t *fig = json_object_get(sorted[r], "figures");
			json_t *notes = json_object_get(sorted[r], "notes");
			fprintf(f, "\n| %zu | %" JSON_INTEGER_FORMAT " | %s%s |", r + 1,
				json_integer_value(json_object_get(sorted[r], "index")),
				json_string_value(json_object_get(json_object_get(sorted[r], "task"),
								  "settings")),
				json_array_size(notes) ? " (notes)" : "");
			for (size_t h = 0; h < NR_HEADLINES; h++)
				fprintf(f, " %" JSON_INTEGER_FORMAT " |",
					json_integer_value(json_object_get(fig, headlines[h].figure)));
		}
		fputc('\n', f);
	}
	free(sorted);
	return finish(f, &buf, &len, dir, "summary.md", err, errlen);
}

static int write_json(const char *dir, json_t *plan, json_t *traces, json_t *rows, char *err,
		      size_t errlen)
{
	json_t *root = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O}", "fragreplay",
				 json_object_get(plan, "fragreplay"), "manifest",
				 json_object_get(plan, "manifest"), "manifest_hash",
				 json_object_get(plan, "manifest_hash"), "tasks",
				 json_object_get(plan, "tasks"), "traces", traces, "results", rows);
	char *text = root ? json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	char path[PATH_MAX + 64];
	int ret;

	json_decref(root);
	if (!text)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	ret = sweep_write_atomic(path, text, strlen(text), 0644);
	free(text);
	if (ret)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
	return ret;
}

/* result @r of task @i against the plan and the trace hashes seen so far */
static int check_result(json_t *plan, json_t *r, size_t i, const char *path, json_t *traces,
			char *err, size_t errlen)
{
	json_t *want = json_array_get(json_object_get(plan, "table"), i);
	const char *mh = json_string_value(json_object_get(r, "manifest_hash")),
		   *th = json_string_value(json_object_get(r, "trace_hash")),
		   *ver = json_string_value(json_object_get(r, "fragreplay"));
	const char *trace = json_string_value(json_object_get(want, "trace"));

	if (!mh || strcmp(mh, json_string_value(json_object_get(plan, "manifest_hash"))))
		snprintf(err, errlen, "%s: of another manifest (sha256 %.12s, the plan's %.12s); "
			 "rerun the task: fragreplay sweep run MANIFEST --index %zu", path, mh ?: "?",
			 json_string_value(json_object_get(plan, "manifest_hash")), i);
	else if (!ver || strcmp(ver, json_string_value(json_object_get(plan, "fragreplay"))))
		snprintf(err, errlen, "%s: written by fragreplay %s, the plan by %s; rerun the "
			 "sweep with one version", path, ver ?: "?",
			 json_string_value(json_object_get(plan, "fragreplay")));
	else if (!json_equal(json_object_get(r, "task"), want) ||
		 json_integer_value(json_object_get(r, "index")) != (json_int_t)i)
		snprintf(err, errlen, "%s: not task %zu of the plan", path, i);
	else if (!th || !json_is_object(json_object_get(r, "figures")))
		snprintf(err, errlen, "%s: no trace_hash or figures", path);
	else {
		size_t t;
		json_t *e = NULL;
		json_array_foreach(traces, t, e)
			if (!strcmp(json_string_value(json_object_get(e, "trace")), trace))
				break;
		if (t == json_array_size(traces)) {
			json_array_append_new(traces, json_pack("{s:s,s:s}", "trace", trace, "sha256", th));
			return 0;
		}
		const char *seen = json_string_value(json_object_get(e, "sha256"));
		if (!strcmp(seen, th))
			return 0;
		snprintf(err, errlen, "%s: trace %s had sha256 %.12s, here %.12s: it changed during "
			 "the sweep; rerun its tasks", path, trace, seen, th);
	}
	return -EBADMSG;
}

int sweep_merge(const char *dir, struct sweep_merge_result *mr, char *err, size_t errlen)
{
	char path[PATH_MAX + 64];
	json_error_t je;
	json_t *plan, *rows = json_array(), *traces = json_array(), *r;
	size_t n, lo = SIZE_MAX, hi = 0;
	int ret = 0;

	memset(mr, 0, sizeof(*mr));
	snprintf(path, sizeof(path), "%s/plan.json", dir);
	if (!(plan = json_load_file(path, 0, &je))) {
		snprintf(err, errlen, "%s: %s (is %s a sweep's output directory?)", path, je.text, dir);
		ret = -ENOENT;
		goto cleanup;
	}
	n = mr->tasks = (size_t)json_integer_value(json_object_get(plan, "tasks"));
	if (json_array_size(json_object_get(plan, "table")) != n ||
	    !json_is_string(json_object_get(plan, "manifest_hash"))) {
		snprintf(err, errlen, "%s: not a plan fragreplay sweep wrote", path);
		ret = -EBADMSG;
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		sweep_result_path(dir, i, path, sizeof(path));
		if (!(r = json_load_file(path, 0, &je))) {
			if (lo != SIZE_MAX && i != hi + 1)
				add_missing(mr, lo, hi);
			if (lo == SIZE_MAX || i != hi + 1)
				lo = i;
			hi = i;
			mr->missing++;
			continue;
		}
		if (!ret && (ret = check_result(plan, r, i, path, traces, err, errlen)) == 0) {
			json_object_del(r, "host"); /* where it ran is no part of the summary */
			json_object_del(r, "session_tasks");
			json_object_del(r, "fragreplay");
			json_object_del(r, "manifest_hash");
			json_array_append(rows, r);
		}
		json_decref(r);
	}
	if (mr->missing) {
		add_missing(mr, lo, hi);
		ret = -ENOENT;
		goto cleanup;
	}
	if (!ret && !(ret = write_json(dir, plan, traces, rows, err, errlen)) &&
	    !(ret = write_csv(dir, rows, err, errlen)))
		ret = write_md(dir, plan, traces, rows, err, errlen);
cleanup:
	json_decref(plan);
	json_decref(rows);
	json_decref(traces);
	return ret;
}
