// SPDX-License-Identifier: MIT
/*
 * frt_rawdump.c - the reference reader's events as plain numbers, one line
 * each: "TYPE CPU TS F0 .. F7 TASK" in decimal, where TASK is "-" when the
 * event's task is unknown, else "PID TGID COMM COMM_HI" (the name as the two
 * 64-bit fields of FORMAT.md §6.6). tests/cli/spec_reader.py, written from
 * FORMAT.md alone, prints the same; tests/cli/test_spec.sh diffs them.
 * Exit 0 whole, 1 truncated or damaged (error on stderr), 2 usage.
 */
#include <inttypes.h>
#include <stdio.h>

#include "task_table.h"
#include "trace.h"

int main(int argc, char **argv)
{
	struct frt_reader *r;
	struct frt_event ev;
	char err[600];
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: frt_rawdump FILE.frt\n");
		return 2;
	}
	r = frt_reader_open(argv[1], err, sizeof(err));
	if (!r) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	while ((ret = frt_reader_next(r, &ev)) > 0) {
		printf("%u %u %" PRIu64, ev.type, ev.cpu, ev.ts);
		for (int i = 0; i < FRT_MAX_FIELDS; i++)
			printf(" %" PRIu64, ev.f[i]);
		if (ev.has_task) {
			uint64_t lo, hi;

			frt_comm_to_fields(ev.comm, &lo, &hi);
			printf(" %d %d %" PRIu64 " %" PRIu64, ev.pid, ev.tgid, lo, hi);
		} else {
			printf(" -");
		}
		putchar('\n');
	}
	ret = frt_reader_status(r) == FRT_READ_OK ? 0 : 1;
	if (ret)
		fprintf(stderr, "%s\n", frt_reader_error(r));
	frt_reader_free(r);
	return ret;
}
