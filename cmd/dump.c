// SPDX-License-Identifier: MIT
/*
 * dump.c - fragreplay dump: events as the text ftrace prints, one per line:
 *   stress-ng-vm-2113 (2111) [001]   368.100430123: mm_page_alloc: pfn=0x122bf0 order=2 ...
 * The task (comm-pid, then the tgid as ftrace's record-tgid option shows it)
 * leads the line when the trace has it (format 1.1 on); older traces start
 * at the CPU. Field names and order are the tracepoints' own (event.c);
 * enums and gfp masks are printed symbolically as the kernel's print fmt does.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"
#include "trace.h"

static void print_field(FILE *out, const struct frt_field_desc *fd, uint64_t v)
{
	const char *sym = NULL;
	char gfp[512];

	switch (fd->kind) {
	case FRT_FK_PFN:
		if (v == FRT_PFN_NONE)
			fprintf(out, " %s=-1", fd->name);
		else
			fprintf(out, " %s=0x%" PRIx64, fd->name, v);
		return;
	case FRT_FK_GFP:
		frt_gfp_format(gfp, sizeof(gfp), v);
		fprintf(out, " %s=%s", fd->name, gfp);
		return;
	case FRT_FK_SINT:
		if (!strcmp(fd->name, "status") || !strcmp(fd->name, "ret"))
			sym = frt_compact_status_name((int64_t)v);
		else if (!strcmp(fd->name, "reason"))
			sym = frt_migrate_reason_name((int64_t)v);
		if (sym)
			fprintf(out, " %s=%s", fd->name, sym);
		else
			fprintf(out, " %s=%" PRId64, fd->name, (int64_t)v);
		return;
	case FRT_FK_UINT:
		if (!strcmp(fd->name, "mode"))
			sym = frt_migrate_mode_name(v);
		else if (!strcmp(fd->name, "idx") || !strcmp(fd->name, "highest_zoneidx"))
			sym = frt_zone_idx_name(v);
		if (!strcmp(fd->name, "sync"))
			fprintf(out, " mode=%s", v ? "sync" : "async");
		else if (sym)
			fprintf(out, " %s=%s", fd->name, sym);
		else if (!strcmp(fd->name, "addr") || !strcmp(fd->name, "pte"))
			fprintf(out, " %s=0x%" PRIx64, fd->name, v);
		else
			fprintf(out, " %s=%" PRIu64, fd->name, v);
		return;
	}
}

static void print_event(FILE *out, const struct frt_event *ev)
{
	const struct frt_event_desc *d = frt_event_desc(ev->type);

	if (ev->has_task) {
		size_t len = strnlen(ev->comm, FRT_COMM_LEN);

		/* ftrace's "<...>" for a task whose name it does not know */
		fprintf(out, "%16.*s-%-7d ", len ? (int)len : 5, len ? ev->comm : "<...>", ev->pid);
		if (ev->tgid >= 0)
			fprintf(out, "(%7d) ", ev->tgid);
		else
			fputs("(-------) ", out);
	}
	fprintf(out, "[%03u] %5" PRIu64 ".%09" PRIu64 ": ", ev->cpu, ev->ts / 1000000000u,
		ev->ts % 1000000000u);
	if (!d) {
		fprintf(out, "type%u:", ev->type);
		for (unsigned int i = 0; i < FRT_MAX_FIELDS; i++)
			fprintf(out, " f%u=%" PRIu64, i, ev->f[i]);
	} else {
		/* the kernel's print fmt puts mm_page_alloc's gfp_flags last */
		static const unsigned int alloc_order[] = { 0, 1, 3, 2 };
		bool alloc = ev->type == FRT_EV_PAGE_ALLOC;

		fprintf(out, "%s:", d->name);
		for (unsigned int i = 0; i < d->nr_fields; i++) {
			unsigned int k = alloc ? alloc_order[i] : i;

			print_field(out, &d->fields[k], ev->f[k]);
		}
	}
	fputc('\n', out);
}

/* --type takes event names (mm_page_alloc, kmem:mm_page_alloc) and group names (kmem). */
static int parse_types(const char *arg, uint64_t *mask)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum frt_event_type t = frt_event_type_by_name(tok);
		bool group = false;

		for (unsigned int i = 1; i < FRT_EV_NR_TYPES; i++) {
			if (!strcmp(frt_event_desc(i)->group, tok)) {
				*mask |= 1ull << i;
				group = true;
			}
		}
		if (t != FRT_EV_NONE)
			*mask |= 1ull << t;
		else if (!group) {
			usage_error("dump", "unknown event type or group '%s' (groups: kmem, "
				    "compaction, migrate, fragreplay; names as in 'fragreplay "
				    "info')", tok);
			ret = -EINVAL;
			break;
		}
	}
	free(copy);
	return ret;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -EINVAL : 0;
}

static void dump_help(FILE *f)
{
	fprintf(f,
		"Usage: fragreplay dump [options] FILE.frt\n"
		"\n"
		"Print events as ftrace-style text, one per line:\n"
		"  COMM-PID (TGID) [CPU] seconds.nanoseconds: event: fields\n"
		"COMM-PID (TGID) is the task the kernel ran when the event fired (for an\n"
		"interrupt: the task it interrupted); traces recorded before format 1.1\n"
		"do not have it and start at [CPU].\n"
		"\n"
		"  -t, --type LIST    only these events: names (mm_page_alloc, kmem:mm_page_free)\n"
		"                     or groups (kmem, compaction, migrate), comma-separated\n"
		"  -n, --limit N      stop after N printed events\n"
		"      --from-ns T    skip events with a timestamp before T (nanoseconds, as\n"
		"                     the trace clock counts them; see 'fragreplay info --json')\n"
		"  -h, --help         this text\n"
		"\n"
		"A damaged or truncated trace prints its readable events, then the error;\n"
		"exit status 1. Usage errors exit 2.\n");
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "limit", required_argument, NULL, 'n' },
		{ "from-ns", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, CLI_VERSION_OPTION,
		{ 0 },
	};
	uint64_t limit = UINT64_MAX, from = 0, printed = 0;
	uint64_t mask = 0;
	struct frt_reader *r;
	struct frt_event ev;
	char err[600], stdin_path[64];
	int c, ret, code;

	optind = 1;
	while ((c = cli_getopt("dump", &code, argc, argv, "t:n:h", opts)) != -1) {
		switch (c) {
		case 't':
			if (parse_types(optarg, &mask))
				return EXIT_USAGE;
			break;
		case 'n':
			if (parse_u64(optarg, &limit))
				return usage_error("dump", "--limit wants a number, not '%s'", optarg);
			break;
		case 'f':
			if (parse_u64(optarg, &from))
				return usage_error("dump", "--from-ns wants nanoseconds, not '%s'",
						   optarg);
			break;
		case 'h':
			dump_help(stdout);
			return EXIT_OK;
		case CLI_EXIT:
			return code;
		default: /* not reached: every option of the table has its case */
			return usage_error("dump", "option '%s' not handled", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("dump", "expected one trace file");

	const char *path = cli_trace_input("dump", argv[optind], stdin_path, sizeof(stdin_path));
	if (!path)
		return EXIT_FAIL;
	r = frt_reader_open(path, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "fragreplay dump: %s\n", err);
		return EXIT_FAIL;
	}
	while (printed < limit && (ret = frt_reader_next(r, &ev)) > 0) {
		/* a type this build does not know (a newer writer's) matches no --type */
		if (ev.ts < from || (mask && (ev.type >= 64 || !(mask & (1ull << ev.type)))))
			continue;
		print_event(stdout, &ev);
		printed++;
	}
	fflush(stdout);
	ret = EXIT_OK;
	if (printed < limit && frt_reader_status(r) != FRT_READ_OK) {
		fprintf(stderr, "fragreplay dump: %s\n", frt_reader_error(r));
		ret = EXIT_FAIL;
	}
	frt_reader_free(r);
	return ret;
}
