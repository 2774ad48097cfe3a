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
		printf("Usage: fragreplay compare TRACE.frt --a VARIANT --b VARIANT [--set-a KNOB=V]...\n"
		       "                          [--set-b KNOB=V]... [--interval T] [--strict]\n"
		       "                          [--json FILE [--force]]\n\n"
		       "Replay the trace's requests through the allocator model under two variants,\n"
		       "from the trace's start snapshot, and print them side by side with the\n"
		       "difference and the change in percent.\n");
	else
		printf("Usage: fragreplay replay TRACE.frt [--variant VARIANT] [--set KNOB=V]...\n"
		       "                         [--interval T] [--strict] [--json FILE [--force]]\n\n"
		       "Replay the trace's requests through the allocator model under one variant\n"
		       "(default vanilla), from the trace's start snapshot, and print what came of it.\n"
		       "A trace without a start snapshot is replayed from an empty model, and the\n"
		       "report says its early results are not meaningful.\n");
	printf("\n  --set KNOB=V  give a knob value V (compare: --set-a, --set-b): an integer in\n"
	       "                the knob's range, anything else is a usage error\n"
	       "  --interval T  sample the figures every T of trace time (1s; units ns, us, ms,\n"
	       "                s, m, h; at most 24h)\n"
	       "  --strict      fail (exit 1) on a damaged or truncated trace instead of replaying\n"
	       "                its valid prefix with a warning; and, after the report, when the\n"
	       "                report carries notes (*** NOTE: a caveat on its figures)\n"
	       "  --json FILE   also write the figures, every model counter and the samples\n"
	       "                over time as JSON (README, \"Report JSON\"); FILE must not exist\n"
	       "  --force       replace the --json FILE if it exists (whole, by a rename)\n"
	       "\n'fragreplay variants' lists the presets and the knobs with their defaults and\n"
	       "ranges. Exit status: 0 success, 1 failure (unreadable or unusable trace),\n"
	       "2 usage error.\n");
}

static int replay_main(const char *cmd, int argc, char **argv, int nr)
{
	static const struct option opts[] = {
		{ "variant", required_argument, NULL, 'v' }, { "a", required_argument, NULL, 'a' },
		{ "b", required_argument, NULL, 'b' },       { "set", required_argument, NULL, 's' },
		{ "set-a", required_argument, NULL, 'S' },   { "set-b", required_argument, NULL, 'T' },
		{ "json", required_argument, NULL, 'j' },    { "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION,
		{ "interval", required_argument, NULL, 'i' }, { "strict", no_argument, NULL, 'x' },
		{ "force", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct replay_variant v[2];
	struct replay_session_opts so = { .interval_ns = 1000000000ull };
	struct replay_session *s;
	const char *json_out = NULL;
	bool strict = false, force = false;
	char err[1024], stdin_path[64];
	int c, code;

	memset(v, 0, sizeof(v));
	optind = 1;
	while ((c = cli_getopt(cmd, &code, argc, argv, "h", opts)) != -1) {
		int i = c == 'b' || c == 'T';
		switch (c) {
		case 'v': case 'a': case 'b':
			if ((c == 'v') != (nr == 1))
				return usage_error(cmd, "unknown option '--%s'", c == 'v' ? "variant" : c == 'a' ? "a" : "b");
			if (replay_variant_preset(&v[i], optarg, err, sizeof(err)))
				return usage_error(cmd, "%s", err);
			break;
		case 's': case 'S': case 'T':
			if ((c == 's') != (nr == 1))
				return usage_error(cmd, "use --%s", nr == 1 ? "set" : "set-a / --set-b");
			if (replay_variant_set(&v[i], optarg, err, sizeof(err)))
				return usage_error(cmd, "%s", err);
			break;
		case 'j':
			json_out = optarg;
			break;
		case 'x':
			strict = true;
			break;
		case 'F':
			force = true;
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
	if (nr == 2 && (!v[0].preset || !v[1].preset))
		return usage_error(cmd, "needs --a VARIANT and --b VARIANT");
	if (refuse_over_input(cmd, "--json", json_out, argv[optind]))
		return EXIT_USAGE;
	if (refuse_existing(cmd, json_out, force))
		return EXIT_FAIL;
	const char *path = cli_trace_input(cmd, argv[optind], stdin_path, sizeof(stdin_path));
	if (!path || !(s = session_open(cmd, path, &so, v, nr)))
		return EXIT_FAIL;
	return session_report(cmd, s, strict, false, json_out);
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
