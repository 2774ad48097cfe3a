// SPDX-License-Identifier: MIT
/*
 * snapshot.c - fragreplay snapshot DIR: copy this host's /proc memory state
 * into a snapshot directory, to take before and after a perf or ftrace
 * capture and give to fragreplay import (traces/procdir.h).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "main.h"
#include "procdir.h"

static void snapshot_help(FILE *f)
{
	fprintf(f,
		"Usage: fragreplay snapshot [--no-kpageflags] DIR\n"
		"\n"
		"Write a snapshot directory of this host's physical memory state: copies of\n"
		"/proc/zoneinfo, /proc/pagetypeinfo, /proc/buddyinfo and /proc/vmstat, and\n"
		"/proc/kpageflags compressed as kpageflags.zst (root), and host.json: the\n"
		"hostname, kernel release, page size, time, vm sysctls and THP settings, which\n"
		"import puts in the trace. Take one right before and one right after a perf\n"
		"or ftrace capture, then:\n"
		"  fragreplay import --start-snapshot BEFORE --end-snapshot AFTER -o t.frt in.txt\n"
		"A directory made with cp of the same files (kpageflags raw) works as well\n"
		"(without host.json, the trace has no host, sysctls or THP settings).\n"
		"DIR must not exist, or be an empty directory of the caller's own; no file\n"
		"in it is written through a link.\n"
		"\n"
		"      --no-kpageflags  leave kpageflags out (no root needed); the start state\n"
		"                       is then approximate: free lists placed from counts\n"
		"  -h, --help           this text\n"
		"\n"
		"Exit status: 0 written, 1 a file could not be read or written, 2 usage error.\n");
}

int cmd_snapshot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-kpageflags", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' }, CLI_VERSION_OPTION,
		{ 0 },
	};
	bool kpf = true;
	char err[600];
	int c, code;

	optind = 1;
	while ((c = cli_getopt("snapshot", &code, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'k':
			kpf = false;
			break;
		case 'h':
			snapshot_help(stdout);
			return EXIT_OK;
		case CLI_EXIT:
			return code;
		default: /* not reached: every option of the table has its case */
			return usage_error("snapshot", "option '%s' not handled", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("snapshot", "expected one directory");
	if (frt_procdir_save(argv[optind], kpf, err, sizeof(err))) {
		fprintf(stderr, "fragreplay snapshot: %s\n", err);
		return EXIT_FAIL;
	}
	printf("snapshot directory %s written (%s)\n", argv[optind],
	       kpf ? "with kpageflags.zst" : "without kpageflags: approximate start state");
	return EXIT_OK;
}
