// SPDX-License-Identifier: MIT
/*
 * fuzz_import.c - the text importer (traces/import/import.c) on arbitrary
 * lines, its events written by the real writer to /dev/null. Whatever the
 * importer accepts, the writer must take: a writer error here is the class
 * of bug where one line aborted a whole import with no line number, so it
 * aborts the run (a finding).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import.h"
#include "trace.h"

static int emit(void *ctx, const struct frt_event *ev)
{
	if (frt_writer_add(ctx, ev))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the first byte picks the options, as --from and --strict would */
	struct frt_import_opts o = { .fmt = size ? data[0] % 3 : 0, .strict = size && data[0] & 4 };
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct frt_writer *w = frt_writer_new(fd, "{}", &(struct frt_writer_opts){ .store = true });
	struct frt_importer *im = w ? frt_importer_new(&o, emit, w) : NULL;
	char *text = malloc(size + 1);
	uint64_t lineno = 0;
	int ret = 0;

	if (!im || !text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	for (char *p = size ? text + 1 : text, *end = text + size, *nl; p < end && !ret; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end; /* the last line, without its newline */
		*nl = '\0';
		ret = frt_importer_line(im, p, ++lineno);
	}
	if (!ret)
		frt_importer_finish(im);
	frt_importer_free(im);
	frt_writer_abort(w);
	free(text);
	return 0;
}
