// SPDX-License-Identifier: MIT
/*
 * frt_rawdump.c - the reference reader's events as plain numbers, one line
 * each: "TYPE CPU TS F0 .. F7 TASK" in decimal, where TASK is "-" when the
 * event's task is unknown, else "PID TGID COMM COMM_HI" (the name as the two
 * 64-bit fields of FORMAT.md §6.6). tests/cli/spec_reader.py, written from
 * FORMAT.md alone, prints the same; tests/cli/test_spec.sh diffs them.
 * Each SNAPSHOT part with read times (format 1.2) adds "RT KIND PART PFN TS"
 * per entry (FORMAT.md §8.2), and "RT KIND PART malformed" where they break
 * the rules; parts whose header or sections do not hold together add nothing.
 * Exit 0 whole, 1 truncated or damaged (error on stderr), 2 usage.
 */
#include <inttypes.h>
#include <stdio.h>

#include <jansson.h>

#include "snapshot.h"
#include "task_table.h"
#include "trace.h"

static void print_read_times(struct frt_reader *r)
{
	uint32_t len;
	const char *payload = frt_reader_frame_payload(r, &len);
	struct frt_snapshot_part p;
	struct frt_snapshot_times it;
	uint64_t pfn, ts;
	json_t *h;
	int ret;

	if (!payload || frt_snapshot_parse(payload, len, &p, NULL, 0) || !p.read_times)
		return;
	h = json_loads(payload, JSON_DISABLE_EOF_CHECK, NULL);
	const char *kind = json_string_value(json_object_get(h, "kind")) ?: "?";
	long long part = (long long)json_integer_value(json_object_get(h, "part"));

	frt_snapshot_times_init(&it, &p);
	while ((ret = frt_snapshot_times_next(&it, &pfn, &ts)) > 0)
		printf("RT %s %lld %" PRIu64 " %" PRIu64 "\n", kind, part, pfn, ts);
	if (ret < 0)
		printf("RT %s %lld malformed\n", kind, part);
	json_decref(h);
}

int main(int argc, char **argv)
{
	struct frt_reader *r;
	struct frt_frame_info fi;
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
	/* frt_reader_next(), frame by frame, to see the snapshots */
	while ((ret = frt_reader_frame_next(r, &ev)) >= 0) {
		if (!ret) {
			if (frt_reader_next_frame(r, &fi) <= 0)
				break;
			if (fi.type == FRT_FRAME_SNAPSHOT)
				print_read_times(r);
			continue;
		}
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
