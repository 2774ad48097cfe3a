// SPDX-License-Identifier: MIT
/*
 * fuzz_session.c - a whole replay session (replay/session.c: setup from the
 * start snapshot, the engine, fidelity, the reports) on an arbitrary trace,
 * as `fragreplay validate` runs it on a file someone mailed. FRT_FUZZ_FIX=1
 * fixes CRCs and frame sizes as fuzz_reader does (the seeds are stored, not
 * compressed, so mutations reach the JSON and the records).
 *
 * Bound of the harness: a node of more than 2^20 pfns or more than 8 CPUs is
 * not replayed (the model's memory is proportional to the span it is told;
 * a 16 TiB claim is memory, not a bug to report).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_fix.h"
#include "session.h"
#include "setup.h"
#include "trace.h"

/* whether the metadata describes a node small enough to model here */
static bool small_enough(const char *path)
{
	char err[512];
	struct frt_reader *r = frt_reader_open(path, err, sizeof(err));
	struct model_desc d;
	bool ok = false;

	if (!r)
		return false;
	model_desc_init(&d);
	if (!replay_desc_from_json(frt_reader_meta(r), &d, err, sizeof(err)))
		ok = d.nr_cpus <= 8 && d.zones[d.nr_zones - 1].start_pfn +
			d.zones[d.nr_zones - 1].spanned - d.zones[0].start_pfn <= 1u << 20;
	frt_reader_free(r);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fixup = -1;
	static FILE *devnull;
	char path[64], err[512];
	uint8_t *b;
	int fd;

	if (fixup < 0) {
		fixup = getenv("FRT_FUZZ_FIX") && atoi(getenv("FRT_FUZZ_FIX"));
		devnull = fopen("/dev/null", "w");
	}
	b = malloc(size ? size : 1);
	memcpy(b, data, size);
	if (fixup)
		frt_fuzz_fix(b, size);
	fd = memfd_create("frt", MFD_CLOEXEC);
	if (fd < 0 || write(fd, b, size) != (ssize_t)size)
		abort();
	free(b);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (small_enough(path)) {
		struct replay_session_opts so = { .fidelity = true, .interval_ns = 1000000 };
		struct replay_session *s = replay_session__open(path, &so, err, sizeof(err));

		if (s && !replay_session__add_variant(s, NULL) && !replay_session__run(s, NULL, NULL)) {
			replay_session__render_text(s, devnull);
			replay_session__render_fidelity_text(s, devnull);
		}
		replay_session__free(s);
	}
	close(fd);
	return 0;
}
