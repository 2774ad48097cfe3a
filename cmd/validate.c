// SPDX-License-Identifier: MIT
/*
 * validate.c - fragreplay validate: the options of a replay session
 * (replay/session.h) that replays a trace with its own settings and puts the
 * model's figures beside what the kernel itself recorded on the same trace
 * (replay/fidelity.h), and its report as text and JSON.
 */
#include <getopt.h>
#include <stdio.h>

#include "main.h"
#include "session.h"
#include "variant.h"

static void help(void)
{
	printf("Usage: fragreplay validate TRACE.frt [--set KNOB=V]... [--strict]\n"
	       "         [--format text|md|csv] [--all] [--json FILE] [--html FILE] [--force]\n\n"
	       "Replay the trace under the settings it was recorded with ('vanilla', or\n"
	       "'defrag_mode' when the host ran vm.defrag_mode=1; the host's sysctls) and\n"
	       "print, beside what the kernel recorded on the same trace, the model's\n"
	       "end-of-trace free blocks per order and type and pageblocks per type\n"
	       "(against the end snapshot's /proc/pagetypeinfo), fallbacks (claims and\n"
	       "steals), pcp refills and drains, THP faults, compaction and migration\n"
	       "counts (against /proc/vmstat deltas), with the agreement of each line, a\n"
	       "page-weighted fidelity score and the per-line mean (README, \"Fidelity\"),\n"
	       "then checks: whether the replay clears the bars a prediction needs (score,\n"
	       "free pages per order, pageblock types, fallbacks, compact_stall, THP faults,\n"
	       "unmatched frees, model-only failures), each pass, FAIL or n/a.\n"
	       "\n  --set KNOB=V  change a knob of the recorded settings (e.g. feedback=0 for the\n"
	       "                open loop); 'fragreplay variants' lists them\n"
	       "  --strict      fail (exit 1) on a damaged or truncated trace instead of\n"
	       "                validating its valid prefix with a warning; and, after the\n"
	       "                report, when the report carries notes (caveats on its figures)\n"
	       "  --format F    the table as text (default, at most 80 columns), md (markdown,\n"
	       "                for a mail) or csv\n"
	       "  --all         every line; without it, lines where both sides are 0 are\n"
	       "                left out\n"
	       "  --html FILE   also write one self-contained HTML page: provenance, plots,\n"
	       "                pageblock maps and this table (README, \"HTML report\")\n"
	       "  --json FILE   also write the replay's report as JSON, its run with a\n"
	       "                \"fidelity\" object: every line, the score, the checks and\n"
	       "                free pages over time (README, \"Report JSON\"); FILE must\n"
	       "                not exist\n"
	       "  --force       replace an existing --json or --html FILE (whole, by a rename)\n"
	       "\nExit status: 0 success, 1 failure (unreadable or unusable trace), 2 usage error.\n");
}

int cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "strict", no_argument, NULL, 'x' },
		{ "set", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' }, CLI_VERSION_OPTION,
		SESSION_OUTPUT_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct replay_session_opts so = { .fidelity = true };
	struct replay_session *s;
	struct replay_variant v = { .as_recorded = true };
	struct session_outputs out = { .render = { REPLAY_FORMAT_TEXT, false } };
	bool strict = false;
	char err[1024], stdin_path[64];
	int c, code, ret;

	optind = 1;
	while ((c = cli_getopt("validate", &code, argc, argv, "h", opts)) != -1) {
		if ((ret = session_outputs_option("validate", c, optarg, &out)) >= 0) {
			if (ret)
				return ret;
			continue;
		}
		switch (c) {
		case 'x':
			strict = true;
			break;
		case 's':
			if (replay_variant_set(&v, optarg, err, sizeof(err)))
				return usage_error("validate", "%s", err);
			break;
		case 'h':
			help();
			return EXIT_OK;
		case CLI_EXIT:
			return code;
		default: /* not reached: every option of the table has its case */
			return usage_error("validate", "option '%s' not handled", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("validate", "expects one trace file");
	/* one model under the trace's own settings, beside the kernel that ran them */
	ret = session_outputs_check("validate", argv[optind], &out);
	if (ret)
		return ret;
	so.maps = out.html != NULL;
	const char *path = cli_trace_input("validate", argv[optind], stdin_path, sizeof(stdin_path));
	if (!path || !(s = session_open("validate", path, &so, &v, 1)))
		return EXIT_FAIL;
	return session_report("validate", s, strict, true, &out);
}
