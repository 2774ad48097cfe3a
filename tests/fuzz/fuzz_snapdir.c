// SPDX-License-Identifier: MIT
/*
 * fuzz_snapdir.c - the snapshot-directory loader (traces/import/snapshot.c,
 * procdir.c) on arbitrary copies of zoneinfo, pagetypeinfo, buddyinfo and
 * vmstat, and optionally the host.json `fragreplay snapshot` writes and a raw
 * kpageflags: the input is those files in that order, separated by lines
 * "%%"; an empty or missing host.json or kpageflags part is no file. The metadata import derives from the
 * directory goes through replay's own check, as cmd/import.c does.
 *
 * One bound of the harness: zones spanning more than 2^22 pfns (16 GiB) are
 * skipped, because the loader's work is rightly proportional to the memory
 * the copy claims (a 4 PB claim is a long walk, not a bug to report).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "hostinfo.h"
#include "procdir.h"
#include "setup.h"
#include "snapshot_host.h"
#include "trace.h"

static const char *const names[] = { "zoneinfo", "pagetypeinfo", "buddyinfo", "vmstat",
				     "host.json", "kpageflags" };
#define NR_FILES 6
#define FIRST_OPTIONAL 4 /* host.json and kpageflags may be absent */

static char dir[64];

static void put(const char *name, bool optional, const uint8_t *p, size_t n)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	if (!p || (optional && (!n || (n == 1 && *p == '\n'))))
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, p, n) != (ssize_t)n)
		abort();
	close(fd);
}

/* total spanned pfns zoneinfo claims; UINT64_MAX when unreadable */
static uint64_t claimed_span(const uint8_t *p, size_t n)
{
	char *text = strndup((const char *)p, n);
	json_t *zones = text ? frt_hostinfo_parse_zoneinfo(text) : NULL, *z;
	uint64_t sum = 0;
	size_t i;

	json_array_foreach(zones, i, z) {
		json_int_t s = json_integer_value(json_object_get(z, "spanned"));
		sum += s < 0 || s > (1 << 30) ? UINT64_MAX / 8 : (uint64_t)s;
	}
	json_decref(zones);
	free(text);
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[NR_FILES] = { 0 }, *p = data, *end = data + size;
	size_t len[NR_FILES] = { 0 };
	struct frt_snapshot_result res;
	char err[600];
	bool approx;
	int k;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/frt-fuzz-snapdir.XXXXXX", getenv("TMPDIR") ?: "/tmp");
		if (!mkdtemp(dir))
			abort();
	}
	for (k = 0; k < NR_FILES && p <= end; k++) {
		const uint8_t *sep = k < NR_FILES - 1 ? memmem(p, (size_t)(end - p), "\n%%\n", 4) : NULL;
		const uint8_t *stop = sep ? sep + 1 : end;

		part[k] = p;
		len[k] = (size_t)(stop - p);
		p = sep ? sep + 4 : end + 1;
	}
	if (!part[0] || claimed_span(part[0], len[0]) > 1u << 22)
		return 0;
	for (k = 0; k < NR_FILES; k++)
		put(names[k], k >= FIRST_OPTIONAL, part[k], len[k]);

	json_t *meta = json_object();
	if (!frt_procdir_meta(dir, meta, err, sizeof(err))) {
		char *text = json_dumps(meta, JSON_COMPACT);
		struct model_desc d;

		model_desc_init(&d);
		if (text)
			replay_desc_from_json(text, &d, err, sizeof(err));
		free(text);
	}
	json_decref(meta);

	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct frt_writer *w = frt_writer_new(fd, "{}", NULL);
	if (!w)
		abort();
	frt_snapshot_write_dir(w, "start", dir, 1, &approx, &res, err, sizeof(err));
	frt_writer_abort(w);
	return 0;
}
