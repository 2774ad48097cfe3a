/* SPDX-License-Identifier: MIT */
/*
 * report.h - a session's figures as one table for every output (text,
 * markdown, CSV, HTML): a row per figure, per zone figure and per kind of
 * fallback, a value per variant. The first variant is the baseline; a row
 * is "changed" when another variant's value differs from it (with one
 * variant: when it is not 0).
 */
#ifndef FRAGREPLAY_REPLAY_REPORT_H
#define FRAGREPLAY_REPLAY_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session_internal.h"
#include "sha256.h"

enum report_section { ROW_FIGURE, ROW_ZONE, ROW_FALLBACK };

struct report_row {
	enum report_section section;
	int group;       /* enum session_figure_group for figures */
	char key[64];    /* figures: the JSON key; others: section.zone.figure */
	char label[48];  /* at most 30 characters */
	int64_t v[REPLAY_SESSION_MAX_VARIANTS];
	bool index;      /* x1000, printed as the kernel prints it: 0.492 */
	bool has_kernel; /* fallbacks: what the kernel recorded */
	int64_t kernel;
};

struct report_table {
	struct report_row *rows;
	size_t n;
	int nr; /* variants */
};

/* 0 or -ENOMEM */
int report_table_build(const struct replay_session *s, struct report_table *t);
void report_table_free(struct report_table *t);
bool report_row_changed(const struct report_row *r, int nr);

/* @v into @buf: thousands separated with @sep, "+" on positives with
 * @sign, an index x1000 as 0.492 */
char *report_fmt(char *buf, size_t len, int64_t v, bool index, bool sep, bool sign);
/* the change from @a to @b in percent ("+12.5%", "new", "-") */
char *report_pct(char *buf, size_t len, int64_t a, int64_t b);

/* the defrag_mode series' words for a fallback (KERNEL-NOTES): claimer
 * (retypes the block), pollute (a movable allocation in an unmovable or
 * reclaimable block, not retyped), steal (a non-movable allocation in
 * another type's block, not retyped) */
const char *report_fallback_word(int alloc_mt, int fallback_mt, int claim);

/* the JSON report's schema, replay/report-schema.json: 1.1 keys figures by
 * snake_case names (1.0 keyed them by the text's labels) and adds
 * schema_version, provenance and each run's knobs */
#define REPORT_SCHEMA_VERSION "1.5"
/* the tool, the trace's hash and host (render_json.c) */
json_t *provenance_json(const struct replay_session *s);

#endif
