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

static void help(void)
{
	printf("Usage: fragreplay validate TRACE.frt [--strict] [--json FILE [--force]]\n\n"
	       "Replay the trace under the settings it was recorded with ('vanilla', or\n"
	       "'defrag_mode' when the host ran vm.defrag_mode=1; the host's sysctls) and\n"
	       "print, beside what the kernel recorded on the same trace, the model's\n"
	       "end-of-trace free blocks per order and type and pageblocks per type\n"
	       "(against the end snapshot's /proc/pagetypeinfo), fallbacks (claims and\n"
	       "steals), pcp refills and drains, THP faults, compaction and migration\n"
	       "counts (against /proc/vmstat deltas), with the agreement of each line, a\n"
	       "page-weighted fidelity score and the per-line mean (README, \"Fidelity\").\n"
	       "\n  --strict      fail (exit 1) on a damaged or truncated trace instead of\n"
	       "                validating its valid prefix with a warning; and, after the\n"
	       "                report, when the report carries notes (caveats on its figures)\n"
	       "  --json FILE   also write the replay's report as JSON, its run with a\n"
	       "                \"fidelity\" object: every line, the score and free pages over\n"
	       "                time (README, \"Report JSON\"); FILE must not exist\n"
	       "  --force       replace the --json FILE if it exists (whole, by a rename)\n"
	       "\nExit status: 0 success, 1 failure (unreadable or unusable trace), 2 usage error.\n");
}

int cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "strict", no_argument, NULL, 'x' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' }, CLI_VERSION_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	const struct replay_session_opts so = { .fidelity = true };
	struct replay_session *s;
	const char *json_out = NULL;
	bool strict = false, force = false;
	int c, code;

	optind = 1;
	while ((c = cli_getopt("validate", &code, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'j':
			json_out = optarg;
			break;
		case 'x':
			strict = true;
			break;
		case 'F':
			force = true;
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
	if (refuse_over_input("validate", "--json", json_out, argv[optind]))
		return EXIT_USAGE;
	if (refuse_existing("validate", json_out, force))
		return EXIT_FAIL;
	/* one model under the trace's own settings, beside the kernel that ran them */
	char stdin_path[64];
	const char *path = cli_trace_input("validate", argv[optind], stdin_path, sizeof(stdin_path));
	if (!path || !(s = session_open("validate", path, &so, NULL, 1)))
		return EXIT_FAIL;
	return session_report("validate", s, strict, true, json_out);
}
