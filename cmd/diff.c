// SPDX-License-Identifier: MIT
/*
 * diff.c - fragreplay diff: what the kernel itself recorded in several
 * traces (replay/recorded.h), side by side with the first as the baseline,
 * or per group of traces as mean and min-max spread. No model runs.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "main.h"
#include "outfile.h"
#include "recorded.h"

#define MAX_TRACES 64
#define MAX_GROUPS 16

struct group {
	char name[64];
	size_t first, nr; /* its traces: runs[first .. first + nr) */
};

struct diff {
	struct recorded runs[MAX_TRACES];
	size_t nr_runs;
	struct group groups[MAX_GROUPS];
	size_t nr_groups;
	bool all;
};

static void help(void)
{
	printf("Usage: fragreplay diff [--all] [--json FILE] A.frt B.frt [C.frt ...]\n"
	       "       fragreplay diff [--all] [--json FILE] --group NAME=A.frt,B.frt,...\n"
	       "                       --group NAME=C.frt,D.frt,... [--group ...]\n\n"
	       "What the kernel itself recorded in each trace, side by side, the first as\n"
	       "the baseline with each other's change against it (no model runs): THP\n"
	       "faults (thp_fault_alloc, thp_fault_fallback), fallbacks from\n"
	       "mm_page_alloc_extfrag in the defrag_mode series' words (claimer: retyped\n"
	       "the block; pollute: split a larger chunk of another type's list, the block\n"
	       "keeps its type; steal: took exactly the pages asked for from another type's\n"
	       "list), by allocation and fallback type; compaction, reclaim and migration\n"
	       "(/proc/vmstat deltas between the snapshots, and compaction runs); pcp\n"
	       "refills and drains; and the end state from the end snapshot: free pages,\n"
	       "free blocks per order, free pageblocks, pageblocks per type, mixed and\n"
	       "tainted pageblocks. A row is '-' where a trace cannot say (no vmstat copy,\n"
	       "no end snapshot). README, \"Real A/B\", defines every row.\n"
	       "\n"
	       "With --group, each group of traces (runs of one workload under one setting)\n"
	       "is a column: the mean over its traces and the spread [min..max]; the first\n"
	       "group is the baseline, and the change is that of the means.\n"
	       "\n"
	       "  --group NAME=LIST  a group: NAME and its traces, comma-separated\n"
	       "                     (repeatable, up to %d; not with traces as arguments)\n"
	       "  --all              also rows that are 0 in every column\n"
	       "  --json FILE        also write every row of every trace (and group) as\n"
	       "                     JSON; '-' writes it to standard output instead of the\n"
	       "                     text\n"
	       "\nA damaged or truncated trace gives the figures of its valid prefix, with a\n"
	       "warning. Exit status: 0 success, 1 failure (a trace cannot be read), 2 usage\n"
	       "error.\n", MAX_GROUPS);
}

static int add_trace(struct diff *d, const char *path)
{
	char err[600];

	if (d->nr_runs == MAX_TRACES) {
		fprintf(stderr, "fragreplay diff: more than %d traces\n", MAX_TRACES);
		return EXIT_USAGE;
	}
	struct recorded *r = &d->runs[d->nr_runs++];
	if (recorded_read(path, r, err, sizeof(err))) {
		fprintf(stderr, "fragreplay diff: %s\n", err);
		return EXIT_FAIL;
	}
	if (r->damage[0])
		fprintf(stderr, "fragreplay diff: WARNING: %s; its valid prefix is counted\n",
			r->damage);
	return EXIT_OK;
}

/* "NAME=a.frt,b.frt": the group's traces read */
static int add_group(struct diff *d, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *list, *save = NULL;
	int ret = EXIT_OK;

	if (!eq || eq == arg || !eq[1] || (size_t)(eq - arg) >= sizeof(d->groups[0].name))
		return usage_error("diff", "--group takes NAME=TRACE,TRACE,... (got '%s')", arg);
	if (d->nr_groups == MAX_GROUPS)
		return usage_error("diff", "more than %d groups", MAX_GROUPS);
	struct group *g = &d->groups[d->nr_groups++];
	snprintf(g->name, sizeof(g->name), "%.*s", (int)(eq - arg), arg);
	g->first = d->nr_runs;
	if (!(list = strdup(eq + 1)))
		return EXIT_FAIL;
	for (char *p = strtok_r(list, ",", &save); p && !ret; p = strtok_r(NULL, ",", &save))
		ret = add_trace(d, p);
	free(list);
	g->nr = d->nr_runs - g->first;
	if (!ret && !g->nr)
		return usage_error("diff", "group '%s' has no trace", g->name);
	return ret;
}

/* the columns: each trace, or each group */
static size_t nr_cols(const struct diff *d)
{
	return d->nr_groups ? d->nr_groups : d->nr_runs;
}

/* column @c's value of @row: a trace's, or a group's mean; false when unknown */
static bool col_value(const struct diff *d, size_t c, size_t row, double *v,
		      struct recorded_stat *st)
{
	if (!d->nr_groups) {
		*v = (double)d->runs[c].value[row];
		return d->runs[c].known[row];
	}
	recorded_stat(d->runs + d->groups[c].first, d->groups[c].nr, row, st);
	*v = st->mean;
	return st->n > 0;
}

static bool row_shown(const struct diff *d, size_t row)
{
	struct recorded_stat st;
	double v;

	if (d->all)
		return true;
	for (size_t c = 0; c < nr_cols(d); c++)
		if (col_value(d, c, row, &v, &st) && (v != 0 || st.max != 0 || st.min != 0))
			return true;
	return false;
}

static void fmt_num(char *buf, size_t len, double v, bool integer)
{
	if (integer)
		snprintf(buf, len, "%lld", (long long)(v < 0 ? v - 0.5 : v + 0.5));
	else
		snprintf(buf, len, "%.1f", v);
}

static void fmt_delta(char *buf, size_t len, double base, double v, bool integer)
{
	char num[32];

	fmt_num(num, sizeof(num), v - base, integer);
	if (base != 0)
		snprintf(buf, len, "%s%s (%+.0f%%)", v - base >= 0 ? "+" : "", num,
			 100.0 * (v - base) / (base < 0 ? -base : base));
	else
		snprintf(buf, len, "%s%s", v - base >= 0 ? "+" : "", num);
}

static void print_text(const struct diff *d)
{
	const char *section = NULL;
	size_t cols = nr_cols(d);
	bool groups = d->nr_groups > 0;
	int w = groups ? 26 : 14;

	if (groups) {
		for (size_t c = 0; c < cols; c++) {
			const struct group *g = &d->groups[c];
			printf("%s %s (%zu trace%s):", c ? "group" : "baseline group", g->name,
			       g->nr, g->nr == 1 ? "" : "s");
			for (size_t i = 0; i < g->nr; i++)
				printf(" %s", d->runs[g->first + i].path);
			printf("\n");
		}
		printf("each group: mean [min..max] over its traces; change: of the means "
		       "against %s\n", d->groups[0].name);
	} else {
		for (size_t c = 0; c < cols; c++)
			printf("%c  %s (defrag_mode=%d)%s\n", (int)('A' + (c % 26)), d->runs[c].path,
			       d->runs[c].defrag_mode, c ? "" : ": baseline");
	}
	printf("\n%-42s", "");
	for (size_t c = 0; c < cols; c++) {
		char head[80];
		if (groups)
			snprintf(head, sizeof(head), "%s", d->groups[c].name);
		else
			snprintf(head, sizeof(head), "%c", (int)('A' + (c % 26)));
		printf(" %*s", w, head);
		if (c)
			printf(" %18s", groups ? "change" : "change");
	}
	printf("\n");
	for (size_t row = 0; row < recorded_nr_rows(); row++) {
		const struct recorded_row_desc *rd = recorded_row(row);
		struct recorded_stat st;
		double base = 0, v;
		bool base_known = false;

		if (!row_shown(d, row))
			continue;
		if (section != rd->section) {
			section = rd->section;
			printf("%s\n", section);
		}
		printf("  %-40s", rd->label);
		for (size_t c = 0; c < cols; c++) {
			char cell[128], num[32], lo[32], hi[32], delta[64];
			bool known = col_value(d, c, row, &v, &st);

			if (!known)
				snprintf(cell, sizeof(cell), "-");
			else if (groups) {
				fmt_num(num, sizeof(num), v, v == (double)(long long)v);
				fmt_num(lo, sizeof(lo), (double)st.min, true);
				fmt_num(hi, sizeof(hi), (double)st.max, true);
				snprintf(cell, sizeof(cell), "%s [%s..%s]", num, lo, hi);
			} else
				fmt_num(cell, sizeof(cell), v, true);
			printf(" %*s", w, cell);
			if (!c) {
				base = v;
				base_known = known;
				continue;
			}
			if (known && base_known)
				fmt_delta(delta, sizeof(delta), base, v, !groups);
			else
				snprintf(delta, sizeof(delta), "-");
			printf(" %18s", delta);
		}
		printf("\n");
	}
}

static json_t *value_json(const struct recorded *r, size_t row)
{
	return r->known[row] ? json_integer((json_int_t)r->value[row]) : json_null();
}

static json_t *diff_json(const struct diff *d)
{
	json_t *root = json_object(), *traces = json_array(), *groups = json_array();

	for (size_t i = 0; i < d->nr_runs; i++) {
		const struct recorded *r = &d->runs[i];
		json_t *t = json_object(), *fig = json_object();
		for (size_t row = 0; row < recorded_nr_rows(); row++)
			json_object_set_new(fig, recorded_row(row)->key, value_json(r, row));
		json_object_set_new(t, "path", json_string(r->path));
		json_object_set_new(t, "defrag_mode",
				    r->defrag_mode >= 0 ? json_integer(r->defrag_mode) : json_null());
		json_object_set_new(t, "damage", r->damage[0] ? json_string(r->damage) : json_null());
		json_object_set_new(t, "figures", fig);
		json_array_append_new(traces, t);
	}
	for (size_t c = 0; c < d->nr_groups; c++) {
		const struct group *g = &d->groups[c];
		json_t *gj = json_object(), *paths = json_array(), *fig = json_object();
		for (size_t i = 0; i < g->nr; i++)
			json_array_append_new(paths, json_string(d->runs[g->first + i].path));
		for (size_t row = 0; row < recorded_nr_rows(); row++) {
			struct recorded_stat st;
			recorded_stat(d->runs + g->first, g->nr, row, &st);
			json_object_set_new(fig, recorded_row(row)->key,
				st.n ? json_pack("{s:I, s:f, s:I, s:I}", "n", (json_int_t)st.n,
						 "mean", st.mean, "min", (json_int_t)st.min,
						 "max", (json_int_t)st.max)
				     : json_null());
		}
		json_object_set_new(gj, "name", json_string(g->name));
		json_object_set_new(gj, "traces", paths);
		json_object_set_new(gj, "figures", fig);
		json_array_append_new(groups, gj);
	}
	json_object_set_new(root, "traces", traces);
	json_object_set_new(root, "groups", groups);
	return root;
}

static int write_json(const struct diff *d, const char *path)
{
	json_t *root = diff_json(d);
	struct frt_outfile out;
	int ret;

	if (!strcmp(path, "-")) {
		ret = json_dumpf(root, stdout, JSON_INDENT(1)) || fputc('\n', stdout) == EOF;
		json_decref(root);
		return ret ? -EIO : 0;
	}
	ret = frt_outfile_open(&out, path, true, 0644);
	if (!ret) {
		ret = json_dumpfd(root, out.fd, JSON_INDENT(1)) ? -EIO : 0;
		if (close(out.fd) && !ret)
			ret = -errno;
		if (!ret)
			ret = frt_outfile_commit(&out);
		if (ret)
			frt_outfile_abort(&out);
	}
	json_decref(root);
	return ret;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "json", required_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' }, CLI_VERSION_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct diff *d = calloc(1, sizeof(*d));
	const char *json_out = NULL;
	int c, ret = EXIT_OK, code;

	if (!d)
		return EXIT_FAIL;
	/* the groups are read after the options are known good */
	const char *group_args[MAX_GROUPS + 1];
	size_t nr_group_args = 0;
	optind = 1;
	while ((c = cli_getopt("diff", &code, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'g':
			if (nr_group_args == MAX_GROUPS) {
				ret = usage_error("diff", "more than %d groups", MAX_GROUPS);
				goto out;
			}
			group_args[nr_group_args++] = optarg;
			break;
		case 'j':
			json_out = optarg;
			break;
		case 'a':
			d->all = true;
			break;
		case 'h':
			help();
			goto out;
		case CLI_EXIT:
			ret = code;
			goto out;
		default: /* not reached: every option of the table has its case */
			ret = usage_error("diff", "option '%s' not handled", argv[optind - 1]);
			goto out;
		}
	}
	if (nr_group_args && optind < argc) {
		ret = usage_error("diff", "give traces as arguments or in --group, not both");
		goto out;
	}
	if (!nr_group_args && argc - optind < 1) {
		ret = usage_error("diff", "expects at least one trace file (or --group)");
		goto out;
	}
	for (size_t i = 0; i < nr_group_args && !ret; i++)
		ret = add_group(d, group_args[i]);
	for (int i = optind; i < argc && !ret; i++)
		ret = add_trace(d, argv[i]);
	if (ret)
		goto out;
	if (json_out) {
		int err = write_json(d, json_out);
		if (err) {
			fprintf(stderr, "fragreplay diff: writing %s failed: %s\n", json_out,
				strerror(-err));
			ret = EXIT_FAIL;
			goto out;
		}
		if (!strcmp(json_out, "-"))
			goto out;
	}
	print_text(d);
out:
	for (size_t i = 0; i < d->nr_runs; i++)
		recorded_free(&d->runs[i]);
	free(d);
	return ret;
}
