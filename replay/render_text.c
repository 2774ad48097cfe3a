// SPDX-License-Identifier: MIT
/*
 * render_text.c - a session's reports as terminal text (session.h): the
 * figures a column per variant (A, B, ... with B - A beside two), or, for a
 * fidelity session, each figure beside the kernel's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "session_internal.h"

/* a column's name: "model" alone, else A, B, C, ... in the order added */
static const char *column(int i, int nr, char buf[2])
{
	if (nr == 1)
		return "model";
	buf[0] = (char)('A' + i);
	buf[1] = 0;
	return buf;
}

static void print_notes(const struct replay_session *s, FILE *f)
{
	json_t *notes = session_notes(s), *n;
	size_t i;

	json_array_foreach(notes, i, n)
		fprintf(f, "\n*** NOTE: %s ***\n", json_string_value(n));
	json_decref(notes);
}

static void print_identity(const struct replay_session *s, FILE *f)
{
	const struct session_run *run = s->runs[0];
	const struct replay_stats *st = replay_stats(run->r);
	json_t *meta = json_loads(s->meta, 0, NULL);

	fprintf(f, "trace     %s\n", s->path);
	fprintf(f, "host      %s, Linux %s, %d CPUs\n",
		json_string_value(json_object_get(meta, "hostname")) ?: "?",
		json_string_value(json_object_get(meta, "kernel_release")) ?: "?",
		(int)json_integer_value(json_object_get(meta, "nr_cpus")));
	json_decref(meta);
	fprintf(f, "replayed  %" PRIu64 " events over %.3f s of trace time, from %s\n", st->events,
		(double)(st->last_ts - st->first_ts) / 1e9,
		run->seed.empty_start ? "an EMPTY model" : "the start snapshot");
	print_notes(s, f);
	for (int i = 0; i < s->nr_runs; i++) {
		char c[2];
		fprintf(f, "%-9s %s\n", s->nr_runs == 1 ? "variant" : column(i, s->nr_runs, c),
			s->runs[i]->settings);
	}
}

static void print_value(FILE *f, uint64_t v, bool idx)
{
	if (idx)
		fprintf(f, " %14" PRId64, (int64_t)v);
	else
		fprintf(f, " %14" PRIu64, v);
}

static void print_table(const struct replay_session *s, FILE *f)
{
	struct session_run *const *runs = s->runs;
	const int nr = s->nr_runs;
	const struct replay_stats *rec = replay_stats(runs[0]->r);

	fprintf(f, "\n%-36s", "");
	for (int i = 0; i < nr; i++) {
		char c[2];
		fprintf(f, " %14s", column(i, nr, c));
	}
	if (nr == 2)
		fprintf(f, " %14s %9s", "B - A", "change");
	fprintf(f, "\n");
	for (size_t k = 0; k < session_nr_figures; k++) {
		const struct session_figure *fig = &session_figures[k];

		fprintf(f, "%-36s", fig->name);
		for (int i = 0; i < nr; i++)
			print_value(f, fig->get(runs[i]), fig->signed_index);
		if (nr == 2) {
			int64_t a = (int64_t)fig->get(runs[0]), b = (int64_t)fig->get(runs[1]);
			fprintf(f, " %+14" PRId64, b - a);
			if (a)
				fprintf(f, " %+8.1f%%", 100.0 * (double)(b - a) / (double)llabs(a));
			else
				fprintf(f, " %9s", b ? "new" : "-");
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\nthe kernel recorded: %" PRIu64 " extfrag events (%" PRIu64 " claims), %" PRIu64
		" compaction runs, %" PRIu64 " THP faults allocated, %" PRIu64 " fell back\n",
		rec->recorded.extfrag_claim + rec->recorded.extfrag_steal,
		rec->recorded.extfrag_claim, rec->recorded.compaction_runs,
		rec->recorded.thp_fault_alloc, rec->recorded.thp_fault_fallback);
	if (model_knob(runs[0]->m, MODEL_KNOB_FEEDBACK))
		fprintf(f, "limits: the closed loop models the callers' fallbacks by request class,\n"
			"not the workload's timing under a variant; reclaim is not modelled, its\n"
			"frees come from the trace.\n");
	else
		fprintf(f, "limits: open loop (feedback=0): callers do not react to the model's\n"
			"answers; reclaim is not modelled, its frees come from the trace.\n");
}

/*
 * The closed loop by request class: a row per class that had requests,
 * a column group per variant.
 */
static void print_closed_loop(const struct replay_session *s, FILE *f)
{
	struct session_run *const *runs = s->runs;
	const int nr = s->nr_runs;

	fprintf(f, "\nrequests by class, and the closed loop's decisions (README \"Closed loop\"):\n");
	fprintf(f, "%-12s %10s %9s %9s %9s %7s %8s %7s %9s %10s\n", "class", "requests",
		"kern-fail", "mod-fail", "lowered", "lost", "forced", "kept", "absorbed",
		"returned");
	for (int c = 0; c < REQ_NR_CLASSES; c++) {
		if (!replay_stats(runs[0]->r)->cls[c].requests)
			continue;
		for (int i = 0; i < nr; i++) {
			const struct replay_class_stats *k = &replay_stats(runs[i]->r)->cls[c];
			char label[32], col[2];
			snprintf(label, sizeof(label), "%s%s%s", req_class_name((enum req_class)c),
				 nr > 1 ? " " : "", nr > 1 ? column(i, nr, col) : "");
			fprintf(f, "%-12s %10" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %7" PRIu64
				" %8" PRIu64 " %7" PRIu64 " %9" PRIu64 " %10" PRIu64 "\n", label,
				k->requests, k->kernel_failed, k->model_failed, k->lowered, k->lost,
				k->forced, k->kept, k->absorbed_pages, k->returned_pages);
		}
	}
	fprintf(f, "(kern-fail: the kernel failed; mod-fail: the kernel served, the model not at "
		"that order;\n lowered: served at the caller's lower orders; lost: at no order; "
		"kept: kernel failures\n the model served, held for the task's fallbacks; absorbed "
		"and returned: pages)\n");
	for (int i = 0; i < nr; i++) {
		const struct session_run *run = runs[i];
		char col[2];
		long fb = model_knob(run->m, MODEL_KNOB_FEEDBACK);
		fprintf(f, "%s%s: ", nr > 1 ? "" : "closed loop", nr > 1 ? column(i, nr, col) : "");
		if (!fb)
			fprintf(f, "off (feedback=0)\n");
		else
			fprintf(f, "on, window %ld us, fallbacks matched by %s\n",
				model_knob(run->m, MODEL_KNOB_FEEDBACK_WINDOW_US),
				replay_stats(run->r)->allocs_without_task ? "CPU (the trace has no task ids)"
									  : "task");
	}
}

/* one figure of every zone, then the fallbacks by type, then failures by order */
static void print_breakdowns(const struct replay_session *s, FILE *f)
{
	static const struct { const char *name; size_t off; } zf[] = {
		{ "free pages", offsetof(struct model_frag_metrics, free_pages) },
		{ "free pageblocks", offsetof(struct model_frag_metrics, free_pageblocks) },
		{ "mixed pageblocks", offsetof(struct model_frag_metrics, mixed_pageblocks) },
		{ "tainted pageblocks", offsetof(struct model_frag_metrics, tainted_pageblocks) },
	};
	struct session_run *const *runs = s->runs;
	const int nr = s->nr_runs;
	struct model_zone_info zi;

	fprintf(f, "\nend, per zone:\n");
	for (unsigned int z = 0; z < model_nr_zones(runs[0]->m); z++) {
		model_zone_info(runs[0]->m, z, &zi);
		for (size_t k = 0; k < sizeof(zf) / sizeof(zf[0]); k++) {
			char label[64];
			snprintf(label, sizeof(label), "  %s %s", frt_zone_idx_name(zi.type), zf[k].name);
			fprintf(f, "%-36s", label);
			for (int i = 0; i < nr; i++)
				fprintf(f, " %14" PRIu64,
					*(const uint64_t *)((const char *)&runs[i]->end_zone[z] + zf[k].off));
			fprintf(f, "\n");
		}
	}
	fprintf(f, "\nfallbacks by (allocation <- fallback) type, model; kernel recorded in the last "
		"column:\n");
	const struct replay_stats *rec = replay_stats(runs[0]->r);
	bool any = false;
	for (int a = 0; a < MODEL_NR_PCPTYPES; a++)
		for (int b = 0; b < MODEL_NR_PCPTYPES; b++)
			for (int k = 1; k >= 0; k--) {
				uint64_t kv = rec->recorded.extfrag[a][b][k], tot = kv;
				for (int i = 0; i < nr; i++)
					tot += replay_stats(runs[i]->r)->model_extfrag[a][b][k];
				if (!tot)
					continue;
				char label[64];
				snprintf(label, sizeof(label), "  %s %s <- %s", k ? "claims" : "steals",
					 frt_mt_key(a), frt_mt_key(b));
				fprintf(f, "%-36s", label);
				for (int i = 0; i < nr; i++)
					fprintf(f, " %14" PRIu64, replay_stats(runs[i]->r)->model_extfrag[a][b][k]);
				fprintf(f, " %14" PRIu64 " (kernel)\n", kv);
				any = true;
			}
	if (!any)
		fprintf(f, "  none, in the model or the kernel\n");
	fprintf(f, "\nmodel-only failures by order:");
	for (int i = 0; i < nr; i++) {
		const struct replay_stats *st = replay_stats(runs[i]->r);
		char c[2];
		if (nr > 1)
			fprintf(f, "  %s:", column(i, nr, c));
		fprintf(f, "%s", st->model_failed ? "" : " none");
		for (unsigned int o = 0; o < MODEL_NR_ORDERS; o++)
			if (st->model_failed_by_order[o])
				fprintf(f, " order %u: %" PRIu64, o, st->model_failed_by_order[o]);
	}
	fprintf(f, "\n");
}

/* a failed write shows in the stream's error flag; say it */
static int done(FILE *f)
{
	return fflush(f) || ferror(f) ? -EIO : 0;
}

int replay_session__render_text(const struct replay_session *s, FILE *f)
{
	if (!s->ok)
		return -EINVAL;
	print_identity(s, f);
	print_table(s, f);
	print_closed_loop(s, f);
	print_breakdowns(s, f);
	return done(f);
}

/* at most 12 rows, evenly spread, the last sample always */
static void print_track(const struct fidelity_model *fm, FILE *f)
{
	const struct fidelity_sample *t;
	size_t n = fidelity_track(fm, &t), step = (n + 10) / 11;

	if (!n)
		return;
	fprintf(f, "\nfree pages over trace time (buddy + pcp; kernel: start snapshot + frees - "
		"allocations in the trace)\n%10s %14s %14s %14s\n", "t (s)", "kernel", "model",
		"model - kernel");
	for (size_t i = 0; i < n; i += step ? step : 1) {
		if (i + step >= n)
			i = n - 1;
		fprintf(f, "%10.1f %14" PRId64 " %14" PRId64 " %+14" PRId64 "\n",
			(double)t[i].t_ns / 1e9, t[i].kernel, t[i].model, t[i].model - t[i].kernel);
	}
}

int replay_session__render_fidelity_text(const struct replay_session *s, FILE *f)
{
	if (!s->ok || !s->kernel)
		return -EINVAL;
	for (int i = 0; i < s->nr_runs; i++) {
		const struct session_run *run = s->runs[i];
		const struct replay_stats *st = replay_stats(run->r);
		struct fidelity fid;

		fidelity_compute(s->kernel, run->fid, run->m, run->r, &fid);
		fprintf(f, "%strace     %s\nvariant   %s\n", i ? "\n" : "", s->path, run->settings);
		fprintf(f, "replayed  %" PRIu64 " events; model-only failures %" PRIu64
			", unmatched frees %" PRIu64 " of %" PRIu64 "\n", st->events, st->model_failed,
			st->unmatched_frees, st->frees);
		print_notes(s, f);
		fprintf(f, "\n%-40s %14s %14s %10s %14s\n", "", "kernel", "model", "agreement",
			"pages");
		for (size_t k = 0; k < fid.nr_lines; k++) {
			const struct fidelity_line *l = &fid.lines[k];
			fprintf(f, "%-40s %14.0f %14.0f", l->name, (double)l->kernel, (double)l->model);
			if (l->weight)
				fprintf(f, " %9.1f%%", 100 * l->agreement);
			else
				fprintf(f, " %10s", "-");
			fprintf(f, " %14" PRIu64 "\n", l->weight);
		}
		fprintf(f, "\nfidelity score %.1f / 100 (page-weighted: the pages the lines above agree "
			"on, over all their pages)\n", fid.score);
		fprintf(f, "per-line mean  %.1f / 100 (mean agreement of the %zu lines not both 0; "
			"%zu both 0 left out; agreement = smaller / larger)\n", fid.line_mean,
			fid.nr_scored, fid.nr_lines - fid.nr_scored);
		if (!fid.end_snapshot)
			fprintf(f, "no end snapshot: free lists and pageblocks not compared\n");
		else if (!strcmp(fid.end_source, "pagetypeinfo"))
			fprintf(f, "kernel's end free lists and pageblocks: the end snapshot's "
				"/proc/pagetypeinfo; where it shows a count as >100000 (%u here), "
				"its walk's\n", fid.capped_cells);
		else
			fprintf(f, "kernel's end free lists and pageblocks: the end snapshot's walk "
				"(it carries no /proc/pagetypeinfo)\n");
		fprintf(f, "kernel's thp_fault_alloc and thp_fault_fallback: %s\n",
			!strcmp(fid.thp_source, "vmstat")
				? "/proc/vmstat, end snapshot minus start snapshot"
				: "the trace's tries, counted per fault (no /proc/vmstat in both "
				  "snapshots)");
		print_track(run->fid, f);
	}
	return done(f);
}
