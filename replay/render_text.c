// SPDX-License-Identifier: MIT
/*
 * render_text.c - a session's reports as tables (session.h): text for a
 * terminal (at most 80 columns for up to four variants), markdown for a
 * mail, CSV for a script. The first variant is the baseline; two variants
 * get B - A and the change in percent, more get each one's difference from
 * A (compare-kernels style). Validate's table puts each figure beside the
 * kernel's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "checks.h"
#include "report.h"

#define WIDTH 80

static const struct replay_render_opts defaults = { REPLAY_FORMAT_TEXT, false };

/* a column's letter: A, B, C, ... in the order added */
static const char *letter(int i, char buf[2])
{
	buf[0] = (char)('A' + i);
	buf[1] = 0;
	return buf;
}

/* @text from column @indent on, words wrapped at WIDTH, @first before the first line */
static void wrap(FILE *f, const char *first, int indent, const char *text)
{
	int col = fprintf(f, "%s", first);
	bool fresh = !*first; /* nothing on the line yet */
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, " ");
		if (!fresh && col + 1 + (int)n > WIDTH && col > indent) {
			col = fprintf(f, "\n%*s", indent, "") - 1;
		} else if (!fresh) {
			fputc(' ', f);
			col++;
		}
		col += fprintf(f, "%.*s", (int)n, p);
		fresh = false;
		p += n;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

/* markdown and CSV cells must not break their table */
static void cell(FILE *f, enum replay_format fmt, const char *s)
{
	if (fmt == REPLAY_FORMAT_CSV && strpbrk(s, ",\"\n")) {
		fputc('"', f);
		for (; *s; s++)
			fprintf(f, *s == '"' ? "\"\"" : "%c", *s);
		fputc('"', f);
	} else if (fmt == REPLAY_FORMAT_MD) {
		for (; *s; s++)
			fprintf(f, *s == '|' ? "\\|" : "%c", *s);
	} else {
		fputs(s, f);
	}
}

static void print_notes(const struct replay_session *s, FILE *f, enum replay_format fmt)
{
	json_t *notes = session_notes(s), *n;
	size_t i;

	json_array_foreach(notes, i, n) {
		if (fmt == REPLAY_FORMAT_CSV) {
			fprintf(f, "note,,");
			cell(f, fmt, json_string_value(n));
			fputc('\n', f);
		} else if (fmt == REPLAY_FORMAT_MD) {
			wrap(f, "> **NOTE:**", 2, json_string_value(n));
		} else { /* one line each, for grep */
			fprintf(f, "\n*** NOTE: %s ***\n", json_string_value(n));
		}
	}
	json_decref(notes);
}

/* every knob of @run as "name=value ...", or only those that differ from @base's */
static void knobs_string(const struct session_run *run, const struct session_run *base,
			 char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (int k = 0; k < MODEL_NR_KNOBS && o < len; k++) {
		long v = model_knob(run->m, (enum model_knob)k);
		if (base && model_knob(base->m, (enum model_knob)k) == v)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s=%ld", o ? " " : "",
				      model_knob_spec((enum model_knob)k)->name, v);
	}
}

/* the names the columns go by: text, the letters; markdown and CSV, the settings */
static const char *col_name(const struct replay_session *s, int i, enum replay_format fmt,
			    char buf[2])
{
	if (fmt == REPLAY_FORMAT_TEXT)
		return s->nr_runs == 1 ? "model" : letter(i, buf);
	return s->runs[i]->settings;
}

static void print_identity(const struct replay_session *s, FILE *f, enum replay_format fmt)
{
	const struct session_run *run = s->runs[0];
	const struct replay_stats *st = replay_stats(run->r);
	json_t *meta = json_loads(s->meta, 0, NULL);
	const char *host = json_string_value(json_object_get(meta, "hostname")) ?: "?";
	const char *rel = json_string_value(json_object_get(meta, "kernel_release")) ?: "?";
	int cpus = (int)json_integer_value(json_object_get(meta, "nr_cpus"));
	char hash[65] = "?", knobs[2048], line[2600], n1[32];
	long fb = model_knob(run->m, MODEL_KNOB_FEEDBACK);

	if (fmt == REPLAY_FORMAT_CSV) {
		json_decref(meta);
		print_notes(s, f, fmt);
		return;
	}
	session_trace_sha256(s, hash);
	report_fmt(n1, sizeof(n1), (int64_t)st->events, false, true, false);
	if (fmt == REPLAY_FORMAT_MD) {
		snprintf(line, sizeof(line), "fragreplay %s, `%s` (sha256 `%.16s`), host %s, "
			 "Linux %s, %d CPUs: %s events over %.1f s of trace time, from %s; closed "
			 "loop %s.", FRAGREPLAY_VERSION, s->path, hash, host, rel, cpus, n1,
			 (double)(st->last_ts - st->first_ts) / 1e9,
			 run->seed.empty_start ? "an EMPTY model" : "the start snapshot",
			 fb ? "on" : "off (feedback=0)");
		wrap(f, "", 0, line);
		fputc('\n', f);
		for (int i = 0; i < s->nr_runs; i++) {
			knobs_string(s->runs[i], i ? s->runs[0] : NULL, knobs, sizeof(knobs));
			snprintf(line, sizeof(line), "%s%s: %s", s->runs[i]->settings,
				 i ? "" : " (baseline)", i && !knobs[0] ? "the same knobs" : knobs);
			wrap(f, "-", 2, line);
		}
	} else {
		fprintf(f, "fragreplay %s\ntrace     %s\nsha256    %s\n", FRAGREPLAY_VERSION,
			s->path, hash);
		fprintf(f, "host      %s, Linux %s, %d CPUs\n", host, rel, cpus);
		fprintf(f, "replayed  %s events over %.3f s of trace time, from %s\n", n1,
			(double)(st->last_ts - st->first_ts) / 1e9,
			run->seed.empty_start ? "an EMPTY model" : "the start snapshot");
		for (int i = 0; i < s->nr_runs; i++) {
			char c[2];
			fprintf(f, "%-9s %s%s\n", s->nr_runs == 1 ? "variant" : letter(i, c),
				s->runs[i]->settings, s->nr_runs > 2 && !i ? " (baseline)" : "");
		}
		for (int i = 0; i < s->nr_runs; i++) {
			char c[2], head[16];
			knobs_string(s->runs[i], i ? s->runs[0] : NULL, knobs, sizeof(knobs));
			snprintf(head, sizeof(head), "knobs %-3s", s->nr_runs == 1 ? "" : letter(i, c));
			wrap(f, head, 10, i && !knobs[0] ? "as A" : knobs);
		}
	}
	json_decref(meta);
	if (fmt != REPLAY_FORMAT_CSV)
		print_notes(s, f, fmt);
}

static const char *const section_title[] = {
	[ROW_FIGURE] = "figure",
	[ROW_ZONE] = "end, per zone",
	[ROW_FALLBACK] = "fallback",
};

/* one section of the table; returns the rows left out */
static size_t print_section(const struct replay_session *s, const struct report_table *t,
			    enum report_section sec, FILE *f, const struct replay_render_opts *o)
{
	const enum replay_format fmt = o->format;
	const int nr = t->nr;
	const bool kern = sec == ROW_FALLBACK;
	const bool text = fmt == REPLAY_FORMAT_TEXT;
	int lw = (int)strlen(section_title[sec]), w = nr == 1 ? 14 : nr == 2 ? 12 : 11;
	size_t shown = 0, hidden = 0;
	char b[64], c[2];

	for (size_t k = 0; k < t->n; k++) {
		const struct report_row *r = &t->rows[k];
		if (r->section != sec)
			continue;
		bool show = o->all || report_row_changed(r, nr) || (kern && r->kernel);
		if (!show) {
			hidden++;
			continue;
		}
		shown++;
		if ((int)strlen(r->label) > lw)
			lw = (int)strlen(r->label);
	}
	if (!shown || fmt == REPLAY_FORMAT_CSV)
		goto rows;
	/* the header */
	if (text) {
		fprintf(f, "\n%-*s", lw, section_title[sec]);
		for (int i = 0; i < nr; i++)
			fprintf(f, " %*s", w, i && nr > 2 ? (snprintf(b, sizeof(b), "%s-A", letter(i, c)), b)
						     : col_name(s, i, fmt, c));
		if (nr == 2)
			fprintf(f, " %*s %8s", w, "B-A", "change");
		if (kern)
			fprintf(f, " %*s", w, "kernel");
		fputc('\n', f);
	} else {
		fprintf(f, "\n| %s |", section_title[sec]);
		for (int i = 0; i < nr; i++) {
			fputc(' ', f);
			cell(f, fmt, col_name(s, i, fmt, c));
			fprintf(f, " |");
		}
		if (nr == 2)
			fprintf(f, " B − A | change |");
		if (kern)
			fprintf(f, " kernel |");
		fprintf(f, "\n|---|");
		for (int i = 0; i < nr + (nr == 2) * 2 + kern; i++)
			fprintf(f, "--:|");
		fputc('\n', f);
	}
rows:
	for (size_t k = 0; k < t->n; k++) {
		const struct report_row *r = &t->rows[k];
		if (r->section != sec)
			continue;
		if (!o->all && !report_row_changed(r, nr) && !(kern && r->kernel))
			continue;
		if (fmt == REPLAY_FORMAT_CSV) {
			fprintf(f, "%s,", sec == ROW_FIGURE ? "figure" : sec == ROW_ZONE ? "zone" : "fallback");
			cell(f, fmt, r->key);
			fputc(',', f);
			cell(f, fmt, r->label);
			for (int i = 0; i < nr; i++)
				fprintf(f, ",%s", report_fmt(b, sizeof(b), r->v[i], r->index, false, false));
			for (int i = 1; i < nr; i++)
				fprintf(f, ",%s", report_fmt(b, sizeof(b), r->v[i] - r->v[0], r->index, false, false));
			if (kern)
				fprintf(f, ",%" PRId64, r->kernel);
			else
				fputc(',', f);
			fputc('\n', f);
			continue;
		}
		if (text)
			fprintf(f, "%-*s", lw, r->label);
		else
			fprintf(f, "| %s |", r->label);
		for (int i = 0; i < nr; i++) {
			bool delta = i && nr > 2;
			report_fmt(b, sizeof(b), delta ? r->v[i] - r->v[0] : r->v[i], r->index, true, delta);
			if (delta && r->v[i] == r->v[0])
				snprintf(b, sizeof(b), "%s", text ? "=" : "=");
			text ? fprintf(f, " %*s", w, b) : fprintf(f, " %s |", b);
		}
		if (nr == 2) {
			char p[32];
			report_fmt(b, sizeof(b), r->v[1] - r->v[0], r->index, true, true);
			report_pct(p, sizeof(p), r->v[0], r->v[1]);
			text ? fprintf(f, " %*s %8s", w, b, p) : fprintf(f, " %s | %s |", b, p);
		}
		if (kern) {
			report_fmt(b, sizeof(b), r->kernel, false, true, false);
			text ? fprintf(f, " %*s", w, b) : fprintf(f, " %s |", b);
		}
		fputc('\n', f);
	}
	return hidden;
}

/* the closed loop by request class: a row per class with requests, per variant */
static void print_closed_loop(const struct replay_session *s, FILE *f, enum replay_format fmt)
{
	static const char *const head[] = { "reqs", "kfail", "mfail", "lower", "lost", "forced",
					    "kept", "absorb", "freed" };
	struct session_run *const *runs = s->runs;
	const int nr = s->nr_runs;
	char c[2];

	if (fmt == REPLAY_FORMAT_TEXT) {
		fprintf(f, "\nrequests by class, the closed loop's decisions (README \"Closed loop\")\n"
			"%-11s", "class");
		for (size_t k = 0; k < 9; k++)
			fprintf(f, " %6s", head[k]);
		fputc('\n', f);
	} else if (fmt == REPLAY_FORMAT_MD) {
		fprintf(f, "\n| class |");
		for (size_t k = 0; k < 9; k++)
			fprintf(f, " %s |", head[k]);
		fprintf(f, "\n|---|");
		for (size_t k = 0; k < 9; k++)
			fprintf(f, "--:|");
		fputc('\n', f);
	}
	for (int cl = 0; cl < REQ_NR_CLASSES; cl++) {
		if (!replay_stats(runs[0]->r)->cls[cl].requests)
			continue;
		for (int i = 0; i < nr; i++) {
			const struct replay_class_stats *k = &replay_stats(runs[i]->r)->cls[cl];
			const uint64_t v[9] = { k->requests, k->kernel_failed, k->model_failed,
						k->lowered, k->lost, k->forced, k->kept,
						k->absorbed_pages, k->returned_pages };
			char label[600];
			snprintf(label, sizeof(label), "%s%s%s", req_class_name((enum req_class)cl),
				 nr > 1 ? " " : "", nr > 1 ? (fmt == REPLAY_FORMAT_TEXT ? letter(i, c)
								      : runs[i]->settings) : "");
			if (fmt == REPLAY_FORMAT_CSV) {
				fprintf(f, "class,%s,", req_class_name((enum req_class)cl));
				cell(f, fmt, runs[i]->settings);
				for (size_t j = 0; j < 9; j++)
					fprintf(f, ",%" PRIu64, v[j]);
				fputc('\n', f);
				continue;
			}
			fprintf(f, fmt == REPLAY_FORMAT_TEXT ? "%-11s" : "| %s |", label);
			for (size_t j = 0; j < 9; j++)
				fprintf(f, fmt == REPLAY_FORMAT_TEXT ? " %6" PRIu64 : " %" PRIu64 " |", v[j]);
			fputc('\n', f);
		}
	}
	if (fmt == REPLAY_FORMAT_CSV)
		return;
	fprintf(f, "%s(reqs: requests; kfail: the kernel failed; mfail: the kernel served, the\n"
		"model not at that order; lower: served at the caller's lower orders; lost: at\n"
		"no order; forced: past watermarks; kept: kernel failures the model served;\n"
		"absorb, freed: pages of fallbacks mapped onto them, pages freed unclaimed)\n",
		fmt == REPLAY_FORMAT_MD ? "\n" : "");
	char how[REPLAY_SESSION_MAX_VARIANTS][128];
	bool alike = true;
	for (int i = 0; i < nr; i++) {
		const struct session_run *run = runs[i];
		if (!model_knob(run->m, MODEL_KNOB_FEEDBACK))
			snprintf(how[i], sizeof(how[i]), "off (feedback=0)");
		else
			snprintf(how[i], sizeof(how[i]), "on, %ld us window, matched by %s",
				 model_knob(run->m, MODEL_KNOB_FEEDBACK_WINDOW_US),
				 replay_stats(run->r)->allocs_without_task ? "CPU (no task ids)" : "task");
		alike &= !strcmp(how[i], how[0]);
	}
	if (fmt == REPLAY_FORMAT_MD)
		fputc('\n', f);
	for (int i = 0; i < (alike ? 1 : nr); i++)
		fprintf(f, "closed loop%s%s: %s\n", alike ? (nr > 1 ? " (all)" : "") : " ",
			alike ? "" : letter(i, c), how[i]);
}

/* failures by order and what the kernel recorded, after the tables */
static void print_tail(const struct replay_session *s, FILE *f, enum replay_format fmt,
		       size_t hidden)
{
	const struct replay_stats *rec = replay_stats(s->runs[0]->r);
	const int nr = s->nr_runs;
	char line[1024], c[2];
	size_t o = 0;

	if (fmt == REPLAY_FORMAT_CSV)
		return;
	fputc('\n', f);
	if (hidden)
		fprintf(f, "%s%zu rows %s left out (--all shows them).\n",
			fmt == REPLAY_FORMAT_MD ? "" : "", hidden,
			nr == 1 ? "that are 0" : "where every variant equals A");
	if (nr > 2)
		fprintf(f, "%s: the difference from the first; '=': the same.\n"
			"Fallbacks: the model's; kernel: what the kernel recorded.\n",
			fmt == REPLAY_FORMAT_MD ? "Columns after the first" : "B-A, C-A, ...");
	fprintf(f, "Fallbacks in the defrag_mode series' words: claimer retypes the block;\n"
		"pollute puts a movable allocation in an unmovable or reclaimable block,\n"
		"steal a non-movable one in another type's block, neither retyping it.\n"
		"Indices as the kernel prints them.\n");
	o += (size_t)snprintf(line + o, sizeof(line) - o, "model-only failures by order:");
	for (int i = 0; i < nr && o < sizeof(line); i++) {
		const struct replay_stats *st = replay_stats(s->runs[i]->r);
		if (nr > 1)
			o += (size_t)snprintf(line + o, sizeof(line) - o, " %s:", letter(i, c));
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s", st->model_failed ? "" : " none");
		for (unsigned int k = 0; k < MODEL_NR_ORDERS && o < sizeof(line); k++)
			if (st->model_failed_by_order[k])
				o += (size_t)snprintf(line + o, sizeof(line) - o, " order %u: %" PRIu64,
						      k, st->model_failed_by_order[k]);
	}
	wrap(f, "", 2, line);
	snprintf(line, sizeof(line), "the kernel recorded: %" PRIu64 " extfrag events (%" PRIu64
		 " claims), %" PRIu64 " compaction runs, %" PRIu64 " THP faults allocated, %" PRIu64
		 " fell back", rec->recorded.extfrag_claim + rec->recorded.extfrag_steal,
		 rec->recorded.extfrag_claim, rec->recorded.compaction_runs,
		 rec->recorded.thp_fault_alloc, rec->recorded.thp_fault_fallback);
	wrap(f, "", 2, line);
	if (model_knob(s->runs[0]->m, MODEL_KNOB_FEEDBACK))
		fprintf(f, "limits: the closed loop models the callers' fallbacks by request class,\n"
			"not the workload's timing under a variant; reclaim is not modelled, its\n"
			"frees come from the trace.\n");
	else
		fprintf(f, "limits: open loop (feedback=0): callers do not react to the model's\n"
			"answers; reclaim is not modelled, its frees come from the trace.\n");
}

/* a failed write shows in the stream's error flag; say it */
static int done(FILE *f)
{
	return fflush(f) || ferror(f) ? -EIO : 0;
}

int replay_session__render_table(const struct replay_session *s, FILE *f,
				 const struct replay_render_opts *o)
{
	struct report_table t;
	size_t hidden = 0;

	if (!s->ok)
		return -EINVAL;
	if (!o)
		o = &defaults;
	if (report_table_build(s, &t))
		return -ENOMEM;
	if (o->format == REPLAY_FORMAT_CSV) {
		fprintf(f, "section,key,label");
		for (int i = 0; i < s->nr_runs; i++) {
			fputc(',', f);
			cell(f, o->format, s->runs[i]->settings);
		}
		for (int i = 1; i < s->nr_runs; i++) {
			char h[1100];
			snprintf(h, sizeof(h), "%s - %s", s->runs[i]->settings, s->runs[0]->settings);
			fputc(',', f);
			cell(f, o->format, h);
		}
		fprintf(f, ",kernel\n");
	}
	print_identity(s, f, o->format);
	for (int sec = ROW_FIGURE; sec <= ROW_FALLBACK; sec++)
		hidden += print_section(s, &t, (enum report_section)sec, f, o);
	report_table_free(&t);
	print_closed_loop(s, f, o->format);
	print_tail(s, f, o->format, hidden);
	return done(f);
}

int replay_session__render_text(const struct replay_session *s, FILE *f)
{
	return replay_session__render_table(s, f, NULL);
}

/* at most 12 rows, evenly spread, the last sample always */
static void print_track(const struct fidelity_model *fm, FILE *f, enum replay_format fmt)
{
	const struct fidelity_sample *t;
	size_t n = fidelity_track(fm, &t), step = (n + 10) / 11;
	char k[32], m[32], d[32];

	if (!n || fmt == REPLAY_FORMAT_CSV)
		return;
	fprintf(f, "\nfree pages over trace time (buddy + pcp; kernel: start snapshot + frees -\n"
		"allocations in the trace, a migration's source not counted as freed)\n");
	if (fmt == REPLAY_FORMAT_MD)
		fprintf(f, "\n| t (s) | kernel | model | model − kernel |\n|--:|--:|--:|--:|\n");
	else
		fprintf(f, "%10s %14s %14s %14s\n", "t (s)", "kernel", "model", "model - kernel");
	for (size_t i = 0; i < n; i += step ? step : 1) {
		if (i + step >= n)
			i = n - 1;
		report_fmt(k, sizeof(k), t[i].kernel, false, true, false);
		report_fmt(m, sizeof(m), t[i].model, false, true, false);
		report_fmt(d, sizeof(d), t[i].model - t[i].kernel, false, true, true);
		if (!strcmp(d, "0"))
			snprintf(d, sizeof(d), "+0");
		fprintf(f, fmt == REPLAY_FORMAT_MD ? "| %.1f | %s | %s | %s |\n"
						   : "%10.1f %14s %14s %14s\n",
			(double)t[i].t_ns / 1e9, k, m, d);
	}
}

/* validate's verdicts (checks.c), each with its bar */
static void print_checks(const struct fidelity *fid, const struct replay_stats *st, FILE *f,
			 enum replay_format fmt)
{
	struct fidelity_check c[FIDELITY_MAX_CHECKS];
	size_t n = fidelity_checks(fid, st, c), met = 0, known = 0;

	for (size_t i = 0; i < n; i++) {
		known += c[i].state != CHECK_NA;
		met += c[i].state == CHECK_PASS;
	}
	fprintf(f, "\nchecks: %zu of %zu met (%zu the trace cannot measure); model first\n", met,
		known, n - known);
	if (fmt == REPLAY_FORMAT_MD)
		fprintf(f, "\n| check | measured | target | |\n|---|--:|---|---|\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, fmt == REPLAY_FORMAT_MD ? "| %s | %s | %s | %s |\n"
						   : "  %-30s %21s  %-18s %s\n",
			c[i].what, c[i].measured, c[i].target, check_state_name(c[i].state));
	if (fmt == REPLAY_FORMAT_MD)
		fprintf(f, "\n");
}

int replay_session__render_fidelity_table(const struct replay_session *s, FILE *f,
					  const struct replay_render_opts *o)
{
	if (!s->ok || !s->kernel)
		return -EINVAL;
	if (!o)
		o = &defaults;
	const enum replay_format fmt = o->format;
	if (fmt == REPLAY_FORMAT_CSV)
		fprintf(f, "variant,line,kernel,model,agreement,pages\n");
	for (int i = 0; i < s->nr_runs; i++) {
		const struct session_run *run = s->runs[i];
		const struct replay_stats *st = replay_stats(run->r);
		struct fidelity fid;
		size_t hidden = 0;
		char k[32], m[32], w[32], a[16], hash[65] = "?";

		fidelity_compute(s->kernel, run->fid, run->m, run->r, &fid);
		if (fmt == REPLAY_FORMAT_CSV) {
			for (size_t j = 0; j < fid.nr_lines; j++) {
				const struct fidelity_line *l = &fid.lines[j];
				if (!o->all && !l->weight)
					continue;
				cell(f, fmt, run->settings);
				fprintf(f, ",");
				cell(f, fmt, l->name);
				fprintf(f, ",%" PRId64 ",%" PRId64 ",", l->kernel, l->model);
				if (l->weight)
					fprintf(f, "%.4f", l->agreement);
				fprintf(f, ",%" PRIu64 "\n", l->weight);
			}
			continue;
		}
		session_trace_sha256(s, hash);
		report_fmt(k, sizeof(k), (int64_t)st->events, false, true, false);
		report_fmt(m, sizeof(m), (int64_t)st->unmatched_frees, false, true, false);
		report_fmt(w, sizeof(w), (int64_t)st->frees, false, true, false);
		fprintf(f, "%sfragreplay %s validate\ntrace     %s\nsha256    %s\nvariant   %s\n",
			i ? "\n" : "", FRAGREPLAY_VERSION, s->path, hash, run->settings);
		fprintf(f, "replayed  %s events; model-only failures %" PRIu64 ", unmatched frees %s\n"
			"          of %s\n", k, st->model_failed, m, w);
		report_fmt(k, sizeof(k), (int64_t)fid.allocs_at_kernel_pfn, false, true, false);
		report_fmt(m, sizeof(m), (int64_t)fid.allocs, false, true, false);
		fprintf(f, "placed    %s of the kernel's %s allocations at its pfn (%.1f%%)\n", k, m,
			fid.allocs ? 100.0 * (double)fid.allocs_at_kernel_pfn / (double)fid.allocs : 0.0);
		print_notes(s, f, fmt);
		if (fmt == REPLAY_FORMAT_MD)
			fprintf(f, "\n| line | kernel | model | agreement | pages |\n|---|--:|--:|--:|--:|\n");
		else
			fprintf(f, "\n%-38s %10s %10s %7s %11s\n", "", "kernel", "model", "agree",
				"pages");
		for (size_t j = 0; j < fid.nr_lines; j++) {
			const struct fidelity_line *l = &fid.lines[j];
			if (!o->all && !l->weight) {
				hidden++;
				continue;
			}
			report_fmt(k, sizeof(k), l->kernel, false, true, false);
			report_fmt(m, sizeof(m), l->model, false, true, false);
			report_fmt(w, sizeof(w), (int64_t)l->weight, false, true, false);
			if (l->weight)
				snprintf(a, sizeof(a), "%.1f%%", 100 * l->agreement);
			else
				snprintf(a, sizeof(a), "-");
			fprintf(f, fmt == REPLAY_FORMAT_MD ? "| %s | %s | %s | %s | %s |\n"
							   : "%-38s %10s %10s %7s %11s\n",
				l->name, k, m, a, w);
		}
		fprintf(f, "\nfidelity score %.1f / 100 (page-weighted: the pages the lines above\n"
			"  agree on, over all their pages)\n", fid.score);
		fprintf(f, "per-line mean  %.1f / 100 (mean agreement of the %zu lines not both 0;\n"
			"  %zu both 0 left out; agreement = smaller / larger)\n", fid.line_mean,
			fid.nr_scored, fid.nr_lines - fid.nr_scored);
		if (hidden)
			fprintf(f, "%zu lines both 0 not shown (--all shows them)\n", hidden);
		print_checks(&fid, st, f, fmt);
		if (!fid.end_snapshot)
			fprintf(f, "no end snapshot: free lists and pageblocks not compared\n");
		else if (!strcmp(fid.end_source, "pagetypeinfo"))
			fprintf(f, "kernel's end free lists and pageblocks: the end snapshot's\n"
				"  /proc/pagetypeinfo; where it shows a count as >100000 (%u here),\n"
				"  its walk's\n", fid.capped_cells);
		else
			fprintf(f, "kernel's end free lists and pageblocks: the end snapshot's walk\n"
				"  (it carries no /proc/pagetypeinfo)\n");
		if (fid.vmstat_window)
			fprintf(f, "/proc/vmstat's window: %.2f s between the snapshots' reads; the\n"
				"  trace began %.2f s after the first and ended %.2f s %s the second:\n"
				"  %s\n", fid.vmstat_s, fid.start_gap_s,
				fid.end_gap_s < 0 ? -fid.end_gap_s : fid.end_gap_s,
				fid.end_gap_s < 0 ? "after" : "before",
				!fid.vmstat_covered ? "vmstat counted what the trace never saw"
				: fid.model_at_vmstat_end ? "covered; the model's side of its lines "
							    "is taken at the second read"
							  : "covered");
		fprintf(f, "kernel's thp_fault_alloc and thp_fault_fallback: %s\n",
			!strcmp(fid.thp_source, "vmstat")
				? "/proc/vmstat,\n  end snapshot minus start snapshot"
			: fid.vmstat_window && !fid.vmstat_covered
				? "the trace's tries,\n  counted per fault (over the trace's window, "
				  "not vmstat's)"
			: fid.thp_reflected
				? "the trace's tries,\n  counted per fault (vmstat also counts those "
				  "the start walk shows, which\n  are not replayed)"
			: fid.other_nodes
				? "the trace's tries,\n  counted per fault, served ones on node 0 only "
				  "(/proc/vmstat counts every\n  node; a failed try names no node)"
				: "the trace's tries,\n  counted per fault (no /proc/vmstat in both "
				  "snapshots)");
		if (fid.nr_vmstat_whole_host) {
			fprintf(f, "not compared (/proc/vmstat counts all %u nodes, the model is\n"
				"  node 0 alone):", fid.other_nodes + 1);
			for (size_t i = 0; i < fid.nr_vmstat_whole_host; i++)
				fprintf(f, "%s%s", i % 3 ? ", " : i ? ",\n  " : " ",
					fid.vmstat_whole_host[i]);
			fprintf(f, "\n");
		}
		if (fid.nr_vmstat_window_out) {
			fprintf(f, "not compared (/proc/vmstat's window is not the trace's; no event\n"
				"  gives them):");
			for (size_t i = 0; i < fid.nr_vmstat_window_out; i++)
				fprintf(f, "%s%s", i % 3 ? ", " : i ? ",\n  " : " ",
					fid.vmstat_window_out[i]);
			fprintf(f, "\n");
		}
		print_track(run->fid, f, fmt);
	}
	return done(f);
}

int replay_session__render_fidelity_text(const struct replay_session *s, FILE *f)
{
	return replay_session__render_fidelity_table(s, f, NULL);
}
