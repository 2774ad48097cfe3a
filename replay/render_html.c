// SPDX-License-Identifier: MIT
/*
 * render_html.c - a session's report as one self-contained HTML page
 * (session.h): inline CSS and SVG, no script, no network (a Content
 * Security Policy that allows neither says so to the browser), so it reads
 * the same from a mail attachment. In order: what was replayed and how
 * (provenance, every knob, the notes), the headline figures, the figures
 * over trace time (every variant on one plot, the kernel's line where the
 * trace has one), the pageblock maps at the start and at the end of each
 * variant with their 1 GiB ranges, the fallbacks in the defrag_mode
 * series' words, what each policy cost, the closed loop by request class,
 * validate's fidelity table, and every figure.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "checks.h"
#include "report.h"

#define MAP_COLS 128 /* pageblocks per map row: 256 MiB of 2 MiB pageblocks */
#define MAP_CELL 3   /* px */
#define PLOT_W 560
#define PLOT_H 210
#define PAD_L 64
#define PAD_R 12
#define PAD_T 10
#define PAD_B 28

static const char *const palette[REPLAY_SESSION_MAX_VARIANTS] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
};

/* text into HTML */
static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char *num(char *b, size_t n, int64_t v, bool index, bool sign)
{
	return report_fmt(b, n, v, index, true, sign);
}

static const char css[] =
	"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
	"margin:0 auto;max-width:1240px;padding:12px 20px;color:#222;background:#fff}"
	"h1{font-size:22px;margin:4px 0}h2{font-size:17px;margin:22px 0 6px;"
	"border-bottom:1px solid #ccc}p.lead{font-size:15px;margin:4px 0 10px}"
	"table{border-collapse:collapse;margin:4px 0 8px}td,th{padding:2px 8px;"
	"border-bottom:1px solid #e4e4e4;text-align:right;white-space:nowrap}"
	"th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}"
	"td.better{color:#1a7f37;font-weight:600}td.worse{color:#c62828;font-weight:600}"
	".note{background:#fff4d6;border-left:4px solid #e0a800;padding:4px 8px;margin:3px 0}"
	".sw{display:inline-block;width:12px;height:12px;vertical-align:-1px;margin:0 4px 0 10px;"
	"border:1px solid #999}"
	".plots{display:flex;flex-wrap:wrap;gap:8px 18px}.plot{width:560px}"
	".plot h3,.map h3{font-size:14px;margin:6px 0 2px}"
	"svg text{font:11px system-ui,sans-serif;fill:#444}"
	".maps{display:flex;flex-wrap:wrap;gap:10px 18px}.map{width:390px}"
	"svg.pbmap{background:#f0f0f0}svg.pbmap rect{width:3px;height:3px}"
	"svg.ranges rect{width:14px;height:14px;stroke:#555;stroke-width:1}"
	".t0{fill:#f46d43}.t0.f{fill:#fde0d4}.t0.m{fill:#7f0000}"
	".t1{fill:#9ecae1}.t1.f{fill:#ffffff}.t1.m{fill:#08306b}"
	".t2{fill:#fdc030}.t2.f{fill:#fff3c8}.t2.m{fill:#7a4a00}"
	".t3{fill:#b39ddb}.t3.m{fill:#4a148c}.t4{fill:#a1d99b}.t5{fill:#bdbdbd}.t7{fill:#f0f0f0}"
	".rc{fill:#9ecae1}.rt{fill:#c62828}.rf{fill:#fff}.rp{fill:#ddd}"
	".prov td{white-space:normal;word-break:break-all}.prov td:first-child{word-break:normal;white-space:nowrap}small,.dim{color:#666}details{margin:6px 0}summary{cursor:pointer;font-weight:600}";

/* ------------------------------------------------------------ provenance */

static void head(const struct replay_session *s, FILE *f, const char *cmd)
{
	const struct session_run *run = s->runs[0];
	const struct replay_stats *st = replay_stats(run->r);
	json_t *meta = json_loads(s->meta, 0, NULL);
	char hash[65] = "unreadable", b[32];
	const char *base = strrchr(s->path, '/');

	session_trace_sha256(s, hash);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'\">\n<title>fragreplay %s: ", cmd);
	esc(f, base ? base + 1 : s->path);
	fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n<h1>fragreplay %s: ", css, cmd);
	esc(f, base ? base + 1 : s->path);
	fprintf(f, "</h1>\n<p class=\"lead\">");
	if (s->nr_runs > 1) {
		fprintf(f, "%d allocator variants replayed on the same recorded request stream; "
			"<b>", s->nr_runs);
		esc(f, run->settings);
		fprintf(f, "</b> is the baseline. ");
	} else {
		fprintf(f, "The recorded request stream replayed under <b>");
		esc(f, run->settings);
		fprintf(f, "</b>. ");
	}
	fprintf(f, "%s events, %.1f s of trace time, from %s. Closed loop %s.</p>\n",
		num(b, sizeof(b), (int64_t)st->events, false, false),
		(double)(st->last_ts - st->first_ts) / 1e9,
		run->seed.empty_start ? "an <b>empty</b> model (no start snapshot)"
				      : "the trace's start snapshot",
		model_knob(run->m, MODEL_KNOB_FEEDBACK) ? "on (callers' fallbacks modelled)"
							 : "off (feedback=0)");

	fprintf(f, "<h2 id=\"provenance\">Provenance</h2>\n<table class=\"prov\">\n");
	fprintf(f, "<tr><td>tool</td><td style=\"text-align:left\">fragreplay %s (report schema "
		"%s)</td></tr>\n", FRAGREPLAY_VERSION, REPORT_SCHEMA_VERSION);
	fprintf(f, "<tr><td>trace</td><td style=\"text-align:left\">");
	esc(f, s->path);
	fprintf(f, ", %s bytes read, sha256 <code>%s</code></td></tr>\n",
		num(b, sizeof(b), (int64_t)s->valid_bytes, false, false), hash);
	fprintf(f, "<tr><td>recorded on</td><td style=\"text-align:left\">");
	esc(f, json_string_value(json_object_get(meta, "hostname")) ?: "?");
	fprintf(f, ", Linux ");
	esc(f, json_string_value(json_object_get(meta, "kernel_release")) ?: "?");
	fprintf(f, ", %d CPUs</td></tr>\n", (int)json_integer_value(json_object_get(meta, "nr_cpus")));
	for (int i = 0; i < s->nr_runs; i++) {
		const struct session_run *r = s->runs[i];
		long fb = model_knob(r->m, MODEL_KNOB_FEEDBACK);
		fprintf(f, "<tr><td><span class=\"sw\" style=\"background:%s\"></span>%c</td>"
			"<td style=\"text-align:left\">", palette[i], 'A' + i);
		esc(f, r->settings);
		if (fb)
			fprintf(f, "; closed loop on, window %ld us, fallbacks matched by %s",
				model_knob(r->m, MODEL_KNOB_FEEDBACK_WINDOW_US),
				replay_stats(r->r)->allocs_without_task
					? "CPU (the trace has no task ids)" : "task");
		else
			fprintf(f, "; closed loop off (feedback=0): callers do not react");
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n");
	json_decref(meta);

	/* every knob of every variant; the ones that differ from A in bold */
	fprintf(f, "<details><summary>Every knob of every variant</summary>\n<table>\n"
		"<tr><th>knob</th>");
	for (int i = 0; i < s->nr_runs; i++)
		fprintf(f, "<th>%c</th>", 'A' + i);
	fprintf(f, "<th style=\"text-align:left\">what it does</th></tr>\n");
	for (int k = 0; k < MODEL_NR_KNOBS; k++) {
		const struct model_knob_spec *ks = model_knob_spec((enum model_knob)k);
		long a = model_knob(s->runs[0]->m, (enum model_knob)k);
		fprintf(f, "<tr><td>%s</td>", ks->name);
		for (int i = 0; i < s->nr_runs; i++) {
			long v = model_knob(s->runs[i]->m, (enum model_knob)k);
			fprintf(f, v != a ? "<td><b>%ld</b></td>" : "<td>%ld</td>", v);
		}
		fprintf(f, "<td style=\"text-align:left\">");
		esc(f, ks->help);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table></details>\n");

	json_t *notes = session_notes(s), *n;
	size_t i;
	fprintf(f, "<h2 id=\"notes\">Notes and caveats</h2>\n");
	json_array_foreach(notes, i, n) {
		fprintf(f, "<div class=\"note\">");
		esc(f, json_string_value(n));
		fprintf(f, "</div>\n");
	}
	json_decref(notes);
	fprintf(f, "<p class=\"dim\">Reclaim is not modelled: its frees come from the trace. %s "
		"The model's fallbacks are matched against the kernel's "
		"<code>mm_page_alloc_extfrag</code> events by (allocation, fallback) type.</p>\n",
		model_knob(run->m, MODEL_KNOB_FEEDBACK)
			? "The closed loop models each caller's immediate fallback by request class "
			  "(README \"Closed loop\"), not how the workload's timing would change."
			: "Open loop: a request the kernel served is served, whatever the policy.");
}

/* ----------------------------------------------------------- headlines */

/* the figures a reviewer looks at first, a bar per variant */
static void headline(const struct replay_session *s, const struct report_table *t, FILE *f)
{
	static const char *const keys[] = {
		"end_mixed_pageblocks", "end_tainted_pageblocks", "end_free_pageblocks",
		"extfrag_claim", "extfrag_steal", "compact_stall", "pgmigrate_success",
		"model_failed",
	};
	static const bool lower_better[] = { true, true, false, true, true, true, true, true };
	char b[32], d[32];

	fprintf(f, "<h2 id=\"headline\">At a glance</h2>\n<table class=\"headline\">\n<tr><th>figure"
		"</th>");
	for (int i = 0; i < s->nr_runs; i++) {
		fprintf(f, "<th><span class=\"sw\" style=\"background:%s\"></span>", palette[i]);
		esc(f, s->runs[i]->settings);
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr>\n");
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const struct report_row *r = NULL;
		int64_t max = 1;
		for (size_t j = 0; j < t->n && !r; j++)
			if (!strcmp(t->rows[j].key, keys[k]))
				r = &t->rows[j];
		if (!r)
			continue;
		for (int i = 0; i < t->nr; i++)
			max = llabs(r->v[i]) > max ? llabs(r->v[i]) : max;
		fprintf(f, "<tr><td>");
		esc(f, r->label);
		fprintf(f, "</td>");
		for (int i = 0; i < t->nr; i++) {
			int64_t dv = r->v[i] - r->v[0];
			const char *cls = !i || !dv ? "" : (dv < 0) == lower_better[k] ? "better" : "worse";
			fprintf(f, "<td class=\"%s\"><svg width=\"60\" height=\"10\"><rect x=\"0\" y=\"1\" "
				"height=\"8\" width=\"%.1f\" fill=\"%s\"/></svg> %s", cls,
				60.0 * (double)llabs(r->v[i]) / (double)max, palette[i],
				num(b, sizeof(b), r->v[i], r->index, false));
			if (i && dv)
				fprintf(f, " <small>(%s, %s)</small>", num(d, sizeof(d), dv, r->index, true),
					report_pct(b, sizeof(b), r->v[0], r->v[i]));
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</table>\n<p class=\"dim\">Green: better than the baseline, red: worse "
		"(fewer mixed, tainted, fallbacks, stalls, migrations and failures are better; more "
		"free pageblocks are better).</p>\n");
}

/* --------------------------------------------------------------- plots */

struct line {
	const uint64_t *t; /* ns, every t_stride bytes */
	const int64_t *v;  /* every v_stride bytes */
	size_t n, t_stride, v_stride;
	const char *color, *dash, *name;
	double width;
};

static double nice_step(double span)
{
	double m = pow(10, floor(log10(span / 4)));
	double s = span / 4 / m;

	return (s < 1.5 ? 1 : s < 3.5 ? 2 : s < 7.5 ? 5 : 10) * m;
}

#define AT_T(l, i) (*(const uint64_t *)((const char *)(l)->t + (i) * (l)->t_stride))
#define AT_V(l, i) (*(const int64_t *)((const char *)(l)->v + (i) * (l)->v_stride))

/* one plot: @lines over trace time, y from the data (0 included), @index: x1000 */
static void plot(FILE *f, const char *id, const char *title, const struct line *lines,
		 int nr, bool index, const int64_t *kernel_end, const char *note)
{
	double tmax = 1, ymin = 0, ymax = 1, scale = index ? 1000.0 : 1.0;
	const int w = PLOT_W - PAD_L - PAD_R, h = PLOT_H - PAD_T - PAD_B;

	for (int l = 0; l < nr; l++)
		for (size_t i = 0; i < lines[l].n; i++) {
			double t = (double)AT_T(&lines[l], i) / 1e9, v = (double)AT_V(&lines[l], i) / scale;
			tmax = t > tmax ? t : tmax;
			ymax = v > ymax ? v : ymax;
			ymin = v < ymin ? v : ymin;
		}
	if (kernel_end && (double)*kernel_end / scale > ymax)
		ymax = (double)*kernel_end / scale;
	if (index && ymax < 1)
		ymax = 1;
	double ys = nice_step(ymax - ymin), ts = nice_step(tmax);
	ymax = ceil(ymax / ys) * ys;
	ymin = floor(ymin / ys) * ys;
	if (ymax <= ymin)
		ymax = ymin + 1;
#define X(t) (PAD_L + (t) / tmax * w)
#define Y(v) (PAD_T + h - ((v) - ymin) / (ymax - ymin) * h)
	fprintf(f, "<div class=\"plot\"><h3>%s</h3>\n<svg class=\"plot\" id=\"plot-%s\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n", title, id,
		PLOT_W, PLOT_H, PLOT_W, PLOT_H, title);
	for (double y = ymin; y <= ymax + ys / 2; y += ys) {
		char b[32];
		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>"
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", PAD_L, PAD_L + w,
			Y(y), Y(y), PAD_L - 4, Y(y) + 4,
			index ? (snprintf(b, sizeof(b), "%.2f", y), b)
			      : num(b, sizeof(b), (int64_t)llround(y), false, false));
	}
	for (double t = 0; t <= tmax + ts / 100; t += ts)
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n", X(t),
			PLOT_H - PAD_B + 14, t);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">trace time (s)</text>\n",
		PAD_L + w, PLOT_H - 2);
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
		"stroke=\"#999\"/>\n", PAD_L, PAD_T, w, h);
	for (int l = 0; l < nr; l++) {
		fprintf(f, "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\""
			"%s%s%s stroke-linejoin=\"round\" points=\"", lines[l].color, lines[l].width,
			lines[l].dash ? " stroke-dasharray=\"" : "", lines[l].dash ?: "",
			lines[l].dash ? "\"" : "");
		for (size_t i = 0; i < lines[l].n; i++)
			fprintf(f, "%.1f,%.1f ", X((double)AT_T(&lines[l], i) / 1e9),
				Y((double)AT_V(&lines[l], i) / scale));
		fprintf(f, "\"><title>%s</title></polyline>\n", lines[l].name);
	}
	if (kernel_end) {
		char b[32];
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#000\"><title>the kernel's "
			"count at the end: %s</title></circle><text x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"end\">kernel %s</text>\n", X(tmax), Y((double)*kernel_end / scale),
			num(b, sizeof(b), *kernel_end, false, false), X(tmax) - 6,
			Y((double)*kernel_end / scale) + (Y((double)*kernel_end / scale) < PAD_T + 14 ? 14 : -6),
			b);
	}
	fprintf(f, "</svg>%s%s%s</div>\n", note ? "<br><small>" : "", note ?: "", note ? "</small>" : "");
#undef X
#undef Y
}

static void plots(const struct replay_session *s, FILE *f)
{
	static const struct { const char *id, *title; size_t off; bool index; int kernel; } P[] = {
#define F(x) offsetof(struct replay_sample, x)
		{ "free_pages", "Free pages (buddy)", F(free_pages), false, 0 },
		{ "free_pageblocks", "Free pageblocks", F(free_pageblocks), false, 0 },
		{ "unusable_index_9", "Unusable free index, order 9 (pageblock order)",
		  F(unusable_index_9), true, 0 },
		{ "mixed_pageblocks", "Mixed pageblocks", F(mixed_pageblocks), false, 0 },
		{ "tainted_pageblocks", "Tainted pageblocks (any unmovable or reclaimable page)",
		  F(tainted_pageblocks), false, 0 },
		{ "extfrag", "Fallback events (claims + steals), cumulative", 0, false, 1 },
		{ "thp_fault_alloc", "THP faults allocated, cumulative", F(thp_fault_alloc), false, 2 },
		{ "thp_fault_fallback", "THP faults fallen back, cumulative", F(thp_fault_fallback),
		  false, 3 },
		{ "compact_stall", "Compaction stalls, cumulative", F(compact_stall), false, 0 },
#undef F
	};
	const struct replay_stats *rec = replay_stats(s->runs[0]->r);
	const int64_t kernel[] = {
		0, (int64_t)(rec->recorded.extfrag_claim + rec->recorded.extfrag_steal),
		(int64_t)rec->recorded.thp_fault_alloc, (int64_t)rec->recorded.thp_fault_fallback,
	};
	struct line lines[REPLAY_SESSION_MAX_VARIANTS + 1];
	int64_t *sum[REPLAY_SESSION_MAX_VARIANTS] = { 0 };
	const char *zeros[16];
	int nz = 0;

	fprintf(f, "<h2 id=\"plots\">Over trace time</h2>\n<p>");
	for (int i = 0; i < s->nr_runs; i++) {
		fprintf(f, "<span class=\"sw\" style=\"background:%s\"></span>", palette[i]);
		esc(f, s->runs[i]->settings);
	}
	fprintf(f, "<span class=\"sw\" style=\"background:#000\"></span>the kernel, as recorded "
		"(where the trace has it). Lines that coincide are drawn over one another, the first "
		"variant widest.</p>\n<div class=\"plots\">\n");
	/* claims + steals, summed per sample */
	for (int i = 0; i < s->nr_runs; i++) {
		const struct replay_series *se = &s->runs[i]->series;
		sum[i] = malloc((se->n ? se->n : 1) * sizeof(int64_t));
		for (size_t k = 0; sum[i] && k < se->n; k++)
			sum[i][k] = se->s[k].extfrag_claim + se->s[k].extfrag_steal;
	}
	for (size_t p = 0; p < sizeof(P) / sizeof(P[0]); p++) {
		int nl = 0;
		const int64_t *kend = P[p].kernel ? &kernel[P[p].kernel] : NULL;
		const char *note = kend ? "Black dot: the kernel's own count over the trace." : NULL;
		for (int i = 0; i < s->nr_runs; i++) {
			const struct replay_series *se = &s->runs[i]->series;
			bool ext = P[p].kernel == 1;
			if (ext && !sum[i])
				continue;
			lines[nl++] = (struct line){
				.t = &se->s[0].t_ns, .t_stride = sizeof(se->s[0]),
				.v = ext ? sum[i] : (const int64_t *)((const char *)&se->s[0] + P[p].off),
				.v_stride = ext ? sizeof(int64_t) : sizeof(se->s[0]),
				.n = se->n, .color = palette[i], .name = s->runs[i]->settings,
				.width = 3.5 - 2.5 * i / (s->nr_runs > 1 ? s->nr_runs - 1 : 1),
			};
		}
		/* free pages: validate's kernel line (buddy + pcp, both sides) */
		if (p == 0 && s->kernel && s->runs[0]->fid) {
			const struct fidelity_sample *fs;
			size_t n = fidelity_track(s->runs[0]->fid, &fs);
			if (n) {
				nl = 0;
				lines[nl++] = (struct line){ &fs[0].t_ns, &fs[0].model, n, sizeof(fs[0]),
							     sizeof(fs[0]), palette[0], NULL, "model", 3 };
				lines[nl++] = (struct line){ &fs[0].t_ns, &fs[0].kernel, n, sizeof(fs[0]),
							     sizeof(fs[0]), "#000", "5,3", "kernel", 1.5 };
				note = "Buddy + pcp pages on both sides (dashed black: the kernel's, the start "
				       "snapshot + frees − allocations in the trace).";
			}
		}
		bool zero = !(kend && *kend);
		for (int l = 0; l < nl && zero; l++)
			for (size_t i = 0; i < lines[l].n && zero; i++)
				zero = !AT_V(&lines[l], i);
		if (zero) {
			zeros[nz++] = P[p].title;
			continue;
		}
		plot(f, P[p].id, p == 0 && note ? "Free pages (buddy + pcp), the model and the kernel"
						: P[p].title, lines, nl, P[p].index, kend, note);
	}
	fprintf(f, "</div>\n");
	if (nz) {
		fprintf(f, "<p class=\"zero\">0 throughout, for every variant and the kernel "
			"(not drawn): ");
		for (int z = 0; z < nz; z++)
			fprintf(f, "%s<span class=\"zero-plot\">%s</span>", z ? "; " : "", zeros[z]);
		fprintf(f, ".</p>\n");
	}
	for (int i = 0; i < s->nr_runs; i++)
		free(sum[i]);
}

/* ------------------------------------------------------- pageblock maps */

struct map_counts { size_t pageblocks, free, mixed, tainted, mt[8]; };

static void count_map(const struct pbmap *m, struct map_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < m->n; i++) {
		uint8_t b = m->pb[i];
		if ((b & PBMAP_MT_MASK) == PBMAP_NONE)
			continue;
		c->pageblocks++;
		c->mt[b & PBMAP_MT_MASK]++;
		c->free += !!(b & PBMAP_FREE);
		c->mixed += !!(b & PBMAP_MIXED);
		c->tainted += !!(b & PBMAP_TAINTED);
	}
}

/* one map: a cell per pageblock, MAP_COLS a row, in pfn order */
static void map_svg(FILE *f, const char *id, const char *title, const struct pbmap *m)
{
	struct map_counts c;
	char b1[32], b2[32], b3[32], b4[32];
	size_t rows = (m->n + MAP_COLS - 1) / MAP_COLS;

	count_map(m, &c);
	fprintf(f, "<div class=\"map\"><h3>%s</h3>\n", title);
	if (!m->n) {
		fprintf(f, "<p>(no map: out of memory)</p></div>\n");
		return;
	}
	fprintf(f, "<svg class=\"pbmap\" id=\"map-%s\" data-pageblocks=\"%zu\" width=\"%d\" "
		"height=\"%zu\">\n", id, m->n, MAP_COLS * MAP_CELL, rows * MAP_CELL);
	for (size_t i = 0; i < m->n; i++) {
		uint8_t b = m->pb[i];
		int mt = b & PBMAP_MT_MASK;
		fprintf(f, "<rect x=\"%zu\" y=\"%zu\" class=\"t%d%s%s\"/>", i % MAP_COLS * MAP_CELL,
			i / MAP_COLS * MAP_CELL, mt,
			mt != PBMAP_NONE && (b & PBMAP_FREE) ? " f" : "",
			mt != PBMAP_NONE && (b & PBMAP_MIXED) ? " m" : "");
		if (i % MAP_COLS == MAP_COLS - 1)
			fputc('\n', f);
	}
	fprintf(f, "</svg><br><small>%s pageblocks with memory: <b>%s mixed</b>, %s tainted, %s free</small>\n",
		num(b1, sizeof(b1), (int64_t)c.pageblocks, false, false),
		num(b2, sizeof(b2), (int64_t)c.mixed, false, false),
		num(b3, sizeof(b3), (int64_t)c.tainted, false, false),
		num(b4, sizeof(b4), (int64_t)c.free, false, false));

	/* the 1 GiB ranges: tainted (an unmovable or reclaimable page), clean, free */
	size_t per = (size_t)1 << (30 - 12 - m->order), nr = (m->n + per - 1) / per;
	size_t tainted = 0, clean = 0;
	fprintf(f, "<br><svg class=\"ranges\" id=\"ranges-%s\" width=\"%zu\" height=\"16\">", id,
		nr * 16 + 2);
	for (size_t g = 0; g < nr; g++) {
		bool t = false, fr = true, any = false, part = false;
		for (size_t i = g * per; i < (g + 1) * per; i++) {
			if (i >= m->n || (m->pb[i] & PBMAP_MT_MASK) == PBMAP_NONE) {
				part = true;
				continue;
			}
			any = true;
			t |= !!(m->pb[i] & PBMAP_TAINTED);
			fr &= !!(m->pb[i] & PBMAP_FREE);
		}
		const char *cls = !any ? "rp" : t ? "rt" : fr && !part ? "rf" : "rc";
		tainted += any && t;
		clean += any && !t;
		fprintf(f, "<rect x=\"%zu\" y=\"1\" class=\"%s\"><title>GiB %zu: %s%s</title></rect>",
			g * 16 + 1, cls, g, !any ? "no memory" : t ? "tainted" : "clean",
			part && any ? " (partly a hole)" : "");
	}
	fprintf(f, "</svg><br><small>1 GiB ranges: <b>%zu tainted</b>, %zu clean</small></div>\n",
		tainted, clean);
}

static bool same_map(const struct pbmap *a, const struct pbmap *b)
{
	return a->n == b->n && a->start_pfn == b->start_pfn && (!a->n || !memcmp(a->pb, b->pb, a->n));
}

static void maps(const struct replay_session *s, FILE *f)
{
	char id[32], title[1200];
	bool one_start = true;

	for (int i = 1; i < s->nr_runs; i++)
		one_start &= same_map(&s->runs[0]->map_start, &s->runs[i]->map_start);
	fprintf(f, "<h2 id=\"maps\">Pageblock maps</h2>\n<p>Every pageblock of the node, in pfn "
		"order, %d a row (%d MiB), one cell each, coloured by its migratetype: "
		"<span class=\"sw t1\" style=\"background:#9ecae1\"></span>movable "
		"<span class=\"sw\" style=\"background:#f46d43\"></span>unmovable "
		"<span class=\"sw\" style=\"background:#fdc030\"></span>reclaimable "
		"<span class=\"sw\" style=\"background:#b39ddb\"></span>highatomic "
		"<span class=\"sw\" style=\"background:#f0f0f0\"></span>hole. "
		"<b>Dark</b> (<span class=\"sw\" style=\"background:#08306b\"></span>"
		"<span class=\"sw\" style=\"background:#7f0000\"></span>"
		"<span class=\"sw\" style=\"background:#7a4a00\"></span>): <b>mixed</b>, an allocation "
		"of another mobility in it. White or pale: wholly free. Below each map, the 1 GiB "
		"ranges: <span class=\"sw\" style=\"background:#c62828\"></span>tainted (an unmovable "
		"or reclaimable page: no 1 GiB page there) "
		"<span class=\"sw\" style=\"background:#9ecae1\"></span>clean "
		"<span class=\"sw\" style=\"background:#fff\"></span>free.</p>\n<div class=\"maps\">\n",
		MAP_COLS, MAP_COLS << (s->runs[0]->map_start.order + 12 - 20));
	for (int i = 0; i < s->nr_runs; i++) {
		const struct session_run *r = s->runs[i];
		if (!i || !one_start) {
			snprintf(id, sizeof(id), "start-%d", i);
			snprintf(title, sizeof(title), "Start%s%s", one_start ? " (every variant)" : ": ",
				 one_start ? "" : r->settings);
			map_svg(f, id, title, &r->map_start);
		}
	}
	for (int i = 0; i < s->nr_runs; i++) {
		const struct session_run *r = s->runs[i];
		snprintf(id, sizeof(id), "end-%d", i);
		snprintf(title, sizeof(title), "End: <span class=\"sw\" style=\"background:%s\"></span>"
			 "%c %s", palette[i], 'A' + i, r->settings);
		map_svg(f, id, title, &r->map_end);
	}
	fprintf(f, "</div>\n");
}

/* --------------------------------------------------------------- tables */

static void table_head(const struct replay_session *s, FILE *f, const char *first, bool kernel)
{
	fprintf(f, "<table>\n<tr><th>%s</th>", first);
	for (int i = 0; i < s->nr_runs; i++) {
		fprintf(f, "<th><span class=\"sw\" style=\"background:%s\"></span>", palette[i]);
		esc(f, s->runs[i]->settings);
		fprintf(f, "</th>");
	}
	if (kernel)
		fprintf(f, "<th>kernel</th>");
	fprintf(f, "</tr>\n");
}

static void table_row(FILE *f, const struct report_row *r, int nr, bool kernel)
{
	char b[32], d[32];

	fprintf(f, "<tr><td>");
	if (r->section == ROW_FALLBACK) /* the words in full: "claimer reclaimable ← movable" */
		for (const char *p = r->key + strlen("fallback."); *p; p++) {
			if (*p == '<' && p[1] == '-') {
				fputs(" &larr; ", f);
				p++;
			} else {
				fputc(*p == '.' ? ' ' : *p, f);
			}
		}
	else
		esc(f, r->label);
	fprintf(f, "</td>");
	for (int i = 0; i < nr; i++) {
		fprintf(f, "<td>%s", num(b, sizeof(b), r->v[i], r->index, false));
		if (i && r->v[i] != r->v[0])
			fprintf(f, " <small>(%s)</small>", num(d, sizeof(d), r->v[i] - r->v[0], r->index,
								 true));
		fprintf(f, "</td>");
	}
	if (kernel)
		fprintf(f, "<td>%s</td>", r->has_kernel ? num(b, sizeof(b), r->kernel, false, false) : "");
	fprintf(f, "</tr>\n");
}

/* 0 under every variant, and the kernel's 0 too */
static bool zero_row(const struct report_row *r, int nr)
{
	for (int i = 0; i < nr; i++)
		if (r->v[i])
			return false;
	return !r->has_kernel || !r->kernel;
}

static void tables(const struct replay_session *s, const struct report_table *t, FILE *f)
{
	fprintf(f, "<h2 id=\"fallbacks\">Fallbacks</h2>\n<p>In the defrag_mode series' words: "
		"<b>claimer</b>, a fallback that retypes the block; <b>pollute</b>, a movable "
		"allocation placed in an unmovable or reclaimable block without retyping it; "
		"<b>steal</b>, a non-movable allocation taking pages of another type's block without "
		"retyping it. By allocation type &lt;- fallback type; the model's under each variant, "
		"the kernel's as recorded.</p>\n");
	table_head(s, f, "fallback", true);
	for (size_t k = 0; k < t->n; k++)
		if (t->rows[k].section == ROW_FALLBACK && !zero_row(&t->rows[k], t->nr))
			table_row(f, &t->rows[k], t->nr, true);
	fprintf(f, "</table>\n<p class=\"dim\">Kinds of fallback no variant and not the kernel "
		"had are left out.</p>\n");

	fprintf(f, "<h2 id=\"cost\">What each policy costs</h2>\n");
	table_head(s, f, "figure", false);
	for (size_t k = 0; k < t->n; k++)
		if (t->rows[k].section == ROW_FIGURE && t->rows[k].group == FIG_COST &&
		    !zero_row(&t->rows[k], t->nr))
			table_row(f, &t->rows[k], t->nr, false);
	fprintf(f, "</table>\n<p class=\"dim\">Watermark boosts, compaction, migration and "
		"evacuation work; rows 0 under every variant are left out.</p>\n");

	fprintf(f, "<h2 id=\"closed-loop\">The closed loop by request class</h2>\n<table>\n<tr>"
		"<th>class</th><th>variant</th><th>requests</th><th>kernel failed</th>"
		"<th>model failed</th><th>served lower</th><th>lost</th><th>forced</th>"
		"<th>kept</th><th>absorbed pages</th><th>returned pages</th></tr>\n");
	for (int c = 0; c < REQ_NR_CLASSES; c++) {
		if (!replay_stats(s->runs[0]->r)->cls[c].requests)
			continue;
		for (int i = 0; i < s->nr_runs; i++) {
			const struct replay_class_stats *k = &replay_stats(s->runs[i]->r)->cls[c];
			const uint64_t v[9] = { k->requests, k->kernel_failed, k->model_failed,
						k->lowered, k->lost, k->forced, k->kept,
						k->absorbed_pages, k->returned_pages };
			char b[32];
			fprintf(f, "<tr><td>%s</td><td style=\"text-align:left\">",
				req_class_name((enum req_class)c));
			esc(f, s->runs[i]->settings);
			fprintf(f, "</td>");
			for (int j = 0; j < 9; j++)
				fprintf(f, "<td>%s</td>", num(b, sizeof(b), (int64_t)v[j], false, false));
			fprintf(f, "</tr>\n");
		}
	}
	fprintf(f, "</table>\n<p class=\"dim\">thp: anonymous THP faults; pagecache: large "
		"page-cache folios; slub: SLUB's high-order slab tries; other: the rest. Served lower: "
		"model-only failures served at the caller's lower orders; kept: kernel failures the "
		"model served, held for the task's fallbacks (README \"Closed loop\").</p>\n");
}

static void fidelity_table(const struct replay_session *s, FILE *f)
{
	for (int i = 0; i < s->nr_runs && s->kernel; i++) {
		const struct session_run *run = s->runs[i];
		struct fidelity fid;
		char k[32], m[32], w[32];

		fidelity_compute(s->kernel, run->fid, run->m, run->r, &fid);
		fprintf(f, "<h2 id=\"fidelity\">Fidelity: the model beside the kernel</h2>\n<p>Score "
			"<b>%.1f / 100</b> (page-weighted) and per-line mean %.1f / 100 over %zu lines "
			"not both 0 (README \"Fidelity\").</p>\n<table>\n<tr><th>line</th><th>kernel"
			"</th><th>model</th><th>agreement</th><th>pages</th></tr>\n", fid.score,
			fid.line_mean, fid.nr_scored);
		struct fidelity_check c[FIDELITY_MAX_CHECKS];
		size_t nc = fidelity_checks(&fid, replay_stats(run->r), c);
		for (size_t j = 0; j < nc; j++) {
			fprintf(f, "<tr><td>check: ");
			esc(f, c[j].what);
			fprintf(f, " (");
			esc(f, c[j].target);
			fprintf(f, ")</td><td colspan=\"2\">");
			esc(f, c[j].measured);
			fprintf(f, "</td><td class=\"%s\">%s</td><td></td></tr>\n",
				c[j].state == CHECK_PASS ? "better" : c[j].state == CHECK_FAIL ? "worse" : "",
				check_state_name(c[j].state));
		}
		for (size_t j = 0; j < fid.nr_lines; j++) {
			const struct fidelity_line *l = &fid.lines[j];
			fprintf(f, "<tr><td>");
			esc(f, l->name);
			fprintf(f, "</td><td>%s</td><td>%s</td>", num(k, sizeof(k), l->kernel, false, false),
				num(m, sizeof(m), l->model, false, false));
			if (l->weight)
				fprintf(f, "<td class=\"%s\">%.1f%%</td>",
					l->agreement >= 0.9 ? "better" : l->agreement < 0.5 ? "worse" : "",
					100 * l->agreement);
			else
				fprintf(f, "<td>-</td>");
			fprintf(f, "<td>%s</td></tr>\n", num(w, sizeof(w), (int64_t)l->weight, false, false));
		}
		fprintf(f, "</table>\n");
	}
}

static void all_figures(const struct replay_session *s, const struct report_table *t, FILE *f)
{
	fprintf(f, "<h2 id=\"figures\">Every figure</h2>\n<details open><summary>The figures and "
		"the end per zone (differences from the first variant in brackets)</summary>\n");
	table_head(s, f, "figure", false);
	for (size_t k = 0; k < t->n; k++)
		if (t->rows[k].section != ROW_FALLBACK)
			table_row(f, &t->rows[k], t->nr, false);
	fprintf(f, "</table></details>\n");
}

int replay_session__render_html(const struct replay_session *s, const char *path)
{
	struct report_table t;
	size_t len = strlen(path);
	char *tmp = malloc(len + 8);
	FILE *f = NULL;
	int fd = -1, ret = 0;
	bool made = false; /* the temporary file exists */

	if (!s->ok || !s->opts.maps) {
		free(tmp);
		return -EINVAL;
	}
	if (!tmp || report_table_build(s, &t)) {
		free(tmp);
		return -ENOMEM;
	}
	/* beside the path, renamed over it when whole: a failure leaves an older file as it
	 * was, and nothing is written through a link planted at the path */
	snprintf(tmp, len + 8, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		ret = -errno;
		goto cleanup;
	}
	made = true;
	if (fchmod(fd, 0644) || !(f = fdopen(fd, "w"))) {
		ret = -errno;
		goto cleanup;
	}
	head(s, f, s->kernel ? "validate" : s->nr_runs > 1 ? "compare" : "replay");
	headline(s, &t, f);
	plots(s, f);
	maps(s, f);
	tables(s, &t, f);
	fidelity_table(s, f);
	all_figures(s, &t, f);
	fprintf(f, "<p class=\"dim\">Written by fragreplay %s. No script, no external resource: "
		"this file is the whole report.</p>\n</body></html>\n", FRAGREPLAY_VERSION);
	if (fflush(f) || ferror(f))
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -EIO;
	f = NULL;
	fd = -1;
	if (!ret && rename(tmp, path))
		ret = -errno;
cleanup:
	if (f)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	if (ret && made)
		unlink(tmp);
	report_table_free(&t);
	free(tmp);
	return ret;
}
