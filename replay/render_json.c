// SPDX-License-Identifier: MIT
/*
 * render_json.c - a session's report as JSON (session.h), key for key as
 * replay/report-schema.json and README "Report JSON" describe it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include <jansson.h>

#include "outfile.h"
#include "checks.h"
#include "report.h"

/* [alloc][fallback] counts as {"movable<-unmovable": {"claims": n, "steals": n}, ...} */
static json_t *fallbacks_json(const uint64_t (*x)[MODEL_NR_PCPTYPES][2])
{
	json_t *o = json_object();

	for (int a = 0; a < MODEL_NR_PCPTYPES; a++)
		for (int f = 0; f < MODEL_NR_PCPTYPES; f++) {
			char key[64];
			if (a == f)
				continue;
			snprintf(key, sizeof(key), "%s<-%s", frt_mt_key(a), frt_mt_key(f));
			json_object_set_new(o, key, json_pack("{s:I,s:I}", "claims", (json_int_t)x[a][f][1],
							"steals", (json_int_t)x[a][f][0]));
		}
	return o;
}

static json_t *zones_json(const struct session_run *run)
{
	json_t *arr = json_array();
	struct model_zone_info zi;

	for (unsigned int z = 0; z < model_nr_zones(run->m); z++) {
		const struct model_frag_metrics *e = &run->end_zone[z];
		model_zone_info(run->m, z, &zi);
		json_array_append_new(arr, json_pack(
			"{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "zone", frt_zone_idx_name(zi.type),
			"managed_pages", (json_int_t)e->managed_pages,
			"free_pages", (json_int_t)e->free_pages,
			"free_pageblocks", (json_int_t)e->free_pageblocks,
			"mixed_pageblocks", (json_int_t)e->mixed_pageblocks,
			"tainted_pageblocks", (json_int_t)e->tainted_pageblocks,
			"pageblocks_unmovable", (json_int_t)e->pageblocks_mt[MODEL_MT_UNMOVABLE],
			"pageblocks_movable", (json_int_t)e->pageblocks_mt[MODEL_MT_MOVABLE],
			"pageblocks_reclaimable", (json_int_t)e->pageblocks_mt[MODEL_MT_RECLAIMABLE],
			"unusable_index_9", (json_int_t)e->unusable_index[9],
			"fragmentation_index_9", (json_int_t)e->frag_index[9]));
	}
	return arr;
}

/* columns: one array per figure, aligned with t_ns */
static json_t *series_json(const struct replay_series *se)
{
	json_t *series = json_object(), *t = json_array();

	for (size_t i = 0; i < se->n; i++)
		json_array_append_new(t, json_integer((json_int_t)se->s[i].t_ns));
	json_object_set_new(series, "interval_ns", json_integer((json_int_t)se->interval_ns));
	json_object_set_new(series, "t_ns", t);
#define X(f)                                                                              \
	{                                                                                 \
		json_t *col = json_array();                                               \
		for (size_t i = 0; i < se->n; i++)                                        \
			json_array_append_new(col, json_integer((json_int_t)se->s[i].f)); \
		json_object_set_new(series, #f, col);                                     \
	}
	REPLAY_SERIES_FIELDS(X)
#undef X
	return series;
}

/* a fidelity line's key: its name in snake_case, "<-" as "_from_", other
 * punctuation dropped ("fallback claims movable <- unmovable":
 * fallback_claims_movable_from_unmovable) */
static void line_key(const char *name, char *key, size_t len)
{
	size_t o = 0;
	bool sep = false;

	for (const char *p = name; *p && o + 8 < len; p++) {
		if (p[0] == '<' && p[1] == '-') {
			o += (size_t)snprintf(key + o, len - o, "%s", o && key[o - 1] != '_' ? "_from_" : "from_");
			p++;
			sep = false;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
			if (sep && o && key[o - 1] != '_')
				key[o++] = '_';
			key[o++] = *p;
			sep = false;
		} else if (*p >= 'A' && *p <= 'Z') {
			if (sep && o && key[o - 1] != '_')
				key[o++] = '_';
			key[o++] = (char)(*p - 'A' + 'a');
			sep = false;
		} else if (*p == '_') {
			key[o++] = '_';
		} else {
			sep = true;
		}
	}
	while (o && key[o - 1] == '_')
		o--;
	key[o] = 0;
}

/* validate's lines, score and free pages over time, for one run */
static json_t *fidelity_json(const struct replay_session *s, const struct session_run *run)
{
	struct fidelity fid;
	const struct fidelity_sample *t;
	size_t n = fidelity_track(run->fid, &t);
	json_t *lines = json_array(), *ts = json_array(), *kernel = json_array(),
	       *model = json_array();

	fidelity_compute(s->kernel, run->fid, run->m, run->r, &fid);
	for (size_t i = 0; i < fid.nr_lines; i++) {
		const struct fidelity_line *l = &fid.lines[i];
		char key[sizeof(l->name) + 16];
		line_key(l->name, key, sizeof(key));
		json_array_append_new(lines, json_pack("{s:s,s:s,s:I,s:I,s:o,s:I}", "key", key,
						       "name", l->name,
						       "kernel", (json_int_t)l->kernel,
						       "model", (json_int_t)l->model, "agreement",
						       l->weight ? json_real(l->agreement) : json_null(),
						       "weight", (json_int_t)l->weight));
	}
	struct fidelity_check chk[FIDELITY_MAX_CHECKS];
	size_t nc = fidelity_checks(&fid, replay_stats(run->r), chk);
	json_t *checks = json_array();
	for (size_t i = 0; i < nc; i++)
		json_array_append_new(checks, json_pack(
			"{s:s,s:s,s:s,s:s,s:s}", "key", chk[i].key, "what", chk[i].what, "target",
			chk[i].target, "measured", chk[i].measured, "state",
			chk[i].state == CHECK_PASS ? "pass" : chk[i].state == CHECK_FAIL ? "fail" : "na"));
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(ts, json_integer((json_int_t)t[i].t_ns));
		json_array_append_new(kernel, json_integer((json_int_t)t[i].kernel));
		json_array_append_new(model, json_integer((json_int_t)t[i].model));
	}
	json_t *whole = json_array();
	for (size_t i = 0; i < fid.nr_vmstat_whole_host; i++)
		json_array_append_new(whole, json_string(fid.vmstat_whole_host[i]));
	json_t *out_of_window = json_array();
	for (size_t i = 0; i < fid.nr_vmstat_window_out; i++)
		json_array_append_new(out_of_window, json_string(fid.vmstat_window_out[i]));
	json_t *window = fid.vmstat_window
		? json_pack("{s:f,s:f,s:f,s:b,s:b,s:o,s:I}", "vmstat_s", fid.vmstat_s,
			    "start_gap_s", fid.start_gap_s, "end_gap_s", fid.end_gap_s, "covered",
			    fid.vmstat_covered, "model_at_end_read", fid.model_at_vmstat_end,
			    "not_compared", out_of_window, "thp_reflected",
			    (json_int_t)fid.thp_reflected)
		: (json_decref(out_of_window), json_null());
	json_t *pcp = json_pack("{s:o,s:o,s:I}", "start", fid.start_pcp_pages >= 0 ?
				json_integer(fid.start_pcp_pages) : json_null(),
				"end", fid.end_pcp_pages >= 0 ? json_integer(fid.end_pcp_pages)
							    : json_null(),
				"start_used", (json_int_t)fid.start_pcp_used);
	json_t *placed = json_pack("{s:I,s:I}", "allocations", (json_int_t)fid.allocs,
				   "at_kernel_pfn", (json_int_t)fid.allocs_at_kernel_pfn);
	return json_pack("{s:f,s:f,s:o,s:b,s:o,s:i,s:s,s:o,s:{s:o,s:o,s:o},s:o,s:o,s:o,s:o}", "score",
			 fid.score, "line_mean", fid.line_mean, "lines", lines, "end_snapshot",
			 fid.end_snapshot, "end_source",
			 fid.end_source ? json_string(fid.end_source) : json_null(),
			 "capped_cells", (int)fid.capped_cells, "thp_source", fid.thp_source,
			 "vmstat_whole_host", whole,
			 "free_pages", "t_ns", ts, "kernel", kernel, "model", model, "checks", checks,
			 "pcp_pages", pcp, "vmstat_window", window, "placement", placed);
}

/* the closed loop's knobs and decisions by request class */
static json_t *closed_loop_json(const struct session_run *run)
{
	const struct replay_stats *st = replay_stats(run->r);
	long fb = model_knob(run->m, MODEL_KNOB_FEEDBACK);
	json_t *classes = json_object();

	for (int c = 0; c < REQ_NR_CLASSES; c++) {
		const struct replay_class_stats *k = &st->cls[c];
		json_object_set_new(classes, req_class_name((enum req_class)c), json_pack(
			"{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			"requests", (json_int_t)k->requests, "kernel_failed", (json_int_t)k->kernel_failed,
			"model_failed", (json_int_t)k->model_failed, "lowered", (json_int_t)k->lowered,
			"lowered_blocks", (json_int_t)k->lowered_blocks, "lost", (json_int_t)k->lost,
			"forced", (json_int_t)k->forced, "kept", (json_int_t)k->kept,
			"absorbed", (json_int_t)k->absorbed,
			"absorbed_pages", (json_int_t)k->absorbed_pages,
			"returned_pages", (json_int_t)k->returned_pages));
	}
	return json_pack("{s:i,s:I,s:s,s:o}", "feedback", (int)fb, "window_us",
			 (json_int_t)model_knob(run->m, MODEL_KNOB_FEEDBACK_WINDOW_US), "matched_by",
			 !fb ? "none" : st->allocs_without_task ? "cpu" : "task", "classes", classes);
}

/* every knob of a run by its name */
static json_t *knobs_json(const struct session_run *run)
{
	json_t *o = json_object();

	for (int k = 0; k < MODEL_NR_KNOBS; k++)
		json_object_set_new(o, model_knob_spec((enum model_knob)k)->name,
				    json_integer(model_knob(run->m, (enum model_knob)k)));
	return o;
}

json_t *provenance_json(const struct replay_session *s)
{
	json_t *meta = json_loads(s->meta, 0, NULL);
	char hash[65];
	json_t *o = json_pack("{s:s,s:s,s:o,s:o,s:o,s:I}", "tool", "fragreplay", "version",
			      FRAGREPLAY_VERSION, "host",
			      json_incref(json_object_get(meta, "hostname")) ?: json_null(),
			      "kernel_release",
			      json_incref(json_object_get(meta, "kernel_release")) ?: json_null(),
			      "nr_cpus", json_incref(json_object_get(meta, "nr_cpus")) ?: json_null(),
			      "trace_bytes", (json_int_t)s->valid_bytes);

	json_object_set_new(o, "trace_sha256", session_trace_sha256(s, hash)
					       ? json_null() : json_string(hash));
	json_decref(meta);
	return o;
}

static json_t *run_json(const struct replay_session *s, const struct session_run *run)
{
	json_t *o = json_object(), *rowsj = json_object(), *counters = json_object();
	unsigned int max_order = (unsigned int)model_knob(run->m, MODEL_KNOB_MAX_PAGE_ORDER);

	json_object_set_new(o, "variant", json_string(run->v.preset ?: "vanilla"));
	json_object_set_new(o, "settings", json_string(run->settings));
	json_object_set_new(o, "knobs", knobs_json(run));
	for (size_t k = 0; k < session_nr_figures; k++) {
		const struct session_figure *fig = &session_figures[k];
		uint64_t v = fig->get(run);
		json_object_set_new(rowsj, fig->key, fig->signed_index
				    ? json_integer((json_int_t)(int64_t)v) : json_integer((json_int_t)v));
	}
	for (int c = 0; c < MODEL_NR_COUNTERS; c++)
		json_object_set_new(counters, model_counter_name((enum model_counter)c),
				    json_integer((json_int_t)model_counter(run->m, (enum model_counter)c)));
	json_object_set_new(o, "figures", rowsj);
	json_object_set_new(o, "zones", zones_json(run));
	json_object_set_new(o, "fallbacks", fallbacks_json(replay_stats(run->r)->model_extfrag));
	json_t *fo = json_array();
	for (unsigned int k = 0; k <= max_order; k++)
		json_array_append_new(fo, json_integer((json_int_t)replay_stats(run->r)->model_failed_by_order[k]));
	json_object_set_new(o, "model_failed_by_order", fo);
	json_t *co = json_array();
	for (unsigned int k = 0; k <= max_order; k++)
		json_array_append_new(co, json_integer((json_int_t)model_captures(run->m, k)));
	json_object_set_new(o, "captures_by_order", co);
	json_object_set_new(o, "counters", counters);
	json_object_set_new(o, "closed_loop", closed_loop_json(run));
	json_object_set_new(o, "series", series_json(&run->series));
	if (s->kernel)
		json_object_set_new(o, "fidelity", fidelity_json(s, run));
	return o;
}

int replay_session__render_json(const struct replay_session *s, const char *path)
{
	if (!s->ok)
		return -EINVAL;
	const struct replay_stats *rec = replay_stats(s->runs[0]->r);
	json_t *root = json_object(), *arr = json_array(), *recj = json_object();

	json_object_set_new(root, "schema_version", json_string(REPORT_SCHEMA_VERSION));
	json_object_set_new(root, "trace", json_string(s->path));
	json_object_set_new(root, "provenance", provenance_json(s));
	for (int i = 0; i < s->nr_runs; i++)
		json_array_append_new(arr, run_json(s, s->runs[i]));
	json_object_set_new(root, "runs", arr);
	json_object_set_new(recj, "extfrag", json_integer((json_int_t)(rec->recorded.extfrag_claim +
									rec->recorded.extfrag_steal)));
	json_object_set_new(recj, "extfrag_claims",
			    json_integer((json_int_t)rec->recorded.extfrag_claim));
	json_object_set_new(recj, "compaction_runs",
			    json_integer((json_int_t)rec->recorded.compaction_runs));
	json_object_set_new(recj, "thp_allocated",
			    json_integer((json_int_t)rec->recorded.thp_fault_alloc));
	json_object_set_new(recj, "thp_failed",
			    json_integer((json_int_t)rec->recorded.thp_fault_fallback));
	json_object_set_new(recj, "fallbacks", fallbacks_json(rec->recorded.extfrag));
	json_object_set_new(root, "recorded", recj);
	json_object_set_new(root, "start",
			    json_string(s->runs[0]->seed.empty_start ? "empty" : "snapshot"));
	json_object_set_new(root, "notes", session_notes(s));
	/* whole or not at all: a full disk leaves an older report as it was */
	char *text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(root);
	if (!text)
		return -ENOMEM;
	size_t len = strlen(text);
	text[len] = '\n'; /* json_dumps leaves room for its NUL; the file ends in a newline */
	int ret = frt_outfile_write(path, text, len + 1, true, 0644);
	free(text);
	return ret;
}
