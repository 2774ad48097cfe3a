// SPDX-License-Identifier: MIT
/* main.c - the fragreplay command: dispatch to one file per subcommand. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "main.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv); /* NULL: not in this build (no collector) */
	const char *summary;
};

static const struct subcommand subcommands[] = {
#ifdef FRAGREPLAY_HAVE_COLLECTOR
	{ "record", cmd_record, "record page-allocator, compaction and migration events (BPF)" },
#else
	{ "record", NULL, "record page-allocator, compaction and migration events (BPF)" },
#endif
	{ "info", cmd_info, "show a trace's metadata, event counts, losses and health" },
	{ "dump", cmd_dump, "print a trace's events as ftrace-style text" },
	{ "replay", cmd_replay, "replay a trace through the allocator model under one variant" },
	{ "compare", cmd_compare, "A/B-compare two allocator variants on the same trace" },
	{ "validate", cmd_validate, "check the model against what the kernel recorded" },
	{ "diff", cmd_diff, "what the kernel recorded in several traces, side by side" },
	{ "variants", cmd_variants, "list the variant presets and knobs" },
	{ "import", cmd_import, "convert perf script or ftrace text into a trace" },
	{ "snapshot", cmd_snapshot, "write a procfs snapshot directory of this host" },
	{ "sweep", cmd_sweep, "run traces x variants x knob grids, locally or on Slurm/parallel" },
};
#define NR_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fragreplay %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'fragreplay %s --help'.\n", cmd);
	return EXIT_USAGE;
}

static void print_help(FILE *f)
{
	fprintf(f,
		"Usage: fragreplay <command> [options]\n"
		"\n"
		"Record what the Linux page allocator did on a host, then replay it through a\n"
		"model of the allocator under other policies, and compare fragmentation.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NR_SUBCOMMANDS; i++)
		fprintf(f, "  %-9s %s%s\n", subcommands[i].name, subcommands[i].summary,
			subcommands[i].run ? "" : " (not in this build)");
	fprintf(f,
		"\n"
		"'fragreplay <command> --help' describes a command; --version, alone or\n"
		"after a command, prints the version. Commands that write a file refuse an\n"
		"existing one unless given --force, and replace it whole.\n"
		"Exit status: 0 success, 1 failure (bad data, runtime error), 2 usage error.\n");
}

static int not_available(const struct subcommand *sc, int argc, char **argv)
{
	bool help = false;

	for (int i = 1; i < argc; i++) {
		help |= !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
		if (!strcmp(argv[i], "--version")) {
			printf("fragreplay %s\n", FRAGREPLAY_VERSION);
			return EXIT_OK;
		}
	}
	if (help) {
		printf("fragreplay %s: %s.\n\nNot in this build of fragreplay %s: it was "
		       "configured with -DFRAGREPLAY_COLLECTOR=OFF. Rebuild with libbpf-dev, clang "
		       "and bpftool installed and the option ON.\n",
		       sc->name, sc->summary, FRAGREPLAY_VERSION);
		return EXIT_OK;
	}
	fprintf(stderr, "fragreplay %s: not in this build of fragreplay %s (configured with "
		"-DFRAGREPLAY_COLLECTOR=OFF; rebuild with it ON to %s).\n", sc->name,
		FRAGREPLAY_VERSION, sc->summary);
	return EXIT_FAIL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		print_help(stdout);
		return finish_stdout(EXIT_OK);
	}
	if (!strcmp(argv[1], "--version")) {
		printf("fragreplay %s\n", FRAGREPLAY_VERSION);
		return finish_stdout(EXIT_OK);
	}
	for (size_t i = 0; i < NR_SUBCOMMANDS; i++) {
		if (strcmp(argv[1], subcommands[i].name))
			continue;
		if (!subcommands[i].run)
			return finish_stdout(not_available(&subcommands[i], argc - 1, argv + 1));
		return finish_stdout(subcommands[i].run(argc - 1, argv + 1));
	}
	fprintf(stderr, "fragreplay: unknown command '%s'\n\n", argv[1]);
	print_help(stderr);
	return EXIT_USAGE;
}
