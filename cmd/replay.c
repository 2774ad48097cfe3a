// SPDX-License-Identifier: MIT
/*
 * replay.c - fragreplay replay, compare and variants: the options of a
 * replay session (replay/session.h) under one or two variants, and its
 * report as a text table and JSON; the presets and knobs.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"
#include "session.h"
#include "variant.h"

static void help(const char *cmd)
{
	if (!strcmp(cmd, "compare"))
		printf("Usage: fragreplay compare TRACE.frt --variants V1,V2[,...] [--set KNOB=V]...\n"
		       "       fragreplay compare TRACE.frt --a V1 --b V2 [--set-a KNOB=V]...\n"
		       "                          [--set-b KNOB=V]...\n"
		       "         [--interval T] [--strict] [--format text|md|csv] [--all]\n"
		       "         [--json FILE] [--html FILE] [--force]\n\n"
		       "Replay the trace's requests through the allocator model under two to eight\n"
		       "variants, decoded once, from the trace's start snapshot, and print them\n"
		       "side by side: the first is the baseline; two get B - A and the change in\n"
		       "percent, more get each one's difference from the first. Three or more that\n"
		       "differ only in knobs the model gates share one model until the first event\n"
		       "in which one decides otherwise (README \"Compare's shared prefix\"; the\n"
		       "same figures as alone; FRAGREPLAY_SHARE=0 runs each alone).\n"
		       "\n  --variants L  the variants, comma-separated (the first is the baseline)\n"
		       "  --a, --b      the same for two: --a V1 --b V2 is --variants V1,V2\n"
		       "  --set KNOB=V  give every variant a knob value (--set-a, --set-b: one)\n");
	else
		printf("Usage: fragreplay replay TRACE.frt [--variant VARIANT] [--set KNOB=V]...\n"
		       "         [--interval T] [--strict] [--format text|md|csv] [--all]\n"
		       "         [--json FILE] [--html FILE] [--force]\n\n"
		       "Replay the trace's requests through the allocator model under one variant\n"
		       "(default vanilla), from the trace's start snapshot, and print what came of it.\n"
		       "A trace without a start snapshot is replayed from an empty model, and the\n"
		       "report says its early results are not meaningful.\n"
		       "\n  --set KNOB=V  give a knob value V: an integer in the knob's range,\n"
		       "                anything else is a usage error\n");
	printf("  --interval T  sample the figures every T of trace time (1s; units ns, us, ms,\n"
	       "                s, m, h; at most 24h)\n"
	       "  --strict      fail (exit 1) on a damaged or truncated trace instead of\n"
	       "                replaying its valid prefix with a warning; and, after the\n"
	       "                report, when it carries notes (*** NOTE lines: caveats)\n"
	       "  --format F    the tables as text (default; at most 80 columns for up to four\n"
	       "                variants), md (markdown, for a mail) or csv\n"
	       "  --all         every row; without it, rows no variant changes (one variant:\n"
	       "                rows that are 0) are left out\n"
	       "  --json FILE   also write the figures, every model counter and the samples\n"
	       "                over time as JSON (README, \"Report JSON\")\n"
	       "  --html FILE   also write one self-contained HTML page: provenance, plots over\n"
	       "                trace time, pageblock maps, the tables (README, \"HTML report\")\n"
	       "  --force       replace an existing --json or --html FILE (whole, by a rename)\n"
	       "\n'fragreplay variants' lists the presets and the knobs with their defaults and\n"
	       "ranges. Exit status: 0 success, 1 failure (unreadable or unusable trace),\n"
	       "2 usage error.\n");
}

/* "vanilla,defrag_mode,..." into @v; the number of variants, or -1 with @err */
static int parse_variants(const char *list, struct replay_variant *v, char *err, size_t errlen)
{
	static char buf[1024]; /* the presets' names point into it: kept to the end */
	char *save = NULL;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == REPLAY_SESSION_MAX_VARIANTS) {
			snprintf(err, errlen, "--variants: at most %d variants",
				 REPLAY_SESSION_MAX_VARIANTS);
			return -1;
		}
		if (replay_variant_preset(&v[n], tok, err, errlen))
			return -1;
		n++;
	}
	if (n < 2) {
		snprintf(err, errlen, "--variants '%s': want at least two, comma-separated", list);
		return -1;
	}
	return n;
}

static int replay_main(const char *cmd, int argc, char **argv, int nr)
{
	static const struct option opts[] = {
		{ "variant", required_argument, NULL, 'v' }, { "a", required_argument, NULL, 'a' },
		{ "b", required_argument, NULL, 'b' },       { "set", required_argument, NULL, 's' },
		{ "set-a", required_argument, NULL, 'S' },   { "set-b", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },          CLI_VERSION_OPTION,
		{ "interval", required_argument, NULL, 'i' }, { "strict", no_argument, NULL, 'x' },
		{ "variants", required_argument, NULL, 'V' }, SESSION_OUTPUT_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct replay_variant v[REPLAY_SESSION_MAX_VARIANTS];
	struct replay_session_opts so = { .interval_ns = 1000000000ull };
	struct session_outputs out = { .render = { REPLAY_FORMAT_TEXT, false } };
	struct replay_session *s;
	const char *sets[64], *list = NULL;
	int nr_sets = 0;
	bool strict = false, ab = false;
	char err[1024], stdin_path[64];
	int c, code, ret;

	memset(v, 0, sizeof(v));
	optind = 1;
	while ((c = cli_getopt(cmd, &code, argc, argv, "h", opts)) != -1) {
		int i = c == 'b' || c == 'T';
		if ((ret = session_outputs_option(cmd, c, optarg, &out)) >= 0) {
			if (ret)
				return ret;
			continue;
		}
		switch (c) {
		case 'v': case 'a': case 'b':
			if ((c == 'v') != (nr == 1))
				return usage_error(cmd, "unknown option '--%s'", c == 'v' ? "variant" : c == 'a' ? "a" : "b");
			if (replay_variant_preset(&v[i], optarg, err, sizeof(err)))
				return usage_error(cmd, "%s", err);
			ab |= c != 'v';
			break;
		case 'V':
			if (nr == 1)
				return usage_error(cmd, "unknown option '--variants' (compare has it)");
			list = optarg;
			break;
		case 's':
			if (nr_sets == (int)(sizeof(sets) / sizeof(sets[0])))
				return usage_error(cmd, "too many --set");
			sets[nr_sets++] = optarg;
			break;
		case 'S': case 'T':
			if (nr == 1)
				return usage_error(cmd, "use --set");
			if (replay_variant_set(&v[i], optarg, err, sizeof(err)))
				return usage_error(cmd, "%s", err);
			ab = true;
			break;
		case 'x':
			strict = true;
			break;
		case 'i':
			/* at most a day of trace time; bare numbers are nanoseconds */
			if (parse_duration(optarg, 1, 1, 86400000000000ull, &so.interval_ns))
				return usage_error(cmd, "--interval '%s': want a duration such as "
						   "100ms, 1s, 5m or 500us, from 1ns to 24h", optarg);
			break;
		case 'h':
			help(cmd);
			return EXIT_OK;
		case CLI_EXIT:
			return code;
		default: /* not reached: every option of the table has its case */
			return usage_error(cmd, "option '%s' not handled", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error(cmd, "expects one trace file");
	if (list && ab)
		return usage_error(cmd, "--variants or --a/--b (with --set-a/--set-b), not both");
	if (list && (nr = parse_variants(list, v, err, sizeof(err))) < 0)
		return usage_error(cmd, "%s", err);
	if (!list && nr == 2 && (!v[0].preset || !v[1].preset))
		return usage_error(cmd, "needs --variants V1,V2[,...] or --a VARIANT and --b VARIANT");
	for (int k = 0; k < nr_sets; k++)
		for (int i = 0; i < nr; i++)
			if (replay_variant_set(&v[i], sets[k], err, sizeof(err)))
				return usage_error(cmd, "%s", err);
	ret = session_outputs_check(cmd, argv[optind], &out);
	if (ret)
		return ret;
	so.maps = out.html != NULL;
	const char *path = cli_trace_input(cmd, argv[optind], stdin_path, sizeof(stdin_path));
	if (!path || !(s = session_open(cmd, path, &so, v, nr)))
		return EXIT_FAIL;
	return session_report(cmd, s, strict, false, &out);
}

int cmd_replay(int argc, char **argv)
{
	return replay_main("replay", argc, argv, 1);
}

int cmd_compare(int argc, char **argv)
{
	return replay_main("compare", argc, argv, 2);
}

int cmd_variants(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("fragreplay %s\n", FRAGREPLAY_VERSION);
		return EXIT_OK;
	}
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: fragreplay variants [--help]\n\nList the variant presets, and the knobs "
		       "--set KNOB=VALUE can change\nwith their defaults, ranges, sysctls and the "
		       "presets that set them.\n");
		return EXIT_OK;
	}
	if (argc > 1)
		return usage_error("variants", "takes no arguments");
	replay_variants_print(stdout);
	return EXIT_OK;
}
